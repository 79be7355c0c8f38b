//! Documents attached to proceedings: their records (the bytes are in [`crate::blobs`]),
//! scoped like the proceeding, with every upload and download in the audit log.

use huajie_domain::access::Actor;
use huajie_domain::document::{DocumentKind, FileType};
use huajie_domain::records::Document;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::sql::{get_enum, get_i64, get_str};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

/// A checked upload, already stored on disk under `content_hash`.
#[derive(Debug, Clone)]
pub struct DocumentInput {
    pub kind: DocumentKind,
    pub filename: String,
    pub file_type: FileType,
    pub size: i64,
    pub content_hash: String,
}

const COLS: &str = "id, proceeding_id, kind, filename, media_type, size, content_hash, uploaded_by_name, created_at";

fn document(r: &AnyRow) -> Result<Document> {
    let kind: DocumentKind = get_enum(r, "kind", DocumentKind::from_code)?;
    Ok(Document {
        id: get_i64(r, "id")?,
        proceeding_id: get_i64(r, "proceeding_id")?,
        kind,
        kind_label: kind.label().to_string(),
        filename: get_str(r, "filename")?,
        media_type: get_str(r, "media_type")?,
        size: get_i64(r, "size")?,
        content_hash: get_str(r, "content_hash")?,
        uploaded_by_name: get_str(r, "uploaded_by_name")?,
        created_at: get_str(r, "created_at")?,
    })
}

impl Store {
    /// Attaches a document to a proceeding in the actor's scope (coordinators and unit clerks).
    pub async fn add_document(
        &self,
        actor: &Actor,
        proceeding_id: i64,
        input: &DocumentInput,
    ) -> Result<Document> {
        if !actor.can_write_cases() {
            return Err(StoreError::Forbidden(format!(
                "{}不能上传文书",
                actor.role.label()
            )));
        }
        self.proceeding_of(actor, "proceeding", proceeding_id)
            .await?;
        let mut tx = self.write_tx().await?;
        let doc = insert_document(&mut tx, actor, proceeding_id, input).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// The documents of a proceeding in the actor's scope, oldest first.
    pub async fn list_documents(&self, actor: &Actor, proceeding_id: i64) -> Result<Vec<Document>> {
        self.proceeding_of(actor, "proceeding", proceeding_id)
            .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM documents WHERE proceeding_id = $1 ORDER BY id"
        )))
        .bind(proceeding_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(document).collect()
    }

    /// A document the actor may see, with the download written to the audit log first (a
    /// download that cannot be logged does not happen).
    pub async fn document_for_download(&self, actor: &Actor, id: i64) -> Result<Document> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM documents WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let doc = document(&row)?;
        self.proceeding_of(actor, "proceeding", doc.proceeding_id)
            .await?;
        let mut conn = self.pool().acquire().await?;
        let note = serde_json::json!({"filename": doc.filename, "content_hash": doc.content_hash});
        audit::record(
            &mut conn,
            &Author::from(actor),
            AuditAction::Download,
            AuditEntity::Document,
            id,
            Some(doc.proceeding_id),
            None::<&()>,
            Some(&note),
        )
        .await?;
        Ok(doc)
    }
}

/// The documents of the given submissions (one query), oldest first, by submission id.
pub(crate) async fn documents_of_submissions(
    conn: &mut sqlx::AnyConnection,
    submission_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<Document>>> {
    let mut out: std::collections::HashMap<i64, Vec<Document>> = std::collections::HashMap::new();
    if submission_ids.is_empty() {
        return Ok(out);
    }
    let mut p = crate::sql::Params::default();
    let list: Vec<String> = submission_ids.iter().map(|i| p.push(*i)).collect();
    let cols: Vec<String> = COLS.split(", ").map(|c| format!("d.{c}")).collect();
    let rows = crate::sql::query(
        format!(
            "SELECT sd.submission_id, {} FROM documents d JOIN submission_documents sd ON sd.document_id = d.id \
             WHERE sd.submission_id IN ({}) ORDER BY d.id",
            cols.join(", "),
            list.join(", ")
        ),
        p.args,
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        out.entry(get_i64(r, "submission_id")?)
            .or_default()
            .push(document(r)?);
    }
    Ok(out)
}

/// Inserts a document record and its audit event inside the caller's transaction (the bytes
/// are already stored under `content_hash`).
pub(crate) async fn insert_document(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    proceeding_id: i64,
    input: &DocumentInput,
) -> Result<Document> {
    let id: i64 = sqlx::query_scalar(
            "INSERT INTO documents (proceeding_id, kind, filename, media_type, size, content_hash, uploaded_by, uploaded_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(proceeding_id)
        .bind(input.kind.code())
        .bind(input.filename.clone())
        .bind(input.file_type.media_type())
        .bind(input.size)
        .bind(input.content_hash.clone())
        .bind(actor.user_id)
        .bind(crate::users::person_name(&mut *conn, actor).await?)
        .bind(crate::now())
        .fetch_one(&mut *conn)
        .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM documents WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let doc = document(&row)?;
    audit::record(
        conn,
        &Author::from(actor),
        AuditAction::Create,
        AuditEntity::Document,
        id,
        Some(proceeding_id),
        None::<&()>,
        Some(&doc),
    )
    .await?;
    Ok(doc)
}
