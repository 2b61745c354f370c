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
