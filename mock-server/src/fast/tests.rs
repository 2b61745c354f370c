//! The switch: off really takes the plain path, on takes the fast paths, and both answer the
//! same. Also what the fast paths must survive that only the inside can do (a configuration
//! written directly), and `Debug` of the whole state.

use crate::MockServer;
use crate::config::{DEMO_PASSWORD, DEMO_USERNAME};
use base64::Engine;
use serde_json::Value;

const CART: &str = "/wp-json/cocart/v2/cart";
const UA: &str = "cocart-mock-unit/1.0";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(UA)
        .no_proxy()
        .build()
        .unwrap()
}

async fn login(c: &reqwest::Client, server: &MockServer) -> String {
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{DEMO_USERNAME}:{DEMO_PASSWORD}"));
    let resp = c
        .post(format!("{}/wp-json/cocart/v2/login", server.base_url()))
        .header("Authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["extras"]["jwt_token"].as_str().unwrap().to_string()
}

async fn get_cart(c: &reqwest::Client, server: &MockServer, token: &str) -> (u16, String) {
    let resp = c
        .get(format!("{}{CART}", server.base_url()))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn add(c: &reqwest::Client, server: &MockServer, token: &str) {
    let resp = c
        .post(format!("{}{CART}/add-item", server.base_url()))
        .header("Authorization", format!("Bearer {token}"))
        .json(&serde_json::json!({"id": "107", "quantity": "2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

/// Logs in, adds a line, reads the cart `reads` times on one connection; returns the bodies
/// (site URL replaced) and the counts (reused, plain authentications, renders) for the reads.
async fn reads(fast: bool, reads: usize) -> (Vec<String>, (u64, u64, u64)) {
    let server = MockServer::builder()
        .fast_paths(fast)
        .start()
        .await
        .unwrap();
    assert_eq!(server.fast_paths(), fast);
    let c = client();
    let token = login(&c, &server).await;
    add(&c, &server, &token).await;
    let before = server.shared().fast.counts.get();
    let mut bodies = Vec::new();
    for _ in 0..reads {
        let (status, body) = get_cart(&c, &server, &token).await;
        assert_eq!(status, 200, "{body}");
        // Images link to the site: the same body on any port.
        bodies.push(body.replace(server.base_url(), "SITE"));
    }
    let after = server.shared().fast.counts.get();
    assert_eq!(server.journal().len(), reads + 2);
    let counts = (after.0 - before.0, after.1 - before.1, after.2 - before.2);
    (bodies, counts)
}

#[tokio::test]
async fn off_takes_the_plain_path_on_every_request() {
    let (bodies, (reused, plain_auth, renders)) = reads(false, 5).await;
    assert_eq!(reused, 0, "no fast path taken with the switch off");
    assert_eq!(plain_auth, 5, "every read authenticated on the plain path");
    assert_eq!(renders, 5, "every read rendered afresh");
    assert!(bodies.iter().all(|b| b == &bodies[0]));
}

#[tokio::test]
async fn on_takes_the_fast_paths_and_answers_the_same() {
    let (on, (reused, plain_auth, renders)) = reads(true, 5).await;
    assert!(reused >= 5, "fast paths taken: {reused}");
    assert_eq!(plain_auth, 0);
    assert!(renders < 5, "the cart bytes were reused: {renders} renders");
    let (off, _) = reads(false, 5).await;
    // Both servers log the same demo customer in and add the same line.
    assert!(on == off, "the same answers with the switch on and off");
}

#[tokio::test]
async fn a_configuration_written_directly_is_seen_at_once_either_way() {
    for fast in [true, false] {
        let server = MockServer::builder()
            .fast_paths(fast)
            .start()
            .await
            .unwrap();
        let c = client();
        let token = login(&c, &server).await;
        for _ in 0..2 {
            assert_eq!(get_cart(&c, &server, &token).await.0, 200);
        }
        // Written straight into the configuration, bypassing the control: still seen at once.
        server.shared().world().config.secret = Some("written-directly".into());
        assert_eq!(get_cart(&c, &server, &token).await.0, 403);
        server.shared().world().config.secret = Some(crate::config::DEFAULT_SECRET.into());
        assert_eq!(get_cart(&c, &server, &token).await.0, 200);
        server.shared().world().config.secret = None;
        let (status, body) = get_cart(&c, &server, &token).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("cocart_jwt_auth_bad_config"), "{body}");
    }
}

#[tokio::test]
async fn debug_of_the_whole_state_never_shows_a_secret() {
    let server = MockServer::builder()
        .secret(Some("s3cr3t-key"))
        .user("dbg", "very-secret-password")
        .start()
        .await
        .unwrap();
    let c = client();
    let basic = base64::engine::general_purpose::STANDARD.encode("dbg:very-secret-password");
    let resp = c
        .post(format!("{}/wp-json/cocart/v2/login", server.base_url()))
        .header("Authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let token = body["extras"]["jwt_token"].as_str().unwrap().to_string();
    let refresh = body["extras"]["jwt_refresh"].as_str().unwrap().to_string();
    assert_eq!(get_cart(&c, &server, &token).await.0, 200);
    let by_query = c
        .post(format!("{}/wp-json/cocart/v2/login", server.base_url()))
        .query(&[("username", "dbg"), ("password", "very-secret-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(by_query.status(), 200);
    let dumped = format!("{:?}", server.shared());
    assert!(dumped.contains("dbg"), "the dump shows the state: {dumped}");
    for secret in [
        "very-secret-password",
        "s3cr3t-key",
        token.as_str(),
        refresh.as_str(),
    ] {
        assert!(!dumped.contains(secret), "Debug leaked a secret");
    }
}

#[test]
fn the_environment_variable_turns_the_switch_off_only_when_it_says_so() {
    assert!(crate::config::switch_value(None));
    for on in ["1", "true", "on", "", "yes"] {
        assert!(crate::config::switch_value(Some(on)), "{on:?}");
    }
    for off in ["0", "false", "OFF", " no ", "False"] {
        assert!(!crate::config::switch_value(Some(off)), "{off:?}");
    }
}
