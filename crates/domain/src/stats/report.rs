//! A complete figure set for one period (what the dashboard shows, a snapshot freezes and the
//! circular prints), and the difference between a published set and today's figures.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::assess::{AppearanceFault, AssessInput, LateDeadline, UnitAssessment, assess};
use super::{Change, Fact, Figure, GroupKey, Groupings, Period, StatsConfig, UnitTree, compute};
use crate::outcome::{Ground, LossRule};
use crate::proceeding::ProceedingKind;

/// An indicator as shown: id, name, whether a rate, and its formula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorInfo {
    pub id: String,
    pub label: String,
    pub is_rate: bool,
    pub formula: String,
}

/// One group's figures in the period and a year earlier (same order as the indicators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureRow {
    pub group: GroupKey,
    pub name: String,
    /// Depth in the unit tree (0 for the top), for indentation.
    pub depth: u32,
    pub current: Vec<Figure>,
    pub previous: Vec<Figure>,
}

impl FigureRow {
    pub fn change(&self, i: usize) -> Option<Change> {
        Change::between(self.current.get(i)?, self.previous.get(i)?)
    }
}

/// Totals per month (for trend charts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthFigures {
    pub period: Period,
    pub figures: Vec<Figure>,
}

/// Everything computed for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureSet {
    pub period: Period,
    pub previous: Period,
    pub label: String,
    pub indicators: Vec<IndicatorInfo>,
    pub total: FigureRow,
    /// Units in tree order, rolled up.
    pub units: Vec<FigureRow>,
    pub domains: Vec<FigureRow>,
    pub kinds: Vec<FigureRow>,
    /// Ranked assessment (highest loss rate first).
    pub assessment: Vec<UnitAssessment>,
    /// The twelve months ending with the period.
    pub trend: Vec<MonthFigures>,
    pub unit_names: BTreeMap<i64, String>,
    /// Litigation losses of the period by cause and domain (absent in sets published before
    /// it existed).
    #[serde(default)]
    pub loss_causes: LossCauses,
}

/// Litigation losses (行政诉讼败诉) concluded in a period, by loss cause (败诉原因) and domain:
/// each cell counts distinct proceedings (the causes of a case are those of all its losing
/// defendants), so a case with two causes counts in both rows and once in the total.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LossCauses {
    /// Domain columns: (code, label), in code order; only domains with a loss.
    pub domains: Vec<(String, String)>,
    pub rows: Vec<LossCauseRow>,
    /// Per domain column: distinct proceedings lost.
    pub domain_totals: Vec<u64>,
    /// Distinct proceedings lost in the period.
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossCauseRow {
    /// `None`: losses recorded without a cause (未填写原因).
    pub ground: Option<Ground>,
    pub label: String,
    /// Per domain column.
    pub counts: Vec<u64>,
    pub total: u64,
}

/// Counts the litigation losses concluded in `period` by cause and domain.
pub fn loss_causes(
    facts: &[Fact],
    loss: &LossRule,
    period: &Period,
    domains: &BTreeMap<String, String>,
) -> LossCauses {
    use std::collections::BTreeSet;
    // One entry per lost proceeding: its domain and the causes of all its losing defendants.
    let mut lost: BTreeMap<i64, (&str, BTreeSet<Ground>)> = BTreeMap::new();
    for f in facts {
        let litigation = matches!(
            f.kind,
            ProceedingKind::FirstInstance
                | ProceedingKind::SecondInstance
                | ProceedingKind::Retrial
        );
        let is_loss = f.outcome.is_some_and(|o| loss.is_loss(o));
        if !litigation || !is_loss || !f.concluded_on.is_some_and(|d| period.contains(d)) {
            continue;
        }
        lost.entry(f.proceeding_id)
            .or_insert_with(|| (f.domain.as_str(), BTreeSet::new()))
            .1
            .extend(f.grounds.iter().copied());
    }
    let mut cells: BTreeMap<(Option<Ground>, &str), BTreeSet<i64>> = BTreeMap::new();
    let mut per_domain: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for (id, (domain, grounds)) in &lost {
        per_domain.entry(domain).or_default().insert(*id);
        if grounds.is_empty() {
            cells.entry((None, domain)).or_default().insert(*id);
        }
        for g in grounds {
            cells.entry((Some(*g), domain)).or_default().insert(*id);
        }
    }
    let cols: Vec<&str> = per_domain.keys().copied().collect();
    let mut grounds: Vec<Option<Ground>> = Ground::ALL.iter().copied().map(Some).collect();
    grounds.push(None);
    let rows = grounds
        .into_iter()
        .filter_map(|g| {
            let mut all = HashSet::new();
            let counts: Vec<u64> = cols
                .iter()
                .map(|d| {
                    cells.get(&(g, *d)).map_or(0, |ids| {
                        all.extend(ids.iter().copied());
                        ids.len() as u64
                    })
                })
                .collect();
            (!all.is_empty()).then(|| LossCauseRow {
                ground: g,
                label: g.map_or("未填写原因", |g| g.label()).to_string(),
                counts,
                total: all.len() as u64,
            })
        })
        .collect();
    LossCauses {
        domains: cols
            .iter()
            .map(|d| {
                (
                    d.to_string(),
                    domains.get(*d).cloned().unwrap_or_else(|| d.to_string()),
                )
            })
            .collect(),
        domain_totals: cols.iter().map(|d| per_domain[d].len() as u64).collect(),
        rows,
        total: lost.len() as u64,
    }
}

impl FigureSet {
    pub fn index(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.id == id)
    }

    pub fn unit_name(&self, id: i64) -> String {
        self.unit_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("单位{id}"))
    }

    fn all_rows(&self) -> impl Iterator<Item = &FigureRow> {
        std::iter::once(&self.total)
            .chain(self.units.iter())
            .chain(self.domains.iter())
            .chain(self.kinds.iter())
    }

    /// Figures that differ between this (published) set and `live`, by group and indicator.
    pub fn corrections(&self, live: &FigureSet) -> Vec<Correction> {
        let live_rows: HashMap<&GroupKey, &FigureRow> =
            live.all_rows().map(|r| (&r.group, r)).collect();
        let mut out = Vec::new();
        for r in self.all_rows() {
            for (i, ind) in self.indicators.iter().enumerate() {
                let Some(li) = live.index(&ind.id) else {
                    continue;
                };
                let was = r.current[i];
                let now = live_rows
                    .get(&r.group)
                    .map(|lr| lr.current[li])
                    .unwrap_or(Figure::empty(was.is_rate()));
                if was != now {
                    out.push(Correction {
                        group: r.group.clone(),
                        name: r.name.clone(),
                        indicator: ind.label.clone(),
                        was,
                        now,
                    });
                }
            }
        }
        // Groups that appeared since publication.
        let known: HashSet<&GroupKey> = self.all_rows().map(|r| &r.group).collect();
        for r in live.all_rows().filter(|r| !known.contains(&r.group)) {
            for (i, ind) in live.indicators.iter().enumerate() {
                if r.current[i].numerator > 0 || r.current[i].denominator.unwrap_or(0) > 0 {
                    out.push(Correction {
                        group: r.group.clone(),
                        name: r.name.clone(),
                        indicator: ind.label.clone(),
                        was: Figure::empty(r.current[i].is_rate()),
                        now: r.current[i],
                    });
                }
            }
        }
        out
    }
}

/// A published figure that today's data no longer gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub group: GroupKey,
    pub name: String,
    pub indicator: String,
    pub was: Figure,
    pub now: Figure,
}

/// Names and the tree, from the storage layer.
pub struct Directory<'a> {
    pub tree: &'a UnitTree,
    /// Units in tree order: (id, name, depth).
    pub units: &'a [(i64, String, u32)],
    /// Domain code → label.
    pub domains: &'a BTreeMap<String, String>,
    /// Units assessed even without cases.
    pub assessed: &'a [i64],
}

/// Totals per month in one pass: each fact's base date picks its month.
pub fn monthly(
    facts: &[Fact],
    cfg: &StatsConfig,
    loss: &LossRule,
    months: &[Period],
) -> Vec<MonthFigures> {
    let defs = &cfg.indicator;
    let mut sets: Vec<Vec<[HashSet<i64>; 2]>> = months
        .iter()
        .map(|_| {
            defs.iter()
                .map(|_| [HashSet::new(), HashSet::new()])
                .collect()
        })
        .collect();
    for f in facts {
        for (i, d) in defs.iter().enumerate() {
            if !d.kinds.contains(&f.kind) {
                continue;
            }
            for (side, sel) in [Some(&d.numerator), d.denominator.as_ref()]
                .iter()
                .enumerate()
            {
                let Some(sel) = sel else { continue };
                let date = match sel.base {
                    super::Base::Received => Some(f.registered_on),
                    super::Base::Concluded => f.concluded_on,
                    super::Base::Heard => f.heard_on,
                };
                let Some(date) = date else { continue };
                let m = months.partition_point(|p| p.to < date);
                if m < months.len() && sel.matches(f, &months[m], loss) {
                    sets[m][i][side].insert(f.proceeding_id);
                }
            }
        }
    }
    months
        .iter()
        .zip(sets)
        .map(|(p, s)| MonthFigures {
            period: *p,
            figures: defs
                .iter()
                .zip(s)
                .map(|(d, [n, den])| Figure {
                    numerator: n.len() as u64,
                    denominator: d.is_rate().then_some(den.len() as u64),
                })
                .collect(),
        })
        .collect()
}

/// The twelve months ending with the period's last month.
pub fn trend_months(period: &Period) -> Vec<Period> {
    use jiff::ToSpan;
    let end = period.to.first_of_month();
    let start = end.saturating_sub(11.months());
    Period {
        kind: super::PeriodKind::Custom,
        from: start,
        to: period.to,
    }
    .months()
}

/// Builds the figure set. `facts` must cover [`super::fact_windows`] of the period and the
/// trend months.
pub fn figure_set(
    facts: &[Fact],
    cfg: &StatsConfig,
    loss: &LossRule,
    period: &Period,
    dir: &Directory,
    late: &[LateDeadline],
    faults: &[AppearanceFault],
) -> FigureSet {
    let defs = &cfg.indicator;
    let previous = period.previous_year();
    let cur = compute(facts, defs, loss, period, dir.tree, Groupings::all());
    let prev = compute(facts, defs, loss, &previous, dir.tree, Groupings::all());
    let ytd_groups = Groupings {
        own_units: true,
        ..Groupings::default()
    };
    let ytd = compute(
        facts,
        defs,
        loss,
        &period.year_to_date(),
        dir.tree,
        ytd_groups,
    );
    let empty: Vec<Figure> = defs.iter().map(|d| Figure::empty(d.is_rate())).collect();
    let row = |group: GroupKey, name: String, depth: u32| FigureRow {
        current: cur.get(&group).cloned().unwrap_or_else(|| empty.clone()),
        previous: prev.get(&group).cloned().unwrap_or_else(|| empty.clone()),
        group,
        name,
        depth,
    };
    let has_data = |g: &GroupKey| cur.contains_key(g) || prev.contains_key(g);
    let units = dir
        .units
        .iter()
        .filter(|(id, _, _)| has_data(&GroupKey::Unit(*id)))
        .map(|(id, name, depth)| row(GroupKey::Unit(*id), name.clone(), *depth))
        .collect();
    let mut domain_keys: Vec<String> = cur
        .keys()
        .chain(prev.keys())
        .filter_map(|k| match k {
            GroupKey::Domain(d) => Some(d.clone()),
            _ => None,
        })
        .collect();
    domain_keys.sort();
    domain_keys.dedup();
    let domains = domain_keys
        .into_iter()
        .map(|d| {
            let name = dir.domains.get(&d).cloned().unwrap_or_else(|| d.clone());
            row(GroupKey::Domain(d), name, 0)
        })
        .collect();
    let kinds = ProceedingKind::ALL
        .iter()
        .filter(|k| has_data(&GroupKey::Kind(**k)))
        .map(|k| row(GroupKey::Kind(*k), k.label().to_string(), 0))
        .collect();
    let assessment = assess(&AssessInput {
        config: cfg,
        period: &cur,
        year_to_date: &ytd,
        late,
        faults,
        units: dir.assessed,
    });
    FigureSet {
        period: *period,
        previous,
        label: period.label(),
        indicators: defs
            .iter()
            .map(|d| IndicatorInfo {
                id: d.id.clone(),
                label: d.label.clone(),
                is_rate: d.is_rate(),
                formula: d.formula(loss),
            })
            .collect(),
        total: row(GroupKey::Total, "合计".into(), 0),
        units,
        domains,
        kinds,
        assessment,
        trend: monthly(facts, cfg, loss, &trend_months(period)),
        loss_causes: loss_causes(facts, loss, period, dir.domains),
        unit_names: dir
            .units
            .iter()
            .map(|(id, n, _)| (*id, n.clone()))
            .collect(),
    }
}

/// The earliest date the facts of [`figure_set`] must reach back to, per window.
pub fn windows(period: &Period) -> Vec<Period> {
    let mut w = super::fact_windows(period);
    let t = trend_months(period);
    if let Some(first) = t.first() {
        w[0].from = w[0].from.min(first.from);
    }
    w
}
