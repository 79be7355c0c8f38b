//! Obligations and their submissions (报送—审核) in the API: one obligation with its requirement
//! and history, submitting, the bureau's review (accept / return), the review queue, and
//! 凡败必报 (every loss with the state of its loss report). This module owns its routes and
//! OpenAPI paths; the pages are in `ui/obligations.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use huajie_domain::obligation::{ReviewDraft, SubmissionDraft, SubmissionStatus};
use huajie_domain::records::{LossReportLine, Obligation, Submission};
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
        .route("/deadlines/{id}", get(obligation))
        .route(
            "/deadlines/{id}/submissions",
            get(submissions_of).post(submit),
        )
        .route("/submissions", get(list))
        .route("/submissions/{id}/accept", post(accept))
        .route("/submissions/{id}/return", post(return_))
        .route("/loss-reports", get(loss_reports))
}

#[derive(OpenApi)]
#[openapi(paths(
    obligation,
    submissions_of,
    submit,
    list,
    accept,
    return_,
    loss_reports
))]
pub struct ObligationsApi;

/// One obligation: the deadline, what it requires to be submitted, every submission (newest first).
#[utoipa::path(get, path = "/api/v1/deadlines/{id}", tag = "报送审核", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Obligation), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn obligation(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Obligation>> {
    Ok(Json(st.store.obligation(&a.0, id).await?))
}

/// Submissions made for an obligation, newest first.
#[utoipa::path(get, path = "/api/v1/deadlines/{id}/submissions", tag = "报送审核", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Submission>), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn submissions_of(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Vec<Submission>>> {
    Ok(Json(st.store.obligation(&a.0, id).await?.submissions))
}

/// Submit for an obligation (the owing unit; the 司法局 for its own): documents of the
/// proceeding by id (upload them first with `POST /api/v1/proceedings/{id}/documents`), the
/// required fields, a note. `version` is the obligation's. Answers the submission: `submitted`
/// (awaiting review) or, for a rule without review, `accepted` (the obligation is met today).
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/submissions", tag = "报送审核", security(("token" = [])), params(("id" = i64, Path)), request_body = SubmissionDraft,
    responses((status = 201, body = Submission), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn submit(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<SubmissionDraft>,
) -> ApiResult<(StatusCode, Json<Submission>)> {
    Ok((
        StatusCode::CREATED,
        Json(st.store.submit(&a.0, id, &d, &[]).await?),
    ))
}

/// Query of the submission list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// submitted (待审核, default), accepted, returned, or all.
    pub status: Option<String>,
    /// At most this many, newest first (1–500, default 100).
    pub limit: Option<i64>,
}

/// Submissions in the caller's scope, newest first: for the 司法局 the review queue, for a
/// unit its own.
#[utoipa::path(get, path = "/api/v1/submissions", tag = "报送审核", security(("token" = [])), params(ListParams),
    responses((status = 200, body = Vec<Submission>), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn list(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<Submission>>> {
    let status = match p.status.as_deref().unwrap_or("submitted") {
        "all" => None,
        s => Some(SubmissionStatus::parse_field("status", s)?),
    };
    Ok(Json(
        st.store
            .list_submissions(&a.0, status, p.limit.unwrap_or(100))
            .await?,
    ))
}

/// The 司法局 accepts a submission: the obligation is met on the day it was submitted.
#[utoipa::path(post, path = "/api/v1/submissions/{id}/accept", tag = "报送审核", security(("token" = [])), params(("id" = i64, Path)), request_body = ReviewDraft,
    responses((status = 200, body = Submission), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn accept(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<ReviewDraft>,
) -> ApiResult<Json<Submission>> {
    Ok(Json(st.store.accept_submission(&a.0, id, &d).await?))
}

/// The 司法局 returns a submission with its reasons (`reason` required); the clock keeps running.
#[utoipa::path(post, path = "/api/v1/submissions/{id}/return", tag = "报送审核", security(("token" = [])), params(("id" = i64, Path)), request_body = ReviewDraft,
    responses((status = 200, body = Submission), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn return_(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<ReviewDraft>,
) -> ApiResult<Json<Submission>> {
    Ok(Json(st.store.return_submission(&a.0, id, &d).await?))
}

/// Query of 凡败必报.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LossParams {
    /// Only the losses whose report is missing, overdue or was late (default false: all).
    pub problems: Option<bool>,
}

/// 凡败必报: every loss (each losing unit of each proceeding) in the jurisdiction with the
/// state of its loss report: 未生成 (no 裁判生效 recorded), 未到期, 已逾期, 按期/逾期报送, 已豁免.
#[utoipa::path(get, path = "/api/v1/loss-reports", tag = "报送审核", security(("token" = [])), params(LossParams),
    responses((status = 200, body = Vec<LossReportLine>), (status = 403, body = crate::error::ErrorDetail)))]
pub async fn loss_reports(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<LossParams>,
) -> ApiResult<Json<Vec<LossReportLine>>> {
    let lines = st.store.loss_reports(&a.0).await?;
    Ok(Json(if p.problems.unwrap_or(false) {
        lines.into_iter().filter(|l| l.problem).collect()
    } else {
        lines
    }))
}
