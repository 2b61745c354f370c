//! The two tokens of a session as distinct secret types, so that one can never be passed where
//! the other belongs. Neither shows its value in `Debug`, and neither has `Display`. The refresh
//! token is single-use on the store, so it is not `Clone` either: code that needs a second copy
//! of it has to say so.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The JWT access token.
#[derive(Clone)]
pub struct AccessToken(SecretString);

/// The rotating, single-use refresh token. Not `Clone`.
pub struct RefreshToken(SecretString);

macro_rules! secret_token {
    ($name:ident) => {
        impl $name {
            /// Wraps a token value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
            }

            /// The token itself (keep it out of logs).
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }

            /// The value as a [`SecretString`].
            pub(crate) fn to_secret(&self) -> SecretString {
                SecretString::from(self.0.expose_secret().to_string())
            }
        }

        impl From<SecretString> for $name {
            fn from(value: SecretString) -> Self {
                Self(value)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_token!(AccessToken);
secret_token!(RefreshToken);

impl RefreshToken {
    /// A second copy, for the one place that must keep two (a persisted value and memory).
    pub(crate) fn duplicate(&self) -> Self {
        Self(self.to_secret())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_token() {
        let a = AccessToken::new("a.b.c");
        let r = RefreshToken::new("ffff0000");
        assert_eq!(format!("{a:?}"), "AccessToken([redacted])");
        assert_eq!(format!("{r:?}"), "RefreshToken([redacted])");
        assert_eq!(r.duplicate().expose_secret(), "ffff0000");
    }
}
