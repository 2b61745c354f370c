//! Adds a product to a guest cart, logs in (which transfers the guest cart and keeps the
//! customer's saved lines), prints what happened to each line, and prints the
//! customer's cart.
//!
//! ```text
//! cargo run --example guest_to_customer -- --store-url URL --username U --password P --product ID_OR_SKU
//! ```

use std::process::ExitCode;

use clap::Parser;
use cocart_e2e::demos::guest_to_customer::{Args, run};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(report) => {
            println!("{report}");
            if report.transferred() {
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
