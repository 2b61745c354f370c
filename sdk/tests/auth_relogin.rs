//! A new login while a refresh of the previous session is still running: nothing of the old
//! session's refresh may reach the new session (regressions of two sequences that signed users
//! out or answered them with another session's error).

mod common;

use std::time::Duration;

use cocart::CoCartClient;
use common::*;
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REFRESH: &str = "/wp-json/cocart/jwt/refresh-token";

/// Answers the first login with session A and every later one with session B.
async fn mount_two_logins(server: &MockServer, a: &str, b: &str) {
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(login_body(a, &refresh_token('a'))))
        .up_to_n_times(1)
        .with_priority(1)
        .named("login A")
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(login_body(b, &refresh_token('b'))))
        .with_priority(2)
        .named("login B")
        .mount(server)
        .await;
}

async fn mount_refresh(server: &MockServer, from: char, answer: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path(REFRESH))
        .and(body_json(json!({"refresh_token": refresh_token(from)})))
        .respond_with(answer)
        .expect(times)
        .named(format!("refresh with {from}"))
        .mount(server)
        .await;
}

fn rotated(tag: &str, to: char, delay_ms: u64) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"token": jwt(now(), 3600, tag), "refresh_token": refresh_token(to)}))
        .set_delay(Duration::from_millis(delay_ms))
}

fn client_for(server: &MockServer) -> CoCartClient {
    CoCartClient::builder(server.uri())
        .refresh_cooldown(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_refresh_of_the_previous_session_never_breaks_the_new_sessions_single_flight() {
    let server = store().await;
    mount_two_logins(&server, &jwt(now(), 3600, "a"), &jwt(now(), 3600, "b")).await;
    // R1 (session A) is slow; R2 (session B) is slower and still running when R1 ends.
    mount_refresh(&server, 'a', rotated("a2", 'x', 300), 1).await;
    mount_refresh(&server, 'b', rotated("b2", 'c', 700), 1).await;
    let client = client_for(&server);

    client.login("jane", PASSWORD).await.unwrap();
    let r1 = tokio::spawn({
        let c = client.clone();
        async move { c.refresh_now().await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    client.login("jane", PASSWORD).await.unwrap();
    let r2 = tokio::spawn({
        let c = client.clone();
        async move { c.refresh_now().await }
    });
    r1.await
        .unwrap()
        .expect("R1's outcome is dropped, not an error");
    // R1 has ended and R2 is still in flight: a third caller must join R2.
    let r3 = client.refresh_now().await;
    r3.expect("R3 shares R2's outcome");
    r2.await.unwrap().unwrap();

    let sent_b = requests_to(&server, REFRESH)
        .await
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains(&refresh_token('b')))
        .count();
    assert_eq!(sent_b, 1, "session B's refresh token is sent once");
    assert!(client.is_signed_in());
    assert_eq!(
        client.token_claims().and_then(|c| c.pat).as_deref(),
        Some("pat_b2"),
        "the session holds B's rotated pair, never A's"
    );
}

#[tokio::test]
async fn a_transient_failure_of_the_previous_session_is_not_answered_to_the_new_one() {
    let server = store().await;
    mount_two_logins(&server, &jwt(now(), 3600, "a"), &jwt(now(), 3600, "b")).await;
    mount_refresh(
        &server,
        'a',
        wp_error(503, "internal_server_error", "busy").set_delay(Duration::from_millis(300)),
        1,
    )
    .await;
    mount_refresh(&server, 'b', rotated("b2", 'c', 0), 1).await;
    let client = client_for(&server);

    client.login("jane", PASSWORD).await.unwrap();
    let r1 = tokio::spawn({
        let c = client.clone();
        async move { c.refresh_now().await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    client.login("jane", PASSWORD).await.unwrap();
    // A's 503 arrives after B's login: it belongs to A, and A's caller gets no error either
    // (its session is gone; it goes on with the current one).
    r1.await
        .unwrap()
        .expect("a stale failure is not handed out");
    // B's refresh is sent, not answered from A's cooldown.
    client.refresh_now().await.expect("B refreshes");
    assert_eq!(
        client.token_claims().and_then(|c| c.pat).as_deref(),
        Some("pat_b2")
    );
}
