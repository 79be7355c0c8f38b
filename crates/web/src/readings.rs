//! Reading court documents into proceedings (裁判文书识别), for the API and the case page: the
//! upload (a .txt or .docx file, or the pasted text) is checked, its text taken and parsed
//! before anything is written; then the file, its document record and the reader's proposal
//! are stored together. The confirmation writes the outcomes; the loss analysis report draft
//! (败诉分析报告) is composed on request.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::reading::{ConfirmDraft, JudgmentReading};
use huajie_store::StoreError;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Auth;
use crate::documents::{Upload, not_multipart, read_upload};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Id};

pub use huajie_service::readings::{PASTED_NAME, document_text};

/// Reads an upload (file, or pasted `text`) into a proceeding (see
/// [`huajie_service::readings::read_into`]).
pub async fn read_into(
    st: &AppState,
    actor: &Actor,
    proceeding_id: i64,
    up: Upload,
) -> Result<JudgmentReading, StoreError> {
    huajie_service::readings::read_into(
        &st.store,
        &st.blobs,
        st.max_document_bytes,
        actor,
        proceeding_id,
        huajie_service::readings::ReadingUpload {
            filename: up.filename,
            bytes: up.bytes,
            text: up.text,
        },
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
    huajie_service::readings::loss_report(&st.store, actor, reading_id, party_id).await
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
#[into_params(parameter_in = Query)]
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
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<ReportParams>,
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
#[into_params(parameter_in = Query)]
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
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<ExampleParams>,
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
