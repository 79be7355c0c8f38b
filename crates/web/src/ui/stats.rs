//! 统计分析 pages: the dashboard (figures with formulas and year-on-year change, SVG charts,
//! tables by unit / domain / kind, the ranked assessment), drill-down to the cases behind a
//! figure, publishing and reading frozen snapshots, and the statistics configuration.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use huajie_domain::stats::report::{Correction, FigureRow, FigureSet};
use huajie_domain::stats::{Figure, GroupKey, Part, Period, PeriodKind};
use huajie_store::deadlines::today;
use huajie_store::sessions::Session;

use super::forms::Pairs;
use super::{
    Chrome, UiSession, charts, forbidden_page, message_page, not_found_page, parse_id, render,
    store_error_page,
};
use crate::AppState;
use crate::stats::{MembersParams, PeriodParams};

fn readers_only(s: &Session) -> Option<Response> {
    (!s.actor.can_read_statistics())
        .then(|| forbidden_page("统计分析仅向司法局、县领导和审计人员开放"))
}

fn pct(f: &Figure) -> String {
    f.display()
}

// ----- view models ---------------------------------------------------------------------------

pub struct Card {
    pub label: String,
    pub value: String,
    pub detail: String,
    pub previous: String,
    pub change: String,
    pub change_class: &'static str,
    pub formula: String,
    pub num_href: Option<String>,
    pub den_href: Option<String>,
}

pub struct Cell {
    pub text: String,
    pub title: String,
    pub href: Option<String>,
}

pub struct TRow {
    pub name: String,
    pub indent: u32,
    pub cells: Vec<Cell>,
}

pub struct Table {
    pub title: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<TRow>,
}

pub struct AssessRow {
    pub rank: String,
    pub unit: String,
    pub concluded: String,
    pub losses: u64,
    pub rate: String,
    pub over: bool,
    pub threshold: String,
    pub year_losses: u64,
    pub escalation: String,
    pub non_appearances: u64,
    pub not_principal: u64,
    pub lawyer_only: u64,
    pub late_filings: u64,
    pub late_reports: u64,
    pub score: String,
    pub grade: String,
    pub barred: bool,
}

pub struct SetView {
    pub label: String,
    pub previous_label: String,
    pub cards: Vec<Card>,
    pub charts: Vec<String>,
    pub tables: Vec<Table>,
    pub assessment: Vec<AssessRow>,
}

fn change_of(row: &FigureRow, i: usize) -> (String, &'static str) {
    match row.change(i) {
        None => ("—".into(), ""),
        Some(c) => {
            let s = c.signed();
            let class = if s.starts_with('+') {
                "up"
            } else if s.starts_with('−') {
                "down"
            } else {
                ""
            };
            (s, class)
        }
    }
}

/// Litigation losses by cause (rows) and domain (columns).
fn loss_cause_table(lc: &huajie_domain::stats::report::LossCauses) -> Table {
    let cell = |n: u64, title: String| Cell {
        text: n.to_string(),
        title,
        href: None,
    };
    let mut headers: Vec<String> = lc.domains.iter().map(|(_, l)| l.clone()).collect();
    headers.push("合计".into());
    let mut rows: Vec<TRow> = lc
        .rows
        .iter()
        .map(|r| {
            let mut cells: Vec<Cell> = r
                .counts
                .iter()
                .zip(&lc.domains)
                .map(|(n, (_, d))| cell(*n, format!("{}：{d}领域 {n} 件", r.label)))
                .collect();
            cells.push(cell(r.total, format!("{}：合计 {} 件", r.label, r.total)));
            TRow {
                name: r.label.clone(),
                indent: 0,
                cells,
            }
        })
        .collect();
    if !rows.is_empty() {
        let mut cells: Vec<Cell> = lc
            .domain_totals
            .iter()
            .map(|n| cell(*n, "败诉案件数（一案多因只计一次）".into()))
            .collect();
        cells.push(cell(lc.total, "败诉案件数（一案多因只计一次）".into()));
        rows.push(TRow {
            name: "败诉案件数".into(),
            indent: 0,
            cells,
        });
    }
    Table {
        title: "败诉原因 × 领域（行政诉讼，本期审结败诉，单位：件；一案多因分别计入）",
        headers,
        rows,
    }
}

/// Builds the view of a figure set; `drill` is the period query string when figures link to
/// their cases (live figures), `None` for a frozen snapshot.
pub fn set_view(set: &FigureSet, drill: Option<&str>) -> SetView {
    let href = |id: &str, part: &str, g: &GroupKey| {
        drill.map(|q| {
            format!(
                "/stats/cases?{q}&indicator={id}&part={part}&group={}",
                super::urlencode(&g.to_param())
            )
        })
    };
    let cards = set
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let f = set.total.current[i];
            let (change, change_class) = change_of(&set.total, i);
            Card {
                label: ind.label.clone(),
                value: f.display(),
                detail: match f.denominator {
                    Some(d) => format!("{} / {}", f.numerator, d),
                    None => "件".into(),
                },
                previous: set.total.previous[i].display(),
                change,
                change_class,
                formula: ind.formula.clone(),
                num_href: href(&ind.id, "numerator", &GroupKey::Total),
                den_href: f
                    .denominator
                    .and_then(|_| href(&ind.id, "denominator", &GroupKey::Total)),
            }
        })
        .collect();
    let headers: Vec<String> = set.indicators.iter().map(|i| i.label.clone()).collect();
    let table_rows = |rows: &[FigureRow]| -> Vec<TRow> {
        rows.iter()
            .map(|r| TRow {
                name: r.name.clone(),
                indent: r.depth * 14,
                cells: set
                    .indicators
                    .iter()
                    .enumerate()
                    .map(|(i, ind)| {
                        let f = r.current[i];
                        let (change, _) = change_of(r, i);
                        Cell {
                            text: f.display(),
                            title: match f.denominator {
                                Some(d) => format!(
                                    "{} / {}；去年同期 {}；同比 {change}",
                                    f.numerator,
                                    d,
                                    pct(&r.previous[i])
                                ),
                                None => {
                                    format!("去年同期 {}；同比 {change}", r.previous[i].display())
                                }
                            },
                            href: (f.numerator > 0)
                                .then(|| href(&ind.id, "numerator", &r.group))
                                .flatten(),
                        }
                    })
                    .collect(),
            })
            .collect()
    };
    let mut units = vec![set.total.clone()];
    units.extend(set.units.iter().cloned());
    let tables = vec![
        Table {
            title: "按单位（含下级单位）",
            headers: headers.clone(),
            rows: table_rows(&units),
        },
        Table {
            title: "按领域",
            headers: headers.clone(),
            rows: table_rows(&set.domains),
        },
        Table {
            title: "按程序类型",
            headers,
            rows: table_rows(&set.kinds),
        },
        loss_cause_table(&set.loss_causes),
    ];
    let assessment = set
        .assessment
        .iter()
        .map(|a| AssessRow {
            rank: a
                .rank_by_rate
                .map(|r| r.to_string())
                .unwrap_or_else(|| "—".into()),
            unit: set.unit_name(a.unit_id),
            concluded: a.loss.denominator.unwrap_or(0).to_string(),
            losses: a.loss.numerator,
            rate: a.loss.display(),
            over: a.over_threshold,
            threshold: format!("{:.1}%", a.threshold),
            year_losses: a.losses_in_year,
            escalation: a.escalation.clone().unwrap_or_default(),
            non_appearances: a.non_appearances,
            not_principal: a.not_principal,
            lawyer_only: a.lawyer_only,
            late_filings: a.late_filings,
            late_reports: a.late_reports,
            score: format!("{:.1}", a.score),
            grade: a.grade.clone(),
            barred: a.excellent_barred,
        })
        .collect();
    SetView {
        label: set.label.clone(),
        previous_label: set.previous.label(),
        cards,
        charts: charts_of(set),
        tables,
        assessment,
    }
}

fn charts_of(set: &FigureSet) -> Vec<String> {
    let months: Vec<String> = set
        .trend
        .iter()
        .map(|m| format!("{}月", m.period.from.month()))
        .collect();
    let series = |id: &str| -> Option<Vec<f64>> {
        let i = set.index(id)?;
        Some(
            set.trend
                .iter()
                .map(|m| m.figures[i].numerator as f64)
                .collect(),
        )
    };
    let mut out = Vec::new();
    let mut bars = Vec::new();
    for (id, name) in [
        ("litigation_received", "诉讼收案"),
        ("recon_received", "复议收案"),
        ("losses", "败诉"),
    ] {
        if let Some(v) = series(id) {
            bars.push((name, v));
        }
    }
    out.push(charts::grouped_bars("近12个月收案与败诉", &months, &bars));
    if let Some(i) = set.index("appearance_rate") {
        let v: Vec<Option<f64>> = set.trend.iter().map(|m| m.figures[i].value()).collect();
        out.push(charts::lines(
            "近12个月负责人出庭率",
            &months,
            &[("负责人出庭率", v)],
            "%",
            Some(100.0),
        ));
    }
    if let Some(i) = set.index("losses") {
        let mut items: Vec<(String, f64)> = set
            .domains
            .iter()
            .filter(|r| r.current[i].numerator > 0)
            .map(|r| (r.name.clone(), r.current[i].numerator as f64))
            .collect();
        items.sort_by(|a, b| b.1.total_cmp(&a.1));
        out.push(charts::hbars(
            "本期败诉案件领域分布（件）",
            &items,
            "",
            None,
        ));
    }
    let threshold = set.assessment.first().map(|a| a.threshold).unwrap_or(8.0);
    let ranked: Vec<(String, f64)> = set
        .assessment
        .iter()
        .filter(|a| a.rank_by_rate.is_some())
        .take(15)
        .map(|a| (set.unit_name(a.unit_id), a.loss.value().unwrap_or(0.0)))
        .collect();
    out.push(charts::hbars(
        "本期单位败诉率排名",
        &ranked,
        "%",
        Some((threshold, &format!("阈值{threshold}%"))),
    ));
    out
}

// ----- period form ------------------------------------------------------------------------------

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct PeriodView {
    pub kinds: Vec<Opt>,
    pub year: String,
    pub n: String,
    pub from: String,
    pub to: String,
}

fn period_view(p: &PeriodParams, resolved: Option<&Period>) -> PeriodView {
    let kind = p.period.clone().unwrap_or_default();
    let kinds = [
        ("", "年初至今"),
        ("month", "月"),
        ("quarter", "季度"),
        ("half", "半年（1上半年 2下半年）"),
        ("year", "年"),
        ("custom", "自定义区间"),
    ]
    .iter()
    .map(|(v, l)| Opt {
        value: v.to_string(),
        label: l.to_string(),
        selected: *v == kind,
    })
    .collect();
    let t = today();
    let or = |v: &Option<String>, d: String| v.clone().filter(|s| !s.is_empty()).unwrap_or(d);
    PeriodView {
        kinds,
        year: or(&p.year, t.year().to_string()),
        n: or(
            &p.n,
            resolved
                .map(|r| r.number())
                .filter(|n| *n > 0)
                .unwrap_or(1)
                .to_string(),
        ),
        from: or(
            &p.from,
            resolved.map(|r| r.from.to_string()).unwrap_or_default(),
        ),
        to: or(
            &p.to,
            resolved.map(|r| r.to.to_string()).unwrap_or_default(),
        ),
    }
}

// ----- dashboard ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    chrome: Chrome,
    form: PeriodView,
    errors: Vec<String>,
    view: Option<SetView>,
    query: String,
    can_publish: bool,
    published: Option<i64>,
    publishable: bool,
}

pub async fn stats_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(p): Query<PeriodParams>,
) -> Response {
    if let Some(r) = readers_only(&s.0) {
        return r;
    }
    let chrome = Chrome::new(&s.0, "stats");
    let period = match p.resolve() {
        Ok(period) => period,
        Err(e) => {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &StatsPage {
                    chrome,
                    form: period_view(&p, None),
                    errors: vec![e.message],
                    view: None,
                    query: String::new(),
                    can_publish: false,
                    published: None,
                    publishable: false,
                },
            );
        }
    };
    let set = match st.store.figure_set(&s.0.actor, &period, today()).await {
        Ok(set) => set,
        Err(e) => return store_error_page(&s.0, "统计", e),
    };
    let published = match st.store.snapshots(&s.0.actor).await {
        Ok(list) => list
            .iter()
            .find(|i| i.period.from == period.from && i.period.to == period.to)
            .map(|i| i.id),
        Err(e) => return store_error_page(&s.0, "统计", e),
    };
    let query = PeriodParams::of(&period);
    render(
        StatusCode::OK,
        &StatsPage {
            chrome,
            form: period_view(&p, Some(&period)),
            errors: Vec::new(),
            view: Some(set_view(&set, Some(&query))),
            can_publish: s.0.actor.can_administer(),
            publishable: (period.kind != PeriodKind::Custom || p.period.is_some())
                && period.to < today(),
            published,
            query,
        },
    )
}

/// Publishes (freezes) the figures of the period in the form.
pub async fn publish(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    let params = PeriodParams {
        period: Some(p.get("period")),
        year: Some(p.get("year")),
        n: Some(p.get("n")),
        from: Some(p.get("from")),
        to: Some(p.get("to")),
    };
    let period = match params.resolve() {
        Ok(x) => x,
        Err(e) => {
            return message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &e.message,
                super::BACK_FORM,
            );
        }
    };
    let note = Some(p.get("note"))
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(500).collect());
    match st
        .store
        .publish_snapshot(&s.0.actor, &period, note, today())
        .await
    {
        Ok(id) => Redirect::to(&format!("/stats/snapshots/{id}")).into_response(),
        Err(e) => store_error_page(&s.0, "统计", e),
    }
}

// ----- drill-down --------------------------------------------------------------------------------

pub struct CaseRow {
    pub id: i64,
    pub label: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub claimants: String,
    pub defendants: String,
    pub registered_on: String,
    pub closed_on: String,
}

#[derive(Template)]
#[template(path = "stats_cases.html")]
struct CasesPage {
    chrome: Chrome,
    title: String,
    formula: String,
    count: usize,
    rows: Vec<CaseRow>,
    back: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    first: usize,
}

const PAGE: usize = 100;

#[derive(serde::Deserialize)]
pub struct DrillQuery {
    #[serde(flatten)]
    m: MembersParams,
    offset: Option<usize>,
}

pub async fn cases_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<DrillQuery>,
) -> Response {
    if let Some(r) = readers_only(&s.0) {
        return r;
    }
    let pp = q.m.period_params();
    let (period, (indicator, part, group)) = match (pp.resolve(), q.m.target()) {
        (Ok(p), Ok(t)) => (p, t),
        (p, t) => {
            let mut msgs = Vec::new();
            if let Err(e) = p {
                msgs.push(e.message);
            }
            if let Err(e) = t {
                msgs.extend(e.0.into_iter().map(|e| e.message));
            }
            return message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &msgs.join("；"),
                "<a href=/stats>返回统计分析</a>",
            );
        }
    };
    let m = match st
        .store
        .stat_members(&s.0.actor, &period, &indicator, part, &group, today())
        .await
    {
        Ok(m) => m,
        Err(huajie_store::StoreError::Invalid(inv))
            if inv.0.iter().any(|e| e.code == "unknown_indicator") =>
        {
            return not_found_page(&s.0, &format!("指标“{indicator}”"));
        }
        Err(e) => return store_error_page(&s.0, "统计", e),
    };
    let (ids, def, dir) = (&m.ids, &m.def, &m.directory);
    let unit_name = |u: i64| {
        dir.units
            .iter()
            .find(|x| x.0 == u)
            .map(|x| x.1.clone())
            .unwrap_or_else(|| format!("单位{u}"))
    };
    let group_name = match &group {
        GroupKey::Total => "全部".to_string(),
        GroupKey::Unit(u) => format!("{}（含下级单位）", unit_name(*u)),
        GroupKey::OwnUnit(u) => unit_name(*u),
        GroupKey::Domain(d) => dir.domains.get(d).cloned().unwrap_or_else(|| d.clone()),
        GroupKey::Kind(k) => k.label().to_string(),
    };
    let side = match part {
        Part::Numerator if def.is_rate() => "分子",
        Part::Numerator => "",
        Part::Denominator => "分母",
    };
    let first = q.offset.unwrap_or(0).min(ids.len());
    let page: Vec<i64> = ids.iter().skip(first).take(PAGE).copied().collect();
    let rows = match st.store.ledger_rows(&s.0.actor, &page).await {
        Ok(r) => r,
        Err(e) => return store_error_page(&s.0, "统计", e),
    };
    let base = format!(
        "/stats/cases?{}&indicator={}&part={}&group={}",
        PeriodParams::of(&period),
        super::urlencode(&indicator),
        if part == Part::Numerator {
            "numerator"
        } else {
            "denominator"
        },
        super::urlencode(&group.to_param())
    );
    render(
        StatusCode::OK,
        &CasesPage {
            chrome: Chrome::new(&s.0, "stats"),
            title: format!(
                "{}·{}{}·{}",
                period.label(),
                def.label,
                if side.is_empty() {
                    String::new()
                } else {
                    format!("（{side}）")
                },
                group_name
            ),
            formula: m.formula.clone(),
            count: ids.len(),
            rows: rows
                .into_iter()
                .map(|r| CaseRow {
                    id: r.id,
                    label: r
                        .case_no
                        .clone()
                        .or(r.reference_no.clone())
                        .unwrap_or_else(|| format!("程序{}", r.id)),
                    kind: r.kind.label(),
                    status: r.status.label(),
                    claimants: r.claimants,
                    defendants: r.defendants,
                    registered_on: r.registered_on,
                    closed_on: r.closed_on.unwrap_or_default(),
                })
                .collect(),
            back: format!("/stats?{}", PeriodParams::of(&period)),
            prev_href: (first > 0).then(|| format!("{base}&offset={}", first.saturating_sub(PAGE))),
            next_href: (first + PAGE < ids.len())
                .then(|| format!("{base}&offset={}", first + PAGE)),
            first: first + 1,
        },
    )
}

// ----- snapshots ------------------------------------------------------------------------------

pub struct SnapRow {
    pub id: i64,
    pub label: String,
    pub published_by: String,
    pub published_at: String,
    pub note: String,
}

pub struct CorrectionRow {
    pub name: String,
    pub indicator: String,
    pub was: String,
    pub now: String,
}

#[derive(Template)]
#[template(path = "stats_snapshots.html")]
struct SnapshotsPage {
    chrome: Chrome,
    rows: Vec<SnapRow>,
}

pub async fn snapshots_page(State(st): State<AppState>, s: UiSession) -> Response {
    if let Some(r) = readers_only(&s.0) {
        return r;
    }
    match st.store.snapshots(&s.0.actor).await {
        Ok(list) => render(
            StatusCode::OK,
            &SnapshotsPage {
                chrome: Chrome::new(&s.0, "stats"),
                rows: list
                    .into_iter()
                    .map(|i| SnapRow {
                        id: i.id,
                        label: i.label,
                        published_by: i.published_by,
                        published_at: super::beijing_time(&i.published_at),
                        note: i.note.unwrap_or_default(),
                    })
                    .collect(),
            },
        ),
        Err(e) => store_error_page(&s.0, "统计", e),
    }
}

#[derive(Template)]
#[template(path = "stats_snapshot.html")]
struct SnapshotPage {
    chrome: Chrome,
    id: i64,
    label: String,
    published: String,
    note: String,
    corrections: Vec<CorrectionRow>,
    half: bool,
    view: SetView,
}

fn correction_row(c: &Correction) -> CorrectionRow {
    CorrectionRow {
        name: c.name.clone(),
        indicator: c.indicator.clone(),
        was: match c.was.denominator {
            Some(d) => format!("{}（{}/{}）", c.was.display(), c.was.numerator, d),
            None => c.was.display(),
        },
        now: match c.now.denominator {
            Some(d) => format!("{}（{}/{}）", c.now.display(), c.now.numerator, d),
            None => c.now.display(),
        },
    }
}

pub async fn snapshot_page(
    State(st): State<AppState>,
    s: UiSession,
    Path(raw): Path<String>,
) -> Response {
    if let Some(r) = readers_only(&s.0) {
        return r;
    }
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("发布记录“{raw}”"));
    };
    match crate::stats::snapshot_view(&st, &s.0.actor, id).await {
        Ok(v) => render(
            StatusCode::OK,
            &SnapshotPage {
                chrome: Chrome::new(&s.0, "stats"),
                id,
                label: v.info.label.clone(),
                published: format!(
                    "{} 由 {} 发布",
                    super::beijing_time(&v.info.published_at),
                    v.info.published_by
                ),
                note: v.info.note.clone().unwrap_or_default(),
                corrections: v.corrections.iter().map(correction_row).collect(),
                half: v.info.period.kind == PeriodKind::Half,
                view: set_view(&v.figures, None),
            },
        ),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            not_found_page(&s.0, &format!("发布记录“{raw}”"))
        }
        Err(e) => e.into_response(),
    }
}

// ----- configuration ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "stats_config.html")]
struct ConfigPage {
    chrome: Chrome,
    toml: String,
    version: i64,
    errors: Vec<String>,
    can_admin: bool,
}

async fn render_config(
    st: &AppState,
    s: &Session,
    text: Option<String>,
    errors: Vec<String>,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    let (_, current, version) = match st.store.stats_config().await {
        Ok(c) => c,
        Err(e) => return store_error_page(s, "统计口径", e),
    };
    let mut chrome = Chrome::new(s, "stats");
    chrome.flash = flash;
    render(
        status,
        &ConfigPage {
            chrome,
            toml: text.unwrap_or(current),
            version,
            errors,
            can_admin: s.actor.can_administer(),
        },
    )
}

pub async fn config_page(
    State(st): State<AppState>,
    s: UiSession,
    Query(q): Query<super::MsgParam>,
) -> Response {
    if let Some(r) = readers_only(&s.0) {
        return r;
    }
    let flash = q.msg.as_deref().filter(|m| *m == "saved").map(|_| {
        "统计口径与考核规则已保存，统计页面即时按新口径计算；已发布的数据不受影响。".to_string()
    });
    render_config(&st, &s.0, None, Vec::new(), flash, StatusCode::OK).await
}

pub async fn save_config(
    State(st): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    p: Pairs,
) -> Response {
    if let Err(r) = s.check(&headers, &p.get("csrf")) {
        return *r;
    }
    if !s.0.actor.can_administer() {
        return forbidden_page("只有司法局协调员可以修改统计口径");
    }
    let text =
        p.0.iter()
            .find(|(k, _)| k == "toml")
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .unwrap_or_default();
    let Ok(version) = p.get("version").parse::<i64>() else {
        return forbidden_page("表单缺少版本号，请刷新页面后重试");
    };
    match st.store.set_stats_config(&s.0.actor, version, &text).await {
        Ok(_) => Redirect::to("/stats/config?msg=saved").into_response(),
        Err(huajie_store::StoreError::Invalid(inv)) => {
            render_config(&st, &s.0, Some(text), inv.0.into_iter().map(|e| e.message).collect(), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(huajie_store::StoreError::Conflict { .. }) => {
            render_config(
                &st,
                &s.0,
                Some(text),
                vec!["统计口径已被他人修改：下方保留了您编辑的文本，请与当前生效的配置核对后再次保存（刷新页面可查看当前配置）。".into()],
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => store_error_page(&s.0, "统计口径", e),
    }
}

// ----- Excel export --------------------------------------------------------------------------

/// The statistics of a period as an Excel workbook (summary, by unit, domain, kind, ranking).
pub async fn export(
    State(st): State<AppState>,
    s: UiSession,
    Query(p): Query<PeriodParams>,
) -> Response {
    if let Some(r) = readers_only(&s.0) {
        return r;
    }
    let period = match p.resolve() {
        Ok(x) => x,
        Err(e) => {
            return message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &e.message,
                super::BACK_FORM,
            );
        }
    };
    match huajie_service::exports::statistics(&st.store, &s.0.actor, &period, today(), None).await {
        Ok(w) => super::attachment(w.bytes, super::XLSX, &w.filename),
        Err(e) => super::service_error_page(&s.0, "统计", e),
    }
}

/// A published figure set, as frozen, as an Excel workbook.
pub async fn export_snapshot(
    State(st): State<AppState>,
    s: UiSession,
    Path(raw): Path<String>,
) -> Response {
    if let Some(r) = readers_only(&s.0) {
        return r;
    }
    let Some(id) = parse_id(&raw) else {
        return not_found_page(&s.0, &format!("发布记录“{raw}”"));
    };
    match huajie_service::exports::snapshot(&st.store, &s.0.actor, id, None).await {
        Ok(w) => super::attachment(w.bytes, super::XLSX, &w.filename),
        Err(e) => super::service_error_page(&s.0, "发布记录", e),
    }
}

// ----- Word documents -------------------------------------------------------------------------

/// Which document of a snapshot.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Paper {
    Circular,
    HalfYear,
}

async fn paper(st: &AppState, s: &Session, raw: &str, which: Paper) -> Response {
    if let Some(r) = readers_only(s) {
        return r;
    }
    let Some(id) = parse_id(raw) else {
        return not_found_page(s, &format!("发布记录“{raw}”"));
    };
    let which = match which {
        Paper::Circular => huajie_service::reports::Paper::Circular,
        Paper::HalfYear => huajie_service::reports::Paper::HalfYear,
    };
    match huajie_service::reports::paper(&st.store, &s.actor, id, which, today(), None).await {
        Ok(r) => super::attachment(r.bytes, super::DOCX, &r.filename),
        Err(e) => super::service_error_page(s, "发布记录", e),
    }
}

/// The quarterly circular (季度通报) of a published figure set, as Word.
pub async fn circular(
    State(st): State<AppState>,
    s: UiSession,
    Path(raw): Path<String>,
) -> Response {
    paper(&st, &s.0, &raw, Paper::Circular).await
}

/// The half-year report (半年度报告) of a published half-year, as Word.
pub async fn half_year_report(
    State(st): State<AppState>,
    s: UiSession,
    Path(raw): Path<String>,
) -> Response {
    paper(&st, &s.0, &raw, Paper::HalfYear).await
}
