//! 督办单 and 批示 (migration 0022). An order is a `supervision` work item opened through
//! [`open_work_item_in`] — its units owe the half-monthly progress reports until 销号, listed
//! and reviewed like every obligation — plus its 文号 (per year and jurisdiction), 挂牌督办 with
//! the 包案 head and the following leader, and the instruction it carries out. Leaders write
//! instructions (批示) on orders and warnings, and nothing else; the units and the bureau are
//! told.

use huajie_domain::FieldError;
use huajie_domain::access::Actor;
use huajie_domain::audit::{AuditAction, AuditEntity};
use huajie_domain::notify::MessageKind;
use std::collections::HashMap;

use huajie_domain::records::{Deadline, Event, WorkItem};
use huajie_domain::subject::WorkStatus;
use huajie_domain::supervision::{Instruction, OrderInput, SupervisionOrder, doc_no};
use huajie_domain::unit::HeadKind;
use huajie_domain::user::Role;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::deadlines::forbid;
use crate::notify::{BUREAU, CLERKS_AND_HEADS, Notice, To, notify_in};
use crate::sql::{Params, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, query};
use crate::work_items::{items_where, open_work_item_in, work_scope};
use crate::{Result, Store, StoreError};

/// Filters of the orders list.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    pub status: Option<WorkStatus>,
    pub listed: Option<bool>,
    pub unit_id: Option<i64>,
}

/// What an instruction is written on.
#[derive(Debug, Clone, Copy)]
pub enum On {
    Order(i64),
    Warning(i64),
}

const COLS: &str = "so.id, so.work_item_id, so.doc_year, so.doc_seq, so.listed, so.lead_head_id, so.lead_label, \
    so.follower_id, so.instruction_id, so.version, fu.display_name AS follower_name";

fn order_row(r: &AnyRow, item: WorkItem) -> Result<SupervisionOrder> {
    Ok(SupervisionOrder {
        id: get_i64(r, "id")?,
        doc_no: doc_no(get_i64(r, "doc_year")? as i16, get_i64(r, "doc_seq")?),
        item,
        listed: get_i64(r, "listed")? != 0,
        lead_head_id: get_opt_i64(r, "lead_head_id")?,
        lead_label: get_opt_str(r, "lead_label")?,
        follower_id: get_opt_i64(r, "follower_id")?,
        follower_name: get_opt_str(r, "follower_name")?,
        instruction_id: get_opt_i64(r, "instruction_id")?,
        version: get_i64(r, "version")?,
    })
}

async fn orders_where(
    conn: &mut AnyConnection,
    actor: &Actor,
    extra: &[String],
    mut p: Params,
    today: jiff::civil::Date,
) -> Result<Vec<SupervisionOrder>> {
    let mut conds = vec![work_scope(actor, &mut p)];
    conds.extend(extra.iter().cloned());
    let sql = format!(
        "SELECT {COLS} FROM supervision_orders so JOIN work_items w ON w.id = so.work_item_id \
         LEFT JOIN users fu ON fu.id = so.follower_id WHERE {} \
         ORDER BY CASE w.status WHEN 'open' THEN 0 ELSE 1 END, so.listed DESC, so.id DESC LIMIT 500",
        conds.join(" AND ")
    );
    let rows = query(sql, p.args).fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The orders' work items (units, obligation counts) in one read.
    let mut ip = Params::default();
    let ids = rows
        .iter()
        .map(|r| get_i64(r, "work_item_id").map(|id| ip.push(id)))
        .collect::<Result<Vec<_>>>()?;
    let mut items: HashMap<i64, WorkItem> =
        items_where(conn, &format!("w.id IN ({})", ids.join(", ")), ip, today)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
    rows.iter()
        .map(|r| {
            let item = items
                .remove(&get_i64(r, "work_item_id")?)
                .ok_or(StoreError::NotFound)?;
            order_row(r, item)
        })
        .collect()
}

async fn visible_order(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    today: jiff::civil::Date,
) -> Result<SupervisionOrder> {
    let mut p = Params::default();
    let cond = format!("so.id = {}", p.push(id));
    orders_where(conn, actor, &[cond], p, today)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

async fn instructions_where(
    conn: &mut AnyConnection,
    cond: &str,
    id: i64,
) -> Result<Vec<Instruction>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, supervision_order_id, warning_id, text, leader_name, created_at FROM instructions WHERE {cond} = $1 ORDER BY id"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Instruction {
                id: get_i64(r, "id")?,
                supervision_order_id: get_opt_i64(r, "supervision_order_id")?,
                warning_id: get_opt_i64(r, "warning_id")?,
                text: get_str(r, "text")?,
                leader_name: get_str(r, "leader_name")?,
                created_at: get_str(r, "created_at")?,
            })
        })
        .collect()
}

/// Numbers and writes the order of a supervision work item just opened (文号: the next of the
/// year in the jurisdiction); every supervision work item is an order.
pub(crate) async fn insert_order_in(
    tx: &mut AnyConnection,
    j: i64,
    item_id: i64,
    input: &OrderInput,
    lead_label: Option<String>,
) -> Result<i64> {
    let year = input.item.opened_on.year();
    let seq: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(doc_seq), 0) + 1 FROM supervision_orders WHERE jurisdiction_id = $1 AND doc_year = $2",
    )
    .bind(j)
    .bind(i64::from(year))
    .fetch_one(&mut *tx)
    .await?;
    let now = crate::now();
    Ok(sqlx::query_scalar(
        "INSERT INTO supervision_orders (jurisdiction_id, work_item_id, doc_year, doc_seq, listed, lead_head_id, lead_label, \
         follower_id, instruction_id, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
    )
    .bind(j)
    .bind(item_id)
    .bind(i64::from(year))
    .bind(seq)
    .bind(i64::from(input.listed))
    .bind(input.lead_head_id)
    .bind(lead_label)
    .bind(input.follower_id)
    .bind(input.instruction_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?)
}

impl Store {
    /// The order of a supervision work item, if it is one.
    pub async fn order_of_item(
        &self,
        actor: &Actor,
        item_id: i64,
    ) -> Result<Option<SupervisionOrder>> {
        let mut conn = self.pool().acquire().await?;
        let mut p = Params::default();
        let cond = format!("so.work_item_id = {}", p.push(item_id));
        Ok(orders_where(&mut conn, actor, &[cond], p, self.today())
            .await?
            .pop())
    }

    /// The instructions on an order.
    pub async fn order_instructions(&self, order_id: i64) -> Result<Vec<Instruction>> {
        let mut conn = self.pool().acquire().await?;
        instructions_where(&mut conn, "supervision_order_id", order_id).await
    }

    /// Issues a supervision order (the 司法局 coordinator): the work item and its units'
    /// obligations, the 文号, 挂牌督办 with the units' 一把手 包案 and the following leader
    /// (told), the instruction it carries out.
    pub async fn create_supervision_order(
        &self,
        actor: &Actor,
        input: &OrderInput,
    ) -> Result<SupervisionOrder> {
        if !actor.can_administer() {
            return Err(forbid("只有司法局协调员可以下达督办单"));
        }
        let today = self.today();
        let j = actor.jurisdiction_id;
        let mut tx = self.write_tx().await?;
        if let Some(i) = input.instruction_id {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM instructions WHERE id = $1 AND jurisdiction_id = $2",
            )
            .bind(i)
            .bind(j)
            .fetch_one(&mut *tx)
            .await?;
            if n == 0 {
                return Err(FieldError::new(
                    "instruction_id",
                    "unknown_instruction",
                    format!("领导批示（编号{i}）不存在"),
                )
                .into());
            }
        }
        if let Some(f) = input.follower_id {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM users u JOIN units un ON un.id = u.unit_id \
                 WHERE u.id = $1 AND u.role = 'leader' AND u.active = 1 AND (un.jurisdiction_id = $2 OR un.id = $2)",
            )
            .bind(f)
            .bind(j)
            .fetch_one(&mut *tx)
            .await?;
            if n == 0 {
                return Err(FieldError::new(
                    "follower_id",
                    "unknown_leader",
                    "跟踪督办的应为本县的县领导用户",
                )
                .into());
            }
        }
        let lead_label = match input.lead_head_id {
            None => None,
            Some(h) => {
                let row =
                    sqlx::query("SELECT unit_id, name, post, kind FROM unit_heads WHERE id = $1")
                        .bind(h)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(row) = row.filter(|r| {
                    get_i64(r, "unit_id").is_ok_and(|u| input.item.unit_ids.contains(&u))
                }) else {
                    return Err(FieldError::new(
                        "lead_head_id",
                        "unknown_head",
                        "包案负责人应为承办单位在单位管理中登记的负责人",
                    )
                    .into());
                };
                let kind = get_enum(&row, "kind", HeadKind::from_code)?;
                if input.listed && kind != HeadKind::Principal {
                    return Err(FieldError::new(
                        "lead_head_id",
                        "not_principal",
                        "挂牌督办须由承办单位主要负责人（一把手）包案",
                    )
                    .into());
                }
                Some(format!(
                    "{}（{}，{}）",
                    get_str(&row, "name")?,
                    get_str(&row, "post")?,
                    kind.label()
                ))
            }
        };
        let item_id = open_work_item_in(&mut tx, actor, &input.item, today).await?;
        let id = insert_order_in(&mut tx, j, item_id, input, lead_label).await?;
        let order = visible_order(&mut tx, actor, id, today).await?;
        audit::record(
            &mut tx,
            &Author::from(actor),
            AuditAction::Create,
            AuditEntity::SupervisionOrder,
            id,
            input.item.proceeding_id,
            None::<&SupervisionOrder>,
            Some(&order),
        )
        .await?;
        if let Some(f) = input.follower_id {
            notify_in(
                &mut tx,
                crate::clock::now(),
                &Notice {
                    jurisdiction_id: j,
                    kind: MessageKind::WorkItem,
                    key: format!("supervision:{id}:follow"),
                    title: format!("挂牌督办：{}", order.item.title),
                    body: format!(
                        "{}由您跟踪督办，承办单位：{}，包案：{}。",
                        order.doc_no,
                        order
                            .item
                            .units
                            .iter()
                            .map(|u| u.unit_name.as_str())
                            .collect::<Vec<_>>()
                            .join("、"),
                        order.lead_label.clone().unwrap_or_default()
                    ),
                    link: Some(format!("/work-items/{item_id}")),
                    proceeding_id: input.item.proceeding_id,
                    deadline_id: None,
                    work_item_id: Some(item_id),
                },
                &[To::Users(vec![f])],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(order)
    }

    /// The orders in the actor's scope (the bureau's roles: the jurisdiction's; a unit: those
    /// addressed to it), open first, listed first, newest first.
    pub async fn list_supervision_orders(
        &self,
        actor: &Actor,
        q: &OrderQuery,
    ) -> Result<Vec<SupervisionOrder>> {
        let mut conn = self.pool().acquire().await?;
        let mut p = Params::default();
        let mut conds = Vec::new();
        if let Some(s) = q.status {
            conds.push(format!("w.status = {}", p.push(s.code())));
        }
        if let Some(l) = q.listed {
            conds.push(format!("so.listed = {}", p.push(i64::from(l))));
        }
        if let Some(u) = q.unit_id {
            conds.push(format!(
                "EXISTS (SELECT 1 FROM work_item_units ou WHERE ou.work_item_id = w.id AND ou.unit_id = {})",
                p.push(u)
            ));
        }
        orders_where(&mut conn, actor, &conds, p, self.today()).await
    }

    /// One order with its events, obligations and instructions.
    pub async fn supervision_order(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(
        SupervisionOrder,
        Vec<Event>,
        Vec<Deadline>,
        Vec<Instruction>,
    )> {
        let today = self.today();
        let mut conn = self.pool().acquire().await?;
        let order = visible_order(&mut conn, actor, id, today).await?;
        drop(conn);
        let (_, events, obligations) = self.work_item(actor, order.item.id).await?;
        let mut conn = self.pool().acquire().await?;
        let instructions = instructions_where(&mut conn, "supervision_order_id", id).await?;
        Ok((order, events, obligations, instructions))
    }

    /// The warnings and orders of the jurisdiction that already carry a leader's instruction:
    /// (warning ids, order ids).
    pub async fn instructed(&self, actor: &Actor) -> Result<(Vec<i64>, Vec<i64>)> {
        let rows = sqlx::query(
            "SELECT DISTINCT warning_id, supervision_order_id FROM instructions WHERE jurisdiction_id = $1",
        )
        .bind(actor.jurisdiction_id)
        .fetch_all(self.pool())
        .await?;
        let mut w = Vec::new();
        let mut o = Vec::new();
        for r in &rows {
            if let Some(x) = get_opt_i64(r, "warning_id")? {
                w.push(x);
            }
            if let Some(x) = get_opt_i64(r, "supervision_order_id")? {
                o.push(x);
            }
        }
        Ok((w, o))
    }

    /// The instructions on a warning.
    pub async fn warning_instructions(
        &self,
        actor: &Actor,
        warning_id: i64,
    ) -> Result<Vec<Instruction>> {
        self.warning(actor, warning_id).await?;
        let mut conn = self.pool().acquire().await?;
        instructions_where(&mut conn, "warning_id", warning_id).await
    }

    /// A leader's instruction (批示) on an order or a warning — the one thing a leader writes.
    /// The units concerned and the bureau are told.
    pub async fn add_instruction(&self, actor: &Actor, on: On, text: &str) -> Result<Instruction> {
        if actor.role != Role::Leader {
            return Err(forbid("批示由县领导作出"));
        }
        let today = self.today();
        let j = actor.jurisdiction_id;
        // What it is on, who is told, and the link.
        let (order_id, warning_id, title, units, proceeding, link) = match on {
            On::Order(id) => {
                let mut conn = self.pool().acquire().await?;
                let o = visible_order(&mut conn, actor, id, today).await?;
                let units: Vec<i64> = o.item.units.iter().map(|u| u.unit_id).collect();
                (
                    Some(id),
                    None,
                    format!("{} {}", o.doc_no, o.item.title),
                    units,
                    o.item.proceeding_id,
                    format!("/work-items/{}", o.item.id),
                )
            }
            On::Warning(id) => {
                let (w, _, _) = self.warning(actor, id).await?;
                let units: Vec<i64> = w.units.iter().map(|u| u.unit_id).collect();
                (
                    None,
                    Some(id),
                    format!("{}：{}", w.grade_label, w.case_label),
                    units,
                    Some(w.proceeding_id),
                    format!("/warnings/{id}"),
                )
            }
        };
        let mut tx = self.write_tx().await?;
        let name = crate::users::person_name(&mut tx, actor).await?;
        let now = crate::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO instructions (jurisdiction_id, supervision_order_id, warning_id, text, leader_id, leader_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(j)
        .bind(order_id)
        .bind(warning_id)
        .bind(text.to_string())
        .bind(actor.user_id)
        .bind(name.clone())
        .bind(now.clone())
        .fetch_one(&mut *tx)
        .await?;
        let made = Instruction {
            id,
            supervision_order_id: order_id,
            warning_id,
            text: text.to_string(),
            leader_name: name.clone(),
            created_at: now,
        };
        audit::record(
            &mut tx,
            &Author::from(actor),
            AuditAction::Create,
            AuditEntity::Instruction,
            id,
            proceeding,
            None::<&Instruction>,
            Some(&made),
        )
        .await?;
        let mut to: Vec<To> = units
            .into_iter()
            .map(|u| To::Unit(u, CLERKS_AND_HEADS))
            .collect();
        to.push(To::Jurisdiction(j, BUREAU));
        notify_in(
            &mut tx,
            crate::clock::now(),
            &Notice {
                jurisdiction_id: j,
                kind: MessageKind::WorkItem,
                key: format!("instruction:{id}"),
                title: format!("领导批示：{title}"),
                body: format!("{name}批示：{text}"),
                link: Some(link),
                proceeding_id: proceeding,
                deadline_id: None,
                work_item_id: None,
            },
            &to,
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    }
}
