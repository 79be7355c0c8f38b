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
    check_chars(field, label, v, false)?;
    Ok(Some(v.to_string()))
}

/// A character no text accepts, wherever it comes from (forms, API bodies, query parameters,
/// imported files): control characters (C0 including NUL, DEL, C1) and Unicode noncharacters
/// (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF, which also break the generated .docx files).
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() || ('\u{FDD0}'..='\u{FDEF}').contains(&c) || (c as u32 & 0xFFFE) == 0xFFFE
}

/// A character that shows nothing on its own: zero-width spaces and joiners, the word joiner
/// and invisible operators, the byte-order mark, the soft hyphen and direction marks. Text made
/// only of these (and blanks) is refused: it looks empty on every page.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}'
    ) || c.is_whitespace()
}

/// The one check of the characters of a text field (used by [`text`], [`optional_text`] and
/// [`optional_multiline`], and so by every form and API field): no forbidden character (line
/// breaks and tabs allowed when `multiline`), and not only invisible characters.
pub fn check_chars(field: &str, label: &str, v: &str, multiline: bool) -> Result<(), FieldError> {
    if v.chars()
        .any(|c| is_forbidden_char(c) && !(multiline && (c == '\n' || c == '\t')))
    {
        return Err(FieldError::new(
            field,
            "control_chars",
            format!("{label}含有不可见控制字符或非法字符（如 NUL、U+FFFF），请删除后重试"),
        ));
    }
    if !v.is_empty() && v.chars().all(is_invisible) {
        return Err(FieldError::new(
            field,
            "invisible_only",
            format!("{label}只含不可见字符（如零宽空格），请填写可见的内容"),
        ));
    }
    Ok(())
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
    check_chars(field, label, &v, true)?;
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
    fn forbidden_and_invisible_characters_are_refused() {
        for bad in [
            "a\u{0}b",
            "a\u{7f}",
            "a\u{85}b",
            "名\u{FFFF}",
            "\u{FDD0}x",
            "x\u{1FFFE}",
        ] {
            assert_eq!(
                optional_text("n", "名称", bad, 50).unwrap_err().code,
                "control_chars",
                "{bad:?}"
            );
            assert_eq!(
                optional_multiline("n", "名称", bad, 50).unwrap_err().code,
                "control_chars",
                "{bad:?}"
            );
        }
        for invisible in [
            "\u{200B}",
            "\u{200B}\u{200D}\u{FEFF}",
            " \u{2060} ",
            "\u{3164}",
        ] {
            assert_eq!(
                text("n", "名称", invisible, 50).unwrap_err().code,
                "invisible_only",
                "{invisible:?}"
            );
            assert_eq!(
                optional_multiline("n", "名称", invisible, 50)
                    .unwrap_err()
                    .code,
                "invisible_only"
            );
        }
        // Visible text with a joiner inside (emoji, some scripts) stays.
        assert_eq!(
            text("n", "名称", "甲\u{200D}乙", 50).unwrap(),
            "甲\u{200D}乙"
        );
        assert_eq!(text("n", "名称", "\u{FFFD}", 50).unwrap(), "\u{FFFD}");
    }

    proptest::proptest! {
        /// Any text: no panic, and what is accepted holds no forbidden character and something
        /// visible.
        #[test]
        fn accepted_text_is_clean(v in "\\PC*|[\\x00-\\x1f\\u{200b}\\u{feff}\\u{ffff}a ]*") {
            if let Ok(Some(t)) = optional_text("n", "名称", &v, 200) {
                proptest::prop_assert!(!t.chars().any(is_forbidden_char));
                proptest::prop_assert!(!t.chars().all(is_invisible));
            }
            if let Ok(Some(t)) = optional_multiline("n", "名称", &v, 200) {
                proptest::prop_assert!(!t.chars().any(|c| is_forbidden_char(c) && c != '\n' && c != '\t'));
            }
        }
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
