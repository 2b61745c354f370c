//! Secrets never show in `Debug` of the client or the session, nor in the tracing output (at
//! TRACE level) of a login → refresh → logout.
//!
//! This test has a binary of its own: `tracing` caches per-callsite interest process-wide, so a
//! test without a subscriber running in parallel could disable the spans this one captures.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart::{CoCartClient, MemoryStore, SessionStore};
use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_in_debug_errors_or_traces_of_a_full_session() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = store().await;
    let old = jwt(now(), 3600, "old");
    let new = jwt(now(), 3600, "new");
    let (r_old, r_new) = (refresh_token('a'), refresh_token('b'));
    mount_login(&server, &old, &r_old).await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/jwt/refresh-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"token": new, "refresh_token": r_new})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/cart"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("7")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/logout"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(true)))
        .mount(&server)
        .await;

    let clock = OffsetClock::new();
    let store = Arc::new(MemoryStore::new());
    let client = CoCartClient::builder(server.uri())
        .clock(clock.clone())
        .session_store_arc(store.clone())
        .build()
        .unwrap();
    let secrets = [
        PASSWORD,
        old.as_str(),
        new.as_str(),
        r_old.as_str(),
        r_new.as_str(),
    ];

    client.login("jane", PASSWORD).await.unwrap();
    assert_clean("client Debug", &format!("{client:?}"), &secrets);
    let session = store.load().await.unwrap().session().cloned().unwrap();
    assert_clean("stored session Debug", &format!("{session:?}"), &secrets);
    clock.advance(7200);
    client.cart().get(&CartQuery::default()).await.unwrap();
    let session = store.load().await.unwrap().session().cloned().unwrap();
    assert_clean("rotated session Debug", &format!("{session:?}"), &secrets);
    let outcome = client.logout().await.unwrap();
    assert!(outcome.server_confirmed);
    assert_clean("logout outcome Debug", &format!("{outcome:?}"), &secrets);

    let traces = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        traces.contains("cocart.http"),
        "the request spans are traced"
    );
    assert!(
        traces.contains("refresh-token"),
        "the refresh request is traced"
    );
    assert_clean("tracing output", &traces, &secrets);
}
