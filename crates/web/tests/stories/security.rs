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
    // 审计日志 shows the state of the hash chain (recent rows, or all on request).
    let r = page(&app, "/audit", &coord).await;
    assert!(r.body.contains("哈希链完整："), "{}", r.body);
    let r = page(&app, "/audit?verify=full", &coord).await;
    assert!(r.body.contains("哈希链完整：全部记录"), "{}", r.body);
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

/// Input hygiene (point 6): NUL, other control characters and noncharacters are refused at the
/// edge with the field named, never a 500 (PostgreSQL rejects NUL in text); text made only of
/// invisible characters is refused by the field validators; CR/LF never reaches a header; and
/// nothing is written by a refused request.
pub async fn hygiene(app: App) {
    use serde_json::json;
    // An unauthenticated login with a NUL in the name.
    let (s, v) = app
        .call(
            "POST",
            "/api/v1/tokens",
            None,
            Some(json!({"username": "coord\u{0}", "password": "secret123"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(codes(&v), [("username".into(), "control_chars".into())]);
    // Query parameters of the API and of pages.
    for uri in [
        "/api/v1/proceedings?party=%00",
        "/api/v1/proceedings?party=a%0D%0Ab",
        "/api/v1/deadlines?unit_id=%EF%BF%BF",
    ] {
        let (s, v) = app.get(uri, &app.coord).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {v}");
        assert_eq!(v["error"]["fields"][0]["code"], "control_chars", "{uri}");
    }
    let r = login(&app, "coord", "secret123", "/").await;
    let coord = session_cookie(&r);
    for uri in [
        "/audit?actor=%00",
        "/ledger?party=%00",
        "/login?next=%2F%0D%0ASet-Cookie:x=1",
    ] {
        let r = page(&app, uri, &coord).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.body.contains("不可见控制字符"), "{uri}: {}", r.body);
    }
    // Bodies: a NUL or U+FFFF in a party name, a name of zero-width characters only.
    let before = app.get("/api/v1/proceedings", &app.coord).await.1["items"]
        .as_array()
        .unwrap()
        .len();
    for (name, code) in [
        ("张\u{0}三", "control_chars"),
        ("张三\u{FFFF}", "control_chars"),
        ("\u{200B}\u{200D}", "invisible_only"),
    ] {
        let (s, v) = app
            .post(
                "/api/v1/proceedings",
                &app.coord,
                proceeding("（2026）浙0602行初702号", app.unit_a, "2026-03-02", name),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}: {v}");
        assert!(codes(&v).iter().any(|(_, c)| c == code), "{name:?}: {v}");
    }
    let after = app.get("/api/v1/proceedings", &app.coord).await.1["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing written");
    // A form with a NUL, and a saved filter whose query holds CR/LF: refused, nothing saved,
    // no 500 after a commit.
    let l = page(&app, "/ledger", &coord).await;
    let csrf = l.hidden("csrf");
    for (name, query) in [
        ("甲\u{0}", "kind=first_instance"),
        ("换行", "kind=first_instance\r\nSet-Cookie: x=1"),
    ] {
        let r = super::ui::form(
            &app,
            "/ledger/filters",
            &coord,
            &[("csrf", &csrf), ("name", name), ("query", query)],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        assert!(r.headers.get(header::LOCATION).is_none());
    }
    let l = page(&app, "/ledger", &coord).await;
    assert!(!l.body.contains("换行"), "no filter saved");
    // A login whose next holds a line break lands on the workbench.
    let p = page(&app, "/login", "").await;
    let pre = p.cookie("hj_login").unwrap();
    let r = super::ui::form(
        &app,
        "/login",
        &format!("hj_login={pre}"),
        &[
            ("username", "coord"),
            ("password", "secret123"),
            ("csrf", &p.hidden("csrf")),
            ("next", "/ledger\r\nSet-Cookie: x=1"),
        ],
        Some("http://huajie.local"),
    )
    .await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
}

async fn token_login(
    app: &App,
    name: &str,
    pw: &str,
    from: &str,
) -> (StatusCode, serde_json::Value) {
    let req = Request::post("/api/v1/tokens")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", from)
        .body(Body::from(
            serde_json::json!({"username": name, "password": pw}).to_string(),
        ))
        .unwrap();
    app.raw(req).await
}

/// Login throttling (point 1) and password changes (point 2): growing delays per name and
/// place instead of a lock anyone could set; the same answer for unknown and known names;
/// concurrent guesses all counted; the administrator's unlock; failures audited with the typed
/// name and the source, never a header; one's own password changed only with the current one.
pub async fn throttle(app: App) {
    use serde_json::json;
    // Five wrong passwords for coord from one place: the sixth must wait there …
    for i in 0..5 {
        let (s, v) = token_login(&app, "coord", "wrong-pass9", "10.0.0.1").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{i}: {v}");
    }
    let (s, known) = token_login(&app, "coord", "secret123", "10.0.0.1").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{known}");
    assert_eq!(known["error"]["code"], "too_many_attempts");
    // … but coord, elsewhere, logs in: guessing cannot lock the coordinator out.
    let (s, v) = token_login(&app, "coord", "secret123", "10.0.0.2").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A name no account has is throttled alike, with the same answer.
    for _ in 0..5 {
        let (s, _) = token_login(&app, "ghost", "wrong-pass9", "10.0.0.3").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, unknown) = token_login(&app, "ghost", "secret123", "10.0.0.3").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(unknown["error"], known["error"], "no difference to probe");
    // Failures are audited under the typed name with the source address.
    let coord = app
        .store
        .actor_by_token(&huajie_web::auth::token_hash(&app.coord))
        .await
        .unwrap()
        .unwrap();
    let failed = app
        .store
        .search_audit(
            &coord,
            &huajie_store::audit::AuditQuery {
                action: Some("login_failed".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ghost: Vec<_> = failed.iter().filter(|e| e.actor_name == "ghost").collect();
    assert_eq!(ghost.len(), 5, "unknown names are logged");
    assert_eq!(ghost[0].after.as_ref().unwrap()["source"], "10.0.0.3");
    assert!(
        failed
            .iter()
            .all(|e| e.actor_name == "ghost" || e.actor_name == "coord"),
        "the actor is the typed name, never a header"
    );
    // 40 parallel wrong passwords from one place: 5 are checked, 35 wait.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let router = app.router.clone();
        set.spawn(async move {
            use tower::ServiceExt;
            let req = Request::post("/api/v1/tokens")
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-forwarded-for", "10.0.0.9")
                .body(Body::from(
                    r#"{"username":"clerk.a","password":"wrong-pass9"}"#,
                ))
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        });
    }
    let statuses: Vec<StatusCode> = set.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let waited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, waited), (5, 35));
    // The administrator lifts the throttle of clerk.a (the page shows it, the API clears it).
    let users = app.get("/api/v1/users", &app.coord).await.1;
    let clerk_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "clerk.a")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/users/{clerk_id}/unlock"),
            &app.clerk_a,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the coordinator");
    let r = login(&app, "coord", "secret123", "/").await;
    let page_coord = session_cookie(&r);
    let unlock_form = format!("action=\"/users/{clerk_id}/unlock\"");
    assert!(
        page(&app, "/users", &page_coord)
            .await
            .body
            .contains(&unlock_form)
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/users/{clerk_id}/unlock"),
            &app.coord,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        !page(&app, "/users", &page_coord)
            .await
            .body
            .contains(&unlock_form)
    );
    let (s, v) = token_login(&app, "clerk.a", "secret123", "10.0.0.9").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let clerk = v["token"].as_str().unwrap().to_string();

    // One's own password: only with the current one.
    let uri = format!("/api/v1/users/{clerk_id}/password");
    let (s, v) = app
        .post(&uri, &clerk, json!({"password": "Newpass-2026"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), [("current".into(), "required".into())]);
    let (s, v) = app
        .post(
            &uri,
            &clerk,
            json!({"password": "Newpass-2026", "current": "wrong-pass9"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), [("current".into(), "wrong_password".into())]);
    let (s, v) = app
        .post(
            &uri,
            &clerk,
            json!({"password": "Newpass-2026", "current": "secret123"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    // The change revoked the token it was made with.
    assert_eq!(
        app.get("/api/v1/me", &clerk).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = token_login(&app, "clerk.a", "Newpass-2026", "10.0.0.9").await;
    assert_eq!(s, StatusCode::CREATED);
}

async fn sql(app: &App, statement: &str) {
    let pool = sqlx::AnyPool::connect(&app.url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
    pool.close().await;
}

/// Passwords and tokens (point 2): the 等保 policy with Chinese messages, a history of five,
/// optional expiry; a forced change blocks the API until done; tokens expire, are listed and
/// revoked on the page and the API, and die with 全部退出, a password change, disabling or a
/// reset — and stay dead when an account is enabled again.
pub async fn credentials(app: App) {
    use serde_json::json;
    // Policy.
    for (pw, why) in [
        ("password1", "三类"),
        ("        1a", "空格"),
        ("Wang.Wu-2026", "用户名"),
    ] {
        let (s, v) = app
            .post(
                "/api/v1/users",
                &app.coord,
                json!({"username": "wang.wu", "display_name": "王五", "role": "unit_clerk", "unit_id": app.unit_a, "password": pw}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{pw:?}");
        assert!(
            v["error"]["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains(why),
            "{pw:?}: {v}"
        );
    }
    // A new account must change its password: its token serves only /me and the change.
    let (s, v) = app
        .post(
            "/api/v1/users",
            &app.coord,
            json!({"username": "wang.wu", "display_name": "王五", "role": "unit_clerk", "unit_id": app.unit_a, "password": "First-2026a"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let wang = v["id"].as_i64().unwrap();
    let (s, v) = token_login(&app, "wang.wu", "First-2026a", "10.1.0.1").await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["must_change_password"], true);
    assert!(v["expires_at"].as_str().is_some());
    let t = v["token"].as_str().unwrap().to_string();
    let (s, v) = app.get("/api/v1/proceedings", &t).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    assert_eq!(app.get("/api/v1/me", &t).await.0, StatusCode::OK);
    let uri = format!("/api/v1/users/{wang}/password");
    let (s, _) = app
        .post(
            &uri,
            &t,
            json!({"current": "First-2026a", "password": "Second-2026b"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // History: none of the last five again.
    let mut current = "Second-2026b".to_string();
    for next in ["Third-2026c", "Fourth-2026d", "Fifth-2026e"] {
        let (_, v) = token_login(&app, "wang.wu", &current, "10.1.0.1").await;
        let t = v["token"].as_str().unwrap().to_string();
        assert_eq!(app.get("/api/v1/proceedings", &t).await.0, StatusCode::OK);
        let (s, v) = app
            .post(&uri, &t, json!({"current": current, "password": next}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
        current = next.to_string();
    }
    let (_, v) = token_login(&app, "wang.wu", &current, "10.1.0.1").await;
    let t = v["token"].as_str().unwrap().to_string();
    for old in ["First-2026a", "Second-2026b", "Fourth-2026d"] {
        let (s, v) = app
            .post(&uri, &t, json!({"current": current, "password": old}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{old}");
        assert!(
            codes(&v).contains(&("password".into(), "password_reused".into())),
            "{old}: {v}"
        );
    }

    // Tokens: expiry bounds, the list, revocation by API, another's token unseen.
    let req = |days: i64| {
        Request::post("/api/v1/tokens")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": "wang.wu", "password": current, "label": "对接系统", "expires_in_days": days}).to_string(),
            ))
            .unwrap()
    };
    let (s, v) = app.raw(req(400)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        [("expires_in_days".into(), "out_of_range".into())]
    );
    let (s, v) = app.raw(req(30)).await;
    assert_eq!(s, StatusCode::CREATED);
    let second = v["token"].as_str().unwrap().to_string();
    let (s, list) = app.get("/api/v1/tokens", &second).await;
    assert_eq!(s, StatusCode::OK);
    let listed = list.as_array().unwrap();
    assert!(
        listed.iter().any(|x| x["label"] == "对接系统"
            && x["active"] == true
            && x["last_used_at"].is_string())
    );
    assert!(
        list.to_string().find("hj_").is_none(),
        "no secret in the list"
    );
    let second_id = listed.iter().find(|x| x["label"] == "对接系统").unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{second_id}"),
            Some(&app.clerk_a),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another user's token");
    let (s, v) = app
        .get(&format!("/api/v1/tokens?user_id={wang}"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "a coordinator lists them");
    assert!(!v.as_array().unwrap().is_empty());
    let (s, v) = app
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{second_id}"),
            Some(&second),
            None,
        )
        .await;
    assert_eq!((s, v["active"].as_bool()), (StatusCode::OK, Some(false)));
    assert_eq!(
        app.get("/api/v1/me", &second).await.0,
        StatusCode::UNAUTHORIZED
    );
    // An expired token no longer works.
    sql(&app, "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE revoked_at IS NULL AND label = 'API'").await;
    assert_eq!(app.get("/api/v1/me", &t).await.0, StatusCode::UNAUTHORIZED);

    // 全部退出 revokes tokens; the page lists and revokes them.
    let (_, v) = app.raw(req(30)).await;
    let third = v["token"].as_str().unwrap().to_string();
    let r = login(&app, "wang.wu", &current, "/").await;
    let cookie = session_cookie(&r);
    let p = page(&app, "/password", &cookie).await;
    assert!(
        p.body.contains("对接系统") && p.body.contains("已撤销") && p.body.contains("已过期"),
        "{}",
        p.body
    );
    let csrf = p.hidden("csrf");
    let r = super::ui::form(&app, "/logout-all", &cookie, &[("csrf", &csrf)], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/me", &third).await.0,
        StatusCode::UNAUTHORIZED
    );
    let r = login(&app, "wang.wu", &current, "/").await;
    let cookie = session_cookie(&r);
    let (_, v) = app.raw(req(30)).await;
    let fourth = v["token"].as_str().unwrap().to_string();
    let fourth_id = app.get("/api/v1/tokens", &fourth).await.1[0]["id"]
        .as_i64()
        .unwrap();
    let p = page(&app, "/password", &cookie).await;
    let r = super::ui::form(
        &app,
        &format!("/tokens/{fourth_id}/revoke"),
        &cookie,
        &[("csrf", &p.hidden("csrf"))],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/me", &fourth).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Disabling revokes; enabling again does not bring the token back.
    let (_, v) = app.raw(req(30)).await;
    let fifth = v["token"].as_str().unwrap().to_string();
    let user = app
        .get(&format!("/api/v1/users/{wang}"), &app.coord)
        .await
        .1;
    let mut body = user.clone();
    body["active"] = json!(false);
    let (s, v) = app
        .put(&format!("/api/v1/users/{wang}"), &app.coord, body)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut body = v.clone();
    body["active"] = json!(true);
    let (s, _) = app
        .put(&format!("/api/v1/users/{wang}"), &app.coord, body)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", &fifth).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Optional expiry: a password set long ago must be changed at the next login.
    let expiring = huajie_web::router_with(
        app.store.clone(),
        huajie_web::WebConfig {
            documents_dir: std::env::temp_dir()
                .join(format!("huajie-test-documents-{}", std::process::id())),
            max_document_bytes: 64 * 1024,
            secure_cookies: false,
            trust_proxy: true,
            password_max_days: Some(90),
        },
    )
    .unwrap();
    let ask = || {
        Request::post("/api/v1/tokens")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": "wang.wu", "password": current}).to_string(),
            ))
            .unwrap()
    };
    use tower::ServiceExt;
    let body = |r: axum::response::Response| async move {
        use http_body_util::BodyExt;
        serde_json::from_slice::<serde_json::Value>(
            &r.into_body().collect().await.unwrap().to_bytes(),
        )
        .unwrap()
    };
    let v = body(expiring.clone().oneshot(ask()).await.unwrap()).await;
    assert_eq!(v["must_change_password"], false, "changed today");
    sql(
        &app,
        &format!(
            "UPDATE users SET password_changed_at = '2020-01-01T00:00:00.000Z' WHERE id = {wang}"
        ),
    )
    .await;
    let v = body(expiring.oneshot(ask()).await.unwrap()).await;
    assert_eq!(v["must_change_password"], true, "older than 90 days");
}

/// Audit content (point 5): refusals are audited with the real actor, identical ones folded
/// into one row with a count (probing a thousand ids is one row, not a thousand); a request
/// with a bad token is a refusal under the client's address; login events can be filtered.
pub async fn denials(app: App) {
    let coord = app
        .store
        .actor_by_token(&huajie_web::auth::token_hash(&app.coord))
        .await
        .unwrap()
        .unwrap();
    let denied = |name: &'static str| {
        let store = app.store.clone();
        let coord = coord.clone();
        async move {
            store
                .search_audit(
                    &coord,
                    &huajie_store::audit::AuditQuery {
                        action: Some("denied".into()),
                        actor_name: Some(name.into()),
                        limit: 500,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
        }
    };
    // A clerk probes 60 proceedings of other units and the units list it may not change.
    for i in 1..=60 {
        let (s, _) = app
            .get(
                &format!("/api/v1/proceedings/{}", 100_000 + i),
                &app.clerk_a,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let rows = denied("clerk.a").await;
    assert_eq!(rows.len(), 1, "folded: {rows:?}");
    assert_eq!(
        rows[0].after.as_ref().unwrap()["path"],
        "/api/v1/proceedings/100001"
    );
    // Bad tokens, from one address: one row under the address, not the header.
    for _ in 0..20 {
        let req = Request::get("/api/v1/me")
            .header(
                header::AUTHORIZATION,
                format!("Bearer hj_{}", "0".repeat(64)),
            )
            .header("x-forwarded-for", "10.2.0.1")
            .header(header::USER_AGENT, "evil-agent")
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, req).await.status, StatusCode::UNAUTHORIZED);
    }
    let rows = denied("（无效令牌）").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let after = rows[0].after.as_ref().unwrap();
    assert_eq!(
        (after["source"].as_str(), after["reason"].as_str()),
        (Some("10.2.0.1"), Some("invalid_token"))
    );
    assert!(!format!("{rows:?}").contains("evil-agent"));
    // 审计日志 filters login events.
    let r = login(&app, "coord", "secret123", "/").await;
    let cookie = session_cookie(&r);
    let p = page(&app, "/audit?action=login", &cookie).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("<option value=\"login_failed\""));
    assert!(p.body.contains(">登录<"), "{}", p.body);
}

/// Calendar feeds (point 6): a unit feed only from those who administer the unit; a leader's
/// own feed is listed and revocable; every feed dies with its creator's password change.
pub async fn feeds(app: App) {
    use serde_json::json;
    let (s, v) = app
        .post("/api/v1/feeds", &app.leader, json!({"unit_id": app.unit_a}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, mine) = app.post("/api/v1/feeds", &app.leader, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{mine}");
    let (s, unit) = app
        .post("/api/v1/feeds", &app.coord, json!({"unit_id": app.unit_a}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{unit}");
    let (_, listed) = app.get("/api/v1/feeds", &app.leader).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the leader lists its own feed"
    );
    let path = |v: &serde_json::Value| {
        let url = v["url"].as_str().unwrap().to_string();
        url[url.find("/feeds/").unwrap()..].to_string()
    };
    for v in [&mine, &unit] {
        let r = page(&app, &path(v), "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", path(v));
    }
    // The coordinator changes the password: the unit feed it created stops.
    let users = app.get("/api/v1/users", &app.coord).await.1;
    let coord_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "coord")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, v) = app
        .post(
            &format!("/api/v1/users/{coord_id}/password"),
            &app.coord,
            json!({"current": "secret123", "password": "Bureau-2026x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    assert_eq!(
        page(&app, &path(&unit), "").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(page(&app, &path(&mine), "").await.status, StatusCode::OK);
}

/// Regression (issue 15, point 6): a unit cannot reopen what the bureau waived.
pub async fn waived_stays(app: App) {
    use serde_json::json;
    let mut body = proceeding(
        "（2026）浙0602行初703号",
        app.unit_a,
        "2026-03-02",
        "赵豁免",
    );
    body["received_on"] = json!("2026-03-05");
    let (s, v) = app.post("/api/v1/proceedings", &app.coord, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let pid = v["id"].as_i64().unwrap();
    let (_, list) = app
        .get(&format!("/api/v1/proceedings/{pid}/deadlines"), &app.coord)
        .await;
    let owed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["unit_id"] == json!(app.unit_a) && d["nature"] == "duty")
        .unwrap_or_else(|| panic!("a duty of unit A: {list}"))
        .clone();
    let id = owed["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{id}/waive"),
            &app.coord,
            json!({"version": owed["version"], "reason": "已撤诉"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{id}/reopen"),
            &app.clerk_a,
            json!({"version": v["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("只有司法局"),
        "{v}"
    );
}
