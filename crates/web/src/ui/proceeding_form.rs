//! Registering a proceeding (登记案件: a new dispute or a further stage of one) and editing it,
//! with an optimistic-lock conflict shown field by field so the user can merge. Every value is
//! kept as typed; the domain drafts do the validation the API does.

use std::collections::BTreeMap;

use huajie_domain::codes::CodeList;
use huajie_domain::proceeding::{
    PartyDraft, PartyKind, ProceedingDraft, ProceedingKind, ProceedingStatus,
};
use huajie_domain::records::{Proceeding, Unit};
use huajie_domain::{FieldError, Invalid};

use super::forms::{FieldErrs, Pairs};
use super::*;

/// One field of the form: how it is shown.
struct Spec {
    name: &'static str,
    label: &'static str,
    input: &'static str,
    hint: &'static str,
}

const fn spec(
    name: &'static str,
    label: &'static str,
    input: &'static str,
    hint: &'static str,
) -> Spec {
    Spec {
        name,
        label,
        input,
        hint,
    }
}

const CASE_FIELDS: &[Spec] = &[
    spec("kind", "程序类型", "select", ""),
    spec(
        "case_no",
        "案号",
        "case_no",
        "诉讼程序必填，如（2024）浙0624行初12号",
    ),
    spec("reference_no", "文号", "text", "复议、调解的文号"),
    spec("status", "状态", "select", ""),
    spec("registered_on", "登记日期", "date", ""),
    spec("domain", "领域", "select", ""),
    spec("act_type", "被诉行为类型", "select", ""),
    spec("forum", "受理机关", "text", "法院或复议机关"),
    spec("cause", "案由", "text", ""),
    spec(
        "claimant_count",
        "原告（申请人）人数",
        "number",
        "不填则按列出的人数",
    ),
];

const DATE_FIELDS: &[Spec] = &[
    spec("act_on", "行为作出日期", "date", ""),
    spec("received_on", "收到起诉状副本日期", "date", ""),
    spec("filed_on", "立案（受理）日期", "date", ""),
    spec("decided_on", "裁判（决定）日期", "date", ""),
    spec("served_on", "送达日期", "date", ""),
    spec("effective_on", "生效日期", "date", ""),
    spec("closed_on", "结案日期", "date", ""),
];

const SUMMARY_FIELDS: &[Spec] = &[spec("summary", "案情摘要", "textarea", "")];

const PARTY_FIELDS: &[Spec] = &[
    spec(
        "prior_case",
        "上一程序案号",
        "case_no",
        "二审、再审或复议后起诉时填写，归入同一争议",
    ),
    spec(
        "claimants",
        "原告（申请人）",
        "parties",
        "每行一个；可在下方搜索已登记过的当事人",
    ),
    spec("claimant_kind", "原告类别", "select", ""),
    spec("defendant", "被告（被申请人）", "unit", "从单位列表中选择"),
    spec("co_defendants", "共同被告", "units", "每行一个单位名称"),
    spec("third_parties", "第三人", "textarea", "每行一个"),
];

/// The fields a proceeding update compares (the edit form's fields, in order).
fn edit_specs() -> impl Iterator<Item = &'static Spec> {
    CASE_FIELDS.iter().chain(DATE_FIELDS).chain(SUMMARY_FIELDS)
}

struct FieldView {
    name: &'static str,
    label: &'static str,
    input: &'static str,
    hint: &'static str,
    value: String,
    error: Option<String>,
    options: Vec<Opt>,
    /// On a conflict: the value someone else saved, when it differs from what is in the form.
    theirs: Option<(String, String)>,
}

struct Section {
    title: &'static str,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "proceeding_form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    version: i64,
    base: String,
    sections: Vec<Section>,
    general: Vec<String>,
    conflict: Option<String>,
    auto_merged: Vec<String>,
    units: Vec<String>,
}

/// What the selects offer.
struct Choices {
    domains: Vec<(String, String)>,
    act_types: Vec<(String, String)>,
    units: Vec<Unit>,
}

impl Choices {
    async fn load(st: &AppState, s: &Session) -> Result<Choices, huajie_store::StoreError> {
        let active = |v: Vec<huajie_domain::records::CodeItem>| {
            v.into_iter()
                .filter(|c| c.active)
                .map(|c| (c.code, c.label))
                .collect()
        };
        Ok(Choices {
            domains: active(st.store.codes(CodeList::Domain).await?),
            act_types: active(st.store.codes(CodeList::ActType).await?),
            units: st
                .store
                .list_units(Some(s.actor.jurisdiction_id))
                .await?
                .into_iter()
                .filter(|u| u.active && !u.kind.is_jurisdiction())
                .collect(),
        })
    }

    fn options(&self, field: &str, current: &str) -> Vec<Opt> {
        let pairs: Vec<(String, String)> = match field {
            "kind" => ProceedingKind::ALL
                .iter()
                .map(|k| (k.code().into(), k.label().into()))
                .collect(),
            "status" => ProceedingStatus::ALL
                .iter()
                .map(|k| (k.code().into(), k.label().into()))
                .collect(),
            "claimant_kind" => [PartyKind::Person, PartyKind::Organization]
                .iter()
                .map(|k| (k.code().into(), k.label().into()))
                .collect(),
            "domain" => self.domains.clone(),
            "act_type" => self.act_types.clone(),
            _ => Vec::new(),
        };
        let mut out = Vec::new();
        if !matches!(field, "kind" | "status" | "claimant_kind") {
            out.push(Opt {
                value: String::new(),
                label: "请选择".into(),
                selected: current.is_empty(),
            });
        }
        out.extend(opts(pairs.into_iter(), current));
        out
    }

    /// The unit named exactly (full or short name) among the jurisdiction's units.
    fn unit_named(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name).or_else(|| {
            self.units
                .iter()
                .find(|u| u.short_name.as_deref() == Some(name))
        })
    }
}

type Values = BTreeMap<String, String>;

fn values_of(p: &Pairs, specs: &[&Spec]) -> Values {
    specs
        .iter()
        .map(|s| (s.name.to_string(), p.get(s.name)))
        .collect()
}

/// The saved proceeding as form values (what the edit form starts from).
fn values_of_proceeding(p: &Proceeding) -> Values {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        ("kind", p.kind.code().to_string()),
        ("case_no", o(&p.case_no)),
        ("reference_no", o(&p.reference_no)),
        ("status", p.status.code().to_string()),
        ("registered_on", p.registered_on.clone()),
        ("domain", p.domain.clone()),
        ("act_type", o(&p.act_type)),
        ("forum", o(&p.forum)),
        ("cause", o(&p.cause)),
        ("claimant_count", p.claimant_count.to_string()),
        ("act_on", o(&p.act_on)),
        ("received_on", o(&p.received_on)),
        ("filed_on", o(&p.filed_on)),
        ("decided_on", o(&p.decided_on)),
        ("served_on", o(&p.served_on)),
        ("effective_on", o(&p.effective_on)),
        ("closed_on", o(&p.closed_on)),
        ("summary", o(&p.summary)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn val<'a>(v: &'a Values, k: &str) -> &'a str {
    v.get(k).map(String::as_str).unwrap_or("")
}

fn lines(v: &str) -> Vec<String> {
    v.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The proceeding fields of the form as the API's draft (parties added by the caller).
fn draft_of(v: &Values, errs: &mut FieldErrs) -> ProceedingDraft {
    let g = |k: &str| v.get(k).cloned().filter(|s| !s.is_empty());
    let claimant_count = match g("claimant_count") {
        None => None,
        Some(n) => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.add("claimant_count", "原告（申请人）人数须为整数");
                None
            }
        },
    };
    ProceedingDraft {
        version: None,
        dispute_id: None,
        kind: g("kind"),
        case_no: g("case_no"),
        reference_no: g("reference_no"),
        status: g("status"),
        domain: g("domain"),
        act_type: g("act_type"),
        forum: g("forum"),
        cause: g("cause"),
        claimant_count,
        registered_on: g("registered_on"),
        act_on: g("act_on"),
        received_on: g("received_on"),
        filed_on: g("filed_on"),
        decided_on: g("decided_on"),
        served_on: g("served_on"),
        effective_on: g("effective_on"),
        closed_on: g("closed_on"),
        summary: g("summary"),
        parties: None,
    }
}

fn field_names(specs: &[&Spec]) -> Vec<&'static str> {
    specs.iter().map(|s| s.name).collect()
}

fn sections(
    groups: &[(&'static str, &[Spec])],
    v: &Values,
    errs: &FieldErrs,
    theirs: &Values,
    choices: &Choices,
) -> Vec<Section> {
    groups
        .iter()
        .map(|(title, specs)| Section {
            title,
            fields: specs
                .iter()
                .map(|s| {
                    let value = v.get(s.name).cloned().unwrap_or_default();
                    FieldView {
                        name: s.name,
                        label: s.label,
                        input: s.input,
                        hint: s.hint,
                        error: errs.get(s.name).map(str::to_string),
                        options: choices.options(s.name, &value),
                        theirs: theirs.get(s.name).filter(|t| **t != value).map(|t| {
                            let shown = choices
                                .options(s.name, t)
                                .into_iter()
                                .find(|o| o.selected && !o.value.is_empty())
                                .map(|o| o.label);
                            let label = match shown {
                                Some(label) => label,
                                None if t.is_empty() => "（空）".to_string(),
                                None => t.clone(),
                            };
                            (label, t.clone())
                        }),
                        value,
                    }
                })
                .collect(),
        })
        .collect()
}

fn unit_names(c: &Choices) -> Vec<String> {
    c.units.iter().map(|u| u.name.clone()).collect()
}

// ----- register -------------------------------------------------------------------------

const NEW_GROUPS: &[(&str, &[Spec])] = &[
    ("案件信息", CASE_FIELDS),
    ("当事人", PARTY_FIELDS),
    ("关键日期", DATE_FIELDS),
    ("", SUMMARY_FIELDS),
];

fn all_new_specs() -> Vec<&'static Spec> {
    NEW_GROUPS.iter().flat_map(|(_, s)| s.iter()).collect()
}

#[allow(clippy::too_many_arguments)]
fn render_new(
    s: &Session,
    choices: &Choices,
    v: &Values,
    errs: FieldErrs,
    status: StatusCode,
) -> Response {
    render(
        status,
        &FormPage {
            chrome: Chrome::new(s, "new"),
            heading: "登记案件".into(),
            action: "/proceedings/new".into(),
            cancel: "/ledger".into(),
            version: 0,
            base: String::new(),
            sections: sections(NEW_GROUPS, v, &errs, &Values::new(), choices),
            general: errs.general,
            conflict: None,
            auto_merged: Vec::new(),
            units: unit_names(choices),
        },
    )
}

pub async fn new_page(State(st): State<AppState>, s: UiSession) -> Response {
    if !s.0.actor.can_write_cases() {
        return denied(&s.0, "登记案件");
    }
    let choices = match Choices::load(&st, &s.0).await {
        Ok(c) => c,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let mut v = Values::new();
    v.insert("registered_on".into(), today().to_string());
    v.insert("kind".into(), ProceedingKind::FirstInstance.code().into());
    if matches!(s.0.actor.role, Role::UnitClerk | Role::UnitHead)
        && let Some(u) = choices.units.iter().find(|u| u.id == s.0.actor.unit_id)
    {
        v.insert("defendant".into(), u.name.clone());
    }
    render_new(&s.0, &choices, &v, FieldErrs::default(), StatusCode::OK)
}

/// A refusal shown as a page and logged (pages and API alike refuse in the store; this is the
/// early, friendlier refusal of a form the user may not use).
pub(crate) fn denied(s: &Session, what: &str) -> Response {
    tracing::warn!(user = %s.actor.username, role = s.actor.role.code(), what, "page denied");
    forbidden_page(&format!("您的角色（{}）不能{what}。", s.actor.role.label()))
}

/// Parties of the register form, with messages for names that are not units.
fn parties_of(v: &Values, choices: &Choices, errs: &mut FieldErrs) -> Vec<PartyDraft> {
    let mut out = Vec::new();
    let kind = v.get("claimant_kind").cloned().filter(|k| !k.is_empty());
    for name in lines(val(v, "claimants")) {
        out.push(PartyDraft {
            role: Some("claimant".into()),
            kind: kind.clone(),
            name: Some(name),
            ..PartyDraft::default()
        });
    }
    let mut unit = |field: &str, role: &str, name: &str, out: &mut Vec<PartyDraft>| match choices
        .unit_named(name)
    {
        Some(u) => out.push(PartyDraft {
            role: Some(role.into()),
            unit_id: Some(u.id),
            ..PartyDraft::default()
        }),
        None => errs.add(
            field,
            format!("未找到单位“{name}”，请从列表中选择本辖区的单位"),
        ),
    };
    let defendant = val(v, "defendant").to_string();
    if !defendant.is_empty() {
        unit("defendant", "defendant", &defendant, &mut out);
    }
    for name in lines(val(v, "co_defendants")) {
        unit("co_defendants", "co_defendant", &name, &mut out);
    }
    for name in lines(val(v, "third_parties")) {
        out.push(PartyDraft {
            role: Some("third_party".into()),
            name: Some(name),
            ..PartyDraft::default()
        });
    }
    out
}

/// Puts messages about `parties[i]` and the party list on the form fields that typed them.
fn party_errors(inv: Invalid, parties: &[PartyDraft]) -> Invalid {
    let field_of = |i: usize| match parties.get(i).and_then(|p| p.role.as_deref()) {
        Some("claimant") => "claimants",
        Some("defendant") => "defendant",
        Some("co_defendant") => "co_defendants",
        _ => "third_parties",
    };
    Invalid(
        inv.0
            .into_iter()
            .map(|mut e| {
                if let Some(rest) = e.field.strip_prefix("parties[") {
                    let i: usize = rest
                        .split(']')
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(usize::MAX);
                    e.field = field_of(i).to_string();
                } else if e.field == "parties" {
                    e.field = match e.code.as_str() {
                        "claimant_required" => "claimants",
                        "defendant_required" => "defendant",
                        _ => "parties",
                    }
                    .to_string();
                }
                e
            })
            .collect(),
    )
}

pub async fn new_submit(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    if !s.0.actor.can_write_cases() {
        return denied(&s.0, "登记案件");
    }
    let choices = match Choices::load(&st, &s.0).await {
        Ok(c) => c,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let specs = all_new_specs();
    let v = values_of(&p, &specs);
    let mut errs = FieldErrs::default();
    let mut draft = draft_of(&v, &mut errs);
    let parties = parties_of(&v, &choices, &mut errs);
    draft.parties = Some(parties.clone());
    if let Some(prior) = v.get("prior_case").filter(|c| !c.is_empty()) {
        match prior_dispute(&st, &s.0, prior).await {
            Ok(d) => draft.dispute_id = Some(d),
            Err(msg) => errs.add("prior_case", msg),
        }
    }
    let names = field_names(&specs);
    let result = match draft.validate_new() {
        Ok((input, party_inputs)) if errs.is_empty() => {
            st.store
                .create_proceeding(&s.0.actor, &input, &party_inputs)
                .await
        }
        Ok(_) => Err(huajie_store::StoreError::Invalid(Invalid::default())),
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(created) => {
            Redirect::to(&format!("/proceedings/{}?msg=registered", created.id)).into_response()
        }
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let more = FieldErrs::from_invalid(party_errors(inv, &parties), &names);
            for (k, m) in more.fields {
                errs.add(&k, m);
            }
            errs.general.extend(more.general);
            render_new(&s.0, &choices, &v, errs, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => store_error_page(&s.0, "案件", e),
    }
}

/// The dispute of an earlier proceeding named by its case number (or file number).
async fn prior_dispute(st: &AppState, s: &Session, typed: &str) -> Result<i64, String> {
    let key = match huajie_domain::case_no::CaseNo::parse(typed) {
        Ok(c) => c.to_string(),
        Err(e) => return Err(e.to_string()),
    };
    let id = match st.store.proceeding_by_case_no(&key).await {
        Ok(Some(id)) => id,
        Ok(None) => return Err(format!("未找到案号为“{key}”的程序")),
        Err(e) => return Err(format!("查询失败：{e}")),
    };
    match st.store.get_proceeding(&s.actor, id).await {
        Ok(p) => Ok(p.dispute_id),
        Err(_) => Err(format!("案号为“{key}”的程序不在您的查看范围内")),
    }
}

// ----- edit -----------------------------------------------------------------------------

const EDIT_GROUPS: &[(&str, &[Spec])] = &[
    ("案件信息", CASE_FIELDS),
    ("关键日期", DATE_FIELDS),
    ("", SUMMARY_FIELDS),
];

struct EditState {
    version: i64,
    values: Values,
    base: Values,
    errs: FieldErrs,
    theirs: Values,
    conflict: Option<String>,
    auto_merged: Vec<String>,
}

fn render_edit(
    s: &Session,
    id: i64,
    choices: &Choices,
    e: EditState,
    status: StatusCode,
) -> Response {
    render(
        status,
        &FormPage {
            chrome: Chrome::new(s, "ledger"),
            heading: "修改程序信息".into(),
            action: format!("/proceedings/{id}/edit"),
            cancel: format!("/proceedings/{id}"),
            version: e.version,
            base: serde_json::to_string(&e.base).unwrap_or_default(),
            sections: sections(EDIT_GROUPS, &e.values, &e.errs, &e.theirs, choices),
            general: e.errs.general,
            conflict: e.conflict,
            auto_merged: e.auto_merged,
            units: Vec::new(),
        },
    )
}

pub async fn edit_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("程序“{raw}”"));
    };
    if !s.0.actor.can_write_cases() {
        return denied(&s.0, "修改程序");
    }
    let p = match st.store.get_proceeding(&s.0.actor, id).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&s.0, &format!("程序（编号{id}）"), e),
    };
    let choices = match Choices::load(&st, &s.0).await {
        Ok(c) => c,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let values = values_of_proceeding(&p);
    render_edit(
        &s.0,
        id,
        &choices,
        EditState {
            version: p.version,
            base: values.clone(),
            values,
            errs: FieldErrs::default(),
            theirs: Values::new(),
            conflict: None,
            auto_merged: Vec::new(),
        },
        StatusCode::OK,
    )
}

pub async fn edit_submit(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "程序") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    if !s.0.actor.can_write_cases() {
        return denied(&s.0, "修改程序");
    }
    let choices = match Choices::load(&st, &s.0).await {
        Ok(c) => c,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let specs: Vec<&Spec> = edit_specs().collect();
    let names = field_names(&specs);
    let mine = values_of(&p, &specs);
    let base: Values = serde_json::from_str(&p.get("base")).unwrap_or_default();
    let Ok(version) = p.get("version").parse::<i64>() else {
        return forbidden_page("表单缺少版本号，请刷新页面后重试");
    };
    let mut errs = FieldErrs::default();
    let draft = draft_of(&mine, &mut errs);
    let result = match draft.validate_update() {
        Ok(input) if errs.is_empty() => {
            match crate::extract::reason_of(p.opt("reason").as_deref(), false) {
                Ok(reason) => {
                    huajie_store::audit::with_reason(
                        reason,
                        st.store.update_proceeding(&s.0.actor, id, version, &input),
                    )
                    .await
                }
                Err(_) => Err(huajie_store::StoreError::Invalid(
                    huajie_domain::FieldError::new(
                        "reason",
                        "too_long",
                        "修改原因不能超过500个字符，且不能含控制字符",
                    )
                    .into(),
                )),
            }
        }
        Ok(_) => Err(huajie_store::StoreError::Invalid(Invalid::default())),
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/proceedings/{id}?msg=updated")).into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let more = FieldErrs::from_invalid(inv, &names);
            for (k, m) in more.fields {
                errs.add(&k, m);
            }
            errs.general.extend(more.general);
            render_edit(
                &s.0,
                id,
                &choices,
                EditState {
                    version,
                    values: mine,
                    base,
                    errs,
                    theirs: Values::new(),
                    conflict: None,
                    auto_merged: Vec::new(),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(huajie_store::StoreError::Conflict { .. }) => {
            let current = match st.store.get_proceeding(&s.0.actor, id).await {
                Ok(p) => p,
                Err(e) => return store_error_page(&s.0, &format!("程序（编号{id}）"), e),
            };
            let last = st
                .store
                .history("proceeding", id)
                .await
                .ok()
                .and_then(|h| h.into_iter().last());
            let display = match &last {
                Some(a) => st
                    .store
                    .user_by_name(&a.actor_name)
                    .await
                    .map(|u| format!("{}（{}）", u.display_name, u.username))
                    .unwrap_or_else(|_| a.actor_name.clone()),
                None => String::new(),
            };
            let who = last
                .map(|a| {
                    format!(
                        "{display} 于 {}",
                        beijing_time(&a.at).chars().take(16).collect::<String>()
                    )
                })
                .unwrap_or_else(|| "他人".into());
            let theirs = values_of_proceeding(&current);
            let m = merge(&base, &mine, &theirs);
            let auto_merged = m
                .taken
                .iter()
                .filter_map(|n| specs.iter().find(|s| s.name == n))
                .map(|s| s.label.to_string())
                .collect();
            let conflicts = m.conflicts.len();
            render_edit(
                &s.0,
                id,
                &choices,
                EditState {
                    version: current.version,
                    values: m.values,
                    base: theirs.clone(),
                    errs,
                    theirs: theirs
                        .into_iter()
                        .filter(|(k, _)| m.conflicts.contains(k))
                        .collect(),
                    conflict: Some(format!(
                        "您编辑期间，{who}保存了修改，您的修改尚未保存。{}请核对后再次保存。",
                        if conflicts == 0 {
                            "对方修改的字段与您修改的不重叠，已合并到下方表单。".to_string()
                        } else {
                            format!(
                                "有{conflicts}个字段双方都改了且不一致（黄色标出），表单中保留的是您的填写，可点“采用对方的值”。"
                            )
                        }
                    )),
                    auto_merged,
                },
                StatusCode::CONFLICT,
            )
        }
        Err(e) => store_error_page(&s.0, &format!("程序（编号{id}）"), e),
    }
}

/// A three-way merge of form values: `base` is what the user started from, `mine` what they
/// submitted, `theirs` what is saved now.
#[derive(Debug, PartialEq)]
struct Merged {
    values: Values,
    /// Fields only the other side changed: their value was taken.
    taken: Vec<String>,
    /// Fields both sides changed to different values: the user's value is kept, theirs shown.
    conflicts: Vec<String>,
}

fn merge(base: &Values, mine: &Values, theirs: &Values) -> Merged {
    let mut out = Merged {
        values: Values::new(),
        taken: Vec::new(),
        conflicts: Vec::new(),
    };
    let empty = String::new();
    for (k, m) in mine {
        let b = base.get(k).unwrap_or(&empty);
        let t = theirs.get(k).unwrap_or(&empty);
        let v = if t == b || t == m {
            m.clone()
        } else if m == b {
            out.taken.push(k.clone());
            t.clone()
        } else {
            out.conflicts.push(k.clone());
            m.clone()
        };
        out.values.insert(k.clone(), v);
    }
    out
}

// ----- look-ups for the form's script -----------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct CaseNoQuery {
    #[serde(default)]
    v: String,
    #[serde(default)]
    kind: String,
    /// The proceeding being edited (its own number is not "already registered").
    #[serde(default)]
    id: String,
}

/// Checks a case number as it is typed, with the same rules as saving: `{ok, message}`.
pub async fn check_case_no(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<CaseNoQuery>,
) -> Response {
    let v = q.v.trim();
    if v.is_empty() {
        return axum::Json(serde_json::json!({"ok": true, "message": ""})).into_response();
    }
    let draft = ProceedingDraft {
        kind: Some(q.kind.clone()).filter(|k| !k.is_empty()),
        case_no: Some(v.to_string()),
        ..ProceedingDraft::default()
    };
    let case_err = draft
        .validate_update()
        .err()
        .and_then(|inv| inv.0.into_iter().find(|e| e.field == "case_no"));
    if let Some(FieldError { message, .. }) = case_err {
        return axum::Json(serde_json::json!({"ok": false, "message": message})).into_response();
    }
    let Ok(c) = huajie_domain::case_no::CaseNo::parse(v) else {
        return axum::Json(serde_json::json!({"ok": false, "message": "案号格式不正确"}))
            .into_response();
    };
    let key = c.to_string();
    let own = parse_id(&q.id);
    let message = match st.store.proceeding_by_case_no(&key).await {
        Ok(Some(found)) if Some(found) != own => {
            let visible = st.store.get_proceeding(&s.0.actor, found).await.is_ok();
            return axum::Json(serde_json::json!({
                "ok": false,
                "message": format!("案号“{key}”已登记"),
                "href": visible.then(|| format!("/proceedings/{found}")),
            }))
            .into_response();
        }
        _ => format!(
            "✓ {}年 · {} · 第{}号",
            c.year(),
            c.case_type().label(),
            c.seq()
        ),
    };
    axum::Json(serde_json::json!({"ok": true, "message": message, "normalized": key}))
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct PartyQuery {
    #[serde(default)]
    q: String,
}

/// Names of earlier claimants and third parties starting with what is typed.
pub async fn party_names(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<PartyQuery>,
) -> Response {
    let prefix = q.q.trim();
    if prefix.is_empty() {
        return axum::Json(Vec::<String>::new()).into_response();
    }
    match st.store.party_names(&s.0.actor, prefix, 10).await {
        Ok(names) => axum::Json(names).into_response(),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(kv: &[(&str, &str)]) -> Values {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn merge_takes_theirs_where_only_they_changed_and_keeps_mine_on_a_clash() {
        let base = vals(&[("a", "1"), ("b", "1"), ("c", "1"), ("d", "1")]);
        let mine = vals(&[("a", "2"), ("b", "1"), ("c", "2"), ("d", "5")]);
        let theirs = vals(&[("a", "1"), ("b", "3"), ("c", "3"), ("d", "5")]);
        let m = merge(&base, &mine, &theirs);
        assert_eq!(
            m.values,
            vals(&[("a", "2"), ("b", "3"), ("c", "2"), ("d", "5")])
        );
        assert_eq!(m.taken, vec!["b"]);
        assert_eq!(m.conflicts, vec!["c"]);
    }

    #[test]
    fn party_messages_land_on_the_field_that_typed_them() {
        let parties = vec![
            PartyDraft {
                role: Some("claimant".into()),
                ..PartyDraft::default()
            },
            PartyDraft {
                role: Some("third_party".into()),
                ..PartyDraft::default()
            },
        ];
        let mut inv = Invalid::default();
        inv.push(FieldError::new("parties[1].name", "too_long", "太长"));
        inv.push(FieldError::new("parties", "defendant_required", "缺被告"));
        let out = party_errors(inv, &parties);
        let fields: Vec<&str> = out.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["third_parties", "defendant"]);
    }
}
