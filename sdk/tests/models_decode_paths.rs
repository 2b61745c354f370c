//! The models decode the same whether they stream from bytes, read a `serde_json::Value`, or sit
//! behind serde's buffered path (an untagged enum or a `#[serde(flatten)]` field), and the PHP
//! shapes decode the same way on each.

use std::fmt::Debug;

use cocart::models::{
    Cart, CartItems, CartTotalsRaw, CouponSaving, LoginResponse, Notices, ProductPage, StoreInfo,
    Taxes,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(untagged)]
enum Untagged<T> {
    One(T),
}

#[derive(Deserialize)]
struct Flattened<T> {
    #[serde(flatten)]
    inner: T,
}

/// Decodes `text` four ways, asserts they agree, and returns the value.
fn all_paths<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> T {
    let streamed: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("from_str: {e}"));
    let bytes: T =
        serde_json::from_slice(text.as_bytes()).unwrap_or_else(|e| panic!("from_slice: {e}"));
    let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("value: {e}"));
    let from_value: T = serde_json::from_value(value).unwrap_or_else(|e| panic!("from_value: {e}"));
    let Untagged::One(buffered) =
        serde_json::from_str::<Untagged<T>>(text).unwrap_or_else(|e| panic!("untagged: {e}"));
    assert_eq!(streamed, bytes);
    assert_eq!(streamed, from_value, "streaming and Value decodes differ");
    assert_eq!(streamed, buffered, "streaming and buffered decodes differ");
    streamed
}

/// Like [`all_paths`], for a struct that can also be a flattened field (objects only).
fn all_paths_flat<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> T {
    let streamed = all_paths::<T>(text);
    let flat: Flattened<T> = serde_json::from_str(text).unwrap_or_else(|e| panic!("flatten: {e}"));
    assert_eq!(
        streamed, flat.inner,
        "streaming and flattened decodes differ"
    );
    streamed
}

#[test]
fn every_fixture_decodes_the_same_on_every_path() {
    for text in [
        include_str!("fixtures/cart_empty_guest.json"),
        include_str!("fixtures/cart_filled_493.json"),
        include_str!("fixtures/cart_removed_map.json"),
    ] {
        let cart: Cart = all_paths_flat(text);
        assert!(!cart.cart_key.is_empty());
    }
    let items: CartItems = all_paths(include_str!("fixtures/cart_items_map.json"));
    assert_eq!(items.len(), 2);
    let totals: CartTotalsRaw = all_paths_flat(include_str!("fixtures/cart_totals_raw.json"));
    assert_ne!(totals.total.to_minor(2), 0);
    let page: ProductPage = all_paths_flat(include_str!("fixtures/products_page.json"));
    assert_eq!(page.products.len(), 2);
    let store: StoreInfo = all_paths_flat(include_str!("fixtures/store.json"));
    assert!(!store.title.is_empty());
    for text in [
        include_str!("fixtures/login_jwt.json"),
        include_str!("fixtures/login_basic_no_jwt.json"),
    ] {
        let login: LoginResponse = all_paths_flat(text);
        assert!(!login.user_id.is_empty());
    }
}

fn cart(value: Value) -> Cart {
    all_paths_flat(&value.to_string())
}

#[test]
fn php_empty_arrays_and_blanks_are_absent_objects_on_every_path() {
    for empty in [json!([]), json!(null), json!(false), json!("")] {
        let c = cart(json!({
            "currency": empty, "customer": empty, "shipping": empty, "totals": empty,
            "fees": empty, "taxes": empty, "notices": empty, "items": empty
        }));
        assert_eq!(c, Cart::default(), "{empty}");
    }
}

#[test]
fn taxes_single_itemized_and_positional() {
    let c = cart(json!({"taxes": {"label": "Tax", "total": "200", "rates": []}}));
    assert_eq!(
        c.taxes,
        Taxes::Single {
            label: "Tax".to_owned(),
            total: cocart::models::Amount(200)
        }
    );
    let c =
        cart(json!({"taxes": {"total": {"name": "Tax", "price": "150"}, "VAT": {"price": 50}}}));
    assert_eq!(c.taxes.total().minor(), 200);
    assert!(matches!(&c.taxes, Taxes::Itemized(lines) if lines.len() == 2));
    let c = cart(json!({"taxes": [{"name": "A", "price": "1"}, {"name": "B", "price": "2"}]}));
    match &c.taxes {
        Taxes::Itemized(lines) => {
            assert_eq!(lines.keys().collect::<Vec<_>>(), ["0", "1"]);
            assert_eq!(lines["1"].name, "B");
        }
        other => panic!("expected positional tax lines, got {other:?}"),
    }
    assert_eq!(
        cart(json!({"taxes": {}})).taxes,
        Taxes::Itemized(Default::default())
    );
    for bad in [
        json!({"taxes": {"label": "Tax", "total": "free"}}),
        json!({"taxes": {"VAT": "200"}}),
        json!({"taxes": {"label": ["x"], "total": "1"}}),
        json!({"taxes": "secret-tax"}),
        json!({"taxes": true}),
    ] {
        let err = serde_json::from_str::<Cart>(&bad.to_string())
            .map(|_| ())
            .unwrap_err();
        assert!(!err.to_string().contains("secret-tax"), "{err}");
    }
}

#[test]
fn notices_of_every_shape_on_every_path() {
    let n: Notices = all_paths(
        &json!({"error": [{"notice": "out of stock", "data": []}, 7], "success": "added", "x": {"a": "b"}})
            .to_string(),
    );
    assert_eq!(n.errors(), ["out of stock".to_owned(), "7".to_owned()]);
    assert_eq!(n.successes(), ["added".to_owned()]);
    assert_eq!(n.other.get("x"), Some(&vec!["b".to_owned()]));
    let n: Notices = all_paths(r#"["plain", {"message": "m"}]"#);
    assert_eq!(n.notices(), ["plain".to_owned(), "m".to_owned()]);
    for empty in ["[]", "null", "\"\"", "false"] {
        assert!(all_paths::<Notices>(empty).is_empty(), "{empty}");
    }
}

#[test]
fn quantities_and_coupon_savings_on_every_path() {
    let c = cart(json!({
        "items": [
            {"item_key": "a", "quantity": {"value": "2", "max_purchase": 9}},
            {"item_key": "b", "quantity": "1.5"},
            {"item_key": "c", "quantity": null}
        ],
        "removed_items": [
            {"item_key": "d", "quantity": {"value": 4, "min_purchase": "junk"}}
        ],
        "coupons": [{"saving": "-1000"}, {"saving": "Free shipping coupon"}, {"saving": -250}, {"saving": null}]
    }));
    let q: Vec<(f64, Option<f64>)> = c
        .items
        .iter()
        .map(|i| (i.quantity(), i.max_purchase()))
        .collect();
    assert_eq!(q, [(2.0, Some(9.0)), (1.5, None), (0.0, None)]);
    assert_eq!(
        c.removed_items[0].quantity, 4.0,
        "a removed line reads only the object's value"
    );
    let savings: Vec<Option<i64>> = c
        .coupons
        .iter()
        .map(|k| k.saving.amount().map(|a| a.minor()))
        .collect();
    assert_eq!(savings, [Some(-1000), None, Some(-250), Some(0)]);
    assert_eq!(
        c.coupons[1].saving,
        CouponSaving::Text("Free shipping coupon".to_owned())
    );
    assert!(serde_json::from_str::<Cart>(r#"{"items":[{"quantity":{"value":"lots"}}]}"#).is_err());
    assert!(serde_json::from_str::<Cart>(r#"{"coupons":[{"saving":true}]}"#).is_err());
}

#[test]
fn product_sale_price_and_image_src_shapes() {
    let page: ProductPage = all_paths_flat(
        &json!({"products": [
            {"prices": {"sale_price": " ", "price_range": [], "currency": []},
             "images": [{"src": "https://img/x.jpg"}, {"src": {"thumbnail": "t", "full": "f", "sizes": [1]}}, {"src": []}],
             "add_to_cart": {"purchase_quantity": [2, 10]}},
            {"prices": {"sale_price": "900", "price_range": {"from": "100", "to": 200}}}
        ]})
        .to_string(),
    );
    let (first, second) = (&page.products[0], &page.products[1]);
    assert_eq!(first.prices.sale_price, None);
    assert_eq!(first.prices.price_range, None);
    assert_eq!(first.images[0].url("full"), Some("https://img/x.jpg"));
    assert_eq!(first.images[1].url("thumbnail"), Some("t"));
    assert_eq!(first.images[1].src.get("sizes"), None);
    assert!(first.images[2].src.is_empty());
    let limits = first
        .add_to_cart
        .purchase_quantity
        .unwrap_or_else(|| panic!("a positional purchase_quantity decodes"));
    assert_eq!(
        (limits.min_purchase, limits.max_purchase()),
        (2.0, Some(10.0))
    );
    assert_eq!(second.sale_price().map(|m| m.minor()), Some(900));
    assert_eq!(
        second
            .prices
            .price_range
            .as_ref()
            .map(|r| (r.from.minor(), r.to.minor())),
        Some((100, 200))
    );
}
