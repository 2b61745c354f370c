//! Decoding tests for the cart models against payloads shaped like each variant a CoCart store
//! answers (empty guest cart, filled cart, lines as a map or a list, raw totals).

use cocart::models::{
    Cart, CartItems, CouponSaving, EMPTY_CART_HASH, ItemKey, MoneyLike, SymbolPosition, Taxes,
};
use serde_json::{Value, json};

const EMPTY: &str = include_str!("fixtures/cart_empty_guest.json");
const FILLED: &str = include_str!("fixtures/cart_filled_493.json");
const REMOVED_MAP: &str = include_str!("fixtures/cart_removed_map.json");
const ITEMS_MAP: &str = include_str!("fixtures/cart_items_map.json");

fn cart(text: &str) -> Cart {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("cart did not decode: {e}"))
}

fn cart_value(value: Value) -> Cart {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("cart did not decode: {e}"))
}

#[test]
fn empty_guest_cart_with_php_empty_arrays_everywhere() {
    let c = cart(EMPTY);
    assert_eq!(c.cart_hash, EMPTY_CART_HASH);
    assert_eq!(c.hash(), None);
    assert_eq!(c.cart_key, "t_f60ce83de881d2061a10c42706f7ab");
    assert!(c.is_empty());
    assert_eq!(c.item_count, 0.0);
    assert!(c.shipping.is_none());
    assert!(c.fees.is_empty());
    assert_eq!(c.taxes, Taxes::None);
    assert!(c.notices().is_empty());
    assert!(!c.notices().has_errors());
    assert!(c.customer.billing().is_empty());
    assert_eq!(c.customer.billing().first_name(), None);
    assert!(!c.needs_payment && !c.needs_shipping);
    assert_eq!(c.total().minor(), 0);
    assert_eq!(c.total().format(), "$0.00");
    assert!(c.extensions.is_none());
    assert!(c.extra.is_empty());
}

#[test]
fn filled_cart_with_493_mixed_item_totals() {
    let c = cart(FILLED);
    assert_eq!(c.hash(), Some("5f0d4a2c9b7e41f3a8d6c1e2b3f4a5d6"));
    assert_eq!(c.items.len(), 2);
    assert_eq!(c.item_count, 3.5);
    assert_eq!(c.items_weight, "2.2");

    let beanie = &c.items[0];
    assert_eq!(
        beanie.item_key,
        ItemKey::from("c74d97b01eae257e44aa9d5bade97baf")
    );
    assert!(beanie.item_key.is_well_formed());
    assert_eq!(beanie.id, 16);
    assert_eq!(beanie.unit_price(&c.currency).minor(), 1250);
    // "subtotal":"2500" is a minor-unit string, "total":25 a major-unit number: both are $25.00.
    assert!(matches!(beanie.totals.subtotal, MoneyLike::Minor(_)));
    assert!(matches!(beanie.totals.total, MoneyLike::Major(_)));
    assert_eq!(beanie.line_subtotal(&c.currency).minor(), 2500);
    assert_eq!(beanie.line_total(&c.currency).minor(), 2500);
    assert_eq!(beanie.line_total(&c.currency).to_string(), "$25.00");
    assert_eq!(beanie.line_tax(&c.currency).minor(), 0);
    assert_eq!(beanie.quantity(), 2.0);
    assert_eq!(beanie.max_purchase(), None);
    assert!(beanie.meta.variation.is_empty());
    assert!(beanie.cart_item_data.is_empty());
    assert_eq!(beanie.extensions.as_ref().map(|m| m.len()), Some(0));
    assert_eq!(
        beanie.extra.get("x_gift_wrap"),
        Some(&json!({"enabled": true, "paper": "red"}))
    );

    let hoodie = &c.items[1];
    assert_eq!(hoodie.id, 129, "a numeric-string id decodes");
    assert_eq!(hoodie.quantity.value, 1.5);
    assert_eq!(hoodie.quantity.min_purchase, 0.5);
    assert_eq!(hoodie.max_purchase(), Some(4.0));
    assert_eq!(hoodie.line_subtotal(&c.currency).minor(), 6750);
    assert_eq!(hoodie.line_subtotal_tax(&c.currency).minor(), 540);
    assert_eq!(hoodie.line_total(&c.currency).minor(), 6075);
    assert_eq!(hoodie.line_tax(&c.currency).minor(), 486);
    assert_eq!(
        hoodie.meta.variation.get("Color").map(String::as_str),
        Some("Blue")
    );
    assert_eq!(
        hoodie.meta.weight, "1.8",
        "a numeric weight becomes a string"
    );
    assert_eq!(hoodie.meta.dimensions.height, "4");
    assert_eq!(
        hoodie.cart_item_data.get("gift_note"),
        Some(&json!("Happy birthday"))
    );
    assert!(hoodie.extensions.is_none());

    assert!(c.needs_payment && c.needs_shipping, "\"1\" decodes as true");
    assert_eq!(c.total().minor(), 10326);
    assert_eq!(c.total().format(), "$103.26");
    assert_eq!(c.discount_total().minor(), 1000);
    assert_eq!(c.shipping_tax().minor(), 50);
    assert_eq!(c.fees.get("gift-wrap").map(|f| f.fee.minor()), Some(500));
}

#[test]
fn coupons_with_amount_and_text_savings() {
    let c = cart(FILLED);
    assert_eq!(c.coupons.len(), 2);
    assert_eq!(c.coupons[0].saving.amount().map(|a| a.minor()), Some(-1000));
    assert_eq!(
        c.money(c.coupons[0].saving.amount().unwrap_or_default())
            .format(),
        "-$10.00"
    );
    assert_eq!(
        c.coupons[1].saving,
        CouponSaving::Text("Free shipping coupon".to_owned())
    );
    assert_eq!(c.coupons[1].saving.amount(), None);
}

#[test]
fn shipping_object_with_packages_and_rates() {
    let c = cart(FILLED);
    let shipping = c
        .shipping
        .as_ref()
        .unwrap_or_else(|| panic!("shipping should be Some"));
    assert_eq!(shipping.total_packages, 1);
    assert!(shipping.has_calculated_shipping);
    assert_eq!(shipping.packages.len(), 1);
    let package = &shipping.packages[0];
    assert_eq!(package.formatted_destination, "Beverly Hills, CA 90210, US");
    assert_eq!(package.rates.len(), 2);
    let chosen = package
        .chosen_rate()
        .unwrap_or_else(|| panic!("a chosen rate"));
    assert_eq!(chosen.key, "flat_rate:1");
    assert_eq!(chosen.cost(&c.currency).format(), "$5.00");
    assert_eq!(chosen.taxes.minor(), 50);
    let free = &package.rates[1];
    assert_eq!(free.instance_id, 2, "a string instance id decodes");
    assert_eq!(free.taxes.minor(), 0, "\"\" taxes decode as zero");
    assert!(free.meta_data.is_empty());
}

#[test]
fn single_tax_line_and_stock_error_notice_with_200() {
    let c = cart(FILLED);
    match &c.taxes {
        Taxes::Single { label, total } => {
            assert!(label.starts_with("Tax (estimated"));
            assert_eq!(total.minor(), 1076);
        }
        other => panic!("expected a single tax line, got {other:?}"),
    }
    assert!(c.notices().has_errors());
    assert_eq!(c.notices().errors().len(), 1);
    assert!(c.notices().errors()[0].contains("(1 available)"));
    assert!(c.notices().successes().is_empty());
}

#[test]
fn unknown_fields_are_kept_and_extensions_decoded() {
    let c = cart(FILLED);
    assert_eq!(
        c.extra.get("x_loyalty_points"),
        Some(&json!({"earned": 12}))
    );
    assert_eq!(c.extensions.as_ref().map(|m| m.is_empty()), Some(true));
    assert_eq!(
        c.customer
            .billing_address
            .get("billing_vat_number")
            .map(String::as_str),
        Some("12345")
    );
}

#[test]
fn customer_address_accessors_use_woocommerce_names() {
    let c = cart(FILLED);
    let billing = c.customer.billing();
    assert_eq!(billing.first_name(), Some("Jane"));
    assert_eq!(billing.email(), Some("jane@example.com"));
    assert_eq!(billing.postcode(), Some("90210"));
    assert_eq!(billing.company(), None, "empty fields read as None");
    assert_eq!(billing.get("vat_number"), Some("12345"));
    let shipping = c.customer.shipping();
    assert_eq!(shipping.city(), Some("Beverly Hills"));
    assert_eq!(shipping.first_name(), None);
    assert_eq!(shipping.phone(), None);
}

#[test]
fn removed_items_as_map_itemized_taxes_and_suffix_currency() {
    let c = cart(REMOVED_MAP);
    assert_eq!(c.cart_key, "42", "a numeric cart key decodes as a string");
    assert!(c.is_empty());
    assert_eq!(c.item_count, 0.0);
    assert_eq!(c.items_weight, "0");
    assert!(!c.needs_payment && !c.needs_shipping);
    assert_eq!(c.removed_items.len(), 1);
    let removed = &c.removed_items[0];
    assert_eq!(
        removed.item_key.as_str(),
        "e4da3b7fbbce2345d7772b0674a318d5"
    );
    assert_eq!(removed.quantity, 2.0);
    assert_eq!(
        c.removed_item("e4da3b7fbbce2345d7772b0674a318d5")
            .map(|r| r.id),
        Some(5)
    );

    assert_eq!(c.currency.minor_unit, 2, "a string minor unit decodes");
    assert_eq!(c.currency.position(), SymbolPosition::Right);
    assert_eq!(removed.unit_price(&c.currency).format(), "1.234,50 €");
    assert_eq!(
        removed.line_total(&c.currency).minor(),
        246900,
        "minor-unit strings in item totals"
    );

    match &c.taxes {
        Taxes::Itemized(lines) => {
            assert_eq!(lines.len(), 2);
            assert_eq!(lines.get("DE-MWST-1").map(|l| l.price.minor()), Some(190));
            assert_eq!(
                lines.get("DE-MWST-1").map(|l| l.name.as_str()),
                Some("MwSt.")
            );
        }
        other => panic!("expected itemized taxes, got {other:?}"),
    }
    assert_eq!(c.taxes.total().minor(), 260);

    // A single string instead of an array of notices.
    assert_eq!(
        c.notices().successes(),
        ["\"Tasse\" has been removed from cart.".to_owned()]
    );
    assert!(c.notices().infos().is_empty());
    assert!(!c.notices().is_empty());
    assert_eq!(c.customer.billing().city(), Some("Berlin"));
    assert!(c.customer.shipping().is_empty());
}

#[test]
fn item_count_accepts_int_float_and_string() {
    for (raw, expected) in [
        (json!(2), 2.0),
        (json!(2.0), 2.0),
        (json!("3"), 3.0),
        (json!(1.5), 1.5),
    ] {
        let c = cart_value(json!({"item_count": raw}));
        assert_eq!(c.item_count, expected, "item_count {raw}");
    }
    assert!(serde_json::from_value::<Cart>(json!({"item_count": "lots"})).is_err());
}

#[test]
fn items_as_object_map_and_cart_items_list() {
    let items: CartItems = serde_json::from_str(ITEMS_MAP).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].name, "Beanie", "wire order is kept");
    assert_eq!(
        items
            .by_key("0a2b6f6c4f2d53b1e2c36e7d2d8f1a90")
            .map(|i| i.id),
        Some(18)
    );
    assert_eq!(items[0].quantity.value, 2.0);
    assert_eq!(items[0].max_purchase(), Some(10.0));
    assert_eq!(items[1].quantity.value, 1.0, "string quantities decode");
    assert_eq!(items[1].max_purchase(), None);

    let map: Value = serde_json::from_str(ITEMS_MAP).unwrap_or_else(|e| panic!("{e}"));
    let c = cart_value(json!({"items": map}));
    assert_eq!(c.items.len(), 2);
    assert_eq!(
        c.item("c74d97b01eae257e44aa9d5bade97baf")
            .map(|i| i.price.minor()),
        Some(1250)
    );
}

#[test]
fn notices_as_empty_array_object_and_objects() {
    let c = cart_value(json!({"notices": []}));
    assert!(c.notices().is_empty());
    let c = cart_value(
        json!({"notices": {"notice": ["Cart is cleared."], "error": [], "x_custom": "hi"}}),
    );
    assert_eq!(c.notices().notices(), ["Cart is cleared.".to_owned()]);
    assert!(!c.notices().has_errors());
    assert_eq!(
        c.notices().other.get("x_custom"),
        Some(&vec!["hi".to_owned()])
    );
    let c = cart_value(
        json!({"notices": {"error": [{"notice": "Sorry, \"Cap\" is not in stock.", "data": []}]}}),
    );
    assert_eq!(
        c.notices().errors(),
        ["Sorry, \"Cap\" is not in stock.".to_owned()]
    );
}

#[test]
fn removed_item_quantity_is_a_plain_number_but_object_is_accepted() {
    let c = cart_value(json!({"removed_items": [
        {"item_key": "a", "quantity": 3},
        {"item_key": "b", "quantity": "1.5"},
        {"item_key": "c", "quantity": {"value": 4, "min_purchase": 1, "max_purchase": -1}}
    ]}));
    let q: Vec<f64> = c.removed_items.iter().map(|r| r.quantity).collect();
    assert_eq!(q, vec![3.0, 1.5, 4.0]);
}

#[test]
fn trace_key_does_not_disturb_decoding() {
    let mut value: Value = serde_json::from_str(EMPTY).unwrap_or_else(|e| panic!("{e}"));
    value["trace"] = json!([{"file": "/var/www/html/wp-includes/class-wp-hook.php", "line": 324}]);
    let with_trace = cart_value(value);
    let plain = cart(EMPTY);
    assert_eq!(with_trace.cart_key, plain.cart_key);
    assert_eq!(with_trace.totals, plain.totals);
    assert!(with_trace.extra.contains_key("trace"));
}

#[test]
fn serialized_cart_decodes_back_to_the_same_value() {
    for text in [EMPTY, FILLED, REMOVED_MAP] {
        let original = cart(text);
        let json = serde_json::to_value(&original).unwrap_or_else(|e| panic!("{e}"));
        let again = cart_value(json.clone());
        assert_eq!(again, original);
        // Money goes back out as minor-unit strings and empty maps as PHP's [].
        assert!(json["totals"]["total"].is_string());
        if original.taxes.is_empty() {
            assert_eq!(json["taxes"], json!([]));
        }
        if original.notices.is_empty() {
            assert_eq!(json["notices"], json!([]));
        }
    }
}

#[test]
fn fields_filtered_cart_decodes_with_defaults() {
    let c = cart_value(json!({"items": [], "totals": {"total": "1999"}, "cart_hash": ""}));
    assert_eq!(c.hash(), None);
    assert_eq!(
        c.total().format(),
        "19.99",
        "a missing currency defaults to 2 decimals and no symbol"
    );
    assert_eq!(c.currency.code, "");
}

#[test]
fn nonsense_in_a_typed_field_is_an_error() {
    assert!(serde_json::from_value::<Cart>(json!({"totals": {"total": "free"}})).is_err());
    assert!(serde_json::from_value::<Cart>(json!({"items": "none"})).is_err());
    assert!(serde_json::from_value::<Cart>(json!({"needs_payment": "perhaps"})).is_err());
}
