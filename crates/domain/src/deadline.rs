//! Deadlines on proceedings (案件期限): planning them from an event with the rule catalogue
//! and the calendar, and their state (open / due soon / overdue / met on time or late / waived).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Period, PeriodError};
use crate::error::{FieldError, Invalid, optional_text, text};
use crate::proceeding::{ProceedingKind, parse_date};
use crate::rules::{Catalogue, EventKind, Nature, Responsible, Severity};
use crate::subject::Subject;

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

/// Choosing the local rules of a jurisdiction: shipped sets by id (one, or several active
/// together) and/or the TOML text of its own set; neither means statutory rules only.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSetDraft {
    pub version: Option<i64>,
    /// Shipped local sets by id, e.g. `"local-xiangshan"` or `["local-xiangshan",
    /// "local-xinchang"]`; applied in the order shipped, a later one taking precedence.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub shipped: Option<ShippedSets>,
    /// Full TOML text of the jurisdiction's own set (extends `statutory`), applied last.
    pub toml: Option<String>,
}

/// One shipped set's id or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ShippedSets {
    One(String),
    Many(Vec<String>),
}

/// The local rules a jurisdiction selected, as stored in its setting (JSON); a value stored by
/// an earlier release is the TOML text of one set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSelection {
    /// Shipped sets by id, in the order they are applied.
    #[serde(default)]
    pub shipped: Vec<String>,
    /// The jurisdiction's own TOML, applied last.
    #[serde(default)]
    pub custom: String,
}

/// The ids of the shipped local sets, in the order they are applied when several are active.
pub fn shipped_ids() -> Vec<&'static str> {
    crate::rules::SHIPPED[1..]
        .iter()
        .map(|(f, _)| f.trim_end_matches(".toml"))
        .collect()
}

impl RuleSelection {
    /// Reads a stored value: JSON, or (from an earlier release) the TOML text of one set.
    pub fn from_stored(v: &str) -> RuleSelection {
        if v.trim_start().starts_with('{') {
            serde_json::from_str(v).unwrap_or_default()
        } else {
            RuleSelection {
                shipped: Vec::new(),
                custom: v.to_string(),
            }
        }
    }

    pub fn to_stored(&self) -> String {
        if self.shipped.is_empty() && self.custom.trim().is_empty() {
            String::new()
        } else {
            serde_json::to_string(self).expect("serialises")
        }
    }

    /// The catalogue in force: the statutory one, then each shipped set in the shipped order,
    /// then the jurisdiction's own; where two replace the same rule the later wins, and each
    /// such replacement is stated (for 规则配置).
    pub fn catalogue(&self) -> Result<(Catalogue, Vec<String>), crate::rules::CatalogueError> {
        let mut cat = Catalogue::statutory();
        let mut notes = Vec::new();
        let mut files: Vec<crate::rules::CatalogueFile> = Vec::new();
        for id in shipped_ids() {
            if !self.shipped.iter().any(|s| s == id) {
                continue;
            }
            let (f, t) = crate::rules::SHIPPED
                .iter()
                .find(|(f, _)| f.trim_end_matches(".toml") == id)
                .expect("listed by shipped_ids");
            files.push(crate::rules::parse_catalogue(f, t)?);
        }
        if !self.custom.trim().is_empty() {
            files.push(crate::rules::parse_catalogue("地方规则", &self.custom)?);
        }
        for f in &files {
            for r in &f.catalogue.rules {
                if let Some(old) = cat.rules.iter().find(|b| b.id == r.id) {
                    let by = if old.source == "statutory" || old.source == "practice" {
                        crate::rules::source_label(&old.source).to_string()
                    } else {
                        files
                            .iter()
                            .find(|x| x.catalogue.id == old.source)
                            .map(|x| x.catalogue.name.clone())
                            .unwrap_or_else(|| old.source.clone())
                    };
                    notes.push(format!(
                        "“{}”：{}替换了{}的同名规则",
                        r.name, f.catalogue.name, by
                    ));
                }
            }
            cat = cat.with_local(f)?;
        }
        Ok((cat, notes))
    }
}

impl RuleSetDraft {
    /// The selection to store, validated: every shipped id known, the TOML valid, and the
    /// whole catalogue consistent.
    pub fn validate(&self) -> Result<RuleSelection, Invalid> {
        let ids: Vec<String> = match &self.shipped {
            None => Vec::new(),
            Some(ShippedSets::One(s)) => vec![s.trim().to_string()],
            Some(ShippedSets::Many(v)) => v.iter().map(|s| s.trim().to_string()).collect(),
        }
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
        let known = shipped_ids();
        let mut inv = Invalid::default();
        for id in &ids {
            if !known.contains(&id.as_str()) {
                inv.push(FieldError::new(
                    "shipped",
                    "unknown_value",
                    format!("内置地方规则“{id}”不存在，可选：{}", known.join("、")),
                ));
            }
        }
        if !inv.is_empty() {
            return Err(inv);
        }
        let mut shipped: Vec<String> = known
            .iter()
            .filter(|k| ids.iter().any(|i| i == *k))
            .map(|k| k.to_string())
            .collect();
        shipped.dedup();
        let sel = RuleSelection {
            shipped,
            custom: self.toml.clone().unwrap_or_default().trim().to_string(),
        };
        sel.catalogue()
            .map_err(|e| FieldError::new("toml", "invalid_rules", e.to_string()))?;
        Ok(sel)
    }
}

/// The catalogue in force given a jurisdiction's stored selection ("" = statutory only).
pub fn local_catalogue(stored: &str) -> Result<Catalogue, crate::rules::CatalogueError> {
    RuleSelection::from_stored(stored)
        .catalogue()
        .map(|(c, _)| c)
}

/// Key dates of the registration and edit forms that are events (关键日期即事件): entering one
/// records its event through the same code as the event form, so deadlines start the same way
/// however the date was entered. Returns, for the proceeding's kind, each such event with the
/// date the form holds (`None`: the date is empty).
pub fn key_date_events(
    kind: ProceedingKind,
    dates: &crate::proceeding::KeyDates,
) -> Vec<(EventKind, Option<Date>)> {
    use ProceedingKind::*;
    let mut out = Vec::new();
    let received = match kind {
        FirstInstance => Some(EventKind::ComplaintCopyReceived),
        Reconsideration => Some(EventKind::ReconCopyReceived),
        Retrial => Some(EventKind::RetrialCopyReceived),
        _ => None,
    };
    if let Some(k) = received {
        out.push((k, dates.received_on));
    }
    let filed = match kind {
        FirstInstance => Some(EventKind::CaseFiled),
        Reconsideration => Some(EventKind::ReconAccepted),
        _ => None,
    };
    if let Some(k) = filed {
        out.push((k, dates.filed_on));
    }
    if kind.is_litigation() {
        out.push((EventKind::JudgmentServed, dates.served_on));
        out.push((EventKind::JudgmentEffective, dates.effective_on));
    }
    out
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
    pub nature: Nature,
    pub severity: Severity,
    pub citation: String,
    /// How the date was computed, in plain Chinese.
    pub trace: String,
    /// The window reaches a year without an official notice.
    pub provisional: bool,
    /// Due only when the proceeding was lost (a `when = "loss"` rule and its targets); the
    /// storage layer drops it for a proceeding without a loss.
    pub on_loss: bool,
    /// Due only for a group case (a `when = "group_case"` rule and its targets); the storage
    /// layer drops it for a proceeding with fewer claimants.
    pub group_case: bool,
    /// 1, or for a repeating rule the number of the repetition (第N期).
    pub occurrence: i64,
}

/// How far a repeating rule is planned: every occurrence whose period has begun by `today`,
/// none due after the subject closed (`closed_on`: the repetition ends with 销号).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    pub today: Date,
    pub closed_on: Option<Date>,
}

/// The most occurrences one repeating rule is planned to (a guard, some 40 years of
/// half-monthly reports).
pub const MAX_OCCURRENCES: i64 = 1000;

/// Court- or organ-approved changes to one rule's deadline: suspension intervals (中止, the
/// clock stops, both days inclusive) and an extension (延长) counted from the original expiry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspensions: Vec<(Date, Date)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

impl Adjustment {
    pub fn is_empty(&self) -> bool {
        self.suspensions.is_empty() && self.extension.is_none()
    }
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
    plan_with(
        catalogue,
        calendar,
        event,
        kind,
        occurred_on,
        &BTreeMap::new(),
    )
}

/// [`plan`] with the approved suspensions and extensions of some rules (by rule id); their
/// internal targets are counted back from the adjusted date.
pub fn plan_with(
    catalogue: &Catalogue,
    calendar: &Calendar,
    event: EventKind,
    kind: ProceedingKind,
    occurred_on: Date,
    adjustments: &BTreeMap<String, Adjustment>,
) -> Result<Vec<PlannedDeadline>, PeriodError> {
    plan_subject(
        catalogue,
        calendar,
        event,
        Subject::Proceeding(kind),
        occurred_on,
        adjustments,
        None,
    )
}

/// Every deadline that `event` on `occurred_on` starts on `subject`, with approved
/// adjustments by rule id. A repeating rule (`repeat`) gives its occurrences up to `horizon`
/// (the 第N期 due N periods after the event); without a horizon only the first.
pub fn plan_subject(
    catalogue: &Catalogue,
    calendar: &Calendar,
    event: EventKind,
    subject: Subject,
    occurred_on: Date,
    adjustments: &BTreeMap<String, Adjustment>,
    horizon: Option<Horizon>,
) -> Result<Vec<PlannedDeadline>, PeriodError> {
    let mut out = Vec::new();
    for rule in catalogue.rules_for_subject(event, subject) {
        if let Some(every) = rule.repeat {
            repeat_occurrences(rule, every, calendar, event, occurred_on, horizon, &mut out)?;
            continue;
        }
        let e = match adjustments.get(&rule.id).filter(|a| !a.is_empty()) {
            None => calendar.explain(occurred_on, rule.period)?,
            Some(a) => {
                let ext = a
                    .extension
                    .as_deref()
                    .map(str::parse::<Period>)
                    .transpose()?;
                calendar.due_with(occurred_on, rule.period, &a.suspensions, ext)?
            }
        };
        let trace = format!("{}：{}", event.label(), e.trace);
        for t in &rule.targets {
            let te = calendar.explain(e.due, t.period)?;
            out.push(PlannedDeadline {
                rule_id: t.id.clone(),
                parent_rule_id: Some(rule.id.clone()),
                name: t.name.clone(),
                due_on: te.due,
                responsible: t.responsible,
                nature: Nature::default_for(t.responsible),
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
                on_loss: rule.on_loss,
                group_case: rule.group_case,
                occurrence: 1,
            });
        }
        out.push(PlannedDeadline {
            rule_id: rule.id.clone(),
            parent_rule_id: None,
            name: rule.name.clone(),
            due_on: e.due,
            responsible: rule.responsible,
            nature: rule.nature,
            severity: rule.severity,
            citation: rule.citation.clone(),
            trace,
            provisional: e.provisional,
            on_loss: rule.on_loss,
            group_case: rule.group_case,
            occurrence: 1,
        });
    }
    out.sort_by(|a, b| {
        a.due_on
            .cmp(&b.due_on)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.occurrence.cmp(&b.occurrence))
    });
    Ok(out)
}

/// The occurrences of a repeating rule: the N-th is due N periods after the event (counted
/// from the event each time, so a rolled-over rest day never shifts the later ones). An
/// occurrence is planned once the period before it has run out by `horizon.today` (the first
/// always), and none that falls due after the subject closed.
fn repeat_occurrences(
    rule: &crate::rules::Rule,
    every: Period,
    calendar: &Calendar,
    event: EventKind,
    occurred_on: Date,
    horizon: Option<Horizon>,
    out: &mut Vec<PlannedDeadline>,
) -> Result<(), PeriodError> {
    let mut previous_due: Option<Date> = None;
    for n in 1..=MAX_OCCURRENCES {
        if let Some(prev) = previous_due {
            match horizon {
                Some(h) if prev <= h.today => {}
                _ => break,
            }
        }
        let Some(period) = every.times(n) else { break };
        let e = calendar.explain(occurred_on, period)?;
        if horizon
            .and_then(|h| h.closed_on)
            .is_some_and(|closed| e.due > closed)
        {
            break;
        }
        out.push(PlannedDeadline {
            rule_id: rule.id.clone(),
            parent_rule_id: None,
            name: format!("{}（第{n}期）", rule.name),
            due_on: e.due,
            responsible: rule.responsible,
            nature: rule.nature,
            severity: rule.severity,
            citation: rule.citation.clone(),
            trace: format!(
                "{}：每{}报送一次直至销号，第{n}期：{}",
                event.label(),
                every.label(),
                e.trace
            ),
            provisional: e.provisional,
            on_loss: false,
            group_case: false,
            occurrence: n,
        });
        previous_due = Some(e.due);
    }
    Ok(())
}

pub fn check_adjustment(rule: &crate::rules::Rule, a: &Adjustment) -> Result<(), Invalid> {
    let mut inv = Invalid::default();
    for (i, (from, to)) in a.suspensions.iter().enumerate() {
        if from > to {
            inv.push(FieldError::new(
                format!("suspensions[{i}]"),
                "bad_interval",
                format!("中止期间的开始日{from}晚于结束日{to}"),
            ));
        }
    }
    if let Some(ext) = a.extension.as_deref() {
        match ext.parse::<Period>() {
            Err(e) => inv.push(FieldError::new("extension", e.code(), e.to_string())),
            Ok(Period::WorkingDaysBefore(_)) => inv.push(FieldError::new(
                "extension",
                "bad_rule",
                "延长期间不能为 working_days_before",
            )),
            Ok(p) => {
                if let Some(limit) = rule.extension {
                    let within = match (p, limit) {
                        (Period::CalendarDays(a), Period::CalendarDays(b))
                        | (Period::WorkingDays(a), Period::WorkingDays(b))
                        | (Period::Months(a), Period::Months(b))
                        | (Period::Years(a), Period::Years(b)) => a <= b,
                        _ => false,
                    };
                    if !within {
                        inv.push(FieldError::new(
                            "extension",
                            "extension_too_long",
                            format!("“{}”最多可延长 {limit}，申请的 {p} 超出法定上限", rule.name),
                        ));
                    }
                }
            }
        }
    }
    inv.into_result(())
}

/// A request to record approved suspensions and an extension on a deadline (replaces any
/// recorded before; an empty request removes them).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdjustDraft {
    pub version: Option<i64>,
    /// Extension approved, as a period (e.g. `calendar_days:30`), counted from the original expiry.
    pub extension: Option<String>,
    /// Suspension intervals, both days inclusive.
    #[serde(default)]
    pub suspensions: Vec<IntervalDraft>,
    /// Why (e.g. 经法院批准延期提供证据；因鉴定中止审理).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntervalDraft {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl AdjustDraft {
    /// The adjustment and the reason, with field errors for every bad part.
    pub fn validate(&self) -> Result<(Adjustment, String), Invalid> {
        let mut inv = Invalid::default();
        let mut suspensions = Vec::new();
        for (i, iv) in self.suspensions.iter().enumerate() {
            let d = |field: &str, v: &Option<String>, inv: &mut Invalid| {
                let name = format!("suspensions[{i}].{field}");
                match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => {
                        inv.push(FieldError::required(name, "中止期间日期"));
                        None
                    }
                    Some(v) => parse_date(&name, v).map_err(|e| inv.push(e)).ok(),
                }
            };
            if let (Some(a), Some(b)) = (d("from", &iv.from, &mut inv), d("to", &iv.to, &mut inv)) {
                suspensions.push((a, b));
            }
        }
        let extension = self
            .extension
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let reason = text(
            "reason",
            "调整原因",
            self.reason.as_deref().unwrap_or(""),
            500,
        )
        .map_err(|e| inv.push(e))
        .ok();
        match reason {
            Some(reason) if inv.is_empty() => Ok((
                Adjustment {
                    suspensions,
                    extension,
                },
                reason,
            )),
            _ => Err(inv),
        }
    }
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
    /// The code used in the API (`overdue`, `due_soon` …), also a CSS class in the pages.
    pub fn code(self) -> &'static str {
        match self {
            DeadlineState::Open => "open",
            DeadlineState::DueSoon => "due_soon",
            DeadlineState::Overdue => "overdue",
            DeadlineState::MetOnTime => "met_on_time",
            DeadlineState::MetLate => "met_late",
            DeadlineState::Waived => "waived",
        }
    }

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

    fn supervision(today: Date, closed_on: Option<Date>) -> Vec<(i64, String)> {
        plan_subject(
            &Catalogue::statutory(),
            &Calendar::national(),
            EventKind::SupervisionIssued,
            Subject::Work(crate::subject::SubjectKind::Supervision),
            date(2025, 3, 3),
            &BTreeMap::new(),
            Some(Horizon { today, closed_on }),
        )
        .unwrap()
        .into_iter()
        .filter(|p| p.rule_id == "SUPERVISION_PROGRESS")
        .map(|p| (p.occurrence, p.due_on.to_string()))
        .collect()
    }

    #[test]
    fn a_repeating_obligation_recurs_every_half_month_until_the_subject_closes() {
        // Issued Monday 2025-03-03: the first report is due 15 days later; the next one appears
        // once the period before it has run out, each counted from the issue date.
        assert_eq!(
            supervision(date(2025, 3, 3), None),
            [(1, "2025-03-18".into())]
        );
        assert_eq!(
            supervision(date(2025, 4, 2), None),
            [
                (1, "2025-03-18".into()),
                (2, "2025-04-02".into()),
                (3, "2025-04-17".into())
            ]
        );
        // Day 60, 2025-05-02, falls in the 劳动节 holiday: the 4th rolls to the next working day; the
        // 5th is still counted from the issue date (75 days: Saturday 05-17, so Monday), not from the rolled day.
        let may = supervision(date(2025, 5, 10), None);
        assert_eq!(may[3], (4, "2025-05-06".into()));
        assert_eq!(may[4], (5, "2025-05-19".into()));
        // Closed (销号) on 2025-04-10: nothing due after that day is owed.
        assert_eq!(
            supervision(date(2025, 5, 10), Some(date(2025, 4, 10))),
            [(1, "2025-03-18".into()), (2, "2025-04-02".into())]
        );
        // Without a horizon only the first occurrence is planned; proceedings never repeat.
        let first = plan_subject(
            &Catalogue::statutory(),
            &Calendar::national(),
            EventKind::SupervisionIssued,
            Subject::Work(crate::subject::SubjectKind::Supervision),
            date(2025, 3, 3),
            &BTreeMap::new(),
            None,
        )
        .unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].name, "报送督办事项办理进展（第1期）");
        assert!(
            first[0].trace.contains("每15日报送一次直至销号"),
            "{}",
            first[0].trace
        );
        let on_case = plan(
            &Catalogue::statutory(),
            &Calendar::national(),
            EventKind::SupervisionIssued,
            ProceedingKind::FirstInstance,
            date(2025, 3, 3),
        )
        .unwrap();
        assert!(on_case.is_empty());
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
    fn approved_extension_and_suspension_shift_the_rule_and_its_targets() {
        let cat = Catalogue::statutory();
        let rule = cat.rules.iter().find(|r| r.id == "RECON_DECIDE").unwrap();
        let plain = plan(
            &cat,
            &Calendar::national(),
            EventKind::ReconAccepted,
            ProceedingKind::Reconsideration,
            date(2024, 3, 1),
        )
        .unwrap();
        let decide = plain.iter().find(|p| p.rule_id == "RECON_DECIDE").unwrap();
        assert_eq!(decide.due_on, date(2024, 4, 30));
        let mut adj = BTreeMap::new();
        let a = Adjustment {
            suspensions: vec![],
            extension: Some("calendar_days:30".into()),
        };
        check_adjustment(rule, &a).unwrap();
        adj.insert("RECON_DECIDE".to_string(), a);
        let ext = plan_with(
            &cat,
            &Calendar::national(),
            EventKind::ReconAccepted,
            ProceedingKind::Reconsideration,
            date(2024, 3, 1),
            &adj,
        )
        .unwrap();
        let decide = ext.iter().find(|p| p.rule_id == "RECON_DECIDE").unwrap();
        assert_eq!(decide.due_on, date(2024, 5, 30));
        assert!(decide.trace.contains("经批准延长"), "{}", decide.trace);
        let too_long = Adjustment {
            suspensions: vec![(date(2024, 3, 10), date(2024, 3, 5))],
            extension: Some("calendar_days:31".into()),
        };
        let codes: Vec<String> = check_adjustment(rule, &too_long)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.code.clone())
            .collect();
        assert_eq!(codes, ["bad_interval", "extension_too_long"]);
        // Ten days suspended inside the window push the expiry ten days.
        adj.insert(
            "RECON_DECIDE".to_string(),
            Adjustment {
                suspensions: vec![(date(2024, 3, 11), date(2024, 3, 20))],
                extension: None,
            },
        );
        let sus = plan_with(
            &cat,
            &Calendar::national(),
            EventKind::ReconAccepted,
            ProceedingKind::Reconsideration,
            date(2024, 3, 1),
            &adj,
        )
        .unwrap();
        let decide = sus.iter().find(|p| p.rule_id == "RECON_DECIDE").unwrap();
        assert_eq!(decide.due_on, date(2024, 5, 10));
        assert!(decide.trace.contains("中止期间 10 日"), "{}", decide.trace);
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
        for s in [DeadlineState::DueSoon, DeadlineState::MetOnTime] {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::Value::String(s.code().into())
            );
        }
    }
}
