//! Product and store records.

use std::collections::HashMap;

use cocart::models::{ProductPrices, ProductStock};

use super::{Money, hash_map};

/// A product.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Product {
    /// Product id.
    pub id: u64,
    /// Parent id (variations), else 0.
    pub parent_id: u64,
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
    /// Attributes (variable products).
    pub attributes: Vec<ProductAttribute>,
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
            id: p.id,
            parent_id: p.parent_id,
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
                    id: i.id,
                    src: hash_map(&i.src),
                    name: i.name.clone(),
                    alt: i.alt.clone(),
                    featured: i.featured,
                })
                .collect(),
            categories: p.categories.iter().map(Category::from).collect(),
            tags: p.tags.iter().map(Tag::from).collect(),
            attributes: p
                .attributes
                .iter()
                .map(|a| ProductAttribute {
                    id: a.id,
                    name: a.name.clone(),
                    options: a.options(),
                })
                .collect(),
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
    pub id: u64,
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
    pub id: u64,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
}

impl From<&cocart::models::Category> for Category {
    fn from(c: &cocart::models::Category) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            slug: c.slug.clone(),
        }
    }
}

/// A product tag.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Tag {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
}

impl From<&cocart::models::Tag> for Tag {
    fn from(t: &cocart::models::Tag) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            slug: t.slug.clone(),
        }
    }
}

/// A product attribute with its options.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProductAttribute {
    /// Id (0 for a custom attribute).
    pub id: u64,
    /// Name, e.g. `Color`.
    pub name: String,
    /// Option labels.
    pub options: Vec<String>,
}

/// A variation of a variable product.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Variation {
    /// Variation id.
    pub id: u64,
    /// Attribute → value.
    pub attributes: HashMap<String, String>,
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
            id: v.id,
            attributes: hash_map(&v.attributes),
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
    pub page: u32,
    /// Number of pages.
    pub total_pages: u32,
    /// Number of products over all pages.
    pub total_products: u64,
    /// Whether a later page exists.
    pub has_next: bool,
}

impl From<cocart::models::ProductPage> for ProductPage {
    fn from(p: cocart::models::ProductPage) -> Self {
        let has_next = p.has_next();
        Self {
            products: p.products.into_iter().map(Product::from).collect(),
            page: p.page,
            total_pages: p.total_pages,
            total_products: p.total_products,
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
