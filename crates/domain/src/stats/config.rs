//! Statistics definitions (统计口径) and assessment rules (考核规则): configuration with a
//! shipped default (`statistics.toml`, following LEGAL-RULES §7), edited as TOML.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid};
use crate::outcome::{LossRule, OutcomeCode};
use crate::proceeding::ProceedingKind;

/// The shipped default configuration.
pub const DEFAULT_TOML: &str = include_str!("statistics.toml");

/// Which date puts a proceeding into a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    /// 收案日期 in the period.
    Received,
    /// 审结 in the period.
    Concluded,
    /// First hearing (开庭) in the period.
    Heard,
}

impl Base {
    pub fn label(self) -> &'static str {
        match self {
            Base::Received => "期内收案",
            Base::Concluded => "期内审结",
            Base::Heard => "期内开庭审理",
        }
    }
}

/// One side of a figure: a base date and optional conditions on the proceeding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    pub base: Base,
    /// The outcome counts as a loss under the loss rule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub loss: bool,
    /// The outcome is one of these codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<OutcomeCode>,
    /// A 负责人 of the defendant unit appeared at a hearing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub head_appeared: bool,
    /// A 负责人 of the defendant unit appeared and spoke (出声) at a hearing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub head_spoke: bool,
}

impl Selector {
    /// Chinese description, e.g. "期内审结且结果计为败诉的案件数".
    pub fn describe(&self) -> String {
        let mut conds = Vec::new();
        if self.loss {
            conds.push("结果计为败诉".to_string());
        }
        if !self.outcomes.is_empty() {
            let l: Vec<&str> = self.outcomes.iter().map(|o| o.label()).collect();
            conds.push(format!("结果为{}", l.join("、")));
        }
        if self.head_appeared {
            conds.push("负责人出庭".to_string());
        }
        if self.head_spoke {
            conds.push("出庭负责人当庭发言".to_string());
        }
        if conds.is_empty() {
            format!("{}案件数", self.base.label())
        } else {
            format!("{}且{}的案件数", self.base.label(), conds.join("且"))
        }
    }
}

/// An indicator: a count (numerator only) or a rate (numerator ÷ denominator, in percent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDef {
    pub id: String,
    pub label: String,
    pub kinds: Vec<ProceedingKind>,
    pub numerator: Selector,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Selector>,
}

impl IndicatorDef {
    pub fn is_rate(&self) -> bool {
        self.denominator.is_some()
    }

    /// The formula shown beside every figure.
    pub fn formula(&self, loss: &LossRule) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.label()).collect();
        let mut f = match &self.denominator {
            None => format!(
                "{} = {}（{}）",
                self.label,
                self.numerator.describe(),
                kinds.join("、")
            ),
            Some(d) => format!(
                "{} = {} ÷ {} × 100%（{}）",
                self.label,
                self.numerator.describe(),
                d.describe(),
                kinds.join("、")
            ),
        };
        if self.numerator.loss || self.denominator.as_ref().is_some_and(|d| d.loss) {
            let l: Vec<&str> = loss.loss_outcomes.iter().map(|o| o.label()).collect();
            f.push_str(&format!("；计为败诉的结果：{}", l.join("、")));
        }
        f
    }
}

/// What follows a number of losses in one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub losses: u32,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub min_score: f64,
    pub label: String,
}

fn default_loss_indicator() -> String {
    "loss_rate".into()
}

fn default_appearance_indicator() -> String {
    "appearance_rate".into()
}

/// 考核 rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRules {
    /// 败诉率 threshold in percent.
    pub loss_rate_threshold: f64,
    /// Per-unit thresholds (unit id → percent).
    #[serde(default)]
    pub unit_thresholds: BTreeMap<String, f64>,
    pub excellent_barred_top: u32,
    /// The rate indicator whose numerator counts losses and whose rate is ranked.
    #[serde(default = "default_loss_indicator")]
    pub loss_indicator: String,
    /// The rate indicator whose denominator minus numerator counts non-appearances.
    #[serde(default = "default_appearance_indicator")]
    pub appearance_indicator: String,
    pub start_score: f64,
    pub deduct_per_loss: f64,
    pub deduct_per_non_appearance: f64,
    pub deduct_per_late_filing: f64,
    pub deduct_per_late_report: f64,
    /// Per hearing where the 正职 was required and another head appeared (0 when absent from
    /// an older configuration: a stored configuration keeps its scores).
    #[serde(default)]
    pub deduct_per_not_principal: f64,
    /// Per hearing where only lawyers appeared for the unit, on top of the non-appearance.
    #[serde(default)]
    pub deduct_per_lawyer_only: f64,
    #[serde(default)]
    pub filing_rules: Vec<String>,
    #[serde(default)]
    pub report_rules: Vec<String>,
    #[serde(default)]
    pub escalation: Vec<Escalation>,
    #[serde(default)]
    pub grade: Vec<Grade>,
}

impl AssessmentRules {
    pub fn threshold_for(&self, unit_id: i64) -> f64 {
        self.unit_thresholds
            .get(&unit_id.to_string())
            .copied()
            .unwrap_or(self.loss_rate_threshold)
    }

    /// The action for `losses` losses in a year (the highest step reached).
    pub fn escalation_for(&self, losses: u64) -> Option<&Escalation> {
        self.escalation
            .iter()
            .filter(|e| losses >= u64::from(e.losses))
            .max_by_key(|e| e.losses)
    }

    pub fn grade_for(&self, score: f64) -> &str {
        self.grade
            .iter()
            .filter(|g| score >= g.min_score)
            .max_by(|a, b| a.min_score.total_cmp(&b.min_score))
            .map(|g| g.label.as_str())
            .unwrap_or("")
    }

    /// The best grade label (rated "excellent").
    pub fn top_grade(&self) -> Option<&str> {
        self.grade
            .iter()
            .max_by(|a, b| a.min_score.total_cmp(&b.min_score))
            .map(|g| g.label.as_str())
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsConfig {
    pub indicator: Vec<IndicatorDef>,
    pub assessment: AssessmentRules,
}

impl Default for StatsConfig {
    fn default() -> Self {
        StatsConfig::parse(DEFAULT_TOML).expect("the shipped statistics.toml is valid")
    }
}

fn err(msg: String) -> FieldError {
    FieldError::new("toml", "invalid_stats_config", msg)
}

impl StatsConfig {
    /// Parses and checks a configuration; every problem is reported in Chinese.
    pub fn parse(text: &str) -> Result<StatsConfig, Invalid> {
        let cfg: StatsConfig = toml::from_str(text).map_err(|e| {
            Invalid::one(err(format!(
                "统计口径配置无法解析：{}",
                e.to_string().trim()
            )))
        })?;
        let mut inv = Invalid::default();
        let mut ids = BTreeSet::new();
        if cfg.indicator.is_empty() {
            inv.push(err("至少需要一个指标（[[indicator]]）".into()));
        }
        for (i, d) in cfg.indicator.iter().enumerate() {
            let n = i + 1;
            let id_ok = !d.id.is_empty()
                && d.id.len() <= 40
                && d.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !id_ok {
                inv.push(err(format!(
                    "第{n}个指标的 id“{}”无效：只能用小写字母、数字和下划线",
                    d.id
                )));
            } else if !ids.insert(d.id.clone()) {
                inv.push(err(format!("指标 id“{}”重复", d.id)));
            }
            if d.label.trim().is_empty() || d.label.chars().count() > 40 {
                inv.push(err(format!(
                    "指标“{}”的名称（label）不能为空且不超过40字",
                    d.id
                )));
            }
            if d.kinds.is_empty() {
                inv.push(err(format!("指标“{}”至少要统计一种程序（kinds）", d.label)));
            }
            for s in std::iter::once(&d.numerator).chain(d.denominator.iter()) {
                for o in &s.outcomes {
                    if !d.kinds.iter().any(|k| o.applies_to(*k)) {
                        inv.push(err(format!(
                            "指标“{}”的结果“{}”不适用于所统计的程序",
                            d.label,
                            o.label()
                        )));
                    }
                }
            }
        }
        let a = &cfg.assessment;
        for (key, id) in [
            ("loss_indicator", &a.loss_indicator),
            ("appearance_indicator", &a.appearance_indicator),
        ] {
            if !cfg.indicator.iter().any(|d| &d.id == id && d.is_rate()) {
                inv.push(err(format!(
                    "考核规则的 {key} = “{id}” 应指向一个比率指标（有 denominator 的 [[indicator]]）"
                )));
            }
        }
        if !(0.0..=100.0).contains(&a.loss_rate_threshold) {
            inv.push(err("败诉率阈值（loss_rate_threshold）应在0到100之间".into()));
        }
        for (k, v) in &a.unit_thresholds {
            if k.parse::<i64>().is_err() || !(0.0..=100.0).contains(v) {
                inv.push(err(format!(
                    "单位阈值“{k} = {v}”无效：键应为单位编号，值应在0到100之间"
                )));
            }
        }
        for (name, v) in [
            ("start_score", a.start_score),
            ("deduct_per_loss", a.deduct_per_loss),
            ("deduct_per_non_appearance", a.deduct_per_non_appearance),
            ("deduct_per_late_filing", a.deduct_per_late_filing),
            ("deduct_per_late_report", a.deduct_per_late_report),
        ] {
            if !(0.0..=1000.0).contains(&v) {
                inv.push(err(format!("{name} 应在0到1000之间")));
            }
        }
        let mut steps = BTreeSet::new();
        for e in &a.escalation {
            if e.losses == 0 || e.action.trim().is_empty() || !steps.insert(e.losses) {
                inv.push(err(format!(
                    "约谈规则“{} 件 → {}”无效：件数应大于0且不重复，处理方式不能为空",
                    e.losses, e.action
                )));
            }
        }
        for g in &a.grade {
            if g.label.trim().is_empty() {
                inv.push(err("考核等次的名称不能为空".into()));
            }
        }
        inv.into_result(cfg)
    }

    pub fn indicator(&self, id: &str) -> Option<&IndicatorDef> {
        self.indicator.iter().find(|d| d.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_default_parses() {
        let c = StatsConfig::default();
        assert!(c.indicator("loss_rate").unwrap().is_rate());
        assert!(!c.indicator("suits_received").unwrap().is_rate());
        assert_eq!(c.assessment.loss_rate_threshold, 8.0);
        assert_eq!(
            c.assessment.escalation_for(2).unwrap().action,
            "由分管副县长约谈单位主要负责人"
        );
        assert_eq!(
            c.assessment.escalation_for(7).unwrap().action,
            "提交县政府常务会议研究"
        );
        assert!(c.assessment.escalation_for(1).is_none());
        assert_eq!(c.assessment.grade_for(95.0), "优秀");
        assert_eq!(c.assessment.grade_for(60.0), "合格");
        assert_eq!(c.assessment.top_grade(), Some("优秀"));
    }

    #[test]
    fn formula_names_both_sides() {
        let c = StatsConfig::default();
        let f = c
            .indicator("loss_rate")
            .unwrap()
            .formula(&LossRule::default());
        assert!(
            f.starts_with("败诉率 = 期内审结且结果计为败诉的案件数 ÷ 期内审结案件数"),
            "{f}"
        );
        assert!(f.contains("判决撤销"), "{f}");
        let f = c
            .indicator("resolution_rate")
            .unwrap()
            .formula(&LossRule::default());
        assert!(f.contains("结果为复议调解、和解后撤回申请"), "{f}");
    }

    #[test]
    fn bad_configs_are_explained() {
        let e = StatsConfig::parse("indicator = 3").unwrap_err();
        assert!(e.0[0].message.starts_with("统计口径配置无法解析"));
        let text = DEFAULT_TOML
            .replace("id = \"loss_rate\"", "id = \"losses\"")
            .replace("loss_rate_threshold = 8.0", "loss_rate_threshold = 180.0")
            .replace(
                "outcomes = [\"recon_mediation\", \"recon_settlement\"]",
                "outcomes = [\"revoke\"]",
            );
        let msgs: Vec<String> = StatsConfig::parse(&text)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.message)
            .collect();
        assert!(msgs.iter().any(|m| m == "指标 id“losses”重复"), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("不适用于所统计的程序")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("阈值")), "{msgs:?}");
        let e = StatsConfig::parse(&DEFAULT_TOML.replace("base = \"heard\"", "base = \"later\""))
            .unwrap_err();
        assert!(e.0[0].message.contains("later"), "{:?}", e.0);
    }
}
