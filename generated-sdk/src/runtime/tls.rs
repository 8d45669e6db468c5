//! TLS for the HTTP client: rustls on the same aws-lc-rs provider the SDK signs and verifies
//! with, so TLS and request signing share one crypto stack (and `ring` is never linked).

use std::sync::Arc;

/// Makes aws-lc-rs the process-wide default rustls provider unless one is already installed.
///
/// reqwest is built here without a provider of its own, so a plain `reqwest::Client::new()`
/// elsewhere in the program would otherwise panic ("No provider set"). Called when a
/// [`Client`](crate::Client) is built; never replaces a provider the program chose.
pub fn install_default_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means another thread installed one first: that one stays.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }
}

/// A rustls client configuration on the aws-lc-rs provider, trusting the Mozilla root
/// store (`webpki-roots`), TLS 1.2 and 1.3.
pub fn rustls_client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// A `reqwest::ClientBuilder` whose TLS runs on aws-lc-rs (see [`rustls_client_config`]),
/// with redirects off (a signed request must not be re-sent elsewhere). Start from this when
/// passing your own client to [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)
/// (reqwest is built without a default crypto provider).
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, rustls::Error> {
    install_default_provider();
    Ok(reqwest::Client::builder()
        .use_preconfigured_tls(rustls_client_config()?)
        .redirect(reqwest::redirect::Policy::none()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds_a_client() {
        let builder = super::http_client_builder().expect("rustls config");
        builder.build().expect("reqwest client on aws-lc-rs");
        // The default provider is now set, so a plain reqwest client does not panic.
        reqwest::Client::builder()
            .build()
            .expect("plain reqwest client");
    }
}
