//! Calendar data loaded into the database: national years added after release and each
//! jurisdiction's own rest days. The compiled [`Calendar`] layers them over the shipped data.

use std::collections::BTreeSet;

use huajie_domain::calendar::{Calendar, CalendarEntry, DayKind};

use huajie_domain::records::Recomputed;
use sqlx::AnyConnection;

use crate::audit::{self, Author};
use crate::sql::{get_i64, get_str, parse_day};
use crate::{Result, Store};
use huajie_domain::audit::{AuditAction, AuditEntity};

fn kind_code(k: DayKind) -> &'static str {
    match k {
        DayKind::Holiday => "holiday",
        DayKind::Workday => "workday_on_weekend",
    }
}

impl Store {
    /// Replaces the national calendar of the given years (or, with `jurisdiction`, that
    /// jurisdiction's local days of those years) by `entries`, and recomputes every open
    /// deadline it affects, recording why — all in one transaction.
    pub async fn import_calendar(
        &self,
        by: &Author,
        jurisdiction: Option<i64>,
        entries: &[CalendarEntry],
        years: &BTreeSet<i16>,
        source: &str,
    ) -> Result<Recomputed> {
        let j = jurisdiction.unwrap_or(0);
        let mut tx = self.write_tx().await?;
        for y in years {
            sqlx::query(
                "DELETE FROM calendar_days WHERE jurisdiction_id = $1 AND day >= $2 AND day <= $3",
            )
            .bind(j)
            .bind(format!("{y:04}-01-01"))
            .bind(format!("{y:04}-12-31"))
            .execute(&mut *tx)
            .await?;
            if jurisdiction.is_none() {
                sqlx::query("INSERT INTO calendar_years (year, source, imported_at) VALUES ($1, $2, $3) ON CONFLICT (year) DO UPDATE SET source = $2, imported_at = $3")
                    .bind(*y as i64)
                    .bind(source.to_string())
                    .bind(crate::now())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for e in entries {
            sqlx::query("INSERT INTO calendar_days (jurisdiction_id, day, kind, name) VALUES ($1, $2, $3, $4)")
                .bind(j)
                .bind(e.date.to_string())
                .bind(kind_code(e.kind))
                .bind(e.name.clone())
                .execute(&mut *tx)
                .await?;
        }
        let note = serde_json::json!({"jurisdiction_id": jurisdiction, "years": years, "days": entries.len(), "source": source});
        audit::record(
            &mut tx,
            by,
            AuditAction::Import,
            AuditEntity::Calendar,
            j,
            None,
            None::<&()>,
            Some(&note),
        )
        .await?;
        let years_text: Vec<String> = years.iter().map(|y| y.to_string()).collect();
        let reason = match jurisdiction {
            None => format!(
                "日历变更（导入 {} 年全国节假日安排，来源：{source}）",
                years_text.join("、")
            ),
            Some(_) => format!(
                "日历变更（导入本地区 {} 年调整休息日，来源：{source}）",
                years_text.join("、")
            ),
        };
        let counts = crate::deadlines::recompute(&mut tx, by, jurisdiction, &reason, false).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Years of the national calendar loaded into the database.
    pub async fn imported_years(&self) -> Result<BTreeSet<i16>> {
        let mut conn = self.pool().acquire().await?;
        imported_years_on(&mut conn).await
    }

    /// The calendar in force for a jurisdiction (`None`: national only): shipped years, then
    /// imported national years (replacing shipped data of the same year), then local days.
    pub async fn calendar(&self, jurisdiction: Option<i64>) -> Result<Calendar> {
        let mut conn = self.pool().acquire().await?;
        calendar_on(&mut conn, jurisdiction).await
    }
}

async fn calendar_rows(conn: &mut AnyConnection, jurisdiction: i64) -> Result<Vec<CalendarEntry>> {
    let rows = sqlx::query(
        "SELECT day, kind, name FROM calendar_days WHERE jurisdiction_id = $1 ORDER BY day",
    )
    .bind(jurisdiction)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let day = parse_day(&get_str(r, "day")?)?;
            let kind = if get_str(r, "kind")? == "holiday" {
                DayKind::Holiday
            } else {
                DayKind::Workday
            };
            Ok(CalendarEntry {
                date: day,
                kind,
                name: get_str(r, "name")?,
            })
        })
        .collect()
}

async fn imported_years_on(conn: &mut AnyConnection) -> Result<BTreeSet<i16>> {
    let rows = sqlx::query("SELECT year FROM calendar_years ORDER BY year")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok(get_i64(r, "year")? as i16))
        .collect()
}

/// [`Store::calendar`] on a given connection (inside a transaction it sees uncommitted rows).
pub(crate) async fn calendar_on(
    conn: &mut AnyConnection,
    jurisdiction: Option<i64>,
) -> Result<Calendar> {
    let imported = imported_years_on(conn).await?;
    let notices = calendar_rows(conn, 0).await?;
    let local = match jurisdiction {
        Some(j) => calendar_rows(conn, j).await?,
        None => Vec::new(),
    };
    Ok(Calendar::national_with(notices, &imported, local))
}
