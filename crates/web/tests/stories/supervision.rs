//! 督办 to 销号 through the API (issue 17): a 挂牌督办 order with the unit's 一把手 包案 and a
//! county leader following it (told), its 文号 from the year's sequence; two half-monthly
//! progress reports submitted and accepted; a leader's 批示 (the units and the bureau told) —
//! the one thing a leader writes; 销号. Scope: another unit sees nothing of it.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::*;

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

fn day(n: i64) -> jiff::civil::Date {
    today().checked_add(jiff::Span::new().days(n)).unwrap()
}

fn progress(list: &Value) -> Vec<&Value> {
    let mut v: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule_id"] == "SUPERVISION_PROGRESS")
        .collect();
    v.sort_by_key(|d| d["occurrence"].as_i64());
    v
}

async fn submit_and_accept(app: &App, obligation: &Value, text: &str) {
    let id = obligation["id"].as_i64().unwrap();
    let (s, sub) = app
        .post(
            &format!("/api/v1/deadlines/{id}/submissions"),
            &app.clerk_a,
            json!({"version": obligation["version"], "fields": {"办理进展": text, "下一步措施": "继续跟进"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    let (s, v) = app
        .post(
            &format!("/api/v1/submissions/{}/accept", sub["id"]),
            &app.coord,
            json!({"version": sub["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

pub async fn story(app: App) {
    let clerk_b = add_clerk(&app, "clerk.b", app.unit_b).await;
    let (_, me) = app.get("/api/v1/me", &app.leader).await;
    let leader_id = me["user"]["id"].as_i64().unwrap();
    let mut heads = Vec::new();
    for (name, post, kind) in [
        ("张镇长", "镇长", "principal"),
        ("李副镇长", "副镇长", "deputy"),
    ] {
        let (s, h) = app
            .post(
                &format!("/api/v1/units/{}/heads", app.unit_a),
                &app.coord,
                json!({"name": name, "post": post, "kind": kind}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{h}");
        heads.push(h["id"].as_i64().unwrap());
    }
    let title = "关于某村征收补偿纠纷的督办单";
    let base = json!({"title": title, "unit_ids": [app.unit_a], "note": "请一把手包案，每半月报送进展", "listed": true});

    // --- refusals --------------------------------------------------------------------------
    let (s, v) = app
        .post("/api/v1/supervision-orders", &app.coord, base.clone())
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![
                ("lead_head_id".to_string(), "required".to_string()),
                ("follower_id".to_string(), "required".to_string())
            ]
        ),
        "{v}"
    );
    let mut deputy = base.clone();
    deputy["lead_head_id"] = json!(heads[1]);
    deputy["follower_id"] = json!(leader_id);
    let (s, v) = app
        .post("/api/v1/supervision-orders", &app.coord, deputy)
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("lead_head_id".to_string(), "not_principal".to_string())]
        )
    );
    let mut not_leader = base.clone();
    not_leader["lead_head_id"] = json!(heads[0]);
    not_leader["follower_id"] = json!(me["user"]["id"].as_i64().unwrap() + 1000);
    let (s, v) = app
        .post("/api/v1/supervision-orders", &app.coord, not_leader)
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("follower_id".to_string(), "unknown_leader".to_string())]
        )
    );
    let mut good = base.clone();
    good["lead_head_id"] = json!(heads[0]);
    good["follower_id"] = json!(leader_id);
    let (s, _) = app
        .post("/api/v1/supervision-orders", &app.clerk_a, good.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post("/api/v1/supervision-orders", &app.leader, good.clone())
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "a leader instructs, the bureau issues"
    );

    // --- 挂牌督办 ------------------------------------------------------------------------------
    let (s, o) = app
        .post("/api/v1/supervision-orders", &app.coord, good)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let year = today().year();
    assert_eq!(o["order"]["doc_no"], format!("督〔{year}〕1号"));
    assert_eq!(o["order"]["listed"], true);
    assert_eq!(o["order"]["lead_label"], "张镇长（镇长，正职）");
    assert_eq!(o["order"]["follower_name"], "leader");
    let oid = o["order"]["id"].as_i64().unwrap();
    let item = o["order"]["item"]["id"].as_i64().unwrap();
    let first = progress(&o["obligations"]);
    assert_eq!(first.len(), 1, "{o}");
    assert_eq!(first[0]["unit_id"], app.unit_a);
    let (_, inbox) = app.get("/api/v1/messages", &app.leader).await;
    assert!(
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["title"] == format!("挂牌督办：{title}")),
        "{inbox}"
    );
    // The next order of the year takes the next number.
    let (s, o2) = app
        .post(
            "/api/v1/supervision-orders",
            &app.coord,
            json!({"title": "关于信访件办理的督办单", "unit_ids": [app.unit_b]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o2}");
    assert_eq!(o2["order"]["doc_no"], format!("督〔{year}〕2号"));
    // Scope: each unit its own; the bureau and leaders all; listed first.
    let (_, mine) = app.get("/api/v1/supervision-orders", &app.clerk_a).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (s, _) = app
        .get(&format!("/api/v1/supervision-orders/{oid}"), &clerk_b)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, all) = app
        .get("/api/v1/supervision-orders?listed=true", &app.leader)
        .await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    let (_, all) = app.get("/api/v1/supervision-orders", &app.leader).await;
    assert_eq!(all[0]["id"], oid, "listed first");
    let (s, _) = app
        .get("/api/v1/supervision-orders?status=maybe", &app.leader)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // --- two half-monthly progress reports --------------------------------------------------
    submit_and_accept(&app, first[0], "已约谈村民代表").await;
    app.store.advance_work_items(day(16)).await.unwrap();
    let (_, d) = app
        .get(&format!("/api/v1/supervision-orders/{oid}"), &app.clerk_a)
        .await;
    let reports = progress(&d["obligations"]);
    assert_eq!(reports.len(), 2, "{d}");
    assert_eq!(reports[1]["occurrence"], 2);
    submit_and_accept(&app, reports[1], "补偿方案已公示").await;
    let (_, d) = app
        .get(&format!("/api/v1/supervision-orders/{oid}"), &app.coord)
        .await;
    assert!(
        progress(&d["obligations"])
            .iter()
            .all(|r| !r["met_on"].is_null()),
        "{d}"
    );

    // --- a leader's 批示: the one thing a leader writes --------------------------------------
    let path = format!("/api/v1/supervision-orders/{oid}/instructions");
    let (s, _) = app.post(&path, &app.coord, json!({"text": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app.post(&path, &app.leader, json!({"text": " "})).await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("text".to_string(), "required".to_string())]
        )
    );
    let (s, i) = app
        .post(
            &path,
            &app.leader,
            json!({"text": "请甲镇月底前化解，司法局跟踪"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{i}");
    let (_, d) = app
        .get(&format!("/api/v1/supervision-orders/{oid}"), &app.clerk_a)
        .await;
    assert_eq!(d["instructions"][0]["text"], "请甲镇月底前化解，司法局跟踪");
    for token in [&app.clerk_a, &app.coord] {
        let (_, inbox) = app.get("/api/v1/messages", token).await;
        assert!(
            inbox
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["title"].as_str().unwrap().starts_with("领导批示：")),
            "{inbox}"
        );
    }
    let (s, _) = app.post(&path, &clerk_b, json!({"text": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // …and nothing else.
    for (uri, body) in [
        (
            "/api/v1/work-items",
            json!({"kind": "supervision", "title": "x", "unit_ids": [app.unit_a]}),
        ),
        ("/api/v1/proceedings", json!({"kind": "first_instance"})),
        (
            &format!("/api/v1/work-items/{item}/close") as &str,
            json!({"version": 1, "reason": "x"}),
        ),
    ] {
        let (s, v) = app.post(uri, &app.leader, body).await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {s} {v}"
        );
        assert_ne!(s, StatusCode::CREATED);
    }
    // On a warning too.
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance", "case_no": "(2026)浙0699行初950号", "domain": "expropriation",
                "registered_on": today().to_string(), "received_on": today().to_string(),
                "parties": [{"role": "claimant", "name": "某村民"}, {"role": "defendant", "unit_id": app.unit_a}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (_, w) = app
        .post(
            &format!("/api/v1/proceedings/{}/warnings", p["id"]),
            &app.coord,
            json!({"grade": "yellow", "reasons": "程序瑕疵"}),
        )
        .await;
    let wid = w["warning"]["id"].as_i64().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/warnings/{wid}/instructions"),
            &app.leader,
            json!({"text": "请依法治县办督促整改"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = app
        .get(
            &format!("/api/v1/warnings/{wid}/instructions"),
            &app.clerk_a,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");

    pages(&app, &heads, leader_id).await;

    // --- 销号 --------------------------------------------------------------------------------
    let (s, v) = app
        .post(
            &format!("/api/v1/supervision-orders/{oid}/close"),
            &app.coord,
            json!({"version": d["order"]["item"]["version"], "closed_on": today().to_string(), "reason": "补偿协议已签订，村民撤回信访，附协议及回访记录"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["order"]["item"]["status"], "closed");
    let (_, open) = app
        .get("/api/v1/supervision-orders?status=open", &app.coord)
        .await;
    assert_eq!(open.as_array().unwrap().len(), 2, "the other two orders");
}

/// The pages: the coordinator issues a 挂牌督办 order from 工作事项 (a refusal keeps what was
/// typed), its page shows the 文号 and who follows it; a leader writes a 批示 there.
async fn pages(app: &App, heads: &[i64], leader_id: i64) {
    use super::ui::{form, login, page, session_cookie};
    let coord = session_cookie(&login(app, "coord", "secret123", "/").await);
    let leader = session_cookie(&login(app, "leader", "secret123", "/").await);
    let pg = page(app, "/work-items", &coord).await;
    assert!(
        pg.body.contains("id=\"listed-fields\"") && pg.body.contains("张镇长"),
        "{}",
        pg.body
    );
    let csrf = pg.hidden("csrf");
    let unit = app.unit_a.to_string();
    let lead = heads[0].to_string();
    let follower = leader_id.to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("kind", "supervision"),
        ("title", "关于征地补偿款发放的督办单"),
        ("unit_ids", unit.as_str()),
        ("opened_on", ""),
        ("listed", "1"),
        ("follower_id", follower.as_str()),
    ];
    let r = form(app, "/work-items", &coord, &fields, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("挂牌督办须由承办单位主要负责人（一把手）包案")
            && r.body.contains("value=\"关于征地补偿款发放的督办单\""),
        "{}",
        r.body
    );
    fields.push(("lead_head_id", lead.as_str()));
    let r = form(app, "/work-items", &coord, &fields, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.location().to_string();
    let item_page = at.split('?').next().unwrap().to_string();
    let pg = page(app, &item_page, &coord).await;
    assert!(
        pg.body.contains("id=\"doc-no\"")
            && pg.body.contains("督〔")
            && pg
                .body
                .contains("包案：张镇长（镇长，正职）；跟踪督办：leader")
            && !pg.body.contains("name=\"text\""),
        "{}",
        pg.body
    );
    // The leader lands on 领导驾驶舱: the order waits for the leader's 批示 there.
    let r = page(app, "/", &leader).await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/cockpit")
    );
    let doc = {
        let pg = page(app, &item_page, &coord).await;
        let i = pg.body.find("id=\"doc-no\">").unwrap() + "id=\"doc-no\">".len();
        pg.body[i..].split('<').next().unwrap().to_string()
    };
    let cockpit = page(app, "/cockpit", &leader).await;
    assert_eq!(cockpit.status, StatusCode::OK);
    let awaited = cockpit
        .body
        .split("id=\"awaited\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(awaited.contains(&doc), "{awaited}");
    let listed = cockpit
        .body
        .split("id=\"listed\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(
        listed.contains(&doc) && listed.contains("包案：张镇长"),
        "{listed}"
    );
    assert!(cockpit.body.contains("id=\"rates\"") && cockpit.body.contains("负责人出庭率"));
    let clerk = session_cookie(&login(app, "clerk.a", "secret123", "/").await);
    assert_eq!(
        page(app, "/cockpit", &clerk).await.status,
        StatusCode::FORBIDDEN
    );
    let pg = page(app, &item_page, &leader).await;
    let csrf = pg.hidden("csrf");
    let r = form(
        app,
        &format!("{item_page}/instructions"),
        &leader,
        &[("csrf", &csrf), ("text", "月底前办结，结果报我")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pg = page(app, &item_page, &coord).await;
    assert!(pg.body.contains("月底前办结，结果报我"), "{}", pg.body);
    let cockpit = page(app, "/cockpit", &leader).await;
    let awaited = cockpit
        .body
        .split("id=\"awaited\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(!awaited.contains(&doc), "instructed: {awaited}");
}
