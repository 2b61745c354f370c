//! [`RedisSessionLock`]: the leased refresh lock of one customer (`SET NX PX`, renew and release
//! only by the holder).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use cocart::{SessionLock, SessionStoreError};
use redis::aio::ConnectionManager;

use crate::keys::CustomerKeys;
use crate::scripts::{RELEASE, RENEW};
use crate::{millis, unavailable};

/// One customer's refresh lock in Redis. Made by
/// [`RedisSessions::lock`](crate::RedisSessions::lock). The lease expires on its own in Redis, so a
/// holder that dies blocks nobody past it.
#[derive(Clone)]
pub struct RedisSessionLock {
    conn: ConnectionManager,
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
    pub(crate) fn new(conn: ConnectionManager, keys: CustomerKeys) -> Self {
        Self { conn, keys }
    }

    /// The Redis key of the lock.
    pub fn key_name(&self) -> &str {
        &self.keys.lock
    }
}

#[async_trait]
impl SessionLock for RedisSessionLock {
    async fn try_acquire(&self, owner: &str, lease: Duration) -> Result<bool, SessionStoreError> {
        let mut conn = self.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(&self.keys.lock)
            .arg(owner)
            .arg("NX")
            .arg("PX")
            .arg(millis(lease))
            .query_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(set.is_some())
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

    async fn release(&self, owner: &str) -> Result<(), SessionStoreError> {
        let mut conn = self.conn.clone();
        let _: i64 = RELEASE
            .key(&self.keys.lock)
            .arg(owner)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }
}
