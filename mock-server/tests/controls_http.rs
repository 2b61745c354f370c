//! The `/__mock/` test controls over HTTP, their Rust equivalents, `?rest_route=`, and server
//! isolation.

mod common;

use cocart_mock::{FaultSpec, MockServer, config};
use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn control(
    c: &reqwest::Client,
    server: &MockServer,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = c.request(method.parse().unwrap(), url(server, path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    json(req.send().await.unwrap()).await
}

#[tokio::test]
async fn clock_can_be_read_advanced_and_set() {
    let server = server().await;
    let c = client();
    let (status, body) = control(&c, &server, "GET", "/__mock/clock", None).await;
    assert_eq!(status, 200);
    let now = body["now"].as_i64().unwrap();
    let (_, body) = control(
        &c,
        &server,
        "POST",
        "/__mock/clock",
        Some(json!({"advance": 3600})),
    )
    .await;
    let advanced = body["now"].as_i64().unwrap();
    assert!((advanced - now - 3600).abs() <= 1);
    let (_, body) = control(
        &c,
        &server,
        "POST",
        "/__mock/clock",
        Some(json!({"set": 2_000_000_000})),
    )
    .await;
    assert_eq!(body["now"], 2_000_000_000);
    assert!(server.now() >= 2_000_000_000);
    let (status, body) = control(&c, &server, "POST", "/__mock/clock", Some(json!({}))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("mock_invalid_request"))
    );
}

#[tokio::test]
async fn users_can_be_created_changed_and_deleted_over_http() {
    let server = server().await;
    let c = client();
    let (status, body) = control(
        &c,
        &server,
        "POST",
        "/__mock/users",
        Some(json!({"username": "kim", "email": "kim@example.com", "password": "pw1", "first_name": "Kim", "last_name": "Lee"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_u64().unwrap();
    assert_eq!(id, 2);
    let kim = login_as(&c, &server, "kim", "pw1", None).await;
    assert_eq!(kim.body["first_name"], "Kim");
    assert_eq!(kim.body["display_name"], "Kim");
    let (status, _) = control(
        &c,
        &server,
        "POST",
        "/__mock/users",
        Some(json!({"username": "kim", "email": "k2@example.com", "password": "x"})),
    )
    .await;
    assert_eq!(status, 409, "duplicate login");
    let (status, _) = control(
        &c,
        &server,
        "PATCH",
        &format!("/__mock/users/{id}"),
        Some(json!({"password": "pw2"})),
    )
    .await;
    assert_eq!(status, 200);
    login_as(&c, &server, "kim", "pw2", None).await;
    let (status, _) = control(&c, &server, "DELETE", &format!("/__mock/users/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        login_request(&c, &server, "kim", "pw2")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let (status, body) = control(&c, &server, "DELETE", "/__mock/users/999", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("mock_not_found"))
    );
    let (status, _) = control(&c, &server, "PATCH", "/__mock/users/1", Some(json!({}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn reset_returns_to_the_seeded_state() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    server
        .create_user("temp", "temp@example.com", "pw")
        .unwrap();
    server.advance_clock(10_000);
    control(
        &c,
        &server,
        "PUT",
        "/__mock/config",
        Some(json!({"rate_limit": true})),
    )
    .await;
    let (status, _) = control(&c, &server, "POST", "/__mock/reset", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        login_request(&c, &server, "temp", "pw")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        validate(&c, &server, &session.token, None).await.0,
        403,
        "sessions are gone"
    );
    assert_eq!(server.journal().len(), 2, "the journal restarted");
    assert!(!server.config().rate_limit);
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((server.now() - wall).abs() <= 1);
    server.reset().unwrap();
    login(&c, &server).await;
}

#[tokio::test]
async fn journal_records_store_requests_in_order_with_the_auth_the_app_saw() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    control(&c, &server, "GET", "/__mock/clock", None).await;
    validate(&c, &server, &session.token, None).await;
    validate(&c, &server, "x.y.z", None).await;
    c.post(url(
        &server,
        "/?rest_route=/cocart/jwt/refresh-token&a=1&b=2",
    ))
    .send()
    .await
    .unwrap();
    c.get(url(&server, "/wp-json/cocart/v2/nope?x=%20y"))
        .send()
        .await
        .unwrap();
    let (status, mut body) = control(&c, &server, "GET", "/__mock/journal", None).await;
    assert_eq!(status, 200);
    let user = session.body["user_id"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    let issued = cocart_mock::token_fingerprint(&session.refresh);
    let expected = json!([
        {"method": "POST", "path": "/wp-json/cocart/v2/login", "query": "", "status": 200, "auth": "basic", "user_id": user, "refresh_issued": issued},
        {"method": "POST", "path": "/wp-json/cocart/jwt/validate-token", "query": "", "status": 200, "auth": "bearer", "user_id": user},
        {"method": "POST", "path": "/wp-json/cocart/jwt/validate-token", "query": "", "status": 403, "auth": "bearer"},
        {"method": "POST", "path": "/wp-json/cocart/jwt/refresh-token", "query": "a=1&b=2", "status": 403, "auth": "none"},
        {"method": "GET", "path": "/wp-json/cocart/v2/nope", "query": "x=%20y", "status": 404, "auth": "none"},
    ]);
    // Arrival times are real milliseconds, in order; the rest is compared without them.
    let strip = |entries: &mut serde_json::Value| -> Vec<u64> {
        entries
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .map(|e| {
                e.as_object_mut()
                    .unwrap()
                    .remove("at_ms")
                    .unwrap()
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    let times = strip(&mut body);
    assert!(
        times[0] > 1_700_000_000_000 && times.is_sorted(),
        "{times:?}"
    );
    assert_eq!(body, expected);
    let mut typed = serde_json::to_value(server.journal()).unwrap();
    strip(&mut typed);
    assert_eq!(typed, expected);
    let (status, _) = control(&c, &server, "DELETE", "/__mock/journal", None).await;
    assert_eq!(status, 200);
    assert!(server.journal().is_empty());
    validate(&c, &server, &session.token, None).await;
    server.clear_journal();
    assert!(server.journal().is_empty());
}

#[tokio::test]
async fn config_can_be_read_and_patched_with_the_secret_redacted() {
    let server = server().await;
    let c = client();
    let (status, body) = control(&c, &server, "GET", "/__mock/config", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["secret"], "[redacted]");
    assert!(!body.to_string().contains(SECRET));
    let (status, body) = control(
        &c,
        &server,
        "PUT",
        "/__mock/config",
        Some(json!({"plugin": "v2", "host_profile": "custom-auth-header:X-Auth", "access_ttl": 120,
                    "refresh_ttl": 600, "secret": "other", "rate_limit": true, "environment": "production"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"plugin": "v2", "host_profile": "custom-auth-header:X-Auth", "access_ttl": 120,
               "refresh_ttl": 600, "secret": "[redacted]", "rate_limit": true, "environment": "production"})
    );
    let (_, body) = control(
        &c,
        &server,
        "PUT",
        "/__mock/config",
        Some(json!({"secret": null, "environment": "local"})),
    )
    .await;
    assert_eq!(body["secret"], Value::Null);
    let text = login_request(&c, &server, config::DEMO_USERNAME, config::DEMO_PASSWORD)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains(r#""extras":[]"#));
    let (status, body) = control(
        &c,
        &server,
        "PUT",
        "/__mock/config",
        Some(json!({"sekret": "x"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("mock_invalid_request"))
    );
    let (status, _) = control(
        &c,
        &server,
        "PUT",
        "/__mock/config",
        Some(json!({"plugin": "v9"})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn status_faults_answer_with_a_wordpress_critical_error_n_times() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let (status, _) = control(
        &c,
        &server,
        "POST",
        "/__mock/faults",
        Some(json!({"path": "/wp-json/cocart/jwt/refresh-token", "times": 2, "kind": "status", "status": 503})),
    )
    .await;
    assert_eq!(status, 200);
    let critical = envelope(
        "internal_server_error",
        "<p>There has been a critical error on this website.</p>",
        503,
    );
    assert_eq!(
        refresh(&c, &server, &session.refresh).await,
        (503, critical.clone())
    );
    assert_eq!(
        refresh(&c, &server, &session.refresh).await,
        (503, critical)
    );
    assert_eq!(
        refresh(&c, &server, &session.refresh).await.0,
        200,
        "not consumed by the faults"
    );
    let statuses: Vec<u16> = server.journal().iter().skip(1).map(|e| e.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    let (status, _) = control(
        &c,
        &server,
        "POST",
        "/__mock/faults",
        Some(json!({"path": "/wp-json/x", "kind": "status", "status": 200})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn delay_faults_slow_the_request_down_then_handle_it() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    server
        .add_fault(FaultSpec::delay(
            "/wp-json/cocart/jwt/validate-token",
            300,
            1,
        ))
        .unwrap();
    let started = Instant::now();
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(validate(&c, &server, &session.token, None).await.0, 200);
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn a_delayed_request_whose_client_gave_up_is_journaled() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    server.clear_journal();
    server
        .add_fault(FaultSpec::delay("/wp-json/cocart/v2/cart", 1_500, 1))
        .unwrap();
    let err = c
        .get(url(&server, "/wp-json/cocart/v2/cart?probe=1"))
        .bearer_auth(&session.token)
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect_err("the client times out before the delayed answer");
    assert!(err.is_timeout(), "{err}");
    // Journaled while the client is gone and the request still sleeps.
    let journal = server.journal();
    assert_eq!(journal.len(), 1, "{journal:?}");
    let entry = &journal[0];
    assert_eq!(
        (
            entry.method.as_str(),
            entry.path.as_str(),
            entry.query.as_str()
        ),
        ("GET", "/wp-json/cocart/v2/cart", "probe=1")
    );
    assert_eq!((entry.status, entry.auth.as_str()), (0, "bearer"));
    // Once the delay has passed, still one entry for it.
    tokio::time::sleep(Duration::from_millis(1_700)).await;
    let journal = server.journal();
    assert_eq!(journal.len(), 1, "{journal:?}");
    assert_eq!(journal[0].path, "/wp-json/cocart/v2/cart");
}

#[tokio::test]
async fn drop_faults_close_the_connection_without_a_response() {
    let server = server().await;
    let c = client();
    let session = login(&c, &server).await;
    let (status, _) = control(
        &c,
        &server,
        "POST",
        "/__mock/faults",
        Some(json!({"path": "/wp-json/cocart/jwt/refresh-token", "kind": "drop"})),
    )
    .await;
    assert_eq!(status, 200);
    let err = c
        .post(url(&server, "/wp-json/cocart/jwt/refresh-token"))
        .json(&json!({"refresh_token": session.refresh}))
        .send()
        .await
        .expect_err("a transport error, not an HTTP response");
    assert!(err.status().is_none());
    let last = server.journal().last().cloned().unwrap();
    assert_eq!(
        (last.path.as_str(), last.status),
        ("/wp-json/cocart/jwt/refresh-token", 0)
    );
    assert_eq!(
        refresh(&c, &server, &session.refresh).await.0,
        200,
        "the server keeps serving"
    );
}

#[tokio::test]
async fn rest_route_requests_reach_the_same_handlers() {
    let server = server().await;
    let c = client();
    let resp = c
        .post(url(&server, "/?rest_route=/cocart/v2/login"))
        .header(
            "Authorization",
            basic(config::DEMO_USERNAME, config::DEMO_PASSWORD),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(status, 200);
    let token = body["extras"]["jwt_token"].as_str().unwrap().to_string();
    let resp = c
        .post(url(
            &server,
            "/index.php?rest_route=%2Fcocart%2Fjwt%2Fvalidate-token%2F",
        ))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = c
        .post(url(
            &server,
            &format!(
                "/?rest_route=/cocart/jwt/refresh-token&refresh_token={}",
                body["extras"]["jwt_refresh"].as_str().unwrap()
            ),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "other query parameters are kept");
}

#[tokio::test]
async fn control_routes_are_not_authenticated() {
    let server = server().await;
    let resp = client()
        .get(url(&server, "/__mock/clock"))
        .header("Authorization", "Bearer x.y.z")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(server.journal().is_empty());
}

#[tokio::test]
async fn many_servers_in_one_process_share_no_state() {
    let a = server().await;
    let b = server().await;
    let c = client();
    assert_ne!(a.base_url(), b.base_url());
    a.create_user("only-a", "only-a@example.com", "pw").unwrap();
    a.advance_clock(100_000);
    assert!(b.now() < a.now() - 50_000);
    assert_eq!(
        login_request(&c, &b, "only-a", "pw")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // A token from one server does not validate on another (different iss).
    let token = login(&c, &a).await.token;
    assert_eq!(validate(&c, &b, &token, None).await.0, 403);
    assert_eq!(a.journal().len(), 1);
    assert_eq!(b.journal().len(), 2);
}

#[tokio::test]
async fn debug_output_never_contains_secrets() {
    let server = MockServer::builder()
        .user("dbg", "very-secret-password")
        .secret(Some("s3cr3t-key"))
        .start()
        .await
        .unwrap();
    let session = login_as(&client(), &server, "dbg", "very-secret-password", None).await;
    let by_query = client()
        .post(url(&server, "/wp-json/cocart/v2/login"))
        .query(&[("username", "dbg"), ("password", "very-secret-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(by_query.status(), 200);
    assert!(
        server.journal()[1].query.contains("very-secret-password"),
        "JSON keeps the raw query"
    );
    // The whole inner state's `Debug` is checked by the crate's own tests (it is not public).
    let dumped = format!("{:?} {:?} {:?}", server, server.config(), server.journal());
    for secret in [
        "very-secret-password",
        "s3cr3t-key",
        session.token.as_str(),
        session.refresh.as_str(),
    ] {
        assert!(!dumped.contains(secret), "Debug leaked a secret");
    }
}
