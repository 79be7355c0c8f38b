//! The court liaison's work in the API (法院联络员): the 开庭传票 (a hearing notice that records
//! the hearing and 收到开庭传票, starting the units' appearance obligations). The 预警函 is in
//! `warnings.rs`; the 诉前调解提示单 comes with the mediation workflow. This module owns its
//! routes and OpenAPI paths.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use huajie_domain::hearing::HearingDraft;
use huajie_domain::records::{Deadline, Event, Hearing};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Id};

/// The routes of this feature under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/proceedings/{id}/hearing-notices", post(hearing_notice))
}

#[derive(OpenApi)]
#[openapi(paths(hearing_notice))]
pub struct CourtApi;

/// What a hearing notice recorded: the hearing, the event 收到开庭传票 and the deadlines it
/// started.
#[derive(Debug, Serialize, ToSchema)]
pub struct HearingNotice {
    pub hearing: Hearing,
    pub event: Event,
    pub deadlines: Vec<Deadline>,
}

/// 开庭传票 (the court liaison, or the coordinator typing one in; litigation only):
/// `scheduled_at` (`YYYY-MM-DD HH:MM`), `place`, `note`. The defendant units' clerks and heads
/// are told.
#[utoipa::path(post, path = "/api/v1/proceedings/{id}/hearing-notices", tag = "法院联络", security(("token" = [])), params(("id" = i64, Path)), request_body = HearingDraft,
    responses((status = 201, body = HearingNotice), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn hearing_notice(
    State(st): State<AppState>,
    a: Auth,
    Id(pid): Id,
    ApiJson(d): ApiJson<HearingDraft>,
) -> ApiResult<(StatusCode, Json<HearingNotice>)> {
    let input = d.validate()?;
    let (hearing, event, deadlines) = st.store.send_hearing_notice(&a.0, pid, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(HearingNotice {
            hearing,
            event,
            deadlines,
        }),
    ))
}
