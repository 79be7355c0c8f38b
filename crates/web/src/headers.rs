//! Security headers on every response (等保 / ASVS V14.4), set in one layer for pages, the API,
//! assets, documents and errors alike:
//! - `Content-Security-Policy`: scripts and styles only from this server (no inline script, no
//!   inline style, no remote source: the installation is air-gapped), no plug-ins, forms post
//!   only here, and `frame-ancestors 'none'` so no page can be framed (with `X-Frame-Options`
//!   for older browsers). The API documentation (`/api/docs`, the vendored Swagger UI) is the
//!   one place that needs inline styles.
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` (case numbers and names
//!   in an address never leave in a `Referer`; `no-referrer` would make browsers send
//!   `Origin: null` on our own forms, which the CSRF check refuses).
//! - `Cache-Control: no-store` on every answer to a request that carried credentials (a session
//!   cookie or a token), unless the handler chose its own (documents and feeds do), so pages with
//!   personal data are not kept by a shared browser or a proxy.
//! - `Strict-Transport-Security` when the installation is served over HTTPS
//!   (`HUAJIE_SECURE_COOKIES`).
//!
//! One `axum::middleware::from_fn` layer rather than a stack of tower-http `SetResponseHeader`
//! layers: the `no-store` rule depends on the request, and one function keeps the whole policy
//! in one place.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The policy of every page and API answer.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The policy of the API documentation (Swagger UI sets styles inline).
pub const CSP_DOCS: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
frame-ancestors 'none'";

fn carries_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(crate::ui::SESSION_COOKIE))
}

/// Sets the security headers on the response (see the module documentation).
pub async fn security_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let credentials = carries_credentials(req.headers());
    let docs = req.uri().path().starts_with("/api/docs");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if docs { CSP_DOCS } else { CSP }),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if credentials && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if st.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    resp
}

/// Whether an environment value means "on": `1`, `true`, `yes`, `on` (any case, surrounding
/// blanks ignored).
pub fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthy_values() {
        for v in ["1", "true", "TRUE", " yes ", "On"] {
            assert!(truthy(v), "{v}");
        }
        for v in ["", "0", "false", "no", "off", "2", "enabled"] {
            assert!(!truthy(v), "{v}");
        }
    }

    #[test]
    fn policy_has_no_inline_script_and_no_framing() {
        for p in [CSP, CSP_DOCS] {
            let script = p
                .split(';')
                .find(|d| d.trim().starts_with("script-src"))
                .unwrap();
            assert!(!script.contains("unsafe"), "{script}");
            assert!(p.contains("frame-ancestors 'none'"));
        }
        assert!(!CSP.contains("unsafe"));
    }
}
