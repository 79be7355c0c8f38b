//! The court-appearance duty (负责人出庭应诉) as rules: who must appear for a defendant unit at a
//! hearing (LEGAL-RULES §2.1, 出庭规定, source 004), and what was wrong with an appearance once
//! it is recorded. Pure: the store supplies the case's facts and the recorded appearances.
//!
//! Defaults: a head (正职 or 副职/分管) for every hearing, never a lawyer alone; the 正职 when
//! the case has 50 or more claimants, concerns a major public interest, draws high public
//! attention, risks a mass incident, carries a risk warning, or the court or the bureau asked
//! for it in writing; the 分管副县长 when the county government is the defendant.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid, text};
use crate::hearing::AppearanceLevel;
use crate::unit::{HeadKind, UnitKind, labelled_enum};

labelled_enum!(
    /// Circumstances of a case that call for the 正职 (recorded on the case by the bureau).
    CaseFlag {
        MajorPublicInterest = "major_public_interest", "涉及重大公共利益";
        HighAttention = "high_attention", "社会高度关注";
        MassIncidentRisk = "mass_incident_risk", "可能引发群体性事件";
        WrittenSuggestion = "written_suggestion", "法院或司法局书面建议正职出庭";
    } "案件情形"
);

labelled_enum!(
    /// Who is expected to appear for a defendant unit.
    Expected {
        Head = "head", "单位负责人（正职、副职或分管负责人）";
        Principal = "principal", "单位正职负责人";
        CountyDeputy = "county_deputy", "分管副县长";
    } "应出庭人员"
);

labelled_enum!(
    /// What was wrong with an appearance (flagged on the case, the bureau's list, the assessment).
    AppearanceProblem {
        HeadAbsent = "head_absent", "负责人未出庭";
        NotPrincipal = "not_principal", "应由正职出庭但正职未出庭";
        LawyerOnly = "lawyer_only", "仅委托律师出庭";
    } "出庭问题"
);

/// The jurisdiction's appearance rules (data; these are the shipped defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DutyRules {
    /// From this many claimants the 正职 must appear (0 = never by number).
    pub principal_claimants: i64,
    /// Case circumstances that call for the 正职.
    pub principal_flags: Vec<CaseFlag>,
    /// An open risk warning on the case calls for the 正职.
    pub principal_on_risk_warning: bool,
    /// The county government as defendant: the 分管副县长 appears.
    pub county_government_deputy: bool,
}

impl Default for DutyRules {
    fn default() -> Self {
        DutyRules {
            principal_claimants: 50,
            principal_flags: CaseFlag::ALL.to_vec(),
            principal_on_risk_warning: true,
            county_government_deputy: true,
        }
    }
}

impl DutyRules {
    pub fn from_json(s: &str) -> Result<DutyRules, Invalid> {
        let r: DutyRules = serde_json::from_str(s).map_err(|e| {
            FieldError::new("rules", "invalid_rules", format!("出庭规则无法读取：{e}"))
        })?;
        if !(0..=100_000).contains(&r.principal_claimants) {
            return Err(FieldError::new(
                "principal_claimants",
                "out_of_range",
                "正职出庭的原告人数应在 0 至 100000 之间",
            )
            .into());
        }
        Ok(r)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What the rules look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFacts {
    pub claimant_count: i64,
    pub flags: Vec<CaseFlag>,
    /// The case has an open red risk warning (红色风险预警), or an open risk-warning work item
    /// opened without a grade.
    pub risk_warning: bool,
    /// The defendant unit's kind.
    pub unit_kind: Option<UnitKind>,
}

/// Who must appear, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Requirement {
    pub expected: Expected,
    pub expected_label: String,
    /// The reasons in Chinese ("原告56人（50人以上）"); empty for the general duty.
    pub reasons: Vec<String>,
}

pub fn requirement(rules: &DutyRules, f: &CaseFacts) -> Requirement {
    let mut reasons = Vec::new();
    if rules.county_government_deputy && f.unit_kind == Some(UnitKind::CountyGovernment) {
        reasons.push("县政府为被告".to_string());
        return Requirement {
            expected: Expected::CountyDeputy,
            expected_label: Expected::CountyDeputy.label().into(),
            reasons,
        };
    }
    if rules.principal_claimants > 0 && f.claimant_count >= rules.principal_claimants {
        reasons.push(format!(
            "原告{}人（{}人以上）",
            f.claimant_count, rules.principal_claimants
        ));
    }
    for flag in &f.flags {
        if rules.principal_flags.contains(flag) {
            reasons.push(flag.label().to_string());
        }
    }
    if rules.principal_on_risk_warning && f.risk_warning {
        reasons.push("案件有红色风险预警".to_string());
    }
    let expected = if reasons.is_empty() {
        Expected::Head
    } else {
        Expected::Principal
    };
    Requirement {
        expected,
        expected_label: expected.label().into(),
        reasons,
    }
}

/// One recorded appearance line of the unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Appeared {
    pub level: AppearanceLevel,
    pub appeared: bool,
}

/// What was wrong with the unit's recorded appearance at one hearing (empty: nothing, or
/// nothing recorded yet — the caller knows whether the hearing has happened).
pub fn problems(req: &Requirement, lines: &[Appeared]) -> Vec<AppearanceProblem> {
    let present: Vec<_> = lines.iter().filter(|l| l.appeared).collect();
    let mut out = Vec::new();
    if !present.iter().any(|l| l.level.is_head()) {
        out.push(AppearanceProblem::HeadAbsent);
        if !present.is_empty() && present.iter().all(|l| l.level == AppearanceLevel::Lawyer) {
            out.push(AppearanceProblem::LawyerOnly);
        }
    } else if req.expected == Expected::Principal
        && !present
            .iter()
            .any(|l| l.level == AppearanceLevel::PrincipalHead)
    {
        out.push(AppearanceProblem::NotPrincipal);
    }
    out
}

/// A defendant unit's appearance plan for a hearing (出庭人员名单): the head who is to appear
/// and the agents.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppearancePlan {
    pub id: i64,
    pub hearing_id: i64,
    pub unit_id: i64,
    /// The head from the unit's heads, when chosen there.
    pub head_id: Option<i64>,
    pub head_name: String,
    pub head_post: String,
    pub head_kind: HeadKind,
    /// Agents (委托代理人), one per line ("李四 律师").
    pub agents: String,
    pub filed_by_name: String,
    pub version: i64,
    pub updated_at: String,
}

impl AppearancePlan {
    /// The plan in one line, as filed with the obligation 出庭人员名单备案.
    pub fn summary(&self) -> String {
        let agents: Vec<&str> = self
            .agents
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let mut s = format!(
            "{}（{}，{}）",
            self.head_name,
            self.head_post,
            self.head_kind.label()
        );
        if !agents.is_empty() {
            s.push_str(&format!("；委托代理人：{}", agents.join("、")));
        }
        s
    }
}

/// The plan form / API body: a head of the unit by id, or typed (e.g. the 分管副县长).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDraft {
    /// The plan's version when changing it; absent for a new plan.
    pub version: Option<i64>,
    /// One of the unit's heads (`GET /units/{id}/heads`).
    pub head_id: Option<i64>,
    /// Or the head typed: name, post and kind (principal, deputy, in_charge).
    pub head_name: Option<String>,
    pub head_post: Option<String>,
    pub head_kind: Option<String>,
    /// Agents, one per line.
    pub agents: Option<String>,
}

/// A validated plan: the head by id (to be looked up) or as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanInput {
    pub head: PlanHead,
    pub agents: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlanHead {
    Known(i64),
    Typed {
        name: String,
        post: String,
        kind: HeadKind,
    },
}

impl PlanDraft {
    pub fn validate(&self) -> Result<PlanInput, Invalid> {
        let mut inv = Invalid::default();
        let agents = crate::error::optional_multiline(
            "agents",
            "委托代理人",
            self.agents.as_deref().unwrap_or(""),
            500,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten()
        .unwrap_or_default();
        let typed = self
            .head_name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty());
        let head = match (self.head_id, typed) {
            (Some(id), _) => Some(PlanHead::Known(id)),
            (None, true) => {
                let name = text(
                    "head_name",
                    "出庭负责人姓名",
                    self.head_name.as_deref().unwrap_or(""),
                    50,
                )
                .map_err(|e| inv.push(e))
                .ok();
                let post = text(
                    "head_post",
                    "出庭负责人职务",
                    self.head_post.as_deref().unwrap_or(""),
                    50,
                )
                .map_err(|e| inv.push(e))
                .ok();
                let kind =
                    HeadKind::parse_field("head_kind", self.head_kind.as_deref().unwrap_or(""))
                        .map_err(|e| inv.push(e))
                        .ok();
                match (name, post, kind) {
                    (Some(name), Some(post), Some(kind)) => {
                        Some(PlanHead::Typed { name, post, kind })
                    }
                    _ => None,
                }
            }
            (None, false) => {
                inv.push(FieldError::new(
                    "head_id",
                    "required",
                    "请选择出庭的负责人（不能只委托律师出庭）",
                ));
                None
            }
        };
        match head {
            Some(head) if inv.is_empty() => Ok(PlanInput { head, agents }),
            _ => Err(inv),
        }
    }
}

/// One defendant unit at one hearing: who must appear, the plan, and what went wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HearingDuty {
    pub hearing_id: i64,
    pub proceeding_id: i64,
    pub case_label: String,
    /// Local time `YYYY-MM-DDTHH:MM:SS`.
    pub scheduled_at: String,
    pub place: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub requirement: Requirement,
    pub plan: Option<AppearancePlan>,
    /// An appearance of this unit is recorded for the hearing.
    pub recorded: bool,
    pub problems: Vec<AppearanceProblem>,
    pub problem_labels: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(level: AppearanceLevel, appeared: bool) -> Appeared {
        Appeared { level, appeared }
    }

    #[test]
    fn who_must_appear() {
        let r = DutyRules::default();
        let plain = requirement(
            &r,
            &CaseFacts {
                claimant_count: 3,
                ..Default::default()
            },
        );
        assert_eq!((plain.expected, plain.reasons.len()), (Expected::Head, 0));
        let group = requirement(
            &r,
            &CaseFacts {
                claimant_count: 56,
                ..Default::default()
            },
        );
        assert_eq!(group.expected, Expected::Principal);
        assert_eq!(group.reasons, vec!["原告56人（50人以上）".to_string()]);
        let flagged = requirement(
            &r,
            &CaseFacts {
                claimant_count: 1,
                flags: vec![CaseFlag::HighAttention],
                risk_warning: true,
                ..Default::default()
            },
        );
        assert_eq!(
            flagged.reasons,
            vec!["社会高度关注".to_string(), "案件有红色风险预警".to_string()]
        );
        let county = requirement(
            &r,
            &CaseFacts {
                claimant_count: 80,
                unit_kind: Some(UnitKind::CountyGovernment),
                ..Default::default()
            },
        );
        assert_eq!(county.expected, Expected::CountyDeputy);
        // A jurisdiction that sets the threshold at 30 and ignores attention.
        let local = DutyRules {
            principal_claimants: 30,
            principal_flags: vec![],
            ..DutyRules::default()
        };
        assert_eq!(
            requirement(
                &local,
                &CaseFacts {
                    claimant_count: 35,
                    ..Default::default()
                }
            )
            .expected,
            Expected::Principal
        );
        assert_eq!(
            requirement(
                &local,
                &CaseFacts {
                    claimant_count: 2,
                    flags: vec![CaseFlag::HighAttention],
                    ..Default::default()
                }
            )
            .expected,
            Expected::Head
        );
        assert_eq!(DutyRules::from_json(&r.to_json()).unwrap(), r);
    }

    #[test]
    fn a_plan_names_a_head() {
        let none = PlanDraft {
            agents: Some("李四 律师".into()),
            ..Default::default()
        };
        assert_eq!(none.validate().unwrap_err().0[0].code, "required");
        let typed = PlanDraft {
            head_name: Some("王副县长".into()),
            head_post: Some("副县长".into()),
            head_kind: Some("in_charge".into()),
            ..Default::default()
        };
        assert!(matches!(
            typed.validate().unwrap().head,
            PlanHead::Typed { .. }
        ));
        let bad = PlanDraft {
            head_name: Some("王".into()),
            head_kind: Some("boss".into()),
            ..Default::default()
        };
        let codes: Vec<_> = bad
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert!(
            codes.contains(&"required".to_string()) && codes.contains(&"unknown_value".to_string()),
            "{codes:?}"
        );
    }

    #[test]
    fn what_was_wrong() {
        use AppearanceLevel::*;
        let r = DutyRules::default();
        let group = requirement(
            &r,
            &CaseFacts {
                claimant_count: 56,
                ..Default::default()
            },
        );
        let plain = requirement(
            &r,
            &CaseFacts {
                claimant_count: 1,
                ..Default::default()
            },
        );
        // Only the lawyer came to a 56-claimant case.
        assert_eq!(
            problems(&group, &[line(Lawyer, true), line(PrincipalHead, false)]),
            vec![AppearanceProblem::HeadAbsent, AppearanceProblem::LawyerOnly]
        );
        // The deputy came where the 正职 was required.
        assert_eq!(
            problems(&group, &[line(DeputyHead, true), line(Lawyer, true)]),
            vec![AppearanceProblem::NotPrincipal]
        );
        assert!(problems(&group, &[line(PrincipalHead, true)]).is_empty());
        assert!(problems(&plain, &[line(DeputyHead, true)]).is_empty());
        assert_eq!(
            problems(&plain, &[line(Staff, true)]),
            vec![AppearanceProblem::HeadAbsent]
        );
        assert_eq!(problems(&plain, &[]), vec![AppearanceProblem::HeadAbsent]);
    }
}
