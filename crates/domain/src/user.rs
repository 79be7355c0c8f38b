//! Users and roles (DOMAIN.md §2).

use serde::Deserialize;

use crate::error::{FieldError, Invalid, text};
use crate::unit::labelled_enum;

labelled_enum!(
    /// What a user is in the field; decides what they see and may change (see [`crate::access`]).
    Role {
        Coordinator = "coordinator", "司法局协调员";
        UnitClerk = "unit_clerk", "单位联络员";
        UnitHead = "unit_head", "单位负责人";
        Leader = "leader", "县领导";
        CourtLiaison = "court_liaison", "法院联络员";
        Auditor = "auditor", "审计员";
    } "角色"
);

/// Login name: 3–32 characters of `a-z 0-9 _ . -`, starting with a letter or digit.
pub fn username(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::required(field, "用户名"));
    }
    let ok = (3..=32).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
        && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(v.to_string())
    } else {
        Err(FieldError::new(
            field,
            "invalid_username",
            format!("用户名“{v}”无效：须为3至32位小写字母、数字或 _ . -，并以字母或数字开头"),
        ))
    }
}

/// Failed logins of one name from one place before each further try must wait (a delay that
/// doubles with every failure; see `huajie_web::throttle`). No account is ever locked.
pub const FREE_LOGIN_ATTEMPTS: i64 = 5;

/// How many earlier passwords a new one may not repeat (the current one included).
pub const PASSWORD_HISTORY: usize = 5;

/// Password policy (等保 level 3, GB/T 22239-2019 8.1.4.1): 8 to 128 characters, no blank at
/// either end, at least 8 that are not blanks, at least three of four kinds (lower-case
/// letters, upper-case letters, digits, other symbols; blanks do not count as a kind), and not
/// containing the username (in any case, forwards or backwards). Whether it repeats one of the
/// last [`PASSWORD_HISTORY`] is checked against the stored hashes by the caller.
pub fn password(field: &str, value: &str, username: &str) -> Result<(), FieldError> {
    let weak = |m: &str| Err(FieldError::new(field, "weak_password", m));
    let n = value.chars().count();
    if !(8..=128).contains(&n) {
        return weak("密码长度须为8至128个字符");
    }
    if value.chars().any(|c| c.is_control()) {
        return weak("密码不能含有控制字符");
    }
    if value.trim() != value {
        return weak("密码开头和结尾不能是空格");
    }
    if value.chars().filter(|c| !c.is_whitespace()).count() < 8 {
        return weak("密码须至少含有8个非空格字符");
    }
    let kinds = [
        value.chars().any(|c| c.is_lowercase()),
        value.chars().any(|c| c.is_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value
            .chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    if kinds < 3 {
        return weak("密码须至少包含大写字母、小写字母、数字、符号中的三类");
    }
    let name = username.trim().to_lowercase();
    if !name.is_empty() {
        let lower = value.to_lowercase();
        let reversed: String = name.chars().rev().collect();
        if lower.contains(&name) || lower.contains(&reversed) {
            return weak("密码不能包含用户名");
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub active: bool,
    /// E-mail and mobile: left as they are when the draft does not name them.
    pub contacts: crate::notify::Contacts,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// coordinator, unit_clerk, unit_head, leader, court_liaison or auditor.
    pub role: Option<String>,
    pub unit_id: Option<i64>,
    pub active: Option<bool>,
    /// E-mail address for reminders ("" clears; absent on PUT: unchanged).
    pub email: Option<String>,
    /// Mobile number for SMS / government IM ("" clears; absent on PUT: unchanged).
    pub mobile: Option<String>,
}

impl UserDraft {
    pub fn validate(&self) -> Result<UserInput, Invalid> {
        let mut inv = Invalid::default();
        let username = username("username", self.username.as_deref().unwrap_or(""))
            .map_err(|e| inv.push(e))
            .ok();
        let display_name = text(
            "display_name",
            "姓名",
            self.display_name.as_deref().unwrap_or(""),
            50,
        )
        .map_err(|e| inv.push(e))
        .ok();
        let role = match self.role.as_deref() {
            None => {
                inv.push(FieldError::required("role", "角色"));
                None
            }
            Some(r) => Role::parse_field("role", r).map_err(|e| inv.push(e)).ok(),
        };
        if self.unit_id.is_none() {
            inv.push(FieldError::required("unit_id", "所属单位"));
        }
        let contacts = crate::notify::Contacts {
            email: self.email.as_deref().map(|v| {
                crate::notify::email("email", v)
                    .map_err(|e| inv.push(e))
                    .ok()
                    .flatten()
            }),
            mobile: self.mobile.as_deref().map(|v| {
                crate::notify::mobile("mobile", v)
                    .map_err(|e| inv.push(e))
                    .ok()
                    .flatten()
            }),
        };
        match (username, display_name, role, self.unit_id) {
            (Some(username), Some(display_name), Some(role), Some(unit_id)) if inv.is_empty() => {
                Ok(UserInput {
                    username,
                    display_name,
                    role,
                    unit_id,
                    active: self.active.unwrap_or(true),
                    contacts,
                })
            }
            _ => Err(inv),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(username("u", " admin ").unwrap(), "admin");
        for bad in ["ab", "Admin", "张三", "-abc", "a b c"] {
            assert_eq!(
                username("u", bad).unwrap_err().code,
                "invalid_username",
                "{bad}"
            );
        }
        assert_eq!(username("u", "").unwrap_err().code, "required");
    }

    #[test]
    fn passwords() {
        for good in ["Huajie2024", "huajie-2024", "HUAJIE#abc", "Zhang San 2024"] {
            assert!(password("p", good, "li.na").is_ok(), "{good}");
        }
        for (bad, why) in [
            ("Ab1", "长度"),
            ("password1", "三类"),
            ("huajie2024", "三类"),
            ("        1a", "空格"),
            ("  Ab1cdefg9", "空格"),
            ("Ab1  \u{3000} \u{3000} x", "非空格"),
            ("Li.Na2024", "用户名"),
            ("an.il-2024X", "用户名"),
            ("Ab1\u{0}cdefg", "控制"),
        ] {
            let e = password("p", bad, "li.na").unwrap_err();
            assert_eq!(e.code, "weak_password");
            assert!(e.message.contains(why), "{bad:?}: {}", e.message);
        }
    }

    #[test]
    fn user_draft() {
        let inv = UserDraft::default().validate().unwrap_err();
        assert_eq!(inv.0.len(), 4);
        let u = UserDraft {
            version: None,
            username: Some("li.na".into()),
            display_name: Some("李娜".into()),
            role: Some("单位联络员".into()),
            unit_id: Some(3),
            active: None,
            email: Some("li.na@sfj.gov.cn".into()),
            mobile: None,
        }
        .validate()
        .unwrap();
        assert_eq!(u.role, Role::UnitClerk);
        assert_eq!(u.contacts.email, Some(Some("li.na@sfj.gov.cn".into())));
        assert_eq!(u.contacts.mobile, None, "absent: left as it is");
    }
}
