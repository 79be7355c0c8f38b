//! E-mail over SMTP (lettre's protocol over connections kept open here, rustls with the system's roots plus an
//! optional CA file). Configured by `HUAJIE_SMTP_URL`:
//! `smtp://host:25` (plain, for a relay inside the intranet), `smtp://user:pass@host:587?tls=starttls`
//! (STARTTLS required), `smtps://user:pass@host:465` (TLS from the start); `HUAJIE_SMTP_FROM`
//! is the sender (`化解系统 <huajie@sfj.gov.cn>`), `HUAJIE_SMTP_CA` a PEM file of an internal CA.

use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use huajie_store::notify::{Outgoing, Sent};
use lettre::Message;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters,
};
use lettre::transport::smtp::extension::ClientId;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

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

/// Idle connections older than this are closed instead of reused (servers drop idle clients,
/// Postfix after 300 s; lettre's pool also uses 60 s).
const IDLE: Duration = Duration::from_secs(60);
/// Connecting, and each mail, must finish within this.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Implicit TLS (smtps) over rustls, as lettre takes a ready stream.
#[derive(Debug)]
struct TlsStream(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncRead for TlsStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for TlsStream {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

/// How connections are secured once the TCP connection stands.
enum Secure {
    None,
    /// STARTTLS, required (lettre's TLS parameters).
    StartTls(TlsParameters),
    /// TLS from the first byte.
    Wrapper(TlsConnector, ServerName<'static>),
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// SMTP connections kept open and reused, and the sender.
///
/// lettre speaks the protocol; the connections are opened here so that they carry
/// `TCP_NODELAY`: lettre writes a mail's body and its final `.` in two writes, and with Nagle's
/// algorithm the second waits for the server to acknowledge the first, which the server delays
/// (40 ms on Linux) because it answers only after the final `.` — every mail took 40 ms on an
/// idle link, capping one worker near 300 mails/s.
pub struct Mailer {
    host: String,
    port: u16,
    secure: Secure,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: Mutex<Vec<Idle>>,
    max_idle: usize,
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
        let secure = match c.security {
            Security::None => Secure::None,
            Security::StartTls => {
                let mut tls = TlsParameters::builder(c.host.clone());
                if let Some(f) = &c.ca_file {
                    let pem = std::fs::read(f)
                        .map_err(|e| format!("无法读取 HUAJIE_SMTP_CA“{f}”：{e}"))?;
                    let cert = Certificate::from_pem(&pem)
                        .map_err(|e| format!("HUAJIE_SMTP_CA“{f}”不是 PEM 证书：{e}"))?;
                    tls = tls.add_root_certificate(cert);
                }
                Secure::StartTls(
                    tls.build()
                        .map_err(|e| format!("邮件服务器的 TLS 设置无效：{e}"))?,
                )
            }
            Security::Tls => {
                let config = crate::tls::client_config("HUAJIE_SMTP_CA", c.ca_file.as_deref())?;
                let name = ServerName::try_from(c.host.clone())
                    .map_err(|_| format!("邮件服务器地址“{}”不能用于 TLS", c.host))?;
                Secure::Wrapper(TlsConnector::from(config), name)
            }
        };
        let from: Mailbox = c.from.parse().map_err(|e| format!("发件人地址无效：{e}"))?;
        let domain = from.email.domain().to_string();
        Ok(Mailer {
            host: c.host.clone(),
            port: c.port,
            secure,
            credentials: c
                .user
                .as_ref()
                .map(|u| Credentials::new(u.clone(), c.password.clone().unwrap_or_default())),
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
            max_idle: connections.max(1) as usize,
            from,
            domain,
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let tcp =
            tokio::time::timeout(TIMEOUT, TcpStream::connect((self.host.as_str(), self.port)))
                .await
                .map_err(|_| "连接邮件服务器超时".to_string())?
                .map_err(|e| format!("无法连接邮件服务器：{e}"))?;
        tcp.set_nodelay(true)
            .map_err(|e| format!("无法连接邮件服务器：{e}"))?;
        let stream: Box<dyn AsyncTokioStream> = match &self.secure {
            Secure::Wrapper(tls, name) => Box::new(TlsStream(
                tokio::time::timeout(TIMEOUT, tls.connect(name.clone(), tcp))
                    .await
                    .map_err(|_| "与邮件服务器建立 TLS 连接超时".to_string())?
                    .map_err(|e| format!("与邮件服务器建立 TLS 连接失败：{e}"))?,
            )),
            _ => Box::new(tcp),
        };
        let setup = async {
            let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?;
            if let Secure::StartTls(p) = &self.secure {
                conn.starttls(p.clone(), &self.hello).await?;
            }
            if let Some(cr) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], cr).await?;
            }
            Ok::<_, lettre::transport::smtp::Error>(conn)
        };
        tokio::time::timeout(TIMEOUT, setup)
            .await
            .map_err(|_| "邮件服务器响应超时".to_string())?
            .map_err(|e| format!("邮件服务器连接失败：{e}"))
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(i) = idle.pop() {
            if i.since.elapsed() < IDLE && !i.conn.has_broken() {
                return Some(i.conn);
            }
        }
        None
    }

    fn put_back(&self, conn: AsyncSmtpConnection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(Idle {
                conn,
                since: Instant::now(),
            });
        }
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
        let bytes = msg.formatted();
        // A kept connection the server has meanwhile closed fails without an SMTP answer:
        // the mail is tried once more on a new connection.
        let mut reused = true;
        loop {
            let mut conn = match self.take_idle() {
                Some(c) => c,
                None => {
                    reused = false;
                    match self.connect().await {
                        Ok(c) => c,
                        Err(e) => return Sent::Retry(e),
                    }
                }
            };
            match tokio::time::timeout(TIMEOUT, conn.send(msg.envelope(), &bytes)).await {
                Ok(Ok(_)) => {
                    self.put_back(conn);
                    return Sent::Ok;
                }
                // lettre closes the connection on any error.
                Ok(Err(e)) if e.is_permanent() => {
                    return Sent::Permanent(format!("邮件服务器拒收：{e}"));
                }
                Ok(Err(e)) if e.is_transient() || !reused => {
                    return Sent::Retry(format!("邮件发送失败：{e}"));
                }
                Ok(Err(_)) => reused = false,
                Err(_) => {
                    conn.abort().await;
                    return Sent::Retry("邮件服务器响应超时".into());
                }
            }
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
