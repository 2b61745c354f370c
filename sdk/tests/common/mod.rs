//! Shared helpers for the wiremock tests: fake JWTs, a store server with a catch-all that fails
//! the test on any unexpected request, and canned CoCart answers.
#![allow(dead_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cocart::CoCartClient;
use cocart::clock::OffsetClock;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const PASSWORD: &str = "s3cret-Pa55word!";

/// A JWT-shaped token (the signature is fake: the client never verifies it).
pub fn jwt(iat: i64, lifetime: i64, tag: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(
        json!({
            "iss": "http://127.0.0.1",
            "iat": iat,
            "nbf": iat,
            "exp": iat + lifetime,
            "data": {"user": {"id": 7, "username": "jane", "ip": "127.0.0.1", "device": "", "pat": format!("pat_{tag}")}}
        })
        .to_string(),
    );
    format!(
        "{header}.{payload}.{}",
        URL_SAFE_NO_PAD.encode(format!("sig-{tag}"))
    )
}

pub fn refresh_token(tag: char) -> String {
    std::iter::repeat_n(tag, 128).collect()
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn login_body(token: &str, refresh: &str) -> Value {
    json!({
        "user_id": "7",
        "first_name": "Jane",
        "last_name": "Doe",
        "display_name": "jane",
        "role": "Customer",
        "avatar_urls": {"24": "https://x/a.png"},
        "email": "jane@example.com",
        "extras": {"jwt_token": token, "jwt_refresh": refresh},
        "dev_note": "Don't forget to store the users login information in order to authenticate all other routes with CoCart."
    })
}

pub fn wp_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"code": code, "message": message, "data": {"status": status}}))
}

pub fn auth_failed_403() -> ResponseTemplate {
    wp_error(403, "cocart_authentication_error", "Authentication failed.")
}

/// A wiremock server whose lowest-priority mock fails the test on any request nothing else
/// matched.
pub async fn store() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(wp_error(
            599,
            "unexpected_request",
            "no mock matched this request",
        ))
        .with_priority(u8::MAX)
        .expect(0)
        .named("catch-all: unexpected request")
        .mount(&server)
        .await;
    server
}

pub fn client(server: &MockServer) -> CoCartClient {
    CoCartClient::builder(server.uri()).build().unwrap()
}

pub fn client_with_clock(server: &MockServer, clock: OffsetClock) -> CoCartClient {
    CoCartClient::builder(server.uri())
        .clock(clock)
        .retry_base_delay(std::time::Duration::from_millis(1))
        .build()
        .unwrap()
}

/// Mounts a login answer with `token` and `refresh`.
pub async fn mount_login(server: &MockServer, token: &str, refresh: &str) {
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(login_body(token, refresh)))
        .named("login")
        .mount(server)
        .await;
}

pub fn empty_cart(key: &str) -> Value {
    json!({
        "cart_hash": "No items in cart so no hash",
        "cart_key": key,
        "currency": {"currency_code":"USD","currency_symbol":"$","currency_symbol_pos":"currency_prefix","currency_minor_unit":2,"currency_decimal_separator":".","currency_thousand_separator":",","currency_prefix":"$","currency_suffix":""},
        "customer": {"billing_address": [], "shipping_address": []},
        "items": [], "item_count": 0, "items_weight": "0", "coupons": [],
        "needs_payment": false, "needs_shipping": false, "shipping": [], "fees": [], "taxes": [],
        "totals": {"subtotal":"0","subtotal_tax":"0","fee_total":"0","fee_tax":"0","discount_total":"0","discount_tax":"0","shipping_total":"0","shipping_tax":"0","total":"0","total_tax":"0"},
        "removed_items": [], "cross_sells": [], "notices": []
    })
}

/// Requests the server received on `p`.
pub async fn requests_to(server: &MockServer, p: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

/// Fails when `text` contains any of `secrets`; the message names the secret's length only.
pub fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !text.contains(s),
            "{what} leaks a secret ({} chars): {text}",
            s.len()
        );
    }
}
