//! A minimal SMTP receiver (收信端) for the test suite and the benchmark: it speaks enough SMTP
//! for lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every mail it accepts, can be
//! slowed down to catch a worker mid-batch, and decodes the Chinese subject and body back.
//! Never used by the product itself.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A connection the sink speaks SMTP on: TCP, or TLS over it.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How the sink offers TLS.
#[derive(Clone)]
pub enum SinkTls {
    /// TLS from the first byte (smtps, port 465).
    Implicit(TlsAcceptor),
    /// STARTTLS advertised and honoured.
    StartTls(TlsAcceptor),
}

impl SinkTls {
    /// An acceptor for a PEM certificate chain and key (the test suite makes them with openssl).
    pub fn acceptor(
        cert_pem: &std::path::Path,
        key_pem: &std::path::Path,
    ) -> Result<TlsAcceptor, String> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        let certs = CertificateDer::pem_file_iter(cert_pem)
            .map_err(|e| e.to_string())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let key = PrivateKeyDer::from_pem_file(key_pem).map_err(|e| e.to_string())?;
        #[allow(deprecated)]
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| e.to_string())?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// One received mail.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body, dot-unstuffed).
    pub data: String,
    /// When it was accepted.
    pub at: std::time::Instant,
    /// Whether it came over TLS (implicit or after STARTTLS).
    pub tls: bool,
}

impl Mail {
    /// A header's raw value (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut out: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = &mut out {
                if line.starts_with([' ', '\t']) {
                    v.push(' ');
                    v.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                out = Some(v.trim().to_string());
            }
        }
        out
    }

    /// The subject with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    pub fn message_id(&self) -> String {
        self.header("Message-ID").unwrap_or_default()
    }

    /// The body decoded (base64 or quoted-printable as the header says).
    pub fn text(&self) -> String {
        let body = self
            .data
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .unwrap_or("");
        match self
            .header("Content-Transfer-Encoding")
            .map(|e| e.to_ascii_lowercase())
        {
            Some(e) if e == "base64" => {
                String::from_utf8_lossy(&base64(&body.replace("\r\n", ""))).into_owned()
            }
            Some(e) if e == "quoted-printable" => quoted_printable(body),
            _ => body.to_string(),
        }
    }
}

fn decode_words(v: &str) -> String {
    // Adjacent encoded words join as bytes: a character may be split between two of them.
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new();
    for part in v.split_whitespace() {
        let lower = part.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && part.ends_with("?=") {
            bytes.extend(base64(&part[10..part.len() - 2]));
        } else if lower.starts_with("=?utf-8?q?") && part.ends_with("?=") {
            bytes.extend(quoted_printable_bytes(
                &part[10..part.len() - 2].replace('_', " "),
            ));
        } else {
            out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut bytes)));
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(part);
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let Some(v) = val(c) else { continue };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

fn quoted_printable(s: &str) -> String {
    String::from_utf8_lossy(&quoted_printable_bytes(s)).into_owned()
}

fn quoted_printable_bytes(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// A running sink.
#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    delay: Arc<Mutex<Duration>>,
    /// Refuse RCPT for these addresses with a permanent 550.
    refuse: Arc<Mutex<Vec<String>>>,
    tls: Option<SinkTls>,
    /// Close the connection after each accepted mail (a server dropping its clients).
    hang_up: Arc<std::sync::atomic::AtomicBool>,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
}

impl Sink {
    /// Starts a sink on 127.0.0.1 at a free port.
    pub async fn start() -> std::io::Result<Sink> {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> std::io::Result<Sink> {
        Self::start_with(port, None).await
    }

    /// A sink offering TLS, at a free port.
    pub async fn start_tls(tls: SinkTls) -> std::io::Result<Sink> {
        Self::start_with(0, Some(tls)).await
    }

    async fn start_with(port: u16, tls: Option<SinkTls>) -> std::io::Result<Sink> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let sink = Sink {
            port: listener.local_addr()?.port(),
            mails: Arc::default(),
            delay: Arc::default(),
            refuse: Arc::default(),
            tls,
            hang_up: Arc::default(),
            accepted: Arc::default(),
        };
        let me = sink.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                me.accepted
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let me = me.clone();
                tokio::spawn(async move {
                    let _ = match &me.tls {
                        Some(SinkTls::Implicit(a)) => match a.accept(sock).await {
                            Ok(s) => me.session(Box::new(s), true).await,
                            Err(_) => Ok(()),
                        },
                        _ => me.session(Box::new(sock), false).await,
                    };
                });
            }
        });
        Ok(sink)
    }

    /// The `HUAJIE_SMTP_URL` of this sink (`smtps://` or `?tls=starttls` when it offers TLS;
    /// the host is `localhost`, the name on the test certificate).
    pub fn url(&self) -> String {
        match &self.tls {
            None => format!("smtp://127.0.0.1:{}", self.port),
            Some(SinkTls::Implicit(_)) => format!("smtps://localhost:{}", self.port),
            Some(SinkTls::StartTls(_)) => format!("smtp://localhost:{}?tls=starttls", self.port),
        }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        self.mails.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Each DATA is answered after this long.
    pub fn set_delay(&self, d: Duration) {
        if let Ok(mut x) = self.delay.lock() {
            *x = d;
        }
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// From now on, close each connection once its mail is accepted.
    pub fn hang_up_after_each_mail(&self) {
        self.hang_up
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn refuse(&self, address: &str) {
        if let Ok(mut r) = self.refuse.lock() {
            r.push(address.to_string());
        }
    }

    fn session(
        &self,
        sock: Box<dyn Io>,
        secured: bool,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send + '_>> {
        Box::pin(self.speak(sock, secured))
    }

    async fn speak(&self, sock: Box<dyn Io>, secured: bool) -> std::io::Result<()> {
        let mut r = BufReader::new(sock);
        if !secured || !matches!(self.tls, Some(SinkTls::StartTls(_))) {
            r.get_mut().write_all(b"220 huajie-sink ESMTP\r\n").await?;
        }
        let offer_starttls = !secured && matches!(self.tls, Some(SinkTls::StartTls(_)));
        let mut from = String::new();
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let cmd = line.trim_end().to_string();
            let upper = cmd.to_ascii_uppercase();
            if upper.starts_with("EHLO") && offer_starttls {
                r.get_mut()
                    .write_all(
                        b"250-huajie-sink\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n",
                    )
                    .await?;
            } else if upper == "STARTTLS" && offer_starttls {
                r.get_mut().write_all(b"220 go ahead\r\n").await?;
                let Some(SinkTls::StartTls(a)) = &self.tls else {
                    return Ok(());
                };
                let tls = a.accept(r.into_inner()).await?;
                return self.session(Box::new(tls), true).await;
            } else if upper.starts_with("EHLO") {
                r.get_mut()
                    .write_all(b"250-huajie-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?;
            } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
                r.get_mut().write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("RSET") {
                from.clear();
                to.clear();
                r.get_mut().write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("MAIL FROM:") {
                from = addr(&cmd[10..]);
                to.clear();
                r.get_mut().write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                let a = addr(&cmd[8..]);
                let refused = self.refuse.lock().map(|r| r.contains(&a)).unwrap_or(false);
                if refused {
                    r.get_mut()
                        .write_all(b"550 5.1.1 mailbox unavailable\r\n")
                        .await?;
                } else {
                    to.push(a);
                    r.get_mut().write_all(b"250 OK\r\n").await?;
                }
            } else if upper == "DATA" {
                r.get_mut()
                    .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let l = line
                        .strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line);
                    data.push_str(l);
                }
                let delay = self.delay.lock().map(|d| *d).unwrap_or_default();
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                if let Ok(mut m) = self.mails.lock() {
                    m.push(Mail {
                        from: from.clone(),
                        to: to.clone(),
                        data: data.trim_end_matches("\r\n").to_string(),
                        at: std::time::Instant::now(),
                        tls: secured,
                    });
                }
                r.get_mut().write_all(b"250 OK queued\r\n").await?;
                if self.hang_up.load(std::sync::atomic::Ordering::SeqCst) {
                    return Ok(());
                }
            } else if upper.starts_with("QUIT") {
                r.get_mut().write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                r.get_mut()
                    .write_all(b"502 command not implemented\r\n")
                    .await?;
            }
        }
    }
}

fn addr(s: &str) -> String {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or("");
    s.trim_start_matches('<').trim_end_matches('>').to_string()
}

/// One request a [`GatewayStub`] received.
#[derive(Debug, Clone)]
pub struct Posted {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Posted {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP gateway stand-in (短信平台): records every request and answers with the status set.
#[derive(Clone)]
pub struct GatewayStub {
    pub port: u16,
    posted: Arc<Mutex<Vec<Posted>>>,
    status: Arc<Mutex<u16>>,
}

impl GatewayStub {
    pub async fn start() -> std::io::Result<GatewayStub> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let stub = GatewayStub {
            port: listener.local_addr()?.port(),
            posted: Arc::default(),
            status: Arc::new(Mutex::new(200)),
        };
        let me = stub.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let me = me.clone();
                tokio::spawn(async move {
                    let _ = me.serve(sock).await;
                });
            }
        });
        Ok(stub)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn posted(&self) -> Vec<Posted> {
        self.posted.lock().map(|p| p.clone()).unwrap_or_default()
    }

    pub fn set_status(&self, s: u16) {
        if let Ok(mut x) = self.status.lock() {
            *x = s;
        }
    }

    async fn serve(&self, sock: tokio::net::TcpStream) -> std::io::Result<()> {
        use tokio::io::AsyncReadExt;
        let (r, mut w) = sock.into_split();
        let mut r = BufReader::new(r);
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or("").to_string();
            let path = parts.next().unwrap_or("").to_string();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).await? == 0 {
                    return Ok(());
                }
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                if let Some((n, v)) = h.split_once(':') {
                    headers.push((n.trim().to_string(), v.trim().to_string()));
                }
            }
            let len = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0u8; len];
            r.read_exact(&mut body).await?;
            let status = self.status.lock().map(|s| *s).unwrap_or(200);
            if let Ok(mut p) = self.posted.lock() {
                p.push(Posted {
                    method,
                    path,
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
            }
            let reply = if status == 200 {
                r#"{"code":0}"#
            } else {
                r#"{"code":1,"msg":"busy"}"#
            };
            w.write_all(
                format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{reply}", reply.len()).as_bytes(),
            )
            .await?;
        }
    }
}
