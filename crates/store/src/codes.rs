//! Code lists (领域, act type) and installation settings such as the loss rule.

use huajie_domain::FieldError;
use huajie_domain::codes::{CodeInput, CodeList};
use huajie_domain::outcome::LossRule;
use huajie_domain::records::CodeItem;

use crate::audit::{self, Author};
use crate::sql::{get_bool, get_i64, get_str};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

const LOSS_RULE_KEY: &str = "loss_rule";

/// Inserts the shipped defaults that are missing (never overwrites local edits).
pub(crate) async fn install_defaults(store: &Store) -> Result<()> {
    let mut tx = store.write_tx().await?;
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
    crate::stats::install_default_config(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The loss rule in force, read on a connection (inside a transaction).
pub(crate) async fn loss_rule_on(conn: &mut sqlx::AnyConnection) -> Result<LossRule> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(LOSS_RULE_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(value
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

fn conflict(expected: i64, current: i64) -> StoreError {
    StoreError::Conflict { expected, current }
}

fn code_item(r: &sqlx::any::AnyRow) -> Result<CodeItem> {
    Ok(CodeItem {
        list: get_str(r, "list")?,
        code: get_str(r, "code")?,
        label: get_str(r, "label")?,
        sort_order: get_i64(r, "sort_order")?,
        active: get_bool(r, "active")?,
        version: get_i64(r, "version")?,
    })
}

impl Store {
    pub async fn codes(&self, list: CodeList) -> Result<Vec<CodeItem>> {
        let rows = sqlx::query(
            "SELECT list, code, label, sort_order, active, version FROM code_items WHERE list = $1 ORDER BY sort_order, code",
        )
        .bind(list.code())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(code_item).collect()
    }

    /// Adds an entry to a code list (no `version`), or relabels / (de)activates an existing one
    /// (`version` as read; a stale version is a conflict).
    pub async fn put_code(
        &self,
        by: &Author,
        list: CodeList,
        input: &CodeInput,
    ) -> Result<CodeItem> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT list, code, label, sort_order, active, version FROM code_items WHERE list = $1 AND code = $2")
            .bind(list.code())
            .bind(input.code.clone())
            .fetch_optional(&mut *tx)
            .await?;
        let before = row.as_ref().map(code_item).transpose()?;
        match (&before, input.version) {
            (Some(b), Some(v)) => {
                let n = sqlx::query(
                    "UPDATE code_items SET label = $3, active = $4, version = version + 1 WHERE list = $1 AND code = $2 AND version = $5",
                )
                .bind(list.code())
                .bind(input.code.clone())
                .bind(input.label.clone())
                .bind(input.active as i64)
                .bind(v)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(conflict(v, b.version));
                }
            }
            (Some(_), None) => {
                return Err(FieldError::new(
                    "version",
                    "required",
                    format!(
                        "代码“{}”已存在；修改时必须提供读取时的版本号 version",
                        input.code
                    ),
                )
                .into());
            }
            (None, Some(_)) => return Err(StoreError::NotFound),
            (None, None) => {
                sqlx::query(
                    "INSERT INTO code_items (list, code, label, sort_order, active, version) \
                     VALUES ($1, $2, $3, (SELECT COALESCE(MAX(sort_order), 0) + 10 FROM code_items WHERE list = $1), $4, 1)",
                )
                .bind(list.code())
                .bind(input.code.clone())
                .bind(input.label.clone())
                .bind(input.active as i64)
                .execute(&mut *tx)
                .await?;
            }
        }
        let row = sqlx::query("SELECT list, code, label, sort_order, active, version FROM code_items WHERE list = $1 AND code = $2")
            .bind(list.code())
            .bind(input.code.clone())
            .fetch_one(&mut *tx)
            .await?;
        let after = code_item(&row)?;
        let action = if before.is_some() {
            AuditAction::Update
        } else {
            AuditAction::Create
        };
        audit::record(
            &mut tx,
            by,
            action,
            AuditEntity::CodeItem,
            0,
            None,
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
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
        Ok(self.loss_rule_setting().await?.0)
    }

    /// The loss rule and its version.
    pub async fn loss_rule_setting(&self) -> Result<(LossRule, i64)> {
        let row = sqlx::query("SELECT value, version FROM settings WHERE key = $1")
            .bind(LOSS_RULE_KEY)
            .fetch_one(self.pool())
            .await?;
        Ok((
            serde_json::from_str(&get_str(&row, "value")?).unwrap_or_default(),
            get_i64(&row, "version")?,
        ))
    }

    /// Replaces the loss rule if `version` is still current.
    pub async fn set_loss_rule(
        &self,
        by: &Author,
        version: i64,
        rule: &LossRule,
    ) -> Result<(LossRule, i64)> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT value, version FROM settings WHERE key = $1")
            .bind(LOSS_RULE_KEY)
            .fetch_one(&mut *tx)
            .await?;
        let before: Option<LossRule> = serde_json::from_str(&get_str(&row, "value")?).ok();
        let current = get_i64(&row, "version")?;
        let n = sqlx::query("UPDATE settings SET value = $2, version = version + 1, updated_at = $3 WHERE key = $1 AND version = $4")
            .bind(LOSS_RULE_KEY)
            .bind(serde_json::to_string(rule).expect("serialises"))
            .bind(crate::now())
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(conflict(version, current));
        }
        audit::record(
            &mut tx,
            by,
            AuditAction::Update,
            AuditEntity::Setting,
            0,
            None,
            before.as_ref(),
            Some(rule),
        )
        .await?;
        tx.commit().await?;
        Ok((rule.clone(), version + 1))
    }
}
