//! `GET /products` facet filters as CoCart 4.9.3 applies them: `attributes` (with `"not in"`
//! behaving as IN and any `attribute_relation` as AND), `rating` (rounded averages, out-of-range
//! values match nothing) and `brand` / `brand_operator`, plus the 400s for malformed forms.
//! Built-in data: T-Shirt 101 is Color Red, Hoodie 201 varies over Blue/Green × Small/Large;
//! averages 101 4.00, 201 4.00, 103 5.00; brands Mock Co (80: 101, 102, 103) and Acme (81: 201).

mod cart_support;

use cart_support::{Resp, Shop};

const ALL: [u64; 10] = [101, 102, 103, 104, 105, 106, 107, 201, 301, 401];

fn ids(r: &Resp) -> Vec<u64> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect()
}

async fn list(shop: &Shop, query: &str) -> Vec<u64> {
    ids(&shop
        .get(&format!(
            "/products?per_page=100&orderby=id&order=asc&{query}"
        ))
        .await)
}

async fn rejected(shop: &Shop, query: &str, name: &str, message: &str) {
    let r = shop.get(&format!("/products?{query}")).await;
    r.assert_error(400, "rest_invalid_param");
    assert_eq!(r.body["message"], format!("Invalid parameter(s): {name}"));
    assert_eq!(r.body["data"]["params"][name], message, "{query}");
}

const COLOR: &str = "attributes[0][attribute]=pa_color";

#[tokio::test]
async fn attributes_filter_by_slug_or_term_id() {
    let shop = Shop::start().await;
    assert_eq!(
        list(&shop, &format!("{COLOR}&attributes[0][slug]=red")).await,
        [101]
    );
    assert_eq!(
        list(&shop, &format!("{COLOR}&attributes[0][slug]=blue")).await,
        [201]
    );
    assert_eq!(
        list(&shop, &format!("{COLOR}&attributes[0][term_id]=52")).await,
        [101]
    );
    assert_eq!(
        list(
            &shop,
            &format!("{COLOR}&attributes[0][term_id][]=50&attributes[0][term_id][]=52")
        )
        .await,
        [101, 201]
    );
    // Both list syntaxes.
    assert_eq!(
        list(
            &shop,
            &format!("{COLOR}&attributes[0][slug][]=blue&attributes[0][slug][]=red")
        )
        .await,
        [101, 201]
    );
    assert_eq!(
        list(&shop, &format!("{COLOR}&attributes[0][slug]=blue,red")).await,
        [101, 201]
    );
    // An unknown term matches nothing.
    assert_eq!(
        list(&shop, &format!("{COLOR}&attributes[0][slug]=purple")).await,
        Vec::<u64>::new()
    );
    // The `term` key does not exist: the clause is ignored.
    assert_eq!(
        list(&shop, &format!("{COLOR}&attributes[0][term]=red")).await,
        ALL
    );
    // An unknown taxonomy, or one without the pa_ prefix: ignored.
    for attr in ["pa_nonexist", "color"] {
        assert_eq!(
            list(
                &shop,
                &format!("attributes[0][attribute]={attr}&attributes[0][slug]=red")
            )
            .await,
            ALL,
            "{attr}"
        );
    }
}

#[tokio::test]
async fn attributes_operators_and_relation_as_the_store_applies_them() {
    let shop = Shop::start().await;
    let blue_green = format!("{COLOR}&attributes[0][slug]=blue,green");
    assert_eq!(
        list(&shop, &format!("{blue_green}&attributes[0][operator]=and")).await,
        [201]
    );
    assert_eq!(
        list(
            &shop,
            &format!("{COLOR}&attributes[0][slug]=blue,red&attributes[0][operator]=and")
        )
        .await,
        Vec::<u64>::new()
    );
    // "not in" is accepted and behaves as IN.
    assert_eq!(
        list(
            &shop,
            &format!("{COLOR}&attributes[0][slug]=red&attributes[0][operator]=not%20in")
        )
        .await,
        [101]
    );
    // Two clauses: always AND, whatever attribute_relation says.
    let two = |color: &str| {
        format!(
            "{COLOR}&attributes[0][slug]={color}&attributes[1][attribute]=pa_size&attributes[1][slug]=small"
        )
    };
    for relation in ["", "&attribute_relation=in", "&attribute_relation=and"] {
        assert_eq!(
            list(&shop, &format!("{}{relation}", two("blue"))).await,
            [201],
            "{relation}"
        );
        assert_eq!(
            list(&shop, &format!("{}{relation}", two("red"))).await,
            Vec::<u64>::new(),
            "{relation}"
        );
    }
    // type=variation matches variations on their own attribute values.
    assert_eq!(
        list(
            &shop,
            &format!("type=variation&{COLOR}&attributes[0][slug]=blue")
        )
        .await,
        [202, 203]
    );
}

#[tokio::test]
async fn attributes_malformed_forms_are_400() {
    let shop = Shop::start().await;
    rejected(
        &shop,
        &format!("{COLOR}&attributes[0][slug]=red&attributes[0][operator]=not_in"),
        "attributes",
        "attributes[0][operator] is not one of in, not in, and and.",
    )
    .await;
    rejected(
        &shop,
        &format!("{COLOR}&attributes[0][slug]=red&attribute_relation=or"),
        "attribute_relation",
        "attribute_relation is not one of in and and.",
    )
    .await;
    rejected(
        &shop,
        "attributes=pa_color",
        "attributes",
        "attributes[0] is not of type object.",
    )
    .await;
    rejected(
        &shop,
        &format!("{COLOR}&attributes[0][term_id]=red"),
        "attributes",
        "attributes[0][term_id][0] is not of type integer.",
    )
    .await;
    rejected(
        &shop,
        "attributes[color][attribute]=pa_color",
        "attributes",
        "attributes is not of type array.",
    )
    .await;
}

#[tokio::test]
async fn the_link_header_keeps_nested_filters() {
    let shop = Shop::start().await;
    let r = shop
        .get(&format!(
            "/products?per_page=1&{COLOR}&attributes[0][slug][]=blue&attributes[0][slug][]=red"
        ))
        .await;
    assert_eq!(r.body["total_products"], 2);
    let link = r.header("Link").unwrap();
    assert!(
        link.contains("attributes%5B0%5D%5Battribute%5D=pa_color")
            && link.contains("attributes%5B0%5D%5Bslug%5D%5B%5D=red"),
        "{link}"
    );
}

#[tokio::test]
async fn rating_matches_rounded_averages() {
    let shop = Shop::start().await;
    assert_eq!(list(&shop, "rating=4").await, [101, 201]);
    assert_eq!(list(&shop, "rating=5").await, [103]);
    assert_eq!(list(&shop, "rating=4,5").await, [101, 103, 201]);
    assert_eq!(list(&shop, "rating[]=5&rating[]=4").await, [101, 103, 201]);
    assert_eq!(list(&shop, "rating=3").await, Vec::<u64>::new());
    // The 1..5 enum is never enforced: out-of-range values answer 200 with nothing.
    for bad in ["6", "0", "abc"] {
        assert_eq!(
            list(&shop, &format!("rating={bad}")).await,
            Vec::<u64>::new(),
            "{bad}"
        );
    }
    assert_eq!(list(&shop, "rating=").await, ALL);
}

#[tokio::test]
async fn brand_by_slug_or_id_with_operators() {
    let shop = Shop::start().await;
    assert_eq!(list(&shop, "brand=acme").await, [201]);
    assert_eq!(list(&shop, "brand=81").await, [201]);
    assert_eq!(list(&shop, "brand=mock-co").await, [101, 102, 103]);
    assert_eq!(
        list(&shop, "brand=acme,mock-co").await,
        [101, 102, 103, 201]
    );
    assert_eq!(list(&shop, "brand=nope").await, Vec::<u64>::new());
    assert_eq!(
        list(&shop, "brand=acme&brand_operator=not_in").await,
        [101, 102, 103, 104, 105, 106, 107, 301, 401]
    );
    assert_eq!(
        list(&shop, "brand=acme,mock-co&brand_operator=and").await,
        Vec::<u64>::new()
    );
    assert_eq!(
        list(&shop, "brand=80&brand_operator=and").await,
        [101, 102, 103]
    );
    rejected(
        &shop,
        "brand=acme&brand_operator=not%20in",
        "brand_operator",
        "brand_operator is not one of in, not_in, and and.",
    )
    .await;
}
