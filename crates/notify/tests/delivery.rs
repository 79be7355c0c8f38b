//! Delivery through real channels, on SQLite and PostgreSQL: an SMTP server started by the test
//! receives the mail and the test reads it back (Chinese subject, body, Message-ID); an HTTP
//! gateway stub records the SMS post (template filled, secret header from the environment,
//! idempotency key); failures are retried with backoff, refusals fail for good and show on the
//! bureau's channel state; quiet hours hold SMS until morning; several workers on one database
//! deliver every message exactly once.

use std::time::Duration;

use huajie_domain::access::Actor;
use huajie_domain::notify::{Channel, DeliveryStatus, GatewayDraft, MessageKind};
use huajie_domain::unit::{UnitInput, UnitKind};
use huajie_domain::user::{Role, UserInput};
use huajie_notify::sink::{GatewayStub, Sink};
use huajie_notify::{Mailer, SmtpConfig, Worker, WorkerConfig};
use huajie_store::Store;
use huajie_store::audit::Author;
use huajie_store::notify::{Notice, To};
use jiff::Timestamp;

struct County {
    store: Store,
    coord: Actor,
    clerk: i64,
}

async fn county(url: &str) -> County {
    let store = Store::connect(url, 8).await.unwrap();
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
    let bureau = store
        .create_unit(
            &by,
            &unit("测试县司法局", UnitKind::JusticeBureau, Some(county)),
            None,
        )
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
    let mut ids = Vec::new();
    for (name, role, u, email, mobile) in [
        (
            "coord",
            Role::Coordinator,
            bureau,
            "coord@sfj.test.cn",
            "13900000000",
        ),
        (
            "clerk",
            Role::UnitClerk,
            town,
            "clerk@jiazhen.test.cn",
            "13800001234",
        ),
    ] {
        let user = store
            .create_user(
                &by,
                &UserInput {
                    username: name.into(),
                    display_name: format!("{name}用户"),
                    role,
                    unit_id: u,
                    active: true,
                    contacts: huajie_domain::notify::Contacts {
                        email: Some(Some(email.into())),
                        mobile: Some(Some(mobile.into())),
                    },
                },
                "x",
                None,
            )
            .await
            .unwrap();
        ids.push(user.id);
    }
    County {
        store,
        coord: Actor {
            user_id: ids[0],
            username: "coord".into(),
            role: Role::Coordinator,
            unit_id: bureau,
            jurisdiction_id: county,
        },
        clerk: ids[1],
    }
}

fn notice(c: &County, key: &str, kind: MessageKind) -> Notice {
    Notice {
        jurisdiction_id: c.coord.jurisdiction_id,
        kind,
        key: key.into(),
        title: format!("明日开庭：（2026）浙0699行初{key}号"),
        body: "定于 2026-03-03 09:30 开庭，地点：第三法庭。甲镇人民政府的负责人应出庭应诉。".into(),
        link: Some("/proceedings/1".into()),
        proceeding_id: None,
        deadline_id: None,
        work_item_id: None,
    }
}

fn config() -> WorkerConfig {
    WorkerConfig {
        batch: 100,
        concurrency: 8,
        lease: Duration::from_secs(60),
        poll: Duration::from_millis(50),
        sweep_every: Duration::from_secs(3600),
        public_url: Some("http://huajie.sfj.test".into()),
    }
}

fn mailer(sink: &Sink) -> Mailer {
    Mailer::new(&SmtpConfig::parse(&sink.url(), "化解系统 <huajie@sfj.test.cn>").unwrap()).unwrap()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn statuses(c: &County) -> Vec<(Channel, DeliveryStatus, i64)> {
    let mut v: Vec<_> = c
        .store
        .user_deliveries(c.clerk, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.channel, d.status, d.attempts))
        .collect();
    v.sort_by_key(|x| x.0.code());
    v
}

async fn channels(url: &str) {
    let c = county(url).await;
    let sink = Sink::start().await.unwrap();
    let stub = GatewayStub::start().await.unwrap();
    // SAFETY: read only by this test's sends, set before them.
    unsafe { std::env::set_var("HUAJIE_TEST_GATEWAY_TOKEN", "tok-123") };
    let g = GatewayDraft {
        name: Some("县短信平台".into()),
        kind: Some("sms".into()),
        url: Some(stub.url("/sms/send")),
        headers: Some(
            "Content-Type: application/json\nAuthorization: Bearer ${HUAJIE_TEST_GATEWAY_TOKEN}"
                .into(),
        ),
        body_template: Some(
            r#"{"mobile":"{{mobile}}","content":"{{text}}","requestId":"{{key}}"}"#.into(),
        ),
        ..Default::default()
    };
    c.store
        .create_gateway(&c.coord, &g.validate().unwrap())
        .await
        .unwrap();
    let worker = Worker::new(c.store.clone(), Some(mailer(&sink)), config());

    // A hearing reminder at 16:00 Beijing: e-mail and SMS by the shipped defaults.
    let now = at("2026-03-02T08:00:00Z");
    let n = c
        .store
        .notify(
            now,
            &notice(&c, "1", MessageKind::HearingTomorrow),
            &[To::Users(vec![c.clerk])],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    // The same notice again writes nothing.
    assert_eq!(
        c.store
            .notify(
                now,
                &notice(&c, "1", MessageKind::HearingTomorrow),
                &[To::Users(vec![c.clerk])]
            )
            .await
            .unwrap(),
        0
    );
    let r = worker.round(now).await.unwrap();
    assert_eq!((r.taken, r.sent, r.failed), (2, 2, 0));
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.to, vec!["clerk@jiazhen.test.cn".to_string()]);
    assert_eq!(m.subject(), "明日开庭：（2026）浙0699行初1号");
    assert!(m.text().contains("第三法庭"), "{}", m.text());
    assert!(
        m.text().contains("http://huajie.sfj.test/proceedings/1"),
        "{}",
        m.text()
    );
    assert!(m.message_id().starts_with("<huajie-"), "{}", m.message_id());
    let posted = stub.posted();
    assert_eq!(posted.len(), 1);
    let p = &posted[0];
    assert_eq!((p.method.as_str(), p.path.as_str()), ("POST", "/sms/send"));
    assert_eq!(p.header("Authorization"), Some("Bearer tok-123"));
    let body: serde_json::Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(body["mobile"], "13800001234");
    assert!(body["content"].as_str().unwrap().contains("明日开庭"));
    assert_eq!(
        Some(body["requestId"].as_str().unwrap()),
        p.header("Idempotency-Key")
    );
    assert_eq!(
        statuses(&c).await,
        vec![
            (Channel::Email, DeliveryStatus::Sent, 1),
            (Channel::Im, DeliveryStatus::Sent, 1)
        ]
    );
    // Nothing is left to take.
    assert_eq!(worker.round(now).await.unwrap().taken, 0);

    // The gateway fails: retried after a backoff, visible to the bureau meanwhile.
    stub.set_status(503);
    let now = at("2026-03-02T08:10:00Z");
    c.store
        .notify(
            now,
            &notice(&c, "2", MessageKind::HearingTomorrow),
            &[To::Users(vec![c.clerk])],
        )
        .await
        .unwrap();
    let r = worker.round(now).await.unwrap();
    assert_eq!((r.sent, r.failed), (1, 1));
    let health = c
        .store
        .channel_health(c.coord.jurisdiction_id, now)
        .await
        .unwrap();
    let sms = health.iter().find(|h| h.channel == Channel::Im).unwrap();
    assert!(sms.failing, "{health:?}");
    assert!(
        sms.last_error.as_deref().unwrap().contains("503"),
        "{health:?}"
    );
    let failed = c
        .store
        .failed_deliveries(c.coord.jurisdiction_id, 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    // Not before the backoff (30 s).
    assert_eq!(
        worker
            .round(at("2026-03-02T08:10:20Z"))
            .await
            .unwrap()
            .taken,
        0
    );
    stub.set_status(200);
    let r = worker.round(at("2026-03-02T08:10:31Z")).await.unwrap();
    assert_eq!((r.taken, r.sent), (1, 1));
    let health = c
        .store
        .channel_health(c.coord.jurisdiction_id, at("2026-03-02T08:11:00Z"))
        .await
        .unwrap();
    assert!(!health.iter().any(|h| h.failing), "{health:?}");

    // A refused address fails for good at once, with the server's reason.
    sink.refuse("clerk@jiazhen.test.cn");
    let now = at("2026-03-02T08:20:00Z");
    c.store
        .notify(
            now,
            &notice(&c, "3", MessageKind::DueSoon),
            &[To::Users(vec![c.clerk])],
        )
        .await
        .unwrap();
    let r = worker.round(now).await.unwrap();
    assert_eq!((r.taken, r.failed), (1, 1));
    let d = &c.store.user_deliveries(c.clerk, 1).await.unwrap()[0];
    assert_eq!(d.status, DeliveryStatus::Failed);
    assert!(d.last_error.as_deref().unwrap().contains("拒收"), "{d:?}");

    // Quiet hours: a message at 23:00 Beijing goes by e-mail at once, by SMS at 07:30.
    let night = at("2026-03-02T15:00:00Z");
    c.store
        .notify(
            night,
            &notice(&c, "4", MessageKind::Escalation),
            &[To::Users(vec![c.coord.user_id])],
        )
        .await
        .unwrap();
    let r = worker.round(night).await.unwrap();
    assert_eq!((r.taken, r.sent), (1, 1), "only the e-mail");
    assert_eq!(
        worker
            .round(at("2026-03-02T23:29:00Z"))
            .await
            .unwrap()
            .taken,
        0
    );
    let r = worker.round(at("2026-03-02T23:30:00Z")).await.unwrap();
    assert_eq!((r.taken, r.sent), (1, 1), "the SMS after 07:30");
    assert!(stub.posted().last().unwrap().body.contains("13900000000"));

    // Without a mail server, e-mail fails for good with the reason the bureau can act on.
    let bare = Worker::new(c.store.clone(), None, config());
    let now = at("2026-03-03T02:00:00Z");
    c.store
        .notify(
            now,
            &notice(&c, "5", MessageKind::NewObligation),
            &[To::Users(vec![c.coord.user_id])],
        )
        .await
        .unwrap();
    let r = bare.round(now).await.unwrap();
    assert_eq!((r.taken, r.failed), (1, 1));
    let d = &c.store.user_deliveries(c.coord.user_id, 1).await.unwrap()[0];
    assert!(
        d.last_error.as_deref().unwrap().contains("HUAJIE_SMTP_URL"),
        "{d:?}"
    );
}

/// Four workers on one database take 400 e-mails at once: each is sent exactly once.
async fn exactly_once(url: &str) {
    let c = county(url).await;
    let sink = Sink::start().await.unwrap();
    sink.set_delay(Duration::from_millis(2));
    let now = at("2026-03-02T08:00:00Z");
    for i in 0..400 {
        c.store
            .notify(
                now,
                &notice(&c, &format!("n{i}"), MessageKind::DueSoon),
                &[To::Users(vec![c.clerk])],
            )
            .await
            .unwrap();
    }
    let mut handles = Vec::new();
    for _ in 0..4 {
        let store = Store::connect(url, 4).await.unwrap();
        let mut cfg = config();
        cfg.batch = 25;
        let w = Worker::new(store, Some(mailer(&sink)), cfg);
        handles.push(tokio::spawn(async move {
            let mut taken = 0;
            loop {
                let r = w.round(now).await.unwrap();
                if r.taken == 0 {
                    return taken;
                }
                taken += r.taken;
            }
        }));
    }
    let mut per_worker = Vec::new();
    for h in handles {
        per_worker.push(h.await.unwrap());
    }
    assert_eq!(per_worker.iter().sum::<usize>(), 400, "{per_worker:?}");
    let mails = sink.mails();
    let mut ids: Vec<String> = mails.iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((mails.len(), ids.len()), (400, 400));
}

#[tokio::test]
async fn channels_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    channels(&huajie_store::database_url(
        dir.path().join("n.db").to_str().unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn exactly_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    exactly_once(&huajie_store::database_url(
        dir.path().join("n.db").to_str().unwrap(),
    ))
    .await;
}

/// A scratch PostgreSQL database, or `None` (with the reason printed) without HUAJIE_TEST_PG_URL.
async fn scratch_pg(test: &str) -> Option<(String, sqlx::AnyPool, String)> {
    let Ok(base) = std::env::var("HUAJIE_TEST_PG_URL") else {
        eprintln!(
            "SKIPPED {test}: set HUAJIE_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it"
        );
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!(
        "huajie_{test}_{}_{}",
        std::process::id(),
        Timestamp::now().as_nanosecond() % 1_000_000_000
    );
    let admin = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let i = base.rfind('/').unwrap();
    Some((format!("{}/{name}", &base[..i]), admin, name))
}

async fn drop_pg(admin: sqlx::AnyPool, name: String) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .unwrap();
}

#[tokio::test]
async fn channels_on_postgres() {
    if let Some((url, admin, name)) = scratch_pg("notify_channels").await {
        channels(&url).await;
        drop_pg(admin, name).await;
    }
}

#[tokio::test]
async fn exactly_once_on_postgres() {
    if let Some((url, admin, name)) = scratch_pg("notify_once").await {
        exactly_once(&url).await;
        drop_pg(admin, name).await;
    }
}
