//! CoCart's `determine_current_user` for one request (§3.1): Basic auth (only on a local site,
//! the mock being plain HTTP), then the JWT plugin at `cocart_authenticate` priority 0. An error
//! either records fails the whole request.
//!
//! It runs in two steps: [`prepare`] reads the credentials and checks a Bearer token's
//! signature, expiry and issuer without the world lock; [`finish`] does what needs the world
//! (the Basic password, users and sessions) under it.

use super::client::{client_ip, user_agent};
use super::credentials::{self, BasicCreds};
use super::errors;
use super::plugin::Device;
use super::token::{self, Claims, Rejection};
use super::verified::{AuthSettings, TokenCache};
use crate::config::Environment;
use crate::error::ApiError;
use crate::state::{AuthKind, Caller, World};
use http::{HeaderMap, Method};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

/// What the auth layer reads from a request.
pub struct RequestInfo<'a> {
    /// The effective method.
    pub method: &'a Method,
    /// The routed REST path, e.g. `/wp-json/cocart/v2/cart`.
    pub path: &'a str,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// The raw query string.
    pub raw_query: Option<&'a str>,
    /// The buffered body.
    pub body: &'a [u8],
    /// The TCP peer.
    pub peer: SocketAddr,
}

/// The result of authenticating a request.
#[derive(Debug)]
pub struct AuthOutcome {
    /// Who the handlers see (a guest when `error` is set).
    pub caller: Caller,
    /// The kind of credentials that reached the app (for the journal), valid or not.
    pub presented: AuthKind,
    /// The error that fails the whole request, if any.
    pub error: Option<ApiError>,
}

/// `CoCart::is_rest_api_request`: CoCart only authenticates `…/cocart/…` requests.
pub fn is_cocart_path(path: &str) -> bool {
    path.starts_with("/wp-json/cocart/")
}

/// CoCart `perform_basic_authentication` → `wp_authenticate`.
fn basic_user(world: &World, creds: &BasicCreds) -> Result<u64, ApiError> {
    if creds.username.is_empty() || creds.password.is_empty() {
        return Err(errors::basic_incomplete());
    }
    let user = world
        .auth
        .users
        .find_for_login(&creds.username)
        .ok_or_else(errors::basic_unknown_user)?;
    if !user.password_matches(&creds.password) {
        return Err(errors::basic_wrong_password());
    }
    Ok(user.id)
}

/// The Bearer token as far as it can be checked without the world.
enum Bearer {
    /// No secret is configured.
    NoSecret,
    /// The signature, expiry, issuer or user claim failed.
    Rejected,
    /// Signature, expiry and issuer hold: the claims for the checks that read the world.
    Claims(Arc<Claims>),
}

/// What authentication decides before it needs the world: the client, the credentials found
/// and the Bearer token checked as far as the settings allow.
pub struct Prepared {
    caller: Caller,
    presented: AuthKind,
    basic: Option<BasicCreds>,
    bearer: Option<Bearer>,
}

/// Reads the credentials of a request and checks a Bearer token's signature (remembered in
/// `cache`), expiry and issuer, without the world lock. Returns the settings it used: the
/// result only holds while the world's configuration still [`matches`](AuthSettings::matches)
/// them.
pub fn prepare(
    cache: &TokenCache,
    site_url: &str,
    now: i64,
    req: &RequestInfo<'_>,
) -> (Arc<AuthSettings>, Prepared) {
    let mut found = Found::default();
    let (settings, remembered) = cache.lookup(|settings| {
        found = Found::read(settings, req);
        found.token
    });
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
pub struct AuthMemo {
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
pub fn prepare_remembered(
    cache: &TokenCache,
    memo: &mut AuthMemo,
    site_url: &str,
    now: i64,
    req: &RequestInfo<'_>,
) -> (Arc<AuthSettings>, Prepared) {
    if !is_cocart_path(req.path) {
        return prepare(cache, site_url, now, req);
    }
    let (settings, generation) = cache.current();
    if let Some(slot) = memo.slot.as_ref().filter(|slot| {
        Arc::ptr_eq(&slot.settings, &settings)
            && slot.generation == generation
            && same_headers(&slot.headers, req.headers)
    }) {
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

/// Who the client is, as far as the request tells.
fn caller_of(req: &RequestInfo<'_>) -> Caller {
    Caller {
        user_id: None,
        auth: AuthKind::None,
        ip: client_ip(req.headers, req.peer),
        user_agent: user_agent(req.headers),
    }
}

/// The credentials header and the Bearer token in it, as the settings' host profile reads them
/// (none outside CoCart routes).
#[derive(Default, Clone, Copy)]
struct Found<'a> {
    header: Option<&'a str>,
    token: Option<&'a str>,
}

impl<'a> Found<'a> {
    fn read(settings: &AuthSettings, req: &RequestInfo<'a>) -> Self {
        if !is_cocart_path(req.path) {
            return Self::default();
        }
        let header = credentials::auth_header(req.headers, &settings.host_profile);
        Self {
            header,
            token: header.and_then(credentials::bearer_token),
        }
    }
}

fn prepare_with(
    settings: &AuthSettings,
    site_url: &str,
    now: i64,
    req: &RequestInfo<'_>,
    found: Found<'_>,
    caller: Caller,
    verify: impl FnOnce(&str, &str) -> Result<Arc<Claims>, Rejection>,
) -> Prepared {
    if !is_cocart_path(req.path) {
        return Prepared {
            caller,
            presented: AuthKind::None,
            basic: None,
            bearer: None,
        };
    }
    let Found { header, token } = found;
    // `is_ssl()` is always false on the mock, so Basic only runs on a local site.
    let basic = if settings.environment == Environment::Local {
        header.and_then(credentials::basic_header).or_else(|| {
            credentials::basic_from_params(req.method, req.headers, req.raw_query, req.body)
        })
    } else {
        None
    };
    let presented = if token.is_some() {
        AuthKind::Bearer
    } else if basic.is_some() {
        AuthKind::Basic
    } else {
        AuthKind::None
    };
    let bearer = token.map(|token| match settings.secret() {
        None => Bearer::NoSecret,
        Some(secret) => match verify(token, secret) {
            Ok(claims) if token::check_claims(&claims, site_url, now).is_ok() => {
                Bearer::Claims(claims)
            }
            _ => Bearer::Rejected,
        },
    });
    Prepared {
        caller,
        presented,
        basic,
        bearer,
    }
}

/// Completes authentication under the world lock: the Basic password, and the Bearer checks
/// that read users and sessions. `settings` must match `world.config`.
pub fn finish(world: &World, settings: &AuthSettings, prepared: Prepared) -> AuthOutcome {
    let Prepared {
        mut caller,
        presented,
        basic,
        bearer,
    } = prepared;
    let fail = |caller: Caller, error: ApiError| AuthOutcome {
        caller,
        presented,
        error: Some(error),
    };
    if let Some(creds) = &basic {
        match basic_user(world, creds) {
            Ok(id) => {
                caller.user_id = Some(id);
                caller.auth = AuthKind::Basic;
            }
            Err(e) => return fail(caller, e),
        }
    }
    if let Some(bearer) = bearer {
        let plugin = settings.plugin;
        let checked = match bearer {
            Bearer::NoSecret => Err(errors::bad_config(plugin)),
            Bearer::Rejected => Err(errors::authentication_failed(plugin)),
            Bearer::Claims(claims) => {
                let device = Device {
                    ip: &caller.ip,
                    user_agent: caller.user_agent.as_deref(),
                };
                world.auth.validate_claims(&claims, plugin, device)
            }
        };
        match checked {
            Ok(id) => {
                caller.user_id = Some(id);
                caller.auth = AuthKind::Bearer;
            }
            Err(e) => {
                caller.user_id = None;
                caller.auth = AuthKind::None;
                return fail(caller, e);
            }
        }
    }
    AuthOutcome {
        caller,
        presented,
        error: None,
    }
}

/// Authenticates one request against the world, all under its lock and without remembered
/// tokens. Never fails: errors are in the outcome.
pub fn authenticate(world: &World, site_url: &str, now: i64, req: &RequestInfo<'_>) -> AuthOutcome {
    let settings = AuthSettings::of(&world.config);
    let found = Found::read(&settings, req);
    let caller = caller_of(req);
    let prepared = prepare_with(
        &settings,
        site_url,
        now,
        req,
        found,
        caller,
        |token, secret| token::verify_signature(token, secret).map(Arc::new),
    );
    finish(world, &settings, prepared)
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
