//! `examples/backend.rs` and the sessions it keeps: a stored session of another store (file or
//! Redis) is refused before any request reaches that store, and a customer whose session ended
//! gets 401 with the reason instead of a guest cart. Judged from the mocks' journals.

mod support;

#[allow(dead_code)]
#[path = "../examples/backend.rs"]
mod backend;

use std::path::PathBuf;

use cocart_e2e::demos::SharedSessionArgs;
use cocart_mock::MockServer;
use cocart_redis::testing::{TestRedis, unique_namespace};
use serde_json::Value;
use support::*;

fn args(store: Option<&MockServer>, session_file: Option<PathBuf>) -> backend::Args {
    backend::Args {
        store_url: store.map(|s| s.base_url().to_string()),
        username: store.map(|_| USER.to_string()),
        password: store.map(|_| PASSWORD.to_string()),
        listen: "127.0.0.1:0".into(),
        session_file,
        shared: SharedSessionArgs::default(),
    }
}

fn shared(mut args: backend::Args, redis: &TestRedis, key: &str) -> backend::Args {
    args.shared = SharedSessionArgs {
        session_redis: Some(redis.url()),
        session_key: Some(key.to_string()),
        lock_lease: None,
        session_keys: None,
        migrate_key_names: None,
        key_name_secret: Some("Y29jYXJ0LXRlc3RzLWtleS1uYW1lLXNlY3JldC0zMmI=".into()),
    };
    args
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cocart-backend-sessions-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("session.json")
}

async fn refused(args: &backend::Args, other: &MockServer) -> String {
    let err = match backend::connect(args).await {
        Ok(_) => panic!("a session of another store was used"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("belongs to"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    assert!(
        other.journal().is_empty(),
        "zero requests reached the other store: {:?}",
        other.journal()
    );
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_session_file_of_store_a_is_refused_for_store_b() {
    let a = MockServer::start().await.unwrap();
    let b = MockServer::start().await.unwrap();
    // Without --session-file, A and B share one default file.
    assert_eq!(
        backend::session_file(&args(Some(&a), None), false),
        backend::session_file(&args(Some(&b), None), false),
    );
    let file = scratch("file");
    let (client, _) = backend::connect(&args(Some(&a), Some(file.clone())))
        .await
        .unwrap();
    assert!(client.is_signed_in());
    drop(client);
    b.clear_journal();
    let err = refused(&args(Some(&b), Some(file.clone())), &b).await;
    assert!(err.contains("--session-file"), "{err}");
    // A still works from the same file, with no new login.
    a.clear_journal();
    let (client, _) = backend::connect(&args(Some(&a), Some(file.clone())))
        .await
        .unwrap();
    assert!(client.is_signed_in());
    assert!(journal_for(&a, "/wp-json/cocart/v2/login").is_empty());
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_session_of_another_store_is_refused_for_an_explicit_or_embedded_store() {
    let redis = TestRedis::get().expect("redis");
    let b = MockServer::start().await.unwrap();

    // --store-url A, then --store-url B, on one key.
    let a = MockServer::start().await.unwrap();
    let key = unique_namespace("backend-a-b");
    let (client, _) = backend::connect(&shared(args(Some(&a), None), &redis, &key))
        .await
        .unwrap();
    assert!(client.is_signed_in());
    b.clear_journal();
    let err = refused(&shared(args(Some(&b), None), &redis, &key), &b).await;
    assert!(err.contains("--session-key"), "{err}");

    // One embedding a mock, then --store-url B, on one key.
    let key = unique_namespace("backend-embedded");
    let (client, embedded) = backend::connect(&shared(args(None, None), &redis, &key))
        .await
        .unwrap();
    assert!(embedded.is_some() && client.is_signed_in());
    refused(&shared(args(Some(&b), None), &redis, &key), &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_whose_session_ended_gets_401_with_the_reason_never_a_guest_cart() {
    let server = MockServer::builder()
        .access_ttl(600)
        .refresh_ttl(1200)
        .start()
        .await
        .unwrap();
    let file = scratch("signed-out");
    let (client, _) = backend::connect(&args(Some(&server), Some(file.clone())))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = tokio::spawn(async move { axum::serve(listener, backend::app(client)).await });
    let http = reqwest::Client::new();
    let get = || async {
        let resp = http.get(format!("{base}/cart")).send().await.unwrap();
        (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
    };
    assert_eq!(get().await.0, 200);

    // Both tokens expire on the store: the refresh is refused and the session ends.
    server.advance_clock(1300);
    for _ in 0..2 {
        let (status, body) = get().await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["code"], "signed_out", "{body}");
        assert_eq!(body["error"]["reason"], "refresh_token_expired", "{body}");
    }
    let added = http
        .post(format!("{base}/cart/items"))
        .json(&serde_json::json!({"sku": "MOCK-TSHIRT"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 401);
    let guest: Vec<_> = server
        .journal()
        .into_iter()
        .filter(|e| e.path.starts_with(CART_PATH) && e.auth == "none")
        .collect();
    assert!(guest.is_empty(), "no guest cart was started: {guest:?}");
    assert_eq!(
        journal_for(&server, REFRESH_PATH)
            .iter()
            .map(|e| e.status)
            .collect::<Vec<_>>(),
        vec![403],
        "one refused refresh"
    );
    serving.abort();
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}
