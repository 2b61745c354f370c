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
use std::time::Duration;

use tokio::time::Instant;

use futures::FutureExt;
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::state::{RefreshPlan, TokenPlan, Tokens};
use super::{AuthEvent, SignOutReason};
use crate::codes;
use crate::error::{Error, Result};
use crate::inner::Inner;
use crate::persist::Written;
use crate::request::{ApiRequest, AuthMode};
use crate::response::{self, REDACTED_BODY};

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
                return match self
                    .end_session(seen, SignOutReason::NoRefreshToken)
                    .await?
                {
                    Some(reason) => Err(Error::SessionExpired { reason }),
                    None => Ok(()),
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
        // A refused token is never presented again: settle its sign-out instead.
        let refused = self.state().refused(generation);
        let outcome = match refused {
            Some(reason) => Err(RefreshFailure::Terminal(reason)),
            None => self.request_refresh(&refresh_token).await,
        };
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
                match self.persist_rotation().await {
                    Ok(Written::Saved) => self.emit(AuthEvent::TokenRefreshed { saved: true }),
                    // Another process saved a newer session (a new login) while this one
                    // refreshed: that one is in use now.
                    Ok(Written::Adopted) => {
                        tracing::debug!(
                            "a newer session was stored meanwhile; it replaces the rotated pair"
                        );
                    }
                    Ok(Written::EndedElsewhere) => {
                        return Err(Error::SessionExpired {
                            reason: SignOutReason::SignedOutElsewhere,
                        });
                    }
                    Err(e) => {
                        // The old pair is dead on the server: memory is now the only copy, and
                        // the next change persists it again.
                        tracing::warn!(error = %e, "could not save the rotated tokens; keeping them in memory");
                        self.emit(AuthEvent::TokenRefreshed { saved: false });
                    }
                }
                Ok(())
            }
            Err(RefreshFailure::Terminal(reason)) => {
                match self.end_session(generation, reason).await {
                    Ok(Some(reason)) => Err(Error::SessionExpired { reason }),
                    Ok(None) => Ok(()),
                    Err(e) => {
                        // Callers wait a cooldown before the next try settles the sign-out.
                        self.cool_down(generation, e.clone(), None);
                        Err(e)
                    }
                }
            }
            Err(RefreshFailure::Keep(e, retry_after)) => {
                match self.cool_down(generation, e.clone(), retry_after) {
                    true => Err(e),
                    false => Ok(()),
                }
            }
        }
    }

    /// Callers of `generation` get `error` without a new request for the cooldown (or the
    /// store's `Retry-After`, capped). Returns whether that generation was still current.
    fn cool_down(&self, generation: u64, error: Error, retry_after: Option<Duration>) -> bool {
        let wait = cooldown_after(
            self.config.refresh_cooldown,
            retry_after,
            self.config.max_retry_after,
        );
        let now = Instant::now();
        // A cap set past what the clock can hold rests an hour rather than not at all.
        let until = now
            .checked_add(wait)
            .or_else(|| now.checked_add(Duration::from_secs(3600)))
            .unwrap_or(now);
        self.state().refresh_failed(generation, error, until)
    }

    /// Persists a rotated pair: memory is the only copy of it, so a store that fails is tried
    /// twice more before giving up.
    async fn persist_rotation(self: &Arc<Self>) -> Result<Written> {
        let mut outcome = self.persist().await;
        for wait_ms in [50, 200] {
            if outcome.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(wait_ms)).await;
            outcome = self.persist().await;
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
            .carries(refresh_token)
            .sensitive();
        let raw = self
            .send_once(&req, None, 0)
            .await
            .map_err(|e| classify_refresh_error(req.scrubber(None).error(e), None))?;
        let retry_after = raw.retry_after();
        let status = raw.status;
        let resp = response::read(&self.config.site, &req, raw, false, None)
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
}

/// How long a refresh of one generation rests after a transient failure: the configured
/// cooldown, or the store's `Retry-After` when longer, capped like the reads cap it.
pub(crate) fn cooldown_after(
    cooldown: Duration,
    retry_after: Option<Duration>,
    cap: Duration,
) -> Duration {
    cooldown.max(retry_after.unwrap_or(Duration::ZERO).min(cap))
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
    fn the_cooldown_takes_retry_after_up_to_the_cap_and_never_overflows() {
        let s = Duration::from_secs;
        assert_eq!(cooldown_after(s(5), None, s(10)), s(5));
        assert_eq!(cooldown_after(s(5), Some(s(8)), s(10)), s(8));
        assert_eq!(
            cooldown_after(s(5), Some(s(3600)), s(10)),
            s(10),
            "a CDN's hour"
        );
        assert_eq!(cooldown_after(s(5), Some(Duration::MAX), s(10)), s(10));
        let now = Instant::now();
        let wait = cooldown_after(s(5), Some(Duration::MAX), Duration::MAX);
        assert!(
            now.checked_add(wait).is_none(),
            "the caller handles the overflow"
        );
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
