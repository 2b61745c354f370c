//! Test controls and operational state: the request journal, scheduled faults, the rate
//! limiter, and the `/__mock/` routes that drive them (also reachable from Rust through
//! [`crate::MockServer`]).

pub(crate) mod controls;
pub(crate) mod faults;
pub(crate) mod http;
pub(crate) mod journal;
pub(crate) mod rate_limit;

pub(crate) use faults::Faults;
pub(crate) use http::routes;
pub(crate) use journal::Journal;
pub(crate) use rate_limit::RateLimiter;

/// Faults and rate-limit windows (the journal has its own lock: [`crate::state::Shared::journal`]).
#[derive(Debug, Default)]
pub(crate) struct OpsWorld {
    /// Pending faults.
    pub(crate) faults: Faults,
    /// Rate-limit windows.
    pub(crate) rate: RateLimiter,
}
