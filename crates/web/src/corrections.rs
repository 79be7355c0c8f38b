//! Correction requests (更正申请) in the API: a unit asks to correct an outcome the 司法局
//! recorded or a court document confirmed; the bureau approves or refuses. This module owns its
//! routes and OpenAPI paths; the forms are on the case page (`ui/case.rs`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use huajie_domain::outcome::{CorrectionDraft, CorrectionStatus, DecisionDraft};
use huajie_domain::records::CorrectionRequest;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};

type S = State<AppState>;

/// The routes of this feature under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/outcomes/{id}/corrections", post(request))
        .route("/corrections", get(list))
        .route("/corrections/{id}/approve", post(approve))
        .route("/corrections/{id}/refuse", post(refuse))
}

#[derive(OpenApi)]
#[openapi(paths(request, list, approve, refuse))]
pub struct CorrectionsApi;

/// A unit asks to correct its outcome (one the 司法局 recorded or a court document confirmed):
/// the outcome asked for, the reason, a document of the proceeding that shows it, and the
/// outcome's `version`. Nothing changes until the bureau approves.
#[utoipa::path(post, path = "/api/v1/outcomes/{id}/corrections", tag = "更正申请", security(("token" = [])), params(("id" = i64, Path)), request_body = CorrectionDraft,
    responses((status = 201, body = CorrectionRequest), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn request(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<CorrectionDraft>,
) -> ApiResult<(StatusCode, Json<CorrectionRequest>)> {
    Ok((
        StatusCode::CREATED,
        Json(st.store.request_correction(&a.0, id, &d).await?),
    ))
}

/// Query of the correction requests.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// pending (待审批, default), approved, refused, or all.
    pub status: Option<String>,
    /// Only this proceeding's.
    pub proceeding_id: Option<i64>,
    /// At most this many, newest first (1–500, default 100).
    pub limit: Option<i64>,
}

/// Correction requests in the caller's scope, newest first: the bureau's queue, a unit's own.
#[utoipa::path(get, path = "/api/v1/corrections", tag = "更正申请", security(("token" = [])), params(ListParams),
    responses((status = 200, body = Vec<CorrectionRequest>), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn list(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<CorrectionRequest>>> {
    let status = match p.status.as_deref().unwrap_or("pending") {
        "all" => None,
        s => Some(CorrectionStatus::parse_field("status", s)?),
    };
    Ok(Json(
        st.store
            .list_corrections(&a.0, status, p.proceeding_id, p.limit.unwrap_or(100))
            .await?,
    ))
}

/// The 司法局 approves: the outcome is corrected (its history keeps the reason); statistics and
/// the loss-only obligations follow.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/approve", tag = "更正申请", security(("token" = [])), params(("id" = i64, Path)), request_body = DecisionDraft,
    responses((status = 200, body = CorrectionRequest), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn approve(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<DecisionDraft>,
) -> ApiResult<Json<CorrectionRequest>> {
    Ok(Json(st.store.approve_correction(&a.0, id, &d).await?))
}

/// The 司法局 refuses, with its reason (`reason` required); the outcome stays as it is.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/refuse", tag = "更正申请", security(("token" = [])), params(("id" = i64, Path)), request_body = DecisionDraft,
    responses((status = 200, body = CorrectionRequest), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn refuse(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<DecisionDraft>,
) -> ApiResult<Json<CorrectionRequest>> {
    Ok(Json(st.store.refuse_correction(&a.0, id, &d).await?))
}
