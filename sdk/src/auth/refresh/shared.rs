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
        let owner = owner_name();
        let taken = wait_for_lock(shared, &owner, || async {
            match self.load_and_adopt().await? {
                Restored::Kept => Ok(None),
                settled => Ok(Some(settled)),
            }
        })
        .await;
        let grant = match taken {
            Ok(Taken::Held(grant)) => grant,
            Ok(Taken::Settled(settled)) => return settled_outcome(settled),
            Err(e) => return self.apply_refresh(generation, Err(transient(e))).await,
        };
        let outcome = self
            .refresh_under_lock(shared, &owner, generation, grant)
            .await;
        if let Err(e) = shared.lock.release(&owner).await {
            // The lease expires on its own.
            tracing::warn!(error = %e, "could not release the refresh lock");
        }
        outcome
    }

    async fn refresh_under_lock(
        self: &Arc<Self>,
        shared: &SharedConfig,
        owner: &str,
        generation: u64,
        grant: LockGrant,
    ) -> Result<()> {
        // Another process may have rotated, logged in or signed out since our last look.
        match self.load_and_adopt().await {
            Ok(Restored::Kept) => {}
            Ok(settled) => return settled_outcome(settled),
            Err(Error::Storage(SessionStoreError::Corrupt(detail))) => {
                return self.stored_value_unreadable(generation, &detail);
            }
            Err(e) => return self.apply_refresh(generation, Err(transient(e))).await,
        }
        let refresh_token = {
            let st = self.state();
            if st.generation() != generation {
                return Ok(());
            }
            st.tokens.as_ref().and_then(|t| t.refresh.clone())
        };
        let Some(refresh_token) = refresh_token else {
            return self
                .apply_refresh(
                    generation,
                    Err(RefreshFailure::Terminal(SignOutReason::NoRefreshToken)),
                )
                .await;
        };
        // A full lease before the request, so that it cannot outlive the lock, and the mark
        // that tells the next holder a refresh was in flight if this lease lapses.
        let ready = match shared.lock.renew(owner, shared.lease).await {
            Ok(true) => shared.lock.mark_refreshing(owner).await,
            other => other,
        };
        match ready {
            Ok(true) => {}
            Ok(false) => {
                let lost = Error::Storage(SessionStoreError::Unavailable(
                    "the shared refresh lock was lost before the refresh".into(),
                ));
                return self.apply_refresh(generation, Err(transient(lost))).await;
            }
            Err(e) => {
                return self
                    .apply_refresh(generation, Err(transient(Error::Storage(e))))
                    .await;
            }
        }
        let outcome = {
            let request = self.request_refresh(&refresh_token);
            let renewals = renew_forever(shared, owner);
            tokio::pin!(request);
            tokio::select! {
                biased;
                outcome = &mut request => outcome,
                () = renewals => request.await,
            }
        };
        let outcome = match outcome {
            // The previous holder's lease lapsed while it was refreshing: it spent the token
            // and its successor was lost with it.
            Err(RefreshFailure::Terminal(SignOutReason::RefreshTokenInvalid))
                if grant.lapsed_refresh =>
            {
                Err(RefreshFailure::Terminal(
                    SignOutReason::RefreshedElsewhereAndLost,
                ))
            }
            other => other,
        };
        // A rotation is saved, and a sign-out written, with compare-and-swap on the revision
        // read above, under the still-held lock: a newer session is adopted instead.
        self.apply_refresh(generation, outcome).await
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
