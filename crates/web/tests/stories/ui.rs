//! The browser side through the real router: login with CSRF and lockout, sessions, logout
//! (here and everywhere), first-login password change, the workbench.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use super::common::*;

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.split(';')
                    .next()
                    .and_then(|kv| kv.split_once('='))
                    .filter(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
    }
    /// The value of the hidden input `name`.
    pub fn hidden(&self, name: &str) -> String {
        let key = format!("name=\"{name}\" value=\"");
        let i = self
            .body
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {}", self.body))
            + key.len();
        self.body[i..self.body[i..].find('"').unwrap() + i].to_string()
    }
}

pub async fn send(app: &App, req: Request<Body>) -> Resp {
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body =
        String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Resp {
        status,
        headers,
        body,
    }
}

pub async fn page(app: &App, uri: &str, cookie: &str) -> Resp {
    let req = Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    send(app, req).await
}

pub async fn form(
    app: &App,
    uri: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
    origin: Option<&str>,
) -> Resp {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let mut b = Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::HOST, "huajie.local")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    send(app, b.body(Body::from(body)).unwrap()).await
}

/// Logs in through the form; returns the response of the POST.
pub async fn login(app: &App, user: &str, pw: &str, next: &str) -> Resp {
    let p = page(app, &format!("/login?next={}", urlencode(next)), "").await;
    assert_eq!(p.status, StatusCode::OK);
    let pre = p.cookie("hj_login").expect("login cookie");
    let csrf = p.hidden("csrf");
    assert_eq!(pre, csrf);
    form(
        app,
        "/login",
        &format!("hj_login={pre}"),
        &[
            ("username", user),
            ("password", pw),
            ("csrf", &csrf),
            ("next", next),
        ],
        Some("http://huajie.local"),
    )
    .await
}

pub fn session_cookie(r: &Resp) -> String {
    format!(
        "hj_session={}",
        r.cookie("hj_session").expect("session cookie")
    )
}

pub async fn story(app: App) {
    // --- no session: every page sends to the login page, keeping where one was going -------
    let r = page(&app, "/", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2F");
    let r = page(&app, "/", "hj_session=hj_forged").await;
    assert_eq!(r.location(), "/login?next=%2F");
    let css = page(&app, "/assets/app.css", "").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("--blue"));

    // --- login: CSRF, wrong passwords, lockout, admin reset -------------------------------
    let p = page(&app, "/login", "").await;
    assert!(p.body.contains("用户名") && p.body.contains("登录"));
    let r = form(
        &app,
        "/login",
        "hj_login=abc",
        &[
            ("username", "clerk.a"),
            ("password", "secret123"),
            ("csrf", "xyz"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("登录页面已过期"));
    assert!(r.cookie("hj_session").is_none());
    let r = login(&app, "nobody", "secret123", "/").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("用户名或密码错误"));
    assert!(
        r.body.contains("value=\"nobody\""),
        "the typed name is kept"
    );
    // Five wrong passwords: the same answer each time, no lock that a guesser could set.
    for i in 1..=5 {
        let r = login(&app, "leader", "wrong-pass1", "/").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(r.body.contains("用户名或密码错误"));
    }
    // From the same place the next try must wait, even with the right password …
    let r = login(&app, "leader", "secret123", "/").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("登录失败次数过多"), "{}", r.body);
    // … and the API shares the throttle.
    let (s, v) = app
        .call(
            "POST",
            "/api/v1/tokens",
            None,
            Some(json!({"username": "leader", "password": "secret123"})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    let me = app.get("/api/v1/users", &app.coord).await.1;
    let leader_id = me
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "leader")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/users/{leader_id}/password"),
            &app.coord,
            json!({"password": "Reset-2024x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // --- first login after a reset: the password must be changed first --------------------
    let r = login(&app, "leader", "Reset-2024x", "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let leader = session_cookie(&r);
    let r = page(&app, "/", &leader).await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/password")
    );
    let p = page(&app, "/password", &leader).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("首次登录"));
    let csrf = p.hidden("csrf");
    let r = form(
        &app,
        "/password",
        &leader,
        &[
            ("csrf", &csrf),
            ("current", "nope"),
            ("new", "short"),
            ("confirm", "other"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("当前密码不正确"), "{}", r.body);
    assert!(r.body.contains("两次输入的新密码不一致"));
    assert!(r.body.contains("8至128"), "{}", r.body);
    let r = form(
        &app,
        "/password",
        &leader,
        &[
            ("csrf", &csrf),
            ("current", "Reset-2024x"),
            ("new", "Qiye-2025a"),
            ("confirm", "Qiye-2025a"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/?msg=password_changed")
    );
    let r = page(&app, "/?msg=password_changed", &leader).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("密码已修改"));

    // --- the workbench shows my deadlines and this week's hearings -------------------------
    let pid = {
        let (s, p) = app
            .post(
                "/api/v1/proceedings",
                &app.coord,
                proceeding("(2026)浙0699行初7号", app.unit_a, "2026-01-05", "王五"),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        p["id"].as_i64().unwrap()
    };
    let (s, _) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/events"),
            &app.clerk_a,
            json!({"kind": "complaint_copy_received", "occurred_on": "2026-01-09"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let r = login(&app, "clerk.a", "secret123", "/").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
    let clerk = session_cookie(&r);
    let w = page(&app, "/", &clerk).await;
    assert_eq!(w.status, StatusCode::OK);
    assert!(w.body.contains("工作台") && w.body.contains("clerk.a"));
    assert!(w.body.contains("提交答辩状及证据、依据"), "{}", w.body);
    assert!(w.body.contains("（2026）浙0699行初7号"));
    assert!(
        w.body.contains("<b>1</b><span>已逾期</span>"),
        "the tile counts the overdue duty; 申请延期提供证据 is a right, never a to-do"
    );
    assert!(
        !w.body.contains("申请延期提供证据"),
        "a right is not on the to-do list"
    );
    assert!(w.body.contains("2026-01-09 起算"));
    assert!(!w.body.contains("<script>alert"), "text is escaped");

    // --- the ledger: filters, scope, paging, errors that keep what was typed --------------
    let (s, other) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding("(2026)浙0699行初8号", app.unit_b, "2026-01-06", "赵六"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let other_id = other["id"].as_i64().unwrap();
    let l = page(&app, "/ledger", &clerk).await;
    assert_eq!(l.status, StatusCode::OK);
    assert!(l.body.contains("（2026）浙0699行初7号"));
    assert!(
        !l.body.contains("（2026）浙0699行初8号"),
        "another unit's case is not listed"
    );
    let coord = session_cookie(&login(&app, "coord", "secret123", "/ledger").await);
    // Regression: the bureau's tiles said "0 已逾期" above a county list of overdue items.
    let cw = page(&app, "/", &coord).await;
    assert!(
        cw.body.contains("<b>1</b><span>各单位已逾期</span>"),
        "the tile counts the units' overdue duty: {}",
        cw.body
    );
    assert!(
        cw.body.contains("甲镇人民政府"),
        "the county list names the unit"
    );
    // Regression: a multi-line 案情摘要 was refused, and the case page never showed it.
    let mut with_summary = proceeding("(2026)浙0699行初9号", app.unit_b, "2026-01-05", "钱九");
    with_summary["summary"] = json!("原告诉称：\r\n一、撤销决定；\n二、赔偿损失。");
    let (s, v) = app
        .post("/api/v1/proceedings", &app.coord, with_summary)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["summary"], "原告诉称：\n一、撤销决定；\n二、赔偿损失。");
    let c = page(&app, &format!("/proceedings/{}", v["id"]), &coord).await;
    assert!(
        c.body.contains(
            "<p class=\"summary\" id=\"summary\">原告诉称：\n一、撤销决定；\n二、赔偿损失。</p>"
        ),
        "{}",
        c.body
    );
    let l = page(
        &app,
        "/ledger?kind=first_instance&unit_id=&party=%E8%B5%B5",
        &coord,
    )
    .await;
    assert_eq!(l.status, StatusCode::OK, "{}", l.body);
    assert!(l.body.contains("（2026）浙0699行初8号") && !l.body.contains("（2026）浙0699行初7号"));
    assert!(
        l.body.contains("符合条件的共 1 件"),
        "the count of the filter"
    );
    assert!(
        page(&app, "/ledger", &clerk)
            .await
            .body
            .contains("符合条件的共 1 件"),
        "counted in scope"
    );
    // Saved filters: named, listed as links, replaced under the same name, deleted.
    let csrf = l.hidden("csrf");
    let q = l.hidden("query");
    assert_eq!(q, "kind=first_instance&#38;party=%E8%B5%B5");
    let r = form(
        &app,
        "/ledger/filters",
        &coord,
        &[
            ("csrf", &csrf),
            ("name", "姓赵的一审"),
            ("query", "kind=first_instance&party=%E8%B5%B5"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = form(
        &app,
        "/ledger/filters",
        &coord,
        &[("csrf", &csrf), ("name", " "), ("query", "")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("筛选名称不能为空"));
    let l = page(&app, "/ledger", &coord).await;
    assert!(
        l.body
            .contains("href=\"/ledger?kind=first_instance&#38;party=%E8%B5%B5\">姓赵的一审</a>"),
        "{}",
        l.body
    );
    assert!(
        !page(&app, "/ledger", &clerk)
            .await
            .body
            .contains("姓赵的一审"),
        "filters are personal"
    );
    let fid = {
        let i =
            l.body.find("action=\"/ledger/filters/").unwrap() + "action=\"/ledger/filters/".len();
        l.body[i..i + l.body[i..].find('/').unwrap()].to_string()
    };
    let r = form(
        &app,
        &format!("/ledger/filters/{fid}/delete"),
        &clerk,
        &[("csrf", &page(&app, "/ledger", &clerk).await.hidden("csrf"))],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not someone else's");
    let r = form(
        &app,
        &format!("/ledger/filters/{fid}/delete"),
        &coord,
        &[("csrf", &csrf)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        !page(&app, "/ledger", &coord)
            .await
            .body
            .contains("姓赵的一审")
    );
    assert!(
        l.body.contains("测试县公安局"),
        "the unit filter lists units"
    );
    let l = page(
        &app,
        "/ledger?registered_from=2026-02-30&party=%E8%B5%B5",
        &coord,
    )
    .await;
    assert_eq!(l.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        l.body.contains("2026-02-30") && l.body.contains("日期“2026-02-30”无效"),
        "{}",
        l.body
    );
    assert!(l.body.contains("value=\"赵\""), "typed filters are kept");
    let l = page(&app, "/ledger?sort=registered_on", &coord).await;
    assert_eq!(l.status, StatusCode::OK);
    let first = l.body.find("（2026）浙0699行初7号").unwrap();
    let second = l.body.find("（2026）浙0699行初8号").unwrap();
    assert!(first < second, "oldest first");
    assert!(!l.body.contains("rel=\"next\""), "one page only");

    // --- the case page: deadlines with trace and citation, events, met --------------------
    assert!(
        l.body.contains(&format!("href=\"/proceedings/{pid}\""))
            || page(&app, "/ledger", &clerk)
                .await
                .body
                .contains(&format!("href=\"/proceedings/{pid}\""))
    );
    let c = page(&app, &format!("/proceedings/{pid}"), &clerk).await;
    assert_eq!(c.status, StatusCode::OK);
    assert!(c.body.contains("提交答辩状及证据、依据") && c.body.contains("2026-01-09 起算"));
    assert!(c.body.contains("第六十七条"), "citation shown");
    assert!(c.body.contains("甲镇人民政府") && c.body.contains("王五"));
    let denied = page(&app, &format!("/proceedings/{other_id}"), &clerk).await;
    assert_eq!(
        denied.status,
        StatusCode::NOT_FOUND,
        "a clerk cannot open another unit's case"
    );
    assert!(!denied.body.contains("赵六"));
    let csrf = c.hidden("csrf");
    let r = form(
        &app,
        &format!("/proceedings/{pid}/events"),
        &clerk,
        &[
            ("csrf", &csrf),
            ("kind", "summons_received"),
            ("occurred_on", "2026-13-01"),
            ("note", "传票已签收"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("日期“2026-13-01”无效"));
    assert!(
        r.body.contains("value=\"传票已签收\"") && r.body.contains("value=\"2026-13-01\""),
        "typed values kept"
    );
    let r = form(
        &app,
        &format!("/proceedings/{pid}/events"),
        &clerk,
        &[
            ("csrf", &csrf),
            ("kind", "summons_received"),
            ("occurred_on", "2026-01-20"),
            ("note", "传票已签收"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (
            StatusCode::SEE_OTHER,
            format!("/proceedings/{pid}?msg=event_added#deadlines").as_str()
        )
    );
    let c = page(&app, &format!("/proceedings/{pid}?msg=event_added"), &clerk).await;
    assert!(c.body.contains("事件已登记") && c.body.contains("收到开庭传票"));
    let key = "action=\"/deadlines/";
    let i = c.body.find(key).expect("a met form") + key.len();
    let did = &c.body[i..i + c.body[i..].find('/').unwrap()];
    let vkey = "name=\"version\" value=\"";
    let j = c.body[i..].find(vkey).unwrap() + i + vkey.len();
    let version = &c.body[j..j + c.body[j..].find('"').unwrap()];
    let r = form(
        &app,
        &format!("/deadlines/{did}/met"),
        &clerk,
        &[
            ("csrf", &csrf),
            ("version", version),
            ("met_on", "2099-01-01"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("晚于今天"));
    let r = form(
        &app,
        &format!("/deadlines/{did}/met"),
        &clerk,
        &[
            ("csrf", &csrf),
            ("version", version),
            ("met_on", "2026-01-20"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = page(&app, &format!("/proceedings/{pid}?msg=met"), &clerk).await;
    assert!(c.body.contains("完成于 2026-01-20"), "{}", c.body);
    assert!(c.body.contains("标记完成"), "the history lists it");

    // --- logout needs the token and the same origin; logout everywhere ---------------------
    let csrf = w.hidden("csrf");
    let r = form(&app, "/logout", &clerk, &[("csrf", "bad")], None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = form(
        &app,
        "/logout",
        &clerk,
        &[("csrf", &csrf)],
        Some("http://evil.example"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(page(&app, "/", &clerk).await.status, StatusCode::OK);
    let second = session_cookie(&login(&app, "clerk.a", "secret123", "/").await);
    let r = form(
        &app,
        "/logout",
        &clerk,
        &[("csrf", &csrf)],
        Some("http://huajie.local"),
    )
    .await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(page(&app, "/", &clerk).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page(&app, "/", &second).await.status,
        StatusCode::OK,
        "other session lives"
    );
    let third = session_cookie(&login(&app, "clerk.a", "secret123", "/").await);
    let csrf = page(&app, "/password", &second).await.hidden("csrf");
    let r = form(&app, "/logout-all", &second, &[("csrf", &csrf)], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(page(&app, "/", &second).await.status, StatusCode::SEE_OTHER);
    assert_eq!(page(&app, "/", &third).await.status, StatusCode::SEE_OTHER);

    // --- open redirects are not followed -------------------------------------------------
    let r = login(&app, "clerk.a", "secret123", "//evil.example/x").await;
    assert_eq!(r.location(), "/");
    let (s, history) = app
        .get(&format!("/api/v1/audit/user/{leader_id}"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK);
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // Five failures (and a wrong current password), no lock (throttling is in memory, nothing a guesser can set), a login.
    assert!(
        actions.iter().filter(|a| **a == "login_failed").count() >= 5,
        "{actions:?}"
    );
    assert!(
        !actions.contains(&"lock") && actions.contains(&"login"),
        "{actions:?}"
    );
    app.store.close().await;
}
