//! Statistics API: the figure set of a period (every indicator by unit, domain and kind with
//! year-on-year change and formulas), drill-down to the cases behind a figure, the statistics
//! configuration, and published snapshots with their later corrections.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use huajie_domain::FieldError;
use huajie_domain::records::LedgerRow;
use huajie_domain::stats::report::{Correction, FigureSet};
use huajie_domain::stats::{GroupKey, Part, Period};
use huajie_store::deadlines::today;
use huajie_store::stats::SnapshotInfo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id, require_version};

type S = State<AppState>;

/// A reporting period. Without `period`: from 1 January to today (年初至今).
#[derive(Debug, Default, Clone, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// month | quarter | half | year | custom
    pub period: Option<String>,
    pub year: Option<String>,
    /// Month (1–12), quarter (1–4) or half (1–2).
    pub n: Option<String>,
    /// Custom period start (YYYY-MM-DD).
    pub from: Option<String>,
    /// Custom period end (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
}

impl PeriodParams {
    pub fn resolve(&self) -> Result<Period, FieldError> {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        match self
            .period
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => {
                let t = today();
                Period::custom(jiff::civil::Date::new(t.year(), 1, 1).expect("valid"), t)
            }
            Some(kind) => Period::parse(
                kind,
                &s(&self.year),
                &s(&self.n),
                &s(&self.from),
                &s(&self.to),
            ),
        }
    }

    /// Query string that reproduces this period.
    pub fn of(p: &Period) -> String {
        use huajie_domain::stats::PeriodKind as K;
        match p.kind {
            K::Custom => format!("period=custom&from={}&to={}", p.from, p.to),
            K::Year => format!("period=year&year={}", p.from.year()),
            k => format!(
                "period={}&year={}&n={}",
                k.code(),
                p.from.year(),
                p.number()
            ),
        }
    }
}

/// The figure set of a period: totals, units (rolled up), domains, kinds, ranked assessment,
/// twelve-month trend; every indicator with its formula.
#[utoipa::path(get, path = "/api/v1/stats", tag = "统计", security(("token" = [])), params(PeriodParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn figures(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> ApiResult<Json<FigureSet>> {
    let period = p.resolve()?;
    Ok(Json(st.store.figure_set(&a.0, &period, today()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersParams {
    pub period: Option<String>,
    pub year: Option<String>,
    pub n: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Indicator id, e.g. loss_rate.
    pub indicator: Option<String>,
    /// numerator | denominator (default numerator).
    pub part: Option<String>,
    /// total | unit:ID | own:ID | domain:CODE | kind:CODE (default total).
    pub group: Option<String>,
}

impl MembersParams {
    pub fn period_params(&self) -> PeriodParams {
        PeriodParams {
            period: self.period.clone(),
            year: self.year.clone(),
            n: self.n.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }

    /// Validated (indicator, part, group).
    pub fn target(&self) -> Result<(String, Part, GroupKey), huajie_domain::Invalid> {
        let mut inv = huajie_domain::Invalid::default();
        let indicator = self.indicator.clone().unwrap_or_default();
        if indicator.trim().is_empty() {
            inv.push(FieldError::required("indicator", "指标"));
        }
        let part = match self.part.as_deref().unwrap_or("numerator") {
            "numerator" | "" => Part::Numerator,
            "denominator" => Part::Denominator,
            other => {
                inv.push(FieldError::new(
                    "part",
                    "unknown_value",
                    format!("“{other}”无效，应为 numerator（分子）或 denominator（分母）"),
                ));
                Part::Numerator
            }
        };
        let g = self.group.as_deref().unwrap_or("total");
        let group = GroupKey::from_param(g).unwrap_or_else(|| {
            inv.push(FieldError::new(
                "group",
                "unknown_value",
                format!("分组“{g}”无效，应为 total、unit:单位编号、own:单位编号、domain:领域代码 或 kind:程序代码"),
            ));
            GroupKey::Total
        });
        inv.into_result((indicator.trim().to_string(), part, group))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Members {
    pub count: usize,
    /// Ids of the proceedings behind the figure.
    pub proceeding_ids: Vec<i64>,
    /// Ledger rows of the first 200.
    pub proceedings: Vec<LedgerRow>,
}

/// The proceedings behind one side (numerator or denominator) of one figure.
#[utoipa::path(get, path = "/api/v1/stats/cases", tag = "统计", security(("token" = [])), params(MembersParams),
    responses((status = 200, body = Members), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn members(
    State(st): S,
    a: Auth,
    ApiQuery(q): ApiQuery<MembersParams>,
) -> ApiResult<Json<Members>> {
    let period = q.period_params().resolve();
    let target = q.target();
    let (period, (indicator, part, group)) = match (period, target) {
        (Ok(p), Ok(t)) => (p, t),
        (p, t) => {
            let mut inv = huajie_domain::Invalid::default();
            if let Err(e) = p {
                inv.push(e);
            }
            if let Err(e) = t {
                inv.extend(e);
            }
            return Err(inv.into());
        }
    };
    let ids = st
        .store
        .stat_members(&a.0, &period, &indicator, part, &group, today())
        .await?
        .ids;
    let first: Vec<i64> = ids.iter().take(200).copied().collect();
    Ok(Json(Members {
        count: ids.len(),
        proceedings: st.store.ledger_rows(&a.0, &first).await?,
        proceeding_ids: ids,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatsConfigText {
    /// The configuration as TOML (indicators with numerator/denominator, assessment rules).
    pub toml: Option<String>,
    pub version: Option<i64>,
}

/// The statistics definitions (统计口径) and assessment rules (考核规则) as TOML.
#[utoipa::path(get, path = "/api/v1/stats/config", tag = "统计", security(("token" = [])), responses((status = 200, body = StatsConfigText)))]
pub async fn get_config(State(st): S, _a: Auth) -> ApiResult<Json<StatsConfigText>> {
    let (_, text, version) = st.store.stats_config().await?;
    Ok(Json(StatsConfigText {
        toml: Some(text),
        version: Some(version),
    }))
}

/// Replace the statistics definitions and assessment rules (coordinator).
#[utoipa::path(put, path = "/api/v1/stats/config", tag = "统计", security(("token" = [])), request_body = StatsConfigText,
    responses((status = 200, body = StatsConfigText), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn put_config(
    State(st): S,
    a: Auth,
    ApiJson(b): ApiJson<StatsConfigText>,
) -> ApiResult<Json<StatsConfigText>> {
    let Some(text) = b.toml else {
        return Err(FieldError::required("toml", "统计口径配置").into());
    };
    let v = require_version(b.version)?;
    let version = st.store.set_stats_config(&a.0, v, &text).await?;
    Ok(Json(StatsConfigText {
        toml: Some(text),
        version: Some(version),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishRequest {
    #[serde(flatten)]
    pub period: PeriodParams,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    pub id: i64,
}

/// Publish (freeze) the figure set of a period. A period is published once.
#[utoipa::path(post, path = "/api/v1/stats/snapshots", tag = "统计", security(("token" = [])), request_body = PublishRequest,
    responses((status = 201, body = Published), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn publish(
    State(st): S,
    a: Auth,
    ApiJson(b): ApiJson<PublishRequest>,
) -> ApiResult<(StatusCode, Json<Published>)> {
    if b.period
        .period
        .as_deref()
        .is_none_or(|p| p.trim().is_empty())
    {
        return Err(FieldError::required("period", "统计周期").into());
    }
    let period = b.period.resolve()?;
    let note = huajie_domain::error::optional_text(
        "note",
        "发布说明",
        b.note.as_deref().unwrap_or(""),
        500,
    )?;
    let id = st
        .store
        .publish_snapshot(&a.0, &period, note, today())
        .await?;
    Ok((StatusCode::CREATED, Json(Published { id })))
}

/// Published figure sets, newest period first.
#[utoipa::path(get, path = "/api/v1/stats/snapshots", tag = "统计", security(("token" = [])), responses((status = 200, description = "已发布的统计快照，最近的期间在前", body = [Object])))]
pub async fn list_snapshots(State(st): S, a: Auth) -> ApiResult<Json<Vec<SnapshotInfo>>> {
    Ok(Json(st.store.snapshots(&a.0).await?))
}

#[derive(Debug, Serialize)]
pub struct SnapshotView {
    pub info: SnapshotInfo,
    pub figures: FigureSet,
    /// Figures that today's data gives differently (same definitions as published).
    pub corrections: Vec<Correction>,
}

/// A published figure set as frozen, with the corrections since publication.
#[utoipa::path(get, path = "/api/v1/stats/snapshots/{id}", tag = "统计", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn get_snapshot(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<SnapshotView>> {
    Ok(Json(snapshot_view(&st, &a.0, id).await?))
}

pub(crate) async fn snapshot_view(
    st: &AppState,
    actor: &huajie_domain::access::Actor,
    id: i64,
) -> Result<SnapshotView, ApiError> {
    let snap = st.store.snapshot(actor, id).await?;
    let live = st
        .store
        .figure_set_with(
            actor,
            &snap.info.period,
            &snap.config,
            &snap.loss_rule,
            today(),
        )
        .await?;
    Ok(SnapshotView {
        corrections: snap.figures.corrections(&live),
        info: snap.info,
        figures: snap.figures,
    })
}
