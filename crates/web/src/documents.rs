//! Documents: upload (multipart form, from the case page or the API), list, and download for
//! those who may see the case. The bytes are checked (size, type from content) before anything
//! is written; the file goes to the content-addressed store, then its record and audit event
//! are committed together. Every download is logged before it is sent.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::document::check_upload;
use huajie_domain::records::Document;
use huajie_store::StoreError;
use huajie_store::documents::DocumentInput;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::Id;

/// What a multipart upload carried.
#[derive(Debug, Default)]
pub struct Upload {
    pub csrf: String,
    pub kind: String,
    /// The button pressed, for forms with several (the ledger import: check or import).
    pub mode: String,
    pub filename: String,
    pub bytes: Vec<u8>,
    /// Pasted text (the judgment reader's alternative to a file).
    pub text: String,
}

/// Reads the fields `kind`, `csrf` and `file` of a multipart body. A body over the limit is a
/// field error on `file`, not a dropped connection.
pub async fn read_upload(mut mp: Multipart, max: usize) -> Result<Upload, FieldError> {
    let mut up = Upload::default();
    let too_large = || {
        FieldError::new(
            "file",
            "file_too_large",
            format!("文件过大，上限为 {} MB", max / 1048576),
        )
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => {
                return Err(FieldError::new(
                    "file",
                    "unreadable_upload",
                    "上传的数据不完整，请重新选择文件上传",
                ));
            }
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                up.filename = field.file_name().unwrap_or("").to_string();
                up.bytes = match field.bytes().await {
                    Ok(b) => b.to_vec(),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(too_large());
                    }
                    Err(_) => {
                        return Err(FieldError::new(
                            "file",
                            "unreadable_upload",
                            "上传的数据不完整，请重新选择文件上传",
                        ));
                    }
                };
            }
            "kind" | "csrf" | "mode" | "text" => {
                let text = field.text().await.unwrap_or_default();
                match name.as_str() {
                    "kind" => up.kind = text,
                    "mode" => up.mode = text,
                    "text" => up.text = text,
                    _ => up.csrf = text,
                }
            }
            _ => {}
        }
    }
    Ok(up)
}

/// A multipart form with several files: its text fields in order, and each non-empty file
/// with the name of its field.
#[derive(Debug, Default)]
pub struct MultiForm {
    pub pairs: Vec<(String, String)>,
    /// `(field name, file name, bytes)`.
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// Reads a multipart form whose file fields are named `file_…` (empty file inputs are
/// skipped). A body over the limit is a field error, not a dropped connection.
pub async fn read_form(mut mp: Multipart, max: usize) -> Result<MultiForm, FieldError> {
    let mut out = MultiForm::default();
    let broken = || {
        FieldError::new(
            "file",
            "unreadable_upload",
            "上传的数据不完整，请重新选择文件上传",
        )
    };
    let too_large = || {
        FieldError::new(
            "file",
            "file_too_large",
            format!("文件过大，上限为 {} MB", max / 1048576),
        )
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(broken()),
        };
        let name = field.name().unwrap_or("").to_string();
        if name.starts_with("file_") {
            let filename = field.file_name().unwrap_or("").to_string();
            let bytes = match field.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(_) => return Err(broken()),
            };
            if !filename.is_empty() || !bytes.is_empty() {
                out.files.push((name, filename, bytes));
            }
        } else {
            let text = field.text().await.map_err(|_| broken())?;
            out.pairs.push((name, text));
        }
    }
    Ok(out)
}

pub fn not_multipart() -> ApiError {
    ApiError::bad_request(
        "not_multipart",
        "请求体须为 multipart/form-data，包含 kind（文书类别）和 file（文件）",
    )
}

/// Checks and stores an upload for a proceeding. Refusals (role, scope, bad file) happen before
/// the file is written.
pub async fn store_upload(
    st: &AppState,
    actor: &Actor,
    proceeding_id: i64,
    up: Upload,
) -> Result<Document, StoreError> {
    if !actor.can_write_cases() {
        return Err(StoreError::Forbidden(format!(
            "{}不能上传文书",
            actor.role.label()
        )));
    }
    st.store
        .proceeding_of(actor, "proceeding", proceeding_id)
        .await?;
    let (kind, filename, file_type) =
        check_upload(&up.kind, &up.filename, &up.bytes, st.max_document_bytes)?;
    let size = up.bytes.len() as i64;
    let content_hash = st.blobs.put(up.bytes).await?;
    st.store
        .add_document(
            actor,
            proceeding_id,
            &DocumentInput {
                kind,
                filename,
                file_type,
                size,
                content_hash,
            },
        )
        .await
}

/// The stored bytes of a document the actor may see, as a download (logged first).
pub async fn send_document(st: &AppState, actor: &Actor, id: i64) -> Result<Response, StoreError> {
    let doc = st.store.document_for_download(actor, id).await?;
    let bytes = st.blobs.get(&doc.content_hash).await?;
    let encoded: String = form_urlencoded::byte_serialize(doc.filename.as_bytes()).collect();
    let ascii: String = doc
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let headers = [
        (header::CONTENT_TYPE, doc.media_type.clone()),
        (
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                encoded.replace('+', "%20")
            ),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        (header::CACHE_CONTROL, "private, no-store".to_string()),
    ];
    Ok((headers, bytes).into_response())
}

/// Download from a page (session cookie); a refusal is a page, not JSON.
pub async fn download(
    State(st): State<AppState>,
    s: crate::ui::UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Response {
    let Some(id) = raw.parse::<i64>().ok().filter(|v| *v > 0) else {
        return crate::ui::not_found_page(&s.0, &format!("文书“{raw}”"));
    };
    match send_document(&st, &s.0.actor, id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => crate::ui::not_found_page(&s.0, &format!("文书（编号{id}）")),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Documents of a proceeding.
#[utoipa::path(get, path = "/api/v1/proceedings/{id}/documents", tag = "文书", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Document>)))]
pub async fn list(
    State(st): State<AppState>,
    a: Auth,
    Id(id): Id,
) -> ApiResult<Json<Vec<Document>>> {
    Ok(Json(st.store.list_documents(&a.0, id).await?))
}

/// Attach a document: `multipart/form-data` with `kind` (complaint, answer, evidence_list,
/// judgment, report, other) and `file`. Accepted: PDF, OFD, Word, Excel, PNG/JPEG, plain text,
/// recognised from the content; the size limit is `HUAJIE_MAX_DOCUMENT_MB` (default 20).
#[utoipa::path(post, path = "/api/v1/proceedings/{id}/documents", tag = "文书", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = Document), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn upload(
    State(st): State<AppState>,
    a: Auth,
    Id(id): Id,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let mp = mp.map_err(|_| not_multipart())?;
    let up = read_upload(mp, st.max_document_bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(store_upload(&st, &a.0, id, up).await?),
    ))
}

/// Download a document's content (logged in the audit log).
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "文书", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the file")))]
pub async fn download_api(State(st): State<AppState>, a: Auth, Id(id): Id) -> Response {
    match send_document(&st, &a.0, id).await {
        Ok(r) => r,
        Err(e) => ApiError::from(e).into_response(),
    }
}
