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
    let existing = store
        .snapshots(&actor)
        .await?
        .into_iter()
        .find(|s| s.period.from == period.from && s.period.to == period.to);
    let id = match existing {
        Some(s) => s.id,
        None => {
            let id = store
                .publish_snapshot(
                    &actor,
                    &period,
                    Some("生成Word文件时由命令行发布".into()),
                    today,
                )
                .await?;
            say!("{}的统计数据尚未发布，已发布（发布后冻结）", period.label());
            id
        }
    };
    let snap = store.snapshot(&actor, id).await?;
    let issuer = store.issuer(&actor).await?;
    let doc = if half {
        let detail = store.review_of(&actor, &snap, today).await?;
        huajie_office::reports::half_year_report(
            &snap.figures,
            &snap.config,
            &snap.loss_rule,
            &detail,
            &issuer,
            today,
        )
    } else {
        huajie_office::reports::quarterly_circular(&snap.figures, &snap.config, &issuer, today)
    };
    let bytes = huajie_office::docx::docx(&doc).map_err(|e| Failure {
        code: 1,
        message: e.0,
    })?;
    write_file(&output, &bytes)?;
    store
        .record_export(
            &actor,
            huajie_domain::audit::AuditEntity::StatSnapshot,
            serde_json::json!({"snapshot": id, "period": snap.info.label, "document": doc.title, "via": "cli"}),
        )
        .await?;
    say!("已生成《{}》：{}", doc.title, output);
    Ok(())
}
