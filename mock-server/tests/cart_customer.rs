//! Customer fields and quantities as a live 4.9.3 store behaves: bulk quantities,
//! `update-customer` as 4.9.3 behaves, login, the guest → customer transfer, the forbidden
//! cart keys, and logout leaving the cart alone.

mod cart_support;

use cart_support::{Req, Shop};
use reqwest::Method;
use serde_json::json;

async fn demo_id(shop: &Shop) -> String {
    let r = shop.send(Req::new(Method::GET, "/cart").basic()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.cart_key()
}

#[tokio::test]
async fn cart_13_update_cart_sets_bulk_quantities_and_says_cart_updated() {
    let shop = Shop::start().await;
    let tee = shop.add("b", "101", "1").await.first_item_key();
    let r = shop.add("b", "103", "1").await;
    let mug = r.body["items"][1]["item_key"].as_str().unwrap().to_string();
    let r = shop
        .post(
            "/cart/update?cart_key=b",
            json!({"namespace": "update-cart", "quantity": {tee.as_str(): "3", mug.as_str(): "0", "unknownkey": "9"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["items"][0]["quantity"]["value"], 3);
    assert_eq!(r.body["removed_items"][0]["item_key"], mug.as_str());
    assert_eq!(r.body["notices"]["success"], json!(["Cart updated."]));
    // Non-numeric characters are stripped; the `data` object works too.
    let r = shop
        .post(
            "/cart/update?cart_key=b",
            json!({"namespace": "update-cart", "data": {"quantity": {tee.as_str(): "4 pcs"}}}),
        )
        .await;
    assert_eq!(r.body["items"][0]["quantity"]["value"], 4);
    // Nothing changed: no notice.
    let r = shop
        .post(
            "/cart/update?cart_key=b",
            json!({"namespace": "update-cart", "quantity": {tee.as_str(): "4"}}),
        )
        .await;
    assert_eq!(r.body["notices"], json!([]));
    shop.post("/cart/update?cart_key=b", json!({}))
        .await
        .assert_error(404, "cocart_update_cart_no_namespace_error");
    shop.post("/cart/update?cart_key=b", json!({"namespace": "nope"}))
        .await
        .assert_error(404, "cocart_update_cart_no_namespace_error");
    shop.post(
        "/cart/update?cart_key=empty",
        json!({"namespace": "update-cart", "quantity": {}}),
    )
    .await
    .assert_error(404, "cocart_cart_empty");
}

#[tokio::test]
async fn cart_14_update_customer_applies_only_unprefixed_names_to_billing() {
    let shop = Shop::start().await;
    shop.add("uc", "101", "1").await;
    let r = shop
        .post(
            "/cart/update?cart_key=uc",
            json!({"namespace": "update-customer", "first_name": "Jane", "last_name": "Doe", "city": "Paris",
                   "country": "FR", "postcode": "75001", "email": "jane@example.com", "phone": "+33 1 23 45 67 89"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let billing = &r.body["customer"]["billing_address"];
    assert_eq!(billing["billing_first_name"], "Jane");
    assert_eq!(billing["billing_last_name"], "Doe");
    assert_eq!(billing["billing_city"], "Paris");
    assert_eq!(billing["billing_country"], "FR");
    assert_eq!(billing["billing_postcode"], "75001");
    assert_eq!(billing["billing_email"], "jane@example.com");
    assert_eq!(billing["billing_phone"], "+33 1 23 45 67 89");
    // Billing is not copied to shipping.
    assert_eq!(r.body["customer"]["shipping_address"]["shipping_city"], "");
    // As CoCart 4.9.3 behaves: s_city alone does NOT fill shipping (nor does shipping_city /
    // billing_city): nothing changes.
    let r = shop
        .post(
            "/cart/update?cart_key=uc",
            json!({"namespace": "update-customer", "s_city": "Lyon", "billing_city": "Nice"}),
        )
        .await;
    assert_eq!(r.body["customer"]["shipping_address"]["shipping_city"], "");
    assert_eq!(
        r.body["customer"]["billing_address"]["billing_city"],
        "Paris"
    );
    // Next to an unprefixed name, a prefixed one is set from an empty value.
    let r = shop
        .post(
            "/cart/update?cart_key=uc",
            json!({"namespace": "update-customer", "first_name": "Janet", "billing_city": "Nice", "s_country": "DE"}),
        )
        .await;
    assert_eq!(
        r.body["customer"]["billing_address"]["billing_first_name"],
        "Janet"
    );
    assert_eq!(r.body["customer"]["billing_address"]["billing_city"], "");
    assert_eq!(
        r.body["customer"]["shipping_address"]["shipping_country"],
        ""
    );
    assert_eq!(r.body["customer"]["shipping_address"]["shipping_city"], "");
}

#[tokio::test]
async fn cart_14_invalid_email_and_phone_are_ignored_and_a_bad_postcode_is_dropped() {
    let shop = Shop::start().await;
    shop.add("iv", "101", "1").await;
    let r = shop
        .post(
            "/cart/update?cart_key=iv",
            json!({"namespace": "update-customer", "first_name": "Al", "email": "not-an-email",
                   "phone": "call me maybe", "postcode": "ABCDE"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let billing = &r.body["customer"]["billing_address"];
    assert_eq!(billing["billing_first_name"], "Al");
    assert_eq!(billing["billing_email"], "");
    assert_eq!(billing["billing_phone"], "");
    assert_eq!(billing["billing_country"], "US");
    assert_eq!(billing["billing_postcode"], "", "ABCDE is no US postcode");
    let r = shop
        .post(
            "/cart/update?cart_key=iv",
            json!({"namespace": "update-customer", "postcode": "90210"}),
        )
        .await;
    assert_eq!(
        r.body["customer"]["billing_address"]["billing_postcode"],
        "90210"
    );
    shop.post(
        "/cart/update?cart_key=none",
        json!({"namespace": "update-customer", "first_name": "X"}),
    )
    .await
    .assert_error(404, "cocart_cart_empty");
}

#[tokio::test]
async fn cart_18_login_needs_credentials_and_answers_a_string_user_id_without_cart_headers() {
    let shop = Shop::start().await;
    let r = shop.post("/login", json!({})).await;
    r.assert_error(401, "cocart_rest_not_authorized");
    let r = shop.send(Req::new(Method::POST, "/login").basic()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["user_id"].is_string());
    assert!(r.header("CoCart-API-Cart-Key").is_none());
    assert_eq!(r.body["user_id"].as_str().unwrap(), demo_id(&shop).await);
}

#[tokio::test]
async fn cart_19_authenticated_cart_key_is_the_user_id_and_lifetimes_are_a_week() {
    let shop = Shop::start().await;
    let now = shop.server.now();
    let uid = demo_id(&shop).await;
    assert!(uid.parse::<u64>().is_ok(), "{uid}");
    let r = shop
        .send(
            Req::new(Method::POST, "/cart/add-item")
                .basic()
                .json(json!({"id": "101", "quantity": "1"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.cart_key(), uid);
    assert_eq!(r.header("CoCart-API-Cart-Key"), Some(uid.as_str()));
    let expiring = r.header_i64("CoCart-API-Cart-Expiring").unwrap();
    let expiration = r.header_i64("CoCart-API-Cart-Expiration").unwrap();
    assert!((expiring - now - 86_400).abs() <= 2);
    assert!((expiration - now - 7 * 86_400).abs() <= 2);
    assert!(r.header("Cache-Control").unwrap().ends_with(", private"));
    // The customer's cart survives three days (a guest cart would not).
    shop.server.advance_clock(3 * 86_400);
    let r = shop.send(Req::new(Method::GET, "/cart").basic()).await;
    assert_eq!(r.body["items"][0]["id"], 101);
}

/// `(id, quantity)` of every line of a cart answer.
fn lines(body: &serde_json::Value) -> Vec<(u64, i64)> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_u64().unwrap(),
                i["quantity"]["value"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn cart_19_transfer_replaces_the_customer_cart_with_the_guest_cart() {
    let shop = Shop::start().await;
    let uid = demo_id(&shop).await;
    // The customer already has 5 tees and a cap, and removed a sticker pack.
    for (id, q) in [("101", "5"), ("102", "1"), ("104", "1")] {
        let r = shop
            .send(
                Req::new(Method::POST, "/cart/add-item")
                    .basic()
                    .json(json!({"id": id, "quantity": q})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let me = shop.send(Req::new(Method::GET, "/cart").basic()).await;
    let stickers = me.body["items"][2]["item_key"]
        .as_str()
        .unwrap()
        .to_string();
    let r = shop
        .send(Req::new(Method::DELETE, &format!("/cart/item/{stickers}")).basic())
        .await;
    assert_eq!(r.body["removed_items"].as_array().unwrap().len(), 1);
    // The guest has 2 tees (the same line key) and a mug.
    let guest = shop.add("guestcart", "101", "2").await.cart_key();
    shop.add(&guest, "103", "1").await;
    let r = shop
        .send(Req::new(Method::GET, &format!("/cart?cart_key={guest}")).basic())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.cart_key(), uid);
    assert_eq!(
        lines(&r.body),
        vec![(101, 2), (103, 1)],
        "exactly the guest cart: the customer's cap is gone, the tees are the guest's 2"
    );
    assert_eq!(r.body["removed_items"], json!([]));
    assert_eq!(r.body["notices"], json!([]), "no notice of the loss");
    // The guest cart is gone: its key now reads as a new empty cart.
    let g = shop.get(&format!("/cart?cart_key={guest}")).await;
    assert_eq!(g.body["items"], json!([]));
    assert_eq!(g.cart_key(), guest);
    // The customer's cart stays the guest's (the same transfer sent again: see below).
    let me = shop.send(Req::new(Method::GET, "/cart").basic()).await;
    assert_eq!(lines(&me.body), vec![(101, 2), (103, 1)]);
}

#[tokio::test]
async fn cart_19_an_empty_customer_cart_simply_receives_the_guest_lines() {
    let shop = Shop::start().await;
    let uid = demo_id(&shop).await;
    let guest = shop.add("guestcart", "103", "2").await.cart_key();
    shop.add(&guest, "102", "1").await;
    let r = shop
        .send(Req::new(Method::GET, &format!("/cart?cart_key={guest}")).basic())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.cart_key(), uid);
    assert_eq!(lines(&r.body), vec![(103, 2), (102, 1)]);
    let me = shop.send(Req::new(Method::GET, "/cart").basic()).await;
    assert_eq!(lines(&me.body), vec![(103, 2), (102, 1)]);
    let g = shop.get(&format!("/cart?cart_key={guest}")).await;
    assert_eq!(g.body["items"], json!([]));
}

#[tokio::test]
async fn cart_19_a_transfer_sent_again_puts_back_the_customer_cart_from_before_the_first() {
    let shop = Shop::start().await;
    let uid = demo_id(&shop).await;
    // The customer's saved line, then a guest cart with another product.
    let r = shop
        .send(
            Req::new(Method::POST, "/cart/add-item")
                .basic()
                .json(json!({"id": "101", "quantity": "1"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let guest = shop.add("resentguest", "103", "2").await.cart_key();
    let path = format!("/cart?cart_key={guest}");
    let first = shop.send(Req::new(Method::GET, &path).basic()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        lines(&first.body),
        vec![(103, 2)],
        "the guest cart replaced it"
    );
    // The answer was lost: the same transfer again.
    let again = shop.send(Req::new(Method::GET, &path).basic()).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.cart_key(), uid);
    assert_eq!(
        lines(&again.body),
        vec![(101, 1)],
        "the guest's lines are gone"
    );
    let me = shop.send(Req::new(Method::GET, "/cart").basic()).await;
    assert_eq!(lines(&me.body), vec![(101, 1)], "and the store keeps it so");
}

#[tokio::test]
async fn cart_19_a_transfer_sent_again_into_an_empty_account_cart_ends_empty() {
    let shop = Shop::start().await;
    let guest = shop.add("resentempty", "103", "1").await.cart_key();
    let path = format!("/cart?cart_key={guest}");
    let first = shop.send(Req::new(Method::GET, &path).basic()).await;
    assert_eq!(lines(&first.body), vec![(103, 1)]);
    let again = shop.send(Req::new(Method::GET, &path).basic()).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["items"], json!([]));
    let me = shop.send(Req::new(Method::GET, "/cart").basic()).await;
    assert_eq!(me.body["items"], json!([]));
}

/// `{"success":false,"data":[{"code","message"}]}`: what `wp_send_json_error` sends.
fn send_json_error(code: &str, message: &str) -> serde_json::Value {
    json!({"success": false, "data": [{"code": code, "message": message}]})
}

#[tokio::test]
async fn cart_20_forbidden_cart_keys_are_403_in_the_wp_send_json_error_shape() {
    let shop = Shop::start().await;
    let uid = demo_id(&shop).await;
    let must = send_json_error(
        "cocart_must_authenticate_user",
        "Must authenticate customer as the cart key provided is a registered customer.",
    );
    let r = shop.get(&format!("/cart?cart_key={uid}")).await;
    assert_eq!((r.status, &r.body), (403, &must), "{}", r.text);
    let r = shop
        .send(Req::new(Method::GET, "/cart").header("CoCart-API-Cart-Key", uid.clone()))
        .await;
    assert_eq!((r.status, &r.body), (403, &must), "{}", r.text);
    let r = shop
        .send(Req::new(Method::GET, &format!("/cart?cart_key={uid}")).basic())
        .await;
    let already = send_json_error(
        "cocart_already_authenticating_user",
        "You are already authenticating as the customer. Cannot set cart key as the user.",
    );
    assert_eq!((r.status, &r.body), (403, &already), "{}", r.text);
    // A numeric key that is not a user is an ordinary guest key.
    let r = shop.add("424242", "101", "1").await;
    assert_eq!(r.cart_key(), "424242");
}

#[tokio::test]
async fn cart_21_logout_answers_true_and_leaves_the_stored_cart_alone() {
    let shop = Shop::start().await;
    let r = shop
        .send(
            Req::new(Method::POST, "/cart/add-item")
                .basic()
                .json(json!({"id": "103", "quantity": "2"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let out = shop.send(Req::new(Method::POST, "/logout").basic()).await;
    assert_eq!(out.status, 200, "{}", out.text);
    assert_eq!(out.body, json!(true));
    let again = shop.send(Req::new(Method::GET, "/cart").basic()).await;
    assert_eq!(again.body["items"][0]["quantity"]["value"], 2);
    // A guest cart is untouched by logout too.
    shop.add("gl", "101", "1").await;
    let out = shop.post("/logout", json!({})).await;
    assert_eq!(out.body, json!(true));
    assert_eq!(
        shop.get("/cart?cart_key=gl").await.body["items"][0]["id"],
        101
    );
}
