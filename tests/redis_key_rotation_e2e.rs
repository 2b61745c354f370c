//! Issue 22, item 7b, across real processes: the encryption key of a session shared through a
//! real `redis-server` rotates with nobody signed out. Three OS processes of the `concurrent`
//! example serve one customer against one real `cocart-mock`, in five waves (a rolling
//! deployment), each wave across a token expiry:
//!
//! 1. `[k1]` everywhere;
//! 2. k2 added as a second key on some processes (`[k1, k2]`: k1 still seals);
//! 3. the writers switch (`[k2, k1]`) while one process still runs `[k1, k2]`;
//! 4. `[k2, k1]` everywhere;
//! 5. k1 retired (`[k2]`).
//!
//! Judged from the mock's journal: one login, one refresh per rotation of the token, no logout,
//! no refresh refused, every read served; and from Redis: the key id each value is sealed with.

mod support;

use std::path::PathBuf;

use cocart_mock::MockServer;
use cocart_redis::testing::{TestRedis, unique_namespace};
use cocart_redis::{EncryptionKey, RedisSessions};
use secrecy::ExposeSecret;
use support::*;
use tokio::process::Command;

const LOGIN_PATH: &str = "/wp-json/cocart/v2/login";
const LOGOUT_PATH: &str = "/wp-json/cocart/v2/logout";
/// The namespace the demos use (see `SharedSessionArgs::attach`).
const DEMO_NAMESPACE: &str = "cocart-demo";
/// Each wave's processes wait this long (real time) between signing in and reading, while the
/// test moves the mock's clock past the token's expiry.
const WAIT_SECS: u64 = 3;
const TOKEN_TTL: u64 = 3600;

fn statuses(server: &MockServer, path: &str) -> Vec<u16> {
    journal_for(server, path).iter().map(|e| e.status).collect()
}

/// One `concurrent` example process with its keys (`ID:BASE64,…`, through the environment so
/// they stay out of the process list).
type Replica = ExampleProcess;

fn spawn_replica(
    binary: &PathBuf,
    server: &MockServer,
    redis_url: &str,
    key: &str,
    keys: &str,
) -> Replica {
    let mut command = Command::new(binary);
    command
        .args(["--store-url", server.base_url()])
        .args(["--username", USER, "--password", PASSWORD])
        .args(["--concurrency", "10", "--wait", &WAIT_SECS.to_string()])
        .args(["--session-redis", redis_url, "--session-key", key])
        .env("COCART_SESSION_KEYS", keys)
        .env("COCART_KEY_NAME_SECRET", TEST_KEY_NAME_SECRET);
    command
        .env_remove("COCART_PASSWORD")
        .env("RUST_LOG", "warn");
    ExampleProcess::start(command)
}

/// The key id the stored session is sealed with (`xc20p2:ID:…`).
async fn sealed_with(redis_url: &str, key: &str) -> String {
    let probe = RedisSessions::builder(redis_url)
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(DEMO_NAMESPACE)
        .connect()
        .await
        .expect("redis");
    let mut conn = redis::Client::open(redis_url)
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("raw connection");
    let data: String = redis::cmd("HGET")
        .arg(probe.store(key).key_name())
        .arg("data")
        .query_async(&mut conn)
        .await
        .expect("a stored session");
    let header = data.strip_prefix("xc20p2:").expect("sealed with a key id");
    header
        .split_once(':')
        .map(|(id, _)| id.to_string())
        .expect("ID:BODY")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_rotate_the_session_key_mid_run_with_nobody_signed_out() {
    let server = MockServer::builder()
        .access_ttl(TOKEN_TTL)
        .start()
        .await
        .expect("mock");
    let redis = TestRedis::get().expect("redis");
    let customer = unique_namespace("rotation");
    let binary = example_binary("concurrent");

    let spec = |id: &str, byte: u8| {
        let key = EncryptionKey::from_bytes([byte; 32]);
        format!("{id}:{}", key.to_base64().expose_secret())
    };
    let k1 = spec("k1", 0x11);
    let k2 = spec("k2", 0x22);
    let k1_k2 = format!("{k1},{k2}");
    let k2_k1 = format!("{k2},{k1}");

    // (what the wave is, the keys of its three processes, the ids its refresh may seal with)
    let waves: [(&str, [&str; 3], &[&str]); 5] = [
        ("everyone on k1", [&k1, &k1, &k1], &["k1"]),
        ("k2 added as a second key", [&k1, &k1_k2, &k1_k2], &["k1"]),
        (
            "the writers switch to k2, one process not yet",
            [&k1_k2, &k2_k1, &k2_k1],
            &["k1", "k2"],
        ),
        ("everyone seals with k2", [&k2_k1, &k2_k1, &k2_k1], &["k2"]),
        ("k1 retired", [&k2, &k2, &k2], &["k2"]),
    ];

    for (wave, (what, keys, sealing)) in waves.iter().enumerate() {
        let mut replicas: Vec<_> = keys
            .iter()
            .map(|keys| spawn_replica(&binary, &server, &redis.url(), &customer, keys))
            .collect();
        for r in &mut replicas {
            r.ready().await;
        }
        // While they wait, the store's clock passes the token's expiry: the next reads are
        // refused and the processes make one refresh between them.
        server.advance_clock(TOKEN_TTL as i64 + 100);
        for r in replicas {
            let (status, output) = r.finish().await;
            assert!(status.success(), "wave {wave} ({what}): {output}");
            assert!(
                output.contains("successes: 10") && output.contains("failures:  0"),
                "wave {wave} ({what}): {output}"
            );
        }
        assert_eq!(
            statuses(&server, REFRESH_PATH),
            vec![200; wave + 1],
            "wave {wave} ({what}): one refresh per rotation, none refused"
        );
        let id = sealed_with(&redis.url(), &customer).await;
        assert!(
            sealing.contains(&id.as_str()),
            "wave {wave} ({what}): sealed with {id}, expected one of {sealing:?}"
        );
    }

    assert_eq!(statuses(&server, LOGIN_PATH), vec![200], "one login");
    assert!(statuses(&server, LOGOUT_PATH).is_empty(), "no sign-out");
    let reads = statuses(&server, CART_PATH);
    assert_eq!(
        reads.iter().filter(|s| **s == 200).count(),
        5 * 3 * 10,
        "every read served: {reads:?}"
    );
    // The customer is still signed in, sealed with k2 alone.
    let k2_only = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(DEMO_NAMESPACE)
        .encryption_keys([EncryptionKey::from_bytes([0x22; 32])
            .with_id("k2")
            .expect("id")])
        .connect()
        .await
        .expect("redis");
    let stored = cocart::SessionStore::load(&k2_only.store(&customer))
        .await
        .expect("opens with k2");
    assert!(
        stored.session().is_some_and(|s| s.refresh_token.is_some()),
        "{stored:?}"
    );
}
