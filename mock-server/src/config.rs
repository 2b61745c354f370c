//! Server configuration: what the CLI flags, the builder and `PUT /__mock/config` set.

use cocart_contract::model::{self as profile, ProfileError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Serialises a profile value as its flag text and reads it back through its `FromStr`, so the
/// flags, `PUT /__mock/config` and `cocart-mock verify` accept the same strings.
macro_rules! serde_as_flag_text {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Which JWT plugin family the mock behaves as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PluginVersion {
    /// CoCart JWT Authentication 3.0.x: 403 errors, PAT sessions, rotation kills the old token.
    #[default]
    V3,
    /// 2.x (2.5.x): 401 errors, no `pat`, one refresh token per user, logout does not kill tokens.
    V2,
}

impl FromStr for PluginVersion {
    type Err = ProfileError;
    /// `v3` (or `3`), `v2` (or `2`): the parser `cocart-mock verify` uses too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.parse::<profile::Plugin>()? {
            profile::Plugin::V3 => Self::V3,
            profile::Plugin::V2 => Self::V2,
        })
    }
}

impl fmt::Display for PluginVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V3 => "v3",
            Self::V2 => "v2",
        })
    }
}

serde_as_flag_text!(PluginVersion);

/// How the hosting in front of WordPress treats the `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HostProfile {
    /// The header reaches the app.
    #[default]
    Standard,
    /// A shared host without the rewrite rule: `Authorization` never reaches the app.
    StripAuthorization,
    /// CoCart 4.9's "Authorization Header" setting: the credentials are read from this header
    /// (only when `Authorization` is empty).
    CustomAuthHeader(String),
}

impl fmt::Display for HostProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Standard => f.write_str("standard"),
            Self::StripAuthorization => f.write_str("strip-authorization"),
            Self::CustomAuthHeader(h) => write!(f, "custom-auth-header:{h}"),
        }
    }
}

impl FromStr for HostProfile {
    type Err = ProfileError;
    /// `standard`, `strip-authorization`, `custom-auth-header:<Header-Name>` (letters, digits
    /// and dashes: a name a web server passes on to WordPress): the parser `cocart-mock verify`
    /// uses too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.parse::<profile::Host>()? {
            profile::Host::Standard => Self::Standard,
            profile::Host::StripAuthorization => Self::StripAuthorization,
            profile::Host::CustomHeader(name) => Self::CustomAuthHeader(name),
        })
    }
}

serde_as_flag_text!(HostProfile);

/// `WP_ENVIRONMENT_TYPE`, the four values WordPress knows. The mock is plain HTTP, so Basic
/// auth works only on `local` and `development`; on `staging` and `production` a Basic or
/// JSON-body login is not authenticated (401 `cocart_rest_not_authorized`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// Basic auth is accepted over plain HTTP (the default for a mock on loopback).
    #[default]
    Local,
    /// Basic auth is accepted over plain HTTP.
    Development,
    /// Basic auth over plain HTTP is not authenticated.
    Staging,
    /// Basic auth over plain HTTP is not authenticated.
    Production,
}

impl Environment {
    /// Whether Basic credentials are accepted over plain HTTP (`local`, `development`).
    pub fn basic_over_plain_http(self) -> bool {
        matches!(self, Self::Local | Self::Development)
    }
}

impl FromStr for Environment {
    type Err = ProfileError;
    /// `local`, `development`, `staging`, `production`: the parser `cocart-mock verify` uses too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.parse::<profile::Environment>()? {
            profile::Environment::Local => Self::Local,
            profile::Environment::Development => Self::Development,
            profile::Environment::Staging => Self::Staging,
            profile::Environment::Production => Self::Production,
        })
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Local => "local",
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        })
    }
}

serde_as_flag_text!(Environment);

/// A customer account to seed.
#[derive(Clone, Serialize, Deserialize)]
pub struct SeedUser {
    /// `user_login`.
    pub username: String,
    /// The account email (login also accepts it).
    pub email: String,
    /// The plaintext password (the mock keeps it in memory only).
    pub password: String,
    /// Optional first name.
    #[serde(default)]
    pub first_name: String,
    /// Optional last name.
    #[serde(default)]
    pub last_name: String,
}

impl fmt::Debug for SeedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedUser")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl FromStr for SeedUser {
    type Err = String;
    /// Parses `USER:PASSWORD` (the email becomes `USER@example.com`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (user, pass) = s
            .split_once(':')
            .ok_or_else(|| "expected USER:PASSWORD".to_string())?;
        if user.is_empty() || pass.is_empty() {
            return Err("expected USER:PASSWORD with both parts non-empty".into());
        }
        Ok(SeedUser {
            username: user.to_string(),
            email: format!("{user}@example.com"),
            password: pass.to_string(),
            first_name: String::new(),
            last_name: String::new(),
        })
    }
}

/// The demo customer seeded when no users are given.
pub const DEMO_USERNAME: &str = "demo";
/// The demo customer's password.
pub const DEMO_PASSWORD: &str = "demo-password";
/// The demo customer's email.
pub const DEMO_EMAIL: &str = "demo@example.com";
/// Default access-token lifetime: 10 days.
pub const DEFAULT_ACCESS_TTL: u64 = 864_000;
/// Default refresh-token lifetime: 30 days.
pub const DEFAULT_REFRESH_TTL: u64 = 2_592_000;
/// Default HS256 secret of the mock (the real plugin has none until the owner sets one).
pub const DEFAULT_SECRET: &str = "cocart-mock-secret";

/// Everything that configures a mock server.
#[derive(Clone)]
pub struct MockConfig {
    /// Address to bind; default `127.0.0.1`.
    pub host: String,
    /// Port to bind; `0` picks a free one.
    pub port: u16,
    /// `COCART_JWT_AUTH_SECRET_KEY`; `None` reproduces the plugin's missing-secret behaviour.
    pub secret: Option<String>,
    /// Access-token lifetime in seconds.
    pub access_ttl: u64,
    /// Refresh-token lifetime in seconds.
    pub refresh_ttl: u64,
    /// JWT plugin family.
    pub plugin: PluginVersion,
    /// Hosting behaviour for the Authorization header.
    pub host_profile: HostProfile,
    /// `WP_ENVIRONMENT_TYPE`.
    pub environment: Environment,
    /// Whether the CoCart Plus style rate limiter is on.
    pub rate_limit: bool,
    /// Users to seed. Empty means the demo customer.
    pub users: Vec<SeedUser>,
    /// Optional seed document (users and catalogue; format: [`crate::seed`]), already read from
    /// a file.
    pub seed: Option<serde_json::Value>,
    /// Whether the throughput-only fast paths are on (they never change an answer). Default:
    /// on, unless the environment variable `COCART_MOCK_FAST_PATHS` is `0` (or `false`, `off`,
    /// `no`), so that a whole test suite can run with them off.
    pub fast_paths: bool,
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("plugin", &self.plugin)
            .field("host_profile", &self.host_profile)
            .field("environment", &self.environment)
            .field("rate_limit", &self.rate_limit)
            .field("users", &self.users)
            .field("fast_paths", &self.fast_paths)
            .finish_non_exhaustive()
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            secret: Some(DEFAULT_SECRET.into()),
            access_ttl: DEFAULT_ACCESS_TTL,
            refresh_ttl: DEFAULT_REFRESH_TTL,
            plugin: PluginVersion::V3,
            host_profile: HostProfile::Standard,
            environment: Environment::Local,
            rate_limit: false,
            users: Vec::new(),
            seed: None,
            fast_paths: fast_paths_default(),
        }
    }
}

/// A partial configuration change (`PUT /__mock/config`, [`crate::MockServer::set_config`]).
/// Absent fields stay as they are; `secret: null` removes the secret.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPatch {
    /// JWT plugin family (`"v3"` / `"v2"`). Switching invalidates every token, as a plugin
    /// upgrade does.
    #[serde(default)]
    pub plugin: Option<PluginVersion>,
    /// Host profile (`"standard"`, `"strip-authorization"`, `"custom-auth-header:<Name>"`).
    #[serde(default)]
    pub host_profile: Option<HostProfile>,
    /// Access-token lifetime in seconds (applies to tokens issued afterwards).
    #[serde(default)]
    pub access_ttl: Option<u64>,
    /// Refresh-token lifetime in seconds (applies to tokens issued afterwards).
    #[serde(default)]
    pub refresh_ttl: Option<u64>,
    /// `Some(None)` removes the secret, `Some(Some(s))` sets it.
    #[serde(default, deserialize_with = "present_or_null")]
    pub secret: Option<Option<String>>,
    /// Rate limiter on/off.
    #[serde(default)]
    pub rate_limit: Option<bool>,
    /// `"local"`, `"development"`, `"staging"` or `"production"`.
    #[serde(default)]
    pub environment: Option<Environment>,
}

/// Distinguishes a key given as `null` (`Some(None)`) from an absent key (`None`).
fn present_or_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl fmt::Debug for ConfigPatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigPatch")
            .field("plugin", &self.plugin)
            .field("host_profile", &self.host_profile)
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field(
                "secret",
                &self
                    .secret
                    .as_ref()
                    .map(|s| s.as_ref().map(|_| "[redacted]")),
            )
            .field("rate_limit", &self.rate_limit)
            .field("environment", &self.environment)
            .finish()
    }
}

impl MockConfig {
    /// Applies a patch. Returns whether the plugin family changed.
    pub(crate) fn apply(&mut self, patch: &ConfigPatch) -> bool {
        let before = self.plugin;
        if let Some(p) = patch.plugin {
            self.plugin = p;
        }
        if let Some(h) = &patch.host_profile {
            self.host_profile = h.clone();
        }
        if let Some(t) = patch.access_ttl {
            self.access_ttl = t;
        }
        if let Some(t) = patch.refresh_ttl {
            self.refresh_ttl = t;
        }
        if let Some(s) = &patch.secret {
            self.secret = s.clone();
        }
        if let Some(r) = patch.rate_limit {
            self.rate_limit = r;
        }
        if let Some(e) = patch.environment {
            self.environment = e;
        }
        before != self.plugin
    }

    /// The runtime settings as JSON, with the secret redacted (`"[redacted]"` or `null`).
    pub(crate) fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "plugin": self.plugin,
            "host_profile": self.host_profile,
            "access_ttl": self.access_ttl,
            "refresh_ttl": self.refresh_ttl,
            "secret": self.secret.as_ref().map(|_| "[redacted]"),
            "rate_limit": self.rate_limit,
            "environment": self.environment,
        })
    }
}

/// The environment variable that sets the default of the switch (`0`, `false`, `off` or `no`
/// turn it off), so a whole test suite can run with fast paths off without a rebuild.
pub(crate) const FAST_PATHS_ENV_VAR: &str = "COCART_MOCK_FAST_PATHS";

/// The default of the switch: on, unless [`FAST_PATHS_ENV_VAR`] turns it off.
pub(crate) fn fast_paths_default() -> bool {
    switch_value(std::env::var(FAST_PATHS_ENV_VAR).ok().as_deref())
}

/// The switch as a value of [`FAST_PATHS_ENV_VAR`] sets it: on unless `0`, `false`, `off` or `no`.
pub(crate) fn switch_value(value: Option<&str>) -> bool {
    value.is_none_or(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "0" | "false" | "off" | "no"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_distinguishes_null_secret_from_absent() {
        let p: ConfigPatch = serde_json::from_str(r#"{"secret":null}"#).unwrap();
        assert_eq!(p.secret, Some(None));
        let p: ConfigPatch = serde_json::from_str(r#"{"rate_limit":true}"#).unwrap();
        assert_eq!(p.secret, None);
        assert!(serde_json::from_str::<ConfigPatch>(r#"{"secrett":"x"}"#).is_err());
        let mut c = MockConfig::default();
        let changed = c.apply(&serde_json::from_str(r#"{"plugin":"v2","secret":null}"#).unwrap());
        assert!(changed);
        assert_eq!(c.view()["secret"], serde_json::Value::Null);
        assert!(
            !format!(
                "{:?}",
                serde_json::from_str::<ConfigPatch>(r#"{"secret":"hunter2"}"#).unwrap()
            )
            .contains("hunter2")
        );
    }

    #[test]
    fn host_profiles_parse() {
        assert_eq!(
            "custom-auth-header:X-CoCart-Auth".parse::<HostProfile>(),
            Ok(HostProfile::CustomAuthHeader("X-CoCart-Auth".into()))
        );
        assert!("custom-auth-header:".parse::<HostProfile>().is_err());
        assert!("custom-auth-header:X_Auth".parse::<HostProfile>().is_err());
        assert!("nope".parse::<HostProfile>().is_err());
        assert_eq!(
            serde_json::from_str::<ConfigPatch>(r#"{"environment":"staging","plugin":"2"}"#)
                .map(|p| (p.environment, p.plugin))
                .ok(),
            Some((Some(Environment::Staging), Some(PluginVersion::V2)))
        );
    }
}
