//! `login`, `whoami`, `refresh`, `logout`.

use cocart::{SessionStore, TokenStatus};
use secrecy::SecretString;
use serde_json::json;

use super::Outcome;
use crate::args::{LoginArgs, WhoamiArgs};
use crate::exit::Failure;
use crate::output::{human_duration, transfer_json, transfer_text, user_json, user_text};
use crate::password;
use crate::session::Session;

/// The username and password for `cocart login`, prompted for when not given. Read before
/// Ctrl-C is handled, so that Ctrl-C at a prompt ends the program at once.
pub fn credentials(args: LoginArgs) -> Result<(String, SecretString), Failure> {
    let username = password::username(args.credentials.username)?;
    let secret = password::password(args.credentials.password, &username)?;
    Ok((username, secret))
}

/// `cocart login`.
pub async fn login(
    s: &Session,
    (username, secret): (String, SecretString),
) -> Result<Outcome, Failure> {
    let outcome = s
        .progress
        .run(s.client.login_secret_with_report(&username, &secret))
        .await?;
    let user = &outcome.user;
    let mut text = format!("Signed in as {}.\n", user_text(user));
    if let Some(report) = &outcome.transfer {
        text.push_str(&transfer_text(report));
    }
    if let Some(e) = &outcome.transfer_error {
        text.push_str(&format!(
            "The guest cart could not be transferred yet ({e}); the next `cocart cart` command retries.\n"
        ));
    }
    text.push_str(&format!(
        "Session saved to {}.\n",
        s.files.session.display()
    ));
    Ok(Outcome::ok(
        text,
        json!({
            "user": user_json(user),
            "store_url": s.store_url,
            "session_file": s.files.session,
            "guest_cart_transferred": outcome.transfer.is_some(),
            "transfer": outcome.transfer.as_ref().map(transfer_json),
            "transfer_error": outcome.transfer_error.as_ref().map(|e| e.to_string()),
        }),
    ))
}

/// Seconds until the token's local deadline: receive time + the token's own lifetime.
async fn token_left(s: &Session) -> Option<i64> {
    let claims = s.client.token_claims()?;
    let stored = s.store.load().await.ok()?;
    let saved = stored.session()?;
    let now = cocart::clock::Clock::now(&cocart::clock::SystemClock);
    Some(
        saved
            .token_received_at
            .saturating_add(claims.lifetime_secs())
            .saturating_sub(now),
    )
}

/// `cocart whoami`.
pub async fn whoami(s: &Session, args: WhoamiArgs) -> Result<Outcome, Failure> {
    let user = s.require_user()?;
    let left = token_left(s).await;
    let mut text = format!("{} on {}\n", user_text(&user), s.store_url);
    if let Some(left) = left {
        if left > 0 {
            text.push_str(&format!(
                "token valid for about {} more (it is refreshed automatically)\n",
                human_duration(left)
            ));
        } else {
            text.push_str("token expired; the next call refreshes it\n");
        }
    }
    let mut verified = None;
    if args.verify {
        let status = s.progress.run(s.client.validate_token()).await?;
        verified = Some(status == TokenStatus::Valid);
        text.push_str(match status {
            TokenStatus::Valid => "the store accepts the token\n",
            TokenStatus::Rejected => {
                "the store rejects the token; the next call refreshes it (or run `cocart refresh`)\n"
            }
        });
    }
    Ok(Outcome::ok(
        text,
        json!({
            "user": user_json(&user),
            "store_url": s.store_url,
            "token_seconds_left": left,
            "token_valid": verified,
        }),
    ))
}

/// `cocart refresh`.
pub async fn refresh(s: &Session) -> Result<Outcome, Failure> {
    s.require_user()?;
    s.progress.run(s.client.refresh_now()).await?;
    let left = token_left(s).await;
    let text = match left {
        Some(left) => format!(
            "Token pair rotated; the new token is valid for {}.\n",
            human_duration(left)
        ),
        None => "Token pair rotated.\n".to_string(),
    };
    Ok(Outcome::ok(
        text,
        json!({"refreshed": true, "token_seconds_left": left}),
    ))
}

/// `cocart logout`. Logging out when not signed in clears the local session and succeeds.
pub async fn logout(s: &Session) -> Result<Outcome, Failure> {
    if !s.client.is_signed_in() {
        let stored = s.store.load().await.map_err(cocart::Error::from)?;
        if let cocart::Stored::Session(stored) = stored {
            s.store
                .clear(stored.revision)
                .await
                .map_err(cocart::Error::from)?;
        }
        return Ok(Outcome::ok(
            "Not signed in; the local session (guest cart key) was cleared.\n",
            json!({"signed_out": true, "server_confirmed": null}),
        ));
    }
    let outcome = s.progress.run(s.client.logout()).await?;
    let text = if outcome.server_confirmed {
        "Signed out. The store ended the session (with the JWT plugin v3: every session of this account).\n".to_string()
    } else {
        let why = outcome
            .server_error
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default();
        format!("Signed out locally; the store did not confirm ({why}).\n")
    };
    Ok(Outcome::ok(
        text,
        json!({"signed_out": true, "server_confirmed": outcome.server_confirmed}),
    ))
}
