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
use huajie_domain::user::{LOCKOUT_MINUTES, LOCKOUT_THRESHOLD, Role, password};
use huajie_store::audit::Author;
use huajie_store::deadlines::{DeadlineQuery, StateFilter, today};
use huajie_store::sessions::{Session, SessionPolicy};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{LoginRefused, check_password, hash_password, new_token, token_hash};

const SESSION_COOKIE: &str = "hj_session";
const LOGIN_COOKIE: &str = "hj_login";

/// What every page around its content shows.
pub struct Chrome {
    pub name: String,
    pub role: String,
    pub csrf: String,
    pub active: &'static str,
    pub flash: Option<String>,
}

impl Chrome {
    fn new(s: &Session, active: &'static str) -> Chrome {
        Chrome {
            name: s.display_name.clone(),
            role: s.actor.role.label().to_string(),
            csrf: s.csrf.clone(),
            active,
            flash: None,
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

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
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
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// A short page with one message and a way back.
fn message_page(status: StatusCode, msg: &str, back: &str) -> Response {
    let esc = |t: &str| {
        askama::filters::escape(t, askama::filters::Html)
            .map(|s| s.to_string())
            .unwrap_or_default()
    };
    (
        status,
        Html(format!(
            "<!doctype html><meta charset=utf-8><title>提示 · 化解</title><link rel=stylesheet href=/assets/app.css><main><div class=error>{}</div><p>{back}</p></main>",
            esc(msg)
        )),
    )
        .into_response()
}

const BACK_HOME: &str = "<a href=/>返回工作台</a>";
const BACK_FORM: &str = "<a href=\"javascript:history.back()\">返回修改</a>";

fn forbidden_page(msg: &str) -> Response {
    message_page(StatusCode::FORBIDDEN, msg, BACK_HOME)
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

// ----- login ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    threshold: i64,
    minutes: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

fn login_page_with(
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
    secure: bool,
) -> Response {
    let (csrf, _) = new_token();
    let mut resp = render(
        status,
        &LoginPage {
            csrf: csrf.clone(),
            next,
            username,
            error,
            threshold: LOCKOUT_THRESHOLD,
            minutes: LOCKOUT_MINUTES,
        },
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, &csrf, Some(3600), secure),
    );
    resp
}

pub async fn login_page(State(st): State<AppState>, Query(q): Query<NextParam>) -> Response {
    login_page_with(
        StatusCode::OK,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
        st.secure_cookies,
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    next: Option<String>,
}

pub async fn login_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let username = f.username.as_deref().unwrap_or("").trim().to_string();
    let again = |status, msg: String| {
        login_page_with(
            status,
            next.clone(),
            username.clone(),
            Some(msg),
            st.secure_cookies,
        )
    };
    let pre = cookie(&headers, LOGIN_COOKIE);
    if pre.is_none() || pre != f.csrf || !same_origin(&headers) {
        return again(
            StatusCode::FORBIDDEN,
            "登录页面已过期，请重新输入后登录".into(),
        );
    }
    let pw = f.password.as_deref().unwrap_or("");
    if username.is_empty() || pw.is_empty() {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "请输入用户名和密码".into(),
        );
    }
    let user_id = match check_password(&st.store, &username, pw, &client(&headers)).await {
        Ok(id) => id,
        Err(LoginRefused::Store(e)) => return crate::error::ApiError::from(e).into_response(),
        Err(r @ LoginRefused::Locked { .. }) => return again(StatusCode::FORBIDDEN, r.message()),
        Err(r) => return again(StatusCode::UNAUTHORIZED, r.message()),
    };
    let (secret, hash) = new_token();
    let (csrf, _) = new_token();
    if let Err(e) = st
        .store
        .open_session(
            user_id,
            &hash,
            &csrf,
            &client(&headers),
            SessionPolicy::default(),
        )
        .await
    {
        return crate::error::ApiError::from(e).into_response();
    }
    let mut resp = Redirect::to(&next).into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &secret, None, st.secure_cookies),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, "", Some(0), st.secure_cookies),
    );
    resp
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

fn to_login_clearing(secure: bool) -> Response {
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), secure),
    );
    resp
}

pub async fn logout(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = s.check(&headers, f.csrf.as_deref().unwrap_or("")) {
        return *r;
    }
    if let Err(e) = st.store.close_session(&s.0.actor, s.0.id).await {
        return crate::error::ApiError::from(e).into_response();
    }
    to_login_clearing(st.secure_cookies)
}

pub async fn logout_all(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = s.check(&headers, f.csrf.as_deref().unwrap_or("")) {
        return *r;
    }
    if let Err(e) = st
        .store
        .close_all_sessions(&Author::from(&s.0.actor), s.0.actor.user_id)
        .await
    {
        return crate::error::ApiError::from(e).into_response();
    }
    to_login_clearing(st.secure_cookies)
}

// ----- password -------------------------------------------------------------------------

#[derive(Debug, Default)]
struct PasswordErrors {
    current: Option<String>,
    new: Option<String>,
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    must_change: bool,
    errors: PasswordErrors,
}

pub async fn password_page(s: UiSession) -> Response {
    render(
        StatusCode::OK,
        &PasswordPage {
            chrome: Chrome::new(&s.0, "password"),
            must_change: s.0.must_change_password,
            errors: PasswordErrors::default(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    current: Option<String>,
    new: Option<String>,
    confirm: Option<String>,
}

pub async fn password_submit(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Err(r) = s.check(&headers, f.csrf.as_deref().unwrap_or("")) {
        return *r;
    }
    let current = f.current.unwrap_or_default();
    let new = f.new.unwrap_or_default();
    let confirm = f.confirm.unwrap_or_default();
    let mut errors = PasswordErrors::default();
    if let Err(e) = password("new", &new) {
        errors.new = Some(e.message);
    } else if new == current {
        errors.new = Some("新密码不能与当前密码相同".into());
    }
    if confirm != new {
        errors.confirm = Some("两次输入的新密码不一致".into());
    }
    match check_password(&st.store, &s.0.actor.username, &current, &client(&headers)).await {
        Ok(_) => {}
        Err(LoginRefused::Store(e)) => return crate::error::ApiError::from(e).into_response(),
        Err(LoginRefused::Wrong { locked_now: None }) => {
            errors.current = Some("当前密码不正确".into())
        }
        Err(r) => errors.current = Some(r.message()),
    }
    if errors.current.is_some() || errors.new.is_some() || errors.confirm.is_some() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                chrome: Chrome::new(&s.0, "password"),
                must_change: s.0.must_change_password,
                errors,
            },
        );
    }
    if let Err(e) = st
        .store
        .change_own_password(&s.0.actor, &hash_password(&new), s.0.id)
        .await
    {
        return crate::error::ApiError::from(e).into_response();
    }
    Redirect::to("/?msg=password_changed").into_response()
}

// ----- workbench ------------------------------------------------------------------------

struct DeadlineRow {
    proceeding_id: i64,
    state_code: &'static str,
    state_label: String,
    provisional: bool,
    due_on: String,
    name: String,
    case_label: String,
    responsible_label: String,
    trace: String,
}

impl From<Deadline> for DeadlineRow {
    fn from(d: Deadline) -> Self {
        DeadlineRow {
            proceeding_id: d.proceeding_id,
            state_code: d.state.code(),
            state_label: d.state_label,
            provisional: d.provisional,
            due_on: d.due_on,
            name: d.name,
            case_label: d.case_label,
            responsible_label: d.responsible_label,
            trace: d.trace,
        }
    }
}

struct HearingRow {
    when: String,
    case_label: String,
    place: String,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage {
    chrome: Chrome,
    overdue: i64,
    due_soon: i64,
    soon_days: i64,
    scope_note: &'static str,
    deadlines: Vec<DeadlineRow>,
    hearings: Vec<HearingRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MsgParam {
    msg: Option<String>,
}

pub async fn workbench(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<MsgParam>,
) -> Response {
    let actor = &s.0.actor;
    let mine = |state| DeadlineQuery {
        mine: true,
        state,
        limit: 100,
        ..DeadlineQuery::default()
    };
    let t = today();
    let week = t.checked_add(jiff::Span::new().days(7)).unwrap_or(t);
    let loaded = async {
        Ok::<_, huajie_store::StoreError>((
            st.store
                .list_deadlines(actor, &mine(StateFilter::Open))
                .await?,
            st.store
                .count_deadlines(actor, &mine(StateFilter::Overdue))
                .await?,
            st.store
                .count_deadlines(actor, &mine(StateFilter::DueSoon))
                .await?,
            st.store.deadline_settings(actor).await?,
            st.store.hearings_between(actor, t, week).await?,
        ))
    }
    .await;
    let (page, overdue, due_soon, settings, hearings) = match loaded {
        Ok(x) => x,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let mut chrome = Chrome::new(&s.0, "workbench");
    chrome.flash = match q.msg.as_deref() {
        Some("password_changed") => Some("密码已修改，其他设备上的登录已退出。".into()),
        _ => None,
    };
    render(
        StatusCode::OK,
        &WorkbenchPage {
            chrome,
            overdue,
            due_soon,
            soon_days: settings.due_soon_days,
            scope_note: if matches!(actor.role, Role::UnitClerk | Role::UnitHead) {
                "本单位负责、尚未完成的期限，已逾期的在前"
            } else {
                "司法局负责、尚未完成的期限，已逾期的在前"
            },
            deadlines: page.items.into_iter().map(DeadlineRow::from).collect(),
            hearings: hearings
                .into_iter()
                .map(|h| HearingRow {
                    when: h
                        .scheduled_at
                        .replacen('T', " ", 1)
                        .chars()
                        .take(16)
                        .collect(),
                    case_label: h.case_label,
                    place: h.place.unwrap_or_default(),
                })
                .collect(),
        },
    )
}

// ----- assets ---------------------------------------------------------------------------

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/app.css"),
    )
}

pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/app.js"),
    )
}

// ----- ledger ---------------------------------------------------------------------------

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn opts<'a>(items: impl Iterator<Item = (String, String)> + 'a, current: &str) -> Vec<Opt> {
    items
        .map(|(value, label)| Opt {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// The ledger's filter form as typed (all text, so nothing typed is lost on an error).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct LedgerForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    registered_from: String,
    #[serde(default)]
    registered_to: String,
    #[serde(default)]
    case_no: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: String,
}

impl LedgerForm {
    fn query_string(&self, after: Option<&str>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("kind", &self.kind),
            ("status", &self.status),
            ("domain", &self.domain),
            ("unit_id", &self.unit_id),
            ("registered_from", &self.registered_from),
            ("registered_to", &self.registered_to),
            ("case_no", &self.case_no),
            ("party", &self.party),
            ("sort", &self.sort),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        if let Some(a) = after {
            s.append_pair("after", a);
        }
        s.finish()
    }
}

struct LedgerRowView {
    id: i64,
    label: String,
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    domain: String,
    claimants: String,
    defendants: String,
    registered_on: String,
    closed_on: String,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPageView {
    chrome: Chrome,
    f: LedgerForm,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    domains: Vec<Opt>,
    units: Vec<Opt>,
    sorts: Vec<Opt>,
    errors: Vec<String>,
    rows: Vec<LedgerRowView>,
    is_later_page: bool,
    first_href: String,
    next_href: Option<String>,
}

pub async fn ledger(
    State(st): State<AppState>,
    s: UiSession,
    Query(f): Query<LedgerForm>,
) -> Response {
    use huajie_domain::codes::CodeList;
    use huajie_domain::ledger::LedgerParams;
    use huajie_domain::proceeding::{ProceedingKind, ProceedingStatus};
    let actor = &s.0.actor;
    let mut errors = Vec::new();
    let unit_id = match f.unit_id.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(format!("单位编号“{v}”无效"));
                None
            }
        },
    };
    let params = LedgerParams {
        unit_id,
        kind: Some(f.kind.clone()),
        status: Some(f.status.clone()),
        domain: Some(f.domain.clone()),
        registered_from: Some(f.registered_from.clone()),
        registered_to: Some(f.registered_to.clone()),
        case_no: Some(f.case_no.clone()),
        party: Some(f.party.clone()),
        sort: Some(f.sort.clone()),
        after: Some(f.after.clone()),
        limit: Some(50),
        ..LedgerParams::default()
    };
    let page = match params.validate() {
        Ok(q) if errors.is_empty() => match st.store.ledger(actor, &q).await {
            Ok(p) => Some(p),
            Err(e) => return crate::error::ApiError::from(e).into_response(),
        },
        Ok(_) => None,
        Err(inv) => {
            errors.extend(inv.0.into_iter().map(|e| e.message));
            None
        }
    };
    let domains = match st.store.codes(CodeList::Domain).await {
        Ok(d) => d,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let domain_label = |code: &str| {
        domains
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.label.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let units = if matches!(actor.role, Role::UnitClerk | Role::UnitHead) {
        Vec::new()
    } else {
        match st.store.list_units(Some(actor.jurisdiction_id)).await {
            Ok(u) => u,
            Err(e) => return crate::error::ApiError::from(e).into_response(),
        }
    };
    let (rows, next) = match page {
        Some(p) => (p.items, p.next_cursor),
        None => (Vec::new(), None),
    };
    let rows = rows
        .into_iter()
        .map(|r| LedgerRowView {
            id: r.id,
            label: r.case_no.or(r.reference_no).unwrap_or_default(),
            kind: r.kind.label(),
            status: r.status.label(),
            status_code: r.status.code(),
            domain: domain_label(&r.domain),
            claimants: r.claimants,
            defendants: r.defendants,
            registered_on: r.registered_on,
            closed_on: r.closed_on.unwrap_or_default(),
        })
        .collect();
    render(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &LedgerPageView {
            chrome: Chrome::new(&s.0, "ledger"),
            kinds: opts(
                ProceedingKind::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &f.kind,
            ),
            statuses: opts(
                ProceedingStatus::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &f.status,
            ),
            domains: opts(
                domains
                    .iter()
                    .filter(|d| d.active)
                    .map(|d| (d.code.clone(), d.label.clone())),
                &f.domain,
            ),
            units: opts(
                units
                    .iter()
                    .filter(|u| !u.kind.is_jurisdiction())
                    .map(|u| (u.id.to_string(), u.name.clone())),
                &f.unit_id,
            ),
            sorts: opts(
                [
                    ("", "登记日期（新→旧）"),
                    ("registered_on", "登记日期（旧→新）"),
                    ("-updated_at", "最近更新"),
                ]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string())),
                &f.sort,
            ),
            errors,
            rows,
            is_later_page: !f.after.is_empty(),
            first_href: format!("/ledger?{}", f.query_string(None)),
            next_href: next.map(|c| format!("/ledger?{}", f.query_string(Some(&c)))),
            f,
        },
    )
}

// ----- case page (程序详情) ----------------------------------------------------------------

struct CaseDeadline {
    id: i64,
    version: i64,
    state_code: &'static str,
    state_label: String,
    provisional: bool,
    due_on: String,
    name: String,
    responsible_label: String,
    trace: String,
    citation: String,
    change_note: Option<String>,
    done_note: Option<String>,
    open: bool,
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    id: i64,
    title: String,
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    facts: Vec<(&'static str, String)>,
    parties: Vec<(&'static str, &'static str, String)>,
    deadlines: Vec<CaseDeadline>,
    events: Vec<huajie_domain::records::Event>,
    event_kinds: Vec<Opt>,
    event_form: EventForm,
    event_errors: Vec<String>,
    hearings: Vec<(String, String, String)>,
    outcomes: Vec<(String, &'static str, String, &'static str)>,
    audit: Vec<(String, String, String, String)>,
    can_write: bool,
    today: String,
}

fn not_found_page(s: &Session, what: &str) -> Response {
    tracing::warn!(user = %s.actor.username, what, "page denied or missing");
    message_page(
        StatusCode::NOT_FOUND,
        &format!("{what}不存在，或您无权查看。"),
        BACK_HOME,
    )
}

fn audit_action(a: &str) -> &'static str {
    match a {
        "create" => "新增",
        "update" => "修改",
        "delete" => "删除",
        "recompute" => "重新计算",
        "met" => "标记完成",
        "waive" => "豁免",
        "reopen" => "撤销完成/豁免",
        "adjust" => "期限调整",
        _ => "其他操作",
    }
}

fn audit_entity(e: &str) -> &'static str {
    match e {
        "proceeding" => "程序",
        "party" => "当事人",
        "hearing" => "开庭",
        "appearance" => "出庭",
        "outcome" => "结果",
        "event" => "事件",
        "deadline" => "期限",
        _ => "记录",
    }
}

async fn render_case(
    st: &AppState,
    s: &Session,
    id: i64,
    event_form: EventForm,
    event_errors: Vec<String>,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    use huajie_domain::rules::EventKind;
    let actor = &s.actor;
    let p = match st.store.get_proceeding(actor, id).await {
        Ok(p) => p,
        Err(huajie_store::StoreError::NotFound) => {
            return not_found_page(s, &format!("程序（编号{id}）"));
        }
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let (events, deadlines, history) = match (
        st.store.list_events(actor, id).await,
        st.store.proceeding_deadlines(actor, id).await,
        st.store.history("proceeding", id).await,
    ) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return crate::error::ApiError::from(e).into_response();
        }
    };
    let label_of = |list, code: &str| {
        let st = st.clone();
        let code = code.to_string();
        async move {
            st.store
                .codes(list)
                .await
                .ok()
                .and_then(|items| items.into_iter().find(|i| i.code == code))
                .map(|i| i.label)
                .unwrap_or(code)
        }
    };
    let domain_label = label_of(huajie_domain::codes::CodeList::Domain, &p.domain).await;
    let act_label = match &p.act_type {
        Some(a) => Some(label_of(huajie_domain::codes::CodeList::ActType, a).await),
        None => None,
    };
    let title = p
        .case_no
        .clone()
        .or(p.reference_no.clone())
        .unwrap_or_else(|| format!("程序 {id}"));
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let facts = vec![
        ("案号/文号", title.clone()),
        ("登记日期", p.registered_on.clone()),
        ("领域", domain_label),
        ("被诉行为类型", opt(&act_label)),
        ("受理机关", opt(&p.forum)),
        ("案由", opt(&p.cause)),
        ("行为作出日期", opt(&p.act_on)),
        ("收到日期", opt(&p.received_on)),
        ("立案日期", opt(&p.filed_on)),
        ("裁判日期", opt(&p.decided_on)),
        ("送达日期", opt(&p.served_on)),
        ("生效日期", opt(&p.effective_on)),
        ("结案日期", opt(&p.closed_on)),
        ("原告人数", p.claimant_count.to_string()),
    ];
    let party_name = |pid: i64| {
        p.parties
            .iter()
            .find(|x| x.id == pid)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let mut chrome = Chrome::new(s, "ledger");
    chrome.flash = flash;
    let kind_code = event_form.kind.clone();
    render(
        status,
        &CasePage {
            chrome,
            id,
            kind: p.kind.label(),
            status: p.status.label(),
            status_code: p.status.code(),
            facts,
            parties: p
                .parties
                .iter()
                .map(|x| (x.role.label(), x.kind.label(), x.name.clone()))
                .collect(),
            deadlines: deadlines
                .into_iter()
                .map(|d| CaseDeadline {
                    open: d.met_on.is_none() && d.waived_reason.is_none(),
                    done_note: match (&d.met_on, &d.waived_reason) {
                        (Some(m), _) => Some(format!("完成于 {m}")),
                        (_, Some(r)) => Some(format!(
                            "豁免：{r}（{}）",
                            d.waived_by.clone().unwrap_or_default()
                        )),
                        _ => None,
                    },
                    id: d.id,
                    version: d.version,
                    state_code: d.state.code(),
                    state_label: d.state_label,
                    provisional: d.provisional,
                    due_on: d.due_on,
                    name: d.name,
                    responsible_label: d.responsible_label,
                    trace: d.trace,
                    citation: d.citation,
                    change_note: d.change_note,
                })
                .collect(),
            events,
            event_kinds: opts(
                EventKind::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &kind_code,
            ),
            event_form,
            event_errors,
            hearings: p
                .hearings
                .iter()
                .map(|h| {
                    let who: Vec<String> = h
                        .appearances
                        .iter()
                        .map(|a| {
                            format!(
                                "{}（{}，{}{}）",
                                a.person_name,
                                a.level.label(),
                                if a.appeared { "出庭" } else { "未出庭" },
                                if a.spoke { "，发言" } else { "" }
                            )
                        })
                        .collect();
                    (
                        h.scheduled_at
                            .replacen('T', " ", 1)
                            .chars()
                            .take(16)
                            .collect(),
                        h.place.clone().unwrap_or_default(),
                        if who.is_empty() {
                            "未登记".to_string()
                        } else {
                            who.join("；")
                        },
                    )
                })
                .collect(),
            outcomes: p
                .outcomes
                .iter()
                .map(|o| {
                    (
                        party_name(o.party_id),
                        o.code.label(),
                        o.decided_on.clone(),
                        if o.is_loss { "败诉" } else { "否" },
                    )
                })
                .collect(),
            audit: history
                .into_iter()
                .rev()
                .take(50)
                .map(|a| {
                    (
                        a.at.replacen('T', " ", 1).chars().take(19).collect(),
                        a.actor_name,
                        audit_action(&a.action).to_string(),
                        format!("{} {}", audit_entity(&a.entity), a.entity_id),
                    )
                })
                .collect(),
            can_write: actor.can_write_cases(),
            today: today().to_string(),
            title,
        },
    )
    .into_response()
}

fn parse_id(raw: &str) -> Option<i64> {
    raw.parse().ok().filter(|v: &i64| *v > 0)
}

pub async fn case_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    Query(q): Query<MsgParam>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("程序“{raw}”"));
    };
    let flash = match q.msg.as_deref() {
        Some("event_added") => Some("事件已登记，期限已自动计算。".to_string()),
        Some("met") => Some("期限已标记完成。".to_string()),
        _ => None,
    };
    render_case(
        &st,
        &s.0,
        id,
        EventForm::default(),
        Vec::new(),
        flash,
        StatusCode::OK,
    )
    .await
}

pub async fn add_event(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    Form(f): Form<EventForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("程序“{raw}”"));
    };
    if let Err(r) = s.check(&headers, &f.csrf) {
        return *r;
    }
    let draft = huajie_domain::deadline::EventDraft {
        version: None,
        kind: Some(f.kind.clone()),
        occurred_on: Some(f.occurred_on.clone()),
        note: Some(f.note.clone()),
    };
    let errors = match draft.validate() {
        Ok(input) => match st.store.add_event(&s.0.actor, id, &input).await {
            Ok(_) => {
                return Redirect::to(&format!("/proceedings/{id}?msg=event_added#deadlines"))
                    .into_response();
            }
            Err(huajie_store::StoreError::Invalid(inv)) => {
                inv.0.into_iter().map(|e| e.message).collect()
            }
            Err(e) => return store_error_page(&s.0, &format!("程序（编号{id}）"), e),
        },
        Err(inv) => inv.0.into_iter().map(|e| e.message).collect(),
    };
    render_case(
        &st,
        &s.0,
        id,
        f,
        errors,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct MetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    met_on: String,
}

pub async fn mark_met(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    Form(f): Form<MetForm>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("期限“{raw}”"));
    };
    if let Err(r) = s.check(&headers, &f.csrf) {
        return *r;
    }
    let draft = huajie_domain::deadline::MetDraft {
        version: f.version.parse().ok(),
        met_on: Some(f.met_on.clone()),
    };
    let result = match (draft.validate(today()), draft.version) {
        (Ok(met_on), Some(v)) => st.store.mark_deadline_met(&s.0.actor, id, v, met_on).await,
        (Err(inv), _) => Err(huajie_store::StoreError::Invalid(inv)),
        (Ok(_), None) => return forbidden_page("表单缺少版本号，请刷新页面后重试"),
    };
    match result {
        Ok(d) => Redirect::to(&format!(
            "/proceedings/{}?msg=met#deadlines",
            d.proceeding_id
        ))
        .into_response(),
        Err(e) => store_error_page(&s.0, &format!("期限（编号{id}）"), e),
    }
}
