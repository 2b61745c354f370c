//! The request journal: one entry per request to a store route (`/wp-json/...`), in arrival
//! order. An entry is written when the request arrives (status `0`) and completed when its
//! response is known, so a request whose client gave up (a `delay` fault and a client timeout)
//! is journaled all the same.

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
    /// The response status; `0` while the request is in flight, or when it ended without a
    /// response (a `drop` fault, a client that disconnected first).
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

/// The journal, ordered by arrival sequence number. It has its own lock, apart from the world.
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
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arrived<'a> {
    /// The HTTP method as sent on the wire.
    pub(crate) method: &'a Method,
    /// The REST path as routed.
    pub(crate) path: &'a str,
    /// The query string the route saw, `""` when none.
    pub(crate) query: &'a str,
}

impl Journal {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Journals an arriving request (status `0`, auth `"none"` until [`settle`](Self::settle))
    /// and returns its arrival position.
    pub(crate) fn arrive(&self, req: Arrived<'_>) -> u64 {
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

    fn arrived(path: &str) -> Arrived<'_> {
        Arrived {
            method: &Method::GET,
            path,
            query: "",
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
        assert_eq!(j.entries(), [entry("/d")]);
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
        });
        j.settle(seq, 0, "bearer");
        let seq = j.arrive(arrived("/wp-json/cocart/v2/cart"));
        j.settle(seq, 200, "none");
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
            let seq = j.arrive(arrived(&path));
            j.settle(seq, 200, "none");
        }
        let all = j.entries();
        assert_eq!(all.len(), JOURNAL_CAPACITY);
        assert_eq!(all[0].path, "/p2");
    }
}
