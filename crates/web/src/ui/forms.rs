//! Plumbing shared by the pages' forms: the raw submitted pairs (repeated keys kept, so a
//! multi-select or a set of checkboxes arrives whole) and field-level messages.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use huajie_domain::Invalid;

/// An `application/x-www-form-urlencoded` body as submitted, in order.
#[derive(Debug, Default, Clone)]
pub struct Pairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Pairs {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        // Characters no field accepts were refused by `crate::hygiene` before this.
        Ok(Pairs(
            form_urlencoded::parse(&body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

impl Pairs {
    /// The first value of a field, trimmed; empty when absent.
    pub fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// Every non-empty value of a repeated field.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// `Some(value)` when the field is non-empty.
    pub fn opt(&self, key: &str) -> Option<String> {
        Some(self.get(key)).filter(|v| !v.is_empty())
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }
}

/// Messages per form field (the API's field paths, e.g. `case_no` or `parties[0].name`), and
/// messages that belong to no single field.
#[derive(Debug, Default, Clone)]
pub struct FieldErrs {
    pub fields: BTreeMap<String, String>,
    pub general: Vec<String>,
}

impl FieldErrs {
    /// Sorts messages onto known fields; others (and any path this form does not show) go to
    /// the general list, so no message is ever dropped.
    pub fn from_invalid(inv: Invalid, shown: &[&str]) -> FieldErrs {
        let mut out = FieldErrs::default();
        for e in inv.0 {
            if shown.contains(&e.field.as_str()) && !out.fields.contains_key(&e.field) {
                out.fields.insert(e.field, e.message);
            } else {
                out.general.push(e.message);
            }
        }
        out
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    pub fn add(&mut self, field: &str, msg: impl Into<String>) {
        self.fields
            .entry(field.to_string())
            .or_insert_with(|| msg.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use huajie_domain::FieldError;

    #[test]
    fn unknown_fields_fall_to_general() {
        let mut inv = Invalid::default();
        inv.push(FieldError::new("case_no", "bad", "案号不对"));
        inv.push(FieldError::new("parties[3].name", "bad", "名称太长"));
        let e = FieldErrs::from_invalid(inv, &["case_no"]);
        assert_eq!(e.get("case_no"), Some("案号不对"));
        assert_eq!(e.general, vec!["名称太长".to_string()]);
    }

    #[test]
    fn pairs_keep_repeats() {
        let p = Pairs(vec![
            ("g".into(), "a".into()),
            ("g".into(), " ".into()),
            ("g".into(), "b".into()),
        ]);
        assert_eq!(p.all("g"), vec!["a", "b"]);
        assert_eq!(p.get("g"), "a");
        assert_eq!(p.opt("x"), None);
    }
}
