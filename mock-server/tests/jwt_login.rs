//! Login (`POST /wp-json/cocart/v2/login`) over HTTP: credentials, the answer's shape, errors.

mod common;

use cocart_mock::{ConfigPatch, Environment, MockServer, config};
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn jwt_01_basic_login_returns_the_user_and_a_token_pair() {
    let server = server().await;
    let resp = login_request(
        &client(),
        &server,
        config::DEMO_USERNAME,
        config::DEMO_PASSWORD,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let headers = resp.headers().clone();
    assert_eq!(
        headers.get("cache-control").unwrap(),
        "no-cache, no-store, must-revalidate, max-age=0, private"
    );
    assert!(headers.get("cocart-timestamp").is_some());
    assert!(
        headers.get("cocart-api-cart-key").is_none(),
        "login has no cart headers"
    );
    let body: Value = resp.json().await.unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "user_id",
            "first_name",
            "last_name",
            "display_name",
            "role",
            "avatar_urls",
            "email",
            "extras",
            "dev_note"
        ]
    );
    assert_eq!(body["user_id"], json!(DEMO_ID.to_string()));
    assert_eq!(body["role"], "Customer");
    assert_eq!(body["email"], config::DEMO_EMAIL);
    assert!(body["display_name"].as_str().is_some_and(|s| !s.is_empty()));
    let avatars = body["avatar_urls"].as_object().unwrap();
    assert_eq!(avatars.keys().collect::<Vec<_>>(), ["24", "48", "96"]);
    assert!(
        avatars
            .values()
            .all(|v| v.as_str().unwrap().starts_with("https://"))
    );
    assert_eq!(
        body["dev_note"],
        "Don't forget to store the users login information in order to authenticate all other routes with CoCart."
    );
    let token = body["extras"]["jwt_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3);
    assert!(is_hex(body["extras"]["jwt_refresh"].as_str().unwrap(), 128));
}

#[tokio::test]
async fn jwt_02_login_accepts_json_body_query_form_and_email() {
    let server = server().await;
    let c = client();
    let login_url = url(&server, "/wp-json/cocart/v2/login");
    let json_body = c
        .post(&login_url)
        .json(&json!({"username": config::DEMO_USERNAME, "password": config::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let query = c
        .post(&login_url)
        .query(&[
            ("username", config::DEMO_USERNAME),
            ("password", config::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let form = c
        .post(&login_url)
        .form(&[
            ("username", config::DEMO_USERNAME),
            ("password", config::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let email = c
        .post(&login_url)
        .header(
            "Authorization",
            basic(config::DEMO_EMAIL, config::DEMO_PASSWORD),
        )
        .send()
        .await
        .unwrap();
    for resp in [json_body, query, form, email] {
        let (status, body) = json(resp).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["user_id"], json!(DEMO_ID.to_string()));
        assert!(body["extras"]["jwt_token"].is_string());
    }
}

#[tokio::test]
async fn jwt_03_login_without_credentials_is_401_not_authorized() {
    let server = server().await;
    let resp = client()
        .post(url(&server, "/wp-json/cocart/v2/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(resp).await,
        (
            401,
            envelope(
                "cocart_rest_not_authorized",
                "Sorry, you are not authorized.",
                401
            )
        )
    );
}

#[tokio::test]
async fn jwt_04_bad_credentials_are_401_authentication_error() {
    let server = server().await;
    let c = client();
    let (status, body) = json(
        login_request(&c, &server, config::DEMO_USERNAME, "wrong")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            401,
            envelope(
                "cocart_authentication_error",
                "The password you entered is incorrect.",
                401
            )
        )
    );
    let (status, body) = json(
        login_request(&c, &server, "nobody", "x")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        body["message"],
        "Authentication is invalid. Please check your login details are correct and try again."
    );
    let only_user = c
        .post(url(&server, "/wp-json/cocart/v2/login"))
        .json(&json!({"username": config::DEMO_USERNAME}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(only_user).await,
        (
            401,
            envelope(
                "cocart_authentication_error",
                "Authentication invalid!",
                401
            )
        )
    );
}

#[tokio::test]
async fn jwt_05_basic_over_plain_http_in_production_is_not_authenticated_but_bearer_works() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    server.set_config(&ConfigPatch {
        environment: Some(Environment::Production),
        ..ConfigPatch::default()
    });
    for pass in [config::DEMO_PASSWORD, "wrong"] {
        let (status, body) = json(
            login_request(&c, &server, config::DEMO_USERNAME, pass)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(body["code"], "cocart_rest_not_authorized");
    }
    let json_login = c
        .post(url(&server, "/wp-json/cocart/v2/login"))
        .json(&json!({"username": config::DEMO_USERNAME, "password": config::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(json_login).await.1["code"],
        "cocart_rest_not_authorized"
    );
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 200);
}

#[tokio::test]
async fn jwt_06_two_basic_logins_are_independent_valid_sessions() {
    let server = server().await;
    let c = client();
    let a = login(&c, &server).await;
    let b = login(&c, &server).await;
    assert_ne!(a.token, b.token);
    assert_ne!(a.refresh, b.refresh);
    assert_ne!(
        payload(&a.token)["data"]["user"]["pat"],
        payload(&b.token)["data"]["user"]["pat"]
    );
    assert_eq!(validate(&c, &server, &a.token, None).await.0, 200);
    assert_eq!(validate(&c, &server, &b.token, None).await.0, 200);
}

#[tokio::test]
async fn jwt_07_bearer_relogin_echoes_the_token_and_its_linked_refresh_token() {
    let server = server().await;
    let c = client();
    let a = login(&c, &server).await;
    let _other = login(&c, &server).await;
    let relogin = |token: String| {
        let c = c.clone();
        let u = url(&server, "/wp-json/cocart/v2/login");
        async move {
            json(
                c.post(u)
                    .header("Authorization", bearer(&token))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = relogin(a.token.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], json!(DEMO_ID.to_string()));
    assert_eq!(body["extras"]["jwt_token"], json!(a.token));
    assert_eq!(body["extras"]["jwt_refresh"], json!(a.refresh));
    // After a rotation the new token's re-login echoes the new refresh token.
    let (_, rotated) = refresh(&c, &server, &a.refresh).await;
    let (_, body) = relogin(rotated["token"].as_str().unwrap().to_string()).await;
    assert_eq!(body["extras"]["jwt_refresh"], rotated["refresh_token"]);
}

#[tokio::test]
async fn jwt_10_basic_auth_also_authenticates_other_cocart_routes() {
    let server = server().await;
    let resp = client()
        .post(url(&server, "/wp-json/cocart/jwt/validate-token"))
        .header(
            "Authorization",
            basic(config::DEMO_USERNAME, config::DEMO_PASSWORD),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(resp).await,
        (200, json!({"message": "Token is valid."}))
    );
    // A wrong Basic password fails any cocart route, not only login.
    let resp = client()
        .post(url(&server, "/wp-json/cocart/jwt/validate-token"))
        .header("Authorization", basic(config::DEMO_USERNAME, "nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await.1["code"], "cocart_authentication_error");
}

#[tokio::test]
async fn jwt_01_basic_scheme_is_case_sensitive_since_cocart_4_6() {
    let server = server().await;
    let header = basic(config::DEMO_USERNAME, config::DEMO_PASSWORD).replacen("Basic", "basic", 1);
    let resp = client()
        .post(url(&server, "/wp-json/cocart/v2/login"))
        .header("Authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await.1["code"], "cocart_rest_not_authorized");
}

#[tokio::test]
async fn jwt_02_seeded_and_created_users_can_log_in_with_their_own_names() {
    let server = MockServer::builder()
        .user("alice", "alice-pw")
        .start()
        .await
        .unwrap();
    let c = client();
    let alice = login_as(&c, &server, "alice", "alice-pw", None).await;
    assert_eq!(alice.body["user_id"], "1");
    let (status, _) = json(
        login_request(&c, &server, config::DEMO_USERNAME, config::DEMO_PASSWORD)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        status, 401,
        "the demo customer is only seeded when no users are given"
    );
    let id = server
        .create_user("bob", "bob@example.com", "bob-pw")
        .unwrap();
    let bob = login_as(&c, &server, "bob@example.com", "bob-pw", None).await;
    assert_eq!(bob.body["user_id"], json!(id.to_string()));
    assert_eq!(payload(&bob.token)["data"]["user"]["username"], "bob");
}
