//! Users, password hashes and API tokens. Hashing happens outside (web::auth); this module
//! stores and looks up the hashes only.

use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::records::{ApiToken, User};
use huajie_domain::user::{Role, UserInput};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::sql::{get_bool, get_enum, get_i64, get_opt_str, get_str, on_unique};
use crate::units::unit_on;
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

const USER_COLS: &str = "u.id, u.username, u.display_name, u.role, u.unit_id, u.active, u.version, u.created_at, u.email, u.mobile";

fn user(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: get_i64(row, "id")?,
        username: get_str(row, "username")?,
        display_name: get_str(row, "display_name")?,
        role: get_enum(row, "role", Role::from_code)?,
        unit_id: get_i64(row, "unit_id")?,
        active: get_bool(row, "active")?,
        version: get_i64(row, "version")?,
        created_at: get_str(row, "created_at")?,
        email: get_opt_str(row, "email")?,
        mobile: get_opt_str(row, "mobile")?,
    })
}

async fn user_on(conn: &mut AnyConnection, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(user).transpose()
}

/// The jurisdiction the unit belongs to, or a field error when the unit is unknown or outside.
async fn check_unit(
    conn: &mut AnyConnection,
    unit_id: i64,
    jurisdiction: Option<i64>,
) -> Result<()> {
    match unit_on(conn, unit_id).await? {
        Some(u) if jurisdiction.is_none_or(|j| u.jurisdiction_id == j) => Ok(()),
        _ => Err(FieldError::new(
            "unit_id",
            "unknown_unit",
            format!("单位（编号{unit_id}）不存在"),
        )
        .into()),
    }
}

impl Store {
    /// Users of a jurisdiction (`None`: all).
    pub async fn list_users(&self, jurisdiction: Option<i64>) -> Result<Vec<User>> {
        let rows = match jurisdiction {
            Some(j) => {
                let sql = format!(
                    "SELECT {USER_COLS} FROM users u JOIN units un ON un.id = u.unit_id WHERE un.jurisdiction_id = $1 ORDER BY u.id"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(j)
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                let sql = format!("SELECT {USER_COLS} FROM users u ORDER BY u.id");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(user).collect()
    }

    pub async fn get_user(&self, id: i64, jurisdiction: Option<i64>) -> Result<User> {
        let mut conn = self.pool().acquire().await?;
        let u = user_on(&mut conn, id).await?.ok_or(StoreError::NotFound)?;
        if let Some(j) = jurisdiction {
            match unit_on(&mut conn, u.unit_id).await? {
                Some(unit) if unit.jurisdiction_id == j => {}
                _ => return Err(StoreError::NotFound),
            }
        }
        Ok(u)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<User> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref()
            .map(user)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_user(
        &self,
        by: &Author,
        input: &UserInput,
        password_hash: &str,
        jurisdiction: Option<i64>,
    ) -> Result<User> {
        let mut tx = self.write_tx().await?;
        check_unit(&mut tx, input.unit_id, jurisdiction).await?;
        let now = crate::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, unit_id, password_hash, active, version, created_at, updated_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $7) RETURNING id",
        )
        .bind(input.username.clone())
        .bind(input.display_name.clone())
        .bind(input.role.code())
        .bind(input.unit_id)
        .bind(password_hash.to_string())
        .bind(input.active as i64)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "username", "duplicate_username", format!("用户名“{}”已被使用", input.username)))?;
        crate::notify::write_contacts(&mut tx, id, &input.contacts).await?;
        let created = user_on(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            by,
            AuditAction::Create,
            AuditEntity::User,
            id,
            None,
            None::<&User>,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_user(
        &self,
        by: &Author,
        id: i64,
        version: i64,
        input: &UserInput,
        jurisdiction: Option<i64>,
    ) -> Result<User> {
        let before = self.get_user(id, jurisdiction).await?;
        let mut tx = self.write_tx().await?;
        check_unit(&mut tx, input.unit_id, jurisdiction).await?;
        let n = sqlx::query(
            "UPDATE users SET username = $1, display_name = $2, role = $3, unit_id = $4, active = $5, version = version + 1, updated_at = $6 \
             WHERE id = $7 AND version = $8",
        )
        .bind(input.username.clone())
        .bind(input.display_name.clone())
        .bind(input.role.code())
        .bind(input.unit_id)
        .bind(input.active as i64)
        .bind(crate::now())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_unique(e, "username", "duplicate_username", format!("用户名“{}”已被使用", input.username)))?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                expected: version,
                current: before.version,
            });
        }
        crate::notify::write_contacts(&mut tx, id, &input.contacts).await?;
        let after = user_on(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        if before.active && !after.active {
            // A disabled account's sessions end and its tokens are revoked for good: enabling
            // it again does not bring them back.
            end_credentials(&mut tx, id).await?;
        }
        audit::record(
            &mut tx,
            by,
            AuditAction::Update,
            AuditEntity::User,
            id,
            None,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces a user's password hash, revokes their API tokens and ends their sessions.
    pub async fn set_password(&self, by: &Author, id: i64, password_hash: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // Set by someone else (an administrator's reset): the user must choose a new password
        // at the next login; a reset also lifts a lockout and ends the user's sessions.
        let by_other = by.id != Some(id);
        remember_password(&mut tx, id).await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2, password_changed_at = $2, must_change_password = $4, \
             failed_logins = 0, locked_until = NULL WHERE id = $3")
            .bind(password_hash.to_string())
            .bind(crate::now())
            .bind(id)
            .bind(by_other as i64)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        revoke_secrets(&mut tx, id).await?;
        let note = serde_json::json!({"password": "changed", "tokens": "revoked"});
        audit::record(
            &mut tx,
            by,
            AuditAction::Update,
            AuditEntity::User,
            id,
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The stored password hash of an active user.
    pub async fn password_hash(&self, username: &str) -> Result<(User, String)> {
        let sql = format!(
            "SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.username = $1 AND u.active = 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((user(&row)?, get_str(&row, "password_hash")?))
    }

    /// Stores a new API token (its hash only) for a user, valid for `days` days.
    pub async fn create_token(
        &self,
        by: &Author,
        user_id: i64,
        label: &str,
        token_hash: &str,
        days: i64,
    ) -> Result<IssuedToken> {
        let mut tx = self.write_tx().await?;
        let expires = crate::clock::now()
            .checked_add(jiff::SignedDuration::from_hours(24 * days.clamp(1, 3650)))
            .unwrap_or(crate::clock::now())
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let id: i64 = sqlx::query_scalar("INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(user_id)
            .bind(token_hash.to_string())
            .bind(label.to_string())
            .bind(crate::now())
            .bind(expires.clone())
            .fetch_one(&mut *tx)
            .await?;
        let note = serde_json::json!({"user_id": user_id, "label": label, "expires_at": expires});
        audit::record(
            &mut tx,
            by,
            AuditAction::Create,
            AuditEntity::ApiToken,
            id,
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        let must_change_password: bool =
            sqlx::query_scalar::<_, i64>("SELECT must_change_password FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?
                != 0;
        tx.commit().await?;
        Ok(IssuedToken {
            id,
            expires_at: expires,
            must_change_password,
        })
    }

    /// The actor behind an API token, if the token is valid (not revoked, not expired) and
    /// its user active; with whether the user must change the password first (the API then
    /// serves only the password change). Notes the token's use, at most once a minute.
    pub async fn token_auth(&self, token_hash: &str) -> Result<Option<(Actor, bool)>> {
        let now = crate::now();
        let row = sqlx::query(
            "SELECT t.id AS tid, t.last_used_at, u.id, u.username, u.role, u.unit_id, u.must_change_password, un.jurisdiction_id \
             FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN units un ON un.id = u.unit_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.active = 1",
        )
        .bind(token_hash.to_string())
        .bind(now.clone())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let minute = &now[..16];
        let last = get_opt_str(&row, "last_used_at")?;
        if last.as_deref().map(|l| &l[..l.len().min(16)]) != Some(minute) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now.clone())
                .bind(get_i64(&row, "tid")?)
                .execute(self.pool())
                .await?;
        }
        Ok(Some((
            Actor {
                user_id: get_i64(&row, "id")?,
                username: get_str(&row, "username")?,
                role: get_enum(&row, "role", Role::from_code)?,
                unit_id: get_i64(&row, "unit_id")?,
                jurisdiction_id: get_i64(&row, "jurisdiction_id")?,
            },
            get_bool(&row, "must_change_password")?,
        )))
    }

    /// The actor behind a usable API token (see [`Store::token_auth`]).
    pub async fn actor_by_token(&self, token_hash: &str) -> Result<Option<Actor>> {
        Ok(self.token_auth(token_hash).await?.map(|(a, _)| a))
    }

    /// A user's API tokens, newest first (their own, or any of the jurisdiction's for a
    /// coordinator).
    pub async fn list_tokens(&self, actor: &Actor, user_id: i64) -> Result<Vec<ApiToken>> {
        if user_id != actor.user_id {
            if !actor.can_administer() {
                return Err(StoreError::Forbidden("只能查看自己的接口令牌".into()));
            }
            self.get_user(user_id, Some(actor.jurisdiction_id)).await?;
        }
        let rows = crate::sql::query(
            format!(
                "SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC LIMIT 200"
            ),
            vec![user_id.into()],
        )
        .fetch_all(self.pool())
        .await?;
        let now = crate::now();
        rows.iter().map(|r| token_row(r, &now)).collect()
    }

    /// Revokes one API token: its owner, or a coordinator for a user of the jurisdiction.
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<ApiToken> {
        let mut tx = self.write_tx().await?;
        let row = crate::sql::query(
            format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE id = $1"),
            vec![id.into()],
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let now = crate::now();
        let before = token_row(&row, &now)?;
        if before.user_id != actor.user_id {
            let owner_j: Option<i64> = sqlx::query_scalar(
                "SELECT un.jurisdiction_id FROM users u JOIN units un ON un.id = u.unit_id WHERE u.id = $1",
            )
            .bind(before.user_id)
            .fetch_optional(&mut *tx)
            .await?;
            // Another user's token is not even said to exist, unless one administers them.
            if !actor.can_administer() || owner_j != Some(actor.jurisdiction_id) {
                return Err(StoreError::NotFound);
            }
        }
        if before.revoked_at.is_none() {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
                .bind(now.clone())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            audit::record(
                &mut tx,
                &actor.into(),
                AuditAction::Revoke,
                AuditEntity::ApiToken,
                id,
                None,
                Some(&before),
                None::<&()>,
            )
            .await?;
        }
        tx.commit().await?;
        let mut after = before;
        after.revoked_at.get_or_insert(now);
        after.active = false;
        Ok(after)
    }

    /// The hashes a user's new password may not match: the current one and the ones before
    /// it, [`huajie_domain::user::PASSWORD_HISTORY`] in all.
    pub async fn recent_password_hashes(&self, user_id: i64) -> Result<Vec<String>> {
        let mut hashes: Vec<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_all(self.pool())
                .await?;
        let keep = huajie_domain::user::PASSWORD_HISTORY as i64 - 1;
        let older: Vec<String> = sqlx::query_scalar(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(keep)
        .fetch_all(self.pool())
        .await?;
        hashes.extend(older);
        Ok(hashes)
    }

    /// Whether the user's password was set more than `max_days` days ago (the optional
    /// expiry, `HUAJIE_PASSWORD_MAX_DAYS`).
    pub async fn password_expired(&self, user_id: i64, max_days: i64) -> Result<bool> {
        let changed: Option<String> =
            sqlx::query_scalar("SELECT password_changed_at FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?
                .flatten();
        let limit = crate::clock::now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * max_days))
            .unwrap_or(crate::clock::now())
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        Ok(changed.is_none_or(|c| c < limit))
    }

    /// Builds the actor for a user (e.g. after a password check).
    pub async fn actor_for(&self, user: &User) -> Result<Actor> {
        let mut conn = self.pool().acquire().await?;
        let unit = unit_on(&mut conn, user.unit_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(Actor {
            user_id: user.id,
            username: user.username.clone(),
            role: user.role,
            unit_id: user.unit_id,
            jurisdiction_id: unit.jurisdiction_id,
        })
    }
}

/// The name people know the actor by (display name), as stored with what they submit, review,
/// upload or decide; the username if the account has none.
pub(crate) async fn person_name(
    conn: &mut sqlx::AnyConnection,
    actor: &huajie_domain::access::Actor,
) -> crate::Result<String> {
    let name: Option<String> = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(actor.user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| actor.username.clone()))
}

/// A token just issued: its id, when it expires, and whether its user must change the
/// password before the API serves anything else.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: i64,
    pub expires_at: String,
    pub must_change_password: bool,
}

const TOKEN_COLS: &str = "id, user_id, label, created_at, expires_at, last_used_at, revoked_at";

fn token_row(r: &AnyRow, now: &str) -> Result<ApiToken> {
    let expires_at: Option<String> = get_opt_str(r, "expires_at")?;
    let revoked_at: Option<String> = get_opt_str(r, "revoked_at")?;
    Ok(ApiToken {
        id: get_i64(r, "id")?,
        user_id: get_i64(r, "user_id")?,
        label: get_str(r, "label")?,
        created_at: get_str(r, "created_at")?,
        active: revoked_at.is_none() && expires_at.as_deref().is_none_or(|e| e > now),
        expires_at,
        last_used_at: get_opt_str(r, "last_used_at")?,
        revoked_at,
    })
}

/// Keeps the hash being replaced in the history and notes when the password was set; used by
/// every path that sets a password.
pub(crate) async fn remember_password(conn: &mut AnyConnection, user_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO password_history (user_id, password_hash, set_at) \
         SELECT id, password_hash, $2 FROM users WHERE id = $1",
    )
    .bind(user_id)
    .bind(crate::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends every session of a user and revokes every token and calendar feed they created
/// (全部退出, disabling).
pub(crate) async fn end_credentials(conn: &mut AnyConnection, user_id: i64) -> Result<u64> {
    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    revoke_secrets(conn, user_id).await?;
    Ok(n)
}

/// Revokes a user's API tokens and the calendar feeds they created: secrets that must not
/// outlive a password change, a reset, 全部退出 or disabling.
pub(crate) async fn revoke_secrets(conn: &mut AnyConnection, user_id: i64) -> Result<()> {
    let now = crate::now();
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now.clone())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE feeds SET revoked_at = $1 WHERE created_by_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
