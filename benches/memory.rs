//! Memory: the RSS of the release `cocart-mock` binary holding 10,000 guest carts (created over
//! HTTP) against its RSS right after start, and the heap bytes one idle `CoCartClient` keeps
//! (a counting global allocator: live bytes after building 1,000 clients, / 1,000).
//!
//! `BENCH_CARTS` (default 10000) and `BENCH_CLIENTS` (default 1000) tune it. Prints a Markdown
//! section on stdout; progress goes to stderr.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use cocart::CoCartClient;
use common::*;
use futures::StreamExt;
use serde_json::{Value, json};

/// Counts live and total heap bytes, then defers to the system allocator.
struct Counting;

static LIVE: AtomicI64 = AtomicI64::new(0);
static ALLOCATED: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to `System`; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
            ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
            ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
            if new_size > layout.size() {
                ALLOCATED.fetch_add((new_size - layout.size()) as u64, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn live() -> i64 {
    LIVE.load(Ordering::SeqCst)
}

fn allocated() -> u64 {
    ALLOCATED.load(Ordering::SeqCst)
}

/// Per-client heap figures: bytes still held per client, bytes allocated per client while
/// building it.
struct PerClient {
    retained: f64,
    churn: f64,
}

/// Builds `n` clients with `build`, keeps them, and measures.
fn measure_build(
    n: usize,
    build: impl Fn() -> BenchResult<CoCartClient>,
) -> BenchResult<(PerClient, Vec<CoCartClient>)> {
    let mut clients = Vec::with_capacity(n);
    let (live0, alloc0) = (live(), allocated());
    for _ in 0..n {
        clients.push(build()?);
    }
    let per = PerClient {
        retained: (live() - live0) as f64 / n as f64,
        churn: (allocated() - alloc0) as f64 / n as f64,
    };
    Ok((per, clients))
}

fn kib(bytes: f64) -> String {
    format!("{:.1} KiB", bytes / 1024.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

async fn guest_add_item(http: &reqwest::Client, url: &str) -> BenchResult<String> {
    let resp = http
        .post(url)
        .json(&json!({"id": "101", "quantity": "1"}))
        .send()
        .await?;
    let status = resp.status();
    let body: Value = resp.json().await?;
    if !status.is_success() {
        return Err(fail(format!("guest add-item answered {status}")));
    }
    body.get("cart_key")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| fail("add-item answer has no cart_key"))
}

fn main() -> BenchResult {
    let carts = env_usize("BENCH_CARTS", 10_000);
    let n_clients = env_usize("BENCH_CLIENTS", 1000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    // --- the mock binary holding `carts` guest carts -------------------------------------------
    let mock = MockProcess::spawn(&[])?;
    let base = mock.base_url().to_string();
    std::thread::sleep(Duration::from_millis(300));
    let rss_start = proc_status_kib(mock.pid(), "VmRSS")?;
    let http = reqwest::Client::builder().build()?;
    let add_url = format!("{base}/wp-json/cocart/v2/cart/add-item");
    let keys: Vec<BenchResult<String>> = runtime.block_on(
        futures::stream::iter(0..carts)
            .map(|_| guest_add_item(&http, &add_url))
            .buffer_unordered(32)
            .collect(),
    );
    let mut distinct = HashSet::new();
    for key in keys {
        distinct.insert(key?);
    }
    if distinct.len() != carts {
        return Err(fail(format!(
            "expected {carts} distinct guest carts, got {}",
            distinct.len()
        )));
    }
    std::thread::sleep(Duration::from_millis(300));
    let rss_full = proc_status_kib(mock.pid(), "VmRSS")?;
    let hwm_full = proc_status_kib(mock.pid(), "VmHWM")?;
    eprintln!(
        "memory: cocart-mock RSS {} at start, {} with {carts} carts",
        mib(rss_start),
        mib(rss_full)
    );

    // --- idle clients ---------------------------------------------------------------------------
    // Built outside any runtime and on this one thread, so the counters see only the builds.
    let url = base.clone();
    let (own, own_clients) = measure_build(n_clients, || Ok(CoCartClient::builder(&url).build()?))?;
    drop(own_clients);
    let shared_http = sdk_like_http()?;
    let (shared, shared_clients) = measure_build(n_clients, || {
        Ok(CoCartClient::builder(&url)
            .http_client(shared_http.clone())
            .build()?)
    })?;
    // The auth-event channel (64 slots) is created by a client's first `subscribe()`.
    let live_before_subscribe = live();
    let subscriptions: Vec<_> = shared_clients.iter().map(|c| c.subscribe()).collect();
    let subscribed_extra = (live() - live_before_subscribe) as f64 / n_clients as f64;
    drop(subscriptions);
    // The same clients, signed in (tokens, user, claims), one login at a time on one connection.
    let live_before_login = live();
    runtime.block_on(async {
        for c in &shared_clients {
            c.login(USER, PASSWORD).await?;
        }
        BenchResult::Ok(())
    })?;
    let signed_in_extra = (live() - live_before_login) as f64 / n_clients as f64;
    drop(shared_clients);
    drop(mock);

    println!("## Memory\n");
    println!(
        "Method, server: the release `cocart-mock` binary on loopback; VmRSS from \
         `/proc/<pid>/status` 300 ms after start, then {carts} guest `POST /cart/add-item` calls \
         (one T-Shirt each, no cart key, 32 in flight; {carts} distinct cart keys came back and were \
         checked), then VmRSS again 300 ms later. The figure includes the journal (one entry per \
         request) and the guest sessions, as a long test run would hold them.\n"
    );
    println!("| cocart-mock | RSS |");
    println!("| --- | ---: |");
    println!("| right after start | {} |", mib(rss_start));
    println!(
        "| holding {carts} carts | {} (peak {}) |",
        mib(rss_full),
        mib(hwm_full)
    );
    println!(
        "| per cart | {:.2} KiB |",
        rss_full.saturating_sub(rss_start) as f64 / carts as f64
    );
    println!();
    println!(
        "Method, client: a counting global allocator in the bench binary; heap bytes still live \
         after building {n_clients} idle clients (kept in a Vec), divided by {n_clients}; \
         \"allocated while building\" counts every allocation made by the builds, freed or not.\n"
    );
    println!("| one idle `CoCartClient` | retained heap | allocated while building |");
    println!("| --- | ---: | ---: |");
    println!(
        "| `builder(url).build()` (its own `reqwest::Client`) | {} | {} |",
        kib(own.retained),
        kib(own.churn)
    );
    println!(
        "| `builder(url).http_client(shared).build()` (one `reqwest::Client` shared by all) | {} | {} |",
        kib(shared.retained),
        kib(shared.churn)
    );
    println!(
        "| …the same, after `login()` (token pair, user, claims) | {} (+{}) | — |",
        kib(shared.retained + signed_in_extra),
        kib(signed_in_extra)
    );
    println!(
        "| …the same, with one `subscribe()` (creates the auth-event channel: 64 slots of {} \
         bytes) | {} (+{}) | — |",
        std::mem::size_of::<cocart::AuthEvent>(),
        kib(shared.retained + subscribed_extra),
        kib(subscribed_extra)
    );
    println!();
    println!(
        "An idle client with a shared HTTP client holds its configuration, token store and \
         state; the auth-event channel is only created by the first `subscribe()`. A client \
         with its own `reqwest::Client` adds {} (the connector and rustls configuration).\n",
        kib(own.retained - shared.retained)
    );
    summary_row(
        &format!("`cocart-mock` RSS holding {carts} carts (at start)"),
        "steady state after filling the carts",
        "—",
        &format!("{} ({})", mib(rss_full), mib(rss_start)),
        "one run",
        "—",
    )?;
    summary_row(
        "One idle `CoCartClient`, retained heap (own / shared `reqwest::Client`)",
        "a built, unused client",
        "—",
        &format!("{} / {}", kib(own.retained), kib(shared.retained)),
        "one run",
        "—",
    )?;
    Ok(())
}
