//! Mock-server throughput: starts the servers for `wrk` and keeps them up until SIGTERM/Ctrl-C.
//!
//! 1. `cocart_mock::MockServer` (in-process, release build) in three set-ups: fast paths on
//!    (`mock`, the default) and off (`plain`), both read by one customer with one token; and
//!    `cold`: fast paths off, `BENCH_COLD_CUSTOMERS` customers (default 1000) each with a token and
//!    a cart of their own, read in turn, so every request verifies a signature and renders a cart
//!    (`coldfast`: the same with fast paths on, for comparison);
//! 2. a `wiremock` server answering the `mock` body as a canned response (what teams write by
//!    hand), matching method, path and the exact `Authorization` header; and the same with
//!    `disable_request_recording()` (by default wiremock keeps every request it receives);
//! 3. a bare axum handler returning the same bytes after a `Bearer ` prefix check (the floor).
//!
//! `BENCH_ARM` (one of `mock`, `plain`, `cold`, `coldfast`, `wiremock`, `norec`, `floor`) starts
//! only what that arm needs (the `mock` server always: the others answer its body). It writes
//! into `$BENCH_OUT_DIR`: `servers.env` (the URLs and the body size) and one wrk script per mock
//! set-up, `<arm>.lua` (mode 0600, the tokens are printed nowhere): a fixed `Authorization:
//! Bearer …` and the User-Agent the tokens are bound to, or for the cold set-ups a `request()`
//! function taking the next token for every request. `scripts/bench.sh` runs wrk against each.
//!
//! With `BENCH_STARTUP=1` it instead measures start-up: `cocart_mock::MockServer::start()`
//! against `wiremock::MockServer::start()`, alternating, and prints a Markdown section.

mod common;

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use common::*;
use reqwest::header::{AUTHORIZATION, USER_AGENT};
use serde_json::json;

/// The User-Agent wrk sends; the token is bound to it.
const WRK_UA: &str = "wrk-bench/1.0";

async fn add_item(
    http: &reqwest::Client,
    base: &str,
    bearer: &reqwest::header::HeaderValue,
    body: serde_json::Value,
) -> BenchResult {
    let resp = http
        .post(format!("{base}/wp-json/cocart/v2/cart/add-item"))
        .header(USER_AGENT, WRK_UA)
        .header(AUTHORIZATION, bearer.clone())
        .json(&body)
        .send()
        .await?;
    if !resp.status().is_success() {
        return Err(fail(format!("add-item answered {}", resp.status())));
    }
    Ok(())
}

/// `GET` with the header wrk will send; returns the body.
async fn get_cart(
    http: &reqwest::Client,
    url: &str,
    bearer: &reqwest::header::HeaderValue,
) -> BenchResult<Vec<u8>> {
    let resp = http
        .get(url)
        .header(USER_AGENT, WRK_UA)
        .header(AUTHORIZATION, bearer.clone())
        .send()
        .await?;
    if !resp.status().is_success() {
        return Err(fail(format!("GET {url} answered {}", resp.status())));
    }
    Ok(resp.bytes().await?.to_vec())
}

fn write_private(path: &PathBuf, text: &str) -> BenchResult {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// A wiremock server answering `body` to `GET /cart` with exactly this `Authorization` header.
async fn start_wiremock(
    builder: wiremock::MockServerBuilder,
    authorization: &str,
    body: &[u8],
) -> (wiremock::MockServer, String) {
    let server = builder.start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(CART_PATH))
        .and(wiremock::matchers::header("authorization", authorization))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/json"),
        )
        .mount(&server)
        .await;
    let url = format!("{}{CART_PATH}", server.uri());
    (server, url)
}

async fn start_floor(body: Vec<u8>) -> BenchResult<String> {
    let body = axum::body::Bytes::from(body);
    let app = axum::Router::new().route(
        CART_PATH,
        axum::routing::get(move |headers: HeaderMap| {
            let body = body.clone();
            async move {
                let bearer = headers
                    .get(header::AUTHORIZATION)
                    .is_some_and(|v| v.as_bytes().starts_with(b"Bearer "));
                if bearer {
                    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("mock_throughput: the floor server stopped: {e}");
        }
    });
    Ok(format!("http://{addr}{CART_PATH}"))
}

/// Logs `user` in with Basic credentials; returns the token.
async fn login_as(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> BenchResult<String> {
    let resp = http
        .post(format!("{base}{LOGIN_PATH}"))
        .header(USER_AGENT, WRK_UA)
        .basic_auth(user, Some(password))
        .send()
        .await?;
    if !resp.status().is_success() {
        return Err(fail(format!("login of {user} answered {}", resp.status())));
    }
    let body: serde_json::Value = resp.json().await?;
    body.pointer("/extras/jwt_token")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| fail("login answer has no extras.jwt_token"))
}

/// A mock with `customers` customers, each signed in once and holding a cart of their own (one
/// to three lines, so the bodies differ); returns the server and the tokens.
async fn start_cold(
    http: &reqwest::Client,
    fast_paths: bool,
    customers: usize,
) -> BenchResult<(cocart_mock::MockServer, Vec<String>)> {
    let mock = cocart_mock::MockServer::builder()
        .fast_paths(fast_paths)
        .start()
        .await?;
    let base = mock.base_url().to_string();
    let mut tokens = Vec::with_capacity(customers);
    for i in 0..customers {
        let user = format!("cold{i}");
        let password = format!("cold-password-{i}");
        mock.create_user(&user, &format!("{user}@example.com"), &password)?;
        let token = login_as(http, &base, &user, &password).await?;
        let bearer = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))?;
        let lines = [("101", "1"), ("MOCK-MUG", "2"), ("103", "1")];
        for (id, qty) in lines.iter().take(1 + i % 3) {
            add_item(http, &base, &bearer, json!({"id": id, "quantity": qty})).await?;
        }
        tokens.push(token);
    }
    Ok((mock, tokens))
}

/// A wrk script sending the next of `tokens` with every request.
fn rotating_lua(tokens: &[String]) -> String {
    let list: Vec<String> = tokens.iter().map(|t| format!("  \"{t}\",")).collect();
    format!(
        "-- written by benches/mock_throughput.rs; holds mock tokens, deleted after the run\n\
         local tokens = {{\n{}\n}}\n\
         local i = 0\n\
         wrk.method = \"GET\"\n\
         wrk.headers[\"User-Agent\"] = \"{WRK_UA}\"\n\
         wrk.headers[\"Accept\"] = \"application/json\"\n\
         request = function()\n\
         \x20 i = i % #tokens + 1\n\
         \x20 wrk.headers[\"Authorization\"] = \"Bearer \" .. tokens[i]\n\
         \x20 return wrk.format()\n\
         end\n",
        list.join("\n")
    )
}

/// A wrk script sending `token` with every request.
fn fixed_lua(token: &str) -> String {
    format!(
        "-- written by benches/mock_throughput.rs; holds a mock token, deleted after the run\n\
         wrk.method = \"GET\"\n\
         wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n\
         wrk.headers[\"User-Agent\"] = \"{WRK_UA}\"\n\
         wrk.headers[\"Accept\"] = \"application/json\"\n"
    )
}

/// The median and 95th percentile of `samples`, in µs.
fn median_p95(samples: &mut [std::time::Duration]) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    (at(0.5), at(0.95))
}

/// Start-up of an embedded mock against `wiremock::MockServer::start()`: `BENCH_STARTUP_ITERS`
/// (default 200) starts of each, alternating, each server dropped before the next start; the
/// time of `start().await` alone, and of start plus one `GET` answered (ready to serve).
async fn startup() -> BenchResult {
    let iters = env_usize("BENCH_STARTUP_ITERS", 200);
    let http = reqwest::Client::builder().build()?;
    let mut mock_start = Vec::with_capacity(iters);
    let mut mock_ready = Vec::with_capacity(iters);
    let mut wire_start = Vec::with_capacity(iters);
    let mut wire_ready = Vec::with_capacity(iters);
    for _ in 0..iters {
        let t0 = std::time::Instant::now();
        let mock = cocart_mock::MockServer::start().await?;
        mock_start.push(t0.elapsed());
        let status = http
            .get(format!("{}/__mock/clock", mock.base_url()))
            .send()
            .await?
            .status();
        mock_ready.push(t0.elapsed());
        if !status.is_success() {
            return Err(fail(format!("the mock answered {status}")));
        }
        drop(mock);

        let t0 = std::time::Instant::now();
        let wire = wiremock::MockServer::start().await;
        wire_start.push(t0.elapsed());
        let status = http
            .get(format!("{}/anything", wire.uri()))
            .send()
            .await?
            .status();
        wire_ready.push(t0.elapsed());
        if status.as_u16() != 404 {
            return Err(fail(format!("wiremock answered {status}")));
        }
        drop(wire);
    }
    let (ms50, ms95) = median_p95(&mut mock_start);
    let (mr50, mr95) = median_p95(&mut mock_ready);
    let (ws50, ws95) = median_p95(&mut wire_start);
    let (wr50, wr95) = median_p95(&mut wire_ready);
    println!("## Start-up: embedded mock vs wiremock");
    println!();
    println!(
        "Method: the `mock_throughput` bench binary with `BENCH_STARTUP=1` (release build, \
         multi-thread tokio runtime) starts `cocart_mock::MockServer::start()` (default \
         configuration: demo customer, built-in catalogue, fast paths on) and \
         `wiremock::MockServer::start()` {iters} times each, alternating, dropping each server \
         before the next start. *start* = the time of `start().await`; *ready* = start plus \
         one `GET` answered over a new connection (`/__mock/clock` on the mock, an unmatched \
         path, 404, on wiremock). wiremock keeps a pool of started servers and hands a dropped \
         one out again, so after the first start it mostly resets a pooled server; the mock \
         binds a new port and seeds a new store every time (what a test suite starting one \
         per test gets from each)."
    );
    println!();
    println!("| server | start, median | start, p95 | ready, median | ready, p95 |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    println!(
        "| `cocart_mock::MockServer::start()` | {ms50:.0} µs | {ms95:.0} µs | {mr50:.0} µs | {mr95:.0} µs |"
    );
    println!(
        "| `wiremock::MockServer::start()` | {ws50:.0} µs | {ws95:.0} µs | {wr50:.0} µs | {wr95:.0} µs |"
    );
    println!();
    println!(
        "Ratio mock / wiremock (ready, median): {:.2}×.",
        if wr50 > 0.0 { mr50 / wr50 } else { 0.0 }
    );
    println!();
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    if std::env::var_os("BENCH_STARTUP").is_some_and(|v| v == "1") {
        return startup().await;
    }
    let out_dir = PathBuf::from(std::env::var_os("BENCH_OUT_DIR").ok_or_else(|| {
        fail("set BENCH_OUT_DIR to the directory for servers.env and the wrk scripts")
    })?);
    let arm = std::env::var("BENCH_ARM").unwrap_or_default();
    let wants = |name: &str| arm.is_empty() || arm == name;

    let mock = cocart_mock::MockServer::builder()
        .fast_paths(true)
        .start()
        .await?;
    let base = mock.base_url().to_string();
    let http = reqwest::Client::builder().build()?;
    let token = login(&http, &base, WRK_UA).await?;
    let bearer = token.bearer()?;
    add_item(&http, &base, &bearer, json!({"id": "101", "quantity": "2"})).await?;
    add_item(
        &http,
        &base,
        &bearer,
        json!({"id": "MOCK-MUG", "quantity": "1"}),
    )
    .await?;
    let mock_url = format!("{base}{CART_PATH}");
    let body = get_cart(&http, &mock_url, &bearer).await?;
    write_private(&out_dir.join("mock.lua"), &fixed_lua(token.expose()))?;
    let mut env = format!("MOCK_URL={mock_url}\nBODY_BYTES={}\n", body.len());
    // Every server started lives until the end of main (dropping one stops it).
    let mut mocks = Vec::new();
    let mut wiremocks = Vec::new();

    if wants("plain") {
        // The same customer and cart on a server with fast paths off.
        let plain = cocart_mock::MockServer::builder()
            .fast_paths(false)
            .start()
            .await?;
        let plain_base = plain.base_url().to_string();
        let plain_token = login(&http, &plain_base, WRK_UA).await?;
        let plain_bearer = plain_token.bearer()?;
        add_item(
            &http,
            &plain_base,
            &plain_bearer,
            json!({"id": "101", "quantity": "2"}),
        )
        .await?;
        add_item(
            &http,
            &plain_base,
            &plain_bearer,
            json!({"id": "MOCK-MUG", "quantity": "1"}),
        )
        .await?;
        let plain_url = format!("{plain_base}{CART_PATH}");
        let got = get_cart(&http, &plain_url, &plain_bearer).await?;
        if got.len() != body.len() {
            return Err(fail(
                "the mock without fast paths answers another body size",
            ));
        }
        write_private(&out_dir.join("plain.lua"), &fixed_lua(plain_token.expose()))?;
        env.push_str(&format!("MOCK_PLAIN_URL={plain_url}\n"));
        mocks.push(plain);
    }
    let customers = env_usize("BENCH_COLD_CUSTOMERS", 1000);
    for (name, fast_paths, var) in [
        ("cold", false, "MOCK_COLD_URL"),
        ("coldfast", true, "MOCK_COLDFAST_URL"),
    ] {
        if !wants(name) {
            continue;
        }
        let (cold, tokens) = start_cold(&http, fast_paths, customers).await?;
        write_private(&out_dir.join(format!("{name}.lua")), &rotating_lua(&tokens))?;
        env.push_str(&format!("{var}={}{CART_PATH}\n", cold.base_url()));
        mocks.push(cold);
    }
    env.push_str(&format!("COLD_CUSTOMERS={customers}\n"));

    let expected = format!("Bearer {}", token.expose());
    for (name, builder, var) in [
        ("wiremock", wiremock::MockServer::builder(), "WIREMOCK_URL"),
        (
            "norec",
            wiremock::MockServer::builder().disable_request_recording(),
            "WIREMOCK_NOREC_URL",
        ),
    ] {
        if !wants(name) {
            continue;
        }
        let (server, url) = start_wiremock(builder, &expected, &body).await;
        if get_cart(&http, &url, &bearer).await? != body {
            return Err(fail(format!("{url} does not answer the mock's body")));
        }
        env.push_str(&format!("{var}={url}\n"));
        wiremocks.push(server);
    }
    if wants("floor") {
        let floor_url = start_floor(body.clone()).await?;
        if get_cart(&http, &floor_url, &bearer).await? != body {
            return Err(fail(format!("{floor_url} does not answer the mock's body")));
        }
        env.push_str(&format!("FLOOR_URL={floor_url}\n"));
    }
    let again = get_cart(&http, &mock_url, &bearer).await?;
    if again.len() != body.len() {
        return Err(fail("the mock's cart body changed between reads"));
    }

    // servers.env last: the script waits for it.
    let tmp = out_dir.join("servers.env.tmp");
    write_private(&tmp, &env)?;
    std::fs::rename(&tmp, out_dir.join("servers.env"))?;
    eprintln!(
        "mock_throughput: ready (pid {}), arm {}, body {} bytes; waiting for SIGTERM",
        std::process::id(),
        if arm.is_empty() { "all" } else { &arm },
        body.len()
    );

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    drop(wiremocks);
    for m in mocks {
        m.shutdown().await;
    }
    mock.shutdown().await;
    Ok(())
}
