//! `client.store()`: the public store and product routes.

use std::sync::Arc;

use super::decode;
use crate::client::{CoCartClient, Inner};
use crate::error::Result;
use crate::models::{
    Category, Product, ProductPage, ProductQuery, ProductRef, StoreInfo, Tag, Variation,
};
use crate::transport::ApiRequest;

/// Store information and the catalogue. Cheap to clone.
///
/// ```no_run
/// # async fn demo(client: cocart::CoCartClient) -> Result<(), cocart::Error> {
/// use cocart::models::ProductQuery;
/// let mut query = ProductQuery::new().per_page(20);
/// loop {
///     let page = client.store().products(&query).await?;
///     for p in &page.products {
///         println!("{} {}", p.id, p.name);
///     }
///     if !page.has_next() { break; }
///     query = query.page(page.page + 1);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct StoreApi {
    inner: Arc<Inner>,
}

impl CoCartClient {
    /// The store and product routes.
    pub fn store(&self) -> StoreApi {
        StoreApi {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl StoreApi {
    /// `GET /store`: title, description, address, time zone.
    pub async fn info(&self) -> Result<StoreInfo> {
        decode(
            self.inner
                .execute(ApiRequest::get("cocart/v2/store"))
                .await?,
        )
    }

    /// `GET /products`: one page. `X-WP-Total` / `X-WP-TotalPages` fill in the totals when the
    /// body lacks them.
    pub async fn products(&self, query: &ProductQuery) -> Result<ProductPage> {
        let pairs = query
            .to_query_pairs()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v));
        let resp = self
            .inner
            .execute(ApiRequest::get("cocart/v2/products").query(pairs))
            .await?;
        let header = |name: &str| {
            resp.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|s| s.trim().parse::<u64>().ok())
        };
        let (total, pages) = (header("X-WP-Total"), header("X-WP-TotalPages"));
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
                    "cocart/v2/products/{}",
                    encode_segment(&id)
                )))
                .await?,
        )
    }

    /// `GET /products/{id}/variations`.
    pub async fn variations(&self, product_id: u64) -> Result<Vec<Variation>> {
        decode(
            self.inner
                .execute(ApiRequest::get(format!(
                    "cocart/v2/products/{product_id}/variations"
                )))
                .await?,
        )
    }

    /// `GET /products/categories`.
    pub async fn categories(&self) -> Result<Vec<Category>> {
        decode(
            self.inner
                .execute(ApiRequest::get("cocart/v2/products/categories"))
                .await?,
        )
    }

    /// `GET /products/tags`.
    pub async fn tags(&self) -> Result<Vec<Tag>> {
        decode(
            self.inner
                .execute(ApiRequest::get("cocart/v2/products/tags"))
                .await?,
        )
    }
}

/// Percent-encodes a path segment (SKUs may hold any character).
fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
