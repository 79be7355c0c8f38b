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

/// Statements run on one connection, as someone with the database file or the owner role would.
async fn behind_the_back(raw: &sqlx::AnyPool, statements: &[&str]) {
    let mut c = raw.acquire().await.unwrap();
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut *c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Tamper evidence (issue 15, point 4): rows written before the chain are sealed on upgrade;
/// concurrent writers never fork the chain; a row edited, a row removed or the tail cut behind
/// the application's back (its trigger dropped or disabled) is found by `verify_audit`, which
/// names the first broken row; sealed rows cannot be re-sealed.
async fn chain(url: &str, postgres: bool) {
    let store = Store::connect(url, 4).await.unwrap();
    store.migrate_to(17).await.unwrap();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    let exec = |sql: String| {
        let raw = raw.clone();
        async move {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&raw)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    };
    for i in 1..=3 {
        exec(format!(
            "INSERT INTO audit_events (at, actor_id, actor_name, action, entity, entity_id) VALUES ('2024-01-0{i}T00:00:00.000Z', NULL, 'legacy', 'create', 'unit', {i})"
        ))
        .await;
    }
    store.migrate().await.unwrap();
    let c = store.verify_audit(None).await.unwrap();
    assert_eq!(c.broken, None, "{c:?}");
    assert!(c.rows >= 3);
    // Concurrent writers: the chain stays one line.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..16 {
        let store = store.clone();
        set.spawn(async move {
            let input = UnitInput {
                name: format!("链测试县{i}"),
                short_name: None,
                kind: UnitKind::County,
                parent_id: None,
                code: None,
                contact_phone: None,
                active: true,
            };
            store
                .create_unit(&Author::system("test"), &input, None)
                .await
                .unwrap();
        });
    }
    set.join_all().await;
    let c = store.verify_audit(None).await.unwrap();
    assert_eq!(c.broken, None, "{c:?}");
    let total = store.audit_count().await.unwrap();
    assert_eq!(c.rows, total);
    let quick = store.verify_audit(Some(5)).await.unwrap();
    assert_eq!((quick.rows, quick.partial, quick.broken), (5, true, None));
    // The trigger still refuses an edit and a second seal.
    for sql in [
        "UPDATE audit_events SET actor_name = 'x' WHERE id = 2",
        "UPDATE audit_events SET row_hash = 'x', prev_hash = 'y' WHERE id = 2",
    ] {
        let e = sqlx::query(sql).execute(&raw).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    // Behind the application's back: trigger off, a row edited, trigger on.
    let (off, on) = if postgres {
        (
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
            "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update",
        )
    } else {
        (
            "DROP TRIGGER audit_events_no_update",
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        )
    };
    behind_the_back(
        &raw,
        &[
            off,
            "UPDATE audit_events SET actor_name = '伪造' WHERE id = 5",
            on,
        ],
    )
    .await;
    let c = store.verify_audit(None).await.unwrap();
    let (id, why) = c.broken.clone().expect("the edit is found");
    assert_eq!(id, 5, "{c:?}");
    assert!(why.contains("内容与封存哈希不符"), "{why}");
    // A row removed: the next one's link breaks.
    let (off, on) = if postgres {
        (
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
            "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update",
        )
    } else {
        (
            "DROP TRIGGER audit_events_no_delete",
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        )
    };
    behind_the_back(
        &raw,
        &[off, "DELETE FROM audit_events WHERE id IN (4, 5)", on],
    )
    .await;
    let c = store.verify_audit(None).await.unwrap();
    assert_eq!(c.broken.as_ref().map(|b| b.0), Some(6), "{c:?}");
    assert!(c.broken.unwrap().1.contains("链接断开"));
    raw.close().await;
    store.close().await;
}

#[tokio::test]
async fn audit_chain_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    chain(
        &huajie_store::database_url(dir.path().join("c.db").to_str().unwrap()),
        false,
    )
    .await;
}

#[tokio::test]
async fn audit_chain_postgres() {
    let Some(db) = ScratchPg::create("audit_chain_postgres").await else {
        return;
    };
    chain(&db.url, true).await;
    db.drop().await;
}

/// The application's own PostgreSQL role (README "PostgreSQL roles"): after migrations run as
/// the owner, `huajie_app` starts the store without migrating, writes and audits as usual, and
/// can neither change nor delete audit rows nor disable the trigger that guards them.
#[tokio::test]
async fn app_role_cannot_touch_the_audit_log_postgres() {
    let Some(db) = ScratchPg::create("app_role_postgres").await else {
        return;
    };
    let Some(app_url) = db
        .url
        .contains("://postgres@")
        .then(|| db.url.replacen("://postgres@", "://huajie_app@", 1))
    else {
        eprintln!("SKIPPED app_role_cannot_touch_the_audit_log_postgres: needs a postgres@ URL");
        db.drop().await;
        return;
    };
    // The role is cluster-wide: created once, kept for later runs.
    let _ = sqlx::query("CREATE ROLE huajie_app LOGIN")
        .execute(&db.admin)
        .await;
    let owner = Store::connect(&db.url, 2).await.unwrap();
    owner.migrate().await.unwrap();
    owner.close().await;
    let app = Store::connect(&app_url, 2).await.unwrap();
    app.migrate().await.unwrap();
    let input = UnitInput {
        name: "角色测试县".into(),
        short_name: None,
        kind: UnitKind::County,
        parent_id: None,
        code: None,
        contact_phone: None,
        active: true,
    };
    app.create_unit(&Author::system("test"), &input, None)
        .await
        .unwrap();
    let raw = sqlx::AnyPool::connect(&app_url).await.unwrap();
    for (sql, refusal) in [
        (
            "UPDATE audit_events SET actor_name = 'x'",
            "permission denied",
        ),
        ("DELETE FROM audit_events", "permission denied"),
        ("TRUNCATE audit_events", "permission denied"),
        (
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
            "must be owner",
        ),
        (
            "DROP TRIGGER audit_events_no_update ON audit_events",
            "must be owner",
        ),
        ("DELETE FROM audit_head", "permission denied"),
    ] {
        let e = sqlx::query(sql)
            .execute(&raw)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains(refusal), "{sql}: {e}");
    }
    let c = app.verify_audit(None).await.unwrap();
    assert_eq!(c.broken, None);
    raw.close().await;
    app.close().await;
    db.drop().await;
}
