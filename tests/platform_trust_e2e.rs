//! The default TLS (`rustls-tls`: rustls-platform-verifier, the system store on Linux) trusts
//! what the system's certificate store trusts, and nothing compiled in.
//!
//! The mock store sits behind a TLS-terminating proxy (this test, rustls) whose certificate, for
//! 127.0.0.1, is issued by a throwaway CA (`openssl`, via cocart-redis's `TestPki`). A client is
//! built in a child process (this same test re-run) whose system store is a PEM bundle made
//! from the real one: the verifier reads it where `SSL_CERT_FILE` points, by the same code path
//! as the store that OpenSSL's layout names (the real store stays untouched, so other tests and
//! programs on the machine never trust the throwaway CA). With the CA added to the bundle the
//! store answers; with the same bundle less the CA the same certificate is refused. In this
//! process, the real system store refuses it too, and a `reqwest::Client` that adds the CA as
//! a root (the builder's way to trust a test CA) is trusted. With an empty store the client is
//! refused when it is built.

use std::error::Error as _;
use std::path::Path;
use std::sync::Arc;

use cocart::CoCartClient;
use cocart_mock::MockServer;
use cocart_redis::testing::TestPki;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// Set in the child: the `https://` store to call.
const PROBE_URL: &str = "COCART_TRUST_PROBE_URL";
/// What the child prints (after the test harness's own words on that line): `outcome: trusted: …`
/// or `outcome: refused: …`.
const OUTCOME: &str = "outcome: ";

/// Where Linux distributions keep the system bundle (what OpenSSL's probe finds).
const SYSTEM_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The store's title through the client, or the error with its causes.
async fn probe(client: &CoCartClient) -> Result<String, String> {
    match client.catalog().store_info().await {
        Ok(info) => Ok(info.title),
        Err(e) => {
            let mut text = e.to_string();
            let mut source = e.source();
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            Err(text)
        }
    }
}

/// A TLS-terminating proxy on 127.0.0.1 in front of `upstream` (the mock), with `pki`'s server
/// certificate.
async fn tls_proxy(pki: &TestPki, upstream: std::net::SocketAddr) -> std::net::SocketAddr {
    let chain = CertificateDer::pem_file_iter(pki.path("server.crt"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(pki.path("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake ends here: the client closed the connection.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if let Ok(mut up) = TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                }
            });
        }
    });
    addr
}

/// Runs this test again as a child whose system store is the PEM bundle `store`; returns the
/// child's outcome line.
async fn child_with_store(url: &str, store: &Path) -> String {
    let exe = std::env::current_exe().unwrap();
    let out = tokio::process::Command::new(exe)
        .args([
            "the_system_store_decides_and_a_test_root_can_be_added",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(PROBE_URL, url)
        .env("SSL_CERT_FILE", store)
        .env_remove("SSL_CERT_DIR")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.split_once(OUTCOME).map(|(_, outcome)| outcome))
        .unwrap_or_else(|| panic!("no outcome from the child: {stdout}"))
        .to_string()
}

#[tokio::test]
async fn the_system_store_decides_and_a_test_root_can_be_added() {
    if let Ok(url) = std::env::var(PROBE_URL) {
        // The child: the default builder, with the store in SSL_CERT_FILE.
        let outcome = match CoCartClient::builder(&url).build() {
            Err(e) => format!("refused: build: {e}"),
            Ok(client) => match probe(&client).await {
                Ok(title) => format!("trusted: {title}"),
                Err(e) => format!("refused: {e}"),
            },
        };
        println!("{OUTCOME}{outcome}");
        return;
    }

    let mock = MockServer::start().await.unwrap();
    let upstream = mock
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let pki = TestPki::new("platform-trust").unwrap();
    let addr = tls_proxy(&pki, upstream).await;
    let url = format!("https://{addr}");
    let ca = pki.read("ca.crt").unwrap();

    // The system store as found on this machine (empty where there is none), with and without
    // the throwaway CA.
    let system: Vec<u8> = SYSTEM_BUNDLES
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .unwrap_or_default();
    let mut with_ca = system.clone();
    with_ca.push(b'\n');
    with_ca.extend_from_slice(&ca);
    let with_ca_path = pki.path("system-with-ca.pem");
    std::fs::write(&with_ca_path, &with_ca).unwrap();
    let without_ca_path = pki.path("system-without-ca.pem");
    // A store must hold a certificate to be one: where the machine has none, another
    // throwaway CA stands in for it.
    let without_ca = if system.is_empty() {
        pki.read("other-ca.crt").unwrap()
    } else {
        system
    };
    std::fs::write(&without_ca_path, &without_ca).unwrap();

    let trusted = child_with_store(&url, &with_ca_path).await;
    assert_eq!(
        trusted, "trusted: CoCart Mock Store",
        "the CA is in the system store"
    );
    let refused = child_with_store(&url, &without_ca_path).await;
    assert!(
        refused.starts_with("refused:") && refused.contains("UnknownIssuer"),
        "the same certificate once the CA is removed: {refused}"
    );

    // No store at all: the client is refused when it is built, naming the way out.
    let empty_path = pki.path("system-empty.pem");
    std::fs::write(&empty_path, b"").unwrap();
    let none = child_with_store(&url, &empty_path).await;
    assert!(
        none.starts_with("refused: build:") && none.contains("webpki-roots"),
        "an empty store: {none}"
    );

    // This process: the real system store does not know the CA.
    let default = CoCartClient::builder(&url).build().unwrap();
    let real = probe(&default).await;
    assert!(
        real.as_ref().is_err_and(|e| e.contains("UnknownIssuer")),
        "{real:?}"
    );

    // The builder's way to trust a test CA: a reqwest client that adds it as a root.
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let with_root = CoCartClient::builder(&url)
        .http_client(http)
        .build()
        .unwrap();
    assert_eq!(probe(&with_root).await.unwrap(), "CoCart Mock Store");
}
