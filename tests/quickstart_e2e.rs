//! The README's first-five-minutes examples run out of the box: the quickstart tour and the
//! backend example, both against an embedded `cocart-mock`.

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "../examples/backend.rs"]
mod backend;

use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_tour_transfers_the_cart_and_refreshes_once() {
    let mut out = Vec::new();
    let summary = quickstart::run(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();

    assert!(summary.guest_cart_key.starts_with("t_"), "{summary:?}");
    assert_eq!(summary.customer_cart_key, "1", "the demo customer's cart");
    let mut skus = summary.customer_skus.clone();
    skus.sort();
    assert_eq!(skus, vec!["MOCK-MUG", "MOCK-TSHIRT"]);
    assert_eq!(summary.total, "$34.99");
    assert_eq!(
        summary.refresh_statuses,
        vec![200],
        "exactly one, proactive, refresh"
    );
    assert_eq!(summary.rejected_after_jump, 0);
    assert!(summary.logout_confirmed);
    assert_eq!(
        summary.events,
        vec![
            "InitialSession",
            "SignedIn(1)",
            "TokenRefreshed",
            "SignedOut(LoggedOut)"
        ]
    );
    for step in [
        "1. Started cocart-mock",
        "3. Filled a guest cart",
        "4. Logged in as Demo",
        "journal shows 1 refresh call(s) [200]",
        "6. Logged out",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backend_example_serves_a_cart_through_the_sdk() {
    let dir = std::env::temp_dir().join(format!("cocart-backend-e2e-{}", std::process::id()));
    let args = backend::Args {
        store_url: None,
        username: None,
        password: None,
        listen: "127.0.0.1:0".into(),
        session_file: Some(dir.join("session.json")),
        shared: Default::default(),
    };
    let (client, mock) = backend::connect(&args).await.unwrap();
    assert!(mock.is_some(), "no --store-url: an embedded mock");
    assert!(client.is_signed_in());
    assert!(
        dir.join("session.json").exists(),
        "the session is in the FileStore"
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = tokio::spawn(async move { axum::serve(listener, backend::app(client)).await });
    let http = reqwest::Client::new();

    let empty: Value = http
        .get(format!("{base}/cart"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty["items"], json!([]));

    let added = http
        .post(format!("{base}/cart/items"))
        .json(&json!({"sku": "MOCK-TSHIRT", "qty": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    let cart: Value = added.json().await.unwrap();
    assert_eq!(cart["items"][0]["sku"], "MOCK-TSHIRT");
    assert_eq!(cart["items"][0]["quantity"], 2.0);
    assert_eq!(cart["total"], "$25.00");
    assert_eq!(cart["total_minor"], 2500);

    let refused = http
        .post(format!("{base}/cart/items"))
        .json(&json!({"sku": "MOCK-POSTER"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        422,
        "the store's refusal is the caller's problem"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "cocart_product_out_of_stock");

    let bad = http
        .post(format!("{base}/cart/items"))
        .json(&json!({"qty": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    serving.abort();
    let _ = std::fs::remove_dir_all(dir);
}
