//! Changing lines: update, remove, restore, the items endpoints,
//! count, clear; plus raw totals and stock changing under a cart.

mod cart_support;

use cart_support::{Req, Shop};
use reqwest::Method;
use serde_json::json;

async fn cart_with_tee(shop: &Shop, key: &str) -> String {
    shop.add(key, "101", "2").await.first_item_key()
}

#[tokio::test]
async fn cart_07_update_sets_the_quantity_and_zero_moves_the_line_to_removed_items() {
    let shop = Shop::start().await;
    let k = cart_with_tee(&shop, "u").await;
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=u"),
            json!({"quantity": "5"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"][0]["quantity"]["value"], 5);
    assert_eq!(
        r.body["notices"]["success"][0],
        "The quantity for \"T-Shirt\" has increased to \"5\"."
    );
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=u"),
            json!({"quantity": "0"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["items"], json!([]));
    assert_eq!(r.body["removed_items"][k.as_str()]["quantity"], 5);
    assert_eq!(
        r.body["notices"]["success"][0],
        "\"T-Shirt\" has been removed from cart."
    );
    // POST never restores: the line is gone, so updating it is 404.
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=u"),
            json!({"quantity": "1"}),
        )
        .await;
    r.assert_error(404, "cocart_item_not_in_cart");
    let r = shop
        .post(
            "/cart/item/0123456789abcdef?cart_key=u",
            json!({"quantity": "1"}),
        )
        .await;
    r.assert_error(404, "cocart_item_not_in_cart");
}

#[tokio::test]
async fn cart_07_update_return_status_and_limits() {
    let shop = Shop::start().await;
    let k = cart_with_tee(&shop, "rs").await;
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=rs"),
            json!({"quantity": "1", "return_status": true}),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"message": "The quantity for \"T-Shirt\" has decreased to \"1\".", "quantity": 1})
    );
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=rs"),
            json!({"quantity": 3}),
        )
        .await;
    r.assert_error(400, "rest_invalid_param");
    let r = shop
        .post(&format!("/cart/item/{k}?cart_key=rs"), json!({}))
        .await;
    r.assert_error(400, "rest_missing_callback_param");
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=rs"),
            json!({"quantity": "-2"}),
        )
        .await;
    r.assert_error(405, "cocart_quantity_invalid_amount");
    let vinyl = shop.add("rs", "107", "1").await.body["items"][1]["item_key"]
        .as_str()
        .unwrap()
        .to_string();
    let r = shop
        .post(
            &format!("/cart/item/{vinyl}?cart_key=rs"),
            json!({"quantity": "4"}),
        )
        .await;
    r.assert_error(405, "cocart_quantity_invalid_amount");
    assert_eq!(r.body["message"], "Quantity must be 3 or lower.");
    let r = shop
        .post(
            &format!("/cart/item/{vinyl}?cart_key=rs"),
            json!({"quantity": "3"}),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn cart_08_delete_moves_the_line_to_removed_items_with_a_plain_number_quantity() {
    let shop = Shop::start().await;
    let k = cart_with_tee(&shop, "d").await;
    shop.add("d", "103", "1").await;
    let r = shop
        .send(Req::new(
            Method::DELETE,
            &format!("/cart/item/{k}?cart_key=d"),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    let removed = r.body["removed_items"]
        .as_array()
        .expect("a list while items remain");
    assert_eq!(removed[0]["item_key"], k.as_str());
    assert_eq!(removed[0]["quantity"], json!(2));
    assert_eq!(
        r.body["notices"]["success"][0],
        "\"T-Shirt\" has been removed from cart."
    );
    // return_status: a bare JSON string.
    let mug = r.first_item_key();
    let r = shop
        .send(Req::new(
            Method::DELETE,
            &format!("/cart/item/{mug}?cart_key=d&return_status=true"),
        ))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!("\"Mug\" has been removed from cart."));
    let r = shop
        .send(Req::new(
            Method::DELETE,
            &format!("/cart/item/{mug}?cart_key=d"),
        ))
        .await;
    r.assert_error(404, "cocart_item_not_in_cart");
    let r = shop
        .send(Req::new(Method::DELETE, "/cart/item/abc?cart_key=fresh"))
        .await;
    r.assert_error(404, "cocart_no_items");
}

#[tokio::test]
async fn cart_08_delete_and_put_tunnel_through_post() {
    let shop = Shop::start().await;
    let k = cart_with_tee(&shop, "t").await;
    let r = shop
        .post(
            &format!("/cart/item/{k}?cart_key=t&_method=DELETE"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"], json!([]));
    let r = shop
        .send(
            Req::new(Method::POST, &format!("/cart/item/{k}?cart_key=t"))
                .json(json!({}))
                .header("X-HTTP-Method-Override", "PUT"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"][0]["item_key"], k.as_str());
}

#[tokio::test]
async fn cart_09_put_restores_a_removed_line_and_restoring_a_present_line_is_405() {
    let shop = Shop::start().await;
    let k = cart_with_tee(&shop, "r").await;
    shop.send(Req::new(
        Method::DELETE,
        &format!("/cart/item/{k}?cart_key=r"),
    ))
    .await;
    let r = shop
        .send(Req::new(Method::PUT, &format!("/cart/item/{k}?cart_key=r")))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"][0]["quantity"]["value"], 2);
    assert_eq!(r.body["removed_items"], json!([]));
    assert_eq!(
        r.body["notices"]["success"][0],
        "\"T-Shirt\" has been added back to your cart."
    );
    let r = shop
        .send(Req::new(
            Method::PATCH,
            &format!("/cart/item/{k}?cart_key=r"),
        ))
        .await;
    r.assert_error(405, "cocart_item_restored_to_cart");
    let r = shop
        .send(Req::new(Method::PUT, "/cart/item/deadbeef?cart_key=r"))
        .await;
    r.assert_error(404, "cocart_item_restored_to_cart");
    // return_item on restore.
    shop.send(Req::new(
        Method::DELETE,
        &format!("/cart/item/{k}?cart_key=r"),
    ))
    .await;
    let r = shop
        .send(
            Req::new(Method::PUT, &format!("/cart/item/{k}?cart_key=r"))
                .json(json!({"return_item": true})),
        )
        .await;
    assert_eq!(r.body["item_key"], k.as_str());
    assert_eq!(r.body["quantity"]["value"], 2);
}

#[tokio::test]
async fn cart_10_cart_items_is_a_list_items_route_is_a_map_and_404_when_empty() {
    let shop = Shop::start().await;
    let k = cart_with_tee(&shop, "i").await;
    shop.add("i", "103", "1").await;
    let cart = shop.get("/cart?cart_key=i").await;
    assert!(cart.body["items"].is_array());
    let r = shop.get("/cart/items?cart_key=i").await;
    assert_eq!(r.status, 200);
    let map = r.body.as_object().expect("an object keyed by item_key");
    assert_eq!(map.len(), 2);
    assert_eq!(map[k.as_str()]["id"], 101);
    let one = shop.get(&format!("/cart/item/{k}?cart_key=i")).await;
    assert_eq!(one.body["item_key"], k.as_str());
    assert_eq!(one.body["quantity"]["value"], 2);
    shop.get("/cart/items?cart_key=empty")
        .await
        .assert_error(404, "cocart_no_items_in_cart");
    // An item key outside the route pattern is no route at all.
    shop.get("/cart/item/not-a-key?cart_key=i")
        .await
        .assert_error(404, "rest_no_route");
    shop.get(&format!("/cart/item/{}?cart_key=i", "a".repeat(33)))
        .await
        .assert_error(404, "rest_no_route");
}

#[tokio::test]
async fn cart_11_count_is_a_bare_number_and_400_on_an_empty_cart() {
    let shop = Shop::start().await;
    cart_with_tee(&shop, "c").await;
    shop.post(
        "/cart/add-item?cart_key=c",
        json!({"id": "103", "quantity": "1.5"}),
    )
    .await;
    let r = shop.get("/cart/items/count?cart_key=c").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, "3.5");
    let r = shop.get("/cart/items/count?cart_key=empty").await;
    r.assert_error(400, "cocart_response_returned_empty");
    let r = shop
        .get("/cart/items/count?cart_key=empty&return=text")
        .await;
    r.assert_error(404, "cocart_no_items_in_cart");
    let r = shop
        .get("/cart/items/count?cart_key=c&removed_items=true")
        .await;
    r.assert_error(400, "cocart_response_returned_empty");
    let whole = shop.add("w", "101", "3").await;
    assert_eq!(whole.status, 200);
    assert_eq!(shop.get("/cart/items/count?cart_key=w").await.text, "3");
}

#[tokio::test]
async fn cart_12_clear_empties_the_cart_and_keeps_removed_items_only_on_request() {
    let shop = Shop::start().await;
    let k = cart_with_tee(&shop, "cl").await;
    shop.add("cl", "103", "1").await;
    shop.send(Req::new(
        Method::DELETE,
        &format!("/cart/item/{k}?cart_key=cl"),
    ))
    .await;
    let r = shop
        .post(
            "/cart/clear?cart_key=cl",
            json!({"keep_removed_items": true}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["items"], json!([]));
    assert_eq!(r.body["notices"], json!({"notice": ["Cart is cleared."]}));
    // No items but removed items: removed_items is an object keyed by item_key.
    assert_eq!(r.body["removed_items"][k.as_str()]["id"], 101);
    assert_eq!(r.cart_key(), "cl");
    let r = shop.post("/cart/clear?cart_key=cl", json!({})).await;
    assert_eq!(r.body["removed_items"], json!([]));
    assert_eq!(r.body["cart_hash"], "No items in cart so no hash");
    assert_eq!(r.body["notices"]["notice"], json!(["Cart is cleared."]));
}

#[tokio::test]
async fn cart_totals_are_raw_major_units_and_404_on_an_empty_cart() {
    let shop = Shop::start().await;
    shop.add("tot", "101", "2").await;
    let r = shop.get("/cart/totals?cart_key=tot").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["subtotal"], "25.00");
    assert_eq!(r.body["total"], "25.00");
    assert_eq!(r.body["total_tax"], json!(0));
    assert_eq!(r.body["shipping_taxes"], json!([]));
    let html = shop.get("/cart/totals?cart_key=tot&html=true").await;
    assert_eq!(html.body["total"], "$25.00");
    shop.get("/cart/totals?cart_key=none")
        .await
        .assert_error(404, "cocart_cart_totals_empty");
    let calc = shop
        .post(
            "/cart/calculate?cart_key=tot",
            json!({"return_totals": true}),
        )
        .await;
    assert_eq!(calc.body["totals"]["total"], "2500");
}

#[tokio::test]
async fn cart_stock_falling_under_a_cart_keeps_the_line_and_adds_an_error_notice_on_every_read() {
    let shop = Shop::start().await;
    shop.add("st", "107", "3").await;
    assert!(shop.server.set_stock(107, Some(1)));
    for _ in 0..2 {
        let r = shop.get("/cart?cart_key=st").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["items"][0]["quantity"]["value"], 3);
        assert_eq!(r.body["removed_items"], json!([]));
        assert_eq!(
            r.body["notices"],
            json!({"error": ["Sorry, we do not have enough \"Limited Edition Vinyl\" in stock to fulfill your order (1 available). We apologize for any inconvenience caused."]})
        );
    }
    shop.server.set_stock(107, Some(0));
    let r = shop.get("/cart?cart_key=st").await;
    assert_eq!(r.body["items"][0]["quantity"]["value"], 3);
    assert_eq!(
        r.body["notices"]["error"],
        json!([
            "Sorry, \"Limited Edition Vinyl\" is not in stock. Please edit your cart and try again. We apologize for any inconvenience caused."
        ])
    );
    shop.server.set_stock(107, None);
    assert_eq!(
        shop.get("/cart?cart_key=st").await.body["notices"],
        json!([])
    );
    assert!(!shop.server.set_stock(999, Some(1)));
}
