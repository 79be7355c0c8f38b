//! Word reports from published figures: the quarterly circular (季度通报) and the half-year
//! report to the county government (半年度报告), for the snapshot page and `huajie report`.

use huajie_domain::access::Actor;
use huajie_domain::audit::AuditEntity;
use huajie_domain::stats::{Period, PeriodKind};
use huajie_store::Store;
use jiff::civil::Date;

use crate::{Result, ServiceError};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// 季度通报 (any published period).
    Circular,
    /// 半年度报告 (a published half-year only).
    HalfYear,
}

/// A finished report.
#[derive(Debug, Clone)]
pub struct Report {
    pub bytes: Vec<u8>,
    pub title: String,
    /// A file name for a download.
    pub filename: String,
}

/// The published snapshot of `period`, publishing it first when it is not (a report is always
/// made from frozen figures); `Ok((id, true))` when this call published it.
pub async fn published(
    store: &Store,
    actor: &Actor,
    period: &Period,
    note: &str,
    today: Date,
) -> Result<(i64, bool)> {
    let existing = store
        .snapshots(actor)
        .await?
        .into_iter()
        .find(|s| s.period.from == period.from && s.period.to == period.to);
    Ok(match existing {
        Some(s) => (s.id, false),
        None => (
            store
                .publish_snapshot(actor, period, Some(note.to_string()), today)
                .await?,
            true,
        ),
    })
}

/// The report of a published snapshot, with its export recorded in the audit log (`via` says
/// from where, e.g. "cli").
pub async fn paper(
    store: &Store,
    actor: &Actor,
    snapshot_id: i64,
    which: Paper,
    today: Date,
    via: Option<&str>,
) -> Result<Report> {
    let snap = store.snapshot(actor, snapshot_id).await?;
    if which == Paper::HalfYear && snap.info.period.kind != PeriodKind::Half {
        return Err(ServiceError::Invalid(format!(
            "半年度报告由半年度（上半年或下半年）的发布数据生成；“{}”不是半年度。",
            snap.info.label
        )));
    }
    let issuer = store.issuer(actor).await?;
    let (doc, filename) = match which {
        Paper::Circular => (
            huajie_office::reports::quarterly_circular(&snap.figures, &snap.config, &issuer, today),
            format!("{}行政争议预防化解工作情况通报.docx", snap.info.label),
        ),
        Paper::HalfYear => {
            let detail = store.review_of(actor, &snap, today).await?;
            (
                huajie_office::reports::half_year_report(
                    &snap.figures,
                    &snap.config,
                    &snap.loss_rule,
                    &detail,
                    &issuer,
                    today,
                ),
                format!("{}行政应诉工作情况报告.docx", snap.info.label),
            )
        }
    };
    let bytes = huajie_office::docx::docx(&doc).map_err(|e| ServiceError::Office(e.0))?;
    let mut detail = serde_json::json!({"snapshot": snapshot_id, "period": snap.info.label, "document": doc.title});
    if let Some(v) = via {
        detail["via"] = serde_json::json!(v);
    }
    store
        .record_export(actor, AuditEntity::StatSnapshot, detail)
        .await?;
    Ok(Report {
        bytes,
        title: doc.title,
        filename,
    })
}
