//! Configurable behaviour: missing secret (item 30), rate limiting (item 31), the v2 plugin
//! profile (item 32), host profiles and client IP resolution.

mod common;

use cocart_mock::{ConfigPatch, HostProfile, MockServer, PluginVersion, config};
use common::*;
use serde_json::json;

fn bad_config() -> serde_json::Value {
    envelope(
        "cocart_jwt_auth_bad_config",
        "JWT configuration error.",
        403,
    )
}

#[tokio::test]
async fn jwt_30_without_a_secret_login_has_empty_extras_and_bearers_are_bad_config() {
    let server = MockServer::builder().secret(None).start().await.unwrap();
    let c = client();
    let resp = login_request(&c, &server, config::DEMO_USERNAME, config::DEMO_PASSWORD)
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    assert!(
        text.contains(r#""extras":[]"#),
        "extras must be a JSON array: {text}"
    );
    // Any JWT-shaped Bearer, even one signed with the old default secret.
    let with_secret = MockServer::start().await.unwrap();
    let foreign = login(&c, &with_secret).await;
    for token in [foreign.token.as_str(), "a.b.c"] {
        assert_eq!(
            validate(&c, &server, token, None).await,
            (403, bad_config())
        );
    }
    assert_eq!(
        refresh(&c, &server, &foreign.refresh).await,
        (403, bad_config())
    );
    let empty = c
        .post(url(&server, "/wp-json/cocart/jwt/refresh-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(empty).await,
        (403, bad_config()),
        "bad_config is checked first"
    );
}

#[tokio::test]
async fn jwt_30_removing_the_secret_at_runtime_breaks_issued_tokens() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let view = server.set_config(&ConfigPatch {
        secret: Some(None),
        ..ConfigPatch::default()
    });
    assert_eq!(view["secret"], serde_json::Value::Null);
    assert_eq!(
        validate(&c, &server, &session.token, None).await,
        (403, bad_config())
    );
}

#[tokio::test]
async fn jwt_31_rate_limiter_caps_refresh_at_10_and_validate_at_2_per_minute_per_ip() {
    let server = MockServer::builder()
        .rate_limit(true)
        .start()
        .await
        .unwrap();
    let c = client();
    let session = login(&c, &server).await;
    let endpoint = url(&server, "/wp-json/cocart/jwt/refresh-token");
    for i in 0..10 {
        let resp = c
            .post(&endpoint)
            .json(&json!({"refresh_token": "unknown"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "call {i} is admitted");
        assert_eq!(resp.headers()["x-ratelimit-limit"], "10");
        assert_eq!(
            resp.headers()["x-ratelimit-remaining"],
            (9 - i).to_string().as_str()
        );
    }
    let resp = c
        .post(&endpoint)
        .json(&json!({"refresh_token": session.refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let h = resp.headers().clone();
    assert_eq!(h["x-ratelimit-limit"], "10");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    let reset: i64 = h["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
    assert!(reset > server.now() && reset <= server.now() + 60);
    let retry: i64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(json(resp).await.1["code"], "rate_limit_exceeded");
    // Another IP has its own window; the window reopens after 60 s on the virtual clock.
    let other_ip = c
        .post(&endpoint)
        .header("X-Forwarded-For", "198.51.100.7")
        .json(&json!({"refresh_token": "unknown"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other_ip.status(), 403);
    server.advance_clock(61);
    assert_eq!(refresh(&c, &server, &session.refresh).await.0, 200);
    // validate-token: 2 per minute.
    let token = login(&c, &server).await.token;
    assert_eq!(validate(&c, &server, &token, None).await.0, 200);
    assert_eq!(validate(&c, &server, &token, None).await.0, 200);
    assert_eq!(validate(&c, &server, &token, None).await.0, 429);
}

#[tokio::test]
async fn jwt_31_no_rate_limit_by_default() {
    let server = server().await;
    let c = client();
    let token = login(&c, &server).await.token;
    for _ in 0..5 {
        assert_eq!(validate(&c, &server, &token, None).await.0, 200);
    }
    for _ in 0..12 {
        assert_eq!(refresh(&c, &server, "unknown").await.0, 403);
    }
}

#[tokio::test]
async fn jwt_32_v2_profile_answers_401_and_has_no_pat() {
    let server = MockServer::builder()
        .plugin(PluginVersion::V2)
        .start()
        .await
        .unwrap();
    let c = client();
    let session = login(&c, &server).await;
    let p = payload(&session.token);
    assert!(p["data"]["user"].get("pat").is_none());
    assert_eq!(
        p["exp"].as_i64().unwrap() - p["iat"].as_i64().unwrap(),
        864_000
    );
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 200);
    let tampered = resign(&session.token, |p| p["iss"] = json!("http://elsewhere"));
    assert_eq!(
        validate(&c, &server, &tampered, None).await,
        (
            401,
            envelope("cocart_authentication_error", "Authentication failed.", 401)
        )
    );
    assert_eq!(
        refresh(&c, &server, "unknown").await,
        (
            401,
            envelope("cocart_authentication_error", "Invalid refresh token.", 401)
        )
    );
    // v2.0–3.0.1: a missing refresh token is a PHP TypeError.
    assert_eq!(refresh(&c, &server, "").await.0, 500);
}

#[tokio::test]
async fn jwt_32_v2_profile_rotates_the_single_refresh_token_on_each_login() {
    let server = MockServer::builder()
        .plugin(PluginVersion::V2)
        .start()
        .await
        .unwrap();
    let c = client();
    let first = login(&c, &server).await;
    let second = login(&c, &server).await;
    assert_eq!(
        second.token, first.token,
        "v2 returns the stored token while it is valid"
    );
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(
        refresh(&c, &server, &first.refresh).await.1["message"],
        "Invalid refresh token."
    );
    let (status, body) = refresh(&c, &server, &second.refresh).await;
    assert_eq!(status, 200);
    assert_eq!(
        refresh(&c, &server, &second.refresh).await.0,
        401,
        "rotated"
    );
    // v2 refresh does not kill the old access token.
    assert_eq!(validate(&c, &server, &first.token, None).await.0, 200);
    assert_eq!(
        validate(&c, &server, body["token"].as_str().unwrap(), None)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn jwt_32_v2_profile_logout_does_not_kill_issued_access_tokens() {
    let server = MockServer::builder()
        .plugin(PluginVersion::V2)
        .start()
        .await
        .unwrap();
    let c = client();
    let session = login(&c, &server).await;
    let resp = c
        .post(url(&server, "/wp-json/cocart/v2/logout"))
        .header("Authorization", bearer(&session.token))
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await, (200, json!(true)));
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 200);
    assert_eq!(
        refresh(&c, &server, &session.refresh).await.0,
        401,
        "refresh meta is deleted"
    );
    // Expiry still applies.
    server.advance_clock(864_001);
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 401);
}

#[tokio::test]
async fn jwt_32_switching_plugin_generation_invalidates_every_token() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    server.set_config(&ConfigPatch {
        plugin: Some(PluginVersion::V2),
        ..ConfigPatch::default()
    });
    server.set_config(&ConfigPatch {
        plugin: Some(PluginVersion::V3),
        ..ConfigPatch::default()
    });
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 403);
    assert_eq!(refresh(&c, &server, &session.refresh).await.0, 403);
}

#[tokio::test]
async fn host_profile_strip_authorization_hides_the_header_from_the_app() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    server.set_config(&ConfigPatch {
        host_profile: Some(HostProfile::StripAuthorization),
        ..ConfigPatch::default()
    });
    let resp = login_request(&c, &server, config::DEMO_USERNAME, config::DEMO_PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await.1["code"], "cocart_rest_not_authorized");
    let tampered = resign(&session.token, |p| p["iss"] = json!("x"));
    for token in [&session.token, &tampered] {
        assert_eq!(
            validate(&c, &server, token, None).await.1["code"],
            "rest_forbidden"
        );
    }
    assert_eq!(server.journal().last().unwrap().auth, "none");
    // Body credentials still reach the app.
    let resp = c
        .post(url(&server, "/wp-json/cocart/v2/login"))
        .json(&json!({"username": config::DEMO_USERNAME, "password": config::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn host_profile_custom_auth_header_needs_the_full_scheme_and_yields_to_authorization() {
    let config = cocart_mock::MockConfig {
        host_profile: "custom-auth-header:X-CoCart-Auth".parse().unwrap(),
        ..Default::default()
    };
    let server = MockServer::start_with(config).await.unwrap();
    let c = client();
    let endpoint = url(&server, "/wp-json/cocart/v2/login");
    let resp = c
        .post(&endpoint)
        .header(
            "X-CoCart-Auth",
            basic(config::DEMO_USERNAME, config::DEMO_PASSWORD),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(status, 200);
    let token = body["extras"]["jwt_token"].as_str().unwrap().to_string();
    let validate_url = url(&server, "/wp-json/cocart/jwt/validate-token");
    let with = |name: &'static str, value: String| c.post(&validate_url).header(name, value);
    assert_eq!(
        with("X-CoCart-Auth", bearer(&token))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let bare = json(with("X-CoCart-Auth", token.clone()).send().await.unwrap()).await;
    assert_eq!(bare.1["code"], "rest_forbidden", "a bare token is ignored");
    // Authorization, when present, wins over the custom header.
    let both = c
        .post(&validate_url)
        .header("Authorization", "Bearer x.y.z")
        .header("X-CoCart-Auth", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(both.status(), 403);
}

#[tokio::test]
async fn client_ip_trusts_forwarded_for_only_from_loopback_peers() {
    let server = server().await;
    let c = client();
    let session = login_as(
        &c,
        &server,
        config::DEMO_USERNAME,
        config::DEMO_PASSWORD,
        Some("203.0.113.5, 10.0.0.1"),
    )
    .await;
    assert_eq!(
        payload(&session.token)["data"]["user"]["ip"],
        "203.0.113.5",
        "first entry"
    );
    let plain = login(&c, &server).await;
    assert_eq!(
        payload(&plain.token)["data"]["user"]["ip"],
        "127.0.0.1",
        "the TCP peer"
    );
}
