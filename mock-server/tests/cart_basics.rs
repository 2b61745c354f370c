//! The cart basics as CoCart 4.9.3 behaves: new carts, adding,
//! where the key is read, line merging, the cart headers, money and empty maps, errors.

mod cart_support;

use cart_support::{Req, Shop};
use reqwest::Method;
use serde_json::json;

const CART_KEYS: [&str; 17] = [
    "cart_hash",
    "cart_key",
    "currency",
    "customer",
    "items",
    "item_count",
    "items_weight",
    "coupons",
    "needs_payment",
    "needs_shipping",
    "shipping",
    "fees",
    "taxes",
    "totals",
    "removed_items",
    "cross_sells",
    "notices",
];

#[tokio::test]
async fn cart_01_new_guest_cart_has_the_17_keys_in_order_and_a_fresh_t_key() {
    let shop = Shop::start().await;
    let r = shop.get("/cart").await;
    assert_eq!(r.status, 200);
    let keys: Vec<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, CART_KEYS);
    assert_eq!(r.body["items"], json!([]));
    assert_eq!(r.body["cart_hash"], "No items in cart so no hash");
    let key = r.cart_key();
    assert!(key.starts_with("t_") && key.len() == 32, "{key}");
    assert!(
        key[2..]
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert_eq!(r.header("CoCart-API-Cart-Key"), Some(key.as_str()));
    assert_eq!(r.body["currency"]["currency_code"], "USD");
    assert_eq!(r.body["currency"]["currency_minor_unit"], 2);
    assert_eq!(r.body["currency"]["currency_symbol_pos"], "currency_prefix");
    assert_eq!(r.body["item_count"], 0);
    assert_eq!(
        r.body["customer"]["billing_address"]["billing_country"],
        "US"
    );
    assert!(
        r.body["customer"]["shipping_address"]
            .get("shipping_email")
            .is_none()
    );
    // A second call without a key is another new cart; nothing is stored without data.
    let again = shop.get("/cart").await;
    assert_ne!(again.cart_key(), key);
    assert_eq!(shop.stored_carts(), 0);
}

#[tokio::test]
async fn cart_02_add_item_returns_the_cart_with_the_line_and_a_success_notice() {
    let shop = Shop::start().await;
    let r = shop.add("mykey", "101", "2").await;
    assert_eq!(r.cart_key(), "mykey");
    assert_eq!(r.header("CoCart-API-Cart-Key"), Some("mykey"));
    let item = &r.body["items"][0];
    assert_eq!(item["id"], 101);
    assert_eq!(item["quantity"]["value"], 2);
    assert_eq!(item["quantity"]["min_purchase"], 1);
    assert_eq!(item["quantity"]["max_purchase"], -1);
    assert_eq!(item["name"], "T-Shirt");
    assert_eq!(item["price"], "1250");
    let notice = r.body["notices"]["success"][0].as_str().unwrap();
    assert_eq!(
        notice,
        "\u{201c}T-Shirt\u{201d} has been added to your cart."
    );
    assert!(notice.ends_with("has been added to your cart."));
    assert_eq!(r.body["item_count"], 2);
    assert_eq!(r.body["totals"]["total"], "2500");
    assert_ne!(r.body["cart_hash"], "No items in cart so no hash");
    assert_eq!(shop.stored_carts(), 1);
    // The notice is for that request only; the stored cart reads back.
    let back = shop.get("/cart?cart_key=mykey").await;
    assert_eq!(back.body["notices"], json!([]));
    assert_eq!(back.body["items"][0]["quantity"]["value"], 2);
}

#[tokio::test]
async fn cart_02_add_item_by_sku_by_variation_id_and_with_return_item() {
    let shop = Shop::start().await;
    let r = shop.add("k1", "MOCK-MUG", "1").await;
    assert_eq!(r.body["items"][0]["id"], 103);
    let r = shop
        .post(
            "/cart/add-item?cart_key=k1",
            json!({"id": "204", "quantity": "1", "return_item": true}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], 204);
    assert_eq!(r.body["name"], "Hoodie - Green, Small");
    assert_eq!(r.body["title"], "Hoodie");
    assert_eq!(r.body["slug"], "hoodie");
    assert_eq!(r.body["meta"]["product_type"], "variation");
    assert_eq!(
        r.body["meta"]["variation"],
        json!({"Color": "Green", "Size": "Small"})
    );
    assert_eq!(r.body["price"], "4200");
    // Form bodies work too.
    let r = shop
        .send(
            Req::new(Method::POST, "/cart/add-item?cart_key=k1")
                .form(vec![("id", "102"), ("quantity", "1")]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn cart_04_cart_key_only_in_the_json_body_is_ignored() {
    let shop = Shop::start().await;
    let r = shop
        .post(
            "/cart/add-item",
            json!({"id": "101", "quantity": "1", "cart_key": "bodykey"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_ne!(r.cart_key(), "bodykey");
    assert!(r.cart_key().starts_with("t_"));
    let other = shop.get("/cart?cart_key=bodykey").await;
    assert_eq!(other.body["items"], json!([]));
}

#[tokio::test]
async fn cart_04_header_works_wins_over_the_query_and_keys_are_sanitised() {
    let shop = Shop::start().await;
    let r = shop
        .send(
            Req::new(Method::POST, "/cart/add-item?cart_key=fromquery")
                .json(json!({"id": "101", "quantity": "1"}))
                .header("CoCart-API-Cart-Key", "FromHeader"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.cart_key(), "fromheader");
    let by_header = shop
        .send(Req::new(Method::GET, "/cart").header("CoCart-API-Cart-Key", "fromheader"))
        .await;
    assert_eq!(by_header.body["items"][0]["id"], 101);
    assert_eq!(
        shop.get("/cart?cart_key=fromquery").await.body["items"],
        json!([])
    );
    // Lowercased, stripped of characters outside [a-z0-9_-], cut at 42.
    let r = shop.get("/cart?cart_key=My%20Key!%C3%A9_x-1").await;
    assert_eq!(r.cart_key(), "mykey_x-1");
    let long = "a".repeat(60);
    let r = shop.get(&format!("/cart?cart_key={long}")).await;
    assert_eq!(r.cart_key().len(), 42);
    let r = shop.get("/cart?cart_key=FROMHEADER").await;
    assert_eq!(r.body["items"][0]["id"], 101);
}

#[tokio::test]
async fn cart_05_same_item_merges_and_different_item_data_makes_a_second_line() {
    let shop = Shop::start().await;
    shop.add("m", "101", "1").await;
    let r = shop.add("m", "101", "2").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["items"][0]["quantity"]["value"], 3);
    let first_key = r.first_item_key();
    let r = shop
        .post(
            "/cart/add-item?cart_key=m",
            json!({"id": "101", "quantity": "1", "item_data": {"engraving": "Hi"}}),
        )
        .await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_ne!(items[1]["item_key"], first_key.as_str());
    assert_eq!(items[1]["cart_item_data"], json!({"engraving": "Hi"}));
    assert_eq!(items[0]["cart_item_data"], json!([]));
    let key = r.body["items"][1]["item_key"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 32);
    // The same item_data again adds onto that line.
    let r = shop
        .post(
            "/cart/add-item?cart_key=m",
            json!({"id": "101", "quantity": "1", "item_data": {"engraving": "Hi"}}),
        )
        .await;
    assert_eq!(r.body["items"][1]["quantity"]["value"], 2);
    // Variation by parent + map is the same line as the variation id itself.
    let a = shop
        .post("/cart/add-item?cart_key=v", json!({"id": "201", "quantity": "1", "variation": {"attribute_pa_color": "blue", "attribute_pa_size": "small"}}))
        .await;
    let b = shop.add("v", "202", "1").await;
    assert_eq!(
        a.body["items"][0]["item_key"],
        b.body["items"][0]["item_key"]
    );
    assert_eq!(b.body["items"][0]["quantity"]["value"], 2);
}

#[tokio::test]
async fn cart_06_every_successful_cart_response_carries_the_cart_headers() {
    let shop = Shop::start().await;
    let now = shop.server.now();
    let r = shop.add("h", "101", "1").await;
    for resp in [
        r,
        shop.get("/cart?cart_key=h").await,
        shop.get("/cart/items?cart_key=h").await,
        shop.get("/cart/items/count?cart_key=h").await,
        shop.post("/cart/calculate?cart_key=h", json!({})).await,
        shop.get("/cart/totals?cart_key=h").await,
    ] {
        assert_eq!(resp.status, 200, "{}", resp.text);
        assert_eq!(resp.header("CoCart-API-Cart-Key"), Some("h"));
        let expiring = resp.header_i64("CoCart-API-Cart-Expiring").unwrap();
        let expiration = resp.header_i64("CoCart-API-Cart-Expiration").unwrap();
        assert!(expiration > expiring && expiring > now);
        assert!(
            (expiring - now - 86_400).abs() <= 2,
            "guest expiring now + 1 day"
        );
        assert!(
            (expiration - now - 2 * 86_400).abs() <= 2,
            "guest expiration now + 2 days"
        );
        assert!(resp.header_i64("CoCart-Timestamp").is_some());
        assert_eq!(
            resp.header("Cache-Control"),
            Some("no-cache, must-revalidate, max-age=0, no-store")
        );
        let expose = resp.header("Access-Control-Expose-Headers").unwrap();
        for h in [
            "CoCart-API-Cart-Key",
            "CoCart-API-Cart-Expiring",
            "CoCart-API-Cart-Expiration",
            "ETag",
            "CoCart-Cache",
        ] {
            assert!(expose.contains(h), "{expose}");
        }
    }
}

#[tokio::test]
async fn cart_06_carts_expire_on_the_virtual_clock_and_requests_renew_them() {
    let shop = Shop::start().await;
    shop.add("exp", "101", "1").await;
    shop.server.advance_clock(86_400 + 3600);
    // Still alive after 25 h (expiration is 48 h) and this read renews it.
    assert_eq!(
        shop.get("/cart?cart_key=exp").await.body["items"][0]["id"],
        101
    );
    shop.server.advance_clock(86_400 + 3600);
    assert_eq!(
        shop.get("/cart?cart_key=exp").await.body["items"][0]["id"],
        101
    );
    shop.server.advance_clock(2 * 86_400 + 1);
    let gone = shop.get("/cart?cart_key=exp").await;
    assert_eq!(gone.status, 200);
    assert_eq!(gone.body["items"], json!([]));
    assert_eq!(gone.cart_key(), "exp");
}

#[tokio::test]
async fn cart_06_reads_send_an_etag_and_if_none_match_gives_304() {
    let shop = Shop::start().await;
    shop.add("e", "101", "1").await;
    let r = shop.get("/cart?cart_key=e").await;
    let etag = r.header("ETag").unwrap().to_string();
    assert!(etag.starts_with("W/\"") && etag.len() == 36, "{etag}");
    assert_eq!(r.header("CoCart-Cache"), Some("MISS"));
    let again = shop
        .send(Req::new(Method::GET, "/cart?cart_key=e").header("If-None-Match", etag.clone()))
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("CoCart-Cache"), Some("HIT"));
    let skip = shop
        .send(Req::new(Method::GET, "/cart?cart_key=e&_skip_cache=1").header("If-None-Match", etag))
        .await;
    assert_eq!(skip.status, 200);
    assert_eq!(skip.header("CoCart-Cache"), Some("SKIP"));
}

#[tokio::test]
async fn cart_15_money_is_minor_units_item_totals_are_mixed_and_empty_maps_are_lists() {
    let shop = Shop::start().await;
    let r = shop.add("money", "102", "1").await;
    let r2 = shop
        .post(
            "/cart/add-item?cart_key=money",
            json!({"id": "101", "quantity": "1.5"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let b = &r2.body;
    let is_minor = |v: &serde_json::Value| {
        let s = v.as_str().unwrap_or("x");
        !s.is_empty()
            && s.trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_digit())
    };
    for (k, v) in b["totals"].as_object().unwrap() {
        assert!(is_minor(v), "totals.{k} = {v}");
    }
    let cap = &b["items"][0];
    assert!(is_minor(&cap["price"]) && is_minor(&cap["totals"]["subtotal"]));
    assert_eq!(cap["totals"]["subtotal"], "1800");
    assert_eq!(cap["totals"]["total"], json!(18));
    assert_eq!(cap["totals"]["subtotal_tax"], json!(0));
    assert_eq!(cap["totals"]["tax"], json!(0));
    let tee = &b["items"][1];
    assert_eq!(tee["quantity"]["value"], json!(1.5));
    assert_eq!(tee["totals"]["subtotal"], "1875");
    assert_eq!(tee["totals"]["total"], json!(18.75));
    assert_eq!(b["item_count"], json!(2.5));
    assert_eq!(b["totals"]["total"], "3675");
    assert_eq!(b["items_weight"], "0.4");
    assert_eq!(tee["meta"]["weight"], "0.3");
    for k in ["fees", "taxes", "shipping", "coupons", "cross_sells"] {
        assert_eq!(b[k], json!([]), "{k}");
    }
    assert_eq!(tee["meta"]["variation"], json!([]));
    assert_eq!(tee["cart_item_data"], json!([]));
    assert!(b["needs_payment"].as_bool().unwrap());
    assert!(
        tee["featured_image"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1")
    );
    let no_thumb = shop.get("/cart?cart_key=money&thumb=false").await;
    assert_eq!(no_thumb.body["items"][0]["featured_image"], "");
}

#[tokio::test]
async fn cart_15_fields_selects_top_level_and_child_fields() {
    let shop = Shop::start().await;
    shop.add("f", "101", "1").await;
    let r = shop
        .get("/cart?cart_key=f&fields=items,totals:total,customer:billing_address")
        .await;
    let keys: Vec<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["customer", "items", "totals"]);
    assert_eq!(r.body["totals"], json!({"total": "1250"}));
    assert!(r.body["customer"].get("shipping_address").is_none());
    let empty = shop.get("/cart?fields=cart_hash").await;
    assert_eq!(empty.body, json!({"cart_hash": ""}));
}

#[tokio::test]
async fn cart_17_errors_use_the_wordpress_envelope_with_matching_status() {
    let shop = Shop::start().await;
    for (r, status, code) in [
        (
            shop.get("/cart/item/abc?cart_key=z").await,
            404,
            "cocart_item_not_in_cart",
        ),
        (
            shop.post("/cart/add-item", json!({"id": "nope-sku"})).await,
            404,
            "cocart_unknown_product_id",
        ),
        (
            shop.post("/cart/add-item", json!({"quantity": "1"})).await,
            400,
            "rest_missing_callback_param",
        ),
        (shop.get("/cart/nothing-here").await, 404, "rest_no_route"),
        (
            shop.send(Req::new(Method::DELETE, "/cart")).await,
            404,
            "rest_no_route",
        ),
    ] {
        r.assert_error(status, code);
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(
            r.header("CoCart-API-Cart-Key").is_none(),
            "no cart headers on errors"
        );
    }
}
