//! The ordered lane between the session state and the [`SessionStore`].
//!
//! Every load, save and clear of one client goes through one async mutex, so calls on the
//! store never overlap and are made in order. A write always takes its snapshot **inside** the
//! lane, from the state as it is at that moment, and is skipped when the revision it would
//! write is not newer than the last one written: an older snapshot can never land after a newer
//! one. Each write runs in a task of its own, so a cancelled caller cannot stop it half-way.
//!
//! When the store answers that it holds a newer revision than this client knows of:
//! - a client that has never read or written the store (its first write), and any login or
//!   sign-out, takes the next revision above the stored one and writes again: those are the user's
//!   explicit acts;
//! - any other write (a rotation, a cart key) is not forced: another client or process wrote the
//!   session, and the error is reported.

use std::sync::{Arc, Mutex};

use crate::auth::state::{Restored, SessionState, lock_state};
use crate::error::{Error, Result};
use crate::session_store::{SessionStore, SessionStoreError};

/// Why a write is made, which decides what a conflict means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// A change of the current session (rotation, cart key): never forced over a newer one.
    Update,
    /// A login or a sign-out: the user's own act, written above whatever is stored.
    Overwrite,
}

/// The lane's own state: the last revision it wrote or read.
#[derive(Debug, Default)]
pub(crate) struct Lane {
    synced: Option<u64>,
}

/// The store and the lane in front of it.
pub(crate) struct Persistence {
    pub(crate) store: Arc<dyn SessionStore>,
    lane: tokio::sync::Mutex<Lane>,
}

impl Persistence {
    pub(crate) fn new(store: Arc<dyn SessionStore>) -> Self {
        Self {
            store,
            lane: tokio::sync::Mutex::new(Lane::default()),
        }
    }
}

impl Persistence {
    /// Writes the session in `state` as it is now, through the lane. Run it in a task of its
    /// own (see `Inner::persist`).
    pub(crate) async fn write(
        &self,
        state: &Mutex<SessionState>,
        intent: Intent,
    ) -> Result<(), SessionStoreError> {
        let mut lane = self.lane.lock().await;
        // At most two tries: the second after moving the revision above a stored one.
        for _ in 0..2 {
            let snapshot = lock_state(state).snapshot();
            if lane.synced.is_some_and(|done| done >= snapshot.revision) {
                return Ok(());
            }
            let written = if snapshot.is_empty() {
                self.store.clear(snapshot.revision).await
            } else {
                self.store.save(&snapshot).await
            };
            match written {
                Ok(()) => {
                    lane.synced = Some(snapshot.revision);
                    return Ok(());
                }
                Err(SessionStoreError::Conflict { stored_revision })
                    if lane.synced.is_none() || intent == Intent::Overwrite =>
                {
                    lock_state(state).raise_revision_above(stored_revision);
                }
                Err(e) => return Err(e),
            }
        }
        Err(SessionStoreError::Io(
            "the store kept refusing newer revisions".into(),
        ))
    }

    /// Loads the stored session through the lane; `state` takes it when it is newer.
    pub(crate) async fn load_and_adopt(&self, state: &Mutex<SessionState>) -> Result<Restored> {
        let mut lane = self.lane.lock().await;
        let loaded = self.store.load().await.map_err(Error::Storage)?;
        let loaded_revision = loaded.as_ref().map(|s| s.revision);
        let mut st = lock_state(state);
        let restored = st.restore(loaded)?;
        if restored == Restored::Adopted {
            lane.synced = loaded_revision;
        } else if lane.synced.is_none() {
            // Memory is newer than anything stored: the next write goes above it.
            if let Some(stored) = loaded_revision {
                st.raise_revision_above(stored);
            }
        }
        Ok(restored)
    }
}
