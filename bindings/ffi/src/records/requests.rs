//! Input records: what the app sends (items to add, addresses, product filters).

use std::collections::HashMap;

use cocart::models::{self as core, Quantity};

use crate::error::{CoCartError, ValidationKind};

/// A product by id or by SKU.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ProductRef {
    /// A product or variation id.
    Id {
        /// The id.
        id: i64,
    },
    /// A SKU.
    Sku {
        /// The SKU.
        sku: String,
    },
}

impl TryFrom<ProductRef> for core::ProductRef {
    type Error = CoCartError;

    fn try_from(r: ProductRef) -> Result<Self, CoCartError> {
        Ok(match r {
            ProductRef::Id { id } => core::ProductRef::Id(self::id("product id", id)?),
            ProductRef::Sku { sku } => core::ProductRef::Sku(sku),
        })
    }
}

/// Checks an id from the app (a Kotlin `Long`, a Swift `Int64`): not negative.
pub(crate) fn id(what: &str, value: i64) -> Result<u64, CoCartError> {
    u64::try_from(value).map_err(|_| {
        CoCartError::invalid_argument(
            format!("{what} {value}: an id is not negative"),
            ValidationKind::InvalidParameter,
        )
    })
}

fn ids(what: &str, values: Vec<i64>) -> Result<Vec<u64>, CoCartError> {
    values.into_iter().map(|v| id(what, v)).collect()
}

/// Checks a page number or size from the app (a Kotlin `Int`, a Swift `Int32`): not negative.
fn number(what: &str, value: Option<i32>) -> Result<Option<u32>, CoCartError> {
    value
        .map(|v| {
            u32::try_from(v).map_err(|_| {
                CoCartError::invalid_argument(
                    format!("{what} {v}: must not be negative"),
                    ValidationKind::InvalidParameter,
                )
            })
        })
        .transpose()
}

/// Checks a quantity from the app: finite and not negative.
pub(crate) fn quantity(value: f64) -> Result<Quantity, CoCartError> {
    Quantity::new(value).map_err(|e| {
        CoCartError::invalid_argument(
            format!("quantity {value}: {e}"),
            ValidationKind::InvalidQuantity {
                min: None,
                max: None,
            },
        )
    })
}

/// A product to add to the cart.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AddItemRequest {
    /// The product, variation or SKU.
    pub product: ProductRef,
    /// How many (default 1; fractions allowed).
    #[uniffi(default = 1.0)]
    pub quantity: f64,
    /// Variation attributes for a variable parent (`attribute_pa_color` → `blue`).
    #[uniffi(default)]
    pub variation: HashMap<String, String>,
    /// Custom data stored on the line.
    #[uniffi(default)]
    pub item_data: HashMap<String, String>,
    /// Billing email sent with the add.
    #[uniffi(default = None)]
    pub email: Option<String>,
    /// Billing phone sent with the add.
    #[uniffi(default = None)]
    pub phone: Option<String>,
}

impl TryFrom<AddItemRequest> for core::AddItem {
    type Error = CoCartError;

    fn try_from(r: AddItemRequest) -> Result<Self, CoCartError> {
        let mut item = core::AddItem::new(core::ProductRef::try_from(r.product)?)
            .quantity(quantity(r.quantity)?);
        // Sorted, so that the same request always sends the same body.
        let mut variation: Vec<_> = r.variation.into_iter().collect();
        variation.sort();
        for (k, v) in variation {
            item = item.variation(k, v);
        }
        let mut data: Vec<_> = r.item_data.into_iter().collect();
        data.sort();
        for (k, v) in data {
            item = item.item_data(k, v);
        }
        if let Some(email) = r.email {
            item = item.email(email);
        }
        if let Some(phone) = r.phone {
            item = item.phone(phone);
        }
        Ok(item)
    }
}

/// Billing fields to change; unset fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct BillingAddress {
    /// First name.
    #[uniffi(default = None)]
    pub first_name: Option<String>,
    /// Last name.
    #[uniffi(default = None)]
    pub last_name: Option<String>,
    /// Email.
    #[uniffi(default = None)]
    pub email: Option<String>,
    /// Phone.
    #[uniffi(default = None)]
    pub phone: Option<String>,
    /// Company.
    #[uniffi(default = None)]
    pub company: Option<String>,
    /// Address line 1.
    #[uniffi(default = None)]
    pub address_1: Option<String>,
    /// Address line 2.
    #[uniffi(default = None)]
    pub address_2: Option<String>,
    /// City.
    #[uniffi(default = None)]
    pub city: Option<String>,
    /// State or county code.
    #[uniffi(default = None)]
    pub state: Option<String>,
    /// Two-letter country code.
    #[uniffi(default = None)]
    pub country: Option<String>,
    /// Postcode.
    #[uniffi(default = None)]
    pub postcode: Option<String>,
}

impl From<BillingAddress> for core::BillingAddress {
    fn from(b: BillingAddress) -> Self {
        core::BillingAddress {
            first_name: b.first_name,
            last_name: b.last_name,
            email: b.email,
            phone: b.phone,
            company: b.company,
            address_1: b.address_1,
            address_2: b.address_2,
            city: b.city,
            state: b.state,
            country: b.country,
            postcode: b.postcode,
        }
    }
}

/// Filters and paging for `catalog.products(query)`. Unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ProductQuery {
    /// Page number (1-based).
    #[uniffi(default = None)]
    pub page: Option<i32>,
    /// Products per page (at most 100).
    #[uniffi(default = None)]
    pub per_page: Option<i32>,
    /// Full-text search.
    #[uniffi(default = None)]
    pub search: Option<String>,
    /// Category slug or id.
    #[uniffi(default = None)]
    pub category: Option<String>,
    /// Tag slug or id.
    #[uniffi(default = None)]
    pub tag: Option<String>,
    /// SKU filter.
    #[uniffi(default = None)]
    pub sku: Option<String>,
    /// Sort key.
    #[uniffi(default = None)]
    pub orderby: Option<cocart::models::ProductOrderBy>,
    /// Sort direction.
    #[uniffi(default = None)]
    pub order: Option<cocart::models::SortOrder>,
    /// Only products on sale.
    #[uniffi(default = None)]
    pub on_sale: Option<bool>,
    /// Only featured products.
    #[uniffi(default = None)]
    pub featured: Option<bool>,
    /// Stock filter.
    #[uniffi(default = None)]
    pub stock_status: Option<cocart::models::StockStatus>,
    /// Product type filter (`simple`, `variable`, …).
    #[uniffi(default = None)]
    pub product_type: Option<String>,
    /// Only these ids.
    #[uniffi(default)]
    pub include: Vec<i64>,
    /// Not these ids.
    #[uniffi(default)]
    pub exclude: Vec<i64>,
    /// Exact product slug (one).
    #[uniffi(default = None)]
    pub slug: Option<String>,
    /// Only children of these parent ids.
    #[uniffi(default)]
    pub parents: Vec<i64>,
    /// Lowest current price, inclusive, in major units as the store compares them (`"10"`).
    #[uniffi(default = None)]
    pub min_price: Option<String>,
    /// Highest current price, inclusive, in major units (`"49.99"`).
    #[uniffi(default = None)]
    pub max_price: Option<String>,
    /// Leave out free products.
    #[uniffi(default = None)]
    pub hide_free: Option<bool>,
    /// Attribute filters; a product must match every one.
    #[uniffi(default)]
    pub attributes: Vec<AttributeFilter>,
    /// Rounded average ratings to match (1 to 5; others are not sent).
    #[uniffi(default)]
    pub rating: Vec<i32>,
    /// Brand slugs (or ids as strings; do not mix).
    #[uniffi(default)]
    pub brands: Vec<String>,
    /// How `brands` apply (default: any of them).
    #[uniffi(default = None)]
    pub brand_operator: Option<BrandOperator>,
    /// Fill each product's `reviews`.
    #[uniffi(default = None)]
    pub with_reviews: Option<bool>,
}

/// A filter on one global attribute. `slugs` win over `term_ids` when both are set. There is no
/// "none of" filter: CoCart 4.9.3 applies its `not in` operator as "any of".
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct AttributeFilter {
    /// Taxonomy, e.g. `pa_color` (`color` gets the prefix).
    pub attribute: String,
    /// Term slugs.
    #[uniffi(default)]
    pub slugs: Vec<String>,
    /// Term ids.
    #[uniffi(default)]
    pub term_ids: Vec<i64>,
    /// Every term instead of any.
    #[uniffi(default = false)]
    pub match_all: bool,
}

impl TryFrom<AttributeFilter> for core::AttributeFilter {
    type Error = CoCartError;

    fn try_from(f: AttributeFilter) -> Result<Self, CoCartError> {
        let filter = if f.slugs.is_empty() {
            core::AttributeFilter::term_ids(&f.attribute, ids("term id", f.term_ids)?)
        } else {
            core::AttributeFilter::slugs(&f.attribute, f.slugs)
        };
        Ok(if f.match_all { filter.all() } else { filter })
    }
}

/// How brand filters apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BrandOperator {
    /// Any of them.
    In,
    /// None of them.
    NotIn,
    /// All of them.
    And,
}

/// Paging and filters for `catalog.attributeTerms`. Unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct TermQuery {
    /// Page number (1-based).
    #[uniffi(default = None)]
    pub page: Option<i32>,
    /// Terms per page (at most 100; the store's default is 10).
    #[uniffi(default = None)]
    pub per_page: Option<i32>,
    /// Leave out unused terms.
    #[uniffi(default = None)]
    pub hide_empty: Option<bool>,
    /// Only the terms of this product.
    #[uniffi(default = None)]
    pub product: Option<i64>,
    /// Name or slug contains this.
    #[uniffi(default = None)]
    pub search: Option<String>,
    /// Only the term with this slug.
    #[uniffi(default = None)]
    pub slug: Option<String>,
    /// Only these term ids.
    #[uniffi(default)]
    pub include: Vec<i64>,
    /// Not these term ids.
    #[uniffi(default)]
    pub exclude: Vec<i64>,
    /// Sort key (the store's default: name).
    #[uniffi(default = None)]
    pub orderby: Option<TermOrderBy>,
    /// Sort direction.
    #[uniffi(default = None)]
    pub order: Option<cocart::models::SortOrder>,
}

/// Sort key for attribute terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TermOrderBy {
    /// By name (the store's default).
    Name,
    /// By id.
    Id,
    /// By slug.
    Slug,
    /// By the number of products using the term.
    Count,
    /// In the order of `include`.
    Include,
    /// By description.
    Description,
}

impl From<TermOrderBy> for core::TermOrderBy {
    fn from(o: TermOrderBy) -> Self {
        match o {
            TermOrderBy::Name => Self::Name,
            TermOrderBy::Id => Self::Id,
            TermOrderBy::Slug => Self::Slug,
            TermOrderBy::Count => Self::Count,
            TermOrderBy::Include => Self::Include,
            TermOrderBy::Description => Self::Description,
        }
    }
}

impl TryFrom<TermQuery> for core::TermQuery {
    type Error = CoCartError;

    fn try_from(q: TermQuery) -> Result<Self, CoCartError> {
        Ok(core::TermQuery {
            page: number("page", q.page)?,
            per_page: number("per_page", q.per_page)?,
            hide_empty: q.hide_empty,
            product: q.product.map(|p| id("product id", p)).transpose()?,
            search: q.search,
            slug: q.slug,
            include: ids("term id", q.include)?,
            exclude: ids("term id", q.exclude)?,
            orderby: q.orderby.map(Into::into),
            order: q.order,
        })
    }
}

/// Paging and filters for `catalog.reviews`. Unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ReviewQuery {
    /// Page number (1-based).
    #[uniffi(default = None)]
    pub page: Option<i32>,
    /// Reviews per page (at most 100; the store's default is 10).
    #[uniffi(default = None)]
    pub per_page: Option<i32>,
    /// Only reviews of these products.
    #[uniffi(default)]
    pub products: Vec<i64>,
    /// Only reviews by these user ids.
    #[uniffi(default)]
    pub reviewers: Vec<i64>,
    /// Only these review ids.
    #[uniffi(default)]
    pub include: Vec<i64>,
    /// Not these review ids.
    #[uniffi(default)]
    pub exclude: Vec<i64>,
    /// Text search.
    #[uniffi(default = None)]
    pub search: Option<String>,
    /// Only reviews after this ISO 8601 date-time (`2024-03-01T00:00:00`).
    #[uniffi(default = None)]
    pub after: Option<String>,
    /// Only reviews before this ISO 8601 date-time.
    #[uniffi(default = None)]
    pub before: Option<String>,
    /// Sort key (the store's default: date, GMT).
    #[uniffi(default = None)]
    pub orderby: Option<ReviewOrderBy>,
    /// Sort direction.
    #[uniffi(default = None)]
    pub order: Option<cocart::models::SortOrder>,
}

/// Sort key for reviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReviewOrderBy {
    /// By date, GMT (the store's default).
    DateGmt,
    /// By date, the store's time zone.
    Date,
    /// By id.
    Id,
    /// By product.
    Product,
    /// In the order of `include`.
    Include,
}

impl From<ReviewOrderBy> for core::ReviewOrderBy {
    fn from(o: ReviewOrderBy) -> Self {
        match o {
            ReviewOrderBy::DateGmt => Self::DateGmt,
            ReviewOrderBy::Date => Self::Date,
            ReviewOrderBy::Id => Self::Id,
            ReviewOrderBy::Product => Self::Product,
            ReviewOrderBy::Include => Self::Include,
        }
    }
}

impl TryFrom<ReviewQuery> for core::ReviewQuery {
    type Error = CoCartError;

    fn try_from(q: ReviewQuery) -> Result<Self, CoCartError> {
        Ok(core::ReviewQuery {
            page: number("page", q.page)?,
            per_page: number("per_page", q.per_page)?,
            products: ids("product id", q.products)?,
            reviewers: ids("reviewer id", q.reviewers)?,
            include: ids("review id", q.include)?,
            exclude: ids("review id", q.exclude)?,
            search: q.search,
            after: q.after,
            before: q.before,
            orderby: q.orderby.map(Into::into),
            order: q.order,
        })
    }
}

impl TryFrom<ProductQuery> for core::ProductQuery {
    type Error = CoCartError;

    fn try_from(q: ProductQuery) -> Result<Self, CoCartError> {
        let mut c = core::ProductQuery::new();
        if let Some(v) = number("page", q.page)? {
            c = c.page(v);
        }
        if let Some(v) = number("per_page", q.per_page)? {
            c = c.per_page(v);
        }
        if let Some(v) = q.search {
            c = c.search(v);
        }
        if let Some(v) = q.category {
            c = c.category(v);
        }
        if let Some(v) = q.tag {
            c = c.tag(v);
        }
        if let Some(v) = q.sku {
            c = c.sku(v);
        }
        if let Some(v) = q.orderby {
            c = c.orderby(v);
        }
        if let Some(v) = q.order {
            c = c.order(v);
        }
        if let Some(v) = q.on_sale {
            c = c.on_sale(v);
        }
        if let Some(v) = q.featured {
            c = c.featured(v);
        }
        if let Some(v) = q.stock_status {
            c = c.stock_status(v);
        }
        if let Some(v) = q.product_type {
            c = c.product_type(v);
        }
        if !q.include.is_empty() {
            c = c.include(ids("product id", q.include)?);
        }
        if !q.exclude.is_empty() {
            c = c.exclude(ids("product id", q.exclude)?);
        }
        if let Some(v) = q.slug {
            c = c.slug(v);
        }
        if !q.parents.is_empty() {
            c = c.parents(ids("parent id", q.parents)?);
        }
        if let Some(v) = q.min_price {
            c = c.min_price(v);
        }
        if let Some(v) = q.max_price {
            c = c.max_price(v);
        }
        if let Some(v) = q.hide_free {
            c = c.hide_free(v);
        }
        for f in q.attributes {
            c = c.attribute(f.try_into()?);
        }
        c = c.rating(q.rating.into_iter().filter_map(|r| u8::try_from(r).ok()));
        for b in q.brands {
            c = c.brand(b);
        }
        if let Some(op) = q.brand_operator {
            c = c.brand_operator(match op {
                BrandOperator::In => core::BrandOperator::In,
                BrandOperator::NotIn => core::BrandOperator::NotIn,
                BrandOperator::And => core::BrandOperator::And,
            });
        }
        if let Some(v) = q.with_reviews {
            c = c.with_reviews(v);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_item_requests_serialize_like_the_core() {
        let req = AddItemRequest {
            product: ProductRef::Sku {
                sku: "MOCK-HOODIE".into(),
            },
            quantity: 2.0,
            variation: HashMap::from([
                ("attribute_pa_size".to_string(), "small".to_string()),
                ("attribute_pa_color".to_string(), "blue".to_string()),
            ]),
            item_data: HashMap::new(),
            email: None,
            phone: None,
        };
        let item = core::AddItem::try_from(req).unwrap();
        assert_eq!(
            serde_json::to_string(&item).unwrap(),
            r#"{"id":"MOCK-HOODIE","quantity":"2","variation":{"attribute_pa_color":"blue","attribute_pa_size":"small"}}"#
        );
    }

    #[test]
    fn bad_quantities_are_refused_before_sending() {
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let req = AddItemRequest {
                product: ProductRef::Id { id: 101 },
                quantity: bad,
                variation: HashMap::new(),
                item_data: HashMap::new(),
                email: None,
                phone: None,
            };
            assert!(matches!(
                core::AddItem::try_from(req),
                Err(CoCartError::Validation {
                    kind: ValidationKind::InvalidQuantity { .. },
                    ..
                })
            ));
        }
    }

    #[test]
    fn product_queries_keep_every_filter() {
        let q = ProductQuery {
            page: Some(2),
            per_page: Some(5),
            orderby: Some(cocart::models::ProductOrderBy::Price),
            order: Some(cocart::models::SortOrder::Asc),
            stock_status: Some(cocart::models::StockStatus::InStock),
            include: vec![101, 102],
            slug: Some("mug".into()),
            parents: vec![301],
            min_price: Some("5".into()),
            max_price: Some("12.50".into()),
            hide_free: Some(true),
            ..Default::default()
        };
        let pairs = core::ProductQuery::try_from(q).unwrap().to_query_pairs();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("page"), Some("2"));
        assert_eq!(get("per_page"), Some("5"));
        assert_eq!(get("orderby"), Some("price"));
        assert_eq!(get("order"), Some("asc"));
        assert_eq!(get("stock_status"), Some("instock"));
        assert_eq!(get("include"), Some("101,102"));
        assert_eq!(get("slug"), Some("mug"));
        assert_eq!(get("parent"), Some("301"));
        assert_eq!(get("min_price"), Some("5"));
        assert_eq!(get("max_price"), Some("12.50"));
        assert_eq!(get("hide_free"), Some("true"));
    }

    #[test]
    fn facet_filters_reach_the_core_query() {
        let q = ProductQuery {
            attributes: vec![
                AttributeFilter {
                    attribute: "color".into(),
                    slugs: vec!["red".into()],
                    ..Default::default()
                },
                AttributeFilter {
                    attribute: "pa_size".into(),
                    term_ids: vec![19],
                    match_all: true,
                    ..Default::default()
                },
            ],
            rating: vec![4],
            brands: vec!["acme".into()],
            brand_operator: Some(BrandOperator::NotIn),
            with_reviews: Some(true),
            ..Default::default()
        };
        let pairs = core::ProductQuery::try_from(q).unwrap().to_query_pairs();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("attributes[0][attribute]"), Some("pa_color"));
        assert_eq!(get("attributes[0][slug][]"), Some("red"));
        assert_eq!(get("attributes[1][term_id][]"), Some("19"));
        assert_eq!(get("attributes[1][operator]"), Some("and"));
        assert_eq!(get("rating"), Some("4"));
        assert_eq!(get("brand"), Some("acme"));
        assert_eq!(get("brand_operator"), Some("not_in"));
        assert_eq!(get("show_reviews"), Some("true"));
    }

    #[test]
    fn term_queries_carry_every_field_of_the_core_query() {
        let q = TermQuery {
            page: Some(2),
            per_page: Some(5),
            hide_empty: Some(true),
            product: Some(101),
            search: Some("re".into()),
            slug: Some("red".into()),
            include: vec![11, 12],
            exclude: vec![13],
            orderby: Some(TermOrderBy::Count),
            order: Some(cocart::models::SortOrder::Desc),
        };
        let core = core::TermQuery::try_from(q).unwrap();
        assert_eq!(core.include, vec![11, 12]);
        assert_eq!(core.exclude, vec![13]);
        assert_eq!(core.slug.as_deref(), Some("red"));
        assert_eq!(core.orderby, Some(core::TermOrderBy::Count));
        let pairs = core.to_query_pairs();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("orderby"), Some("count"));
        assert_eq!(get("order"), Some("desc"));
        assert_eq!(get("product"), Some("101"));
        assert_eq!(get("page"), Some("2"));
    }

    #[test]
    fn review_queries_carry_every_field_of_the_core_query() {
        let q = ReviewQuery {
            page: Some(1),
            per_page: Some(20),
            products: vec![101],
            reviewers: vec![7],
            include: vec![3, 2],
            exclude: vec![5],
            search: Some("okay".into()),
            after: Some("2024-03-01T00:00:00".into()),
            before: Some("2025-03-01T00:00:00".into()),
            orderby: Some(ReviewOrderBy::Include),
            order: Some(cocart::models::SortOrder::Asc),
        };
        let core = core::ReviewQuery::try_from(q).unwrap();
        assert_eq!(core.reviewers, vec![7]);
        assert_eq!(core.include, vec![3, 2]);
        assert_eq!(core.exclude, vec![5]);
        assert_eq!(core.after.as_deref(), Some("2024-03-01T00:00:00"));
        assert_eq!(core.before.as_deref(), Some("2025-03-01T00:00:00"));
        assert_eq!(core.orderby, Some(core::ReviewOrderBy::Include));
        assert_eq!(core.order, Some(cocart::models::SortOrder::Asc));
    }

    #[test]
    fn negative_ids_and_page_numbers_are_refused_before_sending() {
        let refused = |r: Result<(), CoCartError>| {
            assert!(
                matches!(
                    &r,
                    Err(CoCartError::Validation { code, status: None, kind: ValidationKind::InvalidParameter, .. })
                        if code == "invalid_argument"
                ),
                "{r:?}"
            );
        };
        refused(core::ProductRef::try_from(ProductRef::Id { id: -1 }).map(drop));
        refused(
            core::ProductQuery::try_from(ProductQuery {
                per_page: Some(-1),
                ..Default::default()
            })
            .map(drop),
        );
        refused(
            core::ReviewQuery::try_from(ReviewQuery {
                reviewers: vec![-7],
                ..Default::default()
            })
            .map(drop),
        );
        refused(
            core::TermQuery::try_from(TermQuery {
                product: Some(-101),
                ..Default::default()
            })
            .map(drop),
        );
    }
}
