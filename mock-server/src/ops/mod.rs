//! Test-control state: the request journal, scheduled faults and rate-limit windows.

/// Journal, faults and rate-limit windows.
#[derive(Debug, Default)]
pub struct OpsWorld {}
