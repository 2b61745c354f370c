//! Login and refresh responses: lenient shapes and redacted `Debug`.

use cocart::models::{LoginExtras, LoginResponse, RefreshResponse};
use serde_json::json;

const LOGIN_JWT: &str = include_str!("fixtures/login_jwt.json");
const LOGIN_BASIC: &str = include_str!("fixtures/login_basic_no_jwt.json");

fn login(text: &str) -> LoginResponse {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("login did not decode: {e}"))
}

#[test]
fn login_with_jwt_extras_and_string_user_id() {
    let l = login(LOGIN_JWT);
    assert_eq!(l.user_id, "42");
    assert_eq!(l.user_id_u64(), Some(42));
    assert_eq!(l.display_name, "Jane");
    assert_eq!(l.role, "Customer");
    assert_eq!(l.avatar_urls.len(), 3);
    assert!(l.avatar_urls.get("96").is_some_and(|u| u.contains("s=96")));
    assert!(l.extras.has_jwt());
    assert!(
        l.extras
            .jwt_token
            .as_deref()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert_eq!(l.extras.jwt_refresh.as_deref().map(str::len), Some(128));
    assert!(l.dev_note.starts_with("Don't forget"));
    // The WP_DEBUG `trace` key is kept aside and does not affect the typed fields.
    assert!(l.extra.contains_key("trace"));
}

#[test]
fn login_with_numeric_user_id_and_empty_arrays() {
    let l = login(LOGIN_BASIC);
    assert_eq!(l.user_id, "42");
    assert_eq!(l.user_id_u64(), Some(42));
    assert!(l.avatar_urls.is_empty(), "avatar_urls: [] decodes as empty");
    assert_eq!(
        l.extras,
        LoginExtras::default(),
        "extras: [] decodes as empty"
    );
    assert!(!l.extras.has_jwt());
    assert_eq!(l.role, "Customer, Subscriber");
}

#[test]
fn odd_token_values_never_become_tokens() {
    let l: LoginResponse = serde_json::from_value(json!({
        "user_id": "7",
        "extras": {"jwt_token": 1767225600, "jwt_refresh": null, "x_plugin": {"a": 1}}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.extras.jwt_token, None, "v1.0.x put time() here");
    assert_eq!(l.extras.jwt_refresh, None, "Bearer re-login may send null");
    assert!(l.extras.extra.contains_key("x_plugin"));

    let l: LoginResponse = serde_json::from_value(json!({
        "extras": {"jwt_token": {"errors": {"cocart_jwt_auth_bad_config": ["JWT configuration error."]}}}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        l.extras.jwt_token, None,
        "a serialised WP_Error is not a token"
    );
    assert_eq!(l.user_id_u64(), None);
}

#[test]
fn debug_output_redacts_tokens() {
    let l = login(LOGIN_JWT);
    let token = l.extras.jwt_token.clone().unwrap_or_default();
    let refresh = l.extras.jwt_refresh.clone().unwrap_or_default();
    assert!(!token.is_empty() && !refresh.is_empty());
    for text in [
        format!("{l:?}"),
        format!("{l:#?}"),
        format!("{:?}", l.extras),
    ] {
        assert!(!text.contains(&token), "token leaked: {text}");
        assert!(!text.contains(&refresh), "refresh token leaked: {text}");
        assert!(!text.contains("eyJ"), "JWT prefix leaked: {text}");
        assert!(text.contains("[redacted]"));
    }
    assert!(
        format!("{l:?}").contains("Jane"),
        "non-secret fields are still printed"
    );
}

#[test]
fn refresh_response_decodes_and_redacts() {
    let r: RefreshResponse = serde_json::from_value(json!({
        "token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln",
        "refresh_token": "ab".repeat(64),
        "x_debug": "sensitive-looking"
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.token, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln");
    assert_eq!(r.refresh_token.len(), 128);
    let text = format!("{r:?}");
    assert!(
        !text.contains("eyJ") && !text.contains("abab") && !text.contains("sensitive-looking"),
        "{text}"
    );
    assert!(
        text.contains("x_debug"),
        "unknown keys are named, not printed"
    );
}
