//! No credentials follow a redirect: a store (or a proxy in front of it) that answers a request
//! with a cross-host 302 never gets the token sent on, whatever header carries it.

mod common;

use cocart::models::CartQuery;
use cocart::{CoCartClient, Error};
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const HEADER: &str = "X-CoCart-Auth";

async fn redirecting_store(to: &MockServer) -> MockServer {
    let server = store().await;
    mount_login(&server, &jwt(now(), 3600, "a"), &refresh_token('a')).await;
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/cart"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}/collect", to.uri()).as_str()),
        )
        .mount(&server)
        .await;
    server
}

/// Another host, which must never see a request carrying the token.
async fn elsewhere() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .named("the redirect target")
        .mount(&server)
        .await;
    server
}

async fn leaked(target: &MockServer) -> usize {
    target
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.headers.contains_key(HEADER) || r.headers.contains_key("authorization"))
        .count()
}

#[tokio::test]
async fn a_cross_host_redirect_gets_no_token_in_a_custom_header() {
    let target = elsewhere().await;
    let server = redirecting_store(&target).await;
    let client = CoCartClient::builder(server.uri())
        .auth_header_name(HEADER)
        .build()
        .unwrap();
    client.login("jane", PASSWORD).await.unwrap();
    let err = client.cart().get(&CartQuery::default()).await.unwrap_err();
    match err {
        Error::CredentialsRedirected { to } => assert_eq!(to, target.uri()),
        other => panic!("expected CredentialsRedirected, got {other:?}"),
    }
    assert!(
        target
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "nothing reached the other host"
    );
    assert!(client.is_signed_in(), "the session is kept");
}

#[tokio::test]
async fn an_injected_client_that_follows_redirects_gets_a_typed_refusal() {
    let target = elsewhere().await;
    let server = redirecting_store(&target).await;
    // A client built without `redirect(Policy::none())`, against the documented advice.
    let following = reqwest::Client::builder().build().unwrap();
    let client = CoCartClient::builder(server.uri())
        .auth_header_name(HEADER)
        .http_client(following)
        .build()
        .unwrap();
    client.login("jane", PASSWORD).await.unwrap();
    let err = client.cart().get(&CartQuery::default()).await.unwrap_err();
    assert!(
        matches!(&err, Error::CredentialsRedirected { to } if *to == target.uri()),
        "{err:?}"
    );
    // reqwest followed it: this is why an injected client must not follow redirects.
    assert_eq!(leaked(&target).await, 1);
}

#[tokio::test]
async fn a_redirected_login_sends_the_password_nowhere_else() {
    let target = elsewhere().await;
    let server = store().await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("Location", format!("{}/login", target.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let client = CoCartClient::builder(server.uri())
        .auth_header_name(HEADER)
        .build()
        .unwrap();
    let err = client.login("jane", PASSWORD).await.unwrap_err();
    assert!(
        matches!(err, Error::CredentialsRedirected { .. }),
        "{err:?}"
    );
    assert_eq!(leaked(&target).await, 0);
}
