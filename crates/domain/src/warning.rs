//! 红黄蓝 risk warnings (败诉风险预警) on a pending proceeding: sent by the court (预警函), by the
//! bureau or by a defendant unit itself; assigned (交办) by the bureau to the responsible units
//! with a 包案 leader (the 正职 for a red warning) — which opens a work item of kind
//! `risk_warning` whose obligations (disposal feedback, the risk analysis report within 10
//! days) each unit owes; regraded, escalated to the county 协调小组, and closed with the result.
//! Pure types and validation; the storage layer keeps the record and its history.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid, optional_multiline, text};
use crate::proceeding::parse_date;
use crate::unit::labelled_enum;

labelled_enum!(
    /// The grade of a warning.
    Grade {
        Red = "red", "红色预警";
        Yellow = "yellow", "黄色预警";
        Blue = "blue", "蓝色预警";
    } "预警等级"
);

labelled_enum!(
    /// Who sent the warning.
    WarningSource {
        Court = "court", "法院预警函";
        Bureau = "bureau", "司法局";
        Unit = "unit", "单位自报";
    } "预警来源"
);

labelled_enum!(
    /// Where a warning stands.
    WarningState {
        Reported = "reported", "待交办";
        Assigned = "assigned", "已交办";
        Escalated = "escalated", "已提请协调小组";
        Closed = "closed", "已销号";
    } "预警状态"
);

labelled_enum!(
    /// How the risk ended (the result recorded when the warning closes).
    WarningResult {
        Withdrawn = "withdrawn", "原告撤诉";
        Mediated = "mediated", "调解化解";
        Corrected = "corrected", "行政机关自行纠正";
        Judged = "judged", "已判决";
        Other = "other", "其他";
    } "化解结果"
);

labelled_enum!(
    /// A step in a warning's history.
    WarningStep {
        Reported = "reported", "收到预警";
        Assigned = "assigned", "交办";
        Regraded = "regraded", "调整等级";
        Escalated = "escalated", "提请协调小组";
        Closed = "closed", "销号";
    } "预警处理"
);

/// The most characters of a warning's reasons.
pub const MAX_REASONS: usize = 2000;

/// A warning as sent (`POST /api/v1/proceedings/{id}/warnings`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningDraft {
    /// `red`, `yellow` or `blue`.
    pub grade: Option<String>,
    /// Why the case is at risk (败诉风险点).
    pub reasons: Option<String>,
    /// The day the warning was issued (`YYYY-MM-DD`; today when omitted).
    pub issued_on: Option<String>,
    /// A 预警函 already uploaded to the proceeding (its document id).
    pub letter_document_id: Option<i64>,
}

/// A validated warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningInput {
    pub grade: Grade,
    pub reasons: String,
    pub issued_on: Date,
    pub letter_document_id: Option<i64>,
}

fn grade_field(value: Option<&str>, inv: &mut Invalid) -> Option<Grade> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            inv.push(FieldError::required("grade", "预警等级"));
            None
        }
        Some(g) => Grade::parse_field("grade", g).map_err(|e| inv.push(e)).ok(),
    }
}

fn day_field(
    field: &str,
    label: &str,
    value: Option<&str>,
    today: Date,
    inv: &mut Invalid,
) -> Date {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(d) => match parse_date(field, d) {
            Ok(d) if d > today => {
                inv.push(FieldError::new(
                    field,
                    "date_in_future",
                    format!("{label}{d}晚于今天（{today}）"),
                ));
                today
            }
            Ok(d) => d,
            Err(e) => {
                inv.push(e);
                today
            }
        },
    }
}

impl WarningDraft {
    pub fn validate(&self, today: Date) -> Result<WarningInput, Invalid> {
        let mut inv = Invalid::default();
        let grade = grade_field(self.grade.as_deref(), &mut inv);
        let reasons = match optional_multiline(
            "reasons",
            "预警理由",
            self.reasons.as_deref().unwrap_or(""),
            MAX_REASONS,
        ) {
            Ok(Some(r)) => Some(r),
            Ok(None) => {
                inv.push(FieldError::required("reasons", "预警理由"));
                None
            }
            Err(e) => {
                inv.push(e);
                None
            }
        };
        let issued_on = day_field(
            "issued_on",
            "预警日期",
            self.issued_on.as_deref(),
            today,
            &mut inv,
        );
        if self.letter_document_id.is_some_and(|d| d <= 0) {
            inv.push(FieldError::new(
                "letter_document_id",
                "invalid_id",
                "预警函的文书编号无效",
            ));
        }
        inv.into_result(())?;
        Ok(WarningInput {
            grade: grade.expect("checked"),
            reasons: reasons.expect("checked"),
            issued_on,
            letter_document_id: self.letter_document_id,
        })
    }
}

/// 交办: the responsible units and the 包案 leader.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignDraft {
    pub version: Option<i64>,
    /// The units that must dispose of the risk; each owes the feedback and the report.
    #[serde(default)]
    pub unit_ids: Vec<i64>,
    /// The 包案 leader: one of the responsible units' heads (单位管理); the 正职 for red.
    pub lead_head_id: Option<i64>,
    /// The day of the assignment (`YYYY-MM-DD`; today when omitted): the obligations count
    /// from it.
    pub assigned_on: Option<String>,
    pub note: Option<String>,
}

/// A validated assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignInput {
    pub unit_ids: Vec<i64>,
    pub lead_head_id: i64,
    pub assigned_on: Date,
    pub note: Option<String>,
}

impl AssignDraft {
    pub fn validate(&self, today: Date) -> Result<AssignInput, Invalid> {
        let mut inv = Invalid::default();
        let mut unit_ids = self.unit_ids.clone();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        if unit_ids.is_empty() {
            inv.push(FieldError::new(
                "unit_ids",
                "required",
                "请至少选择一个责任单位",
            ));
        } else if unit_ids.len() > crate::subject::MAX_UNITS || unit_ids.iter().any(|u| *u <= 0) {
            inv.push(FieldError::new(
                "unit_ids",
                "invalid_id",
                "责任单位的编号无效",
            ));
        }
        let lead = match self.lead_head_id {
            None => {
                inv.push(FieldError::required("lead_head_id", "包案领导"));
                0
            }
            Some(h) if h <= 0 => {
                inv.push(FieldError::new(
                    "lead_head_id",
                    "invalid_id",
                    "包案领导的编号无效",
                ));
                0
            }
            Some(h) => h,
        };
        let assigned_on = day_field(
            "assigned_on",
            "交办日期",
            self.assigned_on.as_deref(),
            today,
            &mut inv,
        );
        let note = optional_multiline("note", "交办意见", self.note.as_deref().unwrap_or(""), 2000)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        inv.into_result(())?;
        Ok(AssignInput {
            unit_ids,
            lead_head_id: lead,
            assigned_on,
            note,
        })
    }
}

/// Regrading (调整等级) or escalating (提请协调小组): with the reason, always.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepDraft {
    pub version: Option<i64>,
    /// The new grade (regrading only).
    pub grade: Option<String>,
    pub reason: Option<String>,
}

impl StepDraft {
    /// The reason, and the grade when `with_grade`.
    pub fn validate(&self, with_grade: bool) -> Result<(Option<Grade>, String), Invalid> {
        let mut inv = Invalid::default();
        let grade = if with_grade {
            grade_field(self.grade.as_deref(), &mut inv)
        } else {
            None
        };
        let reason = text("reason", "理由", self.reason.as_deref().unwrap_or(""), 500)
            .map_err(|e| inv.push(e))
            .ok();
        inv.into_result(())?;
        Ok((grade, reason.unwrap_or_default()))
    }
}

/// Closing (销号) with the result.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloseWarningDraft {
    pub version: Option<i64>,
    /// `withdrawn`, `mediated`, `corrected`, `judged` or `other`.
    pub result: Option<String>,
    /// What happened (required for `other`).
    pub note: Option<String>,
    /// `YYYY-MM-DD`; today when omitted.
    pub closed_on: Option<String>,
}

/// A validated close-out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseWarningInput {
    pub result: WarningResult,
    pub note: Option<String>,
    pub closed_on: Date,
}

impl CloseWarningDraft {
    pub fn validate(&self, today: Date) -> Result<CloseWarningInput, Invalid> {
        let mut inv = Invalid::default();
        let result = match self
            .result
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                inv.push(FieldError::required("result", "化解结果"));
                None
            }
            Some(r) => WarningResult::parse_field("result", r)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let note = optional_multiline("note", "结果说明", self.note.as_deref().unwrap_or(""), 2000)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        if result == Some(WarningResult::Other) && note.is_none() {
            inv.push(FieldError::new(
                "note",
                "required",
                "化解结果为“其他”时请写明结果",
            ));
        }
        let closed_on = day_field(
            "closed_on",
            "销号日期",
            self.closed_on.as_deref(),
            today,
            &mut inv,
        );
        inv.into_result(())?;
        Ok(CloseWarningInput {
            result: result.expect("checked"),
            note,
            closed_on,
        })
    }

    /// The reason written on the work item's 销号.
    pub fn reason(input: &CloseWarningInput) -> String {
        match &input.note {
            Some(n) => format!("{}：{n}", input.result.label()),
            None => input.result.label().to_string(),
        }
    }
}

/// One step of a warning's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningHistory {
    pub step: WarningStep,
    pub step_label: String,
    /// The grade after the step.
    pub grade: Grade,
    pub note: Option<String>,
    pub by_name: String,
    pub at: String,
}

/// A warning as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Warning {
    pub id: i64,
    pub proceeding_id: i64,
    /// The case's 案号 (or its reference).
    pub case_label: String,
    pub grade: Grade,
    pub grade_label: String,
    pub reasons: String,
    pub source: WarningSource,
    pub source_label: String,
    /// The sender's unit (the court, the bureau or the defendant unit).
    pub source_unit_name: String,
    pub issued_on: String,
    pub letter_document_id: Option<i64>,
    pub state: WarningState,
    pub state_label: String,
    /// The work item opened by the assignment (its units owe the obligations).
    pub work_item_id: Option<i64>,
    pub units: Vec<crate::records::WorkItemUnit>,
    pub lead_head_id: Option<i64>,
    /// The 包案 leader, e.g. "张镇长（镇长，正职）".
    pub lead_label: Option<String>,
    pub assigned_on: Option<String>,
    pub result: Option<WarningResult>,
    pub result_label: Option<String>,
    pub result_note: Option<String>,
    pub closed_on: Option<String>,
    /// Open obligations of the responsible units, and how many are overdue.
    pub open_obligations: i64,
    pub overdue_obligations: i64,
    pub created_by_name: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The warnings' figures for a period (风险预警统计): how many cases were warned, how many
/// warnings ended before a judgment, and the loss rate of warned against unwarned litigation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningStats {
    pub label: String,
    /// Cases with a warning issued in the period (a case counts once).
    pub warned_cases: u64,
    /// Warnings issued in the period, by grade (red, yellow, blue).
    pub by_grade: Vec<GradeCount>,
    /// Of the warnings issued in the period: closed, and closed before a judgment (withdrawn,
    /// mediated, corrected by the agency).
    pub closed: u64,
    pub resolved_before_judgment: u64,
    /// Litigation concluded in the period that had a warning at any time: cases and losses (a
    /// case is lost when any defendant lost, by the loss rule).
    pub warned_concluded: u64,
    pub warned_lost: u64,
    /// The same for litigation without a warning.
    pub unwarned_concluded: u64,
    pub unwarned_lost: u64,
    /// The formulas, in words.
    pub formulas: Vec<String>,
}

impl WarningStats {
    fn rate(n: u64, d: u64) -> String {
        if d == 0 {
            "—".into()
        } else {
            format!("{:.2}%", n as f64 * 100.0 / d as f64)
        }
    }
    pub fn resolved_rate(&self) -> String {
        Self::rate(self.resolved_before_judgment, self.closed)
    }
    pub fn warned_loss_rate(&self) -> String {
        Self::rate(self.warned_lost, self.warned_concluded)
    }
    pub fn unwarned_loss_rate(&self) -> String {
        Self::rate(self.unwarned_lost, self.unwarned_concluded)
    }
}

/// Warnings of one grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeCount {
    pub grade: Grade,
    pub label: String,
    pub count: u64,
}

/// One warning issued in the period, for [`warning_stats`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedWarning {
    pub proceeding_id: i64,
    pub grade: Grade,
    pub result: Option<WarningResult>,
}

/// Computes [`WarningStats`] from the period's facts (one per proceeding and defendant), the
/// warnings issued in the period, and every proceeding that ever had a warning.
pub fn warning_stats(
    label: String,
    facts: &[crate::stats::Fact],
    loss: &crate::outcome::LossRule,
    period: &crate::stats::Period,
    issued: &[IssuedWarning],
    ever_warned: &std::collections::BTreeSet<i64>,
) -> WarningStats {
    use std::collections::BTreeMap;
    let mut cases: Vec<i64> = issued.iter().map(|w| w.proceeding_id).collect();
    cases.sort_unstable();
    cases.dedup();
    let closed = issued.iter().filter(|w| w.result.is_some()).count() as u64;
    let resolved = issued
        .iter()
        .filter(|w| {
            matches!(
                w.result,
                Some(WarningResult::Withdrawn | WarningResult::Mediated | WarningResult::Corrected)
            )
        })
        .count() as u64;
    // Concluded litigation of the period, per proceeding: lost when any defendant lost.
    let mut concluded: BTreeMap<i64, bool> = BTreeMap::new();
    for f in facts {
        if !f.kind.is_litigation() {
            continue;
        }
        let (Some(on), Some(code)) = (f.concluded_on, f.outcome) else {
            continue;
        };
        if period.contains(on) {
            *concluded.entry(f.proceeding_id).or_default() |= loss.is_loss(code);
        }
    }
    let (mut wc, mut wl, mut uc, mut ul) = (0, 0, 0, 0);
    for (p, lost) in &concluded {
        if ever_warned.contains(p) {
            wc += 1;
            wl += u64::from(*lost);
        } else {
            uc += 1;
            ul += u64::from(*lost);
        }
    }
    WarningStats {
        label,
        warned_cases: cases.len() as u64,
        by_grade: Grade::ALL
            .iter()
            .map(|g| GradeCount {
                grade: *g,
                label: g.label().into(),
                count: issued.iter().filter(|w| w.grade == *g).count() as u64,
            })
            .collect(),
        closed,
        resolved_before_judgment: resolved,
        warned_concluded: wc,
        warned_lost: wl,
        unwarned_concluded: uc,
        unwarned_lost: ul,
        formulas: vec![
            "预警案件数 = 期内发出风险预警的案件数（一案多次预警计一件）".into(),
            "判决前化解率 = 期内发出且已销号的预警中，以原告撤诉、调解化解或行政机关自行纠正销号的 ÷ 期内发出且已销号的预警".into(),
            "预警案件败诉率 = 期内审结的诉讼案件中，曾有风险预警且败诉的 ÷ 曾有风险预警的（任一被告败诉即计败诉，败诉口径同统计分析）".into(),
            "未预警案件败诉率 = 期内审结的诉讼案件中，没有风险预警且败诉的 ÷ 没有风险预警的".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 12, 4)
    }

    #[test]
    fn a_warning_needs_a_grade_and_reasons() {
        let inv = WarningDraft::default().validate(today()).unwrap_err();
        let fields: Vec<_> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["grade", "reasons"]);
        let inv = WarningDraft {
            grade: Some("purple".into()),
            reasons: Some("原告56人".into()),
            issued_on: Some("2026-12-05".into()),
            letter_document_id: None,
        }
        .validate(today())
        .unwrap_err();
        let codes: Vec<_> = inv.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["unknown_value", "date_in_future"]);
        let ok = WarningDraft {
            grade: Some(" red ".into()),
            reasons: Some("征收补偿标准争议\r\n原告56人".into()),
            ..Default::default()
        }
        .validate(today())
        .unwrap();
        assert_eq!(ok.grade, Grade::Red);
        assert_eq!(ok.reasons, "征收补偿标准争议\n原告56人");
        assert_eq!(ok.issued_on, today());
    }

    #[test]
    fn warned_against_unwarned() {
        use crate::outcome::{LossRule, OutcomeCode};
        use crate::proceeding::ProceedingKind;
        use crate::stats::{Fact, Period};
        let period = Period::year(2026).unwrap();
        let fact = |p: i64, kind, outcome: Option<OutcomeCode>| Fact {
            proceeding_id: p,
            unit_id: Some(1),
            kind,
            domain: "x".into(),
            registered_on: jiff::civil::date(2026, 1, 5),
            concluded_on: outcome.map(|_| jiff::civil::date(2026, 6, 1)),
            outcome,
            heard_on: None,
            head_appeared: false,
            head_spoke: false,
            grounds: Vec::new(),
        };
        let loss = LossRule::default();
        let lost = *loss.loss_outcomes.iter().next().unwrap();
        let won = OutcomeCode::ALL
            .iter()
            .copied()
            .find(|c| !loss.is_loss(*c))
            .unwrap();
        let facts = vec![
            fact(1, ProceedingKind::FirstInstance, Some(lost)),
            fact(1, ProceedingKind::FirstInstance, Some(won)), // a co-defendant won: still lost
            fact(2, ProceedingKind::FirstInstance, Some(won)),
            fact(3, ProceedingKind::FirstInstance, Some(lost)),
            fact(4, ProceedingKind::FirstInstance, Some(won)),
            fact(5, ProceedingKind::Reconsideration, Some(lost)), // not litigation
            fact(6, ProceedingKind::FirstInstance, None),         // pending
        ];
        let issued = vec![
            IssuedWarning {
                proceeding_id: 1,
                grade: Grade::Red,
                result: Some(WarningResult::Judged),
            },
            IssuedWarning {
                proceeding_id: 1,
                grade: Grade::Yellow,
                result: None,
            },
            IssuedWarning {
                proceeding_id: 6,
                grade: Grade::Blue,
                result: Some(WarningResult::Mediated),
            },
        ];
        let ever: std::collections::BTreeSet<i64> = [1, 2, 6].into_iter().collect();
        let s = warning_stats("2026年".into(), &facts, &loss, &period, &issued, &ever);
        assert_eq!(s.warned_cases, 2);
        assert_eq!(
            s.by_grade.iter().map(|g| g.count).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert_eq!((s.closed, s.resolved_before_judgment), (2, 1));
        assert_eq!(s.resolved_rate(), "50.00%");
        assert_eq!((s.warned_concluded, s.warned_lost), (2, 1));
        assert_eq!((s.unwarned_concluded, s.unwarned_lost), (2, 1));
        assert_eq!(s.warned_loss_rate(), "50.00%");
    }

    #[test]
    fn assignment_close_and_steps() {
        let inv = AssignDraft::default().validate(today()).unwrap_err();
        let fields: Vec<_> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["unit_ids", "lead_head_id"]);
        let a = AssignDraft {
            unit_ids: vec![5, 3, 5],
            lead_head_id: Some(9),
            ..Default::default()
        }
        .validate(today())
        .unwrap();
        assert_eq!(a.unit_ids, [3, 5]);
        let inv = CloseWarningDraft {
            result: Some("other".into()),
            ..Default::default()
        }
        .validate(today())
        .unwrap_err();
        assert_eq!(inv.0[0].field, "note");
        let c = CloseWarningDraft {
            result: Some("mediated".into()),
            note: Some("诉前调解达成协议".into()),
            ..Default::default()
        }
        .validate(today())
        .unwrap();
        assert_eq!(CloseWarningDraft::reason(&c), "调解化解：诉前调解达成协议");
        assert!(StepDraft::default().validate(false).is_err());
        let (g, r) = StepDraft {
            grade: Some("yellow".into()),
            reason: Some("原告部分撤回".into()),
            version: None,
        }
        .validate(true)
        .unwrap();
        assert_eq!((g, r.as_str()), (Some(Grade::Yellow), "原告部分撤回"));
    }
}
