//! Token lifecycle: proactive and reactive refresh, single flight, and the failure policy.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cocart::clock::OffsetClock;
use cocart::models::{AddItem, CartQuery};
use cocart::{AuthEvent, Error, MemoryStore, SessionStore, SignOutReason};
use common::*;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REFRESH: &str = "/wp-json/cocart/jwt/refresh-token";
const CART: &str = "/wp-json/cocart/v2/cart";

async fn mount_refresh(server: &MockServer, from: char, to_token: &str, to: char, delay_ms: u64) {
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .and(body_json(json!({"refresh_token": refresh_token(from)})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token": to_token, "refresh_token": refresh_token(to)}))
                .set_delay(Duration::from_millis(delay_ms)),
        )
        .named(format!("refresh {from}->{to}"))
        .mount(server)
        .await;
}

async fn mount_cart_for(server: &MockServer, token: &str) {
    let bearer = format!("Bearer {token}");
    Mock::given(method("GET"))
        .and(path(CART))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("7")))
        .mount(server)
        .await;
}

async fn reject_token(server: &MockServer, token: &str, status: u16) {
    let bearer = format!("Bearer {token}");
    let template = if status == 403 {
        auth_failed_403()
    } else {
        wp_error(401, "cocart_authentication_error", "Authentication failed.")
    };
    Mock::given(wiremock::matchers::any())
        .and(header("authorization", bearer.as_str()))
        .respond_with(template)
        .with_priority(1)
        .mount(server)
        .await;
}

async fn signed_in(
    server: &MockServer,
    clock: &OffsetClock,
    lifetime: i64,
) -> (cocart::CoCartClient, String) {
    let token = jwt(now(), lifetime, "a");
    mount_login(server, &token, &refresh_token('a')).await;
    let client = client_with_clock(server, clock.clone());
    client.login("jane", PASSWORD).await.unwrap();
    (client, token)
}

fn refresh_bodies(reqs: &[wiremock::Request]) -> Vec<String> {
    reqs.iter()
        .map(|r| {
            assert!(
                r.headers.get("authorization").is_none(),
                "refresh must not carry Authorization"
            );
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["refresh_token"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_token_inside_the_leeway_is_refreshed_before_the_request() {
    let server = store().await;
    let clock = OffsetClock::new();
    let (client, _old) = signed_in(&server, &clock, 3600).await;
    let new = jwt(now(), 3600, "b");
    mount_refresh(&server, 'a', &new, 'b', 0).await;
    mount_cart_for(&server, &new).await;
    let mut events = client.subscribe();
    clock.advance(3600 - 200); // 200 s left < 300 s leeway
    client.cart().get(&CartQuery::default()).await.unwrap();
    let refreshes = requests_to(&server, REFRESH).await;
    assert_eq!(refresh_bodies(&refreshes), vec![refresh_token('a')]);
    assert!(matches!(
        events.recv().await,
        Some(AuthEvent::InitialSession { .. })
    ));
    assert_eq!(
        events.recv().await,
        Some(AuthEvent::TokenRefreshed { saved: true })
    );
}

#[tokio::test]
async fn short_tokens_use_half_their_lifetime_as_leeway() {
    let server = store().await;
    let clock = OffsetClock::new();
    let (client, old) = signed_in(&server, &clock, 100).await;
    mount_cart_for(&server, &old).await;
    clock.advance(40); // 60 s left: more than half the lifetime (50 s)
    client.cart().get(&CartQuery::default()).await.unwrap();
    assert!(requests_to(&server, REFRESH).await.is_empty());
    let new = jwt(now(), 100, "b");
    mount_refresh(&server, 'a', &new, 'b', 0).await;
    mount_cart_for(&server, &new).await;
    clock.advance(15); // 45 s left
    client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(requests_to(&server, REFRESH).await.len(), 1);
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_identical_write_resent() {
    for status in [403, 401] {
        let server = store().await;
        let clock = OffsetClock::new();
        let (client, old) = signed_in(&server, &clock, 864_000).await;
        reject_token(&server, &old, status).await;
        let new = jwt(now(), 864_000, "b");
        mount_refresh(&server, 'a', &new, 'b', 0).await;
        let bearer = format!("Bearer {new}");
        Mock::given(method("POST"))
            .and(path("/wp-json/cocart/v2/cart/add-item"))
            .and(header("authorization", bearer.as_str()))
            .and(body_json(json!({"id": "101", "quantity": "2"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("7")))
            .expect(1)
            .mount(&server)
            .await;
        client
            .cart()
            .add_item(AddItem::new(101u64).quantity(2u32))
            .await
            .unwrap_or_else(|e| panic!("status {status}: {e:?}"));
        let adds = requests_to(&server, "/wp-json/cocart/v2/cart/add-item").await;
        assert_eq!(adds.len(), 2, "status {status}: sent once, resent once");
        assert_eq!(adds[0].body, adds[1].body);
        assert_eq!(requests_to(&server, REFRESH).await.len(), 1);
    }
}

#[tokio::test]
async fn a_second_rejection_is_returned_not_looped() {
    let server = store().await;
    let clock = OffsetClock::new();
    let (client, old) = signed_in(&server, &clock, 864_000).await;
    let new = jwt(now(), 864_000, "b");
    reject_token(&server, &old, 403).await;
    reject_token(&server, &new, 403).await;
    mount_refresh(&server, 'a', &new, 'b', 0).await;
    let err = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(
        matches!(err, Error::TokenRejected(ref api) if api.status == 403),
        "{err:?}"
    );
    assert_eq!(requests_to(&server, REFRESH).await.len(), 1);
    assert_eq!(requests_to(&server, CART).await.len(), 2);
    assert!(
        client.is_signed_in(),
        "a rejection after a good refresh does not sign out"
    );
}

#[tokio::test]
async fn concurrent_callers_with_an_expired_token_share_one_refresh() {
    let server = store().await;
    let clock = OffsetClock::new();
    let (client, _old) = signed_in(&server, &clock, 3600).await;
    let new = jwt(now(), 3600, "b");
    mount_refresh(&server, 'a', &new, 'b', 300).await;
    mount_cart_for(&server, &new).await;
    clock.advance(7200);
    let calls = (0..100).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.cart().get(&CartQuery::default()).await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(requests_to(&server, REFRESH).await.len(), 1);
    assert_eq!(requests_to(&server, CART).await.len(), 100);
}

#[tokio::test]
async fn each_rotated_refresh_token_is_sent_exactly_once() {
    let server = store().await;
    let clock = OffsetClock::new();
    let (client, _) = signed_in(&server, &clock, 3600).await;
    let b = jwt(now(), 3600, "b");
    let c = jwt(now(), 3600, "c");
    mount_refresh(&server, 'a', &b, 'b', 0).await;
    mount_refresh(&server, 'b', &c, 'c', 0).await;
    mount_cart_for(&server, &c).await;
    client.refresh_now().await.unwrap();
    client.refresh_now().await.unwrap();
    client.cart().get(&CartQuery::default()).await.unwrap();
    let bodies = refresh_bodies(&requests_to(&server, REFRESH).await);
    assert_eq!(bodies, vec![refresh_token('a'), refresh_token('b')]);
}

#[tokio::test]
async fn a_rejected_refresh_token_ends_the_session() {
    let server = store().await;
    let clock = OffsetClock::new();
    let store_arc: Arc<MemoryStore> = Arc::new(MemoryStore::new());
    let token = jwt(now(), 3600, "a");
    mount_login(&server, &token, &refresh_token('a')).await;
    let client = cocart::CoCartClient::builder(server.uri())
        .clock(clock.clone())
        .session_store_arc(store_arc.clone())
        .build()
        .unwrap();
    client.login("jane", PASSWORD).await.unwrap();
    assert!(store_arc.load().await.unwrap().session().is_some());
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .respond_with(wp_error(
            403,
            "cocart_authentication_error",
            "Invalid refresh token.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut events = client.subscribe();
    clock.advance(7200);
    let err = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::SessionExpired {
                reason: SignOutReason::RefreshTokenInvalid
            }
        ),
        "{err:?}"
    );
    assert!(!client.is_signed_in());
    assert!(
        matches!(
            store_arc.load().await.unwrap(),
            cocart::Stored::Cleared { .. }
        ),
        "the store is cleared"
    );
    assert!(matches!(
        events.recv().await,
        Some(AuthEvent::InitialSession { .. })
    ));
    assert_eq!(
        events.recv().await,
        Some(AuthEvent::SignedOut {
            reason: SignOutReason::RefreshTokenInvalid
        })
    );
}

#[tokio::test]
async fn an_outage_on_the_refresh_route_keeps_the_session_and_cools_down() {
    let server = store().await;
    let clock = OffsetClock::new();
    let (client, _) = signed_in(&server, &clock, 3600).await;
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .respond_with(wp_error(
            503,
            "service_unavailable",
            "Down for maintenance.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    clock.advance(7200);
    let first = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(
        matches!(first, Error::Server { status: 503, .. }),
        "{first:?}"
    );
    assert!(first.is_transient());
    let second = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(
        matches!(second, Error::Server { status: 503, .. }),
        "{second:?}"
    );
    assert!(client.is_signed_in(), "a 5xx never signs out");
    assert_eq!(
        requests_to(&server, REFRESH).await.len(),
        1,
        "the cooldown stops a refresh storm"
    );
}

#[tokio::test]
async fn a_failed_proactive_refresh_keeps_using_a_token_that_still_works() {
    let server = store().await;
    let clock = OffsetClock::new();
    let (client, old) = signed_in(&server, &clock, 3600).await;
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"))
        .mount(&server)
        .await;
    mount_cart_for(&server, &old).await;
    clock.advance(3500);
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.cart_key, "7");
    assert_eq!(requests_to(&server, REFRESH).await.len(), 1);
}

#[tokio::test]
async fn a_rate_limited_refresh_honours_retry_after() {
    let server = store().await;
    let clock = OffsetClock::new();
    let (client, _) = signed_in(&server, &clock, 3600).await;
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .respond_with(
            wp_error(429, "rate_limit_exceeded", "Too many requests.")
                .insert_header("Retry-After", "30"),
        )
        .expect(1)
        .mount(&server)
        .await;
    clock.advance(7200);
    let err = client.refresh_now().await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(30)),
        "{err:?}"
    );
    // Still inside the Retry-After window: no second request.
    assert!(client.refresh_now().await.is_err());
    assert!(client.is_signed_in());
}
