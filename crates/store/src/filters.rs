//! Saved ledger filters (保存的筛选): a user's named query strings for the 案件台账 page.
//! Personal view settings, so they are not written to the audit log.

use huajie_domain::FieldError;
use huajie_domain::access::Actor;

use crate::sql::{get_i64, get_str};
use crate::{Result, Store, StoreError};

/// At most this many saved filters per user.
pub const MAX_SAVED_FILTERS: i64 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFilter {
    pub id: i64,
    pub name: String,
    /// The ledger's query string (without the page cursor).
    pub query: String,
}

impl Store {
    pub async fn saved_filters(&self, actor: &Actor) -> Result<Vec<SavedFilter>> {
        let rows = sqlx::query(
            "SELECT id, name, query FROM saved_filters WHERE user_id = $1 ORDER BY name",
        )
        .bind(actor.user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SavedFilter {
                    id: get_i64(r, "id")?,
                    name: get_str(r, "name")?,
                    query: get_str(r, "query")?,
                })
            })
            .collect()
    }

    /// Saves (or, under an existing name, replaces) a filter of the actor's.
    pub async fn save_filter(&self, actor: &Actor, name: &str, query: &str) -> Result<()> {
        let name = huajie_domain::error::text("name", "筛选名称", name, 30)?;
        let name = name.as_str();
        if query.len() > 2000 {
            return Err(FieldError::new("query", "too_long", "筛选条件过长").into());
        }
        // A query string as the ledger writes it: percent-encoded, so printable ASCII only (a
        // CR/LF here would end up in the `Location` of the redirect that shows the filter).
        if !query.chars().all(|c| c.is_ascii_graphic()) {
            return Err(FieldError::new(
                "query",
                "invalid",
                "筛选条件无效，请在台账页面重新筛选后保存",
            )
            .into());
        }
        let mut tx = self.write_tx().await?;
        let replaced =
            sqlx::query("UPDATE saved_filters SET query = $1 WHERE user_id = $2 AND name = $3")
                .bind(query.to_string())
                .bind(actor.user_id)
                .bind(name.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if replaced == 0 {
            let count: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM saved_filters WHERE user_id = $1")
                    .bind(actor.user_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if count >= MAX_SAVED_FILTERS {
                return Err(FieldError::new(
                    "name",
                    "too_many",
                    format!("最多保存{MAX_SAVED_FILTERS}个筛选，请先删除不用的"),
                )
                .into());
            }
            sqlx::query(
                "INSERT INTO saved_filters (user_id, name, query, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(actor.user_id)
            .bind(name.to_string())
            .bind(query.to_string())
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes one of the actor's own saved filters.
    pub async fn delete_filter(&self, actor: &Actor, id: i64) -> Result<()> {
        let n = sqlx::query("DELETE FROM saved_filters WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(actor.user_id)
            .execute(self.pool())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
