//! What the pipeline and the auth handlers tell the console: the small hooks that turn their
//! decisions into [`lineage`](super::lineage) events. A refused request is diagnosed here, off
//! the path of requests that pass.

use super::lineage::{AccessClaims, RequestRef, TokenCheck};
use crate::auth::authenticate::{Found, RequestInfo, basic_credentials, caller_of};
use crate::auth::plugin::{Device, StateCheck};
use crate::auth::settings::AuthSettings;
use crate::auth::token::{self, Rejection};
use crate::caller::AuthKind;
use crate::config::PluginVersion;
use crate::error::ApiError;
use crate::state::{AppState, World};

/// The claims of an access token the console shows (read without checking the signature: the
/// console only displays them).
pub(crate) fn access_claims(token: &str) -> AccessClaims {
    let Some(claims) = token::decode_unverified(token) else {
        return AccessClaims::default();
    };
    AccessClaims {
        pat: claims.pat().map(str::to_string),
        iat: claims.iat.as_ref().and_then(token::php_number),
        exp: claims.exp.as_ref().and_then(token::php_number),
    }
}

/// Records why a request was refused before its handler ran, when its credentials were the
/// reason: a Bearer token (diagnosed check by check) or Basic credentials.
pub(crate) fn refused(
    state: &AppState,
    req: &RequestInfo<'_>,
    presented: AuthKind,
    error: &ApiError,
    request: &RequestRef,
) {
    let status = error.status.as_u16();
    let now = state.now();
    let world = state.world();
    let settings = AuthSettings::of(&world.config);
    let found = Found::read(&settings, req);
    match presented {
        AuthKind::Bearer => {
            let Some(token) = found.token else { return };
            let (check, user) = diagnose(&world, &settings, &state.site_url, now, req, token);
            let claims = access_claims(token);
            state.lineage.rejection(
                request,
                now,
                (status, &error.code),
                Some((token, claims, user)),
                check,
            );
        }
        AuthKind::Basic => {
            let user = basic_credentials(&settings, req, found)
                .as_ref()
                .and_then(|c| world.auth.users.find_for_login(&c.username))
                .map(|u| u.id);
            state
                .lineage
                .login_refused(request, now, user, (status, &error.code));
        }
        AuthKind::None => {}
    }
}

/// The first of the plugin's checks a Bearer token fails, and the user it names when its
/// signature holds.
fn diagnose(
    world: &World,
    settings: &AuthSettings,
    site_url: &str,
    now: i64,
    req: &RequestInfo<'_>,
    token: &str,
) -> (TokenCheck, Option<u64>) {
    let Some(secret) = settings.secret() else {
        return (TokenCheck::NoSecret, None);
    };
    let claims = match token::verify_signature(token, secret) {
        Ok(c) => c,
        Err(Rejection::Header) => return (TokenCheck::Malformed, None),
        Err(_) => return (TokenCheck::BadSignature, None),
    };
    let user = claims.user_id();
    let check = match token::check_claims(&claims, site_url, now) {
        Err(Rejection::Expired) => TokenCheck::Expired,
        Err(Rejection::Issuer) => TokenCheck::OtherIssuer,
        Err(_) => TokenCheck::Malformed,
        Ok(()) => session_check(world, settings.plugin, req, &claims),
    };
    (check, user)
}

/// The checks that read the plugin's state, in its order (the plugin's own steps).
fn session_check(
    world: &World,
    plugin: PluginVersion,
    req: &RequestInfo<'_>,
    claims: &token::Claims,
) -> TokenCheck {
    let caller = caller_of(req);
    let device = Device {
        ip: &caller.ip,
        user_agent: caller.user_agent.as_deref(),
    };
    match world.auth.check_state(claims, plugin, device) {
        Ok(_) => TokenCheck::Passed,
        Err(StateCheck::MissingClaim) => TokenCheck::Malformed,
        Err(StateCheck::UserGone) => TokenCheck::UserGone,
        Err(StateCheck::OtherIp) => TokenCheck::OtherIp,
        Err(StateCheck::OtherUserAgent) => TokenCheck::OtherUserAgent,
        Err(StateCheck::SessionGone) => TokenCheck::SessionGone,
    }
}
