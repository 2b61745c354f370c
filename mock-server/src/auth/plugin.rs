//! The JWT plugin's behaviour on top of [`AuthWorld`]: Bearer validation, token issue on login,
//! refresh with rotation (v3 rotates the session's refresh token, v2 the user's single one) and
//! revocation (logout, password or email change, user deletion), for v3 and v2.

use super::AuthWorld;
use super::errors;
use super::token::{self, NewClaims};
use crate::config::{MockConfig, PluginVersion};
use crate::error::ApiError;
use rand::RngCore;
use serde_json::{Value, json};

/// What the plugin needs to know about the site and the moment.
#[derive(Clone, Copy)]
pub(crate) struct Site<'a> {
    /// The configuration in force.
    pub(crate) config: &'a MockConfig,
    /// `iss`.
    pub(crate) url: &'a str,
    /// Now on the virtual clock.
    pub(crate) now: i64,
}

impl Site<'_> {
    /// The secret, if one is configured and non-empty.
    fn secret(&self) -> Option<&str> {
        self.config.secret.as_deref().filter(|s| !s.is_empty())
    }

    fn plugin(&self) -> PluginVersion {
        self.config.plugin
    }
}

/// The client a token is bound to.
#[derive(Clone, Copy)]
pub(crate) struct Device<'a> {
    /// The client IP (`data.user.ip`).
    pub(crate) ip: &'a str,
    /// The sanitised User-Agent, if any (`data.user.device`, `""` when none).
    pub(crate) user_agent: Option<&'a str>,
}

/// `bin2hex(random_bytes(n))`.
fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A new token pair.
pub(crate) struct Issued {
    /// The access token.
    pub(crate) token: String,
    /// The refresh token.
    pub(crate) refresh_token: String,
}

/// The step of Bearer validation that read the plugin's state a token failed (the plugin
/// answers every one alike; the console names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StateCheck {
    /// A claim the step reads is missing (`data.user.id`, `data.user`, v3's `pat`).
    MissingClaim,
    /// The user no longer exists.
    UserGone,
    /// Bound to another client IP.
    OtherIp,
    /// Bound to another User-Agent.
    OtherUserAgent,
    /// v3: its session (`pat`) is no longer live.
    SessionGone,
}

impl AuthWorld {
    /// The steps of Bearer validation that read the plugin's state (the user exists, the IP and
    /// User-Agent binding, a live v3 session), on claims
    /// whose signature, expiry and issuer were already checked. Returns the user id.
    pub(crate) fn validate_claims(
        &self,
        claims: &token::Claims,
        plugin: PluginVersion,
        device: Device<'_>,
    ) -> Result<u64, ApiError> {
        self.check_state(claims, plugin, device)
            .map_err(|_| errors::authentication_failed(plugin))
    }

    /// [`validate_claims`](Self::validate_claims)'s steps, in the plugin's order: the user id,
    /// or the first step that failed.
    pub(crate) fn check_state(
        &self,
        claims: &token::Claims,
        plugin: PluginVersion,
        device: Device<'_>,
    ) -> Result<u64, StateCheck> {
        let user_id = claims.user_id().ok_or(StateCheck::MissingClaim)?;
        if !self.users.exists(user_id) {
            return Err(StateCheck::UserGone);
        }
        let user = claims.user().ok_or(StateCheck::MissingClaim)?;
        let ip = user.ip.as_ref().and_then(Value::as_str);
        if ip != Some(device.ip) {
            return Err(StateCheck::OtherIp);
        }
        let device_claim = user.device.as_ref().and_then(Value::as_str);
        if device.user_agent.is_some_and(|ua| device_claim != Some(ua)) {
            return Err(StateCheck::OtherUserAgent);
        }
        if plugin == PluginVersion::V3 {
            let pat = claims.pat().ok_or(StateCheck::MissingClaim)?;
            if !self.sessions.pat_is_live(user_id, pat) {
                return Err(StateCheck::SessionGone);
            }
        }
        Ok(user_id)
    }

    /// Signs a token for a user bound to `device`; v3 tokens carry `pat`.
    fn mint_for(
        &self,
        user_id: u64,
        secret: &str,
        site: Site<'_>,
        device: Device<'_>,
        pat: Option<&str>,
    ) -> Option<(String, i64)> {
        let user = self.users.get(user_id)?;
        let exp = site
            .now
            .saturating_add(i64::try_from(site.config.access_ttl).unwrap_or(i64::MAX));
        let token = token::mint(
            secret,
            &NewClaims {
                iss: site.url,
                iat: site.now,
                exp,
                user_id,
                username: &user.username,
                ip: device.ip,
                device: device.user_agent.unwrap_or(""),
                pat,
            },
        );
        Some((token, exp))
    }

    fn refresh_expiry(site: Site<'_>) -> i64 {
        site.now
            .saturating_add(i64::try_from(site.config.refresh_ttl).unwrap_or(i64::MAX))
    }

    /// v3: a new PAT session with its own access and refresh token.
    fn open_session(
        &mut self,
        user_id: u64,
        secret: &str,
        site: Site<'_>,
        device: Device<'_>,
    ) -> Option<Issued> {
        let pat = format!("pat_{}", random_hex(12));
        let (token, _) = self.mint_for(user_id, secret, site, device, Some(&pat))?;
        let refresh_token = random_hex(64);
        self.sessions
            .open_pat(user_id, &pat, &refresh_token, Self::refresh_expiry(site));
        Some(Issued {
            token,
            refresh_token,
        })
    }

    /// v2: the stored token if still valid, else a new one; and always a new refresh token.
    fn legacy_issue(
        &mut self,
        user_id: u64,
        secret: &str,
        site: Site<'_>,
        device: Device<'_>,
        reuse_stored: bool,
    ) -> Option<Issued> {
        let stored = reuse_stored
            .then(|| self.sessions.legacy_stored_token(user_id, site.now))
            .flatten()
            .map(str::to_string);
        let token = match stored {
            Some(t) => t,
            None => {
                let (t, exp) = self.mint_for(user_id, secret, site, device, None)?;
                self.sessions.legacy_store_token(user_id, &t, exp);
                t
            }
        };
        let refresh_token = random_hex(64);
        self.sessions
            .legacy_rotate_refresh(user_id, &refresh_token, Self::refresh_expiry(site));
        Some(Issued {
            token,
            refresh_token,
        })
    }

    /// The `extras` the plugin adds to a login response (`cocart_login_extras`).
    /// `bearer` is the request's Bearer token when it authenticated the login (v3 re-login).
    pub(crate) fn login_extras(
        &mut self,
        user_id: u64,
        bearer: Option<&str>,
        site: Site<'_>,
        device: Device<'_>,
    ) -> Value {
        let Some(secret) = site.secret() else {
            return json!([]);
        };
        let issued = match site.plugin() {
            PluginVersion::V3 => {
                if let Some(token) = bearer {
                    let refresh = token::decode_unverified(token)
                        .and_then(|c| c.pat().map(str::to_string))
                        .and_then(|pat| self.sessions.refresh_of_pat(user_id, &pat))
                        .map(str::to_string);
                    return json!({"jwt_token": token, "jwt_refresh": refresh});
                }
                self.open_session(user_id, secret, site, device)
            }
            PluginVersion::V2 => self.legacy_issue(user_id, secret, site, device, true),
        };
        match issued {
            Some(i) => json!({"jwt_token": i.token, "jwt_refresh": i.refresh_token}),
            None => json!([]),
        }
    }

    /// `POST cocart/jwt/refresh-token` checks, rotation, and a new pair bound to `device`.
    pub(crate) fn refresh(
        &mut self,
        refresh_token: Option<&str>,
        site: Site<'_>,
        device: Device<'_>,
    ) -> Result<Issued, ApiError> {
        let plugin = site.plugin();
        let refresh_token = refresh_token.filter(|r| !r.is_empty());
        let secret = match plugin {
            PluginVersion::V3 => {
                let secret = site.secret().ok_or_else(|| errors::bad_config(plugin))?;
                Some(secret)
            }
            PluginVersion::V2 => None,
        };
        let Some(refresh_token) = refresh_token else {
            return Err(match plugin {
                PluginVersion::V3 => errors::missing_refresh_token(),
                // v2.0–3.0.1: a PHP TypeError.
                PluginVersion::V2 => errors::critical_error(500),
            });
        };
        let row = self
            .sessions
            .find_refresh(refresh_token)
            .cloned()
            .ok_or_else(|| errors::invalid_refresh_token(plugin))?;
        if site.now > row.expires {
            return Err(errors::refresh_token_expired(plugin));
        }
        if !self.users.exists(row.user_id) {
            return Err(errors::authentication_failed(plugin));
        }
        let failed = || errors::authentication_failed(plugin);
        match plugin {
            PluginVersion::V3 => {
                let secret = secret.ok_or_else(|| errors::bad_config(plugin))?;
                if let Some(pat) = &row.pat {
                    self.sessions.destroy_pat(row.user_id, pat);
                }
                self.open_session(row.user_id, secret, site, device)
                    .ok_or_else(failed)
            }
            PluginVersion::V2 => {
                // v2 checks the refresh token before the secret; generation then needs it.
                let secret = site
                    .secret()
                    .ok_or_else(|| errors::bad_config(PluginVersion::V3))?;
                self.legacy_issue(row.user_id, secret, site, device, false)
                    .ok_or_else(failed)
            }
        }
    }

    /// `wp_logout`: deletes every session of the user (in v2 issued access tokens stay valid,
    /// because v2 validation never looks at the session meta).
    pub(crate) fn logout(&mut self, user_id: u64) {
        self.sessions.revoke_user(user_id);
    }
}
