//! What the JWT plugin keeps per site: users and their sessions. A leaf of the state: it knows
//! nothing of the server around it.

use super::sessions::Sessions;
use super::users::{UserError, Users};
use crate::config::{MockConfig, SeedUser};

/// Users and the JWT plugin's per-user session meta.
#[derive(Debug, Default)]
pub(crate) struct AuthWorld {
    /// WordPress users.
    pub(crate) users: Users,
    /// JWT sessions and refresh tokens.
    pub(crate) sessions: Sessions,
}

impl AuthWorld {
    /// Seeds users from the config: the seed document's `users`, then `config.users`; the demo
    /// customer when neither names anyone.
    pub(crate) fn seeded(config: &MockConfig) -> Result<Self, crate::MockError> {
        let mut world = Self {
            users: Users::new(),
            sessions: Sessions::default(),
        };
        let mut seeds: Vec<SeedUser> = Vec::new();
        if let Some(users) = config.seed.as_ref().and_then(|s| s.get("users")) {
            let parsed: Vec<SeedUser> = serde_json::from_value(users.clone())
                .map_err(|e| crate::MockError::Config(format!("seed users: {e}")))?;
            seeds.extend(parsed);
        }
        seeds.extend(config.users.iter().cloned());
        if seeds.is_empty() {
            seeds.push(demo_user());
        }
        for seed in &seeds {
            world
                .users
                .create(seed)
                .map_err(|e| crate::MockError::Config(format!("seed user: {e}")))?;
        }
        Ok(world)
    }

    /// Whether a WordPress user with this id exists.
    pub(crate) fn user_exists(&self, id: u64) -> bool {
        self.users.exists(id)
    }

    /// Creates a customer (test control). Returns the new id.
    pub(crate) fn create_user(&mut self, seed: &SeedUser) -> Result<u64, UserError> {
        self.users.create(seed)
    }

    /// Changes a password and/or email, revoking the user's tokens as the plugin does on
    /// `profile_update` / `after_password_reset`.
    pub(crate) fn update_user(
        &mut self,
        id: u64,
        password: Option<&str>,
        email: Option<&str>,
    ) -> Result<(), UserError> {
        if self.users.update(id, password, email)? {
            self.sessions.revoke_user(id);
        }
        Ok(())
    }

    /// Deletes a user and every token of theirs (`delete_user`).
    pub(crate) fn delete_user(&mut self, id: u64) -> Result<(), UserError> {
        self.users.delete(id)?;
        self.sessions.revoke_user(id);
        Ok(())
    }
}

/// The demo customer seeded when no users are configured.
pub(crate) fn demo_user() -> SeedUser {
    SeedUser {
        username: crate::config::DEMO_USERNAME.into(),
        email: crate::config::DEMO_EMAIL.into(),
        password: crate::config::DEMO_PASSWORD.into(),
        first_name: "Demo".into(),
        last_name: "Customer".into(),
    }
}
