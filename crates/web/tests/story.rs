//! Story tests: the product used through the real router, on SQLite and on PostgreSQL.
//! PostgreSQL runs when HUAJIE_TEST_PG_URL is set (e.g. postgres://postgres@127.0.0.1:5432/postgres);
//! each run creates and drops its own database.

#[path = "stories/appearance.rs"]
mod appearance;
#[path = "stories/common.rs"]
mod common;
#[path = "stories/corrections.rs"]
mod corrections;
#[path = "stories/deadlines.rs"]
mod deadlines;
#[path = "stories/forms.rs"]
mod forms;
#[path = "stories/import.rs"]
mod import;
#[path = "stories/notifications.rs"]
mod notifications;
#[path = "stories/obligations.rs"]
mod obligations;
#[path = "stories/readings.rs"]
mod readings;
#[path = "stories/security.rs"]
mod security;
#[path = "stories/stats.rs"]
mod stats;
#[path = "stories/submissions.rs"]
mod submissions;
#[path = "stories/supervision.rs"]
mod supervision;
#[path = "stories/ui.rs"]
mod ui;
#[path = "stories/warnings.rs"]
mod warnings;
#[path = "stories/work_items.rs"]
mod work_items;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use huajie_domain::unit::{UnitInput, UnitKind};
use huajie_store::audit::Author;
use serde_json::{Value, json};

async fn story(app: App) {
    // --- authentication ---------------------------------------------------------------
    let (s, v) = app.call("GET", "/api/v1/proceedings", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["code"], "unauthorized");
    let (s, _) = app
        .call(
            "GET",
            "/api/v1/me",
            Some("hj_0000000000000000000000000000000000000000000000000000000000000000"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = app
        .call(
            "POST",
            "/api/v1/tokens",
            None,
            Some(json!({"username": "coord", "password": "wrong999"})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    let (s, v) = app
        .call(
            "POST",
            "/api/v1/tokens",
            None,
            Some(json!({"username": "coord", "password": "secret123"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let login_token = v["token"].as_str().unwrap().to_string();
    let (s, v) = app.get("/api/v1/me", &login_token).await;
    assert_eq!(
        (s, v["scope"].as_str()),
        (StatusCode::OK, Some("jurisdiction"))
    );
    let (_, v) = app.get("/api/v1/me", &app.clerk_a).await;
    assert_eq!(v["scope"], "unit");

    // --- units and users --------------------------------------------------------------
    let (s, v) = app
        .post(
            "/api/v1/units",
            &app.coord,
            json!({"name": "乙街道办事处", "kind": "township", "parent_id": app.county}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let unit_c = v["id"].as_i64().unwrap();
    assert_eq!(v["jurisdiction_id"].as_i64(), Some(app.county));
    let (s, v) = app
        .post(
            "/api/v1/units",
            &app.coord,
            json!({"kind": "村委会", "parent_id": 99999}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        [
            ("name".into(), "required".into()),
            ("kind".into(), "unknown_value".into())
        ]
    );
    let (s, v) = app
        .post(
            "/api/v1/units",
            &app.coord,
            json!({"name": "丙镇", "kind": "township", "parent_id": 99999}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("parent_id".into(), "unknown_unit".into())]
        )
    );
    let (s, _) = app
        .post(
            "/api/v1/units",
            &app.clerk_a,
            json!({"name": "丁镇", "kind": "township", "parent_id": app.county}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            "/api/v1/units/".to_string().trim_end_matches('/'),
            &app.coord,
            json!({"name": "乙街道办事处", "kind": "township", "parent_id": app.county}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("name".into(), "duplicate_name".into())]
        )
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/units/{unit_c}/heads"),
            &app.coord,
            json!({"name": "王伟", "post": "主任", "kind": "principal"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app.post("/api/v1/users", &app.coord, json!({"username": "clerk.c", "display_name": "李娜", "role": "unit_clerk", "unit_id": unit_c, "password": "short"})).await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("password".into(), "weak_password".into())]
        )
    );
    let (s, v) = app.post("/api/v1/users", &app.coord, json!({"username": "clerk.c", "display_name": "李娜", "role": "unit_clerk", "unit_id": unit_c, "password": "Lina-2024x"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app.post("/api/v1/users", &app.coord, json!({"username": "clerk.c", "display_name": "李娜", "role": "unit_clerk", "unit_id": unit_c, "password": "Lina-2024x"})).await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("username".into(), "duplicate_username".into())]
        )
    );

    // --- bad input never writes ---------------------------------------------------------
    let audit_before = app.store.audit_count().await.unwrap();
    let mut bad = proceeding("(2024)浙0699行初1号", app.unit_a, "2024-02-30", "张三");
    bad["parties"][1]["unit_id"] = json!(424242);
    let (s, v) = app.post("/api/v1/proceedings", &app.coord, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        codes(&v).contains(&("registered_on".into(), "invalid_date".into())),
        "{v}"
    );
    let bad = proceeding("(2024)浙0699行初1号", 424242, "2024-02-01", "张三");
    let (s, v) = app.post("/api/v1/proceedings", &app.coord, bad).await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("parties[1].unit_id".into(), "unknown_unit".into())]
        )
    );
    let (s, v) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({"kind": "first_instance"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = codes(&v).into_iter().map(|x| x.0).collect();
    assert!(
        fields.contains(&"case_no".into())
            && fields.contains(&"domain".into())
            && fields.contains(&"registered_on".into())
            && fields.contains(&"parties".into()),
        "{v}"
    );
    let (s, v) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({"kind": "first_instance", "claimant_count": "很多"}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("claimant_count".into(), "wrong_type".into())]
        )
    );
    let (s, v) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding("（2024）浙0699民初1号", app.unit_a, "2024-02-01", "张三"),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("case_no".into(), "case_no_unknown_type".into())]
        )
    );
    let req = Request::post("/api/v1/proceedings")
        .header("authorization", format!("Bearer {}", app.coord))
        .header("content-type", "application/json")
        .body(Body::from("{\"kind\": "))
        .unwrap();
    let (s, v) = app.raw(req).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    let req = Request::post("/api/v1/proceedings")
        .header("authorization", format!("Bearer {}", app.coord))
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(app.raw(req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = json!({"kind": "first_instance", "summary": "字".repeat(400_000)});
    let (s, v) = app.post("/api/v1/proceedings", &app.coord, huge).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let (s, _) = app.get("/api/v1/proceedings/abc", &app.coord).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.store.audit_count().await.unwrap(),
        audit_before,
        "rejected requests wrote nothing"
    );

    // --- create, scope, concurrency -----------------------------------------------------
    let (s, p1) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding("(2024)浙0699行初1号", app.unit_a, "2024-02-01", "张三"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p1}");
    assert_eq!(p1["case_no"], "（2024）浙0699行初1号");
    assert_eq!(p1["case_type"], "行初");
    assert_eq!(p1["parties"][1]["name"], "甲镇人民政府");
    let id1 = p1["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding(
                "（2024） 浙0699 行初 1 号",
                app.unit_a,
                "2024-02-01",
                "李四",
            ),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("case_no".into(), "duplicate_case_no".into())]
        )
    );
    let (s, p2) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding("（2024）浙0699行初2号", app.unit_b, "2024-03-01", "王五"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id2 = p2["id"].as_i64().unwrap();
    // The clerk of unit A sees its own case and not unit B's.
    assert_eq!(
        app.get(&format!("/api/v1/proceedings/{id1}"), &app.clerk_a)
            .await
            .0,
        StatusCode::OK
    );
    let (s, v) = app
        .get(&format!("/api/v1/proceedings/{id2}"), &app.clerk_a)
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, v) = app.put(&format!("/api/v1/proceedings/{id2}"), &app.clerk_a, json!({"version": 1, "kind": "first_instance", "case_no": "（2024）浙0699行初2号", "domain": "penalty", "registered_on": "2024-03-01"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (_, v) = app.get("/api/v1/proceedings", &app.clerk_a).await;
    let ids: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [id1]);
    let (_, v) = app
        .get(&format!("/api/v1/audit/proceeding/{id2}"), &app.clerk_a)
        .await;
    assert_eq!(v["error"]["code"], "not_found");
    // A clerk may not register a case of another unit.
    let (s, v) = app
        .post(
            "/api/v1/proceedings",
            &app.clerk_a,
            proceeding("（2024）浙0699行初3号", app.unit_b, "2024-03-02", "赵六"),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("parties".into(), "own_unit_required".into())]
        )
    );
    // The leader reads everything and writes nothing.
    assert_eq!(
        app.get(&format!("/api/v1/proceedings/{id2}"), &app.leader)
            .await
            .0,
        StatusCode::OK
    );
    let (s, _) = app
        .post(
            "/api/v1/proceedings",
            &app.leader,
            proceeding("（2024）浙0699行初4号", app.unit_b, "2024-03-02", "赵六"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Optimistic concurrency: a stale version is refused and changes nothing.
    let mut upd = proceeding("（2024）浙0699行初1号", app.unit_a, "2024-02-01", "张三");
    upd.as_object_mut().unwrap().remove("parties");
    upd["summary"] = json!("原告诉请撤销强制拆除行为");
    let (s, v) = app
        .put(
            &format!("/api/v1/proceedings/{id1}"),
            &app.coord,
            upd.clone(),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("version".into(), "required".into())]
        )
    );
    upd["version"] = json!(1);
    let (s, v) = app
        .put(
            &format!("/api/v1/proceedings/{id1}"),
            &app.clerk_a,
            upd.clone(),
        )
        .await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(2)), "{v}");
    upd["summary"] = json!("覆盖他人修改");
    let (s, v) = app
        .put(
            &format!("/api/v1/proceedings/{id1}"),
            &app.coord,
            upd.clone(),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    let (_, v) = app
        .get(&format!("/api/v1/proceedings/{id1}"), &app.coord)
        .await;
    assert_eq!(v["summary"], "原告诉请撤销强制拆除行为");

    // --- hearings, appearances, outcomes and the loss rule ------------------------------
    let (s, h) = app
        .post(
            &format!("/api/v1/proceedings/{id1}/hearings"),
            &app.clerk_a,
            json!({"scheduled_at": "2024-04-10 09:30", "place": "第一法庭"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let hid = h["id"].as_i64().unwrap();
    let (s, v) = app.post(&format!("/api/v1/hearings/{hid}/appearances"), &app.clerk_a, json!({"unit_id": app.unit_a, "person_name": "王镇长", "post": "镇长", "level": "principal_head", "spoke": true})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/v1/hearings/{hid}/appearances"),
            &app.clerk_a,
            json!({"person_name": "某人", "level": "秘书"}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("level".into(), "unknown_value".into())]
        )
    );
    let defendant = p1["parties"][1]["id"].as_i64().unwrap();
    let claimant = p1["parties"][0]["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{id1}/outcomes"),
            &app.coord,
            json!({"party_id": claimant, "code": "revoke", "decided_on": "2024-05-01"}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("party_id".into(), "not_a_defendant".into())]
        )
    );
    let (s, o) = app.post(&format!("/api/v1/proceedings/{id1}/outcomes"), &app.coord, json!({"party_id": defendant, "code": "revoke", "decided_on": "2024-05-01", "grounds": ["insufficient_evidence"]})).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    assert_eq!(o["is_loss"], true);
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{id1}/outcomes"),
            &app.coord,
            json!({"party_id": defendant, "code": "revoke", "decided_on": "2024-05-01"}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("party_id".into(), "duplicate_outcome".into())]
        )
    );
    let (_, rule) = app.get("/api/v1/settings/loss-rule", &app.coord).await;
    let mut list: Vec<Value> = rule["loss_outcomes"].as_array().unwrap().clone();
    list.retain(|c| c != "revoke");
    list.push(json!("withdraw_after_change"));
    let (s, _) = app
        .put(
            "/api/v1/settings/loss-rule",
            &app.clerk_a,
            json!({"loss_outcomes": list.clone()}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .put(
            "/api/v1/settings/loss-rule",
            &app.coord,
            json!({"loss_outcomes": ["no_such_outcome"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let version = rule["version"].as_i64().unwrap();
    let (s, v) = app
        .put(
            "/api/v1/settings/loss-rule",
            &app.coord,
            json!({"loss_outcomes": list.clone()}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("version".into(), "required".into())]
        )
    );
    let (s, v) = app
        .put(
            "/api/v1/settings/loss-rule",
            &app.coord,
            json!({"loss_outcomes": list.clone(), "version": version}),
        )
        .await;
    assert_eq!(
        (s, v["version"].as_i64()),
        (StatusCode::OK, Some(version + 1)),
        "{v}"
    );
    let (s, _) = app
        .put(
            "/api/v1/settings/loss-rule",
            &app.coord,
            json!({"loss_outcomes": list, "version": version}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a stale loss-rule version is refused"
    );
    // Code lists: add an entry, then relabel it with its version; a stale version is refused.
    let (s, v) = app
        .put(
            "/api/v1/codes/domain",
            &app.coord,
            json!({"code": "fishery", "label": "渔业管理"}),
        )
        .await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    let (s, v) = app
        .put(
            "/api/v1/codes/domain",
            &app.coord,
            json!({"code": "fishery", "label": "渔业"}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("version".into(), "required".into())]
        )
    );
    let (s, v) = app
        .put(
            "/api/v1/codes/domain",
            &app.coord,
            json!({"code": "fishery", "label": "渔业", "version": 1}),
        )
        .await;
    assert_eq!((s, v["label"].as_str()), (StatusCode::OK, Some("渔业")));
    let (s, _) = app
        .put(
            "/api/v1/codes/domain",
            &app.coord,
            json!({"code": "fishery", "label": "渔政", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .put(
            "/api/v1/codes/nonsense",
            &app.coord,
            json!({"code": "x", "label": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, v) = app
        .get(&format!("/api/v1/proceedings/{id1}"), &app.coord)
        .await;
    assert_eq!(v["outcomes"][0]["is_loss"], false);
    assert_eq!(
        v["hearings"][0]["appearances"][0]["level"],
        "principal_head"
    );

    // Parties: the last defendant cannot be removed.
    let pv = p1["parties"][1]["version"].as_i64().unwrap();
    let (s, v) = app
        .call(
            "DELETE",
            &format!(
                "/api/v1/parties/{defendant}?version={pv}&reason={}",
                urlencode("误登记")
            ),
            Some(&app.coord),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, third) = app
        .post(
            &format!("/api/v1/proceedings/{id1}/parties"),
            &app.coord,
            json!({"role": "third_party", "name": "清河某公司", "kind": "organization"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let tid = third["id"].as_i64().unwrap();
    let (s, _) = app
        .call(
            "DELETE",
            &format!(
                "/api/v1/parties/{tid}?version=7&reason={}",
                urlencode("误登记")
            ),
            Some(&app.coord),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .call(
            "DELETE",
            &format!(
                "/api/v1/parties/{tid}?version=1&reason={}",
                urlencode("误登记")
            ),
            Some(&app.coord),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // --- audit history -------------------------------------------------------------------
    let (s, v) = app
        .get(&format!("/api/v1/audit/proceeding/{id1}"), &app.clerk_a)
        .await;
    assert_eq!(s, StatusCode::OK);
    let actions: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entity"].as_str().unwrap().into(),
                e["action"].as_str().unwrap().into(),
            )
        })
        .collect();
    for want in [
        ("proceeding", "create"),
        ("proceeding", "update"),
        ("hearing", "create"),
        ("appearance", "create"),
        ("outcome", "create"),
        ("party", "delete"),
    ] {
        assert!(
            actions.contains(&(want.0.into(), want.1.into())),
            "{want:?} in {actions:?}"
        );
    }
    let update = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "update" && e["entity"] == "proceeding")
        .unwrap();
    assert_eq!(update["actor_name"], "clerk.a");
    assert_eq!(update["before"]["version"], 1);
    assert_eq!(update["after"]["summary"], "原告诉请撤销强制拆除行为");

    // Audit of units and users: coordinators and auditors, inside their jurisdiction only.
    let (s, v) = app
        .get(&format!("/api/v1/audit/unit/{unit_c}"), &app.coord)
        .await;
    assert_eq!(
        (s, v[0]["action"].as_str()),
        (StatusCode::OK, Some("create"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/audit/unit/{unit_c}"), &app.clerk_a)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let other = app
        .store
        .create_unit(
            &Author::system("test"),
            &UnitInput {
                name: "邻县".into(),
                short_name: None,
                kind: UnitKind::County,
                parent_id: None,
                code: None,
                contact_phone: None,
                active: true,
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/audit/unit/{}", other.id), &app.coord)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/units/{}", other.id), &app.coord)
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // --- the ledger: filters, sorting, keyset pagination --------------------------------
    for i in 0..7 {
        let day = format!("2024-06-{:02}", 10 + i);
        let (s, v) = app
            .post(
                "/api/v1/proceedings",
                &app.coord,
                proceeding(
                    &format!("（2024）浙0699行初{}号", 10 + i),
                    app.unit_a,
                    &day,
                    &format!("陈{i}"),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let mut seen = Vec::new();
    let mut uri = "/api/v1/proceedings?limit=3&unit_id=".to_string() + &app.unit_a.to_string();
    loop {
        let (s, v) = app.get(&uri, &app.coord).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        for r in v["items"].as_array().unwrap() {
            seen.push((
                r["registered_on"].as_str().unwrap().to_string(),
                r["id"].as_i64().unwrap(),
            ));
        }
        match v["next_cursor"].as_str() {
            Some(c) => {
                uri = format!(
                    "/api/v1/proceedings?limit=3&unit_id={}&after={}",
                    app.unit_a,
                    urlencode(c)
                )
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 8, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, no duplicates");
    // The clerk's own ledger (unit scope, driven by the unit's party rows) pages the same way.
    let mut clerk_seen = Vec::new();
    let mut uri = "/api/v1/proceedings?limit=3".to_string();
    loop {
        let (s, v) = app.get(&uri, &app.clerk_a).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        for r in v["items"].as_array().unwrap() {
            clerk_seen.push((
                r["registered_on"].as_str().unwrap().to_string(),
                r["id"].as_i64().unwrap(),
            ));
        }
        match v["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/proceedings?limit=3&after={}", urlencode(c)),
            None => break,
        }
    }
    assert_eq!(clerk_seen, seen);
    // Moving a case's registration date moves it in the unit's ledger too.
    let (_, cur) = app
        .get(&format!("/api/v1/proceedings/{id1}"), &app.coord)
        .await;
    let mut moved = upd.clone();
    moved["version"] = cur["version"].clone();
    moved["registered_on"] = json!("2024-12-31");
    moved["summary"] = cur["summary"].clone();
    let (s, v) = app
        .put(&format!("/api/v1/proceedings/{id1}"), &app.coord, moved)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = app.get("/api/v1/proceedings?limit=1", &app.clerk_a).await;
    assert_eq!(v["items"][0]["id"].as_i64(), Some(id1));
    let (_, v) = app
        .get(
            &format!(
                "/api/v1/proceedings?limit=1&unit_id={}&registered_from=2024-12-01",
                app.unit_a
            ),
            &app.coord,
        )
        .await;
    assert_eq!(v["items"][0]["id"].as_i64(), Some(id1));
    // A unit is listed once per proceeding.
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{id1}/parties"),
            &app.coord,
            json!({"role": "third_party", "unit_id": app.unit_a}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("unit_id".into(), "duplicate_party_unit".into())]
        )
    );
    let (_, v) = app.get("/api/v1/proceedings?sort=registered_on&limit=2&registered_from=2024-06-11&registered_to=2024-06-13", &app.coord).await;
    let days: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["registered_on"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2024-06-11", "2024-06-12"]);
    let (_, v) = app
        .get(
            &format!("/api/v1/proceedings?party={}", urlencode("陈3")),
            &app.coord,
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["claimants"], "陈3");
    let (_, v) = app
        .get(
            &format!(
                "/api/v1/proceedings?case_no={}",
                urlencode("(2024)浙0699行初1")
            ),
            &app.coord,
        )
        .await;
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        8,
        "prefix matches 1, 10–16"
    );
    let (_, v) = app
        .get(
            &format!(
                "/api/v1/proceedings?case_no={}",
                urlencode("(2024)浙0699行初1号")
            ),
            &app.coord,
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let (_, v) = app
        .get(
            "/api/v1/proceedings?kind=first_instance&status=pending&domain=expropriation",
            &app.coord,
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 9);
    let (s, v) = app.get("/api/v1/proceedings?limit=abc", &app.coord).await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("limit".into(), "wrong_type".into())]
        )
    );
    let (s, v) = app
        .get(
            "/api/v1/proceedings?status=open&registered_from=2024-13-01",
            &app.coord,
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![
                ("status".into(), "unknown_value".into()),
                ("registered_from".into(), "invalid_date".into())
            ]
        )
    );

    // --- disputes link proceedings ------------------------------------------------------
    let dispute = p1["dispute_id"].as_i64().unwrap();
    let mut appeal = proceeding("（2024）浙06行终5号", app.unit_a, "2024-07-01", "张三");
    appeal["kind"] = json!("second_instance");
    appeal["dispute_id"] = json!(dispute);
    let (s, v) = app.post("/api/v1/proceedings", &app.coord, appeal).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, d) = app
        .get(&format!("/api/v1/disputes/{dispute}"), &app.clerk_a)
        .await;
    assert_eq!(d["proceeding_ids"].as_array().unwrap().len(), 2);

    // --- OpenAPI and Swagger UI served from the binary -----------------------------------
    let (s, v) = app.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["paths"]["/api/v1/proceedings"]["get"].is_object());
    let (s, v) = app.call("GET", "/api/docs/", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.as_str().unwrap().contains("swagger"));
    app.store.close().await;
}

#[tokio::test]
async fn ledger_story_sqlite() {
    on_sqlite(story).await;
}

#[tokio::test]
async fn ledger_story_postgres() {
    on_postgres("ledger_story", story).await;
}

#[tokio::test]
async fn deadline_story_sqlite() {
    on_sqlite(deadlines::story).await;
}

#[tokio::test]
async fn deadline_story_postgres() {
    on_postgres("deadline_story", deadlines::story).await;
}

#[tokio::test]
async fn ui_story_sqlite() {
    on_sqlite(ui::story).await;
}

#[tokio::test]
async fn ui_story_postgres() {
    on_postgres("ui_story", ui::story).await;
}

#[tokio::test]
async fn forms_story_sqlite() {
    on_sqlite(forms::story).await;
}

#[tokio::test]
async fn forms_story_postgres() {
    on_postgres("forms_story", forms::story).await;
}

#[tokio::test]
async fn import_story_sqlite() {
    on_sqlite(import::story).await;
}

#[tokio::test]
async fn import_story_postgres() {
    on_postgres("import_story", import::story).await;
}

#[tokio::test]
async fn stats_story_sqlite() {
    on_sqlite(stats::story).await;
}

#[tokio::test]
async fn stats_story_postgres() {
    on_postgres("stats_story", stats::story).await;
}

#[tokio::test]
async fn readings_story_sqlite() {
    on_sqlite(readings::story).await;
}

#[tokio::test]
async fn readings_story_postgres() {
    on_postgres("readings_story", readings::story).await;
}

#[tokio::test]
async fn obligations_story_sqlite() {
    on_sqlite(obligations::story).await;
}

#[tokio::test]
async fn obligations_story_postgres() {
    on_postgres("obligations_story", obligations::story).await;
}

#[tokio::test]
async fn submissions_story_sqlite() {
    on_sqlite(submissions::story).await;
}

#[tokio::test]
async fn submissions_story_postgres() {
    on_postgres("submissions_story", submissions::story).await;
}

#[tokio::test]
async fn corrections_story_sqlite() {
    on_sqlite(corrections::story).await;
}

#[tokio::test]
async fn corrections_story_postgres() {
    on_postgres("corrections_story", corrections::story).await;
}

#[tokio::test]
async fn work_items_on_sqlite() {
    on_sqlite(work_items::story).await;
}

#[tokio::test]
async fn work_items_on_postgres() {
    on_postgres("work_items_story", work_items::story).await;
}

#[tokio::test]
async fn security_headers_sqlite() {
    on_sqlite(security::headers).await;
}

#[tokio::test]
async fn input_hygiene_sqlite() {
    on_sqlite(security::hygiene).await;
}

#[tokio::test]
async fn input_hygiene_postgres() {
    on_postgres("input_hygiene", security::hygiene).await;
}

#[tokio::test]
async fn login_throttle_sqlite() {
    on_sqlite(security::throttle).await;
}

#[tokio::test]
async fn login_throttle_postgres() {
    on_postgres("login_throttle", security::throttle).await;
}

#[tokio::test]
async fn credentials_sqlite() {
    on_sqlite(security::credentials).await;
}

#[tokio::test]
async fn credentials_postgres() {
    on_postgres("credentials", security::credentials).await;
}

#[tokio::test]
async fn audited_denials_sqlite() {
    on_sqlite(security::denials).await;
}

#[tokio::test]
async fn audited_denials_postgres() {
    on_postgres("audited_denials", security::denials).await;
}

#[tokio::test]
async fn feeds_die_with_credentials_sqlite() {
    on_sqlite(security::feeds).await;
}

#[tokio::test]
async fn feeds_die_with_credentials_postgres() {
    on_postgres("feeds_credentials", security::feeds).await;
}

#[tokio::test]
async fn waived_stays_waived_sqlite() {
    on_sqlite(security::waived_stays).await;
}

#[tokio::test]
async fn waived_stays_waived_postgres() {
    on_postgres("waived_stays", security::waived_stays).await;
}

#[tokio::test]
async fn notifications_story_sqlite() {
    on_sqlite(notifications::story).await;
}

#[tokio::test]
async fn notifications_story_postgres() {
    on_postgres("notifications_story", notifications::story).await;
}

#[tokio::test]
async fn appearance_story_sqlite() {
    on_sqlite(appearance::story).await;
}

#[tokio::test]
async fn appearance_story_postgres() {
    on_postgres("appearance_story", appearance::story).await;
}

#[tokio::test]
async fn warnings_story_sqlite() {
    on_sqlite(warnings::story).await;
}

#[tokio::test]
async fn warnings_story_postgres() {
    on_postgres("warnings_story", warnings::story).await;
}

#[tokio::test]
async fn supervision_story_sqlite() {
    on_sqlite(supervision::story).await;
}

#[tokio::test]
async fn supervision_story_postgres() {
    on_postgres("supervision_story", supervision::story).await;
}
