//! Deadlines on proceedings (案件期限): planning them from an event with the rule catalogue
//! and the calendar, and their state (open / due soon / overdue / met on time or late / waived).

use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::{Calendar, PeriodError};
use crate::proceeding::ProceedingKind;
use crate::rules::{Catalogue, EventKind, Responsible, Severity};

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
