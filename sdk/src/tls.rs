//! Which certificates the SDK's own HTTP client trusts, by feature:
//!
//! - `rustls-tls` (the default): rustls with ring, certificates checked by the platform's
//!   verifier (`rustls-platform-verifier`): Security.framework on Apple, the Android trust
//!   manager on Android, the Windows store, and on Linux the system CA bundle as OpenSSL finds it
//!   (`SSL_CERT_FILE` / `SSL_CERT_DIR` override it), read when a client for an `https://` store
//!   is built.
//! - `webpki-roots`: rustls trusting only Mozilla's roots compiled into the library.
//! - `native-tls`: the platform TLS library and what it trusts (it wins when both it and
//!   `rustls-tls` are enabled, as in reqwest).
//!
//! A client given its own `reqwest::Client` ([`crate::ClientBuilder::http_client`]) uses that
//! client's TLS, e.g. one that adds a test CA with `add_root_certificate`.

use url::Url;

use crate::error::Result;

/// Sets the TLS of the SDK's own `reqwest::Client` for the store at `site`. A plain `http://`
/// store needs no certificates, so nothing is read for it (a machine without a CA store can
/// still talk to a local mock).
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    site: &Url,
) -> Result<reqwest::ClientBuilder> {
    if site.scheme() != "https" {
        return Ok(builder);
    }
    imp::configure(builder)
}

#[cfg(all(feature = "rustls-tls", not(feature = "native-tls")))]
mod imp {
    use std::sync::Arc;

    use crate::error::{Error, Result};

    fn tls_error(e: rustls::Error) -> Error {
        Error::Config(format!("TLS: {e}{}", hint()))
    }

    #[cfg(not(feature = "webpki-roots"))]
    fn hint() -> &'static str {
        " (on a system without a certificate store, enable cocart's `webpki-roots` feature)"
    }

    #[cfg(feature = "webpki-roots")]
    fn hint() -> &'static str {
        ""
    }

    pub(super) fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?;
        #[cfg(not(feature = "webpki-roots"))]
        let config = {
            use rustls_platform_verifier::BuilderVerifierExt;
            config.with_platform_verifier().map_err(tls_error)?
        };
        #[cfg(feature = "webpki-roots")]
        let config = {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            config.with_root_certificates(roots)
        };
        Ok(builder.use_preconfigured_tls(config.with_no_client_auth()))
    }
}

#[cfg(not(all(feature = "rustls-tls", not(feature = "native-tls"))))]
mod imp {
    use crate::error::Result;

    /// native-tls: reqwest's default TLS, the platform library's trust. Without any TLS
    /// feature the builder has refused `https://` before this point.
    pub(super) fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        Ok(builder)
    }
}
