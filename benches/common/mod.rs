//! Helpers shared by the bench binaries: the release `cocart-mock` process and its `/__mock/`
//! controls over HTTP, a bare login, latency statistics and `/proc` readings.
#![allow(dead_code)]

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// What every bench returns: any error ends the bench with a non-zero exit status.
pub type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The demo customer the mock seeds.
pub const USER: &str = "demo";
/// The demo customer's password (a fixture of the mock, not a secret).
pub const PASSWORD: &str = "demo-password";
/// `GET /cart` as the journal records it.
pub const CART_PATH: &str = "/wp-json/cocart/v2/cart";
/// The refresh route as the journal records it.
pub const REFRESH_PATH: &str = "/wp-json/cocart/jwt/refresh-token";
/// The login route.
pub const LOGIN_PATH: &str = "/wp-json/cocart/v2/login";

/// An error with a message.
pub fn fail(msg: impl Into<String>) -> Box<dyn std::error::Error + Send + Sync> {
    msg.into().into()
}

/// The release `cocart-mock` binary: `$COCART_MOCK_BIN`, else `<target dir>/release/cocart-mock`.
pub fn mock_bin() -> BenchResult<PathBuf> {
    let path = match std::env::var_os("COCART_MOCK_BIN") {
        Some(p) => PathBuf::from(p),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
            target.join("release").join("cocart-mock")
        }
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(fail(format!(
            "{} not found: build it with `cargo build --release -p cocart-mock --bin cocart-mock` \
             (scripts/bench.sh does) or set COCART_MOCK_BIN",
            path.display()
        )))
    }
}

/// A `cocart-mock` process on `127.0.0.1:<free port>`, killed when dropped.
pub struct MockProcess {
    child: Child,
    base_url: String,
}

impl MockProcess {
    /// Starts the release binary with `--port 0` and `args`, and waits for its first line.
    pub fn spawn(args: &[&str]) -> BenchResult<Self> {
        let bin = mock_bin()?;
        let child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| fail(format!("cannot start {}: {e}", bin.display())))?;
        let mut me = Self {
            child,
            base_url: String::new(),
        };
        let stdout = me
            .child
            .stdout
            .take()
            .ok_or_else(|| fail("cocart-mock has no stdout"))?;
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        me.base_url = line
            .trim()
            .strip_prefix("cocart-mock listening on ")
            .ok_or_else(|| fail(format!("unexpected first line from cocart-mock: {line:?}")))?
            .to_string();
        // Keep draining stdout so that the child never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        Ok(me)
    }

    /// The site root, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A reqwest client configured exactly like the one `CoCartClient::builder().build()` makes:
/// the SDK's User-Agent, a 10 s connect timeout, no redirects.
pub fn sdk_like_http() -> BenchResult<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .user_agent(cocart::DEFAULT_USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// An access token obtained with a bare login. Never printed.
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl Token {
    /// `Bearer <token>` as a sensitive header value.
    pub fn bearer(&self) -> BenchResult<reqwest::header::HeaderValue> {
        let mut v = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", self.0))
            .map_err(|_| fail("the token is not a valid header value"))?;
        v.set_sensitive(true);
        Ok(v)
    }

    /// The raw token, for the wrk Lua script only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Logs the demo customer in with HTTP Basic over `http` (whose User-Agent the token is bound
/// to) and returns the access token.
pub async fn login(http: &reqwest::Client, base: &str, user_agent: &str) -> BenchResult<Token> {
    let resp = http
        .post(format!("{base}{LOGIN_PATH}"))
        .header(reqwest::header::USER_AGENT, user_agent)
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await?;
    let status = resp.status();
    let body: Value = resp.json().await?;
    if !status.is_success() {
        return Err(fail(format!("login answered {status}")));
    }
    body.pointer("/extras/jwt_token")
        .and_then(Value::as_str)
        .map(|t| Token(t.to_string()))
        .ok_or_else(|| fail("login answer has no extras.jwt_token"))
}

/// One journal entry, reduced to what the benches check.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The REST path.
    pub path: String,
    /// The response status.
    pub status: u16,
}

/// `GET /__mock/journal`.
pub async fn journal(http: &reqwest::Client, base: &str) -> BenchResult<Vec<Entry>> {
    let body: Value = http
        .get(format!("{base}/__mock/journal"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let list = body
        .as_array()
        .ok_or_else(|| fail("the journal is not a JSON array"))?;
    Ok(list
        .iter()
        .map(|e| Entry {
            path: e["path"].as_str().unwrap_or_default().to_string(),
            status: e["status"].as_u64().unwrap_or(0) as u16,
        })
        .collect())
}

/// `DELETE /__mock/journal`.
pub async fn clear_journal(http: &reqwest::Client, base: &str) -> BenchResult {
    http.delete(format!("{base}/__mock/journal"))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// `POST /__mock/clock {"advance": seconds}`.
pub async fn advance_mock_clock(http: &reqwest::Client, base: &str, seconds: i64) -> BenchResult {
    http.post(format!("{base}/__mock/clock"))
        .json(&serde_json::json!({ "advance": seconds }))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// Median, p99 and friends of a set of latencies.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Number of samples.
    pub n: usize,
    /// The fastest sample.
    pub min: Duration,
    /// The median (nearest rank).
    pub median: Duration,
    /// The 99th percentile (nearest rank).
    pub p99: Duration,
    /// The slowest sample.
    pub max: Duration,
    /// The arithmetic mean.
    pub mean: Duration,
}

/// Summarises `samples` (sorts them).
pub fn summarize(samples: &mut [Duration]) -> BenchResult<Summary> {
    if samples.is_empty() {
        return Err(fail("no samples"));
    }
    samples.sort_unstable();
    let n = samples.len();
    let rank = |q: f64| samples[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
    let total: Duration = samples.iter().sum();
    Ok(Summary {
        n,
        min: samples[0],
        median: rank(0.5),
        p99: rank(0.99),
        max: samples[n - 1],
        mean: total / n as u32,
    })
}

/// `a / b` as a float.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// Microseconds with one decimal.
pub fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// "met" or "**missed**" for a ratio against a ceiling.
pub fn verdict(value: f64, ceiling: f64) -> &'static str {
    if value <= ceiling {
        "met"
    } else {
        "**missed**"
    }
}

/// A `kB` field (`VmRSS`, `VmHWM` …) of `/proc/<pid>/status`, in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> BenchResult<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| fail(format!("no {field} in /proc/{pid}/status")))
}

/// The soft limit on open files of this process (from `/proc/self/limits`).
pub fn open_files_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// A positive integer from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&v| v > 0)
        .unwrap_or(default)
}

/// `min–max` of ratios measured run by run (or "one run").
pub fn spread(ratios: &[f64]) -> String {
    let finite: Vec<f64> = ratios.iter().copied().filter(|r| r.is_finite()).collect();
    match (
        finite.iter().copied().reduce(f64::min),
        finite.iter().copied().reduce(f64::max),
    ) {
        (Some(lo), Some(hi)) if finite.len() > 1 => {
            format!("{lo:.2}–{hi:.2}× over {} runs", finite.len())
        }
        _ => "one run".to_string(),
    }
}

/// Appends a row `| figure | path | target | measured | spread | verdict |` to the file named by
/// `$BENCH_SUMMARY` (the script gathers them into the summary table of `BENCHMARKS.md`). `path`
/// says what was measured (a cached path, a cold one); `spread` how far the runs went apart.
pub fn summary_row(
    figure: &str,
    path: &str,
    target: &str,
    measured: &str,
    spread: &str,
    verdict: &str,
) -> BenchResult {
    let Some(file) = std::env::var_os("BENCH_SUMMARY") else {
        return Ok(());
    };
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?;
    writeln!(
        f,
        "| {figure} | {path} | {target} | {measured} | {spread} | {verdict} |"
    )?;
    Ok(())
}
