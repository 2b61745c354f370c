//! Where the CLI keeps its session, and the client built around it.
//!
//! The session (tokens, user, guest cart key) lives in a [`FileStore`] (`session.json`, mode
//! 0600). Next to it, `session.json.store.json` remembers which store it belongs to and the auth
//! header, so later commands need no `--store-url`, and a session is never sent to another store.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cocart::{CoCartClient, FileStore, User};
use serde_json::json;

use super::args::GlobalArgs;
use super::exit::{Exit, Failure};
use super::progress::Progress;

/// The session file and the small file that names its store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFiles {
    /// The [`FileStore`] file.
    pub session: PathBuf,
    /// `<session>.store.json`: `{"store_url", "auth_header"}`.
    pub meta: PathBuf,
}

impl SessionFiles {
    /// The files at `explicit`, or at the default place.
    pub fn locate(explicit: Option<&Path>) -> Result<Self, Failure> {
        let session = match explicit {
            Some(p) => p.to_path_buf(),
            None => default_session_path(
                std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from),
                std::env::var_os("HOME").map(PathBuf::from),
            )
            .ok_or_else(|| {
                Failure::usage("cannot find a place for the session file (neither XDG_CONFIG_HOME nor HOME is set)")
                    .hint("pass --session-file PATH")
            })?,
        };
        let mut meta = session.clone().into_os_string();
        meta.push(".store.json");
        Ok(Self {
            session,
            meta: PathBuf::from(meta),
        })
    }
}

/// `$XDG_CONFIG_HOME/cocart/session.json`, else `$HOME/.config/cocart/session.json`.
pub fn default_session_path(xdg: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    let base = xdg.filter(|p| p.is_absolute()).or_else(|| {
        home.filter(|h| !h.as_os_str().is_empty())
            .map(|h| h.join(".config"))
    })?;
    Some(base.join("cocart").join("session.json"))
}

/// What the meta file remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreMeta {
    /// The store's site root.
    pub store_url: String,
    /// The header credentials go in, when not `Authorization`.
    pub auth_header: Option<String>,
}

impl StoreMeta {
    fn read(path: &Path) -> Result<Option<Self>, Failure> {
        let raw = match std::fs::read_to_string(path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Failure::usage(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let v: serde_json::Value = serde_json::from_str(&raw).map_err(|_| {
            Failure::usage(format!("{} is not valid JSON", path.display()))
                .hint("remove it; the next command with --store-url writes it again")
        })?;
        let Some(store_url) = v.get("store_url").and_then(|s| s.as_str()) else {
            return Ok(None);
        };
        Ok(Some(Self {
            store_url: store_url.to_string(),
            auth_header: v
                .get("auth_header")
                .and_then(|s| s.as_str())
                .map(str::to_string),
        }))
    }

    fn write(&self, path: &Path) -> Result<(), Failure> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::usage(format!("cannot create {}: {e}", dir.display())))?;
        }
        let body = json!({"store_url": self.store_url, "auth_header": self.auth_header});
        std::fs::write(path, format!("{body:#}\n"))
            .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))
    }
}

/// Compares store URLs the way the SDK reads them (scheme and host case, trailing slash,
/// a trailing `/wp-json`).
pub fn same_store(a: &str, b: &str) -> bool {
    let norm = |s: &str| match url::Url::parse(s.trim()) {
        Ok(u) => {
            let s = u.as_str().trim_end_matches('/');
            s.strip_suffix("/wp-json").unwrap_or(s).to_string()
        }
        Err(_) => s.trim().trim_end_matches('/').to_string(),
    };
    norm(a) == norm(b)
}

/// An open session: the client, its file store, and what was loaded.
#[derive(Debug)]
pub struct Session {
    /// The SDK client, backed by the session file.
    pub client: CoCartClient,
    /// The session file.
    pub store: FileStore,
    /// The files.
    pub files: SessionFiles,
    /// The store URL in use.
    pub store_url: String,
    /// The auth header in use, when not `Authorization`.
    pub auth_header: Option<String>,
    /// The user of the restored session, if any.
    pub user: Option<User>,
    /// Shows a progress line on slow calls.
    pub progress: Progress,
}

impl Session {
    /// Locates the session, checks it belongs to the store, builds the client and restores it.
    /// With `account`, a missing session file is "not signed in" (exit 2) before anything else.
    pub async fn open(global: &GlobalArgs, account: bool) -> Result<Self, Failure> {
        let files = SessionFiles::locate(global.session_file.as_deref())?;
        let meta = StoreMeta::read(&files.meta)?;
        let has_session = files.session.exists();
        if account && !has_session {
            return Err(Failure::not_signed_in());
        }
        let store_url = match (&global.store_url, &meta) {
            (Some(url), Some(m)) if has_session && !same_store(url, &m.store_url) => {
                return Err(Failure::usage(format!(
                    "the session in {} belongs to {}, not {url}",
                    files.session.display(),
                    m.store_url
                ))
                .hint("run `cocart logout` first, or pass another --session-file"));
            }
            (Some(url), _) => url.clone(),
            (None, Some(m)) if has_session => m.store_url.clone(),
            _ => {
                return Err(Failure::usage("no store URL given")
                    .hint("pass --store-url https://shop.example (or set COCART_STORE_URL)"));
            }
        };
        let auth_header = global
            .auth_header
            .clone()
            .or_else(|| meta.and_then(|m| m.auth_header));
        let store = FileStore::new(&files.session);
        let mut builder = CoCartClient::builder(&store_url)
            .session_store(store.clone())
            .timeout(Duration::from_secs(global.timeout.max(1)))
            .allow_insecure_http(global.allow_insecure_http)
            .transfer_policy(global.transfer_policy.into());
        if let Some(h) = &auth_header {
            builder = builder.auth_header_name(h);
        }
        let client = builder.build()?;
        let progress = Progress::for_stderr(global.json);
        let user = client.restore_session().await.map_err(|e| {
            Failure::from(e).hint(format!(
                "remove {} and log in again",
                files.session.display()
            ))
        })?;
        Ok(Self {
            client,
            store,
            files,
            store_url,
            auth_header,
            user,
            progress,
        })
    }

    /// The restored user, or "not signed in" (exit 2).
    pub fn require_user(&self) -> Result<User, Failure> {
        match (&self.user, self.client.is_signed_in()) {
            (Some(u), true) => Ok(u.clone()),
            _ => Err(Failure::not_signed_in()),
        }
    }

    /// Makes sure the meta file names the store while a session file exists (the SDK itself
    /// saves the session, tokens and cart key alike, before each call returns).
    pub async fn settle(&self) -> Result<(), Failure> {
        if self.files.session.exists() {
            StoreMeta {
                store_url: self.store_url.clone(),
                auth_header: self.auth_header.clone(),
            }
            .write(&self.files.meta)?;
        } else {
            match std::fs::remove_file(&self.files.meta) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Failure::new(
                        Exit::Usage,
                        "session_file",
                        format!("cannot remove {}: {e}", self.files.meta.display()),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_path_prefers_xdg_then_home() {
        assert_eq!(
            default_session_path(Some("/x/cfg".into()), Some("/home/j".into())),
            Some(PathBuf::from("/x/cfg/cocart/session.json"))
        );
        assert_eq!(
            default_session_path(Some("relative".into()), Some("/home/j".into())),
            Some(PathBuf::from("/home/j/.config/cocart/session.json"))
        );
        assert_eq!(default_session_path(None, None), None);
    }

    #[test]
    fn the_meta_file_sits_next_to_the_session() {
        let f = SessionFiles::locate(Some(Path::new("/tmp/a/s.json"))).unwrap();
        assert_eq!(f.meta, PathBuf::from("/tmp/a/s.json.store.json"));
    }

    #[test]
    fn store_urls_compare_like_the_sdk_reads_them() {
        assert!(same_store("https://Shop.example/", "https://shop.example"));
        assert!(same_store(
            "https://shop.example/wp-json/",
            "https://shop.example"
        ));
        assert!(!same_store("https://shop.example", "https://other.example"));
        assert!(!same_store("http://shop.example", "https://shop.example"));
    }
}
