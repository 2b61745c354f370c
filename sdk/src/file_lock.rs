//! [`FileLock`]: the [`SessionLock`] of processes on one machine that share one [`FileStore`]
//! (a CLI run by scripts in parallel, workers of one host).
//!
//! The lock is a small file beside the session (`.NAME.refresh-lock`) that names the holder, the
//! end of its lease (wall-clock milliseconds since the Unix epoch) and the holder that marked a
//! refresh in flight. Each operation opens it, takes the operating system's exclusive lock on it
//! ([`std::fs::File::lock`]), reads, decides, writes, and lets go: the OS lock is held for
//! microseconds, never across a request, so a process that dies holding the *lease* only delays
//! the others until the lease ends.
//!
//! [`FileStore`]: crate::FileStore

use std::fmt;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::session_store::SessionStoreError;
use crate::shared_session::{LockGrant, SessionLock};

/// A [`SessionLock`] between the processes of one machine, kept in a lock file.
///
/// Use it with a [`FileStore`](crate::FileStore) on the same session file, so that processes
/// that share the file make one refresh between them (see [`crate::shared_session`]):
///
/// ```no_run
/// # fn demo() -> Result<(), cocart::Error> {
/// let path = "/home/jane/.config/myapp/session.json";
/// let client = cocart::CoCartClient::builder("https://shop.example")
///     .session_store(cocart::FileStore::new(path))
///     .session_lock(cocart::FileLock::beside(path))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
///
/// Leases run on the wall clock, which every process of the machine shares; a clock set back by
/// hand lengthens the lease in progress by as much. The OS lock is advisory: programs that do not
/// use `FileLock` on the same path, and network file systems that do not honour `flock`, are not
/// kept out.
#[derive(Clone)]
pub struct FileLock {
    path: PathBuf,
}

impl fmt::Debug for FileLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileLock")
            .field("path", &self.path)
            .finish()
    }
}

impl FileLock {
    /// A lock kept in the file at `path` (created on first use, mode 0600 on Unix).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The lock of the session file `session_file`: `.NAME.refresh-lock` in its directory.
    pub fn beside(session_file: impl AsRef<Path>) -> Self {
        let session_file = session_file.as_ref();
        let name = session_file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "session".into());
        let dir = session_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Self::new(dir.join(format!(".{name}.refresh-lock")))
    }

    /// Where the lock is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `op` on the lock's state under the OS lock, off the async runtime; writes the state
    /// back when `op` changed it.
    async fn with_state<T: Send + 'static>(
        &self,
        op: impl FnOnce(&mut LeaseState, u64) -> T + Send + 'static,
    ) -> Result<T, SessionStoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || locked(&path, op))
            .await
            .map_err(|e| SessionStoreError::Io(format!("lock task failed: {e}")))?
    }
}

/// What the lock file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct LeaseState {
    /// The holder and the end of its lease (Unix milliseconds).
    holder: Option<(String, u64)>,
    /// The holder that marked a refresh in flight and has not released since.
    refreshing: Option<String>,
}

impl LeaseState {
    /// Reads the state; a file that is empty or does not parse (a write cut short) holds nothing.
    fn parse(text: &str) -> Self {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            return Self::default();
        };
        let owner = v.get("owner").and_then(Value::as_str).map(str::to_string);
        let until = v.get("until_ms").and_then(Value::as_u64);
        Self {
            holder: owner.zip(until),
            refreshing: v
                .get("refreshing")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    fn to_text(&self) -> String {
        json!({
            "owner": self.holder.as_ref().map(|(o, _)| o),
            "until_ms": self.holder.as_ref().map(|(_, u)| u),
            "refreshing": self.refreshing,
        })
        .to_string()
    }

    fn held_by(&self, owner: &str, now: u64) -> bool {
        self.holder
            .as_ref()
            .is_some_and(|(holder, until)| holder == owner && *until > now)
    }
}

fn io(e: std::io::Error) -> SessionStoreError {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => SessionStoreError::Unavailable(e.to_string()),
        _ => SessionStoreError::Io(e.to_string()),
    }
}

/// Wall-clock milliseconds since the Unix epoch.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn lease_end(now: u64, lease: Duration) -> u64 {
    now.saturating_add(u64::try_from(lease.as_millis()).unwrap_or(u64::MAX))
}

fn locked<T>(
    path: &Path,
    op: impl FnOnce(&mut LeaseState, u64) -> T,
) -> Result<T, SessionStoreError> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    file.lock().map_err(io)?;
    let result = (|| {
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io)?;
        let before = LeaseState::parse(&text);
        let mut state = before.clone();
        let answer = op(&mut state, now_ms());
        if state != before {
            file.set_len(0).map_err(io)?;
            file.rewind().map_err(io)?;
            file.write_all(state.to_text().as_bytes()).map_err(io)?;
        }
        Ok(answer)
    })();
    // Closing the file releases the lock too; unlocking first keeps the order explicit.
    let _ = file.unlock();
    result
}

#[async_trait]
impl SessionLock for FileLock {
    async fn try_acquire(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<LockGrant>, SessionStoreError> {
        let owner = owner.to_string();
        self.with_state(move |state, now| {
            if state.holder.as_ref().is_some_and(|(_, until)| *until > now) {
                return None;
            }
            let lapsed_refresh = state
                .refreshing
                .as_deref()
                .is_some_and(|marker| marker != owner);
            state.holder = Some((owner, lease_end(now, lease)));
            Some(LockGrant::new(lapsed_refresh))
        })
        .await
    }

    async fn renew(&self, owner: &str, lease: Duration) -> Result<bool, SessionStoreError> {
        let owner = owner.to_string();
        self.with_state(move |state, now| {
            if !state.held_by(&owner, now) {
                return false;
            }
            state.holder = Some((owner, lease_end(now, lease)));
            true
        })
        .await
    }

    async fn mark_refreshing(&self, owner: &str) -> Result<bool, SessionStoreError> {
        let owner = owner.to_string();
        self.with_state(move |state, now| {
            if !state.held_by(&owner, now) {
                return false;
            }
            state.refreshing = Some(owner);
            true
        })
        .await
    }

    async fn release(&self, owner: &str) -> Result<(), SessionStoreError> {
        let owner = owner.to_string();
        self.with_state(move |state, _| {
            if state
                .holder
                .as_ref()
                .is_some_and(|(holder, _)| *holder == owner)
            {
                state.holder = None;
            }
            // The owner knows how its refresh ended: its mark goes, even after its lease lapsed.
            if state.refreshing.as_deref() == Some(owner.as_str()) {
                state.refreshing = None;
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared_session::owner_name;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cocart-filelock-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("session.json")
    }

    #[tokio::test]
    async fn the_file_lock_passes_the_conformance_checks() {
        let session = scratch("conformance");
        let lock = FileLock::beside(&session);
        crate::conformance::lock_conformance(&lock, Duration::from_millis(200)).await;
        let _ = std::fs::remove_dir_all(session.parent().unwrap());
    }

    #[tokio::test]
    async fn two_locks_on_one_file_are_one_lock() {
        let session = scratch("two");
        let (a, b) = (FileLock::beside(&session), FileLock::beside(&session));
        assert_eq!(
            a.path(),
            session.parent().unwrap().join(".session.json.refresh-lock")
        );
        let (one, two) = (owner_name(), owner_name());
        let lease = Duration::from_secs(30);
        assert!(a.try_acquire(&one, lease).await.unwrap().is_some());
        assert!(b.try_acquire(&two, lease).await.unwrap().is_none());
        assert!(
            b.mark_refreshing(&one).await.unwrap(),
            "the holder, through any handle"
        );
        b.release(&one).await.unwrap();
        assert_eq!(
            a.try_acquire(&two, lease).await.unwrap(),
            Some(LockGrant::new(false))
        );
        let _ = std::fs::remove_dir_all(session.parent().unwrap());
    }

    #[tokio::test]
    async fn a_torn_lock_file_reads_as_free() {
        let session = scratch("torn");
        let lock = FileLock::beside(&session);
        std::fs::create_dir_all(session.parent().unwrap()).unwrap();
        std::fs::write(lock.path(), "{\"owner\":\"x\",\"unt").unwrap();
        assert!(
            lock.try_acquire(&owner_name(), Duration::from_secs(5))
                .await
                .unwrap()
                .is_some()
        );
        let text = std::fs::read_to_string(lock.path()).unwrap();
        assert!(LeaseState::parse(&text).holder.is_some(), "{text}");
        let _ = std::fs::remove_dir_all(session.parent().unwrap());
    }

    #[test]
    fn the_lock_file_holds_no_secret_and_reads_back() {
        let state = LeaseState {
            holder: Some(("p-1".into(), 42)),
            refreshing: Some("p-1".into()),
        };
        assert_eq!(LeaseState::parse(&state.to_text()), state);
        assert_eq!(LeaseState::parse(""), LeaseState::default());
    }
}
