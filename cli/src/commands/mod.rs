//! One function per command. Each returns an [`Outcome`] (what to print, and the exit code) or
//! a [`Failure`].

mod account;
mod cart;
mod products;

use super::args::{Cli, Command};
use super::exit::Failure;
pub use super::exit::Outcome;
use super::session::Session;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<Outcome, Failure> {
    let global = cli.global;
    if let Command::Doctor(args) = cli.command {
        return super::doctor::command(&global, args).await;
    }
    let account = matches!(cli.command, Command::Whoami(_) | Command::Refresh);
    let session = match Session::open(&global, account).await {
        Ok(s) => s,
        Err(f) if matches!(cli.command, Command::Logout) && f.code == "usage" => {
            // Nothing to log out of: no session and no store to talk to.
            let files = super::session::SessionFiles::locate(global.session_file.as_deref())?;
            if files.session.exists() {
                return Err(f);
            }
            return Ok(Outcome::ok(
                "Not signed in.\n",
                serde_json::json!({"signed_out": true, "server_confirmed": null}),
            ));
        }
        Err(f) => return Err(f),
    };
    let result = match cli.command {
        Command::Login(args) => account::login(&session, args).await,
        Command::Whoami(args) => account::whoami(&session, args).await,
        Command::Refresh => account::refresh(&session).await,
        Command::Logout => account::logout(&session).await,
        Command::Cart { action } => cart::run(&session, action).await,
        Command::Products(args) => products::list(&session, args).await,
        Command::Attributes(args) => products::attributes(&session, args).await,
        Command::Reviews(args) => products::reviews(&session, args).await,
        Command::Doctor(_) => Err(Failure::usage("doctor is handled above")),
    };
    // Whatever happened, leave the session file consistent with the client.
    let settled = session.settle().await;
    let outcome = result?;
    settled?;
    Ok(outcome)
}
