//! The `huajie` binary: command-line entry point for every job of the product.

/// `println!` that ends quietly when stdout is closed (e.g. `huajie user list | head`).
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

mod deadline;
mod demo;
mod export;
mod import;
mod judgment;
mod report;
mod stats;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use huajie_domain::user::{UserDraft, password};
use huajie_store::audit::Author;
use huajie_store::{Store, StoreError, database_url, redact_url};

/// 化解 huajie — 行政争议化解管理系统（台账、期限、出庭、预警、督办、统计）。
#[derive(Debug, Parser)]
#[command(name = "huajie", version, about, long_about = None)]
struct Cli {
    /// Database: a SQLite file path (default huajie.db) or a postgres:// URL.
    #[arg(
        long,
        short = 'd',
        global = true,
        env = "HUAJIE_DATABASE",
        default_value = "huajie.db"
    )]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check every row of the audit log against its SM3 seal and the row before; report the
    /// first broken link and exit with status 1, or print the row count and the last hash.
    Verify,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the web server (REST API, OpenAPI, Swagger UI); migrates the database first.
    Serve(ServeArgs),
    /// Apply pending database migrations and install default code lists.
    Migrate,
    /// Create the demo county with three years of cases, or N extra proceedings with --scale.
    Demo(DemoArgs),
    /// Manage users: add, reset-password, list, token.
    #[command(subcommand)]
    User(UserCommand),
    /// Compute a statutory deadline: `huajie deadline 2024-09-20 calendar_days:15` prints 2024-10-08.
    Deadline(DeadlineArgs),
    /// Load a year's holiday notice (e.g. 2027) or a jurisdiction's local rest days.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Export statistics or a ledger view as Excel: `huajie export stats --period quarter --year 2026 --n 3 -o 统计.xlsx`.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// The quarterly circular or the half-year report as Word: `huajie report quarterly --year 2026 --quarter 3 -o 通报.docx`.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Import an existing ledger (Excel or CSV), all or nothing: `huajie import 台账.xlsx --dry-run`.
    Import(import::ImportArgs),
    /// The figure set of a period with year-on-year change, and how long it took:
    /// `huajie stats --period quarter --year 2026 --n 3 [--json] [--repeat 5]`.
    Stats(stats::StatsArgs),
    /// Read a court document (判决书, 裁定书, 调解书; UTF-8 text):
    /// `huajie judgment parse 判决书.txt --json`.
    #[command(subcommand)]
    Judgment(judgment::JudgmentCommand),
    /// Run the clock's work once: bring repeating obligations (督办 progress every half month)
    /// up to today and write the reminders that are due (`--at` for another moment). `huajie
    /// serve` does both by itself.
    Tick(TickArgs),
    /// The audit log: `huajie audit verify` checks its hash chain (exit status 1 on a break).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Deliver messages (e-mail, SMS / government IM) and write reminders, as its own process;
    /// `huajie serve` does the same unless started with `--no-worker`. Several may run against
    /// one PostgreSQL database: each message is delivered once per channel.
    Worker(WorkerArgs),
}

#[derive(Debug, Args)]
struct WorkerArgs {
    /// Run the clock as if today were this day (YYYY-MM-DD).
    #[arg(long, env = "HUAJIE_TODAY")]
    today: Option<String>,
    /// Maximum database connections.
    #[arg(long, env = "HUAJIE_DB_CONNECTIONS", default_value_t = 4)]
    db_connections: u32,
}

#[derive(Debug, Args)]
struct TickArgs {
    /// Run as if today were this day (YYYY-MM-DD), e.g. to catch up or to demonstrate.
    #[arg(long, env = "HUAJIE_TODAY")]
    today: Option<String>,
    /// Write the reminders due at this Beijing time ("YYYY-MM-DD HH:MM"), e.g. the day-before
    /// hearing reminder of a demonstration; default: now on the clock.
    #[arg(long)]
    at: Option<String>,
}

/// Sets the installation's clock to `day` (YYYY-MM-DD) if one is given.
fn set_clock(day: Option<&str>) -> Result<(), Failure> {
    if let Some(d) = day.map(str::trim).filter(|d| !d.is_empty()) {
        let day = huajie_domain::proceeding::parse_date("today", d)
            .map_err(|e| usage(format!("--today：{}", e.message)))?;
        huajie_store::clock::set_today(day);
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Import a calendar file (`date,kind,name` lines; kind holiday or workday_on_weekend). The
    /// years in the file replace what was known for them.
    Import {
        file: String,
        /// Store as local rest days of this jurisdiction (unit id) instead of the national calendar.
        #[arg(long)]
        jurisdiction: Option<i64>,
    },
    /// List the years with an official notice (shipped and imported).
    Years,
}

#[derive(Debug, Args)]
struct DeadlineArgs {
    /// Start date (the day of the triggering event, not counted), YYYY-MM-DD.
    #[arg(required_unless_present = "batch")]
    start: Option<String>,
    /// Period rule: calendar_days:N, working_days:N, months:N, years:N or working_days_before:N.
    #[arg(required_unless_present = "batch")]
    rule: Option<String>,
    /// Also print how the date was computed, in plain Chinese.
    #[arg(long)]
    explain: bool,
    /// Print one JSON object (start, rule, due, provisional, trace).
    #[arg(long)]
    json: bool,
    /// Add a calendar file (e.g. the 2027 notice) on top of the built-in calendar.
    #[arg(long, value_name = "FILE")]
    calendar: Option<String>,
    /// Read `start,rule` lines from FILE (`-` for stdin) and write `start,rule,due` lines.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["start", "rule", "explain", "json"])]
    batch: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HUAJIE_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Load the demo county first when the database has no units yet.
    #[arg(long)]
    demo: bool,
    /// Maximum database connections.
    #[arg(long, env = "HUAJIE_DB_CONNECTIONS", default_value_t = 16)]
    db_connections: u32,
    /// Directory of attached documents (default: `huajie-documents` beside the SQLite file,
    /// or in the current directory for PostgreSQL). Set HUAJIE_MAX_DOCUMENT_MB for the size limit.
    #[arg(long, env = "HUAJIE_DOCUMENTS_DIR")]
    documents_dir: Option<std::path::PathBuf>,
    /// Run the clock as if today were this day (YYYY-MM-DD), time running on from there: for
    /// demonstrations and tests of reminders and repetitions. Default: the system clock.
    #[arg(long, env = "HUAJIE_TODAY")]
    today: Option<String>,
    /// Do not deliver messages in this process (run `huajie worker` instead).
    #[arg(long)]
    no_worker: bool,
}

/// The directory of a SQLite database file, if `database` is one.
fn sqlite_parent(database: &str) -> Option<std::path::PathBuf> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        return None;
    }
    let path = std::path::Path::new(database.trim_start_matches("sqlite://"));
    Some(
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| ".".into()),
    )
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Generate this many proceedings quickly for benchmarks instead of the realistic demo.
    #[arg(long)]
    scale: Option<u64>,
    /// Proceedings per transaction when loading --scale data.
    #[arg(long, default_value_t = 2000)]
    batch: usize,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user.
    Add {
        /// Login name (3–32 of a-z 0-9 _ . -).
        username: String,
        /// Real name shown in the product.
        #[arg(long)]
        name: String,
        /// coordinator, unit_clerk, unit_head, leader, court_liaison or auditor.
        #[arg(long)]
        role: String,
        /// Id of the user's unit (see `huajie user list` or GET /api/v1/units).
        #[arg(long)]
        unit: i64,
        /// Initial password (8+ characters with letters and digits); also read from HUAJIE_PASSWORD.
        #[arg(long, env = "HUAJIE_PASSWORD")]
        password: String,
        /// E-mail address for reminders.
        #[arg(long)]
        email: Option<String>,
        /// Mobile number for SMS / government IM reminders.
        #[arg(long)]
        mobile: Option<String>,
    },
    /// Set a new password for a user (revokes their API tokens).
    ResetPassword {
        username: String,
        #[arg(long, env = "HUAJIE_PASSWORD")]
        password: String,
    },
    /// List users with their role and unit.
    List,
    /// Issue an API token for a user and print it.
    Token {
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "命令行")]
        label: String,
        /// How many days it works (1–365).
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=365))]
        days: i64,
    },
}

/// A failure with its exit status: 2 for bad input, 1 for everything else.
struct Failure {
    code: u8,
    message: String,
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::Invalid(_)
            | StoreError::NotFound
            | StoreError::Conflict { .. }
            | StoreError::Forbidden(_) => 2,
            _ => 1,
        };
        let message = match e {
            StoreError::Invalid(inv) => inv.to_string(),
            other => other.to_string(),
        };
        Failure { code, message }
    }
}

impl From<huajie_domain::Invalid> for Failure {
    fn from(e: huajie_domain::Invalid) -> Self {
        Failure {
            code: 2,
            message: e.to_string(),
        }
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HUAJIE_LOG")
                .unwrap_or_else(|_| "info,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("错误：{}", f.message);
            ExitCode::from(f.code)
        }
    }
}

async fn open(database: &str, connections: u32) -> Result<Store, Failure> {
    let url = database_url(database);
    let store = Store::connect(&url, connections)
        .await
        .map_err(|e| Failure {
            code: 1,
            message: format!("无法连接数据库 {}：{e}", redact_url(&url)),
        })?;
    store.migrate().await?;
    Ok(store)
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Migrate => {
            open(&cli.database, 2).await?;
            say!(
                "数据库已迁移到最新版本：{}",
                redact_url(&database_url(&cli.database))
            );
            Ok(())
        }
        Command::Serve(args) => serve(&cli.database, args).await,
        Command::Demo(args) => {
            let store = open(&cli.database, 4).await?;
            match args.scale {
                Some(n) => demo::scale(&store, args.seed, n, args.batch.clamp(1, 20_000)).await,
                None => {
                    let summary = demo::demo(&store, args.seed).await?;
                    say!("{summary}");
                    Ok(())
                }
            }
        }
        Command::User(cmd) => user(&cli.database, cmd).await,
        Command::Deadline(args) => {
            let cal = deadline::calendar(args.calendar.as_deref())?;
            match (&args.batch, &args.start, &args.rule) {
                (Some(file), _, _) => deadline::batch(&cal, file),
                (None, Some(start), Some(rule)) => {
                    deadline::one(&cal, start, rule, args.explain, args.json)
                }
                _ => Err(usage("需要起算日期和期间规则，或 --batch 文件")),
            }
        }
        Command::Calendar(cmd) => calendar(&cli.database, cmd).await,
        Command::Export(cmd) => {
            let store = open(&cli.database, 2).await?;
            export::run(&store, cmd).await
        }
        Command::Import(args) => {
            let store = open(&cli.database, 2).await?;
            import::run(&store, args).await
        }
        Command::Report(cmd) => {
            let store = open(&cli.database, 2).await?;
            report::run(&store, cmd).await
        }
        Command::Judgment(cmd) => judgment::run(cmd),
        Command::Stats(args) => {
            let store = open(&cli.database, 2).await?;
            stats::run(&store, args).await
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = open(&cli.database, 2).await?;
            let started = std::time::Instant::now();
            let check = store.verify_audit(None).await?;
            let took = started.elapsed().as_secs_f64();
            match check.broken {
                None => {
                    say!(
                        "审计日志完整：共 {} 条记录，哈希链无断点（用时 {:.2} 秒）\n末条哈希：{}",
                        check.rows,
                        took,
                        check.head
                    );
                    Ok(())
                }
                Some((id, why)) => Err(Failure {
                    code: 1,
                    message: format!(
                        "审计日志被改动：编号 {id} 的记录{why}（已检查 {} 条，用时 {took:.2} 秒）",
                        check.rows
                    ),
                }),
            }
        }
        Command::Worker(args) => {
            set_clock(args.today.as_deref())?;
            let store = open(&cli.database, args.db_connections.max(2)).await?;
            let worker = huajie_notify::Worker::from_env(store).map_err(usage)?;
            say!(
                "消息投递已启动（{}）：邮件{}",
                worker.owner(),
                if worker.has_mail() {
                    "已配置"
                } else {
                    "未配置（HUAJIE_SMTP_URL），仅站内消息和短信接口"
                }
            );
            worker
                .run(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await;
            Ok(())
        }
        Command::Tick(args) => {
            set_clock(args.today.as_deref())?;
            let store = open(&cli.database, 2).await?;
            let r = store.advance_work_items(store.today()).await?;
            say!(
                "{}：工作事项的定期报送已更新到当日（涉及 {} 个事件，新增 {} 项，变更 {} 项，删除 {} 项）",
                store.today(),
                r.events,
                r.created,
                r.changed,
                r.removed
            );
            let at = match args.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                Some(a) => huajie_domain::hearing::parse_datetime("at", a)
                    .ok()
                    .and_then(|dt| dt.to_zoned(huajie_domain::notify::beijing()).ok())
                    .map(|z| z.timestamp())
                    .ok_or_else(|| {
                        usage(format!(
                            "--at：时间“{a}”无效，应为“YYYY-MM-DD HH:MM”（北京时间）"
                        ))
                    })?,
                None => huajie_store::clock::now(),
            };
            let n = store.sweep(at).await?;
            say!(
                "提醒（{}）：即将到期 {} 条，已逾期 {} 条，逾期督促 {} 条，明日开庭 {} 条，每日汇总 {} 条",
                at.to_zoned(huajie_domain::notify::beijing())
                    .strftime("%Y-%m-%d %H:%M"),
                n.due_soon,
                n.overdue,
                n.escalations,
                n.hearings,
                n.digests
            );
            Ok(())
        }
    }
}

/// How often the clock worker of `huajie serve` runs.
const CLOCK_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

async fn serve(database: &str, args: ServeArgs) -> Result<(), Failure> {
    set_clock(args.today.as_deref())?;
    let store = open(database, args.db_connections.max(2)).await?;
    if args.demo && store.list_units(None).await?.is_empty() {
        let summary = demo::demo(&store, 2024).await?;
        say!("{summary}");
    }
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .map_err(|e| Failure {
            code: 1,
            message: format!("无法监听 {}：{e}", args.bind),
        })?;
    let addr = listener.local_addr().map_err(|e| Failure {
        code: 1,
        message: e.to_string(),
    })?;
    say!("huajie 已启动：http://{addr}/  （接口文档 http://{addr}/api/docs/ ）");
    say!("数据库：{}", redact_url(&database_url(database)));
    if args.demo {
        say!(
            "演示账号：{} / {}（司法局协调员），其他账号见 `huajie user list`",
            demo::COORDINATOR,
            demo::PASSWORD
        );
    }
    let mut config = huajie_web::WebConfig::from_env();
    if let Some(dir) = args.documents_dir {
        config.documents_dir = dir;
    } else if std::env::var_os("HUAJIE_DOCUMENTS_DIR").is_none()
        && let Some(parent) = sqlite_parent(database)
    {
        // Beside the SQLite file by default, so one directory holds all the data.
        config.documents_dir = parent.join("huajie-documents");
    }
    say!("文书目录：{}", config.documents_dir.display());
    if args.today.is_some() {
        say!("时钟：今天按 {} 计算", store.today());
    }
    // The clock worker: repeating obligations appear when their period begins (at start, then
    // every 10 minutes; idempotent, so several instances may run it).
    let clock_store = store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CLOCK_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = clock_store.advance_work_items(clock_store.today()).await {
                tracing::warn!(error = %e, "clock worker failed; retrying at the next tick");
            }
        }
    });
    if !args.no_worker {
        let worker = huajie_notify::Worker::from_env(store.clone()).map_err(usage)?;
        say!(
            "消息投递：本进程负责；邮件{}",
            if worker.has_mail() {
                "已配置"
            } else {
                "未配置（HUAJIE_SMTP_URL）"
            }
        );
        tokio::spawn(worker.run(std::future::pending()));
    } else {
        say!("消息投递：本进程不负责（--no-worker），请另行运行 huajie worker");
    }
    let app = huajie_web::router_with(store, config).map_err(|e| Failure {
        code: 1,
        message: format!("无法创建文书目录：{e}"),
    })?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| Failure {
        code: 1,
        message: e.to_string(),
    })
}

async fn calendar(database: &str, cmd: CalendarCommand) -> Result<(), Failure> {
    let store = open(database, 2).await?;
    match cmd {
        CalendarCommand::Import { file, jurisdiction } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| usage(format!("无法读取文件“{file}”：{e}")))?;
            let (entries, years) = huajie_domain::calendar::parse_calendar_csv(&text)
                .map_err(|e| usage(e.to_string()))?;
            if let Some(j) = jurisdiction {
                let unit = store
                    .get_unit(j, None)
                    .await
                    .map_err(|_| usage(format!("辖区（单位编号{j}）不存在")))?;
                if !unit.kind.is_jurisdiction() {
                    return Err(usage(format!("“{}”不是省、市、县级辖区", unit.name)));
                }
            }
            let r = store
                .import_calendar(
                    &Author::system("命令行（导入节假日）"),
                    jurisdiction,
                    &entries,
                    &years,
                    &file,
                )
                .await?;
            let ys: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            say!("已导入 {} 个日期（{}年）", entries.len(), ys.join("、"));
            say!(
                "已重新计算未完成期限：涉及 {} 个事件，变更 {} 项，新增 {} 项，删除 {} 项",
                r.events,
                r.changed,
                r.created,
                r.removed
            );
        }
        CalendarCommand::Years => {
            let cal = store.calendar(None).await?;
            let imported = store.imported_years().await?;
            for y in cal.covered_years() {
                say!(
                    "{y}{}",
                    if imported.contains(y) {
                        "（导入）"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    Ok(())
}

async fn user(database: &str, cmd: UserCommand) -> Result<(), Failure> {
    let store = open(database, 2).await?;
    let by = Author::system("命令行（用户管理）");
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            unit,
            password: pw,
            email,
            mobile,
        } => {
            let draft = UserDraft {
                version: None,
                username: Some(username),
                display_name: Some(name),
                role: Some(role),
                unit_id: Some(unit),
                active: Some(true),
                email,
                mobile,
            };
            let mut inv = huajie_domain::Invalid::default();
            let input = draft.validate().map_err(|e| inv.extend(e)).ok();
            if let Err(e) = password("password", &pw, draft.username.as_deref().unwrap_or("")) {
                inv.push(e);
            }
            let input = inv.into_result(input)?.expect("validated");
            let u = store
                .create_user(&by, &input, &huajie_web::auth::hash_password(&pw), None)
                .await?;
            store.require_password_change(u.id, true).await?;
            say!(
                "已创建用户 {}（编号 {}，{}），首次登录网页时须修改密码",
                u.username,
                u.id,
                u.role.label()
            );
        }
        UserCommand::ResetPassword {
            username,
            password: pw,
        } => {
            password("password", &pw, &username).map_err(huajie_domain::Invalid::from)?;
            let u = store
                .user_by_name(&username)
                .await
                .map_err(|_| usage(format!("用户“{username}”不存在")))?;
            store
                .set_password(&by, u.id, &huajie_web::auth::hash_password(&pw))
                .await?;
            say!("已重置用户 {} 的密码，其原有 API 令牌已作废", u.username);
        }
        UserCommand::List => {
            use std::io::Write;
            let units = store.list_units(None).await?;
            let mut out = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) ends the listing quietly.
            let _ = writeln!(
                out,
                "{:<6}{:<20}{:<12}{:<16}单位",
                "编号", "用户名", "姓名", "角色"
            );
            for u in store.list_users(None).await? {
                let unit = units
                    .iter()
                    .find(|x| x.id == u.unit_id)
                    .map(|x| x.name.as_str())
                    .unwrap_or("");
                let state = if u.active { "" } else { "（已停用）" };
                if writeln!(
                    out,
                    "{:<8}{:<22}{:<10}{:<14}{unit}{state}",
                    u.id,
                    u.username,
                    u.display_name,
                    u.role.label()
                )
                .is_err()
                {
                    break;
                }
            }
        }
        UserCommand::Token {
            username,
            label,
            days,
        } => {
            let u = store
                .user_by_name(&username)
                .await
                .map_err(|_| usage(format!("用户“{username}”不存在")))?;
            let (token, hash) = huajie_web::auth::new_token();
            store.create_token(&by, u.id, &label, &hash, days).await?;
            say!("{token}");
        }
    }
    Ok(())
}
