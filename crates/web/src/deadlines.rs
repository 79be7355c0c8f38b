//! Handlers of the deadline engine: events on proceedings, deadlines (per proceeding, mine,
//! per unit, jurisdiction-wide), met / waived, the rule set and deadline settings, the
//! calendar (view a year, import a notice) and calendar feeds (.ics).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use huajie_domain::calendar::{DayKind, parse_calendar_csv};
use huajie_domain::deadline::{
    AdjustDraft, DeadlineSettingsDraft, EventDraft, MetDraft, RuleSetDraft, WaiveDraft,
};
use huajie_domain::ical;
use huajie_domain::proceeding::parse_date;
use huajie_domain::records::{
    Deadline, DeadlinePage, DeadlineSettings, Event, Feed, Recomputed, RuleSet,
};
use huajie_domain::rules::{EventKind, Nature, Responsible};
use huajie_domain::{FieldError, Invalid};
use huajie_store::audit::Author;
use huajie_store::deadlines::{DeadlineQuery, StateFilter, parse_cursor, today};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{Auth, new_token, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id, Reasoned, RemoveParams, reason_of, require_version};
use huajie_store::audit::with_reason;

type S = State<AppState>;

// ----- events -------------------------------------------------------------------------

/// An event and the deadlines it now carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventWithDeadlines {
    pub event: Event,
    pub deadlines: Vec<Deadline>,
}

/// Events recorded on a proceeding, in date order.
#[utoipa::path(get, path = "/api/v1/proceedings/{id}/events", tag = "期限", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn list_events(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Vec<Event>>> {
    Ok(Json(st.store.list_events(&a.0, id).await?))
}

/// Record an event (收到起诉状副本, 判决书送达 …); the deadlines it starts are created at once.
#[utoipa::path(post, path = "/api/v1/proceedings/{id}/events", tag = "期限", security(("token" = [])), params(("id" = i64, Path)), request_body = EventDraft,
    responses((status = 201, body = EventWithDeadlines), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn add_event(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<EventDraft>,
) -> ApiResult<(StatusCode, Json<EventWithDeadlines>)> {
    let input = d.validate()?;
    let (event, deadlines) = st.store.add_event(&a.0, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(EventWithDeadlines { event, deadlines }),
    ))
}

/// Correct an event; its deadlines are recomputed and each change records why.
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "期限", security(("token" = [])), params(("id" = i64, Path)), request_body = EventDraft,
    responses((status = 200, body = EventWithDeadlines), (status = 409, body = crate::error::ErrorDetail)))]
pub async fn update_event(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(Reasoned { draft: d, reason }): ApiJson<Reasoned<EventDraft>>,
) -> ApiResult<Json<EventWithDeadlines>> {
    let input = d.validate()?;
    let v = require_version(d.version)?;
    let reason = reason_of(reason.as_deref(), false)?;
    let (event, deadlines) =
        with_reason(reason, st.store.update_event(&a.0, id, v, &input)).await?;
    Ok(Json(EventWithDeadlines { event, deadlines }))
}

/// Withdraw an event recorded by mistake (`version` and `reason` required), with the deadlines
/// it started; the withdrawal and its reason stay in the case history.
#[utoipa::path(delete, path = "/api/v1/events/{id}", tag = "期限", security(("token" = [])), params(("id" = i64, Path), RemoveParams),
    responses((status = 204), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn delete_event(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiQuery(q): ApiQuery<RemoveParams>,
) -> ApiResult<StatusCode> {
    let v = require_version(q.version)?;
    let reason = reason_of(q.reason.as_deref(), true)?;
    with_reason(reason, st.store.delete_event(&a.0, id, v)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventKindItem {
    pub code: String,
    pub label: String,
}

/// The events that can be recorded.
#[utoipa::path(get, path = "/api/v1/event-kinds", tag = "期限", security(("token" = [])), responses((status = 200, body = Vec<EventKindItem>)))]
pub async fn event_kinds(_a: Auth) -> Json<Vec<EventKindItem>> {
    Json(
        EventKind::ALL
            .iter()
            .map(|k| EventKindItem {
                code: k.code().into(),
                label: k.label().into(),
            })
            .collect(),
    )
}

// ----- deadlines ----------------------------------------------------------------------

/// Every deadline of a proceeding: overdue first, then by due date; met and waived last.
#[utoipa::path(get, path = "/api/v1/proceedings/{id}/deadlines", tag = "期限", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Deadline>), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn proceeding_deadlines(
    State(st): S,
    a: Auth,
    Id(id): Id,
) -> ApiResult<Json<Vec<Deadline>>> {
    Ok(Json(st.store.proceeding_deadlines(&a.0, id).await?))
}

/// Query of a deadline list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineParams {
    /// Only the deadlines the caller's unit must meet (unit staff) or the 司法局's own (others).
    pub mine: Option<bool>,
    /// Deadlines a unit must meet on proceedings where it is a party.
    pub unit_id: Option<i64>,
    /// unit, justice_bureau, court, recon_organ or claimant.
    pub responsible: Option<String>,
    /// duty (义务), right (权利期限) or court (法院/复议机关期限); all when absent.
    pub nature: Option<String>,
    /// open (default), overdue, due_soon, done or all.
    pub state: Option<String>,
    /// Due on or after, `YYYY-MM-DD`.
    pub due_from: Option<String>,
    /// Due on or before, `YYYY-MM-DD`.
    pub due_to: Option<String>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<i64>,
    /// Cursor `next` of the previous page.
    pub after: Option<String>,
}

impl DeadlineParams {
    fn validate(&self, mine: bool) -> Result<DeadlineQuery, Invalid> {
        let mut inv = Invalid::default();
        let mut q = DeadlineQuery {
            mine: mine || self.mine.unwrap_or(false),
            unit_id: self.unit_id,
            limit: self.limit.unwrap_or(100),
            ..DeadlineQuery::default()
        };
        if !(1..=500).contains(&q.limit) {
            inv.push(FieldError::new(
                "limit",
                "out_of_range",
                format!("每页条数须在1到500之间，收到{}", q.limit),
            ));
        }
        if let Some(r) = self.responsible.as_deref().filter(|s| !s.is_empty()) {
            match Responsible::parse_field("responsible", r) {
                Ok(r) => q.responsible = Some(r),
                Err(e) => inv.push(e),
            }
        }
        if let Some(n) = self.nature.as_deref().filter(|s| !s.is_empty()) {
            match Nature::parse_field("nature", n) {
                Ok(n) => q.nature = Some(n),
                Err(e) => inv.push(e),
            }
        }
        if let Some(s) = self.state.as_deref().filter(|s| !s.is_empty()) {
            match StateFilter::parse(s) {
                Some(f) => q.state = f,
                None => inv.push(FieldError::new(
                    "state",
                    "unknown_value",
                    format!("状态“{s}”无效，可选值：open（未完成）、overdue（已逾期）、due_soon（即将到期）、done（已完成或豁免）、all（全部）"),
                )),
            }
        }
        for (field, value, slot) in [
            ("due_from", &self.due_from, &mut q.due_from),
            ("due_to", &self.due_to, &mut q.due_to),
        ] {
            if let Some(v) = value.as_deref().filter(|s| !s.is_empty()) {
                match parse_date(field, v) {
                    Ok(d) => *slot = Some(d),
                    Err(e) => inv.push(e),
                }
            }
        }
        if let Some(c) = self.after.as_deref().filter(|s| !s.is_empty()) {
            match parse_cursor(c) {
                Some(c) => q.after = Some(c),
                None => inv.push(FieldError::new(
                    "after",
                    "invalid_cursor",
                    "翻页游标无效，请使用上一页返回的 next 值",
                )),
            }
        }
        inv.into_result(q)
    }
}

/// Obligations in the caller's scope (jurisdiction-wide for the 司法局, what their own unit owes
/// for unit staff), overdue first. Filter by owing unit, responsible party, nature, state and
/// due range.
#[utoipa::path(get, path = "/api/v1/deadlines", tag = "期限", security(("token" = [])), params(DeadlineParams),
    responses((status = 200, body = DeadlinePage), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn list_deadlines(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<DeadlineParams>,
) -> ApiResult<Json<DeadlinePage>> {
    let q = p.validate(false)?;
    Ok(Json(st.store.list_deadlines(&a.0, &q).await?))
}

/// My deadlines: for unit staff those their unit must meet, for the 司法局 its own; overdue first.
#[utoipa::path(get, path = "/api/v1/deadlines/mine", tag = "期限", security(("token" = [])), params(DeadlineParams),
    responses((status = 200, body = DeadlinePage), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn my_deadlines(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<DeadlineParams>,
) -> ApiResult<Json<DeadlinePage>> {
    let q = p.validate(true)?;
    Ok(Json(st.store.list_deadlines(&a.0, &q).await?))
}

/// Record that a deadline was met on a date (on time or late follows from the date).
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/met", tag = "期限", security(("token" = [])), params(("id" = i64, Path)), request_body = MetDraft,
    responses((status = 200, body = Deadline), (status = 409, body = crate::error::ErrorDetail)))]
pub async fn mark_met(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<MetDraft>,
) -> ApiResult<Json<Deadline>> {
    let met_on = d.validate(today())?;
    let v = require_version(d.version)?;
    Ok(Json(st.store.mark_deadline_met(&a.0, id, v, met_on).await?))
}

/// Waive a deadline with a reason (司法局 coordinator only); who waived it is recorded.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/waive", tag = "期限", security(("token" = [])), params(("id" = i64, Path)), request_body = WaiveDraft,
    responses((status = 200, body = Deadline), (status = 403, body = crate::error::ErrorDetail)))]
pub async fn waive(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<WaiveDraft>,
) -> ApiResult<Json<Deadline>> {
    let reason = d.validate()?;
    let v = require_version(d.version)?;
    Ok(Json(st.store.waive_deadline(&a.0, id, v, &reason).await?))
}

/// Record an approved extension (延长) and/or suspension intervals (中止) on a deadline; it and
/// its internal targets are recomputed, the trace says how. An empty request removes them.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/adjust", tag = "期限", security(("token" = [])), params(("id" = i64, Path)), request_body = AdjustDraft,
    responses((status = 200, body = Deadline), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn adjust(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<AdjustDraft>,
) -> ApiResult<Json<Deadline>> {
    let (adjustment, reason) = d.validate()?;
    let v = require_version(d.version)?;
    Ok(Json(
        st.store
            .adjust_deadline(&a.0, id, v, &adjustment, &reason)
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct VersionBody {
    pub version: Option<i64>,
}

/// Undo "met" or "waived" recorded by mistake.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/reopen", tag = "期限", security(("token" = [])), params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = Deadline)))]
pub async fn reopen(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<VersionBody>,
) -> ApiResult<Json<Deadline>> {
    let v = require_version(d.version)?;
    Ok(Json(st.store.reopen_deadline(&a.0, id, v).await?))
}

// ----- rule set and settings ----------------------------------------------------------

/// The rule catalogue in force in the caller's jurisdiction (statutory rules plus the local set).
#[utoipa::path(get, path = "/api/v1/rules", tag = "期限", security(("token" = [])), responses((status = 200, body = RuleSet)))]
pub async fn get_rules(State(st): S, a: Auth) -> ApiResult<Json<RuleSet>> {
    Ok(Json(st.store.rule_set(&a.0).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleSetUpdated {
    pub rule_set: RuleSet,
    /// What the change did to the jurisdiction's open deadlines.
    pub recomputed: Recomputed,
}

/// Select shipped local rule sets (`shipped`: one id or several, active together; where two
/// replace the same rule, the later in the shipped order wins) and/or store the jurisdiction's
/// own (`toml`, applied last), or neither (statutory rules only). Open deadlines are recomputed
/// under the new rules.
#[utoipa::path(put, path = "/api/v1/rules", tag = "期限", security(("token" = [])), request_body = RuleSetDraft,
    responses((status = 200, body = RuleSetUpdated), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn put_rules(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<RuleSetDraft>,
) -> ApiResult<Json<RuleSetUpdated>> {
    let selection = d.validate()?;
    let v = require_version(d.version)?;
    let (rule_set, recomputed) = st.store.set_rule_set(&a.0, v, &selection).await?;
    Ok(Json(RuleSetUpdated {
        rule_set,
        recomputed,
    }))
}

#[utoipa::path(get, path = "/api/v1/settings/deadlines", tag = "期限", security(("token" = [])), responses((status = 200, body = DeadlineSettings)))]
pub async fn get_settings(State(st): S, a: Auth) -> ApiResult<Json<DeadlineSettings>> {
    Ok(Json(st.store.deadline_settings(&a.0).await?))
}

/// Set how many days before the due date a deadline shows as 即将到期.
#[utoipa::path(put, path = "/api/v1/settings/deadlines", tag = "期限", security(("token" = [])), request_body = DeadlineSettingsDraft,
    responses((status = 200, body = DeadlineSettings), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn put_settings(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<DeadlineSettingsDraft>,
) -> ApiResult<Json<DeadlineSettings>> {
    let days = d.validate()?;
    let v = require_version(d.version)?;
    Ok(Json(st.store.set_deadline_settings(&a.0, v, days).await?))
}

// ----- calendar -----------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDay {
    pub date: String,
    /// `holiday` (放假) or `workday_on_weekend` (调休上班).
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYear {
    pub year: i16,
    /// No official notice for this year yet: only weekends are rest days, results are provisional.
    pub provisional: bool,
    pub days: Vec<CalendarDay>,
}

/// The calendar of a year in force for the caller's jurisdiction (national plus local days).
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "日历", security(("token" = [])), params(("year" = i16, Path)),
    responses((status = 200, body = CalendarYear), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn calendar_year(
    State(st): S,
    a: Auth,
    Path(year): Path<String>,
) -> ApiResult<Json<CalendarYear>> {
    let year: i16 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            ApiError::bad_request("invalid_year", format!("年份“{year}”无效，应为2000至2100"))
        })?;
    let cal = st.store.calendar(Some(a.0.jurisdiction_id)).await?;
    Ok(Json(CalendarYear {
        year,
        provisional: !cal.covered_years().contains(&year),
        days: cal
            .special_days(year)
            .into_iter()
            .map(|e| CalendarDay {
                date: e.date.to_string(),
                kind: match e.kind {
                    DayKind::Holiday => "holiday",
                    DayKind::Workday => "workday_on_weekend",
                }
                .into(),
                name: e.name,
            })
            .collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CalendarImport {
    /// The notice as CSV: header line, then `date,kind,name` (kind `holiday` / `workday_on_weekend`).
    pub csv: Option<String>,
    /// true: the jurisdiction's own extra rest days; false (default): the national calendar.
    pub local: Option<bool>,
    /// Where it came from (e.g. 国办发明电〔2026〕x号), kept in the audit log.
    pub source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarImported {
    pub years: Vec<i16>,
    pub days: usize,
    /// What the import did to open deadlines (each change records why).
    pub recomputed: Recomputed,
}

/// Load or correct a year's calendar (司法局 coordinator only). Every open deadline it affects
/// is recomputed and the reason recorded on it.
#[utoipa::path(post, path = "/api/v1/calendar/import", tag = "日历", security(("token" = [])), request_body = CalendarImport,
    responses((status = 200, body = CalendarImported), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn import_calendar(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<CalendarImport>,
) -> ApiResult<Json<CalendarImported>> {
    if !a.0.can_administer() {
        return Err(ApiError::forbidden("只有司法局协调员可以导入日历"));
    }
    let csv = d.csv.as_deref().unwrap_or("");
    if csv.trim().is_empty() {
        return Err(FieldError::required("csv", "日历数据").into());
    }
    let (entries, years) = parse_calendar_csv(csv)
        .map_err(|e| ApiError::from(FieldError::new("csv", "invalid_calendar", e.to_string())))?;
    let source = d
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("接口导入")
        .chars()
        .take(200)
        .collect::<String>();
    let jurisdiction = d.local.unwrap_or(false).then_some(a.0.jurisdiction_id);
    let recomputed = st
        .store
        .import_calendar(&Author::from(&a.0), jurisdiction, &entries, &years, &source)
        .await?;
    Ok(Json(CalendarImported {
        years: years.into_iter().collect(),
        days: entries.len(),
        recomputed,
    }))
}

// ----- calendar feeds -----------------------------------------------------------------

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FeedRequest {
    /// A unit's feed; absent: the caller's own feed.
    pub unit_id: Option<i64>,
}

/// Create a calendar feed (iCalendar) for the caller or a unit. The answer carries the secret
/// URL once; subscribe to it in a phone or desktop calendar.
#[utoipa::path(post, path = "/api/v1/feeds", tag = "日历", security(("token" = [])), request_body = FeedRequest,
    responses((status = 201, body = Feed), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create_feed(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<FeedRequest>,
) -> ApiResult<(StatusCode, Json<Feed>)> {
    let (secret, hash) = new_token();
    let mut feed = st.store.create_feed(&a.0, d.unit_id, &hash).await?;
    feed.url = Some(format!("/feeds/{secret}.ics"));
    Ok((StatusCode::CREATED, Json(feed)))
}

/// The caller's feeds and the unit feeds they manage.
#[utoipa::path(get, path = "/api/v1/feeds", tag = "日历", security(("token" = [])), responses((status = 200, body = Vec<Feed>)))]
pub async fn list_feeds(State(st): S, a: Auth) -> ApiResult<Json<Vec<Feed>>> {
    Ok(Json(st.store.list_feeds(&a.0).await?))
}

/// Revoke a feed; its URL stops working at once.
#[utoipa::path(delete, path = "/api/v1/feeds/{id}", tag = "日历", security(("token" = [])), params(("id" = i64, Path)), responses((status = 204)))]
pub async fn revoke_feed(State(st): S, a: Auth, Id(id): Id) -> ApiResult<StatusCode> {
    st.store.revoke_feed(&a.0, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The feed itself: `GET /feeds/<secret>.ics`, no login (the secret is the credential).
pub async fn feed_ics(State(st): S, Path(file): Path<String>) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "日历订阅不存在或已撤销",
        )
            .into_response()
    };
    let Some(secret) = file.strip_suffix(".ics") else {
        return not_found();
    };
    let content = match st.store.feed_content(&token_hash(secret)).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut items = Vec::new();
    for d in &content.deadlines {
        let Ok(date) = d.due_on.parse() else { continue };
        let mark = match (d.met_on.is_some(), d.waived_reason.is_some()) {
            (true, _) => "【已完成】",
            (_, true) => "【已豁免】",
            _ => "【期限】",
        };
        items.push(ical::Item::AllDay {
            uid: format!("deadline-{}@huajie", d.id),
            date,
            summary: format!("{mark}{} {}（{}）", d.name, d.case_label, d.owner_label),
            description: format!(
                "责任方：{}（{}）\n状态：{}\n计算：{}\n依据：{}{}",
                d.owner_label,
                d.nature_label,
                d.state_label,
                d.trace,
                d.citation,
                if d.provisional {
                    "\n（暂定：所跨年份尚无国务院放假安排，仅按周末计算）"
                } else {
                    ""
                }
            ),
        });
    }
    for h in &content.hearings {
        let Ok(start) = h.scheduled_at.parse() else {
            continue;
        };
        items.push(ical::Item::Timed {
            uid: format!("hearing-{}@huajie", h.id),
            start,
            minutes: 120,
            summary: format!("【开庭】{}", h.case_label),
            location: h.place.clone(),
            description: format!("案号：{}", h.case_label),
        });
    }
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let body = ical::render(&content.name, &stamp, &items);
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response()
}
