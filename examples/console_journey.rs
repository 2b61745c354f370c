//! Drives a running `cocart-mock` through the journey its console is tested with
//! (`mock-server/console-tests`): the SDK as an app would use it, plus a few deliberate misuses,
//! one step per line read from stdin.
//!
//! ```text
//! cargo run --example console_journey -- http://127.0.0.1:PORT
//! ```
//!
//! Steps (one per line): `guest-cart`, `login`, `clock-jump`, `forced-403`, `staged-race`,
//! `logout`, `cart`, `fill N`, `quit`. After each it prints `ok STEP`, or `error STEP: why` and
//! exits non-zero. It prints no token and no password.
//!
//! - `guest-cart`: the app adds two products to a guest cart.
//! - `login`: the app logs in as the demo customer (the guest cart moves to the customer).
//! - `clock-jump`: the mock's clock and the app's clock move together to two minutes before the
//!   access token expires; one cart read then refreshes first: exactly one refresh, no rejection.
//! - `forced-403`: only the mock's clock moves, past the access token's expiry: the app sends a
//!   token it believes valid, the store refuses it, the app refreshes once and retries.
//! - `staged-race`: a second "device" logs in as the demo customer with raw HTTP and presents
//!   the same refresh token twice at once: one refresh is answered, the other refused.
//! - `logout`: the app logs out.
//! - `cart`: the app adds a mug to the customer's cart (after a clock move in the console, this
//!   shows the next refresh).
//! - `fill N`: N guest cart reads over keep-alive connections, to fill the journal.

use std::error::Error;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use cocart::clock::OffsetClock;
use cocart::models::{AddItem, CartQuery};
use cocart::{CoCartClient, LogoutOutcome};
use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};

type BoxError = Box<dyn Error + Send + Sync>;

const REFRESH_PATH: &str = "/wp-json/cocart/jwt/refresh-token";
const LOGIN_PATH: &str = "/wp-json/cocart/v2/login";
const CART_PATH: &str = "/wp-json/cocart/v2/cart";
const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "demo-password";
/// How many fill requests are in flight at once.
const FILL_CONCURRENCY: usize = 32;

/// One journaled request, as much of it as the checks read.
#[derive(Debug, Deserialize)]
struct Entry {
    path: String,
    status: u16,
}

/// The steps' shared state: the app's SDK client and its clock, and raw HTTP for the controls.
struct Journey {
    base: String,
    control: reqwest::Client,
    app: CoCartClient,
    clock: OffsetClock,
}

/// An HTTP client whose requests carry the `X-Mock-Client` label (the console shows it).
fn labelled(label: &'static str, user_agent: &str) -> Result<reqwest::Client, BoxError> {
    let mut headers = HeaderMap::new();
    headers.insert("x-mock-client", HeaderValue::from_static(label));
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .default_headers(headers)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()?)
}

impl Journey {
    fn new(base: &str) -> Result<Self, BoxError> {
        let base = base.trim_end_matches('/').to_string();
        let clock = OffsetClock::new();
        let app = CoCartClient::builder(base.clone())
            .user_agent("console-journey-app/1.0")
            .http_client(labelled("app-1", "console-journey-app/1.0")?)
            .clock(clock.clone())
            .build()?;
        Ok(Self {
            control: labelled("journey-control", "console-journey-control/1.0")?,
            base,
            app,
            clock,
        })
    }

    async fn mock_now(&self) -> Result<i64, BoxError> {
        let v: Value = self
            .control
            .get(format!("{}/__mock/clock", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        v["now"]
            .as_i64()
            .ok_or_else(|| "the mock's clock answer has no `now`".into())
    }

    async fn advance_mock(&self, seconds: i64) -> Result<(), BoxError> {
        self.control
            .post(format!("{}/__mock/clock", self.base))
            .json(&json!({ "advance": seconds }))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    async fn journal(&self) -> Result<Vec<Entry>, BoxError> {
        Ok(self
            .control
            .get(format!("{}/__mock/journal", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// The access token's expiry (the store's clock), from its claims.
    fn token_expiry(&self) -> Result<i64, BoxError> {
        self.app
            .token_claims()
            .map(|c| c.exp)
            .ok_or_else(|| "the app is not signed in".into())
    }

    /// Runs `call`, then returns the journal entries it added.
    async fn journaled<F, T>(&self, call: F) -> Result<(T, Vec<Entry>), BoxError>
    where
        F: std::future::Future<Output = Result<T, BoxError>>,
    {
        let before = self.journal().await?.len();
        let out = call.await?;
        let after = self.journal().await?;
        Ok((out, after.into_iter().skip(before).collect()))
    }

    async fn guest_cart(&self) -> Result<(), BoxError> {
        self.app
            .cart()
            .add_item(AddItem::new("MOCK-TSHIRT").quantity(2))
            .await?;
        let cart = self.app.cart().add_item(AddItem::new("MOCK-MUG")).await?;
        if cart.items.len() != 2 {
            return Err(format!("the guest cart has {} lines, not 2", cart.items.len()).into());
        }
        Ok(())
    }

    async fn login(&self) -> Result<(), BoxError> {
        let user = self.app.login(DEMO_USER, DEMO_PASSWORD).await?;
        let cart = self.app.cart().get(&CartQuery::default()).await?;
        if cart.cart_key != user.id.to_string() {
            return Err(format!("the cart after login is {:?}", cart.cart_key).into());
        }
        Ok(())
    }

    async fn clock_jump(&self) -> Result<(), BoxError> {
        let jump = self.token_expiry()? - self.mock_now().await? - 120;
        if jump <= 0 {
            return Err("the access token expires within two minutes already".into());
        }
        self.advance_mock(jump).await?;
        self.clock.advance(jump);
        let ((), added) = self
            .journaled(async {
                self.app.cart().get(&CartQuery::default()).await?;
                Ok(())
            })
            .await?;
        let refreshes: Vec<u16> = added
            .iter()
            .filter(|e| e.path == REFRESH_PATH)
            .map(|e| e.status)
            .collect();
        let rejected = added
            .iter()
            .filter(|e| e.status == 401 || e.status == 403)
            .count();
        if refreshes != [200] || rejected != 0 {
            return Err(format!(
                "expected one proactive refresh and no rejection; refreshes {refreshes:?}, {rejected} rejected"
            )
            .into());
        }
        Ok(())
    }

    async fn forced_403(&self) -> Result<(), BoxError> {
        // Only the store's clock moves: the app still believes its token valid.
        let past = self.token_expiry()? - self.mock_now().await? + 60;
        if past > 0 {
            self.advance_mock(past).await?;
        }
        let ((), added) = self
            .journaled(async {
                self.app.cart().get(&CartQuery::default()).await?;
                Ok(())
            })
            .await?;
        let refused: Vec<u16> = added
            .iter()
            .filter(|e| e.path != REFRESH_PATH && (e.status == 401 || e.status == 403))
            .map(|e| e.status)
            .collect();
        let refreshes: Vec<u16> = added
            .iter()
            .filter(|e| e.path == REFRESH_PATH)
            .map(|e| e.status)
            .collect();
        let last_ok = added
            .last()
            .is_some_and(|e| e.path == CART_PATH && e.status == 200);
        if refused.len() != 1 || refreshes != [200] || !last_ok {
            return Err(format!(
                "expected one refusal, one refresh and a retry that succeeded; refused {refused:?}, refreshes {refreshes:?}"
            )
            .into());
        }
        Ok(())
    }

    async fn staged_race(&self) -> Result<(), BoxError> {
        let device = labelled("device-2", "console-journey-device-2/1.0")?;
        let login: Value = device
            .post(format!("{}{LOGIN_PATH}", self.base))
            .basic_auth(DEMO_USER, Some(DEMO_PASSWORD))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let refresh = login["extras"]["jwt_refresh"]
            .as_str()
            .ok_or("the login answer has no refresh token")?;
        let url = format!("{}{REFRESH_PATH}", self.base);
        let body = json!({ "refresh_token": refresh });
        let (a, b) = tokio::join!(
            device.post(&url).json(&body).send(),
            device.post(&url).json(&body).send()
        );
        let mut statuses = [a?.status().as_u16(), b?.status().as_u16()];
        statuses.sort_unstable();
        if statuses[0] != 200 || statuses[1] < 400 {
            return Err(
                format!("expected one refresh answered and one refused, got {statuses:?}").into(),
            );
        }
        Ok(())
    }

    async fn logout(&self) -> Result<(), BoxError> {
        let LogoutOutcome {
            server_confirmed, ..
        } = self.app.logout().await?;
        if !server_confirmed {
            return Err("the store did not confirm the logout".into());
        }
        Ok(())
    }

    async fn cart(&self) -> Result<(), BoxError> {
        let cart = self.app.cart().add_item(AddItem::new("MOCK-MUG")).await?;
        if cart.items.is_empty() {
            return Err("the customer's cart is empty after adding a mug".into());
        }
        Ok(())
    }

    async fn fill(&self, n: usize) -> Result<(), BoxError> {
        let filler = labelled("filler", "console-journey-filler/1.0")?;
        let url = format!("{}{CART_PATH}", self.base);
        let mut answers = futures::stream::iter(0..n)
            .map(|_| {
                let req = filler.get(&url).send();
                async move { req.await.map(|r| r.status().as_u16()) }
            })
            .buffer_unordered(FILL_CONCURRENCY);
        let mut failed = 0usize;
        while let Some(answer) = answers.next().await {
            if !matches!(answer, Ok(200)) {
                failed += 1;
            }
        }
        if failed > 0 {
            return Err(format!("{failed} of {n} requests failed").into());
        }
        Ok(())
    }

    async fn run(&self, step: &str) -> Result<(), BoxError> {
        match step.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["guest-cart"] => self.guest_cart().await,
            ["login"] => self.login().await,
            ["clock-jump"] => self.clock_jump().await,
            ["forced-403"] => self.forced_403().await,
            ["staged-race"] => self.staged_race().await,
            ["logout"] => self.logout().await,
            ["cart"] => self.cart().await,
            ["fill", n] => self.fill(n.parse()?).await,
            _ => Err(format!("unknown step {step:?}").into()),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(base) = std::env::args().nth(1) else {
        eprintln!("usage: console_journey BASE_URL (steps on stdin)");
        return ExitCode::from(2);
    };
    let journey = match Journey::new(&base) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("console_journey: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Steps come from a blocking reader thread, so the runtime's threads never wait on stdin.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = std::io::stdout();
    while let Some(line) = rx.recv().await {
        let step = line.trim();
        if step.is_empty() {
            continue;
        }
        let name = step.split_whitespace().next().unwrap_or(step);
        if step == "quit" {
            let _ = writeln!(stdout, "ok quit");
            let _ = stdout.flush();
            return ExitCode::SUCCESS;
        }
        let outcome = journey.run(step).await;
        let written = match &outcome {
            Ok(()) => writeln!(stdout, "ok {name}"),
            Err(e) => writeln!(stdout, "error {name}: {e}"),
        };
        if written.and_then(|()| stdout.flush()).is_err() {
            return ExitCode::FAILURE;
        }
        if outcome.is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
