//! Private key names and the migration from the unkeyed names of 0.3, against a real
//! `redis-server`: a session moves with its revision, its sign-out fence and its lock; processes
//! of neighbouring steps never both accept a write at one revision (random interleavings); and a
//! process that does not follow a move is told, never signed out in silence.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cocart::session_store::Stored;
use cocart::{PersistedSession, SessionLock, SessionStore, SessionStoreError};
use cocart_redis::testing::{TestRedis, key_name_secret, unique_namespace};
use cocart_redis::{
    EncryptionKey, KeyNameSecret, MigrationStep, PreviousKeyNames, RedisSessions, SetupError,
};
use proptest::prelude::*;

fn session(tag: &str) -> PersistedSession {
    let mut s = PersistedSession::default();
    s.access_token = Some(format!("eyJ.access-{tag}.sig").into());
    s.refresh_token = Some(format!("refresh-{tag}").into());
    s.token_received_at = 1_700_000_000;
    s
}

fn tag_of(stored: &Stored) -> Option<String> {
    stored
        .session()
        .and_then(|s| s.refresh_token.as_ref())
        .map(|t| t.expose_secret().trim_start_matches("refresh-").to_string())
}

/// The four kinds of process a migration has: 0.3 (unkeyed names), step 1, step 2, and keyed
/// names with the migration dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Unkeyed,
    Follow,
    Move,
    Keyed,
}

async fn connect(url: &str, ns: &str, kind: Kind, sealed: bool) -> RedisSessions {
    let mut b = RedisSessions::builder(url).namespace(ns);
    if sealed {
        b = b.encryption_key(EncryptionKey::from_bytes([0x42; 32]));
    }
    b = match kind {
        Kind::Unkeyed => b.unkeyed_key_names(),
        Kind::Keyed => b.key_name_secret(key_name_secret()),
        Kind::Follow => b
            .key_name_secret(key_name_secret())
            .migrate_key_names(PreviousKeyNames::Unkeyed, MigrationStep::FollowMoved),
        Kind::Move => b
            .key_name_secret(key_name_secret())
            .migrate_key_names(PreviousKeyNames::Unkeyed, MigrationStep::MoveOnUse),
    };
    b.connect().await.expect("connect")
}

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("raw connection")
}

async fn hget(
    conn: &mut redis::aio::MultiplexedConnection,
    key: &str,
    field: &str,
) -> Option<String> {
    redis::cmd("HGET")
        .arg(key)
        .arg(field)
        .query_async(conn)
        .await
        .expect("hget")
}

#[tokio::test]
async fn choosing_key_names_is_required_and_the_secret_stays_apart_from_the_encryption_key() {
    let redis = TestRedis::get().expect("redis");
    let err = RedisSessions::builder(redis.url())
        .connect()
        .await
        .expect_err("no choice of key names");
    assert!(matches!(err, SetupError::KeyNamesNotChosen), "{err}");
    assert!(err.to_string().contains("key_name_secret"), "{err}");

    let err = RedisSessions::builder(redis.url())
        .encryption_key(EncryptionKey::from_bytes([7; 32]))
        .key_name_secret(KeyNameSecret::from_bytes([7; 32]))
        .connect()
        .await
        .expect_err("the same bytes twice");
    assert!(
        matches!(err, SetupError::KeyNameSecretIsEncryptionKey),
        "{err}"
    );

    for builder in [
        RedisSessions::builder(redis.url())
            .unkeyed_key_names()
            .migrate_key_names(PreviousKeyNames::Unkeyed, MigrationStep::MoveOnUse),
        RedisSessions::builder(redis.url())
            .key_name_secret(key_name_secret())
            .migrate_key_names(
                PreviousKeyNames::Keyed(key_name_secret()),
                MigrationStep::FollowMoved,
            ),
    ] {
        let err = builder.connect().await.expect_err("nothing to move to");
        assert!(
            matches!(err, SetupError::MigrationWithoutNewSecret),
            "{err}"
        );
    }
    let debug = format!(
        "{:?}",
        RedisSessions::builder(redis.url()).key_name_secret(KeyNameSecret::from_bytes([0xab; 32]))
    );
    assert!(debug.contains("keyed") && !debug.contains("171"), "{debug}");
}

#[tokio::test]
async fn a_session_under_the_names_of_0_3_moves_with_its_revision_and_every_step_reads_it() {
    let redis = TestRedis::get().expect("redis");
    let url = redis.url();
    let ns = unique_namespace("move");
    let mut conn = raw(&url).await;
    let v03 = connect(&url, &ns, Kind::Unkeyed, true).await;
    let step1 = connect(&url, &ns, Kind::Follow, true).await;
    let step2 = connect(&url, &ns, Kind::Move, true).await;
    let keyed = connect(&url, &ns, Kind::Keyed, true).await;
    let old_key = v03.store("jane").key_name().to_string();
    let new_key = keyed.store("jane").key_name().to_string();
    assert_ne!(old_key, new_key);
    assert_eq!(
        step1.store("jane").key_name(),
        old_key,
        "step 1 keeps the old names"
    );
    assert_eq!(
        step2.store("jane").key_name(),
        new_key,
        "step 2 uses the new ones"
    );
    assert!(new_key.contains("{k1.") && !old_key.contains("k1."));

    // A session written by 0.3, rotated twice.
    assert_eq!(v03.store("jane").save(0, &session("a")).await, Ok(1));
    assert_eq!(v03.store("jane").save(1, &session("b")).await, Ok(2));

    // Step 1 reads it where it is and writes there; nothing moves.
    let seen = step1.store("jane").load().await.expect("load");
    assert_eq!((seen.revision(), tag_of(&seen).as_deref()), (2, Some("b")));
    assert_eq!(step1.store("jane").save(2, &session("c")).await, Ok(3));
    assert_eq!(
        tag_of(&v03.store("jane").load().await.unwrap()).as_deref(),
        Some("c")
    );
    assert_eq!(hget(&mut conn, &new_key, "rev").await, None);

    // Step 2's first read moves it: one revision up, same tokens, sealed for the new name.
    let moved = step2.store("jane").load().await.expect("load");
    assert_eq!(
        (moved.revision(), tag_of(&moved).as_deref()),
        (4, Some("c"))
    );
    assert_eq!(hget(&mut conn, &new_key, "rev").await.as_deref(), Some("4"));
    assert!(
        hget(&mut conn, &new_key, "data")
            .await
            .is_some_and(|d| d.starts_with("xc20p2:"))
    );
    // The old name is a marker now: what it held stays for whoever completes the move.
    assert_eq!(
        hget(&mut conn, &old_key, "moved").await.as_deref(),
        Some("session")
    );
    assert_eq!(
        hget(&mut conn, &old_key, "moved_rev").await.as_deref(),
        Some("3")
    );
    assert_eq!(hget(&mut conn, &old_key, "rev").await.as_deref(), Some("4"));
    assert_eq!(hget(&mut conn, &old_key, "data").await, None);

    // A step-1 write that read before the move is refused at the moved revision, then lands
    // under the new name; everybody who follows sees it.
    assert_eq!(
        step1.store("jane").save(3, &session("stale")).await,
        Err(SessionStoreError::Conflict { stored_revision: 4 })
    );
    let followed = step1.store("jane").load().await.expect("load");
    assert_eq!(
        (followed.revision(), tag_of(&followed).as_deref()),
        (4, Some("c"))
    );
    assert_eq!(step1.store("jane").save(4, &session("d")).await, Ok(5));
    for reader in [&step2, &keyed, &step1] {
        let s = reader.store("jane").load().await.expect("load");
        assert_eq!((s.revision(), tag_of(&s).as_deref()), (5, Some("d")));
    }
    assert_eq!(hget(&mut conn, &old_key, "rev").await.as_deref(), Some("4"));

    // A process that knows only the old names is told, not signed out in silence.
    let err = v03.store("jane").load().await.expect_err("moved away");
    assert!(
        matches!(&err, SessionStoreError::Corrupt(m) if m.contains("migrate_key_names")),
        "{err:?}"
    );
    assert!(matches!(
        v03.store("jane").save(4, &session("x")).await,
        Err(SessionStoreError::Corrupt(_))
    ));
}

#[tokio::test]
async fn a_sign_out_moves_as_a_fence_and_nothing_moves_as_a_marker_that_fences_old_writers() {
    let redis = TestRedis::get().expect("redis");
    let url = redis.url();
    let ns = unique_namespace("fence");
    let v03 = connect(&url, &ns, Kind::Unkeyed, false).await;
    let step1 = connect(&url, &ns, Kind::Follow, false).await;
    let step2 = connect(&url, &ns, Kind::Move, false).await;

    // A sign-out at revision 6 under the old names.
    for (expected, tag) in (0..5).map(|i| (i, format!("s{i}"))) {
        v03.store("out")
            .save(expected, &session(&tag))
            .await
            .expect("save");
    }
    assert_eq!(v03.store("out").clear(5).await, Ok(6));
    assert!(
        matches!(
            step2.store("out").load().await,
            Ok(Stored::Cleared { revision: 7 })
        ),
        "the tombstone moved, one revision up"
    );
    // An old write that expected the signed-in revision stays refused, wherever it goes.
    assert_eq!(
        step1.store("out").save(5, &session("zombie")).await,
        Err(SessionStoreError::Conflict { stored_revision: 7 })
    );
    assert!(matches!(
        step1.store("out").load().await,
        Ok(Stored::Cleared { revision: 7 })
    ));

    // A customer with nothing stored: step 2's first use leaves a marker, so that a step-1
    // login cannot start a second session under the old name.
    assert!(matches!(step2.store("new").load().await, Ok(Stored::Empty)));
    assert_eq!(step1.store("new").save(0, &session("n1")).await, Ok(1));
    let s = step2.store("new").load().await.expect("load");
    assert_eq!((s.revision(), tag_of(&s).as_deref()), (1, Some("n1")));
    assert_eq!(
        step2.store("new").save(0, &session("n2")).await,
        Err(SessionStoreError::Conflict { stored_revision: 1 })
    );

    // A login by step 2 over "nothing stored" while 0.3 names hold a session: the session
    // moves first and the login is told its revision (it re-reads; nothing is overwritten).
    v03.store("both")
        .save(0, &session("old"))
        .await
        .expect("save");
    assert_eq!(
        step2.store("both").save(0, &session("login")).await,
        Err(SessionStoreError::Conflict { stored_revision: 2 })
    );
    let s = step1.store("both").load().await.expect("load");
    assert_eq!((s.revision(), tag_of(&s).as_deref()), (2, Some("old")));
}

#[tokio::test]
async fn the_refresh_lock_excludes_every_pair_of_steps_that_may_run_together() {
    let redis = TestRedis::get().expect("redis");
    let url = redis.url();
    let ns = unique_namespace("locks");
    let lease = Duration::from_secs(30);
    let kinds = [Kind::Unkeyed, Kind::Follow, Kind::Move, Kind::Keyed];
    let mut sessions = Vec::new();
    for kind in kinds {
        sessions.push(connect(&url, &ns, kind, false).await);
    }
    for (i, holder) in kinds.iter().enumerate() {
        for (j, other) in kinds.iter().enumerate() {
            // Neighbours in the rollout may run together; so may a process and its own kind.
            if i.abs_diff(j) > 1 {
                continue;
            }
            let customer = format!("c-{i}-{j}");
            let held = sessions[i]
                .lock(&customer)
                .try_acquire("holder", lease)
                .await
                .expect("acquire");
            assert!(held.is_some(), "{holder:?} takes a free lock");
            let second = sessions[j]
                .lock(&customer)
                .try_acquire("other", lease)
                .await
                .expect("acquire");
            assert!(
                second.is_none(),
                "{other:?} must not get the lock {holder:?} holds"
            );
            sessions[i]
                .lock(&customer)
                .release("holder")
                .await
                .expect("release");
            let after = sessions[j]
                .lock(&customer)
                .try_acquire("other", lease)
                .await
                .expect("acquire");
            assert!(
                after.is_some(),
                "{other:?} gets it once {holder:?} released"
            );
            sessions[j]
                .lock(&customer)
                .release("other")
                .await
                .expect("release");
        }
    }

    // Step 2 takes the old lock and then the new one; when the new one is held, it gives the
    // old one back (a step-1 process is not kept waiting by a failed attempt).
    let (step1, step2, keyed) = (&sessions[1], &sessions[2], &sessions[3]);
    assert!(
        keyed
            .lock("half")
            .try_acquire("k", lease)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        step2
            .lock("half")
            .try_acquire("s2", lease)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        step1
            .lock("half")
            .try_acquire("s1", lease)
            .await
            .unwrap()
            .is_some()
    );

    // A refresh marked under either name reaches a step-2 holder after a lapsed lease.
    let short = Duration::from_millis(50);
    assert!(
        step1
            .lock("mark")
            .try_acquire("s1", short)
            .await
            .unwrap()
            .is_some()
    );
    assert!(step1.lock("mark").mark_refreshing("s1").await.unwrap());
    tokio::time::sleep(Duration::from_millis(120)).await;
    let grant = step2
        .lock("mark")
        .try_acquire("s2", lease)
        .await
        .unwrap()
        .expect("the lease lapsed");
    assert!(grant.lapsed_refresh, "step 1's mark reaches step 2");
}

/// One write a process made: the revision it expected, and whether the store took it.
#[derive(Debug, Clone)]
struct Write {
    expected: u64,
    accepted: bool,
    tag: String,
}

async fn writer(
    sessions: RedisSessions,
    customer: String,
    who: usize,
    steps: Vec<(bool, u8)>,
    log: Arc<Mutex<Vec<Write>>>,
) -> Result<(), SessionStoreError> {
    let store = sessions.store(&customer);
    for (n, (clear, pause)) in steps.into_iter().enumerate() {
        let expected = match store.load().await {
            Ok(stored) => stored.revision(),
            Err(SessionStoreError::Unavailable(_)) => continue,
            Err(e) => return Err(e),
        };
        for _ in 0..pause {
            tokio::task::yield_now().await;
        }
        let tag = format!("w{who}-{n}");
        let result = if clear {
            store.clear(expected).await
        } else {
            store.save(expected, &session(&tag)).await
        };
        let accepted = match result {
            Ok(revision) => {
                assert_eq!(revision, expected + 1, "the store gives the next revision");
                true
            }
            Err(SessionStoreError::Conflict { .. }) | Err(SessionStoreError::Unavailable(_)) => {
                false
            }
            Err(e) => return Err(e),
        };
        log.lock().unwrap().push(Write {
            expected,
            accepted,
            tag: if clear { String::new() } else { tag },
        });
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Processes of two neighbouring steps write one customer concurrently (each reads, pauses a
    /// random number of scheduler turns, writes what it read plus one). Whatever the
    /// interleaving, the accepted writes form one history: no two accepted at one revision (a
    /// split between the old and the new names would accept two), each one at the revision the
    /// previous left or one above it (the move itself), and the last one is what every step
    /// reads at the end.
    #[test]
    fn writers_of_neighbouring_steps_keep_one_history(
        pair in 0usize..3,
        start in 0u8..3,
        plans in proptest::collection::vec(
            proptest::collection::vec((proptest::bool::weighted(0.15), 0u8..6), 1..8),
            3..6,
        ),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let redis = TestRedis::get().expect("redis");
            let url = redis.url();
            let ns = unique_namespace("history");
            let kinds = [Kind::Unkeyed, Kind::Follow, Kind::Move, Kind::Keyed];
            let (a, b) = (kinds[pair], kinds[pair + 1]);
            let sa = connect(&url, &ns, a, true).await;
            let sb = connect(&url, &ns, b, true).await;
            // Where the customer starts: nothing, a session or a sign-out under the names of
            // the older kind of the pair.
            let origin = &sa;
            let log = Arc::new(Mutex::new(Vec::new()));
            if start > 0 {
                origin.store("c").save(0, &session("origin")).await.unwrap();
                log.lock().unwrap().push(Write { expected: 0, accepted: true, tag: "origin".into() });
                if start == 2 {
                    origin.store("c").clear(1).await.unwrap();
                    log.lock().unwrap().push(Write { expected: 1, accepted: true, tag: String::new() });
                }
            }
            let tasks: Vec<_> = plans
                .into_iter()
                .enumerate()
                .map(|(who, steps)| {
                    let s = if who % 2 == 0 { sa.clone() } else { sb.clone() };
                    tokio::spawn(writer(s, "c".into(), who, steps, log.clone()))
                })
                .collect();
            for t in tasks {
                t.await.unwrap().unwrap();
            }
            let writes = log.lock().unwrap().clone();
            let mut accepted: BTreeMap<u64, Write> = BTreeMap::new();
            for w in writes.iter().filter(|w| w.accepted) {
                if let Some(first) = accepted.insert(w.expected, w.clone()) {
                    panic!("two writes accepted at revision {}: {first:?} and {w:?} ({a:?} beside {b:?})", w.expected);
                }
            }
            let mut previous: Option<u64> = None;
            for &expected in accepted.keys() {
                if let Some(p) = previous {
                    prop_assert!(
                        expected == p + 1 || expected == p + 2,
                        "a gap in the history after {} ({:?} beside {:?}): {:?}", p, a, b, accepted.keys().collect::<Vec<_>>()
                    );
                }
                previous = Some(expected);
            }
            let last = accepted.values().last().cloned();
            for reader in [&sa, &sb] {
                let stored = reader.store("c").load().await.expect("load");
                match &last {
                    None => prop_assert!(matches!(stored, Stored::Empty), "{:?}", stored),
                    Some(w) => {
                        prop_assert!(
                            stored.revision() == w.expected + 1 || stored.revision() == w.expected + 2,
                            "read {} after the last write at {}", stored.revision(), w.expected
                        );
                        let tag = tag_of(&stored).unwrap_or_default();
                        prop_assert_eq!(&tag, &w.tag, "the last write is what is read");
                    }
                }
            }
            Ok(())
        })?;
    }
}
