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
use crate::scripts::{ACQUIRE, MARK, RELEASE, RENEW};
use crate::{Shared, millis, unavailable};

/// One customer's refresh lock in Redis. Made by
/// [`RedisSessions::lock`](crate::RedisSessions::lock). The lease expires on its own in Redis, so a
/// holder that dies blocks nobody past it.
///
/// The refresh mark ([`SessionLock::mark_refreshing`]) is a key of its own beside the lock,
/// with the session's TTL so that it never lingers: the holder's release removes it; when the
/// lease lapses instead, the next [`SessionLock::try_acquire`] that succeeds consumes it and
/// reports `lapsed_refresh`. A late release by a holder whose lease lapsed removes nothing.
#[derive(Clone)]
pub struct RedisSessionLock {
    conn: Conn,
    shared: Arc<Shared>,
    keys: CustomerKeys,
}

impl fmt::Debug for RedisSessionLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionLock")
            .field("key", &self.keys.lock)
            .finish()
    }
}

impl RedisSessionLock {
    pub(crate) fn new(conn: Conn, shared: Arc<Shared>, keys: CustomerKeys) -> Self {
        Self { conn, shared, keys }
    }

    /// The Redis key of the lock.
    pub fn key_name(&self) -> &str {
        &self.keys.lock
    }

    /// The Redis key of the refresh mark (same hash tag as the lock and the session).
    pub fn refresh_mark_key_name(&self) -> &str {
        &self.keys.refreshing
    }
}

#[async_trait]
impl SessionLock for RedisSessionLock {
    async fn try_acquire(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<LockGrant>, SessionStoreError> {
        let mut conn = self.conn.clone();
        let taken: i64 = ACQUIRE
            .key(&self.keys.lock)
            .key(&self.keys.refreshing)
            .arg(owner)
            .arg(millis(lease))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(match taken {
            t if t < 0 => None,
            lapsed => Some(LockGrant::new(lapsed > 0)),
        })
    }

    async fn renew(&self, owner: &str, lease: Duration) -> Result<bool, SessionStoreError> {
        let mut conn = self.conn.clone();
        let renewed: i64 = RENEW
            .key(&self.keys.lock)
            .arg(owner)
            .arg(millis(lease))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(renewed == 1)
    }

    async fn mark_refreshing(&self, owner: &str) -> Result<bool, SessionStoreError> {
        let mut conn = self.conn.clone();
        let marked: i64 = MARK
            .key(&self.keys.lock)
            .key(&self.keys.refreshing)
            .arg(owner)
            .arg(millis(self.shared.session_ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        if marked != 1 {
            return Ok(false);
        }
        // The mark (and the lock it was set under, written before it) must survive a failover
        // before the token is presented: otherwise the next holder would not know.
        self.conn
            .acknowledge(&self.keys.refreshing, self.shared.acknowledge)
            .await?;
        Ok(true)
    }

    async fn release(&self, owner: &str) -> Result<(), SessionStoreError> {
        let mut conn = self.conn.clone();
        let _: i64 = RELEASE
            .key(&self.keys.lock)
            .key(&self.keys.refreshing)
            .arg(owner)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }
}
