//! `rediss://` against Debian's `redis-server` speaking TLS only (`port 0`, `tls-port`), with a CA
//! and certificates the test makes with the `openssl` CLI: the server's certificate is verified
//! (webpki roots by default, the custom CA alone when given), a wrong CA and a missing client
//! certificate fail at `connect()` with `SetupError::Tls`, mutual TLS works with the right
//! client certificate, and no password or key shows in an error or a `Debug`.

use std::time::Duration;

use cocart::conformance::{lock_conformance, store_conformance};
use cocart::{PersistedSession, SessionStore};
use cocart_redis::testing::{RedisServer, TestPki};
use cocart_redis::{RedisSessions, SetupError};

const PASSWORD: &str = "Tls-Pa55word-42";

/// The PKI of `cocart_redis::testing` (a CA, a server certificate for 127.0.0.1 only, not for
/// `localhost`, a client certificate, and a second CA with its own client certificate that the
/// server does not know), made fresh per test with the `openssl` CLI.
struct Pki(TestPki);

impl Pki {
    fn new(test: &str) -> Self {
        Self(TestPki::new(test).expect("the test PKI (openssl)"))
    }

    fn read(&self, file: &str) -> Vec<u8> {
        self.0.read(file).expect("read pki file")
    }

    fn server(&self, auth_clients: bool) -> RedisServer {
        RedisServer::start_tls(self.0.server_tls(auth_clients))
            .expect("redis-server with TLS (Debian's package is built with it)")
    }
}

fn session(tag: &str) -> PersistedSession {
    let mut s = PersistedSession::default();
    s.access_token = Some(format!("eyJ.access-{tag}.sig").into());
    s.refresh_token = Some(format!("refresh-{tag}").into());
    s.cart_key = Some(format!("cart-{tag}"));
    s
}

/// A `connect()` that must fail with a TLS error: its text (Display and Debug) is returned.
async fn tls_failure(builder: cocart_redis::RedisSessionsBuilder) -> String {
    let err = builder
        .command_timeout(Duration::from_secs(5))
        .connect()
        .await
        .expect_err("TLS must fail");
    let text = format!("{err} | {err:?}");
    assert!(matches!(err, SetupError::Tls(_)), "not a TLS error: {text}");
    text
}

/// The body of a PEM key (its base64 lines), to look for in printed text.
fn key_body(pem: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(pem)
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn rediss_with_the_servers_ca_passes_the_conformance_checks() {
    let pki = Pki::new("conformance");
    let server = pki.server(false);
    assert!(server.url().starts_with("rediss://"), "{}", server.url());
    let sessions = RedisSessions::builder(server.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace("tls")
        .tls_root_certificates_pem(pki.read("ca.crt"))
        .connect()
        .await
        .expect("rediss:// with the server's CA");
    store_conformance(&sessions.store("jane"), true).await;
    lock_conformance(&sessions.lock("jane"), Duration::from_millis(300)).await;

    // A round trip through a second process's connection.
    let other = RedisSessions::builder(server.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace("tls")
        .tls_root_certificates_pem(pki.read("ca.crt"))
        .connect()
        .await
        .expect("second connection");
    assert_eq!(sessions.store("bob").save(0, &session("tls")).await, Ok(1));
    let loaded = other.store("bob").load().await.expect("load over TLS");
    assert_eq!(
        loaded
            .session()
            .and_then(|s| s.refresh_token.as_ref())
            .map(|t| t.expose_secret().to_string())
            .as_deref(),
        Some("refresh-tls")
    );
}

#[tokio::test]
async fn the_servers_certificate_is_verified_and_a_wrong_ca_fails_at_connect_naming_no_secret() {
    let pki = Pki::new("verify");
    let server = pki.server(false);
    let with_password =
        server
            .url()
            .replacen("rediss://", &format!("rediss://shop:{PASSWORD}@"), 1);

    // By default only the webpki roots are trusted: a private CA's certificate is refused.
    let text = tls_failure(
        RedisSessions::builder(with_password.as_str())
            .key_name_secret(cocart_redis::testing::key_name_secret()),
    )
    .await;
    assert!(text.contains("UnknownIssuer"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");

    // Another CA: refused as well.
    let text = tls_failure(
        RedisSessions::builder(with_password.as_str())
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .tls_root_certificates_pem(pki.read("other-ca.crt")),
    )
    .await;
    assert!(text.contains("UnknownIssuer"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");

    // With the server's CA, the name is still checked: the certificate is for 127.0.0.1 only,
    // and `localhost` (the same server) is refused.
    let by_name = server.url().replacen("127.0.0.1", "localhost", 1);
    let text = tls_failure(
        RedisSessions::builder(by_name)
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .tls_root_certificates_pem(pki.read("ca.crt")),
    )
    .await;
    assert!(text.contains("not valid for name"), "{text}");

    // Verification cannot be turned off, and TLS options need a `rediss://` URL.
    let insecure = format!("{with_password}#insecure");
    let text = tls_failure(
        RedisSessions::builder(insecure)
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .tls_root_certificates_pem(pki.read("ca.crt")),
    )
    .await;
    assert!(text.contains("insecure"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    let plain = with_password.replacen("rediss://", "redis://", 1);
    let text = tls_failure(
        RedisSessions::builder(plain)
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .tls_root_certificates_pem(pki.read("ca.crt")),
    )
    .await;
    assert!(text.contains("rediss://"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");

    // A root PEM that holds no certificate: refused before connecting, by connect_lazily too.
    let text = tls_failure(
        RedisSessions::builder(with_password.as_str())
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .tls_root_certificates_pem(b"not a certificate".to_vec()),
    )
    .await;
    assert!(text.contains("root"), "{text}");
    let lazy = RedisSessions::builder(with_password.as_str())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .tls_root_certificates_pem(Vec::new())
        .connect_lazily();
    assert!(matches!(lazy, Err(SetupError::Tls(_))), "{lazy:?}");
}

#[tokio::test]
async fn mutual_tls_needs_a_client_certificate_of_the_servers_ca_and_never_shows_the_key() {
    let pki = Pki::new("mtls");
    let server = pki.server(true);
    let with_password =
        server
            .url()
            .replacen("rediss://", &format!("rediss://shop:{PASSWORD}@"), 1);
    let key = pki.read("client.key");
    let body = key_body(&key);
    assert!(!body.is_empty());

    // Without a client certificate the server ends the handshake: a TLS error at connect.
    let text = tls_failure(
        RedisSessions::builder(with_password.as_str())
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .tls_root_certificates_pem(pki.read("ca.crt")),
    )
    .await;
    assert!(text.contains("CertificateRequired"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");

    // A client certificate of a CA the server does not know: refused too.
    let text = tls_failure(
        RedisSessions::builder(with_password.as_str())
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .tls_root_certificates_pem(pki.read("ca.crt"))
            .tls_client_certificate_pem(pki.read("stranger.crt"), pki.read("stranger.key")),
    )
    .await;
    assert!(text.contains("UnknownCA"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");

    // A key that is not a PEM key: refused before connecting, without quoting it.
    let mangled: Vec<u8> = String::from_utf8_lossy(&key)
        .replace("PRIVATE KEY", "PRIVATE KEX")
        .into_bytes();
    let text = tls_failure(
        RedisSessions::builder(server.url())
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .tls_root_certificates_pem(pki.read("ca.crt"))
            .tls_client_certificate_pem(pki.read("client.crt"), mangled),
    )
    .await;
    assert!(text.contains("client key"), "{text}");
    for line in &body {
        assert!(!text.contains(line.as_str()), "{text}");
    }

    // With the client certificate of the server's CA: the store and the lock work.
    let builder = RedisSessions::builder(server.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace("mtls")
        .tls_root_certificates_pem(pki.read("ca.crt"))
        .tls_client_certificate_pem(pki.read("client.crt"), key.clone());
    let debug = format!("{builder:?}");
    assert!(debug.contains("client_certificate: true"), "{debug}");
    for line in &body {
        assert!(!debug.contains(line.as_str()), "the key shows in {debug}");
    }
    let with_secrets = RedisSessions::builder(with_password.as_str())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .tls_root_certificates_pem(pki.read("ca.crt"))
        .tls_client_certificate_pem(pki.read("client.crt"), key.clone());
    let debug = format!("{with_secrets:?}");
    assert!(!debug.contains(PASSWORD), "{debug}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
    let sessions = builder.connect().await.expect("mutual TLS");
    store_conformance(&sessions.store("jane"), true).await;
    lock_conformance(&sessions.lock("jane"), Duration::from_millis(300)).await;
    let debug = format!("{sessions:?}");
    for line in &body {
        assert!(!debug.contains(line.as_str()), "the key shows in {debug}");
    }
}
