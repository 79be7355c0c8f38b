//! The API contract as published (issue 15, point 7): one pass over the generated OpenAPI
//! document so that it says what the API does, whatever each handler's annotation forgot.
//! - Error bodies are wrapped: every error response refers to `ErrorBody`
//!   (`{"error": {"code", "message", "fields"}}`), never to the bare `ErrorDetail`.
//! - Every status a handler can answer is there: 400 (a malformed query, path or body), 401 and
//!   403 (token missing or invalid; no right, or a password change due) and 404 (a record named
//!   in the path, query or body missing or out of scope) where a token is needed, 409 where a version is checked, 413/415 where a JSON body
//!   is read, 422 (a field refused), 429 where passwords are checked.
//! - Every response has a description (Chinese), every operation a unique `operationId`.

use serde_json::{Value, json};

fn error_ref() -> Value {
    json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
}

fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "成功",
        "201" => "已创建",
        "204" => "已完成（无内容）",
        "400" => "请求格式错误（查询参数、路径编号或请求体无法解析）",
        "401" => "未登录，或令牌无效、已撤销、已过期",
        "403" => "无权执行此操作，或须先修改密码",
        "404" => "记录不存在或不在您的权限范围内",
        "409" => "记录已被他人修改（版本号不符），请重新读取后再提交",
        "413" => "请求体过大",
        "415" => "请求体须为 JSON（Content-Type: application/json）",
        "422" => "提交的内容未通过校验，fields 列出每个字段的问题",
        "429" => "尝试过于频繁，请稍候再试",
        _ => "响应",
    }
}

/// Rewrites the document as described in the module documentation.
pub fn finish(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut v = serde_json::to_value(&doc).expect("the document serialises");
    let schemas = v
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("the document has schemas");
    schemas.insert(
        "ErrorBody".into(),
        json!({
            "type": "object",
            "description": "错误响应：所有错误都包在 error 中",
            "required": ["error"],
            "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}}
        }),
    );
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let paths = v
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .expect("the document has paths");
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !matches!(method.as_str(), "get" | "put" | "post" | "delete" | "patch") {
                continue;
            }
            let secured = op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty());
            let json_body = op
                .pointer("/requestBody/content/application~1json")
                .is_some();
            let mut wanted = vec!["400", "422"];
            if secured {
                // A record named in the path, the query or the body may be missing or out of
                // the caller's scope: 404 wherever a token is needed.
                wanted.extend(["401", "403", "404"]);
            } else if path.contains('{') {
                wanted.push("404");
            }
            if matches!(method.as_str(), "put" | "delete") {
                wanted.push("409");
            }
            if json_body {
                wanted.extend(["413", "415"]);
            }
            if method == "post" && (path == "/api/v1/tokens" || path.ends_with("/password")) {
                wanted.push("429");
            }
            let responses = op
                .get_mut("responses")
                .and_then(Value::as_object_mut)
                .expect("every operation has responses");
            for status in wanted {
                responses
                    .entry(status.to_string())
                    .or_insert_with(error_ref);
            }
            for (status, resp) in responses.iter_mut() {
                let empty = resp
                    .get("description")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty);
                if empty && let Some(r) = resp.as_object_mut() {
                    r.insert("description".into(), default_description(status).into());
                }
                if status.starts_with('4')
                    && let Some(schema) = resp.pointer_mut("/content/application~1json/schema")
                    && schema.get("$ref").and_then(Value::as_str)
                        != Some("#/components/schemas/ErrorBody")
                {
                    *schema = json!({"$ref": "#/components/schemas/ErrorBody"});
                }
            }
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                *seen.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    // Operation ids used twice (two modules' `list`) become method + path.
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if seen.get(id).copied().unwrap_or(0) > 1 {
                let slug: String = path
                    .trim_start_matches("/api/v1/")
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                op["operationId"] = format!("{method}_{}", slug.trim_matches('_')).into();
            }
        }
    }
    serde_json::from_value(v).expect("the rewritten document is still a document")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    /// The (method, path) pairs of a router's source: every `.route("…", get(…).post(…))`.
    fn routes_in(src: &str) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for chunk in src.split(".route(").skip(1) {
            let Some(start) = chunk.find('"') else {
                continue;
            };
            let rest = &chunk[start + 1..];
            let Some(end) = rest.find('"') else { continue };
            let path = format!("/api/v1{}", &rest[..end]);
            let call = &rest[end..];
            let call = &call[..call.find("\n        .").unwrap_or(call.len())];
            for m in ["get", "post", "put", "delete"] {
                let n = call.matches(&format!("{m}(")).count();
                if n > 0 {
                    out.insert((m.to_string(), path.replace("{file}", "{id}")));
                }
            }
        }
        out
    }

    #[test]
    fn every_api_route_is_documented() {
        let lib = include_str!("lib.rs");
        let start = lib.find("let v1 = Router::new()").unwrap();
        let end = start + lib[start..].find(".merge(work_items::routes())").unwrap();
        let mut routes = routes_in(&lib[start..end]);
        for src in [
            include_str!("obligations.rs"),
            include_str!("corrections.rs"),
            include_str!("work_items.rs"),
            include_str!("messages.rs"),
            include_str!("appearance.rs"),
            include_str!("warnings.rs"),
            include_str!("court.rs"),
            include_str!("supervision.rs"),
        ] {
            let s = src.find("pub fn routes()").unwrap();
            let e = s + src[s..].find("\n}").unwrap();
            routes.extend(routes_in(&src[s..e]));
        }
        assert!(routes.len() > 60, "{routes:?}");
        let doc = serde_json::to_value(crate::openapi()).unwrap();
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for m in item.as_object().unwrap().keys() {
                documented.insert((m.clone(), path.clone()));
            }
        }
        let missing: Vec<_> = routes.difference(&documented).collect();
        assert!(
            missing.is_empty(),
            "routes missing from the OpenAPI document: {missing:?}"
        );
    }

    #[test]
    fn responses_are_described_wrapped_and_ids_unique() {
        let doc = serde_json::to_value(crate::openapi()).unwrap();
        assert!(doc.pointer("/components/schemas/ErrorDetail").is_some());
        assert!(doc.pointer("/components/schemas/ErrorBody").is_some());
        let mut ids = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                // Path parameters are in the path (a query struct whose parameters are not
                // marked as query ones would be documented as path parameters).
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["in"] == "path" {
                        let name = p["name"].as_str().unwrap();
                        assert!(
                            path.contains(&format!("{{{name}}}")),
                            "{method} {path}: path parameter {name}"
                        );
                    }
                }
                let id = op["operationId"].as_str().unwrap().to_string();
                assert!(ids.insert(id.clone()), "operationId {id} twice");
                let responses = op["responses"].as_object().unwrap();
                for must in ["400", "422"] {
                    assert!(responses.contains_key(must), "{method} {path}: no {must}");
                }
                if op.get("security").is_some() {
                    assert!(responses.contains_key("401"), "{method} {path}: no 401");
                }
                if op
                    .pointer("/requestBody/content/application~1json")
                    .is_some()
                {
                    assert!(responses.contains_key("415"), "{method} {path}: no 415");
                }
                for (status, r) in responses {
                    assert!(
                        !r["description"].as_str().unwrap_or("").is_empty(),
                        "{method} {path} {status}: no description"
                    );
                    if status.starts_with('4')
                        && let Some(s) = r.pointer("/content/application~1json/schema")
                    {
                        assert_eq!(
                            s["$ref"],
                            Value::from("#/components/schemas/ErrorBody"),
                            "{method} {path} {status}"
                        );
                    }
                }
            }
        }
        // The list of published snapshots is an array.
        let snapshots = doc
            .pointer("/paths/~1api~1v1~1stats~1snapshots/get/responses/200/content/application~1json/schema/type")
            .and_then(Value::as_str);
        assert_eq!(snapshots, Some("array"));
    }

    /// The document as a file, for `openapi-spec-validator` in `.ci/run`.
    #[test]
    fn write_the_document_for_the_validator() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("openapi.json"),
            serde_json::to_string_pretty(&crate::openapi()).unwrap(),
        )
        .unwrap();
    }
}
