//! Deadlines on proceedings (案件期限): planning them from an event with the rule catalogue
//! and the calendar, and their state (open / due soon / overdue / met on time or late / waived).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, PeriodError};
use crate::error::{FieldError, Invalid, optional_text, text};
use crate::proceeding::{ProceedingKind, parse_date};
use crate::rules::{Catalogue, EventKind, Responsible, Severity};

/// Default number of calendar days before the due date at which a deadline is "due soon".
pub const DEFAULT_DUE_SOON_DAYS: i64 = 3;

/// An event recorded on a proceeding (收到起诉状副本, 判决书送达 …), validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInput {
    pub kind: EventKind,
    pub occurred_on: Date,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    /// Event code, e.g. `complaint_copy_received` (see `GET /api/rules`).
    pub kind: Option<String>,
    /// The day it happened (e.g. the day the copy was served), `YYYY-MM-DD`.
    pub occurred_on: Option<String>,
    pub note: Option<String>,
}

impl EventDraft {
    pub fn validate(&self) -> Result<EventInput, Invalid> {
        let mut inv = Invalid::default();
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                inv.push(FieldError::required("kind", "事件类型"));
                None
            }
            Some(k) => EventKind::parse_field("kind", k)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let occurred_on = match self
            .occurred_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                inv.push(FieldError::required("occurred_on", "发生日期"));
                None
            }
            Some(d) => parse_date("occurred_on", d).map_err(|e| inv.push(e)).ok(),
        };
        let note = optional_text("note", "备注", self.note.as_deref().unwrap_or(""), 2000)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        match (kind, occurred_on) {
            (Some(kind), Some(occurred_on)) if inv.is_empty() => Ok(EventInput {
                kind,
                occurred_on,
                note,
            }),
            _ => Err(inv),
        }
    }
}

/// Marking a deadline met (完成): the day the act was done.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetDraft {
    pub version: Option<i64>,
    /// `YYYY-MM-DD`; may be after the due date (then it is "met late").
    pub met_on: Option<String>,
}

impl MetDraft {
    /// The met date; it may not lie after `today` (nothing is done in the future).
    pub fn validate(&self, today: Date) -> Result<Date, Invalid> {
        let v = self.met_on.as_deref().map(str::trim).unwrap_or("");
        if v.is_empty() {
            return Err(FieldError::required("met_on", "完成日期").into());
        }
        let d = parse_date("met_on", v)?;
        if d > today {
            return Err(FieldError::new(
                "met_on",
                "date_in_future",
                format!("完成日期{d}晚于今天（{today}），不能预先登记完成"),
            )
            .into());
        }
        Ok(d)
    }
}

/// Waiving a deadline (豁免, e.g. the case was withdrawn): the reason is required.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaiveDraft {
    pub version: Option<i64>,
    pub reason: Option<String>,
}

impl WaiveDraft {
    pub fn validate(&self) -> Result<String, Invalid> {
        Ok(text(
            "reason",
            "豁免理由",
            self.reason.as_deref().unwrap_or(""),
            500,
        )?)
    }
}

/// Installation settings of the deadline engine for one jurisdiction.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineSettingsDraft {
    pub version: Option<i64>,
    /// Calendar days before the due date from which a deadline shows as 即将到期 (0–60).
    pub due_soon_days: Option<i64>,
}

impl DeadlineSettingsDraft {
    pub fn validate(&self) -> Result<i64, Invalid> {
        match self.due_soon_days {
            None => Err(FieldError::required("due_soon_days", "提前提醒天数").into()),
            Some(n) if (0..=60).contains(&n) => Ok(n),
            Some(n) => Err(FieldError::new(
                "due_soon_days",
                "out_of_range",
                format!("提前提醒天数须在0到60之间，收到{n}"),
            )
            .into()),
        }
    }
}

/// Choosing or editing the local rule set of a jurisdiction: either a shipped set by id, or
/// the TOML text of an edited one, or neither (statutory rules only).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSetDraft {
    pub version: Option<i64>,
    /// Id of a shipped local set, e.g. `local-xiangshan`.
    pub shipped: Option<String>,
    /// Full TOML text of a local set (extends `statutory`).
    pub toml: Option<String>,
}

impl RuleSetDraft {
    /// The TOML text to store ("" = statutory only), validated against the statutory catalogue.
    pub fn validate(&self) -> Result<String, Invalid> {
        let shipped = self
            .shipped
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let toml = self.toml.as_deref().filter(|s| !s.trim().is_empty());
        let text = match (shipped, toml) {
            (Some(_), Some(_)) => {
                return Err(FieldError::new(
                    "shipped",
                    "ambiguous",
                    "shipped（选用内置规则）与 toml（自定义规则）只能填写一项".to_string(),
                )
                .into());
            }
            (Some(id), None) => crate::rules::SHIPPED
                .iter()
                .skip(1)
                .find(|(f, _)| f.trim_end_matches(".toml") == id)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| {
                    let ids: Vec<&str> = crate::rules::SHIPPED[1..]
                        .iter()
                        .map(|(f, _)| f.trim_end_matches(".toml"))
                        .collect();
                    FieldError::new(
                        "shipped",
                        "unknown_value",
                        format!("内置地方规则“{id}”不存在，可选：{}", ids.join("、")),
                    )
                })?,
            (None, Some(t)) => t.to_string(),
            (None, None) => return Ok(String::new()),
        };
        local_catalogue(&text)
            .map_err(|e| FieldError::new("toml", "invalid_rules", e.to_string()))?;
        Ok(text)
    }
}

/// The catalogue in force given a stored local set ("" = statutory only).
pub fn local_catalogue(toml: &str) -> Result<Catalogue, crate::rules::CatalogueError> {
    let base = Catalogue::statutory();
    if toml.trim().is_empty() {
        return Ok(base);
    }
    let local = crate::rules::parse_catalogue("地方规则", toml)?;
    base.with_local(&local)
}

/// A deadline computed from an event, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDeadline {
    /// Id of the rule (or internal target) that produced it.
    pub rule_id: String,
    /// For an internal target: the rule id of the deadline it is chained to.
    pub parent_rule_id: Option<String>,
    pub name: String,
    pub due_on: Date,
    pub responsible: Responsible,
    pub severity: Severity,
    pub citation: String,
    /// How the date was computed, in plain Chinese.
    pub trace: String,
    /// The window reaches a year without an official notice.
    pub provisional: bool,
}

/// Every deadline that `event` on `occurred_on` starts on a proceeding of `kind`: the rules the
/// catalogue fires, each followed by its internal targets.
pub fn plan(
    catalogue: &Catalogue,
    calendar: &Calendar,
    event: EventKind,
    kind: ProceedingKind,
    occurred_on: Date,
) -> Result<Vec<PlannedDeadline>, PeriodError> {
    let mut out = Vec::new();
    for rule in catalogue.rules_for(event, kind) {
        let e = calendar.explain(occurred_on, rule.period)?;
        let trace = format!("{}：{}", event.label(), e.trace);
        for t in &rule.targets {
            let te = calendar.explain(e.due, t.period)?;
            out.push(PlannedDeadline {
                rule_id: t.id.clone(),
                parent_rule_id: Some(rule.id.clone()),
                name: t.name.clone(),
                due_on: te.due,
                responsible: t.responsible,
                severity: rule.severity,
                citation: if t.citation.is_empty() {
                    rule.citation.clone()
                } else {
                    t.citation.clone()
                },
                trace: format!(
                    "内部节点，以“{}”期限 {} 为准倒推：{}",
                    rule.name, e.due, te.trace
                ),
                provisional: te.provisional || e.provisional,
            });
        }
        out.push(PlannedDeadline {
            rule_id: rule.id.clone(),
            parent_rule_id: None,
            name: rule.name.clone(),
            due_on: e.due,
            responsible: rule.responsible,
            severity: rule.severity,
            citation: rule.citation.clone(),
            trace,
            provisional: e.provisional,
        });
    }
    out.sort_by(|a, b| {
        a.due_on
            .cmp(&b.due_on)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    Ok(out)
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    Open,
    DueSoon,
    Overdue,
    MetOnTime,
    MetLate,
    Waived,
}

impl DeadlineState {
    pub fn label(self) -> &'static str {
        match self {
            DeadlineState::Open => "未到期",
            DeadlineState::DueSoon => "即将到期",
            DeadlineState::Overdue => "已逾期",
            DeadlineState::MetOnTime => "按期完成",
            DeadlineState::MetLate => "逾期完成",
            DeadlineState::Waived => "已豁免",
        }
    }

    /// The state of a deadline due `due_on`, as of `today`. `due_soon_days` calendar days before
    /// the due date it becomes "due soon" (configurable per installation).
    pub fn of(
        due_on: Date,
        met_on: Option<Date>,
        waived: bool,
        today: Date,
        due_soon_days: i64,
    ) -> DeadlineState {
        if waived {
            return DeadlineState::Waived;
        }
        match met_on {
            Some(m) if m <= due_on => DeadlineState::MetOnTime,
            Some(_) => DeadlineState::MetLate,
            None if today > due_on => DeadlineState::Overdue,
            None if (due_on - today).get_days() as i64 <= due_soon_days.max(0) => {
                DeadlineState::DueSoon
            }
            None => DeadlineState::Open,
        }
    }

    /// Sort rank for "my deadlines": overdue first, then due soon, then open; done ones last.
    pub fn urgency(self) -> u8 {
        match self {
            DeadlineState::Overdue => 0,
            DeadlineState::DueSoon => 1,
            DeadlineState::Open => 2,
            DeadlineState::MetLate => 3,
            DeadlineState::MetOnTime => 4,
            DeadlineState::Waived => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{SHIPPED, parse_catalogue};
    use jiff::civil::date;

    fn xiangshan() -> Catalogue {
        let (f, t) = SHIPPED
            .iter()
            .find(|(f, _)| *f == "local-xiangshan.toml")
            .unwrap();
        Catalogue::statutory()
            .with_local(&parse_catalogue(f, t).unwrap())
            .unwrap()
    }

    #[test]
    fn complaint_copy_starts_the_answer_and_its_internal_targets() {
        let plan = plan(
            &xiangshan(),
            &Calendar::national(),
            EventKind::ComplaintCopyReceived,
            ProceedingKind::FirstInstance,
            date(2024, 9, 20),
        )
        .unwrap();
        let ids: Vec<(&str, String)> = plan
            .iter()
            .map(|p| (p.rule_id.as_str(), p.due_on.to_string()))
            .collect();
        assert_eq!(
            ids,
            [
                ("XS_FILE_WITH_BUREAU", "2024-09-25".to_string()),
                ("ANSWER_AND_EVIDENCE", "2024-10-08".to_string()),
                ("EVIDENCE_EXTENSION_APPLY", "2024-10-08".to_string()),
            ]
        );
        let answer = &plan[1];
        assert_eq!(answer.severity, Severity::Critical);
        assert!(
            answer.trace.starts_with("收到起诉状副本：2024-09-20 起算"),
            "{}",
            answer.trace
        );
        assert!(answer.trace.contains("国庆节假期"));
        let target = &plan[0];
        assert_eq!(
            target.parent_rule_id.as_deref(),
            Some("ANSWER_AND_EVIDENCE")
        );
        assert!(target.trace.contains("倒推"), "{}", target.trace);
        assert!(target.citation.contains("象山"));
    }

    #[test]
    fn nothing_fires_for_the_wrong_kind() {
        let plan = plan(
            &Catalogue::statutory(),
            &Calendar::national(),
            EventKind::ComplaintCopyReceived,
            ProceedingKind::Reconsideration,
            date(2024, 9, 20),
        )
        .unwrap();
        assert!(plan.is_empty());
        let recon = super::plan(
            &Catalogue::statutory(),
            &Calendar::national(),
            EventKind::ReconCopyReceived,
            ProceedingKind::Reconsideration,
            date(2024, 9, 20),
        )
        .unwrap();
        assert_eq!(recon[0].rule_id, "RECON_ANSWER");
        // 09-23 … 09-27, 09-29 (调休), 09-30, 10-08, 10-09, 10-10.
        assert_eq!(recon[0].due_on, date(2024, 10, 10));
    }

    #[test]
    fn states() {
        let due = date(2024, 10, 8);
        assert_eq!(
            DeadlineState::of(due, None, false, date(2024, 9, 20), 3),
            DeadlineState::Open
        );
        assert_eq!(
            DeadlineState::of(due, None, false, date(2024, 10, 5), 3),
            DeadlineState::DueSoon
        );
        assert_eq!(
            DeadlineState::of(due, None, false, date(2024, 10, 8), 3),
            DeadlineState::DueSoon
        );
        assert_eq!(
            DeadlineState::of(due, None, false, date(2024, 10, 9), 3),
            DeadlineState::Overdue
        );
        assert_eq!(
            DeadlineState::of(due, Some(date(2024, 10, 8)), false, date(2024, 12, 1), 3),
            DeadlineState::MetOnTime
        );
        assert_eq!(
            DeadlineState::of(due, Some(date(2024, 10, 9)), false, date(2024, 12, 1), 3),
            DeadlineState::MetLate
        );
        assert_eq!(
            DeadlineState::of(due, None, true, date(2024, 12, 1), 3),
            DeadlineState::Waived
        );
        assert!(DeadlineState::Overdue.urgency() < DeadlineState::DueSoon.urgency());
    }
}
