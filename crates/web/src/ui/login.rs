use super::*;

// ----- login ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    threshold: i64,
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
            threshold: FREE_LOGIN_ATTEMPTS,
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
    source: crate::auth::Source,
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
    let user_id = match check_password(&st, &username, pw, &source.0).await {
        Ok(id) => id,
        Err(LoginRefused::Store(e)) => return crate::error::ApiError::from(e).into_response(),
        Err(r @ LoginRefused::Throttled(_)) => {
            return again(StatusCode::TOO_MANY_REQUESTS, r.message());
        }
        Err(r) => return again(StatusCode::UNAUTHORIZED, r.message()),
    };
    if let Err(e) = crate::auth::after_login(&st, user_id).await {
        return crate::error::ApiError::from(e).into_response();
    }
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
    /// The user's API tokens (接口令牌), newest first.
    tokens: Vec<TokenRow>,
}

struct TokenRow {
    id: i64,
    label: String,
    created_at: String,
    expires_at: String,
    last_used_at: String,
    state: &'static str,
    active: bool,
}

/// Beijing time to the minute, from stored UTC text (a dash when there is none).
fn minute(utc: Option<&str>) -> String {
    utc.map(|t| super::beijing_time(t).chars().take(16).collect())
        .unwrap_or_else(|| "—".into())
}

async fn token_rows(st: &AppState, s: &Session) -> Vec<TokenRow> {
    st.store
        .list_tokens(&s.actor, s.actor.user_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            label: t.label.clone(),
            created_at: minute(Some(&t.created_at)),
            expires_at: minute(t.expires_at.as_deref()),
            last_used_at: minute(t.last_used_at.as_deref()),
            state: if t.revoked_at.is_some() {
                "已撤销"
            } else if t.active {
                "有效"
            } else {
                "已过期"
            },
            active: t.active,
        })
        .collect()
}

pub async fn password_page(State(st): State<AppState>, s: UiSession) -> Response {
    render(
        StatusCode::OK,
        &PasswordPage {
            chrome: Chrome::new(&s.0, "password"),
            must_change: s.0.must_change_password,
            errors: PasswordErrors::default(),
            tokens: token_rows(&st, &s.0).await,
        },
    )
}

/// Revokes one of the user's API tokens from the 修改密码 page.
pub async fn revoke_token(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = s.check(&headers, f.csrf.as_deref().unwrap_or("")) {
        return *r;
    }
    let Some(id) = raw.parse::<i64>().ok().filter(|i| *i > 0) else {
        return not_found_page(&s.0, &format!("令牌“{raw}”"));
    };
    match st.store.revoke_token(&s.0.actor, id).await {
        Ok(_) => Redirect::to("/password#tokens").into_response(),
        Err(e) => store_error_page(&s.0, "令牌", e),
    }
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
    source: crate::auth::Source,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Err(r) = s.check(&headers, f.csrf.as_deref().unwrap_or("")) {
        return *r;
    }
    let current = f.current.unwrap_or_default();
    let new = f.new.unwrap_or_default();
    let confirm = f.confirm.unwrap_or_default();
    let mut errors = PasswordErrors::default();
    if new == current {
        errors.new = Some("新密码不能与当前密码相同".into());
    } else {
        match crate::auth::new_password_problem(
            &st,
            "new",
            &new,
            &s.0.actor.username,
            Some(s.0.actor.user_id),
        )
        .await
        {
            Ok(Some(e)) => errors.new = Some(e.message),
            Ok(None) => {}
            Err(e) => return crate::error::ApiError::from(e).into_response(),
        }
    }
    if confirm != new {
        errors.confirm = Some("两次输入的新密码不一致".into());
    }
    match check_password(&st, &s.0.actor.username, &current, &source.0).await {
        Ok(_) => {}
        Err(LoginRefused::Store(e)) => return crate::error::ApiError::from(e).into_response(),
        Err(LoginRefused::Wrong) => errors.current = Some("当前密码不正确".into()),
        Err(r) => errors.current = Some(r.message()),
    }
    if errors.current.is_some() || errors.new.is_some() || errors.confirm.is_some() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                chrome: Chrome::new(&s.0, "password"),
                must_change: s.0.must_change_password,
                errors,
                tokens: token_rows(&st, &s.0).await,
            },
        );
    }
    if let Err(e) = st
        .store
        .change_own_password(
            &s.0.actor,
            &crate::auth::hash_password_async(&new).await,
            s.0.id,
        )
        .await
    {
        return crate::error::ApiError::from(e).into_response();
    }
    Redirect::to("/?msg=password_changed").into_response()
}
