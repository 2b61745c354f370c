//! One function per command. Each returns an [`Outcome`] (what to print, and the exit code) or
//! a [`Failure`].
//!
//! Ctrl-C (SIGINT) is handled once the session is open and any password has been read: the
//! command stops where it is (nothing more is sent by it), the file beside the session is put
//! in step, and the command ends with exit 130 and one line saying the state it left (see
//! [`interrupted`]). What the SDK runs in tasks of its own (a token refresh, a guest cart
//! transfer) is recorded in the session file before it is sent, so the next command finishes it.

mod account;
mod cart;
mod products;

use cocart::{SessionStore, Stored};

use super::args::{CartCommand, Cli, Command};
use super::exit::Failure;
pub use super::exit::Outcome;
use super::session::Session;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<Outcome, Failure> {
    let global = cli.global;
    if let Command::Doctor(args) = cli.command {
        let opts = super::doctor::options(&global, args)?;
        return tokio::select! {
            outcome = super::doctor::command(&global, opts) => outcome,
            () = ctrl_c() => Err(Failure::interrupted(
                "interrupted: the doctor keeps no session and changed nothing here",
            )),
        };
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
    let credentials = match &cli.command {
        Command::Login(args) => Some(account::credentials(args.clone())?),
        _ => None,
    };
    // A cart change whose answer never came: the line says how to see whether it landed (a
    // login, logout or refresh shows in the session state the line gives).
    let writes =
        matches!(&cli.command, Command::Cart { action } if !matches!(action, CartCommand::Show));
    let work = async {
        match cli.command {
            Command::Login(_) => match credentials {
                Some(c) => account::login(&session, c).await,
                None => Err(Failure::usage("no credentials read")),
            },
            Command::Whoami(args) => account::whoami(&session, args).await,
            Command::Refresh => account::refresh(&session).await,
            Command::Logout => account::logout(&session).await,
            Command::Cart { action } => cart::run(&session, action).await,
            Command::Products(args) => products::list(&session, args).await,
            Command::Attributes(args) => products::attributes(&session, args).await,
            Command::Reviews(args) => products::reviews(&session, args).await,
            Command::Doctor(_) => Err(Failure::usage("doctor is handled above")),
        }
    };
    let result = tokio::select! {
        result = work => Some(result),
        () = ctrl_c() => None,
    };
    // Whatever happened, leave the session file consistent with the client.
    let settled = session.settle().await;
    let Some(result) = result else {
        session.progress.erase();
        return Err(Failure::interrupted(interrupted(&session, writes).await));
    };
    let outcome = result?;
    settled?;
    Ok(outcome)
}

/// Resolves at the first Ctrl-C (SIGINT); never, when the signal cannot be watched.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The one line an interrupted command prints: what the session file holds now, and what the
/// next command does about anything left half-way.
pub async fn interrupted(s: &Session, writes: bool) -> String {
    let mut line = String::from("interrupted: ");
    match s.store.load().await {
        Ok(Stored::Session(saved)) if saved.access_token.is_some() => {
            let who = saved
                .user
                .as_ref()
                .map(|u| {
                    u.username
                        .clone()
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| u.email.clone())
                })
                .unwrap_or_else(|| "a customer".into());
            line.push_str(&format!("signed in as {who} on {}", s.store_url));
            if saved.pending_transfer.is_some() {
                line.push_str(
                    "; the guest cart's transfer is saved as pending and the next `cocart cart` or `cocart login` finishes it",
                );
            } else if saved.cart_key.is_some() {
                line.push_str("; a guest cart waits for its transfer: the next `cocart cart` command moves it");
            }
        }
        Ok(Stored::Session(saved)) if saved.cart_key.is_some() => {
            line.push_str(&format!(
                "not signed in; the guest cart on {} is kept",
                s.store_url
            ));
        }
        Ok(_) => line.push_str(&format!("not signed in on {}", s.store_url)),
        Err(_) => line.push_str("the session file could not be read back"),
    }
    if writes {
        line.push_str(
            "; the store may or may not have applied the cart change: `cocart cart show` tells",
        );
    }
    line
}
