//! The hot path with a shared session store: one process serves 1,000 customers, one
//! `CoCartClient` per customer, all on one `RedisSessions` (one connection manager) and one
//! HTTP client, against the release `cocart-mock` with valid tokens. The same load runs with the
//! SDK's in-memory store (no Redis); arms alternate, side by side in one run.
//!
//! Reported: requests per second of each arm, their ratio per round, and the Redis commands
//! per request with a valid token (`INFO stats` `total_commands_processed` before and after
//! each Redis round, the `INFO` call itself taken out): the README says a request with a valid
//! token makes no Redis call, so the expected figure is 0. Every read must answer 200 (the bench
//! fails otherwise), and the journal must show no refresh while measuring.
//!
//! `BENCH_HOT_CUSTOMERS` (default 1000), `BENCH_HOT_REQUESTS` per round and arm (default
//! 20000), `BENCH_HOT_CONCURRENCY` (default 64), `BENCH_HOT_ROUNDS` (default 5).

mod common;

use std::time::{Duration, Instant};

use cocart::CoCartClient;
use cocart::models::CartQuery;
use cocart_redis::RedisSessions;
use cocart_redis::testing::{RedisServer, commands_processed};
use common::*;
use futures::StreamExt;
use secrecy::SecretString;

fn user(c: usize) -> String {
    format!("hot{c}")
}

fn password(c: usize) -> String {
    format!("hot-pass-{c}")
}

/// Fires `requests` reads over the customers, round robin, `concurrency` at a time; returns the
/// wall time. Any failed read fails the bench.
async fn fire(
    clients: &[CoCartClient],
    requests: usize,
    concurrency: usize,
) -> BenchResult<Duration> {
    let n = clients.len();
    let started = Instant::now();
    let results: Vec<Result<(), cocart::Error>> = futures::stream::iter(0..requests)
        .map(|i| {
            let client = &clients[i % n];
            async move {
                let query = CartQuery::new();
                client.cart().get(&query).await.map(|_| ())
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    if let Some(e) = results.into_iter().find_map(Result::err) {
        return Err(fail(format!("a read failed: {e}")));
    }
    Ok(elapsed)
}

fn rps(requests: usize, d: Duration) -> f64 {
    requests as f64 / d.as_secs_f64()
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or(f64::NAN)
}

async fn journal_refreshes(control: &reqwest::Client, base: &str) -> BenchResult<usize> {
    let journal: serde_json::Value = control
        .get(format!("{base}/__mock/journal"))
        .send()
        .await?
        .json()
        .await?;
    Ok(journal
        .as_array()
        .map(|a| a.iter().filter(|e| e["path"] == REFRESH_PATH).count())
        .unwrap_or(0))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> BenchResult {
    let customers = env_usize("BENCH_HOT_CUSTOMERS", 1000);
    let requests = env_usize("BENCH_HOT_REQUESTS", 20_000);
    let concurrency = env_usize("BENCH_HOT_CONCURRENCY", 64);
    let rounds = env_usize("BENCH_HOT_ROUNDS", 5);

    let seed = std::env::temp_dir().join(format!("cocart-hot-path-{}.json", std::process::id()));
    let users: Vec<serde_json::Value> = (0..customers)
        .map(|c| {
            serde_json::json!({"username": user(c), "email": format!("{}@example.com", user(c)),
                "password": password(c)})
        })
        .collect();
    std::fs::write(&seed, serde_json::json!({"users": users}).to_string())?;
    let seed_arg = seed.to_string_lossy().to_string();
    let mock = MockProcess::spawn(&["--access-ttl", "3600", "--seed", &seed_arg]);
    let _ = std::fs::remove_file(&seed);
    let mock = mock?;
    let base = mock.base_url().to_string();
    let redis = RedisServer::start()?;
    let sessions = RedisSessions::builder(redis.url())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace("hot-path")
        .connect()
        .await?;
    let mut info = redis::Client::open(redis.url())?
        .get_multiplexed_async_connection()
        .await?;

    // One HTTP client per arm, built alike; one RedisSessions for every Redis customer.
    let http_redis = sdk_like_http()?;
    let http_memory = sdk_like_http()?;
    let mut with_redis = Vec::with_capacity(customers);
    let mut in_memory = Vec::with_capacity(customers);
    for c in 0..customers {
        let key = format!("customer-{c}");
        with_redis.push(
            CoCartClient::builder(base.as_str())
                .http_client(http_redis.clone())
                .session_store(sessions.store(&key))
                .session_lock(sessions.lock(&key))
                .build()?,
        );
        in_memory.push(
            CoCartClient::builder(base.as_str())
                .http_client(http_memory.clone())
                .build()?,
        );
    }
    eprintln!("redis_hot_path: signing {customers} customers in, twice");
    let signed: Vec<Result<(), cocart::Error>> = futures::stream::iter(0..customers)
        .map(|c| {
            let (r, m) = (&with_redis[c], &in_memory[c]);
            async move {
                let pw = SecretString::from(password(c));
                r.restore_or_login(&user(c), &pw).await?;
                m.login(&user(c), &password(c)).await.map(|_| ())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    if let Some(e) = signed.into_iter().find_map(Result::err) {
        return Err(fail(format!("a sign-in failed: {e}")));
    }
    // Warm-up: every customer once on each arm (connections opened, carts made).
    fire(&with_redis, customers, concurrency).await?;
    fire(&in_memory, customers, concurrency).await?;
    let refreshes_before = journal_refreshes(&reqwest::Client::new(), &base).await?;

    let (mut redis_rps, mut memory_rps, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut commands = 0u64;
    for round in 0..rounds {
        let redis_first = round % 2 == 0;
        let mut measured = [0.0f64; 2];
        for redis_arm in [redis_first, !redis_first] {
            if redis_arm {
                let before = commands_processed(&mut info).await?;
                let d = fire(&with_redis, requests, concurrency).await?;
                let after = commands_processed(&mut info).await?;
                commands += after.saturating_sub(before).saturating_sub(1);
                measured[0] = rps(requests, d);
            } else {
                measured[1] = rps(requests, fire(&in_memory, requests, concurrency).await?);
            }
        }
        redis_rps.push(measured[0]);
        memory_rps.push(measured[1]);
        ratios.push(measured[0] / measured[1]);
        eprintln!(
            "redis_hot_path: round {round}: Redis {:.0} req/s, memory {:.0} req/s",
            measured[0], measured[1]
        );
    }
    let refreshes = journal_refreshes(&reqwest::Client::new(), &base).await? - refreshes_before;
    if refreshes != 0 {
        return Err(fail(format!(
            "{refreshes} refreshes while measuring valid tokens"
        )));
    }
    let total = (requests * rounds) as f64;
    let per_request = commands as f64 / total;
    let ratio = median(&ratios);

    println!("## Hot path with Redis: {customers} customers through one `RedisSessions`\n");
    println!(
        "Method: `benches/redis_hot_path.rs`. One process holds {customers} `CoCartClient`s, one per \
         customer, every one signed in (valid tokens: the mock's live an hour). The Redis arm's \
         clients share one `RedisSessions` (one connection manager, one `redis-server`) as store \
         and lock and one HTTP client; the memory arm's use the SDK's in-memory store and another \
         HTTP client built alike. Each round fires {requests} `GET /cart` per arm over the \
         customers round robin, {concurrency} in flight, against the release `cocart-mock`; arms \
         alternate which goes first, {rounds} rounds after a warm-up of one read per customer. \
         Redis commands are counted with `INFO stats` (`total_commands_processed`) around each \
         Redis round, the `INFO` call itself taken out. Every read answered 200 and the journal \
         shows no refresh while measuring (the bench fails otherwise).\n"
    );
    println!("| arm | req/s (median) | min | max |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, v) in [
        ("Redis store + lock (one `RedisSessions`)", &redis_rps),
        ("in-memory store", &memory_rps),
    ] {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(0.0, f64::max);
        println!("| {name} | {:.0} | {lo:.0} | {hi:.0} |", median(v));
    }
    println!();
    println!(
        "Redis / memory: **{ratio:.2}×** (median of the per-round ratios; {}). Redis commands \
         per request with a valid token: **{per_request:.4}** ({commands} commands over {} \
         requests).\n",
        spread(&ratios),
        total as u64
    );
    summary_row(
        &format!("Hot path, {customers} customers: Redis store / in-memory store (req/s)"),
        "warm: valid tokens, one `RedisSessions` and one HTTP client per arm",
        "—",
        &format!(
            "{ratio:.2}× ({:.0} vs {:.0})",
            median(&redis_rps),
            median(&memory_rps)
        ),
        &spread(&ratios),
        "—",
    )?;
    summary_row(
        "Hot path: Redis commands per request with a valid token",
        "warm: valid tokens, one `RedisSessions`",
        "0",
        &format!(
            "{per_request:.4} ({commands} over {} requests)",
            total as u64
        ),
        "all rounds",
        if commands == 0 { "met" } else { "**missed**" },
    )?;
    Ok(())
}
