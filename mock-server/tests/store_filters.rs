//! `GET /products` filters beyond the basic ones: `include`, `exclude`, `slug`,
//! `parent`, `min_price`, `max_price`, `hide_free`. Each case would fail if the filter were
//! ignored or inverted. The parameter handling follows CoCart's products controller
//! (`get_collection_params` + `prepare_objects_query`): id lists go through `wp_parse_id_list`
//! (never a 400), prices are `string` parameters `floatval`'d in major units, `hide_free` is a
//! validated boolean.

mod cart_support;

use cart_support::{Req, Shop};
use serde_json::{Value, json};

fn ids(r: &cart_support::Resp) -> Vec<u64> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect()
}

async fn list(shop: &Shop, query: &str) -> Vec<u64> {
    ids(&shop.get(&format!("/products?{query}")).await)
}

const ALL: [u64; 10] = [101, 102, 103, 104, 105, 106, 107, 201, 301, 401];

async fn seeded(products: Value) -> Shop {
    let config = cocart_mock::MockConfig {
        seed: Some(json!({ "products": products })),
        ..cocart_mock::MockConfig::default()
    };
    Shop {
        server: cocart_mock::MockServer::start_with(config).await.unwrap(),
        http: reqwest::Client::new(),
    }
}

#[tokio::test]
async fn store_filter_include_keeps_only_the_ids() {
    let shop = Shop::start().await;
    assert_eq!(
        list(&shop, "include=103,101&orderby=id&order=asc").await,
        [101, 103]
    );
    // Whitespace separates too; the include order wins with orderby=include.
    assert_eq!(
        list(&shop, "include=106%20104,102&orderby=include").await,
        [106, 104, 102]
    );
    // Repeated include[]= is a PHP list.
    assert_eq!(
        list(&shop, "include[]=104&include[]=102&orderby=include").await,
        [104, 102]
    );
    // wp_parse_id_list: "x" is id 0 (no product), not "no filter" and not a 400.
    assert_eq!(list(&shop, "include=x").await, Vec::<u64>::new());
    // absint: "-103" is 103, "101abc" is 101.
    assert_eq!(
        list(&shop, "include=-103,101abc&orderby=id&order=asc").await,
        [101, 103]
    );
    // An empty list is no filter.
    assert_eq!(
        list(&shop, "include=&per_page=100&orderby=id&order=asc").await,
        ALL
    );
}

#[tokio::test]
async fn store_filter_exclude_drops_the_ids() {
    let shop = Shop::start().await;
    assert_eq!(
        list(
            &shop,
            "exclude=101,201,401&per_page=100&orderby=id&order=asc"
        )
        .await,
        [102, 103, 104, 105, 106, 107, 301]
    );
    assert_eq!(
        list(&shop, "exclude[]=102&exclude[]=103&include=101,102,103").await,
        [101]
    );
    assert_eq!(
        list(&shop, "exclude=x&per_page=100&orderby=id&order=asc").await,
        ALL
    );
}

#[tokio::test]
async fn store_filter_slug_matches_one_exact_slug() {
    let shop = Shop::start().await;
    assert_eq!(list(&shop, "slug=cap").await, [102]);
    assert_eq!(list(&shop, "slug=limited-edition-vinyl").await, [107]);
    // WP_Query `name` runs sanitize_title: a title works, case does not matter.
    assert_eq!(list(&shop, "slug=Limited%20Edition%20Vinyl").await, [107]);
    // Exact, not a prefix or substring.
    assert_eq!(list(&shop, "slug=ca").await, Vec::<u64>::new());
    // CoCart passes slug to WP_Query `name` (one slug): a comma list matches nothing.
    assert_eq!(list(&shop, "slug=cap,mug").await, Vec::<u64>::new());
    assert_eq!(
        list(&shop, "slug=&per_page=100&orderby=id&order=asc").await,
        ALL
    );
    // A JSON number is not a string.
    shop.send(Req::new(reqwest::Method::GET, "/products").json(json!({"slug": 7})))
        .await
        .assert_error(400, "rest_invalid_param");
}

#[tokio::test]
async fn store_filter_parent_matches_parent_ids() {
    let shop = Shop::start().await;
    // Every listed product of the built-in catalogue is top-level (parent_id 0): grouped
    // children keep parent_id 0 and variations are not listed by /products.
    assert_eq!(
        list(&shop, "parent=0&per_page=100&orderby=id&order=asc").await,
        ALL
    );
    assert_eq!(list(&shop, "parent=301").await, Vec::<u64>::new());
    assert_eq!(list(&shop, "parent=201").await, Vec::<u64>::new());
    // A seeded product with a parent.
    let shop = seeded(json!([
        {"id": 7, "name": "Lamp", "regular_price": 2500},
        {"id": 8, "name": "Lamp Shade", "regular_price": 500, "parent_id": 7},
        {"id": 9, "name": "Bulb", "regular_price": 300, "parent_id": 5}
    ]))
    .await;
    assert_eq!(list(&shop, "parent=7").await, [8]);
    assert_eq!(list(&shop, "parent=7,5&orderby=id&order=asc").await, [8, 9]);
    assert_eq!(list(&shop, "parent[]=5").await, [9]);
    assert_eq!(list(&shop, "parent=0").await, [7]);
}

#[tokio::test]
async fn store_filter_min_and_max_price_in_major_units_inclusive() {
    let shop = Shop::start().await;
    // 101 12.50, 102 18.00 (bound), 105 15.00, 301 rows 9.99/18.00, 401 11.00.
    assert_eq!(
        list(&shop, "min_price=10&max_price=18&orderby=id&order=asc").await,
        [101, 102, 105, 301, 401]
    );
    assert_eq!(list(&shop, "min_price=12.50&max_price=12.50").await, [101]);
    assert_eq!(
        list(&shop, "max_price=9.99&orderby=id&order=asc").await,
        [103, 104, 301]
    );
    // The Hoodie's rows are 42.00 and 45.00.
    assert_eq!(
        list(&shop, "min_price=45&orderby=id&order=asc").await,
        [106, 201]
    );
    assert_eq!(
        list(&shop, "min_price=43&max_price=44").await,
        Vec::<u64>::new()
    );
    // floatval: a numeric prefix counts, anything else is 0 (so no lower bound); never a 400.
    assert_eq!(list(&shop, "min_price=12.5abc&max_price=12.5").await, [101]);
    assert_eq!(
        list(&shop, "min_price=abc&per_page=100&orderby=id&order=asc").await,
        ALL
    );
    assert_eq!(
        list(&shop, "max_price=abc&min_price=1").await,
        Vec::<u64>::new()
    );
    // Totals count the filtered list.
    let r = shop
        .get("/products?min_price=10&max_price=18&per_page=2")
        .await;
    assert_eq!(r.body["total_products"], 5);
    assert_eq!(r.body["total_pages"], 3);
    assert_eq!(r.header("X-WP-Total"), Some("5"));
    assert_eq!(r.header("X-WP-TotalPages"), Some("3"));
    let link = r.header("Link").unwrap();
    assert!(
        link.contains("min_price=10") && link.contains("max_price=18"),
        "{link}"
    );
    // Prices are `string` parameters: a JSON number is a type error.
    shop.send(Req::new(reqwest::Method::GET, "/products").json(json!({"min_price": 10})))
        .await
        .assert_error(400, "rest_invalid_param");
}

#[tokio::test]
async fn store_filter_hide_free_drops_zero_prices() {
    let shop = seeded(json!([
        {"id": 1, "name": "Free Sample", "regular_price": 0},
        {"id": 2, "name": "Lamp", "regular_price": 2500},
        {"id": 3, "name": "Giveaway", "regular_price": 900, "sale_price": 0}
    ]))
    .await;
    assert_eq!(list(&shop, "hide_free=true").await, [2]);
    assert_eq!(list(&shop, "hide_free=1").await, [2]);
    assert_eq!(
        list(&shop, "hide_free=false&orderby=id&order=asc").await,
        [1, 2, 3]
    );
    let r = shop.get("/products?hide_free=true").await;
    assert_eq!(r.body["total_products"], 1);
    assert_eq!(r.header("X-WP-Total"), Some("1"));
    let bad = shop.get("/products?hide_free=yes").await;
    bad.assert_error(400, "rest_invalid_param");
    assert_eq!(
        bad.body["data"]["params"]["hide_free"],
        "hide_free is not of type boolean."
    );
}

#[tokio::test]
async fn store_filter_include_pages_and_links_keep_the_list() {
    let shop = Shop::start().await;
    let r = shop
        .get("/products?include[]=104&include[]=102&include[]=101&orderby=include&per_page=2")
        .await;
    assert_eq!(ids(&r), [104, 102]);
    assert_eq!(r.body["total_products"], 3);
    assert_eq!(r.header("X-WP-Total"), Some("3"));
    assert_eq!(r.header("X-WP-TotalPages"), Some("2"));
    let link = r.header("Link").unwrap();
    assert!(
        link.contains("include%5B%5D=104&include%5B%5D=102&include%5B%5D=101"),
        "{link}"
    );
    let next = shop
        .get(
            "/products?include[]=104&include[]=102&include[]=101&orderby=include&per_page=2&page=2",
        )
        .await;
    assert_eq!(ids(&next), [101]);
}
