//! One backend replica of a customer's shared session, driven line by line from stdin: the
//! process the shared-session scenario tests (`tests/shared_session_scenarios_e2e.rs`) run two
//! or three of, to interleave their steps exactly.
//!
//! ```text
//! cargo run --example replica -- --store-url URL --session-redis redis://127.0.0.1:6379/ \
//!     --session-key customer-1 [--session-redis-cluster redis://127.0.0.1:7000/,…] \
//!     [--replicas-to-acknowledge N] [--namespace NS] [--lock-lease-ms N] [--timeout-ms N] \
//!     [--refresh-cooldown-ms N] [--max-retry-wait-ms N] [--redis-timeout-ms N]
//!     [--key-name-secret BASE64 | --unkeyed-key-names] [--migrate-key-names follow|move]
//! ```
//!
//! Every input line is `ID COMMAND [ARGS…]`; each command runs as a task of its own (so several
//! can be in flight) and answers one JSON line `{"id":ID,"ok":true,"value":…}` or
//! `{"id":ID,"ok":false,"error":KIND,"reason":…,"message":…}`. Commands:
//!
//! | command | what it calls |
//! |---|---|
//! | `login USER PASSWORD` | `login` |
//! | `restore` | `restore_session` (the value is the user id or `null`) |
//! | `restore_or_login USER PASSWORD` | `restore_or_login` |
//! | `refresh` | `refresh_now` |
//! | `refresh_if_needed` | `refresh_if_needed` |
//! | `cart` | `cart().get(..)` |
//! | `logout` | `logout` (the value says whether the store confirmed it) |
//! | `state` | what the client holds: signed in, user id, guest cart key, the token's `pat` and `iat` |
//! | `cancel ID` | drops the caller of command `ID` (its task is aborted), as a cancelled request handler would |
//!
//! Auth events are printed as they happen: `{"event":"TokenRefreshed","saved":true}`,
//! `{"event":"SignedOut","reason":"LoggedOut"}`, `{"event":"SignedIn","user_id":1}`. The first
//! line is `{"ready":true}`. Logs (`RUST_LOG`) go to stderr.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use cocart::models::CartQuery;
use cocart::{AuthEvent, CoCartClient, Error};
use cocart_redis::{KeyNameSecret, MigrationStep, PreviousKeyNames, RedisSessions};
use serde_json::{Value, json};
use tokio::task::AbortHandle;

/// Command-line options.
#[derive(Parser)]
#[command(about = "A shared-session replica driven by line commands on stdin")]
struct Args {
    /// The store's site root.
    #[arg(long)]
    store_url: String,
    /// The Redis that holds the shared session.
    #[arg(long, required_unless_present = "session_redis_cluster")]
    session_redis: Option<String>,
    /// Or the nodes of a Redis Cluster that holds it (comma-separated URLs).
    #[arg(long, value_delimiter = ',', conflicts_with = "session_redis")]
    session_redis_cluster: Vec<String>,
    /// Replicas that must confirm each write (default: the mode's, 1 in a cluster).
    #[arg(long)]
    replicas_to_acknowledge: Option<u32>,
    /// The customer's key in that Redis.
    #[arg(long)]
    session_key: String,
    /// The Redis namespace.
    #[arg(long, default_value = "cocart-scenarios")]
    namespace: String,
    /// The lock lease in milliseconds (default: the SDK's).
    #[arg(long)]
    lock_lease_ms: Option<u64>,
    /// The whole-request timeout in milliseconds (default: the SDK's).
    #[arg(long)]
    timeout_ms: Option<u64>,
    /// The refresh cooldown after a transient failure, in milliseconds.
    #[arg(long)]
    refresh_cooldown_ms: Option<u64>,
    /// The cap on a store's Retry-After, in milliseconds.
    #[arg(long)]
    max_retry_wait_ms: Option<u64>,
    /// How long one Redis command may take, in milliseconds.
    #[arg(long)]
    redis_timeout_ms: Option<u64>,
    /// The key-name secret, base64 (default: the tests' fixed one).
    #[arg(long)]
    key_name_secret: Option<String>,
    /// Keep the unkeyed key names of 0.3 (as a process of 0.3 would).
    #[arg(long, conflicts_with = "key_name_secret")]
    unkeyed_key_names: bool,
    /// Move sessions from the unkeyed names to the keyed ones: `follow` (step 1) or `move`
    /// (step 2).
    #[arg(long, conflicts_with = "unkeyed_key_names")]
    migrate_key_names: Option<String>,
}

fn build(args: &Args) -> Result<CoCartClient, String> {
    let sessions = match &args.session_redis {
        Some(url) => RedisSessions::builder(url.as_str()),
        None => RedisSessions::cluster_builder(args.session_redis_cluster.iter().cloned()),
    };
    let mut sessions = sessions.namespace(args.namespace.as_str());
    if let Some(n) = args.replicas_to_acknowledge {
        sessions = sessions.replicas_to_acknowledge(n);
    }
    sessions = if args.unkeyed_key_names {
        sessions.unkeyed_key_names()
    } else {
        let secret = match &args.key_name_secret {
            Some(text) => KeyNameSecret::from_base64(text).map_err(|e| e.to_string())?,
            None => cocart_redis::testing::key_name_secret(),
        };
        sessions.key_name_secret(secret)
    };
    sessions = match args.migrate_key_names.as_deref() {
        None => sessions,
        Some("follow") => {
            sessions.migrate_key_names(PreviousKeyNames::Unkeyed, MigrationStep::FollowMoved)
        }
        Some("move") => {
            sessions.migrate_key_names(PreviousKeyNames::Unkeyed, MigrationStep::MoveOnUse)
        }
        Some(other) => return Err(format!("--migrate-key-names: follow or move, not {other}")),
    };
    if let Some(ms) = args.redis_timeout_ms {
        sessions = sessions.command_timeout(Duration::from_millis(ms));
    }
    // Lazily, so that a replica can start while its Redis is out of reach.
    let sessions = sessions.connect_lazily().map_err(|e| e.to_string())?;
    let mut builder = CoCartClient::builder(args.store_url.as_str())
        .session_store(sessions.store(&args.session_key))
        .session_lock(sessions.lock(&args.session_key))
        .retry_base_delay(Duration::from_millis(20));
    if let Some(ms) = args.lock_lease_ms {
        builder = builder.lock_lease(Duration::from_millis(ms));
    }
    if let Some(ms) = args.timeout_ms {
        builder = builder.timeout(Duration::from_millis(ms));
    }
    if let Some(ms) = args.refresh_cooldown_ms {
        builder = builder.refresh_cooldown(Duration::from_millis(ms));
    }
    if let Some(ms) = args.max_retry_wait_ms {
        builder = builder.max_retry_wait(Duration::from_millis(ms));
    }
    builder.build().map_err(|e| e.to_string())
}

/// One JSON line on stdout (`println!` writes a line whole).
fn emit(value: &Value) {
    println!("{value}");
}

/// The variant name of a `Debug` rendering: `SessionExpired { .. }` → `SessionExpired`.
fn variant(debug: &str) -> String {
    debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn error_json(e: &Error) -> Value {
    let reason = match e {
        Error::SessionExpired { reason } => Some(format!("{reason:?}")),
        Error::SignedOut { reason } => reason.as_ref().map(|r| format!("{r:?}")),
        _ => None,
    };
    json!({
        "ok": false,
        "error": variant(&format!("{e:?}")),
        "reason": reason,
        "message": e.to_string(),
    })
}

fn event_json(event: &AuthEvent) -> Value {
    match event {
        AuthEvent::InitialSession { user } => {
            json!({"event": "InitialSession", "user_id": user.as_ref().map(|u| u.id)})
        }
        AuthEvent::SignedIn { user } => json!({"event": "SignedIn", "user_id": user.id}),
        AuthEvent::TokenRefreshed { saved } => json!({"event": "TokenRefreshed", "saved": saved}),
        AuthEvent::SignedOut { reason } => {
            json!({"event": "SignedOut", "reason": format!("{reason:?}")})
        }
        other => json!({"event": variant(&format!("{other:?}"))}),
    }
}

fn state_json(client: &CoCartClient) -> Value {
    let claims = client.token_claims();
    json!({
        "signed_in": client.is_signed_in(),
        "user_id": client.current_user().map(|u| u.id),
        "cart_key": client.cart_key(),
        "pat": claims.as_ref().and_then(|c| c.pat.clone()),
        "iat": claims.as_ref().map(|c| c.iat),
    })
}

async fn run_command(client: CoCartClient, words: Vec<String>) -> Value {
    let arg = |i: usize| words.get(i).cloned().unwrap_or_default();
    let outcome: Result<Value, Error> = match words.first().map(String::as_str) {
        Some("login") => client
            .login(&arg(1), &arg(2))
            .await
            .map(|u| json!({"user_id": u.id})),
        Some("restore") => client
            .restore_session()
            .await
            .map(|u| json!(u.map(|u| u.id))),
        Some("restore_or_login") => client
            .restore_or_login(&arg(1), &secrecy::SecretString::from(arg(2)))
            .await
            .map(|u| json!({"user_id": u.id})),
        Some("refresh") => client.refresh_now().await.map(|()| Value::Null),
        Some("refresh_if_needed") => client.refresh_if_needed().await.map(|r| json!(r)),
        Some("cart") => client
            .cart()
            .get(&CartQuery::new())
            .await
            .map(|_| json!({"cart_key": client.cart_key()})),
        Some("logout") => client
            .logout()
            .await
            .map(|o| json!({"server_confirmed": o.server_confirmed})),
        Some("state") => Ok(state_json(&client)),
        other => Ok(json!({"unknown_command": other})),
    };
    match outcome {
        Ok(value) => json!({"ok": true, "value": value}),
        Err(e) => error_json(&e),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let args = Args::parse();
    let client = match build(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut events = client.subscribe();
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            if !matches!(event, AuthEvent::InitialSession { .. }) {
                emit(&event_json(&event));
            }
        }
    });
    let running: Arc<Mutex<HashMap<String, AbortHandle>>> = Arc::default();
    emit(&json!({"ready": true}));
    // Stdin is read on a thread of its own (blocking reads), line by line.
    let (tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = lines.recv().await {
        let mut words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        if words.is_empty() {
            continue;
        }
        let id = words.remove(0);
        if words.first().map(String::as_str) == Some("cancel") {
            let target = words.get(1).cloned().unwrap_or_default();
            let handle = running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&target);
            let found = handle.map(|h| h.abort()).is_some();
            if found {
                emit(&json!({"id": target, "ok": false, "error": "Cancelled"}));
            }
            emit(&json!({"id": id, "ok": true, "value": found}));
            continue;
        }
        let client = client.clone();
        let done = Arc::clone(&running);
        let task_id = id.clone();
        // Registered before the task can look itself up.
        let mut registry = running.lock().unwrap_or_else(|p| p.into_inner());
        let task = tokio::spawn(async move {
            let mut answer = run_command(client, words).await;
            answer["id"] = json!(task_id);
            // Answered only while not cancelled: the cancel answers for it.
            if done
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&task_id)
                .is_some()
            {
                emit(&answer);
            }
        });
        registry.insert(id, task.abort_handle());
        drop(registry);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_are_the_first_word_of_debug() {
        assert_eq!(variant("SessionExpired { reason: X }"), "SessionExpired");
        assert_eq!(variant("Storage(Unavailable(\"x\"))"), "Storage");
        assert_eq!(variant("NotSignedIn"), "NotSignedIn");
    }
}
