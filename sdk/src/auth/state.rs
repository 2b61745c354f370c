//! The session state machine: what the client knows about the session, and every transition as
//! a plain function over it. No I/O, no clock reads, no locks: the callers in `refresh/`,
//! `persist.rs` and `client.rs` take the lock, call one transition, release the lock, and only
//! then talk to the network or the session store.
//!
//! Two things keep stale work harmless:
//! - **`generation`** names the token pair in use. Every login, rotation, adoption and sign-out
//!   moves it on, and drops the refresh in flight and the failure cooldown with it: those belong to
//!   the generation that started them. A refresh, failure or sign-out that reports back for an
//!   older generation changes nothing.
//! - **`synced`** is what the session store held when this client last read or wrote it: the
//!   revision **the store** gave it and a keyed fingerprint of its tokens and cart key. Every write
//!   is a compare-and-swap on that revision, and a read that finds anything else (another revision,
//!   or the same number with another fingerprint, as after a wiped store) means another client or
//!   process wrote: its value is adopted, unless this client holds an unsaved act of the user (a
//!   login or a logout), which is written over it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard};

use futures::future::{BoxFuture, Shared};
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::User;
use super::claims::{Claims, decode_unverified};
use crate::error::{Error, Result};
use crate::models::PendingTransfer;
use crate::session_store::{PersistedSession, SessionStoreError, Stored};
use crate::tokens::{AccessToken, RefreshToken};

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

/// Why a change of the session is written, which decides what a conflict means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Intent {
    /// A change of the current session (a rotation, a cart key, a sign-out the store caused):
    /// never forced over what another client wrote; that value is adopted instead.
    Update,
    /// A login or a logout: the user's own act, written over whatever is stored.
    Overwrite,
}

/// What the store held at this client's last read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Synced {
    pub(crate) revision: u64,
    /// Of the tokens and cart key; `None` for a tombstone.
    pub(crate) fingerprint: Option<u64>,
}

/// A keyed fingerprint of a session's identity: its tokens and cart key. The key is random per
/// client, so a fingerprint tells nothing about the tokens outside it.
#[derive(Clone)]
pub(crate) struct Fingerprinter(RandomState);

impl Default for Fingerprinter {
    fn default() -> Self {
        Self(RandomState::new())
    }
}

impl Fingerprinter {
    fn of(
        &self,
        access: Option<&str>,
        refresh: Option<&str>,
        cart_key: Option<&str>,
    ) -> Option<u64> {
        if access.is_none() && cart_key.is_none() {
            return None;
        }
        let mut h = self.0.build_hasher();
        for part in [access, refresh, cart_key] {
            match part {
                Some(text) => {
                    h.write_u8(1);
                    h.write(text.as_bytes());
                    h.write_u8(0xff);
                }
                None => h.write_u8(0),
            }
        }
        Some(h.finish())
    }

    /// The fingerprint of a refresh token alone.
    fn of_refresh(&self, refresh: &str) -> u64 {
        let mut h = self.0.build_hasher();
        h.write_u8(2);
        h.write(refresh.as_bytes());
        h.finish()
    }

    /// The fingerprint of a stored session.
    pub(crate) fn of_session(&self, s: &PersistedSession) -> Option<u64> {
        self.of(
            s.access_token.as_ref().map(|t| t.expose_secret()),
            s.refresh_token.as_ref().map(|t| t.expose_secret()),
            s.cart_key.as_deref(),
        )
    }
}

/// A fresh random label for one login (not a secret: it only tells logins apart).
fn new_login_id() -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x636f_6361_7274);
    format!("{:016x}", h.finish())
}

/// Everything the client knows about the session.
#[derive(Default)]
pub(crate) struct SessionState {
    pub(crate) tokens: Option<Tokens>,
    pub(crate) user: Option<User>,
    /// Guest cart key; after a login, the guest key still to transfer.
    pub(crate) cart_key: Option<String>,
    /// A cart transfer begun and not finished (saved with the session; see
    /// `resources/transfer.rs`). Changed only through [`SessionState::set_pending_transfer`];
    /// it goes with the session: a sign-out drops it, an adoption takes the stored one.
    pub(crate) pending_transfer: Option<PendingTransfer>,
    generation: u64,
    /// What the store held at the last read or write; `None` before the first one.
    synced: Option<Synced>,
    /// The strongest intent among the changes not yet written, `None` when memory is written.
    pending: Option<Intent>,
    /// A sign-out not yet written (it must reach the store even if a guest key follows).
    unsaved_sign_out: bool,
    /// Counts changes, so that a write knows whether memory moved on while it ran.
    changes: u64,
    /// While a rotation is unsaved: the fingerprint of the refresh token it spent. A stored
    /// value that still holds that token is this session before the rotation, never newer.
    spent_refresh: Option<u64>,
    /// The login the session belongs to (kept across rotations).
    login_id: Option<String>,
    /// The login an unsaved logout ended: its tombstone goes over that login's session only.
    logged_out_of: Option<String>,
    fingerprinter: Fingerprinter,
    /// The session is shared with other processes through a lock.
    shared: bool,
    /// Always of the current generation: moving the generation on drops it.
    inflight: Option<InFlight>,
    /// Always of the current generation, like `inflight`.
    cooldown: Option<Cooldown>,
    /// The store refused the refresh token of this generation and the sign-out could not be
    /// settled through the session store: the token is never presented again; the next refresh
    /// settles the sign-out (or adopts a newer stored session).
    refused: Option<(u64, super::SignOutReason)>,
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

/// What a read of the store did to memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Restored {
    /// Another client's value replaced memory.
    Adopted,
    /// Memory stays: the store holds what this client last read or wrote (or its own write whose
    /// answer was lost), or memory holds an unsaved act of the user.
    Kept,
    /// The store holds a sign-out newer than this client's session: the session ended.
    EndedElsewhere,
}

/// The write the persistence lane must make now.
pub(crate) enum WritePlan {
    /// Memory is written (or holds nothing a store should keep).
    Nothing,
    /// Save this value with compare-and-swap on `expected`.
    Save {
        expected: u64,
        session: Box<PersistedSession>,
        fingerprint: Option<u64>,
        changes: u64,
        intent: Intent,
    },
    /// Leave a tombstone with compare-and-swap on `expected`.
    Clear {
        expected: u64,
        changes: u64,
        intent: Intent,
    },
}

impl SessionState {
    /// The state of a new client; `shared` when its session is shared through a lock.
    pub(crate) fn new(shared: bool) -> Self {
        Self {
            shared,
            ..Self::default()
        }
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// The revision the next write expects (0: nothing stored yet, as far as this client knows).
    pub(crate) fn expected_revision(&self) -> u64 {
        self.synced.map(|s| s.revision).unwrap_or(0)
    }

    /// The change counter (a write records the changes it covered).
    pub(crate) fn changes(&self) -> u64 {
        self.changes
    }

    /// Whether memory holds changes the store has not got.
    pub(crate) fn has_unsaved_changes(&self) -> bool {
        self.pending.is_some()
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
        self.refused = None;
    }

    /// The store refused the refresh token of `generation` and the sign-out is not settled yet.
    pub(crate) fn mark_refused(&mut self, generation: u64, reason: super::SignOutReason) {
        if generation == self.generation {
            self.refused = Some((generation, reason));
            self.inflight = None;
        }
    }

    /// Why the store refused the current generation's refresh token, if it did.
    pub(crate) fn refused(&self, generation: u64) -> Option<super::SignOutReason> {
        self.refused
            .as_ref()
            .filter(|(g, _)| *g == generation)
            .map(|(_, r)| r.clone())
    }

    /// Something worth persisting changed, for `intent`.
    fn touch(&mut self, intent: Intent) {
        self.changes += 1;
        self.pending = self.pending.max(Some(intent));
    }

    /// The fingerprint of what memory holds.
    pub(crate) fn fingerprint(&self) -> Option<u64> {
        self.fingerprinter.of(
            self.tokens.as_ref().map(|t| t.access.expose_secret()),
            self.tokens
                .as_ref()
                .and_then(|t| t.refresh.as_ref())
                .map(|r| r.expose_secret()),
            self.cart_key.as_deref(),
        )
    }

    /// The fingerprint of the access token in use alone (not of the pair or the cart key).
    pub(crate) fn access_fingerprint(&self) -> Option<u64> {
        let access = self.tokens.as_ref().map(|t| t.access.expose_secret());
        access.and_then(|a| self.fingerprinter.of(Some(a), None, None))
    }

    /// The fingerprint of a stored session, with this client's key.
    pub(crate) fn fingerprint_of(&self, session: &PersistedSession) -> Option<u64> {
        self.fingerprinter.of_session(session)
    }

    /// The session as the store should hold it now, bound to `store`.
    pub(crate) fn snapshot(&self, store: &str) -> PersistedSession {
        PersistedSession {
            revision: self.expected_revision(),
            access_token: self
                .tokens
                .as_ref()
                .map(|t| AccessToken::from(t.access.clone())),
            refresh_token: self
                .tokens
                .as_ref()
                .and_then(|t| t.refresh.clone())
                .map(RefreshToken::from),
            token_received_at: self.tokens.as_ref().map(|t| t.received_at).unwrap_or(0),
            user: self.user.clone(),
            cart_key: self.cart_key.clone(),
            store: Some(store.to_string()),
            pending_transfer: self.pending_transfer.clone(),
            login_id: self.login_id.clone(),
        }
    }

    /// The write to make now. `shared`: the session is shared with other processes, whose
    /// store holds customer sessions only (a guest's cart key stays in memory, so it can never
    /// replace the customer's session).
    pub(crate) fn write_plan(&self, store: &str, shared: bool) -> WritePlan {
        let Some(intent) = self.pending else {
            return WritePlan::Nothing;
        };
        let expected = self.expected_revision();
        let changes = self.changes;
        let clear = WritePlan::Clear {
            expected,
            changes,
            intent,
        };
        match (self.tokens.is_some(), shared) {
            (true, _) => {}
            (false, true) if self.unsaved_sign_out => return clear,
            (false, true) => return WritePlan::Nothing,
            (false, false) if self.cart_key.is_none() => return clear,
            // A guest's cart key (after a sign-out, it replaces the old session).
            (false, false) => {}
        }
        let session = Box::new(self.snapshot(store));
        WritePlan::Save {
            expected,
            fingerprint: self.fingerprinter.of_session(&session),
            session,
            changes,
            intent,
        }
    }

    /// Nothing needs writing (a guest change of a shared session): forget the change.
    pub(crate) fn nothing_to_write(&mut self) {
        self.pending = None;
    }

    /// A write of the state at `changes` landed at `revision`.
    pub(crate) fn written(&mut self, changes: u64, revision: u64, fingerprint: Option<u64>) {
        self.synced = Some(Synced {
            revision,
            fingerprint,
        });
        if changes == self.changes {
            self.pending = None;
            self.unsaved_sign_out = false;
            self.spent_refresh = None;
        } else if fingerprint.is_none() {
            // The tombstone landed; what came after it (a guest key) is still to write.
            self.unsaved_sign_out = false;
        }
    }

    /// An overwrite met `stored`: the user's act goes above it on the next try.
    pub(crate) fn overwrite_above(&mut self, stored: u64) {
        self.synced = Some(Synced {
            revision: stored,
            fingerprint: None,
        });
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
        let spent = self.tokens.as_ref().and_then(|t| t.refresh.as_ref());
        let spent = spent.map(|r| self.fingerprinter.of_refresh(r.expose_secret()));
        self.spent_refresh = spent.or(self.spent_refresh);
        self.tokens = Some(tokens);
        self.next_generation();
        self.touch(Intent::Update);
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

    /// Ends the session of `generation` because of a store answer (a terminal refresh answer
    /// about its own refresh token, or a rejected token with no refresh token). Nothing happens
    /// for an older generation or when signed out; returns whether a session ended.
    pub(crate) fn end(&mut self, generation: u64) -> bool {
        if generation != self.generation || self.tokens.is_none() {
            return false;
        }
        self.sign_out(Intent::Update);
        true
    }

    /// Ends whatever session is current (an explicit logout). Returns whether there was one.
    pub(crate) fn end_current(&mut self) -> bool {
        if self.tokens.is_none() {
            return false;
        }
        let login = self.login_id.take();
        self.sign_out(Intent::Overwrite);
        self.logged_out_of = login;
        true
    }

    fn sign_out(&mut self, intent: Intent) {
        self.spent_refresh = None;
        self.tokens = None;
        self.user = None;
        self.cart_key = None;
        self.pending_transfer = None;
        self.login_id = None;
        self.logged_out_of = None;
        self.next_generation();
        self.touch(intent);
        self.unsaved_sign_out = true;
    }

    /// A login succeeded. The guest cart key stays: it is the cart to transfer.
    pub(crate) fn sign_in(&mut self, tokens: Tokens, user: User) {
        self.tokens = Some(tokens);
        self.user = Some(user);
        self.login_id = Some(new_login_id());
        self.logged_out_of = None;
        self.spent_refresh = None;
        self.next_generation();
        self.touch(Intent::Overwrite);
        self.unsaved_sign_out = false;
    }

    /// Takes what a read of the store found (see the module docs). `store` is this client's
    /// store: a session bound to another store is refused before anything changes.
    pub(crate) fn on_load(&mut self, stored: Stored, store: &str) -> Result<Restored> {
        match stored {
            Stored::Empty => {
                if self.synced.is_some() {
                    // The store lost what it had (a wiped Redis): memory goes back in. A shared
                    // session is written back only by the refresh under the lock: two replicas
                    // writing their pairs into an empty store would race on revision 0, and one
                    // of them may hold a pair the lock holder is rotating away.
                    self.synced = None;
                    if !self.shared && (self.tokens.is_some() || self.cart_key.is_some()) {
                        self.touch(Intent::Update);
                    }
                }
                Ok(Restored::Kept)
            }
            Stored::Cleared { revision } => {
                let seen = Synced {
                    revision,
                    fingerprint: None,
                };
                if self.synced == Some(seen) {
                    return Ok(Restored::Kept);
                }
                self.synced = Some(seen);
                if self.tokens.is_none() {
                    return Ok(Restored::Kept);
                }
                self.tokens = None;
                self.user = None;
                self.cart_key = None;
                self.pending_transfer = None;
                self.login_id = None;
                self.next_generation();
                self.pending = None;
                self.unsaved_sign_out = false;
                Ok(Restored::EndedElsewhere)
            }
            Stored::Session(session) => {
                let seen = Synced {
                    revision: session.revision,
                    fingerprint: self.fingerprinter.of_session(&session),
                };
                if self.synced == Some(seen) {
                    return Ok(Restored::Kept);
                }
                if seen.fingerprint.is_some() && seen.fingerprint == self.fingerprint() {
                    // This client's own value (a write whose answer was lost, or a value another
                    // client adopted from it and wrote again).
                    self.synced = Some(seen);
                    return Ok(Restored::Kept);
                }
                if let Some(bound) = &session.store
                    && bound != store
                {
                    return Err(Error::SessionOfAnotherStore {
                        stored: bound.clone(),
                        client: store.to_string(),
                    });
                }
                let spent = session
                    .refresh_token
                    .as_ref()
                    .map(|r| self.fingerprinter.of_refresh(r.expose_secret()));
                if self.pending.is_some() && spent.is_some() && spent == self.spent_refresh {
                    // This session before the rotation memory holds, written again by another
                    // client (its token is spent): the rotation is newer and goes above it.
                    self.synced = Some(seen);
                    return Ok(Restored::Kept);
                }
                if self.pending == Some(Intent::Overwrite)
                    && self.tokens.is_none()
                    && (session.login_id.is_none() || session.login_id == self.logged_out_of)
                {
                    // An unsaved logout of the login stored there (or rotated from it): the
                    // user's act is written over it. A login made since is another matter.
                    self.synced = Some(seen);
                    return Ok(Restored::Kept);
                }
                // Anything else unsaved (a rotation, a login whose save failed) yields to a
                // value another client saved since: that one is confirmed, and a login of this
                // client may already be dead (a logout elsewhere ends every session on v3).
                let tokens = match session.access_token {
                    Some(access) => {
                        let tokens = Tokens::new(
                            access.to_secret(),
                            session.refresh_token.as_ref().map(RefreshToken::to_secret),
                            session.token_received_at,
                        );
                        if tokens.claims.is_none() {
                            return Err(Error::Storage(SessionStoreError::Corrupt(
                                "the stored access token is not a JWT".into(),
                            )));
                        }
                        Some(tokens)
                    }
                    None => None,
                };
                self.user = tokens.as_ref().and(session.user);
                self.pending_transfer = tokens.as_ref().and(session.pending_transfer);
                self.tokens = tokens;
                self.cart_key = session.cart_key;
                self.login_id = session.login_id;
                self.logged_out_of = None;
                self.spent_refresh = None;
                self.synced = Some(seen);
                self.pending = None;
                self.unsaved_sign_out = false;
                self.next_generation();
                Ok(Restored::Adopted)
            }
        }
    }

    /// Sets the cart key (captured from an answer, or the transfer done).
    pub(crate) fn set_cart_key(&mut self, key: Option<String>) {
        if self.cart_key != key {
            self.cart_key = key;
            self.touch(Intent::Update);
        }
    }

    /// Records (or, with `None`, drops) the cart transfer in progress.
    pub(crate) fn set_pending_transfer(&mut self, pending: Option<PendingTransfer>) {
        if self.pending_transfer != pending {
            self.pending_transfer = pending;
            self.touch(Intent::Update);
        }
    }

    /// Ends the session locally, writing nothing: the stored value cannot be read, so this
    /// client cannot tell whether another one rotated the pair. A new login overwrites it.
    pub(crate) fn end_unreadable(&mut self, generation: u64) -> bool {
        if generation != self.generation || self.tokens.is_none() {
            return false;
        }
        self.tokens = None;
        self.user = None;
        self.cart_key = None;
        self.pending_transfer = None;
        self.next_generation();
        true
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

    const STORE: &str = "https://shop.example/wp-json/";

    fn stored(refresh: &str, revision: u64) -> Stored {
        let mut session = signed_in(refresh).snapshot(STORE);
        session.revision = revision;
        Stored::Session(session)
    }

    fn refresh_of(st: &SessionState) -> Option<&str> {
        st.tokens
            .as_ref()
            .and_then(|t| t.refresh.as_ref())
            .map(|r| r.expose_secret())
    }

    /// Writes what `st` plans at the revision the store would give it.
    fn write(st: &mut SessionState, shared: bool) -> Option<u64> {
        match st.write_plan(STORE, shared) {
            WritePlan::Nothing => {
                st.nothing_to_write();
                None
            }
            WritePlan::Save {
                expected,
                fingerprint,
                changes,
                ..
            } => {
                st.written(changes, expected + 1, fingerprint);
                Some(expected + 1)
            }
            WritePlan::Clear {
                expected, changes, ..
            } => {
                st.written(changes, expected + 1, None);
                Some(expected + 1)
            }
        }
    }

    #[test]
    fn a_rotation_moves_the_generation_and_is_written_at_the_next_revision() {
        let mut st = signed_in("a");
        assert_eq!(write(&mut st, true), Some(1));
        let g = st.generation();
        let started = start(&mut st);
        assert!(st.refresh_succeeded(started, tokens("a2")));
        assert!(st.generation() > g);
        assert!(matches!(
            plan(&mut st, g, Instant::now()),
            RefreshPlan::Superseded
        ));
        assert!(!st.refresh_in_flight());
        match st.write_plan(STORE, true) {
            WritePlan::Save {
                expected, intent, ..
            } => {
                assert_eq!(expected, 1, "compare-and-swap on the revision last written");
                assert_eq!(intent, Intent::Update, "a rotation is never forced");
            }
            _ => panic!("a rotation is saved"),
        }
    }

    #[test]
    fn a_read_adopts_another_writers_value_by_revision_or_by_fingerprint() {
        let mut st = signed_in("a");
        assert_eq!(write(&mut st, true), Some(1));
        // The store still holds what we wrote: kept.
        let ours = stored("a", 1);
        let ours_fp = st.fingerprint();
        assert_eq!(st.on_load(ours, STORE).unwrap(), Restored::Kept);
        // Another writer's value at the next revision: adopted.
        assert_eq!(
            st.on_load(stored("b", 2), STORE).unwrap(),
            Restored::Adopted
        );
        assert_eq!(refresh_of(&st), Some("b"));
        // A wiped store where someone else wrote revision 2 again: the number matches, the
        // fingerprint does not.
        assert_eq!(
            st.on_load(stored("c", 2), STORE).unwrap(),
            Restored::Adopted
        );
        assert_eq!(refresh_of(&st), Some("c"));
        assert_ne!(st.fingerprint(), ours_fp);
    }

    #[test]
    fn an_unsaved_rotation_is_dropped_for_a_newer_stored_session_but_kept_over_the_same_one() {
        let mut st = signed_in("a");
        write(&mut st, true);
        let g = start(&mut st);
        assert!(st.refresh_succeeded(g, tokens("a2")));
        // The store holds what we last wrote: memory (the newer pair) stays, still to write.
        assert_eq!(st.on_load(stored("a", 1), STORE).unwrap(), Restored::Kept);
        assert!(st.has_unsaved_changes());
        assert_eq!(refresh_of(&st), Some("a2"));
        // Another process logged in again meanwhile: its session wins over the rotation.
        assert_eq!(
            st.on_load(stored("b", 2), STORE).unwrap(),
            Restored::Adopted
        );
        assert!(!st.has_unsaved_changes());
        assert_eq!(refresh_of(&st), Some("b"));
    }

    #[test]
    fn an_unsaved_rotation_goes_above_a_stored_value_that_still_holds_the_token_it_spent() {
        let mut st = signed_in("a");
        write(&mut st, true);
        let g = start(&mut st);
        assert!(st.refresh_succeeded(g, tokens("a2")));
        // Another client wrote the pre-rotation session again (say, with a cart key).
        let Stored::Session(mut again) = stored("a", 2) else {
            unreachable!()
        };
        again.cart_key = Some("t_x".into());
        assert_eq!(
            st.on_load(Stored::Session(again), STORE).unwrap(),
            Restored::Kept
        );
        assert_eq!(refresh_of(&st), Some("a2"));
        assert!(matches!(
            st.write_plan(STORE, true),
            WritePlan::Save { expected: 2, .. }
        ));
    }

    #[test]
    fn our_own_write_whose_answer_was_lost_is_recognised_by_its_fingerprint() {
        let mut st = signed_in("a");
        write(&mut st, true);
        let g = start(&mut st);
        assert!(st.refresh_succeeded(g, tokens("a2")));
        // The save of a2 landed at revision 2 but its answer was lost.
        assert_eq!(st.on_load(stored("a2", 2), STORE).unwrap(), Restored::Kept);
        assert_eq!(st.expected_revision(), 2);
    }

    #[test]
    fn a_newer_tombstone_ends_the_session_and_stays_until_the_user_logs_in() {
        let mut st = signed_in("a");
        write(&mut st, true);
        let g = st.generation();
        assert_eq!(
            st.on_load(Stored::Cleared { revision: 2 }, STORE).unwrap(),
            Restored::EndedElsewhere
        );
        assert!(st.tokens.is_none() && st.user.is_none());
        assert!(st.generation() > g);
        // Reading it again changes nothing.
        assert_eq!(
            st.on_load(Stored::Cleared { revision: 2 }, STORE).unwrap(),
            Restored::Kept
        );
        // A guest key of a shared session is never written over the customer's slot.
        st.set_cart_key(Some("guest".into()));
        assert!(matches!(st.write_plan(STORE, true), WritePlan::Nothing));
        // The user's login is written over the tombstone.
        st.sign_in(tokens("new"), user());
        match st.write_plan(STORE, true) {
            WritePlan::Save {
                expected, intent, ..
            } => assert_eq!((expected, intent), (2, Intent::Overwrite)),
            _ => panic!("a login is saved"),
        }
    }

    #[test]
    fn an_unsaved_login_yields_to_a_newer_stored_session_and_an_unsaved_logout_does_not() {
        let mut st = signed_in("mine");
        assert_eq!(write(&mut st, true), Some(1));
        // A second login whose save failed; meanwhile another replica saved revision 2.
        st.sign_in(tokens("mine-again"), user());
        assert_eq!(
            st.on_load(stored("other", 2), STORE).unwrap(),
            Restored::Adopted
        );
        assert_eq!(refresh_of(&st), Some("other"));
        assert!(!st.has_unsaved_changes());
        // The same with the store unchanged: the login stays, still to write.
        st.sign_in(tokens("mine-3"), user());
        assert_eq!(
            st.on_load(stored("other", 2), STORE).unwrap(),
            Restored::Kept
        );
        assert_eq!(refresh_of(&st), Some("mine-3"));
        write(&mut st, true);
        let ours = st.login_id.clone();
        assert!(st.end_current());
        // Another replica rotated our login's pair meanwhile: the logout goes over it.
        let Stored::Session(mut rotated) = stored("rotated", 9) else {
            unreachable!()
        };
        rotated.login_id = ours;
        assert_eq!(
            st.on_load(Stored::Session(rotated), STORE).unwrap(),
            Restored::Kept
        );
        assert!(st.tokens.is_none());
        assert!(matches!(
            st.write_plan(STORE, true),
            WritePlan::Clear {
                expected: 9,
                intent: Intent::Overwrite,
                ..
            }
        ));
        // A login made since (another login id) is not undone by the stale logout.
        assert_eq!(
            st.on_load(stored("newer-login", 10), STORE).unwrap(),
            Restored::Adopted
        );
        assert_eq!(refresh_of(&st), Some("newer-login"));
    }

    #[test]
    fn a_store_that_lost_everything_gets_memory_back_and_a_shared_one_at_the_next_refresh() {
        let mut st = signed_in("a");
        write(&mut st, false);
        assert_eq!(st.on_load(Stored::Empty, STORE).unwrap(), Restored::Kept);
        assert!(matches!(
            st.write_plan(STORE, false),
            WritePlan::Save { expected: 0, .. }
        ));
        // Shared: nothing is written back until a refresh under the lock saves its pair.
        let mut st = SessionState::new(true);
        st.sign_in(tokens("a"), user());
        write(&mut st, true);
        assert_eq!(st.on_load(Stored::Empty, STORE).unwrap(), Restored::Kept);
        assert!(matches!(st.write_plan(STORE, true), WritePlan::Nothing));
        assert_eq!(
            st.expected_revision(),
            0,
            "the next save expects an empty store"
        );
    }

    #[test]
    fn a_session_of_another_store_is_refused_and_changes_nothing() {
        let mut st = SessionState::default();
        assert!(matches!(
            st.on_load(stored("a", 3), "https://other.example/wp-json/"),
            Err(Error::SessionOfAnotherStore { .. })
        ));
        assert!(st.tokens.is_none());
        assert_eq!(st.expected_revision(), 0);
    }

    #[test]
    fn a_stored_token_that_is_not_a_jwt_is_corrupt_and_changes_nothing() {
        let mut st = SessionState::default();
        let mut session = PersistedSession {
            revision: 3,
            access_token: Some(AccessToken::new("nope")),
            ..PersistedSession::default()
        };
        session.store = Some(STORE.into());
        assert!(matches!(
            st.on_load(Stored::Session(session), STORE),
            Err(Error::Storage(_))
        ));
        assert!(st.tokens.is_none());
        assert_eq!(st.expected_revision(), 0);
    }

    fn a_pending_transfer() -> PendingTransfer {
        PendingTransfer::from_json(&serde_json::json!({"guest_key": "t_1", "user_id": 7,
            "policy": "keep_both", "account": []}))
        .expect("a pending transfer")
    }

    #[test]
    fn a_pending_transfer_is_written_with_the_session_adopted_with_it_and_dropped_at_sign_out() {
        let mut st = signed_in("a");
        st.set_cart_key(Some("t_1".into()));
        write(&mut st, true);
        st.set_pending_transfer(Some(a_pending_transfer()));
        match st.write_plan(STORE, true) {
            WritePlan::Save {
                session, intent, ..
            } => {
                assert_eq!(session.pending_transfer, Some(a_pending_transfer()));
                assert_eq!(intent, Intent::Update);
            }
            _ => panic!("the pending transfer is saved"),
        }
        let revision = write(&mut st, true).expect("written");
        // Setting the same value again is no change.
        st.set_pending_transfer(Some(a_pending_transfer()));
        assert!(!st.has_unsaved_changes());
        // Another client (a new process) adopts it from the store.
        let mut stored_session = st.snapshot(STORE);
        stored_session.revision = revision;
        let mut other = SessionState::default();
        assert_eq!(
            other
                .on_load(Stored::Session(stored_session), STORE)
                .unwrap(),
            Restored::Adopted
        );
        assert_eq!(other.pending_transfer, Some(a_pending_transfer()));
        assert_eq!(other.cart_key.as_deref(), Some("t_1"));
        // A session adopted without one drops it; so does a sign-out.
        assert_eq!(
            other.on_load(stored("b", revision + 1), STORE).unwrap(),
            Restored::Adopted
        );
        assert_eq!(other.pending_transfer, None);
        assert!(st.end_current());
        assert_eq!(st.pending_transfer, None);
    }

    #[test]
    fn a_guest_of_a_single_client_store_is_saved_and_a_logout_is_a_tombstone() {
        let mut st = SessionState::default();
        st.set_cart_key(Some("t_1".into()));
        assert_eq!(write(&mut st, false), Some(1));
        st.sign_in(tokens("a"), user());
        assert_eq!(write(&mut st, false), Some(2));
        assert!(st.end_current());
        assert!(matches!(
            st.write_plan(STORE, false),
            WritePlan::Clear { expected: 2, .. }
        ));
    }
}
