//! Units (单位): government bodies arranged in a tree province → city → county → unit.

use serde::Deserialize;

use crate::error::{FieldError, Invalid, optional_text, text};

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)+ } $noun:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// Stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code,)+ } }
            /// Chinese label for users.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label,)+ } }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
            /// Parses a code (or the Chinese label) and reports a field error otherwise.
            pub fn parse_field(field: &str, value: &str) -> Result<Self, $crate::error::FieldError> {
                let v = value.trim();
                Self::from_code(v)
                    .or_else(|| Self::ALL.iter().copied().find(|x| x.label() == v))
                    .ok_or_else(|| {
                        let allowed: Vec<String> =
                            Self::ALL.iter().map(|x| format!("{}（{}）", x.code(), x.label())).collect();
                        $crate::error::FieldError::new(
                            field,
                            "unknown_value",
                            format!("{}“{}”无效，可选值：{}", $noun, v, allowed.join("、")),
                        )
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.label()) }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum!(
    /// Kind of unit; decides where it may sit in the tree.
    UnitKind {
        Province = "province", "省级";
        City = "city", "市级";
        County = "county", "县（区）";
        CountyGovernment = "county_government", "县政府";
        JusticeBureau = "justice_bureau", "司法局";
        Township = "township", "乡镇/街道";
        CountyDepartment = "county_department", "县级部门";
        StateOwnedEnterprise = "soe", "国有企业";
        Court = "court", "法院";
    } "单位类型"
);

impl UnitKind {
    /// Whether a unit of this kind may have a parent of kind `parent` (`None` = root).
    pub fn allows_parent(self, parent: Option<UnitKind>) -> bool {
        use UnitKind::*;
        match self {
            Province => parent.is_none(),
            City => matches!(parent, None | Some(Province)),
            County => matches!(parent, None | Some(City) | Some(Province)),
            _ => matches!(parent, Some(County) | Some(City) | Some(Province)),
        }
    }

    /// Jurisdiction levels (province, city, county) own the units below them.
    pub fn is_jurisdiction(self) -> bool {
        matches!(self, UnitKind::Province | UnitKind::City | UnitKind::County)
    }
}

labelled_enum!(
    /// Position of a unit head (单位负责人).
    HeadKind {
        Principal = "principal", "正职";
        Deputy = "deputy", "副职";
        InCharge = "in_charge", "分管负责人";
    } "负责人类别"
);

/// Validated input for creating or replacing a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitInput {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    /// Unified social credit code or administrative division code; optional.
    pub code: Option<String>,
    pub contact_phone: Option<String>,
    pub active: bool,
}

/// Raw, unvalidated unit fields as they arrive from the API, CLI or an import.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    pub name: Option<String>,
    pub short_name: Option<String>,
    /// One of the unit kind codes (province, city, county, county_government, justice_bureau, township, county_department, soe, court).
    pub kind: Option<String>,
    pub parent_id: Option<i64>,
    pub code: Option<String>,
    pub contact_phone: Option<String>,
    pub active: Option<bool>,
}

impl UnitDraft {
    pub fn validate(&self) -> Result<UnitInput, Invalid> {
        let mut inv = Invalid::default();
        let name = text("name", "单位名称", self.name.as_deref().unwrap_or(""), 100)
            .map_err(|e| inv.push(e))
            .ok();
        let short_name = optional_text(
            "short_name",
            "单位简称",
            self.short_name.as_deref().unwrap_or(""),
            30,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        let kind = match self.kind.as_deref() {
            None => {
                inv.push(FieldError::required("kind", "单位类型"));
                None
            }
            Some(k) => UnitKind::parse_field("kind", k)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let code = optional_text("code", "单位代码", self.code.as_deref().unwrap_or(""), 32)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        if let Some(c) = &code
            && !c.chars().all(|ch| ch.is_ascii_alphanumeric())
        {
            inv.push(FieldError::new(
                "code",
                "invalid_code",
                "单位代码只能包含字母和数字",
            ));
        }
        let contact_phone = phone("contact_phone", self.contact_phone.as_deref())
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        match (name, kind) {
            (Some(name), Some(kind)) if inv.is_empty() => Ok(UnitInput {
                name,
                short_name,
                kind,
                parent_id: self.parent_id,
                code,
                contact_phone,
                active: self.active.unwrap_or(true),
            }),
            _ => Err(inv),
        }
    }
}

/// A telephone number: digits with optional `+`, `-` and spaces, 5–20 characters.
pub fn phone(field: &str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let ok = v.len() <= 20
        && v.chars().filter(|c| c.is_ascii_digit()).count() >= 5
        && v.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '));
    if ok {
        Ok(Some(v.to_string()))
    } else {
        Err(FieldError::new(
            field,
            "invalid_phone",
            format!("电话号码“{v}”格式不正确"),
        ))
    }
}

/// Validated input for a unit head (单位负责人).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadInput {
    pub name: String,
    /// Post title as used locally, e.g. 局长, 镇长, 副局长.
    pub post: String,
    pub kind: HeadKind,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeadDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    pub name: Option<String>,
    pub post: Option<String>,
    /// principal（正职）, deputy（副职）or in_charge（分管负责人）.
    pub kind: Option<String>,
    pub phone: Option<String>,
}

impl HeadDraft {
    pub fn validate(&self) -> Result<HeadInput, Invalid> {
        let mut inv = Invalid::default();
        let name = text("name", "姓名", self.name.as_deref().unwrap_or(""), 50)
            .map_err(|e| inv.push(e))
            .ok();
        let post = text("post", "职务", self.post.as_deref().unwrap_or(""), 50)
            .map_err(|e| inv.push(e))
            .ok();
        let kind = match self.kind.as_deref() {
            None => {
                inv.push(FieldError::required("kind", "负责人类别"));
                None
            }
            Some(k) => HeadKind::parse_field("kind", k)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let phone = phone("phone", self.phone.as_deref())
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        match (name, post, kind) {
            (Some(name), Some(post), Some(kind)) if inv.is_empty() => Ok(HeadInput {
                name,
                post,
                kind,
                phone,
            }),
            _ => Err(inv),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_rules() {
        assert!(UnitKind::Province.allows_parent(None));
        assert!(!UnitKind::Province.allows_parent(Some(UnitKind::City)));
        assert!(UnitKind::City.allows_parent(Some(UnitKind::Province)));
        assert!(UnitKind::County.allows_parent(Some(UnitKind::City)));
        assert!(UnitKind::Township.allows_parent(Some(UnitKind::County)));
        assert!(!UnitKind::Township.allows_parent(None));
        assert!(!UnitKind::Township.allows_parent(Some(UnitKind::Township)));
        assert!(!UnitKind::JusticeBureau.allows_parent(Some(UnitKind::CountyDepartment)));
    }

    #[test]
    fn kind_parses_code_or_label() {
        assert_eq!(
            UnitKind::parse_field("kind", "township").unwrap(),
            UnitKind::Township
        );
        assert_eq!(
            UnitKind::parse_field("kind", "司法局").unwrap(),
            UnitKind::JusticeBureau
        );
        let e = UnitKind::parse_field("kind", "村委会").unwrap_err();
        assert_eq!(e.code, "unknown_value");
        assert!(e.message.contains("村委会"));
    }

    #[test]
    fn unit_draft_reports_every_field() {
        let d = UnitDraft {
            kind: Some("x".into()),
            contact_phone: Some("abc".into()),
            code: Some("12-3".into()),
            ..Default::default()
        };
        let inv = d.validate().unwrap_err();
        let fields: Vec<&str> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind", "code", "contact_phone"]);
        let ok = UnitDraft {
            name: Some(" 城关镇 ".into()),
            kind: Some("township".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.name, "城关镇");
        assert!(ok.active);
    }

    #[test]
    fn head_draft() {
        let h = HeadDraft {
            version: None,
            name: Some("王伟".into()),
            post: Some("镇长".into()),
            kind: Some("正职".into()),
            phone: Some("0574-1234567".into()),
        };
        assert_eq!(h.validate().unwrap().kind, HeadKind::Principal);
        assert_eq!(HeadDraft::default().validate().unwrap_err().0.len(), 3);
    }
}
