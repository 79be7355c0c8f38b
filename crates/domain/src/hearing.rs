//! Hearings (开庭) and appearance records (出庭) of agency representatives.

use jiff::civil::DateTime;
use serde::Deserialize;

use crate::error::{FieldError, Invalid, optional_text, text};
use crate::unit::labelled_enum;

labelled_enum!(
    /// Who appeared, by level; only these four are recorded (出庭规定).
    AppearanceLevel {
        PrincipalHead = "principal_head", "主要负责人";
        DeputyHead = "deputy_head", "分管负责人";
        Staff = "staff", "工作人员";
        Lawyer = "lawyer", "律师";
    } "出庭人员层级"
);

impl AppearanceLevel {
    /// A 负责人 appearance (counts for 负责人出庭率).
    pub fn is_head(self) -> bool {
        matches!(self, Self::PrincipalHead | Self::DeputyHead)
    }
}

/// Parses `YYYY-MM-DD HH:MM` (or with `T`) as a local (Beijing) date-time.
pub fn parse_datetime(field: &str, value: &str) -> Result<DateTime, FieldError> {
    let v = value.trim().replacen(' ', "T", 1);
    let ok_shape = v.len() >= 16 && v.as_bytes().get(10) == Some(&b'T');
    match v.parse::<DateTime>() {
        Ok(dt) if ok_shape && (1949..=2100).contains(&dt.year()) => Ok(dt),
        _ => Err(FieldError::new(
            field,
            "invalid_datetime",
            format!(
                "时间“{}”无效，应为“YYYY-MM-DD HH:MM”格式（如2024-05-20 09:30）",
                value.trim()
            ),
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HearingInput {
    pub scheduled_at: DateTime,
    pub place: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HearingDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    /// Local time of the hearing, `YYYY-MM-DD HH:MM`.
    pub scheduled_at: Option<String>,
    /// Court room / place.
    pub place: Option<String>,
    pub note: Option<String>,
}

impl HearingDraft {
    pub fn validate(&self) -> Result<HearingInput, Invalid> {
        let mut inv = Invalid::default();
        let scheduled_at = match self.scheduled_at.as_deref() {
            None => {
                inv.push(FieldError::required("scheduled_at", "开庭时间"));
                None
            }
            Some(s) => parse_datetime("scheduled_at", s)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let place = optional_text(
            "place",
            "开庭地点",
            self.place.as_deref().unwrap_or(""),
            200,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        let note = optional_text("note", "备注", self.note.as_deref().unwrap_or(""), 2000)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        match scheduled_at {
            Some(scheduled_at) if inv.is_empty() => Ok(HearingInput {
                scheduled_at,
                place,
                note,
            }),
            _ => Err(inv),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppearanceInput {
    pub unit_id: Option<i64>,
    pub person_name: String,
    pub post: Option<String>,
    pub level: AppearanceLevel,
    pub appeared: bool,
    pub spoke: bool,
    pub excuse: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppearanceDraft {
    /// Version read before an update: required on PUT, ignored on create.
    pub version: Option<i64>,
    /// The unit this person appeared for.
    pub unit_id: Option<i64>,
    pub person_name: Option<String>,
    /// Post (职务), e.g. 副县长, 局长, 科员.
    pub post: Option<String>,
    /// principal_head, deputy_head, staff or lawyer.
    pub level: Option<String>,
    /// Whether the person was in court (default true).
    pub appeared: Option<bool>,
    /// Whether they spoke in court (出声), default false.
    pub spoke: Option<bool>,
    /// Reason for absence (不可抗力, 意外事件, 公务 …), required when `appeared` is false.
    pub excuse: Option<String>,
}

impl AppearanceDraft {
    pub fn validate(&self) -> Result<AppearanceInput, Invalid> {
        let mut inv = Invalid::default();
        let person_name = text(
            "person_name",
            "出庭人员姓名",
            self.person_name.as_deref().unwrap_or(""),
            50,
        )
        .map_err(|e| inv.push(e))
        .ok();
        let post = optional_text("post", "职务", self.post.as_deref().unwrap_or(""), 50)
            .map_err(|e| inv.push(e))
            .ok()
            .flatten();
        let level = match self.level.as_deref() {
            None => {
                inv.push(FieldError::required("level", "出庭人员层级"));
                None
            }
            Some(l) => AppearanceLevel::parse_field("level", l)
                .map_err(|e| inv.push(e))
                .ok(),
        };
        let appeared = self.appeared.unwrap_or(true);
        let spoke = self.spoke.unwrap_or(false);
        let excuse = optional_text(
            "excuse",
            "未出庭理由",
            self.excuse.as_deref().unwrap_or(""),
            500,
        )
        .map_err(|e| inv.push(e))
        .ok()
        .flatten();
        if !appeared && spoke {
            inv.push(FieldError::new(
                "spoke",
                "absent_cannot_speak",
                "未出庭的人员不能记录为出声",
            ));
        }
        if !appeared && excuse.is_none() && inv.0.iter().all(|e| e.field != "excuse") {
            inv.push(FieldError::new("excuse", "required", "未出庭时须填写理由"));
        }
        match (person_name, level) {
            (Some(person_name), Some(level)) if inv.is_empty() => Ok(AppearanceInput {
                unit_id: self.unit_id,
                person_name,
                post,
                level,
                appeared,
                spoke,
                excuse,
            }),
            _ => Err(inv),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        assert_eq!(
            parse_datetime("t", "2024-05-20 09:30").unwrap().to_string(),
            "2024-05-20T09:30:00"
        );
        assert!(parse_datetime("t", "2024-05-20T09:30").is_ok());
        for bad in [
            "2024-05-20",
            "2024-05-32 09:00",
            "2024-05-20 25:00",
            "明天上午",
        ] {
            assert_eq!(
                parse_datetime("t", bad).unwrap_err().code,
                "invalid_datetime",
                "{bad}"
            );
        }
    }

    #[test]
    fn appearance_rules() {
        let ok = AppearanceDraft {
            person_name: Some("王伟".into()),
            level: Some("分管负责人".into()),
            spoke: Some(true),
            ..Default::default()
        };
        let a = ok.validate().unwrap();
        assert!(a.appeared && a.spoke && a.level.is_head());
        let absent = AppearanceDraft {
            appeared: Some(false),
            spoke: Some(true),
            ..ok.clone()
        };
        let codes: Vec<_> = absent
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes, ["absent_cannot_speak", "required"]);
        let bad_level = AppearanceDraft {
            level: Some("秘书".into()),
            ..ok
        };
        assert_eq!(bad_level.validate().unwrap_err().0[0].code, "unknown_value");
    }

    #[test]
    fn hearing() {
        assert_eq!(
            HearingDraft::default().validate().unwrap_err().0[0].code,
            "required"
        );
        let h = HearingDraft {
            version: None,
            scheduled_at: Some("2024-05-20 09:30".into()),
            place: Some("第三法庭".into()),
            note: None,
        };
        assert_eq!(h.validate().unwrap().place.as_deref(), Some("第三法庭"));
    }
}
