//! The demo programs behind `examples/guest_to_customer.rs` and `examples/concurrent.rs`, run
//! against a real mock store, with the outcome checked on the server side.

mod support;

use cocart::clock::OffsetClock;
use cocart::models::CartQuery;
use cocart_e2e::demos::{StoreArgs, concurrent, guest_to_customer};
use cocart_mock::MockServer;
use support::*;

fn store_args(server: &MockServer) -> StoreArgs {
    StoreArgs {
        store_url: server.base_url().to_string(),
        username: USER.to_string(),
        password: PASSWORD.to_string(),
    }
}

#[tokio::test]
async fn guest_to_customer_leaves_the_product_in_the_customers_cart() {
    let server = MockServer::start().await.unwrap();
    let report = guest_to_customer::run(guest_to_customer::Args {
        store: store_args(&server),
        product: "MOCK-MUG".to_string(),
        quantity: 2,
    })
    .await
    .unwrap();
    assert!(report.transferred(), "{report}");
    assert!(
        report.guest_cart_key.starts_with("t_"),
        "{}",
        report.guest_cart_key
    );
    assert_eq!(report.customer_cart.cart_key, report.user.id.to_string());
    let printed = report.to_string();
    assert!(printed.contains("2 × Mug (MOCK-MUG)  $19.98"), "{printed}");
    assert!(
        printed.contains("transfer: moved 1 line from the guest cart; your account cart was empty"),
        "{printed}"
    );

    // Exactly one transfer call, authenticated, with the guest key.
    let transfers: Vec<_> = journal_for(&server, CART_PATH)
        .into_iter()
        .filter(|e| query_param(e, "cart_key").is_some())
        .collect();
    assert_eq!(transfers.len(), 1);
    assert_eq!(transfers[0].auth, "bearer");
    assert_eq!(
        query_param(&transfers[0], "cart_key"),
        Some(report.guest_cart_key.clone())
    );

    // On the server: a second, independent client signs in and finds the mugs.
    let second = guest(&server);
    second.login(USER, PASSWORD).await.unwrap();
    let cart = second.cart().get(&CartQuery::default()).await.unwrap();
    let lines: Vec<_> = cart
        .items
        .iter()
        .map(|i| (i.meta.sku.as_str(), i.quantity.value))
        .collect();
    assert_eq!(lines, [("MOCK-MUG", 2.0)]);
}

#[tokio::test]
async fn guest_to_customer_keeps_the_customers_saved_lines_and_says_so() {
    let server = MockServer::start().await.unwrap();
    let other = guest(&server);
    other.login(USER, PASSWORD).await.unwrap();
    other
        .cart()
        .add_item(cocart::models::AddItem::new(102))
        .await
        .unwrap();
    let report = guest_to_customer::run(guest_to_customer::Args {
        store: store_args(&server),
        product: "MOCK-MUG".to_string(),
        quantity: 1,
    })
    .await
    .unwrap();
    assert!(report.transferred(), "{report}");
    let printed = report.to_string();
    assert!(
        printed.contains(
            "transfer: moved 1 line from the guest cart; kept 0 lines from your account cart; re-added 1"
        ),
        "{printed}"
    );
    let mut skus: Vec<_> = report
        .customer_cart
        .items
        .iter()
        .map(|i| i.meta.sku.as_str())
        .collect();
    skus.sort_unstable();
    assert_eq!(skus, ["MOCK-CAP", "MOCK-MUG"]);
    assert!(printed.contains("(2 lines, 2 units)"), "{printed}");
}

#[tokio::test]
async fn guest_to_customer_takes_a_product_id_and_reports_store_errors() {
    let server = MockServer::start().await.unwrap();
    let report = guest_to_customer::run(guest_to_customer::Args {
        store: store_args(&server),
        product: "102".to_string(),
        quantity: 1,
    })
    .await
    .unwrap();
    assert_eq!(report.customer_cart.items[0].name, "Cap");

    let err = guest_to_customer::run(guest_to_customer::Args {
        store: store_args(&server),
        product: "MOCK-POSTER".to_string(),
        quantity: 1,
    })
    .await
    .unwrap_err();
    assert_eq!(
        err.api().map(|a| a.code.as_str()),
        Some("cocart_product_out_of_stock")
    );

    let mut wrong = store_args(&server);
    wrong.password = "not-the-password".to_string();
    let err = guest_to_customer::run(guest_to_customer::Args {
        store: wrong,
        product: "MOCK-MUG".to_string(),
        quantity: 1,
    })
    .await
    .unwrap_err();
    assert!(
        matches!(err, cocart::Error::InvalidCredentials { .. }),
        "{err:?}"
    );
    assert!(!format!("{err:?} {err}").contains("not-the-password"));
}

#[tokio::test]
async fn concurrent_reads_after_expiry_make_exactly_one_refresh() {
    let server = MockServer::builder().access_ttl(10).start().await.unwrap();
    let clock = OffsetClock::new();
    let args = concurrent::Args {
        store: store_args(&server),
        shared: Default::default(),
        concurrency: 25,
        wait: 11,
    };
    let report = concurrent::run_with(args, clock.clone(), |waited| {
        // The injected wait: both clocks jump instead of sleeping 11 s.
        advance(&server, &clock, waited.as_secs() as i64);
        std::future::ready(())
    })
    .await
    .unwrap();
    assert_eq!(report.successes, 25, "{report}");
    assert!(report.failures.is_empty(), "{report}");
    assert_eq!(report.refreshes, 1, "{report}");

    let refreshes = journal_for(&server, REFRESH_PATH);
    assert_eq!(refreshes.len(), 1);
    assert_eq!(refreshes[0].status, 200);
    let reads = journal_for(&server, CART_PATH);
    assert_eq!(reads.len(), 25);
    assert!(reads.iter().all(|e| e.status == 200 && e.auth == "bearer"));
    // The refresh came before any read: none was sent with the expired token.
    let order: Vec<_> = server
        .journal()
        .into_iter()
        .map(|e| e.path)
        .filter(|p| p != "/wp-json/cocart/v2/login")
        .collect();
    assert_eq!(order[0], REFRESH_PATH);
}

#[tokio::test]
async fn concurrent_without_a_wait_needs_no_refresh() {
    let server = MockServer::builder()
        .access_ttl(3600)
        .start()
        .await
        .unwrap();
    let report = concurrent::run(concurrent::Args {
        store: store_args(&server),
        shared: Default::default(),
        concurrency: 5,
        wait: 0,
    })
    .await
    .unwrap();
    assert_eq!((report.successes, report.refreshes), (5, 0));
    assert!(journal_for(&server, REFRESH_PATH).is_empty());
}
