//! CoCart's `determine_current_user` for one request (§3.1): Basic auth (only on a local site,
//! the mock being plain HTTP), then the JWT plugin at `cocart_authenticate` priority 0. An error
//! either records fails the whole request.

use super::client::{client_ip, user_agent};
use super::credentials::{self, BasicCreds};
use super::errors;
use super::plugin::{Device, Site};
use crate::config::Environment;
use crate::error::ApiError;
use crate::state::{AuthKind, Caller, World};
use http::{HeaderMap, Method};
use std::net::SocketAddr;

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

/// Authenticates one request against the world. Never fails: errors are in the outcome.
pub fn authenticate(world: &World, site_url: &str, now: i64, req: &RequestInfo<'_>) -> AuthOutcome {
    let ip = client_ip(req.headers, req.peer);
    let ua = user_agent(req.headers);
    let mut caller = Caller {
        user_id: None,
        auth: AuthKind::None,
        ip,
        user_agent: ua,
    };
    if !is_cocart_path(req.path) {
        return AuthOutcome {
            caller,
            presented: AuthKind::None,
            error: None,
        };
    }
    let config = &world.config;
    let header = credentials::auth_header(req.headers, &config.host_profile);
    let bearer = header.and_then(credentials::bearer_token);
    // `is_ssl()` is always false on the mock, so Basic only runs on a local site.
    let basic = if config.environment == Environment::Local {
        header.and_then(credentials::basic_header).or_else(|| {
            credentials::basic_from_params(req.method, req.headers, req.raw_query, req.body)
        })
    } else {
        None
    };
    let presented = if bearer.is_some() {
        AuthKind::Bearer
    } else if basic.is_some() {
        AuthKind::Basic
    } else {
        AuthKind::None
    };
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
    if let Some(token) = bearer {
        let site = Site {
            config,
            url: site_url,
            now,
        };
        let device = Device {
            ip: &caller.ip,
            user_agent: caller.user_agent.as_deref(),
        };
        match world.auth.validate_bearer(token, site, device) {
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
