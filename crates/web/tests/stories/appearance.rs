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
    // The day before, the clerk's reminder names the planned head; 张镇长 has no account here,
    // so the clerk is asked to tell him, with his phone from 单位管理.
    let eve = hday.checked_sub(jiff::Span::new().days(1)).unwrap();
    app.store
        .sweep(super::notifications::beijing(eve, 16, 5))
        .await
        .unwrap();
    let m = super::notifications::inbox(&app, &app.clerk_a).await;
    let reminder = m
        .iter()
        .find(|m| m["kind"] == "hearing_tomorrow")
        .unwrap_or_else(|| panic!("{m:?}"));
    assert!(
        reminder["body"].as_str().unwrap().contains(
            "出庭负责人：张镇长（镇长），张镇长没有本系统账号，请通知其本人（电话 0571-88880000）"
        ),
        "{reminder}"
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

    // The assessment deducts per hearing (configurable): a deputy where the 正职 was required
    // (1 point), lawyers alone (2 points, on top of the non-appearance the rate counts once
    // per case and instance).
    let own = |set: &Value| {
        set["assessment"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_id"] == app.unit_a)
            .cloned()
            .unwrap()
    };
    let before = own(&set);
    assert_eq!(
        (
            before["not_principal"].as_u64(),
            before["lawyer_only"].as_u64()
        ),
        (Some(1), Some(0)),
        "{before}"
    );
    let (_, h3) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/hearings"),
            &app.coord,
            json!({"scheduled_at": format!("{yday}T09:00")}),
        )
        .await;
    let h3 = h3["id"].as_i64().unwrap();
    let (s, _) = app
        .post(&format!("/api/v1/hearings/{h3}/appearances"), &app.coord, json!({"unit_id": app.unit_a, "person_name": "王律师", "level": "lawyer", "appeared": true, "spoke": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, set) = app.get(&stats, &app.coord).await;
    let after = own(&set);
    assert_eq!(
        (
            after["not_principal"].as_u64(),
            after["lawyer_only"].as_u64()
        ),
        (Some(1), Some(1)),
        "{after}"
    );
    assert_eq!(after["non_appearances"], before["non_appearances"]);
    assert_eq!(
        before["score"].as_f64().unwrap() - after["score"].as_f64().unwrap(),
        2.0
    );
    let (_, list) = app
        .get(
            &format!("/api/v1/appearance-problems?from={yday}&to={t}"),
            &app.coord,
        )
        .await;
    let found: Vec<(i64, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["hearing_id"].as_i64().unwrap(), d["problems"].clone()))
        .collect();
    assert_eq!(
        found,
        [
            (h2, json!(["not_principal"])),
            (h3, json!(["head_absent", "lawyer_only"]))
        ],
        "the bureau's list, newest first"
    );
    let q = format!(
        "period=custom&from={}&to={t}",
        t.checked_sub(jiff::Span::new().days(7)).unwrap()
    );
    let pg = super::ui::page(&app, &format!("/stats?{q}"), &coord).await;
    assert!(
        pg.body
            .contains("<th title=\"仅委托律师出庭的庭次\">仅律师出庭</th>"),
        "{}",
        pg.body
    );
    let (s, _, bytes) =
        super::stats::bytes_of(&app, &format!("/stats/export.xlsx?{q}"), &coord).await;
    assert_eq!(s, StatusCode::OK);
    {
        use calamine::{Data, Reader};
        let mut x = super::stats::open_xlsx(bytes);
        let sheet = x.worksheet_range("排名与考核").unwrap();
        let (hrow, head) = (0..sheet.height() as u32)
            .flat_map(|r| (0..sheet.width() as u32).map(move |c| (r, c)))
            .find(|p| sheet.get_value(*p) == Some(&Data::String("仅律师出庭".into())))
            .expect("a 仅律师出庭 column");
        let (_, unit) = app
            .get(&format!("/api/v1/units/{}", app.unit_a), &app.coord)
            .await;
        let unit_name = unit["name"].as_str().unwrap().to_string();
        let row = (hrow..sheet.height() as u32)
            .find(|r| sheet.get_value((*r, 1)) == Some(&Data::String(unit_name.clone())))
            .expect("the unit's row");
        assert_eq!(sheet.get_value((row, head)), Some(&Data::Float(1.0)));
    }
    // An ended quarter's circular names the unit: lawyers alone at a hearing 100 days ago.
    let past = t.checked_sub(jiff::Span::new().days(100)).unwrap();
    let (_, h4) = app
        .post(
            &format!("/api/v1/proceedings/{pid}/hearings"),
            &app.coord,
            json!({"scheduled_at": format!("{past}T09:00")}),
        )
        .await;
    let (s, v) = app
        .post(&format!("/api/v1/hearings/{}/appearances", h4["id"]), &app.coord, json!({"unit_id": app.unit_a, "person_name": "王律师", "level": "lawyer", "appeared": true, "spoke": false}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let quarter = (past.month() as i64 - 1) / 3 + 1;
    let (s, snap) = app
        .post(
            "/api/v1/stats/snapshots",
            &app.coord,
            json!({"period": "quarter", "year": past.year().to_string(), "n": quarter.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{snap}");
    let (s, _, bytes) = super::stats::bytes_of(
        &app,
        &format!("/stats/snapshots/{}/circular.docx", snap["id"]),
        &coord,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let x = super::stats::docx_part(&bytes, "word/document.xml");
    assert!(x.contains("存在仅委托律师出庭的情况"), "{x}");

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

    // The 出庭规则 form: a refusal shows what was typed (not the stored rules), in a page whose
    // title is only its title (regression: the form was rendered inside <title> too).
    let pg = super::ui::page(&app, "/appearance-problems", &coord).await;
    assert!(
        pg.body.contains("<title>出庭问题"),
        "{}",
        &pg.body[..400.min(pg.body.len())]
    );
    let title_end = pg.body.find("</title>").unwrap();
    assert!(
        !pg.body[..title_end].contains("<section"),
        "the form is not in <title>"
    );
    let csrf = pg.hidden("csrf");
    let r = super::ui::form(
        &app,
        "/appearance-rules",
        &coord,
        &[
            ("csrf", &csrf),
            ("version", "0"),
            ("principal_claimants", "五十"),
            ("principal_flags", "major_public_interest"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("正职出庭的原告人数“五十”应为 0 至 100000 的整数")
            && r.body
                .contains("name=\"principal_claimants\" value=\"五十\"")
            && r.body
                .contains("name=\"principal_flags\" value=\"major_public_interest\" checked")
            && !r
                .body
                .contains("name=\"principal_flags\" value=\"high_attention\" checked")
            && !r
                .body
                .contains("name=\"principal_on_risk_warning\" value=\"1\" checked"),
        "{}",
        r.body
    );

    // The rules as data: a county that asks the 正职 from 100 claimants and ignores attention.
    let (s, r) = app.get("/api/v1/appearance-rules", &app.coord).await;
    assert_eq!((s, r["version"].as_i64()), (StatusCode::OK, Some(0)));
    let (s, v) = app
        .put("/api/v1/appearance-rules", &app.coord, json!({"version": 0, "rules": {"principal_claimants": 100, "principal_flags": [], "principal_on_risk_warning": true, "county_government_deputy": true}}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let d = duties(&app, &app.coord, pid).await;
    let first = d.iter().find(|x| x["hearing_id"] == hid).unwrap();
    assert_eq!(first["requirement"]["expected"], "head");
    assert_eq!(first["problems"], json!([]), "a deputy head is enough now");
    // …and the assessment no longer deducts for the deputy.
    let (_, set) = app.get(&stats, &app.coord).await;
    assert_eq!(own(&set)["not_principal"].as_u64(), Some(0));
    let (s, _) = app
        .put(
            "/api/v1/appearance-rules",
            &app.clerk_a,
            json!({"version": 1, "rules": {}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
