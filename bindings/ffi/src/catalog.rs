//! [`CatalogApi`]: the shop's catalog and the store's own information.

use crate::error::CoCartError;
use crate::records::id;
use crate::records::{
    Attribute, Category, Product, ProductPage, ProductQuery, ProductRef, Review, ReviewPage,
    ReviewQuery, StoreInfo, Tag, TermPage, TermQuery, Variation,
};
use crate::runtime::call;

/// The catalog routes and the store's information (public: no login needed).
#[derive(Debug, uniffi::Object)]
pub struct CatalogApi {
    core: cocart::CatalogApi,
}

impl CatalogApi {
    pub(crate) fn new(core: cocart::CatalogApi) -> Self {
        Self { core }
    }
}

#[uniffi::export]
impl CatalogApi {
    /// Title, description, address, time zone.
    pub async fn store_info(&self) -> Result<StoreInfo, CoCartError> {
        call(&self.core, |core| async move {
            Ok(StoreInfo::from(core.store_info().await?))
        })
        .await
    }

    /// One page of products; `page.has_next` tells whether to ask for `page + 1`.
    pub async fn products(&self, query: ProductQuery) -> Result<ProductPage, CoCartError> {
        let query = cocart::models::ProductQuery::try_from(query)?;
        call(&self.core, |core| async move {
            Ok(ProductPage::from(core.products(&query).await?))
        })
        .await
    }

    /// One product by id or SKU.
    pub async fn product(&self, product: ProductRef) -> Result<Product, CoCartError> {
        let product = cocart::models::ProductRef::try_from(product)?;
        call(&self.core, |core| async move {
            Ok(Product::from(core.product(product).await?))
        })
        .await
    }

    /// One product with its reviews filled.
    pub async fn product_with_reviews(&self, product: ProductRef) -> Result<Product, CoCartError> {
        let product = cocart::models::ProductRef::try_from(product)?;
        call(&self.core, |core| async move {
            Ok(Product::from(core.product_with_reviews(product).await?))
        })
        .await
    }

    /// Every global attribute (the facets of a filter sidebar).
    pub async fn attributes(&self) -> Result<Vec<Attribute>, CoCartError> {
        call(&self.core, |core| async move {
            Ok(core
                .attributes()
                .await?
                .iter()
                .map(Attribute::from)
                .collect())
        })
        .await
    }

    /// One page of an attribute's terms, with product counts and totals.
    pub async fn attribute_terms(
        &self,
        attribute_id: i64,
        query: TermQuery,
    ) -> Result<TermPage, CoCartError> {
        let attribute_id = id("attribute id", attribute_id)?;
        let query = cocart::models::TermQuery::try_from(query)?;
        call(&self.core, |core| async move {
            Ok(TermPage::from(
                core.attribute_terms(attribute_id, &query).await?,
            ))
        })
        .await
    }

    /// One page of reviews, newest first, with totals.
    pub async fn reviews(&self, query: ReviewQuery) -> Result<ReviewPage, CoCartError> {
        let query = cocart::models::ReviewQuery::try_from(query)?;
        call(&self.core, |core| async move {
            Ok(ReviewPage::from(core.reviews(&query).await?))
        })
        .await
    }

    /// One review.
    pub async fn review(&self, id: i64) -> Result<Review, CoCartError> {
        let id = self::id("review id", id)?;
        call(&self.core, |core| async move {
            Ok(Review::from(&core.review(id).await?))
        })
        .await
    }

    /// The variations of a variable product.
    pub async fn variations(&self, product_id: i64) -> Result<Vec<Variation>, CoCartError> {
        let product_id = id("product id", product_id)?;
        call(&self.core, |core| async move {
            Ok(core
                .variations(product_id)
                .await?
                .iter()
                .map(Variation::from)
                .collect())
        })
        .await
    }

    /// All product categories.
    pub async fn categories(&self) -> Result<Vec<Category>, CoCartError> {
        call(&self.core, |core| async move {
            Ok(core
                .categories()
                .await?
                .iter()
                .map(Category::from)
                .collect())
        })
        .await
    }

    /// All product tags.
    pub async fn tags(&self) -> Result<Vec<Tag>, CoCartError> {
        call(&self.core, |core| async move {
            Ok(core.tags().await?.iter().map(Tag::from).collect())
        })
        .await
    }
}
