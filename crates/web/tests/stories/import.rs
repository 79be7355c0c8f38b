//! Import story: the bureau loads an existing ledger whose headings are not the template's,
//! sees every bad row before anything is written, imports all or nothing, re-imports without
//! duplicates, and open cases get their deadlines.

use axum::http::StatusCode;
use huajie_office::xlsx::{Sheet, Value, workbook};
use jiff::civil::date;

use super::common::*;
use super::forms::{signed_in, upload};
use super::ui::page;

fn ledger(rows: Vec<Vec<Value>>) -> Vec<u8> {
    workbook(&[Sheet {
        name: "应诉台账".into(),
        caption: vec!["测试县行政应诉案件登记表".into()],
        headers: [
            "程序类型",
            "案件号",
            "收案时间",
            "原告姓名",
            "应诉机关",
            "行政管理类别",
            "结案方式",
            "结案时间",
            "收到起诉状副本日期",
            "承办人",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows,
        widths: vec![],
    }])
    .unwrap()
}

fn good_rows() -> Vec<Vec<Value>> {
    vec![
        vec![
            "一审".into(),
            "（2024）浙0225行初101号".into(),
            Value::Date(date(2024, 3, 5)),
            "张三、李四".into(),
            "甲镇人民政府".into(),
            "征收拆迁".into(),
            Value::Empty,
            Value::Empty,
            Value::Date(date(2024, 3, 8)),
            "王科长".into(),
        ],
        vec![
            "一审".into(),
            "（2024）浙0225行初102号".into(),
            "2024/4/1".into(),
            "某某公司".into(),
            "测试县公安局、甲镇人民政府".into(),
            "征收拆迁".into(),
            "判决撤销".into(),
            "2024年9月1日".into(),
            Value::Empty,
            Value::Empty,
        ],
        vec![
            "行政复议".into(),
            "测政复〔2024〕5号".into(),
            Value::Date(date(2024, 5, 6)),
            "赵六".into(),
            "测试县公安局".into(),
            "征收拆迁".into(),
            "维持".into(),
            Value::Date(date(2024, 7, 1)),
            Value::Empty,
            Value::Empty,
        ],
    ]
}

async fn send(
    app: &App,
    cookie: &str,
    csrf: &str,
    mode: &str,
    name: &str,
    bytes: &[u8],
) -> super::ui::Resp {
    upload(
        app,
        "/import",
        ("cookie", cookie),
        &[("csrf", csrf), ("mode", mode)],
        Some((name, bytes)),
    )
    .await
}

pub async fn story(app: App) {
    let coord = signed_in(&app, "coord").await;
    let leader = signed_in(&app, "leader").await;
    assert_eq!(
        page(&app, "/import", &leader).await.status,
        StatusCode::FORBIDDEN
    );
    let r = page(&app, "/import", &coord).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("下载导入模板"));
    let csrf = r.hidden("csrf");

    // The template: headings the importer recognises, dropdowns fed by the code lists.
    let t = {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let req = axum::http::Request::get("/import/template.xlsx")
            .header("cookie", &coord)
            .body(axum::body::Body::empty())
            .unwrap();
        let resp = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    };
    let cells = huajie_office::import::read_workbook(&t).unwrap();
    assert!(cells[0].contains(&"*收案日期".to_string()));
    assert!(huajie_domain::import::detect_columns(&cells).is_ok());

    let before = app.store.count_proceedings().await.unwrap();
    // A file with problems: every bad row is listed, nothing is written even on "import".
    let mut bad = good_rows();
    bad.push(vec![
        "一审".into(),
        "（2024）浙0225行初103号".into(),
        "2024-02-30".into(),
        "钱七".into(),
        "不存在局".into(),
        "林业".into(),
        Value::Empty,
        Value::Empty,
        Value::Empty,
        Value::Empty,
    ]);
    bad.push(good_rows()[0].clone());
    let bytes = ledger(bad);
    for mode in ["check", "import"] {
        let r = send(&app, &coord, &csrf, mode, "台账.xlsx", &bytes).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        for m in [
            "第6行",
            "【收案日期】日期“2024-02-30”无效",
            "【被告（被申请人）】“不存在局”不是系统中的单位",
            "【行政管理领域】“林业”不在领域代码表中",
            "第7行",
            "与第3行重复",
            "2 行有问题（共 4 个），没有导入任何数据",
            "收案时间 → 收案日期",
            "应诉机关 → 被告（被申请人）",
        ] {
            assert!(r.body.contains(m), "{m}: {}", r.body);
        }
        assert!(r.body.contains("未使用的列：承办人"));
    }
    assert_eq!(app.store.count_proceedings().await.unwrap(), before);
    let audits = app.store.audit_count().await.unwrap();

    // A clean file: the check reports what would happen and writes nothing.
    let bytes = ledger(good_rows());
    let r = send(&app, &coord, &csrf, "check", "台账.xlsx", &bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("检查通过") && r.body.contains("将新增 3 件、更新 0 件，生成期限"),
        "{}",
        r.body
    );
    assert_eq!(app.store.count_proceedings().await.unwrap(), before);
    assert_eq!(
        app.store.audit_count().await.unwrap(),
        audits,
        "a dry run leaves no trace"
    );
    let r = send(&app, &coord, &csrf, "import", "台账.xlsx", &bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("导入完成") && r.body.contains("新增 3 件、更新 0 件"),
        "{}",
        r.body
    );
    assert_eq!(app.store.count_proceedings().await.unwrap(), before + 3);

    // The open case got its answer deadline from the date of receipt (15 days, LEGAL-RULES).
    let (_, list) = app
        .get("/api/v1/proceedings?case_no=%EF%BC%882024%EF%BC%89%E6%B5%990225%E8%A1%8C%E5%88%9D101%E5%8F%B7", &app.coord)
        .await;
    let id = list["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{list}"));
    let (_, d) = app
        .get(&format!("/api/v1/proceedings/{id}/deadlines"), &app.coord)
        .await;
    let answer = d
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule_id"] == "ANSWER_AND_EVIDENCE")
        .unwrap_or_else(|| panic!("{d}"));
    assert_eq!(answer["due_on"], "2024-03-25");

    // Importing the same file again updates instead of duplicating, and adds no deadlines.
    let r = send(&app, &coord, &csrf, "import", "台账.xlsx", &bytes).await;
    assert!(
        r.body.contains("新增 0 件、更新 3 件，生成期限 0 个"),
        "{}",
        r.body
    );
    assert_eq!(app.store.count_proceedings().await.unwrap(), before + 3);

    // A CSV in GB18030 (as Chinese Excel saves it) updates the open case: now withdrawn.
    let csv = "程序类型,案号,收案日期,原告,被告,领域,结果,结案日期\r\n一审,（2024）浙0225行初101号,2024-03-05,张三、李四,甲镇人民政府,征收拆迁,准予撤诉,2024-06-30\r\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(csv);
    let r = send(&app, &coord, &csrf, "import", "台账.csv", &gbk).await;
    assert!(r.body.contains("新增 0 件、更新 1 件"), "{}", r.body);
    let (_, p) = app
        .get(&format!("/api/v1/proceedings/{id}"), &app.coord)
        .await;
    assert_eq!(p["status"], "concluded", "{p}");
    assert_eq!(p["outcomes"][0]["code"], "withdraw", "{p}");
    assert_eq!(
        p["received_on"], "2024-03-08",
        "an empty cell keeps what was known: {p}"
    );

    // --- regressions of the update path (issue 14, point 7) ------------------------------
    // A judgment took effect on the withdrawn case; withdrawal is no loss: no loss report yet.
    let (s, v) = app
        .post(
            &format!("/api/v1/proceedings/{id}/events"),
            &app.coord,
            serde_json::json!({"kind": "judgment_effective", "occurred_on": "2024-07-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let loss_reports = |d: &serde_json::Value| -> Vec<i64> {
        let mut u: Vec<i64> = d
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["rule_id"] == "LOSS_REPORT")
            .map(|x| x["unit_id"].as_i64().unwrap())
            .collect();
        u.sort();
        u
    };
    let (_, d) = app
        .get(&format!("/api/v1/proceedings/{id}/deadlines"), &app.coord)
        .await;
    assert!(loss_reports(&d).is_empty(), "{d}");
    // Re-imported with a later 收案日期, a second defendant and a loss: the parties' copy of
    // the date follows, the new party is audited, and each losing unit owes its loss report.
    let csv = "程序类型,案号,收案日期,原告,被告,领域,结果,结案日期\r\n一审,（2024）浙0225行初101号,2024-04-15,张三、李四,甲镇人民政府、测试县公安局,征收拆迁,判决撤销,2024-06-30\r\n";
    let r = send(&app, &coord, &csrf, "import", "台账.csv", csv.as_bytes()).await;
    assert!(r.body.contains("新增 0 件、更新 1 件"), "{}", r.body);
    let (_, d) = app
        .get(&format!("/api/v1/proceedings/{id}/deadlines"), &app.coord)
        .await;
    let mut both = vec![app.unit_a, app.unit_b];
    both.sort();
    assert_eq!(loss_reports(&d), both, "{d}");
    let (_, found) = app
        .get(
            &format!(
                "/api/v1/proceedings?unit_id={}&registered_from=2024-04-10&registered_to=2024-04-20",
                app.unit_b
            ),
            &app.coord,
        )
        .await;
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id),
        "the unit's ledger page finds the case under its new date: {found}"
    );
    let (_, p) = app
        .get(&format!("/api/v1/proceedings/{id}"), &app.coord)
        .await;
    let new_party = p["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit_id"] == app.unit_b)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, h) = app
        .get(&format!("/api/v1/audit/party/{new_party}"), &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert!(
        h.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "create"),
        "the party added by the import has its audit row: {h}"
    );

    // A 案号 registered in another county is refused with its line, not a 500.
    let by = huajie_store::audit::Author::system("test");
    let unit = |name: &str, kind, parent| huajie_domain::unit::UnitInput {
        name: name.into(),
        short_name: None,
        kind,
        parent_id: parent,
        code: None,
        contact_phone: None,
        active: true,
    };
    use huajie_domain::unit::UnitKind;
    let c2 = app
        .store
        .create_unit(&by, &unit("邻县", UnitKind::County, None), None)
        .await
        .unwrap()
        .id;
    let j2 = app
        .store
        .create_unit(
            &by,
            &unit("邻县司法局", UnitKind::JusticeBureau, Some(c2)),
            None,
        )
        .await
        .unwrap()
        .id;
    let t2 = app
        .store
        .create_unit(&by, &unit("邻县乙镇", UnitKind::Township, Some(c2)), None)
        .await
        .unwrap()
        .id;
    app.store
        .create_user(
            &by,
            &huajie_domain::user::UserInput {
                username: "coord2".into(),
                display_name: "邻县协调员".into(),
                role: huajie_domain::user::Role::Coordinator,
                unit_id: j2,
                active: true,
                contacts: Default::default(),
            },
            &huajie_web::auth::hash_password("secret123"),
            None,
        )
        .await
        .unwrap();
    let coord2 = token_for(&app.store, "coord2").await;
    let (s, v) = app
        .post(
            "/api/v1/proceedings",
            &coord2,
            proceeding("（2024）浙0225行初777号", t2, "2024-05-01", "孙八"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let csv = "程序类型,案号,收案日期,原告,被告,领域\r\n一审,（2024）浙0225行初777号,2024-05-02,孙八,甲镇人民政府,征收拆迁\r\n";
    for mode in ["check", "import"] {
        let r = send(&app, &coord, &csrf, mode, "台账.csv", csv.as_bytes()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("已在其他县（区）登记"), "{}", r.body);
    }

    // Regression: on PostgreSQL a bulk import allocated ids that a registration made at the
    // same time also took (a 500 for one of them). Both now succeed.
    let mut csv = String::from("程序类型,案号,收案日期,原告,被告,领域\r\n");
    for i in 0..1500 {
        csv.push_str(&format!(
            "一审,（2023）浙0225行初{}号,2023-05-02,原告{i},甲镇人民政府,征收拆迁\r\n",
            2000 + i
        ));
    }
    let registrations = async {
        let mut statuses = Vec::new();
        for i in 0..15 {
            tokio::task::yield_now().await;
            let (s, v) = app
                .post(
                    "/api/v1/proceedings",
                    &app.coord,
                    proceeding(
                        &format!("（2023）浙0225行初{}号", 9000 + i),
                        app.unit_a,
                        "2023-06-01",
                        "并发",
                    ),
                )
                .await;
            statuses.push((s, v));
        }
        statuses
    };
    let (r, statuses) = tokio::join!(
        send(&app, &coord, &csrf, "import", "大台账.csv", csv.as_bytes()),
        registrations
    );
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("新增 1500 件"), "{}", r.body);
    for (s, v) in statuses {
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }

    // A file that is not a ledger gets a clear message.
    let r = send(&app, &coord, &csrf, "check", "说明.pdf", b"%PDF-1.4").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不支持的文件类型"));
    let r = send(
        &app,
        &coord,
        &csrf,
        "check",
        "空.csv",
        "甲,乙\n1,2\n".as_bytes(),
    )
    .await;
    assert!(r.body.contains("没有找到表头行"), "{}", r.body);
    let r = send(&app, &coord, "forged", "import", "台账.xlsx", &bytes).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.store.close().await;
}
