//! The token store: restore at start, honest "unavailable", and rotated pairs that survive a
//! cancelled caller.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart::{
    CoCartClient, Error, MemoryStore, PersistedSession, SessionStore, SessionStoreError, Stored,
};
use common::*;

use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

/// A store that can be "locked" like a Keychain before first unlock.
#[derive(Default)]
struct LockableStore {
    locked: AtomicBool,
    inner: MemoryStore,
}

#[async_trait]
impl SessionStore for LockableStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        if self.locked.load(Ordering::SeqCst) {
            return Err(SessionStoreError::Unavailable("device locked".into()));
        }
        self.inner.load().await
    }
    async fn save(&self, expected: u64, s: &PersistedSession) -> Result<u64, SessionStoreError> {
        self.inner.save(expected, s).await
    }
    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        self.inner.clear(expected).await
    }
}

fn saved(token: &str, refresh: char) -> PersistedSession {
    let mut session = PersistedSession::default();
    session.access_token = Some(cocart::AccessToken::new(token));
    session.refresh_token = Some(cocart::RefreshToken::new(refresh_token(refresh)));
    session.token_received_at = now();
    session
}

#[tokio::test]
async fn restore_session_uses_the_stored_token() {
    let server = store().await;
    let token = jwt(now(), 3600, "r");
    let bearer = format!("Bearer {token}");
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/cart"))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("7")))
        .expect(1)
        .mount(&server)
        .await;
    let store = MemoryStore::new();
    store.save(0, &saved(&token, 'r')).await.unwrap();
    let client = CoCartClient::builder(server.uri())
        .session_store(store)
        .build()
        .unwrap();
    assert!(!client.is_signed_in());
    client.restore_session().await.unwrap();
    assert!(client.is_signed_in());
    client.cart().get(&CartQuery::default()).await.unwrap();
}

#[tokio::test]
async fn an_unavailable_store_is_an_error_and_never_a_sign_out() {
    let store = Arc::new(LockableStore::default());
    store
        .inner
        .save(0, &saved(&jwt(now(), 3600, "u"), 'u'))
        .await
        .unwrap();
    store.locked.store(true, Ordering::SeqCst);
    let client = CoCartClient::builder("https://shop.example")
        .session_store_arc(store.clone())
        .build()
        .unwrap();
    let err = client.restore_session().await.unwrap_err();
    assert!(
        matches!(err, Error::Storage(SessionStoreError::Unavailable(_))),
        "{err:?}"
    );
    // The stored session is untouched; once unlocked it restores.
    store.locked.store(false, Ordering::SeqCst);
    client.restore_session().await.unwrap();
    assert!(client.is_signed_in());
}

#[tokio::test]
async fn the_rotated_pair_is_saved_even_when_the_caller_is_cancelled() {
    let server = store().await;
    let clock = OffsetClock::new();
    let store = Arc::new(MemoryStore::new());
    let old = jwt(now(), 3600, "a");
    mount_login(&server, &old, &refresh_token('a')).await;
    let new = jwt(now(), 3600, "b");
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/jwt/refresh-token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token": new, "refresh_token": refresh_token('b')}))
                .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let bearer = format!("Bearer {new}");
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/cart"))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("7")))
        .mount(&server)
        .await;
    let client = CoCartClient::builder(server.uri())
        .clock(clock.clone())
        .session_store_arc(store.clone())
        .build()
        .unwrap();
    client.login("jane", PASSWORD).await.unwrap();
    clock.advance(7200);
    // Like a Kotlin coroutine cancelled mid-refresh: the caller's future is dropped.
    let caller = {
        let c = client.clone();
        tokio::spawn(async move { c.cart().get(&CartQuery::default()).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    caller.abort();
    assert!(caller.await.unwrap_err().is_cancelled());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let Stored::Session(persisted) = store.load().await.unwrap() else {
        panic!("a session is stored")
    };
    assert_eq!(
        persisted.refresh_token.unwrap().expose_secret(),
        refresh_token('b')
    );
    assert_eq!(persisted.access_token.unwrap().expose_secret(), new);
    // The next call uses the new token without another refresh (expect(1) above).
    client.cart().get(&CartQuery::default()).await.unwrap();
}

#[tokio::test]
async fn the_guest_cart_key_is_persisted_and_restored() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/cart"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(empty_cart("t_0123456789abcdef0123456789abcd")),
        )
        .mount(&server)
        .await;
    let store = Arc::new(MemoryStore::new());
    let client = CoCartClient::builder(server.uri())
        .session_store_arc(store.clone())
        .build()
        .unwrap();
    client.cart().get(&CartQuery::default()).await.unwrap();
    // Saved before the call returned: an app killed right now keeps its cart.
    let Stored::Session(persisted) = store.load().await.unwrap() else {
        panic!("a session is stored")
    };
    assert_eq!(
        persisted.cart_key.as_deref(),
        Some("t_0123456789abcdef0123456789abcd")
    );
    let restarted = CoCartClient::builder(server.uri())
        .session_store_arc(store.clone())
        .build()
        .unwrap();
    restarted.restore_session().await.unwrap();
    assert_eq!(
        restarted.cart_key().as_deref(),
        Some("t_0123456789abcdef0123456789abcd")
    );
    restarted.cart().get(&CartQuery::default()).await.unwrap();
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(
        last.url.query(),
        Some("cart_key=t_0123456789abcdef0123456789abcd")
    );
}
