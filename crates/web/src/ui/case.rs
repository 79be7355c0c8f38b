use super::forms::{FieldErrs, Pairs};
use super::*;

// ----- case page (程序详情) ----------------------------------------------------------------

struct CaseDeadline {
    id: i64,
    version: i64,
    state_code: &'static str,
    state_label: String,
    provisional: bool,
    due_on: String,
    name: String,
    /// Who owes it: the unit's name, or the responsible party.
    owner: String,
    nature_code: &'static str,
    nature_label: String,
    trace: String,
    citation: String,
    change_note: Option<String>,
    done_note: Option<String>,
    open: bool,
    /// The viewer may mark it met: an open duty or court limit, owed by the viewer's own unit
    /// (unit staff) or by anyone (the 司法局), whose rule needs no submission. A right is
    /// never a to-do.
    can_mark: bool,
    /// Its rule requires a submission (报送): met only by an accepted one.
    needs_submission: bool,
    /// Where its latest submission stands, in words.
    submission_label: Option<&'static str>,
}

/// A form on the case page that was refused: which one, what was typed, and the messages.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// `event`, `hearing`, `appearance-{hearing id}`, `outcome`, `reading-upload` or
    /// `reading-{reading id}`.
    pub(crate) form: String,
    pub(crate) values: Pairs,
    pub(crate) errs: FieldErrs,
}

/// One defendant unit at one hearing in 出庭安排: who must appear, the plan, what went wrong.
struct DutyView {
    hearing_id: i64,
    unit_id: i64,
    when: String,
    unit_name: String,
    expected: String,
    reasons: String,
    plan: Option<String>,
    plan_version: i64,
    plan_head_id: Option<i64>,
    plan_agents: String,
    problems: Vec<String>,
    /// The viewer may file this unit's plan (its clerk or head, or the bureau).
    can_file: bool,
    /// The unit's heads: id and "姓名（职务，类别）".
    heads: Vec<(i64, String)>,
}

struct HearingView {
    id: i64,
    version: i64,
    when: String,
    /// For the correction form's `datetime-local` input.
    when_input: String,
    place: String,
    note: String,
    appearances: Vec<AppearanceView>,
}

/// An appearance as listed, with what its correction form needs.
struct AppearanceView {
    id: i64,
    version: i64,
    text: String,
    person_name: String,
    post: String,
    level: &'static str,
    appeared: bool,
    spoke: bool,
    excuse: String,
}

/// A party as listed, with what its correction form needs.
struct PartyView {
    id: i64,
    version: i64,
    role: &'static str,
    kind: &'static str,
    name: String,
    /// A party that is a unit of the system keeps its name (the unit's).
    is_unit: bool,
}

struct DocView {
    id: i64,
    kind: String,
    filename: String,
    size: String,
    by: String,
    at: String,
}

struct OutcomeView {
    id: i64,
    version: i64,
    code: &'static str,
    /// The viewer may correct it directly (the bureau; a unit its own unit-recorded outcome).
    can_edit: bool,
    party: String,
    label: &'static str,
    decided_on: String,
    grounds: String,
    loss: &'static str,
    note: String,
    source: &'static str,
    /// The viewer's unit may ask to correct it (a bureau's or a court document's outcome of
    /// the viewer's own party, without an open request).
    can_request: bool,
}

/// A correction request shown on the case page.
struct CorrectionView {
    id: i64,
    version: i64,
    unit: String,
    from: String,
    to: String,
    reason: String,
    document_id: i64,
    document_name: String,
    status_code: &'static str,
    status_label: String,
    by: String,
    decision: Option<String>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    id: i64,
    title: String,
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    facts: Vec<(&'static str, String)>,
    parties: Vec<PartyView>,
    deadlines: Vec<CaseDeadline>,
    events: Vec<huajie_domain::records::Event>,
    event_kinds: Vec<Opt>,
    hearings: Vec<HearingView>,
    outcomes: Vec<OutcomeView>,
    /// Defendant-side parties without an outcome yet: (party id, name).
    open_defendants: Vec<(i64, String)>,
    /// Units among the parties, for an appearance: (unit id, name).
    party_units: Vec<(i64, String)>,
    outcome_codes: Vec<(&'static str, &'static str)>,
    grounds: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    /// The dispute (争议) this proceeding belongs to, and its stages: (id, label, kind, status, is this one).
    dispute_title: String,
    stages: Vec<(i64, String, &'static str, &'static str, bool)>,
    documents: Vec<DocView>,
    /// Reminders about this case sent by e-mail / SMS (投递记录).
    deliveries: Vec<huajie_domain::notify::Delivery>,
    /// 出庭安排: each defendant unit at each hearing.
    duties: Vec<DutyView>,
    /// Case circumstances (code, label, recorded) and whether the viewer may record them.
    case_flags: Vec<(&'static str, &'static str, bool)>,
    can_flag: bool,
    /// Court documents read into this proceeding (litigation only).
    readings: Vec<super::reading::ReadingView>,
    can_read_judgments: bool,
    document_kinds: Vec<(&'static str, &'static str)>,
    max_document_mb: usize,
    /// The case history: (time, who, action, object, reason).
    audit: Vec<(String, String, String, String, String)>,
    can_write: bool,
    can_write_hearings: bool,
    /// Waive and reopen deadlines (the coordinator).
    can_waive: bool,
    today: String,
    pending: Pending,
    /// 案情摘要, shown under the facts with its line breaks.
    summary: Option<String>,
    /// Correction requests of this proceeding's outcomes (更正申请), newest first.
    corrections: Vec<CorrectionView>,
    /// The coordinator decides correction requests.
    can_decide: bool,
    /// Documents of the proceeding to attach to a correction request: (id, label).
    document_choices: Vec<(i64, String)>,
    /// 风险预警 on this case: (id, grade code, grade, state, source, issued on).
    warnings: Vec<(
        i64,
        &'static str,
        &'static str,
        &'static str,
        String,
        String,
    )>,
    /// Whether the viewer may send a warning here (the court on litigation, the bureau, a
    /// defendant unit; pending cases only).
    can_warn: bool,
    /// The court liaison sends 开庭传票 (hearing, 收到开庭传票, the units told).
    can_notify_hearing: bool,
}

impl CasePage {
    fn mine(&self, form: &str) -> bool {
        self.pending.form == form
    }

    /// What was typed into `field` of `form`, when that form was refused.
    fn typed(&self, form: &str, field: &str) -> String {
        if self.mine(form) {
            self.pending.values.get(field)
        } else {
            String::new()
        }
    }

    /// Whether a checkbox or option is on: as submitted when refused, else `default`.
    fn on(&self, form: &str, field: &str, value: &str, default: bool) -> bool {
        if self.mine(form) {
            self.pending
                .values
                .0
                .iter()
                .any(|(k, v)| k == field && v == value)
        } else {
            default
        }
    }

    fn err(&self, form: &str, field: &str) -> String {
        if self.mine(form) {
            self.pending.errs.get(field).unwrap_or_default().to_string()
        } else {
            String::new()
        }
    }

    fn general(&self, form: &str) -> Vec<String> {
        if self.mine(form) {
            self.pending.errs.general.clone()
        } else {
            Vec::new()
        }
    }
}

async fn render_case(
    st: &AppState,
    s: &Session,
    id: i64,
    pending: Pending,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    use huajie_domain::hearing::AppearanceLevel;
    use huajie_domain::outcome::{Ground, OutcomeCode};
    use huajie_domain::rules::EventKind;
    let actor = &s.actor;
    let p = match st.store.get_proceeding(actor, id).await {
        Ok(p) => p,
        Err(huajie_store::StoreError::NotFound) => {
            return not_found_page(s, &format!("程序（编号{id}）"));
        }
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let (events, deadlines, history, documents) = match (
        st.store.list_events(actor, id).await,
        st.store.proceeding_deadlines(actor, id).await,
        st.store.history("proceeding", id).await,
        st.store.list_documents(actor, id).await,
    ) {
        (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
        (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
            return crate::error::ApiError::from(e).into_response();
        }
    };
    let deliveries = match st.store.case_deliveries(actor, id).await {
        Ok(d) => d,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let (duties, flags) = match (
        st.store.hearing_duties(actor, id).await,
        st.store.case_flags(actor, id).await,
    ) {
        (Ok(d), Ok(f)) => (d, f),
        (Err(e), _) | (_, Err(e)) => return crate::error::ApiError::from(e).into_response(),
    };
    let mut duty_views = Vec::with_capacity(duties.len());
    for d in duties {
        let can_file = actor.can_administer()
            || (actor.unit_id == d.unit_id
                && matches!(actor.role, Role::UnitClerk | Role::UnitHead));
        let heads = if can_file {
            st.store
                .list_heads(d.unit_id)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|h| {
                    (
                        h.id,
                        format!("{}（{}，{}）", h.name, h.post, h.kind.label()),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        duty_views.push(DutyView {
            hearing_id: d.hearing_id,
            unit_id: d.unit_id,
            when: d.scheduled_at.replace('T', " ").chars().take(16).collect(),
            unit_name: d.unit_name,
            expected: d.requirement.expected_label,
            reasons: d.requirement.reasons.join("、"),
            plan_version: d.plan.as_ref().map(|p| p.version).unwrap_or(0),
            plan_head_id: d.plan.as_ref().and_then(|p| p.head_id),
            plan_agents: d
                .plan
                .as_ref()
                .map(|p| p.agents.clone())
                .unwrap_or_default(),
            plan: d.plan.as_ref().map(|p| p.summary()),
            problems: d.problem_labels,
            can_file,
            heads,
        });
    }
    let case_flags = huajie_domain::appearance::CaseFlag::ALL
        .iter()
        .map(|f| (f.code(), f.label(), flags.contains(f)))
        .collect();
    let corrections = match st.store.list_corrections(actor, None, Some(id), 50).await {
        Ok(c) => c,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let own_unit = match actor.proceeding_scope() {
        huajie_domain::access::ProceedingScope::Unit { unit_id, .. } => Some(unit_id),
        huajie_domain::access::ProceedingScope::Jurisdiction(_)
        | huajie_domain::access::ProceedingScope::Litigation(_) => None,
    };
    // The rule set in force: which obligations are met only through a submission.
    let rules = match st.store.rule_set(actor).await {
        Ok(r) => r,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let can_read_judgments = huajie_domain::reading::check_kind(p.kind).is_ok();
    let readings = match st.store.list_readings(actor, id).await {
        Ok(r) => super::reading::views(r, &p, &pending),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    // The dispute and its other stages (e.g. 一审 → 二审), as far as the actor may see them.
    let (dispute_title, stages) = match st.store.get_dispute(actor, p.dispute_id).await {
        Ok(d) => {
            let mut stages = Vec::new();
            for pid in d.proceeding_ids {
                let other = if pid == id {
                    Some(p.clone())
                } else {
                    st.store.get_proceeding(actor, pid).await.ok()
                };
                if let Some(o) = other {
                    stages.push((
                        pid,
                        o.case_no
                            .or(o.reference_no)
                            .unwrap_or_else(|| format!("程序 {pid}")),
                        o.kind.label(),
                        o.status.label(),
                        pid == id,
                    ));
                }
            }
            (d.title, stages)
        }
        Err(_) => (String::new(), Vec::new()),
    };
    let label_of = |list, code: &str| {
        let st = st.clone();
        let code = code.to_string();
        async move {
            st.store
                .codes(list)
                .await
                .ok()
                .and_then(|items| items.into_iter().find(|i| i.code == code))
                .map(|i| i.label)
                .unwrap_or(code)
        }
    };
    let domain_label = label_of(huajie_domain::codes::CodeList::Domain, &p.domain).await;
    let act_label = match &p.act_type {
        Some(a) => Some(label_of(huajie_domain::codes::CodeList::ActType, a).await),
        None => None,
    };
    let title = p
        .case_no
        .clone()
        .or(p.reference_no.clone())
        .unwrap_or_else(|| format!("程序 {id}"));
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let summary = p.summary.clone();
    let facts = vec![
        ("案号/文号", title.clone()),
        ("登记日期", p.registered_on.clone()),
        ("领域", domain_label),
        ("被诉行为类型", opt(&act_label)),
        ("受理机关", opt(&p.forum)),
        ("案由", opt(&p.cause)),
        ("行为作出日期", opt(&p.act_on)),
        ("收到日期", opt(&p.received_on)),
        ("立案日期", opt(&p.filed_on)),
        ("裁判日期", opt(&p.decided_on)),
        ("送达日期", opt(&p.served_on)),
        ("生效日期", opt(&p.effective_on)),
        ("结案日期", opt(&p.closed_on)),
        ("原告人数", p.claimant_count.to_string()),
    ];
    let party_name = |pid: i64| {
        p.parties
            .iter()
            .find(|x| x.id == pid)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let mut chrome = Chrome::new(s, "ledger");
    chrome.flash = flash;
    let kind_code = pending.values.get("kind");
    let kind_code = if pending.form == "event" {
        kind_code
    } else {
        String::new()
    };
    let can_write = actor.can_write_cases();
    let warnings = st
        .store
        .list_warnings(
            actor,
            &huajie_store::warnings::WarningQuery {
                proceeding_id: Some(id),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|w| {
            (
                w.id,
                w.grade.code(),
                w.grade.label(),
                w.state.label(),
                format!("{}（{}）", w.source_unit_name, w.source.label()),
                w.issued_on,
            )
        })
        .collect();
    let can_warn = p.status != huajie_domain::proceeding::ProceedingStatus::Concluded
        && match actor.role {
            Role::Coordinator => true,
            Role::CourtLiaison => p.kind.is_litigation(),
            Role::UnitClerk | Role::UnitHead => p
                .parties
                .iter()
                .any(|x| x.role.is_defendant_side() && x.unit_id == Some(actor.unit_id)),
            Role::Leader | Role::Auditor => false,
        };
    render(
        status,
        &CasePage {
            chrome,
            id,
            kind: p.kind.label(),
            status: p.status.label(),
            status_code: p.status.code(),
            facts,
            parties: p
                .parties
                .iter()
                .map(|x| PartyView {
                    id: x.id,
                    version: x.version,
                    role: x.role.label(),
                    kind: x.kind.label(),
                    name: x.name.clone(),
                    is_unit: x.unit_id.is_some(),
                })
                .collect(),
            summary,
            can_decide: actor.can_administer(),
            document_choices: documents
                .iter()
                .map(|d| (d.id, format!("{}：{}", d.kind_label, d.filename)))
                .collect(),
            corrections: corrections
                .iter()
                .map(|c| CorrectionView {
                    id: c.id,
                    version: c.version,
                    unit: c.unit_name.clone(),
                    from: format!("{}（{}）", c.before_label, c.before_decided_on),
                    to: format!("{}（{}）", c.code_label, c.decided_on),
                    reason: c.reason.clone(),
                    document_id: c.document_id,
                    document_name: c.document_name.clone(),
                    status_code: c.status.code(),
                    status_label: c.status_label.clone(),
                    by: format!("{} {}", c.requested_by_name, beijing_time(&c.requested_at)),
                    decision: c.decided_by_name.as_ref().map(|d| {
                        format!("{}（{}）", c.decision_note.clone().unwrap_or_default(), d)
                    }),
                })
                .collect(),
            deadlines: deadlines
                .into_iter()
                .map(|d| {
                    let open = d.met_on.is_none() && d.waived_reason.is_none();
                    let own = match actor.proceeding_scope() {
                        huajie_domain::access::ProceedingScope::Unit { unit_id, .. } => {
                            d.unit_id == Some(unit_id)
                        }
                        huajie_domain::access::ProceedingScope::Jurisdiction(_) => true,
                        huajie_domain::access::ProceedingScope::Litigation(_) => false,
                    };
                    let needs_submission = rules.requires_submission(&d.rule_id);
                    CaseDeadline {
                        can_mark: open
                            && can_write
                            && own
                            && d.nature != Nature::Right
                            && !needs_submission,
                        needs_submission,
                        submission_label: d.submission_state.map(|x| x.label()),
                        open,
                        done_note: match (&d.met_on, &d.waived_reason) {
                            (Some(m), _) => Some(format!("完成于 {m}")),
                            (_, Some(r)) => Some(format!(
                                "豁免：{r}（{}）",
                                d.waived_by.clone().unwrap_or_default()
                            )),
                            _ => None,
                        },
                        id: d.id,
                        version: d.version,
                        state_code: d.state.code(),
                        state_label: d.state_label,
                        provisional: d.provisional,
                        due_on: d.due_on,
                        // A work item's obligation on this case names its item (督办单：…).
                        name: match d.work_item_id {
                            Some(_) => {
                                format!("{}：{}（{}）", d.subject_label, d.name, d.case_label)
                            }
                            None => d.name,
                        },
                        owner: d.owner_label,
                        nature_code: d.nature.code(),
                        nature_label: d.nature_label,
                        trace: d.trace,
                        citation: d.citation,
                        change_note: d.change_note,
                    }
                })
                .collect(),
            events,
            event_kinds: opts(
                EventKind::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label().to_string())),
                &kind_code,
            ),
            hearings: p
                .hearings
                .iter()
                .map(|h| HearingView {
                    id: h.id,
                    version: h.version,
                    when_input: h.scheduled_at.chars().take(16).collect(),
                    when: h
                        .scheduled_at
                        .replacen('T', " ", 1)
                        .chars()
                        .take(16)
                        .collect(),
                    place: h.place.clone().unwrap_or_default(),
                    note: h.note.clone().unwrap_or_default(),
                    appearances: h
                        .appearances
                        .iter()
                        .map(|a| AppearanceView {
                            id: a.id,
                            version: a.version,
                            text: format!(
                                "{}{}（{}，{}{}）{}",
                                a.person_name,
                                a.post
                                    .as_deref()
                                    .map(|p| format!(" {p}"))
                                    .unwrap_or_default(),
                                a.level.label(),
                                if a.appeared { "出庭" } else { "未出庭" },
                                if a.spoke { "，出声" } else { "" },
                                a.excuse
                                    .as_deref()
                                    .map(|e| format!(" 理由：{e}"))
                                    .unwrap_or_default()
                            ),
                            person_name: a.person_name.clone(),
                            post: a.post.clone().unwrap_or_default(),
                            level: a.level.code(),
                            appeared: a.appeared,
                            spoke: a.spoke,
                            excuse: a.excuse.clone().unwrap_or_default(),
                        })
                        .collect(),
                })
                .collect(),
            outcomes: p
                .outcomes
                .iter()
                .map(|o| OutcomeView {
                    id: o.id,
                    version: o.version,
                    code: o.code.code(),
                    can_edit: can_write
                        && (own_unit.is_none()
                            || (o.source == huajie_domain::outcome::OutcomeSource::Unit
                                && p.parties
                                    .iter()
                                    .any(|x| x.id == o.party_id && x.unit_id == own_unit))),
                    source: o.source.label(),
                    can_request: can_write
                        && o.source != huajie_domain::outcome::OutcomeSource::Unit
                        && own_unit.is_some()
                        && p.parties
                            .iter()
                            .any(|x| x.id == o.party_id && x.unit_id == own_unit)
                        && !corrections.iter().any(|c| {
                            c.outcome_id == o.id
                                && c.status == huajie_domain::outcome::CorrectionStatus::Pending
                        }),
                    party: party_name(o.party_id),
                    label: o.code.label(),
                    decided_on: o.decided_on.clone(),
                    grounds: o
                        .grounds
                        .iter()
                        .map(|g| g.label())
                        .collect::<Vec<_>>()
                        .join("、"),
                    loss: if o.is_loss { "败诉" } else { "否" },
                    note: o.note.clone().unwrap_or_default(),
                })
                .collect(),
            open_defendants: p
                .parties
                .iter()
                .filter(|x| {
                    x.role.is_defendant_side() && !p.outcomes.iter().any(|o| o.party_id == x.id)
                })
                .map(|x| (x.id, x.name.clone()))
                .collect(),
            party_units: p
                .parties
                .iter()
                .filter_map(|x| x.unit_id.map(|u| (u, x.name.clone())))
                .collect(),
            outcome_codes: OutcomeCode::ALL
                .iter()
                .filter(|c| c.applies_to(p.kind))
                .map(|c| (c.code(), c.label()))
                .collect(),
            grounds: Ground::ALL.iter().map(|g| (g.code(), g.label())).collect(),
            levels: AppearanceLevel::ALL
                .iter()
                .map(|l| (l.code(), l.label()))
                .collect(),
            can_write_hearings: actor.can_write_hearings(),
            dispute_title,
            stages,
            can_waive: actor.can_administer(),
            deliveries,
            duties: duty_views,
            case_flags,
            can_flag: actor.can_administer(),
            documents: documents
                .into_iter()
                .map(|d| DocView {
                    id: d.id,
                    kind: d.kind_label,
                    size: if d.size >= 1024 * 1024 {
                        format!("{:.1} MB", d.size as f64 / 1048576.0)
                    } else {
                        format!("{} KB", (d.size + 1023) / 1024)
                    },
                    filename: d.filename,
                    by: d.uploaded_by_name,
                    at: beijing_time(&d.created_at).chars().take(16).collect(),
                })
                .collect(),
            readings,
            can_read_judgments,
            document_kinds: huajie_domain::document::DocumentKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            max_document_mb: st.max_document_bytes / 1048576,
            pending,
            audit: history
                .into_iter()
                .rev()
                .take(50)
                .map(|a| {
                    (
                        beijing_time(&a.at),
                        a.actor_name.clone(),
                        if a.action == "delete" && a.reason.is_some() {
                            "撤回".to_string()
                        } else {
                            audit_action(&a.action).to_string()
                        },
                        audit_object(&a),
                        a.reason.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            can_write,
            today: today().to_string(),
            title,
            warnings,
            can_warn,
            can_notify_hearing: actor.role == Role::CourtLiaison && p.kind.is_litigation(),
        },
    )
    .into_response()
}

pub async fn case_page(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    Query(q): Query<MsgParam>,
) -> Response {
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("程序“{raw}”"));
    };
    let flash = match q.msg.as_deref() {
        Some("event_added") => Some("事件已登记，期限已自动计算。".to_string()),
        Some("met") => Some("期限已标记完成。".to_string()),
        Some("registered") => {
            Some("案件已登记。请登记“收到起诉状副本”等事件，期限将自动计算。".to_string())
        }
        Some("updated") => Some("程序信息已保存。".to_string()),
        Some("hearing_added") => Some("开庭已登记，已列入“本周开庭”。".to_string()),
        Some("appearance_added") => Some("出庭情况已登记。".to_string()),
        Some("outcome_added") => Some("结果已登记。".to_string()),
        Some("correction_requested") => {
            Some("更正申请已提交，司法局批准前结果和统计不变。".to_string())
        }
        Some("correction_decided") => Some("更正申请已审批。".to_string()),
        Some("corrected") => Some("已更正，原因已记入修改记录。".to_string()),
        Some("document_added") => Some("文书已上传。".to_string()),
        Some("reading_added") => {
            Some("裁判文书已识别，请核对下方的识别结果，确认或更正后登记。".to_string())
        }
        Some("reading_confirmed") => Some(
            "识别结果已确认，结果已登记；败诉的，已按生效日期计算败诉分析报告期限。".to_string(),
        ),
        Some("deadline_changed") => Some("期限已更新。".to_string()),
        Some("plan_filed") => Some("出庭人员名单已报送。".to_string()),
        Some("flags_saved") => Some("案件情形已保存，应出庭人员已按规则重新确定。".to_string()),
        Some("warning_sent") => Some("风险预警已发出，司法局将交办责任单位。".to_string()),
        Some("notice_sent") => {
            Some("开庭传票已送达：开庭已登记，被告单位已收到提醒并须报送出庭人员名单。".to_string())
        }
        _ => None,
    };
    render_case(&st, &s.0, id, Pending::default(), flash, StatusCode::OK).await
}

/// Runs one of the case page's forms. Success goes back to the page (at `anchor`, with a
/// message); refused input shows the page again with that form's typed values and messages.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn case_form<T>(
    st: &AppState,
    s: &Session,
    proceeding_id: i64,
    form: String,
    values: Pairs,
    fields: &[&str],
    result: Result<T, huajie_store::StoreError>,
    done: &str,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/proceedings/{proceeding_id}?{done}")).into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            let pending = Pending {
                form,
                values,
                errs: FieldErrs::from_invalid(inv, fields),
            };
            render_case(
                st,
                s,
                proceeding_id,
                pending,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => store_error_page(s, &format!("程序（编号{proceeding_id}）"), e),
    }
}

fn invalid<T>(inv: huajie_domain::Invalid) -> Result<T, huajie_store::StoreError> {
    Err(huajie_store::StoreError::Invalid(inv))
}

/// A number typed into a select or hidden field; a non-number is reported on that field.
fn id_field(p: &Pairs, field: &str, label: &str, inv: &mut huajie_domain::Invalid) -> Option<i64> {
    let v = p.get(field);
    if v.is_empty() {
        return None;
    }
    let n = parse_id(&v);
    if n.is_none() {
        inv.push(huajie_domain::FieldError::new(
            field,
            "invalid",
            format!("{label}“{v}”无效"),
        ));
    }
    n
}

pub async fn add_event(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "程序") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = huajie_domain::deadline::EventDraft {
        version: None,
        kind: p.opt("kind"),
        occurred_on: p.opt("occurred_on"),
        note: p.opt("note"),
    };
    let result = match draft.validate() {
        Ok(input) => st.store.add_event(&s.0.actor, id, &input).await,
        Err(inv) => invalid(inv),
    };
    case_form(
        &st,
        &s.0,
        id,
        "event".into(),
        p,
        &["kind", "occurred_on", "note"],
        result,
        "msg=event_added#deadlines",
    )
    .await
}

/// 送达开庭传票 (the court liaison).
pub async fn send_hearing_notice(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "程序") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = huajie_domain::hearing::HearingDraft {
        version: None,
        scheduled_at: p.opt("scheduled_at"),
        place: p.opt("place"),
        note: None,
    };
    let result = match draft.validate() {
        Ok(input) => st.store.send_hearing_notice(&s.0.actor, id, &input).await,
        Err(inv) => invalid(inv),
    };
    case_form(
        &st,
        &s.0,
        id,
        "hearing-notice".into(),
        p,
        &["scheduled_at", "place"],
        result,
        "msg=notice_sent#hearings",
    )
    .await
}

pub async fn add_hearing(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "程序") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = huajie_domain::hearing::HearingDraft {
        version: None,
        scheduled_at: p.opt("scheduled_at"),
        place: p.opt("place"),
        note: p.opt("note"),
    };
    let result = match draft.validate() {
        Ok(input) => st.store.add_hearing(&s.0.actor, id, &input).await,
        Err(inv) => invalid(inv),
    };
    case_form(
        &st,
        &s.0,
        id,
        "hearing".into(),
        p,
        &["scheduled_at", "place", "note"],
        result,
        "msg=hearing_added#hearings",
    )
    .await
}

pub async fn add_appearance(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let hid = match s.posted(&headers, &p, &raw, "开庭记录") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let id = match st.store.proceeding_of(&s.0.actor, "hearing", hid).await {
        Ok(id) => id,
        Err(e) => return store_error_page(&s.0, &format!("开庭记录（编号{hid}）"), e),
    };
    let mut inv = huajie_domain::Invalid::default();
    let unit_id = id_field(&p, "unit_id", "出庭单位", &mut inv);
    let draft = huajie_domain::hearing::AppearanceDraft {
        version: None,
        unit_id,
        person_name: p.opt("person_name"),
        post: p.opt("post"),
        level: p.opt("level"),
        appeared: Some(p.has("appeared")),
        spoke: Some(p.has("spoke")),
        excuse: p.opt("excuse"),
    };
    let result = match draft.validate() {
        Ok(input) if inv.is_empty() => st.store.add_appearance(&s.0.actor, hid, &input).await,
        Ok(_) => invalid(inv),
        Err(e) => {
            inv.extend(e);
            invalid(inv)
        }
    };
    case_form(
        &st,
        &s.0,
        id,
        format!("appearance-{hid}"),
        p,
        &[
            "unit_id",
            "person_name",
            "post",
            "level",
            "appeared",
            "spoke",
            "excuse",
        ],
        result,
        "msg=appearance_added#hearings",
    )
    .await
}

pub async fn add_outcome(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "程序") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let kind = match st.store.get_proceeding(&s.0.actor, id).await {
        Ok(proc) => proc.kind,
        Err(e) => return store_error_page(&s.0, &format!("程序（编号{id}）"), e),
    };
    let mut inv = huajie_domain::Invalid::default();
    let party_id = id_field(&p, "party_id", "当事人", &mut inv);
    let draft = huajie_domain::outcome::OutcomeDraft {
        version: None,
        party_id,
        code: p.opt("code"),
        decided_on: p.opt("decided_on"),
        grounds: p.all("grounds"),
        note: p.opt("note"),
    };
    let result = match draft.validate(kind) {
        Ok(input) if inv.is_empty() => st.store.add_outcome(&s.0.actor, id, &input).await,
        Ok(_) => invalid(inv),
        Err(e) => {
            inv.extend(e);
            invalid(inv)
        }
    };
    case_form(
        &st,
        &s.0,
        id,
        "outcome".into(),
        p,
        &["party_id", "code", "decided_on", "grounds", "note"],
        result,
        "msg=outcome_added#outcomes",
    )
    .await
}

/// The proceeding id and the upload of a multipart form on the case page, after its CSRF
/// check; a refusal is the page to answer with (nothing written).
pub(crate) async fn posted_upload(
    st: &AppState,
    s: &UiSession,
    raw: &str,
    headers: &HeaderMap,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(i64, crate::documents::Upload), Box<Response>> {
    let Some(id) = parse_id(raw) else {
        return Err(Box::new(not_found_page(&s.0, &format!("程序“{raw}”"))));
    };
    let read = match mp {
        Ok(mp) => crate::documents::read_upload(mp, st.max_document_bytes).await,
        Err(_) => Err(huajie_domain::FieldError::new(
            "file",
            "not_multipart",
            "上传表单无效，请刷新页面后重新选择文件",
        )),
    };
    let up = match read {
        Ok(up) => up,
        Err(fe) => {
            // Without the body we cannot check the form's token: refuse, write nothing.
            tracing::warn!(user = %s.0.actor.username, "unreadable upload: {}", fe.message);
            return Err(Box::new(message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &fe.message,
                BACK_FORM,
            )));
        }
    };
    s.check(headers, &up.csrf)?;
    Ok((id, up))
}

/// Attaches a document from the case page's upload form (multipart).
pub async fn upload_document(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (id, up) = match posted_upload(&st, &s, &raw, &headers, mp).await {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let kind = up.kind.clone();
    let result = crate::documents::store_upload(&st, &s.0.actor, id, up).await;
    case_form(
        &st,
        &s.0,
        id,
        "document".into(),
        Pairs(vec![("kind".into(), kind)]),
        &["kind", "file"],
        result,
        "msg=document_added#documents",
    )
    .await
}

pub async fn mark_met(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "期限") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = huajie_domain::deadline::MetDraft {
        version: p.get("version").parse().ok(),
        met_on: Some(p.get("met_on")),
    };
    let result = match (draft.validate(today()), draft.version) {
        (Ok(met_on), Some(v)) => st.store.mark_deadline_met(&s.0.actor, id, v, met_on).await,
        (Err(inv), _) => Err(huajie_store::StoreError::Invalid(inv)),
        (Ok(_), None) => return forbidden_page("表单缺少版本号，请刷新页面后重试"),
    };
    match result {
        Ok(d) => Redirect::to(&subject_href_msg(&d, "met", "#deadlines")).into_response(),
        Err(e) => store_error_page(&s.0, &format!("期限（编号{id}）"), e),
    }
}

/// Waives an open deadline (coordinator, with a reason) or reopens a met or waived one.
pub async fn waive_or_reopen(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "期限") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let Ok(version) = p.get("version").parse::<i64>() else {
        return forbidden_page("表单缺少版本号，请刷新页面后重试");
    };
    let result = if p.get("action") == "reopen" {
        st.store.reopen_deadline(&s.0.actor, id, version).await
    } else {
        let draft = huajie_domain::deadline::WaiveDraft {
            version: Some(version),
            reason: p.opt("reason"),
        };
        match draft.validate() {
            Ok(reason) => {
                st.store
                    .waive_deadline(&s.0.actor, id, version, &reason)
                    .await
            }
            Err(inv) => invalid(inv),
        }
    };
    match result {
        Ok(d) => {
            Redirect::to(&subject_href_msg(&d, "deadline_changed", "#deadlines")).into_response()
        }
        Err(e) => store_error_page(&s.0, &format!("期限（编号{id}）"), e),
    }
}

/// A unit's correction request from the case page (更正申请).
pub async fn request_correction(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "结果") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let pid = match st.store.proceeding_of(&s.0.actor, "outcome", id).await {
        Ok(pid) => pid,
        Err(e) => return store_error_page(&s.0, "结果", e),
    };
    let draft = huajie_domain::outcome::CorrectionDraft {
        version: p.get("version").parse().ok(),
        code: p.opt("code"),
        decided_on: p.opt("decided_on"),
        grounds: p.all("grounds"),
        note: None,
        reason: p.opt("reason"),
        document_id: p.get("document_id").parse().ok(),
    };
    match st.store.request_correction(&s.0.actor, id, &draft).await {
        Ok(_) => Redirect::to(&format!(
            "/proceedings/{pid}?msg=correction_requested#corrections"
        ))
        .into_response(),
        Err(e) => store_error_page(&s.0, "结果", e),
    }
}

/// The bureau's decision on a correction request from the case page.
pub async fn decide_correction(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "更正申请") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let draft = huajie_domain::outcome::DecisionDraft {
        version: p.get("version").parse().ok(),
        reason: p.opt("reason"),
    };
    let result = if p.get("action") == "refuse" {
        st.store.refuse_correction(&s.0.actor, id, &draft).await
    } else {
        st.store.approve_correction(&s.0.actor, id, &draft).await
    };
    match result {
        Ok(c) => Redirect::to(&format!(
            "/proceedings/{}?msg=correction_decided#corrections",
            c.proceeding_id
        ))
        .into_response(),
        Err(e) => store_error_page(&s.0, "更正申请", e),
    }
}

/// 认定案件情形 (the bureau): the circumstances that call for the 正职.
pub async fn set_case_flags(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let id = match s.posted(&headers, &p, &raw, "程序") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let mut inv = huajie_domain::Invalid::default();
    let flags: Vec<_> = p
        .all("flags")
        .iter()
        .filter_map(|f| {
            huajie_domain::appearance::CaseFlag::parse_field("flags", f)
                .map_err(|e| inv.push(e))
                .ok()
        })
        .collect();
    let result = if inv.is_empty() {
        st.store.set_case_flags(&s.0.actor, id, &flags).await
    } else {
        invalid(inv)
    };
    case_form(
        &st,
        &s.0,
        id,
        "case-flags".into(),
        p,
        &["flags"],
        result,
        "msg=flags_saved#appearance",
    )
    .await
}

/// 报送出庭人员名单: a defendant unit's plan for a hearing.
pub async fn file_plan(
    State(st): State<AppState>,
    s: UiSession,
    axum::extract::Path(raw): axum::extract::Path<String>,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    let hid = match s.posted(&headers, &p, &raw, "开庭记录") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let id = match st.store.proceeding_of(&s.0.actor, "hearing", hid).await {
        Ok(id) => id,
        Err(e) => return store_error_page(&s.0, &format!("开庭记录（编号{hid}）"), e),
    };
    let mut inv = huajie_domain::Invalid::default();
    let unit = id_field(&p, "unit_id", "单位", &mut inv);
    let draft = huajie_domain::appearance::PlanDraft {
        version: p.get("version").parse::<i64>().ok().filter(|v| *v > 0),
        head_id: id_field(&p, "head_id", "出庭负责人", &mut inv),
        head_name: p.opt("head_name"),
        head_post: p.opt("head_post"),
        head_kind: p.opt("head_kind"),
        agents: p.opt("agents"),
    };
    let result = match (draft.validate(), unit) {
        (Ok(input), Some(u)) if inv.is_empty() => {
            st.store
                .file_appearance_plan(&s.0.actor, hid, u, draft.version, &input)
                .await
        }
        (Ok(_), _) => invalid(inv),
        (Err(e), _) => {
            inv.extend(e);
            invalid(inv)
        }
    };
    let form = format!("plan-{hid}-{}", unit.unwrap_or_default());
    case_form(
        &st,
        &s.0,
        id,
        form,
        p,
        &["head_id"],
        result,
        "msg=plan_filed#appearance",
    )
    .await
}
