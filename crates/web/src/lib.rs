//! The HTTP layer of huajie. This is the only crate that knows about HTTP: routes, JSON
//! shapes of errors, authentication headers, the OpenAPI document and Swagger UI.

pub mod api;
pub mod appearance;
pub mod auth;
pub mod contract;
pub mod corrections;
pub mod court;
pub mod deadlines;
pub mod denials;
pub mod documents;
pub mod error;
pub mod extract;
pub mod headers;
pub mod hygiene;
pub mod messages;
pub mod obligations;
pub mod readings;
pub mod stats;
pub mod supervision;
pub mod throttle;
pub mod ui;
pub mod warnings;
pub mod work_items;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use huajie_store::Store;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Marks a response that refused a request (403, or a record out of the actor's scope); the
/// [`log_denials`] layer writes each one to the audit log with who asked.
#[derive(Debug, Clone, Copy)]
pub struct Refusal;

/// Writes every refused request of a known user to the audit log (action `denied`), for pages
/// and API alike, and to the server log.
async fn log_denials(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    // Only the headers that identify the user and where the request came from are kept (not a copy of every request's
    // headers), and they are looked at only when the request was refused.
    let mut who = axum::http::HeaderMap::new();
    for name in [
        axum::http::header::AUTHORIZATION,
        axum::http::header::COOKIE,
        axum::http::HeaderName::from_static("x-forwarded-for"),
    ] {
        for v in req.headers().get_all(&name) {
            who.append(name.clone(), v.clone());
        }
    }
    let peer = auth::peer_of(req.extensions());
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let (actor, who) = if resp.extensions().get::<Refusal>().is_some() {
        match auth::actor_of(&st, &who).await {
            Some(a) => {
                let name = a.username.clone();
                (Some(a), name)
            }
            None => return resp,
        }
    } else if resp.extensions().get::<BadToken>().is_some() {
        (None, auth::source_of(&who, peer, st.trust_proxy))
    } else {
        return resp;
    };
    tracing::warn!(user = %who, %method, %path, status, "request denied");
    let denial = denials::Denial {
        user_id: actor.as_ref().map_or(0, |a| a.user_id),
        who: who.clone(),
        method: method.clone(),
        shape: denials::shape(&path),
    };
    if let Some(w) = st.denials.admit(denial, &path, status)
        && let Err(e) = st
            .store
            .record_denial(
                actor.as_ref().map(|a| (a.user_id, a.role.code())),
                &who,
                &method,
                &w.path,
                w.status,
                w.folded_before,
            )
            .await
    {
        tracing::error!("could not log a denial: {e}");
    }
    resp
}

/// Writes the refusals folded into windows that have passed (see [`denials`]); run every
/// minute by a task of the router.
pub async fn flush_denials(st: &AppState) {
    for (d, w) in st.denials.flush() {
        let user = (d.user_id != 0).then_some((d.user_id, ""));
        if let Err(e) = st
            .store
            .record_denial(user, &d.who, &d.method, &w.path, w.status, w.folded_before)
            .await
        {
            tracing::error!("could not log folded denials: {e}");
        }
    }
}

/// Marks a 401 for a request that presented a token or session that is not valid: logged as a
/// refusal under the client's address (folded like the others).
#[derive(Debug, Clone, Copy)]
pub struct BadToken;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Mark cookies `Secure` and send HSTS (set `HUAJIE_SECURE_COOKIES=true` when served over
    /// HTTPS).
    pub secure_cookies: bool,
    /// Where attached documents are kept (content-addressed).
    pub blobs: huajie_store::blobs::Blobs,
    /// Largest accepted document, in bytes.
    pub max_document_bytes: usize,
    /// Failed logins of this process ([`throttle`]).
    pub throttle: std::sync::Arc<throttle::LoginThrottle>,
    /// Take the client's address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy: bool,
    /// Passwords older than this many days must be changed at the next login.
    pub password_max_days: Option<i64>,
    /// Refusals folded per kind before they reach the audit log ([`denials`]).
    pub denials: std::sync::Arc<denials::DenialLog>,
}

/// Settings of the web application beyond the database.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub documents_dir: std::path::PathBuf,
    pub max_document_bytes: usize,
    pub secure_cookies: bool,
    /// `HUAJIE_TRUST_PROXY`: the server sits behind a reverse proxy that sets
    /// `X-Forwarded-For` (its last address is the client's, for throttling and the audit log).
    pub trust_proxy: bool,
    /// `HUAJIE_PASSWORD_MAX_DAYS` (1–3650): passwords expire after that many days; unset or 0,
    /// never.
    pub password_max_days: Option<i64>,
}

impl WebConfig {
    /// From the environment: `HUAJIE_DOCUMENTS_DIR` (default `huajie-documents`),
    /// `HUAJIE_MAX_DOCUMENT_MB` (default 20) and `HUAJIE_SECURE_COOKIES` (`1`, `true`, `yes` or `on`).
    pub fn from_env() -> WebConfig {
        WebConfig {
            documents_dir: std::env::var_os("HUAJIE_DOCUMENTS_DIR")
                .map(Into::into)
                .unwrap_or_else(|| "huajie-documents".into()),
            max_document_bytes: std::env::var("HUAJIE_MAX_DOCUMENT_MB")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|mb| (1..=1024).contains(mb))
                .map(|mb| mb * 1024 * 1024)
                .unwrap_or(huajie_domain::document::DEFAULT_MAX_DOCUMENT_BYTES),
            secure_cookies: std::env::var("HUAJIE_SECURE_COOKIES")
                .is_ok_and(|v| headers::truthy(&v)),
            trust_proxy: std::env::var("HUAJIE_TRUST_PROXY").is_ok_and(|v| headers::truthy(&v)),
            password_max_days: std::env::var("HUAJIE_PASSWORD_MAX_DAYS")
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|d| (1..=3650).contains(d)),
        }
    }
}

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "huajie 化解 API", description = "行政争议化解管理系统接口。认证：先用 POST /api/v1/tokens 换取令牌，再在请求头中携带 Authorization: Bearer <令牌>。错误统一为 {\"error\": {\"code\", \"message\", \"fields\"}}（ErrorBody）。"),
    modifiers(&TokenAuth),
    paths(
        api::create_token, api::list_tokens, api::revoke_token, api::me,
        api::list_units, api::create_unit, api::get_unit, api::update_unit, api::list_heads, api::add_head, api::update_head,
        api::list_users, api::create_user, api::get_user, api::update_user, api::set_password, api::unlock_user,
        api::list_codes, api::put_code, api::get_loss_rule, api::put_loss_rule,
        api::list_disputes, api::create_dispute, api::get_dispute, api::update_dispute,
        api::ledger, api::create_proceeding, api::get_proceeding, api::update_proceeding,
        api::add_party, api::update_party, api::delete_party,
        api::add_hearing, api::update_hearing, api::add_appearance, api::update_appearance,
        api::add_outcome, api::update_outcome, api::audit_history,
        deadlines::list_events, deadlines::add_event, deadlines::update_event, deadlines::delete_event, deadlines::event_kinds,
        deadlines::proceeding_deadlines, deadlines::list_deadlines, deadlines::my_deadlines,
        deadlines::mark_met, deadlines::waive, deadlines::reopen, deadlines::adjust,
        deadlines::get_rules, deadlines::put_rules, deadlines::get_settings, deadlines::put_settings,
        deadlines::calendar_year, deadlines::import_calendar,
        deadlines::create_feed, deadlines::list_feeds, deadlines::revoke_feed,
        documents::list, documents::upload, documents::download_api,
        readings::create, readings::list, readings::get, readings::confirm, readings::report_api, readings::examples,
        stats::figures, stats::members, stats::get_config, stats::put_config,
        stats::publish, stats::list_snapshots, stats::get_snapshot,
    )
)]
pub struct ApiDoc;

/// The OpenAPI document: the core paths and those of each feature module.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(obligations::ObligationsApi::openapi());
    doc.merge(corrections::CorrectionsApi::openapi());
    doc.merge(work_items::WorkItemsApi::openapi());
    doc.merge(messages::MessagesApi::openapi());
    doc.merge(appearance::AppearanceApi::openapi());
    doc.merge(warnings::WarningsApi::openapi());
    doc.merge(court::CourtApi::openapi());
    doc.merge(supervision::SupervisionApi::openapi());
    contract::finish(doc)
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn fallback() -> error::ApiError {
    error::ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "no_route",
        "接口不存在，请查看 /api/docs",
    )
}

/// The application router with settings from the environment ([`WebConfig::from_env`]).
pub fn router(store: Store) -> std::io::Result<Router> {
    router_with(store, WebConfig::from_env())
}

/// The application router, ready to serve; fails only when the documents directory cannot be
/// created.
pub fn router_with(store: Store, config: WebConfig) -> std::io::Result<Router> {
    let state = AppState {
        store,
        secure_cookies: config.secure_cookies,
        blobs: huajie_store::blobs::Blobs::open(&config.documents_dir)?,
        max_document_bytes: config.max_document_bytes,
        throttle: Default::default(),
        trust_proxy: config.trust_proxy,
        password_max_days: config.password_max_days,
        denials: Default::default(),
    };
    // Folded refusals are written once their window has passed, even when no other comes.
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        let st = state.clone();
        rt.spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                flush_denials(&st).await;
            }
        });
    }
    let v1 = Router::new()
        .route("/tokens", get(api::list_tokens).post(api::create_token))
        .route("/tokens/{id}", delete(api::revoke_token))
        .route("/me", get(api::me))
        .route("/units", get(api::list_units).post(api::create_unit))
        .route("/units/{id}", get(api::get_unit).put(api::update_unit))
        .route(
            "/units/{id}/heads",
            get(api::list_heads).post(api::add_head),
        )
        .route("/unit-heads/{id}", put(api::update_head))
        .route("/users", get(api::list_users).post(api::create_user))
        .route("/users/{id}", get(api::get_user).put(api::update_user))
        .route("/users/{id}/password", post(api::set_password))
        .route("/users/{id}/unlock", post(api::unlock_user))
        .route("/codes/{list}", get(api::list_codes).put(api::put_code))
        .route(
            "/settings/loss-rule",
            get(api::get_loss_rule).put(api::put_loss_rule),
        )
        .route(
            "/disputes",
            get(api::list_disputes).post(api::create_dispute),
        )
        .route(
            "/disputes/{id}",
            get(api::get_dispute).put(api::update_dispute),
        )
        .route(
            "/proceedings",
            get(api::ledger).post(api::create_proceeding),
        )
        .route(
            "/proceedings/{id}",
            get(api::get_proceeding).put(api::update_proceeding),
        )
        .route("/proceedings/{id}/parties", post(api::add_party))
        .route(
            "/parties/{id}",
            put(api::update_party).delete(api::delete_party),
        )
        .route("/proceedings/{id}/hearings", post(api::add_hearing))
        .route("/hearings/{id}", put(api::update_hearing))
        .route("/hearings/{id}/appearances", post(api::add_appearance))
        .route("/appearances/{id}", put(api::update_appearance))
        .route("/proceedings/{id}/outcomes", post(api::add_outcome))
        .route("/outcomes/{id}", put(api::update_outcome))
        .route("/audit/{entity}/{id}", get(api::audit_history))
        .route(
            "/proceedings/{id}/events",
            get(deadlines::list_events).post(deadlines::add_event),
        )
        .route(
            "/events/{id}",
            put(deadlines::update_event).delete(deadlines::delete_event),
        )
        .route("/event-kinds", get(deadlines::event_kinds))
        .route(
            "/proceedings/{id}/deadlines",
            get(deadlines::proceeding_deadlines),
        )
        .route("/deadlines", get(deadlines::list_deadlines))
        .route("/deadlines/mine", get(deadlines::my_deadlines))
        .route("/deadlines/{id}/met", post(deadlines::mark_met))
        .route("/deadlines/{id}/waive", post(deadlines::waive))
        .route("/deadlines/{id}/reopen", post(deadlines::reopen))
        .route("/deadlines/{id}/adjust", post(deadlines::adjust))
        .route(
            "/rules",
            get(deadlines::get_rules).put(deadlines::put_rules),
        )
        .route(
            "/settings/deadlines",
            get(deadlines::get_settings).put(deadlines::put_settings),
        )
        .route("/stats", get(stats::figures))
        .route("/stats/cases", get(stats::members))
        .route(
            "/stats/config",
            get(stats::get_config).put(stats::put_config),
        )
        .route(
            "/stats/snapshots",
            get(stats::list_snapshots).post(stats::publish),
        )
        .route("/stats/snapshots/{id}", get(stats::get_snapshot))
        .route("/calendar/import", post(deadlines::import_calendar))
        .route("/calendar/{year}", get(deadlines::calendar_year))
        .route(
            "/feeds",
            get(deadlines::list_feeds).post(deadlines::create_feed),
        )
        .route("/feeds/{id}", delete(deadlines::revoke_feed))
        .route("/judgment-readings/{id}", get(readings::get))
        .route("/judgment-readings/{id}/confirm", post(readings::confirm))
        .route(
            "/judgment-readings/{id}/loss-report.docx",
            get(readings::report_api),
        )
        .route("/judgment-examples", get(readings::examples))
        .merge(obligations::routes())
        .merge(corrections::routes())
        .merge(work_items::routes())
        .merge(messages::routes())
        .merge(appearance::routes())
        .merge(warnings::routes())
        .merge(court::routes())
        .merge(supervision::routes());
    // Uploads get their own body limit (the document limit plus room for the form fields).
    let upload_limit = DefaultBodyLimit::max(state.max_document_bytes + 64 * 1024);
    let uploads = Router::new()
        .route(
            "/proceedings/{id}/documents",
            post(ui::upload_document).layer(upload_limit),
        )
        .route(
            "/api/v1/proceedings/{id}/documents",
            get(documents::list)
                .post(documents::upload)
                .layer(upload_limit),
        )
        .route(
            "/api/v1/proceedings/{id}/judgment-readings",
            get(readings::list)
                .post(readings::create)
                .layer(upload_limit),
        )
        .route(
            "/proceedings/{id}/readings",
            post(ui::add_reading).layer(upload_limit),
        )
        .route(
            "/deadlines/{id}/submit",
            // Several files of the required kinds in one form.
            post(ui::submit_obligation).layer(DefaultBodyLimit::max(
                state.max_document_bytes * 4 + 64 * 1024,
            )),
        );
    let uploads = uploads.route(
        "/import",
        get(ui::import_page)
            .post(ui::import_submit)
            .layer(DefaultBodyLimit::max(ui::IMPORT_MAX_BYTES + 64 * 1024)),
    );
    let app = Router::new()
        .merge(uploads)
        .route("/import/template.xlsx", get(ui::import_template))
        .route("/documents/{id}", get(documents::download))
        .route("/api/v1/documents/{id}", get(documents::download_api))
        .route("/", get(ui::workbench))
        .route("/deadlines/{id}", get(ui::obligation_page))
        .route("/submissions/{id}/review", post(ui::review_submission))
        .route("/losses", get(ui::losses_page))
        .route(
            "/work-items",
            get(ui::work_items_page).post(ui::create_work_item),
        )
        .route("/work-items/{id}", get(ui::work_item_page))
        .route("/work-items/{id}/close", post(ui::close_work_item))
        .route("/outcomes/{id}/corrections", post(ui::request_correction))
        .route("/corrections/{id}/decide", post(ui::decide_correction))
        .route("/events/{id}/correct", post(ui::correct_event))
        .route("/events/{id}/withdraw", post(ui::withdraw_event))
        .route("/hearings/{id}/correct", post(ui::correct_hearing))
        .route("/appearances/{id}/correct", post(ui::correct_appearance))
        .route("/outcomes/{id}/correct", post(ui::correct_outcome))
        .route("/parties/{id}/correct", post(ui::correct_party))
        .route("/parties/{id}/withdraw", post(ui::withdraw_party))
        .route("/messages", get(ui::messages_page))
        .route("/messages/read-all", post(ui::read_all_messages))
        .route("/messages/{id}/read", post(ui::read_message))
        .route(
            "/messages/settings",
            get(ui::settings_page).post(ui::save_settings),
        )
        .route("/notifications", get(ui::notifications_page))
        .route("/notifications/rules", post(ui::save_notify_rules))
        .route("/notifications/gateways", post(ui::add_gateway))
        .route("/notifications/gateways/{id}", post(ui::edit_gateway))
        .route("/login", get(ui::login_page).post(ui::login_submit))
        .route("/logout", post(ui::logout))
        .route("/ledger", get(ui::ledger))
        .route("/ledger/filters", post(ui::save_filter))
        .route("/ledger/filters/{id}/delete", post(ui::delete_filter))
        .route("/proceedings/new", get(ui::new_page).post(ui::new_submit))
        .route("/proceedings/{id}", get(ui::case_page))
        .route(
            "/proceedings/{id}/edit",
            get(ui::edit_page).post(ui::edit_submit),
        )
        .route("/lookup/case-no", get(ui::check_case_no))
        .route("/units", get(ui::units_page).post(ui::add_unit))
        .route("/units/{id}", get(ui::unit_page))
        .route("/proceedings/{id}/case-flags", post(ui::set_case_flags))
        .route("/proceedings/{id}/warnings", post(ui::send_warning))
        .route(
            "/proceedings/{id}/hearing-notices",
            post(ui::send_hearing_notice),
        )
        .route("/cockpit", get(ui::cockpit))
        .route("/warnings", get(ui::warnings_page))
        .route("/warnings/risk", get(ui::risk_page))
        .route("/warnings/risk/rules", post(ui::save_risk_rules))
        .route("/warnings/{id}", get(ui::warning_page))
        .route("/warnings/{id}/assign", post(ui::assign_warning))
        .route("/warnings/{id}/step", post(ui::warning_step))
        .route("/warnings/{id}/close", post(ui::close_warning))
        .route("/warnings/{id}/instructions", post(ui::instruct_warning))
        .route("/work-items/{id}/instructions", post(ui::instruct_item))
        .route("/hearings/{id}/plan", post(ui::file_plan))
        .route("/appearance-problems", get(ui::appearance_problems_page))
        .route("/appearance-rules", post(ui::save_appearance_rules))
        .route("/units/{id}/heads", post(ui::add_unit_head))
        .route("/unit-heads/{id}", post(ui::edit_unit_head))
        .route("/users", get(ui::users_page).post(ui::add_user))
        .route("/users/{id}/reset", post(ui::reset_password))
        .route("/users/{id}/toggle", post(ui::toggle_user))
        .route("/users/{id}/contacts", post(ui::user_contacts))
        .route("/users/{id}/deliveries", get(ui::user_deliveries_page))
        .route("/users/{id}/unlock", post(ui::unlock_user))
        .route(
            "/calendar",
            get(ui::calendar_page).post(ui::import_calendar),
        )
        .route("/rules", get(ui::rules_page).post(ui::save_rules))
        .route("/audit", get(ui::audit_page))
        .route("/stats", get(ui::stats_page))
        .route("/stats/cases", get(ui::stats_cases))
        .route("/stats/export.xlsx", get(ui::stats_export))
        .route(
            "/stats/snapshots/{id}/export.xlsx",
            get(ui::stats_export_snapshot),
        )
        .route(
            "/stats/snapshots/{id}/circular.docx",
            get(ui::stats_circular),
        )
        .route(
            "/stats/snapshots/{id}/report.docx",
            get(ui::stats_half_year),
        )
        .route("/ledger/export.xlsx", get(ui::ledger_export))
        .route("/stats/publish", post(ui::stats_publish))
        .route("/stats/snapshots", get(ui::stats_snapshots))
        .route("/stats/snapshots/{id}", get(ui::stats_snapshot))
        .route(
            "/stats/config",
            get(ui::stats_config).post(ui::stats_save_config),
        )
        .route(
            "/subscriptions",
            get(ui::subscriptions_page).post(ui::create_subscription),
        )
        .route("/subscriptions/{id}/revoke", post(ui::revoke_subscription))
        .route("/lookup/parties", get(ui::party_names))
        .route("/proceedings/{id}/events", post(ui::add_event))
        .route("/proceedings/{id}/hearings", post(ui::add_hearing))
        .route("/hearings/{id}/appearances", post(ui::add_appearance))
        .route("/proceedings/{id}/outcomes", post(ui::add_outcome))
        .route("/readings/{id}/confirm", post(ui::confirm_reading))
        .route("/readings/{id}/loss-report.docx", get(ui::reading_report))
        .route("/deadlines/{id}/met", post(ui::mark_met))
        .route("/deadlines/{id}/waive", post(ui::waive_or_reopen))
        .route("/logout-all", post(ui::logout_all))
        .route("/tokens/{id}/revoke", post(ui::revoke_token))
        .route(
            "/password",
            get(ui::password_page).post(ui::password_submit),
        )
        .route("/assets/app.css", get(ui::css))
        .route("/assets/app.js", get(ui::js))
        .route("/healthz", get(health))
        .route("/feeds/{file}", get(deadlines::feed_ics))
        .nest("/api/v1", v1)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi()))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_denials,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(hygiene::refuse_bad_input))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .with_state(state);
    Ok(app)
}
