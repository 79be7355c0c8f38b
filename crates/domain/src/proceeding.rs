//! Disputes (争议), their proceedings (程序) and the parties of each proceeding.

use jiff::civil::Date;
use serde::Deserialize;

use crate::case_no::{CaseNo, Instance};
use crate::error::{FieldError, Invalid, optional_multiline, optional_text, text};
use crate::unit::labelled_enum;

labelled_enum!(
    /// The stage a proceeding represents; a dispute moves through them in this order.
    ProceedingKind {
        PreLitigationMediation = "pre_litigation_mediation", "诉前调解";
        DisputeCenter = "dispute_center", "协调化解中心";
        Reconsideration = "reconsideration", "行政复议";
        FirstInstance = "first_instance", "一审";
        SecondInstance = "second_instance", "二审";
        Retrial = "retrial", "再审";
    } "程序类型"
);

impl ProceedingKind {
    /// Court proceedings carry a court case number (案号).
    pub fn is_litigation(self) -> bool {
        matches!(
            self,
            Self::FirstInstance | Self::SecondInstance | Self::Retrial
        )
    }

    fn instance(self) -> Option<Instance> {
        match self {
            Self::FirstInstance => Some(Instance::First),
            Self::SecondInstance => Some(Instance::Second),
            Self::Retrial => Some(Instance::Retrial),
            _ => None,
        }
    }
}

labelled_enum!(
    /// Where a proceeding stands.
    ProceedingStatus {
        Pending = "pending", "在办";
        Suspended = "suspended", "中止";
        Concluded = "concluded", "已结";
    } "状态"
);

labelled_enum!(
    /// The role of a party in one proceeding.
    PartyRole {
        Claimant = "claimant", "原告/申请人";
        Defendant = "defendant", "被告/被申请人";
        CoDefendant = "co_defendant", "共同被告";
        ReconsiderationOrgan = "reconsideration_organ", "复议机关（共同被告）";
        ThirdParty = "third_party", "第三人";
    } "当事人角色"
);

impl PartyRole {
    /// Defendant-side roles: the ones that get an outcome and that scope a unit's access.
    pub fn is_defendant_side(self) -> bool {
        matches!(
            self,
            Self::Defendant | Self::CoDefendant | Self::ReconsiderationOrgan
        )
    }
}

labelled_enum!(
    /// What sort of person or body a party is.
    PartyKind {
        Person = "person", "自然人";
        Organization = "organization", "法人或其他组织";
        Agency = "agency", "行政机关";
    } "当事人类别"
);

/// Parses `YYYY-MM-DD` into a real calendar date.
pub fn parse_date(field: &str, value: &str) -> Result<Date, FieldError> {
    let v = value.trim();
    let bytes = v.as_bytes();
    let shape_ok = bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-';
    match v.parse::<Date>() {
        Ok(d) if shape_ok && (1949..=2100).contains(&d.year()) => Ok(d),
        _ => Err(FieldError::new(
            field,
            "invalid_date",
            format!("日期“{v}”无效，应为YYYY-MM-DD格式的真实日期（如2024-03-01）"),
        )),
    }
}

fn opt_date(inv: &mut Invalid, field: &str, value: &Option<String>) -> Option<Date> {
    let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    parse_date(field, v).map_err(|e| inv.push(e)).ok()
}

fn opt_code(inv: &mut Invalid, field: &str, label: &str, value: &Option<String>) -> Option<String> {
    let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if v.len() <= 40
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Some(v.to_string())
    } else {
        inv.push(FieldError::new(
            field,
            "unknown_code",
            format!("{label}代码“{v}”无效"),
        ));
        None
    }
}

/// Validated dispute fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeInput {
    pub title: String,
    pub domain: String,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisputeDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    pub title: Option<String>,
    /// Code from the `domain` code list (领域).
    pub domain: Option<String>,
    pub summary: Option<String>,
}

impl DisputeDraft {
    pub fn validate(&self) -> Result<DisputeInput, Invalid> {
        let mut inv = Invalid::default();
        let title = text(
            "title",
            "争议名称",
            self.title.as_deref().unwrap_or(""),
            200,
        )
        .map_err(|e| inv.push(e))
        .ok();
        let domain = opt_code(&mut inv, "domain", "领域", &self.domain);
        if self.domain.as_deref().is_none_or(|d| d.trim().is_empty()) {
            inv.push(FieldError::required("domain", "领域"));
        }
        let summary = optional_multiline(
            "summary",
            "争议概要",
            self.summary.as_deref().unwrap_or(""),
            5000,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        match (title, domain) {
            (Some(title), Some(domain)) if inv.is_empty() => Ok(DisputeInput {
                title,
                domain,
                summary,
            }),
            _ => Err(inv),
        }
    }
}

/// Validated party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyInput {
    pub role: PartyRole,
    pub kind: PartyKind,
    /// Name; `None` only when `unit_id` is set (the unit's name is used).
    pub name: Option<String>,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    /// claimant, defendant, co_defendant, reconsideration_organ or third_party.
    pub role: Option<String>,
    /// person, organization or agency; defaults to agency when `unit_id` is given, else person.
    pub kind: Option<String>,
    pub name: Option<String>,
    /// The unit in this system that is this party (for defendants).
    pub unit_id: Option<i64>,
}

impl PartyDraft {
    pub fn validate(&self) -> Result<PartyInput, Invalid> {
        let mut inv = Invalid::default();
        let role = match self.role.as_deref() {
            None => {
                inv.push(FieldError::required("role", "当事人角色"));
                None
            }
            Some(r) => PartyRole::parse_field("role", r)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let kind = match self.kind.as_deref() {
            Some(k) => PartyKind::parse_field("kind", k)
                .map_err(|e| inv.push(e))
                .ok(),
            None if self.unit_id.is_some() => Some(PartyKind::Agency),
            None if role.is_some_and(PartyRole::is_defendant_side) => Some(PartyKind::Agency),
            None => Some(PartyKind::Person),
        };
        let name = optional_text(
            "name",
            "当事人名称",
            self.name.as_deref().unwrap_or(""),
            200,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        if name.is_none() && self.unit_id.is_none() && inv.0.iter().all(|e| e.field != "name") {
            inv.push(FieldError::new(
                "name",
                "required",
                "当事人名称不能为空（或指定所属单位 unit_id）",
            ));
        }
        if self.unit_id.is_some() && kind.is_some_and(|k| k != PartyKind::Agency) {
            inv.push(FieldError::new(
                "kind",
                "unit_must_be_agency",
                "关联系统内单位的当事人类别必须为行政机关",
            ));
        }
        if let Some(r) = role
            && r.is_defendant_side()
            && kind.is_some_and(|k| k != PartyKind::Agency)
        {
            inv.push(FieldError::new(
                "kind",
                "defendant_must_be_agency",
                format!("{}必须是行政机关", r.label()),
            ));
        }
        match (role, kind) {
            (Some(role), Some(kind)) if inv.is_empty() => Ok(PartyInput {
                role,
                kind,
                name,
                unit_id: self.unit_id,
            }),
            _ => Err(inv),
        }
    }
}

/// Key dates of a proceeding (关键日期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyDates {
    /// 行政行为作出日.
    pub act_on: Option<Date>,
    /// 收到起诉状副本 / 复议申请书副本 (by the agency).
    pub received_on: Option<Date>,
    /// 立案 / 受理.
    pub filed_on: Option<Date>,
    /// 判决 / 裁定 / 决定作出.
    pub decided_on: Option<Date>,
    /// 文书送达.
    pub served_on: Option<Date>,
    /// 生效.
    pub effective_on: Option<Date>,
    /// 结案.
    pub closed_on: Option<Date>,
}

/// Validated proceeding fields (without parties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProceedingInput {
    pub dispute_id: Option<i64>,
    pub kind: ProceedingKind,
    pub case_no: Option<CaseNo>,
    pub reference_no: Option<String>,
    pub status: ProceedingStatus,
    pub domain: String,
    pub act_type: Option<String>,
    pub forum: Option<String>,
    pub cause: Option<String>,
    pub claimant_count: i64,
    pub registered_on: Date,
    pub dates: KeyDates,
    pub summary: Option<String>,
}

/// Raw proceeding fields. On create, `parties` must list at least one claimant and one
/// defendant; on update `parties` must be absent (parties change through their own resource).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProceedingDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    /// Existing dispute this proceeding belongs to; a new dispute is created when absent.
    pub dispute_id: Option<i64>,
    /// pre_litigation_mediation, dispute_center, reconsideration, first_instance, second_instance, retrial.
    pub kind: Option<String>,
    /// Court case number (案号), required for court proceedings, e.g. （2023）浙0624行初12号.
    pub case_no: Option<String>,
    /// File number of a reconsideration or mediation (e.g. 新政复〔2024〕12号).
    pub reference_no: Option<String>,
    /// pending (default), suspended or concluded.
    pub status: Option<String>,
    /// Code from the `domain` code list.
    pub domain: Option<String>,
    /// Code from the `act_type` code list.
    pub act_type: Option<String>,
    /// Court or reconsideration organ handling it.
    pub forum: Option<String>,
    /// 案由.
    pub cause: Option<String>,
    /// Number of claimants (may exceed those listed, e.g. 50+ villagers).
    pub claimant_count: Option<i64>,
    /// Date the case was registered in the ledger (收案日期), YYYY-MM-DD.
    pub registered_on: Option<String>,
    pub act_on: Option<String>,
    pub received_on: Option<String>,
    pub filed_on: Option<String>,
    pub decided_on: Option<String>,
    pub served_on: Option<String>,
    pub effective_on: Option<String>,
    pub closed_on: Option<String>,
    pub summary: Option<String>,
    pub parties: Option<Vec<PartyDraft>>,
}

impl ProceedingDraft {
    /// Validates a new proceeding with its parties.
    pub fn validate_new(&self) -> Result<(ProceedingInput, Vec<PartyInput>), Invalid> {
        let mut inv = Invalid::default();
        let p = self.validate_fields().map_err(|e| inv.extend(e)).ok();
        let mut parties = Vec::new();
        match &self.parties {
            None => inv.push(FieldError::required("parties", "当事人")),
            Some(list) => {
                for (i, d) in list.iter().enumerate() {
                    match d.validate() {
                        Ok(pi) => parties.push(pi),
                        Err(e) => {
                            e.0.into_iter()
                                .for_each(|fe| inv.push(fe.nested(&format!("parties[{i}]"))))
                        }
                    }
                }
                let mut seen = std::collections::HashSet::new();
                for (i, d) in list.iter().enumerate() {
                    if let Some(u) = d.unit_id
                        && !seen.insert(u)
                    {
                        inv.push(FieldError::new(
                            format!("parties[{i}].unit_id"),
                            "duplicate_party_unit",
                            "同一单位不能重复列为当事人",
                        ));
                    }
                }
                if list.len() > 500 {
                    inv.push(FieldError::new(
                        "parties",
                        "too_many",
                        "当事人不能超过500个",
                    ));
                }
                let claimants = list
                    .iter()
                    .filter(|d| {
                        d.role
                            .as_deref()
                            .and_then(|r| PartyRole::parse_field("", r).ok())
                            == Some(PartyRole::Claimant)
                    })
                    .count();
                let defendants = list
                    .iter()
                    .filter(|d| {
                        d.role
                            .as_deref()
                            .and_then(|r| PartyRole::parse_field("", r).ok())
                            == Some(PartyRole::Defendant)
                    })
                    .count();
                if claimants == 0 {
                    inv.push(FieldError::new(
                        "parties",
                        "claimant_required",
                        "至少需要一名原告（申请人）",
                    ));
                }
                if defendants == 0 {
                    inv.push(FieldError::new(
                        "parties",
                        "defendant_required",
                        "至少需要一名被告（被申请人）",
                    ));
                }
                if let Some(n) = self.claimant_count
                    && (n as usize) < claimants
                {
                    inv.push(FieldError::new(
                        "claimant_count",
                        "claimant_count_too_small",
                        format!("原告（申请人）人数{n}少于列出的{claimants}人"),
                    ));
                }
            }
        }
        match p {
            Some(mut p) if inv.is_empty() => {
                let listed = parties
                    .iter()
                    .filter(|x| x.role == PartyRole::Claimant)
                    .count() as i64;
                if self.claimant_count.is_none() {
                    p.claimant_count = listed;
                }
                Ok((p, parties))
            }
            _ => Err(inv),
        }
    }

    /// Validates the fields of an update (parties must not be given).
    pub fn validate_update(&self) -> Result<ProceedingInput, Invalid> {
        let mut inv = Invalid::default();
        if self.parties.is_some() {
            inv.push(FieldError::new(
                "parties",
                "not_allowed",
                "修改程序时不能同时修改当事人，请使用当事人接口",
            ));
        }
        let p = self.validate_fields().map_err(|e| inv.extend(e)).ok();
        match p {
            Some(p) if inv.is_empty() => Ok(p),
            _ => Err(inv),
        }
    }

    fn validate_fields(&self) -> Result<ProceedingInput, Invalid> {
        let mut inv = Invalid::default();
        let kind = match self.kind.as_deref() {
            None => {
                inv.push(FieldError::required("kind", "程序类型"));
                None
            }
            Some(k) => ProceedingKind::parse_field("kind", k)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let case_no = match self
            .case_no
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                if kind.is_some_and(ProceedingKind::is_litigation) {
                    inv.push(FieldError::new(
                        "case_no",
                        "required",
                        "诉讼程序的案号不能为空",
                    ));
                }
                None
            }
            Some(s) => match CaseNo::parse(s) {
                Ok(c) => {
                    if let Some(k) = kind {
                        match (k.instance(), c.case_type().instance()) {
                            (Some(want), Some(got)) if want == got => {}
                            (None, _) => inv.push(FieldError::new(
                                "case_no",
                                "case_no_not_applicable",
                                format!(
                                    "{}程序不使用法院案号，请填写文号（reference_no）",
                                    k.label()
                                ),
                            )),
                            _ => inv.push(FieldError::new(
                                "case_no",
                                "case_no_kind_mismatch",
                                format!(
                                    "案号类型“{}”（{}）与程序类型“{}”不符",
                                    c.case_type().code(),
                                    c.case_type().label(),
                                    k.label()
                                ),
                            )),
                        }
                    }
                    Some(c)
                }
                Err(e) => {
                    inv.push(FieldError::new("case_no", e.code(), e.to_string()));
                    None
                }
            },
        };
        let reference_no = optional_text(
            "reference_no",
            "文号",
            self.reference_no.as_deref().unwrap_or(""),
            100,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        let status = match self.status.as_deref() {
            None => Some(ProceedingStatus::Pending),
            Some(s) => ProceedingStatus::parse_field("status", s)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let domain = opt_code(&mut inv, "domain", "领域", &self.domain);
        if self.domain.as_deref().is_none_or(|d| d.trim().is_empty()) {
            inv.push(FieldError::required("domain", "领域"));
        }
        let act_type = opt_code(&mut inv, "act_type", "行为类型", &self.act_type);
        let forum = optional_text(
            "forum",
            "审理机关",
            self.forum.as_deref().unwrap_or(""),
            100,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        let cause = optional_text("cause", "案由", self.cause.as_deref().unwrap_or(""), 200)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        let summary = optional_multiline(
            "summary",
            "案情摘要",
            self.summary.as_deref().unwrap_or(""),
            5000,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        if let Some(n) = self.claimant_count
            && !(1..=100_000).contains(&n)
        {
            inv.push(FieldError::new(
                "claimant_count",
                "out_of_range",
                "原告（申请人）人数须在1至100000之间",
            ));
        }
        let registered_on = match self
            .registered_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                inv.push(FieldError::required("registered_on", "收案日期"));
                None
            }
            Some(d) => parse_date("registered_on", d).map_err(|e| inv.push(e)).ok(),
        };
        let dates = KeyDates {
            act_on: opt_date(&mut inv, "act_on", &self.act_on),
            received_on: opt_date(&mut inv, "received_on", &self.received_on),
            filed_on: opt_date(&mut inv, "filed_on", &self.filed_on),
            decided_on: opt_date(&mut inv, "decided_on", &self.decided_on),
            served_on: opt_date(&mut inv, "served_on", &self.served_on),
            effective_on: opt_date(&mut inv, "effective_on", &self.effective_on),
            closed_on: opt_date(&mut inv, "closed_on", &self.closed_on),
        };
        check_order(&mut inv, &dates);
        if status == Some(ProceedingStatus::Concluded)
            && dates.closed_on.is_none()
            && self.closed_on.is_none()
        {
            inv.push(FieldError::new(
                "closed_on",
                "required",
                "状态为已结时结案日期不能为空",
            ));
        }
        if status.is_some_and(|s| s != ProceedingStatus::Concluded) && dates.closed_on.is_some() {
            inv.push(FieldError::new(
                "status",
                "status_mismatch",
                "填写了结案日期的程序状态应为已结",
            ));
        }
        match (kind, status, domain, registered_on) {
            (Some(kind), Some(status), Some(domain), Some(registered_on)) if inv.is_empty() => {
                Ok(ProceedingInput {
                    dispute_id: self.dispute_id,
                    kind,
                    case_no,
                    reference_no,
                    status,
                    domain,
                    act_type,
                    forum,
                    cause,
                    claimant_count: self.claimant_count.unwrap_or(1),
                    registered_on,
                    dates,
                    summary,
                })
            }
            _ => Err(inv),
        }
    }
}

/// Dates that must not run backwards: act ≤ filed ≤ decided ≤ served ≤ effective, decided ≤ closed.
fn check_order(inv: &mut Invalid, d: &KeyDates) {
    let pairs = [
        (
            d.act_on,
            "act_on",
            "行政行为作出日",
            d.filed_on,
            "filed_on",
            "立案（受理）日期",
        ),
        (
            d.filed_on,
            "filed_on",
            "立案（受理）日期",
            d.decided_on,
            "decided_on",
            "裁判（决定）日期",
        ),
        (
            d.decided_on,
            "decided_on",
            "裁判（决定）日期",
            d.served_on,
            "served_on",
            "送达日期",
        ),
        (
            d.served_on,
            "served_on",
            "送达日期",
            d.effective_on,
            "effective_on",
            "生效日期",
        ),
        (
            d.filed_on,
            "filed_on",
            "立案（受理）日期",
            d.closed_on,
            "closed_on",
            "结案日期",
        ),
    ];
    for (a, _, a_label, b, b_field, b_label) in pairs {
        if let (Some(a), Some(b)) = (a, b)
            && b < a
        {
            inv.push(FieldError::new(
                b_field,
                "date_order",
                format!("{b_label}（{b}）不能早于{a_label}（{a}）"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ProceedingDraft {
        ProceedingDraft {
            kind: Some("first_instance".into()),
            case_no: Some("(2023)浙0624行初12号".into()),
            domain: Some("expropriation".into()),
            registered_on: Some("2023-03-02".into()),
            parties: Some(vec![
                PartyDraft {
                    role: Some("claimant".into()),
                    name: Some("张三".into()),
                    ..Default::default()
                },
                PartyDraft {
                    role: Some("defendant".into()),
                    unit_id: Some(5),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        }
    }

    #[test]
    fn valid_proceeding() {
        let (p, parties) = base().validate_new().unwrap();
        assert_eq!(p.case_no.unwrap().to_string(), "（2023）浙0624行初12号");
        assert_eq!(p.claimant_count, 1);
        assert_eq!(p.status, ProceedingStatus::Pending);
        assert_eq!(parties[1].kind, PartyKind::Agency);
        assert_eq!(parties[0].kind, PartyKind::Person);
    }

    #[test]
    fn dates_must_be_real() {
        assert!(parse_date("d", "2024-02-29").is_ok());
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-1",
            "20240101",
            "yesterday",
            "1900-01-01",
        ] {
            assert_eq!(
                parse_date("d", bad).unwrap_err().code,
                "invalid_date",
                "{bad}"
            );
        }
    }

    fn codes(d: &ProceedingDraft) -> Vec<(String, String)> {
        d.validate_new()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut d = base();
        d.case_no = Some("（2023）浙0624民初12号".into());
        d.registered_on = Some("2023-02-30".into());
        d.parties = Some(vec![PartyDraft {
            role: Some("claimant".into()),
            kind: Some("person".into()),
            unit_id: Some(1),
            ..Default::default()
        }]);
        let got = codes(&d);
        assert!(
            got.contains(&("case_no".into(), "case_no_unknown_type".into())),
            "{got:?}"
        );
        assert!(got.contains(&("registered_on".into(), "invalid_date".into())));
        assert!(got.contains(&("parties[0].kind".into(), "unit_must_be_agency".into())));
        assert!(got.contains(&("parties".into(), "defendant_required".into())));
    }

    #[test]
    fn case_no_must_fit_kind() {
        let mut d = base();
        d.case_no = Some("（2023）浙06行终12号".into());
        assert_eq!(
            codes(&d),
            [("case_no".into(), "case_no_kind_mismatch".into())]
        );
        d.kind = Some("reconsideration".into());
        assert_eq!(
            codes(&d),
            [("case_no".into(), "case_no_not_applicable".into())]
        );
        d.case_no = None;
        assert!(d.validate_new().is_ok());
        d.kind = Some("retrial".into());
        assert_eq!(codes(&d), [("case_no".into(), "required".into())]);
    }

    #[test]
    fn date_order_and_status() {
        let mut d = base();
        d.filed_on = Some("2023-03-01".into());
        d.decided_on = Some("2023-02-01".into());
        d.closed_on = Some("2023-05-01".into());
        let got = codes(&d);
        assert!(got.contains(&("decided_on".into(), "date_order".into())));
        assert!(got.contains(&("status".into(), "status_mismatch".into())));
        let mut d = base();
        d.status = Some("concluded".into());
        assert_eq!(codes(&d), [("closed_on".into(), "required".into())]);
    }

    #[test]
    fn a_unit_is_listed_once() {
        let mut d = base();
        d.parties.as_mut().unwrap().push(PartyDraft {
            role: Some("co_defendant".into()),
            unit_id: Some(5),
            ..Default::default()
        });
        assert_eq!(
            codes(&d),
            [("parties[2].unit_id".into(), "duplicate_party_unit".into())]
        );
    }

    #[test]
    fn claimant_count() {
        let mut d = base();
        d.claimant_count = Some(0);
        assert!(codes(&d).contains(&("claimant_count".into(), "out_of_range".into())));
        d.claimant_count = Some(56);
        assert_eq!(d.validate_new().unwrap().0.claimant_count, 56);
    }

    #[test]
    fn update_rejects_parties() {
        let d = base();
        assert_eq!(d.validate_update().unwrap_err().0[0].code, "not_allowed");
        let mut d = base();
        d.parties = None;
        assert!(d.validate_update().is_ok());
    }

    #[test]
    fn dispute_draft() {
        assert_eq!(DisputeDraft::default().validate().unwrap_err().0.len(), 2);
        let d = DisputeDraft {
            version: None,
            title: Some("张三诉城关镇政府强制拆除".into()),
            domain: Some("expropriation".into()),
            summary: None,
        };
        assert_eq!(d.validate().unwrap().domain, "expropriation");
    }
}
