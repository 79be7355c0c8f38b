//! 督办单 (supervision orders) and leaders' 批示 (instructions). A supervision order is issued by
//! the bureau — on its own or on a leader's instruction — to one or more units about a case or a
//! problem; it is a work item of kind `supervision` (its units owe progress reports every half
//! month until 销号) with what makes it an order: a 文号 from a per-year sequence, whether it is
//! **挂牌督办** (listed: the unit's 一把手 包案 and a county leader following it), its basis.
//! Leaders write instructions on orders and warnings; that is all a leader writes.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid, optional_multiline};
use crate::subject::{SubjectKind, WorkItemDraft, WorkItemInput};

/// A supervision order as typed (`POST /api/v1/supervision-orders`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderDraft {
    /// What it is about, e.g. "关于某征收补偿案的督办单".
    pub title: Option<String>,
    /// The case it concerns, if any ("a case or a problem").
    pub proceeding_id: Option<i64>,
    #[serde(default)]
    pub unit_ids: Vec<i64>,
    /// `YYYY-MM-DD`; today when omitted.
    pub opened_on: Option<String>,
    /// What is to be done (督办事项及要求).
    pub note: Option<String>,
    /// 挂牌督办: the unit's 一把手 包案 (`lead_head_id`) and a county leader following it
    /// (`follower_id`).
    #[serde(default)]
    pub listed: bool,
    /// The 包案 head: one of the units' heads, their 正职 for a listed order.
    pub lead_head_id: Option<i64>,
    /// The county leader (a user with the 县领导 role) following a listed order.
    pub follower_id: Option<i64>,
    /// The leader's instruction this order carries out, if any.
    pub instruction_id: Option<i64>,
}

/// A validated order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderInput {
    pub item: WorkItemInput,
    pub listed: bool,
    pub lead_head_id: Option<i64>,
    pub follower_id: Option<i64>,
    pub instruction_id: Option<i64>,
}

impl OrderDraft {
    pub fn validate(&self, today: jiff::civil::Date) -> Result<OrderInput, Invalid> {
        let draft = WorkItemDraft {
            kind: Some(SubjectKind::Supervision.code().to_string()),
            title: self.title.clone(),
            proceeding_id: self.proceeding_id,
            unit_ids: self.unit_ids.clone(),
            opened_on: Some(
                self.opened_on
                    .clone()
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or_else(|| today.to_string()),
            ),
            note: self.note.clone(),
        };
        let mut inv = Invalid::default();
        let item = draft.validate(today).map_err(|e| inv.extend(e)).ok();
        if self.listed && self.lead_head_id.is_none() {
            inv.push(FieldError::new(
                "lead_head_id",
                "required",
                "挂牌督办须由承办单位主要负责人（一把手）包案",
            ));
        }
        if self.listed && self.follower_id.is_none() {
            inv.push(FieldError::new(
                "follower_id",
                "required",
                "挂牌督办须明确跟踪督办的县领导",
            ));
        }
        for (field, v) in [
            ("lead_head_id", self.lead_head_id),
            ("follower_id", self.follower_id),
            ("instruction_id", self.instruction_id),
        ] {
            if v.is_some_and(|v| v <= 0) {
                inv.push(FieldError::new(field, "invalid_id", "编号无效"));
            }
        }
        match item {
            Some(item) if inv.is_empty() => Ok(OrderInput {
                item,
                listed: self.listed,
                lead_head_id: self.lead_head_id,
                follower_id: self.follower_id,
                instruction_id: self.instruction_id,
            }),
            _ => Err(inv),
        }
    }
}

/// A supervision order as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisionOrder {
    pub id: i64,
    /// 文号, e.g. "督〔2026〕3号" (a sequence per year and jurisdiction).
    pub doc_no: String,
    pub item: crate::records::WorkItem,
    pub listed: bool,
    pub lead_head_id: Option<i64>,
    /// "张镇长（镇长，正职）".
    pub lead_label: Option<String>,
    pub follower_id: Option<i64>,
    pub follower_name: Option<String>,
    pub instruction_id: Option<i64>,
    pub version: i64,
}

/// A leader's instruction (批示) as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstructionDraft {
    pub text: Option<String>,
}

impl InstructionDraft {
    pub fn validate(&self) -> Result<String, Invalid> {
        match optional_multiline("text", "批示内容", self.text.as_deref().unwrap_or(""), 2000) {
            Ok(Some(t)) => Ok(t),
            Ok(None) => Err(FieldError::required("text", "批示内容").into()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A leader's instruction on a supervision order or a warning.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Instruction {
    pub id: i64,
    pub supervision_order_id: Option<i64>,
    pub warning_id: Option<i64>,
    pub text: String,
    pub leader_name: String,
    pub created_at: String,
}

/// The 文号 of the `n`-th order of `year`.
pub fn doc_no(year: i16, n: i64) -> String {
    format!("督〔{year}〕{n}号")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_order_names_its_head_and_leader() {
        let today = jiff::civil::date(2026, 12, 4);
        let inv = OrderDraft {
            title: Some("关于某征收补偿案的督办单".into()),
            unit_ids: vec![3],
            listed: true,
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        let fields: Vec<_> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lead_head_id", "follower_id"]);
        let ok = OrderDraft {
            title: Some("关于某征收补偿案的督办单".into()),
            unit_ids: vec![3],
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!(
            (ok.item.kind, ok.item.opened_on),
            (SubjectKind::Supervision, today)
        );
        assert_eq!(doc_no(2026, 3), "督〔2026〕3号");
        assert!(InstructionDraft::default().validate().is_err());
        assert_eq!(
            InstructionDraft {
                text: Some(" 请司法局牵头，月底前化解 ".into())
            }
            .validate()
            .unwrap(),
            "请司法局牵头，月底前化解"
        );
    }
}
