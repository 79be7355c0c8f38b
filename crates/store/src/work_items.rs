//! Work items (工作事项, migration 0015): risk warnings, supervision orders, suggestions and
//! accountability cases — subjects besides proceedings that events and obligations attach to.
//! A work item is addressed to units (`work_item_units`); its opening event (交办 / 下达) starts
//! the obligations the rule catalogue gives its kind, one per addressed unit, through the same
//! planner, obligation rows, submissions and review as a proceeding's. Repeating obligations
//! (督办 progress every half month) are planned up to today by [`advance`], which the clock
//! worker calls, and end with 销号 ([`Store::close_work_item`]).

use huajie_domain::access::{Actor, ProceedingScope};
use huajie_domain::audit::{AuditAction, AuditEntity};
use huajie_domain::deadline::{EventInput, Horizon};
use huajie_domain::records::{Deadline, Event, Recomputed, WorkItem, WorkItemUnit};
use huajie_domain::rules::EventKind;
use huajie_domain::subject::{SubjectKind, WorkItemInput, WorkStatus};
use jiff::civil::Date;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::deadlines::{
    Planner, Sub, deadlines_where, due_soon_days, event_rows, forbid, sync_event,
    visible_proceeding,
};
use crate::sql::{Params, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, parse_day, query};
use crate::{Result, Store, StoreError};

/// What the planner needs of a work item.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkRow {
    pub(crate) id: i64,
    pub(crate) kind: SubjectKind,
    pub(crate) jurisdiction_id: i64,
    pub(crate) proceeding_id: Option<i64>,
    pub(crate) closed_on: Option<Date>,
}

impl WorkRow {
    pub(crate) fn sub(&self) -> Sub {
        Sub {
            proceeding_id: None,
            work_item_id: Some(self.id),
            audit_proceeding: self.proceeding_id,
        }
    }
}

fn work_row(r: &AnyRow) -> Result<WorkRow> {
    Ok(WorkRow {
        id: get_i64(r, "id")?,
        kind: get_enum(r, "kind", SubjectKind::from_code)?,
        jurisdiction_id: get_i64(r, "jurisdiction_id")?,
        proceeding_id: get_opt_i64(r, "proceeding_id")?,
        closed_on: get_opt_str(r, "closed_on")?
            .as_deref()
            .map(parse_day)
            .transpose()?,
    })
}

/// The SQL condition (on a work item aliased `w`) of the actor's scope: the jurisdiction for
/// the bureau's roles, the items addressed to the unit for a unit's staff.
pub(crate) fn work_scope(actor: &Actor, params: &mut Params) -> String {
    match actor.proceeding_scope() {
        ProceedingScope::Jurisdiction(j) => format!("w.jurisdiction_id = {}", params.push(j)),
        // Work items are the bureau's and the units' internal work, not the court's.
        ProceedingScope::Litigation(_) => "1 = 0".into(),
        ProceedingScope::Unit {
            jurisdiction_id,
            unit_id,
        } => {
            let j = params.push(jurisdiction_id);
            let u = params.push(unit_id);
            format!(
                "w.jurisdiction_id = {j} AND EXISTS (SELECT 1 FROM work_item_units su WHERE su.work_item_id = w.id AND su.unit_id = {u})"
            )
        }
    }
}

/// A work item the actor can see (out of scope: not found).
pub(crate) async fn visible_work_item(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<WorkRow> {
    let mut params = Params::default();
    let idp = params.push(id);
    let scope = work_scope(actor, &mut params);
    let sql = format!(
        "SELECT w.id, w.kind, w.jurisdiction_id, w.proceeding_id, w.closed_on FROM work_items w WHERE w.id = {idp} AND {scope}"
    );
    let row = query(sql, params.args)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    work_row(&row)
}

/// The units a work item is addressed to, in unit order.
pub(crate) async fn addressed_units(conn: &mut AnyConnection, id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT unit_id FROM work_item_units WHERE work_item_id = $1 ORDER BY unit_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Records an event on a work item with its audit event and creates (or, for a repetition,
/// brings up to `today`) the obligations it starts, inside the caller's transaction.
pub(crate) async fn add_work_event_in(
    conn: &mut AnyConnection,
    by: &Author,
    planner: &Planner,
    item: &WorkRow,
    input: &EventInput,
    today: Date,
) -> Result<(Event, i64)> {
    let horizon = Horizon {
        today,
        closed_on: item.closed_on,
    };
    let planned = planner.plan_work(conn, item, input, &[], horizon).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (work_item_id, kind, occurred_on, note, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
    )
    .bind(item.id)
    .bind(input.kind.code().to_string())
    .bind(input.occurred_on.to_string())
    .bind(input.note.clone())
    .bind(crate::now())
    .fetch_one(&mut *conn)
    .await?;
    let event = crate::deadlines::event_on(conn, id).await?;
    audit::record(
        conn,
        by,
        AuditAction::Create,
        AuditEntity::Event,
        id,
        item.proceeding_id,
        None::<&Event>,
        Some(&event),
    )
    .await?;
    let soon = due_soon_days(conn, item.jurisdiction_id).await?;
    sync_event(
        conn,
        by,
        id,
        item.sub(),
        item.jurisdiction_id,
        &[],
        &planned,
        "登记事件",
        false,
        soon,
        &mut Recomputed::default(),
    )
    .await?;
    crate::deadlines::settle_met_by(conn, by, planner.catalogue(), &event, soon).await?;
    Ok((event, soon))
}

/// Re-plans the events of the work items that `cond` selects (SQL over `w`), keeping met and
/// waived obligations: repetitions due by `today` appear, those after a 销号 go. Used by the
/// clock ([`Store::advance_work_items`]), by closing, and after rule and calendar changes.
pub(crate) async fn replan_work_items(
    conn: &mut AnyConnection,
    by: &Author,
    cond: &str,
    params: Params,
    today: Date,
    reason: &str,
) -> Result<Recomputed> {
    let sql = format!(
        "SELECT e.id AS event_id, e.kind AS event_kind, e.occurred_on, w.id, w.kind, w.jurisdiction_id, w.proceeding_id, w.closed_on \
         FROM events e JOIN work_items w ON w.id = e.work_item_id WHERE {cond} ORDER BY w.jurisdiction_id, e.id"
    );
    let rows = query(sql, params.args).fetch_all(&mut *conn).await?;
    let mut out = Recomputed::default();
    let mut planner: Option<(i64, Planner, i64)> = None;
    for r in &rows {
        let item = work_row(r)?;
        if planner.as_ref().map(|(j, _, _)| *j) != Some(item.jurisdiction_id) {
            let p = Planner::load(conn, item.jurisdiction_id).await?;
            let soon = due_soon_days(conn, item.jurisdiction_id).await?;
            planner = Some((item.jurisdiction_id, p, soon));
        }
        let (_, pl, soon) = planner.as_ref().expect("loaded above");
        let ev = EventInput {
            kind: get_enum(r, "event_kind", EventKind::from_code)?,
            occurred_on: parse_day(&get_str(r, "occurred_on")?)?,
            note: None,
        };
        let event_id = get_i64(r, "event_id")?;
        let existing = event_rows(conn, event_id).await?;
        let horizon = Horizon {
            today,
            closed_on: item.closed_on,
        };
        let planned = match pl.plan_work(conn, &item, &ev, &existing, horizon).await {
            Ok(p) => p,
            // A date outside the calendar's range cannot be planned; its rows stay.
            Err(StoreError::Invalid(_)) => continue,
            Err(e) => return Err(e),
        };
        sync_event(
            conn,
            by,
            event_id,
            item.sub(),
            item.jurisdiction_id,
            &existing,
            &planned,
            reason,
            true,
            *soon,
            &mut out,
        )
        .await?;
        out.events += 1;
    }
    Ok(out)
}

const ITEM_COLS: &str = "w.id, w.kind, w.title, w.proceeding_id, COALESCE(p.case_no, p.reference_no) AS case_label, w.status, \
    w.opened_on, w.closed_on, w.closed_reason, w.note, w.created_by_name, w.version, w.created_at, w.updated_at";

/// Filters of the work-item list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkItemQuery {
    pub kind: Option<SubjectKind>,
    pub status: Option<WorkStatus>,
    pub unit_id: Option<i64>,
    pub proceeding_id: Option<i64>,
}

/// The most work items one list returns.
pub const WORK_ITEM_LIMIT: i64 = 500;

pub(crate) async fn items_where(
    conn: &mut AnyConnection,
    cond: &str,
    params: Params,
    today: Date,
) -> Result<Vec<WorkItem>> {
    let sql = format!(
        "SELECT {ITEM_COLS} FROM work_items w LEFT JOIN proceedings p ON p.id = w.proceeding_id \
         WHERE {cond} ORDER BY w.status DESC, w.opened_on DESC, w.id DESC LIMIT {WORK_ITEM_LIMIT}"
    );
    let rows = query(sql, params.args).fetch_all(&mut *conn).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind = get_enum(r, "kind", SubjectKind::from_code)?;
        let status = get_enum(r, "status", WorkStatus::from_code)?;
        items.push(WorkItem {
            id: get_i64(r, "id")?,
            kind,
            kind_label: kind.label().to_string(),
            title: get_str(r, "title")?,
            proceeding_id: get_opt_i64(r, "proceeding_id")?,
            case_label: get_opt_str(r, "case_label")?,
            status,
            status_label: status.label().to_string(),
            opened_on: get_str(r, "opened_on")?,
            closed_on: get_opt_str(r, "closed_on")?,
            closed_reason: get_opt_str(r, "closed_reason")?,
            note: get_opt_str(r, "note")?,
            units: Vec::new(),
            created_by_name: get_str(r, "created_by_name")?,
            open_obligations: 0,
            overdue_obligations: 0,
            version: get_i64(r, "version")?,
            created_at: get_str(r, "created_at")?,
            updated_at: get_str(r, "updated_at")?,
        });
    }
    if items.is_empty() {
        return Ok(items);
    }
    // The units and the open obligations of the listed items, one query each.
    let mut p = Params::default();
    let ids: Vec<String> = items.iter().map(|i| p.push(i.id)).collect();
    let sql = format!(
        "SELECT wu.work_item_id, wu.unit_id, u.name FROM work_item_units wu JOIN units u ON u.id = wu.unit_id \
         WHERE wu.work_item_id IN ({}) ORDER BY wu.work_item_id, u.name",
        ids.join(", ")
    );
    for r in query(sql, p.args).fetch_all(&mut *conn).await? {
        let id = get_i64(&r, "work_item_id")?;
        if let Some(i) = items.iter_mut().find(|i| i.id == id) {
            i.units.push(WorkItemUnit {
                unit_id: get_i64(&r, "unit_id")?,
                unit_name: get_str(&r, "name")?,
            });
        }
    }
    let mut p = Params::default();
    let ids: Vec<String> = items.iter().map(|i| p.push(i.id)).collect();
    let t = p.push(today.to_string());
    let sql = format!(
        "SELECT work_item_id, COUNT(*) AS open, COALESCE(SUM(CASE WHEN due_on < {t} THEN 1 ELSE 0 END), 0) AS overdue \
         FROM deadlines WHERE work_item_id IN ({}) AND done = 0 AND nature = 'duty' GROUP BY work_item_id",
        ids.join(", ")
    );
    for r in query(sql, p.args).fetch_all(&mut *conn).await? {
        let id = get_i64(&r, "work_item_id")?;
        if let Some(i) = items.iter_mut().find(|i| i.id == id) {
            i.open_obligations = get_i64(&r, "open")?;
            i.overdue_obligations = get_i64(&r, "overdue")?;
        }
    }
    Ok(items)
}

pub(crate) async fn item_on(conn: &mut AnyConnection, id: i64, today: Date) -> Result<WorkItem> {
    let mut p = Params::default();
    let cond = format!("w.id = {}", p.push(id));
    items_where(conn, &cond, p, today)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

impl Store {
    /// Opens a work item (交办 / 下达) addressed to units; its opening event starts each unit's
    /// obligations. Only the 司法局 coordinator opens work items.
    pub async fn create_work_item(
        &self,
        actor: &Actor,
        input: &WorkItemInput,
    ) -> Result<(WorkItem, Vec<Deadline>)> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以交办工作事项"));
        }
        let today = self.today();
        let mut tx = self.write_tx().await?;
        let id = open_work_item_in(&mut tx, actor, input, today).await?;
        if input.kind == SubjectKind::Supervision {
            // Every 督办单 has its 文号.
            let order = huajie_domain::supervision::OrderInput {
                item: input.clone(),
                listed: false,
                lead_head_id: None,
                follower_id: None,
                instruction_id: None,
            };
            crate::supervision::insert_order_in(&mut tx, actor.jurisdiction_id, id, &order, None)
                .await?;
        }
        let item = item_on(&mut tx, id, today).await?;
        let soon = due_soon_days(&mut tx, actor.jurisdiction_id).await?;
        let obligations = work_item_obligations(&mut tx, id, soon).await?;
        tx.commit().await?;
        Ok((item, obligations))
    }

    /// The work items in the actor's scope (newest first, open before closed; at most
    /// [`WORK_ITEM_LIMIT`]).
    pub async fn list_work_items(&self, actor: &Actor, q: &WorkItemQuery) -> Result<Vec<WorkItem>> {
        let mut conn = self.pool().acquire().await?;
        let mut p = Params::default();
        let mut conds = vec![work_scope(actor, &mut p)];
        if let Some(k) = q.kind {
            conds.push(format!("w.kind = {}", p.push(k.code())));
        }
        if let Some(s) = q.status {
            conds.push(format!("w.status = {}", p.push(s.code())));
        }
        if let Some(u) = q.unit_id {
            conds.push(format!(
                "EXISTS (SELECT 1 FROM work_item_units fu WHERE fu.work_item_id = w.id AND fu.unit_id = {})",
                p.push(u)
            ));
        }
        if let Some(pid) = q.proceeding_id {
            conds.push(format!("w.proceeding_id = {}", p.push(pid)));
        }
        items_where(&mut conn, &conds.join(" AND "), p, self.today()).await
    }

    /// One work item with its events and obligations.
    pub async fn work_item(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(WorkItem, Vec<Event>, Vec<Deadline>)> {
        let mut conn = self.pool().acquire().await?;
        let row = visible_work_item(&mut conn, actor, id).await?;
        let item = item_on(&mut conn, id, self.today()).await?;
        let sql = format!(
            "SELECT {} FROM events WHERE work_item_id = $1 ORDER BY occurred_on, id",
            crate::deadlines::EVENT_COLS
        );
        let events = query(sql, vec![id.into()])
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(crate::deadlines::event_row)
            .collect::<Result<Vec<_>>>()?;
        let soon = due_soon_days(&mut conn, row.jurisdiction_id).await?;
        let obligations = work_item_obligations(&mut conn, id, soon).await?;
        Ok((item, events, obligations))
    }

    /// Closes a work item (销号) with its day and reason; its open obligations falling due after
    /// that day are no longer owed (removed, with the reason), what was due by then stays.
    /// Only the 司法局 coordinator closes.
    pub async fn close_work_item(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        draft: &huajie_domain::subject::CloseDraft,
    ) -> Result<(WorkItem, Vec<Deadline>)> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以为工作事项销号"));
        }
        let today = self.today();
        let mut tx = self.write_tx().await?;
        let row = visible_work_item(&mut tx, actor, id).await?;
        let before = item_on(&mut tx, id, today).await?;
        if before.version != version {
            return Err(StoreError::Conflict {
                expected: version,
                current: before.version,
            });
        }
        if before.status == WorkStatus::Closed {
            return Err(huajie_domain::FieldError::new(
                "closed_on",
                "already_closed",
                format!("该事项已于{}销号", before.closed_on.unwrap_or_default()),
            )
            .into());
        }
        let (closed_on, reason) = draft.validate(parse_day(&before.opened_on)?, today)?;
        let after =
            close_work_item_in(&mut tx, actor, row, &before, closed_on, reason, today).await?;
        let soon = due_soon_days(&mut tx, row.jurisdiction_id).await?;
        let obligations = work_item_obligations(&mut tx, id, soon).await?;
        tx.commit().await?;
        Ok((after, obligations))
    }

    /// Brings the repeating obligations of every open work item up to `today` (the clock's
    /// day): the next 第N期 appears once the period before it has run out. Idempotent; the
    /// clock worker of `huajie serve` and `huajie tick` call it.
    pub async fn advance_work_items(&self, today: Date) -> Result<Recomputed> {
        let mut tx = self.write_tx().await?;
        let by = Author::system("期限时钟");
        let out = replan_work_items(
            &mut tx,
            &by,
            "w.status = 'open'",
            Params::default(),
            today,
            "定期报送到期",
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Opens a work item inside the caller's transaction (the coordinator's 交办, or a warning's
/// assignment): checks the case and the units, writes the item and its units with the audit
/// event, and records the opening event that starts each unit's obligations. Returns its id.
pub(crate) async fn open_work_item_in(
    tx: &mut AnyConnection,
    actor: &Actor,
    input: &WorkItemInput,
    today: Date,
) -> Result<i64> {
    if let Some(pid) = input.proceeding_id {
        // An unknown or out-of-scope case is a field error, not a missing page.
        match visible_proceeding(&mut *tx, actor, pid).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(huajie_domain::FieldError::new(
                    "proceeding_id",
                    "unknown_proceeding",
                    format!("关联案件（编号{pid}）不存在"),
                )
                .into());
            }
            Err(e) => return Err(e),
        }
    }
    let mut p = Params::default();
    let ids: Vec<String> = input.unit_ids.iter().map(|u| p.push(*u)).collect();
    let j = p.push(actor.jurisdiction_id);
    // Addressed to the units that do the work: not the bureau, a court or a jurisdiction.
    let sql = format!(
        "SELECT id FROM units WHERE id IN ({}) AND jurisdiction_id = {j} AND id <> {j} \
         AND kind NOT IN ('justice_bureau', 'court', 'county', 'city', 'province')",
        ids.join(", ")
    );
    let known: Vec<i64> = query(sql, p.args)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| get_i64(r, "id"))
        .collect::<Result<_>>()?;
    if let Some(u) = input.unit_ids.iter().find(|u| !known.contains(u)) {
        return Err(huajie_domain::FieldError::new(
            "unit_ids",
            "unknown_unit",
            format!("承办单位（编号{u}）不存在、不属于本辖区，或不是承办事项的行政机关（司法局、法院不能作为承办单位）"),
        )
        .into());
    }
    let name = crate::users::person_name(&mut *tx, actor).await?;
    let now = crate::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO work_items (jurisdiction_id, kind, title, proceeding_id, status, opened_on, note, created_by, created_by_name, \
         version, created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, 1, $9, $9) RETURNING id",
    )
    .bind(actor.jurisdiction_id)
    .bind(input.kind.code().to_string())
    .bind(input.title.clone())
    .bind(input.proceeding_id)
    .bind(input.opened_on.to_string())
    .bind(input.note.clone())
    .bind(actor.user_id)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for u in &input.unit_ids {
        sqlx::query("INSERT INTO work_item_units (work_item_id, unit_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*u)
            .execute(&mut *tx)
            .await?;
    }
    let created = item_on(&mut *tx, id, today).await?;
    let by: Author = actor.into();
    audit::record(
        &mut *tx,
        &by,
        AuditAction::Create,
        AuditEntity::WorkItem,
        id,
        input.proceeding_id,
        None::<&WorkItem>,
        Some(&created),
    )
    .await?;
    let row = WorkRow {
        id,
        kind: input.kind,
        jurisdiction_id: actor.jurisdiction_id,
        proceeding_id: input.proceeding_id,
        closed_on: None,
    };
    if let Some(kind) = input.kind.opening_event() {
        let planner = Planner::load(&mut *tx, actor.jurisdiction_id).await?;
        let ev = EventInput {
            kind,
            occurred_on: input.opened_on,
            note: None,
        };
        add_work_event_in(&mut *tx, &by, &planner, &row, &ev, today).await?;
    }
    Ok(id)
}

/// Closes an open work item (销号) inside the caller's transaction: its status, the closing
/// event, the obligations no longer owed after `closed_on`, the audit event. Returns it closed.
pub(crate) async fn close_work_item_in(
    tx: &mut AnyConnection,
    actor: &Actor,
    row: WorkRow,
    before: &WorkItem,
    closed_on: Date,
    reason: String,
    today: Date,
) -> Result<WorkItem> {
    let id = row.id;
    sqlx::query(
        "UPDATE work_items SET status = 'closed', closed_on = $1, closed_reason = $2, version = version + 1, updated_at = $3 WHERE id = $4",
    )
    .bind(closed_on.to_string())
    .bind(reason.clone())
    .bind(crate::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let by: Author = actor.into();
    let planner = Planner::load(&mut *tx, row.jurisdiction_id).await?;
    let closed = WorkRow {
        closed_on: Some(closed_on),
        ..row
    };
    let ev = EventInput {
        kind: EventKind::WorkItemClosed,
        occurred_on: closed_on,
        note: Some(reason),
    };
    add_work_event_in(&mut *tx, &by, &planner, &closed, &ev, today).await?;
    let mut p = Params::default();
    let cond = format!("w.id = {}", p.push(id));
    replan_work_items(&mut *tx, &by, &cond, p, today, "事项已销号").await?;
    let after = item_on(&mut *tx, id, today).await?;
    audit::record(
        &mut *tx,
        &by,
        AuditAction::Close,
        AuditEntity::WorkItem,
        id,
        row.proceeding_id,
        Some(before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Every obligation of a work item, by due date.
pub(crate) async fn work_item_obligations(
    conn: &mut AnyConnection,
    id: i64,
    soon: i64,
) -> Result<Vec<Deadline>> {
    let mut p = Params::default();
    let cond = format!("d.work_item_id = {}", p.push(id));
    deadlines_where(conn, &cond, p, soon).await
}
