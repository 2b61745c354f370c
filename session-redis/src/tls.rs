//! TLS for `rediss://` (feature `tls`): the custom CA and the client certificate of mutual TLS,
//! checked before anything is sent and handed to redis-rs as [`redis::TlsCertificates`], and the
//! TLS failures of a connection told apart from the others.
//!
//! The server's certificate is always verified: against the webpki roots (Mozilla's) by
//! default, or against the custom CA *alone* when one is given (the webpki roots are then not
//! trusted). A `#insecure` URL, which turns verification off in redis-rs, is refused.

use std::fmt;
use std::time::Duration;

use redis::{ClientTlsConfig, ConnectionAddr, IntoConnectionInfo, TlsCertificates};
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::{ExposeSecret, SecretSlice};

use crate::{RedisSessionsBuilder, SetupError, describe};

/// The TLS material of a connection beyond its URL. Empty by default: the server's certificate
/// is verified against the webpki roots, and no client certificate is presented.
///
/// [`TlsOptions::certificates`] gives what redis-rs takes, for a single server
/// (`Client::build_with_tls`) as for a cluster (`ClusterClientBuilder::certs`).
#[derive(Clone, Default)]
pub(crate) struct TlsOptions {
    /// PEM certificates: the only trust anchors when set.
    roots_pem: Option<Vec<u8>>,
    client: Option<ClientIdentity>,
}

/// A client certificate chain and its private key, both PEM. The key is zeroized when dropped.
#[derive(Clone)]
struct ClientIdentity {
    cert_pem: Vec<u8>,
    key_pem: SecretSlice<u8>,
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whether each part is set, never its bytes (the key is a secret; the rest is noise).
        f.debug_struct("TlsOptions")
            .field("custom_roots", &self.roots_pem.is_some())
            .field("client_certificate", &self.client.is_some())
            .finish()
    }
}

fn tls_error(text: &str) -> SetupError {
    SetupError::Tls(text.to_string())
}

impl TlsOptions {
    /// Checks the PEM material and gives it in the form redis-rs takes; `None` when nothing is
    /// set (webpki roots, no client certificate). Errors name the part that is wrong, never its
    /// content.
    ///
    /// The key is copied into the `Vec` redis-rs takes, which redis-rs does not zeroize.
    pub(crate) fn certificates(&self) -> Result<Option<TlsCertificates>, SetupError> {
        if self.roots_pem.is_none() && self.client.is_none() {
            return Ok(None);
        }
        if let Some(roots) = &self.roots_pem {
            let mut store = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(roots) {
                let cert = cert.map_err(|_| {
                    tls_error("the custom root certificates are not well-formed PEM")
                })?;
                store.add(cert).map_err(|_| {
                    tls_error("a custom root certificate is not a usable trust anchor")
                })?;
            }
            if store.is_empty() {
                return Err(tls_error(
                    "the custom root certificate PEM holds no certificate",
                ));
            }
        }
        if let Some(client) = &self.client {
            let mut chain = 0usize;
            for cert in CertificateDer::pem_slice_iter(&client.cert_pem) {
                cert.map_err(|_| tls_error("the client certificate is not well-formed PEM"))?;
                chain += 1;
            }
            if chain == 0 {
                return Err(tls_error("the client certificate PEM holds no certificate"));
            }
            // The parse error is not repeated: it could quote part of the key.
            PrivateKeyDer::from_pem_slice(client.key_pem.expose_secret()).map_err(|_| {
                tls_error("the client key is not a PEM private key (PKCS#8, PKCS#1 or SEC1)")
            })?;
        }
        Ok(Some(TlsCertificates {
            client_tls: self.client.as_ref().map(|c| ClientTlsConfig {
                client_cert: c.cert_pem.clone(),
                client_key: c.key_pem.expose_secret().to_vec(),
            }),
            root_cert: self.roots_pem.clone(),
        }))
    }
}

impl RedisSessionsBuilder {
    /// Trusts these CA certificates (PEM, one or more) for the server's certificate of a
    /// `rediss://` URL, **instead of** the webpki roots: with a custom CA, a certificate signed
    /// by a public CA is refused. Use it for a private CA (a self-run Redis, most managed Redis
    /// services with their own CA). Called twice, the last PEM wins.
    ///
    /// A PEM that holds no certificate, or a wrong one, makes
    /// [`RedisSessionsBuilder::connect`] fail with [`SetupError::Tls`]; a server certificate
    /// that this CA did not sign fails it too.
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn tls_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.roots_pem = Some(pem.into());
        self
    }

    /// Presents this client certificate (PEM chain, leaf first) and proves its private key
    /// (PEM: PKCS#8, PKCS#1 or SEC1) to a server that asks for one (mutual TLS, Redis's
    /// `tls-auth-clients yes`). The key is held in a zeroizing secret and never printed.
    /// Called twice, the last pair wins.
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn tls_client_certificate_pem(
        mut self,
        cert_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<SecretSlice<u8>>,
    ) -> Self {
        self.tls.client = Some(ClientIdentity {
            cert_pem: cert_pem.into(),
            key_pem: key_pem.into(),
        });
        self
    }
}

/// The connection info of `url` and whether it is `rediss://`; a `#insecure` URL (which turns
/// certificate verification off in redis-rs) is refused.
fn parse(url: &str) -> Result<(redis::ConnectionInfo, bool), SetupError> {
    let info = url
        .into_connection_info()
        .map_err(|e| SetupError::BadUrl(describe(&e)))?;
    let is_tls = match info.addr() {
        ConnectionAddr::TcpTls { insecure: true, .. } => {
            return Err(tls_error(
                "certificate verification cannot be turned off (`#insecure` in the URL)",
            ));
        }
        ConnectionAddr::TcpTls { .. } => true,
        _ => false,
    };
    Ok((info, is_tls))
}

/// The redis-rs client for `url` with the TLS options. TLS options on a URL that is not
/// `rediss://` are refused (they would be ignored), and so is a `#insecure` URL.
pub(crate) fn client(url: &str, tls: &TlsOptions) -> Result<redis::Client, SetupError> {
    let (info, is_tls) = parse(url)?;
    if is_tls {
        ensure_crypto_provider();
    }
    match tls.certificates()? {
        None => redis::Client::open(info).map_err(|e| SetupError::BadUrl(describe(&e))),
        Some(certs) if is_tls => redis::Client::build_with_tls(info, certs).map_err(|e| {
            SetupError::Tls(format!("the TLS material was refused ({})", describe(&e)))
        }),
        Some(_) => Err(tls_error(
            "TLS certificates were given for a URL that is not `rediss://`",
        )),
    }
}

/// The TLS material for a cluster whose nodes are `nodes`: the same checks as [`client`] for
/// each node (no `#insecure`; TLS options only with `rediss://` nodes, and then every node is
/// `rediss://`), and the certificates to hand to the cluster client.
pub(crate) fn cluster_certificates(
    nodes: &[String],
    tls: &TlsOptions,
) -> Result<Option<TlsCertificates>, SetupError> {
    let mut tls_nodes = 0usize;
    for node in nodes {
        if parse(node)?.1 {
            tls_nodes += 1;
        }
    }
    if tls_nodes > 0 && tls_nodes < nodes.len() {
        return Err(tls_error(
            "some cluster nodes are `rediss://` and some are not: all or none",
        ));
    }
    if tls_nodes > 0 {
        ensure_crypto_provider();
    }
    match tls.certificates()? {
        Some(_) if tls_nodes == 0 => Err(tls_error(
            "TLS certificates were given for cluster nodes that are not `rediss://`",
        )),
        certs => Ok(certs),
    }
}

/// Single-server clients of the `rediss://` nodes, with the same TLS options as the cluster
/// client (none when the nodes are `redis://`), to tell why a cluster connection failed: redis-rs's
/// cluster client keeps only the text of its initial connections' error, so the TLS error under
/// it is lost (a wrong CA would read as "connection lost"). Call after
/// [`cluster_certificates`], which checked the nodes and the options.
pub(crate) fn cluster_probes(
    nodes: &[String],
    tls: &TlsOptions,
) -> Result<Vec<redis::Client>, SetupError> {
    let tls_nodes = nodes
        .iter()
        .all(|node| matches!(parse(node), Ok((_, true))));
    if !tls_nodes {
        return Ok(Vec::new());
    }
    nodes.iter().map(|node| client(node, tls)).collect()
}

/// The TLS failure that made a cluster connection fail, found by connecting to its nodes one by
/// one with `probes` (see [`cluster_probes`]) and sending `PING` (with TLS 1.3 a server refuses
/// a client certificate only after the handshake): the first TLS failure, or `None` when no
/// probe meets one within `limit` as a whole (nodes down, or failing otherwise).
pub(crate) async fn cluster_failure(probes: &[redis::Client], limit: Duration) -> Option<String> {
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(limit))
        .set_response_timeout(Some(limit));
    let probe_all = async {
        for probe in probes {
            let answer = match probe
                .get_multiplexed_async_connection_with_config(&config)
                .await
            {
                Ok(mut conn) => redis::cmd("PING").query_async::<()>(&mut conn).await,
                Err(e) => Err(e),
            };
            if let Err(e) = answer
                && let Some(why) = failure(&e)
            {
                return Some(why);
            }
        }
        None
    };
    tokio::time::timeout(limit, probe_all).await.ok().flatten()
}

/// rustls needs a process-wide crypto provider when more than one is compiled in (ours is
/// `ring`; the application may bring another). Installs `ring` when none is installed yet, so a
/// `rediss://` connection never panics for the lack of one; a provider the application
/// installed stays. (With a single provider compiled in, rustls installs it the same way at
/// its first use.)
pub(crate) fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one at the same moment: either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The TLS failure behind a connection error, in words without a secret: the rustls error,
/// which names a certificate problem or a TLS alert (e.g. `invalid peer certificate:
/// UnknownIssuer`, `received fatal alert: CertificateRequired`). `None` when the error is not
/// a TLS one.
pub(crate) fn failure(e: &redis::RedisError) -> Option<String> {
    use std::error::Error;
    type Shared = std::sync::Arc<dyn Error + Send + Sync>;

    fn rustls_in<'a>(err: &'a (dyn Error + 'static)) -> Option<&'a rustls::Error> {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        // tokio-rustls wraps its error in an `io::Error`, which redis-rs keeps in an `Arc`;
        // `io::Error::source` skips the error it wraps, so it is looked for here.
        let io = match err.downcast_ref::<Shared>() {
            Some(shared) => shared.downcast_ref::<std::io::Error>(),
            None => err.downcast_ref::<std::io::Error>(),
        }?;
        io.get_ref()?.downcast_ref::<rustls::Error>()
    }

    let mut next: Option<&(dyn Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(tls) = rustls_in(err) {
            let hint = match tls {
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                    ": the server's certificate is not signed by a trusted CA (a private CA \
                     needs `tls_root_certificates_pem`)"
                }
                rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired) => {
                    ": the server requires a client certificate (`tls_client_certificate_pem`)"
                }
                rustls::Error::AlertReceived(rustls::AlertDescription::UnknownCA) => {
                    ": the server does not trust the CA of the client certificate"
                }
                _ => "",
            };
            return Some(format!("{tls}{hint}"));
        }
        next = err.source();
    }
    None
}
