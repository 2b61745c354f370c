//! The catalogue's facet routes as a CoCart 4.9.3 store answered them: global attributes and
//! their terms, product reviews, the review and attribute blocks of products, variations, and
//! the cache headers (ETag, 304) shared by every catalogue GET. Built-in catalogue: Color
//! (id 1: Blue 50, Green 51, Red 52) and Size (id 2: Small 53, Large 54, X-Large 55); T-Shirt
//! 101 is Red, Hoodie 201 varies over Blue/Green × Small/Large; approved reviews 2 and 3 on 101,
//! 4 on 201, 6 on 103, and review 5 on 102 is held for moderation.

mod cart_support;

use cart_support::{Req, Resp, Shop};
use serde_json::{Value, json};

fn field(r: &Resp, name: &str) -> Vec<Value> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
        .as_array()
        .unwrap_or_else(|| panic!("a bare array: {}", r.text))
        .iter()
        .map(|v| v[name].clone())
        .collect()
}

fn ids(r: &Resp) -> Vec<u64> {
    field(r, "id").iter().map(|v| v.as_u64().unwrap()).collect()
}

fn totals(r: &Resp) -> (Option<i64>, Option<i64>) {
    (r.header_i64("X-WP-Total"), r.header_i64("X-WP-TotalPages"))
}

fn rels(r: &Resp) -> Vec<(String, String)> {
    let Some(link) = r.header("Link") else {
        return Vec::new();
    };
    link.split(", <")
        .map(|part| {
            let (url, rel) = part.split_once(">; rel=").unwrap();
            let page = url.rsplit_once("page=").unwrap().1.to_string();
            (rel.trim_matches('"').to_string(), page)
        })
        .collect()
}

fn invalid_param(r: &Resp, name: &str, message: &str) {
    r.assert_error(400, "rest_invalid_param");
    assert_eq!(r.body["message"], format!("Invalid parameter(s): {name}"));
    assert_eq!(r.body["data"]["params"][name], message, "{}", r.text);
}

#[tokio::test]
async fn attributes_list_and_single() {
    let shop = Shop::start().await;
    let r = shop.get("/products/attributes").await;
    assert_eq!(ids(&r), [1, 2]);
    assert_eq!(totals(&r), (Some(2), Some(1)));
    let color = &r.body[0];
    let keys: Vec<&str> = color
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "slug",
            "type",
            "order_by",
            "has_archives",
            "_links"
        ]
    );
    assert_eq!(color["slug"], "pa_color");
    assert_eq!(color["name"], "Color");
    assert_eq!(color["type"], "select");
    assert_eq!(color["order_by"], "menu_order");
    assert_eq!(color["has_archives"], false);
    assert_eq!(
        color["_links"]["self"][0]["targetHints"]["allow"],
        json!(["GET"])
    );
    assert!(
        color["_links"]["collection"][0]["href"]
            .as_str()
            .unwrap()
            .ends_with("/wp-json/cocart/v2/products/attributes")
    );
    let one = shop.get("/products/attributes/2").await;
    assert_eq!(one.body["slug"], "pa_size");
    assert_eq!(one.header("X-WP-Total"), None);
    shop.get("/products/attributes/999999")
        .await
        .assert_error(404, "cocart_attribute_invalid");
    let r = shop.get("/products/attributes/999999").await;
    assert_eq!(r.body["message"], "Attribute does not exist.");
    shop.get("/products/attributes/abc")
        .await
        .assert_error(404, "rest_no_route");
}

#[tokio::test]
async fn attribute_terms_order_counts_and_paging() {
    let shop = Shop::start().await;
    let r = shop.get("/products/attributes/1/terms").await;
    assert_eq!(
        field(&r, "name"),
        [json!("Blue"), json!("Green"), json!("Red")]
    );
    assert_eq!(field(&r, "count"), [json!(1), json!(1), json!(1)]);
    assert_eq!(totals(&r), (Some(3), Some(1)));
    let keys: Vec<&str> = r.body[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "slug",
            "description",
            "menu_order",
            "count",
            "_links"
        ]
    );
    assert_eq!(r.body[2]["id"], 52);
    assert_eq!(r.body[2]["slug"], "red");

    let r = shop
        .get("/products/attributes/1/terms?per_page=1&page=2")
        .await;
    assert_eq!(ids(&r), [51]);
    assert_eq!(totals(&r), (Some(3), Some(3)));
    assert_eq!(
        rels(&r),
        [("prev".into(), "1".into()), ("next".into(), "3".into())]
    );
    assert!(r.header("Link").unwrap().contains("per_page=1"));

    // Past the end: empty, the totals stay, prev points at the last page that exists.
    let r = shop.get("/products/attributes/1/terms?page=99").await;
    assert_eq!(ids(&r), Vec::<u64>::new());
    assert_eq!(totals(&r), (Some(3), Some(1)));
    assert_eq!(rels(&r), [("prev".into(), "1".into())]);

    assert_eq!(
        ids(&shop.get("/products/attributes/1/terms?product=101").await),
        [52]
    );
    assert_eq!(
        ids(&shop.get("/products/attributes/1/terms?slug=blue").await),
        [50]
    );
    // X-Large (55) is on no product.
    assert_eq!(
        ids(&shop
            .get("/products/attributes/2/terms?orderby=id&order=desc")
            .await),
        [55, 54, 53]
    );
    assert_eq!(
        ids(&shop
            .get("/products/attributes/2/terms?hide_empty=true&orderby=id&order=desc")
            .await),
        [54, 53]
    );
    // `offset` is not declared but read: it replaces the page start, the total stays.
    let r = shop.get("/products/attributes/1/terms?offset=1").await;
    assert_eq!(ids(&r), [51, 52]);
    assert_eq!(totals(&r), (Some(3), Some(1)));
    assert_eq!(
        ids(&shop.get("/products/attributes/1/terms?search=re").await),
        [51, 52]
    );
    assert_eq!(
        ids(&shop
            .get("/products/attributes/1/terms?include=52,50&orderby=include")
            .await),
        [52, 50]
    );
    assert_eq!(
        ids(&shop.get("/products/attributes/1/terms?exclude[]=50").await),
        [51, 52]
    );
}

#[tokio::test]
async fn attribute_terms_errors() {
    let shop = Shop::start().await;
    invalid_param(
        &shop.get("/products/attributes/1/terms?orderby=rand").await,
        "orderby",
        "orderby is not one of id, include, name, slug, term_group, description, and count.",
    );
    let r = shop.get("/products/attributes/1/terms?orderby=rand").await;
    assert_eq!(
        r.body["data"]["details"]["orderby"]["code"],
        "rest_not_in_enum"
    );
    invalid_param(
        &shop.get("/products/attributes/1/terms?order=up").await,
        "order",
        "order is not one of asc and desc.",
    );
    invalid_param(
        &shop.get("/products/attributes/1/terms?per_page=101").await,
        "per_page",
        "per_page must be between 1 (inclusive) and 100 (inclusive)",
    );
    invalid_param(
        &shop.get("/products/attributes/1/terms?per_page=0").await,
        "per_page",
        "per_page must be between 1 (inclusive) and 100 (inclusive)",
    );
    invalid_param(
        &shop
            .get("/products/attributes/1/terms?hide_empty=maybe")
            .await,
        "hide_empty",
        "hide_empty is not of type boolean.",
    );
    let r = shop.get("/products/attributes/999999/terms").await;
    r.assert_error(404, "cocart_taxonomy_invalid");
    assert_eq!(r.body["message"], "Taxonomy does not exist.");
    let t = shop.get("/products/attributes/1/terms/52").await;
    assert_eq!(t.body["name"], "Red");
    assert_eq!(t.body["count"], 1);
    // A Size term under Color, and an unknown term.
    for path in [
        "/products/attributes/1/terms/53",
        "/products/attributes/1/terms/999",
    ] {
        let r = shop.get(path).await;
        r.assert_error(404, "cocart_term_invalid");
        assert_eq!(r.body["message"], "Term does not exist.");
    }
}

#[tokio::test]
async fn reviews_list_shape_and_filters() {
    let shop = Shop::start().await;
    let r = shop.get("/products/reviews").await;
    // Newest first; the held review 5 is not shown.
    assert_eq!(ids(&r), [6, 4, 3, 2]);
    assert_eq!(totals(&r), (Some(4), Some(1)));
    let carol = &r.body[1];
    let keys: Vec<&str> = carol
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "date_created",
            "date_created_gmt",
            "product_id",
            "status",
            "reviewer",
            "review",
            "rating",
            "verified",
            "reviewer_avatar_urls",
            "_links"
        ]
    );
    assert_eq!(carol["date_created"], "2024-03-12T12:00:00");
    assert_eq!(carol["product_id"], 201);
    assert_eq!(carol["status"], "approved");
    assert_eq!(
        carol["review"],
        "<p>Nice hoodie, runs small.</p>\n<p>Warm, though.</p>\n"
    );
    assert_eq!(carol["rating"], 4);
    assert_eq!(carol["verified"], false);
    let avatars: Vec<&str> = carol["reviewer_avatar_urls"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(avatars, ["24", "48", "96"]);
    assert!(
        carol["_links"]["product"][0]["permalink"]
            .as_str()
            .unwrap()
            .ends_with("/product/hoodie/")
    );
    // Carol is a registered user; bob is a guest.
    assert!(carol["_links"]["reviewer"].is_array());
    assert_eq!(r.body[2]["reviewer"], "bob smith");
    assert!(r.body[2]["_links"].get("reviewer").is_none());
    assert_eq!(r.body[3]["verified"], true);

    assert_eq!(
        ids(&shop.get("/products/reviews?product=101").await),
        [3, 2]
    );
    assert_eq!(
        ids(&shop.get("/products/reviews?product=101,103").await),
        [6, 3, 2]
    );
    assert_eq!(ids(&shop.get("/products/reviews?search=okay").await), [3]);
    assert_eq!(ids(&shop.get("/products/reviews?reviewer=1").await), [4]);
    assert_eq!(
        ids(&shop.get("/products/reviews?order=asc&orderby=id").await),
        [2, 3, 4, 6]
    );
    assert_eq!(
        ids(&shop
            .get("/products/reviews?after=2024-03-11T12:00:00")
            .await),
        [6, 4]
    );
    assert_eq!(
        ids(&shop
            .get("/products/reviews?before=2024-03-11T00:00:00")
            .await),
        [2]
    );
    // No rating or status parameter: ignored.
    assert_eq!(ids(&shop.get("/products/reviews?rating=5").await).len(), 4);
    assert_eq!(
        ids(&shop.get("/products/reviews?status=hold").await).len(),
        4
    );

    let r = shop.get("/products/reviews?per_page=1&page=2").await;
    assert_eq!(ids(&r), [4]);
    assert_eq!(totals(&r), (Some(4), Some(4)));
    assert_eq!(
        rels(&r),
        [("prev".into(), "1".into()), ("next".into(), "3".into())]
    );
    // An unknown product is not an error: no pages at all.
    let r = shop.get("/products/reviews?product=999999").await;
    assert_eq!(ids(&r), Vec::<u64>::new());
    assert_eq!(totals(&r), (Some(0), Some(0)));
    let r = shop.get("/products/reviews?page=99").await;
    assert_eq!(ids(&r), Vec::<u64>::new());
    assert_eq!(totals(&r), (Some(4), Some(1)));
    assert_eq!(rels(&r), [("prev".into(), "1".into())]);
}

#[tokio::test]
async fn reviews_errors_and_single() {
    let shop = Shop::start().await;
    let r = shop.get("/products/reviews?product=abc").await;
    invalid_param(&r, "product", "product[0] is not of type integer.");
    assert_eq!(
        r.body["data"]["details"]["product"]["code"],
        "rest_invalid_type"
    );
    invalid_param(
        &shop.get("/products/reviews?orderby=rating").await,
        "orderby",
        "orderby is not one of date, date_gmt, id, include, and product.",
    );
    invalid_param(
        &shop.get("/products/reviews?after=yesterday").await,
        "after",
        "Invalid date.",
    );
    let one = shop.get("/products/reviews/3").await;
    assert_eq!(one.body["reviewer"], "bob smith");
    assert_eq!(one.body["review"], "<p>It is okay.</p>\n");
    // Unknown, and held for moderation (a real store leaks the held one).
    for path in ["/products/reviews/999", "/products/reviews/5"] {
        let r = shop.get(path).await;
        r.assert_error(404, "cocart_cannot_view_review");
        assert_eq!(
            r.body["message"],
            "Sorry, this product review does not exist."
        );
    }
    shop.get("/products/reviews/abc")
        .await
        .assert_error(404, "rest_no_route");
}

#[tokio::test]
async fn product_review_fields_and_show_reviews() {
    let shop = Shop::start().await;
    let tee = shop.get("/products/101").await.body;
    assert_eq!(tee["average_rating"], "4.00");
    assert_eq!(tee["review_count"], 2);
    assert_eq!(tee["rating_count"], 2);
    assert_eq!(
        tee["rated_out_of"],
        "Rated 4.00 out of 5 based on 2 customer ratings"
    );
    assert_eq!(tee["hidden_conditions"]["reviews_allowed"], true);
    assert_eq!(tee["reviews"], json!([]));
    // The held review does not count.
    let cap = shop.get("/products/102").await.body;
    assert_eq!(
        (cap["review_count"].clone(), cap["average_rating"].clone()),
        (json!(0), json!("0"))
    );

    let with = shop.get("/products/101?show_reviews=true").await.body;
    assert_eq!(
        with["reviews"],
        json!([
            {"review_id": "3", "author_name": "Bob smith", "author_url": "",
             "review_comment": "It is okay.", "review_date": "2024-03-11 10:00:00",
             "review_date_gmt": "2024-03-11 10:00:00", "rating": "3", "verified": "0"},
            {"review_id": "2", "author_name": "Alice Reviewer", "author_url": "",
             "review_comment": "Great tee, very soft.", "review_date": "2024-03-10 10:00:00",
             "review_date_gmt": "2024-03-10 10:00:00", "rating": "5", "verified": "1"}
        ])
    );
    // Not declared on the single route: "false" is a non-empty string, so reviews stay on.
    let r = shop.get("/products/101?show_reviews=false").await.body;
    assert_eq!(r["reviews"].as_array().unwrap().len(), 2);
    for off in ["show_reviews=0", "show_reviews="] {
        let r = shop.get(&format!("/products/101?{off}")).await.body;
        assert_eq!(r["reviews"], json!([]), "{off}");
    }
    // The list declares it as a boolean.
    let list = shop.get("/products?include=101&show_reviews=1").await.body;
    assert_eq!(list["products"][0]["reviews"].as_array().unwrap().len(), 2);
    let list = shop
        .get("/products?include=101&show_reviews=false")
        .await
        .body;
    assert_eq!(list["products"][0]["reviews"], json!([]));
    invalid_param(
        &shop.get("/products?show_reviews=maybe").await,
        "show_reviews",
        "show_reviews is not of type boolean.",
    );
}

#[tokio::test]
async fn product_attribute_blocks() {
    let shop = Shop::start().await;
    let tee = shop.get("/products/101").await.body;
    assert_eq!(
        tee["attributes"],
        json!({"attribute_pa_color": {"id": 1, "name": "Color", "position": 0,
               "is_attribute_visible": true, "used_for_variation": false,
               "options": {"red": "Red"}}})
    );
    assert_eq!(tee["default_attributes"], json!([]));
    let mug = shop.get("/products/103").await.body;
    assert_eq!(mug["attributes"], json!([]));
    let hoodie = shop.get("/products/201").await.body;
    assert_eq!(
        hoodie["attributes"]["attribute_pa_size"],
        json!({"id": 2, "name": "Size", "position": 1, "is_attribute_visible": true,
               "used_for_variation": true, "options": {"large": "Large", "small": "Small"}})
    );
    // Options are sorted by name.
    let sizes: Vec<&String> = hoodie["attributes"]["attribute_pa_size"]["options"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(sizes, ["large", "small"]);
    assert_eq!(
        hoodie["default_attributes"],
        json!({"attribute_pa_color": {"id": 1, "name": "Color", "option": "blue"},
               "attribute_pa_size": {"id": 2, "name": "Size", "option": "small"}})
    );
    let embedded = &hoodie["variations"][0];
    assert_eq!(
        embedded["attributes"],
        json!({"attribute_pa_color": "blue", "attribute_pa_size": "small"})
    );
    assert!(
        embedded["add_to_cart"]["rest_url"]
            .as_str()
            .unwrap()
            .ends_with("id=202&quantity=1&variation[attribute_pa_color]=blue&variation[attribute_pa_size]=small")
    );
    // A variation: option objects, no type or review fields, total_sales as a string.
    let v = shop.get("/products/202").await.body;
    assert_eq!(
        v["attributes"],
        json!({"attribute_pa_color": {"id": 1, "name": "Color", "option": {"blue": "Blue"}},
               "attribute_pa_size": {"id": 2, "name": "Size", "option": {"small": "Small"}}})
    );
    for absent in [
        "type",
        "average_rating",
        "review_count",
        "reviews",
        "variations",
    ] {
        assert!(v.get(absent).is_none(), "{absent} in {v}");
    }
    assert!(v["hidden_conditions"].get("reviews_allowed").is_none());
    assert_eq!(v["total_sales"], "0");
    assert_eq!(tee["total_sales"], 0);
}

#[tokio::test]
async fn variations_route_paging_and_errors() {
    let shop = Shop::start().await;
    let r = shop.get("/products/201/variations?per_page=1&page=2").await;
    assert_eq!(ids(&r), [204]);
    assert_eq!(totals(&r), (Some(4), Some(4)));
    assert_eq!(
        rels(&r),
        [("prev".into(), "1".into()), ("next".into(), "3".into())]
    );
    assert_eq!(
        ids(&shop
            .get("/products/201/variations?stock_status=outofstock")
            .await),
        Vec::<u64>::new()
    );
    // A simple product or an unknown parent: an empty list, not an error.
    for path in ["/products/101/variations", "/products/999999/variations"] {
        let r = shop.get(path).await;
        assert_eq!(ids(&r), Vec::<u64>::new(), "{path}");
        assert_eq!(totals(&r), (Some(0), Some(0)), "{path}");
    }
    let r = shop.get("/products/201/variations/999999").await;
    r.assert_error(404, "cocart_product_variation_invalid_id");
    assert_eq!(r.body["message"], "Invalid ID.");
    // CoCart's PHP fatal for an unknown parent: an HTML page.
    let r = shop.get("/products/999999/variations/202").await;
    assert_eq!(r.status, 500);
    assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
    assert!(r.text.contains("There has been a critical error"));
}

#[tokio::test]
async fn catalogue_etags_ignore_filters_and_data() {
    let shop = Shop::start().await;
    let first = shop.get("/products/attributes/1/terms").await;
    let etag = first.header("ETag").unwrap().to_string();
    assert!(etag.starts_with("W/\"") && etag.len() == 36, "{etag}");
    assert_eq!(first.header("CoCart-Cache"), Some("MISS"));
    assert_eq!(
        first.header("Cache-Control"),
        Some("public, must-revalidate, max-age=3600, stale-while-revalidate=86400")
    );
    // The newest product (401) was created on 2024-03-02 09:00.
    assert_eq!(
        first.header("Last-Modified"),
        Some("Sat, 02 Mar 2024 09:00:00 GMT")
    );
    // A different filter has the same ETag, so a conditional GET answers 304.
    let r = shop
        .send(
            Req::new(
                reqwest::Method::GET,
                "/products/attributes/1/terms?slug=nomatch",
            )
            .header("If-None-Match", etag.clone()),
        )
        .await;
    assert_eq!(r.status, 304);
    assert_eq!(r.text, "");
    assert_eq!(r.header("CoCart-Cache"), Some("HIT"));
    assert_eq!(r.header("ETag"), Some(etag.as_str()));
    // Paging is hashed.
    let page2 = shop.get("/products/attributes/1/terms?page=2").await;
    assert_ne!(page2.header("ETag"), Some(etag.as_str()));
    // Products: the same ETag after stock changed.
    let products = shop
        .get("/products?attributes[0][attribute]=pa_color&attributes[0][slug]=red")
        .await;
    let products_etag = products.header("ETag").unwrap().to_string();
    shop.server.set_stock(101, Some(0));
    let r = shop
        .send(Req::new(reqwest::Method::GET, "/products").header("If-None-Match", products_etag))
        .await;
    assert_eq!(r.status, 304);
    let skip = shop
        .send(
            Req::new(
                reqwest::Method::GET,
                "/products/attributes/1/terms?_skip_cache=1",
            )
            .header("If-None-Match", etag.clone()),
        )
        .await;
    assert_eq!(skip.status, 200);
    assert_eq!(skip.header("CoCart-Cache"), Some("SKIP"));
    assert!(
        skip.header("Cache-Control")
            .unwrap()
            .starts_with("no-cache, no-store")
    );
    // Errors carry the cache headers too.
    let err = shop.get("/products/attributes/999999").await;
    assert_eq!(err.status, 404);
    assert!(err.header("ETag").is_some());
    assert_eq!(err.header("CoCart-Cache"), Some("MISS"));
    let err_etag = err.header("ETag").unwrap().to_string();
    let again = shop
        .send(
            Req::new(reqwest::Method::GET, "/products/attributes/999999")
                .header("If-None-Match", err_etag),
        )
        .await;
    again.assert_error(404, "cocart_attribute_invalid");
}

#[tokio::test]
async fn seed_document_declares_attributes_and_reviews() {
    let config = cocart_mock::MockConfig {
        seed: Some(json!({
            "products": [
                {"id": 10, "name": "Live A", "regular_price": 1000,
                 "attributes": [{"name": "Color", "slug": "pa_color", "options": ["Red"]}]},
                {"id": 11, "name": "Plain", "regular_price": 500,
                 "attributes": [{"name": "Gift Wrap", "slug": "gift-wrap", "options": ["Yes", "No"]}]}
            ],
            "attributes": [{"name": "Color", "slug": "pa_color", "terms": ["Red", "Blue"]},
                           {"name": "Size", "terms": [{"name": "S", "description": "Small"}]}],
            "reviews": [{"id": 2, "product_id": 10, "reviewer": "Alice", "review": "Good.",
                         "rating": 5, "date_created": "2026-12-01T10:00:00"}]
        })),
        ..cocart_mock::MockConfig::default()
    };
    let shop = Shop {
        server: cocart_mock::MockServer::start_with(config).await.unwrap(),
        http: reqwest::Client::new(),
    };
    let attrs = shop.get("/products/attributes").await;
    assert_eq!(field(&attrs, "slug"), [json!("pa_color"), json!("pa_size")]);
    let terms = shop.get("/products/attributes/2/terms").await;
    assert_eq!(field(&terms, "description"), [json!("Small")]);
    assert_eq!(field(&terms, "count"), [json!(0)]);
    let reviews = shop.get("/products/reviews").await;
    assert_eq!(ids(&reviews), [2]);
    assert_eq!(
        shop.get("/products/10").await.body["average_rating"],
        "5.00"
    );
    // A custom attribute: keyed by its sanitised name, id 0, options in declared order.
    let plain = shop.get("/products/11").await.body;
    assert_eq!(
        plain["attributes"],
        json!({"attribute_gift-wrap": {"id": 0, "name": "Gift Wrap", "position": 0,
               "is_attribute_visible": true, "used_for_variation": false,
               "options": {"yes": "Yes", "no": "No"}}})
    );

    // Without attributes or reviews: none.
    let bare = cocart_mock::MockConfig {
        seed: Some(json!({"products": [{"id": 11, "name": "Plain", "regular_price": 500}]})),
        ..cocart_mock::MockConfig::default()
    };
    let shop = Shop {
        server: cocart_mock::MockServer::start_with(bare).await.unwrap(),
        http: reqwest::Client::new(),
    };
    let r = shop.get("/products/attributes").await;
    assert_eq!(r.body, json!([]));
    assert_eq!(totals(&r), (Some(0), Some(1)));
    assert_eq!(shop.get("/products/reviews").await.body, json!([]));
}
