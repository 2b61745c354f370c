//! The Redis store and lock against a real local Redis Cluster (three primaries, one replica
//! each; `cocart_redis::testing::RedisCluster`): the shared conformance checks, one slot per
//! customer, `MOVED` and `ASK` followed while the customer's slot moves between primaries, and
//! the replica acknowledgement (`WAIT`) that makes an answered write survive a failover.

use std::time::{Duration, Instant};

use cocart::conformance::{lock_conformance, store_conformance};
use cocart::session_store::Stored;
use cocart::{PersistedSession, SessionLock, SessionStore, SessionStoreError};
use cocart_redis::testing::{RedisCluster, RedisServer, unique_namespace};
use cocart_redis::{EncryptionKey, RedisSessions, SetupError};

fn session(tag: &str) -> PersistedSession {
    let mut s = PersistedSession::default();
    s.access_token = Some(format!("eyJ.access-{tag}.sig").into());
    s.refresh_token = Some(format!("refresh-{tag}").into());
    s.token_received_at = 1_700_000_000;
    s.store = Some("https://shop.example/wp-json/".into());
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

fn start_cluster() -> RedisCluster {
    let started = Instant::now();
    let cluster = blocking(RedisCluster::start).expect("start a local Redis Cluster");
    eprintln!("cluster up in {:?}", started.elapsed());
    cluster
}

/// Sessions with the default acknowledgement (one replica) and a 4 s command timeout, so a
/// replica has 1 s to confirm: on a loaded machine (six clusters at once) 500 ms was sometimes
/// too short, which reads as an unconfirmed write.
async fn cluster_sessions(cluster: &RedisCluster, ns: &str) -> RedisSessions {
    RedisSessions::cluster_builder(cluster.urls())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns)
        .command_timeout(Duration::from_secs(4))
        .connect()
        .await
        .expect("connect to the cluster")
}

fn unavailable(result: Result<u64, SessionStoreError>) -> String {
    match result {
        Err(SessionStoreError::Unavailable(why)) => why,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

/// Saves from revision `from` until a save is confirmed (within 10 s); the revision it reached.
/// Right after a replica rejoined (a full sync), the first `WAIT` may answer 0 although its
/// primary already lists it online (seen with Redis 7.0.15, the `WAIT` sent to the right
/// primary, as `INFO commandstats` showed): that write is reported unconfirmed, the safe side
/// (the SDK reads it back), and the next ones are confirmed.
async fn confirmed_save(store: &cocart_redis::RedisSessionStore, from: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut rev = from;
    loop {
        match store.save(rev, &session(&format!("confirmed-{rev}"))).await {
            Ok(written) => return written,
            Err(SessionStoreError::Unavailable(why)) => {
                assert!(Instant::now() < deadline, "never confirmed: {why}");
                rev = store.load().await.expect("read back").revision();
                eprintln!("unconfirmed, read back at revision {rev}: {why}");
            }
            Err(e) => panic!("save: {e:?}"),
        }
    }
}

/// The conformance checks of the SDK (plain and sealed), the one slot of a customer's keys, and
/// the behaviour of the options in cluster mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cluster_store_and_lock_pass_the_conformance_checks_on_one_slot_per_customer() {
    let cluster = start_cluster();
    let plain = cluster_sessions(&cluster, &unique_namespace("conf")).await;
    store_conformance(&plain.store("jane"), true).await;
    lock_conformance(&plain.lock("jane"), Duration::from_millis(300)).await;

    let sealed = RedisSessions::cluster_builder(cluster.urls())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(unique_namespace("conf-sealed"))
        .encryption_key(EncryptionKey::generate())
        .session_ttl(Duration::from_secs(60))
        .command_timeout(Duration::from_secs(3))
        .connect()
        .await
        .expect("connect");
    store_conformance(&sealed.store("jane"), true).await;
    lock_conformance(&sealed.lock("jane"), Duration::from_millis(300)).await;

    // Every key of a customer hashes to one slot, as the cluster computes it; customers spread.
    let mut slots = std::collections::HashSet::new();
    for customer in [
        "jane",
        "joe",
        "customer-42",
        "a@b.example",
        "x",
        "y",
        "z",
        "w",
    ] {
        let store = plain.store(customer);
        let lock = plain.lock(customer);
        let slot = blocking(|| cluster.keyslot(store.key_name())).expect("keyslot");
        assert_eq!(blocking(|| cluster.keyslot(lock.key_name())).unwrap(), slot);
        assert_eq!(
            blocking(|| cluster.keyslot(lock.refresh_mark_key_name())).unwrap(),
            slot
        );
        slots.insert(slot);
    }
    assert!(
        slots.len() > 1,
        "customers land on several slots: {slots:?}"
    );

    // A lazily connected cluster works on first use, and the builder's Debug shows no URL.
    let builder = RedisSessions::cluster_builder(cluster.urls())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(unique_namespace("lazy"));
    let shown = format!("{builder:?}");
    assert!(!shown.contains("127.0.0.1"), "{shown}");
    let lazy = builder.connect_lazily().expect("lazy");
    assert_eq!(lazy.store("jane").save(0, &session("lazy")).await, Ok(1));
    assert_eq!(lazy.store("jane").load().await.expect("load").revision(), 1);

    // No node: a clear setup error, no URL in it.
    match RedisSessions::cluster_builder(Vec::<String>::new())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .connect()
        .await
    {
        Err(SetupError::BadUrl(_)) => {}
        other => panic!("expected BadUrl, got {other:?}"),
    }
}

/// The customer's slot moves to another primary between operations (`MOVED`) and during them
/// (`ASK` while it is half migrated): every call follows, and the revisions go on unbroken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moved_and_ask_are_followed_and_the_revisions_go_on() {
    let cluster = start_cluster();
    let ns = unique_namespace("moved");
    let sessions = cluster_sessions(&cluster, &ns).await;
    let store = sessions.store("jane");
    let lock = sessions.lock("jane");
    let key = store.key_name().to_string();
    let slot = blocking(|| cluster.keyslot(&key)).expect("keyslot");
    assert_eq!(store.save(0, &session("one")).await, Ok(1));

    // Between operations: the whole slot moves; the client's slot map is stale -> MOVED.
    let first = blocking(|| cluster.primary_of_slot(slot)).expect("primary");
    let second = blocking(|| cluster.other_primary(first)).expect("other primary");
    blocking(|| {
        cluster.begin_slot_migration(slot, first, second)?;
        cluster.migrate_keys(first, second, &[&key])?;
        cluster.finish_slot_migration(slot, first, second)
    })
    .expect("move the slot");
    // Whether the node holds the session (asked without redirection: a node that is migrating
    // the slot answers ASK to a plain EXISTS of a key it no longer has).
    let raw_exists = |port: u16| -> i64 {
        let keys: Vec<String> = blocking(|| {
            cluster.query(
                port,
                redis::cmd("CLUSTER").arg("GETKEYSINSLOT").arg(slot).arg(10),
            )
        })
        .expect("GETKEYSINSLOT");
        i64::from(keys.contains(&key))
    };
    assert_eq!(
        raw_exists(second),
        1,
        "the session now lives on the second primary"
    );
    let stored = store.load().await.expect("load after MOVED");
    assert_eq!(stored.revision(), 1);
    assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-one"));
    assert_eq!(store.save(1, &session("two")).await, Ok(2));
    let grant = lock.try_acquire("a", Duration::from_secs(5)).await;
    assert!(matches!(grant, Ok(Some(_))), "{grant:?}");
    assert!(lock.mark_refreshing("a").await.expect("mark"));

    // During operations: the slot is half migrated back. The session still on `second` is
    // served there; once moved, `second` answers ASK and the client asks `first`.
    blocking(|| cluster.begin_slot_migration(slot, second, first)).expect("begin");
    assert_eq!(store.save(2, &session("three")).await, Ok(3));
    blocking(|| {
        cluster.migrate_keys(
            second,
            first,
            &[&key, lock.key_name(), lock.refresh_mark_key_name()],
        )
    })
    .expect("migrate the keys");
    assert_eq!(raw_exists(second), 0, "the session left the second primary");
    assert_eq!(raw_exists(first), 1);
    let stored = store.load().await.expect("load after ASK");
    assert_eq!(stored.revision(), 3);
    assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-three"));
    assert_eq!(store.save(3, &session("four")).await, Ok(4));
    assert_eq!(
        store.save(3, &session("stale")).await,
        Err(SessionStoreError::Conflict { stored_revision: 4 }),
        "compare-and-swap holds on the importing node"
    );
    assert!(
        lock.renew("a", Duration::from_secs(5))
            .await
            .expect("renew")
    );
    lock.release("a").await.expect("release");
    // Redis refuses a script over several keys that are not all on the importing node while the
    // slot is half migrated (TRYAGAIN, retried by the client until its timeout): taking the
    // lock then is a transient Unavailable, which the SDK retries.
    let impatient = RedisSessions::cluster_builder(cluster.urls())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.as_str())
        .command_timeout(Duration::from_millis(300))
        .connect()
        .await
        .expect("connect");
    match impatient
        .lock("jane")
        .try_acquire("b", Duration::from_secs(5))
        .await
    {
        // TRYAGAIN when the client's retries ran out first, "timed out" when its timeout did.
        Err(SessionStoreError::Unavailable(why)) => {
            assert!(
                why.contains("TRYAGAIN") || why.contains("timed out"),
                "{why}"
            )
        }
        other => panic!("taking the lock mid-migration: {other:?}"),
    }
    blocking(|| cluster.finish_slot_migration(slot, second, first)).expect("finish");
    assert!(
        lock.try_acquire("b", Duration::from_secs(5))
            .await
            .expect("acquire")
            .is_some_and(|g| !g.lapsed_refresh),
        "the release removed lock and mark on the importing node"
    );
    assert_eq!(store.clear(4).await, Ok(5));
    assert!(matches!(
        store.load().await.expect("load"),
        Stored::Cleared { revision: 5 }
    ));
    assert_eq!(raw_exists(first), 1);
}

/// `WAIT` goes to the primary that took the write: answered when its replica confirms, and
/// `Unavailable` (with the write on the primary, read back by the SDK) when it cannot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_waits_for_its_replica_and_one_not_confirmed_is_reported_unavailable() {
    let mut cluster = start_cluster();
    let ns = unique_namespace("wait");
    let acked = cluster_sessions(&cluster, &ns).await;
    let store = acked.store("jane");
    let lock = acked.lock("jane");
    let slot = blocking(|| cluster.keyslot(store.key_name())).expect("keyslot");
    assert_eq!(store.save(0, &session("one")).await, Ok(1));
    assert!(
        lock.try_acquire("a", Duration::from_secs(5))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        lock.mark_refreshing("a")
            .await
            .expect("mark with its replica")
    );

    // More replicas than the shard has: the write lands, its answer is Unavailable.
    let greedy = RedisSessions::cluster_builder(cluster.urls())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.as_str())
        .replicas_to_acknowledge(2)
        .command_timeout(Duration::from_millis(600))
        .connect()
        .await
        .expect("connect");
    let started = Instant::now();
    let why = unavailable(greedy.store("jane").save(1, &session("two")).await);
    assert!(why.contains("1 of the 2 replicas"), "{why}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let stored = store.load().await.expect("load");
    assert_eq!(
        stored.revision(),
        2,
        "the write is on the primary all the same"
    );
    assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-two"));

    // Another shard's replica dies: this customer's writes are still confirmed (WAIT goes to
    // the primary of its slot, not to every primary, whose smallest count would be 0).
    let primary = blocking(|| cluster.primary_of_slot(slot)).expect("primary");
    let elsewhere = blocking(|| {
        let other = cluster.other_primary(primary)?;
        cluster.replica_of(other)
    })
    .expect("another shard's replica");
    cluster.kill(elsewhere);
    assert_eq!(store.save(2, &session("2b")).await, Ok(3));
    assert_eq!(store.save(3, &session("2c")).await, Ok(4));

    // The shard's replica dies: with the default (one replica), saves, sign-outs and refresh
    // marks answer Unavailable; with 0, they are plain writes.
    let replica = blocking(|| cluster.replica_of(primary)).expect("replica");
    cluster.kill(replica);
    let why = unavailable(store.save(4, &session("three")).await);
    assert!(why.contains("0 of the 1 replicas"), "{why}");
    assert_eq!(store.load().await.expect("load").revision(), 5);
    unavailable(store.clear(5).await);
    match lock.mark_refreshing("a").await {
        Err(SessionStoreError::Unavailable(why)) => assert!(why.contains("0 of the 1"), "{why}"),
        other => panic!("a mark without its replica: {other:?}"),
    }
    let unacked = RedisSessions::cluster_builder(cluster.urls())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.as_str())
        .replicas_to_acknowledge(0)
        .connect()
        .await
        .expect("connect");
    assert_eq!(unacked.store("jane").save(6, &session("five")).await, Ok(7));
    assert!(
        unacked
            .lock("jane")
            .mark_refreshing("a")
            .await
            .expect("mark")
    );

    // The replica comes back: acknowledged writes again.
    blocking(|| cluster.restart(replica)).expect("restart the replica");
    confirmed_save(&store, 7).await;

    // One server: no WAIT by default (nothing promotes a replica on its own); asked for, a
    // replica-less server answers Unavailable.
    let server = blocking(RedisServer::start).expect("redis-server");
    let single = RedisSessions::builder(server.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.as_str())
        .connect()
        .await
        .expect("connect");
    assert_eq!(single.store("jane").save(0, &session("s")).await, Ok(1));
    let single_acked = RedisSessions::builder(server.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.as_str())
        .replicas_to_acknowledge(1)
        .command_timeout(Duration::from_millis(400))
        .connect()
        .await
        .expect("connect");
    unavailable(single_acked.store("jane").save(1, &session("t")).await);
}

/// The primary of the customer's slot is killed (SIGKILL) right after acknowledged writes, and
/// in another round handed over with `CLUSTER FAILOVER`: the promoted replica holds every
/// answered write, and the store goes on from the same revisions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_writes_survive_a_killed_primary_and_a_manual_failover() {
    let mut cluster = start_cluster();
    let sessions = cluster_sessions(&cluster, &unique_namespace("failover")).await;
    let store = sessions.store("jane");
    let lock = sessions.lock("jane");
    let slot = blocking(|| cluster.keyslot(store.key_name())).expect("keyslot");
    for rev in 0..20u64 {
        assert_eq!(
            store.save(rev, &session(&rev.to_string())).await,
            Ok(rev + 1)
        );
    }
    assert!(
        lock.try_acquire("a", Duration::from_secs(30))
            .await
            .unwrap()
            .is_some()
    );
    assert!(lock.mark_refreshing("a").await.expect("mark"));

    let old = blocking(|| cluster.primary_of_slot(slot)).expect("primary");
    let started = Instant::now();
    let new = blocking(|| cluster.kill_primary_and_wait_for_failover(slot)).expect("failover");
    eprintln!("failover after SIGKILL took {:?}", started.elapsed());
    assert_ne!(old, new);
    let stored = store.load().await.expect("load after the failover");
    assert_eq!(stored.revision(), 20, "no answered write lost");
    assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-19"));
    assert!(
        lock.try_acquire("b", Duration::from_secs(5))
            .await
            .unwrap()
            .is_none(),
        "the lock survived"
    );
    // The promoted primary has no replica until the old one returns: writes land but are
    // reported unconfirmed; once it is back as a replica they are confirmed again.
    unavailable(store.save(20, &session("20")).await);
    blocking(|| cluster.restart(old)).expect("the old primary rejoins");
    let rev = confirmed_save(&store, 21).await;

    let started = Instant::now();
    let handed = blocking(|| cluster.failover(slot)).expect("CLUSTER FAILOVER");
    eprintln!("CLUSTER FAILOVER took {:?}", started.elapsed());
    assert_eq!(
        handed, old,
        "the old primary, now a replica, took the slot back"
    );
    assert_eq!(store.load().await.expect("load").revision(), rev);
    assert_eq!(store.save(rev, &session("last")).await, Ok(rev + 1));
    assert!(
        lock.renew("a", Duration::from_secs(5))
            .await
            .expect("renew")
    );
    lock.release("a").await.expect("release");
}

/// Why the acknowledgement exists, shown deterministically: the replica is cut off (frozen, its
/// replication link closed by the primary), a write is answered, the primary dies, and the
/// replica that takes over never saw the write. Without acknowledgement the store answered
/// `Ok` for a write that is gone (for a rotation: a customer signed out at the next refresh);
/// with it, the write was answered `Unavailable`, so the SDK read it back after the failover,
/// found it missing and kept the rotated pair in memory to write again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_can_lose_an_answered_write_unless_it_waited_for_its_replica() {
    let mut cluster = start_cluster();
    let ns = unique_namespace("lost");
    let acked = cluster_sessions(&cluster, &ns).await.store("jane");
    let unacked = RedisSessions::cluster_builder(cluster.urls())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.as_str())
        .replicas_to_acknowledge(0)
        .connect()
        .await
        .expect("connect")
        .store("jane");
    assert_eq!(acked.save(0, &session("one")).await, Ok(1));
    let slot = blocking(|| cluster.keyslot(acked.key_name())).expect("keyslot");
    let primary = blocking(|| cluster.primary_of_slot(slot)).expect("primary");
    let replica = blocking(|| cluster.replica_of(primary)).expect("replica");

    blocking(|| -> std::io::Result<()> {
        cluster.pause(replica)?;
        let _: i64 = cluster.query(
            primary,
            redis::cmd("CLIENT").arg("KILL").arg("TYPE").arg("replica"),
        )?;
        Ok(())
    })
    .expect("cut the replica off");
    assert_eq!(
        unacked.save(1, &session("two")).await,
        Ok(2),
        "answered as saved"
    );
    let why = unavailable(acked.save(2, &session("three")).await);
    assert!(why.contains("0 of the 1 replicas"), "{why}");

    let started = Instant::now();
    blocking(|| -> std::io::Result<()> {
        cluster.kill(primary);
        cluster.resume(replica)?;
        cluster.wait_for_failover_to(slot, replica)
    })
    .expect("the replica takes over");
    eprintln!("failover took {:?}", started.elapsed());
    let stored = acked.load().await.expect("load after the failover");
    assert_eq!(
        stored.revision(),
        1,
        "the answered write of revision 2 (and the unconfirmed one) are gone"
    );
    assert_eq!(refresh_of(&stored).as_deref(), Some("refresh-one"));
}

/// A process may start while the cluster does not answer (`connect_lazily`): its stores answer
/// `Unavailable` until the nodes answer again, then work, with no new connection made by hand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lazily_connected_process_starts_while_the_cluster_is_frozen_and_works_after() {
    let cluster = start_cluster();
    let ports = cluster.ports();
    blocking(|| ports.iter().try_for_each(|&p| cluster.pause(p))).expect("freeze every node");
    let sessions = RedisSessions::cluster_builder(cluster.urls())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(unique_namespace("lazy-down"))
        .command_timeout(Duration::from_millis(500))
        .connect_lazily()
        .expect("a lazy connection needs no answer");
    let store = sessions.store("jane");
    match store.load().await {
        Err(SessionStoreError::Unavailable(_)) => {}
        other => panic!("a frozen cluster answered: {other:?}"),
    }
    blocking(|| ports.iter().try_for_each(|&p| cluster.resume(p))).expect("thaw");
    // Reads until the nodes answer (a write retried after a lost answer could meet itself).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match store.load().await {
            Ok(stored) => {
                assert_eq!(stored.revision(), 0);
                break;
            }
            Err(SessionStoreError::Unavailable(why)) if Instant::now() < deadline => {
                eprintln!("not yet: {why}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => panic!("after the thaw: {other:?}"),
        }
    }
    assert_eq!(store.save(0, &session("after")).await, Ok(1));
    assert_eq!(store.load().await.expect("load").revision(), 1);
}
