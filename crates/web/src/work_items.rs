//! Work items (工作事项) in the API: risk warnings, supervision orders, suggestions and
//! accountability cases, addressed to units, with the obligations the rule catalogue gives them
//! (listed with every other obligation: `GET /api/v1/deadlines`, and for a work item about a
//! case, `GET /api/v1/proceedings/{id}/deadlines`), and their close-out (销号). This module owns
//! its routes and OpenAPI paths; the pages are in `ui/work_items.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use huajie_domain::records::{Deadline, Event, WorkItem};
use huajie_domain::subject::{CloseDraft, SubjectKind, WorkItemDraft, WorkStatus};
use huajie_store::work_items::WorkItemQuery;
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
        .route("/work-items", get(list).post(create))
        .route("/work-items/{id}", get(one))
        .route("/work-items/{id}/close", post(close))
}

#[derive(OpenApi)]
#[openapi(paths(list, create, one, close))]
pub struct WorkItemsApi;

/// A work item with its events and obligations (one per owing unit, repetitions 第N期 each).
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItemDetail {
    pub item: WorkItem,
    pub events: Vec<Event>,
    pub obligations: Vec<Deadline>,
}

/// Query of the work-item list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// risk_warning, supervision, suggestion or accountability.
    pub kind: Option<String>,
    /// open (办理中) or closed (已销号).
    pub status: Option<String>,
    pub unit_id: Option<i64>,
    pub proceeding_id: Option<i64>,
}

impl ListParams {
    pub(crate) fn query(&self) -> Result<WorkItemQuery, huajie_domain::Invalid> {
        let mut inv = huajie_domain::Invalid::default();
        let kind = self
            .kind
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .and_then(|k| {
                SubjectKind::parse_field("kind", k)
                    .map_err(|e| inv.push(e))
                    .ok()
            });
        let status = self
            .status
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .and_then(|k| {
                WorkStatus::parse_field("status", k)
                    .map_err(|e| inv.push(e))
                    .ok()
            });
        inv.into_result(WorkItemQuery {
            kind,
            status,
            unit_id: self.unit_id,
            proceeding_id: self.proceeding_id,
        })
    }
}

/// Work items in the caller's scope (the bureau's roles: the jurisdiction's; a unit: those
/// addressed to it), open first, newest first, at most 500.
#[utoipa::path(get, path = "/api/v1/work-items", tag = "工作事项", security(("token" = [])), params(ListParams),
    responses((status = 200, body = Vec<WorkItem>), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn list(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<WorkItem>>> {
    Ok(Json(st.store.list_work_items(&a.0, &p.query()?).await?))
}

/// Opens a work item (the 司法局 coordinator): kind, title, the units it is addressed to, the
/// day issued, optionally the proceeding it concerns (required for a risk warning and an
/// accountability case). Its opening event starts each unit's obligations.
#[utoipa::path(post, path = "/api/v1/work-items", tag = "工作事项", security(("token" = [])), request_body = WorkItemDraft,
    responses((status = 201, body = WorkItemDetail), (status = 403, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<WorkItemDraft>,
) -> ApiResult<(StatusCode, Json<WorkItemDetail>)> {
    let input = d.validate(st.store.today())?;
    let (item, obligations) = st.store.create_work_item(&a.0, &input).await?;
    let (_, events, _) = st.store.work_item(&a.0, item.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(WorkItemDetail {
            item,
            events,
            obligations,
        }),
    ))
}

/// One work item with its events and obligations.
#[utoipa::path(get, path = "/api/v1/work-items/{id}", tag = "工作事项", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = WorkItemDetail), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn one(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<WorkItemDetail>> {
    let (item, events, obligations) = st.store.work_item(&a.0, id).await?;
    Ok(Json(WorkItemDetail {
        item,
        events,
        obligations,
    }))
}

/// Closes a work item (销号, the 司法局 coordinator) with its day and reason (`version`
/// required): repetitions falling due after that day are no longer owed.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/close", tag = "工作事项", security(("token" = [])), params(("id" = i64, Path)), request_body = CloseDraft,
    responses((status = 200, body = WorkItemDetail), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn close(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<CloseDraft>,
) -> ApiResult<Json<WorkItemDetail>> {
    let version = d.version.ok_or_else(|| {
        huajie_domain::Invalid::one(huajie_domain::FieldError::required("version", "版本号"))
    })?;
    st.store.close_work_item(&a.0, id, version, &d).await?;
    one(State(st), a, Id(id)).await
}
