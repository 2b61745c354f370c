//! Issue 23, item 4, across real processes: a customer's session moves from the unkeyed Redis
//! key names of 0.3 to private (keyed) ones during a rolling deployment, with nobody signed out.
//! Three OS processes of the `concurrent` example serve one customer against one real
//! `cocart-mock` and one real `redis-server`, in five waves, each across a token expiry:
//!
//! 1. the names of 0.3 everywhere;
//! 2. step 1 (`follow`) rolling out beside a process of 0.3;
//! 3. step 2 (`move`) rolling out beside a step-1 process: the session moves;
//! 4. step 2 everywhere;
//! 5. the migration dropped: keyed names only.
//!
//! Judged from the mock's journal: one login, one refresh per rotation of the token, none
//! refused, no logout, every read served; and from Redis: where the session lives.

mod support;

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
const WAIT_SECS: u64 = 3;
const TOKEN_TTL: u64 = 3600;

fn statuses(server: &MockServer, path: &str) -> Vec<u16> {
    journal_for(server, path).iter().map(|e| e.status).collect()
}

#[derive(Clone, Copy, Debug)]
enum Names {
    /// A process of 0.3: unkeyed names.
    V03,
    Follow,
    Move,
    Keyed,
}

fn spawn_replica(
    server: &MockServer,
    redis_url: &str,
    key: &str,
    session_keys: &str,
    names: Names,
) -> ExampleProcess {
    let mut command = Command::new(example_binary("concurrent"));
    command
        .args(["--store-url", server.base_url()])
        .args(["--username", USER, "--password", PASSWORD])
        .args(["--concurrency", "10", "--wait", &WAIT_SECS.to_string()])
        .args(["--session-redis", redis_url, "--session-key", key])
        .env("COCART_SESSION_KEYS", session_keys)
        .env_remove("COCART_KEY_NAME_SECRET")
        .env_remove("COCART_MIGRATE_KEY_NAMES")
        .env_remove("COCART_PASSWORD")
        .env("RUST_LOG", "warn");
    match names {
        Names::V03 => {}
        Names::Follow | Names::Move | Names::Keyed => {
            command.env("COCART_KEY_NAME_SECRET", TEST_KEY_NAME_SECRET);
        }
    }
    match names {
        Names::Follow => {
            command.env("COCART_MIGRATE_KEY_NAMES", "follow");
        }
        Names::Move => {
            command.env("COCART_MIGRATE_KEY_NAMES", "move");
        }
        _ => {}
    }
    ExampleProcess::start(command)
}

async fn field(
    conn: &mut redis::aio::MultiplexedConnection,
    key: &str,
    name: &str,
) -> Option<String> {
    redis::cmd("HGET")
        .arg(key)
        .arg(name)
        .query_async(conn)
        .await
        .expect("hget")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_move_the_session_to_private_key_names_mid_run_with_nobody_signed_out() {
    let server = MockServer::builder()
        .access_ttl(TOKEN_TTL)
        .start()
        .await
        .expect("mock");
    let redis = TestRedis::get().expect("redis");
    let url = redis.url();
    let customer = unique_namespace("key-names");
    let key = EncryptionKey::from_bytes([0x33; 32])
        .with_id("k1")
        .expect("id");
    let session_keys = format!("k1:{}", key.to_base64().expose_secret());
    let old = RedisSessions::builder(url.as_str())
        .namespace(DEMO_NAMESPACE)
        .unkeyed_key_names()
        .connect()
        .await
        .expect("redis");
    let new = RedisSessions::builder(url.as_str())
        .namespace(DEMO_NAMESPACE)
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .connect()
        .await
        .expect("redis");
    let old_key = old.store(&customer).key_name().to_string();
    let new_key = new.store(&customer).key_name().to_string();
    let mut conn = redis::Client::open(url.as_str())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("raw connection");

    use Names::*;
    // (what the wave is, its three processes, whether the session has moved after it)
    let waves: [(&str, [Names; 3], bool); 5] = [
        ("the names of 0.3 everywhere", [V03, V03, V03], false),
        (
            "step 1 rolling out beside 0.3",
            [V03, Follow, Follow],
            false,
        ),
        (
            "step 2 rolling out beside step 1",
            [Follow, Move, Move],
            true,
        ),
        ("step 2 everywhere", [Move, Move, Move], true),
        ("the migration dropped", [Keyed, Keyed, Keyed], true),
    ];
    for (wave, (what, names, moved)) in waves.iter().enumerate() {
        let mut replicas: Vec<_> = names
            .iter()
            .map(|n| spawn_replica(&server, &url, &customer, &session_keys, *n))
            .collect();
        for r in &mut replicas {
            r.ready().await;
        }
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
        let marker = field(&mut conn, &old_key, "moved").await;
        let at_new = field(&mut conn, &new_key, "data").await;
        if *moved {
            assert_eq!(marker.as_deref(), Some("session"), "wave {wave} ({what})");
            assert!(
                at_new.is_some_and(|d| d.starts_with("xc20p2:k1:")),
                "wave {wave} ({what}): sealed under the new name"
            );
        } else {
            assert_eq!(marker, None, "wave {wave} ({what}): nothing moved yet");
            assert!(at_new.is_none(), "wave {wave} ({what})");
            assert!(field(&mut conn, &old_key, "data").await.is_some());
        }
    }

    assert_eq!(statuses(&server, LOGIN_PATH), vec![200], "one login");
    assert!(statuses(&server, LOGOUT_PATH).is_empty(), "no sign-out");
    let reads = statuses(&server, CART_PATH);
    assert_eq!(
        reads.iter().filter(|s| **s == 200).count(),
        5 * 3 * 10,
        "every read served: {reads:?}"
    );
}
