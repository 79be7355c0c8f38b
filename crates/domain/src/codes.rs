//! Configurable code lists (领域, act type) with the defaults an installation ships with.

use serde::Deserialize;

use crate::error::{FieldError, Invalid, text};
use crate::unit::labelled_enum;

labelled_enum!(
    /// The configurable lists.
    CodeList {
        Domain = "domain", "领域";
        ActType = "act_type", "行为类型";
    } "代码表"
);

impl CodeList {
    /// Shipped defaults `(code, label)`, in display order.
    pub fn defaults(self) -> &'static [(&'static str, &'static str)] {
        match self {
            CodeList::Domain => &[
                ("expropriation", "征收拆迁"),
                ("resettlement", "安置补偿"),
                ("penalty", "行政处罚"),
                ("coercion", "行政强制"),
                ("licensing", "行政许可"),
                ("info_disclosure", "信息公开"),
                ("work_injury", "工伤认定"),
                ("nonperformance", "不履行法定职责"),
                ("registration", "行政登记"),
                ("agreement", "行政协议"),
                ("land_resources", "土地资源"),
                ("social_security", "社会保障"),
                ("market_regulation", "市场监管"),
                ("other", "其他"),
            ],
            CodeList::ActType => &[
                ("penalty_decision", "行政处罚决定"),
                ("expropriation_decision", "征收决定"),
                ("compensation_decision", "补偿决定"),
                ("forced_demolition", "强制拆除"),
                ("coercive_measure", "行政强制措施"),
                ("license_decision", "行政许可决定"),
                ("disclosure_reply", "信息公开答复"),
                ("injury_decision", "工伤认定决定"),
                ("inaction", "不作为"),
                ("registration_act", "登记行为"),
                ("agreement_act", "协议行为"),
                ("confirmation", "行政确认"),
                ("other_act", "其他行政行为"),
            ],
        }
    }
}

/// A new entry of a code list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInput {
    /// Version read before changing an existing entry; `None` to add a new one.
    pub version: Option<i64>,
    pub code: String,
    pub label: String,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeDraft {
    /// Version read before changing an existing entry (required then); absent when adding.
    pub version: Option<i64>,
    /// 1–40 characters of `a-z 0-9 _`.
    pub code: Option<String>,
    pub label: Option<String>,
    pub active: Option<bool>,
}

impl CodeDraft {
    pub fn validate(&self) -> Result<CodeInput, Invalid> {
        let mut inv = Invalid::default();
        let code = self.code.as_deref().map(str::trim).unwrap_or("");
        if code.is_empty() {
            inv.push(FieldError::required("code", "代码"));
        } else if code.len() > 40
            || !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            inv.push(FieldError::new(
                "code",
                "invalid_code",
                "代码须为1至40位小写字母、数字或下划线",
            ));
        }
        let label = text("label", "名称", self.label.as_deref().unwrap_or(""), 40)
            .map_err(|e| inv.push(e))
            .ok();
        match label {
            Some(label) if inv.is_empty() => Ok(CodeInput {
                version: self.version,
                code: code.to_string(),
                label,
                active: self.active.unwrap_or(true),
            }),
            _ => Err(inv),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_unique_and_valid() {
        for list in CodeList::ALL {
            let d = list.defaults();
            let mut codes: Vec<_> = d.iter().map(|(c, _)| *c).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), d.len());
            for (c, l) in d {
                CodeDraft {
                    version: None,
                    code: Some((*c).into()),
                    label: Some((*l).into()),
                    active: None,
                }
                .validate()
                .unwrap();
            }
        }
        assert_eq!(CodeList::Domain.defaults()[0].1, "征收拆迁");
    }

    #[test]
    fn bad_codes() {
        let inv = CodeDraft {
            version: None,
            code: Some("Bad Code".into()),
            label: None,
            active: None,
        }
        .validate()
        .unwrap_err();
        assert_eq!(inv.0.len(), 2);
        assert_eq!(inv.0[0].code, "invalid_code");
    }
}
