//! Court documents read into proceedings (裁判文书识别, migration 0008): the document and the
//! reader's proposal stored together; the confirmation writes the outcomes, the 裁判生效 event
//! (which starts the loss analysis report deadline for a loss) and the labels in one
//! transaction. Confirmed readings are the labelled examples for the reader.

use huajie_domain::access::Actor;
use huajie_domain::reading::{
    ConfirmDraft, ConfirmInput, Defendant, Judgment, JudgmentReading, READER_VERSION,
    ReadingLabels, ReadingStatus, check_kind, labels, propose,
};
use huajie_domain::records::Proceeding;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::documents::{DocumentInput, insert_document};
use crate::sql::{Params, get_bool, get_enum, get_i64, get_opt_str, get_str, query, scope_clause};
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

const COLS: &str = "r.id, r.proceeding_id, r.document_id, d.filename, r.reader_version, r.proposal, r.status, r.labels, r.corrected, \
     r.created_by_name, r.created_at, r.confirmed_by_name, r.confirmed_at, r.version";
const FROM: &str = "judgment_readings r JOIN documents d ON d.id = r.document_id";

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Db(sqlx::Error::Decode(format!("reading JSON: {e}").into())))
}

fn reading(r: &AnyRow) -> Result<JudgmentReading> {
    let status = get_enum(r, "status", ReadingStatus::from_code)?;
    Ok(JudgmentReading {
        id: get_i64(r, "id")?,
        proceeding_id: get_i64(r, "proceeding_id")?,
        document_id: get_i64(r, "document_id")?,
        document_name: get_str(r, "filename")?,
        reader_version: get_str(r, "reader_version")?,
        status,
        status_label: status.label().to_string(),
        proposal: decode(&get_str(r, "proposal")?)?,
        labels: get_opt_str(r, "labels")?
            .map(|l| decode::<ReadingLabels>(&l))
            .transpose()?,
        corrected: get_bool(r, "corrected")?,
        created_by_name: get_str(r, "created_by_name")?,
        created_at: get_str(r, "created_at")?,
        confirmed_by_name: get_opt_str(r, "confirmed_by_name")?,
        confirmed_at: get_opt_str(r, "confirmed_at")?,
        version: get_i64(r, "version")?,
    })
}

async fn reading_on(conn: &mut AnyConnection, id: i64) -> Result<JudgmentReading> {
    let row = query(
        format!("SELECT {COLS} FROM {FROM} WHERE r.id = $1"),
        vec![id.into()],
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    reading(&row)
}

/// The defendants of a proceeding, as the reader matches them.
pub fn defendants(p: &Proceeding) -> Vec<Defendant> {
    p.parties
        .iter()
        .filter(|x| x.role.is_defendant_side())
        .map(|x| Defendant {
            party_id: x.id,
            name: x.name.clone(),
        })
        .collect()
}

/// Fills the proceeding's 裁判日期 and 生效日期 from a confirmation where they are empty (or
/// still what the previous confirmation of this reading put there) and fit the dates already
/// recorded: a date someone typed is never overwritten.
async fn fill_key_dates(
    conn: &mut AnyConnection,
    actor: &Actor,
    proc: &Proceeding,
    input: &ConfirmInput,
    previous: Option<&ReadingLabels>,
    rule: &huajie_domain::outcome::LossRule,
) -> Result<()> {
    let day = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
    };
    let prev_decided = previous.and_then(|l| l.outcomes.iter().map(|o| o.decided_on.clone()).max());
    let prev_effective = previous.and_then(|l| l.effective_on.clone());
    let ours = |current: &Option<String>, prev: &Option<String>| {
        current.is_none() || (prev.is_some() && current == prev)
    };
    let decided = input.outcomes.iter().map(|o| o.decided_on).max();
    let new_decided = match decided {
        Some(d)
            if ours(&proc.decided_on, &prev_decided)
                && day(&proc.filed_on).is_none_or(|f| f <= d) =>
        {
            Some(d)
        }
        _ => day(&proc.decided_on),
    };
    let floor = day(&proc.served_on).or(new_decided);
    let new_effective = match input.effective_on {
        Some(e) if ours(&proc.effective_on, &prev_effective) && floor.is_none_or(|f| f <= e) => {
            Some(e)
        }
        _ => day(&proc.effective_on),
    };
    if new_decided == day(&proc.decided_on) && new_effective == day(&proc.effective_on) {
        return Ok(());
    }
    sqlx::query(
        "UPDATE proceedings SET decided_on = $1, effective_on = $2, version = version + 1, updated_at = $3 WHERE id = $4",
    )
    .bind(new_decided.map(|d| d.to_string()))
    .bind(new_effective.map(|d| d.to_string()))
    .bind(crate::now())
    .bind(proc.id)
    .execute(&mut *conn)
    .await?;
    let after = crate::cases::load(conn, actor, proc.id, rule).await?;
    audit::record(
        conn,
        &Author::from(actor),
        AuditAction::Update,
        AuditEntity::Proceeding,
        proc.id,
        Some(proc.id),
        Some(proc),
        Some(&after),
    )
    .await
}

fn forbid_unless(ok: bool, what: &str, actor: &Actor) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(StoreError::Forbidden(format!(
            "{}不能{what}",
            actor.role.label()
        )))
    }
}

impl Store {
    /// Stores an uploaded court document (bytes already under `doc.content_hash`) and what the
    /// reader proposes from `judgment` for the proceeding, in one transaction.
    pub async fn add_reading(
        &self,
        actor: &Actor,
        proceeding_id: i64,
        doc: &DocumentInput,
        judgment: &Judgment,
    ) -> Result<JudgmentReading> {
        forbid_unless(actor.can_write_cases(), "识别裁判文书", actor)?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let proc = crate::cases::load(&mut tx, actor, proceeding_id, &rule).await?;
        check_kind(proc.kind)?;
        let proposal = propose(
            judgment,
            proc.kind,
            proc.case_no.as_deref(),
            &defendants(&proc),
        );
        let document = insert_document(&mut tx, actor, proceeding_id, doc).await?;
        let now = crate::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO judgment_readings (proceeding_id, document_id, reader_version, proposal, status, labels, corrected, \
             created_by, created_by_name, created_at, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, 0, $6, $7, $8, 1, $8) RETURNING id",
        )
        .bind(proceeding_id)
        .bind(document.id)
        .bind(READER_VERSION)
        .bind(serde_json::to_string(&proposal).expect("serialises"))
        .bind(ReadingStatus::Proposed.code())
        .bind(actor.user_id)
        .bind(crate::users::person_name(&mut tx, actor).await?)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let created = reading_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &Author::from(actor),
            AuditAction::Create,
            AuditEntity::JudgmentReading,
            id,
            Some(proceeding_id),
            None::<&()>,
            Some(&created),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// A reading the actor may see.
    pub async fn get_reading(&self, actor: &Actor, id: i64) -> Result<JudgmentReading> {
        let mut conn = self.pool().acquire().await?;
        let r = reading_on(&mut conn, id).await?;
        self.proceeding_of(actor, "proceeding", r.proceeding_id)
            .await?;
        Ok(r)
    }

    /// The readings of a proceeding, newest first.
    pub async fn list_readings(
        &self,
        actor: &Actor,
        proceeding_id: i64,
    ) -> Result<Vec<JudgmentReading>> {
        self.proceeding_of(actor, "proceeding", proceeding_id)
            .await?;
        let rows = query(
            format!("SELECT {COLS} FROM {FROM} WHERE r.proceeding_id = $1 ORDER BY r.id DESC"),
            vec![proceeding_id.into()],
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(reading).collect()
    }

    /// Confirms (or corrects) a reading: the outcome of every defendant, the date the judgment
    /// took effect, and the labels with what differs from the proposal — one transaction, with
    /// the loss deadlines brought in line. A confirmed reading may be confirmed again (a later
    /// correction); the version guards against two people confirming at once.
    pub async fn confirm_reading(
        &self,
        actor: &Actor,
        id: i64,
        draft: &ConfirmDraft,
    ) -> Result<JudgmentReading> {
        forbid_unless(actor.can_write_cases(), "确认裁判文书识别结果", actor)?;
        let rule = self.loss_rule().await?;
        let mut tx = self.write_tx().await?;
        let before = reading_on(&mut tx, id).await?;
        let proc = crate::cases::load(&mut tx, actor, before.proceeding_id, &rule).await?;
        let defendants = defendants(&proc);
        let input = &draft.validate(proc.kind, &defendants)?;
        if before.version != input.version {
            return Err(StoreError::Conflict {
                expected: input.version,
                current: before.version,
            });
        }
        let by = Author::from(actor);
        // A unit cannot overwrite, by confirming a reading, what the bureau recorded or a court
        // document confirmed: that is a correction request.
        for o in &input.outcomes {
            if let Some(before) = proc.outcomes.iter().find(|x| x.party_id == o.party_id)
                && (before.code != o.code || before.decided_on != o.decided_on.to_string())
            {
                crate::cases::check_outcome_change(actor, before)?;
            }
        }
        for o in &input.outcomes {
            crate::cases::write_outcome(
                &mut tx,
                &by,
                &proc,
                o,
                &rule,
                huajie_domain::outcome::OutcomeSource::Judgment,
            )
            .await?;
        }
        if let Some(on) = input.effective_on {
            crate::deadlines::record_effective(&mut tx, &by, proc.id, on).await?;
        }
        crate::deadlines::resync_loss_deadlines(&mut tx, &by, proc.id).await?;
        fill_key_dates(&mut tx, actor, &proc, input, before.labels.as_ref(), &rule).await?;
        let labels = labels(&before.proposal, input, &defendants, &rule);
        let now = crate::now();
        let n = sqlx::query(
            "UPDATE judgment_readings SET status = $1, labels = $2, corrected = $3, confirmed_by_name = $4, confirmed_at = $5, \
             version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
        )
        .bind(ReadingStatus::Confirmed.code())
        .bind(serde_json::to_string(&labels).expect("serialises"))
        .bind(!labels.corrections.is_empty() as i64)
        .bind(crate::users::person_name(&mut tx, actor).await?)
        .bind(now)
        .bind(id)
        .bind(input.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                expected: input.version,
                current: before.version,
            });
        }
        let after = reading_on(&mut tx, id).await?;
        audit::record(
            &mut tx,
            &by,
            AuditAction::Update,
            AuditEntity::JudgmentReading,
            id,
            Some(proc.id),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Confirmed readings of the actor's jurisdiction (the labelled examples), oldest first,
    /// with the hash of the document they were read from. Justice bureau roles only.
    pub async fn labelled_examples(
        &self,
        actor: &Actor,
        corrected_only: bool,
    ) -> Result<Vec<(JudgmentReading, String)>> {
        forbid_unless(actor.can_read_statistics(), "导出识别样本", actor)?;
        let mut params = Params::default();
        let status = params.push(ReadingStatus::Confirmed.code().to_string());
        let scope = scope_clause(actor.proceeding_scope(), &mut params);
        let extra = if corrected_only {
            " AND r.corrected = 1"
        } else {
            ""
        };
        let rows = query(
            format!(
                "SELECT {COLS}, d.content_hash FROM {FROM} JOIN proceedings p ON p.id = r.proceeding_id \
                 WHERE r.status = {status}{extra} AND {scope} ORDER BY r.id"
            ),
            params.args,
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((reading(r)?, get_str(r, "content_hash")?)))
            .collect()
    }
}
