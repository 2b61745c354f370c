//! The guest → customer transfer against the real mock, which replaces the customer's cart with
//! the guest cart as a live CoCart 4.9.3 store does. The SDK keeps both carts by default (or lets
//! the guest cart replace the account cart when asked), reports every line, and the journal shows
//! exactly which requests each policy costs. An interrupted transfer (a lost connection, a
//! cancelled login, a killed process) loses nothing: the transfer is never re-sent without a look
//! at the guest cart first, and the next use of the session finishes the re-adds. (The mock's
//! faults answer before the store handles a request, so a transfer that landed without an
//! answer is made here by sending it behind the client's back.)

mod support;

use cocart::models::{AddItem, CartQuery, LineOrigin, LineOutcome, TransferPolicy, TransferReport};
use cocart::{CoCartClient, Error};
use cocart_mock::{FaultSpec, MockServer};
use support::*;

const ITEMS_PATH: &str = "/wp-json/cocart/v2/cart/items";
const ADD_ITEM_PATH: &str = "/wp-json/cocart/v2/cart/add-item";
const LOGIN_PATH: &str = "/wp-json/cocart/v2/login";

fn client_with(server: &MockServer, policy: TransferPolicy) -> CoCartClient {
    CoCartClient::builder(server.base_url())
        .transfer_policy(policy)
        .retry_base_delay(std::time::Duration::from_millis(5))
        .build()
        .expect("valid client config")
}

/// Fills the demo customer's saved cart from "another device".
async fn account_cart(server: &MockServer, items: Vec<AddItem>) {
    let other = guest(server);
    other.login(USER, PASSWORD).await.unwrap();
    for item in items {
        other.cart().add_item(item).await.unwrap();
    }
}

/// A guest client with these lines in its cart; returns the guest key.
async fn guest_cart(client: &CoCartClient, items: Vec<AddItem>) -> String {
    for item in items {
        client.cart().add_item(item).await.unwrap();
    }
    client.cart_key().expect("a guest key")
}

/// `(name, quantity)` of the customer's cart, sorted by name.
async fn lines_of(client: &CoCartClient) -> Vec<(String, f64)> {
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    let mut lines: Vec<_> = cart
        .items
        .iter()
        .map(|i| (i.name.clone(), i.quantity.value))
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    lines
}

/// `(origin, name, outcome)` of every report line.
fn outcomes(report: &TransferReport) -> Vec<(LineOrigin, String, LineOutcome)> {
    report
        .lines
        .iter()
        .map(|l| (l.origin, l.name.clone(), l.outcome.clone()))
        .collect()
}

fn methods_and_paths(server: &MockServer) -> Vec<(String, String)> {
    server
        .journal()
        .into_iter()
        .map(|e| (e.method, e.path))
        .collect()
}

fn get(path: &str) -> (String, String) {
    ("GET".to_string(), path.to_string())
}

fn post(path: &str) -> (String, String) {
    ("POST".to_string(), path.to_string())
}

#[tokio::test]
async fn without_a_guest_cart_login_sends_no_cart_request() {
    let server = MockServer::start().await.unwrap();
    account_cart(&server, vec![AddItem::new(102)]).await;
    let client = guest(&server);
    server.clear_journal();
    let outcome = client.login_with_report(USER, PASSWORD).await.unwrap();
    assert!(outcome.transfer.is_none());
    assert!(outcome.transfer_error.is_none());
    assert_eq!(methods_and_paths(&server), [post(LOGIN_PATH)]);
    assert_eq!(lines_of(&client).await, [("Cap".to_string(), 1.0)]);
}

#[tokio::test]
async fn an_empty_account_cart_just_receives_the_guest_lines_with_one_extra_read() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let guest_key = guest_cart(&client, vec![AddItem::new(101).quantity(2)]).await;
    server.clear_journal();

    let outcome = client.login_with_report(USER, PASSWORD).await.unwrap();
    let report = outcome.transfer.expect("a transfer ran");
    assert_eq!(report.policy, TransferPolicy::KeepBoth);
    assert!(report.account_cart_read);
    assert_eq!(
        outcomes(&report),
        [(LineOrigin::Guest, "T-Shirt".to_string(), LineOutcome::Moved)]
    );
    assert_eq!(
        report.summary(),
        "moved 1 line from the guest cart; your account cart was empty"
    );
    // login, the account read (404: empty), the transfer; no write.
    let journal = server.journal();
    assert_eq!(
        methods_and_paths(&server),
        [post(LOGIN_PATH), get(ITEMS_PATH), get(CART_PATH)]
    );
    assert_eq!(journal[1].status, 404);
    assert_eq!(
        query_param(&journal[1], "cart_key"),
        None,
        "read without the guest key"
    );
    assert_eq!(query_param(&journal[2], "cart_key"), Some(guest_key));
    assert_eq!(client.cart_key(), None);
    assert_eq!(report.cart.items.len(), 1);
    assert_eq!(lines_of(&client).await, [("T-Shirt".to_string(), 2.0)]);
}

#[tokio::test]
async fn keep_both_adds_back_the_account_lines_the_store_dropped() {
    let server = MockServer::start().await.unwrap();
    account_cart(
        &server,
        vec![AddItem::new(102), AddItem::new(104).quantity(3)],
    )
    .await;
    let client = guest(&server);
    guest_cart(&client, vec![AddItem::new(101).quantity(2)]).await;
    server.clear_journal();

    let user = client.login(USER, PASSWORD).await.unwrap();
    assert_eq!(user.username.as_deref(), Some(USER));
    // login, account read, transfer, one add-item per dropped line.
    assert_eq!(
        methods_and_paths(&server),
        [
            post(LOGIN_PATH),
            get(ITEMS_PATH),
            get(CART_PATH),
            post(ADD_ITEM_PATH),
            post(ADD_ITEM_PATH),
        ]
    );
    let report = client.last_transfer().expect("the login's transfer");
    assert_eq!(
        outcomes(&report),
        [
            (LineOrigin::Guest, "T-Shirt".to_string(), LineOutcome::Moved),
            (LineOrigin::Account, "Cap".to_string(), LineOutcome::Readded),
            (
                LineOrigin::Account,
                "Sticker Pack".to_string(),
                LineOutcome::Readded
            ),
        ]
    );
    assert!(report.nothing_dropped());
    assert_eq!(
        report.summary(),
        "moved 1 line from the guest cart; kept 0 lines from your account cart; re-added 2"
    );
    assert_eq!(
        report.cart.items.len(),
        3,
        "the report holds the final cart"
    );
    server.clear_journal();
    assert_eq!(
        lines_of(&client).await,
        [
            ("Cap".to_string(), 1.0),
            ("Sticker Pack".to_string(), 3.0),
            ("T-Shirt".to_string(), 2.0)
        ]
    );
    assert_eq!(
        methods_and_paths(&server),
        [get(CART_PATH)],
        "settled: no more transfer work"
    );
}

#[tokio::test]
async fn guest_replaces_is_the_store_behaviour_in_one_request() {
    let server = MockServer::start().await.unwrap();
    account_cart(&server, vec![AddItem::new(102)]).await;
    let client = client_with(&server, TransferPolicy::GuestReplaces);
    guest_cart(&client, vec![AddItem::new(101).quantity(2)]).await;
    server.clear_journal();

    let outcome = client.login_with_report(USER, PASSWORD).await.unwrap();
    assert_eq!(
        methods_and_paths(&server),
        [post(LOGIN_PATH), get(CART_PATH)]
    );
    let report = outcome.transfer.unwrap();
    assert_eq!(report.policy, TransferPolicy::GuestReplaces);
    assert!(!report.account_cart_read);
    assert_eq!(
        outcomes(&report),
        [(LineOrigin::Guest, "T-Shirt".to_string(), LineOutcome::Moved)]
    );
    assert_eq!(
        report.summary(),
        "moved 1 line from the guest cart; the guest cart replaced your account cart"
    );
    assert_eq!(lines_of(&client).await, [("T-Shirt".to_string(), 2.0)]);
}

#[tokio::test]
async fn an_account_line_that_can_no_longer_be_bought_is_reported_with_the_store_reason() {
    let server = MockServer::start().await.unwrap();
    assert!(server.set_stock(105, Some(5)));
    account_cart(&server, vec![AddItem::new(105), AddItem::new(102)]).await;
    assert!(server.set_stock(105, Some(0)));
    let client = guest(&server);
    guest_cart(&client, vec![AddItem::new(103)]).await;

    let outcome = client.login_with_report(USER, PASSWORD).await.unwrap();
    let report = outcome.transfer.unwrap();
    let dropped: Vec<_> = report.dropped().collect();
    assert_eq!(dropped.len(), 1);
    let (line, why) = dropped[0];
    assert_eq!(line.name, "Vintage Poster");
    assert_eq!(line.product_id, 105);
    assert_eq!(why.reason, "out of stock");
    assert_eq!(why.code, "cocart_product_out_of_stock");
    assert!(why.message.contains("out of stock"), "{}", why.message);
    assert_eq!(
        report.summary(),
        "moved 1 line from the guest cart; kept 0 lines from your account cart; re-added 1; \
         could not re-add 'Vintage Poster': out of stock"
    );
    assert!(
        client.is_signed_in(),
        "a refused re-add never ends the session"
    );
    assert_eq!(
        lines_of(&client).await,
        [("Cap".to_string(), 1.0), ("Mug".to_string(), 1.0)]
    );
}

#[tokio::test]
async fn a_re_add_that_fails_in_transit_is_checked_reported_and_never_fails_the_login() {
    let server = MockServer::start().await.unwrap();
    account_cart(&server, vec![AddItem::new(102)]).await;
    let client = guest(&server);
    guest_cart(&client, vec![AddItem::new(103)]).await;
    server
        .add_fault(FaultSpec::status(ADD_ITEM_PATH, 500, 1))
        .unwrap();
    server.clear_journal();

    let outcome = client.login_with_report(USER, PASSWORD).await.unwrap();
    assert!(outcome.transfer_error.is_none());
    let report = outcome.transfer.unwrap();
    let (line, why) = report.dropped().next().expect("the cap is reported");
    assert_eq!(line.name, "Cap");
    assert_eq!(why.code, "server_error");
    // The add was not applied (the fault answers before the handler): the cart is re-read once
    // to be sure, and nothing is sent again.
    assert_eq!(
        methods_and_paths(&server),
        [
            post(LOGIN_PATH),
            get(ITEMS_PATH),
            get(CART_PATH),
            post(ADD_ITEM_PATH),
            get(CART_PATH),
        ]
    );
    assert!(client.is_signed_in());
    assert_eq!(lines_of(&client).await, [("Mug".to_string(), 1.0)]);
}

#[tokio::test]
async fn the_same_product_in_both_carts_keeps_the_guest_line_and_is_not_added_twice() {
    let server = MockServer::start().await.unwrap();
    account_cart(
        &server,
        vec![AddItem::new(101).quantity(5), AddItem::new(102)],
    )
    .await;
    let client = guest(&server);
    guest_cart(&client, vec![AddItem::new(101).quantity(2)]).await;
    server.clear_journal();

    let report = client
        .login_with_report(USER, PASSWORD)
        .await
        .unwrap()
        .transfer
        .unwrap();
    assert_eq!(
        outcomes(&report),
        [
            (LineOrigin::Guest, "T-Shirt".to_string(), LineOutcome::Moved),
            (
                LineOrigin::Account,
                "T-Shirt".to_string(),
                LineOutcome::GuestLineWins
            ),
            (LineOrigin::Account, "Cap".to_string(), LineOutcome::Readded),
        ]
    );
    assert!(
        report
            .summary()
            .contains("1 product in both carts kept this visit's quantity"),
        "{report}"
    );
    let adds = journal_for(&server, ADD_ITEM_PATH);
    assert_eq!(adds.len(), 1, "only the cap is added back");
    assert_eq!(
        lines_of(&client).await,
        [("Cap".to_string(), 1.0), ("T-Shirt".to_string(), 2.0)]
    );
}

#[tokio::test]
async fn a_variation_comes_back_on_the_same_line_with_its_item_data() {
    let server = MockServer::start().await.unwrap();
    let other = guest(&server);
    other.login(USER, PASSWORD).await.unwrap();
    let before = other
        .cart()
        .add_item(
            AddItem::new(201)
                .variation("Color", "Green")
                .variation("pa_size", "small")
                .item_data("gift_note", "Happy birthday"),
        )
        .await
        .unwrap();
    let hoodie = before.items[0].clone();
    assert_eq!(hoodie.id, 204);

    let client = guest(&server);
    guest_cart(&client, vec![AddItem::new(103)]).await;
    let report = client
        .login_with_report(USER, PASSWORD)
        .await
        .unwrap()
        .transfer
        .unwrap();
    let back = report
        .lines
        .iter()
        .find(|l| l.origin == LineOrigin::Account)
        .unwrap();
    assert_eq!(back.outcome, LineOutcome::Readded);
    assert_eq!(back.variation.len(), 2, "{:?}", back.variation);

    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    let again = cart
        .item(hoodie.item_key.as_str())
        .expect("the same line key: same variation and item data");
    assert_eq!(again.id, 204);
    assert_eq!(again.meta.variation, hoodie.meta.variation);
    assert_eq!(
        again.cart_item_data.get("gift_note"),
        Some(&serde_json::json!("Happy birthday"))
    );
    assert_eq!(cart.items.len(), 2);
}

/// The transfers the store received: authenticated `GET /cart` naming a cart key.
fn transfers(server: &MockServer) -> usize {
    journal_for(server, CART_PATH)
        .iter()
        .filter(|e| e.auth == "bearer" && query_param(e, "cart_key").is_some())
        .count()
}

/// `(method, path, auth, cart_key sent)` of every journaled request.
fn requests(server: &MockServer) -> Vec<(String, String, String, bool)> {
    server
        .journal()
        .into_iter()
        .map(|e| {
            let keyed = query_param(&e, "cart_key").is_some();
            (e.method, e.path, e.auth, keyed)
        })
        .collect()
}

fn req(method: &str, path: &str, auth: &str, keyed: bool) -> (String, String, String, bool) {
    (method.into(), path.into(), auth.into(), keyed)
}

/// The store applies the transfer of `guest_key` behind the client's back: what a transfer whose
/// answer was lost did (the mock's faults answer before the store handles the request).
async fn transfer_behind_the_clients_back(server: &MockServer, guest_key: &str) {
    let behind = reqwest::Client::new()
        .get(format!(
            "{}/wp-json/cocart/v2/cart?cart_key={guest_key}",
            server.base_url()
        ))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(behind.status(), 200);
}

/// The customer's Cap, and the guest's T-Shirt × 2, once each.
fn every_line() -> Vec<(String, f64)> {
    vec![("Cap".to_string(), 1.0), ("T-Shirt".to_string(), 2.0)]
}

#[tokio::test]
async fn a_transfer_that_lost_its_connection_is_never_resent_without_looking_at_the_guest_cart() {
    let server = MockServer::start().await.unwrap();
    account_cart(&server, vec![AddItem::new(102)]).await;
    let client = guest(&server);
    let guest_key = guest_cart(&client, vec![AddItem::new(101).quantity(2)]).await;
    server
        .add_fault(FaultSpec::drop_connection(CART_PATH, 1))
        .unwrap();
    server.clear_journal();

    let outcome = client.login_with_report(USER, PASSWORD).await.unwrap();
    assert!(outcome.transfer.is_none());
    assert!(
        matches!(outcome.transfer_error, Some(Error::Network(_))),
        "{:?}",
        outcome.transfer_error
    );
    // One transfer (never retried), then a guest read of the guest key: still there, so the
    // transfer did not happen and waits.
    assert_eq!(
        requests(&server),
        [
            req("POST", LOGIN_PATH, "basic", false),
            req("GET", ITEMS_PATH, "bearer", false),
            req("GET", CART_PATH, "bearer", true),
            req("GET", CART_PATH, "none", true),
        ]
    );
    assert!(client.is_signed_in());
    assert_eq!(
        client.cart_key(),
        Some(guest_key.clone()),
        "the guest key is kept"
    );
    assert!(client.transfer_pending());
    server.clear_journal();

    // The next cart call looks again, finds the guest cart, and only then sends the transfer.
    assert_eq!(lines_of(&client).await, every_line());
    assert_eq!(
        requests(&server),
        [
            req("GET", CART_PATH, "none", true),
            req("GET", CART_PATH, "bearer", true),
            req("POST", ADD_ITEM_PATH, "bearer", false),
            req("GET", CART_PATH, "bearer", false),
        ]
    );
    assert_eq!(client.last_transfer().unwrap().readded().count(), 1);
    assert_eq!(client.cart_key(), None);
}

#[tokio::test]
async fn a_transfer_that_landed_without_an_answer_is_not_sent_again_and_the_saved_lines_come_back()
{
    let server = MockServer::start().await.unwrap();
    account_cart(&server, vec![AddItem::new(102)]).await;
    let client = guest(&server);
    let guest_key = guest_cart(&client, vec![AddItem::new(101).quantity(2)]).await;
    server
        .add_fault(FaultSpec::drop_connection(CART_PATH, 1))
        .unwrap();
    let outcome = client.login_with_report(USER, PASSWORD).await.unwrap();
    assert!(outcome.transfer_error.is_some());
    // The lost transfer had landed: the customer's Cap is gone.
    transfer_behind_the_clients_back(&server, &guest_key).await;
    server.clear_journal();

    // Two cart calls at once: one finishes the transfer with the lines saved before it (no
    // second read of the account, no second transfer), the other waits for it.
    let cart = client.cart();
    let query = CartQuery::default();
    let (a, b) = tokio::join!(cart.get(&query), cart.count());
    assert_eq!(a.unwrap().items.len(), 2);
    assert_eq!(b.unwrap(), 3.0);
    assert_eq!(transfers(&server), 0, "the guest cart is gone: no transfer");
    let journal = methods_and_paths(&server);
    assert_eq!(journal.iter().filter(|e| e.1 == ITEMS_PATH).count(), 0);
    assert_eq!(journal.iter().filter(|e| e.1 == ADD_ITEM_PATH).count(), 1);
    assert_eq!(client.cart_key(), None);
    let report = client.last_transfer().unwrap();
    assert_eq!(
        outcomes(&report),
        [
            (LineOrigin::Guest, "T-Shirt".to_string(), LineOutcome::Moved),
            (LineOrigin::Account, "Cap".to_string(), LineOutcome::Readded),
        ]
    );
    assert_eq!(lines_of(&client).await, every_line());
}

#[tokio::test]
async fn a_login_cancelled_mid_transfer_still_moves_the_guest_cart_and_re_adds_the_saved_lines() {
    let server = MockServer::start().await.unwrap();
    account_cart(&server, vec![AddItem::new(102)]).await;
    let store: std::sync::Arc<dyn cocart::SessionStore> =
        std::sync::Arc::new(cocart::MemoryStore::new());
    let client = client_with_store(&server, store.clone());
    guest_cart(&client, vec![AddItem::new(101).quantity(2)]).await;
    // The transfer takes 300 ms: the caller is cancelled while it is on its way.
    server
        .add_fault(FaultSpec::delay(CART_PATH, 300, 1))
        .unwrap();
    server.clear_journal();
    let caller = {
        let client = client.clone();
        tokio::spawn(async move { client.login_with_report(USER, PASSWORD).await })
    };
    wait_for_store(store.as_ref(), |s| s.pending_transfer.is_some()).await;
    caller.abort();
    assert!(caller.await.unwrap_err().is_cancelled());

    for _ in 0..300 {
        if client.last_transfer().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let report = client.last_transfer().expect("the transfer ran to its end");
    assert_eq!(report.readded().count(), 1);
    assert_eq!(transfers(&server), 1);
    assert!(!client.transfer_pending());
    assert_eq!(lines_of(&client).await, every_line());
}

/// Runs `client.login_with_report` in a runtime of its own (the "process") and kills it once
/// the session store holds a pending transfer matching `at`.
async fn kill_login_when(
    client: CoCartClient,
    store: &std::sync::Arc<dyn cocart::SessionStore>,
    at: impl Fn(&cocart::PersistedSession) -> bool,
) {
    let process = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    process.spawn(async move {
        let _ = client.login_with_report(USER, PASSWORD).await;
    });
    wait_for_store(store.as_ref(), at).await;
    // Let the step's request leave before the kill.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    process.shutdown_background();
}

#[tokio::test]
async fn a_process_killed_while_its_transfer_was_on_its_way_is_finished_by_the_next_process() {
    let server = MockServer::start().await.unwrap();
    account_cart(&server, vec![AddItem::new(102)]).await;
    let store: std::sync::Arc<dyn cocart::SessionStore> =
        std::sync::Arc::new(cocart::MemoryStore::new());
    let first = client_with_store(&server, store.clone());
    let guest_key = guest_cart(&first, vec![AddItem::new(101).quantity(2)]).await;
    // The transfer hangs; the process is killed meanwhile.
    server
        .add_fault(FaultSpec::delay(CART_PATH, 60_000, 1))
        .unwrap();
    kill_login_when(first, &store, |s| s.pending_transfer.is_some()).await;
    // It had landed in the store all the same.
    transfer_behind_the_clients_back(&server, &guest_key).await;
    server.clear_journal();

    let next = client_with_store(&server, store.clone());
    next.restore_session().await.unwrap();
    assert!(next.transfer_pending());
    assert_eq!(lines_of(&next).await, every_line());
    assert_eq!(
        requests(&server),
        [
            req("GET", CART_PATH, "none", true),
            req("GET", CART_PATH, "bearer", false),
            req("POST", ADD_ITEM_PATH, "bearer", false),
            req("GET", CART_PATH, "bearer", false),
        ],
        "checked, not sent again"
    );
    let report = next.last_transfer().expect("the next process reports it");
    assert_eq!(
        outcomes(&report),
        [
            (LineOrigin::Guest, "T-Shirt".to_string(), LineOutcome::Moved),
            (LineOrigin::Account, "Cap".to_string(), LineOutcome::Readded),
        ]
    );
    assert!(!next.transfer_pending());
}

#[tokio::test]
async fn a_process_killed_before_its_re_adds_is_finished_by_the_next_login() {
    let server = MockServer::start().await.unwrap();
    account_cart(
        &server,
        vec![AddItem::new(102), AddItem::new(104).quantity(3)],
    )
    .await;
    let store: std::sync::Arc<dyn cocart::SessionStore> =
        std::sync::Arc::new(cocart::MemoryStore::new());
    let first = client_with_store(&server, store.clone());
    guest_cart(&first, vec![AddItem::new(101).quantity(2)]).await;
    // The transfer answers; the first re-add hangs; the process is killed meanwhile.
    server
        .add_fault(FaultSpec::delay(ADD_ITEM_PATH, 60_000, 1))
        .unwrap();
    kill_login_when(first, &store, |s| {
        s.pending_transfer.is_some() && s.cart_key.is_none()
    })
    .await;
    server.clear_journal();

    // `cocart login` run again after Ctrl-C: the session is restored, then the login reports the
    // transfer it finished.
    let next = client_with_store(&server, store.clone());
    next.restore_session().await.unwrap();
    let outcome = next.login_with_report(USER, PASSWORD).await.unwrap();
    assert!(
        outcome.transfer_error.is_none(),
        "{:?}",
        outcome.transfer_error
    );
    let report = outcome
        .transfer
        .expect("the login reports the finished transfer");
    assert_eq!(
        outcomes(&report),
        [
            (LineOrigin::Guest, "T-Shirt".to_string(), LineOutcome::Moved),
            (LineOrigin::Account, "Cap".to_string(), LineOutcome::Readded),
            (
                LineOrigin::Account,
                "Sticker Pack".to_string(),
                LineOutcome::Readded
            ),
        ]
    );
    assert_eq!(transfers(&server), 0);
    assert_eq!(
        lines_of(&next).await,
        [
            ("Cap".to_string(), 1.0),
            ("Sticker Pack".to_string(), 3.0),
            ("T-Shirt".to_string(), 2.0)
        ]
    );
}

#[tokio::test]
async fn transfer_guest_cart_with_nothing_pending_sends_nothing() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    assert!(matches!(
        client.transfer_guest_cart().await,
        Err(Error::NotSignedIn)
    ));
    client.login(USER, PASSWORD).await.unwrap();
    server.clear_journal();
    assert_eq!(client.transfer_guest_cart().await.unwrap(), None);
    assert!(server.journal().is_empty());
}
