//! Code lists (领域, act type) and installation settings such as the loss rule.

use huajie_domain::FieldError;
use huajie_domain::codes::{CodeInput, CodeList};
use huajie_domain::outcome::LossRule;
use huajie_domain::records::CodeItem;

use crate::audit::{self, Author};
use crate::sql::{get_bool, get_i64, get_str};
use crate::{Result, Store, StoreError};

const LOSS_RULE_KEY: &str = "loss_rule";

/// Inserts the shipped defaults that are missing (never overwrites local edits).
pub(crate) async fn install_defaults(store: &Store) -> Result<()> {
    let mut tx = store.pool().begin().await?;
    for list in CodeList::ALL {
        for (i, (code, label)) in list.defaults().iter().enumerate() {
            sqlx::query(
                "INSERT INTO code_items (list, code, label, sort_order, active) VALUES ($1, $2, $3, $4, 1) \
                 ON CONFLICT (list, code) DO NOTHING",
            )
            .bind(list.code().to_string())
            .bind(code.to_string())
            .bind(label.to_string())
            .bind((i as i64 + 1) * 10)
            .execute(&mut *tx)
            .await?;
        }
    }
    let rule = serde_json::to_string(&LossRule::default()).expect("serialises");
    sqlx::query("INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3) ON CONFLICT (key) DO NOTHING")
        .bind(LOSS_RULE_KEY)
        .bind(rule)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

impl Store {
    pub async fn codes(&self, list: CodeList) -> Result<Vec<CodeItem>> {
        let rows = sqlx::query("SELECT list, code, label, sort_order, active FROM code_items WHERE list = $1 ORDER BY sort_order, code")
            .bind(list.code())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CodeItem {
                    list: get_str(r, "list")?,
                    code: get_str(r, "code")?,
                    label: get_str(r, "label")?,
                    sort_order: get_i64(r, "sort_order")?,
                    active: get_bool(r, "active")?,
                })
            })
            .collect()
    }

    /// Adds an entry to a code list, or relabels / (de)activates an existing one.
    pub async fn put_code(
        &self,
        by: &Author,
        list: CodeList,
        input: &CodeInput,
    ) -> Result<CodeItem> {
        let mut tx = self.pool().begin().await?;
        let before =
            sqlx::query("SELECT label, active FROM code_items WHERE list = $1 AND code = $2")
                .bind(list.code())
                .bind(input.code.clone())
                .fetch_optional(&mut *tx)
                .await?;
        let action = if before.is_some() {
            sqlx::query(
                "UPDATE code_items SET label = $3, active = $4 WHERE list = $1 AND code = $2",
            )
            .bind(list.code())
            .bind(input.code.clone())
            .bind(input.label.clone())
            .bind(input.active as i64)
            .execute(&mut *tx)
            .await?;
            "update"
        } else {
            sqlx::query(
                "INSERT INTO code_items (list, code, label, sort_order, active) \
                 VALUES ($1, $2, $3, (SELECT COALESCE(MAX(sort_order), 0) + 10 FROM code_items WHERE list = $1), $4)",
            )
            .bind(list.code())
            .bind(input.code.clone())
            .bind(input.label.clone())
            .bind(input.active as i64)
            .execute(&mut *tx)
            .await?;
            "create"
        };
        let before_json = before.map(|r| serde_json::json!({"label": get_str(&r, "label").ok(), "active": get_bool(&r, "active").ok()}));
        let after_json = serde_json::json!({"list": list.code(), "code": input.code, "label": input.label, "active": input.active});
        audit::record(
            &mut tx,
            by,
            action,
            "code_item",
            0,
            None,
            before_json.as_ref(),
            Some(&after_json),
        )
        .await?;
        tx.commit().await?;
        self.codes(list)
            .await?
            .into_iter()
            .find(|c| c.code == input.code)
            .ok_or(StoreError::NotFound)
    }

    /// Checks that `code` is an active entry of `list`, as a field error on `field`.
    pub(crate) async fn check_code(
        &self,
        conn: &mut sqlx::AnyConnection,
        list: CodeList,
        field: &str,
        code: &str,
    ) -> Result<()> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT active FROM code_items WHERE list = $1 AND code = $2")
                .bind(list.code())
                .bind(code.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        match found {
            Some(1) => Ok(()),
            Some(_) => Err(FieldError::new(
                field,
                "inactive_code",
                format!("{}“{code}”已停用", list.label()),
            )
            .into()),
            None => Err(FieldError::new(
                field,
                "unknown_code",
                format!("{}“{code}”不存在，请先在代码表中添加", list.label()),
            )
            .into()),
        }
    }

    pub async fn loss_rule(&self) -> Result<LossRule> {
        let v: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(LOSS_RULE_KEY)
            .fetch_one(self.pool())
            .await?;
        Ok(serde_json::from_str(&v).unwrap_or_default())
    }

    pub async fn set_loss_rule(&self, by: &Author, rule: &LossRule) -> Result<LossRule> {
        let mut tx = self.pool().begin().await?;
        let before: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(LOSS_RULE_KEY)
            .fetch_one(&mut *tx)
            .await?;
        let before: Option<LossRule> = serde_json::from_str(&before).ok();
        sqlx::query(
            "UPDATE settings SET value = $2, version = version + 1, updated_at = $3 WHERE key = $1",
        )
        .bind(LOSS_RULE_KEY)
        .bind(serde_json::to_string(rule).expect("serialises"))
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            by,
            "update",
            "setting",
            0,
            None,
            before.as_ref(),
            Some(rule),
        )
        .await?;
        tx.commit().await?;
        Ok(rule.clone())
    }
}
