//! Stored records as the outside world sees them (read models returned by the API and CLI).
//! Every mutable record carries `version` for optimistic concurrency.

use serde::Serialize;

use crate::hearing::AppearanceLevel;
use crate::outcome::{Ground, OutcomeCode};
use crate::proceeding::{PartyKind, PartyRole, ProceedingKind, ProceedingStatus};
use crate::unit::{HeadKind, UnitKind};
use crate::user::Role;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    /// The province, city or county this unit belongs to (itself for those levels).
    pub jurisdiction_id: i64,
    pub code: Option<String>,
    pub contact_phone: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitHead {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub post: String,
    pub kind: HeadKind,
    pub phone: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub active: bool,
    pub version: i64,
    pub created_at: String,
    /// Where e-mail reminders go (none: in-app only).
    pub email: Option<String>,
    /// Mobile number for SMS / government IM reminders.
    pub mobile: Option<String>,
}

/// An API token as its owner sees it (the secret itself is shown once, when issued).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    /// The name given when it was issued.
    pub label: String,
    pub created_at: String,
    /// When it stops working (RFC 3339 UTC).
    pub expires_at: Option<String>,
    /// Its last use, to the minute.
    pub last_used_at: Option<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// Usable now: neither revoked nor expired.
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CodeItem {
    pub list: String,
    pub code: String,
    pub label: String,
    pub sort_order: i64,
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Dispute {
    pub id: i64,
    pub title: String,
    pub domain: String,
    pub summary: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Ids of the proceedings of this dispute visible to the caller, in stage order.
    pub proceeding_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Party {
    pub id: i64,
    pub proceeding_id: i64,
    pub role: PartyRole,
    pub kind: PartyKind,
    pub name: String,
    pub unit_id: Option<i64>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Appearance {
    pub id: i64,
    pub hearing_id: i64,
    pub unit_id: Option<i64>,
    pub person_name: String,
    pub post: Option<String>,
    pub level: AppearanceLevel,
    pub appeared: bool,
    pub spoke: bool,
    pub excuse: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Hearing {
    pub id: i64,
    pub proceeding_id: i64,
    /// Local time, `YYYY-MM-DDTHH:MM:SS`.
    pub scheduled_at: String,
    pub place: Option<String>,
    pub note: Option<String>,
    pub version: i64,
    pub appearances: Vec<Appearance>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Outcome {
    pub id: i64,
    pub proceeding_id: i64,
    pub party_id: i64,
    pub code: OutcomeCode,
    pub decided_on: String,
    pub grounds: Vec<Ground>,
    pub note: Option<String>,
    /// Whether this outcome counts as a loss (败诉) under the configured loss rule.
    pub is_loss: bool,
    /// Who recorded it: a unit changes a bureau's or a court document's outcome only through a
    /// correction request.
    pub source: crate::outcome::OutcomeSource,
    pub version: i64,
}

/// One line of the ledger (台账): the proceeding with the names that identify it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LedgerRow {
    pub id: i64,
    pub dispute_id: i64,
    pub kind: ProceedingKind,
    pub case_no: Option<String>,
    pub reference_no: Option<String>,
    pub status: ProceedingStatus,
    pub domain: String,
    pub act_type: Option<String>,
    pub claimant_count: i64,
    pub registered_on: String,
    pub filed_on: Option<String>,
    pub closed_on: Option<String>,
    /// Claimant names joined with 、 (first ones).
    pub claimants: String,
    /// Defendant-side names joined with 、.
    pub defendants: String,
    pub updated_at: String,
    pub version: i64,
}

/// The loss rule as stored, with its version for optimistic concurrency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LossRuleSetting {
    /// Outcome codes counted as a loss (败诉).
    pub loss_outcomes: Vec<OutcomeCode>,
    pub version: i64,
}

/// One page of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LedgerPage {
    pub items: Vec<LedgerRow>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A proceeding with everything recorded on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Proceeding {
    pub id: i64,
    pub dispute_id: i64,
    pub kind: ProceedingKind,
    pub case_no: Option<String>,
    pub case_year: Option<i64>,
    pub court_code: Option<String>,
    pub case_type: Option<String>,
    pub reference_no: Option<String>,
    pub status: ProceedingStatus,
    pub domain: String,
    pub act_type: Option<String>,
    pub forum: Option<String>,
    pub cause: Option<String>,
    pub claimant_count: i64,
    pub registered_on: String,
    pub act_on: Option<String>,
    pub received_on: Option<String>,
    pub filed_on: Option<String>,
    pub decided_on: Option<String>,
    pub served_on: Option<String>,
    pub effective_on: Option<String>,
    pub closed_on: Option<String>,
    pub summary: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub parties: Vec<Party>,
    pub hearings: Vec<Hearing>,
    pub outcomes: Vec<Outcome>,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEvent {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// create, update or delete.
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub after: Option<serde_json::Value>,
    /// The reason the person gave (a correction, a withdrawal), if any.
    pub reason: Option<String>,
    /// The proceeding the record belongs to, if any.
    pub proceeding_id: Option<i64>,
    /// The actor's display name (audit search only).
    pub actor_display: Option<String>,
    /// 案号 or 文号 of the proceeding (audit search only).
    pub case_label: Option<String>,
}

/// A document attached to a proceeding (its bytes are stored on disk by content hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Document {
    pub id: i64,
    pub proceeding_id: i64,
    pub kind: crate::document::DocumentKind,
    pub kind_label: String,
    pub filename: String,
    pub media_type: String,
    pub size: i64,
    /// SM3 hash of the content (hex), also its name in the document store.
    pub content_hash: String,
    pub uploaded_by_name: String,
    pub created_at: String,
}

/// An event recorded on a proceeding; its deadlines follow from the rule catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Event {
    pub id: i64,
    /// The proceeding it was recorded on (or that its work item concerns).
    pub proceeding_id: Option<i64>,
    /// The work item it belongs to (`null`: an event of the proceeding itself).
    pub work_item_id: Option<i64>,
    pub kind: crate::rules::EventKind,
    pub kind_label: String,
    pub occurred_on: String,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A stored deadline with its computation trace, citation and state as of today.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Deadline {
    pub id: i64,
    /// The proceeding it is owed on (for a work item: the proceeding the item concerns, if any).
    pub proceeding_id: Option<i64>,
    /// 案号 or 文号 of the proceeding (or the work item's title), for lists.
    pub case_label: String,
    /// The work item it is owed on (`null`: an obligation of the proceeding itself).
    pub work_item_id: Option<i64>,
    /// What it is owed on: 案件程序, 督办单, 败诉风险预警 …
    pub subject_kind: crate::subject::SubjectKind,
    pub subject_label: String,
    /// 1, or the number of the repetition of a repeating obligation (第N期).
    pub occurrence: i64,
    pub event_id: i64,
    pub event_kind: crate::rules::EventKind,
    pub rule_id: String,
    /// For an internal target (内部节点): the rule of the deadline it is counted back from.
    pub parent_rule_id: Option<String>,
    pub name: String,
    pub due_on: String,
    pub responsible: crate::rules::Responsible,
    pub responsible_label: String,
    /// The unit that owes this obligation (each defendant, co-defendant or respondent owes its
    /// own); `null` for the 司法局, the court, the 复议机关 or the claimant side.
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// Who owes it, for display: the unit's name, or the responsible party's label.
    pub owner_label: String,
    /// Duty (counts in 按期率 and 考核), right (information only) or court-side (monitored).
    pub nature: crate::rules::Nature,
    pub nature_label: String,
    pub severity: crate::rules::Severity,
    pub citation: String,
    /// How the due date was computed, in plain Chinese.
    pub trace: String,
    /// The window reaches a year without an official calendar notice (weekends only so far).
    pub provisional: bool,
    pub met_on: Option<String>,
    pub waived_reason: Option<String>,
    pub waived_by: Option<String>,
    /// The last automatic recomputation and why (calendar import, rule change, event edit).
    pub change_note: Option<String>,
    /// Approved extension (延长), as a period counted from the original expiry.
    pub extension: Option<String>,
    /// Approved suspension intervals (中止), both days inclusive.
    pub suspensions: Vec<Interval>,
    pub state: crate::deadline::DeadlineState,
    pub state_label: String,
    /// Where the latest submission stands (报送—审核), for obligations that require one.
    pub submission_state: Option<crate::obligation::SubmissionStatus>,
    pub version: i64,
}

/// A submission made to meet an obligation (报送), with its review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Submission {
    pub id: i64,
    /// The obligation (deadline) it is for.
    pub deadline_id: i64,
    pub deadline_name: String,
    pub due_on: String,
    pub proceeding_id: Option<i64>,
    pub work_item_id: Option<i64>,
    pub case_label: String,
    /// The unit that owes the obligation (`null`: the 司法局's own).
    pub unit_id: Option<i64>,
    /// Who owes it, for display.
    pub owner_label: String,
    /// 1 for the first submission, 2 for the resubmission after a return …
    pub seq: i64,
    pub status: crate::obligation::SubmissionStatus,
    pub status_label: String,
    /// The day it was submitted (Beijing): the day the obligation is met on if accepted.
    pub submitted_on: String,
    pub submitted_at: String,
    pub submitted_by_name: String,
    pub fields: std::collections::BTreeMap<String, String>,
    pub note: Option<String>,
    pub documents: Vec<Document>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<String>,
    /// The reasons of a return, or the remark of an acceptance.
    pub review_note: Option<String>,
    pub version: i64,
}

/// An obligation with what it requires to be submitted and every submission made for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Obligation {
    pub deadline: Deadline,
    /// What must be submitted (`null`: nothing; it is marked met directly).
    pub submit: Option<crate::obligation::SubmitSpec>,
    /// The requirement in words.
    pub submit_label: Option<String>,
    /// Newest first.
    pub submissions: Vec<Submission>,
}

/// A unit's request to correct an outcome it cannot change itself (更正申请), and the decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CorrectionRequest {
    pub id: i64,
    pub proceeding_id: i64,
    pub case_label: String,
    pub outcome_id: i64,
    pub unit_id: Option<i64>,
    pub unit_name: String,
    /// The outcome when the request was made.
    pub before_code: crate::outcome::OutcomeCode,
    pub before_label: String,
    pub before_decided_on: String,
    /// The outcome asked for.
    pub code: crate::outcome::OutcomeCode,
    pub code_label: String,
    pub decided_on: String,
    pub grounds: Vec<crate::outcome::Ground>,
    pub note: Option<String>,
    pub reason: String,
    pub document_id: i64,
    pub document_name: String,
    pub status: crate::outcome::CorrectionStatus,
    pub status_label: String,
    pub requested_by_name: String,
    pub requested_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    pub version: i64,
}

/// 凡败必报: one loss (a losing unit of a proceeding) and the state of its loss report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LossReportLine {
    pub proceeding_id: i64,
    pub case_label: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub outcome: crate::outcome::OutcomeCode,
    pub outcome_label: String,
    pub decided_on: String,
    /// The loss-report obligation (`null`: none yet — no 裁判生效 recorded).
    pub deadline_id: Option<i64>,
    pub report_name: Option<String>,
    pub due_on: Option<String>,
    pub met_on: Option<String>,
    /// missing, open, due_soon, overdue, met_on_time, met_late or waived.
    pub state: String,
    pub state_label: String,
    pub submission_state: Option<crate::obligation::SubmissionStatus>,
    /// Missing, overdue, or met late: what 凡败必报 chases.
    pub problem: bool,
}

/// A span of days, both inclusive.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Interval {
    pub from: String,
    pub to: String,
}

/// Deadline-engine settings of a jurisdiction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeadlineSettings {
    pub due_soon_days: i64,
    pub version: i64,
}

/// One rule of the catalogue in force, for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RuleView {
    pub id: String,
    pub name: String,
    pub trigger: crate::rules::EventKind,
    pub trigger_label: String,
    pub period: String,
    /// The period in words ("15日", "5个工作日").
    pub period_label: String,
    pub responsible: crate::rules::Responsible,
    pub nature: crate::rules::Nature,
    pub severity: crate::rules::Severity,
    pub citation: String,
    pub applies_to: Vec<ProceedingKind>,
    /// What it applies to: proceedings, or work items of some kinds (督办单, 风险预警 …).
    pub subjects: Vec<crate::subject::SubjectKind>,
    /// The subjects in words when they are not just proceedings ("督办单"); `null` otherwise.
    pub subjects_label: Option<String>,
    /// For a repeating rule, in words: "每15日一期，直至销号".
    pub repeat_label: Option<String>,
    pub extension: Option<String>,
    /// Internal targets: `(id, name, period, responsible)`.
    pub targets: Vec<TargetView>,
    pub source: String,
    /// 法定, 工作要求 or 本地规定.
    pub source_label: String,
    /// What must be submitted to meet it, in words (`null`: nothing, it is marked met).
    pub submit_label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TargetView {
    pub id: String,
    pub name: String,
    pub period: String,
    pub period_label: String,
    pub responsible: crate::rules::Responsible,
    pub submit_label: Option<String>,
}

/// The rule set of a jurisdiction: the catalogue in force and the stored local set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RuleSet {
    /// Id of the catalogue in force, e.g. `statutory+local-xiangshan`.
    pub id: String,
    pub name: String,
    pub catalogue_version: String,
    /// TOML text of the jurisdiction's own set, applied after the shipped ones ("" = none).
    pub local_toml: String,
    /// The shipped local sets in force, by id, in the order they are applied.
    pub selected: Vec<String>,
    /// Where a later set replaced a rule of an earlier one (the stated precedence).
    pub precedence: Vec<String>,
    /// Shipped local sets that can be selected.
    pub shipped: Vec<String>,
    /// Their names, in the same order (e.g. 象山县全过程备案).
    pub shipped_names: Vec<String>,
    pub rules: Vec<RuleView>,
    pub version: i64,
}

impl RuleSet {
    /// Whether the rule or internal target `id` requires a submission (报送).
    pub fn requires_submission(&self, id: &str) -> bool {
        self.rules.iter().any(|r| {
            (r.id == id && r.submit_label.is_some())
                || r.targets
                    .iter()
                    .any(|t| t.id == id && t.submit_label.is_some())
        })
    }

    pub fn new(
        catalogue: &crate::rules::Catalogue,
        selection: &crate::deadline::RuleSelection,
        precedence: Vec<String>,
        version: i64,
    ) -> RuleSet {
        RuleSet {
            id: catalogue.id.clone(),
            name: catalogue.name.clone(),
            catalogue_version: catalogue.version.clone(),
            local_toml: selection.custom.clone(),
            selected: selection.shipped.clone(),
            precedence,
            shipped: crate::rules::SHIPPED[1..]
                .iter()
                .map(|(f, _)| f.trim_end_matches(".toml").to_string())
                .collect(),
            shipped_names: crate::rules::SHIPPED[1..]
                .iter()
                .map(|(f, t)| {
                    crate::rules::parse_catalogue(f, t)
                        .map(|c| c.catalogue.name)
                        .unwrap_or_else(|_| f.to_string())
                })
                .collect(),
            rules: catalogue
                .rules
                .iter()
                .map(|r| RuleView {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    trigger: r.trigger,
                    trigger_label: r.trigger.label().to_string(),
                    period: r.period.to_string(),
                    period_label: r.period.label(),
                    responsible: r.responsible,
                    nature: r.nature,
                    severity: r.severity,
                    citation: r.citation.clone(),
                    applies_to: r.applies_to.clone(),
                    subjects: r.subjects.clone(),
                    subjects_label: (r.subjects != [crate::subject::SubjectKind::Proceeding]).then(
                        || {
                            r.subjects
                                .iter()
                                .map(|k| k.label())
                                .collect::<Vec<_>>()
                                .join("、")
                        },
                    ),
                    repeat_label: r.repeat.map(|p| format!("每{}一期，直至销号", p.label())),
                    extension: r.extension.map(|e| e.to_string()),
                    targets: r
                        .targets
                        .iter()
                        .map(|t| TargetView {
                            id: t.id.clone(),
                            name: t.name.clone(),
                            period: t.period.to_string(),
                            period_label: t.period.label(),
                            responsible: t.responsible,
                            submit_label: t.submit.as_ref().map(|s| s.describe()),
                        })
                        .collect(),
                    source: r.source.clone(),
                    source_label: crate::rules::source_label(&r.source).to_string(),
                    submit_label: r.submit.as_ref().map(|s| s.describe()),
                })
                .collect(),
            version,
        }
    }
}

/// A calendar feed (日历订阅) of a user or a unit. The secret URL is shown only when created.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Feed {
    pub id: i64,
    /// `user` or `unit`.
    pub kind: String,
    pub user_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    /// `/feeds/<secret>.ics`, only in the answer to the creation.
    pub url: Option<String>,
}

/// One page of deadlines, overdue first (then by due date), met and waived ones last.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeadlinePage {
    pub items: Vec<Deadline>,
    /// Cursor for the next page (`after=`), absent on the last page.
    pub next: Option<String>,
}

/// What a recomputation of deadlines changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Recomputed {
    /// Events whose deadlines were planned again.
    pub events: u64,
    pub created: u64,
    pub changed: u64,
    pub removed: u64,
}

/// A work item (工作事项): a risk warning, a supervision order, a suggestion or an
/// accountability case, addressed to units, with its events and obligations.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WorkItem {
    pub id: i64,
    pub kind: crate::subject::SubjectKind,
    pub kind_label: String,
    pub title: String,
    /// The proceeding it concerns, with its 案号 or 文号.
    pub proceeding_id: Option<i64>,
    pub case_label: Option<String>,
    pub status: crate::subject::WorkStatus,
    pub status_label: String,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub closed_reason: Option<String>,
    pub note: Option<String>,
    /// The units it is addressed to (each owes its unit obligations).
    pub units: Vec<WorkItemUnit>,
    pub created_by_name: String,
    /// Open obligations of the item, and how many of them are overdue.
    pub open_obligations: i64,
    pub overdue_obligations: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WorkItemUnit {
    pub unit_id: i64,
    pub unit_name: String,
}
