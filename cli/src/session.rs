//! Where the CLI keeps its session, and the client built around it.
//!
//! The session (tokens, user, guest cart key, and the store it belongs to) lives in a
//! [`FileStore`] (`session.json`, mode 0600). The store inside it is what later commands use
//! when no `--store-url` is given, and what the SDK checks before anything is sent: a session is
//! never sent to another store. A signed-in session is shared between `cocart` processes run
//! at once through a [`FileLock`] beside it, so that they make one refresh between them.
//!
//! Next to it, `session.json.store.json` remembers the auth header (`--auth-header`), when one
//! is used, and the store once its session has ended (logout, or a session the store ended), so
//! that the next command goes on as a guest, or logs in again, with no `--store-url`. Sessions
//! written before the store was kept inside them still get their store from that file, as older
//! versions wrote it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cocart::{
    CoCartClient, FileLock, FileStore, RestStyle, SessionStore, StoreAddress, Stored, User,
};
use serde_json::json;

use super::args::GlobalArgs;
use super::exit::{Exit, Failure};
use super::progress::Progress;

/// The session file and the small file beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFiles {
    /// The [`FileStore`] file.
    pub session: PathBuf,
    /// `<session>.store.json`: `{"store_url", "rest_style", "auth_header"}`, each when there is
    /// something to remember.
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

/// What the file beside the session remembers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreMeta {
    /// The store's site root: the store of a session that does not name it (written before
    /// 0.3), or the store of a session that has ended (the default for the next command).
    pub store_url: Option<String>,
    /// The store's routes are addressed with `?rest_route=` (with `store_url` only).
    pub query_routes: bool,
    /// The header credentials go in, when not `Authorization`.
    pub auth_header: Option<String>,
}

impl StoreMeta {
    fn read(path: &Path) -> Result<Self, Failure> {
        let raw = match std::fs::read_to_string(path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(Failure::usage(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let v: serde_json::Value = serde_json::from_str(&raw).map_err(|_| {
            Failure::usage(format!("{} is not valid JSON", path.display()))
                .hint("remove it (it only remembers --auth-header)")
        })?;
        let text = |k: &str| v.get(k).and_then(|s| s.as_str()).map(str::to_string);
        Ok(Self {
            store_url: text("store_url"),
            query_routes: text("rest_style").as_deref() == Some("query"),
            auth_header: text("auth_header"),
        })
    }

    /// Writes the file (atomically: a `cocart` started meanwhile reads the old or the new one),
    /// or removes it when it would hold nothing.
    fn write(&self, path: &Path) -> Result<(), Failure> {
        if self.store_url.is_none() && self.auth_header.is_none() {
            return match std::fs::remove_file(path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Failure::new(
                    Exit::Usage,
                    "session_file",
                    format!("cannot remove {}: {e}", path.display()),
                )),
            };
        }
        if Self::read(path).ok().as_ref() == Some(self) {
            return Ok(());
        }
        let mut body = serde_json::Map::new();
        if let Some(url) = &self.store_url {
            body.insert("store_url".into(), json!(url));
            if self.query_routes {
                body.insert("rest_style".into(), json!("query"));
            }
        }
        body.insert("auth_header".into(), json!(self.auth_header));
        let body = format!("{:#}\n", serde_json::Value::Object(body));
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, body)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Failure::usage(format!("cannot write {}: {e}", path.display()))
            })
    }
}

/// Compares store URLs the way the SDK reads them (scheme and host case, trailing slash,
/// the REST root inside the URL).
pub fn same_store(a: &str, b: &str) -> bool {
    let norm = |s: &str| match StoreAddress::parse(s) {
        Ok(a) => a.site.as_str().trim_end_matches('/').to_string(),
        Err(_) => s.trim().trim_end_matches('/').to_string(),
    };
    norm(a) == norm(b)
}

/// The site root and addressing of a store URL a user gave: a URL holding the REST root
/// (`https://shop.example/wp-json/cocart/v2/`, `…/?rest_route=/cocart/v2/`) is taken apart
/// into its site root, as the SDK does. Not a store URL: exit 1 with the fix.
pub fn given_store(raw: &str) -> Result<(String, RestStyle), Failure> {
    let address = StoreAddress::parse(raw).map_err(|e| {
        Failure::new(Exit::Usage, "config", format!("--store-url: {e}"))
            .hint("give the store's site root, e.g. --store-url https://shop.example")
    })?;
    Ok((
        address.site.as_str().trim_end_matches('/').to_string(),
        address.rest_style.unwrap_or(RestStyle::Pretty),
    ))
}

/// The site root and addressing of the store a session names by its REST root
/// (`https://shop.example/wp-json/`, or `https://shop.example/?rest_route=%2F`). `None` when
/// the text is not a REST root the SDK would have written.
pub fn site_of_rest_root(root: &str) -> Option<(String, RestStyle)> {
    let parsed = url::Url::parse(root).ok()?;
    let style = if parsed.query_pairs().any(|(k, _)| k == "rest_route") {
        RestStyle::QueryParam
    } else {
        RestStyle::Pretty
    };
    let mut site = parsed.clone();
    site.set_query(None);
    if style == RestStyle::Pretty {
        let path = site.path().strip_suffix("/wp-json/")?.to_string();
        site.set_path(&path);
    }
    // Only what reads back to the same REST root.
    if cocart::codes::routes::url(&site, style, "").as_str() != parsed.as_str() {
        return None;
    }
    Some((site.as_str().trim_end_matches('/').to_string(), style))
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
    /// The store URL in use (the site root).
    pub store_url: String,
    /// How the store's routes are addressed.
    pub rest_style: RestStyle,
    /// The auth header in use, when not `Authorization`.
    pub auth_header: Option<String>,
    /// The user of the restored session, if any.
    pub user: Option<User>,
    /// Shows a progress line on slow calls.
    pub progress: Progress,
}

/// A session in `file` that belongs to `stored`, not to `given`: exit 1, nothing sent.
pub fn session_of_another_store(file: &Path, stored: &str, given: &str) -> Failure {
    Failure::new(
        Exit::Usage,
        "session_of_another_store",
        format!(
            "the session in {} belongs to {stored}, not to {given}; nothing was sent",
            file.display()
        ),
    )
    .hint(format!(
        "drop --store-url to use {stored}, run `cocart logout` first, or pass another --session-file"
    ))
}

impl Session {
    /// Locates the session, finds its store, builds the client and restores it (the SDK
    /// refuses a session of another store before sending anything). With `account`, no stored
    /// session is "not signed in" (exit 2) before anything else.
    pub async fn open(global: &GlobalArgs, account: bool) -> Result<Self, Failure> {
        let files = SessionFiles::locate(global.session_file.as_deref())?;
        let meta = StoreMeta::read(&files.meta)?;
        let store = FileStore::new(&files.session);
        let unreadable = |e: cocart::Error| {
            Failure::from(e).hint(format!(
                "remove {} and log in again",
                files.session.display()
            ))
        };
        let stored = store
            .load()
            .await
            .map_err(|e| unreadable(cocart::Error::from(e)))?;
        let saved = stored.session();
        if account && saved.is_none() {
            return Err(Failure::not_signed_in());
        }
        // Where the stored session belongs: its own record, or (written before 0.3) the old
        // file beside it.
        let bound = match saved {
            Some(s) => match &s.store {
                Some(root) => Some(site_of_rest_root(root).ok_or_else(|| {
                    Failure::usage(format!(
                        "the session in {} names a store the CLI cannot address ({root})",
                        files.session.display()
                    ))
                    .hint("remove the session file and log in again")
                })?),
                None => meta.store_url.clone().map(|url| {
                    let style = if meta.query_routes {
                        RestStyle::QueryParam
                    } else {
                        RestStyle::Pretty
                    };
                    (url, style)
                }),
            },
            None => None,
        };
        // No session: the store of the last one, if it ended (logout, or ended by the store).
        let remembered = match (saved, &meta.store_url) {
            (None, Some(url)) => Some((
                url.clone(),
                if meta.query_routes {
                    RestStyle::QueryParam
                } else {
                    RestStyle::Pretty
                },
            )),
            _ => None,
        };
        let given = global.store_url.as_deref().map(given_store).transpose()?;
        let (store_url, rest_style) = match (given, &bound) {
            // A session of 0.3+ is checked by the SDK; an older one against the old file.
            (Some((url, _)), Some((site, _)))
                if saved.is_some_and(|s| s.store.is_none()) && !same_store(&url, site) =>
            {
                return Err(session_of_another_store(&files.session, site, &url));
            }
            (Some(given), _) => given,
            (None, Some((site, style))) => (site.clone(), *style),
            (None, None) => remembered.ok_or_else(|| {
                Failure::usage("no store URL given")
                    .hint("pass --store-url https://shop.example (or set COCART_STORE_URL)")
            })?,
        };
        let auth_header = global.auth_header.clone().or(meta.auth_header);
        let mut builder = CoCartClient::builder(&store_url)
            .rest_style(rest_style)
            .session_store(store.clone())
            .timeout(Duration::from_secs(global.timeout.max(1)))
            .allow_insecure_http(global.allow_insecure_http)
            .transfer_policy(global.transfer_policy.into());
        if saved.is_some_and(|s| s.access_token.is_some()) {
            // A customer's session: `cocart` processes started together refresh it once
            // between them (a guest's cart key needs no lock, and stays saved as it is).
            builder = builder.session_lock(FileLock::beside(&files.session));
        }
        if let Some(h) = &auth_header {
            builder = builder.auth_header_name(h);
        }
        let client = builder.build()?;
        let progress = Progress::for_stderr(global.json);
        let user = match client.restore_session().await {
            Ok(user) => user,
            Err(cocart::Error::SessionOfAnotherStore { stored, .. }) => {
                let stored = site_of_rest_root(&stored).map(|(s, _)| s).unwrap_or(stored);
                return Err(session_of_another_store(
                    &files.session,
                    &stored,
                    &store_url,
                ));
            }
            Err(e) => return Err(unreadable(e)),
        };
        Ok(Self {
            client,
            store,
            files,
            store_url,
            rest_style,
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

    /// Keeps the file beside the session in step with it (the SDK itself saves the session,
    /// tokens, cart key and store alike, before each call returns): the auth header, the store
    /// URL for a session that does not record it, and the store and auth header of a session
    /// that ended (so that `cocart cart show` or `cocart login` need no flag afterwards).
    pub async fn settle(&self) -> Result<(), Failure> {
        let query_routes = self.rest_style == RestStyle::QueryParam;
        let meta = match self.store.load().await {
            Ok(Stored::Session(s)) => StoreMeta {
                store_url: s.store.is_none().then(|| self.store_url.clone()),
                query_routes: s.store.is_none() && query_routes,
                auth_header: self.auth_header.clone(),
            },
            Ok(Stored::Cleared { .. }) => StoreMeta {
                store_url: Some(self.store_url.clone()),
                query_routes,
                auth_header: self.auth_header.clone(),
            },
            Ok(_) => StoreMeta::default(),
            // Nothing to go by: leave the file as it is.
            Err(_) => return Ok(()),
        };
        meta.write(&self.files.meta)
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
    fn the_site_comes_back_from_the_rest_root_a_session_records() {
        assert_eq!(
            site_of_rest_root("http://127.0.0.1:8080/wp-json/"),
            Some(("http://127.0.0.1:8080".into(), RestStyle::Pretty))
        );
        assert_eq!(
            site_of_rest_root("https://shop.example/store/wp-json/"),
            Some(("https://shop.example/store".into(), RestStyle::Pretty))
        );
        assert_eq!(
            site_of_rest_root("https://shop.example/?rest_route=%2F"),
            Some(("https://shop.example".into(), RestStyle::QueryParam))
        );
        assert_eq!(site_of_rest_root("https://shop.example/"), None);
        assert_eq!(site_of_rest_root("not a url"), None);
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
