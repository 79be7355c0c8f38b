//! Migration 0016: `hearing_units` (each unit's hearings by date, read by a unit's workbench and
//! feeds) is filled from the existing hearings and parties, then kept equal to the join of
//! hearings and unit parties by triggers through every kind of write: a hearing added, moved to
//! another day or proceeding, removed; a party added, changed to another unit, removed.

use huajie_store::Store;
use sqlx::Row;

const NOW: &str = "2024-12-01T00:00:00Z";

async fn exec(pool: &sqlx::AnyPool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

type Rows = Vec<(i64, i64, String)>;

async fn rows(pool: &sqlx::AnyPool, sql: &str) -> Rows {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

/// The table equals the join it mirrors, and returns its rows.
async fn in_sync(pool: &sqlx::AnyPool, step: &str) -> Rows {
    let mirror = rows(
        pool,
        "SELECT hearing_id, unit_id, scheduled_at FROM hearing_units ORDER BY hearing_id, unit_id",
    )
    .await;
    let truth = rows(
        pool,
        "SELECT h.id, p.unit_id, h.scheduled_at FROM hearings h JOIN parties p ON p.proceeding_id = h.proceeding_id \
         WHERE p.unit_id IS NOT NULL ORDER BY h.id, p.unit_id",
    )
    .await;
    assert_eq!(mirror, truth, "after {step}");
    mirror
}

fn party(id: i64, proceeding: i64, unit: Option<i64>) -> String {
    let unit = unit.map_or("NULL".to_string(), |u| u.to_string());
    format!(
        "INSERT INTO parties (id, proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at) \
         VALUES ({id}, {proceeding}, 'defendant', 'agency', '单位{id}', {unit}, '2024-09-10', 1, '{NOW}', '{NOW}')"
    )
}

fn hearing(id: i64, proceeding: i64, at: &str) -> String {
    format!(
        "INSERT INTO hearings (id, proceeding_id, scheduled_at, version, created_at, updated_at) \
         VALUES ({id}, {proceeding}, '{at}', 1, '{NOW}', '{NOW}')"
    )
}

async fn check(url: &str) {
    let store = Store::connect(url, 2).await.unwrap();
    store.migrate_to(15).await.unwrap();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    for sql in [
        format!(
            "INSERT INTO units (id, name, kind, parent_id, jurisdiction_id, active, version, created_at, updated_at) VALUES (1, '同步县', 'county', NULL, NULL, 1, 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO units (id, name, kind, parent_id, jurisdiction_id, active, version, created_at, updated_at) VALUES (2, '甲镇', 'township', 1, 1, 1, 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO units (id, name, kind, parent_id, jurisdiction_id, active, version, created_at, updated_at) VALUES (3, '乙局', 'county_department', 1, 1, 1, 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO disputes (id, jurisdiction_id, title, domain, version, created_at, updated_at) VALUES (1, 1, '争议', 'expropriation', 1, '{NOW}', '{NOW}')"
        ),
    ] {
        exec(&raw, &sql).await;
    }
    for p in 1..=2 {
        exec(&raw, &format!(
            "INSERT INTO proceedings (id, dispute_id, jurisdiction_id, kind, case_no, status, domain, claimant_count, registered_on, version, created_at, updated_at) \
             VALUES ({p}, 1, 1, 'first_instance', '（2024）浙0699行初{p}号', 'pending', 'expropriation', 1, '2024-09-10', 1, '{NOW}', '{NOW}')"
        )).await;
    }
    // Before the migration: proceeding 1 with a claimant and unit 2, one hearing.
    exec(&raw, &party(1, 1, None)).await;
    exec(&raw, &party(2, 1, Some(2))).await;
    exec(&raw, &hearing(1, 1, "2024-10-10T09:00")).await;
    store.migrate().await.unwrap();
    assert_eq!(
        in_sync(&raw, "the migration").await,
        [(1, 2, "2024-10-10T09:00".to_string())]
    );

    // A co-defendant joins: it sees the hearing.
    exec(&raw, &party(3, 1, Some(3))).await;
    assert_eq!(in_sync(&raw, "a party added").await.len(), 2);
    // A second hearing, then moved to another day.
    exec(&raw, &hearing(2, 1, "2024-11-01T09:00")).await;
    assert_eq!(in_sync(&raw, "a hearing added").await.len(), 4);
    exec(
        &raw,
        "UPDATE hearings SET scheduled_at = '2024-11-05T14:30' WHERE id = 2",
    )
    .await;
    let after = in_sync(&raw, "a hearing moved").await;
    assert!(after.iter().any(|r| r.2 == "2024-11-05T14:30"));
    // A hearing moved to proceeding 2 (no unit parties there) leaves every unit's list.
    exec(&raw, "UPDATE hearings SET proceeding_id = 2 WHERE id = 2").await;
    assert_eq!(
        in_sync(&raw, "a hearing moved to another case").await.len(),
        2
    );
    exec(&raw, &party(4, 2, Some(2))).await;
    assert_eq!(in_sync(&raw, "a party of case 2 added").await.len(), 3);
    // A party changed to another unit, and a claimant given a unit.
    exec(&raw, "UPDATE parties SET unit_id = 3 WHERE id = 4").await;
    assert!(in_sync(&raw, "a party's unit changed").await.contains(&(
        2,
        3,
        "2024-11-05T14:30".to_string()
    )));
    exec(
        &raw,
        "UPDATE parties SET name = '乙局（更名）' WHERE id = 4",
    )
    .await;
    in_sync(&raw, "a party renamed").await;
    // A party removed, then a hearing removed.
    exec(&raw, "DELETE FROM parties WHERE id = 3").await;
    assert_eq!(in_sync(&raw, "a party removed").await.len(), 2);
    exec(&raw, "DELETE FROM hearings WHERE id = 1").await;
    assert_eq!(
        in_sync(&raw, "a hearing removed").await,
        [(2, 3, "2024-11-05T14:30".to_string())]
    );
    raw.close().await;
    store.close().await;
}

#[tokio::test]
async fn hearing_units_follow_hearings_and_parties_on_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    check(&huajie_store::database_url(
        dir.path().join("h.db").to_str().unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn hearing_units_follow_hearings_and_parties_on_postgres() {
    let Ok(base) = std::env::var("HUAJIE_TEST_PG_URL") else {
        eprintln!(
            "SKIPPED hearing_units_follow_hearings_and_parties_on_postgres: set HUAJIE_TEST_PG_URL"
        );
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("huajie_hearing_units_{}", std::process::id());
    let admin = sqlx::AnyPool::connect(&base).await.unwrap();
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&admin)
    .await;
    exec(&admin, &format!("CREATE DATABASE {name}")).await;
    let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
    check(&url).await;
    exec(&admin, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
}
