//! The explainable risk score (败诉风险评分): points for what the data says about a pending case —
//! its domain and act type (征收拆迁, 强制拆除 …), the number of claimants, co-defendants, the
//! defendant units' earlier losses in the same domain, obligations already missed on the case, a
//! reconsideration of the same dispute that was already corrected. Factors and weights are
//! configuration (setting `risk_rules:{j}`); the score names every factor that counted and
//! suggests a grade. It never sets one: a person sends the warning.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid};
use crate::warning::Grade;

/// Points from a number of claimants up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub min: i64,
    pub points: u32,
}

/// The factors and weights (shipped defaults below; the bureau changes them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RiskRules {
    /// Domain code (领域) → points.
    pub domains: BTreeMap<String, u32>,
    /// Act type code (被诉行为类型) → points.
    pub act_types: BTreeMap<String, u32>,
    /// Claimant tiers: the highest tier reached counts.
    pub claimants: Vec<Tier>,
    /// More than one defendant (共同被告).
    pub co_defendants: u32,
    /// Per loss of a defendant unit in the same domain in the last `earlier_loss_years` years,
    /// up to `earlier_loss_cap`.
    pub per_earlier_loss: u32,
    pub earlier_loss_cap: u32,
    pub earlier_loss_years: i64,
    /// Per obligation on the case already overdue, up to `missed_cap`.
    pub per_missed_obligation: u32,
    pub missed_cap: u32,
    /// A reconsideration of the same dispute already corrected the act (复议已纠错).
    pub reconsideration_corrected: u32,
    /// Score from which a grade is suggested.
    pub red_from: u32,
    pub yellow_from: u32,
    pub blue_from: u32,
}

impl Default for RiskRules {
    fn default() -> Self {
        RiskRules {
            domains: [("expropriation".to_string(), 25)].into_iter().collect(),
            act_types: [
                ("forced_demolition".to_string(), 25),
                ("expropriation_decision".to_string(), 15),
            ]
            .into_iter()
            .collect(),
            claimants: vec![
                Tier {
                    min: 10,
                    points: 10,
                },
                Tier {
                    min: 50,
                    points: 25,
                },
            ],
            co_defendants: 10,
            per_earlier_loss: 10,
            earlier_loss_cap: 30,
            earlier_loss_years: 3,
            per_missed_obligation: 10,
            missed_cap: 20,
            reconsideration_corrected: 20,
            red_from: 60,
            yellow_from: 35,
            blue_from: 15,
        }
    }
}

impl RiskRules {
    /// Checks the rules; every problem named.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut inv = Invalid::default();
        let all_points = self
            .domains
            .values()
            .chain(self.act_types.values())
            .chain(self.claimants.iter().map(|t| &t.points))
            .chain([
                &self.co_defendants,
                &self.per_earlier_loss,
                &self.earlier_loss_cap,
                &self.per_missed_obligation,
                &self.missed_cap,
                &self.reconsideration_corrected,
            ]);
        if all_points.into_iter().any(|p| *p > 100) {
            inv.push(FieldError::new(
                "rules",
                "out_of_range",
                "每项分值应在0至100之间",
            ));
        }
        if self.claimants.iter().any(|t| t.min < 1) {
            inv.push(FieldError::new(
                "rules",
                "out_of_range",
                "原告人数档次应从1人起",
            ));
        }
        if !(1..=20).contains(&self.earlier_loss_years) {
            inv.push(FieldError::new(
                "rules",
                "out_of_range",
                "既往败诉的统计年限应为1至20年",
            ));
        }
        if !(self.red_from > self.yellow_from
            && self.yellow_from > self.blue_from
            && self.blue_from > 0)
        {
            inv.push(FieldError::new(
                "rules",
                "thresholds",
                "建议等级的分数线应为 红色 > 黄色 > 蓝色 > 0",
            ));
        }
        if self.domains.keys().chain(self.act_types.keys()).any(|k| {
            k.is_empty()
                || k.len() > 40
                || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }) {
            inv.push(FieldError::new(
                "rules",
                "unknown_code",
                "领域和行为类型应填写代码表中的代码",
            ));
        }
        inv.into_result(())
    }

    pub fn grade_for(&self, score: u32) -> Option<Grade> {
        if score >= self.red_from {
            Some(Grade::Red)
        } else if score >= self.yellow_from {
            Some(Grade::Yellow)
        } else if score >= self.blue_from {
            Some(Grade::Blue)
        } else {
            None
        }
    }
}

/// The rules as typed on 风险评分 (text areas of `代码:分值` lines and numbers).
#[derive(Debug, Clone, Default)]
pub struct RulesForm {
    pub domains: String,
    pub act_types: String,
    pub claimants: String,
    pub co_defendants: String,
    pub per_earlier_loss: String,
    pub earlier_loss_cap: String,
    pub earlier_loss_years: String,
    pub per_missed_obligation: String,
    pub missed_cap: String,
    pub reconsideration_corrected: String,
    pub red_from: String,
    pub yellow_from: String,
    pub blue_from: String,
}

/// `key:points` lines (a full-width colon too); blank lines skipped; every bad line named.
fn pairs(field: &str, label: &str, text: &str, inv: &mut Invalid) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line
            .split_once([':', '：'])
            .and_then(|(k, v)| Some((k.trim().to_string(), v.trim().parse::<u32>().ok()?)));
        match parsed {
            Some((k, v)) if !k.is_empty() => out.push((k, v)),
            _ => inv.push(FieldError::new(
                field,
                "invalid_line",
                format!(
                    "{label}第{}行“{}”应为“代码:分值”，分值为整数",
                    n + 1,
                    line.chars().take(40).collect::<String>()
                ),
            )),
        }
    }
    out
}

fn number(field: &str, label: &str, text: &str, inv: &mut Invalid) -> u32 {
    match text.trim().parse::<u32>() {
        Ok(v) => v,
        Err(_) => {
            inv.push(FieldError::new(
                field,
                "not_a_number",
                format!(
                    "{label}“{}”应为整数",
                    text.trim().chars().take(20).collect::<String>()
                ),
            ));
            0
        }
    }
}

impl RulesForm {
    /// The form of the given rules.
    pub fn of(r: &RiskRules) -> RulesForm {
        let lines = |m: &BTreeMap<String, u32>| {
            m.iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        RulesForm {
            domains: lines(&r.domains),
            act_types: lines(&r.act_types),
            claimants: r
                .claimants
                .iter()
                .map(|t| format!("{}:{}", t.min, t.points))
                .collect::<Vec<_>>()
                .join("\n"),
            co_defendants: r.co_defendants.to_string(),
            per_earlier_loss: r.per_earlier_loss.to_string(),
            earlier_loss_cap: r.earlier_loss_cap.to_string(),
            earlier_loss_years: r.earlier_loss_years.to_string(),
            per_missed_obligation: r.per_missed_obligation.to_string(),
            missed_cap: r.missed_cap.to_string(),
            reconsideration_corrected: r.reconsideration_corrected.to_string(),
            red_from: r.red_from.to_string(),
            yellow_from: r.yellow_from.to_string(),
            blue_from: r.blue_from.to_string(),
        }
    }

    /// The rules typed, checked; every problem named at once.
    pub fn parse(&self) -> Result<RiskRules, Invalid> {
        let mut inv = Invalid::default();
        let domains = pairs("domains", "领域分值", &self.domains, &mut inv);
        let act_types = pairs("act_types", "被诉行为类型分值", &self.act_types, &mut inv);
        let mut claimants = Vec::new();
        for (k, points) in pairs("claimants", "原告人数档次", &self.claimants, &mut inv) {
            match k.parse::<i64>() {
                Ok(min) => claimants.push(Tier { min, points }),
                Err(_) => inv.push(FieldError::new(
                    "claimants",
                    "invalid_line",
                    format!("原告人数档次“{k}”应为人数"),
                )),
            }
        }
        let r = RiskRules {
            domains: domains.into_iter().collect(),
            act_types: act_types.into_iter().collect(),
            claimants,
            co_defendants: number(
                "co_defendants",
                "共同被告分值",
                &self.co_defendants,
                &mut inv,
            ),
            per_earlier_loss: number(
                "per_earlier_loss",
                "每件既往败诉分值",
                &self.per_earlier_loss,
                &mut inv,
            ),
            earlier_loss_cap: number(
                "earlier_loss_cap",
                "既往败诉最高分值",
                &self.earlier_loss_cap,
                &mut inv,
            ),
            earlier_loss_years: i64::from(number(
                "earlier_loss_years",
                "既往败诉统计年限",
                &self.earlier_loss_years,
                &mut inv,
            )),
            per_missed_obligation: number(
                "per_missed_obligation",
                "每项逾期义务分值",
                &self.per_missed_obligation,
                &mut inv,
            ),
            missed_cap: number("missed_cap", "逾期义务最高分值", &self.missed_cap, &mut inv),
            reconsideration_corrected: number(
                "reconsideration_corrected",
                "复议已纠错分值",
                &self.reconsideration_corrected,
                &mut inv,
            ),
            red_from: number("red_from", "红色分数线", &self.red_from, &mut inv),
            yellow_from: number("yellow_from", "黄色分数线", &self.yellow_from, &mut inv),
            blue_from: number("blue_from", "蓝色分数线", &self.blue_from, &mut inv),
        };
        if inv.is_empty()
            && let Err(e) = r.validate()
        {
            inv.extend(e);
        }
        inv.into_result(r)
    }
}

/// What the data says about one pending case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RiskFacts {
    pub domain: String,
    pub domain_label: String,
    pub act_type: Option<String>,
    pub act_label: Option<String>,
    pub claimant_count: i64,
    pub defendants: i64,
    /// Losses of the defendant units in the same domain within the rules' years.
    pub earlier_losses: u64,
    /// Obligations on the case past their date and not met.
    pub missed: u64,
    pub reconsideration_corrected: bool,
}

/// One factor that counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskFactor {
    pub label: String,
    pub points: u32,
}

/// A case's score, the grade it suggests (if any) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskScore {
    pub score: u32,
    pub suggested: Option<Grade>,
    pub suggested_label: Option<String>,
    pub factors: Vec<RiskFactor>,
}

impl RiskScore {
    /// The factors as one sentence, e.g. for a warning's reasons.
    pub fn reasons(&self) -> String {
        self.factors
            .iter()
            .map(|f| f.label.clone())
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// A pending case with its score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskSuggestion {
    pub proceeding_id: i64,
    pub case_label: String,
    pub kind_label: String,
    /// The defendant units' names.
    pub units: Vec<String>,
    pub risk: RiskScore,
    /// The grade of the case's open warning, if it has one.
    pub open_warning: Option<Grade>,
    pub open_warning_label: Option<String>,
}

/// Scores a case.
pub fn score(rules: &RiskRules, f: &RiskFacts) -> RiskScore {
    let mut factors = Vec::new();
    let mut add = |label: String, points: u32| {
        if points > 0 {
            factors.push(RiskFactor { label, points });
        }
    };
    if let Some(p) = rules.domains.get(&f.domain) {
        add(format!("领域为{}", f.domain_label), *p);
    }
    if let Some(a) = &f.act_type
        && let Some(p) = rules.act_types.get(a)
    {
        add(
            format!(
                "被诉行为为{}",
                f.act_label.clone().unwrap_or_else(|| a.clone())
            ),
            *p,
        );
    }
    if let Some(t) = rules
        .claimants
        .iter()
        .filter(|t| f.claimant_count >= t.min)
        .max_by_key(|t| t.min)
    {
        add(
            format!("原告{}人（{}人以上）", f.claimant_count, t.min),
            t.points,
        );
    }
    if f.defendants > 1 {
        add(format!("共同被告{}个", f.defendants), rules.co_defendants);
    }
    if f.earlier_losses > 0 {
        add(
            format!(
                "被告单位近{}年在该领域败诉{}件",
                rules.earlier_loss_years, f.earlier_losses
            ),
            (rules
                .per_earlier_loss
                .saturating_mul(f.earlier_losses as u32))
            .min(rules.earlier_loss_cap),
        );
    }
    if f.missed > 0 {
        add(
            format!("本案已有{}项义务逾期", f.missed),
            (rules.per_missed_obligation.saturating_mul(f.missed as u32)).min(rules.missed_cap),
        );
    }
    if f.reconsideration_corrected {
        add(
            "同一争议的行政复议已纠错".to_string(),
            rules.reconsideration_corrected,
        );
    }
    let score = factors.iter().map(|x| x.points).sum();
    let suggested = rules.grade_for(score);
    RiskScore {
        score,
        suggested,
        suggested_label: suggested.map(|g| g.label().to_string()),
        factors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_factor_explains_its_points() {
        let rules = RiskRules::default();
        rules.validate().unwrap();
        let f = RiskFacts {
            domain: "expropriation".into(),
            domain_label: "征收拆迁".into(),
            act_type: Some("forced_demolition".into()),
            act_label: Some("强制拆除".into()),
            claimant_count: 56,
            defendants: 2,
            earlier_losses: 5,
            missed: 1,
            reconsideration_corrected: false,
        };
        let s = score(&rules, &f);
        let labels: Vec<(&str, u32)> = s
            .factors
            .iter()
            .map(|x| (x.label.as_str(), x.points))
            .collect();
        assert_eq!(
            labels,
            [
                ("领域为征收拆迁", 25),
                ("被诉行为为强制拆除", 25),
                ("原告56人（50人以上）", 25),
                ("共同被告2个", 10),
                ("被告单位近3年在该领域败诉5件", 30),
                ("本案已有1项义务逾期", 10),
            ]
        );
        assert_eq!((s.score, s.suggested), (125, Some(Grade::Red)));
        let quiet = score(
            &rules,
            &RiskFacts {
                domain: "other".into(),
                claimant_count: 1,
                defendants: 1,
                ..Default::default()
            },
        );
        assert_eq!(
            (quiet.score, quiet.suggested, quiet.factors.len()),
            (0, None, 0)
        );
        let some = score(
            &rules,
            &RiskFacts {
                domain: "other".into(),
                claimant_count: 12,
                defendants: 1,
                reconsideration_corrected: true,
                ..Default::default()
            },
        );
        assert_eq!((some.score, some.suggested), (30, Some(Grade::Blue)));
        assert_eq!(
            some.reasons(),
            "原告12人（10人以上）；同一争议的行政复议已纠错"
        );
    }

    #[test]
    fn the_form_round_trips_and_names_bad_lines() {
        let r = RiskRules::default();
        assert_eq!(RulesForm::of(&r).parse().unwrap(), r);
        let mut f = RulesForm::of(&r);
        f.domains = "expropriation：40\n\nplanning:x\n:5".into();
        f.red_from = "六十".into();
        let inv = f.parse().unwrap_err();
        let got: Vec<(&str, &str)> = inv
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("domains", "invalid_line"),
                ("domains", "invalid_line"),
                ("red_from", "not_a_number")
            ]
        );
        assert!(
            inv.0[0].message.contains("第3行“planning:x”"),
            "{}",
            inv.0[0].message
        );
        let mut f = RulesForm::of(&r);
        f.domains = "expropriation：40".into();
        assert_eq!(f.parse().unwrap().domains["expropriation"], 40);
    }

    proptest::proptest! {
        #[test]
        fn the_rules_form_never_panics(a in "\\PC{0,60}", b in "\\PC{0,12}") {
            let f = RulesForm {
                domains: a.clone(),
                act_types: a.clone(),
                claimants: a,
                co_defendants: b.clone(),
                red_from: b,
                ..RulesForm::of(&RiskRules::default())
            };
            let _ = f.parse();
        }
    }

    #[test]
    fn rules_are_checked() {
        let bad = RiskRules {
            red_from: 10,
            co_defendants: 500,
            earlier_loss_years: 0,
            ..RiskRules::default()
        };
        let inv = bad.validate().unwrap_err();
        let codes: Vec<&str> = inv.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["out_of_range", "out_of_range", "thresholds"]);
        let parsed: Result<RiskRules, _> =
            serde_json::from_str(r#"{"co_defendants": 5, "colour": 1}"#);
        assert!(parsed.is_err(), "unknown keys are refused");
        let parsed: RiskRules = serde_json::from_str(r#"{"co_defendants": 5}"#).unwrap();
        assert_eq!((parsed.co_defendants, parsed.red_from), (5, 60));
    }
}
