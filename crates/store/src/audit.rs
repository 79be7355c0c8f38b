//! The append-only, tamper-evident audit log. [`record`] is called inside the transaction of
//! every write, so a change and its audit event commit (or roll back) together. Triggers in
//! both schemas refuse UPDATE and DELETE on `audit_events` (but giving a row written before the
//! chain existed its hashes, once). Every row is sealed with an SM3 hash of its content and of
//! the row before ([`chain_hash`]); [`Store::verify_audit`] walks the chain. Rows are never
//! deleted by the application: retention is unlimited (at least the six months 等保 asks).

use huajie_domain::access::Actor;
use huajie_domain::records::AuditEvent;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::sql::{get_i64, get_opt_i64, get_opt_str, get_str};
use crate::{Result, Store};
use huajie_domain::audit::{AuditAction, AuditEntity};

/// Who performed a write, as written into the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub id: Option<i64>,
    pub name: String,
}

impl Author {
    /// A command-line or system operation without a logged-in user.
    pub fn system(name: &str) -> Author {
        Author {
            id: None,
            name: name.to_string(),
        }
    }
}

impl From<&Actor> for Author {
    fn from(a: &Actor) -> Self {
        Author {
            id: Some(a.user_id),
            name: a.username.clone(),
        }
    }
}

tokio::task_local! {
    /// The reason a person gave for the change being written (更正原因), if any: set around a
    /// store call with [`with_reason`], read by [`record`] for every audit event it writes.
    static REASON: Option<String>;
}

/// Runs a store operation with the reason its user gave (a correction, a withdrawal): every
/// audit event the operation writes carries it.
pub async fn with_reason<F: std::future::Future>(reason: Option<String>, f: F) -> F::Output {
    REASON.scope(reason, f).await
}

/// The SM3 hash (hex) that seals one audit row: the previous row's hash, a line break, then the
/// row's content as a JSON array in a fixed order. Any change to a sealed row, or a row taken
/// out of the chain, breaks the link to the next one.
#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    prev: &str,
    at: &str,
    actor_id: Option<i64>,
    actor_name: &str,
    action: &str,
    entity: &str,
    entity_id: i64,
    proceeding_id: Option<i64>,
    before: Option<&str>,
    after: Option<&str>,
    reason: Option<&str>,
) -> String {
    use sm3::{Digest, Sm3};
    let content = serde_json::to_string(&(
        at,
        actor_id,
        actor_name,
        action,
        entity,
        entity_id,
        proceeding_id,
        before,
        after,
        reason,
    ))
    .expect("plain values serialise");
    let mut h = Sm3::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends one audit event on the given connection (normally a transaction), sealed into the
/// hash chain: the chain head is written first (which serialises audit writers until commit),
/// then the row with its hashes, then the new head. Outside a transaction the three statements
/// run in one of their own; inside one, in a savepoint.
#[allow(clippy::too_many_arguments)]
pub async fn record<B: Serialize, A: Serialize>(
    conn: &mut AnyConnection,
    by: &Author,
    action: AuditAction,
    entity: AuditEntity,
    entity_id: i64,
    proceeding_id: Option<i64>,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    use sqlx::Connection;
    let before = before.map(|b| serde_json::to_string(b).expect("records serialise"));
    let after = after.map(|a| serde_json::to_string(a).expect("records serialise"));
    let reason = REASON.try_with(|r| r.clone()).ok().flatten();
    let mut tx = conn.begin().await?;
    let prev: String = sqlx::query_scalar(
        "UPDATE audit_head SET last_id = last_id WHERE id = 1 RETURNING last_hash",
    )
    .fetch_one(&mut *tx)
    .await?;
    let at = crate::now();
    let hash = chain_hash(
        &prev,
        &at,
        by.id,
        &by.name,
        action.code(),
        entity.code(),
        entity_id,
        proceeding_id,
        before.as_deref(),
        after.as_deref(),
        reason.as_deref(),
    );
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_events (at, actor_id, actor_name, action, entity, entity_id, proceeding_id, before_json, after_json, reason, prev_hash, row_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(at)
    .bind(by.id)
    .bind(by.name.clone())
    .bind(action.code())
    .bind(entity.code())
    .bind(entity_id)
    .bind(proceeding_id)
    .bind(before)
    .bind(after)
    .bind(reason)
    .bind(prev)
    .bind(hash.clone())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

const CHAIN_COLS: &str = "id, at, actor_id, actor_name, action, entity, entity_id, proceeding_id, before_json, after_json, reason, prev_hash, row_hash";

fn row_hash_of(r: &sqlx::any::AnyRow, prev: &str) -> Result<String> {
    Ok(chain_hash(
        prev,
        &get_str(r, "at")?,
        get_opt_i64(r, "actor_id")?,
        &get_str(r, "actor_name")?,
        &get_str(r, "action")?,
        &get_str(r, "entity")?,
        get_i64(r, "entity_id")?,
        get_opt_i64(r, "proceeding_id")?,
        get_opt_str(r, "before_json")?.as_deref(),
        get_opt_str(r, "after_json")?.as_deref(),
        get_opt_str(r, "reason")?.as_deref(),
    ))
}

/// Seals the rows written before the chain existed (migration 0018), in id order, continuing
/// from the chain head. Runs in [`Store::migrate`] before anything else writes.
pub(crate) async fn seal_unsealed(store: &Store) -> Result<u64> {
    // Every row `record` writes moves the head to its id, so unsealed rows are exactly those
    // after the head: two index look-ups tell, without a write lock, whether there are any.
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_head h WHERE EXISTS (SELECT 1 FROM audit_events a WHERE a.id > h.last_id)",
    )
    .fetch_one(store.pool())
    .await?;
    if pending == 0 {
        return Ok(0);
    }
    let mut sealed = 0u64;
    loop {
        let mut tx = store.write_tx().await?;
        let (mut last_id, mut prev): (i64, String) = {
            let r = sqlx::query("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
            (get_i64(&r, "last_id")?, get_str(&r, "last_hash")?)
        };
        let rows = crate::sql::query(
            format!("SELECT {CHAIN_COLS} FROM audit_events WHERE id > $1 ORDER BY id LIMIT 5000"),
            vec![last_id.into()],
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(sealed);
        }
        for r in &rows {
            let id = get_i64(r, "id")?;
            let hash = row_hash_of(r, &prev)?;
            sqlx::query("UPDATE audit_events SET prev_hash = $1, row_hash = $2 WHERE id = $3")
                .bind(prev.clone())
                .bind(hash.clone())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            prev = hash;
            last_id = last_id.max(id);
        }
        sqlx::query("UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1")
            .bind(last_id)
            .bind(prev)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        sealed += rows.len() as u64;
    }
}

/// The result of checking the audit chain (`huajie audit verify`, 审计日志).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    /// Rows checked.
    pub rows: i64,
    /// The first broken link: the row's id and what is wrong, in Chinese.
    pub broken: Option<(i64, String)>,
    /// The hash of the last row (to note down outside the system, so that a cut-off tail is
    /// noticed too).
    pub head: String,
    /// Whether only the most recent rows were checked.
    pub partial: bool,
}

impl Store {
    /// Checks the audit hash chain: every row's hash matches its content and the previous
    /// row's hash, and the chain head names the last row. `recent` checks only that many of
    /// the newest rows (the page's quick check); `None` checks all of them.
    pub async fn verify_audit(&self, recent: Option<i64>) -> Result<ChainCheck> {
        let mut conn = self.pool().acquire().await?;
        let head = sqlx::query("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
        let (head_id, head_hash) = (get_i64(&head, "last_id")?, get_str(&head, "last_hash")?);
        // Where to start: the first row, or the row before the recent window (its stored
        // hash is taken as given).
        let (mut after_id, mut prev, partial) = match recent {
            Some(n) => {
                let anchor = sqlx::query(
                    "SELECT id, row_hash FROM audit_events ORDER BY id DESC LIMIT 1 OFFSET $1",
                )
                .bind(n.max(1))
                .fetch_optional(&mut *conn)
                .await?;
                match anchor {
                    Some(a) => (
                        get_i64(&a, "id")?,
                        get_opt_str(&a, "row_hash")?.unwrap_or_default(),
                        true,
                    ),
                    None => (0, String::new(), false),
                }
            }
            None => (0, String::new(), false),
        };
        let mut rows = 0i64;
        let mut last_id = after_id;
        let broken = |id: i64, why: &str| Some((id, why.to_string()));
        loop {
            let batch = crate::sql::query(
                format!(
                    "SELECT {CHAIN_COLS} FROM audit_events WHERE id > $1 ORDER BY id LIMIT 10000"
                ),
                vec![after_id.into()],
            )
            .fetch_all(&mut *conn)
            .await?;
            if batch.is_empty() {
                break;
            }
            for r in &batch {
                let id = get_i64(r, "id")?;
                rows += 1;
                let (Some(stored_prev), Some(stored)) =
                    (get_opt_str(r, "prev_hash")?, get_opt_str(r, "row_hash")?)
                else {
                    return Ok(ChainCheck {
                        rows,
                        broken: broken(id, "该条记录没有封存哈希"),
                        head: head_hash,
                        partial,
                    });
                };
                if stored_prev != prev {
                    return Ok(ChainCheck {
                        rows,
                        broken: broken(
                            id,
                            "与前一条记录的链接断开（前面的记录被删除、插入或修改）",
                        ),
                        head: head_hash,
                        partial,
                    });
                }
                if row_hash_of(r, &prev)? != stored {
                    return Ok(ChainCheck {
                        rows,
                        broken: broken(id, "内容与封存哈希不符（该条记录被修改）"),
                        head: head_hash,
                        partial,
                    });
                }
                prev = stored;
                last_id = id;
            }
            after_id = last_id;
        }
        let broken = if last_id != head_id || prev != head_hash {
            broken(
                last_id,
                "链尾与记录的末条不符（末尾的记录被删除或链头被改动）",
            )
        } else {
            None
        };
        Ok(ChainCheck {
            rows,
            broken,
            head: head_hash,
            partial,
        })
    }
}

fn event(row: &sqlx::any::AnyRow) -> Result<AuditEvent> {
    let json = |c: &str| -> Result<Option<serde_json::Value>> {
        Ok(get_opt_str(row, c)?.and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(AuditEvent {
        id: get_i64(row, "id")?,
        at: get_str(row, "at")?,
        actor_id: get_opt_i64(row, "actor_id")?,
        actor_name: get_str(row, "actor_name")?,
        action: get_str(row, "action")?,
        entity: get_str(row, "entity")?,
        entity_id: get_i64(row, "entity_id")?,
        before: json("before_json")?,
        after: json("after_json")?,
        reason: get_opt_str(row, "reason")?,
        proceeding_id: get_opt_i64(row, "proceeding_id")?,
        // Only the audit search joins these; other reads leave them empty.
        actor_display: get_opt_str(row, "actor_display").ok().flatten(),
        case_label: get_opt_str(row, "case_label").ok().flatten(),
    })
}

const COLS: &str = "id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json, reason, proceeding_id";

impl Store {
    /// History of one record, oldest first. For a proceeding this includes the events of its
    /// parties, hearings, appearances and outcomes. The caller checks read access first.
    pub async fn history(&self, entity: &str, entity_id: i64) -> Result<Vec<AuditEvent>> {
        let sql = if entity == "proceeding" {
            format!(
                "SELECT {COLS} FROM audit_events WHERE (entity = $1 AND entity_id = $2) OR proceeding_id = $2 ORDER BY id"
            )
        } else {
            format!(
                "SELECT {COLS} FROM audit_events WHERE entity = $1 AND entity_id = $2 ORDER BY id"
            )
        };
        let rows = crate::sql::query(sql, vec![entity.into(), entity_id.into()])
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(event).collect()
    }

    /// Number of audit events (for tests and the `verify` checks).
    pub async fn audit_count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events")
                .fetch_one(self.pool())
                .await?,
        )
    }
}

impl Store {
    /// Logs a refused request (an attempt to see or change what the actor may not): action
    /// `denied` on entity `access`, with the method, path and status in `after`.
    /// `user` is the refused user (`None`: a request with a bad token, `who` then being the
    /// client's address); `folded_before` counts identical refusals folded into this row.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_denial(
        &self,
        user: Option<(i64, &str)>,
        who: &str,
        method: &str,
        path: &str,
        status: u16,
        folded_before: u32,
    ) -> Result<()> {
        let mut conn = self.pool().acquire().await?;
        let mut detail = serde_json::json!({
            "method": method,
            "path": path.chars().take(300).collect::<String>(),
            "status": status,
        });
        match user {
            Some((_, role)) if !role.is_empty() => detail["role"] = role.into(),
            Some(_) => {}
            None => {
                detail["source"] = who.into();
                detail["reason"] = "invalid_token".into();
            }
        }
        if folded_before > 0 {
            // Identical refusals folded into this row (see huajie_web::denials).
            detail["repeated"] = folded_before.into();
        }
        let by = match user {
            Some((id, _)) => Author {
                id: Some(id),
                name: who.to_string(),
            },
            None => Author::system("（无效令牌）"),
        };
        record::<(), _>(
            &mut conn,
            &by,
            AuditAction::Denied,
            AuditEntity::Access,
            0,
            None,
            None,
            Some(&detail),
        )
        .await
    }
}

impl Store {
    /// Records that an actor exported or downloaded a report (`what` says which, e.g. the
    /// ledger filter or the period), with the number of rows.
    pub async fn record_export(
        &self,
        actor: &Actor,
        entity: AuditEntity,
        detail: serde_json::Value,
    ) -> Result<()> {
        let mut conn = self.pool().acquire().await?;
        record::<(), _>(
            &mut conn,
            &actor.into(),
            AuditAction::Export,
            entity,
            0,
            None,
            None,
            Some(&detail),
        )
        .await
    }
}

/// A search of the audit log (审计日志), newest first, paged by id.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Exact user name of the actor.
    pub actor_name: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    /// Inclusive day bounds, `YYYY-MM-DD`.
    pub from: Option<jiff::civil::Date>,
    pub to: Option<jiff::civil::Date>,
    /// Only events older than this id (the next page).
    pub before_id: Option<i64>,
    pub limit: i64,
}

impl Store {
    /// Audit events of the actor's jurisdiction (events by its users, and by the system),
    /// for coordinators and auditors.
    pub async fn search_audit(&self, actor: &Actor, q: &AuditQuery) -> Result<Vec<AuditEvent>> {
        if !actor.can_read_full_audit() {
            return Err(crate::StoreError::Forbidden(
                "只有司法局协调员和审计员可以查看审计日志".into(),
            ));
        }
        let mut params = crate::sql::Params::default();
        let j = params.push(actor.jurisdiction_id);
        let mut conds = vec![format!(
            "(a.actor_id IS NULL OR a.actor_id IN (SELECT u.id FROM users u JOIN units un ON un.id = u.unit_id WHERE un.jurisdiction_id = {j} OR un.id = {j}))"
        )];
        if let Some(v) = &q.actor_name {
            conds.push(format!("a.actor_name = {}", params.push(v.clone())));
        }
        if let Some(v) = &q.action {
            conds.push(format!("a.action = {}", params.push(v.clone())));
        }
        if let Some(v) = &q.entity {
            conds.push(format!("a.entity = {}", params.push(v.clone())));
        }
        if let Some(v) = q.entity_id {
            conds.push(format!("a.entity_id = {}", params.push(v)));
        }
        // Times are stored in UTC; a Beijing day starts at 16:00 UTC of the day before.
        let beijing_midnight =
            |d: jiff::civil::Date| format!("{}T16:00:00.000Z", d.yesterday().unwrap_or(d));
        if let Some(d) = q.from {
            conds.push(format!("a.at >= {}", params.push(beijing_midnight(d))));
        }
        if let Some(d) = q.to {
            let next = d.tomorrow().unwrap_or(d);
            conds.push(format!("a.at < {}", params.push(beijing_midnight(next))));
        }
        if let Some(b) = q.before_id {
            conds.push(format!("a.id < {}", params.push(b)));
        }
        let cols = COLS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        // The person's name and the case number beside every row (审计日志 shows both).
        let sql = format!(
            "SELECT {cols}, us.display_name AS actor_display, COALESCE(pr.case_no, pr.reference_no) AS case_label \
             FROM audit_events a LEFT JOIN users us ON us.id = a.actor_id LEFT JOIN proceedings pr ON pr.id = a.proceeding_id \
             WHERE {} ORDER BY a.id DESC LIMIT {}",
            conds.join(" AND "),
            params.push(q.limit.clamp(1, 500))
        );
        let rows = crate::sql::query(sql, params.args)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(event).collect()
    }
}
