//! SMS and government IM (短信平台, 浙政钉, 企业微信) through an HTTP gateway the bureau
//! configures: URL, method, headers (`${ENV}` filled from the server's environment, so secrets
//! stay out of the database) and a body template. hyper's HTTP/1 client over TCP, or over
//! rustls for https (system roots, plus `HUAJIE_GATEWAY_CA`, a PEM file of an internal CA).

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use huajie_domain::notify::{Escape, Gateway, escape_for, parse_headers, render};
use huajie_store::notify::{Outgoing, Sent};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub struct HttpSender {
    tls: Arc<std::sync::OnceLock<Result<TlsConnector, String>>>,
}

impl Default for HttpSender {
    fn default() -> Self {
        Self::new()
    }
}

fn tls_connector() -> Result<TlsConnector, String> {
    let ca = std::env::var("HUAJIE_GATEWAY_CA").ok();
    crate::tls::client_config("HUAJIE_GATEWAY_CA", ca.as_deref()).map(TlsConnector::from)
}

/// Replaces `${NAME}` with the environment variable NAME (empty when unset).
pub fn fill_env(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(j) => {
                out.push_str(&std::env::var(&after[..j]).unwrap_or_default());
                rest = &after[j + 1..];
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

impl HttpSender {
    pub fn new() -> HttpSender {
        HttpSender {
            tls: Arc::new(std::sync::OnceLock::new()),
        }
    }

    pub async fn send(&self, g: &Gateway, o: &Outgoing, link: Option<&str>) -> Sent {
        match tokio::time::timeout(TIMEOUT, self.post(g, o, link)).await {
            Ok(r) => r,
            Err(_) => Sent::Retry(format!(
                "消息接口“{}”在 {} 秒内无应答",
                g.name,
                TIMEOUT.as_secs()
            )),
        }
    }

    async fn post(&self, g: &Gateway, o: &Outgoing, link: Option<&str>) -> Sent {
        let headers = match parse_headers("headers", &g.headers) {
            Ok(h) => h
                .into_iter()
                .map(|(n, v)| (n, fill_env(&v)))
                .collect::<Vec<_>>(),
            Err(e) => return Sent::Permanent(e.message),
        };
        let text = crate::plain_text(o, link);
        let key = o.key();
        let vars = [
            ("mobile", o.address.as_str()),
            ("title", o.title.as_str()),
            ("text", text.as_str()),
            ("link", link.unwrap_or("")),
            ("key", key.as_str()),
        ];
        let body = render(
            &g.body_template,
            &vars,
            escape_for(&headers, &g.body_template),
        );
        let url = render(&g.url, &vars, Escape::Form);
        let uri: hyper::Uri = match url.parse() {
            Ok(u) => u,
            Err(e) => return Sent::Permanent(format!("接口地址无效：{e}")),
        };
        let https = uri.scheme_str() == Some("https");
        let Some(host) = uri
            .host()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
        else {
            return Sent::Permanent("接口地址缺少主机名".into());
        };
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let path = uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let tcp = match TcpStream::connect((host.as_str(), port)).await {
            Ok(s) => s,
            Err(e) => return Sent::Retry(format!("无法连接消息接口 {host}:{port}：{e}")),
        };
        // Headers and body may leave in two writes: without this the second waits for the
        // first's acknowledgement (Nagle), which the gateway delays.
        let _ = tcp.set_nodelay(true);
        let mut req = hyper::Request::builder()
            .method(g.method.code())
            .uri(path)
            .header(
                hyper::header::HOST,
                if uri.port().is_some() {
                    format!("{host}:{port}")
                } else {
                    host.clone()
                },
            )
            .header("Idempotency-Key", key.clone());
        let mut has_ct = false;
        for (n, v) in &headers {
            has_ct |= n.eq_ignore_ascii_case("content-type");
            req = req.header(n.as_str(), v.as_str());
        }
        if !has_ct && g.method.code() != "GET" {
            req = req.header(
                hyper::header::CONTENT_TYPE,
                match escape_for(&headers, &g.body_template) {
                    Escape::Json => "application/json; charset=utf-8",
                    Escape::Form => "application/x-www-form-urlencoded; charset=utf-8",
                    Escape::Raw => "text/plain; charset=utf-8",
                },
            );
        }
        let req = match req.body(Full::new(Bytes::from(if g.method.code() == "GET" {
            String::new()
        } else {
            body
        }))) {
            Ok(r) => r,
            Err(e) => return Sent::Permanent(format!("请求头无效：{e}")),
        };
        let status = if https {
            let tls = match self.tls.get_or_init(tls_connector) {
                Ok(t) => t.clone(),
                Err(e) => return Sent::Permanent(e.clone()),
            };
            let Ok(name) = rustls_pki_types::ServerName::try_from(host.clone()) else {
                return Sent::Permanent(format!("主机名“{host}”无效"));
            };
            let stream = match tls.connect(name, tcp).await {
                Ok(s) => s,
                Err(e) => return Sent::Retry(format!("与消息接口的 TLS 握手失败：{e}")),
            };
            exchange(TokioIo::new(stream), req).await
        } else {
            exchange(TokioIo::new(tcp), req).await
        };
        match status {
            Err(e) => Sent::Retry(format!("消息接口通信失败：{e}")),
            Ok((s, _)) if s.is_success() => Sent::Ok,
            Ok((s, body)) => {
                let why = format!(
                    "消息接口返回 {}：{}",
                    s.as_u16(),
                    body.chars().take(200).collect::<String>()
                );
                if s.is_server_error() || s.as_u16() == 408 || s.as_u16() == 429 {
                    Sent::Retry(why)
                } else {
                    Sent::Permanent(why)
                }
            }
        }
    }
}

async fn exchange<I>(
    io: I,
    req: hyper::Request<Full<Bytes>>,
) -> Result<(hyper::StatusCode, String), String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut send, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let resp = send.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_come_from_the_environment() {
        // SAFETY: set before any thread of this test reads the environment.
        unsafe { std::env::set_var("HUAJIE_TEST_SMS_TOKEN", "s3cret") };
        assert_eq!(fill_env("Bearer ${HUAJIE_TEST_SMS_TOKEN}"), "Bearer s3cret");
        assert_eq!(fill_env("${HUAJIE_TEST_UNSET_VAR}x"), "x");
        assert_eq!(fill_env("${open"), "${open");
    }
}
