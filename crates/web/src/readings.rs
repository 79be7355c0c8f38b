//! Reading court documents into proceedings (裁判文书识别), for the API and the case page: the
//! upload (a .txt or .docx file, or the pasted text) is checked, its text taken and parsed
//! before anything is written; then the file, its document record and the reader's proposal
//! are stored together. The confirmation writes the outcomes; the loss analysis report draft
//! (败诉分析报告) is composed on request.

use axum::Json;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::document::{FileType, check_upload};
use huajie_domain::reading::{ConfirmDraft, JudgmentReading, parse_judgment};
use huajie_store::StoreError;
use huajie_store::documents::DocumentInput;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Auth;
use crate::documents::{Upload, not_multipart, read_upload};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Id};

/// Name given to pasted text when it is stored as a document.
pub const PASTED_NAME: &str = "裁判文书（粘贴文本）.txt";

/// The text of a court document file, or why it cannot be read.
pub fn document_text(file_type: FileType, bytes: &[u8]) -> Result<String, FieldError> {
    let read = match file_type {
        FileType::Text => huajie_office::text::decode_text(bytes),
        FileType::Docx => huajie_office::text::docx_text(bytes),
        other => {
            return Err(FieldError::new(
                "file",
                "unreadable_type",
                format!(
                    "{}文件不能识别文字：请上传文本文件（.txt）或 Word 文档（.docx），或在阅读器中复制文书全文粘贴到“文书全文”框",
                    other.label()
                ),
            ));
        }
    };
    read.map_err(|e| FieldError::new("file", "unreadable_text", e.0))
}

/// Reads an upload (file, or pasted `text`) into a proceeding. Every refusal — role, scope,
/// file type, encoding, not a court document, not a litigation proceeding — happens before
/// the file is written.
pub async fn read_into(
    st: &AppState,
    actor: &Actor,
    proceeding_id: i64,
    up: Upload,
) -> Result<JudgmentReading, StoreError> {
    if !actor.can_write_cases() {
        return Err(StoreError::Forbidden(format!(
            "{}不能识别裁判文书",
            actor.role.label()
        )));
    }
    let proc = st.store.get_proceeding(actor, proceeding_id).await?;
    huajie_domain::reading::check_kind(proc.kind)?;
    let (filename, bytes, field) = if !up.bytes.is_empty() || !up.filename.is_empty() {
        (up.filename, up.bytes, "file")
    } else if !up.text.trim().is_empty() {
        (PASTED_NAME.to_string(), up.text.into_bytes(), "text")
    } else {
        return Err(FieldError::new(
            "file",
            "required",
            "请选择裁判文书文件（.txt 或 .docx），或将文书全文粘贴到“文书全文”框",
        )
        .into());
    };
    // A text file saved as GB18030 (Notepad's "ANSI") or UTF-16 is kept as UTF-8, the one
    // text encoding of the document store.
    let bytes = if filename.to_lowercase().ends_with(".txt") && std::str::from_utf8(&bytes).is_err()
    {
        huajie_office::text::decode_text(&bytes)
            .map_err(|e| FieldError::new(field, "unreadable_text", e.0))?
            .into_bytes()
    } else {
        bytes
    };
    let (kind, filename, file_type) = check_upload(
        huajie_domain::document::DocumentKind::Judgment.code(),
        &filename,
        &bytes,
        st.max_document_bytes,
    )?;
    let text = document_text(file_type, &bytes).map_err(|mut e| {
        e.field = field.into();
        e
    })?;
    let judgment = parse_judgment(&text).map_err(|e| {
        FieldError::new(
            field,
            "not_a_judgment",
            format!("未能识别为法院裁判文书：{e}"),
        )
    })?;
    let size = bytes.len() as i64;
    let content_hash = st.blobs.put(bytes).await?;
    st.store
        .add_reading(
            actor,
            proceeding_id,
            &DocumentInput {
                kind,
                filename,
                file_type,
                size,
                content_hash,
            },
            &judgment,
        )
        .await
}

/// Composes the draft loss analysis report of a losing defendant of a confirmed reading.
pub async fn loss_report(
    st: &AppState,
    actor: &Actor,
    reading_id: i64,
    party_id: i64,
) -> Result<(String, Vec<u8>), StoreError> {
    let r = st.store.get_reading(actor, reading_id).await?;
    let Some(labels) = &r.labels else {
        return Err(FieldError::new(
            "reading",
            "not_confirmed",
            "识别结果尚未确认，请先确认结果再生成败诉分析报告",
        )
        .into());
    };
    let Some(outcome) = labels.outcomes.iter().find(|o| o.party_id == party_id) else {
        return Err(FieldError::new(
            "party_id",
            "unknown_party",
            format!("当事人（编号{party_id}）不是本次确认的被告"),
        )
        .into());
    };
    if !outcome.lost {
        return Err(FieldError::new(
            "party_id",
            "not_lost",
            format!(
                "“{}”在本案中未败诉（{}），不需要败诉分析报告",
                outcome.party_name, outcome.code_label
            ),
        )
        .into());
    }
    let proc = st.store.get_proceeding(actor, r.proceeding_id).await?;
    let deadlines = st.store.proceeding_deadlines(actor, proc.id).await?;
    let due_on = deadlines
        .iter()
        .find(|d| d.rule_id.ends_with("LOSS_REPORT") && d.parent_rule_id.is_none())
        .and_then(|d| d.due_on.parse().ok());
    let domain = st
        .store
        .codes(huajie_domain::codes::CodeList::Domain)
        .await?
        .into_iter()
        .find(|c| c.code == proc.domain)
        .map(|c| c.label)
        .unwrap_or_else(|| proc.domain.clone());
    let issuer = st.store.issuer(actor).await?;
    let doc = huajie_office::loss_report::loss_analysis_report(
        &huajie_office::loss_report::LossReportInput {
            proceeding: &proc,
            outcome,
            proposal: &r.proposal,
            effective_on: labels.effective_on.as_deref().and_then(|d| d.parse().ok()),
            due_on,
            domain,
            issuer: &issuer,
        },
    );
    let bytes = huajie_office::docx::docx(&doc)
        .map_err(|e| StoreError::Files(std::io::Error::other(e.0)))?;
    st.store
        .record_export(
            actor,
            huajie_domain::audit::AuditEntity::JudgmentReading,
            serde_json::json!({"reading": reading_id, "party": party_id, "document": doc.title}),
        )
        .await?;
    Ok((format!("{}.docx", doc.title), bytes))
}

// ----- API -------------------------------------------------------------------------------

/// Read a court document into a proceeding: `multipart/form-data` with `file` (.txt in UTF-8 or
/// GB18030, or .docx) or `text` (the pasted full text). The document is stored (kind 判决书)
/// with what the reader proposes for each defendant: outcome, loss, causes. Refused with 422
/// and nothing stored when the file has no readable text or is not a court document.
#[utoipa::path(post, path = "/api/v1/proceedings/{id}/judgment-readings", tag = "裁判文书识别", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = JudgmentReading), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn create(
    State(st): State<AppState>,
    a: Auth,
    Id(id): Id,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<JudgmentReading>)> {
    let mp = mp.map_err(|_| not_multipart())?;
    let up = read_upload(mp, st.max_document_bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(read_into(&st, &a.0, id, up).await?),
    ))
}

/// Readings of a proceeding, newest first.
#[utoipa::path(get, path = "/api/v1/proceedings/{id}/judgment-readings", tag = "裁判文书识别", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<JudgmentReading>)))]
pub async fn list(
    State(st): State<AppState>,
    a: Auth,
    Id(id): Id,
) -> ApiResult<Json<Vec<JudgmentReading>>> {
    Ok(Json(st.store.list_readings(&a.0, id).await?))
}

/// One reading: the proposal and, once confirmed, the labels.
#[utoipa::path(get, path = "/api/v1/judgment-readings/{id}", tag = "裁判文书识别", security(("token" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = JudgmentReading)))]
pub async fn get(
    State(st): State<AppState>,
    a: Auth,
    Id(id): Id,
) -> ApiResult<Json<JudgmentReading>> {
    Ok(Json(st.store.get_reading(&a.0, id).await?))
}

/// Confirm or correct a reading: one outcome per defendant (party_id, code, decided_on,
/// grounds), optionally the date the judgment took effect (records the 裁判生效 event, which
/// starts the 败诉分析报告 deadline for a loss). The outcomes replace those recorded before;
/// the differences from the proposal are kept with the reading as a labelled example.
#[utoipa::path(post, path = "/api/v1/judgment-readings/{id}/confirm", tag = "裁判文书识别", security(("token" = [])), params(("id" = i64, Path)),
    request_body = ConfirmDraft,
    responses((status = 200, body = JudgmentReading), (status = 409, body = crate::error::ErrorDetail), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn confirm(
    State(st): State<AppState>,
    a: Auth,
    Id(id): Id,
    ApiJson(draft): ApiJson<ConfirmDraft>,
) -> ApiResult<Json<JudgmentReading>> {
    Ok(Json(st.store.confirm_reading(&a.0, id, &draft).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportParams {
    /// The losing defendant (party id).
    pub party_id: Option<i64>,
}

/// The draft 败诉分析报告 (.docx) of a losing defendant of a confirmed reading: basic facts,
/// the court's reasoning (本院认为, quoted), cause analysis, execution of the judgment,
/// rectification measures; what only the unit can write is marked 【…】.
#[utoipa::path(get, path = "/api/v1/judgment-readings/{id}/loss-report.docx", tag = "裁判文书识别", security(("token" = [])), params(("id" = i64, Path), ReportParams),
    responses((status = 200, description = "the .docx draft"), (status = 422, body = crate::error::ErrorDetail)))]
pub async fn report_api(
    State(st): State<AppState>,
    a: Auth,
    Id(id): Id,
    Query(q): Query<ReportParams>,
) -> Response {
    let Some(party_id) = q.party_id else {
        return ApiError::from(StoreError::from(FieldError::required(
            "party_id",
            "败诉被告",
        )))
        .into_response();
    };
    match loss_report(&st, &a.0, id, party_id).await {
        Ok((name, bytes)) => crate::ui::attachment(bytes, crate::ui::DOCX, &name),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// One labelled example: the document text with what the user confirmed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Example {
    pub reading: JudgmentReading,
    /// The text the reader read (from the stored document).
    pub text: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExampleParams {
    /// Only readings the user corrected.
    pub corrected: Option<bool>,
}

/// Confirmed readings of the jurisdiction with their text: labelled examples for checking and
/// improving the reader. Justice bureau roles.
#[utoipa::path(get, path = "/api/v1/judgment-examples", tag = "裁判文书识别", security(("token" = [])), params(ExampleParams),
    responses((status = 200, body = Vec<Example>)))]
pub async fn examples(
    State(st): State<AppState>,
    a: Auth,
    Query(q): Query<ExampleParams>,
) -> ApiResult<Json<Vec<Example>>> {
    let rows = st
        .store
        .labelled_examples(&a.0, q.corrected.unwrap_or(false))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (reading, hash) in rows {
        let bytes = st.blobs.get(&hash).await.map_err(StoreError::from)?;
        let text = if reading.document_name.to_lowercase().ends_with(".docx") {
            huajie_office::text::docx_text(&bytes)
        } else {
            huajie_office::text::decode_text(&bytes)
        }
        .unwrap_or_default();
        out.push(Example { reading, text });
    }
    Ok(Json(out))
}
