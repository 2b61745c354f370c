//! The per-connection authentication memo and the lock-free preparation (fast paths, used only
//! when the switch is on).
//!
//! [`prepare`] reads the credentials of a request and checks a Bearer token's signature,
//! expiry and issuer without the world lock, reusing remembered signature checks
//! ([`super::verified`]); [`prepare_remembered`] also reuses what the connection's previous
//! request derived from the same headers. [`crate::auth::authenticate::finish`] then does what
//! needs the world under its lock. The plain path is [`crate::auth::authenticate::authenticate()`],
//! all under the lock.

use super::FastPaths;
use crate::auth::authenticate::{
    Found, Prepared, RequestInfo, caller_of, is_cocart_path, prepare_with,
};
use crate::auth::settings::AuthSettings;
use crate::auth::token::Claims;
use crate::caller::{AuthKind, Caller};
use http::HeaderMap;
use std::fmt;
use std::sync::Arc;

/// Reads the credentials of a request and checks a Bearer token's signature (remembered in
/// the token cache), expiry and issuer, without the world lock. Returns the settings it used: the
/// result only holds while the world's configuration still [`matches`](AuthSettings::matches)
/// them.
pub(crate) fn prepare(
    fast: &FastPaths,
    site_url: &str,
    now: i64,
    req: &RequestInfo<'_>,
) -> (Arc<AuthSettings>, Prepared) {
    let cache = &fast.tokens;
    let mut found = Found::default();
    let (settings, remembered) = cache.lookup(|settings| {
        found = Found::read(settings, req);
        found.token
    });
    if remembered.is_some() {
        fast.count_reuse();
    }
    let caller = caller_of(req);
    let prepared = prepare_with(
        &settings,
        site_url,
        now,
        req,
        found,
        caller,
        |token, secret| cache.verify(&settings, remembered, token, secret),
    );
    (settings, prepared)
}

/// What one connection remembers of the last CoCart request it authenticated: what [`prepare`]
/// derived from the request headers alone (the credentials header and Bearer token, the client
/// IP and User-Agent, the verified token payload). It is reused for the next request on the
/// connection only when that request carries exactly the same headers (same peer, as the
/// connection is the same) and the token cache still has the same settings and generation, so
/// every result is what [`prepare`] would compute. Expiry and issuer are still checked on every
/// request, and everything that reads the world (revocation, users, sessions) too.
#[derive(Default)]
pub(crate) struct AuthMemo {
    slot: Option<MemoSlot>,
}

impl fmt::Debug for AuthMemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthMemo")
            .field("filled", &self.slot.is_some())
            .finish()
    }
}

struct MemoSlot {
    settings: Arc<AuthSettings>,
    generation: u64,
    /// The request headers, as `name\nvalue\n` for each in map order (neither a header name
    /// nor a value can hold a line feed, so equal text means the same headers in the same order).
    headers: Vec<u8>,
    header: Option<Box<str>>,
    token: Option<Box<str>>,
    ip: String,
    user_agent: Option<String>,
    /// The verified payload of `token`, when its signature held.
    claims: Option<Arc<Claims>>,
}

/// Whether `headers` are exactly those written by [`fingerprint`] into `memo`.
fn same_headers(mut memo: &[u8], headers: &HeaderMap) -> bool {
    for (name, value) in headers {
        let Some(rest) = memo
            .strip_prefix(name.as_str().as_bytes())
            .and_then(|r| r.strip_prefix(b"\n"))
            .and_then(|r| r.strip_prefix(value.as_bytes()))
            .and_then(|r| r.strip_prefix(b"\n"))
        else {
            return false;
        };
        memo = rest;
    }
    memo.is_empty()
}

fn fingerprint(headers: &HeaderMap) -> Vec<u8> {
    let len = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 2)
        .sum();
    let mut out = Vec::with_capacity(len);
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out
}

/// [`prepare`], reusing what `memo` remembers of the previous request on the same connection
/// when its headers are the same, and remembering this one otherwise.
pub(crate) fn prepare_remembered(
    fast: &FastPaths,
    memo: &mut AuthMemo,
    site_url: &str,
    now: i64,
    req: &RequestInfo<'_>,
) -> (Arc<AuthSettings>, Prepared) {
    if !is_cocart_path(req.path) {
        return prepare(fast, site_url, now, req);
    }
    let cache = &fast.tokens;
    let (settings, generation) = cache.current();
    if let Some(slot) = memo.slot.as_ref().filter(|slot| {
        Arc::ptr_eq(&slot.settings, &settings)
            && slot.generation == generation
            && same_headers(&slot.headers, req.headers)
    }) {
        fast.count_reuse();
        let found = Found {
            header: slot.header.as_deref(),
            token: slot.token.as_deref(),
        };
        let caller = Caller {
            user_id: None,
            auth: AuthKind::None,
            ip: slot.ip.clone(),
            user_agent: slot.user_agent.clone(),
        };
        let prepared = prepare_with(
            &settings,
            site_url,
            now,
            req,
            found,
            caller,
            |token, secret| match &slot.claims {
                Some(claims) => Ok(Arc::clone(claims)),
                None => cache.verify(&settings, None, token, secret),
            },
        );
        return (settings, prepared);
    }
    let mut found = Found::default();
    let (settings, generation, remembered) = cache.lookup_generation(|settings| {
        found = Found::read(settings, req);
        found.token
    });
    if remembered.is_some() {
        fast.count_reuse();
    }
    let caller = caller_of(req);
    let (ip, user_agent) = (caller.ip.clone(), caller.user_agent.clone());
    let mut verified = None;
    let prepared = prepare_with(
        &settings,
        site_url,
        now,
        req,
        found,
        caller,
        |token, secret| {
            let result = cache.verify(&settings, remembered, token, secret);
            verified = result.as_ref().ok().map(Arc::clone);
            result
        },
    );
    memo.slot = Some(MemoSlot {
        settings: Arc::clone(&settings),
        generation,
        headers: fingerprint(req.headers),
        header: found.header.map(Box::from),
        token: found.token.map(Box::from),
        ip,
        user_agent,
        claims: verified,
    });
    (settings, prepared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn remembered_headers_match_only_the_same_headers() {
        let a = headers(&[("authorization", "Bearer a.b.c"), ("user-agent", "x/1")]);
        let memo = fingerprint(&a);
        assert!(same_headers(&memo, &a));
        assert!(same_headers(&memo, &a.clone()));
        for other in [
            headers(&[("authorization", "Bearer a.b.c")]),
            headers(&[("authorization", "Bearer a.b.c"), ("user-agent", "x/2")]),
            headers(&[("authorization", "Bearer a.b.cx"), ("user-agent", "x/1")]),
            headers(&[
                ("authorization", "Bearer a.b.c"),
                ("user-agent", "x/1"),
                ("x-forwarded-for", "10.0.0.1"),
            ]),
            headers(&[
                ("authorization", "Bearer a.b.c"),
                ("user-agent", "x/1"),
                ("user-agent", "y/1"),
            ]),
            HeaderMap::new(),
        ] {
            assert!(!same_headers(&memo, &other), "{other:?}");
        }
        assert!(same_headers(
            &fingerprint(&HeaderMap::new()),
            &HeaderMap::new()
        ));
    }
}
