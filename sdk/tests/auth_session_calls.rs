//! validate_token, logout and refresh_if_needed.

mod common;

use cocart::clock::OffsetClock;
use cocart::{AuthEvent, Error, SignOutReason, TokenStatus};
use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const VALIDATE: &str = "/wp-json/cocart/jwt/validate-token";

async fn signed_in(server: &wiremock::MockServer, clock: &OffsetClock) -> cocart::CoCartClient {
    mount_login(server, &jwt(now(), 3600, "a"), &refresh_token('a')).await;
    let client = client_with_clock(server, clock.clone());
    client.login("jane", PASSWORD).await.unwrap();
    client
}

#[tokio::test]
async fn validate_token_reports_valid_rejected_and_stripped() {
    let server = store().await;
    let client = signed_in(&server, &OffsetClock::new()).await;
    Mock::given(method("POST"))
        .and(path(VALIDATE))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"message": "Token is valid."})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    assert_eq!(client.validate_token().await.unwrap(), TokenStatus::Valid);
    let server2 = store().await;
    let client2 = signed_in(&server2, &OffsetClock::new()).await;
    Mock::given(method("POST"))
        .and(path(VALIDATE))
        .respond_with(auth_failed_403())
        .up_to_n_times(1)
        .mount(&server2)
        .await;
    assert_eq!(
        client2.validate_token().await.unwrap(),
        TokenStatus::Rejected
    );
    assert!(
        requests_to(&server2, "/wp-json/cocart/jwt/refresh-token")
            .await
            .is_empty(),
        "validate never refreshes"
    );
    Mock::given(method("POST"))
        .and(path(VALIDATE))
        .respond_with(wp_error(
            401,
            "rest_forbidden",
            "Sorry, you are not allowed to do that.",
        ))
        .mount(&server2)
        .await;
    let err = client2.validate_token().await.unwrap_err();
    assert!(
        matches!(err, Error::AuthorizationHeaderStripped { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn logout_clears_the_local_session_even_when_the_store_fails() {
    let server = store().await;
    let client = signed_in(&server, &OffsetClock::new()).await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/logout"))
        .respond_with(wp_error(503, "service_unavailable", "Maintenance."))
        .expect(1)
        .mount(&server)
        .await;
    let mut events = client.subscribe();
    let outcome = client.logout().await.unwrap();
    assert!(!outcome.server_confirmed);
    assert!(matches!(
        outcome.server_error,
        Some(Error::Server { status: 503, .. })
    ));
    assert!(!client.is_signed_in());
    assert!(client.current_user().is_none());
    assert!(matches!(
        events.recv().await,
        Some(AuthEvent::InitialSession { user: Some(_) })
    ));
    assert_eq!(
        events.recv().await,
        Some(AuthEvent::SignedOut {
            reason: SignOutReason::LoggedOut
        })
    );
    assert!(matches!(client.logout().await, Err(Error::NotSignedIn)));
}

#[tokio::test]
async fn refresh_if_needed_only_refreshes_inside_the_leeway() {
    let server = store().await;
    let clock = OffsetClock::new();
    let client = signed_in(&server, &clock).await;
    assert!(!client.refresh_if_needed().await.unwrap());
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/jwt/refresh-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token": jwt(now(), 3600, "b"), "refresh_token": refresh_token('b')}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    clock.advance(3400);
    assert!(client.refresh_if_needed().await.unwrap());
    assert!(!client.refresh_if_needed().await.unwrap());
}
