//! The Redis store and lock against a real `redis-server`: the shared conformance checks, the
//! atomicity of compare-and-swap between connections, exact revisions up to `u64::MAX`, the
//! refresh mark, encryption at rest with rotating key ids, values written by 0.2, key names,
//! TTLs, ACL credentials and what happens when Redis goes away.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cocart::conformance::{lock_conformance, store_conformance};
use cocart::session_store::Stored;
use cocart::{PersistedSession, SessionLock, SessionStore, SessionStoreError};
use cocart_redis::testing::{RedisServer, TestRedis, unique_namespace};
use cocart_redis::{EncryptionKey, RedisSessions, SetupError};
use secrecy::ExposeSecret;

fn session(tag: &str) -> PersistedSession {
    let mut s = PersistedSession::default();
    s.access_token = Some(format!("eyJ.access-{tag}.sig").into());
    s.refresh_token = Some(format!("refresh-{tag}").into());
    s.token_received_at = 1_700_000_000;
    s.cart_key = Some(format!("cart-{tag}"));
    s.store = Some("https://shop.example/wp-json/".into());
    s
}

fn refresh_of(stored: &Stored) -> Option<String> {
    stored
        .session()
        .and_then(|s| s.refresh_token.as_ref())
        .map(|t| t.expose_secret().to_string())
}

fn conflict(stored_revision: u64) -> SessionStoreError {
    SessionStoreError::Conflict { stored_revision }
}

fn key(byte: u8, id: &str) -> EncryptionKey {
    EncryptionKey::from_bytes([byte; 32])
        .with_id(id)
        .expect("a valid id")
}

async fn sealed_with(
    url: &str,
    ns: &str,
    keys: impl IntoIterator<Item = EncryptionKey>,
) -> RedisSessions {
    RedisSessions::builder(url)
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns)
        .encryption_keys(keys)
        .connect()
        .await
        .expect("connect")
}

async fn sealed_unkeyed(
    url: &str,
    ns: &str,
    keys: impl IntoIterator<Item = EncryptionKey>,
) -> RedisSessions {
    RedisSessions::builder(url)
        .unkeyed_key_names()
        .namespace(ns)
        .encryption_keys(keys)
        .connect()
        .await
        .expect("connect")
}

async fn sessions(redis: &TestRedis, test: &str) -> RedisSessions {
    RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
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
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(unique_namespace("conf-sealed"))
        .encryption_key(EncryptionKey::generate())
        .connect()
        .await
        .expect("connect");
    store_conformance(&sealed.store("jane"), true).await;
    lock_conformance(&sealed.lock("jane"), Duration::from_millis(300)).await;

    let rotated = sealed_with(
        &redis.url(),
        &unique_namespace("conf-rotated"),
        [key(2, "k2"), key(1, "k1")],
    )
    .await;
    store_conformance(&rotated.store("jane"), true).await;
}

#[tokio::test]
async fn concurrent_saves_of_one_revision_from_separate_connections_let_exactly_one_win() {
    let redis = TestRedis::get().expect("redis");
    let ns = unique_namespace("race");
    let mut stores = Vec::new();
    for _ in 0..8 {
        let s = RedisSessions::builder(redis.url())
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .namespace(ns.clone())
            .connect()
            .await
            .expect("connect");
        stores.push(s.store("jane"));
    }
    for expected in 0..20u64 {
        let attempts = stores.iter().enumerate().map(|(i, store)| {
            let store = store.clone();
            async move {
                if i % 2 == 0 {
                    store
                        .save(expected, &session(&format!("{expected}-{i}")))
                        .await
                } else {
                    store.clear(expected).await
                }
            }
        });
        let results = futures::future::join_all(attempts).await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "after revision {expected}: {results:?}");
        assert!(
            results
                .iter()
                .all(|r| *r == Ok(expected + 1) || *r == Err(conflict(expected + 1))),
            "{results:?}"
        );
        let stored = stores[0].load().await.expect("load");
        assert_eq!(stored.revision(), expected + 1);
    }
}

/// Revisions are compared as exact decimal strings: no rounding at 2^53 (where Lua's doubles
/// stop being exact), and `u64::MAX` is the end, refused without a write.
#[tokio::test]
async fn revisions_are_exact_up_to_u64_max() {
    let redis = TestRedis::get().expect("redis");
    let sessions = sessions(&redis, "exact").await;
    let store = sessions.store("jane");
    let mut conn = raw(&redis.url()).await;
    let plant = |revision: u64| {
        redis::cmd("HSET")
            .arg(store.key_name())
            .arg("rev")
            .arg(revision.to_string())
            .arg("data")
            .arg(session("planted").to_json().expose_secret())
            .clone()
    };

    let two_53 = 1u64 << 53;
    let _: () = plant(two_53 + 1)
        .query_async(&mut conn)
        .await
        .expect("hset");
    assert_eq!(store.load().await.expect("load").revision(), two_53 + 1);
    // As doubles, 2^53 and 2^53 + 1 are one number.
    assert_eq!(
        store.save(two_53, &session("near")).await,
        Err(conflict(two_53 + 1))
    );
    assert_eq!(store.clear(two_53).await, Err(conflict(two_53 + 1)));
    assert_eq!(
        store.save(two_53 + 1, &session("next")).await,
        Ok(two_53 + 2)
    );
    assert_eq!(store.load().await.expect("load").revision(), two_53 + 2);

    let _: () = plant(u64::MAX - 1)
        .query_async(&mut conn)
        .await
        .expect("hset");
    assert_eq!(
        store.save(u64::MAX - 2, &session("old")).await,
        Err(conflict(u64::MAX - 1))
    );
    assert_eq!(
        store.save(u64::MAX - 1, &session("last")).await,
        Ok(u64::MAX)
    );
    let last = store.load().await.expect("load");
    assert_eq!(last.revision(), u64::MAX);
    assert_eq!(refresh_of(&last).as_deref(), Some("refresh-last"));
    // Nothing follows u64::MAX: refused as a conflict, nothing written.
    assert_eq!(
        store.save(u64::MAX, &session("over")).await,
        Err(conflict(u64::MAX))
    );
    assert_eq!(store.clear(u64::MAX).await, Err(conflict(u64::MAX)));
    assert_eq!(
        refresh_of(&store.load().await.expect("load")).as_deref(),
        Some("refresh-last")
    );
    let empty = sessions.store("nobody");
    assert_eq!(empty.save(u64::MAX, &session("x")).await, Err(conflict(0)));

    // A revision that is not the canonical decimal form cannot be named by a write: corrupt.
    for junk in ["+7", "07", "-1", "7.0", "18446744073709551616"] {
        let _: () = redis::cmd("HSET")
            .arg(store.key_name())
            .arg("rev")
            .arg(junk)
            .query_async(&mut conn)
            .await
            .expect("hset");
        assert!(
            matches!(store.load().await, Err(SessionStoreError::Corrupt(_))),
            "{junk}"
        );
        assert!(
            matches!(
                store.save(7, &session("x")).await,
                Err(SessionStoreError::Corrupt(_))
            ),
            "{junk}"
        );
    }
}

#[tokio::test]
async fn with_a_key_nothing_secret_reaches_redis_and_key_names_hold_no_customer_id() {
    let redis = TestRedis::get().expect("redis");
    let ns = unique_namespace("sealed");
    let key = EncryptionKey::generate();
    let key_text = key.to_base64();
    let sealed = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.clone())
        .encryption_key(key)
        .session_ttl(Duration::from_secs(3600))
        .connect()
        .await
        .expect("connect");
    let store = sealed.store("jane@example.com");
    assert_eq!(store.save(0, &session("s3cr3t")).await, Ok(1));
    let lock = sealed.lock("jane@example.com");
    assert!(
        lock.try_acquire("owner-1", Duration::from_secs(30))
            .await
            .expect("lock")
            .is_some()
    );
    assert!(lock.mark_refreshing("owner-1").await.expect("mark"));

    let mut conn = raw(&redis.url()).await;
    // connect()'s probe keys expire 1 ms after it ran: on a fast machine the steps above can
    // take less than that.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:*"))
        .query_async(&mut conn)
        .await
        .expect("keys");
    keys.sort();
    assert_eq!(keys.len(), 3, "{keys:?}");
    let tag = |k: &str| k.split(':').nth(1).map(str::to_string);
    for k in &keys {
        assert!(!k.contains("jane") && !k.contains("example"), "{k}");
        assert!(!k.contains("s3cr3t"), "{k}");
        assert_eq!(tag(k), tag(store.key_name()), "one hash tag: {keys:?}");
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
        "shop.example",
        key_text.expose_secret(),
    ] {
        assert!(!dump.contains(secret), "{secret} leaked into Redis");
    }
    assert!(dump.contains("xc20p2:default:"), "{dump}");
    // TTLs: the session and the refresh mark live at most the session TTL, the lock its lease.
    let pttl = |key: String| {
        let mut conn = conn.clone();
        async move {
            let ttl: i64 = redis::cmd("PTTL")
                .arg(key)
                .query_async(&mut conn)
                .await
                .expect("pttl");
            ttl
        }
    };
    let session_ttl = pttl(store.key_name().to_string()).await;
    assert!(
        session_ttl > 3_500_000 && session_ttl <= 3_600_000,
        "{session_ttl}"
    );
    let mark_ttl = pttl(lock.refresh_mark_key_name().to_string()).await;
    assert!(mark_ttl > 3_500_000 && mark_ttl <= 3_600_000, "{mark_ttl}");
    let lock_ttl = pttl(lock.key_name().to_string()).await;
    assert!(lock_ttl > 25_000 && lock_ttl <= 30_000, "{lock_ttl}");
    // The release takes the mark with it.
    lock.release("owner-1").await.expect("release");
    assert_eq!(pttl(lock.refresh_mark_key_name().to_string()).await, -2);
    assert_eq!(pttl(lock.key_name().to_string()).await, -2);

    // It reads back with the key, and the Debug forms show no secret.
    let back = store.load().await.expect("load");
    assert_eq!(back.revision(), 1);
    assert_eq!(refresh_of(&back).as_deref(), Some("refresh-s3cr3t"));
    for shown in [
        format!("{sealed:?}"),
        format!("{store:?}"),
        format!("{back:?}"),
    ] {
        assert!(
            !shown.contains("access-s3cr3t")
                && !shown.contains("refresh-s3cr3t")
                && !shown.contains("jane")
                && !shown.contains(key_text.expose_secret()),
            "{shown}"
        );
    }
}

/// A holder whose lease lapsed after it marked its refresh and never released (its answer was
/// lost) leaves the mark to every next holder until one marks its own refresh and releases; a
/// holder that releases late knew how its refresh ended, so its own mark goes with the release.
#[tokio::test]
async fn a_lapsed_holders_mark_reaches_the_next_holder_unless_it_released_late() {
    let redis = TestRedis::get().expect("redis");
    let sessions = sessions(&redis, "lapse").await;
    let lock = sessions.lock("jane");
    let lease = Duration::from_millis(200);
    assert!(
        lock.try_acquire("a", lease)
            .await
            .expect("acquire")
            .is_some()
    );
    assert!(lock.mark_refreshing("a").await.expect("mark"));
    tokio::time::sleep(lease * 2).await;
    lock.release("a").await.expect("late release");
    let grant = lock
        .try_acquire("a2", lease)
        .await
        .expect("acquire")
        .expect("free");
    assert!(!grant.lapsed_refresh, "the late release took its own mark");
    assert!(lock.mark_refreshing("a2").await.expect("mark"));
    tokio::time::sleep(lease * 2).await;
    let grant = lock
        .try_acquire("b", lease)
        .await
        .expect("acquire")
        .expect("free");
    assert!(grant.lapsed_refresh);
    // b presents nothing and releases: the lapse is passed on.
    lock.release("b").await.expect("release");
    let grant = lock
        .try_acquire("c", lease)
        .await
        .expect("acquire")
        .expect("free");
    assert!(
        grant.lapsed_refresh,
        "the lapse is passed on to the next holder"
    );
    lock.release("a2")
        .await
        .expect("a late release after another took the lock");
    assert!(
        lock.try_acquire("x", lease)
            .await
            .expect("acquire")
            .is_none(),
        "it leaves the new holder's lock alone"
    );
    assert!(lock.mark_refreshing("c").await.expect("mark"));
    lock.release("c").await.expect("release");
    let grant = lock
        .try_acquire("c", lease)
        .await
        .expect("acquire")
        .expect("free");
    assert!(!grant.lapsed_refresh, "c settled it");
    // A lock held by another is not taken, and its holder's mark is not consumed.
    assert!(lock.mark_refreshing("c").await.expect("mark"));
    assert!(
        lock.try_acquire("d", lease)
            .await
            .expect("acquire")
            .is_none()
    );
    lock.release("c").await.expect("release");
    let grant = lock
        .try_acquire("d", lease)
        .await
        .expect("acquire")
        .expect("free");
    assert!(
        !grant.lapsed_refresh,
        "a released holder's refresh did not lapse"
    );
}

#[tokio::test]
async fn a_sign_out_is_a_tombstone_that_keeps_its_revision_and_fences_older_writes() {
    let redis = TestRedis::get().expect("redis");
    let sessions = sessions(&redis, "tombstone").await;
    let store = sessions.store("jane");
    assert!(matches!(store.load().await.expect("load"), Stored::Empty));
    assert_eq!(store.save(0, &session("one")).await, Ok(1));
    assert_eq!(store.clear(1).await, Ok(2));
    let mut conn = raw(&redis.url()).await;
    let fields: Vec<(String, String)> = redis::cmd("HGETALL")
        .arg(store.key_name())
        .query_async(&mut conn)
        .await
        .expect("hgetall");
    assert_eq!(fields, [("rev".to_string(), "2".to_string())]);
    let ttl: i64 = redis::cmd("PTTL")
        .arg(store.key_name())
        .query_async(&mut conn)
        .await
        .expect("pttl");
    assert!(ttl > 0, "the tombstone expires with the session TTL: {ttl}");
    assert!(matches!(
        store.load().await.expect("load"),
        Stored::Cleared { revision: 2 }
    ));
    assert_eq!(store.save(1, &session("late")).await, Err(conflict(2)));
    assert_eq!(store.save(0, &session("fresh")).await, Err(conflict(2)));
}

#[tokio::test]
async fn a_sealed_session_moved_to_another_customer_or_read_without_the_key_is_corrupt_not_gone() {
    let redis = TestRedis::get().expect("redis");
    let ns = unique_namespace("moved");
    let key = EncryptionKey::from_bytes([9; 32]);
    let sealed = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.clone())
        .encryption_key(key)
        .connect()
        .await
        .expect("connect");
    let jane = sealed.store("jane");
    let john = sealed.store("john");
    assert_eq!(jane.save(0, &session("jane")).await, Ok(1));
    assert_eq!(jane.save(1, &session("jane")).await, Ok(2));

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
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.clone())
        .connect()
        .await
        .expect("connect");
    match keyless.store("jane").load().await {
        Err(SessionStoreError::Corrupt(why)) => assert!(why.contains("no encryption key"), "{why}"),
        other => panic!("expected corrupt, got {other:?}"),
    }
    // A plain value where sealed ones are expected is refused too (no planted sessions).
    assert_eq!(
        keyless.store("plain").save(0, &session("plain")).await,
        Ok(1)
    );
    assert!(matches!(
        sealed.store("plain").load().await,
        Err(SessionStoreError::Corrupt(_))
    ));
    // Corrupt is not "signed out": the value is still there for the right reader.
    assert_eq!(jane.load().await.expect("load").revision(), 2);
}

/// Item 7b: keys rotate with no customer signed out. Writer `[k1]`, then `[k2, k1]`; a process
/// still on `[k1]` gets a typed error naming the id it lacks (and nothing secret).
#[tokio::test]
async fn keys_rotate_through_redis_and_a_process_without_the_new_key_is_told_its_id() {
    let redis = TestRedis::get().expect("redis");
    let ns = unique_namespace("rotate");
    let k1_text = key(1, "k1").to_base64();
    let old = sealed_with(&redis.url(), &ns, [key(1, "k1")]).await;
    let both = sealed_with(&redis.url(), &ns, [key(2, "k2"), key(1, "k1")]).await;
    let opening_only = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.clone())
        .encryption_key(key(1, "k1"))
        .encryption_keys([key(2, "k2")])
        .connect()
        .await
        .expect("connect");
    let new_only = sealed_with(&redis.url(), &ns, [key(2, "k2")]).await;

    assert_eq!(old.store("jane").save(0, &session("one")).await, Ok(1));
    for reader in [&old, &both, &opening_only] {
        let stored = reader.store("jane").load().await.expect("load");
        assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-one"));
    }
    // A process with k2 as a second key still seals with k1: every process can read it.
    assert_eq!(
        opening_only.store("jane").save(1, &session("two")).await,
        Ok(2)
    );
    assert!(old.store("jane").load().await.is_ok());

    // The writers switch: [k2, k1] seals with k2.
    assert_eq!(both.store("jane").save(2, &session("three")).await, Ok(3));
    let mut conn = raw(&redis.url()).await;
    let data: String = redis::cmd("HGET")
        .arg(both.store("jane").key_name())
        .arg("data")
        .query_async(&mut conn)
        .await
        .expect("hget");
    assert!(data.starts_with("xc20p2:k2:"), "{data}");
    for reader in [&both, &opening_only, &new_only] {
        let stored = reader.store("jane").load().await.expect("load");
        assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-three"));
    }
    let err = old.store("jane").load().await.expect_err("k2 unknown");
    assert_eq!(
        err,
        SessionStoreError::Corrupt(
            "sealed with key id 'k2', which this process does not have".into()
        )
    );
    let text = format!("{err} {err:?}");
    assert!(!text.contains(k1_text.expose_secret()) && !text.contains("refresh-"));
    // The old process's write is still fenced by the revision (it read nothing it could use).
    assert_eq!(
        old.store("jane").save(2, &session("stale")).await,
        Err(conflict(3))
    );
    // Once k1 is dropped, a value not re-sealed since says which key it needs.
    assert_eq!(old.store("john").save(0, &session("john")).await, Ok(1));
    assert_eq!(
        new_only.store("john").load().await.expect_err("k1 dropped"),
        SessionStoreError::Corrupt(
            "sealed with key id 'k1', which this process does not have".into()
        )
    );
    // Two different keys under one id are refused at setup.
    let dup = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.clone())
        .encryption_keys([key(1, "k1"), key(3, "k1")])
        .connect()
        .await
        .expect_err("duplicate id");
    assert!(
        matches!(dup, SetupError::DuplicateKeyId(ref id) if id == "k1"),
        "{dup}"
    );
}

/// Values in the layout 0.2 wrote: a sealed value without a key id (opened by whichever
/// configured key sealed it), a plain one, and a sign-out (the revision without data).
#[tokio::test]
async fn values_written_by_0_2_keep_opening() {
    /// Sealed by cocart-redis 0.2 (d37ce14) with the key `[9; 32]` for the customer `fixture` of
    /// the namespace `cocart-v02`, at revision 3.
    const SEALED_BY_0_2: &str = "xc20p1:kJWNbThsXQDMmQipWZ4MQu8fQL5iocH3wYuh3Vm8hRXHXUmZ0MfBZ/+B5DyurtVJMQSSTk3skb4K4rNRxnBqGYRhZfk4+NUy8ruVSvyjjMcl4zZb6/3Dq08gCxfgdtmMN5qOuG6g2swFd0Q5Fonhk24WwLzBGa1qCeU8Vl0L7xwzfP/ZXUocjXGtO4gdvF/WpxIM++LZBfyy5iEe5mRKsDWuAp32t7rY6j2ycOoLY8nxomivx9XBKpFhUKegWlg5Gme+D2s=";
    // A server of its own: the namespace is fixed by the fixture, and 0.2 values live under
    // the unkeyed names of 0.2 and 0.3.
    let server = RedisServer::start().expect("redis-server");
    let url = server.url();
    let old_way = RedisSessions::builder(&url)
        .unkeyed_key_names()
        .namespace("cocart-v02")
        .encryption_key(EncryptionKey::from_bytes([9; 32]))
        .connect()
        .await
        .expect("connect");
    let store = old_way.store("fixture");
    let mut conn = raw(&url).await;
    let _: () = redis::cmd("HSET")
        .arg(store.key_name())
        .arg("rev")
        .arg("3")
        .arg("data")
        .arg(SEALED_BY_0_2)
        .query_async(&mut conn)
        .await
        .expect("hset");

    // The key made the old way, and the same key under an id among others, both open it.
    let rotated = sealed_unkeyed(&url, "cocart-v02", [key(2, "k2"), key(9, "k1")]).await;
    for reader in [&old_way, &rotated] {
        let stored = reader.store("fixture").load().await.expect("load");
        assert_eq!(stored.revision(), 3);
        assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-v02"));
        let s = stored.session().expect("a session");
        assert_eq!(s.cart_key.as_deref(), Some("cart-v02"));
        assert_eq!(s.store, None, "0.2 sessions name no store");
    }
    let without = sealed_unkeyed(&url, "cocart-v02", [key(2, "k2")]).await;
    assert!(matches!(
        without.store("fixture").load().await,
        Err(SessionStoreError::Corrupt(_))
    ));
    // The next save re-seals it with the sealing key and its id.
    assert_eq!(
        rotated.store("fixture").save(3, &session("resealed")).await,
        Ok(4)
    );
    let data: String = redis::cmd("HGET")
        .arg(store.key_name())
        .arg("data")
        .query_async(&mut conn)
        .await
        .expect("hget");
    assert!(data.starts_with("xc20p2:k2:"), "{data}");

    // A plain 0.2 value and a 0.2 sign-out.
    let plain = RedisSessions::builder(&url)
        .unkeyed_key_names()
        .namespace("cocart-v02")
        .connect()
        .await
        .expect("connect");
    let v02_json = r#"{"version":2,"revision":6,"access_token":"a.b.c","refresh_token":"r-v02","token_received_at":5,"user":null,"cart_key":null}"#;
    let _: () = redis::cmd("HSET")
        .arg(plain.store("plain").key_name())
        .arg("rev")
        .arg("6")
        .arg("data")
        .arg(v02_json)
        .query_async(&mut conn)
        .await
        .expect("hset");
    let stored = plain.store("plain").load().await.expect("load");
    assert_eq!(stored.revision(), 6);
    assert_eq!(refresh_of(&stored).as_deref(), Some("r-v02"));
    let _: () = redis::cmd("HSET")
        .arg(plain.store("signed-out").key_name())
        .arg("rev")
        .arg("8")
        .query_async(&mut conn)
        .await
        .expect("hset");
    assert!(matches!(
        plain.store("signed-out").load().await.expect("load"),
        Stored::Cleared { revision: 8 }
    ));
    assert_eq!(
        plain.store("signed-out").save(7, &session("x")).await,
        Err(conflict(8))
    );
}

#[tokio::test]
async fn when_redis_is_down_calls_answer_unavailable_quickly_and_recover_when_it_is_back() {
    let mut server = RedisServer::start().expect("redis-server");
    let sessions = RedisSessions::builder(server.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(unique_namespace("down"))
        .command_timeout(Duration::from_millis(500))
        .connect()
        .await
        .expect("connect");
    let store = sessions.store("jane");
    let lock = sessions.lock("jane");
    assert_eq!(store.save(0, &session("one")).await, Ok(1));

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
            Ok(Stored::Empty) => break,
            Ok(other) => panic!("an empty server returned {other:?}"),
            Err(SessionStoreError::Unavailable(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("did not recover: {e}"),
        }
    }
    assert_eq!(store.save(1, &session("two")).await, Err(conflict(0)));
    assert_eq!(store.save(0, &session("two")).await, Ok(1));
    assert!(
        lock.try_acquire("me", Duration::from_secs(5))
            .await
            .expect("lock")
            .is_some()
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
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace("app")
        .connect()
        .await
        .expect("ACL user connects");
    assert_eq!(
        ok.store("jane").save(0, &session("acl")).await,
        Ok(1),
        "save within its key pattern"
    );
    let lock = ok.lock("jane");
    assert!(
        lock.try_acquire("me", Duration::from_secs(5))
            .await
            .expect("lock")
            .is_some()
    );
    assert!(lock.mark_refreshing("me").await.expect("mark"));
    lock.release("me").await.expect("release");
    assert!(!format!("{ok:?}").contains("Pa55"));

    let refused = RedisSessions::builder(format!("redis://shop:wrong-Pa55@127.0.0.1:{port}/"))
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace("app")
        .connect()
        .await
        .expect_err("wrong password");
    let text = format!("{refused} {refused:?}");
    assert!(matches!(refused, SetupError::Unreachable(_)), "{text}");
    assert!(!text.contains("Pa55"), "{text}");

    // A namespace outside the user's key pattern is refused at connect, naming no secret.
    let outside = RedisSessions::builder(format!("redis://shop:Pa55-word@127.0.0.1:{port}/"))
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace("other")
        .connect()
        .await
        .expect_err("keys outside the user's pattern");
    let text = format!("{outside} {outside:?}");
    assert!(matches!(outside, SetupError::NotPermitted { .. }), "{text}");
    assert!(!text.contains("Pa55"), "{text}");

    let bad = RedisSessions::builder("http://secret@example.com")
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .connect()
        .await;
    assert!(matches!(bad, Err(SetupError::BadUrl(ref m)) if !m.contains("secret")));
    assert!(matches!(
        RedisSessions::builder(server.url())
            .key_name_secret(cocart_redis::testing::key_name_secret())
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
            for expected in 0..=i % 3 {
                store
                    .save(expected, &session(&format!("c{i}")))
                    .await
                    .expect("save");
            }
            store.load().await.expect("load")
        }
    });
    let loaded = futures::future::join_all(tasks).await;
    for (i, s) in loaded.iter().enumerate() {
        assert_eq!(s.revision(), i as u64 % 3 + 1);
        assert_eq!(
            s.session().and_then(|s| s.cart_key.as_deref()),
            Some(format!("cart-c{i}").as_str())
        );
    }
}
