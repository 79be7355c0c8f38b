//! The administration pages: 单位管理 (the unit tree), 用户管理 (accounts, generated first
//! passwords, resets), 日历管理 (a year's working-day calendar, loading a notice), 规则配置 (the
//! deadline rule set, edited as validated TOML) and 审计日志 (search, including refusals).
//! Everyone may look at units, the calendar and the rules; changes are the coordinator's.

use huajie_domain::access::Actor;
use huajie_domain::records::{AuditEvent, Unit, User};
use huajie_domain::unit::{UnitDraft, UnitKind};
use huajie_domain::user::UserDraft;
use huajie_store::audit::{AuditQuery, Author};

use super::forms::{FieldErrs, Pairs};
use super::proceeding_form::denied;
use huajie_domain::audit::{AuditAction, AuditEntity};

use super::*;

fn admin_only(s: &Session, what: &str) -> Option<Response> {
    (!s.actor.can_administer()).then(|| denied(s, what))
}

fn api_err(e: huajie_store::StoreError) -> Response {
    crate::error::ApiError::from(e).into_response()
}

// ----- 单位管理 ------------------------------------------------------------------------------

/// Search and filters of 单位管理 (query string).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct UnitFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    /// "active" / "inactive" / "" (all).
    #[serde(default)]
    status: String,
    msg: Option<String>,
}

impl UnitFilter {
    fn is_set(&self) -> bool {
        !(self.q.trim().is_empty() && self.kind.is_empty() && self.status.is_empty())
    }
}

struct UnitNode {
    depth: usize,
    kind_code: &'static str,
    id: i64,
    name: String,
    kind: &'static str,
    short_name: String,
    active: bool,
    users: usize,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    chrome: Chrome,
    nodes: Vec<UnitNode>,
    filter: UnitFilter,
    filter_kinds: Vec<Opt>,
    can_admin: bool,
    kinds: Vec<Opt>,
    parents: Vec<Opt>,
    values: Pairs,
    errs: FieldErrs,
}

impl UnitsPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k)
    }
    fn e(&self, k: &str) -> String {
        self.errs.get(k).unwrap_or_default().to_string()
    }
}

/// Units in tree order (each after its parent), with their depth.
fn tree(units: &[Unit], users: &[User]) -> Vec<UnitNode> {
    fn walk(
        units: &[Unit],
        users: &[User],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<UnitNode>,
    ) {
        for u in units.iter().filter(|u| {
            u.parent_id == parent
                || (depth == 0 && !units.iter().any(|p| Some(p.id) == u.parent_id))
        }) {
            if out.iter().any(|n| n.id == u.id) {
                continue;
            }
            out.push(UnitNode {
                depth,
                id: u.id,
                name: u.name.clone(),
                kind: u.kind.label(),
                kind_code: u.kind.code(),
                short_name: u.short_name.clone().unwrap_or_default(),
                active: u.active,
                users: users.iter().filter(|x| x.unit_id == u.id).count(),
            });
            walk(units, users, Some(u.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(units, users, None, 0, &mut out);
    out
}

async fn render_units(
    st: &AppState,
    s: &Session,
    values: Pairs,
    errs: FieldErrs,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    render_units_filtered(st, s, values, errs, flash, status, UnitFilter::default()).await
}

async fn render_units_filtered(
    st: &AppState,
    s: &Session,
    values: Pairs,
    errs: FieldErrs,
    flash: Option<String>,
    status: StatusCode,
    filter: UnitFilter,
) -> Response {
    let j = s.actor.jurisdiction_id;
    let (units, users) = match (
        st.store.list_units(Some(j)).await,
        st.store.list_users(Some(j)).await,
    ) {
        (Ok(u), Ok(x)) => (u, x),
        (Err(e), _) | (_, Err(e)) => return api_err(e),
    };
    let mut chrome = Chrome::new(s, "units");
    chrome.flash = flash;
    let kind = values.get("kind");
    let parent = values.get("parent_id");
    render(
        status,
        &UnitsPage {
            chrome,
            nodes: {
                let q = filter.q.trim().to_lowercase();
                tree(&units, &users)
                    .into_iter()
                    .filter(|n| {
                        (q.is_empty()
                            || n.name.to_lowercase().contains(&q)
                            || n.short_name.to_lowercase().contains(&q))
                            && (filter.kind.is_empty() || n.kind_code == filter.kind)
                            && match filter.status.as_str() {
                                "active" => n.active,
                                "inactive" => !n.active,
                                _ => true,
                            }
                    })
                    .map(|mut n| {
                        if filter.is_set() {
                            n.depth = 0;
                        }
                        n
                    })
                    .collect()
            },
            filter_kinds: opts(
                UnitKind::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &filter.kind,
            ),
            filter: filter.clone(),
            can_admin: s.actor.can_administer(),
            kinds: opts(
                UnitKind::ALL
                    .iter()
                    .filter(|k| !k.is_jurisdiction())
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &kind,
            ),
            parents: opts(
                units.iter().map(|u| (u.id.to_string(), u.name.clone())),
                &parent,
            ),
            values,
            errs,
        },
    )
}

pub async fn units_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<UnitFilter>,
) -> Response {
    let flash = (q.msg.as_deref() == Some("unit_added")).then(|| "单位已添加。".to_string());
    render_units_filtered(
        &st,
        &s.0,
        Pairs::default(),
        FieldErrs::default(),
        flash,
        StatusCode::OK,
        q,
    )
    .await
}

pub async fn add_unit(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    if let Some(r) = admin_only(&s.0, "添加单位") {
        return r;
    }
    let mut inv = huajie_domain::Invalid::default();
    let parent_id = match p.get("parent_id").as_str() {
        "" => None,
        v => match v.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                inv.push(huajie_domain::FieldError::new(
                    "parent_id",
                    "invalid",
                    "上级单位无效",
                ));
                None
            }
        },
    };
    let draft = UnitDraft {
        version: None,
        name: p.opt("name"),
        short_name: p.opt("short_name"),
        kind: p.opt("kind"),
        parent_id,
        code: p.opt("code"),
        contact_phone: p.opt("contact_phone"),
        active: Some(true),
    };
    let result = match draft.validate() {
        Ok(input) if inv.is_empty() => {
            st.store
                .create_unit(
                    &Author::from(&s.0.actor),
                    &input,
                    Some(s.0.actor.jurisdiction_id),
                )
                .await
        }
        Ok(_) => Err(huajie_store::StoreError::Invalid(inv)),
        Err(e) => {
            inv.extend(e);
            Err(huajie_store::StoreError::Invalid(inv))
        }
    };
    match result {
        Ok(_) => Redirect::to("/units?msg=unit_added").into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errs = FieldErrs::from_invalid(
                inv,
                &[
                    "name",
                    "short_name",
                    "kind",
                    "parent_id",
                    "code",
                    "contact_phone",
                ],
            );
            render_units(&st, &s.0, p, errs, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => store_error_page(&s.0, "单位", e),
    }
}

// ----- 用户管理 ------------------------------------------------------------------------------

/// Search and filters of 用户管理 (query string).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct UserFilter {
    /// Part of the user name, real name, e-mail or mobile.
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: String,
    /// "active" / "inactive" / "" (all).
    #[serde(default)]
    status: String,
}

struct UserRow {
    id: i64,
    version: i64,
    username: String,
    display_name: String,
    role: &'static str,
    unit: String,
    active: bool,
    created_at: String,
    /// Logins of this name must wait after repeated failures (解除登录限制 is offered).
    throttled: bool,
    email: String,
    mobile: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    rows: Vec<UserRow>,
    roles: Vec<Opt>,
    units: Vec<Opt>,
    values: Pairs,
    errs: FieldErrs,
    /// A password just generated: shown once, to hand to the user.
    issued: Option<(String, String)>,
    filter: UserFilter,
    filter_roles: Vec<Opt>,
    filter_units: Vec<Opt>,
    /// Users in the jurisdiction before filtering.
    total: usize,
}

impl UsersPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k)
    }
    fn e(&self, k: &str) -> String {
        self.errs.get(k).unwrap_or_default().to_string()
    }
}

async fn render_users(
    st: &AppState,
    s: &Session,
    values: Pairs,
    errs: FieldErrs,
    issued: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    render_users_filtered(st, s, values, errs, issued, status, UserFilter::default()).await
}

async fn render_users_filtered(
    st: &AppState,
    s: &Session,
    values: Pairs,
    errs: FieldErrs,
    issued: Option<(String, String)>,
    status: StatusCode,
    filter: UserFilter,
) -> Response {
    let j = s.actor.jurisdiction_id;
    let (units, users) = match (
        st.store.list_units(Some(j)).await,
        st.store.list_users(Some(j)).await,
    ) {
        (Ok(u), Ok(x)) => (u, x),
        (Err(e), _) | (_, Err(e)) => return api_err(e),
    };
    let unit_name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let role = values.get("role");
    let unit = values.get("unit_id");
    let throttled = st.throttle.throttled_names();
    let total = users.len();
    let needle = filter.q.trim().to_lowercase();
    let shown = users.iter().filter(|u| {
        (needle.is_empty()
            || u.username.to_lowercase().contains(&needle)
            || u.display_name.to_lowercase().contains(&needle)
            || u.email
                .as_deref()
                .is_some_and(|e| e.to_lowercase().contains(&needle))
            || u.mobile.as_deref().is_some_and(|m| m.contains(&needle)))
            && (filter.role.is_empty() || u.role.code() == filter.role)
            && (filter.unit_id.is_empty() || u.unit_id.to_string() == filter.unit_id)
            && match filter.status.as_str() {
                "active" => u.active,
                "inactive" => !u.active,
                _ => true,
            }
    });
    let filter_roles = opts(
        huajie_domain::user::Role::ALL
            .iter()
            .map(|r| (r.code().to_string(), r.label().to_string())),
        &filter.role,
    );
    let filter_units = opts(
        units.iter().map(|u| (u.id.to_string(), u.name.clone())),
        &filter.unit_id,
    );
    render(
        status,
        &UsersPage {
            chrome: Chrome::new(s, "users"),
            filter_roles,
            filter_units,
            total,
            rows: shown
                .map(|u| UserRow {
                    id: u.id,
                    version: u.version,
                    username: u.username.clone(),
                    display_name: u.display_name.clone(),
                    role: u.role.label(),
                    unit: unit_name(u.unit_id),
                    active: u.active,
                    created_at: u.created_at.chars().take(10).collect(),
                    throttled: throttled.contains(&u.username.to_lowercase()),
                    email: u.email.clone().unwrap_or_default(),
                    mobile: u.mobile.clone().unwrap_or_default(),
                })
                .collect(),
            roles: opts(
                huajie_domain::user::Role::ALL
                    .iter()
                    .map(|r| (r.code().to_string(), r.label().to_string())),
                &role,
            ),
            units: opts(
                units
                    .iter()
                    .filter(|u| u.active)
                    .map(|u| (u.id.to_string(), u.name.clone())),
                &unit,
            ),
            values,
            errs,
            issued,
            filter,
        },
    )
}

pub async fn users_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(filter): Query<UserFilter>,
) -> Response {
    if let Some(r) = admin_only(&s.0, "管理用户") {
        return r;
    }
    render_users_filtered(
        &st,
        &s.0,
        Pairs::default(),
        FieldErrs::default(),
        None,
        StatusCode::OK,
        filter,
    )
    .await
}

/// Changes a user's e-mail and mobile (用户管理, the coordinator).
pub async fn user_contacts(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let user = match user_action(&st, &s, &raw, &headers, &p, "修改联系方式").await {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let draft = UserDraft {
        version: p.get("version").parse().ok(),
        username: Some(user.username.clone()),
        display_name: Some(user.display_name.clone()),
        role: Some(user.role.code().to_string()),
        unit_id: Some(user.unit_id),
        active: Some(user.active),
        email: Some(p.get("email")),
        mobile: Some(p.get("mobile")),
    };
    let result = match draft.validate() {
        Ok(input) => {
            st.store
                .update_user(
                    &Author::from(&s.0.actor),
                    user.id,
                    draft.version.unwrap_or(0),
                    &input,
                    Some(s.0.actor.jurisdiction_id),
                )
                .await
        }
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(_) => Redirect::to("/users").into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let mut errs = FieldErrs::default();
            for e in inv.0 {
                errs.general
                    .push(format!("{}：{}", user.username, e.message));
            }
            render_users(
                &st,
                &s.0,
                Pairs::default(),
                errs,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => store_error_page(&s.0, "用户", e),
    }
}

pub async fn add_user(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    if let Some(r) = admin_only(&s.0, "管理用户") {
        return r;
    }
    let mut inv = huajie_domain::Invalid::default();
    let unit_id = match p.get("unit_id").parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            inv.push(huajie_domain::FieldError::required("unit_id", "所属单位"));
            None
        }
    };
    let draft = UserDraft {
        version: None,
        username: p.opt("username"),
        display_name: p.opt("display_name"),
        role: p.opt("role"),
        unit_id,
        active: Some(true),
        email: p.opt("email"),
        mobile: p.opt("mobile"),
    };
    let input = draft.validate().map_err(|e| inv.extend(e)).ok();
    let first = crate::auth::generated_password();
    let result = match input {
        Some(input) if inv.is_empty() => {
            st.store
                .create_user(
                    &Author::from(&s.0.actor),
                    &input,
                    &hash_password(&first),
                    Some(s.0.actor.jurisdiction_id),
                )
                .await
        }
        _ => Err(huajie_store::StoreError::Invalid(inv)),
    };
    match result {
        Ok(u) => {
            if let Err(e) = st.store.require_password_change(u.id, true).await {
                return api_err(e);
            }
            render_users(
                &st,
                &s.0,
                Pairs::default(),
                FieldErrs::default(),
                Some((u.username, first)),
                StatusCode::OK,
            )
            .await
        }
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errs = FieldErrs::from_invalid(
                inv,
                &[
                    "username",
                    "display_name",
                    "role",
                    "unit_id",
                    "email",
                    "mobile",
                ],
            );
            render_users(&st, &s.0, p, errs, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => store_error_page(&s.0, "用户", e),
    }
}

async fn user_in_scope(st: &AppState, s: &Session, raw: &str) -> Result<User, Response> {
    let Some(id) = parse_id(raw) else {
        return Err(not_found_page(s, &format!("用户“{raw}”")));
    };
    st.store
        .get_user(id, Some(s.actor.jurisdiction_id))
        .await
        .map_err(|e| store_error_page(s, &format!("用户（编号{id}）"), e))
}

/// The user a coordinator's action on 用户管理 is about: the form's CSRF token checked, the
/// right to administer, the user within the jurisdiction; or the page that says why not.
async fn user_action(
    st: &AppState,
    s: &UiSession,
    raw: &str,
    headers: &HeaderMap,
    p: &Pairs,
    what: &str,
) -> Result<huajie_domain::records::User, Box<Response>> {
    s.check(headers, &p.get("csrf"))?;
    if let Some(r) = admin_only(&s.0, what) {
        return Err(Box::new(r));
    }
    user_in_scope(st, &s.0, raw).await.map_err(Box::new)
}

/// An administrator's reset: a generated password shown once; the user must change it at the
/// next login, is unlocked, and is signed out everywhere.
pub async fn reset_password(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let user = match user_action(&st, &s, &raw, &headers, &p, "重置密码").await {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let pw = crate::auth::generated_password();
    if let Err(e) = st
        .store
        .set_password(
            &Author::from(&s.0.actor),
            user.id,
            &crate::auth::hash_password_async(&pw).await,
        )
        .await
    {
        return store_error_page(&s.0, "用户", e);
    }
    st.throttle.unlock(&user.username);
    render_users(
        &st,
        &s.0,
        Pairs::default(),
        FieldErrs::default(),
        Some((user.username, pw)),
        StatusCode::OK,
    )
    .await
}

/// Clears a user's login throttle (解除登录限制) after repeated failed logins.
pub async fn unlock_user(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let user = match user_action(&st, &s, &raw, &headers, &p, "解除登录限制").await {
        Ok(u) => u,
        Err(r) => return *r,
    };
    st.throttle.unlock(&user.username);
    if let Err(e) = st
        .store
        .record_unlock(&Author::from(&s.0.actor), user.id)
        .await
    {
        return store_error_page(&s.0, "用户", e);
    }
    Redirect::to("/users").into_response()
}

/// Disables or re-enables an account (a disabled user cannot log in; the record stays).
pub async fn toggle_user(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let user = match user_action(&st, &s, &raw, &headers, &p, "停用或启用用户").await {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if user.id == s.0.actor.user_id {
        return message_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "不能停用自己的账户",
            "<a href=/users>返回用户管理</a>",
        );
    }
    let version = p.get("version").parse::<i64>().unwrap_or(0);
    let input = huajie_domain::user::UserInput {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        unit_id: user.unit_id,
        active: !user.active,
        contacts: Default::default(),
    };
    match st
        .store
        .update_user(
            &Author::from(&s.0.actor),
            user.id,
            version,
            &input,
            Some(s.0.actor.jurisdiction_id),
        )
        .await
    {
        Ok(_) => {
            if !input.active
                && let Err(e) = st
                    .store
                    .close_all_sessions(&Author::from(&s.0.actor), user.id)
                    .await
            {
                return api_err(e);
            }
            Redirect::to("/users").into_response()
        }
        Err(e) => store_error_page(&s.0, "用户", e),
    }
}

// ----- 日历管理 ------------------------------------------------------------------------------

struct DayCell {
    day: i8,
    class: &'static str,
    title: String,
}

struct MonthView {
    month: i8,
    weeks: Vec<Vec<Option<DayCell>>>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    year: i16,
    provisional: bool,
    covered: Vec<i16>,
    months: Vec<MonthView>,
    special: Vec<(String, &'static str, String)>,
    can_admin: bool,
    csv: String,
    source: String,
    errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct YearParam {
    year: Option<String>,
    msg: Option<String>,
}

fn months(cal: &huajie_domain::calendar::Calendar, year: i16) -> Vec<MonthView> {
    use huajie_domain::calendar::DayKind;
    let special = cal.special_days(year);
    (1..=12)
        .map(|m| {
            let first = jiff::civil::date(year, m, 1);
            let mut weeks = Vec::new();
            let mut week: Vec<Option<DayCell>> = (0..first.weekday().to_monday_zero_offset())
                .map(|_| None)
                .collect();
            let mut d = first;
            while d.month() == m {
                let sp = special.iter().find(|e| e.date == d);
                let (class, title) = match sp {
                    Some(e) if e.kind == DayKind::Holiday => ("holiday", e.name.clone()),
                    Some(e) => ("workday", format!("{}（调休上班）", e.name)),
                    None if d.weekday().to_monday_zero_offset() >= 5 => ("weekend", String::new()),
                    None => ("", String::new()),
                };
                week.push(Some(DayCell {
                    day: d.day(),
                    class,
                    title,
                }));
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
                d = match d.tomorrow() {
                    Ok(n) => n,
                    Err(_) => break,
                };
            }
            if !week.is_empty() {
                week.resize_with(7, || None);
                weeks.push(week);
            }
            MonthView { month: m, weeks }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn render_calendar(
    st: &AppState,
    s: &Session,
    year: i16,
    csv: String,
    source: String,
    errors: Vec<String>,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    use huajie_domain::calendar::DayKind;
    let cal = match st.store.calendar(Some(s.actor.jurisdiction_id)).await {
        Ok(c) => c,
        Err(e) => return api_err(e),
    };
    let mut chrome = Chrome::new(s, "calendar");
    chrome.flash = flash;
    render(
        status,
        &CalendarPage {
            chrome,
            year,
            provisional: !cal.covered_years().contains(&year),
            covered: cal.covered_years().iter().copied().collect(),
            months: months(&cal, year),
            special: cal
                .special_days(year)
                .into_iter()
                .map(|e| {
                    (
                        e.date.to_string(),
                        match e.kind {
                            DayKind::Holiday => "放假",
                            DayKind::Workday => "调休上班",
                        },
                        e.name,
                    )
                })
                .collect(),
            can_admin: s.actor.can_administer(),
            csv,
            source,
            errors,
        },
    )
}

pub async fn calendar_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<YearParam>,
) -> Response {
    let this_year = today().year();
    let year = match q.year.as_deref() {
        None | Some("") => this_year,
        Some(y) => match y.parse::<i16>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                return message_page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("年份“{y}”无效，应为2000至2100"),
                    "<a href=/calendar>返回日历管理</a>",
                );
            }
        },
    };
    let flash = q
        .msg
        .as_deref()
        .filter(|m| m.starts_with("imported"))
        .map(|m| {
            let n: Vec<&str> = m.split('-').collect();
            format!(
                "日历已导入：{} 天；重新计算了 {} 个未完成期限的到期日，其中 {} 个有变化。",
                n.get(1).unwrap_or(&"0"),
                n.get(2).unwrap_or(&"0"),
                n.get(3).unwrap_or(&"0")
            )
        });
    render_calendar(
        &st,
        &s.0,
        year,
        String::new(),
        String::new(),
        Vec::new(),
        flash,
        StatusCode::OK,
    )
    .await
}

/// Loads a year's notice (CSV: `date,kind,name`, as the CLI's `calendar import`).
pub async fn import_calendar(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    if let Some(r) = admin_only(&s.0, "导入日历") {
        return r;
    }
    let csv = p.get("csv");
    let source = p.get("source");
    let fail = |errors: Vec<String>| {
        let st = st.clone();
        let s = s.0.clone();
        let (csv, source) = (csv.clone(), source.clone());
        async move {
            render_calendar(
                &st,
                &s,
                today().year(),
                csv,
                source,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    if csv.is_empty() {
        return fail(vec![
            "请粘贴日历数据（国务院办公厅放假通知整理成的 CSV）".into(),
        ])
        .await;
    }
    let (entries, years) = match huajie_domain::calendar::parse_calendar_csv(&csv) {
        Ok(x) => x,
        Err(e) => return fail(vec![e.to_string()]).await,
    };
    let source = if source.is_empty() {
        "网页导入".to_string()
    } else {
        source.chars().take(200).collect()
    };
    match st
        .store
        .import_calendar(&Author::from(&s.0.actor), None, &entries, &years, &source)
        .await
    {
        Ok(r) => {
            let year = years.iter().next().copied().unwrap_or(today().year());
            Redirect::to(&format!(
                "/calendar?year={year}&msg=imported-{}-{}-{}",
                entries.len(),
                r.events,
                r.changed
            ))
            .into_response()
        }
        Err(huajie_store::StoreError::Invalid(inv)) => {
            fail(inv.0.into_iter().map(|e| e.message).collect()).await
        }
        Err(e) => store_error_page(&s.0, "日历", e),
    }
}

// ----- 规则配置 ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    chrome: Chrome,
    set: huajie_domain::records::RuleSet,
    can_admin: bool,
    toml: String,
    /// The shipped sets ticked on the form: (id, name, ticked).
    sets: Vec<(String, String, bool)>,
    errors: Vec<String>,
}

async fn render_rules(
    st: &AppState,
    s: &Session,
    toml: Option<String>,
    shipped: Option<Vec<String>>,
    errors: Vec<String>,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    let set = match st.store.rule_set(&s.actor).await {
        Ok(r) => r,
        Err(e) => return api_err(e),
    };
    let mut chrome = Chrome::new(s, "rules");
    chrome.flash = flash;
    render(
        status,
        &RulesPage {
            chrome,
            toml: toml.unwrap_or_else(|| set.local_toml.clone()),
            can_admin: s.actor.can_administer(),
            sets: set
                .shipped
                .iter()
                .zip(&set.shipped_names)
                .map(|(id, name)| {
                    let on = match &shipped {
                        Some(v) => v.contains(id),
                        None => set.selected.contains(id),
                    };
                    (id.clone(), name.clone(), on)
                })
                .collect(),
            set,
            errors,
        },
    )
}

pub async fn rules_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<MsgParam>,
) -> Response {
    let flash = q
        .msg
        .as_deref()
        .and_then(|m| m.strip_prefix("saved-"))
        .map(|n| {
            let (a, b) = n.split_once('-').unwrap_or((n, "0"));
            format!("规则已保存：重新计算了 {a} 个事件的期限，{b} 个期限的到期日有变化。")
        });
    render_rules(&st, &s.0, None, None, Vec::new(), flash, StatusCode::OK).await
}

pub async fn save_rules(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    if let Some(r) = admin_only(&s.0, "修改期限规则") {
        return r;
    }
    let shipped = p.all("shipped");
    let raw_toml =
        p.0.iter()
            .find(|(k, _)| k == "toml")
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .unwrap_or_default();
    let draft = huajie_domain::deadline::RuleSetDraft {
        version: p.get("version").parse().ok(),
        shipped: Some(huajie_domain::deadline::ShippedSets::Many(shipped.clone())),
        toml: Some(raw_toml.clone()),
    };
    let result = match (draft.validate(), draft.version) {
        (Ok(sel), Some(v)) => st.store.set_rule_set(&s.0.actor, v, &sel).await,
        (Err(inv), _) => Err(huajie_store::StoreError::Invalid(inv)),
        (Ok(_), None) => return forbidden_page("表单缺少版本号，请刷新页面后重试"),
    };
    match result {
        Ok((_, r)) => {
            Redirect::to(&format!("/rules?msg=saved-{}-{}", r.events, r.changed)).into_response()
        }
        Err(huajie_store::StoreError::Invalid(inv)) => {
            render_rules(
                &st,
                &s.0,
                Some(raw_toml),
                Some(shipped),
                inv.0.into_iter().map(|e| e.message).collect(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(huajie_store::StoreError::Conflict { .. }) => {
            render_rules(
                &st,
                &s.0,
                Some(raw_toml),
                Some(shipped),
                vec!["规则已被他人修改：下方保留了您编辑的文本，当前生效的规则见上表。请核对后再次保存。".into()],
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => store_error_page(&s.0, "规则", e),
    }
}

// ----- 审计日志 ------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Clone)]
pub struct AuditForm {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `full`: check the whole hash chain instead of the most recent rows.
    #[serde(default)]
    verify: String,
    #[serde(default)]
    before: String,
}

struct AuditRow {
    at: String,
    actor: String,
    action: &'static str,
    denied: bool,
    target: String,
    href: Option<String>,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    f: AuditForm,
    actions: Vec<Opt>,
    entities: Vec<Opt>,
    rows: Vec<AuditRow>,
    errors: Vec<String>,
    next_href: Option<String>,
    /// The state of the hash chain: intact or where it breaks, in words.
    chain_ok: bool,
    chain: String,
}

/// How many of the newest rows the page checks each time (the whole chain on request).
const CHAIN_QUICK_ROWS: i64 = 2000;

fn detail_of(e: &AuditEvent) -> String {
    match (&e.action[..], &e.after) {
        ("denied", Some(a)) => format!(
            "{} {}（{}）",
            a["method"].as_str().unwrap_or(""),
            a["path"].as_str().unwrap_or(""),
            a["status"]
        ),
        (_, Some(a)) if a.get("name").is_some() => a["name"].as_str().unwrap_or("").to_string(),
        (_, Some(a)) if a.get("case_no").is_some() => {
            a["case_no"].as_str().unwrap_or("").to_string()
        }
        _ => String::new(),
    }
}

pub async fn audit_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(f): Query<AuditForm>,
) -> Response {
    let actor: &Actor = &s.0.actor;
    if !actor.can_read_full_audit() {
        return denied(&s.0, "查看审计日志");
    }
    let mut errors = Vec::new();
    let day = |field: &str, v: &str, errors: &mut Vec<String>| {
        if v.trim().is_empty() {
            return None;
        }
        huajie_domain::proceeding::parse_date(field, v.trim())
            .map_err(|e| errors.push(e.message))
            .ok()
    };
    let q = AuditQuery {
        actor_name: Some(f.actor.trim().to_string()).filter(|v| !v.is_empty()),
        action: Some(f.action.clone()).filter(|v| AuditAction::from_code(v).is_some()),
        entity: Some(f.entity.clone()).filter(|v| AuditEntity::from_code(v).is_some()),
        entity_id: None,
        from: day("from", &f.from, &mut errors),
        to: day("to", &f.to, &mut errors),
        before_id: f.before.parse().ok(),
        limit: 100,
    };
    let events = if errors.is_empty() {
        match st.store.search_audit(actor, &q).await {
            Ok(e) => e,
            Err(e) => return store_error_page(&s.0, "审计日志", e),
        }
    } else {
        Vec::new()
    };
    let next_href = (events.len() == 100).then(|| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("actor", &f.actor),
            ("action", &f.action),
            ("entity", &f.entity),
            ("from", &f.from),
            ("to", &f.to),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.append_pair(
            "before",
            &events.last().map(|e| e.id).unwrap_or(0).to_string(),
        );
        format!("/audit?{}", q.finish())
    });
    let full = f.verify == "full";
    let (chain_ok, chain) = match st
        .store
        .verify_audit((!full).then_some(CHAIN_QUICK_ROWS))
        .await
    {
        Ok(c) => match c.broken {
            None => (
                true,
                format!(
                    "哈希链完整：{}共 {} 条记录逐条核对无误。末条哈希 {}",
                    if c.partial {
                        "最近"
                    } else {
                        "全部记录，"
                    },
                    c.rows,
                    c.head
                ),
            ),
            Some((id, why)) => (
                false,
                format!("哈希链断开：编号 {id} 的记录{why}。请立即报告并保全数据库备份。"),
            ),
        },
        Err(e) => return store_error_page(&s.0, "审计日志", e),
    };
    let rows = events
        .iter()
        .map(|e| AuditRow {
            at: beijing_time(&e.at),
            actor: match &e.actor_display {
                Some(d) if d != &e.actor_name => format!("{d}（{}）", e.actor_name),
                _ => e.actor_name.clone(),
            },
            action: if e.action == "delete" && e.reason.is_some() {
                "撤回"
            } else {
                audit_action(&e.action)
            },
            denied: e.action == "denied",
            target: match (&e.case_label, e.entity.as_str()) {
                (_, "access") => "访问".to_string(),
                (Some(c), "proceeding") => format!("程序 {c}"),
                (Some(c), _) => format!("{c} · {}", audit_object(e)),
                (None, _) => audit_object(e),
            },
            href: e
                .proceeding_id
                .or((e.entity == "proceeding").then_some(e.entity_id))
                .map(|p| format!("/proceedings/{p}")),
            detail: match &e.reason {
                Some(r) => format!("原因：{r}；{}", detail_of(e)),
                None => detail_of(e),
            },
        })
        .collect();
    render(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &AuditPage {
            chrome: Chrome::new(&s.0, "audit"),
            chain_ok,
            chain,
            actions: opts(
                AuditAction::ALL
                    .iter()
                    .map(|a| (a.code().to_string(), a.label().to_string())),
                &f.action,
            ),
            entities: opts(
                AuditEntity::ALL
                    .iter()
                    .map(|a| (a.code().to_string(), a.label().to_string())),
                &f.entity,
            ),
            f,
            rows,
            errors,
            next_href,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_has_twelve_months_of_whole_weeks() {
        let cal = huajie_domain::calendar::Calendar::national();
        let m = months(&cal, 2025);
        assert_eq!(m.len(), 12);
        assert!(m.iter().all(|x| x.weeks.iter().all(|w| w.len() == 7)));
        // 2025-10-01 (a Wednesday) is a National Day holiday; 2025-09-28 (Sunday) a workday.
        let oct = &m[9].weeks[0];
        assert!(oct[0].is_none() && oct[1].is_none());
        let first = oct[2].as_ref().unwrap();
        assert_eq!((first.day, first.class), (1, "holiday"));
        let sep_28 = m[8]
            .weeks
            .iter()
            .flatten()
            .flatten()
            .find(|c| c.day == 28)
            .unwrap();
        assert_eq!(sep_28.class, "workday");
    }
}

// ----- 日历订阅 ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "subscriptions.html")]
struct SubscriptionsPage {
    chrome: Chrome,
    feeds: Vec<(i64, String, String, String)>,
    units: Vec<Opt>,
    /// The address of a feed just created: shown once.
    created: Option<String>,
}

async fn render_subscriptions(st: &AppState, s: &Session, created: Option<String>) -> Response {
    let (feeds, units) = match (
        st.store.list_feeds(&s.actor).await,
        st.store.list_units(Some(s.actor.jurisdiction_id)).await,
    ) {
        (Ok(f), Ok(u)) => (f, u),
        (Err(e), _) | (_, Err(e)) => return api_err(e),
    };
    let unit_name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let offered: Vec<(String, String)> = if s.actor.can_administer() {
        units
            .iter()
            .filter(|u| !u.kind.is_jurisdiction())
            .map(|u| (u.id.to_string(), u.name.clone()))
            .collect()
    } else if matches!(
        s.actor.role,
        huajie_domain::user::Role::UnitClerk | huajie_domain::user::Role::UnitHead
    ) {
        vec![(s.actor.unit_id.to_string(), unit_name(s.actor.unit_id))]
    } else {
        Vec::new()
    };
    render(
        StatusCode::OK,
        &SubscriptionsPage {
            chrome: Chrome::new(s, "subscriptions"),
            feeds: feeds
                .into_iter()
                .map(|f| {
                    (
                        f.id,
                        match f.unit_id {
                            Some(u) => format!("单位：{}", unit_name(u)),
                            None => "我的期限和开庭".to_string(),
                        },
                        f.created_by,
                        beijing_time(&f.created_at).chars().take(16).collect(),
                    )
                })
                .collect(),
            units: opts(offered.into_iter(), ""),
            created,
        },
    )
}

pub async fn subscriptions_page(State(st): State<AppState>, s: UiSession) -> Response {
    render_subscriptions(&st, &s.0, None).await
}

/// Creates a calendar feed (the user's own, or a unit's) and shows its address once.
pub async fn create_subscription(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let unit_id = match p.get("unit_id").as_str() {
        "" => None,
        v => match parse_id(v) {
            Some(u) => Some(u),
            None => return not_found_page(&s.0, &format!("单位“{v}”")),
        },
    };
    let (secret, hash) = crate::auth::new_token();
    if let Err(e) = st.store.create_feed(&s.0.actor, unit_id, &hash).await {
        return store_error_page(&s.0, "日历订阅", e);
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    let scheme = if st.secure_cookies { "https" } else { "http" };
    render_subscriptions(
        &st,
        &s.0,
        Some(format!("{scheme}://{host}/feeds/{secret}.ics")),
    )
    .await
}

pub async fn revoke_subscription(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "订阅") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    match st.store.revoke_feed(&s.0.actor, id).await {
        Ok(()) => Redirect::to("/subscriptions").into_response(),
        Err(e) => store_error_page(&s.0, "日历订阅", e),
    }
}
