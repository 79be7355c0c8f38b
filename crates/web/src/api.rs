//! REST handlers under `/api/v1`. Each handler: authenticate, check the role, validate the
//! draft with the domain, call the store, return JSON. No SQL and no business rule here.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use huajie_domain::codes::{CodeDraft, CodeList};
use huajie_domain::hearing::{AppearanceDraft, HearingDraft};
use huajie_domain::ledger::LedgerParams;
use huajie_domain::outcome::{LossRule, OutcomeDraft};
use huajie_domain::proceeding::{DisputeDraft, PartyDraft, ProceedingDraft};
use huajie_domain::records::{
    Appearance, AuditEvent, CodeItem, Dispute, Hearing, LedgerPage, LossRuleSetting, Outcome,
    Party, Proceeding, Unit, UnitHead, User,
};
use huajie_domain::unit::{HeadDraft, UnitDraft};
use huajie_domain::user::{UserDraft, password};
use huajie_domain::{FieldError, Invalid};
use huajie_store::audit::Author;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{Auth, check_password, new_token};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id, Reasoned, RemoveParams, reason_of, require_version};
use huajie_store::audit::with_reason;

type S = State<AppState>;

fn admin(a: &Auth) -> ApiResult<Option<i64>> {
    if a.0.can_administer() {
        Ok(Some(a.0.jurisdiction_id))
    } else {
        Err(ApiError::forbidden("只有司法局协调员可以进行此操作"))
    }
}

// ----- session ------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: Option<String>,
    pub password: Option<String>,
    /// What the token is for (e.g. "办公电脑"), shown in the token list and the audit log.
    pub label: Option<String>,
    /// How many days the token works (1–365, default 90).
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is stored.
    pub token: String,
    pub user: User,
    /// When the token stops working (RFC 3339 UTC).
    pub expires_at: Option<String>,
    /// The user must change the password before the API serves anything else.
    pub must_change_password: bool,
}

/// Exchange a username and password for a new API token.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenRequest, tag = "认证",
    responses((status = 201, body = TokenResponse), (status = 401, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail), (status = 429, description = "登录失败次数过多，须稍候再试", body = crate::error::ErrorDetail)))]
pub async fn create_token(
    State(st): S,
    source: crate::auth::Source,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<TokenResponse>)> {
    let mut inv = Invalid::default();
    let username = req.username.as_deref().map(str::trim).unwrap_or("");
    let pw = req.password.as_deref().unwrap_or("");
    if username.is_empty() {
        inv.push(FieldError::required("username", "用户名"));
    }
    if pw.is_empty() {
        inv.push(FieldError::required("password", "密码"));
    }
    let days = req.expires_in_days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        inv.push(FieldError::new(
            "expires_in_days",
            "out_of_range",
            "令牌有效天数须为1至365天",
        ));
    }
    if let Some(l) = req.label.as_deref() {
        let _ = huajie_domain::error::optional_text("label", "令牌名称", l, 50)
            .map_err(|e| inv.push(e));
    }
    if !inv.is_empty() {
        return Err(inv.into());
    }
    let user_id = match check_password(&st, username, pw, &source.0).await {
        Ok(id) => id,
        Err(r) => {
            let wrong = r.message();
            return Err(r.api_error().unwrap_or_else(|| {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", wrong)
            }));
        }
    };
    crate::auth::after_login(&st, user_id).await?;
    let user = st.store.get_user(user_id, None).await?;
    let (token, token_hash) = new_token();
    let label = req
        .label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or("API")
        .chars()
        .take(50)
        .collect::<String>();
    let issued = st
        .store
        .create_token(
            &Author {
                id: Some(user.id),
                name: user.username.clone(),
            },
            user.id,
            &label,
            &token_hash,
            days,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token,
            user,
            expires_at: Some(issued.expires_at),
            must_change_password: issued.must_change_password,
        }),
    ))
}

/// Whose tokens to list: one's own by default; a coordinator may name a user of the
/// jurisdiction.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenListQuery {
    pub user_id: Option<i64>,
}

/// The caller's API tokens (or, for a coordinator, a user's), newest first, with expiry and
/// last use; the secrets themselves are never shown again.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "认证", security(("token" = [])), params(TokenListQuery),
    responses((status = 200, description = "令牌列表", body = Vec<huajie_domain::records::ApiToken>),
        (status = 401, description = "未登录", body = crate::error::ErrorDetail),
        (status = 403, description = "无权查看他人的令牌", body = crate::error::ErrorDetail)))]
pub async fn list_tokens(
    State(st): S,
    a: Auth,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<TokenListQuery>,
) -> ApiResult<Json<Vec<huajie_domain::records::ApiToken>>> {
    let user = q.user_id.unwrap_or(a.0.user_id);
    Ok(Json(st.store.list_tokens(&a.0, user).await?))
}

/// Revoke an API token (one's own, or as a coordinator any of the jurisdiction's users').
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "认证", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "已撤销", body = huajie_domain::records::ApiToken),
        (status = 401, description = "未登录", body = crate::error::ErrorDetail),
        (status = 404, description = "没有该令牌", body = crate::error::ErrorDetail)))]
pub async fn revoke_token(
    State(st): S,
    a: Auth,
    Id(id): Id,
) -> ApiResult<Json<huajie_domain::records::ApiToken>> {
    Ok(Json(st.store.revoke_token(&a.0, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub unit: Unit,
    /// "jurisdiction" (sees the whole jurisdiction), "litigation" (the court liaison: the
    /// jurisdiction's litigation only) or "unit" (own unit's cases only).
    pub scope: String,
}

/// The caller, their unit and what they can see.
#[utoipa::path(get, path = "/api/v1/me", tag = "认证", security(("token" = [])), responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorDetail)))]
pub async fn me(State(st): S, a: Auth) -> ApiResult<Json<Me>> {
    let user = st.store.get_user(a.0.user_id, None).await?;
    let unit = st.store.get_unit(a.0.unit_id, None).await?;
    let scope = match a.0.proceeding_scope() {
        huajie_domain::access::ProceedingScope::Jurisdiction(_) => "jurisdiction",
        huajie_domain::access::ProceedingScope::Litigation(_) => "litigation",
        huajie_domain::access::ProceedingScope::Unit { .. } => "unit",
    };
    Ok(Json(Me {
        user,
        unit,
        scope: scope.into(),
    }))
}

// ----- units --------------------------------------------------------------------------

/// Units of the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/units", tag = "单位", security(("token" = [])), responses((status = 200, body = Vec<Unit>)))]
pub async fn list_units(State(st): S, a: Auth) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(st.store.list_units(Some(a.0.jurisdiction_id)).await?))
}

#[utoipa::path(post, path = "/api/v1/units", tag = "单位", security(("token" = [])), request_body = UnitDraft,
    responses((status = 201, body = Unit), (status = 403, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create_unit(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<UnitDraft>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    let j = admin(&a)?;
    let input = d.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_unit(&(&a.0).into(), &input, j).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "单位", security(("token" = [])), params(("id" = i64, Path)), responses((status = 200, body = Unit), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn get_unit(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Unit>> {
    Ok(Json(
        st.store.get_unit(id, Some(a.0.jurisdiction_id)).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "单位", security(("token" = [])), params(("id" = i64, Path)), request_body = UnitDraft,
    responses((status = 200, body = Unit), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn update_unit(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<UnitDraft>,
) -> ApiResult<Json<Unit>> {
    let j = admin(&a)?;
    let input = d.validate()?;
    let v = require_version(d.version)?;
    Ok(Json(
        st.store
            .update_unit(&(&a.0).into(), id, v, &input, j)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/units/{id}/heads", tag = "单位", security(("token" = [])), params(("id" = i64, Path)), responses((status = 200, body = Vec<UnitHead>)))]
pub async fn list_heads(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Vec<UnitHead>>> {
    st.store.get_unit(id, Some(a.0.jurisdiction_id)).await?;
    Ok(Json(st.store.list_heads(id).await?))
}

#[utoipa::path(post, path = "/api/v1/units/{id}/heads", tag = "单位", security(("token" = [])), params(("id" = i64, Path)), request_body = HeadDraft,
    responses((status = 201, body = UnitHead), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn add_head(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<HeadDraft>,
) -> ApiResult<(StatusCode, Json<UnitHead>)> {
    let j = admin(&a)?;
    let input = d.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.add_head(&(&a.0).into(), id, &input, j).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/unit-heads/{id}", tag = "单位", security(("token" = [])), params(("id" = i64, Path)), request_body = HeadDraft,
    responses((status = 200, body = UnitHead), (status = 409, body = crate::error::ErrorDetail)))]
pub async fn update_head(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<HeadDraft>,
) -> ApiResult<Json<UnitHead>> {
    let j = admin(&a)?;
    let input = d.validate()?;
    let v = require_version(d.version)?;
    Ok(Json(
        st.store
            .update_head(&(&a.0).into(), id, v, &input, j)
            .await?,
    ))
}

// ----- users --------------------------------------------------------------------------

#[utoipa::path(get, path = "/api/v1/users", tag = "用户", security(("token" = [])), responses((status = 200, body = Vec<User>)))]
pub async fn list_users(State(st): S, a: Auth) -> ApiResult<Json<Vec<User>>> {
    let j = admin(&a)?;
    Ok(Json(st.store.list_users(j).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    #[serde(flatten)]
    pub user: UserDraft,
    /// Initial password: 8–128 characters with letters and digits.
    pub password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "用户", security(("token" = [])), request_body = NewUser,
    responses((status = 201, body = User), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create_user(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let j = admin(&a)?;
    let mut inv = Invalid::default();
    let input = d.user.validate().map_err(|e| inv.extend(e)).ok();
    if let Err(e) = password(
        "password",
        d.password.as_deref().unwrap_or(""),
        d.user.username.as_deref().unwrap_or(""),
    ) {
        inv.push(e);
    }
    let input = inv.into_result(input)?.expect("no errors means validated");
    let hash = crate::auth::hash_password_async(d.password.as_deref().unwrap_or("")).await;
    let user = st
        .store
        .create_user(&(&a.0).into(), &input, &hash, j)
        .await?;
    // The administrator chose the password: the user replaces it at the first login.
    st.store.require_password_change(user.id, true).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "用户", security(("token" = [])), params(("id" = i64, Path)), responses((status = 200, body = User)))]
pub async fn get_user(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<User>> {
    if id != a.0.user_id {
        admin(&a)?;
    }
    Ok(Json(
        st.store.get_user(id, Some(a.0.jurisdiction_id)).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "用户", security(("token" = [])), params(("id" = i64, Path)), request_body = UserDraft,
    responses((status = 200, body = User), (status = 409, body = crate::error::ErrorDetail)))]
pub async fn update_user(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<UserDraft>,
) -> ApiResult<Json<User>> {
    let j = admin(&a)?;
    let input = d.validate()?;
    let v = require_version(d.version)?;
    Ok(Json(
        st.store
            .update_user(&(&a.0).into(), id, v, &input, j)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The new password.
    pub password: Option<String>,
    /// The current password: required when users change their own.
    pub current: Option<String>,
}

/// Set a user's password: a coordinator resets anyone's in the jurisdiction (the user must
/// change it at the next login, and the user's login throttle is cleared); users change their
/// own only with their current password (`current`, checked through the login throttle).
/// Revokes the user's API tokens and ends their sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "用户", security(("token" = [])), params(("id" = i64, Path)), request_body = PasswordChange,
    responses((status = 204, description = "已修改"), (status = 403, description = "无权修改他人密码", body = crate::error::ErrorDetail),
        (status = 422, description = "新密码不符合要求，或当前密码不正确", body = crate::error::ErrorDetail),
        (status = 429, description = "当前密码错误次数过多，须稍候再试", body = crate::error::ErrorDetail)))]
pub async fn set_password(
    State(st): S,
    a: Auth,
    source: crate::auth::Source,
    Id(id): Id,
    ApiJson(d): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let own = id == a.0.user_id;
    let j = if own {
        Some(a.0.jurisdiction_id)
    } else {
        admin(&a)?
    };
    let user = st.store.get_user(id, j).await?;
    let pw = d.password.unwrap_or_default();
    let mut inv = Invalid::default();
    if let Some(e) =
        crate::auth::new_password_problem(&st, "password", &pw, &user.username, Some(user.id))
            .await?
    {
        inv.push(e);
    }
    if own {
        let current = d.current.unwrap_or_default();
        if current.is_empty() {
            inv.push(FieldError::new(
                "current",
                "required",
                "修改自己的密码须提供当前密码 current",
            ));
        } else {
            match check_password(&st, &a.0.username, &current, &source.0).await {
                Ok(_) => {
                    if current == pw {
                        inv.push(FieldError::new(
                            "password",
                            "same_as_current",
                            "新密码不能与当前密码相同",
                        ));
                    }
                }
                Err(r) => match r.api_error() {
                    Some(e) => return Err(e),
                    None => inv.push(FieldError::new(
                        "current",
                        "wrong_password",
                        "当前密码不正确",
                    )),
                },
            }
        }
    }
    if !inv.is_empty() {
        return Err(inv.into());
    }
    st.store
        .set_password(
            &(&a.0).into(),
            id,
            &crate::auth::hash_password_async(&pw).await,
        )
        .await?;
    if !own {
        st.throttle.unlock(&user.username);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Clear a user's login throttle (解除登录限制): after repeated failed logins the account's
/// name must otherwise wait before the next try. Coordinators only, within the jurisdiction.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "用户", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 204, description = "已解除"), (status = 403, description = "无权操作", body = crate::error::ErrorDetail),
        (status = 404, description = "没有该用户", body = crate::error::ErrorDetail)))]
pub async fn unlock_user(State(st): S, a: Auth, Id(id): Id) -> ApiResult<StatusCode> {
    let j = admin(&a)?;
    let user = st.store.get_user(id, j).await?;
    st.throttle.unlock(&user.username);
    st.store.record_unlock(&(&a.0).into(), user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----- code lists and settings --------------------------------------------------------

fn code_list(name: &str) -> ApiResult<CodeList> {
    CodeList::from_code(name).ok_or_else(ApiError::not_found)
}

#[utoipa::path(get, path = "/api/v1/codes/{list}", tag = "代码表", security(("token" = [])), params(("list" = String, Path, description = "domain or act_type")), responses((status = 200, body = Vec<CodeItem>)))]
pub async fn list_codes(
    State(st): S,
    _a: Auth,
    axum::extract::Path(list): axum::extract::Path<String>,
) -> ApiResult<Json<Vec<CodeItem>>> {
    Ok(Json(st.store.codes(code_list(&list)?).await?))
}

/// Add a code to a list, or relabel / deactivate an existing one.
#[utoipa::path(put, path = "/api/v1/codes/{list}", tag = "代码表", security(("token" = [])), params(("list" = String, Path)), request_body = CodeDraft, responses((status = 200, body = CodeItem)))]
pub async fn put_code(
    State(st): S,
    a: Auth,
    axum::extract::Path(list): axum::extract::Path<String>,
    ApiJson(d): ApiJson<CodeDraft>,
) -> ApiResult<Json<CodeItem>> {
    admin(&a)?;
    let list = code_list(&list)?;
    let input = d.validate()?;
    Ok(Json(st.store.put_code(&(&a.0).into(), list, &input).await?))
}

fn setting(rule: LossRule, version: i64) -> LossRuleSetting {
    LossRuleSetting {
        loss_outcomes: rule.loss_outcomes.into_iter().collect(),
        version,
    }
}

/// The outcomes that count as a loss (败诉), with the version to send back when changing them.
#[utoipa::path(get, path = "/api/v1/settings/loss-rule", tag = "代码表", security(("token" = [])), responses((status = 200, body = LossRuleSetting)))]
pub async fn get_loss_rule(State(st): S, _a: Auth) -> ApiResult<Json<LossRuleSetting>> {
    let (rule, version) = st.store.loss_rule_setting().await?;
    Ok(Json(setting(rule, version)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LossRuleUpdate {
    /// The version read with GET.
    pub version: Option<i64>,
    /// Outcome codes that count as a loss.
    #[schema(value_type = Vec<String>)]
    pub loss_outcomes: Option<Vec<huajie_domain::outcome::OutcomeCode>>,
}

/// Replace the set of outcomes that count as a loss (败诉).
#[utoipa::path(put, path = "/api/v1/settings/loss-rule", tag = "代码表", security(("token" = [])), request_body = LossRuleUpdate,
    responses((status = 200, body = LossRuleSetting), (status = 409, body = crate::error::ErrorDetail)))]
pub async fn put_loss_rule(
    State(st): S,
    a: Auth,
    ApiJson(u): ApiJson<LossRuleUpdate>,
) -> ApiResult<Json<LossRuleSetting>> {
    admin(&a)?;
    let Some(outcomes) = u.loss_outcomes else {
        return Err(FieldError::required("loss_outcomes", "败诉结果清单").into());
    };
    let v = require_version(u.version)?;
    let rule = LossRule {
        loss_outcomes: outcomes.into_iter().collect(),
    };
    let (rule, version) = st.store.set_loss_rule(&(&a.0).into(), v, &rule).await?;
    Ok(Json(setting(rule, version)))
}

// ----- disputes -----------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Return disputes with an id below this one (the last id of the previous page).
    pub before_id: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/disputes", tag = "争议", security(("token" = [])), params(PageParams), responses((status = 200, body = Vec<Dispute>)))]
pub async fn list_disputes(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Vec<Dispute>>> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(FieldError::new("limit", "out_of_range", "每页条数须在1至200之间").into());
    }
    Ok(Json(
        st.store.list_disputes(&a.0, p.before_id, limit).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/disputes", tag = "争议", security(("token" = [])), request_body = DisputeDraft, responses((status = 201, body = Dispute), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create_dispute(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<DisputeDraft>,
) -> ApiResult<(StatusCode, Json<Dispute>)> {
    let input = d.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_dispute(&a.0, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/disputes/{id}", tag = "争议", security(("token" = [])), params(("id" = i64, Path)), responses((status = 200, body = Dispute), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn get_dispute(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Dispute>> {
    Ok(Json(st.store.get_dispute(&a.0, id).await?))
}

#[utoipa::path(put, path = "/api/v1/disputes/{id}", tag = "争议", security(("token" = [])), params(("id" = i64, Path)), request_body = DisputeDraft, responses((status = 200, body = Dispute), (status = 409, body = crate::error::ErrorDetail)))]
pub async fn update_dispute(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<DisputeDraft>,
) -> ApiResult<Json<Dispute>> {
    let input = d.validate()?;
    let v = require_version(d.version)?;
    Ok(Json(st.store.update_dispute(&a.0, id, v, &input).await?))
}

// ----- proceedings (the ledger) -------------------------------------------------------

/// The ledger (台账): one filtered, sorted page of proceedings with a keyset cursor.
#[utoipa::path(get, path = "/api/v1/proceedings", tag = "程序", security(("token" = [])), params(LedgerParams),
    responses((status = 200, body = LedgerPage), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn ledger(
    State(st): S,
    a: Auth,
    ApiQuery(p): ApiQuery<LedgerParams>,
) -> ApiResult<Json<LedgerPage>> {
    let q = p.validate()?;
    Ok(Json(st.store.ledger(&a.0, &q).await?))
}

/// Register a proceeding with its parties (a dispute is created when `dispute_id` is absent).
#[utoipa::path(post, path = "/api/v1/proceedings", tag = "程序", security(("token" = [])), request_body = ProceedingDraft,
    responses((status = 201, body = Proceeding), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create_proceeding(
    State(st): S,
    a: Auth,
    ApiJson(d): ApiJson<ProceedingDraft>,
) -> ApiResult<(StatusCode, Json<Proceeding>)> {
    let (p, parties) = d.validate_new()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.create_proceeding(&a.0, &p, &parties).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/proceedings/{id}", tag = "程序", security(("token" = [])), params(("id" = i64, Path)), responses((status = 200, body = Proceeding), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn get_proceeding(State(st): S, a: Auth, Id(id): Id) -> ApiResult<Json<Proceeding>> {
    Ok(Json(st.store.get_proceeding(&a.0, id).await?))
}

#[utoipa::path(put, path = "/api/v1/proceedings/{id}", tag = "程序", security(("token" = [])), params(("id" = i64, Path)), request_body = ProceedingDraft,
    responses((status = 200, body = Proceeding), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn update_proceeding(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(Reasoned { draft: d, reason }): ApiJson<Reasoned<ProceedingDraft>>,
) -> ApiResult<Json<Proceeding>> {
    let p = d.validate_update()?;
    let v = require_version(d.version)?;
    let reason = reason_of(reason.as_deref(), false)?;
    Ok(Json(
        with_reason(reason, st.store.update_proceeding(&a.0, id, v, &p)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/proceedings/{id}/parties", tag = "程序", security(("token" = [])), params(("id" = i64, Path)), request_body = PartyDraft, responses((status = 201, body = Party)))]
pub async fn add_party(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<PartyDraft>,
) -> ApiResult<(StatusCode, Json<Party>)> {
    let input = d.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.add_party(&a.0, id, &input).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/parties/{id}", tag = "程序", security(("token" = [])), params(("id" = i64, Path)), request_body = PartyDraft, responses((status = 200, body = Party)))]
pub async fn update_party(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(Reasoned { draft: d, reason }): ApiJson<Reasoned<PartyDraft>>,
) -> ApiResult<Json<Party>> {
    let input = d.validate()?;
    let v = require_version(d.version)?;
    let reason = reason_of(reason.as_deref(), false)?;
    Ok(Json(
        with_reason(reason, st.store.update_party(&a.0, id, v, &input)).await?,
    ))
}

/// Withdraw a party entered by mistake (`version` and `reason` required; the removal and its
/// reason stay in the case history).
#[utoipa::path(delete, path = "/api/v1/parties/{id}", tag = "程序", security(("token" = [])), params(("id" = i64, Path), RemoveParams), responses((status = 204)))]
pub async fn delete_party(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiQuery(q): ApiQuery<RemoveParams>,
) -> ApiResult<StatusCode> {
    let v = require_version(q.version)?;
    let reason = reason_of(q.reason.as_deref(), true)?;
    with_reason(reason, st.store.delete_party(&a.0, id, v)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/proceedings/{id}/hearings", tag = "开庭与出庭", security(("token" = [])), params(("id" = i64, Path)), request_body = HearingDraft, responses((status = 201, body = Hearing)))]
pub async fn add_hearing(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<HearingDraft>,
) -> ApiResult<(StatusCode, Json<Hearing>)> {
    let input = d.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.add_hearing(&a.0, id, &input).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/hearings/{id}", tag = "开庭与出庭", security(("token" = [])), params(("id" = i64, Path)), request_body = HearingDraft, responses((status = 200, body = Hearing)))]
pub async fn update_hearing(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(Reasoned { draft: d, reason }): ApiJson<Reasoned<HearingDraft>>,
) -> ApiResult<Json<Hearing>> {
    let input = d.validate()?;
    let v = require_version(d.version)?;
    let reason = reason_of(reason.as_deref(), false)?;
    Ok(Json(
        with_reason(reason, st.store.update_hearing(&a.0, id, v, &input)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/hearings/{id}/appearances", tag = "开庭与出庭", security(("token" = [])), params(("id" = i64, Path)), request_body = AppearanceDraft, responses((status = 201, body = Appearance)))]
pub async fn add_appearance(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<AppearanceDraft>,
) -> ApiResult<(StatusCode, Json<Appearance>)> {
    let input = d.validate()?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.add_appearance(&a.0, id, &input).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/appearances/{id}", tag = "开庭与出庭", security(("token" = [])), params(("id" = i64, Path)), request_body = AppearanceDraft, responses((status = 200, body = Appearance)))]
pub async fn update_appearance(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(Reasoned { draft: d, reason }): ApiJson<Reasoned<AppearanceDraft>>,
) -> ApiResult<Json<Appearance>> {
    let input = d.validate()?;
    let v = require_version(d.version)?;
    let reason = reason_of(reason.as_deref(), false)?;
    Ok(Json(
        with_reason(reason, st.store.update_appearance(&a.0, id, v, &input)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/proceedings/{id}/outcomes", tag = "结果", security(("token" = [])), params(("id" = i64, Path)), request_body = OutcomeDraft, responses((status = 201, body = Outcome)))]
pub async fn add_outcome(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(d): ApiJson<OutcomeDraft>,
) -> ApiResult<(StatusCode, Json<Outcome>)> {
    let p = st.store.get_proceeding(&a.0, id).await?;
    let input = d.validate(p.kind)?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.add_outcome(&a.0, id, &input).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/outcomes/{id}", tag = "结果", security(("token" = [])), params(("id" = i64, Path)), request_body = OutcomeDraft, responses((status = 200, body = Outcome)))]
pub async fn update_outcome(
    State(st): S,
    a: Auth,
    Id(id): Id,
    ApiJson(Reasoned { draft: d, reason }): ApiJson<Reasoned<OutcomeDraft>>,
) -> ApiResult<Json<Outcome>> {
    let pid = st.store.proceeding_of(&a.0, "outcome", id).await?;
    let p = st.store.get_proceeding(&a.0, pid).await?;
    let input = d.validate(p.kind)?;
    let v = require_version(d.version)?;
    let reason = reason_of(reason.as_deref(), false)?;
    Ok(Json(
        with_reason(reason, st.store.update_outcome(&a.0, id, v, &input)).await?,
    ))
}

// ----- audit --------------------------------------------------------------------------

/// History of one record (unit, user, dispute, proceeding, party, hearing, appearance, outcome,
/// work_item).
/// A proceeding's history includes its parties, hearings, appearances and outcomes.
#[utoipa::path(get, path = "/api/v1/audit/{entity}/{id}", tag = "审计", security(("token" = [])),
    params(("entity" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Vec<AuditEvent>), (status = 404, body = crate::error::ErrorDetail)))]
pub async fn audit_history(
    State(st): S,
    a: Auth,
    axum::extract::Path((entity, id)): axum::extract::Path<(String, String)>,
) -> ApiResult<Json<Vec<AuditEvent>>> {
    let id: i64 = id.parse().ok().filter(|v: &i64| *v > 0).ok_or_else(|| {
        ApiError::bad_request("invalid_id", format!("编号“{id}”无效，应为正整数"))
    })?;
    match entity.as_str() {
        "proceeding" | "party" | "hearing" | "appearance" | "outcome" => {
            st.store.proceeding_of(&a.0, &entity, id).await?;
        }
        "dispute" => {
            st.store.get_dispute(&a.0, id).await?;
        }
        "work_item" => {
            st.store.work_item(&a.0, id).await?;
        }
        "warning" => {
            st.store.warning(&a.0, id).await?;
        }
        "unit" if a.0.can_read_full_audit() => {
            st.store.get_unit(id, Some(a.0.jurisdiction_id)).await?;
        }
        "user" if a.0.can_read_full_audit() => {
            st.store.get_user(id, Some(a.0.jurisdiction_id)).await?;
        }
        "unit_head" if a.0.can_read_full_audit() => {
            st.store.unit_of_head(id, Some(a.0.jurisdiction_id)).await?;
        }
        _ => return Err(ApiError::not_found()),
    }
    Ok(Json(st.store.history(&entity, id).await?))
}
