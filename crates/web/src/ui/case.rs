use super::*;

// ----- case page (程序详情) ----------------------------------------------------------------

struct CaseDeadline {
    id: i64,
    version: i64,
    state_code: &'static str,
    state_label: String,
    provisional: bool,
    due_on: String,
    name: String,
    responsible_label: String,
    trace: String,
    citation: String,
    change_note: Option<String>,
    done_note: Option<String>,
    open: bool,
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    id: i64,
    title: String,
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    facts: Vec<(&'static str, String)>,
    parties: Vec<(&'static str, &'static str, String)>,
    deadlines: Vec<CaseDeadline>,
    events: Vec<huajie_domain::records::Event>,
    event_kinds: Vec<Opt>,
    event_form: EventForm,
    event_errors: Vec<String>,
    hearings: Vec<(String, String, String)>,
    outcomes: Vec<(String, &'static str, String, &'static str)>,
    audit: Vec<(String, String, String, String)>,
    can_write: bool,
    today: String,
}

fn audit_action(a: &str) -> &'static str {
    match a {
        "create" => "新增",
        "update" => "修改",
        "delete" => "删除",
        "recompute" => "重新计算",
        "met" => "标记完成",
        "waive" => "豁免",
        "reopen" => "撤销完成/豁免",
        "adjust" => "期限调整",
        _ => "其他操作",
    }
}

fn audit_entity(e: &str) -> &'static str {
    match e {
        "proceeding" => "程序",
        "party" => "当事人",
        "hearing" => "开庭",
        "appearance" => "出庭",
        "outcome" => "结果",
        "event" => "事件",
        "deadline" => "期限",
        _ => "记录",
    }
}

async fn render_case(
    st: &AppState,
    s: &Session,
    id: i64,
    event_form: EventForm,
    event_errors: Vec<String>,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    use huajie_domain::rules::EventKind;
    let actor = &s.actor;
    let p = match st.store.get_proceeding(actor, id).await {
        Ok(p) => p,
        Err(huajie_store::StoreError::NotFound) => {
            return not_found_page(s, &format!("程序（编号{id}）"));
        }
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let (events, deadlines, history) = match (
        st.store.list_events(actor, id).await,
        st.store.proceeding_deadlines(actor, id).await,
        st.store.history("proceeding", id).await,
    ) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return crate::error::ApiError::from(e).into_response();
        }
    };
    let label_of = |list, code: &str| {
        let st = st.clone();
        let code = code.to_string();
        async move {
            st.store
                .codes(list)
                .await
                .ok()
                .and_then(|items| items.into_iter().find(|i| i.code == code))
                .map(|i| i.label)
                .unwrap_or(code)
        }
    };
    let domain_label = label_of(huajie_domain::codes::CodeList::Domain, &p.domain).await;
    let act_label = match &p.act_type {
        Some(a) => Some(label_of(huajie_domain::codes::CodeList::ActType, a).await),
        None => None,
    };
    let title = p
        .case_no
        .clone()
        .or(p.reference_no.clone())
        .unwrap_or_else(|| format!("程序 {id}"));
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let facts = vec![
        ("案号/文号", title.clone()),
        ("登记日期", p.registered_on.clone()),
        ("领域", domain_label),
        ("被诉行为类型", opt(&act_label)),
        ("受理机关", opt(&p.forum)),
        ("案由", opt(&p.cause)),
        ("行为作出日期", opt(&p.act_on)),
        ("收到日期", opt(&p.received_on)),
        ("立案日期", opt(&p.filed_on)),
        ("裁判日期", opt(&p.decided_on)),
        ("送达日期", opt(&p.served_on)),
        ("生效日期", opt(&p.effective_on)),
        ("结案日期", opt(&p.closed_on)),
        ("原告人数", p.claimant_count.to_string()),
    ];
    let party_name = |pid: i64| {
        p.parties
            .iter()
            .find(|x| x.id == pid)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let mut chrome = Chrome::new(s, "ledger");
    chrome.flash = flash;
    let kind_code = event_form.kind.clone();
    render(
        status,
        &CasePage {
            chrome,
            id,
            kind: p.kind.label(),
            status: p.status.label(),
            status_code: p.status.code(),
            facts,
            parties: p
                .parties
                .iter()
                .map(|x| (x.role.label(), x.kind.label(), x.name.clone()))
                .collect(),
            deadlines: deadlines
                .into_iter()
                .map(|d| CaseDeadline {
                    open: d.met_on.is_none() && d.waived_reason.is_none(),
                    done_note: match (&d.met_on, &d.waived_reason) {
                        (Some(m), _) => Some(format!("完成于 {m}")),
                        (_, Some(r)) => Some(format!(
                            "豁免：{r}（{}）",
                            d.waived_by.clone().unwrap_or_default()
                        )),
                        _ => None,
                    },
                    id: d.id,
                    version: d.version,
                    state_code: d.state.code(),
                    state_label: d.state_label,
                    provisional: d.provisional,
                    due_on: d.due_on,
                    name: d.name,
                    responsible_label: d.responsible_label,
                    trace: d.trace,
                    citation: d.citation,
                    change_note: d.change_note,
                })
                .collect(),
            events,
            event_kinds: opts(
                EventKind::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &kind_code,
            ),
            event_form,
            event_errors,
            hearings: p
                .hearings
                .iter()
                .map(|h| {
                    let who: Vec<String> = h
                        .appearances
                        .iter()
                        .map(|a| {
                            format!(
                                "{}（{}，{}{}）",
                                a.person_name,
                                a.level.label(),
                                if a.appeared { "出庭" } else { "未出庭" },
                                if a.spoke { "，发言" } else { "" }
                            )
                        })
                        .collect();
                    (
                        h.scheduled_at
                            .replacen('T', " ", 1)
                            .chars()
                            .take(16)
                            .collect(),
                        h.place.clone().unwrap_or_default(),
                        if who.is_empty() {
                            "未登记".to_string()
                        } else {
                            who.join("；")
                        },
                    )
                })
                .collect(),
            outcomes: p
                .outcomes
                .iter()
                .map(|o| {
                    (
                        party_name(o.party_id),
                        o.code.label(),
                        o.decided_on.clone(),
                        if o.is_loss { "败诉" } else { "否" },
                    )
                })
                .collect(),
            audit: history
                .into_iter()
                .rev()
                .take(50)
                .map(|a| {
                    (
                        a.at.replacen('T', " ", 1).chars().take(19).collect(),
                        a.actor_name,
                        audit_action(&a.action).to_string(),
                        format!("{} {}", audit_entity(&a.entity), a.entity_id),
                    )
                })
                .collect(),
            can_write: actor.can_write_cases(),
            today: today().to_string(),
            title,
        },
    )
    .into_response()
}


pub async fn case_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    Query(q): Query<MsgParam>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("程序“{raw}”"));
    };
    let flash = match q.msg.as_deref() {
        Some("event_added") => Some("事件已登记，期限已自动计算。".to_string()),
        Some("met") => Some("期限已标记完成。".to_string()),
        Some("registered") => Some("案件已登记。请登记“收到起诉状副本”等事件，期限将自动计算。".to_string()),
        Some("updated") => Some("程序信息已保存。".to_string()),
        _ => None,
    };
    render_case(
        &st,
        &s.0,
        id,
        EventForm::default(),
        Vec::new(),
        flash,
        StatusCode::OK,
    )
    .await
}

pub async fn add_event(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    Form(f): Form<EventForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("程序“{raw}”"));
    };
    if let Err(r) = s.check(&headers, &f.csrf) {
        return *r;
    }
    let draft = huajie_domain::deadline::EventDraft {
        version: None,
        kind: Some(f.kind.clone()),
        occurred_on: Some(f.occurred_on.clone()),
        note: Some(f.note.clone()),
    };
    let errors = match draft.validate() {
        Ok(input) => match st.store.add_event(&s.0.actor, id, &input).await {
            Ok(_) => {
                return Redirect::to(&format!("/proceedings/{id}?msg=event_added#deadlines"))
                    .into_response();
            }
            Err(huajie_store::StoreError::Invalid(inv)) => {
                inv.0.into_iter().map(|e| e.message).collect()
            }
            Err(e) => return store_error_page(&s.0, &format!("程序（编号{id}）"), e),
        },
        Err(inv) => inv.0.into_iter().map(|e| e.message).collect(),
    };
    render_case(
        &st,
        &s.0,
        id,
        f,
        errors,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct MetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    met_on: String,
}

pub async fn mark_met(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    Form(f): Form<MetForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("期限“{raw}”"));
    };
    if let Err(r) = s.check(&headers, &f.csrf) {
        return *r;
    }
    let draft = huajie_domain::deadline::MetDraft {
        version: f.version.parse().ok(),
        met_on: Some(f.met_on.clone()),
    };
    let result = match (draft.validate(today()), draft.version) {
        (Ok(met_on), Some(v)) => st.store.mark_deadline_met(&s.0.actor, id, v, met_on).await,
        (Err(inv), _) => Err(huajie_store::StoreError::Invalid(inv)),
        (Ok(_), None) => return forbidden_page("表单缺少版本号，请刷新页面后重试"),
    };
    match result {
        Ok(d) => Redirect::to(&format!(
            "/proceedings/{}?msg=met#deadlines",
            d.proceeding_id
        ))
        .into_response(),
        Err(e) => store_error_page(&s.0, &format!("期限（编号{id}）"), e),
    }
}
