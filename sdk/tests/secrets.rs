//! Secrets never show in errors: not in `Debug` or `Display`, even when an auth route answers
//! something unexpected. (The tracing check lives in `secrets_tracing.rs`.)

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn errors_from_auth_routes_never_carry_the_body() {
    let server = store().await;
    let leaked = "leaky-token-value-0123456789";
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "user_id": "7", "extras": {"jwt_token": leaked, "jwt_refresh": leaked}
        })))
        .mount(&server)
        .await;
    let err = client(&server).login("jane", PASSWORD).await.unwrap_err();
    assert!(
        matches!(err, cocart::Error::InvalidResponse { .. }),
        "{err:?}"
    );
    assert_clean("error Debug", &format!("{err:?}"), &[leaked, PASSWORD]);
    assert_clean("error Display", &err.to_string(), &[leaked, PASSWORD]);

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
    let err = client(&server).login("jane", PASSWORD).await.unwrap_err();
    assert_clean("credentials error", &format!("{err:?} {err}"), &[PASSWORD]);
}

/// A store (or a proxy, or a security plugin) that repeats what it received: the login's
/// password, the refresh token, the Bearer token. None of it reaches an error or an event.
#[tokio::test]
async fn secrets_a_store_echoes_are_scrubbed_from_login_refresh_and_cart_errors() {
    use base64::Engine as _;
    use cocart::clock::OffsetClock;
    use cocart::models::CartQuery;

    let basic = base64::engine::general_purpose::STANDARD.encode(format!("jane:{PASSWORD}"));
    let server = store().await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(wp_error(
            401,
            "cocart_authentication_error",
            &format!("Wrong password '{PASSWORD}' for this account (Basic {basic})"),
        ))
        .mount(&server)
        .await;
    let err = client(&server).login("jane", PASSWORD).await.unwrap_err();
    assert!(
        matches!(&err, cocart::Error::InvalidCredentials { message } if message.contains("[redacted]")),
        "{err:?}"
    );
    assert_clean(
        "login error",
        &format!("{err:?} {err}"),
        &[PASSWORD, &basic],
    );

    // Refresh and cart calls: the store echoes the refresh token and the Bearer token.
    let server = store().await;
    let clock = OffsetClock::new();
    let token = jwt(now(), 3600, "a");
    let refresh = refresh_token('a');
    mount_login(&server, &token, &refresh).await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/jwt/refresh-token"))
        .respond_with(wp_error(
            400,
            "rest_invalid_param",
            &format!("refresh_token {refresh} is malformed"),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/cart"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "cocart_bad_request",
            "message": format!("rejected header Bearer {token}"),
            "data": {"status": 400, "seen": {"authorization": format!("Bearer {token}")}}
        })))
        .mount(&server)
        .await;
    let client = client_with_clock(&server, clock.clone());
    let mut events = client.subscribe();
    client.login("jane", PASSWORD).await.unwrap();
    let err = client.refresh_now().await.unwrap_err();
    assert!(format!("{err}").contains("[redacted]"), "{err}");
    assert_clean("refresh error", &format!("{err:?} {err}"), &[&refresh]);
    let err = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(format!("{err}").contains("[redacted]"), "{err}");
    assert_clean("cart error", &format!("{err:?} {err}"), &[&token]);
    while let Ok(Some(event)) =
        tokio::time::timeout(std::time::Duration::from_millis(50), events.recv()).await
    {
        assert_clean(
            "event",
            &format!("{event:?}"),
            &[&token, &refresh, PASSWORD],
        );
    }
}
