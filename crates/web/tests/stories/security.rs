//! Security (issue 15) through the real router: the security headers on every kind of answer,
//! and pages that keep to the Content-Security-Policy (no inline script or style, no
//! `javascript:` address).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use super::common::*;
use super::ui::{Resp, login, page, send, session_cookie};

fn get(r: &Resp, name: header::HeaderName) -> &str {
    r.headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn assert_secured(r: &Resp, what: &str) {
    let csp = get(r, header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
        "{what}: CSP {csp:?}"
    );
    let script = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!script.contains("unsafe"), "{what}: {script}");
    assert_eq!(get(r, header::X_FRAME_OPTIONS), "DENY", "{what}");
    assert_eq!(get(r, header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    assert_eq!(get(r, header::REFERRER_POLICY), "same-origin", "{what}");
}

/// Nothing on the page that the policy would block.
fn assert_no_inline(r: &Resp, what: &str) {
    let body = r.body.to_ascii_lowercase();
    for bad in [
        " onclick=",
        " onload=",
        " onchange=",
        " onsubmit=",
        " style=\"",
        "javascript:",
        "<style",
    ] {
        assert!(!body.contains(bad), "{what} contains {bad}");
    }
    let mut rest = body.as_str();
    while let Some(i) = rest.find("<script") {
        let tag = &rest[i..i + rest[i..].find('>').unwrap()];
        assert!(tag.contains(" src="), "{what}: inline script {tag}");
        rest = &rest[i + 7..];
    }
}

pub async fn headers(app: App) {
    // Without credentials: the login page, an asset, an unknown address, the API's 401.
    let r = page(&app, "/login", "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_secured(&r, "/login");
    assert_no_inline(&r, "/login");
    let css = page(&app, "/assets/app.css", "").await;
    assert_secured(&css, "app.css");
    assert_eq!(get(&css, header::CACHE_CONTROL), "public, max-age=3600");
    for uri in ["/no-such-page", "/api/v1/proceedings"] {
        let r = page(&app, uri, "").await;
        assert_secured(&r, uri);
    }
    let docs = page(&app, "/api/docs/", "").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert_secured(&docs, "/api/docs/");

    // With a session: pages carry no-store and keep to the policy.
    let r = login(&app, "coord", "secret123", "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let coord = session_cookie(&r);
    let pid = {
        let (s, v) = app
            .post(
                "/api/v1/proceedings",
                &app.coord,
                proceeding(
                    "（2026）浙0602行初701号",
                    app.unit_a,
                    "2026-03-02",
                    "张安全",
                ),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_i64().unwrap()
    };
    for uri in [
        "/".to_string(),
        "/ledger".into(),
        format!("/proceedings/{pid}"),
        "/stats".into(),
        "/units".into(),
        "/users".into(),
        "/audit".into(),
        "/rules".into(),
        "/work-items".into(),
        "/losses".into(),
    ] {
        let r = page(&app, &uri, &coord).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_secured(&r, &uri);
        assert_eq!(get(&r, header::CACHE_CONTROL), "no-store", "{uri}");
        assert_no_inline(&r, &uri);
    }
    // A form error page goes back by app.js, not by a javascript: address.
    let r = page(&app, "/ledger?registered_from=not-a-date", &coord).await;
    assert_no_inline(&r, "ledger error");
    // The API with a token: no-store too.
    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.coord))
        .body(Body::empty())
        .unwrap();
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_secured(&r, "/api/v1/me");
    assert_eq!(get(&r, header::CACHE_CONTROL), "no-store");
}
