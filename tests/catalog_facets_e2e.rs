//! The catalog facets through the SDK against the real mock store: attributes and terms with
//! totals, both review shapes, attribute blocks, and the `attributes`, `rating` and `brand`
//! filters. Values follow the seeded catalog documented at the top of
//! `mock-server/src/shop/catalogue.rs`.

mod support;

use cocart::models::{
    AttributeFilter, BrandOperator, ProductOrderBy, ProductQuery, ReviewQuery, SortOrder,
    TermOrderBy, TermQuery,
};
use cocart_mock::MockServer;
use support::*;

async fn ids(server: &MockServer, query: ProductQuery) -> Vec<u64> {
    let q = query
        .per_page(100)
        .orderby(ProductOrderBy::Id)
        .order(SortOrder::Asc);
    guest(server)
        .catalog()
        .products(&q)
        .await
        .unwrap()
        .products
        .iter()
        .map(|p| p.id)
        .collect()
}

#[tokio::test]
async fn facets_for_a_filter_sidebar() {
    let server = MockServer::start().await.unwrap();
    let catalog = guest(&server).catalog();
    let attrs = catalog.attributes().await.unwrap();
    let slugs: Vec<&str> = attrs.iter().map(|a| a.slug.as_str()).collect();
    assert_eq!(slugs, ["pa_color", "pa_size"]);
    let size = catalog.attribute(2).await.unwrap();
    assert_eq!(size.name, "Size");

    let all = catalog.attribute_terms(2, &TermQuery::new()).await.unwrap();
    let names: Vec<&str> = all.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Large", "Small", "X-Large"]);
    assert_eq!((all.total, all.total_pages), (3, 1));
    let used = catalog
        .attribute_terms(
            2,
            &TermQuery::new()
                .hide_empty(true)
                .orderby(TermOrderBy::Id)
                .order(SortOrder::Desc),
        )
        .await
        .unwrap();
    let ids: Vec<u64> = used.items.iter().map(|t| t.id).collect();
    assert_eq!(ids, [54, 53]);
    let page = catalog
        .attribute_terms(1, &TermQuery::new().per_page(1).page(2))
        .await
        .unwrap();
    assert_eq!((page.total, page.total_pages, page.page), (3, 3, 2));
    assert_eq!(page.items[0].slug, "green");
    assert!(page.has_next());
    let red = catalog.attribute_term(1, 52).await.unwrap();
    assert_eq!((red.name.as_str(), red.count), ("Red", 1));

    let err = catalog.attribute(999_999).await.unwrap_err();
    assert_eq!(err.api().unwrap().code, "cocart_attribute_invalid");
    let err = catalog
        .attribute_terms(999_999, &TermQuery::new())
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, "cocart_taxonomy_invalid");
    // Asked again: the SDK sends no If-None-Match, so the mock (whose ETag would match) answers
    // 200 with the body, never 304.
    assert_eq!(catalog.attributes().await.unwrap(), attrs);
    assert!(server.journal().iter().all(|e| e.status != 304));
}

#[tokio::test]
async fn reviews_in_both_shapes() {
    let server = MockServer::start().await.unwrap();
    let catalog = guest(&server).catalog();
    let page = catalog
        .reviews(&ReviewQuery::new().product(101))
        .await
        .unwrap();
    let ids: Vec<u64> = page.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, [3, 2], "newest first");
    assert_eq!((page.total, page.total_pages), (2, 1));
    let bob = &page.items[0];
    assert_eq!(bob.review, "<p>It is okay.</p>\n");
    assert_eq!((bob.rating, bob.verified), (3, false));
    assert_eq!(bob.reviewer, "bob smith");
    assert!(page.items[1].verified);

    let paged = catalog
        .reviews(&ReviewQuery::new().per_page(1).page(2))
        .await
        .unwrap();
    assert_eq!((paged.total, paged.total_pages), (4, 4));
    assert_eq!(paged.items[0].id, 4);
    let none = catalog
        .reviews(&ReviewQuery::new().product(999_999))
        .await
        .unwrap();
    assert_eq!((none.total, none.total_pages), (0, 0));

    let tee = catalog.product_with_reviews(101).await.unwrap();
    assert_eq!(tee.average_rating, 4.0);
    assert_eq!((tee.review_count, tee.rating_count), (2, 2));
    assert_eq!(tee.reviews.len(), 2);
    assert_eq!(tee.reviews[0].author_name, "Bob smith");
    assert_eq!(tee.reviews[0].rating, 3);
    assert_eq!(tee.reviews[0].verified, Some(false));
    assert_eq!(tee.reviews[0].review_date, "2024-03-11 10:00:00");
    assert!(catalog.product(101).await.unwrap().reviews.is_empty());

    let err = catalog.review(5).await.unwrap_err();
    assert_eq!(err.api().unwrap().code, "cocart_cannot_view_review");
    assert_eq!(catalog.review(4).await.unwrap().product_id, 201);
}

#[tokio::test]
async fn attribute_blocks_and_variation_options() {
    let server = MockServer::start().await.unwrap();
    let catalog = guest(&server).catalog();
    let hoodie = catalog.product(201).await.unwrap();
    let color = hoodie.attribute("pa_color").unwrap();
    assert_eq!(color.option_slugs(), ["blue", "green"]);
    assert!(color.used_for_variation);
    assert_eq!(
        hoodie.default_attributes["attribute_pa_size"].option,
        "small"
    );
    let tee = catalog.product(101).await.unwrap();
    assert!(tee.default_attributes.is_empty());
    assert!(!tee.attribute("pa_color").unwrap().used_for_variation);
    assert!(catalog.product(103).await.unwrap().attributes.is_empty());

    let page = catalog.variations_page(201, 1, 3).await.unwrap();
    assert_eq!((page.total, page.total_pages), (4, 2));
    let green_large = &page.items[0];
    assert_eq!(green_large.id, 205);
    assert_eq!(
        green_large.attributes["attribute_pa_size"].option_name,
        "Large"
    );
    // What add-to-cart takes, from the embedded shape too.
    let embedded = hoodie.variations.iter().find(|v| v.id == 205).unwrap();
    assert_eq!(embedded.selection(), green_large.selection());
    assert!(catalog.variations(101).await.unwrap().is_empty());
}

#[tokio::test]
async fn attribute_rating_and_brand_filters_select_exact_products() {
    let server = MockServer::start().await.unwrap();
    let color = |slugs: &[&str]| AttributeFilter::slugs("pa_color", slugs.iter().copied());
    assert_eq!(
        ids(&server, ProductQuery::new().attribute(color(&["red"]))).await,
        [101]
    );
    assert_eq!(
        ids(
            &server,
            ProductQuery::new().attribute(color(&["red", "blue"]))
        )
        .await,
        [101, 201]
    );
    assert_eq!(
        ids(
            &server,
            ProductQuery::new().attribute(color(&["blue", "green"]).all())
        )
        .await,
        [201]
    );
    assert_eq!(
        ids(
            &server,
            ProductQuery::new().attribute(AttributeFilter::term_ids("color", [52]))
        )
        .await,
        [101]
    );
    // Two filters must both match.
    let two = ProductQuery::new()
        .attribute(color(&["red", "blue"]))
        .attribute(AttributeFilter::slugs("pa_size", ["small"]));
    assert_eq!(ids(&server, two).await, [201]);
    assert_eq!(
        ids(&server, ProductQuery::new().rating([4])).await,
        [101, 201]
    );
    assert_eq!(
        ids(&server, ProductQuery::new().rating([5, 7])).await,
        [103]
    );
    assert_eq!(ids(&server, ProductQuery::new().brand("acme")).await, [201]);
    assert_eq!(
        ids(&server, ProductQuery::new().brand("mock-co").brand("acme")).await,
        [101, 102, 103, 201]
    );
    assert_eq!(
        ids(
            &server,
            ProductQuery::new()
                .brand("mock-co")
                .brand_operator(BrandOperator::NotIn)
        )
        .await,
        [104, 105, 106, 107, 201, 301, 401]
    );
    let page = guest(&server)
        .catalog()
        .products(&ProductQuery::new().include([101]).with_reviews(true))
        .await
        .unwrap();
    assert_eq!(page.products[0].reviews.len(), 2);
}
