//! A request with its policy. Every request of a client goes through [`Inner::execute`]:
//!
//! 1. with a session, get a fresh-enough token (a proactive, single-flight refresh if it is close
//!    to expiry);
//! 2. send once (`exchange.rs`);
//! 3. if the store rejected our token (401, or 403 with an auth code), refresh once (single flight)
//!    and resend the identical request once;
//! 4. read the answer (`response.rs`) and, on a cart route, learn the guest cart key
//!    (`cart_key.rs`);
//! 5. resend a read after a transient failure when the retry policy (`retry.rs`) says so (never
//!    a request marked `once`, such as the cart transfer).
//!
//! The client's timeout is the deadline of the whole call: each send gets what is left of it,
//! and a retry whose wait would end past it is not made (the caller gets the last failure). A
//! token refresh the call waits for is the exception: it is shared with other calls (and, with a
//! shared session, other processes, whose lock lease bounds the wait) and runs in a task of its
//! own, so it is never cut short, it has the full timeout for its own request, and the time the
//! call spends waiting for it moves the call's deadline back by as much.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::inner::Inner;
use crate::request::{ApiRequest, AuthMode};
use crate::response::{self, ApiResponse};
use crate::retry::{Decision, RetryPolicy};

/// The shortest time worth a send: a retry that would leave less than this before the deadline
/// is not made.
const MIN_ATTEMPT: Duration = Duration::from_millis(50);

/// What is left until `deadline`, or [`Error::Timeout`] when it has passed.
fn left(deadline: Instant) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Error::Timeout);
    }
    Ok(left)
}

impl Inner {
    /// Sends `req` with the full policy (see the module docs).
    pub(crate) async fn execute(self: &Arc<Self>, req: ApiRequest) -> Result<ApiResponse> {
        let policy = RetryPolicy::for_request(
            req.is_resendable(),
            self.config.read_retries,
            self.config.retry_base_delay,
            self.config.max_retry_after,
        );
        let mut deadline = Instant::now() + self.config.timeout;
        let mut attempt: u32 = 0;
        loop {
            let outcome = self.execute_once(&req, attempt, &mut deadline).await;
            match policy.decide(&outcome, attempt) {
                Decision::Return => return outcome,
                Decision::RetryAfter(wait) if Instant::now() + wait + MIN_ATTEMPT >= deadline => {
                    tracing::debug!(route = %req.route, attempt, "no retry: the call's deadline comes first");
                    return outcome;
                }
                Decision::RetryAfter(wait) => {
                    tracing::debug!(route = %req.route, attempt, wait_ms = wait.as_millis() as u64, "retrying a read after a transient failure");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    /// One attempt: the token, the exchange, and at most one reactive refresh and resend, each
    /// send within what is left until `deadline`. Time spent waiting for a token (a refresh
    /// shared with other calls or processes) moves `deadline` back by as much.
    async fn execute_once(
        self: &Arc<Self>,
        req: &ApiRequest,
        attempt: u32,
        deadline: &mut Instant,
    ) -> Result<ApiResponse> {
        let session_token = match req.auth {
            AuthMode::Session => {
                let asked = Instant::now();
                let token = self.token_for_request().await?;
                *deadline += asked.elapsed();
                token
            }
            _ => None,
        };
        // A customer-only client never starts (or uses) a guest cart.
        if session_token.is_none() && req.cart && self.config.customer_only {
            return Err(self.signed_out());
        }
        let raw = self
            .send_within(
                req,
                session_token.as_ref().map(|t| &t.0),
                attempt,
                left(*deadline)?,
            )
            .await?;
        let Some((_, generation)) = session_token else {
            let sent_credentials = matches!(req.auth, AuthMode::Basic(_));
            let resp = response::read(&self.config.site, req, raw, sent_credentials, None)?;
            return self.after_success(req, resp, false).await;
        };
        let bearer = session_token.as_ref().map(|t| &t.0);
        if !raw.is_token_rejection() {
            let resp = response::read(&self.config.site, req, raw, true, bearer)?;
            return self.after_success(req, resp, true).await;
        }
        tracing::debug!(route = %req.route, status = raw.status, "token rejected; refreshing once");
        let asked = Instant::now();
        self.refresh(generation).await?;
        *deadline += asked.elapsed();
        let Some((token, _)) = self.current_token() else {
            return Err(Error::NotSignedIn);
        };
        let again = self
            .send_within(req, Some(&token), attempt, left(*deadline)?)
            .await?;
        if again.is_token_rejection() {
            return Err(req.scrubber(Some(&token)).error(again.rejection()));
        }
        let resp = response::read(&self.config.site, req, again, true, Some(&token))?;
        self.after_success(req, resp, true).await
    }

    /// Learns the cart key from a successful cart answer and persists it before returning, so
    /// an app killed right after its first cart call keeps its cart.
    async fn after_success(
        self: &Arc<Self>,
        req: &ApiRequest,
        resp: ApiResponse,
        as_user: bool,
    ) -> Result<ApiResponse> {
        // A customer's answer only matters while a guest key still waits for its transfer:
        // skip the second scan of the body otherwise.
        let wanted = req.cart && (!as_user || self.state().cart_key.is_some());
        if wanted {
            self.capture_cart_key(resp.cart_key_in_body(), &resp.headers, as_user)
                .await;
        }
        Ok(resp)
    }
}
