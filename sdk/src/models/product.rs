//! Products, variations and their taxonomies (`/products…`). Read-only, public routes.
//!
//! A real store's product JSON has many more fields than typed here (dates, reviews, meta data…);
//! they are all kept in each type's `extra` map.

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
    /// Attributes keyed as the store keys them (`attribute_pa_color`, or `attribute_<name>` for
    /// a custom attribute); `[]` decodes to empty, a list is keyed by position. See
    /// [`Product::attributes_in_order`].
    #[serde(deserialize_with = "lenient::map")]
    pub attributes: BTreeMap<String, ProductAttribute>,
    /// Default choices of a variable product, keyed like [`Product::attributes`]; `[]` decodes to
    /// empty.
    #[serde(deserialize_with = "lenient::map")]
    pub default_attributes: BTreeMap<String, DefaultAttribute>,
    /// Average rating over the store's approved reviews (sent as a string, `"4.00"`; 0 unrated).
    #[serde(deserialize_with = "lenient::f64")]
    pub average_rating: f64,
    /// Number of reviews.
    #[serde(deserialize_with = "lenient::u64")]
    pub review_count: u64,
    /// Number of reviews with a rating.
    #[serde(deserialize_with = "lenient::u64")]
    pub rating_count: u64,
    /// Reviews, filled only when asked for ([`crate::CatalogApi::product_with_reviews`] or
    /// [`crate::models::ProductQuery::with_reviews`]).
    #[serde(deserialize_with = "lenient::vec")]
    pub reviews: Vec<EmbeddedReview>,
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

    /// The attributes in the store's display order (`position`, then key).
    pub fn attributes_in_order(&self) -> Vec<(&str, &ProductAttribute)> {
        let mut list: Vec<(&str, &ProductAttribute)> = self
            .attributes
            .iter()
            .map(|(k, a)| (k.as_str(), a))
            .collect();
        list.sort_by_key(|(k, a)| (a.position, *k));
        list
    }

    /// The attribute of a taxonomy (`pa_color`) or of a key (`attribute_pa_color`).
    pub fn attribute(&self, name: &str) -> Option<&ProductAttribute> {
        self.attributes
            .get(name)
            .or_else(|| self.attributes.get(&format!("attribute_{name}")))
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
    /// URLs by size name (`thumbnail`, `full`…). A plain URL string is accepted as the `full`
    /// size.
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

/// Image URLs by size: a map of strings (see `lenient::string_map`), or one non-empty URL string as
/// `full`.
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

/// One of a product's attributes (e.g. Color), as in `attributes.attribute_pa_color`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductAttribute {
    /// The global attribute id, 0 for a custom attribute.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Name, e.g. `"Color"`.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Display position.
    #[serde(deserialize_with = "lenient::u32")]
    pub position: u32,
    /// Shown on the product page.
    #[serde(deserialize_with = "lenient::bool")]
    pub is_attribute_visible: bool,
    /// Used to pick a variation.
    #[serde(deserialize_with = "lenient::bool")]
    pub used_for_variation: bool,
    /// The options in the store's order: an object slug → name on the wire, or (older shapes) a
    /// list of names or of `{slug,name}` objects.
    #[serde(deserialize_with = "attribute_options")]
    pub options: Vec<AttributeOption>,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ProductAttribute {
    /// The option names (`"Blue"`), in order.
    pub fn options(&self) -> Vec<String> {
        self.options.iter().map(|o| o.name.clone()).collect()
    }

    /// The option slugs (`"blue"`), in order: what filters and add-to-cart take.
    pub fn option_slugs(&self) -> Vec<String> {
        self.options.iter().map(|o| o.slug.clone()).collect()
    }
}

/// One option of an attribute: the slug the store matches and the name it shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeOption {
    /// The term slug, e.g. `blue`.
    pub slug: String,
    /// The display name, e.g. `Blue`.
    pub name: String,
}

/// A slug for an option sent only by name: lower case, spaces as dashes.
fn slug_of(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

/// An option given as a name string, or as an object with `name` and maybe `slug`; `key` is
/// the slug when the options came as an object.
struct OptionItemSeed<'k>(Option<&'k str>);

impl<'k> OptionItemSeed<'k> {
    fn named(&self, name: String) -> AttributeOption {
        AttributeOption {
            slug: self.0.map_or_else(|| slug_of(&name), str::to_owned),
            name,
        }
    }
}

impl<'de> de::DeserializeSeed<'de> for OptionItemSeed<'_> {
    type Value = Option<AttributeOption>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for OptionItemSeed<'_> {
    type Value = Option<AttributeOption>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an option name, or {slug,name}")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(self.named(v.to_owned())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(self.named(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(self.named(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        de::IgnoredAny.visit_seq(seq).map(|_| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Obj {
            #[serde(deserialize_with = "lenient::string")]
            slug: String,
            #[serde(deserialize_with = "lenient::string")]
            name: String,
        }
        let o = Obj::deserialize(MapAccessDeserializer::new(map))?;
        let name = if o.name.is_empty() {
            o.slug.clone()
        } else {
            o.name
        };
        if o.slug.is_empty() {
            return Ok((!name.is_empty()).then(|| self.named(name)));
        }
        Ok(Some(AttributeOption { slug: o.slug, name }))
    }
    lenient::null_is!(None);
}

struct OptionsVisitor;

impl<'de> Visitor<'de> for OptionsVisitor {
    type Value = Vec<AttributeOption>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("options as an object slug → name, or a list")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if let Some(o) = map.next_value_seed(OptionItemSeed(Some(&key)))? {
                out.push(o);
            }
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(o) = seq.next_element_seed(OptionItemSeed(None))? {
            out.extend(o);
        }
        Ok(out)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        // A `|`-separated string, as WooCommerce stores custom options.
        Ok(v.split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| AttributeOption {
                slug: slug_of(name),
                name: name.to_owned(),
            })
            .collect())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    lenient::null_is!(Vec::new());
    lenient::reject_numbers!();
}

fn attribute_options<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AttributeOption>, D::Error> {
    d.deserialize_any(OptionsVisitor)
}

/// A default choice of a variable product: `{"id":1,"name":"Color","option":"blue"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultAttribute {
    /// The global attribute id, 0 for a custom attribute.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// The attribute name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// The default option's slug.
    #[serde(deserialize_with = "lenient::string")]
    pub option: String,
}

/// A review embedded in a product by `show_reviews`: every value arrives as a string and is
/// read as its type. The comment is plain text and the dates are `YYYY-MM-DD HH:MM:SS`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmbeddedReview {
    /// The review (comment) id.
    #[serde(deserialize_with = "lenient::u64")]
    pub review_id: u64,
    /// The author's name, first letter upper-cased by the store.
    #[serde(deserialize_with = "lenient::string")]
    pub author_name: String,
    /// The author's URL, usually empty.
    #[serde(deserialize_with = "lenient::string")]
    pub author_url: String,
    /// The review text (plain text).
    #[serde(deserialize_with = "lenient::string")]
    pub review_comment: String,
    /// Local date, `YYYY-MM-DD HH:MM:SS`.
    #[serde(deserialize_with = "lenient::string")]
    pub review_date: String,
    /// GMT date, `YYYY-MM-DD HH:MM:SS`.
    #[serde(deserialize_with = "lenient::string")]
    pub review_date_gmt: String,
    /// 1 to 5, 0 when none.
    #[serde(deserialize_with = "lenient::u32")]
    pub rating: u32,
    /// Whether the author bought the product; `None` when the store has not worked it out yet
    /// (it sends `""`).
    #[serde(deserialize_with = "opt_flag")]
    pub verified: Option<bool>,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `"0"`/`"1"`/booleans/numbers as a flag, `""` and `null` as unknown.
struct OptFlagVisitor;

impl<'de> Visitor<'de> for OptFlagVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a flag, or \"\" when unknown")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v != 0))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v != 0))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v != 0.0))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            lenient::bool(de::value::StrDeserializer::<E>::new(v)).map(Some)
        }
    }
    lenient::null_is!(None);
}

fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(OptFlagVisitor)
}

/// A variation's value for one attribute. The variations route and `/products/{variation}`
/// send `{"id":1,"name":"Color","option":{"blue":"Blue"}}`; the variations embedded in a parent
/// send only the slug (`"blue"`), so `id`, `name` and `option_name` are then empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariationOption {
    /// The global attribute id (0 when unknown or custom).
    pub id: u64,
    /// The attribute name (`Color`), may be empty.
    pub name: String,
    /// The option slug (`blue`): what add-to-cart's `variation` takes.
    pub slug: String,
    /// The option name (`Blue`), may be empty.
    pub option_name: String,
}

struct VariationOptionVisitor;

impl<'de> Visitor<'de> for VariationOptionVisitor {
    type Value = Option<VariationOption>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an option slug, or {id,name,option}")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(VariationOption {
            slug: v.to_owned(),
            ..VariationOption::default()
        }))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        de::IgnoredAny.visit_seq(seq).map(|_| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Obj {
            #[serde(deserialize_with = "lenient::u64")]
            id: u64,
            #[serde(deserialize_with = "lenient::string")]
            name: String,
            #[serde(deserialize_with = "attribute_options")]
            option: Vec<AttributeOption>,
        }
        let o = Obj::deserialize(MapAccessDeserializer::new(map))?;
        let first = o.option.into_iter().next().unwrap_or_default();
        Ok(Some(VariationOption {
            id: o.id,
            name: o.name,
            slug: first.slug,
            option_name: first.name,
        }))
    }
    lenient::null_is!(None);
}

struct VariationAttributesVisitor;

impl<'de> Visitor<'de> for VariationAttributesVisitor {
    type Value = BTreeMap<String, VariationOption>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variation attributes, or []")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        struct Seed;
        impl<'de> de::DeserializeSeed<'de> for Seed {
            type Value = Option<VariationOption>;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(VariationOptionVisitor)
            }
        }
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if let Some(o) = map.next_value_seed(Seed)? {
                out.insert(key, o);
            }
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        de::IgnoredAny.visit_seq(seq).map(|_| BTreeMap::new())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }
    lenient::null_is!(BTreeMap::new());
    lenient::reject_numbers!();
}

fn variation_attributes<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, VariationOption>, D::Error> {
    d.deserialize_any(VariationAttributesVisitor)
}

/// A variation of a variable product (in `Product::variations` or `GET /products/{id}/variations`).
/// Only the commonly present fields are typed; the rest stay in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Variation {
    /// Variation id (use it, or the parent id plus `attributes`, to add to the cart).
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Attribute key (`attribute_pa_color`) → the chosen option, from either wire shape; `[]`
    /// decodes to empty. See [`Variation::selection`].
    #[serde(deserialize_with = "variation_attributes")]
    pub attributes: BTreeMap<String, VariationOption>,
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

impl Variation {
    /// Attribute key → option slug: the `variation` object add-to-cart takes.
    pub fn selection(&self) -> BTreeMap<String, String> {
        self.attributes
            .iter()
            .map(|(k, o)| (k.clone(), o.slug.clone()))
            .collect()
    }
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
