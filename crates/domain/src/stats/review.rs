//! The half-year review (半年度报告) the bureau owes the county government (source 004,
//! 二(五)2): besides the figure set, how units kept their filing deadlines, the cases with a
//! loss-risk warning and how they ended, the losses and the reports that must follow them, and
//! the hearings no head attended.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::outcome::OutcomeCode;

/// How the deadlines of one rule that fell due in the period were kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTally {
    pub rule_id: String,
    pub name: String,
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    /// Still open after the due date (as of the report date).
    pub overdue: u64,
    pub waived: u64,
}

impl RuleTally {
    /// Kept on time among those that could be judged (waived ones excluded), in percent.
    pub fn on_time_rate(&self) -> Option<f64> {
        let judged = self.on_time + self.late + self.overdue;
        (judged > 0).then(|| self.on_time as f64 * 100.0 / judged as f64)
    }
}

/// The county and the bureau a document is issued in the name of.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuer {
    /// The county (district), e.g. 象山县.
    pub area: String,
    /// The issuing bureau, e.g. 象山县司法局.
    pub organ: String,
    /// Whether the county has townships (乡镇、街道) and departments, for the addressee line.
    pub has_townships: bool,
    pub has_departments: bool,
}

impl Issuer {
    /// "全县", "全区", "全市" after the last character of the area's name.
    pub fn whole(&self) -> String {
        match self.area.chars().last() {
            Some(c @ ('区' | '市' | '旗')) => format!("全{c}"),
            _ => "全县".into(),
        }
    }

    /// The addressee line (主送机关) of a circular to the units.
    pub fn addressee(&self) -> String {
        let level = match self.area.chars().last() {
            Some('区') => "区",
            Some('市') => "市",
            _ => "县",
        };
        match (self.has_townships, self.has_departments) {
            (true, true) => format!("各乡镇人民政府、街道办事处，{level}级各部门、各单位："),
            (true, false) => "各乡镇人民政府、街道办事处：".into(),
            (false, true) => format!("{level}级各部门、各单位："),
            (false, false) => "各有关单位：".into(),
        }
    }
}

/// One case line of a list in the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub proceeding_id: i64,
    pub case_no: String,
    /// The defendant unit(s).
    pub units: String,
    /// The date the line is about (warning received, decision, hearing).
    pub date: Date,
    /// Where it stands, in words.
    pub state: String,
    /// The outcome, when decided.
    pub outcome: Option<OutcomeCode>,
}

/// Everything the half-year review lists besides the figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDetail {
    pub deadlines: Vec<RuleTally>,
    pub risk_cases: Vec<CaseLine>,
    pub losses: Vec<CaseLine>,
    pub absences: Vec<CaseLine>,
}

/// The state of a deadline in words, as of `today`.
pub fn deadline_state(
    name: &str,
    due_on: Date,
    met_on: Option<Date>,
    waived: bool,
    today: Date,
) -> String {
    match (met_on, waived) {
        (_, true) => format!("{name}：已豁免"),
        (Some(m), _) if m <= due_on => format!("{name}：已按期完成"),
        (Some(m), _) => format!("{name}：逾期完成（{m}，期限{due_on}）"),
        (None, _) if due_on < today => format!("{name}：逾期未完成（期限{due_on}）"),
        (None, _) => format!("{name}：未到期（期限{due_on}）"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn states_and_rates() {
        let due = date(2026, 3, 10);
        let today = date(2026, 7, 1);
        assert_eq!(
            deadline_state("备案", due, Some(due), false, today),
            "备案：已按期完成"
        );
        assert!(
            deadline_state("备案", due, Some(date(2026, 3, 11)), false, today).contains("逾期完成")
        );
        assert!(deadline_state("备案", due, None, false, today).contains("逾期未完成"));
        assert!(deadline_state("备案", date(2026, 8, 1), None, false, today).contains("未到期"));
        assert!(deadline_state("备案", due, None, true, today).contains("豁免"));
        let t = RuleTally {
            on_time: 3,
            late: 1,
            waived: 5,
            ..Default::default()
        };
        assert_eq!(t.on_time_rate(), Some(75.0));
        assert_eq!(RuleTally::default().on_time_rate(), None);
        let mut i = Issuer {
            area: "象山县".into(),
            organ: "象山县司法局".into(),
            has_townships: true,
            has_departments: true,
        };
        assert_eq!(i.whole(), "全县");
        assert_eq!(
            i.addressee(),
            "各乡镇人民政府、街道办事处，县级各部门、各单位："
        );
        i.area = "观山湖区".into();
        i.has_townships = false;
        assert_eq!(
            (i.whole().as_str(), i.addressee().as_str()),
            ("全区", "区级各部门、各单位：")
        );
    }
}
