//! Store information and product models.

use cocart::models::{ProductPage, StoreInfo};
use serde_json::json;

const PRODUCTS: &str = include_str!("fixtures/products_page.json");
const STORE: &str = include_str!("fixtures/store.json");

fn page() -> ProductPage {
    serde_json::from_str(PRODUCTS).unwrap_or_else(|e| panic!("products did not decode: {e}"))
}

#[test]
fn product_page_and_pagination() {
    let p = page();
    assert_eq!(p.products.len(), 2);
    assert_eq!((p.page, p.total_pages, p.total_products), (1, 3, 5));
    assert!(p.has_next());
}

#[test]
fn simple_product_with_empty_sale_price_and_unmanaged_stock() {
    let beanie = &page().products[0];
    assert_eq!(beanie.id, 16);
    assert_eq!(beanie.product_type, "simple");
    assert_eq!(beanie.sku, "woo-beanie");
    assert_eq!(beanie.price().format(), "$12.50");
    assert_eq!(
        beanie.prices.sale_price, None,
        "\"\" sale price decodes as None"
    );
    assert_eq!(beanie.sale_price(), None);
    assert_eq!(
        beanie.prices.price_range, None,
        "[] price range decodes as None"
    );
    assert!(!beanie.prices.on_sale);
    assert_eq!(beanie.stock.stock_quantity, None);
    assert!(beanie.is_in_stock());
    assert!(beanie.is_purchasable());
    let limits = beanie.add_to_cart.purchase_quantity.unwrap_or_default();
    assert_eq!(limits.min_purchase, 1.0);
    assert_eq!(limits.max_purchase(), None);
    assert_eq!(
        beanie.images[0].url("thumbnail"),
        Some("https://shop.example/wp-content/uploads/2026/03/beanie-150x150.jpg")
    );
    assert!(beanie.images[0].featured);
    assert_eq!(beanie.categories[0].slug, "accessories");
    assert!(beanie.categories[0].extra.contains_key("rest_url"));
    assert_eq!(
        beanie.dates.get("created").and_then(|v| v.as_str()),
        Some("2026-03-01T10:00:00")
    );
    // Fields beyond the typed ones are kept.
    assert_eq!(beanie.review_count, 0);
    assert!(beanie.extra.contains_key("dimensions"));
    assert!(beanie.extra.contains_key("hidden_conditions"));
    assert_eq!(
        beanie.add_to_cart.extra.get("text"),
        Some(&json!("Add to cart"))
    );
}

#[test]
fn variable_product_with_range_attributes_and_variations() {
    let hoodie = &page().products[1];
    assert_eq!(hoodie.id, 100, "string id decodes");
    assert!(hoodie.prices.on_sale, "\"1\" decodes as true");
    assert_eq!(
        hoodie.sale_price().map(|m| m.format()),
        Some("$42.00".to_owned())
    );
    assert_eq!(hoodie.regular_price().minor(), 4500);
    let range = hoodie.prices.price_range.clone().unwrap_or_default();
    assert_eq!((range.from.minor(), range.to.minor()), (4200, 4500));
    assert!(hoodie.dates.is_empty());
    assert_eq!(hoodie.stock.stock_quantity, Some(7));
    assert_eq!(
        hoodie.add_to_cart.purchase_quantity, None,
        "[] purchase quantity decodes as None"
    );
    assert_eq!(hoodie.tags[0].name, "Winter");
    assert_eq!(hoodie.attributes.len(), 1, "attributes keyed by name");
    let color = hoodie.attribute("pa_color").unwrap();
    assert_eq!(color.name, "Color");
    assert_eq!(color.options(), vec!["Blue".to_owned(), "Green".to_owned()]);
    assert_eq!(
        color.option_slugs(),
        vec!["blue".to_owned(), "green".to_owned()]
    );
    assert!(color.used_for_variation && color.is_attribute_visible);
    assert_eq!(hoodie.variations.len(), 2);
    let blue = &hoodie.variations[0];
    assert_eq!(blue.id, 129);
    assert_eq!(
        blue.attributes
            .get("attribute_pa_color")
            .map(|o| o.slug.as_str()),
        Some("blue")
    );
    assert_eq!(
        blue.stock.as_ref().and_then(|s| s.stock_quantity),
        Some(7),
        "\"7\" decodes"
    );
    assert_eq!(
        blue.prices
            .as_ref()
            .and_then(|p| p.sale_price)
            .map(|a| a.minor()),
        Some(4200)
    );
    let green = &hoodie.variations[1];
    assert!(green.prices.is_none());
    assert_eq!(green.stock.as_ref().map(|s| s.is_in_stock), Some(false));
}

#[test]
fn store_info_with_raw_country_and_string_offset() {
    let s: StoreInfo = serde_json::from_str(STORE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.title, "Example Shop");
    assert_eq!(s.gmt_offset, -5.0);
    assert_eq!(s.store_address.country_code(), Some("US"));
    assert_eq!(s.store_address.state_code(), Some("TX"));
    assert_eq!(s.version, None);
    assert!(s.routes.is_none());
    assert_eq!(s.extra.get("x_store_badge"), Some(&json!("verified")));

    let debug: StoreInfo = serde_json::from_value(json!({"gmt_offset": 5.5, "version": "4.9.3",
        "routes": {"/cocart/v2": {}}, "store_address": {"country": "GB"}}))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(debug.gmt_offset, 5.5);
    assert_eq!(debug.version.as_deref(), Some("4.9.3"));
    assert!(debug.routes.is_some());
    assert_eq!(debug.store_address.state_code(), None);
}

#[test]
fn image_src_as_plain_url() {
    let p: cocart::models::Product = serde_json::from_value(
        json!({"id": 1, "images": [{"id": "3", "src": "https://shop.example/a.jpg"}]}),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.images[0].id, 3);
    assert_eq!(p.images[0].url("full"), Some("https://shop.example/a.jpg"));
}
