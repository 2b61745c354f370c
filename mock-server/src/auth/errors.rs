//! The exact errors (codes, messages, statuses) of CoCart's auth layer and the JWT plugin. v3
//! answers 403 where v2 answers 401.

use crate::config::PluginVersion;
use crate::error::ApiError;

/// The HTTP status of the plugin's auth and refresh errors.
fn plugin_status(plugin: PluginVersion) -> u16 {
    match plugin {
        PluginVersion::V3 => 403,
        PluginVersion::V2 => 401,
    }
}

/// `cocart_authentication_error` "Authentication failed." (any Bearer validation failure).
pub(crate) fn authentication_failed(plugin: PluginVersion) -> ApiError {
    ApiError::new(
        plugin_status(plugin),
        "cocart_authentication_error",
        "Authentication failed.",
    )
}

/// `cocart_jwt_auth_bad_config` "JWT configuration error." (no secret).
pub(crate) fn bad_config(plugin: PluginVersion) -> ApiError {
    ApiError::new(
        plugin_status(plugin),
        "cocart_jwt_auth_bad_config",
        "JWT configuration error.",
    )
}

/// `cocart_authentication_error` "Invalid refresh token.".
pub(crate) fn invalid_refresh_token(plugin: PluginVersion) -> ApiError {
    ApiError::new(
        plugin_status(plugin),
        "cocart_authentication_error",
        "Invalid refresh token.",
    )
}

/// `cocart_authentication_error` "Refresh token expired.".
pub(crate) fn refresh_token_expired(plugin: PluginVersion) -> ApiError {
    ApiError::new(
        plugin_status(plugin),
        "cocart_authentication_error",
        "Refresh token expired.",
    )
}

/// 3.0.2+: `cocart_jwt_auth_missing_refresh_token` "Refresh token is required.".
pub(crate) fn missing_refresh_token() -> ApiError {
    ApiError::new(
        403,
        "cocart_jwt_auth_missing_refresh_token",
        "Refresh token is required.",
    )
}

/// 401 `cocart_rest_not_authorized` (login without an authenticated user).
pub(crate) fn not_authorized() -> ApiError {
    ApiError::new(
        401,
        "cocart_rest_not_authorized",
        "Sorry, you are not authorized.",
    )
}

/// 401 `rest_forbidden` (validate-token as a guest).
pub(crate) fn rest_forbidden() -> ApiError {
    ApiError::new(
        401,
        "rest_forbidden",
        "Sorry, you are not allowed to do that.",
    )
}

/// Basic credentials with only one of username/password.
pub(crate) fn basic_incomplete() -> ApiError {
    ApiError::new(
        401,
        "cocart_authentication_error",
        "Authentication invalid!",
    )
}

/// Basic credentials naming no known user (CoCart 4.9).
pub(crate) fn basic_unknown_user() -> ApiError {
    ApiError::new(
        401,
        "cocart_authentication_error",
        "Authentication is invalid. Please check your login details are correct and try again.",
    )
}

/// Basic credentials with a wrong password.
pub(crate) fn basic_wrong_password() -> ApiError {
    ApiError::new(
        401,
        "cocart_authentication_error",
        "The password you entered is incorrect.",
    )
}

/// WordPress's fatal-error answer (what a PHP `TypeError` or a crashed host gives).
pub(crate) fn critical_error(status: u16) -> ApiError {
    ApiError::new(
        status,
        "internal_server_error",
        "<p>There has been a critical error on this website.</p>",
    )
}
