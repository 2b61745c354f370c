//! Every `client.cart()` operation against the real mock store (guest carts), asserting the
//! concrete values the store computed: names, quantities, money, item keys, removed lines and
//! notices. The catalogue is documented at the top of `mock-server/src/shop/catalogue.rs`.

mod support;

use cocart::models::{
    AddItem, AddItems, BillingAddress, CartQuery, CustomerUpdate, ItemKey, UpdateQuantities,
};
use cocart::{ApiErrorKind, Error};
use cocart_mock::{FaultSpec, MockServer};
use support::*;

const ADDED_TSHIRT: &str = "\u{201c}T-Shirt\u{201d} has been added to your cart.";

#[tokio::test]
async fn a_new_guest_cart_is_empty_and_its_key_is_sent_from_then_on() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    assert_eq!(client.cart_key(), None);

    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert!(cart.is_empty());
    assert_eq!(cart.hash(), None, "the empty-cart hash text is not a hash");
    assert_eq!(cart.total().minor(), 0);
    assert_eq!(cart.total().to_string(), "$0.00");
    assert!(!cart.cart_key.is_empty());
    assert_eq!(client.cart_key().as_deref(), Some(cart.cart_key.as_str()));

    client.cart().add_item(AddItem::new(101)).await.unwrap();
    let journal = server.journal();
    assert_eq!(journal.len(), 2);
    assert_eq!(
        query_param(&journal[0], "cart_key"),
        None,
        "nothing to send yet"
    );
    assert_eq!(
        query_param(&journal[1], "cart_key").as_deref(),
        Some(cart.cart_key.as_str())
    );
}

#[tokio::test]
async fn add_item_by_id_and_by_sku_prices_lines_in_minor_units() {
    let server = MockServer::start().await.unwrap();
    let cart = guest(&server);
    let after_first = cart
        .cart()
        .add_item(AddItem::new(101).quantity(2))
        .await
        .unwrap();
    assert_eq!(after_first.notices().successes(), [ADDED_TSHIRT]);
    assert!(!after_first.notices().has_errors());
    let line = &after_first.items[0];
    assert_eq!((line.id, line.name.as_str()), (101, "T-Shirt"));
    assert_eq!(line.quantity.value, 2.0);
    assert_eq!(line.meta.sku, "MOCK-TSHIRT");
    assert_eq!(line.price.minor(), 1250);
    assert_eq!(line.unit_price(&after_first.currency).to_string(), "$12.50");
    assert_eq!(line.line_subtotal(&after_first.currency).minor(), 2500);
    assert_eq!(line.line_total(&after_first.currency).to_string(), "$25.00");
    assert!(line.item_key.is_well_formed(), "{}", line.item_key);

    let both = cart
        .cart()
        .add_item(AddItem::new("MOCK-MUG"))
        .await
        .unwrap();
    let names: Vec<_> = both.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["T-Shirt", "Mug"]);
    assert_eq!(both.item_count, 3.0);
    assert_eq!(both.subtotal().minor(), 2500 + 999);
    assert_eq!(both.total().minor(), 3499);
    assert_eq!(both.total().to_string(), "$34.99");
    assert_eq!(
        both.notices().successes(),
        ["\u{201c}Mug\u{201d} has been added to your cart."]
    );
    assert!(both.hash().is_some());
}

#[tokio::test]
async fn the_same_product_adds_onto_its_line_and_item_data_makes_a_new_one() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    client.cart().add_item(AddItem::new(103)).await.unwrap();
    let merged = client
        .cart()
        .add_item(AddItem::new("MOCK-MUG").quantity(2))
        .await
        .unwrap();
    assert_eq!(merged.items.len(), 1);
    assert_eq!(merged.items[0].quantity.value, 3.0);

    let gift = client
        .cart()
        .add_item(AddItem::new(103).item_data("gift_note", "Happy birthday"))
        .await
        .unwrap();
    assert_eq!(gift.items.len(), 2);
    let note = &gift.items[1];
    assert_ne!(note.item_key, gift.items[0].item_key);
    assert_eq!(
        note.cart_item_data.get("gift_note"),
        Some(&serde_json::json!("Happy birthday"))
    );
    assert_eq!(gift.item_count, 4.0);
}

#[tokio::test]
async fn variation_attributes_select_the_variation() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let cart = client
        .cart()
        .add_item(
            AddItem::new(201)
                .variation("Color", "Green")
                .variation("pa_size", "small"),
        )
        .await
        .unwrap();
    let line = &cart.items[0];
    assert_eq!(line.id, 204, "the green small variation");
    assert_eq!(line.meta.product_type, "variation");
    assert_eq!(line.meta.sku, "MOCK-HOODIE-GREEN-S");
    assert_eq!(line.price.minor(), 4200, "on sale from 4500");
    assert_eq!(line.unit_price(&cart.currency).to_string(), "$42.00");
    assert_eq!(line.meta.variation.len(), 2, "{:?}", line.meta.variation);

    // A variation added by its own SKU lands on the same line.
    let again = client
        .cart()
        .add_item(AddItem::new("MOCK-HOODIE-GREEN-S"))
        .await
        .unwrap();
    assert_eq!(again.items.len(), 1);
    assert_eq!(again.items[0].quantity.value, 2.0);
    assert_eq!(again.total().to_string(), "$84.00");
}

#[tokio::test]
async fn add_items_adds_children_of_a_grouped_product() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let cart = client
        .cart()
        .add_items(AddItems::new(301).child(101, 1).child(103, 2).child(102, 0))
        .await
        .unwrap();
    let lines: Vec<_> = cart
        .items
        .iter()
        .map(|i| (i.id, i.quantity.value))
        .collect();
    assert_eq!(lines, [(101, 1.0), (103, 2.0)], "quantity 0 is skipped");
    assert_eq!(cart.total().minor(), 1250 + 2 * 999);
    assert_eq!(cart.notices().successes().len(), 1);
    let grouped_notice = &cart.notices().successes()[0];
    assert!(
        grouped_notice.contains("T-Shirt") && grouped_notice.contains("Mug"),
        "{grouped_notice}"
    );
}

#[tokio::test]
async fn item_and_items_read_lines_by_key() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    assert!(client.cart().items().await.unwrap().is_empty());
    let last = server.journal().pop().unwrap();
    assert_eq!(
        (last.path.as_str(), last.status),
        ("/wp-json/cocart/v2/cart/items", 404),
        "the store answers an empty cart with 404 cocart_no_items_in_cart"
    );

    client.cart().add_item(AddItem::new(101)).await.unwrap();
    let cart = client
        .cart()
        .add_item(AddItem::new(102).quantity(3))
        .await
        .unwrap();
    let cap_key = cart.items[1].item_key.clone();

    let items = client.cart().items().await.unwrap();
    let ids: Vec<_> = items.iter().map(|i| i.id).collect();
    assert_eq!(ids, [101, 102], "cart order is kept from the keyed map");
    assert_eq!(items.by_key(cap_key.as_str()).unwrap().name, "Cap");

    let cap = client.cart().item(&cap_key).await.unwrap();
    assert_eq!(cap.item_key, cap_key);
    assert_eq!(cap.quantity.value, 3.0);
    assert_eq!(cap.price.minor(), 1800);

    let missing = client
        .cart()
        .item(&ItemKey::new("0123456789abcdef0123456789abcdef"))
        .await
        .unwrap_err();
    let api = missing.api().unwrap();
    assert_eq!(api.kind, ApiErrorKind::ItemNotInCart);
    assert_eq!(
        (api.status, api.code.as_str()),
        (404, "cocart_item_not_in_cart")
    );
}

#[tokio::test]
async fn update_remove_and_restore_a_line() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let cart = client.cart().add_item(AddItem::new(101)).await.unwrap();
    let key = cart.items[0].item_key.clone();

    let up = client.cart().update_item(&key, 5).await.unwrap();
    assert_eq!(up.item(key.as_str()).unwrap().quantity.value, 5.0);
    assert_eq!(up.total().minor(), 5 * 1250);
    assert_eq!(
        up.notices().successes(),
        ["The quantity for \"T-Shirt\" has increased to \"5\"."]
    );

    let removed = client.cart().remove_item(&key).await.unwrap();
    assert!(removed.is_empty());
    let gone = removed.removed_item(key.as_str()).unwrap();
    assert_eq!((gone.name.as_str(), gone.quantity), ("T-Shirt", 5.0));
    assert_eq!(
        removed.notices().successes(),
        ["\"T-Shirt\" has been removed from cart."]
    );

    let restored = client.cart().restore_item(&key).await.unwrap();
    assert_eq!(restored.item(key.as_str()).unwrap().quantity.value, 5.0);
    assert!(restored.removed_items.is_empty());
    assert_eq!(
        restored.notices().successes(),
        ["\"T-Shirt\" has been added back to your cart."]
    );

    let zero = client.cart().update_item(&key, 0).await.unwrap();
    assert!(zero.is_empty(), "quantity 0 removes the line");
    assert_eq!(zero.removed_items.len(), 1);

    let journal = server.journal();
    let methods: Vec<_> = journal.iter().skip(1).map(|e| e.method.as_str()).collect();
    assert_eq!(methods, ["POST", "DELETE", "PUT", "POST"]);
}

#[tokio::test]
async fn update_quantities_changes_several_lines_at_once() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    client.cart().add_item(AddItem::new(101)).await.unwrap();
    let cart = client.cart().add_item(AddItem::new(103)).await.unwrap();
    let (shirt, mug) = (
        cart.items[0].item_key.clone(),
        cart.items[1].item_key.clone(),
    );
    let updated = client
        .cart()
        .update_quantities(
            UpdateQuantities::new()
                .set(shirt.clone(), 4)
                .set(mug.clone(), 0),
        )
        .await
        .unwrap();
    assert_eq!(updated.items.len(), 1);
    assert_eq!(updated.item(shirt.as_str()).unwrap().quantity.value, 4.0);
    assert!(updated.removed_item(mug.as_str()).is_some());
    assert!(
        updated
            .notices()
            .successes()
            .iter()
            .any(|n| n == "Cart updated."),
        "{:?}",
        updated.notices()
    );
}

#[tokio::test]
async fn update_customer_sets_the_billing_address() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    client.cart().add_item(AddItem::new(101)).await.unwrap();
    let billing = BillingAddress::new()
        .first_name("Jane")
        .last_name("Doe")
        .email("jane@example.com")
        .city("Beverly Hills")
        .country("US")
        .state("CA")
        .postcode("90210");
    let cart = client
        .cart()
        .update_customer(CustomerUpdate::new(billing))
        .await
        .unwrap();
    let b = cart.customer.billing();
    assert_eq!(b.first_name(), Some("Jane"));
    assert_eq!(b.last_name(), Some("Doe"));
    assert_eq!(b.city(), Some("Beverly Hills"));
    assert_eq!(b.country(), Some("US"));
    assert_eq!(b.get("postcode"), Some("90210"));
    assert_eq!(b.get("email"), Some("jane@example.com"));
}

#[tokio::test]
async fn clear_empties_the_cart_and_says_so() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let cart = client.cart().add_item(AddItem::new(101)).await.unwrap();
    let key = cart.items[0].item_key.clone();
    client
        .cart()
        .add_item(AddItem::new(103).quantity(2))
        .await
        .unwrap();
    client.cart().remove_item(&key).await.unwrap();
    let cleared = client.cart().clear().await.unwrap();
    assert!(cleared.is_empty());
    assert!(cleared.removed_items.is_empty());
    assert_eq!(cleared.notices().notices(), ["Cart is cleared."]);
    assert_eq!(cleared.total().minor(), 0);
    assert_eq!(cleared.cart_key, client.cart_key().unwrap(), "same cart");
}

#[tokio::test]
async fn calculate_returns_the_recalculated_cart() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    client
        .cart()
        .add_item(AddItem::new(102).quantity(2))
        .await
        .unwrap();
    let cart = client.cart().calculate().await.unwrap();
    assert_eq!(cart.items[0].name, "Cap");
    assert_eq!(cart.total().minor(), 3600);
    assert_eq!(cart.total().to_string(), "$36.00");
    let last = server.journal().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("POST", "/wp-json/cocart/v2/cart/calculate")
    );
}

#[tokio::test]
async fn count_is_zero_on_an_empty_cart_and_sums_quantities_otherwise() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    assert_eq!(client.cart().count().await.unwrap(), 0.0);
    assert_eq!(
        server.journal().pop().unwrap().status,
        400,
        "the store's cocart_response_returned_empty"
    );
    client
        .cart()
        .add_item(AddItem::new(101).quantity(2))
        .await
        .unwrap();
    client
        .cart()
        .add_item(AddItem::new(104).quantity(3))
        .await
        .unwrap();
    assert_eq!(client.cart().count().await.unwrap(), 5.0);
}

#[tokio::test]
async fn totals_are_zero_on_an_empty_cart_and_match_the_cart_otherwise() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let empty = client.cart().totals().await.unwrap();
    assert_eq!(empty.total.to_minor(2), 0);
    assert_eq!(server.journal().pop().unwrap().status, 404);

    let cart = client
        .cart()
        .add_item(AddItem::new(101).quantity(2))
        .await
        .unwrap();
    let totals = client.cart().totals().await.unwrap();
    assert_eq!(totals.subtotal.with_currency(&cart.currency).minor(), 2500);
    assert_eq!(
        totals.total.with_currency(&cart.currency).to_string(),
        "$25.00"
    );
}

#[tokio::test]
async fn get_sends_fields_and_thumb() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    client.cart().add_item(AddItem::new(101)).await.unwrap();
    let with_thumb = client.cart().get(&CartQuery::default()).await.unwrap();
    assert!(!with_thumb.items[0].featured_image.is_empty());

    let filtered = client
        .cart()
        .get(&CartQuery::new().field("items").field("totals").thumb(false))
        .await
        .unwrap();
    assert_eq!(filtered.items.len(), 1);
    assert_eq!(filtered.items[0].featured_image, "", "thumb=false");
    assert_eq!(filtered.total().minor(), 1250);
    assert_eq!(filtered.cart_hash, "", "not among the requested fields");
    let last = server.journal().pop().unwrap();
    assert_eq!(
        query_param(&last, "fields").as_deref(),
        Some("items%2Ctotals")
    );
    assert_eq!(query_param(&last, "thumb").as_deref(), Some("false"));
    assert_eq!(query_param(&last, "cart_key"), client.cart_key());
}

#[tokio::test]
async fn stock_falling_under_a_line_is_reported_as_an_error_notice_with_200() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    client
        .cart()
        .add_item(AddItem::new(107).quantity(3))
        .await
        .unwrap();

    assert!(server.set_stock(107, Some(1)));
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.items[0].quantity.value, 3.0, "the line stays at 3");
    assert_eq!(
        cart.notices().errors(),
        [
            "Sorry, we do not have enough \"Limited Edition Vinyl\" in stock to fulfill your order (1 available). We apologize for any inconvenience caused."
        ]
    );
    assert_eq!(server.journal().pop().unwrap().status, 200);
    let again = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(again.notices().errors().len(), 1, "repeats on every read");

    assert!(server.set_stock(107, Some(0)));
    let out = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(out.items.len(), 1);
    assert!(out.removed_items.is_empty());
    assert_eq!(
        out.notices().errors(),
        [
            "Sorry, \"Limited Edition Vinyl\" is not in stock. Please edit your cart and try again. We apologize for any inconvenience caused."
        ]
    );
}

/// Asserts an API error's kind, status and code; returns its message.
fn expect_api(err: &Error, kind: ApiErrorKind, status: u16, code: &str) -> String {
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err:?}"));
    assert_eq!(api.kind, kind, "{api:?}");
    assert_eq!((api.status, api.code.as_str()), (status, code));
    assert!(!api.message.is_empty());
    api.message.clone()
}

#[tokio::test]
async fn add_item_errors_are_typed_and_keep_code_message_and_status() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let cart = client.cart();

    let e = cart
        .add_item(AddItem::new("MOCK-POSTER"))
        .await
        .unwrap_err();
    let msg = expect_api(
        &e,
        ApiErrorKind::OutOfStock,
        404,
        "cocart_product_out_of_stock",
    );
    assert!(msg.contains("Vintage Poster"), "{msg}");

    let e = cart
        .add_item(AddItem::new(107).quantity(5))
        .await
        .unwrap_err();
    let msg = expect_api(
        &e,
        ApiErrorKind::InvalidQuantity {
            min: None,
            max: Some(3.0),
        },
        405,
        "cocart_quantity_invalid_amount",
    );
    assert_eq!(msg, "Quantity must be 3 or lower.");

    let e = cart
        .add_item(AddItem::new(101).quantity(0))
        .await
        .unwrap_err();
    expect_api(
        &e,
        ApiErrorKind::InvalidQuantity {
            min: Some(1.0),
            max: None,
        },
        405,
        "cocart_quantity_invalid_amount",
    );

    cart.add_item(AddItem::new(107).quantity(2)).await.unwrap();
    let e = cart
        .add_item(AddItem::new(107).quantity(2))
        .await
        .unwrap_err();
    let msg = expect_api(
        &e,
        ApiErrorKind::NotEnoughStock,
        404,
        "cocart_not_enough_in_stock",
    );
    assert!(msg.contains("(1 remaining)"), "{msg}");

    let e = cart
        .add_item(AddItem::new("NO-SUCH-SKU"))
        .await
        .unwrap_err();
    expect_api(
        &e,
        ApiErrorKind::ProductNotFound,
        404,
        "cocart_unknown_product_id",
    );
    let e = cart.add_item(AddItem::new(999_999)).await.unwrap_err();
    expect_api(
        &e,
        ApiErrorKind::ProductNotFound,
        400,
        "cocart_invalid_product",
    );

    let e = cart.add_item(AddItem::new(201)).await.unwrap_err();
    expect_api(
        &e,
        ApiErrorKind::VariationRequired,
        404,
        "cocart_no_variation_found",
    );
    let e = cart
        .add_item(AddItem::new(201).variation("Color", "blue"))
        .await
        .unwrap_err();
    let msg = expect_api(
        &e,
        ApiErrorKind::VariationRequired,
        400,
        "cocart_missing_variation_data",
    );
    assert!(msg.contains("Size"), "{msg}");
    let e = cart
        .add_item(
            AddItem::new(201)
                .variation("Color", "red")
                .variation("Size", "small"),
        )
        .await
        .unwrap_err();
    let msg = expect_api(
        &e,
        ApiErrorKind::InvalidVariation,
        400,
        "cocart_invalid_variation_data",
    );
    assert!(msg.contains("blue, green"), "{msg}");

    for product in [401u64, 301] {
        let e = cart.add_item(AddItem::new(product)).await.unwrap_err();
        expect_api(
            &e,
            ApiErrorKind::CannotBePurchased,
            403,
            "cocart_cannot_add_product_type_to_cart",
        );
    }

    let signed = cart.add_item(AddItem::new(106)).await.unwrap();
    let e = cart.add_item(AddItem::new(106)).await.unwrap_err();
    expect_api(
        &e,
        ApiErrorKind::SoldIndividually,
        403,
        "cocart_product_sold_individually",
    );
    let key = signed
        .items
        .iter()
        .find(|i| i.id == 106)
        .unwrap()
        .item_key
        .clone();
    let e = cart.update_item(&key, 2).await.unwrap_err();
    expect_api(
        &e,
        ApiErrorKind::SoldIndividually,
        405,
        "cocart_can_not_increase_quantity",
    );

    let e = cart
        .update_item(&ItemKey::new("0123456789abcdef0123456789abcdef"), 2)
        .await
        .unwrap_err();
    expect_api(
        &e,
        ApiErrorKind::ItemNotInCart,
        404,
        "cocart_item_not_in_cart",
    );

    // None of the refused adds changed the cart.
    let now = cart.get(&CartQuery::default()).await.unwrap();
    let lines: Vec<_> = now.items.iter().map(|i| (i.id, i.quantity.value)).collect();
    assert_eq!(lines, [(107, 2.0), (106, 1.0)]);
}

#[tokio::test]
async fn a_guest_cart_survives_a_restart_with_the_same_token_store() {
    let server = MockServer::start().await.unwrap();
    let store: std::sync::Arc<dyn cocart::SessionStore> =
        std::sync::Arc::new(cocart::MemoryStore::new());
    let first = client_with_store(&server, store.clone());
    let cart = first
        .cart()
        .add_item(AddItem::new(103).quantity(2))
        .await
        .unwrap();
    let saved = wait_for_store(store.as_ref(), |s| s.cart_key.is_some()).await;
    assert_eq!(saved.cart_key.as_deref(), Some(cart.cart_key.as_str()));
    drop(first);

    let restarted = client_with_store(&server, store.clone());
    assert_eq!(restarted.restore_session().await.unwrap(), None, "a guest");
    let again = restarted.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(again.cart_key, cart.cart_key);
    assert_eq!(again.items.len(), 1);
    assert_eq!(again.items[0].name, "Mug");
    assert_eq!(again.items[0].quantity.value, 2.0);
    let last = server.journal().pop().unwrap();
    assert_eq!(query_param(&last, "cart_key"), Some(cart.cart_key));
}

#[tokio::test]
async fn login_transfers_the_guest_cart_in_one_call_and_keeps_the_customer_lines() {
    let server = MockServer::start().await.unwrap();
    // The customer already has a cap in their cart from another device.
    let other_device = guest(&server);
    other_device.login(USER, PASSWORD).await.unwrap();
    other_device
        .cart()
        .add_item(AddItem::new(102))
        .await
        .unwrap();

    let client = guest(&server);
    let guest_cart = client
        .cart()
        .add_item(AddItem::new(101).quantity(2))
        .await
        .unwrap();
    let guest_key = guest_cart.cart_key.clone();
    server.clear_journal();

    let user = client.login(USER, PASSWORD).await.unwrap();
    assert_eq!(client.cart_key(), None, "the transfer completed");
    let journal = server.journal();
    let carts: Vec<_> = journal.iter().filter(|e| e.path == CART_PATH).collect();
    assert_eq!(carts.len(), 1, "exactly one transfer call: {journal:?}");
    assert_eq!(carts[0].auth, "bearer");
    assert_eq!(query_param(carts[0], "cart_key"), Some(guest_key.clone()));

    // The store replaced the customer's cart; the SDK added the cap back (the default policy).
    assert_eq!(
        journal_for(&server, "/wp-json/cocart/v2/cart/add-item").len(),
        1
    );
    let merged = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(merged.cart_key, user.id.to_string());
    let mut lines: Vec<_> = merged
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.quantity.value))
        .collect();
    lines.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(lines, [("Cap", 1.0), ("T-Shirt", 2.0)]);
    assert_eq!(merged.total().minor(), 1800 + 2500);
    let last = server.journal().pop().unwrap();
    assert_eq!(
        query_param(&last, "cart_key"),
        None,
        "no key once signed in"
    );
    assert_eq!(last.auth, "bearer");
}

#[tokio::test]
async fn a_read_is_retried_after_a_503_and_after_a_dropped_connection() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    client.cart().add_item(AddItem::new(101)).await.unwrap();

    server.clear_journal();
    server
        .add_fault(FaultSpec::status(CART_PATH, 503, 1))
        .unwrap();
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.items[0].name, "T-Shirt");
    let statuses: Vec<_> = server.journal().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [503, 200]);

    server.clear_journal();
    server
        .add_fault(FaultSpec::drop_connection(CART_PATH, 1))
        .unwrap();
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.items.len(), 1);
    let statuses: Vec<_> = server.journal().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [0, 200], "0 = dropped without a response");
}

const ADD_ITEM_PATH: &str = "/wp-json/cocart/v2/cart/add-item";

#[tokio::test]
async fn a_write_that_fails_with_500_is_not_retried_and_the_cart_is_re_read() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    client.cart().add_item(AddItem::new(103)).await.unwrap();
    server.clear_journal();
    server
        .add_fault(FaultSpec::status(ADD_ITEM_PATH, 500, 1))
        .unwrap();

    let err = client.cart().add_item(AddItem::new(101)).await.unwrap_err();
    let Error::WriteOutcomeUnknown { cause, cart } = err else {
        panic!("expected WriteOutcomeUnknown, got {err:?}");
    };
    assert!(
        matches!(*cause, Error::Server { status: 500, .. }),
        "{cause:?}"
    );
    // The mock answers a `status` fault without running the operation, so the re-read cart
    // shows that the add did not happen.
    let cart = cart.expect("the cart was re-read");
    let ids: Vec<_> = cart.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, [103]);
    assert_eq!(
        journal_lines(&server),
        [
            ("POST".to_string(), ADD_ITEM_PATH.to_string(), 500),
            ("GET".to_string(), CART_PATH.to_string(), 200),
        ]
    );
}

#[tokio::test]
async fn a_write_whose_connection_drops_is_not_retried_either() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let cart = client.cart().add_item(AddItem::new(103)).await.unwrap();
    let key = cart.items[0].item_key.clone();
    server.clear_journal();
    let item_path = format!("/wp-json/cocart/v2/cart/item/{key}");
    server
        .add_fault(FaultSpec::drop_connection(&item_path, 1))
        .unwrap();

    let err = client.cart().remove_item(&key).await.unwrap_err();
    let Error::WriteOutcomeUnknown { cause, cart } = err else {
        panic!("expected WriteOutcomeUnknown, got {err:?}");
    };
    assert!(matches!(*cause, Error::Network(_)), "{cause:?}");
    let cart = cart.expect("the cart was re-read");
    assert!(cart.item(key.as_str()).is_some(), "the remove never ran");
    assert_eq!(
        journal_lines(&server),
        [
            ("DELETE".to_string(), item_path.clone(), 0),
            ("GET".to_string(), CART_PATH.to_string(), 200),
        ]
    );
}

#[tokio::test]
async fn clear_and_update_are_not_retried_after_a_5xx() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let cart = client.cart().add_item(AddItem::new(103)).await.unwrap();
    let key = cart.items[0].item_key.clone();
    let item_path = format!("/wp-json/cocart/v2/cart/item/{key}");
    let clear_path = "/wp-json/cocart/v2/cart/clear";
    server
        .add_fault(FaultSpec::status(&item_path, 502, 1))
        .unwrap();
    server
        .add_fault(FaultSpec::status(clear_path, 503, 1))
        .unwrap();
    server.clear_journal();

    let update = client.cart().update_item(&key, 4).await.unwrap_err();
    assert!(
        matches!(update, Error::WriteOutcomeUnknown { cart: Some(_), .. }),
        "{update:?}"
    );
    let clear = client.cart().clear().await.unwrap_err();
    let Error::WriteOutcomeUnknown {
        cart: Some(cart), ..
    } = clear
    else {
        panic!("{clear:?}");
    };
    assert_eq!(cart.items[0].quantity.value, 1.0, "neither write ran");
    assert_eq!(
        journal_lines(&server),
        [
            ("POST".to_string(), item_path, 502),
            ("GET".to_string(), CART_PATH.to_string(), 200),
            ("POST".to_string(), clear_path.to_string(), 503),
            ("GET".to_string(), CART_PATH.to_string(), 200),
        ]
    );
}
