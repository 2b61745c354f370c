//! `client.catalog()`: the shop's catalog (products, variations, attributes, terms, reviews,
//! categories, tags) and the store's own information. Public routes: no login needed.

use std::sync::Arc;

use super::decode;
use crate::client::CoCartClient;
use crate::codes::routes::{PRODUCTS, STORE};
use crate::error::Result;
use crate::inner::Inner;
use crate::models::{
    Attribute, AttributeTerm, Category, LenientList, Paged, Product, ProductPage, ProductQuery,
    ProductRef, Review, ReviewQuery, StoreInfo, Tag, TermQuery, Variation,
};
use crate::request::ApiRequest;
use crate::response::ApiResponse;

/// The shop's catalog, and the store's own information. Cheap to clone.
///
/// ```no_run
/// # async fn demo(client: cocart::CoCartClient) -> Result<(), cocart::Error> {
/// use cocart::models::ProductQuery;
/// let mut query = ProductQuery::new().per_page(20);
/// loop {
///     let page = client.catalog().products(&query).await?;
///     for p in &page.products {
///         println!("{} {}", p.id, p.name);
///     }
///     if !page.has_next() { break; }
///     query = query.page(page.page + 1);
/// }
/// # Ok(()) }
/// ```
///
/// Facets for a storefront's filters:
///
/// ```no_run
/// # async fn demo(client: cocart::CoCartClient) -> Result<(), cocart::Error> {
/// use cocart::models::{AttributeFilter, ProductQuery, TermQuery};
/// let catalog = client.catalog();
/// for attribute in catalog.attributes().await? {
///     let terms = catalog.attribute_terms(attribute.id, &TermQuery::new().hide_empty(true)).await?;
///     println!("{}: {} terms", attribute.name, terms.total);
/// }
/// let red = catalog
///     .products(&ProductQuery::new().attribute(AttributeFilter::slugs("pa_color", ["red"])))
///     .await?;
/// # Ok(()) }
/// ```
///
/// # No conditional requests
/// The SDK never sends `If-None-Match` on these routes. CoCart's catalog ETags hash only the
/// route and the paging (never the other filters, nor the data), so a store answers 304 Not
/// Modified for a request with **other** filters, or after the catalog changed, and a client
/// that trusted it would show the wrong products.
#[derive(Debug, Clone)]
pub struct CatalogApi {
    inner: Arc<Inner>,
}

impl CoCartClient {
    /// The catalog routes (products, attributes, reviews…) and the store's information.
    pub fn catalog(&self) -> CatalogApi {
        CatalogApi {
            inner: Arc::clone(&self.inner),
        }
    }

    /// The old name of [`CoCartClient::catalog`].
    #[deprecated(since = "0.2.0", note = "renamed to `catalog()`")]
    pub fn store(&self) -> CatalogApi {
        self.catalog()
    }
}

impl CatalogApi {
    /// `GET /store`: title, description, address, time zone.
    pub async fn store_info(&self) -> Result<StoreInfo> {
        decode(self.inner.execute(ApiRequest::get(STORE)).await?)
    }

    /// The old name of [`CatalogApi::store_info`].
    #[deprecated(since = "0.2.0", note = "renamed to `store_info()`")]
    pub async fn info(&self) -> Result<StoreInfo> {
        self.store_info().await
    }

    /// `GET /products`: one page. `X-WP-Total` / `X-WP-TotalPages` fill in the totals when the
    /// body lacks them.
    pub async fn products(&self, query: &ProductQuery) -> Result<ProductPage> {
        let pairs = query.to_query_pairs();
        let resp = self
            .inner
            .execute(ApiRequest::get(PRODUCTS).query(pairs))
            .await?;
        let (total, pages) = wp_totals(&resp.headers);
        let mut page: ProductPage = decode(resp)?;
        if page.total_products == 0 {
            page.total_products = total.unwrap_or(page.products.len() as u64);
        }
        if page.total_pages == 0 {
            page.total_pages = pages.map(|p| p as u32).unwrap_or(1);
        }
        if page.page == 0 {
            page.page = query.page.unwrap_or(1);
        }
        Ok(page)
    }

    /// `GET /products/{id or SKU}`.
    pub async fn product(&self, product: impl Into<ProductRef>) -> Result<Product> {
        let id = product.into().to_string();
        decode(
            self.inner
                .execute(ApiRequest::get(format!(
                    "{PRODUCTS}/{}",
                    encode_segment(&id)
                )))
                .await?,
        )
    }

    /// `GET /products/{id or SKU}?show_reviews=1`: the product with its `reviews` filled. (The
    /// store reads this parameter raw on this route: `show_reviews=false` would also turn them
    /// on.)
    pub async fn product_with_reviews(&self, product: impl Into<ProductRef>) -> Result<Product> {
        let id = product.into().to_string();
        decode(
            self.inner
                .execute(
                    ApiRequest::get(format!("{PRODUCTS}/{}", encode_segment(&id)))
                        .query([("show_reviews".to_owned(), "1".to_owned())]),
                )
                .await?,
        )
    }

    /// `GET /products/{id}/variations`: every variation (up to 100, newest first). A simple or
    /// unknown product has none.
    pub async fn variations(&self, product_id: u64) -> Result<Vec<Variation>> {
        Ok(self.variations_page(product_id, 1, 100).await?.items)
    }

    /// `GET /products/{id}/variations`: one page, with totals.
    pub async fn variations_page(
        &self,
        product_id: u64,
        page: u32,
        per_page: u32,
    ) -> Result<Paged<Variation>> {
        let page = page.max(1);
        let pairs = [
            ("page".to_owned(), page.to_string()),
            (
                "per_page".to_owned(),
                per_page.clamp(1, crate::models::MAX_PER_PAGE).to_string(),
            ),
        ];
        let resp = self
            .inner
            .execute(ApiRequest::get(format!("{PRODUCTS}/{product_id}/variations")).query(pairs))
            .await?;
        paged(resp, page)
    }

    /// `GET /products/attributes`: every global attribute (no paging).
    pub async fn attributes(&self) -> Result<Vec<Attribute>> {
        let list: LenientList<Attribute> = decode(
            self.inner
                .execute(ApiRequest::get(format!("{PRODUCTS}/attributes")))
                .await?,
        )?;
        Ok(list.0)
    }

    /// `GET /products/attributes/{id}`.
    pub async fn attribute(&self, id: u64) -> Result<Attribute> {
        decode(
            self.inner
                .execute(ApiRequest::get(format!("{PRODUCTS}/attributes/{id}")))
                .await?,
        )
    }

    /// `GET /products/attributes/{id}/terms`: one page of an attribute's terms, with totals.
    pub async fn attribute_terms(
        &self,
        attribute_id: u64,
        query: &TermQuery,
    ) -> Result<Paged<AttributeTerm>> {
        let resp = self
            .inner
            .execute(
                ApiRequest::get(format!("{PRODUCTS}/attributes/{attribute_id}/terms"))
                    .query(query.to_query_pairs()),
            )
            .await?;
        paged(resp, query.page.unwrap_or(1).max(1))
    }

    /// `GET /products/attributes/{id}/terms/{term_id}`.
    pub async fn attribute_term(&self, attribute_id: u64, term_id: u64) -> Result<AttributeTerm> {
        decode(
            self.inner
                .execute(ApiRequest::get(format!(
                    "{PRODUCTS}/attributes/{attribute_id}/terms/{term_id}"
                )))
                .await?,
        )
    }

    /// `GET /products/reviews`: one page of reviews, newest first, with totals.
    pub async fn reviews(&self, query: &ReviewQuery) -> Result<Paged<Review>> {
        let resp = self
            .inner
            .execute(ApiRequest::get(format!("{PRODUCTS}/reviews")).query(query.to_query_pairs()))
            .await?;
        paged(resp, query.page.unwrap_or(1).max(1))
    }

    /// `GET /products/reviews/{id}`.
    pub async fn review(&self, id: u64) -> Result<Review> {
        decode(
            self.inner
                .execute(ApiRequest::get(format!("{PRODUCTS}/reviews/{id}")))
                .await?,
        )
    }

    /// `GET /products/categories`.
    pub async fn categories(&self) -> Result<Vec<Category>> {
        decode(
            self.inner
                .execute(ApiRequest::get(format!("{PRODUCTS}/categories")))
                .await?,
        )
    }

    /// `GET /products/tags`.
    pub async fn tags(&self) -> Result<Vec<Tag>> {
        decode(
            self.inner
                .execute(ApiRequest::get(format!("{PRODUCTS}/tags")))
                .await?,
        )
    }
}

/// WordPress's list totals: `X-WP-Total` (items) and `X-WP-TotalPages`, when present.
fn wp_totals(headers: &http::HeaderMap) -> (Option<u64>, Option<u64>) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse::<u64>().ok())
    };
    (header("X-WP-Total"), header("X-WP-TotalPages"))
}

/// A bare-array page with the totals of `X-WP-Total` / `X-WP-TotalPages` (when a store leaves
/// them out: the items on this page, and one page when there are any).
fn paged<T: serde::de::DeserializeOwned>(resp: ApiResponse, page: u32) -> Result<Paged<T>> {
    let (total, pages) = wp_totals(&resp.headers);
    let list: LenientList<T> = decode(resp)?;
    let items = list.0;
    let total = total.unwrap_or(items.len() as u64);
    let total_pages = pages
        .map(|p| u32::try_from(p).unwrap_or(u32::MAX))
        .unwrap_or(u32::from(total > 0));
    Ok(Paged {
        items,
        page,
        total_pages,
        total,
    })
}

/// Percent-encodes a path segment (SKUs may hold any character).
fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
