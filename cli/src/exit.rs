//! Exit codes and the errors the CLI reports: every failure says what happened and what to do.

use std::fmt;
use std::process::ExitCode;

use cocart::{ApiErrorKind, Error};
use serde_json::Value;

/// The documented exit codes of `cocart` (also in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done.
    Ok = 0,
    /// 1: bad usage or local configuration (flags, store URL, session file).
    Usage = 1,
    /// 2: authentication: not signed in, session ended, wrong password, the store cannot
    /// authenticate (log in again, or fix the store: `cocart doctor`).
    Auth = 2,
    /// 3: network or server: unreachable, timeout, 5xx, rate limited, unexpected answer.
    Network = 3,
    /// 4: the store said no: out of stock, unknown product, invalid quantity, line not in cart.
    Refused = 4,
    /// 5: `cocart doctor` found problems.
    DoctorProblems = 5,
    /// 130: interrupted (Ctrl-C, SIGINT); one line says what state the session was left in.
    Interrupted = 130,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

/// The text appended to `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  usage or local configuration error (flags, store URL, session file)
  2  authentication: not signed in, session ended, wrong password, store cannot authenticate
  3  network or server: unreachable, timeout, 5xx, rate limited, unexpected answer
  4  the store refused the request (out of stock, unknown product, invalid quantity, ...)
  5  `cocart doctor` found problems
  130  interrupted (Ctrl-C): one line says what state the session was left in";

/// A failure of a command: what happened, what to do, and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// A short machine code (`not_signed_in`, `invalid_credentials`, or the store's code).
    pub code: String,
    /// What happened.
    pub message: String,
    /// What to do about it, when there is something to say.
    pub hint: Option<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl Failure {
    /// A failure with a code, message and optional hint.
    pub fn new(exit: Exit, code: &str, message: impl Into<String>) -> Self {
        Self {
            exit,
            code: code.to_string(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A usage error (exit 1).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, "usage", message)
    }

    /// Interrupted by Ctrl-C (exit 130); `state` is the one line saying what was left.
    pub fn interrupted(state: impl Into<String>) -> Self {
        Self::new(Exit::Interrupted, "interrupted", state)
    }

    /// Not signed in (exit 2).
    pub fn not_signed_in() -> Self {
        Self::new(Exit::Auth, "not_signed_in", "not signed in").hint("run `cocart login` first")
    }

    /// The JSON form printed with `--json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "hint": self.hint,
                "exit_code": self.exit.code(),
            }
        })
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        from_sdk(&e)
    }
}

/// Maps an SDK error to an exit code, a message and a hint. Messages never hold secrets (the
/// SDK's errors never do).
pub fn from_sdk(e: &Error) -> Failure {
    let mut msg = e.to_string();
    if let Error::Network(inner) = e {
        // "error sending request" alone says nothing: add the causes (connection refused, DNS…).
        let mut source = std::error::Error::source(inner.as_ref());
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
    }
    match e {
        Error::Config(_) => Failure::new(Exit::Usage, "config", msg)
            .hint("check --store-url (the site root, e.g. https://shop.example)"),
        Error::InvalidArgument(_) => Failure::new(Exit::Usage, "invalid_argument", msg)
            .hint("`cocart cart show` lists the lines with their item keys"),
        Error::InsecureTransport { .. } => Failure::new(Exit::Usage, "insecure_transport", msg)
            .hint("use the https:// address of the store, or pass --allow-insecure-http for a test site"),
        Error::InvalidCredentials { .. } => Failure::new(Exit::Auth, "invalid_credentials", msg)
            .hint("check the username (or email) and the password"),
        Error::JwtNotConfigured => Failure::new(Exit::Auth, "jwt_not_configured", msg)
            .hint("run `cocart doctor <store-url>` for the full diagnosis"),
        Error::AuthorizationHeaderStripped { .. } => {
            Failure::new(Exit::Auth, "authorization_header_stripped", msg).hint(
                "run `cocart doctor <store-url>`; once CoCart reads another header, pass --auth-header NAME",
            )
        }
        Error::SessionExpired { .. } => Failure::new(Exit::Auth, "session_expired", msg)
            .hint("run `cocart login` again"),
        Error::NotSignedIn => Failure::not_signed_in(),
        Error::SignedOut { .. } => {
            Failure::new(Exit::Auth, "signed_out", msg).hint("run `cocart login` again")
        }
        Error::SessionOfAnotherStore { .. } => {
            Failure::new(Exit::Usage, "session_of_another_store", msg).hint(
                "drop --store-url to use the session's own store, run `cocart logout` first, or pass another --session-file",
            )
        }
        Error::TokenRejected(_) => Failure::new(Exit::Auth, "token_rejected", msg).hint(
            "the store rejects fresh tokens: run `cocart doctor <store-url> --username U` (a proxy may change the client IP)",
        ),
        Error::RateLimited { .. } => Failure::new(Exit::Network, "rate_limited", msg)
            .hint("wait and try again"),
        Error::Server { .. } => Failure::new(Exit::Network, "server_error", msg)
            .hint("the store failed; try again later or ask the store owner to check the PHP error log"),
        Error::Network(_) => Failure::new(Exit::Network, "network", msg)
            .hint("check the store URL and your connection"),
        Error::Timeout => Failure::new(Exit::Network, "timeout", msg)
            .hint("the store did not answer in time (--timeout covers each call, retries included): try again, or raise --timeout"),
        Error::InvalidResponse { .. } => Failure::new(Exit::Network, "invalid_response", msg)
            .hint("is this the site root of a WordPress store running CoCart? `cocart doctor <store-url>` checks"),
        Error::Storage(_) => Failure::new(Exit::Usage, "session_file", msg)
            .hint("check the session file (--session-file) or remove it and log in again"),
        Error::CredentialsRedirected { to } => Failure::new(Exit::Usage, "credentials_redirected", msg)
            .hint(format!(
                "the store URL redirects to {to}: pass that address as --store-url (e.g. https:// or the www. host it redirects to); nothing secret was sent on"
            )),
        Error::WriteOutcomeUnknown { .. } => Failure::new(Exit::Network, "write_outcome_unknown", msg)
            .hint("run `cocart cart show` to see what the cart holds now"),
        Error::Api(api) => {
            let code = api.code.clone();
            let message = api.message.clone();
            let (exit, hint) = match &api.kind {
                ApiErrorKind::Authentication | ApiErrorKind::NotAuthorized => {
                    (Exit::Auth, "run `cocart login` again; if it keeps failing, run `cocart doctor`")
                }
                ApiErrorKind::ProductNotFound => {
                    (Exit::Refused, "`cocart products` lists the products and their SKUs")
                }
                ApiErrorKind::ItemNotInCart => {
                    (Exit::Refused, "`cocart cart show` lists the lines in the cart")
                }
                ApiErrorKind::VariationRequired | ApiErrorKind::InvalidVariation => (
                    Exit::Refused,
                    "add a variation by its own SKU or id, or pass --variation ATTRIBUTE=VALUE",
                ),
                ApiErrorKind::InvalidQuantity { .. }
                | ApiErrorKind::OutOfStock
                | ApiErrorKind::NotEnoughStock
                | ApiErrorKind::SoldIndividually => {
                    (Exit::Refused, "change the quantity or pick another product")
                }
                _ => (Exit::Refused, ""),
            };
            let f = Failure::new(exit, &code, message);
            if hint.is_empty() { f } else { f.hint(hint) }
        }
        _ => Failure::new(Exit::Network, "error", msg),
    }
}

/// What a command printed and how it ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The text for people.
    pub text: String,
    /// The JSON for scripts (`--json`).
    pub json: Value,
    /// The exit code (0, or 5 for a doctor that found problems).
    pub exit: Exit,
}

impl Outcome {
    /// A successful outcome.
    pub fn ok(text: impl Into<String>, json: Value) -> Self {
        Self {
            text: text.into(),
            json,
            exit: Exit::Ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cocart::ApiError;
    use serde_json::Value;

    #[test]
    fn store_refusals_are_4_and_auth_problems_are_2() {
        let api = |code: &str| Error::Api(Box::new(ApiError::new(400, code, "m", Value::Null)));
        assert_eq!(
            from_sdk(&api("cocart_product_out_of_stock")).exit,
            Exit::Refused
        );
        assert_eq!(
            from_sdk(&api("cocart_authentication_error")).exit,
            Exit::Auth
        );
        assert_eq!(from_sdk(&Error::NotSignedIn).exit, Exit::Auth);
        let other = from_sdk(&Error::SessionOfAnotherStore {
            stored: "https://a.example/wp-json/".into(),
            client: "https://b.example/wp-json/".into(),
        });
        assert_eq!(
            (other.exit, other.code.as_str()),
            (Exit::Usage, "session_of_another_store")
        );
        assert!(other.hint.is_some_and(|h| h.contains("--session-file")));
        assert_eq!(from_sdk(&Error::Timeout).exit, Exit::Network);
        assert_eq!(from_sdk(&Error::Config("x".into())).exit, Exit::Usage);
        assert_eq!(
            from_sdk(&Error::InvalidCredentials {
                message: "no".into()
            })
            .code,
            "invalid_credentials"
        );
    }

    #[test]
    fn every_failure_says_what_to_do() {
        let f = from_sdk(&Error::SessionExpired {
            reason: cocart::SignOutReason::RefreshTokenInvalid,
        });
        assert!(f.to_string().contains("hint: run `cocart login`"));
        let json = f.to_json();
        assert_eq!(json["error"]["exit_code"], 2);
    }
}
