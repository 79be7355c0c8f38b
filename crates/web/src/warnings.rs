//! 红黄蓝 risk warnings in the API: sent on a proceeding (the court liaison's 预警函, the bureau,
//! a defendant unit for its own case), assigned (交办) to the responsible units with a 包案
//! leader, regraded, escalated to the county 协调小组 and closed with the result. The units'
//! obligations (feedback, the risk analysis report) are listed with the case's deadlines. This
//! module owns its routes and OpenAPI paths.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use huajie_domain::records::Deadline;
use huajie_domain::warning::{
    AssignDraft, CloseWarningDraft, Grade, StepDraft, Warning, WarningDraft, WarningHistory,
    WarningState,
};
use huajie_store::warnings::WarningQuery;
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
        .route("/proceedings/{id}/warnings", post(create))
        .route("/warnings", get(list))
        .route("/warnings/stats", get(stats))
        .route("/risk-suggestions", get(suggestions))
        .route("/risk-rules", get(get_rules).put(put_rules))
        .route("/warnings/{id}", get(one))
        .route("/warnings/{id}/assign", post(assign))
        .route("/warnings/{id}/regrade", post(regrade))
        .route("/warnings/{id}/escalate", post(escalate))
        .route("/warnings/{id}/close", post(close))
}

#[derive(OpenApi)]
#[openapi(paths(
    create,
    list,
    stats,
    suggestions,
    get_rules,
    put_rules,
    one,
    assign,
    regrade,
    escalate,
    close
))]
pub struct WarningsApi;

/// A warning with its history and the responsible units' obligations.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningDetail {
    pub warning: Warning,
    pub history: Vec<WarningHistory>,
    pub obligations: Vec<Deadline>,
}

/// Query of the warnings list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningParams {
    /// red, yellow or blue.
    pub grade: Option<String>,
    /// reported (待交办), assigned (已交办), escalated (已提请协调小组) or closed (已销号).
    pub state: Option<String>,
    /// Warnings assigned to this unit.
    pub unit_id: Option<i64>,
    pub proceeding_id: Option<i64>,
}

impl WarningParams {
    pub(crate) fn query(&self) -> Result<WarningQuery, huajie_domain::Invalid> {
        let mut inv = huajie_domain::Invalid::default();
        let grade = self
            .grade
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .and_then(|k| {
                Grade::parse_field("grade", k.trim())
                    .map_err(|e| inv.push(e))
                    .ok()
            });
        let state = self
            .state
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .and_then(|k| {
                WarningState::parse_field("state", k.trim())
                    .map_err(|e| inv.push(e))
                    .ok()
            });
        inv.into_result(WarningQuery {
            grade,
            state,
            unit_id: self.unit_id,
            proceeding_id: self.proceeding_id,
        })
    }
}

fn version(v: Option<i64>) -> Result<i64, huajie_domain::Invalid> {
    v.ok_or_else(|| {
        huajie_domain::Invalid::one(huajie_domain::FieldError::required("version", "版本号"))
    })
}

/// Sends a risk warning on a pending proceeding: the court liaison (预警函, litigation only),
/// the 司法局 coordinator, or a clerk or head of a defendant unit for its own case. The bureau
/// is told.
#[utoipa::path(post, path = "/api/v1/proceedings/{id}/warnings", tag = "风险预警", security(("token" = [])), params(("id" = i64, Path)), request_body = WarningDraft,
    responses((status = 201, body = WarningDetail), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create(
    State(st): S,
    a: Auth,
    Id(pid): Id,
    ApiJson(d): ApiJson<WarningDraft>,
) -> ApiResult<(StatusCode, Json<WarningDetail>)> {
    let input = d.validate(st.store.today())?;
    let w = st.store.create_warning(&a.0, pid, &input).await?;
    let (warning, history, obligations) = st.store.warning(&a.0, w.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(WarningDetail {
            warning,
            history,
            obligations,
        }),
    ))
}

/// Warnings in the caller's scope (the bureau's roles: the jurisdiction's; the court liaison:
/// its court's; a unit: those on its cases or assigned to it), open first, red first, newest
/// first, at most 500.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "风险预警", security(("token" = [])), params(WarningParams),
    responses((status = 200, body = Vec<Warning>), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn list(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<WarningParams>,
) -> ApiResult<Json<Vec<Warning>>> {
    Ok(Json(st.store.list_warnings(&a.0, &p.query()?).await?))
}

/// The warnings' figures for a period (the bureau, leaders, auditors; without `period`: 1
/// January to today): warned cases, warnings by grade, resolved before judgment, and the loss
/// rate of warned against unwarned litigation concluded in the period, with the formulas.
#[utoipa::path(get, path = "/api/v1/warnings/stats", tag = "风险预警", security(("token" = [])), params(crate::stats::PeriodParams),
    responses((status = 200, body = huajie_domain::warning::WarningStats), (status = 403, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn stats(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<crate::stats::PeriodParams>,
) -> ApiResult<Json<huajie_domain::warning::WarningStats>> {
    let period = p.resolve().map_err(huajie_domain::Invalid::one)?;
    Ok(Json(
        st.store
            .warning_stats(&a.0, &period, st.store.today())
            .await?,
    ))
}

/// Query of the risk suggestions.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionParams {
    /// `true`: every pending case with its score, not only those that reach a grade.
    pub all: Option<bool>,
}

/// The explainable risk score of the jurisdiction's pending cases, highest first (at most
/// 200): each with its factors and points, the grade it suggests and the grade of the case's
/// open warning. Suggestions only — a person sends the warning (the bureau, leaders, auditors).
#[utoipa::path(get, path = "/api/v1/risk-suggestions", tag = "风险预警", security(("token" = [])), params(SuggestionParams),
    responses((status = 200, body = Vec<huajie_domain::risk::RiskSuggestion>), (status = 403, body = crate::error::ErrorDetail)))]
pub async fn suggestions(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<SuggestionParams>,
) -> ApiResult<Json<Vec<huajie_domain::risk::RiskSuggestion>>> {
    Ok(Json(
        st.store
            .risk_suggestions(&a.0, p.all.unwrap_or(false))
            .await?,
    ))
}

/// The risk score's factors and weights, with their version.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RiskRulesBody {
    pub version: i64,
    pub rules: huajie_domain::risk::RiskRules,
}

/// The factors and weights of the risk score (shipped defaults until the bureau changes them).
#[utoipa::path(get, path = "/api/v1/risk-rules", tag = "风险预警", security(("token" = [])),
    responses((status = 200, body = RiskRulesBody)))]
pub async fn get_rules(State(st): S, a: Auth) -> ApiResult<Json<RiskRulesBody>> {
    let (rules, version) = st.store.risk_rules(a.0.jurisdiction_id).await?;
    Ok(Json(RiskRulesBody { version, rules }))
}

/// Changes the factors and weights (the coordinator; `version` as read; audited).
#[utoipa::path(put, path = "/api/v1/risk-rules", tag = "风险预警", security(("token" = [])), request_body = RiskRulesBody,
    responses((status = 200, body = RiskRulesBody), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn put_rules(
    State(st): S,
    a: Auth,
    ApiJson(b): ApiJson<RiskRulesBody>,
) -> ApiResult<Json<RiskRulesBody>> {
    let version = st.store.set_risk_rules(&a.0, b.version, &b.rules).await?;
    Ok(Json(RiskRulesBody {
        version,
        rules: b.rules,
    }))
}

/// One warning with its history and the obligations of its responsible units.
#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "风险预警", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = WarningDetail), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn one(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<WarningDetail>> {
    let (warning, history, obligations) = st.store.warning(&a.0, id).await?;
    Ok(Json(WarningDetail {
        warning,
        history,
        obligations,
    }))
}

/// 交办 (the 司法局 coordinator): the responsible units and the 包案 leader, one of their heads
/// (the 正职 for a red warning); each unit then owes the disposal feedback and the risk
/// analysis report within 10 days (`version` required).
#[utoipa::path(post, path = "/api/v1/warnings/{id}/assign", tag = "风险预警", security(("token" = [])), params(("id" = i64, Path)), request_body = AssignDraft,
    responses((status = 200, body = WarningDetail), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn assign(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<AssignDraft>,
) -> ApiResult<Json<WarningDetail>> {
    let v = version(d.version);
    let input = d.validate(st.store.today())?;
    st.store.assign_warning(&a.0, id, v?, &input).await?;
    one(State(st), a, Id(id)).await
}

/// Changes the grade with the reason (the 司法局 coordinator; `version`, `grade`, `reason`).
#[utoipa::path(post, path = "/api/v1/warnings/{id}/regrade", tag = "风险预警", security(("token" = [])), params(("id" = i64, Path)), request_body = StepDraft,
    responses((status = 200, body = WarningDetail), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn regrade(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<StepDraft>,
) -> ApiResult<Json<WarningDetail>> {
    let v = version(d.version);
    let (grade, reason) = d.validate(true)?;
    st.store.warning_step(&a.0, id, v?, grade, &reason).await?;
    one(State(st), a, Id(id)).await
}

/// Escalates to the county 行政争议协调小组 with the reason (the 司法局 coordinator; leaders are
/// told).
#[utoipa::path(post, path = "/api/v1/warnings/{id}/escalate", tag = "风险预警", security(("token" = [])), params(("id" = i64, Path)), request_body = StepDraft,
    responses((status = 200, body = WarningDetail), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn escalate(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<StepDraft>,
) -> ApiResult<Json<WarningDetail>> {
    let v = version(d.version);
    let (_, reason) = d.validate(false)?;
    st.store.warning_step(&a.0, id, v?, None, &reason).await?;
    one(State(st), a, Id(id)).await
}

/// Closes the warning (销号) with the result — withdrawn, mediated, corrected, judged or other
/// (with a note); the work item and the obligations due after that day end with it.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/close", tag = "风险预警", security(("token" = [])), params(("id" = i64, Path)), request_body = CloseWarningDraft,
    responses((status = 200, body = WarningDetail), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn close(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<CloseWarningDraft>,
) -> ApiResult<Json<WarningDetail>> {
    let v = version(d.version);
    let input = d.validate(st.store.today())?;
    st.store.close_warning(&a.0, id, v?, &input).await?;
    one(State(st), a, Id(id)).await
}
