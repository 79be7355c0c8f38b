//! 导入台账: the page where the bureau loads an existing Excel or CSV ledger, checks it (every
//! bad row with its reason) and imports it all or nothing; and the template to fill in.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use huajie_store::import::ImportSummary;
use huajie_store::sessions::Session;

use super::{Chrome, UiSession, forbidden_page, message_page, render, store_error_page};
use crate::AppState;

/// Largest ledger file accepted from the page.
pub const IMPORT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Problems listed on the page at most (the count is always exact).
const MAX_LISTED: usize = 2000;

pub struct RowProblem {
    pub line: usize,
    pub message: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    filename: String,
    /// A file-level problem (unreadable, no header row).
    failure: Option<String>,
    mapped: Vec<(String, &'static str)>,
    ignored: Vec<String>,
    problems: Vec<RowProblem>,
    problem_rows: usize,
    problem_count: usize,
    rows: usize,
    summary: Option<ImportSummary>,
}

fn bureau_only(s: &Session) -> Option<Response> {
    (!s.actor.can_administer()).then(|| forbidden_page("只有司法局协调员可以导入台账"))
}

fn empty(chrome: Chrome) -> ImportPage {
    ImportPage {
        chrome,
        filename: String::new(),
        failure: None,
        mapped: Vec::new(),
        ignored: Vec::new(),
        problems: Vec::new(),
        problem_rows: 0,
        problem_count: 0,
        rows: 0,
        summary: None,
    }
}

pub async fn import_page(s: UiSession) -> Response {
    if let Some(r) = bureau_only(&s.0) {
        return r;
    }
    render(StatusCode::OK, &empty(Chrome::new(&s.0, "import")))
}

/// Checks (`mode=check`) or imports (`mode=import`) an uploaded ledger.
pub async fn import_submit(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Some(r) = bureau_only(&s.0) {
        return r;
    }
    let up = match mp {
        Ok(mp) => crate::documents::read_upload(mp, IMPORT_MAX_BYTES).await,
        Err(_) => Err(huajie_domain::FieldError::new(
            "file",
            "not_multipart",
            "上传表单无效，请刷新页面后重新选择文件",
        )),
    };
    let up = match up {
        Ok(up) => up,
        Err(fe) => {
            return message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &fe.message,
                super::BACK_FORM,
            );
        }
    };
    if let Err(r) = s.check(&headers, &up.csrf) {
        return *r;
    }
    let mut page = empty(Chrome::new(&s.0, "import"));
    page.filename = up.filename.clone();
    if up.bytes.is_empty() {
        page.failure = Some("请选择要导入的Excel或CSV文件".into());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let checked = match huajie_service::imports::check(
        &st.store,
        &s.0.actor,
        &up.bytes,
        &up.filename,
    )
    .await
    {
        Ok(c) => c,
        Err(huajie_service::ServiceError::Invalid(m)) => {
            page.failure = Some(m);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(e) => return super::service_error_page(&s.0, "导入台账", e),
    };
    let bad_lines = checked.bad_lines();
    let huajie_service::imports::Checked {
        mapped,
        ignored,
        rows,
        errors,
        ..
    } = checked;
    page.mapped = mapped;
    page.ignored = ignored;
    page.rows = rows.len() + bad_lines;
    if !errors.is_empty() {
        page.problem_count = errors.len();
        page.problem_rows = bad_lines;
        page.problems = errors
            .into_iter()
            .take(MAX_LISTED)
            .map(|e| RowProblem {
                line: e.line,
                message: e.message,
            })
            .collect();
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let dry_run = up.mode != "import";
    match st
        .store
        .import_ledger(&s.0.actor, &rows, dry_run, &|_| {})
        .await
    {
        Ok(summary) => {
            page.summary = Some(summary);
            render(StatusCode::OK, &page)
        }
        Err(huajie_store::StoreError::Invalid(inv)) => {
            page.failure = Some(
                inv.0
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
            );
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => store_error_page(&s.0, "导入台账", e),
    }
}

/// The import template, with dropdowns from the current code lists.
pub async fn import_template(State(st): State<AppState>, s: UiSession) -> Response {
    if let Some(r) = bureau_only(&s.0) {
        return r;
    }
    match huajie_service::imports::template(&st.store).await {
        Ok(bytes) => super::attachment(bytes, super::XLSX, "案件台账导入模板.xlsx"),
        Err(e) => super::service_error_page(&s.0, "导入模板", e),
    }
}
