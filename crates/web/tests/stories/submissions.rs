//! Submit and review (issue 14, points 2 and 3) through the API, with 象山's full-process
//! filing: the unit cannot tick its filing done; it submits its package; the bureau returns it
//! with reasons, the unit resubmits, the bureau accepts — met on the submission date — and the
//! bureau's own forwarding obligation appears, met by its forward record. The co-defendant's
//! obligation is untouched. 凡败必报 shows a loss with no report, then its report obligation;
//! a late filing is a deduction in the assessment.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::*;

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

fn find<'a>(list: &'a Value, rule: &str, unit: Value) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule_id"] == rule && d["unit_id"] == unit)
        .unwrap_or_else(|| panic!("no {rule} for {unit} in {list}"))
}

pub async fn story(app: App) {
    let clerk_b = add_clerk(&app, "clerk.b", app.unit_b).await;
    // 象山's filing rules and 温县's reporting rules, active together.
    let (s, v) = app
        .put(
            "/api/v1/rules",
            &app.coord,
            json!({"version": 0, "shipped": ["local-wenxian", "local-xiangshan"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["rule_set"]["selected"],
        json!(["local-xiangshan", "local-wenxian"])
    );
    assert!(
        v["rule_set"]["precedence"][0]
            .as_str()
            .unwrap()
            .contains("象山县全过程备案"),
        "{v}"
    );

    // A case received today by two co-defendants: each owes its own filing package.
    let t = today();
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance", "case_no": "(2026)浙0699行初601号", "domain": "expropriation",
                "registered_on": t.to_string(), "received_on": t.to_string(),
                "parties": [{"role": "claimant", "name": "周一"}, {"role": "defendant", "unit_id": app.unit_a}, {"role": "co_defendant", "unit_id": app.unit_b}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let path = format!("/api/v1/proceedings/{pid}/deadlines");
    let (_, list) = app.get(&path, &app.coord).await;
    let filing = find(&list, "XS_FILE_WITH_BUREAU", json!(app.unit_a)).clone();
    let filing_b = find(&list, "XS_FILE_WITH_BUREAU", json!(app.unit_b)).clone();
    // 温县's receipt report is owed too, by each unit.
    find(&list, "WX_RECEIPT_REPORT", json!(app.unit_a));
    let fid = filing["id"].as_i64().unwrap();

    // The obligation says what it requires.
    let (s, o) = app
        .get(&format!("/api/v1/deadlines/{fid}"), &app.clerk_a)
        .await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(
        o["submit"]["documents"],
        json!(["complaint", "answer", "evidence_list"])
    );
    assert!(o["submit_label"].as_str().unwrap().contains("证据清单"));
    assert_eq!(o["submissions"], json!([]));

    // It cannot be ticked done, with any date.
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{fid}/met"),
            &app.clerk_a,
            json!({"version": filing["version"], "met_on": t.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(codes(&v), [("met_on".into(), "submission_required".into())]);

    // Submitting without the documents: every missing kind named; nothing stored.
    let submit = format!("/api/v1/deadlines/{fid}/submissions");
    let (s, v) = app
        .post(&submit, &app.clerk_a, json!({"version": filing["version"]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("起诉状（申请书）副本、答辩状（答复书）、证据清单"),
        "{v}"
    );
    let complaint = upload_pdf(&app, &app.clerk_a, pid, "complaint", "起诉状副本.pdf").await;
    let answer = upload_pdf(&app, &app.clerk_a, pid, "answer", "答辩状.pdf").await;
    let evidence = upload_pdf(&app, &app.clerk_a, pid, "evidence_list", "证据清单.pdf").await;
    // The co-defendant cannot submit for it.
    let (s, v) = app
        .post(
            &submit,
            &clerk_b,
            json!({"version": filing["version"], "document_ids": [complaint, answer, evidence]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "B cannot submit for A: {v}");
    let (s, v) = app
        .post(
            &submit,
            &app.clerk_a,
            json!({"version": filing["version"], "document_ids": [complaint, answer, evidence], "note": "请审核"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((&v["seq"], &v["status"]), (&json!(1), &json!("submitted")));
    assert_eq!(v["submitted_on"], t.to_string());
    assert_eq!(v["documents"].as_array().unwrap().len(), 3);
    let first = v["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &submit,
            &app.clerk_a,
            json!({"version": filing["version"].as_i64().unwrap() + 1, "document_ids": [complaint, answer, evidence]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(codes(&v), [("deadline".into(), "awaiting_review".into())]);

    // The bureau's queue; a unit cannot review; a return needs reasons.
    let (s, q) = app.get("/api/v1/submissions", &app.coord).await;
    assert_eq!(s, StatusCode::OK);
    assert!(q.as_array().unwrap().iter().any(|x| x["id"] == first));
    let (s, _) = app
        .post(
            &format!("/api/v1/submissions/{first}/accept"),
            &app.clerk_a,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            &format!("/api/v1/submissions/{first}/return"),
            &app.coord,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/v1/submissions/{first}/return"),
            &app.coord,
            json!({"version": 1, "reason": "证据清单缺少证据来源说明"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "returned");
    let (_, o) = app
        .get(&format!("/api/v1/deadlines/{fid}"), &app.clerk_a)
        .await;
    assert_eq!(
        o["deadline"]["met_on"],
        Value::Null,
        "the clock keeps running"
    );
    assert_eq!(o["deadline"]["submission_state"], "returned");
    let returned = |v: &Value| v.as_array().unwrap().iter().any(|x| x["id"] == first);
    let (_, r) = app
        .get("/api/v1/submissions?status=returned", &app.clerk_a)
        .await;
    assert!(returned(&r), "the unit sees its return: {r}");

    // Resubmitted with a corrected list; accepted: met on the submission date.
    let evidence2 = upload_pdf(
        &app,
        &app.clerk_a,
        pid,
        "evidence_list",
        "证据清单（补正）.pdf",
    )
    .await;
    let (s, v) = app
        .post(
            &submit,
            &app.clerk_a,
            json!({"version": o["deadline"]["version"], "document_ids": [complaint, answer, evidence2]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["seq"], 2);
    // Answered by the resubmission: the old version is no longer a return to act on.
    let (_, r) = app
        .get("/api/v1/submissions?status=returned", &app.clerk_a)
        .await;
    assert!(!returned(&r), "{r}");
    let second = v["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/v1/submissions/{second}/accept"),
            &app.coord,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, o) = app
        .get(&format!("/api/v1/deadlines/{fid}"), &app.coord)
        .await;
    assert_eq!(o["deadline"]["met_on"], t.to_string());
    assert_eq!(o["deadline"]["state"], "met_on_time");
    let seqs: Vec<i64> = o["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [2, 1], "every version kept, newest first");
    assert_eq!(
        o["submissions"][1]["review_note"],
        "证据清单缺少证据来源说明"
    );

    // The co-defendant's package is still owed.
    let (_, list) = app.get(&path, &app.coord).await;
    assert_eq!(
        find(&list, "XS_FILE_WITH_BUREAU", json!(app.unit_b))["met_on"],
        Value::Null
    );
    assert_eq!(filing_b["submission_state"], Value::Null);

    // Acceptance recorded the filing: the bureau now owes the forward to the county leader.
    let forward = find(&list, "XS_BUREAU_FORWARD", Value::Null).clone();
    assert_eq!(forward["responsible"], "justice_bureau");
    assert_eq!(forward["event_kind"], "materials_filed");
    let (_, mine) = app.get("/api/v1/deadlines/mine", &app.coord).await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == forward["id"]),
        "{mine}"
    );
    // A unit cannot record the bureau's forward; the bureau records it and it is met at once.
    let fwd = format!("/api/v1/deadlines/{}/submissions", forward["id"]);
    let (s, _) = app
        .post(
            &fwd,
            &app.clerk_a,
            json!({"version": forward["version"], "fields": {"报送县领导": "x", "报送方式": "y"}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            &fwd,
            &app.coord,
            json!({"version": forward["version"], "fields": {"报送县领导": "王副县长"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(codes(&v), [("fields.报送方式".into(), "required".into())]);
    let (s, v) = app
        .post(&fwd, &app.coord, json!({"version": forward["version"], "fields": {"报送县领导": "王副县长", "报送方式": "政务钉钉"}}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "accepted");
    let (_, o) = app
        .get(&format!("/api/v1/deadlines/{}", forward["id"]), &app.coord)
        .await;
    assert_eq!(o["deadline"]["state"], "met_on_time");

    // Every step is in the case history.
    let (_, h) = app
        .get(&format!("/api/v1/audit/proceeding/{pid}"), &app.coord)
        .await;
    let actions: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "submission")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submit", "return", "submit", "accept", "submit"]);

    // --- 凡败必报 ------------------------------------------------------------------------
    let party_a = p["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit_id"] == app.unit_a)
        .unwrap()["id"]
        .clone();
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/outcomes"),
            &app.coord,
            json!({"party_id": party_a, "code": "revoke", "decided_on": t.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, l) = app
        .get("/api/v1/loss-reports?problems=true", &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let line = l
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["proceeding_id"] == pid)
        .unwrap_or_else(|| panic!("{l}"));
    assert_eq!(
        (&line["state"], &line["unit_id"]),
        (&json!("missing"), &json!(app.unit_a))
    );
    let (s, _) = app.get("/api/v1/loss-reports", &app.clerk_a).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "凡败必报 is the bureau's");
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/events"),
            &app.coord,
            json!({"kind": "judgment_effective", "occurred_on": t.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, l) = app.get("/api/v1/loss-reports", &app.coord).await;
    let line = l
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["proceeding_id"] == pid)
        .unwrap();
    assert_eq!(line["report_name"], "败诉分析报告");
    assert_eq!(line["problem"], false);
    let (_, l) = app
        .get("/api/v1/loss-reports?problems=true", &app.coord)
        .await;
    assert!(
        l.as_array()
            .unwrap()
            .iter()
            .all(|x| x["proceeding_id"] != pid)
    );

    // --- a named condition: 群体性案件 (50+ claimants) need the principal head's appearance --
    for (case_no, count, expect) in [
        ("(2026)浙0699行初603号", 56, true),
        ("(2026)浙0699行初604号", 3, false),
    ] {
        let (s, pc) = app
            .post(
                "/api/v1/proceedings",
                &app.coord,
                json!({
                    "kind": "first_instance", "case_no": case_no, "domain": "expropriation",
                    "registered_on": t.to_string(), "claimant_count": count,
                    "parties": [{"role": "claimant", "name": "群体代表"}, {"role": "defendant", "unit_id": app.unit_a}]
                }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{pc}");
        let (s, v) = app
            .post(
                &format!("/api/v1/proceedings/{}/events", pc["id"]),
                &app.coord,
                json!({"kind": "summons_received", "occurred_on": t.to_string()}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let has = v["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule_id"] == "XS_PRINCIPAL_APPEARANCE");
        assert_eq!(has, expect, "{count} claimants: {v}");
    }

    // --- a late filing is a deduction in the assessment ----------------------------------
    let (s, p2) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance", "case_no": "(2026)浙0699行初602号", "domain": "expropriation",
                "registered_on": "2026-01-05", "received_on": "2026-01-05",
                "parties": [{"role": "claimant", "name": "吴二"}, {"role": "defendant", "unit_id": app.unit_b}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p2}");
    let (s, stats) = app
        .get(
            "/api/v1/stats?period=custom&from=2026-01-01&to=2026-01-31",
            &app.coord,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    let row = stats["assessment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == app.unit_b)
        .unwrap_or_else(|| panic!("{stats}"));
    assert!(row["late_filings"].as_u64().unwrap() >= 1, "{row}");
    app.store.close().await;
}
