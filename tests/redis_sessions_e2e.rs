//! One customer's session shared through a real `redis-server` by several **OS processes** (the
//! `concurrent` example) and by in-process replicas, against one real `cocart-mock`, judged
//! from the mock's journal: one login, one refresh per rotation, no refresh token sent twice,
//! every read served, nobody signed out.

mod support;

#[allow(dead_code)]
#[path = "../examples/backend.rs"]
mod backend;

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart::{CoCartClient, Error, SessionStore, SessionStoreError};
use cocart_e2e::demos::SharedSessionArgs;
use cocart_mock::{FaultSpec, MockServer, PluginVersion};
use cocart_redis::RedisSessions;
use cocart_redis::testing::{RedisServer, TestRedis, unique_namespace};
use serde_json::{Value, json};
use support::*;
use tokio::process::Command;

const LOGIN_PATH: &str = "/wp-json/cocart/v2/login";
/// The namespace the demos use (see `SharedSessionArgs::attach`).
const DEMO_NAMESPACE: &str = "cocart-demo";

fn statuses(server: &MockServer, path: &str) -> Vec<u16> {
    journal_for(server, path).iter().map(|e| e.status).collect()
}

/// One `concurrent` example process.
type Replica = ExampleProcess;

fn spawn_replica(
    server: &MockServer,
    redis_url: &str,
    key: &str,
    wait: u64,
    extra: &[&str],
) -> Replica {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let binary = BINARY.get_or_init(|| example_binary("concurrent"));
    let mut command = Command::new(binary);
    command
        .args(["--store-url", server.base_url()])
        .args(["--username", USER, "--password", PASSWORD])
        .args(["--concurrency", "10", "--wait", &wait.to_string()])
        .args(["--session-redis", redis_url, "--session-key", key])
        .args(extra);
    command
        .env_remove("COCART_PASSWORD")
        .env("COCART_KEY_NAME_SECRET", TEST_KEY_NAME_SECRET)
        .env("RUST_LOG", "warn");
    ExampleProcess::start(command)
}

fn assert_served_all(status: ExitStatus, output: &str) {
    assert!(status.success(), "{output}");
    assert!(output.contains("successes: 10"), "{output}");
    assert!(output.contains("failures:  0"), "{output}");
}

/// Item 7 of the design as the README shows it: three processes against a mock whose tokens
/// live 10 s, each waiting 11 s (real time) and firing 10 reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_across_a_real_expiry_make_one_login_and_one_refresh() {
    let server = MockServer::builder().access_ttl(10).start().await.unwrap();
    let redis = TestRedis::get().expect("redis");
    let key = unique_namespace("real-expiry");
    let replicas: Vec<_> = (0..3)
        .map(|_| spawn_replica(&server, &redis.url(), &key, 11, &[]))
        .collect();
    let mut outputs = Vec::new();
    for r in replicas {
        outputs.push(r.finish().await);
    }
    for (status, output) in &outputs {
        assert_served_all(*status, output);
    }
    assert_eq!(statuses(&server, LOGIN_PATH), vec![200], "one login");
    assert_eq!(
        statuses(&server, REFRESH_PATH),
        vec![200],
        "one refresh, and so no refresh token sent twice"
    );
    let reads = statuses(&server, CART_PATH);
    assert_eq!(reads.len(), 30, "{reads:?}");
    assert!(reads.iter().all(|s| *s == 200), "{reads:?}");
}

/// Starts `n` processes that sign in (one login) and wait `wait` seconds; returns them ready.
async fn ready_replicas(
    server: &MockServer,
    redis_url: &str,
    key: &str,
    n: usize,
    wait: u64,
    extra: &[&str],
) -> Vec<Replica> {
    let mut replicas: Vec<_> = (0..n)
        .map(|_| spawn_replica(server, redis_url, key, wait, extra))
        .collect();
    for r in &mut replicas {
        r.ready().await;
    }
    replicas
}

/// A client in this process on the same Redis session as the example processes.
async fn in_process_replica(server: &MockServer, redis_url: &str, key: &str) -> CoCartClient {
    let sessions = RedisSessions::builder(redis_url)
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(DEMO_NAMESPACE)
        .connect()
        .await
        .expect("redis");
    let client = CoCartClient::builder(server.base_url())
        .session_store(sessions.store(key))
        .session_lock(sessions.lock(key))
        .build()
        .unwrap();
    assert!(client.restore_session().await.unwrap().is_some());
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_v3_the_old_token_kill_is_answered_by_adopting_the_pair_another_process_saved() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let redis = TestRedis::get().expect("redis");
    let key = unique_namespace("v3-kill");
    let replicas = ready_replicas(&server, &redis.url(), &key, 3, 3, &[]).await;
    // Another replica rotates while the processes hold the old access token: on v3 that ends it.
    let rotating = in_process_replica(&server, &redis.url(), &key).await;
    rotating.refresh_now().await.expect("refresh");
    for r in replicas {
        let (status, output) = r.finish().await;
        assert_served_all(status, &output);
    }
    assert_eq!(statuses(&server, LOGIN_PATH), vec![200]);
    assert_eq!(
        statuses(&server, REFRESH_PATH),
        vec![200],
        "the processes adopted the rotated pair instead of refreshing"
    );
    let reads = statuses(&server, CART_PATH);
    assert!(
        reads.contains(&403),
        "the old token really was killed: {reads:?}"
    );
    assert_eq!(reads.iter().filter(|s| **s == 200).count(), 30, "{reads:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_plugin_v2_processes_make_one_refresh_when_the_server_expires_the_token() {
    let server = MockServer::builder()
        .plugin(PluginVersion::V2)
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let redis = TestRedis::get().expect("redis");
    let key = unique_namespace("v2");
    let replicas = ready_replicas(&server, &redis.url(), &key, 3, 3, &[]).await;
    // The store's clock moves past the expiry; the processes' clocks do not (reactive path).
    server.advance_clock(3700);
    for r in replicas {
        let (status, output) = r.finish().await;
        assert_served_all(status, &output);
    }
    assert_eq!(statuses(&server, LOGIN_PATH), vec![200]);
    assert_eq!(statuses(&server, REFRESH_PATH), vec![200]);
    let reads = statuses(&server, CART_PATH);
    assert!(reads.contains(&401), "v2 rejects with 401: {reads:?}");
    assert_eq!(reads.iter().filter(|s| **s == 200).count(), 30, "{reads:?}");
}

/// The lock holder is killed with SIGKILL while its refresh hangs on the store: the others wait
/// no longer than the lease, then refresh once with the stored token (the killed request never
/// reached the refresh handler's effect in time) and serve every read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_killed_mid_refresh_costs_the_others_one_lease_and_nobody_is_signed_out() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let redis = TestRedis::get().expect("redis");
    let key = unique_namespace("sigkill");
    const LEASE: u64 = 4;
    let lease = LEASE.to_string();
    let mut replicas =
        ready_replicas(&server, &redis.url(), &key, 3, 2, &["--lock-lease", &lease]).await;
    // Whoever refreshes first hangs for a minute inside the store.
    server
        .add_fault(FaultSpec::delay(REFRESH_PATH, 60_000, 1))
        .unwrap();
    server.advance_clock(3700);

    let lock = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(DEMO_NAMESPACE)
        .connect()
        .await
        .unwrap()
        .lock(&key);
    let mut conn = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let holder: String = loop {
        let held: Option<String> = redis::cmd("GET")
            .arg(lock.key_name())
            .query_async(&mut conn)
            .await
            .unwrap();
        if let Some(owner) = held {
            break owner;
        }
        assert!(Instant::now() < deadline, "nobody took the refresh lock");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // The owner name starts with the holder's process id.
    let pid: u32 = holder.split('-').next().unwrap().parse().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await; // its refresh is on the wire
    let index = replicas
        .iter()
        .position(|r| r.pid() == Some(pid))
        .expect("the holder is one of ours");
    let mut killed = replicas.remove(index);
    killed.child.start_kill().unwrap(); // SIGKILL
    let killed_at = Instant::now();
    let (status, _) = killed.finish().await;
    assert!(!status.success());

    for r in replicas {
        let (status, output) = r.finish().await;
        assert_served_all(status, &output);
    }
    let waited = killed_at.elapsed();
    assert!(
        waited < Duration::from_secs(LEASE + 4),
        "the others waited at most about one lease: {waited:?}"
    );
    let refreshes = statuses(&server, REFRESH_PATH);
    assert_eq!(
        refreshes.iter().filter(|s| **s == 200).count(),
        1,
        "one refresh after the holder died: {refreshes:?}"
    );
    assert!(
        refreshes.iter().all(|s| *s == 200 || *s == 0),
        "no refresh token was refused as already used: {refreshes:?}"
    );
}

/// Requests with a valid token do not touch Redis: the server's command count does not move.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_with_a_valid_token_make_no_redis_call() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    // A server of its own, so that no other test's commands are counted.
    let redis = RedisServer::start().expect("redis-server");
    let sessions = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(unique_namespace("quiet"))
        .connect()
        .await
        .unwrap();
    let client = CoCartClient::builder(server.base_url())
        .session_store(sessions.store("jane"))
        .session_lock(sessions.lock("jane"))
        .build()
        .unwrap();
    client.login(USER, PASSWORD).await.unwrap();
    let mut conn = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let before = commands_processed(&mut conn).await;
    for _ in 0..20 {
        client.cart().get(&CartQuery::default()).await.unwrap();
    }
    let after = commands_processed(&mut conn).await;
    // The INFO call itself is the one command between the two readings.
    assert_eq!(after - before, 1, "valid-token requests touched Redis");

    // A refresh does touch it: lock, re-read, renew, save, release.
    client.refresh_now().await.unwrap();
    let refreshed = commands_processed(&mut conn).await;
    assert!(refreshed - after > 3, "{}", refreshed - after);
}

async fn commands_processed(conn: &mut redis::aio::MultiplexedConnection) -> u64 {
    cocart_redis::testing::commands_processed(conn)
        .await
        .expect("total_commands_processed in INFO")
}

/// Redis is killed and restarted empty while two replicas serve one customer: valid tokens go
/// on, an expired one gives a typed transient error without a refresh or a sign-out, and the
/// session recovers with one refresh once Redis is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_keeps_the_customer_signed_in_and_one_refresh_recovers() {
    const TTL: i64 = 3600;
    let server = MockServer::builder()
        .access_ttl(TTL as u64)
        .start()
        .await
        .unwrap();
    let mut redis = RedisServer::start().expect("redis-server");
    let sessions = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(unique_namespace("restart"))
        .command_timeout(Duration::from_millis(500))
        .connect()
        .await
        .unwrap();
    let clock = OffsetClock::new();
    let replica = || {
        CoCartClient::builder(server.base_url())
            .clock(clock.clone())
            .session_store(sessions.store("jane"))
            .session_lock(sessions.lock("jane"))
            .timeout(Duration::from_secs(2))
            .refresh_cooldown(Duration::from_millis(100))
            .build()
            .unwrap()
    };
    let (a, b) = (replica(), replica());
    a.login(USER, PASSWORD).await.unwrap();
    assert!(b.restore_session().await.unwrap().is_some());
    server.clear_journal();

    redis.kill();
    for c in [&a, &b] {
        c.cart()
            .get(&CartQuery::default())
            .await
            .expect("a valid token needs no Redis");
    }
    advance(&server, &clock, TTL + 10);
    let err = a.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(
        matches!(err, Error::Storage(SessionStoreError::Unavailable(_))),
        "{err:?}"
    );
    assert!(
        statuses(&server, REFRESH_PATH).is_empty(),
        "no refresh without the lock"
    );
    assert!(a.is_signed_in() && b.is_signed_in());

    redis.restart().expect("restart"); // empty: the stored session is gone with it
    tokio::time::sleep(Duration::from_millis(200)).await; // past the failure cooldown
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reads = futures::future::join_all(
            [&a, &b].map(|c| async move { c.cart().get(&CartQuery::default()).await }),
        )
        .await;
        if reads.iter().all(Result::is_ok) {
            break;
        }
        assert!(
            reads
                .iter()
                .all(|r| matches!(r, Ok(_) | Err(Error::Storage(_)))),
            "{reads:?}"
        );
        assert!(Instant::now() < deadline, "no recovery: {reads:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(statuses(&server, REFRESH_PATH), vec![200], "one refresh");
    assert!(a.is_signed_in() && b.is_signed_in());
    let saved = sessions
        .store("jane")
        .load()
        .await
        .unwrap()
        .session()
        .cloned()
        .expect("saved again");
    assert!(saved.refresh_token.is_some());
}

/// Two instances of `examples/backend.rs` serve one customer's cart through Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_backend_instances_serve_one_customers_cart_through_redis() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let redis = TestRedis::get().expect("redis");
    let key = unique_namespace("backend");
    let args = || backend::Args {
        store_url: Some(server.base_url().to_string()),
        username: Some(USER.into()),
        password: Some(PASSWORD.into()),
        listen: "127.0.0.1:0".into(),
        session_file: None,
        shared: SharedSessionArgs {
            session_redis: Some(redis.url()),
            session_key: Some(key.clone()),
            lock_lease: None,
            session_keys: None,
            migrate_key_names: None,
            key_name_secret: Some("Y29jYXJ0LXRlc3RzLWtleS1uYW1lLXNlY3JldC0zMmI=".into()),
        },
    };
    let mut bases = Vec::new();
    for _ in 0..2 {
        let (client, mock) = backend::connect(&args()).await.unwrap();
        assert!(mock.is_none());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        bases.push(format!("http://{}", listener.local_addr().unwrap()));
        tokio::spawn(async move { axum::serve(listener, backend::app(client)).await });
    }
    assert_eq!(
        statuses(&server, LOGIN_PATH),
        vec![200],
        "the second instance restored"
    );
    let http = reqwest::Client::new();
    let added = http
        .post(format!("{}/cart/items", bases[0]))
        .json(&json!({"sku": "MOCK-TSHIRT", "qty": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    // The store expires the token; both instances keep serving, with one refresh between them.
    server.advance_clock(3700);
    let reads = futures::future::join_all((0..10).map(|i| {
        let url = format!("{}/cart", bases[i % 2]);
        let http = http.clone();
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    }))
    .await;
    for cart in &reads {
        assert_eq!(cart["items"][0]["sku"], "MOCK-TSHIRT", "{cart}");
    }
    assert_eq!(statuses(&server, REFRESH_PATH), vec![200]);
}

#[test]
fn the_shared_session_options_go_together() {
    use clap::Parser;
    let base = [
        "concurrent",
        "--store-url",
        "http://127.0.0.1:1",
        "--username",
        "u",
        "--password",
        "p",
    ];
    let parse = |extra: &[&str]| {
        cocart_e2e::demos::concurrent::Args::try_parse_from(base.iter().chain(extra))
    };
    assert!(parse(&["--session-redis", "redis://127.0.0.1:1/"]).is_err());
    assert!(parse(&["--session-key", "k"]).is_err());
    let ok = parse(&[
        "--session-redis",
        "redis://user:s3cret@127.0.0.1:1/",
        "--session-key",
        "k",
    ])
    .unwrap();
    assert!(ok.shared.is_shared());
    assert!(!format!("{:?}", ok.shared).contains("s3cret"));
}

/// A logout in one replica (plugin v3 ends every token of the account) reaches the other at its
/// next request: rejected token, failed refresh, signed out; nothing is left in Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_in_one_replica_signs_the_other_out_at_its_next_request() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let redis = TestRedis::get().expect("redis");
    let sessions = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(unique_namespace("logout"))
        .connect()
        .await
        .unwrap();
    let replica = || {
        CoCartClient::builder(server.base_url())
            .session_store(sessions.store("jane"))
            .session_lock(sessions.lock("jane"))
            .build()
            .unwrap()
    };
    let (a, b) = (replica(), replica());
    a.login(USER, PASSWORD).await.unwrap();
    assert!(b.restore_session().await.unwrap().is_some());
    a.logout().await.unwrap();
    assert!(matches!(
        sessions.store("jane").load().await.unwrap(),
        cocart::Stored::Cleared { .. }
    ));
    let err = b.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert!(!b.is_signed_in());
}
