//! The metrics engine (统计): counts and rates by unit (rolled up through the unit tree),
//! domain and proceeding kind for a period, with the same period a year earlier.
//!
//! Input is a list of [`Fact`]s, one per proceeding and defendant (the storage layer reads
//! them); everything here is pure. A proceeding is counted once per group: with two
//! defendants it counts once in the county total and once in each defendant's unit, and a
//! parent unit whose two children are both defendants counts it once.

pub mod assess;
pub mod config;
pub mod report;
pub mod review;

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use jiff::{Span, ToSpan};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::outcome::{LossRule, OutcomeCode};
use crate::proceeding::{ProceedingKind, parse_date};
pub use config::{Base, IndicatorDef, Selector, StatsConfig};

/// Kind of reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Half,
    Year,
    Custom,
}

impl PeriodKind {
    pub fn from_code(code: &str) -> Option<PeriodKind> {
        [
            PeriodKind::Month,
            PeriodKind::Quarter,
            PeriodKind::Half,
            PeriodKind::Year,
            PeriodKind::Custom,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Half => "half",
            PeriodKind::Year => "year",
            PeriodKind::Custom => "custom",
        }
    }
}

/// A reporting period, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: Date,
    pub to: Date,
}

fn period_err(msg: impl Into<String>) -> FieldError {
    FieldError::new("period", "invalid_period", msg)
}

impl Period {
    fn span(kind: PeriodKind, year: i16, first_month: i8, months: i8) -> Period {
        let from = Date::new(year, first_month, 1).expect("valid month start");
        let to = from
            .checked_add(Span::new().months(months))
            .and_then(|d| d.checked_sub(1.day()))
            .expect("in range");
        Period { kind, from, to }
    }

    fn check_year(year: i32) -> Result<i16, FieldError> {
        if (1990..=2100).contains(&year) {
            Ok(year as i16)
        } else {
            Err(period_err(format!("年份“{year}”无效，应在1990到2100之间")))
        }
    }

    pub fn month(year: i32, month: u32) -> Result<Period, FieldError> {
        let y = Self::check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(period_err(format!("月份“{month}”无效，应为1到12")));
        }
        Ok(Self::span(PeriodKind::Month, y, month as i8, 1))
    }

    pub fn quarter(year: i32, q: u32) -> Result<Period, FieldError> {
        let y = Self::check_year(year)?;
        if !(1..=4).contains(&q) {
            return Err(period_err(format!("季度“{q}”无效，应为1到4")));
        }
        Ok(Self::span(PeriodKind::Quarter, y, (q as i8 - 1) * 3 + 1, 3))
    }

    pub fn half(year: i32, h: u32) -> Result<Period, FieldError> {
        let y = Self::check_year(year)?;
        if !(1..=2).contains(&h) {
            return Err(period_err(format!(
                "半年“{h}”无效，应为1（上半年）或2（下半年）"
            )));
        }
        Ok(Self::span(PeriodKind::Half, y, (h as i8 - 1) * 6 + 1, 6))
    }

    pub fn year(year: i32) -> Result<Period, FieldError> {
        let y = Self::check_year(year)?;
        Ok(Self::span(PeriodKind::Year, y, 1, 12))
    }

    pub fn custom(from: Date, to: Date) -> Result<Period, FieldError> {
        if to < from {
            return Err(period_err(format!(
                "统计区间的结束日期 {to} 早于开始日期 {from}"
            )));
        }
        if from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX) > 366 * 5 {
            return Err(period_err("统计区间不能超过5年"));
        }
        Ok(Period {
            kind: PeriodKind::Custom,
            from,
            to,
        })
    }

    /// Parses the form/query fields: `kind` (month|quarter|half|year|custom), `year`, `n`
    /// (month, quarter or half number), `from`/`to` for a custom period.
    pub fn parse(
        kind: &str,
        year: &str,
        n: &str,
        from: &str,
        to: &str,
    ) -> Result<Period, FieldError> {
        let num = |what: &str, v: &str| -> Result<i32, FieldError> {
            v.trim()
                .parse::<i32>()
                .map_err(|_| period_err(format!("{what}“{}”不是数字", v.trim())))
        };
        match kind.trim() {
            "custom" => {
                let f = parse_date("from", from)
                    .map_err(|e| period_err(format!("开始{}", e.message)))?;
                let t =
                    parse_date("to", to).map_err(|e| period_err(format!("结束{}", e.message)))?;
                Period::custom(f, t)
            }
            "year" => Period::year(num("年份", year)?),
            "half" => Period::half(num("年份", year)?, num("半年", n)? as u32),
            "quarter" => Period::quarter(num("年份", year)?, num("季度", n)? as u32),
            "month" => Period::month(num("年份", year)?, num("月份", n)? as u32),
            other => Err(period_err(format!(
                "统计周期“{other}”无效，可选：month（月）、quarter（季度）、half（半年）、year（年）、custom（自定义）"
            ))),
        }
    }

    /// The number used with `kind` (month, quarter or half number; 0 otherwise).
    pub fn number(&self) -> i32 {
        let m = i32::from(self.from.month());
        match self.kind {
            PeriodKind::Month => m,
            PeriodKind::Quarter => (m - 1) / 3 + 1,
            PeriodKind::Half => (m - 1) / 6 + 1,
            _ => 0,
        }
    }

    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// The same period one year earlier (29 February maps to 28 February).
    pub fn previous_year(&self) -> Period {
        let back = |d: Date| d.saturating_sub(1.year());
        let to = match self.kind {
            PeriodKind::Custom => back(self.to),
            // Keep whole months: the end is the last day of the month a year earlier.
            _ => back(self.to).last_of_month(),
        };
        Period {
            kind: self.kind,
            from: back(self.from),
            to,
        }
    }

    /// From 1 January of the period's final year to its end (for losses in the year).
    pub fn year_to_date(&self) -> Period {
        Period {
            kind: PeriodKind::Custom,
            from: Date::new(self.to.year(), 1, 1).expect("valid"),
            to: self.to,
        }
    }

    /// Chinese label: 2026年第3季度, 2026年上半年, 2022年1月1日至11月30日.
    pub fn label(&self) -> String {
        let y = self.from.year();
        match self.kind {
            PeriodKind::Month => format!("{y}年{}月", self.from.month()),
            PeriodKind::Quarter => format!("{y}年第{}季度", self.number()),
            PeriodKind::Half => format!(
                "{y}年{}",
                if self.number() == 1 {
                    "上半年"
                } else {
                    "下半年"
                }
            ),
            PeriodKind::Year => format!("{y}年"),
            PeriodKind::Custom => {
                let end = if self.to.year() == y {
                    format!("{}月{}日", self.to.month(), self.to.day())
                } else {
                    format!(
                        "{}年{}月{}日",
                        self.to.year(),
                        self.to.month(),
                        self.to.day()
                    )
                };
                format!("{y}年{}月{}日至{end}", self.from.month(), self.from.day())
            }
        }
    }

    /// The months the period covers (for trend charts), at most 60.
    pub fn months(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut m = self.from.first_of_month();
        while m <= self.to && out.len() < 60 {
            let mut p = Period::span(PeriodKind::Month, m.year(), m.month(), 1);
            p.from = p.from.max(self.from);
            p.to = p.to.min(self.to);
            out.push(p);
            m = m.checked_add(1.month()).expect("in range");
        }
        out
    }
}

/// One proceeding and one of its defendants, as the engine needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub proceeding_id: i64,
    /// The defendant's unit; `None` for a defendant outside the unit tree (or no defendant).
    pub unit_id: Option<i64>,
    pub kind: ProceedingKind,
    pub domain: String,
    pub registered_on: Date,
    /// When this defendant's part ended (outcome date, or the closing date).
    pub concluded_on: Option<Date>,
    pub outcome: Option<OutcomeCode>,
    /// First hearing (开庭) date.
    pub heard_on: Option<Date>,
    /// A 负责人 of this defendant's unit appeared at a hearing.
    pub head_appeared: bool,
    /// A 负责人 of this defendant's unit appeared and spoke (出声) at a hearing.
    pub head_spoke: bool,
    /// Loss causes recorded with this defendant's outcome.
    pub grounds: Vec<crate::outcome::Ground>,
}

impl Selector {
    pub fn matches(&self, f: &Fact, p: &Period, loss: &LossRule) -> bool {
        let date = match self.base {
            Base::Received => Some(f.registered_on),
            Base::Concluded => f.concluded_on,
            Base::Heard => f.heard_on,
        };
        if !date.is_some_and(|d| p.contains(d)) {
            return false;
        }
        if self.loss && !f.outcome.is_some_and(|o| loss.is_loss(o)) {
            return false;
        }
        if !self.outcomes.is_empty() && !f.outcome.is_some_and(|o| self.outcomes.contains(&o)) {
            return false;
        }
        (!self.head_appeared || f.head_appeared) && (!self.head_spoke || f.head_spoke)
    }
}

/// How figures are grouped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "by", content = "key", rename_all = "snake_case")]
pub enum GroupKey {
    /// The whole jurisdiction.
    Total,
    /// A unit and every unit below it.
    Unit(i64),
    /// Cases where this unit itself is a defendant (rankings and assessment).
    OwnUnit(i64),
    Domain(String),
    Kind(ProceedingKind),
}

impl GroupKey {
    pub fn to_param(&self) -> String {
        match self {
            GroupKey::Total => "total".into(),
            GroupKey::Unit(u) => format!("unit:{u}"),
            GroupKey::OwnUnit(u) => format!("own:{u}"),
            GroupKey::Domain(d) => format!("domain:{d}"),
            GroupKey::Kind(k) => format!("kind:{}", k.code()),
        }
    }

    pub fn from_param(s: &str) -> Option<GroupKey> {
        let (a, b) = s.split_once(':').unwrap_or((s, ""));
        match a {
            "total" => Some(GroupKey::Total),
            "unit" => b.parse().ok().map(GroupKey::Unit),
            "own" => b.parse().ok().map(GroupKey::OwnUnit),
            "domain" if !b.is_empty() => Some(GroupKey::Domain(b.to_string())),
            "kind" => ProceedingKind::from_code(b).map(GroupKey::Kind),
            _ => None,
        }
    }
}

/// The unit tree, for roll-up: unit id → parent id.
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    pub parent: HashMap<i64, Option<i64>>,
}

impl UnitTree {
    /// The unit and its ancestors (guarded against cycles).
    pub fn up(&self, unit: i64) -> Vec<i64> {
        let mut out = vec![unit];
        let mut cur = unit;
        while let Some(Some(p)) = self.parent.get(&cur) {
            if out.contains(p) || out.len() > 32 {
                break;
            }
            out.push(*p);
            cur = *p;
        }
        out
    }
}

/// A count or rate: the numerator, and the denominator for a rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    pub numerator: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<u64>,
}

impl Figure {
    /// Nothing counted: 0 for a count, 0 / 0 for a rate.
    pub fn empty(rate: bool) -> Figure {
        Figure {
            numerator: 0,
            denominator: rate.then_some(0),
        }
    }

    /// The count, or the rate in percent (`None` for a rate over zero cases).
    pub fn value(&self) -> Option<f64> {
        match self.denominator {
            None => Some(self.numerator as f64),
            Some(0) => None,
            Some(d) => Some(self.numerator as f64 * 100.0 / d as f64),
        }
    }

    pub fn is_rate(&self) -> bool {
        self.denominator.is_some()
    }

    /// "1207", "99.42%", "—" for a rate without cases.
    pub fn display(&self) -> String {
        match (self.denominator, self.value()) {
            (None, _) => self.numerator.to_string(),
            (Some(_), Some(v)) => format!("{v:.2}%"),
            (Some(_), None) => "—".into(),
        }
    }
}

/// Year-on-year change: a percentage change for counts, a change in percentage points for rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Change {
    /// Percentage change of a count, e.g. −27.29 (%).
    Percent(f64),
    /// Difference of two rates in percentage points, e.g. +15.02 (个百分点).
    Points(f64),
}

impl Change {
    pub fn between(now: &Figure, before: &Figure) -> Option<Change> {
        if now.is_rate() {
            Some(Change::Points(now.value()? - before.value()?))
        } else if before.numerator == 0 {
            None
        } else {
            let b = before.numerator as f64;
            Some(Change::Percent((now.numerator as f64 - b) * 100.0 / b))
        }
    }

    /// "同比下降27.29%", "同比上升15.02个百分点", "同比持平".
    pub fn describe(&self) -> String {
        let (v, unit) = match *self {
            Change::Percent(v) => (v, "%"),
            Change::Points(v) => (v, "个百分点"),
        };
        let r = (v * 100.0).round() / 100.0;
        if r == 0.0 {
            "同比持平".into()
        } else if r > 0.0 {
            format!("同比上升{:.2}{unit}", r)
        } else {
            format!("同比下降{:.2}{unit}", -r)
        }
    }

    /// Signed short form: "−27.29%", "+15.02个百分点".
    pub fn signed(&self) -> String {
        let (v, unit) = match *self {
            Change::Percent(v) => (v, "%"),
            Change::Points(v) => (v, "个百分点"),
        };
        let r = (v * 100.0).round() / 100.0;
        if r > 0.0 {
            format!("+{r:.2}{unit}")
        } else if r < 0.0 {
            format!("−{:.2}{unit}", -r)
        } else {
            format!("0.00{unit}")
        }
    }
}

/// Which side of a figure a drill-down lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Numerator,
    Denominator,
}

/// Which groupings to compute.
#[derive(Debug, Clone, Copy, Default)]
pub struct Groupings {
    pub units: bool,
    pub own_units: bool,
    pub domains: bool,
    pub kinds: bool,
}

impl Groupings {
    pub fn all() -> Groupings {
        Groupings {
            units: true,
            own_units: true,
            domains: true,
            kinds: true,
        }
    }
}

fn keys_of(f: &Fact, tree: &UnitTree, g: Groupings, out: &mut Vec<GroupKey>) {
    out.clear();
    out.push(GroupKey::Total);
    if let Some(u) = f.unit_id {
        if g.units {
            out.extend(tree.up(u).into_iter().map(GroupKey::Unit));
        }
        if g.own_units {
            out.push(GroupKey::OwnUnit(u));
        }
    }
    if g.domains {
        out.push(GroupKey::Domain(f.domain.clone()));
    }
    if g.kinds {
        out.push(GroupKey::Kind(f.kind));
    }
}

/// Figures per group for one period: `figures[group][i]` is indicator `i`.
pub fn compute(
    facts: &[Fact],
    defs: &[IndicatorDef],
    loss: &LossRule,
    period: &Period,
    tree: &UnitTree,
    g: Groupings,
) -> BTreeMap<GroupKey, Vec<Figure>> {
    // (indicator, denominator?) → group → proceedings
    let mut sets: Vec<[HashMap<GroupKey, HashSet<i64>>; 2]> = defs
        .iter()
        .map(|_| [HashMap::new(), HashMap::new()])
        .collect();
    let mut keys = Vec::new();
    for f in facts {
        let mut computed = false;
        for (i, d) in defs.iter().enumerate() {
            if !d.kinds.contains(&f.kind) {
                continue;
            }
            let sides = [Some(&d.numerator), d.denominator.as_ref()];
            for (side, sel) in sides.iter().enumerate() {
                let Some(sel) = sel else { continue };
                if !sel.matches(f, period, loss) {
                    continue;
                }
                if !computed {
                    keys_of(f, tree, g, &mut keys);
                    computed = true;
                }
                for k in &keys {
                    sets[i][side]
                        .entry(k.clone())
                        .or_default()
                        .insert(f.proceeding_id);
                }
            }
        }
    }
    let mut out: BTreeMap<GroupKey, Vec<Figure>> = BTreeMap::new();
    out.insert(GroupKey::Total, vec![Figure::default(); defs.len()]);
    for s in &sets {
        for m in s {
            for k in m.keys() {
                out.entry(k.clone())
                    .or_insert_with(|| vec![Figure::default(); defs.len()]);
            }
        }
    }
    for (k, figs) in out.iter_mut() {
        for (i, d) in defs.iter().enumerate() {
            let n = sets[i][0].get(k).map_or(0, |s| s.len()) as u64;
            let den = d
                .denominator
                .as_ref()
                .map(|_| sets[i][1].get(k).map_or(0, |s| s.len()) as u64);
            figs[i] = Figure {
                numerator: n,
                denominator: den,
            };
        }
    }
    out
}

/// The proceedings behind one side of one figure, sorted by id.
pub fn members(
    facts: &[Fact],
    def: &IndicatorDef,
    part: Part,
    loss: &LossRule,
    period: &Period,
    tree: &UnitTree,
    group: &GroupKey,
) -> Vec<i64> {
    let sel = match part {
        Part::Numerator => &def.numerator,
        Part::Denominator => match &def.denominator {
            Some(d) => d,
            None => return Vec::new(),
        },
    };
    let mut keys = Vec::new();
    let mut ids: Vec<i64> = facts
        .iter()
        .filter(|f| def.kinds.contains(&f.kind) && sel.matches(f, period, loss))
        .filter(|f| {
            keys_of(f, tree, Groupings::all(), &mut keys);
            keys.contains(group)
        })
        .map(|f| f.proceeding_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The date range of facts needed for `period` with its comparison year and year-to-date.
pub fn fact_windows(period: &Period) -> Vec<Period> {
    let ytd = period.year_to_date();
    let cur = Period {
        kind: PeriodKind::Custom,
        from: period.from.min(ytd.from),
        to: period.to,
    };
    vec![cur, period.previous_year()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn fact(id: i64, unit: Option<i64>, kind: ProceedingKind, reg: Date) -> Fact {
        Fact {
            proceeding_id: id,
            unit_id: unit,
            kind,
            domain: "public_security".into(),
            registered_on: reg,
            concluded_on: None,
            outcome: None,
            heard_on: None,
            head_appeared: false,
            head_spoke: false,
            grounds: Vec::new(),
        }
    }

    #[test]
    fn periods() {
        let q = Period::quarter(2026, 3).unwrap();
        assert_eq!((q.from, q.to), (date(2026, 7, 1), date(2026, 9, 30)));
        assert_eq!(q.label(), "2026年第3季度");
        assert_eq!(q.number(), 3);
        let p = q.previous_year();
        assert_eq!((p.from, p.to), (date(2025, 7, 1), date(2025, 9, 30)));
        let feb = Period::month(2024, 2).unwrap();
        assert_eq!(feb.to, date(2024, 2, 29));
        assert_eq!(feb.previous_year().to, date(2023, 2, 28));
        assert_eq!(Period::half(2026, 2).unwrap().label(), "2026年下半年");
        let c = Period::custom(date(2022, 1, 1), date(2022, 11, 30)).unwrap();
        assert_eq!(c.label(), "2022年1月1日至11月30日");
        assert_eq!(c.previous_year().to, date(2021, 11, 30));
        assert_eq!(c.months().len(), 11);
        assert_eq!(
            Period::parse("quarter", "2026", "5", "", "")
                .unwrap_err()
                .message,
            "季度“5”无效，应为1到4"
        );
        assert!(
            Period::parse("custom", "", "", "2026-03-01", "2026-02-01")
                .unwrap_err()
                .message
                .contains("早于")
        );
        assert!(Period::parse("week", "2026", "1", "", "").is_err());
        assert!(Period::parse("year", "abc", "", "", "").is_err());
    }

    #[test]
    fn change_kinds_are_labelled() {
        let now = Figure {
            numerator: 1207,
            denominator: None,
        };
        let before = Figure {
            numerator: 1660,
            denominator: None,
        };
        let c = Change::between(&now, &before).unwrap();
        assert_eq!(c.signed(), "−27.29%");
        assert_eq!(c.describe(), "同比下降27.29%");
        let now = Figure {
            numerator: 690,
            denominator: Some(694),
        };
        let before = Figure {
            numerator: 422,
            denominator: Some(500),
        };
        assert_eq!(now.display(), "99.42%");
        let c = Change::between(&now, &before).unwrap();
        assert_eq!(c.signed(), "+15.02个百分点");
        assert!(
            Change::between(
                &now,
                &Figure {
                    numerator: 0,
                    denominator: Some(0)
                }
            )
            .is_none()
        );
        assert!(
            Change::between(
                &Figure {
                    numerator: 3,
                    denominator: None
                },
                &Figure::default()
            )
            .is_none()
        );
    }

    #[test]
    fn counts_distinct_proceedings_per_group_with_roll_up() {
        use ProceedingKind::FirstInstance as F;
        let cfg = StatsConfig::default();
        let loss = LossRule::default();
        // 1 = county government, 2 and 3 its departments.
        let tree = UnitTree {
            parent: HashMap::from([(1, None), (2, Some(1)), (3, Some(1))]),
        };
        let d = date(2026, 8, 1);
        let mut a = fact(10, Some(2), F, d);
        a.concluded_on = Some(d);
        a.outcome = Some(OutcomeCode::Revoke);
        let mut b = fact(10, Some(3), F, d); // same case, second defendant, won
        b.concluded_on = Some(d);
        b.outcome = Some(OutcomeCode::RejectClaims);
        let mut c = fact(11, Some(3), F, d);
        c.concluded_on = Some(d);
        c.outcome = Some(OutcomeCode::Withdraw);
        let e = fact(12, None, F, date(2026, 6, 30)); // before the quarter
        let facts = vec![a, b, c, e];
        let q = Period::quarter(2026, 3).unwrap();
        let figs = compute(&facts, &cfg.indicator, &loss, &q, &tree, Groupings::all());
        let idx = |id: &str| cfg.indicator.iter().position(|d| d.id == id).unwrap();
        let total = &figs[&GroupKey::Total];
        assert_eq!(total[idx("suits_received")].numerator, 2);
        assert_eq!(
            total[idx("loss_rate")],
            Figure {
                numerator: 1,
                denominator: Some(2)
            }
        );
        assert_eq!(
            figs[&GroupKey::Unit(1)][idx("loss_rate")],
            Figure {
                numerator: 1,
                denominator: Some(2)
            }
        );
        assert_eq!(
            figs[&GroupKey::OwnUnit(3)][idx("loss_rate")],
            Figure {
                numerator: 0,
                denominator: Some(2)
            }
        );
        assert_eq!(figs[&GroupKey::OwnUnit(2)][idx("losses")].numerator, 1);
        assert_eq!(
            figs[&GroupKey::Unit(3)][idx("mediation_withdrawal_rate")],
            Figure {
                numerator: 1,
                denominator: Some(2)
            }
        );
        let def = cfg.indicator("loss_rate").unwrap();
        assert_eq!(
            members(
                &facts,
                def,
                Part::Denominator,
                &loss,
                &q,
                &tree,
                &GroupKey::Unit(1)
            ),
            [10, 11]
        );
        assert_eq!(
            members(
                &facts,
                def,
                Part::Numerator,
                &loss,
                &q,
                &tree,
                &GroupKey::OwnUnit(3)
            ),
            Vec::<i64>::new()
        );
        assert_eq!(
            GroupKey::from_param(&GroupKey::Kind(F).to_param()),
            Some(GroupKey::Kind(F))
        );
        assert_eq!(GroupKey::from_param("unit:x"), None);
    }

    #[test]
    fn losses_by_cause_and_domain_count_cases_once() {
        use crate::outcome::{Ground, LossRule, OutcomeCode};
        let q = Period::quarter(2026, 3).unwrap();
        let lost = |id, unit, domain: &str, grounds: Vec<Ground>| Fact {
            domain: domain.into(),
            concluded_on: Some(date(2026, 8, 1)),
            outcome: Some(OutcomeCode::Revoke),
            grounds,
            ..fact(
                id,
                Some(unit),
                ProceedingKind::FirstInstance,
                date(2026, 1, 5),
            )
        };
        let facts = vec![
            // One case, two losing defendants with different causes.
            lost(1, 10, "public_security", vec![Ground::IllegalProcedure]),
            lost(
                1,
                11,
                "public_security",
                vec![Ground::InsufficientEvidence, Ground::IllegalProcedure],
            ),
            lost(2, 10, "expropriation", vec![]),
            lost(3, 10, "expropriation", vec![Ground::IllegalProcedure]),
            // Won, or lost outside the period, or a reconsideration: not counted.
            Fact {
                outcome: Some(OutcomeCode::RejectClaims),
                ..lost(4, 10, "expropriation", vec![])
            },
            Fact {
                concluded_on: Some(date(2026, 6, 30)),
                ..lost(5, 10, "expropriation", vec![Ground::UltraVires])
            },
            Fact {
                kind: ProceedingKind::Reconsideration,
                outcome: Some(OutcomeCode::ReconRevoke),
                ..lost(6, 10, "expropriation", vec![Ground::UltraVires])
            },
        ];
        let names =
            std::collections::BTreeMap::from([("expropriation".to_string(), "征收".to_string())]);
        let lc = report::loss_causes(&facts, &LossRule::default(), &q, &names);
        assert_eq!(lc.total, 3);
        assert_eq!(
            lc.domains,
            [
                ("expropriation".to_string(), "征收".to_string()),
                ("public_security".to_string(), "public_security".to_string())
            ]
        );
        assert_eq!(lc.domain_totals, [2, 1]);
        let row = |l: &str| lc.rows.iter().find(|r| r.label == l).unwrap();
        assert_eq!(row("违反法定程序").counts, [1, 1]);
        assert_eq!(row("违反法定程序").total, 2);
        assert_eq!(row("主要证据不足").counts, [0, 1]);
        assert_eq!(row("未填写原因").counts, [1, 0]);
        assert!(lc.rows.iter().all(|r| r.label != "超越职权"));
    }
}
