//! Scheduled faults: the next N requests to a route get a 5xx, a delay, or a dropped connection.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest delay a fault may ask for.
pub const MAX_DELAY_MS: u64 = 600_000;

/// The kind of a fault, as written in `POST /__mock/faults`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Answer with an HTTP error status and WordPress's critical-error body.
    Status,
    /// Sleep, then handle the request normally.
    Delay,
    /// Close the connection without any HTTP response.
    Drop,
}

/// A fault request: `{"path","times","kind","status"?,"ms"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// The routed REST path, e.g. `/wp-json/cocart/jwt/refresh-token` (no query string).
    pub path: String,
    /// How many matching requests get the fault (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// What happens.
    pub kind: FaultKind,
    /// The status for `kind: status` (400–599).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The delay for `kind: delay`, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    /// `times` requests to `path` answer with `status`.
    pub fn status(path: &str, status: u16, times: u32) -> Self {
        Self {
            path: path.into(),
            times,
            kind: FaultKind::Status,
            status: Some(status),
            ms: None,
        }
    }

    /// `times` requests to `path` are delayed by `ms`.
    pub fn delay(path: &str, ms: u64, times: u32) -> Self {
        Self {
            path: path.into(),
            times,
            kind: FaultKind::Delay,
            status: None,
            ms: Some(ms),
        }
    }

    /// `times` requests to `path` lose their connection.
    pub fn drop_connection(path: &str, times: u32) -> Self {
        Self {
            path: path.into(),
            times,
            kind: FaultKind::Drop,
            status: None,
            ms: None,
        }
    }
}

/// What a faulted request gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// An error status.
    Status(u16),
    /// A delay before normal handling.
    Delay(Duration),
    /// No response at all.
    Drop,
}

#[derive(Debug, Clone)]
struct Pending {
    path: String,
    remaining: u32,
    fault: Fault,
    spec: FaultSpec,
}

/// The pending faults, first added first served.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    pending: Vec<Pending>,
}

/// Normalises a route path the way the router sees it (no trailing slash).
pub(crate) fn normalise_path(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() { "/" } else { trimmed }
}

impl Faults {
    /// Schedules a fault after checking it.
    pub(crate) fn add(&mut self, spec: FaultSpec) -> Result<(), String> {
        if !spec.path.starts_with("/wp-json/") {
            return Err("path must be a store route starting with /wp-json/".into());
        }
        if spec.times == 0 {
            return Err("times must be at least 1".into());
        }
        let fault = match spec.kind {
            FaultKind::Status => match spec.status {
                Some(s @ 400..=599) => Fault::Status(s),
                _ => return Err("kind status needs a status between 400 and 599".into()),
            },
            FaultKind::Delay => match spec.ms {
                Some(ms) if ms <= MAX_DELAY_MS => Fault::Delay(Duration::from_millis(ms)),
                _ => return Err(format!("kind delay needs ms between 0 and {MAX_DELAY_MS}")),
            },
            FaultKind::Drop => Fault::Drop,
        };
        self.pending.push(Pending {
            path: normalise_path(&spec.path).to_string(),
            remaining: spec.times,
            fault,
            spec,
        });
        Ok(())
    }

    /// Takes one use of the first fault matching `path`.
    pub(crate) fn take(&mut self, path: &str) -> Option<Fault> {
        if self.pending.is_empty() {
            return None;
        }
        let idx = self.pending.iter().position(|p| p.path == path)?;
        let p = &mut self.pending[idx];
        let fault = p.fault;
        p.remaining -= 1;
        if p.remaining == 0 {
            self.pending.remove(idx);
        }
        Some(fault)
    }

    /// The pending faults with their remaining counts.
    pub(crate) fn list(&self) -> Vec<FaultSpec> {
        self.pending
            .iter()
            .map(|p| FaultSpec {
                times: p.remaining,
                ..p.spec.clone()
            })
            .collect()
    }

    /// Cancels every pending fault.
    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_serves_exactly_times_requests() {
        let mut f = Faults::default();
        f.add(FaultSpec::status("/wp-json/cocart/v2/cart/", 503, 2))
            .unwrap();
        assert_eq!(f.take("/wp-json/cocart/v2/login"), None);
        assert_eq!(f.take("/wp-json/cocart/v2/cart"), Some(Fault::Status(503)));
        assert_eq!(f.list()[0].times, 1);
        assert_eq!(f.take("/wp-json/cocart/v2/cart"), Some(Fault::Status(503)));
        assert_eq!(f.take("/wp-json/cocart/v2/cart"), None);
    }

    #[test]
    fn invalid_faults_are_refused() {
        let mut f = Faults::default();
        assert!(f.add(FaultSpec::status("/wp-json/x", 200, 1)).is_err());
        assert!(f.add(FaultSpec::status("/x", 500, 1)).is_err());
        assert!(
            f.add(FaultSpec::delay("/wp-json/x", MAX_DELAY_MS + 1, 1))
                .is_err()
        );
        assert!(f.add(FaultSpec::drop_connection("/wp-json/x", 0)).is_err());
    }
}
