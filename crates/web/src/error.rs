//! The one place where errors become HTTP responses.
//!
//! Every error body has the same shape:
//! `{"error": {"code": "validation_failed", "message": "…", "fields": [{"field", "code", "message"}]}}`.
//! Messages are Simplified Chinese for users; codes are stable for programs. Internal
//! details of 5xx errors are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use huajie_domain::{FieldError, Invalid};
use huajie_store::StoreError;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub struct ErrorDetail {
    /// Stable machine-readable code.
    pub code: String,
    /// Message for the user, in Simplified Chinese.
    pub message: String,
    /// Per-field problems (validation errors only).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldErrorJson>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub struct FieldErrorJson {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<FieldError> for FieldErrorJson {
    fn from(e: FieldError) -> Self {
        FieldErrorJson {
            field: e.field,
            code: e.code,
            message: e.message,
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// A token was presented and refused ([`ApiError::bad_token`]): the refusal is audited.
    pub bad_token: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            fields: Vec::new(),
            bad_token: false,
        }
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "未登录或令牌无效，请在请求头中提供 Authorization: Bearer <令牌>",
        )
    }
    /// A token was presented but is not valid (unknown, revoked, expired): the same answer as
    /// [`ApiError::unauthorized`], and the refusal is audited under the client's address.
    pub fn bad_token() -> Self {
        let mut e = Self::unauthorized();
        e.message.push_str("（所提供的令牌无效、已撤销或已过期）");
        e.bad_token = true;
        e
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", msg)
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "记录不存在或无权访问")
    }
    pub fn bad_request(code: &str, msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, msg)
    }
    pub fn invalid(inv: Invalid) -> Self {
        let message = if inv.0.len() == 1 {
            inv.0[0].message.clone()
        } else {
            format!("提交的内容有{}处错误，请逐项修改", inv.0.len())
        };
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed".into(),
            message,
            fields: inv.0,
            bad_token: false,
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(inv: Invalid) -> Self {
        ApiError::invalid(inv)
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::invalid(Invalid::one(e))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict { .. } => {
                ApiError::new(StatusCode::CONFLICT, "version_conflict", e.to_string())
            }
            StoreError::Forbidden(m) => ApiError::forbidden(m),
            StoreError::Invalid(inv) => ApiError::invalid(inv),
            StoreError::Db(_) | StoreError::Migrate(_) | StoreError::Files(_) => {
                tracing::error!(error = %e, "storage error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误，请稍后重试或联系管理员",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let refused = self.status == StatusCode::FORBIDDEN || self.code == "not_found";
        let bad_token = self.bad_token;
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                fields: self.fields.into_iter().map(Into::into).collect(),
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if refused {
            resp.extensions_mut().insert(crate::Refusal);
        }
        if bad_token {
            resp.extensions_mut().insert(crate::BadToken);
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
