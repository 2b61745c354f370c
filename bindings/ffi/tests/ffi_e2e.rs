//! The exported API against a real `cocart-mock` on loopback, called the way Swift and Kotlin
//! call it: from plain threads, futures driven by a non-tokio executor. Any "no reactor running"
//! would fail these tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cocart_ffi::records::{AddItemRequest, ProductQuery, ProductRef};
use cocart_ffi::{
    AuthEvent, AuthEventListener, ClientConfig, CoCartClient, CoCartError, ListenerError,
    SessionStore, SignOutReason, StoreFailure, ValidationKind,
};
use cocart_mock::{FaultSpec, MockServer};
use futures::executor::block_on;

const REFRESH_PATH: &str = "/wp-json/cocart/jwt/refresh-token";
const ACCESS_TTL: i64 = 3600;

/// The mock on its own runtime, as a separate process would be.
struct Mock {
    server: Option<MockServer>,
    rt: tokio::runtime::Runtime,
}

impl Mock {
    fn start() -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let server = rt
            .block_on(MockServer::builder().access_ttl(ACCESS_TTL as u64).start())
            .unwrap();
        Self {
            server: Some(server),
            rt,
        }
    }

    fn server(&self) -> &MockServer {
        self.server.as_ref().unwrap()
    }

    fn config(&self, skew: i64) -> ClientConfig {
        ClientConfig {
            store_url: self.server().base_url().to_string(),
            user_agent: None,
            timeout_seconds: Some(10),
            connect_timeout_seconds: None,
            refresh_leeway_seconds: None,
            auth_header_name: None,
            allow_insecure_http: false,
            read_retries: None,
            rest_style: None,
            send_cart_key_header: false,
            clock_skew_seconds: skew,
            transfer_policy: None,
            customer_only: false,
        }
    }

    fn refreshes(&self) -> Vec<u16> {
        self.server()
            .journal()
            .into_iter()
            .filter(|e| e.path == REFRESH_PATH)
            .map(|e| e.status)
            .collect()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.shutdown());
        }
    }
}

/// An app-side token store: one string in memory.
#[derive(Default)]
struct MemoryStore {
    value: Mutex<Option<String>>,
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn load(&self) -> Result<Option<String>, StoreFailure> {
        Ok(self.value.lock().unwrap().clone())
    }
    async fn save(&self, session: String) -> Result<(), StoreFailure> {
        *self.value.lock().unwrap() = Some(session);
        Ok(())
    }
    async fn clear(&self) -> Result<(), StoreFailure> {
        *self.value.lock().unwrap() = None;
        Ok(())
    }
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<AuthEvent>>,
}

impl AuthEventListener for Recorder {
    fn on_event(&self, event: AuthEvent) -> Result<(), ListenerError> {
        self.events.lock().unwrap().push(event);
        Ok(())
    }
}

impl Recorder {
    fn wait_for(&self, n: usize) -> Vec<AuthEvent> {
        for _ in 0..200 {
            let events = self.events.lock().unwrap().clone();
            if events.len() >= n {
                return events;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.events.lock().unwrap().clone()
    }
}

fn tshirt(quantity: f64) -> AddItemRequest {
    AddItemRequest {
        product: ProductRef::Sku {
            sku: "MOCK-TSHIRT".into(),
        },
        quantity,
        variation: HashMap::new(),
        item_data: HashMap::new(),
        email: None,
        phone: None,
    }
}

/// Logs in with a store, then returns a second client that restored that session and sees it
/// as expired (the mock's clock moved past the access token's lifetime; the client's skew too).
fn expired_session(mock: &Mock) -> Arc<CoCartClient> {
    let store = Arc::new(MemoryStore::default());
    let first = CoCartClient::new(mock.config(0), Some(store.clone())).unwrap();
    block_on(first.login("demo".into(), "demo-password".into())).unwrap();
    mock.server().advance_clock(2 * ACCESS_TTL);
    mock.server().clear_journal();
    let second = CoCartClient::new(mock.config(2 * ACCESS_TTL), Some(store)).unwrap();
    assert!(block_on(second.restore_session()).unwrap().is_some());
    second
}

#[test]
fn login_cart_and_events_work_without_an_ambient_runtime() {
    let mock = Mock::start();
    let client = CoCartClient::new(mock.config(0), None).unwrap();
    let recorder = Arc::new(Recorder::default());
    let subscription = client.subscribe(recorder.clone()).unwrap();

    let user = block_on(client.login("demo".into(), "demo-password".into())).unwrap();
    assert_eq!(user.username.as_deref(), Some("demo"));
    assert!(client.is_signed_in());

    let cart = block_on(client.cart().add_item(tshirt(2.0))).unwrap();
    let line = cart.items.iter().find(|i| i.sku == "MOCK-TSHIRT").unwrap();
    assert_eq!(line.quantity, 2.0);
    assert_eq!(line.price.minor, 1250);
    assert_eq!(cart.totals.subtotal.minor, 2500);
    assert_eq!(cart.totals.subtotal.formatted, "$25.00");

    let again = block_on(client.cart().get()).unwrap();
    assert_eq!(again.items.len(), 1);
    let one = block_on(client.cart().item(line.item_key.clone())).unwrap();
    assert_eq!(one.id, 101);
    assert_eq!(one.price.formatted, "$12.50");
    assert_eq!(block_on(client.cart().items()).unwrap(), vec![one]);
    // The core's error for a key that names no line, as Rust callers get it.
    assert_eq!(
        block_on(client.cart().item("no-such-line".into())).unwrap_err(),
        CoCartError::Validation {
            code: "cocart_item_not_in_cart".into(),
            message: "no line \"no-such-line\" in the cart".into(),
            kind: ValidationKind::ItemNotInCart,
            status: Some(404),
        }
    );
    assert_eq!(block_on(client.cart().count()).unwrap(), 2.0);
    assert_eq!(
        block_on(client.cart().totals()).unwrap().subtotal.minor,
        2500
    );

    let events = recorder.wait_for(2);
    assert_eq!(events[0], AuthEvent::InitialSession { user: None });
    assert!(matches!(&events[1], AuthEvent::SignedIn { user } if user.id == user_id(&client)));

    let out = block_on(client.logout()).unwrap();
    assert!(out.server_confirmed);
    let events = recorder.wait_for(3);
    assert_eq!(
        events[2],
        AuthEvent::SignedOut {
            reason: SignOutReason::LoggedOut
        }
    );
    subscription.cancel();
    assert!(!subscription.is_active());
}

fn user_id(client: &CoCartClient) -> i64 {
    client.current_user().map(|u| u.id).unwrap_or_default()
}

#[test]
fn the_catalog_reads_by_id_sku_and_page() {
    let mock = Mock::start();
    let client = CoCartClient::new(mock.config(0), None).unwrap();
    let catalog = client.catalog();
    let page = block_on(catalog.products(ProductQuery {
        per_page: Some(3),
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(page.products.len(), 3);
    assert!(page.has_next);
    let by_sku = block_on(catalog.product(ProductRef::Sku {
        sku: "MOCK-POSTER".into(),
    }))
    .unwrap();
    assert_eq!(by_sku.id, 105);
    assert!(!by_sku.in_stock);
    let hoodie = block_on(catalog.variations(201)).unwrap();
    assert_eq!(hoodie.len(), 4);
    assert!(!block_on(catalog.categories()).unwrap().is_empty());
}

#[test]
fn errors_tell_the_app_what_to_do() {
    let mock = Mock::start();
    let client = CoCartClient::new(mock.config(0), None).unwrap();
    let wrong = block_on(client.login("demo".into(), "wrong".into())).unwrap_err();
    assert!(matches!(wrong, CoCartError::InvalidCredentials { .. }));
    assert_eq!(
        block_on(client.logout()).unwrap_err(),
        CoCartError::NotSignedIn
    );
    let poster = AddItemRequest {
        product: ProductRef::Id { id: 105 },
        ..tshirt(1.0)
    };
    match block_on(client.cart().add_item(poster)).unwrap_err() {
        CoCartError::Validation { code, kind, .. } => {
            assert_eq!(code, "cocart_product_out_of_stock");
            assert_eq!(kind, ValidationKind::OutOfStock);
        }
        other => panic!("expected Validation, got {other:?}"),
    }
    assert!(matches!(
        CoCartClient::new(
            ClientConfig {
                refresh_leeway_seconds: Some(5),
                ..mock.config(0)
            },
            None
        ),
        Err(CoCartError::InvalidConfig { .. })
    ));
    // Kotlin `Int` / Swift `Int32` settings: a negative one is refused, naming the setting.
    for config in [
        ClientConfig {
            timeout_seconds: Some(-1),
            ..mock.config(0)
        },
        ClientConfig {
            read_retries: Some(-2),
            ..mock.config(0)
        },
    ] {
        match CoCartClient::new(config, None) {
            Err(CoCartError::InvalidConfig { detail }) => {
                assert!(detail.contains("must not be negative"), "{detail}")
            }
            other => panic!("expected InvalidConfig, got {other:?}"),
        }
    }
}

#[test]
fn fifty_concurrent_calls_with_an_expired_token_refresh_once() {
    let mock = Mock::start();
    let client = expired_session(&mock);
    let calls = (0..50).map(|_| {
        let cart = client.cart();
        async move { cart.get().await }
    });
    let results = block_on(futures::future::join_all(calls));
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(mock.refreshes(), vec![200]);
}

#[test]
fn a_call_dropped_during_the_refresh_keeps_the_session() {
    let mock = Mock::start();
    let client = expired_session(&mock);
    mock.server()
        .add_fault(FaultSpec::delay(REFRESH_PATH, 1500, 1))
        .unwrap();
    // Start a call, let it reach the refresh, then drop it (what Kotlin does on cancel).
    let cart_api = client.cart();
    let mut call = Box::pin(cart_api.get());
    let started = std::time::Instant::now();
    let waker = futures::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    while started.elapsed() < Duration::from_millis(300) {
        assert!(call.as_mut().poll(&mut cx).is_pending());
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(call);
    // The refresh goes on without the caller and completes on its own (the journal lists a
    // request on arrival with status 0 until it is answered).
    let mut refreshes = mock.refreshes();
    for _ in 0..300 {
        if !refreshes.is_empty() && !refreshes.contains(&0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        refreshes = mock.refreshes();
    }
    assert_eq!(refreshes, vec![200]);
    let cart = block_on(client.cart().get());
    assert!(cart.is_ok(), "{cart:?}");
    assert!(client.is_signed_in());
    assert_eq!(mock.refreshes(), vec![200]);
}

#[test]
fn a_dropped_subscription_stops_delivering() {
    let mock = Mock::start();
    let client = CoCartClient::new(mock.config(0), None).unwrap();
    let recorder = Arc::new(Recorder::default());
    let subscription = client.subscribe(recorder.clone()).unwrap();
    assert_eq!(recorder.wait_for(1).len(), 1);
    drop(subscription);
    block_on(client.login("demo".into(), "demo-password".into())).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(recorder.events.lock().unwrap().len(), 1);
}

#[test]
fn a_customer_only_client_never_turns_into_a_guest_after_its_session_ends() {
    let mock = Mock::start();
    let client = CoCartClient::new(
        ClientConfig {
            customer_only: true,
            ..mock.config(0)
        },
        None,
    )
    .unwrap();
    block_on(client.login("demo".into(), "demo-password".into())).unwrap();
    assert!(block_on(client.cart().get()).is_ok());
    block_on(client.logout()).unwrap();
    mock.server().clear_journal();
    assert_eq!(
        block_on(client.cart().get()).unwrap_err(),
        CoCartError::SessionExpired {
            reason: SignOutReason::LoggedOut
        }
    );
    assert!(
        mock.server().journal().is_empty(),
        "nothing is sent: no guest cart is started"
    );
}
