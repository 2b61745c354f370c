//! The CoCart authentication layer and the JWT plugin: users, sessions, tokens.

use crate::config::MockConfig;

/// Users and the JWT plugin's per-user session meta.
#[derive(Debug, Default)]
pub struct AuthWorld {}

impl AuthWorld {
    /// Seeds users from the config.
    pub fn seeded(_config: &MockConfig) -> Result<Self, crate::MockError> {
        Ok(Self::default())
    }

    /// Whether a WordPress user with this id exists.
    pub fn user_exists(&self, _id: u64) -> bool {
        false
    }
}
