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
