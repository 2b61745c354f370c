//! How the request pipeline ends a store request, for each way it can end before or after the
//! handler: the status, CoCart's headers (`CoCart-Version`, `CoCart-Timestamp`,
//! `Cache-Control`, the rate-limit headers), `Content-Length`, and the journal entry (status,
//! credentials, user). Captured from the pipeline before it was split into parts.

mod common;

use cocart_mock::{FaultSpec, MockServer};
use common::*;
use reqwest::Response;

/// What a client sees of an answer, in one line.
fn seen(resp: &Response) -> String {
    let h = resp.headers();
    let has = |name: &str| if h.contains_key(name) { "yes" } else { "-" };
    format!(
        "{} version={} timestamp={} cache={} limit={} length={}",
        resp.status().as_u16(),
        has("cocart-version"),
        has("cocart-timestamp"),
        h.get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-"),
        h.get("x-ratelimit-limit")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-"),
        has("content-length"),
    )
}

/// The server's last journal entry, in one line.
fn journaled(server: &MockServer) -> String {
    let e = server.journal().last().cloned().expect("a journal entry");
    let user = e.user_id.map_or("-".to_string(), |u| u.to_string());
    format!("{} {} user={user}", e.status, e.auth)
}

#[tokio::test]
async fn each_ending_sends_its_headers_and_journals_its_credentials() {
    let server = MockServer::builder()
        .rate_limit(true)
        .start()
        .await
        .expect("mock server starts");
    let c = client();
    let session = login(&c, &server).await;
    let cart = url(&server, "/wp-json/cocart/v2/cart");
    let mut got = Vec::new();

    // Handled: an authenticated cart read.
    let resp = c
        .get(&cart)
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    got.push(format!("handled: {} | {}", seen(&resp), journaled(&server)));

    // Refused by authentication: a token that does not verify.
    let resp = c.get(&cart).bearer_auth("x.y.z").send().await.unwrap();
    got.push(format!(
        "auth error: {} | {}",
        seen(&resp),
        journaled(&server)
    ));

    // A scheduled critical error, credentials valid.
    server
        .add_fault(FaultSpec::status("/wp-json/cocart/v2/cart", 503, 1))
        .unwrap();
    let resp = c
        .get(&cart)
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    got.push(format!(
        "status fault: {} | {}",
        seen(&resp),
        journaled(&server)
    ));

    // The body over the limit, credentials valid.
    let big = "x".repeat(cocart_mock::MAX_BODY_BYTES + 1);
    let resp = c
        .post(url(&server, "/wp-json/cocart/v2/cart/add-item"))
        .bearer_auth(&session.token)
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    got.push(format!(
        "too large: {} | {}",
        seen(&resp),
        journaled(&server)
    ));

    // The rate limiter: validate-token admits two a minute.
    let validate = url(&server, "/wp-json/cocart/jwt/validate-token");
    for _ in 0..2 {
        c.post(&validate)
            .bearer_auth(&session.token)
            .send()
            .await
            .unwrap();
    }
    let resp = c
        .post(&validate)
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    got.push(format!(
        "rate limited: {} | {}",
        seen(&resp),
        journaled(&server)
    ));

    // A delay takes one fault: the status fault queued behind it stays for the next request.
    server
        .add_fault(FaultSpec::delay("/wp-json/cocart/v2/cart", 10, 1))
        .unwrap();
    server
        .add_fault(FaultSpec::status("/wp-json/cocart/v2/cart", 502, 1))
        .unwrap();
    for _ in 0..2 {
        let resp = c
            .get(&cart)
            .bearer_auth(&session.token)
            .send()
            .await
            .unwrap();
        got.push(format!(
            "delay then status: {} | {}",
            seen(&resp),
            journaled(&server)
        ));
    }

    // Outside the REST API: not journaled, no CoCart headers.
    let before = server.journal().len();
    let resp = c.get(url(&server, "/__mock/clock")).send().await.unwrap();
    got.push(format!(
        "mock control: {} | new entries {}",
        seen(&resp),
        server.journal().len() - before
    ));

    let no_cache = "no-cache, must-revalidate, max-age=0, no-store, private";
    let want = [
        format!("handled: 200 version=yes timestamp=yes cache={no_cache} limit=- length=yes | 200 bearer user=1"),
        "auth error: 403 version=yes timestamp=yes cache=- limit=- length=yes | 403 bearer user=-".into(),
        "status fault: 503 version=yes timestamp=yes cache=- limit=- length=yes | 503 bearer user=-".into(),
        "too large: 413 version=- timestamp=- cache=- limit=- length=yes | 413 none user=-".into(),
        "rate limited: 429 version=yes timestamp=yes cache=- limit=2 length=yes | 429 bearer user=-".into(),
        format!("delay then status: 200 version=yes timestamp=yes cache={no_cache} limit=- length=yes | 200 bearer user=1"),
        "delay then status: 502 version=yes timestamp=yes cache=- limit=- length=yes | 502 bearer user=-".into(),
        "mock control: 200 version=- timestamp=- cache=- limit=- length=yes | new entries 0".into(),
    ];
    assert_eq!(got, want);
}
