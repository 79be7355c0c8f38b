//! Browser sessions (会话), login lockout and first-login password change. Password hashing
//! and cookie handling happen in the web crate; this module stores hashes and times only.

use huajie_domain::access::Actor;
use huajie_domain::user::Role;
use jiff::{Span, Timestamp};

use crate::audit::{self, Author};
use crate::sql::{get_bool, get_enum, get_i64, get_str};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

/// How long a session lives at most, and how long it survives without a request.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub max_hours: i64,
    pub idle_minutes: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            max_hours: 12,
            idle_minutes: 30,
        }
    }
}

/// What a password check may go on with.
#[derive(Debug, Clone)]
pub enum LoginCandidate {
    /// No active user of that name.
    Unknown,
    Ready {
        user_id: i64,
        password_hash: String,
    },
}

/// A live browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub actor: Actor,
    pub display_name: String,
    pub csrf: String,
    pub must_change_password: bool,
    /// Unread messages in the user's inbox (the top bar's count).
    pub unread: i64,
}

fn ts(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl Store {
    /// Looks up an active user for a password check. Throttling of repeated failures is the
    /// web layer's (`huajie_web::throttle`, in memory): no lock is stored that a guesser could
    /// set on someone else's account.
    pub async fn login_candidate(&self, username: &str) -> Result<LoginCandidate> {
        let row =
            sqlx::query("SELECT id, password_hash FROM users WHERE username = $1 AND active = 1")
                .bind(username.to_string())
                .fetch_optional(self.pool())
                .await?;
        let Some(row) = row else {
            return Ok(LoginCandidate::Unknown);
        };
        Ok(LoginCandidate::Ready {
            user_id: get_i64(&row, "id")?,
            password_hash: get_str(&row, "password_hash")?,
        })
    }

    /// Records a failed password check in the audit log: for an existing account (counted in
    /// `users.failed_logins` until the next success) or for a name no account has. The actor
    /// is the name that was typed and the source the client's address, never a request
    /// header such as the User-Agent.
    pub async fn login_failed(
        &self,
        user_id: Option<i64>,
        typed_name: &str,
        source: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let failed: Option<i64> = match user_id {
            Some(id) => Some(
                sqlx::query_scalar(
                    "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
            ),
            None => None,
        };
        let name: String = typed_name
            .chars()
            .filter(|c| !huajie_domain::error::is_forbidden_char(*c))
            .take(64)
            .collect();
        let by = Author::system(&name);
        let note = serde_json::json!({
            "username": name,
            "known": user_id.is_some(),
            "failed_logins": failed,
            "source": source,
        });
        audit::record(
            &mut tx,
            &by,
            AuditAction::LoginFailed,
            AuditEntity::User,
            user_id.unwrap_or(0),
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that an administrator cleared a user's login throttle (解除登录限制).
    pub async fn record_unlock(&self, by: &Author, user_id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET failed_logins = 0 WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            by,
            AuditAction::Unlock,
            AuditEntity::User,
            user_id,
            None,
            None::<&()>,
            None::<&()>,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a session after a good password: clears the failure count and stores the hash of
    /// the session secret with its CSRF token.
    pub async fn open_session(
        &self,
        user_id: i64,
        token_hash: &str,
        csrf: &str,
        client: &str,
        policy: SessionPolicy,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let now = Timestamp::now();
        let expires = now
            .checked_add(Span::new().hours(policy.max_hours))
            .expect("in range");
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at, client) VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id",
        )
        .bind(token_hash.to_string())
        .bind(user_id)
        .bind(csrf.to_string())
        .bind(ts(now))
        .bind(ts(expires))
        .bind(client.chars().take(200).collect::<String>())
        .fetch_one(&mut *tx)
        .await?;
        let name: String = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        let by = Author {
            id: Some(user_id),
            name,
        };
        let note = serde_json::json!({ "session": id, "client": client });
        audit::record(
            &mut tx,
            &by,
            AuditAction::Login,
            AuditEntity::User,
            user_id,
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session with this secret hash: not expired, not idle too long, user active.
    /// Refreshes its last-seen time at most once a minute.
    pub async fn session(
        &self,
        token_hash: &str,
        policy: SessionPolicy,
    ) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT s.id AS sid, s.csrf, s.last_seen_at, s.expires_at, u.id, u.username, u.display_name, u.role, u.unit_id, \
             u.must_change_password, un.jurisdiction_id, \
             (SELECT COUNT(*) FROM messages m WHERE m.user_id = u.id AND m.read_at IS NULL) AS unread \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN units un ON un.id = u.unit_id WHERE s.token_hash = $1 AND u.active = 1",
        )
        .bind(token_hash.to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let now = Timestamp::now();
        let idle_limit = ts(now
            .checked_sub(Span::new().minutes(policy.idle_minutes))
            .expect("in range"));
        let last_seen = get_str(&row, "last_seen_at")?;
        let sid = get_i64(&row, "sid")?;
        if get_str(&row, "expires_at")? <= ts(now) || last_seen < idle_limit {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(sid)
                .execute(self.pool())
                .await?;
            return Ok(None);
        }
        let refresh = ts(now.checked_sub(Span::new().minutes(1)).expect("in range"));
        if last_seen < refresh {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(ts(now))
                .bind(sid)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(Session {
            id: sid,
            actor: Actor {
                user_id: get_i64(&row, "id")?,
                username: get_str(&row, "username")?,
                role: get_enum(&row, "role", Role::from_code)?,
                unit_id: get_i64(&row, "unit_id")?,
                jurisdiction_id: get_i64(&row, "jurisdiction_id")?,
            },
            display_name: get_str(&row, "display_name")?,
            csrf: get_str(&row, "csrf")?,
            must_change_password: get_bool(&row, "must_change_password")?,
            unread: get_i64(&row, "unread")?,
        }))
    }

    /// Ends one session (logout).
    pub async fn close_session(&self, actor: &Actor, session_id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        let note = serde_json::json!({ "session": session_id });
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Logout,
            AuditEntity::User,
            actor.user_id,
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of a user ("logout everywhere"); returns how many.
    pub async fn close_all_sessions(&self, by: &Author, user_id: i64) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let n = crate::users::end_credentials(&mut tx, user_id).await?;
        let note = serde_json::json!({ "sessions_closed": n, "tokens": "revoked" });
        audit::record(
            &mut tx,
            by,
            AuditAction::LogoutAll,
            AuditEntity::User,
            user_id,
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// A user changes their own password: other sessions and API tokens end, the first-login
    /// flag clears; `keep_session` stays open.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        password_hash: &str,
        keep_session: i64,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        crate::users::remember_password(&mut tx, actor.user_id).await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0, version = version + 1, updated_at = $2, password_changed_at = $4 WHERE id = $3 AND active = 1")
            .bind(password_hash.to_string())
            .bind(crate::real_now())
            .bind(actor.user_id)
            // Expiry is judged on the installation's clock.
            .bind(crate::now())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(actor.user_id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        crate::users::revoke_secrets(&mut tx, actor.user_id).await?;
        let note = serde_json::json!({"password": "changed by the user", "other_sessions": "closed", "tokens": "revoked"});
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::User,
            actor.user_id,
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Requires (or stops requiring) a password change at the next login, e.g. for an account
    /// whose password an administrator generated or reset.
    pub async fn require_password_change(&self, user_id: i64, required: bool) -> Result<()> {
        sqlx::query("UPDATE users SET must_change_password = $1 WHERE id = $2")
            .bind(required as i64)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
