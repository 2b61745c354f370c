//! The seeded fault schedule: the same seed, duration and worker count give the same faults at
//! the same offsets against the same workers.

use serde::Serialize;

/// A small deterministic generator (SplitMix64), so that a seed replays on any platform and
/// any version of any dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// SIGKILL a worker wherever it is, restart it after `hold_ms`.
    KillWorker,
    /// Wait (up to a few seconds) until the worker holds a refresh lock, then SIGKILL it;
    /// restart it after `hold_ms`.
    KillHolder,
    /// Wait until the worker holds a refresh lock, SIGSTOP it for `hold_ms` (longer than the
    /// lease), then SIGCONT.
    StallHolder,
    /// SIGKILL Redis (AOF with `appendfsync always`), start it again after `hold_ms`.
    RestartRedis,
    /// Cluster mode: `CLUSTER FAILOVER` of the primary that serves the worker-th customer's
    /// slot (a coordinated hand-over to its replica).
    FailoverPrimary,
}

impl FaultKind {
    /// The kebab-case name used in figures.
    pub fn name(self) -> &'static str {
        match self {
            Self::KillWorker => "kill-worker",
            Self::KillHolder => "kill-holder",
            Self::StallHolder => "stall-holder",
            Self::RestartRedis => "restart-redis",
            Self::FailoverPrimary => "failover-primary",
        }
    }
}

/// One scheduled fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Planned {
    /// Milliseconds after the start of the run.
    pub at_ms: u64,
    /// What.
    pub kind: FaultKind,
    /// The target worker (ignored for Redis).
    pub worker: usize,
    /// Restart delay, stop length or downtime, in milliseconds.
    pub hold_ms: u64,
}

/// The timing the schedule must respect.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The run's length.
    pub duration_ms: u64,
    /// No fault before this (everybody signs in).
    pub warmup_ms: u64,
    /// No fault in the last this many milliseconds (everything settles before the judge).
    pub quiet_tail_ms: u64,
    /// The lock lease (a stall lasts longer).
    pub lease_ms: u64,
}

/// The schedule for `seed`: faults every 3–7 s between the warm-up and the quiet tail, the
/// first four a seeded order of the four kinds (so every run of a minute sees each kind).
pub fn plan(seed: u64, workers: usize, timing: Timing) -> Vec<Planned> {
    let mut rng = Rng::new(seed);
    let mut kinds = [
        FaultKind::KillWorker,
        FaultKind::KillHolder,
        FaultKind::StallHolder,
        FaultKind::RestartRedis,
    ];
    // A seeded shuffle of the first four.
    for i in (1..kinds.len()).rev() {
        let j = rng.range(0, i as u64) as usize;
        kinds.swap(i, j);
    }
    let end = timing.duration_ms.saturating_sub(timing.quiet_tail_ms);
    let mut at = timing.warmup_ms;
    let mut out = Vec::new();
    loop {
        at += rng.range(3_000, 7_000);
        if at >= end {
            break;
        }
        let kind = if out.len() < kinds.len() {
            kinds[out.len()]
        } else {
            match rng.range(0, 99) {
                0..=34 => FaultKind::KillWorker,
                35..=59 => FaultKind::KillHolder,
                60..=79 => FaultKind::StallHolder,
                _ => FaultKind::RestartRedis,
            }
        };
        let hold_ms = match kind {
            FaultKind::KillWorker | FaultKind::KillHolder => rng.range(200, 2_000),
            FaultKind::StallHolder => timing.lease_ms + rng.range(1_000, 2_500),
            FaultKind::RestartRedis | FaultKind::FailoverPrimary => rng.range(300, 2_000),
        };
        let worker = rng.range(0, workers.saturating_sub(1) as u64) as usize;
        out.push(Planned {
            at_ms: at,
            kind,
            worker,
            hold_ms,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMING: Timing = Timing {
        duration_ms: 60_000,
        warmup_ms: 7_000,
        quiet_tail_ms: 12_000,
        lease_ms: 2_500,
    };

    #[test]
    fn a_seed_replays_the_same_schedule_and_another_seed_does_not() {
        assert_eq!(plan(7, 8, TIMING), plan(7, 8, TIMING));
        assert_ne!(plan(7, 8, TIMING), plan(8, 8, TIMING));
    }

    #[test]
    fn a_minute_has_every_kind_within_the_window_and_stalls_outlast_the_lease() {
        for seed in 0..50 {
            let faults = plan(seed, 8, TIMING);
            for kind in [
                FaultKind::KillWorker,
                FaultKind::KillHolder,
                FaultKind::StallHolder,
                FaultKind::RestartRedis,
            ] {
                assert!(
                    faults.iter().any(|f| f.kind == kind),
                    "seed {seed}: {kind:?}"
                );
            }
            for f in &faults {
                assert!(f.at_ms > TIMING.warmup_ms && f.at_ms < 48_000, "{f:?}");
                assert!(f.worker < 8);
                if f.kind == FaultKind::StallHolder {
                    assert!(f.hold_ms > TIMING.lease_ms);
                }
            }
        }
    }
}
