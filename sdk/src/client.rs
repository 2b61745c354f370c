//! [`CoCartClient`]: the entry point. Cheap to clone, `Send + Sync`.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::auth::state::Tokens;
use crate::auth::{AuthEvent, AuthEvents, SignOutReason, User};
use crate::codes::routes;
use crate::error::{ApiErrorKind, Error, Result};
use crate::inner::Inner;
use crate::request::{ApiRequest, AuthMode};
use crate::response::{self, REDACTED_BODY};

/// A client for one CoCart store.
///
/// ```no_run
/// # async fn demo() -> Result<(), cocart::Error> {
/// let client = cocart::CoCartClient::builder("https://shop.example").build()?;
/// let user = client.login("jane@example.com", "correct horse").await?;
/// println!("signed in as {}", user.display_name);
/// client.logout().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CoCartClient {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for CoCartClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.state();
        f.debug_struct("CoCartClient")
            .field("config", &self.inner.config)
            .field("signed_in", &st.tokens.is_some())
            .field("user_id", &st.user.as_ref().map(|u| u.id))
            .field("has_cart_key", &st.cart_key.is_some())
            .finish_non_exhaustive()
    }
}

/// What `logout()` achieved. The local session is always cleared.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LogoutOutcome {
    /// Whether the store confirmed the logout (v3 then revokes every session of the user).
    pub server_confirmed: bool,
    /// Why the store did not confirm it, when it did not.
    pub server_error: Option<Error>,
}

/// The answer of `validate_token()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// The store accepted the current token.
    Valid,
    /// The store rejected it (expired, revoked, rotated, or bound to another IP/User-Agent).
    Rejected,
}

impl CoCartClient {
    #[cfg(test)]
    pub(crate) fn config(&self) -> &crate::config::Config {
        &self.inner.config
    }

    /// Loads the saved session from the session store and takes it when it is newer than what
    /// the client holds (a client never goes back to an older session: a rotation whose save is
    /// still on its way stays). Returns the signed-in user, if any.
    ///
    /// A store that is [`SessionStoreError::Unavailable`](crate::SessionStoreError) (e.g. a
    /// locked Keychain) gives an error and changes nothing: it never means "signed out".
    pub async fn restore_session(&self) -> Result<Option<User>> {
        self.inner.restore().await
    }

    /// Logs in with a username (or email) and password over HTTP Basic, keeps the token pair,
    /// and transfers the guest cart (if any) to the customer with the client's
    /// [`TransferPolicy`](crate::models::TransferPolicy) (by default the customer's saved lines
    /// are kept too). [`CoCartClient::login_with_report`] also says what happened to each line.
    ///
    /// Credentials go only over HTTPS, to a loopback host, or with
    /// [`ClientBuilder::allow_insecure_http`](crate::ClientBuilder::allow_insecure_http).
    pub async fn login(&self, username: &str, password: &str) -> Result<User> {
        self.login_secret(username, &SecretString::from(password.to_string()))
            .await
    }

    /// [`CoCartClient::login`] with the password already in a secret.
    pub async fn login_secret(&self, username: &str, password: &SecretString) -> Result<User> {
        self.login_secret_with_report(username, password)
            .await
            .map(|outcome| outcome.user)
    }

    /// Logs in and keeps the session, without the cart transfer. It runs as a task of its own:
    /// a caller cancelled at any point leaves either no session, or a session that is kept,
    /// saved and announced (`SignedIn`), never one without the other.
    pub(crate) async fn sign_in(&self, username: &str, password: &SecretString) -> Result<User> {
        let client = self.clone();
        let username = username.to_string();
        let password = password.clone();
        tokio::spawn(async move { client.sign_in_task(&username, &password).await })
            .await
            .unwrap_or_else(|e| Err(Error::Internal(format!("login task failed: {e}"))))
    }

    async fn sign_in_task(&self, username: &str, password: &SecretString) -> Result<User> {
        if username.is_empty() || password.expose_secret().is_empty() {
            return Err(Error::InvalidCredentials {
                message: "username and password must not be empty".into(),
            });
        }
        self.inner.config.check_credentials_transport()?;
        let basic = SecretString::from(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{username}:{}", password.expose_secret()))
        ));
        let req = ApiRequest::post(routes::LOGIN)
            .auth(AuthMode::Basic(basic))
            .carries(password)
            .sensitive();
        let resp = match self.inner.execute(req).await {
            Ok(r) => r,
            Err(Error::Api(api)) if api.kind == ApiErrorKind::Authentication => {
                return Err(Error::InvalidCredentials {
                    message: api.message,
                });
            }
            Err(Error::AuthorizationHeaderStripped { detail }) => {
                let hint = if self.inner.config.site.scheme() == "http" {
                    " (a production site over plain HTTP answers the same way: use HTTPS)"
                } else {
                    ""
                };
                return Err(Error::AuthorizationHeaderStripped {
                    detail: format!("{detail}{hint}"),
                });
            }
            Err(e) => return Err(e),
        };
        let received_at = self.inner.clock.now();
        let body = resp.value()?;
        let extras = body.get("extras");
        let token = extras
            .and_then(|e| e.get("jwt_token"))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or(Error::JwtNotConfigured)?;
        let refresh = extras
            .and_then(|e| e.get("jwt_refresh"))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(|r| SecretString::from(r.to_string()));
        let tokens = Tokens::new(SecretString::from(token.to_string()), refresh, received_at);
        let Some(claims) = tokens.claims.clone() else {
            return Err(Error::InvalidResponse {
                status: resp.status,
                reason: "extras.jwt_token is not a JWT".into(),
                raw: REDACTED_BODY.into(),
            });
        };
        let user =
            User::from_login(&body, Some(&claims)).ok_or_else(|| Error::InvalidResponse {
                status: resp.status,
                reason: "the login answer has no usable user_id".into(),
                raw: REDACTED_BODY.into(),
            })?;
        {
            let mut st = self.inner.state();
            st.sign_in(tokens, user.clone());
        };
        // The store logged the user in: a session store that cannot save now (a locked
        // Keychain) does not undo that. The next change of the session saves it again.
        if let Err(e) = self.inner.persist().await {
            tracing::warn!(error = %e, "could not save the new session; keeping it in memory");
        }
        self.inner.emit(AuthEvent::SignedIn { user: user.clone() });
        Ok(user)
    }

    /// Refreshes the token now if it is within the leeway of expiring (apps call this when they
    /// come to the foreground). Returns whether a refresh was needed. Never runs a background
    /// timer.
    pub async fn refresh_if_needed(&self) -> Result<bool> {
        let before = self.inner.state().generation();
        match self.inner.token_for_request().await? {
            None => Err(Error::NotSignedIn),
            Some((_, generation)) => Ok(generation != before),
        }
    }

    /// Forces a refresh of the token pair (single flight with any other refresh).
    pub async fn refresh_now(&self) -> Result<()> {
        let generation = self.inner.state().generation();
        self.inner.refresh(generation).await
    }

    /// Asks the store whether the current token is valid (`POST /cocart/jwt/validate-token`),
    /// without refreshing. Note: rate-limited stores allow 2 calls a minute.
    pub async fn validate_token(&self) -> Result<TokenStatus> {
        let Some((token, _)) = self.inner.current_token() else {
            return Err(Error::NotSignedIn);
        };
        let req = ApiRequest::post(routes::VALIDATE_TOKEN);
        let raw = self.inner.send_once(&req, Some(&token), 0).await?;
        if raw.is_token_rejection() {
            return Ok(TokenStatus::Rejected);
        }
        response::read(&self.inner.config.site, &req, raw, true, Some(&token))
            .map(|_| TokenStatus::Valid)
    }

    /// Logs out: `POST /cocart/v2/logout` (which on v3 ends **every** session of the user), then
    /// clears the local session and the cart key whatever the store answered, and starts a
    /// fresh guest cart on the next cart call. The sign-out is saved as a tombstone that no other
    /// client or process sharing the session can write over, whether or not the store confirmed
    /// the logout. The outcome says whether it did. Runs to its end as a task of its own.
    pub async fn logout(&self) -> Result<LogoutOutcome> {
        if self.inner.current_token().is_none() {
            return Err(Error::NotSignedIn);
        }
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            let server = inner.execute(ApiRequest::post(routes::LOGOUT)).await;
            // Whatever session is current now (a refresh may have rotated it meanwhile) ends.
            if inner.state().end_current() {
                if let Err(e) = inner.persist().await {
                    tracing::warn!(error = %e, "could not save the sign-out; it is saved at the next change");
                }
                inner.emit(AuthEvent::SignedOut {
                    reason: SignOutReason::LoggedOut,
                });
            }
            match server {
                Ok(_) => LogoutOutcome {
                    server_confirmed: true,
                    server_error: None,
                },
                Err(e) => LogoutOutcome {
                    server_confirmed: false,
                    server_error: Some(e),
                },
            }
        })
        .await
        .map_err(|e| Error::Internal(format!("logout task failed: {e}")))
    }

    /// The signed-in user, if any.
    pub fn current_user(&self) -> Option<User> {
        self.inner.state().user.clone()
    }

    /// Whether a session (token pair) is held.
    pub fn is_signed_in(&self) -> bool {
        self.inner.state().tokens.is_some()
    }

    /// The guest cart key, while a guest (or while a transfer is pending).
    pub fn cart_key(&self) -> Option<String> {
        self.inner.state().cart_key.clone()
    }

    /// Subscribes to auth events; the first event is `InitialSession` with the current user.
    pub fn subscribe(&self) -> AuthEvents {
        let rx = self.inner.subscribe();
        let user = self.current_user();
        AuthEvents::new(AuthEvent::InitialSession { user }, rx)
    }

    /// The decoded claims of the current token (not verified; for display and diagnostics).
    pub fn token_claims(&self) -> Option<crate::auth::Claims> {
        self.inner
            .state()
            .tokens
            .as_ref()
            .and_then(|t| t.claims.clone())
    }
}
