//! The session state machine: what the client knows about the session, and every transition as
//! a plain function over it. No I/O, no clock reads, no locks: the callers in `refresh/`,
//! `persist.rs` and `client.rs` take the lock, call one transition, release the lock, and only
//! then talk to the network or the session store.
//!
//! Two counters keep stale work harmless:
//! - **`generation`** names the token pair in use. Every login, rotation, restore and sign-out
//!   moves it on, and drops the refresh in flight and the failure cooldown with it: those belong to
//!   the generation that started them. A refresh, failure or sign-out that reports back for an
//!   older generation changes nothing.
//! - **`revision`** numbers the persisted value. Every change worth saving moves it on; the session
//!   store never lets a lower revision replace a higher one.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use futures::future::{BoxFuture, Shared};
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use super::User;
use super::claims::{Claims, decode_unverified};
use crate::error::{Error, Result};
use crate::session_store::PersistedSession;

/// The outcome of a refresh, shared by every caller that waits for it. `Ok` also when the session
/// changed while the refresh ran: the caller then goes on with the current session.
pub(crate) type SharedRefresh = Shared<BoxFuture<'static, Result<()>>>;

/// Locks the session state. A panic elsewhere while it was held leaves a state that every
/// transition keeps consistent, so a poisoned lock is taken as it is.
pub(crate) fn lock_state(state: &Mutex<SessionState>) -> MutexGuard<'_, SessionState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// The token pair and what the SDK knows about it.
#[derive(Clone)]
pub(crate) struct Tokens {
    pub(crate) access: SecretString,
    /// `Bearer <access>`, built once, marked sensitive; `None` if the token cannot be a header.
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
        let header = crate::request::sensitive_header(&SecretString::from(format!(
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

    /// Local deadline: receive time + the server-given lifetime (`exp − iat`, clamped), so a
    /// wrong device clock does not matter. Saturates instead of overflowing.
    pub(crate) fn deadline(&self) -> Option<i64> {
        self.claims
            .as_ref()
            .map(|c| self.received_at.saturating_add(c.lifetime_secs()))
    }
}

/// A refresh running for one generation.
struct InFlight {
    generation: u64,
    refresh: SharedRefresh,
}

/// A refresh of one generation failed for a transient reason: callers until `until` get `error`.
struct Cooldown {
    until: Instant,
    error: Error,
}

/// Everything the client knows about the session.
#[derive(Default)]
pub(crate) struct SessionState {
    pub(crate) tokens: Option<Tokens>,
    pub(crate) user: Option<User>,
    /// Guest cart key; after a login, the guest key still to transfer.
    pub(crate) cart_key: Option<String>,
    generation: u64,
    revision: u64,
    /// Always of the current generation: moving the generation on drops it.
    inflight: Option<InFlight>,
    /// Always of the current generation, like `inflight`.
    cooldown: Option<Cooldown>,
}

/// What a caller that wants a refresh must do.
pub(crate) enum RefreshPlan {
    /// The generation the caller saw is gone (rotated, replaced or ended): use the current
    /// session as it is.
    Superseded,
    /// A refresh of this generation is running: wait for it.
    Join(SharedRefresh),
    /// A refresh of this generation failed moments ago: the same error, no new request.
    CoolingDown(Error),
    /// There is no session.
    NotSignedIn,
    /// The session has no refresh token: it cannot be renewed.
    NoRefreshToken,
    /// A refresh of this generation was just started (and parked for the next callers): wait
    /// for it.
    Started(SharedRefresh),
}

/// The token to send on a request.
pub(crate) enum TokenPlan {
    /// No session: send no credentials.
    Guest,
    /// The token cannot be sent (not a valid header value).
    Unusable,
    /// Send this token.
    Send {
        header: HeaderValue,
        generation: u64,
    },
    /// Refresh first (it is within the leeway of its deadline); `still_valid` says whether the
    /// current token may still be sent if the refresh fails.
    RefreshFirst {
        header: HeaderValue,
        generation: u64,
        still_valid: bool,
    },
}

/// Whether `restore` took the stored session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Restored {
    /// The stored session replaced the memory one.
    Adopted,
    /// Memory holds the same or a newer session (or the store had none): nothing changed.
    Kept,
}

impl SessionState {
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    #[cfg(test)]
    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }

    /// Whether a refresh is running (for tests and diagnostics).
    #[cfg(test)]
    pub(crate) fn refresh_in_flight(&self) -> bool {
        self.inflight.is_some()
    }

    /// A new token pair (or none) is in use: the refresh in flight and the cooldown belonged to
    /// the old one.
    fn next_generation(&mut self) {
        self.generation += 1;
        self.inflight = None;
        self.cooldown = None;
    }

    /// Something worth persisting changed.
    fn touch(&mut self) {
        self.revision += 1;
    }

    /// The session as the store should hold it now.
    pub(crate) fn snapshot(&self) -> PersistedSession {
        PersistedSession {
            revision: self.revision,
            access_token: self.tokens.as_ref().map(|t| t.access.clone()),
            refresh_token: self.tokens.as_ref().and_then(|t| t.refresh.clone()),
            token_received_at: self.tokens.as_ref().map(|t| t.received_at).unwrap_or(0),
            user: self.user.clone(),
            cart_key: self.cart_key.clone(),
        }
    }

    /// Which token a request sends at device time `now`, and whether to refresh it first.
    /// `configured_leeway` is capped at half the token's lifetime; a session without a refresh
    /// token is used until the store rejects it.
    pub(crate) fn token_plan(&self, now: i64, configured_leeway: i64) -> TokenPlan {
        let Some(tokens) = &self.tokens else {
            return TokenPlan::Guest;
        };
        let Some(header) = tokens.header.clone() else {
            return TokenPlan::Unusable;
        };
        let generation = self.generation;
        let (Some(deadline), Some(claims), true) = (
            tokens.deadline(),
            tokens.claims.as_ref(),
            tokens.refresh.is_some(),
        ) else {
            return TokenPlan::Send { header, generation };
        };
        let leeway = configured_leeway.min(claims.lifetime_secs() / 2);
        if now >= deadline.saturating_sub(leeway) {
            TokenPlan::RefreshFirst {
                header,
                generation,
                still_valid: now <= deadline,
            }
        } else {
            TokenPlan::Send { header, generation }
        }
    }

    /// What a caller that saw generation `seen` and wants a refresh at `now` must do. When a
    /// refresh must start, `start(refresh_token, generation)` starts it and the handle it returns
    /// is parked in the same step, so two callers can never both start one.
    pub(crate) fn plan_refresh(
        &mut self,
        seen: u64,
        now: Instant,
        start: impl FnOnce(SecretString, u64) -> SharedRefresh,
    ) -> RefreshPlan {
        if seen != self.generation {
            return RefreshPlan::Superseded;
        }
        let Some(tokens) = &self.tokens else {
            return RefreshPlan::NotSignedIn;
        };
        if let Some(inflight) = &self.inflight {
            debug_assert_eq!(inflight.generation, self.generation);
            return RefreshPlan::Join(inflight.refresh.clone());
        }
        if let Some(cooldown) = &self.cooldown {
            if now < cooldown.until {
                return RefreshPlan::CoolingDown(cooldown.error.clone());
            }
            self.cooldown = None;
        }
        let Some(refresh_token) = tokens.refresh.clone() else {
            return RefreshPlan::NoRefreshToken;
        };
        let generation = self.generation;
        let refresh = start(refresh_token, generation);
        self.inflight = Some(InFlight {
            generation,
            refresh: refresh.clone(),
        });
        RefreshPlan::Started(refresh)
    }

    /// A refresh of `generation` returned a new pair. Applied only if that generation is still
    /// current; otherwise the pair is dropped and nothing changes.
    pub(crate) fn refresh_succeeded(&mut self, generation: u64, tokens: Tokens) -> bool {
        if generation != self.generation {
            return false;
        }
        self.tokens = Some(tokens);
        self.next_generation();
        self.touch();
        true
    }

    /// A refresh of `generation` failed for a transient reason: callers until `until` get the
    /// same error. Only for the current generation; returns whether it was.
    pub(crate) fn refresh_failed(&mut self, generation: u64, error: Error, until: Instant) -> bool {
        if generation != self.generation {
            return false;
        }
        self.inflight = None;
        self.cooldown = Some(Cooldown { until, error });
        true
    }

    /// Ends the session of `generation` (a terminal refresh answer about its own refresh token,
    /// or a rejected token with no refresh token). Nothing happens for an older generation or
    /// when signed out; returns whether a session ended.
    pub(crate) fn end(&mut self, generation: u64) -> bool {
        if generation != self.generation || self.tokens.is_none() {
            return false;
        }
        self.sign_out();
        true
    }

    /// Ends whatever session is current (an explicit logout). Returns whether there was one.
    pub(crate) fn end_current(&mut self) -> bool {
        if self.tokens.is_none() {
            return false;
        }
        self.sign_out();
        true
    }

    fn sign_out(&mut self) {
        self.tokens = None;
        self.user = None;
        self.cart_key = None;
        self.next_generation();
        self.touch();
    }

    /// A login succeeded. The guest cart key stays: it is the cart to transfer.
    pub(crate) fn sign_in(&mut self, tokens: Tokens, user: User) {
        self.tokens = Some(tokens);
        self.user = Some(user);
        self.next_generation();
        self.touch();
    }

    /// Takes a session loaded from the store when it is newer than memory (a higher revision),
    /// or when this client has nothing yet. A stored session that is not newer never replaces
    /// memory: memory may hold a rotation whose save is still on its way.
    pub(crate) fn restore(&mut self, loaded: Option<PersistedSession>) -> Result<Restored> {
        let Some(loaded) = loaded else {
            return Ok(Restored::Kept);
        };
        let fresh = self.revision == 0 && self.tokens.is_none() && self.cart_key.is_none();
        if !(fresh || loaded.revision > self.revision) {
            return Ok(Restored::Kept);
        }
        let tokens = match loaded.access_token {
            Some(access) => {
                let tokens = Tokens::new(access, loaded.refresh_token, loaded.token_received_at);
                if tokens.claims.is_none() {
                    return Err(Error::Storage(
                        crate::session_store::SessionStoreError::Corrupt(
                            "the stored access token is not a JWT".into(),
                        ),
                    ));
                }
                Some(tokens)
            }
            None => None,
        };
        self.user = tokens.as_ref().and(loaded.user);
        self.tokens = tokens;
        self.cart_key = loaded.cart_key;
        self.revision = loaded.revision;
        self.next_generation();
        Ok(Restored::Adopted)
    }

    /// Sets the cart key (captured from an answer, or the transfer done).
    pub(crate) fn set_cart_key(&mut self, key: Option<String>) {
        if self.cart_key != key {
            self.cart_key = key;
            self.touch();
        }
    }

    /// The store holds `stored`; make the next snapshot's revision greater.
    pub(crate) fn raise_revision_above(&mut self, stored: u64) {
        if self.revision <= stored {
            self.revision = stored.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;
    use std::time::Duration;

    fn jwt(iat: i64, exp: i64) -> String {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
            r#"{{"iat":{iat},"exp":{exp},"data":{{"user":{{"id":7}}}}}}"#
        ));
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig")
    }

    fn tokens(refresh: &str) -> Tokens {
        Tokens::new(
            SecretString::from(jwt(1000, 4600)),
            Some(SecretString::from(refresh.to_string())),
            1000,
        )
    }

    fn user() -> User {
        User {
            id: 7,
            username: None,
            display_name: "J".into(),
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            role: String::new(),
        }
    }

    fn pending() -> SharedRefresh {
        futures::future::pending::<Result<()>>().boxed().shared()
    }

    fn signed_in(refresh: &str) -> SessionState {
        let mut st = SessionState::default();
        st.sign_in(tokens(refresh), user());
        st
    }

    fn plan_current(st: &mut SessionState) -> RefreshPlan {
        let generation = st.generation();
        plan(st, generation, Instant::now())
    }

    fn plan(st: &mut SessionState, seen: u64, now: Instant) -> RefreshPlan {
        st.plan_refresh(seen, now, |_, _| pending())
    }

    fn start(st: &mut SessionState) -> u64 {
        let generation = st.generation();
        match plan(st, generation, Instant::now()) {
            RefreshPlan::Started(_) => generation,
            _ => panic!("expected a refresh to start"),
        }
    }

    #[test]
    fn a_second_caller_joins_the_refresh_in_flight() {
        let mut st = signed_in("r1");
        start(&mut st);
        assert!(matches!(plan_current(&mut st), RefreshPlan::Join(_)));
    }

    #[test]
    fn a_refresh_of_an_old_session_never_touches_the_new_sessions_refresh() {
        // Session A refreshes (slow); the app logs in again (B); B starts its own refresh.
        let mut st = signed_in("a");
        let a = start(&mut st);
        st.sign_in(tokens("b"), user());
        let b = start(&mut st);
        // A's refresh ends, in any of its three ways: none of them reaches B.
        assert!(!st.refresh_succeeded(a, tokens("a2")));
        assert!(!st.refresh_failed(a, Error::Timeout, Instant::now() + Duration::from_secs(60)));
        assert!(!st.end(a));
        assert!(
            st.refresh_in_flight(),
            "B's refresh is still the one in flight"
        );
        assert!(matches!(
            plan(&mut st, b, Instant::now()),
            RefreshPlan::Join(_)
        ));
        let refresh = st.tokens.as_ref().and_then(|t| t.refresh.as_ref()).unwrap();
        assert_eq!(refresh.expose_secret(), "b");
    }

    #[test]
    fn a_stale_failure_does_not_cool_down_the_new_session() {
        let mut st = signed_in("a");
        let a = start(&mut st);
        st.sign_in(tokens("b"), user());
        assert!(!st.refresh_failed(a, Error::Timeout, Instant::now() + Duration::from_secs(60)));
        assert!(matches!(plan_current(&mut st), RefreshPlan::Started(_)));
    }

    #[test]
    fn a_failure_cools_down_its_own_generation_until_the_deadline() {
        let mut st = signed_in("a");
        let g = start(&mut st);
        let now = Instant::now();
        assert!(st.refresh_failed(g, Error::Timeout, now + Duration::from_secs(5)));
        assert!(matches!(
            plan(&mut st, g, now),
            RefreshPlan::CoolingDown(Error::Timeout)
        ));
        assert!(matches!(
            plan(&mut st, g, now + Duration::from_secs(6)),
            RefreshPlan::Started(_)
        ));
    }

    #[test]
    fn a_rotation_moves_generation_and_revision_and_a_caller_of_the_old_one_is_superseded() {
        let mut st = signed_in("a");
        let (g, r) = (st.generation(), st.revision());
        let started = start(&mut st);
        assert!(st.refresh_succeeded(started, tokens("a2")));
        assert!(st.generation() > g && st.revision() > r);
        assert!(matches!(
            plan(&mut st, g, Instant::now()),
            RefreshPlan::Superseded
        ));
        assert!(!st.refresh_in_flight());
    }

    #[test]
    fn restore_takes_only_a_newer_revision_or_fills_an_empty_client() {
        let mut st = SessionState::default();
        let mut stored = signed_in("s").snapshot();
        stored.revision = 4;
        assert_eq!(st.restore(Some(stored.clone())).unwrap(), Restored::Adopted);
        assert_eq!(st.revision(), 4);
        // The same revision again, or an older one: memory is kept.
        assert_eq!(st.restore(Some(stored.clone())).unwrap(), Restored::Kept);
        st.set_cart_key(Some("k".into()));
        assert_eq!(st.restore(Some(stored.clone())).unwrap(), Restored::Kept);
        assert_eq!(st.cart_key.as_deref(), Some("k"));
        stored.revision = 9;
        assert_eq!(st.restore(Some(stored)).unwrap(), Restored::Adopted);
        assert_eq!(st.revision(), 9);
    }

    #[test]
    fn a_stored_token_that_is_not_a_jwt_is_corrupt_and_changes_nothing() {
        let mut st = SessionState::default();
        let stored = PersistedSession {
            revision: 3,
            access_token: Some(SecretString::from("nope".to_string())),
            ..PersistedSession::default()
        };
        assert!(matches!(st.restore(Some(stored)), Err(Error::Storage(_))));
        assert!(st.tokens.is_none());
        assert_eq!(st.revision(), 0);
    }

    #[test]
    fn tokens_near_their_deadline_are_refreshed_first_and_still_sent_until_it() {
        let st = signed_in("a"); // lifetime 3600 s from 1000: deadline 4600
        assert!(matches!(st.token_plan(1000, 300), TokenPlan::Send { .. }));
        assert!(matches!(
            st.token_plan(4400, 300),
            TokenPlan::RefreshFirst {
                still_valid: true,
                ..
            }
        ));
        assert!(matches!(
            st.token_plan(4601, 300),
            TokenPlan::RefreshFirst {
                still_valid: false,
                ..
            }
        ));
        // The leeway is at most half the lifetime.
        assert!(matches!(
            st.token_plan(2000, 100_000),
            TokenPlan::Send { .. }
        ));
    }

    #[test]
    fn a_session_without_a_refresh_token_is_used_until_rejected() {
        let mut st = SessionState::default();
        st.sign_in(
            Tokens::new(SecretString::from(jwt(1000, 4600)), None, 1000),
            user(),
        );
        assert!(matches!(st.token_plan(4599, 300), TokenPlan::Send { .. }));
        assert!(matches!(plan_current(&mut st), RefreshPlan::NoRefreshToken));
    }

    #[test]
    fn sign_out_of_an_old_generation_is_ignored_and_logout_ends_the_current_one() {
        let mut st = signed_in("a");
        let old = st.generation();
        st.sign_in(tokens("b"), user());
        assert!(!st.end(old));
        assert!(st.tokens.is_some());
        assert!(st.end_current());
        assert!(st.tokens.is_none() && st.user.is_none());
        assert!(!st.end_current());
    }

    #[test]
    fn raising_the_revision_only_ever_goes_up() {
        let mut st = signed_in("a");
        st.raise_revision_above(10);
        assert_eq!(st.revision(), 11);
        st.raise_revision_above(3);
        assert_eq!(st.revision(), 11);
        st.raise_revision_above(u64::MAX);
        assert_eq!(st.revision(), u64::MAX);
    }
}
