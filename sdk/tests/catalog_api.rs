//! `client.catalog()` against wiremock: the requests sent, pagination from the body or from the
//! `X-WP-Total*` headers, products by id or SKU, variations and terms in lenient shapes.

mod common;

use cocart::ApiErrorKind;
use cocart::models::{CartQuery, ProductOrderBy, ProductQuery, SortOrder};
use common::*;
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

const STORE: &str = include_str!("fixtures/store.json");
const PRODUCTS_PAGE: &str = include_str!("fixtures/products_page.json");
const PRODUCTS: &str = "/wp-json/cocart/v2/products";

#[tokio::test]
async fn info_decodes_the_raw_store_fields() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/store"))
        .respond_with(ResponseTemplate::new(200).set_body_string(STORE))
        .expect(1)
        .mount(&server)
        .await;
    let info = client(&server).catalog().store_info().await.unwrap();
    assert_eq!(info.title, "Example Shop");
    assert_eq!(info.gmt_offset, -5.0, "a string offset");
    assert_eq!(info.store_address.country_code(), Some("US"));
    assert_eq!(info.store_address.state_code(), Some("TX"));
    assert_eq!(info.extra.get("x_store_badge"), Some(&json!("verified")));
}

#[tokio::test]
async fn products_sends_the_query_and_reads_the_body_totals() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(PRODUCTS))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "100"))
        .and(query_param("orderby", "price"))
        .and(query_param("order", "asc"))
        .and(query_param("category", "hoodies"))
        .and(query_param_is_missing("cart_key"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(PRODUCTS_PAGE)
                .insert_header("X-WP-Total", "99")
                .insert_header("X-WP-TotalPages", "99"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .catalog()
        .products(
            &ProductQuery::new()
                .page(2)
                .per_page(500)
                .orderby(ProductOrderBy::Price)
                .order(SortOrder::Asc)
                .category("hoodies"),
        )
        .await
        .unwrap();
    assert_eq!(
        (page.page, page.total_pages, page.total_products),
        (1, 3, 5),
        "the body wins over the headers"
    );
    let products: Vec<_> = page
        .products
        .iter()
        .map(|p| (p.id, p.name.as_str()))
        .collect();
    assert_eq!(products, [(16, "Beanie"), (100, "Hoodie")]);
    let hoodie = &page.products[1];
    assert_eq!(hoodie.price().to_string(), "$42.00");
    assert_eq!(hoodie.variations.len(), 2);
    assert_eq!(hoodie.variations[0].id, 129);
    assert!(page.has_next());
}

#[tokio::test]
async fn products_falls_back_to_the_pagination_headers() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(PRODUCTS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"products": [{"id": 7, "name": "Mug"}]}))
                .insert_header("X-WP-Total", "21")
                .insert_header("X-WP-TotalPages", "3"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .catalog()
        .products(&ProductQuery::new().page(3).per_page(10))
        .await
        .unwrap();
    assert_eq!(
        (page.page, page.total_pages, page.total_products),
        (3, 3, 21)
    );
    assert!(!page.has_next());
}

#[tokio::test]
async fn a_product_by_sku_is_path_encoded_and_store_routes_never_send_the_cart_key() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/cocart/v2/cart"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_cart("t_guest")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PRODUCTS}/HD%20B%2F1")))
        .and(query_param_is_missing("cart_key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "129", "name": "Hoodie - Blue", "sku": "HD B/1",
            "prices": {"price": "4500", "regular_price": "4500", "sale_price": "",
                       "currency": {"currency_code": "EUR", "currency_minor_unit": 2,
                                    "currency_prefix": "", "currency_suffix": " €",
                                    "currency_decimal_separator": ",", "currency_thousand_separator": "."}},
            "stock": {"is_in_stock": "1", "stock_quantity": null, "stock_status": "instock"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.cart().get(&CartQuery::default()).await.unwrap();
    assert_eq!(client.cart_key().as_deref(), Some("t_guest"));
    let p = client.catalog().product("HD B/1").await.unwrap();
    assert_eq!((p.id, p.sku.as_str()), (129, "HD B/1"));
    assert_eq!(p.price().to_string(), "45,00 €");
    assert_eq!(p.sale_price(), None, "an empty sale price is no sale");
    assert!(p.is_in_stock());
}

#[tokio::test]
async fn unknown_products_are_product_not_found() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{PRODUCTS}/999")))
        .respond_with(wp_error(404, "cocart_product_invalid_id", "Invalid ID."))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PRODUCTS}/NOPE")))
        .respond_with(wp_error(
            404,
            "cocart_unknown_product_id",
            "Product does not exist!",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let catalog = client(&server).catalog();
    for (product, code) in [
        (
            cocart::models::ProductRef::Id(999),
            "cocart_product_invalid_id",
        ),
        ("NOPE".into(), "cocart_unknown_product_id"),
    ] {
        let err = catalog.product(product).await.unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.kind, ApiErrorKind::ProductNotFound);
        assert_eq!((api.status, api.code.as_str()), (404, code));
    }
}

#[tokio::test]
async fn variations_categories_and_tags_decode_lenient_shapes() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{PRODUCTS}/100/variations")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "129", "attributes": {"attribute_pa_color": "blue"},
             "prices": {"price": "4200", "regular_price": "4500", "sale_price": "4200"},
             "stock": {"is_in_stock": true, "stock_quantity": "7", "stock_status": "instock"}},
            {"id": 130, "attributes": [], "stock": []}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PRODUCTS}/categories")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "18", "name": "Hoodies", "slug": "hoodies", "count": 4},
            {"id": 19, "name": "Music &amp; Film", "slug": "music"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{PRODUCTS}/tags")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 31, "name": "Winter", "slug": "winter"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let catalog = client(&server).catalog();
    let variations = catalog.variations(100).await.unwrap();
    assert_eq!(variations.len(), 2);
    assert_eq!(
        variations[0]
            .attributes
            .get("attribute_pa_color")
            .map(|o| o.slug.as_str()),
        Some("blue")
    );
    assert_eq!(
        variations[0].stock.as_ref().and_then(|s| s.stock_quantity),
        Some(7)
    );
    assert_eq!(variations[0].prices.as_ref().unwrap().price.minor(), 4200);
    assert!(variations[1].attributes.is_empty());
    assert!(variations[1].stock.is_none(), "[] is no stock object");

    let categories = catalog.categories().await.unwrap();
    let ids: Vec<_> = categories.iter().map(|c| (c.id, c.slug.as_str())).collect();
    assert_eq!(ids, [(18, "hoodies"), (19, "music")]);
    assert_eq!(categories[0].extra.get("count"), Some(&json!(4)));
    let tags = catalog.tags().await.unwrap();
    assert_eq!((tags[0].id, tags[0].name.as_str()), (31, "Winter"));
}

/// A store that accepts connections and never answers: the client's timeout is the deadline of
/// the whole call, so a read that times out is not retried past it (it used to get the full
/// timeout once per attempt: three attempts, three connections).
#[tokio::test]
async fn the_timeout_is_the_deadline_of_the_whole_call_retries_included() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    let client = cocart::CoCartClient::builder(&url)
        .timeout(Duration::from_millis(800))
        .read_retries(2)
        .retry_base_delay(Duration::from_millis(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .catalog()
        .products(&ProductQuery::new())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, cocart::Error::Timeout), "{err:?}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "no retry once the deadline has passed"
    );
    assert!(took >= Duration::from_millis(750), "{took:?}");
    assert!(took < Duration::from_millis(2000), "{took:?}");
    silent.abort();
}

/// A retry gets only what is left of the deadline: the first attempt fails fast (503), the
/// second meets a store that never answers and is cut at the call's deadline, not a full
/// timeout after it started.
#[tokio::test]
async fn a_retry_gets_only_what_is_left_of_the_deadline() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let store = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                // The first request: a 503 after half the timeout.
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let _ = stream.read(&mut buf).await;
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    let _ = stream
                        .write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .await;
                });
            } else {
                held.push(stream);
            }
        }
    });
    let client = cocart::CoCartClient::builder(&url)
        .timeout(Duration::from_millis(1200))
        .read_retries(2)
        .retry_base_delay(Duration::from_millis(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .catalog()
        .products(&ProductQuery::new())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, cocart::Error::Timeout), "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "one retry");
    // The retry had about 600 ms left, not 1200 (which would end at about 1.8 s).
    assert!(took < Duration::from_millis(1600), "{took:?}");
    assert!(took >= Duration::from_millis(1100), "{took:?}");
    store.abort();
}
