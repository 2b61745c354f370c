//! Login and token-refresh responses: the login answer carries the JWT and the refresh token in
//! `extras`, the refresh answer a new `token` and `refresh_token`.
//!
//! Token values are plain `String`s here; the auth layer wraps them in secrets right away. Every
//! type holding a token has a hand-written `Debug` that prints `[redacted]` instead of the value,
//! and none implements `Serialize`.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::lenient;

/// What `Debug` prints instead of a secret.
const REDACTED: &str = "[redacted]";

/// `POST /cocart/v2/login` on success. `Debug` redacts the tokens and prints only the names of
/// unknown fields.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct LoginResponse {
    /// The user id as sent: a string such as `"42"` (a number is accepted). See
    /// [`LoginResponse::user_id_u64`].
    #[serde(deserialize_with = "lenient::string")]
    pub user_id: String,
    /// First name.
    #[serde(deserialize_with = "lenient::string")]
    pub first_name: String,
    /// Last name.
    #[serde(deserialize_with = "lenient::string")]
    pub last_name: String,
    /// Display name.
    #[serde(deserialize_with = "lenient::string")]
    pub display_name: String,
    /// Roles, capitalised and comma-joined, e.g. `"Customer"`.
    #[serde(deserialize_with = "lenient::string")]
    pub role: String,
    /// Avatar URLs by pixel size (`"24"`, `"48"`, `"96"`); `[]` decodes to empty.
    #[serde(deserialize_with = "lenient::string_map")]
    pub avatar_urls: BTreeMap<String, String>,
    /// Email address.
    #[serde(deserialize_with = "lenient::string")]
    pub email: String,
    /// Data added by plugins, notably the JWT pair; `[]` decodes to empty.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub extras: LoginExtras,
    /// The store's reminder text.
    #[serde(deserialize_with = "lenient::string")]
    pub dev_note: String,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginResponse")
            .field("user_id", &self.user_id)
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("avatar_urls", &self.avatar_urls)
            .field("email", &self.email)
            .field("extras", &self.extras)
            .field("dev_note", &self.dev_note)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl LoginResponse {
    /// The user id as a number, `None` when it is not a plain non-negative integer.
    pub fn user_id_u64(&self) -> Option<u64> {
        self.user_id.trim().parse().ok()
    }
}

/// The login `extras`: `{"jwt_token","jwt_refresh"}` from the JWT add-on, or `[]` without it (or
/// without its secret). Only non-empty JSON strings become tokens: a stray integer (v1.0.x) or
/// `WP_Error` object (v2.2–2.4) gives `None`, and a Bearer re-login may send `jwt_refresh: null`.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct LoginExtras {
    /// The access token (a JWT), when the add-on minted or echoed one.
    #[serde(deserialize_with = "lenient::opt_string_strict")]
    pub jwt_token: Option<String>,
    /// The refresh token (128 hex chars), when sent.
    #[serde(deserialize_with = "lenient::opt_string_strict")]
    pub jwt_refresh: Option<String>,
    /// Other extras a plugin added (values are not printed by `Debug`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LoginExtras {
    /// Whether a JWT access token came back.
    pub fn has_jwt(&self) -> bool {
        self.jwt_token.is_some()
    }
}

/// Prints `Some("[redacted]")` for a present secret, `None` otherwise.
fn redact(value: &Option<String>) -> Option<&'static str> {
    value.as_ref().map(|_| REDACTED)
}

impl fmt::Debug for LoginExtras {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginExtras")
            .field("jwt_token", &redact(&self.jwt_token))
            .field("jwt_refresh", &redact(&self.jwt_refresh))
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `POST /cocart/jwt/refresh-token` on success: a new pair that replaces both old values.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RefreshResponse {
    /// The new access token (JWT).
    #[serde(deserialize_with = "lenient::string")]
    pub token: String,
    /// The new refresh token (the old one is now dead).
    #[serde(deserialize_with = "lenient::string")]
    pub refresh_token: String,
    /// Unknown fields (values are not printed by `Debug`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl fmt::Debug for RefreshResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshResponse")
            .field("token", &REDACTED)
            .field("refresh_token", &REDACTED)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}
