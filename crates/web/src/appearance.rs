//! The court-appearance duty (负责人出庭应诉) in the API: who must appear for each defendant unit
//! at each hearing of a case and why, the unit's appearance plan (出庭人员名单, filed before the
//! hearing; it submits the unit's open appearance-list obligations), the case circumstances the
//! bureau records, the problems list, and the rules. The case page shows the same
//! (`ui/case.rs`, section 出庭安排).

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use huajie_domain::appearance::{AppearancePlan, CaseFlag, DutyRules, HearingDuty, PlanDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Id};

type S = State<AppState>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/proceedings/{id}/appearance-duties", get(duties))
        .route("/proceedings/{id}/case-flags", get(flags).put(set_flags))
        .route("/hearings/{id}/plan", put(file_plan))
        .route("/appearance-problems", get(problems))
        .route("/appearance-rules", get(rules).put(set_rules))
}

#[derive(OpenApi)]
#[openapi(paths(duties, flags, set_flags, file_plan, problems, rules, set_rules))]
pub struct AppearanceApi;

/// Each defendant unit at each hearing: who must appear and why, the plan, the problems of a
/// recorded appearance (a unit's staff see their own unit).
#[utoipa::path(get, path = "/api/v1/proceedings/{id}/appearance-duties", tag = "出庭", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HearingDuty>), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn duties(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Vec<HearingDuty>>> {
    Ok(Json(st.store.hearing_duties(&a.0, id).await?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Flags {
    /// major_public_interest, high_attention, mass_incident_risk, written_suggestion.
    pub flags: Vec<String>,
}

/// The circumstances recorded on a case (they call for the 正职).
#[utoipa::path(get, path = "/api/v1/proceedings/{id}/case-flags", tag = "出庭", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Flags), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn flags(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Flags>> {
    let f = st.store.case_flags(&a.0, id).await?;
    Ok(Json(Flags {
        flags: f.iter().map(|f| f.code().to_string()).collect(),
    }))
}

/// The bureau records the circumstances of a case (replacing what was recorded).
#[utoipa::path(put, path = "/api/v1/proceedings/{id}/case-flags", tag = "出庭", security(("token" = [])), params(("id" = i64, Path)), request_body = Flags,
    responses((status = 200, body = Flags), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn set_flags(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<Flags>,
) -> ApiResult<Json<Flags>> {
    let mut inv = huajie_domain::Invalid::default();
    let parsed: Vec<CaseFlag> = d
        .flags
        .iter()
        .filter_map(|f| {
            CaseFlag::parse_field("flags", f)
                .map_err(|e| inv.push(e))
                .ok()
        })
        .collect();
    inv.into_result(())?;
    let f = st.store.set_case_flags(&a.0, id, &parsed).await?;
    Ok(Json(Flags {
        flags: f.iter().map(|f| f.code().to_string()).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanBody {
    /// The defendant unit the plan is for.
    pub unit_id: Option<i64>,
    #[serde(flatten)]
    pub plan: PlanDraft,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Filed {
    pub plan: AppearancePlan,
    /// Obligations (出庭人员名单备案) submitted with this plan.
    pub submitted: Vec<i64>,
}

/// Files or changes a defendant unit's appearance plan for a hearing (the unit's clerk or head,
/// or the bureau): a head of the unit (`head_id`) or typed (`head_name`, `head_post`,
/// `head_kind`), never agents alone. Submits the unit's open appearance-list obligations.
#[utoipa::path(put, path = "/api/v1/hearings/{id}/plan", tag = "出庭", security(("token" = [])), params(("id" = i64, Path)), request_body = PlanBody,
    responses((status = 200, body = Filed), (status = 403, body = crate::error::ErrorDetail), (status = 404, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn file_plan(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<PlanBody>,
) -> ApiResult<Json<Filed>> {
    let unit = d
        .unit_id
        .ok_or_else(|| huajie_domain::FieldError::required("unit_id", "单位"))?;
    let input = d.plan.validate()?;
    let (plan, submitted) = st
        .store
        .file_appearance_plan(&a.0, id, unit, d.plan.version, &input)
        .await?;
    Ok(Json(Filed { plan, submitted }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Window {
    /// From this day (default 90 days ago).
    pub from: Option<String>,
    /// Up to this day, inclusive (default today).
    pub to: Option<String>,
}

/// Hearings in a window whose recorded appearance has a problem (负责人未出庭, 应由正职出庭,
/// 仅委托律师出庭), newest first.
#[utoipa::path(get, path = "/api/v1/appearance-problems", tag = "出庭", security(("token" = [])), params(Window),
    responses((status = 200, body = Vec<HearingDuty>), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn problems(
    State(st): S,
    a: Auth,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<Vec<HearingDuty>>> {
    let today = st.store.today();
    let day = |field: &str,
               v: &Option<String>,
               d: jiff::civil::Date|
     -> Result<jiff::civil::Date, huajie_domain::FieldError> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => huajie_domain::proceeding::parse_date(field, v),
            None => Ok(d),
        }
    };
    let from = day(
        "from",
        &w.from,
        today
            .checked_sub(jiff::Span::new().days(90))
            .unwrap_or(today),
    )?;
    let to = day("to", &w.to, today)?;
    let to = to.tomorrow().unwrap_or(to);
    Ok(Json(
        st.store
            .appearance_problems(&a.0, &from.to_string(), &to.to_string())
            .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppearanceRulesView {
    pub rules: DutyRules,
    /// 0 while the shipped defaults apply.
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AppearanceRulesBody {
    pub version: Option<i64>,
    pub rules: DutyRules,
}

/// The jurisdiction's appearance rules (shipped defaults until changed).
#[utoipa::path(get, path = "/api/v1/appearance-rules", tag = "出庭", security(("token" = [])),
    responses((status = 200, body = AppearanceRulesView)))]
pub async fn rules(State(st): S, a: Auth) -> ApiResult<Json<AppearanceRulesView>> {
    let (rules, version) = st.store.appearance_rules(a.0.jurisdiction_id).await?;
    Ok(Json(AppearanceRulesView { rules, version }))
}

/// Changes the appearance rules (the bureau).
#[utoipa::path(put, path = "/api/v1/appearance-rules", tag = "出庭", security(("token" = [])), request_body = AppearanceRulesBody,
    responses((status = 200, body = AppearanceRulesView), (status = 403, body = crate::error::ErrorDetail), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn set_rules(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<AppearanceRulesBody>,
) -> ApiResult<Json<AppearanceRulesView>> {
    let version = d
        .version
        .ok_or_else(|| huajie_domain::FieldError::required("version", "版本号"))?;
    let v = st
        .store
        .set_appearance_rules(&a.0, version, &d.rules)
        .await?;
    Ok(Json(AppearanceRulesView {
        rules: d.rules,
        version: v,
    }))
}
