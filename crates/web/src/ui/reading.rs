//! 裁判文书识别 on the case page: upload or paste a court document, review what the reader
//! proposes per defendant, confirm or correct it, download the draft 败诉分析报告.

use super::case::{Pending, case_form};
use super::forms::Pairs;
use super::*;
use huajie_domain::outcome::OutcomeDraft;
use huajie_domain::reading::{ConfirmDraft, JudgmentReading};
use huajie_domain::records::Proceeding;

/// One defendant's row of the confirmation form.
pub(crate) struct DefView {
    pub party_id: i64,
    pub name: String,
    /// How the document names it ("" when it does not).
    pub matched: String,
    pub proposed: String,
    pub lost: &'static str,
    pub reason: String,
    /// Values shown in the form: as typed when refused, else confirmed, else proposed.
    pub code: String,
    pub decided_on: String,
    pub grounds: Vec<String>,
}

impl DefView {
    pub fn has(&self, ground: &str) -> bool {
        self.grounds.iter().any(|g| g == ground)
    }
}

pub(crate) struct ReadingView {
    pub id: i64,
    pub version: i64,
    pub confirmed: bool,
    pub status: String,
    pub corrected: bool,
    pub document_id: i64,
    pub document_name: String,
    pub by: String,
    pub at: String,
    pub facts: Vec<(&'static str, String)>,
    pub items: Vec<String>,
    pub reasoning: String,
    pub evidence: Vec<String>,
    pub warnings: Vec<String>,
    pub unknown: Vec<String>,
    pub defendants: Vec<DefView>,
    pub effective_on: String,
    pub note: String,
    pub corrections: Vec<String>,
    pub confirmed_by: String,
    /// Losing defendants of the confirmation: (party id, name), for the report drafts.
    pub losers: Vec<(i64, String)>,
    pub errors: Vec<String>,
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "败诉",
        Some(false) => "未败诉",
        None => "无法判断",
    }
}

/// The views of a proceeding's readings; `pending` refills the refused confirmation.
pub(crate) fn views(
    readings: Vec<JudgmentReading>,
    proc: &Proceeding,
    pending: &Pending,
) -> Vec<ReadingView> {
    readings
        .into_iter()
        .map(|r| {
            let form = format!("reading-{}", r.id);
            let typed = (pending.form == form).then_some(&pending.values);
            let p = &r.proposal;
            let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "未识别".into());
            let facts = vec![
                ("案号", or_dash(&p.case_number)),
                ("法院", or_dash(&p.court)),
                ("文书类型", or_dash(&p.doc_kind)),
                ("审级", or_dash(&p.stage)),
                ("裁判日期", or_dash(&p.decided_on)),
                (
                    "判项",
                    if p.dispositions.is_empty() {
                        "未识别".into()
                    } else {
                        p.dispositions.join("；")
                    },
                ),
                (
                    "裁判依据",
                    if p.legal_basis.is_empty() {
                        "未识别".into()
                    } else {
                        p.legal_basis.join("；")
                    },
                ),
                (
                    "行政机关是否败诉",
                    format!(
                        "{}{}",
                        yes_no(p.agency_lost),
                        p.agency_lost_basis
                            .as_deref()
                            .map(|b| format!("（{b}）"))
                            .unwrap_or_default()
                    ),
                ),
                (
                    "败诉原因",
                    if p.loss_grounds.is_empty() {
                        "—".into()
                    } else {
                        p.loss_grounds.join("、")
                    },
                ),
            ];
            let defendants = proc
                .parties
                .iter()
                .filter(|x| x.role.is_defendant_side())
                .map(|x| {
                    let prop = p.defendants.iter().find(|d| d.party_id == x.id);
                    let conf = r
                        .labels
                        .as_ref()
                        .and_then(|l| l.outcomes.iter().find(|o| o.party_id == x.id));
                    let (code, decided_on, grounds) = match (typed, conf, prop) {
                        (Some(v), _, _) => (
                            v.get(&format!("code_{}", x.id)),
                            v.get(&format!("decided_on_{}", x.id)),
                            v.all(&format!("grounds_{}", x.id)),
                        ),
                        (None, Some(c), _) => (
                            c.code.code().to_string(),
                            c.decided_on.clone(),
                            c.grounds.iter().map(|g| g.code().to_string()).collect(),
                        ),
                        (None, None, Some(d)) => (
                            d.code.map(|c| c.code().to_string()).unwrap_or_default(),
                            d.decided_on.clone().unwrap_or_default(),
                            d.grounds.iter().map(|g| g.code().to_string()).collect(),
                        ),
                        (None, None, None) => Default::default(),
                    };
                    DefView {
                        party_id: x.id,
                        name: x.name.clone(),
                        matched: prop.and_then(|d| d.matched_as.clone()).unwrap_or_default(),
                        proposed: prop
                            .and_then(|d| d.code_label.clone())
                            .unwrap_or_else(|| "未识别".into()),
                        lost: yes_no(prop.and_then(|d| d.lost)),
                        reason: prop
                            .map(|d| d.reason.clone())
                            .unwrap_or_else(|| "识别时尚无该被告".into()),
                        code,
                        decided_on,
                        grounds,
                    }
                })
                .collect();
            let effective_on = match typed {
                Some(v) => v.get("effective_on"),
                None => r
                    .labels
                    .as_ref()
                    .and_then(|l| l.effective_on.clone())
                    .or_else(|| proc.effective_on.clone())
                    .unwrap_or_default(),
            };
            ReadingView {
                id: r.id,
                version: r.version,
                confirmed: r.labels.is_some(),
                status: r.status_label.clone(),
                corrected: r.corrected,
                document_id: r.document_id,
                document_name: r.document_name.clone(),
                by: r.created_by_name.clone(),
                at: beijing_time(&r.created_at).chars().take(16).collect(),
                facts,
                items: p.disposition_items.clone(),
                reasoning: p.reasoning.clone().unwrap_or_default(),
                evidence: p.ground_evidence.clone(),
                warnings: p.warnings.clone(),
                unknown: p.unknown.values().cloned().collect(),
                defendants,
                effective_on,
                note: typed.map(|v| v.get("note")).unwrap_or_default(),
                corrections: r
                    .labels
                    .as_ref()
                    .map(|l| l.corrections.clone())
                    .unwrap_or_default(),
                confirmed_by: match (&r.confirmed_by_name, &r.confirmed_at) {
                    (Some(b), Some(a)) => {
                        format!(
                            "{b} 于 {}",
                            beijing_time(a).chars().take(16).collect::<String>()
                        )
                    }
                    _ => String::new(),
                },
                losers: r
                    .labels
                    .as_ref()
                    .map(|l| {
                        l.outcomes
                            .iter()
                            .filter(|o| o.lost)
                            .map(|o| (o.party_id, o.party_name.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                errors: if typed.is_some() {
                    pending.errs.general.clone()
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// Upload (or paste) a court document from the case page.
pub async fn add_reading(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (id, up) = match super::case::posted_upload(&st, &s, &raw, &headers, mp).await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let text = up.text.clone();
    let result = crate::readings::read_into(&st, &s.0.actor, id, up).await;
    let done = match &result {
        Ok(r) => format!("msg=reading_added#reading-{}", r.id),
        Err(_) => String::new(),
    };
    case_form(
        &st,
        &s.0,
        id,
        "reading-upload".into(),
        Pairs(vec![("text".into(), text)]),
        &["file", "text"],
        result,
        &done,
    )
    .await
}

/// Confirm or correct a reading from its form on the case page.
pub async fn confirm_reading(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let rid = match s.posted(&headers, &p, &raw, "识别记录") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let actor = &s.0.actor;
    let reading = match st.store.get_reading(actor, rid).await {
        Ok(r) => r,
        Err(e) => return store_error_page(&s.0, &format!("识别记录（编号{rid}）"), e),
    };
    let proc = match st.store.get_proceeding(actor, reading.proceeding_id).await {
        Ok(p) => p,
        Err(e) => return store_error_page(&s.0, "程序", e),
    };
    let defendants = huajie_store::readings::defendants(&proc);
    let draft = ConfirmDraft {
        version: p.get("version").parse().ok(),
        outcomes: defendants
            .iter()
            .map(|d| OutcomeDraft {
                version: None,
                party_id: Some(d.party_id),
                code: p.opt(&format!("code_{}", d.party_id)),
                decided_on: p.opt(&format!("decided_on_{}", d.party_id)),
                grounds: p.all(&format!("grounds_{}", d.party_id)),
                note: None,
            })
            .collect(),
        effective_on: p.opt("effective_on"),
        note: p.opt("note"),
    };
    // Messages about one defendant's row name the defendant.
    let name_rows = |inv: huajie_domain::Invalid| {
        let mut out = huajie_domain::Invalid::default();
        for mut e in inv.0 {
            if let Some(rest) = e.field.strip_prefix("outcomes[")
                && let Some((i, _)) = rest.split_once(']')
                && let Some(d) = i.parse::<usize>().ok().and_then(|i| defendants.get(i))
            {
                e.message = format!("被告“{}”：{}", d.name, e.message);
            }
            e.field = format!("reading.{}", e.field);
            out.push(e);
        }
        out
    };
    let result = st
        .store
        .confirm_reading(actor, rid, &draft)
        .await
        .map_err(|e| match e {
            huajie_store::StoreError::Invalid(inv) => {
                huajie_store::StoreError::Invalid(name_rows(inv))
            }
            e => e,
        });
    case_form(
        &st,
        &s.0,
        proc.id,
        format!("reading-{rid}"),
        p,
        &[],
        result,
        &format!("msg=reading_confirmed#reading-{rid}"),
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
pub struct ReportQuery {
    party_id: Option<String>,
}

/// The draft 败诉分析报告 of a losing defendant, as a Word download.
pub async fn reading_report(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let Some(rid) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("识别记录“{raw}”"));
    };
    let Some(party) = q.party_id.as_deref().and_then(parse_id) else {
        return message_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "缺少败诉被告（party_id），请从程序页面的链接下载",
            BACK_FORM,
        );
    };
    match crate::readings::loss_report(&st, &s.0.actor, rid, party).await {
        Ok((name, bytes)) => attachment(bytes, DOCX, &name),
        Err(e) => store_error_page(&s.0, &format!("识别记录（编号{rid}）"), e),
    }
}
