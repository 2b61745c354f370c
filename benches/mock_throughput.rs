//! Mock-server throughput: starts four servers for `wrk` and keeps them up until SIGTERM/Ctrl-C.
//!
//! 1. the spec-faithful `cocart_mock::MockServer` (in-process, release build);
//! 2. a `wiremock` server answering the same bytes as a canned response (what teams write by
//!    hand), matching method, path and the exact `Authorization` header; and the same with
//!    `disable_request_recording()` (by default wiremock keeps every request it receives);
//! 3. a bare axum handler returning the same bytes after a `Bearer ` prefix check (the floor).
//!
//! It logs in to the mock, fills the customer cart (~2 KB body), and writes into
//! `$BENCH_OUT_DIR`: `servers.env` (the four URLs and the body size) and `auth.lua` (a wrk
//! script setting `Authorization: Bearer …` and the User-Agent the token is bound to; mode 0600,
//! the token is printed nowhere). `scripts/bench.sh` runs wrk against each in turn.

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

#[tokio::main]
async fn main() -> BenchResult {
    let out_dir =
        PathBuf::from(std::env::var_os("BENCH_OUT_DIR").ok_or_else(|| {
            fail("set BENCH_OUT_DIR to the directory for servers.env and auth.lua")
        })?);

    let mock = cocart_mock::MockServer::start().await?;
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

    let expected = format!("Bearer {}", token.expose());
    // Both wiremock servers live until the end of main (dropping one stops it).
    let (_wiremock, wiremock_url) =
        start_wiremock(wiremock::MockServer::builder(), &expected, &body).await;
    let (_wiremock_norec, norec_url) = start_wiremock(
        wiremock::MockServer::builder().disable_request_recording(),
        &expected,
        &body,
    )
    .await;
    let floor_url = start_floor(body.clone()).await?;

    // All answer the same bytes to the request wrk will send.
    for url in [&wiremock_url, &norec_url, &floor_url] {
        let got = get_cart(&http, url, &bearer).await?;
        if got != body {
            return Err(fail(format!("{url} does not answer the mock's body")));
        }
    }
    let again = get_cart(&http, &mock_url, &bearer).await?;
    if again.len() != body.len() {
        return Err(fail("the mock's cart body changed between reads"));
    }

    let lua = format!(
        "-- written by benches/mock_throughput.rs; holds a mock token, deleted after the run\n\
         wrk.method = \"GET\"\n\
         wrk.headers[\"Authorization\"] = \"Bearer {}\"\n\
         wrk.headers[\"User-Agent\"] = \"{WRK_UA}\"\n\
         wrk.headers[\"Accept\"] = \"application/json\"\n",
        token.expose()
    );
    write_private(&out_dir.join("auth.lua"), &lua)?;
    let env = format!(
        "MOCK_URL={mock_url}\nWIREMOCK_URL={wiremock_url}\nWIREMOCK_NOREC_URL={norec_url}\n\
         FLOOR_URL={floor_url}\nBODY_BYTES={}\n",
        body.len()
    );
    // servers.env last: the script waits for it.
    let tmp = out_dir.join("servers.env.tmp");
    write_private(&tmp, &env)?;
    std::fs::rename(&tmp, out_dir.join("servers.env"))?;
    eprintln!(
        "mock_throughput: ready (pid {}), body {} bytes; waiting for SIGTERM",
        std::process::id(),
        body.len()
    );

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    mock.shutdown().await;
    Ok(())
}
