//! Reading a court document into a proceeding (裁判文书识别): what the parser proposes for each
//! defendant (outcome, loss, causes), the user's confirmation or correction, and the labelled
//! example kept from it. Pure: the parse comes from `huajie-judgment`, the proceeding from the
//! caller.

use std::collections::BTreeMap;

use huajie_judgment::{Disposition, Side, Stage};
pub use huajie_judgment::{Judgment, NotAJudgment, parse as parse_judgment};
use serde::{Deserialize, Serialize};

use crate::case_no::CaseNo;
use crate::error::{FieldError, Invalid, optional_text};
use crate::outcome::{Ground, LossRule, OutcomeCode, OutcomeDraft, OutcomeInput};
use crate::proceeding::{ProceedingKind, parse_date};
use crate::unit::labelled_enum;

/// Version of the reading logic stored with every reading (parser + mapping), so a labelled
/// example says which reader it corrected.
pub const READER_VERSION: &str = "1";

labelled_enum!(
    /// Where a reading stands.
    ReadingStatus {
        Proposed = "proposed", "待确认";
        Confirmed = "confirmed", "已确认";
    } "识别状态"
);

/// A court document read into a proceeding: the proposal and, once confirmed, the labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JudgmentReading {
    pub id: i64,
    pub proceeding_id: i64,
    /// The uploaded document (kind 判决书) the text came from.
    pub document_id: i64,
    pub document_name: String,
    pub reader_version: String,
    pub status: ReadingStatus,
    pub status_label: String,
    pub proposal: ReadingProposal,
    /// What the user confirmed; `None` until then.
    pub labels: Option<ReadingLabels>,
    /// The confirmation differs from the proposal (a correction, kept as a labelled example).
    pub corrected: bool,
    pub created_by_name: String,
    pub created_at: String,
    pub confirmed_by_name: Option<String>,
    pub confirmed_at: Option<String>,
    pub version: i64,
}

/// A party as the document names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadParty {
    /// The role as written: 原告, 被上诉人（原审被告）…
    pub role: String,
    pub name: String,
    pub is_agency: bool,
    /// The 复议机关 sued together with the original agency.
    pub reconsideration_organ: bool,
    /// For a defendant agency: whether the document goes against it.
    pub lost: Option<bool>,
}

/// What the reader proposes for one defendant of the proceeding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DefendantProposal {
    pub party_id: i64,
    pub party_name: String,
    /// The name the document uses for this defendant, when it names it.
    pub matched_as: Option<String>,
    /// Proposed outcome code; `None` when it cannot be told (see `reason`).
    pub code: Option<OutcomeCode>,
    pub code_label: Option<String>,
    /// Whether the document goes against this defendant (the parser's reading).
    pub lost: Option<bool>,
    /// Proposed loss causes.
    pub grounds: Vec<Ground>,
    /// Date of the judgment (YYYY-MM-DD).
    pub decided_on: Option<String>,
    /// How the proposal was reached, or why a field is empty.
    pub reason: String,
}

/// The reader's proposal for a proceeding, stored with the reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadingProposal {
    pub case_number: Option<String>,
    pub court: Option<String>,
    /// 判决书, 裁定书, 调解书 (from the operative part).
    pub doc_kind: Option<String>,
    /// 一审, 二审, 再审, 再审审查, 非诉执行审查.
    pub stage: Option<String>,
    pub decided_on: Option<String>,
    /// The dispositions (判项) in order; the first is the primary one.
    pub dispositions: Vec<String>,
    /// The text of each 判项.
    pub disposition_items: Vec<String>,
    /// The legal basis, normalised (行政诉讼法（2017）第70条第（2）项 …).
    pub legal_basis: Vec<String>,
    pub agency_lost: Option<bool>,
    pub agency_lost_basis: Option<String>,
    /// Loss causes in the taxonomy of LEGAL-RULES §4, with where each was read.
    pub loss_grounds: Vec<String>,
    pub ground_evidence: Vec<String>,
    /// The court's reasoning (本院认为 …), quoted in the loss analysis report.
    pub reasoning: Option<String>,
    pub parties: Vec<ReadParty>,
    /// Field → why it could not be read.
    pub unknown: BTreeMap<String, String>,
    pub defendants: Vec<DefendantProposal>,
    /// Disagreements between the document and the proceeding (case number, stage).
    pub warnings: Vec<String>,
}

/// A defendant of the proceeding, as the reader needs it.
#[derive(Debug, Clone)]
pub struct Defendant {
    pub party_id: i64,
    pub name: String,
}

/// Only litigation proceedings have court documents to read.
pub fn check_kind(kind: ProceedingKind) -> Result<(), FieldError> {
    if matches!(
        kind,
        ProceedingKind::FirstInstance | ProceedingKind::SecondInstance | ProceedingKind::Retrial
    ) {
        Ok(())
    } else {
        Err(FieldError::new(
            "proceeding",
            "not_litigation",
            format!(
                "{}程序没有法院裁判文书，只有行政诉讼（一审、二审、再审）程序可以识别裁判文书",
                kind.label()
            ),
        ))
    }
}

fn strip(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '（' | '）' | '(' | ')'))
        .collect()
}

/// The document's party for a defendant named `name`: same name, or one contains the other
/// (the document may add or drop the county prefix), or the document's short name.
fn match_party<'a>(j: &'a Judgment, name: &str) -> Option<&'a huajie_judgment::Party> {
    let want = strip(name);
    let defendants: Vec<_> = j
        .parties
        .iter()
        .filter(|p| p.side == Side::Defendant || p.is_agency)
        .collect();
    defendants
        .iter()
        .find(|p| strip(&p.name) == want)
        .or_else(|| {
            defendants.iter().find(|p| {
                let n = strip(&p.name);
                n.chars().count() >= 4 && (n.contains(&want) || want.contains(&n))
            })
        })
        .or_else(|| {
            defendants
                .iter()
                .find(|p| p.alias.as_deref().is_some_and(|a| strip(a) == want))
        })
        .copied()
}

/// The outcome code a disposition stands for in a proceeding of `kind`.
fn code_for(
    d: Disposition,
    kind: ProceedingKind,
    j: &Judgment,
    lost: Option<bool>,
) -> Result<OutcomeCode, String> {
    use Disposition as D;
    use OutcomeCode as O;
    let appeal = matches!(
        kind,
        ProceedingKind::SecondInstance | ProceedingKind::Retrial
    );
    let keep =
        j.legal_basis.iter().any(|c| {
            c.law == "行政诉讼法" && c.article == 74 && c.paragraph.is_none_or(|p| p == 1)
        }) && !j
            .legal_basis
            .iter()
            .any(|c| c.law == "行政诉讼法" && c.article == 74 && c.paragraph == Some(2));
    let first = match d {
        D::RejectClaims => O::RejectClaims,
        D::Revoke => O::Revoke,
        D::RevokePartial => O::RevokePartial,
        D::RevokeRedo => O::RevokeRedo,
        D::ConfirmIllegal if keep => O::ConfirmIllegalKeep,
        D::ConfirmIllegal => O::ConfirmIllegal,
        D::ConfirmVoid => O::ConfirmVoid,
        D::OrderPerform => O::PerformDuty,
        D::Pay => O::Pay,
        D::Modify => O::Modify,
        D::AgreementLiability => O::AgreementLiability,
        D::DismissSuit => O::DismissSuit,
        D::Withdrawal => O::Withdraw,
        D::DeemedWithdrawal => O::WithdrawDeemed,
        D::NotDocketed => O::NotDocketed,
        D::Mediation => O::Mediation,
        D::AppealDismissed if appeal => O::AppealUpheld,
        D::Remanded | D::OrderedToContinue if appeal => O::Remanded,
        D::Reversed if appeal => match lost {
            Some(true) => O::AppealReversedAgainst,
            Some(false) => O::AppealReversedFor,
            None => return Err("改判，但无法判断对被告是否不利，请选择结果".into()),
        },
        D::RetrialGranted => {
            return Err("裁定提审或再审：案件进入再审，尚无结果".into());
        }
        D::RetrialDenied => {
            return Err("驳回再审申请：原生效裁判不变，请按原裁判结果选择".into());
        }
        D::EnforcementGranted | D::EnforcementRefused => {
            return Err("非诉执行审查文书，不是本程序的裁判结果".into());
        }
        D::Other => return Err("判项不属于已知的裁判类型，请选择结果".into()),
        other => {
            return Err(format!(
                "判项“{}”不适用于{}程序，请核对文书与程序",
                other.label(),
                kind.label()
            ));
        }
    };
    // An appellate court that decides the case itself (改判 to a first-instance result).
    if appeal && first.takes_grounds() {
        return Ok(O::AppealReversedAgainst);
    }
    if appeal && first == O::RejectClaims {
        return Ok(O::AppealReversedFor);
    }
    Ok(first)
}

fn stage_matches(stage: Stage, kind: ProceedingKind) -> bool {
    match stage {
        Stage::FirstInstance => kind == ProceedingKind::FirstInstance,
        Stage::Appeal => kind == ProceedingKind::SecondInstance,
        Stage::Retrial | Stage::RetrialReview => kind == ProceedingKind::Retrial,
        Stage::NonLitigationEnforcement => false,
    }
}

/// The proposal for a proceeding of `kind` numbered `case_no`, with its `defendants`.
pub fn propose(
    j: &Judgment,
    kind: ProceedingKind,
    case_no: Option<&str>,
    defendants: &[Defendant],
) -> ReadingProposal {
    let mut warnings = Vec::new();
    if let (Some(read), Some(ours)) = (j.case_number.as_deref(), case_no) {
        let key = |s: &str| {
            CaseNo::parse(s)
                .map(|c| c.to_string())
                .unwrap_or_else(|_| strip(s))
        };
        if key(read) != key(ours) {
            warnings.push(format!(
                "文书案号为“{read}”，本程序案号为“{ours}”，请确认上传的是本案文书"
            ));
        }
    }
    if let Some(stage) = j.stage
        && !stage_matches(stage, kind)
    {
        warnings.push(format!(
            "文书为{}文书，本程序为{}，请确认上传的是本程序的文书",
            stage.label(),
            kind.label()
        ));
    }
    let grounds: Vec<Ground> = j
        .loss_grounds
        .iter()
        .filter_map(|l| Ground::from_taxonomy(l))
        .collect();
    let primary = j.dispositions.first().copied();
    let mut proposals = Vec::new();
    for d in defendants {
        let matched = match_party(j, &d.name);
        let lost = match matched.and_then(|p| p.lost) {
            Some(l) => Some(l),
            None => j.agency_lost,
        };
        let mut reason = match &matched {
            Some(p) => format!("文书中的“{}”（{}）", p.name, p.role),
            None if j.parties.is_empty() => "文书未列当事人，按整份文书判断".to_string(),
            None => "文书中未找到该被告的名称，按整份文书判断".to_string(),
        };
        let code = match primary {
            None => {
                reason.push_str("；未识别出判项，请选择结果");
                None
            }
            // A defendant the adverse 判项 do not name: the other 判项 decide for it.
            Some(p) if lost == Some(false) && p.adverse() => {
                let rest = j.dispositions.iter().find(|d| !d.adverse()).copied();
                match rest.map(|r| code_for(r, kind, j, lost)) {
                    Some(Ok(c)) => Some(c),
                    _ => {
                        reason.push_str("；不利判项未涉及该被告，请选择结果");
                        None
                    }
                }
            }
            Some(p) => match code_for(p, kind, j, lost) {
                Ok(c) => Some(c),
                Err(why) => {
                    reason.push('；');
                    reason.push_str(&why);
                    None
                }
            },
        };
        if let Some(b) = &j.agency_lost_basis {
            reason.push_str("；胜败依据：");
            reason.push_str(b);
        }
        let grounds = match code {
            Some(c) if c.takes_grounds() => grounds.clone(),
            _ => Vec::new(),
        };
        proposals.push(DefendantProposal {
            party_id: d.party_id,
            party_name: d.name.clone(),
            matched_as: matched.map(|p| p.name.clone()),
            code,
            code_label: code.map(|c| c.label().to_string()),
            lost,
            grounds,
            decided_on: j.decided_on.clone(),
            reason,
        });
    }
    let ground_evidence = j
        .grounds
        .iter()
        .filter_map(|g| match g {
            huajie_judgment::GroundEntry::Citation {
                citation,
                label: Some(l),
            } => Some(format!("{l}（{}）", citation.label())),
            huajie_judgment::GroundEntry::Citation { .. } => None,
            huajie_judgment::GroundEntry::Label(g) => {
                Some(format!("{}（本院认为：“{}”）", g.label, g.evidence))
            }
        })
        .collect();
    ReadingProposal {
        case_number: j.case_number.clone(),
        court: j.court.clone(),
        doc_kind: j.doc_kind.map(|k| k.label().to_string()),
        stage: j.stage.map(|s| s.label().to_string()),
        decided_on: j.decided_on.clone(),
        dispositions: j
            .dispositions
            .iter()
            .map(|d| d.label().to_string())
            .collect(),
        disposition_items: j.disposition_items.iter().map(|i| i.text.clone()).collect(),
        legal_basis: j.legal_basis.iter().map(|c| c.label()).collect(),
        agency_lost: j.agency_lost,
        agency_lost_basis: j.agency_lost_basis.clone(),
        loss_grounds: j.loss_grounds.clone(),
        ground_evidence,
        reasoning: j.reasoning.clone(),
        parties: j
            .parties
            .iter()
            .map(|p| ReadParty {
                role: p.role.clone(),
                name: p.name.clone(),
                is_agency: p.is_agency,
                reconsideration_organ: p.reconsideration_organ,
                lost: p.lost,
            })
            .collect(),
        unknown: j.unknown.clone(),
        defendants: proposals,
        warnings,
    }
}

/// The user's confirmation (or correction) of a reading.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmDraft {
    /// Version of the reading read before confirming.
    pub version: Option<i64>,
    /// One outcome per defendant of the proceeding (party_id, code, decided_on, grounds, note).
    #[serde(default)]
    pub outcomes: Vec<OutcomeDraft>,
    /// Date the judgment took legal effect (裁判生效日期, YYYY-MM-DD), if known: recorded as the
    /// event 裁判生效, which starts the loss analysis report deadline for a loss.
    pub effective_on: Option<String>,
    pub note: Option<String>,
}

/// A validated confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmInput {
    pub version: i64,
    pub outcomes: Vec<OutcomeInput>,
    pub effective_on: Option<jiff::civil::Date>,
    pub note: Option<String>,
}

impl ConfirmDraft {
    /// Checks the confirmation against the proceeding's `kind` and `defendants` (every one
    /// gets exactly one outcome); reports every problem at once.
    pub fn validate(
        &self,
        kind: ProceedingKind,
        defendants: &[Defendant],
    ) -> Result<ConfirmInput, Invalid> {
        let mut inv = Invalid::default();
        if self.version.is_none() {
            inv.push(FieldError::required("version", "版本号"));
        }
        let mut outcomes = Vec::new();
        for (i, o) in self.outcomes.iter().enumerate() {
            match o.validate(kind) {
                Ok(v) => {
                    if !defendants.iter().any(|d| d.party_id == v.party_id) {
                        inv.push(FieldError::new(
                            format!("outcomes[{i}].party_id"),
                            "not_a_defendant",
                            format!("当事人（编号{}）不是本程序的被告", v.party_id),
                        ));
                    } else if outcomes
                        .iter()
                        .any(|x: &OutcomeInput| x.party_id == v.party_id)
                    {
                        inv.push(FieldError::new(
                            format!("outcomes[{i}].party_id"),
                            "duplicate_outcome",
                            "同一被告只能确认一个结果",
                        ));
                    } else {
                        outcomes.push(v);
                    }
                }
                Err(e) => {
                    for mut f in e.0 {
                        f.field = format!("outcomes[{i}].{}", f.field);
                        inv.push(f);
                    }
                }
            }
        }
        for d in defendants {
            let given = self.outcomes.iter().any(|o| o.party_id == Some(d.party_id));
            if !given {
                inv.push(FieldError::new(
                    "outcomes",
                    "defendant_missing",
                    format!("请确认被告“{}”的结果", d.name),
                ));
            }
        }
        let effective_on = match self.effective_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => parse_date("effective_on", s).map_err(|e| inv.push(e)).ok(),
        };
        if let Some(eff) = effective_on {
            for o in &outcomes {
                if eff < o.decided_on {
                    inv.push(FieldError::new(
                        "effective_on",
                        "effective_before_decision",
                        format!("生效日期 {eff} 早于裁判日期 {}", o.decided_on),
                    ));
                    break;
                }
            }
        }
        let note = optional_text("note", "备注", self.note.as_deref().unwrap_or(""), 2000)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        match self.version {
            Some(version) if inv.is_empty() => Ok(ConfirmInput {
                version,
                outcomes,
                effective_on,
                note,
            }),
            _ => Err(inv),
        }
    }
}

/// One defendant's confirmed labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmedOutcome {
    pub party_id: i64,
    pub party_name: String,
    pub code: OutcomeCode,
    pub code_label: String,
    pub decided_on: String,
    pub grounds: Vec<Ground>,
    /// Counted as a loss under the loss rule in force when confirmed.
    pub lost: bool,
}

/// What the user confirmed, kept as a labelled example with the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadingLabels {
    pub outcomes: Vec<ConfirmedOutcome>,
    /// Whether any defendant lost.
    pub agency_lost: bool,
    pub effective_on: Option<String>,
    /// Where the confirmation differs from the proposal, in words ("被告X：结果 …→…").
    pub corrections: Vec<String>,
}

fn grounds_text(g: &[Ground]) -> String {
    if g.is_empty() {
        "无".into()
    } else {
        g.iter().map(|g| g.label()).collect::<Vec<_>>().join("、")
    }
}

/// The labels of a confirmation and how they differ from the proposal.
pub fn labels(
    proposal: &ReadingProposal,
    input: &ConfirmInput,
    defendants: &[Defendant],
    loss: &LossRule,
) -> ReadingLabels {
    let mut corrections = Vec::new();
    let mut outcomes = Vec::new();
    for o in &input.outcomes {
        let name = defendants
            .iter()
            .find(|d| d.party_id == o.party_id)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let lost = loss.is_loss(o.code);
        match proposal
            .defendants
            .iter()
            .find(|p| p.party_id == o.party_id)
        {
            Some(p) => {
                if p.code != Some(o.code) {
                    corrections.push(format!(
                        "{name}：结果由“{}”改为“{}”",
                        p.code_label.as_deref().unwrap_or("未识别"),
                        o.code.label()
                    ));
                }
                if p.lost != Some(lost) {
                    let was = match p.lost {
                        Some(true) => "败诉",
                        Some(false) => "未败诉",
                        None => "未识别",
                    };
                    let now = if lost { "败诉" } else { "未败诉" };
                    corrections.push(format!("{name}：胜败由“{was}”改为“{now}”"));
                }
                let mut a = p.grounds.clone();
                let mut b = o.grounds.clone();
                a.sort();
                b.sort();
                if a != b {
                    corrections.push(format!(
                        "{name}：败诉原因由“{}”改为“{}”",
                        grounds_text(&p.grounds),
                        grounds_text(&o.grounds)
                    ));
                }
                if p.decided_on.as_deref() != Some(o.decided_on.to_string().as_str()) {
                    corrections.push(format!(
                        "{name}：裁判日期由“{}”改为“{}”",
                        p.decided_on.as_deref().unwrap_or("未识别"),
                        o.decided_on
                    ));
                }
            }
            None => corrections.push(format!("{name}：识别时没有该被告")),
        }
        outcomes.push(ConfirmedOutcome {
            party_id: o.party_id,
            party_name: name,
            code: o.code,
            code_label: o.code.label().to_string(),
            decided_on: o.decided_on.to_string(),
            grounds: o.grounds.clone(),
            lost,
        });
    }
    ReadingLabels {
        agency_lost: outcomes.iter().any(|o| o.lost),
        outcomes,
        effective_on: input.effective_on.map(|d| d.to_string()),
        corrections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: &str = "浙江省象山县人民法院\n行政判决书\n（2024）浙0225行初12号\n原告张三，男，1970年1月1日出生。\n被告象山县自然资源和规划局，住所地象山县丹东街道。\n法定代表人李四，局长。\n原告张三不服被告象山县自然资源和规划局行政处罚一案，本院于2024年1月5日立案后依法审理。\n本院认为，被告作出处罚决定前未告知原告陈述、申辩的权利，违反法定程序。依照《中华人民共和国行政诉讼法》第七十条第（三）项之规定，判决如下：\n撤销被告象山县自然资源和规划局于2023年10月8日作出的象自然资规罚〔2023〕8号行政处罚决定。\n案件受理费50元，由被告负担。\n审判长王五\n二〇二四年三月一日\n书记员赵六";

    fn defendants() -> Vec<Defendant> {
        vec![Defendant {
            party_id: 7,
            name: "象山县自然资源和规划局".into(),
        }]
    }

    #[test]
    fn proposes_outcome_loss_and_grounds_per_defendant() {
        let j = huajie_judgment::parse(FIRST).unwrap();
        let p = propose(
            &j,
            ProceedingKind::FirstInstance,
            Some("(2024)浙0225行初12号"),
            &defendants(),
        );
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let d = &p.defendants[0];
        assert_eq!(d.code, Some(OutcomeCode::Revoke));
        assert_eq!(d.lost, Some(true));
        assert_eq!(d.grounds, [Ground::IllegalProcedure]);
        assert_eq!(d.decided_on.as_deref(), Some("2024-03-01"));
        assert_eq!(d.matched_as.as_deref(), Some("象山县自然资源和规划局"));
        assert!(p.reasoning.as_deref().unwrap().contains("违反法定程序"));
    }

    #[test]
    fn warns_on_another_case_number_and_stage() {
        let j = huajie_judgment::parse(FIRST).unwrap();
        let p = propose(
            &j,
            ProceedingKind::SecondInstance,
            Some("（2024）浙02行终3号"),
            &defendants(),
        );
        assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
        // A first-instance 撤销 read into an appeal is a reversal against the agency.
        assert_eq!(
            p.defendants[0].code,
            Some(OutcomeCode::AppealReversedAgainst)
        );
    }

    #[test]
    fn confirmation_checks_every_defendant_and_records_corrections() {
        let j = huajie_judgment::parse(FIRST).unwrap();
        let p = propose(&j, ProceedingKind::FirstInstance, None, &defendants());
        let missing = ConfirmDraft {
            version: Some(1),
            outcomes: vec![],
            effective_on: Some("2024-02-30".into()),
            note: None,
        };
        let codes: Vec<_> = missing
            .validate(ProceedingKind::FirstInstance, &defendants())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes, ["defendant_missing", "invalid_date"]);
        let corrected = ConfirmDraft {
            version: Some(1),
            outcomes: vec![OutcomeDraft {
                party_id: Some(7),
                code: Some("confirm_illegal".into()),
                decided_on: Some("2024-03-01".into()),
                grounds: vec!["illegal_procedure".into(), "passive_defence".into()],
                ..Default::default()
            }],
            effective_on: Some("2024-03-20".into()),
            note: None,
        };
        let input = corrected
            .validate(ProceedingKind::FirstInstance, &defendants())
            .unwrap();
        let l = labels(&p, &input, &defendants(), &LossRule::default());
        assert!(l.agency_lost);
        assert_eq!(l.corrections.len(), 2, "{:?}", l.corrections);
        assert!(l.corrections[0].contains("判决撤销"));
        assert!(l.corrections[1].contains("消极应诉"));
        let early = ConfirmDraft {
            effective_on: Some("2024-02-01".into()),
            ..corrected
        };
        let e = early
            .validate(ProceedingKind::FirstInstance, &defendants())
            .unwrap_err();
        assert_eq!(e.0[0].code, "effective_before_decision");
    }

    #[test]
    fn refuses_non_litigation_proceedings() {
        assert!(check_kind(ProceedingKind::Reconsideration).is_err());
        assert!(check_kind(ProceedingKind::Retrial).is_ok());
    }

    #[test]
    fn taxonomy_labels_map_to_grounds() {
        for l in huajie_judgment::GROUNDS {
            assert!(Ground::from_taxonomy(l).is_some(), "{l}");
        }
    }
}
