//! The request journal: one entry per request to a store route (`/wp-json/...`), in arrival
//! order, recorded when the response is known.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;

/// The journal keeps at most this many entries (the oldest are dropped).
pub const JOURNAL_CAPACITY: usize = 100_000;

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

/// The journal, ordered by arrival sequence number.
#[derive(Debug, Default)]
pub struct Journal {
    next_seq: u64,
    cleared_below: u64,
    entries: VecDeque<(u64, JournalEntry)>,
}

impl Journal {
    /// Reserves the arrival position of a new request.
    pub fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Records a finished request at its arrival position. Requests that arrived before the
    /// last [`clear`](Self::clear) are not recorded.
    pub fn record(&mut self, seq: u64, entry: JournalEntry) {
        if seq < self.cleared_below {
            return;
        }
        let pos = match self.entries.back() {
            Some((last, _)) if *last > seq => self.entries.partition_point(|(s, _)| *s < seq),
            _ => self.entries.len(),
        };
        self.entries.insert(pos, (seq, entry));
        while self.entries.len() > JOURNAL_CAPACITY {
            self.entries.pop_front();
        }
    }

    /// All entries, in arrival order.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.entries.iter().map(|(_, e)| e.clone()).collect()
    }

    /// Empties the journal.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.cleared_below = self.next_seq;
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
        let mut j = Journal::default();
        let a = j.next_seq();
        let b = j.next_seq();
        j.record(b, entry("/b"));
        j.record(a, entry("/a"));
        let paths: Vec<_> = j.entries().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/a", "/b"]);
        let c = j.next_seq();
        j.clear();
        j.record(c, entry("/c"));
        assert!(j.entries().is_empty());
    }
}
