use huajie_domain::obligation::SubmissionStatus;

use super::*;

// ----- workbench ------------------------------------------------------------------------

struct DeadlineRow {
    id: i64,
    /// The page of its proceeding or work item.
    href: String,
    /// Where its latest submission stands (报送—审核), in words.
    submission: Option<&'static str>,
    state_code: &'static str,
    state_label: String,
    provisional: bool,
    due_on: String,
    name: String,
    case_label: String,
    /// Who owes it: the unit's name, or the responsible party.
    owner: String,
    trace: String,
}

impl From<Deadline> for DeadlineRow {
    fn from(d: Deadline) -> Self {
        DeadlineRow {
            id: d.id,
            submission: d.submission_state.map(|x| x.label()),
            href: subject_href(&d, ""),
            state_code: d.state.code(),
            state_label: d.state_label,
            provisional: d.provisional,
            due_on: d.due_on,
            name: d.name,
            case_label: d.case_label,
            owner: d.owner_label,
            trace: d.trace,
        }
    }
}

struct HearingRow {
    proceeding_id: i64,
    when: String,
    case_label: String,
    place: String,
}

impl From<huajie_store::feeds::FeedHearing> for HearingRow {
    fn from(h: huajie_store::feeds::FeedHearing) -> Self {
        HearingRow {
            proceeding_id: h.proceeding_id,
            when: h
                .scheduled_at
                .replacen('T', " ", 1)
                .chars()
                .take(16)
                .collect(),
            case_label: h.case_label,
            place: h.place.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage {
    chrome: Chrome,
    overdue: i64,
    due_soon: i64,
    soon_days: i64,
    scope_note: &'static str,
    deadlines: Vec<DeadlineRow>,
    /// Only the first 50 of one's obligations are listed (`?all=1` lists them all).
    more: bool,
    hearings: Vec<HearingRow>,
    /// To-dos: hearings of the last 30 days without an appearance record (for unit staff,
    /// who record their unit's appearances).
    unrecorded: Vec<HearingRow>,
    /// How many hearings lack an appearance record (the list shows the 20 most recent).
    unrecorded_total: usize,
    /// For the 司法局 and leaders: every unit's open deadlines in the county, overdue first
    /// (the ones they chase), with the county's counts.
    county: Option<(Vec<DeadlineRow>, i64, i64)>,
    /// For the coordinator: submissions waiting for review, oldest first.
    to_review: Vec<huajie_domain::records::Submission>,
    /// For unit staff: submissions the bureau returned that are still open.
    returned: Vec<huajie_domain::records::Submission>,
    /// For the coordinator: correction requests waiting for a decision.
    corrections: Vec<huajie_domain::records::CorrectionRequest>,
    /// For unit staff: the unit's hearings of the next 14 days with who must appear and the
    /// plan filed (a head sees what is expected of them).
    duties: Vec<huajie_domain::appearance::HearingDuty>,
}

/// `?all=1` lists up to 500 of one's own obligations instead of the first 50.
#[derive(Debug, Default, serde::Deserialize)]
pub struct WorkbenchQuery {
    msg: Option<String>,
    all: Option<String>,
}

pub async fn workbench(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<WorkbenchQuery>,
) -> Response {
    let actor = &s.0.actor;
    // Each role lands on its work: a leader on the county in one screen.
    if actor.role == Role::Leader && q.msg.is_none() {
        return Redirect::to("/cockpit").into_response();
    }
    let show_all = q.all.as_deref() == Some("1");
    let mine = |state, limit| DeadlineQuery {
        mine: true,
        state,
        limit,
        ..DeadlineQuery::default()
    };
    let t = today();
    let week = t.checked_add(jiff::Span::new().days(7)).unwrap_or(t);
    // The unit records its own appearances: the to-do (the last 30 days) is the unit staff's.
    let unit_staff =
        actor.can_write_hearings() && matches!(actor.role, Role::UnitClerk | Role::UnitHead);
    let from = if unit_staff {
        t.checked_sub(jiff::Span::new().days(30)).unwrap_or(t)
    } else {
        t
    };
    let loaded = async {
        Ok::<_, huajie_store::StoreError>((
            st.store
                .list_deadlines(
                    actor,
                    &mine(StateFilter::Open, if show_all { 500 } else { 50 }),
                )
                .await?,
            st.store
                .deadline_tiles(actor, &mine(StateFilter::Open, 0))
                .await?,
            // One query for the week ahead and, for unit staff, the last 30 days.
            st.store.hearings_between(actor, from, week).await?,
        ))
    }
    .await;
    let (page, tiles, around) = match loaded {
        Ok(x) => x,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let today_text = t.to_string();
    let (hearings, unrecorded): (Vec<_>, Vec<_>) = {
        let mut upcoming = Vec::new();
        let mut past = Vec::new();
        for h in around {
            if h.scheduled_at.as_str() >= today_text.as_str() {
                upcoming.push(h);
            } else if unit_staff && !h.recorded {
                past.push(h);
            }
        }
        (upcoming, past)
    };
    let county_wide = !matches!(actor.role, Role::UnitClerk | Role::UnitHead);
    let county = if county_wide {
        // What the units owe (duties only): the list that names which unit is late.
        let all = |state, limit| DeadlineQuery {
            mine: false,
            responsible: Some(huajie_domain::rules::Responsible::Unit),
            nature: Some(Nature::Duty),
            state,
            limit,
            ..DeadlineQuery::default()
        };
        let loaded = async {
            Ok::<_, huajie_store::StoreError>((
                st.store
                    .list_deadlines(actor, &all(StateFilter::Open, 50))
                    .await?,
                st.store
                    .deadline_tiles(actor, &all(StateFilter::Open, 0))
                    .await?,
            ))
        }
        .await;
        match loaded {
            Ok((p, c)) => Some((
                p.items.into_iter().map(DeadlineRow::from).collect(),
                c.overdue,
                c.due_soon,
            )),
            Err(e) => return crate::error::ApiError::from(e).into_response(),
        }
    } else {
        None
    };
    // The bureau's queues (submissions to review, correction requests) and a unit's returns.
    let queues = async {
        let bureau = actor.can_administer();
        let unit = matches!(actor.role, Role::UnitClerk | Role::UnitHead);
        let pending = huajie_domain::outcome::CorrectionStatus::Pending;
        Ok::<_, huajie_store::StoreError>((
            if bureau {
                let mut q = st
                    .store
                    .list_submissions(actor, Some(SubmissionStatus::Submitted), 100)
                    .await?;
                q.reverse();
                q
            } else {
                Vec::new()
            },
            if unit {
                st.store
                    .list_submissions(actor, Some(SubmissionStatus::Returned), 100)
                    .await?
            } else {
                Vec::new()
            },
            if bureau {
                st.store
                    .list_corrections(actor, Some(pending), None, 100)
                    .await?
            } else {
                Vec::new()
            },
        ))
    }
    .await;
    let (to_review, returned, corrections) = match queues {
        Ok(x) => x,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let duties = if unit_staff {
        let to = t.checked_add(jiff::Span::new().days(15)).unwrap_or(t);
        st.store
            .coming_duties(actor, &t.to_string(), &to.to_string())
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut chrome = Chrome::new(&s.0, "workbench");
    chrome.flash = match q.msg.as_deref() {
        Some("password_changed") => Some("密码已修改，其他设备上的登录已退出。".into()),
        _ => None,
    };
    render(
        StatusCode::OK,
        &WorkbenchPage {
            chrome,
            overdue: tiles.overdue,
            due_soon: tiles.due_soon,
            soon_days: tiles.due_soon_days,
            scope_note: if matches!(actor.role, Role::UnitClerk | Role::UnitHead) {
                "本单位应履行、尚未完成的义务，已逾期的在前"
            } else {
                "司法局应履行、尚未完成的义务，已逾期的在前"
            },
            more: page.next.is_some() && !show_all,
            deadlines: page.items.into_iter().map(DeadlineRow::from).collect(),
            unrecorded_total: unrecorded.len(),
            // The most recent first: the ones still easy to record.
            unrecorded: unrecorded
                .into_iter()
                .rev()
                .take(20)
                .map(HearingRow::from)
                .collect(),
            county,
            to_review,
            returned,
            corrections,
            duties,
            hearings: hearings.into_iter().map(HearingRow::from).collect(),
        },
    )
}
