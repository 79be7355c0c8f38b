//! Rankings, thresholds, escalation (约谈) and the assessment score (考核) per unit.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::config::StatsConfig;
use super::{Figure, GroupKey};
use crate::appearance::AppearanceProblem;

/// A deadline of a unit that was met late or is overdue (the storage layer finds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateDeadline {
    pub unit_id: i64,
    pub proceeding_id: i64,
    pub rule_id: String,
    pub due_on: Date,
}

/// A problem with a unit's recorded appearance at one hearing of the period (the storage layer
/// finds them with [`crate::appearance::problems`]). `HeadAbsent` is already counted by the
/// appearance rate (non-appearances); `NotPrincipal` and `LawyerOnly` have deductions of their
/// own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppearanceFault {
    pub unit_id: i64,
    pub proceeding_id: i64,
    pub hearing_id: i64,
    pub problem: AppearanceProblem,
}

/// One unit's assessment for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitAssessment {
    pub unit_id: i64,
    /// The loss rate figure (losses ÷ concluded) of cases where the unit is itself a defendant.
    pub loss: Figure,
    pub threshold: f64,
    pub over_threshold: bool,
    /// Losses from 1 January to the end of the period.
    pub losses_in_year: u64,
    pub escalation: Option<String>,
    pub heard: u64,
    pub non_appearances: u64,
    pub late_filings: u64,
    pub late_reports: u64,
    /// Hearings where the 正职 was required and another head appeared (应由正职出庭).
    #[serde(default)]
    pub not_principal: u64,
    /// Hearings where only lawyers appeared for the unit (仅委托律师出庭).
    #[serde(default)]
    pub lawyer_only: u64,
    pub score: f64,
    pub grade: String,
    /// Among the top N by loss rate: cannot be rated excellent.
    pub excellent_barred: bool,
    /// 1 = highest loss rate; `None` without concluded cases.
    pub rank_by_rate: Option<u32>,
    /// 1 = most losses; `None` without losses.
    pub rank_by_count: Option<u32>,
}

/// Inputs of [`assess`], all for cases where the unit itself is a defendant (`OwnUnit` groups).
pub struct AssessInput<'a> {
    pub config: &'a StatsConfig,
    /// Figures of the period.
    pub period: &'a BTreeMap<GroupKey, Vec<Figure>>,
    /// Figures from 1 January to the end of the period.
    pub year_to_date: &'a BTreeMap<GroupKey, Vec<Figure>>,
    pub late: &'a [LateDeadline],
    /// Appearance problems at the period's hearings.
    pub faults: &'a [AppearanceFault],
    /// Units to assess even without cases.
    pub units: &'a [i64],
}

fn rank<K: Ord + Copy>(items: &mut [(i64, K)]) -> BTreeMap<i64, u32> {
    // Competition ranking (1, 2, 2, 4) on K descending.
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = BTreeMap::new();
    let mut last: Option<K> = None;
    let mut r = 0;
    for (i, (u, k)) in items.iter().enumerate() {
        if last != Some(*k) {
            r = i as u32 + 1;
            last = Some(*k);
        }
        out.insert(*u, r);
    }
    out
}

/// Assesses every unit; sorted by loss rate (highest first), then by losses, then unit id.
pub fn assess(inp: &AssessInput) -> Vec<UnitAssessment> {
    let cfg = inp.config;
    let a = &cfg.assessment;
    let li = cfg.indicator.iter().position(|d| d.id == a.loss_indicator);
    let ai = cfg
        .indicator
        .iter()
        .position(|d| d.id == a.appearance_indicator);
    let fig = |m: &BTreeMap<GroupKey, Vec<Figure>>, u: i64, i: Option<usize>| -> Figure {
        i.and_then(|i| m.get(&GroupKey::OwnUnit(u)).map(|f| f[i]))
            .unwrap_or_default()
    };
    let mut units: BTreeSet<i64> = inp.units.iter().copied().collect();
    for k in inp.period.keys().chain(inp.year_to_date.keys()) {
        if let GroupKey::OwnUnit(u) = k {
            units.insert(*u);
        }
    }
    units.extend(inp.late.iter().map(|l| l.unit_id));
    units.extend(inp.faults.iter().map(|f| f.unit_id));
    let filing: BTreeSet<&str> = a.filing_rules.iter().map(String::as_str).collect();
    let report: BTreeSet<&str> = a.report_rules.iter().map(String::as_str).collect();

    let mut rows: Vec<UnitAssessment> = units
        .iter()
        .map(|&u| {
            let loss = fig(inp.period, u, li);
            let loss = Figure {
                numerator: loss.numerator,
                denominator: Some(loss.denominator.unwrap_or(0)),
            };
            let app = fig(inp.period, u, ai);
            let heard = app.denominator.unwrap_or(0);
            let non_appearances = heard.saturating_sub(app.numerator);
            let losses_in_year = fig(inp.year_to_date, u, li).numerator;
            let late = inp.late.iter().filter(|l| l.unit_id == u);
            let late_filings = late
                .clone()
                .filter(|l| filing.contains(l.rule_id.as_str()))
                .count() as u64;
            let late_reports = late.filter(|l| report.contains(l.rule_id.as_str())).count() as u64;
            let faults = |p: AppearanceProblem| {
                inp.faults
                    .iter()
                    .filter(|f| f.unit_id == u && f.problem == p)
                    .count() as u64
            };
            let not_principal = faults(AppearanceProblem::NotPrincipal);
            let lawyer_only = faults(AppearanceProblem::LawyerOnly);
            let threshold = a.threshold_for(u);
            let score = (a.start_score
                - a.deduct_per_loss * loss.numerator as f64
                - a.deduct_per_non_appearance * non_appearances as f64
                - a.deduct_per_late_filing * late_filings as f64
                - a.deduct_per_late_report * late_reports as f64
                - a.deduct_per_not_principal * not_principal as f64
                - a.deduct_per_lawyer_only * lawyer_only as f64)
                .max(0.0);
            UnitAssessment {
                unit_id: u,
                loss,
                threshold,
                over_threshold: loss.value().is_some_and(|v| v > threshold),
                losses_in_year,
                escalation: a.escalation_for(losses_in_year).map(|e| e.action.clone()),
                heard,
                non_appearances,
                late_filings,
                late_reports,
                not_principal,
                lawyer_only,
                score,
                grade: String::new(),
                excellent_barred: false,
                rank_by_rate: None,
                rank_by_count: None,
            }
        })
        .collect();

    // Rates compared exactly as fractions: n1/d1 vs n2/d2 ⇔ n1·d2 vs n2·d1 (scaled to a key).
    let mut by_rate: Vec<(i64, (u64, u64))> = rows
        .iter()
        .filter(|r| r.loss.denominator.unwrap_or(0) > 0)
        .map(|r| {
            let d = r.loss.denominator.unwrap_or(1);
            // 10^12-scaled rate is exact enough to order and to detect ties of equal fractions.
            let key = (u128::from(r.loss.numerator) * 1_000_000_000_000 / u128::from(d)) as u64;
            (r.unit_id, (key, r.loss.numerator))
        })
        .collect();
    let rate_rank = rank(&mut by_rate);
    let mut by_count: Vec<(i64, u64)> = rows
        .iter()
        .filter(|r| r.loss.numerator > 0)
        .map(|r| (r.unit_id, r.loss.numerator))
        .collect();
    let count_rank = rank(&mut by_count);
    let top = a.top_grade().map(str::to_string);
    let mut grades: Vec<&super::config::Grade> = a.grade.iter().collect();
    grades.sort_by(|x, y| y.min_score.total_cmp(&x.min_score));
    for r in &mut rows {
        r.rank_by_rate = rate_rank.get(&r.unit_id).copied();
        r.rank_by_count = count_rank.get(&r.unit_id).copied();
        r.excellent_barred =
            r.loss.numerator > 0 && r.rank_by_rate.is_some_and(|k| k <= a.excellent_barred_top);
        let mut grade = a.grade_for(r.score).to_string();
        if r.excellent_barred && top.as_deref() == Some(grade.as_str()) {
            // The next grade down.
            grade = grades.get(1).map(|g| g.label.clone()).unwrap_or_default();
        }
        r.grade = grade;
    }
    rows.sort_by(|x, y| {
        (x.rank_by_rate.unwrap_or(u32::MAX), x.unit_id)
            .cmp(&(y.rank_by_rate.unwrap_or(u32::MAX), y.unit_id))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figs(
        rows: &[(i64, u64, u64, u64, u64)],
        cfg: &StatsConfig,
    ) -> BTreeMap<GroupKey, Vec<Figure>> {
        // (unit, losses, concluded, appeared, heard)
        let li = cfg
            .indicator
            .iter()
            .position(|d| d.id == "loss_rate")
            .unwrap();
        let ai = cfg
            .indicator
            .iter()
            .position(|d| d.id == "appearance_rate")
            .unwrap();
        rows.iter()
            .map(|&(u, l, c, ap, h)| {
                let mut v = vec![Figure::default(); cfg.indicator.len()];
                v[li] = Figure {
                    numerator: l,
                    denominator: Some(c),
                };
                v[ai] = Figure {
                    numerator: ap,
                    denominator: Some(h),
                };
                (GroupKey::OwnUnit(u), v)
            })
            .collect()
    }

    #[test]
    fn ranking_threshold_escalation_and_score() {
        let cfg = StatsConfig::default();
        let period = figs(
            &[
                (1, 1, 10, 2, 2), // 10 %
                (2, 1, 4, 1, 3),  // 25 %, two hearings without a head
                (3, 0, 6, 0, 0),  // 0 %
                (4, 1, 20, 0, 0), // 5 %
                (5, 1, 10, 0, 0), // 10 %, ties with unit 1
            ],
            &cfg,
        );
        let ytd = figs(&[(1, 3, 30, 0, 0), (2, 2, 8, 0, 0), (4, 1, 20, 0, 0)], &cfg);
        let late = vec![
            LateDeadline {
                unit_id: 3,
                proceeding_id: 9,
                rule_id: "ANSWER_AND_EVIDENCE".into(),
                due_on: jiff::civil::date(2026, 8, 3),
            },
            LateDeadline {
                unit_id: 3,
                proceeding_id: 9,
                rule_id: "XS_LOSS_REPORT".into(),
                due_on: jiff::civil::date(2026, 8, 9),
            },
            LateDeadline {
                unit_id: 3,
                proceeding_id: 9,
                rule_id: "TRIAL_FIRST".into(),
                due_on: jiff::civil::date(2026, 8, 9),
            },
        ];
        // Unit 4: a deputy where the 正职 was required, twice; unit 2: lawyers only, once
        // (also one of its non-appearances).
        let fault = |unit_id, hearing_id, problem| AppearanceFault {
            unit_id,
            proceeding_id: 20 + unit_id,
            hearing_id,
            problem,
        };
        let faults = vec![
            fault(4, 1, AppearanceProblem::NotPrincipal),
            fault(4, 2, AppearanceProblem::NotPrincipal),
            fault(2, 3, AppearanceProblem::HeadAbsent),
            fault(2, 3, AppearanceProblem::LawyerOnly),
        ];
        let rows = assess(&AssessInput {
            config: &cfg,
            period: &period,
            year_to_date: &ytd,
            late: &late,
            faults: &faults,
            units: &[6],
        });
        let order: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
        assert_eq!(order, [2, 1, 5, 4, 3, 6]);
        let get = |u: i64| rows.iter().find(|r| r.unit_id == u).unwrap();
        assert_eq!(get(1).rank_by_rate, Some(2));
        assert_eq!(get(5).rank_by_rate, Some(2), "equal rates share a rank");
        assert_eq!(get(4).rank_by_rate, Some(4));
        assert_eq!(get(6).rank_by_rate, None);
        assert!(get(2).over_threshold && get(1).over_threshold && !get(4).over_threshold);
        assert_eq!(get(1).escalation.as_deref(), Some("提交县政府常务会议研究"));
        assert_eq!(
            get(2).escalation.as_deref(),
            Some("由分管副县长约谈单位主要负责人")
        );
        assert_eq!(get(4).escalation, None);
        assert_eq!(get(2).non_appearances, 2);
        assert_eq!((get(2).lawyer_only, get(2).not_principal), (1, 0));
        assert_eq!(get(2).score, 100.0 - 5.0 - 2.0 * 3.0 - 2.0);
        assert_eq!((get(4).lawyer_only, get(4).not_principal), (0, 2));
        assert_eq!(get(4).score, 100.0 - 5.0 - 2.0 * 1.0);
        assert_eq!((get(3).late_filings, get(3).late_reports), (1, 1));
        assert_eq!(get(3).score, 97.0);
        // Top three by rate (2, 1, 5) cannot be rated excellent even with a high score.
        assert_eq!(get(1).score, 95.0);
        assert!(get(1).excellent_barred);
        assert_eq!(get(1).grade, "良好");
        assert!(!get(4).excellent_barred);
        assert_eq!(get(4).grade, "优秀");
        assert_eq!(get(6).grade, "优秀");
        assert_eq!(get(1).rank_by_count, Some(1));
        assert_eq!(get(3).rank_by_count, None);
    }

    #[test]
    fn per_unit_threshold_overrides_default() {
        let text = super::super::config::DEFAULT_TOML.replace("# \"12\" = 5.0", "\"4\" = 4.0");
        let cfg = StatsConfig::parse(&text).unwrap();
        let period = figs(&[(4, 1, 20, 0, 0)], &cfg);
        let rows = assess(&AssessInput {
            config: &cfg,
            period: &period,
            year_to_date: &period,
            late: &[],
            faults: &[],
            units: &[],
        });
        assert_eq!(rows[0].threshold, 4.0);
        assert!(rows[0].over_threshold);
    }

    #[test]
    fn a_stored_configuration_without_appearance_deductions_keeps_its_scores() {
        let text = super::super::config::DEFAULT_TOML
            .replace("deduct_per_not_principal = 1.0\n", "")
            .replace("deduct_per_lawyer_only = 2.0\n", "");
        let cfg = StatsConfig::parse(&text).unwrap();
        assert_eq!(cfg.assessment.deduct_per_not_principal, 0.0);
        assert_eq!(cfg.assessment.deduct_per_lawyer_only, 0.0);
        let shipped = StatsConfig::default();
        assert_eq!(shipped.assessment.deduct_per_not_principal, 1.0);
        assert_eq!(shipped.assessment.deduct_per_lawyer_only, 2.0);
        let faults = [AppearanceFault {
            unit_id: 7,
            proceeding_id: 1,
            hearing_id: 1,
            problem: AppearanceProblem::LawyerOnly,
        }];
        let empty = BTreeMap::new();
        let rows = assess(&AssessInput {
            config: &cfg,
            period: &empty,
            year_to_date: &empty,
            late: &[],
            faults: &faults,
            units: &[],
        });
        assert_eq!((rows[0].unit_id, rows[0].lawyer_only), (7, 1));
        assert_eq!(rows[0].score, 100.0);
    }
}
