//! Request bodies and query parameters serialize to exactly what CoCart accepts.

use cocart::models::{
    AddItem, AddItems, BillingAddress, CartQuery, CustomerUpdate, ProductOrderBy, ProductQuery,
    ProductRef, Quantity, QuantityError, SortOrder, StockStatus, UpdateQuantities,
};
use serde_json::json;

fn body<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| panic!("serialize failed: {e}"))
}

fn qty(value: f64) -> Quantity {
    Quantity::new(value).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn quantity_is_always_a_json_string() {
    assert_eq!(body(&qty(2.0)), r#""2""#);
    assert_eq!(body(&qty(1.5)), r#""1.5""#);
    assert_eq!(body(&qty(0.0)), r#""0""#);
    assert_eq!(body(&qty(-0.0)), r#""0""#, "negative zero is sent as 0");
    assert_eq!(body(&Quantity::from(3u32)), r#""3""#);
    assert_eq!(body(&qty(100000.0)), r#""100000""#);
    assert_eq!(qty(2.0).to_wire(), "2");
    assert_eq!(Quantity::default(), Quantity::ONE);
}

#[test]
fn invalid_quantities_are_typed_errors() {
    assert_eq!(Quantity::new(f64::NAN), Err(QuantityError::NotFinite));
    assert_eq!(Quantity::new(f64::INFINITY), Err(QuantityError::NotFinite));
    assert_eq!(Quantity::new(-1.0), Err(QuantityError::Negative));
    assert_eq!(Quantity::try_from(-0.5), Err(QuantityError::Negative));
    assert_eq!(
        QuantityError::Negative.to_string(),
        "quantity must not be negative"
    );
    assert!(Quantity::new(0.0).is_ok_and(Quantity::is_zero));
}

#[test]
fn product_ref_is_sent_as_a_string() {
    assert_eq!(body(&ProductRef::from(123u64)), r#""123""#);
    assert_eq!(body(&ProductRef::from("HD-B")), r#""HD-B""#);
    assert_eq!(
        ProductRef::from(String::from("woo-beanie")),
        ProductRef::Sku("woo-beanie".to_owned())
    );
    assert_eq!(ProductRef::Id(42).to_string(), "42");
}

#[test]
fn add_item_exact_body() {
    let full = AddItem::new(123)
        .quantity(qty(2.0))
        .variation("Color", "Blue")
        .variation("attribute_pa_size", "large")
        .item_data("gift_note", "Happy birthday")
        .item_data("engraving", json!({"text": "J+D", "font": "serif"}));
    assert_eq!(
        body(&full),
        r#"{"id":"123","quantity":"2","variation":{"Color":"Blue","attribute_pa_size":"large"},"item_data":{"gift_note":"Happy birthday","engraving":{"text":"J+D","font":"serif"}}}"#
    );
    assert_eq!(
        body(&AddItem::new("HD-B")),
        r#"{"id":"HD-B","quantity":"1"}"#,
        "empty maps are omitted"
    );
    assert_eq!(
        body(
            &AddItem::new(7)
                .quantity(qty(1.5))
                .email("jane@example.com")
                .phone("3105550100")
        ),
        r#"{"id":"7","quantity":"1.5","email":"jane@example.com","phone":"3105550100"}"#
    );
    assert_eq!(
        body(&AddItem::new(7).quantity(3)),
        r#"{"id":"7","quantity":"3"}"#
    );
}

#[test]
fn add_items_grouped_exact_body() {
    let grouped = AddItems::new(301).child(303, qty(2.0)).child(302, 1);
    assert_eq!(
        body(&grouped),
        r#"{"id":"301","quantity":{"302":"1","303":"2"}}"#
    );
    assert_eq!(
        body(
            &AddItems::new(301)
                .child(302, qty(0.5))
                .email("jane@example.com")
        ),
        r#"{"id":"301","quantity":{"302":"0.5"},"email":"jane@example.com"}"#
    );
}

#[test]
fn update_quantities_exact_body() {
    let update = UpdateQuantities::new()
        .set("c74d97b01eae257e44aa9d5bade97baf", 3)
        .set("6364d3f0f495b6ab9dcf8d3b5c6e0b01", Quantity::ZERO);
    assert_eq!(
        body(&update),
        r#"{"namespace":"update-cart","quantity":{"6364d3f0f495b6ab9dcf8d3b5c6e0b01":"0","c74d97b01eae257e44aa9d5bade97baf":"3"}}"#
    );
    assert!(!update.is_empty());
    assert_eq!(
        body(&UpdateQuantities::new()),
        r#"{"namespace":"update-cart","quantity":{}}"#
    );
}

#[test]
fn customer_update_sends_unprefixed_billing_fields_at_top_level() {
    let update = CustomerUpdate::new(
        BillingAddress::new()
            .first_name("Jane")
            .last_name("Doe")
            .email("jane@example.com")
            .phone("3105550100")
            .company("Acme")
            .address_1("9450 Wilshire Blvd")
            .address_2("Suite 1")
            .city("Beverly Hills")
            .state("CA")
            .country("US")
            .postcode("90210"),
    );
    assert_eq!(
        body(&update),
        r#"{"namespace":"update-customer","first_name":"Jane","last_name":"Doe","email":"jane@example.com","phone":"3105550100","company":"Acme","address_1":"9450 Wilshire Blvd","address_2":"Suite 1","city":"Beverly Hills","state":"CA","country":"US","postcode":"90210"}"#
    );
    let partial: CustomerUpdate = BillingAddress::new().city("Austin").into();
    assert_eq!(
        body(&partial),
        r#"{"namespace":"update-customer","city":"Austin"}"#
    );
    assert!(!partial.is_empty());
    assert!(CustomerUpdate::default().is_empty());
    // No prefixed names are ever produced (they can clear fields on 4.9.3).
    let text = body(&update);
    assert!(!text.contains("billing_") && !text.contains("shipping_") && !text.contains("\"s_"));
}

#[test]
fn product_query_pairs() {
    assert!(ProductQuery::new().to_query_pairs().is_empty());
    let q = ProductQuery::new()
        .page(0)
        .per_page(250)
        .search("hood ie")
        .category("hoodies")
        .tag("31")
        .sku("HD-B")
        .orderby(ProductOrderBy::Popularity)
        .order(SortOrder::Desc)
        .on_sale(true)
        .featured(false)
        .stock_status(StockStatus::OnBackorder)
        .product_type("variable")
        .include([12, 7])
        .exclude([3])
        .slug("hoodie")
        .parents([301])
        .min_price("10")
        .max_price("49.99")
        .hide_free(true);
    let owned = q.to_query_pairs();
    let pairs: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("page", "1"),
            ("per_page", "100"),
            ("search", "hood ie"),
            ("category", "hoodies"),
            ("tag", "31"),
            ("sku", "HD-B"),
            ("orderby", "popularity"),
            ("order", "desc"),
            ("on_sale", "true"),
            ("featured", "false"),
            ("stock_status", "onbackorder"),
            ("type", "variable"),
            ("include", "12,7"),
            ("exclude", "3"),
            ("slug", "hoodie"),
            ("parent", "301"),
            ("min_price", "10"),
            ("max_price", "49.99"),
            ("hide_free", "true"),
        ]
    );
    assert_eq!(
        ProductQuery::new().per_page(0).to_query_pairs(),
        vec![("per_page".to_owned(), "1".to_owned())]
    );
}

#[test]
fn cart_query_pairs() {
    assert!(CartQuery::new().to_query_pairs().is_empty());
    let q = CartQuery::new()
        .field("items")
        .field("totals")
        .field("customer:billing_address")
        .thumb(false);
    assert_eq!(
        q.to_query_pairs(),
        vec![
            ("fields", "items,totals,customer:billing_address".to_owned()),
            ("thumb", "false".to_owned())
        ]
    );
    let q = CartQuery {
        fields: vec![],
        thumb: Some(true),
    };
    assert_eq!(q.to_query_pairs(), vec![("thumb", "true".to_owned())]);
}
