//! The CoCart authentication layer and the JWT plugin: users, sessions, tokens.
//!
//! - [`users`]: WordPress accounts.
//! - [`sessions`]: the plugin's per-user session meta (v3 PATs, v2 single tokens).
//! - [`token`]: minting and verifying HS256 tokens.
//! - [`plugin`]: the plugin's behaviour (validate a Bearer, issue, refresh, revoke).
//! - [`credentials`], [`client`], [`authenticate`](mod@authenticate): how a request is
//!   authenticated.
//! - [`settings`]: what authentication reads from the configuration.
//! - [`handlers`]: `login`, `logout`, `cocart/jwt/refresh-token`, `cocart/jwt/validate-token`.

pub(crate) mod authenticate;
pub(crate) mod client;
pub(crate) mod credentials;
pub(crate) mod errors;
pub(crate) mod handlers;
pub(crate) mod plugin;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod token;
pub(crate) mod users;
pub(crate) mod world;

use crate::state::AppState;
use axum::Router;
use axum::routing::post;

pub(crate) use users::UserError;
pub(crate) use world::AuthWorld;

/// The login/logout routes of CoCart core and the JWT plugin's routes (full paths).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/wp-json/cocart/v2/login", post(handlers::login))
        .route("/wp-json/cocart/v2/logout", post(handlers::logout))
        .route(
            "/wp-json/cocart/jwt/refresh-token",
            post(handlers::refresh_token),
        )
        .route(
            "/wp-json/cocart/jwt/validate-token",
            post(handlers::validate_token),
        )
}
