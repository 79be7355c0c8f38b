//! Notifications (消息通知, migration 0019): the inbox, the durable outbox and the reminders.
//!
//! * A **notice** is one event worth telling (a new obligation, "due in 3 days", a hearing
//!   tomorrow …), named by a key (`due:{deadline}:{days}`). [`notify_in`] writes it inside the
//!   caller's transaction: the notice row (once per key: `notices` primary key, so a reminder is
//!   sent once however many instances sweep), one **message** per recipient (their inbox) and
//!   one **delivery** per message and external channel (e-mail; each active HTTP gateway for
//!   短信/政务消息) as the user's preferences and the jurisdiction's rules say, held until the
//!   end of the quiet hours or for the daily digest.
//! * [`Store::sweep`] is the clock's part: reminders before the due day, the overdue ladder
//!   (clerk → unit head → bureau), the day-before-hearing reminder at its hour, daily digests.
//! * The worker (crate `huajie-notify`) takes deliveries with [`Store::claim_deliveries`]: one
//!   statement marks a batch `sending` under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
//!   SQLite has one writer), so several instances never take the same delivery; a worker that
//!   dies leaves its lease to expire and the delivery is taken again. [`Store::finish_deliveries`]
//!   records every attempt and schedules retries with backoff.

use std::collections::{BTreeMap, HashMap};

use huajie_domain::access::Actor;
use huajie_domain::audit::{AuditAction, AuditEntity};
use huajie_domain::notify::{
    Channel, ChannelHealth, Contacts, Delivery, DeliveryStatus, Gateway, GatewayInput, GatewayKind,
    GatewayMethod, MAX_ATTEMPTS, Message, MessageKind, NotifyRules, Preferences, at_hour, backoff,
};
use huajie_domain::user::Role;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, Author};
use crate::sql::{get_bool, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, query};
use crate::{Backend, Result, Store, StoreError};

/// Instants as stored: fixed-width RFC 3339 UTC, so text order is time order.
pub fn stamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn rules_key(jurisdiction: i64) -> String {
    format!("notify_rules:{jurisdiction}")
}

/// One event worth telling.
#[derive(Debug, Clone)]
pub struct Notice {
    pub jurisdiction_id: i64,
    pub kind: MessageKind,
    /// Names the event: the same key is never told twice.
    pub key: String,
    pub title: String,
    pub body: String,
    /// Path inside the application (`/deadlines/12`).
    pub link: Option<String>,
    pub proceeding_id: Option<i64>,
    pub deadline_id: Option<i64>,
    pub work_item_id: Option<i64>,
}

/// Who is told.
#[derive(Debug, Clone)]
pub enum To {
    /// Users of a unit with one of these roles.
    Unit(i64, &'static [Role]),
    /// The jurisdiction's users with one of these roles (coordinators, leaders).
    Jurisdiction(i64, &'static [Role]),
    /// Named users.
    Users(Vec<i64>),
}

pub const CLERKS: &[Role] = &[Role::UnitClerk];
pub const HEADS: &[Role] = &[Role::UnitHead];
pub const CLERKS_AND_HEADS: &[Role] = &[Role::UnitClerk, Role::UnitHead];
pub const BUREAU: &[Role] = &[Role::Coordinator];

fn role_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| format!("'{}'", r.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn rules_on(
    conn: &mut AnyConnection,
    jurisdiction: i64,
) -> Result<(NotifyRules, i64)> {
    let row = sqlx::query("SELECT value, version FROM settings WHERE key = $1")
        .bind(rules_key(jurisdiction))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => (
            NotifyRules::from_json(&get_str(&r, "value")?).unwrap_or_default(),
            get_i64(&r, "version")?,
        ),
        None => (NotifyRules::default(), 0),
    })
}

struct Recipient {
    id: i64,
    email: Option<String>,
    mobile: Option<String>,
    prefs: Preferences,
}

async fn recipients(conn: &mut AnyConnection, to: &[To]) -> Result<Vec<Recipient>> {
    let mut out: Vec<Recipient> = Vec::new();
    for t in to {
        let (sql, args): (String, Vec<crate::sql::Arg>) = match t {
            To::Unit(unit, roles) => (
                format!(
                    "SELECT id, email, mobile, notify_prefs FROM users WHERE unit_id = $1 AND active = 1 AND role IN ({}) ORDER BY id",
                    role_list(roles)
                ),
                vec![(*unit).into()],
            ),
            To::Jurisdiction(j, roles) => (
                format!(
                    "SELECT u.id, u.email, u.mobile, u.notify_prefs FROM users u JOIN units un ON un.id = u.unit_id \
                     WHERE un.jurisdiction_id = $1 AND u.active = 1 AND u.role IN ({}) ORDER BY u.id",
                    role_list(roles)
                ),
                vec![(*j).into()],
            ),
            To::Users(ids) if ids.is_empty() => continue,
            To::Users(ids) => (
                format!(
                    "SELECT id, email, mobile, notify_prefs FROM users WHERE active = 1 AND id IN ({}) ORDER BY id",
                    ids.iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                vec![],
            ),
        };
        for r in query(sql, args).fetch_all(&mut *conn).await? {
            let id = get_i64(&r, "id")?;
            if out.iter().any(|x| x.id == id) {
                continue;
            }
            out.push(Recipient {
                id,
                email: get_opt_str(&r, "email")?,
                mobile: get_opt_str(&r, "mobile")?,
                prefs: Preferences::from_json(get_opt_str(&r, "notify_prefs")?.as_deref()),
            });
        }
    }
    Ok(out)
}

async fn active_gateways(conn: &mut AnyConnection, jurisdiction: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT id FROM notify_gateways WHERE jurisdiction_id = $1 AND active = 1 ORDER BY id",
    )
    .bind(jurisdiction)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| get_i64(r, "id")).collect()
}

/// Writes a notice, its messages and their deliveries in the caller's transaction. Returns
/// the number of messages written (0 when the key was told before or the kind is switched off).
/// This is the hook every workflow calls (warnings, 督办 and later loops included).
pub async fn notify_in(
    conn: &mut AnyConnection,
    now: Timestamp,
    n: &Notice,
    to: &[To],
) -> Result<usize> {
    let (rules, _) = rules_on(conn, n.jurisdiction_id).await?;
    if !rules.sends(n.kind) {
        return Ok(0);
    }
    let now_s = stamp(now);
    let fresh: Option<String> = sqlx::query_scalar(
        "INSERT INTO notices (key, jurisdiction_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING key",
    )
    .bind(n.key.clone())
    .bind(n.jurisdiction_id)
    .bind(now_s.clone())
    .fetch_optional(&mut *conn)
    .await?;
    if fresh.is_none() {
        return Ok(0);
    }
    let people = recipients(conn, to).await?;
    if people.is_empty() {
        return Ok(0);
    }
    let gateways = active_gateways(conn, n.jurisdiction_id).await?;
    let mut written = 0;
    for p in &people {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO messages (user_id, jurisdiction_id, kind, notice_key, title, body, link, proceeding_id, deadline_id, work_item_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (user_id, notice_key) DO NOTHING RETURNING id",
        )
        .bind(p.id)
        .bind(n.jurisdiction_id)
        .bind(n.kind.code())
        .bind(n.key.clone())
        .bind(n.title.clone())
        .bind(n.body.clone())
        .bind(n.link.clone())
        .bind(n.proceeding_id)
        .bind(n.deadline_id)
        .bind(n.work_item_id)
        .bind(now_s.clone())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(message_id) = id else { continue };
        written += 1;
        let held = p.prefs.digest && n.kind != MessageKind::Digest;
        let status = if held {
            DeliveryStatus::Held
        } else {
            DeliveryStatus::Queued
        };
        for channel in p.prefs.channels(&rules, n.kind) {
            match channel {
                Channel::Email => {
                    if let Some(addr) = &p.email {
                        insert_delivery(conn, message_id, channel, None, addr, status, now, &now_s)
                            .await?;
                    }
                }
                Channel::Im => {
                    let Some(addr) = &p.mobile else { continue };
                    // No SMS or IM at night: held until the quiet hours end.
                    let when = p.prefs.quiet(&rules).release(now);
                    for g in &gateways {
                        insert_delivery(
                            conn,
                            message_id,
                            channel,
                            Some(*g),
                            addr,
                            status,
                            when,
                            &now_s,
                        )
                        .await?;
                    }
                }
            }
        }
    }
    Ok(written)
}

#[allow(clippy::too_many_arguments)]
async fn insert_delivery(
    conn: &mut AnyConnection,
    message_id: i64,
    channel: Channel,
    gateway: Option<i64>,
    address: &str,
    status: DeliveryStatus,
    not_before: Timestamp,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deliveries (message_id, channel, gateway_id, address, status, attempts, not_before, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
    )
    .bind(message_id)
    .bind(channel.code())
    .bind(gateway)
    .bind(address.to_string())
    .bind(status.code())
    .bind(stamp(not_before))
    .bind(now.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a deadline is about, for the text of its messages.
struct DeadlineFacts {
    id: i64,
    jurisdiction_id: i64,
    unit_id: Option<i64>,
    unit_name: String,
    name: String,
    due_on: String,
    proceeding_id: Option<i64>,
    work_item_id: Option<i64>,
    subject: String,
}

const FACTS_SQL: &str = "SELECT d.id, d.jurisdiction_id, d.unit_id, d.name, d.due_on, d.proceeding_id, d.work_item_id, \
     COALESCE(p.case_no, dp.title, w.title, '') AS subject, COALESCE(un.name, '') AS unit_name \
     FROM deadlines d LEFT JOIN proceedings p ON p.id = d.proceeding_id LEFT JOIN disputes dp ON dp.id = p.dispute_id \
     LEFT JOIN work_items w ON w.id = d.work_item_id LEFT JOIN units un ON un.id = d.unit_id";

fn facts(r: &AnyRow) -> Result<DeadlineFacts> {
    Ok(DeadlineFacts {
        id: get_i64(r, "id")?,
        jurisdiction_id: get_i64(r, "jurisdiction_id")?,
        unit_id: get_opt_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        name: get_str(r, "name")?,
        due_on: get_str(r, "due_on")?,
        proceeding_id: get_opt_i64(r, "proceeding_id")?,
        work_item_id: get_opt_i64(r, "work_item_id")?,
        subject: get_str(r, "subject")?,
    })
}

impl DeadlineFacts {
    fn notice(&self, kind: MessageKind, key: String, title: String, body: String) -> Notice {
        Notice {
            jurisdiction_id: self.jurisdiction_id,
            kind,
            key,
            title,
            body,
            link: Some(format!("/deadlines/{}", self.id)),
            proceeding_id: self.proceeding_id,
            deadline_id: Some(self.id),
            work_item_id: self.work_item_id,
        }
    }

    fn about(&self) -> String {
        if self.subject.is_empty() {
            String::new()
        } else {
            format!("（{}）", self.subject)
        }
    }
}

/// A new obligation owed by a unit: its clerks are told (called where the obligation is
/// written, in the same transaction). Obligations already past due (a case registered late)
/// are left to the overdue ladder.
pub(crate) async fn obligation_created(conn: &mut AnyConnection, deadline_id: i64) -> Result<()> {
    let sql = format!(
        "{FACTS_SQL} WHERE d.id = $1 AND d.nature = 'duty' AND d.done = 0 AND d.unit_id IS NOT NULL"
    );
    let Some(row) = query(sql, vec![deadline_id.into()])
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(());
    };
    let f = facts(&row)?;
    let now = crate::clock::now();
    if f.due_on < crate::clock::today().to_string() {
        return Ok(());
    }
    let n = f.notice(
        MessageKind::NewObligation,
        format!("new:{}", f.id),
        format!("新的报送事项：{}", f.name),
        format!("{}{}应于 {} 前完成。", f.name, f.about(), f.due_on),
    );
    notify_in(
        conn,
        now,
        &n,
        &[To::Unit(f.unit_id.unwrap_or_default(), CLERKS)],
    )
    .await?;
    Ok(())
}

/// A submission was made (the bureau's reviewers are told), accepted or returned (the owing
/// unit's clerks are told).
pub(crate) async fn submission_event(
    conn: &mut AnyConnection,
    submission_id: i64,
    kind: MessageKind,
    note: Option<&str>,
) -> Result<()> {
    let row = sqlx::query("SELECT deadline_id FROM submissions WHERE id = $1")
        .bind(submission_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(()) };
    let deadline_id = get_i64(&row, "deadline_id")?;
    let sql = format!("{FACTS_SQL} WHERE d.id = $1");
    let Some(row) = query(sql, vec![deadline_id.into()])
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(());
    };
    let f = facts(&row)?;
    let note = note.map(|n| format!("审核意见：{n}")).unwrap_or_default();
    let (title, body, to) = match kind {
        MessageKind::SubmissionReturned => (
            format!("报送被退回：{}", f.name),
            format!(
                "{}{}的报送已被司法局退回，请按意见修改后重新报送（期限 {}）。{note}",
                f.name,
                f.about(),
                f.due_on
            ),
            f.unit_id.map(|u| To::Unit(u, CLERKS)),
        ),
        MessageKind::SubmissionAccepted => (
            format!("报送已通过：{}", f.name),
            format!("{}{}的报送已审核通过。{note}", f.name, f.about()),
            f.unit_id.map(|u| To::Unit(u, CLERKS)),
        ),
        _ => (
            format!("待审核：{} 报送了{}", f.unit_name, f.name),
            format!("{}报送了{}{}，请审核。", f.unit_name, f.name, f.about()),
            Some(To::Jurisdiction(f.jurisdiction_id, BUREAU)),
        ),
    };
    let Some(to) = to else { return Ok(()) };
    let key = format!("{}:{submission_id}", kind.code());
    let mut n = f.notice(kind, key, title, body);
    n.link = Some(format!("/deadlines/{}", f.id));
    notify_in(conn, crate::clock::now(), &n, &[to]).await?;
    Ok(())
}

/// What one sweep wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub due_soon: usize,
    pub overdue: usize,
    pub escalations: usize,
    pub hearings: usize,
    pub digests: usize,
}

impl SweepReport {
    pub fn total(&self) -> usize {
        self.due_soon + self.overdue + self.escalations + self.hearings + self.digests
    }
}

/// What a channel did with a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Ok,
    /// Worth trying again later (timeout, server busy).
    Retry(String),
    /// Will not work by trying again (no mail server configured, address refused).
    Permanent(String),
}

/// One message waiting for a channel.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery_id: i64,
    pub message_id: i64,
    pub channel: Channel,
    pub gateway: Option<Gateway>,
    pub address: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub attempts: i64,
}

impl Outgoing {
    /// The idempotency key a channel may use to drop a repeat (e-mail Message-ID, `{{key}}`).
    pub fn key(&self) -> String {
        format!("huajie-{}-{}", self.message_id, self.delivery_id)
    }
}

fn message(r: &AnyRow) -> Result<Message> {
    let kind = get_enum(r, "kind", MessageKind::from_code)?;
    let read_at = get_opt_str(r, "read_at")?;
    Ok(Message {
        id: get_i64(r, "id")?,
        kind,
        kind_label: kind.label().to_string(),
        title: get_str(r, "title")?,
        body: get_str(r, "body")?,
        link: get_opt_str(r, "link")?,
        proceeding_id: get_opt_i64(r, "proceeding_id")?,
        deadline_id: get_opt_i64(r, "deadline_id")?,
        work_item_id: get_opt_i64(r, "work_item_id")?,
        created_at: get_str(r, "created_at")?,
        read: read_at.is_some(),
        read_at,
    })
}

/// Filters of the inbox.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub unread_only: bool,
    pub kind: Option<MessageKind>,
    /// Messages older than this id (the next page).
    pub before: Option<i64>,
    pub limit: i64,
}

const DELIVERY_SQL: &str = "SELECT dl.id, dl.message_id, m.user_id, u.display_name AS user_name, m.title, dl.channel, \
     g.name AS gateway_name, dl.address, dl.status, dl.attempts, dl.last_error, dl.not_before, dl.sent_at, dl.created_at, m.read_at \
     FROM deliveries dl JOIN messages m ON m.id = dl.message_id JOIN users u ON u.id = m.user_id \
     LEFT JOIN notify_gateways g ON g.id = dl.gateway_id";

fn delivery(r: &AnyRow) -> Result<Delivery> {
    let channel = get_enum(r, "channel", Channel::from_code)?;
    let status = get_enum(r, "status", DeliveryStatus::from_code)?;
    Ok(Delivery {
        id: get_i64(r, "id")?,
        message_id: get_i64(r, "message_id")?,
        user_id: get_i64(r, "user_id")?,
        user_name: get_str(r, "user_name")?,
        title: get_str(r, "title")?,
        channel,
        channel_label: get_opt_str(r, "gateway_name")?
            .unwrap_or_else(|| channel.label().to_string()),
        address: get_str(r, "address")?,
        status,
        status_label: status.label().to_string(),
        attempts: get_i64(r, "attempts")?,
        last_error: get_opt_str(r, "last_error")?,
        not_before: get_str(r, "not_before")?,
        sent_at: get_opt_str(r, "sent_at")?,
        created_at: get_str(r, "created_at")?,
        read: get_opt_str(r, "read_at")?.is_some(),
    })
}

const GATEWAY_COLS: &str =
    "id, jurisdiction_id, name, kind, url, method, headers, body_template, active, version";

fn gateway(r: &AnyRow) -> Result<Gateway> {
    Ok(Gateway {
        id: get_i64(r, "id")?,
        jurisdiction_id: get_i64(r, "jurisdiction_id")?,
        name: get_str(r, "name")?,
        kind: get_enum(r, "kind", GatewayKind::from_code)?,
        url: get_str(r, "url")?,
        method: get_enum(r, "method", GatewayMethod::from_code)?,
        headers: get_str(r, "headers")?,
        body_template: get_str(r, "body_template")?,
        active: get_bool(r, "active")?,
        version: get_i64(r, "version")?,
    })
}

async fn gateway_on(conn: &mut AnyConnection, id: i64) -> Result<Option<Gateway>> {
    let sql = format!("SELECT {GATEWAY_COLS} FROM notify_gateways WHERE id = $1");
    query(sql, vec![id.into()])
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(gateway)
        .transpose()
}

/// The coordinator's right over a jurisdiction's notification settings.
fn bureau(actor: &Actor) -> Result<i64> {
    if actor.can_administer() {
        Ok(actor.jurisdiction_id)
    } else {
        Err(StoreError::Forbidden(
            "只有司法局协调员可以修改提醒规则和消息接口".into(),
        ))
    }
}

impl Store {
    /// The jurisdiction's sending rules and their version (0 = the shipped defaults).
    pub async fn notify_rules(&self, jurisdiction: i64) -> Result<(NotifyRules, i64)> {
        let mut conn = self.pool().acquire().await?;
        rules_on(&mut conn, jurisdiction).await
    }

    pub async fn set_notify_rules(
        &self,
        actor: &Actor,
        version: i64,
        rules: &NotifyRules,
    ) -> Result<i64> {
        let j = bureau(actor)?;
        rules.check()?;
        let mut tx = self.write_tx().await?;
        let (before, _) = rules_on(&mut tx, j).await?;
        let next = crate::deadlines::put_rules_in(
            &mut tx,
            actor,
            &rules_key(j),
            version,
            &rules.to_json(),
            AuditEntity::NotifyRules,
            &before,
            rules,
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// A user's contacts and preferences.
    pub async fn preferences(
        &self,
        user_id: i64,
    ) -> Result<(Option<String>, Option<String>, Preferences)> {
        let row = sqlx::query("SELECT email, mobile, notify_prefs FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((
            get_opt_str(&row, "email")?,
            get_opt_str(&row, "mobile")?,
            Preferences::from_json(get_opt_str(&row, "notify_prefs")?.as_deref()),
        ))
    }

    /// Saves a user's own contacts and preferences (audited: the e-mail and mobile number are
    /// where reminders go).
    pub async fn set_preferences(
        &self,
        actor: &Actor,
        contacts: &Contacts,
        prefs: &Preferences,
    ) -> Result<()> {
        let before = self.preferences(actor.user_id).await?;
        let mut tx = self.write_tx().await?;
        write_contacts(&mut tx, actor.user_id, contacts).await?;
        sqlx::query("UPDATE users SET notify_prefs = $1 WHERE id = $2")
            .bind(serde_json::to_string(prefs).unwrap_or_default())
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
        let after = {
            let r = sqlx::query("SELECT email, mobile FROM users WHERE id = $1")
                .bind(actor.user_id)
                .fetch_one(&mut *tx)
                .await?;
            (
                get_opt_str(&r, "email")?,
                get_opt_str(&r, "mobile")?,
                prefs.clone(),
            )
        };
        audit::record(
            &mut tx,
            &Author::from(actor),
            AuditAction::Update,
            AuditEntity::Preferences,
            actor.user_id,
            None,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller's inbox, newest first.
    pub async fn messages(&self, user_id: i64, f: &MessageFilter) -> Result<Vec<Message>> {
        let mut p = crate::sql::Params::default();
        let mut sql = format!(
            "SELECT id, kind, title, body, link, proceeding_id, deadline_id, work_item_id, created_at, read_at FROM messages WHERE user_id = {}",
            p.push(user_id)
        );
        if f.unread_only {
            sql.push_str(" AND read_at IS NULL");
        }
        if let Some(k) = f.kind {
            sql.push_str(&format!(" AND kind = {}", p.push(k.code().to_string())));
        }
        if let Some(b) = f.before {
            sql.push_str(&format!(" AND id < {}", p.push(b)));
        }
        sql.push_str(&format!(
            " ORDER BY id DESC LIMIT {}",
            f.limit.clamp(1, 200)
        ));
        let rows = query(sql, p.args).fetch_all(self.pool()).await?;
        rows.iter().map(message).collect()
    }

    pub async fn unread_count(&self, user_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?)
    }

    /// Marks one of the caller's messages read (another user's is not found).
    pub async fn mark_read(&self, user_id: i64, id: i64) -> Result<Message> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE messages SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        )
        .bind(crate::now())
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT id, kind, title, body, link, proceeding_id, deadline_id, work_item_id, created_at, read_at FROM messages WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        message(&row)
    }

    /// Marks all of the caller's messages read; returns how many were unread.
    pub async fn mark_all_read(&self, user_id: i64) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let n =
            sqlx::query("UPDATE messages SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(crate::now())
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Writes a notice from outside a store transaction (a workflow's own hook, tests, the bench).
    pub async fn notify(&self, now: Timestamp, n: &Notice, to: &[To]) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        let k = notify_in(&mut tx, now, n, to).await?;
        tx.commit().await?;
        Ok(k)
    }

    /// The clock's part of notifications, for every jurisdiction: reminders before the due
    /// day, the overdue ladder, the day-before-hearing reminder at its hour and daily digests.
    /// Idempotent (each notice has its key), so every instance may run it.
    pub async fn sweep(&self, now: Timestamp) -> Result<SweepReport> {
        let today = now.to_zoned(huajie_domain::notify::beijing()).date();
        let js: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT jurisdiction_id FROM units WHERE jurisdiction_id IS NOT NULL ORDER BY 1")
            .fetch_all(self.pool())
            .await?;
        let mut rep = SweepReport::default();
        for j in js {
            let (rules, _) = self.notify_rules(j).await?;
            self.sweep_deadlines(j, &rules, now, today, &mut rep)
                .await?;
            if now >= at_hour(today, rules.hearing_reminder_hour) {
                rep.hearings += self.sweep_hearings(j, now, today).await?;
            }
            if now >= at_hour(today, rules.digest_hour) {
                rep.digests += self.sweep_digests(j, now, today).await?;
            }
        }
        Ok(rep)
    }

    async fn sweep_deadlines(
        &self,
        j: i64,
        rules: &NotifyRules,
        now: Timestamp,
        today: Date,
        rep: &mut SweepReport,
    ) -> Result<()> {
        let ahead = rules.due_before.iter().copied().max().unwrap_or(0) as i64;
        let ladder = [
            rules.escalate_to_head_after,
            rules.escalate_to_bureau_after,
            1,
        ]
        .into_iter()
        .max()
        .unwrap_or(1) as i64;
        // Overdue notices cover a window of 30 days past the last step of the ladder; older
        // overdue obligations are on every list already.
        let from = today
            .checked_sub(jiff::Span::new().days(ladder + 30))
            .unwrap_or(today);
        let to = today
            .checked_add(jiff::Span::new().days(ahead))
            .unwrap_or(today);
        let sql = format!(
            "{FACTS_SQL} WHERE d.jurisdiction_id = $1 AND d.done = 0 AND d.due_on >= $2 AND d.due_on <= $3 \
             AND d.nature = 'duty' AND d.unit_id IS NOT NULL ORDER BY d.due_on, d.id"
        );
        let rows = query(
            sql,
            vec![j.into(), from.to_string().into(), to.to_string().into()],
        )
        .fetch_all(self.pool())
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut pending: Vec<(Notice, Vec<To>, u8)> = Vec::new();
        for r in &rows {
            let f = facts(r)?;
            let Ok(due) = f.due_on.parse::<Date>() else {
                continue;
            };
            let left = (due - today).get_days() as i64;
            let unit = f.unit_id.unwrap_or_default();
            if left >= 0 {
                // The nearest reminder day not yet passed: a server that was off sends the
                // reminder that still fits, not every one it missed.
                let Some(n) = rules
                    .due_before
                    .iter()
                    .copied()
                    .filter(|n| *n as i64 >= left)
                    .min()
                else {
                    continue;
                };
                let when = if left == 0 {
                    "今天到期".to_string()
                } else {
                    format!("还有 {left} 天到期（{}）", f.due_on)
                };
                pending.push((
                    f.notice(
                        MessageKind::DueSoon,
                        format!("due:{}:{n}", f.id),
                        format!("即将到期：{}{}", f.name, f.about()),
                        format!("{}{}{when}，请按时完成。", f.name, f.about()),
                    ),
                    vec![To::Unit(unit, CLERKS)],
                    0,
                ));
                continue;
            }
            let late = -left;
            if rules.overdue_to_clerk {
                pending.push((
                    f.notice(
                        MessageKind::Overdue,
                        format!("overdue:{}", f.id),
                        format!("已逾期：{}{}", f.name, f.about()),
                        format!(
                            "{}{}应于 {} 前完成，已逾期。请尽快完成并报送。",
                            f.name,
                            f.about(),
                            f.due_on
                        ),
                    ),
                    vec![To::Unit(unit, CLERKS)],
                    1,
                ));
            }
            let head = rules.escalate_to_head_after as i64;
            if head > 0 && late >= head {
                pending.push((
                    f.notice(
                        MessageKind::Escalation,
                        format!("escalate_head:{}", f.id),
                        format!("逾期 {late} 天：{}{}", f.name, f.about()),
                        format!(
                            "{}的{}{}应于 {} 前完成，已逾期 {late} 天，请督促办理。",
                            f.unit_name,
                            f.name,
                            f.about(),
                            f.due_on
                        ),
                    ),
                    vec![To::Unit(unit, HEADS)],
                    2,
                ));
            }
            let bureau = rules.escalate_to_bureau_after as i64;
            if bureau > 0 && late >= bureau {
                pending.push((
                    f.notice(
                        MessageKind::Escalation,
                        format!("escalate_bureau:{}", f.id),
                        format!("{}逾期 {late} 天：{}{}", f.unit_name, f.name, f.about()),
                        format!(
                            "{}的{}{}应于 {} 前完成，已逾期 {late} 天。",
                            f.unit_name,
                            f.name,
                            f.about(),
                            f.due_on
                        ),
                    ),
                    vec![To::Jurisdiction(j, BUREAU)],
                    2,
                ));
            }
        }
        // Keys already told are skipped before any write transaction is opened.
        let keys: Vec<String> = pending.iter().map(|(n, _, _)| n.key.clone()).collect();
        let known = self.known_notices(&keys).await?;
        for chunk in pending
            .into_iter()
            .filter(|(n, _, _)| !known.contains(&n.key))
            .collect::<Vec<_>>()
            .chunks(200)
        {
            let mut tx = self.write_tx().await?;
            for (n, to, step) in chunk {
                if notify_in(&mut tx, now, n, to).await? > 0 {
                    match step {
                        0 => rep.due_soon += 1,
                        1 => rep.overdue += 1,
                        _ => rep.escalations += 1,
                    }
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    async fn known_notices(&self, keys: &[String]) -> Result<std::collections::HashSet<String>> {
        let mut out = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let mut p = crate::sql::Params::default();
            let marks: Vec<String> = chunk.iter().map(|k| p.push(k.clone())).collect();
            let sql = format!(
                "SELECT key FROM notices WHERE key IN ({})",
                marks.join(", ")
            );
            for r in query(sql, p.args).fetch_all(self.pool()).await? {
                out.insert(get_str(&r, "key")?);
            }
        }
        Ok(out)
    }

    /// Hearings tomorrow: each defendant-side unit's heads and clerks are told.
    async fn sweep_hearings(&self, j: i64, now: Timestamp, today: Date) -> Result<usize> {
        let tomorrow = today.tomorrow().unwrap_or(today);
        let after = tomorrow.tomorrow().unwrap_or(tomorrow);
        let rows = sqlx::query(
            "SELECT h.id, h.scheduled_at, h.place, h.proceeding_id, COALESCE(p.case_no, dp.title) AS subject, pa.unit_id, un.name AS unit_name, \
             ap.head_name, ap.head_post, uh.phone AS head_phone, \
             (SELECT COUNT(*) FROM users u WHERE u.unit_id = pa.unit_id AND u.active = 1 AND u.role = 'unit_head' \
              AND u.display_name = ap.head_name) AS head_users \
             FROM hearings h JOIN proceedings p ON p.id = h.proceeding_id JOIN disputes dp ON dp.id = p.dispute_id \
             JOIN parties pa ON pa.proceeding_id = h.proceeding_id AND pa.unit_id IS NOT NULL \
             AND pa.role IN ('defendant', 'co_defendant', 'reconsideration_organ') JOIN units un ON un.id = pa.unit_id \
             LEFT JOIN appearance_plans ap ON ap.hearing_id = h.id AND ap.unit_id = pa.unit_id \
             LEFT JOIN unit_heads uh ON uh.id = ap.head_id \
             WHERE p.jurisdiction_id = $1 AND h.scheduled_at >= $2 AND h.scheduled_at < $3 ORDER BY h.scheduled_at, h.id",
        )
        .bind(j)
        .bind(tomorrow.to_string())
        .bind(after.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut pending = Vec::new();
        for r in &rows {
            let hearing = get_i64(r, "id")?;
            let unit = get_i64(r, "unit_id")?;
            let at: String = get_str(r, "scheduled_at")?
                .replace('T', " ")
                .chars()
                .take(16)
                .collect();
            let place = get_opt_str(r, "place")?
                .map(|p| format!("，地点：{p}"))
                .unwrap_or_default();
            let subject = get_str(r, "subject")?;
            let proceeding = get_i64(r, "proceeding_id")?;
            pending.push((
                Notice {
                    jurisdiction_id: j,
                    kind: MessageKind::HearingTomorrow,
                    key: format!("hearing:{hearing}:{unit}:{}", tomorrow),
                    title: format!("明日开庭：{subject}"),
                    body: match get_opt_str(r, "head_name")? {
                        // A head without an account here gets no message of their own: the
                        // clerk is asked to tell them, with the phone from 单位管理.
                        Some(head) if get_i64(r, "head_users")? == 0 => format!(
                            "{subject} 定于 {at} 开庭{place}。{}出庭负责人：{head}（{}），{head}没有本系统账号，请通知其本人{}。",
                            get_str(r, "unit_name")?,
                            get_opt_str(r, "head_post")?.unwrap_or_default(),
                            get_opt_str(r, "head_phone")?
                                .filter(|p| !p.trim().is_empty())
                                .map(|p| format!("（电话 {p}）"))
                                .unwrap_or_default()
                        ),
                        Some(head) => format!(
                            "{subject} 定于 {at} 开庭{place}。{}出庭负责人：{head}（{}），请做好准备。",
                            get_str(r, "unit_name")?,
                            get_opt_str(r, "head_post")?.unwrap_or_default()
                        ),
                        None => format!(
                            "{subject} 定于 {at} 开庭{place}。{}的负责人应出庭应诉；尚未报送出庭人员名单，请今天报送。",
                            get_str(r, "unit_name")?
                        ),
                    },
                    link: Some(format!("/proceedings/{proceeding}")),
                    proceeding_id: Some(proceeding),
                    deadline_id: None,
                    work_item_id: None,
                },
                vec![To::Unit(unit, CLERKS_AND_HEADS)],
            ));
        }
        let keys: Vec<String> = pending.iter().map(|(n, _)| n.key.clone()).collect();
        let known = self.known_notices(&keys).await?;
        let mut told = 0;
        let fresh: Vec<_> = pending
            .into_iter()
            .filter(|(n, _)| !known.contains(&n.key))
            .collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write_tx().await?;
        for (n, to) in &fresh {
            if notify_in(&mut tx, now, n, to).await? > 0 {
                told += 1;
            }
        }
        tx.commit().await?;
        Ok(told)
    }

    /// Daily digests: a user's held deliveries of one channel become one digest message.
    async fn sweep_digests(&self, j: i64, now: Timestamp, today: Date) -> Result<usize> {
        let rows = sqlx::query(
            "SELECT m.user_id, dl.id AS delivery_id, m.title FROM deliveries dl JOIN messages m ON m.id = dl.message_id \
             WHERE dl.status = 'held' AND m.jurisdiction_id = $1 ORDER BY m.user_id, m.id",
        )
        .bind(j)
        .fetch_all(self.pool())
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut per_user: BTreeMap<i64, (Vec<i64>, Vec<String>)> = BTreeMap::new();
        for r in &rows {
            let e = per_user.entry(get_i64(r, "user_id")?).or_default();
            e.0.push(get_i64(r, "delivery_id")?);
            let t = get_str(r, "title")?;
            if !e.1.contains(&t) {
                e.1.push(t);
            }
        }
        let mut told = 0;
        let mut tx = self.write_tx().await?;
        for (user, (deliveries, titles)) in per_user {
            let list: Vec<String> = titles
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{}. {t}", i + 1))
                .collect();
            let n = Notice {
                jurisdiction_id: j,
                kind: MessageKind::Digest,
                key: format!(
                    "digest:{user}:{today}:{}",
                    deliveries.iter().max().copied().unwrap_or_default()
                ),
                title: format!("每日汇总：{} 条消息", titles.len()),
                body: list.join("\n"),
                link: Some("/messages".into()),
                proceeding_id: None,
                deadline_id: None,
                work_item_id: None,
            };
            if notify_in(&mut tx, now, &n, &[To::Users(vec![user])]).await? > 0 {
                told += 1;
            }
            let ids = deliveries
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            query(format!("UPDATE deliveries SET status = 'digested' WHERE status = 'held' AND id IN ({ids})"), vec![])
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(told)
    }

    /// Takes up to `limit` deliveries that are due, marking them `sending` for `lease`
    /// (after which, if the worker has not finished them, they are taken again). Several
    /// instances never take the same delivery.
    pub async fn claim_deliveries(
        &self,
        owner: &str,
        now: Timestamp,
        lease: jiff::SignedDuration,
        limit: i64,
    ) -> Result<Vec<Outgoing>> {
        let now_s = stamp(now);
        let until = stamp(now.checked_add(lease).unwrap_or(now));
        // `not_before` of a delivery being sent is its lease expiry: one condition finds both
        // the queued deliveries that are due and those whose worker died.
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE deliveries SET status = 'sending', lease_owner = $1, not_before = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM deliveries WHERE status IN ('queued', 'sending') AND not_before <= $3 \
             ORDER BY not_before, id LIMIT {}{lock}) RETURNING id",
            limit.clamp(1, 1000)
        );
        let mut tx = self.write_tx().await?;
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(owner.to_string())
            .bind(until)
            .bind(now_s)
            .fetch_all(&mut *tx)
            .await?;
        if ids.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let rows = query(
            format!(
                "SELECT dl.id, dl.message_id, dl.channel, dl.gateway_id, dl.address, dl.attempts, m.title, m.body, m.link \
                 FROM deliveries dl JOIN messages m ON m.id = dl.message_id WHERE dl.id IN ({list}) ORDER BY dl.id"
            ),
            vec![],
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut gateways: HashMap<i64, Option<Gateway>> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let gateway = match get_opt_i64(r, "gateway_id")? {
                Some(g) => match gateways.get(&g) {
                    Some(found) => found.clone(),
                    None => {
                        let found = gateway_on(&mut tx, g).await?;
                        gateways.insert(g, found.clone());
                        found
                    }
                },
                None => None,
            };
            out.push(Outgoing {
                delivery_id: get_i64(r, "id")?,
                message_id: get_i64(r, "message_id")?,
                channel: get_enum(r, "channel", Channel::from_code)?,
                gateway,
                address: get_str(r, "address")?,
                title: get_str(r, "title")?,
                body: get_str(r, "body")?,
                link: get_opt_str(r, "link")?,
                attempts: get_i64(r, "attempts")?,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Records the outcome of sent deliveries (one attempt row each): sent, or queued again
    /// after a backoff, or failed for good after [`MAX_ATTEMPTS`]. A delivery whose lease
    /// another worker has taken meanwhile only gets its attempt recorded.
    pub async fn finish_deliveries(
        &self,
        owner: &str,
        now: Timestamp,
        results: &[(i64, i64, Sent)],
    ) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let now_s = stamp(now);
        let mut tx = self.write_tx().await?;
        for (id, attempts, r) in results {
            let err = match r {
                Sent::Ok => None,
                Sent::Retry(e) | Sent::Permanent(e) => {
                    Some(e.chars().take(500).collect::<String>())
                }
            };
            sqlx::query("INSERT INTO delivery_attempts (delivery_id, worker, at, ok, error) VALUES ($1, $2, $3, $4, $5)")
                .bind(*id)
                .bind(owner.to_string())
                .bind(now_s.clone())
                .bind((*r == Sent::Ok) as i64)
                .bind(err.clone())
                .execute(&mut *tx)
                .await?;
            match r {
                Sent::Ok => {
                    sqlx::query(
                        "UPDATE deliveries SET status = 'sent', sent_at = $1, lease_owner = NULL, last_error = NULL \
                         WHERE id = $2 AND lease_owner = $3 AND status = 'sending'",
                    )
                    .bind(now_s.clone())
                    .bind(*id)
                    .bind(owner.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
                Sent::Retry(_) | Sent::Permanent(_) => {
                    let (status, next) =
                        if *attempts >= MAX_ATTEMPTS || matches!(r, Sent::Permanent(_)) {
                            ("failed", now)
                        } else {
                            ("queued", now.checked_add(backoff(*attempts)).unwrap_or(now))
                        };
                    sqlx::query(
                        "UPDATE deliveries SET status = $1, not_before = $2, last_error = $3, lease_owner = NULL \
                         WHERE id = $4 AND lease_owner = $5 AND status = 'sending'",
                    )
                    .bind(status)
                    .bind(stamp(next))
                    .bind(err)
                    .bind(*id)
                    .bind(owner.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deliveries of the messages about a proceeding (its case page), in the actor's scope.
    pub async fn case_deliveries(
        &self,
        actor: &Actor,
        proceeding_id: i64,
    ) -> Result<Vec<Delivery>> {
        self.get_proceeding(actor, proceeding_id).await?;
        let mut sql = format!("{DELIVERY_SQL} WHERE m.proceeding_id = $1");
        if !actor.can_administer() {
            // A unit sees the deliveries to its own people.
            sql.push_str(&format!(" AND u.unit_id = {}", actor.unit_id));
        }
        sql.push_str(" ORDER BY dl.id DESC LIMIT 200");
        let rows = query(sql, vec![proceeding_id.into()])
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery).collect()
    }

    /// A user's deliveries, newest first (their own settings page; the bureau's user page).
    pub async fn user_deliveries(&self, user_id: i64, limit: i64) -> Result<Vec<Delivery>> {
        let sql = format!(
            "{DELIVERY_SQL} WHERE m.user_id = $1 ORDER BY dl.id DESC LIMIT {}",
            limit.clamp(1, 500)
        );
        let rows = query(sql, vec![user_id.into()])
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery).collect()
    }

    /// The jurisdiction's deliveries that failed for good or are failing now (retrying).
    pub async fn failed_deliveries(&self, jurisdiction: i64, limit: i64) -> Result<Vec<Delivery>> {
        let sql = format!(
            "{DELIVERY_SQL} WHERE m.jurisdiction_id = $1 AND (dl.status = 'failed' OR (dl.status = 'queued' AND dl.attempts > 0)) \
             ORDER BY dl.id DESC LIMIT {}",
            limit.clamp(1, 500)
        );
        let rows = query(sql, vec![jurisdiction.into()])
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery).collect()
    }

    /// Each channel's last day: sent, failed, waiting, and whether it is failing now.
    pub async fn channel_health(
        &self,
        jurisdiction: i64,
        now: Timestamp,
    ) -> Result<Vec<ChannelHealth>> {
        let since = stamp(
            now.checked_sub(jiff::SignedDuration::from_hours(24))
                .unwrap_or(now),
        );
        let rows = sqlx::query(
            "SELECT dl.channel, dl.gateway_id, g.name AS gateway_name, \
             SUM(CASE WHEN dl.status = 'sent' AND dl.sent_at >= $2 THEN 1 ELSE 0 END) AS sent, \
             SUM(CASE WHEN dl.status = 'failed' AND dl.created_at >= $2 THEN 1 ELSE 0 END) AS failed, \
             SUM(CASE WHEN dl.status IN ('queued', 'sending') THEN 1 ELSE 0 END) AS waiting, \
             SUM(CASE WHEN dl.status = 'queued' AND dl.attempts > 0 THEN 1 ELSE 0 END) AS retrying, \
             MAX(CASE WHEN dl.status IN ('failed', 'queued') THEN dl.last_error END) AS last_error, \
             MAX(CASE WHEN dl.status = 'sent' THEN dl.sent_at END) AS last_sent, \
             MAX(CASE WHEN dl.status IN ('failed', 'queued') AND dl.last_error IS NOT NULL THEN dl.not_before END) AS last_failed \
             FROM deliveries dl JOIN messages m ON m.id = dl.message_id LEFT JOIN notify_gateways g ON g.id = dl.gateway_id \
             WHERE m.jurisdiction_id = $1 AND (dl.created_at >= $2 OR dl.status IN ('queued', 'sending', 'held')) \
             GROUP BY dl.channel, dl.gateway_id, g.name ORDER BY dl.channel, dl.gateway_id",
        )
        .bind(jurisdiction)
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let channel = get_enum(r, "channel", Channel::from_code)?;
            let failed = get_i64(r, "failed")?;
            let retrying = get_i64(r, "retrying")?;
            let last_sent = get_opt_str(r, "last_sent")?;
            let last_failed = get_opt_str(r, "last_failed")?;
            out.push(ChannelHealth {
                channel,
                gateway_id: get_opt_i64(r, "gateway_id")?,
                label: get_opt_str(r, "gateway_name")?
                    .unwrap_or_else(|| channel.label().to_string()),
                sent: get_i64(r, "sent")?,
                failed,
                waiting: get_i64(r, "waiting")?,
                failing: (failed > 0 || retrying > 0) && last_failed >= last_sent,
                last_error: get_opt_str(r, "last_error")?,
            });
        }
        Ok(out)
    }

    pub async fn list_gateways(&self, jurisdiction: i64) -> Result<Vec<Gateway>> {
        let sql = format!(
            "SELECT {GATEWAY_COLS} FROM notify_gateways WHERE jurisdiction_id = $1 ORDER BY id"
        );
        let rows = query(sql, vec![jurisdiction.into()])
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(gateway).collect()
    }

    pub async fn get_gateway(&self, actor: &Actor, id: i64) -> Result<Gateway> {
        let mut conn = self.pool().acquire().await?;
        gateway_on(&mut conn, id)
            .await?
            .filter(|g| g.jurisdiction_id == actor.jurisdiction_id)
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_gateway(&self, actor: &Actor, input: &GatewayInput) -> Result<Gateway> {
        let j = bureau(actor)?;
        let mut tx = self.write_tx().await?;
        let now = crate::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO notify_gateways (jurisdiction_id, name, kind, url, method, headers, body_template, active, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
        )
        .bind(j)
        .bind(input.name.clone())
        .bind(input.kind.code())
        .bind(input.url.clone())
        .bind(input.method.code())
        .bind(input.headers.clone())
        .bind(input.body_template.clone())
        .bind(input.active as i64)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let g = gateway_on(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            &Author::from(actor),
            AuditAction::Create,
            AuditEntity::Gateway,
            id,
            None,
            None::<&Gateway>,
            Some(&g),
        )
        .await?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn update_gateway(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &GatewayInput,
    ) -> Result<Gateway> {
        bureau(actor)?;
        let before = self.get_gateway(actor, id).await?;
        let mut tx = self.write_tx().await?;
        let n = sqlx::query(
            "UPDATE notify_gateways SET name = $1, kind = $2, url = $3, method = $4, headers = $5, body_template = $6, active = $7, \
             version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
        )
        .bind(input.name.clone())
        .bind(input.kind.code())
        .bind(input.url.clone())
        .bind(input.method.code())
        .bind(input.headers.clone())
        .bind(input.body_template.clone())
        .bind(input.active as i64)
        .bind(crate::now())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                expected: version,
                current: before.version,
            });
        }
        let after = gateway_on(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            &Author::from(actor),
            AuditAction::Update,
            AuditEntity::Gateway,
            id,
            None,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Queued deliveries (the worker's backlog), for the benchmark and the settings page.
    pub async fn queued_deliveries(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE status IN ('queued', 'sending')",
        )
        .fetch_one(self.pool())
        .await?)
    }
}

/// Writes a user's e-mail and mobile where given (`Some(None)` clears).
pub(crate) async fn write_contacts(
    conn: &mut AnyConnection,
    user_id: i64,
    c: &Contacts,
) -> Result<()> {
    if let Some(e) = &c.email {
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(e.clone())
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(m) = &c.mobile {
        sqlx::query("UPDATE users SET mobile = $1 WHERE id = $2")
            .bind(m.clone())
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
