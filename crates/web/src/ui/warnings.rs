//! 风险预警 pages: the list (open by grade and unit, overdue feedback, filters), one warning
//! with its history and its units' obligations, and the bureau's forms (交办 with the 包案
//! leader, 调整等级, 提请协调小组, 销号 with the result). A warning is sent from the case page
//! (`send_warning`). The obligations are submitted and reviewed on 期限详情, like any other.

use huajie_domain::records::Deadline;
use huajie_domain::warning::{
    AssignDraft, CloseWarningDraft, Grade, StepDraft, Warning, WarningDraft, WarningHistory,
    WarningResult, WarningState,
};
use huajie_store::warnings::WarningQuery;

use super::forms::Pairs;
use super::*;

struct Row {
    id: i64,
    grade_code: &'static str,
    grade: &'static str,
    case: (i64, String),
    source: String,
    state_code: &'static str,
    state: &'static str,
    units: String,
    lead: String,
    issued_on: String,
    open: i64,
    overdue: i64,
    result: String,
}

impl From<&Warning> for Row {
    fn from(w: &Warning) -> Row {
        Row {
            id: w.id,
            grade_code: w.grade.code(),
            grade: w.grade.label(),
            case: (w.proceeding_id, w.case_label.clone()),
            source: format!("{}（{}）", w.source_unit_name, w.source.label()),
            state_code: w.state.code(),
            state: w.state.label(),
            units: w
                .units
                .iter()
                .map(|u| u.unit_name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            lead: w.lead_label.clone().unwrap_or_default(),
            issued_on: w.issued_on.clone(),
            open: w.open_obligations,
            overdue: w.overdue_obligations,
            result: w.result_label.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    /// Open warnings per grade: (code, label, count).
    tiles: Vec<(&'static str, &'static str, usize)>,
    /// Open warnings whose units are late with an obligation.
    overdue: usize,
    grades: Vec<Opt>,
    states: Vec<Opt>,
    units: Vec<Opt>,
    /// 预警统计, year to date (the bureau, leaders, auditors).
    stats: Option<huajie_domain::warning::WarningStats>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    grade: Option<String>,
    state: Option<String>,
    unit_id: Option<String>,
}

fn grade_opts(selected: &str, any: Option<&str>) -> Vec<Opt> {
    let mut v = Vec::new();
    if let Some(label) = any {
        v.push(Opt {
            value: String::new(),
            label: label.into(),
            selected: selected.is_empty(),
        });
    }
    v.extend(Grade::ALL.iter().map(|g| Opt {
        value: g.code().into(),
        label: g.label().into(),
        selected: g.code() == selected,
    }));
    v
}

/// 风险预警: the warnings in the user's scope.
pub async fn warnings_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<ListQuery>,
) -> Response {
    let s = &s.0;
    let unit_id = match q
        .unit_id
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(v) => match parse_id(v) {
            Some(id) => Some(id),
            None => {
                return message_page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("单位编号“{v}”无效"),
                    "<a href=/warnings>返回风险预警</a>",
                );
            }
        },
    };
    let params = crate::warnings::WarningParams {
        grade: q.grade.clone(),
        state: q.state.clone(),
        unit_id,
        proceeding_id: None,
    };
    let query = match params.query() {
        Ok(x) => x,
        Err(inv) => return store_error_page(s, "风险预警", huajie_store::StoreError::Invalid(inv)),
    };
    let list = match st.store.list_warnings(&s.actor, &query).await {
        Ok(l) => l,
        Err(e) => return store_error_page(s, "风险预警", e),
    };
    // The tiles count every open warning in scope, whatever the filters.
    let all = if q.grade.is_some() || q.state.is_some() || unit_id.is_some() {
        st.store
            .list_warnings(&s.actor, &WarningQuery::default())
            .await
            .unwrap_or_default()
    } else {
        list.clone()
    };
    let open: Vec<&Warning> = all
        .iter()
        .filter(|w| w.state != WarningState::Closed)
        .collect();
    let tiles = Grade::ALL
        .iter()
        .map(|g| {
            (
                g.code(),
                g.label(),
                open.iter().filter(|w| w.grade == *g).count(),
            )
        })
        .collect();
    let overdue = open.iter().filter(|w| w.overdue_obligations > 0).count();
    let units = if s.actor.can_read_statistics() {
        let mut names: Vec<(i64, String)> = all
            .iter()
            .flat_map(|w| w.units.iter().map(|u| (u.unit_id, u.unit_name.clone())))
            .collect();
        names.sort();
        names.dedup();
        std::iter::once(Opt {
            value: String::new(),
            label: "全部责任单位".into(),
            selected: unit_id.is_none(),
        })
        .chain(names.into_iter().map(|(id, n)| Opt {
            value: id.to_string(),
            label: n,
            selected: unit_id == Some(id),
        }))
        .collect()
    } else {
        Vec::new()
    };
    let st_sel = q.state.clone().unwrap_or_default();
    let stats = if s.actor.can_read_statistics() {
        let t = st.store.today();
        match huajie_domain::stats::Period::custom(
            jiff::civil::Date::new(t.year(), 1, 1).unwrap_or(t),
            t,
        ) {
            Ok(period) => st.store.warning_stats(&s.actor, &period, t).await.ok(),
            Err(_) => None,
        }
    } else {
        None
    };
    render(
        StatusCode::OK,
        &ListPage {
            stats,
            chrome: Chrome::new(s, "warnings"),
            rows: list.iter().map(Row::from).collect(),
            tiles,
            overdue,
            grades: grade_opts(q.grade.as_deref().unwrap_or(""), Some("全部等级")),
            states: std::iter::once(Opt {
                value: String::new(),
                label: "全部状态".into(),
                selected: st_sel.is_empty(),
            })
            .chain(WarningState::ALL.iter().map(|x| Opt {
                value: x.code().into(),
                label: x.label().into(),
                selected: x.code() == st_sel,
            }))
            .collect(),
            units,
        },
    )
}

struct ObligationRow {
    id: i64,
    name: String,
    owner: String,
    due_on: String,
    state_code: &'static str,
    state_label: String,
    submission: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "warning.html")]
struct OnePage {
    chrome: Chrome,
    w: Row,
    reasons: String,
    version: i64,
    letter: Option<i64>,
    result_note: String,
    closed_on: String,
    history: Vec<WarningHistory>,
    obligations: Vec<ObligationRow>,
    /// The bureau's forms (open warnings only).
    can_manage: bool,
    /// 交办 is offered until the warning is assigned.
    can_assign: bool,
    /// Candidate units (id, name, chosen) and heads (id, label) for 交办.
    units: Vec<(i64, String, bool)>,
    heads: Vec<(i64, String)>,
    grades: Vec<Opt>,
    results: Vec<Opt>,
    today: String,
    /// Leaders' 批示, and whether the viewer (a leader) may write one.
    instructions: Vec<huajie_domain::supervision::Instruction>,
    can_instruct: bool,
    /// The form refused (assign, regrade, escalate, close), what was typed and why.
    form: String,
    typed: Pairs,
    errors: Vec<String>,
}

impl OnePage {
    fn val(&self, form: &str, field: &str) -> String {
        if self.form == form {
            self.typed.get(field)
        } else {
            String::new()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MsgQuery {
    msg: Option<String>,
}

/// One warning: facts, history, obligations, the bureau's forms.
pub async fn warning_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    Query(q): Query<MsgQuery>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("风险预警“{raw}”"));
    };
    let flash = match q.msg.as_deref() {
        Some("assigned") => Some("已交办，各责任单位的处置反馈和风险分析报告义务已生成。"),
        Some("regraded") => Some("预警等级已调整。"),
        Some("escalated") => Some("已提请县行政争议协调小组，县领导已收到提醒。"),
        Some("closed") => Some("已销号。"),
        Some("instructed") => Some("批示已送达责任单位和司法局。"),
        _ => None,
    };
    one_page(&st, &s.0, id, flash, None).await
}

async fn one_page(
    st: &AppState,
    s: &Session,
    id: i64,
    flash: Option<&str>,
    refused: Option<(&str, Pairs, Vec<String>)>,
) -> Response {
    let (w, history, obligations): (Warning, Vec<WarningHistory>, Vec<Deadline>) =
        match st.store.warning(&s.actor, id).await {
            Ok(x) => x,
            Err(huajie_store::StoreError::NotFound) => return not_found_page(s, "风险预警"),
            Err(e) => return store_error_page(s, "风险预警", e),
        };
    let can_manage = s.actor.can_administer() && w.state != WarningState::Closed;
    let instructions = st
        .store
        .warning_instructions(&s.actor, id)
        .await
        .unwrap_or_default();
    let can_instruct = s.actor.role == huajie_domain::user::Role::Leader;
    let can_assign = can_manage && w.assigned_on.is_none();
    let (form, typed, errors) = match refused {
        Some((f, p, e)) => (f.to_string(), p, e),
        None => (String::new(), Pairs::default(), Vec::new()),
    };
    let (mut units, mut heads) = (Vec::new(), Vec::new());
    if can_assign {
        // The case's defendant units first (chosen by default), then every other unit.
        let p = st
            .store
            .get_proceeding(&s.actor, w.proceeding_id)
            .await
            .ok();
        let defendants: Vec<i64> = p
            .iter()
            .flat_map(|p| p.parties.iter())
            .filter(|x| x.role.is_defendant_side())
            .filter_map(|x| x.unit_id)
            .collect();
        let chosen: Vec<String> = typed.all("unit_ids");
        let all = st
            .store
            .list_units(Some(s.actor.jurisdiction_id))
            .await
            .unwrap_or_default();
        let mut candidates: Vec<_> = all
            .into_iter()
            .filter(|u| {
                use huajie_domain::unit::UnitKind as K;
                u.active
                    && u.id != s.actor.jurisdiction_id
                    && !matches!(
                        u.kind,
                        K::JusticeBureau | K::Court | K::County | K::City | K::Province
                    )
            })
            .collect();
        candidates.sort_by_key(|u| (!defendants.contains(&u.id), u.id));
        for u in &candidates {
            let on = if form == "assign" {
                chosen.contains(&u.id.to_string())
            } else {
                defendants.contains(&u.id)
            };
            units.push((u.id, u.name.clone(), on));
            if defendants.contains(&u.id) {
                for h in st.store.list_heads(u.id).await.unwrap_or_default() {
                    heads.push((
                        h.id,
                        format!("{} · {}（{}，{}）", u.name, h.name, h.post, h.kind.label()),
                    ));
                }
            }
        }
    }
    let mut chrome = Chrome::new(s, "warnings");
    chrome.flash = flash.map(str::to_string);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &OnePage {
            chrome,
            w: Row::from(&w),
            reasons: w.reasons.clone(),
            version: w.version,
            letter: w.letter_document_id,
            result_note: w.result_note.clone().unwrap_or_default(),
            closed_on: w.closed_on.clone().unwrap_or_default(),
            history,
            obligations: obligations
                .into_iter()
                .map(|d| ObligationRow {
                    id: d.id,
                    name: d.name,
                    owner: d.owner_label,
                    due_on: d.due_on,
                    state_code: d.state.code(),
                    state_label: d.state_label,
                    submission: d.submission_state.map(|x| x.label()),
                })
                .collect(),
            can_manage,
            can_assign,
            units,
            heads,
            grades: grade_opts(
                &if form == "regrade" {
                    typed.get("grade")
                } else {
                    String::new()
                },
                Some("请选择"),
            ),
            results: std::iter::once(Opt {
                value: String::new(),
                label: "请选择".into(),
                selected: true,
            })
            .chain(WarningResult::ALL.iter().map(|r| Opt {
                value: r.code().into(),
                label: r.label().into(),
                selected: form == "close" && typed.get("result") == r.code(),
            }))
            .collect(),
            today: st.store.today().to_string(),
            instructions,
            can_instruct,
            form,
            typed,
            errors,
        },
    )
}

/// The outcome of one of the warning page's forms.
async fn after(
    st: &AppState,
    s: &Session,
    id: i64,
    form: &'static str,
    p: Pairs,
    result: Result<(), huajie_store::StoreError>,
    done: &str,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/warnings/{id}?msg={done}")).into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            one_page(st, s, id, None, Some((form, p, errors))).await
        }
        Err(huajie_store::StoreError::Conflict { .. }) => {
            let errors = vec!["该预警已被他人修改，请查看最新内容后重新操作".to_string()];
            one_page(st, s, id, None, Some((form, p, errors))).await
        }
        Err(e) => store_error_page(s, "风险预警", e),
    }
}

fn form_version(p: &Pairs) -> Result<i64, huajie_store::StoreError> {
    p.get("version").parse::<i64>().map_err(|_| {
        huajie_domain::FieldError::new("version", "required", "表单缺少版本号，请刷新页面后重试")
            .into()
    })
}

/// 交办 from the form (the coordinator).
pub async fn assign_warning(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "风险预警") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = AssignDraft {
        version: None,
        unit_ids: p
            .all("unit_ids")
            .iter()
            .filter_map(|v| parse_id(v))
            .collect(),
        lead_head_id: parse_id(&p.get("lead_head_id")),
        assigned_on: p.opt("assigned_on"),
        note: p.opt("note"),
    };
    let result = async {
        let v = form_version(&p)?;
        let input = draft.validate(st.store.today())?;
        st.store.assign_warning(&s.0.actor, id, v, &input).await?;
        Ok(())
    }
    .await;
    after(&st, &s.0, id, "assign", p, result, "assigned").await
}

/// 调整等级 or 提请协调小组 from the form (the coordinator).
pub async fn warning_step(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "风险预警") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let regrade = p.get("step") == "regrade";
    let draft = StepDraft {
        version: None,
        grade: p.opt("grade"),
        reason: p.opt("reason"),
    };
    let result = async {
        let v = form_version(&p)?;
        let (grade, reason) = draft.validate(regrade)?;
        st.store
            .warning_step(&s.0.actor, id, v, grade, &reason)
            .await?;
        Ok(())
    }
    .await;
    if regrade {
        after(&st, &s.0, id, "regrade", p, result, "regraded").await
    } else {
        after(&st, &s.0, id, "escalate", p, result, "escalated").await
    }
}

/// 销号 from the form (the coordinator).
pub async fn close_warning(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "风险预警") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = CloseWarningDraft {
        version: None,
        result: p.opt("result"),
        note: p.opt("note"),
        closed_on: p.opt("closed_on"),
    };
    let result = async {
        let v = form_version(&p)?;
        let input = draft.validate(st.store.today())?;
        st.store.close_warning(&s.0.actor, id, v, &input).await?;
        Ok(())
    }
    .await;
    after(&st, &s.0, id, "close", p, result, "closed").await
}

/// 发出风险预警 from the case page: the court liaison, the bureau, or the defendant unit.
pub async fn send_warning(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let pid = match s.posted(&headers, &p, &raw, "程序") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = WarningDraft {
        grade: p.opt("grade"),
        reasons: p.opt("reasons"),
        issued_on: p.opt("issued_on"),
        letter_document_id: parse_id(&p.get("letter_document_id")),
    };
    let result = match draft.validate(st.store.today()) {
        Ok(input) => st.store.create_warning(&s.0.actor, pid, &input).await,
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    super::case::case_form(
        &st,
        &s.0,
        pid,
        "warning".into(),
        p,
        &["grade", "reasons", "issued_on", "letter_document_id"],
        result,
        "msg=warning_sent#warnings",
    )
    .await
}

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    chrome: Chrome,
    rows: Vec<huajie_domain::risk::RiskSuggestion>,
    all: bool,
    /// The factors and weights, as (what, points) lines.
    rules: Vec<(String, String)>,
    /// The coordinator sends a warning from a suggestion (after reading it) and changes the
    /// weights: the form (stored, or as typed when refused), its version and the refusals.
    can_send: bool,
    form: huajie_domain::risk::RulesForm,
    version: i64,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RiskQuery {
    all: Option<String>,
    msg: Option<String>,
}

/// 评分规则 from the form (the coordinator).
pub async fn save_risk_rules(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let form = huajie_domain::risk::RulesForm {
        domains: p.get("domains"),
        act_types: p.get("act_types"),
        claimants: p.get("claimants"),
        co_defendants: p.get("co_defendants"),
        per_earlier_loss: p.get("per_earlier_loss"),
        earlier_loss_cap: p.get("earlier_loss_cap"),
        earlier_loss_years: p.get("earlier_loss_years"),
        per_missed_obligation: p.get("per_missed_obligation"),
        missed_cap: p.get("missed_cap"),
        reconsideration_corrected: p.get("reconsideration_corrected"),
        red_from: p.get("red_from"),
        yellow_from: p.get("yellow_from"),
        blue_from: p.get("blue_from"),
    };
    let version = p.get("version").parse::<i64>().unwrap_or(0);
    let result = match form.parse() {
        Ok(rules) => st.store.set_risk_rules(&s.0.actor, version, &rules).await,
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(_) => Redirect::to("/warnings/risk?msg=rules").into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            risk_view(&st, &s.0, false, None, Some((form, errors))).await
        }
        Err(huajie_store::StoreError::Conflict { .. }) => {
            let errors = vec!["评分规则已被他人修改，请查看最新内容后重新保存".to_string()];
            risk_view(&st, &s.0, false, None, Some((form, errors))).await
        }
        Err(e) => store_error_page(&s.0, "评分规则", e),
    }
}

/// 风险评分: the pending cases by score with the factors, the grade suggested and the open
/// warning; the coordinator confirms a suggestion by sending the warning.
pub async fn risk_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<RiskQuery>,
) -> Response {
    let flash =
        (q.msg.as_deref() == Some("rules")).then_some("评分规则已保存，各案件已按新规则评分。");
    risk_view(&st, &s.0, q.all.as_deref() == Some("1"), flash, None).await
}

async fn risk_view(
    st: &AppState,
    s: &Session,
    all: bool,
    flash: Option<&str>,
    refused: Option<(huajie_domain::risk::RulesForm, Vec<String>)>,
) -> Response {
    let rows = match st.store.risk_suggestions(&s.actor, all).await {
        Ok(r) => r,
        Err(e) => return store_error_page(s, "风险评分", e),
    };
    let (r, version) = match st.store.risk_rules(s.actor.jurisdiction_id).await {
        Ok(x) => x,
        Err(e) => return store_error_page(s, "风险评分", e),
    };
    let domains = st
        .store
        .codes(huajie_domain::codes::CodeList::Domain)
        .await
        .unwrap_or_default();
    let acts = st
        .store
        .codes(huajie_domain::codes::CodeList::ActType)
        .await
        .unwrap_or_default();
    let name = |items: &[huajie_domain::records::CodeItem], code: &str| {
        items
            .iter()
            .find(|i| i.code == code)
            .map(|i| i.label.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let mut rules: Vec<(String, String)> = Vec::new();
    for (d, p) in &r.domains {
        rules.push((format!("领域为{}", name(&domains, d)), format!("{p}分")));
    }
    for (a, p) in &r.act_types {
        rules.push((format!("被诉行为为{}", name(&acts, a)), format!("{p}分")));
    }
    for t in &r.claimants {
        rules.push((
            format!("原告{}人以上", t.min),
            format!("{}分（取最高一档）", t.points),
        ));
    }
    rules.push(("有共同被告".into(), format!("{}分", r.co_defendants)));
    rules.push((
        format!("被告单位近{}年在同一领域败诉", r.earlier_loss_years),
        format!("每件{}分，最多{}分", r.per_earlier_loss, r.earlier_loss_cap),
    ));
    rules.push((
        "本案义务逾期".into(),
        format!("每项{}分，最多{}分", r.per_missed_obligation, r.missed_cap),
    ));
    rules.push((
        "同一争议的行政复议已纠错".into(),
        format!("{}分", r.reconsideration_corrected),
    ));
    rules.push((
        "建议等级".into(),
        format!(
            "{}分以上红色，{}分以上黄色，{}分以上蓝色",
            r.red_from, r.yellow_from, r.blue_from
        ),
    ));
    let mut chrome = Chrome::new(s, "warnings");
    chrome.flash = flash.map(str::to_string);
    let (form, errors, status) = match refused {
        Some((f, e)) => (f, e, StatusCode::UNPROCESSABLE_ENTITY),
        None => (
            huajie_domain::risk::RulesForm::of(&r),
            Vec::new(),
            StatusCode::OK,
        ),
    };
    render(
        status,
        &RiskPage {
            chrome,
            rows,
            all,
            rules,
            can_send: s.actor.can_administer(),
            form,
            version,
            errors,
        },
    )
}

/// 批示 on a warning from its page (a leader).
pub async fn instruct_warning(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "风险预警") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = huajie_domain::supervision::InstructionDraft {
        text: p.opt("text"),
    };
    let result = async {
        let text = draft.validate()?;
        st.store
            .add_instruction(
                &s.0.actor,
                huajie_store::supervision::On::Warning(id),
                &text,
            )
            .await?;
        Ok(())
    }
    .await;
    after(&st, &s.0, id, "instruct", p, result, "instructed").await
}
