//! Cart lines (`items`) and removed lines (`removed_items`).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::currency::Currency;
use super::lenient;
use super::money::{Amount, Money, MoneyLike};

/// The key of a cart line: WooCommerce's `generate_cart_id` md5 (32 hex chars). Treat it as opaque.
/// Decodes from a string (or a number, leniently).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey(String);

impl ItemKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the key can be put into the `/cart/item/{item_key}` path as is: 1 to 32 chars of
    /// `[A-Za-z0-9_]` (the route pattern `[\w]+`, at most 32 from CoCart 4.8.0).
    pub fn is_well_formed(&self) -> bool {
        (1..=32).contains(&self.0.len())
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    }
}

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ItemKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for ItemKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

impl From<&str> for ItemKey {
    fn from(key: &str) -> Self {
        Self(key.to_owned())
    }
}

impl Serialize for ItemKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ItemKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::string(d).map(ItemKey)
    }
}

/// A line's quantity: `{"value":2,"min_purchase":1,"max_purchase":-1}`. All numbers are floats
/// (CoCart uses `floatval`), and `max_purchase` is `-1` when unlimited. A plain number decodes as
/// `value` with no limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ItemQuantity {
    /// The quantity in the cart (may be fractional, e.g. `1.5`).
    pub value: f64,
    /// Minimum purchasable quantity.
    pub min_purchase: f64,
    /// Maximum purchasable quantity; negative (`-1`) means unlimited. See
    /// [`ItemQuantity::max_purchase`].
    pub max_purchase: f64,
}

impl Default for ItemQuantity {
    fn default() -> Self {
        Self {
            value: 0.0,
            min_purchase: 0.0,
            max_purchase: -1.0,
        }
    }
}

impl ItemQuantity {
    /// The maximum purchasable quantity, `None` when unlimited (`-1` or any negative value).
    pub fn max_purchase(&self) -> Option<f64> {
        (self.max_purchase >= 0.0).then_some(self.max_purchase)
    }
}

#[derive(Deserialize)]
#[serde(default)]
struct RawItemQuantity {
    #[serde(deserialize_with = "lenient::f64")]
    value: f64,
    #[serde(deserialize_with = "lenient::f64")]
    min_purchase: f64,
    #[serde(deserialize_with = "lenient::opt_f64")]
    max_purchase: Option<f64>,
}

impl Default for RawItemQuantity {
    fn default() -> Self {
        Self {
            value: 0.0,
            min_purchase: 0.0,
            max_purchase: None,
        }
    }
}

/// A quantity: the `{value,min_purchase,max_purchase}` object, or a plain number or numeric string
/// (`value` alone). `null` and `""` give 0. With `value_only`, only the object's `value` is read
/// and the rest skipped.
struct ItemQuantityVisitor {
    value_only: bool,
}

/// The one key of a quantity object that a removed line keeps.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum QuantityKey {
    Value,
    #[serde(other)]
    Other,
}

impl ItemQuantityVisitor {
    fn plain(value: Option<f64>) -> ItemQuantity {
        ItemQuantity {
            value: value.unwrap_or(0.0),
            ..ItemQuantity::default()
        }
    }
}

impl<'de> Visitor<'de> for ItemQuantityVisitor {
    type Value = ItemQuantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity object or a number")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemQuantity, A::Error> {
        if self.value_only {
            let mut value = None;
            while let Some(key) = map.next_key::<QuantityKey>()? {
                match key {
                    QuantityKey::Value => value = map.next_value_seed(lenient::F64Seed)?,
                    QuantityKey::Other => {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
            }
            return Ok(Self::plain(value));
        }
        let raw = RawItemQuantity::deserialize(MapAccessDeserializer::new(map))?;
        Ok(ItemQuantity {
            value: raw.value,
            min_purchase: raw.min_purchase,
            max_purchase: raw.max_purchase.unwrap_or(-1.0),
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ItemQuantity, E> {
        lenient::F64Visitor.visit_i64(v).map(Self::plain)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ItemQuantity, E> {
        lenient::F64Visitor.visit_u64(v).map(Self::plain)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ItemQuantity, E> {
        lenient::F64Visitor.visit_f64(v).map(Self::plain)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ItemQuantity, E> {
        lenient::F64Visitor.visit_bool(v).map(Self::plain)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<ItemQuantity, E> {
        lenient::F64Visitor.visit_str(v).map(Self::plain)
    }
    lenient::null_is!(Self::plain(None));
}

impl<'de> Deserialize<'de> for ItemQuantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemQuantityVisitor { value_only: false })
    }
}

/// A removed line's quantity: a plain number or numeric string, or the `{value,…}` object (its
/// `value` is taken).
fn plain_quantity<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    d.deserialize_any(ItemQuantityVisitor { value_only: true })
        .map(|q| q.value)
}

/// A line's totals. `subtotal` is a minor-unit string; `subtotal_tax`, `total` and `tax` are
/// major-unit numbers in CoCart 4.3.x–4.9.3 and minor-unit strings in the 4.9 OpenAPI. Each decodes
/// as [`MoneyLike`]; use the `CartItem::line_*` accessors to get [`Money`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemTotals {
    /// Line subtotal before discounts.
    pub subtotal: MoneyLike,
    /// Tax on the subtotal.
    pub subtotal_tax: MoneyLike,
    /// Line total after discounts.
    pub total: MoneyLike,
    /// Tax on the total.
    pub tax: MoneyLike,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Product dimensions of a line (strings as the store keeps them; empty when unset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dimensions {
    /// Length.
    #[serde(deserialize_with = "lenient::string")]
    pub length: String,
    /// Width.
    #[serde(deserialize_with = "lenient::string")]
    pub width: String,
    /// Height.
    #[serde(deserialize_with = "lenient::string")]
    pub height: String,
    /// Unit, e.g. `"cm"`.
    #[serde(deserialize_with = "lenient::string")]
    pub unit: String,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A line's `meta` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemMeta {
    /// Product type, e.g. `"simple"` or `"variation"`.
    #[serde(deserialize_with = "lenient::string")]
    pub product_type: String,
    /// SKU; may be empty.
    #[serde(deserialize_with = "lenient::string")]
    pub sku: String,
    /// Dimensions (`[]` decodes to empty).
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub dimensions: Dimensions,
    /// Weight of the line (product weight × quantity) as a string in the store's unit; `"0.0"`
    /// when none.
    #[serde(deserialize_with = "lenient::string")]
    pub weight: String,
    /// Variation attributes, label → value name (`{"Color":"Blue"}`); `[]` decodes to empty.
    #[serde(deserialize_with = "lenient::string_map")]
    pub variation: BTreeMap<String, String>,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One cart line, as found in `Cart::items`, `GET /cart/item/{key}` and the values of `GET
/// /cart/items`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CartItem {
    /// The line key.
    pub item_key: ItemKey,
    /// Product id (the variation id for variations).
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Product name, e.g. `"Hoodie - Blue"`.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Product title without variation, e.g. `"Hoodie"`.
    #[serde(deserialize_with = "lenient::string")]
    pub title: String,
    /// Unit price in minor units.
    pub price: Amount,
    /// Quantity and its limits.
    pub quantity: ItemQuantity,
    /// Line totals (mixed units, see [`ItemTotals`]).
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub totals: ItemTotals,
    /// Product slug (the parent's for variations).
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// Product type, SKU, dimensions, weight and variation.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub meta: ItemMeta,
    /// Backorder text (`""` or `"Available on backorder"`).
    #[serde(deserialize_with = "lenient::string")]
    pub backorders: String,
    /// Leftover custom data (your `item_data`); `[]` decodes to empty.
    #[serde(deserialize_with = "lenient::json_map")]
    pub cart_item_data: Map<String, Value>,
    /// Thumbnail URL; `""` when requested with `thumb=false`.
    #[serde(deserialize_with = "lenient::string")]
    pub featured_image: String,
    /// Per-item extension data (4.4+); `None` when absent.
    #[serde(
        deserialize_with = "lenient::opt_json_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub extensions: Option<Map<String, Value>>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CartItem {
    /// The quantity in the cart.
    pub fn quantity(&self) -> f64 {
        self.quantity.value
    }

    /// The maximum purchasable quantity, `None` when unlimited.
    pub fn max_purchase(&self) -> Option<f64> {
        self.quantity.max_purchase()
    }

    /// The unit price.
    pub fn unit_price(&self, currency: &Currency) -> Money {
        self.price.with_currency(currency)
    }

    /// The line subtotal (before discounts).
    pub fn line_subtotal(&self, currency: &Currency) -> Money {
        self.totals.subtotal.with_currency(currency)
    }

    /// The tax on the line subtotal.
    pub fn line_subtotal_tax(&self, currency: &Currency) -> Money {
        self.totals.subtotal_tax.with_currency(currency)
    }

    /// The line total (after discounts).
    pub fn line_total(&self, currency: &Currency) -> Money {
        self.totals.total.with_currency(currency)
    }

    /// The tax on the line total.
    pub fn line_tax(&self, currency: &Currency) -> Money {
        self.totals.tax.with_currency(currency)
    }
}

/// A line in the cart's `removed_items`: the same as [`CartItem`] except that `quantity` is a plain
/// number. (The object form is accepted too; its `value` is taken.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemovedItem {
    /// The line key (use it to restore the line).
    pub item_key: ItemKey,
    /// Product id (the variation id for variations).
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Product name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Product title without variation.
    #[serde(deserialize_with = "lenient::string")]
    pub title: String,
    /// Unit price in minor units.
    pub price: Amount,
    /// The quantity the line had.
    #[serde(deserialize_with = "plain_quantity")]
    pub quantity: f64,
    /// Line totals (mixed units, see [`ItemTotals`]).
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub totals: ItemTotals,
    /// Product slug.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// Product type, SKU, dimensions, weight and variation.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub meta: ItemMeta,
    /// Backorder text.
    #[serde(deserialize_with = "lenient::string")]
    pub backorders: String,
    /// Leftover custom data; `[]` decodes to empty.
    #[serde(deserialize_with = "lenient::json_map")]
    pub cart_item_data: Map<String, Value>,
    /// Thumbnail URL.
    #[serde(deserialize_with = "lenient::string")]
    pub featured_image: String,
    /// Per-item extension data; `None` when absent.
    #[serde(
        deserialize_with = "lenient::opt_json_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub extensions: Option<Map<String, Value>>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RemovedItem {
    /// The unit price.
    pub fn unit_price(&self, currency: &Currency) -> Money {
        self.price.with_currency(currency)
    }

    /// The line total the removed line had.
    pub fn line_total(&self, currency: &Currency) -> Money {
        self.totals.total.with_currency(currency)
    }
}

/// A list of cart lines that decodes from a JSON array (`Cart::items`) **or** from an object keyed
/// by item key (`GET /cart/items`), keeping the wire order. Dereferences to `[CartItem]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct CartItems(pub Vec<CartItem>);

impl<'de> Deserialize<'de> for CartItems {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::vec(d).map(CartItems)
    }
}

impl std::ops::Deref for CartItems {
    type Target = [CartItem];

    fn deref(&self) -> &[CartItem] {
        &self.0
    }
}

impl CartItems {
    /// The line with this key.
    pub fn by_key(&self, key: &str) -> Option<&CartItem> {
        self.0.iter().find(|item| item.item_key.as_str() == key)
    }

    /// Unwraps the list.
    pub fn into_vec(self) -> Vec<CartItem> {
        self.0
    }
}
