//! The refresh of a session shared by several processes, under the [`SessionLock`]
//! (see [`crate::shared_session`] for the protocol and why).
//!
//! [`SessionLock`]: crate::SessionLock

use std::sync::Arc;

use super::RefreshFailure;
use crate::auth::SignOutReason;
use crate::auth::state::Restored;
use crate::error::{Error, Result};
use crate::inner::Inner;
use crate::session_store::SessionStoreError;
use crate::shared_session::{LockGrant, SharedConfig, Taken, owner_name, wait_for_lock};

impl Inner {
    /// The refresh of a shared session (see the module docs). Runs inside the single-flight
    /// task of `generation`.
    pub(crate) async fn refresh_shared(
        self: &Arc<Self>,
        shared: &SharedConfig,
        generation: u64,
    ) -> Result<()> {
        // The access token this refresh replaces: a stored value that holds the same one (a v2
        // store hands the same stored token to every login) does not settle it.
        let replaced = self.access_fingerprint();
        let owner = owner_name();
        let taken = wait_for_lock(shared, &owner, || async {
            Ok(self.settled_by(self.load_and_adopt().await?, replaced))
        })
        .await;
        let grant = match taken {
            Ok(Taken::Held(grant)) => grant,
            Ok(Taken::Settled(settled)) => return settled_outcome(settled),
            Err(e) => return self.apply_refresh(generation, Err(transient(e))).await,
        };
        let (outcome, release) = self
            .refresh_under_lock(shared, &owner, replaced, grant)
            .await;
        match release {
            Release::Now => shared.release(&owner).await,
            // The refresh token may be spent and nobody knows its successor: the lease lapses
            // with the mark, so the next holder knows (see `LockGrant::lapsed_refresh`).
            Release::LetLapse => {
                tracing::warn!("the refresh answer was lost; the lock is left to lapse");
            }
            Release::AfterSaved => {
                let inner = Arc::clone(self);
                let shared = shared.clone();
                tokio::spawn(async move { inner.settle_then_release(&shared, &owner).await });
            }
        }
        outcome
    }

    /// A fingerprint of the access token in use (not of the whole pair).
    fn access_fingerprint(&self) -> Option<u64> {
        self.state().access_fingerprint()
    }

    /// What a read of the store means for a refresh of the access token `replaced`: `None` to
    /// go on, or how it settled. A stored value with the same access token (a v2 store hands one
    /// stored token to every login) does not settle it.
    fn settled_by(&self, restored: Restored, replaced: Option<u64>) -> Option<Restored> {
        match restored {
            Restored::Kept => None,
            Restored::Adopted if self.access_fingerprint() == replaced => None,
            settled => Some(settled),
        }
    }

    /// Keeps the lock while the refresh's outcome is not in the session store (the store refused
    /// the token and the sign-out could not be saved, or a rotated pair could not be saved), so
    /// that nobody presents the spent or refused refresh token meanwhile: retries, renewing the
    /// lease, for up to three leases, then releases (or, when the store stayed away, lets the
    /// lease lapse). A renewal that fails (the store is away) or finds the lock lost does not end
    /// the retries: the write is a compare-and-swap and needs no lock.
    async fn settle_then_release(self: Arc<Self>, shared: &SharedConfig, owner: &str) {
        let started = tokio::time::Instant::now();
        loop {
            let generation = self.state().generation();
            let refused = self.state().refused(generation);
            let settled = match refused {
                Some(reason) => self.end_session(generation, reason).await.is_ok(),
                None => !self.state().has_unsaved_changes() || self.persist().await.is_ok(),
            };
            if settled {
                shared.release(owner).await;
                return;
            }
            if started.elapsed() > shared.lease * 3 {
                tracing::warn!(
                    "the refresh's outcome could not be saved within three leases; the lock is \
                     left to lapse"
                );
                return;
            }
            // While the store is away the lease cannot be renewed and may lapse, and another
            // process may take the lock: the outcome is still written as soon as the store
            // answers (a compare-and-swap, which needs no lock), so that the other process finds
            // it, or its own write of what it learnt is refused and it adopts this one.
            let _ = shared.lock.renew(owner, shared.lease).await;
            tokio::time::sleep(shared.lease / 6).await;
        }
    }

    async fn refresh_under_lock(
        self: &Arc<Self>,
        shared: &SharedConfig,
        owner: &str,
        replaced: Option<u64>,
        grant: LockGrant,
    ) -> (Result<()>, Release) {
        // Another process may have rotated, logged in or signed out since our last look.
        match self
            .load_and_adopt()
            .await
            .map(|r| self.settled_by(r, replaced))
        {
            Ok(None) => {}
            Ok(Some(settled)) => return (settled_outcome(settled), Release::Now),
            Err(Error::Storage(SessionStoreError::Corrupt(detail))) => {
                let generation = self.state().generation();
                return (
                    self.stored_value_unreadable(generation, &detail),
                    Release::Now,
                );
            }
            Err(e) => {
                let generation = self.state().generation();
                return (
                    self.apply_refresh(generation, Err(transient(e))).await,
                    Release::Now,
                );
            }
        }
        let (generation, refresh_token) = {
            let st = self.state();
            (
                st.generation(),
                st.tokens.as_ref().and_then(|t| t.refresh.clone()),
            )
        };
        // The store refused this token earlier and the sign-out is not settled yet: settle it,
        // never presenting the token again.
        let refused = self.state().refused(generation);
        if let Some(reason) = refused {
            let outcome = self
                .apply_refresh(generation, Err(RefreshFailure::Terminal(reason)))
                .await;
            return (outcome, Release::AfterSaved);
        }
        let Some(refresh_token) = refresh_token else {
            let outcome = self
                .apply_refresh(
                    generation,
                    Err(RefreshFailure::Terminal(SignOutReason::NoRefreshToken)),
                )
                .await;
            return (outcome, Release::AfterSaved);
        };
        // A full lease before the request, so that it cannot outlive the lock, and the mark
        // that tells the next holder a refresh was in flight if this lease lapses.
        let ready = match shared.lock.renew(owner, shared.lease).await {
            Ok(true) => shared.lock.mark_refreshing(owner).await,
            other => other,
        };
        let lost = match ready {
            Ok(true) => None,
            Ok(false) => Some(Error::Storage(SessionStoreError::Unavailable(
                "the shared refresh lock was lost before the refresh".into(),
            ))),
            Err(e) => Some(Error::Storage(e)),
        };
        if let Some(lost) = lost {
            let outcome = self.apply_refresh(generation, Err(transient(lost))).await;
            return (outcome, Release::Now);
        }
        // The request and the save of what it brings back both run under renewed leases.
        let work = async {
            let outcome = self.request_refresh(&refresh_token).await;
            let answer_lost = match &outcome {
                Err(RefreshFailure::Keep(Error::Timeout, _)) => true,
                // A connection that never opened sent nothing.
                Err(RefreshFailure::Keep(Error::Network(e), _)) => !e.is_connect(),
                _ => false,
            };
            // A lost answer never ends the session (the request may not have reached the
            // store): the lease lapses with the mark, and the next holder presents the token
            // once more, knowing a refusal means the pair was rotated and lost.
            let (outcome, release) = match outcome {
                other if answer_lost => (other, Release::LetLapse),
                Err(RefreshFailure::Terminal(r)) => {
                    (Err(RefreshFailure::Terminal(r)), Release::AfterSaved)
                }
                other => (other, Release::Now),
            };
            let outcome = match outcome {
                // A holder before us presented this token and never settled it: it was spent
                // and its successor lost.
                Err(RefreshFailure::Terminal(SignOutReason::RefreshTokenInvalid))
                    if grant.lapsed_refresh =>
                {
                    Err(RefreshFailure::Terminal(
                        SignOutReason::RefreshedElsewhereAndLost,
                    ))
                }
                other => other,
            };
            // A rotation is saved, and a sign-out written, with compare-and-swap on the
            // revision read above, under the still-held lock: a newer session is adopted
            // instead.
            let applied = self.apply_refresh(generation, outcome).await;
            let unsaved = self.state().has_unsaved_changes();
            match release {
                Release::Now if unsaved => (applied, Release::AfterSaved),
                release => (applied, release),
            }
        };
        let renewals = renew_forever(shared, owner);
        tokio::pin!(work);
        tokio::select! {
            biased;
            done = &mut work => done,
            () = renewals => work.await,
        }
    }

    /// The stored value cannot be read under the lock: this process cannot tell whether another
    /// one rotated the pair, so it stops using the session (nothing is written; a new login
    /// replaces the value).
    fn stored_value_unreadable(self: &Arc<Self>, generation: u64, detail: &str) -> Result<()> {
        tracing::warn!(
            detail,
            "the stored session cannot be read; the session ends here"
        );
        if !self.state().end_unreadable(generation) {
            return Ok(());
        }
        let reason = SignOutReason::StoredSessionUnreadable;
        self.emit(crate::auth::AuthEvent::SignedOut {
            reason: reason.clone(),
        });
        Err(Error::SessionExpired { reason })
    }
}

/// What the holder does with the lock once its refresh is over.
enum Release {
    /// The outcome is known (and saved, or there is nothing to save): release.
    Now,
    /// The answer was lost: the token may be spent. Leave the lease (and its mark) to lapse.
    LetLapse,
    /// Release once the outcome is in the session store: the sign-out of a refused token, or a
    /// rotated pair whose save failed (memory is its only copy: the next holder must not present
    /// the spent token while this holder can still save it).
    AfterSaved,
}

/// What a read of the store that settled the refresh means for its callers.
fn settled_outcome(settled: Restored) -> Result<()> {
    match settled {
        Restored::EndedElsewhere => Err(Error::SessionExpired {
            reason: SignOutReason::SignedOutElsewhere,
        }),
        _ => Ok(()),
    }
}

/// Renews the lease every third of it; returns only when a renewal fails (the request then
/// runs to its end and the revision check fences its save).
async fn renew_forever(shared: &SharedConfig, owner: &str) {
    loop {
        tokio::time::sleep(shared.lease / 3).await;
        match shared.lock.renew(owner, shared.lease).await {
            Ok(true) => {}
            _ => {
                tracing::warn!("the shared refresh lock was lost during the refresh");
                return;
            }
        }
    }
}

fn transient(e: Error) -> RefreshFailure {
    RefreshFailure::Keep(e, None)
}
