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

/// The app's store seen as a `cocart::SessionStore`.
pub(crate) struct ForeignTokenStore {
    inner: Arc<dyn SessionStore>,
    /// The revision of the last clear through this adapter: the app's item is removed, and an
    /// older save that arrives later is still refused.
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
    /// The revision the app's store holds: `None` when empty or unreadable (a value that does
    /// not parse never blocks a new save).
    async fn stored_revision(&self) -> Result<Option<u64>, cocart::SessionStoreError> {
        Ok(match self.inner.load().await? {
            Some(raw) => cocart::PersistedSession::from_json(&raw)
                .ok()
                .map(|s| s.revision),
            None => None,
        })
    }

    async fn check(&self, revision: u64) -> Result<(), cocart::SessionStoreError> {
        let cleared = Some(self.cleared.load(Ordering::SeqCst)).filter(|r| *r > 0);
        match self.stored_revision().await?.max(cleared) {
            Some(stored_revision) if stored_revision >= revision => {
                Err(cocart::SessionStoreError::Conflict { stored_revision })
            }
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl cocart::SessionStore for ForeignTokenStore {
    async fn load(&self) -> Result<Option<cocart::PersistedSession>, cocart::SessionStoreError> {
        match self.inner.load().await? {
            None => Ok(None),
            Some(raw) if raw.trim().is_empty() => Ok(None),
            Some(raw) => {
                let session = cocart::PersistedSession::from_json(&raw)?;
                Ok((!session.is_empty()).then_some(session))
            }
        }
    }

    async fn save(
        &self,
        session: &cocart::PersistedSession,
    ) -> Result<(), cocart::SessionStoreError> {
        self.check(session.revision).await?;
        let raw = session.to_json().expose_secret().to_string();
        Ok(self.inner.save(raw).await?)
    }

    async fn clear(&self, revision: u64) -> Result<(), cocart::SessionStoreError> {
        self.check(revision).await?;
        self.inner.clear().await?;
        self.cleared.fetch_max(revision, Ordering::SeqCst);
        Ok(())
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
    fn the_session_round_trips_as_one_string() {
        let slot = Arc::new(Slot::default());
        let store = ForeignTokenStore::new(slot.clone());
        let session = cocart::PersistedSession {
            revision: 3,
            cart_key: Some("t_guest".into()),
            token_received_at: 42,
            ..Default::default()
        };
        futures::executor::block_on(async {
            store.save(&session).await.unwrap();
            let raw = slot.value.lock().unwrap().clone().unwrap();
            assert!(raw.contains("t_guest"));
            let back = store.load().await.unwrap().unwrap();
            assert_eq!(back.cart_key.as_deref(), Some("t_guest"));
            assert_eq!(back.token_received_at, 42);
            assert_eq!(back.revision, 3);
            // An older or equal revision never replaces it.
            assert!(matches!(
                store.save(&session).await,
                Err(cocart::SessionStoreError::Conflict { stored_revision: 3 })
            ));
            store.clear(4).await.unwrap();
            assert!(store.load().await.unwrap().is_none());
            let older = cocart::PersistedSession {
                revision: 4,
                ..session.clone()
            };
            assert!(store.save(&older).await.is_err(), "older than the clear");
        });
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
