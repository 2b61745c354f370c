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
use crate::shared_session::{SharedConfig, Taken, owner_name, wait_for_lock};

impl Inner {
    /// The refresh of a shared session (see the module docs). Runs inside the single-flight
    /// task of `generation`.
    pub(crate) async fn refresh_shared(
        self: &Arc<Self>,
        shared: &SharedConfig,
        generation: u64,
    ) -> Result<()> {
        let owner = owner_name();
        let taken = match self.take_lock(shared, &owner).await {
            Ok(taken) => taken,
            Err(e) => return self.apply_refresh(generation, Err(transient(e))).await,
        };
        let Taken::Held { after_lapse } = taken else {
            return Ok(());
        };
        let outcome = self
            .refresh_under_lock(shared, &owner, generation, after_lapse)
            .await;
        if let Err(e) = shared.lock.release(&owner).await {
            // The lease expires on its own.
            tracing::warn!(error = %e, "could not release the refresh lock");
        }
        outcome
    }

    /// Waits for the lock, adopting a newer stored session as soon as one appears.
    async fn take_lock(&self, shared: &SharedConfig, owner: &str) -> Result<Taken, Error> {
        wait_for_lock(shared, owner, || async {
            Ok(self.load_and_adopt().await? == Restored::Adopted)
        })
        .await
    }

    async fn refresh_under_lock(
        self: &Arc<Self>,
        shared: &SharedConfig,
        owner: &str,
        generation: u64,
        after_lapse: bool,
    ) -> Result<()> {
        // Another process may have rotated between our last look and the lock.
        match self.load_and_adopt().await {
            Ok(Restored::Adopted) => return Ok(()),
            Ok(Restored::Kept) => {}
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
        // A full lease before the request, so that it cannot outlive the lock.
        match shared.lock.renew(owner, shared.lease).await {
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
                outcome = &mut request => outcome,
                () = renewals => request.await,
            }
        };
        match outcome {
            Err(RefreshFailure::Terminal(reason)) => {
                // Sign out only if no newer pair was saved meanwhile.
                match self.load_and_adopt().await {
                    Ok(Restored::Adopted) => Ok(()),
                    _ => {
                        let reason = if after_lapse && reason == SignOutReason::RefreshTokenInvalid
                        {
                            SignOutReason::RefreshedElsewhereAndLost
                        } else {
                            reason
                        };
                        self.apply_refresh(generation, Err(RefreshFailure::Terminal(reason)))
                            .await
                    }
                }
            }
            other => self.apply_refresh(generation, other).await,
        }
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
