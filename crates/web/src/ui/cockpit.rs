//! 领导驾驶舱: the county in one read-only screen (1366×768) for leaders — this year's key rates
//! against their targets, which units are late, this week's hearings with who must appear and
//! whether the plan is in, the units over the threshold or facing 约谈, open red warnings and
//! 挂牌督办 with their latest progress, and what waits for the leader's instruction. Leaders land
//! here; the bureau and auditors may open it.

use huajie_domain::stats::{Change, Period};
use huajie_domain::warning::{Grade, WarningState};
use huajie_store::supervision::OrderQuery;
use huajie_store::warnings::WarningQuery;

use super::*;

struct Rate {
    label: &'static str,
    value: String,
    note: String,
    bad: bool,
}

struct Duty {
    when: String,
    case: (i64, String),
    unit: String,
    expected: String,
    plan: Option<String>,
}

struct Open {
    link: String,
    title: String,
    detail: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "cockpit.html")]
struct CockpitPage {
    chrome: Chrome,
    label: String,
    rates: Vec<Rate>,
    late_units: Vec<(i64, String, i64)>,
    duties: Vec<Duty>,
    /// Units over the loss-rate threshold or facing 约谈: (name, rate, threshold, escalation).
    flagged: Vec<(String, String, String, String)>,
    red: Vec<Open>,
    listed: Vec<Open>,
    /// Escalated warnings and orders this leader follows, still without an instruction.
    awaited: Vec<Open>,
}

fn figure(
    set: &huajie_domain::stats::report::FigureSet,
    id: &str,
) -> Option<(huajie_domain::stats::Figure, huajie_domain::stats::Figure)> {
    let i = set.indicators.iter().position(|d| d.id == id)?;
    Some((*set.total.current.get(i)?, *set.total.previous.get(i)?))
}

/// 领导驾驶舱.
pub async fn cockpit(State(st): State<AppState>, s: UiSession) -> Response {
    let s = &s.0;
    if !s.actor.can_read_statistics() {
        return forbidden_page("领导驾驶舱向县领导、司法局和审计人员开放");
    }
    let t = st.store.today();
    let Ok(period) = Period::custom(jiff::civil::Date::new(t.year(), 1, 1).unwrap_or(t), t) else {
        return message_page(StatusCode::INTERNAL_SERVER_ERROR, "日期无效", "");
    };
    let set = match st.store.figure_set(&s.actor, &period, t).await {
        Ok(x) => x,
        Err(e) => return store_error_page(s, "领导驾驶舱", e),
    };
    let (cfg, _, _) = match st.store.stats_config().await {
        Ok(c) => c,
        Err(e) => return store_error_page(s, "领导驾驶舱", e),
    };
    let threshold = cfg.assessment.loss_rate_threshold;
    let mut rates = Vec::new();
    if let Some((now, before)) = figure(&set, "suits_received") {
        let change = Change::between(&now, &before);
        rates.push(Rate {
            label: "一审收案（发案量）",
            value: now.display(),
            note: change
                .map(|c| c.describe())
                .unwrap_or_else(|| "去年同期无案件".into()),
            bad: matches!(change, Some(Change::Percent(v)) if v > 0.0),
        });
    }
    if let Some((now, _)) = figure(&set, "loss_rate") {
        rates.push(Rate {
            label: "败诉率",
            value: now.display(),
            note: format!("目标：低于{threshold:.1}%"),
            bad: now.value().is_some_and(|v| v > threshold),
        });
    }
    if let Some((now, _)) = figure(&set, "appearance_rate") {
        rates.push(Rate {
            label: "负责人出庭率",
            value: now.display(),
            note: "目标：100%".into(),
            bad: now.value().is_some_and(|v| v < 100.0),
        });
    }
    if let Some((now, before)) = figure(&set, "correction_rate") {
        rates.push(Rate {
            label: "复议直接纠错率",
            value: now.display(),
            note: Change::between(&now, &before)
                .map(|c| c.describe())
                .unwrap_or_else(|| "去年同期无审结".into()),
            bad: false,
        });
    }
    let flagged = set
        .assessment
        .iter()
        .filter(|a| a.over_threshold || a.escalation.is_some())
        .map(|a| {
            (
                set.unit_name(a.unit_id),
                a.loss.display(),
                format!("{:.1}%", a.threshold),
                a.escalation.clone().unwrap_or_else(|| "超过阈值".into()),
            )
        })
        .collect();
    let late_units = st.store.overdue_by_unit(&s.actor).await.unwrap_or_default();
    let week = t.checked_add(jiff::Span::new().days(7)).unwrap_or(t);
    let duties = st
        .store
        .hearing_duties_between(&s.actor, &t.to_string(), &week.to_string())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| Duty {
            when: d.scheduled_at.replace('T', " ").chars().take(16).collect(),
            case: (d.proceeding_id, d.case_label),
            unit: d.unit_name,
            expected: d.requirement.expected_label,
            plan: d.plan.map(|p| p.summary()),
        })
        .collect();
    let warnings = st
        .store
        .list_warnings(&s.actor, &WarningQuery::default())
        .await
        .unwrap_or_default();
    let (instructed_w, instructed_o) = st.store.instructed(&s.actor).await.unwrap_or_default();
    let red = warnings
        .iter()
        .filter(|w| w.grade == Grade::Red && w.state != WarningState::Closed)
        .map(|w| Open {
            link: format!("/warnings/{}", w.id),
            title: w.case_label.clone(),
            detail: format!(
                "{} · {}{}",
                w.state.label(),
                if w.units.is_empty() {
                    "待交办".to_string()
                } else {
                    w.units
                        .iter()
                        .map(|u| u.unit_name.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                },
                if w.overdue_obligations > 0 {
                    format!(" · 逾期{}项", w.overdue_obligations)
                } else {
                    String::new()
                }
            ),
            late: w.overdue_obligations > 0,
        })
        .collect();
    let orders = st
        .store
        .list_supervision_orders(
            &s.actor,
            &OrderQuery {
                status: Some(huajie_domain::subject::WorkStatus::Open),
                ..OrderQuery::default()
            },
        )
        .await
        .unwrap_or_default();
    let mut listed = Vec::new();
    for o in orders.iter().filter(|o| o.listed) {
        // The latest progress: the last report met, from the order's obligations.
        let latest = match st.store.work_item(&s.actor, o.item.id).await {
            Ok((_, _, obligations)) => obligations
                .iter()
                .filter_map(|d| d.met_on.clone().map(|m| (m, d.name.clone())))
                .max()
                .map(|(m, n)| format!("最近报送：{n}（{m}）"))
                .unwrap_or_else(|| "尚未报送进展".into()),
            Err(_) => String::new(),
        };
        listed.push(Open {
            link: format!("/work-items/{}", o.item.id),
            title: format!("{} {}", o.doc_no, o.item.title),
            detail: format!(
                "包案：{} · {}",
                o.lead_label.clone().unwrap_or_else(|| "—".into()),
                latest
            ),
            late: o.item.overdue_obligations > 0,
        });
    }
    let me = s.actor.user_id;
    let mut awaited: Vec<Open> = warnings
        .iter()
        .filter(|w| w.state == WarningState::Escalated && !instructed_w.contains(&w.id))
        .map(|w| Open {
            link: format!("/warnings/{}#instructions", w.id),
            title: format!("{}：{}", w.grade_label, w.case_label),
            detail: "司法局提请协调小组研究".into(),
            late: false,
        })
        .collect();
    awaited.extend(
        orders
            .iter()
            .filter(|o| o.follower_id == Some(me) && !instructed_o.contains(&o.id))
            .map(|o| Open {
                link: format!("/work-items/{}#instructions", o.item.id),
                title: format!("{} {}", o.doc_no, o.item.title),
                detail: "由您跟踪督办的挂牌督办事项".into(),
                late: false,
            }),
    );
    render(
        StatusCode::OK,
        &CockpitPage {
            chrome: Chrome::new(s, "cockpit"),
            label: set.label.clone(),
            rates,
            late_units,
            duties,
            flagged,
            red,
            listed,
            awaited,
        },
    )
}
