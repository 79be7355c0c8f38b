//! The audit log is append-only on both engines, and a write commits with its audit event.

use huajie_domain::unit::{UnitInput, UnitKind};
use huajie_store::Store;
use huajie_store::audit::Author;

/// A fresh PostgreSQL database for one test, when HUAJIE_TEST_PG_URL is set.
struct ScratchPg {
    admin: sqlx::AnyPool,
    name: String,
    url: String,
}

impl ScratchPg {
    async fn create(test: &str) -> Option<ScratchPg> {
        let Ok(base) = std::env::var("HUAJIE_TEST_PG_URL") else {
            eprintln!("SKIPPED {test}: set HUAJIE_TEST_PG_URL to run it");
            return None;
        };
        sqlx::any::install_default_drivers();
        let name = format!("huajie_{test}_{}", std::process::id());
        let admin = sqlx::AnyPool::connect(&base)
            .await
            .expect("connect to HUAJIE_TEST_PG_URL");
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&admin)
        .await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .unwrap();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        Some(ScratchPg { admin, name, url })
    }

    async fn drop(self) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {} WITH (FORCE)",
            self.name
        )))
        .execute(&self.admin)
        .await
        .unwrap();
    }
}

async fn check(url: &str) {
    let store = Store::connect(url, 2).await.unwrap();
    store.migrate().await.unwrap();
    let before = store.audit_count().await.unwrap();
    let input = UnitInput {
        name: "审计测试县".into(),
        short_name: None,
        kind: UnitKind::County,
        parent_id: None,
        code: None,
        contact_phone: None,
        active: true,
    };
    let unit = store
        .create_unit(&Author::system("test"), &input, None)
        .await
        .unwrap();
    assert_eq!(store.audit_count().await.unwrap(), before + 1);
    let history = store.history("unit", unit.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, "create");
    assert_eq!(history[0].after.as_ref().unwrap()["name"], "审计测试县");
    // A failed write leaves no audit event behind.
    let dup = store
        .create_unit(&Author::system("test"), &input, None)
        .await;
    assert!(dup.is_err());
    assert_eq!(store.audit_count().await.unwrap(), before + 1);
    // Tampering is refused by the database itself.
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    let upd = sqlx::query("UPDATE audit_events SET actor_name = 'x'")
        .execute(&raw)
        .await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM audit_events").execute(&raw).await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    assert_eq!(store.audit_count().await.unwrap(), before + 1);
    raw.close().await;
    store.close().await;
}

#[tokio::test]
async fn audit_is_append_only_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    check(&huajie_store::database_url(
        dir.path().join("a.db").to_str().unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn audit_is_append_only_postgres() {
    let Some(db) = ScratchPg::create("audit_is_append_only_postgres").await else {
        return;
    };
    check(&db.url).await;
    db.drop().await;
}

/// Regression: concurrent read-then-write transactions on SQLite used to fail with SQLITE_BUSY
/// (a deferred transaction cannot upgrade its snapshot after another write), seen as a 500
/// under load. Writes now begin with BEGIN IMMEDIATE and wait for the lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_do_not_fail_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(
        &huajie_store::database_url(dir.path().join("c.db").to_str().unwrap()),
        8,
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let by = Author::system("test");
    let county = store
        .create_unit(
            &by,
            &UnitInput {
                name: "并发县".into(),
                short_name: None,
                kind: UnitKind::County,
                parent_id: None,
                code: None,
                contact_phone: None,
                active: true,
            },
            None,
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let store = store.clone();
        let by = by.clone();
        tasks.push(tokio::spawn(async move {
            let input = UnitInput {
                name: format!("单位{i}"),
                short_name: None,
                kind: UnitKind::Township,
                parent_id: Some(county.id),
                code: None,
                contact_phone: None,
                active: true,
            };
            store.create_unit(&by, &input, None).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("every concurrent write succeeds");
    }
    assert_eq!(store.list_units(None).await.unwrap().len(), 65);
}

async fn calendar_layers(url: &str) {
    use huajie_domain::calendar::{CalendarEntry, DayKind, Period};
    use jiff::civil::date;
    let store = Store::connect(url, 2).await.unwrap();
    store.migrate().await.unwrap();
    let by = Author::system("test");
    let start = date(2026, 12, 20);
    let before = store
        .calendar(None)
        .await
        .unwrap()
        .due(start, Period::CalendarDays(15))
        .unwrap();
    assert_eq!((before.due, before.provisional), (date(2027, 1, 4), true));
    let entries = vec![
        CalendarEntry {
            date: date(2027, 1, 1),
            kind: DayKind::Holiday,
            name: "元旦".into(),
        },
        CalendarEntry {
            date: date(2027, 1, 4),
            kind: DayKind::Holiday,
            name: "元旦".into(),
        },
    ];
    store
        .import_calendar(&by, None, &entries, &[2027].into(), "test")
        .await
        .unwrap();
    let after = store
        .calendar(None)
        .await
        .unwrap()
        .due(start, Period::CalendarDays(15))
        .unwrap();
    assert_eq!((after.due, after.provisional), (date(2027, 1, 5), false));
    // Re-importing a year replaces it; a jurisdiction's local rest day only affects that jurisdiction.
    store
        .import_calendar(&by, None, &entries[..1], &[2027].into(), "test")
        .await
        .unwrap();
    assert_eq!(
        store
            .calendar(None)
            .await
            .unwrap()
            .due(start, Period::CalendarDays(15))
            .unwrap()
            .due,
        date(2027, 1, 4)
    );
    let local = vec![CalendarEntry {
        date: date(2027, 1, 4),
        kind: DayKind::Holiday,
        name: "本地调休".into(),
    }];
    store
        .import_calendar(&by, Some(7), &local, &[2027].into(), "test")
        .await
        .unwrap();
    assert_eq!(
        store
            .calendar(Some(7))
            .await
            .unwrap()
            .due(start, Period::CalendarDays(15))
            .unwrap()
            .due,
        date(2027, 1, 5)
    );
    assert_eq!(
        store
            .calendar(Some(8))
            .await
            .unwrap()
            .due(start, Period::CalendarDays(15))
            .unwrap()
            .due,
        date(2027, 1, 4)
    );
    assert!(store.imported_years().await.unwrap().contains(&2027));
    store.close().await;
}

#[tokio::test]
async fn calendar_import_layers_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    calendar_layers(&huajie_store::database_url(
        dir.path().join("cal.db").to_str().unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn calendar_import_layers_postgres() {
    let Some(db) = ScratchPg::create("calendar_import_layers_postgres").await else {
        return;
    };
    calendar_layers(&db.url).await;
    db.drop().await;
}
