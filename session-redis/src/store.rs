//! [`RedisSessionStore`]: one customer's session in a Redis hash, written with compare-and-swap
//! on the revision.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use cocart::{Consistency, PersistedSession, SessionStore, SessionStoreError};
use redis::aio::ConnectionManager;
use secrecy::ExposeSecret;

use crate::cipher::{OpenError, is_sealed};
use crate::keys::CustomerKeys;
use crate::scripts::{CLEAR, SAVE};
use crate::{Shared, millis, unavailable};

/// One customer's session in Redis. Made by [`RedisSessions::store`](crate::RedisSessions::store);
/// cheap to make, shares the connection. Its revision check is atomic across processes.
#[derive(Clone)]
pub struct RedisSessionStore {
    conn: ConnectionManager,
    shared: Arc<Shared>,
    keys: CustomerKeys,
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("key", &self.keys.session)
            .field("encrypted", &self.shared.cipher.is_some())
            .finish()
    }
}

impl RedisSessionStore {
    pub(crate) fn new(conn: ConnectionManager, shared: Arc<Shared>, keys: CustomerKeys) -> Self {
        Self { conn, shared, keys }
    }

    /// The Redis key that holds the session (no customer identifier and no secret in it).
    pub fn key_name(&self) -> &str {
        &self.keys.session
    }

    fn decode(&self, revision: u64, data: &str) -> Result<PersistedSession, SessionStoreError> {
        let mut session = match &self.shared.cipher {
            Some(cipher) => {
                let plain = cipher
                    .open(&self.keys.session, revision, data)
                    .map_err(|e: OpenError| SessionStoreError::Corrupt(e.describe().into()))?;
                PersistedSession::from_json(plain.expose_secret())?
            }
            None if is_sealed(data) => {
                return Err(SessionStoreError::Corrupt(
                    "the stored session is encrypted and no encryption key is set".into(),
                ));
            }
            None => PersistedSession::from_json(data)?,
        };
        // The hash's revision is the one the scripts compare: it wins over the copy inside.
        session.revision = revision;
        Ok(session)
    }

    fn encode(&self, session: &PersistedSession) -> Result<String, SessionStoreError> {
        let json = session.to_json();
        match &self.shared.cipher {
            Some(cipher) => cipher
                .seal(&self.keys.session, session.revision, json.expose_secret())
                .ok_or_else(|| SessionStoreError::Io("could not encrypt the session".into())),
            None => Ok(json.expose_secret().to_string()),
        }
    }
}

fn parse_revision(text: &str) -> Result<u64, SessionStoreError> {
    text.parse()
        .map_err(|_| SessionStoreError::Corrupt("the stored revision is not a number".into()))
}

/// Reads a script's `{written, revision}` answer.
fn written(answer: (i64, String)) -> Result<(), SessionStoreError> {
    match answer {
        (1, _) => Ok(()),
        (_, stored) => Err(SessionStoreError::Conflict {
            stored_revision: parse_revision(&stored)?,
        }),
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn load(&self) -> Result<Option<PersistedSession>, SessionStoreError> {
        let mut conn = self.conn.clone();
        let (revision, data): (Option<String>, Option<String>) = redis::cmd("HMGET")
            .arg(&self.keys.session)
            .arg("rev")
            .arg("data")
            .query_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        match (revision, data) {
            (Some(revision), Some(data)) => {
                self.decode(parse_revision(&revision)?, &data).map(Some)
            }
            // Nothing stored, or cleared (the revision stays as a fence).
            _ => Ok(None),
        }
    }

    async fn save(&self, session: &PersistedSession) -> Result<(), SessionStoreError> {
        let data = self.encode(session)?;
        let mut conn = self.conn.clone();
        let answer: (i64, String) = SAVE
            .key(&self.keys.session)
            .arg(session.revision.to_string())
            .arg(data)
            .arg(millis(self.shared.session_ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        written(answer)
    }

    async fn clear(&self, revision: u64) -> Result<(), SessionStoreError> {
        let mut conn = self.conn.clone();
        let answer: (i64, String) = CLEAR
            .key(&self.keys.session)
            .arg(revision.to_string())
            .arg(millis(self.shared.session_ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        written(answer)
    }

    fn consistency(&self) -> Consistency {
        Consistency::CompareAndSwap
    }
}
