//! Notifications (消息通知): what kinds of message there are, the jurisdiction's sending rules
//! (提醒规则) with their shipped defaults, a user's preferences (channels per kind, quiet hours,
//! daily digest), contact fields, and the HTTP gateways (短信平台, 浙政钉, 企业微信) with their body
//! templates. Pure: the store writes messages and deliveries, the notify crate sends them.

use std::collections::BTreeMap;

use jiff::civil::Time;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid, check_chars, optional_text, text};
use crate::unit::labelled_enum;

labelled_enum!(
    /// Kind of message; each kind has its own channel choice in a user's preferences.
    MessageKind {
        NewObligation = "new_obligation", "新的报送事项";
        DueSoon = "due_soon", "即将到期";
        Overdue = "overdue", "已逾期";
        Escalation = "escalation", "逾期督促";
        SubmissionReturned = "submission_returned", "报送被退回";
        SubmissionAccepted = "submission_accepted", "报送已通过";
        SubmissionToReview = "submission_to_review", "待审核的报送";
        HearingTomorrow = "hearing_tomorrow", "明日开庭";
        WorkItem = "work_item", "预警与督办";
        Digest = "digest", "每日汇总";
    } "消息类别"
);

labelled_enum!(
    /// A channel besides the inbox (the inbox always receives every message).
    Channel {
        Email = "email", "电子邮件";
        Im = "im", "短信/政务消息";
    } "通知渠道"
);

labelled_enum!(
    /// What a delivery is doing.
    DeliveryStatus {
        Queued = "queued", "待发送";
        Sending = "sending", "发送中";
        Sent = "sent", "已发送";
        Failed = "failed", "发送失败";
        Held = "held", "并入每日汇总";
        Digested = "digested", "已汇总发送";
    } "发送状态"
);

labelled_enum!(
    /// What a gateway is, for the people configuring it (the request itself is the template).
    GatewayKind {
        Sms = "sms", "短信平台";
        Dingtalk = "dingtalk", "政务钉钉（浙政钉）";
        Wecom = "wecom", "企业微信（政务微信）";
        Other = "other", "其他 HTTP 接口";
    } "接口类别"
);

/// Beijing time (UTC+8), the zone quiet hours and reminder hours are read in.
pub fn beijing() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

/// Quiet hours (免打扰时段) in Beijing time: no SMS or IM message goes out between `start` and
/// `end` (an interval across midnight when `start > end`). E-mail and the inbox are not held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuietHours {
    /// "22:00"
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub start: Time,
    /// "07:30"
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub end: Time,
}

impl QuietHours {
    pub fn contains(&self, t: Time) -> bool {
        if self.start == self.end {
            false
        } else if self.start < self.end {
            t >= self.start && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// The first instant at or after `now` outside the quiet hours.
    pub fn release(&self, now: Timestamp) -> Timestamp {
        let z = now.to_zoned(beijing());
        if !self.contains(z.time()) {
            return now;
        }
        let mut day = z.date();
        if self.start > self.end && z.time() >= self.start {
            day = day.tomorrow().unwrap_or(day);
        }
        day.to_datetime(self.end)
            .to_zoned(beijing())
            .map(|z| z.timestamp())
            .unwrap_or(now)
    }

    pub fn label(&self) -> String {
        format!(
            "{} 至 {}",
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M")
        )
    }
}

/// A message as its recipient sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    pub kind: MessageKind,
    pub kind_label: String,
    pub title: String,
    pub body: String,
    /// Path of the case or item it is about.
    pub link: Option<String>,
    pub proceeding_id: Option<i64>,
    pub deadline_id: Option<i64>,
    pub work_item_id: Option<i64>,
    pub created_at: String,
    pub read: bool,
    pub read_at: Option<String>,
}

/// One delivery in the ledger (投递记录).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    pub message_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub title: String,
    pub channel: Channel,
    /// 电子邮件, or the gateway's name.
    pub channel_label: String,
    pub address: String,
    pub status: DeliveryStatus,
    pub status_label: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub not_before: String,
    pub sent_at: Option<String>,
    pub created_at: String,
    /// The recipient has read the message in the inbox.
    pub read: bool,
}

/// A channel's state over the last day, for the bureau (渠道状态).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelHealth {
    pub channel: Channel,
    pub gateway_id: Option<i64>,
    pub label: String,
    pub sent: i64,
    pub failed: i64,
    /// Waiting (queued, sending, held in quiet hours) now.
    pub waiting: i64,
    /// Failures and retries since the last success.
    pub failing: bool,
    pub last_error: Option<String>,
}

/// Parses "HH:MM" for a field.
pub fn parse_hm(field: &str, label: &str, v: &str) -> Result<Time, FieldError> {
    let v = v.trim();
    let bad = || {
        FieldError::new(
            field,
            "invalid_time",
            format!("{label}“{v}”无效，应为 时:分（如 22:00）"),
        )
    };
    let (h, m) = v.split_once([':', '：']).ok_or_else(bad)?;
    let h: i8 = h.trim().parse().map_err(|_| bad())?;
    let m: i8 = m.trim().parse().map_err(|_| bad())?;
    Time::new(h, m, 0, 0).map_err(|_| bad())
}

/// A jurisdiction's sending rules (提醒规则), stored as JSON in `settings`; every field has a shipped default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct NotifyRules {
    /// Reminders this many days before an obligation is due (default 3 and 1).
    pub due_before: Vec<u8>,
    /// Tell the owing unit's clerks on the first day an obligation is overdue.
    pub overdue_to_clerk: bool,
    /// Days overdue after which the unit's heads (users with the 单位负责人 role) are told; 0 = never.
    pub escalate_to_head_after: u8,
    /// Days overdue after which the bureau's coordinators are told; 0 = never.
    pub escalate_to_bureau_after: u8,
    /// The hour (Beijing) on the day before a hearing when its reminder goes out.
    pub hearing_reminder_hour: u8,
    /// Quiet hours that apply unless a user sets their own.
    pub quiet_hours: QuietHours,
    /// The hour (Beijing) of the daily digest for users who chose it.
    pub digest_hour: u8,
    /// Channels each kind goes to for users who have not chosen (besides the inbox).
    pub default_channels: BTreeMap<MessageKind, Vec<Channel>>,
    /// Kinds this jurisdiction does not send at all (the inbox included).
    pub disabled: Vec<MessageKind>,
}

impl Default for NotifyRules {
    fn default() -> Self {
        let mut default_channels = BTreeMap::new();
        for k in MessageKind::ALL {
            // Contract: e-mail for every user with an address until they choose.
            let mut c = vec![Channel::Email];
            // 观山湖 (source 001): the head is texted the day before every hearing.
            if matches!(k, MessageKind::HearingTomorrow | MessageKind::Escalation) {
                c.push(Channel::Im);
            }
            default_channels.insert(*k, c);
        }
        NotifyRules {
            due_before: vec![3, 1],
            overdue_to_clerk: true,
            escalate_to_head_after: 3,
            escalate_to_bureau_after: 7,
            hearing_reminder_hour: 16,
            quiet_hours: QuietHours {
                start: Time::constant(22, 0, 0, 0),
                end: Time::constant(7, 30, 0, 0),
            },
            digest_hour: 8,
            default_channels,
            disabled: Vec::new(),
        }
    }
}

impl NotifyRules {
    pub fn from_json(s: &str) -> Result<NotifyRules, Invalid> {
        let r: NotifyRules = serde_json::from_str(s).map_err(|e| {
            FieldError::new("rules", "invalid_rules", format!("提醒规则无法读取：{e}"))
        })?;
        r.check()?;
        Ok(r)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn check(&self) -> Result<(), Invalid> {
        let mut inv = Invalid::default();
        if self.due_before.iter().any(|d| *d == 0 || *d > 30) || self.due_before.len() > 5 {
            inv.push(FieldError::new(
                "due_before",
                "out_of_range",
                "到期前提醒天数应为 1 至 30 天，最多 5 个",
            ));
        }
        for (field, label, v) in [
            (
                "escalate_to_head_after",
                "逾期告知单位负责人的天数",
                self.escalate_to_head_after,
            ),
            (
                "escalate_to_bureau_after",
                "逾期告知司法局的天数",
                self.escalate_to_bureau_after,
            ),
        ] {
            if v > 60 {
                inv.push(FieldError::new(
                    field,
                    "out_of_range",
                    format!("{label}应在 0 至 60 之间（0 表示不告知）"),
                ));
            }
        }
        if self.escalate_to_head_after > 0
            && self.escalate_to_bureau_after > 0
            && self.escalate_to_bureau_after <= self.escalate_to_head_after
        {
            inv.push(FieldError::new(
                "escalate_to_bureau_after",
                "ladder_order",
                "逾期告知司法局的天数应大于告知单位负责人的天数（逐级上报）",
            ));
        }
        for (field, label, v) in [
            (
                "hearing_reminder_hour",
                "开庭前一日提醒的时刻",
                self.hearing_reminder_hour,
            ),
            ("digest_hour", "每日汇总的时刻", self.digest_hour),
        ] {
            if v > 23 {
                inv.push(FieldError::new(
                    field,
                    "out_of_range",
                    format!("{label}应为 0 至 23 点"),
                ));
            }
        }
        inv.into_result(())
    }

    pub fn channels_for(&self, kind: MessageKind) -> Vec<Channel> {
        self.default_channels
            .get(&kind)
            .cloned()
            .unwrap_or_default()
    }

    pub fn sends(&self, kind: MessageKind) -> bool {
        !self.disabled.contains(&kind)
    }
}

/// The rules form (规则以中文表单编辑): text fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RulesDraft {
    pub version: Option<i64>,
    /// "3,1"
    pub due_before: Option<String>,
    pub overdue_to_clerk: Option<bool>,
    pub escalate_to_head_after: Option<String>,
    pub escalate_to_bureau_after: Option<String>,
    pub hearing_reminder_hour: Option<String>,
    /// "22:00"
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub digest_hour: Option<String>,
    /// Per kind code: channel codes.
    #[serde(default)]
    pub default_channels: BTreeMap<String, Vec<String>>,
    /// Kind codes not sent at all.
    #[serde(default)]
    pub disabled: Vec<String>,
}

fn small_number(inv: &mut Invalid, field: &str, label: &str, v: Option<&str>, default: u8) -> u8 {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => default,
        Some(v) => v.parse::<u8>().unwrap_or_else(|_| {
            inv.push(FieldError::new(
                field,
                "invalid_number",
                format!("{label}“{v}”不是整数"),
            ));
            default
        }),
    }
}

impl RulesDraft {
    pub fn validate(&self) -> Result<NotifyRules, Invalid> {
        let d = NotifyRules::default();
        let mut inv = Invalid::default();
        let due_before = match self.due_before.as_deref().map(str::trim) {
            None => d.due_before.clone(),
            Some("") => Vec::new(),
            Some(v) => {
                let mut out = Vec::new();
                for p in v.split([',', '，', '、', ' ']).filter(|p| !p.is_empty()) {
                    match p.parse::<u8>() {
                        Ok(n) => out.push(n),
                        Err(_) => inv.push(FieldError::new(
                            "due_before",
                            "invalid_number",
                            format!("到期前提醒天数“{p}”不是整数"),
                        )),
                    }
                }
                out.sort_unstable_by(|a, b| b.cmp(a));
                out.dedup();
                out
            }
        };
        let head = small_number(
            &mut inv,
            "escalate_to_head_after",
            "逾期告知单位负责人的天数",
            self.escalate_to_head_after.as_deref(),
            d.escalate_to_head_after,
        );
        let bureau = small_number(
            &mut inv,
            "escalate_to_bureau_after",
            "逾期告知司法局的天数",
            self.escalate_to_bureau_after.as_deref(),
            d.escalate_to_bureau_after,
        );
        let hearing = small_number(
            &mut inv,
            "hearing_reminder_hour",
            "开庭前一日提醒的时刻",
            self.hearing_reminder_hour.as_deref(),
            d.hearing_reminder_hour,
        );
        let digest = small_number(
            &mut inv,
            "digest_hour",
            "每日汇总的时刻",
            self.digest_hour.as_deref(),
            d.digest_hour,
        );
        let start = match self.quiet_start.as_deref() {
            Some(v) if !v.trim().is_empty() => parse_hm("quiet_start", "免打扰开始时间", v)
                .map_err(|e| inv.push(e))
                .ok(),
            _ => Some(d.quiet_hours.start),
        };
        let end = match self.quiet_end.as_deref() {
            Some(v) if !v.trim().is_empty() => parse_hm("quiet_end", "免打扰结束时间", v)
                .map_err(|e| inv.push(e))
                .ok(),
            _ => Some(d.quiet_hours.end),
        };
        let mut default_channels = BTreeMap::new();
        for k in MessageKind::ALL {
            default_channels.insert(*k, Vec::new());
        }
        if self.default_channels.is_empty() {
            default_channels = d.default_channels.clone();
        }
        for (k, chans) in &self.default_channels {
            let Ok(kind) = MessageKind::parse_field("default_channels", k).map_err(|e| inv.push(e))
            else {
                continue;
            };
            let mut list = Vec::new();
            for c in chans {
                if let Ok(c) = Channel::parse_field("default_channels", c).map_err(|e| inv.push(e))
                    && !list.contains(&c)
                {
                    list.push(c);
                }
            }
            default_channels.insert(kind, list);
        }
        let mut disabled = Vec::new();
        for k in &self.disabled {
            if let Ok(k) = MessageKind::parse_field("disabled", k).map_err(|e| inv.push(e))
                && !disabled.contains(&k)
            {
                disabled.push(k);
            }
        }
        let rules = NotifyRules {
            due_before,
            overdue_to_clerk: self.overdue_to_clerk.unwrap_or(false),
            escalate_to_head_after: head,
            escalate_to_bureau_after: bureau,
            hearing_reminder_hour: hearing,
            quiet_hours: QuietHours {
                start: start.unwrap_or(d.quiet_hours.start),
                end: end.unwrap_or(d.quiet_hours.end),
            },
            digest_hour: digest,
            default_channels,
            disabled,
        };
        if let Err(e) = rules.check() {
            inv.extend(e);
        }
        inv.into_result(rules)
    }
}

/// A user's own choices; absent fields follow the jurisdiction's rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Preferences {
    /// Channels per kind (the inbox always); a kind not listed follows the rules' default.
    pub channels: BTreeMap<MessageKind, Vec<Channel>>,
    /// Own quiet hours instead of the jurisdiction's.
    pub quiet_hours: Option<QuietHours>,
    /// One e-mail / message a day instead of one per message (the inbox still gets each).
    pub digest: bool,
}

impl Preferences {
    pub fn from_json(s: Option<&str>) -> Preferences {
        s.and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    pub fn channels(&self, rules: &NotifyRules, kind: MessageKind) -> Vec<Channel> {
        self.channels
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| rules.channels_for(kind))
    }

    pub fn quiet(&self, rules: &NotifyRules) -> QuietHours {
        self.quiet_hours.unwrap_or(rules.quiet_hours)
    }
}

/// The 通知设置 form / API body: contacts and preferences together.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreferencesDraft {
    /// E-mail address ("" clears it).
    pub email: Option<String>,
    /// Mobile number ("" clears it).
    pub mobile: Option<String>,
    /// Per kind code: channel codes ("email", "im"). Kinds not given follow the rules.
    #[serde(default)]
    pub channels: BTreeMap<String, Vec<String>>,
    /// "22:00"; both empty = the jurisdiction's quiet hours.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    #[serde(default)]
    pub digest: bool,
}

/// Contacts of a user: `None` = leave as is, `Some(None)` = clear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contacts {
    pub email: Option<Option<String>>,
    pub mobile: Option<Option<String>>,
}

impl PreferencesDraft {
    pub fn validate(&self) -> Result<(Contacts, Preferences), Invalid> {
        let mut inv = Invalid::default();
        let contacts = Contacts {
            email: self
                .email
                .as_deref()
                .map(|v| email("email", v).map_err(|e| inv.push(e)).ok().flatten()),
            mobile: self
                .mobile
                .as_deref()
                .map(|v| mobile("mobile", v).map_err(|e| inv.push(e)).ok().flatten()),
        };
        let mut channels = BTreeMap::new();
        for (k, list) in &self.channels {
            let Ok(kind) = MessageKind::parse_field("channels", k).map_err(|e| inv.push(e)) else {
                continue;
            };
            let mut out = Vec::new();
            for c in list {
                if let Ok(c) = Channel::parse_field("channels", c).map_err(|e| inv.push(e))
                    && !out.contains(&c)
                {
                    out.push(c);
                }
            }
            channels.insert(kind, out);
        }
        let start = self
            .quiet_start
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let end = self
            .quiet_end
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let quiet_hours = match (start, end) {
            (None, None) => None,
            (Some(s), Some(e)) => {
                let s = parse_hm("quiet_start", "免打扰开始时间", s)
                    .map_err(|e| inv.push(e))
                    .ok();
                let e = parse_hm("quiet_end", "免打扰结束时间", e)
                    .map_err(|e| inv.push(e))
                    .ok();
                s.zip(e).map(|(start, end)| QuietHours { start, end })
            }
            (None, Some(_)) => {
                inv.push(FieldError::required("quiet_start", "免打扰开始时间"));
                None
            }
            (Some(_), None) => {
                inv.push(FieldError::required("quiet_end", "免打扰结束时间"));
                None
            }
        };
        inv.into_result((
            contacts,
            Preferences {
                channels,
                quiet_hours,
                digest: self.digest,
            },
        ))
    }
}

/// An e-mail address: one `@`, a dotted domain, no blanks; "" = none.
pub fn email(field: &str, v: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = optional_text(field, "电子邮箱", v, 120)? else {
        return Ok(None);
    };
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(|c| {
                    c.is_whitespace()
                        || matches!(
                            c,
                            '<' | '>' | ',' | ';' | '"' | '(' | ')' | '[' | ']' | '\\'
                        )
                })
        }
        None => false,
    };
    if ok {
        Ok(Some(v))
    } else {
        Err(FieldError::new(
            field,
            "invalid_email",
            format!("电子邮箱“{v}”格式不正确"),
        ))
    }
}

/// A mainland mobile number (11 digits starting with 1; "+86"/"86" and separators dropped);
/// "" = none.
pub fn mobile(field: &str, v: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = optional_text(field, "手机号码", v, 20)? else {
        return Ok(None);
    };
    let digits: String = v
        .trim_start_matches('+')
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let digits = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(&digits);
    if digits.len() == 11 && digits.starts_with('1') && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(Some(digits.to_string()))
    } else {
        Err(FieldError::new(
            field,
            "invalid_mobile",
            format!("手机号码“{v}”应为 11 位数字，以 1 开头"),
        ))
    }
}

labelled_enum!(
    /// HTTP method of a gateway.
    GatewayMethod {
        Post = "POST", "POST";
        Put = "PUT", "PUT";
        Get = "GET", "GET";
    } "请求方式"
);

/// A configured HTTP gateway for SMS / government IM.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gateway {
    pub id: i64,
    pub jurisdiction_id: i64,
    pub name: String,
    pub kind: GatewayKind,
    /// http:// or https:// URL; `{{mobile}}` etc. may appear in a GET URL.
    pub url: String,
    pub method: GatewayMethod,
    /// "Name: value" lines; `${ENV}` is replaced from the server's environment when sending.
    pub headers: String,
    /// Request body; placeholders `{{mobile}}`, `{{title}}`, `{{text}}`, `{{link}}`, `{{key}}`.
    pub body_template: String,
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatewayDraft {
    pub version: Option<i64>,
    pub name: Option<String>,
    /// sms, dingtalk, wecom or other.
    pub kind: Option<String>,
    pub url: Option<String>,
    /// POST (default), PUT or GET.
    pub method: Option<String>,
    pub headers: Option<String>,
    pub body_template: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GatewayInput {
    pub name: String,
    pub kind: GatewayKind,
    pub url: String,
    pub method: GatewayMethod,
    pub headers: String,
    pub body_template: String,
    pub active: bool,
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("mobile", "收件人手机号码"),
    ("title", "消息标题"),
    ("text", "消息正文（标题与正文）"),
    ("link", "消息链接"),
    ("key", "幂等键（同一条消息重发时不变）"),
];

/// "Name: value" lines of a gateway's headers, checked.
pub fn parse_headers(field: &str, v: &str) -> Result<Vec<(String, String)>, FieldError> {
    let mut out = Vec::new();
    for (i, line) in v.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| {
            FieldError::new(field, "invalid_header", format!("请求头第{}行{why}", i + 1))
        };
        let (name, value) = line.split_once(':').ok_or_else(|| bad("应为“名称: 值”"))?;
        let name = name.trim();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad("的名称只能由字母、数字和连字符组成"));
        }
        out.push((name.to_string(), value.trim().to_string()));
    }
    Ok(out)
}

impl GatewayDraft {
    pub fn validate(&self) -> Result<GatewayInput, Invalid> {
        let mut inv = Invalid::default();
        let name = text("name", "名称", self.name.as_deref().unwrap_or(""), 50)
            .map_err(|e| inv.push(e))
            .ok();
        let kind = GatewayKind::parse_field("kind", self.kind.as_deref().unwrap_or("sms"))
            .map_err(|e| inv.push(e))
            .ok();
        let method = GatewayMethod::parse_field(
            "method",
            &self
                .method
                .as_deref()
                .unwrap_or("POST")
                .to_ascii_uppercase(),
        )
        .map_err(|e| inv.push(e))
        .ok();
        let url = text("url", "接口地址", self.url.as_deref().unwrap_or(""), 500)
            .map_err(|e| inv.push(e))
            .ok();
        if let Some(u) = &url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            inv.push(FieldError::new(
                "url",
                "invalid_url",
                "接口地址应以 http:// 或 https:// 开头",
            ));
        }
        let headers = self.headers.clone().unwrap_or_default();
        if headers.chars().count() > 4000 {
            inv.push(FieldError::new(
                "headers",
                "too_long",
                "请求头不能超过4000个字符",
            ));
        } else if let Err(e) = check_chars("headers", "请求头", &headers, true)
            .and_then(|_| parse_headers("headers", &headers))
        {
            inv.push(e);
        }
        let body = self.body_template.clone().unwrap_or_default();
        if body.chars().count() > 4000 {
            inv.push(FieldError::new(
                "body_template",
                "too_long",
                "请求体模板不能超过4000个字符",
            ));
        } else if let Err(e) = check_chars("body_template", "请求体模板", &body, true) {
            inv.push(e);
        } else if let Some(bad) =
            unknown_placeholder(&body).or_else(|| url.as_deref().and_then(unknown_placeholder))
        {
            inv.push(FieldError::new(
                "body_template",
                "unknown_placeholder",
                format!(
                    "模板中的“{{{{{bad}}}}}”无法识别，可用：{}",
                    PLACEHOLDERS
                        .iter()
                        .map(|(p, l)| format!("{{{{{p}}}}}（{l}）"))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ));
        }
        if method != Some(GatewayMethod::Get) && body.trim().is_empty() {
            inv.push(FieldError::required("body_template", "请求体模板"));
        }
        match (name, kind, url, method) {
            (Some(name), Some(kind), Some(url), Some(method)) if inv.is_empty() => {
                Ok(GatewayInput {
                    name,
                    kind,
                    url,
                    method,
                    headers: headers.trim().to_string(),
                    body_template: body,
                    active: self.active.unwrap_or(true),
                })
            }
            _ => Err(inv),
        }
    }
}

fn unknown_placeholder(t: &str) -> Option<String> {
    let mut rest = t;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            return Some(after.chars().take(20).collect());
        };
        let name = after[..j].trim();
        if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
            return Some(name.to_string());
        }
        rest = &after[j + 2..];
    }
    None
}

/// How values are escaped into a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Inside a JSON string literal.
    Json,
    /// application/x-www-form-urlencoded or a URL query.
    Form,
    Raw,
}

/// The escape that fits the request's Content-Type (JSON when unsure and the template looks like JSON).
pub fn escape_for(headers: &[(String, String)], template: &str) -> Escape {
    let ct = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase());
    match ct {
        Some(c) if c.contains("json") => Escape::Json,
        Some(c) if c.contains("x-www-form-urlencoded") => Escape::Form,
        Some(_) => Escape::Raw,
        None if template.trim_start().starts_with(['{', '[']) => Escape::Json,
        None => Escape::Form,
    }
}

/// Fills a template's placeholders with escaped values.
pub fn render(template: &str, vars: &[(&str, &str)], esc: Escape) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j) => {
                let name = after[..j].trim();
                match vars.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(&escape(v, esc)),
                    None => out.push_str(&rest[i..i + 2 + j + 2]),
                }
                rest = &after[j + 2..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn escape(v: &str, esc: Escape) -> String {
    match esc {
        Escape::Raw => v.to_string(),
        Escape::Json => {
            let s = serde_json::to_string(v).unwrap_or_default();
            s[1..s.len() - 1].to_string()
        }
        Escape::Form => {
            let mut out = String::new();
            for b in v.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        out.push(b as char)
                    }
                    _ => out.push_str(&format!("%{b:02X}")),
                }
            }
            out
        }
    }
}

/// Retry delay after `attempts` failed attempts: 30 s, 1, 2, 4 … minutes, at most 32 minutes.
pub fn backoff(attempts: i64) -> jiff::SignedDuration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 7).saturating_sub(1).max(0));
    jiff::SignedDuration::from_secs(secs)
}

/// Attempts after which a delivery is given up as failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// The instant a reminder hour of a day falls on (Beijing).
pub fn at_hour(day: jiff::civil::Date, hour: u8) -> Timestamp {
    day.to_datetime(Time::constant(0, 0, 0, 0))
        .checked_add((hour.min(23) as i64).hours())
        .ok()
        .and_then(|dt| dt.to_zoned(beijing()).ok())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn quiet_hours_hold_night_messages_until_morning() {
        let q = NotifyRules::default().quiet_hours; // 22:00–07:30 Beijing
        // 23:00 Beijing = 15:00 UTC → released 07:30 Beijing next day = 23:30 UTC.
        assert_eq!(
            q.release(ts("2026-03-02T15:00:00Z")),
            ts("2026-03-02T23:30:00Z")
        );
        // 06:00 Beijing → 07:30 the same day.
        assert_eq!(
            q.release(ts("2026-03-02T22:00:00Z")),
            ts("2026-03-02T23:30:00Z")
        );
        // 12:00 Beijing is not quiet.
        assert_eq!(
            q.release(ts("2026-03-02T04:00:00Z")),
            ts("2026-03-02T04:00:00Z")
        );
        let day = QuietHours {
            start: Time::constant(12, 0, 0, 0),
            end: Time::constant(14, 0, 0, 0),
        };
        assert!(day.contains(Time::constant(13, 0, 0, 0)));
        assert!(!day.contains(Time::constant(14, 0, 0, 0)));
    }

    #[test]
    fn rules_round_trip_and_ladder_order() {
        let r = NotifyRules::default();
        assert_eq!(NotifyRules::from_json(&r.to_json()).unwrap(), r);
        let bad = RulesDraft {
            escalate_to_head_after: Some("5".into()),
            escalate_to_bureau_after: Some("3".into()),
            ..Default::default()
        };
        assert_eq!(bad.validate().unwrap_err().0[0].code, "ladder_order");
        let ok = RulesDraft {
            due_before: Some("1，5、3".into()),
            quiet_start: Some("21：30".into()),
            ..Default::default()
        };
        let r = ok.validate().unwrap();
        assert_eq!(r.due_before, vec![5, 3, 1]);
        assert_eq!(r.quiet_hours.start, Time::constant(21, 30, 0, 0));
    }

    #[test]
    fn contacts_are_checked() {
        assert_eq!(
            mobile("m", "+86 138-0000-1234").unwrap().unwrap(),
            "13800001234"
        );
        assert_eq!(mobile("m", "").unwrap(), None);
        assert_eq!(mobile("m", "12345").unwrap_err().code, "invalid_mobile");
        assert_eq!(
            email("e", "li@sfj.gov.cn").unwrap().unwrap(),
            "li@sfj.gov.cn"
        );
        for bad in ["li", "li@gov", "a b@c.cn", "a@b@c.cn", "<a@b.cn>"] {
            assert_eq!(email("e", bad).unwrap_err().code, "invalid_email", "{bad}");
        }
    }

    #[test]
    fn templates_escape_for_their_format() {
        let vars = [("mobile", "13800001234"), ("text", "明日开庭\n\"注意\"")];
        assert_eq!(
            render(
                r#"{"to":"{{mobile}}","msg":"{{ text }}"}"#,
                &vars,
                Escape::Json
            ),
            r#"{"to":"13800001234","msg":"明日开庭\n\"注意\""}"#
        );
        assert_eq!(
            render("m={{mobile}}&t={{text}}", &vars[..1], Escape::Form),
            "m=13800001234&t={{text}}"
        );
        let d = GatewayDraft {
            name: Some("短信".into()),
            url: Some("http://10.0.0.1/sms".into()),
            body_template: Some("{{phone}}".into()),
            ..Default::default()
        };
        assert_eq!(d.validate().unwrap_err().0[0].code, "unknown_placeholder");
        assert_eq!(
            parse_headers("h", "Authorization Bearer").unwrap_err().code,
            "invalid_header"
        );
    }

    #[test]
    fn backoff_grows_to_an_hour() {
        assert_eq!(backoff(1).as_secs(), 30);
        assert_eq!(backoff(2).as_secs(), 60);
        assert_eq!(backoff(7).as_secs(), 1920);
        assert_eq!(backoff(50).as_secs(), 1920);
    }

    proptest! {
        #[test]
        fn parsers_of_user_text_never_panic(s in "\\PC{0,40}") {
            let _ = email("e", &s);
            let _ = mobile("m", &s);
            let _ = parse_hm("t", "时间", &s);
            let _ = parse_headers("h", &s);
            let _ = render(&s, &[("text", "x")], Escape::Json);
            let _ = unknown_placeholder(&s);
            let _ = NotifyRules::from_json(&s);
        }
    }
}
