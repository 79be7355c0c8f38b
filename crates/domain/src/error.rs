//! Validation errors shared by every constructor in the domain.

use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Name of the field as it appears in the API (e.g. `case_no`, `parties[1].name`).
    pub field: String,
    /// Stable machine-readable code (e.g. `required`, `case_no_missing_year`).
    pub code: String,
    /// Message for the user, in Simplified Chinese.
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn required(field: impl Into<String>, label: &str) -> Self {
        Self::new(field, "required", format!("{label}不能为空"))
    }

    /// The same error reported under a nested field path (`parties[2].` + field).
    pub fn nested(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

/// A set of field errors: the input was rejected as a whole and nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(e: FieldError) -> Self {
        Self(vec![e])
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn extend(&mut self, other: Invalid) {
        self.0.extend(other.0);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(v)` when no error was collected.
    pub fn into_result<T>(self, v: T) -> Result<T, Invalid> {
        if self.0.is_empty() { Ok(v) } else { Err(self) }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}：{}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("；"))
    }
}

impl std::error::Error for Invalid {}

impl From<FieldError> for Invalid {
    fn from(e: FieldError) -> Self {
        Invalid::one(e)
    }
}

/// Trimmed, non-empty text of at most `max` characters.
pub fn text(field: &str, label: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::required(field, label));
    }
    optional_text(field, label, v, max).map(|o| o.unwrap_or_default())
}

/// Trimmed optional text; empty becomes `None`.
pub fn optional_text(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{label}不能超过{max}个字符"),
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            "control_chars",
            format!("{label}含有不可见控制字符"),
        ));
    }
    Ok(Some(v.to_string()))
}

/// Trimmed optional text of several lines (a summary typed in a text area): line breaks
/// (CR LF or LF, stored as LF) and tabs are kept; other control characters are refused.
pub fn optional_multiline(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let v = value.trim().replace("\r\n", "\n");
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{label}不能超过{max}个字符"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(FieldError::new(
            field,
            "control_chars",
            format!("{label}含有不可见控制字符"),
        ));
    }
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_keeps_line_breaks_only() {
        assert_eq!(
            optional_multiline("s", "案情摘要", " 第一行\r\n第二行\t甲 ", 50).unwrap(),
            Some("第一行\n第二行\t甲".into())
        );
        assert_eq!(
            optional_multiline("s", "案情摘要", "a\u{7}b", 50)
                .unwrap_err()
                .code,
            "control_chars"
        );
        assert_eq!(
            optional_multiline("s", "案情摘要", "a\rb", 50)
                .unwrap_err()
                .code,
            "control_chars"
        );
        assert_eq!(
            optional_multiline("s", "案情摘要", " \n ", 50).unwrap(),
            None
        );
    }

    #[test]
    fn text_trims_and_limits() {
        assert_eq!(text("name", "名称", "  张三 ", 10).unwrap(), "张三");
        assert_eq!(text("name", "名称", "  ", 10).unwrap_err().code, "required");
        assert_eq!(
            text("name", "名称", "一二三", 2).unwrap_err().code,
            "too_long"
        );
        assert_eq!(
            text("name", "名称", "a\u{7}b", 5).unwrap_err().code,
            "control_chars"
        );
        assert_eq!(optional_text("n", "名称", " ", 5).unwrap(), None);
    }

    #[test]
    fn invalid_collects_and_displays() {
        let mut inv = Invalid::default();
        assert!(inv.clone().into_result(1).is_ok());
        inv.push(FieldError::required("a", "甲"));
        inv.push(FieldError::required("b", "乙").nested("x[0]"));
        assert_eq!(inv.0[1].field, "x[0].b");
        assert_eq!(inv.to_string(), "a：甲不能为空；x[0].b：乙不能为空");
        assert!(inv.into_result(1).is_err());
    }
}
