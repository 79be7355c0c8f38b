//! 红黄蓝 risk warnings (migration 0021): sent on a pending proceeding by the court liaison
//! (预警函, litigation only), the bureau, or a clerk or head of a defendant unit for its own case;
//! assigned (交办) by the bureau to the responsible units with a 包案 leader — which opens a work
//! item of kind `risk_warning` through [`open_work_item_in`], so each unit owes the obligations
//! the catalogue gives it (disposal feedback, the risk analysis report within 10 days) and they
//! are listed with the case's deadlines; regraded and escalated with a reason; closed (销号)
//! with the result, which closes the work item. Every step is kept (`warning_steps`) and audited.

use huajie_domain::FieldError;
use huajie_domain::access::{Actor, ProceedingScope};
use huajie_domain::audit::{AuditAction, AuditEntity};
use huajie_domain::notify::MessageKind;
use huajie_domain::proceeding::ProceedingStatus;
use huajie_domain::records::{Deadline, WorkItemUnit};
use huajie_domain::subject::{SubjectKind, WorkItemInput, WorkStatus};
use huajie_domain::unit::HeadKind;
use huajie_domain::user::Role;
use huajie_domain::warning::{
    AssignInput, CloseWarningDraft, CloseWarningInput, Grade, Warning, WarningHistory,
    WarningInput, WarningResult, WarningSource, WarningState, WarningStep,
};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::deadlines::{due_soon_days, forbid, visible_proceeding};
use crate::notify::{BUREAU, Notice, To, notify_in};
use crate::sql::{Params, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, query};
use crate::work_items::{
    close_work_item_in, item_on, open_work_item_in, visible_work_item, work_item_obligations,
};
use crate::{Result, Store, StoreError};

/// Filters of the warnings list.
#[derive(Debug, Clone, Default)]
pub struct WarningQuery {
    pub grade: Option<Grade>,
    pub state: Option<WarningState>,
    pub unit_id: Option<i64>,
    pub proceeding_id: Option<i64>,
}

/// The most warnings one list returns.
pub const WARNING_LIMIT: i64 = 500;

const LEADERS: &[Role] = &[Role::Leader];

const COLS: &str = "wa.id, wa.proceeding_id, wa.grade, wa.reasons, wa.source, wa.issued_on, wa.letter_document_id, \
    wa.state, wa.work_item_id, wa.lead_head_id, wa.lead_label, wa.assigned_on, wa.result, wa.result_note, wa.closed_on, \
    wa.created_by_name, wa.version, wa.created_at, wa.updated_at, su.name AS source_unit_name, \
    COALESCE(p.case_no, p.reference_no) AS case_label, \
    (SELECT COUNT(*) FROM deadlines d WHERE d.work_item_id = wa.work_item_id AND d.done = 0) AS open_obligations, \
    (SELECT COUNT(*) FROM deadlines d WHERE d.work_item_id = wa.work_item_id AND d.done = 0 AND d.due_on < {today}) AS overdue_obligations";

const FROM: &str = "warnings wa JOIN proceedings p ON p.id = wa.proceeding_id JOIN units su ON su.id = wa.source_unit_id";

/// The SQL condition of the warnings an actor sees: the bureau's roles the jurisdiction's; the
/// court liaison what its court sent; a unit's staff the warnings on its own cases or assigned
/// to it.
fn scope(actor: &Actor, p: &mut Params) -> String {
    let j = p.push(actor.jurisdiction_id);
    match (actor.role, actor.proceeding_scope()) {
        (Role::CourtLiaison, _) | (_, ProceedingScope::Litigation(_)) => {
            format!(
                "wa.jurisdiction_id = {j} AND wa.source_unit_id = {}",
                p.push(actor.unit_id)
            )
        }
        (_, ProceedingScope::Jurisdiction(_)) => format!("wa.jurisdiction_id = {j}"),
        (_, ProceedingScope::Unit { unit_id, .. }) => {
            let u = p.push(unit_id);
            format!(
                "wa.jurisdiction_id = {j} AND (EXISTS (SELECT 1 FROM parties sp WHERE sp.proceeding_id = wa.proceeding_id AND sp.unit_id = {u}) \
                 OR EXISTS (SELECT 1 FROM work_item_units su2 WHERE su2.work_item_id = wa.work_item_id AND su2.unit_id = {u}))"
            )
        }
    }
}

fn warning_row(r: &AnyRow) -> Result<Warning> {
    let grade = get_enum(r, "grade", Grade::from_code)?;
    let source = get_enum(r, "source", WarningSource::from_code)?;
    let state = get_enum(r, "state", WarningState::from_code)?;
    let result = match get_opt_str(r, "result")? {
        Some(c) => Some(WarningResult::from_code(&c).ok_or_else(|| {
            StoreError::Db(sqlx::Error::Decode(format!("unknown result {c:?}").into()))
        })?),
        None => None,
    };
    let id = get_i64(r, "id")?;
    let proceeding_id = get_i64(r, "proceeding_id")?;
    Ok(Warning {
        id,
        proceeding_id,
        case_label: get_opt_str(r, "case_label")?.unwrap_or_else(|| format!("程序{proceeding_id}")),
        grade,
        grade_label: grade.label().into(),
        reasons: get_str(r, "reasons")?,
        source,
        source_label: source.label().into(),
        source_unit_name: get_str(r, "source_unit_name")?,
        issued_on: get_str(r, "issued_on")?,
        letter_document_id: get_opt_i64(r, "letter_document_id")?,
        state,
        state_label: state.label().into(),
        work_item_id: get_opt_i64(r, "work_item_id")?,
        units: Vec::new(),
        lead_head_id: get_opt_i64(r, "lead_head_id")?,
        lead_label: get_opt_str(r, "lead_label")?,
        assigned_on: get_opt_str(r, "assigned_on")?,
        result_label: result.map(|x| x.label().to_string()),
        result,
        result_note: get_opt_str(r, "result_note")?,
        closed_on: get_opt_str(r, "closed_on")?,
        open_obligations: get_i64(r, "open_obligations")?,
        overdue_obligations: get_i64(r, "overdue_obligations")?,
        created_by_name: get_str(r, "created_by_name")?,
        version: get_i64(r, "version")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

/// The warnings matching `cond` (on `wa`), with the units their work items are addressed to.
async fn warnings_where(
    conn: &mut AnyConnection,
    cond: &str,
    mut p: Params,
    today: jiff::civil::Date,
    limit: i64,
) -> Result<Vec<Warning>> {
    let t = p.push(today.to_string());
    let sql = format!(
        "SELECT {} FROM {FROM} WHERE {cond} \
         ORDER BY CASE wa.state WHEN 'closed' THEN 1 ELSE 0 END, \
         CASE wa.grade WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, wa.id DESC LIMIT {limit}",
        COLS.replace("{today}", &t)
    );
    let rows = query(sql, p.args).fetch_all(&mut *conn).await?;
    let mut out = rows.iter().map(warning_row).collect::<Result<Vec<_>>>()?;
    let items: Vec<String> = out
        .iter()
        .filter_map(|w| w.work_item_id)
        .map(|i| i.to_string())
        .collect();
    if !items.is_empty() {
        let sql = format!(
            "SELECT wu.work_item_id, wu.unit_id, u.name FROM work_item_units wu JOIN units u ON u.id = wu.unit_id \
             WHERE wu.work_item_id IN ({}) ORDER BY wu.unit_id",
            items.join(", ")
        );
        for r in query(sql, vec![]).fetch_all(&mut *conn).await? {
            let item = get_i64(&r, "work_item_id")?;
            for w in out.iter_mut().filter(|w| w.work_item_id == Some(item)) {
                w.units.push(WorkItemUnit {
                    unit_id: get_i64(&r, "unit_id")?,
                    unit_name: get_str(&r, "name")?,
                });
            }
        }
    }
    Ok(out)
}

/// One warning the actor can see (out of scope: not found).
async fn visible_warning(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    today: jiff::civil::Date,
) -> Result<Warning> {
    let mut p = Params::default();
    let idp = p.push(id);
    let cond = format!("wa.id = {idp} AND {}", scope(actor, &mut p));
    warnings_where(conn, &cond, p, today, 1)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

async fn add_step(
    conn: &mut AnyConnection,
    id: i64,
    step: WarningStep,
    grade: Grade,
    note: Option<&str>,
    by_name: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO warning_steps (warning_id, step, grade, note, by_name, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(step.code())
    .bind(grade.code())
    .bind(note.map(str::to_string))
    .bind(by_name.to_string())
    .bind(crate::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn check_version(w: &Warning, version: i64) -> Result<()> {
    if w.version != version {
        return Err(StoreError::Conflict {
            expected: version,
            current: w.version,
        });
    }
    Ok(())
}

fn not_closed(w: &Warning) -> Result<()> {
    if w.state == WarningState::Closed {
        return Err(FieldError::new(
            "state",
            "already_closed",
            format!("该预警已于{}销号", w.closed_on.clone().unwrap_or_default()),
        )
        .into());
    }
    Ok(())
}

fn short(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

impl Store {
    /// Sends a warning on a pending proceeding. The court liaison (预警函, a litigation case of
    /// the jurisdiction), the bureau, or a clerk or head of a defendant unit for its own case;
    /// the bureau is told.
    pub async fn create_warning(
        &self,
        actor: &Actor,
        proceeding_id: i64,
        input: &WarningInput,
    ) -> Result<Warning> {
        let source = match actor.role {
            Role::Coordinator => WarningSource::Bureau,
            Role::CourtLiaison => WarningSource::Court,
            Role::UnitClerk | Role::UnitHead => WarningSource::Unit,
            Role::Leader | Role::Auditor => {
                return Err(forbid(
                    "只有法院联络员、司法局协调员和涉案单位可以发出风险预警",
                ));
            }
        };
        let today = self.today();
        let mut tx = self.write_tx().await?;
        let (kind, j) = visible_proceeding(&mut tx, actor, proceeding_id).await?;
        if source == WarningSource::Court && !kind.is_litigation() {
            // The court's scope is litigation: a reconsideration file is not there for it.
            return Err(StoreError::NotFound);
        }
        if source == WarningSource::Unit {
            let own: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM parties WHERE proceeding_id = $1 AND unit_id = $2 AND role IN {}",
                crate::stats::DEFENDANT_ROLES
            )))
            .bind(proceeding_id)
            .bind(actor.unit_id)
            .fetch_one(&mut *tx)
            .await?;
            if own == 0 {
                return Err(forbid("单位只能对本单位作为被告的案件自报风险"));
            }
        }
        let status: String = sqlx::query_scalar("SELECT status FROM proceedings WHERE id = $1")
            .bind(proceeding_id)
            .fetch_one(&mut *tx)
            .await?;
        if status == ProceedingStatus::Concluded.code() {
            return Err(FieldError::new(
                "proceeding_id",
                "concluded",
                "案件已审结，不能再发出风险预警",
            )
            .into());
        }
        if let Some(d) = input.letter_document_id {
            let found: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM documents WHERE id = $1 AND proceeding_id = $2",
            )
            .bind(d)
            .bind(proceeding_id)
            .fetch_one(&mut *tx)
            .await?;
            if found == 0 {
                return Err(FieldError::new(
                    "letter_document_id",
                    "unknown_document",
                    format!("预警函（文书编号{d}）不是本案的文书"),
                )
                .into());
            }
        }
        let name = crate::users::person_name(&mut tx, actor).await?;
        let now = crate::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO warnings (jurisdiction_id, proceeding_id, grade, reasons, source, source_unit_id, issued_on, \
             letter_document_id, state, created_by, created_by_name, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'reported', $9, $10, 1, $11, $11) RETURNING id",
        )
        .bind(j)
        .bind(proceeding_id)
        .bind(input.grade.code())
        .bind(input.reasons.clone())
        .bind(source.code())
        .bind(actor.unit_id)
        .bind(input.issued_on.to_string())
        .bind(input.letter_document_id)
        .bind(actor.user_id)
        .bind(name.clone())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        add_step(
            &mut tx,
            id,
            WarningStep::Reported,
            input.grade,
            Some(&input.reasons),
            &name,
        )
        .await?;
        let w = visible_warning(&mut tx, actor, id, today).await?;
        let by: Author = actor.into();
        audit::record(
            &mut tx,
            &by,
            AuditAction::Create,
            AuditEntity::Warning,
            id,
            Some(proceeding_id),
            None::<&Warning>,
            Some(&w),
        )
        .await?;
        notify_in(
            &mut tx,
            crate::clock::now(),
            &Notice {
                jurisdiction_id: j,
                kind: MessageKind::WorkItem,
                key: format!("warning:{id}:reported"),
                title: format!("{}：{}", w.grade_label, w.case_label),
                body: format!(
                    "{}（{}）：{}。请交办责任单位。",
                    w.source_unit_name,
                    w.source_label,
                    short(&w.reasons, 120)
                ),
                link: Some(format!("/proceedings/{proceeding_id}")),
                proceeding_id: Some(proceeding_id),
                deadline_id: None,
                work_item_id: None,
            },
            &[To::Jurisdiction(j, BUREAU)],
        )
        .await?;
        tx.commit().await?;
        Ok(w)
    }

    /// 交办: the bureau assigns the warning to the responsible units with a 包案 leader (one of
    /// their heads; the 正职 for a red warning). Opens the warning's work item, whose opening
    /// event plans each unit's obligations. Returns the warning and those obligations.
    pub async fn assign_warning(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &AssignInput,
    ) -> Result<(Warning, Vec<Deadline>)> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以交办风险预警"));
        }
        let today = self.today();
        let mut tx = self.write_tx().await?;
        let before = visible_warning(&mut tx, actor, id, today).await?;
        check_version(&before, version)?;
        not_closed(&before)?;
        if let Some(on) = &before.assigned_on {
            return Err(FieldError::new(
                "state",
                "already_assigned",
                format!("该预警已于{on}交办"),
            )
            .into());
        }
        if input.assigned_on.to_string() < before.issued_on {
            return Err(FieldError::new(
                "assigned_on",
                "before_issued",
                format!("交办日期早于预警日期（{}）", before.issued_on),
            )
            .into());
        }
        let head = sqlx::query("SELECT unit_id, name, post, kind FROM unit_heads WHERE id = $1")
            .bind(input.lead_head_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (head_unit, head_label, head_kind) = match &head {
            Some(h) => {
                let kind = get_enum(h, "kind", HeadKind::from_code)?;
                (
                    get_i64(h, "unit_id")?,
                    format!(
                        "{}（{}，{}）",
                        get_str(h, "name")?,
                        get_str(h, "post")?,
                        kind.label()
                    ),
                    kind,
                )
            }
            None => (0, String::new(), HeadKind::Deputy),
        };
        if !input.unit_ids.contains(&head_unit) {
            return Err(FieldError::new(
                "lead_head_id",
                "unknown_head",
                "包案领导应为责任单位在单位管理中登记的负责人",
            )
            .into());
        }
        if before.grade == Grade::Red && head_kind != HeadKind::Principal {
            return Err(FieldError::new(
                "lead_head_id",
                "not_principal",
                format!("红色预警应由责任单位主要负责人（正职）包案，{head_label}不是正职"),
            )
            .into());
        }
        let item = WorkItemInput {
            kind: SubjectKind::RiskWarning,
            title: format!("{}：{}", before.grade_label, before.case_label),
            proceeding_id: Some(before.proceeding_id),
            unit_ids: input.unit_ids.clone(),
            opened_on: input.assigned_on,
            note: input.note.clone(),
        };
        let item_id = open_work_item_in(&mut tx, actor, &item, today).await?;
        sqlx::query(
            "UPDATE warnings SET state = 'assigned', work_item_id = $1, lead_head_id = $2, lead_label = $3, assigned_on = $4, \
             version = version + 1, updated_at = $5 WHERE id = $6",
        )
        .bind(item_id)
        .bind(input.lead_head_id)
        .bind(head_label.clone())
        .bind(input.assigned_on.to_string())
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let name = crate::users::person_name(&mut tx, actor).await?;
        let after = visible_warning(&mut tx, actor, id, today).await?;
        let units: Vec<String> = after.units.iter().map(|u| u.unit_name.clone()).collect();
        let note = match &input.note {
            Some(n) => format!("交办{}，包案领导{head_label}；{n}", units.join("、")),
            None => format!("交办{}，包案领导{head_label}", units.join("、")),
        };
        add_step(
            &mut tx,
            id,
            WarningStep::Assigned,
            after.grade,
            Some(&note),
            &name,
        )
        .await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::Warning,
            id,
            Some(after.proceeding_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        let soon = due_soon_days(&mut tx, actor.jurisdiction_id).await?;
        let obligations = work_item_obligations(&mut tx, item_id, soon).await?;
        tx.commit().await?;
        Ok((after, obligations))
    }

    /// Regrades (调整等级, `grade` given) or escalates to the county 协调小组 (提请协调小组,
    /// leaders are told) with the reason. The bureau only.
    pub async fn warning_step(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        grade: Option<Grade>,
        reason: &str,
    ) -> Result<Warning> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以调整或升级风险预警"));
        }
        let today = self.today();
        let mut tx = self.write_tx().await?;
        let before = visible_warning(&mut tx, actor, id, today).await?;
        check_version(&before, version)?;
        not_closed(&before)?;
        let (step, grade) = match grade {
            Some(g) if g == before.grade => {
                return Err(FieldError::new(
                    "grade",
                    "unchanged",
                    format!("预警已是{}", g.label()),
                )
                .into());
            }
            Some(g) => (WarningStep::Regraded, g),
            None if before.state == WarningState::Escalated => {
                return Err(
                    FieldError::new("state", "already_escalated", "该预警已提请协调小组").into(),
                );
            }
            None => (WarningStep::Escalated, before.grade),
        };
        let state = if step == WarningStep::Escalated {
            WarningState::Escalated
        } else {
            before.state
        };
        sqlx::query(
            "UPDATE warnings SET grade = $1, state = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(grade.code())
        .bind(state.code())
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let name = crate::users::person_name(&mut tx, actor).await?;
        let note = match step {
            WarningStep::Regraded => {
                format!("{} → {}：{reason}", before.grade.label(), grade.label())
            }
            _ => reason.to_string(),
        };
        add_step(&mut tx, id, step, grade, Some(&note), &name).await?;
        let after = visible_warning(&mut tx, actor, id, today).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Update,
            AuditEntity::Warning,
            id,
            Some(after.proceeding_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        if step == WarningStep::Escalated {
            notify_in(
                &mut tx,
                crate::clock::now(),
                &Notice {
                    jurisdiction_id: actor.jurisdiction_id,
                    kind: MessageKind::WorkItem,
                    key: format!("warning:{id}:escalated"),
                    title: format!(
                        "提请协调小组：{}（{}）",
                        after.case_label, after.grade_label
                    ),
                    body: format!("司法局提请县行政争议协调小组研究：{reason}"),
                    link: Some(format!("/proceedings/{}", after.proceeding_id)),
                    proceeding_id: Some(after.proceeding_id),
                    deadline_id: None,
                    work_item_id: after.work_item_id,
                },
                &[To::Jurisdiction(actor.jurisdiction_id, LEADERS)],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Closes a warning (销号) with its result; the work item closes with it (obligations
    /// falling due after the day are no longer owed). The bureau only.
    pub async fn close_warning(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &CloseWarningInput,
    ) -> Result<Warning> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以为风险预警销号"));
        }
        let today = self.today();
        let mut tx = self.write_tx().await?;
        let before = visible_warning(&mut tx, actor, id, today).await?;
        check_version(&before, version)?;
        not_closed(&before)?;
        let first = before
            .assigned_on
            .clone()
            .unwrap_or(before.issued_on.clone());
        if input.closed_on.to_string() < first {
            return Err(FieldError::new(
                "closed_on",
                "before_opened",
                format!("销号日期早于{first}"),
            )
            .into());
        }
        let reason = CloseWarningDraft::reason(input);
        if let Some(item) = before.work_item_id {
            let row = visible_work_item(&mut tx, actor, item).await?;
            let open = item_on(&mut tx, item, today).await?;
            if open.status == WorkStatus::Open {
                close_work_item_in(
                    &mut tx,
                    actor,
                    row,
                    &open,
                    input.closed_on,
                    reason.clone(),
                    today,
                )
                .await?;
            }
        }
        sqlx::query(
            "UPDATE warnings SET state = 'closed', result = $1, result_note = $2, closed_on = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(input.result.code())
        .bind(input.note.clone())
        .bind(input.closed_on.to_string())
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let name = crate::users::person_name(&mut tx, actor).await?;
        add_step(
            &mut tx,
            id,
            WarningStep::Closed,
            before.grade,
            Some(&reason),
            &name,
        )
        .await?;
        let after = visible_warning(&mut tx, actor, id, today).await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Close,
            AuditEntity::Warning,
            id,
            Some(after.proceeding_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The warnings the actor sees: open first, red before yellow before blue, newest first
    /// (at most [`WARNING_LIMIT`]).
    pub async fn list_warnings(&self, actor: &Actor, q: &WarningQuery) -> Result<Vec<Warning>> {
        let mut conn = self.pool().acquire().await?;
        let mut p = Params::default();
        let mut conds = vec![scope(actor, &mut p)];
        if let Some(g) = q.grade {
            conds.push(format!("wa.grade = {}", p.push(g.code())));
        }
        if let Some(s) = q.state {
            conds.push(format!("wa.state = {}", p.push(s.code())));
        }
        if let Some(u) = q.unit_id {
            conds.push(format!(
                "EXISTS (SELECT 1 FROM work_item_units fu WHERE fu.work_item_id = wa.work_item_id AND fu.unit_id = {})",
                p.push(u)
            ));
        }
        if let Some(pid) = q.proceeding_id {
            conds.push(format!("wa.proceeding_id = {}", p.push(pid)));
        }
        warnings_where(
            &mut conn,
            &conds.join(" AND "),
            p,
            self.today(),
            WARNING_LIMIT,
        )
        .await
    }

    /// The warnings' figures for a period (the bureau, leaders and auditors): warned cases,
    /// resolved before judgment, loss rate of warned against unwarned litigation.
    pub async fn warning_stats(
        &self,
        actor: &Actor,
        period: &huajie_domain::stats::Period,
        today: jiff::civil::Date,
    ) -> Result<huajie_domain::warning::WarningStats> {
        let j = crate::stats::stats_only(actor)?;
        let loss = self.loss_rule().await?;
        let facts = self.stat_facts(j, &[*period], today).await?;
        let rows = sqlx::query(
            "SELECT proceeding_id, grade, result, issued_on FROM warnings WHERE jurisdiction_id = $1 ORDER BY id",
        )
        .bind(j)
        .fetch_all(self.pool())
        .await?;
        let mut ever = std::collections::BTreeSet::new();
        let mut issued = Vec::new();
        for r in &rows {
            let pid = get_i64(r, "proceeding_id")?;
            ever.insert(pid);
            let on = crate::sql::parse_day(&get_str(r, "issued_on")?)?;
            if period.contains(on) {
                issued.push(huajie_domain::warning::IssuedWarning {
                    proceeding_id: pid,
                    grade: get_enum(r, "grade", Grade::from_code)?,
                    result: get_opt_str(r, "result")?
                        .as_deref()
                        .and_then(WarningResult::from_code),
                });
            }
        }
        Ok(huajie_domain::warning::warning_stats(
            period.label(),
            &facts,
            &loss,
            period,
            &issued,
            &ever,
        ))
    }

    /// One warning with its history and its units' obligations.
    pub async fn warning(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(Warning, Vec<WarningHistory>, Vec<Deadline>)> {
        let mut conn = self.pool().acquire().await?;
        let w = visible_warning(&mut conn, actor, id, self.today()).await?;
        let rows = sqlx::query(
            "SELECT step, grade, note, by_name, at FROM warning_steps WHERE warning_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let history = rows
            .iter()
            .map(|r| {
                let step = get_enum(r, "step", WarningStep::from_code)?;
                Ok(WarningHistory {
                    step,
                    step_label: step.label().into(),
                    grade: get_enum(r, "grade", Grade::from_code)?,
                    note: get_opt_str(r, "note")?,
                    by_name: get_str(r, "by_name")?,
                    at: get_str(r, "at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let obligations = match w.work_item_id {
            Some(item) => {
                // The scope keeps warnings to the actor's jurisdiction.
                let soon = due_soon_days(&mut conn, actor.jurisdiction_id).await?;
                work_item_obligations(&mut conn, item, soon).await?
            }
            None => Vec::new(),
        };
        Ok((w, history, obligations))
    }
}
