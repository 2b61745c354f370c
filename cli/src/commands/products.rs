//! `products`, `attributes` and `reviews`.

use cocart::models::{
    AttributeFilter, MAX_PER_PAGE, ProductQuery, ProductRef, ReviewQuery, TermQuery,
};

use super::Outcome;
use crate::args::{AttributesArgs, ProductsArgs, ReviewsArgs};
use crate::exit::Failure;
use crate::output::{
    attributes_json, attributes_text, products_json, products_text, reviews_json, reviews_text,
};
use crate::session::Session;

fn check_paging(page: u32, per_page: u32) -> Result<(), Failure> {
    if per_page == 0 || per_page > MAX_PER_PAGE || page == 0 {
        return Err(Failure::usage(format!(
            "--page must be at least 1 and --per-page between 1 and {MAX_PER_PAGE}"
        )));
    }
    Ok(())
}

/// `cocart products`.
pub async fn list(s: &Session, args: ProductsArgs) -> Result<Outcome, Failure> {
    check_paging(args.page, args.per_page)?;
    let mut query = ProductQuery::new().page(args.page).per_page(args.per_page);
    if let Some(text) = args.search {
        query = query.search(text);
    }
    for spec in &args.attribute {
        let filter = AttributeFilter::parse(spec).ok_or_else(|| {
            Failure::usage(format!(
                "--attribute {spec:?}: expected ATTRIBUTE=SLUG[,SLUG…], e.g. pa_color=red"
            ))
        })?;
        query = query.attribute(filter);
    }
    if let Some(bad) = args.rating.iter().find(|r| !(1..=5).contains(*r)) {
        return Err(Failure::usage(format!(
            "--rating {bad}: ratings are 1 to 5"
        )));
    }
    query = query.rating(args.rating);
    for brand in args.brand {
        query = query.brand(brand);
    }
    let page = s.progress.run(s.client.catalog().products(&query)).await?;
    Ok(Outcome::ok(products_text(&page), products_json(&page)))
}

/// `cocart attributes`: every attribute with its terms (up to 100 each).
pub async fn attributes(s: &Session, args: AttributesArgs) -> Result<Outcome, Failure> {
    let catalog = s.client.catalog();
    let attrs = s.progress.run(catalog.attributes()).await?;
    let query = TermQuery::new()
        .per_page(MAX_PER_PAGE)
        .hide_empty(args.hide_empty);
    let mut facets = Vec::new();
    for a in attrs {
        let terms = s
            .progress
            .run(catalog.attribute_terms(a.id, &query))
            .await?;
        facets.push((a, terms));
    }
    Ok(Outcome::ok(
        attributes_text(&facets),
        attributes_json(&facets),
    ))
}

/// `cocart reviews <product>`.
pub async fn reviews(s: &Session, args: ReviewsArgs) -> Result<Outcome, Failure> {
    check_paging(args.page, args.per_page)?;
    let catalog = s.client.catalog();
    let product = super::cart::product_ref(&args.product);
    // The reviews route takes ids only: resolve a SKU first.
    let id = match product {
        ProductRef::Id(id) => id,
        other => s.progress.run(catalog.product(other)).await?.id,
    };
    let query = ReviewQuery::new()
        .product(id)
        .page(args.page)
        .per_page(args.per_page);
    let page = s.progress.run(catalog.reviews(&query)).await?;
    Ok(Outcome::ok(
        reviews_text(id, &page),
        reviews_json(id, &page),
    ))
}
