//! The auth routes: CoCart core's `POST cocart/v2/login` and `POST cocart/v2/logout`, and the
//! JWT plugin's `POST cocart/jwt/refresh-token` and `POST cocart/jwt/validate-token`.
//!
//! The auth middleware has already run: a request that reaches these handlers either carries no
//! credentials or valid ones, described by the [`Caller`](crate::caller::Caller) extension.

use super::credentials;
use super::errors;
use super::plugin::{Device, Site};
use crate::caller::{AuthKind, TakeCaller};
use crate::console::lineage::{PresentedRow, RefreshSeen};
use crate::console::observe;
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::trace::RequestTrace;
use crate::state::{AppState, World};
use axum::Extension;
use axum::Json;
use axum::extract::{RawQuery, State};
use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// CoCart's login `dev_note`.
const DEV_NOTE: &str = "Don't forget to store the users login information in order to authenticate all other routes with CoCart.";

/// The request pieces every auth handler reads.
type Parts = (Method, HeaderMap, Option<String>, Bytes);

fn params(parts: &Parts) -> Result<Params, ApiError> {
    Params::parse(&parts.0, &parts.1, parts.2.as_deref(), &parts.3)
}

/// Gravatar-style avatar URLs for the three sizes WordPress returns.
fn avatar_urls(email: &str) -> Value {
    let hash = hex::encode(Sha256::digest(email.trim().to_ascii_lowercase().as_bytes()));
    let mut map = serde_json::Map::new();
    for size in ["24", "48", "96"] {
        map.insert(
            size.to_string(),
            Value::String(format!(
                "https://secure.gravatar.com/avatar/{hash}?s={size}&d=mm&r=g"
            )),
        );
    }
    Value::Object(map)
}

/// `POST /wp-json/cocart/v2/login`.
pub(crate) async fn login(
    State(state): State<AppState>,
    trace: Option<Extension<RequestTrace>>,
    TakeCaller(caller): TakeCaller,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let parts = (method, headers, query, body);
    params(&parts)?;
    let user_id = caller.user_id.ok_or_else(errors::not_authorized)?;
    let now = state.now();
    let mut guard = state.world();
    let World { config, auth, .. } = &mut *guard;
    let bearer = (caller.auth == AuthKind::Bearer)
        .then(|| credentials::auth_header(&parts.1, &config.host_profile))
        .flatten()
        .and_then(credentials::bearer_token);
    let user = auth
        .users
        .get(user_id)
        .cloned()
        .ok_or_else(errors::not_authorized)?;
    let site = Site {
        config,
        url: &state.site_url,
        now,
    };
    let device = Device {
        ip: &caller.ip,
        user_agent: caller.user_agent.as_deref(),
    };
    let extras = auth.login_extras(user_id, bearer, site, device);
    let refresh = extras.get("jwt_refresh").and_then(Value::as_str);
    if let Some(Extension(RequestTrace {
        request: Some(request),
        ..
    })) = &trace
    {
        let token = extras.get("jwt_token").and_then(Value::as_str);
        let refresh_exp = refresh
            .and_then(|r| auth.sessions.find_refresh(r))
            .map(|row| row.expires);
        state.lineage.login(
            request,
            now,
            user_id,
            token.map(|t| (t, observe::access_claims(t))),
            refresh.map(|r| (r, refresh_exp)),
            bearer.is_some(),
        );
    }
    drop(guard);
    if let Some(Extension(RequestTrace { note, .. })) = &trace {
        match refresh {
            Some(refresh) => note.issued(user_id, refresh),
            None => note.user(user_id),
        }
    }
    Ok(Json(json!({
        "user_id": user.id.to_string(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name(),
        "role": "Customer",
        "avatar_urls": avatar_urls(&user.email),
        "email": user.email,
        "extras": extras,
        "dev_note": DEV_NOTE,
    })))
}

/// `POST /wp-json/cocart/v2/logout`: `wp_logout()` then `true`.
pub(crate) async fn logout(
    State(state): State<AppState>,
    trace: Option<Extension<RequestTrace>>,
    TakeCaller(caller): TakeCaller,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    params(&(method, headers, query, body))?;
    if let Some(id) = caller.user_id {
        let mut world = state.world();
        world.auth.logout(id);
        if let Some(Extension(RequestTrace {
            request: Some(request),
            ..
        })) = &trace
        {
            state.lineage.logout(request, state.now(), id);
        }
    }
    Ok(Json(Value::Bool(true)))
}

/// The `refresh_token` param as PHP would cast it to a string.
fn refresh_param(p: &Params) -> Option<String> {
    match p.get("refresh_token")? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1".into() } else { String::new() }),
        Value::Array(_) | Value::Object(_) => Some("Array".into()),
    }
}

/// `POST /wp-json/cocart/jwt/refresh-token`.
pub(crate) async fn refresh_token(
    State(state): State<AppState>,
    trace: Option<Extension<RequestTrace>>,
    TakeCaller(caller): TakeCaller,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let p = params(&(method, headers, query, body))?;
    let refresh = refresh_param(&p);
    let note = trace.as_ref().map(|Extension(t)| t.note.clone());
    if let (Some(note), Some(r)) = (&note, refresh.as_deref().filter(|r| !r.is_empty())) {
        note.presented(r);
    }
    let now = state.now();
    let mut guard = state.world();
    let World { config, auth, .. } = &mut *guard;
    let site = Site {
        config,
        url: &state.site_url,
        now,
    };
    let device = Device {
        ip: &caller.ip,
        user_agent: caller.user_agent.as_deref(),
    };
    let row = refresh
        .as_deref()
        .and_then(|r| auth.sessions.find_refresh(r))
        .cloned();
    let owner = row.as_ref().map(|row| row.user_id);
    let issued = auth.refresh(refresh.as_deref(), site, device);
    if let Some(Extension(RequestTrace {
        request: Some(request),
        ..
    })) = &trace
    {
        let new_refresh_exp = issued
            .as_ref()
            .ok()
            .and_then(|i| auth.sessions.find_refresh(&i.refresh_token))
            .map(|r| r.expires)
            .unwrap_or_default();
        let seen = RefreshSeen {
            presented: refresh.as_deref().filter(|r| !r.is_empty()),
            row: match &row {
                Some(r) if now > r.expires => PresentedRow::Expired,
                Some(_) => PresentedRow::Live,
                None => PresentedRow::Unknown,
            },
            old_pat: row.as_ref().and_then(|r| r.pat.as_deref()),
            owner,
            issued: issued
                .as_ref()
                .ok()
                .map(|i| (i.token.as_str(), i.refresh_token.as_str(), new_refresh_exp)),
            refused: issued
                .as_ref()
                .err()
                .map(|e| (e.status.as_u16(), e.code.as_str())),
        };
        state
            .lineage
            .refresh(request, now, seen, observe::access_claims);
    }
    drop(guard);
    if let (Some(note), Some(owner)) = (&note, owner) {
        match &issued {
            Ok(i) => note.issued(owner, &i.refresh_token),
            Err(_) => note.user(owner),
        }
    }
    let issued = issued?;
    Ok(Json(
        json!({"token": issued.token, "refresh_token": issued.refresh_token}),
    ))
}

/// `POST /wp-json/cocart/jwt/validate-token`: any authenticated caller passes.
pub(crate) async fn validate_token(
    TakeCaller(caller): TakeCaller,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    params(&(method, headers, query, body))?;
    if caller.user_id.is_none() {
        return Err(errors::rest_forbidden());
    }
    Ok(Json(json!({"message": "Token is valid."})))
}
