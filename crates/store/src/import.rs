//! The ledger import (导入台账) in one transaction: new case numbers are inserted through the
//! bulk loader, known ones are updated in place (a re-import never duplicates), open cases with
//! a date of receipt get their event and deadlines, and a dry run does all of it and rolls back,
//! so it reports exactly what the real run would do.

use std::collections::HashMap;

use huajie_domain::access::Actor;
use huajie_domain::codes::CodeList;
use huajie_domain::deadline::EventInput;
use huajie_domain::import::{ImportRow, Lookup};
use huajie_domain::outcome::OutcomeInput;
use huajie_domain::proceeding::{DisputeInput, PartyRole, ProceedingKind, ProceedingStatus};
use huajie_domain::rules::EventKind;
use sqlx::AnyConnection;

use crate::audit::{self, Author};
use crate::bulk::{BulkDispute, BulkProceeding};
use crate::cases::{PROC_FIELDS, proc_args};
use crate::deadlines::EventPlanner;
use crate::sql::{Arg, Params, get_i64, get_opt_str, query};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub deadlines: u64,
    pub dry_run: bool,
}

/// Rows written per bulk batch (and per progress report).
const BATCH: usize = 2000;

/// The event whose deadlines an open imported case needs: the agency's receipt of the
/// complaint (or application) copy.
fn receipt_event(kind: ProceedingKind) -> Option<EventKind> {
    match kind {
        ProceedingKind::FirstInstance => Some(EventKind::ComplaintCopyReceived),
        ProceedingKind::Reconsideration => Some(EventKind::ReconCopyReceived),
        _ => None,
    }
}

fn bulk_of(r: &ImportRow) -> BulkDispute {
    let first = |role: PartyRole| {
        r.parties
            .iter()
            .find(|p| p.role == role)
            .and_then(|p| p.name.clone())
            .unwrap_or_default()
    };
    let title: String = format!(
        "{}与{}争议",
        first(PartyRole::Claimant),
        first(PartyRole::Defendant)
    )
    .chars()
    .take(200)
    .collect();
    let outcomes = r
        .outcome
        .map(|(code, decided_on)| {
            r.parties
                .iter()
                .enumerate()
                .filter(|(_, p)| p.role.is_defendant_side())
                .map(|(i, _)| OutcomeInput {
                    party_id: i as i64,
                    code,
                    decided_on,
                    grounds: Vec::new(),
                    note: None,
                })
                .collect()
        })
        .unwrap_or_default();
    BulkDispute {
        dispute: DisputeInput {
            title,
            domain: r.proceeding.domain.clone(),
            summary: None,
        },
        proceedings: vec![BulkProceeding {
            proceeding: r.proceeding.clone(),
            parties: r.parties.clone(),
            hearings: Vec::new(),
            outcomes,
        }],
    }
}

impl Store {
    /// The units, domains and act types rows are resolved against.
    pub async fn import_lookup(&self, actor: &Actor) -> Result<Lookup> {
        let mut l = Lookup::default();
        for u in self.list_units(Some(actor.jurisdiction_id)).await? {
            if u.active {
                l.add_unit(u.id, &u.name, u.short_name.as_deref());
            }
        }
        for c in self.codes(CodeList::Domain).await? {
            if c.active {
                l.add_domain(&c.code, &c.label);
            }
        }
        for c in self.codes(CodeList::ActType).await? {
            if c.active {
                l.add_act_type(&c.code, &c.label);
            }
        }
        Ok(l)
    }

    /// Imports validated rows into the actor's jurisdiction, all or nothing. `progress` is
    /// called with the number of rows done so far.
    pub async fn import_ledger(
        &self,
        actor: &Actor,
        rows: &[ImportRow],
        dry_run: bool,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportSummary> {
        if !actor.can_administer() {
            return Err(StoreError::Forbidden("只有司法局协调员可以导入台账".into()));
        }
        let j = actor.jurisdiction_id;
        let by: Author = actor.into();
        let mut tx = self.write_tx().await?;
        let known = existing_keys(&mut tx, j).await?;
        let planner = EventPlanner::load(&mut tx, j).await?;
        let mut summary = ImportSummary {
            dry_run,
            ..ImportSummary::default()
        };
        let (old, new): (Vec<&ImportRow>, Vec<&ImportRow>) =
            rows.iter().partition(|r| known.contains_key(&r.key));
        taken_elsewhere(&mut tx, j, &new).await?;
        let mut done = 0;
        // (proceeding, row, whether it existed before this import)
        let mut opened: Vec<(i64, &ImportRow, bool)> = Vec::new();
        for chunk in new.chunks(BATCH) {
            let batch: Vec<BulkDispute> = chunk.iter().map(|r| bulk_of(r)).collect();
            let ids = self.bulk_insert_in(&mut tx, &by, j, &batch).await?;
            opened.extend(
                ids.into_iter()
                    .zip(chunk.iter().copied())
                    .map(|(id, r)| (id, r, false)),
            );
            summary.created += chunk.len();
            done += chunk.len();
            progress(done);
        }
        for r in &old {
            let k = known[&r.key];
            update_one(&mut tx, &by, k, r).await?;
            opened.push((k.id, r, true));
            summary.updated += 1;
            done += 1;
            if done % BATCH == 0 {
                progress(done);
            }
        }
        // Deadlines for open cases from their date of receipt (once per proceeding).
        for (id, r, existed) in &opened {
            let p = &r.proceeding;
            let (Some(kind), Some(on)) = (receipt_event(p.kind), p.dates.received_on) else {
                continue;
            };
            // A case created by this import has no events yet.
            if p.status != ProceedingStatus::Pending
                || (*existed && has_event(&mut tx, *id, kind).await?)
            {
                continue;
            }
            summary.deadlines += planner
                .add(
                    &mut tx,
                    &by,
                    *id,
                    p.kind,
                    &EventInput {
                        kind,
                        occurred_on: on,
                        note: Some("导入台账时登记".into()),
                    },
                    "导入台账",
                )
                .await?;
        }
        progress(rows.len());
        audit::record(
            &mut tx,
            &by,
            AuditAction::Import,
            AuditEntity::Proceeding,
            0,
            None,
            None::<&()>,
            Some(&summary),
        )
        .await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(summary)
    }
}

/// A proceeding already known by its key: its id and its dispute.
#[derive(Clone, Copy)]
struct Known {
    id: i64,
    dispute_id: i64,
}

/// Case numbers and file numbers of the jurisdiction → the proceeding.
async fn existing_keys(conn: &mut AnyConnection, j: i64) -> Result<HashMap<String, Known>> {
    let rows = sqlx::query(
        "SELECT id, dispute_id, case_no, reference_no FROM proceedings WHERE jurisdiction_id = $1",
    )
    .bind(j)
    .fetch_all(&mut *conn)
    .await?;
    let mut m = HashMap::with_capacity(rows.len() * 2);
    for r in &rows {
        let known = Known {
            id: get_i64(r, "id")?,
            dispute_id: get_i64(r, "dispute_id")?,
        };
        if let Some(k) = get_opt_str(r, "reference_no")? {
            m.insert(k, known);
        }
        if let Some(k) = get_opt_str(r, "case_no")? {
            m.insert(k, known);
        }
    }
    Ok(m)
}

/// Refuses new rows whose 案号 another jurisdiction has already registered (case numbers are
/// unique in the installation): every such row with its line, before anything is written.
async fn taken_elsewhere(conn: &mut AnyConnection, j: i64, new: &[&ImportRow]) -> Result<()> {
    let mut inv = huajie_domain::Invalid::default();
    for chunk in new.chunks(500) {
        let mut p = Params::default();
        let jp = p.push(j);
        let list: Vec<String> = chunk
            .iter()
            .filter_map(|r| r.proceeding.case_no.as_ref())
            .map(|c| p.push(c.to_string()))
            .collect();
        if list.is_empty() {
            continue;
        }
        let rows = query(
            format!(
                "SELECT case_no FROM proceedings WHERE jurisdiction_id <> {jp} AND case_no IN ({})",
                list.join(", ")
            ),
            p.args,
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let taken = get_opt_str(r, "case_no")?.unwrap_or_default();
            if let Some(row) = chunk.iter().find(|x| {
                x.proceeding.case_no.as_ref().map(|c| c.to_string()) == Some(taken.clone())
            }) {
                inv.push(huajie_domain::FieldError::new(
                    format!("rows[{}].case_no", row.line),
                    "duplicate_case_no",
                    format!(
                        "第{}行：案号{taken}已在其他县（区）登记，不能重复导入",
                        row.line
                    ),
                ));
            }
        }
    }
    inv.into_result(())?;
    Ok(())
}

async fn has_event(conn: &mut AnyConnection, id: i64, kind: EventKind) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE proceeding_id = $1 AND kind = $2")
            .bind(id)
            .bind(kind.code())
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

/// Updates a known proceeding from a row: the fields the row has (empty cells keep what is
/// recorded), any defendant unit not yet a party, and the outcome of every defendant when the
/// row has one.
async fn update_one(
    conn: &mut AnyConnection,
    by: &Author,
    Known { id, dispute_id }: Known,
    r: &ImportRow,
) -> Result<()> {
    let mut p = Params::default();
    // Empty cells do not erase what is known: only values the row has are written.
    let sets: Vec<String> = PROC_FIELDS
        .iter()
        .zip(proc_args(dispute_id, &r.proceeding))
        .filter(|(_, a)| !matches!(a, Arg::OptInt(None) | Arg::OptText(None)))
        .map(|(f, a)| format!("{f} = {}", p.push(a)))
        .collect();
    let now = crate::now();
    let nowp = p.push(now.clone());
    let idp = p.push(id);
    query(
        format!(
            "UPDATE proceedings SET {}, version = version + 1, updated_at = {nowp} WHERE id = {idp}",
            sets.join(", ")
        ),
        p.args,
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        crate::sql::on_unique(
            e,
            "case_no",
            "duplicate_case_no",
            format!("第{}行的案号已被其他案件使用", r.line),
        )
    })?;
    // The parties carry a copy of registered_on for the unit's ledger pages.
    sqlx::query("UPDATE parties SET registered_on = $1 WHERE proceeding_id = $2")
        .bind(r.proceeding.registered_on.to_string())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let party_rows = sqlx::query("SELECT id, role, unit_id FROM parties WHERE proceeding_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut defendants: Vec<i64> = Vec::new();
    let mut units: Vec<i64> = Vec::new();
    for pr in &party_rows {
        let role = get_opt_str(pr, "role")?.unwrap_or_default();
        if let Some(u) = crate::sql::get_opt_i64(pr, "unit_id")? {
            units.push(u);
        }
        if PartyRole::from_code(&role).is_some_and(PartyRole::is_defendant_side) {
            defendants.push(get_i64(pr, "id")?);
        }
    }
    let mut owners_changed = false;
    for party in r.parties.iter().filter(|x| x.role.is_defendant_side()) {
        if party.unit_id.is_some_and(|u| units.contains(&u)) {
            continue;
        }
        let pid: i64 = sqlx::query_scalar(
            "INSERT INTO parties (proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(id)
        .bind(party.role.code())
        .bind(party.kind.code())
        .bind(party.name.clone().unwrap_or_default())
        .bind(party.unit_id)
        .bind(r.proceeding.registered_on.to_string())
        .bind(now.clone())
        .fetch_one(&mut *conn)
        .await?;
        audit::record(
            conn,
            by,
            AuditAction::Create,
            AuditEntity::Party,
            pid,
            Some(id),
            None::<&()>,
            Some(&serde_json::json!({
                "role": party.role, "kind": party.kind, "name": party.name,
                "unit_id": party.unit_id, "import_line": r.line,
            })),
        )
        .await?;
        defendants.push(pid);
        owners_changed = true;
    }
    if let Some((code, decided_on)) = r.outcome {
        sqlx::query("DELETE FROM outcomes WHERE proceeding_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for pid in &defendants {
            sqlx::query(
                "INSERT INTO outcomes (proceeding_id, party_id, code, decided_on, grounds, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, '', 1, $5, $5)",
            )
            .bind(id)
            .bind(*pid)
            .bind(code.code())
            .bind(decided_on.to_string())
            .bind(now.clone())
            .execute(&mut *conn)
            .await?;
        }
    }
    crate::cases::refresh_names(conn, id).await?;
    if owners_changed || r.outcome.is_some() {
        // New defendant units owe their own obligations; a changed outcome moves the
        // loss-only ones (the same re-sync as the case page's party and outcome forms).
        crate::deadlines::resync_owners(conn, by, id).await?;
    }
    audit::record(
        conn,
        by,
        AuditAction::Update,
        AuditEntity::Proceeding,
        id,
        Some(id),
        None::<&()>,
        Some(&serde_json::json!({"import_line": r.line, "key": r.key})),
    )
    .await?;
    Ok(())
}
