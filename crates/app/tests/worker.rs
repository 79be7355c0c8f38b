//! The delivery worker as real processes: two `huajie serve` instances on one PostgreSQL deliver
//! every queued message exactly once (each instance doing part of the work), and a
//! `huajie worker` killed with SIGKILL mid-batch loses nothing: a second worker takes the
//! interrupted deliveries when their lease ends, and only those can arrive twice (with the same
//! Message-ID, for the receiving side to drop).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use huajie_domain::notify::MessageKind;
use huajie_domain::unit::{UnitInput, UnitKind};
use huajie_domain::user::{Role, UserInput};
use huajie_notify::sink::Sink;
use huajie_store::Store;
use huajie_store::audit::Author;
use huajie_store::notify::{Notice, To};

/// A county with one user who has an e-mail address, and `n` messages queued for them.
async fn queue(url: &str, n: usize) -> Store {
    let store = Store::connect(url, 4).await.unwrap();
    store.migrate().await.unwrap();
    let by = Author::system("test");
    let unit = |name: &str, kind, parent| UnitInput {
        name: name.into(),
        short_name: None,
        kind,
        parent_id: parent,
        code: None,
        contact_phone: None,
        active: true,
    };
    let county = store
        .create_unit(&by, &unit("测试县", UnitKind::County, None), None)
        .await
        .unwrap()
        .id;
    let town = store
        .create_unit(
            &by,
            &unit("甲镇人民政府", UnitKind::Township, Some(county)),
            None,
        )
        .await
        .unwrap()
        .id;
    let user = store
        .create_user(
            &by,
            &UserInput {
                username: "clerk".into(),
                display_name: "联络员".into(),
                role: Role::UnitClerk,
                unit_id: town,
                active: true,
                contacts: huajie_domain::notify::Contacts {
                    email: Some(Some("clerk@jiazhen.test.cn".into())),
                    mobile: None,
                },
            },
            "x",
            None,
        )
        .await
        .unwrap();
    let now = huajie_store::clock::now();
    for i in 0..n {
        let notice = Notice {
            jurisdiction_id: county,
            kind: MessageKind::DueSoon,
            key: format!("worker-test:{i}"),
            title: format!("即将到期：第{i}项"),
            body: "请按时完成。".into(),
            link: None,
            proceeding_id: None,
            deadline_id: None,
            work_item_id: None,
        };
        store
            .notify(now, &notice, &[To::Users(vec![user.id])])
            .await
            .unwrap();
    }
    store
}

fn spawn(url: &str, args: &[&str], sink: &Sink, extra: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huajie"));
    cmd.arg("--database")
        .arg(url)
        .args(args)
        .env("HUAJIE_LOG", "error")
        .env("HUAJIE_SMTP_URL", sink.url())
        .env("HUAJIE_SMTP_FROM", "化解系统 <huajie@sfj.test.cn>")
        .env("HUAJIE_DELIVERY_POLL_MS", "50")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

async fn wait_for(sink: &Sink, n: usize, limit: Duration) {
    let start = Instant::now();
    while sink.count() < n && start.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn message_ids(sink: &Sink) -> (usize, std::collections::BTreeMap<String, usize>) {
    let mails = sink.mails();
    let mut ids = std::collections::BTreeMap::new();
    for m in &mails {
        *ids.entry(m.message_id()).or_insert(0) += 1;
    }
    (mails.len(), ids)
}

async fn scalar(url: &str, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let v: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    v
}

async fn scratch_pg(test: &str) -> Option<(String, sqlx::AnyPool, String)> {
    let Ok(base) = std::env::var("HUAJIE_TEST_PG_URL") else {
        eprintln!(
            "SKIPPED {test}: set HUAJIE_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it"
        );
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("huajie_{test}_{}", std::process::id());
    let admin = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let i = base.rfind('/').unwrap();
    Some((format!("{}/{name}", &base[..i]), admin, name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_deliver_each_message_once() {
    let Some((url, admin, name)) = scratch_pg("two_servers").await else {
        return;
    };
    const N: usize = 600;
    let store = queue(&url, N).await;
    let sink = Sink::start().await.unwrap();
    sink.set_delay(Duration::from_millis(2));
    let mut a = spawn(
        &url,
        &["serve", "--bind", "127.0.0.1:0"],
        &sink,
        &[("HUAJIE_DELIVERY_BATCH", "20")],
    );
    let mut b = spawn(
        &url,
        &["serve", "--bind", "127.0.0.1:0"],
        &sink,
        &[("HUAJIE_DELIVERY_BATCH", "20")],
    );
    wait_for(&sink, N, Duration::from_secs(120)).await;
    // A moment more: anything sent twice would arrive now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.kill().unwrap();
    b.kill().unwrap();
    let _ = (a.wait(), b.wait());
    let (count, ids) = message_ids(&sink);
    assert_eq!((count, ids.len()), (N, N), "every message once");
    assert_eq!(store.queued_deliveries().await.unwrap(), 0);
    let workers = scalar(&url, "SELECT COUNT(DISTINCT worker) FROM delivery_attempts").await;
    assert_eq!(workers, 2, "both instances delivered");
    let attempts = scalar(&url, "SELECT COUNT(*) FROM delivery_attempts").await;
    assert_eq!(attempts, N as i64, "one attempt per delivery");
    store.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .unwrap();
}

async fn killed_mid_batch(url: &str) {
    const N: usize = 300;
    let store = queue(url, N).await;
    let sink = Sink::start().await.unwrap();
    sink.set_delay(Duration::from_millis(20));
    let env = [
        ("HUAJIE_DELIVERY_BATCH", "50"),
        ("HUAJIE_DELIVERY_CONCURRENCY", "4"),
        ("HUAJIE_DELIVERY_LEASE_SECS", "3"),
    ];
    let mut first = spawn(url, &["worker"], &sink, &env);
    wait_for(&sink, 70, Duration::from_secs(60)).await;
    // SIGKILL: no chance to record anything.
    first.kill().unwrap();
    let _ = first.wait();
    let at_kill = sink.count();
    assert!(at_kill < N, "killed before the end ({at_kill})");
    let in_flight = scalar(
        url,
        "SELECT COUNT(*) FROM deliveries WHERE status = 'sending'",
    )
    .await;
    assert!(in_flight > 0, "the kill left deliveries mid-send");
    let mut second = spawn(url, &["worker"], &sink, &env);
    let start = Instant::now();
    loop {
        let (_, ids) = message_ids(&sink);
        if ids.len() >= N || start.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The second worker records its last batch after the mails are out.
    let start = Instant::now();
    while scalar(url, "SELECT COUNT(*) FROM deliveries WHERE status = 'sent'").await < N as i64
        && start.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    second.kill().unwrap();
    let _ = second.wait();
    let (count, ids) = message_ids(&sink);
    assert_eq!(ids.len(), N, "nothing lost");
    let twice: usize = ids.values().filter(|c| **c > 1).count();
    assert!(
        twice as i64 <= in_flight,
        "only deliveries in flight at the kill came twice ({twice} > {in_flight})"
    );
    assert!(ids.values().all(|c| *c <= 2));
    assert_eq!(count, N + twice);
    assert_eq!(
        scalar(url, "SELECT COUNT(*) FROM deliveries WHERE status = 'sent'").await,
        N as i64
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_batch_loses_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = huajie_store::database_url(dir.path().join("w.db").to_str().unwrap());
    killed_mid_batch(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_batch_loses_nothing_on_postgres() {
    let Some((url, admin, name)) = scratch_pg("killed_worker").await else {
        return;
    };
    killed_mid_batch(&url).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .unwrap();
}
