//! When to send a request again: a pure policy, decided from the outcome of an attempt and its
//! number, with no I/O and no clock. The request loop in `transport.rs` sleeps and resends.
//!
//! Only reads (GET) are retried (never one marked `once`, such as the guest cart transfer, whose
//! second arrival undoes the first), only after a transient failure (network, timeout, 5xx, 429),
//! with a backoff that doubles from the base delay. A `Retry-After` longer than the backoff is
//! honoured; one longer than the configured maximum gives up at once (the caller sees the
//! rate limit instead of a long, silent wait).

use std::time::Duration;

use crate::error::Error;

/// The retry settings of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// How many times the request may be sent again (0 for writes).
    pub(crate) max_retries: u32,
    /// The first wait; each retry doubles it.
    pub(crate) base_delay: Duration,
    /// The longest `Retry-After` worth waiting for.
    pub(crate) max_retry_after: Duration,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Hand the outcome to the caller.
    Return,
    /// Wait this long, then send the request again.
    RetryAfter(Duration),
}

impl RetryPolicy {
    /// The policy of a request: reads get `read_retries`, writes and reads marked `once` are
    /// never resent (a request the store applied but whose answer was lost must not be applied
    /// twice). `resendable` is `ApiRequest::is_resendable`.
    pub(crate) fn for_request(
        resendable: bool,
        read_retries: u32,
        base_delay: Duration,
        max_retry_after: Duration,
    ) -> Self {
        Self {
            max_retries: if resendable { read_retries } else { 0 },
            base_delay,
            max_retry_after,
        }
    }

    /// The decision after attempt number `attempt` (0 for the first send) ended with `outcome`.
    pub(crate) fn decide<T>(&self, outcome: &Result<T, Error>, attempt: u32) -> Decision {
        let Err(error) = outcome else {
            return Decision::Return;
        };
        if !error.is_transient() || attempt >= self.max_retries {
            return Decision::Return;
        }
        let backoff = self.base_delay.saturating_mul(2u32.saturating_pow(attempt));
        match error {
            Error::RateLimited {
                retry_after: Some(wait),
            } if *wait > self.max_retry_after => Decision::Return,
            Error::RateLimited {
                retry_after: Some(wait),
            } => Decision::RetryAfter((*wait).max(backoff)),
            _ => Decision::RetryAfter(backoff),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    const MS: Duration = Duration::from_millis(1);

    fn reads(retries: u32) -> RetryPolicy {
        RetryPolicy::for_request(true, retries, 200 * MS, Duration::from_secs(10))
    }

    fn rate_limited(secs: Option<u64>) -> Result<(), Error> {
        Err(Error::RateLimited {
            retry_after: secs.map(Duration::from_secs),
        })
    }

    fn server_error() -> Result<(), Error> {
        Err(Error::Server {
            status: 503,
            api: None,
        })
    }

    #[test]
    fn a_success_is_returned_whatever_the_attempt() {
        assert_eq!(reads(2).decide(&Ok::<_, Error>(()), 0), Decision::Return);
        assert_eq!(reads(2).decide(&Ok::<_, Error>(()), 5), Decision::Return);
    }

    #[test]
    fn transient_read_failures_back_off_doubling_until_the_retries_run_out() {
        let policy = reads(3);
        assert_eq!(
            policy.decide(&server_error(), 0),
            Decision::RetryAfter(200 * MS)
        );
        assert_eq!(
            policy.decide(&Err::<(), _>(Error::Timeout), 1),
            Decision::RetryAfter(400 * MS)
        );
        assert_eq!(
            policy.decide(&server_error(), 2),
            Decision::RetryAfter(800 * MS)
        );
        assert_eq!(policy.decide(&server_error(), 3), Decision::Return);
        assert_eq!(reads(0).decide(&server_error(), 0), Decision::Return);
    }

    #[test]
    fn writes_are_never_resent() {
        let writes = RetryPolicy::for_request(false, 5, 200 * MS, Duration::from_secs(10));
        assert_eq!(writes.decide(&server_error(), 0), Decision::Return);
        assert_eq!(writes.decide(&rate_limited(Some(1)), 0), Decision::Return);
    }

    #[test]
    fn a_read_marked_once_is_never_resent() {
        use crate::request::ApiRequest;
        let transfer = ApiRequest::get("cocart/v2/cart").cart().once();
        assert!(transfer.is_read() && !transfer.is_resendable());
        assert!(ApiRequest::get("cocart/v2/cart").cart().is_resendable());
        assert!(!ApiRequest::post("cocart/v2/cart/add-item").is_resendable());
        let policy = RetryPolicy::for_request(
            transfer.is_resendable(),
            5,
            200 * MS,
            Duration::from_secs(10),
        );
        assert_eq!(policy.decide(&server_error(), 0), Decision::Return);
        assert_eq!(
            policy.decide(&Err::<(), _>(Error::Timeout), 0),
            Decision::Return
        );
    }

    #[test]
    fn failures_that_will_not_go_away_are_returned_at_once() {
        let api = ApiError::new(
            404,
            "cocart_item_not_in_cart",
            "gone",
            serde_json::Value::Null,
        );
        let not_found: Result<(), _> = Err(Error::Api(Box::new(api)));
        assert_eq!(reads(2).decide(&not_found, 0), Decision::Return);
        assert_eq!(
            reads(2).decide(&Err::<(), _>(Error::NotSignedIn), 0),
            Decision::Return
        );
    }

    #[test]
    fn a_retry_after_lengthens_the_wait_and_one_past_the_maximum_gives_up() {
        let policy = reads(2);
        assert_eq!(
            policy.decide(&rate_limited(Some(3)), 0),
            Decision::RetryAfter(Duration::from_secs(3))
        );
        // A Retry-After shorter than the backoff does not shorten it.
        let slow =
            RetryPolicy::for_request(true, 2, Duration::from_secs(5), Duration::from_secs(10));
        assert_eq!(
            slow.decide(&rate_limited(Some(1)), 0),
            Decision::RetryAfter(Duration::from_secs(5))
        );
        assert_eq!(policy.decide(&rate_limited(Some(11)), 0), Decision::Return);
        assert_eq!(
            policy.decide(&rate_limited(Some(10)), 0),
            Decision::RetryAfter(Duration::from_secs(10))
        );
        assert_eq!(
            policy.decide(&rate_limited(None), 1),
            Decision::RetryAfter(400 * MS)
        );
    }

    #[test]
    fn a_huge_attempt_number_saturates_instead_of_overflowing() {
        let policy = reads(u32::MAX);
        assert!(matches!(
            policy.decide(&server_error(), 40),
            Decision::RetryAfter(d) if d >= Duration::from_secs(1_000_000)
        ));
    }
}
