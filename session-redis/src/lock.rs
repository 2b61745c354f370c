//! [`RedisSessionLock`]: the leased refresh lock of one customer (`SET NX PX`; renew, mark and
//! release only by the holder) and its refresh mark, which tells the next holder that a lease
//! lapsed while a refresh was in flight.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cocart::shared_session::LockGrant;
use cocart::{SessionLock, SessionStoreError};

use crate::conn::Conn;
use crate::keys::CustomerKeys;
use crate::scripts::{ACQUIRE, MARK, RELEASE, RENEW, UNLOCK};
use crate::{Shared, millis, unavailable};

/// One customer's refresh lock in Redis. Made by
/// [`RedisSessions::lock`](crate::RedisSessions::lock). The lease expires on its own in Redis, so a
/// holder that dies blocks nobody past it.
///
/// The refresh mark ([`SessionLock::mark_refreshing`]) is a key of its own beside the lock,
/// with the session's TTL so that it never lingers: the holder's release removes it; when the
/// lease lapses instead, the next [`SessionLock::try_acquire`] that succeeds consumes it and
/// reports `lapsed_refresh`. A late release by a holder whose lease lapsed removes nothing.
///
/// During a key-name migration at step 2 it is two locks, the previous name's and then the new
/// one's, taken in that order (and the first given back when the second is held by another), so
/// that it excludes every process that may run beside it; the grant reports a refresh marked in
/// either.
#[derive(Clone)]
pub struct RedisSessionLock {
    conn: Conn,
    shared: Arc<Shared>,
    /// The locks taken, in order; never empty.
    keys: Vec<CustomerKeys>,
    /// Where the lock lives when nothing is migrating (the last of `keys`).
    home: CustomerKeys,
}

impl fmt::Debug for RedisSessionLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionLock")
            .field("key", &self.home.lock)
            .finish()
    }
}

impl RedisSessionLock {
    pub(crate) fn new(
        conn: Conn,
        shared: Arc<Shared>,
        keys: Vec<CustomerKeys>,
        home: CustomerKeys,
    ) -> Self {
        Self {
            conn,
            shared,
            keys,
            home,
        }
    }

    /// The Redis key of the lock (during a key-name migration, the one of the names the session
    /// lives under for this process).
    pub fn key_name(&self) -> &str {
        &self.home.lock
    }

    /// The Redis key of the refresh mark (same hash tag as the lock and the session).
    pub fn refresh_mark_key_name(&self) -> &str {
        &self.home.refreshing
    }

    async fn acquire_one(
        &self,
        keys: &CustomerKeys,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<bool>, SessionStoreError> {
        let mut conn = self.conn.clone();
        let taken: i64 = ACQUIRE
            .key(&keys.lock)
            .key(&keys.refreshing)
            .arg(owner)
            .arg(millis(lease))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok((taken >= 0).then_some(taken > 0))
    }

    /// Gives back the locks of `taken` (and nothing else: no refresh mark is touched).
    async fn undo(&self, taken: &[CustomerKeys], owner: &str) -> Result<(), SessionStoreError> {
        for keys in taken.iter().rev() {
            let mut conn = self.conn.clone();
            let _: i64 = UNLOCK
                .key(&keys.lock)
                .arg(owner)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| unavailable(&e))?;
        }
        Ok(())
    }
}

#[async_trait]
impl SessionLock for RedisSessionLock {
    async fn try_acquire(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<LockGrant>, SessionStoreError> {
        let mut lapsed = false;
        for (i, keys) in self.keys.iter().enumerate() {
            match self.acquire_one(keys, owner, lease).await {
                Ok(Some(marked)) => lapsed |= marked,
                Ok(None) => {
                    self.undo(&self.keys[..i], owner).await?;
                    return Ok(None);
                }
                Err(e) => {
                    // The first locks lapse with their lease if this fails too.
                    let _ = self.undo(&self.keys[..i], owner).await;
                    return Err(e);
                }
            }
        }
        Ok(Some(LockGrant::new(lapsed)))
    }

    async fn renew(&self, owner: &str, lease: Duration) -> Result<bool, SessionStoreError> {
        let mut all = true;
        for keys in &self.keys {
            let mut conn = self.conn.clone();
            let renewed: i64 = RENEW
                .key(&keys.lock)
                .arg(owner)
                .arg(millis(lease))
                .invoke_async(&mut conn)
                .await
                .map_err(|e| unavailable(&e))?;
            all &= renewed == 1;
        }
        Ok(all)
    }

    async fn mark_refreshing(&self, owner: &str) -> Result<bool, SessionStoreError> {
        for keys in &self.keys {
            let mut conn = self.conn.clone();
            let marked: i64 = MARK
                .key(&keys.lock)
                .key(&keys.refreshing)
                .arg(owner)
                .arg(millis(self.shared.session_ttl))
                .invoke_async(&mut conn)
                .await
                .map_err(|e| unavailable(&e))?;
            if marked != 1 {
                return Ok(false);
            }
            // The mark (and the lock it was set under, written before it) must survive a
            // failover before the token is presented: otherwise the next holder would not know.
            self.conn
                .acknowledge(&keys.refreshing, self.shared.acknowledge)
                .await?;
        }
        Ok(true)
    }

    async fn release(&self, owner: &str) -> Result<(), SessionStoreError> {
        for keys in self.keys.iter().rev() {
            let mut conn = self.conn.clone();
            let _: i64 = RELEASE
                .key(&keys.lock)
                .key(&keys.refreshing)
                .arg(owner)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| unavailable(&e))?;
        }
        Ok(())
    }
}
