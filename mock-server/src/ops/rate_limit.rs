//! The CoCart Plus style rate limiter the JWT plugin configures: 10 refresh-token and 2
//! validate-token requests per 60 s per client IP, fixed windows on the virtual clock. Over the
//! limit: 429 with `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (Unix time
//! the window ends) and `Retry-After` (seconds).

use crate::error::ApiError;
use std::collections::HashMap;

/// The refresh-token route and its limit.
pub(crate) const REFRESH_ROUTE: &str = "/wp-json/cocart/jwt/refresh-token";
/// The validate-token route.
pub(crate) const VALIDATE_ROUTE: &str = "/wp-json/cocart/jwt/validate-token";
/// Window length in seconds.
pub(crate) const WINDOW_SECONDS: i64 = 60;

/// The limit for a route, if it is rate-limited.
pub(crate) fn limit_for(path: &str) -> Option<u32> {
    match path {
        REFRESH_ROUTE => Some(10),
        VALIDATE_ROUTE => Some(2),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: i64,
    count: u32,
}

/// The headers of an admitted, rate-limited request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    /// `X-RateLimit-Limit`.
    pub(crate) limit: u32,
    /// `X-RateLimit-Remaining`.
    pub(crate) remaining: u32,
    /// `X-RateLimit-Reset` (Unix seconds).
    pub(crate) reset: i64,
}

impl RateHeaders {
    /// The header pairs.
    pub(crate) fn pairs(&self) -> [(&'static str, String); 3] {
        [
            ("X-RateLimit-Limit", self.limit.to_string()),
            ("X-RateLimit-Remaining", self.remaining.to_string()),
            ("X-RateLimit-Reset", self.reset.to_string()),
        ]
    }
}

/// Per-route, per-IP windows.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: HashMap<(&'static str, String), Window>,
}

impl RateLimiter {
    /// Counts a request. `None` when the route is not limited; `Err` is the 429.
    pub(crate) fn check(
        &mut self,
        path: &str,
        ip: &str,
        now: i64,
    ) -> Option<Result<RateHeaders, ApiError>> {
        let limit = limit_for(path)?;
        let route = if path == REFRESH_ROUTE {
            REFRESH_ROUTE
        } else {
            VALIDATE_ROUTE
        };
        if self.windows.len() > 10_000 {
            self.windows
                .retain(|_, w| now < w.start.saturating_add(WINDOW_SECONDS));
        }
        let w = self
            .windows
            .entry((route, ip.to_string()))
            .or_insert(Window {
                start: now,
                count: 0,
            });
        if now >= w.start.saturating_add(WINDOW_SECONDS) || now < w.start {
            *w = Window {
                start: now,
                count: 0,
            };
        }
        w.count = w.count.saturating_add(1);
        let reset = w.start.saturating_add(WINDOW_SECONDS);
        let headers = RateHeaders {
            limit,
            remaining: limit.saturating_sub(w.count),
            reset,
        };
        if w.count <= limit {
            return Some(Ok(headers));
        }
        let wait = (reset - now).max(1);
        let mut err = ApiError::new(
            429,
            "rate_limit_exceeded",
            &format!("Too many requests. Please wait {wait} seconds before trying again."),
        );
        for (k, v) in headers.pairs() {
            err = err.with_header(k, v);
        }
        Some(Err(err.with_header("Retry-After", wait.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_allows_two_per_minute_per_ip() {
        let mut r = RateLimiter::default();
        assert!(r.check(VALIDATE_ROUTE, "1.1.1.1", 100).unwrap().is_ok());
        let second = r.check(VALIDATE_ROUTE, "1.1.1.1", 110).unwrap().unwrap();
        assert_eq!(second.remaining, 0);
        let err = r
            .check(VALIDATE_ROUTE, "1.1.1.1", 120)
            .unwrap()
            .unwrap_err();
        assert_eq!(err.status.as_u16(), 429);
        assert!(
            err.headers
                .iter()
                .any(|(k, v)| k == "Retry-After" && v == "40")
        );
        assert!(r.check(VALIDATE_ROUTE, "2.2.2.2", 120).unwrap().is_ok());
        assert!(r.check(VALIDATE_ROUTE, "1.1.1.1", 160).unwrap().is_ok());
        assert!(r.check("/wp-json/cocart/v2/cart", "1.1.1.1", 160).is_none());
    }
}
