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
    assert!(r.body.contains("已登记") || r.body.contains("已存在"), "{}", r.body);
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
    assert_eq!(input_value(&r, "forum"), "某中级法院", "mine kept on a clash");
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
        (v["cause"].as_str(), v["forum"].as_str(), v["summary"].as_str()),
        (Some("房屋征收补偿"), Some("某中级法院"), Some("补偿标准争议"))
    );
    // A field error on edit keeps every typed value.
    let e = page(&app, &edit, &coord).await;
    let bad_edit = submit(&e, &[("registered_on", "2025-02-30"), ("cause", "改了的案由")]);
    let refs: Vec<(&str, &str)> = bad_edit
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = form(&app, &edit, &coord, &refs, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(input_value(&r, "cause"), "改了的案由");
    assert!(r.body.contains("2025-02-30"));

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
    assert_eq!(v, json!([]), "names from other units' cases are not offered");
    let r = page(&app, &edit, &leader).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let c = page(&app, &format!("/proceedings/{id}"), &leader).await;
    assert_eq!(c.status, StatusCode::OK);
    assert!(!c.body.contains("修改信息"), "no edit link for a leader");
    app.store.close().await;
}
