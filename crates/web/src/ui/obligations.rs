//! The pages of obligations and their submissions (报送—审核): one obligation with what it
//! requires, its history and the form the viewer may use (submit, review, mark met), and
//! 凡败必报 for the bureau. The API of the same feature is `crate::obligations`.

use huajie_domain::document::{DocumentKind, check_upload};
use huajie_domain::obligation::{ReviewDraft, SubmissionDraft, SubmissionStatus};
use huajie_domain::records::{Document, Obligation};
use huajie_store::documents::DocumentInput;

use super::forms::Pairs;
use super::*;

struct DocChoice {
    id: i64,
    label: String,
    checked: bool,
}

struct KindRow {
    code: &'static str,
    label: &'static str,
    existing: Vec<DocChoice>,
}

struct SubmissionView {
    id: i64,
    seq: i64,
    status_code: &'static str,
    status_label: String,
    submitted_on: String,
    submitted_by: String,
    fields: Vec<(String, String)>,
    note: Option<String>,
    docs: Vec<(i64, String, String)>,
    review: Option<String>,
}

#[derive(Template)]
#[template(path = "obligation.html")]
struct ObligationPage {
    chrome: Chrome,
    id: i64,
    version: i64,
    name: String,
    /// The page of what it is owed on, and the kind of work item (none for a proceeding).
    subject_href: String,
    subject_kind: Option<&'static str>,
    case_label: String,
    owner: String,
    nature_label: String,
    due_on: String,
    state_code: &'static str,
    state_label: String,
    done_note: Option<String>,
    trace: String,
    citation: String,
    requirement: Option<String>,
    submissions: Vec<SubmissionView>,
    can_submit: bool,
    kinds: Vec<KindRow>,
    fields: Vec<(String, String)>,
    note: String,
    /// The submission awaiting the bureau's review, when the viewer reviews.
    review: Option<(i64, i64)>,
    can_mark: bool,
    today: String,
    errors: Vec<String>,
}

/// Who may submit for this obligation: its unit's staff, or the bureau for its own.
fn is_owner(actor: &huajie_domain::access::Actor, o: &Obligation) -> bool {
    match (o.deadline.unit_id, actor.proceeding_scope()) {
        (Some(u), huajie_domain::access::ProceedingScope::Unit { unit_id, .. }) => u == unit_id,
        (None, _) => {
            o.deadline.responsible == huajie_domain::rules::Responsible::JusticeBureau
                && actor.can_administer()
        }
        _ => false,
    }
}

async fn render_obligation(
    st: &AppState,
    s: &Session,
    id: i64,
    status: StatusCode,
    flash: Option<String>,
    typed: Option<&Pairs>,
    errors: Vec<String>,
) -> Response {
    let actor = &s.actor;
    let o = match st.store.obligation(actor, id).await {
        Ok(o) => o,
        Err(huajie_store::StoreError::NotFound) => return not_found_page(s, "期限"),
        Err(e) => return store_error_page(s, "期限", e),
    };
    // A work item about no case (or a case out of the unit's scope) has no documents to offer.
    let docs: Vec<Document> = match o.deadline.proceeding_id {
        None => Vec::new(),
        Some(pid) => match st.store.list_documents(actor, pid).await {
            Ok(d) => d,
            Err(huajie_store::StoreError::NotFound) => Vec::new(),
            Err(e) => return store_error_page(s, "期限", e),
        },
    };
    let d = &o.deadline;
    let open = d.met_on.is_none() && d.waived_reason.is_none();
    let owner = is_owner(actor, &o);
    let can_submit = o.submit.is_some()
        && open
        && owner
        && actor.can_write_cases()
        && d.submission_state != Some(SubmissionStatus::Submitted);
    let latest_docs: Vec<i64> = o
        .submissions
        .first()
        .map(|x| x.documents.iter().map(|d| d.id).collect())
        .unwrap_or_default();
    let typed_docs: Option<Vec<String>> = typed.map(|p| p.all("doc"));
    let kinds = o
        .submit
        .as_ref()
        .map(|spec| {
            spec.documents
                .iter()
                .map(|k| {
                    let of_kind: Vec<&Document> = docs.iter().filter(|x| x.kind == *k).collect();
                    let newest = of_kind.last().map(|x| x.id);
                    KindRow {
                        code: k.code(),
                        label: k.label(),
                        existing: of_kind
                            .iter()
                            .map(|x| DocChoice {
                                id: x.id,
                                label: format!(
                                    "{}（{}上传）",
                                    x.filename,
                                    beijing_time(&x.created_at)
                                        .chars()
                                        .take(10)
                                        .collect::<String>()
                                ),
                                checked: match &typed_docs {
                                    Some(t) => t.contains(&x.id.to_string()),
                                    None if !latest_docs.is_empty() => latest_docs.contains(&x.id),
                                    None => Some(x.id) == newest,
                                },
                            })
                            .collect(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let fields = o
        .submit
        .as_ref()
        .map(|spec| {
            spec.fields
                .iter()
                .map(|f| {
                    let v = match typed {
                        Some(p) => p.get(&format!("field:{f}")),
                        None => o
                            .submissions
                            .first()
                            .and_then(|x| x.fields.get(f).cloned())
                            .unwrap_or_default(),
                    };
                    (f.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default();
    let review = o
        .submissions
        .first()
        .filter(|x| x.status == SubmissionStatus::Submitted && actor.can_administer())
        .map(|x| (x.id, x.version));
    let mut chrome = Chrome::new(s, "workbench");
    chrome.flash = flash;
    render(
        status,
        &ObligationPage {
            chrome,
            id: d.id,
            version: d.version,
            name: d.name.clone(),
            subject_href: subject_href(d, "#deadlines"),
            subject_kind: d.work_item_id.map(|_| d.subject_kind.label()),
            case_label: d.case_label.clone(),
            owner: d.owner_label.clone(),
            nature_label: d.nature_label.clone(),
            due_on: d.due_on.clone(),
            state_code: d.state.code(),
            state_label: d.state_label.clone(),
            done_note: match (&d.met_on, &d.waived_reason) {
                (Some(m), _) => Some(format!("完成于 {m}")),
                (_, Some(r)) => Some(format!("已豁免：{r}")),
                _ => None,
            },
            trace: d.trace.clone(),
            citation: d.citation.clone(),
            requirement: o.submit_label.clone(),
            can_mark: o.submit.is_none()
                && open
                && actor.can_write_cases()
                && d.nature != Nature::Right
                && (owner || actor.can_administer()),
            submissions: o
                .submissions
                .iter()
                .map(|x| SubmissionView {
                    id: x.id,
                    seq: x.seq,
                    status_code: x.status.code(),
                    status_label: x.status_label.clone(),
                    submitted_on: x.submitted_on.clone(),
                    submitted_by: x.submitted_by_name.clone(),
                    fields: x.fields.clone().into_iter().collect(),
                    note: x.note.clone(),
                    docs: x
                        .documents
                        .iter()
                        .map(|d| (d.id, d.kind_label.clone(), d.filename.clone()))
                        .collect(),
                    review: x.review_note.as_ref().map(|n| {
                        format!(
                            "{}（{}，{}）",
                            n,
                            x.reviewed_by_name.clone().unwrap_or_default(),
                            x.reviewed_at
                                .as_deref()
                                .map(beijing_time)
                                .unwrap_or_default()
                        )
                    }),
                })
                .collect(),
            can_submit,
            kinds,
            fields,
            note: typed.map(|p| p.get("note")).unwrap_or_default(),
            review,
            today: today().to_string(),
            errors,
        },
    )
}

pub async fn obligation_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    Query(q): Query<MsgParam>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("期限“{raw}”"));
    };
    let flash = match q.msg.as_deref() {
        Some("submitted") => Some("已报送，等待司法局审核。".to_string()),
        Some("recorded") => Some("已报送，该义务已完成。".to_string()),
        Some("accepted") => Some("已审核通过，该义务按报送日期完成。".to_string()),
        Some("returned") => Some("已退回，单位可修改后重新报送。".to_string()),
        _ => None,
    };
    render_obligation(&st, &s.0, id, StatusCode::OK, flash, None, Vec::new()).await
}

/// The submission form (multipart: chosen documents `doc`, new files `file_<kind>`, fields
/// `field:<name>`, `note`, `version`, `csrf`).
pub async fn submit(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("期限“{raw}”"));
    };
    let form = match mp {
        Ok(mp) => crate::documents::read_form(mp, st.max_document_bytes * 4).await,
        Err(_) => Err(huajie_domain::FieldError::new(
            "file",
            "not_multipart",
            "上传表单无效，请刷新页面后重试",
        )),
    };
    let form = match form {
        Ok(f) => f,
        Err(fe) => return message_page(StatusCode::UNPROCESSABLE_ENTITY, &fe.message, BACK_FORM),
    };
    let p = Pairs(form.pairs);
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    // Check every file before anything is stored; each kind's file goes to the document store.
    let mut errors = Vec::new();
    let mut uploads = Vec::new();
    for (field, filename, bytes) in form.files {
        let kind = field.trim_start_matches("file_").to_string();
        match check_upload(&kind, &filename, &bytes, st.max_document_bytes) {
            Ok((kind, filename, file_type)) => uploads.push((kind, filename, file_type, bytes)),
            Err(inv) => errors.extend(inv.0.into_iter().map(|e| {
                format!(
                    "{}：{}",
                    DocumentKind::from_code(&kind)
                        .map(|k| k.label())
                        .unwrap_or("文件"),
                    e.message
                )
            })),
        }
    }
    let version = p.get("version").parse::<i64>().ok();
    // A new file of a kind replaces the documents of that kind chosen from the case.
    let mut chosen: Vec<i64> = p.all("doc").iter().filter_map(|v| v.parse().ok()).collect();
    if !uploads.is_empty()
        && !chosen.is_empty()
        && let Ok(o) = st.store.obligation(&s.0.actor, id).await
        && let Some(pid) = o.deadline.proceeding_id
        && let Ok(docs) = st.store.list_documents(&s.0.actor, pid).await
    {
        chosen.retain(|d| {
            docs.iter()
                .find(|x| x.id == *d)
                .is_none_or(|x| !uploads.iter().any(|(k, ..)| *k == x.kind))
        });
    }
    let draft = SubmissionDraft {
        version,
        document_ids: chosen,
        fields: p
            .0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("field:").map(|n| (n.to_string(), v.clone())))
            .collect(),
        note: p.opt("note"),
    };
    if !errors.is_empty() {
        return render_obligation(
            &st,
            &s.0,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(&p),
            errors,
        )
        .await;
    }
    let mut inputs = Vec::with_capacity(uploads.len());
    for (kind, filename, file_type, bytes) in uploads {
        let size = bytes.len() as i64;
        match st.blobs.put(bytes).await {
            Ok(content_hash) => inputs.push(DocumentInput {
                kind,
                filename,
                file_type,
                size,
                content_hash,
            }),
            Err(e) => {
                return crate::error::ApiError::from(huajie_store::StoreError::from(e))
                    .into_response();
            }
        }
    }
    match st.store.submit(&s.0.actor, id, &draft, &inputs).await {
        Ok(sub) => {
            let msg = if sub.status == SubmissionStatus::Accepted {
                "recorded"
            } else {
                "submitted"
            };
            Redirect::to(&format!("/deadlines/{id}?msg={msg}")).into_response()
        }
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            render_obligation(
                &st,
                &s.0,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(&p),
                errors,
            )
            .await
        }
        Err(e) => store_error_page(&s.0, "期限", e),
    }
}

/// The bureau's review form: `action` accept or return, `reason`, `version`, `csrf`.
pub async fn review(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "报送") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = ReviewDraft {
        version: p.get("version").parse().ok(),
        reason: p.opt("reason"),
    };
    let (result, msg) = if p.get("action") == "return" {
        (
            st.store.return_submission(&s.0.actor, id, &draft).await,
            "returned",
        )
    } else {
        (
            st.store.accept_submission(&s.0.actor, id, &draft).await,
            "accepted",
        )
    };
    match result {
        Ok(sub) => {
            Redirect::to(&format!("/deadlines/{}?msg={msg}", sub.deadline_id)).into_response()
        }
        Err(e) => store_error_page(&s.0, "报送", e),
    }
}

struct LossRow {
    proceeding_id: i64,
    case_label: String,
    unit_name: String,
    outcome: String,
    decided_on: String,
    deadline_id: Option<i64>,
    report: String,
    due_on: String,
    state_code: String,
    state_label: String,
    problem: bool,
}

#[derive(Template)]
#[template(path = "losses.html")]
struct LossesPage {
    chrome: Chrome,
    rows: Vec<LossRow>,
    problems: usize,
    only_problems: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct LossQuery {
    problems: Option<String>,
}

/// 凡败必报: every loss and the state of its report (the bureau, leaders, auditors).
pub async fn losses_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<LossQuery>,
) -> Response {
    let lines = match st.store.loss_reports(&s.0.actor).await {
        Ok(l) => l,
        Err(e) => return store_error_page(&s.0, "凡败必报", e),
    };
    let only = q.problems.as_deref() == Some("1");
    let problems = lines.iter().filter(|l| l.problem).count();
    render(
        StatusCode::OK,
        &LossesPage {
            chrome: Chrome::new(&s.0, "losses"),
            problems,
            only_problems: only,
            rows: lines
                .into_iter()
                .filter(|l| !only || l.problem)
                .map(|l| LossRow {
                    proceeding_id: l.proceeding_id,
                    case_label: l.case_label,
                    unit_name: l.unit_name,
                    outcome: l.outcome_label,
                    decided_on: l.decided_on,
                    deadline_id: l.deadline_id,
                    report: l.report_name.unwrap_or_else(|| "—".into()),
                    due_on: l.due_on.unwrap_or_else(|| "—".into()),
                    state_code: l.state,
                    state_label: match l.submission_state {
                        Some(SubmissionStatus::Submitted) => {
                            format!("{}（已报送待审核）", l.state_label)
                        }
                        Some(SubmissionStatus::Returned) => format!("{}（已退回）", l.state_label),
                        _ => l.state_label,
                    },
                    problem: l.problem,
                })
                .collect(),
        },
    )
}
