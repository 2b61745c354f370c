//! Authentication: the signed-in user, the session state, the single-flight refresh and the
//! auth events.

pub mod claims;
mod events;
pub(crate) mod refresh;
pub(crate) mod state;

pub use claims::{Claims, ClaimsError};
pub use events::{AuthEvent, AuthEvents, SignOutReason};

use serde_json::{Value, json};

/// The signed-in customer, as the login route described them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct User {
    /// WordPress user id (the login route sends it as a string; the SDK parses it).
    pub id: u64,
    /// `user_login`, from the token's claims when present.
    pub username: Option<String>,
    /// Display name.
    pub display_name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email address.
    pub email: String,
    /// Role(s), capitalised and comma-joined by CoCart, e.g. `"Customer"`.
    pub role: String,
}

impl User {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "role": self.role,
        })
    }

    pub(crate) fn from_json(v: &Value) -> Option<Self> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Some(Self {
            id: v.get("id").and_then(Value::as_u64)?,
            username: v
                .get("username")
                .and_then(Value::as_str)
                .map(str::to_string),
            display_name: s("display_name"),
            first_name: s("first_name"),
            last_name: s("last_name"),
            email: s("email"),
            role: s("role"),
        })
    }

    /// Reads the user from a login response (`user_id` as string or number).
    pub(crate) fn from_login(body: &Value, claims: Option<&Claims>) -> Option<Self> {
        let id = match body.get("user_id")? {
            Value::String(s) => s.trim().parse().ok()?,
            Value::Number(n) => n.as_u64()?,
            _ => return None,
        };
        let s = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Some(Self {
            id,
            username: claims.and_then(|c| c.username.clone()),
            display_name: s("display_name"),
            first_name: s("first_name"),
            last_name: s("last_name"),
            email: s("email"),
            role: s("role"),
        })
    }
}
