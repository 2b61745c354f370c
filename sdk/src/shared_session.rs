//! One customer session shared by several processes (backend replicas, workers): a leased
//! cross-process refresh lock beside the revisioned [`SessionStore`](crate::SessionStore).
//!
//! Refresh tokens are single-use, and on plugin v3 a refresh also ends the old access token. Two
//! processes that refresh one session each on their own sign the customer out. With a
//! [`SessionLock`] the refresh of a shared session goes:
//!
//! 1. in-process single flight, as always;
//! 2. take the lock (leased: it expires on its own if the holder dies). While waiting, a newer
//!    session in the store is adopted at once, without the lock;
//! 3. **re-read the stored session under the lock**: if another process already rotated (a newer
//!    revision), adopt its pair and send nothing;
//! 4. only then read the refresh token and refresh, renewing the lease while the request runs, and
//!    never starting one with less lease left than the request timeout;
//! 5. save with the revision check (the revision is the fencing token: a holder whose lease lapsed
//!    cannot overwrite a newer pair), then release.
//!
//! A terminal refresh answer signs out only after a re-read under the lock shows no newer pair.
//! A request with a valid token touches neither the lock nor the store.
//!
//! The protocol itself runs in the refresh task (`auth/refresh/shared.rs`).

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use crate::session_store::SessionStoreError;

/// What taking the lock tells the new holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LockGrant {
    /// A previous holder marked a refresh as in flight ([`SessionLock::mark_refreshing`]) and
    /// never released: its lease lapsed (it died, stalled, or its answer was lost). It may have
    /// spent the refresh token without saving what it got.
    pub lapsed_refresh: bool,
}

impl LockGrant {
    /// A grant (for implementations outside this crate).
    pub fn new(lapsed_refresh: bool) -> Self {
        Self { lapsed_refresh }
    }
}

/// A lease lock that every process serving one session shares. Implementations must make each
/// method atomic and let a lease expire on its own; the conformance checks (feature
/// `conformance`) test them.
#[async_trait]
pub trait SessionLock: Send + Sync + 'static {
    /// Takes the lock for `owner` for `lease` if nobody holds it; `Ok(None)` when held. The grant
    /// says whether a holder before this one left a refresh marked in flight and never released
    /// (its lease lapsed). The mark stays until a holder marks its own refresh and releases, so
    /// a holder that presents nothing passes the news on.
    async fn try_acquire(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<LockGrant>, SessionStoreError>;
    /// Extends the lease if `owner` still holds the lock; `Ok(false)` when it does not.
    async fn renew(&self, owner: &str, lease: Duration) -> Result<bool, SessionStoreError>;
    /// Marks, while `owner` holds the lock, that it is about to present the refresh token. The
    /// mark goes with a release; if the lease lapses instead, the next holder learns of it.
    /// `Ok(false)` when `owner` does not hold the lock.
    async fn mark_refreshing(&self, owner: &str) -> Result<bool, SessionStoreError>;
    /// Releases the lock if `owner` holds it, and the mark if `owner` set it (the holder knows how
    /// its refresh ended, even when its lease lapsed meanwhile). Releasing a lock held by another
    /// is a no-op. A holder whose refresh answer was lost does not release: its lease lapses
    /// with the mark, and the next holder learns of it.
    async fn release(&self, owner: &str) -> Result<(), SessionStoreError>;
}

/// An in-process [`SessionLock`]: share one `Arc<MemoryLock>` (with one `Arc<MemoryStore>`)
/// between clients to serve one session from several clients of one process, or in tests and
/// simulations (its leases run on tokio's clock, so a paused runtime makes them virtual).
#[derive(Default)]
pub struct MemoryLock {
    held: Mutex<LockSlot>,
}

#[derive(Default)]
struct LockSlot {
    holder: Option<(String, Instant)>,
    /// The holder that marked a refresh in flight and has not released since.
    refreshing: Option<String>,
}

impl fmt::Debug for MemoryLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryLock").finish_non_exhaustive()
    }
}

impl MemoryLock {
    /// A free lock.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, LockSlot> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl LockSlot {
    fn held_by(&self, owner: &str, now: Instant) -> bool {
        self.holder
            .as_ref()
            .is_some_and(|(holder, until)| holder == owner && *until > now)
    }
}

#[async_trait]
impl SessionLock for MemoryLock {
    async fn try_acquire(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<LockGrant>, SessionStoreError> {
        let mut slot = self.slot();
        let now = Instant::now();
        if slot.holder.as_ref().is_some_and(|(_, until)| *until > now) {
            return Ok(None);
        }
        // The mark stays until a holder presents the token itself and releases.
        let lapsed_refresh = slot
            .refreshing
            .as_deref()
            .is_some_and(|marker| marker != owner);
        slot.holder = Some((owner.to_string(), now + lease));
        Ok(Some(LockGrant { lapsed_refresh }))
    }

    async fn renew(&self, owner: &str, lease: Duration) -> Result<bool, SessionStoreError> {
        let mut slot = self.slot();
        let now = Instant::now();
        if !slot.held_by(owner, now) {
            return Ok(false);
        }
        slot.holder = Some((owner.to_string(), now + lease));
        Ok(true)
    }

    async fn mark_refreshing(&self, owner: &str) -> Result<bool, SessionStoreError> {
        let mut slot = self.slot();
        if !slot.held_by(owner, Instant::now()) {
            return Ok(false);
        }
        slot.refreshing = Some(owner.to_string());
        Ok(true)
    }

    async fn release(&self, owner: &str) -> Result<(), SessionStoreError> {
        let mut slot = self.slot();
        if slot
            .holder
            .as_ref()
            .is_some_and(|(holder, _)| holder == owner)
        {
            slot.holder = None;
        }
        // The owner knows how its refresh ended: its mark goes, even after its lease lapsed.
        if slot.refreshing.as_deref() == Some(owner) {
            slot.refreshing = None;
        }
        Ok(())
    }
}

/// How a client takes part in a shared session.
#[derive(Clone)]
pub(crate) struct SharedConfig {
    pub(crate) lock: std::sync::Arc<dyn SessionLock>,
    /// How long a lease lasts; renewed every third of it while a refresh runs.
    pub(crate) lease: Duration,
    /// How often a waiting process polls the lock and the store.
    pub(crate) poll: Duration,
}

impl SharedConfig {
    /// Releases the lock held by `owner`; a failure only logs (the lease ends it).
    pub(crate) async fn release(&self, owner: &str) {
        if let Err(e) = self.lock.release(owner).await {
            tracing::warn!(error = %e, "could not release the session lock (its lease ends it)");
        }
    }
}

/// How the lock wait ended.
pub(crate) enum Taken<T> {
    /// The store answered what the waiter needed while it waited (another process saved a newer
    /// session, or signed it out): nothing sent, the lock not held.
    Settled(T),
    /// Taken, with what the lock said about the lease before.
    Held(LockGrant),
}

/// Waits for the lock no longer than one lease (plus two polls). Between tries `settled`
/// re-reads the store and says whether what it found ends the wait without the lock.
pub(crate) async fn wait_for_lock<T, F, Fut>(
    shared: &SharedConfig,
    owner: &str,
    settled: F,
) -> crate::Result<Taken<T>>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = crate::Result<Option<T>>>,
{
    let patience = shared.lease + 2 * shared.poll;
    let mut deadline = Instant::now() + patience;
    let mut last_look = Instant::now();
    loop {
        if let Some(grant) = shared.lock.try_acquire(owner, shared.lease).await? {
            return Ok(Taken::Held(grant));
        }
        if let Some(found) = settled().await? {
            return Ok(Taken::Settled(found));
        }
        let now = Instant::now();
        // More than a lease since the last look (this process stalled, or the store answered
        // that slowly): the waiter did not see the lock held all that time, so its patience
        // starts again from now.
        if now.duration_since(last_look) > shared.lease {
            deadline = now + patience;
        }
        last_look = now;
        if now >= deadline {
            return Err(crate::Error::Storage(SessionStoreError::Unavailable(
                "the shared session lock stayed held longer than its lease".into(),
            )));
        }
        tokio::time::sleep(shared.poll).await;
    }
}

/// A fresh owner name for one lock acquisition: unique per process and call (it is not a
/// secret, and holds none).
pub(crate) fn owner_name() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(NEXT.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("{}-{:016x}", std::process::id(), h.finish())
}

impl crate::CoCartClient {
    /// Restores the stored session, or logs in when none is stored, so that several processes
    /// starting at once for one customer make **one** login between them.
    ///
    /// With a [`SessionLock`] (see [`crate::ClientBuilder::session_lock`]) the login happens
    /// under the lock after a second look at the store: the processes that wait adopt the
    /// session the first one saved. Without a lock it is [`CoCartClient::restore_session`]
    /// followed by [`CoCartClient::login`] when nothing was restored.
    ///
    /// It runs as a task of its own: a caller that is dropped (a cancelled request handler, a
    /// Kotlin coroutine) neither leaves the lock held nor stops a login half-way.
    ///
    /// [`CoCartClient::restore_session`]: crate::CoCartClient::restore_session
    /// [`CoCartClient::login`]: crate::CoCartClient::login
    pub async fn restore_or_login(
        &self,
        username: &str,
        password: &secrecy::SecretString,
    ) -> crate::Result<crate::User> {
        let client = self.clone();
        let username = username.to_string();
        let password = password.clone();
        tokio::spawn(async move { client.restore_or_login_task(&username, &password).await })
            .await
            .unwrap_or_else(|e| Err(crate::Error::Internal(format!("login task failed: {e}"))))
    }

    async fn restore_or_login_task(
        &self,
        username: &str,
        password: &secrecy::SecretString,
    ) -> crate::Result<crate::User> {
        if let Some(user) = self.restore_session().await? {
            return Ok(user);
        }
        let Some(shared) = self.inner.config.shared.clone() else {
            return self.login_secret(username, password).await;
        };
        let owner = owner_name();
        let taken = wait_for_lock(&shared, &owner, || self.restore_session()).await?;
        if let Taken::Settled(user) = taken {
            return Ok(user);
        }
        let outcome = match self.restore_session().await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => self.login_secret(username, password).await,
            Err(e) => Err(e),
        };
        shared.release(&owner).await;
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_memory_lock_passes_the_conformance_checks() {
        crate::conformance::lock_conformance(&MemoryLock::new(), Duration::from_millis(100)).await;
    }

    #[test]
    fn owner_names_differ() {
        assert_ne!(owner_name(), owner_name());
    }
}
