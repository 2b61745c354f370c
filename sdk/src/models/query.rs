//! Query parameters: [`ProductQuery`] for `GET /products` and [`CartQuery`] for cart GETs.

/// The largest `per_page` the products route accepts.
pub const MAX_PER_PAGE: u32 = 100;

/// Sort key for `GET /products` (`orderby`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
/// assert_eq!(q.to_query_pairs(), vec![
///     ("page", "2".to_owned()), ("per_page", "100".to_owned()), ("category", "hoodies".to_owned()),
///     ("orderby", "price".to_owned()), ("order", "asc".to_owned()),
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

    /// The query parameters to send, in a fixed order, with `page ≥ 1` and `per_page` clamped to 1..=100.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut push = |name: &'static str, value: Option<String>| {
            if let Some(v) = value {
                pairs.push((name, v));
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
        pairs
    }
}

/// Joins ids with commas; `None` when there are none.
fn csv(ids: &[u64]) -> Option<String> {
    (!ids.is_empty()).then(|| ids.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
}

/// Common query parameters of cart GETs: `fields` (top-level fields to return, e.g. `items,totals`, or children
/// such as `customer:billing_address`) and `thumb` (fill `featured_image`, default `true` on the store).
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
