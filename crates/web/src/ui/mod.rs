//! The web application's pages: server-rendered HTML (askama templates in `templates/`), plain
//! forms and links, with a small script of our own. Login creates a server-side session (cookie
//! `hj_session`, HttpOnly, SameSite=Lax); every state-changing form carries the session's CSRF
//! token and is refused from another origin.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use huajie_domain::records::Deadline;
use huajie_domain::rules::Nature;
use huajie_domain::user::{FREE_LOGIN_ATTEMPTS, Role};
use huajie_store::audit::Author;
use huajie_store::deadlines::{DeadlineQuery, StateFilter, today};
use huajie_store::sessions::{Session, SessionPolicy};
use serde::Deserialize;

use crate::AppState;

mod admin;
mod case;
mod charts;
mod cockpit;
mod corrections;
mod forms;
mod import;
mod ledger;
mod login;
mod messages;
mod obligations;
mod proceeding_form;
mod reading;
mod stats;
mod units;
mod warnings;
mod work_items;
mod workbench;

use crate::auth::{LoginRefused, check_password, hash_password, new_token, token_hash};
pub use admin::{
    add_unit, add_user, audit_page, calendar_page, create_subscription, import_calendar,
    reset_password, revoke_subscription, rules_page, save_rules, subscriptions_page, toggle_user,
    units_page, unlock_user, user_contacts, users_page,
};
pub use case::{
    add_appearance, add_event, add_hearing, add_outcome, case_page, decide_correction, file_plan,
    mark_met, request_correction, send_hearing_notice, set_case_flags, upload_document,
    waive_or_reopen,
};
pub use cockpit::cockpit;
pub use corrections::{
    correct_appearance, correct_event, correct_hearing, correct_outcome, correct_party,
    withdraw_event, withdraw_party,
};
pub use import::{IMPORT_MAX_BYTES, import_page, import_submit, import_template};
pub use ledger::{delete_filter, ledger, ledger_export, save_filter};
pub use login::{
    login_page, login_submit, logout, logout_all, password_page, password_submit, revoke_token,
};
pub use messages::{
    add_gateway, edit_gateway, messages_page, notifications_page, read_all_messages, read_message,
    save_notify_rules, save_settings, settings_page, user_deliveries_page,
};
pub use obligations::{
    losses_page, obligation_page, review as review_submission, submit as submit_obligation,
};
pub use proceeding_form::{
    check_case_no, edit_page, edit_submit, new_page, new_submit, party_names,
};
pub use reading::{add_reading, confirm_reading, reading_report};
pub use stats::{
    cases_page as stats_cases, circular as stats_circular, config_page as stats_config,
    export as stats_export, export_snapshot as stats_export_snapshot,
    half_year_report as stats_half_year, publish as stats_publish,
    save_config as stats_save_config, snapshot_page as stats_snapshot,
    snapshots_page as stats_snapshots, stats_page,
};
pub use units::{
    add_unit_head, appearance_problems_page, edit_unit_head, save_appearance_rules, unit_page,
};
pub use warnings::{
    assign_warning, close_warning, instruct_warning, risk_page, save_risk_rules, send_warning,
    warning_page, warning_step, warnings_page,
};
pub use work_items::{
    close_work_item, create_work_item, instruct_item, work_item_page, work_items_page,
};
pub use workbench::workbench;

pub(crate) const SESSION_COOKIE: &str = "hj_session";
const LOGIN_COOKIE: &str = "hj_login";

/// What every page around its content shows.
pub struct Chrome {
    pub name: String,
    pub role: String,
    pub csrf: String,
    pub active: &'static str,
    pub flash: Option<String>,
    /// Shows the administration entries (用户管理).
    pub admin: bool,
    /// Shows 审计日志.
    pub audit: bool,
    /// Shows 登记案件.
    pub writer: bool,
    /// Shows 统计分析.
    pub stats: bool,
    /// Unread messages (消息中心 in the top bar).
    pub unread: i64,
}

impl Chrome {
    fn new(s: &Session, active: &'static str) -> Chrome {
        Chrome {
            name: s.display_name.clone(),
            role: s.actor.role.label().to_string(),
            csrf: s.csrf.clone(),
            active,
            flash: None,
            admin: s.actor.can_administer(),
            audit: s.actor.can_read_full_audit(),
            writer: s.actor.can_write_cases(),
            stats: s.actor.can_read_statistics(),
            unread: s.unread,
        }
    }
}

fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie text is ASCII")
}

/// A request from another site (by `Origin` or `Sec-Fetch-Site`) may not change anything.
fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
    {
        return false;
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            origin
                .split_once("://")
                .map(|(_, h)| h == host)
                .unwrap_or(false)
        }
    }
}

fn client(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("浏览器")
        .chars()
        .take(120)
        .collect()
}

/// Only local paths are followed after login (no open redirect).
/// Where to go after login: a path on this site only. Browsers drop tabs and line breaks from
/// a URL (`/\t/evil.example` becomes `//evil.example`, another site), and anything that is
/// not printable ASCII cannot go into a `Location` header, so such a `next` is refused.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// A short page with one message and a way back.
pub(crate) fn message_page(status: StatusCode, msg: &str, back: &str) -> Response {
    let esc = |t: &str| {
        askama::filters::escape(t, askama::filters::Html)
            .map(|s| s.to_string())
            .unwrap_or_default()
    };
    (
        status,
        Html(format!(
            "<!doctype html><meta charset=utf-8><title>提示 · 化解</title><link rel=stylesheet href=/assets/app.css><script src=/assets/app.js defer></script><main><div class=error>{}</div><p>{back}</p></main>",
            esc(msg)
        )),
    )
        .into_response()
}

const BACK_HOME: &str = "<a href=/>返回工作台</a>";
/// Goes back to the form (app.js; without script the link leads to the workbench: no
/// `javascript:` address, which the Content-Security-Policy forbids).
pub(crate) const BACK_FORM: &str = "<a href=/ data-back>返回修改</a>";

fn forbidden_page(msg: &str) -> Response {
    let mut resp = message_page(StatusCode::FORBIDDEN, msg, BACK_HOME);
    resp.extensions_mut().insert(crate::Refusal);
    resp
}

/// The page for a store error on a form: refusals, missing records, conflicts, bad input.
fn store_error_page(s: &Session, what: &str, e: huajie_store::StoreError) -> Response {
    use huajie_store::StoreError as E;
    match e {
        E::Forbidden(m) => forbidden_page(&m),
        E::NotFound => not_found_page(s, what),
        E::Conflict { .. } => message_page(
            StatusCode::CONFLICT,
            &format!("{what}已被他人修改，请返回页面刷新后查看"),
            BACK_HOME,
        ),
        E::Invalid(inv) => {
            let msg: Vec<String> = inv.0.into_iter().map(|e| e.message).collect();
            message_page(StatusCode::UNPROCESSABLE_ENTITY, &msg.join("；"), BACK_FORM)
        }
        e => crate::error::ApiError::from(e).into_response(),
    }
}

/// A logged-in browser session; pages without one redirect to the login page, and a user who
/// must change the password is sent to that form first.
pub struct UiSession(pub Session);

impl FromRequestParts<AppState> for UiSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let q = form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish();
            Redirect::to(&format!("/login?{q}")).into_response()
        };
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let session = match st
            .store
            .session(&token_hash(&secret), SessionPolicy::default())
            .await
        {
            Ok(Some(s)) => s,
            Ok(None) => return Err(to_login()),
            Err(e) => return Err(crate::error::ApiError::from(e).into_response()),
        };
        let path = parts.uri.path();
        if session.must_change_password && path != "/password" && path != "/logout" {
            return Err(Redirect::to("/password").into_response());
        }
        Ok(UiSession(session))
    }
}

impl UiSession {
    /// The target id of a posted form (`raw` from the path) after the form's CSRF check: a bad
    /// id is a 404 page naming `what`, a failed check a 403 page.
    fn posted(
        &self,
        headers: &HeaderMap,
        p: &forms::Pairs,
        raw: &str,
        what: &str,
    ) -> Result<i64, Box<Response>> {
        let Some(id) = parse_id(raw) else {
            return Err(Box::new(not_found_page(&self.0, &format!("{what}“{raw}”"))));
        };
        self.check(headers, &p.get("csrf"))?;
        Ok(id)
    }

    /// Refuses a state-changing form without this session's token or from another origin.
    fn check(&self, headers: &HeaderMap, token: &str) -> Result<(), Box<Response>> {
        if token == self.0.csrf && same_origin(headers) {
            Ok(())
        } else {
            tracing::warn!(user = %self.0.actor.username, "CSRF check failed");
            Err(Box::new(forbidden_page(
                "页面已过期或请求来源不明，操作未执行。请刷新页面后重试。",
            )))
        }
    }
}

// ----- assets ---------------------------------------------------------------------------

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.css"),
    )
}

pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.js"),
    )
}

pub(crate) struct Opt {
    value: String,
    label: String,
    selected: bool,
}

pub(crate) fn opts<'a>(
    items: impl Iterator<Item = (String, String)> + 'a,
    current: &str,
) -> Vec<Opt> {
    items
        .map(|(value, label)| Opt {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// The page of a service call that did not produce its result: the store's refusal as usual, a
/// request that does not fit as a 422 with its message, a file that could not be made as a 500.
pub(crate) fn service_error_page(
    s: &Session,
    what: &str,
    e: huajie_service::ServiceError,
) -> Response {
    match e {
        huajie_service::ServiceError::Store(e) => store_error_page(s, what, e),
        huajie_service::ServiceError::Invalid(m) => {
            message_page(StatusCode::UNPROCESSABLE_ENTITY, &m, BACK_FORM)
        }
        e @ huajie_service::ServiceError::Office(_) => {
            message_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), BACK_HOME)
        }
    }
}

pub(crate) fn not_found_page(s: &Session, what: &str) -> Response {
    tracing::warn!(user = %s.actor.username, what, "page denied or missing");
    let mut resp = message_page(
        StatusCode::NOT_FOUND,
        &format!("{what}不存在，或您无权查看。"),
        BACK_HOME,
    );
    resp.extensions_mut().insert(crate::Refusal);
    resp
}

#[derive(Debug, Default, Deserialize)]
pub struct MsgParam {
    msg: Option<String>,
}

/// A file download with a UTF-8 file name.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"export\"; filename*=UTF-8''{}",
        urlencode(filename).replace('+', "%20")
    );
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub(crate) const DOCX: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Percent-encodes a query-string value.
pub(crate) fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The page of what an obligation is owed on: its work item (工作事项), else its proceeding;
/// `anchor` is added to a proceeding's link (e.g. `#deadlines`).
pub(crate) fn subject_href(d: &Deadline, anchor: &str) -> String {
    match (d.work_item_id, d.proceeding_id) {
        (Some(w), _) => format!("/work-items/{w}"),
        (None, Some(p)) => format!("/proceedings/{p}{anchor}"),
        (None, None) => "/".to_string(),
    }
}

/// The same with a message query (`?msg=…`) before the anchor.
pub(crate) fn subject_href_msg(d: &Deadline, msg: &str, anchor: &str) -> String {
    match (d.work_item_id, d.proceeding_id) {
        (Some(w), _) => format!("/work-items/{w}?msg={msg}#obligations"),
        (None, Some(p)) => format!("/proceedings/{p}?msg={msg}{anchor}"),
        (None, None) => "/".to_string(),
    }
}

pub(crate) fn parse_id(raw: &str) -> Option<i64> {
    raw.parse().ok().filter(|v: &i64| *v > 0)
}

pub(crate) fn audit_action(a: &str) -> &'static str {
    huajie_domain::audit::action_label(a)
}

pub(crate) fn audit_entity(e: &str) -> &'static str {
    huajie_domain::audit::entity_label(e)
}

/// What an audit event was about, in words: the entity's Chinese name and the record's own
/// name where the event carries one (a deadline's name and owner, an event's kind and date, a
/// party's or document's name), never a bare id.
pub(crate) fn audit_object(e: &huajie_domain::records::AuditEvent) -> String {
    let rec = e.after.as_ref().or(e.before.as_ref());
    let field = |k: &str| {
        rec.and_then(|r| r.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let what = match e.entity.as_str() {
        "deadline" => field("name").map(|n| match field("owner_label") {
            Some(o) => format!("{n}（{o}）"),
            None => n,
        }),
        "event" => {
            field("kind_label").map(|k| format!("{k} {}", field("occurred_on").unwrap_or_default()))
        }
        "party" | "unit" => field("name"),
        "appearance" => field("person_name"),
        "document" => field("filename"),
        "hearing" => field("scheduled_at").map(|t| t.replacen('T', " ", 1)),
        "submission" => field("deadline_name")
            .map(|n| format!("{n}（{}）", field("owner_label").unwrap_or_default())),
        "correction_request" => field("unit_name"),
        "user" => field("display_name").or_else(|| field("username")),
        _ => None,
    };
    match what.filter(|w| !w.trim().is_empty()) {
        Some(w) => format!("{}：{w}", audit_entity(&e.entity)),
        None => audit_entity(&e.entity).to_string(),
    }
}

/// A stored UTC timestamp shown as Beijing time, `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn beijing_time(at: &str) -> String {
    match at.parse::<jiff::Timestamp>() {
        Ok(t) => t
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => at.replacen('T', " ", 1).chars().take(19).collect(),
    }
}

#[cfg(test)]
mod next_tests {
    use super::safe_next;

    /// Regression: `next=/%09/…` after login redirected to another site.
    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/proceedings/3?x=1")), "/proceedings/3?x=1");
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/ /evil.example",
            "/案件",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
