//! The court-appearance duty (issue 16, point 5) through the real router: a 56-claimant case
//! under 象山's rules; who must appear (the 正职, with the reason); the unit files its plan
//! (never agents alone; not another unit's), which submits its 出庭人员名单 obligation; the
//! appearance recorded against the plan is flagged (lawyer only; a deputy where the 正职 was
//! required) on the case and the bureau's list; the bureau's case circumstances; the rules as data.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::*;

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

async fn duties(app: &App, token: &str, pid: i64) -> Vec<Value> {
    let (s, v) = app
        .get(
            &format!("/api/v1/proceedings/{pid}/appearance-duties"),
            token,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

pub async fn story(app: App) {
    let clerk_b = add_clerk(&app, "clerk.b", app.unit_b).await;
    let (s, v) = app
        .put(
            "/api/v1/rules",
            &app.coord,
            json!({"version": 0, "shipped": ["local-xiangshan"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The unit's heads.
    let mut heads = Vec::new();
    for (name, post, kind) in [
        ("张镇长", "镇长", "principal"),
        ("李副镇长", "副镇长", "deputy"),
    ] {
        let (s, h) = app
            .post(
                &format!("/api/v1/units/{}/heads", app.unit_a),
                &app.coord,
                json!({"name": name, "post": post, "kind": kind, "phone": "0571-88880000"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{h}");
        heads.push(h["id"].as_i64().unwrap());
    }
    let t = today();
    let (s, p) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            json!({
                "kind": "first_instance", "case_no": "(2026)浙0699行初801号", "domain": "expropriation",
                "registered_on": t.to_string(), "received_on": t.to_string(), "claimant_count": 56,
                "parties": [{"role": "claimant", "name": "群体原告"}, {"role": "defendant", "unit_id": app.unit_a}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    // The summons, and the hearing it names.
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/events"),
            &app.coord,
            json!({"kind": "summons_received", "occurred_on": t.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let hday = t.checked_add(jiff::Span::new().days(14)).unwrap();
    let (s, h) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/hearings"),
            &app.coord,
            json!({"scheduled_at": format!("{hday}T09:30"), "place": "第一法庭"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let hid = h["id"].as_i64().unwrap();

    // Who must appear: the 正职, because of the 56 claimants.
    let d = duties(&app, &app.coord, pid).await;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["requirement"]["expected"], "principal");
    assert_eq!(
        d[0]["requirement"]["reasons"],
        json!(["原告56人（50人以上）"])
    );
    assert_eq!(
        (d[0]["plan"].clone(), d[0]["problems"].clone()),
        (Value::Null, json!([]))
    );
    // The unit's clerk sees the same; another unit's clerk sees nothing of the case.
    assert_eq!(duties(&app, &app.clerk_a, pid).await.len(), 1);
    let (s, _) = app
        .get(
            &format!("/api/v1/proceedings/{pid}/appearance-duties"),
            &clerk_b,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The plan: never agents alone; a head of the unit; not filed by another unit.
    let plan_path = format!("/api/v1/hearings/{hid}/plan");
    let (s, v) = app
        .put(
            &plan_path,
            &app.clerk_a,
            json!({"unit_id": app.unit_a, "agents": "王律师 浙江某律师事务所"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("不能只委托律师出庭"),
        "{v}"
    );
    let (s, _) = app
        .put(
            &plan_path,
            &clerk_b,
            json!({"unit_id": app.unit_a, "head_id": heads[0]}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another unit cannot see the hearing"
    );
    let (s, v) = app
        .put(
            &plan_path,
            &app.clerk_a,
            json!({"unit_id": app.unit_a, "head_id": 999999}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_head")),
        "{v}"
    );
    let (s, filed) = app
        .put(&plan_path, &app.clerk_a, json!({"unit_id": app.unit_a, "head_id": heads[1], "agents": "王律师 浙江某律师事务所\n赵科员"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{filed}");
    assert_eq!(filed["plan"]["head_name"], "李副镇长");
    // It submitted the unit's 出庭人员名单 obligations (象山: 3 working days after the summons).
    let submitted = filed["submitted"].as_array().unwrap();
    assert!(!submitted.is_empty(), "{filed}");
    let (_, o) = app
        .get(&format!("/api/v1/deadlines/{}", submitted[0]), &app.coord)
        .await;
    assert_eq!(o["deadline"]["submission_state"], "submitted", "{o}");
    let fields = o["submissions"][0]["fields"].as_object().unwrap();
    assert!(
        fields.values().all(|v| v
            .as_str()
            .unwrap()
            .contains("李副镇长（副镇长，副职）；委托代理人：王律师")),
        "{o}"
    );
    // Changing the plan needs the version read.
    let (s, _) = app
        .put(
            &plan_path,
            &app.clerk_a,
            json!({"unit_id": app.unit_a, "head_id": heads[0]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The hearing: only the lawyer came.
    let (s, v) = app
        .post(&format!("/api/v1/hearings/{hid}/appearances"), &app.coord, json!({"unit_id": app.unit_a, "person_name": "王律师", "level": "lawyer", "appeared": true, "spoke": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let d = duties(&app, &app.coord, pid).await;
    assert_eq!(
        d[0]["problems"],
        json!(["head_absent", "lawyer_only"]),
        "{d:?}"
    );
    assert_eq!(
        d[0]["problem_labels"],
        json!(["负责人未出庭", "仅委托律师出庭"])
    );
    let window = format!("/api/v1/appearance-problems?from={t}&to={}", hday);
    let (s, list) = app.get(&window, &app.coord).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["case_label"], "（2026）浙0699行初801号");
    let (s, v) = app
        .get("/api/v1/appearance-problems?from=yesterday", &app.coord)
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
    );
    // The pages: the bureau's 出庭问题, the case's 出庭安排, the clerk's workbench.
    let r = super::ui::login(&app, "coord", "secret123", "/").await;
    let coord = super::ui::session_cookie(&r);
    let pg = super::ui::page(
        &app,
        &format!("/appearance-problems?from={t}&to={hday}"),
        &coord,
    )
    .await;
    assert!(
        pg.body.contains("仅委托律师出庭") && pg.body.contains("（2026）浙0699行初801号"),
        "{}",
        pg.body
    );
    let pg = super::ui::page(&app, "/appearance-problems?from=abc", &coord).await;
    assert_eq!(pg.status, StatusCode::UNPROCESSABLE_ENTITY);
    let pg = super::ui::page(&app, &format!("/proceedings/{pid}"), &coord).await;
    assert!(
        pg.body.contains("出庭安排")
            && pg.body.contains("原告56人（50人以上）")
            && pg.body.contains("李副镇长（副镇长，副职）"),
        "{}",
        pg.body
    );
    let r = super::ui::login(&app, "clerk.a", "secret123", "/").await;
    let clerk = super::ui::session_cookie(&r);
    let pg = super::ui::page(&app, "/", &clerk).await;
    assert!(
        pg.body.contains("id=\"duties\"") && pg.body.contains("单位正职负责人"),
        "{}",
        pg.body
    );
    // The plan form on the case page: a refusal keeps the page, the change is filed.
    let pg = super::ui::page(&app, &format!("/proceedings/{pid}"), &clerk).await;
    let csrf = pg.hidden("csrf");
    let plan = filed["plan"]["version"].to_string();
    let r = super::ui::form(
        &app,
        &format!("/hearings/{hid}/plan"),
        &clerk,
        &[
            ("csrf", &csrf),
            ("unit_id", &app.unit_a.to_string()),
            ("version", &plan),
            ("agents", "王律师"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("不能只委托律师出庭") && r.body.contains("王律师"),
        "{}",
        r.body
    );
    let r = super::ui::form(
        &app,
        &format!("/hearings/{hid}/plan"),
        &clerk,
        &[
            ("csrf", &csrf),
            ("unit_id", &app.unit_a.to_string()),
            ("version", &plan),
            ("head_id", &heads[0].to_string()),
            ("agents", "王律师"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.location()),
        (
            StatusCode::SEE_OTHER,
            format!("/proceedings/{pid}?msg=plan_filed#appearance").as_str()
        )
    );
    assert_eq!(
        duties(&app, &app.coord, pid).await[0]["plan"]["head_name"],
        "张镇长"
    );

    // The deputy head was there after all (the record corrected): the 正职 was required.
    let (s, v) = app
        .post(&format!("/api/v1/hearings/{hid}/appearances"), &app.coord, json!({"unit_id": app.unit_a, "person_name": "李副镇长", "post": "副镇长", "level": "deputy_head", "appeared": true, "spoke": false}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        duties(&app, &app.coord, pid).await[0]["problems"],
        json!(["not_principal"])
    );

    // Case circumstances: the bureau's; a bad one is named; they add to the reasons.
    let (s, _) = app
        .put(
            &format!("/api/v1/proceedings/{pid}/case-flags"),
            &app.clerk_a,
            json!({"flags": ["high_attention"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .put(
            &format!("/api/v1/proceedings/{pid}/case-flags"),
            &app.coord,
            json!({"flags": ["famous"]}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_value"))
    );
    let (s, v) = app
        .put(
            &format!("/api/v1/proceedings/{pid}/case-flags"),
            &app.coord,
            json!({"flags": ["high_attention", "mass_incident_risk"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let d = duties(&app, &app.coord, pid).await;
    assert_eq!(
        d[0]["requirement"]["reasons"],
        json!(["原告56人（50人以上）", "社会高度关注", "可能引发群体性事件"])
    );

    // 出声率 joins the statistics with its formula: a hearing yesterday, the deputy head there
    // but silent, then speaking.
    let yday = t.yesterday().unwrap();
    let (_, h2) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/hearings"),
            &app.coord,
            json!({"scheduled_at": format!("{yday}T14:00")}),
        )
        .await;
    let h2 = h2["id"].as_i64().unwrap();
    let (s, a) = app
        .post(&format!("/api/v1/hearings/{h2}/appearances"), &app.coord, json!({"unit_id": app.unit_a, "person_name": "李副镇长", "level": "deputy_head", "appeared": true, "spoke": false}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let stats = format!(
        "/api/v1/stats?period=custom&from={}&to={t}",
        t.checked_sub(jiff::Span::new().days(7)).unwrap()
    );
    let figure = |set: &Value, id: &str| {
        let i = set["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .position(|x| x["id"] == id)
            .unwrap();
        (
            set["total"]["current"][i].clone(),
            set["indicators"][i]["formula"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    };
    let (_, set) = app.get(&stats, &app.coord).await;
    assert_eq!(
        figure(&set, "appearance_rate").0,
        json!({"numerator": 1, "denominator": 1})
    );
    let (speaking, formula) = figure(&set, "speaking_rate");
    assert_eq!(speaking, json!({"numerator": 0, "denominator": 1}));
    assert!(formula.contains("出庭负责人当庭发言"), "{formula}");
    let (s, _) = app
        .put(&format!("/api/v1/appearances/{}", a["id"]), &app.coord, json!({"version": a["version"], "unit_id": app.unit_a, "person_name": "李副镇长", "level": "deputy_head", "appeared": true, "spoke": true}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, set) = app.get(&stats, &app.coord).await;
    assert_eq!(
        figure(&set, "speaking_rate").0,
        json!({"numerator": 1, "denominator": 1})
    );

    // Regression: switching 象山's rules off while the plan's submission waits for review kept
    // failing on the submission (500); the obligation now stays, saying why.
    let (_, rs) = app.get("/api/v1/rules", &app.coord).await;
    let (s, v) = app
        .put(
            "/api/v1/rules",
            &app.coord,
            json!({"version": rs["version"], "shipped": []}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, o) = app
        .get(&format!("/api/v1/deadlines/{}", submitted[0]), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert!(
        o["deadline"]["change_note"]
            .as_str()
            .unwrap()
            .contains("因已有报送而保留"),
        "{o}"
    );

    // The rules as data: a county that asks the 正职 from 100 claimants and ignores attention.
    let (s, r) = app.get("/api/v1/appearance-rules", &app.coord).await;
    assert_eq!((s, r["version"].as_i64()), (StatusCode::OK, Some(0)));
    let (s, v) = app
        .put("/api/v1/appearance-rules", &app.coord, json!({"version": 0, "rules": {"principal_claimants": 100, "principal_flags": [], "principal_on_risk_warning": true, "county_government_deputy": true}}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let d = duties(&app, &app.coord, pid).await;
    assert_eq!(d[0]["requirement"]["expected"], "head");
    assert_eq!(d[0]["problems"], json!([]), "a deputy head is enough now");
    let (s, _) = app
        .put(
            "/api/v1/appearance-rules",
            &app.clerk_a,
            json!({"version": 1, "rules": {}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
