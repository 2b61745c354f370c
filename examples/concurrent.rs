//! Logs in, waits, then fires N concurrent authenticated cart reads and prints what happened.
//!
//! ```text
//! cargo run -p cocart-mock -- --port 0 --access-ttl 10    # prints its URL
//! cargo run --example concurrent -- --store-url URL --username demo --password demo-password --concurrency 20 --wait 11
//! ```
//! With the token expired after the wait, the mock's journal shows exactly one refresh.

use std::process::ExitCode;

use clap::Parser;
use cocart_e2e::demos::concurrent::{Args, run};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(report) => {
            println!("{report}");
            if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
