//! E-mail over SMTP (lettre, pooled connections, rustls with the system's roots plus an
//! optional CA file). Configured by `HUAJIE_SMTP_URL`:
//! `smtp://host:25` (plain, for a relay inside the intranet), `smtp://user:pass@host:587?tls=starttls`
//! (STARTTLS required), `smtps://user:pass@host:465` (TLS from the start); `HUAJIE_SMTP_FROM`
//! is the sender (`化解系统 <huajie@sfj.gov.cn>`), `HUAJIE_SMTP_CA` a PEM file of an internal CA.

use std::time::Duration;

use huajie_store::notify::{Outgoing, Sent};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    None,
    StartTls,
    Tls,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    pub password: Option<String>,
    pub from: String,
    pub ca_file: Option<String>,
}

fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| "HUAJIE_SMTP_URL 中的 % 编码不完整".to_string())?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| "HUAJIE_SMTP_URL 中的用户名或密码不是有效的 UTF-8".to_string())
}

impl SmtpConfig {
    /// Parses `HUAJIE_SMTP_URL` and the sender; errors are Chinese sentences for the operator.
    pub fn parse(url: &str, from: &str) -> Result<SmtpConfig, String> {
        let url = url.trim();
        let bad = |why: &str| format!("HUAJIE_SMTP_URL“{}”无效：{why}", redact(url));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("应以 smtp:// 或 smtps:// 开头"))?;
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let rest = rest.trim_end_matches('/');
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let mut security = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => Security::None,
            "smtps" => Security::Tls,
            _ => return Err(bad("应以 smtp:// 或 smtps:// 开头")),
        };
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("tls", v)) => {
                    security = match v.to_ascii_lowercase().as_str() {
                        "starttls" | "required" => Security::StartTls,
                        "tls" | "wrapper" => Security::Tls,
                        "none" | "off" => Security::None,
                        _ => return Err(bad("tls 只能是 starttls、tls 或 none")),
                    }
                }
                _ => return Err(bad(&format!("不认识的参数“{pair}”"))),
            }
        }
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| bad("端口应为 1–65535 的数字"))?,
            ),
            None => (hostport, if security == Security::Tls { 465 } else { 25 }),
        };
        if host.is_empty() || host.contains(['/', ' ']) {
            return Err(bad("缺少服务器地址"));
        }
        let (user, password) = match auth {
            Some(a) => match a.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)?), Some(percent_decode(p)?)),
                None => (Some(percent_decode(a)?), None),
            },
            None => (None, None),
        };
        let from = from.trim();
        if from.is_empty() {
            return Err("配置了 HUAJIE_SMTP_URL 时还需要 HUAJIE_SMTP_FROM（发件人，如 化解系统 <huajie@sfj.gov.cn>）".into());
        }
        from.parse::<Mailbox>()
            .map_err(|e| format!("HUAJIE_SMTP_FROM“{from}”不是有效的发件人地址：{e}"))?;
        Ok(SmtpConfig {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            security,
            user,
            password,
            from: from.to_string(),
            ca_file: None,
        })
    }

    /// From the environment; `None` when `HUAJIE_SMTP_URL` is not set (e-mail is optional).
    pub fn from_env() -> Result<Option<SmtpConfig>, String> {
        let Some(url) = std::env::var("HUAJIE_SMTP_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(None);
        };
        let mut c =
            SmtpConfig::parse(&url, &std::env::var("HUAJIE_SMTP_FROM").unwrap_or_default())?;
        c.ca_file = std::env::var("HUAJIE_SMTP_CA")
            .ok()
            .filter(|f| !f.trim().is_empty());
        Ok(Some(c))
    }
}

/// The URL with its password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let auth = &url[s + 3..at];
            match auth.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A pooled SMTP transport and the sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
}

impl Mailer {
    /// A mailer keeping up to 16 connections open.
    pub fn new(c: &SmtpConfig) -> Result<Mailer, String> {
        Self::with_connections(c, 16)
    }

    /// A mailer keeping up to `connections` SMTP connections open (the worker's concurrency).
    pub fn with_connections(c: &SmtpConfig, connections: u32) -> Result<Mailer, String> {
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(c.host.clone())
            .port(c.port)
            .timeout(Some(Duration::from_secs(20)))
            .pool_config(PoolConfig::new().max_size(connections.max(1)));
        if c.security != Security::None {
            let mut tls = TlsParameters::builder(c.host.clone());
            if let Some(f) = &c.ca_file {
                let pem =
                    std::fs::read(f).map_err(|e| format!("无法读取 HUAJIE_SMTP_CA“{f}”：{e}"))?;
                let cert = Certificate::from_pem(&pem)
                    .map_err(|e| format!("HUAJIE_SMTP_CA“{f}”不是 PEM 证书：{e}"))?;
                tls = tls.add_root_certificate(cert);
            }
            let tls = tls
                .build()
                .map_err(|e| format!("邮件服务器的 TLS 设置无效：{e}"))?;
            b = b.tls(match c.security {
                Security::StartTls => Tls::Required(tls),
                _ => Tls::Wrapper(tls),
            });
        }
        if let Some(u) = &c.user {
            b = b.credentials(Credentials::new(
                u.clone(),
                c.password.clone().unwrap_or_default(),
            ));
        }
        let from: Mailbox = c.from.parse().map_err(|e| format!("发件人地址无效：{e}"))?;
        let domain = from.email.domain().to_string();
        Ok(Mailer {
            transport: b.build(),
            from,
            domain,
        })
    }

    /// Sends one delivery as a plain-text mail with a stable Message-ID.
    pub async fn send(&self, o: &Outgoing, link: Option<&str>) -> Sent {
        let to: Mailbox = match o.address.parse() {
            Ok(m) => m,
            Err(e) => return Sent::Permanent(format!("收件地址“{}”无效：{e}", o.address)),
        };
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(o.title.clone())
            .message_id(Some(format!("<{}@{}>", o.key(), self.domain)))
            .header(ContentType::TEXT_PLAIN)
            .body(crate::plain_text(o, link));
        let msg = match msg {
            Ok(m) => m,
            Err(e) => return Sent::Permanent(format!("邮件无法生成：{e}")),
        };
        match self.transport.send(msg).await {
            Ok(_) => Sent::Ok,
            Err(e) if e.is_permanent() => Sent::Permanent(format!("邮件服务器拒收：{e}")),
            Err(e) => Sent::Retry(format!("邮件发送失败：{e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_of_the_contract() {
        let c = SmtpConfig::parse("smtp://mail.sfj.gov.cn:25", "huajie@sfj.gov.cn").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.security),
            ("mail.sfj.gov.cn", 25, Security::None)
        );
        let c = SmtpConfig::parse(
            "smtps://li%40sfj:p%40ss@mail:465",
            "化解系统 <huajie@sfj.gov.cn>",
        )
        .unwrap();
        assert_eq!(c.security, Security::Tls);
        assert_eq!(c.user.as_deref(), Some("li@sfj"));
        assert_eq!(c.password.as_deref(), Some("p@ss"));
        let c = SmtpConfig::parse("smtp://u:p@mail:587?tls=starttls", "a@b.cn").unwrap();
        assert_eq!((c.port, c.security), (587, Security::StartTls));
        for bad in [
            "http://mail",
            "smtp://",
            "smtp://mail:x",
            "smtp://mail?tls=maybe",
            "smtp://mail?x=1",
        ] {
            assert!(SmtpConfig::parse(bad, "a@b.cn").is_err(), "{bad}");
        }
        assert!(SmtpConfig::parse("smtp://mail", "").is_err());
        assert!(SmtpConfig::parse("smtp://mail", "not an address").is_err());
        assert_eq!(redact("smtps://u:secret@h:465"), "smtps://u:***@h:465");
    }
}
