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
}
