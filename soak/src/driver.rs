//! The driver: starts the mock, Redis and the workers on free loopback ports, runs the seeded
//! fault schedule, stops everything (every child is killed on the way out, also on failure and
//! Ctrl-C), gathers the evidence and prints the verdict.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use clap::Args;
use cocart::SessionStore;
use cocart::session_store::Stored;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::judge::{self, Evidence, FaultRecord, FinalState, Tolerances, Verdict, WorkerLine};
use crate::schedule::{self, FaultKind, Planned, Timing};
use crate::{SoakError, customer_key, customer_password, customer_user, unix_ms};

/// The mock journal's capacity (`cocart-mock` keeps the newest 100,000 entries).
const JOURNAL_CAPACITY: usize = 100_000;

/// The driver's options.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// How long the workers serve, in seconds.
    pub duration: u64,
    /// Worker processes.
    #[arg(long, default_value_t = 8)]
    pub workers: usize,
    /// Customers (every worker serves every one).
    #[arg(long, default_value_t = 40)]
    pub customers: usize,
    /// The fault schedule's seed (default: from the clock; printed either way).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The mock's access-token lifetime, in seconds.
    #[arg(long, default_value_t = 6)]
    pub access_ttl: u64,
    /// The workers' refresh-lock lease, in milliseconds.
    #[arg(long, default_value_t = 2_500)]
    pub lock_lease_ms: u64,
    /// The workers' request timeout, in milliseconds (at most half the lease).
    #[arg(long, default_value_t = 1_200)]
    pub timeout_ms: u64,
    /// Milliseconds between two reads of one customer by one worker.
    #[arg(long, default_value_t = 3_000)]
    pub read_interval_ms: u64,
    /// How long one Redis command may take in the workers, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub redis_timeout_ms: u64,
    /// How long after Redis is back a transient read error is still expected, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    pub grace_ms: u64,
    /// The `cocart-mock` binary (default: beside this one).
    #[arg(long)]
    pub mock_bin: Option<PathBuf>,
    /// The `redis-server` binary.
    #[arg(long, env = "REDIS_SERVER", default_value = "redis-server")]
    pub redis_server: String,
    /// Where the logs, the journal and the verdict go (default: a fresh temporary folder).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Replaces the soak section of this Markdown file with the figures of a passing run.
    #[arg(long, num_args = 0..=1, default_missing_value = "BENCHMARKS.md")]
    pub write_benchmarks: Option<PathBuf>,
    /// Redis Cluster mode: six nodes (3 primaries, 3 replicas, no persistence: nothing is
    /// restarted), `RedisSessions::cluster_builder` in the workers, and a `CLUSTER FAILOVER` of a
    /// customer's primary where plain mode restarts Redis.
    #[arg(long)]
    pub cluster: bool,
    /// Known limits counted as figures instead of violations: `unsaved-rotation` (a rotation
    /// whose save failed because Redis went down, lost when the holder's lease lapsed).
    #[arg(long, value_parser = ["unsaved-rotation"])]
    pub tolerate: Vec<String>,
    /// Breaks the protocol in worker 0 on purpose, to see the judge fail: `no-lock` or
    /// `stale-store`.
    #[arg(long, hide = true)]
    pub inject_violation: Option<String>,
}

fn free_port() -> Result<u16, SoakError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| SoakError::Setup(format!("no free port: {e}")))
}

async fn wait_for_port(port: u16, within: Duration) -> Result<(), SoakError> {
    let deadline = Instant::now() + within;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if Instant::now() > deadline {
            return Err(SoakError::Service(format!(
                "nothing listens on port {port} after {within:?}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Sends a signal with the system's `kill` (no unsafe code here).
async fn signal(pid: u32, sig: &str) -> Result<(), SoakError> {
    let status = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .await
        .map_err(|e| SoakError::Io(format!("kill {sig} {pid}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(SoakError::Io(format!("kill {sig} {pid}: {status}")))
    }
}

/// One Redis with AOF and `appendfsync always`: a restart loses no acknowledged write.
struct Redis {
    bin: String,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Redis {
    async fn start(bin: &str, dir: PathBuf) -> Result<Self, SoakError> {
        std::fs::create_dir_all(&dir).map_err(|e| SoakError::Io(e.to_string()))?;
        let mut redis = Self {
            bin: bin.to_string(),
            port: free_port()?,
            dir,
            child: None,
        };
        redis.spawn().await?;
        Ok(redis)
    }

    async fn spawn(&mut self) -> Result<(), SoakError> {
        let child = Command::new(&self.bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .args(["--protected-mode", "yes"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                SoakError::Setup(format!(
                    "cannot start `{}` ({e}): install redis-server or set REDIS_SERVER",
                    self.bin
                ))
            })?;
        self.child = Some(child);
        wait_for_port(self.port, Duration::from_secs(20)).await?;
        // Loading the AOF: wait until it answers commands.
        let client =
            redis::Client::open(self.url()).map_err(|e| SoakError::Setup(e.to_string()))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(mut conn) = client.get_multiplexed_async_connection().await {
                let pong: Result<String, _> = redis::cmd("PING").query_async(&mut conn).await;
                if pong.is_ok() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(SoakError::Service("Redis did not come back".into()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

/// One worker slot: its current process and incarnation.
struct Worker {
    index: usize,
    incarnation: u32,
    child: Option<Child>,
    pid: Option<u32>,
    /// Killed by the schedule (its exit is not a crash).
    killed: bool,
}

impl Worker {
    fn label(&self) -> String {
        format!("w{}.{}", self.index, self.incarnation)
    }
}

struct Run {
    args: RunArgs,
    exe: PathBuf,
    dir: PathBuf,
    store_url: String,
    namespace: String,
    /// Plain mode's Redis.
    redis: Option<Redis>,
    /// Cluster mode's six nodes.
    cluster: Option<cocart_redis::testing::RedisCluster>,
    /// What the workers connect to (cluster mode: every node, comma-separated).
    redis_url: String,
    workers: Vec<Worker>,
    crashed: Vec<(String, String)>,
    faults: Vec<FaultRecord>,
    lock_keys: Vec<String>,
}

impl Run {
    fn spawn_worker(&mut self, index: usize) -> Result<(), SoakError> {
        let incarnation = self.workers[index].incarnation + 1;
        let log = self.dir.join(format!("w{index}.{incarnation}.jsonl"));
        let mut cmd = Command::new(&self.exe);
        cmd.arg("worker")
            .args(["--store-url", &self.store_url])
            .args(["--redis-url", &self.redis_url])
            .args(["--namespace", &self.namespace])
            .args(["--customers", &self.args.customers.to_string()])
            .args(["--index", &index.to_string()])
            .args(["--incarnation", &incarnation.to_string()])
            .args([
                "--read-interval-ms",
                &self.args.read_interval_ms.to_string(),
            ])
            .args(["--lock-lease-ms", &self.args.lock_lease_ms.to_string()])
            .args(["--timeout-ms", &self.args.timeout_ms.to_string()])
            .args([
                "--redis-timeout-ms",
                &self.args.redis_timeout_ms.to_string(),
            ])
            .arg("--log")
            .arg(&log);
        if self.cluster.is_some() {
            cmd.arg("--cluster");
        }
        if let (Some(kind), 0) = (&self.args.inject_violation, index) {
            cmd.args(["--inject-violation", kind]);
        }
        let stderr = std::fs::File::create(self.dir.join(format!("w{index}.{incarnation}.stderr")))
            .map_err(|e| SoakError::Io(e.to_string()))?;
        let child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(stderr)
            .env("RUST_LOG", "warn")
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| SoakError::Setup(format!("cannot start a worker: {e}")))?;
        let w = &mut self.workers[index];
        w.pid = child.id();
        w.child = Some(child);
        w.incarnation = incarnation;
        w.killed = false;
        Ok(())
    }

    /// Notes workers that exited by themselves with a failure.
    fn reap(&mut self) {
        for w in &mut self.workers {
            let label = format!("w{}.{}", w.index, w.incarnation);
            if let Some(child) = w.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                if !status.success() && !w.killed {
                    self.crashed.push((label, status.to_string()));
                }
                w.child = None;
            }
        }
    }

    async fn kill_worker(&mut self, index: usize) {
        let w = &mut self.workers[index];
        w.killed = true;
        if let Some(mut child) = w.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// Waits up to `within` until worker `index` holds a refresh lock; whether it does.
    async fn await_holder(&self, index: usize, within: Duration) -> bool {
        let Some(pid) = self.workers[index].pid else {
            return false;
        };
        // Cluster mode: the lock keys live on several nodes (no MGET across slots); the fault
        // hits the worker wherever it is.
        let Some(redis) = &self.redis else {
            return false;
        };
        let Ok(client) = redis::Client::open(redis.url()) else {
            return false;
        };
        let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
            return false;
        };
        let prefix = format!("{pid}-");
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            let owners: Result<Vec<Option<String>>, _> = redis::cmd("MGET")
                .arg(&self.lock_keys)
                .query_async(&mut conn)
                .await;
            if let Ok(owners) = owners
                && owners.iter().flatten().any(|o| o.starts_with(&prefix))
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        false
    }

    async fn carry_out(&mut self, fault: &Planned) -> Result<(), SoakError> {
        let index = fault.worker;
        let hold = Duration::from_millis(fault.hold_ms);
        let (client, on_holder, at_ms, end_ms) = match fault.kind {
            FaultKind::KillWorker | FaultKind::KillHolder => {
                let on_holder = fault.kind == FaultKind::KillHolder
                    && self.await_holder(index, Duration::from_secs(4)).await;
                let label = self.workers[index].label();
                let at_ms = unix_ms();
                self.kill_worker(index).await;
                tokio::time::sleep(hold).await;
                self.spawn_worker(index)?;
                (Some(label), on_holder, at_ms, unix_ms())
            }
            FaultKind::StallHolder => {
                let on_holder = self.await_holder(index, Duration::from_secs(4)).await;
                let label = self.workers[index].label();
                let Some(pid) = self.workers[index].pid else {
                    return Ok(());
                };
                let at_ms = unix_ms();
                signal(pid, "-STOP").await?;
                tokio::time::sleep(hold).await;
                signal(pid, "-CONT").await?;
                (Some(label), on_holder, at_ms, unix_ms())
            }
            FaultKind::RestartRedis => {
                let at_ms = unix_ms();
                if let Some(redis) = self.redis.as_mut() {
                    redis.kill().await;
                    tokio::time::sleep(hold).await;
                    redis.spawn().await?;
                }
                (None, false, at_ms, unix_ms())
            }
            FaultKind::FailoverPrimary => {
                let at_ms = unix_ms();
                if let Some(cluster) = &self.cluster {
                    let key = self.lock_keys[index % self.lock_keys.len()].clone();
                    tokio::task::block_in_place(|| {
                        cluster
                            .keyslot(&key)
                            .and_then(|slot| cluster.failover(slot))
                    })
                    .map_err(|e| SoakError::Service(format!("cluster failover: {e}")))?;
                }
                (None, false, at_ms, unix_ms())
            }
        };
        self.faults.push(FaultRecord {
            kind: fault.kind,
            client,
            at_ms,
            end_ms,
            on_holder,
        });
        Ok(())
    }

    /// Closes every worker's standard input (the stop signal) and waits; kills the late ones.
    async fn stop_workers(&mut self) {
        for w in &mut self.workers {
            if let Some(child) = w.child.as_mut() {
                drop(child.stdin.take());
            }
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        for i in 0..self.workers.len() {
            let label = self.workers[i].label();
            if let Some(mut child) = self.workers[i].child.take() {
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, child.wait()).await {
                    Ok(Ok(status)) if !status.success() => {
                        self.crashed.push((label, status.to_string()));
                    }
                    Ok(_) => {}
                    Err(_) => {
                        self.crashed
                            .push((label, "did not stop within 15 s".into()));
                        let _ = child.start_kill();
                        let _ = child.wait().await;
                    }
                }
            }
        }
    }
}

async fn start_mock(bin: &Path, args: &RunArgs) -> Result<(Child, String), SoakError> {
    let mut cmd = Command::new(bin);
    cmd.args(["--port", "0", "--access-ttl", &args.access_ttl.to_string()]);
    for c in 0..args.customers {
        cmd.arg("--user")
            .arg(format!("{}:{}", customer_user(c), customer_password(c)));
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| SoakError::Setup(format!("cannot start {}: {e}", bin.display())))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| SoakError::Setup("the mock has no stdout".into()))?;
    let mut lines = BufReader::new(stdout).lines();
    let read = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("cocart-mock listening on ") {
                return Some(url.trim().to_string());
            }
        }
        None
    };
    let url = tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .ok()
        .flatten()
        .ok_or_else(|| SoakError::Service("the mock did not say where it listens".into()))?;
    // Keep reading its stdout so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, url))
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value, SoakError> {
    http.get(url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| SoakError::Service(format!("GET {url}: {e}")))?
        .json()
        .await
        .map_err(|e| SoakError::Service(format!("GET {url}: {e}")))
}

fn read_lines(dir: &Path) -> Result<Vec<WorkerLine>, SoakError> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| SoakError::Io(e.to_string()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    for file in files {
        let client = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| SoakError::Io(e.to_string()))?;
        // A line cut by a SIGKILL does not parse and is skipped.
        for line in text.lines() {
            if let Ok(line) = serde_json::from_str::<Value>(line) {
                out.push(WorkerLine {
                    client: client.clone(),
                    line,
                });
            }
        }
    }
    Ok(out)
}

async fn final_state(
    redis_url: &str,
    cluster: bool,
    namespace: &str,
    customers: usize,
) -> Vec<FinalState> {
    let sessions = match crate::sessions_builder(redis_url, cluster)
        .namespace(namespace)
        .connect()
        .await
    {
        Ok(s) => s,
        Err(e) => return vec![FinalState::Unreadable(e.to_string()); customers],
    };
    let mut out = Vec::new();
    for c in 0..customers {
        out.push(match sessions.store(&customer_key(c)).load().await {
            Ok(Stored::Session(s)) => FinalState::Session(
                s.refresh_token
                    .as_ref()
                    .map(|r| cocart_mock::token_fingerprint(r.expose_secret())),
            ),
            Ok(Stored::Cleared { .. }) => FinalState::Cleared,
            Ok(_) => FinalState::Empty,
            Err(e) => FinalState::Unreadable(e.to_string()),
        });
    }
    out
}

/// The figures as a Markdown table.
fn markdown(summary: &Value) -> String {
    let mut out = String::from("| figure | value |\n|---|---|\n");
    if let Some(map) = summary.as_object() {
        for (k, v) in map {
            let shown = match v {
                Value::Object(inner) if inner.is_empty() => "none".to_string(),
                Value::Object(inner) => inner
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Array(_) => continue,
                other => other.to_string().trim_matches('"').to_string(),
            };
            out.push_str(&format!("| {k} | {shown} |\n"));
        }
    }
    out
}

fn summary(args: &RunArgs, seed: u64, verdict: &Verdict, ok: bool) -> Value {
    json!({
        "result": if ok { "pass" } else { "FAIL" },
        "seed": seed,
        "duration_s": args.duration,
        "workers": args.workers,
        "customers": args.customers,
        "access_ttl_s": args.access_ttl,
        "lock_lease_ms": args.lock_lease_ms,
        "read_interval_ms": args.read_interval_ms,
        "requests": verdict.requests,
        "reads_ok": verdict.reads_ok,
        "reads_failed_redis_down": verdict.reads_failed_redis_down,
        "reads_failed_own_stall": verdict.reads_failed_own_stall,
        "reads_failed_lock_wait": verdict.reads_failed_lock_wait,
        "logins": verdict.logins,
        "refreshes": verdict.refreshes,
        "rotations": verdict.rotations,
        "refused_refreshes": verdict.refused_refreshes,
        "re_presented_after_lost_answer": verdict.re_presented_after_lost_answer,
        "presented_late_by_stalled_holder": verdict.presented_late_by_stalled_holder,
        "lost_rotations_killed": verdict.lost_rotations_killed,
        "lost_rotations_stalled": verdict.lost_rotations_stalled,
        "lost_rotations_unsaved_redis_outage": verdict.lost_rotations_unsaved_redis_outage,
        "tolerated": if args.tolerate.is_empty() { "none".to_string() } else { args.tolerate.join(",") },
        "lost_logins_killed": verdict.lost_logins_killed,
        "sign_outs_from_lost_rotations": verdict.sign_outs_from_lost_rotations,
        "faults": verdict.faults,
        "faults_on_lock_holders": verdict.faults_on_lock_holders,
        "redis_down_ms": verdict.redis_down_ms,
        "violations": verdict.violations_by_kind,
    })
}

const BENCH_START: &str = "<!-- soak:start -->";
const BENCH_END: &str = "<!-- soak:end -->";

/// The soak section of BENCHMARKS.md: the method, then the figures of this run.
fn benchmarks_section(table: &str, args: &RunArgs) -> String {
    format!(
        "{BENCH_START}\n## Chaos soak: shared sessions through Redis\n\n\
Method: `bash scripts/soak.sh {d} --write-benchmarks` (crate `soak/`) runs {k} worker processes \
that all serve the same {m} customers (each customer's session shared by every worker through \
one `RedisSessions` per worker and one `redis-server` with AOF and `appendfsync always`) \
against one debug-build `cocart-mock` whose access tokens live {ttl} s. Every worker reads each \
customer's cart every {ri} ms (`cart().get`) after `restore_or_login`; its lock lease is {lease} ms \
and its request timeout {to} ms. A schedule drawn from the seed SIGKILLs workers (some while \
they hold a refresh lock) and restarts them, SIGSTOPs a lock holder for longer than its lease, \
and SIGKILLs and restarts Redis, every 3–7 s after a warm-up and before a quiet tail. The \
judge reads the mock's journal (each request's worker label, user, and fingerprints of the \
refresh token presented and issued), the fault log, the workers' outcome logs and what Redis \
holds at the end: no refresh token accepted twice; none presented twice except once after its \
presenter was killed or stalled with the answer lost, or once late by a holder stalled past its \
lease with its request in flight (both documented limits, counted); no sign-out other than the documented \
lost rotation (a worker killed or stalled after the store rotated the pair and before it \
saved it), counted on its own; no extra login; every read answered, or failed with a typed \
transient error only while Redis was down (plus {grace} ms), in a worker during its own stall, \
or as a lock wait that gave up after its holder was killed or stalled; and Redis holds, for \
every customer, the newest pair the store issued. One run; the figures count events, they \
are not timings.\n\n\
_Written by a passing run of the soak itself at Unix time {now}; `--seed` replays its fault schedule._\n\n\
{table}{BENCH_END}",
        d = args.duration,
        k = args.workers,
        m = args.customers,
        ttl = args.access_ttl,
        ri = args.read_interval_ms,
        lease = args.lock_lease_ms,
        to = args.timeout_ms,
        grace = args.grace_ms,
        now = unix_ms() / 1000,
    )
}

fn write_benchmarks(path: &Path, table: &str, args: &RunArgs) -> Result<(), SoakError> {
    let text = std::fs::read_to_string(path).map_err(|e| SoakError::Io(e.to_string()))?;
    let section = benchmarks_section(table, args);
    let new = match (text.find(BENCH_START), text.find(BENCH_END)) {
        (Some(s), Some(e)) if e > s => {
            format!("{}{section}{}", &text[..s], &text[e + BENCH_END.len()..])
        }
        // Before the analysis (kept last by scripts/bench.sh), or at the end.
        _ => match text.find("\n## Analysis") {
            Some(at) => format!("{}\n{section}\n{}", &text[..at], &text[at..]),
            None => format!("{text}\n{section}\n"),
        },
    };
    std::fs::write(path, new).map_err(|e| SoakError::Io(e.to_string()))
}

/// Runs a soak; `Ok(true)` when no rule was broken.
pub async fn run(args: RunArgs) -> Result<bool, SoakError> {
    if args.workers == 0 || args.customers == 0 || args.timeout_ms * 2 > args.lock_lease_ms {
        return Err(SoakError::Setup(
            "need at least one worker and customer, and a lease of at least two timeouts".into(),
        ));
    }
    let seed = args
        .seed
        .unwrap_or_else(|| unix_ms() ^ u64::from(std::process::id()) << 20);
    let exe = std::env::current_exe().map_err(|e| SoakError::Setup(e.to_string()))?;
    let mock_bin = match &args.mock_bin {
        Some(p) => p.clone(),
        None => exe.with_file_name("cocart-mock"),
    };
    let dir = match &args.out_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("cocart-soak-{seed}-{}", std::process::id())),
    };
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| SoakError::Io(e.to_string()))?;
    eprintln!(
        "soak: seed {seed}, {} s, {} workers, {} customers, logs in {}",
        args.duration,
        args.workers,
        args.customers,
        dir.display()
    );

    let (mut mock, store_url) = start_mock(&mock_bin, &args).await?;
    let (redis, cluster, redis_url) = if args.cluster {
        let cluster = tokio::task::block_in_place(cocart_redis::testing::RedisCluster::start)
            .map_err(|e| SoakError::Setup(format!("cannot start a Redis Cluster: {e}")))?;
        let urls = cluster.urls().join(",");
        (None, Some(cluster), urls)
    } else {
        let redis = Redis::start(&args.redis_server, dir.join("redis")).await?;
        let url = redis.url();
        (Some(redis), None, url)
    };
    let namespace = format!("soak-{seed}");
    let lock_view = crate::sessions_builder(&redis_url, args.cluster)
        .namespace(namespace.as_str())
        .connect_lazily()
        .map_err(|e| SoakError::Setup(e.to_string()))?;
    let lock_keys = (0..args.customers)
        .map(|c| lock_view.lock(&customer_key(c)).key_name().to_string())
        .collect();
    let timing = Timing {
        duration_ms: args.duration * 1000,
        warmup_ms: (args.duration * 1000 / 8).clamp(5_000, 10_000),
        quiet_tail_ms: args.access_ttl * 1000 + args.lock_lease_ms + 4_000,
        lease_ms: args.lock_lease_ms,
    };
    let mut plan = schedule::plan(seed, args.workers, timing);
    if args.cluster {
        // The same schedule, with a primary's failover where plain mode restarts Redis.
        for f in &mut plan {
            if f.kind == FaultKind::RestartRedis {
                f.kind = FaultKind::FailoverPrimary;
            }
        }
    }
    std::fs::write(
        dir.join("schedule.json"),
        serde_json::to_string_pretty(&plan).unwrap_or_default(),
    )
    .map_err(|e| SoakError::Io(e.to_string()))?;
    let mut run = Run {
        workers: (0..args.workers)
            .map(|index| Worker {
                index,
                incarnation: 0,
                child: None,
                pid: None,
                killed: false,
            })
            .collect(),
        args: args.clone(),
        exe,
        dir: dir.clone(),
        store_url: store_url.clone(),
        namespace: namespace.clone(),
        redis,
        cluster,
        redis_url,
        crashed: Vec::new(),
        faults: Vec::new(),
        lock_keys,
    };
    for i in 0..args.workers {
        run.spawn_worker(i)?;
    }
    let started = Instant::now();
    let mut interrupted = false;
    for fault in &plan {
        let due = started + Duration::from_millis(fault.at_ms);
        tokio::select! {
            _ = tokio::time::sleep_until(due.into()) => {}
            _ = tokio::signal::ctrl_c() => { interrupted = true; break; }
        }
        run.reap();
        eprintln!(
            "soak: +{:>5.1}s {} worker {} hold {} ms",
            started.elapsed().as_secs_f64(),
            fault.kind.name(),
            fault.worker,
            fault.hold_ms
        );
        run.carry_out(fault).await?;
    }
    if !interrupted {
        tokio::select! {
            _ = tokio::time::sleep_until((started + Duration::from_secs(args.duration)).into()) => {}
            _ = tokio::signal::ctrl_c() => { interrupted = true; }
        }
    }
    run.reap();
    run.stop_workers().await;
    if interrupted {
        return Err(SoakError::Setup(format!("interrupted (seed {seed})")));
    }

    let http = reqwest::Client::new();
    let journal: Vec<cocart_mock::JournalEntry> =
        serde_json::from_value(get_json(&http, &format!("{store_url}/__mock/journal")).await?)
            .map_err(|e| SoakError::Service(format!("journal: {e}")))?;
    let users_json = get_json(&http, &format!("{store_url}/__mock/users")).await?;
    let by_name: BTreeMap<String, u64> = users_json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| Some((u["username"].as_str()?.to_string(), u["id"].as_u64()?)))
        .collect();
    let users = (0..args.customers)
        .map(|c| by_name.get(&customer_user(c)).copied().unwrap_or(0))
        .collect();
    let final_state = final_state(&run.redis_url, args.cluster, &namespace, args.customers).await;
    let _ = std::fs::write(
        dir.join("journal.json"),
        serde_json::to_string(&journal).unwrap_or_default(),
    );
    let _ = std::fs::write(
        dir.join("faults.json"),
        serde_json::to_string_pretty(&run.faults).unwrap_or_default(),
    );
    let evidence = Evidence {
        journal,
        journal_capacity: JOURNAL_CAPACITY,
        users,
        faults: run.faults.clone(),
        lines: read_lines(&dir)?,
        final_state,
        crashed: run.crashed.clone(),
    };
    let verdict = judge::judge(
        &evidence,
        Tolerances {
            grace_ms: args.grace_ms,
            lease_ms: args.lock_lease_ms,
            tolerate_unsaved_rotation: args.tolerate.iter().any(|t| t == "unsaved-rotation"),
        },
    );
    if let Some(redis) = run.redis.as_mut() {
        redis.kill().await;
    }
    drop(run.cluster.take());
    let _ = mock.start_kill();
    let _ = mock.wait().await;

    let ok = verdict.violations.is_empty();
    let summary = summary(&args, seed, &verdict, ok);
    let table = markdown(&summary);
    println!(
        "{}",
        serde_json::to_string_pretty(&summary).unwrap_or_default()
    );
    println!();
    print!("{table}");
    for v in &verdict.violations {
        println!("violation {}: {}", v.kind, v.detail);
    }
    let _ = std::fs::write(
        dir.join("verdict.json"),
        serde_json::to_string_pretty(
            &json!({"summary": summary, "violations": verdict.violations}),
        )
        .unwrap_or_default(),
    );
    if let Some(path) = &args.write_benchmarks {
        if ok {
            write_benchmarks(path, &table, &args)?;
        } else {
            eprintln!("soak: not writing {} from a failing run", path.display());
        }
    }
    if ok {
        let _ = std::fs::remove_dir_all(dir.join("redis"));
    } else {
        println!(
            "soak FAILED with seed {seed}: replay the same fault schedule with --seed {seed} \
             (evidence in {})",
            dir.display()
        );
    }
    Ok(ok)
}
