//! Cancellation never splits state from events: a caller of login, logout or a refresh that is
//! dropped at any point (a Kotlin coroutine cancelled, a request handler timed out) leaves the
//! client, its session store and the events it sent agreeing on whether the user is signed in,
//! and on which token pair.
//!
//! Each case sweeps the moment of the cancel across every await of the operation: the HTTP
//! answer is slow (80 ms) and so is every save (a Keystore or DataStore, 120 ms).

mod common;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cocart::auth::claims::decode_unverified;
use cocart::clock::OffsetClock;
use cocart::{
    AuthEvent, AuthEvents, CoCartClient, MemoryStore, PersistedSession, SessionStore,
    SessionStoreError, Stored,
};
use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const HTTP_DELAY: Duration = Duration::from_millis(80);
const SAVE_DELAY: Duration = Duration::from_millis(120);
/// Cancel moments (ms after the call started): before the request, while it is in flight, while
/// the session is being saved, and after.
const CANCEL_AT_MS: [u64; 8] = [0, 10, 60, 90, 130, 190, 260, 400];

/// A store whose saves and clears take as long as a mobile keystore's.
#[derive(Default)]
struct SlowStore(MemoryStore);

#[async_trait]
impl SessionStore for SlowStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        self.0.load().await
    }
    async fn save(&self, expected: u64, s: &PersistedSession) -> Result<u64, SessionStoreError> {
        tokio::time::sleep(SAVE_DELAY).await;
        self.0.save(expected, s).await
    }
    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        tokio::time::sleep(SAVE_DELAY).await;
        self.0.clear(expected).await
    }
}

struct Setup {
    server: wiremock::MockServer,
    client: CoCartClient,
    store: Arc<SlowStore>,
    clock: OffsetClock,
    events: AuthEvents,
}

async fn setup() -> Setup {
    let server = store().await;
    let first = jwt(now(), 3600, "first");
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/login"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(login_body(&first, &refresh_token('a')))
                .set_delay(HTTP_DELAY),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/v2/logout"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "Logged out."}))
                .set_delay(HTTP_DELAY),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/cocart/jwt/refresh-token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({
                    "token": jwt(now() + 7200, 3600, "second"),
                    "refresh_token": refresh_token('b'),
                }))
                .set_delay(HTTP_DELAY),
        )
        .mount(&server)
        .await;
    let store = Arc::new(SlowStore::default());
    let clock = OffsetClock::new();
    let client = CoCartClient::builder(server.uri())
        .clock(clock.clone())
        .session_store_arc(store.clone())
        .build()
        .unwrap();
    let events = client.subscribe();
    Setup {
        server,
        client,
        store,
        clock,
        events,
    }
}

/// Whether the events so far leave the user signed in (the last of `SignedIn`/`SignedOut`), and
/// whether a rotation was announced.
async fn drain(events: &mut AuthEvents, signed_in: &mut bool, refreshed: &mut bool) {
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(20), events.recv()).await
    {
        match event {
            AuthEvent::InitialSession { user } => *signed_in = user.is_some(),
            AuthEvent::SignedIn { .. } => *signed_in = true,
            AuthEvent::SignedOut { .. } => *signed_in = false,
            AuthEvent::TokenRefreshed { saved } => {
                assert!(saved, "the store works: a rotation is saved");
                *refreshed = true;
            }
            _ => {}
        }
    }
}

/// After everything settled: memory, store and events agree.
async fn check_agreement(s: &mut Setup, what: &str, signed_in_by_events: bool) {
    let stored = s.store.load().await.unwrap();
    let stored_access = stored
        .session()
        .and_then(|p| p.access_token.as_ref())
        .map(|t| decode_unverified(t.expose_secret()).unwrap());
    assert_eq!(
        s.client.is_signed_in(),
        signed_in_by_events,
        "{what}: the client and its events disagree"
    );
    assert_eq!(
        s.client.token_claims(),
        stored_access,
        "{what}: the client and its store disagree"
    );
}

async fn settle() {
    tokio::time::sleep(HTTP_DELAY * 2 + SAVE_DELAY * 3).await;
}

#[tokio::test]
async fn a_cancelled_login_leaves_state_store_and_events_agreeing() {
    for at in CANCEL_AT_MS {
        let mut s = setup().await;
        let (mut signed_in, mut refreshed) = (false, false);
        let c = s.client.clone();
        let call = tokio::spawn(async move { c.login("jane", PASSWORD).await });
        tokio::time::sleep(Duration::from_millis(at)).await;
        call.abort();
        let _ = call.await;
        settle().await;
        drain(&mut s.events, &mut signed_in, &mut refreshed).await;
        check_agreement(&mut s, &format!("login cancelled at {at} ms"), signed_in).await;
    }
}

#[tokio::test]
async fn a_cancelled_logout_leaves_state_store_and_events_agreeing() {
    for at in CANCEL_AT_MS {
        let mut s = setup().await;
        let (mut signed_in, mut refreshed) = (false, false);
        s.client.login("jane", PASSWORD).await.unwrap();
        let c = s.client.clone();
        let call = tokio::spawn(async move { c.logout().await });
        tokio::time::sleep(Duration::from_millis(at)).await;
        call.abort();
        let _ = call.await;
        settle().await;
        drain(&mut s.events, &mut signed_in, &mut refreshed).await;
        check_agreement(&mut s, &format!("logout cancelled at {at} ms"), signed_in).await;
    }
}

#[tokio::test]
async fn a_cancelled_refresh_leaves_state_store_and_events_agreeing() {
    for at in CANCEL_AT_MS {
        let mut s = setup().await;
        let (mut signed_in, mut refreshed) = (false, false);
        s.client.login("jane", PASSWORD).await.unwrap();
        s.clock.advance(7200);
        let c = s.client.clone();
        let call = tokio::spawn(async move { c.refresh_now().await });
        tokio::time::sleep(Duration::from_millis(at)).await;
        call.abort();
        let _ = call.await;
        settle().await;
        drain(&mut s.events, &mut signed_in, &mut refreshed).await;
        let what = format!("refresh cancelled at {at} ms");
        check_agreement(&mut s, &what, signed_in).await;
        let rotated = s
            .client
            .token_claims()
            .is_some_and(|c| c.pat.as_deref() == Some("pat_second"));
        assert_eq!(
            rotated, refreshed,
            "{what}: a rotation in use was announced"
        );
        // The refresh ran to its end whatever the caller did: exactly one request.
        assert_eq!(
            requests_to(&s.server, "/wp-json/cocart/jwt/refresh-token")
                .await
                .len(),
            1,
            "{what}"
        );
    }
}
