//! Shared helpers for the end-to-end tests: the SDK against a real `cocart-mock` on loopback.
#![allow(dead_code)]

use std::time::Duration;

use cocart::CoCartClient;
use cocart::clock::OffsetClock;
use cocart_mock::{JournalEntry, MockServer};

pub const USER: &str = "demo";
pub const PASSWORD: &str = "demo-password";

pub const REFRESH_PATH: &str = "/wp-json/cocart/jwt/refresh-token";

/// A client for `server` whose clock can be moved in step with the mock's.
pub fn client(server: &MockServer, clock: &OffsetClock) -> CoCartClient {
    CoCartClient::builder(server.base_url())
        .clock(clock.clone())
        .refresh_cooldown(Duration::from_millis(200))
        .retry_base_delay(Duration::from_millis(5))
        .build()
        .expect("valid client config")
}

/// Moves the mock's clock and the client's clock together.
pub fn advance(server: &MockServer, clock: &OffsetClock, seconds: i64) {
    server.advance_clock(seconds);
    clock.advance(seconds);
}

/// Journal entries for `path`.
pub fn journal_for(server: &MockServer, path: &str) -> Vec<JournalEntry> {
    server
        .journal()
        .into_iter()
        .filter(|e| e.path == path)
        .collect()
}

/// A reqwest client that claims to come from `ip` (the mock trusts X-Forwarded-For from loopback).
pub fn http_from(ip: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip.parse().expect("valid ip header"));
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("reqwest client")
}

/// The cart route the journal records for `GET /cart`.
pub const CART_PATH: &str = "/wp-json/cocart/v2/cart";

/// A client with a fast retry backoff and a shared token store, for cart tests.
pub fn client_with_store(
    server: &MockServer,
    store: std::sync::Arc<dyn cocart::SessionStore>,
) -> CoCartClient {
    CoCartClient::builder(server.base_url())
        .session_store_arc(store)
        .refresh_cooldown(Duration::from_millis(200))
        .retry_base_delay(Duration::from_millis(5))
        .build()
        .expect("valid client config")
}

/// A guest client (system clock, fast retries).
pub fn guest(server: &MockServer) -> CoCartClient {
    client(server, &OffsetClock::new())
}

/// The value of query parameter `name` in a journal entry, if sent.
pub fn query_param(entry: &JournalEntry, name: &str) -> Option<String> {
    entry.query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| v.to_string())
    })
}

/// `(path, status)` of every journaled request, in order.
pub fn journal_paths(server: &MockServer) -> Vec<(String, u16)> {
    server
        .journal()
        .into_iter()
        .map(|e| (e.path, e.status))
        .collect()
}

/// `(method, path, status)` of every journal entry, for compact assertions.
pub fn journal_lines(server: &MockServer) -> Vec<(String, String, u16)> {
    server
        .journal()
        .into_iter()
        .map(|e| (e.method, e.path, e.status))
        .collect()
}

/// Waits (up to two seconds) until the token store holds `predicate`-matching session data
/// (the SDK saves before a call returns; the wait keeps tests robust to stores that lag).
pub async fn wait_for_store(
    store: &dyn cocart::SessionStore,
    predicate: impl Fn(&cocart::PersistedSession) -> bool,
) -> cocart::PersistedSession {
    for _ in 0..200 {
        if let Ok(cocart::Stored::Session(saved)) = store.load().await
            && predicate(&saved)
        {
            return saved;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the token store never reached the expected state");
}

/// Forwards a child's stdout and stderr (prefixed `stderr: `) line by line into one channel.
pub fn output_lines(
    child: &mut tokio::process::Child,
) -> tokio::sync::mpsc::UnboundedReceiver<String> {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    for (stream, prefix) in [
        (
            Box::new(stdout) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
            "",
        ),
        (Box::new(stderr), "stderr: "),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stream).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let _ = tx.send(format!("{prefix}{line}"));
            }
        });
    }
    lines
}

/// `target/…/examples/NAME`, built now (cargo leaves the build lock while tests run), so that
/// a test never runs a stale example.
pub fn example_binary(name: &str) -> std::path::PathBuf {
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_build_at_a_time = BUILD.lock().unwrap_or_else(|p| p.into_inner());
    let mut command = std::process::Command::new(env!("CARGO"));
    command
        .args(["build", "--quiet", "-p", "cocart-e2e", "--example", name])
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"));
    // The environment a build from the command line sees: `ring`'s build script watches the
    // variables cargo sets for this test (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`…), and a build
    // that saw them rebuilds `ring` and the TLS stack, and the next `cargo test` again.
    for (var, _) in std::env::vars_os() {
        let var = var.to_string_lossy().into_owned();
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_",
        ]
        .iter()
        .any(|p| var.starts_with(p))
            || var == "CARGO_TARGET_TMPDIR"
        {
            command.env_remove(var);
        }
    }
    let built = command.status().expect("run cargo");
    assert!(built.success(), "cargo build --example {name} failed");
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let path = dir.join("examples").join(name);
    assert!(path.exists(), "{} is missing", path.display());
    path
}

/// One process of an example that prints `ready:` once signed in (the `concurrent` demo), with
/// everything it prints.
pub struct ExampleProcess {
    pub child: tokio::process::Child,
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    pub output: Vec<String>,
}

impl ExampleProcess {
    /// Starts `command` with piped output and no input; the process dies with the handle.
    pub fn start(mut command: tokio::process::Command) -> Self {
        let mut child = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the example");
        let lines = output_lines(&mut child);
        Self {
            child,
            lines,
            output: Vec::new(),
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Waits for the "ready" line the example prints once signed in.
    pub async fn ready(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    let ready = line.starts_with("ready:");
                    self.output.push(line);
                    if ready {
                        return;
                    }
                }
                _ => panic!("never ready: {:?}", self.output),
            }
        }
    }

    /// Waits for the process to end; its exit status and everything it printed.
    pub async fn finish(mut self) -> (std::process::ExitStatus, String) {
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("the process ends within a minute")
            .expect("wait");
        // The readers end with the pipes.
        while let Ok(Some(line)) =
            tokio::time::timeout(Duration::from_secs(5), self.lines.recv()).await
        {
            self.output.push(line);
        }
        (status, self.output.join("\n"))
    }
}

/// `cocart_redis::testing::key_name_secret()` as base64, for processes of the demos
/// (`COCART_KEY_NAME_SECRET`).
pub const TEST_KEY_NAME_SECRET: &str = "Y29jYXJ0LXRlc3RzLWtleS1uYW1lLXNlY3JldC0zMmI=";
