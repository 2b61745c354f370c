//! `client.cart()` against wiremock: the exact requests each operation sends, the guest cart
//! key, odd but real response shapes fed through the real calls, typed errors (including the
//! `{"success":false,"data":[…]}` envelope), read retries and never-retried writes.

mod common;

use std::time::Duration;

use cocart::models::{
    AddItem, AddItems, BillingAddress, CartQuery, CustomerUpdate, ItemKey, UpdateQuantities,
};
use cocart::{ApiErrorKind, CoCartClient, Error};
use common::*;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CART: &str = "/wp-json/cocart/v2/cart";
const FILLED: &str = include_str!("fixtures/cart_filled_493.json");
const REMOVED_MAP: &str = include_str!("fixtures/cart_removed_map.json");
const ITEMS_MAP: &str = include_str!("fixtures/cart_items_map.json");
const TOTALS_RAW: &str = include_str!("fixtures/cart_totals_raw.json");
const PHP_NOTICES: &str = include_str!("fixtures/cart_api_php_notices_before_json.txt");
const CRITICAL_ERROR: &str = include_str!("fixtures/cart_api_critical_error.html");

const GUEST_KEY: &str = "t_0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d";
const BEANIE: &str = "c74d97b01eae257e44aa9d5bade97baf";

fn filled() -> Value {
    serde_json::from_str(FILLED).unwrap()
}

fn cart_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(filled())
}

fn fast_client(server: &MockServer) -> CoCartClient {
    CoCartClient::builder(server.uri())
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap()
}

/// Mounts `method path` (with an exact JSON body when given) answering the filled cart once.
async fn expect_write(server: &MockServer, verb: &str, route: &str, body: Option<Value>) {
    let mut mock = Mock::given(method(verb)).and(path(format!("{CART}{route}")));
    if let Some(body) = body {
        mock = mock.and(body_json(body));
    }
    mock.respond_with(cart_ok())
        .expect(1)
        .named(format!("{verb} {route}"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn every_write_sends_its_method_route_and_a_string_typed_body() {
    let server = store().await;
    expect_write(
        &server,
        "POST",
        "/add-item",
        Some(json!({"id":"HD-B","quantity":"2","variation":{"Color":"Blue"},"item_data":{"gift_note":"Hi"}})),
    )
    .await;
    expect_write(
        &server,
        "POST",
        "/add-items",
        Some(json!({"id":"301","quantity":{"302":"1","303":"2.5"}})),
    )
    .await;
    expect_write(
        &server,
        "POST",
        &format!("/item/{BEANIE}"),
        Some(json!({"quantity":"3"})),
    )
    .await;
    expect_write(&server, "DELETE", &format!("/item/{BEANIE}"), None).await;
    expect_write(&server, "PUT", &format!("/item/{BEANIE}"), None).await;
    Mock::given(method("POST"))
        .and(path(format!("{CART}/update")))
        .and(body_json(
            json!({"namespace":"update-cart","quantity":{BEANIE:"0"}}),
        ))
        .respond_with(cart_ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{CART}/update")))
        .and(body_json(
            json!({"namespace":"update-customer","first_name":"Jane","city":"Austin"}),
        ))
        .respond_with(cart_ok())
        .expect(1)
        .mount(&server)
        .await;
    expect_write(&server, "POST", "/clear", None).await;
    expect_write(&server, "POST", "/calculate", None).await;

    let cart = client(&server).cart();
    let key = ItemKey::new(BEANIE);
    let added = cart
        .add_item(
            AddItem::new("HD-B")
                .quantity(2)
                .variation("Color", "Blue")
                .item_data("gift_note", "Hi"),
        )
        .await
        .unwrap();
    assert_eq!(added.items.len(), 2);
    let half = cocart::models::Quantity::new(2.5).unwrap();
    cart.add_items(AddItems::new(301).child(302, 1).child(303, half))
        .await
        .unwrap();
    cart.update_item(&key, 3).await.unwrap();
    cart.remove_item(&key).await.unwrap();
    cart.restore_item(&key).await.unwrap();
    cart.update_quantities(UpdateQuantities::new().set(BEANIE, 0))
        .await
        .unwrap();
    cart.update_customer(CustomerUpdate::new(
        BillingAddress::new().first_name("Jane").city("Austin"),
    ))
    .await
    .unwrap();
    cart.clear().await.unwrap();
    let calculated = cart.calculate().await.unwrap();
    assert_eq!(calculated.total().to_string(), "$103.26");
    // Every write learned the guest key from its answer: later writes sent it.
    let sent: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.query().map(str::to_string))
        .collect();
    assert_eq!(sent[0], None);
    assert!(
        sent[1..]
            .iter()
            .all(|q| q.as_deref() == Some(&format!("cart_key={GUEST_KEY}")[..])),
        "{sent:?}"
    );
}

#[tokio::test]
async fn get_sends_fields_and_thumb() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(CART))
        .and(query_param("fields", "items,totals"))
        .and(query_param("thumb", "false"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [], "totals": {"total": "0"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let cart = client(&server)
        .cart()
        .get(&CartQuery::new().field("items").field("totals").thumb(false))
        .await
        .unwrap();
    assert!(cart.is_empty());
    assert_eq!(cart.cart_key, "", "a filtered answer without a key decodes");
}

#[tokio::test]
async fn the_guest_key_is_taken_from_the_body_before_the_header() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(CART))
        .and(query_param_is_missing("cart_key"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(empty_cart("t_from_the_body"))
                .insert_header("CoCart-API-Cart-Key", "t_from_the_header"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CART))
        .and(query_param("cart_key", "t_from_the_body"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("t_from_the_body")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(client.cart_key().as_deref(), Some("t_from_the_body"));
    client.cart().get(&CartQuery::default()).await.unwrap();
}

#[tokio::test]
async fn the_header_gives_the_key_when_the_body_has_none() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{CART}/items/count")))
        .and(query_param_is_missing("cart_key"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!(2))
                .insert_header("CoCart-API-Cart-Key", "t_only_in_the_header"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{CART}/add-item")))
        .and(query_param("cart_key", "t_only_in_the_header"))
        .respond_with(cart_ok())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(client.cart().count().await.unwrap(), 2.0);
    assert_eq!(client.cart_key().as_deref(), Some("t_only_in_the_header"));
    client.cart().add_item(AddItem::new(16)).await.unwrap();
}

#[tokio::test]
async fn removed_items_as_a_map_and_items_as_a_map_decode() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(ResponseTemplate::new(200).set_body_string(REMOVED_MAP))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{CART}/items")))
        .respond_with(ResponseTemplate::new(200).set_body_string(ITEMS_MAP))
        .mount(&server)
        .await;
    let client = client(&server);
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert!(cart.is_empty());
    assert_eq!(cart.cart_key, "42");
    let removed = cart
        .removed_item("e4da3b7fbbce2345d7772b0674a318d5")
        .unwrap();
    assert_eq!((removed.name.as_str(), removed.quantity), ("Tasse", 2.0));
    assert_eq!(removed.unit_price(&cart.currency).to_string(), "1.234,50 €");

    let items = client.cart().items().await.unwrap();
    let lines: Vec<_> = items
        .iter()
        .map(|i| (i.item_key.as_str(), i.name.as_str(), i.quantity.value))
        .collect();
    assert_eq!(
        lines,
        [
            (BEANIE, "Beanie", 2.0),
            ("0a2b6f6c4f2d53b1e2c36e7d2d8f1a90", "Belt", 1.0)
        ]
    );
    assert_eq!(items[0].quantity.max_purchase(), Some(10.0));
    assert_eq!(items[1].quantity.max_purchase(), None, "-1 is unlimited");
}

async fn count_answering(template: ResponseTemplate) -> Result<f64, Error> {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{CART}/items/count")))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    client(&server).cart().count().await
}

#[tokio::test]
async fn count_accepts_floats_strings_and_the_empty_cart_errors() {
    let float = ResponseTemplate::new(200).set_body_string("3.0");
    assert_eq!(count_answering(float).await.unwrap(), 3.0);
    let string = ResponseTemplate::new(200).set_body_json(json!("3"));
    assert_eq!(count_answering(string).await.unwrap(), 3.0);
    let fraction = ResponseTemplate::new(200).set_body_string("1.5");
    assert_eq!(count_answering(fraction).await.unwrap(), 1.5);
    let empty_43 = wp_error(
        400,
        "cocart_response_returned_empty",
        "Request returned nothing.",
    );
    assert_eq!(count_answering(empty_43).await.unwrap(), 0.0);
    let empty_404 = wp_error(404, "cocart_no_items_in_cart", "No items in the cart.");
    assert_eq!(count_answering(empty_404).await.unwrap(), 0.0);

    let text = ResponseTemplate::new(200).set_body_json(json!("There are 3 items in the cart."));
    let err = count_answering(text).await.unwrap_err();
    let Error::InvalidResponse { status, raw, .. } = err else {
        panic!("{err:?}");
    };
    assert_eq!(status, 200);
    assert!(raw.contains("There are 3 items"), "{raw}");
}

#[tokio::test]
async fn totals_are_zero_on_an_empty_cart_and_major_units_otherwise() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{CART}/totals")))
        .respond_with(wp_error(
            404,
            "cocart_cart_totals_empty",
            "This cart either has no items or was not calculated.",
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{CART}/totals")))
        .respond_with(ResponseTemplate::new(200).set_body_string(TOTALS_RAW))
        .mount(&server)
        .await;
    let client = client(&server);
    let empty = client.cart().totals().await.unwrap();
    assert_eq!(empty.total.to_minor(2), 0);
    assert_eq!(empty.subtotal.to_minor(2), 0);
    let totals = client.cart().totals().await.unwrap();
    assert_eq!(totals.total.to_minor(2), 123_450);
    assert_eq!(totals.subtotal_tax.to_minor(2), 540);
    assert_eq!(totals.discount_total.to_minor(2), 1000);
    assert_eq!(totals.shipping_taxes.len(), 1);
    assert!(totals.fee_taxes.is_empty(), "[] decodes as an empty map");
}

#[tokio::test]
async fn php_notices_before_the_json_are_skipped() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(PHP_NOTICES.as_bytes().to_vec(), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let cart = client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(cart.items.len(), 2);
    assert_eq!(cart.items[0].name, "Beanie");
    assert_eq!(cart.total().minor(), 10_326);
    assert_eq!(
        cart.notices().errors(),
        [
            "Sorry, we do not have enough \"Beanie\" in stock to fulfill your order (1 available). We apologize for any inconvenience caused."
        ]
    );
    assert_eq!(client.cart_key().as_deref(), Some(GUEST_KEY));
}

#[tokio::test]
async fn an_html_page_with_200_is_an_invalid_response_that_keeps_the_body() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(CRITICAL_ERROR.as_bytes().to_vec(), "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .cart()
        .get(&CartQuery::default())
        .await
        .unwrap_err();
    let Error::InvalidResponse { status, raw, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*status, 200);
    assert_eq!(raw, CRITICAL_ERROR);
    assert!(!err.is_transient(), "a 200 is not retried");
}

#[tokio::test]
async fn the_success_false_envelope_is_a_typed_api_error() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "success": false,
            "data": [{
                "code": "cocart_already_authenticating_user",
                "message": "You are already authenticating as the customer. Cannot set cart key as the user."
            }]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .cart()
        .get(&CartQuery::default())
        .await
        .unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.kind, ApiErrorKind::ForbiddenCartKey);
    assert_eq!(api.status, 403);
    assert_eq!(api.code, "cocart_already_authenticating_user");
    assert_eq!(
        api.message,
        "You are already authenticating as the customer. Cannot set cart key as the user."
    );
}

#[tokio::test]
async fn add_item_errors_map_to_typed_kinds_and_keep_code_message_and_status() {
    let cases: Vec<(u16, &str, &str, ApiErrorKind)> = vec![
        (
            404,
            "cocart_product_out_of_stock",
            "You cannot add \"Hat\" to the cart because the product is out of stock.",
            ApiErrorKind::OutOfStock,
        ),
        (
            404,
            "cocart_not_enough_stock_remaining",
            "You cannot add that amount to the cart — we have 2 in stock and you already have 2 in your cart.",
            ApiErrorKind::NotEnoughStock,
        ),
        (
            405,
            "cocart_quantity_invalid_amount",
            "Quantity must be a minimum of 2.",
            ApiErrorKind::InvalidQuantity {
                min: Some(2.0),
                max: None,
            },
        ),
        (
            405,
            "cocart_quantity_invalid_amount",
            "Quantity must be 12 or lower.",
            ApiErrorKind::InvalidQuantity {
                min: None,
                max: Some(12.0),
            },
        ),
        (
            405,
            "cocart_quantity_not_numeric",
            "Quantity must be numeric or a float value!",
            ApiErrorKind::InvalidQuantity {
                min: None,
                max: None,
            },
        ),
        (
            404,
            "cocart_unknown_product_id",
            "Product does not exist! Check that you have submitted a product ID or SKU ID correctly for a product that exists.",
            ApiErrorKind::ProductNotFound,
        ),
        (
            404,
            "cocart_no_variation_found",
            "No matching variation found.",
            ApiErrorKind::VariationRequired,
        ),
        (
            400,
            "cocart_invalid_variation_data",
            "Invalid value posted for Color. Allowed values: blue, green",
            ApiErrorKind::InvalidVariation,
        ),
        (
            400,
            "cocart_cannot_be_purchased",
            "Sorry, this product cannot be purchased.",
            ApiErrorKind::CannotBePurchased,
        ),
        (
            403,
            "cocart_cannot_add_product_type_to_cart",
            "You cannot add \"Pennant\" to your cart as it is an \"external\" product.",
            ApiErrorKind::CannotBePurchased,
        ),
        (
            403,
            "cocart_product_sold_individually",
            "You cannot add another \"Print\" to your cart.",
            ApiErrorKind::SoldIndividually,
        ),
    ];
    for (status, code, message, kind) in cases {
        let server = store().await;
        Mock::given(method("POST"))
            .and(path(format!("{CART}/add-item")))
            .respond_with(wp_error(status, code, message))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server)
            .cart()
            .add_item(AddItem::new("X-1"))
            .await
            .unwrap_err();
        let Error::Api(api) = &err else {
            panic!("{code}: {err:?}");
        };
        assert_eq!(api.kind, kind, "{code}");
        assert_eq!(
            (api.status, api.code.as_str(), api.message.as_str()),
            (status, code, message)
        );
        assert_eq!(
            err.to_string(),
            format!("{message} ({code}, HTTP {status})")
        );
    }
}

#[tokio::test]
async fn a_read_is_retried_after_a_503() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(wp_error(
            503,
            "service_unavailable",
            "Down for maintenance.",
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(cart_ok())
        .expect(1)
        .mount(&server)
        .await;
    let cart = fast_client(&server)
        .cart()
        .get(&CartQuery::default())
        .await
        .unwrap();
    assert_eq!(cart.items.len(), 2);
}

#[tokio::test]
async fn a_read_is_not_retried_after_a_4xx() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{CART}/item/{BEANIE}")))
        .respond_with(wp_error(
            404,
            "cocart_item_not_in_cart",
            "Item specified does not exist in cart.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = fast_client(&server)
        .cart()
        .item(&ItemKey::new(BEANIE))
        .await
        .unwrap_err();
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::ItemNotInCart));
}

#[tokio::test]
async fn a_write_answered_with_500_is_sent_once_and_the_cart_re_read() {
    let server = store().await;
    Mock::given(method("POST"))
        .and(path(format!("{CART}/add-item")))
        .respond_with(ResponseTemplate::new(500).set_body_string(CRITICAL_ERROR))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(cart_ok())
        .expect(1)
        .mount(&server)
        .await;
    let err = fast_client(&server)
        .cart()
        .add_item(AddItem::new(16))
        .await
        .unwrap_err();
    let Error::WriteOutcomeUnknown { cause, cart } = err else {
        panic!("{err:?}");
    };
    assert!(
        matches!(
            *cause,
            Error::Server {
                status: 500,
                api: None
            }
        ),
        "{cause:?}"
    );
    let cart = cart.unwrap();
    assert_eq!(cart.item(BEANIE).unwrap().quantity.value, 2.0);
}

#[tokio::test]
async fn a_write_that_times_out_is_sent_once_and_the_cart_re_read() {
    let server = store().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{CART}/item/{BEANIE}")))
        .respond_with(cart_ok().set_delay(Duration::from_millis(1500)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(cart_ok())
        .expect(1)
        .mount(&server)
        .await;
    let client = CoCartClient::builder(server.uri())
        .timeout(Duration::from_millis(300))
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    let err = client
        .cart()
        .remove_item(&ItemKey::new(BEANIE))
        .await
        .unwrap_err();
    let Error::WriteOutcomeUnknown { cause, cart } = err else {
        panic!("{err:?}");
    };
    assert!(matches!(*cause, Error::Timeout), "{cause:?}");
    assert!(cart.unwrap().item(BEANIE).is_some());
}

#[tokio::test]
async fn when_the_re_read_fails_too_the_error_has_no_cart() {
    let server = store().await;
    Mock::given(method("POST"))
        .and(path(format!("{CART}/clear")))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CART))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let err = fast_client(&server).cart().clear().await.unwrap_err();
    let Error::WriteOutcomeUnknown { cause, cart } = err else {
        panic!("{err:?}");
    };
    assert!(matches!(*cause, Error::Server { status: 502, .. }));
    assert!(cart.is_none());
}

#[tokio::test]
async fn a_4xx_on_a_write_is_returned_as_is_without_a_re_read() {
    let server = store().await;
    Mock::given(method("POST"))
        .and(path(format!("{CART}/update")))
        .respond_with(wp_error(
            404,
            "cocart_cart_empty",
            "No items in cart to update.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .cart()
        .update_quantities(UpdateQuantities::new().set(BEANIE, 1))
        .await
        .unwrap_err();
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::CartEmpty));
}

#[tokio::test]
async fn an_item_key_that_could_change_the_path_is_refused_locally() {
    let server = store().await;
    for bad in ["../cart/clear", "abc/def", "", "a b"] {
        let err = fast_client(&server)
            .cart()
            .remove_item(&ItemKey::new(bad))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad:?}: {err:?}");
    }
    // The catch-all (expect 0) and this check prove nothing was sent.
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn clear_keep_removed_sends_the_flag() {
    let server = store().await;
    expect_write(
        &server,
        "POST",
        "/clear",
        Some(json!({"keep_removed_items": true})),
    )
    .await;
    fast_client(&server)
        .cart()
        .clear_keep_removed()
        .await
        .unwrap();
}

#[tokio::test]
async fn lines_line_and_money_totals_read_the_cart_with_its_currency() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(CART))
        .and(query_param("fields", "currency,items"))
        .respond_with(cart_ok())
        .expect(3)
        .named("GET /cart?fields=currency,items")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CART))
        .and(query_param("fields", "currency,totals"))
        .respond_with(cart_ok())
        .expect(1)
        .named("GET /cart?fields=currency,totals")
        .mount(&server)
        .await;
    let cart = fast_client(&server).cart();

    let lines = cart.lines().await.unwrap();
    assert_eq!(lines.items.len(), 2);
    assert_eq!(lines.currency.code, "USD");

    let beanie = cart.line(&ItemKey::new(BEANIE)).await.unwrap();
    assert_eq!(beanie.item.item_key.as_str(), BEANIE);
    assert_eq!(beanie.currency.code, "USD");
    assert_eq!(
        beanie.item.line_subtotal(&beanie.currency).to_string(),
        "$25.00"
    );

    // A key that names no line: the store's code for it, made by the SDK from the lines it read.
    let missing = cart.line(&ItemKey::new("no-such-line")).await.unwrap_err();
    let api = missing.api().expect("an API error");
    assert_eq!(api.code, "cocart_item_not_in_cart");
    assert_eq!(api.status, 404);
    assert_eq!(api.kind, ApiErrorKind::ItemNotInCart);

    let totals = cart.money_totals().await.unwrap();
    assert_eq!(totals.total().to_string(), "$103.26");
}
