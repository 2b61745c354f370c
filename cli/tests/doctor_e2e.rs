//! `cocart doctor` against `cocart-mock` in each host profile and plugin profile: the structured
//! diagnosis (calling `diagnose` directly) and the binary's checklist and exit code.

use std::process::Command;

use cocart_cli::doctor::{
    CheckId, DoctorOptions, DoctorReport, HeaderReach, JwtPlugin, Status, diagnose,
};
use cocart_mock::{Environment, HostProfile, MockServer, PluginVersion};

async fn server(profile: HostProfile, plugin: PluginVersion) -> MockServer {
    MockServer::builder()
        .host_profile(profile)
        .plugin(plugin)
        .start()
        .await
        .unwrap()
}

fn fixes(r: &DoctorReport, id: CheckId) -> String {
    r.check(id).map(|c| c.fix.join("\n")).unwrap_or_default()
}

fn detail(r: &DoctorReport, id: CheckId) -> String {
    r.check(id).map(|c| c.detail.clone()).unwrap_or_default()
}

/// Runs the binary (off the runtime, so the in-process mock keeps serving).
async fn doctor_bin(args: Vec<String>) -> (i32, String) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_cocart"))
            .arg("doctor")
            .args(&args)
            .env_remove("COCART_STORE_URL")
            .env_remove("COCART_AUTH_HEADER")
            .env_remove("COCART_PASSWORD")
            .env_remove("COCART_USERNAME")
            .output()
            .expect("the cocart binary runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_v3_store_passes_every_check() {
    let s = server(HostProfile::Standard, PluginVersion::V3).await;
    let r = diagnose(&DoctorOptions::new(s.base_url()).login("demo", "demo-password")).await;
    assert!(r.ok(), "{}", r.to_text());
    assert_eq!(r.warnings(), 0, "{}", r.to_text());
    assert_eq!(r.jwt_plugin, Some(JwtPlugin::V3));
    assert_eq!(r.authorization_header, Some(HeaderReach::Arrives));
    assert_eq!(r.cocart_version.as_deref(), Some("4.9.3"));
    for id in [
        CheckId::Reachable,
        CheckId::Https,
        CheckId::CoCart,
        CheckId::JwtPlugin,
        CheckId::AuthorizationHeader,
        CheckId::Login,
        CheckId::Token,
        CheckId::Refresh,
        CheckId::Clock,
        CheckId::RateLimit,
    ] {
        assert_eq!(r.status(id), Status::Pass, "{id:?}: {}", r.to_text());
    }
    assert!(detail(&r, CheckId::JwtPlugin).contains("cocart_jwt_auth_missing_refresh_token"));
    assert!(r.clock_skew_seconds.is_some_and(|s| s.abs() <= 2));
    assert_eq!(r.validate_calls, 2);
    // The doctor does not log out: no logout call reached the store.
    assert!(
        s.journal()
            .iter()
            .all(|e| e.path != "/wp-json/cocart/v2/logout")
    );

    let (code, out) = doctor_bin(vec![s.base_url().to_string()]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✓ JWT plugin"), "{out}");
    assert!(out.contains("All checks passed"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_strips_authorization_gets_the_htaccess_fix_and_exit_5() {
    let s = server(HostProfile::StripAuthorization, PluginVersion::V3).await;
    let r = diagnose(&DoctorOptions::new(s.base_url()).login("demo", "demo-password")).await;
    assert!(!r.ok());
    assert_eq!(r.authorization_header, Some(HeaderReach::Stripped));
    assert_eq!(r.status(CheckId::AuthorizationHeader), Status::Fail);
    assert!(detail(&r, CheckId::AuthorizationHeader).contains("rest_forbidden"));
    let fix = fixes(&r, CheckId::AuthorizationHeader);
    assert!(
        fix.contains("RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]"),
        "{fix}"
    );
    assert!(
        fix.contains("SetEnvIf Authorization \"(.*)\" HTTP_AUTHORIZATION=$1"),
        "{fix}"
    );
    assert!(
        fix.contains("Authorization Header") && fix.contains("auth_header_name"),
        "{fix}"
    );
    // The plugin is still recognised from its routes (the refresh probe needs no header).
    assert_eq!(r.jwt_plugin, Some(JwtPlugin::V3));
    assert_eq!(r.status(CheckId::Login), Status::Fail);
    assert!(detail(&r, CheckId::Login).contains("guest"));
    assert_eq!(r.status(CheckId::Token), Status::Skip);

    let (code, out) = doctor_bin(vec![s.base_url().to_string()]).await;
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("✗ Authorization header"), "{out}");
    assert!(out.contains("fix: Apache"), "{out}");
    let (code, json) = doctor_bin(vec![s.base_url().to_string(), "--json".into()]).await;
    assert_eq!(code, 5);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["authorization_header"], "stripped");
    assert_eq!(v["jwt_plugin"], "v3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_auth_header_store_is_checked_and_used_for_the_login() {
    let s = server(
        HostProfile::CustomAuthHeader("X-CoCart-Auth".into()),
        PluginVersion::V3,
    )
    .await;
    let opts = DoctorOptions::new(s.base_url())
        .login("demo", "demo-password")
        .auth_header("X-CoCart-Auth");
    let r = diagnose(&opts).await;
    assert!(r.ok(), "{}", r.to_text());
    assert_eq!(r.status(CheckId::CustomAuthHeader), Status::Pass);
    assert_eq!(r.status(CheckId::Login), Status::Pass);
    assert!(detail(&r, CheckId::Login).contains("credentials in X-CoCart-Auth"));
    assert!(r.validate_calls <= 3);
    let logins: Vec<String> = s
        .journal()
        .into_iter()
        .filter(|e| e.path == "/wp-json/cocart/v2/login" && e.status == 200)
        .map(|e| e.auth)
        .collect();
    assert_eq!(logins.len(), 1, "one real login");

    // On a store without the setting, the same header is answered as a guest: say what to set.
    let plain = server(HostProfile::Standard, PluginVersion::V3).await;
    let r = diagnose(&DoctorOptions::new(plain.base_url()).auth_header("X-CoCart-Auth")).await;
    assert_eq!(r.status(CheckId::CustomAuthHeader), Status::Fail);
    assert!(fixes(&r, CheckId::CustomAuthHeader).contains("HTTP_X_COCART_AUTH"));
    assert_eq!(r.status(CheckId::AuthorizationHeader), Status::Pass);
    let (code, _) = doctor_bin(vec![
        plain.base_url().to_string(),
        "--auth-header".into(),
        "X-CoCart-Auth".into(),
    ])
    .await;
    assert_eq!(code, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v2_plugin_is_recognised_by_its_401_and_works_with_a_warning() {
    let s = server(HostProfile::Standard, PluginVersion::V2).await;
    let r = diagnose(&DoctorOptions::new(s.base_url()).login("demo", "demo-password")).await;
    assert_eq!(r.jwt_plugin, Some(JwtPlugin::V2));
    assert_eq!(r.status(CheckId::JwtPlugin), Status::Warn);
    assert!(detail(&r, CheckId::JwtPlugin).contains("HTTP 401 cocart_authentication_error"));
    assert!(fixes(&r, CheckId::JwtPlugin).contains("update to 3.x"));
    assert_eq!(r.authorization_header, Some(HeaderReach::Arrives));
    assert_eq!(r.status(CheckId::Login), Status::Pass);
    assert_eq!(r.status(CheckId::Refresh), Status::Pass);
    assert!(r.ok(), "{}", r.to_text());
    let (code, out) = doctor_bin(vec![s.base_url().to_string()]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("! JWT plugin"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_a_jwt_secret_is_told_to_define_it() {
    let s = MockServer::builder().secret(None).start().await.unwrap();
    let r = diagnose(&DoctorOptions::new(s.base_url()).login("demo", "demo-password")).await;
    assert_eq!(r.jwt_plugin, Some(JwtPlugin::NotConfigured));
    assert_eq!(r.status(CheckId::JwtPlugin), Status::Fail);
    assert!(fixes(&r, CheckId::JwtPlugin).contains("COCART_JWT_AUTH_SECRET_KEY"));
    assert_eq!(r.status(CheckId::Login), Status::Fail);
    assert!(
        detail(&r, CheckId::Login).contains("\"extras\": []"),
        "{}",
        r.to_text()
    );
    assert!(fixes(&r, CheckId::Login).contains("COCART_JWT_AUTH_SECRET_KEY"));
    // The bad_config answer to a Bearer still proves the header arrives.
    assert_eq!(r.authorization_header, Some(HeaderReach::Arrives));
    let (code, _) = doctor_bin(vec![s.base_url().to_string()]).await;
    assert_eq!(code, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_site_over_plain_http_refuses_basic_login() {
    let s = MockServer::builder()
        .environment(Environment::Production)
        .start()
        .await
        .unwrap();
    let r = diagnose(&DoctorOptions::new(s.base_url())).await;
    assert_eq!(
        r.authorization_header,
        Some(HeaderReach::BasicRefusedOverPlainHttp)
    );
    assert_eq!(r.status(CheckId::AuthorizationHeader), Status::Fail);
    assert!(fixes(&r, CheckId::AuthorizationHeader).contains("HTTPS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limiting_is_reported_without_hammering() {
    let s = MockServer::builder()
        .rate_limit(true)
        .start()
        .await
        .unwrap();
    let opts = DoctorOptions::new(s.base_url()).login("demo", "demo-password");
    let first = diagnose(&opts).await;
    assert_eq!(first.validate_calls, 2);
    assert!(!first.rate_limited);
    assert!(
        detail(&first, CheckId::RateLimit).contains("rate limiting is on"),
        "{}",
        first.to_text()
    );

    // An app validated once more within the same minute: the limit of 2 is used up.
    let app = cocart::CoCartClient::builder(s.base_url()).build().unwrap();
    app.login("demo", "demo-password").await.unwrap();
    app.validate_token().await.unwrap();
    let second = diagnose(&opts).await;
    assert!(second.rate_limited, "{}", second.to_text());
    assert_eq!(second.status(CheckId::Token), Status::Warn);
    assert_eq!(second.status(CheckId::RateLimit), Status::Warn);
    let d = detail(&second, CheckId::RateLimit);
    assert!(d.contains("429") && d.contains("Retry-After"), "{d}");
    assert!(fixes(&second, CheckId::RateLimit).contains("never poll validate-token"));
    assert!(second.validate_calls <= 3);
    assert!(
        second.ok(),
        "rate limiting is a warning: {}",
        second.to_text()
    );
    let validate_calls = s
        .journal()
        .iter()
        .filter(|e| e.path == "/wp-json/cocart/jwt/validate-token")
        .count();
    assert!(
        validate_calls <= 7,
        "two doctor runs, at most 3 calls each, and the app's: {validate_calls}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_skew_is_measured_from_the_token() {
    let s = MockServer::start().await.unwrap();
    s.advance_clock(7200);
    let r = diagnose(&DoctorOptions::new(s.base_url()).login("demo", "demo-password")).await;
    let skew = r.clock_skew_seconds.unwrap();
    assert!((7195..=7205).contains(&skew), "{skew}");
    assert_eq!(r.status(CheckId::Clock), Status::Warn);
    assert!(
        detail(&r, CheckId::Clock).contains("2h 0m ahead of"),
        "{}",
        r.to_text()
    );
    assert!(r.ok(), "a skew is a warning: the SDK is not affected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_store_and_a_site_without_cocart_stop_early() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let r = diagnose(&DoctorOptions::new(&dead)).await;
    assert_eq!(r.status(CheckId::Reachable), Status::Fail);
    assert_eq!(r.status(CheckId::JwtPlugin), Status::Skip);
    assert!(!r.ok());

    // A WordPress without CoCart: every REST route is 404 rest_no_route.
    let app = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}})),
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let r = diagnose(&DoctorOptions::new(&url)).await;
    assert_eq!(r.status(CheckId::Reachable), Status::Pass);
    assert_eq!(r.status(CheckId::CoCart), Status::Fail);
    assert!(fixes(&r, CheckId::CoCart).contains("install and activate CoCart"));
    assert_eq!(r.status(CheckId::AuthorizationHeader), Status::Skip);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_rest_root_is_read_as_the_site_root() {
    let server = server(HostProfile::Standard, PluginVersion::V3).await;
    // What the mock's banner prints as the REST API, and a route under it.
    for pasted in [
        format!("{}/wp-json/cocart/v2/", server.base_url()),
        format!("{}/wp-json/cocart/v2/products", server.base_url()),
    ] {
        let r = diagnose(&DoctorOptions::new(&pasted)).await;
        assert_eq!(
            r.check(CheckId::CoCart).map(|c| c.status),
            Some(Status::Pass),
            "{pasted}: {}",
            detail(&r, CheckId::CoCart)
        );
        assert!(r.ok(), "{pasted}: {}", r.to_text());
    }
    let (code, out) = doctor_bin(vec![format!("{}/wp-json/cocart/v2/", server.base_url())]).await;
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("install and activate CoCart"), "{out}");
}

/// A store route that answers like CoCart without WP_DEBUG: no `CoCart-Version` header and no
/// `version` in the body (every other route is missing).
async fn store_without_a_version() -> (String, tokio::task::JoinHandle<()>) {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/wp-json/cocart/v2/store",
        get(|| async { axum::Json(serde_json::json!({"title": "Quiet Shop"})) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_says_when_it_cannot_read_the_cocart_version_and_what_that_weakens() {
    let (url, task) = store_without_a_version().await;
    let r = diagnose(&DoctorOptions::new(&url)).await;
    let cocart = detail(&r, CheckId::CoCart);
    assert!(
        cocart.contains("CoCart version is not readable"),
        "{cocart}"
    );
    assert!(cocart.contains("4.3 or later"), "{cocart}");
    assert!(cocart.contains("Authorization Header"), "{cocart}");
    assert_eq!(r.cocart_version, None);
    // The mock says its version: nothing about it then.
    let server = server(HostProfile::Standard, PluginVersion::V3).await;
    let known = diagnose(&DoctorOptions::new(server.base_url())).await;
    assert!(known.cocart_version.is_some());
    assert!(
        !detail(&known, CheckId::CoCart).contains("not readable"),
        "{}",
        detail(&known, CheckId::CoCart)
    );
    task.abort();
}
