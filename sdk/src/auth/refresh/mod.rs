//! The single-flight refresh and the I/O around the session state machine (`state.rs`).
//!
//! The first caller that needs a refresh spawns it as a task and parks a shared handle to it in
//! the state, tagged with the generation it refreshes; every other caller of that generation
//! awaits the same handle. Because the refresh is a spawned task, a caller that is cancelled
//! (Kotlin drops Rust futures) never stops a rotation half-way: the task still publishes the
//! new pair, persists it, and only then releases the waiters and sends `TokenRefreshed`.
//!
//! The task reports back with its generation. The state applies the outcome only when that
//! generation is still current, so a refresh of an earlier session (before a logout or a new
//! login) can neither clear nor answer the current session's refresh.

mod shared;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::state::{RefreshPlan, TokenPlan, Tokens};
use super::{AuthEvent, SignOutReason};
use crate::codes;
use crate::error::{Error, Result};
use crate::inner::Inner;
use crate::persist::Intent;
use crate::request::{ApiRequest, AuthMode};
use crate::response::{self, REDACTED_BODY};
use crate::session_store::SessionStoreError;

/// A refresh answer the SDK cannot go on from: the session ends.
#[derive(Debug, Clone)]
pub(crate) enum RefreshFailure {
    /// The refresh token is dead: end the session.
    Terminal(SignOutReason),
    /// Keep the session; remember the error for the cooldown (at least `retry_after`).
    Keep(Error, Option<Duration>),
}

impl Inner {
    /// The configured leeway in whole seconds.
    fn leeway_secs(&self) -> i64 {
        i64::try_from(self.config.refresh_leeway.as_secs()).unwrap_or(i64::MAX)
    }

    /// The current access token and its generation, without any refresh.
    pub(crate) fn current_token(&self) -> Option<(HeaderValue, u64)> {
        let st = self.state();
        st.tokens
            .as_ref()
            .and_then(|t| t.header.clone())
            .map(|h| (h, st.generation()))
    }

    /// The token to send now: refreshed first (single flight) when it is within the leeway of
    /// its deadline. A failed proactive refresh keeps using a token that has not expired yet.
    pub(crate) async fn token_for_request(self: &Arc<Self>) -> Result<Option<(HeaderValue, u64)>> {
        let plan = self
            .state()
            .token_plan(self.clock.now(), self.leeway_secs());
        let (token, generation, still_valid) = match plan {
            TokenPlan::Guest => return Ok(None),
            TokenPlan::Unusable => {
                return Err(Error::Internal(
                    "the access token is not a valid header value".into(),
                ));
            }
            TokenPlan::Send { header, generation } => return Ok(Some((header, generation))),
            TokenPlan::RefreshFirst {
                header,
                generation,
                still_valid,
            } => (header, generation, still_valid),
        };
        match self.refresh(generation).await {
            // The session may have ended while the refresh ran: a request that started signed
            // in does not go on as a guest.
            Ok(()) => self.current_token().map(Some).ok_or(Error::NotSignedIn),
            Err(e @ Error::SessionExpired { .. }) => Err(e),
            Err(e) if still_valid => {
                tracing::debug!(error = %e, "proactive refresh failed; the current token still works");
                Ok(Some((token, generation)))
            }
            Err(e) => Err(e),
        }
    }

    /// Refreshes the token pair of generation `seen`, unless that generation is already gone.
    /// Exactly one refresh request runs at a time; concurrent callers share its outcome.
    pub(crate) async fn refresh(self: &Arc<Self>, seen: u64) -> Result<()> {
        let plan = self
            .state()
            .plan_refresh(seen, Instant::now(), |refresh_token, generation| {
                let inner = Arc::clone(self);
                let task =
                    tokio::spawn(async move { inner.run_refresh(refresh_token, generation).await });
                async move {
                    task.await.unwrap_or_else(|e| {
                        Err(Error::Internal(format!("refresh task failed: {e}")))
                    })
                }
                .boxed()
                .shared()
            });
        let pending = match plan {
            RefreshPlan::Superseded => return Ok(()),
            RefreshPlan::NotSignedIn => return Err(Error::NotSignedIn),
            RefreshPlan::CoolingDown(e) => return Err(e),
            RefreshPlan::Join(pending) | RefreshPlan::Started(pending) => pending,
            RefreshPlan::NoRefreshToken => {
                let reason = SignOutReason::NoRefreshToken;
                return match self.end_session(seen, reason.clone()).await {
                    true => Err(Error::SessionExpired { reason }),
                    false => Ok(()),
                };
            }
        };
        pending.await
    }

    /// The body of the spawned refresh task.
    async fn run_refresh(
        self: Arc<Self>,
        refresh_token: SecretString,
        generation: u64,
    ) -> Result<()> {
        if let Some(shared) = self.config.shared.clone() {
            return self.refresh_shared(&shared, generation).await;
        }
        let outcome = self.request_refresh(&refresh_token).await;
        self.apply_refresh(generation, outcome).await
    }

    /// Applies a refresh answer to the session of `generation`.
    pub(crate) async fn apply_refresh(
        self: &Arc<Self>,
        generation: u64,
        outcome: std::result::Result<(SecretString, SecretString), RefreshFailure>,
    ) -> Result<()> {
        match outcome {
            Ok((access, refresh)) => {
                let tokens = Tokens::new(access, Some(refresh), self.clock.now());
                if !self.state().refresh_succeeded(generation, tokens) {
                    tracing::debug!("the session changed during the refresh; its pair is dropped");
                    return Ok(());
                }
                if let Err(e) = self.persist_rotation().await {
                    // The old pair is dead on the server: memory is now the only copy, and the
                    // next change persists it again.
                    tracing::warn!(error = %e, "could not save the rotated tokens; keeping them in memory");
                }
                self.emit(AuthEvent::TokenRefreshed);
                Ok(())
            }
            Err(RefreshFailure::Terminal(reason)) => {
                match self.end_session(generation, reason.clone()).await {
                    true => Err(Error::SessionExpired { reason }),
                    false => Ok(()),
                }
            }
            Err(RefreshFailure::Keep(e, retry_after)) => {
                let wait = self
                    .config
                    .refresh_cooldown
                    .max(retry_after.unwrap_or(Duration::ZERO));
                let until = Instant::now()
                    .checked_add(wait)
                    .unwrap_or_else(Instant::now);
                match self.state().refresh_failed(generation, e.clone(), until) {
                    true => Err(e),
                    false => Ok(()),
                }
            }
        }
    }

    /// Persists a rotated pair: memory is the only copy of it, so a store that fails is tried
    /// twice more before giving up.
    async fn persist_rotation(self: &Arc<Self>) -> std::result::Result<(), SessionStoreError> {
        let mut outcome = self.persist(Intent::Update).await;
        for wait_ms in [50, 200] {
            match &outcome {
                Err(SessionStoreError::Conflict { .. }) | Ok(()) => break,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(wait_ms)).await;
                    outcome = self.persist(Intent::Update).await;
                }
            }
        }
        outcome
    }

    /// `POST refresh-token` without any Authorization header (an expired Bearer would block it).
    pub(crate) async fn request_refresh(
        &self,
        refresh_token: &SecretString,
    ) -> Result<(SecretString, SecretString), RefreshFailure> {
        let req = ApiRequest::post(codes::routes::REFRESH_TOKEN)
            .json(&json!({ "refresh_token": refresh_token.expose_secret() }))
            .auth(AuthMode::None)
            .sensitive();
        let raw = self
            .send_once(&req, None, 0)
            .await
            .map_err(|e| classify_refresh_error(e, None))?;
        let retry_after = raw.retry_after();
        let status = raw.status;
        let resp = response::read(&self.config.site, &req, raw, false)
            .map_err(|e| classify_refresh_error(e, retry_after))?;
        resp.value()
            .ok()
            .as_ref()
            .and_then(parse_pair)
            .ok_or_else(|| {
                RefreshFailure::Keep(
                    Error::InvalidResponse {
                        status,
                        reason: "refresh answer has no token/refresh_token".into(),
                        raw: REDACTED_BODY.into(),
                    },
                    None,
                )
            })
    }

    /// Ends the session of `generation` (memory first, then the store) and sends `SignedOut`.
    /// Returns whether a session ended: `false` when that generation was already gone.
    pub(crate) async fn end_session(
        self: &Arc<Self>,
        generation: u64,
        reason: SignOutReason,
    ) -> bool {
        let ended = self.state().end(generation);
        if ended {
            self.after_sign_out(reason).await;
        }
        ended
    }

    /// Persists a sign-out and tells the subscribers.
    pub(crate) async fn after_sign_out(self: &Arc<Self>, reason: SignOutReason) {
        if let Err(e) = self.persist(Intent::Overwrite).await {
            tracing::warn!(error = %e, "could not clear the stored session");
        }
        self.emit(AuthEvent::SignedOut { reason });
    }
}

fn parse_pair(body: &serde_json::Value) -> Option<(SecretString, SecretString)> {
    let token = body.get("token")?.as_str().filter(|s| !s.is_empty())?;
    let refresh = body
        .get("refresh_token")?
        .as_str()
        .filter(|s| !s.is_empty())?;
    Some((
        SecretString::from(token.to_string()),
        SecretString::from(refresh.to_string()),
    ))
}

/// What a failed refresh means for the session, from the HTTP status and the CoCart code. The
/// message only refines the reason, and only when it is the plugin's own English text: a
/// translated store gets the generic reason, never a wrong one.
pub(crate) fn classify_refresh_error(e: Error, retry_after: Option<Duration>) -> RefreshFailure {
    let retry_after = match &e {
        Error::RateLimited { retry_after: ra } => ra.or(retry_after),
        _ => retry_after,
    };
    let Error::Api(api) = &e else {
        return RefreshFailure::Keep(e, retry_after);
    };
    if !matches!(api.status, 401 | 403) {
        return RefreshFailure::Keep(e, retry_after);
    }
    match api.code.as_str() {
        codes::JWT_BAD_CONFIG => RefreshFailure::Keep(Error::JwtNotConfigured, retry_after),
        codes::AUTHENTICATION_ERROR => RefreshFailure::Terminal(match api.message.trim() {
            "Refresh token expired." => SignOutReason::RefreshTokenExpired,
            "Authentication failed." => SignOutReason::AccountUnavailable,
            _ => SignOutReason::RefreshTokenInvalid,
        }),
        codes::JWT_MISSING_REFRESH_TOKEN => {
            RefreshFailure::Terminal(SignOutReason::RefreshTokenInvalid)
        }
        _ => RefreshFailure::Keep(e, retry_after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use serde_json::Value;

    fn api(status: u16, code: &str, message: &str) -> Error {
        Error::Api(Box::new(ApiError::new(status, code, message, Value::Null)))
    }

    #[test]
    fn the_reason_comes_from_the_code_and_english_messages_only_refine_it() {
        let cases = [
            (
                403,
                "Invalid refresh token.",
                SignOutReason::RefreshTokenInvalid,
            ),
            (
                403,
                "Refresh token expired.",
                SignOutReason::RefreshTokenExpired,
            ),
            (
                403,
                "Authentication failed.",
                SignOutReason::AccountUnavailable,
            ),
            (
                401,
                "Refresh token expired.",
                SignOutReason::RefreshTokenExpired,
            ),
            // A translated store: still terminal, with the generic reason.
            (
                403,
                "Jeton d'actualisation expiré.",
                SignOutReason::RefreshTokenInvalid,
            ),
            (
                403,
                "Échec de l'authentification.",
                SignOutReason::RefreshTokenInvalid,
            ),
            // English words inside another sentence do not count.
            (
                403,
                "Token not expired yet",
                SignOutReason::RefreshTokenInvalid,
            ),
        ];
        for (status, message, reason) in cases {
            let got =
                classify_refresh_error(api(status, "cocart_authentication_error", message), None);
            assert!(
                matches!(&got, RefreshFailure::Terminal(r) if *r == reason),
                "{message}: {got:?}"
            );
        }
        assert!(matches!(
            classify_refresh_error(
                api(
                    403,
                    "cocart_jwt_auth_missing_refresh_token",
                    "Erforderlich."
                ),
                None
            ),
            RefreshFailure::Terminal(SignOutReason::RefreshTokenInvalid)
        ));
    }

    #[test]
    fn configuration_server_and_other_errors_keep_the_session() {
        assert!(matches!(
            classify_refresh_error(api(403, "cocart_jwt_auth_bad_config", "x"), None),
            RefreshFailure::Keep(Error::JwtNotConfigured, None)
        ));
        assert!(matches!(
            classify_refresh_error(api(400, "cocart_authentication_error", "x"), None),
            RefreshFailure::Keep(..)
        ));
        assert!(matches!(
            classify_refresh_error(api(403, "rest_forbidden", "x"), None),
            RefreshFailure::Keep(..)
        ));
        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_secs(30)),
        };
        assert!(matches!(
            classify_refresh_error(limited, None),
            RefreshFailure::Keep(Error::RateLimited { .. }, Some(d)) if d == Duration::from_secs(30)
        ));
        assert!(matches!(
            classify_refresh_error(Error::Timeout, Some(Duration::from_secs(2))),
            RefreshFailure::Keep(Error::Timeout, Some(_))
        ));
    }
}
