//! Many concurrent authenticated reads right after the access token expired: the SDK refreshes
//! the token once (single flight) and every read succeeds.
//!
//! Run against `cocart-mock --access-ttl 10` with `--wait 11`: the mock's journal then shows
//! exactly one refresh request. The example `examples/concurrent.rs` is a thin `main` over
//! [`run`]; tests use [`run_with`] to replace the real wait with a move of the clocks.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use clap::Parser;
use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart::{AuthEvent, Error, User};

use secrecy::SecretString;

use super::common::{SharedSessionArgs, StoreArgs};

/// Command-line options of the `concurrent` example.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "concurrent",
    about = "Logs in, waits, then fires N concurrent authenticated cart reads"
)]
pub struct Args {
    /// Store and customer.
    #[command(flatten)]
    pub store: StoreArgs,
    /// A session shared with other processes through Redis.
    #[command(flatten)]
    pub shared: SharedSessionArgs,
    /// How many reads to fire at once.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub concurrency: u32,
    /// Seconds to wait between the login and the reads (longer than the access-token lifetime
    /// to make every read need a refresh).
    #[arg(long, default_value_t = 0)]
    pub wait: u64,
}

/// What happened, for printing and for tests.
#[derive(Debug, Clone)]
pub struct Report {
    /// Who signed in.
    pub user: User,
    /// How many reads were fired.
    pub concurrency: u32,
    /// How long the demo waited before the reads.
    pub waited: Duration,
    /// Reads that returned a cart.
    pub successes: u32,
    /// The errors of the reads that failed.
    pub failures: Vec<String>,
    /// Token refreshes the client reported while the reads ran.
    pub refreshes: u32,
    /// Wall time of the concurrent reads.
    pub elapsed: Duration,
}

/// Runs the demo with the system clock and a real wait.
pub async fn run(args: Args) -> Result<Report, Error> {
    run_with(args, OffsetClock::new(), |wait| async move {
        // A line other programs (and the tests) can wait for before they act.
        println!("ready: signed in; waiting {} s", wait.as_secs());
        tokio::time::sleep(wait).await;
    })
    .await
}

/// Runs the demo with the device clock `clock` and `wait` in place of sleeping (tests move the
/// mock's clock and `clock` together instead of waiting in real time).
pub async fn run_with<W, F>(args: Args, clock: OffsetClock, wait: W) -> Result<Report, Error>
where
    W: FnOnce(Duration) -> F,
    F: Future<Output = ()>,
{
    let client = args.shared.attach(args.store.builder(clock))?.build()?;
    let password = SecretString::from(args.store.password.clone());
    let user = if args.shared.is_shared() {
        // Restores the customer's session from Redis; only the first process logs in.
        client
            .restore_or_login(&args.store.username, &password)
            .await?
    } else {
        client.login_secret(&args.store.username, &password).await?
    };
    let waited = Duration::from_secs(args.wait);
    wait(waited).await;

    let mut events = client.subscribe();
    let started = Instant::now();
    let reads = (0..args.concurrency).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.cart().get(&CartQuery::default()).await })
    });
    let outcomes = futures::future::join_all(reads).await;
    let elapsed = started.elapsed();

    let mut successes = 0;
    let mut failures = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(Ok(_)) => successes += 1,
            Ok(Err(e)) => failures.push(e.to_string()),
            Err(e) => failures.push(format!("the read task failed: {e}")),
        }
    }
    let mut refreshes = 0;
    while let Some(event) = events.try_recv() {
        if let AuthEvent::TokenRefreshed { .. } = event {
            refreshes += 1;
        }
    }
    Ok(Report {
        user,
        concurrency: args.concurrency,
        waited,
        successes,
        failures,
        refreshes,
        elapsed,
    })
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "signed in as {} (user {}); waited {} s",
            self.user.display_name,
            self.user.id,
            self.waited.as_secs()
        )?;
        writeln!(
            f,
            "fired {} concurrent cart reads in {} ms",
            self.concurrency,
            self.elapsed.as_millis()
        )?;
        writeln!(f, "  successes: {}", self.successes)?;
        writeln!(f, "  failures:  {}", self.failures.len())?;
        for failure in &self.failures {
            writeln!(f, "    {failure}")?;
        }
        write!(
            f,
            "  token refreshes seen by the client: {}",
            self.refreshes
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_must_be_positive() {
        let base = [
            "concurrent",
            "--store-url",
            "http://127.0.0.1:1",
            "--username",
            "demo",
            "--password",
            "pw",
        ];
        let ok = Args::try_parse_from(base.iter().chain(&["--concurrency", "25", "--wait", "11"]))
            .unwrap();
        assert_eq!((ok.concurrency, ok.wait), (25, 11));
        assert!(Args::try_parse_from(base.iter().chain(&["--concurrency", "0"])).is_err());
    }
}
