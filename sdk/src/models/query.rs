//! Query parameters: [`ProductQuery`] for `GET /products`, [`TermQuery`] and [`ReviewQuery`] for
//! the attribute-term and review lists, and [`CartQuery`] for cart GETs.

/// The largest `per_page` the products route accepts.
pub const MAX_PER_PAGE: u32 = 100;

/// Sort key for `GET /products` (`orderby`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ProductOrderBy {
    /// `date` (the store's default).
    Date,
    /// `id`.
    Id,
    /// `include`: the order of [`ProductQuery::include`].
    Include,
    /// `title`.
    Title,
    /// `slug`.
    Slug,
    /// `price`.
    Price,
    /// `popularity`.
    Popularity,
    /// `rating`.
    Rating,
    /// `rand` (CoCart 4.5+).
    Rand,
}

impl ProductOrderBy {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductOrderBy::Date => "date",
            ProductOrderBy::Id => "id",
            ProductOrderBy::Include => "include",
            ProductOrderBy::Title => "title",
            ProductOrderBy::Slug => "slug",
            ProductOrderBy::Price => "price",
            ProductOrderBy::Popularity => "popularity",
            ProductOrderBy::Rating => "rating",
            ProductOrderBy::Rand => "rand",
        }
    }
}

/// Sort direction (`order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SortOrder {
    /// `asc`.
    Asc,
    /// `desc`.
    Desc,
}

impl SortOrder {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// Stock filter (`stock_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum StockStatus {
    /// `instock`.
    InStock,
    /// `outofstock`.
    OutOfStock,
    /// `onbackorder`.
    OnBackorder,
}

impl StockStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            StockStatus::InStock => "instock",
            StockStatus::OutOfStock => "outofstock",
            StockStatus::OnBackorder => "onbackorder",
        }
    }
}

/// Filters and paging for `GET /products`. Unset fields are not sent.
///
/// ```
/// use cocart::models::{ProductQuery, ProductOrderBy, SortOrder};
/// let q = ProductQuery::new().page(2).per_page(500).category("hoodies").orderby(ProductOrderBy::Price).order(SortOrder::Asc);
/// let owned = q.to_query_pairs();
/// let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
/// assert_eq!(pairs, vec![
///     ("page", "2"), ("per_page", "100"), ("category", "hoodies"), ("orderby", "price"), ("order", "asc"),
/// ]);
/// ```
///
/// Facets: attribute terms, ratings and brands.
///
/// ```
/// use cocart::models::{AttributeFilter, ProductQuery};
/// let q = ProductQuery::new()
///     .attribute(AttributeFilter::slugs("pa_color", ["red", "blue"]))
///     .attribute(AttributeFilter::slugs("size", ["m"]).all())
///     .rating([4, 5])
///     .brand("acme");
/// let owned = q.to_query_pairs();
/// let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
/// assert_eq!(pairs, vec![
///     ("attributes[0][attribute]", "pa_color"), ("attributes[0][slug][]", "red"), ("attributes[0][slug][]", "blue"),
///     ("attributes[1][attribute]", "pa_size"), ("attributes[1][slug][]", "m"), ("attributes[1][operator]", "and"),
///     ("rating", "4,5"), ("brand", "acme"),
/// ]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Page size, 1 to [`MAX_PER_PAGE`] (clamped when sent).
    pub per_page: Option<u32>,
    /// Full-text search.
    pub search: Option<String>,
    /// Category slug or id.
    pub category: Option<String>,
    /// Tag slug or id.
    pub tag: Option<String>,
    /// Exact SKU.
    pub sku: Option<String>,
    /// Sort key.
    pub orderby: Option<ProductOrderBy>,
    /// Sort direction.
    pub order: Option<SortOrder>,
    /// Only products on sale (`true`) or not on sale (`false`).
    pub on_sale: Option<bool>,
    /// Only featured (`true`) or non-featured (`false`) products.
    pub featured: Option<bool>,
    /// Stock filter.
    pub stock_status: Option<StockStatus>,
    /// Product type: `simple`, `grouped`, `external`, `variable`.
    pub product_type: Option<String>,
    /// Only these ids (sent as a comma-separated list).
    pub include: Vec<u64>,
    /// Not these ids (sent as a comma-separated list).
    pub exclude: Vec<u64>,
    /// Exact product slug (one: the store matches it as a single post name).
    pub slug: Option<String>,
    /// Only children of these parent ids (sent as a comma-separated list).
    pub parents: Vec<u64>,
    /// Lowest current price, inclusive, in the store's major units as WooCommerce compares them
    /// (`"10"`, `"12.50"`).
    pub min_price: Option<String>,
    /// Highest current price, inclusive, in the store's major units (`"50"`).
    pub max_price: Option<String>,
    /// Leave out products whose price is 0.
    pub hide_free: Option<bool>,
    /// Attribute filters. A product must match **every** filter: CoCart 4.9.3 ANDs them whatever
    /// `attribute_relation` says, so no relation is offered or sent.
    pub attributes: Vec<AttributeFilter>,
    /// Ratings 1 to 5: products whose **rounded** average rating is one of them. Values outside
    /// 1..=5 (which the store answers with nothing) are not sent.
    pub rating: Vec<u8>,
    /// Brand slugs, or brand ids as strings. The store reads them all as ids when the first is
    /// numeric, so do not mix the two.
    pub brands: Vec<String>,
    /// How [`ProductQuery::brands`] apply; `None` sends nothing (the store's default, any of
    /// them).
    pub brand_operator: Option<BrandOperator>,
    /// Fill each product's `reviews`.
    pub with_reviews: Option<bool>,
}

/// A filter on one global attribute: products with the given terms of `pa_…`.
///
/// Only "any of" ([`AttributeFilter::slugs`], [`AttributeFilter::term_ids`]) and "all of"
/// ([`AttributeFilter::all`]) exist: CoCart 4.9.3 accepts the operator `"not in"` but applies it
/// as "any of", so an exclusion filter is not offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeFilter {
    /// The taxonomy with its `pa_` prefix (added when missing: the store ignores names without
    /// it).
    pub attribute: String,
    /// The terms to match.
    pub terms: AttributeTerms,
    /// `true`: a product needs every term (`operator=and`); `false`: any of them.
    pub match_all: bool,
}

/// The terms of an [`AttributeFilter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeTerms {
    /// Term slugs (`red`).
    Slugs(Vec<String>),
    /// Term ids.
    Ids(Vec<u64>),
}

impl AttributeFilter {
    fn taxonomy(attribute: &str) -> String {
        let a = attribute.trim();
        if a.starts_with("pa_") {
            a.to_owned()
        } else {
            format!("pa_{a}")
        }
    }

    /// Products with any of these term slugs of `attribute` (`pa_color` or `color`).
    pub fn slugs<S: Into<String>>(attribute: &str, slugs: impl IntoIterator<Item = S>) -> Self {
        Self {
            attribute: Self::taxonomy(attribute),
            terms: AttributeTerms::Slugs(slugs.into_iter().map(Into::into).collect()),
            match_all: false,
        }
    }

    /// Products with any of these term ids of `attribute`.
    pub fn term_ids(attribute: &str, ids: impl IntoIterator<Item = u64>) -> Self {
        Self {
            attribute: Self::taxonomy(attribute),
            terms: AttributeTerms::Ids(ids.into_iter().collect()),
            match_all: false,
        }
    }

    /// Requires every term instead of any.
    pub fn all(mut self) -> Self {
        self.match_all = true;
        self
    }

    /// Parses `pa_color=red` or `color=red,blue` (any of the slugs); `None` without `=`, an
    /// attribute or a slug.
    pub fn parse(spec: &str) -> Option<Self> {
        let (attribute, values) = spec.split_once('=')?;
        let slugs: Vec<String> = values
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        (!attribute.trim().is_empty() && !slugs.is_empty()).then(|| Self::slugs(attribute, slugs))
    }

    fn push_pairs(&self, index: usize, pairs: &mut Vec<(String, String)>) {
        let prefix = format!("attributes[{index}]");
        pairs.push((format!("{prefix}[attribute]"), self.attribute.clone()));
        match &self.terms {
            AttributeTerms::Slugs(slugs) => {
                for s in slugs {
                    pairs.push((format!("{prefix}[slug][]"), s.clone()));
                }
            }
            AttributeTerms::Ids(ids) => {
                for id in ids {
                    pairs.push((format!("{prefix}[term_id][]"), id.to_string()));
                }
            }
        }
        if self.match_all {
            pairs.push((format!("{prefix}[operator]"), "and".to_owned()));
        }
    }

    fn is_empty(&self) -> bool {
        match &self.terms {
            AttributeTerms::Slugs(s) => s.is_empty(),
            AttributeTerms::Ids(i) => i.is_empty(),
        }
    }
}

/// How brand filters apply (`brand_operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BrandOperator {
    /// Any of the brands (`in`, the store's default).
    In,
    /// None of the brands (`not_in`).
    NotIn,
    /// All of the brands (`and`).
    And,
}

impl BrandOperator {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            BrandOperator::In => "in",
            BrandOperator::NotIn => "not_in",
            BrandOperator::And => "and",
        }
    }
}

impl ProductQuery {
    /// No filter: the store's first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page (0 is sent as 1).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the page size (clamped to 1..=100 when sent).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Sets the search text.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Filters by category slug or id.
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }

    /// Filters by tag slug or id.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Filters by SKU.
    pub fn sku(mut self, sku: impl Into<String>) -> Self {
        self.sku = Some(sku.into());
        self
    }

    /// Sets the sort key.
    pub fn orderby(mut self, orderby: ProductOrderBy) -> Self {
        self.orderby = Some(orderby);
        self
    }

    /// Sets the sort direction.
    pub fn order(mut self, order: SortOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// Filters on sale state.
    pub fn on_sale(mut self, on_sale: bool) -> Self {
        self.on_sale = Some(on_sale);
        self
    }

    /// Filters on featured state.
    pub fn featured(mut self, featured: bool) -> Self {
        self.featured = Some(featured);
        self
    }

    /// Filters on stock state.
    pub fn stock_status(mut self, status: StockStatus) -> Self {
        self.stock_status = Some(status);
        self
    }

    /// Filters on product type.
    pub fn product_type(mut self, product_type: impl Into<String>) -> Self {
        self.product_type = Some(product_type.into());
        self
    }

    /// Restricts to these ids.
    pub fn include(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.include = ids.into_iter().collect();
        self
    }

    /// Excludes these ids.
    pub fn exclude(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.exclude = ids.into_iter().collect();
        self
    }

    /// Restricts to the product with this slug (one slug: a comma list matches nothing).
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.slug = Some(slug.into());
        self
    }

    /// Restricts to children of these parent products.
    pub fn parents(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.parents = ids.into_iter().collect();
        self
    }

    /// Lowest current price, inclusive, in major units as the store compares them (`"10"`).
    pub fn min_price(mut self, price: impl Into<String>) -> Self {
        self.min_price = Some(price.into());
        self
    }

    /// Highest current price, inclusive, in major units (`"49.99"`).
    pub fn max_price(mut self, price: impl Into<String>) -> Self {
        self.max_price = Some(price.into());
        self
    }

    /// Leaves out free products (`true`).
    pub fn hide_free(mut self, hide: bool) -> Self {
        self.hide_free = Some(hide);
        self
    }

    /// Adds an attribute filter (every filter must match).
    pub fn attribute(mut self, filter: AttributeFilter) -> Self {
        self.attributes.push(filter);
        self
    }

    /// Products whose rounded average rating is one of these (1 to 5).
    pub fn rating(mut self, ratings: impl IntoIterator<Item = u8>) -> Self {
        self.rating = ratings.into_iter().collect();
        self
    }

    /// Adds a brand slug (or id as a string).
    pub fn brand(mut self, brand: impl Into<String>) -> Self {
        self.brands.push(brand.into());
        self
    }

    /// Sets how brands apply.
    pub fn brand_operator(mut self, op: BrandOperator) -> Self {
        self.brand_operator = Some(op);
        self
    }

    /// Fills (`true`) each product's `reviews`.
    pub fn with_reviews(mut self, on: bool) -> Self {
        self.with_reviews = Some(on);
        self
    }

    /// The query parameters to send, in a fixed order, with `page ≥ 1` and `per_page` clamped to
    /// 1..=100. Attribute filters use PHP's nested syntax (`attributes[0][slug][]=red`).
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut push = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                pairs.push((name.to_owned(), v));
            }
        };
        push("page", self.page.map(|p| p.max(1).to_string()));
        push(
            "per_page",
            self.per_page.map(|n| n.clamp(1, MAX_PER_PAGE).to_string()),
        );
        push("search", self.search.clone());
        push("category", self.category.clone());
        push("tag", self.tag.clone());
        push("sku", self.sku.clone());
        push("orderby", self.orderby.map(|o| o.as_str().to_owned()));
        push("order", self.order.map(|o| o.as_str().to_owned()));
        push("on_sale", self.on_sale.map(|b| b.to_string()));
        push("featured", self.featured.map(|b| b.to_string()));
        push(
            "stock_status",
            self.stock_status.map(|s| s.as_str().to_owned()),
        );
        push("type", self.product_type.clone());
        push("include", csv(&self.include));
        push("exclude", csv(&self.exclude));
        push("slug", self.slug.clone());
        push("parent", csv(&self.parents));
        push("min_price", self.min_price.clone());
        push("max_price", self.max_price.clone());
        push("hide_free", self.hide_free.map(|b| b.to_string()));
        push("show_reviews", self.with_reviews.map(|b| b.to_string()));
        for (i, f) in self.attributes.iter().filter(|f| !f.is_empty()).enumerate() {
            f.push_pairs(i, &mut pairs);
        }
        let ratings: Vec<String> = self
            .rating
            .iter()
            .filter(|r| (1..=5).contains(*r))
            .map(u8::to_string)
            .collect();
        if !ratings.is_empty() {
            pairs.push(("rating".to_owned(), ratings.join(",")));
        }
        let brands: Vec<&str> = self
            .brands
            .iter()
            .map(|b| b.trim())
            .filter(|b| !b.is_empty())
            .collect();
        if !brands.is_empty() {
            pairs.push(("brand".to_owned(), brands.join(",")));
            if let Some(op) = self.brand_operator {
                pairs.push(("brand_operator".to_owned(), op.as_str().to_owned()));
            }
        }
        pairs
    }
}

/// Sort key for attribute terms (`orderby`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TermOrderBy {
    /// `name` (the store's default).
    Name,
    /// `id`.
    Id,
    /// `slug`.
    Slug,
    /// `count`.
    Count,
    /// `include`: the order of [`TermQuery::include`].
    Include,
    /// `description`.
    Description,
}

impl TermOrderBy {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            TermOrderBy::Name => "name",
            TermOrderBy::Id => "id",
            TermOrderBy::Slug => "slug",
            TermOrderBy::Count => "count",
            TermOrderBy::Include => "include",
            TermOrderBy::Description => "description",
        }
    }
}

/// Filters and paging for `GET /products/attributes/{id}/terms`. Unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermQuery {
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Page size, 1 to [`MAX_PER_PAGE`] (clamped when sent; the store's default is 10).
    pub per_page: Option<u32>,
    /// Name or slug contains this text.
    pub search: Option<String>,
    /// Leave out terms no product uses.
    pub hide_empty: Option<bool>,
    /// Only the terms of this product.
    pub product: Option<u64>,
    /// Only the term with this slug.
    pub slug: Option<String>,
    /// Only these term ids.
    pub include: Vec<u64>,
    /// Not these term ids.
    pub exclude: Vec<u64>,
    /// Sort key.
    pub orderby: Option<TermOrderBy>,
    /// Sort direction.
    pub order: Option<SortOrder>,
}

impl TermQuery {
    /// Every term, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the page size.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Leaves out unused terms.
    pub fn hide_empty(mut self, hide: bool) -> Self {
        self.hide_empty = Some(hide);
        self
    }

    /// Only the terms of this product.
    pub fn product(mut self, id: u64) -> Self {
        self.product = Some(id);
        self
    }

    /// Searches names and slugs.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Sets the sort key.
    pub fn orderby(mut self, orderby: TermOrderBy) -> Self {
        self.orderby = Some(orderby);
        self
    }

    /// Sets the sort direction.
    pub fn order(mut self, order: SortOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// The query parameters to send.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut push = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                pairs.push((name.to_owned(), v));
            }
        };
        push("page", self.page.map(|p| p.max(1).to_string()));
        push(
            "per_page",
            self.per_page.map(|n| n.clamp(1, MAX_PER_PAGE).to_string()),
        );
        push("search", self.search.clone());
        push("hide_empty", self.hide_empty.map(|b| b.to_string()));
        push("product", self.product.map(|p| p.to_string()));
        push("slug", self.slug.clone());
        push("include", csv(&self.include));
        push("exclude", csv(&self.exclude));
        push("orderby", self.orderby.map(|o| o.as_str().to_owned()));
        push("order", self.order.map(|o| o.as_str().to_owned()));
        pairs
    }
}

/// Sort key for reviews (`orderby`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReviewOrderBy {
    /// `date_gmt` (the store's default).
    DateGmt,
    /// `date`.
    Date,
    /// `id`.
    Id,
    /// `product`.
    Product,
    /// `include`: the order of [`ReviewQuery::include`].
    Include,
}

impl ReviewOrderBy {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewOrderBy::DateGmt => "date_gmt",
            ReviewOrderBy::Date => "date",
            ReviewOrderBy::Id => "id",
            ReviewOrderBy::Product => "product",
            ReviewOrderBy::Include => "include",
        }
    }
}

/// Filters and paging for `GET /products/reviews` (newest first by default). The store has no
/// rating or status filter; filter [`super::Review::rating`] on the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewQuery {
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Page size, 1 to [`MAX_PER_PAGE`] (clamped when sent; the store's default is 10).
    pub per_page: Option<u32>,
    /// Only reviews of these products.
    pub products: Vec<u64>,
    /// Only reviews by these user ids.
    pub reviewers: Vec<u64>,
    /// Only these review ids.
    pub include: Vec<u64>,
    /// Not these review ids.
    pub exclude: Vec<u64>,
    /// Text search.
    pub search: Option<String>,
    /// Only after this ISO 8601 date-time (`2024-03-01T00:00:00`).
    pub after: Option<String>,
    /// Only before this ISO 8601 date-time.
    pub before: Option<String>,
    /// Sort key.
    pub orderby: Option<ReviewOrderBy>,
    /// Sort direction.
    pub order: Option<SortOrder>,
}

impl ReviewQuery {
    /// Every review, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// The reviews of one product.
    pub fn product(mut self, id: u64) -> Self {
        self.products.push(id);
        self
    }

    /// Sets the page.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the page size.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Searches the reviews.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Sets the sort key.
    pub fn orderby(mut self, orderby: ReviewOrderBy) -> Self {
        self.orderby = Some(orderby);
        self
    }

    /// Sets the sort direction.
    pub fn order(mut self, order: SortOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// The query parameters to send.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut push = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                pairs.push((name.to_owned(), v));
            }
        };
        push("page", self.page.map(|p| p.max(1).to_string()));
        push(
            "per_page",
            self.per_page.map(|n| n.clamp(1, MAX_PER_PAGE).to_string()),
        );
        push("product", csv(&self.products));
        push("reviewer", csv(&self.reviewers));
        push("include", csv(&self.include));
        push("exclude", csv(&self.exclude));
        push("search", self.search.clone());
        push("after", self.after.clone());
        push("before", self.before.clone());
        push("orderby", self.orderby.map(|o| o.as_str().to_owned()));
        push("order", self.order.map(|o| o.as_str().to_owned()));
        pairs
    }
}

/// Joins ids with commas; `None` when there are none.
fn csv(ids: &[u64]) -> Option<String> {
    (!ids.is_empty()).then(|| ids.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
}

/// Common query parameters of cart GETs: `fields` (top-level fields to return, e.g. `items,totals`,
/// or children such as `customer:billing_address`) and `thumb` (fill `featured_image`, default
/// `true` on the store).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CartQuery {
    /// Fields to return; empty means all (nothing is sent).
    pub fields: Vec<String>,
    /// Whether to fill item thumbnails; `None` leaves the store default.
    pub thumb: Option<bool>,
}

impl CartQuery {
    /// The full cart.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a field to return.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.fields.push(field.into());
        self
    }

    /// Sets `thumb`.
    pub fn thumb(mut self, thumb: bool) -> Self {
        self.thumb = Some(thumb);
        self
    }

    /// The query parameters to send: `fields=a,b` when any, then `thumb=true|false` when set.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let fields: Vec<&str> = self
            .fields
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
            .collect();
        if !fields.is_empty() {
            pairs.push(("fields", fields.join(",")));
        }
        if let Some(thumb) = self.thumb {
            pairs.push(("thumb", thumb.to_string()));
        }
        pairs
    }
}
