//! [`TokenStore`]: where the app keeps the session (Keychain on iOS, Keystore-backed storage on
//! Android), adapted to the core's `cocart::TokenStore`.
//!
//! The session crosses as one opaque string (`cocart::StoredSession::to_json()`), saved and
//! loaded whole, so a crash can never leave half a rotated token pair behind. The string holds
//! the tokens: store it encrypted, never log it.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::ExposeSecret;

/// A token store failure, thrown by the app's [`TokenStore`].
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

impl From<StoreFailure> for cocart::StoreError {
    fn from(e: StoreFailure) -> Self {
        match e {
            StoreFailure::Unavailable { reason } => cocart::StoreError::Unavailable(reason),
            StoreFailure::Failed { reason } => cocart::StoreError::Io(reason),
        }
    }
}

/// Persists the session between app launches. Implemented by the app.
///
/// Calls come from the SDK's own threads, one at a time per operation; implementations must
/// save the value atomically.
#[uniffi::export(foreign)]
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// The saved session string, `None` when nothing is saved; throw `Unavailable` when the
    /// storage cannot be read now.
    async fn load(&self) -> Result<Option<String>, StoreFailure>;
    /// Replaces the saved session string.
    async fn save(&self, session: String) -> Result<(), StoreFailure>;
    /// Removes the saved session.
    async fn clear(&self) -> Result<(), StoreFailure>;
}

/// The app's store seen as a `cocart::TokenStore`.
pub(crate) struct ForeignTokenStore {
    inner: Arc<dyn TokenStore>,
}

impl ForeignTokenStore {
    pub(crate) fn new(inner: Arc<dyn TokenStore>) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for ForeignTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForeignTokenStore").finish_non_exhaustive()
    }
}

#[async_trait]
impl cocart::TokenStore for ForeignTokenStore {
    async fn load(&self) -> Result<Option<cocart::StoredSession>, cocart::StoreError> {
        match self.inner.load().await? {
            None => Ok(None),
            Some(raw) if raw.trim().is_empty() => Ok(None),
            Some(raw) => cocart::StoredSession::from_json(&raw).map(Some),
        }
    }

    async fn save(&self, session: &cocart::StoredSession) -> Result<(), cocart::StoreError> {
        let raw = session.to_json().expose_secret().to_string();
        Ok(self.inner.save(raw).await?)
    }

    async fn clear(&self) -> Result<(), cocart::StoreError> {
        Ok(self.inner.clear().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cocart::TokenStore as _;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Slot {
        value: Mutex<Option<String>>,
        locked: bool,
    }

    #[async_trait]
    impl TokenStore for Slot {
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
        let session = cocart::StoredSession {
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
            store.clear().await.unwrap();
            assert!(store.load().await.unwrap().is_none());
        });
    }

    #[test]
    fn unavailable_stays_unavailable_and_garbage_is_corrupt() {
        let locked = ForeignTokenStore::new(Arc::new(Slot {
            locked: true,
            ..Default::default()
        }));
        let err = futures::executor::block_on(locked.load()).unwrap_err();
        assert!(matches!(err, cocart::StoreError::Unavailable(_)));

        let slot = Arc::new(Slot::default());
        *slot.value.lock().unwrap() = Some("{not json".into());
        let err = futures::executor::block_on(ForeignTokenStore::new(slot).load()).unwrap_err();
        assert!(matches!(err, cocart::StoreError::Corrupt(_)));
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
