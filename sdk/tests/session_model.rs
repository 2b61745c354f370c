//! Model-based test of the session core: random interleavings of logins, logouts, re-logins,
//! proactive and reactive refreshes (succeeding, slow, failing with 503, timing out, answered
//! "invalid"), cancelled callers and restores, against a scripted store that keeps score.
//!
//! After every step it checks:
//! - **no refresh token is sent again once the store consumed it** (rotated it), and no refresh
//!   token is ever in flight twice at once (a 503 or a timeout consumes nothing: resending that
//!   token later is the right recovery);
//! - **no session ends except by a terminal answer about its own refresh token** or an explicit
//!   logout, and the client never goes back to an older login's session;
//! - **a failure of one login never reaches a caller of a later one** (the store names the login in
//!   its 503 messages);
//! - and after the run, once every caller has finished, **the persisted session equals the one in
//!   memory** (same token, its own refresh token, same user and cart key).
//!
//! `COCART_MODEL_CASES` sets the number of cases (default 1,000).

mod common;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cocart::auth::claims::decode_unverified;
use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart::{CoCartClient, Error, MemoryStore, SessionStore};
use common::{jwt, now};
use proptest::prelude::*;
use serde_json::{Value, json};

const CLIENT_TIMEOUT: Duration = Duration::from_millis(150);

/// How the store answers the next refresh request.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Rotate,
    SlowRotate(u64),
    Unavailable,
    Hang,
    Invalid,
}

#[derive(Debug, Clone)]
enum Op {
    Login,
    Logout,
    Restore,
    RefreshNow,
    CartCall,
    /// Moves the client's clock into the leeway: the next call refreshes first.
    AgeToken,
    /// The store stops accepting the current access token (a changed IP): the next call is
    /// rejected and recovers with a refresh.
    KillAccessToken,
    Plan(Answer),
    CancelLast,
    Pause(u64),
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        4 => Just(Answer::Rotate),
        3 => (1u64..40).prop_map(Answer::SlowRotate),
        2 => Just(Answer::Unavailable),
        1 => Just(Answer::Hang),
        1 => Just(Answer::Invalid),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Login),
        1 => Just(Op::Logout),
        2 => Just(Op::Restore),
        4 => Just(Op::RefreshNow),
        4 => Just(Op::CartCall),
        2 => Just(Op::AgeToken),
        2 => Just(Op::KillAccessToken),
        4 => answer().prop_map(Op::Plan),
        2 => Just(Op::CancelLast),
        3 => (0u64..12).prop_map(Op::Pause),
    ]
}

/// The scripted store's books.
#[derive(Default)]
struct Books {
    logins: u32,
    /// access token → (login number, still accepted)
    access: HashMap<String, (u32, bool)>,
    /// refresh token → login number, while it may be used
    refresh: HashMap<String, u32>,
    /// refresh token → the access token issued with it
    pairs: HashMap<String, String>,
    consumed: HashSet<String>,
    in_flight: HashSet<String>,
    plan: VecDeque<Answer>,
    /// Logins that got a terminal refresh answer about their own refresh token.
    terminal: HashSet<u32>,
    violations: Vec<String>,
    rotations: u32,
}

type Shared = Arc<Mutex<Books>>;

fn books(s: &Shared) -> std::sync::MutexGuard<'_, Books> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

impl Books {
    fn issue(&mut self, login: u32) -> (String, String) {
        self.rotations += 1;
        let tag = format!("L{login}-{}", self.rotations);
        let access = jwt(now(), 3600, &tag);
        let refresh = format!("{tag}-{}", "r".repeat(20));
        self.access.insert(access.clone(), (login, true));
        self.refresh.insert(refresh.clone(), login);
        self.pairs.insert(refresh.clone(), access.clone());
        (access, refresh)
    }

    fn kill_login(&mut self, login: u32) {
        for (l, alive) in self.access.values_mut() {
            if *l == login {
                *alive = false;
            }
        }
    }
}

fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message": message, "data": {"status": status.as_u16()}})),
    )
        .into_response()
}

fn bearer_login(s: &Shared, headers: &HeaderMap) -> Option<Result<u32, ()>> {
    let token = headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .to_string();
    Some(match books(s).access.get(&token) {
        Some((login, true)) => Ok(*login),
        _ => Err(()),
    })
}

async fn login(State(s): State<Shared>) -> Response {
    let mut b = books(&s);
    b.logins += 1;
    let n = b.logins;
    let (access, refresh) = b.issue(n);
    Json(json!({
        "user_id": "7", "display_name": "jane", "first_name": "", "last_name": "",
        "email": "jane@example.com", "role": "Customer",
        "extras": {"jwt_token": access, "jwt_refresh": refresh}
    }))
    .into_response()
}

async fn refresh(State(s): State<Shared>, Json(body): Json<Value>) -> Response {
    let token = body
        .get("refresh_token")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let answer = {
        let mut b = books(&s);
        if b.consumed.contains(&token) {
            b.violations.push(format!(
                "refresh token {token} sent again after it was consumed"
            ));
        }
        if !b.in_flight.insert(token.clone()) {
            b.violations
                .push(format!("refresh token {token} in flight twice at once"));
        }
        b.plan.pop_front().unwrap_or(Answer::Rotate)
    };
    let login = books(&s).refresh.get(&token).copied();
    let finish = |s: &Shared| {
        books(s).in_flight.remove(&token);
    };
    let Some(login) = login else {
        finish(&s);
        return envelope(
            StatusCode::FORBIDDEN,
            "cocart_authentication_error",
            "Invalid refresh token.",
        );
    };
    match answer {
        Answer::Rotate | Answer::SlowRotate(_) => {
            if let Answer::SlowRotate(ms) = answer {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            let mut b = books(&s);
            b.in_flight.remove(&token);
            if b.refresh.remove(&token).is_none() {
                // Revoked meanwhile (a logout).
                return envelope(
                    StatusCode::FORBIDDEN,
                    "cocart_authentication_error",
                    "Invalid refresh token.",
                );
            }
            b.consumed.insert(token.clone());
            if let Some(old) = b.pairs.get(&token).cloned()
                && let Some(entry) = b.access.get_mut(&old)
            {
                entry.1 = false;
            }
            let (access, refresh) = b.issue(login);
            Json(json!({"token": access, "refresh_token": refresh})).into_response()
        }
        Answer::Unavailable => {
            finish(&s);
            envelope(
                StatusCode::SERVICE_UNAVAILABLE,
                "internal_server_error",
                &format!("login {login} busy"),
            )
        }
        Answer::Hang => {
            // Nothing is consumed: the client gives up first and may send the token again.
            finish(&s);
            tokio::time::sleep(CLIENT_TIMEOUT + Duration::from_millis(60)).await;
            envelope(
                StatusCode::SERVICE_UNAVAILABLE,
                "internal_server_error",
                &format!("login {login} late"),
            )
        }
        Answer::Invalid => {
            let mut b = books(&s);
            b.in_flight.remove(&token);
            b.refresh.remove(&token);
            b.kill_login(login);
            b.terminal.insert(login);
            envelope(
                StatusCode::FORBIDDEN,
                "cocart_authentication_error",
                "Invalid refresh token.",
            )
        }
    }
}

async fn cart(State(s): State<Shared>, headers: HeaderMap) -> Response {
    match bearer_login(&s, &headers) {
        None => Json(json!({"cart_key": "t_guest", "items": [], "item_count": 0})).into_response(),
        Some(Ok(_)) => Json(json!({"cart_key": "7", "items": [], "item_count": 0})).into_response(),
        Some(Err(())) => envelope(
            StatusCode::FORBIDDEN,
            "cocart_authentication_error",
            "Authentication failed.",
        ),
    }
}

async fn logout(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(Ok(_)) = bearer_login(&s, &headers) {
        // Plugin v3: every session of the user ends.
        let mut b = books(&s);
        for entry in b.access.values_mut() {
            entry.1 = false;
        }
        b.refresh.clear();
        return Json(json!(true)).into_response();
    }
    envelope(
        StatusCode::FORBIDDEN,
        "cocart_authentication_error",
        "Authentication failed.",
    )
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

async fn start_store() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let app = axum::Router::new()
        .route("/wp-json/cocart/v2/login", post(login))
        .route("/wp-json/cocart/jwt/refresh-token", post(refresh))
        .route("/wp-json/cocart/v2/cart", get(cart))
        .route("/wp-json/cocart/v2/logout", post(logout))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), shared)
}

/// The login number in the client's current token (`pat` = `L<login>-<n>`).
fn login_of(client: &CoCartClient) -> Option<u32> {
    let pat = client.token_claims()?.pat?;
    pat.strip_prefix("pat_L")?.split('-').next()?.parse().ok()
}

/// The login named in a 503 message of the scripted store.
fn login_in_error(e: &Error) -> Option<u32> {
    let message = &e.api()?.message;
    message
        .strip_prefix("login ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

struct Call {
    started_in: Option<u32>,
    task: tokio::task::JoinHandle<Result<(), Error>>,
}

async fn run_case(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let (url, store_books) = start_store().await;
    let clock = OffsetClock::new();
    let persisted = Arc::new(MemoryStore::new());
    let client = CoCartClient::builder(&url)
        .clock(clock.clone())
        .timeout(CLIENT_TIMEOUT)
        .refresh_cooldown(Duration::from_millis(15))
        .retry_base_delay(Duration::from_millis(1))
        .read_retries(1)
        .session_store_arc(persisted.clone())
        .build()
        .expect("client");
    let mut expected_login: Option<u32> = None;
    let mut calls: Vec<Call> = Vec::new();

    for op in &ops {
        match op {
            Op::Login => {
                if client.login("jane", "pw").await.is_ok() {
                    expected_login = login_of(&client);
                }
            }
            Op::Logout => {
                if client.logout().await.is_ok() {
                    expected_login = None;
                }
            }
            Op::Restore => {
                let _ = client.restore_session().await;
            }
            Op::RefreshNow => {
                let c = client.clone();
                calls.push(Call {
                    started_in: login_of(&client),
                    task: tokio::spawn(async move { c.refresh_now().await }),
                });
            }
            Op::CartCall => {
                let c = client.clone();
                calls.push(Call {
                    started_in: login_of(&client),
                    task: tokio::spawn(async move {
                        c.cart().get(&CartQuery::default()).await.map(|_| ())
                    }),
                });
            }
            Op::AgeToken => clock.advance(3500),
            Op::KillAccessToken => {
                if let Some(login) = login_of(&client) {
                    books(&store_books).kill_login(login);
                }
            }
            Op::Plan(a) => books(&store_books).plan.push_back(*a),
            Op::CancelLast => {
                if let Some(call) = calls.last() {
                    call.task.abort();
                }
            }
            Op::Pause(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
        }
        check_step(&client, &store_books, &mut expected_login)?;
    }

    for call in calls {
        let outcome = match tokio::time::timeout(Duration::from_secs(10), call.task).await {
            Err(_) => return Err(TestCaseError::fail("a caller hung")),
            Ok(Err(join)) if join.is_cancelled() => continue,
            Ok(Err(join)) => return Err(TestCaseError::fail(format!("a caller panicked: {join}"))),
            Ok(Ok(outcome)) => outcome,
        };
        if let Err(e) = &outcome
            && let (Some(failed), Some(started)) = (login_in_error(e), call.started_in)
        {
            prop_assert!(
                failed >= started,
                "a failure of login {failed} reached a caller of login {started}: {e}"
            );
        }
        check_step(&client, &store_books, &mut expected_login)?;
    }
    // Every refresh task has reported back; let the last saves land.
    tokio::time::sleep(Duration::from_millis(5)).await;
    check_step(&client, &store_books, &mut expected_login)?;
    check_persisted(&client, &persisted, &store_books).await
}

fn check_step(
    client: &CoCartClient,
    store_books: &Shared,
    expected_login: &mut Option<u32>,
) -> Result<(), TestCaseError> {
    let b = books(store_books);
    prop_assert!(b.violations.is_empty(), "{:?}", b.violations);
    match (login_of(client), *expected_login) {
        (Some(now), Some(expected)) => prop_assert_eq!(
            now,
            expected,
            "the client holds another login's session than the last one"
        ),
        (None, Some(expected)) => {
            prop_assert!(
                b.terminal.contains(&expected),
                "login {} was signed out without a terminal answer about its refresh token",
                expected
            );
            *expected_login = None;
        }
        (Some(now), None) => {
            return Err(TestCaseError::fail(format!(
                "signed in as login {now} after a logout"
            )));
        }
        (None, None) => {}
    }
    Ok(())
}

async fn check_persisted(
    client: &CoCartClient,
    persisted: &MemoryStore,
    store_books: &Shared,
) -> Result<(), TestCaseError> {
    let stored = persisted
        .load()
        .await
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let stored = stored.session();
    let stored_access = stored.as_ref().and_then(|s| s.access_token.as_ref());
    match (client.token_claims(), stored_access) {
        (None, None) => {}
        (Some(memory), Some(access)) => {
            let on_disk = decode_unverified(access.expose_secret())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(
                &on_disk,
                &memory,
                "the persisted token is not the one in memory"
            );
            let refresh = stored
                .as_ref()
                .and_then(|s| s.refresh_token.as_ref())
                .map(|r| r.expose_secret().to_string())
                .unwrap_or_default();
            let b = books(store_books);
            prop_assert_eq!(
                b.pairs.get(&refresh).map(String::as_str),
                Some(access.expose_secret()),
                "the persisted refresh token is not the access token's pair"
            );
        }
        (memory, disk) => {
            return Err(TestCaseError::fail(format!(
                "memory signed in: {}, persisted signed in: {}",
                memory.is_some(),
                disk.is_some()
            )));
        }
    }
    prop_assert_eq!(
        stored.as_ref().and_then(|s| s.cart_key.clone()),
        client.cart_key()
    );
    prop_assert_eq!(
        stored.as_ref().and_then(|s| s.user.as_ref().map(|u| u.id)),
        client.current_user().map(|u| u.id)
    );
    Ok(())
}

fn cases() -> u32 {
    std::env::var("COCART_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_interleavings_keep_every_session_invariant(
        ops in proptest::collection::vec(op(), 1..28)
    ) {
        runtime().block_on(run_case(ops))?;
    }
}
