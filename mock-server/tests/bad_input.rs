//! Hostile and malformed input: the server answers with WordPress-style envelopes (or hyper's
//! limits), never panics, and keeps serving.

mod common;

use cocart_mock::MAX_BODY_BYTES;
use cocart_mock::config;
use common::*;
use reqwest::header::HeaderValue;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_batch_of_bad_requests_then_a_valid_login_succeeds() {
    let server = server().await;
    let c = client();
    let login_url = url(&server, "/wp-json/cocart/v2/login");
    let refresh_url = url(&server, "/wp-json/cocart/jwt/refresh-token");

    // Malformed JSON.
    for target in [&login_url, &refresh_url] {
        let resp = c
            .post(target.as_str())
            .header("Content-Type", "application/json")
            .header(
                "Authorization",
                basic(config::DEMO_USERNAME, config::DEMO_PASSWORD),
            )
            .body("{\"username\": ")
            .send()
            .await
            .unwrap();
        let (status, body) = json(resp).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("rest_invalid_json")),
            "{target}"
        );
        assert_eq!(body["data"]["status"], 400);
    }

    // Wrong types.
    for value in [json!(12345), json!(["a"]), json!({"x": 1}), json!(true)] {
        let resp = c
            .post(&refresh_url)
            .json(&json!({"refresh_token": value}))
            .send()
            .await
            .unwrap();
        let (status, body) = json(resp).await;
        assert_eq!(
            (status, body["message"].as_str()),
            (403, Some("Invalid refresh token.")),
            "{value}"
        );
    }
    let resp = c
        .post(&login_url)
        .json(&json!({"username": 1, "password": ["x"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await.1["code"], "cocart_rest_not_authorized");
    let resp = c
        .post(&login_url)
        .json(&json!([1, 2, 3]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // Oversized bodies, declared or chunked.
    let big = vec![b'a'; MAX_BODY_BYTES + 1];
    let resp = c.post(&login_url).body(big.clone()).send().await.unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("rest_request_too_large"))
    );
    assert_eq!(body["data"]["status"], 413);
    assert_eq!(
        chunked_post(&server, "/wp-json/cocart/v2/login", MAX_BODY_BYTES + 1).await,
        413
    );
    assert_eq!(
        chunked_post(&server, "/wp-json/cocart/v2/logout", 1000).await,
        200
    );

    // Unknown routes and wrong methods.
    let no_route = envelope(
        "rest_no_route",
        "No route was found matching the URL and request method.",
        404,
    );
    for (method, path) in [
        ("GET", "/wp-json/cocart/v2/login"),
        ("DELETE", "/wp-json/cocart/v2/logout"),
        ("GET", "/wp-json/cocart/v9/anything"),
        ("POST", "/wp-json/"),
        ("GET", "/wp-json/cocart/jwt/refresh-token/extra"),
        ("GET", "/?rest_route=/cocart/nothing"),
        ("PATCH", "/__mock/clock"),
    ] {
        let resp = c
            .request(method.parse().unwrap(), url(&server, path))
            .send()
            .await
            .unwrap();
        assert_eq!(json(resp).await, (404, no_route.clone()), "{method} {path}");
    }

    // Garbage credentials.
    let garbage: Vec<HeaderValue> = vec![
        HeaderValue::from_static("Bearer ....."),
        HeaderValue::from_static("Bearer a.b.c"),
        HeaderValue::from_static("Bearer ===.===.==="),
        HeaderValue::from_bytes(b"Bearer \xff\xfe.\x80.\x81").unwrap(),
        HeaderValue::from_static("Basic !!!"),
        HeaderValue::from_static("Basic ===="),
        HeaderValue::from_static("Basic Og=="),
        HeaderValue::from_static("Digest username=x"),
        HeaderValue::from_str(&format!(
            "Bearer {}.{}.{}",
            "a".repeat(4000),
            "b".repeat(4000),
            "c".repeat(4000)
        ))
        .unwrap(),
    ];
    for header in garbage {
        let resp = c
            .post(url(&server, "/wp-json/cocart/jwt/validate-token"))
            .header("Authorization", header.clone())
            .header(
                "User-Agent",
                HeaderValue::from_bytes(b"bad \xff agent").unwrap(),
            )
            .header("X-Forwarded-For", "not an ip, 999.1.1.1")
            .send()
            .await
            .unwrap();
        let (status, body) = json(resp).await;
        assert!(matches!(status, 401 | 403), "{header:?} -> {status}");
        assert!(
            body["code"].is_string() && body["data"]["status"] == status,
            "{body}"
        );
    }

    // Malformed control bodies.
    for (method, path, body) in [
        ("POST", "/__mock/users", "{}"),
        ("POST", "/__mock/users", "not json"),
        (
            "POST",
            "/__mock/faults",
            r#"{"path":"/wp-json/x","kind":"explode"}"#,
        ),
        ("POST", "/__mock/clock", r#"{"advance":"soon"}"#),
        ("POST", "/__mock/clock", r#"{"set":-9223372036854775808}"#),
        (
            "POST",
            "/__mock/clock",
            r#"{"advance":9223372036854775807}"#,
        ),
        ("PATCH", "/__mock/users/abc", r#"{"password":"x"}"#),
    ] {
        let resp = c
            .request(method.parse().unwrap(), url(&server, path))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, json_body) = json(resp).await;
        assert!(matches!(status, 400 | 404), "{method} {path} -> {status}");
        assert!(
            json_body["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("mock_")),
            "{json_body}"
        );
    }

    // Huge and numerous headers hit the head limits (431); the server survives.
    let huge = c
        .get(url(&server, "/wp-json/cocart/v2/cart"))
        .header("X-Huge", "h".repeat(128 * 1024))
        .send()
        .await;
    assert_eq!(huge.map(|r| r.status().as_u16()).unwrap_or(431), 431);
    let mut many = c.get(url(&server, "/wp-json/cocart/v2/cart"));
    for i in 0..200 {
        many = many.header(format!("x-h-{i}"), "v");
    }
    assert_eq!(
        many.send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(431),
        431
    );

    // Not HTTP at all.
    let mut raw = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    raw.write_all(b"\x00\x01garbage\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ =
        tokio::time::timeout(std::time::Duration::from_secs(5), raw.read_to_end(&mut buf)).await;

    // A half-sent request whose client goes away.
    let mut raw = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    raw.write_all(
        b"POST /wp-json/cocart/v2/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
    )
    .await
    .unwrap();
    drop(raw);

    // And the server still serves.
    let session = login(&c, &server).await;
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 200);
}

/// POSTs `len` bytes with chunked transfer encoding over a raw socket; returns the status.
async fn chunked_post(server: &cocart_mock::MockServer, path: &str, len: usize) -> u16 {
    let mut raw = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    raw.write_all(head.as_bytes()).await.unwrap();
    let mut left = len;
    while left > 0 {
        let n = left.min(64 * 1024);
        let chunk = format!("{n:x}\r\n{}\r\n", "a".repeat(n));
        if raw.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
        left -= n;
    }
    let _ = raw.write_all(b"0\r\n\r\n").await;
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        raw.read_to_end(&mut buf),
    )
    .await;
    let text = String::from_utf8_lossy(&buf);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
