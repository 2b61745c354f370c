//! A worker process: serves every customer through one `RedisSessions` and one HTTP client,
//! reading each customer's cart at a steady rate, and writes what happened to its outcome log
//! (one JSON object a line, written whole, so a SIGKILL loses at most the line being written).
//!
//! It stops when its standard input closes (the driver's graceful stop).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use clap::Args;
use cocart::models::CartQuery;
use cocart::session_store::{Consistency, PersistedSession, Stored};
use cocart::{AuthEvent, CoCartClient, Error, SessionStore, SessionStoreError};
use cocart_redis::{RedisSessionStore, RedisSessions};
use serde_json::{Value, json};

use crate::{SoakError, customer_key, customer_password, customer_user, unix_ms};

/// The worker's options (the driver passes them).
#[derive(Args, Debug, Clone)]
pub struct WorkerArgs {
    /// The mock's site root.
    #[arg(long)]
    pub store_url: String,
    /// The Redis URL (in cluster mode, the nodes' URLs separated by commas).
    #[arg(long)]
    pub redis_url: String,
    /// The Redis is a cluster.
    #[arg(long)]
    pub cluster: bool,
    /// The Redis namespace of this run.
    #[arg(long)]
    pub namespace: String,
    /// How many customers (customer `c` is user `soak-c`).
    #[arg(long)]
    pub customers: usize,
    /// This worker's index.
    #[arg(long)]
    pub index: usize,
    /// This worker's incarnation (1 for the first start, +1 per restart).
    #[arg(long)]
    pub incarnation: u32,
    /// Milliseconds between two reads of one customer's cart.
    #[arg(long)]
    pub read_interval_ms: u64,
    /// The shared refresh lock's lease, in milliseconds.
    #[arg(long)]
    pub lock_lease_ms: u64,
    /// The whole-request timeout, in milliseconds.
    #[arg(long)]
    pub timeout_ms: u64,
    /// How long one Redis command may take, in milliseconds.
    #[arg(long)]
    pub redis_timeout_ms: u64,
    /// The outcome log (appended to).
    #[arg(long)]
    pub log: PathBuf,
    /// Breaks the protocol on purpose (to prove the judge can fail): `no-lock` (this worker
    /// refreshes without the shared lock) or `stale-store` (customer 0's store answers a stale
    /// session once, so a spent refresh token is presented again).
    #[arg(long, hide = true)]
    pub inject_violation: Option<String>,
}

/// The outcome log: whole lines, appended, unbuffered.
#[derive(Clone)]
struct Log(Arc<Mutex<File>>);

impl Log {
    fn open(path: &PathBuf) -> Result<Self, SoakError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| SoakError::Io(format!("worker log {}: {e}", path.display())))?;
        Ok(Self(Arc::new(Mutex::new(file))))
    }

    fn write(&self, mut line: Value) {
        line["t"] = json!(unix_ms());
        let mut text = line.to_string();
        text.push('\n');
        let mut file = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // A log that cannot be written is seen by the judge as missing lines.
        let _ = file.write_all(text.as_bytes());
    }
}

/// The variant name of a `Debug` rendering: `Storage(Unavailable("…"))` → `Storage`.
fn variant(debug: &str) -> String {
    debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// How the judge names an error: the variant, and for a storage error its inner variant.
pub fn error_kind(e: &Error) -> String {
    match e {
        Error::Storage(inner) => format!("Storage.{}", variant(&format!("{inner:?}"))),
        other => variant(&format!("{other:?}")),
    }
}

/// The errors a read may give while Redis is down: the store unreachable, or the network.
pub fn is_transient(e: &Error) -> bool {
    matches!(
        e,
        Error::Storage(SessionStoreError::Unavailable(_)) | Error::Network(_) | Error::Timeout
    )
}

/// A lock wait that gave up: the SDK's `Storage(Unavailable)` after the shared lock stayed held
/// longer than a lease (told apart by its message, which holds no secret).
pub fn is_lock_wait(e: &Error) -> bool {
    matches!(e, Error::Storage(SessionStoreError::Unavailable(m)) if m.contains("lock stayed held"))
}

fn is_signed_out(e: &Error) -> bool {
    matches!(e, Error::SignedOut { .. } | Error::SessionExpired { .. })
}

fn reason_of(e: &Error) -> Option<String> {
    match e {
        Error::SessionExpired { reason } => Some(format!("{reason:?}")),
        Error::SignedOut { reason } => reason.as_ref().map(|r| format!("{r:?}")),
        _ => None,
    }
}

/// `--inject-violation stale-store`: once the session moved on by two revisions, answers the
/// first session it loaded (under the current revision) for a second and a half, so that the
/// client presents a spent refresh token.
struct StaleStore {
    inner: RedisSessionStore,
    state: Mutex<Stale>,
}

#[derive(Default)]
struct Stale {
    first: Option<PersistedSession>,
    loads: u64,
    until: Option<std::time::Instant>,
}

#[async_trait]
impl SessionStore for StaleStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        let loaded = self.inner.load().await?;
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.loads += 1;
        let Stored::Session(s) = &loaded else {
            return Ok(loaded);
        };
        let now = std::time::Instant::now();
        match (&st.first, st.until) {
            (None, None) => st.first = Some(s.clone()),
            (Some(old), None) if st.loads >= 3 && s.revision > old.revision + 1 => {
                st.until = Some(now + Duration::from_millis(1_500));
            }
            _ => {}
        }
        if st.until.is_some_and(|u| now < u)
            && let Some(old) = &st.first
        {
            let mut stale = old.clone();
            stale.revision = s.revision;
            return Ok(Stored::Session(stale));
        }
        Ok(loaded)
    }

    async fn save(
        &self,
        expected: u64,
        session: &PersistedSession,
    ) -> Result<u64, SessionStoreError> {
        self.inner.save(expected, session).await
    }

    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        self.inner.clear(expected).await
    }

    fn consistency(&self) -> Consistency {
        self.inner.consistency()
    }
}

fn client_for(
    args: &WorkerArgs,
    http: &reqwest::Client,
    sessions: &RedisSessions,
    c: usize,
) -> Result<CoCartClient, SoakError> {
    let key = customer_key(c);
    let inject = args.inject_violation.as_deref();
    let mut builder = CoCartClient::builder(args.store_url.as_str())
        .http_client(http.clone())
        .customer_only(true)
        .timeout(Duration::from_millis(args.timeout_ms))
        .retry_base_delay(Duration::from_millis(50))
        .refresh_cooldown(Duration::from_millis(500))
        .lock_lease(Duration::from_millis(args.lock_lease_ms));
    builder = if inject == Some("stale-store") && c == 0 {
        builder.session_store(StaleStore {
            inner: sessions.store(&key),
            state: Mutex::new(Stale::default()),
        })
    } else {
        builder.session_store(sessions.store(&key))
    };
    if inject != Some("no-lock") {
        builder = builder.session_lock(sessions.lock(&key));
    }
    builder.build().map_err(|e| SoakError::Setup(e.to_string()))
}

/// Signs customer `c` in (restores the shared session or logs in once for everybody), retrying
/// while the failure is transient. `false` when the worker is stopping.
async fn sign_in(
    client: &CoCartClient,
    c: usize,
    log: &Log,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> bool {
    let password = secrecy::SecretString::from(customer_password(c));
    loop {
        if *stop.borrow() {
            return false;
        }
        match client.restore_or_login(&customer_user(c), &password).await {
            Ok(_) => {
                log.write(json!({"ev": "ready", "c": c}));
                return true;
            }
            Err(e) => {
                log.write(json!({"ev": "login_err", "c": c, "err": error_kind(&e),
                    "transient": is_transient(&e), "reason": reason_of(&e),
                    "lock_wait": is_lock_wait(&e)}));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

async fn serve(
    client: CoCartClient,
    c: usize,
    args: Arc<WorkerArgs>,
    log: Log,
    ok: Arc<AtomicU64>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // Spread the customers' reads over the interval, differently in each worker.
    let interval = Duration::from_millis(args.read_interval_ms.max(1));
    let phase = (c as u64 * 7919 + args.index as u64 * 104_729) % args.read_interval_ms.max(1);
    tokio::time::sleep(Duration::from_millis(phase)).await;
    if !sign_in(&client, c, &log, &stop).await {
        return;
    }
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        match client.cart().get(&CartQuery::new()).await {
            Ok(_) => {
                ok.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                log.write(json!({"ev": "read_err", "c": c, "err": error_kind(&e),
                    "transient": is_transient(&e), "reason": reason_of(&e),
                    "lock_wait": is_lock_wait(&e)}));
                if is_signed_out(&e) && !sign_in(&client, c, &log, &stop).await {
                    return;
                }
            }
        }
    }
}

/// Runs a worker until its standard input closes.
pub async fn run(args: WorkerArgs) -> Result<(), SoakError> {
    let log = Log::open(&args.log)?;
    log.write(
        json!({"ev": "start", "worker": args.index, "inc": args.incarnation,
        "pid": std::process::id()}),
    );
    let label = format!("w{}.{}", args.index, args.incarnation);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        cocart_mock::CLIENT_HEADER,
        reqwest::header::HeaderValue::from_str(&label)
            .map_err(|e| SoakError::Setup(e.to_string()))?,
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .map_err(|e| SoakError::Setup(e.to_string()))?;
    let sessions = crate::sessions_builder(&args.redis_url, args.cluster)
        .namespace(args.namespace.as_str())
        .command_timeout(Duration::from_millis(args.redis_timeout_ms))
        .connect_lazily()
        .map_err(|e| SoakError::Setup(e.to_string()))?;
    let args = Arc::new(args);
    let ok = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for c in 0..args.customers {
        let client = client_for(&args, &http, &sessions, c)?;
        let mut events = client.subscribe();
        let events_log = log.clone();
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                match event {
                    AuthEvent::SignedOut { reason } => events_log.write(
                        json!({"ev": "signed_out", "c": c, "reason": format!("{reason:?}")}),
                    ),
                    AuthEvent::SignedIn { .. } => {
                        events_log.write(json!({"ev": "signed_in", "c": c}));
                    }
                    AuthEvent::TokenRefreshed { saved } => {
                        events_log.write(json!({"ev": "refreshed", "c": c, "saved": saved}));
                    }
                    _ => {}
                }
            }
        });
        tasks.push(tokio::spawn(serve(
            client,
            c,
            Arc::clone(&args),
            log.clone(),
            Arc::clone(&ok),
            stop_rx.clone(),
        )));
    }
    // The read counter, once a second (a kill loses at most the last second's count).
    let counter_log = log.clone();
    let counter = Arc::clone(&ok);
    let reporter = tokio::spawn(async move {
        let mut last = 0;
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = counter.load(Ordering::Relaxed);
            if now != last {
                counter_log.write(json!({"ev": "reads", "ok": now - last}));
                last = now;
            }
        }
    });
    // Standard input closing is the stop signal.
    let mut stdin = tokio::io::stdin();
    let mut sink = Vec::new();
    let _ = tokio::io::AsyncReadExt::read_to_end(&mut stdin, &mut sink).await;
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = task.await;
    }
    reporter.abort();
    let total = ok.load(Ordering::Relaxed);
    log.write(json!({"ev": "stop", "reads_ok_total": total}));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_name_the_variant_and_the_storage_cause() {
        let e = Error::Storage(SessionStoreError::Unavailable("down".into()));
        assert_eq!(error_kind(&e), "Storage.Unavailable");
        assert!(is_transient(&e));
        assert_eq!(error_kind(&Error::Timeout), "Timeout");
        assert!(!is_transient(&Error::NotSignedIn));
    }
}
