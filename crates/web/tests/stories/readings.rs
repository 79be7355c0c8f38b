//! Reading a court document into a proceeding through the API: refusals that store nothing,
//! the proposal per defendant, a confirmation with a correction (kept as a labelled example),
//! the 裁判生效 event and the 败诉分析报告 deadline following the loss, the draft report, and the
//! losses by cause and domain in the statistics.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::*;
use super::forms::upload;

/// A first-instance judgment against both defendants (复议维持 双被告), in the full-text form.
pub const JUDGMENT: &str = "浙江省象山县人民法院
行 政 判 决 书
（2024）浙0225行初12号
原告张三，男，1970年1月1日出生，汉族，住象山县丹东街道。
被告测试县公安局，住所地测试县城关路1号。
法定代表人李四，局长。
被告甲镇人民政府，住所地测试县甲镇。
法定代表人王六，镇长。
原告张三不服被告测试县公安局行政处罚及被告甲镇人民政府行政复议决定一案，本院于2024年1月5日立案后，依法组成合议庭，公开开庭进行了审理。
被告测试县公安局辩称，其作出的处罚决定事实清楚，程序合法，请求驳回原告的诉讼请求。
本院认为，被告测试县公安局作出处罚决定前未告知原告陈述、申辩的权利，违反法定程序。被告甲镇人民政府作出的复议决定维持该处罚决定，亦应予撤销。依照《中华人民共和国行政诉讼法》第七十条第（三）项、第七十九条之规定，判决如下：
一、撤销被告测试县公安局于2023年10月8日作出的测公（治）罚决字〔2023〕8号行政处罚决定；
二、撤销被告甲镇人民政府于2023年12月1日作出的甲政复决字〔2023〕3号行政复议决定。
案件受理费50元，由被告测试县公安局负担。
如不服本判决，可以在判决书送达之日起十五日内提交上诉状。
审　判　长　王　五
二〇二四年三月一日
书　记　员　赵　六
";

fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

async fn read(
    app: &App,
    id: i64,
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (StatusCode, Value) {
    let (h, v) = bearer(token);
    let r = upload(
        app,
        &format!("/api/v1/proceedings/{id}/judgment-readings"),
        (h, &v),
        fields,
        file,
    )
    .await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

async fn raw_get(app: &App, uri: &str, token: &str) -> (StatusCode, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes)
}

fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // Text runs only.
    let mut out = String::new();
    for part in xml.split("<w:t xml:space=\"preserve\">").skip(1) {
        out.push_str(part.split("</w:t>").next().unwrap());
        out.push('\n');
    }
    out
}

fn deadline<'a>(list: &'a Value, rule: &str) -> Option<&'a Value> {
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule_id"] == rule)
}

pub async fn story(app: App) {
    let mut body = proceeding("（2024）浙0225行初12号", app.unit_b, "2024-01-05", "张三");
    body["parties"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "reconsideration_organ", "unit_id": app.unit_a}));
    let (s, p) = app.post("/api/v1/proceedings", &app.coord, body).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let party = |unit: i64| {
        p["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["unit_id"] == unit)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (police, town) = (party(app.unit_b), party(app.unit_a));

    // --- refusals store nothing ---------------------------------------------------------
    let audit_before = app.store.audit_count().await.unwrap();
    let (s, v) = read(&app, id, &app.coord, &[], None).await;
    assert_eq!(
        (s, codes(&v)[0].1.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "required"),
        "{v}"
    );
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n";
    let (s, v) = read(&app, id, &app.coord, &[], Some(("判决书.pdf", pdf))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        [("file".to_string(), "unreadable_type".to_string())]
    );
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("粘贴"),
        "{v}"
    );
    let (s, v) = read(
        &app,
        id,
        &app.coord,
        &[("text", "关于召开行政应诉工作会议的通知\n请各单位准时参加。")],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        [("text".to_string(), "not_a_judgment".to_string())]
    );
    let (s, v) = read(&app, id, &app.leader, &[("text", JUDGMENT)], None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (_, docs) = app
        .get(&format!("/api/v1/proceedings/{id}/documents"), &app.coord)
        .await;
    assert_eq!(docs, json!([]), "no document kept from a refused reading");
    assert_eq!(
        app.store.audit_count().await.unwrap(),
        audit_before + 1,
        "only the leader's refusal is logged"
    );

    // --- the proposal: a GB18030 text file, as saved by Windows Notepad --------------------
    let (gb, _, _) = encoding_rs::GB18030.encode(JUDGMENT);
    let (s, r) = read(
        &app,
        id,
        &app.clerk_a,
        &[],
        Some(("（2024）浙0225行初12号判决书.txt", &gb)),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(r["status"], "proposed");
    let prop = &r["proposal"];
    assert_eq!(prop["case_number"], "（2024）浙0225行初12号");
    assert_eq!(prop["stage"], "一审");
    assert_eq!(prop["doc_kind"], "判决书");
    assert_eq!(prop["agency_lost"], true);
    assert_eq!(prop["warnings"], json!([]));
    assert!(prop["reasoning"].as_str().unwrap().starts_with("本院认为"));
    let d = |pid: i64| {
        prop["defendants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["party_id"] == pid)
            .unwrap()
            .clone()
    };
    assert_eq!(d(police)["code"], "revoke");
    assert_eq!(d(police)["lost"], true);
    assert_eq!(d(police)["grounds"], json!(["illegal_procedure"]));
    assert_eq!(d(police)["decided_on"], "2024-03-01");
    assert_eq!(
        d(town)["code"],
        "revoke",
        "the 复议机关 loses with the original act"
    );
    let (_, docs) = app
        .get(&format!("/api/v1/proceedings/{id}/documents"), &app.coord)
        .await;
    assert_eq!(docs[0]["kind"], "judgment");
    assert_eq!(docs[0]["id"], r["document_id"]);

    // --- confirmation: every problem at once, nothing written ---------------------------------
    let confirm = format!("/api/v1/judgment-readings/{rid}/confirm");
    let (s, v) = app
        .post(
            &confirm,
            &app.coord,
            json!({"version": 1, "effective_on": "2024-02-01", "outcomes": [
                {"party_id": police, "code": "revoke", "decided_on": "2024-03-01", "grounds": ["illegal_procedure"]}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let c: Vec<String> = codes(&v).into_iter().map(|(_, c)| c).collect();
    assert_eq!(c, ["defendant_missing", "effective_before_decision"]);
    let (_, pr) = app
        .get(&format!("/api/v1/proceedings/{id}"), &app.coord)
        .await;
    assert_eq!(pr["outcomes"], json!([]));

    // --- confirmation with a correction ----------------------------------------------------
    let outcomes = |police_code: &str, town_code: &str| {
        json!([
            {"party_id": police, "code": police_code, "decided_on": "2024-03-01",
             "grounds": if police_code == "revoke" { json!(["illegal_procedure", "passive_defence"]) } else { json!([]) }},
            {"party_id": town, "code": town_code, "decided_on": "2024-03-01"}
        ])
    };
    let (s, v) = app
        .post(
            &confirm,
            &app.coord,
            json!({"version": 1, "effective_on": "2024-03-20", "outcomes": outcomes("revoke", "revoke")}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "confirmed");
    assert_eq!(v["corrected"], true);
    let corrections = v["labels"]["corrections"].to_string();
    assert!(corrections.contains("消极应诉"), "{corrections}");
    assert!(corrections.contains("测试县公安局"), "{corrections}");
    assert_eq!(v["labels"]["agency_lost"], true);
    let (_, pr) = app
        .get(&format!("/api/v1/proceedings/{id}"), &app.coord)
        .await;
    assert_eq!(pr["outcomes"].as_array().unwrap().len(), 2);
    assert!(
        pr["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["is_loss"] == true)
    );
    let (s, v) = app
        .post(
            &confirm,
            &app.coord,
            json!({"version": 1, "outcomes": outcomes("revoke", "revoke")}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale version: {v}");

    // The judgment took effect: the loss analysis report is due 20 days later.
    let (_, ev) = app
        .get(&format!("/api/v1/proceedings/{id}/events"), &app.coord)
        .await;
    let effective: Vec<&Value> = ev
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "judgment_effective")
        .collect();
    assert_eq!(effective.len(), 1);
    assert_eq!(effective[0]["occurred_on"], "2024-03-20");
    let dl_uri = format!("/api/v1/proceedings/{id}/deadlines");
    let (_, dl) = app.get(&dl_uri, &app.coord).await;
    let report = deadline(&dl, "LOSS_REPORT").expect("loss report deadline");
    assert_eq!(report["due_on"], "2024-04-09");
    assert!(report["name"].as_str().unwrap().contains("败诉分析报告"));
    assert!(deadline(&dl, "RETRIAL_APPLY").is_some());

    // A correction to "no loss" removes the open report deadline; back to a loss restores it.
    let (s, v) = app
        .post(
            &confirm,
            &app.coord,
            json!({"version": 2, "effective_on": "2024-03-20", "outcomes": outcomes("reject_claims", "reject_claims")}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["labels"]["agency_lost"], false);
    let (_, dl) = app.get(&dl_uri, &app.coord).await;
    assert!(deadline(&dl, "LOSS_REPORT").is_none(), "{dl}");
    // Regression: a unit re-confirming the reading could change what the court document
    // confirmed, with no approval. It must ask for a correction instead.
    let (s, v) = app
        .post(
            &confirm,
            &app.clerk_a,
            json!({"version": 3, "effective_on": "2024-03-22", "outcomes": outcomes("revoke", "revoke")}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("更正申请"),
        "{v}"
    );
    let (s, v) = app
        .post(
            &confirm,
            &app.coord,
            json!({"version": 3, "effective_on": "2024-03-22", "outcomes": outcomes("revoke", "revoke")}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, dl) = app.get(&dl_uri, &app.coord).await;
    assert_eq!(
        deadline(&dl, "LOSS_REPORT").unwrap()["due_on"],
        "2024-04-11",
        "{dl}"
    );

    // --- the draft loss analysis report ----------------------------------------------------
    let rep = format!("/api/v1/judgment-readings/{rid}/loss-report.docx");
    let (s, bytes) = raw_get(&app, &format!("{rep}?party_id={police}"), &app.coord).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    let text = docx_text(&bytes);
    for h in [
        "一、基本案情",
        "二、法院裁判理由",
        "三、败诉原因分析",
        "四、裁判落实情况",
        "五、整改措施",
    ] {
        assert!(text.contains(h), "{h} missing in {text}");
    }
    assert!(
        text.contains(
            "“本院认为，被告测试县公安局作出处罚决定前未告知原告陈述、申辩的权利，违反法定程序。"
        ),
        "{text}"
    );
    assert!(text.contains("2024年4月11日"), "the due date: {text}");
    assert!(text.contains("（二）消极应诉"), "{text}");
    assert!(text.contains("测试县公安局关于（2024）浙0225行初12号行政诉讼案件败诉情况的分析报告"));
    let (s, v) = app.get(&format!("{rep}?party_id=999999"), &app.coord).await;
    assert_eq!(
        (s, codes(&v)[0].1.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_party")
    );
    let (s, v) = app.get(&rep, &app.coord).await;
    assert_eq!(
        (s, codes(&v)[0].1.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "required")
    );

    // A second reading (pasted text) is only a proposal until confirmed: no report yet.
    let (s, r2) = read(&app, id, &app.coord, &[("text", JUDGMENT)], None).await;
    assert_eq!(s, StatusCode::CREATED, "{r2}");
    let (s, v) = app
        .get(
            &format!(
                "/api/v1/judgment-readings/{}/loss-report.docx?party_id={police}",
                r2["id"]
            ),
            &app.coord,
        )
        .await;
    assert_eq!(
        (s, codes(&v)[0].1.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "not_confirmed")
    );
    let (_, list) = app
        .get(
            &format!("/api/v1/proceedings/{id}/judgment-readings"),
            &app.clerk_a,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    // --- labelled examples ----------------------------------------------------------------
    let (s, ex) = app
        .get("/api/v1/judgment-examples?corrected=true", &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{ex}");
    assert_eq!(ex.as_array().unwrap().len(), 1);
    assert_eq!(ex[0]["reading"]["id"], rid);
    assert!(
        ex[0]["text"].as_str().unwrap().contains("判决如下"),
        "decoded from GB18030"
    );
    let (s, _) = app.get("/api/v1/judgment-examples", &app.clerk_a).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // --- losses by cause and domain --------------------------------------------------------
    let (s, set) = app
        .get("/api/v1/stats?period=quarter&year=2024&n=1", &app.coord)
        .await;
    assert_eq!(s, StatusCode::OK, "{set}");
    let lc = &set["loss_causes"];
    assert_eq!(lc["total"], 1, "{lc}");
    assert_eq!(lc["domains"][0][0], "expropriation");
    let row = |label: &str| {
        lc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == label)
            .unwrap_or_else(|| panic!("no row {label} in {lc}"))
            .clone()
    };
    assert_eq!(row("违反法定程序")["counts"], json!([1]));
    assert_eq!(row("消极应诉")["total"], 1);
    assert!(
        !lc["rows"].to_string().contains("未填写原因"),
        "the case's causes are those of all its losing defendants: {lc}"
    );
    app.store.close().await;
}
