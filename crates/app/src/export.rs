//! `huajie export`: statistics tables and ledger views as Excel files, from the command line.
//! Runs as the bureau (司法局) of a jurisdiction; every export is recorded in the audit log.

use clap::{Args, Subcommand};
use huajie_domain::access::Actor;
use huajie_domain::ledger::LedgerParams;
use huajie_domain::stats::Period;
use huajie_domain::unit::UnitKind;
use huajie_domain::user::Role;
use huajie_store::Store;

use crate::{Failure, usage};

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The statistics of a period: summary with formulas, by unit, domain, kind, ranking.
    Stats {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        common: Common,
    },
    /// A ledger view (every matching proceeding).
    Ledger {
        /// Proceeding kind code (first_instance, reconsideration …).
        #[arg(long)]
        kind: Option<String>,
        /// pending, suspended or concluded.
        #[arg(long)]
        status: Option<String>,
        /// Domain code (领域).
        #[arg(long)]
        domain: Option<String>,
        /// Only proceedings where this unit is a party.
        #[arg(long)]
        unit: Option<i64>,
        /// Registered on or after (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Registered on or before (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// month, quarter, half, year or custom.
    #[arg(long)]
    pub period: String,
    #[arg(long)]
    pub year: Option<String>,
    /// Month (1–12), quarter (1–4) or half (1–2).
    #[arg(long)]
    pub n: Option<String>,
    /// Custom period start (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Custom period end (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
}

impl PeriodArgs {
    pub fn resolve(&self) -> Result<Period, Failure> {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Period::parse(
            &self.period,
            &s(&self.year),
            &s(&self.n),
            &s(&self.from),
            &s(&self.to),
        )
        .map_err(|e| usage(e.message))
    }
}

#[derive(Debug, Args)]
pub struct Common {
    /// Output file (.xlsx).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: String,
    /// The jurisdiction (county unit id); needed only when the database holds several.
    #[arg(long)]
    pub jurisdiction: Option<i64>,
}

/// The bureau of the jurisdiction, as the actor of a command-line report.
pub async fn bureau(store: &Store, jurisdiction: Option<i64>) -> Result<Actor, Failure> {
    let units = store.list_units(None).await?;
    let levels: Vec<_> = units
        .iter()
        .filter(|u| {
            matches!(
                u.kind,
                UnitKind::County | UnitKind::City | UnitKind::Province
            )
        })
        .collect();
    let j = match jurisdiction {
        Some(j) => levels
            .iter()
            .find(|u| u.id == j)
            .ok_or_else(|| usage(format!("单位编号 {j} 不是县（区）、市或省级单位")))?,
        None => match levels.as_slice() {
            [one] => one,
            // A county with its (demo) city and province above it: the county is meant.
            many if many.iter().filter(|u| u.kind == UnitKind::County).count() == 1 => many
                .iter()
                .find(|u| u.kind == UnitKind::County)
                .expect("one county"),
            [] => return Err(usage("数据库中还没有县（区）单位")),
            many => {
                let list: Vec<String> = many
                    .iter()
                    .map(|u| format!("{}（{}）", u.name, u.id))
                    .collect();
                return Err(usage(format!(
                    "数据库中有多个辖区，请用 --jurisdiction 指定：{}",
                    list.join("、")
                )));
            }
        },
    };
    Ok(Actor {
        user_id: 0,
        username: "huajie-cli".into(),
        role: Role::Coordinator,
        unit_id: j.id,
        jurisdiction_id: j.id,
    })
}

pub(crate) fn write_file(path: &str, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure {
        code: 1,
        message: format!("无法写入文件 {path}：{e}"),
    })
}

fn check_ext(path: &str, ext: &str) -> Result<(), Failure> {
    if path.to_lowercase().ends_with(ext) {
        Ok(())
    } else {
        Err(usage(format!("输出文件名应以 {ext} 结尾：{path}")))
    }
}

pub async fn run(store: &Store, cmd: ExportCommand) -> Result<(), Failure> {
    match cmd {
        ExportCommand::Stats { period, common } => {
            check_ext(&common.output, ".xlsx")?;
            let period = period.resolve()?;
            let actor = bureau(store, common.jurisdiction).await?;
            let w = huajie_service::exports::statistics(
                store,
                &actor,
                &period,
                store.today(),
                Some("cli"),
            )
            .await
            .map_err(crate::report::service_failure)?;
            write_file(&common.output, &w.bytes)?;
            say!("已导出{}统计到 {}", w.label, common.output);
        }
        ExportCommand::Ledger {
            kind,
            status,
            domain,
            unit,
            from,
            to,
            common,
        } => {
            check_ext(&common.output, ".xlsx")?;
            let actor = bureau(store, common.jurisdiction).await?;
            let filter: Vec<String> = [
                ("kind", &kind),
                ("status", &status),
                ("domain", &domain),
                ("from", &from),
                ("to", &to),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .chain(unit.map(|u| format!("unit={u}")))
            .collect();
            let q = LedgerParams {
                unit_id: unit,
                kind,
                status,
                domain,
                registered_from: from,
                registered_to: to,
                ..LedgerParams::default()
            }
            .validate()?;
            let w = huajie_service::exports::ledger(
                store,
                &actor,
                &q,
                &filter.join("&"),
                1_000_000,
                Some("cli"),
            )
            .await
            .map_err(crate::report::service_failure)?;
            write_file(&common.output, &w.bytes)?;
            say!(
                "已导出 {} 件案件到 {}",
                w.rows.unwrap_or_default(),
                common.output
            );
        }
    }
    Ok(())
}
