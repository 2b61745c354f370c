//! Login: the request we send and how every kind of answer is interpreted.

mod common;

use base64::Engine as _;
use cocart::{AuthEvent, CoCartClient, Error};
use common::*;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn login_sends_basic_auth_and_keeps_the_typed_user() {
    let server = store().await;
    let token = jwt(now(), 864_000, "a");
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("jane@example.com:{PASSWORD}"))
    );
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .and(header("authorization", basic.as_str()))
        .and(header("user-agent", cocart::DEFAULT_USER_AGENT))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(login_body(&token, &refresh_token('a'))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let mut events = client.subscribe();
    let user = client.login("jane@example.com", PASSWORD).await.unwrap();
    assert_eq!(user.id, 7);
    assert_eq!(user.display_name, "jane");
    assert_eq!(user.email, "jane@example.com");
    assert_eq!(user.role, "Customer");
    assert_eq!(user.username.as_deref(), Some("jane"));
    assert!(client.is_signed_in());
    let claims = client.token_claims().unwrap();
    assert_eq!(claims.lifetime_secs(), 864_000);
    assert_eq!(claims.pat.as_deref(), Some("pat_a"));
    assert_eq!(
        events.recv().await,
        Some(AuthEvent::InitialSession { user: None })
    );
    assert_eq!(events.recv().await, Some(AuthEvent::SignedIn { user }));
}

#[tokio::test]
async fn extras_as_an_empty_array_means_the_jwt_plugin_has_no_secret() {
    let server = store().await;
    let mut body = login_body("x", "y");
    body["extras"] = json!([]);
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let err = client(&server).login("jane", PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::JwtNotConfigured), "{err:?}");
    assert!(err.to_string().contains("COCART_JWT_AUTH_SECRET_KEY"));
}

#[tokio::test]
async fn a_wrong_password_is_invalid_credentials() {
    let server = store().await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(wp_error(
            401,
            "cocart_authentication_error",
            "The password you entered is incorrect.",
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    match client.login("jane", "wrong").await {
        Err(Error::InvalidCredentials { message }) => {
            assert_eq!(message, "The password you entered is incorrect.")
        }
        other => panic!("expected InvalidCredentials, got {other:?}"),
    }
    assert!(!client.is_signed_in());
}

#[tokio::test]
async fn a_guest_answer_to_a_credentialed_login_means_the_header_was_stripped() {
    let server = store().await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(wp_error(
            401,
            "cocart_rest_not_authorized",
            "Sorry, you are not authorized.",
        ))
        .mount(&server)
        .await;
    let err = client(&server).login("jane", PASSWORD).await.unwrap_err();
    assert!(
        matches!(err, Error::AuthorizationHeaderStripped { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("RewriteRule") && text.contains("auth_header_name"),
        "{text}"
    );
}

#[tokio::test]
async fn credentials_never_go_over_plain_http_to_a_remote_host() {
    // No server: nothing may be sent at all.
    let client = CoCartClient::builder("http://shop.example")
        .build()
        .unwrap();
    let err = client.login("jane", PASSWORD).await.unwrap_err();
    assert!(
        matches!(err, Error::InsecureTransport { ref host } if host == "shop.example"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_custom_auth_header_carries_basic_and_bearer() {
    let server = store().await;
    let token = jwt(now(), 864_000, "c");
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .and(wiremock::matchers::header_exists("x-cocart-auth"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(login_body(&token, &refresh_token('c'))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let bearer = format!("Bearer {token}");
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/cart"))
        .and(header("x-cocart-auth", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("7")))
        .expect(1)
        .mount(&server)
        .await;
    let client = CoCartClient::builder(server.uri())
        .auth_header_name("X-CoCart-Auth")
        .build()
        .unwrap();
    client.login("jane", PASSWORD).await.unwrap();
    client.cart().get(&Default::default()).await.unwrap();
    for r in server.received_requests().await.unwrap() {
        assert!(
            r.headers.get("authorization").is_none(),
            "Authorization must not be sent"
        );
    }
}
