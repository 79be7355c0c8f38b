//! Migration 0022: every supervision work item issued before becomes a 督办单 with a 文号,
//! numbered per jurisdiction and year in issue order; other work items are left alone; the
//! next order issued takes the next number of its year.

use huajie_store::Store;
use sqlx::Row;

const NOW: &str = "2026-03-01T00:00:00Z";

async fn exec(pool: &sqlx::AnyPool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn item(id: i64, kind: &str, opened: &str) -> String {
    format!(
        "INSERT INTO work_items (id, jurisdiction_id, kind, title, status, opened_on, created_by_name, version, created_at, updated_at) \
         VALUES ({id}, 1, '{kind}', '事项{id}', 'open', '{opened}', '协调员', 1, '{NOW}', '{NOW}')"
    )
}

async fn check(url: &str) {
    let store = Store::connect(url, 2).await.unwrap();
    store.migrate_to(21).await.unwrap();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    exec(
        &raw,
        &format!(
            "INSERT INTO units (id, name, kind, parent_id, jurisdiction_id, active, version, created_at, updated_at) VALUES (1, '升级县', 'county', NULL, NULL, 1, 1, '{NOW}', '{NOW}')"
        ),
    )
    .await;
    for sql in [
        item(1, "supervision", "2025-11-03"),
        item(2, "risk_warning", "2026-01-05"),
        item(3, "supervision", "2026-02-10"),
        item(4, "supervision", "2026-01-20"),
    ] {
        exec(&raw, &sql).await;
    }
    store.migrate().await.unwrap();
    let rows: Vec<(i64, i64, i64)> = sqlx::query(
        "SELECT work_item_id, doc_year, doc_seq FROM supervision_orders ORDER BY work_item_id",
    )
    .fetch_all(&raw)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    assert_eq!(rows, [(1, 2025, 1), (3, 2026, 2), (4, 2026, 1)]);
    raw.close().await;
    store.close().await;
}

#[tokio::test]
async fn supervision_items_become_numbered_orders_on_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    check(&huajie_store::database_url(
        dir.path().join("s.db").to_str().unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn supervision_items_become_numbered_orders_on_postgres() {
    let Ok(base) = std::env::var("HUAJIE_TEST_PG_URL") else {
        eprintln!(
            "SKIPPED supervision_items_become_numbered_orders_on_postgres: set HUAJIE_TEST_PG_URL"
        );
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("huajie_supervision_upgrade_{}", std::process::id());
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
