//! Storage of huajie: every SQL statement of the product lives in this crate.
//!
//! One code path serves SQLite (default, one file in WAL mode) and PostgreSQL (`postgres://`
//! URL) through sqlx's `Any` driver. Only `i64`, `f64`, `String` and `Option`s of them cross
//! the driver boundary: dates are ISO-8601 text, booleans integers (see ARCHITECTURE.md).
//!
//! Invariants enforced here:
//! * every write and its audit event commit in one transaction ([`audit`]);
//! * every mutable row has a `version`; an update names the version it read and is refused
//!   with [`StoreError::Conflict`] when the row has moved on;
//! * reads and writes of cases are filtered by the actor's [`ProceedingScope`] in SQL, so a
//!   record outside the scope is reported as [`StoreError::NotFound`].

pub mod appearance;
pub mod audit;
pub mod blobs;
pub mod bulk;
pub mod calendar;
mod cases;
pub mod clock;
pub mod codes;
pub mod corrections;
pub mod deadlines;
pub mod documents;
pub mod feeds;
pub mod filters;
pub mod import;
pub mod ledger;
pub mod notify;
pub mod readings;
pub mod review;
pub mod risk;
pub mod sessions;
mod sql;
pub mod stats;
pub mod submissions;
pub mod supervision;
pub mod units;
pub mod users;
pub mod warnings;
pub mod work_items;

use std::str::FromStr;
use std::time::Duration;

use huajie_domain::Invalid;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use huajie_domain::access::{Actor, ProceedingScope};

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors of the storage layer. The web layer maps each to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist or is outside the actor's scope.
    #[error("记录不存在或无权访问")]
    NotFound,
    /// The record was changed by someone else since the caller read `expected`.
    #[error("记录已被他人修改（当前版本 {current}，提交版本 {expected}），请刷新后重试")]
    Conflict { expected: i64, current: i64 },
    /// The actor may not perform this operation.
    #[error("{0}")]
    Forbidden(String),
    /// The input refers to things that do not exist, or duplicates a unique value.
    #[error("{0}")]
    Invalid(Invalid),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The document store on disk failed (full disk, permissions, a damaged file).
    #[error("文书存储错误：{0}")]
    Files(#[from] std::io::Error),
}

impl From<Invalid> for StoreError {
    fn from(v: Invalid) -> Self {
        StoreError::Invalid(v)
    }
}

impl From<huajie_domain::FieldError> for StoreError {
    fn from(v: huajie_domain::FieldError) -> Self {
        StoreError::Invalid(Invalid::one(v))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static MIGRATOR_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static MIGRATOR_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Grants for the application's own PostgreSQL role, when one named `huajie_app` exists: all it
/// needs on every table, but only read and append on the audit log and the published
/// snapshots, and no way to move the audit chain head but forward (it is not the owner, so it
/// cannot disable a trigger either).
const GRANT_APP_ROLE: &str = "DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'huajie_app') THEN
        GRANT USAGE ON SCHEMA public TO huajie_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO huajie_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO huajie_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM huajie_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON stat_snapshots FROM huajie_app;
        REVOKE INSERT, DELETE, TRUNCATE ON audit_head FROM huajie_app;
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM huajie_app;
    END IF;
END $$";

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

/// Turns a user-facing database setting into a URL: `postgres://…` and `sqlite:…` pass
/// through; anything else is taken as the path of a SQLite file.
pub fn database_url(setting: &str) -> String {
    if setting.starts_with("postgres://")
        || setting.starts_with("postgresql://")
        || setting.starts_with("sqlite:")
    {
        setting.to_string()
    } else {
        format!("sqlite://{setting}?mode=rwc")
    }
}

/// Removes the password from a database URL for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Connects to `url` (see [`database_url`]) with up to `max_connections` connections.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let opts = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            // mmap: reads of a large file are memory accesses shared by every
                            // connection instead of a read() per page missing from each
                            // connection's own cache (SQLite caps it at about 2 GB).
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; \
                             PRAGMA mmap_size = 2147418112;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        Ok(Store { pool, backend })
    }

    /// Today on the installation's clock ([`clock`]), the day deadlines are judged against.
    pub fn today(&self) -> jiff::civil::Date {
        clock::today()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`, waiting up to `busy_timeout`): a deferred transaction that reads and
    /// then writes fails at once with SQLITE_BUSY when another write committed in between.
    pub(crate) async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Applies pending migrations of this engine, then the shipped code-list defaults and the
    /// default loss rule where missing. Idempotent.
    ///
    /// When every migration is already applied the migrator is not run at all, so a server
    /// under a PostgreSQL role that may not create tables (README: "PostgreSQL roles") starts;
    /// after migrations ran (as the owner), the application role `huajie_app`, if it exists,
    /// is granted what it needs on every table and only read and append on the audit log.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &MIGRATOR_SQLITE,
            Backend::Postgres => &MIGRATOR_POSTGRES,
        };
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await
                .unwrap_or(0);
        if applied < migrator.iter().count() as i64 {
            migrator.run(&self.pool).await?;
            if self.backend == Backend::Postgres {
                sqlx::query(GRANT_APP_ROLE).execute(&self.pool).await?;
            }
        }
        // Rows written before the audit chain existed are sealed before anything else writes.
        audit::seal_unsealed(self).await?;
        codes::install_defaults(self).await?;
        let mut tx = self.write_tx().await?;
        deadlines::finish_obligation_upgrade(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies the migrations up to `version` only, nothing else: for upgrade tests, which
    /// store data in an older schema and then [`Store::migrate`] it forward.
    #[doc(hidden)]
    pub async fn migrate_to(&self, version: i64) -> Result<()> {
        match self.backend {
            Backend::Sqlite => MIGRATOR_SQLITE.run_to(version, &self.pool).await?,
            Backend::Postgres => MIGRATOR_POSTGRES.run_to(version, &self.pool).await?,
        }
        Ok(())
    }

    /// Refreshes planner statistics after bulk loads. On PostgreSQL this also vacuums, which
    /// sets the visibility map so index-only scans stop visiting the heap.
    pub async fn analyze(&self) -> Result<()> {
        let sql = match self.backend {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "VACUUM ANALYZE",
        };
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Current time as RFC 3339 UTC text, the format of every `*_at` column.
pub(crate) fn now() -> String {
    clock::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The system time as RFC 3339 UTC text, for sessions and lockouts (never shifted by the clock).
pub(crate) fn real_now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(database_url("huajie.db"), "sqlite://huajie.db?mode=rwc");
        assert_eq!(database_url("postgres://u:p@h/db"), "postgres://u:p@h/db");
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact_url("postgres://postgres@h/db"),
            "postgres://postgres@h/db"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
