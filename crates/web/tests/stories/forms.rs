//! The pages' forms through the real router: registering a case (field messages, nothing typed
//! lost, units and parties picked by name, the case number checked as typed), editing with an
//! optimistic-lock conflict merged field by field, and refusals by role and scope.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::*;
use super::ui::{Resp, form, login, page, session_cookie};

/// The text of an attribute value as the browser would submit it.
pub fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub async fn signed_in(app: &App, user: &str) -> String {
    let r = login(app, user, "secret123", "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    session_cookie(&r)
}

/// The value typed into a text input named `name` on a rendered form.
fn input_value(r: &Resp, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = r.body.find(&key).unwrap_or_else(|| panic!("no {name}")) + key.len();
    unescape(&r.body[i..i + r.body[i..].find('"').unwrap()])
}

async fn json_page(app: &App, uri: &str, cookie: &str) -> Value {
    let r = page(app, uri, cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

pub async fn story(app: App) {
    let coord = signed_in(&app, "coord").await;
    let clerk = signed_in(&app, "clerk.a").await;
    let leader = signed_in(&app, "leader").await;

    // --- the register form --------------------------------------------------------------
    let p = page(&app, "/proceedings/new", &coord).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("登记案件") && p.body.contains("<option value=\"甲镇人民政府\">"));
    let csrf = p.hidden("csrf");
    let r = page(&app, "/proceedings/new", &leader).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "leaders are read-only");
    assert!(r.body.contains("不能登记案件"));
    let p = page(&app, "/proceedings/new", &clerk).await;
    assert!(
        p.body.contains("name=\"defendant\" value=\"甲镇人民政府\""),
        "a unit clerk's own unit is the default defendant"
    );

    let audit_before = app.store.audit_count().await.unwrap();
    let bad = [
        ("csrf", csrf.as_str()),
        ("kind", "first_instance"),
        ("case_no", "（2025）浙0699民初3号"),
        ("registered_on", "2025-03-01"),
        ("domain", ""),
        ("claimant_count", "很多"),
        ("claimants", "赵六\n钱七"),
        ("claimant_kind", "person"),
        ("defendant", "不存在的局"),
        ("summary", "征收补偿争议，原告要求撤销补偿决定"),
    ];
    let r = form(&app, "/proceedings/new", &coord, &bad, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for msg in [
        "不存在的局",
        "请从列表中选择",
        "领域不能为空",
        "人数须为整数",
        "民初",
    ] {
        assert!(r.body.contains(msg), "{msg} in {}", r.body);
    }
    assert!(
        r.body.contains("赵六\n钱七") && r.body.contains("征收补偿争议，原告要求撤销补偿决定"),
        "nothing typed is lost"
    );
    assert!(r.body.contains("field invalid") || r.body.contains(" invalid\""));
    assert_eq!(
        app.store.audit_count().await.unwrap(),
        audit_before,
        "a refused form writes nothing"
    );
    let r = form(
        &app,
        "/proceedings/new",
        &coord,
        &[("csrf", "forged"), ("kind", "first_instance")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let good = [
        ("csrf", csrf.as_str()),
        ("kind", "first_instance"),
        ("case_no", "(2025)浙0699行初3号"),
        ("registered_on", "2025-03-01"),
        ("domain", "expropriation"),
        ("act_type", ""),
        ("forum", "测试县人民法院"),
        ("claimants", "赵六\n钱七"),
        ("claimant_kind", "person"),
        ("defendant", "甲镇人民政府"),
        ("co_defendants", "测试县公安局"),
        ("third_parties", ""),
        ("received_on", "2025-03-03"),
        ("summary", "征收补偿争议"),
    ];
    let r = form(&app, "/proceedings/new", &coord, &good, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let loc = r.location().to_string();
    assert!(loc.ends_with("?msg=registered"), "{loc}");
    let id: i64 = loc
        .trim_start_matches("/proceedings/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let c = page(&app, &loc, &coord).await;
    assert!(c.body.contains("（2025）浙0699行初3号") && c.body.contains("案件已登记"));
    assert!(c.body.contains("钱七") && c.body.contains("测试县公安局"));
    let (_, v) = app
        .get(&format!("/api/v1/proceedings/{id}"), &app.coord)
        .await;
    assert_eq!(v["claimant_count"], 2);
    assert_eq!(v["parties"].as_array().unwrap().len(), 4);
    // The same number again: refused on the field, with everything kept.
    let r = form(&app, "/proceedings/new", &coord, &good, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("已登记") || r.body.contains("已存在"),
        "{}",
        r.body
    );
    // A second instance joins the first one's dispute through its case number.
    let mut appeal = good.to_vec();
    appeal[1] = ("kind", "second_instance");
    appeal[2] = ("case_no", "（2025）浙06行终9号");
    appeal.push(("prior_case", "（2025）浙0699行初3号"));
    let r = form(&app, "/proceedings/new", &coord, &appeal, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, d) = app
        .get(&format!("/api/v1/disputes/{}", v["dispute_id"]), &app.coord)
        .await;
    assert_eq!(d["proceeding_ids"].as_array().unwrap().len(), 2, "{d}");
    let c = page(&app, r.location(), &coord).await;
    assert!(
        c.body.contains("所属争议")
            && c.body.contains(&format!(
                "href=\"/proceedings/{id}\">（2025）浙0699行初3号</a>"
            )),
        "{}",
        c.body
    );
    appeal[2] = ("case_no", "（2025）浙06行终10号");
    appeal.last_mut().unwrap().1 = "（2025）浙0699行初999号";
    let r = form(&app, "/proceedings/new", &coord, &appeal, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("未找到案号为"));

    // --- checked as typed; parties picked from earlier cases -----------------------------
    let v = json_page(
        &app,
        &format!(
            "/lookup/case-no?kind=first_instance&v={}",
            urlencode("(2025)浙0699行初3号")
        ),
        &coord,
    )
    .await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["href"], format!("/proceedings/{id}"));
    let v = json_page(
        &app,
        &format!(
            "/lookup/case-no?kind=first_instance&id={id}&v={}",
            urlencode("(2025)浙0699行初3号")
        ),
        &coord,
    )
    .await;
    assert_eq!(v["ok"], true, "its own number while editing: {v}");
    let v = json_page(
        &app,
        &format!(
            "/lookup/case-no?kind=first_instance&v={}",
            urlencode("(2025)浙0699行终4号")
        ),
        &coord,
    )
    .await;
    assert_eq!(v["ok"], false);
    assert!(v["message"].as_str().unwrap().contains("不符"), "{v}");
    let v = json_page(
        &app,
        &format!("/lookup/case-no?v={}", urlencode("2025浙行初")),
        &coord,
    )
    .await;
    assert_eq!(v["ok"], false);
    let v = json_page(
        &app,
        &format!("/lookup/parties?q={}", urlencode("钱")),
        &coord,
    )
    .await;
    assert_eq!(v, json!(["钱七"]));

    // --- editing: a conflict is shown field by field and merged --------------------------
    let edit = format!("/proceedings/{id}/edit");
    let a = page(&app, &edit, &coord).await;
    let b = page(&app, &edit, &clerk).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(b.status, StatusCode::OK, "the clerk's unit is a party");
    let submit = |r: &Resp, changes: &[(&'static str, &'static str)]| {
        let mut pairs: Vec<(String, String)> = vec![
            ("csrf".into(), r.hidden("csrf")),
            ("version".into(), r.hidden("version")),
            ("base".into(), unescape(&r.hidden("base"))),
        ];
        let base: Value = serde_json::from_str(&pairs[2].1).unwrap();
        for (k, v) in base.as_object().unwrap() {
            let v = changes
                .iter()
                .find(|(c, _)| c == k)
                .map(|(_, v)| v.to_string())
                .unwrap_or_else(|| v.as_str().unwrap().to_string());
            pairs.push((k.clone(), v));
        }
        pairs
    };
    let clerk_pairs = submit(&b, &[("cause", "房屋征收补偿"), ("forum", "测试县法院")]);
    let refs: Vec<(&str, &str)> = clerk_pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = form(&app, &edit, &clerk, &refs, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let coord_pairs = submit(&a, &[("summary", "补偿标准争议"), ("forum", "某中级法院")]);
    let refs: Vec<(&str, &str)> = coord_pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = form(&app, &edit, &coord, &refs, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("clerk.a") && r.body.contains("已采用对方修改的字段：案由"));
    assert_eq!(input_value(&r, "cause"), "房屋征收补偿", "theirs taken");
    assert!(r.body.contains("补偿标准争议"), "mine kept");
    assert_eq!(
        input_value(&r, "forum"),
        "某中级法院",
        "mine kept on a clash"
    );
    assert!(r.body.contains("对方保存的值：<b>测试县法院</b>"));
    assert_eq!(
        app.get(&format!("/api/v1/proceedings/{id}"), &app.coord)
            .await
            .1["forum"],
        "测试县法院",
        "nothing saved on a conflict"
    );
    // Saving the merged form (with the version it now carries) succeeds.
    let merged = submit(&r, &[("summary", "补偿标准争议"), ("forum", "某中级法院")]);
    let refs: Vec<(&str, &str)> = merged
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = form(&app, &edit, &coord, &refs, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, v) = app
        .get(&format!("/api/v1/proceedings/{id}"), &app.coord)
        .await;
    assert_eq!(
        (
            v["cause"].as_str(),
            v["forum"].as_str(),
            v["summary"].as_str()
        ),
        (
            Some("房屋征收补偿"),
            Some("某中级法院"),
            Some("补偿标准争议")
        )
    );
    // A field error on edit keeps every typed value.
    let e = page(&app, &edit, &coord).await;
    let bad_edit = submit(
        &e,
        &[("registered_on", "2025-02-30"), ("cause", "改了的案由")],
    );
    let refs: Vec<(&str, &str)> = bad_edit
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = form(&app, &edit, &coord, &refs, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(input_value(&r, "cause"), "改了的案由");
    assert!(r.body.contains("2025-02-30"));

    // --- hearings, appearances and outcomes through the case page's forms ----------------
    let case = format!("/proceedings/{id}");
    let csrf = page(&app, &case, &coord).await.hidden("csrf");
    let r = form(
        &app,
        &format!("{case}/hearings"),
        &coord,
        &[
            ("csrf", &csrf),
            ("scheduled_at", "2025-13-40T09:30"),
            ("place", "第三法庭"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("时间“2025-13-40T09:30”无效") && r.body.contains("value=\"第三法庭\""));
    let r = form(
        &app,
        &format!("{case}/hearings"),
        &coord,
        &[
            ("csrf", &csrf),
            ("scheduled_at", "2025-05-20T09:30"),
            ("place", "第三法庭"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, v) = app
        .get(&format!("/api/v1/proceedings/{id}"), &app.coord)
        .await;
    let hid = v["hearings"][0]["id"].as_i64().unwrap();
    assert_eq!(v["hearings"][0]["place"], "第三法庭");
    let appear = format!("/hearings/{hid}/appearances");
    let unit = app.unit_a.to_string();
    let r = form(
        &app,
        &appear,
        &coord,
        &[
            ("csrf", &csrf),
            ("unit_id", &unit),
            ("person_name", "周局长"),
            ("level", "principal_head"),
            ("spoke", "1"),
        ],
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "absent (box unticked) yet spoke"
    );
    assert!(r.body.contains("未出庭的人员不能记录为出声") && r.body.contains("未出庭时须填写理由"));
    assert!(r.body.contains("value=\"周局长\""), "typed name kept");
    let r = form(
        &app,
        &appear,
        &coord,
        &[
            ("csrf", &csrf),
            ("unit_id", &unit),
            ("person_name", "周局长"),
            ("post", "镇长"),
            ("level", "principal_head"),
            ("appeared", "1"),
            ("spoke", "1"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = page(&app, &case, &coord).await;
    assert!(
        c.body.contains("周局长 镇长（主要负责人，出庭，出声）"),
        "{}",
        c.body
    );
    let (_, v) = app
        .get(&format!("/api/v1/proceedings/{id}"), &app.coord)
        .await;
    let defendant = v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "defendant")
        .unwrap()["id"]
        .to_string();
    let r = form(
        &app,
        &format!("{case}/outcomes"),
        &coord,
        &[
            ("csrf", &csrf),
            ("party_id", &defendant),
            ("code", "reject_claims"),
            ("decided_on", "2025-06-01"),
            ("grounds", "wrong_law"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不是不利结果"), "{}", r.body);
    assert!(
        r.body.contains("value=\"wrong_law\" checked"),
        "ticked grounds kept"
    );
    let r = form(
        &app,
        &format!("{case}/outcomes"),
        &coord,
        &[
            ("csrf", &csrf),
            ("party_id", &defendant),
            ("code", "revoke"),
            ("decided_on", "2025-06-01"),
            ("grounds", "wrong_law"),
            ("grounds", "illegal_procedure"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = page(&app, &case, &coord).await;
    assert!(
        c.body.contains("判决撤销")
            && c.body.contains("适用法律、法规错误、违反法定程序")
            && c.body.contains("败诉")
    );
    let r = form(
        &app,
        &format!("{case}/outcomes"),
        &leader,
        &[
            ("csrf", &page(&app, &case, &leader).await.hidden("csrf")),
            ("party_id", &defendant),
            ("code", "revoke"),
            ("decided_on", "2025-06-01"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "leaders are read-only");

    // --- waiving and reopening a deadline (the coordinator) ---------------------------------
    let (s, _) = app
        .post(
            &format!("/api/v1/proceedings/{id}/events"),
            &app.coord,
            json!({"kind": "complaint_copy_received", "occurred_on": "2025-03-03"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, ds) = app
        .get(&format!("/api/v1/proceedings/{id}/deadlines"), &app.coord)
        .await;
    let d = &ds[0];
    let (did, dv) = (d["id"].to_string(), d["version"].to_string());
    let waive = format!("/deadlines/{did}/waive");
    let r = form(
        &app,
        &waive,
        &coord,
        &[("csrf", &csrf), ("version", &dv), ("reason", "")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("豁免理由不能为空"), "{}", r.body);
    let clerk_csrf = page(&app, &case, &clerk).await.hidden("csrf");
    assert!(!page(&app, &case, &clerk).await.body.contains("确认豁免"));
    let r = form(
        &app,
        &waive,
        &clerk,
        &[("csrf", &clerk_csrf), ("version", &dv), ("reason", "无需")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = form(
        &app,
        &waive,
        &coord,
        &[
            ("csrf", &csrf),
            ("version", &dv),
            ("reason", "原告已撤诉，无需答辩"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = page(&app, r.location(), &coord).await;
    assert!(c.body.contains("豁免：原告已撤诉，无需答辩") && c.body.contains("撤销完成/豁免"));
    let r = form(
        &app,
        &waive,
        &coord,
        &[("csrf", &csrf), ("version", &dv), ("action", "reopen")],
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the version read before the waiver is stale"
    );
    let dv2 = (dv.parse::<i64>().unwrap() + 1).to_string();
    let r = form(
        &app,
        &waive,
        &coord,
        &[("csrf", &csrf), ("version", &dv2), ("action", "reopen")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The 司法局 sees every unit's open deadlines on its workbench; a unit clerk only its own.
    let w = page(&app, "/", &coord).await;
    assert!(
        w.body.contains("全县未完成期限") && w.body.contains("提交答辩状"),
        "{}",
        w.body
    );
    assert!(
        !page(&app, "/", &clerk)
            .await
            .body
            .contains("全县未完成期限")
    );

    // --- scope and roles -----------------------------------------------------------------
    let (_, other) = app
        .post(
            "/api/v1/proceedings",
            &app.coord,
            proceeding("（2025）浙0699行初77号", app.unit_b, "2025-04-01", "孙八"),
        )
        .await;
    let other_id = other["id"].as_i64().unwrap();
    for uri in [
        format!("/proceedings/{other_id}"),
        format!("/proceedings/{other_id}/edit"),
    ] {
        let r = page(&app, &uri, &clerk).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.body.contains("不存在，或您无权查看"));
    }
    let v = json_page(
        &app,
        &format!("/lookup/parties?q={}", urlencode("孙")),
        &clerk,
    )
    .await;
    assert_eq!(
        v,
        json!([]),
        "names from other units' cases are not offered"
    );
    let r = page(&app, &edit, &leader).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let c = page(&app, &format!("/proceedings/{id}"), &leader).await;
    assert_eq!(c.status, StatusCode::OK);
    assert!(!c.body.contains("修改信息"), "no edit link for a leader");
    documents_story(&app, &coord, &clerk, id, other_id).await;
    admin_story(&app, &coord, &clerk).await;
    app.store.close().await;
}

/// A multipart body with the given text fields and one file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let b = "----huajieBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

pub async fn upload(
    app: &App,
    uri: &str,
    auth: (&str, &str),
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Resp {
    let (ct, body) = multipart(fields, file);
    let req = axum::http::Request::post(uri)
        .header(auth.0, auth.1)
        .header("host", "huajie.local")
        .header("content-type", ct)
        .body(axum::body::Body::from(body))
        .unwrap();
    super::ui::send(app, req).await
}

/// Documents: upload from the case page and the API, type and size checks, scoped download.
async fn documents_story(app: &App, coord: &str, clerk: &str, id: i64, other_id: i64) {
    let case = format!("/proceedings/{id}");
    let csrf = page(app, &case, coord).await.hidden("csrf");
    let to = format!("{case}/documents");
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n";
    let before = app.store.audit_count().await.unwrap();
    let r = upload(
        app,
        &to,
        ("cookie", coord),
        &[("csrf", "forged"), ("kind", "judgment")],
        Some(("判决书.pdf", pdf)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = upload(
        app,
        &to,
        ("cookie", coord),
        &[("csrf", &csrf), ("kind", "judgment")],
        Some(("判决书.pdf", b"MZ\x90\x00 not a pdf")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不支持此文件类型"), "{}", r.body);
    let r = upload(
        app,
        &to,
        ("cookie", coord),
        &[("csrf", &csrf), ("kind", "judgment")],
        Some(("判决书.docx", pdf)),
    )
    .await;
    assert!(r.body.contains("扩展名与内容不符"));
    let big = [b"%PDF-1.4 ".as_slice(), &vec![b'x'; 70 * 1024]].concat();
    let r = upload(
        app,
        &to,
        ("cookie", coord),
        &[("csrf", &csrf), ("kind", "judgment")],
        Some(("大文件.pdf", &big)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("文件过大"), "{}", r.body);
    let r = upload(
        app,
        &to,
        ("cookie", coord),
        &[("csrf", &csrf), ("kind", "")],
        Some(("判决书.pdf", pdf)),
    )
    .await;
    assert!(r.body.contains("文书类别不能为空"));
    assert_eq!(
        app.store.audit_count().await.unwrap(),
        before + 1,
        "only the forged form's refusal was logged"
    );
    let r = upload(
        app,
        &to,
        ("cookie", coord),
        &[("csrf", &csrf), ("kind", "judgment")],
        Some(("C:\\扫描件\\判决书.pdf", pdf)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = page(app, r.location(), coord).await;
    assert!(
        c.body.contains("文书已上传") && c.body.contains(">判决书.pdf</a>"),
        "{}",
        c.body
    );
    let (_, docs) = app
        .get(&format!("/api/v1/proceedings/{id}/documents"), &app.clerk_a)
        .await;
    let doc_id = docs[0]["id"].as_i64().unwrap();
    assert_eq!(docs[0]["media_type"], "application/pdf");
    assert_eq!(docs[0]["size"], pdf.len());
    // Download: the same bytes, a safe header, and a line in the audit log.
    let d = page(app, &format!("/documents/{doc_id}"), clerk).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body.as_bytes(), pdf, "the stored bytes come back");
    assert!(
        d.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E5%88%A4")
    );
    assert_eq!(d.headers["x-content-type-options"], "nosniff");
    let a = page(app, "/audit?action=download", coord).await;
    assert!(
        a.body.contains("clerk.a") && a.body.contains("文书"),
        "{}",
        a.body
    );
    // The API: upload with a token, list, download; other units' clerks are refused.
    let bearer = format!("Bearer {}", app.coord);
    let r = upload(
        app,
        &format!("/api/v1/proceedings/{other_id}/documents"),
        ("authorization", &bearer),
        &[("kind", "evidence_list")],
        Some((
            "证据清单.txt",
            "一、身份证复印件\n二、补偿协议\n".as_bytes(),
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    let other_doc = v["id"].as_i64().unwrap();
    let r = upload(
        app,
        &format!("/api/v1/proceedings/{other_id}/documents"),
        ("authorization", &bearer),
        &[("kind", "nonsense")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        codes(&v),
        vec![
            ("kind".into(), "unknown_value".into()),
            ("file".into(), "required".into())
        ]
    );
    let d = page(app, &format!("/documents/{other_doc}"), clerk).await;
    assert_eq!(
        d.status,
        StatusCode::NOT_FOUND,
        "a clerk never downloads another unit's document"
    );
    let (s, _) = app
        .get(&format!("/api/v1/documents/{other_doc}"), &app.clerk_a)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get(
            &format!("/api/v1/proceedings/{other_id}/documents"),
            &app.clerk_a,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = upload(
        app,
        &format!("/api/v1/proceedings/{id}/documents"),
        ("authorization", &format!("Bearer {}", app.leader)),
        &[("kind", "report")],
        Some(("报告.pdf", pdf)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "leaders are read-only");
    let d = page(app, &format!("/documents/{other_doc}"), coord).await;
    assert_eq!(d.body, "一、身份证复印件\n二、补偿协议\n");
}

/// 单位管理, 用户管理, 日历管理, 规则配置 and 审计日志.
async fn admin_story(app: &App, coord: &str, clerk: &str) {
    // Units: a tree for everyone, additions by the coordinator.
    let u = page(app, "/units", clerk).await;
    assert_eq!(u.status, StatusCode::OK);
    assert!(
        u.body.contains(&format!(
            "└ <a href=\"/units/{}\">甲镇人民政府</a>",
            app.unit_a
        )) && !u.body.contains("添加单位"),
        "{}",
        u.body
    );
    let u = page(app, "/units", coord).await;
    let csrf = u.hidden("csrf");
    let county = app.county.to_string();
    let r = form(
        app,
        "/units",
        coord,
        &[
            ("csrf", &csrf),
            ("name", ""),
            ("kind", "township"),
            ("parent_id", &county),
            ("contact_phone", "0571-1234"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("单位名称不能为空") && r.body.contains("value=\"0571-1234\""),
        "{}",
        r.body
    );
    let r = form(
        app,
        "/units",
        coord,
        &[
            ("csrf", &csrf),
            ("name", "丙镇人民政府"),
            ("kind", "township"),
            ("parent_id", &county),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = form(
        app,
        "/units",
        clerk,
        &[
            ("csrf", &page(app, "/units", clerk).await.hidden("csrf")),
            ("name", "丁镇"),
            ("kind", "township"),
            ("parent_id", &county),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Users: a generated first password, shown once; the new user must change it.
    let r = page(app, "/users", clerk).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let unit = app.unit_a.to_string();
    let r = form(
        app,
        "/users",
        coord,
        &[
            ("csrf", &csrf),
            ("username", "x"),
            ("display_name", "吴九"),
            ("role", "unit_clerk"),
            ("unit_id", &unit),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"吴九\""), "typed name kept");
    let r = form(
        app,
        "/users",
        coord,
        &[
            ("csrf", &csrf),
            ("username", "wujiu"),
            ("display_name", "吴九"),
            ("role", "unit_clerk"),
            ("unit_id", &unit),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pw = {
        let i = r.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
        r.body[i..i + 10].to_string()
    };
    let l = login(app, "wujiu", &pw, "/").await;
    assert_eq!(l.status, StatusCode::SEE_OTHER);
    let first = session_cookie(&l);
    assert_eq!(page(app, "/", &first).await.location(), "/password");
    let id = app
        .store
        .user_by_name("wujiu")
        .await
        .unwrap()
        .id
        .to_string();
    let r = form(
        app,
        &format!("/users/{id}/reset"),
        coord,
        &[("csrf", &csrf)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("用户 <b>wujiu</b> 的临时密码"));
    assert_eq!(
        page(app, "/", &first).await.location(),
        "/login?next=%2F",
        "a reset signs the user out"
    );
    let version = app
        .store
        .user_by_name("wujiu")
        .await
        .unwrap()
        .version
        .to_string();
    let r = form(
        app,
        &format!("/users/{id}/toggle"),
        coord,
        &[("csrf", &csrf), ("version", &version)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!app.store.user_by_name("wujiu").await.unwrap().active);

    // Calendar: a year's view, and loading a notice (bad text refused, kept).
    let c = page(app, "/calendar?year=2025", clerk).await;
    assert_eq!(c.status, StatusCode::OK);
    assert!(c.body.contains("class=\"day holiday\"") && !c.body.contains("导入放假通知"));
    assert_eq!(
        page(app, "/calendar?year=abc", clerk).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = form(
        app,
        "/calendar",
        coord,
        &[
            ("csrf", &csrf),
            ("csv", "date,kind,name\n2027-02-30,holiday,春节"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("2027-02-30,holiday,春节"),
        "the pasted text is kept"
    );
    let r = form(
        app,
        "/calendar",
        coord,
        &[
            ("csrf", &csrf),
            (
                "csv",
                "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节",
            ),
            ("source", "测试通知"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location()
            .starts_with("/calendar?year=2027&msg=imported-2-")
    );
    let c = page(app, r.location(), coord).await;
    assert!(c.body.contains("日历已导入：2 天") && c.body.contains("元旦"));

    // Rules: the table for everyone; edits validated, the typed text kept on an error.
    let r = page(app, "/rules", clerk).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("行政诉讼法") && !r.body.contains("校验并保存"));
    let r = page(app, "/rules", coord).await;
    let version = r.hidden("version");
    let bad = "[catalogue]\nid = \"x\"\nname = \"坏\"\nversion = \"1\"\nextends = \"statutory\"\n[[rule]]\nid = \"BAD\"\n";
    let resp = form(
        app,
        "/rules",
        coord,
        &[("csrf", &csrf), ("version", &version), ("toml", bad)],
        None,
    )
    .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.body.contains("id = &#34;BAD&#34;") || resp.body.contains("id = &quot;BAD&quot;"),
        "{}",
        resp.body
    );
    let resp = form(
        app,
        "/rules",
        coord,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("shipped", "local-xiangshan"),
        ],
        None,
    )
    .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    // The rules read in Chinese: periods, sources, natures, submissions, the shipped sets by name.
    let r = page(app, "/rules", coord).await;
    for want in [
        "15日",
        "5个工作日",
        "6个月",
        "法定",
        "本地规定",
        "权利期限",
        "须报送：",
        "象山县全过程备案",
    ] {
        assert!(r.body.contains(want), "{want} on 规则配置");
    }
    let table = &r.body[..r.body.find("id=\"edit\"").unwrap_or(r.body.len())];
    for raw in [
        "calendar_days:",
        "working_days:",
        ">statutory<",
        ">practice<",
        ">xiangshan<",
    ] {
        assert!(!table.contains(raw), "no raw code {raw} in the rules table");
    }
    let resp = form(
        app,
        "/rules",
        coord,
        &[("csrf", &csrf), ("version", &version), ("toml", "")],
        None,
    )
    .await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "a stale version");
    assert!(resp.body.contains("已被他人修改"));

    // Calendar feeds: created from the page (address shown once), fetched, revoked.
    let r = form(
        app,
        "/subscriptions",
        clerk,
        &[(
            "csrf",
            &page(app, "/subscriptions", clerk).await.hidden("csrf"),
        )],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let url = {
        let i = r.body.find("http://huajie.local/feeds/").unwrap() + "http://huajie.local".len();
        r.body[i..i + r.body[i..].find('<').unwrap()].to_string()
    };
    let ics = page(app, &url, "").await;
    assert!(ics.body.starts_with("BEGIN:VCALENDAR"), "{}", ics.body);
    let s = page(app, "/subscriptions", clerk).await;
    assert!(
        s.body.contains("我的期限和开庭") && !s.body.contains("/feeds/"),
        "the address is not shown again"
    );
    let fid = {
        let i = s.body.find("action=\"/subscriptions/").unwrap() + "action=\"/subscriptions/".len();
        s.body[i..i + s.body[i..].find('/').unwrap()].to_string()
    };
    let r = form(
        app,
        &format!("/subscriptions/{fid}/revoke"),
        clerk,
        &[("csrf", &s.hidden("csrf"))],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(page(app, &url, "").await.status, StatusCode::NOT_FOUND);
    let other = app.unit_b.to_string();
    let r = form(
        app,
        "/subscriptions",
        clerk,
        &[("csrf", &s.hidden("csrf")), ("unit_id", &other)],
        None,
    )
    .await;
    assert!(
        r.status == StatusCode::FORBIDDEN
            || r.status == StatusCode::NOT_FOUND
            || r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.status
    );

    // Audit log: search, refusals included; coordinators and auditors only.
    assert_eq!(
        page(app, "/audit", clerk).await.status,
        StatusCode::FORBIDDEN
    );
    let a = page(app, "/audit?action=denied", coord).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.body.contains("拒绝访问") && a.body.contains("clerk.a") && a.body.contains("GET /users"),
        "{}",
        a.body
    );
    let a = page(app, "/audit?actor=coord&entity=user", coord).await;
    assert!(a.body.contains("用户") && !a.body.contains("clerk.a"));
    // Every row names the case and says in Chinese what happened (no "其他操作", no "期限 176").
    let a = page(app, "/audit?entity=deadline", coord).await;
    assert!(a.body.contains("号 · 期限"), "{}", a.body);
    assert!(
        !a.body.contains("其他操作") && !regex_like_id(&a.body, "期限 "),
        "{}",
        a.body
    );
    let a = page(app, "/audit?from=2025-99-01", coord).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The API's refusals are logged the same way.
    let before = app.store.audit_count().await.unwrap();
    let (s, _) = app
        .post(
            "/api/v1/units",
            &app.clerk_a,
            json!({"name": "戊镇", "kind": "township", "parent_id": app.county}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.store.audit_count().await.unwrap(), before + 1);
}

/// Whether `body` has `prefix` followed directly by a digit (a bare record id shown to people).
fn regex_like_id(body: &str, prefix: &str) -> bool {
    body.match_indices(prefix).any(|(i, _)| {
        body[i + prefix.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}
