//! Notifications (issue 16) through the real router: contacts on users (`email`, `mobile`),
//! the inbox (newest first, `read`, another user's message not found), a new obligation told to
//! the owing unit's clerk in the same transaction, reminders before the due day (3 and 1), the
//! overdue ladder (clerk → unit head after 3 days → bureau after 7), the day-before-hearing
//! reminder at its hour to the unit's head and clerk, quiet hours for SMS, the daily digest,
//! submission returned / accepted, rules and gateways as data with Chinese errors, and the
//! pages (消息中心 with the unread count, 通知设置, 提醒与接口, the case's delivery ledger).

use axum::http::StatusCode;
use huajie_domain::notify::{Channel, DeliveryStatus};
use huajie_domain::user::Role;
use huajie_store::audit::Author;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::common::*;
use super::ui::{form, login, page, session_cookie};

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

/// `hh:mm` Beijing on `day`.
pub(super) fn beijing(day: jiff::civil::Date, hh: i8, mm: i8) -> Timestamp {
    day.at(hh, mm, 0, 0)
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .unwrap()
        .timestamp()
}

fn days(d: jiff::civil::Date, n: i64) -> jiff::civil::Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap()
}

pub(super) async fn inbox(app: &App, token: &str) -> Vec<Value> {
    let (s, v) = app.get("/api/v1/messages", token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

fn keys(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|m| m["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn add_user(
    app: &App,
    username: &str,
    role: Role,
    unit: i64,
    email: &str,
    mobile: &str,
) -> (i64, String) {
    let u = app
        .store
        .create_user(
            &Author::system("test"),
            &huajie_domain::user::UserInput {
                username: username.into(),
                display_name: format!("{username}姓名"),
                role,
                unit_id: unit,
                active: true,
                contacts: huajie_domain::notify::Contacts {
                    email: Some(Some(email.into())),
                    mobile: Some(Some(mobile.into())),
                },
            },
            &huajie_web::auth::hash_password("secret123"),
            None,
        )
        .await
        .unwrap();
    (u.id, token_for(&app.store, username).await)
}

pub async fn story(app: App) {
    // --- contacts on users ------------------------------------------------------------------
    let (_, me) = app.get("/api/v1/me", &app.clerk_a).await;
    let clerk_id = me["user"]["id"].as_i64().unwrap();
    assert_eq!(me["user"]["email"], Value::Null);
    let (_, u) = app
        .get(&format!("/api/v1/users/{clerk_id}"), &app.coord)
        .await;
    let mut put = json!({
        "version": u["version"], "username": "clerk.a", "display_name": "clerk.a", "role": "unit_clerk",
        "unit_id": app.unit_a, "email": "not-an-address", "mobile": "123"
    });
    let (s, v) = app
        .put(
            &format!("/api/v1/users/{clerk_id}"),
            &app.coord,
            put.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let c = codes(&v);
    assert!(c.contains(&("email".into(), "invalid_email".into())), "{v}");
    assert!(
        c.contains(&("mobile".into(), "invalid_mobile".into())),
        "{v}"
    );
    put["email"] = json!("clerk.a@jiazhen.gov.cn");
    put["mobile"] = json!("+86 138-0000-1111");
    let (s, v) = app
        .put(
            &format!("/api/v1/users/{clerk_id}"),
            &app.coord,
            put.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["email"].as_str(), v["mobile"].as_str()),
        (Some("clerk.a@jiazhen.gov.cn"), Some("13800001111"))
    );
    // A PUT that does not name them leaves them as they are.
    let mut again = put.clone();
    again["version"] = v["version"].clone();
    again.as_object_mut().unwrap().remove("email");
    again.as_object_mut().unwrap().remove("mobile");
    let (s, v) = app
        .put(&format!("/api/v1/users/{clerk_id}"), &app.coord, again)
        .await;
    assert_eq!(
        (s, v["email"].as_str()),
        (StatusCode::OK, Some("clerk.a@jiazhen.gov.cn"))
    );
    let (_, me) = app.get("/api/v1/me", &app.clerk_a).await;
    assert_eq!(me["user"]["mobile"], "13800001111");
    let (head_id, head) = add_user(
        &app,
        "head.a",
        Role::UnitHead,
        app.unit_a,
        "head@jiazhen.gov.cn",
        "13800002222",
    )
    .await;

    // --- rules as data ------------------------------------------------------------------------
    let (s, r) = app.get("/api/v1/notify/rules", &app.coord).await;
    assert_eq!((s, r["version"].as_i64()), (StatusCode::OK, Some(0)));
    assert_eq!(r["rules"]["due_before"], json!([3, 1]));
    let (s, v) = app
        .put(
            "/api/v1/notify/rules",
            &app.coord,
            json!({"version": 0, "escalate_to_head_after": "7", "escalate_to_bureau_after": "3"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["fields"][0]["code"], "ladder_order", "{v}");
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("逐级上报")
    );
    let (s, _) = app
        .put("/api/v1/notify/rules", &app.clerk_a, json!({"version": 0}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A gateway for SMS, so IM deliveries are written (nothing is sent in this story).
    let (s, v) = app
        .post(
            "/api/v1/notify/gateways",
            &app.coord,
            json!({"name": "短信平台", "url": "ftp://x", "body_template": "{{phone}}"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let c = codes(&v);
    assert!(
        c.contains(&("url".into(), "invalid_url".into()))
            && c.contains(&("body_template".into(), "unknown_placeholder".into())),
        "{v}"
    );
    let (s, g) = app
        .post(
            "/api/v1/notify/gateways",
            &app.coord,
            json!({"name": "县短信平台", "kind": "sms", "url": "http://127.0.0.1:9/sms", "headers": "Content-Type: application/json",
                   "body_template": "{\"to\":\"{{mobile}}\",\"text\":\"{{text}}\"}"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let (s, _) = app.get("/api/v1/notify/gateways", &app.clerk_a).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // --- a new case: the owing unit's clerk is told, in the same transaction ------------------
    let t = today();
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance", "case_no": "(2026)浙0699行初701号", "domain": "expropriation",
                "registered_on": t.to_string(), "received_on": t.to_string(), "claimant_count": 56,
                "parties": [{"role": "claimant", "name": "吴一"}, {"role": "defendant", "unit_id": app.unit_a}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let (_, list) = app
        .get(&format!("/api/v1/proceedings/{pid}/deadlines"), &app.coord)
        .await;
    let duty = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["unit_id"] == json!(app.unit_a) && d["nature"] == "duty")
        .min_by_key(|d| d["due_on"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("a duty of unit A in {list}"))
        .clone();
    let did = duty["id"].as_i64().unwrap();
    let due: jiff::civil::Date = duty["due_on"].as_str().unwrap().parse().unwrap();
    let msgs = inbox(&app, &app.clerk_a).await;
    let new = msgs
        .iter()
        .find(|m| m["kind"] == "new_obligation" && m["deadline_id"] == json!(did))
        .unwrap_or_else(|| panic!("new obligation message in {msgs:?}"));
    assert_eq!(
        (new["read"].as_bool(), new["link"].as_str()),
        (Some(false), Some(format!("/deadlines/{did}").as_str()))
    );
    assert!(
        new["body"]
            .as_str()
            .unwrap()
            .contains("（2026）浙0699行初701号"),
        "{new}"
    );
    // The head and the bureau are not told of a new obligation.
    assert!(inbox(&app, &head).await.is_empty());
    // Read: not another user's message; the own one becomes read.
    let mid = new["id"].as_i64().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/messages/{mid}/read"),
            &app.coord,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app
        .post(
            &format!("/api/v1/messages/{mid}/read"),
            &app.clerk_a,
            json!({}),
        )
        .await;
    assert_eq!(
        (s, v["read"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    let (_, unread) = app.get("/api/v1/messages?unread=true", &app.clerk_a).await;
    assert!(
        !unread
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == json!(mid))
    );
    let (s, v) = app
        .get("/api/v1/messages?kind=nonsense", &app.clerk_a)
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_value"))
    );
    // E-mail to the clerk by default (the contract), no SMS for a new obligation.
    let ds = app.store.user_deliveries(clerk_id, 100).await.unwrap();
    assert!(
        ds.iter().any(|d| d.title.contains("新的报送事项")
            && d.channel == Channel::Email
            && d.status == DeliveryStatus::Queued),
        "{ds:?}"
    );
    assert!(!ds.iter().any(|d| d.channel == Channel::Im), "{ds:?}");

    // --- reminders before the due day: 3 days, then 1 day; each once ---------------------------
    let store = &app.store;
    let r = store.sweep(beijing(days(due, -3), 10, 0)).await.unwrap();
    assert!(r.due_soon >= 1, "{r:?}");
    assert_eq!(
        store
            .sweep(beijing(days(due, -3), 10, 1))
            .await
            .unwrap()
            .due_soon,
        0,
        "idempotent"
    );
    store.sweep(beijing(days(due, -1), 10, 0)).await.unwrap();
    let soon: Vec<_> = inbox(&app, &app.clerk_a)
        .await
        .into_iter()
        .filter(|m| m["kind"] == "due_soon" && m["deadline_id"] == json!(did))
        .collect();
    assert_eq!(soon.len(), 2, "{soon:?}");
    assert!(
        soon[0]["body"].as_str().unwrap().contains("还有 1 天到期"),
        "{soon:?}"
    );
    assert!(
        soon[1]["body"].as_str().unwrap().contains("还有 3 天到期"),
        "newest first: {soon:?}"
    );

    // --- the overdue ladder: clerk on day 1, the unit head after 3, the bureau after 7 ----------
    store.sweep(beijing(days(due, 1), 10, 0)).await.unwrap();
    assert!(keys(&inbox(&app, &app.clerk_a).await).contains(&"overdue".to_string()));
    assert!(inbox(&app, &head).await.is_empty(), "not yet the head");
    store.sweep(beijing(days(due, 3), 10, 0)).await.unwrap();
    let h = inbox(&app, &head).await;
    assert_eq!(keys(&h), vec!["escalation"], "{h:?}");
    assert!(
        h[0]["title"].as_str().unwrap().contains("逾期 3 天"),
        "{h:?}"
    );
    assert!(
        !inbox(&app, &app.coord)
            .await
            .iter()
            .any(|m| m["kind"] == "escalation"),
        "not yet the bureau"
    );
    // 23:00: the head's SMS waits for the end of the quiet hours; e-mail does not.
    store.sweep(beijing(days(due, 7), 23, 0)).await.unwrap();
    let b = inbox(&app, &app.coord).await;
    let esc = b
        .iter()
        .find(|m| m["kind"] == "escalation")
        .unwrap_or_else(|| panic!("{b:?}"));
    assert!(
        esc["title"]
            .as_str()
            .unwrap()
            .starts_with("甲镇人民政府逾期"),
        "{esc}"
    );
    let head_sms: Vec<_> = store
        .user_deliveries(head_id, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.channel == Channel::Im)
        .collect();
    assert_eq!(head_sms.len(), 1, "{head_sms:?}");

    // --- the day before a hearing, at the set hour (16:00): the unit's head and clerk -----------
    let hday = days(t, 10);
    let (s, h) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/hearings"),
            &app.coord,
            json!({"scheduled_at": format!("{hday}T09:30"), "place": "第三法庭"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    store.sweep(beijing(days(hday, -1), 15, 0)).await.unwrap();
    assert!(
        !keys(&inbox(&app, &head).await).contains(&"hearing_tomorrow".to_string()),
        "not before 16:00"
    );
    let r = store.sweep(beijing(days(hday, -1), 16, 5)).await.unwrap();
    assert_eq!(r.hearings, 1, "{r:?}");
    for token in [&head, &app.clerk_a] {
        let m = inbox(&app, token).await;
        let hm = m
            .iter()
            .find(|m| m["kind"] == "hearing_tomorrow")
            .unwrap_or_else(|| panic!("{m:?}"));
        assert!(hm["body"].as_str().unwrap().contains("第三法庭"), "{hm}");
        assert_eq!(hm["proceeding_id"], json!(pid));
    }
    // SMS and e-mail by default for hearings; 16:05 is not quiet.
    let sms = store.user_deliveries(head_id, 10).await.unwrap();
    let hs = sms
        .iter()
        .find(|d| d.title.starts_with("明日开庭") && d.channel == Channel::Im)
        .expect("hearing SMS");
    assert_eq!(hs.address, "13800002222");
    assert!(
        hs.not_before <= huajie_store::notify::stamp(beijing(days(hday, -1), 16, 5)),
        "{hs:?}"
    );
    // The case page's ledger: the bureau sees every delivery, a unit its own people's.
    let (_, all) = app
        .get(&format!("/api/v1/proceedings/{pid}/deliveries"), &app.coord)
        .await;
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|d| d["user_id"] == json!(head_id)),
        "{all}"
    );
    let clerk_b = add_clerk(&app, "clerk.b", app.unit_b).await;
    let (s, _) = app
        .get(&format!("/api/v1/proceedings/{pid}/deliveries"), &clerk_b)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another unit's case");

    // --- own preferences: channels per kind, own quiet hours, the daily digest ------------------
    let (s, v) = app
        .put(
            "/api/v1/me/preferences",
            &head,
            json!({"channels": {"due_soon": ["email", "pager"]}, "quiet_start": "21:00"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let c = codes(&v);
    assert!(
        c.contains(&("channels".into(), "unknown_value".into()))
            && c.contains(&("quiet_end".into(), "required".into())),
        "{v}"
    );
    let (s, v) = app
        .put("/api/v1/me/preferences", &head, json!({"channels": {"escalation": ["email"]}, "quiet_start": "21:00", "quiet_end": "08:00", "digest": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["quiet_hours"], "21:00 至 08:00");
    let esc = v["effective"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "escalation")
        .unwrap()
        .clone();
    assert_eq!(esc["channels"], json!(["email"]));
    // With the digest, a new message's e-mail is held, then goes in one digest at 08:00.
    let n = huajie_store::notify::Notice {
        jurisdiction_id: app.county,
        kind: huajie_domain::notify::MessageKind::WorkItem,
        key: "story:digest".into(),
        title: "风险预警：测试".into(),
        body: "请在10日内报送风险分析报告。".into(),
        link: None,
        proceeding_id: None,
        deadline_id: None,
        work_item_id: None,
    };
    store
        .notify(
            beijing(days(hday, 1), 20, 0),
            &n,
            &[huajie_store::notify::To::Users(vec![head_id])],
        )
        .await
        .unwrap();
    let held = store.user_deliveries(head_id, 1).await.unwrap();
    assert_eq!(held[0].status, DeliveryStatus::Held, "{held:?}");
    let r = store.sweep(beijing(days(hday, 2), 8, 1)).await.unwrap();
    assert_eq!(r.digests, 1, "{r:?}");
    let d = inbox(&app, &head).await;
    assert_eq!(d[0]["kind"], "digest", "{d:?}");
    assert!(
        d[0]["body"].as_str().unwrap().contains("风险预警：测试"),
        "{d:?}"
    );
    let ds = store.user_deliveries(head_id, 3).await.unwrap();
    assert_eq!(
        (ds[0].status, ds[1].status),
        (DeliveryStatus::Queued, DeliveryStatus::Digested),
        "{ds:?}"
    );

    // --- the pages ----------------------------------------------------------------------------
    let r = login(&app, "clerk.a", "secret123", "/messages").await;
    let cookie = session_cookie(&r);
    let p = page(&app, "/messages", &cookie).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("消息中心") && p.body.contains("即将到期") && p.body.contains("明日开庭"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("class=\"badge\">"),
        "unread count in the top bar"
    );
    let csrf = p.hidden("csrf");
    // Opening a message marks it read and goes to its case.
    let hm = inbox(&app, &app.clerk_a)
        .await
        .into_iter()
        .find(|m| m["kind"] == "hearing_tomorrow")
        .unwrap();
    let r = form(
        &app,
        &format!("/messages/{}/read", hm["id"]),
        &cookie,
        &[("csrf", &csrf), ("go", "1")],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (
            StatusCode::SEE_OTHER,
            format!("/proceedings/{pid}").as_str()
        )
    );
    let r = form(
        &app,
        "/messages/read-all",
        &cookie,
        &[("csrf", &csrf)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        inbox(&app, &app.clerk_a)
            .await
            .iter()
            .all(|m| m["read"] == json!(true))
    );
    let p = page(&app, "/messages?unread=1", &cookie).await;
    assert!(p.body.contains("没有消息"), "{}", p.body);
    // 通知设置: a bad mobile number is refused with what was typed kept.
    let r = form(
        &app,
        "/messages/settings",
        &cookie,
        &[
            ("csrf", &csrf),
            ("email", "clerk.a@jiazhen.gov.cn"),
            ("mobile", "12"),
            ("ch_due_soon", "im"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("手机号码“12”应为 11 位数字"), "{}", r.body);
    let r = form(
        &app,
        "/messages/settings",
        &cookie,
        &[
            ("csrf", &csrf),
            ("email", "clerk.a@jiazhen.gov.cn"),
            ("mobile", "13800001111"),
            ("ch_due_soon", "im"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/messages/settings?msg=saved")
    );
    let p = page(&app, "/messages/settings?msg=saved", &cookie).await;
    assert!(
        p.body.contains("通知设置已保存") && p.body.contains("投递记录"),
        "{}",
        p.body
    );
    let (_, v) = app.get("/api/v1/me/preferences", &app.clerk_a).await;
    let ds = v["effective"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "due_soon")
        .unwrap()
        .clone();
    assert_eq!(ds["channels"], json!(["im"]));
    // 提醒与接口 is the bureau's; its rules form saves in Chinese.
    let p = page(&app, "/notifications", &cookie).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let r = login(&app, "coord", "secret123", "/notifications").await;
    let coord = session_cookie(&r);
    let p = page(&app, "/notifications", &coord).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("县短信平台") && p.body.contains("提醒规则") && p.body.contains("渠道状态"),
        "{}",
        p.body
    );
    let csrf = p.hidden("csrf");
    let r = form(
        &app,
        "/notifications/rules",
        &coord,
        &[
            ("csrf", &csrf),
            ("version", "0"),
            ("due_before", "五"),
            ("quiet_start", "22:00"),
            ("quiet_end", "07:30"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("到期前提醒天数“五”不是整数"), "{}", r.body);
    let r = form(
        &app,
        "/notifications/rules",
        &coord,
        &[
            ("csrf", &csrf),
            ("version", "0"),
            ("due_before", "5、2"),
            ("overdue_to_clerk", "1"),
            ("escalate_to_head_after", "2"),
            ("escalate_to_bureau_after", "5"),
            ("hearing_reminder_hour", "17"),
            ("quiet_start", "22:00"),
            ("quiet_end", "07:30"),
            ("digest_hour", "8"),
            ("ch_due_soon", "email"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/notifications?msg=rules"),
        "{}",
        r.body
    );
    let (_, r) = app.get("/api/v1/notify/rules", &app.coord).await;
    assert_eq!(
        (r["version"].as_i64(), r["rules"]["due_before"].clone()),
        (Some(1), json!([5, 2]))
    );
    // 用户管理: search, filters, contacts edited in place.
    let p = page(&app, "/users?q=head&status=active", &coord).await;
    assert!(
        p.body.contains("head.a") && p.body.contains("显示 1 人"),
        "{}",
        p.body
    );
    let p = page(
        &app,
        &format!("/users?role=unit_clerk&unit_id={}", app.unit_a),
        &coord,
    )
    .await;
    assert!(
        p.body.contains("clerk.a@jiazhen.gov.cn") && !p.body.contains("head@jiazhen.gov.cn"),
        "{}",
        p.body
    );
    let (_, hu) = app
        .get(&format!("/api/v1/users/{head_id}"), &app.coord)
        .await;
    let v = hu["version"].to_string();
    let r = form(
        &app,
        &format!("/users/{head_id}/contacts"),
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &v),
            ("email", "head@jiazhen"),
            ("mobile", "13800002222"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("电子邮箱“head@jiazhen”格式不正确"),
        "{}",
        r.body
    );
    let r = form(
        &app,
        &format!("/users/{head_id}/contacts"),
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &v),
            ("email", "zhang@jiazhen.gov.cn"),
            ("mobile", "13800003333"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, hu) = app
        .get(&format!("/api/v1/users/{head_id}"), &app.coord)
        .await;
    assert_eq!(
        (hu["email"].as_str(), hu["mobile"].as_str()),
        (Some("zhang@jiazhen.gov.cn"), Some("13800003333"))
    );
    // 单位管理: search; a unit's heads added and edited (正职 / 副职 / 分管, phone).
    let p = page(&app, "/units?q=甲镇", &coord).await;
    let table = &p.body[p.body.find("id=\"units\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains(&format!("/units/{}", app.unit_a)) && !table.contains("测试县公安局"),
        "{table}"
    );
    let r = form(
        &app,
        &format!("/units/{}/heads", app.unit_a),
        &coord,
        &[
            ("csrf", &csrf),
            ("name", "张镇长"),
            ("post", "镇长"),
            ("kind", "principal"),
            ("phone", "abc"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("张镇长"), "typed values kept");
    let r = form(
        &app,
        &format!("/units/{}/heads", app.unit_a),
        &coord,
        &[
            ("csrf", &csrf),
            ("name", "张镇长"),
            ("post", "镇长"),
            ("kind", "principal"),
            ("phone", "0571-88880000"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, heads) = app
        .get(&format!("/api/v1/units/{}/heads", app.unit_a), &app.coord)
        .await;
    let h = heads
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "张镇长")
        .unwrap()
        .clone();
    let r = form(
        &app,
        &format!("/unit-heads/{}", h["id"]),
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &h["version"].to_string()),
            ("unit_id", &app.unit_a.to_string()),
            ("name", "张镇长"),
            ("post", "党委书记、镇长"),
            ("kind", "principal"),
            ("phone", "0571-88880001"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = page(&app, &format!("/units/{}", app.unit_a), &coord).await;
    assert!(
        p.body.contains("党委书记、镇长")
            && p.body.contains("0571-88880001")
            && p.body.contains("head.a"),
        "{}",
        p.body
    );
    // The bureau sees a user's delivery record; a unit clerk does not see another's.
    let (s, v) = app
        .get(&format!("/api/v1/users/{head_id}/deliveries"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|d| d["status"] == "digested"),
        "{v}"
    );
    let (s, _) = app
        .get(&format!("/api/v1/users/{head_id}/deliveries"), &app.clerk_a)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let p = page(&app, &format!("/users/{head_id}/deliveries"), &coord).await;
    assert!(
        p.body.contains("投递记录") && p.body.contains("已汇总发送"),
        "{}",
        p.body
    );
    // The case page shows the delivery ledger.
    let p = page(&app, &format!("/proceedings/{pid}"), &coord).await;
    assert!(
        p.body.contains("提醒投递记录") && p.body.contains("head.a姓名"),
        "{}",
        p.body
    );
    let _ = g;
}
