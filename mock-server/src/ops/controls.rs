//! The test controls as plain functions on the shared state, used by both the `/__mock/` routes
//! and the Rust API of [`crate::MockServer`].

use super::faults::FaultSpec;
use super::journal::JournalEntry;
use crate::auth::UserError;
use crate::config::{ConfigPatch, SeedUser};
use crate::error::MockError;
use crate::state::Shared;

impl From<UserError> for MockError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::NotFound(_) => MockError::NotFound(e.to_string()),
            UserError::Conflict(m) => MockError::Conflict(m),
            UserError::Invalid(m) => MockError::Invalid(m),
        }
    }
}

/// Creates a customer and returns its id.
pub(crate) fn create_user(shared: &Shared, user: &SeedUser) -> Result<u64, MockError> {
    let id = shared.world().auth.create_user(user)?;
    shared.control_changed();
    Ok(id)
}

/// Changes a password and/or email; revokes the user's tokens as the plugin does.
pub(crate) fn update_user(
    shared: &Shared,
    id: u64,
    password: Option<&str>,
    email: Option<&str>,
) -> Result<(), MockError> {
    if password.is_none() && email.is_none() {
        return Err(MockError::Invalid("give a password and/or an email".into()));
    }
    let mut world = shared.world();
    world.auth.update_user(id, password, email)?;
    let why = match (password, email) {
        (Some(_), Some(_)) => "password and email changed",
        (Some(_), None) => "password changed",
        _ => "email changed",
    };
    shared
        .lineage
        .revoked_by_control(shared.now(), Some(id), why);
    drop(world);
    shared.control_changed();
    Ok(())
}

/// Deletes a user and revokes all of their tokens.
pub(crate) fn delete_user(shared: &Shared, id: u64) -> Result<(), MockError> {
    let mut world = shared.world();
    world.auth.delete_user(id)?;
    shared
        .lineage
        .revoked_by_control(shared.now(), Some(id), "user deleted");
    drop(world);
    shared.control_changed();
    Ok(())
}

/// Applies a configuration patch; returns the resulting settings (secret redacted).
pub(crate) fn set_config(shared: &Shared, patch: &ConfigPatch) -> serde_json::Value {
    let mut world = shared.world();
    if world.config.apply(patch) {
        world.auth.sessions.clear();
        shared.lineage.revoked_by_control(
            shared.now(),
            None,
            "the plugin generation changed (every session cleared)",
        );
    }
    shared.fast.settings_changed(&world.config);
    let view = world.config.view();
    drop(world);
    shared.control_changed();
    view
}

/// Schedules a fault.
pub(crate) fn add_fault(shared: &Shared, spec: FaultSpec) -> Result<(), MockError> {
    shared
        .world()
        .ops
        .faults
        .add(spec)
        .map_err(MockError::Invalid)?;
    shared.control_changed();
    Ok(())
}

/// The journal, in arrival order.
pub(crate) fn journal(shared: &Shared) -> Vec<JournalEntry> {
    shared.journal.entries()
}

/// Empties the journal.
pub(crate) fn clear_journal(shared: &Shared) {
    shared.journal.clear();
    shared.control_changed();
}
