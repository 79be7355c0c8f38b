//! Authentication: Argon2id password hashes and per-user API tokens.
//!
//! A token is `hj_` + 64 hex characters of OS randomness; only its SM3 hash is stored, so a
//! database leak does not reveal usable tokens.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use huajie_domain::access::Actor;
use sm3::{Digest, Sm3};

use crate::AppState;
use crate::error::ApiError;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("OS randomness");
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .expect("argon2 with default params")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A fresh token and its stored hash.
pub fn new_token() -> (String, String) {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).expect("OS randomness");
    let token = format!("hj_{}", hex(&raw));
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sm3::digest(token.as_bytes()))
}

/// The authenticated caller. Rejects with 401 when the token is missing, unknown, revoked
/// or belongs to a deactivated user.
pub struct Auth(pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(ApiError::unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(ApiError::unauthorized)?
            .trim();
        if token.len() != 67 || !token.starts_with("hj_") {
            return Err(ApiError::bad_token());
        }
        match state.store.token_auth(&token_hash(token)).await? {
            Some((actor, false)) => Ok(Auth(actor)),
            // A password to change first (a new account, a reset, an expired password): the
            // API serves only who one is and the change itself until it is done.
            Some((actor, true)) => {
                let path = parts.uri.path();
                let own_change = format!("/users/{}/password", actor.user_id);
                if path.ends_with("/me") || path.ends_with(&own_change) {
                    Ok(Auth(actor))
                } else {
                    Err(ApiError::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "password_change_required",
                        format!(
                            "须先修改密码才能使用接口：POST /api/v1/users/{}/password（提供 current 与新密码 password）",
                            actor.user_id
                        ),
                    ))
                }
            }
            None => Err(ApiError::bad_token()),
        }
    }
}

/// A first or reset password for an administrator to hand over: 10 characters from an
/// alphabet without look-alikes (no 0/O, 1/l/I), always with letters and digits. The user must
/// replace it at the next login.
pub fn generated_password() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut raw = [0u8; 10];
    getrandom::fill(&mut raw).expect("OS randomness");
    raw.iter()
        .enumerate()
        .map(|(i, b)| {
            // Positions 3 and 7 are digits, 0 upper case, 1 lower case, the rest letters:
            // three kinds always present (the policy asks for three of four).
            const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
            const LOWER: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
            let from = match i {
                3 | 7 => DIGITS,
                0 => UPPER,
                1 => LOWER,
                _ => LETTERS,
            };
            from[*b as usize % from.len()] as char
        })
        .collect()
}

/// Who sent a request, by bearer token or session cookie; `None` when neither is valid.
pub async fn actor_of(st: &AppState, headers: &axum::http::HeaderMap) -> Option<Actor> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim);
    if let Some(token) = bearer {
        return st
            .store
            .actor_by_token(&token_hash(token))
            .await
            .ok()
            .flatten();
    }
    let secret = crate::ui::cookie(headers, crate::ui::SESSION_COOKIE)?;
    st.store
        .session(
            &token_hash(&secret),
            huajie_store::sessions::SessionPolicy::default(),
        )
        .await
        .ok()
        .flatten()
        .map(|s| s.actor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_pass_the_policy() {
        for _ in 0..50 {
            let p = generated_password();
            assert!(
                huajie_domain::user::password("p", &p, "li.na").is_ok(),
                "{p}"
            );
        }
        assert_ne!(generated_password(), generated_password());
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("huajie2024");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("huajie2024", &h));
        assert!(!verify_password("huajie2025", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 67);
        assert_eq!(token_hash(&a), ha);
        assert_eq!(ha.len(), 64);
        // SM3("abc") test vector (GB/T 32905-2016)
        assert_eq!(
            hex(&Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }
}

/// Why a password login was refused.
#[derive(Debug)]
pub enum LoginRefused {
    /// Unknown user or wrong password (not told apart, so names cannot be probed).
    Wrong,
    /// Too many failed attempts for this name or from this place: wait this long
    /// ([`crate::throttle`]). The same for known and unknown names.
    Throttled(std::time::Duration),
    Store(huajie_store::StoreError),
}

impl LoginRefused {
    /// The API's answer for a refusal other than a wrong password: 429 `too_many_attempts`
    /// when throttled, the store's error otherwise; a wrong password is left to the caller
    /// (401 on a login, a field error on a password change).
    pub fn api_error(self) -> Option<ApiError> {
        match self {
            LoginRefused::Wrong => None,
            r @ LoginRefused::Throttled(_) => Some(ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                r.message(),
            )),
            LoginRefused::Store(e) => Some(e.into()),
        }
    }

    /// The Chinese message for users.
    pub fn message(&self) -> String {
        match self {
            LoginRefused::Wrong => "用户名或密码错误".into(),
            LoginRefused::Throttled(wait) => format!(
                "登录失败次数过多，请于{}后再试；如需立即登录，请联系管理员解除登录限制",
                crate::throttle::wait_text(*wait)
            ),
            LoginRefused::Store(e) => e.to_string(),
        }
    }
}

/// Password hashing and verification (Argon2id, tens of milliseconds of CPU each) run on the
/// blocking pool, at most this many at once, so a flood of guesses leaves the request threads
/// and the other core to everyone else.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// [`verify_password`] off the request threads.
pub async fn verify_password_async(password: &str, hash: &str) -> bool {
    let _permit = HASHING.acquire().await.expect("never closed");
    let (p, h) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || verify_password(&p, &h))
        .await
        .unwrap_or(false)
}

/// [`hash_password`] off the request threads.
pub async fn hash_password_async(password: &str) -> String {
    let _permit = HASHING.acquire().await.expect("never closed");
    let p = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&p))
        .await
        .expect("hashing does not panic")
}

/// Where a request comes from, for throttling and the audit log: the peer address, or with
/// `HUAJIE_TRUST_PROXY` the last address a reverse proxy put in `X-Forwarded-For`.
pub fn source_of(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trust_proxy: bool,
) -> String {
    if trust_proxy
        && let Some(ip) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .next_back()
    {
        return ip.to_string();
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "未知来源".into())
}

/// The peer address of a connection served with `into_make_service_with_connect_info`.
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<std::net::SocketAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0)
}

/// The client's address (see [`source_of`]) as an extractor.
pub struct Source(pub String);

impl FromRequestParts<AppState> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(Source(source_of(
            &parts.headers,
            peer_of(&parts.extensions),
            state.trust_proxy,
        )))
    }
}

/// Checks a new password for `username` (user `user_id` when it exists): the policy
/// (`huajie_domain::user::password`), then that it repeats none of the user's last
/// [`huajie_domain::user::PASSWORD_HISTORY`] passwords.
pub async fn new_password_problem(
    st: &AppState,
    field: &str,
    new: &str,
    username: &str,
    user_id: Option<i64>,
) -> Result<Option<huajie_domain::FieldError>, huajie_store::StoreError> {
    if let Err(e) = huajie_domain::user::password(field, new, username) {
        return Ok(Some(e));
    }
    if let Some(id) = user_id {
        for hash in st.store.recent_password_hashes(id).await? {
            if verify_password_async(new, &hash).await {
                return Ok(Some(huajie_domain::FieldError::new(
                    field,
                    "password_reused",
                    format!(
                        "新密码不能与最近{}次使用过的密码相同",
                        huajie_domain::user::PASSWORD_HISTORY
                    ),
                )));
            }
        }
    }
    Ok(None)
}

/// After a good password: an expired password (`HUAJIE_PASSWORD_MAX_DAYS`) must be changed
/// before anything else.
pub async fn after_login(st: &AppState, user_id: i64) -> Result<(), huajie_store::StoreError> {
    if let Some(days) = st.password_max_days
        && st.store.password_expired(user_id, days).await?
    {
        st.store.require_password_change(user_id, true).await?;
    }
    Ok(())
}

/// Checks a username and password through the throttle: returns the user id, or why not.
/// Unknown names take the same path and time as wrong passwords (a dummy hash is verified).
pub async fn check_password(
    st: &AppState,
    username: &str,
    password: &str,
    source: &str,
) -> Result<i64, LoginRefused> {
    use huajie_store::sessions::LoginCandidate;
    let attempt = st
        .throttle
        .begin(username, source)
        .map_err(LoginRefused::Throttled)?;
    let candidate = st
        .store
        .login_candidate(username)
        .await
        .map_err(LoginRefused::Store)?;
    let (user_id, hash) = match &candidate {
        LoginCandidate::Unknown => (None, dummy_hash()),
        LoginCandidate::Ready {
            user_id,
            password_hash,
        } => (Some(*user_id), password_hash.as_str()),
    };
    if verify_password_async(password, hash).await
        && let Some(id) = user_id
    {
        st.throttle.succeeded(attempt);
        return Ok(id);
    }
    // The wait runs from the refusal, not from the start of a check that may have queued
    // behind others: a slow server does not shorten the delay a guesser must sit out.
    st.throttle.failed(attempt);
    st.store
        .login_failed(user_id, username, source)
        .await
        .map_err(LoginRefused::Store)?;
    Err(LoginRefused::Wrong)
}

/// An Argon2id hash of a random password, verified against for unknown users so that the
/// answer takes as long as for a real one.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let mut raw = [0u8; 16];
        getrandom::fill(&mut raw).expect("OS randomness");
        hash_password(&hex(&raw))
    })
}
