//! Excel exports (导出): the statistics of a period, a published figure set and a ledger view,
//! each recorded in the audit log — for the pages and `huajie export`.

use huajie_domain::access::Actor;
use huajie_domain::audit::AuditEntity;
use huajie_domain::codes::CodeList;
use huajie_domain::ledger::LedgerQuery;
use huajie_domain::stats::Period;
use huajie_store::Store;
use jiff::civil::Date;

use crate::{Result, ServiceError};

/// A finished workbook.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub bytes: Vec<u8>,
    /// A file name for a download.
    pub filename: String,
    /// What it holds, in words (e.g. "2026年第3季度", "共 12 件").
    pub label: String,
    /// The cases of a ledger export.
    pub rows: Option<usize>,
}

fn office(e: huajie_office::OfficeError) -> ServiceError {
    ServiceError::Office(e.0)
}

/// Records the export with `detail`, adding where it came from (`via`, e.g. "cli").
async fn record(
    store: &Store,
    actor: &Actor,
    entity: AuditEntity,
    mut detail: serde_json::Value,
    via: Option<&str>,
) -> Result<()> {
    if let Some(v) = via {
        detail["via"] = serde_json::json!(v);
    }
    store.record_export(actor, entity, detail).await?;
    Ok(())
}

/// The live statistics of `period` (summary, by unit, domain, kind, ranking).
pub async fn statistics(
    store: &Store,
    actor: &Actor,
    period: &Period,
    today: Date,
    via: Option<&str>,
) -> Result<Workbook> {
    let set = store.figure_set(actor, period, today).await?;
    let bytes = huajie_office::xlsx::workbook(&huajie_office::xlsx::figure_set_sheets(&set))
        .map_err(office)?;
    record(
        store,
        actor,
        AuditEntity::Statistics,
        serde_json::json!({"period": set.label}),
        via,
    )
    .await?;
    Ok(Workbook {
        bytes,
        filename: format!("行政争议统计-{}.xlsx", set.label),
        label: set.label,
        rows: None,
    })
}

/// A published figure set, as frozen.
pub async fn snapshot(
    store: &Store,
    actor: &Actor,
    snapshot_id: i64,
    via: Option<&str>,
) -> Result<Workbook> {
    let snap = store.snapshot(actor, snapshot_id).await?;
    let bytes =
        huajie_office::xlsx::workbook(&huajie_office::xlsx::figure_set_sheets(&snap.figures))
            .map_err(office)?;
    record(
        store,
        actor,
        AuditEntity::StatSnapshot,
        serde_json::json!({"snapshot": snapshot_id, "period": snap.info.label}),
        via,
    )
    .await?;
    Ok(Workbook {
        bytes,
        filename: format!("行政争议统计-{}（已发布）.xlsx", snap.info.label),
        label: snap.info.label,
        rows: None,
    })
}

/// The cases of a ledger view, at most `cap` (more is refused: narrow the filter). `filter`
/// describes the filter in words for the sheet's caption and the audit log ("" = none).
pub async fn ledger(
    store: &Store,
    actor: &Actor,
    q: &LedgerQuery,
    filter: &str,
    cap: usize,
    via: Option<&str>,
) -> Result<Workbook> {
    let rows = store.ledger_all(actor, q, cap).await?.ok_or_else(|| {
        ServiceError::Invalid(format!(
            "符合条件的案件超过 {cap} 件，请增加筛选条件（如登记日期范围）后分批导出"
        ))
    })?;
    let domains: std::collections::HashMap<String, String> = store
        .codes(CodeList::Domain)
        .await?
        .into_iter()
        .map(|c| (c.code, c.label))
        .collect();
    let label = |d: &str| domains.get(d).cloned().unwrap_or_else(|| d.to_string());
    let now = huajie_store::clock::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string();
    let count = format!("共 {} 件", rows.len());
    let caption = vec![
        "案件台账".to_string(),
        format!(
            "导出时间：{now}；筛选条件：{}；{count}",
            if filter.is_empty() { "无" } else { filter }
        ),
    ];
    let sheet = huajie_office::xlsx::ledger_sheet(&rows, &label, caption);
    let bytes = huajie_office::xlsx::workbook(&[sheet]).map_err(office)?;
    record(
        store,
        actor,
        AuditEntity::Ledger,
        serde_json::json!({"filter": filter, "rows": rows.len()}),
        via,
    )
    .await?;
    Ok(Workbook {
        bytes,
        filename: format!("案件台账-{}.xlsx", huajie_store::clock::today()),
        label: count,
        rows: Some(rows.len()),
    })
}
