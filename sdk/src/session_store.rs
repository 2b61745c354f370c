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
use crate::models::PendingTransfer;
use crate::tokens::{AccessToken, RefreshToken};

/// Why the session store could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionStoreError {
    /// The storage exists but cannot be read now (device locked, prewarming, Redis down). Not
    /// "signed out". A write that fails this way may still have been applied.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The stored value could not be understood.
    #[error("stored session is corrupt: {0}")]
    Corrupt(String),
    /// Reading or writing failed.
    #[error("storage I/O failed: {0}")]
    Io(String),
    /// The stored revision is not the one this write expected: another client or process wrote
    /// the session since this one read it. Nothing was written.
    #[error("the stored session changed elsewhere (stored revision {stored_revision})")]
    Conflict {
        /// The revision found in the store (0 when nothing was ever stored).
        stored_revision: u64,
    },
}

/// The persisted session: tokens, user, guest cart key and the store they belong to, saved and
/// loaded as one value.
#[derive(Default)]
#[non_exhaustive]
pub struct PersistedSession {
    /// The revision the store gave this value (set by [`SessionStore::load`]; a store ignores it
    /// on [`SessionStore::save`] and assigns the next one itself).
    pub revision: u64,
    /// The JWT access token, when signed in.
    pub access_token: Option<AccessToken>,
    /// The rotating refresh token, when signed in.
    pub refresh_token: Option<RefreshToken>,
    /// Unix time (device clock) at which the access token was received; with the token's own
    /// `exp − iat` this gives its local deadline.
    pub token_received_at: i64,
    /// The signed-in user.
    pub user: Option<User>,
    /// The guest cart key (while a guest), or the guest key still to transfer after a login.
    pub cart_key: Option<String>,
    /// The store this session belongs to: its origin and REST root (e.g.
    /// `https://shop.example/wp-json/`). A client refuses a session of another store before
    /// sending anything. `None` in sessions written before 0.3, which are taken as they are.
    pub store: Option<String>,
    /// A guest → customer cart transfer that began and has not finished: the guest key and the
    /// customer's lines read before it, so that the next use of the session finishes it (see
    /// [`PendingTransfer`]). `None` in sessions written before it existed.
    pub pending_transfer: Option<PendingTransfer>,
    /// Names one login: made at the login, kept across its rotations, replaced by the next
    /// login. A random label, not a secret. `None` in sessions written before 0.3.
    pub login_id: Option<String>,
}

impl Clone for PersistedSession {
    fn clone(&self) -> Self {
        Self {
            revision: self.revision,
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.as_ref().map(RefreshToken::duplicate),
            token_received_at: self.token_received_at,
            user: self.user.clone(),
            cart_key: self.cart_key.clone(),
            store: self.store.clone(),
            login_id: self.login_id.clone(),
            pending_transfer: self.pending_transfer.clone(),
        }
    }
}

impl fmt::Debug for PersistedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |present: bool| present.then_some("[redacted]");
        f.debug_struct("PersistedSession")
            .field("revision", &self.revision)
            .field("access_token", &redacted(self.access_token.is_some()))
            .field("refresh_token", &redacted(self.refresh_token.is_some()))
            .field("token_received_at", &self.token_received_at)
            .field("user", &self.user)
            .field("cart_key", &redacted(self.cart_key.is_some()))
            .field("store", &self.store)
            .field("pending_transfer", &self.pending_transfer)
            .field("login_id", &self.login_id)
            .finish()
    }
}

impl PersistedSession {
    /// Serialises the session to one JSON string (it holds the tokens: keep it secret).
    pub fn to_json(&self) -> SecretString {
        let v = json!({
            "version": 3,
            "revision": self.revision,
            "access_token": self.access_token.as_ref().map(|s| s.expose_secret().to_string()),
            "refresh_token": self.refresh_token.as_ref().map(|s| s.expose_secret().to_string()),
            "token_received_at": self.token_received_at,
            "user": self.user.as_ref().map(User::to_json),
            "cart_key": self.cart_key,
            "store": self.store,
            "pending_transfer": self.pending_transfer.as_ref().map(PendingTransfer::to_json),
            "login_id": self.login_id,
        });
        SecretString::from(v.to_string())
    }

    /// Parses what [`PersistedSession::to_json`] wrote (a session written before revisions
    /// existed reads as revision 0, one written before 0.3 has no store, one without a pending
    /// transfer, or with one this version cannot read, has none).
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
                .map(str::to_string)
        };
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(Self {
            revision: obj.get("revision").and_then(Value::as_u64).unwrap_or(0),
            access_token: secret("access_token").map(AccessToken::new),
            refresh_token: secret("refresh_token").map(RefreshToken::new),
            token_received_at: obj
                .get("token_received_at")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            user: obj.get("user").and_then(User::from_json),
            cart_key: text("cart_key"),
            store: text("store"),
            pending_transfer: obj
                .get("pending_transfer")
                .and_then(PendingTransfer::from_json),
            login_id: text("login_id"),
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

/// What a [`SessionStore`] holds: three states a client must tell apart.
// A loaded value is short-lived and moved once: boxing the session would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Stored {
    /// Nothing was ever stored (or it expired, or the storage was wiped).
    #[default]
    Empty,
    /// A session, at the revision the store gave it (in [`PersistedSession::revision`]).
    Session(PersistedSession),
    /// The session was signed out at `revision`. The tombstone keeps the sign-out: a write that
    /// expected an older revision is refused, so nobody brings the session back.
    Cleared {
        /// The revision of the sign-out.
        revision: u64,
    },
}

impl Stored {
    /// The stored revision (0 when nothing was ever stored).
    pub fn revision(&self) -> u64 {
        match self {
            Stored::Empty => 0,
            Stored::Session(s) => s.revision,
            Stored::Cleared { revision } => *revision,
        }
    }

    /// The session, if one is stored.
    pub fn session(&self) -> Option<&PersistedSession> {
        match self {
            Stored::Session(s) => Some(s),
            _ => None,
        }
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

/// Persists the session as one value with a revision that **the store** assigns.
///
/// Every write is a compare-and-swap on the exact revision the writer last read or wrote
/// (`expected`, 0 when nothing was ever stored): the store writes only when it still holds that
/// revision, gives the new value `expected + 1`, and answers the new revision; otherwise it
/// answers [`SessionStoreError::Conflict`] with the revision it holds and writes nothing. A sign-
/// out leaves a tombstone ([`Stored::Cleared`]) that keeps its revision, so a write that expected
/// an older revision cannot bring the session back.
///
/// The client calls its store from one ordered lane: on one client, calls never overlap. A store
/// that cannot make the check atomic across clients and processes reports
/// [`Consistency::SingleClient`]. The conformance checks (feature `conformance`) test all of this.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// What is stored; `Err(Unavailable)` when that cannot be told now.
    async fn load(&self) -> Result<Stored, SessionStoreError>;
    /// Writes `session` if the stored revision is `expected`; answers the new revision
    /// (`expected + 1`).
    async fn save(
        &self,
        expected: u64,
        session: &PersistedSession,
    ) -> Result<u64, SessionStoreError>;
    /// Replaces the stored session with a tombstone if the stored revision is `expected`;
    /// answers the tombstone's revision (`expected + 1`).
    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError>;
    /// Whether the revision check is atomic across clients and processes.
    fn consistency(&self) -> Consistency {
        Consistency::SingleClient
    }
}

/// The stored revision `stored` allows a write that expected `expected`; answers the next one.
fn next_revision(stored: u64, expected: u64) -> Result<u64, SessionStoreError> {
    if stored != expected {
        return Err(SessionStoreError::Conflict {
            stored_revision: stored,
        });
    }
    stored.checked_add(1).ok_or(SessionStoreError::Conflict {
        stored_revision: stored,
    })
}

/// Keeps the session in memory only (the default): a restart signs the user out. Its revision
/// check is atomic (one lock), so several clients may share one `Arc<MemoryStore>`.
#[derive(Default)]
pub struct MemoryStore {
    slot: Mutex<Stored>,
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

    fn slot(&self) -> std::sync::MutexGuard<'_, Stored> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        Ok(self.slot().clone())
    }

    async fn save(
        &self,
        expected: u64,
        session: &PersistedSession,
    ) -> Result<u64, SessionStoreError> {
        let mut slot = self.slot();
        let revision = next_revision(slot.revision(), expected)?;
        let mut stored = session.clone();
        stored.revision = revision;
        *slot = Stored::Session(stored);
        Ok(revision)
    }

    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        let mut slot = self.slot();
        let revision = next_revision(slot.revision(), expected)?;
        *slot = Stored::Cleared { revision };
        Ok(revision)
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
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        self.locked(read_stored).await
    }

    async fn save(
        &self,
        expected: u64,
        session: &PersistedSession,
    ) -> Result<u64, SessionStoreError> {
        let mut session = session.clone();
        self.locked(move |path, lock| {
            let revision = next_revision(stored_revision(path, lock)?, expected)?;
            session.revision = revision;
            write_atomically(path, session.to_json().expose_secret().as_bytes())?;
            write_lock_revision(lock, revision)?;
            Ok(revision)
        })
        .await
    }

    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        self.locked(move |path, lock| {
            let revision = next_revision(stored_revision(path, lock)?, expected)?;
            // The revision first: a crash before the removal leaves a session file older than
            // the lock file's revision, which reads as the tombstone.
            write_lock_revision(lock, revision)?;
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
                _ => Ok(revision),
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

/// The revision kept in the lock file (held locked by the caller); `None` when it holds none.
fn lock_revision(lock: &mut std::fs::File) -> Result<Option<u64>, SessionStoreError> {
    use std::io::{Read, Seek};
    let mut text = String::new();
    lock.rewind().map_err(io)?;
    lock.read_to_string(&mut text).map_err(io)?;
    Ok(text.trim().parse::<u64>().ok())
}

/// The session file's own text, `None` when there is no file.
fn session_text(path: &Path) -> Result<Option<String>, SessionStoreError> {
    match std::fs::read_to_string(path) {
        Ok(raw) => Ok(Some(raw)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}

/// What the files hold. The lock file keeps the revision of the last write or clear; a session
/// file whose own revision is below it is the leftover of a clear and reads as the tombstone. A
/// session file written before 0.3 (no revision in the lock file) keeps its own revision.
fn read_stored(path: &Path, lock: &mut std::fs::File) -> Result<Stored, SessionStoreError> {
    let kept = lock_revision(lock)?;
    let Some(raw) = session_text(path)? else {
        return Ok(match kept {
            Some(revision) if revision > 0 => Stored::Cleared { revision },
            _ => Stored::Empty,
        });
    };
    let mut session = PersistedSession::from_json(&raw)?;
    match kept {
        Some(revision) if revision > session.revision => Ok(Stored::Cleared { revision }),
        _ if session.is_empty() => Ok(Stored::Cleared {
            revision: session.revision.max(kept.unwrap_or(0)).max(1),
        }),
        _ => {
            session.revision = session.revision.max(kept.unwrap_or(0));
            Ok(Stored::Session(session))
        }
    }
}

/// The stored revision: the lock file's, or a newer one inside the session file (a write that
/// stopped before updating the lock file). A session file that does not parse does not block
/// a write: the lock file's revision stands.
fn stored_revision(path: &Path, lock: &mut std::fs::File) -> Result<u64, SessionStoreError> {
    let kept = lock_revision(lock)?.unwrap_or(0);
    let in_file = session_text(path)?
        .and_then(|raw| PersistedSession::from_json(&raw).ok())
        .map(|s| s.revision)
        .unwrap_or(0);
    Ok(kept.max(in_file))
}

/// Keeps `revision` in the lock file (held locked by the caller).
fn write_lock_revision(lock: &mut std::fs::File, revision: u64) -> Result<(), SessionStoreError> {
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

    fn sample(tag: &str) -> PersistedSession {
        PersistedSession {
            revision: 0,
            access_token: Some(AccessToken::new("a.b.c")),
            refresh_token: Some(RefreshToken::new(format!("{tag}{}", "ff".repeat(64)))),
            token_received_at: 1_700_000_000,
            user: None,
            cart_key: Some(format!("t_{tag}")),
            store: Some("https://shop.example/wp-json/".into()),
            pending_transfer: None,
            login_id: None,
        }
    }

    /// A transfer of `t_{tag}` begun with one saved line holding a gift note.
    fn pending(tag: &str) -> PendingTransfer {
        let line = serde_json::json!({"item_key": "k1", "product_id": 204, "name": "Hoodie",
            "quantity": 2.0, "variation": {"Color": "Green"},
            "item_data": {"gift_note": "note-for-ada"}});
        PendingTransfer::from_json(&serde_json::json!({"guest_key": format!("t_{tag}"),
            "user_id": 7, "policy": "keep_both", "account": [line]}))
        .expect("a pending transfer")
    }

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!("cocart-fs-{}-{name}", std::process::id()))
            .join("s.json")
    }

    #[test]
    fn json_round_trip_keeps_both_tokens_the_key_the_store_and_the_revision() {
        let mut s = sample("x");
        s.revision = 7;
        let back = PersistedSession::from_json(s.to_json().expose_secret()).unwrap();
        assert_eq!(back.revision, 7);
        assert_eq!(back.access_token.unwrap().expose_secret(), "a.b.c");
        assert_eq!(
            back.refresh_token.unwrap().expose_secret(),
            format!("x{}", "ff".repeat(64))
        );
        assert_eq!(back.token_received_at, 1_700_000_000);
        assert_eq!(back.cart_key.as_deref(), Some("t_x"));
        assert_eq!(back.store.as_deref(), Some("https://shop.example/wp-json/"));
        assert_eq!(back.pending_transfer, None);
    }

    #[test]
    fn json_round_trip_keeps_the_pending_transfer_and_reads_an_unreadable_one_as_none() {
        let mut s = sample("x");
        s.pending_transfer = Some(pending("x"));
        let back = PersistedSession::from_json(s.to_json().expose_secret()).unwrap();
        let p = back.pending_transfer.expect("kept");
        assert_eq!(p, pending("x"));
        let lines = p.account.expect("the saved lines");
        assert_eq!(lines[0].product_id, 204);
        assert_eq!(lines[0].quantity, 2.0);
        assert_eq!(lines[0].item_data["gift_note"], "note-for-ada");
        let mut v: Value = serde_json::from_str(s.to_json().expose_secret()).unwrap();
        v["pending_transfer"] = serde_json::json!({"guest_key": 3});
        let odd = PersistedSession::from_json(&v.to_string()).unwrap();
        assert!(odd.pending_transfer.is_none());
        assert!(odd.access_token.is_some(), "the session itself still reads");
    }

    #[test]
    fn a_session_written_before_revisions_reads_as_revision_zero_without_a_store() {
        let v1 = r#"{"version":1,"access_token":"a.b.c","refresh_token":"r","token_received_at":5,"user":null,"cart_key":null}"#;
        let s = PersistedSession::from_json(v1).unwrap();
        assert_eq!(s.revision, 0);
        assert!(s.access_token.is_some());
        assert!(s.store.is_none());
        assert!(s.pending_transfer.is_none());
    }

    #[test]
    fn debug_redacts_tokens_and_the_cart_key() {
        let mut s = sample("q");
        s.pending_transfer = Some(pending("q"));
        let shown = format!("{s:?}");
        assert!(!shown.contains("a.b.c"));
        assert!(!shown.contains("ffff"));
        assert!(!shown.contains("t_q"), "{shown}");
        assert!(!shown.contains("note-for-ada"), "{shown}");
        assert!(shown.contains("account_lines: Some(1)"), "{shown}");
    }

    #[test]
    fn garbage_is_corrupt_not_signed_out() {
        assert!(matches!(
            PersistedSession::from_json("{nope"),
            Err(SessionStoreError::Corrupt(_))
        ));
    }

    #[tokio::test]
    async fn memory_store_writes_only_on_the_exact_revision_and_keeps_a_tombstone() {
        let store = MemoryStore::new();
        assert_eq!(store.save(0, &sample("a")).await, Ok(1));
        assert_eq!(
            store.save(0, &sample("b")).await,
            Err(SessionStoreError::Conflict { stored_revision: 1 })
        );
        assert_eq!(store.save(1, &sample("b")).await, Ok(2));
        assert_eq!(store.clear(2).await, Ok(3));
        assert!(matches!(
            store.load().await.unwrap(),
            Stored::Cleared { revision: 3 }
        ));
        assert_eq!(
            store.save(2, &sample("stale")).await,
            Err(SessionStoreError::Conflict { stored_revision: 3 })
        );
        assert_eq!(store.save(3, &sample("c")).await, Ok(4));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sixteen_concurrent_writers_on_one_revision_one_wins_and_nothing_is_corrupt() {
        let path = temp_path("concurrent");
        let store = FileStore::new(&path);
        let mut io_failures = 0;
        let mut expected = 0;
        for _round in 0..20u64 {
            let mut tasks = Vec::new();
            for i in 0..16u64 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    store.save(expected, &sample(&i.to_string())).await
                }));
            }
            let mut winners = 0;
            for task in tasks {
                match task.await.unwrap() {
                    Ok(revision) => {
                        winners += 1;
                        assert_eq!(revision, expected + 1);
                    }
                    Err(SessionStoreError::Conflict { .. }) => {}
                    Err(_) => io_failures += 1,
                }
            }
            assert_eq!(winners, 1, "exactly one writer wins each revision");
            expected += 1;
            let stored = store.load().await.expect("the file always reads");
            assert_eq!(stored.revision(), expected);
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
    async fn file_store_saves_atomically_with_private_mode() {
        let path = temp_path("basic");
        let store = FileStore::new(&path);
        assert!(matches!(store.load().await.unwrap(), Stored::Empty));
        store.save(0, &sample("a")).await.unwrap();
        let loaded = store.load().await.unwrap();
        assert_eq!(
            loaded.session().and_then(|s| s.cart_key.as_deref()),
            Some("t_a")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test]
    async fn a_corrupt_session_file_is_reported_and_overwritten_at_the_lock_files_revision() {
        let path = temp_path("corrupt");
        let store = FileStore::new(&path);
        store.save(0, &sample("a")).await.unwrap();
        std::fs::write(&path, "{half").unwrap();
        assert!(matches!(
            store.load().await,
            Err(SessionStoreError::Corrupt(_))
        ));
        assert_eq!(
            store.save(0, &sample("b")).await,
            Err(SessionStoreError::Conflict { stored_revision: 1 })
        );
        assert_eq!(store.save(1, &sample("b")).await, Ok(2));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test]
    async fn a_session_file_from_0_2_keeps_its_revision() {
        let path = temp_path("legacy");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut old = sample("old");
        old.revision = 9;
        std::fs::write(&path, old.to_json().expose_secret()).unwrap();
        let store = FileStore::new(&path);
        assert_eq!(store.load().await.unwrap().revision(), 9);
        assert_eq!(store.save(9, &sample("new")).await, Ok(10));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
