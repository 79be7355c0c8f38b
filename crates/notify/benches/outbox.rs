//! Outbox benchmark (issue 16): messages per second through the worker to a real SMTP
//! receiver, and the delay from a change to its mail with 10,000 messages queued.
//!
//! `cargo bench -p huajie-notify --bench outbox` (SQLite in a temporary directory); with
//! `HUAJIE_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres` also on PostgreSQL.
//!
//! Three figures per engine:
//! 1. **drain**: 10,000 e-mails queued, one worker (default settings) sends them all to the
//!    SMTP sink: messages/s.
//! 2. **steady**: 10,000 deliveries waiting in the table (held for quiet hours, so present but
//!    not due) while changes arrive at 100 messages/s for 20 s: delay from the committed change
//!    to the mail at the sink (p50 / p95 / max).
//! 3. **backlog**: the same 100 messages/s arriving while 10,000 due e-mails are still queued
//!    in front of them: the delay of the new messages (they wait behind the backlog, FIFO).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use huajie_domain::access::Actor;
use huajie_domain::notify::MessageKind;
use huajie_domain::unit::{UnitInput, UnitKind};
use huajie_domain::user::{Role, UserInput};
use huajie_notify::sink::Sink;
use huajie_notify::{Mailer, SmtpConfig, Worker, WorkerConfig};
use huajie_store::Store;
use huajie_store::audit::Author;
use huajie_store::notify::{Notice, To};

const QUEUED: usize = 10_000;
const RATE: u64 = 100;
const SECONDS: u64 = 20;

struct Setup {
    store: Store,
    county: i64,
    user: i64,
}

async fn setup(url: &str) -> Setup {
    let store = Store::connect(url, 8).await.unwrap();
    store.migrate().await.unwrap();
    let by = Author::system("bench");
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
                    mobile: Some(Some("13800001234".into())),
                },
            },
            "x",
            None,
        )
        .await
        .unwrap()
        .id;
    Setup {
        store,
        county,
        user,
    }
}

fn notice(s: &Setup, key: &str, kind: MessageKind) -> Notice {
    Notice {
        jurisdiction_id: s.county,
        kind,
        key: key.into(),
        title: format!("即将到期：{key}"),
        body: "（2026）浙0699行初701号 的 提交答辩状 还有 3 天到期（2026-03-05），请按时完成。"
            .into(),
        link: Some("/deadlines/1".into()),
        proceeding_id: None,
        deadline_id: None,
        work_item_id: None,
    }
}

async fn enqueue(s: &Setup, prefix: &str, n: usize, kind: MessageKind) -> Duration {
    let start = Instant::now();
    for i in 0..n {
        s.store
            .notify(
                huajie_store::clock::now(),
                &notice(s, &format!("{prefix}{i}"), kind),
                &[To::Users(vec![s.user])],
            )
            .await
            .unwrap();
    }
    start.elapsed()
}

fn worker(s: &Setup, sink: &Sink) -> Worker {
    let mailer =
        Mailer::new(&SmtpConfig::parse(&sink.url(), "化解系统 <huajie@sfj.test.cn>").unwrap())
            .unwrap();
    Worker::new(
        s.store.clone(),
        Some(mailer),
        WorkerConfig::from_env().unwrap(),
    )
}

/// Changes at RATE per second for SECONDS; returns each key's commit instant.
async fn produce(s: &Setup, prefix: &str) -> HashMap<String, Instant> {
    let mut committed = HashMap::new();
    let start = Instant::now();
    let total = RATE * SECONDS;
    for i in 0..total {
        let due = start + Duration::from_micros(i * 1_000_000 / RATE);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
        let key = format!("{prefix}{i}");
        s.store
            .notify(
                huajie_store::clock::now(),
                &notice(s, &key, MessageKind::DueSoon),
                &[To::Users(vec![s.user])],
            )
            .await
            .unwrap();
        committed.insert(format!("即将到期：{key}"), Instant::now());
    }
    committed
}

fn delays(sink: &Sink, committed: &HashMap<String, Instant>) -> (f64, f64, f64, usize) {
    let mut d: Vec<f64> = sink
        .mails()
        .iter()
        .filter_map(|m| {
            committed
                .get(&m.subject())
                .map(|c| m.at.saturating_duration_since(*c).as_secs_f64())
        })
        .collect();
    d.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| {
        d.get(((d.len() as f64 * p) as usize).min(d.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    (
        pct(0.5),
        pct(0.95),
        d.last().copied().unwrap_or(f64::NAN),
        d.len(),
    )
}

async fn wait_count(sink: &Sink, n: usize, limit: Duration) -> bool {
    let start = Instant::now();
    while sink.count() < n {
        if start.elapsed() > limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let mut fresh_sqlite = || {
        n += 1;
        huajie_store::database_url(dir.path().join(format!("bench{n}.db")).to_str().unwrap())
    };
    // Each phase gets its own database.
    let urls: Vec<String> = (0..3).map(|_| fresh_sqlite()).collect();
    run_phases("SQLite", &urls).await;
    if let Ok(base) = std::env::var("HUAJIE_BENCH_PG_URL") {
        sqlx::any::install_default_drivers();
        let admin = sqlx::AnyPool::connect(&base).await.unwrap();
        let mut urls = Vec::new();
        for i in 0..3 {
            let name = format!("huajie_outbox_bench_{i}_{}", std::process::id());
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
            urls.push((format!("{}/{name}", &base[..i]), name));
        }
        run_phases(
            "PostgreSQL",
            &urls.iter().map(|(u, _)| u.clone()).collect::<Vec<_>>(),
        )
        .await;
        for (_, name) in urls {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE {name} WITH (FORCE)"
            )))
            .execute(&admin)
            .await
            .unwrap();
        }
    } else {
        println!("(set HUAJIE_BENCH_PG_URL to measure PostgreSQL too)");
    }
}

async fn run_phases(engine: &str, urls: &[String]) {
    drain(engine, &urls[0]).await;
    steady(engine, &urls[1]).await;
    backlog(engine, &urls[2]).await;
}

async fn drain(engine: &str, url: &str) {
    let s = setup(url).await;
    let took = enqueue(&s, "drain-", QUEUED, MessageKind::DueSoon).await;
    println!(
        "[{engine}] enqueue: {QUEUED} messages in {:.1} s ({:.0} changes/s, one transaction each)",
        took.as_secs_f64(),
        QUEUED as f64 / took.as_secs_f64()
    );
    let sink = Sink::start().await.unwrap();
    let w = worker(&s, &sink);
    let start = Instant::now();
    let h = tokio::spawn(w.run(std::future::pending()));
    assert!(
        wait_count(&sink, QUEUED, Duration::from_secs(600)).await,
        "drain did not finish"
    );
    let secs = start.elapsed().as_secs_f64();
    h.abort();
    println!(
        "[{engine}] drain: {QUEUED} e-mails to the SMTP sink in {secs:.2} s = {:.0} messages/s",
        QUEUED as f64 / secs
    );
    s.store.close().await;
}

async fn steady(engine: &str, url: &str) {
    let s = setup(url).await;
    let coord = Actor {
        user_id: s.user,
        username: "bench".into(),
        role: Role::Coordinator,
        unit_id: s.county,
        jurisdiction_id: s.county,
    };
    let gateway = huajie_domain::notify::GatewayDraft {
        name: Some("短信".into()),
        url: Some("http://127.0.0.1:9/sms".into()),
        body_template: Some("{{text}}".into()),
        ..Default::default()
    };
    s.store
        .create_gateway(&coord, &gateway.validate().unwrap())
        .await
        .unwrap();
    // 10,000 SMS written "in the night" and held until 07:30 (SMS only: no e-mail channel for them).
    let night = huajie_store::clock::now()
        .to_zoned(huajie_domain::notify::beijing())
        .date()
        .at(23, 0, 0, 0)
        .to_zoned(huajie_domain::notify::beijing())
        .unwrap()
        .timestamp();
    let mut held = notice(&s, "", MessageKind::HearingTomorrow);
    let prefs = huajie_domain::notify::PreferencesDraft {
        channels: [("hearing_tomorrow".to_string(), vec!["im".to_string()])]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let (contacts, p) = prefs.validate().unwrap();
    let me = Actor {
        role: Role::UnitClerk,
        ..coord.clone()
    };
    s.store.set_preferences(&me, &contacts, &p).await.unwrap();
    for i in 0..QUEUED {
        held.key = format!("held-{i}");
        s.store
            .notify(night, &held, &[To::Users(vec![s.user])])
            .await
            .unwrap();
    }
    let waiting = s.store.queued_deliveries().await.unwrap();
    let sink = Sink::start().await.unwrap();
    let w = worker(&s, &sink);
    let h = tokio::spawn(w.run(std::future::pending()));
    let committed = produce(&s, "steady-").await;
    assert!(wait_count(&sink, committed.len(), Duration::from_secs(120)).await);
    h.abort();
    let (p50, p95, max, n) = delays(&sink, &committed);
    println!(
        "[{engine}] steady: {n} changes at {RATE}/s with {waiting} deliveries waiting in the outbox: delay p50 {p50:.3} s, p95 {p95:.3} s, max {max:.3} s"
    );
    s.store.close().await;
}

async fn backlog(engine: &str, url: &str) {
    let s = setup(url).await;
    enqueue(&s, "backlog-", QUEUED, MessageKind::DueSoon).await;
    let sink = Sink::start().await.unwrap();
    let w = worker(&s, &sink);
    let h = tokio::spawn(w.run(std::future::pending()));
    let committed = produce(&s, "late-").await;
    assert!(wait_count(&sink, QUEUED + committed.len(), Duration::from_secs(600)).await);
    h.abort();
    let (p50, p95, max, n) = delays(&sink, &committed);
    println!(
        "[{engine}] backlog: {n} changes at {RATE}/s behind {QUEUED} queued e-mails: delay p50 {p50:.3} s, p95 {p95:.3} s, max {max:.3} s"
    );
    s.store.close().await;
}
