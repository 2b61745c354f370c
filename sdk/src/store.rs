//! Where the session lives between app launches.
//!
//! A [`TokenStore`] keeps one [`StoredSession`]: both tokens, the user and the guest cart key as
//! **one value**, so a crash can never leave half a rotated pair behind. `load` tells apart
//! *found*, *not found* and *unavailable*: a locked Keychain ([`StoreError::Unavailable`]) must
//! never be taken for "signed out".
//!
//! Two stores ship with the crate: [`MemoryStore`] (the default) and [`FileStore`] (backends and
//! CLIs: atomic replace, mode 0600). Mobile apps implement the trait over the Keychain or a
//! Keystore-backed store (see the bindings).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::auth::User;

/// Why the token store could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The storage exists but cannot be read now (device locked, prewarming). Not "signed out".
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The stored value could not be understood.
    #[error("stored session is corrupt: {0}")]
    Corrupt(String),
    /// Reading or writing failed.
    #[error("storage I/O failed: {0}")]
    Io(String),
}

/// The persisted session: tokens, user and guest cart key, saved and loaded as one value.
#[derive(Clone, Default)]
pub struct StoredSession {
    /// The JWT access token, when signed in.
    pub access_token: Option<SecretString>,
    /// The rotating refresh token, when signed in.
    pub refresh_token: Option<SecretString>,
    /// Unix time (device clock) at which the access token was received; with the token's own
    /// `exp − iat` this gives its local deadline.
    pub token_received_at: i64,
    /// The signed-in user.
    pub user: Option<User>,
    /// The guest cart key (while a guest), or the guest key still to transfer after a login.
    pub cart_key: Option<String>,
}

impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("token_received_at", &self.token_received_at)
            .field("user", &self.user)
            .field("cart_key", &self.cart_key)
            .finish()
    }
}

impl StoredSession {
    /// Serialises the session to one JSON string (it holds the tokens: keep it secret).
    pub fn to_json(&self) -> SecretString {
        let v = json!({
            "version": 1,
            "access_token": self.access_token.as_ref().map(|s| s.expose_secret().to_string()),
            "refresh_token": self.refresh_token.as_ref().map(|s| s.expose_secret().to_string()),
            "token_received_at": self.token_received_at,
            "user": self.user.as_ref().map(User::to_json),
            "cart_key": self.cart_key,
        });
        SecretString::from(v.to_string())
    }

    /// Parses what [`StoredSession::to_json`] wrote.
    pub fn from_json(raw: &str) -> Result<Self, StoreError> {
        let v: Value = serde_json::from_str(raw)
            .map_err(|e| StoreError::Corrupt(format!("not JSON: {}", e.classify_name())))?;
        let obj = v
            .as_object()
            .ok_or_else(|| StoreError::Corrupt("not a JSON object".into()))?;
        let secret = |k: &str| {
            obj.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(|s| SecretString::from(s.to_string()))
        };
        Ok(Self {
            access_token: secret("access_token"),
            refresh_token: secret("refresh_token"),
            token_received_at: obj
                .get("token_received_at")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            user: obj.get("user").and_then(User::from_json),
            cart_key: obj
                .get("cart_key")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    /// Whether there is nothing worth saving.
    pub fn is_empty(&self) -> bool {
        self.access_token.is_none() && self.cart_key.is_none()
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "wrong data",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

/// Persists the session. Implementations must save the whole value atomically.
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// `Ok(Some(_))` found, `Ok(None)` nothing stored, `Err(Unavailable)` cannot tell now.
    async fn load(&self) -> Result<Option<StoredSession>, StoreError>;
    /// Replaces the stored session.
    async fn save(&self, session: &StoredSession) -> Result<(), StoreError>;
    /// Removes the stored session.
    async fn clear(&self) -> Result<(), StoreError>;
}

/// Keeps the session in memory only (the default): a restart signs the user out.
#[derive(Default)]
pub struct MemoryStore {
    slot: Mutex<Option<StoredSession>>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl TokenStore for MemoryStore {
    async fn load(&self) -> Result<Option<StoredSession>, StoreError> {
        Ok(self.slot.lock().map_err(|_| poisoned())?.clone())
    }

    async fn save(&self, session: &StoredSession) -> Result<(), StoreError> {
        *self.slot.lock().map_err(|_| poisoned())? = Some(session.clone());
        Ok(())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        *self.slot.lock().map_err(|_| poisoned())? = None;
        Ok(())
    }
}

fn poisoned() -> StoreError {
    StoreError::Io("memory store lock poisoned".into())
}

/// Keeps the session in one JSON file, for backends and CLIs. Writes go to a temporary file in
/// the same directory (mode 0600 on Unix), are synced, then renamed over the old file.
///
/// ```no_run
/// # async fn demo() -> Result<(), cocart::Error> {
/// let store = cocart::FileStore::new("/var/lib/myapp/cocart-session.json");
/// let client = cocart::CoCartClient::builder("https://shop.example")
///     .token_store(store)
///     .build()?;
/// client.restore_session().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store at `path` (created on first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Where the session is written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[async_trait]
impl TokenStore for FileStore {
    async fn load(&self) -> Result<Option<StoredSession>, StoreError> {
        match tokio::fs::read_to_string(&self.path).await {
            Ok(raw) => StoredSession::from_json(&raw).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                Err(StoreError::Unavailable(e.to_string()))
            }
            Err(e) => Err(StoreError::Io(e.to_string())),
        }
    }

    async fn save(&self, session: &StoredSession) -> Result<(), StoreError> {
        let path = self.path.clone();
        let data = session.to_json();
        let bytes = data.expose_secret().as_bytes().to_vec();
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|e| StoreError::Io(e.to_string()))?
    }

    async fn clear(&self) -> Result<(), StoreError> {
        match tokio::fs::remove_file(&self.path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Io(e.to_string())),
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    let io = |e: std::io::Error| StoreError::Io(e.to_string());
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredSession {
        StoredSession {
            access_token: Some(SecretString::from("a.b.c".to_string())),
            refresh_token: Some(SecretString::from("ff".repeat(64))),
            token_received_at: 1_700_000_000,
            user: None,
            cart_key: Some("t_abc".into()),
        }
    }

    #[test]
    fn json_round_trip_keeps_both_tokens_and_the_key() {
        let s = sample();
        let back = StoredSession::from_json(s.to_json().expose_secret()).unwrap();
        assert_eq!(back.access_token.unwrap().expose_secret(), "a.b.c");
        assert_eq!(back.refresh_token.unwrap().expose_secret(), "ff".repeat(64));
        assert_eq!(back.token_received_at, 1_700_000_000);
        assert_eq!(back.cart_key.as_deref(), Some("t_abc"));
    }

    #[test]
    fn debug_redacts_tokens() {
        let shown = format!("{:?}", sample());
        assert!(!shown.contains("a.b.c"));
        assert!(!shown.contains("ffff"));
    }

    #[test]
    fn garbage_is_corrupt_not_signed_out() {
        assert!(matches!(
            StoredSession::from_json("{nope"),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[tokio::test]
    async fn file_store_saves_atomically_with_private_mode() {
        let dir = std::env::temp_dir().join(format!("cocart-fs-{}", std::process::id()));
        let store = FileStore::new(dir.join("s.json"));
        assert!(store.load().await.unwrap().is_none());
        store.save(&sample()).await.unwrap();
        let loaded = store.load().await.unwrap().unwrap();
        assert_eq!(loaded.cart_key.as_deref(), Some("t_abc"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.clear().await.unwrap();
        assert!(store.load().await.unwrap().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
