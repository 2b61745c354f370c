//! An interrupted guest → customer transfer loses nothing, against a wiremock store that does
//! what a live CoCart 4.9.3 does:
//! - the transfer (`GET /cart?cart_key=<guest>` with the Bearer) replaces the customer's cart
//!   with the guest cart and deletes the guest cart;
//! - **the same transfer sent again puts back the customer's cart as it was before the first**
//!   (the guest's lines are gone); a guest key that never existed leaves the cart as it is;
//! - a guest read of a transferred key answers a new empty cart for that key.
//!
//! Each test interrupts the transfer at one step (its answer lost, the caller cancelled, the
//! process killed) and checks that the customer's cart ends with every line, once, and that the
//! report says so. A "kill" runs the first client in a runtime of its own and shuts that runtime
//! down at the step: every task of the client stops where it is, and only what it saved in the
//! session store survives, which a NEW client restores.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cocart::models::{AddItem, CartQuery, LineOrigin, LineOutcome, TransferReport};
use cocart::{
    CoCartClient, Error, MemoryStore, PersistedSession, SessionStore, SessionStoreError, Stored,
};
use common::*;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const USER_ID: &str = "7";
const GUEST: &str = "t_guest00000000000000000000000001";

/// One cart line of the fake store.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    key: String,
    id: u64,
    qty: f64,
    variation: BTreeMap<String, String>,
    item_data: Map<String, Value>,
}

fn name_of(id: u64) -> String {
    match id {
        101 => "T-Shirt".into(),
        102 => "Cap".into(),
        103 => "Mug".into(),
        104 => "Sticker Pack".into(),
        204 => "Hoodie - Green, Small".into(),
        _ => format!("Product {id}"),
    }
}

impl Line {
    fn json(&self) -> Value {
        json!({
            "item_key": self.key, "id": self.id, "name": name_of(self.id),
            "quantity": {"value": self.qty, "min_purchase": 1, "max_purchase": -1},
            "meta": {"product_type": "simple", "variation": self.variation},
            "cart_item_data": self.item_data,
        })
    }
}

/// Which request a gate stops at.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Step {
    /// The n-th transfer (1-based).
    Transfer(usize),
    /// The n-th customer `add-item` (1-based).
    AddItem(usize),
}

/// What the store does with the gated request: apply it or not, then answer after `delay`.
#[derive(Clone, Debug)]
struct Gate {
    step: Step,
    apply: bool,
    delay: Duration,
}

#[derive(Default)]
struct ShopState {
    account: Vec<Line>,
    guests: HashMap<String, Vec<Line>>,
    /// Per guest key: the customer's cart as it was before that key's first transfer.
    before_transfer: HashMap<String, Vec<Line>>,
    /// `METHOD path [cart_key=…] [bearer|guest]` of every request, in order.
    log: Vec<String>,
    unexpected: Vec<String>,
    transfers: usize,
    customer_adds: usize,
    gate: Option<Gate>,
    fired: Option<mpsc::UnboundedSender<Step>>,
}

/// A CoCart 4.9.3 store for customer 7, as far as the transfer goes.
#[derive(Clone, Default)]
struct Shop(Arc<Mutex<ShopState>>);

fn add_line(cart: &mut Vec<Line>, body: &Value) -> Option<()> {
    let id: u64 = body.get("id")?.as_str()?.parse().ok()?;
    let qty: f64 = body.get("quantity")?.as_str()?.parse().ok()?;
    let variation: BTreeMap<String, String> = body
        .get("variation")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let item_data = body
        .get("item_data")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // WooCommerce's cart id: product, variation and item data; the same line twice sums.
    let key = format!(
        "k{id}{}",
        json!([variation, item_data])
            .to_string()
            .bytes()
            .map(|b| format!("{:02x}", b % 16))
            .collect::<String>()
    );
    match cart.iter_mut().find(|l| l.key == key) {
        Some(line) => line.qty += qty,
        None => cart.push(Line {
            key,
            id,
            qty,
            variation,
            item_data,
        }),
    }
    Some(())
}

fn cart_json(key: &str, lines: &[Line]) -> Value {
    let mut cart = empty_cart(key);
    cart["items"] = Value::Array(lines.iter().map(Line::json).collect());
    cart["item_count"] = json!(lines.iter().map(|l| l.qty).sum::<f64>());
    if !lines.is_empty() {
        cart["cart_hash"] = json!("0123456789abcdef0123456789abcdef");
    }
    cart
}

fn cart_answer(key: &str, lines: &[Line]) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("CoCart-API-Cart-Key", key)
        .set_body_json(cart_json(key, lines))
}

impl Respond for Shop {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap();
        let route = req
            .url
            .path()
            .trim_start_matches("/wp-json/cocart/v2/")
            .to_string();
        let key = req
            .url
            .query_pairs()
            .find(|(k, _)| k == "cart_key")
            .map(|(_, v)| v.to_string());
        let bearer = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "));
        let who = if bearer { "bearer" } else { "guest" };
        let entry = match &key {
            Some(k) => format!("{} {route} cart_key={k} {who}", req.method),
            None => format!("{} {route} {who}", req.method),
        };
        st.log.push(entry.clone());
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let mut gate = None;
        match (req.method.as_str(), route.as_str(), bearer, key) {
            ("POST", "login", false, None) => {
                let token = jwt(now(), 3600, "a");
                return ResponseTemplate::new(200)
                    .set_body_json(login_body(&token, &refresh_token('a')));
            }
            ("GET", "cart", true, Some(guest)) => {
                st.transfers += 1;
                let step = Step::Transfer(st.transfers);
                let apply = match st.gate.clone() {
                    Some(g) if g.step == step => {
                        gate = Some(g.clone());
                        g.apply
                    }
                    _ => true,
                };
                if apply {
                    let held = st.guests.get(&guest).is_some_and(|l| !l.is_empty());
                    if held {
                        let before = std::mem::take(&mut st.account);
                        st.before_transfer.insert(guest.clone(), before);
                        st.account = st.guests.remove(&guest).unwrap_or_default();
                    } else if let Some(before) = st.before_transfer.get(&guest) {
                        // Seen on a live 4.9.3: the second transfer puts the customer's cart
                        // back as it was before the first.
                        st.account = before.clone();
                    }
                }
            }
            ("GET", "cart", true, None) => {}
            ("GET", "cart", false, Some(guest)) => {
                let lines = st.guests.get(&guest).cloned().unwrap_or_default();
                return cart_answer(&guest, &lines);
            }
            ("GET", "cart/items", true, None) => {
                if st.account.is_empty() {
                    return wp_error(404, "cocart_no_items_in_cart", "No items in the cart.");
                }
                let map: Map<String, Value> = st
                    .account
                    .iter()
                    .map(|l| (l.key.clone(), l.json()))
                    .collect();
                return ResponseTemplate::new(200).set_body_json(Value::Object(map));
            }
            ("POST", "cart/add-item", true, None) => {
                st.customer_adds += 1;
                let step = Step::AddItem(st.customer_adds);
                let apply = match st.gate.clone() {
                    Some(g) if g.step == step => {
                        gate = Some(g.clone());
                        g.apply
                    }
                    _ => true,
                };
                if apply && add_line(&mut st.account, &body).is_none() {
                    return wp_error(400, "rest_invalid_param", "Invalid parameter(s): id");
                }
            }
            ("POST", "cart/add-item", false, guest) => {
                let guest = guest.unwrap_or_else(|| GUEST.to_string());
                let cart = st.guests.entry(guest.clone()).or_default();
                if add_line(cart, &body).is_none() {
                    return wp_error(400, "rest_invalid_param", "Invalid parameter(s): id");
                }
                let lines = cart.clone();
                return cart_answer(&guest, &lines);
            }
            _ => {
                st.unexpected.push(entry);
                return wp_error(
                    599,
                    "unexpected_request",
                    "the fake store has no such route",
                );
            }
        }
        let answer = cart_answer(USER_ID, &st.account);
        match gate {
            Some(g) => {
                if let Some(tx) = &st.fired {
                    let _ = tx.send(g.step);
                }
                answer.set_delay(g.delay)
            }
            None => answer,
        }
    }
}

impl Shop {
    async fn mount(&self, server: &MockServer) {
        Mock::given(path_regex(
            r"^/wp-json/cocart/v2/(login|cart|cart/items|cart/add-item)$",
        ))
        .respond_with(self.clone())
        .named("the fake CoCart 4.9.3 store")
        .mount(server)
        .await;
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ShopState> {
        self.0.lock().unwrap()
    }

    /// Stops at `step`; returns a receiver told when the store reached it.
    fn gate(&self, step: Step, apply: bool, delay: Duration) -> mpsc::UnboundedReceiver<Step> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut st = self.state();
        st.gate = Some(Gate { step, apply, delay });
        st.fired = Some(tx);
        rx
    }

    /// The customer's cart as `(id, quantity)`, sorted.
    fn account(&self) -> Vec<(u64, f64)> {
        let mut lines: Vec<_> = self.state().account.iter().map(|l| (l.id, l.qty)).collect();
        lines.sort_by_key(|l| l.0);
        lines
    }

    fn log(&self) -> Vec<String> {
        self.state().log.clone()
    }

    fn clear_log(&self) {
        self.state().log.clear();
    }

    fn transfers(&self) -> usize {
        self.state().transfers
    }

    fn assert_nothing_unexpected(&self) {
        let st = self.state();
        assert!(
            st.unexpected.is_empty(),
            "unexpected requests: {:?}",
            st.unexpected
        );
    }
}

fn add(id: u64, qty: u32) -> Value {
    json!({"id": id.to_string(), "quantity": qty.to_string()})
}

/// A store whose customer 7 has saved a Cap (102) and 3 Sticker Packs (104).
async fn shop_with_saved_cart() -> (MockServer, Shop) {
    let server = store().await;
    let shop = Shop::default();
    {
        let mut st = shop.state();
        add_line(&mut st.account, &add(102, 1)).unwrap();
        add_line(&mut st.account, &add(104, 3)).unwrap();
    }
    shop.mount(&server).await;
    (server, shop)
}

/// Every line: the guest's T-Shirt × 2 and the customer's Cap and Sticker Packs, once each.
const EVERY_LINE: [(u64, f64); 3] = [(101, 2.0), (102, 1.0), (104, 3.0)];

fn client_on(server: &MockServer, store: &Arc<MemoryStore>, timeout: Duration) -> CoCartClient {
    CoCartClient::builder(server.uri())
        .session_store_arc(store.clone())
        .retry_base_delay(Duration::from_millis(1))
        .timeout(timeout)
        .build()
        .unwrap()
}

/// A guest client whose cart holds 2 T-Shirts (101).
async fn guest_with_cart(
    server: &MockServer,
    store: &Arc<MemoryStore>,
    timeout: Duration,
) -> CoCartClient {
    let client = client_on(server, store, timeout);
    client
        .cart()
        .add_item(AddItem::new(101).quantity(2))
        .await
        .unwrap();
    assert_eq!(client.cart_key().as_deref(), Some(GUEST));
    client
}

fn outcomes(report: &TransferReport) -> Vec<(LineOrigin, u64, LineOutcome)> {
    report
        .lines
        .iter()
        .map(|l| (l.origin, l.product_id, l.outcome.clone()))
        .collect()
}

fn moved_and_readded() -> Vec<(LineOrigin, u64, LineOutcome)> {
    vec![
        (LineOrigin::Guest, 101, LineOutcome::Moved),
        (LineOrigin::Account, 102, LineOutcome::Readded),
        (LineOrigin::Account, 104, LineOutcome::Readded),
    ]
}

async fn stored_pending(store: &MemoryStore) -> Option<(Option<String>, usize)> {
    match store.load().await.unwrap() {
        Stored::Session(s) => s
            .pending_transfer
            .map(|p| (s.cart_key.clone(), p.account.map(|a| a.len()).unwrap_or(0))),
        _ => None,
    }
}

async fn wait_for_report(client: &CoCartClient) -> TransferReport {
    for _ in 0..500 {
        if let Some(report) = client.last_transfer() {
            return report;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the transfer never finished");
}

// ---------------------------------------------------------------------------------------------
// A lost answer.

#[tokio::test]
async fn a_transfer_whose_answer_is_lost_is_not_resent_and_login_still_reports_every_line() {
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    let client = guest_with_cart(&server, &store, Duration::from_millis(300)).await;
    // The store applies the transfer, but its answer comes after the client gave up.
    let _fired = shop.gate(Step::Transfer(1), true, Duration::from_secs(2));
    shop.clear_log();

    let outcome = client.login_with_report("jane", PASSWORD).await.unwrap();
    assert!(
        outcome.transfer_error.is_none(),
        "{:?}",
        outcome.transfer_error
    );
    let report = outcome
        .transfer
        .expect("the transfer is known to have happened");
    assert_eq!(outcomes(&report), moved_and_readded());
    assert_eq!(
        report.summary(),
        "moved 1 line from the guest cart; kept 0 lines from your account cart; re-added 2"
    );
    assert_eq!(shop.transfers(), 1, "the transfer is never retried");
    assert_eq!(
        shop.log(),
        [
            "POST login guest".to_string(),
            "GET cart/items bearer".into(),
            format!("GET cart cart_key={GUEST} bearer"),
            // The answer was lost: is the guest cart still there? (no Bearer: a plain read)
            format!("GET cart cart_key={GUEST} guest"),
            "GET cart bearer".into(),
            "POST cart/add-item bearer".into(),
            "POST cart/add-item bearer".into(),
        ]
    );
    assert_eq!(shop.account(), EVERY_LINE);
    assert_eq!(client.cart_key(), None);
    assert!(!client.transfer_pending());
    assert_eq!(
        stored_pending(&store).await,
        None,
        "the record is dropped once done"
    );
    shop.assert_nothing_unexpected();
}

#[tokio::test]
async fn a_transfer_that_never_arrived_is_sent_again_only_after_the_guest_cart_is_seen() {
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    let client = guest_with_cart(&server, &store, Duration::from_millis(300)).await;
    // The transfer is lost before the store applies it.
    let _fired = shop.gate(Step::Transfer(1), false, Duration::from_secs(2));

    let outcome = client.login_with_report("jane", PASSWORD).await.unwrap();
    assert!(outcome.transfer.is_none());
    assert!(
        matches!(outcome.transfer_error, Some(Error::Timeout)),
        "{:?}",
        outcome.transfer_error
    );
    assert_eq!(shop.transfers(), 1, "no automatic retry");
    assert_eq!(
        client.cart_key().as_deref(),
        Some(GUEST),
        "the guest key is kept"
    );
    assert!(client.transfer_pending());
    assert_eq!(
        stored_pending(&store).await,
        Some((Some(GUEST.to_string()), 2)),
        "the saved lines are in the session store"
    );
    shop.clear_log();

    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(
        shop.log(),
        [
            format!("GET cart cart_key={GUEST} guest"),
            format!("GET cart cart_key={GUEST} bearer"),
            "POST cart/add-item bearer".into(),
            "POST cart/add-item bearer".into(),
            "GET cart bearer".into(),
        ],
        "the guest cart is looked at before the transfer is sent again"
    );
    assert_eq!(cart.items.len(), 3);
    assert_eq!(
        outcomes(&client.last_transfer().unwrap()),
        moved_and_readded()
    );
    assert_eq!(shop.account(), EVERY_LINE);
    assert_eq!(stored_pending(&store).await, None);
    shop.assert_nothing_unexpected();
}

// ---------------------------------------------------------------------------------------------
// A cancelled caller: the transfer runs to its end as a task of its own.

/// Logs in, and cancels the caller when the store reaches `step` (applied, answered 300 ms
/// later). Returns once the transfer task finished on its own.
async fn cancelled_at(
    step: Step,
    apply: bool,
) -> (MockServer, Shop, CoCartClient, Arc<MemoryStore>) {
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    let client = guest_with_cart(&server, &store, Duration::from_secs(5)).await;
    let mut fired = shop.gate(step, apply, Duration::from_millis(300));
    let caller = {
        let client = client.clone();
        tokio::spawn(async move { client.login_with_report("jane", PASSWORD).await })
    };
    assert_eq!(fired.recv().await, Some(step));
    caller.abort();
    assert!(caller.await.unwrap_err().is_cancelled());
    wait_for_report(&client).await;
    assert!(!client.transfer_pending());
    (server, shop, client, store)
}

#[tokio::test]
async fn a_caller_cancelled_once_the_transfer_is_sent_leaves_every_line() {
    let (_server, shop, client, store) = cancelled_at(Step::Transfer(1), true).await;
    assert_eq!(
        outcomes(&client.last_transfer().unwrap()),
        moved_and_readded()
    );
    assert_eq!(shop.account(), EVERY_LINE);
    assert_eq!(shop.transfers(), 1);
    assert_eq!(stored_pending(&store).await, None);
    shop.assert_nothing_unexpected();
}

#[tokio::test]
async fn a_caller_cancelled_between_re_adds_leaves_every_line() {
    for step in [Step::AddItem(1), Step::AddItem(2)] {
        let (_server, shop, client, store) = cancelled_at(step, true).await;
        assert_eq!(
            outcomes(&client.last_transfer().unwrap()),
            moved_and_readded(),
            "{step:?}"
        );
        assert_eq!(shop.account(), EVERY_LINE, "{step:?}");
        assert_eq!(shop.transfers(), 1);
        assert_eq!(stored_pending(&store).await, None);
        shop.assert_nothing_unexpected();
    }
}

// ---------------------------------------------------------------------------------------------
// A killed process: what the session store holds is all that is left; a new client finishes.

/// Runs a login in a runtime of its own and kills that runtime when the store reaches `step`
/// (the gated request is applied or not, and never answered).
async fn killed_at(
    server: &MockServer,
    shop: &Shop,
    store: &Arc<MemoryStore>,
    step: Step,
    apply: bool,
) {
    let client = guest_with_cart(server, store, Duration::from_secs(30)).await;
    let mut fired = shop.gate(step, apply, Duration::from_secs(60));
    let process = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    process.spawn(async move {
        let _ = client.login_with_report("jane", PASSWORD).await;
    });
    assert_eq!(fired.recv().await, Some(step));
    process.shutdown_background();
    shop.state().gate = None;
    shop.clear_log();
}

/// The next process: restores the session, then makes a cart call.
async fn next_process(server: &MockServer, store: &Arc<MemoryStore>) -> CoCartClient {
    let client = restored(server, store).await;
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.items.len(), 3);
    client
}

/// A new client on `store`, its session restored, with the unfinished transfer in it.
async fn restored(server: &MockServer, store: &Arc<MemoryStore>) -> CoCartClient {
    let client = client_on(server, store, Duration::from_secs(5));
    let user = client.restore_session().await.unwrap();
    assert_eq!(user.map(|u| u.id), Some(7));
    assert!(
        client.transfer_pending(),
        "the restored session holds the unfinished transfer"
    );
    client
}

#[tokio::test]
async fn killed_after_the_transfer_was_sent_the_next_process_checks_then_re_adds() {
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    killed_at(&server, &shop, &store, Step::Transfer(1), true).await;
    assert_eq!(
        shop.account(),
        [(101, 2.0)],
        "the store replaced the saved cart"
    );
    assert_eq!(
        stored_pending(&store).await,
        Some((Some(GUEST.to_string()), 2)),
        "the lines to re-add were saved before the transfer"
    );

    let client = next_process(&server, &store).await;
    assert_eq!(
        shop.log(),
        [
            format!("GET cart cart_key={GUEST} guest"),
            "GET cart bearer".into(),
            "POST cart/add-item bearer".into(),
            "POST cart/add-item bearer".into(),
            "GET cart bearer".into(),
        ],
        "the guest cart is gone: the transfer is not sent again"
    );
    assert_eq!(
        outcomes(&client.last_transfer().unwrap()),
        moved_and_readded()
    );
    assert_eq!(shop.account(), EVERY_LINE);
    assert_eq!(shop.transfers(), 1);
    assert_eq!(stored_pending(&store).await, None);
    shop.assert_nothing_unexpected();
}

#[tokio::test]
async fn killed_before_the_store_applied_the_transfer_the_next_process_sends_it() {
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    killed_at(&server, &shop, &store, Step::Transfer(1), false).await;

    let client = next_process(&server, &store).await;
    assert_eq!(
        shop.log(),
        [
            format!("GET cart cart_key={GUEST} guest"),
            format!("GET cart cart_key={GUEST} bearer"),
            "POST cart/add-item bearer".into(),
            "POST cart/add-item bearer".into(),
            "GET cart bearer".into(),
        ]
    );
    assert_eq!(
        outcomes(&client.last_transfer().unwrap()),
        moved_and_readded()
    );
    assert_eq!(shop.account(), EVERY_LINE);
    shop.assert_nothing_unexpected();
}

#[tokio::test]
async fn killed_after_the_transfer_answered_the_next_process_re_adds_without_a_transfer() {
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    // Killed as the first re-add leaves (the store never applies it).
    killed_at(&server, &shop, &store, Step::AddItem(1), false).await;
    assert_eq!(
        stored_pending(&store).await,
        Some((None, 2)),
        "the guest key is dropped, the lines to re-add are kept"
    );

    let client = next_process(&server, &store).await;
    assert_eq!(
        shop.log(),
        [
            "GET cart bearer".to_string(),
            "POST cart/add-item bearer".into(),
            "POST cart/add-item bearer".into(),
            "GET cart bearer".into(),
        ]
    );
    assert_eq!(
        outcomes(&client.last_transfer().unwrap()),
        moved_and_readded()
    );
    assert_eq!(shop.account(), EVERY_LINE);
    assert_eq!(shop.transfers(), 1);
    shop.assert_nothing_unexpected();
}

#[tokio::test]
async fn killed_between_re_adds_the_next_process_adds_only_what_is_missing() {
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    // The Cap is back; killed as the Sticker Packs leave.
    killed_at(&server, &shop, &store, Step::AddItem(2), false).await;
    assert_eq!(shop.account(), [(101, 2.0), (102, 1.0)]);

    let client = next_process(&server, &store).await;
    assert_eq!(
        shop.log(),
        [
            "GET cart bearer".to_string(),
            "POST cart/add-item bearer".into(),
            "GET cart bearer".into(),
        ],
        "the Cap is not added twice"
    );
    let report = client.last_transfer().unwrap();
    assert_eq!(
        outcomes(&report),
        [
            (LineOrigin::Guest, 101, LineOutcome::Moved),
            (LineOrigin::Account, 102, LineOutcome::Kept),
            (LineOrigin::Account, 104, LineOutcome::Readded),
        ]
    );
    assert_eq!(shop.account(), EVERY_LINE);
    assert_eq!(stored_pending(&store).await, None);
    shop.assert_nothing_unexpected();
}

#[tokio::test]
async fn a_login_after_a_killed_login_finishes_the_transfer_and_reports_it() {
    // `cocart login`, interrupted with Ctrl-C after the store replaced the saved cart, then run
    // again: the CLI restores the session first.
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    killed_at(&server, &shop, &store, Step::Transfer(1), true).await;

    let client = client_on(&server, &store, Duration::from_secs(5));
    client.restore_session().await.unwrap();
    let outcome = client.login_with_report("jane", PASSWORD).await.unwrap();
    assert!(
        outcome.transfer_error.is_none(),
        "{:?}",
        outcome.transfer_error
    );
    let report = outcome
        .transfer
        .expect("the login reports the finished transfer");
    assert_eq!(outcomes(&report), moved_and_readded());
    assert_eq!(shop.account(), EVERY_LINE);
    assert_eq!(shop.transfers(), 1);
    assert!(!client.transfer_pending());
    shop.assert_nothing_unexpected();
}

#[tokio::test]
async fn transfer_guest_cart_in_the_next_process_finishes_a_killed_transfer_and_returns_its_report()
{
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(MemoryStore::new());
    killed_at(&server, &shop, &store, Step::AddItem(1), false).await;

    let client = restored(&server, &store).await;
    let report = client
        .transfer_guest_cart()
        .await
        .unwrap()
        .expect("a report");
    assert_eq!(outcomes(&report), moved_and_readded());
    assert_eq!(client.last_transfer(), Some(report));
    assert_eq!(shop.account(), EVERY_LINE);
    assert_eq!(client.transfer_guest_cart().await.unwrap(), None, "done");
    shop.assert_nothing_unexpected();
}

/// A session store whose saves fail while `failing` is set and the session holds a pending
/// transfer (a locked Keychain at the wrong moment).
#[derive(Default)]
struct FlakyStore {
    inner: MemoryStore,
    failing: AtomicBool,
}

#[async_trait]
impl SessionStore for FlakyStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        self.inner.load().await
    }
    async fn save(&self, expected: u64, s: &PersistedSession) -> Result<u64, SessionStoreError> {
        if self.failing.load(Ordering::SeqCst) && s.pending_transfer.is_some() {
            return Err(SessionStoreError::Unavailable("locked".into()));
        }
        self.inner.save(expected, s).await
    }
    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        self.inner.clear(expected).await
    }
}

#[tokio::test]
async fn a_transfer_whose_saved_lines_cannot_be_saved_is_not_sent() {
    let (server, shop) = shop_with_saved_cart().await;
    let store = Arc::new(FlakyStore::default());
    let client = CoCartClient::builder(server.uri())
        .session_store_arc(store.clone())
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    client
        .cart()
        .add_item(AddItem::new(101).quantity(2))
        .await
        .unwrap();
    store.failing.store(true, Ordering::SeqCst);
    shop.clear_log();

    let outcome = client.login_with_report("jane", PASSWORD).await.unwrap();
    assert!(
        matches!(outcome.transfer_error, Some(Error::Storage(_))),
        "{:?}",
        outcome.transfer_error
    );
    assert_eq!(
        shop.log(),
        [
            "POST login guest".to_string(),
            "GET cart/items bearer".into()
        ],
        "no transfer without the saved lines in the store"
    );
    assert_eq!(shop.transfers(), 0);
    assert_eq!(client.cart_key().as_deref(), Some(GUEST));
    // Still failing: a cart call looks, but does not send the transfer either.
    assert!(matches!(
        client.cart().get(&CartQuery::default()).await,
        Err(Error::Storage(_))
    ));
    assert_eq!(shop.transfers(), 0);

    store.failing.store(false, Ordering::SeqCst);
    shop.clear_log();
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.items.len(), 3);
    assert_eq!(
        shop.log(),
        [
            format!("GET cart cart_key={GUEST} guest"),
            format!("GET cart cart_key={GUEST} bearer"),
            "POST cart/add-item bearer".into(),
            "POST cart/add-item bearer".into(),
            "GET cart bearer".into(),
        ]
    );
    assert_eq!(shop.account(), EVERY_LINE);
    shop.assert_nothing_unexpected();
}
