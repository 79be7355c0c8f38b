//! Outcomes per defendant (LEGAL-RULES §4) and the configurable rule of what counts as a loss (败诉).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid, optional_text};
use crate::proceeding::{ProceedingKind, parse_date};
use crate::unit::labelled_enum;

labelled_enum!(
    /// How a proceeding ended for one defendant.
    OutcomeCode {
        // 4.1 judgments (行诉法 69–78)
        RejectClaims = "reject_claims", "判决驳回诉讼请求";
        Revoke = "revoke", "判决撤销";
        RevokePartial = "revoke_partial", "判决部分撤销";
        RevokeRedo = "revoke_redo", "撤销并责令重作";
        PerformDuty = "perform_duty", "判决履行法定职责";
        Pay = "pay", "判决履行给付义务";
        ConfirmIllegalKeep = "confirm_illegal_keep", "确认违法但不撤销";
        ConfirmIllegal = "confirm_illegal", "确认违法";
        ConfirmVoid = "confirm_void", "确认无效";
        RemedyCompensate = "remedy_compensate", "责令补救或判决赔偿";
        Modify = "modify", "判决变更";
        AgreementLiability = "agreement_liability", "行政协议判决继续履行或赔偿";
        AgreementCompensation = "agreement_compensation", "行政协议判决给予补偿";
        // 4.2 non-judgment endings
        Withdraw = "withdraw", "准予撤诉";
        WithdrawAfterChange = "withdraw_after_change", "被告改变行为后撤诉";
        WithdrawDeemed = "withdraw_deemed", "按撤诉处理";
        DismissSuit = "dismiss_suit", "裁定驳回起诉";
        NotDocketed = "not_docketed", "裁定不予立案";
        Mediation = "mediation", "调解结案";
        Terminate = "terminate", "终结诉讼";
        // appeal / retrial
        AppealUpheld = "appeal_upheld", "驳回上诉、维持原判";
        AppealReversedAgainst = "appeal_reversed_against", "二审改判（机关不利）";
        AppealReversedFor = "appeal_reversed_for", "二审改判（机关有利）";
        Remanded = "remanded", "发回重审";
        // 行政复议 decisions
        ReconUphold = "recon_uphold", "复议维持";
        ReconRevoke = "recon_revoke", "复议撤销";
        ReconModify = "recon_modify", "复议变更";
        ReconConfirmIllegal = "recon_confirm_illegal", "复议确认违法";
        ReconOrderPerform = "recon_order_perform", "复议责令履行";
        ReconConfirmVoid = "recon_confirm_void", "复议确认无效";
        ReconRejectApplication = "recon_reject", "驳回复议申请";
        ReconMediation = "recon_mediation", "复议调解";
        ReconSettlement = "recon_settlement", "和解后撤回申请";
        ReconWithdraw = "recon_withdraw", "撤回复议申请";
        ReconTerminate = "recon_terminate", "复议终止";
        // 诉前调解 / 协调化解中心
        MediationSettled = "mediation_settled", "调解成功";
        MediationFailed = "mediation_failed", "调解不成";
        MediationRefused = "mediation_refused", "拒绝调解";
    } "结果"
);

impl OutcomeCode {
    /// Whether this outcome can end a proceeding of `kind`.
    pub fn applies_to(self, kind: ProceedingKind) -> bool {
        use OutcomeCode::*;
        use ProceedingKind as K;
        let code = self.code();
        match kind {
            K::Reconsideration => code.starts_with("recon_"),
            K::PreLitigationMediation | K::DisputeCenter => {
                matches!(self, MediationSettled | MediationFailed | MediationRefused)
            }
            K::FirstInstance => {
                !code.starts_with("recon_")
                    && !code.starts_with("mediation_")
                    && !code.starts_with("appeal_")
            }
            K::SecondInstance | K::Retrial => {
                !code.starts_with("recon_") && !code.starts_with("mediation_")
            }
        }
    }

    /// The §4.1 judgment outcomes that decide against the agency.
    fn adverse_judgment(self) -> bool {
        use OutcomeCode::*;
        matches!(
            self,
            Revoke
                | RevokePartial
                | RevokeRedo
                | PerformDuty
                | Pay
                | ConfirmIllegalKeep
                | ConfirmIllegal
                | ConfirmVoid
                | RemedyCompensate
                | Modify
                | AgreementLiability
                | AgreementCompensation
                | AppealReversedAgainst
        )
    }

    /// 直接纠错 in reconsideration (LEGAL-RULES §7).
    pub fn is_reconsideration_correction(self) -> bool {
        use OutcomeCode::*;
        matches!(
            self,
            ReconRevoke | ReconModify | ReconConfirmIllegal | ReconOrderPerform | ReconConfirmVoid
        )
    }

    /// Whether the outcome may carry loss causes (grounds).
    pub fn takes_grounds(self) -> bool {
        self.adverse_judgment() || self.is_reconsideration_correction()
    }
}

labelled_enum!(
    /// Loss causes (败诉原因, LEGAL-RULES §4): the six grounds for revocation (行诉法 70), the
    /// grounds of the other adverse judgments (72–78), and the causes a unit's own analysis adds
    /// (消极应诉, source 002).
    Ground {
        InsufficientEvidence = "insufficient_evidence", "主要证据不足";
        WrongLaw = "wrong_law", "适用法律、法规错误";
        IllegalProcedure = "illegal_procedure", "违反法定程序";
        UltraVires = "ultra_vires", "超越职权";
        AbuseOfPower = "abuse_of_power", "滥用职权";
        ObviouslyImproper = "obviously_improper", "明显不当";
        FailureToPerform = "failure_to_perform", "不履行法定职责";
        FailureToPay = "failure_to_pay", "不履行给付义务";
        GrossIllegality = "gross_illegality", "重大且明显违法";
        NoRevocableContent = "no_revocable_content", "违法但不具有可撤销内容";
        ChangedAct = "changed_act", "被告改变原违法行政行为";
        AgreementBreach = "agreement_breach", "不依法履行行政协议";
        PassiveDefence = "passive_defence", "消极应诉";
        OtherCause = "other_cause", "其他原因";
    } "败诉原因"
);

impl Ground {
    /// The ground a label of the judgment parser's taxonomy stands for (labels are compared
    /// without the enumeration comma: 适用法律法规错误 = 适用法律、法规错误).
    pub fn from_taxonomy(label: &str) -> Option<Ground> {
        let key = |s: &str| s.replace('、', "");
        let want = key(label);
        Ground::ALL.iter().copied().find(|g| key(g.label()) == want)
    }
}

/// Which outcomes count as a loss (败诉). Stored as configuration; the default follows
/// LEGAL-RULES §4: every adverse judgment, an appeal reversed against the agency, and the
/// direct corrections (直接纠错) of a reconsideration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LossRule {
    /// Outcome codes counted as a loss.
    pub loss_outcomes: BTreeSet<OutcomeCode>,
}

impl Default for LossRule {
    fn default() -> Self {
        let loss_outcomes = OutcomeCode::ALL
            .iter()
            .copied()
            .filter(|o| o.adverse_judgment() || o.is_reconsideration_correction())
            .collect();
        LossRule { loss_outcomes }
    }
}

impl LossRule {
    pub fn is_loss(&self, code: OutcomeCode) -> bool {
        self.loss_outcomes.contains(&code)
    }
}

/// Validated outcome for one defendant of a proceeding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeInput {
    pub party_id: i64,
    pub code: OutcomeCode,
    pub decided_on: jiff::civil::Date,
    pub grounds: Vec<Ground>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    /// The defendant (被告/被申请人) party this outcome is for.
    pub party_id: Option<i64>,
    /// Outcome code, e.g. reject_claims, revoke, withdraw, recon_uphold.
    pub code: Option<String>,
    /// Date of the judgment, ruling or decision (YYYY-MM-DD).
    pub decided_on: Option<String>,
    /// Loss cause codes (only for adverse outcomes), e.g. insufficient_evidence, illegal_procedure.
    #[serde(default)]
    pub grounds: Vec<String>,
    pub note: Option<String>,
}

labelled_enum!(
    /// Who recorded an outcome: what the 司法局 recorded or a court document confirmed, a unit
    /// can change only through a correction request the bureau decides (更正申请).
    OutcomeSource {
        Bureau = "bureau", "司法局登记";
        Unit = "unit", "单位登记";
        Judgment = "judgment", "裁判文书确认";
    } "结果来源"
);

labelled_enum!(
    /// Where a correction request stands.
    CorrectionStatus {
        Pending = "pending", "待审批";
        Approved = "approved", "已批准";
        Refused = "refused", "已驳回";
    } "更正申请状态"
);

/// A unit's request to correct an outcome it cannot change itself: the outcome it asks for,
/// why, and a document that shows it (e.g. the judgment, an appeal ruling).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CorrectionDraft {
    /// Version of the outcome read before asking.
    pub version: Option<i64>,
    /// The outcome asked for.
    pub code: Option<String>,
    pub decided_on: Option<String>,
    #[serde(default)]
    pub grounds: Vec<String>,
    pub note: Option<String>,
    /// Why the recorded outcome is wrong (required).
    pub reason: Option<String>,
    /// A document of the proceeding that shows it (required; upload it first).
    pub document_id: Option<i64>,
}

/// A validated correction request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionInput {
    pub version: i64,
    pub outcome: OutcomeInput,
    pub reason: String,
    pub document_id: i64,
}

impl CorrectionDraft {
    /// Every error at once: the outcome asked for (as the outcome form checks it, for the
    /// outcome's party), the reason, the document, the version.
    pub fn validate(
        &self,
        kind: ProceedingKind,
        party_id: i64,
    ) -> Result<CorrectionInput, Invalid> {
        let mut inv = Invalid::default();
        let outcome = OutcomeDraft {
            version: None,
            party_id: Some(party_id),
            code: self.code.clone(),
            decided_on: self.decided_on.clone(),
            grounds: self.grounds.clone(),
            note: self.note.clone(),
        }
        .validate(kind)
        .map_err(|e| inv.extend(e))
        .ok();
        let reason = crate::error::optional_multiline(
            "reason",
            "更正理由",
            self.reason.as_deref().unwrap_or(""),
            2000,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        if reason.is_none() && !inv.0.iter().any(|e| e.field == "reason") {
            inv.push(FieldError::required("reason", "更正理由"));
        }
        if self.document_id.is_none() {
            inv.push(FieldError::new(
                "document_id",
                "required",
                "请附上证明更正理由的文书（如判决书、二审裁判），先上传到本案件",
            ));
        }
        if self.version.is_none() {
            inv.push(FieldError::required("version", "版本号"));
        }
        match (outcome, reason, self.document_id, self.version) {
            (Some(outcome), Some(reason), Some(document_id), Some(version)) if inv.is_empty() => {
                Ok(CorrectionInput {
                    version,
                    outcome,
                    reason,
                    document_id,
                })
            }
            _ => Err(inv),
        }
    }
}

/// The bureau's decision on a correction request.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionDraft {
    /// Version of the request read before deciding.
    pub version: Option<i64>,
    /// Why (required to refuse; optional to approve).
    pub reason: Option<String>,
}

impl OutcomeDraft {
    pub fn validate(&self, kind: ProceedingKind) -> Result<OutcomeInput, Invalid> {
        let mut inv = Invalid::default();
        if self.party_id.is_none() {
            inv.push(FieldError::required("party_id", "被告（被申请人）"));
        }
        let code = match self.code.as_deref() {
            None => {
                inv.push(FieldError::required("code", "结果"));
                None
            }
            Some(c) => match OutcomeCode::parse_field("code", c) {
                Ok(c) if !c.applies_to(kind) => {
                    inv.push(FieldError::new(
                        "code",
                        "outcome_not_applicable",
                        format!("结果“{}”不适用于{}程序", c.label(), kind.label()),
                    ));
                    None
                }
                Ok(c) => Some(c),
                Err(e) => {
                    inv.push(e);
                    None
                }
            },
        };
        let decided_on = match self.decided_on.as_deref() {
            None => {
                inv.push(FieldError::required("decided_on", "结果作出日期"));
                None
            }
            Some(d) => parse_date("decided_on", d).map_err(|e| inv.push(e)).ok(),
        };
        let mut grounds = Vec::new();
        for (i, g) in self.grounds.iter().enumerate() {
            match Ground::parse_field(&format!("grounds[{i}]"), g) {
                Ok(g) if !grounds.contains(&g) => grounds.push(g),
                Ok(_) => {}
                Err(e) => inv.push(e),
            }
        }
        if let Some(c) = code
            && !grounds.is_empty()
            && !c.takes_grounds()
        {
            inv.push(FieldError::new(
                "grounds",
                "grounds_not_applicable",
                format!("结果“{}”不是不利结果，不应填写败诉原因", c.label()),
            ));
        }
        let note = optional_text("note", "备注", self.note.as_deref().unwrap_or(""), 2000)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        match (self.party_id, code, decided_on) {
            (Some(party_id), Some(code), Some(decided_on)) if inv.is_empty() => Ok(OutcomeInput {
                party_id,
                code,
                decided_on,
                grounds,
                note,
            }),
            _ => Err(inv),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_loss_rule_matches_legal_rules() {
        let r = LossRule::default();
        for c in [
            "revoke",
            "revoke_partial",
            "perform_duty",
            "confirm_illegal",
            "confirm_void",
            "modify",
            "appeal_reversed_against",
            "recon_revoke",
        ] {
            assert!(r.is_loss(OutcomeCode::from_code(c).unwrap()), "{c}");
        }
        for c in [
            "reject_claims",
            "withdraw",
            "withdraw_after_change",
            "dismiss_suit",
            "mediation",
            "appeal_upheld",
            "recon_uphold",
            "mediation_failed",
        ] {
            assert!(!r.is_loss(OutcomeCode::from_code(c).unwrap()), "{c}");
        }
    }

    #[test]
    fn loss_rule_is_configurable_and_serialises_codes() {
        let mut r = LossRule::default();
        r.loss_outcomes.insert(OutcomeCode::WithdrawAfterChange);
        assert!(r.is_loss(OutcomeCode::WithdrawAfterChange));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"withdraw_after_change\""));
        let back: LossRule = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn applicability() {
        assert!(OutcomeCode::Revoke.applies_to(ProceedingKind::FirstInstance));
        assert!(!OutcomeCode::AppealUpheld.applies_to(ProceedingKind::FirstInstance));
        assert!(OutcomeCode::AppealUpheld.applies_to(ProceedingKind::SecondInstance));
        assert!(!OutcomeCode::Revoke.applies_to(ProceedingKind::Reconsideration));
        assert!(OutcomeCode::ReconRevoke.applies_to(ProceedingKind::Reconsideration));
        assert!(OutcomeCode::MediationSettled.applies_to(ProceedingKind::PreLitigationMediation));
    }

    #[test]
    fn outcome_draft() {
        let d = OutcomeDraft {
            version: None,
            party_id: Some(4),
            code: Some("revoke".into()),
            decided_on: Some("2024-03-01".into()),
            grounds: vec!["insufficient_evidence".into(), "违反法定程序".into()],
            note: None,
        };
        let o = d.validate(ProceedingKind::FirstInstance).unwrap();
        assert_eq!(
            o.grounds,
            [Ground::InsufficientEvidence, Ground::IllegalProcedure]
        );
        let e = d.validate(ProceedingKind::Reconsideration).unwrap_err();
        assert_eq!(e.0[0].code, "outcome_not_applicable");
        let bad = OutcomeDraft {
            code: Some("reject_claims".into()),
            grounds: vec!["ultra_vires".into()],
            decided_on: Some("2024-02-30".into()),
            ..Default::default()
        };
        let codes: Vec<_> = bad
            .validate(ProceedingKind::FirstInstance)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(
            codes,
            ["required", "invalid_date", "grounds_not_applicable"]
        );
    }
}
