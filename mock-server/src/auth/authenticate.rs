//! CoCart's `determine_current_user` for one request: Basic auth (only on a local site, the mock
//! being plain HTTP), then the JWT plugin at `cocart_authenticate` priority 0. An error either
//! records fails the whole request.
//!
//! It runs in two steps: [`prepare_with`] reads the credentials and checks a Bearer token's
//! signature, expiry and issuer; [`finish`] does what needs the world (the Basic password, users
//! and sessions) under its lock. The plain path, [`authenticate()`], runs both under the lock;
//! with fast paths on, [`crate::fast::auth_memo`] runs the first before the lock.

use super::client::{client_ip, user_agent};
use super::credentials::{self, BasicCreds};
use super::errors;
use super::plugin::Device;
use super::settings::AuthSettings;
use super::token::{self, Claims, Rejection};
use crate::caller::{AuthKind, Caller};
use crate::error::ApiError;
use crate::state::World;
use http::{HeaderMap, Method};
use std::net::SocketAddr;
use std::sync::Arc;

/// What the auth layer reads from a request.
pub(crate) struct RequestInfo<'a> {
    /// The effective method.
    pub(crate) method: &'a Method,
    /// The routed REST path, e.g. `/wp-json/cocart/v2/cart`.
    pub(crate) path: &'a str,
    /// Request headers.
    pub(crate) headers: &'a HeaderMap,
    /// The raw query string.
    pub(crate) raw_query: Option<&'a str>,
    /// The buffered body.
    pub(crate) body: &'a [u8],
    /// The TCP peer.
    pub(crate) peer: SocketAddr,
}

/// The result of authenticating a request.
#[derive(Debug)]
pub(crate) struct AuthOutcome {
    /// Who the handlers see (a guest when `error` is set).
    pub(crate) caller: Caller,
    /// The kind of credentials that reached the app (for the journal), valid or not.
    pub(crate) presented: AuthKind,
    /// The error that fails the whole request, if any.
    pub(crate) error: Option<ApiError>,
}

/// `CoCart::is_rest_api_request`: CoCart only authenticates `…/cocart/…` requests.
pub(crate) fn is_cocart_path(path: &str) -> bool {
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
pub(crate) struct Prepared {
    caller: Caller,
    presented: AuthKind,
    basic: Option<BasicCreds>,
    bearer: Option<Bearer>,
}

/// Who the client is, as far as the request tells.
pub(crate) fn caller_of(req: &RequestInfo<'_>) -> Caller {
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
pub(crate) struct Found<'a> {
    pub(crate) header: Option<&'a str>,
    pub(crate) token: Option<&'a str>,
}

impl<'a> Found<'a> {
    pub(crate) fn read(settings: &AuthSettings, req: &RequestInfo<'a>) -> Self {
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

/// The Basic credentials of a request, as CoCart reads them: the header, else the query or body
/// params. `is_ssl()` is always false on the mock, so only on a local or development site.
pub(crate) fn basic_credentials(
    settings: &AuthSettings,
    req: &RequestInfo<'_>,
    found: Found<'_>,
) -> Option<BasicCreds> {
    if !settings.environment.basic_over_plain_http() {
        return None;
    }
    found
        .header
        .and_then(credentials::basic_header)
        .or_else(|| {
            credentials::basic_from_params(req.method, req.headers, req.raw_query, req.body)
        })
}

pub(crate) fn prepare_with(
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
    let token = found.token;
    let basic = basic_credentials(settings, req, found);
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
pub(crate) fn finish(world: &World, settings: &AuthSettings, prepared: Prepared) -> AuthOutcome {
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
pub(crate) fn authenticate(
    world: &World,
    site_url: &str,
    now: i64,
    req: &RequestInfo<'_>,
) -> AuthOutcome {
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
