//! `huajie import FILE [--dry-run]`: load an existing ledger (Excel or CSV) into the county,
//! all or nothing. Every bad row is listed with its reason; a re-import of the same case
//! numbers updates them; open cases get their deadlines.

use std::time::Instant;

use clap::Args;
use huajie_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

use crate::export::bureau;
use crate::{Failure, usage};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The ledger: .xlsx, .xls, .ods or .csv (UTF-8 or GB18030).
    pub file: String,
    /// Check every row and report what would be imported, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// The jurisdiction (county unit id); needed only when the database holds several.
    #[arg(long)]
    pub jurisdiction: Option<i64>,
}

pub async fn run(store: &Store, args: ImportArgs) -> Result<(), Failure> {
    let t = Instant::now();
    let bytes =
        std::fs::read(&args.file).map_err(|e| usage(format!("无法读取文件 {}：{e}", args.file)))?;
    let actor = bureau(store, args.jurisdiction).await?;
    let checked = huajie_service::imports::check(store, &actor, &bytes, &args.file)
        .await
        .map_err(crate::report::service_failure)?;
    let read = t.elapsed();
    let mapped: Vec<String> = checked
        .mapped
        .iter()
        .map(|(h, f)| {
            if h.trim() == *f {
                f.to_string()
            } else {
                format!("{}→{f}", h.trim())
            }
        })
        .collect();
    say!(
        "表头在第{}行，识别的列：{}",
        checked.header_row + 1,
        mapped.join("，")
    );
    if !checked.ignored.is_empty() {
        say!("未使用的列：{}", checked.ignored.join("，"));
    }
    let (rows, errors) = (checked.rows, checked.errors);
    if !errors.is_empty() {
        for e in errors.iter().take(1000) {
            eprintln!("第{}行：{}", e.line, e.message);
        }
        if errors.len() > 1000 {
            eprintln!("……另有{}个问题未列出", errors.len() - 1000);
        }
        let bad: std::collections::BTreeSet<usize> = errors.iter().map(|e| e.line).collect();
        return Err(Failure {
            code: 2,
            message: format!(
                "{}行有问题（共{}个），没有导入任何数据；请修改后重新导入",
                bad.len(),
                errors.len()
            ),
        });
    }
    let bar = ProgressBar::new(rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} 行 {per_sec} 剩余 {eta}")
            .expect("template"),
    );
    let progress = |n: usize| bar.set_position(n as u64);
    let summary = store
        .import_ledger(&actor, &rows, args.dry_run, &progress)
        .await?;
    bar.finish_and_clear();
    let secs = t.elapsed().as_secs_f64().max(1e-6);
    let verb = if summary.dry_run {
        "试导入（未写入）：将"
    } else {
        "已"
    };
    say!(
        "{verb}新增{}件、更新{}件，生成期限{}个；共{}行，用时{:.1}秒（读取并检查文件{:.1}秒），每秒{:.0}行",
        summary.created,
        summary.updated,
        summary.deadlines,
        rows.len(),
        secs,
        read.as_secs_f64(),
        rows.len() as f64 / secs
    );
    Ok(())
}
