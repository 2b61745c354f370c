//! Where the session lives between launches: the [`SessionStore`] trait and the two stores that
//! ship with the crate.
//!
//! A store keeps one [`PersistedSession`]: both tokens, the user and the guest cart key as **one
//! value**, so a crash can never leave half a rotated pair behind. Every persisted session carries
//! a **revision** that only grows; a store never lets an older revision replace a newer one (see
//! [`SessionStore::save`]). `load` tells apart *found*, *not found* and *unavailable*: a locked
//! Keychain ([`SessionStoreError::Unavailable`]) is never taken for "signed out".
//!
//! The client calls its store from one ordered lane: calls on one client never overlap, and a
//! newer snapshot is never written before an older one. Two clients (or two processes) on one
//! store are a different matter: only a store whose [`SessionStore::consistency`] is
//! [`Consistency::CompareAndSwap`] keeps its revision check atomic between them.
//!
//! [`MemoryStore`] (the default) and [`FileStore`] (backends and CLIs: atomic replace, mode 0600,
//! a lock file around the revision check) ship with the crate. Mobile apps implement the trait
//! over the Keychain or a Keystore-backed store (see the bindings).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::auth::User;

/// Why the session store could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionStoreError {
    /// The storage exists but cannot be read now (device locked, prewarming). Not "signed out".
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The stored value could not be understood.
    #[error("stored session is corrupt: {0}")]
    Corrupt(String),
    /// Reading or writing failed.
    #[error("storage I/O failed: {0}")]
    Io(String),
    /// The store holds a newer revision than the one this client wrote from: another client or
    /// process changed the session. Nothing was written.
    #[error("the stored session changed elsewhere (stored revision {stored_revision})")]
    Conflict {
        /// The revision found in the store.
        stored_revision: u64,
    },
}

/// The persisted session: tokens, user and guest cart key, saved and loaded as one value.
#[derive(Clone, Default)]
pub struct PersistedSession {
    /// Grows with every change the client persists; a store never replaces a session with one of
    /// a lower or equal revision.
    pub revision: u64,
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

impl fmt::Debug for PersistedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersistedSession")
            .field("revision", &self.revision)
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

impl PersistedSession {
    /// Serialises the session to one JSON string (it holds the tokens: keep it secret).
    pub fn to_json(&self) -> SecretString {
        let v = json!({
            "version": 2,
            "revision": self.revision,
            "access_token": self.access_token.as_ref().map(|s| s.expose_secret().to_string()),
            "refresh_token": self.refresh_token.as_ref().map(|s| s.expose_secret().to_string()),
            "token_received_at": self.token_received_at,
            "user": self.user.as_ref().map(User::to_json),
            "cart_key": self.cart_key,
        });
        SecretString::from(v.to_string())
    }

    /// Parses what [`PersistedSession::to_json`] wrote (a session written before revisions
    /// existed reads as revision 0).
    pub fn from_json(raw: &str) -> Result<Self, SessionStoreError> {
        let v: Value = serde_json::from_str(raw).map_err(|e| {
            SessionStoreError::Corrupt(format!("not JSON: {}", json_error_kind(&e)))
        })?;
        let obj = v
            .as_object()
            .ok_or_else(|| SessionStoreError::Corrupt("not a JSON object".into()))?;
        let secret = |k: &str| {
            obj.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(|s| SecretString::from(s.to_string()))
        };
        Ok(Self {
            revision: obj.get("revision").and_then(Value::as_u64).unwrap_or(0),
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

    /// Whether there is nothing worth saving (no token, no guest cart).
    pub fn is_empty(&self) -> bool {
        self.access_token.is_none() && self.cart_key.is_none()
    }
}

fn json_error_kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "I/O",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong data",
        serde_json::error::Category::Eof => "truncated",
    }
}

/// How far a store's revision check can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Consistency {
    /// The revision check holds for one client: the client's ordered lane makes it true. Two
    /// clients or processes on the same storage can interleave a load and a save.
    SingleClient,
    /// `save` and `clear` compare the stored revision and write in one atomic step, across
    /// clients and processes (a file lock, a Redis script).
    CompareAndSwap,
}

/// Persists the session. The client calls it from one ordered lane: on one client, calls never
/// overlap.
///
/// Implementations must save the whole value atomically and must refuse (with
/// [`SessionStoreError::Conflict`]) a `save` or `clear` whose revision is not greater than the
/// stored one. A store that cannot make that check atomic reports
/// [`Consistency::SingleClient`].
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// `Ok(Some(_))` found, `Ok(None)` nothing stored, `Err(Unavailable)` cannot tell now.
    async fn load(&self) -> Result<Option<PersistedSession>, SessionStoreError>;
    /// Replaces the stored session if `session.revision` is greater than the stored revision
    /// (or nothing is stored); otherwise answers [`SessionStoreError::Conflict`] and writes
    /// nothing.
    async fn save(&self, session: &PersistedSession) -> Result<(), SessionStoreError>;
    /// Removes the stored session, under the same rule as `save`: a stored session with a
    /// revision at or above `revision` is kept and the answer is a conflict.
    async fn clear(&self, revision: u64) -> Result<(), SessionStoreError>;
    /// Whether the revision check is atomic across clients and processes.
    fn consistency(&self) -> Consistency {
        Consistency::SingleClient
    }
}

/// The stored revision `stored` allows a write at `revision`.
fn check_revision(stored: Option<u64>, revision: u64) -> Result<(), SessionStoreError> {
    match stored {
        Some(stored_revision) if stored_revision >= revision => {
            Err(SessionStoreError::Conflict { stored_revision })
        }
        _ => Ok(()),
    }
}

/// Keeps the session in memory only (the default): a restart signs the user out. Its revision
/// check is atomic (one lock), so several clients may share one `Arc<MemoryStore>`.
#[derive(Default)]
pub struct MemoryStore {
    slot: Mutex<MemorySlot>,
}

#[derive(Default)]
struct MemorySlot {
    session: Option<PersistedSession>,
    /// The revision of the last write or clear, kept after a clear so that an older save
    /// cannot bring a cleared session back.
    revision: Option<u64>,
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

    fn slot(&self) -> std::sync::MutexGuard<'_, MemorySlot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn load(&self) -> Result<Option<PersistedSession>, SessionStoreError> {
        Ok(self.slot().session.clone())
    }

    async fn save(&self, session: &PersistedSession) -> Result<(), SessionStoreError> {
        let mut slot = self.slot();
        check_revision(slot.revision, session.revision)?;
        slot.session = Some(session.clone());
        slot.revision = Some(session.revision);
        Ok(())
    }

    async fn clear(&self, revision: u64) -> Result<(), SessionStoreError> {
        let mut slot = self.slot();
        check_revision(slot.revision, revision)?;
        slot.session = None;
        slot.revision = Some(revision);
        Ok(())
    }

    fn consistency(&self) -> Consistency {
        Consistency::CompareAndSwap
    }
}

/// Keeps the session in one JSON file, for backends and CLIs.
///
/// Each write takes an exclusive lock on a sibling lock file (`.NAME.lock`), reads the stored
/// revision, writes a uniquely named temporary file (mode 0600 on Unix), syncs it, renames it
/// over the session file and syncs the directory. `clear` removes the session file and keeps
/// its revision in the lock file, so an older save that arrives later is still refused. The
/// lock makes the revision check atomic for every process on the machine that uses `FileStore`
/// on the same path (it is advisory: other programs and network file systems may not honour
/// it).
///
/// ```no_run
/// # async fn demo() -> Result<(), cocart::Error> {
/// let store = cocart::FileStore::new("/var/lib/myapp/cocart-session.json");
/// let client = cocart::CoCartClient::builder("https://shop.example")
///     .session_store(store)
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

    async fn locked<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Path, &mut std::fs::File) -> Result<T, SessionStoreError> + Send + 'static,
    ) -> Result<T, SessionStoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || with_file_lock(&path, op))
            .await
            .map_err(|e| SessionStoreError::Io(format!("storage task failed: {e}")))?
    }
}

#[async_trait]
impl SessionStore for FileStore {
    async fn load(&self) -> Result<Option<PersistedSession>, SessionStoreError> {
        self.locked(|path, _| read_session(path)).await
    }

    async fn save(&self, session: &PersistedSession) -> Result<(), SessionStoreError> {
        let revision = session.revision;
        let data = session.to_json();
        self.locked(move |path, lock| {
            check_revision(stored_revision(path, lock)?, revision)?;
            write_atomically(path, data.expose_secret().as_bytes())
        })
        .await
    }

    async fn clear(&self, revision: u64) -> Result<(), SessionStoreError> {
        self.locked(move |path, lock| {
            check_revision(stored_revision(path, lock)?, revision)?;
            write_cleared_revision(lock, revision)?;
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
                _ => Ok(()),
            }
        })
        .await
    }

    fn consistency(&self) -> Consistency {
        Consistency::CompareAndSwap
    }
}

fn io(e: std::io::Error) -> SessionStoreError {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => SessionStoreError::Unavailable(e.to_string()),
        _ => SessionStoreError::Io(e.to_string()),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".into())
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Runs `op` while holding an exclusive lock on the store's lock file, which also keeps the
/// revision of the last clear.
fn with_file_lock<T>(
    path: &Path,
    op: impl FnOnce(&Path, &mut std::fs::File) -> Result<T, SessionStoreError>,
) -> Result<T, SessionStoreError> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir).map_err(io)?;
    let lock_path = dir.join(format!(".{}.lock", file_name(path)));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut lock = options.open(&lock_path).map_err(io)?;
    lock.lock().map_err(io)?;
    let result = op(path, &mut lock);
    // Closing the file releases the lock too; unlocking first keeps the order explicit.
    let _ = lock.unlock();
    result
}

/// The session in the file: a tombstone (revision only) reads as nothing stored.
fn read_session(path: &Path) -> Result<Option<PersistedSession>, SessionStoreError> {
    match std::fs::read_to_string(path) {
        Ok(raw) => {
            let session = PersistedSession::from_json(&raw)?;
            Ok((!session.is_empty()).then_some(session))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}

/// The highest of the session file's revision and the last cleared one; `None` when neither
/// exists. A file that does not parse does not block a new write.
fn stored_revision(
    path: &Path,
    lock: &mut std::fs::File,
) -> Result<Option<u64>, SessionStoreError> {
    use std::io::{Read, Seek};
    let in_file = match std::fs::read_to_string(path) {
        Ok(raw) => PersistedSession::from_json(&raw).ok().map(|s| s.revision),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let mut cleared = String::new();
    lock.rewind().map_err(io)?;
    lock.read_to_string(&mut cleared).map_err(io)?;
    let cleared = cleared.trim().parse::<u64>().ok();
    Ok(in_file.max(cleared))
}

/// Keeps the revision of a clear in the lock file (held locked by the caller).
fn write_cleared_revision(
    lock: &mut std::fs::File,
    revision: u64,
) -> Result<(), SessionStoreError> {
    use std::io::{Seek, Write};
    lock.set_len(0).map_err(io)?;
    lock.rewind().map_err(io)?;
    lock.write_all(revision.to_string().as_bytes())
        .map_err(io)?;
    lock.sync_all().map_err(io)
}

/// Writes `bytes` to a unique temporary file, syncs it, renames it over `path` and syncs the
/// directory, so `path` always holds either the old or the new value.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SessionStoreError> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT_TMP: AtomicU64 = AtomicU64::new(0);
    let dir = parent_dir(path);
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        file_name(path),
        std::process::id(),
        NEXT_TMP.fetch_add(1, Ordering::Relaxed)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn sample(revision: u64) -> PersistedSession {
        PersistedSession {
            revision,
            access_token: Some(SecretString::from("a.b.c".to_string())),
            refresh_token: Some(SecretString::from("ff".repeat(64))),
            token_received_at: 1_700_000_000,
            user: None,
            cart_key: Some("t_abc".into()),
        }
    }

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!("cocart-fs-{}-{name}", std::process::id()))
            .join("s.json")
    }

    #[test]
    fn json_round_trip_keeps_both_tokens_the_key_and_the_revision() {
        let s = sample(7);
        let back = PersistedSession::from_json(s.to_json().expose_secret()).unwrap();
        assert_eq!(back.revision, 7);
        assert_eq!(back.access_token.unwrap().expose_secret(), "a.b.c");
        assert_eq!(back.refresh_token.unwrap().expose_secret(), "ff".repeat(64));
        assert_eq!(back.token_received_at, 1_700_000_000);
        assert_eq!(back.cart_key.as_deref(), Some("t_abc"));
    }

    #[test]
    fn a_session_written_before_revisions_reads_as_revision_zero() {
        let v1 = r#"{"version":1,"access_token":"a.b.c","refresh_token":"r","token_received_at":5,"user":null,"cart_key":null}"#;
        let s = PersistedSession::from_json(v1).unwrap();
        assert_eq!(s.revision, 0);
        assert!(s.access_token.is_some());
    }

    #[test]
    fn debug_redacts_tokens() {
        let shown = format!("{:?}", sample(1));
        assert!(!shown.contains("a.b.c"));
        assert!(!shown.contains("ffff"));
    }

    #[test]
    fn garbage_is_corrupt_not_signed_out() {
        assert!(matches!(
            PersistedSession::from_json("{nope"),
            Err(SessionStoreError::Corrupt(_))
        ));
    }

    #[tokio::test]
    async fn memory_store_refuses_an_older_or_equal_revision_even_after_a_clear() {
        let store = MemoryStore::new();
        store.save(&sample(3)).await.unwrap();
        assert_eq!(
            store.save(&sample(3)).await,
            Err(SessionStoreError::Conflict { stored_revision: 3 })
        );
        assert_eq!(
            store.save(&sample(2)).await,
            Err(SessionStoreError::Conflict { stored_revision: 3 })
        );
        store.clear(4).await.unwrap();
        assert_eq!(
            store.save(&sample(4)).await,
            Err(SessionStoreError::Conflict { stored_revision: 4 })
        );
        assert!(store.load().await.unwrap().is_none());
        store.save(&sample(5)).await.unwrap();
        assert_eq!(store.load().await.unwrap().unwrap().revision, 5);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sixteen_concurrent_saves_per_round_never_fail_or_corrupt_and_the_highest_revision_wins()
     {
        let path = temp_path("concurrent");
        let store = FileStore::new(&path);
        let mut io_failures = 0;
        for round in 0..20u64 {
            let mut tasks = Vec::new();
            // Revisions of one round in a scrambled order; each round is above the last.
            for i in 0..16u64 {
                let revision = round * 100 + (i * 7) % 16 + 1;
                let store = store.clone();
                tasks.push(tokio::spawn(
                    async move { store.save(&sample(revision)).await },
                ));
            }
            for task in tasks {
                match task.await.unwrap() {
                    Ok(()) | Err(SessionStoreError::Conflict { .. }) => {}
                    Err(_) => io_failures += 1,
                }
            }
            let stored = store.load().await.expect("the file always reads");
            assert_eq!(stored.map(|s| s.revision), Some(round * 100 + 16));
        }
        assert_eq!(io_failures, 0);
        let leftovers = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            })
            .count();
        assert_eq!(leftovers, 0, "no temporary file is left behind");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test]
    async fn memory_and_file_stores_pass_the_conformance_checks() {
        crate::conformance::store_conformance(&MemoryStore::new(), true).await;
        let path = temp_path("conformance");
        crate::conformance::store_conformance(&FileStore::new(&path), true).await;
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test]
    async fn file_store_saves_atomically_with_private_mode_and_revisions() {
        let path = temp_path("basic");
        let store = FileStore::new(&path);
        assert!(store.load().await.unwrap().is_none());
        store.save(&sample(1)).await.unwrap();
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
        assert_eq!(
            store.save(&sample(1)).await,
            Err(SessionStoreError::Conflict { stored_revision: 1 })
        );
        store.clear(2).await.unwrap();
        assert!(store.load().await.unwrap().is_none());
        assert!(
            store.save(&sample(2)).await.is_err(),
            "older than the clear"
        );
        store.save(&sample(3)).await.unwrap();
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
