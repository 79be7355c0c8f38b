//! Upgrading a database with data: migration 0009 turns every stored unit deadline into one
//! obligation per defendant-side unit, keeping met and waived states; loss-only obligations
//! stay only with the units that lost; rights and court limits get their nature. Migration
//! 0015 (work subjects) rebuilds events and deadlines on SQLite: every row keeps its id, its
//! proceeding and its state, becomes occurrence 1 of no work item, and ids are still never
//! reused; a row must name exactly one subject.

use huajie_store::Store;

async fn exec(pool: &sqlx::AnyPool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

const NOW: &str = "2024-12-01T00:00:00Z";

async fn check(url: &str) {
    let store = Store::connect(url, 2).await.unwrap();
    store.migrate_to(8).await.unwrap();
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    for sql in [
        format!(
            "INSERT INTO units (id, name, kind, parent_id, jurisdiction_id, active, version, created_at, updated_at) VALUES (1, '升级县', 'county', NULL, NULL, 1, 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO units (id, name, kind, parent_id, jurisdiction_id, active, version, created_at, updated_at) VALUES (2, '甲镇', 'township', 1, 1, 1, 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO units (id, name, kind, parent_id, jurisdiction_id, active, version, created_at, updated_at) VALUES (3, '乙局', 'county_department', 1, 1, 1, 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO disputes (id, jurisdiction_id, title, domain, version, created_at, updated_at) VALUES (1, 1, '张三与甲镇争议', 'expropriation', 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO proceedings (id, dispute_id, jurisdiction_id, kind, case_no, status, domain, claimant_count, registered_on, version, created_at, updated_at) VALUES (1, 1, 1, 'first_instance', '（2024）浙0699行初1号', 'pending', 'expropriation', 1, '2024-09-10', 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO parties (id, proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at) VALUES (1, 1, 'claimant', 'person', '张三', NULL, '2024-09-10', 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO parties (id, proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at) VALUES (2, 1, 'defendant', 'agency', '甲镇', 2, '2024-09-10', 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO parties (id, proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at) VALUES (3, 1, 'co_defendant', 'agency', '乙局', 3, '2024-09-10', 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO outcomes (id, proceeding_id, party_id, code, decided_on, grounds, version, created_at, updated_at) VALUES (1, 1, 2, 'revoke', '2024-11-01', '', 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO outcomes (id, proceeding_id, party_id, code, decided_on, grounds, version, created_at, updated_at) VALUES (2, 1, 3, 'reject_claims', '2024-11-01', '', 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO events (id, proceeding_id, kind, occurred_on, version, created_at, updated_at) VALUES (1, 1, 'complaint_copy_received', '2024-09-20', 1, '{NOW}', '{NOW}')"
        ),
        format!(
            "INSERT INTO events (id, proceeding_id, kind, occurred_on, version, created_at, updated_at) VALUES (2, 1, 'judgment_effective', '2024-12-01', 1, '{NOW}', '{NOW}')"
        ),
    ] {
        exec(&raw, &sql).await;
    }
    let deadline = |id: i64, event: i64, rule: &str, due: &str, resp: &str, state: &str| {
        format!(
            "INSERT INTO deadlines (id, proceeding_id, jurisdiction_id, event_id, rule_id, name, due_on, responsible, severity, citation, trace, provisional, {state}, version, created_at, updated_at) \
             VALUES ({id}, 1, 1, {event}, '{rule}', '{rule}', '{due}', '{resp}', 'high', 'c', 't', 0, {values}, 1, '{NOW}', '{NOW}')",
            state = match state {
                "met" => "met_on, done",
                "waived" => "waived_reason, done",
                _ => "done",
            },
            values = match state {
                "met" => "'2024-10-01', 1",
                "waived" => "'撤诉', 1",
                _ => "0",
            },
        )
    };
    for sql in [
        deadline(1, 1, "ANSWER_AND_EVIDENCE", "2024-10-08", "unit", "met"),
        deadline(
            2,
            1,
            "EVIDENCE_EXTENSION_APPLY",
            "2024-10-08",
            "unit",
            "waived",
        ),
        deadline(3, 2, "LOSS_REPORT", "2024-12-21", "unit", "open"),
        deadline(4, 2, "ENFORCEMENT_APPLY", "2026-12-01", "claimant", "open"),
        deadline(5, 2, "RETRIAL_APPLY", "2025-06-01", "unit", "open"),
    ] {
        exec(&raw, &sql).await;
    }
    if url.starts_with("postgres") {
        // Rows were given explicit ids above: move the identity sequences past them, as the
        // bulk loader does after its loads.
        for t in [
            "units",
            "disputes",
            "proceedings",
            "parties",
            "outcomes",
            "events",
            "deadlines",
        ] {
            exec(
                &raw,
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
                ),
            )
            .await;
        }
    }

    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // the one-time step runs once

    let rows = sqlx::query(
        "SELECT rule_id, unit_id, nature, met_on, waived_reason, done FROM deadlines ORDER BY rule_id, unit_id",
    )
    .fetch_all(&raw)
    .await
    .unwrap();
    use sqlx::Row;
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {}",
                r.get::<String, _>("rule_id"),
                r.get::<Option<i64>, _>("unit_id")
                    .map_or("-".into(), |u| u.to_string()),
                r.get::<String, _>("nature"),
                r.get::<Option<String>, _>("met_on").unwrap_or("-".into()),
                r.get::<Option<String>, _>("waived_reason")
                    .unwrap_or("-".into()),
                r.get::<i64, _>("done"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "ANSWER_AND_EVIDENCE 2 duty 2024-10-01 - 1",
            "ANSWER_AND_EVIDENCE 3 duty 2024-10-01 - 1",
            "ENFORCEMENT_APPLY - right - - 0",
            "EVIDENCE_EXTENSION_APPLY 2 right - 撤诉 1",
            "EVIDENCE_EXTENSION_APPLY 3 right - 撤诉 1",
            "LOSS_REPORT 2 duty - - 0",
            "RETRIAL_APPLY 2 right - - 0",
            "RETRIAL_APPLY 3 right - - 0",
        ]
    );
    // The existing row keeps its id (and so its audit history) for the first unit.
    let first: i64 = sqlx::query_scalar("SELECT unit_id FROM deadlines WHERE id = 1")
        .fetch_one(&raw)
        .await
        .unwrap();
    assert_eq!(first, 2);
    // Migration 0015: the rows stay the proceeding's, occurrence 1, no work item.
    let subjects: Vec<(i64, Option<i64>, i64)> =
        sqlx::query("SELECT proceeding_id, work_item_id, occurrence FROM deadlines ORDER BY id")
            .fetch_all(&raw)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.get("proceeding_id"),
                    r.get("work_item_id"),
                    r.get("occurrence"),
                )
            })
            .collect();
    assert_eq!(subjects.len(), 8);
    assert!(subjects.iter().all(|s| *s == (1, None, 1)), "{subjects:?}");
    let events: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM events WHERE proceeding_id = 1 ORDER BY id")
            .fetch_all(&raw)
            .await
            .unwrap();
    assert_eq!(events, [1, 2]);
    // A row with no subject, or with two, is refused by the schema.
    for (p, w) in [("NULL", "NULL"), ("1", "1")] {
        let sql = format!(
            "INSERT INTO events (proceeding_id, work_item_id, kind, occurred_on, version, created_at, updated_at) VALUES ({p}, {w}, 'case_filed', '2024-09-01', 1, '{NOW}', '{NOW}')"
        );
        assert!(
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&raw)
                .await
                .is_err(),
            "an event of proceeding {p} and work item {w} must be refused"
        );
    }
    // New ids continue past the old ones.
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "INSERT INTO events (proceeding_id, kind, occurred_on, version, created_at, updated_at) VALUES (1, 'case_filed', '2024-09-01', 1, '{NOW}', '{NOW}') RETURNING id"
    )))
    .fetch_one(&raw)
    .await
    .unwrap();
    assert!(id > 2, "new event id {id}");
    raw.close().await;
    store.close().await;
}

#[tokio::test]
async fn upgrade_splits_deadlines_per_unit_on_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    check(&huajie_store::database_url(
        dir.path().join("u.db").to_str().unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn upgrade_splits_deadlines_per_unit_on_postgres() {
    let Ok(base) = std::env::var("HUAJIE_TEST_PG_URL") else {
        eprintln!("SKIPPED upgrade_splits_deadlines_per_unit_on_postgres: set HUAJIE_TEST_PG_URL");
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("huajie_upgrade_{}", std::process::id());
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
