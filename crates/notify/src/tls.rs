//! The rustls client configuration of the outgoing channels: the system's roots plus an
//! optional PEM file of an internal CA (`HUAJIE_SMTP_CA`, `HUAJIE_GATEWAY_CA`).

use std::sync::Arc;

use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// The configuration trusting the system's roots and the certificates in `ca_file` (named by
/// the environment variable `var` in errors).
pub fn client_config(var: &str, ca_file: Option<&str>) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    for c in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(c);
    }
    if let Some(f) = ca_file.filter(|f| !f.trim().is_empty()) {
        use rustls_pki_types::pem::PemObject;
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(f)
            .map_err(|e| format!("无法读取 {var}“{f}”：{e}"))?;
        for c in certs {
            let c = c.map_err(|e| format!("{var}“{f}”不是 PEM 证书：{e}"))?;
            roots
                .add(c)
                .map_err(|e| format!("{var}“{f}”无法使用：{e}"))?;
        }
    }
    // ring, as lettre uses: the aws-lc provider (with post-quantum key exchange) would add a C
    // build to every installation for channels that talk to servers inside the intranet.
    #[allow(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
