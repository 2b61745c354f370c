//! The Redis store and lock against a real `redis-server`: the shared conformance checks, the
//! atomicity of compare-and-swap between connections, encryption at rest, key names, TTLs, ACL
//! credentials and what happens when Redis goes away.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cocart::conformance::{lock_conformance, store_conformance};
use cocart::{PersistedSession, SessionLock, SessionStore, SessionStoreError};
use cocart_redis::testing::{RedisServer, TestRedis, unique_namespace};
use cocart_redis::{EncryptionKey, RedisSessions, SetupError};
use secrecy::{ExposeSecret, SecretString};

fn session(revision: u64, tag: &str) -> PersistedSession {
    PersistedSession {
        revision,
        access_token: Some(SecretString::from(format!("eyJ.access-{tag}.sig"))),
        refresh_token: Some(SecretString::from(format!("refresh-{tag}"))),
        token_received_at: 1_700_000_000,
        user: None,
        cart_key: Some(format!("cart-{tag}")),
    }
}

async fn sessions(redis: &TestRedis, test: &str) -> RedisSessions {
    RedisSessions::builder(redis.url())
        .namespace(unique_namespace(test))
        .connect()
        .await
        .expect("connect")
}

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("raw connection")
}

#[tokio::test]
async fn the_redis_store_and_lock_pass_the_conformance_checks_plain_and_encrypted() {
    let redis = TestRedis::get().expect("redis");
    let plain = sessions(&redis, "conf").await;
    store_conformance(&plain.store("jane"), true).await;
    lock_conformance(&plain.lock("jane"), Duration::from_millis(300)).await;

    let sealed = RedisSessions::builder(redis.url())
        .namespace(unique_namespace("conf-sealed"))
        .encryption_key(EncryptionKey::generate())
        .connect()
        .await
        .expect("connect");
    store_conformance(&sealed.store("jane"), true).await;
}

#[tokio::test]
async fn concurrent_saves_of_one_revision_from_separate_connections_let_exactly_one_win() {
    let redis = TestRedis::get().expect("redis");
    let ns = unique_namespace("race");
    let mut stores = Vec::new();
    for _ in 0..8 {
        let s = RedisSessions::builder(redis.url())
            .namespace(ns.clone())
            .connect()
            .await
            .expect("connect");
        stores.push(s.store("jane"));
    }
    for revision in 1..=20u64 {
        let attempts = stores.iter().enumerate().map(|(i, store)| {
            let store = store.clone();
            async move {
                store
                    .save(&session(revision, &format!("{revision}-{i}")))
                    .await
            }
        });
        let results = futures::future::join_all(attempts).await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "revision {revision}: {results:?}");
        assert!(results.iter().all(|r| match r {
            Ok(()) => true,
            Err(SessionStoreError::Conflict { stored_revision }) => *stored_revision == revision,
            Err(_) => false,
        }));
        let stored = stores[0].load().await.expect("load").expect("stored");
        assert_eq!(stored.revision, revision);
    }
}

#[tokio::test]
async fn with_a_key_nothing_secret_reaches_redis_and_key_names_hold_no_customer_id() {
    let redis = TestRedis::get().expect("redis");
    let ns = unique_namespace("sealed");
    let key = EncryptionKey::generate();
    let key_text = key.to_base64();
    let sealed = RedisSessions::builder(redis.url())
        .namespace(ns.clone())
        .encryption_key(key)
        .session_ttl(Duration::from_secs(3600))
        .connect()
        .await
        .expect("connect");
    let store = sealed.store("jane@example.com");
    store.save(&session(3, "s3cr3t")).await.expect("save");
    let lock = sealed.lock("jane@example.com");
    assert!(
        lock.try_acquire("owner-1", Duration::from_secs(30))
            .await
            .expect("lock")
    );

    let mut conn = raw(&redis.url()).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:*"))
        .query_async(&mut conn)
        .await
        .expect("keys");
    assert_eq!(keys.len(), 2, "{keys:?}");
    for k in &keys {
        assert!(!k.contains("jane") && !k.contains("example"), "{k}");
        assert!(!k.contains("s3cr3t"), "{k}");
    }
    let fields: Vec<(String, String)> = redis::cmd("HGETALL")
        .arg(store.key_name())
        .query_async(&mut conn)
        .await
        .expect("hgetall");
    let dump = format!("{fields:?}");
    for secret in [
        "s3cr3t",
        "refresh-",
        "access-",
        "cart-",
        key_text.expose_secret(),
    ] {
        assert!(!dump.contains(secret), "{secret} leaked into Redis");
    }
    // TTLs: the session lives at most its TTL, the lock at most its lease.
    let session_ttl: i64 = redis::cmd("PTTL")
        .arg(store.key_name())
        .query_async(&mut conn)
        .await
        .expect("pttl");
    assert!(
        session_ttl > 3_500_000 && session_ttl <= 3_600_000,
        "{session_ttl}"
    );
    let lock_ttl: i64 = redis::cmd("PTTL")
        .arg(lock.key_name())
        .query_async(&mut conn)
        .await
        .expect("pttl");
    assert!(lock_ttl > 25_000 && lock_ttl <= 30_000, "{lock_ttl}");

    // It reads back with the key, and the Debug forms show no secret.
    let back = store.load().await.expect("load").expect("stored");
    assert_eq!(
        back.refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_string()),
        Some("refresh-s3cr3t".to_string())
    );
    for shown in [
        format!("{sealed:?}"),
        format!("{store:?}"),
        format!("{back:?}"),
    ] {
        assert!(
            !shown.contains("access-s3cr3t")
                && !shown.contains("refresh-s3cr3t")
                && !shown.contains("jane"),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn a_sealed_session_moved_to_another_customer_or_read_without_the_key_is_corrupt_not_gone() {
    let redis = TestRedis::get().expect("redis");
    let ns = unique_namespace("moved");
    let key = EncryptionKey::from_bytes([9; 32]);
    let sealed = RedisSessions::builder(redis.url())
        .namespace(ns.clone())
        .encryption_key(key)
        .connect()
        .await
        .expect("connect");
    let jane = sealed.store("jane");
    let john = sealed.store("john");
    jane.save(&session(2, "jane")).await.expect("save");

    let mut conn = raw(&redis.url()).await;
    let _: () = redis::cmd("COPY")
        .arg(jane.key_name())
        .arg(john.key_name())
        .query_async(&mut conn)
        .await
        .expect("copy");
    assert!(
        matches!(john.load().await, Err(SessionStoreError::Corrupt(_))),
        "a value copied to another customer's key does not open"
    );

    let keyless = RedisSessions::builder(redis.url())
        .namespace(ns.clone())
        .connect()
        .await
        .expect("connect");
    match keyless.store("jane").load().await {
        Err(SessionStoreError::Corrupt(why)) => assert!(why.contains("no encryption key"), "{why}"),
        other => panic!("expected corrupt, got {other:?}"),
    }
    // A plain value where sealed ones are expected is refused too (no planted sessions).
    keyless
        .store("plain")
        .save(&session(1, "plain"))
        .await
        .expect("save");
    assert!(matches!(
        sealed.store("plain").load().await,
        Err(SessionStoreError::Corrupt(_))
    ));
    // Corrupt is not "signed out": the value is still there for the right reader.
    assert_eq!(jane.load().await.expect("load").expect("kept").revision, 2);
}

#[tokio::test]
async fn when_redis_is_down_calls_answer_unavailable_quickly_and_recover_when_it_is_back() {
    let mut server = RedisServer::start().expect("redis-server");
    let sessions = RedisSessions::builder(server.url())
        .namespace(unique_namespace("down"))
        .command_timeout(Duration::from_millis(500))
        .connect()
        .await
        .expect("connect");
    let store = sessions.store("jane");
    let lock = sessions.lock("jane");
    store.save(&session(1, "one")).await.expect("save");

    server.kill();
    let started = Instant::now();
    for _ in 0..3 {
        assert!(matches!(
            store.load().await,
            Err(SessionStoreError::Unavailable(_))
        ));
        assert!(matches!(
            lock.try_acquire("me", Duration::from_secs(5)).await,
            Err(SessionStoreError::Unavailable(_))
        ));
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "six calls against a dead Redis took {:?}",
        started.elapsed()
    );

    // Back, empty (no persistence): the same handles work again.
    server.restart().expect("restart");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match store.load().await {
            Ok(None) => break,
            Ok(Some(s)) => panic!("an empty server returned {s:?}"),
            Err(SessionStoreError::Unavailable(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("did not recover: {e}"),
        }
    }
    store
        .save(&session(2, "two"))
        .await
        .expect("save after restart");
    assert!(
        lock.try_acquire("me", Duration::from_secs(5))
            .await
            .expect("lock")
    );
}

#[tokio::test]
async fn acl_credentials_come_from_the_url_and_never_show_in_errors() {
    let server = RedisServer::start().expect("redis-server");
    let mut admin = raw(&server.url()).await;
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "shop", "on", ">Pa55-word", "~app:*", "+@all"][..])
        .query_async(&mut admin)
        .await
        .expect("acl setuser");
    let port = server.port();

    let ok = RedisSessions::builder(format!("redis://shop:Pa55-word@127.0.0.1:{port}/"))
        .namespace("app")
        .connect()
        .await
        .expect("ACL user connects");
    ok.store("jane")
        .save(&session(1, "acl"))
        .await
        .expect("save within its key pattern");
    assert!(!format!("{ok:?}").contains("Pa55"));

    let refused = RedisSessions::builder(format!("redis://shop:wrong-Pa55@127.0.0.1:{port}/"))
        .namespace("app")
        .connect()
        .await
        .expect_err("wrong password");
    let text = format!("{refused} {refused:?}");
    assert!(matches!(refused, SetupError::Unreachable(_)), "{text}");
    assert!(!text.contains("Pa55"), "{text}");

    // A namespace outside the user's key pattern is refused by Redis, as an error, not a panic.
    let outside = RedisSessions::builder(format!("redis://shop:Pa55-word@127.0.0.1:{port}/"))
        .namespace("other")
        .connect()
        .await
        .expect("connect");
    assert!(outside.store("jane").load().await.is_err());

    let bad = RedisSessions::builder("http://secret@example.com")
        .connect()
        .await;
    assert!(matches!(bad, Err(SetupError::BadUrl(ref m)) if !m.contains("secret")));
    assert!(matches!(
        RedisSessions::builder(server.url())
            .namespace("a{b}")
            .connect()
            .await,
        Err(SetupError::BadNamespace)
    ));
}

#[tokio::test]
async fn many_customers_share_one_connection_and_stay_apart() {
    let redis = TestRedis::get().expect("redis");
    let sessions = Arc::new(sessions(&redis, "many").await);
    let tasks = (0..50u64).map(|i| {
        let sessions = sessions.clone();
        async move {
            let store = sessions.store(&format!("customer-{i}"));
            store
                .save(&session(i + 1, &format!("c{i}")))
                .await
                .expect("save");
            store.load().await.expect("load").expect("stored")
        }
    });
    let loaded = futures::future::join_all(tasks).await;
    for (i, s) in loaded.iter().enumerate() {
        assert_eq!(s.revision, i as u64 + 1);
        assert_eq!(s.cart_key.as_deref(), Some(format!("cart-c{i}").as_str()));
    }
}
