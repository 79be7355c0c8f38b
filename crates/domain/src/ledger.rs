//! The ledger query (台账查询): filters, sort order and keyset cursor, validated.

use jiff::civil::Date;
use serde::Deserialize;

use crate::case_no::CaseNo;
use crate::error::{FieldError, Invalid};
use crate::proceeding::{ProceedingKind, ProceedingStatus, parse_date};

/// Sort keys of the ledger; every sort is stable through the id tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerSort {
    RegisteredOn,
    UpdatedAt,
    Id,
}

impl LedgerSort {
    pub fn column(self) -> &'static str {
        match self {
            LedgerSort::RegisteredOn => "p.registered_on",
            LedgerSort::UpdatedAt => "p.updated_at",
            LedgerSort::Id => "p.id",
        }
    }
}

/// How to match the case-number filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseNoFilter {
    /// A complete case number: matched exactly after normalisation.
    Exact(String),
    /// A beginning such as `（2023）浙0624行初`: matched as a prefix of the normalised number.
    Prefix(String),
}

/// Position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub id: i64,
    pub value: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}:{}", self.id, self.value)
    }
}

/// A validated ledger query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerQuery {
    pub unit_id: Option<i64>,
    pub kind: Option<ProceedingKind>,
    pub status: Option<ProceedingStatus>,
    pub domain: Option<String>,
    pub registered_from: Option<Date>,
    pub registered_to: Option<Date>,
    pub closed_from: Option<Date>,
    pub closed_to: Option<Date>,
    pub case_no: Option<CaseNoFilter>,
    /// Beginning of a party's name.
    pub party: Option<String>,
    pub sort: LedgerSort,
    pub descending: bool,
    pub after: Option<Cursor>,
    pub limit: i64,
}

impl Default for LedgerQuery {
    fn default() -> Self {
        LedgerQuery {
            unit_id: None,
            kind: None,
            status: None,
            domain: None,
            registered_from: None,
            registered_to: None,
            closed_from: None,
            closed_to: None,
            case_no: None,
            party: None,
            sort: LedgerSort::RegisteredOn,
            descending: true,
            after: None,
            limit: 50,
        }
    }
}

/// Raw query-string parameters of the ledger.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct LedgerParams {
    /// Only proceedings where this unit is a party.
    pub unit_id: Option<i64>,
    /// Proceeding kind code (first_instance, reconsideration …).
    pub kind: Option<String>,
    /// pending, suspended or concluded.
    pub status: Option<String>,
    /// Domain code (领域).
    pub domain: Option<String>,
    /// Registered on or after (YYYY-MM-DD).
    pub registered_from: Option<String>,
    /// Registered on or before (YYYY-MM-DD).
    pub registered_to: Option<String>,
    pub closed_from: Option<String>,
    pub closed_to: Option<String>,
    /// A full case number (exact match) or its beginning (prefix match).
    pub case_no: Option<String>,
    /// Beginning of a party's name.
    pub party: Option<String>,
    /// registered_on (default), updated_at or id; prefix with `-` for descending (default `-registered_on`).
    pub sort: Option<String>,
    /// Cursor from the previous page's `next_cursor`.
    pub after: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Normalises a case-number fragment the way [`CaseNo`] displays: full-width brackets, no spaces.
fn normalise_fragment(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' | '〔' | '[' | '［' => '（',
            ')' | '〕' | ']' | '］' => '）',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect()
}

impl LedgerParams {
    pub fn validate(&self) -> Result<LedgerQuery, Invalid> {
        let mut inv = Invalid::default();
        let mut q = LedgerQuery {
            unit_id: self.unit_id,
            ..Default::default()
        };
        q.kind = nonempty(&self.kind).and_then(|k| {
            ProceedingKind::parse_field("kind", k)
                .map_err(|e| inv.push(e))
                .ok()
        });
        q.status = nonempty(&self.status).and_then(|s| {
            ProceedingStatus::parse_field("status", s)
                .map_err(|e| inv.push(e))
                .ok()
        });
        q.domain = nonempty(&self.domain).map(str::to_string);
        let mut date = |field: &str, v: &Option<String>| {
            nonempty(v).and_then(|d| parse_date(field, d).map_err(|e| inv.push(e)).ok())
        };
        q.registered_from = date("registered_from", &self.registered_from);
        q.registered_to = date("registered_to", &self.registered_to);
        q.closed_from = date("closed_from", &self.closed_from);
        q.closed_to = date("closed_to", &self.closed_to);
        for (from, to, field) in [
            (q.registered_from, q.registered_to, "registered_to"),
            (q.closed_from, q.closed_to, "closed_to"),
        ] {
            if let (Some(f), Some(t)) = (from, to)
                && t < f
            {
                inv.push(FieldError::new(
                    field,
                    "date_order",
                    format!("结束日期（{t}）不能早于开始日期（{f}）"),
                ));
            }
        }
        q.case_no = nonempty(&self.case_no).map(|c| match CaseNo::parse(c) {
            Ok(no) => CaseNoFilter::Exact(no.to_string()),
            Err(_) => CaseNoFilter::Prefix(normalise_fragment(c)),
        });
        if let Some(p) = nonempty(&self.party) {
            if p.chars().count() > 100 {
                inv.push(FieldError::new(
                    "party",
                    "too_long",
                    "当事人名称不能超过100个字符",
                ));
            }
            q.party = Some(p.to_string());
        }
        if let Some(s) = nonempty(&self.sort) {
            let (desc, key) = match s.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, s),
            };
            q.descending = desc;
            q.sort = match key {
                "registered_on" => LedgerSort::RegisteredOn,
                "updated_at" => LedgerSort::UpdatedAt,
                "id" => LedgerSort::Id,
                _ => {
                    inv.push(FieldError::new("sort", "unknown_value", format!("排序字段“{key}”无效，可选：registered_on、updated_at、id（前加“-”表示倒序）")));
                    LedgerSort::RegisteredOn
                }
            };
        }
        if let Some(a) = nonempty(&self.after) {
            let parsed = a.split_once(':').and_then(|(id, v)| {
                let id: i64 = id.parse().ok()?;
                let ok = v.len() <= 40
                    && v.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | 'T' | 'Z')
                    });
                ok.then(|| Cursor {
                    id,
                    value: v.to_string(),
                })
            });
            match parsed {
                Some(c) => q.after = Some(c),
                None => inv.push(FieldError::new(
                    "after",
                    "invalid_cursor",
                    "翻页游标无效，请使用上一页返回的 next_cursor",
                )),
            }
        }
        match self.limit {
            None => {}
            Some(l) if (1..=200).contains(&l) => q.limit = l,
            Some(_) => inv.push(FieldError::new(
                "limit",
                "out_of_range",
                "每页条数须在1至200之间",
            )),
        }
        inv.into_result(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let q = LedgerParams::default().validate().unwrap();
        assert_eq!(q.sort, LedgerSort::RegisteredOn);
        assert!(q.descending);
        assert_eq!(q.limit, 50);
    }

    #[test]
    fn parses_filters() {
        let p = LedgerParams {
            kind: Some("一审".into()),
            status: Some("pending".into()),
            case_no: Some("(2023)浙0624行初".into()),
            sort: Some("updated_at".into()),
            after: Some("17:2024-01-01T00:00:00.000Z".into()),
            limit: Some(10),
            ..Default::default()
        };
        let q = p.validate().unwrap();
        assert_eq!(q.kind, Some(ProceedingKind::FirstInstance));
        assert_eq!(
            q.case_no,
            Some(CaseNoFilter::Prefix("（2023）浙0624行初".into()))
        );
        assert!(!q.descending);
        assert_eq!(q.after.unwrap().id, 17);
        let exact = LedgerParams {
            case_no: Some("(2023)浙0624行初12号".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            exact.case_no,
            Some(CaseNoFilter::Exact("（2023）浙0624行初12号".into()))
        );
    }

    #[test]
    fn rejects_bad_params() {
        let p = LedgerParams {
            kind: Some("x".into()),
            registered_from: Some("2024-05-01".into()),
            registered_to: Some("2024-04-01".into()),
            closed_from: Some("2024-02-30".into()),
            sort: Some("name".into()),
            after: Some("abc".into()),
            limit: Some(0),
            ..Default::default()
        };
        let fields: Vec<_> = p
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "kind",
                "closed_from",
                "registered_to",
                "sort",
                "after",
                "limit"
            ]
        );
    }
}
