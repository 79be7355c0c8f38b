use super::*;

// ----- ledger ---------------------------------------------------------------------------

/// The ledger's filter form as typed (all text, so nothing typed is lost on an error).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct LedgerForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    registered_from: String,
    #[serde(default)]
    registered_to: String,
    #[serde(default)]
    case_no: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: String,
}

impl LedgerForm {
    fn query_string(&self, after: Option<&str>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("kind", &self.kind),
            ("status", &self.status),
            ("domain", &self.domain),
            ("unit_id", &self.unit_id),
            ("registered_from", &self.registered_from),
            ("registered_to", &self.registered_to),
            ("case_no", &self.case_no),
            ("party", &self.party),
            ("sort", &self.sort),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        if let Some(a) = after {
            s.append_pair("after", a);
        }
        s.finish()
    }
}

/// Counts above this show as “more than”, so a count never walks the whole ledger.
const COUNT_CAP: i64 = 10_000;
/// With a party name, each counted match is a lookup from the name index: counted to 1,000.
const NAME_COUNT_CAP: i64 = 1_000;

struct LedgerRowView {
    id: i64,
    label: String,
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    domain: String,
    claimants: String,
    defendants: String,
    registered_on: String,
    closed_on: String,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPageView {
    chrome: Chrome,
    f: LedgerForm,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    domains: Vec<Opt>,
    units: Vec<Opt>,
    sorts: Vec<Opt>,
    errors: Vec<String>,
    rows: Vec<LedgerRowView>,
    is_later_page: bool,
    /// Matching cases: `None` after a filter error; above the cap shown as “more than”.
    count: Option<i64>,
    count_cap: i64,
    saved: Vec<huajie_store::filters::SavedFilter>,
    current_query: String,
    first_href: String,
    next_href: Option<String>,
}

pub async fn ledger(
    State(st): State<AppState>,
    s: UiSession,
    Query(f): Query<LedgerForm>,
) -> Response {
    use huajie_domain::codes::CodeList;
    use huajie_domain::ledger::LedgerParams;
    use huajie_domain::proceeding::{ProceedingKind, ProceedingStatus};
    let actor = &s.0.actor;
    let mut errors = Vec::new();
    let unit_id = match f.unit_id.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(format!("单位编号“{v}”无效"));
                None
            }
        },
    };
    let params = LedgerParams {
        unit_id,
        kind: Some(f.kind.clone()),
        status: Some(f.status.clone()),
        domain: Some(f.domain.clone()),
        registered_from: Some(f.registered_from.clone()),
        registered_to: Some(f.registered_to.clone()),
        case_no: Some(f.case_no.clone()),
        party: Some(f.party.clone()),
        sort: Some(f.sort.clone()),
        after: Some(f.after.clone()),
        limit: Some(50),
        ..LedgerParams::default()
    };
    let mut count = None;
    let page = match params.validate() {
        Ok(q) if errors.is_empty() => match (
            st.store.ledger(actor, &q).await,
            st.store
                .ledger_count(
                    actor,
                    &q,
                    if q.party.is_some() {
                        NAME_COUNT_CAP
                    } else {
                        COUNT_CAP
                    },
                )
                .await,
        ) {
            (Ok(p), Ok(n)) => {
                count = Some(n);
                Some(p)
            }
            (Err(e), _) | (_, Err(e)) => return crate::error::ApiError::from(e).into_response(),
        },
        Ok(_) => None,
        Err(inv) => {
            errors.extend(inv.0.into_iter().map(|e| e.message));
            None
        }
    };
    let saved = match st.store.saved_filters(actor).await {
        Ok(v) => v,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let domains = match st.store.codes(CodeList::Domain).await {
        Ok(d) => d,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let domain_label = |code: &str| {
        domains
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.label.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let units = if matches!(actor.role, Role::UnitClerk | Role::UnitHead) {
        Vec::new()
    } else {
        match st.store.list_units(Some(actor.jurisdiction_id)).await {
            Ok(u) => u,
            Err(e) => return crate::error::ApiError::from(e).into_response(),
        }
    };
    let (rows, next) = match page {
        Some(p) => (p.items, p.next_cursor),
        None => (Vec::new(), None),
    };
    let rows = rows
        .into_iter()
        .map(|r| LedgerRowView {
            id: r.id,
            label: r.case_no.or(r.reference_no).unwrap_or_default(),
            kind: r.kind.label(),
            status: r.status.label(),
            status_code: r.status.code(),
            domain: domain_label(&r.domain),
            claimants: r.claimants,
            defendants: r.defendants,
            registered_on: r.registered_on,
            closed_on: r.closed_on.unwrap_or_default(),
        })
        .collect();
    render(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &LedgerPageView {
            chrome: Chrome::new(&s.0, "ledger"),
            kinds: opts(
                ProceedingKind::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &f.kind,
            ),
            statuses: opts(
                ProceedingStatus::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &f.status,
            ),
            domains: opts(
                domains
                    .iter()
                    .filter(|d| d.active)
                    .map(|d| (d.code.clone(), d.label.clone())),
                &f.domain,
            ),
            units: opts(
                units
                    .iter()
                    .filter(|u| !u.kind.is_jurisdiction())
                    .map(|u| (u.id.to_string(), u.name.clone())),
                &f.unit_id,
            ),
            sorts: opts(
                [
                    ("", "登记日期（新→旧）"),
                    ("registered_on", "登记日期（旧→新）"),
                    ("-updated_at", "最近更新"),
                ]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string())),
                &f.sort,
            ),
            errors,
            rows,
            is_later_page: !f.after.is_empty(),
            count,
            count_cap: if f.party.trim().is_empty() {
                COUNT_CAP
            } else {
                NAME_COUNT_CAP
            },
            saved,
            current_query: f.query_string(None),
            first_href: format!("/ledger?{}", f.query_string(None)),
            next_href: next.map(|c| format!("/ledger?{}", f.query_string(Some(&c)))),
            f,
        },
    )
}

/// Saves the current filter under a name (`name`, `query`), then shows it.
pub async fn save_filter(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: super::forms::Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let query = p.get("query");
    match st
        .store
        .save_filter(&s.0.actor, &p.get("name"), &query)
        .await
    {
        Ok(()) => Redirect::to(&format!("/ledger?{query}")).into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let msg: Vec<String> = inv.0.into_iter().map(|e| e.message).collect();
            message_page(StatusCode::UNPROCESSABLE_ENTITY, &msg.join("；"), BACK_FORM)
        }
        Err(e) => store_error_page(&s.0, "筛选", e),
    }
}

pub async fn delete_filter(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: super::forms::Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "筛选") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    match st.store.delete_filter(&s.0.actor, id).await {
        Ok(()) => Redirect::to("/ledger").into_response(),
        Err(e) => store_error_page(&s.0, "筛选", e),
    }
}

/// Rows an export may hold; a larger selection must be narrowed by the filters.
pub(crate) const EXPORT_CAP: usize = 100_000;

/// The ledger view with its filters as an Excel workbook (every matching row, not one page).
pub async fn ledger_export(
    State(st): State<AppState>,
    s: UiSession,
    Query(f): Query<LedgerForm>,
) -> Response {
    use huajie_domain::ledger::LedgerParams;
    let actor = &s.0.actor;
    let unit_id = match f.unit_id.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                return message_page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("单位编号“{v}”无效"),
                    BACK_FORM,
                );
            }
        },
    };
    let params = LedgerParams {
        unit_id,
        kind: Some(f.kind.clone()),
        status: Some(f.status.clone()),
        domain: Some(f.domain.clone()),
        registered_from: Some(f.registered_from.clone()),
        registered_to: Some(f.registered_to.clone()),
        case_no: Some(f.case_no.clone()),
        party: Some(f.party.clone()),
        sort: Some(f.sort.clone()),
        ..LedgerParams::default()
    };
    let q = match params.validate() {
        Ok(q) => q,
        Err(inv) => {
            let msg: Vec<String> = inv.0.into_iter().map(|e| e.message).collect();
            return message_page(StatusCode::UNPROCESSABLE_ENTITY, &msg.join("；"), BACK_FORM);
        }
    };
    let filter = f.query_string(None);
    match huajie_service::exports::ledger(&st.store, actor, &q, &filter, EXPORT_CAP, None).await {
        Ok(w) => attachment(w.bytes, XLSX, &w.filename),
        Err(e) => service_error_page(&s.0, "台账", e),
    }
}
