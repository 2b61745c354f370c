//! The in-memory session and the single-flight refresh.
//!
//! One `std::sync::Mutex<SessionState>` guards the tokens, the user, the guest cart key and the
//! refresh in flight. It is never held across an `.await` nor while an event is sent.
//!
//! **Single flight.** The first caller that needs a refresh spawns it as a task and parks a
//! shared handle to it in the state; every other caller awaits the same handle. A `generation`
//! counter (bumped by every login, refresh and sign-out) tells a caller whose token has already
//! been replaced to go on without refreshing. Because the refresh is a spawned task, a caller
//! that is cancelled (Kotlin drops Rust futures) never loses the rotated pair: the task still
//! saves it to the token store, then updates memory, then releases the waiters, then sends
//! `TokenRefreshed`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::claims::{Claims, decode_unverified};
use super::{AuthEvent, SignOutReason, User};
use crate::client::Inner;
use crate::error::{ApiError, ApiErrorKind, Error, Result};
use crate::store::StoredSession;
use crate::transport::{ApiRequest, AuthMode, REDACTED_BODY, sensitive_header};
use http::HeaderValue;

pub(crate) type SharedRefresh = Shared<BoxFuture<'static, Result<()>>>;

/// The token pair and what the SDK knows about it.
#[derive(Clone)]
pub(crate) struct Tokens {
    pub(crate) access: SecretString,
    /// `Bearer <access>`, built once, marked sensitive.
    pub(crate) header: Option<HeaderValue>,
    pub(crate) refresh: Option<SecretString>,
    /// `None` when the token could not be decoded: then only the reactive path refreshes it.
    pub(crate) claims: Option<Claims>,
    /// Device time (Unix seconds) at which the access token arrived.
    pub(crate) received_at: i64,
}

impl Tokens {
    pub(crate) fn new(
        access: SecretString,
        refresh: Option<SecretString>,
        received_at: i64,
    ) -> Self {
        let claims = decode_unverified(access.expose_secret()).ok();
        let header = sensitive_header(&SecretString::from(format!(
            "Bearer {}",
            access.expose_secret()
        )))
        .ok();
        Self {
            access,
            header,
            refresh,
            claims,
            received_at,
        }
    }

    /// Local deadline: receive time + the server-given lifetime (`exp − iat`), so a wrong device
    /// clock does not matter.
    pub(crate) fn deadline(&self) -> Option<i64> {
        self.claims
            .as_ref()
            .map(|c| self.received_at + c.lifetime_secs())
    }
}

/// Everything the client knows about the session.
#[derive(Default)]
pub(crate) struct SessionState {
    pub(crate) tokens: Option<Tokens>,
    pub(crate) user: Option<User>,
    /// Guest cart key; after a login, the guest key still to transfer.
    pub(crate) cart_key: Option<String>,
    pub(crate) generation: u64,
    pub(crate) inflight: Option<SharedRefresh>,
    pub(crate) cooldown: Option<(Instant, Error)>,
    /// Whether the state was loaded from (or confirmed against) the token store.
    pub(crate) restored: bool,
}

impl SessionState {
    pub(crate) fn snapshot(&self) -> StoredSession {
        StoredSession {
            access_token: self.tokens.as_ref().map(|t| t.access.clone()),
            refresh_token: self.tokens.as_ref().and_then(|t| t.refresh.clone()),
            token_received_at: self.tokens.as_ref().map(|t| t.received_at).unwrap_or(0),
            user: self.user.clone(),
            cart_key: self.cart_key.clone(),
        }
    }
}

impl Inner {
    /// The effective leeway for these tokens: the configured one, at most half the lifetime.
    fn leeway_for(&self, tokens: &Tokens) -> i64 {
        let configured = self.config.refresh_leeway.as_secs() as i64;
        match &tokens.claims {
            Some(c) => configured.min(c.lifetime_secs() / 2),
            None => configured,
        }
    }

    /// The current access token and generation, without any refresh.
    pub(crate) fn current_token(&self) -> Option<(HeaderValue, u64)> {
        let st = self.state();
        st.tokens
            .as_ref()
            .and_then(|t| t.header.clone())
            .map(|h| (h, st.generation))
    }

    /// The token to send now: refreshed first (single flight) when it is within the leeway of
    /// its deadline. A failed proactive refresh keeps using a token that has not expired yet.
    pub(crate) async fn token_for_request(self: &Arc<Self>) -> Result<Option<(HeaderValue, u64)>> {
        let now = self.clock.now();
        let (token, generation, needs, still_valid) = {
            let st = self.state();
            let Some(t) = &st.tokens else {
                return Ok(None);
            };
            let deadline = t.deadline();
            let needs = deadline.is_some_and(|d| now >= d - self.leeway_for(t));
            let still_valid = deadline.is_none_or(|d| now <= d);
            let Some(header) = t.header.clone() else {
                return Err(Error::Internal(
                    "the access token is not a valid header value".into(),
                ));
            };
            (header, st.generation, needs, still_valid)
        };
        if !needs {
            return Ok(Some((token, generation)));
        }
        match self.refresh(generation).await {
            Ok(()) => Ok(self.current_token()),
            Err(e @ Error::SessionExpired { .. }) => Err(e),
            Err(e) if still_valid => {
                tracing::debug!(error = %e, "proactive refresh failed; the current token still works");
                Ok(Some((token, generation)))
            }
            Err(e) => Err(e),
        }
    }

    /// Refreshes the token pair unless `seen_generation` is already stale. Exactly one refresh
    /// request runs at a time; concurrent callers share its outcome.
    pub(crate) async fn refresh(self: &Arc<Self>, seen_generation: u64) -> Result<()> {
        enum Next {
            Done,
            Wait(SharedRefresh),
            NoRefreshToken,
        }
        let next = {
            let mut st = self.state();
            if st.generation != seen_generation {
                Next::Done
            } else if let Some(inflight) = &st.inflight {
                Next::Wait(inflight.clone())
            } else {
                let refresh_token = match &st.tokens {
                    None => return Err(Error::NotSignedIn),
                    Some(t) => t.refresh.clone(),
                };
                if let Some((until, err)) = &st.cooldown
                    && Instant::now() < *until
                {
                    return Err(err.clone());
                }
                st.cooldown = None;
                match refresh_token {
                    None => Next::NoRefreshToken,
                    Some(refresh_token) => {
                        let inner = Arc::clone(self);
                        let task = tokio::spawn(async move {
                            inner.run_refresh(refresh_token, seen_generation).await
                        });
                        let shared = async move {
                            task.await.unwrap_or_else(|e| {
                                Err(Error::Internal(format!("refresh task failed: {e}")))
                            })
                        }
                        .boxed()
                        .shared();
                        st.inflight = Some(shared.clone());
                        Next::Wait(shared)
                    }
                }
            }
        };
        match next {
            Next::Done => Ok(()),
            Next::Wait(pending) => pending.await,
            Next::NoRefreshToken => Err(self
                .end_session(seen_generation, SignOutReason::NoRefreshToken)
                .await),
        }
    }

    /// The body of the spawned refresh task.
    async fn run_refresh(
        self: Arc<Self>,
        refresh_token: SecretString,
        generation: u64,
    ) -> Result<()> {
        let req = ApiRequest::post("cocart/jwt/refresh-token")
            .json(&json!({ "refresh_token": refresh_token.expose_secret() }))
            .auth(AuthMode::None)
            .sensitive();
        let outcome = match self.send_once(&req, None, 0).await {
            Ok(raw) => {
                let retry_after = raw.retry_after();
                let status = raw.status;
                match self.finish(&req, raw, false) {
                    Ok(resp) => resp
                        .value()
                        .ok()
                        .as_ref()
                        .and_then(parse_pair)
                        .ok_or_else(|| {
                            RefreshFailure::from(Error::InvalidResponse {
                                status,
                                reason: "refresh answer has no token/refresh_token".into(),
                                raw: REDACTED_BODY.into(),
                            })
                        }),
                    Err(e) => Err(classify_refresh_error(e, retry_after)),
                }
            }
            Err(e) => Err(RefreshFailure::from(e)),
        };
        match outcome {
            Ok((access, refresh)) => self.commit_refresh(generation, access, refresh).await,
            Err(RefreshFailure::Terminal(reason)) => {
                Err(self.end_session(generation, reason).await)
            }
            Err(RefreshFailure::Keep(e, retry_after)) => {
                let wait = self
                    .config
                    .refresh_cooldown
                    .max(retry_after.unwrap_or(Duration::ZERO));
                let mut st = self.state();
                st.inflight = None;
                st.cooldown = Some((Instant::now() + wait, e.clone()));
                Err(e)
            }
        }
    }

    /// Saves the rotated pair, then publishes it, then tells the subscribers.
    async fn commit_refresh(
        &self,
        generation: u64,
        access: SecretString,
        refresh: SecretString,
    ) -> Result<()> {
        let tokens = Tokens::new(access, Some(refresh), self.clock.now());
        let snapshot = {
            let st = self.state();
            (st.generation == generation).then(|| {
                let mut snap = st.snapshot();
                snap.access_token = Some(tokens.access.clone());
                snap.refresh_token = tokens.refresh.clone();
                snap.token_received_at = tokens.received_at;
                snap
            })
        };
        let Some(snapshot) = snapshot else {
            return self.discard_refresh().await;
        };
        if let Err(e) = self.store.save(&snapshot).await {
            // The old pair is already dead on the server: memory is now the only copy.
            tracing::warn!(error = %e, "could not save the rotated tokens; keeping them in memory");
        }
        let committed = {
            let mut st = self.state();
            let current = st.generation == generation;
            if current {
                st.tokens = Some(tokens);
                st.generation += 1;
                st.inflight = None;
                st.cooldown = None;
            }
            current
        };
        if !committed {
            return self.discard_refresh().await;
        }
        self.emit(AuthEvent::TokenRefreshed);
        Ok(())
    }

    /// The session changed while the refresh ran (logout or a new login): drop its result.
    async fn discard_refresh(&self) -> Result<()> {
        let snapshot = {
            let mut st = self.state();
            st.inflight = None;
            st.snapshot()
        };
        let _ = self.save_or_clear(&snapshot).await;
        Ok(())
    }

    /// Clears the session (memory first, then the store) and sends `SignedOut`. Returns the
    /// error to hand to callers.
    pub(crate) async fn end_session(&self, generation: u64, reason: SignOutReason) -> Error {
        let had_session = {
            let mut st = self.state();
            st.inflight = None;
            if st.generation != generation || st.tokens.is_none() {
                false
            } else {
                st.tokens = None;
                st.user = None;
                st.cart_key = None;
                st.cooldown = None;
                st.generation += 1;
                true
            }
        };
        if had_session {
            if let Err(e) = self.store.clear().await {
                tracing::warn!(error = %e, "could not clear the stored session");
            }
            self.emit(AuthEvent::SignedOut {
                reason: reason.clone(),
            });
        }
        Error::SessionExpired { reason }
    }

    pub(crate) async fn save_or_clear(&self, snapshot: &StoredSession) -> Result<()> {
        if snapshot.is_empty() {
            self.store.clear().await?;
        } else {
            self.store.save(snapshot).await?;
        }
        Ok(())
    }

    /// The cart key to send on a cart route: the guest key while a guest, or the guest key that
    /// still has to be transferred after a login.
    pub(crate) fn cart_key_to_send(&self) -> Option<String> {
        self.state().cart_key.clone()
    }

    /// Learns the cart key from a cart answer (body first, then header). As a guest it becomes
    /// the key to send; as a customer, an answer keyed by the user id completes the transfer.
    /// Returns the session to persist when something changed.
    pub(crate) fn capture_cart_key(
        &self,
        from_body: Option<String>,
        headers: &http::HeaderMap,
        as_user: bool,
    ) -> Option<StoredSession> {
        let key = from_body.or_else(|| {
            headers
                .get("CoCart-API-Cart-Key")
                .and_then(|v| v.to_str().ok())
                .filter(|s| !s.is_empty() && *s != "0")
                .map(str::to_string)
        })?;
        let mut st = self.state();
        if as_user {
            let is_user_key = st.user.as_ref().is_some_and(|u| u.id.to_string() == key);
            if !(is_user_key && st.cart_key.is_some()) {
                return None;
            }
            st.cart_key = None;
        } else {
            if st.tokens.is_some() || st.cart_key.as_deref() == Some(key.as_str()) {
                return None;
            }
            st.cart_key = Some(key);
        }
        Some(st.snapshot())
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

enum RefreshFailure {
    /// The refresh token is dead: end the session.
    Terminal(SignOutReason),
    /// Keep the session; remember the error for the cooldown.
    Keep(Error, Option<Duration>),
}

impl From<Error> for RefreshFailure {
    fn from(e: Error) -> Self {
        let retry_after = match &e {
            Error::RateLimited { retry_after } => *retry_after,
            _ => None,
        };
        RefreshFailure::Keep(e, retry_after)
    }
}

fn classify_refresh_error(e: Error, retry_after: Option<Duration>) -> RefreshFailure {
    match &e {
        Error::Api(api) if matches!(api.status, 401 | 403) => match api_reason(api) {
            Some(reason) => RefreshFailure::Terminal(reason),
            None if api.code == "cocart_jwt_auth_bad_config" => {
                RefreshFailure::Keep(Error::JwtNotConfigured, retry_after)
            }
            None => RefreshFailure::Keep(e, retry_after),
        },
        _ => {
            let mut f = RefreshFailure::from(e);
            if let RefreshFailure::Keep(_, ra) = &mut f {
                *ra = ra.or(retry_after);
            }
            f
        }
    }
}

fn api_reason(api: &ApiError) -> Option<SignOutReason> {
    if api.kind != ApiErrorKind::Authentication {
        return None;
    }
    match (api.code.as_str(), api.message.as_str()) {
        ("cocart_authentication_error", m) if m.contains("expired") => {
            Some(SignOutReason::RefreshTokenExpired)
        }
        ("cocart_authentication_error", "Authentication failed.") => {
            Some(SignOutReason::AccountUnavailable)
        }
        ("cocart_authentication_error", _) | ("cocart_jwt_auth_missing_refresh_token", _) => {
            Some(SignOutReason::RefreshTokenInvalid)
        }
        _ => None,
    }
}
