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
            if code == Exit::Usage && wants_json(std::env::args_os().skip(1)) {
                return print_result(Err(usage_failure(&e)), true);
            }
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

/// Whether `--json` is among the arguments (before a `--` that ends the options), for errors
/// found before the command line could be parsed.
pub fn wants_json<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> bool {
    args.into_iter()
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// A command-line error from `clap` as a usage failure (exit 1): clap's first line as the
/// message, the usage line as the hint.
pub fn usage_failure(e: &clap::Error) -> Failure {
    let text = e.render().to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let usage = lines.iter().position(|l| l.starts_with("Usage: "));
    let said = lines[..usage.unwrap_or(lines.len())]
        .iter()
        .filter(|l| !l.starts_with("For more information"))
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let message = said.strip_prefix("error: ").unwrap_or(&said);
    let message = if message.is_empty() {
        "invalid command line"
    } else {
        message
    };
    let hint = usage
        .map(|i| format!("{} (`cocart --help` lists the commands)", lines[i]))
        .unwrap_or_else(|| "run `cocart --help`".to_string());
    Failure::usage(message).hint(hint)
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
