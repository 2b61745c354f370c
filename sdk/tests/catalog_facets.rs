//! `client.catalog()` catalog facets against wiremock with bodies shaped like a CoCart 4.9.3
//! store's: attributes, terms and reviews as bare arrays with totals in headers, both review
//! shapes (ints and HTML from `/products/reviews`, strings from `show_reviews`), attribute blocks
//! as objects or `[]`, variation options as slugs or objects, the query syntax of the facet
//! filters, and no `If-None-Match` ever sent. A catch-all fails on any unexpected request.

mod common;

use cocart::models::{
    AttributeFilter, BrandOperator, ProductQuery, ReviewQuery, SortOrder, TermOrderBy, TermQuery,
};
use common::*;
use wiremock::matchers::{header_exists, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API: &str = "/wp-json/cocart/v2/products";

/// Fails the test if any request carries `If-None-Match`.
async fn no_conditional_requests(server: &MockServer) {
    Mock::given(header_exists("If-None-Match"))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .expect(0)
        .named("If-None-Match must never be sent")
        .mount(server)
        .await;
}

fn json_body(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

#[tokio::test]
async fn attributes_and_terms_with_header_totals() {
    let server = store().await;
    no_conditional_requests(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/attributes")))
        .respond_with(
            json_body(include_str!("fixtures/catalog_attributes.json"))
                .insert_header("X-WP-Total", "2")
                .insert_header("X-WP-TotalPages", "1")
                .insert_header("ETag", "W/\"abc\""),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/attributes/1/terms")))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "1"))
        .and(query_param("hide_empty", "true"))
        .and(query_param("orderby", "count"))
        .and(query_param("order", "desc"))
        .respond_with(
            json_body(include_str!("fixtures/catalog_terms_page2.json"))
                .insert_header("X-WP-Total", "3")
                .insert_header("X-WP-TotalPages", "3")
                .insert_header(
                    "Link",
                    "<https://shop.example/wp-json/cocart/v2/products/attributes/1/terms?per_page=1&page=1>; rel=\"prev\"",
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let catalog = client(&server).catalog();
    let attrs = catalog.attributes().await.unwrap();
    assert_eq!(attrs.len(), 2);
    assert_eq!(
        (attrs[0].id, attrs[0].slug.as_str(), attrs[0].name.as_str()),
        (1, "pa_color", "Color")
    );
    assert_eq!(attrs[1].attribute_type, "select");
    assert_eq!(attrs[1].order_by, "menu_order");
    assert!(!attrs[1].has_archives);
    assert!(attrs[0].extra.contains_key("_links"));
    // A second call goes to the store again (no conditional request, no cache).
    assert_eq!(catalog.attributes().await.unwrap(), attrs);

    let terms = catalog
        .attribute_terms(
            1,
            &TermQuery::new()
                .page(2)
                .per_page(1)
                .hide_empty(true)
                .orderby(TermOrderBy::Count)
                .order(SortOrder::Desc),
        )
        .await
        .unwrap();
    assert_eq!((terms.total, terms.total_pages, terms.page), (3, 3, 2));
    assert!(terms.has_next());
    assert_eq!(terms.items.len(), 1);
    let green = &terms.items[0];
    assert_eq!(
        (
            green.id,
            green.name.as_str(),
            green.slug.as_str(),
            green.count
        ),
        (18, "Green", "green", 1)
    );
}

#[tokio::test]
async fn term_and_attribute_errors_keep_their_codes() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/attributes/999999")))
        .respond_with(wp_error(
            404,
            "cocart_attribute_invalid",
            "Attribute does not exist.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/attributes/999999/terms")))
        .respond_with(wp_error(
            404,
            "cocart_taxonomy_invalid",
            "Taxonomy does not exist.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let catalog = client(&server).catalog();
    let err = catalog.attribute(999_999).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.status, api.code.as_str()),
        (404, "cocart_attribute_invalid")
    );
    let err = catalog
        .attribute_terms(999_999, &TermQuery::new())
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, "cocart_taxonomy_invalid");
}

#[tokio::test]
async fn reviews_list_reads_ints_strings_and_empty_avatar_maps() {
    let server = store().await;
    no_conditional_requests(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/reviews")))
        .and(query_param("product", "10,14"))
        .and(query_param("per_page", "100"))
        .and(query_param_is_missing("rating"))
        .respond_with(
            json_body(include_str!("fixtures/catalog_reviews.json"))
                .insert_header("X-WP-Total", "3")
                .insert_header("X-WP-TotalPages", "1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/reviews")))
        .and(query_param("product", "999999"))
        .respond_with(
            json_body("[]")
                .insert_header("X-WP-Total", "0")
                .insert_header("X-WP-TotalPages", "0"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let catalog = client(&server).catalog();
    let page = catalog
        .reviews(&ReviewQuery::new().product(10).product(14).per_page(500))
        .await
        .unwrap();
    assert_eq!((page.total, page.total_pages), (3, 1));
    assert!(!page.has_next());
    let carol = &page.items[0];
    assert_eq!(carol.id, 4);
    assert_eq!(carol.product_id, 14);
    assert_eq!(carol.rating, 4);
    assert!(!carol.verified);
    assert_eq!(carol.review, "<p>Nice tee, runs small.</p>\n");
    assert_eq!(carol.date_created, "2026-12-02T12:00:00");
    assert_eq!(carol.reviewer_avatar_urls.len(), 3);
    assert!(carol.reviewer_avatar_urls["96"].contains("s=96"));
    assert!(carol.is_approved());
    // A held review some stores leak: kept, and marked.
    assert!(!page.items[1].is_approved());
    assert!(page.items[1].reviewer_avatar_urls.is_empty(), "[] avatars");
    // Numbers and flags sent as strings.
    let bob = &page.items[2];
    assert_eq!((bob.product_id, bob.rating, bob.verified), (10, 3, true));
    assert_eq!(bob.reviewer, "bob smith");

    let none = catalog
        .reviews(&ReviewQuery::new().product(999_999))
        .await
        .unwrap();
    assert!(none.items.is_empty());
    assert_eq!((none.total, none.total_pages, none.page), (0, 0, 1));
}

#[tokio::test]
async fn missing_total_headers_fall_back_to_the_items() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/reviews")))
        .respond_with(json_body(include_str!("fixtures/catalog_reviews.json")))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .catalog()
        .reviews(&ReviewQuery::new())
        .await
        .unwrap();
    assert_eq!((page.total, page.total_pages), (3, 1));
}

#[tokio::test]
async fn product_with_reviews_reads_the_string_shape_and_the_attribute_blocks() {
    let server = store().await;
    no_conditional_requests(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/14")))
        .and(query_param("show_reviews", "1"))
        .respond_with(json_body(include_str!(
            "fixtures/product_variable_live.json"
        )))
        .expect(1)
        .mount(&server)
        .await;
    let tee = client(&server)
        .catalog()
        .product_with_reviews(14)
        .await
        .unwrap();
    assert_eq!(tee.average_rating, 4.0, "\"4.00\"");
    assert_eq!((tee.review_count, tee.rating_count), (1, 1));
    assert_eq!(tee.reviews.len(), 2);
    let carol = &tee.reviews[0];
    assert_eq!(carol.review_id, 4, "\"4\"");
    assert_eq!(carol.rating, 4, "\"4\"");
    assert_eq!(carol.verified, None, "\"\" is not computed yet");
    assert_eq!(carol.review_comment, "Nice tee, runs small.");
    assert_eq!(carol.review_date, "2026-12-02 12:00:00");
    assert_eq!(tee.reviews[1].verified, Some(true), "\"1\"");
    assert_eq!(tee.reviews[1].author_name, "Bob smith");

    let order: Vec<&str> = tee.attributes_in_order().iter().map(|(k, _)| *k).collect();
    assert_eq!(order, ["attribute_pa_color", "attribute_pa_size"]);
    let color = tee.attribute("pa_color").unwrap();
    assert_eq!(color.id, 1);
    assert_eq!(color.option_slugs(), ["blue", "green", "red"]);
    assert_eq!(color.options(), ["Blue", "Green", "Red"]);
    let size = &tee.attributes["attribute_pa_size"];
    assert_eq!((size.position, size.options[0].slug.as_str()), (1, "l"));
    assert_eq!(tee.default_attributes["attribute_pa_color"].option, "red");
    assert_eq!(tee.default_attributes["attribute_pa_size"].id, 2);
    // The embedded variations: flat slugs.
    let blue_m = &tee.variations[0];
    assert_eq!(
        blue_m.selection(),
        [
            ("attribute_pa_color".to_owned(), "blue".to_owned()),
            ("attribute_pa_size".to_owned(), "m".to_owned())
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(blue_m.attributes["attribute_pa_color"].option_name, "");
}

#[tokio::test]
async fn empty_blocks_custom_attributes_and_list_options() {
    let server = store().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/10")))
        .respond_with(json_body(include_str!("fixtures/product_simple_live.json")))
        .expect(1)
        .mount(&server)
        .await;
    let a = client(&server).catalog().product(10).await.unwrap();
    assert!(a.default_attributes.is_empty(), "[] decodes to empty");
    assert!(a.reviews.is_empty());
    assert_eq!(a.average_rating, 0.0);
    let material = &a.attributes["attribute_material"];
    assert_eq!(material.id, 0, "a custom attribute");
    assert!(!material.is_attribute_visible);
    assert_eq!(material.options(), ["Organic Cotton", "Hemp"]);
    assert_eq!(material.option_slugs(), ["organic-cotton", "hemp"]);
    assert!(!a.attributes["attribute_pa_color"].used_for_variation);
}

#[tokio::test]
async fn variations_route_reads_option_objects_and_totals() {
    let server = store().await;
    no_conditional_requests(&server).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/14/variations")))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "2"))
        .respond_with(
            json_body(include_str!("fixtures/variations_live.json"))
                .insert_header("X-WP-Total", "3")
                .insert_header("X-WP-TotalPages", "2"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .catalog()
        .variations_page(14, 0, 2)
        .await
        .unwrap();
    assert_eq!((page.total, page.total_pages, page.page), (3, 2, 1));
    assert!(page.has_next());
    let green = &page.items[0].attributes["attribute_pa_color"];
    assert_eq!(
        (
            green.id,
            green.name.as_str(),
            green.slug.as_str(),
            green.option_name.as_str()
        ),
        (1, "Color", "green", "Green")
    );
    assert_eq!(page.items[1].selection()["attribute_pa_size"], "m");
    assert_eq!(page.items[0].extra["total_sales"], "0");
}

#[tokio::test]
async fn facet_filters_use_the_syntax_the_store_understands() {
    let server = store().await;
    no_conditional_requests(&server).await;
    Mock::given(method("GET"))
        .and(path(API))
        .and(query_param("attributes[0][attribute]", "pa_color"))
        .and(query_param("attributes[0][slug][]", "red"))
        .and(query_param("attributes[1][attribute]", "pa_size"))
        .and(query_param("attributes[1][term_id][]", "19"))
        .and(query_param("attributes[1][operator]", "and"))
        .and(query_param_is_missing("attribute_relation"))
        .and(query_param_is_missing("attributes[0][operator]"))
        .and(query_param("rating", "4,5"))
        .and(query_param("brand", "acme,22"))
        .and(query_param("brand_operator", "not_in"))
        .and(query_param("show_reviews", "true"))
        .respond_with(json_body(
            r#"{"products":[],"page":1,"total_pages":0,"total_products":0}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let q = ProductQuery::new()
        .attribute(AttributeFilter::slugs("color", ["red"]))
        .attribute(AttributeFilter::term_ids("pa_size", [19]).all())
        .rating([4, 9, 5, 0])
        .brand("acme")
        .brand(" 22 ")
        .brand_operator(BrandOperator::NotIn)
        .with_reviews(true);
    let page = client(&server).catalog().products(&q).await.unwrap();
    assert!(page.products.is_empty());
    // The exact pairs, in order (out-of-range ratings are not sent).
    let pairs: Vec<(String, String)> = q.to_query_pairs();
    let facet: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        facet,
        [
            ("show_reviews", "true"),
            ("attributes[0][attribute]", "pa_color"),
            ("attributes[0][slug][]", "red"),
            ("attributes[1][attribute]", "pa_size"),
            ("attributes[1][term_id][]", "19"),
            ("attributes[1][operator]", "and"),
            ("rating", "4,5"),
            ("brand", "acme,22"),
            ("brand_operator", "not_in"),
        ]
    );
}

#[test]
fn attribute_specs_parse_like_the_cli_writes_them() {
    let f = AttributeFilter::parse("pa_color=red,blue").unwrap();
    assert_eq!(f, AttributeFilter::slugs("pa_color", ["red", "blue"]));
    assert_eq!(
        AttributeFilter::parse("size=m").unwrap().attribute,
        "pa_size"
    );
    for bad in ["pa_color", "=red", "pa_color=", "pa_color=,"] {
        assert_eq!(AttributeFilter::parse(bad), None, "{bad}");
    }
    // A filter without terms is not sent at all.
    let empty =
        ProductQuery::new().attribute(AttributeFilter::slugs("pa_color", Vec::<String>::new()));
    assert!(empty.to_query_pairs().is_empty());
}
