//! Runs the protocol simulation over many seeds (CI: `COCART_SIM_SCHEDULES`, default 10,000;
//! nightly: e.g. `COCART_SIM_SCHEDULES=200000`, optionally `COCART_SIM_FIRST_SEED`), or replays
//! one seed with its full trace (`COCART_SIM_SEED=N`). `COCART_SIM_STOP_AT_FIRST=1` stops at the
//! first failing schedule (the mutation script uses it).

use std::time::Instant;

use cocart_sim::{Outcome, run};

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn replay_command(seed: u64) -> String {
    format!("COCART_SIM_SEED={seed} cargo test -p cocart-sim --test protocol -- --nocapture")
}

fn print_full(outcome: &Outcome) {
    println!("{:?}", outcome.params);
    for line in &outcome.trace {
        println!("{line}");
    }
    println!("--- SDK log ---\n{}", outcome.logs);
    println!("--- stats: {:?}", outcome.stats);
    for v in &outcome.violations {
        println!("VIOLATION: {v}");
    }
}

#[test]
fn schedules_keep_the_invariants() {
    if let Some(seed) = env_u64("COCART_SIM_SEED") {
        let outcome = run(seed, true);
        print_full(&outcome);
        assert!(
            outcome.violations.is_empty(),
            "seed={seed}: {:?}",
            outcome.violations
        );
        return;
    }
    let count = env_u64("COCART_SIM_SCHEDULES").unwrap_or(10_000);
    let first = env_u64("COCART_SIM_FIRST_SEED").unwrap_or(0);
    // `scripts/mutations.sh` stops at the first failing schedule.
    let stop_at_first = env_u64("COCART_SIM_STOP_AT_FIRST").is_some_and(|v| v > 0);
    let started = Instant::now();
    let mut failures = Vec::new();
    let (mut ops, mut rotations, mut faults) = (0, 0, 0);
    for seed in first..first + count {
        let outcome = run(seed, false);
        ops += outcome.stats.ops;
        rotations += outcome.stats.rotations;
        faults += outcome.stats.faults;
        if !outcome.violations.is_empty() {
            println!(
                "seed={seed} ({}, {:?}) FAILED: {}\n  replay: {}",
                if outcome.params.faulty {
                    "faulty"
                } else {
                    "fault-free"
                },
                outcome.params.version,
                outcome.violations[0],
                replay_command(seed)
            );
            failures.push(seed);
            if stop_at_first {
                println!(
                    "first failure after {} schedules in {:.1} s",
                    seed - first + 1,
                    started.elapsed().as_secs_f64()
                );
                break;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{count} schedules in {secs:.1} s ({:.0}/s): {ops} calls, {rotations} rotations, {faults} faults, {} failed",
        count as f64 / secs,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} schedules broke an invariant; first seed={}; replay: {}",
        failures.len(),
        failures[0],
        replay_command(failures[0])
    );
}

#[test]
fn one_seed_gives_one_trace() {
    for seed in [1, 2, 3, 17, 4242] {
        let a = run(seed, false);
        let b = run(seed, false);
        assert_eq!(a.trace, b.trace, "seed={seed} ran two ways");
    }
}
