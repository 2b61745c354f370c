//! WordPress users: the accounts the store knows. Passwords are kept in memory only and never
//! appear in `Debug` output.

use crate::auth::token::timing_safe_eq;
use crate::config::SeedUser;
use std::collections::BTreeMap;
use std::fmt;

/// One WordPress user (role `customer`).
#[derive(Clone)]
pub(crate) struct User {
    /// The user id (WordPress ids start at 1).
    pub(crate) id: u64,
    /// `user_login`.
    pub(crate) username: String,
    /// `user_email`.
    pub(crate) email: String,
    password: String,
    /// First name.
    pub(crate) first_name: String,
    /// Last name.
    pub(crate) last_name: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl User {
    /// Whether `password` is this user's password (timing-safe).
    pub(crate) fn password_matches(&self, password: &str) -> bool {
        timing_safe_eq(self.password.as_bytes(), password.as_bytes())
    }

    /// `display_name`: the first name when set, else the login.
    pub(crate) fn display_name(&self) -> &str {
        if self.first_name.is_empty() {
            &self.username
        } else {
            &self.first_name
        }
    }
}

/// Why a user operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UserError {
    /// No user has that id.
    #[error("no user with id {0}")]
    NotFound(u64),
    /// The login or email is already used by another account.
    #[error("{0}")]
    Conflict(String),
    /// A required field is empty or malformed.
    #[error("{0}")]
    Invalid(String),
}

/// All users, by id.
#[derive(Debug, Default)]
pub(crate) struct Users {
    by_id: BTreeMap<u64, User>,
    next_id: u64,
}

impl Users {
    /// An empty user table whose first id is 1.
    pub(crate) fn new() -> Self {
        Self {
            by_id: BTreeMap::new(),
            next_id: 1,
        }
    }

    /// Adds a user and returns its id.
    pub(crate) fn create(&mut self, seed: &SeedUser) -> Result<u64, UserError> {
        let username = seed.username.trim();
        let email = seed.email.trim();
        if username.is_empty() || seed.password.is_empty() {
            return Err(UserError::Invalid(
                "username and password must not be empty".into(),
            ));
        }
        if !email.contains('@') {
            return Err(UserError::Invalid(format!("invalid email {email:?}")));
        }
        if self.find_by_login(username).is_some() {
            return Err(UserError::Conflict(format!(
                "the username {username:?} is already registered"
            )));
        }
        if self.find_by_email(email).is_some() {
            return Err(UserError::Conflict(format!(
                "the email {email:?} is already registered"
            )));
        }
        let id = self.next_id;
        self.next_id += 1;
        self.by_id.insert(
            id,
            User {
                id,
                username: username.to_string(),
                email: email.to_string(),
                password: seed.password.clone(),
                first_name: seed.first_name.clone(),
                last_name: seed.last_name.clone(),
            },
        );
        Ok(id)
    }

    /// The user with this id.
    pub(crate) fn get(&self, id: u64) -> Option<&User> {
        self.by_id.get(&id)
    }

    /// Every user, by ascending id.
    pub(crate) fn all(&self) -> impl Iterator<Item = &User> {
        self.by_id.values()
    }

    /// Whether the id exists.
    pub(crate) fn exists(&self, id: u64) -> bool {
        self.by_id.contains_key(&id)
    }

    /// Looks a user up by `user_login` (case-insensitive, like MySQL's collation).
    pub(crate) fn find_by_login(&self, login: &str) -> Option<&User> {
        self.by_id
            .values()
            .find(|u| u.username.eq_ignore_ascii_case(login))
    }

    /// Looks a user up by email (case-insensitive).
    pub(crate) fn find_by_email(&self, email: &str) -> Option<&User> {
        self.by_id
            .values()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// `CoCart_Authentication::get_username` + `wp_authenticate`'s lookup: a login or an email.
    pub(crate) fn find_for_login(&self, username: &str) -> Option<&User> {
        let by_email = username
            .contains('@')
            .then(|| self.find_by_email(username))
            .flatten();
        by_email.or_else(|| self.find_by_login(username))
    }

    /// Changes the password and/or email. Returns whether the change revokes the user's tokens:
    /// any password update (WordPress re-hashes it) or a different email.
    pub(crate) fn update(
        &mut self,
        id: u64,
        password: Option<&str>,
        email: Option<&str>,
    ) -> Result<bool, UserError> {
        if let Some(e) = email {
            let e = e.trim();
            if !e.contains('@') {
                return Err(UserError::Invalid(format!("invalid email {e:?}")));
            }
            if self.find_by_email(e).is_some_and(|u| u.id != id) {
                return Err(UserError::Conflict(format!(
                    "the email {e:?} is already registered"
                )));
            }
        }
        if password.is_some_and(str::is_empty) {
            return Err(UserError::Invalid("password must not be empty".into()));
        }
        let user = self.by_id.get_mut(&id).ok_or(UserError::NotFound(id))?;
        let mut changed = false;
        if let Some(p) = password {
            changed = true;
            user.password = p.to_string();
        }
        if let Some(e) = email {
            let e = e.trim();
            changed |= user.email != e;
            user.email = e.to_string();
        }
        Ok(changed)
    }

    /// Deletes a user.
    pub(crate) fn delete(&mut self, id: u64) -> Result<(), UserError> {
        self.by_id
            .remove(&id)
            .map(|_| ())
            .ok_or(UserError::NotFound(id))
    }
}
