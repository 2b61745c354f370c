//! Test controls and operational state: the request journal, scheduled faults, the rate
//! limiter, and the `/__mock/` routes that drive them (also reachable from Rust through
//! [`crate::MockServer`]).

pub mod controls;
pub mod faults;
pub mod http;
pub mod journal;
pub mod rate_limit;

pub use faults::{Fault, FaultKind, FaultSpec, Faults};
pub use http::routes;
pub use journal::{Journal, JournalEntry};
pub use rate_limit::RateLimiter;

/// Faults and rate-limit windows (the journal has its own lock: [`crate::state::Shared::journal`]).
#[derive(Debug, Default)]
pub struct OpsWorld {
    /// Pending faults.
    pub faults: Faults,
    /// Rate-limit windows.
    pub rate: RateLimiter,
}
