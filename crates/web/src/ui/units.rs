//! 单位详情 (`/units/{id}`): a unit's facts, its heads (正职 / 副职 / 分管负责人, with their phone:
//! who must appear in court and who is texted before a hearing) and its users. The bureau's
//! coordinator adds and edits heads here; everyone else reads.

use huajie_domain::records::{UnitHead, User};
use huajie_domain::unit::{HeadDraft, HeadKind};

use super::forms::Pairs;
use super::*;

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    chrome: Chrome,
    unit: huajie_domain::records::Unit,
    kind: &'static str,
    heads: Vec<UnitHead>,
    users: Vec<User>,
    head_kinds: Vec<(&'static str, &'static str)>,
    can_admin: bool,
    errors: Vec<String>,
    /// The add form as typed after a refusal.
    typed: Pairs,
}

impl UnitPage {
    fn t(&self, k: &str) -> String {
        self.typed.get(k)
    }
}

async fn unit_page_with(
    st: &AppState,
    s: &Session,
    raw: &str,
    errors: Vec<String>,
    typed: Pairs,
    status: StatusCode,
) -> Response {
    let Some(id) = parse_id(raw) else {
        return not_found_page(s, &format!("单位“{raw}”"));
    };
    let j = Some(s.actor.jurisdiction_id);
    let unit = match st.store.get_unit(id, j).await {
        Ok(u) => u,
        Err(e) => return store_error_page(s, &format!("单位（编号{id}）"), e),
    };
    let heads = match st.store.list_heads(id).await {
        Ok(h) => h,
        Err(e) => return store_error_page(s, "单位负责人", e),
    };
    let users = if s.actor.can_administer() {
        st.store
            .list_users(j)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.unit_id == id)
            .collect()
    } else {
        Vec::new()
    };
    render(
        status,
        &UnitPage {
            chrome: Chrome::new(s, "units"),
            kind: unit.kind.label(),
            unit,
            heads,
            users,
            head_kinds: HeadKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            can_admin: s.actor.can_administer(),
            errors,
            typed,
        },
    )
}

pub async fn unit_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Response {
    unit_page_with(
        &st,
        &s.0,
        &raw,
        Vec::new(),
        Pairs::default(),
        StatusCode::OK,
    )
    .await
}

fn head_draft(p: &Pairs) -> HeadDraft {
    HeadDraft {
        version: p.get("version").parse().ok(),
        name: p.opt("name"),
        post: p.opt("post"),
        kind: p.opt("kind"),
        phone: p.opt("phone"),
    }
}

/// Adds a head to a unit (the coordinator).
pub async fn add_unit_head(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "单位") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    if !s.0.actor.can_administer() {
        return forbidden_page("只有司法局协调员可以维护单位负责人");
    }
    let result = match head_draft(&p).validate() {
        Ok(input) => st
            .store
            .add_head(
                &Author::from(&s.0.actor),
                id,
                &input,
                Some(s.0.actor.jurisdiction_id),
            )
            .await
            .map(|_| ()),
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/units/{id}")).into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            unit_page_with(&st, &s.0, &raw, errors, p, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => store_error_page(&s.0, "单位负责人", e),
    }
}

/// Changes a head (name, post, kind, phone).
pub async fn edit_unit_head(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "单位负责人") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    if !s.0.actor.can_administer() {
        return forbidden_page("只有司法局协调员可以维护单位负责人");
    }
    let unit = p.get("unit_id");
    let d = head_draft(&p);
    let result = match (d.validate(), d.version) {
        (Ok(input), Some(v)) => st
            .store
            .update_head(
                &Author::from(&s.0.actor),
                id,
                v,
                &input,
                Some(s.0.actor.jurisdiction_id),
            )
            .await
            .map(|h| h.unit_id),
        (Ok(_), None) => Err(huajie_domain::FieldError::required("version", "版本号").into()),
        (Err(inv), _) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(u) => Redirect::to(&format!("/units/{u}")).into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            unit_page_with(
                &st,
                &s.0,
                &unit,
                errors,
                Pairs::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(huajie_store::StoreError::Conflict { .. }) => {
            unit_page_with(
                &st,
                &s.0,
                &unit,
                vec!["该负责人信息已被他人修改，请查看最新内容后重新保存".into()],
                Pairs::default(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => store_error_page(&s.0, "单位负责人", e),
    }
}

#[derive(Template)]
#[template(path = "appearance_problems.html")]
struct ProblemsPage {
    chrome: Chrome,
    rows: Vec<huajie_domain::appearance::HearingDuty>,
    from: String,
    to: String,
    /// The appearance rules and their version, for the coordinator's form.
    rules: Option<(huajie_domain::appearance::DutyRules, i64)>,
    /// Every case circumstance: code, label, calls for the 正职 under the rules.
    flags: Vec<(&'static str, &'static str, bool)>,
    /// The claimant number as typed, when it was refused.
    claimants_typed: Option<String>,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProblemsQuery {
    from: Option<String>,
    to: Option<String>,
    msg: Option<String>,
}

/// 出庭问题: the jurisdiction's hearings whose recorded appearance has a problem.
pub async fn appearance_problems_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<ProblemsQuery>,
) -> Response {
    let s = &s.0;
    let t = st.store.today();
    let day = |field: &str, v: &Option<String>, d: jiff::civil::Date| match v
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(v) => huajie_domain::proceeding::parse_date(field, v),
        None => Ok(d),
    };
    let (from, to) = match (
        day(
            "from",
            &q.from,
            t.checked_sub(jiff::Span::new().days(90)).unwrap_or(t),
        ),
        day("to", &q.to, t),
    ) {
        (Ok(f), Ok(to)) => (f, to),
        (Err(e), _) | (_, Err(e)) => {
            return message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &e.message,
                "<a href=/appearance-problems>返回出庭问题</a>",
            );
        }
    };
    let flash = (q.msg.as_deref() == Some("rules"))
        .then_some("出庭规则已保存，各案件的应出庭人员已按新规则确定。");
    problems_page(&st, s, (from, to), Vec::new(), StatusCode::OK, flash, None).await
}

async fn problems_page(
    st: &AppState,
    s: &Session,
    (from, to): (jiff::civil::Date, jiff::civil::Date),
    errors: Vec<String>,
    status: StatusCode,
    flash: Option<&str>,
    typed: Option<&Pairs>,
) -> Response {
    let mut chrome = Chrome::new(s, "appearance_problems");
    chrome.flash = flash.map(str::to_string);
    let end = to.tomorrow().unwrap_or(to);
    let mut rules = if s.actor.can_administer() {
        st.store
            .appearance_rules(s.actor.jurisdiction_id)
            .await
            .ok()
    } else {
        None
    };
    // A refused form shows what was typed, not the stored rules.
    if let (Some((r, _)), Some(p)) = (rules.as_mut(), typed) {
        let claimants = r.principal_claimants;
        *r = typed_rules(p, claimants);
    }
    let flags = huajie_domain::appearance::CaseFlag::ALL
        .iter()
        .map(|f| {
            let on = rules
                .as_ref()
                .is_some_and(|(r, _)| r.principal_flags.contains(f));
            (f.code(), f.label(), on)
        })
        .collect();
    match st
        .store
        .appearance_problems(&s.actor, &from.to_string(), &end.to_string())
        .await
    {
        Ok(rows) => render(
            status,
            &ProblemsPage {
                chrome,
                rows,
                from: from.to_string(),
                to: to.to_string(),
                rules,
                flags,
                claimants_typed: typed.map(|p| p.get("principal_claimants")),
                errors,
            },
        ),
        Err(e) => store_error_page(s, "出庭问题", e),
    }
}

/// The 出庭规则 form's rules, with the claimant number given.
fn typed_rules(p: &Pairs, claimants: i64) -> huajie_domain::appearance::DutyRules {
    huajie_domain::appearance::DutyRules {
        principal_claimants: claimants,
        principal_flags: p
            .all("principal_flags")
            .iter()
            .filter_map(|f| huajie_domain::appearance::CaseFlag::from_code(f))
            .collect(),
        principal_on_risk_warning: p.has("principal_on_risk_warning"),
        county_government_deputy: p.has("county_government_deputy"),
    }
}

/// 出庭规则 (the coordinator): when the 正职 must appear, the county government's deputy.
pub async fn save_appearance_rules(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let t = st.store.today();
    let from = t.checked_sub(jiff::Span::new().days(90)).unwrap_or(t);
    let raw = p.get("principal_claimants");
    let claimants = match raw.trim().parse::<i64>() {
        Ok(n) if (0..=100_000).contains(&n) => n,
        _ => {
            let e = format!("正职出庭的原告人数“{raw}”应为 0 至 100000 的整数");
            return problems_page(
                &st,
                &s.0,
                (from, t),
                vec![e],
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(&p),
            )
            .await;
        }
    };
    let rules = typed_rules(&p, claimants);
    let version = p.get("version").parse::<i64>().unwrap_or(0);
    match st
        .store
        .set_appearance_rules(&s.0.actor, version, &rules)
        .await
    {
        Ok(_) => Redirect::to("/appearance-problems?msg=rules").into_response(),
        Err(huajie_store::StoreError::Conflict { .. }) => {
            let e = "出庭规则已被他人修改，请查看最新内容后重新保存".to_string();
            problems_page(
                &st,
                &s.0,
                (from, t),
                vec![e],
                StatusCode::CONFLICT,
                None,
                None,
            )
            .await
        }
        Err(e) => store_error_page(&s.0, "出庭规则", e),
    }
}
