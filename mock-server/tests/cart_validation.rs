//! Strict parameter types and the add-to-cart
//! validation errors; and the server never panics on bad input.

mod cart_support;

use cart_support::{Req, Shop};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn cart_03_json_numbers_for_id_or_quantity_are_rest_invalid_param() {
    let shop = Shop::start().await;
    let r = shop
        .post("/cart/add-item", json!({"id": "101", "quantity": 2}))
        .await;
    r.assert_error(400, "rest_invalid_param");
    assert_eq!(r.body["message"], "Invalid parameter(s): quantity");
    assert_eq!(
        r.body["data"]["params"],
        json!({"quantity": "quantity is not of type string."})
    );
    assert_eq!(
        r.body["data"]["details"]["quantity"]["code"],
        "rest_invalid_type"
    );
    let r = shop
        .post("/cart/add-item", json!({"id": 123, "quantity": "1"}))
        .await;
    r.assert_error(400, "rest_invalid_param");
    assert_eq!(r.body["data"]["params"]["id"], "id is not of type string.");
    let r = shop
        .post("/cart/add-item", json!({"id": 101, "quantity": 1}))
        .await;
    assert_eq!(r.body["message"], "Invalid parameter(s): id, quantity");
    let r = shop
        .post(
            "/cart/add-item",
            json!({"id": "101", "return_item": "maybe"}),
        )
        .await;
    r.assert_error(400, "rest_invalid_param");
    let r = shop
        .post("/cart/add-item", json!({"id": "101", "variation": "blue"}))
        .await;
    r.assert_error(400, "rest_invalid_param");
}

#[tokio::test]
async fn cart_03_missing_id_is_rest_missing_callback_param() {
    let shop = Shop::start().await;
    let r = shop.post("/cart/add-item", json!({"quantity": "1"})).await;
    r.assert_error(400, "rest_missing_callback_param");
    assert_eq!(r.body["message"], "Missing parameter(s): id");
    assert_eq!(r.body["data"]["params"], json!(["id"]));
    let r = shop.post("/cart/add-item", json!({"id": null})).await;
    r.assert_error(400, "rest_missing_callback_param");
    let r = shop.post("/cart/add-item", json!({"id": ""})).await;
    r.assert_error(404, "cocart_product_id_required");
}

#[tokio::test]
async fn cart_16_variable_product_without_variation_is_404_no_variation_found() {
    let shop = Shop::start().await;
    let r = shop
        .post("/cart/add-item", json!({"id": "201", "quantity": "1"}))
        .await;
    r.assert_error(404, "cocart_no_variation_found");
    let r = shop
        .post(
            "/cart/add-item",
            json!({"id": "MOCK-HOODIE", "variation": {}}),
        )
        .await;
    r.assert_error(404, "cocart_no_variation_found");
}

#[tokio::test]
async fn cart_16_bad_attribute_value_is_400_invalid_variation_data() {
    let shop = Shop::start().await;
    let r = shop
        .post("/cart/add-item", json!({"id": "201", "variation": {"attribute_pa_color": "red", "attribute_pa_size": "small"}}))
        .await;
    r.assert_error(400, "cocart_invalid_variation_data");
    assert_eq!(
        r.body["message"],
        "Invalid value posted for Color. Allowed values: blue, green"
    );
    let r = shop
        .post(
            "/cart/add-item",
            json!({"id": "201", "variation": {"pa_color": "blue"}}),
        )
        .await;
    r.assert_error(400, "cocart_missing_variation_data");
    assert_eq!(
        r.body["message"],
        "Missing variation data for variable product. Size is a required field."
    );
}

#[tokio::test]
async fn cart_16_variation_keys_by_taxonomy_short_name_or_label_all_resolve() {
    let shop = Shop::start().await;
    for (i, variation) in [
        json!({"attribute_pa_color": "green", "attribute_pa_size": "large"}),
        json!({"pa_color": "green", "pa_size": "Large"}),
        json!({"Color": "Green", "Size": "large"}),
    ]
    .into_iter()
    .enumerate()
    {
        let r = shop
            .post(
                &format!("/cart/add-item?cart_key=v{i}"),
                json!({"id": "201", "variation": variation}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["items"][0]["id"], 205);
        assert_eq!(
            r.body["items"][0]["meta"]["variation"],
            json!({"Color": "Green", "Size": "Large"})
        );
        assert_eq!(r.body["items"][0]["quantity"]["max_purchase"], 5);
    }
    // Form bodies use bracketed keys.
    let r = shop
        .send(
            Req::new(Method::POST, "/cart/add-item?cart_key=vf").form(vec![
                ("id", "201"),
                ("variation[attribute_pa_color]", "blue"),
                ("variation[attribute_pa_size]", "large"),
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"][0]["id"], 203);
}

#[tokio::test]
async fn cart_16_out_of_stock_is_404() {
    let shop = Shop::start().await;
    let r = shop.post("/cart/add-item", json!({"id": "105"})).await;
    r.assert_error(404, "cocart_product_out_of_stock");
    assert_eq!(
        r.body["message"],
        "You cannot add \"Vintage Poster\" to the cart because the product is out of stock."
    );
    let r = shop
        .post("/cart/add-item", json!({"id": "MOCK-POSTER"}))
        .await;
    r.assert_error(404, "cocart_product_out_of_stock");
}

#[tokio::test]
async fn cart_16_quantity_above_max_or_below_min_is_405() {
    let shop = Shop::start().await;
    let r = shop
        .post("/cart/add-item", json!({"id": "107", "quantity": "4"}))
        .await;
    r.assert_error(405, "cocart_quantity_invalid_amount");
    assert_eq!(r.body["message"], "Quantity must be 3 or lower.");
    for q in ["0", "-1", "0.5"] {
        let r = shop
            .post("/cart/add-item", json!({"id": "101", "quantity": q}))
            .await;
        r.assert_error(405, "cocart_quantity_invalid_amount");
        assert_eq!(r.body["message"], "Quantity must be a minimum of 1.");
    }
}

#[tokio::test]
async fn cart_16_not_enough_stock_counts_what_is_already_in_the_cart() {
    let shop = Shop::start().await;
    shop.add("ne", "107", "2").await;
    let r = shop
        .post(
            "/cart/add-item?cart_key=ne",
            json!({"id": "107", "quantity": "2"}),
        )
        .await;
    r.assert_error(404, "cocart_not_enough_in_stock");
    assert_eq!(
        r.body["message"],
        "You cannot add that amount of \"Limited Edition Vinyl\" to the cart because there is not enough stock (1 remaining)."
    );
    let r = shop.add("ne", "107", "1").await;
    assert_eq!(r.body["items"][0]["quantity"]["value"], 3);
    // The failed add left the cart alone.
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn cart_16_sold_individually_refuses_a_second_add_and_an_increase() {
    let shop = Shop::start().await;
    let r = shop.add("si", "106", "3").await;
    assert_eq!(
        r.body["items"][0]["quantity"]["value"], 1,
        "sold individually forces 1"
    );
    assert_eq!(r.body["items"][0]["quantity"]["max_purchase"], 1);
    let k = r.first_item_key();
    let r = shop
        .post("/cart/add-item?cart_key=si", json!({"id": "106"}))
        .await;
    r.assert_error(403, "cocart_product_sold_individually");
    assert_eq!(
        r.body["message"],
        "You cannot add another \"Signed Print\" to your cart."
    );
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=si"),
            json!({"quantity": "2"}),
        )
        .await;
    r.assert_error(405, "cocart_can_not_increase_quantity");
}

#[tokio::test]
async fn cart_16_unknown_sku_is_404_and_unknown_numeric_id_is_400() {
    let shop = Shop::start().await;
    let r = shop
        .post("/cart/add-item", json!({"id": "NO-SUCH-SKU"}))
        .await;
    r.assert_error(404, "cocart_unknown_product_id");
    let r = shop.post("/cart/add-item", json!({"id": "9999"})).await;
    r.assert_error(400, "cocart_invalid_product");
    assert_eq!(
        r.body["message"],
        "This product cannot be added to the cart."
    );
    let r = shop.post("/cart/add-item", json!({"id": "0"})).await;
    r.assert_error(404, "cocart_product_id_required");
}

#[tokio::test]
async fn cart_16_grouped_and_external_via_add_item_are_403_and_add_items_adds_children() {
    let shop = Shop::start().await;
    shop.post("/cart/add-item", json!({"id": "301"}))
        .await
        .assert_error(403, "cocart_cannot_add_product_type_to_cart");
    shop.post("/cart/add-item", json!({"id": "401"}))
        .await
        .assert_error(403, "cocart_cannot_add_product_type_to_cart");
    let r = shop
        .post(
            "/cart/add-items?cart_key=g",
            json!({"id": "301", "quantity": {"101": "2", "102": "0", "103": "1"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<&Value> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, [&json!(101), &json!(103)]);
    assert_eq!(
        r.body["notices"]["success"][0],
        "\u{201c}T-Shirt\u{201d} and \u{201c}Mug\u{201d} have been added to your cart."
    );
    let r = shop
        .post(
            "/cart/add-items?cart_key=g2",
            json!({"id": "301", "quantity": {"102": "1"}, "return_items": true}),
        )
        .await;
    assert_eq!(r.body[0]["id"], 102);
    shop.post(
        "/cart/add-items",
        json!({"id": "301", "quantity": {"101": "0"}}),
    )
    .await
    .assert_error(404, "cocart_grouped_product_empty");
    shop.post(
        "/cart/add-items",
        json!({"id": "301", "quantity": {"107": "1"}}),
    )
    .await
    .assert_error(404, "cocart_grouped_product_failed");
    shop.post("/cart/add-items", json!({"id": "301"}))
        .await
        .assert_error(400, "rest_missing_callback_param");
}

#[tokio::test]
async fn cart_16_non_numeric_quantity_is_405() {
    let shop = Shop::start().await;
    let r = shop
        .post("/cart/add-item", json!({"id": "101", "quantity": "two"}))
        .await;
    r.assert_error(405, "cocart_quantity_not_numeric");
    let k = shop.add("nn", "101", "1").await.first_item_key();
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=nn"),
            json!({"quantity": "lots"}),
        )
        .await;
    r.assert_error(405, "cocart_quantity_not_numeric");
}

#[tokio::test]
async fn cart_contact_fields_on_add_item_set_valid_billing_email_and_phone() {
    let shop = Shop::start().await;
    let r = shop
        .post(
            "/cart/add-item?cart_key=ct",
            json!({"id": "101", "email": "jane@example.com", "phone": "not a phone"}),
        )
        .await;
    assert_eq!(
        r.body["customer"]["billing_address"]["billing_email"],
        "jane@example.com"
    );
    assert_eq!(r.body["customer"]["billing_address"]["billing_phone"], "");
}

#[tokio::test]
async fn cart_server_never_panics_on_bad_input() {
    let shop = Shop::start().await;
    let k = shop.add("bad", "101", "1").await.first_item_key();
    let item = format!("/cart/item/{k}?cart_key=bad");
    let bodies = [
        json!({"id": "101", "quantity": "99999999999999999999999999"}),
        json!({"id": "101", "quantity": "1e400"}),
        json!({"id": "101", "quantity": "-99999999999"}),
        json!({"id": "101", "quantity": "NaN"}),
        json!({"id": "101", "quantity": "inf"}),
        json!({"id": "18446744073709551616"}),
        json!({"id": "-5"}),
        json!({"id": "😀", "quantity": "١"}),
        json!({"id": ["101"], "quantity": {"a": 1}}),
        json!({"id": "201", "variation": {"😀": "😀", "Color": ["blue"], "Size": null}}),
        json!({"id": "201", "variation": ["blue", "small"]}),
        json!({"id": "101", "item_data": {"nested": {"deep": [1, 2, {"x": null}]}}}),
        json!({"id": "101", "item_data": "not an object"}),
        json!([1, 2, 3]),
        json!("just a string"),
    ];
    for b in bodies {
        for path in [
            "/cart/add-item?cart_key=bad",
            "/cart/add-items?cart_key=bad",
            "/cart/update?cart_key=bad",
            item.as_str(),
        ] {
            let r = shop.post(path, b.clone()).await;
            assert!(r.status < 500, "{path} {b}: {} {}", r.status, r.text);
            assert!(!r.body.is_null(), "{path} {b}: {}", r.text);
        }
    }
    let huge = shop.add("huge", "101", "1e15").await;
    assert_eq!(
        huge.body["items"][0]["quantity"]["value"],
        json!(1_000_000_000_000_000i64)
    );
    let raw = [
        (Method::POST, "/cart/add-item", "{not json"),
        (Method::POST, "/cart/update", "\u{0}\u{1}"),
        (Method::GET, "/cart?cart_key=%FF%FE&fields=%E2%82", ""),
        (Method::GET, "/cart/item/%F0%9F%98%80", ""),
        (Method::DELETE, "/cart/item/%FF", ""),
        (Method::GET, "/cart?thumb=perhaps", ""),
        (Method::GET, "/cart/items/count?removed_items[]=1", ""),
    ];
    for (m, path, body) in raw {
        let r = shop
            .http
            .request(m.clone(), shop.url(path))
            .header("Content-Type", "application/json")
            .header("CoCart-API-Cart-Key", "ÄÖÜ")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{m} {path}: {}", r.status());
    }
    // Still serving.
    assert_eq!(shop.get("/cart?cart_key=bad").await.status, 200);
}
