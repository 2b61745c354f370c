//! `cocart-soak`: a chaos soak of the shared-session protocol (see `scripts/soak.sh`).
//!
//! `cocart-soak run DURATION_S [options]` starts one `cocart-mock` (short-lived access tokens),
//! one `redis-server` (AOF, `appendfsync always`) and K `cocart-soak worker` processes that all
//! serve the same M customers, runs a seeded fault schedule (SIGKILL a worker and restart it,
//! SIGKILL the holder of a refresh lock, SIGSTOP a lock holder past its lease, SIGKILL and
//! restart Redis), stops everything, and judges the run from the mock's journal, Redis and the
//! workers' outcome logs (see `judge.rs`). It prints the figures as JSON and as a Markdown table
//! and exits 1 on any violation, 2 when the run itself could not be carried out.

mod driver;
mod judge;
mod schedule;
mod worker;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Why the soak could not run (not a verdict on the protocol: that is a violation).
#[derive(Debug, thiserror::Error)]
pub enum SoakError {
    /// A process or a file could not be set up.
    #[error("setup: {0}")]
    Setup(String),
    /// An I/O error.
    #[error("i/o: {0}")]
    Io(String),
    /// The mock or Redis did not answer as expected.
    #[error("{0}")]
    Service(String),
}

/// The customer key of customer `c` in Redis.
pub fn customer_key(c: usize) -> String {
    format!("soak-customer-{c}")
}

/// The mock username of customer `c`.
pub fn customer_user(c: usize) -> String {
    format!("soak{c}")
}

/// The mock password of customer `c` (a throwaway test account of the local mock).
pub fn customer_password(c: usize) -> String {
    format!("soak-pass-{c}")
}

/// The sessions of this soak: `url` is one Redis, or in cluster mode every node's URL separated
/// by commas; key names keyed with the tests' fixed key-name secret (every process shares it).
pub fn sessions_builder(url: &str, cluster: bool) -> cocart_redis::RedisSessionsBuilder {
    let builder = if cluster {
        cocart_redis::RedisSessions::cluster_builder(url.split(','))
    } else {
        cocart_redis::RedisSessions::builder(url)
    };
    builder.key_name_secret(cocart_redis::testing::key_name_secret())
}

/// Milliseconds since the Unix epoch.
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[derive(Parser)]
#[command(
    name = "cocart-soak",
    about = "Chaos soak of the shared-session protocol"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a soak: the driver.
    Run(driver::RunArgs),
    /// One worker process (started by `run`).
    Worker(worker::WorkerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cocart-soak: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Worker(args) => match runtime.block_on(worker::run(args)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("cocart-soak worker: {e}");
                ExitCode::from(2)
            }
        },
        Command::Run(args) => match runtime.block_on(driver::run(args)) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("cocart-soak: {e}");
                ExitCode::from(2)
            }
        },
    }
}
