//! Shared helpers for the mock server's HTTP tests: start a server, a reqwest client with a fixed
//! User-Agent, Basic-auth login, JWT decoding and forging.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cocart_mock::{MockServer, config};
use hmac::{Hmac, Mac};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;
use sha2::Sha256;

/// The User-Agent every test client sends (tokens are bound to it).
pub const UA: &str = "cocart-mock-tests/1.0";
/// The secret of a default server.
pub const SECRET: &str = config::DEFAULT_SECRET;
/// The demo customer's id on a default server.
pub const DEMO_ID: u64 = 1;

/// A default server (v3, demo customer, secret set).
pub async fn server() -> MockServer {
    MockServer::start().await.expect("mock server starts")
}

/// A client that sends [`UA`] and never uses a proxy.
pub fn client() -> Client {
    Client::builder()
        .user_agent(UA)
        .no_proxy()
        .build()
        .expect("client builds")
}

/// A client that sends no User-Agent at all.
pub fn client_without_ua() -> Client {
    Client::builder().no_proxy().build().expect("client builds")
}

/// `base_url` + `path`.
pub fn url(server: &MockServer, path: &str) -> String {
    format!("{}{}", server.base_url(), path)
}

/// `Basic base64(user:pass)`.
pub fn basic(user: &str, pass: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{pass}")))
}

/// `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Status and JSON body of a response (`Value::Null` when the body is not JSON).
pub async fn json(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body reads");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A login result.
#[derive(Debug, Clone)]
pub struct Login {
    /// The whole response body.
    pub body: Value,
    /// `extras.jwt_token`.
    pub token: String,
    /// `extras.jwt_refresh`.
    pub refresh: String,
}

/// POST login with Basic credentials.
pub fn login_request(
    client: &Client,
    server: &MockServer,
    user: &str,
    pass: &str,
) -> RequestBuilder {
    client
        .post(url(server, "/wp-json/cocart/v2/login"))
        .header("Authorization", basic(user, pass))
}

/// Logs in with Basic credentials (optionally from a forwarded IP) and asserts 200.
pub async fn login_as(
    client: &Client,
    server: &MockServer,
    user: &str,
    pass: &str,
    ip: Option<&str>,
) -> Login {
    let mut req = login_request(client, server, user, pass);
    if let Some(ip) = ip {
        req = req.header("X-Forwarded-For", ip);
    }
    let (status, body) = json(req.send().await.expect("login sends")).await;
    assert_eq!(status, 200, "login failed: {body}");
    Login {
        token: body["extras"]["jwt_token"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        refresh: body["extras"]["jwt_refresh"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        body,
    }
}

/// Logs the demo customer in.
pub async fn login(client: &Client, server: &MockServer) -> Login {
    login_as(
        client,
        server,
        config::DEMO_USERNAME,
        config::DEMO_PASSWORD,
        None,
    )
    .await
}

/// POST validate-token with a Bearer (and optionally a forwarded IP).
pub async fn validate(
    client: &Client,
    server: &MockServer,
    token: &str,
    ip: Option<&str>,
) -> (u16, Value) {
    let mut req = client
        .post(url(server, "/wp-json/cocart/jwt/validate-token"))
        .header("Authorization", bearer(token));
    if let Some(ip) = ip {
        req = req.header("X-Forwarded-For", ip);
    }
    json(req.send().await.expect("validate sends")).await
}

/// POST refresh-token with a JSON body and no Authorization header.
pub async fn refresh(client: &Client, server: &MockServer, refresh_token: &str) -> (u16, Value) {
    let resp = client
        .post(url(server, "/wp-json/cocart/jwt/refresh-token"))
        .json(&serde_json::json!({"refresh_token": refresh_token}))
        .send()
        .await
        .expect("refresh sends");
    json(resp).await
}

/// Decodes a JWT part (base64url, unpadded) to bytes.
pub fn b64(part: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(part).expect("base64url part")
}

/// The decoded payload of a token.
pub fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("payload part");
    serde_json::from_slice(&b64(part)).expect("payload JSON")
}

/// Signs `header.payload` with HMAC-SHA256 and returns the full token.
pub fn sign(header_json: &str, payload_json: &str, secret: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(payload_json)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// Re-signs a token after changing its payload (standard HS256 header).
pub fn resign(token: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut p = payload(token);
    change(&mut p);
    sign(r#"{"alg":"HS256","typ":"JWT"}"#, &p.to_string(), SECRET)
}

/// Whether `s` is `n` lowercase hex characters.
pub fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The standard WordPress error envelope.
pub fn envelope(code: &str, message: &str, status: u16) -> Value {
    serde_json::json!({"code": code, "message": message, "data": {"status": status}})
}
