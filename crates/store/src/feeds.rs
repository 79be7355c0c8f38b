//! Calendar feeds (日历订阅): a secret URL per user or per unit, read by phone and desktop
//! calendars without a login. Only the SM3 hash of the secret is stored; revoking a feed, or
//! deactivating its creator, stops it at once, and its creator's password change, reset or
//! 全部退出 revokes it (`users::revoke_secrets`). Unit feeds are created only by those who
//! administer the unit (the coordinator, the unit's own staff), who list and revoke them.

use huajie_domain::access::{Actor, ProceedingScope};
use huajie_domain::records::{Deadline, Feed};
use huajie_domain::user::Role;
use jiff::civil::Date;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit;
use crate::deadlines::{DeadlineQuery, StateFilter, parse_cursor, today};
use crate::sql::{
    Params, get_enum, get_i64, get_opt_i64, get_opt_str, get_str, query, scope_clause,
};
use crate::units::unit_on;
use crate::{Result, Store, StoreError};
use huajie_domain::audit::{AuditAction, AuditEntity};

/// A hearing as shown in a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedHearing {
    pub id: i64,
    pub proceeding_id: i64,
    pub case_label: String,
    /// Local (Beijing) time, `YYYY-MM-DDTHH:MM:SS`.
    pub scheduled_at: String,
    pub place: Option<String>,
    /// Whether anyone's appearance was recorded for it.
    pub recorded: bool,
}

/// What a feed shows: its name, the deadlines (recent and upcoming) and hearings.
#[derive(Debug, Clone)]
pub struct FeedContent {
    pub name: String,
    pub deadlines: Vec<Deadline>,
    pub hearings: Vec<FeedHearing>,
}

/// Days of history a feed keeps, and how far ahead it looks.
const FEED_PAST_DAYS: i64 = 60;
const FEED_AHEAD_DAYS: i64 = 400;

fn feed_row(r: &AnyRow) -> Result<Feed> {
    let unit_id = get_opt_i64(r, "unit_id")?;
    Ok(Feed {
        id: get_i64(r, "id")?,
        kind: if unit_id.is_some() { "unit" } else { "user" }.to_string(),
        user_id: get_opt_i64(r, "user_id")?,
        unit_id,
        created_by: get_str(r, "created_by")?,
        created_at: get_str(r, "created_at")?,
        url: None,
    })
}

const FEED_COLS: &str = "f.id, f.user_id, f.unit_id, f.created_by, f.created_at";

async fn check_unit(conn: &mut AnyConnection, actor: &Actor, unit_id: i64) -> Result<()> {
    match unit_on(conn, unit_id).await? {
        Some(u) if u.jurisdiction_id == actor.jurisdiction_id => {}
        _ => {
            return Err(huajie_domain::FieldError::new(
                "unit_id",
                "unknown_unit",
                format!("单位 {unit_id} 不存在或不属于本辖区"),
            )
            .into());
        }
    }
    // A unit's feed is for who administers it: the bureau's coordinator, or the unit's own
    // staff (for their unit only). Leaders, auditors and the court liaison subscribe to their
    // own view (a personal feed), which they can list and revoke.
    let own = matches!(actor.role, Role::UnitClerk | Role::UnitHead);
    if own && actor.unit_id != unit_id {
        return Err(StoreError::Forbidden("只能订阅本单位的日历".into()));
    }
    if !own && !actor.can_administer() {
        return Err(StoreError::Forbidden(
            "单位日历只能由司法局协调员或本单位人员订阅；请订阅“我的日历”".into(),
        ));
    }
    Ok(())
}

impl Store {
    /// Creates a feed for the actor (`unit_id` None) or for a unit, storing the secret's hash.
    pub async fn create_feed(
        &self,
        actor: &Actor,
        unit_id: Option<i64>,
        token_hash: &str,
    ) -> Result<Feed> {
        let mut tx = self.write_tx().await?;
        if let Some(u) = unit_id {
            check_unit(&mut tx, actor, u).await?;
        }
        let user_id = if unit_id.is_some() {
            None
        } else {
            Some(actor.user_id)
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO feeds (token_hash, user_id, unit_id, created_by_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(token_hash.to_string())
        .bind(user_id)
        .bind(unit_id)
        .bind(actor.user_id)
        .bind(actor.username.clone())
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        let sql = format!("SELECT {FEED_COLS} FROM feeds f WHERE f.id = $1");
        let feed = feed_row(&query(sql, vec![id.into()]).fetch_one(&mut *tx).await?)?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Create,
            AuditEntity::Feed,
            id,
            None,
            None::<&Feed>,
            Some(&feed),
        )
        .await?;
        tx.commit().await?;
        Ok(feed)
    }

    /// The actor's own feeds and the unit feeds they may manage (not revoked).
    pub async fn list_feeds(&self, actor: &Actor) -> Result<Vec<Feed>> {
        let mut params = Params::default();
        let me = params.push(actor.user_id);
        let units = if actor.can_administer() {
            format!(
                "f.unit_id IN (SELECT id FROM units WHERE jurisdiction_id = {})",
                params.push(actor.jurisdiction_id)
            )
        } else if matches!(actor.role, Role::UnitClerk | Role::UnitHead) {
            format!("f.unit_id = {}", params.push(actor.unit_id))
        } else {
            "1 = 0".to_string()
        };
        let sql = format!(
            "SELECT {FEED_COLS} FROM feeds f WHERE f.revoked_at IS NULL AND (f.user_id = {me} OR {units}) ORDER BY f.id"
        );
        let rows = query(sql, params.args).fetch_all(self.pool()).await?;
        rows.iter().map(feed_row).collect()
    }

    /// Revokes a feed the actor may manage; its URL stops working at once.
    pub async fn revoke_feed(&self, actor: &Actor, id: i64) -> Result<()> {
        let visible = self.list_feeds(actor).await?;
        let Some(feed) = visible.into_iter().find(|f| f.id == id) else {
            return Err(StoreError::NotFound);
        };
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE feeds SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &actor.into(),
            AuditAction::Revoke,
            AuditEntity::Feed,
            id,
            None,
            Some(&feed),
            None::<&Feed>,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The content of the feed with this secret hash, or `None` if there is no such live feed.
    pub async fn feed_content(&self, token_hash: &str) -> Result<Option<FeedContent>> {
        let row = sqlx::query(
            "SELECT f.user_id, f.unit_id, f.created_by_id FROM feeds f \
             WHERE f.token_hash = $1 AND f.revoked_at IS NULL \
             AND EXISTS (SELECT 1 FROM users c WHERE c.id = f.created_by_id AND c.active = 1)",
        )
        .bind(token_hash.to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut conn = self.pool().acquire().await?;
        // The actor whose view the feed shows: the user, or a clerk's view of the unit.
        let (actor, name) = match (get_opt_i64(&row, "user_id")?, get_opt_i64(&row, "unit_id")?) {
            (Some(uid), _) => {
                let r = sqlx::query(
                    "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, un.jurisdiction_id FROM users u \
                     JOIN units un ON un.id = u.unit_id WHERE u.id = $1 AND u.active = 1",
                )
                .bind(uid)
                .fetch_optional(&mut *conn)
                .await?;
                let Some(r) = r else { return Ok(None) };
                let actor = Actor {
                    user_id: uid,
                    username: get_str(&r, "username")?,
                    role: get_enum(&r, "role", Role::from_code)?,
                    unit_id: get_i64(&r, "unit_id")?,
                    jurisdiction_id: get_i64(&r, "jurisdiction_id")?,
                };
                (
                    actor,
                    format!("化解 · {}的期限与开庭", get_str(&r, "display_name")?),
                )
            }
            (None, Some(unit)) => {
                let Some(u) = unit_on(&mut conn, unit).await? else {
                    return Ok(None);
                };
                if !u.active {
                    return Ok(None);
                }
                let actor = Actor {
                    user_id: get_opt_i64(&row, "created_by_id")?.unwrap_or(0),
                    username: "feed".into(),
                    role: Role::UnitClerk,
                    unit_id: u.id,
                    jurisdiction_id: u.jurisdiction_id,
                };
                (actor, format!("化解 · {}的期限与开庭", u.name))
            }
            (None, None) => return Ok(None),
        };
        drop(conn);
        let today = today();
        let span = |d: i64| {
            today
                .checked_add(jiff::Span::new().days(d))
                .unwrap_or(today)
        };
        let mut deadlines = Vec::new();
        let mut q = DeadlineQuery {
            mine: true,
            state: StateFilter::All,
            due_from: Some(span(-FEED_PAST_DAYS)),
            due_to: Some(span(FEED_AHEAD_DAYS)),
            limit: 500,
            ..DeadlineQuery::default()
        };
        // Up to 2,000 deadlines: a calendar app shows no more usefully.
        for _ in 0..4 {
            let page = self.list_deadlines(&actor, &q).await?;
            deadlines.extend(page.items);
            match page.next.as_deref().and_then(parse_cursor) {
                Some(c) => q.after = Some(c),
                None => break,
            }
        }
        let hearings = self
            .hearings_between(&actor, span(-FEED_PAST_DAYS), span(FEED_AHEAD_DAYS))
            .await?;
        Ok(Some(FeedContent {
            name,
            deadlines,
            hearings,
        }))
    }

    /// Hearings in the actor's scope scheduled between two days (inclusive), at most 2,000.
    pub async fn hearings_between(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
    ) -> Result<Vec<FeedHearing>> {
        self.hearings_in(actor, from, to, false).await
    }

    /// Hearings held between two days with no appearance recorded yet (a to-do: 登记出庭情况).
    pub async fn hearings_without_appearances(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
    ) -> Result<Vec<FeedHearing>> {
        self.hearings_in(actor, from, to, true).await
    }

    async fn hearings_in(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
        unrecorded: bool,
    ) -> Result<Vec<FeedHearing>> {
        let mut params = Params::default();
        let a = params.push(from.to_string());
        let b = params.push(format!("{to}T23:59:59"));
        let unrecorded = if unrecorded {
            " AND NOT EXISTS (SELECT 1 FROM appearances ap WHERE ap.hearing_id = h.id)"
        } else {
            ""
        };
        let cols = "h.id, h.proceeding_id, h.scheduled_at, h.place, COALESCE(p.case_no, p.reference_no, '') AS case_label, \
             CASE WHEN EXISTS (SELECT 1 FROM appearances ra WHERE ra.hearing_id = h.id) THEN 1 ELSE 0 END AS recorded";
        let sql = match actor.proceeding_scope() {
            // A unit's hearings: an index range of hearing_units (one row per hearing and unit
            // that is a party, kept by triggers), so only the unit's hearings are read.
            ProceedingScope::Unit {
                jurisdiction_id,
                unit_id,
            } => {
                let u = params.push(unit_id);
                let j = params.push(jurisdiction_id);
                format!(
                    "SELECT {cols} FROM hearing_units hu JOIN hearings h ON h.id = hu.hearing_id \
                     JOIN proceedings p ON p.id = h.proceeding_id \
                     WHERE hu.unit_id = {u} AND hu.scheduled_at >= {a} AND hu.scheduled_at <= {b} \
                     AND p.jurisdiction_id = {j}{unrecorded} ORDER BY hu.scheduled_at, hu.hearing_id LIMIT 2000"
                )
            }
            scope => {
                let scope = scope_clause(scope, &mut params);
                format!(
                    "SELECT {cols} FROM hearings h JOIN proceedings p ON p.id = h.proceeding_id \
                     WHERE h.scheduled_at >= {a} AND h.scheduled_at <= {b} AND {scope}{unrecorded} \
                     ORDER BY h.scheduled_at, h.id LIMIT 2000"
                )
            }
        };
        let rows = query(sql, params.args).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(FeedHearing {
                    id: get_i64(r, "id")?,
                    proceeding_id: get_i64(r, "proceeding_id")?,
                    case_label: get_str(r, "case_label")?,
                    scheduled_at: get_str(r, "scheduled_at")?,
                    place: get_opt_str(r, "place")?,
                    recorded: get_i64(r, "recorded")? != 0,
                })
            })
            .collect()
    }
}
