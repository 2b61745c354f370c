//! `client.catalog()` against the real mock store: store info, product pages, products by id or
//! SKU, variations, categories and tags. Values follow the seeded catalog documented at the
//! top of `mock-server/src/shop/catalogue.rs`.

mod support;

use cocart::ApiErrorKind;
use cocart::models::{ProductOrderBy, ProductQuery, SortOrder, StockStatus};
use cocart_mock::MockServer;
use support::*;

#[tokio::test]
async fn store_info_has_the_address_and_no_debug_fields() {
    let server = MockServer::start().await.unwrap();
    let info = guest(&server).catalog().store_info().await.unwrap();
    assert_eq!(info.title, "CoCart Mock Store");
    assert_eq!(info.home_url, server.base_url());
    assert_eq!(info.timezone_string, "UTC");
    assert_eq!(info.gmt_offset, 0.0);
    assert_eq!(info.store_address.city, "San Francisco");
    assert_eq!(info.store_address.country_code(), Some("US"));
    assert_eq!(info.store_address.state_code(), Some("CA"));
    assert_eq!(info.version, None);
    let last = server.journal().pop().unwrap();
    assert_eq!(query_param(&last, "cart_key"), None, "not a cart route");
}

#[tokio::test]
async fn products_are_paged_until_the_last_page() {
    let server = MockServer::start().await.unwrap();
    let client = guest(&server);
    let mut query = ProductQuery::new()
        .per_page(4)
        .orderby(ProductOrderBy::Id)
        .order(SortOrder::Asc);
    let mut pages = Vec::new();
    loop {
        let page = client.catalog().products(&query).await.unwrap();
        assert_eq!((page.total_products, page.total_pages), (10, 3));
        pages.push(page.products.iter().map(|p| p.id).collect::<Vec<_>>());
        if !page.has_next() {
            break;
        }
        query = query.page(page.page + 1);
    }
    assert_eq!(
        pages,
        [
            vec![101, 102, 103, 104],
            vec![105, 106, 107, 201],
            vec![301, 401]
        ]
    );
    let queries: Vec<_> = server.journal().into_iter().map(|e| e.query).collect();
    assert_eq!(
        queries,
        [
            "per_page=4&orderby=id&order=asc",
            "page=2&per_page=4&orderby=id&order=asc",
            "page=3&per_page=4&orderby=id&order=asc",
        ]
    );
}

#[tokio::test]
async fn product_filters_reach_the_store() {
    let server = MockServer::start().await.unwrap();
    let catalog = guest(&server).catalog();
    let on_sale = catalog
        .products(
            &ProductQuery::new()
                .on_sale(true)
                .orderby(ProductOrderBy::Id)
                .order(SortOrder::Asc),
        )
        .await
        .unwrap();
    let ids: Vec<_> = on_sale.products.iter().map(|p| p.id).collect();
    assert!(ids.contains(&102), "the cap is on sale: {ids:?}");
    assert!(!ids.contains(&101));

    let out = catalog
        .products(&ProductQuery::new().stock_status(StockStatus::OutOfStock))
        .await
        .unwrap();
    let ids: Vec<_> = out.products.iter().map(|p| p.id).collect();
    assert_eq!(ids, [105]);

    let by_sku = catalog
        .products(&ProductQuery::new().sku("MOCK-VINYL"))
        .await
        .unwrap();
    assert_eq!(by_sku.products.len(), 1);
    assert_eq!(by_sku.products[0].name, "Limited Edition Vinyl");
    assert_eq!(by_sku.products[0].stock.stock_quantity, Some(3));
}

#[tokio::test]
async fn price_slug_and_id_filters_select_exact_products() {
    let server = MockServer::start().await.unwrap();
    let catalog = guest(&server).catalog();
    let ids = |query: ProductQuery| {
        let catalog = catalog.clone();
        async move {
            let query = query
                .per_page(100)
                .orderby(ProductOrderBy::Id)
                .order(SortOrder::Asc);
            let page = catalog.products(&query).await.unwrap();
            assert_eq!(page.total_products, page.products.len() as u64);
            page.products.iter().map(|p| p.id).collect::<Vec<_>>()
        }
    };
    // $10.00–$20.00 inclusive: T-Shirt 12.50, Cap 18.00, Poster 15.00, Pennant 11.00, and the
    // Logo Collection, whose children reach 18.00; not the Mug (9.99) nor the Hoodie (42–45).
    assert_eq!(
        ids(ProductQuery::new().min_price("10").max_price("20")).await,
        [101, 102, 105, 301, 401]
    );
    assert_eq!(
        ids(ProductQuery::new().min_price("18")).await,
        [102, 106, 107, 201, 301]
    );
    assert_eq!(ids(ProductQuery::new().slug("mug")).await, [103]);
    assert_eq!(
        ids(ProductQuery::new().include([107, 103])).await,
        [103, 107]
    );
    assert_eq!(
        ids(ProductQuery::new().exclude([101, 102, 103, 104, 105, 106, 107])).await,
        [201, 301, 401]
    );
    assert_eq!(ids(ProductQuery::new().hide_free(true)).await.len(), 10);
    let sent: Vec<_> = server.journal().into_iter().map(|e| e.query).collect();
    assert!(
        sent[0].starts_with("per_page=100&orderby=id&order=asc&min_price=10&max_price=20"),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_product_by_id_or_sku_has_minor_unit_prices() {
    let server = MockServer::start().await.unwrap();
    let catalog = guest(&server).catalog();
    let cap = catalog.product(102).await.unwrap();
    assert_eq!(
        (cap.id, cap.name.as_str(), cap.sku.as_str()),
        (102, "Cap", "MOCK-CAP")
    );
    assert_eq!(cap.price().minor(), 1800);
    assert_eq!(cap.price().to_string(), "$18.00");
    assert_eq!(cap.regular_price().to_string(), "$20.00");
    assert_eq!(cap.sale_price().map(|m| m.minor()), Some(1800));
    assert!(cap.is_in_stock() && cap.is_purchasable());

    let mug = catalog.product("MOCK-MUG").await.unwrap();
    assert_eq!(mug.id, 103);
    assert_eq!(mug.price().to_string(), "$9.99");
    assert_eq!(mug.sale_price(), None);

    let poster = catalog.product("MOCK-POSTER").await.unwrap();
    assert!(!poster.is_in_stock());

    let unknown = catalog.product("NO-SUCH-SKU").await.unwrap_err();
    let api = unknown.api().unwrap();
    assert_eq!(api.kind, ApiErrorKind::ProductNotFound);
    assert_eq!(
        (api.status, api.code.as_str()),
        (404, "cocart_unknown_product_id")
    );
    let bad_id = catalog.product(999_999).await.unwrap_err();
    let api = bad_id.api().unwrap();
    assert_eq!(api.kind, ApiErrorKind::ProductNotFound);
    assert_eq!(
        (api.status, api.code.as_str(), api.message.as_str()),
        (404, "cocart_product_invalid_id", "Invalid ID.")
    );
}

#[tokio::test]
async fn variations_of_the_hoodie() {
    let server = MockServer::start().await.unwrap();
    let catalog = guest(&server).catalog();
    let hoodie = catalog.product(201).await.unwrap();
    assert_eq!(hoodie.product_type, "variable");
    let variations = catalog.variations(201).await.unwrap();
    let ids: Vec<_> = variations.iter().map(|v| v.id).collect();
    assert_eq!(
        ids,
        [205, 204, 203, 202],
        "newest first, then by id descending"
    );
    let green_small = &variations[1];
    let prices = green_small.prices.as_ref().unwrap();
    assert_eq!(
        (prices.price.minor(), prices.regular_price.minor()),
        (4200, 4500)
    );
    let green_large = &variations[0];
    assert_eq!(
        green_large.stock.as_ref().and_then(|s| s.stock_quantity),
        Some(5)
    );
    assert!(
        green_small
            .attributes
            .get("attribute_pa_color")
            .is_some_and(|o| o.slug == "green" && o.option_name == "Green" && o.name == "Color"),
        "{:?}",
        green_small.attributes
    );
}

#[tokio::test]
async fn categories_and_tags() {
    let server = MockServer::start().await.unwrap();
    let catalog = guest(&server).catalog();
    let categories: Vec<_> = catalog
        .categories()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.name, c.slug))
        .collect();
    assert_eq!(
        categories,
        [
            (15, "Clothing".to_string(), "clothing".to_string()),
            (16, "Accessories".to_string(), "accessories".to_string()),
            (17, "Home".to_string(), "home".to_string()),
            (18, "Music".to_string(), "music".to_string()),
        ]
    );
    let tags: Vec<_> = catalog
        .tags()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    assert_eq!(
        tags,
        [
            (30, "cotton".to_string()),
            (31, "gift".to_string()),
            (32, "limited".to_string()),
        ]
    );
}
