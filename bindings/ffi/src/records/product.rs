//! Product and store records.

use std::collections::HashMap;

use cocart::models::{ProductPrices, ProductStock};

use super::{Money, hash_map, int, long};

/// A product.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Product {
    /// Product id.
    pub id: i64,
    /// Parent id (variations), else 0.
    pub parent_id: i64,
    /// Name.
    pub name: String,
    /// `simple`, `variable`, `variation`, `grouped`, `external`.
    pub product_type: String,
    /// Slug.
    pub slug: String,
    /// Permalink.
    pub permalink: String,
    /// SKU.
    pub sku: String,
    /// Description (HTML).
    pub description: String,
    /// Short description (HTML).
    pub short_description: String,
    /// Current price.
    pub price: Money,
    /// Regular price.
    pub regular_price: Money,
    /// Sale price, `None` when not on sale.
    pub sale_price: Option<Money>,
    /// Price range of a variable or grouped product.
    pub price_range: Option<PriceRange>,
    /// Whether it is on sale.
    pub on_sale: bool,
    /// Images.
    pub images: Vec<ProductImage>,
    /// Categories.
    pub categories: Vec<Category>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// Attributes, in the store's display order.
    pub attributes: Vec<ProductAttribute>,
    /// Default choices of a variable product: attribute key (`attribute_pa_color`) → option slug.
    pub default_attributes: HashMap<String, String>,
    /// Average rating (0 when unrated).
    pub average_rating: f64,
    /// Number of reviews.
    pub review_count: i64,
    /// Number of reviews with a rating.
    pub rating_count: i64,
    /// Reviews, filled only by `productWithReviews` or `ProductQuery.withReviews`.
    pub reviews: Vec<EmbeddedReview>,
    /// Variations (variable products).
    pub variations: Vec<Variation>,
    /// Whether it is in stock.
    pub in_stock: bool,
    /// Stock quantity when managed.
    pub stock_quantity: Option<i64>,
    /// `instock`, `outofstock`, `onbackorder`.
    pub stock_status: String,
    /// Whether it can be added to a cart.
    pub purchasable: bool,
    /// Minimum quantity per purchase.
    pub min_purchase: f64,
    /// Maximum quantity per purchase, `None` when unlimited.
    pub max_purchase: Option<f64>,
}

impl From<cocart::models::Product> for Product {
    fn from(p: cocart::models::Product) -> Self {
        let currency = &p.prices.currency;
        let (min_purchase, max_purchase) = match &p.add_to_cart.purchase_quantity {
            Some(q) => (q.min_purchase, q.max_purchase()),
            None => (1.0, None),
        };
        Self {
            id: long(p.id),
            parent_id: long(p.parent_id),
            name: p.name.clone(),
            product_type: p.product_type.clone(),
            slug: p.slug.clone(),
            permalink: p.permalink.clone(),
            sku: p.sku.clone(),
            description: p.description.clone(),
            short_description: p.short_description.clone(),
            price: p.price().into(),
            regular_price: p.regular_price().into(),
            sale_price: p.sale_price().map(Money::from),
            price_range: p.prices.price_range.as_ref().map(|r| PriceRange {
                from: r.from.with_currency(currency).into(),
                to: r.to.with_currency(currency).into(),
            }),
            on_sale: p.prices.on_sale,
            images: p
                .images
                .iter()
                .map(|i| ProductImage {
                    id: long(i.id),
                    src: hash_map(&i.src),
                    name: i.name.clone(),
                    alt: i.alt.clone(),
                    featured: i.featured,
                })
                .collect(),
            categories: p.categories.iter().map(Category::from).collect(),
            tags: p.tags.iter().map(Tag::from).collect(),
            attributes: p
                .attributes_in_order()
                .into_iter()
                .map(|(key, a)| ProductAttribute {
                    key: key.to_owned(),
                    id: long(a.id),
                    name: a.name.clone(),
                    position: int(a.position),
                    visible: a.is_attribute_visible,
                    used_for_variation: a.used_for_variation,
                    options: a.options(),
                    option_slugs: a.option_slugs(),
                })
                .collect(),
            default_attributes: p
                .default_attributes
                .iter()
                .map(|(k, d)| (k.clone(), d.option.clone()))
                .collect(),
            average_rating: p.average_rating,
            review_count: long(p.review_count),
            rating_count: long(p.rating_count),
            reviews: p.reviews.iter().map(EmbeddedReview::from).collect(),
            variations: p.variations.iter().map(Variation::from).collect(),
            in_stock: p.stock.is_in_stock,
            stock_quantity: p.stock.stock_quantity,
            stock_status: p.stock.stock_status.clone(),
            purchasable: p.is_purchasable(),
            min_purchase,
            max_purchase,
        }
    }
}

/// A price range.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PriceRange {
    /// Lowest price.
    pub from: Money,
    /// Highest price.
    pub to: Money,
}

/// A product image.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProductImage {
    /// Attachment id.
    pub id: i64,
    /// Size name (`thumbnail`, `full`, …) → URL.
    pub src: HashMap<String, String>,
    /// Name.
    pub name: String,
    /// Alt text.
    pub alt: String,
    /// Whether it is the featured image.
    pub featured: bool,
}

/// A product category.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Category {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
}

impl From<&cocart::models::Category> for Category {
    fn from(c: &cocart::models::Category) -> Self {
        Self {
            id: long(c.id),
            name: c.name.clone(),
            slug: c.slug.clone(),
        }
    }
}

/// A product tag.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Tag {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
}

impl From<&cocart::models::Tag> for Tag {
    fn from(t: &cocart::models::Tag) -> Self {
        Self {
            id: long(t.id),
            name: t.name.clone(),
            slug: t.slug.clone(),
        }
    }
}

/// A product attribute with its options.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProductAttribute {
    /// The store's key, e.g. `attribute_pa_color`.
    pub key: String,
    /// Global attribute id (0 for a custom attribute).
    pub id: i64,
    /// Name, e.g. `Color`.
    pub name: String,
    /// Display position.
    pub position: i32,
    /// Shown on the product page.
    pub visible: bool,
    /// Used to pick a variation.
    pub used_for_variation: bool,
    /// Option labels (`Blue`), in order.
    pub options: Vec<String>,
    /// Option slugs (`blue`), in the same order: what filters and add-to-cart take.
    pub option_slugs: Vec<String>,
}

/// A review embedded in a product (`show_reviews`; plain-text comment).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EmbeddedReview {
    /// Review id.
    pub id: i64,
    /// Author name.
    pub author_name: String,
    /// The review, plain text.
    pub comment: String,
    /// Date, `YYYY-MM-DD HH:MM:SS`.
    pub date: String,
    /// 1 to 5, 0 when none.
    pub rating: i32,
    /// Whether the author bought the product; `None` when the store does not know yet.
    pub verified: Option<bool>,
}

impl From<&cocart::models::EmbeddedReview> for EmbeddedReview {
    fn from(r: &cocart::models::EmbeddedReview) -> Self {
        Self {
            id: long(r.review_id),
            author_name: r.author_name.clone(),
            comment: r.review_comment.clone(),
            date: r.review_date.clone(),
            rating: int(r.rating),
            verified: r.verified,
        }
    }
}

/// A review from the reviews list (HTML text).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Review {
    /// Review id.
    pub id: i64,
    /// The reviewed product.
    pub product_id: i64,
    /// `approved`, or `hold`/`spam`/`trash` when a store leaks those.
    pub status: String,
    /// Reviewer name.
    pub reviewer: String,
    /// The review as HTML.
    pub review_html: String,
    /// 1 to 5, 0 when none.
    pub rating: i32,
    /// Whether the reviewer bought the product.
    pub verified: bool,
    /// Date, `YYYY-MM-DDTHH:MM:SS`.
    pub date_created: String,
    /// Avatar URLs by size (`24`, `48`, `96`).
    pub avatar_urls: HashMap<String, String>,
}

impl From<&cocart::models::Review> for Review {
    fn from(r: &cocart::models::Review) -> Self {
        Self {
            id: long(r.id),
            product_id: long(r.product_id),
            status: r.status.clone(),
            reviewer: r.reviewer.clone(),
            review_html: r.review.clone(),
            rating: int(r.rating),
            verified: r.verified,
            date_created: r.date_created.clone(),
            avatar_urls: hash_map(&r.reviewer_avatar_urls),
        }
    }
}

/// One page of reviews with the store's totals.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReviewPage {
    /// The reviews on this page.
    pub reviews: Vec<Review>,
    /// This page's number.
    pub page: i32,
    /// Number of pages (0 when nothing matched).
    pub total_pages: i32,
    /// Number of reviews over all pages.
    pub total: i64,
    /// Whether a later page exists.
    pub has_next: bool,
}

impl From<cocart::models::Paged<cocart::models::Review>> for ReviewPage {
    fn from(p: cocart::models::Paged<cocart::models::Review>) -> Self {
        Self {
            has_next: p.has_next(),
            reviews: p.items.iter().map(Review::from).collect(),
            page: int(p.page),
            total_pages: int(p.total_pages),
            total: long(p.total),
        }
    }
}

/// A global attribute (a filter facet such as Color).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Attribute {
    /// Attribute id (for `attributeTerms`).
    pub id: i64,
    /// Label, e.g. `Color`.
    pub name: String,
    /// Taxonomy with the `pa_` prefix, e.g. `pa_color`.
    pub slug: String,
    /// How the shop sorts its terms.
    pub order_by: String,
}

impl From<&cocart::models::Attribute> for Attribute {
    fn from(a: &cocart::models::Attribute) -> Self {
        Self {
            id: long(a.id),
            name: a.name.clone(),
            slug: a.slug.clone(),
            order_by: a.order_by.clone(),
        }
    }
}

/// A term of an attribute, with the number of products using it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AttributeTerm {
    /// Term id.
    pub id: i64,
    /// Name, e.g. `Red`.
    pub name: String,
    /// Slug, e.g. `red`.
    pub slug: String,
    /// Description.
    pub description: String,
    /// Products using the term.
    pub count: i64,
}

impl From<&cocart::models::AttributeTerm> for AttributeTerm {
    fn from(t: &cocart::models::AttributeTerm) -> Self {
        Self {
            id: long(t.id),
            name: t.name.clone(),
            slug: t.slug.clone(),
            description: t.description.clone(),
            count: long(t.count),
        }
    }
}

/// One page of attribute terms with the store's totals.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TermPage {
    /// The terms on this page.
    pub terms: Vec<AttributeTerm>,
    /// This page's number.
    pub page: i32,
    /// Number of pages.
    pub total_pages: i32,
    /// Number of terms over all pages.
    pub total: i64,
    /// Whether a later page exists.
    pub has_next: bool,
}

impl From<cocart::models::Paged<cocart::models::AttributeTerm>> for TermPage {
    fn from(p: cocart::models::Paged<cocart::models::AttributeTerm>) -> Self {
        Self {
            has_next: p.has_next(),
            terms: p.items.iter().map(AttributeTerm::from).collect(),
            page: int(p.page),
            total_pages: int(p.total_pages),
            total: long(p.total),
        }
    }
}

/// A variation of a variable product.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Variation {
    /// Variation id.
    pub id: i64,
    /// Attribute key (`attribute_pa_color`) → option slug (`blue`): what add-to-cart takes.
    pub attributes: HashMap<String, String>,
    /// Attribute key → option name (`Blue`), when the store sent it (the variations route).
    pub option_names: HashMap<String, String>,
    /// Current price, when sent.
    pub price: Option<Money>,
    /// Regular price, when sent.
    pub regular_price: Option<Money>,
    /// Sale price, when on sale.
    pub sale_price: Option<Money>,
    /// Whether it is in stock, when sent.
    pub in_stock: Option<bool>,
    /// Stock quantity when managed.
    pub stock_quantity: Option<i64>,
}

impl From<&cocart::models::Variation> for Variation {
    fn from(v: &cocart::models::Variation) -> Self {
        let money = |f: fn(&ProductPrices) -> Option<cocart::models::Amount>| {
            v.prices
                .as_ref()
                .and_then(|p| f(p).map(|a| Money::from(a.with_currency(&p.currency))))
        };
        Self {
            id: long(v.id),
            attributes: hash_map(&v.selection()),
            option_names: v
                .attributes
                .iter()
                .filter(|(_, o)| !o.option_name.is_empty())
                .map(|(k, o)| (k.clone(), o.option_name.clone()))
                .collect(),
            price: money(|p| Some(p.price)),
            regular_price: money(|p| Some(p.regular_price)),
            sale_price: money(|p| p.sale_price),
            in_stock: v.stock.as_ref().map(|s: &ProductStock| s.is_in_stock),
            stock_quantity: v.stock.as_ref().and_then(|s| s.stock_quantity),
        }
    }
}

/// One page of products.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProductPage {
    /// The products on this page.
    pub products: Vec<Product>,
    /// This page's number (1-based).
    pub page: i32,
    /// Number of pages.
    pub total_pages: i32,
    /// Number of products over all pages.
    pub total_products: i64,
    /// Whether a later page exists.
    pub has_next: bool,
}

impl From<cocart::models::ProductPage> for ProductPage {
    fn from(p: cocart::models::ProductPage) -> Self {
        let has_next = p.has_next();
        Self {
            products: p.products.into_iter().map(Product::from).collect(),
            page: int(p.page),
            total_pages: int(p.total_pages),
            total_products: long(p.total_products),
            has_next,
        }
    }
}

/// Store information.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StoreInfo {
    /// Site title.
    pub title: String,
    /// Tagline.
    pub description: String,
    /// Home URL.
    pub home_url: String,
    /// Language, e.g. `en-US`.
    pub language: String,
    /// UTC offset in hours.
    pub gmt_offset: f64,
    /// Time zone name.
    pub timezone: String,
    /// Street address.
    pub address: String,
    /// Second address line.
    pub address_2: String,
    /// City.
    pub city: String,
    /// Country code, e.g. `US`.
    pub country_code: Option<String>,
    /// State code, e.g. `CA`.
    pub state_code: Option<String>,
    /// Postcode.
    pub postcode: String,
    /// CoCart version, when the store tells it.
    pub version: Option<String>,
}

impl From<cocart::models::StoreInfo> for StoreInfo {
    fn from(s: cocart::models::StoreInfo) -> Self {
        let a = &s.store_address;
        Self {
            title: s.title.clone(),
            description: s.description.clone(),
            home_url: s.home_url.clone(),
            language: s.language.clone(),
            gmt_offset: s.gmt_offset,
            timezone: s.timezone_string.clone(),
            address: a.address.clone(),
            address_2: a.address_2.clone(),
            city: a.city.clone(),
            country_code: a.country_code().map(str::to_string),
            state_code: a.state_code().map(str::to_string),
            postcode: a.postcode.clone(),
            version: s.version.clone(),
        }
    }
}
