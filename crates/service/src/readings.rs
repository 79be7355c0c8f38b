//! Reading court documents into proceedings (裁判文书识别), for the API and the case page: the
//! upload (a .txt or .docx file, or the pasted text) is checked, its text taken and parsed
//! before anything is written; then the file, its document record and the reader's proposal
//! are stored together. The loss analysis report draft (败诉分析报告) is composed on request.
//! Every refusal is a field error on the form's own field (`file` or `text`), so these return
//! the store's error type, which pages place on the form and the API turns into a 422.

use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::document::{FileType, check_upload};
use huajie_domain::reading::{JudgmentReading, parse_judgment};
use huajie_store::blobs::Blobs;
use huajie_store::documents::DocumentInput;
use huajie_store::{Store, StoreError};

/// What the user sent: a file (name and bytes), or the pasted text.
#[derive(Debug, Clone, Default)]
pub struct ReadingUpload {
    pub filename: String,
    pub bytes: Vec<u8>,
    pub text: String,
}

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
    store: &Store,
    blobs: &Blobs,
    max_document_bytes: usize,
    actor: &Actor,
    proceeding_id: i64,
    up: ReadingUpload,
) -> Result<JudgmentReading, StoreError> {
    if !actor.can_write_cases() {
        return Err(StoreError::Forbidden(format!(
            "{}不能识别裁判文书",
            actor.role.label()
        )));
    }
    let proc = store.get_proceeding(actor, proceeding_id).await?;
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
        max_document_bytes,
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
    let content_hash = blobs.put(bytes).await?;
    store
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
    store: &Store,
    actor: &Actor,
    reading_id: i64,
    party_id: i64,
) -> Result<(String, Vec<u8>), StoreError> {
    let r = store.get_reading(actor, reading_id).await?;
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
    let proc = store.get_proceeding(actor, r.proceeding_id).await?;
    let deadlines = store.proceeding_deadlines(actor, proc.id).await?;
    let due_on = deadlines
        .iter()
        .find(|d| d.rule_id.ends_with("LOSS_REPORT") && d.parent_rule_id.is_none())
        .and_then(|d| d.due_on.parse().ok());
    let domain = store
        .codes(huajie_domain::codes::CodeList::Domain)
        .await?
        .into_iter()
        .find(|c| c.code == proc.domain)
        .map(|c| c.label)
        .unwrap_or_else(|| proc.domain.clone());
    let issuer = store.issuer(actor).await?;
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
    store
        .record_export(
            actor,
            huajie_domain::audit::AuditEntity::JudgmentReading,
            serde_json::json!({"reading": reading_id, "party": party_id, "document": doc.title}),
        )
        .await?;
    Ok((format!("{}.docx", doc.title), bytes))
}
