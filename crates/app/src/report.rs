//! `huajie report`: the quarterly circular (季度通报) and the half-year report (半年度报告) as
//! Word files. A document is always made from the published (frozen) figures of its period:
//! when the period has not been published yet, the command publishes it first and says so.

use clap::Subcommand;
use huajie_domain::stats::Period;
use huajie_store::Store;

use crate::export::{bureau, write_file};
use crate::{Failure, usage};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The quarterly circular: `huajie report quarterly --year 2026 --quarter 3 -o 通报.docx`.
    Quarterly {
        #[arg(long)]
        year: i32,
        /// 1–4.
        #[arg(long)]
        quarter: u32,
        /// Output file (.docx).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: String,
        /// The jurisdiction (county unit id); needed only when the database holds several.
        #[arg(long)]
        jurisdiction: Option<i64>,
    },
    /// The half-year report to the county government: `huajie report half-year --year 2026 --half 1 -o 报告.docx`.
    HalfYear {
        #[arg(long)]
        year: i32,
        /// 1 (上半年) or 2 (下半年).
        #[arg(long)]
        half: u32,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: String,
        #[arg(long)]
        jurisdiction: Option<i64>,
    },
}

pub async fn run(store: &Store, cmd: ReportCommand) -> Result<(), Failure> {
    let (period, output, jurisdiction, half) = match cmd {
        ReportCommand::Quarterly {
            year,
            quarter,
            output,
            jurisdiction,
        } => (Period::quarter(year, quarter), output, jurisdiction, false),
        ReportCommand::HalfYear {
            year,
            half,
            output,
            jurisdiction,
        } => (Period::half(year, half), output, jurisdiction, true),
    };
    let period = period.map_err(|e| usage(e.message))?;
    if !output.to_lowercase().ends_with(".docx") {
        return Err(usage(format!("输出文件名应以 .docx 结尾：{output}")));
    }
    let actor = bureau(store, jurisdiction).await?;
    let today = huajie_store::deadlines::today();
    let (id, published) = huajie_service::reports::published(
        store,
        &actor,
        &period,
        "生成Word文件时由命令行发布",
        today,
    )
    .await
    .map_err(service_failure)?;
    if published {
        say!("{}的统计数据尚未发布，已发布（发布后冻结）", period.label());
    }
    let which = if half {
        huajie_service::reports::Paper::HalfYear
    } else {
        huajie_service::reports::Paper::Circular
    };
    let doc = huajie_service::reports::paper(store, &actor, id, which, today, Some("cli"))
        .await
        .map_err(service_failure)?;
    write_file(&output, &doc.bytes)?;
    say!("已生成《{}》：{}", doc.title, output);
    Ok(())
}

/// A service error as the command's failure: the store's through the usual conversion, a
/// request that does not fit as a usage error (exit 2).
pub(crate) fn service_failure(e: huajie_service::ServiceError) -> Failure {
    match e {
        huajie_service::ServiceError::Store(e) => e.into(),
        huajie_service::ServiceError::Invalid(m) => usage(m),
        e @ huajie_service::ServiceError::Office(_) => Failure {
            code: 1,
            message: e.to_string(),
        },
    }
}
