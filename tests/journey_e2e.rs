//! The whole shopper journey against the real mock store, with the journal checked at every
//! step: guest → add → login (the account cart read, then one transfer call) → update → logout →
//! a fresh, empty guest cart.

mod support;

use cocart::models::{AddItem, CartQuery};
use cocart_mock::{JournalEntry, MockServer};
use support::*;

/// The journal since the last call, then cleared.
fn take_journal(server: &MockServer) -> Vec<JournalEntry> {
    let entries = server.journal();
    server.clear_journal();
    entries
}

#[tokio::test]
async fn guest_add_login_transfer_update_logout_fresh_guest_cart() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);

    // 1. A guest opens the cart: a new key comes back, nothing was sent.
    let opened = client.cart().get(&CartQuery::default()).await.unwrap();
    let guest_key = opened.cart_key.clone();
    assert!(opened.is_empty());
    let step = take_journal(&server);
    assert_eq!(step.len(), 1);
    assert_eq!(
        (step[0].auth.as_str(), query_param(&step[0], "cart_key")),
        ("none", None)
    );

    // 2. The guest adds two mugs: the key goes along as `cart_key`.
    let added = client
        .cart()
        .add_item(AddItem::new("MOCK-MUG").quantity(2))
        .await
        .unwrap();
    assert_eq!(added.cart_key, guest_key);
    let line_key = added.items[0].item_key.clone();
    let step = take_journal(&server);
    assert_eq!(step.len(), 1);
    assert_eq!(step[0].path, "/wp-json/cocart/v2/cart/add-item");
    assert_eq!(query_param(&step[0], "cart_key"), Some(guest_key.clone()));

    // 3. Login, a read of the (empty) account cart without the guest key, then exactly one
    // authenticated transfer call carrying the guest key; nothing to add back.
    let user = client.login(USER, PASSWORD).await.unwrap();
    let step = take_journal(&server);
    let seen: Vec<_> = step
        .iter()
        .map(|e| {
            (
                e.method.as_str(),
                e.path.as_str(),
                e.auth.as_str(),
                e.status,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("POST", "/wp-json/cocart/v2/login", "basic", 200),
            ("GET", "/wp-json/cocart/v2/cart/items", "bearer", 404),
            ("GET", CART_PATH, "bearer", 200),
        ]
    );
    assert_eq!(query_param(&step[1], "cart_key"), None);
    assert_eq!(query_param(&step[2], "cart_key"), Some(guest_key.clone()));
    assert_eq!(client.cart_key(), None);

    // 4. The customer's cart holds the guest line; updates go without any key.
    let updated = client.cart().update_item(&line_key, 5).await.unwrap();
    assert_eq!(updated.cart_key, user.id.to_string());
    assert_eq!(updated.item(line_key.as_str()).unwrap().quantity.value, 5.0);
    assert_eq!(updated.total().to_string(), "$49.95");
    let step = take_journal(&server);
    assert_eq!(step.len(), 1);
    assert_eq!((step[0].auth.as_str(), step[0].status), ("bearer", 200));
    assert_eq!(query_param(&step[0], "cart_key"), None);

    // The old guest key now reads as an empty cart: the guest cart was moved, not copied.
    let old = reqwest::get(format!(
        "{}/wp-json/cocart/v2/cart?cart_key={guest_key}",
        server.base_url()
    ))
    .await
    .unwrap()
    .json::<serde_json::Value>()
    .await
    .unwrap();
    assert_eq!(old["items"], serde_json::json!([]));
    server.clear_journal();

    // 5. Logout: the store confirms, the local session and key are gone.
    let outcome = client.logout().await.unwrap();
    assert!(outcome.server_confirmed);
    assert!(!client.is_signed_in());
    assert_eq!(client.cart_key(), None);
    let step = take_journal(&server);
    assert_eq!(step.len(), 1);
    assert_eq!(step[0].path, "/wp-json/cocart/v2/logout");

    // 6. A fresh guest cart: a new key, empty, and no key or credentials were sent for it.
    let fresh = client.cart().get(&CartQuery::default()).await.unwrap();
    assert!(fresh.is_empty());
    assert_ne!(fresh.cart_key, guest_key);
    assert_ne!(fresh.cart_key, user.id.to_string());
    let step = take_journal(&server);
    assert_eq!(step.len(), 1);
    assert_eq!(
        (step[0].auth.as_str(), query_param(&step[0], "cart_key")),
        ("none", None)
    );
    assert_eq!(client.cart_key(), Some(fresh.cart_key.clone()));

    // The customer's cart is untouched by the logout.
    let again = guest(&server);
    again.login(USER, PASSWORD).await.unwrap();
    let kept = again.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(kept.items.len(), 1);
    assert_eq!(kept.items[0].quantity.value, 5.0);
}
