//! Input hygiene at the edge (issue 15, point 6): characters no field accepts — NUL and other
//! control characters, Unicode noncharacters (`huajie_domain::error::is_forbidden_char`) — are
//! refused before any handler or query sees them, in every query string and form body (one
//! layer, [`refuse_bad_input`]) and every JSON body ([`crate::extract::ApiJson`]), naming the
//! field. Line breaks and tabs pass in bodies (text areas) and are refused in query strings, so
//! a CR/LF can never reach a header (`Location` after a saved filter or a login). Field
//! validators (`huajie_domain::error::check_chars`) then refuse text made only of invisible
//! characters, with the field's own label.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use huajie_domain::FieldError;
use huajie_domain::error::is_forbidden_char;

use crate::error::ApiError;

/// Whether text in a body holds a character no field accepts (line breaks and tabs allowed).
pub fn body_text_forbidden(v: &str) -> bool {
    v.chars()
        .any(|c| is_forbidden_char(c) && !matches!(c, '\n' | '\r' | '\t'))
}

/// The first query parameter (its name) whose name or value holds a forbidden character,
/// line breaks and tabs included. Invalid percent-encoded UTF-8 is refused too.
pub fn bad_query_param(query: &str) -> Option<String> {
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let bad = |t: &str| t.chars().any(|c| is_forbidden_char(c) || c == '\u{FFFD}');
        if bad(&k) || bad(&v) {
            let name: String = k
                .chars()
                .filter(|c| !is_forbidden_char(*c))
                .take(40)
                .collect();
            return Some(if name.is_empty() {
                "query".into()
            } else {
                name
            });
        }
    }
    None
}

/// The message for a refused field.
pub fn refused(field: &str) -> FieldError {
    FieldError::new(
        field,
        "control_chars",
        format!("“{field}”含有不可见控制字符或非法字符（如 NUL、换行、U+FFFF），请删除后重试"),
    )
}

/// Refuses a request whose query string or form body (`application/x-www-form-urlencoded`,
/// read here once within the body limit) holds a forbidden character: 422 naming the field for
/// the API, a message page for the others. JSON bodies are checked by `ApiJson`.
pub async fn refuse_bad_input(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    if let Some(field) = req.uri().query().and_then(bad_query_param) {
        return refusal(api, &field, true);
    }
    let form = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "提交的内容过大（上限 1 MB）",
            )
            .into_response();
        }
    };
    let bad = form_urlencoded::parse(&bytes)
        .find(|(k, v)| body_text_forbidden(k) || body_text_forbidden(v))
        .map(|(k, _)| {
            k.chars()
                .filter(|c| !is_forbidden_char(*c))
                .take(40)
                .collect::<String>()
        });
    if let Some(field) = bad {
        return refusal(api, if field.is_empty() { "form" } else { &field }, false);
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn refusal(api: bool, field: &str, query: bool) -> Response {
    if api {
        return ApiError::invalid(refused(field).into()).into_response();
    }
    let (status, what) = if query {
        (StatusCode::BAD_REQUEST, format!("网址中的参数“{field}”"))
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, "提交的内容".to_string())
    };
    crate::ui::message_page(
        status,
        &format!(
            "{what}含有不可见控制字符或非法字符（如 NUL、U+FFFF），无法处理。请返回修改后重试。"
        ),
        crate::ui::BACK_FORM,
    )
}

/// The path (`a.b[2]`) of the first string in a JSON value (keys included) that holds a
/// forbidden character.
pub fn bad_json_path(v: &serde_json::Value) -> Option<String> {
    fn walk(v: &serde_json::Value, path: &mut String) -> bool {
        match v {
            serde_json::Value::String(s) => body_text_forbidden(s),
            serde_json::Value::Array(a) => a.iter().enumerate().any(|(i, x)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(x, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            serde_json::Value::Object(m) => m.iter().any(|(k, x)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                let safe: String = k.chars().filter(|c| !is_forbidden_char(*c)).collect();
                path.push_str(&safe);
                let found = body_text_forbidden(k) || walk(x, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = String::new();
    walk(v, &mut path).then(|| if path.is_empty() { "body".into() } else { path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters() {
        assert_eq!(bad_query_param("party=%00"), Some("party".into()));
        assert_eq!(
            bad_query_param("a=1&next=%2F%0D%0ASet-Cookie"),
            Some("next".into())
        );
        assert_eq!(bad_query_param("q=%EF%BF%BF"), Some("q".into()));
        assert_eq!(bad_query_param("q=%FF"), Some("q".into()));
        assert_eq!(bad_query_param("%00=1"), Some("query".into()));
        assert_eq!(bad_query_param("q=%E5%BC%A0%E4%B8%89&limit=5"), None);
        assert_eq!(bad_query_param(""), None);
    }

    #[test]
    fn json_paths() {
        let v = serde_json::json!({"username": "coordinator\u{0}"});
        assert_eq!(bad_json_path(&v).as_deref(), Some("username"));
        let v = serde_json::json!({"parties": [{"name": "甲"}, {"name": "乙\u{FFFF}"}]});
        assert_eq!(bad_json_path(&v).as_deref(), Some("parties[1].name"));
        let v = serde_json::json!({"summary": "第一行\n第二行\t甲", "n": 1});
        assert_eq!(bad_json_path(&v), None);
        assert_eq!(
            bad_json_path(&serde_json::json!("\u{7}")).as_deref(),
            Some("body")
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(q in "\\PC*", s in "\\PC*") {
            let _ = bad_query_param(&q);
            let _ = bad_json_path(&serde_json::json!({ s.clone(): [s] }));
        }
    }
}
