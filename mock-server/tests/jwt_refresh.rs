//! `POST /wp-json/cocart/jwt/refresh-token` over HTTP: rotation, reuse, expiry, errors.

mod common;

use cocart_mock::config;
use common::*;
use serde_json::json;

fn invalid_refresh() -> serde_json::Value {
    envelope("cocart_authentication_error", "Invalid refresh token.", 403)
}

#[tokio::test]
async fn jwt_19_refresh_with_a_json_body_returns_a_new_pair_and_a_new_session() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let resp = c
        .post(url(&server, "/wp-json/cocart/jwt/refresh-token"))
        .json(&json!({"refresh_token": session.refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers().get("cache-control").unwrap(),
        "no-cache, no-store, must-revalidate, max-age=0, private"
    );
    let (status, body) = json(resp).await;
    assert_eq!(status, 200, "{body}");
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["token", "refresh_token"]);
    let token = body["token"].as_str().unwrap();
    let new_refresh = body["refresh_token"].as_str().unwrap();
    assert_ne!(token, session.token);
    assert_ne!(new_refresh, session.refresh);
    assert!(is_hex(new_refresh, 128));
    assert_ne!(
        payload(token)["data"]["user"]["pat"],
        payload(&session.token)["data"]["user"]["pat"]
    );
    assert_eq!(validate(&c, &server, token, None).await.0, 200);
    let entry = &server.journal()[1];
    assert_eq!(entry.path, "/wp-json/cocart/jwt/refresh-token");
    assert_eq!(entry.auth, "none", "refresh sent no credentials");
}

#[tokio::test]
async fn jwt_20_the_rotated_refresh_token_is_invalid() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    assert_eq!(refresh(&c, &server, &session.refresh).await.0, 200);
    assert_eq!(
        refresh(&c, &server, &session.refresh).await,
        (403, invalid_refresh())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_20_concurrent_refreshes_with_one_token_have_exactly_one_winner() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (c, endpoint, token) = (
            c.clone(),
            url(&server, "/wp-json/cocart/jwt/refresh-token"),
            session.refresh.clone(),
        );
        tasks.spawn(async move {
            json(
                c.post(endpoint)
                    .json(&json!({"refresh_token": token}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        });
    }
    let results = tasks.join_all().await;
    let winners: Vec<_> = results.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
        assert_eq!((*status, body.clone()), (403, invalid_refresh()));
    }
    let token = winners[0].1["token"].as_str().unwrap();
    assert_eq!(validate(&c, &server, token, None).await.0, 200);
}

#[tokio::test]
async fn jwt_21_rotation_kills_the_old_access_token_but_not_other_sessions() {
    let server = server().await;
    let c = client();
    let a = login(&c, &server).await;
    let b = login(&c, &server).await;
    assert_eq!(refresh(&c, &server, &a.refresh).await.0, 200);
    assert_eq!(
        validate(&c, &server, &a.token, None).await,
        (
            403,
            envelope("cocart_authentication_error", "Authentication failed.", 403)
        )
    );
    let cart = c
        .get(url(&server, "/wp-json/cocart/v2/cart"))
        .header("Authorization", bearer(&a.token))
        .send()
        .await
        .unwrap();
    assert_eq!(cart.status(), 403);
    assert_eq!(validate(&c, &server, &b.token, None).await.0, 200);
    assert_eq!(refresh(&c, &server, &b.refresh).await.0, 200);
}

#[tokio::test]
async fn jwt_22_missing_or_empty_refresh_token_is_403_missing_refresh_token() {
    let server = server().await;
    let c = client();
    let expected = envelope(
        "cocart_jwt_auth_missing_refresh_token",
        "Refresh token is required.",
        403,
    );
    for body in [
        json!({}),
        json!({"refresh_token": ""}),
        json!({"refresh_token": null}),
    ] {
        let resp = c
            .post(url(&server, "/wp-json/cocart/jwt/refresh-token"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(json(resp).await, (403, expected.clone()), "{body}");
    }
    let bare = c
        .post(url(&server, "/wp-json/cocart/jwt/refresh-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(bare).await, (403, expected));
}

#[tokio::test]
async fn jwt_23_unknown_refresh_token_is_invalid_and_an_old_one_is_expired() {
    let server = server().await;
    let c = client();
    assert_eq!(
        refresh(&c, &server, &"ab".repeat(64)).await,
        (403, invalid_refresh())
    );
    let session = login(&c, &server).await;
    let other = login(&c, &server).await;
    server.advance_clock(2_592_000 - 5);
    assert_eq!(
        refresh(&c, &server, &other.refresh).await.0,
        200,
        "still inside 30 days"
    );
    server.advance_clock(10);
    assert_eq!(
        refresh(&c, &server, &session.refresh).await,
        (
            403,
            envelope("cocart_authentication_error", "Refresh token expired.", 403)
        )
    );
}

#[tokio::test]
async fn jwt_24_refresh_token_is_also_read_from_query_and_form() {
    let server = server().await;
    let c = client();
    let a = login(&c, &server).await;
    let b = login(&c, &server).await;
    let endpoint = url(&server, "/wp-json/cocart/jwt/refresh-token");
    let by_query = c
        .post(&endpoint)
        .query(&[("refresh_token", &a.refresh)])
        .send()
        .await
        .unwrap();
    let by_form = c
        .post(&endpoint)
        .form(&[("refresh_token", &b.refresh)])
        .send()
        .await
        .unwrap();
    for resp in [by_query, by_form] {
        let (status, body) = json(resp).await;
        assert_eq!(status, 200, "{body}");
        assert!(is_hex(body["refresh_token"].as_str().unwrap(), 128));
    }
}

#[tokio::test]
async fn jwt_25_a_bad_bearer_blocks_refresh_without_consuming_the_refresh_token() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let tampered = resign(&session.token, |p| p["iss"] = json!("http://elsewhere"));
    let failed = envelope("cocart_authentication_error", "Authentication failed.", 403);
    let send = |auth: String| {
        let c = c.clone();
        let endpoint = url(&server, "/wp-json/cocart/jwt/refresh-token");
        let refresh_token = session.refresh.clone();
        async move {
            json(
                c.post(endpoint)
                    .header("Authorization", auth)
                    .json(&json!({"refresh_token": refresh_token}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    assert_eq!(send(bearer(&tampered)).await, (403, failed.clone()));
    // An expired access token (10 days) while the refresh token (30 days) is still valid.
    server.advance_clock(864_001);
    assert_eq!(send(bearer(&session.token)).await, (403, failed));
    let (status, body) = refresh(&c, &server, &session.refresh).await;
    assert_eq!(status, 200, "the refresh token survived: {body}");
}

#[tokio::test]
async fn jwt_26_a_refreshed_token_is_bound_to_the_refresh_requests_ip_and_ua() {
    let server = server().await;
    let c = client();
    let session = login_as(
        &c,
        &server,
        config::DEMO_USERNAME,
        config::DEMO_PASSWORD,
        Some("203.0.113.5"),
    )
    .await;
    let phone = reqwest::Client::builder()
        .user_agent("Phone/3.0")
        .no_proxy()
        .build()
        .unwrap();
    let resp = phone
        .post(url(&server, "/wp-json/cocart/jwt/refresh-token"))
        .header("X-Forwarded-For", "198.51.100.7")
        .json(&json!({"refresh_token": session.refresh}))
        .send()
        .await
        .unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(status, 200);
    let token = body["token"].as_str().unwrap();
    assert_eq!(payload(token)["data"]["user"]["ip"], "198.51.100.7");
    assert_eq!(payload(token)["data"]["user"]["device"], "Phone/3.0");
    assert_eq!(
        validate(&phone, &server, token, Some("198.51.100.7"))
            .await
            .0,
        200
    );
    assert_eq!(
        validate(&phone, &server, token, Some("203.0.113.5"))
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn jwt_27_other_methods_on_the_jwt_routes_are_404_rest_no_route() {
    let server = server().await;
    let c = client();
    let no_route = envelope(
        "rest_no_route",
        "No route was found matching the URL and request method.",
        404,
    );
    for path in [
        "/wp-json/cocart/jwt/refresh-token",
        "/wp-json/cocart/jwt/validate-token",
    ] {
        for method in ["GET", "PUT", "DELETE"] {
            let resp = c
                .request(method.parse().unwrap(), url(&server, path))
                .send()
                .await
                .unwrap();
            assert_eq!(json(resp).await, (404, no_route.clone()), "{method} {path}");
        }
    }
}

/// The journal tells who presented which refresh token (by fingerprint, never the token): the
/// `X-Mock-Client` label, the user, and the fingerprints presented and issued.
#[tokio::test]
async fn the_journal_names_the_presenter_and_fingerprints_the_refresh_tokens_moved() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let user: u64 = session.body["user_id"].as_str().unwrap().parse().unwrap();
    let send = |label: &'static str, token: String| {
        let c = c.clone();
        let url = url(&server, "/wp-json/cocart/jwt/refresh-token");
        async move {
            let resp = c
                .post(url)
                .header(cocart_mock::CLIENT_HEADER, label)
                .json(&json!({"refresh_token": token}))
                .send()
                .await
                .unwrap();
            json(resp).await
        }
    };
    let (status, body) = send("worker-a", session.refresh.clone()).await;
    assert_eq!(status, 200);
    let rotated = body["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(send("worker-b", session.refresh.clone()).await.0, 403);
    assert_eq!(send("worker-c", "never-issued".into()).await.0, 403);

    let fp = cocart_mock::token_fingerprint;
    let journal = server.journal();
    assert_eq!(
        journal[0].refresh_issued,
        Some(fp(&session.refresh)),
        "the login's"
    );
    assert_eq!(journal[0].user_id, Some(user));
    assert_eq!(journal[0].client, None, "no header, no label");
    let who: Vec<_> = journal[1..]
        .iter()
        .map(|e| {
            (
                e.client.as_deref(),
                e.status,
                e.user_id,
                e.refresh_presented.clone(),
                e.refresh_issued.clone(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            (
                Some("worker-a"),
                200,
                Some(user),
                Some(fp(&session.refresh)),
                Some(fp(&rotated))
            ),
            (
                Some("worker-b"),
                403,
                None,
                Some(fp(&session.refresh)),
                None
            ),
            (Some("worker-c"), 403, None, Some(fp("never-issued")), None),
        ]
    );
    // No token in the JSON form or in Debug.
    let shown = format!("{} {journal:?}", serde_json::to_string(&journal).unwrap());
    for secret in [&session.refresh, &rotated, &session.token] {
        assert!(!shown.contains(secret.as_str()));
    }
}
