//! Obligations per responsible unit (issue 14, point 1): two co-defendants each owe their own
//! deadlines; one's completion never closes the other's; only the unit that lost owes the loss
//! report; rights are shown but never to-dos; a unit's lists show what it owes; the bureau's
//! county list names the late unit; a registration with its receipt date starts deadlines at
//! once (contract: `received_on` records the event exactly as the event endpoint would).

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::*;

fn of_rule<'a>(list: &'a Value, rule: &str) -> Vec<&'a Value> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule_id"] == rule)
        .collect()
}

fn for_unit<'a>(list: &'a Value, rule: &str, unit: i64) -> &'a Value {
    of_rule(list, rule)
        .into_iter()
        .find(|d| d["unit_id"] == unit)
        .unwrap_or_else(|| panic!("no {rule} for unit {unit} in {list}"))
}

pub async fn story(app: App) {
    // A clerk for the second unit.
    let clerk_b = add_clerk(&app, "clerk.b", app.unit_b).await;

    // --- registration with the receipt date: deadlines at once, one set per unit -----------
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance",
                "case_no": "(2026)浙0699行初501号",
                "domain": "expropriation",
                "registered_on": "2026-03-02",
                "received_on": "2026-03-02",
                "parties": [
                    {"role": "claimant", "name": "王五"},
                    {"role": "defendant", "unit_id": app.unit_a},
                    {"role": "co_defendant", "unit_id": app.unit_b}
                ]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let party_of = |unit: i64| {
        p["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["unit_id"] == unit)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (party_a, party_b) = (party_of(app.unit_a), party_of(app.unit_b));
    let (s, events) = app
        .get(&format!("/api/v1/proceedings/{pid}/events"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(events.as_array().unwrap().len(), 1, "{events}");
    assert_eq!(events[0]["kind"], "complaint_copy_received");
    assert_eq!(events[0]["occurred_on"], "2026-03-02");
    let path = format!("/api/v1/proceedings/{pid}/deadlines");
    let (s, list) = app.get(&path, &app.coord).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let answers = of_rule(&list, "ANSWER_AND_EVIDENCE");
    assert_eq!(answers.len(), 2, "one answer obligation per defendant unit");
    let answer_a = for_unit(&list, "ANSWER_AND_EVIDENCE", app.unit_a);
    let answer_b = for_unit(&list, "ANSWER_AND_EVIDENCE", app.unit_b);
    assert_eq!(answer_a["unit_name"], "甲镇人民政府");
    assert_eq!(answer_b["unit_name"], "测试县公安局");
    assert_eq!(answer_a["due_on"], "2026-03-17");
    assert_eq!(answer_a["state"], "overdue");
    assert_eq!(answer_a["nature"], "duty");
    let right = for_unit(&list, "EVIDENCE_EXTENSION_APPLY", app.unit_b);
    assert_eq!(
        (&right["nature"], &right["nature_label"]),
        (&json!("right"), &json!("权利期限"))
    );

    // Registering through the event endpoint gives exactly the same obligations.
    let (s, p2) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance", "case_no": "(2026)浙0699行初502号", "domain": "expropriation",
                "registered_on": "2026-03-02",
                "parties": [{"role": "claimant", "name": "王五"}, {"role": "defendant", "unit_id": app.unit_a}, {"role": "co_defendant", "unit_id": app.unit_b}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p2}");
    let pid2 = p2["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{pid2}/events"),
            &app.coord,
            json!({"kind": "complaint_copy_received", "occurred_on": "2026-03-02"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let shape = |l: &Value| {
        let mut v: Vec<(String, String, String, Value)> = l
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["rule_id"].as_str().unwrap().to_string(),
                    d["due_on"].as_str().unwrap().to_string(),
                    d["trace"].as_str().unwrap().to_string(),
                    d["unit_id"].clone(),
                )
            })
            .collect();
        v.sort_by(|a, b| (&a.0, &a.1, a.3.to_string()).cmp(&(&b.0, &b.1, b.3.to_string())));
        v
    };
    let (_, list2) = app
        .get(&format!("/api/v1/proceedings/{pid2}/deadlines"), &app.coord)
        .await;
    assert_eq!(shape(&list), shape(&list2));

    // --- one unit's completion never completes another's ---------------------------------
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{}/met", answer_b["id"]),
            &app.clerk_a,
            json!({"version": answer_b["version"], "met_on": "2026-03-10"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "unit A cannot close unit B's: {v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("测试县公安局"),
        "{v}"
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{}/met", answer_a["id"]),
            &app.clerk_a,
            json!({"version": answer_a["version"], "met_on": "2026-03-10"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "met_on_time");
    let (_, list) = app.get(&path, &app.coord).await;
    assert_eq!(
        for_unit(&list, "ANSWER_AND_EVIDENCE", app.unit_a)["state"],
        "met_on_time"
    );
    assert_eq!(
        for_unit(&list, "ANSWER_AND_EVIDENCE", app.unit_b)["state"],
        "overdue",
        "the co-defendant still owes its own"
    );

    // --- each unit's list shows what it owes; the county list names the late unit ---------
    let (s, mine_b) = app.get("/api/v1/deadlines/mine?state=all", &clerk_b).await;
    assert_eq!(s, StatusCode::OK, "{mine_b}");
    let items = mine_b["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|d| d["unit_id"] == app.unit_b && d["nature"] == "duty"),
        "{mine_b}"
    );
    // Unit B asking for unit A's list sees nothing of it.
    let (s, v) = app
        .get(
            &format!("/api/v1/deadlines?unit_id={}", app.unit_a),
            &clerk_b,
        )
        .await;
    assert_eq!(
        (s, v["items"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
    let (s, county) = app
        .get(
            "/api/v1/deadlines?state=overdue&nature=duty&responsible=unit&limit=500",
            &app.coord,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let late: Vec<(&str, &str)> = county["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["proceeding_id"] == pid && d["rule_id"] == "ANSWER_AND_EVIDENCE")
        .map(|d| {
            (
                d["unit_name"].as_str().unwrap(),
                d["owner_label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(late, [("测试县公安局", "测试县公安局")]);

    // --- the loss report: only the unit that lost owes it ---------------------------------
    for (party, code) in [(party_a, "revoke"), (party_b, "reject_claims")] {
        let (s, v) = app
            .post(
                &format!("/api/v1/proceedings/{pid}/outcomes"),
                &app.coord,
                json!({"party_id": party, "code": code, "decided_on": "2026-06-01"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/events"),
            &app.coord,
            json!({"kind": "judgment_effective", "occurred_on": "2026-06-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, list) = app.get(&path, &app.coord).await;
    let reports = of_rule(&list, "LOSS_REPORT");
    assert_eq!(reports.len(), 1, "{list}");
    assert_eq!(reports[0]["unit_id"], app.unit_a);
    assert_eq!(reports[0]["due_on"], "2026-07-10");
    // The claimant's 申请强制执行 is the claimant side's right, owed by no unit.
    let enforce = &of_rule(&list, "ENFORCEMENT_APPLY")[0];
    assert_eq!(
        (&enforce["unit_id"], &enforce["nature"]),
        (&Value::Null, &json!("right"))
    );

    // A correction moves the obligation to the unit that now lost.
    let outcome_of = |party: i64, p: &Value| -> (i64, i64) {
        let o = p["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["party_id"] == party)
            .unwrap()
            .clone();
        (o["id"].as_i64().unwrap(), o["version"].as_i64().unwrap())
    };
    let (_, proc_now) = app
        .get(&format!("/api/v1/proceedings/{pid}"), &app.coord)
        .await;
    let (ob, vb) = outcome_of(party_b, &proc_now);
    let (s, v) = app
        .put(
            &format!("/api/v1/outcomes/{ob}"),
            &app.coord,
            json!({"version": vb, "party_id": party_b, "code": "confirm_illegal", "decided_on": "2026-06-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, list) = app.get(&path, &app.coord).await;
    let mut units: Vec<i64> = of_rule(&list, "LOSS_REPORT")
        .iter()
        .map(|d| d["unit_id"].as_i64().unwrap())
        .collect();
    units.sort();
    let mut want = vec![app.unit_a, app.unit_b];
    want.sort();
    assert_eq!(units, want, "both lost now: both owe their report");

    // --- a co-defendant withdrawn owes nothing open; its met obligations stay -----------
    let (_, proc_now) = app
        .get(&format!("/api/v1/proceedings/{pid2}"), &app.coord)
        .await;
    let b2 = proc_now["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit_id"] == app.unit_b)
        .unwrap()
        .clone();
    let (s, v) = app
        .call(
            "DELETE",
            &format!(
                "/api/v1/parties/{}?version={}&reason={}",
                b2["id"],
                b2["version"],
                urlencode("共同被告列错")
            ),
            Some(app.coord.as_str()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (_, list2) = app
        .get(&format!("/api/v1/proceedings/{pid2}/deadlines"), &app.coord)
        .await;
    assert!(
        list2
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["unit_id"] != app.unit_b),
        "{list2}"
    );
    // … and added again, it owes its own again.
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{pid2}/parties"),
            &app.coord,
            json!({"role": "co_defendant", "unit_id": app.unit_b}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, list2) = app
        .get(&format!("/api/v1/proceedings/{pid2}/deadlines"), &app.coord)
        .await;
    assert_eq!(of_rule(&list2, "ANSWER_AND_EVIDENCE").len(), 2);

    // --- met by an event: the court's next step closes its own limit ---------------------
    let (s, p3) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance", "case_no": "(2026)浙0699行初503号", "domain": "expropriation",
                "registered_on": "2026-03-02", "filed_on": "2026-03-02", "received_on": "2026-03-05",
                "parties": [{"role": "claimant", "name": "李六"}, {"role": "defendant", "unit_id": app.unit_a}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p3}");
    let pid3 = p3["id"].as_i64().unwrap();
    let (_, list3) = app
        .get(&format!("/api/v1/proceedings/{pid3}/deadlines"), &app.coord)
        .await;
    let send = &of_rule(&list3, "SEND_COMPLAINT_COPY")[0];
    assert_eq!(
        (&send["met_on"], &send["state"]),
        (&json!("2026-03-05"), &json!("met_on_time")),
        "{send}"
    );
    assert!(
        send["change_note"]
            .as_str()
            .unwrap()
            .contains("收到起诉状副本"),
        "{send}"
    );
    assert_eq!(of_rule(&list3, "TRIAL_FIRST")[0]["met_on"], Value::Null);
    // Withdrawing the receipt reopens it.
    let (_, ev3) = app
        .get(&format!("/api/v1/proceedings/{pid3}/events"), &app.coord)
        .await;
    let receipt = ev3
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "complaint_copy_received")
        .unwrap()
        .clone();
    let (s, _) = app
        .call(
            "DELETE",
            &format!(
                "/api/v1/events/{}?version={}&reason={}",
                receipt["id"],
                receipt["version"],
                urlencode("日期登记错误")
            ),
            Some(app.coord.as_str()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list3) = app
        .get(&format!("/api/v1/proceedings/{pid3}/deadlines"), &app.coord)
        .await;
    assert_eq!(
        of_rule(&list3, "SEND_COMPLAINT_COPY")[0]["met_on"],
        Value::Null
    );

    // --- regression: a deleted row's id is never given to a new one (SQLite reused it, and
    // the new row inherited the old one's audit history) ---------------------------------
    let events_path = format!("/api/v1/proceedings/{pid2}/events");
    let (s, v) = app
        .post(
            &events_path,
            &app.coord,
            json!({"kind": "summons_received", "occurred_on": "2026-04-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let first = v["event"]["id"].as_i64().unwrap();
    let first_deadlines: Vec<i64> = v["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    let (s, _) = app
        .call(
            "DELETE",
            &format!(
                "/api/v1/events/{first}?version=1&reason={}",
                urlencode("误登记")
            ),
            Some(app.coord.as_str()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = app
        .post(
            &events_path,
            &app.coord,
            json!({"kind": "summons_received", "occurred_on": "2026-04-02"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["event"]["id"].as_i64().unwrap() > first, "{v}");
    for d in v["deadlines"].as_array().unwrap() {
        assert!(!first_deadlines.contains(&d["id"].as_i64().unwrap()), "{v}");
    }
    let h = app
        .store
        .history("event", v["event"]["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(h.len(), 1, "a new event's history is its own: {h:?}");
    app.store.close().await;
}
