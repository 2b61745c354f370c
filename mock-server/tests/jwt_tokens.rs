//! The token format and Bearer validation, over HTTP.

mod common;

use cocart_mock::{MockServer, config};
use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

fn pat_is_well_formed(pat: &str) -> bool {
    pat.strip_prefix("pat_").is_some_and(|h| is_hex(h, 24))
}

#[tokio::test]
async fn jwt_08_header_is_exact_and_the_signature_verifies_independently() {
    let server = server().await;
    let session = login(&client(), &server).await;
    let header_part = session.token.split('.').next().unwrap();
    assert_eq!(header_part, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    assert_eq!(b64(header_part), br#"{"alg":"HS256","typ":"JWT"}"#);
    // Independent check with the jsonwebtoken crate.
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_issuer(&[server.base_url()]);
    let decoded = jsonwebtoken::decode::<Value>(
        &session.token,
        &DecodingKey::from_secret(SECRET.as_bytes()),
        &validation,
    )
    .expect("the mock's token verifies with jsonwebtoken");
    assert_eq!(decoded.claims["data"]["user"]["id"], json!(DEMO_ID));
    assert!(
        jsonwebtoken::decode::<Value>(
            &session.token,
            &DecodingKey::from_secret(b"another secret"),
            &validation
        )
        .is_err()
    );
    // The payload is PHP json_encode output: slashes escaped.
    let raw = String::from_utf8(b64(session.token.split('.').nth(1).unwrap())).unwrap();
    assert!(raw.starts_with(r#"{"iss":"http:\/\/127.0.0.1:"#), "{raw}");
}

#[tokio::test]
async fn jwt_09_payload_carries_the_documented_claims() {
    let server = server().await;
    let session = login_as(
        &client(),
        &server,
        config::DEMO_USERNAME,
        config::DEMO_PASSWORD,
        Some("203.0.113.5"),
    )
    .await;
    let p = payload(&session.token);
    let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["iss", "iat", "nbf", "exp", "data"]);
    assert_eq!(p["iss"], server.base_url());
    let iat = p["iat"].as_i64().unwrap();
    assert_eq!(p["nbf"].as_i64(), Some(iat));
    assert_eq!(p["exp"].as_i64().unwrap() - iat, 864_000);
    assert!((iat - server.now()).abs() <= 2);
    let user = &p["data"]["user"];
    let keys: Vec<&str> = user
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["id", "username", "ip", "device", "pat"]);
    assert_eq!(user["id"], json!(DEMO_ID));
    assert_eq!(user["username"], config::DEMO_USERNAME);
    assert_eq!(user["ip"], "203.0.113.5");
    assert_eq!(user["device"], UA);
    assert!(pat_is_well_formed(user["pat"].as_str().unwrap()));
    // The lifetime follows the configured access TTL.
    let short = MockServer::builder().access_ttl(60).start().await.unwrap();
    let p = payload(&login(&client(), &short).await.token);
    assert_eq!(p["exp"].as_i64().unwrap() - p["iat"].as_i64().unwrap(), 60);
}

#[tokio::test]
async fn jwt_10_valid_bearer_runs_cocart_routes_as_the_user() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let relogin = c
        .post(url(&server, "/wp-json/cocart/v2/login"))
        .header("Authorization", bearer(&session.token))
        .send()
        .await
        .unwrap();
    assert_eq!(json(relogin).await.1["user_id"], json!(DEMO_ID.to_string()));
    let cart = c
        .get(url(&server, "/wp-json/cocart/v2/cart"))
        .header("Authorization", bearer(&session.token))
        .send()
        .await
        .unwrap();
    let (status, body) = json(cart).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cart_key"], json!(DEMO_ID.to_string()));
    let entries = server.journal();
    assert!(
        entries.iter().skip(1).all(|e| e.auth == "bearer"),
        "{entries:?}"
    );
}

#[tokio::test]
async fn jwt_11_validate_token_with_a_valid_bearer_is_200() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    assert_eq!(
        validate(&c, &server, &session.token, None).await,
        (200, json!({"message": "Token is valid."}))
    );
}

#[tokio::test]
async fn jwt_12_validate_token_without_authorization_is_401_rest_forbidden() {
    let server = server().await;
    let resp = client()
        .post(url(&server, "/wp-json/cocart/jwt/validate-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(resp).await,
        (
            401,
            envelope(
                "rest_forbidden",
                "Sorry, you are not allowed to do that.",
                401
            )
        )
    );
}

#[tokio::test]
async fn jwt_13_tampered_token_is_403_on_any_cocart_route() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let mut chars: Vec<char> = session.token.chars().collect();
    let last = chars.len() - 2;
    chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
    let bad_sig: String = chars.into_iter().collect();
    let mut parts: Vec<String> = session.token.split('.').map(String::from).collect();
    let mut p = payload(&session.token);
    p["data"]["user"]["id"] = json!(2);
    parts[1] = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        p.to_string(),
    );
    let bad_payload = parts.join(".");
    let failed = envelope("cocart_authentication_error", "Authentication failed.", 403);
    for token in [&bad_sig, &bad_payload] {
        assert_eq!(
            validate(&c, &server, token, None).await,
            (403, failed.clone())
        );
        for (method, path) in [
            ("POST", "/wp-json/cocart/v2/login"),
            ("GET", "/wp-json/cocart/v2/cart"),
            ("GET", "/wp-json/cocart/v2/no-such-route"),
        ] {
            let resp = c
                .request(method.parse().unwrap(), url(&server, path))
                .header("Authorization", bearer(token))
                .send()
                .await
                .unwrap();
            assert_eq!(json(resp).await, (403, failed.clone()), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn jwt_14_exp_equal_now_is_still_valid_and_nbf_is_not_checked() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let exp = payload(&session.token)["exp"].as_i64().unwrap();
    let mut checked = false;
    for _ in 0..50 {
        server.set_clock(exp);
        let (status, _) = validate(&c, &server, &session.token, None).await;
        if server.now() == exp {
            assert_eq!(status, 200, "a token is valid in the second equal to exp");
            checked = true;
            break;
        }
    }
    assert!(checked, "could not observe a request within the exp second");
    server.set_clock(exp + 1);
    assert_eq!(
        validate(&c, &server, &session.token, None).await,
        (
            403,
            envelope("cocart_authentication_error", "Authentication failed.", 403)
        )
    );
    server.set_clock(exp - 864_000);
    let future_nbf = resign(&session.token, |p| {
        p["nbf"] = json!(exp + 10_000);
        p["iat"] = json!(exp + 10_000);
    });
    assert_eq!(validate(&c, &server, &future_nbf, None).await.0, 200);
}

#[tokio::test]
async fn jwt_15_wrong_issuer_unknown_user_or_wrong_alg_is_403() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    // Control: re-signing without changes keeps the token valid.
    assert_eq!(
        validate(&c, &server, &resign(&session.token, |_| {}), None)
            .await
            .0,
        200
    );
    let wrong_iss = resign(&session.token, |p| p["iss"] = json!("http://evil.example"));
    let trailing_slash = resign(&session.token, |p| {
        p["iss"] = json!(format!("{}/", server.base_url()))
    });
    let unknown_user = resign(&session.token, |p| p["data"]["user"]["id"] = json!(999));
    let no_user = resign(&session.token, |p| {
        p["data"]["user"].as_object_mut().unwrap().remove("id");
    });
    let p = payload(&session.token).to_string();
    let hs512 = sign(r#"{"alg":"HS512","typ":"JWT"}"#, &p, SECRET);
    let not_jwt = sign(r#"{"alg":"HS256","typ":"JWS"}"#, &p, SECRET);
    let reordered = sign(r#"{"typ":"JWT","alg":"HS256"}"#, &p, SECRET);
    for token in [
        &wrong_iss,
        &trailing_slash,
        &unknown_user,
        &no_user,
        &hs512,
        &not_jwt,
    ] {
        let (status, body) = validate(&c, &server, token, None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("cocart_authentication_error"))
        );
    }
    assert_eq!(
        validate(&c, &server, &reordered, None).await.0,
        200,
        "only typ/alg are checked"
    );
}

#[tokio::test]
async fn jwt_16_token_is_bound_to_ip_and_user_agent_but_a_missing_ua_passes() {
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
    assert_eq!(
        validate(&c, &server, &session.token, Some("203.0.113.5"))
            .await
            .0,
        200
    );
    assert_eq!(
        validate(&c, &server, &session.token, Some("198.51.100.7"))
            .await
            .0,
        403
    );
    assert_eq!(
        validate(&c, &server, &session.token, None).await.0,
        403,
        "peer 127.0.0.1 differs"
    );
    let send = |ua: Option<&'static str>| {
        let c = client_without_ua();
        let u = url(&server, "/wp-json/cocart/jwt/validate-token");
        let token = session.token.clone();
        async move {
            let mut req = c
                .post(u)
                .header("Authorization", bearer(&token))
                .header("X-Forwarded-For", "203.0.113.5");
            if let Some(ua) = ua {
                req = req.header("User-Agent", ua);
            }
            req.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(send(Some("OtherApp/2.0")).await, 403);
    assert_eq!(
        send(None).await,
        200,
        "no User-Agent: the device check is skipped"
    );
    assert_eq!(
        send(Some("  cocart-mock-tests/1.0  ")).await,
        200,
        "sanitised like sanitize_text_field"
    );
    // A token minted without a User-Agent only works without one.
    let bare = client_without_ua();
    let session = login(&bare, &server).await;
    assert_eq!(payload(&session.token)["data"]["user"]["device"], "");
    assert_eq!(validate(&bare, &server, &session.token, None).await.0, 200);
    assert_eq!(
        validate(&client(), &server, &session.token, None).await.0,
        403
    );
}

#[tokio::test]
async fn jwt_17_a_header_that_does_not_match_the_bearer_regex_is_ignored() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let parts: Vec<&str> = session.token.split('.').collect();
    let two_part = format!("Bearer {}.{}", parts[0], parts[1]);
    let trailing = format!("Bearer {} extra", session.token);
    let four_part = format!("Bearer {}.x", session.token);
    for header in [
        "Bearer abc",
        two_part.as_str(),
        trailing.as_str(),
        four_part.as_str(),
        "Bearer",
        "Token a.b.c",
    ] {
        let resp = c
            .post(url(&server, "/wp-json/cocart/jwt/validate-token"))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(json(resp).await.1["code"], "rest_forbidden", "{header}");
        let cart = c
            .get(url(&server, "/wp-json/cocart/v2/cart"))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        let (status, body) = json(cart).await;
        assert_eq!(status, 200, "a guest cart, not an auth error: {header}");
        assert_ne!(body["cart_key"], json!(DEMO_ID.to_string()));
    }
    // The scheme is case-insensitive and any whitespace may follow it.
    for header in [
        format!("bearer {}", session.token),
        format!("BEARER \t {}", session.token),
    ] {
        let resp = c
            .post(url(&server, "/wp-json/cocart/jwt/validate-token"))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
}

#[tokio::test]
async fn jwt_18_the_token_is_read_only_from_the_authorization_header() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let endpoint = url(&server, "/wp-json/cocart/jwt/validate-token");
    let attempts = [
        c.post(&endpoint).query(&[("token", &session.token)]),
        c.post(&endpoint).query(&[("jwt", &session.token)]),
        c.post(&endpoint).header(
            "Cookie",
            format!("jwt={}; token={}", session.token, session.token),
        ),
        c.post(&endpoint)
            .header("Redirect-Http-Authorization", bearer(&session.token)),
        c.post(&endpoint)
            .header("X-Authorization", bearer(&session.token)),
        c.post(&endpoint)
            .json(&json!({"token": session.token, "jwt": session.token})),
    ];
    for req in attempts {
        let (status, body) = json(req.send().await.unwrap()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("rest_forbidden"))
        );
    }
    // The Authorization header (what REDIRECT_HTTP_AUTHORIZATION carries on Apache) works.
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 200);
}
