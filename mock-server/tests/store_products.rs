//! The product routes: store info, product lists with
//! filters and pagination, single products by id or SKU, variations, categories and tags.

mod cart_support;

use cart_support::Shop;
use serde_json::{Value, json};

fn ids(body: &Value) -> Vec<u64> {
    body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn store_22_store_has_no_version_or_routes() {
    let shop = Shop::start().await;
    let r = shop.get("/store").await;
    assert_eq!(r.status, 200);
    let keys: Vec<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "title",
            "description",
            "home_url",
            "language",
            "gmt_offset",
            "timezone_string",
            "store_address"
        ]
    );
    assert!(r.body.get("version").is_none() && r.body.get("routes").is_none());
    assert_eq!(r.body["home_url"], shop.server.base_url());
    assert_eq!(r.body["store_address"]["country"], "US:CA");
    assert!(r.header("CoCart-API-Cart-Key").is_none());
}

#[tokio::test]
async fn store_22_products_pagination_body_and_headers() {
    let shop = Shop::start().await;
    let r = shop.get("/products?per_page=2").await;
    assert_eq!(r.status, 200);
    let keys: Vec<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["products", "page", "total_pages", "total_products"]);
    assert_eq!(r.body["products"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["page"], 1);
    assert_eq!(r.body["total_products"], 10, "variations are not listed");
    assert_eq!(r.body["total_pages"], 5);
    assert_eq!(r.header("X-WP-Total"), Some("10"));
    assert_eq!(r.header("X-WP-TotalPages"), Some("5"));
    let link = r.header("Link").unwrap();
    assert!(
        link.contains("rel=\"next\"") && link.contains("page=2") && !link.contains("rel=\"prev\""),
        "{link}"
    );
    // Default order is newest first.
    assert_eq!(ids(&r.body), [401, 301]);
    let last = shop.get("/products?per_page=3&page=4").await;
    assert_eq!(ids(&last.body), [101]);
    assert!(last.header("Link").unwrap().contains("rel=\"prev\""));
    shop.get("/products?per_page=101")
        .await
        .assert_error(400, "rest_invalid_param");
    shop.get("/products?per_page=0")
        .await
        .assert_error(400, "rest_invalid_param");
    shop.get("/products?page=abc")
        .await
        .assert_error(400, "rest_invalid_param");
    shop.get("/products?orderby=colour")
        .await
        .assert_error(400, "rest_invalid_param");
    // No cart session from product routes.
    assert!(r.header("CoCart-API-Cart-Key").is_none());
    assert!(r.header("CoCart-API-Cart-Expiration").is_none());
    assert_eq!(shop.stored_carts(), 0);
}

#[tokio::test]
async fn store_products_filter_and_order() {
    let shop = Shop::start().await;
    for (query, want) in [
        ("orderby=id&order=asc&per_page=3", vec![101, 102, 103]),
        ("orderby=price&order=asc&per_page=2", vec![104, 103]),
        ("orderby=title&order=asc&per_page=2", vec![102, 201]),
        ("search=hoodie", vec![201]),
        ("search=mock-cap", vec![102]),
        ("category=music", vec![107]),
        ("category=18", vec![107]),
        ("tag=limited&orderby=id&order=asc", vec![106, 107]),
        (
            "sku=MOCK-MUG,mock-tshirt&orderby=id&order=asc",
            vec![101, 103],
        ),
        ("type=variable", vec![201]),
        ("type=grouped", vec![301]),
        ("stock_status=outofstock", vec![105]),
        ("featured=true&orderby=id&order=asc", vec![101, 201]),
        ("on_sale=true&orderby=id&order=asc", vec![102, 201]),
        ("include=103,101&orderby=include&order=asc", vec![103, 101]),
        (
            "exclude=101,102,103,104,105,106,107,201&orderby=id&order=asc",
            vec![301, 401],
        ),
    ] {
        let r = shop.get(&format!("/products?{query}")).await;
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        assert_eq!(ids(&r.body), want, "{query}");
    }
}

#[tokio::test]
async fn store_product_by_id_or_sku_with_spec_fields() {
    let shop = Shop::start().await;
    let r = shop.get("/products/102").await;
    assert_eq!(r.status, 200);
    let p = &r.body;
    assert_eq!(p["id"], 102);
    assert_eq!(p["type"], "simple");
    assert_eq!(p["sku"], "MOCK-CAP");
    assert_eq!(p["prices"]["price"], "1800");
    assert_eq!(p["prices"]["regular_price"], "2000");
    assert_eq!(p["prices"]["sale_price"], "1800");
    assert_eq!(p["prices"]["on_sale"], true);
    assert_eq!(p["prices"]["price_range"], json!([]));
    assert_eq!(p["prices"]["currency"]["currency_minor_unit"], 2);
    assert_eq!(p["stock"]["is_in_stock"], true);
    assert_eq!(p["stock"]["stock_quantity"], Value::Null);
    assert_eq!(p["add_to_cart"]["is_purchasable"], true);
    assert_eq!(
        p["add_to_cart"]["purchase_quantity"],
        json!({"min_purchase": 1, "max_purchase": -1})
    );
    let by_sku = shop.get("/products/MOCK-VINYL").await;
    assert_eq!(by_sku.body["id"], 107);
    assert_eq!(by_sku.body["stock"]["stock_quantity"], 3);
    assert_eq!(
        by_sku.body["add_to_cart"]["purchase_quantity"]["max_purchase"],
        3
    );
    let hoodie = shop.get("/products/201").await.body;
    assert_eq!(
        hoodie["prices"]["price_range"],
        json!({"from": "4200", "to": "4500"})
    );
    assert_eq!(
        hoodie["attributes"]["attribute_pa_color"]["options"],
        json!({"blue": "Blue", "green": "Green"})
    );
    assert_eq!(hoodie["variations"].as_array().unwrap().len(), 4);
    assert_eq!(
        hoodie["variations"][0]["attributes"],
        json!({"attribute_pa_color": "blue", "attribute_pa_size": "small"})
    );
    assert_eq!(hoodie["add_to_cart"]["purchase_quantity"], json!([]));
    let grouped = shop.get("/products/301").await.body;
    assert_eq!(grouped["grouped_products"], json!([101, 102, 103]));
    let poster = shop.get("/products/105").await.body;
    assert_eq!(poster["stock"]["is_in_stock"], false);
    assert_eq!(poster["stock"]["stock_status"], "outofstock");
    shop.get("/products/9999")
        .await
        .assert_error(404, "cocart_product_invalid_id");
    shop.get("/products/NO-SUCH-SKU")
        .await
        .assert_error(404, "cocart_unknown_product_id");
    // Outside the route pattern `[\w-]+` (or not UTF-8): no route.
    for bad in [
        "/products/bad%20id",
        "/products/%FF",
        "/products/%F0%9F%98%80/variations",
        "/products/201/variations/%FF",
    ] {
        shop.get(bad).await.assert_error(404, "rest_no_route");
    }
    assert_eq!(
        shop.get("/products?search=%F0%9F%98%80&include=x,-1")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn store_variations_categories_and_tags() {
    let shop = Shop::start().await;
    let r = shop.get("/products/201/variations").await;
    assert_eq!(r.status, 200);
    let list = r.body.as_array().unwrap();
    assert_eq!(
        list.iter()
            .map(|v| v["id"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [205, 204, 203, 202]
    );
    assert_eq!(list[1]["prices"]["price"], "4200");
    let v = shop.get("/products/201/variations/205").await;
    assert_eq!(v.body["name"], "Hoodie - Green, Large");
    assert_eq!(v.body["parent_id"], 201);
    assert_eq!(v.body["stock"]["stock_quantity"], 5);
    shop.get("/products/201/variations/101")
        .await
        .assert_error(404, "cocart_product_variation_invalid_id");
    let cats = shop.get("/products/categories").await;
    let names: Vec<&str> = cats
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clothing", "accessories", "home", "music"]);
    assert_eq!(cats.body[0]["id"], 15);
    assert_eq!(cats.body[0]["count"], 3);
    let tags = shop.get("/products/tags").await;
    assert_eq!(tags.body.as_array().unwrap().len(), 3);
    assert_eq!(tags.header("X-WP-Total"), Some("3"));
}

#[tokio::test]
async fn store_seeded_products_replace_the_builtin_catalogue() {
    let config = cocart_mock::MockConfig {
        seed: Some(json!({"products": [
            {"id": 7, "name": "Lamp", "sku": "LAMP", "regular_price": 2500, "stock_quantity": 2},
            {"id": 8, "name": "Bulb", "regular_price": 300}
        ]})),
        ..cocart_mock::MockConfig::default()
    };
    let server = cocart_mock::MockServer::start_with(config).await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}/wp-json/cocart/v2{p}", server.base_url());
    let list: Value = http
        .get(url("/products"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total_products"], 2);
    let r = http
        .post(url("/cart/add-item?cart_key=seed"))
        .json(&json!({"id": "LAMP", "quantity": "2"}))
        .send()
        .await
        .unwrap();
    let cart: Value = r.json().await.unwrap();
    assert_eq!(cart["items"][0]["totals"]["subtotal"], "5000");
    let bad = cocart_mock::MockConfig {
        seed: Some(json!({"products": [{"id": 1, "name": "A"}, {"id": 1, "name": "B"}]})),
        ..cocart_mock::MockConfig::default()
    };
    assert!(cocart_mock::MockServer::start_with(bad).await.is_err());
}
