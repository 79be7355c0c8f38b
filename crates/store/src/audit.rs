//! The append-only audit log. [`record`] is called inside the transaction of every write, so
//! a change and its audit event commit (or roll back) together. Triggers in both schemas
//! refuse UPDATE and DELETE on `audit_events`.

use huajie_domain::access::Actor;
use huajie_domain::records::AuditEvent;
use serde::Serialize;
use sqlx::AnyConnection;

use crate::sql::{get_i64, get_opt_i64, get_opt_str, get_str};
use crate::{Result, Store};

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

/// Appends one audit event on the given connection (normally a transaction).
#[allow(clippy::too_many_arguments)]
pub async fn record<B: Serialize, A: Serialize>(
    conn: &mut AnyConnection,
    by: &Author,
    action: &str,
    entity: &str,
    entity_id: i64,
    proceeding_id: Option<i64>,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let before = before.map(|b| serde_json::to_string(b).expect("records serialise"));
    let after = after.map(|a| serde_json::to_string(a).expect("records serialise"));
    sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor_name, action, entity, entity_id, proceeding_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(crate::now())
    .bind(by.id)
    .bind(by.name.clone())
    .bind(action.to_string())
    .bind(entity.to_string())
    .bind(entity_id)
    .bind(proceeding_id)
    .bind(before)
    .bind(after)
    .execute(&mut *conn)
    .await?;
    Ok(())
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
    })
}

const COLS: &str =
    "id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json";

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
