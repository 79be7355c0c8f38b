//! A record the assessed cannot bend (issue 14, point 4): a unit cannot change an outcome the
//! 司法局 recorded (nor overwrite it by confirming a court document); it asks for a correction
//! with a reason and a document; the statistics change only when the bureau approves, and a
//! refused request changes nothing. An outcome the unit recorded itself it may change.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::*;

async fn loss_count(app: &App) -> f64 {
    let (s, v) = app
        .get("/api/v1/stats?period=year&year=2026", &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let row = v["assessment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == app.unit_a)
        .cloned()
        .unwrap_or(Value::Null);
    row["losses_in_year"].as_f64().unwrap_or(0.0)
}

pub async fn story(app: App) {
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding("(2026)浙0699行初701号", app.unit_a, "2026-02-02", "郑一"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let party = p["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit_id"] == app.unit_a)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let before = loss_count(&app).await;
    // The bureau records a loss.
    let (s, o) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/outcomes"),
            &app.coord,
            json!({"party_id": party, "code": "revoke", "decided_on": "2026-05-06"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    assert_eq!(o["source"], "bureau");
    let oid = o["id"].as_i64().unwrap();
    assert_eq!(loss_count(&app).await, before + 1.0);

    // The unit cannot change it directly.
    let (s, v) = app
        .put(
            &format!("/api/v1/outcomes/{oid}"),
            &app.clerk_a,
            json!({"version": 1, "party_id": party, "code": "reject_claims", "decided_on": "2026-05-06"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("更正申请"),
        "{v}"
    );

    // A request needs a reason and a document; every error at once.
    let path = format!("/api/v1/outcomes/{oid}/corrections");
    let (s, v) = app
        .post(
            &path,
            &app.clerk_a,
            json!({"version": 1, "code": "reject_claims"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let mut fields: Vec<String> = codes(&v).into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(fields, ["decided_on", "document_id", "reason"]);
    let doc = upload_pdf(&app, &app.clerk_a, pid, "judgment", "二审判决书.pdf").await;
    let ask = |code: &str| json!({"version": 1, "code": code, "decided_on": "2026-05-06", "reason": "二审已改判驳回原告诉讼请求", "document_id": doc});
    let (s, c1) = app.post(&path, &app.clerk_a, ask("reject_claims")).await;
    assert_eq!(s, StatusCode::CREATED, "{c1}");
    assert_eq!(
        (&c1["status"], &c1["before_code"]),
        (&json!("pending"), &json!("revoke"))
    );
    let (s, v) = app.post(&path, &app.clerk_a, ask("withdraw")).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one open request per outcome: {v}"
    );
    // The statistics do not read an unapproved change.
    assert_eq!(loss_count(&app).await, before + 1.0);
    let (_, pr) = app
        .get(&format!("/api/v1/proceedings/{pid}"), &app.coord)
        .await;
    assert_eq!(pr["outcomes"][0]["code"], "revoke");

    // Only the bureau decides; a refusal needs its reason and changes nothing.
    let c1id = c1["id"].as_i64().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/corrections/{c1id}/approve"),
            &app.clerk_a,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            &format!("/api/v1/corrections/{c1id}/refuse"),
            &app.coord,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/v1/corrections/{c1id}/refuse"),
            &app.coord,
            json!({"version": 1, "reason": "所附文书为一审判决，不能证明改判"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "refused");
    assert_eq!(loss_count(&app).await, before + 1.0);

    // Asked again and approved: the outcome changes, with the reason in its note and history.
    let (s, c2) = app.post(&path, &app.clerk_a, ask("reject_claims")).await;
    assert_eq!(s, StatusCode::CREATED, "{c2}");
    let (s, q) = app.get("/api/v1/corrections", &app.coord).await;
    assert_eq!(s, StatusCode::OK);
    assert!(q.as_array().unwrap().iter().any(|x| x["id"] == c2["id"]));
    let (s, v) = app
        .post(
            &format!("/api/v1/corrections/{}/approve", c2["id"]),
            &app.coord,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, pr) = app
        .get(&format!("/api/v1/proceedings/{pid}"), &app.coord)
        .await;
    assert_eq!(pr["outcomes"][0]["code"], "reject_claims");
    assert_eq!(
        pr["outcomes"][0]["source"], "bureau",
        "still the bureau's record"
    );
    assert!(
        pr["outcomes"][0]["note"]
            .as_str()
            .unwrap()
            .contains("二审已改判")
    );
    assert_eq!(loss_count(&app).await, before);
    let (_, h) = app
        .get(&format!("/api/v1/audit/proceeding/{pid}"), &app.coord)
        .await;
    let trail: Vec<String> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "correction_request" || e["entity"] == "outcome")
        .map(|e| {
            format!(
                "{}:{}",
                e["entity"].as_str().unwrap(),
                e["action"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        trail,
        [
            "outcome:create",
            "correction_request:request",
            "correction_request:refuse",
            "correction_request:request",
            "correction_request:approve",
            "outcome:update"
        ]
    );

    // An outcome the unit recorded itself it may change directly.
    let (s, p2) = app
        .post(
            "/api/v1/proceedings",
            &app.clerk_a,
            proceeding("(2026)浙0699行初702号", app.unit_a, "2026-02-03", "王二"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p2}");
    let pid2 = p2["id"].as_i64().unwrap();
    let party2 = p2["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit_id"] == app.unit_a)
        .unwrap()["id"]
        .clone();
    let (s, o2) = app
        .post(
            &format!("/api/v1/proceedings/{pid2}/outcomes"),
            &app.clerk_a,
            json!({"party_id": party2, "code": "withdraw", "decided_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o2}");
    assert_eq!(o2["source"], "unit");
    let (s, v) = app
        .put(
            &format!("/api/v1/outcomes/{}", o2["id"]),
            &app.clerk_a,
            json!({"version": 1, "party_id": party2, "code": "withdraw_deemed", "decided_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // --- corrections keep their reason; a removal is a recorded withdrawal ---------------
    let (s, h) = app
        .post(
            &format!("/api/v1/proceedings/{pid2}/hearings"),
            &app.clerk_a,
            json!({"scheduled_at": "2026-03-10 09:30", "place": "第一法庭"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let (s, v) = app
        .put(
            &format!("/api/v1/hearings/{}", h["id"]),
            &app.clerk_a,
            json!({"version": 1, "scheduled_at": "2026-03-11 09:30", "place": "第二法庭", "reason": "法院改期"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, e) = app
        .post(
            &format!("/api/v1/proceedings/{pid2}/events"),
            &app.clerk_a,
            json!({"kind": "summons_received", "occurred_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let eid = e["event"]["id"].as_i64().unwrap();
    let (s, v) = app
        .call(
            "DELETE",
            &format!("/api/v1/events/{eid}?version=1"),
            Some(app.clerk_a.as_str()),
            None,
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a withdrawal needs its reason: {v}"
    );
    assert_eq!(codes(&v), [("reason".into(), "required".into())]);
    let (s, _) = app
        .call(
            "DELETE",
            &format!(
                "/api/v1/events/{eid}?version=1&reason={}",
                urlencode("传票登记错案件")
            ),
            Some(app.clerk_a.as_str()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, hist) = app
        .get(&format!("/api/v1/audit/proceeding/{pid2}"), &app.coord)
        .await;
    let reasons: Vec<(String, String, String)> = hist
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["reason"].is_null())
        .map(|e| {
            (
                e["entity"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&("hearing".into(), "update".into(), "法院改期".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("event".into(), "delete".into(), "传票登记错案件".into())),
        "{reasons:?}"
    );
    // The withdrawn event's record stays readable in the history.
    assert!(
        hist.as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity"] == "event"
                && e["action"] == "delete"
                && e["before"]["occurred_on"] == "2026-03-01")
    );
    app.store.close().await;
}
