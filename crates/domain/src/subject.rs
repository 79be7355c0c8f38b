//! Work subjects (工作事项): what events and obligations attach to. A **proceeding** is one
//! subject; the others are **work items** — a risk warning (败诉风险预警), a supervision order
//! (督办单), a suggestion (司法建议 / 检察建议) or an accountability case (责任追究) — addressed to
//! one or more units, concerning a proceeding or standing alone ("a case or a problem"), open
//! until closed (销号). One rule catalogue, one planner and one obligation table serve them all:
//! a rule names the subject kinds it applies to (`subjects`), and may repeat until the subject
//! closes (`repeat`, e.g. 督办 progress every half month).

use jiff::civil::Date;
use serde::Deserialize;

use crate::error::{FieldError, Invalid, optional_multiline, text};
use crate::proceeding::{ProceedingKind, parse_date};
use crate::rules::EventKind;
use crate::unit::labelled_enum;

labelled_enum!(
    /// The kind of subject an event or obligation belongs to.
    SubjectKind {
        Proceeding = "proceeding", "案件程序";
        RiskWarning = "risk_warning", "败诉风险预警";
        Supervision = "supervision", "督办单";
        Suggestion = "suggestion", "司法建议（检察建议）";
        Accountability = "accountability", "责任追究";
    } "事项类型"
);

impl SubjectKind {
    /// The kinds of work item (every subject but a proceeding).
    pub fn work_kinds() -> impl Iterator<Item = SubjectKind> {
        SubjectKind::ALL
            .iter()
            .copied()
            .filter(|k| *k != SubjectKind::Proceeding)
    }

    /// The event that opens a work item of this kind and starts its obligations.
    pub fn opening_event(self) -> Option<EventKind> {
        match self {
            SubjectKind::Proceeding => None,
            SubjectKind::RiskWarning => Some(EventKind::WarningAssigned),
            SubjectKind::Supervision => Some(EventKind::SupervisionIssued),
            SubjectKind::Suggestion => Some(EventKind::SuggestionReceived),
            SubjectKind::Accountability => Some(EventKind::AccountabilityOpened),
        }
    }

    /// Whether a work item of this kind must concern a proceeding (a warning is always on a
    /// pending case; an accountability case follows a loss; a suggestion or a supervision
    /// order may stand alone).
    pub fn needs_proceeding(self) -> bool {
        matches!(self, SubjectKind::RiskWarning | SubjectKind::Accountability)
    }
}

/// What a rule is planned for: a proceeding of a kind, or a work item of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Proceeding(ProceedingKind),
    Work(SubjectKind),
}

impl Subject {
    pub fn kind(self) -> SubjectKind {
        match self {
            Subject::Proceeding(_) => SubjectKind::Proceeding,
            Subject::Work(k) => k,
        }
    }
}

labelled_enum!(
    /// Where a work item stands.
    WorkStatus {
        Open = "open", "办理中";
        Closed = "closed", "已销号";
    } "事项状态"
);

/// Opening a work item (交办 / 下达), as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItemDraft {
    /// `risk_warning`, `supervision`, `suggestion` or `accountability`.
    pub kind: Option<String>,
    /// What it is about, e.g. "关于某征收补偿案的督办单".
    pub title: Option<String>,
    /// The proceeding it concerns (required for a risk warning and an accountability case).
    pub proceeding_id: Option<i64>,
    /// The units it is addressed to; each owes the item's unit obligations.
    #[serde(default)]
    pub unit_ids: Vec<i64>,
    /// The day it was issued (`YYYY-MM-DD`); its obligations count from it.
    pub opened_on: Option<String>,
    pub note: Option<String>,
}

/// A validated work item to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItemInput {
    pub kind: SubjectKind,
    pub title: String,
    pub proceeding_id: Option<i64>,
    pub unit_ids: Vec<i64>,
    pub opened_on: Date,
    pub note: Option<String>,
}

/// The most units one work item may be addressed to.
pub const MAX_UNITS: usize = 200;

impl WorkItemDraft {
    /// Checks every field; `today` bounds the issue date (nothing is issued in the future).
    pub fn validate(&self, today: Date) -> Result<WorkItemInput, Invalid> {
        let mut inv = Invalid::default();
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                inv.push(FieldError::required("kind", "事项类型"));
                None
            }
            Some(k) => match SubjectKind::parse_field("kind", k) {
                Ok(SubjectKind::Proceeding) => {
                    inv.push(FieldError::new(
                        "kind",
                        "unknown_value",
                        "案件程序请在“登记案件”中登记，工作事项的类型为风险预警、督办单、司法建议或责任追究",
                    ));
                    None
                }
                Ok(k) => Some(k),
                Err(e) => {
                    inv.push(e);
                    None
                }
            },
        };
        let title = text(
            "title",
            "事项标题",
            self.title.as_deref().unwrap_or(""),
            200,
        )
        .map_err(|e| inv.push(e))
        .ok();
        if let Some(k) = kind
            && k.needs_proceeding()
            && self.proceeding_id.is_none()
        {
            inv.push(FieldError::new(
                "proceeding_id",
                "required",
                format!("{}须关联一个案件程序", k.label()),
            ));
        }
        if self.proceeding_id.is_some_and(|p| p <= 0) {
            inv.push(FieldError::new(
                "proceeding_id",
                "invalid_id",
                "关联案件的编号无效",
            ));
        }
        let mut unit_ids = self.unit_ids.clone();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        if unit_ids.is_empty() {
            inv.push(FieldError::new(
                "unit_ids",
                "required",
                "请至少选择一个承办单位",
            ));
        } else if unit_ids.len() > MAX_UNITS {
            inv.push(FieldError::new(
                "unit_ids",
                "too_many",
                format!("一个事项最多交办{MAX_UNITS}个单位"),
            ));
        } else if unit_ids.iter().any(|u| *u <= 0) {
            inv.push(FieldError::new(
                "unit_ids",
                "invalid_id",
                "承办单位的编号无效",
            ));
        }
        let opened_on = match self
            .opened_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                inv.push(FieldError::required("opened_on", "下达日期"));
                None
            }
            Some(d) => match parse_date("opened_on", d) {
                Ok(d) if d > today => {
                    inv.push(FieldError::new(
                        "opened_on",
                        "date_in_future",
                        format!("下达日期{d}晚于今天（{today}）"),
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    inv.push(e);
                    None
                }
            },
        };
        let note = optional_multiline("note", "事项说明", self.note.as_deref().unwrap_or(""), 5000)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        match (kind, title, opened_on) {
            (Some(kind), Some(title), Some(opened_on)) if inv.is_empty() => Ok(WorkItemInput {
                kind,
                title,
                proceeding_id: self.proceeding_id,
                unit_ids,
                opened_on,
                note,
            }),
            _ => Err(inv),
        }
    }
}

/// Closing a work item (销号): the day and why (the result, the evidence relied on).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloseDraft {
    pub version: Option<i64>,
    /// `YYYY-MM-DD`, not before the item was opened and not after today.
    pub closed_on: Option<String>,
    pub reason: Option<String>,
}

impl CloseDraft {
    pub fn validate(&self, opened_on: Date, today: Date) -> Result<(Date, String), Invalid> {
        let mut inv = Invalid::default();
        let day = match self
            .closed_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                inv.push(FieldError::required("closed_on", "销号日期"));
                None
            }
            Some(d) => match parse_date("closed_on", d) {
                Ok(d) if d > today => {
                    inv.push(FieldError::new(
                        "closed_on",
                        "date_in_future",
                        format!("销号日期{d}晚于今天（{today}）"),
                    ));
                    None
                }
                Ok(d) if d < opened_on => {
                    inv.push(FieldError::new(
                        "closed_on",
                        "date_order",
                        format!("销号日期{d}早于下达日期{opened_on}"),
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    inv.push(e);
                    None
                }
            },
        };
        let reason = optional_multiline(
            "reason",
            "销号理由",
            self.reason.as_deref().unwrap_or(""),
            2000,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        if reason.is_none() && inv.is_empty() {
            inv.push(FieldError::required("reason", "销号理由"));
        }
        match (day, reason) {
            (Some(d), Some(r)) if inv.is_empty() => Ok((d, r)),
            _ => Err(inv),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn draft() -> WorkItemDraft {
        WorkItemDraft {
            kind: Some("supervision".into()),
            title: Some("关于征收补偿案的督办单".into()),
            proceeding_id: None,
            unit_ids: vec![3, 2, 3],
            opened_on: Some("2026-01-05".into()),
            note: Some("第一行\n第二行".into()),
        }
    }

    #[test]
    fn a_supervision_order_may_stand_alone_and_units_are_deduplicated() {
        let w = draft().validate(date(2026, 2, 1)).unwrap();
        assert_eq!(w.kind, SubjectKind::Supervision);
        assert_eq!(w.unit_ids, vec![2, 3]);
        assert_eq!(w.proceeding_id, None);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let d = WorkItemDraft {
            kind: Some("risk_warning".into()),
            title: Some("a\u{7}b".into()),
            unit_ids: vec![],
            opened_on: Some("2026-03-01".into()),
            ..draft()
        };
        let inv = d.validate(date(2026, 2, 1)).unwrap_err();
        let fields: Vec<_> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "proceeding_id", "unit_ids", "opened_on"]);
        let proceeding = WorkItemDraft {
            kind: Some("proceeding".into()),
            ..draft()
        };
        assert!(proceeding.validate(date(2026, 2, 1)).is_err());
    }

    #[test]
    fn closing_needs_a_reason_and_a_day_in_the_item_s_life() {
        let opened = date(2026, 1, 5);
        let today = date(2026, 2, 1);
        let ok = CloseDraft {
            version: Some(1),
            closed_on: Some("2026-01-20".into()),
            reason: Some("已化解，原告撤诉".into()),
        };
        assert_eq!(
            ok.validate(opened, today).unwrap(),
            (date(2026, 1, 20), "已化解，原告撤诉".to_string())
        );
        let early = CloseDraft {
            closed_on: Some("2026-01-01".into()),
            ..ok.clone()
        };
        assert_eq!(
            early.validate(opened, today).unwrap_err().0[0].code,
            "date_order"
        );
        let no_reason = CloseDraft {
            reason: Some("  ".into()),
            ..ok
        };
        assert_eq!(
            no_reason.validate(opened, today).unwrap_err().0[0].field,
            "reason"
        );
    }
}
