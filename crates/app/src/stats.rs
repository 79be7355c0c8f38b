//! `huajie stats`: the figure set of a period on the terminal (or as JSON), with the time it
//! took to compute. The statistics benchmark (`bench/stats.sh`) times it with `--repeat`.

use std::time::Instant;

use clap::Args;
use huajie_store::Store;

use crate::Failure;
use crate::export::{PeriodArgs, bureau};

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// The jurisdiction (county unit id); needed only when the database holds several.
    #[arg(long)]
    pub jurisdiction: Option<i64>,
    /// Print the whole figure set (every unit, domain, kind, assessment, trend) as one JSON
    /// object on standard output; the timing goes to standard error.
    #[arg(long)]
    pub json: bool,
    /// Compute the figure set N times (1–100) and report the fastest and the median time.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,
}

pub async fn run(store: &Store, args: StatsArgs) -> Result<(), Failure> {
    let period = args.period.resolve()?;
    let actor = bureau(store, args.jurisdiction).await?;
    let today = huajie_store::deadlines::today();
    let mut times = Vec::with_capacity(args.repeat as usize);
    let mut set = None;
    for _ in 0..args.repeat {
        let t = Instant::now();
        set = Some(store.figure_set(&actor, &period, today).await?);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let set = set.expect("repeat is at least 1");
    times.sort_by(f64::total_cmp);
    let timing = format!(
        "计算{}全套统计（{} 个单位行、{} 个领域、{} 项考核）：最快 {:.1} 毫秒，中位数 {:.1} 毫秒（{} 次）",
        set.label,
        set.units.len(),
        set.domains.len(),
        set.assessment.len(),
        times[0],
        times[times.len() / 2],
        times.len()
    );
    if args.json {
        let text = serde_json::to_string(&set).map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })?;
        say!("{text}");
        eprintln!("{timing}");
        return Ok(());
    }
    say!("{}（同比：{}）", set.label, set.previous.label());
    for (i, info) in set.indicators.iter().enumerate() {
        let now = &set.total.current[i];
        let before = &set.total.previous[i];
        let parts = |f: &huajie_domain::stats::Figure| match f.denominator {
            Some(d) => format!("{}（{}/{}）", f.display(), f.numerator, d),
            None => f.display(),
        };
        let change = set
            .total
            .change(i)
            .map(|c| c.describe())
            .unwrap_or_else(|| "无可比数据".into());
        say!(
            "  {}：{}，去年同期 {}，{}",
            info.label,
            parts(now),
            parts(before),
            change
        );
    }
    say!("{timing}");
    Ok(())
}
