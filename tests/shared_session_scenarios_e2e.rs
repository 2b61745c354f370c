//! Issue 22, item 12: every scenario of the list, as a regression test on real
//! processes. Each test drives two or three OS processes of the `replica` example (one client
//! each, sharing one customer's session through a real `redis-server`) step by step against a
//! real `cocart-mock`, and judges from the mock's journal (which requests, which statuses) and
//! from Redis (what the session slot holds). Where a step must land inside a window of the
//! protocol, a small RESP proxy in this file stands between one replica and Redis: it holds a
//! command, or forwards a command and loses its answer.
//!
//! The scenarios (each test names its number):
//! 1. a stale rotation adopts the newer login instead of wiping it;
//! 2. a logout the store did not confirm stays a sign-out everywhere;
//! 3. a replica that waited for the lock reports the store's reason and never resends the
//!    refused refresh token;
//! 4. `TokenRefreshed` only for a pair that was kept, `saved` only when saved;
//! 5. a sign-out the store caused is compare-and-swap: a login landing in its window survives;
//! 6. a guest (a failed restore, or after a sign-out) never writes the customer's slot;
//! 7. a corrupt stored value ends the session typed, and a new login recovers;
//! 8. the refresh cooldown takes a long `Retry-After` only up to `max_retry_wait`;
//! 9. a Redis write whose answer was lost is settled by reading back;
//! 10. a cancelled `restore_or_login` never makes another replica wait a lease.

mod support;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use cocart::SessionStore;
use cocart::session_store::Stored;
use cocart_mock::{ConfigPatch, FaultSpec, MockServer};
use cocart_redis::RedisSessions;
use cocart_redis::testing::{TestRedis, unique_namespace};
use serde_json::Value;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{Notify, mpsc};

const LOGIN_PATH: &str = "/wp-json/cocart/v2/login";
const LOGOUT_PATH: &str = "/wp-json/cocart/v2/logout";
/// The namespace the `replica` example uses by default.
const NAMESPACE: &str = "cocart-scenarios";
const NEW_PASSWORD: &str = "changed-password";
/// How long a slow answer of the store takes: the window in which another replica acts (its
/// step takes some tens of milliseconds; the margin is for a loaded machine).
const SLOW_MS: u64 = 2000;
/// How long a test waits for one answer of a replica.
const ANSWER_WAIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// The replica processes.

/// `target/…/examples/replica`, built now (cargo leaves the build lock while tests run), so that
/// a test never runs a stale example.
fn replica_binary() -> PathBuf {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY
        .get_or_init(|| {
            let built = std::process::Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "cocart-e2e",
                    "--example",
                    "replica",
                ])
                .arg("--manifest-path")
                .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
                .status()
                .expect("run cargo");
            assert!(built.success(), "cargo build --example replica failed");
            let exe = std::env::current_exe().expect("test binary path");
            let dir = exe
                .parent()
                .and_then(|deps| deps.parent())
                .expect("target dir");
            let path = dir.join("examples").join("replica");
            assert!(path.exists(), "{} is missing", path.display());
            path
        })
        .clone()
}

/// One `replica` process and everything it printed.
struct Replica {
    name: &'static str,
    _child: Child,
    stdin: ChildStdin,
    lines: mpsc::UnboundedReceiver<String>,
    answers: HashMap<String, Value>,
    events: Vec<Value>,
    stderr: Vec<String>,
    next: u64,
}

impl Replica {
    async fn start(name: &'static str, store_url: &str, redis_url: &str, key: &str) -> Self {
        Self::start_with(name, store_url, redis_url, key, &[]).await
    }

    async fn start_with(
        name: &'static str,
        store_url: &str,
        redis_url: &str,
        key: &str,
        extra: &[&str],
    ) -> Self {
        let mut child = Command::new(replica_binary())
            .args(["--store-url", store_url])
            .args(["--session-redis", redis_url, "--session-key", key])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the replica example");
        let stdin = child.stdin.take().expect("piped stdin");
        let lines = output_lines(&mut child);
        let mut replica = Self {
            name,
            _child: child,
            stdin,
            lines,
            answers: HashMap::new(),
            events: Vec::new(),
            stderr: Vec::new(),
            next: 0,
        };
        let deadline = tokio::time::Instant::now() + ANSWER_WAIT;
        loop {
            let line = replica.line_before(deadline).await;
            if line.starts_with("{\"ready\"") {
                return replica;
            }
            replica.absorb(line);
        }
    }

    async fn line_before(&mut self, deadline: tokio::time::Instant) -> String {
        match tokio::time::timeout_at(deadline, self.lines.recv()).await {
            Ok(Some(line)) => line,
            Ok(None) => panic!("replica {} exited; stderr: {:?}", self.name, self.stderr),
            Err(_) => panic!(
                "replica {} did not answer in time; events {:?}, stderr {:?}",
                self.name, self.events, self.stderr
            ),
        }
    }

    fn absorb(&mut self, line: String) {
        if let Some(log) = line.strip_prefix("stderr: ") {
            self.stderr.push(log.to_string());
            return;
        }
        let Ok(value) = serde_json::from_str::<Value>(&line) else {
            self.stderr.push(format!("(stdout) {line}"));
            return;
        };
        if value.get("event").is_some() {
            self.events.push(value);
        } else if let Some(id) = value.get("id").and_then(Value::as_str) {
            self.answers.insert(id.to_string(), value);
        }
    }

    /// Sends a command; its id, to [`Replica::answer`] later.
    async fn send(&mut self, command: &str) -> String {
        self.next += 1;
        let id = format!("{}{}", self.name, self.next);
        self.stdin
            .write_all(format!("{id} {command}\n").as_bytes())
            .await
            .expect("write to the replica");
        self.stdin.flush().await.expect("flush");
        id
    }

    /// Waits for the answer of command `id`.
    async fn answer(&mut self, id: &str) -> Value {
        let deadline = tokio::time::Instant::now() + ANSWER_WAIT;
        loop {
            if let Some(answer) = self.answers.remove(id) {
                return answer;
            }
            let line = self.line_before(deadline).await;
            self.absorb(line);
        }
    }

    /// Sends a command and waits for its answer.
    async fn run(&mut self, command: &str) -> Value {
        let id = self.send(command).await;
        self.answer(&id).await
    }

    /// Runs a command that must succeed; its value.
    async fn ok(&mut self, command: &str) -> Value {
        let answer = self.run(command).await;
        assert_eq!(
            answer["ok"], true,
            "replica {}: `{command}` failed: {answer}; stderr {:?}",
            self.name, self.stderr
        );
        answer["value"].clone()
    }

    /// Reads what arrives for `ms` (events after an answer, logs).
    async fn settle(&mut self, ms: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
        while let Ok(Some(line)) = tokio::time::timeout_at(deadline, self.lines.recv()).await {
            self.absorb(line);
        }
    }

    /// The `pat` (the mock's session id: new at every login and every rotation on v3) of the
    /// token this replica holds.
    async fn pat(&mut self) -> Option<String> {
        self.ok("state").await["pat"].as_str().map(str::to_string)
    }

    fn events_named(&self, name: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["event"] == name).collect()
    }

    fn sign_outs(&self) -> Vec<String> {
        self.events_named("SignedOut")
            .iter()
            .map(|e| e["reason"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn logged(&self, text: &str) -> bool {
        self.stderr.iter().any(|l| l.contains(text))
    }
}

fn reason(answer: &Value) -> (&str, &str) {
    (
        answer["error"].as_str().unwrap_or_default(),
        answer["reason"].as_str().unwrap_or_default(),
    )
}

// ---------------------------------------------------------------------------------------------
// The mock, Redis and the session slot.

struct World {
    server: MockServer,
    redis: TestRedis,
    key: String,
    sessions: RedisSessions,
    conn: redis::aio::MultiplexedConnection,
}

impl World {
    async fn new(test: &str) -> Self {
        Self::with_server(test, MockServer::builder().start().await.expect("mock")).await
    }

    async fn with_server(test: &str, server: MockServer) -> Self {
        let redis = TestRedis::get().expect("redis");
        let key = unique_namespace(test);
        let sessions = RedisSessions::builder(redis.url())
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .namespace(NAMESPACE)
            .connect()
            .await
            .expect("connect to redis");
        let conn = redis::Client::open(redis.url())
            .expect("redis url")
            .get_multiplexed_async_connection()
            .await
            .expect("redis connection");
        Self {
            server,
            redis,
            key,
            sessions,
            conn,
        }
    }

    fn store_url(&self) -> &str {
        self.server.base_url()
    }

    async fn replica(&self, name: &'static str) -> Replica {
        Replica::start(name, self.store_url(), &self.redis.url(), &self.key).await
    }

    /// A replica that reaches Redis through `proxy`. Its Redis commands may wait 10 s (the
    /// default 2 s), so that a command the proxy holds does not time out on a loaded machine.
    async fn replica_via(&self, name: &'static str, proxy: &RedisProxy) -> Replica {
        Replica::start_with(
            name,
            self.store_url(),
            &proxy.url(),
            &self.key,
            &["--redis-timeout-ms", "10000"],
        )
        .await
    }

    fn lock_key(&self) -> String {
        self.sessions.lock(&self.key).key_name().to_string()
    }

    fn session_key(&self) -> String {
        let lock = self.lock_key();
        format!("{}:session", lock.trim_end_matches(":lock"))
    }

    fn mark_key(&self) -> String {
        self.sessions
            .lock(&self.key)
            .refresh_mark_key_name()
            .to_string()
    }

    /// What the session slot holds, as every client reads it.
    async fn stored(&self) -> Stored {
        self.sessions
            .store(&self.key)
            .load()
            .await
            .expect("read the session slot")
    }

    /// The slot's raw hash fields (`rev`, and `data` unless it is a tombstone).
    async fn raw(&self) -> HashMap<String, String> {
        let mut conn = self.conn.clone();
        redis::cmd("HGETALL")
            .arg(self.session_key())
            .query_async(&mut conn)
            .await
            .expect("HGETALL")
    }

    async fn exists(&self, key: &str) -> bool {
        let mut conn = self.conn.clone();
        let n: i64 = redis::cmd("EXISTS")
            .arg(key)
            .query_async(&mut conn)
            .await
            .expect("EXISTS");
        n == 1
    }

    /// The `pat` of the access token stored in the slot, and its revision; panics unless the
    /// slot holds a session.
    async fn stored_pat(&self) -> (String, u64) {
        match self.stored().await {
            Stored::Session(s) => {
                let token = s.access_token.as_ref().expect("a stored access token");
                let claims = cocart::auth::claims::decode_unverified(token.expose_secret())
                    .expect("a JWT in the slot");
                (claims.pat.expect("a v3 token"), s.revision)
            }
            other => panic!("the slot holds no session: {}", describe(&other)),
        }
    }

    fn statuses(&self, path: &str) -> Vec<u16> {
        journal_for(&self.server, path)
            .iter()
            .map(|e| e.status)
            .collect()
    }

    /// Waits until the journal shows a request to `path` in flight (status 0).
    async fn in_flight(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.statuses(path).contains(&0) {
            assert!(Instant::now() < deadline, "no request to {path} in flight");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn describe(stored: &Stored) -> String {
    match stored {
        Stored::Session(s) => format!("session at revision {}", s.revision),
        Stored::Cleared { revision } => format!("a tombstone at revision {revision}"),
        Stored::Empty => "nothing".into(),
        _ => "something else".into(),
    }
}

/// Signs the customer in on `a` and restores the session on `b`; the `pat` both hold.
async fn signed_in_pair(world: &World, a: &mut Replica, b: &mut Replica) -> String {
    a.ok(&format!("login {USER} {PASSWORD}")).await;
    assert_eq!(b.ok("restore").await, 1, "b restores the shared session");
    let pat = a.pat().await.expect("a holds a token");
    assert_eq!(b.pat().await.as_deref(), Some(pat.as_str()));
    assert_eq!(world.stored_pat().await.0, pat);
    pat
}

// ---------------------------------------------------------------------------------------------
// A RESP proxy between one replica and Redis.

/// What the proxy does to the commands of the replica behind it.
#[derive(Default)]
struct ProxyControl {
    /// Connections are accepted and closed at once (Redis "out of reach").
    down: AtomicBool,
    /// The next `CLEAR` script call (a sign-out's tombstone) waits for `release`.
    hold_clear: AtomicBool,
    /// Set when a `CLEAR` is held.
    held: Notify,
    release: Notify,
    /// The next `SAVE` script call that Redis applies has its answer lost: the proxy closes the
    /// replica's connection instead of passing the answer on.
    lose_save_answer: AtomicBool,
    /// How many answers were lost.
    lost: AtomicU32,
    /// How many commands were forwarded.
    forwarded: AtomicU32,
}

struct RedisProxy {
    port: u16,
    control: Arc<ProxyControl>,
}

impl RedisProxy {
    async fn start(redis_url: &str) -> Self {
        let upstream = url::Url::parse(redis_url).expect("redis url");
        let upstream = format!(
            "{}:{}",
            upstream.host_str().expect("redis host"),
            upstream.port().unwrap_or(6379)
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let control = Arc::new(ProxyControl::default());
        let ctl = Arc::clone(&control);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if ctl.down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let ctl = Arc::clone(&ctl);
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&upstream).await {
                        proxy_connection(client, server, ctl).await;
                    }
                });
            }
        });
        Self { port, control }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

/// Which of the session scripts a command calls, if any.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Save,
    Clear,
    Other,
}

/// `EVALSHA sha 1 <…:session> ARGV…`: `SAVE` has four arguments, `CLEAR` three (see
/// `session-redis/src/scripts.rs`).
fn script_of(args: &[Vec<u8>]) -> Script {
    let is_eval = args
        .first()
        .is_some_and(|c| c.eq_ignore_ascii_case(b"evalsha") || c.eq_ignore_ascii_case(b"eval"));
    let on_session = args.get(2).is_some_and(|n| n == b"1")
        && args.get(3).is_some_and(|k| k.ends_with(b":session"));
    match (is_eval && on_session, args.len().saturating_sub(4)) {
        (true, 4) => Script::Save,
        (true, 3) => Script::Clear,
        _ => Script::Other,
    }
}

async fn proxy_connection(client: TcpStream, server: TcpStream, ctl: Arc<ProxyControl>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let (sent_tx, mut sent_rx) = mpsc::unbounded_channel::<Script>();
    let upward = {
        let ctl = Arc::clone(&ctl);
        async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 16 * 1024];
            loop {
                while let Some((len, args)) = parse_command(&buf) {
                    let script = script_of(&args);
                    if script == Script::Clear && ctl.hold_clear.swap(false, Ordering::SeqCst) {
                        ctl.held.notify_one();
                        ctl.release.notified().await;
                    }
                    if sent_tx.send(script).is_err() {
                        return;
                    }
                    let command: Vec<u8> = buf.drain(..len).collect();
                    if server_write.write_all(&command).await.is_err() {
                        return;
                    }
                    ctl.forwarded.fetch_add(1, Ordering::SeqCst);
                }
                match client_read.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
        }
    };
    let downward = async move {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            while let Some(len) = reply_end(&buf, 0) {
                let Some(script) = sent_rx.recv().await else {
                    return;
                };
                let reply: Vec<u8> = buf.drain(..len).collect();
                let applied = reply.first() != Some(&b'-');
                if script == Script::Save
                    && applied
                    && ctl.lose_save_answer.swap(false, Ordering::SeqCst)
                {
                    // Applied in Redis; the answer never reaches the replica.
                    ctl.lost.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                if client_write.write_all(&reply).await.is_err() {
                    return;
                }
            }
            match server_read.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    // Either side ending closes both connections.
    tokio::select! {
        () = upward => {}
        () = downward => {}
    }
}

fn line_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|p| from + p)
}

fn number(buf: &[u8], from: usize, to: usize) -> Option<i64> {
    std::str::from_utf8(buf.get(from..to)?).ok()?.parse().ok()
}

/// Where the RESP value starting at `pos` ends, when it is complete.
fn reply_end(buf: &[u8], pos: usize) -> Option<usize> {
    let kind = *buf.get(pos)?;
    let end = line_end(buf, pos + 1)?;
    let after = end + 2;
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(after),
        b'$' | b'=' | b'!' => {
            let n = number(buf, pos + 1, end)?;
            if n < 0 {
                return Some(after);
            }
            let stop = after + usize::try_from(n).ok()? + 2;
            (buf.len() >= stop).then_some(stop)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = number(buf, pos + 1, end)?;
            if n < 0 {
                return Some(after);
            }
            let items = usize::try_from(n).ok()? * if matches!(kind, b'%' | b'|') { 2 } else { 1 };
            let mut p = after;
            for _ in 0..items {
                p = reply_end(buf, p)?;
            }
            // An attribute precedes the value it describes.
            if kind == b'|' {
                reply_end(buf, p)
            } else {
                Some(p)
            }
        }
        _ => None,
    }
}

/// A complete command (an array of bulk strings) at the start of `buf`: its length and words.
fn parse_command(buf: &[u8]) -> Option<(usize, Vec<Vec<u8>>)> {
    if buf.first() != Some(&b'*') {
        return None;
    }
    let end = line_end(buf, 1)?;
    let n = usize::try_from(number(buf, 1, end)?).ok()?;
    let mut p = end + 2;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        if buf.get(p) != Some(&b'$') {
            return None;
        }
        let end = line_end(buf, p + 1)?;
        let len = usize::try_from(number(buf, p + 1, end)?).ok()?;
        let start = end + 2;
        args.push(buf.get(start..start + len)?.to_vec());
        if buf.len() < start + len + 2 {
            return None;
        }
        p = start + len + 2;
    }
    Some((p, args))
}

// ---------------------------------------------------------------------------------------------
// The scenarios.

/// 1. Replica A refreshes and the answer is slow; meanwhile replica B logs the customer in
///    again and saves. A's save is refused: it re-reads under the lock and adopts B's session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s01_a_stale_rotation_adopts_the_newer_login_instead_of_wiping_it() {
    let world = World::new("s01").await;
    let mut a = world.replica("a").await;
    let mut b = world.replica("b").await;
    signed_in_pair(&world, &mut a, &mut b).await;

    world
        .server
        .add_fault(FaultSpec::delay(REFRESH_PATH, SLOW_MS, 1))
        .unwrap();
    let refresh = a.send("refresh").await;
    world.in_flight(REFRESH_PATH).await;
    b.ok(&format!("login {USER} {PASSWORD}")).await;
    let b_pat = b.pat().await.expect("b signed in");
    let (_, revision_of_b) = world.stored_pat().await;
    let answer = a.answer(&refresh).await;
    assert_eq!(answer["ok"], true, "{answer}");
    a.settle(200).await;

    assert_eq!(
        world.statuses(REFRESH_PATH),
        vec![200],
        "A's rotation happened"
    );
    assert_eq!(
        world.stored_pat().await,
        (b_pat.clone(), revision_of_b),
        "B's session is kept"
    );
    assert_eq!(a.pat().await, Some(b_pat.clone()), "A adopted B's session");
    assert!(
        a.sign_outs().is_empty() && b.sign_outs().is_empty(),
        "{:?} {:?}",
        a.events,
        b.events
    );
    a.ok("cart").await;
    b.ok("cart").await;
    assert_eq!(world.statuses(CART_PATH), vec![200, 200]);
    assert_eq!(world.statuses(LOGIN_PATH), vec![200, 200]);
    assert!(world.statuses(LOGOUT_PATH).is_empty());
}

/// 2. A logs out while the logout request gets a 503. The tombstone stays: B ends with
///    `SignedOutElsewhere` at its next store read and never saves over it; A's restore returns
///    nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s02_a_logout_the_store_did_not_confirm_stays_a_sign_out_everywhere() {
    let world = World::new("s02").await;
    let mut a = world.replica("a").await;
    let mut b = world.replica("b").await;
    signed_in_pair(&world, &mut a, &mut b).await;

    world
        .server
        .add_fault(FaultSpec::status(LOGOUT_PATH, 503, 5))
        .unwrap();
    let logout = a.ok("logout").await;
    assert_eq!(logout["server_confirmed"], false, "{logout}");
    assert!(!world.statuses(LOGOUT_PATH).contains(&200));
    let tombstone = match world.stored().await {
        Stored::Cleared { revision } => revision,
        other => panic!("no tombstone after the logout: {}", describe(&other)),
    };
    assert!(!world.raw().await.contains_key("data"));

    // B's next rotation: it reads the store first and ends there.
    let answer = b.run("refresh").await;
    assert_eq!(
        reason(&answer),
        ("SessionExpired", "SignedOutElsewhere"),
        "{answer}"
    );
    b.settle(200).await;
    assert_eq!(b.sign_outs(), vec!["SignedOutElsewhere"]);
    assert!(
        world.statuses(REFRESH_PATH).is_empty(),
        "B never presented its refresh token"
    );
    assert!(
        matches!(world.stored().await, Stored::Cleared { revision } if revision == tombstone),
        "the tombstone stays: {}",
        describe(&world.stored().await)
    );

    assert_eq!(a.ok("restore").await, Value::Null, "A stays logged out");
    assert_eq!(a.ok("state").await["signed_in"], false);
    assert_eq!(b.ok("restore").await, Value::Null);
    assert_eq!(a.sign_outs(), vec!["LoggedOut"]);
    assert!(matches!(world.stored().await, Stored::Cleared { revision } if revision == tombstone));
}

/// 3. The store revokes the session; A refreshes (slowly) while B waits for the lock. A's
///    release is normal, so B reports the store's reason, not `RefreshedElsewhereAndLost`, and
///    the refused refresh token is presented once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s03_a_waiter_reports_the_store_s_reason_and_never_resends_a_refused_token() {
    let world = World::new("s03").await;
    let mut a = world.replica("a").await;
    let mut b = world.replica("b").await;
    signed_in_pair(&world, &mut a, &mut b).await;

    world
        .server
        .update_user(1, Some(NEW_PASSWORD), None)
        .unwrap();
    world
        .server
        .add_fault(FaultSpec::delay(REFRESH_PATH, SLOW_MS, 1))
        .unwrap();
    let refresh_a = a.send("refresh").await;
    world.in_flight(REFRESH_PATH).await;
    let refresh_b = b.send("refresh").await;
    let answer_a = a.answer(&refresh_a).await;
    let answer_b = b.answer(&refresh_b).await;
    assert_eq!(
        reason(&answer_a),
        ("SessionExpired", "RefreshTokenInvalid"),
        "{answer_a}"
    );
    let (kind, why) = reason(&answer_b);
    assert_eq!(kind, "SessionExpired", "{answer_b}");
    assert!(
        why == "SignedOutElsewhere" || why == "RefreshTokenInvalid",
        "B reports the store's reason, not {why}"
    );
    assert_eq!(
        world.statuses(REFRESH_PATH),
        vec![403],
        "the token was presented once"
    );

    // Neither tries the refused token again.
    for r in [&mut a, &mut b] {
        let again = r.run("refresh").await;
        assert_eq!(again["ok"], false, "{again}");
    }
    a.settle(200).await;
    b.settle(0).await;
    assert_eq!(world.statuses(REFRESH_PATH), vec![403]);
    assert!(
        !b.sign_outs()
            .iter()
            .any(|r| r == "RefreshedElsewhereAndLost")
    );
    assert!(matches!(world.stored().await, Stored::Cleared { .. }));
    assert!(
        !world.exists(&world.lock_key()).await,
        "the lock was released"
    );
    assert!(
        !world.exists(&world.mark_key()).await,
        "no refresh mark left"
    );
}

/// 4. A rotation that is saved says so (`saved: true`); a rotation whose save was refused
///    (another replica's newer login) is dropped with no `TokenRefreshed`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s04_token_refreshed_only_for_a_kept_pair_and_saved_only_when_saved() {
    let world = World::new("s04").await;
    let mut a = world.replica("a").await;
    let mut b = world.replica("b").await;
    let first = signed_in_pair(&world, &mut a, &mut b).await;

    a.ok("refresh").await;
    a.settle(200).await;
    let rotated = a.pat().await.expect("a signed in");
    assert_ne!(rotated, first);
    assert_eq!(
        world.stored_pat().await.0,
        rotated,
        "the rotation is in Redis"
    );
    let refreshed: Vec<_> = a
        .events_named("TokenRefreshed")
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(refreshed.len(), 1, "{:?}", a.events);
    assert_eq!(refreshed[0]["saved"], true);

    // A stale rotation: its save is refused.
    world
        .server
        .add_fault(FaultSpec::delay(REFRESH_PATH, SLOW_MS, 1))
        .unwrap();
    let refresh = a.send("refresh").await;
    world.in_flight(REFRESH_PATH).await;
    b.ok(&format!("login {USER} {PASSWORD}")).await;
    let answer = a.answer(&refresh).await;
    assert_eq!(answer["ok"], true, "{answer}");
    a.settle(300).await;
    assert_eq!(world.statuses(REFRESH_PATH), vec![200, 200]);
    assert_eq!(
        a.events_named("TokenRefreshed").len(),
        1,
        "no TokenRefreshed for the dropped pair: {:?}",
        a.events
    );
    let b_pat = b.pat().await;
    assert_eq!(Some(world.stored_pat().await.0), b_pat);
}

/// 5. The store refuses A's refresh token; A's tombstone (compare-and-swap) is held on its way
///    to Redis while B logs in again and saves. Redis refuses the tombstone: B's login survives
///    and A adopts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s05_a_sign_out_the_store_caused_never_wipes_a_newer_login() {
    let world = World::new("s05").await;
    let proxy = RedisProxy::start(&world.redis.url()).await;
    let mut a = world.replica_via("a", &proxy).await;
    let mut b = world.replica("b").await;
    signed_in_pair(&world, &mut a, &mut b).await;

    world
        .server
        .update_user(1, Some(NEW_PASSWORD), None)
        .unwrap();
    proxy.control.hold_clear.store(true, Ordering::SeqCst);
    let refresh = a.send("refresh").await;
    tokio::time::timeout(Duration::from_secs(10), proxy.control.held.notified())
        .await
        .expect("A's tombstone reaches the proxy");
    assert_eq!(world.statuses(REFRESH_PATH), vec![403]);
    b.ok(&format!("login {USER} {NEW_PASSWORD}")).await;
    let b_pat = b.pat().await.expect("b signed in");
    let in_redis = world.stored_pat().await;
    assert_eq!(in_redis.0, b_pat);
    proxy.control.release.notify_one();

    let answer = a.answer(&refresh).await;
    a.settle(200).await;
    assert_eq!(
        world.stored_pat().await,
        in_redis,
        "B's login survives in Redis"
    );
    assert_eq!(answer["ok"], true, "A adopts B's login: {answer}");
    assert_eq!(a.pat().await, Some(b_pat.clone()));
    assert!(a.sign_outs().is_empty(), "{:?}", a.events);
    b.ok("cart").await;
    a.ok("cart").await;
    assert_eq!(world.statuses(CART_PATH), vec![200, 200]);
    assert_eq!(world.statuses(REFRESH_PATH), vec![403]);
    assert_eq!(world.statuses(LOGIN_PATH), vec![200, 200]);
}

/// 6. C's restore fails (Redis out of reach) and C goes on as a guest; A later signs out and
///    goes on as a guest too. Neither guest cart key ever reaches the customer's slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s06_a_guest_never_writes_the_customer_s_shared_slot() {
    let world = World::new("s06").await;
    let proxy = RedisProxy::start(&world.redis.url()).await;
    let mut a = world.replica("a").await;
    a.ok(&format!("login {USER} {PASSWORD}")).await;
    let customer = world.stored_pat().await;

    proxy.control.down.store(true, Ordering::SeqCst);
    let mut c = world.replica_via("c", &proxy).await;
    let restore = c.run("restore").await;
    assert_eq!(restore["ok"], false, "Redis is out of reach: {restore}");
    proxy.control.down.store(false, Ordering::SeqCst);
    let guest = c.ok("cart").await;
    let guest_key = guest["cart_key"]
        .as_str()
        .expect("a guest cart key")
        .to_string();
    c.ok("cart").await;
    c.settle(300).await;
    assert_eq!(
        world.stored_pat().await,
        customer,
        "the customer's session stays"
    );
    let data = world.raw().await.get("data").cloned().unwrap_or_default();
    assert!(!data.contains(&guest_key), "no guest key in the slot");

    // After a sign-out, the guest carts of both stay out of the tombstone.
    a.ok("logout").await;
    let tombstone = world.stored().await;
    let Stored::Cleared { revision } = tombstone else {
        panic!("no tombstone: {}", describe(&tombstone));
    };
    let a_guest = a.ok("cart").await;
    assert!(a_guest["cart_key"].is_string(), "{a_guest}");
    c.ok("cart").await;
    a.settle(300).await;
    assert!(
        matches!(world.stored().await, Stored::Cleared { revision: r } if r == revision),
        "the tombstone stays: {}",
        describe(&world.stored().await)
    );
    assert!(!world.raw().await.contains_key("data"));
    // C reaches Redis through the proxy (so it could have written).
    assert!(proxy.control.forwarded.load(Ordering::SeqCst) > 0);
    assert_eq!(c.ok("restore").await, Value::Null);
    assert_eq!(a.sign_outs(), vec!["LoggedOut"]);
}

/// 7. The stored value is corrupt: the refresh ends the session with a typed
///    `StoredSessionUnreadable` (not a storage error on every call), and a new login recovers
///    for every replica.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s07_a_corrupt_stored_session_ends_typed_and_a_new_login_recovers() {
    let world = World::new("s07").await;
    let mut a = world.replica("a").await;
    let mut b = world.replica("b").await;
    signed_in_pair(&world, &mut a, &mut b).await;

    let mut conn = world.conn.clone();
    let _: i64 = redis::cmd("HSET")
        .arg(world.session_key())
        .arg("data")
        .arg("{not a session")
        .query_async(&mut conn)
        .await
        .expect("HSET");
    let answer = b.run("refresh").await;
    assert_eq!(
        reason(&answer),
        ("SessionExpired", "StoredSessionUnreadable"),
        "{answer}"
    );
    b.settle(200).await;
    assert_eq!(b.sign_outs(), vec!["StoredSessionUnreadable"]);
    let again = b.run("refresh").await;
    assert_ne!(again["error"], "Storage", "not blocked on storage: {again}");
    assert!(world.statuses(REFRESH_PATH).is_empty(), "nothing presented");

    b.ok(&format!("login {USER} {PASSWORD}")).await;
    let b_pat = b.pat().await.expect("b signed in");
    assert_eq!(
        world.stored_pat().await.0,
        b_pat,
        "a readable session again"
    );
    b.ok("cart").await;
    // A, still on the old session, adopts the new login at its next store read.
    a.ok("refresh").await;
    assert_eq!(a.pat().await, Some(b_pat));
    a.ok("cart").await;
    assert_eq!(world.statuses(CART_PATH), vec![200, 200]);
    assert!(world.statuses(REFRESH_PATH).is_empty());
    assert_eq!(world.statuses(LOGIN_PATH), vec![200, 200]);
}

/// 8. The store rate-limits the refresh with a `Retry-After` of about a minute; the replica's
///    refresh rests only up to `max_retry_wait` (1.5 s), then tries again (seen in the journal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s08_a_long_retry_after_rests_the_refresh_only_up_to_the_cap() {
    let server = MockServer::builder().start().await.expect("mock");
    server.set_config(&ConfigPatch {
        rate_limit: Some(true),
        ..ConfigPatch::default()
    });
    let world = World::with_server("s08", server).await;
    let mut a = Replica::start_with(
        "a",
        world.store_url(),
        &world.redis.url(),
        &world.key,
        &[
            "--refresh-cooldown-ms",
            "100",
            "--max-retry-wait-ms",
            "1500",
        ],
    )
    .await;
    a.ok(&format!("login {USER} {PASSWORD}")).await;
    // The limiter admits 10 refreshes a minute.
    let mut limited = None;
    for _ in 0..12 {
        let answer = a.run("refresh").await;
        if answer["ok"] != true {
            limited = Some(answer);
            break;
        }
    }
    let limited = limited.expect("the limiter answered 429");
    let at = Instant::now();
    assert_eq!(limited["error"], "RateLimited", "{limited}");
    let statuses = world.statuses(REFRESH_PATH);
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // What the store asks for: far longer than the cap.
    let probe = reqwest::Client::new()
        .post(format!(
            "{}/wp-json/cocart/jwt/refresh-token",
            world.store_url()
        ))
        .json(&serde_json::json!({"refresh_token": "0"}))
        .send()
        .await
        .expect("probe");
    let retry_after: u64 = probe
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After");
    assert!(retry_after >= 30, "Retry-After {retry_after}");
    let sent = world.statuses(REFRESH_PATH).len();

    // Within the cap (and past the 100 ms cooldown): the same error, nothing sent.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let resting = a.run("refresh").await;
    assert_eq!(resting["ok"], false, "{resting}");
    assert_eq!(world.statuses(REFRESH_PATH).len(), sent, "resting");
    // Past the cap: tried again.
    tokio::time::sleep(Duration::from_millis(1700).saturating_sub(at.elapsed())).await;
    a.run("refresh").await;
    assert_eq!(
        world.statuses(REFRESH_PATH).len(),
        sent + 1,
        "the refresh is tried again after the cap, not after {retry_after} s"
    );
    assert!(a.sign_outs().is_empty(), "{:?}", a.events);
}

/// 9. Redis applies A's save and the answer is lost (the connection drops). A reads back, finds
///    its own value, and counts it saved: no "could not save", and Redis holds A's session, for a
///    login and for a rotation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s09_a_redis_write_whose_answer_was_lost_is_settled_by_reading_back() {
    let world = World::new("s09").await;
    let proxy = RedisProxy::start(&world.redis.url()).await;
    let mut a = world.replica_via("a", &proxy).await;

    proxy.control.lose_save_answer.store(true, Ordering::SeqCst);
    a.ok(&format!("login {USER} {PASSWORD}")).await;
    assert_eq!(
        proxy.control.lost.load(Ordering::SeqCst),
        1,
        "the answer was lost"
    );
    let login_pat = a.pat().await.expect("a signed in");
    assert_eq!(world.stored_pat().await.0, login_pat);

    proxy.control.lose_save_answer.store(true, Ordering::SeqCst);
    a.ok("refresh").await;
    a.settle(300).await;
    assert_eq!(
        proxy.control.lost.load(Ordering::SeqCst),
        2,
        "the answer was lost"
    );
    let rotated = a.pat().await.expect("a signed in");
    assert_ne!(rotated, login_pat);
    assert_eq!(
        world.stored_pat().await.0,
        rotated,
        "the rotation is in Redis"
    );
    let refreshed: Vec<_> = a
        .events_named("TokenRefreshed")
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(refreshed.len(), 1, "{:?}", a.events);
    assert_eq!(refreshed[0]["saved"], true);
    assert!(!a.logged("could not save"), "{:?}", a.stderr);

    // Another replica picks the saved rotation up and uses it.
    let mut b = world.replica("b").await;
    assert_eq!(b.ok("restore").await, 1);
    assert_eq!(b.pat().await, Some(rotated));
    b.ok("cart").await;
    assert_eq!(world.statuses(CART_PATH), vec![200]);
    assert_eq!(world.statuses(REFRESH_PATH), vec![200]);
}

/// 10. A's `restore_or_login` is cancelled while it holds the lock (its login answer is slow);
///     B's `restore_or_login` completes as soon as A's login is saved, far under the lease
///     (90 s by default), with one login between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s10_a_cancelled_restore_or_login_never_makes_another_replica_wait_a_lease() {
    let world = World::new("s10").await;
    let mut a = world.replica("a").await;
    let mut b = world.replica("b").await;
    world
        .server
        .add_fault(FaultSpec::delay(LOGIN_PATH, SLOW_MS, 1))
        .unwrap();
    let login = a.send(&format!("restore_or_login {USER} {PASSWORD}")).await;
    world.in_flight(LOGIN_PATH).await;
    assert!(world.exists(&world.lock_key()).await, "A holds the lock");
    let cancel = a.ok(&format!("cancel {login}")).await;
    assert_eq!(cancel, true);
    assert_eq!(a.answer(&login).await["error"], "Cancelled");

    let started = Instant::now();
    assert_eq!(
        b.ok(&format!("restore_or_login {USER} {PASSWORD}")).await["user_id"],
        1
    );
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(10), "B waited {waited:?}");
    assert_eq!(
        world.statuses(LOGIN_PATH),
        vec![200],
        "one login, A's, not cut off"
    );
    let (pat, _) = world.stored_pat().await;
    assert_eq!(b.pat().await, Some(pat.clone()));
    assert_eq!(
        a.pat().await,
        Some(pat),
        "A kept the login its caller gave up on"
    );
    assert!(
        !world.exists(&world.lock_key()).await,
        "the lock was released"
    );
    // The lock is free for the next refresh at once, not after A's lease.
    let started = Instant::now();
    b.ok("refresh").await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(10),
        "B's refresh waited {waited:?}"
    );
    assert_eq!(world.statuses(REFRESH_PATH), vec![200]);
}
