//! Work subjects beyond proceedings (issue 14, point 5): a supervision order (督办单) about a
//! problem, addressed to two units, gives each unit its own half-monthly progress report that
//! repeats until 销号 — the same obligation rows, submission and review as a proceeding's; a
//! risk warning on a case lists its feedback obligations with the case's deadlines; scope,
//! refusals and the close-out.

use axum::http::StatusCode;
use huajie_domain::calendar::{Calendar, Period};
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

/// The progress obligations of `unit` as (occurrence, due_on), in order.
fn progress(list: &Value, unit: i64) -> Vec<(i64, String)> {
    let mut v: Vec<(i64, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule_id"] == "SUPERVISION_PROGRESS" && d["unit_id"] == unit)
        .map(|d| {
            (
                d["occurrence"].as_i64().unwrap(),
                d["due_on"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn due(n: u16) -> String {
    Calendar::national()
        .explain(today(), Period::CalendarDays(15 * n))
        .unwrap()
        .due
        .to_string()
}

pub async fn story(app: App) {
    let clerk_b = add_clerk(&app, "clerk.b", app.unit_b).await;

    // --- refusals: every bad field at once, nothing written; only the bureau opens items ---
    let (s, v) = app
        .post(
            "/api/v1/work-items",
            &app.coord,
            json!({"kind": "risk_warning", "title": "", "unit_ids": [], "opened_on": day(3).to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<(String, String)> = codes(&v);
    assert_eq!(
        fields,
        [
            ("title".to_string(), "required".to_string()),
            ("proceeding_id".into(), "required".into()),
            ("unit_ids".into(), "required".into()),
            ("opened_on".into(), "date_in_future".into()),
        ]
    );
    let order = json!({
        "kind": "supervision", "title": "关于甲镇征收补偿遗留问题的督办单",
        "unit_ids": [app.unit_a, app.unit_b], "opened_on": today().to_string(),
        "note": "请于每半月报送办理进展"
    });
    let (s, _) = app
        .post("/api/v1/work-items", &app.clerk_a, order.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            "/api/v1/work-items",
            &app.coord,
            json!({"kind": "supervision", "title": "x", "unit_ids": [999999], "opened_on": today().to_string()}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("unit_ids".to_string(), "unknown_unit".to_string())]
        )
    );
    // The county itself (like the bureau or a court) is not a unit that owes the work.
    let (s, v) = app
        .post(
            "/api/v1/work-items",
            &app.coord,
            json!({"kind": "supervision", "title": "x", "unit_ids": [app.unit_a, app.county], "opened_on": today().to_string()}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("unit_ids".to_string(), "unknown_unit".to_string())]
        )
    );
    let (_, none) = app.get("/api/v1/work-items", &app.coord).await;
    assert_eq!(none, json!([]), "a refused item writes nothing");

    // --- a supervision order about a problem: each unit owes its own first report ---------
    let (s, w) = app.post("/api/v1/work-items", &app.coord, order).await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let wid = w["item"]["id"].as_i64().unwrap();
    assert_eq!(w["item"]["status"], "open");
    assert_eq!(w["item"]["proceeding_id"], Value::Null);
    assert_eq!(w["events"][0]["kind"], "supervision_issued");
    assert_eq!(progress(&w["obligations"], app.unit_a), [(1, due(1))]);
    assert_eq!(progress(&w["obligations"], app.unit_b), [(1, due(1))]);
    let first_a = w["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["unit_id"] == app.unit_a)
        .unwrap()
        .clone();
    assert_eq!(first_a["subject_kind"], "supervision");
    assert_eq!(first_a["work_item_id"], wid);
    assert_eq!(first_a["name"], "报送督办事项办理进展（第1期）");
    assert_eq!(first_a["case_label"], "关于甲镇征收补偿遗留问题的督办单");

    // The unit's own lists show it, named; the other unit's row is not its to touch.
    let (_, mine) = app.get("/api/v1/deadlines?mine=true", &app.clerk_a).await;
    let mine: Vec<&Value> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["work_item_id"] == wid)
        .collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["unit_name"], "甲镇人民政府");
    let (_, listed) = app.get("/api/v1/work-items", &app.clerk_a).await;
    assert_eq!(listed[0]["id"], wid);
    assert_eq!(listed[0]["open_obligations"], 2);
    let id_a = first_a["id"].as_i64().unwrap();
    let id_b = w["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["unit_id"] == app.unit_b)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/deadlines/{id_b}/submissions"),
            &app.clerk_a,
            json!({"version": 1, "fields": {"办理进展": "x", "下一步措施": "y"}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // It requires a submission: no ticking it met; no documents on a case-less item.
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{id_a}/met"),
            &app.clerk_a,
            json!({"version": 1, "met_on": today().to_string()}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("met_on".to_string(), "submission_required".to_string())]
        ),
        "{v}"
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{id_a}/submissions"),
            &app.clerk_a,
            json!({"version": 1, "document_ids": [1], "fields": {"办理进展": "已约谈", "下一步措施": "继续协商"}}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("document_ids".to_string(), "no_case_documents".to_string())]
        )
    );

    // Submit → returned → resubmit → accepted: met on the submission date.
    let submit = format!("/api/v1/deadlines/{id_a}/submissions");
    let (s, sub) = app
        .post(
            &submit,
            &app.clerk_a,
            json!({"version": 1, "fields": {"办理进展": "已约谈当事人", "下一步措施": "继续协商"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    assert_eq!(sub["work_item_id"], wid);
    let (s, _) = app
        .post(
            &format!("/api/v1/submissions/{}/return", sub["id"]),
            &app.coord,
            json!({"version": sub["version"], "reason": "请写明协商结果"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, o) = app
        .get(&format!("/api/v1/deadlines/{id_a}"), &app.clerk_a)
        .await;
    let (s, sub2) = app
        .post(
            &submit,
            &app.clerk_a,
            json!({"version": o["deadline"]["version"], "fields": {"办理进展": "已协商一致", "下一步措施": "签订补偿协议"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sub2}");
    let (s, _) = app
        .post(
            &format!("/api/v1/submissions/{}/accept", sub2["id"]),
            &app.coord,
            json!({"version": sub2["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, o) = app
        .get(&format!("/api/v1/deadlines/{id_a}"), &app.coord)
        .await;
    assert_eq!(o["deadline"]["met_on"], today().to_string());

    // --- the clock: the next report appears once the period before it has run out ----------
    let r = app.store.advance_work_items(day(10)).await.unwrap();
    assert_eq!(r.created, 0, "nothing new before the first period ends");
    app.store.advance_work_items(day(16)).await.unwrap();
    app.store.advance_work_items(day(16)).await.unwrap(); // idempotent
    app.store.advance_work_items(day(35)).await.unwrap();
    let (_, w) = app
        .get(&format!("/api/v1/work-items/{wid}"), &app.coord)
        .await;
    let expected = vec![(1, due(1)), (2, due(2)), (3, due(3))];
    assert_eq!(progress(&w["obligations"], app.unit_a), expected);
    assert_eq!(progress(&w["obligations"], app.unit_b), expected);

    // --- scope: an item addressed only to unit A is not unit B's --------------------------
    let (s, only_a) = app
        .post(
            "/api/v1/work-items",
            &app.coord,
            json!({"kind": "suggestion", "title": "关于规范执法程序的司法建议", "unit_ids": [app.unit_a], "opened_on": today().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{only_a}");
    let reply = &only_a["obligations"][0];
    assert_eq!(reply["rule_id"], "SUGGESTION_REPLY");
    let (s, _) = app
        .get(
            &format!("/api/v1/work-items/{}", only_a["item"]["id"]),
            &clerk_b,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get(&format!("/api/v1/deadlines/{}", reply["id"]), &clerk_b)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, b_items) = app.get("/api/v1/work-items", &clerk_b).await;
    assert_eq!(b_items.as_array().unwrap().len(), 1);

    // --- 销号: what falls due after the day is no longer owed; what was met stays ----------
    let close = format!("/api/v1/work-items/{wid}/close");
    let (s, _) = app
        .post(
            &close,
            &app.clerk_a,
            json!({"version": 1, "closed_on": today().to_string(), "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            &close,
            &app.coord,
            json!({"version": 1, "closed_on": today().to_string()}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("reason".to_string(), "required".to_string())]
        )
    );
    let (s, _) = app
        .post(
            &close,
            &app.coord,
            json!({"version": 9, "closed_on": today().to_string(), "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, closed) = app
        .post(
            &close,
            &app.coord,
            json!({"version": 1, "closed_on": today().to_string(), "reason": "补偿协议已签订，问题化解"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{closed}");
    assert_eq!(closed["item"]["status"], "closed");
    assert_eq!(closed["item"]["closed_reason"], "补偿协议已签订，问题化解");
    assert_eq!(progress(&closed["obligations"], app.unit_a), [(1, due(1))]);
    assert_eq!(progress(&closed["obligations"], app.unit_b), []);
    assert!(
        closed["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "work_item_closed")
    );
    let r = app.store.advance_work_items(day(90)).await.unwrap();
    assert_eq!(r.created, 0, "a closed item repeats no more");
    let (s, v) = app
        .post(&close, &app.coord, json!({"version": closed["item"]["version"], "closed_on": today().to_string(), "reason": "再次"}))
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("closed_on".to_string(), "already_closed".to_string())]
        )
    );
    let (_, audit) = app
        .get(&format!("/api/v1/audit/work_item/{wid}"), &app.coord)
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        actions.contains(&"create") && actions.contains(&"close"),
        "{audit}"
    );

    // --- a risk warning on a case: its feedback is listed with the case's deadlines --------
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding(
                "(2026)浙0699行初801号",
                app.unit_a,
                &today().to_string(),
                "吴二",
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let (s, warn) = app
        .post(
            "/api/v1/work-items",
            &app.coord,
            json!({"kind": "risk_warning", "title": "法院预警函：征收补偿程序瑕疵", "proceeding_id": pid,
                   "unit_ids": [app.unit_a], "opened_on": today().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{warn}");
    assert_eq!(warn["item"]["case_label"], "（2026）浙0699行初801号");
    let (_, ds) = app
        .get(
            &format!("/api/v1/proceedings/{pid}/deadlines"),
            &app.clerk_a,
        )
        .await;
    let feedback = ds
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule_id"] == "WARNING_FEEDBACK")
        .unwrap_or_else(|| panic!("no feedback obligation in {ds}"));
    assert_eq!(feedback["unit_id"], app.unit_a);
    assert_eq!(feedback["proceeding_id"], pid);
    assert_eq!(feedback["subject_kind"], "risk_warning");
    assert_eq!(
        feedback["due_on"],
        Calendar::national()
            .explain(today(), Period::CalendarDays(10))
            .unwrap()
            .due
            .to_string()
    );
    let (s, _) = app
        .post(
            "/api/v1/work-items",
            &app.coord,
            json!({"kind": "risk_warning", "title": "x", "proceeding_id": 999999, "unit_ids": [app.unit_a], "opened_on": today().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A proceeding's event endpoints do not reach a work item's events.
    let ev = warn["events"][0]["id"].as_i64().unwrap();
    let (s, _) = app
        .put(
            &format!("/api/v1/events/{ev}"),
            &app.coord,
            json!({"version": 1, "kind": "warning_assigned", "occurred_on": today().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
