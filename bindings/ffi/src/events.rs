//! Auth events for the app: an [`AuthEventListener`] implemented in Swift/Kotlin, fed by a task
//! that forwards `cocart::CoCartClient::subscribe()`, and the [`AuthSubscription`] that owns that
//! task.
//!
//! The listener is never called while a Rust lock is held: the core sends events after releasing
//! its locks, and the forwarding task holds none. Each call runs on tokio's blocking pool so that
//! a slow listener never stalls the two runtime workers.

use std::sync::{Arc, Mutex};

use tokio::task::AbortHandle;

use crate::error::CoCartError;
use crate::records::User;
use crate::runtime::runtime;
use cocart::SignOutReason;

/// Something that happened to the session.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AuthEvent {
    /// Sent first to every new subscriber: the session as it is now.
    InitialSession {
        /// The signed-in user, if any.
        user: Option<User>,
    },
    /// A login succeeded.
    SignedIn {
        /// Who signed in.
        user: User,
    },
    /// The token pair was rotated and is in use; `saved` says whether the app's session store has
    /// it (`false`: it lives in memory until the next change is saved).
    TokenRefreshed {
        /// Whether the rotated pair reached the session store.
        saved: bool,
    },
    /// The session ended; the stored session was cleared.
    SignedOut {
        /// Why.
        reason: SignOutReason,
    },
}

impl AuthEvent {
    /// Converts a core event; `None` for an event kind these bindings do not know.
    pub(crate) fn from_core(event: cocart::AuthEvent) -> Option<Self> {
        use cocart::AuthEvent as E;
        Some(match event {
            E::InitialSession { user } => Self::InitialSession {
                user: user.map(User::from),
            },
            E::SignedIn { user } => Self::SignedIn {
                user: User::from(user),
            },
            E::TokenRefreshed { saved } => Self::TokenRefreshed { saved },
            E::SignedOut { reason } => Self::SignedOut { reason },
            _ => return None,
        })
    }
}

/// A listener failure. It is ignored (the next event is still delivered); it exists so that an
/// exception thrown by the app's listener never panics Rust.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum ListenerError {
    /// The listener failed.
    #[error("auth event listener failed: {reason}")]
    Failed {
        /// What failed.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ListenerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { reason: e.reason }
    }
}

/// Receives auth events. Implemented by the app (Swift/Kotlin).
#[uniffi::export(foreign)]
pub trait AuthEventListener: Send + Sync {
    /// Called once per event, in order, never concurrently for one subscription.
    fn on_event(&self, event: AuthEvent) -> Result<(), ListenerError>;
}

/// A live subscription. `cancel()` (Swift) or `close()` (Kotlin), or dropping it, stops the
/// events.
#[derive(Debug, uniffi::Object)]
pub struct AuthSubscription {
    task: Mutex<Option<AbortHandle>>,
}

impl AuthSubscription {
    /// Starts forwarding `events` to `listener` on the shared runtime.
    pub(crate) fn start(
        mut events: cocart::AuthEvents,
        listener: Arc<dyn AuthEventListener>,
    ) -> Result<Self, CoCartError> {
        let task = runtime()?.spawn(async move {
            while let Some(event) = events.recv().await {
                let Some(event) = AuthEvent::from_core(event) else {
                    continue;
                };
                let listener = Arc::clone(&listener);
                // No lock is held here; the call runs off the runtime workers.
                let delivered = tokio::task::spawn_blocking(move || listener.on_event(event)).await;
                if delivered.is_err() {
                    // The blocking pool is shutting down or the listener panicked.
                    break;
                }
            }
        });
        Ok(Self {
            task: Mutex::new(Some(task.abort_handle())),
        })
    }

    fn stop(&self) {
        let task = self
            .task
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(task) = task {
            task.abort();
        }
    }
}

#[uniffi::export]
impl AuthSubscription {
    /// Stops the events. Safe to call more than once.
    pub fn cancel(&self) {
        self.stop();
    }

    /// Whether events are still being delivered.
    pub fn is_active(&self) -> bool {
        self.task
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .as_ref()
            .is_some_and(|t| !t.is_finished())
    }
}

impl Drop for AuthSubscription {
    fn drop(&mut self) {
        self.stop();
    }
}
