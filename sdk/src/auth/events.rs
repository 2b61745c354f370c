//! Auth events: a stream of what happened to the session, sent after every lock is released.

use tokio::sync::broadcast;

use super::User;

/// Why a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SignOutReason {
    /// The app called `logout()`.
    LoggedOut,
    /// The store rejected the refresh token ("Invalid refresh token."): it was revoked (logout
    /// elsewhere, password or email change) or already used.
    RefreshTokenInvalid,
    /// The refresh token is past its lifetime ("Refresh token expired.").
    RefreshTokenExpired,
    /// The store no longer knows the account ("Authentication failed." on refresh).
    AccountUnavailable,
    /// The access token was rejected and there is no refresh token to recover with.
    NoRefreshToken,
    /// Another process sharing this session (through a [`SessionLock`](crate::SessionLock))
    /// refreshed it and stopped before saving the new pair: the store had rotated the refresh
    /// token, and its successor was lost with that process.
    RefreshedElsewhereAndLost,
    /// Another client or process sharing this session signed it out (a logout, or a refresh
    /// token the store refused there): the stored session is a sign-out newer than this one.
    SignedOutElsewhere,
    /// The stored session cannot be read (corrupt, or sealed with a key this process lacks), so
    /// this process cannot tell whether another one rotated the pair: it stops using it. A new
    /// login replaces the stored value.
    StoredSessionUnreadable,
}

/// Something that happened to the session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthEvent {
    /// Sent first to every new subscriber: the session as it is now.
    InitialSession {
        /// The signed-in user, if any.
        user: Option<User>,
    },
    /// A login succeeded.
    SignedIn {
        /// Who signed in.
        user: User,
    },
    /// The token pair was rotated and is in use. `saved` says whether the session store has it
    /// (`false` when the store could not be written: the pair lives in memory only, and the next
    /// change tries again). A rotation whose save found a newer session from another process is
    /// dropped for that session and sends no event.
    TokenRefreshed {
        /// Whether the rotated pair reached the session store.
        saved: bool,
    },
    /// The session ended and the stored session was cleared.
    SignedOut {
        /// Why.
        reason: SignOutReason,
    },
}

/// A subscription to [`AuthEvent`]s. Dropping it unsubscribes.
///
/// ```no_run
/// # async fn demo(client: cocart::CoCartClient) {
/// let mut events = client.subscribe();
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct AuthEvents {
    initial: Option<AuthEvent>,
    rx: broadcast::Receiver<AuthEvent>,
}

impl AuthEvents {
    pub(crate) fn new(initial: AuthEvent, rx: broadcast::Receiver<AuthEvent>) -> Self {
        Self {
            initial: Some(initial),
            rx,
        }
    }

    /// The next event; `None` once the client is gone. A subscriber that falls more than 64
    /// events behind skips the oldest ones.
    pub async fn recv(&mut self) -> Option<AuthEvent> {
        if let Some(first) = self.initial.take() {
            return Some(first);
        }
        loop {
            match self.rx.recv().await {
                Ok(e) => return Some(e),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// The next event if one is ready, without waiting.
    pub fn try_recv(&mut self) -> Option<AuthEvent> {
        if let Some(first) = self.initial.take() {
            return Some(first);
        }
        loop {
            match self.rx.try_recv() {
                Ok(e) => return Some(e),
                Err(broadcast::error::TryRecvError::Lagged(_)) => continue,
                Err(_) => return None,
            }
        }
    }

    /// The events as a `futures::Stream`.
    pub fn into_stream(self) -> impl futures::Stream<Item = AuthEvent> + Send + Unpin {
        Box::pin(futures::stream::unfold(self, |mut s| async move {
            s.recv().await.map(|e| (e, s))
        }))
    }
}
