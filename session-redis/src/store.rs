//! [`RedisSessionStore`]: one customer's session in a Redis hash (`rev` and `data`; a sign-out
//! keeps `rev` alone as its tombstone), written with compare-and-swap on the exact revision; and,
//! during a key-name migration, the marker a moved session leaves under its previous name.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use cocart::session_store::Stored;
use cocart::{Consistency, PersistedSession, SessionStore, SessionStoreError};
use secrecy::ExposeSecret;

use crate::cipher::{OpenError, is_sealed};
use crate::conn::Conn;
use crate::keys::CustomerKeys;
use crate::migration::Layout;
use crate::scripts::{CLEAR, CREATE, MARK_MOVED, SAVE};
use crate::{Shared, millis, unavailable};

/// One customer's session in Redis. Made by [`RedisSessions::store`](crate::RedisSessions::store);
/// cheap to make, shares the connection. Its revision check is atomic across processes.
#[derive(Clone)]
pub struct RedisSessionStore {
    conn: Conn,
    shared: Arc<Shared>,
    layout: Layout,
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("key", &self.key_name())
            .field("encrypted", &self.shared.cipher.is_some())
            .finish()
    }
}

/// What one session hash holds.
enum Raw {
    Empty,
    Session {
        revision: u64,
        data: String,
    },
    Cleared {
        revision: u64,
    },
    /// The marker a key-name migration left: the session lives under the new names.
    Moved(Marker),
}

/// A moved session's marker (see [`MARK_MOVED`]).
struct Marker {
    /// The marker's own revision: the moved value's revision under its new name.
    revision: u64,
    moved: Moved,
}

enum Moved {
    Nothing,
    Cleared,
    Session { revision: u64, data: String },
}

/// A compare-and-swap's answer.
enum Cas {
    Written(u64),
    Refused(u64),
    /// The hash is a migration marker: nothing was written.
    Moved,
}

/// How many times a move re-reads a value that keeps changing under it before it answers
/// "unavailable" (the caller's next call tries again).
const MOVE_ATTEMPTS: usize = 8;

fn moved_here_error() -> SessionStoreError {
    SessionStoreError::Corrupt(
        "this session was moved to other key names by a key-name migration; configure the \
         migration (RedisSessionsBuilder::migrate_key_names) to follow it"
            .into(),
    )
}

impl RedisSessionStore {
    pub(crate) fn new(conn: Conn, shared: Arc<Shared>, layout: Layout) -> Self {
        Self {
            conn,
            shared,
            layout,
        }
    }

    /// The Redis key that holds the session (no customer identifier and no secret in it).
    /// During a key-name migration, the one this process writes first: the previous name at
    /// step 1, the new one at step 2.
    pub fn key_name(&self) -> &str {
        &self.layout.home().session
    }

    fn decode(
        &self,
        key_name: &str,
        revision: u64,
        data: &str,
    ) -> Result<PersistedSession, SessionStoreError> {
        let mut session = match &self.shared.cipher {
            Some(cipher) => {
                let plain = cipher
                    .open(key_name, revision, data)
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

    /// The session as stored under `key_name`, sealed for its revision (`session.revision`).
    fn encode(
        &self,
        key_name: &str,
        session: &PersistedSession,
    ) -> Result<String, SessionStoreError> {
        let json = session.to_json();
        match &self.shared.cipher {
            Some(cipher) => cipher
                .seal(key_name, session.revision, json.expose_secret())
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

/// Reads a script's `{answer, revision}`.
fn cas_answer(answer: (i64, String)) -> Result<Cas, SessionStoreError> {
    match answer {
        (1, revision) => Ok(Cas::Written(parse_revision(&revision)?)),
        (2, _) => Ok(Cas::Moved),
        (_, stored) => Ok(Cas::Refused(parse_revision(&stored)?)),
    }
}

type Fields = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl RedisSessionStore {
    async fn fields(&self, keys: &CustomerKeys) -> Result<Fields, SessionStoreError> {
        let mut conn = self.conn.clone();
        redis::cmd("HMGET")
            .arg(&keys.session)
            .arg("rev")
            .arg("data")
            .arg("moved")
            .arg("moved_rev")
            .arg("moved_data")
            .query_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))
    }

    async fn read(&self, keys: &CustomerKeys) -> Result<Raw, SessionStoreError> {
        let (revision, data, moved, moved_rev, moved_data) = self.fields(keys).await?;
        if let Some(kind) = moved {
            let revision = parse_revision(revision.as_deref().unwrap_or(""))?;
            let moved = match (kind.as_str(), moved_data) {
                ("none", _) => Moved::Nothing,
                ("cleared", _) => Moved::Cleared,
                ("session", Some(data)) => Moved::Session {
                    revision: parse_revision(moved_rev.as_deref().unwrap_or(""))?,
                    data,
                },
                _ => {
                    return Err(SessionStoreError::Corrupt(
                        "the marker of a moved session is malformed".into(),
                    ));
                }
            };
            return Ok(Raw::Moved(Marker { revision, moved }));
        }
        Ok(match (revision, data) {
            (None, None) => Raw::Empty,
            (Some(revision), Some(data)) => Raw::Session {
                revision: parse_revision(&revision)?,
                data,
            },
            // The tombstone of a sign-out (0.2 wrote the same): the revision stays as a fence.
            (Some(revision), None) => Raw::Cleared {
                revision: parse_revision(&revision)?,
            },
            (None, Some(_)) => {
                return Err(SessionStoreError::Corrupt(
                    "the stored session has no revision".into(),
                ));
            }
        })
    }

    /// Once a write to `key` landed: waits until the replicas asked for confirm it (see
    /// [`crate::RedisSessionsBuilder::replicas_to_acknowledge`]); fewer in time is
    /// "unavailable", which the SDK settles by reading back.
    async fn acknowledged(&self, key: &str) -> Result<(), SessionStoreError> {
        self.conn.acknowledge(key, self.shared.acknowledge).await
    }

    /// What `keys` holds, as the SDK sees it (a marker is not expected there).
    async fn load_at(&self, keys: &CustomerKeys) -> Result<Stored, SessionStoreError> {
        match self.read(keys).await? {
            Raw::Empty => Ok(Stored::Empty),
            Raw::Session { revision, data } => self
                .decode(&keys.session, revision, &data)
                .map(Stored::Session),
            Raw::Cleared { revision } => Ok(Stored::Cleared { revision }),
            Raw::Moved(_) => Err(moved_here_error()),
        }
    }

    /// The revision stored under `keys` (0 when nothing), for a write that cannot be applied.
    async fn stored_revision(&self, keys: &CustomerKeys) -> Result<u64, SessionStoreError> {
        Ok(match self.read(keys).await? {
            Raw::Empty => 0,
            Raw::Session { revision, .. } | Raw::Cleared { revision } => revision,
            Raw::Moved(marker) => marker.revision,
        })
    }

    /// Writes `session` under `keys` if the stored revision is exactly `expected`.
    async fn cas_save(
        &self,
        keys: &CustomerKeys,
        expected: u64,
        next: u64,
        session: &PersistedSession,
    ) -> Result<Cas, SessionStoreError> {
        // Sealed for the revision the script will give it (or refused at).
        let mut session = session.clone();
        session.revision = next;
        let data = self.encode(&keys.session, &session)?;
        let mut call = SAVE.key(&keys.session);
        call.arg(expected.to_string())
            .arg(next.to_string())
            .arg(data)
            .arg(millis(self.shared.session_ttl));
        self.compare_and_swap(keys, &call).await
    }

    /// Replaces the session under `keys` with a tombstone if the stored revision is `expected`.
    async fn cas_clear(
        &self,
        keys: &CustomerKeys,
        expected: u64,
        next: u64,
    ) -> Result<Cas, SessionStoreError> {
        let mut call = CLEAR.key(&keys.session);
        call.arg(expected.to_string())
            .arg(next.to_string())
            .arg(millis(self.shared.session_ttl));
        self.compare_and_swap(keys, &call).await
    }

    /// Runs a compare-and-swap script on the session under `keys`; a write that landed counts
    /// once the replicas asked for confirm it.
    async fn compare_and_swap(
        &self,
        keys: &CustomerKeys,
        call: &redis::ScriptInvocation<'_>,
    ) -> Result<Cas, SessionStoreError> {
        let mut conn = self.conn.clone();
        let answer: (i64, String) = call
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        let answer = cas_answer(answer)?;
        if matches!(answer, Cas::Written(_)) {
            self.acknowledged(&keys.session).await?;
        }
        Ok(answer)
    }

    /// Finishes a move that `marker` (under `old`) records: writes what it moved under `new`,
    /// at the marker's revision, unless `new` holds something already (somebody finished it).
    async fn complete_move(
        &self,
        old: &CustomerKeys,
        new: &CustomerKeys,
        marker: Marker,
    ) -> Result<(), SessionStoreError> {
        let data = match marker.moved {
            Moved::Nothing => return Ok(()),
            Moved::Cleared => None,
            Moved::Session { revision, data } => {
                // Sealed values are bound to their key name and revision: open it as it was
                // stored, seal it again for where it goes.
                let mut session = self.decode(&old.session, revision, &data)?;
                session.revision = marker.revision;
                Some(self.encode(&new.session, &session)?)
            }
        };
        let mut conn = self.conn.clone();
        let mut call = CREATE.key(&new.session);
        call.arg(marker.revision.to_string())
            .arg(millis(self.shared.session_ttl));
        if let Some(data) = data {
            call.arg(data);
        }
        let created: i64 = call
            .invoke_async(&mut conn)
            .await
            .map_err(|e| unavailable(&e))?;
        if created == 1 {
            self.acknowledged(&new.session).await?;
        }
        Ok(())
    }

    /// Makes sure nothing lives under `old` any more: turns what it holds (even nothing) into a
    /// marker, and finishes the move to `new`.
    async fn move_from(
        &self,
        old: &CustomerKeys,
        new: &CustomerKeys,
    ) -> Result<(), SessionStoreError> {
        for _ in 0..MOVE_ATTEMPTS {
            let expected = match self.read(old).await? {
                Raw::Moved(marker) => return self.complete_move(old, new, marker).await,
                Raw::Empty => 0,
                Raw::Session { revision, .. } | Raw::Cleared { revision } => revision,
            };
            let Some(next) = next_revision(expected) else {
                return Err(SessionStoreError::Corrupt(
                    "a session at the last revision cannot be moved".into(),
                ));
            };
            let mut conn = self.conn.clone();
            let marked: i64 = MARK_MOVED
                .key(&old.session)
                .arg(expected.to_string())
                .arg(next.to_string())
                .arg(millis(self.shared.session_ttl))
                .invoke_async(&mut conn)
                .await
                .map_err(|e| unavailable(&e))?;
            if marked == 1 {
                // A marker a failover forgets would let old-name writers go on beside the
                // moved session.
                self.acknowledged(&old.session).await?;
            }
            // Marked by us or by another, or changed meanwhile: the next read tells.
        }
        Err(SessionStoreError::Unavailable(
            "the session kept changing while it was moved to its new key names".into(),
        ))
    }

    /// Finishes the move that a marker under `old` records (for a follower that met it).
    async fn follow(
        &self,
        old: &CustomerKeys,
        new: &CustomerKeys,
    ) -> Result<(), SessionStoreError> {
        match self.read(old).await? {
            Raw::Moved(marker) => self.complete_move(old, new, marker).await,
            // A marker never goes back to a session: only an expired one goes, with its TTL.
            _ => Ok(()),
        }
    }

    /// A write under the layout: `write` runs a compare-and-swap under the names it is given.
    async fn write<'a, F, Fut>(&'a self, expected: u64, write: F) -> Result<u64, SessionStoreError>
    where
        F: Fn(&'a CustomerKeys, u64) -> Fut,
        Fut: std::future::Future<Output = Result<Cas, SessionStoreError>>,
    {
        let Some(next) = next_revision(expected) else {
            // A write that expected `u64::MAX` cannot be applied: it answers the stored
            // revision, as a refused compare-and-swap does.
            let stored = self.stored_revision(self.layout.home()).await?;
            return Err(SessionStoreError::Conflict {
                stored_revision: stored,
            });
        };
        let answer = match &self.layout {
            Layout::Single(keys) => match write(keys, next).await? {
                Cas::Moved => return Err(moved_here_error()),
                answer => answer,
            },
            Layout::Follow { old, new } => match write(old, next).await? {
                Cas::Moved => {
                    self.follow(old, new).await?;
                    write(new, next).await?
                }
                answer => answer,
            },
            Layout::Move { old, new } => {
                if expected == 0 {
                    // A write over "nothing stored" must not leave a session under the old
                    // name behind (a step-1 process would go on with it): move it first, and
                    // this write is refused at the moved value's revision.
                    self.move_from(old, new).await?;
                }
                write(new, next).await?
            }
        };
        match answer {
            Cas::Written(revision) => Ok(revision),
            Cas::Refused(stored) => Err(SessionStoreError::Conflict {
                stored_revision: stored,
            }),
            Cas::Moved => Err(moved_here_error()),
        }
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        match &self.layout {
            Layout::Single(keys) => self.load_at(keys).await,
            Layout::Follow { old, new } => match self.read(old).await? {
                Raw::Moved(marker) => {
                    self.complete_move(old, new, marker).await?;
                    self.load_at(new).await
                }
                Raw::Empty => Ok(Stored::Empty),
                Raw::Session { revision, data } => self
                    .decode(&old.session, revision, &data)
                    .map(Stored::Session),
                Raw::Cleared { revision } => Ok(Stored::Cleared { revision }),
            },
            Layout::Move { old, new } => match self.load_at(new).await? {
                Stored::Empty => {
                    self.move_from(old, new).await?;
                    self.load_at(new).await
                }
                stored => Ok(stored),
            },
        }
    }

    async fn save(
        &self,
        expected: u64,
        session: &PersistedSession,
    ) -> Result<u64, SessionStoreError> {
        self.write(expected, |keys, next| {
            self.cas_save(keys, expected, next, session)
        })
        .await
    }

    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        self.write(expected, |keys, next| self.cas_clear(keys, expected, next))
            .await
    }

    fn consistency(&self) -> Consistency {
        Consistency::CompareAndSwap
    }
}
