//! Deadline rules as data (期限规则库): a versioned catalogue of rules, each turning an event
//! on a proceeding into a deadline — trigger event, period, responsible party, citation,
//! severity — with chained internal targets (e.g. the unit files with the 司法局 N working days
//! before the court deadline). The statutory catalogue (LEGAL-RULES §2, §3, §9) and local policy
//! sets (DOMAIN.md §5) ship as TOML files; an installation selects a local set and may edit it.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::calendar::Period;
use crate::obligation::{FileSubmit, SubmitSpec};
use crate::proceeding::ProceedingKind;
use crate::subject::{Subject, SubjectKind};
use crate::unit::labelled_enum;

labelled_enum!(
    /// Events recorded on a proceeding that start deadlines.
    EventKind {
        ActMade = "act_made", "行政行为作出";
        ActKnown = "act_known", "知道行政行为";
        ReconApplicationReceived = "recon_application_received", "复议机关收到复议申请";
        ReconAccepted = "recon_accepted", "复议受理";
        ReconAcceptedSimple = "recon_accepted_simple", "复议受理（简易程序）";
        ReconCopyReceived = "recon_copy_received", "收到复议申请书副本";
        ReconCopyReceivedSimple = "recon_copy_received_simple", "收到复议申请书副本（简易程序）";
        ReconDecisionReceived = "recon_decision_received", "收到复议决定书";
        ReconOpinionReceived = "recon_opinion_received", "收到复议意见书";
        ComplaintFiledWithCourt = "complaint_filed_with_court", "原告递交起诉状";
        CaseFiled = "case_filed", "法院立案";
        CaseFiledSimple = "case_filed_simple", "立案（简易程序）";
        ComplaintCopyReceived = "complaint_copy_received", "收到起诉状副本";
        SummonsReceived = "summons_received", "收到开庭传票";
        JudgmentPronounced = "judgment_pronounced", "当庭宣判";
        JudgmentServed = "judgment_served", "判决书送达";
        RulingServed = "ruling_served", "裁定书送达";
        JudgmentEffective = "judgment_effective", "裁判生效";
        AppealReceived = "appeal_received", "二审法院收到上诉状";
        RetrialCopyReceived = "retrial_copy_received", "收到再审申请书副本";
        MaterialsFiled = "materials_filed", "应诉材料报司法局备案";
        MediationPromptReceived = "mediation_prompt_received", "收到诉前调解提示单";
        MediationLetterReceived = "mediation_letter_received", "收到司法局调解函";
        CenterApplicationReceived = "center_application_received", "协调化解中心收到申请";
        CenterRegistered = "center_registered", "协调化解中心登记";
        CenterNotified = "center_notified", "单位收到协调化解中心通知";
        RiskWarningReceived = "risk_warning_received", "收到败诉风险预警";
        WarningAssigned = "warning_assigned", "风险预警交办";
        SupervisionIssued = "supervision_issued", "督办单下达";
        SuggestionReceived = "suggestion_received", "收到司法建议（检察建议）";
        AccountabilityOpened = "accountability_opened", "启动责任追究";
        WorkItemClosed = "work_item_closed", "销号";
    } "事件类型"
);

labelled_enum!(
    /// Who must act by the deadline.
    Responsible {
        Unit = "unit", "被诉（被申请）单位";
        JusticeBureau = "justice_bureau", "司法局";
        Court = "court", "法院";
        ReconOrgan = "recon_organ", "复议机关";
        Claimant = "claimant", "原告（申请人）";
    } "责任方"
);

labelled_enum!(
    /// What a rule's deadline is to the one it names (期限性质): a **duty** (义务) is owed and
    /// counts in 按期率 and 考核; a **right** (权利期限, e.g. the agency's 申请延期提供证据, the
    /// claimant's 申请再审) is a time limit shown on the case, never a to-do and never counted; a
    /// **court-side** limit (法院期限, also the 复议机关's) is there to be monitored.
    Nature {
        Duty = "duty", "义务";
        Right = "right", "权利期限";
        Court = "court", "法院（复议机关）期限";
    } "期限性质"
);

impl Nature {
    /// The nature a rule has when its file does not say: the court's and the 复议机关's limits
    /// are monitored, the claimant's are rights, the units' and the bureau's are duties.
    pub fn default_for(responsible: Responsible) -> Nature {
        match responsible {
            Responsible::Court | Responsible::ReconOrgan => Nature::Court,
            Responsible::Claimant => Nature::Right,
            Responsible::Unit | Responsible::JusticeBureau => Nature::Duty,
        }
    }
}

labelled_enum!(
    /// How bad missing it is.
    Severity {
        Critical = "critical", "严重（逾期视为没有证据或丧失权利）";
        High = "high", "重要";
        Normal = "normal", "一般";
    } "严重程度"
);

/// An internal target chained to a rule's deadline (e.g. file with the 司法局 earlier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    pub name: String,
    /// Counted back from the parent deadline: `working_days_before:N`.
    pub period: Period,
    pub responsible: Responsible,
    pub citation: String,
    /// What must be submitted to meet it (报送—审核), if anything.
    pub submit: Option<SubmitSpec>,
}

/// One rule of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub trigger: EventKind,
    pub period: Period,
    pub responsible: Responsible,
    /// Duty, right or court-side limit (`nature` in the file; default from `responsible`).
    pub nature: Nature,
    pub severity: Severity,
    /// Article and quote, shown with every deadline.
    pub citation: String,
    /// Proceeding kinds the rule applies to (empty: all).
    pub applies_to: Vec<ProceedingKind>,
    /// Longest allowed extension from the original expiry, if the law allows one.
    pub extension: Option<Period>,
    pub targets: Vec<Target>,
    /// What must be submitted to meet it (报送—审核), if anything: then only an accepted
    /// submission meets it (the 司法局 may still waive it).
    pub submit: Option<SubmitSpec>,
    /// An event that meets it when recorded on the proceeding, on the event's date (e.g. the
    /// court's 发送起诉状副本 is met by 收到起诉状副本).
    pub met_by: Option<EventKind>,
    /// Which catalogue the rule came from.
    pub source: String,
    /// `when = "loss"`: the rule fires only when the proceeding ended in a loss (败诉) for a
    /// defendant under the configured loss rule (the 败诉分析报告 of source 004).
    pub on_loss: bool,
    /// `when = "group_case"`: only for a proceeding with 50 or more claimants (群体性案件, where
    /// the principal head must appear, source 004).
    pub group_case: bool,
    /// The subject kinds it applies to (`subjects` in the file; default: proceedings only).
    pub subjects: Vec<SubjectKind>,
    /// `repeat = "calendar_days:15"`: the obligation recurs every period, counted from the
    /// trigger event, until the subject closes (督办 progress every half month until 销号). Only
    /// for work items, whose closing ends the repetition.
    pub repeat: Option<Period>,
}

/// Claimants from which a case is a group case (群体性案件, 50人以上).
pub const GROUP_CASE_CLAIMANTS: i64 = 50;

/// Where a rule comes from, for people: 法定 (the law), 工作要求 (the general working
/// requirements every installation tracks) or 本地规定 (a local set).
pub fn source_label(catalogue_id: &str) -> &'static str {
    match catalogue_id {
        "statutory" => "法定",
        "practice" => "工作要求",
        _ => "本地规定",
    }
}

impl Rule {
    /// Whether `event` on a proceeding of `kind` fires the rule.
    pub fn applies(&self, event: EventKind, kind: ProceedingKind) -> bool {
        self.applies_to_subject(event, Subject::Proceeding(kind))
    }

    /// Whether `event` on `subject` fires the rule.
    pub fn applies_to_subject(&self, event: EventKind, subject: Subject) -> bool {
        self.trigger == event
            && self.subjects.contains(&subject.kind())
            && match subject {
                Subject::Proceeding(kind) => {
                    self.applies_to.is_empty() || self.applies_to.contains(&kind)
                }
                Subject::Work(_) => true,
            }
    }
}

/// A set of rules with its identity and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    pub id: String,
    pub name: String,
    pub version: String,
    /// For a local policy set: the catalogue it extends.
    pub extends: Option<String>,
    pub rules: Vec<Rule>,
}

/// A catalogue file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("规则文件“{file}”：{message}")]
pub struct CatalogueError {
    pub file: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileHeader {
    id: String,
    name: String,
    version: String,
    extends: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTarget {
    id: String,
    name: String,
    period: String,
    responsible: String,
    #[serde(default)]
    citation: String,
    submit: Option<FileSubmit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRule {
    id: String,
    name: String,
    /// Rule of the base catalogue this entry adds targets to (local sets only).
    #[serde(default)]
    attach_to: Option<String>,
    trigger: Option<String>,
    period: Option<String>,
    responsible: Option<String>,
    /// "duty", "right" or "court" (default from `responsible`).
    nature: Option<String>,
    severity: Option<String>,
    #[serde(default)]
    citation: String,
    #[serde(default)]
    applies_to: Vec<String>,
    extension: Option<String>,
    /// Condition: "loss" (only when the proceeding was lost).
    when: Option<String>,
    submit: Option<FileSubmit>,
    /// An event that meets the rule's obligation when recorded.
    met_by: Option<String>,
    /// Subject kinds (default `["proceeding"]`).
    #[serde(default)]
    subjects: Vec<String>,
    /// Recurrence until the subject closes, e.g. "calendar_days:15".
    repeat: Option<String>,
    #[serde(default)]
    targets: Vec<FileTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    catalogue: FileHeader,
    #[serde(default)]
    rule: Vec<FileRule>,
}

/// A parsed catalogue file: its own rules and the targets it attaches to base rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueFile {
    pub catalogue: Catalogue,
    /// `(base rule id, target)` pairs.
    pub attachments: Vec<(String, Target)>,
}

fn code_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Parses and validates one catalogue file. `file` names it in error messages.
pub fn parse_catalogue(file: &str, text: &str) -> Result<CatalogueFile, CatalogueError> {
    let err = |message: String| CatalogueError {
        file: file.to_string(),
        message,
    };
    let f: File =
        toml::from_str(text).map_err(|e| err(format!("格式错误：{}", e.to_string().trim())))?;
    let mut rules = Vec::new();
    let mut attachments = Vec::new();
    let mut ids = BTreeSet::new();
    for r in f.rule {
        let at = |m: String| err(format!("规则 {}：{m}", r.id));
        if !code_id(&r.id) {
            return Err(at("规则编号须为大写字母、数字或下划线".into()));
        }
        if !ids.insert(r.id.clone()) {
            return Err(at("规则编号重复".into()));
        }
        let targets = r
            .targets
            .iter()
            .map(|t| {
                if !code_id(&t.id) || !ids.insert(t.id.clone()) {
                    return Err(at(format!("内部节点编号“{}”无效或重复", t.id)));
                }
                let period: Period = t
                    .period
                    .parse()
                    .map_err(|e: crate::calendar::PeriodError| at(e.to_string()))?;
                if !matches!(period, Period::WorkingDaysBefore(_)) {
                    return Err(at(format!(
                        "内部节点“{}”的期间须为 working_days_before:N（从上级期限倒推）",
                        t.id
                    )));
                }
                let responsible = Responsible::from_code(&t.responsible)
                    .ok_or_else(|| at(format!("责任方“{}”无效", t.responsible)))?;
                let submit = t
                    .submit
                    .as_ref()
                    .map(|s| s.validate().map_err(&at))
                    .transpose()?;
                Ok(Target {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    period,
                    responsible,
                    citation: t.citation.clone(),
                    submit,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(base) = r.attach_to {
            if f.catalogue.extends.is_none() {
                return Err(at("只有扩展其他规则库的地方规则才能使用 attach_to".into()));
            }
            if r.trigger.is_some() || r.period.is_some() || r.when.is_some() || r.nature.is_some() {
                return Err(at("attach_to 条目只能包含 targets".into()));
            }
            attachments.extend(targets.into_iter().map(|t| (base.clone(), t)));
            continue;
        }
        let trigger = r
            .trigger
            .as_deref()
            .ok_or_else(|| at("缺少 trigger（触发事件）".into()))?;
        let trigger =
            EventKind::from_code(trigger).ok_or_else(|| at(format!("触发事件“{trigger}”无效")))?;
        let period = r
            .period
            .as_deref()
            .ok_or_else(|| at("缺少 period（期间）".into()))?;
        let period: Period = period
            .parse()
            .map_err(|e: crate::calendar::PeriodError| at(e.to_string()))?;
        if matches!(period, Period::WorkingDaysBefore(_)) {
            return Err(at(
                "规则期间不能为 working_days_before（只用于内部节点）".into()
            ));
        }
        let responsible = r
            .responsible
            .as_deref()
            .ok_or_else(|| at("缺少 responsible（责任方）".into()))?;
        let responsible = Responsible::from_code(responsible)
            .ok_or_else(|| at(format!("责任方“{responsible}”无效")))?;
        let nature = match r.nature.as_deref() {
            None => Nature::default_for(responsible),
            Some(n) => Nature::from_code(n).ok_or_else(|| {
                at(format!(
                    "期限性质 nature = “{n}”无效（可选 duty 义务、right 权利期限、court 法院期限）"
                ))
            })?,
        };
        let severity = match r.severity.as_deref() {
            None => Severity::Normal,
            Some(s) => Severity::from_code(s).ok_or_else(|| at(format!("严重程度“{s}”无效")))?,
        };
        if r.citation.trim().is_empty() {
            return Err(at("缺少 citation（依据条文）".into()));
        }
        let applies_to = r
            .applies_to
            .iter()
            .map(|k| ProceedingKind::from_code(k).ok_or_else(|| at(format!("程序类型“{k}”无效"))))
            .collect::<Result<Vec<_>, _>>()?;
        let extension = r
            .extension
            .as_deref()
            .map(|e| e.parse::<Period>().map_err(|er| at(er.to_string())))
            .transpose()?;
        let (on_loss, group_case) = match r.when.as_deref() {
            None => (false, false),
            Some("loss") => (true, false),
            Some("group_case") => (false, true),
            Some(w) => {
                return Err(at(format!(
                    "条件 when = “{w}”无效（可选 \"loss\"：败诉时适用；\"group_case\"：原告50人以上的群体性案件）"
                )));
            }
        };
        let submit = r
            .submit
            .as_ref()
            .map(|s| s.validate().map_err(&at))
            .transpose()?;
        let met_by = r
            .met_by
            .as_deref()
            .map(|e| EventKind::from_code(e).ok_or_else(|| at(format!("met_by 事件“{e}”无效"))))
            .transpose()?;
        let subjects = if r.subjects.is_empty() {
            vec![SubjectKind::Proceeding]
        } else {
            let mut v = Vec::new();
            for k in &r.subjects {
                let k = SubjectKind::from_code(k).ok_or_else(|| {
                    let allowed: Vec<String> = SubjectKind::ALL
                        .iter()
                        .map(|x| format!("{}（{}）", x.code(), x.label()))
                        .collect();
                    at(format!(
                        "适用事项 subjects 中的“{k}”无效，可选：{}",
                        allowed.join("、")
                    ))
                })?;
                if !v.contains(&k) {
                    v.push(k);
                }
            }
            v
        };
        let on_proceedings = subjects.contains(&SubjectKind::Proceeding);
        if !applies_to.is_empty() && !on_proceedings {
            return Err(at(
                "applies_to（程序类型）只适用于案件程序，subjects 中须包含 proceeding".into(),
            ));
        }
        if (on_loss || group_case) && subjects != [SubjectKind::Proceeding] {
            return Err(at(
                "条件 when 只适用于案件程序（subjects 只能为 proceeding）".into(),
            ));
        }
        let repeat = match r.repeat.as_deref() {
            None => None,
            Some(p) => {
                let p: Period = p
                    .parse()
                    .map_err(|e: crate::calendar::PeriodError| at(format!("repeat：{e}")))?;
                if matches!(p, Period::WorkingDaysBefore(_)) {
                    return Err(at(
                        "repeat 不能为 working_days_before（重复周期从触发事件起算）".into(),
                    ));
                }
                if on_proceedings {
                    return Err(at(
                        "repeat（定期重复，直至销号）只适用于工作事项，subjects 中不能包含 proceeding".into(),
                    ));
                }
                if !targets.is_empty() {
                    return Err(at("定期重复的规则不能带内部节点 targets".into()));
                }
                if p != period {
                    return Err(at(format!(
                        "定期重复的规则 period（首次期限）须与 repeat 相同（均为“{}”）",
                        r.repeat.as_deref().unwrap_or_default()
                    )));
                }
                Some(p)
            }
        };
        rules.push(Rule {
            subjects,
            repeat,
            submit,
            met_by,
            on_loss,
            group_case,
            id: r.id,
            name: r.name,
            trigger,
            period,
            responsible,
            nature,
            severity,
            citation: r.citation,
            applies_to,
            extension,
            targets,
            source: f.catalogue.id.clone(),
        });
    }
    let h = f.catalogue;
    Ok(CatalogueFile {
        catalogue: Catalogue {
            id: h.id,
            name: h.name,
            version: h.version,
            extends: h.extends,
            rules,
        },
        attachments,
    })
}

/// General working requirements that are not statute but that every installation tracks,
/// appended to the statutory catalogue (see [`Catalogue::statutory`]).
pub const PRACTICE: (&str, &str) = ("practice.toml", include_str!("../rules/practice.toml"));

/// The statutory catalogue and the local policy sets shipped with the binary.
pub const SHIPPED: &[(&str, &str)] = &[
    ("statutory.toml", include_str!("../rules/statutory.toml")),
    (
        "local-xiangshan.toml",
        include_str!("../rules/local-xiangshan.toml"),
    ),
    (
        "local-wenxian.toml",
        include_str!("../rules/local-wenxian.toml"),
    ),
    (
        "local-guanshanhu.toml",
        include_str!("../rules/local-guanshanhu.toml"),
    ),
    (
        "local-xinchang.toml",
        include_str!("../rules/local-xinchang.toml"),
    ),
];

impl Catalogue {
    /// The base catalogue with a local policy set applied: its rules added (a rule with the same
    /// id replaces the base rule) and its targets attached to base rules.
    pub fn with_local(&self, local: &CatalogueFile) -> Result<Catalogue, CatalogueError> {
        let err = |message: String| CatalogueError {
            file: local.catalogue.id.clone(),
            message,
        };
        // Several local sets may be applied one after another: each extends the root catalogue.
        let root = self.id.split('+').next().unwrap_or(&self.id);
        if local.catalogue.extends.as_deref() != Some(root) {
            return Err(err(format!("该地方规则不是基于规则库“{root}”")));
        }
        let mut out = self.clone();
        out.id = format!("{}+{}", self.id, local.catalogue.id);
        out.name = if self.id.contains('+') {
            format!(
                "{}、{}）",
                self.name.trim_end_matches('）'),
                local.catalogue.name
            )
        } else {
            format!("{}（{}）", self.name, local.catalogue.name)
        };
        out.version = format!("{}+{}", self.version, local.catalogue.version);
        for r in &local.catalogue.rules {
            match out.rules.iter_mut().find(|b| b.id == r.id) {
                Some(b) => *b = r.clone(),
                None => out.rules.push(r.clone()),
            }
        }
        for (base, t) in &local.attachments {
            let rule = out
                .rules
                .iter_mut()
                .find(|r| &r.id == base)
                .ok_or_else(|| err(format!("attach_to 指向的规则“{base}”不存在")))?;
            rule.targets.push(t.clone());
        }
        // One id, one deadline: a local rule or target may replace a base rule by its id, but no
        // two rules or targets of the result may share one (the store keys deadlines by it).
        let mut seen = BTreeSet::new();
        for r in &out.rules {
            for id in std::iter::once(&r.id).chain(r.targets.iter().map(|t| &t.id)) {
                if !seen.insert(id.as_str()) {
                    return Err(err(format!(
                        "编号“{id}”与基础规则库中的规则或内部节点重复；替换基础规则请使用相同编号的规则（[[rule]]），内部节点须另起编号"
                    )));
                }
            }
        }
        Ok(out)
    }

    /// The shipped base catalogue: the statutory deadlines, followed by the general working
    /// requirements every installation tracks (`practice.toml`, e.g. the 败诉分析报告). Both are
    /// the base a local set extends (`extends = "statutory"`) and may replace by id.
    pub fn statutory() -> Catalogue {
        let mut base = parse_catalogue(SHIPPED[0].0, SHIPPED[0].1)
            .expect("the shipped statutory catalogue is valid")
            .catalogue;
        let practice = parse_catalogue(PRACTICE.0, PRACTICE.1)
            .expect("the shipped practice catalogue is valid")
            .catalogue;
        base.rules.extend(practice.rules);
        base
    }

    /// What the rule or internal target `id` requires to be submitted, if anything.
    pub fn submit_spec(&self, id: &str) -> Option<&SubmitSpec> {
        self.rules.iter().find_map(|r| {
            if r.id == id {
                r.submit.as_ref()
            } else {
                r.targets.iter().find(|t| t.id == id)?.submit.as_ref()
            }
        })
    }

    /// The rules (by id) whose obligations an `event` meets when recorded.
    pub fn met_by(&self, event: EventKind) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.met_by == Some(event))
            .map(|r| r.id.as_str())
            .collect()
    }

    /// Rules fired by `event` on `subject`.
    pub fn rules_for_subject(
        &self,
        event: EventKind,
        subject: Subject,
    ) -> impl Iterator<Item = &Rule> {
        self.rules
            .iter()
            .filter(move |r| r.applies_to_subject(event, subject))
    }

    /// Rules fired by `event` on a proceeding of `kind`.
    pub fn rules_for(&self, event: EventKind, kind: ProceedingKind) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.applies(event, kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use jiff::civil::date;

    fn shipped(name: &str) -> CatalogueFile {
        let (f, t) = SHIPPED.iter().find(|(f, _)| *f == name).unwrap();
        parse_catalogue(f, t).unwrap()
    }

    #[test]
    fn shipped_catalogues_are_valid_and_cover_the_legal_rules() {
        let s = Catalogue::statutory();
        for id in [
            "ANSWER_AND_EVIDENCE",
            "DOCKET_DECISION",
            "TRIAL_FIRST",
            "TRIAL_SIMPLE",
            "TRIAL_SECOND",
            "APPEAL_JUDGMENT",
            "APPEAL_RULING",
            "RETRIAL_APPLY",
            "SUIT_AFTER_RECON",
            "SUIT_DIRECT",
            "RECON_APPLY",
            "RECON_ACCEPT_REVIEW",
            "RECON_SEND_COPY",
            "RECON_ANSWER",
            "RECON_SIMPLE_SEND",
            "RECON_SIMPLE_ANSWER",
            "RECON_DECIDE",
            "RECON_DECIDE_SIMPLE",
            "RECON_OPINION_FEEDBACK",
        ] {
            assert!(s.rules.iter().any(|r| r.id == id), "{id} missing");
        }
        for name in [
            "local-xiangshan.toml",
            "local-wenxian.toml",
            "local-guanshanhu.toml",
            "local-xinchang.toml",
        ] {
            let local = shipped(name);
            s.with_local(&local).unwrap();
        }
    }

    #[test]
    fn answer_deadline_with_xiangshan_targets() {
        let cat = Catalogue::statutory()
            .with_local(&shipped("local-xiangshan.toml"))
            .unwrap();
        let rules: Vec<&Rule> = cat
            .rules_for(
                EventKind::ComplaintCopyReceived,
                ProceedingKind::FirstInstance,
            )
            .collect();
        let answer = rules
            .iter()
            .find(|r| r.id == "ANSWER_AND_EVIDENCE")
            .unwrap();
        assert_eq!(answer.period, Period::CalendarDays(15));
        assert_eq!(answer.severity, Severity::Critical);
        assert!(answer.citation.contains("第六十七条"));
        let cal = Calendar::national();
        let due = cal.due(date(2024, 9, 20), answer.period).unwrap().due;
        assert_eq!(due, date(2024, 10, 8));
        let filing = answer
            .targets
            .iter()
            .find(|t| t.id == "XS_FILE_WITH_BUREAU")
            .unwrap();
        assert_eq!(cal.due(due, filing.period).unwrap().due, date(2024, 9, 25));
        // The rule does not fire for a reconsideration.
        assert!(
            cat.rules_for(
                EventKind::ComplaintCopyReceived,
                ProceedingKind::Reconsideration
            )
            .all(|r| r.id != "ANSWER_AND_EVIDENCE")
        );
    }

    #[test]
    fn reconsideration_answer_is_ten_working_days() {
        let s = Catalogue::statutory();
        let r = s
            .rules_for(
                EventKind::ReconCopyReceived,
                ProceedingKind::Reconsideration,
            )
            .find(|r| r.id == "RECON_ANSWER")
            .unwrap();
        assert_eq!(r.period, Period::WorkingDays(10));
        let d = s.rules.iter().find(|r| r.id == "RECON_DECIDE").unwrap();
        assert_eq!(d.extension, Some(Period::CalendarDays(30)));
    }

    #[test]
    fn bad_files_are_refused_precisely() {
        let head = "[catalogue]\nid = \"t\"\nname = \"测试\"\nversion = \"1\"\n";
        let cases = [
            (
                "[[rule]]\nid = \"A\"\nname = \"x\"\ntrigger = \"nope\"\nperiod = \"calendar_days:5\"\nresponsible = \"unit\"\ncitation = \"c\"\n",
                "触发事件“nope”无效",
            ),
            (
                "[[rule]]\nid = \"A\"\nname = \"x\"\ntrigger = \"case_filed\"\nperiod = \"days:5\"\nresponsible = \"unit\"\ncitation = \"c\"\n",
                "days:5",
            ),
            (
                "[[rule]]\nid = \"A\"\nname = \"x\"\ntrigger = \"case_filed\"\nperiod = \"calendar_days:5\"\nresponsible = \"mayor\"\ncitation = \"c\"\n",
                "责任方“mayor”无效",
            ),
            (
                "[[rule]]\nid = \"A\"\nname = \"x\"\ntrigger = \"case_filed\"\nperiod = \"calendar_days:5\"\nresponsible = \"unit\"\n",
                "citation",
            ),
            ("[[rule]]\nid = \"a b\"\nname = \"x\"\n", "大写字母"),
            (
                "[[rule]]\nid = \"A\"\nname = \"x\"\ntrigger = \"case_filed\"\nperiod = \"calendar_days:5\"\nresponsible = \"unit\"\ncitation = \"c\"\n[[rule.targets]]\nid = \"T\"\nname = \"t\"\nperiod = \"calendar_days:3\"\nresponsible = \"unit\"\n",
                "working_days_before",
            ),
            (
                "[[rule]]\nid = \"A\"\nname = \"x\"\ncolour = \"red\"\n",
                "格式错误",
            ),
            (
                "[[rule]]\nid = \"A\"\nname = \"x\"\nattach_to = \"B\"\n",
                "attach_to",
            ),
        ];
        for (body, want) in cases {
            let e = parse_catalogue("t.toml", &format!("{head}{body}")).unwrap_err();
            assert!(e.to_string().contains(want), "{want}: {e}");
        }
        assert!(
            parse_catalogue("t.toml", "not toml [")
                .unwrap_err()
                .to_string()
                .contains("格式错误")
        );
        let local = parse_catalogue("l.toml", "[catalogue]\nid = \"l\"\nname = \"l\"\nversion = \"1\"\nextends = \"statutory\"\n[[rule]]\nid = \"X\"\nname = \"x\"\nattach_to = \"NO_SUCH\"\n[[rule.targets]]\nid = \"T\"\nname = \"t\"\nperiod = \"working_days_before:2\"\nresponsible = \"unit\"\n").unwrap();
        assert!(
            Catalogue::statutory()
                .with_local(&local)
                .unwrap_err()
                .to_string()
                .contains("NO_SUCH")
        );
    }

    #[test]
    fn several_local_sets_are_active_together_with_a_stated_precedence() {
        use crate::deadline::{RuleSelection, RuleSetDraft, ShippedSets};
        let sel = RuleSetDraft {
            version: Some(0),
            shipped: Some(ShippedSets::Many(vec![
                "local-xinchang".into(),
                "local-xiangshan".into(),
            ])),
            toml: None,
        }
        .validate()
        .unwrap();
        // Applied in the shipped order, whatever order they were ticked in.
        assert_eq!(sel.shipped, ["local-xiangshan", "local-xinchang"]);
        let (cat, notes) = sel.catalogue().unwrap();
        for id in [
            "XS_FILE_WITH_BUREAU",
            "XC_MEDIATION_REPLY",
            "ANSWER_AND_EVIDENCE",
        ] {
            assert!(
                cat.rules
                    .iter()
                    .any(|r| r.id == id || r.targets.iter().any(|t| t.id == id)),
                "{id}"
            );
        }
        assert_eq!(
            notes,
            ["“败诉分析报告”：象山县全过程备案替换了工作要求的同名规则"]
        );
        // The jurisdiction's own set comes last and wins.
        let own = "[catalogue]\nid = \"own\"\nname = \"本县\"\nversion = \"1\"\nextends = \"statutory\"\n\n[[rule]]\nid = \"LOSS_REPORT\"\nname = \"败诉报告（本县）\"\ntrigger = \"judgment_effective\"\nwhen = \"loss\"\nperiod = \"working_days:10\"\nresponsible = \"unit\"\ncitation = \"本县\"\n";
        let sel = RuleSelection {
            shipped: vec!["local-xiangshan".into()],
            custom: own.into(),
        };
        let (cat, notes) = sel.catalogue().unwrap();
        let r = cat.rules.iter().find(|r| r.id == "LOSS_REPORT").unwrap();
        assert_eq!(
            (r.source.as_str(), r.period),
            ("own", Period::WorkingDays(10))
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[1].contains("本县替换了象山县全过程备案"), "{notes:?}");
        // Stored as JSON; a value stored by an earlier release (one set's TOML) still reads.
        assert_eq!(RuleSelection::from_stored(&sel.to_stored()), sel);
        assert_eq!(RuleSelection::from_stored(own).custom, own);
        let bad = RuleSetDraft {
            version: Some(0),
            shipped: Some(ShippedSets::One("local-nowhere".into())),
            toml: None,
        };
        assert_eq!(bad.validate().unwrap_err().0[0].code, "unknown_value");
    }

    #[test]
    fn a_group_case_rule_fires_only_for_fifty_claimants_or_more() {
        let xs = Catalogue::statutory()
            .with_local(&shipped("local-xiangshan.toml"))
            .unwrap();
        let r = xs
            .rules
            .iter()
            .find(|r| r.id == "XS_PRINCIPAL_APPEARANCE")
            .unwrap();
        assert!(r.group_case && !r.on_loss);
        let planned = crate::deadline::plan(
            &xs,
            &Calendar::national(),
            EventKind::SummonsReceived,
            ProceedingKind::FirstInstance,
            date(2024, 3, 4),
        )
        .unwrap();
        assert!(
            planned
                .iter()
                .any(|p| p.rule_id == "XS_PRINCIPAL_APPEARANCE" && p.group_case)
        );
        let bad = "[catalogue]\nid = \"x\"\nname = \"x\"\nversion = \"1\"\n\n[[rule]]\nid = \"A\"\nname = \"a\"\ntrigger = \"case_filed\"\nwhen = \"crowd\"\nperiod = \"calendar_days:5\"\nresponsible = \"unit\"\ncitation = \"c\"\n";
        assert!(
            parse_catalogue("x.toml", bad)
                .unwrap_err()
                .message
                .contains("group_case")
        );
    }

    #[test]
    fn rules_carry_their_nature() {
        let s = Catalogue::statutory();
        let nature = |id: &str| s.rules.iter().find(|r| r.id == id).unwrap().nature;
        assert_eq!(nature("ANSWER_AND_EVIDENCE"), Nature::Duty);
        assert_eq!(nature("EVIDENCE_EXTENSION_APPLY"), Nature::Right);
        assert_eq!(nature("APPEAL_JUDGMENT"), Nature::Right);
        assert_eq!(nature("RETRIAL_APPLY"), Nature::Right);
        assert_eq!(nature("ENFORCEMENT_APPLY"), Nature::Right);
        assert_eq!(nature("TRIAL_FIRST"), Nature::Court);
        assert_eq!(nature("RECON_DECIDE"), Nature::Court);
        assert_eq!(nature("LOSS_REPORT"), Nature::Duty);
        let bad = "[catalogue]\nid = \"x\"\nname = \"x\"\nversion = \"1\"\n\n[[rule]]\nid = \"A\"\nname = \"a\"\ntrigger = \"case_filed\"\nnature = \"duty_free\"\nperiod = \"calendar_days:5\"\nresponsible = \"unit\"\ncitation = \"c\"\n";
        let e = parse_catalogue("x.toml", bad).unwrap_err();
        assert!(e.message.contains("期限性质"), "{e}");
    }

    /// Regression: a local target whose id equals a base rule's id gave two deadlines with one
    /// key, and saving such a set answered 500. It is refused with a message.
    #[test]
    fn a_local_id_that_collides_with_a_base_id_is_refused() {
        let local = "[catalogue]\nid = \"l\"\nname = \"l\"\nversion = \"1\"\nextends = \"statutory\"\n\n[[rule]]\nid = \"MY_RULE\"\nname = \"本地\"\ntrigger = \"complaint_copy_received\"\nperiod = \"working_days:3\"\nresponsible = \"unit\"\ncitation = \"c\"\n\n[[rule.targets]]\nid = \"ANSWER_AND_EVIDENCE\"\nname = \"t\"\nperiod = \"working_days_before:1\"\nresponsible = \"unit\"\n";
        let e = crate::deadline::local_catalogue(local).unwrap_err();
        assert!(e.message.contains("ANSWER_AND_EVIDENCE"), "{e}");
        // Replacing a base rule by its id stays allowed.
        let replace = "[catalogue]\nid = \"l\"\nname = \"l\"\nversion = \"1\"\nextends = \"statutory\"\n\n[[rule]]\nid = \"ANSWER_AND_EVIDENCE\"\nname = \"答辩\"\ntrigger = \"complaint_copy_received\"\nperiod = \"calendar_days:15\"\nresponsible = \"unit\"\ncitation = \"c\"\n";
        assert!(crate::deadline::local_catalogue(replace).is_ok());
    }

    #[test]
    fn the_loss_report_fires_only_on_a_loss_and_a_local_set_replaces_it() {
        let s = Catalogue::statutory();
        let r = s.rules.iter().find(|r| r.id == "LOSS_REPORT").unwrap();
        assert!(r.on_loss);
        assert_eq!(r.source, "practice");
        assert_eq!(r.trigger, EventKind::JudgmentEffective);
        assert!(s.rules.iter().filter(|r| r.on_loss).count() == 1);
        let xs = s.with_local(&shipped("local-xiangshan.toml")).unwrap();
        let loss: Vec<_> = xs.rules.iter().filter(|r| r.on_loss).collect();
        assert_eq!(loss.len(), 1, "象山 replaces the general rule");
        assert_eq!(loss[0].source, "xiangshan");
        let cal = Calendar::national();
        let planned = crate::deadline::plan(
            &s,
            &cal,
            EventKind::JudgmentEffective,
            ProceedingKind::FirstInstance,
            date(2024, 3, 20),
        )
        .unwrap();
        let lr = planned.iter().find(|p| p.rule_id == "LOSS_REPORT").unwrap();
        assert!(lr.on_loss);
        assert_eq!(lr.due_on, date(2024, 4, 9));
        let bad = "[catalogue]\nid = \"x\"\nname = \"x\"\nversion = \"1\"\n\n[[rule]]\nid = \"A\"\nname = \"a\"\ntrigger = \"judgment_effective\"\nwhen = \"win\"\nperiod = \"calendar_days:5\"\nresponsible = \"unit\"\ncitation = \"c\"\n";
        let e = parse_catalogue("x.toml", bad).unwrap_err();
        assert!(e.message.contains("when"), "{e}");
    }
}
