//! Delivery of huajie's messages (消息投递): e-mail over SMTP (lettre, STARTTLS or TLS, with
//! authentication) and SMS / government IM through the HTTP gateways the bureau configures,
//! and the outbox worker that `huajie serve` runs (unless `--no-worker`) and `huajie worker`
//! runs as its own process.
//!
//! The worker's loop: sweep the reminders that are due (once a minute), take a batch of due
//! deliveries under a lease ([`huajie_store::Store::claim_deliveries`]), send them
//! concurrently, record every attempt ([`huajie_store::Store::finish_deliveries`]). A worker
//! killed mid-batch loses nothing: its deliveries stay `sending` until the lease ends and are
//! then taken again; what was already handed to the channel is sent again with the same
//! idempotency key (the e-mail `Message-ID`, the gateway's `{{key}}`).

pub mod gateway;
pub mod sink;
pub mod smtp;
pub mod tls;

use std::sync::Arc;
use std::time::Duration;

use huajie_domain::notify::Channel;
use huajie_store::Store;
use huajie_store::notify::{Outgoing, Sent};
use jiff::Timestamp;

pub use gateway::HttpSender;
pub use smtp::{Mailer, SmtpConfig};

/// How the worker runs; every value has an environment variable.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Deliveries taken at once (`HUAJIE_DELIVERY_BATCH`, default 100).
    pub batch: i64,
    /// Sends in flight at once (`HUAJIE_DELIVERY_CONCURRENCY`, default 16).
    pub concurrency: usize,
    /// How long a taken delivery is reserved (`HUAJIE_DELIVERY_LEASE_SECS`, default 120).
    pub lease: Duration,
    /// Pause when nothing is due (`HUAJIE_DELIVERY_POLL_MS`, default 500).
    pub poll: Duration,
    /// How often reminders are swept (`HUAJIE_SWEEP_SECS`, default 60).
    pub sweep_every: Duration,
    /// Address of the web application for links in e-mail and SMS (`HUAJIE_PUBLIC_URL`).
    pub public_url: Option<String>,
}

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| format!("环境变量 {name} 的值“{v}”不是有效的数字")),
        _ => Ok(default),
    }
}

impl WorkerConfig {
    pub fn from_env() -> Result<WorkerConfig, String> {
        Ok(WorkerConfig {
            batch: env_num("HUAJIE_DELIVERY_BATCH", 100i64)?.clamp(1, 1000),
            concurrency: env_num("HUAJIE_DELIVERY_CONCURRENCY", 16usize)?.clamp(1, 256),
            lease: Duration::from_secs(env_num("HUAJIE_DELIVERY_LEASE_SECS", 120u64)?.max(1)),
            poll: Duration::from_millis(env_num("HUAJIE_DELIVERY_POLL_MS", 500u64)?.max(10)),
            sweep_every: Duration::from_secs(env_num("HUAJIE_SWEEP_SECS", 60u64)?.max(1)),
            public_url: std::env::var("HUAJIE_PUBLIC_URL")
                .ok()
                .map(|u| u.trim().trim_end_matches('/').to_string())
                .filter(|u| !u.is_empty()),
        })
    }
}

/// The outbox worker.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    owner: Arc<str>,
    mailer: Option<Arc<Mailer>>,
    http: HttpSender,
    config: WorkerConfig,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub taken: usize,
    pub sent: usize,
    pub failed: usize,
}

impl Worker {
    pub fn new(store: Store, mailer: Option<Mailer>, config: WorkerConfig) -> Worker {
        let owner = format!(
            "{}-{}-{}",
            hostname(),
            std::process::id(),
            Timestamp::now().as_nanosecond() % 1_000_000_007
        );
        Worker {
            store,
            owner: owner.into(),
            mailer: mailer.map(Arc::new),
            http: HttpSender::new(),
            config,
        }
    }

    /// The worker as the environment configures it (`HUAJIE_SMTP_URL`, `HUAJIE_SMTP_FROM` …).
    pub fn from_env(store: Store) -> Result<Worker, String> {
        let config = WorkerConfig::from_env()?;
        let mailer = match SmtpConfig::from_env()? {
            Some(c) => Some(Mailer::with_connections(&c, config.concurrency as u32)?),
            None => None,
        };
        Ok(Worker::new(store, mailer, config))
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn has_mail(&self) -> bool {
        self.mailer.is_some()
    }

    /// Takes one batch that is due at `now`, sends it and records the outcome.
    pub async fn round(&self, now: Timestamp) -> Result<Round, huajie_store::StoreError> {
        let lease = jiff::SignedDuration::try_from(self.config.lease)
            .unwrap_or(jiff::SignedDuration::from_secs(120));
        let batch = self
            .store
            .claim_deliveries(&self.owner, now, lease, self.config.batch)
            .await?;
        let mut round = Round {
            taken: batch.len(),
            ..Round::default()
        };
        if batch.is_empty() {
            return Ok(round);
        }
        let sem = Arc::new(tokio::sync::Semaphore::new(self.config.concurrency));
        let mut set = tokio::task::JoinSet::new();
        for o in batch {
            let me = self.clone();
            let sem = sem.clone();
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let r = me.send(&o).await;
                (o.delivery_id, o.attempts, r)
            });
        }
        let mut results = Vec::with_capacity(round.taken);
        while let Some(j) = set.join_next().await {
            if let Ok(r) = j {
                match &r.2 {
                    Sent::Ok => round.sent += 1,
                    _ => round.failed += 1,
                }
                results.push(r);
            }
        }
        self.store
            .finish_deliveries(&self.owner, now, &results)
            .await?;
        Ok(round)
    }

    async fn send(&self, o: &Outgoing) -> Sent {
        let link = match (&self.config.public_url, &o.link) {
            (Some(base), Some(l)) => Some(format!("{base}{l}")),
            _ => None,
        };
        match o.channel {
            Channel::Email => match &self.mailer {
                Some(m) => m.send(o, link.as_deref()).await,
                None => Sent::Permanent("未配置邮件服务器（HUAJIE_SMTP_URL）".into()),
            },
            Channel::Im => match &o.gateway {
                Some(g) if g.active => self.http.send(g, o, link.as_deref()).await,
                Some(g) => Sent::Permanent(format!("消息接口“{}”已停用", g.name)),
                None => Sent::Permanent("消息接口已删除".into()),
            },
        }
    }

    /// Runs until `stop` resolves: sweeps reminders every `sweep_every`, sends what is due.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let mut last_sweep: Option<std::time::Instant> = None;
        loop {
            if last_sweep.is_none_or(|t| t.elapsed() >= self.config.sweep_every) {
                last_sweep = Some(std::time::Instant::now());
                match self.store.sweep(huajie_store::clock::now()).await {
                    Ok(r) if r.total() > 0 => tracing::info!(?r, "reminders written"),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "reminder sweep failed; retrying at the next one")
                    }
                }
            }
            let idle = match self.round(huajie_store::clock::now()).await {
                Ok(r) => {
                    if r.taken > 0 {
                        tracing::debug!(
                            taken = r.taken,
                            sent = r.sent,
                            failed = r.failed,
                            "delivery round"
                        );
                    }
                    r.taken == 0
                }
                Err(e) => {
                    tracing::warn!(error = %e, "delivery round failed; retrying");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = &mut stop => return,
                    _ = tokio::time::sleep(self.config.poll) => {}
                }
            } else if futures_ready(&mut stop).await {
                return;
            }
        }
    }
}

/// Whether `stop` has resolved, without waiting for it.
async fn futures_ready<F: std::future::Future<Output = ()>>(
    stop: &mut std::pin::Pin<&mut F>,
) -> bool {
    tokio::select! {
        biased;
        _ = stop.as_mut() => true,
        _ = std::future::ready(()) => false,
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "huajie".into())
}

/// The text of a message for a channel: title, body and the link.
pub fn plain_text(o: &Outgoing, link: Option<&str>) -> String {
    let mut t = format!("{}\n{}", o.title, o.body);
    if let Some(l) = link {
        t.push_str(&format!("\n{l}"));
    }
    t
}
