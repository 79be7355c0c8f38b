//! Events on proceedings and the deadlines derived from them (期限), the deadline settings and
//! rule set of a jurisdiction, and recomputation when an event, the rules or the calendar
//! change. Planning itself is pure ([`huajie_domain::deadline::plan`]); this module stores it.

use std::collections::BTreeMap;

use huajie_domain::FieldError;
use huajie_domain::access::{Actor, ProceedingScope};
use huajie_domain::calendar::Calendar;
use huajie_domain::deadline::{
    Adjustment, DEFAULT_DUE_SOON_DAYS, DeadlineState, EventInput, Horizon, PlannedDeadline,
    RuleSelection, check_adjustment, key_date_events, plan_subject, plan_with,
};
use huajie_domain::outcome::{LossRule, OutcomeCode};
use huajie_domain::proceeding::{KeyDates, ProceedingKind};
use huajie_domain::records::{
    Deadline, DeadlinePage, DeadlineSettings, Event, Interval, Recomputed, RuleSet,
};
use huajie_domain::rules::{Catalogue, EventKind, Nature, Responsible, Severity};
use huajie_domain::subject::{Subject, SubjectKind};
use huajie_domain::user::Role;
use jiff::civil::Date;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::sql::{
    Params, get_bool, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, parse_day, query,
    scope_clause,
};
use crate::stats::DEFENDANT_ROLES;
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

const DUE_SOON_KEY: &str = "deadline_due_soon_days";
const RULE_SET_KEY: &str = "rule_set";

fn key(base: &str, jurisdiction: i64) -> String {
    format!("{base}:{jurisdiction}")
}

/// Today in Beijing (UTC+8, no daylight saving), the day deadlines are judged against.
pub fn today() -> Date {
    crate::clock::today()
}

/// Which deadlines a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    /// Not yet met or waived (default).
    #[default]
    Open,
    Overdue,
    DueSoon,
    /// Met or waived.
    Done,
    All,
}

impl StateFilter {
    pub fn parse(v: &str) -> Option<StateFilter> {
        Some(match v {
            "open" => StateFilter::Open,
            "overdue" => StateFilter::Overdue,
            "due_soon" => StateFilter::DueSoon,
            "done" => StateFilter::Done,
            "all" => StateFilter::All,
            _ => return None,
        })
    }
}

/// A deadline list request: jurisdiction-wide (within the actor's scope), for one unit, or the
/// actor's own ("mine").
#[derive(Debug, Clone, Default)]
pub struct DeadlineQuery {
    /// The actor's own deadlines: for unit staff those their unit must meet, for the 司法局 its own.
    pub mine: bool,
    /// Obligations this unit owes.
    pub unit_id: Option<i64>,
    pub responsible: Option<Responsible>,
    /// Duties, rights or court-side limits only (all when `None`; "mine" is always duties).
    pub nature: Option<Nature>,
    pub state: StateFilter,
    pub due_from: Option<Date>,
    pub due_to: Option<Date>,
    pub limit: i64,
    /// Keyset cursor from the previous page: `done:due_on:id`.
    pub after: Option<(i64, Date, i64)>,
}

/// The counts of a workbench's tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineTiles {
    pub overdue: i64,
    pub due_soon: i64,
    /// The due-soon window in days (a jurisdiction setting).
    pub due_soon_days: i64,
}

/// Parses a deadline-list cursor `done:due_on:id`.
pub fn parse_cursor(s: &str) -> Option<(i64, Date, i64)> {
    let mut it = s.splitn(3, ':');
    let done = it.next()?.parse().ok().filter(|d| *d == 0 || *d == 1)?;
    let due = it.next()?.parse().ok()?;
    let id = it.next()?.parse().ok()?;
    Some((done, due, id))
}

const DEADLINE_COLS: &str = "d.id, COALESCE(d.proceeding_id, w.proceeding_id) AS proceeding_id, d.work_item_id, w.kind AS work_kind, d.occurrence, d.event_id, d.rule_id, d.parent_rule_id, d.name, d.due_on, d.responsible, \
    d.unit_id, u.name AS unit_name, d.nature, d.submission_state, d.severity, d.citation, d.trace, d.provisional, d.met_on, d.waived_reason, d.waived_by, d.done, d.change_note, d.adjustments, d.version, \
    e.kind AS event_kind, COALESCE(p.case_no, p.reference_no, w.title, '') AS case_label";

const DEADLINE_FROM: &str = "deadlines d JOIN events e ON e.id = d.event_id LEFT JOIN proceedings p ON p.id = d.proceeding_id \
     LEFT JOIN work_items w ON w.id = d.work_item_id LEFT JOIN units u ON u.id = d.unit_id";

fn deadline_row(r: &AnyRow, today: Date, soon: i64) -> Result<Deadline> {
    let due = parse_day(&get_str(r, "due_on")?)?;
    let met_on = get_opt_str(r, "met_on")?;
    let met = met_on.as_deref().map(parse_day).transpose()?;
    let waived_reason = get_opt_str(r, "waived_reason")?;
    let state = DeadlineState::of(due, met, waived_reason.is_some(), today, soon);
    let responsible = get_enum(r, "responsible", Responsible::from_code)?;
    let nature = get_enum(r, "nature", Nature::from_code)?;
    let unit_name = get_opt_str(r, "unit_name")?;
    let adj: Adjustment = get_opt_str(r, "adjustments")?
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    let subject_kind = match get_opt_str(r, "work_kind")? {
        None => SubjectKind::Proceeding,
        Some(k) => SubjectKind::from_code(&k).ok_or_else(|| {
            StoreError::Db(sqlx::Error::Decode(
                format!("unknown work item kind {k}").into(),
            ))
        })?,
    };
    Ok(Deadline {
        id: get_i64(r, "id")?,
        proceeding_id: get_opt_i64(r, "proceeding_id")?,
        case_label: get_str(r, "case_label")?,
        work_item_id: get_opt_i64(r, "work_item_id")?,
        subject_kind,
        subject_label: subject_kind.label().to_string(),
        occurrence: get_i64(r, "occurrence")?,
        event_id: get_i64(r, "event_id")?,
        event_kind: get_enum(r, "event_kind", EventKind::from_code)?,
        rule_id: get_str(r, "rule_id")?,
        parent_rule_id: get_opt_str(r, "parent_rule_id")?,
        name: get_str(r, "name")?,
        due_on: due.to_string(),
        responsible,
        responsible_label: responsible.label().to_string(),
        unit_id: get_opt_i64(r, "unit_id")?,
        owner_label: unit_name
            .clone()
            .unwrap_or_else(|| responsible.label().to_string()),
        unit_name,
        nature,
        nature_label: nature.label().to_string(),
        severity: get_enum(r, "severity", Severity::from_code)?,
        citation: get_str(r, "citation")?,
        trace: get_str(r, "trace")?,
        provisional: get_bool(r, "provisional")?,
        met_on,
        waived_reason,
        waived_by: get_opt_str(r, "waived_by")?,
        change_note: get_opt_str(r, "change_note")?,
        extension: adj.extension,
        suspensions: adj
            .suspensions
            .iter()
            .map(|(a, b)| Interval {
                from: a.to_string(),
                to: b.to_string(),
            })
            .collect(),
        state,
        state_label: state.label().to_string(),
        submission_state: get_opt_str(r, "submission_state")?
            .as_deref()
            .and_then(huajie_domain::obligation::SubmissionStatus::from_code),
        version: get_i64(r, "version")?,
    })
}

pub(crate) fn event_row(r: &AnyRow) -> Result<Event> {
    let kind = get_enum(r, "kind", EventKind::from_code)?;
    Ok(Event {
        id: get_i64(r, "id")?,
        proceeding_id: get_opt_i64(r, "proceeding_id")?,
        work_item_id: get_opt_i64(r, "work_item_id")?,
        kind,
        kind_label: kind.label().to_string(),
        occurred_on: get_str(r, "occurred_on")?,
        note: get_opt_str(r, "note")?,
        version: get_i64(r, "version")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

pub(crate) const EVENT_COLS: &str =
    "id, proceeding_id, work_item_id, kind, occurred_on, note, version, created_at, updated_at";

pub(crate) async fn event_on(conn: &mut AnyConnection, id: i64) -> Result<Event> {
    let sql = format!("SELECT {EVENT_COLS} FROM events WHERE id = $1");
    let row = query(sql, vec![id.into()])
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    event_row(&row)
}

/// The kind and jurisdiction of a proceeding the actor can see.
pub(crate) async fn visible_proceeding(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<(ProceedingKind, i64)> {
    let mut params = Params::default();
    let idp = params.push(id);
    let scope = scope_clause(actor.proceeding_scope(), &mut params);
    let sql = format!(
        "SELECT p.kind, p.jurisdiction_id FROM proceedings p WHERE p.id = {idp} AND {scope}"
    );
    let row = query(sql, params.args)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((
        get_enum(&row, "kind", ProceedingKind::from_code)?,
        get_i64(&row, "jurisdiction_id")?,
    ))
}

/// What a stored obligation is owed on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owed {
    Proceeding { id: i64, kind: ProceedingKind },
    Work(crate::work_items::WorkRow),
}

impl Owed {
    pub(crate) fn sub(&self) -> Sub {
        match self {
            Owed::Proceeding { id, .. } => Sub::proceeding(*id),
            Owed::Work(w) => w.sub(),
        }
    }
}

/// The subject of deadline `id`, checked against the actor's scope (out of scope: not found,
/// before anything about the deadline is said), and its jurisdiction.
pub(crate) async fn deadline_subject(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<(Owed, i64)> {
    let row =
        sqlx::query("SELECT proceeding_id, work_item_id, nature FROM deadlines WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    if matches!(actor.proceeding_scope(), ProceedingScope::Litigation(_))
        && get_str(&row, "nature")? == "duty"
    {
        // A unit's obligation and its submissions are internal reports, not the court's.
        return Err(StoreError::NotFound);
    }
    match (
        get_opt_i64(&row, "work_item_id")?,
        get_opt_i64(&row, "proceeding_id")?,
    ) {
        (Some(w), _) => {
            let item = crate::work_items::visible_work_item(conn, actor, w).await?;
            Ok((Owed::Work(item), item.jurisdiction_id))
        }
        (None, Some(p)) => {
            let (kind, j) = visible_proceeding(conn, actor, p).await?;
            Ok((Owed::Proceeding { id: p, kind }, j))
        }
        (None, None) => Err(StoreError::NotFound),
    }
}

/// The proceeding of an event recorded on one (a work item's events are changed through the
/// work item: not found here).
fn event_proceeding(e: &Event) -> Result<i64> {
    e.proceeding_id
        .filter(|_| e.work_item_id.is_none())
        .ok_or(StoreError::NotFound)
}

pub(crate) async fn setting(conn: &mut AnyConnection, key: &str) -> Result<Option<(String, i64)>> {
    let row = sqlx::query("SELECT value, version FROM settings WHERE key = $1")
        .bind(key.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((get_str(&r, "value")?, get_i64(&r, "version")?)))
        .transpose()
}

/// Writes a jurisdiction's rules-as-data setting (JSON) if `version` is current, with its audit
/// event (before → after): the one write of the notification, appearance and risk rules.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn put_rules_in<T: serde::Serialize>(
    conn: &mut AnyConnection,
    actor: &Actor,
    key: &str,
    version: i64,
    json: &str,
    entity: AuditEntity,
    before: &T,
    after: &T,
) -> Result<i64> {
    let next = put_setting(conn, key, version, json).await?;
    audit::record(
        conn,
        &Author::from(actor),
        AuditAction::Update,
        entity,
        actor.jurisdiction_id,
        None,
        Some(before),
        Some(after),
    )
    .await?;
    Ok(next)
}

/// Writes a setting if `version` is current (0 = the setting was never written).
pub(crate) async fn put_setting(
    conn: &mut AnyConnection,
    key: &str,
    version: i64,
    value: &str,
) -> Result<i64> {
    let current = setting(conn, key).await?.map(|(_, v)| v).unwrap_or(0);
    if current != version {
        return Err(StoreError::Conflict {
            expected: version,
            current,
        });
    }
    if version == 0 {
        sqlx::query(
            "INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3)",
        )
        .bind(key.to_string())
        .bind(value.to_string())
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(
            "UPDATE settings SET value = $2, version = version + 1, updated_at = $3 WHERE key = $1",
        )
        .bind(key.to_string())
        .bind(value.to_string())
        .bind(crate::now())
        .execute(&mut *conn)
        .await?;
    }
    Ok(version + 1)
}

pub(crate) async fn due_soon_days(conn: &mut AnyConnection, jurisdiction: i64) -> Result<i64> {
    Ok(setting(conn, &key(DUE_SOON_KEY, jurisdiction))
        .await?
        .and_then(|(v, _)| v.parse().ok())
        .unwrap_or(DEFAULT_DUE_SOON_DAYS))
}

/// The catalogue in force in a jurisdiction, with its stored selection of local rules and the
/// setting's version.
pub(crate) async fn catalogue_on(
    conn: &mut AnyConnection,
    jurisdiction: i64,
) -> Result<(Catalogue, RuleSelection, i64)> {
    let (stored, version) = setting(conn, &key(RULE_SET_KEY, jurisdiction))
        .await?
        .unwrap_or_default();
    let selection = RuleSelection::from_stored(&stored);
    // A stored set was validated when written; fall back to the statutory rules if a later
    // release made it invalid, rather than refusing to compute anything.
    let catalogue = selection
        .catalogue()
        .map(|(c, _)| c)
        .unwrap_or_else(|_| Catalogue::statutory());
    Ok((catalogue, selection, version))
}

/// The stored deadlines of an event, as [`sync_event`] compares them with a new plan.
pub(crate) async fn event_rows(conn: &mut AnyConnection, event_id: i64) -> Result<Vec<AnyRow>> {
    Ok(sqlx::query(
        "SELECT id, rule_id, unit_id, occurrence, due_on, trace, name, citation, provisional, nature, done, adjustments FROM deadlines WHERE event_id = $1",
    )
    .bind(event_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// The approved adjustments recorded on an event's obligations (from [`event_rows`]) of one
/// owner (`None`: the rows owed by no unit), by rule id.
fn adjustments_of(rows: &[AnyRow], unit: Option<i64>) -> Result<BTreeMap<String, Adjustment>> {
    let mut out = BTreeMap::new();
    for r in rows {
        if get_opt_i64(r, "unit_id")? != unit {
            continue;
        }
        if let Some(a) =
            get_opt_str(r, "adjustments")?.and_then(|j| serde_json::from_str::<Adjustment>(&j).ok())
        {
            out.insert(get_str(r, "rule_id")?, a);
        }
    }
    Ok(out)
}

/// One obligation to store: a planned deadline and the unit that owes it (`None`: owed by the
/// 司法局, the court, the 复议机关 or the claimant side, or by a unit not (yet) named).
pub(crate) struct Obligation {
    planned: PlannedDeadline,
    unit_id: Option<i64>,
}

/// The defendant-side units of a proceeding (those that owe its unit obligations), each with
/// whether it lost under the loss rule, in unit order.
async fn owners(
    conn: &mut AnyConnection,
    proceeding_id: i64,
    loss: &LossRule,
) -> Result<Vec<(i64, bool)>> {
    let sql = format!(
        "SELECT pa.unit_id, o.code FROM parties pa LEFT JOIN outcomes o ON o.party_id = pa.id \
         WHERE pa.proceeding_id = $1 AND pa.unit_id IS NOT NULL AND pa.role IN {DEFENDANT_ROLES} ORDER BY pa.unit_id"
    );
    let rows = query(sql, vec![proceeding_id.into()])
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let lost = get_opt_str(r, "code")?
                .as_deref()
                .and_then(OutcomeCode::from_code)
                .is_some_and(|c| loss.is_loss(c));
            Ok((get_i64(r, "unit_id")?, lost))
        })
        .collect()
}

/// Everything needed to plan a jurisdiction's deadlines.
pub(crate) struct Planner {
    catalogue: Catalogue,
    calendar: Calendar,
    loss: LossRule,
}

impl Planner {
    pub(crate) async fn load(conn: &mut AnyConnection, jurisdiction: i64) -> Result<Planner> {
        Ok(Planner {
            catalogue: catalogue_on(conn, jurisdiction).await?.0,
            calendar: crate::calendar::calendar_on(conn, Some(jurisdiction)).await?,
            loss: crate::codes::loss_rule_on(conn).await?,
        })
    }

    fn compute(
        &self,
        kind: ProceedingKind,
        ev: &EventInput,
        adjustments: &BTreeMap<String, Adjustment>,
    ) -> Result<Vec<PlannedDeadline>> {
        plan_with(
            &self.catalogue,
            &self.calendar,
            ev.kind,
            kind,
            ev.occurred_on,
            adjustments,
        )
        .map_err(|e| StoreError::from(FieldError::new("occurred_on", e.code(), e.to_string())))
    }

    /// The obligations `ev` starts on proceeding `proceeding_id`, given its stored ones
    /// (`existing`, from [`event_rows`], for their approved adjustments): a rule the unit owes
    /// becomes one obligation per defendant-side unit, each with its own adjustments; a
    /// `when = "loss"` rule only for the units that lost. The other parties' deadlines are one
    /// row each, owed by no unit.
    async fn plan(
        &self,
        conn: &mut AnyConnection,
        proceeding_id: i64,
        kind: ProceedingKind,
        ev: &EventInput,
        existing: &[AnyRow],
    ) -> Result<Vec<Obligation>> {
        let base_adj = adjustments_of(existing, None)?;
        let mut base = self.compute(kind, ev, &base_adj)?;
        // Named conditions: `group_case` rules only for 50 or more claimants.
        let group = if base.iter().any(|p| p.group_case) {
            let claimants: i64 =
                sqlx::query_scalar("SELECT claimant_count FROM proceedings WHERE id = $1")
                    .bind(proceeding_id)
                    .fetch_one(&mut *conn)
                    .await?;
            claimants >= huajie_domain::rules::GROUP_CASE_CLAIMANTS
        } else {
            false
        };
        base.retain(|p| !p.group_case || group);
        let owners = if base.iter().any(|p| p.responsible == Responsible::Unit) {
            owners(conn, proceeding_id, &self.loss).await?
        } else {
            Vec::new()
        };
        if owners.is_empty() {
            // No unit among the defendants yet: the units' obligations wait unassigned.
            let lost = base.iter().any(|p| p.on_loss) && self.lost(conn, proceeding_id).await?;
            return Ok(base
                .into_iter()
                .filter(|p| !p.on_loss || lost)
                .map(|planned| Obligation {
                    planned,
                    unit_id: None,
                })
                .collect());
        }
        let mut out: Vec<Obligation> = base
            .iter()
            .filter(|p| p.responsible != Responsible::Unit)
            .map(|p| Obligation {
                planned: p.clone(),
                unit_id: None,
            })
            .collect();
        for (unit, lost) in owners {
            let own = adjustments_of(existing, Some(unit))?;
            let planned = if own.is_empty() {
                base.clone()
            } else {
                let mut adj = base_adj.clone();
                adj.extend(own);
                self.compute(kind, ev, &adj)?
            };
            out.extend(
                planned
                    .into_iter()
                    .filter(|p| {
                        p.responsible == Responsible::Unit
                            && (!p.on_loss || lost)
                            && (!p.group_case || group)
                    })
                    .map(|planned| Obligation {
                        planned,
                        unit_id: Some(unit),
                    }),
            );
        }
        Ok(out)
    }

    /// The obligations `ev` starts on `owed` (see [`Planner::plan`] and [`Planner::plan_work`]).
    pub(crate) async fn plan_for(
        &self,
        conn: &mut AnyConnection,
        owed: &Owed,
        ev: &EventInput,
        existing: &[AnyRow],
        today: Date,
    ) -> Result<Vec<Obligation>> {
        match owed {
            Owed::Proceeding { id, kind } => self.plan(conn, *id, *kind, ev, existing).await,
            Owed::Work(w) => {
                let horizon = Horizon {
                    today,
                    closed_on: w.closed_on,
                };
                self.plan_work(conn, w, ev, existing, horizon).await
            }
        }
    }

    pub(crate) fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The obligations `ev` starts on a work item: a rule the unit owes becomes one obligation
    /// per addressed unit (each with its own approved adjustments), the others one row owed by
    /// no unit; a repeating rule up to `horizon`.
    pub(crate) async fn plan_work(
        &self,
        conn: &mut AnyConnection,
        item: &crate::work_items::WorkRow,
        ev: &EventInput,
        existing: &[AnyRow],
        horizon: Horizon,
    ) -> Result<Vec<Obligation>> {
        let compute = |adj: &BTreeMap<String, Adjustment>| {
            plan_subject(
                &self.catalogue,
                &self.calendar,
                ev.kind,
                Subject::Work(item.kind),
                ev.occurred_on,
                adj,
                Some(horizon),
            )
            .map_err(|e| StoreError::from(FieldError::new("occurred_on", e.code(), e.to_string())))
        };
        let base_adj = adjustments_of(existing, None)?;
        let base = compute(&base_adj)?;
        let mut out: Vec<Obligation> = base
            .iter()
            .filter(|p| p.responsible != Responsible::Unit)
            .map(|p| Obligation {
                planned: p.clone(),
                unit_id: None,
            })
            .collect();
        if !base.iter().any(|p| p.responsible == Responsible::Unit) {
            return Ok(out);
        }
        for unit in crate::work_items::addressed_units(conn, item.id).await? {
            let own = adjustments_of(existing, Some(unit))?;
            let planned = if own.is_empty() {
                base.clone()
            } else {
                let mut adj = base_adj.clone();
                adj.extend(own);
                compute(&adj)?
            };
            out.extend(
                planned
                    .into_iter()
                    .filter(|p| p.responsible == Responsible::Unit)
                    .map(|planned| Obligation {
                        planned,
                        unit_id: Some(unit),
                    }),
            );
        }
        Ok(out)
    }

    async fn lost(&self, conn: &mut AnyConnection, proceeding_id: i64) -> Result<bool> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT code FROM outcomes WHERE proceeding_id = $1")
                .bind(proceeding_id)
                .fetch_all(&mut *conn)
                .await?;
        Ok(codes
            .iter()
            .filter_map(|c| OutcomeCode::from_code(c))
            .any(|c| self.loss.is_loss(c)))
    }
}

/// Closes the open obligations of the event's proceeding that its kind meets (rules'
/// `met_by`), on the event's date, naming the event; first reopens those it closed before (the
/// event moved or changed kind). Inside the caller's transaction.
pub(crate) async fn settle_met_by(
    conn: &mut AnyConnection,
    by: &Author,
    catalogue: &Catalogue,
    event: &Event,
    soon: i64,
) -> Result<()> {
    release_met_by(conn, by, event.id, soon).await?;
    // This event's own obligations may already be met by an event recorded earlier (a case
    // registered with both its 立案 and 收到副本 dates).
    let own = sqlx::query("SELECT id, rule_id FROM deadlines WHERE event_id = $1 AND done = 0")
        .bind(event.id)
        .fetch_all(&mut *conn)
        .await?;
    let mut events: Option<Vec<Event>> = None;
    for r in &own {
        let rule_id = get_str(r, "rule_id")?;
        let Some(kind) = catalogue
            .rules
            .iter()
            .find(|x| x.id == rule_id)
            .and_then(|x| x.met_by)
        else {
            continue;
        };
        if events.is_none() {
            events = Some(subject_events(conn, event).await?);
        }
        if let Some(other) = events
            .iter()
            .flatten()
            .filter(|e| e.kind == kind && e.id != event.id)
            .max_by(|a, b| a.occurred_on.cmp(&b.occurred_on))
            .cloned()
        {
            close_by(conn, by, get_i64(r, "id")?, &other, soon).await?;
        }
    }
    let rules = catalogue.met_by(event.kind);
    if rules.is_empty() {
        return Ok(());
    }
    let mut p = Params::default();
    // The obligations of the same subject: the proceeding's own, or the work item's.
    let subject = match event.work_item_id {
        Some(w) => format!("work_item_id = {}", p.push(w)),
        None => format!("proceeding_id = {}", p.push(event.proceeding_id)),
    };
    let list: Vec<String> = rules.iter().map(|r| p.push(*r)).collect();
    let sql = format!(
        "SELECT id FROM deadlines WHERE {subject} AND done = 0 AND rule_id IN ({})",
        list.join(", ")
    );
    let ids: Vec<i64> = query(sql, p.args)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| get_i64(r, "id"))
        .collect::<Result<_>>()?;
    for id in ids {
        close_by(conn, by, id, event, soon).await?;
    }
    Ok(())
}

/// Marks obligation `id` met by `event`, on its date, with its audit event.
async fn close_by(
    conn: &mut AnyConnection,
    by: &Author,
    id: i64,
    event: &Event,
    soon: i64,
) -> Result<()> {
    let before = deadline_on(conn, id, soon).await?;
    sqlx::query(
        "UPDATE deadlines SET met_on = $1, done = 1, met_by_event = $2, change_note = $3, version = version + 1, updated_at = $4 WHERE id = $5",
    )
    .bind(event.occurred_on.clone())
    .bind(event.id)
    .bind(format!("由事件“{}”（{}）完成", event.kind_label, event.occurred_on))
    .bind(crate::now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let after = deadline_on(conn, id, soon).await?;
    audit::record(
        conn,
        by,
        AuditAction::Met,
        AuditEntity::Deadline,
        id,
        event.proceeding_id,
        Some(&before),
        Some(&after),
    )
    .await
}

/// Reopens the obligations an event had closed (it moved, changed kind or was withdrawn).
async fn release_met_by(
    conn: &mut AnyConnection,
    by: &Author,
    event_id: i64,
    soon: i64,
) -> Result<()> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM deadlines WHERE met_by_event = $1")
        .bind(event_id)
        .fetch_all(&mut *conn)
        .await?;
    for id in ids {
        let before = deadline_on(conn, id, soon).await?;
        sqlx::query(
            "UPDATE deadlines SET met_on = NULL, done = 0, met_by_event = NULL, change_note = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind("完成该期限的事件已更正或撤回，期限恢复为未完成".to_string())
        .bind(crate::now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        let after = deadline_on(conn, id, soon).await?;
        audit::record(
            conn,
            by,
            AuditAction::Reopen,
            AuditEntity::Deadline,
            id,
            before.proceeding_id,
            Some(&before),
            Some(&after),
        )
        .await?;
    }
    Ok(())
}

/// Records an event with its audit event and creates the deadlines it starts (inside the
/// caller's transaction); returns it and the due-soon setting.
pub(crate) async fn add_event_in(
    conn: &mut AnyConnection,
    by: &Author,
    planner: &Planner,
    proceeding_id: i64,
    kind: ProceedingKind,
    j: i64,
    input: &EventInput,
) -> Result<(Event, i64)> {
    let planned = planner.plan(conn, proceeding_id, kind, input, &[]).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (proceeding_id, kind, occurred_on, note, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
    )
    .bind(proceeding_id)
    .bind(input.kind.code().to_string())
    .bind(input.occurred_on.to_string())
    .bind(input.note.clone())
    .bind(crate::now())
    .fetch_one(&mut *conn)
    .await?;
    let event = event_on(conn, id).await?;
    audit::record(
        conn,
        by,
        AuditAction::Create,
        AuditEntity::Event,
        id,
        Some(proceeding_id),
        None::<&Event>,
        Some(&event),
    )
    .await?;
    let soon = due_soon_days(conn, j).await?;
    sync_event(
        conn,
        by,
        id,
        Sub::proceeding(proceeding_id),
        j,
        &[],
        &planned,
        "登记事件",
        false,
        soon,
        &mut Recomputed::default(),
    )
    .await?;
    settle_met_by(conn, by, &planner.catalogue, &event, soon).await?;
    Ok((event, soon))
}

/// Changes an event read as `before` if it is still at `version`, with its audit event, and
/// recomputes its deadlines, met ones included (inside the caller's transaction).
#[allow(clippy::too_many_arguments)]
async fn update_event_in(
    conn: &mut AnyConnection,
    by: &Author,
    planner: &Planner,
    before: &Event,
    version: i64,
    kind: ProceedingKind,
    j: i64,
    input: &EventInput,
) -> Result<(Event, i64)> {
    // Work-item events are changed through their work item, never as a proceeding's.
    let pid = before
        .proceeding_id
        .filter(|_| before.work_item_id.is_none())
        .ok_or(StoreError::NotFound)?;
    let existing = event_rows(conn, before.id).await?;
    let planned = planner.plan(conn, pid, kind, input, &existing).await?;
    let n = sqlx::query("UPDATE events SET kind = $1, occurred_on = $2, note = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6")
        .bind(input.kind.code().to_string())
        .bind(input.occurred_on.to_string())
        .bind(input.note.clone())
        .bind(crate::now())
        .bind(before.id)
        .bind(version)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict {
            expected: version,
            current: before.version,
        });
    }
    let after = event_on(conn, before.id).await?;
    audit::record(
        conn,
        by,
        AuditAction::Update,
        AuditEntity::Event,
        before.id,
        before.proceeding_id,
        Some(before),
        Some(&after),
    )
    .await?;
    let reason = if before.kind == after.kind {
        format!(
            "事件“{}”日期由 {} 改为 {}",
            after.kind_label, before.occurred_on, after.occurred_on
        )
    } else {
        format!(
            "事件由“{}”（{}）改为“{}”（{}）",
            before.kind_label, before.occurred_on, after.kind_label, after.occurred_on
        )
    };
    let soon = due_soon_days(conn, j).await?;
    sync_event(
        conn,
        by,
        before.id,
        Sub::proceeding(pid),
        j,
        &existing,
        &planned,
        &reason,
        false,
        soon,
        &mut Recomputed::default(),
    )
    .await?;
    settle_met_by(conn, by, &planner.catalogue, &after, soon).await?;
    Ok((after, soon))
}

/// Deletes an event and every obligation it started, with their audit events (inside the
/// caller's transaction).
async fn delete_event_in(
    conn: &mut AnyConnection,
    by: &Author,
    before: &Event,
    soon: i64,
) -> Result<()> {
    let reason = serde_json::json!({ "reason": format!("事件“{}”（{}）已删除", before.kind_label, before.occurred_on) });
    for d in event_deadlines(conn, before.id, soon).await? {
        sqlx::query("DELETE FROM deadlines WHERE id = $1")
            .bind(d.id)
            .execute(&mut *conn)
            .await?;
        audit::record(
            conn,
            by,
            AuditAction::Delete,
            AuditEntity::Deadline,
            d.id,
            before.proceeding_id,
            Some(&d),
            Some(&reason),
        )
        .await?;
    }
    release_met_by(conn, by, before.id, soon).await?;
    sqlx::query("DELETE FROM events WHERE id = $1")
        .bind(before.id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        by,
        AuditAction::Delete,
        AuditEntity::Event,
        before.id,
        before.proceeding_id,
        Some(before),
        None::<&Event>,
    )
    .await
}

/// Records the events of a proceeding's key dates (see [`key_date_events`]) after it was
/// registered or edited (inside the caller's transaction), through the same code as the event
/// form: a date entered adds its event, a changed date moves it, a cleared date deletes it.
/// `before` is `None` for a new proceeding.
pub(crate) async fn sync_key_dates(
    conn: &mut AnyConnection,
    by: &Author,
    proceeding_id: i64,
    before: Option<(ProceedingKind, &KeyDates)>,
    after: (ProceedingKind, &KeyDates),
) -> Result<()> {
    let old: BTreeMap<EventKind, Option<Date>> = before
        .map(|(k, d)| key_date_events(k, d).into_iter().collect())
        .unwrap_or_default();
    let changes: Vec<(EventKind, Option<Date>)> = key_date_events(after.0, after.1)
        .into_iter()
        .filter(|(k, d)| old.get(k).copied().flatten() != *d)
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let (kind, j) = proceeding_kind(conn, proceeding_id).await?;
    let events = proceeding_events(conn, proceeding_id).await?;
    let planner = Planner::load(conn, j).await?;
    let soon = due_soon_days(conn, j).await?;
    for (ev_kind, date) in changes {
        let existing = events.iter().find(|e| e.kind == ev_kind);
        match (existing, date) {
            (None, None) => {}
            (Some(e), None) => delete_event_in(conn, by, e, soon).await?,
            (Some(e), Some(on)) if e.occurred_on == on.to_string() => {}
            (Some(e), Some(on)) => {
                let input = EventInput {
                    kind: ev_kind,
                    occurred_on: on,
                    note: e.note.clone(),
                };
                update_event_in(conn, by, &planner, e, e.version, kind, j, &input).await?;
            }
            (None, Some(on)) => {
                let input = EventInput {
                    kind: ev_kind,
                    occurred_on: on,
                    note: Some("由案件信息中的日期登记".into()),
                };
                add_event_in(conn, by, &planner, proceeding_id, kind, j, &input).await?;
            }
        }
    }
    Ok(())
}

const UPGRADE_OBLIGATIONS_KEY: &str = "upgrade:0009_obligations";

/// Finishes migration 0009 once: it gave every defendant unit a copy of each unit deadline,
/// but a `when = "loss"` obligation is owed only by the units that lost, which only the
/// configured loss rule can tell. Re-syncs those of every proceeding that has one open.
pub(crate) async fn finish_obligation_upgrade(conn: &mut AnyConnection) -> Result<()> {
    if setting(conn, UPGRADE_OBLIGATIONS_KEY).await?.is_some() {
        return Ok(());
    }
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT d.proceeding_id FROM deadlines d JOIN events e ON e.id = d.event_id \
         WHERE d.done = 0 AND d.unit_id IS NOT NULL AND e.kind = 'judgment_effective' ORDER BY d.proceeding_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let by = Author::system("系统升级（期限按责任单位拆分）");
    for id in &ids {
        resync_loss_deadlines(conn, &by, *id).await?;
    }
    put_setting(conn, UPGRADE_OBLIGATIONS_KEY, 0, &ids.len().to_string()).await?;
    Ok(())
}

/// The kind and jurisdiction of a proceeding (no scope check: callers have checked it).
async fn proceeding_kind(conn: &mut AnyConnection, id: i64) -> Result<(ProceedingKind, i64)> {
    let row = sqlx::query("SELECT kind, jurisdiction_id FROM proceedings WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((
        get_enum(&row, "kind", ProceedingKind::from_code)?,
        get_i64(&row, "jurisdiction_id")?,
    ))
}

/// The events of the subject `event` belongs to (its proceeding's or its work item's).
async fn subject_events(conn: &mut AnyConnection, event: &Event) -> Result<Vec<Event>> {
    match (event.work_item_id, event.proceeding_id) {
        (Some(w), _) => {
            let sql =
                format!("SELECT {EVENT_COLS} FROM events WHERE work_item_id = $1 ORDER BY id");
            query(sql, vec![w.into()])
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(event_row)
                .collect()
        }
        (None, Some(p)) => proceeding_events(conn, p).await,
        (None, None) => Ok(Vec::new()),
    }
}

/// The events of a proceeding, in the order recorded.
async fn proceeding_events(conn: &mut AnyConnection, proceeding_id: i64) -> Result<Vec<Event>> {
    let sql = format!("SELECT {EVENT_COLS} FROM events WHERE proceeding_id = $1 ORDER BY id");
    query(sql, vec![proceeding_id.into()])
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(event_row)
        .collect()
}

/// Records that the judgment of a proceeding took effect on `on` (event 裁判生效) inside the
/// caller's transaction: a new event, or the existing one moved to that date — exactly as
/// adding or editing the event by hand would.
pub(crate) async fn record_effective(
    conn: &mut AnyConnection,
    by: &Author,
    proceeding_id: i64,
    on: Date,
) -> Result<()> {
    let (kind, j) = proceeding_kind(conn, proceeding_id).await?;
    let existing = proceeding_events(conn, proceeding_id)
        .await?
        .into_iter()
        .find(|e| e.kind == EventKind::JudgmentEffective);
    if existing
        .as_ref()
        .is_some_and(|e| e.occurred_on == on.to_string())
    {
        return Ok(());
    }
    let planner = Planner::load(conn, j).await?;
    let input = EventInput {
        kind: EventKind::JudgmentEffective,
        occurred_on: on,
        note: Some("由裁判文书识别确认".into()),
    };
    match existing {
        None => add_event_in(conn, by, &planner, proceeding_id, kind, j, &input).await?,
        Some(before) => {
            let input = EventInput {
                note: before.note.clone(),
                ..input
            };
            update_event_in(conn, by, &planner, &before, before.version, kind, j, &input).await?
        }
    };
    Ok(())
}

/// Brings the `when = "loss"` obligations of a proceeding in line with its outcomes, after an
/// outcome was recorded or changed (inside the caller's transaction): only the units that lost
/// owe them. Met and waived obligations stay as they are.
pub(crate) async fn resync_loss_deadlines(
    conn: &mut AnyConnection,
    by: &Author,
    proceeding_id: i64,
) -> Result<()> {
    resync(conn, by, proceeding_id, "败诉认定变化", |r| r.on_loss).await
}

/// Brings the unit obligations of a proceeding in line with its defendant-side units, after a
/// party was added, changed or withdrawn (inside the caller's transaction): a new co-defendant
/// owes its own, a unit no longer a party owes nothing open. Met and waived ones stay.
pub(crate) async fn resync_owners(
    conn: &mut AnyConnection,
    by: &Author,
    proceeding_id: i64,
) -> Result<()> {
    resync(conn, by, proceeding_id, "当事单位变化", |r| {
        r.responsible == Responsible::Unit
    })
    .await
}

/// Re-plans the events of a proceeding that fire a rule `fires` selects, keeping met and
/// waived obligations. Without such an event, the calendar is not loaded.
async fn resync(
    conn: &mut AnyConnection,
    by: &Author,
    proceeding_id: i64,
    reason: &str,
    fires: impl Fn(&huajie_domain::rules::Rule) -> bool,
) -> Result<()> {
    let events = proceeding_events(conn, proceeding_id).await?;
    if events.is_empty() {
        return Ok(());
    }
    let (kind, j) = proceeding_kind(conn, proceeding_id).await?;
    let catalogue = catalogue_on(conn, j).await?.0;
    let fired: Vec<&Event> = events
        .iter()
        .filter(|e| {
            catalogue
                .rules
                .iter()
                .any(|r| fires(r) && r.applies(e.kind, kind))
        })
        .collect();
    if fired.is_empty() {
        return Ok(());
    }
    let planner = Planner {
        catalogue,
        calendar: crate::calendar::calendar_on(conn, Some(j)).await?,
        loss: crate::codes::loss_rule_on(conn).await?,
    };
    let soon = due_soon_days(conn, j).await?;
    for e in fired {
        let ev = EventInput {
            kind: e.kind,
            occurred_on: parse_day(&e.occurred_on)?,
            note: None,
        };
        let existing = event_rows(conn, e.id).await?;
        let planned = planner
            .plan(conn, proceeding_id, kind, &ev, &existing)
            .await?;
        sync_event(
            conn,
            by,
            e.id,
            Sub::proceeding(proceeding_id),
            j,
            &existing,
            &planned,
            reason,
            true,
            soon,
            &mut Recomputed::default(),
        )
        .await?;
    }
    Ok(())
}

/// The deadlines matching `cond` (SQL over `d`, with its parameters), by due date (no scope
/// check: callers build it into `cond`).
pub(crate) async fn deadlines_where(
    conn: &mut AnyConnection,
    cond: &str,
    params: Params,
    soon: i64,
) -> Result<Vec<Deadline>> {
    let sql =
        format!("SELECT {DEADLINE_COLS} FROM {DEADLINE_FROM} WHERE {cond} ORDER BY d.due_on, d.id");
    let rows = query(sql, params.args).fetch_all(&mut *conn).await?;
    let today = today();
    rows.iter().map(|r| deadline_row(r, today, soon)).collect()
}

/// Loads one deadline by id (no scope check: callers have checked the proceeding).
pub(crate) async fn deadline_on(conn: &mut AnyConnection, id: i64, soon: i64) -> Result<Deadline> {
    let sql = format!("SELECT {DEADLINE_COLS} FROM {DEADLINE_FROM} WHERE d.id = $1");
    let row = query(sql, vec![id.into()])
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    deadline_row(&row, today(), soon)
}

/// Plans and records events inside a caller's transaction (the ledger import): one catalogue
/// and calendar load for many events.
pub(crate) struct EventPlanner {
    planner: Planner,
    soon: i64,
    jurisdiction_id: i64,
}

impl EventPlanner {
    pub(crate) async fn load(conn: &mut AnyConnection, jurisdiction_id: i64) -> Result<Self> {
        Ok(EventPlanner {
            planner: Planner::load(conn, jurisdiction_id).await?,
            soon: due_soon_days(conn, jurisdiction_id).await?,
            jurisdiction_id,
        })
    }

    /// Records the event on the proceeding and creates its deadlines; returns how many.
    pub(crate) async fn add(
        &self,
        conn: &mut AnyConnection,
        by: &Author,
        proceeding_id: i64,
        kind: ProceedingKind,
        input: &EventInput,
        reason: &str,
    ) -> Result<u64> {
        let planned = self
            .planner
            .plan(conn, proceeding_id, kind, input, &[])
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO events (proceeding_id, kind, occurred_on, note, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
        )
        .bind(proceeding_id)
        .bind(input.kind.code().to_string())
        .bind(input.occurred_on.to_string())
        .bind(input.note.clone())
        .bind(crate::now())
        .fetch_one(&mut *conn)
        .await?;
        let mut counts = Recomputed::default();
        sync_event(
            conn,
            by,
            id,
            Sub::proceeding(proceeding_id),
            self.jurisdiction_id,
            &[],
            &planned,
            reason,
            false,
            self.soon,
            &mut counts,
        )
        .await?;
        let event = event_on(conn, id).await?;
        settle_met_by(conn, by, &self.planner.catalogue, &event, self.soon).await?;
        Ok(counts.created)
    }
}

/// The subject an event's obligations are stored on: a proceeding, or a work item (then
/// `audit_proceeding` is the proceeding the item concerns, if any, so the case history shows it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sub {
    pub(crate) proceeding_id: Option<i64>,
    pub(crate) work_item_id: Option<i64>,
    pub(crate) audit_proceeding: Option<i64>,
}

impl Sub {
    pub(crate) fn proceeding(id: i64) -> Sub {
        Sub {
            proceeding_id: Some(id),
            work_item_id: None,
            audit_proceeding: Some(id),
        }
    }
}

/// Brings the stored deadlines of one event (`rows`, from [`event_rows`]) in line with `planned`. With `open_only`, met and
/// waived deadlines are left exactly as they are (calendar and rule changes); otherwise (the
/// event itself changed) their dates are recomputed too, keeping who met or waived them.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn sync_event(
    conn: &mut AnyConnection,
    by: &Author,
    event_id: i64,
    sub: Sub,
    jurisdiction_id: i64,
    rows: &[AnyRow],
    planned: &[Obligation],
    reason: &str,
    open_only: bool,
    soon: i64,
    out: &mut Recomputed,
) -> Result<()> {
    let now = crate::now();
    let key_of = |r: &AnyRow| -> Result<(String, Option<i64>, i64)> {
        Ok((
            get_str(r, "rule_id")?,
            get_opt_i64(r, "unit_id")?,
            get_i64(r, "occurrence")?,
        ))
    };
    let mut stored = Vec::with_capacity(rows.len());
    for r in rows {
        stored.push((key_of(r)?, r));
    }
    for Obligation {
        planned: p,
        unit_id,
    } in planned
    {
        let existing = stored
            .iter()
            .find(|((rule, unit, n), _)| {
                rule == &p.rule_id && unit == unit_id && *n == p.occurrence
            })
            .map(|(_, r)| *r);
        match existing {
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO deadlines (proceeding_id, jurisdiction_id, event_id, rule_id, parent_rule_id, name, due_on, responsible, \
                     severity, citation, trace, provisional, done, change_note, version, created_at, updated_at, unit_id, nature, \
                     work_item_id, occurrence) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, NULL, 1, $13, $13, $14, $15, $16, $17) RETURNING id",
                )
                .bind(sub.proceeding_id)
                .bind(jurisdiction_id)
                .bind(event_id)
                .bind(p.rule_id.clone())
                .bind(p.parent_rule_id.clone())
                .bind(p.name.clone())
                .bind(p.due_on.to_string())
                .bind(p.responsible.code().to_string())
                .bind(p.severity.code().to_string())
                .bind(p.citation.clone())
                .bind(p.trace.clone())
                .bind(p.provisional as i64)
                .bind(now.clone())
                .bind(*unit_id)
                .bind(p.nature.code().to_string())
                .bind(sub.work_item_id)
                .bind(p.occurrence)
                .fetch_one(&mut *conn)
                .await?;
                let created = deadline_on(conn, id, soon).await?;
                audit::record(
                    conn,
                    by,
                    AuditAction::Create,
                    AuditEntity::Deadline,
                    id,
                    sub.audit_proceeding,
                    None::<&Deadline>,
                    Some(&created),
                )
                .await?;
                crate::notify::obligation_created(conn, id).await?;
                out.created += 1;
            }
            Some(r) => {
                let id = get_i64(r, "id")?;
                if open_only && get_bool(r, "done")? {
                    continue;
                }
                let old_due = get_str(r, "due_on")?;
                let same = old_due == p.due_on.to_string()
                    && get_str(r, "trace")? == p.trace
                    && get_str(r, "name")? == p.name
                    && get_str(r, "citation")? == p.citation
                    && get_bool(r, "provisional")? == p.provisional
                    && get_str(r, "nature")? == p.nature.code();
                if same {
                    continue;
                }
                let note = if old_due == p.due_on.to_string() {
                    format!("{reason}：到期日不变（{old_due}），计算说明已更新")
                } else {
                    format!("{reason}：到期日由 {old_due} 改为 {}", p.due_on)
                };
                let before = deadline_on(conn, id, soon).await?;
                sqlx::query(
                    "UPDATE deadlines SET due_on = $1, trace = $2, name = $3, citation = $4, provisional = $5, responsible = $6, \
                     severity = $7, change_note = $8, version = version + 1, updated_at = $9, nature = $11 WHERE id = $10",
                )
                .bind(p.due_on.to_string())
                .bind(p.trace.clone())
                .bind(p.name.clone())
                .bind(p.citation.clone())
                .bind(p.provisional as i64)
                .bind(p.responsible.code().to_string())
                .bind(p.severity.code().to_string())
                .bind(note)
                .bind(now.clone())
                .bind(id)
                .bind(p.nature.code().to_string())
                .execute(&mut *conn)
                .await?;
                let after = deadline_on(conn, id, soon).await?;
                audit::record(
                    conn,
                    by,
                    AuditAction::Recompute,
                    AuditEntity::Deadline,
                    id,
                    sub.audit_proceeding,
                    Some(&before),
                    Some(&after),
                )
                .await?;
                out.changed += 1;
            }
        }
    }
    for ((rule_id, unit, n), r) in &stored {
        let still = planned.iter().any(|o| {
            &o.planned.rule_id == rule_id && &o.unit_id == unit && o.planned.occurrence == *n
        });
        if still || get_bool(r, "done")? {
            continue;
        }
        let id = get_i64(r, "id")?;
        // What a unit has submitted is kept: the obligation stays, saying why, for the bureau
        // to review or waive (deleting it would lose the submission).
        let submitted: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM submissions WHERE deadline_id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        if submitted > 0 {
            let note =
                format!("{reason}：现行规则已不再要求此项，因已有报送而保留，请司法局审核或豁免");
            let before = deadline_on(conn, id, soon).await?;
            if before.change_note.as_deref() != Some(note.as_str()) {
                sqlx::query("UPDATE deadlines SET change_note = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                    .bind(note)
                    .bind(crate::now())
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                let after = deadline_on(conn, id, soon).await?;
                audit::record(
                    conn,
                    by,
                    AuditAction::Recompute,
                    AuditEntity::Deadline,
                    id,
                    sub.audit_proceeding,
                    Some(&before),
                    Some(&after),
                )
                .await?;
                out.changed += 1;
            }
            continue;
        }
        let before = deadline_on(conn, id, soon).await?;
        sqlx::query("DELETE FROM deadlines WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        let note = serde_json::json!({ "reason": reason });
        audit::record(
            conn,
            by,
            AuditAction::Delete,
            AuditEntity::Deadline,
            id,
            sub.audit_proceeding,
            Some(&before),
            Some(&note),
        )
        .await?;
        out.removed += 1;
    }
    Ok(())
}

/// Recomputes the open deadlines of every event in a jurisdiction (all jurisdictions when
/// `None`) after a calendar or rule change, recording `reason` on each changed deadline.
/// With `all_events`, events of pending proceedings without open deadlines are planned too
/// (a rule change may add deadlines).
pub(crate) async fn recompute(
    conn: &mut AnyConnection,
    by: &Author,
    jurisdiction: Option<i64>,
    reason: &str,
    all_events: bool,
) -> Result<Recomputed> {
    let mut params = Params::default();
    let mut conds = Vec::new();
    if let Some(j) = jurisdiction {
        conds.push(format!("p.jurisdiction_id = {}", params.push(j)));
    }
    conds.push(if all_events {
        "(p.status <> 'concluded' OR EXISTS (SELECT 1 FROM deadlines od WHERE od.event_id = e.id AND od.done = 0))".to_string()
    } else {
        "EXISTS (SELECT 1 FROM deadlines od WHERE od.event_id = e.id AND od.done = 0)".to_string()
    });
    let sql = format!(
        "SELECT e.id, e.proceeding_id, e.kind, e.occurred_on, p.kind AS proc_kind, p.jurisdiction_id \
         FROM events e JOIN proceedings p ON p.id = e.proceeding_id WHERE {} ORDER BY p.jurisdiction_id, e.id",
        conds.join(" AND ")
    );
    let rows = query(sql, params.args).fetch_all(&mut *conn).await?;
    let mut out = Recomputed::default();
    let mut planner: Option<(i64, Planner, i64)> = None;
    for r in &rows {
        let j = get_i64(r, "jurisdiction_id")?;
        if planner.as_ref().map(|(pj, _, _)| *pj) != Some(j) {
            let p = Planner::load(conn, j).await?;
            let soon = due_soon_days(conn, j).await?;
            planner = Some((j, p, soon));
        }
        let (_, pl, soon) = planner.as_ref().expect("loaded above");
        let ev = EventInput {
            kind: get_enum(r, "kind", EventKind::from_code)?,
            occurred_on: parse_day(&get_str(r, "occurred_on")?)?,
            note: None,
        };
        let kind = get_enum(r, "proc_kind", ProceedingKind::from_code)?;
        // A date outside the calendar's range cannot be planned; such an event keeps its rows.
        let existing = event_rows(conn, get_i64(r, "id")?).await?;
        let pid = get_i64(r, "proceeding_id")?;
        let planned = match pl.plan(conn, pid, kind, &ev, &existing).await {
            Ok(p) => p,
            Err(StoreError::Invalid(_)) => continue,
            Err(e) => return Err(e),
        };
        sync_event(
            conn,
            by,
            get_i64(r, "id")?,
            Sub::proceeding(pid),
            j,
            &existing,
            &planned,
            reason,
            true,
            *soon,
            &mut out,
        )
        .await?;
        out.events += 1;
    }
    // The work items' obligations follow the same rules and calendar.
    let mut params = Params::default();
    let mut cond = "(w.status = 'open' OR EXISTS (SELECT 1 FROM deadlines od WHERE od.event_id = e.id AND od.done = 0))".to_string();
    if let Some(j) = jurisdiction {
        cond = format!("w.jurisdiction_id = {} AND {cond}", params.push(j));
    }
    let work =
        crate::work_items::replan_work_items(conn, by, &cond, params, today(), reason).await?;
    out.events += work.events;
    out.created += work.created;
    out.changed += work.changed;
    out.removed += work.removed;
    Ok(out)
}

/// The WHERE conditions of a deadline list (scope, mine / unit, responsible, state, due range).
fn deadline_conditions(
    actor: &Actor,
    q: &DeadlineQuery,
    today: Date,
    soon: i64,
    params: &mut Params,
) -> Vec<String> {
    let mut conds = vec![format!(
        "d.jurisdiction_id = {}",
        params.push(actor.jurisdiction_id)
    )];
    // Scope on the obligation itself (`d.jurisdiction_id` copies the proceeding's, `d.unit_id`
    // names who owes it), so lists and counts read the deadline indexes alone. A unit's lists
    // show its own work: what it owes.
    let scoped_unit = match actor.proceeding_scope() {
        ProceedingScope::Unit { unit_id, .. } => Some(unit_id),
        ProceedingScope::Jurisdiction(_) => None,
        ProceedingScope::Litigation(_) => {
            // The court's: litigation deadlines, not the units' obligations (internal reports).
            conds.push(format!(
                "d.nature <> 'duty' AND EXISTS (SELECT 1 FROM proceedings lp WHERE lp.id = d.proceeding_id AND lp.kind IN {})",
                crate::sql::LITIGATION_KINDS
            ));
            None
        }
    };
    let (unit, responsible, nature) = if q.mine {
        match scoped_unit {
            // `unit_id` set means the unit side owes it: no `responsible` test needed.
            Some(u) => (Some(u), None, Some(Nature::Duty)),
            None => (None, Some(Responsible::JusticeBureau), Some(Nature::Duty)),
        }
    } else {
        (scoped_unit.or(q.unit_id), q.responsible, q.nature)
    };
    if scoped_unit.is_some() && q.unit_id.is_some_and(|u| Some(u) != scoped_unit) {
        // Another unit's obligations are out of a unit user's scope: an empty list.
        conds.push("1 = 0".into());
    }
    if let Some(u) = unit {
        conds.push(format!("d.unit_id = {}", params.push(u)));
    }
    if let Some(n) = nature {
        conds.push(format!("d.nature = {}", params.push(n.code())));
    }
    if let Some(r) = responsible {
        conds.push(format!("d.responsible = {}", params.push(r.code())));
    }
    match q.state {
        StateFilter::Open => conds.push("d.done = 0".into()),
        StateFilter::Done => conds.push("d.done = 1".into()),
        StateFilter::Overdue => conds.push(format!(
            "d.done = 0 AND d.due_on < {}",
            params.push(today.to_string())
        )),
        StateFilter::DueSoon => {
            let until = today
                .checked_add(jiff::Span::new().days(soon))
                .unwrap_or(today);
            let a = params.push(today.to_string());
            let b = params.push(until.to_string());
            conds.push(format!(
                "d.done = 0 AND d.due_on >= {a} AND d.due_on <= {b}"
            ))
        }
        StateFilter::All => {}
    }
    if let Some(f) = q.due_from {
        conds.push(format!("d.due_on >= {}", params.push(f.to_string())));
    }
    if let Some(t) = q.due_to {
        conds.push(format!("d.due_on <= {}", params.push(t.to_string())));
    }
    conds
}

pub(crate) fn forbid(msg: &str) -> StoreError {
    StoreError::Forbidden(msg.to_string())
}

impl Store {
    // ----- settings and rule set ---------------------------------------------------------

    pub async fn deadline_settings(&self, actor: &Actor) -> Result<DeadlineSettings> {
        let mut conn = self.pool().acquire().await?;
        let (value, version) = setting(&mut conn, &key(DUE_SOON_KEY, actor.jurisdiction_id))
            .await?
            .unwrap_or_else(|| (DEFAULT_DUE_SOON_DAYS.to_string(), 0));
        Ok(DeadlineSettings {
            due_soon_days: value.parse().unwrap_or(DEFAULT_DUE_SOON_DAYS),
            version,
        })
    }

    pub async fn set_deadline_settings(
        &self,
        actor: &Actor,
        version: i64,
        due_soon_days: i64,
    ) -> Result<DeadlineSettings> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以修改期限设置"));
        }
        let mut tx = self.write_tx().await?;
        let k = key(DUE_SOON_KEY, actor.jurisdiction_id);
        let before = setting(&mut tx, &k).await?.map(|(v, _)| v);
        let version = put_setting(&mut tx, &k, version, &due_soon_days.to_string()).await?;
        let after = DeadlineSettings {
            due_soon_days,
            version,
        };
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::DeadlineSettings,
            actor.jurisdiction_id,
            None,
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The rule set in force in the actor's jurisdiction.
    pub async fn rule_set(&self, actor: &Actor) -> Result<RuleSet> {
        let mut conn = self.pool().acquire().await?;
        let (catalogue, selection, version) =
            catalogue_on(&mut conn, actor.jurisdiction_id).await?;
        let precedence = selection.catalogue().map(|(_, n)| n).unwrap_or_default();
        Ok(RuleSet::new(&catalogue, &selection, precedence, version))
    }

    /// Replaces the local rules of the jurisdiction (shipped sets and its own TOML, validated;
    /// none = statutory only) and recomputes its open deadlines under the new rules, in one
    /// transaction.
    pub async fn set_rule_set(
        &self,
        actor: &Actor,
        version: i64,
        selection: &RuleSelection,
    ) -> Result<(RuleSet, Recomputed)> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以修改期限规则"));
        }
        let (catalogue, precedence) = selection.catalogue().map_err(|e| {
            StoreError::from(FieldError::new("toml", "invalid_rules", e.to_string()))
        })?;
        let stored = selection.to_stored();
        let mut tx = self.write_tx().await?;
        let k = key(RULE_SET_KEY, actor.jurisdiction_id);
        let before = setting(&mut tx, &k).await?.map(|(v, _)| v);
        let version = put_setting(&mut tx, &k, version, &stored).await?;
        let set = RuleSet::new(&catalogue, selection, precedence, version);
        let note = serde_json::json!({ "catalogue": set.id, "version": set.catalogue_version, "shipped": selection.shipped, "toml": selection.custom });
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::RuleSet,
            actor.jurisdiction_id,
            None,
            before.as_ref(),
            Some(&note),
        )
        .await?;
        let reason = format!(
            "期限规则变更（{} 版本 {}）",
            set.name, set.catalogue_version
        );
        let counts = recompute(
            &mut tx,
            &actor.into(),
            Some(actor.jurisdiction_id),
            &reason,
            true,
        )
        .await?;
        tx.commit().await?;
        Ok((set, counts))
    }

    // ----- events ------------------------------------------------------------------------

    pub async fn list_events(&self, actor: &Actor, proceeding_id: i64) -> Result<Vec<Event>> {
        let mut conn = self.pool().acquire().await?;
        visible_proceeding(&mut conn, actor, proceeding_id).await?;
        let sql = format!(
            "SELECT {EVENT_COLS} FROM events WHERE proceeding_id = $1 ORDER BY occurred_on, id"
        );
        let rows = query(sql, vec![proceeding_id.into()])
            .fetch_all(&mut *conn)
            .await?;
        rows.iter().map(event_row).collect()
    }

    /// Records an event and creates the deadlines it starts; returns the event and them.
    pub async fn add_event(
        &self,
        actor: &Actor,
        proceeding_id: i64,
        input: &EventInput,
    ) -> Result<(Event, Vec<Deadline>)> {
        if !actor.can_write_cases() {
            return Err(forbid("当前角色无权登记案件事件"));
        }
        let mut tx = self.write_tx().await?;
        let (kind, j) = visible_proceeding(&mut tx, actor, proceeding_id).await?;
        let planner = Planner::load(&mut tx, j).await?;
        let by: Author = actor.into();
        let (event, soon) =
            add_event_in(&mut tx, &by, &planner, proceeding_id, kind, j, input).await?;
        let deadlines = event_deadlines(&mut tx, event.id, soon).await?;
        tx.commit().await?;
        Ok((event, deadlines))
    }

    /// Changes an event (kind, date or note) and recomputes its deadlines, met ones included.
    pub async fn update_event(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &EventInput,
    ) -> Result<(Event, Vec<Deadline>)> {
        if !actor.can_write_cases() {
            return Err(forbid("当前角色无权修改案件事件"));
        }
        let mut tx = self.write_tx().await?;
        let before = event_on(&mut tx, id).await?;
        let (kind, j) = visible_proceeding(&mut tx, actor, event_proceeding(&before)?).await?;
        let planner = Planner::load(&mut tx, j).await?;
        let by: Author = actor.into();
        let (after, soon) =
            update_event_in(&mut tx, &by, &planner, &before, version, kind, j, input).await?;
        let deadlines = event_deadlines(&mut tx, id, soon).await?;
        tx.commit().await?;
        Ok((after, deadlines))
    }

    /// Deletes an event (recorded by mistake) and every deadline it started.
    pub async fn delete_event(&self, actor: &Actor, id: i64, version: i64) -> Result<()> {
        if !actor.can_write_cases() {
            return Err(forbid("当前角色无权删除案件事件"));
        }
        let mut tx = self.write_tx().await?;
        let before = event_on(&mut tx, id).await?;
        let (_, j) = visible_proceeding(&mut tx, actor, event_proceeding(&before)?).await?;
        if before.version != version {
            return Err(StoreError::Conflict {
                expected: version,
                current: before.version,
            });
        }
        let soon = due_soon_days(&mut tx, j).await?;
        delete_event_in(&mut tx, &actor.into(), &before, soon).await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- deadlines ---------------------------------------------------------------------

    /// The units' overdue obligations counted per unit (the leaders' screen: which unit is
    /// late), most first; the bureau's roles only.
    pub async fn overdue_by_unit(&self, actor: &Actor) -> Result<Vec<(i64, String, i64)>> {
        if !matches!(actor.proceeding_scope(), ProceedingScope::Jurisdiction(_)) {
            return Err(forbid("仅司法局和县领导可以查看各单位逾期情况"));
        }
        let rows = sqlx::query(
            "SELECT d.unit_id, u.name, COUNT(*) AS n FROM deadlines d JOIN units u ON u.id = d.unit_id \
             WHERE d.jurisdiction_id = $1 AND d.nature = 'duty' AND d.done = 0 AND d.due_on < $2 \
             GROUP BY d.unit_id, u.name ORDER BY n DESC, d.unit_id LIMIT 50",
        )
        .bind(actor.jurisdiction_id)
        .bind(today().to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    get_i64(r, "unit_id")?,
                    get_str(r, "name")?,
                    get_i64(r, "n")?,
                ))
            })
            .collect()
    }

    /// Every deadline of a proceeding, overdue first.
    pub async fn proceeding_deadlines(
        &self,
        actor: &Actor,
        proceeding_id: i64,
    ) -> Result<Vec<Deadline>> {
        let mut conn = self.pool().acquire().await?;
        let (_, j) = visible_proceeding(&mut conn, actor, proceeding_id).await?;
        let soon = due_soon_days(&mut conn, j).await?;
        let sql = if matches!(actor.proceeding_scope(), ProceedingScope::Litigation(_)) {
            // The court's view: the case's own deadlines but the units' obligations.
            format!(
                "SELECT {DEADLINE_COLS} FROM {DEADLINE_FROM} WHERE d.proceeding_id = $1 AND d.nature <> 'duty' \
                 ORDER BY d.done, d.due_on, d.id"
            )
        } else {
            format!(
                "SELECT {DEADLINE_COLS} FROM {DEADLINE_FROM} WHERE d.proceeding_id = $1 \
                 OR d.work_item_id IN (SELECT wi.id FROM work_items wi WHERE wi.proceeding_id = $1) ORDER BY d.done, d.due_on, d.id"
            )
        };
        let rows = query(sql, vec![proceeding_id.into()])
            .fetch_all(&mut *conn)
            .await?;
        let today = today();
        rows.iter().map(|r| deadline_row(r, today, soon)).collect()
    }

    /// A page of deadlines in the actor's scope, overdue first.
    pub async fn list_deadlines(&self, actor: &Actor, q: &DeadlineQuery) -> Result<DeadlinePage> {
        let mut conn = self.pool().acquire().await?;
        let soon = due_soon_days(&mut conn, actor.jurisdiction_id).await?;
        let today = today();
        let mut params = Params::default();
        let mut conds = deadline_conditions(actor, q, today, soon, &mut params);
        if let Some((done, due, id)) = q.after {
            let a = params.push(done);
            let b = params.push(due.to_string());
            let c = params.push(id);
            conds.push(format!("(d.done, d.due_on, d.id) > ({a}, {b}, {c})"));
        }
        let limit = q.limit.clamp(1, 500);
        let lp = params.push(limit + 1);
        let sql = format!(
            "SELECT {DEADLINE_COLS} FROM {DEADLINE_FROM} WHERE {} ORDER BY d.done, d.due_on, d.id LIMIT {lp}",
            conds.join(" AND ")
        );
        let rows = query(sql, params.args).fetch_all(&mut *conn).await?;
        let mut items = rows
            .iter()
            .map(|r| deadline_row(r, today, soon))
            .collect::<Result<Vec<_>>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|d| {
                let done = d.met_on.is_some() || d.waived_reason.is_some();
                format!("{}:{}:{}", done as i64, d.due_on, d.id)
            })
        } else {
            None
        };
        Ok(DeadlinePage { items, next })
    }

    /// The workbench tiles in one query: how many open obligations matching `q` (its state,
    /// cursor and limit ignored) are overdue and how many due soon, with the due-soon setting.
    pub async fn deadline_tiles(&self, actor: &Actor, q: &DeadlineQuery) -> Result<DeadlineTiles> {
        let mut conn = self.pool().acquire().await?;
        let soon = due_soon_days(&mut conn, actor.jurisdiction_id).await?;
        let t = today();
        let mut params = Params::default();
        let q = DeadlineQuery {
            after: None,
            state: StateFilter::Open,
            ..q.clone()
        };
        let conds = deadline_conditions(actor, &q, t, soon, &mut params);
        let until = t.checked_add(jiff::Span::new().days(soon)).unwrap_or(t);
        let (a, b) = (params.push(t.to_string()), params.push(until.to_string()));
        let sql = format!(
            "SELECT COALESCE(SUM(CASE WHEN d.due_on < {a} THEN 1 ELSE 0 END), 0) AS overdue, \
             COALESCE(SUM(CASE WHEN d.due_on >= {a} AND d.due_on <= {b} THEN 1 ELSE 0 END), 0) AS due_soon \
             FROM deadlines d WHERE {}",
            conds.join(" AND ")
        );
        let row = query(sql, params.args).fetch_one(&mut *conn).await?;
        Ok(DeadlineTiles {
            overdue: get_i64(&row, "overdue")?,
            due_soon: get_i64(&row, "due_soon")?,
            due_soon_days: soon,
        })
    }

    /// Loads a deadline for a change by the actor, checking scope, version and role.
    async fn deadline_for_change(
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> Result<(Deadline, i64)> {
        if !actor.can_write_cases() {
            return Err(forbid("当前角色无权处理期限"));
        }
        let (_, j) = deadline_subject(conn, actor, id).await?;
        let soon = due_soon_days(conn, j).await?;
        let d = deadline_on(conn, id, soon).await?;
        if d.version != version {
            return Err(StoreError::Conflict {
                expected: version,
                current: d.version,
            });
        }
        if matches!(actor.role, Role::UnitClerk | Role::UnitHead)
            && d.unit_id != Some(actor.unit_id)
        {
            return Err(forbid(&format!(
                "该期限由{}负责，单位只能处理本单位的期限",
                d.owner_label
            )));
        }
        Ok((d, soon))
    }

    async fn change_deadline(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        action: AuditAction,
        set: &str,
        args: Vec<crate::sql::Arg>,
    ) -> Result<Deadline> {
        let mut tx = self.write_tx().await?;
        let (before, soon) = Self::deadline_for_change(&mut tx, actor, id, version).await?;
        let n = args.len();
        let mut args = args;
        args.push(crate::now().into());
        args.push(id.into());
        let sql = format!(
            "UPDATE deadlines SET {set}, version = version + 1, updated_at = ${} WHERE id = ${}",
            n + 1,
            n + 2
        );
        query(sql, args).execute(&mut *tx).await?;
        let after = deadline_on(&mut tx, id, soon).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            action,
            AuditEntity::Deadline,
            id,
            before.proceeding_id,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records that a deadline was met on `met_on` (on time or late follows from the date).
    /// An obligation whose rule requires a submission is met only by an accepted submission.
    pub async fn mark_deadline_met(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        met_on: Date,
    ) -> Result<Deadline> {
        {
            let mut conn = self.pool().acquire().await?;
            // Out of scope is "not found", before anything about the deadline is said.
            let (_, j) = deadline_subject(&mut conn, actor, id).await?;
            let row = sqlx::query("SELECT d.rule_id, d.name FROM deadlines d WHERE d.id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            let (catalogue, _, _) = catalogue_on(&mut conn, j).await?;
            if catalogue.submit_spec(&get_str(&row, "rule_id")?).is_some() {
                return Err(FieldError::new(
                    "met_on",
                    "submission_required",
                    format!(
                        "“{}”须报送材料、经司法局审核通过后完成，不能直接标记完成",
                        get_str(&row, "name")?
                    ),
                )
                .into());
            }
        }
        self.change_deadline(
            actor,
            id,
            version,
            AuditAction::Met,
            "met_on = $1, waived_reason = NULL, waived_by = NULL, done = 1",
            vec![met_on.to_string().into()],
        )
        .await
    }

    /// Waives a deadline (豁免) with a reason; only the 司法局 coordinator may.
    pub async fn waive_deadline(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        reason: &str,
    ) -> Result<Deadline> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以豁免期限"));
        }
        let who = {
            let mut conn = self.pool().acquire().await?;
            crate::users::person_name(&mut conn, actor).await?
        };
        self.change_deadline(
            actor,
            id,
            version,
            AuditAction::Waive,
            "waived_reason = $1, waived_by = $2, met_on = NULL, done = 1",
            vec![reason.to_string().into(), who.into()],
        )
        .await
    }

    /// Undoes "met" or "waived" (recorded by mistake). What the bureau decided — a waiver, or
    /// a met date from an accepted submission — only the bureau undoes.
    pub async fn reopen_deadline(&self, actor: &Actor, id: i64, version: i64) -> Result<Deadline> {
        if !actor.can_administer() {
            let mut conn = self.pool().acquire().await?;
            let (_, j) = deadline_subject(&mut conn, actor, id).await?;
            let soon = due_soon_days(&mut conn, j).await?;
            let d = deadline_on(&mut conn, id, soon).await?;
            if d.waived_reason.is_some()
                || d.submission_state == Some(huajie_domain::obligation::SubmissionStatus::Accepted)
            {
                return Err(forbid("豁免或审核通过的期限只有司法局可以撤销"));
            }
        }
        self.change_deadline(
            actor,
            id,
            version,
            AuditAction::Reopen,
            "met_on = NULL, waived_reason = NULL, waived_by = NULL, done = $1",
            vec![0i64.into()],
        )
        .await
    }

    /// Records approved suspensions and an extension on a rule's deadline (replacing earlier
    /// ones; an empty adjustment removes them) and recomputes it and its internal targets.
    pub async fn adjust_deadline(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        adjustment: &Adjustment,
        reason: &str,
    ) -> Result<Deadline> {
        let mut tx = self.write_tx().await?;
        let (before, soon) = Self::deadline_for_change(&mut tx, actor, id, version).await?;
        if before.parent_rule_id.is_some() {
            return Err(FieldError::new(
                "extension",
                "internal_target",
                "内部节点随上级期限自动调整，请调整上级期限",
            )
            .into());
        }
        let event = event_on(&mut tx, before.event_id).await?;
        let (owed, j) = deadline_subject(&mut tx, actor, id).await?;
        let planner = Planner::load(&mut tx, j).await?;
        let rule = planner
            .catalogue
            .rules
            .iter()
            .find(|r| r.id == before.rule_id)
            .ok_or_else(|| {
                StoreError::from(FieldError::new(
                    "extension",
                    "rule_gone",
                    format!("现行规则库中已没有规则“{}”，不能调整", before.rule_id),
                ))
            })?;
        check_adjustment(rule, adjustment)?;
        let json = (!adjustment.is_empty())
            .then(|| serde_json::to_string(adjustment).expect("serialises"));
        sqlx::query("UPDATE deadlines SET adjustments = $1, version = version + 1 WHERE id = $2")
            .bind(json)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let input = EventInput {
            kind: event.kind,
            occurred_on: parse_day(&event.occurred_on)?,
            note: None,
        };
        let existing = event_rows(&mut tx, event.id).await?;
        let planned = planner
            .plan_for(&mut tx, &owed, &input, &existing, today())
            .await?;
        let by: Author = actor.into();
        let mut counts = Recomputed::default();
        let why = format!("期限调整（{reason}）");
        sync_event(
            &mut tx,
            &by,
            event.id,
            owed.sub(),
            j,
            &existing,
            &planned,
            &why,
            false,
            soon,
            &mut counts,
        )
        .await?;
        let after = deadline_on(&mut tx, id, soon).await?;
        let note = serde_json::json!({ "reason": reason, "adjustment": adjustment });
        audit::record(
            &mut tx,
            &by,
            AuditAction::Adjust,
            AuditEntity::Deadline,
            id,
            before.proceeding_id,
            Some(&before),
            Some(&note),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Recomputes every open deadline of every jurisdiction (e.g. after a calendar change made
    /// outside [`Store::import_calendar`]); `reason` is recorded on each change.
    pub async fn recompute_deadlines(&self, by: &Author, reason: &str) -> Result<Recomputed> {
        let mut tx = self.write_tx().await?;
        let counts = recompute(&mut tx, by, None, reason, false).await?;
        tx.commit().await?;
        Ok(counts)
    }
}

pub(crate) async fn event_deadlines(
    conn: &mut AnyConnection,
    event_id: i64,
    soon: i64,
) -> Result<Vec<Deadline>> {
    let mut p = Params::default();
    let cond = format!("d.event_id = {}", p.push(event_id));
    deadlines_where(conn, &cond, p, soon).await
}
