//! Correction requests (更正申请): a unit cannot change an outcome the 司法局 recorded or a court
//! document confirmed; it asks, with a reason and a document, and the bureau approves (the
//! outcome changes, the reason kept in its history, the loss-only obligations re-synced) or
//! refuses with its reason. Until then statistics and the assessment read the outcome as it is.

use huajie_domain::FieldError;
use huajie_domain::access::{Actor, ProceedingScope};
use huajie_domain::outcome::{
    CorrectionDraft, CorrectionStatus, DecisionDraft, Ground, OutcomeCode,
};
use huajie_domain::records::CorrectionRequest;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::deadlines::forbid;
use crate::sql::{Params, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, query};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

const COLS: &str = "c.id, c.proceeding_id, c.outcome_id, c.unit_id, c.before_code, c.before_decided_on, c.code, c.decided_on, \
    c.grounds, c.note, c.reason, c.document_id, c.status, c.requested_by_name, c.requested_at, c.decided_by_name, c.decided_at, \
    c.decision_note, c.version, u.name AS unit_name, d.filename, COALESCE(p.case_no, p.reference_no, '') AS case_label";

const FROM: &str = "correction_requests c JOIN proceedings p ON p.id = c.proceeding_id \
    JOIN documents d ON d.id = c.document_id LEFT JOIN units u ON u.id = c.unit_id";

fn request_row(r: &AnyRow) -> Result<CorrectionRequest> {
    let before = get_enum(r, "before_code", OutcomeCode::from_code)?;
    let code = get_enum(r, "code", OutcomeCode::from_code)?;
    let status = get_enum(r, "status", CorrectionStatus::from_code)?;
    Ok(CorrectionRequest {
        id: get_i64(r, "id")?,
        proceeding_id: get_i64(r, "proceeding_id")?,
        case_label: get_str(r, "case_label")?,
        outcome_id: get_i64(r, "outcome_id")?,
        unit_id: get_opt_i64(r, "unit_id")?,
        unit_name: get_opt_str(r, "unit_name")?.unwrap_or_default(),
        before_code: before,
        before_label: before.label().to_string(),
        before_decided_on: get_str(r, "before_decided_on")?,
        code,
        code_label: code.label().to_string(),
        decided_on: get_str(r, "decided_on")?,
        grounds: get_str(r, "grounds")?
            .split(',')
            .filter_map(Ground::from_code)
            .collect(),
        note: get_opt_str(r, "note")?,
        reason: get_str(r, "reason")?,
        document_id: get_i64(r, "document_id")?,
        document_name: get_str(r, "filename")?,
        status,
        status_label: status.label().to_string(),
        requested_by_name: get_str(r, "requested_by_name")?,
        requested_at: get_str(r, "requested_at")?,
        decided_by_name: get_opt_str(r, "decided_by_name")?,
        decided_at: get_opt_str(r, "decided_at")?,
        decision_note: get_opt_str(r, "decision_note")?,
        version: get_i64(r, "version")?,
    })
}

async fn request_on(conn: &mut AnyConnection, id: i64) -> Result<CorrectionRequest> {
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE c.id = $1");
    let row = query(sql, vec![id.into()])
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    request_row(&row)
}

impl Store {
    /// A unit asks to correct the outcome of its own party (one that the 司法局 recorded or a
    /// court document confirmed); one open request per outcome.
    pub async fn request_correction(
        &self,
        actor: &Actor,
        outcome_id: i64,
        draft: &CorrectionDraft,
    ) -> Result<CorrectionRequest> {
        let ProceedingScope::Unit { unit_id, .. } = actor.proceeding_scope() else {
            return Err(forbid("司法局可直接修改结果；更正申请由被诉单位提出"));
        };
        if !actor.can_write_cases() {
            return Err(forbid("当前角色不能提出更正申请"));
        }
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT o.proceeding_id, o.party_id, o.code, o.decided_on, o.source, o.version, pa.unit_id \
             FROM outcomes o JOIN parties pa ON pa.id = o.party_id WHERE o.id = $1",
        )
        .bind(outcome_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let pid = get_i64(&row, "proceeding_id")?;
        let proc = crate::cases::load(&mut tx, actor, pid, &rule).await?;
        if get_opt_i64(&row, "unit_id")? != Some(unit_id) {
            return Err(forbid("只能对本单位的结果提出更正申请"));
        }
        if get_str(&row, "source")? == "unit" {
            return Err(FieldError::new(
                "outcome",
                "change_directly",
                "该结果由本单位登记，可直接修改，无需申请",
            )
            .into());
        }
        let input = draft.validate(proc.kind, get_i64(&row, "party_id")?)?;
        let current = get_i64(&row, "version")?;
        if input.version != current {
            return Err(StoreError::Conflict {
                expected: input.version,
                current,
            });
        }
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM correction_requests WHERE outcome_id = $1 AND status = 'pending'",
        )
        .bind(outcome_id)
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(FieldError::new(
                "outcome",
                "request_pending",
                "该结果已有待审批的更正申请，请等待司法局处理",
            )
            .into());
        }
        let doc: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM documents WHERE id = $1 AND proceeding_id = $2",
        )
        .bind(input.document_id)
        .bind(pid)
        .fetch_one(&mut *tx)
        .await?;
        if doc == 0 {
            return Err(FieldError::new(
                "document_id",
                "unknown_document",
                "所附文书不属于本案件，请先上传到本案件",
            )
            .into());
        }
        let now = crate::now();
        let grounds: Vec<&str> = input.outcome.grounds.iter().map(|g| g.code()).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO correction_requests (proceeding_id, jurisdiction_id, outcome_id, unit_id, before_code, before_decided_on, \
             code, decided_on, grounds, note, reason, document_id, status, requested_by, requested_by_name, requested_at, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $14, $15, 1, $15) RETURNING id",
        )
        .bind(pid)
        .bind(actor.jurisdiction_id)
        .bind(outcome_id)
        .bind(unit_id)
        .bind(get_str(&row, "code")?)
        .bind(get_str(&row, "decided_on")?)
        .bind(input.outcome.code.code())
        .bind(input.outcome.decided_on.to_string())
        .bind(grounds.join(","))
        .bind(input.outcome.note.clone())
        .bind(input.reason.clone())
        .bind(input.document_id)
        .bind(actor.user_id)
        .bind(crate::users::person_name(&mut tx, actor).await?)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let created = request_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Request,
            AuditEntity::CorrectionRequest,
            id,
            Some(pid),
            None::<&()>,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The 司法局 approves a correction request: the outcome becomes the one asked for (its
    /// history says why) and the loss-only obligations follow.
    pub async fn approve_correction(
        &self,
        actor: &Actor,
        id: i64,
        draft: &DecisionDraft,
    ) -> Result<CorrectionRequest> {
        self.decide(actor, id, draft, CorrectionStatus::Approved)
            .await
    }

    /// The 司法局 refuses a correction request, with its reason; the outcome stays.
    pub async fn refuse_correction(
        &self,
        actor: &Actor,
        id: i64,
        draft: &DecisionDraft,
    ) -> Result<CorrectionRequest> {
        self.decide(actor, id, draft, CorrectionStatus::Refused)
            .await
    }

    async fn decide(
        &self,
        actor: &Actor,
        id: i64,
        draft: &DecisionDraft,
        to: CorrectionStatus,
    ) -> Result<CorrectionRequest> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以审批更正申请"));
        }
        let note = huajie_domain::error::optional_multiline(
            "reason",
            "审批意见",
            draft.reason.as_deref().unwrap_or(""),
            2000,
        )?;
        if to == CorrectionStatus::Refused && note.is_none() {
            return Err(FieldError::required("reason", "驳回理由").into());
        }
        let version = draft
            .version
            .ok_or_else(|| StoreError::from(FieldError::required("version", "版本号")))?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let before = request_on(&mut tx, id).await?;
        let proc = crate::cases::load(&mut tx, actor, before.proceeding_id, &rule).await?;
        if before.version != version {
            return Err(StoreError::Conflict {
                expected: version,
                current: before.version,
            });
        }
        if before.status != CorrectionStatus::Pending {
            return Err(FieldError::new(
                "status",
                "already_decided",
                format!("该更正申请已{}", before.status.label()),
            )
            .into());
        }
        let by: Author = actor.into();
        let now = crate::now();
        sqlx::query(
            "UPDATE correction_requests SET status = $1, decided_by_name = $2, decided_at = $3, decision_note = $4, \
             version = version + 1, updated_at = $3 WHERE id = $5",
        )
        .bind(to.code())
        .bind(crate::users::person_name(&mut tx, actor).await?)
        .bind(now)
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = request_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &by,
            if to == CorrectionStatus::Approved {
                AuditAction::Approve
            } else {
                AuditAction::Refuse
            },
            AuditEntity::CorrectionRequest,
            id,
            Some(before.proceeding_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        if to == CorrectionStatus::Approved {
            let outcome = proc
                .outcomes
                .iter()
                .find(|o| o.id == before.outcome_id)
                .ok_or(StoreError::NotFound)?;
            let input = huajie_domain::outcome::OutcomeInput {
                party_id: outcome.party_id,
                code: before.code,
                decided_on: before.decided_on.parse().map_err(|_| {
                    StoreError::from(FieldError::new("decided_on", "invalid_date", "日期无效"))
                })?,
                grounds: before.grounds.clone(),
                note: Some(format!(
                    "依更正申请（第{}号，{}）更正：{}",
                    before.id, before.unit_name, before.reason
                )),
            };
            // The outcome keeps its source: it is still the bureau's record, now corrected.
            crate::cases::write_outcome(&mut tx, &by, &proc, &input, &rule, outcome.source).await?;
            crate::deadlines::resync_loss_deadlines(&mut tx, &by, before.proceeding_id).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Correction requests in the actor's scope, newest first: the bureau's queue, a unit's own.
    pub async fn list_corrections(
        &self,
        actor: &Actor,
        status: Option<CorrectionStatus>,
        proceeding_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<CorrectionRequest>> {
        let mut p = Params::default();
        let mut conds = vec![format!(
            "c.jurisdiction_id = {}",
            p.push(actor.jurisdiction_id)
        )];
        if let ProceedingScope::Unit { unit_id, .. } = actor.proceeding_scope() {
            conds.push(format!("c.unit_id = {}", p.push(unit_id)));
        }
        if let Some(s) = status {
            conds.push(format!("c.status = {}", p.push(s.code())));
        }
        if let Some(pid) = proceeding_id {
            conds.push(format!("c.proceeding_id = {}", p.push(pid)));
        }
        let lp = p.push(limit.clamp(1, 500));
        let sql = format!(
            "SELECT {COLS} FROM {FROM} WHERE {} ORDER BY c.id DESC LIMIT {lp}",
            conds.join(" AND ")
        );
        let rows = query(sql, p.args).fetch_all(self.pool()).await?;
        rows.iter().map(request_row).collect()
    }
}
