//! The ordered lane between the session state and the [`SessionStore`].
//!
//! Every load, save and clear of one client goes through one async mutex, so calls on the
//! store never overlap and are made in order. A write takes its snapshot **inside** the lane,
//! from the state as it is at that moment, so an older snapshot can never land after a newer
//! one. The callers run each write in a task of its own, so a cancelled caller cannot stop it
//! half-way.
//!
//! Every write is a compare-and-swap on the revision this client last read or wrote. When the
//! store answers that it holds another revision:
//! - a login or a logout (the user's own act) is written again above the stored revision;
//! - anything else (a rotation, a cart key, a sign-out the store caused) re-reads the store and
//!   adopts what another client or process wrote there, or ends with it when that is a sign-out.
//!
//! A write whose answer was lost (the store unavailable after it may have applied it) is settled
//! by reading back: the stored value with this client's fingerprint is a success.

use std::sync::{Arc, Mutex};

use crate::auth::state::{Intent, Restored, SessionState, WritePlan, lock_state};
use crate::error::{Error, Result};
use crate::session_store::{SessionStore, SessionStoreError, Stored};

/// How many compare-and-swap rounds one write may take.
const WRITE_ROUNDS: usize = 4;

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// Memory is in the store (or had nothing the store keeps).
    Saved,
    /// Another client's newer value was found and adopted instead.
    Adopted,
    /// The store holds a newer sign-out: this client's session ended.
    EndedElsewhere,
}

/// What ending a session because of a store answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The session ended here, and its tombstone is written.
    Here,
    /// The store held a newer sign-out: the session ended with it.
    Elsewhere,
    /// Another client saved a newer session, now adopted; or that generation was already gone.
    Superseded,
}

/// The store and the lane in front of it.
pub(crate) struct Persistence {
    pub(crate) store: Arc<dyn SessionStore>,
    lane: tokio::sync::Mutex<()>,
    /// This client's store (origin and REST root), written into every session.
    store_id: String,
    /// The session is shared with other processes: guest state is never written.
    shared: bool,
}

impl Persistence {
    pub(crate) fn new(store: Arc<dyn SessionStore>, store_id: String, shared: bool) -> Self {
        Self {
            store,
            lane: tokio::sync::Mutex::new(()),
            store_id,
            shared,
        }
    }

    /// Writes what memory holds that the store has not got, through the lane. Run it in a task
    /// of its own (see `Inner::persist`).
    pub(crate) async fn write(&self, state: &Mutex<SessionState>) -> Result<Written> {
        let _lane = self.lane.lock().await;
        self.write_in_lane(state).await
    }

    /// [`Persistence::write`] with the lane already held.
    async fn write_in_lane(&self, state: &Mutex<SessionState>) -> Result<Written> {
        for _ in 0..WRITE_ROUNDS {
            let plan = lock_state(state).write_plan(&self.store_id, self.shared);
            let (written, expected, fingerprint, changes, intent) = match plan {
                WritePlan::Nothing => {
                    lock_state(state).nothing_to_write();
                    return Ok(Written::Saved);
                }
                WritePlan::Save {
                    expected,
                    session,
                    fingerprint,
                    changes,
                    intent,
                } => (
                    self.store.save(expected, session.as_ref()).await,
                    expected,
                    fingerprint,
                    changes,
                    intent,
                ),
                WritePlan::Clear {
                    expected,
                    changes,
                    intent,
                } => (
                    self.store.clear(expected).await,
                    expected,
                    None,
                    changes,
                    intent,
                ),
            };
            match written {
                Ok(revision) => lock_state(state).written(changes, revision, fingerprint),
                Err(SessionStoreError::Conflict { stored_revision })
                    if intent == Intent::Overwrite =>
                {
                    lock_state(state).overwrite_above(stored_revision);
                }
                Err(SessionStoreError::Conflict { .. }) => match self.read(state).await? {
                    Restored::Adopted => return Ok(Written::Adopted),
                    Restored::EndedElsewhere => return Ok(Written::EndedElsewhere),
                    // Our own value at another revision: write again from there.
                    Restored::Kept => {}
                },
                Err(e) => match self.landed(state, expected, fingerprint).await {
                    Some(revision) => lock_state(state).written(changes, revision, fingerprint),
                    None => return Err(Error::Storage(e)),
                },
            }
            if !lock_state(state).has_unsaved_changes() {
                return Ok(Written::Saved);
            }
        }
        Err(Error::Storage(SessionStoreError::Io(
            "the store kept changing while this client wrote".into(),
        )))
    }

    /// After a write failed without an answer: the revision it landed at all the same, when the
    /// store holds this client's value (`fingerprint`; `None` for a tombstone) right after
    /// `expected`.
    async fn landed(
        &self,
        state: &Mutex<SessionState>,
        expected: u64,
        fingerprint: Option<u64>,
    ) -> Option<u64> {
        let stored = self.store.load().await.ok()?;
        let ours = match &stored {
            Stored::Session(s) => {
                fingerprint.is_some() && lock_state(state).fingerprint_of(s) == fingerprint
            }
            Stored::Cleared { .. } => fingerprint.is_none(),
            Stored::Empty => false,
        };
        let revision = stored.revision();
        (ours && revision == expected.saturating_add(1)).then_some(revision)
    }

    /// Reads the store (the lane held by the caller) and lets memory take what it found.
    async fn read(&self, state: &Mutex<SessionState>) -> Result<Restored> {
        let stored = self.store.load().await.map_err(Error::Storage)?;
        lock_state(state).on_load(stored, &self.store_id)
    }

    /// Loads the stored session through the lane; memory takes it when another client wrote it.
    /// When memory still holds changes an earlier write could not save (the store was
    /// unavailable) and the store holds what this client last saw, they are written now: a
    /// failed save never waits for the next change of the session.
    pub(crate) async fn load_and_adopt(&self, state: &Mutex<SessionState>) -> Result<Restored> {
        let _lane = self.lane.lock().await;
        let restored = self.read(state).await?;
        if !lock_state(state).has_unsaved_changes() {
            return Ok(restored);
        }
        match self.write_in_lane(state).await {
            Ok(Written::Adopted) => Ok(Restored::Adopted),
            Ok(Written::EndedElsewhere) => Ok(Restored::EndedElsewhere),
            Ok(Written::Saved) => Ok(restored),
            Err(e) => {
                tracing::debug!(error = %e, "the unsaved session could not be written yet");
                Ok(restored)
            }
        }
    }

    /// Ends the session of `generation` because the store refused its token: a tombstone written
    /// with compare-and-swap on what this client last read, so a newer session another client
    /// saved meanwhile is adopted instead of wiped. When the store cannot be reached the session
    /// is not ended: the error comes back, and the caller keeps the refusal so that the token is
    /// never presented again (see `SessionState::refused`).
    pub(crate) async fn end_session(
        &self,
        state: &Mutex<SessionState>,
        generation: u64,
    ) -> Result<Ended> {
        let _lane = self.lane.lock().await;
        for _ in 0..WRITE_ROUNDS {
            let expected = {
                let st = lock_state(state);
                if st.generation() != generation || st.tokens.is_none() {
                    return Ok(Ended::Superseded);
                }
                st.expected_revision()
            };
            let revision = match self.store.clear(expected).await {
                Ok(revision) => revision,
                Err(SessionStoreError::Conflict { .. }) => match self.read(state).await? {
                    Restored::Adopted => return Ok(Ended::Superseded),
                    Restored::EndedElsewhere => return Ok(Ended::Elsewhere),
                    Restored::Kept => continue,
                },
                Err(e) => match self.landed(state, expected, None).await {
                    Some(revision) => revision,
                    None => return Err(Error::Storage(e)),
                },
            };
            let mut st = lock_state(state);
            if !st.end(generation) {
                return Ok(Ended::Superseded);
            }
            let changes = st.changes();
            st.written(changes, revision, None);
            return Ok(Ended::Here);
        }
        Err(Error::Storage(SessionStoreError::Io(
            "the store kept changing while this client signed out".into(),
        )))
    }
}
