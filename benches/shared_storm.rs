//! Cross-process refresh storm: K OS processes (the release `concurrent` example) share one
//! customer's session through one `redis-server`; each fires M concurrent `GET /cart` calls.
//! The storm arm expires the token on the store's clock while the processes wait, so every
//! process meets a rejected token at once; the valid arm fires the same load on a valid token.
//! Arms alternate, each on a fresh session (one login, outside the measurement).
//!
//! Checked from the mock's journal on every run (the bench fails otherwise): exactly one refresh
//! per storm, none on a valid token, and K × M reads answered 200. Redis work is read from
//! `INFO stats` (`total_commands_processed`) between "all processes ready" and "all done".
//!
//! `BENCH_SHARED_K` (default 4), `BENCH_SHARED_M` (default 50), `BENCH_SHARED_REPS` (default 5).
//! `COCART_CONCURRENT_BIN` names the example binary (default:
//! `<target>/release/examples/concurrent`).

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use cocart_redis::testing::RedisServer;
use common::*;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long each process waits between signing in and firing.
const WAIT_SECS: u64 = 2;

fn concurrent_bin() -> BenchResult<PathBuf> {
    let path = match std::env::var_os("COCART_CONCURRENT_BIN") {
        Some(p) => PathBuf::from(p),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
            .join("release/examples/concurrent"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(fail(format!(
            "{} not found: `cargo build --release --example concurrent` (scripts/bench.sh does)",
            path.display()
        )))
    }
}

struct Proc {
    child: Child,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

struct ArmRun {
    /// Each process's wall time for its M reads (printed by the example).
    per_process: Vec<Duration>,
    /// Redis commands between "ready" and "done" (the INFO call excluded).
    redis_commands: u64,
}

#[allow(clippy::too_many_arguments)]
async fn run_arm(
    bin: &PathBuf,
    mock: &MockProcess,
    control: &reqwest::Client,
    redis_url: &str,
    conn: &mut redis::aio::MultiplexedConnection,
    key: &str,
    k: usize,
    m: usize,
    storm: bool,
) -> BenchResult<ArmRun> {
    let mut procs = Vec::new();
    for _ in 0..k {
        let mut child = Command::new(bin)
            .args(["--store-url", mock.base_url(), "--username", USER])
            .args(["--password", PASSWORD])
            .args([
                "--concurrency",
                &m.to_string(),
                "--wait",
                &WAIT_SECS.to_string(),
            ])
            .args(["--session-redis", redis_url, "--session-key", key])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| fail("no stdout"))?;
        procs.push(Proc {
            child,
            lines: BufReader::new(stdout).lines(),
        });
    }
    for p in &mut procs {
        loop {
            match p.lines.next_line().await? {
                Some(line) if line.starts_with("ready:") => break,
                Some(_) => {}
                None => return Err(fail("a process ended before it was ready")),
            }
        }
    }
    clear_journal(control, mock.base_url()).await?;
    let before = cocart_redis::testing::commands_processed(conn).await?;
    if storm {
        advance_mock_clock(control, mock.base_url(), 7200).await?;
    }
    let mut per_process = Vec::new();
    for mut p in procs {
        let mut elapsed = None;
        while let Some(line) = p.lines.next_line().await? {
            if let Some(rest) = line.strip_prefix("fired ") {
                let ms = rest
                    .split(" in ")
                    .nth(1)
                    .and_then(|t| t.trim_end_matches(" ms").parse::<u64>().ok())
                    .ok_or_else(|| fail(format!("unexpected line {line:?}")))?;
                elapsed = Some(Duration::from_millis(ms));
            }
            if line.trim() == "failures:  0" {
                continue;
            }
            if line.trim_start().starts_with("failures:") {
                return Err(fail(format!("a process reported {line:?}")));
            }
        }
        let status = p.child.wait().await?;
        if !status.success() {
            return Err(fail(format!("a process exited with {status}")));
        }
        per_process.push(elapsed.ok_or_else(|| fail("no timing line"))?);
    }
    let after = cocart_redis::testing::commands_processed(conn).await?;
    let seen = journal(control, mock.base_url()).await?;
    let refreshes: Vec<_> = seen.iter().filter(|e| e.path == REFRESH_PATH).collect();
    let want = usize::from(storm);
    if refreshes.len() != want || refreshes.iter().any(|e| e.status != 200) {
        return Err(fail(format!(
            "expected {want} refresh(es) answered 200, the journal has {refreshes:?}"
        )));
    }
    let served = seen
        .iter()
        .filter(|e| e.path == CART_PATH && e.status == 200)
        .count();
    if served != k * m {
        return Err(fail(format!("{served} of {} reads answered 200", k * m)));
    }
    if seen.iter().any(|e| e.path == LOGIN_PATH) {
        return Err(fail("a process logged in again"));
    }
    Ok(ArmRun {
        per_process,
        redis_commands: after.saturating_sub(before + 1),
    })
}

#[tokio::main]
async fn main() -> BenchResult {
    let k = env_usize("BENCH_SHARED_K", 4);
    let m = env_usize("BENCH_SHARED_M", 50);
    let reps = env_usize("BENCH_SHARED_REPS", 5);
    let bin = concurrent_bin()?;
    let mock = MockProcess::spawn(&["--access-ttl", "3600"])?;
    let redis = RedisServer::start()?;
    let mut conn = redis::Client::open(redis.url())?
        .get_multiplexed_async_connection()
        .await?;
    let control = sdk_like_http()?;
    eprintln!(
        "shared_storm: {k} processes x {m} reads, {reps} reps; mock {} redis {}",
        mock.base_url(),
        redis.url()
    );

    let (mut valid, mut storm) = (Vec::new(), Vec::new());
    let (mut valid_cmds, mut storm_cmds) = (Vec::new(), Vec::new());
    let mut rep_ratios = Vec::new();
    for rep in 0..=reps {
        let order = if rep % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        let (mut rep_valid, mut rep_storm) = (Vec::new(), Vec::new());
        for is_storm in order {
            let key = format!("bench-{rep}-{is_storm}");
            let run = run_arm(
                &bin,
                &mock,
                &control,
                &redis.url(),
                &mut conn,
                &key,
                k,
                m,
                is_storm,
            )
            .await?;
            if rep == 0 {
                continue; // warm-up
            }
            if is_storm {
                rep_storm.extend(run.per_process.iter().copied());
                storm.extend(run.per_process);
                storm_cmds.push(run.redis_commands);
            } else {
                rep_valid.extend(run.per_process.iter().copied());
                valid.extend(run.per_process);
                valid_cmds.push(run.redis_commands);
            }
        }
        if rep > 0 {
            let (v, s) = (summarize(&mut rep_valid)?, summarize(&mut rep_storm)?);
            rep_ratios.push(ratio(s.median, v.median));
        }
        eprintln!("shared_storm: rep {rep} done");
    }
    let v = summarize(&mut valid)?;
    let s = summarize(&mut storm)?;
    let r = ratio(s.median, v.median);
    let median_u64 = |xs: &mut Vec<u64>| {
        xs.sort_unstable();
        xs[xs.len() / 2]
    };
    let (vc, sc) = (median_u64(&mut valid_cmds), median_u64(&mut storm_cmds));

    println!("## Cross-process refresh storm (Redis)\n");
    println!(
        "Method: `benches/shared_storm.rs`. {k} OS processes of the release `concurrent` example \
         share one customer's session through one `redis-server` (`--session-redis`) against the \
         release `cocart-mock`; each signs in (one login between them, before measuring), waits \
         {WAIT_SECS} s and fires {m} concurrent `GET /cart`. In the storm arm the store's clock \
         jumps past the token's expiry during the wait, so every process meets a rejected token \
         at once (the reactive path: rejected reads, one refresh under the Redis lock, the other \
         processes adopt the saved pair, every read retried); the valid arm fires the same load \
         on a valid token. Arms alternate, {reps} reps after one warm-up pair, each on a fresh \
         session. The time is each process's wall time for its {m} reads, as it prints it. The \
         journal is checked on every run: exactly one refresh per storm (so no refresh token was \
         sent twice), none on a valid token, {} reads answered 200, no second login. Redis \
         commands are counted with `INFO stats` between \"all ready\" and \"all done\".\n",
        k * m
    );
    println!(
        "| arm | per-process wall time (median) | min | max | Redis commands per run (median) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    println!(
        "| valid token | {} | {} | {} | {vc} |",
        ms(v.median),
        ms(v.min),
        ms(v.max)
    );
    println!(
        "| storm across an expiry (1 refresh asserted) | {} | {} | {} | {sc} |",
        ms(s.median),
        ms(s.min),
        ms(s.max)
    );
    println!();
    println!(
        "Storm / valid: **{r:.2}×**. Redis commands for the one refresh and the {} adoptions: \
         {sc} (valid token: {vc}, i.e. none on the request path).\n",
        k - 1
    );
    summary_row(
        &format!("Cross-process storm / valid token ({k} processes × {m} reads, Redis)"),
        "cold: a fresh session per run; the store expires the token (reactive path)",
        "(informational)",
        &format!(
            "{r:.2}× ({} vs {}); 1 refresh; {sc} Redis commands",
            ms(s.median),
            ms(v.median)
        ),
        &spread(&rep_ratios),
        "—",
    )?;
    Ok(())
}
