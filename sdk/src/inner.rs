//! [`Inner`]: what every clone of a client shares (configuration, HTTP client, session state,
//! session store, events, transfer state).
//!
//! The behaviour lives beside the concern it belongs to, each file adding its `impl Inner`
//! block and depending on this one (never the other way round):
//! - `exchange.rs`: one HTTP exchange;
//! - `transport.rs`: a request with its policy (token, reactive refresh, read retries);
//! - `auth/refresh/mod.rs`: the single-flight refresh (and `auth/refresh/shared.rs` across
//!   processes);
//! - `cart_key.rs`: the guest cart key.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use tokio::sync::broadcast;

use crate::auth::state::{Restored, SessionState, lock_state};
use crate::auth::{AuthEvent, SignOutReason, User};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::persist::{Ended, Persistence, Written};
use crate::resources::transfer_slot::TransferSlot;
use crate::session_store::SessionStore;

/// How many events a subscriber may fall behind before it skips the oldest.
const EVENT_SLOTS: usize = 64;

/// Shared state behind every clone of a client.
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) http: reqwest::Client,
    pub(crate) persistence: Persistence,
    pub(crate) clock: Arc<dyn Clock>,
    state: Mutex<SessionState>,
    /// Created by the first `subscribe()`: an event with no subscriber goes nowhere, and an
    /// idle client does not pay for the 64 slots up front.
    events: OnceLock<broadcast::Sender<AuthEvent>>,
    /// The guest → customer cart transfer (single flight, last report).
    pub(crate) transfer: TransferSlot,
    /// Why the last session ended (set by every `SignedOut` event, cleared by `SignedIn`).
    last_sign_out: Mutex<Option<SignOutReason>>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Inner {
    pub(crate) fn new(
        config: Config,
        http: reqwest::Client,
        store: Arc<dyn SessionStore>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Self {
        let store_id = config.store_id();
        let shared = config.shared.is_some();
        Self {
            config,
            http,
            persistence: Persistence::new(store, store_id, shared),
            clock: clock.unwrap_or_else(|| Arc::new(SystemClock)),
            state: Mutex::new(SessionState::new(shared)),
            events: OnceLock::new(),
            transfer: TransferSlot::default(),
            last_sign_out: Mutex::new(None),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, SessionState> {
        lock_state(&self.state)
    }

    /// Sends an event. Never called with the state lock held.
    pub(crate) fn emit(&self, event: AuthEvent) {
        let last = match &event {
            AuthEvent::SignedOut { reason } => Some(Some(reason.clone())),
            AuthEvent::SignedIn { .. } => Some(None),
            _ => None,
        };
        if let Some(last) = last {
            *self.last_sign_out.lock().unwrap_or_else(|p| p.into_inner()) = last;
        }
        if let Some(events) = self.events.get() {
            let _ = events.send(event);
        }
    }

    /// The error of a cart call without a session on a customer-only client.
    pub(crate) fn signed_out(&self) -> Error {
        Error::SignedOut {
            reason: self
                .last_sign_out
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        }
    }

    /// A receiver of the events sent from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<AuthEvent> {
        self.events
            .get_or_init(|| broadcast::channel(EVENT_SLOTS).0)
            .subscribe()
    }

    /// Writes what memory holds that the store has not got, through the persistence lane, in a
    /// task of its own (a cancelled caller cannot stop it half-way). A write that finds a newer
    /// sign-out in the store ends the session and says so to the subscribers.
    pub(crate) async fn persist(self: &Arc<Self>) -> Result<Written> {
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let written = inner.persistence.write(&inner.state).await;
            if let Ok(Written::EndedElsewhere) = written {
                inner.emit(AuthEvent::SignedOut {
                    reason: SignOutReason::SignedOutElsewhere,
                });
            }
            written
        })
        .await
        .unwrap_or_else(|e| Err(Error::Internal(format!("storage task failed: {e}"))))
    }

    /// Loads the stored session and takes it when another client wrote it; returns the user.
    pub(crate) async fn restore(&self) -> Result<Option<User>> {
        self.load_and_adopt().await?;
        Ok(self.state().user.clone())
    }

    /// Loads the stored session through the lane; takes it when another client wrote it, and
    /// ends this client's session when the store holds a newer sign-out (with its event).
    pub(crate) async fn load_and_adopt(&self) -> Result<Restored> {
        let restored = self.persistence.load_and_adopt(&self.state).await?;
        if restored == Restored::EndedElsewhere {
            self.emit(AuthEvent::SignedOut {
                reason: SignOutReason::SignedOutElsewhere,
            });
        }
        Ok(restored)
    }

    /// Ends the session of `generation` because the store refused its token (see
    /// `Persistence::end_session`), in a task of its own, and tells the subscribers. Returns the
    /// reason the session ended with, or `None` when it did not end here (a newer session was
    /// adopted, or that generation was already gone). When the store cannot be reached the
    /// session stays, marked refused (its token is never presented again), and the error comes
    /// back: the next refresh settles it.
    pub(crate) async fn end_session(
        self: &Arc<Self>,
        generation: u64,
        reason: SignOutReason,
    ) -> Result<Option<SignOutReason>> {
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let ended = match inner.persistence.end_session(&inner.state, generation).await {
                Ok(Ended::Here) => Some(reason),
                Ok(Ended::Elsewhere) => Some(SignOutReason::SignedOutElsewhere),
                Ok(Ended::Superseded) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "the store refused the refresh token, and the session store cannot be reached to settle it");
                    inner.state().mark_refused(generation, reason);
                    return Err(e);
                }
            };
            if let Some(reason) = &ended {
                inner.emit(AuthEvent::SignedOut {
                    reason: reason.clone(),
                });
            }
            Ok(ended)
        })
        .await
        .unwrap_or_else(|e| Err(Error::Internal(format!("sign-out task failed: {e}"))))
    }
}
