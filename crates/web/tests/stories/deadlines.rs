//! The deadline engine through the API: events create deadlines with traces and citations,
//! edits and rule changes recompute them, met / waived, lists sorted overdue first, a calendar
//! import that settles provisional dates and records why, and calendar feeds.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::*;

fn by_rule<'a>(list: &'a Value, rule: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no deadline {rule} in {list}"))
}

fn rule_ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule_id"].as_str().unwrap().to_string())
        .collect()
}

async fn new_case(app: &App, case_no: &str) -> i64 {
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding(case_no, app.unit_a, "2024-09-10", "李四"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn deadlines_of(app: &App, pid: i64) -> Value {
    let (s, v) = app
        .get(&format!("/api/v1/proceedings/{pid}/deadlines"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

pub async fn story(app: App) {
    // --- the catalogue in force -----------------------------------------------------------
    let (s, rules) = app.get("/api/v1/rules", &app.clerk_a).await;
    assert_eq!(s, StatusCode::OK, "{rules}");
    assert_eq!(rules["id"], "statutory");
    assert_eq!(rules["version"], 0);
    assert!(
        rules["shipped"]
            .as_array()
            .unwrap()
            .contains(&json!("local-xiangshan"))
    );
    let (s, kinds) = app.get("/api/v1/event-kinds", &app.clerk_a).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        kinds
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["code"] == "complaint_copy_received" && k["label"] == "收到起诉状副本")
    );

    // --- an event creates its deadlines ---------------------------------------------------
    let pid = new_case(&app, "(2024)浙0699行初101号").await;
    let events = format!("/api/v1/proceedings/{pid}/events");
    let (s, v) = app
        .post(
            &events,
            &app.clerk_a,
            json!({"kind": "complaint_copy_received", "occurred_on": "2024-09-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let event_id = v["event"]["id"].as_i64().unwrap();
    assert_eq!(v["event"]["kind_label"], "收到起诉状副本");
    let answer = by_rule(&v["deadlines"], "ANSWER_AND_EVIDENCE");
    assert_eq!(answer["due_on"], "2024-10-08");
    assert_eq!(answer["state"], "overdue");
    assert_eq!(answer["state_label"], "已逾期");
    assert_eq!(answer["severity"], "critical");
    assert_eq!(answer["responsible"], "unit");
    assert_eq!(answer["case_label"], "（2024）浙0699行初101号");
    let trace = answer["trace"].as_str().unwrap();
    assert!(
        trace.contains("2024-09-20 起算")
            && trace.contains("国庆节")
            && trace.contains("2024-10-08"),
        "{trace}"
    );
    assert!(answer["citation"].as_str().unwrap().contains("第六十七条"));
    assert_eq!(answer["provisional"], false);

    // Bad input: precise field errors, nothing written; the wrong role is refused.
    let audit_before = app.store.audit_count().await.unwrap();
    let (s, v) = app
        .post(
            &events,
            &app.clerk_a,
            json!({"kind": "summons_received_x", "occurred_on": "2024-02-30"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        vec![
            ("kind".to_string(), "unknown_value".to_string()),
            ("occurred_on".to_string(), "invalid_date".to_string())
        ]
    );
    let (s, v) = app.post(&events, &app.clerk_a, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v).len(), 2, "{v}");
    let (s, _) = app
        .post(
            &events,
            &app.leader,
            json!({"kind": "complaint_copy_received", "occurred_on": "2024-09-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            "/api/v1/proceedings/999999/events",
            &app.clerk_a,
            json!({"kind": "complaint_copy_received", "occurred_on": "2024-09-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.audit_count().await.unwrap(),
        audit_before + 2,
        "nothing written but the two refusals (leader, other unit's case) logged as `denied`"
    );

    // --- selecting a local rule set recomputes open deadlines -----------------------------
    let (s, _) = app
        .put(
            "/api/v1/rules",
            &app.clerk_a,
            json!({"version": 0, "shipped": "local-xiangshan"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .put(
            "/api/v1/rules",
            &app.coord,
            json!({"version": 0, "shipped": "local-nowhere"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), vec![("shipped".into(), "unknown_value".into())]);
    let (s, v) = app
        .put(
            "/api/v1/rules",
            &app.coord,
            json!({"version": 0, "toml": "[catalogue]\nid = \"x\"\nname = \"坏\"\nversion = \"1\"\nextends = \"statutory\"\n[[rule]]\nid = \"BAD\"\nname = \"坏规则\"\ntrigger = \"complaint_copy_received\"\nperiod = \"weeks:2\"\nresponsible = \"unit\"\ncitation = \"无\"\n"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), vec![("toml".into(), "invalid_rules".into())]);
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("BAD")
    );
    let (s, v) = app
        .put(
            "/api/v1/rules",
            &app.coord,
            json!({"version": 0, "shipped": "local-xiangshan"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["rule_set"]["id"], "statutory+xiangshan");
    assert_eq!(v["rule_set"]["version"], 1);
    assert_eq!(v["recomputed"]["created"], 1, "{v}");
    let (s, _) = app
        .put(
            "/api/v1/rules",
            &app.coord,
            json!({"version": 0, "shipped": "local-wenxian"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let list = deadlines_of(&app, pid).await;
    // The registration's 立案日期 recorded 法院立案 (court-side limits, monitored); the receipt
    // started the unit's obligations, each naming the unit that owes it, and met the court's
    // 发送起诉状副本 (done, so listed last).
    assert_eq!(
        rule_ids(&list),
        [
            "XS_FILE_WITH_BUREAU",
            "ANSWER_AND_EVIDENCE",
            "EVIDENCE_EXTENSION_APPLY",
            "TRIAL_FIRST",
            "SEND_COMPLAINT_COPY"
        ]
    );
    assert!(by_rule(&list, "SEND_COMPLAINT_COPY")["met_on"].is_string());
    assert_eq!(by_rule(&list, "TRIAL_FIRST")["nature"], "court");
    assert_eq!(by_rule(&list, "TRIAL_FIRST")["unit_id"], Value::Null);
    assert_eq!(
        by_rule(&list, "EVIDENCE_EXTENSION_APPLY")["nature"],
        "right"
    );
    assert_eq!(by_rule(&list, "ANSWER_AND_EVIDENCE")["nature"], "duty");
    assert_eq!(by_rule(&list, "ANSWER_AND_EVIDENCE")["unit_id"], app.unit_a);
    assert!(by_rule(&list, "ANSWER_AND_EVIDENCE")["unit_name"].is_string());
    let target = by_rule(&list, "XS_FILE_WITH_BUREAU");
    assert_eq!(target["due_on"], "2024-09-25");
    assert_eq!(target["parent_rule_id"], "ANSWER_AND_EVIDENCE");
    assert!(target["change_note"].is_null());

    // --- correcting the event recomputes and says why -------------------------------------
    let (s, v) = app
        .put(
            &format!("/api/v1/events/{event_id}"),
            &app.clerk_a,
            json!({"version": 1, "kind": "complaint_copy_received", "occurred_on": "2024-10-10"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let answer = by_rule(&v["deadlines"], "ANSWER_AND_EVIDENCE");
    assert_eq!(answer["due_on"], "2024-10-25");
    assert!(
        answer["change_note"]
            .as_str()
            .unwrap()
            .contains("由 2024-10-08 改为 2024-10-25"),
        "{answer}"
    );
    assert_eq!(
        by_rule(&v["deadlines"], "XS_FILE_WITH_BUREAU")["due_on"],
        "2024-10-18"
    );
    let (s, _) = app
        .put(
            &format!("/api/v1/events/{event_id}"),
            &app.clerk_a,
            json!({"version": 1, "kind": "complaint_copy_received", "occurred_on": "2024-10-11"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // --- met, waived, reopened ------------------------------------------------------------
    let answer_id = answer["id"].as_i64().unwrap();
    let answer_v = answer["version"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{answer_id}/met"),
            &app.clerk_a,
            json!({"version": answer_v, "met_on": "2999-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), vec![("met_on".into(), "invalid_date".into())]);
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{answer_id}/met"),
            &app.clerk_a,
            json!({"version": answer_v, "met_on": "2100-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), vec![("met_on".into(), "date_in_future".into())]);
    let (s, _) = app
        .post(
            &format!("/api/v1/deadlines/{answer_id}/met"),
            &app.leader,
            json!({"version": answer_v, "met_on": "2024-10-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{answer_id}/met"),
            &app.clerk_a,
            json!({"version": answer_v, "met_on": "2024-10-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "met_on_time");
    assert_eq!(v["met_on"], "2024-10-20");
    let (s, _) = app
        .post(
            &format!("/api/v1/deadlines/{answer_id}/met"),
            &app.clerk_a,
            json!({"version": answer_v, "met_on": "2024-10-21"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let ext = by_rule(&deadlines_of(&app, pid).await, "EVIDENCE_EXTENSION_APPLY").clone();
    let ext_id = ext["id"].as_i64().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/deadlines/{ext_id}/waive"),
            &app.clerk_a,
            json!({"version": ext["version"], "reason": "不需要延期"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{ext_id}/waive"),
            &app.coord,
            json!({"version": ext["version"], "reason": "  "}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), vec![("reason".into(), "required".into())]);
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{ext_id}/waive"),
            &app.coord,
            json!({"version": ext["version"], "reason": "证据已齐备，无需申请延期"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["state"], &v["waived_by"]),
        (&json!("waived"), &json!("coord"))
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{ext_id}/reopen"),
            &app.coord,
            json!({"version": v["version"]}),
        )
        .await;
    assert_eq!((s, &v["state"]), (StatusCode::OK, &json!("overdue")));
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{ext_id}/waive"),
            &app.coord,
            json!({"version": v["version"], "reason": "证据已齐备，无需申请延期"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // --- lists: mine, per unit, jurisdiction-wide, due soon -------------------------------
    let (s, v) = app
        .put(
            "/api/v1/settings/deadlines",
            &app.coord,
            json!({"version": 0, "due_soon_days": 99}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        vec![("due_soon_days".into(), "out_of_range".into())]
    );
    let (s, v) = app
        .put(
            "/api/v1/settings/deadlines",
            &app.coord,
            json!({"version": 0, "due_soon_days": 30}),
        )
        .await;
    assert_eq!((s, &v["version"]), (StatusCode::OK, &json!(1)), "{v}");
    let pid2 = new_case(&app, "(2024)浙0699行初102号").await;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date();
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{pid2}/events"),
            &app.clerk_a,
            json!({"kind": "complaint_copy_received", "occurred_on": today.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        by_rule(&v["deadlines"], "ANSWER_AND_EVIDENCE")["state"],
        "due_soon"
    );
    let (s, mine) = app.get("/api/v1/deadlines/mine", &app.clerk_a).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let items = mine["items"].as_array().unwrap();
    // The old target and two duties on the new case; 申请延期提供证据 is the unit's right, shown
    // on the case but never a to-do.
    assert_eq!(items.len(), 3, "{mine}");
    assert!(items.iter().all(|d| d["nature"] == "duty"));
    assert_eq!(items[0]["state"], "overdue");
    assert_eq!(items[0]["rule_id"], "XS_FILE_WITH_BUREAU");
    assert!(items[1..].iter().all(|d| d["proceeding_id"] == pid2));
    assert!(items.iter().all(|d| d["responsible"] == "unit"));
    let (s, mine) = app.get("/api/v1/deadlines/mine", &app.coord).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["responsible"] == "justice_bureau")
    );
    let (s, v) = app
        .get(
            &format!("/api/v1/deadlines?unit_id={}&state=all&limit=2", app.unit_a),
            &app.coord,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let mut seen: Vec<Value> = v["items"].as_array().unwrap().clone();
    let mut next = v["next"].as_str().map(str::to_string);
    while let Some(c) = next {
        let (s, v) = app
            .get(
                &format!(
                    "/api/v1/deadlines?unit_id={}&state=all&limit=2&after={}",
                    app.unit_a,
                    urlencode(&c)
                ),
                &app.coord,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        seen.extend(v["items"].as_array().unwrap().iter().cloned());
        next = v["next"].as_str().map(str::to_string);
    }
    let states: Vec<&str> = seen.iter().map(|d| d["state"].as_str().unwrap()).collect();
    assert_eq!(
        states,
        [
            "overdue",
            "due_soon",
            "due_soon",
            "due_soon",
            "met_on_time",
            "waived"
        ],
        "overdue first, done last"
    );
    let (s, v) = app
        .get(
            "/api/v1/deadlines?state=overdue&nature=duty&responsible=unit",
            &app.coord,
        )
        .await;
    assert_eq!(
        (s, v["items"].as_array().unwrap().len()),
        (StatusCode::OK, 1)
    );
    // Without filters the court's limits of the 2024 cases (monitored) are there too.
    let (s, v) = app.get("/api/v1/deadlines?state=overdue", &app.coord).await;
    assert_eq!(s, StatusCode::OK);
    let all = v["items"].as_array().unwrap();
    assert!(
        all.len() > 1 && all.iter().any(|d| d["nature"] == "court"),
        "{v}"
    );
    let (s, v) = app
        .get("/api/v1/deadlines?nature=obligation", &app.coord)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        vec![("nature".to_string(), "unknown_value".to_string())]
    );
    let (s, v) = app
        .get(
            "/api/v1/deadlines?state=late&responsible=mayor&due_from=2024-13-01&limit=0&after=x",
            &app.coord,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = codes(&v).into_iter().map(|c| c.0).collect();
    assert_eq!(
        fields,
        ["limit", "responsible", "state", "due_from", "after"]
    );

    // --- a window reaching an uncovered year is provisional until the notice is loaded ----
    let pid3 = new_case(&app, "(2024)浙0699行初103号").await;
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{pid3}/events"),
            &app.clerk_a,
            json!({"kind": "complaint_copy_received", "occurred_on": "2026-12-17"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let answer = by_rule(&v["deadlines"], "ANSWER_AND_EVIDENCE");
    assert_eq!(
        (&answer["due_on"], &answer["provisional"]),
        (&json!("2027-01-01"), &json!(true))
    );
    let (s, y) = app.get("/api/v1/calendar/2027", &app.clerk_a).await;
    assert_eq!((s, &y["provisional"]), (StatusCode::OK, &json!(true)));
    let notice = "date,kind,name\n2027-01-01,holiday,元旦\n";
    let (s, _) = app
        .post(
            "/api/v1/calendar/import",
            &app.clerk_a,
            json!({"csv": notice}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            "/api/v1/calendar/import",
            &app.coord,
            json!({"csv": "date,kind,name\n2027-01-04,workday_on_weekend,元旦\n"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), vec![("csv".into(), "invalid_calendar".into())]);
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("不是周末")
    );
    let (s, v) = app
        .post(
            "/api/v1/calendar/import",
            &app.coord,
            json!({"csv": notice, "source": "国办发明电〔2026〕测试号"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["years"], json!([2027]));
    assert!(v["recomputed"]["changed"].as_u64().unwrap() >= 2, "{v}");
    let list = deadlines_of(&app, pid3).await;
    let answer = by_rule(&list, "ANSWER_AND_EVIDENCE");
    assert_eq!(
        (&answer["due_on"], &answer["provisional"]),
        (&json!("2027-01-04"), &json!(false))
    );
    let note = answer["change_note"].as_str().unwrap();
    assert!(
        note.contains("日历变更")
            && note.contains("国办发明电〔2026〕测试号")
            && note.contains("由 2027-01-01 改为 2027-01-04"),
        "{note}"
    );
    assert!(answer["trace"].as_str().unwrap().contains("元旦"));
    // Met and waived deadlines were left alone; the old case's open target did not move.
    let old = deadlines_of(&app, pid).await;
    assert_eq!(by_rule(&old, "ANSWER_AND_EVIDENCE")["state"], "met_on_time");
    let untouched = by_rule(&old, "XS_FILE_WITH_BUREAU")["change_note"]
        .as_str()
        .unwrap();
    assert!(
        untouched.starts_with("事件“收到起诉状副本”日期由 2024-09-20 改为 2024-10-10"),
        "{untouched}"
    );
    let (s, history) = app
        .get(&format!("/api/v1/audit/proceeding/{pid3}"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "recompute" && e["entity"] == "deadline"),
        "{history}"
    );
    let (s, y) = app.get("/api/v1/calendar/2027", &app.clerk_a).await;
    assert_eq!((s, &y["provisional"]), (StatusCode::OK, &json!(false)));
    assert_eq!(y["days"][0]["name"], "元旦");
    let (s, y) = app.get("/api/v1/calendar/2024", &app.clerk_a).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        y["days"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2024-09-29" && d["kind"] == "workday_on_weekend")
    );
    let (s, _) = app.get("/api/v1/calendar/abc", &app.clerk_a).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // --- approved suspension shifts a deadline and its internal target ------------------
    let list = deadlines_of(&app, pid2).await;
    let answer = by_rule(&list, "ANSWER_AND_EVIDENCE").clone();
    let target_before = by_rule(&list, "XS_FILE_WITH_BUREAU")["due_on"].clone();
    let day = |n: i64| {
        today
            .checked_add(jiff::Span::new().days(n))
            .unwrap()
            .to_string()
    };
    let adjust = format!("/api/v1/deadlines/{}/adjust", answer["id"]);
    let (s, v) = app
        .post(
            &adjust,
            &app.clerk_a,
            json!({"version": answer["version"], "suspensions": [{"from": day(5), "to": day(1)}, {"from": "昨天"}], "reason": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        vec![
            ("suspensions[1].from".into(), "invalid_date".into()),
            ("suspensions[1].to".into(), "required".into()),
            ("reason".into(), "required".into())
        ]
    );
    let (s, v) = app
        .post(
            &adjust,
            &app.clerk_a,
            json!({"version": answer["version"], "suspensions": [{"from": day(5), "to": day(1)}], "reason": "因鉴定中止"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        vec![("suspensions[0]".into(), "bad_interval".into())]
    );
    let (s, v) = app
        .post(
            &adjust,
            &app.clerk_a,
            json!({"version": answer["version"], "suspensions": [{"from": day(1), "to": day(5)}], "reason": "因不可抗力中止"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["due_on"].as_str().unwrap() > answer["due_on"].as_str().unwrap());
    assert!(
        v["trace"].as_str().unwrap().contains("中止期间 5 日"),
        "{v}"
    );
    assert_eq!(v["suspensions"][0]["from"], json!(day(1)));
    assert!(
        v["change_note"]
            .as_str()
            .unwrap()
            .starts_with("期限调整（因不可抗力中止）")
    );
    let list = deadlines_of(&app, pid2).await;
    let target = by_rule(&list, "XS_FILE_WITH_BUREAU");
    assert_ne!(
        target["due_on"], target_before,
        "the internal target follows"
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/deadlines/{}/adjust", target["id"]),
            &app.clerk_a,
            json!({"version": target["version"], "extension": "calendar_days:5", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        vec![("extension".into(), "internal_target".into())]
    );
    let answer_now = by_rule(&list, "ANSWER_AND_EVIDENCE");
    let (s, v) = app
        .post(
            &adjust,
            &app.clerk_a,
            json!({"version": answer_now["version"], "reason": "中止登记有误，撤销"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["due_on"], answer["due_on"]);
    assert_eq!(v["suspensions"], json!([]));

    // --- calendar feeds -------------------------------------------------------------------
    let (s, h) = app
        .post(
            &format!("/api/v1/proceedings/{pid2}/hearings"),
            &app.coord,
            json!({"scheduled_at": format!("{} 09:30", today), "place": "第三法庭"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let (s, feed) = app.post("/api/v1/feeds", &app.clerk_a, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{feed}");
    assert_eq!(feed["kind"], "user");
    let url = feed["url"].as_str().unwrap().to_string();
    let (s, ics) = app.call("GET", &url, None, None).await;
    assert_eq!(s, StatusCode::OK);
    let ics = ics.as_str().unwrap().to_string();
    let lines = huajie_domain::ical::unfold(&ics);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert!(
        lines.iter().any(
            |l| l.starts_with("SUMMARY:【期限】提交答辩状及证据、依据 （2024）浙0699行初102号")
        ),
        "{ics}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "SUMMARY:【开庭】（2024）浙0699行初102号")
    );
    assert!(lines.iter().any(|l| l == "LOCATION:第三法庭"));
    let (s, unit_feed) = app
        .post("/api/v1/feeds", &app.coord, json!({"unit_id": app.unit_a}))
        .await;
    assert_eq!(
        (s, &unit_feed["kind"]),
        (StatusCode::CREATED, &json!("unit"))
    );
    let (s, ics) = app
        .call("GET", unit_feed["url"].as_str().unwrap(), None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let lines = huajie_domain::ical::unfold(ics.as_str().unwrap());
    assert!(
        lines
            .iter()
            .any(|l| l == "X-WR-CALNAME:化解 · 甲镇人民政府的期限与开庭")
    );
    let (s, _) = app
        .post(
            "/api/v1/feeds",
            &app.clerk_a,
            json!({"unit_id": app.unit_b}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post("/api/v1/feeds", &app.coord, json!({"unit_id": 987654}))
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("unit_id".into(), "unknown_unit".into())]
        )
    );
    let (s, feeds) = app.get("/api/v1/feeds", &app.clerk_a).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        feeds.as_array().unwrap().len(),
        2,
        "own feed and the unit's"
    );
    assert!(feeds[0]["url"].is_null(), "the secret is shown only once");
    let (s, _) = app
        .call(
            "DELETE",
            &format!("/api/v1/feeds/{}", feed["id"]),
            Some(app.clerk_a.as_str()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.call("GET", &url, None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.call("GET", "/feeds/hj_nothing.ics", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // --- deleting an event removes its deadlines ------------------------------------------
    let (s, v) = app
        .call(
            "DELETE",
            &format!("/api/v1/events/{event_id}"),
            Some(app.clerk_a.as_str()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, _) = app
        .call(
            "DELETE",
            &format!(
                "/api/v1/events/{event_id}?version=2&reason={}",
                urlencode("误登记")
            ),
            Some(app.clerk_a.as_str()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Only the 法院立案 event of the registration (and its court limits) is left.
    let left = deadlines_of(&app, pid).await;
    assert!(
        left.as_array()
            .unwrap()
            .iter()
            .all(|d| d["event_kind"] == "case_filed"),
        "{left}"
    );
    let (s, v) = app.get(&events, &app.clerk_a).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["kind"], "case_filed");
    app.store.close().await;
}
