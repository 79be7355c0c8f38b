//! 督办单 and leaders' 批示 in the API: issue an order (文号, 挂牌督办 with the 包案 head and the
//! following leader), list and read orders with their units' progress obligations and the
//! instructions, close (销号), and the leaders' instructions on orders and warnings. This
//! module owns its routes and OpenAPI paths.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use huajie_domain::records::{Deadline, Event};
use huajie_domain::subject::{CloseDraft, WorkStatus};
use huajie_domain::supervision::{Instruction, InstructionDraft, OrderDraft, SupervisionOrder};
use huajie_store::supervision::{On, OrderQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};

type S = State<AppState>;

/// The routes of this feature under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision-orders", get(list).post(create))
        .route("/supervision-orders/{id}", get(one))
        .route("/supervision-orders/{id}/close", post(close))
        .route(
            "/supervision-orders/{id}/instructions",
            post(instruct_order),
        )
        .route(
            "/warnings/{id}/instructions",
            get(warning_instructions).post(instruct_warning),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    list,
    create,
    one,
    close,
    instruct_order,
    warning_instructions,
    instruct_warning
))]
pub struct SupervisionApi;

/// An order with its events, its units' obligations and the leaders' instructions.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDetail {
    pub order: SupervisionOrder,
    pub events: Vec<Event>,
    pub obligations: Vec<Deadline>,
    pub instructions: Vec<Instruction>,
}

/// Query of the orders list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderParams {
    /// open (办理中) or closed (已销号).
    pub status: Option<String>,
    /// `true`: 挂牌督办 only.
    pub listed: Option<bool>,
    pub unit_id: Option<i64>,
}

/// Orders in the caller's scope (the bureau's roles: the jurisdiction's; a unit: those
/// addressed to it), open first, listed first, newest first, at most 500.
#[utoipa::path(get, path = "/api/v1/supervision-orders", tag = "督办", security(("token" = [])), params(OrderParams),
    responses((status = 200, body = Vec<SupervisionOrder>), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn list(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<OrderParams>,
) -> ApiResult<Json<Vec<SupervisionOrder>>> {
    let status = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(WorkStatus::parse_field("status", s).map_err(huajie_domain::Invalid::one)?),
        None => None,
    };
    let q = OrderQuery {
        status,
        listed: p.listed,
        unit_id: p.unit_id,
    };
    Ok(Json(st.store.list_supervision_orders(&a.0, &q).await?))
}

/// Issues a supervision order (the 司法局 coordinator): `title`, `unit_ids`, `proceeding_id`
/// (optional: a case or a problem), `opened_on`, `note`; `listed` (挂牌督办) with
/// `lead_head_id` (the units' 正职) and `follower_id` (a 县领导 user, told); `instruction_id`
/// when it carries out a leader's 批示. Each unit owes a progress report every half month
/// until 销号.
#[utoipa::path(post, path = "/api/v1/supervision-orders", tag = "督办", security(("token" = [])), request_body = OrderDraft,
    responses((status = 201, body = OrderDetail), (status = 403, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<OrderDraft>,
) -> ApiResult<(StatusCode, Json<OrderDetail>)> {
    let input = d.validate(st.store.today())?;
    let order = st.store.create_supervision_order(&a.0, &input).await?;
    let Json(detail) = one(State(st), a, Id(order.id)).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// One order with its events, obligations (第N期 progress reports) and instructions.
#[utoipa::path(get, path = "/api/v1/supervision-orders/{id}", tag = "督办", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrderDetail), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn one(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<OrderDetail>> {
    let (order, events, obligations, instructions) = st.store.supervision_order(&a.0, id).await?;
    Ok(Json(OrderDetail {
        order,
        events,
        obligations,
        instructions,
    }))
}

/// 销号 (the 司法局 coordinator) with the day and the result and evidence relied on
/// (`version` of the order's work item, `closed_on`, `reason`).
#[utoipa::path(post, path = "/api/v1/supervision-orders/{id}/close", tag = "督办", security(("token" = [])), params(("id" = i64, Path)), request_body = CloseDraft,
    responses((status = 200, body = OrderDetail), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn close(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<CloseDraft>,
) -> ApiResult<Json<OrderDetail>> {
    let version = d.version.ok_or_else(|| {
        huajie_domain::Invalid::one(huajie_domain::FieldError::required("version", "版本号"))
    })?;
    let (order, ..) = st.store.supervision_order(&a.0, id).await?;
    st.store
        .close_work_item(&a.0, order.item.id, version, &d)
        .await?;
    one(State(st), a, Id(id)).await
}

/// A leader's instruction (批示) on an order (县领导 only): `text`. The units and the bureau are
/// told.
#[utoipa::path(post, path = "/api/v1/supervision-orders/{id}/instructions", tag = "督办", security(("token" = [])), params(("id" = i64, Path)), request_body = InstructionDraft,
    responses((status = 201, body = Instruction), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn instruct_order(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<InstructionDraft>,
) -> ApiResult<(StatusCode, Json<Instruction>)> {
    let text = d.validate()?;
    let i = st.store.add_instruction(&a.0, On::Order(id), &text).await?;
    Ok((StatusCode::CREATED, Json(i)))
}

/// The leaders' instructions on a warning.
#[utoipa::path(get, path = "/api/v1/warnings/{id}/instructions", tag = "风险预警", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Instruction>), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn warning_instructions(
    State(st): S,
    a: Auth,
    Id(id): Id,
) -> ApiResult<Json<Vec<Instruction>>> {
    Ok(Json(st.store.warning_instructions(&a.0, id).await?))
}

/// A leader's instruction (批示) on a warning (县领导 only): `text`.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/instructions", tag = "风险预警", security(("token" = [])), params(("id" = i64, Path)), request_body = InstructionDraft,
    responses((status = 201, body = Instruction), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn instruct_warning(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<InstructionDraft>,
) -> ApiResult<(StatusCode, Json<Instruction>)> {
    let text = d.validate()?;
    let i = st
        .store
        .add_instruction(&a.0, On::Warning(id), &text)
        .await?;
    Ok((StatusCode::CREATED, Json(i)))
}
