//! [`SessionStore`]: where the app keeps the session (Keychain on iOS, Keystore-backed storage on
//! Android), adapted to the core's `cocart::SessionStore`.
//!
//! The session crosses as one opaque string (`cocart::PersistedSession::to_json()`), saved and
//! loaded whole, so a crash can never leave half a rotated token pair behind. The string holds
//! the tokens: store it encrypted, never log it. The string carries the session's revision; the
//! adapter checks it before each save, so the app's store needs no logic of its own.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use secrecy::ExposeSecret;

/// A session store failure, thrown by the app's [`SessionStore`].
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum StoreFailure {
    /// The storage cannot be read right now (locked Keychain before first unlock, prewarming).
    /// This never means "signed out": the SDK keeps its state and reports a storage error.
    #[error("storage unavailable: {reason}")]
    Unavailable {
        /// Why.
        reason: String,
    },
    /// Reading or writing failed.
    #[error("storage failed: {reason}")]
    Failed {
        /// Why.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for StoreFailure {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { reason: e.reason }
    }
}

impl From<StoreFailure> for cocart::SessionStoreError {
    fn from(e: StoreFailure) -> Self {
        match e {
            StoreFailure::Unavailable { reason } => cocart::SessionStoreError::Unavailable(reason),
            StoreFailure::Failed { reason } => cocart::SessionStoreError::Io(reason),
        }
    }
}

/// Persists the session between app launches. Implemented by the app.
///
/// **Concurrency you will see:** one client calls its store from one ordered lane, so on one
/// client `load`, `save` and `clear` never overlap: each call returns before the next one
/// starts, and they come in the order the session changed. The calls arrive on the SDK's own
/// threads (never the main thread). Two clients given the same store object may call it at the
/// same time: give each client its own store (e.g. its own Keychain item), or make the three
/// methods safe to run concurrently. `save` must replace the whole value atomically (one
/// Keychain item, one `commit()` of a preferences editor).
#[uniffi::export(foreign)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The saved session string, `None` when nothing is saved; throw `Unavailable` when the
    /// storage cannot be read now.
    async fn load(&self) -> Result<Option<String>, StoreFailure>;
    /// Replaces the saved session string.
    async fn save(&self, session: String) -> Result<(), StoreFailure>;
    /// Removes the saved session.
    async fn clear(&self) -> Result<(), StoreFailure>;
}

/// The app's store seen as a `cocart::SessionStore`: the revision check and the numbering are
/// done here (one client calls its store from one ordered lane), so the app's store needs no
/// logic of its own.
pub(crate) struct ForeignTokenStore {
    inner: Arc<dyn SessionStore>,
    /// The revision of the last clear through this adapter: the app's item is removed, and a
    /// write that expected an older revision is still refused.
    cleared: AtomicU64,
}

impl ForeignTokenStore {
    pub(crate) fn new(inner: Arc<dyn SessionStore>) -> Self {
        Self {
            inner,
            cleared: AtomicU64::new(0),
        }
    }
}

impl fmt::Debug for ForeignTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForeignTokenStore").finish_non_exhaustive()
    }
}

impl ForeignTokenStore {
    /// The revision the app's store holds, or the last clear's: 0 when neither (a value that
    /// does not parse never blocks a new save).
    async fn stored_revision(&self) -> Result<u64, cocart::SessionStoreError> {
        let in_app = match self.inner.load().await? {
            Some(raw) => cocart::PersistedSession::from_json(&raw)
                .map(|s| s.revision)
                .unwrap_or(0),
            None => 0,
        };
        Ok(in_app.max(self.cleared.load(Ordering::SeqCst)))
    }

    async fn next(&self, expected: u64) -> Result<u64, cocart::SessionStoreError> {
        let stored_revision = self.stored_revision().await?;
        if stored_revision != expected {
            return Err(cocart::SessionStoreError::Conflict { stored_revision });
        }
        expected
            .checked_add(1)
            .ok_or(cocart::SessionStoreError::Conflict { stored_revision })
    }
}

#[async_trait]
impl cocart::SessionStore for ForeignTokenStore {
    async fn load(&self) -> Result<cocart::Stored, cocart::SessionStoreError> {
        let cleared = self.cleared.load(Ordering::SeqCst);
        let raw = self
            .inner
            .load()
            .await?
            .filter(|raw| !raw.trim().is_empty());
        let Some(raw) = raw else {
            return Ok(match cleared {
                0 => cocart::Stored::Empty,
                revision => cocart::Stored::Cleared { revision },
            });
        };
        let session = cocart::PersistedSession::from_json(&raw)?;
        if session.is_empty() || session.revision < cleared {
            return Ok(cocart::Stored::Cleared {
                revision: cleared.max(session.revision),
            });
        }
        Ok(cocart::Stored::Session(session))
    }

    async fn save(
        &self,
        expected: u64,
        session: &cocart::PersistedSession,
    ) -> Result<u64, cocart::SessionStoreError> {
        let revision = self.next(expected).await?;
        let mut session = session.clone();
        session.revision = revision;
        let raw = session.to_json().expose_secret().to_string();
        self.inner.save(raw).await?;
        Ok(revision)
    }

    async fn clear(&self, expected: u64) -> Result<u64, cocart::SessionStoreError> {
        let revision = self.next(expected).await?;
        self.inner.clear().await?;
        self.cleared.fetch_max(revision, Ordering::SeqCst);
        Ok(revision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cocart::SessionStore as _;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Slot {
        value: Mutex<Option<String>>,
        locked: bool,
    }

    #[async_trait]
    impl SessionStore for Slot {
        async fn load(&self) -> Result<Option<String>, StoreFailure> {
            if self.locked {
                return Err(StoreFailure::Unavailable {
                    reason: "keychain locked".into(),
                });
            }
            Ok(self.value.lock().map_err(|_| failed())?.clone())
        }
        async fn save(&self, session: String) -> Result<(), StoreFailure> {
            *self.value.lock().map_err(|_| failed())? = Some(session);
            Ok(())
        }
        async fn clear(&self) -> Result<(), StoreFailure> {
            *self.value.lock().map_err(|_| failed())? = None;
            Ok(())
        }
    }

    fn failed() -> StoreFailure {
        StoreFailure::Failed {
            reason: "poisoned".into(),
        }
    }

    #[test]
    fn the_session_round_trips_as_one_string_and_the_adapter_numbers_it() {
        let slot = Arc::new(Slot::default());
        let store = ForeignTokenStore::new(slot.clone());
        let mut session = cocart::PersistedSession::default();
        session.cart_key = Some("t_guest".into());
        session.token_received_at = 42;
        futures::executor::block_on(async {
            assert_eq!(store.save(0, &session).await, Ok(1));
            let raw = slot.value.lock().unwrap().clone().unwrap();
            assert!(raw.contains("t_guest"));
            let back = store.load().await.unwrap();
            let back = back.session().unwrap();
            assert_eq!(back.cart_key.as_deref(), Some("t_guest"));
            assert_eq!(back.token_received_at, 42);
            assert_eq!(back.revision, 1);
        });
    }

    #[test]
    fn the_adapter_passes_the_store_conformance_checks() {
        let store = ForeignTokenStore::new(Arc::new(Slot::default()));
        futures::executor::block_on(cocart::conformance::store_conformance(&store, false));
    }

    #[test]
    fn unavailable_stays_unavailable_and_garbage_is_corrupt() {
        let locked = ForeignTokenStore::new(Arc::new(Slot {
            locked: true,
            ..Default::default()
        }));
        let err = futures::executor::block_on(locked.load()).unwrap_err();
        assert!(matches!(err, cocart::SessionStoreError::Unavailable(_)));

        let slot = Arc::new(Slot::default());
        *slot.value.lock().unwrap() = Some("{not json".into());
        let err = futures::executor::block_on(ForeignTokenStore::new(slot).load()).unwrap_err();
        assert!(matches!(err, cocart::SessionStoreError::Corrupt(_)));
    }

    #[test]
    fn unexpected_foreign_exceptions_become_failed() {
        let e = StoreFailure::from(uniffi::UnexpectedUniFFICallbackError {
            reason: "IllegalStateException".into(),
        });
        assert_eq!(
            e,
            StoreFailure::Failed {
                reason: "IllegalStateException".into()
            }
        );
    }
}
