//! The `cocart` command-line tool: log in, keep the session in a file, work with the cart, and
//! diagnose a store (`cocart doctor`). The binary is `src/main.rs`; everything it does lives
//! here so that the tests can call it too.
//!
//! Output is text by default and JSON with `--json`; errors say what to do, and the exit codes
//! are documented in [`exit`].
#![warn(missing_docs)]

pub mod args;
mod commands;
pub mod doctor;
pub mod exit;
pub mod output;
pub mod password;
pub mod progress;
pub mod session;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use exit::{Exit, Failure, Outcome};

/// Parses the command line, runs the command, prints the result and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Exit::Ok
                }
                _ => Exit::Usage,
            };
            let _ = e.print();
            return code.into();
        }
    };
    let json = cli.global.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Network.into();
        }
    };
    let result = runtime.block_on(commands::run(cli));
    print_result(result, json)
}

/// Prints an outcome (stdout) or a failure (stderr; JSON on stdout with `--json`) and returns
/// the exit code.
pub fn print_result(result: Result<Outcome, Failure>, json: bool) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match result {
        Ok(outcome) => {
            let _ = if json {
                writeln!(stdout, "{:#}", outcome.json)
            } else {
                write!(stdout, "{}", outcome.text)
            };
            outcome.exit.into()
        }
        Err(failure) => {
            if json {
                let _ = writeln!(stdout, "{:#}", failure.to_json());
            } else {
                eprintln!("error: {failure}");
            }
            failure.exit.into()
        }
    }
}
