//! 工作事项 pages: the list of work items (风险预警, 督办单, 司法建议, 责任追究) with the
//! coordinator's form to open one (交办), and one work item with its units, events and
//! obligations (each unit's own, repetitions 第N期) and the close-out form (销号). The
//! obligations themselves are submitted and reviewed on 期限详情 (`/deadlines/{id}`), like a
//! proceeding's.

use huajie_domain::records::{Event, WorkItem};
use huajie_domain::subject::{CloseDraft, SubjectKind, WorkItemDraft, WorkStatus};

use super::forms::Pairs;
use super::*;

struct ItemRow {
    id: i64,
    kind: &'static str,
    title: String,
    case: Option<(i64, String)>,
    units: String,
    opened_on: String,
    status_code: &'static str,
    status: &'static str,
    open: i64,
    overdue: i64,
}

impl From<WorkItem> for ItemRow {
    fn from(w: WorkItem) -> Self {
        ItemRow {
            id: w.id,
            kind: w.kind.label(),
            title: w.title,
            case: w
                .proceeding_id
                .map(|p| (p, w.case_label.unwrap_or_else(|| format!("案件{p}")))),
            units: w
                .units
                .iter()
                .map(|u| u.unit_name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            opened_on: w.opened_on,
            status_code: w.status.code(),
            status: w.status.label(),
            open: w.open_obligations,
            overdue: w.overdue_obligations,
        }
    }
}

#[derive(Template)]
#[template(path = "work_items.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<ItemRow>,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    /// The coordinator's form to open a work item.
    form: Option<NewForm>,
    errors: Vec<String>,
}

struct NewForm {
    kinds: Vec<Opt>,
    units: Vec<(i64, String, bool)>,
    title: String,
    opened_on: String,
    note: String,
    /// The proceeding it will concern (from the case page's link), with its label.
    case: Option<(i64, String)>,
    /// 挂牌督办 (supervision orders): typed values, the heads of the candidate units and the
    /// county leaders.
    listed: bool,
    lead: String,
    follower: String,
    heads: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
    status: Option<String>,
    proceeding_id: Option<String>,
}

fn kind_opts(selected: &str, any: bool) -> Vec<Opt> {
    let mut v = Vec::new();
    if any {
        v.push(Opt {
            value: String::new(),
            label: "全部类型".into(),
            selected: selected.is_empty(),
        });
    }
    v.extend(SubjectKind::work_kinds().map(|k| Opt {
        value: k.code().into(),
        label: k.label().into(),
        selected: k.code() == selected,
    }));
    v
}

/// 工作事项: the list in the user's scope, and for the coordinator the form to open one.
pub async fn work_items_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<ListQuery>,
) -> Response {
    list_page(&st, &s.0, &q, None, Vec::new()).await
}

async fn list_page(
    st: &AppState,
    s: &Session,
    q: &ListQuery,
    typed: Option<&Pairs>,
    errors: Vec<String>,
) -> Response {
    let params = crate::work_items::ListParams {
        kind: q.kind.clone(),
        status: q.status.clone(),
        unit_id: None,
        proceeding_id: q.proceeding_id.as_deref().and_then(parse_id),
    };
    let query = match params.query() {
        Ok(x) => x,
        Err(inv) => return store_error_page(s, "工作事项", huajie_store::StoreError::Invalid(inv)),
    };
    let items = match st.store.list_work_items(&s.actor, &query).await {
        Ok(i) => i,
        Err(e) => return store_error_page(s, "工作事项", e),
    };
    let form = if s.actor.can_administer() {
        let units = match st.store.list_units(Some(s.actor.jurisdiction_id)).await {
            Ok(u) => u,
            Err(e) => return store_error_page(s, "单位", e),
        };
        let chosen: Vec<String> = typed.map(|p| p.all("unit_ids")).unwrap_or_default();
        let case_id = typed
            .and_then(|p| parse_id(&p.get("proceeding_id")))
            .or_else(|| q.proceeding_id.as_deref().and_then(parse_id));
        let case = match case_id {
            None => None,
            Some(pid) => match st.store.get_proceeding(&s.actor, pid).await {
                Ok(p) => Some((
                    pid,
                    p.case_no
                        .or(p.reference_no)
                        .unwrap_or_else(|| format!("案件{pid}")),
                )),
                Err(_) => None,
            },
        };
        let mut heads = Vec::new();
        let mut leaders = Vec::new();
        for u in st
            .store
            .list_users(Some(s.actor.jurisdiction_id))
            .await
            .unwrap_or_default()
        {
            if u.role == huajie_domain::user::Role::Leader && u.active {
                leaders.push((u.id, u.display_name));
            }
        }
        for u in &units {
            for h in st.store.list_heads(u.id).await.unwrap_or_default() {
                heads.push((
                    h.id,
                    format!("{} · {}（{}，{}）", u.name, h.name, h.post, h.kind.label()),
                ));
            }
        }
        Some(NewForm {
            listed: typed.is_some_and(|p| p.has("listed")),
            lead: typed.map(|p| p.get("lead_head_id")).unwrap_or_default(),
            follower: typed.map(|p| p.get("follower_id")).unwrap_or_default(),
            heads,
            leaders,
            kinds: kind_opts(
                &typed
                    .map(|p| p.get("kind"))
                    .unwrap_or_else(|| "supervision".into()),
                false,
            ),
            units: units
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
                .map(|u| {
                    let on = chosen.contains(&u.id.to_string());
                    (u.id, u.name, on)
                })
                .collect(),
            title: typed.map(|p| p.get("title")).unwrap_or_default(),
            opened_on: typed
                .map(|p| p.get("opened_on"))
                .unwrap_or_else(|| st.store.today().to_string()),
            note: typed.map(|p| p.get("note")).unwrap_or_default(),
            case,
        })
    } else {
        None
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let st_sel = q.status.clone().unwrap_or_default();
    render(
        status,
        &ListPage {
            chrome: Chrome::new(s, "work_items"),
            rows: items.into_iter().map(ItemRow::from).collect(),
            kinds: kind_opts(q.kind.as_deref().unwrap_or(""), true),
            statuses: std::iter::once(Opt {
                value: String::new(),
                label: "全部状态".into(),
                selected: st_sel.is_empty(),
            })
            .chain(WorkStatus::ALL.iter().map(|x| Opt {
                value: x.code().into(),
                label: x.label().into(),
                selected: x.code() == st_sel,
            }))
            .collect(),
            form,
            errors,
        },
    )
}

/// Opens a work item from the form (the coordinator).
pub async fn create_work_item(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let mut inv = huajie_domain::Invalid::default();
    let unit_ids: Vec<i64> = p
        .all("unit_ids")
        .iter()
        .filter_map(|v| {
            v.parse()
                .map_err(|_| {
                    inv.push(huajie_domain::FieldError::new(
                        "unit_ids",
                        "invalid_id",
                        "承办单位的编号无效",
                    ))
                })
                .ok()
        })
        .collect();
    let raw_case = p.get("proceeding_id");
    let proceeding_id = if raw_case.trim().is_empty() {
        None
    } else {
        match parse_id(&raw_case) {
            Some(id) => Some(id),
            None => {
                inv.push(huajie_domain::FieldError::new(
                    "proceeding_id",
                    "invalid_id",
                    "关联案件的编号无效",
                ));
                None
            }
        }
    };
    let draft = WorkItemDraft {
        kind: p.opt("kind"),
        title: p.opt("title"),
        proceeding_id,
        unit_ids,
        opened_on: p.opt("opened_on"),
        note: p.opt("note"),
    };
    let result = if p.get("kind") == SubjectKind::Supervision.code() {
        // A 督办单: numbered, possibly 挂牌督办.
        let order = huajie_domain::supervision::OrderDraft {
            title: draft.title.clone(),
            proceeding_id: draft.proceeding_id,
            unit_ids: draft.unit_ids.clone(),
            opened_on: draft.opened_on.clone(),
            note: draft.note.clone(),
            listed: p.has("listed"),
            lead_head_id: parse_id(&p.get("lead_head_id")),
            follower_id: parse_id(&p.get("follower_id")),
            instruction_id: None,
        };
        match order.validate(st.store.today()) {
            Ok(input) if inv.is_empty() => st
                .store
                .create_supervision_order(&s.0.actor, &input)
                .await
                .map(|o| o.item.id),
            Ok(_) => Err(huajie_store::StoreError::Invalid(inv)),
            Err(e) => {
                inv.extend(e);
                Err(huajie_store::StoreError::Invalid(inv))
            }
        }
    } else {
        match draft.validate(st.store.today()) {
            Ok(input) if inv.is_empty() => st
                .store
                .create_work_item(&s.0.actor, &input)
                .await
                .map(|(item, _)| item.id),
            Ok(_) => Err(huajie_store::StoreError::Invalid(inv)),
            Err(e) => {
                inv.extend(e);
                Err(huajie_store::StoreError::Invalid(inv))
            }
        }
    };
    match result {
        Ok(item) => Redirect::to(&format!("/work-items/{item}?msg=created")).into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            list_page(&st, &s.0, &ListQuery::default(), Some(&p), errors).await
        }
        Err(e) => store_error_page(&s.0, "工作事项", e),
    }
}

struct ObligationRow {
    id: i64,
    name: String,
    owner: String,
    due_on: String,
    state_code: &'static str,
    state_label: String,
    submission: Option<&'static str>,
    note: String,
}

#[derive(Template)]
#[template(path = "work_item.html")]
struct ItemPage {
    chrome: Chrome,
    item: ItemRow,
    version: i64,
    note: Option<String>,
    closed: Option<(String, String)>,
    created_by: String,
    events: Vec<(String, String, String)>,
    obligations: Vec<ObligationRow>,
    can_close: bool,
    today: String,
    errors: Vec<String>,
    /// The 督办单 of a supervision item: 文号, 挂牌督办, 包案, following leader.
    order: Option<huajie_domain::supervision::SupervisionOrder>,
    /// Leaders' 批示, and whether the viewer (a leader) may write one.
    instructions: Vec<huajie_domain::supervision::Instruction>,
    can_instruct: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct MsgQuery {
    msg: Option<String>,
}

/// One work item: facts, units, events, obligations and the 销号 form.
pub async fn work_item_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    Query(q): Query<MsgQuery>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("工作事项“{raw}”"));
    };
    item_page(&st, &s.0, id, q.msg.as_deref(), Vec::new()).await
}

async fn item_page(
    st: &AppState,
    s: &Session,
    id: i64,
    msg: Option<&str>,
    errors: Vec<String>,
) -> Response {
    let (item, events, obligations) = match st.store.work_item(&s.actor, id).await {
        Ok(x) => x,
        Err(huajie_store::StoreError::NotFound) => return not_found_page(s, "工作事项"),
        Err(e) => return store_error_page(s, "工作事项", e),
    };
    let mut chrome = Chrome::new(s, "work_items");
    chrome.flash = match msg {
        Some("created") => Some("工作事项已交办，各承办单位的义务已生成。".into()),
        Some("closed") => Some("已销号。".into()),
        Some("instructed") => Some("批示已送达承办单位和司法局。".into()),
        Some("met") => Some("已标记完成。".into()),
        Some("deadline_changed") => Some("期限已更新。".into()),
        _ => None,
    };
    let version = item.version;
    let closed = item
        .closed_on
        .clone()
        .map(|d| (d, item.closed_reason.clone().unwrap_or_default()));
    let note = item.note.clone();
    let created_by = item.created_by_name.clone();
    let can_close = s.actor.can_administer() && item.status == WorkStatus::Open;
    let order = st.store.order_of_item(&s.actor, id).await.unwrap_or(None);
    let instructions = match &order {
        Some(o) => st.store.order_instructions(o.id).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let can_instruct = order.is_some() && s.actor.role == huajie_domain::user::Role::Leader;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ItemPage {
            chrome,
            item: ItemRow::from(item),
            version,
            note,
            closed,
            created_by,
            events: events
                .into_iter()
                .map(|e: Event| (e.occurred_on, e.kind_label, e.note.unwrap_or_default()))
                .collect(),
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
                    note: d.change_note.unwrap_or_default(),
                })
                .collect(),
            can_close,
            today: st.store.today().to_string(),
            errors,
            order,
            instructions,
            can_instruct,
        },
    )
}

/// 销号 from the form (the coordinator).
pub async fn close_work_item(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "工作事项") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let Ok(version) = p.get("version").parse::<i64>() else {
        return forbidden_page("表单缺少版本号，请刷新页面后重试");
    };
    let draft = CloseDraft {
        version: Some(version),
        closed_on: p.opt("closed_on"),
        reason: p.opt("reason"),
    };
    match st
        .store
        .close_work_item(&s.0.actor, id, version, &draft)
        .await
    {
        Ok(_) => Redirect::to(&format!("/work-items/{id}?msg=closed")).into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            item_page(&st, &s.0, id, None, errors).await
        }
        Err(e) => store_error_page(&s.0, "工作事项", e),
    }
}

/// 批示 on a 督办单 from its page (a leader).
pub async fn instruct_item(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "工作事项") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let order = match st.store.order_of_item(&s.0.actor, id).await {
        Ok(Some(o)) => o,
        Ok(None) => return not_found_page(&s.0, "督办单"),
        Err(e) => return store_error_page(&s.0, "督办单", e),
    };
    let draft = huajie_domain::supervision::InstructionDraft {
        text: p.opt("text"),
    };
    let result = match draft.validate() {
        Ok(text) => st
            .store
            .add_instruction(
                &s.0.actor,
                huajie_store::supervision::On::Order(order.id),
                &text,
            )
            .await
            .map(|_| ()),
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(()) => {
            Redirect::to(&format!("/work-items/{id}?msg=instructed#instructions")).into_response()
        }
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            item_page(&st, &s.0, id, None, errors).await
        }
        Err(e) => store_error_page(&s.0, "督办单", e),
    }
}
