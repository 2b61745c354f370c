//! [`RedisSessionStore`]: one customer's session in a Redis hash (`rev` and `data`; a sign-out
//! keeps `rev` alone as its tombstone), written with compare-and-swap on the exact revision.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use cocart::session_store::Stored;
use cocart::{Consistency, PersistedSession, SessionStore, SessionStoreError};
use secrecy::ExposeSecret;

use crate::cipher::{OpenError, is_sealed};
use crate::conn::Conn;
use crate::keys::CustomerKeys;
use crate::scripts::{CLEAR, SAVE};
use crate::{Shared, millis, unavailable};

/// One customer's session in Redis. Made by [`RedisSessions::store`](crate::RedisSessions::store);
/// cheap to make, shares the connection. Its revision check is atomic across processes.
#[derive(Clone)]
pub struct RedisSessionStore {
    conn: Conn,
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
    pub(crate) fn new(conn: Conn, shared: Arc<Shared>, keys: CustomerKeys) -> Self {
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
                    .map_err(|e: OpenError| SessionStoreError::Corrupt(e.describe()))?;
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

/// A stored revision: only the canonical decimal form (what the scripts compare as a string)
/// is accepted, so that the revision read is the one a write can name.
fn parse_revision(text: &str) -> Result<u64, SessionStoreError> {
    text.parse::<u64>()
        .ok()
        .filter(|n| n.to_string() == text)
        .ok_or_else(|| SessionStoreError::Corrupt("the stored revision is not a number".into()))
}

/// The revision a write that expected `expected` gives its value. `None` at `u64::MAX`: no
/// store can go past it.
fn next_revision(expected: u64) -> Option<u64> {
    expected.checked_add(1)
}

/// Reads a script's `{written, revision}` answer.
fn written(answer: (i64, String)) -> Result<u64, SessionStoreError> {
    match answer {
        (1, revision) => parse_revision(&revision),
        (_, stored) => Err(SessionStoreError::Conflict {
            stored_revision: parse_revision(&stored)?,
        }),
    }
}

impl RedisSessionStore {
    async fn fields(&self) -> Result<(Option<String>, Option<String>), SessionStoreError> {
        let mut conn = self.conn.clone();
        redis::cmd("HMGET")
            .arg(&self.keys.session)
            .arg("rev")
            .arg("data")
            .query_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))
    }

    /// A write that landed at `revision`, once the replicas asked for confirm it (see
    /// [`crate::RedisSessionsBuilder::replicas_to_acknowledge`]).
    async fn acknowledged(&self, revision: u64) -> Result<u64, SessionStoreError> {
        self.conn
            .acknowledge(&self.keys.session, self.shared.acknowledge)
            .await?;
        Ok(revision)
    }

    /// A write that expected `u64::MAX` cannot be applied: it answers the stored revision, as a
    /// refused compare-and-swap does (the stored one is `u64::MAX` too, or another).
    async fn refuse_overflow(&self) -> SessionStoreError {
        let stored = match self.fields().await {
            Ok((Some(revision), _)) => match parse_revision(&revision) {
                Ok(revision) => revision,
                Err(e) => return e,
            },
            Ok((None, _)) => 0,
            Err(e) => return e,
        };
        SessionStoreError::Conflict {
            stored_revision: stored,
        }
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        match self.fields().await? {
            (None, None) => Ok(Stored::Empty),
            (Some(revision), Some(data)) => {
                let revision = parse_revision(&revision)?;
                self.decode(revision, &data).map(Stored::Session)
            }
            // The tombstone of a sign-out (0.2 wrote the same): the revision stays as a fence.
            (Some(revision), None) => Ok(Stored::Cleared {
                revision: parse_revision(&revision)?,
            }),
            (None, Some(_)) => Err(SessionStoreError::Corrupt(
                "the stored session has no revision".into(),
            )),
        }
    }

    async fn save(
        &self,
        expected: u64,
        session: &PersistedSession,
    ) -> Result<u64, SessionStoreError> {
        let Some(next) = next_revision(expected) else {
            return Err(self.refuse_overflow().await);
        };
        // Sealed for the revision the script will give it (or refused at).
        let mut session = session.clone();
        session.revision = next;
        let data = self.encode(&session)?;
        let mut conn = self.conn.clone();
        let answer: (i64, String) = SAVE
            .key(&self.keys.session)
            .arg(expected.to_string())
            .arg(next.to_string())
            .arg(data)
            .arg(millis(self.shared.session_ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        self.acknowledged(written(answer)?).await
    }

    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        let Some(next) = next_revision(expected) else {
            return Err(self.refuse_overflow().await);
        };
        let mut conn = self.conn.clone();
        let answer: (i64, String) = CLEAR
            .key(&self.keys.session)
            .arg(expected.to_string())
            .arg(next.to_string())
            .arg(millis(self.shared.session_ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        self.acknowledged(written(answer)?).await
    }

    fn consistency(&self) -> Consistency {
        Consistency::CompareAndSwap
    }
}
