//! Corrections on the case page (更正/撤回): every record a user enters — events, hearings,
//! outcomes, parties — can be corrected with a reason, and an event or a party withdrawn with a
//! reason. The change goes through the same store call as the API; the reason is kept with its
//! audit event and shown in the case history (修改记录).

use huajie_store::audit::with_reason;

use super::forms::Pairs;
use super::*;

/// The required reason of a correction typed on a page, or the page that says it is missing.
fn reason(s: &Session, p: &Pairs) -> Result<String, Box<Response>> {
    match crate::extract::reason_of(p.opt("reason").as_deref(), true) {
        Ok(Some(r)) => Ok(r),
        Ok(None) | Err(_) => Err(Box::new(store_error_page(
            s,
            "更正",
            huajie_store::StoreError::Invalid(
                huajie_domain::FieldError::new(
                    "reason",
                    "required",
                    "请填写更正或撤回的原因（不超过500字），它将记入修改记录",
                )
                .into(),
            ),
        ))),
    }
}

/// After a correction: back to the case page at `section`, or the page explaining the refusal.
fn done<T>(
    s: &Session,
    proceeding_id: i64,
    section: &str,
    what: &str,
    result: Result<T, huajie_store::StoreError>,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!(
            "/proceedings/{proceeding_id}?msg=corrected#{section}"
        ))
        .into_response(),
        Err(e) => store_error_page(s, what, e),
    }
}

/// The proceeding of the record `entity` `raw` after the form's CSRF check and its reason.
async fn prologue(
    st: &AppState,
    s: &UiSession,
    headers: &HeaderMap,
    p: &Pairs,
    raw: &str,
    entity: &str,
    what: &str,
) -> Result<(i64, i64, String), Box<Response>> {
    let id = s.posted(headers, p, raw, what)?;
    let reason = reason(&s.0, p)?;
    let pid = st
        .store
        .proceeding_of(&s.0.actor, entity, id)
        .await
        .map_err(|e| Box::new(store_error_page(&s.0, what, e)))?;
    Ok((id, pid, reason))
}

/// The proceeding a corrected record belongs to (its parties, hearings and outcomes).
async fn proceeding(
    st: &AppState,
    s: &Session,
    pid: i64,
    what: &str,
) -> Result<huajie_domain::records::Proceeding, Box<Response>> {
    st.store
        .get_proceeding(&s.actor, pid)
        .await
        .map_err(|e| Box::new(store_error_page(s, what, e)))
}

fn version(p: &Pairs) -> i64 {
    p.get("version").parse().unwrap_or(0)
}

/// Runs the store call `op` on a validated draft, with the reason kept on its audit events; a
/// draft that did not validate is the store's `Invalid`, as the API would answer it.
async fn with_valid<I, T, F, Fut>(
    why: String,
    draft: Result<I, huajie_domain::Invalid>,
    op: F,
) -> Result<T, huajie_store::StoreError>
where
    F: FnOnce(I) -> Fut,
    Fut: std::future::Future<Output = Result<T, huajie_store::StoreError>>,
{
    match draft {
        Ok(input) => with_reason(Some(why), op(input)).await,
        Err(inv) => Err(huajie_store::StoreError::Invalid(inv)),
    }
}

pub async fn correct_event(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let (id, pid, why) = match prologue(&st, &s, &headers, &p, &raw, "event", "事件").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let draft = huajie_domain::deadline::EventDraft {
        version: None,
        kind: p.opt("kind"),
        occurred_on: p.opt("occurred_on"),
        note: p.opt("note"),
    };
    let (store, actor, v) = (&st.store, &s.0.actor, version(&p));
    let result = with_valid(why, draft.validate(), |input| async move {
        store.update_event(actor, id, v, &input).await
    })
    .await;
    done(&s.0, pid, "events", "事件", result)
}

pub async fn withdraw_event(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let (id, pid, why) = match prologue(&st, &s, &headers, &p, &raw, "event", "事件").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let result = with_reason(
        Some(why),
        st.store.delete_event(&s.0.actor, id, version(&p)),
    )
    .await;
    done(&s.0, pid, "events", "事件", result)
}

pub async fn correct_hearing(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let (id, pid, why) = match prologue(&st, &s, &headers, &p, &raw, "hearing", "开庭").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let draft = huajie_domain::hearing::HearingDraft {
        version: None,
        scheduled_at: p.opt("scheduled_at").map(|v| v.replacen('T', " ", 1)),
        place: p.opt("place"),
        note: p.opt("note"),
    };
    let (store, actor, v) = (&st.store, &s.0.actor, version(&p));
    let result = with_valid(why, draft.validate(), |input| async move {
        store.update_hearing(actor, id, v, &input).await
    })
    .await;
    done(&s.0, pid, "hearings", "开庭", result)
}

pub async fn correct_appearance(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let (id, pid, why) = match prologue(&st, &s, &headers, &p, &raw, "appearance", "出庭").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let proc = match proceeding(&st, &s.0, pid, "出庭").await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    // The unit it appeared for stays as recorded.
    let Some(before) = proc
        .hearings
        .iter()
        .flat_map(|h| h.appearances.iter())
        .find(|a| a.id == id)
    else {
        return not_found_page(&s.0, "出庭");
    };
    let draft = huajie_domain::hearing::AppearanceDraft {
        version: None,
        unit_id: before.unit_id,
        person_name: p.opt("person_name"),
        post: p.opt("post"),
        level: p.opt("level"),
        appeared: Some(p.get("appeared") == "1"),
        spoke: Some(p.get("spoke") == "1"),
        excuse: p.opt("excuse"),
    };
    let (store, actor, v) = (&st.store, &s.0.actor, version(&p));
    let result = with_valid(why, draft.validate(), |input| async move {
        store.update_appearance(actor, id, v, &input).await
    })
    .await;
    done(&s.0, pid, "hearings", "出庭", result)
}

pub async fn correct_outcome(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let (id, pid, why) = match prologue(&st, &s, &headers, &p, &raw, "outcome", "结果").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let proc = match proceeding(&st, &s.0, pid, "结果").await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some(party_id) = proc
        .outcomes
        .iter()
        .find(|o| o.id == id)
        .map(|o| o.party_id)
    else {
        return not_found_page(&s.0, "结果");
    };
    let draft = huajie_domain::outcome::OutcomeDraft {
        version: None,
        party_id: Some(party_id),
        code: p.opt("code"),
        decided_on: p.opt("decided_on"),
        grounds: p.all("grounds"),
        note: p.opt("note"),
    };
    let (store, actor, v) = (&st.store, &s.0.actor, version(&p));
    let result = with_valid(why, draft.validate(proc.kind), |input| async move {
        store.update_outcome(actor, id, v, &input).await
    })
    .await;
    done(&s.0, pid, "outcomes", "结果", result)
}

pub async fn correct_party(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let (id, pid, why) = match prologue(&st, &s, &headers, &p, &raw, "party", "当事人").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let proc = match proceeding(&st, &s.0, pid, "当事人").await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some(before) = proc.parties.iter().find(|x| x.id == id) else {
        return not_found_page(&s.0, "当事人");
    };
    // The name is what a page corrects; role, kind and unit stay as registered.
    let draft = huajie_domain::proceeding::PartyDraft {
        version: None,
        role: Some(before.role.code().to_string()),
        kind: Some(before.kind.code().to_string()),
        name: p.opt("name"),
        unit_id: before.unit_id,
    };
    let (store, actor, v) = (&st.store, &s.0.actor, version(&p));
    let result = with_valid(why, draft.validate(), |input| async move {
        store.update_party(actor, id, v, &input).await
    })
    .await;
    done(&s.0, pid, "parties", "当事人", result)
}

pub async fn withdraw_party(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let (id, pid, why) = match prologue(&st, &s, &headers, &p, &raw, "party", "当事人").await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let result = with_reason(
        Some(why),
        st.store.delete_party(&s.0.actor, id, version(&p)),
    )
    .await;
    done(&s.0, pid, "parties", "当事人", result)
}
