//! What authentication reads from the configuration: the secret, the host profile, the
//! environment and the plugin family. `Debug` never shows the secret.

use crate::config::{Environment, HostProfile, MockConfig, PluginVersion};
use std::fmt;

/// What authentication reads from the configuration. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AuthSettings {
    /// The JWT secret (`None` or empty: not configured).
    pub(crate) secret: Option<String>,
    /// How the host treats the `Authorization` header.
    pub(crate) host_profile: HostProfile,
    /// Whether Basic auth works over plain HTTP.
    pub(crate) environment: Environment,
    /// The JWT plugin family.
    pub(crate) plugin: PluginVersion,
}

impl fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSettings")
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("host_profile", &self.host_profile)
            .field("environment", &self.environment)
            .field("plugin", &self.plugin)
            .finish()
    }
}

impl AuthSettings {
    /// The settings in force in `config`.
    pub(crate) fn of(config: &MockConfig) -> Self {
        Self {
            secret: config.secret.clone(),
            host_profile: config.host_profile.clone(),
            environment: config.environment,
            plugin: config.plugin,
        }
    }

    /// Whether `config` still has exactly these settings.
    pub(crate) fn matches(&self, config: &MockConfig) -> bool {
        self.secret == config.secret
            && self.host_profile == config.host_profile
            && self.environment == config.environment
            && self.plugin == config.plugin
    }

    /// The secret, if one is configured and non-empty.
    pub(crate) fn secret(&self) -> Option<&str> {
        self.secret.as_deref().filter(|s| !s.is_empty())
    }
}
