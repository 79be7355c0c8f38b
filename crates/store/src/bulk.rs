//! Bulk loading for demo and scale data: multi-row INSERTs in large transactions with ids
//! allocated up front, so a million proceedings load in minutes on both engines.
//! Each batch writes one audit event (`bulk_create`) in the same transaction.

use huajie_domain::hearing::{AppearanceInput, HearingInput};
use huajie_domain::outcome::OutcomeInput;
use huajie_domain::proceeding::{DisputeInput, PartyInput, PartyRole, ProceedingInput};
use sqlx::AnyConnection;

use crate::audit::{self, Author};
use crate::cases::join_names;
use crate::sql::{Arg, query};
use crate::{Backend, Result, Store};
use huajie_domain::audit::{AuditAction, AuditEntity};

/// A generated proceeding with everything recorded on it. Party names must be filled in.
#[derive(Debug, Clone)]
pub struct BulkProceeding {
    pub proceeding: ProceedingInput,
    pub parties: Vec<PartyInput>,
    pub hearings: Vec<(HearingInput, Vec<AppearanceInput>)>,
    /// Outcomes; `party_id` is the index of the party in `parties`.
    pub outcomes: Vec<OutcomeInput>,
}

/// A generated dispute with its proceedings (in stage order).
#[derive(Debug, Clone)]
pub struct BulkDispute {
    pub dispute: DisputeInput,
    pub proceedings: Vec<BulkProceeding>,
}

/// Ids to use next, one counter per table.
#[derive(Debug, Default)]
struct Ids {
    dispute: i64,
    proceeding: i64,
    party: i64,
    hearing: i64,
    appearance: i64,
    outcome: i64,
}

const TABLES: [&str; 6] = [
    "disputes",
    "proceedings",
    "parties",
    "hearings",
    "appearances",
    "outcomes",
];

/// Largest number of bound parameters in one statement (SQLite allows 32766).
const MAX_PARAMS: usize = 30_000;

/// Multi-row INSERT. SQLite gets positional `?` placeholders: it resolves `$N` names by a linear
/// search per parameter, which makes a 30,000-parameter statement quadratic (measured: 90 % of
/// the load time in `sqlite3_bind_parameter_name`).
async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<Arg>>,
) -> Result<()> {
    let per_stmt = (MAX_PARAMS / cols.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut args = Vec::new();
        let mut groups = Vec::new();
        for row in rows.by_ref().take(per_stmt) {
            debug_assert_eq!(row.len(), cols.len());
            let start = args.len();
            let ph: Vec<String> = match backend {
                Backend::Sqlite => vec!["?".to_string(); row.len()],
                Backend::Postgres => (1..=row.len()).map(|i| format!("${}", start + i)).collect(),
            };
            groups.push(format!("({})", ph.join(",")));
            args.extend(row);
        }
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            cols.join(","),
            groups.join(",")
        );
        query(sql, args).execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    async fn next_ids(&self, conn: &mut AnyConnection) -> Result<Ids> {
        let mut next = [0i64; 6];
        for (i, t) in TABLES.iter().enumerate() {
            let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {t}");
            next[i] = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut *conn)
                .await?;
        }
        Ok(Ids {
            dispute: next[0],
            proceeding: next[1],
            party: next[2],
            hearing: next[3],
            appearance: next[4],
            outcome: next[5],
        })
    }

    /// Inserts one batch of disputes in one transaction; returns the number of proceedings.
    pub async fn bulk_insert(
        &self,
        by: &Author,
        jurisdiction_id: i64,
        batch: &[BulkDispute],
    ) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        let ids = self
            .bulk_insert_in(&mut tx, by, jurisdiction_id, batch)
            .await?;
        tx.commit().await?;
        Ok(ids.len())
    }

    /// [`Store::bulk_insert`] inside the caller's transaction; returns the new proceedings' ids
    /// in input order.
    pub(crate) async fn bulk_insert_in(
        &self,
        tx: &mut AnyConnection,
        by: &Author,
        jurisdiction_id: i64,
        batch: &[BulkDispute],
    ) -> Result<Vec<i64>> {
        if self.backend() == Backend::Postgres {
            // Ids are allocated here as MAX(id) + 1 and the identity sequences moved at the end.
            // A registration running at the same time would take an id from the sequence that
            // this batch also uses (a unique violation, answered 500). The lock waits for
            // writers already under way (so MAX sees their rows) and holds new ones until this
            // transaction commits, after the sequences moved. Readers are not blocked.
            let sql = format!(
                "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
                TABLES.join(", ")
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
        }
        let mut ids = self.next_ids(tx).await?;
        let first_proceeding = ids.proceeding;
        let now = crate::now();
        let (mut disputes, mut procs, mut parties, mut hearings, mut appearances, mut outcomes) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for d in batch {
            let dispute_id = ids.dispute;
            ids.dispute += 1;
            disputes.push(vec![
                dispute_id.into(),
                jurisdiction_id.into(),
                d.dispute.title.clone().into(),
                d.dispute.domain.clone().into(),
                d.dispute.summary.clone().into(),
                now.clone().into(),
            ]);
            for bp in &d.proceedings {
                let pid = ids.proceeding;
                ids.proceeding += 1;
                let p = &bp.proceeding;
                let names = |pred: fn(PartyRole) -> bool| {
                    join_names(
                        bp.parties
                            .iter()
                            .filter(|x| pred(x.role))
                            .map(|x| x.name.as_deref().unwrap_or("")),
                        200,
                    )
                };
                let claimants = names(|r| r == PartyRole::Claimant);
                let defendants = names(PartyRole::is_defendant_side);
                let mut row: Vec<Arg> = vec![pid.into(), jurisdiction_id.into()];
                row.extend(crate::cases::proc_args(dispute_id, p));
                row.extend([claimants.into(), defendants.into(), now.clone().into()]);
                procs.push(row);
                let first_party = ids.party;
                for party in &bp.parties {
                    parties.push(vec![
                        ids.party.into(),
                        pid.into(),
                        party.role.code().into(),
                        party.kind.code().into(),
                        party.name.clone().unwrap_or_default().into(),
                        party.unit_id.into(),
                        p.registered_on.to_string().into(),
                        now.clone().into(),
                    ]);
                    ids.party += 1;
                }
                for (h, apps) in &bp.hearings {
                    let hid = ids.hearing;
                    ids.hearing += 1;
                    hearings.push(vec![
                        hid.into(),
                        pid.into(),
                        h.scheduled_at.to_string().into(),
                        h.place.clone().into(),
                        h.note.clone().into(),
                        now.clone().into(),
                    ]);
                    for a in apps {
                        appearances.push(vec![
                            ids.appearance.into(),
                            hid.into(),
                            a.unit_id.into(),
                            a.person_name.clone().into(),
                            a.post.clone().into(),
                            a.level.code().into(),
                            a.appeared.into(),
                            a.spoke.into(),
                            a.excuse.clone().into(),
                            now.clone().into(),
                        ]);
                        ids.appearance += 1;
                    }
                }
                for o in &bp.outcomes {
                    let grounds: Vec<&str> = o.grounds.iter().map(|g| g.code()).collect();
                    outcomes.push(vec![
                        ids.outcome.into(),
                        pid.into(),
                        (first_party + o.party_id).into(),
                        o.code.code().into(),
                        o.decided_on.to_string().into(),
                        grounds.join(",").into(),
                        o.note.clone().into(),
                        now.clone().into(),
                    ]);
                    ids.outcome += 1;
                }
            }
        }
        let n = procs.len();
        insert_rows(
            tx,
            self.backend(),
            "disputes",
            &[
                "id",
                "jurisdiction_id",
                "title",
                "domain",
                "summary",
                "created_at",
                "updated_at",
            ],
            with_updated(disputes),
        )
        .await?;
        let mut pcols = vec!["id", "jurisdiction_id"];
        pcols.extend(crate::cases::PROC_FIELDS);
        pcols.extend(["claimants", "defendants", "created_at", "updated_at"]);
        insert_rows(
            tx,
            self.backend(),
            "proceedings",
            &pcols,
            with_updated(procs),
        )
        .await?;
        insert_rows(
            tx,
            self.backend(),
            "parties",
            &[
                "id",
                "proceeding_id",
                "role",
                "kind",
                "name",
                "unit_id",
                "registered_on",
                "created_at",
                "updated_at",
            ],
            with_updated(parties),
        )
        .await?;
        insert_rows(
            tx,
            self.backend(),
            "hearings",
            &[
                "id",
                "proceeding_id",
                "scheduled_at",
                "place",
                "note",
                "created_at",
                "updated_at",
            ],
            with_updated(hearings),
        )
        .await?;
        insert_rows(
            tx,
            self.backend(),
            "appearances",
            &[
                "id",
                "hearing_id",
                "unit_id",
                "person_name",
                "post",
                "level",
                "appeared",
                "spoke",
                "excuse",
                "created_at",
                "updated_at",
            ],
            with_updated(appearances),
        )
        .await?;
        insert_rows(
            tx,
            self.backend(),
            "outcomes",
            &[
                "id",
                "proceeding_id",
                "party_id",
                "code",
                "decided_on",
                "grounds",
                "note",
                "created_at",
                "updated_at",
            ],
            with_updated(outcomes),
        )
        .await?;
        let note = serde_json::json!({"proceedings": n, "first_id": first_proceeding, "last_id": ids.proceeding - 1});
        audit::record(
            tx,
            by,
            AuditAction::BulkCreate,
            AuditEntity::Proceeding,
            first_proceeding,
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        if self.backend() == Backend::Postgres {
            for t in TABLES {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST((SELECT MAX(id) FROM {t}), 1))"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        Ok((first_proceeding..first_proceeding + n as i64).collect())
    }

    /// Number of proceedings in the installation.
    pub async fn count_proceedings(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM proceedings")
            .fetch_one(self.pool())
            .await?)
    }
}

/// Appends `updated_at` (equal to the last value, `created_at`) to every row.
fn with_updated(rows: Vec<Vec<Arg>>) -> Vec<Vec<Arg>> {
    rows.into_iter()
        .map(|mut r| {
            let last = r.last().cloned().expect("rows end with created_at");
            r.push(last);
            r
        })
        .collect()
}
