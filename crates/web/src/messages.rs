//! Messages (消息中心) and notification settings in the API: the caller's inbox (newest first,
//! each with `read`), marking read, their own contacts and preferences and delivery ledger;
//! for the bureau the sending rules, the HTTP gateways, the channels' state; and a case's
//! delivery ledger. This module owns its routes and OpenAPI paths; the pages are in
//! `ui/messages.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use huajie_domain::notify::{
    Channel, ChannelHealth, Delivery, Gateway, GatewayDraft, Message, MessageKind, NotifyRules,
    Preferences, PreferencesDraft, RulesDraft,
};
use huajie_store::notify::MessageFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};

type S = State<AppState>;

/// The routes of this feature under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/messages", get(list))
        .route("/messages/read-all", post(read_all))
        .route("/messages/{id}/read", post(read))
        .route("/me/preferences", get(preferences).put(set_preferences))
        .route("/me/deliveries", get(my_deliveries))
        .route("/users/{id}/deliveries", get(user_deliveries))
        .route("/notify/rules", get(rules).put(set_rules))
        .route("/notify/gateways", get(gateways).post(create_gateway))
        .route("/notify/gateways/{id}", put(update_gateway))
        .route("/notify/health", get(health))
        .route("/proceedings/{id}/deliveries", get(case_deliveries))
}

#[derive(OpenApi)]
#[openapi(paths(
    list,
    read_all,
    read,
    preferences,
    set_preferences,
    my_deliveries,
    user_deliveries,
    rules,
    set_rules,
    gateways,
    create_gateway,
    update_gateway,
    health,
    case_deliveries
))]
pub struct MessagesApi;

/// Query of the inbox.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only unread messages.
    pub unread: Option<bool>,
    /// A kind code (new_obligation, due_soon, overdue, escalation, submission_returned, …).
    pub kind: Option<String>,
    /// Messages older than this id (the next page).
    pub before: Option<i64>,
    /// At most this many (default 50, at most 200).
    pub limit: Option<i64>,
}

impl ListParams {
    pub(crate) fn filter(&self) -> Result<MessageFilter, huajie_domain::Invalid> {
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            Some(k) => Some(MessageKind::parse_field("kind", k)?),
            None => None,
        };
        Ok(MessageFilter {
            unread_only: self.unread.unwrap_or(false),
            kind,
            before: self.before,
            limit: self.limit.unwrap_or(50),
        })
    }
}

/// The caller's messages, newest first.
#[utoipa::path(get, path = "/api/v1/messages", tag = "消息", security(("token" = [])), params(ListParams),
    responses((status = 200, body = Vec<Message>)))]
pub async fn list(
    State(st): S,
    a: Auth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<Message>>> {
    let f = q.filter()?;
    Ok(Json(st.store.messages(a.0.user_id, &f).await?))
}

/// Marks one of the caller's messages read (another user's message is not found).
#[utoipa::path(post, path = "/api/v1/messages/{id}/read", tag = "消息", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Message), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn read(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Message>> {
    Ok(Json(st.store.mark_read(a.0.user_id, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadAll {
    /// Messages that were unread.
    pub marked: u64,
}

/// Marks all of the caller's messages read.
#[utoipa::path(post, path = "/api/v1/messages/read-all", tag = "消息", security(("token" = [])),
    responses((status = 200, body = ReadAll)))]
pub async fn read_all(State(st): S, a: Auth) -> ApiResult<Json<ReadAll>> {
    Ok(Json(ReadAll {
        marked: st.store.mark_all_read(a.0.user_id).await?,
    }))
}

/// A user's notification settings as they apply.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreferencesView {
    pub email: Option<String>,
    pub mobile: Option<String>,
    /// What the user chose (kinds not listed follow the rules).
    pub preferences: Preferences,
    /// Channels per kind as they apply now (the inbox always, besides these).
    pub effective: Vec<KindChannels>,
    /// Quiet hours as they apply ("22:00 至 07:30").
    pub quiet_hours: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KindChannels {
    pub kind: MessageKind,
    pub label: String,
    pub channels: Vec<Channel>,
}

pub(crate) async fn preferences_view(
    st: &AppState,
    user_id: i64,
    jurisdiction: i64,
) -> ApiResult<PreferencesView> {
    let (email, mobile, prefs) = st.store.preferences(user_id).await?;
    let (rules, _) = st.store.notify_rules(jurisdiction).await?;
    let effective = MessageKind::ALL
        .iter()
        .map(|k| KindChannels {
            kind: *k,
            label: k.label().to_string(),
            channels: prefs.channels(&rules, *k),
        })
        .collect();
    Ok(PreferencesView {
        email,
        mobile,
        quiet_hours: prefs.quiet(&rules).label(),
        preferences: prefs,
        effective,
    })
}

/// The caller's contacts and notification preferences.
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "消息", security(("token" = [])),
    responses((status = 200, body = PreferencesView)))]
pub async fn preferences(State(st): S, a: Auth) -> ApiResult<Json<PreferencesView>> {
    Ok(Json(
        preferences_view(&st, a.0.user_id, a.0.jurisdiction_id).await?,
    ))
}

/// Sets the caller's e-mail, mobile, channels per kind, quiet hours and daily digest.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "消息", security(("token" = [])), request_body = PreferencesDraft,
    responses((status = 200, body = PreferencesView), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn set_preferences(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<PreferencesDraft>,
) -> ApiResult<Json<PreferencesView>> {
    let (contacts, prefs) = d.validate()?;
    st.store.set_preferences(&a.0, &contacts, &prefs).await?;
    Ok(Json(
        preferences_view(&st, a.0.user_id, a.0.jurisdiction_id).await?,
    ))
}

/// Deliveries of the caller's messages (queued, sent, failed with the reason, read), newest first.
#[utoipa::path(get, path = "/api/v1/me/deliveries", tag = "消息", security(("token" = [])),
    responses((status = 200, body = Vec<Delivery>)))]
pub async fn my_deliveries(State(st): S, a: Auth) -> ApiResult<Json<Vec<Delivery>>> {
    Ok(Json(st.store.user_deliveries(a.0.user_id, 100).await?))
}

/// Deliveries of a user's messages (the bureau, for a user of its jurisdiction), newest first.
#[utoipa::path(get, path = "/api/v1/users/{id}/deliveries", tag = "消息", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Delivery>), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn user_deliveries(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Vec<Delivery>>> {
    if !a.0.can_administer() && a.0.user_id != id {
        return Err(ApiError::forbidden(
            "只有司法局协调员可以查看他人的投递记录",
        ));
    }
    st.store.get_user(id, Some(a.0.jurisdiction_id)).await?;
    Ok(Json(st.store.user_deliveries(id, 200).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RulesView {
    pub rules: NotifyRules,
    /// 0 while the shipped defaults apply.
    pub version: i64,
}

/// The jurisdiction's sending rules (shipped defaults until the bureau changes them).
#[utoipa::path(get, path = "/api/v1/notify/rules", tag = "消息", security(("token" = [])),
    responses((status = 200, body = RulesView)))]
pub async fn rules(State(st): S, a: Auth) -> ApiResult<Json<RulesView>> {
    let (rules, version) = st.store.notify_rules(a.0.jurisdiction_id).await?;
    Ok(Json(RulesView { rules, version }))
}

/// Changes the sending rules (the bureau; `version` as read, 0 for the shipped defaults).
#[utoipa::path(put, path = "/api/v1/notify/rules", tag = "消息", security(("token" = [])), request_body = RulesDraft,
    responses((status = 200, body = RulesView), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn set_rules(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<RulesDraft>,
) -> ApiResult<Json<RulesView>> {
    if !a.0.can_administer() {
        return Err(ApiError::forbidden("只有司法局协调员可以修改提醒规则"));
    }
    let rules = d.validate()?;
    let version = d
        .version
        .ok_or_else(|| huajie_domain::FieldError::required("version", "版本号"))?;
    let version = st.store.set_notify_rules(&a.0, version, &rules).await?;
    Ok(Json(RulesView { rules, version }))
}

/// The jurisdiction's HTTP gateways for SMS / government IM.
#[utoipa::path(get, path = "/api/v1/notify/gateways", tag = "消息", security(("token" = [])),
    responses((status = 200, body = Vec<Gateway>), (status = 403, body = crate::error::ErrorDetail)))]
pub async fn gateways(State(st): S, a: Auth) -> ApiResult<Json<Vec<Gateway>>> {
    if !a.0.can_administer() {
        return Err(ApiError::forbidden("只有司法局协调员可以查看消息接口"));
    }
    Ok(Json(st.store.list_gateways(a.0.jurisdiction_id).await?))
}

/// Adds a gateway: URL, method, headers (`${ENV}` read from the server's environment when
/// sending), body template with `{{mobile}}`, `{{title}}`, `{{text}}`, `{{link}}`, `{{key}}`.
#[utoipa::path(post, path = "/api/v1/notify/gateways", tag = "消息", security(("token" = [])), request_body = GatewayDraft,
    responses((status = 201, body = Gateway), (status = 403, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create_gateway(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<GatewayDraft>,
) -> ApiResult<(StatusCode, Json<Gateway>)> {
    let input = d.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_gateway(&a.0, &input).await?),
    ))
}

/// Changes a gateway (`version` as read; `active: false` stops it).
#[utoipa::path(put, path = "/api/v1/notify/gateways/{id}", tag = "消息", security(("token" = [])), params(("id" = i64, Path)), request_body = GatewayDraft,
    responses((status = 200, body = Gateway), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn update_gateway(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<GatewayDraft>,
) -> ApiResult<Json<Gateway>> {
    let input = d.validate()?;
    let version = d
        .version
        .ok_or_else(|| huajie_domain::FieldError::required("version", "版本号"))?;
    Ok(Json(
        st.store.update_gateway(&a.0, id, version, &input).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Each channel over the last day.
    pub channels: Vec<ChannelHealth>,
    /// Deliveries that failed for good or are being retried, newest first.
    pub failed: Vec<Delivery>,
}

/// The channels' state for the bureau: sent and failed in the last day, waiting now, failing.
#[utoipa::path(get, path = "/api/v1/notify/health", tag = "消息", security(("token" = [])),
    responses((status = 200, body = Health), (status = 403, body = crate::error::ErrorDetail)))]
pub async fn health(State(st): S, a: Auth) -> ApiResult<Json<Health>> {
    if !a.0.can_administer() {
        return Err(ApiError::forbidden("只有司法局协调员可以查看渠道状态"));
    }
    let j = a.0.jurisdiction_id;
    Ok(Json(Health {
        channels: st
            .store
            .channel_health(j, huajie_store::clock::now())
            .await?,
        failed: st.store.failed_deliveries(j, 100).await?,
    }))
}

/// Deliveries of the messages about a case (a unit sees those to its own people).
#[utoipa::path(get, path = "/api/v1/proceedings/{id}/deliveries", tag = "消息", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Delivery>), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn case_deliveries(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Vec<Delivery>>> {
    Ok(Json(st.store.case_deliveries(&a.0, id).await?))
}
