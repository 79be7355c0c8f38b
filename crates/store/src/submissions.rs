//! Submit and review (报送—审核) on obligations: the owing unit (or the 司法局, for its own
//! obligations) submits what the rule requires; the 司法局 accepts — the obligation is met on
//! the submission date, never a typed or future one — or returns it with reasons, and the unit
//! submits again. Every version is kept; every step is an audit event of the proceeding.

use huajie_domain::notify::MessageKind;
use std::collections::{BTreeMap, HashMap};

use huajie_domain::FieldError;
use huajie_domain::access::{Actor, ProceedingScope};
use huajie_domain::deadline::EventInput;
use huajie_domain::document::DocumentKind;
use huajie_domain::obligation::{
    ReviewDraft, SubmissionDraft, SubmissionStatus, SubmitSpec, check_documents,
};
use huajie_domain::records::{Deadline, Document, LossReportLine, Obligation, Submission};
use huajie_domain::rules::Responsible;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::deadlines::{
    Owed, Planner, add_event_in, catalogue_on, deadline_on, deadline_subject, deadlines_where,
    due_soon_days, forbid, today,
};
use crate::documents::{DocumentInput, insert_document};
use crate::sql::{Params, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, parse_day, query};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

const COLS: &str = "s.id, s.deadline_id, s.proceeding_id, d.work_item_id, s.unit_id, s.seq, s.status, s.submitted_on, s.submitted_at, \
    s.submitted_by_name, s.fields, s.note, s.reviewed_by_name, s.reviewed_at, s.review_note, s.version, \
    d.name AS deadline_name, d.due_on, d.responsible, u.name AS unit_name, COALESCE(p.case_no, p.reference_no, w.title, '') AS case_label";

const FROM: &str = "submissions s JOIN deadlines d ON d.id = s.deadline_id \
    LEFT JOIN proceedings p ON p.id = s.proceeding_id LEFT JOIN work_items w ON w.id = d.work_item_id \
    LEFT JOIN units u ON u.id = s.unit_id";

fn submission_row(r: &AnyRow, documents: Vec<Document>) -> Result<Submission> {
    let status = get_enum(r, "status", SubmissionStatus::from_code)?;
    let responsible = get_enum(r, "responsible", Responsible::from_code)?;
    let fields: BTreeMap<String, String> =
        serde_json::from_str(&get_str(r, "fields")?).unwrap_or_default();
    Ok(Submission {
        id: get_i64(r, "id")?,
        deadline_id: get_i64(r, "deadline_id")?,
        deadline_name: get_str(r, "deadline_name")?,
        due_on: get_str(r, "due_on")?,
        proceeding_id: get_opt_i64(r, "proceeding_id")?,
        work_item_id: get_opt_i64(r, "work_item_id")?,
        case_label: get_str(r, "case_label")?,
        unit_id: get_opt_i64(r, "unit_id")?,
        owner_label: get_opt_str(r, "unit_name")?
            .unwrap_or_else(|| responsible.label().to_string()),
        seq: get_i64(r, "seq")?,
        status,
        status_label: status.label().to_string(),
        submitted_on: get_str(r, "submitted_on")?,
        submitted_at: get_str(r, "submitted_at")?,
        submitted_by_name: get_str(r, "submitted_by_name")?,
        fields,
        note: get_opt_str(r, "note")?,
        documents,
        reviewed_by_name: get_opt_str(r, "reviewed_by_name")?,
        reviewed_at: get_opt_str(r, "reviewed_at")?,
        review_note: get_opt_str(r, "review_note")?,
        version: get_i64(r, "version")?,
    })
}

/// Loads submissions matching `cond` (with its parameters), with their documents.
async fn load_submissions(
    conn: &mut AnyConnection,
    cond: &str,
    params: Params,
    order_limit: &str,
) -> Result<Vec<Submission>> {
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE {cond} {order_limit}");
    let rows = query(sql, params.args).fetch_all(&mut *conn).await?;
    let ids = rows
        .iter()
        .map(|r| get_i64(r, "id"))
        .collect::<Result<Vec<_>>>()?;
    let mut docs = crate::documents::documents_of_submissions(conn, &ids).await?;
    rows.iter()
        .zip(&ids)
        .map(|(r, id)| submission_row(r, docs.remove(id).unwrap_or_default()))
        .collect()
}

async fn submission_on(conn: &mut AnyConnection, id: i64) -> Result<Submission> {
    let mut p = Params::default();
    let cond = format!("s.id = {}", p.push(id));
    load_submissions(conn, &cond, p, "")
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The submit requirement of an obligation's rule in its jurisdiction's rule set.
async fn spec_of(conn: &mut AnyConnection, j: i64, rule_id: &str) -> Result<Option<SubmitSpec>> {
    Ok(catalogue_on(conn, j).await?.0.submit_spec(rule_id).cloned())
}

/// May `actor` submit for obligation `d`? The owing unit's staff for a unit's obligation; the
/// 司法局 coordinator for the bureau's own. Nobody submits for someone else.
fn check_submitter(actor: &Actor, d: &Deadline) -> Result<()> {
    if !actor.can_write_cases() {
        return Err(forbid("当前角色不能报送"));
    }
    match (d.unit_id, actor.proceeding_scope()) {
        (Some(u), ProceedingScope::Unit { unit_id, .. }) if u == unit_id => Ok(()),
        (Some(_), _) => Err(forbid(&format!(
            "该义务由{}承担，须由该单位报送",
            d.owner_label
        ))),
        (None, _) if d.responsible == Responsible::JusticeBureau && actor.can_administer() => {
            Ok(())
        }
        (None, _) => Err(forbid(&format!(
            "该期限由{}负责，不能由您报送",
            d.owner_label
        ))),
    }
}

impl Store {
    /// An obligation in the actor's scope with what it requires and every submission made.
    pub async fn obligation(&self, actor: &Actor, id: i64) -> Result<Obligation> {
        let mut conn = self.pool().acquire().await?;
        let (_, j) = deadline_subject(&mut conn, actor, id).await?;
        let soon = due_soon_days(&mut conn, j).await?;
        let deadline = deadline_on(&mut conn, id, soon).await?;
        let submit = spec_of(&mut conn, j, &deadline.rule_id).await?;
        let mut p = Params::default();
        let cond = format!("s.deadline_id = {}", p.push(id));
        let submissions = load_submissions(&mut conn, &cond, p, "ORDER BY s.seq DESC").await?;
        Ok(Obligation {
            submit_label: submit.as_ref().map(SubmitSpec::describe),
            submit,
            deadline,
            submissions,
        })
    }

    /// Submits for an obligation: documents already on the proceeding (`draft.document_ids`)
    /// and those uploaded with it (`uploads`, already in the document store), the fields, a
    /// note. Met at once when the rule asks for no review; otherwise it waits for the bureau.
    pub async fn submit(
        &self,
        actor: &Actor,
        deadline_id: i64,
        draft: &SubmissionDraft,
        uploads: &[DocumentInput],
    ) -> Result<Submission> {
        let version = draft
            .version
            .ok_or_else(|| StoreError::from(FieldError::required("version", "版本号")))?;
        let mut tx = self.write_tx().await?;
        let (owed, j) = deadline_subject(&mut tx, actor, deadline_id).await?;
        // Documents belong to a proceeding: the obligation's own, or the one its work item
        // concerns. A work item about no case takes fields and a note only.
        let doc_proceeding = match owed {
            Owed::Proceeding { id, .. } => Some(id),
            Owed::Work(w) => w.proceeding_id,
        };
        let soon = due_soon_days(&mut tx, j).await?;
        let d = deadline_on(&mut tx, deadline_id, soon).await?;
        check_submitter(actor, &d)?;
        let spec = spec_of(&mut tx, j, &d.rule_id).await?.ok_or_else(|| {
            StoreError::from(FieldError::new(
                "deadline",
                "no_submission",
                format!("“{}”不需要报送，直接标记完成即可", d.name),
            ))
        })?;
        if d.version != version {
            return Err(StoreError::Conflict {
                expected: version,
                current: d.version,
            });
        }
        if d.met_on.is_some() || d.waived_reason.is_some() {
            return Err(FieldError::new(
                "deadline",
                "obligation_closed",
                format!("“{}”已完成或已豁免，不能再报送", d.name),
            )
            .into());
        }
        if d.submission_state == Some(SubmissionStatus::Submitted) {
            return Err(FieldError::new(
                "deadline",
                "awaiting_review",
                "已报送，正在等待司法局审核；被退回后才能重新报送",
            )
            .into());
        }
        let input = draft.validate(&spec)?;
        // The documents: those named must be this proceeding's; uploads join them.
        let mut ids = input.document_ids.clone();
        let mut kinds: Vec<DocumentKind> = Vec::new();
        let pid = match doc_proceeding {
            Some(p) => p,
            None if ids.is_empty() && uploads.is_empty() => 0,
            None => {
                return Err(FieldError::new(
                    "document_ids",
                    "no_case_documents",
                    "该工作事项未关联案件，报送时不能附文书，请在报送内容和说明中填写",
                )
                .into());
            }
        };
        if !ids.is_empty() {
            let mut p = Params::default();
            let pp = p.push(pid);
            let list: Vec<String> = ids.iter().map(|i| p.push(*i)).collect();
            let rows = query(
                format!(
                    "SELECT id, kind FROM documents WHERE proceeding_id = {pp} AND id IN ({})",
                    list.join(", ")
                ),
                p.args,
            )
            .fetch_all(&mut *tx)
            .await?;
            if rows.len() != ids.len() {
                return Err(FieldError::new(
                    "document_ids",
                    "unknown_document",
                    "所选文书不属于本案件，请从本案件的文书中选择",
                )
                .into());
            }
            for r in &rows {
                kinds.push(get_enum(r, "kind", DocumentKind::from_code)?);
            }
        }
        for up in uploads {
            kinds.push(up.kind);
        }
        check_documents(&spec, &kinds)?;
        for up in uploads {
            ids.push(insert_document(&mut tx, actor, pid, up).await?.id);
        }
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM submissions WHERE deadline_id = $1",
        )
        .bind(deadline_id)
        .fetch_one(&mut *tx)
        .await?;
        let on = today();
        let now = crate::now();
        let status = if spec.review {
            SubmissionStatus::Submitted
        } else {
            SubmissionStatus::Accepted
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO submissions (deadline_id, proceeding_id, jurisdiction_id, unit_id, seq, status, submitted_on, submitted_at, \
             submitted_by, submitted_by_name, fields, note, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $8) RETURNING id",
        )
        .bind(deadline_id)
        .bind(doc_proceeding)
        .bind(j)
        .bind(d.unit_id)
        .bind(seq)
        .bind(status.code())
        .bind(on.to_string())
        .bind(now.clone())
        .bind(actor.user_id)
        .bind(crate::users::person_name(&mut tx, actor).await?)
        .bind(serde_json::to_string(&input.fields).expect("serialises"))
        .bind(input.note.clone())
        .fetch_one(&mut *tx)
        .await?;
        for doc in &ids {
            sqlx::query(
                "INSERT INTO submission_documents (submission_id, document_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*doc)
            .execute(&mut *tx)
            .await?;
        }
        let by: Author = actor.into();
        let created = submission_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &by,
            AuditAction::Submit,
            AuditEntity::Submission,
            id,
            d.proceeding_id,
            None::<&()>,
            Some(&created),
        )
        .await?;
        let planner = if spec.review {
            None
        } else {
            Some(Planner::load(&mut tx, j).await?)
        };
        if spec.review {
            crate::notify::submission_event(&mut tx, id, MessageKind::SubmissionToReview, None)
                .await?;
        }
        settle(
            &mut tx,
            &by,
            &d,
            status,
            (!spec.review).then_some(on),
            spec.on_accept.filter(|_| !spec.review),
            planner.as_ref(),
            (owed, j, soon),
            &created,
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The 司法局 accepts a submission: the obligation is met on the submission date; the
    /// rule's `on_accept` event is recorded on that date.
    pub async fn accept_submission(
        &self,
        actor: &Actor,
        id: i64,
        draft: &ReviewDraft,
    ) -> Result<Submission> {
        let remark = draft.validate_accept()?;
        self.review(actor, id, draft.version, SubmissionStatus::Accepted, remark)
            .await
    }

    /// The 司法局 returns a submission with its reasons; the clock keeps running and the unit
    /// submits again.
    pub async fn return_submission(
        &self,
        actor: &Actor,
        id: i64,
        draft: &ReviewDraft,
    ) -> Result<Submission> {
        let reason = draft.validate_return()?;
        self.review(
            actor,
            id,
            draft.version,
            SubmissionStatus::Returned,
            Some(reason),
        )
        .await
    }

    async fn review(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        to: SubmissionStatus,
        note: Option<String>,
    ) -> Result<Submission> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以审核报送"));
        }
        let version =
            version.ok_or_else(|| StoreError::from(FieldError::required("version", "版本号")))?;
        let mut tx = self.write_tx().await?;
        let before = submission_on(&mut tx, id).await?;
        let (owed, j) = deadline_subject(&mut tx, actor, before.deadline_id).await?;
        if before.version != version {
            return Err(StoreError::Conflict {
                expected: version,
                current: before.version,
            });
        }
        if before.status != SubmissionStatus::Submitted {
            return Err(FieldError::new(
                "status",
                "already_reviewed",
                format!("该报送已{}，不能再审核", before.status.label()),
            )
            .into());
        }
        let soon = due_soon_days(&mut tx, j).await?;
        let d = deadline_on(&mut tx, before.deadline_id, soon).await?;
        if to == SubmissionStatus::Accepted && d.waived_reason.is_some() {
            return Err(FieldError::new(
                "status",
                "obligation_closed",
                "该期限已豁免，无需审核通过",
            )
            .into());
        }
        sqlx::query(
            "UPDATE submissions SET status = $1, reviewed_by_name = $2, reviewed_at = $3, review_note = $4, \
             version = version + 1, updated_at = $3 WHERE id = $5",
        )
        .bind(to.code())
        .bind(crate::users::person_name(&mut tx, actor).await?)
        .bind(crate::now())
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = submission_on(&mut tx, id).await?;
        let by: Author = actor.into();
        audit::record(
            &mut tx,
            &by,
            if to == SubmissionStatus::Accepted {
                AuditAction::Accept
            } else {
                AuditAction::Return
            },
            AuditEntity::Submission,
            id,
            before.proceeding_id,
            Some(&before),
            Some(&after),
        )
        .await?;
        crate::notify::submission_event(
            &mut tx,
            id,
            if to == SubmissionStatus::Accepted {
                MessageKind::SubmissionAccepted
            } else {
                MessageKind::SubmissionReturned
            },
            after.review_note.as_deref(),
        )
        .await?;
        let (met_on, on_accept, planner) = if to == SubmissionStatus::Accepted {
            let spec = spec_of(&mut tx, j, &d.rule_id).await?;
            (
                Some(parse_day(&before.submitted_on)?),
                spec.and_then(|s| s.on_accept),
                Some(Planner::load(&mut tx, j).await?),
            )
        } else {
            (None, None, None)
        };
        settle(
            &mut tx,
            &by,
            &d,
            to,
            met_on,
            on_accept,
            planner.as_ref(),
            (owed, j, soon),
            &after,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// 凡败必报: every loss in the actor's jurisdiction (each losing unit of each proceeding,
    /// under the configured loss rule), newest first, with the state of its loss-report
    /// obligations (the rules with `when = "loss"`): one line per obligation, or one line
    /// "未生成" where none exists yet. For the 司法局, leaders and auditors.
    pub async fn loss_reports(&self, actor: &Actor) -> Result<Vec<LossReportLine>> {
        let j = crate::stats::stats_only(actor)?;
        let mut conn = self.pool().acquire().await?;
        let loss = crate::codes::loss_rule_on(&mut conn).await?;
        let catalogue = catalogue_on(&mut conn, j).await?.0;
        let loss_rules: Vec<String> = catalogue
            .rules
            .iter()
            .filter(|r| r.on_loss)
            .map(|r| r.id.clone())
            .collect();
        let rows = sqlx::query(
            "SELECT p.id, COALESCE(p.case_no, p.reference_no, '') AS case_label, pa.unit_id, u.name AS unit_name, o.code, o.decided_on \
             FROM outcomes o JOIN parties pa ON pa.id = o.party_id JOIN proceedings p ON p.id = o.proceeding_id \
             JOIN units u ON u.id = pa.unit_id WHERE p.jurisdiction_id = $1 ORDER BY o.decided_on DESC, p.id, pa.unit_id",
        )
        .bind(j)
        .fetch_all(&mut *conn)
        .await?;
        let soon = due_soon_days(&mut conn, j).await?;
        // Every loss-report obligation of the jurisdiction's units in one query.
        let mut by_loss: HashMap<(i64, i64), Vec<Deadline>> = HashMap::new();
        if !loss_rules.is_empty() {
            let mut p = Params::default();
            let jp = p.push(j);
            let list: Vec<String> = loss_rules.iter().map(|r| p.push(r.as_str())).collect();
            let cond = format!(
                "d.jurisdiction_id = {jp} AND d.unit_id IS NOT NULL AND d.rule_id IN ({})",
                list.join(", ")
            );
            for d in deadlines_where(&mut conn, &cond, p, soon).await? {
                if let (Some(u), Some(p), None) = (d.unit_id, d.proceeding_id, d.work_item_id) {
                    by_loss.entry((p, u)).or_default().push(d);
                }
            }
        }
        let mut out = Vec::new();
        for r in &rows {
            let Some(code) = get_opt_str(r, "code")?
                .as_deref()
                .and_then(huajie_domain::outcome::OutcomeCode::from_code)
            else {
                continue;
            };
            if !loss.is_loss(code) {
                continue;
            }
            let pid = get_i64(r, "id")?;
            let unit = get_i64(r, "unit_id")?;
            let base = LossReportLine {
                proceeding_id: pid,
                case_label: get_str(r, "case_label")?,
                unit_id: unit,
                unit_name: get_str(r, "unit_name")?,
                outcome: code,
                outcome_label: code.label().to_string(),
                decided_on: get_str(r, "decided_on")?,
                deadline_id: None,
                report_name: None,
                due_on: None,
                met_on: None,
                state: "missing".into(),
                state_label: "未生成（未登记裁判生效）".into(),
                submission_state: None,
                problem: true,
            };
            let Some(reports) = by_loss.get(&(pid, unit)) else {
                out.push(base);
                continue;
            };
            for d in reports {
                use huajie_domain::deadline::DeadlineState as D;
                out.push(LossReportLine {
                    deadline_id: Some(d.id),
                    report_name: Some(d.name.clone()),
                    due_on: Some(d.due_on.clone()),
                    met_on: d.met_on.clone(),
                    state: d.state.code().to_string(),
                    state_label: d.state_label.clone(),
                    submission_state: d.submission_state,
                    problem: matches!(d.state, D::Overdue | D::MetLate),
                    ..base.clone()
                });
            }
        }
        Ok(out)
    }

    /// Submissions in the actor's scope, newest first: the bureau's review queue (status
    /// `submitted`) or a unit's own.
    pub async fn list_submissions(
        &self,
        actor: &Actor,
        status: Option<SubmissionStatus>,
        limit: i64,
    ) -> Result<Vec<Submission>> {
        let mut conn = self.pool().acquire().await?;
        let mut p = Params::default();
        let mut conds = vec![format!(
            "s.jurisdiction_id = {}",
            p.push(actor.jurisdiction_id)
        )];
        if let ProceedingScope::Unit { unit_id, .. } = actor.proceeding_scope() {
            conds.push(format!("s.unit_id = {}", p.push(unit_id)));
        }
        if let Some(st) = status {
            conds.push(format!("s.status = {}", p.push(st.code())));
            if st == SubmissionStatus::Returned {
                // Only returns still to be answered: the obligation's latest submission was
                // returned and it is still open (every earlier version is kept as returned).
                conds.push("d.submission_state = 'returned' AND d.done = 0 AND s.seq = (SELECT MAX(s2.seq) FROM submissions s2 WHERE s2.deadline_id = s.deadline_id)".into());
            }
        }
        let lp = p.push(limit.clamp(1, 500));
        load_submissions(
            &mut conn,
            &conds.join(" AND "),
            p,
            &format!("ORDER BY s.id DESC LIMIT {lp}"),
        )
        .await
    }
}

/// Brings the obligation in line with its latest submission (inside the caller's transaction):
/// its `submission_state`, and when accepted the met date (the submission date) and the rule's
/// `on_accept` event.
#[allow(clippy::too_many_arguments)]
async fn settle(
    conn: &mut AnyConnection,
    by: &Author,
    d: &Deadline,
    state: SubmissionStatus,
    met_on: Option<jiff::civil::Date>,
    on_accept: Option<huajie_domain::rules::EventKind>,
    planner: Option<&Planner>,
    (owed, j, soon): (Owed, i64, i64),
    submission: &Submission,
) -> Result<()> {
    match met_on {
        Some(on) => {
            sqlx::query(
                "UPDATE deadlines SET submission_state = $1, met_on = $2, waived_reason = NULL, waived_by = NULL, done = 1, \
                 version = version + 1, updated_at = $3 WHERE id = $4",
            )
            .bind(state.code())
            .bind(on.to_string())
            .bind(crate::now())
            .bind(d.id)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "UPDATE deadlines SET submission_state = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(state.code())
            .bind(crate::now())
            .bind(d.id)
            .execute(&mut *conn)
            .await?;
        }
    }
    let after = deadline_on(conn, d.id, soon).await?;
    audit::record(
        conn,
        by,
        if met_on.is_some() {
            AuditAction::Met
        } else {
            AuditAction::Update
        },
        AuditEntity::Deadline,
        d.id,
        d.proceeding_id,
        Some(d),
        Some(&after),
    )
    .await?;
    if let (Some(event), Some(on), Some(planner)) = (on_accept, met_on, planner) {
        let input = EventInput {
            kind: event,
            occurred_on: on,
            note: Some(format!(
                "{}的“{}”第{}次报送已审核通过",
                submission.owner_label, d.name, submission.seq
            )),
        };
        match owed {
            Owed::Proceeding { id, kind } => {
                add_event_in(conn, by, planner, id, kind, j, &input).await?;
            }
            Owed::Work(w) => {
                let today = crate::deadlines::today();
                crate::work_items::add_work_event_in(conn, by, planner, &w, &input, today).await?;
            }
        }
    }
    Ok(())
}
