//! Extractors that turn every malformed request into an [`ApiError`] with a Chinese message.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use huajie_domain::FieldError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// JSON body. Rejections: missing/wrong content type (415), malformed JSON (400),
/// wrong field types (422 with the field), body over the limit (413).
pub struct ApiJson<T>(pub T);

fn type_name(expected: &str) -> &'static str {
    if expected.contains("i64") || expected.contains("integer") || expected.contains("u32") {
        "整数"
    } else if expected.contains("bool") {
        "布尔值（true/false）"
    } else if expected.contains("sequence") {
        "数组"
    } else if expected.contains("string") || expected.contains("str") {
        "字符串"
    } else if expected.contains("map") || expected.contains("struct") {
        "对象"
    } else {
        "正确的类型"
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体须为 JSON（Content-Type: application/json）",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "请求体过大（上限 1 MB）",
                )
            } else {
                ApiError::bad_request("unreadable_body", "无法读取请求体")
            }
        })?;
        // Parsed once into a value: malformed JSON is a 400 with its position; a string with a
        // character no field accepts (NUL …) is refused naming its field before any handler or
        // query sees it; then the value becomes the request type.
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::bad_request(
                "invalid_json",
                format!(
                    "请求体不是合法的 JSON（第{}行第{}列）",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        if let Some(field) = crate::hygiene::bad_json_path(&value) {
            return Err(ApiError::invalid(crate::hygiene::refused(&field).into()));
        }
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_data() {
                    let msg = inner.to_string();
                    let expected = msg.split("expected ").nth(1).unwrap_or("");
                    let field = if path == "." {
                        "body".to_string()
                    } else {
                        path
                    };
                    ApiError::invalid(
                        FieldError::new(
                            &field,
                            "wrong_type",
                            format!("字段“{field}”的类型错误，应为{}", type_name(expected)),
                        )
                        .into(),
                    )
                } else {
                    ApiError::bad_request(
                        "invalid_json",
                        format!(
                            "请求体不是合法的 JSON（第{}行第{}列）",
                            inner.line(),
                            inner.column()
                        ),
                    )
                }
            })
    }
}

/// A numeric id from the path; anything else is a 400.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request("invalid_id", "路径中的编号无效"))?;
        raw.parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .map(Id)
            .ok_or_else(|| {
                ApiError::bad_request("invalid_id", format!("编号“{raw}”无效，应为正整数"))
            })
    }
}

/// Query-string parameters; a value of the wrong type is a 400 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_de(q);
        de.map(ApiQuery)
    }
}

fn serde_urlencoded_de<T: DeserializeOwned>(q: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        if field.is_empty() || field == "." {
            ApiError::bad_request("invalid_query", "查询参数无效")
        } else {
            ApiError::invalid(
                FieldError::new(&field, "wrong_type", format!("查询参数“{field}”的值无效")).into(),
            )
        }
    })
}

/// Version of the record the client read, for optimistic concurrency.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParam {
    /// The `version` the client last read.
    pub version: Option<i64>,
}

/// Requires the version of an update, as a field error when missing.
pub fn require_version(v: Option<i64>) -> Result<i64, ApiError> {
    v.ok_or_else(|| {
        ApiError::invalid(
            FieldError::new(
                "version",
                "required",
                "修改时必须提供读取时的版本号 version（防止覆盖他人的修改）",
            )
            .into(),
        )
    })
}

/// A correction's body: the record's draft and, beside it, the reason for the change
/// (`reason`, kept with the audit event; the pages require it).
#[derive(Debug, serde::Deserialize)]
pub struct Reasoned<T> {
    #[serde(flatten)]
    pub draft: T,
    pub reason: Option<String>,
}

/// Version and reason of a removal (a recorded withdrawal): both required.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveParams {
    /// The `version` the client last read.
    pub version: Option<i64>,
    /// Why it is withdrawn (required; kept in the history).
    pub reason: Option<String>,
}

/// The reason given for a change: at most 500 characters, no control characters but line
/// breaks; `required` for removals and for corrections made on the pages.
pub fn reason_of(v: Option<&str>, required: bool) -> Result<Option<String>, ApiError> {
    let r = huajie_domain::error::optional_multiline("reason", "更正原因", v.unwrap_or(""), 500)
        .map_err(|e| ApiError::invalid(e.into()))?;
    if required && r.is_none() {
        return Err(ApiError::invalid(
            FieldError::new(
                "reason",
                "required",
                "请填写更正或撤回的原因（将记入修改记录）",
            )
            .into(),
        ));
    }
    Ok(r)
}
