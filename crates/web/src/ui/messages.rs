//! 消息中心 pages: the inbox (filters, mark read, each message opening its case or item), the
//! user's 通知设置 (e-mail, mobile, channels per kind, quiet hours, daily digest, their delivery
//! ledger), and the bureau's 提醒与接口 (sending rules as a Chinese form, the HTTP gateways,
//! the channels' state with the failed deliveries). Plain forms: all of it works without
//! JavaScript.

use std::collections::BTreeMap;

use huajie_domain::notify::{
    Channel, ChannelHealth, Delivery, Gateway, GatewayDraft, GatewayKind, GatewayMethod, Message,
    MessageKind, NotifyRules, PLACEHOLDERS, PreferencesDraft, RulesDraft,
};

use super::forms::Pairs;
use super::*;

#[derive(Template)]
#[template(path = "messages.html")]
struct InboxPage {
    chrome: Chrome,
    messages: Vec<Message>,
    kinds: Vec<Opt>,
    unread_only: bool,
    /// Link to the next (older) page.
    more: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    unread: Option<String>,
    kind: Option<String>,
    before: Option<String>,
}

const PAGE: i64 = 50;

/// 消息中心: the user's messages, newest first.
pub async fn messages_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<InboxQuery>,
) -> Response {
    let s = &s.0;
    let unread_only = q
        .unread
        .as_deref()
        .is_some_and(|v| v == "1" || v == "on" || v == "true");
    let kind = q.kind.clone().unwrap_or_default();
    let params = crate::messages::ListParams {
        unread: Some(unread_only),
        kind: q.kind.clone(),
        before: q.before.as_deref().and_then(parse_id),
        limit: Some(PAGE),
    };
    let filter = match params.filter() {
        Ok(f) => f,
        Err(inv) => return store_error_page(s, "消息", huajie_store::StoreError::Invalid(inv)),
    };
    let messages = match st.store.messages(s.actor.user_id, &filter).await {
        Ok(m) => m,
        Err(e) => return store_error_page(s, "消息", e),
    };
    let more = (messages.len() as i64 == PAGE).then(|| {
        format!(
            "/messages?unread={}&kind={}&before={}",
            if unread_only { "1" } else { "" },
            urlencode(&kind),
            messages.last().map(|m| m.id).unwrap_or_default()
        )
    });
    let mut kinds = vec![Opt {
        value: String::new(),
        label: "全部类别".into(),
        selected: kind.is_empty(),
    }];
    kinds.extend(MessageKind::ALL.iter().map(|k| Opt {
        value: k.code().into(),
        label: k.label().into(),
        selected: k.code() == kind,
    }));
    render(
        StatusCode::OK,
        &InboxPage {
            chrome: Chrome::new(s, "messages"),
            messages,
            kinds,
            unread_only,
            more,
        },
    )
}

/// Marks a message read; with `go`, opens what it is about.
pub async fn read_message(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "消息") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    match st.store.mark_read(s.0.actor.user_id, id).await {
        Ok(m) => {
            let to = match (p.has("go"), m.link) {
                (true, Some(link)) if link.starts_with('/') && !link.starts_with("//") => link,
                _ => "/messages".to_string(),
            };
            Redirect::to(&to).into_response()
        }
        Err(e) => store_error_page(&s.0, &format!("消息（编号{id}）"), e),
    }
}

pub async fn read_all_messages(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    match st.store.mark_all_read(s.0.actor.user_id).await {
        Ok(_) => Redirect::to("/messages").into_response(),
        Err(e) => store_error_page(&s.0, "消息", e),
    }
}

struct KindRow {
    code: &'static str,
    label: &'static str,
    email: bool,
    im: bool,
    off: bool,
}

#[derive(Template)]
#[template(path = "message_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    email: String,
    mobile: String,
    rows: Vec<KindRow>,
    quiet_start: String,
    quiet_end: String,
    quiet_default: String,
    digest: bool,
    digest_hour: u8,
    errors: Vec<String>,
    saved: bool,
    deliveries: Vec<Delivery>,
}

/// 通知设置: the user's own contacts and preferences.
pub async fn settings_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<SavedQuery>,
) -> Response {
    settings(
        &st,
        &s.0,
        None,
        Vec::new(),
        q.msg.as_deref() == Some("saved"),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    msg: Option<String>,
}

async fn settings(
    st: &AppState,
    s: &Session,
    typed: Option<&Pairs>,
    errors: Vec<String>,
    saved: bool,
    status: StatusCode,
) -> Response {
    let (email, mobile, prefs) = match st.store.preferences(s.actor.user_id).await {
        Ok(x) => x,
        Err(e) => return store_error_page(s, "通知设置", e),
    };
    let (rules, _) = match st.store.notify_rules(s.actor.jurisdiction_id).await {
        Ok(x) => x,
        Err(e) => return store_error_page(s, "通知设置", e),
    };
    let deliveries = st
        .store
        .user_deliveries(s.actor.user_id, 50)
        .await
        .unwrap_or_default();
    let rows = MessageKind::ALL
        .iter()
        .map(|k| {
            let chans = prefs.channels(&rules, *k);
            KindRow {
                code: k.code(),
                label: k.label(),
                email: typed.map_or(chans.contains(&Channel::Email), |p| {
                    p.all(&format!("ch_{}", k.code()))
                        .iter()
                        .any(|c| c == "email")
                }),
                im: typed.map_or(chans.contains(&Channel::Im), |p| {
                    p.all(&format!("ch_{}", k.code())).iter().any(|c| c == "im")
                }),
                off: !rules.sends(*k),
            }
        })
        .collect();
    let q = prefs.quiet_hours;
    let page = SettingsPage {
        chrome: Chrome::new(s, "messages"),
        email: typed.map_or(email.unwrap_or_default(), |p| p.get("email")),
        mobile: typed.map_or(mobile.unwrap_or_default(), |p| p.get("mobile")),
        rows,
        quiet_start: typed.map_or(
            q.map(|q| q.start.strftime("%H:%M").to_string())
                .unwrap_or_default(),
            |p| p.get("quiet_start"),
        ),
        quiet_end: typed.map_or(
            q.map(|q| q.end.strftime("%H:%M").to_string())
                .unwrap_or_default(),
            |p| p.get("quiet_end"),
        ),
        quiet_default: rules.quiet_hours.label(),
        digest: typed.map_or(prefs.digest, |p| p.has("digest")),
        digest_hour: rules.digest_hour,
        errors,
        saved,
        deliveries,
    };
    render(status, &page)
}

pub async fn save_settings(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let mut channels = BTreeMap::new();
    for k in MessageKind::ALL {
        channels.insert(k.code().to_string(), p.all(&format!("ch_{}", k.code())));
    }
    let draft = PreferencesDraft {
        email: Some(p.get("email")),
        mobile: Some(p.get("mobile")),
        channels,
        quiet_start: p.opt("quiet_start"),
        quiet_end: p.opt("quiet_end"),
        digest: p.has("digest"),
    };
    let result = match draft.validate() {
        Ok((contacts, prefs)) => {
            st.store
                .set_preferences(&s.0.actor, &contacts, &prefs)
                .await
        }
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(()) => Redirect::to("/messages/settings?msg=saved").into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            settings(
                &st,
                &s.0,
                Some(&p),
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => store_error_page(&s.0, "通知设置", e),
    }
}

struct GatewayRow {
    g: Gateway,
    kind_label: &'static str,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct AdminPage {
    chrome: Chrome,
    rules: NotifyRules,
    version: i64,
    due_before: String,
    quiet_start: String,
    quiet_end: String,
    rows: Vec<KindRow>,
    gateways: Vec<GatewayRow>,
    kinds: Vec<Opt>,
    methods: Vec<Opt>,
    placeholders: String,
    health: Vec<ChannelHealth>,
    failed: Vec<Delivery>,
    errors: Vec<String>,
    flash: Option<&'static str>,
    /// The rules form or the new-gateway form as typed, after a refusal.
    typed: Option<(&'static str, Pairs)>,
}

impl AdminPage {
    /// A field of `form` as typed after a refusal, else `stored`.
    fn val(&self, form: &str, key: &str, stored: &str) -> String {
        match &self.typed {
            Some((f, p)) if *f == form => p.get(key),
            _ => stored.to_string(),
        }
    }

    fn checked(
        &self,
        form: &str,
        key: &str,
        value: &str,
        stored: impl std::borrow::Borrow<bool>,
    ) -> bool {
        match &self.typed {
            Some((f, p)) if *f == form => p.all(key).iter().any(|v| v == value),
            _ => *stored.borrow(),
        }
    }
}

/// 提醒与接口 (the bureau): rules, gateways, channel state.
pub async fn notifications_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<SavedQuery>,
) -> Response {
    let flash = match q.msg.as_deref() {
        Some("rules") => Some("提醒规则已保存"),
        Some("gateway") => Some("消息接口已保存"),
        _ => None,
    };
    admin_page(&st, &s.0, Vec::new(), flash, StatusCode::OK, None).await
}

async fn admin_page(
    st: &AppState,
    s: &Session,
    errors: Vec<String>,
    flash: Option<&'static str>,
    status: StatusCode,
    typed: Option<(&'static str, Pairs)>,
) -> Response {
    if !s.actor.can_administer() {
        return forbidden_page("只有司法局协调员可以管理提醒规则和消息接口");
    }
    let j = s.actor.jurisdiction_id;
    let (rules, version) = match st.store.notify_rules(j).await {
        Ok(x) => x,
        Err(e) => return store_error_page(s, "提醒规则", e),
    };
    let gateways = st.store.list_gateways(j).await.unwrap_or_default();
    let health = st
        .store
        .channel_health(j, huajie_store::clock::now())
        .await
        .unwrap_or_default();
    let failed = st.store.failed_deliveries(j, 50).await.unwrap_or_default();
    let rows = MessageKind::ALL
        .iter()
        .map(|k| {
            let c = rules.channels_for(*k);
            KindRow {
                code: k.code(),
                label: k.label(),
                email: c.contains(&Channel::Email),
                im: c.contains(&Channel::Im),
                off: !rules.sends(*k),
            }
        })
        .collect();
    let page = AdminPage {
        chrome: Chrome::new(s, "notifications"),
        due_before: rules
            .due_before
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        quiet_start: rules.quiet_hours.start.strftime("%H:%M").to_string(),
        quiet_end: rules.quiet_hours.end.strftime("%H:%M").to_string(),
        rules,
        version,
        rows,
        gateways: gateways
            .into_iter()
            .map(|g| GatewayRow {
                kind_label: g.kind.label(),
                g,
            })
            .collect(),
        kinds: GatewayKind::ALL
            .iter()
            .map(|k| Opt {
                value: k.code().into(),
                label: k.label().into(),
                selected: false,
            })
            .collect(),
        methods: GatewayMethod::ALL
            .iter()
            .map(|m| Opt {
                value: m.code().into(),
                label: m.label().into(),
                selected: false,
            })
            .collect(),
        placeholders: PLACEHOLDERS
            .iter()
            .map(|(p, l)| format!("{{{{{p}}}}}：{l}"))
            .collect::<Vec<_>>()
            .join("；"),
        health,
        failed,
        errors,
        flash,
        typed,
    };
    render(status, &page)
}

async fn refused(
    st: &AppState,
    s: &Session,
    e: huajie_store::StoreError,
    typed: Option<(&'static str, Pairs)>,
) -> Response {
    match e {
        huajie_store::StoreError::Invalid(inv) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            admin_page(st, s, errors, None, StatusCode::UNPROCESSABLE_ENTITY, typed).await
        }
        huajie_store::StoreError::Conflict { .. } => {
            admin_page(
                st,
                s,
                vec!["设置已被他人修改，请查看最新内容后重新保存".into()],
                None,
                StatusCode::CONFLICT,
                None,
            )
            .await
        }
        e => store_error_page(s, "提醒规则", e),
    }
}

pub async fn save_notify_rules(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let mut default_channels = BTreeMap::new();
    let mut disabled = Vec::new();
    for k in MessageKind::ALL {
        default_channels.insert(k.code().to_string(), p.all(&format!("ch_{}", k.code())));
        if p.has(&format!("off_{}", k.code())) {
            disabled.push(k.code().to_string());
        }
    }
    let draft = RulesDraft {
        version: p.get("version").parse().ok(),
        due_before: Some(p.get("due_before")),
        overdue_to_clerk: Some(p.has("overdue_to_clerk")),
        escalate_to_head_after: Some(p.get("escalate_to_head_after")),
        escalate_to_bureau_after: Some(p.get("escalate_to_bureau_after")),
        hearing_reminder_hour: Some(p.get("hearing_reminder_hour")),
        quiet_start: Some(p.get("quiet_start")),
        quiet_end: Some(p.get("quiet_end")),
        digest_hour: Some(p.get("digest_hour")),
        default_channels,
        disabled,
    };
    let result = match draft.validate() {
        Ok(rules) => {
            st.store
                .set_notify_rules(&s.0.actor, draft.version.unwrap_or(0), &rules)
                .await
        }
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(_) => Redirect::to("/notifications?msg=rules").into_response(),
        Err(e) => refused(&st, &s.0, e, Some(("rules", p))).await,
    }
}

fn gateway_draft(p: &Pairs) -> GatewayDraft {
    GatewayDraft {
        version: p.get("version").parse().ok(),
        name: p.opt("name"),
        kind: p.opt("kind"),
        url: p.opt("url"),
        method: p.opt("method"),
        headers: Some(p.get("headers")),
        body_template: Some(p.get("body_template")),
        active: Some(p.has("active")),
    }
}

pub async fn add_gateway(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let result = match gateway_draft(&p).validate() {
        Ok(input) => st
            .store
            .create_gateway(&s.0.actor, &input)
            .await
            .map(|_| ()),
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(()) => Redirect::to("/notifications?msg=gateway").into_response(),
        Err(e) => refused(&st, &s.0, e, Some(("gateway", p))).await,
    }
}

pub async fn edit_gateway(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "消息接口") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let d = gateway_draft(&p);
    let result = match (d.validate(), d.version) {
        (Ok(input), Some(v)) => st
            .store
            .update_gateway(&s.0.actor, id, v, &input)
            .await
            .map(|_| ()),
        (Ok(_), None) => Err(huajie_domain::FieldError::required("version", "版本号").into()),
        (Err(inv), _) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(()) => Redirect::to("/notifications?msg=gateway").into_response(),
        Err(e) => refused(&st, &s.0, e, None).await,
    }
}

#[derive(Template)]
#[template(path = "user_deliveries.html")]
struct UserDeliveriesPage {
    chrome: Chrome,
    name: String,
    deliveries: Vec<Delivery>,
}

/// A user's delivery record (用户管理 → 投递记录, the coordinator).
pub async fn user_deliveries_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Response {
    let s = &s.0;
    if !s.actor.can_administer() {
        return forbidden_page("只有司法局协调员可以查看他人的投递记录");
    }
    let Some(id) = parse_id(&raw) else {
        return not_found_page(s, &format!("用户“{raw}”"));
    };
    let user = match st.store.get_user(id, Some(s.actor.jurisdiction_id)).await {
        Ok(u) => u,
        Err(e) => return store_error_page(s, &format!("用户（编号{id}）"), e),
    };
    match st.store.user_deliveries(id, 200).await {
        Ok(deliveries) => render(
            StatusCode::OK,
            &UserDeliveriesPage {
                chrome: Chrome::new(s, "users"),
                name: format!("{}（{}）", user.display_name, user.username),
                deliveries,
            },
        ),
        Err(e) => store_error_page(s, "投递记录", e),
    }
}
