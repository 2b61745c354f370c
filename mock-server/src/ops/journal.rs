//! The request journal: one entry per request to a store route (`/wp-json/...`), in arrival
//! order, recorded when the response is known.

use http::Method;
use serde::{Deserialize, Serialize};
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
    /// The response status; `0` when the connection was dropped without a response.
    pub status: u16,
    /// `"bearer"`, `"basic"` or `"none"`: the credentials that reached the app after the host
    /// profile (for a failed authentication, the kind that was presented).
    pub auth: String,
}

/// Query keys whose values never appear in `Debug` output.
const SENSITIVE_KEYS: [&str; 4] = ["password", "refresh_token", "token", "jwt"];

/// The query with the values of [`SENSITIVE_KEYS`] replaced by `[redacted]`.
fn redacted_query(query: &str) -> String {
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
            .finish()
    }
}

/// The journal, ordered by arrival sequence number. It has its own lock, apart from the world:
/// reserving an arrival position is one atomic increment, and recording takes only this lock.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    next_seq: AtomicU64,
    inner: Mutex<Inner>,
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
        }
    }
}

/// The most distinct paths shared between entries; past it the set starts over.
const MAX_SHARED_PATHS: usize = 4096;

#[derive(Debug, Default)]
struct Inner {
    cleared_below: u64,
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

/// What a finished request leaves in the journal (borrowed from the request).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Finished<'a> {
    /// The HTTP method as sent on the wire.
    pub(crate) method: &'a Method,
    /// The REST path as routed.
    pub(crate) path: &'a str,
    /// The query string the route saw, `""` when none.
    pub(crate) query: &'a str,
    /// The response status; `0` for a dropped connection.
    pub(crate) status: u16,
    /// `"bearer"`, `"basic"` or `"none"`.
    pub(crate) auth: &'static str,
}

impl Journal {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reserves the arrival position of a new request.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Records a finished request at its arrival position. Requests that arrived before the
    /// last [`clear`](Self::clear) are not recorded.
    pub(crate) fn record(&self, seq: u64, done: Finished<'_>) {
        let mut inner = self.inner();
        if seq < inner.cleared_below {
            return;
        }
        let record = Record {
            seq,
            method: done.method.clone(),
            path: inner.shared_path(done.path),
            query: done.query.into(),
            status: done.status,
            auth: done.auth,
        };
        let records = &mut inner.records;
        let pos = match records.back() {
            Some(last) if last.seq > seq => records.partition_point(|r| r.seq < seq),
            _ => records.len(),
        };
        records.insert(pos, record);
        while records.len() > JOURNAL_CAPACITY {
            records.pop_front();
        }
    }

    /// All entries, in arrival order.
    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.inner().records.iter().map(Record::entry).collect()
    }

    /// Empties the journal; requests still in flight are not recorded.
    pub(crate) fn clear(&self) {
        let mut inner = self.inner();
        inner.records.clear();
        inner.paths.clear();
        inner.last_path = None;
        inner.cleared_below = self.next_seq.load(Ordering::Relaxed);
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
        }
    }

    fn done(path: &str) -> Finished<'_> {
        Finished {
            method: &Method::GET,
            path,
            query: "",
            status: 200,
            auth: "none",
        }
    }

    #[test]
    fn debug_redacts_credentials_in_the_query() {
        let mut e = entry("/wp-json/cocart/v2/login");
        e.query = "username=demo&password=hunter2&refresh_token=abc&x=1".into();
        let dbg = format!("{e:?}");
        assert!(!dbg.contains("hunter2") && !dbg.contains("abc"));
        assert!(dbg.contains("username=demo") && dbg.contains("x=1"));
    }

    #[test]
    fn entries_are_in_arrival_order_and_clear_forgets_in_flight_requests() {
        let j = Journal::default();
        let a = j.next_seq();
        let b = j.next_seq();
        j.record(b, done("/b"));
        j.record(a, done("/a"));
        let paths: Vec<_> = j.entries().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/a", "/b"]);
        let c = j.next_seq();
        j.clear();
        j.record(c, done("/c"));
        assert!(j.entries().is_empty());
        let d = j.next_seq();
        j.record(d, done("/d"));
        assert_eq!(j.entries(), [entry("/d")]);
    }

    #[test]
    fn entries_keep_method_query_status_and_auth() {
        let j = Journal::default();
        let method = Method::from_bytes(b"PURGE").unwrap();
        j.record(
            j.next_seq(),
            Finished {
                method: &method,
                path: "/wp-json/cocart/v2/cart",
                query: "a=1&b=2",
                status: 0,
                auth: "bearer",
            },
        );
        j.record(j.next_seq(), done("/wp-json/cocart/v2/cart"));
        let all = j.entries();
        assert_eq!(
            all[0],
            JournalEntry {
                method: "PURGE".into(),
                path: "/wp-json/cocart/v2/cart".into(),
                query: "a=1&b=2".into(),
                status: 0,
                auth: "bearer".into(),
            }
        );
        assert_eq!(all[1], entry("/wp-json/cocart/v2/cart"));
    }

    #[test]
    fn the_journal_keeps_only_the_newest_entries() {
        let j = Journal::default();
        for i in 0..JOURNAL_CAPACITY + 2 {
            let path = format!("/p{}", i % 3);
            j.record(j.next_seq(), done(&path));
        }
        let all = j.entries();
        assert_eq!(all.len(), JOURNAL_CAPACITY);
        assert_eq!(all[0].path, "/p2");
    }
}
