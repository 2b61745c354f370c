//! A small backend that serves one cart through the SDK, with the session kept in a
//! `cocart::FileStore` (restarts keep the login; the token pair is refreshed as needed).
//!
//! ```text
//! cargo run --example backend                                   # embedded mock store
//! cargo run --example backend -- --store-url URL --username U --password P \
//!     [--listen 127.0.0.1:3000] [--session-file PATH]
//!
//! # Two instances serving one customer: the session lives in Redis instead of a file
//! cargo run --example backend -- --store-url URL --username U --password P \
//!     --session-redis redis://127.0.0.1:6379/ --session-key U --listen 127.0.0.1:3001
//!
//! curl localhost:3000/cart
//! curl -X POST localhost:3000/cart/items -H 'content-type: application/json' \
//!      -d '{"sku":"MOCK-TSHIRT","qty":2}'
//! ```
//!
//! Without `--store-url` it starts an embedded `cocart-mock` and logs in as its demo customer.
//!
//! The client acts for the customer only (`customer_only(true)`): once the session ends, `/cart`
//! answers 401 with the reason (`{"error": {"code": "signed_out", "reason": …}}`) instead of
//! serving a fresh guest cart. A stored session (file or Redis) of another store is refused
//! before anything is sent: its tokens never reach this store.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use cocart::models::{AddItem, Cart, CartQuery, Quantity};
use cocart::{CoCartClient, FileStore, SignOutReason};
use cocart_e2e::demos::SharedSessionArgs;
use secrecy::SecretString;
use serde_json::{Value, json};

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "Serves a cart over HTTP through the cocart SDK")]
pub struct Args {
    /// The store's site root (default: an embedded cocart-mock).
    #[arg(long)]
    pub store_url: Option<String>,
    /// The account the backend shops as (default with the mock: demo).
    #[arg(long)]
    pub username: Option<String>,
    /// Its password (or COCART_PASSWORD).
    #[arg(long, env = "COCART_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub listen: String,
    /// Where the session is kept (default: a file in the temp directory).
    #[arg(long, conflicts_with = "session_redis")]
    pub session_file: Option<PathBuf>,
    /// Keep the session in Redis instead, shared with other instances (one refresh between
    /// them, one login when none is stored).
    #[command(flatten)]
    pub shared: SharedSessionArgs,
}

type BoxError = Box<dyn Error + Send + Sync>;

/// A cart as the backend's clients see it.
pub fn summary(cart: &Cart) -> Value {
    json!({
        "items": cart.items.iter().map(|i| json!({
            "item_key": i.item_key.as_str(),
            "sku": i.meta.sku,
            "name": i.name,
            "quantity": i.quantity.value,
            "line_total": i.line_subtotal(&cart.currency).to_string(),
        })).collect::<Vec<_>>(),
        "item_count": cart.item_count,
        "total": cart.total().to_string(),
        "total_minor": cart.total().minor(),
        "notices": cart.notices().errors(),
    })
}

/// A stable name for why a session ended, for the backend's clients.
pub fn reason_code(reason: &SignOutReason) -> &'static str {
    match reason {
        SignOutReason::LoggedOut => "logged_out",
        SignOutReason::RefreshTokenInvalid => "refresh_token_invalid",
        SignOutReason::RefreshTokenExpired => "refresh_token_expired",
        SignOutReason::AccountUnavailable => "account_unavailable",
        SignOutReason::NoRefreshToken => "no_refresh_token",
        SignOutReason::RefreshedElsewhereAndLost => "refreshed_elsewhere_and_lost",
        SignOutReason::SignedOutElsewhere => "signed_out_elsewhere",
        SignOutReason::StoredSessionUnreadable => "stored_session_unreadable",
        _ => "other",
    }
}

/// Maps an SDK error to an HTTP answer: the store's refusals are the client's problem (422); a
/// customer whose session ended is 401 with the reason (the backend never goes on as a guest);
/// everything else is ours or the store's (502/503).
fn error_response(e: cocart::Error) -> (StatusCode, Json<Value>) {
    let signed_out = match &e {
        cocart::Error::SessionExpired { reason } => Some(Some(reason_code(reason))),
        cocart::Error::SignedOut { reason } => Some(reason.as_ref().map(reason_code)),
        cocart::Error::NotSignedIn => Some(None),
        _ => None,
    };
    if let Some(reason) = signed_out {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {
                "code": "signed_out",
                "reason": reason,
                "message": e.to_string(),
            }})),
        );
    }
    let status = match &e {
        cocart::Error::Api(api) if api.status < 500 && !api.is_auth_rejection() => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        cocart::Error::TokenRejected(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_GATEWAY,
    };
    let code = e
        .api()
        .map(|a| a.code.clone())
        .unwrap_or_else(|| "upstream".into());
    (
        status,
        Json(json!({"error": {"code": code, "message": e.to_string()}})),
    )
}

async fn get_cart(
    State(client): State<CoCartClient>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let cart = client
        .cart()
        .get(&CartQuery::default())
        .await
        .map_err(error_response)?;
    Ok(Json(summary(&cart)))
}

async fn add_item(
    State(client): State<CoCartClient>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let bad = |m: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"code": "bad_request", "message": m}})),
        )
    };
    let sku = body
        .get("sku")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("give {\"sku\": \"…\", \"qty\": n}"))?;
    let qty = body.get("qty").and_then(Value::as_f64).unwrap_or(1.0);
    let qty = Quantity::new(qty).map_err(|_| bad("qty must be a number ≥ 0"))?;
    let cart = client
        .cart()
        .add_item(AddItem::new(sku).quantity(qty))
        .await
        .map_err(error_response)?;
    Ok(Json(summary(&cart)))
}

/// The routes: `GET /cart`, `POST /cart/items {sku, qty}`.
pub fn app(client: CoCartClient) -> Router {
    Router::new()
        .route("/cart", get(get_cart))
        .route("/cart/items", post(add_item))
        .with_state(client)
}

/// Where the session is kept without `--session-file` or `--session-redis`: one file in the temp
/// directory for every real store (a session of another store in it is refused, see
/// [`connect`]), another for the embedded mock.
pub fn session_file(args: &Args, embedded_mock: bool) -> PathBuf {
    args.session_file.clone().unwrap_or_else(|| {
        let name = if embedded_mock { "mock" } else { "store" };
        std::env::temp_dir().join(format!("cocart-backend-{name}-session.json"))
    })
}

/// Says what to do about a stored session that belongs to another store (nothing was sent).
fn explain(e: cocart::Error, args: &Args) -> BoxError {
    match &e {
        cocart::Error::SessionOfAnotherStore { .. } => {
            let place = if args.shared.is_shared() {
                "pass another --session-key"
            } else {
                "pass another --session-file, or remove the file"
            };
            format!("{e}; nothing was sent to this store. Give the store the session belongs to, or {place}").into()
        }
        _ => Box::new(e),
    }
}

/// Builds the client (starting the embedded mock when no store URL is given) and makes sure it
/// is signed in: a saved session is reused, otherwise it logs in. A saved session of another
/// store is an error, before any request.
pub async fn connect(
    args: &Args,
) -> Result<(CoCartClient, Option<cocart_mock::MockServer>), BoxError> {
    let (url, mock) = match &args.store_url {
        Some(url) => (url.clone(), None),
        None => {
            let server = cocart_mock::MockServer::start().await?;
            (server.base_url().to_string(), Some(server))
        }
    };
    let session_file = session_file(args, mock.is_some());
    // It serves one customer's cart: after a sign-out, calls fail instead of turning into a
    // guest's cart.
    let builder = CoCartClient::builder(&url)
        .user_agent("cocart-backend-example/1.0")
        .customer_only(true);
    let client = if args.shared.is_shared() {
        args.shared.attach(builder)?.build()?
    } else {
        builder
            .session_store(FileStore::new(session_file))
            .build()?
    };
    let credentials = || match (&args.username, &args.password, &mock) {
        (Some(u), Some(p), _) => Ok((u.clone(), p.clone())),
        (None, None, Some(_)) => Ok(("demo".to_string(), "demo-password".to_string())),
        _ => Err::<_, BoxError>("give --username and --password (or COCART_PASSWORD)".into()),
    };
    if args.shared.is_shared() {
        // Restore the shared session; only the first instance logs in.
        let (user, password) = credentials()?;
        client
            .restore_or_login(&user, &SecretString::from(password))
            .await
            .map_err(|e| explain(e, args))?;
        return Ok((client, mock));
    }
    // A saved session from another mock run would point at a store that is gone.
    let restored = if mock.is_some() {
        None
    } else {
        client
            .restore_session()
            .await
            .map_err(|e| explain(e, args))?
    };
    if restored.is_none() {
        let (user, password) = credentials()?;
        client.login(&user, &password).await?;
    }
    Ok((client, mock))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (client, _mock) = match connect(&args).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("backend: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("backend: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| args.listen.clone());
    println!("backend listening on http://{addr} (GET /cart, POST /cart/items); Ctrl-C stops it");
    let served = axum::serve(listener, app(client))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("backend: {e}");
            ExitCode::FAILURE
        }
    }
}
