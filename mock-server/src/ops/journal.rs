//! The request journal: one entry per request to a store route (`/wp-json/...`), in arrival
//! order. An entry is written when the request arrives (status `0`) and completed when its
//! response is known, so a request whose client gave up (a `delay` fault and a client timeout)
//! is journaled all the same.
//!
//! For tests that judge many processes at once, an entry also tells who sent it and which
//! refresh tokens it moved: the value of the [`CLIENT_HEADER`] request header (a label a test
//! sets, e.g. through a `reqwest` client's default headers), the user it acted for, and short
//! fingerprints of the refresh token presented and of the one issued. A fingerprint is a
//! truncated keyed digest: equal tokens have equal fingerprints, and the token cannot be read
//! back from one.

use http::{HeaderMap, Method};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The journal keeps at most this many entries (the oldest are dropped).
pub(crate) const JOURNAL_CAPACITY: usize = 100_000;

/// One journaled request. `Debug` redacts credential-like query values (`password`,
/// `refresh_token`, `token`, `jwt`); the JSON form carries the query as sent.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The HTTP method as sent on the wire (before `_method`/`X-HTTP-Method-Override`).
    pub method: String,
    /// The REST path as routed, e.g. `/wp-json/cocart/jwt/refresh-token` (also for
    /// `?rest_route=` requests).
    pub path: String,
    /// The query string the route saw (`rest_route` removed), `""` when none.
    pub query: String,
    /// The response status; `0` while the request is in flight, or when it ended without a
    /// response (a `drop` fault, a client that disconnected first).
    pub status: u16,
    /// `"bearer"`, `"basic"` or `"none"`: the credentials that reached the app after the host
    /// profile (for a failed authentication, the kind that was presented).
    pub auth: String,
    /// When the request arrived, in milliseconds since the Unix epoch (real time, not the
    /// mock's virtual clock); `0` in entries written before this field existed.
    #[serde(default)]
    pub at_ms: u64,
    /// The value of the request's [`CLIENT_HEADER`] (at most 64 visible ASCII characters), a
    /// label a test gives each of its clients; `None` without the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The user the request acted for: the authenticated caller, or the owner of the refresh
    /// token a refresh presented; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    /// The fingerprint of the refresh token a refresh request presented (see
    /// [`token_fingerprint`]), accepted or not; `None` on other routes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_presented: Option<String>,
    /// The fingerprint of the refresh token the answer issued (a login or a refresh that
    /// succeeded); `None` when none was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_issued: Option<String>,
}

/// The request header whose value a journal entry keeps as its [`client`](JournalEntry::client).
pub const CLIENT_HEADER: &str = "x-mock-client";

/// The longest [`CLIENT_HEADER`] value kept; a longer one is cut.
const MAX_CLIENT_LEN: usize = 64;

/// The journal's fingerprint of a token: 16 hex digits of a SHA-256 keyed with a fixed label.
/// Equal tokens give equal fingerprints; the token is not recoverable from it.
pub fn token_fingerprint(token: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"cocart-mock journal fingerprint\0")
        .chain_update(token.as_bytes())
        .finalize();
    hex::encode(&digest[..8])
}

/// The client label of a request: the [`CLIENT_HEADER`] value when it is visible ASCII.
pub(crate) fn client_label(headers: &HeaderMap) -> Option<Box<str>> {
    let value = headers.get(CLIENT_HEADER)?.to_str().ok()?;
    let value: String = value
        .chars()
        .filter(char::is_ascii_graphic)
        .take(MAX_CLIENT_LEN)
        .collect();
    (!value.is_empty()).then(|| value.into_boxed_str())
}

/// What a handler learnt about the refresh tokens of its request, for the journal: shared
/// between the pipeline (which journals) and the handler (which sees the tokens).
#[derive(Clone, Default)]
pub(crate) struct TokenNote(Arc<Mutex<Moved>>);

/// The fingerprints and user a [`TokenNote`] carries (never a token).
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Moved {
    pub(crate) user_id: Option<u64>,
    pub(crate) presented: Option<Box<str>>,
    pub(crate) issued: Option<Box<str>>,
}

impl fmt::Debug for TokenNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenNote")
    }
}

impl TokenNote {
    fn moved(&self) -> MutexGuard<'_, Moved> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes the refresh token a request presented (its fingerprint only).
    pub(crate) fn presented(&self, token: &str) {
        self.moved().presented = Some(token_fingerprint(token).into_boxed_str());
    }

    /// Notes the refresh token an answer issued and the user it belongs to.
    pub(crate) fn issued(&self, user_id: u64, token: &str) {
        let mut moved = self.moved();
        moved.user_id = Some(user_id);
        moved.issued = Some(token_fingerprint(token).into_boxed_str());
    }

    /// Notes the user a request acted for.
    pub(crate) fn user(&self, user_id: u64) {
        self.moved().user_id = Some(user_id);
    }

    /// What was noted.
    pub(crate) fn take(&self) -> Moved {
        std::mem::take(&mut *self.moved())
    }
}

/// Query keys whose values never appear in `Debug` output or the console.
const SENSITIVE_KEYS: [&str; 4] = ["password", "refresh_token", "token", "jwt"];

/// The query with the values of [`SENSITIVE_KEYS`] replaced by `[redacted]`.
pub(crate) fn redacted_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SENSITIVE_KEYS.contains(&k) => format!("{k}=[redacted]"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

impl fmt::Debug for JournalEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JournalEntry")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redacted_query(&self.query))
            .field("status", &self.status)
            .field("auth", &self.auth)
            .field("at_ms", &self.at_ms)
            .field("client", &self.client)
            .field("user_id", &self.user_id)
            .field("refresh_presented", &self.refresh_presented)
            .field("refresh_issued", &self.refresh_issued)
            .finish()
    }
}

/// The journal, ordered by arrival sequence number. It has its own lock, apart from the world.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    next_seq: AtomicU64,
    /// How many times an entry was settled (the console's live stream watches it).
    settled: AtomicU64,
    inner: Mutex<Inner>,
}

/// One page of the journal, newest first (the console's view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// How many entries the journal holds.
    pub(crate) total: usize,
    /// The entries with their positions, newest first.
    pub(crate) entries: Vec<(u64, JournalEntry)>,
    /// The position to ask for the next older page with, when there is one.
    pub(crate) next_before: Option<u64>,
}

/// A recorded request, kept compact (the path shared with other entries of the same path).
/// `Debug` redacts like [`JournalEntry`]'s.
#[derive(Clone)]
struct Record {
    seq: u64,
    method: Method,
    path: Arc<str>,
    query: Box<str>,
    status: u16,
    auth: &'static str,
    at_ms: u64,
    client: Option<Box<str>>,
    moved: Moved,
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {:?}", self.seq, self.entry())
    }
}

impl Record {
    fn entry(&self) -> JournalEntry {
        JournalEntry {
            method: self.method.as_str().to_string(),
            path: self.path.to_string(),
            query: self.query.to_string(),
            status: self.status,
            auth: self.auth.to_string(),
            at_ms: self.at_ms,
            client: self.client.as_deref().map(str::to_string),
            user_id: self.moved.user_id,
            refresh_presented: self.moved.presented.as_deref().map(str::to_string),
            refresh_issued: self.moved.issued.as_deref().map(str::to_string),
        }
    }
}

/// The most distinct paths shared between entries; past it the set starts over.
const MAX_SHARED_PATHS: usize = 4096;

#[derive(Debug, Default)]
struct Inner {
    records: VecDeque<Record>,
    paths: HashSet<Arc<str>>,
    /// The path of the last record (most requests repeat it): shared without hashing.
    last_path: Option<Arc<str>>,
}

impl Inner {
    fn shared_path(&mut self, path: &str) -> Arc<str> {
        if let Some(p) = self.last_path.as_ref().filter(|p| ***p == *path) {
            return Arc::clone(p);
        }
        let p = match self.paths.get(path) {
            Some(p) => Arc::clone(p),
            None => {
                if self.paths.len() >= MAX_SHARED_PATHS {
                    self.paths.clear();
                }
                let p: Arc<str> = Arc::from(path);
                self.paths.insert(Arc::clone(&p));
                p
            }
        };
        self.last_path = Some(Arc::clone(&p));
        p
    }
}

/// What an arriving request leaves in the journal (borrowed from the request).
#[derive(Debug, Clone)]
pub(crate) struct Arrived<'a> {
    /// The HTTP method as sent on the wire.
    pub(crate) method: &'a Method,
    /// The REST path as routed.
    pub(crate) path: &'a str,
    /// The query string the route saw, `""` when none.
    pub(crate) query: &'a str,
    /// The [`CLIENT_HEADER`] label, if any.
    pub(crate) client: Option<Box<str>>,
}

/// Milliseconds since the Unix epoch, real time.
fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Journal {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Journals an arriving request (status `0`, auth `"none"` until [`settle`](Self::settle))
    /// and returns its arrival position.
    pub(crate) fn arrive(&self, req: Arrived<'_>) -> u64 {
        let at_ms = unix_ms();
        let mut inner = self.inner();
        // Taken under the lock, so positions are appended in order.
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let record = Record {
            seq,
            method: req.method.clone(),
            path: inner.shared_path(req.path),
            query: req.query.into(),
            status: 0,
            auth: "none",
            at_ms,
            client: req.client,
            moved: Moved::default(),
        };
        let records = &mut inner.records;
        records.push_back(record);
        while records.len() > JOURNAL_CAPACITY {
            records.pop_front();
        }
        seq
    }

    /// Sets what is known of the request at `seq`: the credentials presented and, once there is
    /// one, the response status. Nothing happens to an entry cleared or dropped for room.
    pub(crate) fn settle(&self, seq: u64, status: u16, auth: &'static str) {
        let mut inner = self.inner();
        let records = &mut inner.records;
        let pos = records.partition_point(|r| r.seq < seq);
        if let Some(r) = records.get_mut(pos).filter(|r| r.seq == seq) {
            r.status = status;
            r.auth = auth;
        }
        self.settled.fetch_add(1, Ordering::Relaxed);
    }

    /// A number that changes whenever an entry is added or settled.
    pub(crate) fn version(&self) -> u64 {
        self.next_seq
            .load(Ordering::Relaxed)
            .wrapping_add(self.settled.load(Ordering::Relaxed))
    }

    /// How many entries the journal holds, and the position of the newest.
    pub(crate) fn summary(&self) -> (usize, Option<u64>) {
        let inner = self.inner();
        (inner.records.len(), inner.records.back().map(|r| r.seq))
    }

    /// Up to `limit` entries older than position `before` (the newest without it), newest
    /// first.
    pub(crate) fn page(&self, before: Option<u64>, limit: usize) -> Page {
        let inner = self.inner();
        let records = &inner.records;
        let end = match before {
            Some(b) => records.partition_point(|r| r.seq < b),
            None => records.len(),
        };
        let start = end.saturating_sub(limit.max(1));
        let entries = records
            .range(start..end)
            .rev()
            .map(|r| (r.seq, r.entry()))
            .collect();
        Page {
            total: records.len(),
            entries,
            next_before: records.get(start).filter(|_| start > 0).map(|r| r.seq),
        }
    }

    /// Sets the user and the refresh-token fingerprints of the request at `seq` (a user noted by
    /// the handler wins over `caller`, the authenticated caller).
    pub(crate) fn note(&self, seq: u64, caller: Option<u64>, mut moved: Moved) {
        moved.user_id = moved.user_id.or(caller);
        let mut inner = self.inner();
        let records = &mut inner.records;
        let pos = records.partition_point(|r| r.seq < seq);
        if let Some(r) = records.get_mut(pos).filter(|r| r.seq == seq) {
            r.moved = moved;
        }
    }

    /// All entries, in arrival order.
    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.inner().records.iter().map(Record::entry).collect()
    }

    /// Empties the journal; requests still in flight keep no entry.
    pub(crate) fn clear(&self) {
        let mut inner = self.inner();
        inner.records.clear();
        inner.paths.clear();
        inner.last_path = None;
        self.settled.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            method: "GET".into(),
            path: path.into(),
            query: String::new(),
            status: 200,
            auth: "none".into(),
            at_ms: 0,
            client: None,
            user_id: None,
            refresh_presented: None,
            refresh_issued: None,
        }
    }

    /// The entries with their arrival times zeroed (times are checked on their own).
    fn timeless(entries: Vec<JournalEntry>) -> Vec<JournalEntry> {
        entries
            .into_iter()
            .map(|e| JournalEntry { at_ms: 0, ..e })
            .collect()
    }

    fn arrived(path: &str) -> Arrived<'_> {
        Arrived {
            method: &Method::GET,
            path,
            query: "",
            client: None,
        }
    }

    #[test]
    fn entries_are_written_on_arrival_in_order_and_clear_forgets_in_flight_requests() {
        let j = Journal::default();
        let a = j.arrive(arrived("/a"));
        let b = j.arrive(arrived("/b"));
        assert_eq!(j.entries()[0].status, 0, "in flight");
        j.settle(b, 200, "none");
        j.settle(a, 200, "none");
        let paths: Vec<_> = j.entries().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/a", "/b"]);
        let c = j.arrive(arrived("/c"));
        j.clear();
        j.settle(c, 200, "none");
        assert!(j.entries().is_empty());
        let d = j.arrive(arrived("/d"));
        j.settle(d, 200, "none");
        assert_eq!(timeless(j.entries()), [entry("/d")]);
    }

    #[test]
    fn a_request_never_settled_stays_with_status_0() {
        let j = Journal::default();
        let a = j.arrive(arrived("/slow"));
        let b = j.arrive(arrived("/b"));
        j.settle(b, 200, "none");
        let all = j.entries();
        assert_eq!((all[0].path.as_str(), all[0].status), ("/slow", 0));
        j.settle(a, 504, "bearer");
        assert_eq!(j.entries()[0].status, 504);
        assert_eq!(j.entries()[0].auth, "bearer");
    }

    #[test]
    fn entries_keep_method_query_status_and_auth() {
        let j = Journal::default();
        let method = Method::from_bytes(b"PURGE").unwrap();
        let seq = j.arrive(Arrived {
            method: &method,
            path: "/wp-json/cocart/v2/cart",
            query: "a=1&b=2",
            client: None,
        });
        j.settle(seq, 0, "bearer");
        let seq = j.arrive(arrived("/wp-json/cocart/v2/cart"));
        j.settle(seq, 200, "none");
        let all = timeless(j.entries());
        assert_eq!(
            all[0],
            JournalEntry {
                method: "PURGE".into(),
                path: "/wp-json/cocart/v2/cart".into(),
                query: "a=1&b=2".into(),
                status: 0,
                auth: "bearer".into(),
                ..entry("")
            }
        );
        assert_eq!(all[1], entry("/wp-json/cocart/v2/cart"));
    }

    #[test]
    fn the_journal_keeps_only_the_newest_entries() {
        let j = Journal::default();
        for i in 0..JOURNAL_CAPACITY + 2 {
            let path = format!("/p{}", i % 3);
            let seq = j.arrive(arrived(&path));
            j.settle(seq, 200, "none");
        }
        let all = j.entries();
        assert_eq!(all.len(), JOURNAL_CAPACITY);
        assert_eq!(all[0].path, "/p2");
    }

    #[test]
    fn entries_keep_the_client_label_the_user_and_token_fingerprints_never_tokens() {
        let j = Journal::default();
        let before = unix_ms();
        let mut headers = HeaderMap::new();
        headers.insert(CLIENT_HEADER, "w3.1 \tx".parse().unwrap());
        let seq = j.arrive(Arrived {
            client: client_label(&headers),
            ..arrived("/wp-json/cocart/jwt/refresh-token")
        });
        let note = TokenNote::default();
        note.presented("old-refresh-secret");
        note.issued(7, "new-refresh-secret");
        j.note(seq, None, note.take());
        j.settle(seq, 200, "none");
        let e = &j.entries()[0];
        assert!(e.at_ms >= before && e.at_ms <= unix_ms(), "{}", e.at_ms);
        assert_eq!(e.client.as_deref(), Some("w3.1x"), "visible ASCII only");
        assert_eq!(e.user_id, Some(7));
        let presented = token_fingerprint("old-refresh-secret");
        assert_eq!(e.refresh_presented.as_deref(), Some(presented.as_str()));
        assert_eq!(presented.len(), 16);
        assert_ne!(presented, token_fingerprint("new-refresh-secret"));
        let json = serde_json::to_string(&j.entries()).unwrap();
        let debug = format!("{:?}", j.entries());
        for shown in [&json, &debug] {
            assert!(!shown.contains("secret"), "{shown}");
            assert!(shown.contains(&presented), "{shown}");
        }
        // A caller's user id stands when the handler noted none; an empty note keeps none.
        let seq = j.arrive(arrived("/wp-json/cocart/v2/cart"));
        j.note(seq, Some(9), TokenNote::default().take());
        assert_eq!(j.entries()[1].user_id, Some(9));
        assert_eq!(j.entries()[1].client, None);
        assert_eq!(j.entries()[1].refresh_issued, None);
        // Old JSON without the new fields still reads.
        let old: JournalEntry = serde_json::from_str(
            r#"{"method":"GET","path":"/p","query":"","status":200,"auth":"none"}"#,
        )
        .unwrap();
        assert_eq!(old, entry("/p"));
    }
}
