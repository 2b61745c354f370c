//! Several clients serving one customer through one session store and one refresh lock, as
//! backend replicas do, against the real mock: one refresh per rotation, the v3 old-token kill
//! answered by adopting, and the faults that must not sign the customer out.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart::{
    CoCartClient, Consistency, Error, LockGrant, MemoryLock, MemoryStore, PersistedSession,
    SessionLock, SessionStore, SessionStoreError, SignOutReason, Stored,
};
use cocart_mock::{MockServer, PluginVersion};
use support::*;

const TTL: i64 = 3600;

struct Replicas {
    clients: Vec<CoCartClient>,
    clock: OffsetClock,
}

fn replica(
    server: &MockServer,
    clock: &OffsetClock,
    store: Arc<dyn SessionStore>,
    lock: Arc<dyn SessionLock>,
) -> CoCartClient {
    CoCartClient::builder(server.base_url())
        .clock(clock.clone())
        .session_store_arc(store)
        .session_lock_arc(lock)
        .timeout(Duration::from_secs(2))
        .lock_lease(Duration::from_secs(5))
        .refresh_cooldown(Duration::from_millis(100))
        .retry_base_delay(Duration::from_millis(5))
        .build()
        .expect("valid client config")
}

/// `n` replicas; the first logs in, the others restore the session from the store.
async fn replicas(
    server: &MockServer,
    n: usize,
    store: Arc<dyn SessionStore>,
    lock: Arc<dyn SessionLock>,
) -> Replicas {
    let clock = OffsetClock::new();
    let clients: Vec<_> = (0..n)
        .map(|_| replica(server, &clock, store.clone(), lock.clone()))
        .collect();
    clients[0].login(USER, PASSWORD).await.expect("login");
    for c in &clients[1..] {
        assert!(c.restore_session().await.expect("restore").is_some());
    }
    server.clear_journal();
    Replicas { clients, clock }
}

async fn read_all(clients: &[CoCartClient], per_client: usize) -> Vec<Result<(), Error>> {
    let mut tasks = Vec::new();
    for c in clients {
        for _ in 0..per_client {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                c.cart().get(&CartQuery::default()).await.map(|_| ())
            }));
        }
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("no panic"));
    }
    out
}

fn refresh_statuses(server: &MockServer) -> Vec<u16> {
    journal_for(server, REFRESH_PATH)
        .iter()
        .map(|e| e.status)
        .collect()
}

async fn one_rotation_across_an_expiry(plugin: PluginVersion) {
    let server = MockServer::builder()
        .plugin(plugin)
        .access_ttl(TTL as u64)
        .start()
        .await
        .unwrap();
    let r = replicas(
        &server,
        4,
        Arc::new(MemoryStore::new()),
        Arc::new(MemoryLock::new()),
    )
    .await;
    advance(&server, &r.clock, TTL + 10);
    let reads = read_all(&r.clients, 5).await;
    assert!(reads.iter().all(Result::is_ok), "{reads:?}");
    assert_eq!(refresh_statuses(&server), vec![200], "exactly one refresh");
    assert!(r.clients.iter().all(CoCartClient::is_signed_in));
    let pats: Vec<_> = r
        .clients
        .iter()
        .map(|c| c.token_claims().map(|c| (c.iat, c.pat)))
        .collect();
    assert!(
        pats.windows(2).all(|w| w[0] == w[1]),
        "every replica holds the rotated pair"
    );
}

#[tokio::test]
async fn replicas_make_one_refresh_across_an_expiry_on_plugin_v3() {
    one_rotation_across_an_expiry(PluginVersion::V3).await;
}

#[tokio::test]
async fn replicas_make_one_refresh_across_an_expiry_on_plugin_v2() {
    one_rotation_across_an_expiry(PluginVersion::V2).await;
}

#[tokio::test]
async fn the_v3_old_token_kill_is_answered_by_adopting_not_by_refreshing() {
    let server = MockServer::builder()
        .access_ttl(TTL as u64)
        .start()
        .await
        .unwrap();
    let r = replicas(
        &server,
        3,
        Arc::new(MemoryStore::new()),
        Arc::new(MemoryLock::new()),
    )
    .await;
    // Replica 0 rotates; on v3 that ends the access token the others still hold.
    r.clients[0].refresh_now().await.expect("refresh");
    let reads = read_all(&r.clients[1..], 3).await;
    assert!(reads.iter().all(Result::is_ok), "{reads:?}");
    assert_eq!(refresh_statuses(&server), vec![200], "no second refresh");
    let rejected = journal_for(&server, CART_PATH)
        .iter()
        .filter(|e| e.status == 403)
        .count();
    assert!(rejected >= 1, "the old token was really killed");
    assert!(r.clients.iter().all(CoCartClient::is_signed_in));
}

/// A store and a lock that can be made unreachable, like Redis during a restart.
#[derive(Default)]
struct Flaky {
    down: AtomicBool,
    store: MemoryStore,
    lock: MemoryLock,
}

impl Flaky {
    fn check(&self) -> Result<(), SessionStoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(SessionStoreError::Unavailable("connection refused".into()));
        }
        Ok(())
    }
}

struct FlakyStore(Arc<Flaky>);
struct FlakyLock(Arc<Flaky>);

#[async_trait]
impl SessionStore for FlakyStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        self.0.check()?;
        self.0.store.load().await
    }
    async fn save(&self, expected: u64, s: &PersistedSession) -> Result<u64, SessionStoreError> {
        self.0.check()?;
        self.0.store.save(expected, s).await
    }
    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        self.0.check()?;
        self.0.store.clear(expected).await
    }
    fn consistency(&self) -> Consistency {
        Consistency::CompareAndSwap
    }
}

#[async_trait]
impl SessionLock for FlakyLock {
    async fn try_acquire(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<LockGrant>, SessionStoreError> {
        self.0.check()?;
        self.0.lock.try_acquire(owner, lease).await
    }
    async fn mark_refreshing(&self, owner: &str) -> Result<bool, SessionStoreError> {
        self.0.check()?;
        self.0.lock.mark_refreshing(owner).await
    }
    async fn renew(&self, owner: &str, lease: Duration) -> Result<bool, SessionStoreError> {
        self.0.check()?;
        self.0.lock.renew(owner, lease).await
    }
    async fn release(&self, owner: &str) -> Result<(), SessionStoreError> {
        self.0.check()?;
        self.0.lock.release(owner).await
    }
}

#[tokio::test]
async fn an_unreachable_store_keeps_the_customer_signed_in_and_one_refresh_recovers() {
    let server = MockServer::builder()
        .access_ttl(TTL as u64)
        .start()
        .await
        .unwrap();
    let flaky = Arc::new(Flaky::default());
    let r = replicas(
        &server,
        2,
        Arc::new(FlakyStore(flaky.clone())),
        Arc::new(FlakyLock(flaky.clone())),
    )
    .await;
    flaky.down.store(true, Ordering::SeqCst);
    // A valid token needs neither the store nor the lock.
    let reads = read_all(&r.clients, 2).await;
    assert!(reads.iter().all(Result::is_ok), "{reads:?}");
    // An expired token cannot be refreshed without the lock: a typed transient error.
    advance(&server, &r.clock, TTL + 10);
    let err = r.clients[0]
        .cart()
        .get(&CartQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Storage(SessionStoreError::Unavailable(_))),
        "{err:?}"
    );
    assert!(
        refresh_statuses(&server).is_empty(),
        "no refresh without the lock"
    );
    assert!(r.clients.iter().all(CoCartClient::is_signed_in));
    // The store is back: one refresh, every replica goes on.
    flaky.down.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(150)).await; // past the failure cooldown
    let reads = read_all(&r.clients, 3).await;
    assert!(reads.iter().all(Result::is_ok), "{reads:?}");
    assert_eq!(refresh_statuses(&server), vec![200]);
}

#[tokio::test]
async fn a_holder_that_died_after_the_store_rotated_signs_out_with_that_reason_after_one_lease() {
    let server = MockServer::builder()
        .access_ttl(TTL as u64)
        .start()
        .await
        .unwrap();
    let store = Arc::new(MemoryStore::new());
    let lock = Arc::new(MemoryLock::new());
    let r = replicas(&server, 2, store.clone(), lock.clone()).await;
    // A "process" takes the lock, spends the refresh token, and dies before saving.
    assert!(
        lock.try_acquire("dead-process", Duration::from_secs(2))
            .await
            .unwrap()
            .is_some()
    );
    assert!(lock.mark_refreshing("dead-process").await.unwrap());
    let refresh = store
        .load()
        .await
        .unwrap()
        .session()
        .and_then(|s| s.refresh_token.as_ref())
        .map(|t| t.expose_secret().to_string())
        .unwrap();
    let spent = reqwest::Client::new()
        .post(format!("{}{REFRESH_PATH}", server.base_url()))
        .json(&serde_json::json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status(), 200);
    advance(&server, &r.clock, TTL + 10);
    let started = std::time::Instant::now();
    let err = r.clients[0].refresh_now().await.unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(
            err,
            Error::SessionExpired {
                reason: SignOutReason::RefreshedElsewhereAndLost
            }
        ),
        "{err:?}"
    );
    assert!(
        waited >= Duration::from_millis(1500),
        "it waited for the lease: {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(5),
        "no longer than the lease: {waited:?}"
    );
    // The refresh token was sent once by the dead process and once by the survivor, who then
    // read the store again before giving up.
    assert_eq!(refresh_statuses(&server), vec![200, 403]);
}

#[tokio::test]
async fn a_holder_that_died_before_the_refresh_costs_one_lease_and_one_refresh() {
    let server = MockServer::builder()
        .access_ttl(TTL as u64)
        .start()
        .await
        .unwrap();
    let lock = Arc::new(MemoryLock::new());
    let r = replicas(&server, 2, Arc::new(MemoryStore::new()), lock.clone()).await;
    assert!(
        lock.try_acquire("dead-process", Duration::from_secs(1))
            .await
            .unwrap()
            .is_some()
    );
    advance(&server, &r.clock, TTL + 10);
    let reads = read_all(&r.clients, 2).await;
    assert!(reads.iter().all(Result::is_ok), "{reads:?}");
    assert_eq!(refresh_statuses(&server), vec![200]);
}
