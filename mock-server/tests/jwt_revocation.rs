//! Revocation: logout, password/email change, user deletion.

mod common;

use cocart_mock::{MockServer, config};
use common::*;
use serde_json::json;

/// Every token and refresh token of these sessions is dead.
async fn assert_all_dead(c: &reqwest::Client, server: &MockServer, sessions: &[Login]) {
    for s in sessions {
        assert_eq!(validate(c, server, &s.token, None).await.0, 403);
        assert_eq!(
            refresh(c, server, &s.refresh).await,
            (
                403,
                envelope("cocart_authentication_error", "Invalid refresh token.", 403)
            )
        );
    }
}

#[tokio::test]
async fn jwt_28_logout_with_a_bearer_revokes_every_session_of_the_user() {
    let server = server().await;
    let c = client();
    let a = login(&c, &server).await;
    let b = login(&c, &server).await;
    let other_id = server
        .create_user("zoe", "zoe@example.com", "zoe-pw")
        .unwrap();
    let zoe = login_as(&c, &server, "zoe", "zoe-pw", None).await;
    let resp = c
        .post(url(&server, "/wp-json/cocart/v2/logout"))
        .header("Authorization", bearer(&a.token))
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await, (200, json!(true)));
    assert_all_dead(&c, &server, &[a, b]).await;
    assert_eq!(
        validate(&c, &server, &zoe.token, None).await.0,
        200,
        "user {other_id} keeps hers"
    );
    // Logging in again opens a fresh session.
    let again = login(&c, &server).await;
    assert_eq!(validate(&c, &server, &again.token, None).await.0, 200);
}

#[tokio::test]
async fn jwt_28_logout_as_a_guest_is_still_true() {
    let server = server().await;
    let resp = client()
        .post(url(&server, "/wp-json/cocart/v2/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(resp).await, (200, json!(true)));
}

#[tokio::test]
async fn jwt_29_password_change_revokes_every_token() {
    let server = server().await;
    let c = client();
    let sessions = [login(&c, &server).await, login(&c, &server).await];
    let resp = c
        .patch(url(&server, &format!("/__mock/users/{DEMO_ID}")))
        .json(&json!({"password": "new-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_all_dead(&c, &server, &sessions).await;
    let old = login_request(&c, &server, config::DEMO_USERNAME, config::DEMO_PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);
    login_as(&c, &server, config::DEMO_USERNAME, "new-password", None).await;
}

#[tokio::test]
async fn jwt_29_email_change_revokes_every_token() {
    let server = server().await;
    let c = client();
    let sessions = [login(&c, &server).await];
    // The same email again is no change: tokens live.
    server
        .update_user(DEMO_ID, None, Some(config::DEMO_EMAIL))
        .unwrap();
    assert_eq!(validate(&c, &server, &sessions[0].token, None).await.0, 200);
    server
        .update_user(DEMO_ID, None, Some("renamed@example.com"))
        .unwrap();
    assert_all_dead(&c, &server, &sessions).await;
    login_as(
        &c,
        &server,
        "renamed@example.com",
        config::DEMO_PASSWORD,
        None,
    )
    .await;
}

#[tokio::test]
async fn jwt_29_user_deletion_revokes_every_token() {
    let server = server().await;
    let c = client();
    let sessions = [login(&c, &server).await, login(&c, &server).await];
    let resp = c
        .delete(url(&server, &format!("/__mock/users/{DEMO_ID}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_all_dead(&c, &server, &sessions).await;
    assert!(server.delete_user(DEMO_ID).is_err(), "already gone");
}
