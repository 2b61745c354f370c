//! Redis Cluster over TLS: a local cluster of three primaries and three replicas whose nodes
//! speak TLS only (`port 0`, `tls-port`, `tls-cluster yes`, `tls-replication yes`;
//! `cocart_redis::testing::RedisCluster::start_tls`), with a CA and certificates made at run time
//! with the `openssl` CLI (`testing::TestPki`). The store and lock pass the conformance checks
//! with the cluster's CA, a `CLUSTER FAILOVER` in the middle of use is followed over TLS, mutual
//! TLS works on every node, and the misconfigurations (a wrong CA, no client certificate, mixed
//! `rediss://` and `redis://` nodes, TLS options on `redis://` nodes, `#insecure`) fail at
//! `connect()` with `SetupError::Tls`, naming no password.
//!
//! Needs the features `tls` and `testing`, which the crate's dev-dependency on itself turns on.

use std::time::{Duration, Instant};

use cocart::conformance::{lock_conformance, store_conformance};
use cocart::session_store::Stored;
use cocart::{PersistedSession, SessionLock, SessionStore};
use cocart_redis::testing::{RedisCluster, TestPki, unique_namespace};
use cocart_redis::{RedisSessions, RedisSessionsBuilder, SetupError};

const PASSWORD: &str = "Tls-Cluster-Pa55word-7";

fn session(tag: &str) -> PersistedSession {
    let mut s = PersistedSession::default();
    s.access_token = Some(format!("eyJ.access-{tag}.sig").into());
    s.refresh_token = Some(format!("refresh-{tag}").into());
    s.cart_key = Some(format!("cart-{tag}"));
    s
}

fn refresh_of(stored: &Stored) -> Option<String> {
    stored
        .session()
        .and_then(|s| s.refresh_token.as_ref())
        .map(|t| t.expose_secret().to_string())
}

/// The cluster helpers block (they poll the nodes): off the async workers.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

fn read(pki: &TestPki, file: &str) -> Vec<u8> {
    pki.read(file).expect("read a file of the test PKI")
}

/// A TLS-only cluster with the PKI's server certificate on every node.
fn start_tls_cluster(pki: &TestPki, auth_clients: bool) -> RedisCluster {
    let started = Instant::now();
    let cluster = blocking(|| RedisCluster::start_tls(&pki.server_tls(auth_clients)))
        .expect("start a local TLS-only Redis Cluster (Debian's redis-server is built with TLS)");
    eprintln!("TLS cluster up in {:?}", started.elapsed());
    for url in cluster.urls() {
        assert!(url.starts_with("rediss://127.0.0.1:"), "{url}");
    }
    cluster
}

fn builder(nodes: Vec<String>, ns: &str) -> RedisSessionsBuilder {
    RedisSessions::cluster_builder(nodes)
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns)
        .command_timeout(Duration::from_secs(4))
}

/// A `connect()` that must fail with a TLS error naming no password: its text (Display and
/// Debug) is returned.
async fn tls_failure(builder: RedisSessionsBuilder) -> String {
    let err = builder.connect().await.expect_err("TLS must fail");
    let text = format!("{err} | {err:?}");
    assert!(matches!(err, SetupError::Tls(_)), "not a TLS error: {text}");
    assert!(!text.contains(PASSWORD), "the password shows in {text}");
    text
}

/// The node URLs with a user and password in each.
fn with_password(urls: &[String]) -> Vec<String> {
    urls.iter()
        .map(|u| u.replacen("://", &format!("://shop:{PASSWORD}@"), 1))
        .collect()
}

/// With the cluster's CA, the store and the lock pass the SDK's conformance checks on every
/// shard the customers land on; then the primary of a customer's slot hands over to its replica
/// (`CLUSTER FAILOVER`) between a save and the next: the client follows the slot to the new
/// primary over TLS and the revisions go on, with the lock held across.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_cluster_with_its_ca_passes_the_conformance_checks_and_follows_a_failover() {
    let pki = TestPki::new("tls-cluster-conformance").expect("the test PKI (openssl)");
    let cluster = start_tls_cluster(&pki, false);
    let ns = unique_namespace("tls-cluster");
    let sessions = builder(cluster.urls(), &ns)
        .tls_root_certificates_pem(read(&pki, "ca.crt"))
        .connect()
        .await
        .expect("connect to the TLS cluster with its CA");
    let started = Instant::now();
    store_conformance(&sessions.store("jane"), true).await;
    lock_conformance(&sessions.lock("jane"), Duration::from_millis(300)).await;
    eprintln!("conformance checks took {:?}", started.elapsed());

    // A round trip through a second process's connection, given a single node: the others are
    // discovered, and reached over TLS with the same CA.
    let other = builder(cluster.urls()[..1].to_vec(), &ns)
        .tls_root_certificates_pem(read(&pki, "ca.crt"))
        .connect()
        .await
        .expect("a second process, one initial node");
    let mut slots = std::collections::HashSet::new();
    for customer in ["a", "b", "c", "d", "e", "f"] {
        let store = sessions.store(customer);
        assert_eq!(store.save(0, &session(customer)).await, Ok(1));
        let loaded = other.store(customer).load().await.expect("load over TLS");
        assert_eq!(
            refresh_of(&loaded).as_deref(),
            Some(&*format!("refresh-{customer}"))
        );
        let slot = blocking(|| cluster.keyslot(store.key_name())).expect("keyslot");
        slots.insert(blocking(|| cluster.primary_of_slot(slot)).expect("primary"));
    }
    assert!(
        slots.len() > 1,
        "the customers reached several primaries: {slots:?}"
    );

    // A coordinated failover in the middle of use.
    let store = sessions.store("bob");
    let lock = sessions.lock("bob");
    assert_eq!(store.save(0, &session("before")).await, Ok(1));
    assert!(
        lock.try_acquire("a", Duration::from_secs(30))
            .await
            .expect("acquire")
            .is_some()
    );
    let slot = blocking(|| cluster.keyslot(store.key_name())).expect("keyslot");
    let old = blocking(|| cluster.primary_of_slot(slot)).expect("primary");
    let started = Instant::now();
    let new = blocking(|| cluster.failover(slot)).expect("CLUSTER FAILOVER over TLS");
    eprintln!("CLUSTER FAILOVER took {:?}", started.elapsed());
    assert_ne!(old, new, "the replica took the slot over");
    assert_eq!(
        blocking(|| cluster.primary_of_slot(slot)).expect("primary"),
        new
    );
    let stored = store.load().await.expect("load after the failover");
    assert_eq!(stored.revision(), 1, "nothing lost in the hand-over");
    assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-before"));
    assert_eq!(
        store.save(1, &session("after")).await,
        Ok(2),
        "saved on the new primary, confirmed by its replica (the old primary)"
    );
    assert!(
        lock.try_acquire("b", Duration::from_secs(5))
            .await
            .expect("try the lock")
            .is_none(),
        "the lock survived the hand-over"
    );
    assert!(
        lock.renew("a", Duration::from_secs(5))
            .await
            .expect("renew")
    );
    lock.release("a").await.expect("release");
    let stored = other.store("bob").load().await.expect("load elsewhere");
    assert_eq!(stored.revision(), 2);
    assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-after"));
}

/// A cluster whose nodes require a client certificate (`tls-auth-clients yes`): with the CA and
/// a client certificate of that CA, every node is reached; a wrong CA (or the webpki roots) and
/// a missing or foreign client certificate fail at `connect()` with `SetupError::Tls` naming
/// the cause and not the password; so do mixed `rediss://` / `redis://` nodes, TLS options on
/// `redis://` nodes (redis-rs would otherwise quietly speak TLS to them) and `#insecure`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutual_tls_cluster_refuses_a_wrong_ca_or_certificate_and_mixed_nodes_at_connect() {
    let pki = TestPki::new("tls-cluster-mtls").expect("the test PKI (openssl)");
    let cluster = start_tls_cluster(&pki, true);
    let urls = with_password(&cluster.urls());
    let ns = unique_namespace("tls-cluster-mtls");
    let ca = read(&pki, "ca.crt");
    let (cert, key) = (read(&pki, "client.crt"), read(&pki, "client.key"));

    // A wrong CA, or none (the webpki roots): the nodes' certificate is refused.
    let started = Instant::now();
    let text = tls_failure(
        builder(urls.clone(), &ns)
            .tls_root_certificates_pem(read(&pki, "other-ca.crt"))
            .tls_client_certificate_pem(cert.clone(), key.clone()),
    )
    .await;
    assert!(text.contains("UnknownIssuer"), "{text}");
    eprintln!("a wrong CA failed in {:?}", started.elapsed());
    let text = tls_failure(builder(urls.clone(), &ns)).await;
    assert!(text.contains("UnknownIssuer"), "{text}");

    // The right CA, but no client certificate, or one of a CA the nodes do not know.
    let text = tls_failure(builder(urls.clone(), &ns).tls_root_certificates_pem(ca.clone())).await;
    assert!(text.contains("CertificateRequired"), "{text}");
    let text = tls_failure(
        builder(urls.clone(), &ns)
            .tls_root_certificates_pem(ca.clone())
            .tls_client_certificate_pem(read(&pki, "stranger.crt"), read(&pki, "stranger.key")),
    )
    .await;
    assert!(text.contains("UnknownCA"), "{text}");

    // Every node `rediss://`, or none; TLS options only with `rediss://`; no `#insecure`.
    let mut mixed = urls.clone();
    mixed[1] = mixed[1].replacen("rediss://", "redis://", 1);
    let text = tls_failure(builder(mixed.clone(), &ns)).await;
    assert!(text.contains("all or none"), "{text}");
    let text = tls_failure(builder(mixed, &ns).tls_root_certificates_pem(ca.clone())).await;
    assert!(text.contains("all or none"), "{text}");
    let plain: Vec<String> = urls
        .iter()
        .map(|u| u.replacen("rediss://", "redis://", 1))
        .collect();
    let text = tls_failure(builder(plain.clone(), &ns).tls_root_certificates_pem(ca.clone())).await;
    assert!(text.contains("rediss://"), "{text}");
    let text = tls_failure(
        builder(plain, &ns)
            .tls_root_certificates_pem(ca.clone())
            .tls_client_certificate_pem(cert.clone(), key.clone()),
    )
    .await;
    assert!(text.contains("rediss://"), "{text}");
    let mut insecure = urls.clone();
    insecure[0].push_str("#insecure");
    let text = tls_failure(builder(insecure, &ns).tls_root_certificates_pem(ca.clone())).await;
    assert!(text.contains("insecure"), "{text}");

    // The CA and a client certificate of it: every node answers (the customers spread over
    // the primaries), and the key shows nowhere.
    let good = builder(cluster.urls(), &ns)
        .tls_root_certificates_pem(ca.clone())
        .tls_client_certificate_pem(cert.clone(), key.clone());
    let debug = format!("{good:?}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
    assert!(!debug.contains("127.0.0.1"), "{debug}");
    let sessions = good.connect().await.expect("mutual TLS with every node");
    let mut primaries = std::collections::HashSet::new();
    for customer in ["a", "b", "c", "d", "e", "f"] {
        let store = sessions.store(customer);
        assert_eq!(store.save(0, &session(customer)).await, Ok(1));
        assert_eq!(store.load().await.expect("load").revision(), 1);
        let slot = blocking(|| cluster.keyslot(store.key_name())).expect("keyslot");
        primaries.insert(blocking(|| cluster.primary_of_slot(slot)).expect("primary"));
    }
    assert!(primaries.len() > 1, "{primaries:?}");
    let lock = sessions.lock("a");
    assert!(
        lock.try_acquire("x", Duration::from_secs(5))
            .await
            .expect("acquire")
            .is_some()
    );
    assert!(lock.mark_refreshing("x").await.expect("mark"));
    lock.release("x").await.expect("release");
    assert!(!format!("{sessions:?}").contains("PRIVATE KEY"));
}
