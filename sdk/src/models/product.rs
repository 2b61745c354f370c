//! Products, variations and their taxonomies (§8). Read-only, public routes.
//!
//! A real store's product JSON has many more fields than typed here (dates, reviews, meta data…); they are all
//! kept in each type's `extra` map.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::{BoolDeserializer, MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::currency::Currency;
use super::lenient;
use super::money::{Amount, AmountVisitor, Money};

/// A product from `GET /products` or `GET /products/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Product {
    /// Product id.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Parent id (0 when none).
    #[serde(deserialize_with = "lenient::u64")]
    pub parent_id: u64,
    /// Name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Product type: `simple`, `variable`, `grouped`, `external`, `variation` or a plugin's type.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub product_type: String,
    /// Slug.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// Product page URL.
    #[serde(deserialize_with = "lenient::string")]
    pub permalink: String,
    /// SKU; may be empty.
    #[serde(deserialize_with = "lenient::string")]
    pub sku: String,
    /// Description (HTML).
    #[serde(deserialize_with = "lenient::string")]
    pub description: String,
    /// Short description (HTML).
    #[serde(deserialize_with = "lenient::string")]
    pub short_description: String,
    /// Creation and modification dates as sent (`[]` decodes to empty).
    #[serde(deserialize_with = "lenient::json_map")]
    pub dates: Map<String, Value>,
    /// Prices in minor units, with their currency.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub prices: ProductPrices,
    /// Images.
    #[serde(deserialize_with = "lenient::vec")]
    pub images: Vec<ProductImage>,
    /// Categories.
    #[serde(deserialize_with = "lenient::vec")]
    pub categories: Vec<Category>,
    /// Tags.
    #[serde(deserialize_with = "lenient::vec")]
    pub tags: Vec<Tag>,
    /// Attributes (a list, or an object keyed by attribute name).
    #[serde(deserialize_with = "lenient::vec")]
    pub attributes: Vec<ProductAttribute>,
    /// Variations of a variable product.
    #[serde(deserialize_with = "lenient::vec")]
    pub variations: Vec<Variation>,
    /// Stock state.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub stock: ProductStock,
    /// Purchasability and quantity limits.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub add_to_cart: AddToCart,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Product {
    /// The current price.
    pub fn price(&self) -> Money {
        self.prices.price.with_currency(&self.prices.currency)
    }

    /// The regular price.
    pub fn regular_price(&self) -> Money {
        self.prices
            .regular_price
            .with_currency(&self.prices.currency)
    }

    /// The sale price, `None` when not on sale.
    pub fn sale_price(&self) -> Option<Money> {
        self.prices
            .sale_price
            .map(|a| a.with_currency(&self.prices.currency))
    }

    /// Whether the product is in stock.
    pub fn is_in_stock(&self) -> bool {
        self.stock.is_in_stock
    }

    /// Whether the product can be bought.
    pub fn is_purchasable(&self) -> bool {
        self.add_to_cart.is_purchasable
    }
}

/// A product's `prices` object. Amounts are minor units in [`ProductPrices::currency`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductPrices {
    /// Current price.
    pub price: Amount,
    /// Regular price.
    pub regular_price: Amount,
    /// Sale price; `None` when the wire sent `""` (no sale).
    #[serde(deserialize_with = "opt_amount")]
    pub sale_price: Option<Amount>,
    /// Price range of a variable or grouped product; `None` when the wire sent `[]`.
    #[serde(deserialize_with = "lenient::opt_obj")]
    pub price_range: Option<PriceRange>,
    /// Whether the product is on sale.
    #[serde(deserialize_with = "lenient::bool")]
    pub on_sale: bool,
    /// The currency of these prices.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub currency: Currency,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An amount that may be absent: `""`/`null`/`false` give `None`.
struct OptAmountVisitor;

impl<'de> Visitor<'de> for OptAmountVisitor {
    type Value = Option<Amount>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount in minor units, or \"\" when absent")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        AmountVisitor.visit_i64(v).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        AmountVisitor.visit_u64(v).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        AmountVisitor.visit_f64(v).map(Some)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            AmountVisitor.visit_str(v).map(Some)
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            Err(lenient::wrong_kind("true", &self))
        } else {
            Ok(None)
        }
    }
    lenient::null_is!(None);
}

fn opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Amount>, D::Error> {
    d.deserialize_any(OptAmountVisitor)
}

/// A price range `{from,to}` in minor units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceRange {
    /// Lowest price.
    pub from: Amount,
    /// Highest price.
    pub to: Amount,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A product image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductImage {
    /// Attachment id.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// URLs by size name (`thumbnail`, `full`…). A plain URL string is accepted as the `full` size.
    #[serde(deserialize_with = "image_src")]
    pub src: BTreeMap<String, String>,
    /// Name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Alt text.
    #[serde(deserialize_with = "lenient::string")]
    pub alt: String,
    /// Position in the gallery.
    #[serde(deserialize_with = "lenient::u32")]
    pub position: u32,
    /// Whether this is the featured image.
    #[serde(deserialize_with = "lenient::bool")]
    pub featured: bool,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ProductImage {
    /// The URL of a size, e.g. `"thumbnail"` or `"full"`.
    pub fn url(&self, size: &str) -> Option<&str> {
        self.src
            .get(size)
            .map(String::as_str)
            .filter(|u| !u.is_empty())
    }
}

/// Image URLs by size: a map of strings (see `lenient::string_map`), or one non-empty URL string as `full`.
struct ImageSrcVisitor;

impl<'de> Visitor<'de> for ImageSrcVisitor {
    type Value = BTreeMap<String, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("URLs by size, or one URL")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            Err(lenient::wrong_kind("an empty string", &self))
        } else {
            Ok(BTreeMap::from([("full".to_owned(), v.to_owned())]))
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        lenient::string_map(MapAccessDeserializer::new(map))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        lenient::string_map(SeqAccessDeserializer::new(seq))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        lenient::string_map(BoolDeserializer::new(v))
    }
    lenient::null_is!(BTreeMap::new());
    lenient::reject_numbers!();
}

fn image_src<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    d.deserialize_any(ImageSrcVisitor)
}

/// A product category (also the element of `GET /products/categories`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Category {
    /// Term id.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Slug.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// Every other field (parent, description, count, image…), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A product tag (also the element of `GET /products/tags`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tag {
    /// Term id.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Slug.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A product attribute (e.g. Color). Fields beyond id and name vary by version and are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductAttribute {
    /// Attribute id (0 for custom attributes).
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Name, e.g. `"Color"`.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Every other field (options, position, visibility…), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ProductAttribute {
    /// The attribute's option names, read leniently from `extra["options"]`: a list or map of strings, or of
    /// objects with a `name`.
    pub fn options(&self) -> Vec<String> {
        let items: Vec<&Value> = match self.extra.get("options") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(Value::Object(map)) => map.values().collect(),
            _ => Vec::new(),
        };
        items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .collect()
    }
}

/// A variation of a variable product (in `Product::variations` or `GET /products/{id}/variations`). Only the
/// commonly present fields are typed; the rest stay in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Variation {
    /// Variation id (use it, or the parent id plus `attributes`, to add to the cart).
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Attribute → value (`{"attribute_pa_color":"blue"}`); `[]` decodes to empty.
    #[serde(deserialize_with = "lenient::string_map")]
    pub attributes: BTreeMap<String, String>,
    /// Prices, when sent.
    #[serde(
        deserialize_with = "lenient::opt_obj",
        skip_serializing_if = "Option::is_none"
    )]
    pub prices: Option<ProductPrices>,
    /// Stock state, when sent.
    #[serde(
        deserialize_with = "lenient::opt_obj",
        skip_serializing_if = "Option::is_none"
    )]
    pub stock: Option<ProductStock>,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A product's `stock` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductStock {
    /// Whether it is in stock.
    #[serde(deserialize_with = "lenient::bool")]
    pub is_in_stock: bool,
    /// Units in stock; `None` when stock is not managed (`null`).
    #[serde(deserialize_with = "lenient::opt_i64")]
    pub stock_quantity: Option<i64>,
    /// `instock`, `outofstock` or `onbackorder`.
    #[serde(deserialize_with = "lenient::string")]
    pub stock_status: String,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A product's `add_to_cart` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddToCart {
    /// Whether it can be bought.
    #[serde(deserialize_with = "lenient::bool")]
    pub is_purchasable: bool,
    /// Quantity limits; `None` when the wire sent `[]`.
    #[serde(deserialize_with = "lenient::opt_obj")]
    pub purchase_quantity: Option<PurchaseQuantity>,
    /// Every other field (button text, description…), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Quantity limits for adding a product: `max_purchase` is `-1` when unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PurchaseQuantity {
    /// Minimum quantity.
    #[serde(deserialize_with = "lenient::f64")]
    pub min_purchase: f64,
    /// Maximum quantity; negative means unlimited. See [`PurchaseQuantity::max_purchase`].
    #[serde(deserialize_with = "lenient::f64")]
    pub max_purchase: f64,
}

impl Default for PurchaseQuantity {
    fn default() -> Self {
        Self {
            min_purchase: 1.0,
            max_purchase: -1.0,
        }
    }
}

impl PurchaseQuantity {
    /// The maximum quantity, `None` when unlimited.
    pub fn max_purchase(&self) -> Option<f64> {
        (self.max_purchase >= 0.0).then_some(self.max_purchase)
    }
}

/// One page of `GET /products`: `{"products":[…],"page":1,"total_pages":3,"total_products":25}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductPage {
    /// The products on this page.
    #[serde(deserialize_with = "lenient::vec")]
    pub products: Vec<Product>,
    /// This page's number (1-based).
    #[serde(deserialize_with = "lenient::u32")]
    pub page: u32,
    /// Number of pages.
    #[serde(deserialize_with = "lenient::u32")]
    pub total_pages: u32,
    /// Number of products over all pages.
    #[serde(deserialize_with = "lenient::u64")]
    pub total_products: u64,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ProductPage {
    /// Whether a later page exists.
    pub fn has_next(&self) -> bool {
        self.page < self.total_pages
    }
}
