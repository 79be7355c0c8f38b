//! Statistics story: the source documents' own figures reproduce from underlying cases
//! (毕节 −27.29% and 99.42%, 观山湖 30%), drill-down lists the cases behind a figure, the
//! assessment escalates by losses, a published figure set stays frozen and later corrections
//! show as differences, and the configuration is validated.

use axum::http::StatusCode;
use huajie_domain::hearing::{AppearanceInput, AppearanceLevel, HearingInput};
use huajie_domain::outcome::{OutcomeCode, OutcomeInput};
use huajie_domain::proceeding::{
    DisputeInput, KeyDates, PartyInput, PartyKind, PartyRole, ProceedingInput, ProceedingKind,
    ProceedingStatus,
};
use huajie_store::audit::Author;
use huajie_store::bulk::{BulkDispute, BulkProceeding};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use serde_json::{Value, json};

use super::common::*;

/// One proceeding against `unit`, optionally heard (with or without a head) and decided.
struct Case {
    kind: ProceedingKind,
    unit: i64,
    registered: Date,
    heard: Option<(Date, bool)>,
    outcome: Option<(OutcomeCode, Date)>,
}

fn bulk(c: &Case, i: usize) -> BulkDispute {
    let concluded = c.outcome.is_some();
    let proceeding = ProceedingInput {
        dispute_id: None,
        kind: c.kind,
        case_no: None,
        reference_no: Some(format!("统计测试{i}号")),
        status: if concluded {
            ProceedingStatus::Concluded
        } else {
            ProceedingStatus::Pending
        },
        domain: "expropriation".into(),
        act_type: None,
        forum: None,
        cause: None,
        claimant_count: 1,
        registered_on: c.registered,
        dates: KeyDates {
            decided_on: c.outcome.map(|o| o.1),
            closed_on: c.outcome.map(|o| o.1),
            ..KeyDates::default()
        },
        summary: None,
    };
    let parties = vec![
        PartyInput {
            role: PartyRole::Claimant,
            kind: PartyKind::Person,
            name: Some(format!("申请人{i}")),
            unit_id: None,
        },
        PartyInput {
            role: PartyRole::Defendant,
            kind: PartyKind::Agency,
            name: Some(format!("单位{}", c.unit)),
            unit_id: Some(c.unit),
        },
    ];
    let hearings = c
        .heard
        .map(|(d, head)| {
            let h = HearingInput {
                scheduled_at: d.at(9, 30, 0, 0),
                place: None,
                note: None,
            };
            let a = AppearanceInput {
                unit_id: Some(c.unit),
                person_name: "出庭人".into(),
                post: None,
                level: if head {
                    AppearanceLevel::DeputyHead
                } else {
                    AppearanceLevel::Staff
                },
                appeared: true,
                spoke: true,
                excuse: None,
            };
            vec![(h, vec![a])]
        })
        .unwrap_or_default();
    let outcomes = c
        .outcome
        .map(|(code, d)| {
            vec![OutcomeInput {
                party_id: 1,
                code,
                decided_on: d,
                grounds: vec![],
                note: None,
            }]
        })
        .unwrap_or_default();
    BulkDispute {
        dispute: DisputeInput {
            title: format!("统计测试争议{i}"),
            domain: "expropriation".into(),
            summary: None,
        },
        proceedings: vec![BulkProceeding {
            proceeding,
            parties,
            hearings,
            outcomes,
        }],
    }
}

/// The i-th of n days spread over 1 January … 30 November of `year`.
fn spread(year: i16, i: usize) -> Date {
    date(year, 1, 1) + ((i % 334) as i64).days()
}

fn fixture(a: i64, b: i64) -> Vec<Case> {
    use OutcomeCode::*;
    use ProceedingKind::*;
    let mut cases = Vec::new();
    let unit = |i: usize| if i.is_multiple_of(2) { a } else { b };
    // 毕节 2021 Jan–Nov: 1660 first-instance suits; 500 heard, a head appeared in 422 (84.40%).
    for i in 0..1660 {
        cases.push(Case {
            kind: FirstInstance,
            unit: unit(i),
            registered: spread(2021, i),
            heard: (i < 500)
                .then(|| (spread(2021, i).min(date(2021, 11, 10)) + 10.days(), i < 422)),
            outcome: None,
        });
    }
    // 毕节 2022 Jan–Nov: 1207 suits; 694 heard, a head appeared in 690 (99.42%, +15.02 points).
    // 100 decided in 2022: unit a lost 3, unit b lost 2.
    for i in 0..1207 {
        let outcome = (i < 100).then(|| {
            let code = match i {
                0 | 2 | 4 => Revoke,
                1 | 3 => ConfirmIllegal,
                _ => RejectClaims,
            };
            (code, date(2022, 10, 1) + ((i % 50) as i64).days())
        });
        cases.push(Case {
            kind: FirstInstance,
            unit: unit(i),
            registered: spread(2022, i),
            heard: (i < 694)
                .then(|| (spread(2022, i).min(date(2022, 11, 10)) + 10.days(), i < 690)),
            outcome,
        });
    }
    // Outside the window or of another kind: must not count as first-instance suits of Jan–Nov.
    for i in 0..7 {
        cases.push(Case {
            kind: FirstInstance,
            unit: a,
            registered: date(2022, 12, 1) + (i as i64).days(),
            heard: None,
            outcome: None,
        });
        cases.push(Case {
            kind: SecondInstance,
            unit: b,
            registered: date(2022, 3, 1) + (i as i64).days(),
            heard: None,
            outcome: None,
        });
    }
    // 观山湖 2023: 140 reconsideration cases concluded, 42 by mediation or settlement (30%).
    for i in 0..140 {
        let code = match i {
            0..30 => ReconMediation,
            30..42 => ReconSettlement,
            42..62 => ReconRevoke,
            62..90 => ReconWithdraw,
            _ => ReconUphold,
        };
        cases.push(Case {
            kind: Reconsideration,
            unit: unit(i),
            registered: date(2023, 1, 5) + ((i % 200) as i64).days(),
            heard: None,
            outcome: Some((code, date(2023, 3, 1) + ((i % 250) as i64).days())),
        });
    }
    cases
}

fn figure(set: &Value, group: &str, id: &str) -> (Value, Value) {
    let idx = set["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .position(|i| i["id"] == id)
        .unwrap();
    let row = if group == "total" {
        set["total"].clone()
    } else {
        set["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group"]["key"].to_string().as_str() == group)
            .cloned()
            .unwrap_or_else(|| panic!("no row for {group}"))
    };
    (row["current"][idx].clone(), row["previous"][idx].clone())
}

pub async fn story(app: App) {
    let by = Author::system("test");
    let cases = fixture(app.unit_a, app.unit_b);
    let batch: Vec<BulkDispute> = cases.iter().enumerate().map(|(i, c)| bulk(c, i)).collect();
    for chunk in batch.chunks(1000) {
        app.store.bulk_insert(&by, app.county, chunk).await.unwrap();
    }

    // --- 毕节 2022 Jan–Nov: first-instance suits 1660 → 1207 (−27.29%) -------------------
    let bijie = "/api/v1/stats?period=custom&from=2022-01-01&to=2022-11-30";
    let (s, set) = app.get(bijie, &app.leader).await;
    assert_eq!(s, StatusCode::OK, "{set}");
    assert_eq!(set["label"], "2022年1月1日至11月30日");
    let (now, before) = figure(&set, "total", "suits_received");
    assert_eq!(
        (now["numerator"].as_u64(), before["numerator"].as_u64()),
        (Some(1207), Some(1660))
    );
    let change = huajie_domain::stats::Change::between(
        &serde_json::from_value(now).unwrap(),
        &serde_json::from_value(before).unwrap(),
    )
    .unwrap();
    assert_eq!(change.signed(), "−27.29%");
    // Heads appeared in 690 of 694 heard cases: 99.42%, up 15.02 percentage points.
    let (now, before) = figure(&set, "total", "appearance_rate");
    assert_eq!(now, json!({"numerator": 690, "denominator": 694}));
    let now: huajie_domain::stats::Figure = serde_json::from_value(now).unwrap();
    let before: huajie_domain::stats::Figure = serde_json::from_value(before).unwrap();
    assert_eq!(now.display(), "99.42%");
    assert_eq!(before.display(), "84.40%");
    assert_eq!(
        huajie_domain::stats::Change::between(&now, &before)
            .unwrap()
            .signed(),
        "+15.02个百分点"
    );
    // Every figure carries its formula.
    let formula = set["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "appearance_rate")
        .unwrap()["formula"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        formula.contains("期内开庭审理且负责人出庭的案件数 ÷ 期内开庭审理案件数"),
        "{formula}"
    );
    // Units roll up into the county; the second-instance cases count only as litigation.
    let (ua, _) = figure(&set, &app.unit_a.to_string(), "suits_received");
    let (ub, _) = figure(&set, &app.unit_b.to_string(), "suits_received");
    assert_eq!(
        ua["numerator"].as_u64().unwrap() + ub["numerator"].as_u64().unwrap(),
        1207
    );
    let (county, _) = figure(&set, &app.county.to_string(), "suits_received");
    assert_eq!(county["numerator"], 1207);
    let (lit, _) = figure(&set, "total", "litigation_received");
    assert_eq!(lit["numerator"], 1214);
    let (loss, _) = figure(&set, "total", "loss_rate");
    assert_eq!(loss, json!({"numerator": 5, "denominator": 100}));

    // --- drill-down: the cases behind a figure ----------------------------------------------
    let q = "period=custom&from=2022-01-01&to=2022-11-30&indicator=appearance_rate";
    let (s, v) = app
        .get(
            &format!("/api/v1/stats/cases?{q}&part=denominator"),
            &app.leader,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["count"], 694);
    assert_eq!(v["proceedings"].as_array().unwrap().len(), 200);
    let (_, v) = app
        .get(
            &format!(
                "/api/v1/stats/cases?{q}&part=numerator&group=own:{}",
                app.unit_a
            ),
            &app.leader,
        )
        .await;
    assert_eq!(v["count"], 345, "unit a: even cases 0..690");
    let (s, v) = app
        .get("/api/v1/stats/cases?period=custom&from=2022-01-01&to=2022-11-30&indicator=nope&part=half&group=x", &app.leader)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = codes(&v).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["part", "group"]);
    let (s, v) = app
        .get(
            "/api/v1/stats/cases?period=custom&from=2022-01-01&to=2022-11-30&indicator=nope",
            &app.leader,
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_indicator"))
    );

    // --- 观山湖 2023: 42 of 140 concluded reconsiderations resolved (30%) ----------------
    let (_, set23) = app
        .get("/api/v1/stats?period=year&year=2023", &app.coord)
        .await;
    let (res, _) = figure(&set23, "total", "resolution_rate");
    assert_eq!(res, json!({"numerator": 42, "denominator": 140}));
    let res: huajie_domain::stats::Figure = serde_json::from_value(res).unwrap();
    assert_eq!(res.display(), "30.00%");
    let (corr, _) = figure(&set23, "total", "correction_rate");
    assert_eq!(corr, json!({"numerator": 20, "denominator": 140}));

    // --- assessment: losses in the year escalate; top three cannot be excellent ---------
    let q4 = "/api/v1/stats?period=quarter&year=2022&n=4";
    let (_, set_q4) = app.get(q4, &app.coord).await;
    let rows = set_q4["assessment"].as_array().unwrap();
    let row = |u: i64| rows.iter().find(|r| r["unit_id"] == u).unwrap().clone();
    let (ra, rb) = (row(app.unit_a), row(app.unit_b));
    assert_eq!(ra["losses_in_year"], 3);
    assert_eq!(ra["escalation"], "提交县政府常务会议研究");
    assert_eq!(rb["losses_in_year"], 2);
    assert_eq!(rb["escalation"], "由分管副县长约谈单位主要负责人");
    assert_eq!(ra["rank_by_rate"], 1);
    assert_eq!(ra["excellent_barred"], true);
    assert_ne!(ra["grade"], "优秀");
    // 3 losses × 5 and the hearings without a head in the quarter × 3.
    let score = 100.0 - 15.0 - 3.0 * ra["non_appearances"].as_f64().unwrap();
    assert_eq!(ra["score"].as_f64().unwrap(), score.max(0.0));

    // --- who may read -----------------------------------------------------------------------
    let (s, v) = app.get(bijie, &app.clerk_a).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = app
        .get("/api/v1/stats?period=quarter&year=2022&n=5", &app.leader)
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("period"))
    );

    // --- frozen snapshots and later corrections ------------------------------------------
    let (s, v) = app
        .post(
            "/api/v1/stats/snapshots",
            &app.leader,
            json!({"period": "quarter", "year": "2022", "n": "4"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "leaders read, the bureau publishes: {v}"
    );
    let (s, v) = app
        .post(
            "/api/v1/stats/snapshots",
            &app.coord,
            json!({"period": "quarter", "year": "2022", "n": "4", "note": "第四季度通报"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let snap = v["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            "/api/v1/stats/snapshots",
            &app.coord,
            json!({"period": "quarter", "year": "2022", "n": "4"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("already_published"))
    );
    let (_, v) = app
        .get(&format!("/api/v1/stats/snapshots/{snap}"), &app.leader)
        .await;
    assert_eq!(v["corrections"], json!([]));
    // A late-recorded loss in the quarter: the snapshot keeps its figure, the difference shows.
    let late = Case {
        kind: ProceedingKind::FirstInstance,
        unit: app.unit_b,
        registered: date(2022, 10, 3),
        heard: None,
        outcome: Some((OutcomeCode::Revoke, date(2022, 12, 20))),
    };
    app.store
        .bulk_insert(&by, app.county, &[bulk(&late, 99_999)])
        .await
        .unwrap();
    let (_, v) = app
        .get(&format!("/api/v1/stats/snapshots/{snap}"), &app.leader)
        .await;
    let (was, _) = figure(&v["figures"], "total", "losses");
    assert_eq!(was["numerator"], 5, "the published figure does not change");
    let corrections = v["corrections"].as_array().unwrap();
    let losses = corrections
        .iter()
        .find(|c| c["group"]["by"] == "total" && c["indicator"] == "败诉量")
        .unwrap_or_else(|| panic!("{corrections:?}"));
    assert_eq!(
        (
            losses["was"]["numerator"].as_u64(),
            losses["now"]["numerator"].as_u64()
        ),
        (Some(5), Some(6))
    );
    let (_, list) = app.get("/api/v1/stats/snapshots", &app.leader).await;
    assert_eq!(list[0]["label"], "2022年第4季度");
    assert_eq!(list[0]["note"], "第四季度通报");

    // --- configuration: numerator and denominator are configurable ----------------------
    let (_, cfg) = app.get("/api/v1/stats/config", &app.coord).await;
    let text = cfg["toml"].as_str().unwrap().to_string();
    let version = cfg["version"].as_i64().unwrap();
    let (s, v) = app
        .put("/api/v1/stats/config", &app.coord, json!({"toml": text.replace("base = \"heard\"", "base = \"soon\""), "version": version}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("统计口径配置无法解析")
    );
    let (s, _) = app
        .put(
            "/api/v1/stats/config",
            &app.leader,
            json!({"toml": text, "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // 化解率 on the received base instead of concluded: the 观山湖 figure changes accordingly.
    let changed = text.replace(
        "numerator = { base = \"concluded\", outcomes = [\"recon_mediation\", \"recon_settlement\"] }\ndenominator = { base = \"concluded\" }",
        "numerator = { base = \"concluded\", outcomes = [\"recon_mediation\", \"recon_settlement\"] }\ndenominator = { base = \"received\" }",
    );
    assert_ne!(changed, text);
    let (s, v) = app
        .put(
            "/api/v1/stats/config",
            &app.coord,
            json!({"toml": changed, "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = app
        .put(
            "/api/v1/stats/config",
            &app.coord,
            json!({"toml": text, "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, set23) = app
        .get("/api/v1/stats?period=year&year=2023", &app.coord)
        .await;
    let (res, _) = figure(&set23, "total", "resolution_rate");
    assert_eq!(res, json!({"numerator": 42, "denominator": 140}));
    let f = set23["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "resolution_rate")
        .unwrap()["formula"]
        .clone();
    assert!(f.as_str().unwrap().contains("÷ 期内收案案件数"), "{f}");
    // The snapshot keeps its own definitions: no correction appears from a definition change.
    let (_, v) = app
        .get(&format!("/api/v1/stats/snapshots/{snap}"), &app.leader)
        .await;
    assert_eq!(
        v["corrections"].as_array().unwrap().len(),
        corrections.len()
    );
    pages(&app).await;
    app.store.close().await;
}

pub(super) async fn bytes_of(app: &App, uri: &str, cookie: &str) -> (StatusCode, String, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::get(uri)
        .header("cookie", cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        ct,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

pub(super) fn open_xlsx(bytes: Vec<u8>) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    use calamine::Reader;
    calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a valid xlsx")
}

/// The pages: dashboard, drill-down, exports, publishing, configuration.
async fn pages(app: &App) {
    use super::forms::signed_in;
    use super::ui::{form, page};
    use calamine::{Data, Reader};
    let leader = signed_in(app, "leader").await;
    let coord = signed_in(app, "coord").await;
    let clerk = signed_in(app, "clerk.a").await;
    let q = "period=custom&from=2022-01-01&to=2022-11-30";
    let r = page(app, &format!("/stats?{q}"), &leader).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // (1208: the case recorded after publication above is registered in October 2022.)
    for text in [
        "统计分析",
        "一审收案",
        "1208",
        "−27.23%",
        "99.42%",
        "+15.02个百分点",
        "<svg",
        "近12个月收案与败诉",
        "本期单位败诉率排名",
        "口径",
        "单位排名与考核",
        "提交县政府常务会议研究",
    ] {
        assert!(r.body.contains(text), "dashboard lacks {text}");
    }
    assert!(!r.body.contains("发布本期数据"), "leaders read only");
    let r = page(app, "/stats?period=quarter&year=2022&n=9", &leader).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("季度“9”无效"), "{}", r.body);
    let r = page(app, "/stats", &clerk).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        !page(app, "/", &clerk)
            .await
            .body
            .contains("href=\"/stats\""),
        "no menu entry for unit staff"
    );

    // Drill-down from a figure to its cases, paged.
    let r = page(
        app,
        &format!("/stats/cases?{q}&indicator=appearance_rate&part=denominator&group=total"),
        &leader,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("共 694 件") && r.body.contains("负责人出庭率（分母）"),
        "{}",
        r.body
    );
    assert_eq!(r.body.matches("href=\"/proceedings/").count(), 100);
    assert!(r.body.contains("offset=100"));
    let r = page(
        app,
        &format!("/stats/cases?{q}&indicator=appearance_rate&part=x"),
        &leader,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Excel export of the statistics tables, opened back.
    let (s, ct, bytes) = bytes_of(app, &format!("/stats/export.xlsx?{q}"), &leader).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    let mut x = open_xlsx(bytes);
    assert_eq!(
        x.sheet_names(),
        [
            "汇总",
            "按单位",
            "按领域",
            "按程序类型",
            "排名与考核",
            "败诉原因"
        ]
    );
    let sum = x.worksheet_range("汇总").unwrap();
    let row = (0..sum.height())
        .find(|r| sum.get_value((*r as u32, 0)) == Some(&Data::String("一审收案".into())))
        .unwrap();
    assert_eq!(sum.get_value((row as u32, 1)), Some(&Data::Float(1208.0)));
    assert_eq!(sum.get_value((row as u32, 4)), Some(&Data::Float(1660.0)));
    assert_eq!(
        sum.get_value((row as u32, 5)),
        Some(&Data::String("−27.23%".into()))
    );
    let app_row = (0..sum.height())
        .find(|r| sum.get_value((*r as u32, 0)) == Some(&Data::String("负责人出庭率".into())))
        .unwrap();
    match sum.get_value((app_row as u32, 1)) {
        Some(Data::Float(v)) => assert!((v - 690.0 / 694.0).abs() < 1e-9),
        other => panic!("{other:?}"),
    }

    // Excel export of a ledger view: every matching row, real dates.
    let (s, _, bytes) = bytes_of(app, "/ledger/export.xlsx?kind=reconsideration", &coord).await;
    assert_eq!(s, StatusCode::OK);
    let mut x = open_xlsx(bytes);
    let led = x.worksheet_range("案件台账").unwrap();
    assert_eq!(
        led.height(),
        3 + 140,
        "caption, filter line, header and 140 rows"
    );
    assert_eq!(
        led.get_value((2, 0)),
        Some(&Data::String("案号/文号".into()))
    );
    assert!(
        matches!(led.get_value((3, 7)), Some(Data::DateTime(_))),
        "{:?}",
        led.get_value((3, 7))
    );
    let (s, _, _) = bytes_of(
        app,
        "/ledger/export.xlsx?registered_from=2022-13-01",
        &coord,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, bytes) = bytes_of(app, "/ledger/export.xlsx", &clerk).await;
    assert_eq!(s, StatusCode::OK);
    let n = open_xlsx(bytes)
        .worksheet_range("案件台账")
        .unwrap()
        .height();
    assert!(
        n > 3 && n < 3 + 3029,
        "a clerk exports only their unit's cases ({n})"
    );

    // Publishing from the page; the frozen page and its export.
    let r = page(app, "/stats?period=quarter&year=2023&n=1", &coord).await;
    assert!(r.body.contains("发布本期数据"));
    let csrf = r.hidden("csrf");
    let r = form(
        app,
        "/stats/publish",
        &coord,
        &[
            ("csrf", &csrf),
            ("period", "quarter"),
            ("year", "2023"),
            ("n", "1"),
            ("note", "一季度"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let snap_uri = r.location().to_string();
    let r = page(app, &snap_uri, &leader).await;
    assert!(
        r.body.contains("2023年第1季度")
            && r.body.contains("数据没有变化")
            && r.body.contains("一季度"),
        "{}",
        r.body
    );
    let r = page(app, "/stats?period=quarter&year=2023&n=1", &coord).await;
    assert!(r.body.contains("本期已发布"), "publish is offered once");
    let (s, _, bytes) = bytes_of(app, &format!("{snap_uri}/export.xlsx"), &leader).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(open_xlsx(bytes).sheet_names().len(), 6);
    let r = form(
        app,
        "/stats/publish",
        &coord,
        &[("csrf", "forged"), ("period", "year"), ("year", "2023")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The configuration page: read-only for leaders, validated for the bureau.
    let r = page(app, "/stats/config", &leader).await;
    assert!(r.body.contains("readonly") && r.body.contains("[[indicator]]"));
    let r = page(app, "/stats/config", &coord).await;
    let (csrf, version) = (r.hidden("csrf"), r.hidden("version"));
    let r = form(
        app,
        "/stats/config",
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("toml", "[[indicator]]\nid = \"坏\""),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("统计口径配置无法解析") && r.body.contains("id = &#34;坏&#34;"),
        "{}",
        r.body
    );

    word_documents(app, &leader, &coord).await;

    // Exports are audited.
    let r = page(app, "/audit?action=export", &coord).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("导出") && r.body.contains("台账") && r.body.contains("统计"),
        "{}",
        r.body
    );
}

/// The text of a part of a .docx package.
pub(super) fn docx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut s = String::new();
    z.by_name(name)
        .unwrap_or_else(|_| panic!("no {name}"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The quarterly circular and the half-year report, downloaded from the snapshot pages.
async fn word_documents(app: &App, leader: &str, coord: &str) {
    use super::ui::page;
    let (_, list) = app.get("/api/v1/stats/snapshots", &app.leader).await;
    let q4 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == "2022年第4季度")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = page(app, &format!("/stats/snapshots/{q4}"), leader).await;
    assert!(r.body.contains("circular.docx") && !r.body.contains("report.docx"));
    let (s, ct, bytes) =
        bytes_of(app, &format!("/stats/snapshots/{q4}/circular.docx"), leader).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.contains("wordprocessingml"), "{ct}");
    let x = docx_part(&bytes, "word/document.xml");
    // GB/T 9704 layout: A4, margins 37/26/35/28 mm, 22 lines, the official fonts.
    assert!(x.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(x.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""));
    assert!(x.contains("w:linePitch=\"579\""));
    assert!(
        x.contains("方正小标宋简体")
            && x.contains("仿宋_GB2312")
            && x.contains("<w:sz w:val=\"32\"/>")
    );
    assert!(docx_part(&bytes, "word/footer1.xml").contains(" PAGE "));
    // Issued by the bureau, to the townships and departments, about the frozen figures: the
    // snapshot's 5 losses, not the 6 known since.
    assert!(
        x.contains("测试县司法局关于2022年第4季度行政争议预防化解工作情况的通报"),
        "{x}"
    );
    assert!(x.contains("各乡镇人民政府、街道办事处，县级各部门、各单位："));
    assert!(x.contains("败诉量5件（去年同期0件）"), "{x}");
    // Tables by unit, domain and ranking; the escalation list from the year's losses.
    for t in [
        "表2 各单位情况",
        "表3 各领域情况",
        "表4 败诉率排名与考核",
        "表5 约谈与通报名单",
    ] {
        assert!(x.contains(t), "{t}");
    }
    assert!(
        x.contains("甲镇人民政府（3件），提交县政府常务会议研究")
            && x.contains("测试县公安局（2件），由分管副县长约谈单位主要负责人"),
        "{x}"
    );
    assert!(x.contains("附：指标口径") && x.contains("÷"));
    // The busiest units are named below the county, which holds every case.
    assert!(
        x.contains("较多的单位是") && !x.contains("较多的单位是测试县（"),
        "{x}"
    );
    // The half-year report belongs to half-year snapshots only.
    let (s, _, _) = bytes_of(app, &format!("/stats/snapshots/{q4}/report.docx"), leader).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = app
        .post(
            "/api/v1/stats/snapshots",
            &app.coord,
            json!({"period": "half", "year": "2022", "n": "2"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let h2 = v["id"].as_i64().unwrap();
    let r = page(app, &format!("/stats/snapshots/{h2}"), coord).await;
    assert!(r.body.contains("id=\"report-docx\""));
    let (s, _, bytes) = bytes_of(app, &format!("/stats/snapshots/{h2}/report.docx"), leader).await;
    assert_eq!(s, StatusCode::OK);
    let x = docx_part(&bytes, "word/document.xml");
    assert!(
        x.contains("测试县司法局关于2022年下半年行政机关负责人出庭应诉和行政应诉工作情况的报告")
    );
    assert!(x.contains("测试县人民政府："));
    for h in [
        "一、行政机关负责人出庭应诉情况",
        "二、行政应诉工作情况",
        "三、存在败诉风险案件的争议化解情况",
        "四、履行生效裁判情况",
        "五、存在的问题和建议",
    ] {
        assert!(x.contains(h), "{h}");
    }
    // Every heard case of the half had a head in court; the losses are listed as they stand now
    // (five decided in October and November, one recorded late in December).
    assert!(
        x.contains("开庭审理的案件均有行政机关负责人出庭应诉。"),
        "{x}"
    );
    assert!(
        x.contains("判决行政机关败诉的案件6件（涉及被诉单位6个次）"),
        "{x}"
    );
    assert!(x.contains("判决撤销") && x.contains("确认违法"));
    // The first half: four heard cases without a head are named.
    let (_, v) = app
        .post(
            "/api/v1/stats/snapshots",
            &app.coord,
            json!({"period": "half", "year": "2022", "n": "1"}),
        )
        .await;
    let h1 = v["id"].as_i64().unwrap();
    let (_, _, bytes) = bytes_of(app, &format!("/stats/snapshots/{h1}/report.docx"), leader).await;
    let x = docx_part(&bytes, "word/document.xml");
    assert!(x.contains("负责人未出庭应诉4件次"), "{x}");
    assert!(x.contains("负责人未出庭，未说明理由"));
    // A period that has not ended cannot be published (its figures would freeze half-made).
    let (s, v) = app
        .post(
            "/api/v1/stats/snapshots",
            &app.coord,
            json!({"period": "year", "year": "2099"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("period_not_ended")),
        "{v}"
    );
}
