//! The SDK's token lifecycle against the real mock server (CoCart + JWT plugin emulator).

mod support;

use std::sync::Arc;
use std::time::Duration;

use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart::{AuthEvent, CoCartClient, Error, MemoryStore, SignOutReason};
use cocart_mock::{FaultKind, FaultSpec, HostProfile, MockServer, PluginVersion};
use support::*;

#[tokio::test]
async fn login_then_an_authenticated_call_reads_the_customer_cart() {
    let server = MockServer::start().await.unwrap();
    let clock = OffsetClock::new();
    let client = client(&server, &clock);
    let user = client.login(USER, PASSWORD).await.unwrap();
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.cart_key, user.id.to_string());
    let last = server.journal().pop().unwrap();
    assert_eq!(
        (last.path.as_str(), last.status, last.auth.as_str()),
        ("/wp-json/cocart/v2/cart", 200, "bearer")
    );
}

#[tokio::test]
async fn expiry_on_the_mock_clock_gives_exactly_one_proactive_refresh() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let clock = OffsetClock::new();
    let client = client(&server, &clock);
    client.login(USER, PASSWORD).await.unwrap();
    advance(&server, &clock, 3500); // inside the 5-minute leeway, still valid
    server.clear_journal();
    client.cart().get(&CartQuery::default()).await.unwrap();
    client.cart().get(&CartQuery::default()).await.unwrap();
    let journal = server.journal();
    let statuses: Vec<_> = journal
        .iter()
        .map(|e| (e.path.as_str(), e.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (REFRESH_PATH, 200),
            ("/wp-json/cocart/v2/cart", 200),
            ("/wp-json/cocart/v2/cart", 200)
        ],
        "proactive: the refresh comes first, no request is rejected"
    );
}

#[tokio::test]
async fn two_hundred_concurrent_calls_with_an_expired_token_make_one_refresh() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let clock = OffsetClock::new();
    let client = client(&server, &clock);
    client.login(USER, PASSWORD).await.unwrap();
    advance(&server, &clock, 7200);
    server.clear_journal();
    let calls = (0..200).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.cart().get(&CartQuery::default()).await })
    });
    let results = futures::future::join_all(calls).await;
    let ok = results
        .into_iter()
        .filter(|r| matches!(r, Ok(Ok(_))))
        .count();
    assert_eq!(ok, 200);
    assert_eq!(journal_for(&server, REFRESH_PATH).len(), 1);
}

#[tokio::test]
async fn a_rotated_refresh_token_is_never_sent_twice() {
    let server = MockServer::start().await.unwrap();
    let clock = OffsetClock::new();
    let client = client(&server, &clock);
    client.login(USER, PASSWORD).await.unwrap();
    for _ in 0..3 {
        client.refresh_now().await.unwrap();
    }
    client.cart().get(&CartQuery::default()).await.unwrap();
    let refreshes = journal_for(&server, REFRESH_PATH);
    assert_eq!(refreshes.len(), 3);
    assert!(
        refreshes.iter().all(|e| e.status == 200),
        "{refreshes:?}: a reused token would get 403"
    );
}

#[tokio::test]
async fn a_password_change_on_the_server_signs_the_user_out() {
    let server = MockServer::start().await.unwrap();
    let clock = OffsetClock::new();
    let client = client(&server, &clock);
    let user = client.login(USER, PASSWORD).await.unwrap();
    let mut events = client.subscribe();
    server
        .update_user(user.id, Some("a-new-password"), None)
        .unwrap();
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
    assert!(matches!(
        events.recv().await,
        Some(AuthEvent::InitialSession { user: Some(_) })
    ));
    assert_eq!(
        events.recv().await,
        Some(AuthEvent::SignedOut {
            reason: SignOutReason::RefreshTokenInvalid
        })
    );
}

#[tokio::test]
async fn a_phone_moving_to_another_network_refreshes_and_succeeds() {
    let server = MockServer::start().await.unwrap();
    let store = Arc::new(MemoryStore::new());
    let on_wifi = CoCartClient::builder(server.base_url())
        .http_client(http_from("198.51.100.7"))
        .session_store_arc(store.clone())
        .build()
        .unwrap();
    on_wifi.login(USER, PASSWORD).await.unwrap();
    on_wifi.cart().get(&CartQuery::default()).await.unwrap();
    // Same app, same stored session, now on cellular.
    let on_cellular = CoCartClient::builder(server.base_url())
        .http_client(http_from("203.0.113.40"))
        .session_store_arc(store.clone())
        .build()
        .unwrap();
    on_cellular.restore_session().await.unwrap();
    server.clear_journal();
    on_cellular.cart().get(&CartQuery::default()).await.unwrap();
    let seen = journal_paths(&server);
    assert_eq!(
        seen,
        vec![
            ("/wp-json/cocart/v2/cart".to_string(), 403),
            (REFRESH_PATH.to_string(), 200),
            ("/wp-json/cocart/v2/cart".to_string(), 200),
        ]
    );
}

#[tokio::test]
async fn a_host_that_strips_authorization_is_diagnosed() {
    let server = MockServer::builder()
        .host_profile(HostProfile::StripAuthorization)
        .start()
        .await
        .unwrap();
    let client = client(&server, &OffsetClock::new());
    let err = client.login(USER, PASSWORD).await.unwrap_err();
    assert!(
        matches!(err, Error::AuthorizationHeaderStripped { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_custom_header_profile_works_with_the_matching_client_option() {
    let server = MockServer::builder()
        .host_profile(HostProfile::CustomAuthHeader("X-CoCart-Auth".into()))
        .start()
        .await
        .unwrap();
    let client = CoCartClient::builder(server.base_url())
        .auth_header_name("X-CoCart-Auth")
        .build()
        .unwrap();
    let user = client.login(USER, PASSWORD).await.unwrap();
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.cart_key, user.id.to_string());
    assert_eq!(
        client.validate_token().await.unwrap(),
        cocart::TokenStatus::Valid
    );
    assert_eq!(server.journal().last().unwrap().auth, "bearer");
}

#[tokio::test]
async fn the_v2_plugin_profile_recovers_the_same_way_with_401s() {
    let server = MockServer::builder()
        .plugin(PluginVersion::V2)
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let client = client(&server, &OffsetClock::new());
    client.login(USER, PASSWORD).await.unwrap();
    // Only the server's clock moves: the client learns of the expiry from the store's answer.
    server.advance_clock(7200);
    server.clear_journal();
    client.cart().get(&CartQuery::default()).await.unwrap();
    let seen = journal_paths(&server);
    assert_eq!(
        seen,
        vec![
            ("/wp-json/cocart/v2/cart".to_string(), 401),
            (REFRESH_PATH.to_string(), 200),
            ("/wp-json/cocart/v2/cart".to_string(), 200),
        ]
    );
}

#[tokio::test]
async fn a_503_on_the_refresh_route_keeps_the_session() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let clock = OffsetClock::new();
    let client = client(&server, &clock);
    client.login(USER, PASSWORD).await.unwrap();
    server
        .add_fault(FaultSpec {
            path: REFRESH_PATH.into(),
            times: 1,
            kind: FaultKind::Status,
            status: Some(503),
            ms: None,
        })
        .unwrap();
    advance(&server, &clock, 7200);
    let err = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 503, .. }), "{err:?}");
    assert!(client.is_signed_in());
    tokio::time::sleep(Duration::from_millis(250)).await; // past the client's cooldown
    client.cart().get(&CartQuery::default()).await.unwrap();
    let refreshes: Vec<_> = journal_for(&server, REFRESH_PATH)
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(refreshes, vec![503, 200]);
}
