//! `customer_only`: a client that acts for a customer never turns into a guest by itself.

mod common;

use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart::{CoCartClient, Error, SignOutReason};
use common::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REFRESH: &str = "/wp-json/cocart/jwt/refresh-token";
const CART: &str = "/wp-json/cocart/v2/cart";
const ATTRIBUTES: &str = "/wp-json/cocart/v2/products/attributes";

fn customer_only(server: &MockServer, clock: &OffsetClock, on: bool) -> CoCartClient {
    CoCartClient::builder(server.uri())
        .clock(clock.clone())
        .customer_only(on)
        .build()
        .unwrap()
}

/// Answers cart reads: the customer's with their token, a guest's without any.
async fn mount_carts(server: &MockServer, token: &str) {
    let bearer = format!("Bearer {token}");
    Mock::given(method("GET"))
        .and(path(CART))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("7")))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("t_guest")))
        .with_priority(2)
        .named("guest cart")
        .mount(server)
        .await;
}

async fn guest_cart_requests(server: &MockServer) -> usize {
    requests_to(server, CART)
        .await
        .iter()
        .filter(|r| r.headers.get("authorization").is_none())
        .count()
}

async fn refused_refresh(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .respond_with(wp_error(
            403,
            "cocart_authentication_error",
            "Invalid refresh token.",
        ))
        .mount(server)
        .await;
}

#[tokio::test]
async fn without_a_session_cart_calls_fail_typed_and_catalog_reads_stay_public() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(ATTRIBUTES))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let client = customer_only(&server, &OffsetClock::new(), true);
    let err = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(matches!(err, Error::SignedOut { reason: None }), "{err:?}");
    assert!(err.to_string().contains("log in again"), "{err}");
    assert!(
        requests_to(&server, CART).await.is_empty(),
        "nothing was sent"
    );
    assert!(client.catalog().attributes().await.unwrap().is_empty());
    assert!(client.cart_key().is_none());
}

#[tokio::test]
async fn after_the_store_ends_the_session_cart_calls_fail_with_its_reason_never_as_a_guest() {
    for on in [true, false] {
        let server = store().await;
        let clock = OffsetClock::new();
        let token = jwt(now(), 3600, "a");
        mount_login(&server, &token, &refresh_token('a')).await;
        mount_carts(&server, &token).await;
        refused_refresh(&server).await;
        let client = customer_only(&server, &clock, on);
        client.login("jane", PASSWORD).await.unwrap();
        client.cart().get(&CartQuery::default()).await.unwrap();
        clock.advance(7200);
        let ended = client.cart().get(&CartQuery::default()).await.unwrap_err();
        assert!(
            matches!(
                ended,
                Error::SessionExpired {
                    reason: SignOutReason::RefreshTokenInvalid
                }
            ),
            "{ended:?}"
        );
        let next = client.cart().get(&CartQuery::default()).await;
        if on {
            assert!(
                matches!(
                    &next,
                    Err(Error::SignedOut {
                        reason: Some(SignOutReason::RefreshTokenInvalid)
                    })
                ),
                "{next:?}"
            );
            assert_eq!(guest_cart_requests(&server).await, 0, "no guest cart");
            assert!(client.cart_key().is_none());
        } else {
            // The default: the next cart call is a guest's.
            assert!(next.is_ok(), "{next:?}");
            assert_eq!(guest_cart_requests(&server).await, 1);
        }
    }
}

#[tokio::test]
async fn a_logout_is_the_reason_and_a_new_login_serves_the_cart_again() {
    let server = store().await;
    let clock = OffsetClock::new();
    let token = jwt(now(), 3600, "a");
    mount_login(&server, &token, &refresh_token('a')).await;
    mount_carts(&server, &token).await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/logout"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!(true)))
        .mount(&server)
        .await;
    let client = customer_only(&server, &clock, true);
    client.login("jane", PASSWORD).await.unwrap();
    client.logout().await.unwrap();
    let err = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignedOut {
                reason: Some(SignOutReason::LoggedOut)
            }
        ),
        "{err:?}"
    );
    client.login("jane", PASSWORD).await.unwrap();
    client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(guest_cart_requests(&server).await, 0);
}
