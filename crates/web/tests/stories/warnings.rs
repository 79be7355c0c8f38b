//! 红黄蓝 risk warnings through the API (issue 17): the court liaison sends a 预警函 on a
//! litigation case (a reconsideration file is not there for it: 404, logged); the bureau
//! assigns it to the responsible unit with its 正职 as 包案 leader (a deputy is refused for a
//! red warning); the unit owes the feedback and the risk analysis report within 10 days,
//! listed with the case's deadlines; the report is returned once, then accepted; the warning
//! is regraded and escalated with reasons (leaders told) and closed with the result, which
//! closes its work item. Who may do what, and the list's filters.

use axum::http::StatusCode;
use serde_json::json;

use super::common::*;

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

async fn add_user(app: &App, username: &str, role: huajie_domain::user::Role, unit: i64) -> String {
    app.store
        .create_user(
            &huajie_store::audit::Author::system("test"),
            &huajie_domain::user::UserInput {
                username: username.into(),
                display_name: username.into(),
                role,
                unit_id: unit,
                active: true,
                contacts: Default::default(),
            },
            &huajie_web::auth::hash_password("secret123"),
            None,
        )
        .await
        .unwrap();
    token_for(&app.store, username).await
}

pub async fn story(app: App) {
    use huajie_domain::user::Role;
    let t = today();
    // The county's court and its liaison.
    let (s, court) = app
        .post(
            "/api/v1/units",
            &app.coord,
            json!({"name": "测试县人民法院", "kind": "court", "parent_id": app.county}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{court}");
    let court_liaison = add_user(
        &app,
        "court.liaison",
        Role::CourtLiaison,
        court["id"].as_i64().unwrap(),
    )
    .await;
    let head_a = add_user(&app, "head.a", Role::UnitHead, app.unit_a).await;
    // The unit's heads (单位管理).
    let mut heads = Vec::new();
    for (name, post, kind) in [
        ("张镇长", "镇长", "principal"),
        ("李副镇长", "副镇长", "deputy"),
    ] {
        let (s, h) = app
            .post(
                &format!("/api/v1/units/{}/heads", app.unit_a),
                &app.coord,
                json!({"name": name, "post": post, "kind": kind, "phone": "13800001111"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{h}");
        heads.push(h["id"].as_i64().unwrap());
    }
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance", "case_no": "(2026)浙0699行初901号", "domain": "expropriation",
                "registered_on": t.to_string(), "received_on": t.to_string(), "claimant_count": 12,
                "parties": [{"role": "claimant", "name": "王某等12人"}, {"role": "defendant", "unit_id": app.unit_a}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let (s, r) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "reconsideration", "reference_no": "测复〔2026〕9号", "domain": "expropriation",
                "registered_on": t.to_string(), "received_on": t.to_string(),
                "parties": [{"role": "claimant", "name": "赵某"}, {"role": "defendant", "unit_id": app.unit_b}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let recon = r["id"].as_i64().unwrap();

    // --- the court sends a 预警函 ---------------------------------------------------------------
    let send = format!("/api/v1/proceedings/{pid}/warnings");
    let (s, v) = app
        .post(&send, &court_liaison, json!({"grade": "purple"}))
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![
                ("grade".to_string(), "unknown_value".to_string()),
                ("reasons".to_string(), "required".to_string())
            ]
        ),
        "{v}"
    );
    // A reconsideration file is not the court's: not found, and the refusal is logged.
    let (s, _) = app
        .post(
            &format!("/api/v1/proceedings/{recon}/warnings"),
            &court_liaison,
            json!({"grade": "red", "reasons": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get("/api/v1/warnings?grade=red", &app.leader).await;
    assert_eq!(s, StatusCode::OK);
    let (s, w) = app
        .post(
            &send,
            &court_liaison,
            json!({"grade": "red", "reasons": "征收补偿标准与上年度不一致，原告人数多，败诉风险高"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let wid = w["warning"]["id"].as_i64().unwrap();
    assert_eq!(
        (
            w["warning"]["state"].as_str(),
            w["warning"]["source"].as_str(),
            w["warning"]["source_unit_name"].as_str(),
            w["warning"]["grade_label"].as_str()
        ),
        (
            Some("reported"),
            Some("court"),
            Some("测试县人民法院"),
            Some("红色预警")
        )
    );
    assert_eq!(w["history"][0]["step"], "reported");
    // The bureau is told.
    let (_, inbox) = app.get("/api/v1/messages", &app.coord).await;
    assert!(
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["title"] == "红色预警：（2026）浙0699行初901号"),
        "{inbox}"
    );
    // The leader reads and cannot send; the unit sees the warning on its own case.
    let (s, _) = app
        .post(&send, &app.leader, json!({"grade": "blue", "reasons": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, mine) = app.get("/api/v1/warnings", &app.clerk_a).await;
    assert_eq!((s, mine.as_array().unwrap().len()), (StatusCode::OK, 1));
    let clerk_b = add_clerk(&app, "clerk.b", app.unit_b).await;
    let (s, _) = app.get(&format!("/api/v1/warnings/{wid}"), &clerk_b).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another unit's case");
    // The unit reports a risk on its own case itself; not on another's.
    let (s, own) = app
        .post(
            &send,
            &head_a,
            json!({"grade": "blue", "reasons": "群众反映强烈"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    assert_eq!(own["warning"]["source"], "unit");
    let (s, _) = app
        .post(
            &format!("/api/v1/proceedings/{recon}/warnings"),
            &app.clerk_a,
            json!({"grade": "blue", "reasons": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not a party to it");

    // --- 交办: the unit, with its 正职 as 包案 leader -------------------------------------------
    let assign = format!("/api/v1/warnings/{wid}/assign");
    let (s, v) = app
        .post(
            &assign,
            &app.clerk_a,
            json!({"version": 1, "unit_ids": [app.unit_a], "lead_head_id": heads[0]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = app
        .post(
            &assign,
            &app.coord,
            json!({"version": 1, "unit_ids": [app.unit_a], "lead_head_id": heads[1]}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("lead_head_id".to_string(), "not_principal".to_string())]
        ),
        "a red warning needs the 正职: {v}"
    );
    let (s, v) = app
        .post(
            &assign,
            &app.coord,
            json!({"version": 1, "unit_ids": [app.unit_b], "lead_head_id": heads[0]}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("lead_head_id".to_string(), "unknown_head".to_string())]
        )
    );
    let (s, v) = app
        .post(&assign, &app.coord, json!({"version": 1, "unit_ids": [app.unit_a], "lead_head_id": heads[0], "note": "请主要负责人亲自研究"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["warning"]["state"], "assigned");
    assert_eq!(v["warning"]["lead_label"], "张镇长（镇长，正职）");
    assert_eq!(v["warning"]["units"][0]["unit_id"], app.unit_a);
    let names: Vec<&str> = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["报送风险预警处置反馈", "报送败诉风险分析报告"],
        "{v}"
    );
    let due = t
        .checked_add(jiff::Span::new().days(10))
        .unwrap()
        .to_string();
    assert!(
        v["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["due_on"] == due.as_str())
    );
    let (s, v) = app
        .post(
            &assign,
            &app.coord,
            json!({"version": 2, "unit_ids": [app.unit_a], "lead_head_id": heads[0]}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("state".to_string(), "already_assigned".to_string())]
        )
    );
    // The report is listed with the case's deadlines, owed by the unit.
    let (_, ds) = app
        .get(
            &format!("/api/v1/proceedings/{pid}/deadlines"),
            &app.clerk_a,
        )
        .await;
    let report = ds
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule_id"] == "WARNING_RISK_REPORT")
        .unwrap_or_else(|| panic!("{ds}"))
        .clone();
    assert_eq!(report["unit_id"], app.unit_a);
    let rid = report["id"].as_i64().unwrap();

    // --- the report: returned once, then accepted -------------------------------------------
    let fields = json!({
        "案件基本情况": "原告12人诉镇政府征收补偿",
        "败诉风险点分析": "补偿标准适用错误",
        "下一步工作措施": "重新评估",
        "争议化解方案": "协商补偿"
    });
    let (s, sub) = app
        .post(
            &format!("/api/v1/deadlines/{rid}/submissions"),
            &app.clerk_a,
            json!({"version": report["version"], "fields": fields}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    let (s, _) = app
        .post(
            &format!("/api/v1/submissions/{}/return", sub["id"]),
            &app.coord,
            json!({"version": sub["version"], "reason": "争议化解方案不具体"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, o) = app
        .get(&format!("/api/v1/deadlines/{rid}"), &app.clerk_a)
        .await;
    let mut fields2 = fields.clone();
    fields2["争议化解方案"] = json!("由包案领导约谈原告代表，提出补偿差额方案");
    let (s, sub2) = app
        .post(
            &format!("/api/v1/deadlines/{rid}/submissions"),
            &app.clerk_a,
            json!({"version": o["deadline"]["version"], "fields": fields2}),
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
    let (_, one) = app
        .get(&format!("/api/v1/warnings/{wid}"), &app.coord)
        .await;
    assert_eq!(
        one["warning"]["open_obligations"], 1,
        "the feedback is still owed"
    );

    // --- regrade, escalate (leaders told), filters --------------------------------------------
    // A red warning calls for the 正职 at the case's hearings; once yellow, it does not.
    let hday = t.checked_add(jiff::Span::new().days(20)).unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/hearings"),
            &app.coord,
            json!({"scheduled_at": format!("{hday}T09:30")}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let reasons = |d: serde_json::Value| d[0]["requirement"]["reasons"].clone();
    let (_, d) = app
        .get(
            &format!("/api/v1/proceedings/{pid}/appearance-duties"),
            &app.coord,
        )
        .await;
    assert_eq!(reasons(d), json!(["案件有红色风险预警"]));
    let (s, v) = app
        .post(
            &format!("/api/v1/warnings/{wid}/regrade"),
            &app.coord,
            json!({"version": one["warning"]["version"], "grade": "red", "reason": "x"}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("grade".to_string(), "unchanged".to_string())]
        )
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/warnings/{wid}/regrade"),
            &app.coord,
            json!({"version": one["warning"]["version"], "grade": "yellow", "reason": "原告部分达成和解"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["warning"]["grade"], "yellow");
    let (_, d) = app
        .get(
            &format!("/api/v1/proceedings/{pid}/appearance-duties"),
            &app.coord,
        )
        .await;
    assert_eq!(reasons(d), json!([]));
    let (s, _) = app
        .post(
            &format!("/api/v1/warnings/{wid}/escalate"),
            &app.coord,
            json!({"version": one["warning"]["version"], "reason": "x"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "the version read before the regrade"
    );
    let (s, v) = app
        .post(
            &format!("/api/v1/warnings/{wid}/escalate"),
            &app.coord,
            json!({"version": v["warning"]["version"], "reason": "涉及多个部门，需县协调小组统筹"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["warning"]["state"], "escalated");
    let (_, inbox) = app.get("/api/v1/messages", &app.leader).await;
    assert!(
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["title"].as_str().unwrap().starts_with("提请协调小组")),
        "{inbox}"
    );
    let steps: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["reported", "assigned", "regraded", "escalated"]);
    assert_eq!(
        v["history"][2]["note"],
        "红色预警 → 黄色预警：原告部分达成和解"
    );
    for (q, n) in [
        ("grade=yellow", 1),
        ("grade=blue", 1),
        ("state=escalated", 1),
        ("state=reported", 1),
        (&format!("unit_id={}", app.unit_a) as &str, 1),
        (&format!("unit_id={}", app.unit_b), 0),
    ] {
        let (s, l) = app.get(&format!("/api/v1/warnings?{q}"), &app.coord).await;
        assert_eq!(
            (s, l.as_array().unwrap().len()),
            (StatusCode::OK, n),
            "{q}: {l}"
        );
    }
    let (s, v) = app.get("/api/v1/warnings?grade=green", &app.coord).await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("grade".to_string(), "unknown_value".to_string())]
        )
    );
    let (_, court_list) = app.get("/api/v1/warnings", &court_liaison).await;
    assert_eq!(
        court_list.as_array().unwrap().len(),
        1,
        "the court sees what it sent, not the unit's own report"
    );

    // --- 销号 with the result: the work item closes, the feedback is no longer owed ----------------
    let close = format!("/api/v1/warnings/{wid}/close");
    let (s, v) = app
        .post(
            &close,
            &app.coord,
            json!({"version": v["warning"]["version"], "result": "other"}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("note".to_string(), "required".to_string())]
        )
    );
    let (_, cur) = app
        .get(&format!("/api/v1/warnings/{wid}"), &app.coord)
        .await;
    let (s, v) = app
        .post(&close, &app.coord, json!({"version": cur["warning"]["version"], "result": "mediated", "note": "诉前调解达成补偿协议，原告撤诉"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["warning"]["state"].as_str(),
            v["warning"]["result_label"].as_str(),
            v["warning"]["open_obligations"].as_i64()
        ),
        (Some("closed"), Some("调解化解"), Some(1))
    );
    let item = v["warning"]["work_item_id"].as_i64().unwrap();
    let (_, wi) = app
        .get(&format!("/api/v1/work-items/{item}"), &app.coord)
        .await;
    assert_eq!(wi["item"]["status"], "closed");
    assert_eq!(
        wi["item"]["closed_reason"],
        "调解化解：诉前调解达成补偿协议，原告撤诉"
    );
    let (s, v) = app
        .post(
            &close,
            &app.coord,
            json!({"version": v["warning"]["version"], "result": "judged"}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("state".to_string(), "already_closed".to_string())]
        )
    );
    // The figures: warned cases, by (current) grade, resolved before judgment.
    let (s, x) = app.get("/api/v1/warnings/stats", &app.leader).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    assert_eq!(x["warned_cases"], 1, "two warnings on one case: {x}");
    let counts: Vec<i64> = x["by_grade"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [0, 1, 1], "{x}");
    assert_eq!(
        (x["closed"].as_i64(), x["resolved_before_judgment"].as_i64()),
        (Some(1), Some(1))
    );
    let (s, _) = app.get("/api/v1/warnings/stats", &app.clerk_a).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .get(
            "/api/v1/warnings/stats?period=quarter&year=2026&n=7",
            &app.leader,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Every step is in the audit log; the court's probe of the reconsideration file too.
    let (s, audit) = app
        .get(&format!("/api/v1/audit/warning/{wid}"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "update").count(),
        3,
        "assigned, regraded, escalated: {actions:?}"
    );
    assert!(
        actions.contains(&"create") && actions.contains(&"close"),
        "{actions:?}"
    );
    let coord = app
        .store
        .actor_by_token(&huajie_web::auth::token_hash(&app.coord))
        .await
        .unwrap()
        .unwrap();
    let denied = app
        .store
        .search_audit(
            &coord,
            &huajie_store::audit::AuditQuery {
                action: Some("denied".into()),
                actor_name: Some("court.liaison".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        denied.iter().any(|r| r.after.as_ref().unwrap()["path"]
            == format!("/api/v1/proceedings/{recon}/warnings").as_str()),
        "{denied:?}"
    );

    risk_score(&app, pid, recon).await;
    court_scope(&app, &court_liaison, pid, recon, rid).await;
    pages(&app, pid, &heads).await;
}

/// The court liaison's scope is the litigation of the jurisdiction, without the units'
/// internal reports; it sends 开庭传票, which start the units' appearance work.
async fn court_scope(app: &App, court: &str, pid: i64, recon: i64, report: i64) {
    let (_, me) = app.get("/api/v1/me", court).await;
    assert_eq!(me["scope"], "litigation");
    let (s, _) = app.get(&format!("/api/v1/proceedings/{pid}"), court).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .get(&format!("/api/v1/proceedings/{recon}"), court)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a reconsideration file");
    let (s, _) = app
        .get(&format!("/api/v1/proceedings/{recon}"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, ds) = app
        .get(&format!("/api/v1/proceedings/{pid}/deadlines"), court)
        .await;
    assert!(
        ds.as_array()
            .unwrap()
            .iter()
            .all(|d| d["nature"] != "duty" && d["work_item_id"].is_null()),
        "no unit obligations: {ds}"
    );
    let (s, _) = app.get(&format!("/api/v1/deadlines/{report}"), court).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a unit's report is internal");
    let (s, page) = app.get("/api/v1/deadlines?state=all", court).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let items = page["items"].as_array().expect("a page of deadlines");
    assert!(!items.is_empty(), "the litigation's own deadlines");
    assert!(
        items
            .iter()
            .all(|d| d["nature"] != "duty" && d["proceeding_id"] == pid),
        "neither unit obligations nor the reconsideration's: {page}"
    );
    let (s, items) = app.get("/api/v1/work-items", court).await;
    assert_eq!((s, items.as_array().unwrap().len()), (StatusCode::OK, 0));
    // 开庭传票: the hearing, 收到开庭传票, and the unit told.
    let day = today().checked_add(jiff::Span::new().days(30)).unwrap();
    let notice = format!("/api/v1/proceedings/{pid}/hearing-notices");
    let (s, _) = app
        .post(
            &notice,
            &app.clerk_a,
            json!({"scheduled_at": format!("{day} 09:30")}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &format!("/api/v1/proceedings/{recon}/hearing-notices"),
            court,
            json!({"scheduled_at": format!("{day} 09:30")}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app
        .post(&notice, court, json!({"scheduled_at": "明天上午"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = app
        .post(
            &notice,
            court,
            json!({"scheduled_at": format!("{day} 09:30"), "place": "第二法庭"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["event"]["kind"], "summons_received");
    assert_eq!(v["hearing"]["place"], "第二法庭");
    let (_, inbox) = app.get("/api/v1/messages", &app.clerk_a).await;
    assert!(
        inbox.as_array().unwrap().iter().any(|m| m["title"]
            .as_str()
            .unwrap()
            .starts_with("开庭传票：")
            && m["body"].as_str().unwrap().contains("第二法庭")),
        "{inbox}"
    );
}

/// The pages: the court sends from the case page, the bureau assigns, regrades and closes on
/// the warning's page; the list with its tiles and filters; a refused form keeps what was typed.
async fn pages(app: &App, pid: i64, heads: &[i64]) {
    use super::ui::{form, login, page, session_cookie};
    let court = session_cookie(&login(app, "court.liaison", "secret123", "/").await);
    let coord = session_cookie(&login(app, "coord", "secret123", "/").await);
    let leader = session_cookie(&login(app, "leader", "secret123", "/").await);
    let case = page(app, &format!("/proceedings/{pid}"), &court).await;
    assert!(case.body.contains("id=\"warning-form\""), "{}", case.body);
    let csrf = case.hidden("csrf");
    assert!(case.body.contains("id=\"hearing-notice-form\""));
    let day = today().checked_add(jiff::Span::new().days(40)).unwrap();
    let r = form(
        app,
        &format!("/proceedings/{pid}/hearing-notices"),
        &court,
        &[
            ("csrf", &csrf),
            ("scheduled_at", &format!("{day}T14:30")),
            ("place", "第一法庭"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (
            StatusCode::SEE_OTHER,
            format!("/proceedings/{pid}?msg=notice_sent#hearings").as_str()
        ),
        "{}",
        r.body
    );
    let case = page(app, &format!("/proceedings/{pid}"), &court).await;
    assert!(
        case.body.contains("第一法庭") && !case.body.contains("id=\"hearing-form\""),
        "{}",
        case.body
    );
    let r = form(
        app,
        &format!("/proceedings/{pid}/warnings"),
        &court,
        &[
            ("csrf", &csrf),
            ("grade", ""),
            ("reasons", "行政程序违法风险"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("预警等级") && r.body.contains(">行政程序违法风险</textarea>"),
        "{}",
        r.body
    );
    let r = form(
        app,
        &format!("/proceedings/{pid}/warnings"),
        &court,
        &[
            ("csrf", &csrf),
            ("grade", "yellow"),
            ("reasons", "行政程序违法风险"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (
            StatusCode::SEE_OTHER,
            format!("/proceedings/{pid}?msg=warning_sent#warnings").as_str()
        )
    );
    // The bureau's list: tiles of open warnings by grade; the new one waits for assignment.
    let list = page(app, "/warnings?state=reported", &coord).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("未销号黄色预警") && list.body.contains("待交办"),
        "{}",
        list.body
    );
    let id = list
        .body
        .split("href=\"/warnings/")
        .skip(1)
        .find_map(|x| x.split('"').next().and_then(|x| x.parse::<i64>().ok()))
        .expect("a warning link");
    let one = page(app, &format!("/warnings/{id}"), &coord).await;
    assert!(
        one.body.contains("id=\"assign\"") && one.body.contains("张镇长"),
        "{}",
        one.body
    );
    let version = one.hidden("version");
    let csrf = one.hidden("csrf");
    let unit = app.unit_a.to_string();
    let r = form(
        app,
        &format!("/warnings/{id}/assign"),
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("unit_ids", &unit),
            ("note", "请于10日内反馈"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("包案领导") && r.body.contains(">请于10日内反馈</textarea>"),
        "{}",
        r.body
    );
    let head = heads[1].to_string();
    let r = form(
        app,
        &format!("/warnings/{id}/assign"),
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("unit_ids", &unit),
            ("lead_head_id", &head),
        ],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (
            StatusCode::SEE_OTHER,
            format!("/warnings/{id}?msg=assigned").as_str()
        ),
        "a yellow warning may have a deputy as 包案 leader: {}",
        r.body
    );
    let one = page(app, &format!("/warnings/{id}"), &coord).await;
    assert!(
        one.body.contains("李副镇长（副镇长，副职）")
            && one.body.contains("报送败诉风险分析报告")
            && !one.body.contains("id=\"assign\""),
        "{}",
        one.body
    );
    let version = one.hidden("version");
    let r = form(
        app,
        &format!("/warnings/{id}/step"),
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("step", "regrade"),
            ("grade", "blue"),
            ("reason", "已启动协商"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let one = page(app, &format!("/warnings/{id}"), &coord).await;
    assert!(
        one.body.contains("黄色预警 → 蓝色预警：已启动协商"),
        "{}",
        one.body
    );
    let version = one.hidden("version");
    let r = form(
        app,
        &format!("/warnings/{id}/close"),
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("result", "withdrawn"),
            ("note", ""),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let one = page(app, &format!("/warnings/{id}"), &coord).await;
    assert!(
        one.body.contains("原告撤诉") && !one.body.contains("id=\"close\""),
        "{}",
        one.body
    );
    let list = page(app, "/warnings", &leader).await;
    assert!(
        list.body.contains("id=\"warning-stats\"") && list.body.contains("判决前化解率"),
        "{}",
        list.body
    );
    // Leaders read, without the bureau's forms, and write a 批示; the case page lists the
    // case's warnings.
    let one = page(app, &format!("/warnings/{id}"), &leader).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(
        !one.body
            .contains(&format!("action=\"/warnings/{id}/step\""))
            && !one
                .body
                .contains(&format!("action=\"/warnings/{id}/close\""))
            && one
                .body
                .contains(&format!("action=\"/warnings/{id}/instructions\"")),
        "{}",
        one.body
    );
    let r = form(
        app,
        &format!("/warnings/{id}/instructions"),
        &leader,
        &[("csrf", &one.hidden("csrf")), ("text", "")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = form(
        app,
        &format!("/warnings/{id}/instructions"),
        &leader,
        &[
            ("csrf", &one.hidden("csrf")),
            ("text", "举一反三，完善征收程序"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let one = page(app, &format!("/warnings/{id}"), &coord).await;
    assert!(one.body.contains("举一反三，完善征收程序"));
    let case = page(app, &format!("/proceedings/{pid}"), &leader).await;
    assert!(
        case.body.contains("id=\"warnings\"")
            && case.body.contains("grade-blue")
            && !case.body.contains("id=\"warning-form\""),
        "{}",
        case.body
    );
}

/// The explainable risk score: factors with points, a suggested grade, never a warning by
/// itself; the weights are the bureau's.
async fn risk_score(app: &App, pid: i64, recon: i64) {
    let find = |list: &serde_json::Value, id: i64| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["proceeding_id"] == id)
            .cloned()
    };
    let (s, list) = app.get("/api/v1/risk-suggestions", &app.leader).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let case = find(&list, pid).expect("the expropriation case");
    assert_eq!(case["risk"]["score"], 35, "{case}");
    assert_eq!(case["risk"]["suggested"], "yellow");
    let factors: Vec<&str> = case["risk"]["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert_eq!(factors, ["领域为征收拆迁", "原告12人（10人以上）"]);
    assert_eq!(
        case["open_warning"], "blue",
        "the unit's own report is still open"
    );
    let r = find(&list, recon).expect("the reconsideration");
    assert_eq!(
        (r["risk"]["score"].as_i64(), r["risk"]["suggested"].as_str()),
        (Some(25), Some("blue"))
    );
    assert!(r["open_warning"].is_null());
    let (s, _) = app.get("/api/v1/risk-suggestions", &app.clerk_a).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The weights are the bureau's: checked, versioned.
    let (_, rules) = app.get("/api/v1/risk-rules", &app.coord).await;
    assert_eq!(rules["version"], 0);
    let mut bad = rules["rules"].clone();
    bad["red_from"] = json!(10);
    let (s, v) = app
        .put(
            "/api/v1/risk-rules",
            &app.coord,
            json!({"version": 0, "rules": bad}),
        )
        .await;
    assert_eq!(
        (s, codes(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("rules".to_string(), "thresholds".to_string())]
        ),
        "{v}"
    );
    let mut more = rules["rules"].clone();
    more["domains"]["expropriation"] = json!(40);
    let (s, _) = app
        .put(
            "/api/v1/risk-rules",
            &app.clerk_a,
            json!({"version": 0, "rules": more}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .put(
            "/api/v1/risk-rules",
            &app.coord,
            json!({"version": 0, "rules": more}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, list) = app.get("/api/v1/risk-suggestions", &app.leader).await;
    let r = find(&list, recon).unwrap();
    assert_eq!(
        (r["risk"]["score"].as_i64(), r["risk"]["suggested"].as_str()),
        (Some(40), Some("yellow"))
    );
    // The page: the coordinator confirms a suggestion by sending it; nothing was sent by itself.
    let (_, ws) = app
        .get(
            &format!("/api/v1/warnings?proceeding_id={recon}"),
            &app.coord,
        )
        .await;
    assert_eq!(ws.as_array().unwrap().len(), 0);
    let coord = super::ui::session_cookie(&super::ui::login(app, "coord", "secret123", "/").await);
    let pg = super::ui::page(app, "/warnings/risk", &coord).await;
    assert_eq!(pg.status, StatusCode::OK);
    assert!(
        pg.body
            .contains(&format!("action=\"/proceedings/{recon}/warnings\""))
            && pg.body.contains("评分40分：领域为征收拆迁")
            && pg.body.contains("id=\"risk-rules\""),
        "{}",
        pg.body
    );
    // The weights on the page (the coordinator): a bad line is named and what was typed stays.
    let csrf = pg.hidden("csrf");
    let version = pg.hidden("version");
    let fields = |domains: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("domains", domains.to_string()),
            ("act_types", "forced_demolition:25".to_string()),
            ("claimants", "10:10\n50:25".to_string()),
            ("co_defendants", "10".to_string()),
            ("per_earlier_loss", "10".to_string()),
            ("earlier_loss_cap", "30".to_string()),
            ("earlier_loss_years", "3".to_string()),
            ("per_missed_obligation", "10".to_string()),
            ("missed_cap", "20".to_string()),
            ("reconsideration_corrected", "20".to_string()),
            ("red_from", "60".to_string()),
            ("yellow_from", "35".to_string()),
            ("blue_from", "15".to_string()),
        ]
    };
    let bad = fields("expropriation:四十");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = super::ui::form(app, "/warnings/risk/rules", &coord, &bad, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("领域分值第1行“expropriation:四十”应为“代码:分值”")
            && r.body.contains(">expropriation:四十</textarea>"),
        "{}",
        r.body
    );
    let good = fields("expropriation：50");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = super::ui::form(app, "/warnings/risk/rules", &coord, &good, None).await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/warnings/risk?msg=rules"),
        "{}",
        r.body
    );
    let (_, list) = app.get("/api/v1/risk-suggestions", &app.leader).await;
    let r = find(&list, recon).unwrap();
    assert_eq!(r["risk"]["score"], 50, "{r}");
    let leader =
        super::ui::session_cookie(&super::ui::login(app, "leader", "secret123", "/").await);
    let pg = super::ui::page(app, "/warnings/risk", &leader).await;
    assert!(
        !pg.body.contains("risk-rules-form"),
        "leaders read the rules only"
    );
}
