//! The SMTP connection itself, against the test SMTP server: TLS from the first byte (smtps)
//! and STARTTLS, each trusting an internal CA given as `HUAJIE_SMTP_CA` and refusing a server
//! it cannot verify; kept connections reused, and a mail sent again on a new connection when
//! the server has dropped the kept one. The certificates are made by openssl for each run.

use std::path::Path;
use std::process::Command;

use huajie_domain::notify::Channel;
use huajie_notify::sink::{Sink, SinkTls};
use huajie_notify::{Mailer, SmtpConfig};
use huajie_store::notify::{Outgoing, Sent};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (Debian package openssl) is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An internal CA and a server certificate for `localhost` signed by it.
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=huajie test CA"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    openssl(dir, &ca);
    let mut req = vec!["req", "-subj", "/CN=localhost"];
    req.extend(ec);
    req.extend(["-keyout", "server.key", "-out", "server.csr"]);
    openssl(dir, &req);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.pem",
        ],
    );
}

fn mail(n: i64) -> Outgoing {
    Outgoing {
        delivery_id: n,
        message_id: n,
        channel: Channel::Email,
        gateway: None,
        address: "clerk@jiazhen.test.cn".into(),
        title: format!("即将到期：第{n}件"),
        body: "提交答辩状 还有 3 天到期。".into(),
        link: None,
        attempts: 1,
    }
}

fn mailer(sink: &Sink, ca: Option<&Path>) -> Mailer {
    let mut c = SmtpConfig::parse(&sink.url(), "化解系统 <huajie@sfj.test.cn>").unwrap();
    c.ca_file = ca.map(|p| p.to_str().unwrap().to_string());
    Mailer::new(&c).unwrap()
}

#[tokio::test]
async fn tls_and_starttls_with_an_internal_ca() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let acceptor = SinkTls::acceptor(
        &dir.path().join("server.pem"),
        &dir.path().join("server.key"),
    )
    .unwrap();
    let ca = dir.path().join("ca.pem");
    for tls in [
        SinkTls::Implicit(acceptor.clone()),
        SinkTls::StartTls(acceptor.clone()),
    ] {
        let sink = Sink::start_tls(tls).await.unwrap();
        // Without the internal CA the server is not trusted: nothing is sent, to be retried.
        let untrusting = mailer(&sink, None);
        assert!(
            matches!(untrusting.send(&mail(1), None).await, Sent::Retry(_)),
            "{}",
            sink.url()
        );
        assert_eq!(sink.count(), 0);
        let m = mailer(&sink, Some(&ca));
        for n in 1..=3 {
            assert_eq!(m.send(&mail(n), None).await, Sent::Ok, "{}", sink.url());
        }
        let got = sink.mails();
        assert_eq!(got.len(), 3);
        assert!(
            got.iter().all(|m| m.tls),
            "{}: every mail over TLS",
            sink.url()
        );
        assert_eq!(got[2].subject(), "即将到期：第3件");
        assert_eq!(
            sink.connections(),
            2,
            "{}: the refused one, then one kept for three mails",
            sink.url()
        );
    }
}

#[tokio::test]
async fn a_dropped_connection_is_replaced() {
    let sink = Sink::start().await.unwrap();
    let m = mailer(&sink, None);
    assert_eq!(m.send(&mail(1), None).await, Sent::Ok);
    assert_eq!(m.send(&mail(2), None).await, Sent::Ok);
    assert_eq!(
        sink.connections(),
        1,
        "the connection is kept between mails"
    );
    // The server now hangs up after each mail: the kept connection fails without an answer
    // and the mail goes out on a new one, once.
    sink.hang_up_after_each_mail();
    for n in 3..=5 {
        assert_eq!(m.send(&mail(n), None).await, Sent::Ok);
    }
    let subjects: Vec<String> = sink.mails().iter().map(|m| m.subject()).collect();
    assert_eq!(
        subjects,
        (1..=5)
            .map(|n| format!("即将到期：第{n}件"))
            .collect::<Vec<_>>()
    );
}
