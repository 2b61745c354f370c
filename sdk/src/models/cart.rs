//! The full cart response and its small parts: totals, coupons, fees and cross-sells (taxes:
//! `taxes.rs`).

use std::collections::BTreeMap;

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::currency::Currency;
use super::customer::Customer;
use super::item::{CartItem, RemovedItem};
use super::lenient;
use super::money::{Amount, AmountVisitor, Money};
use super::notices::Notices;
use super::shipping::Shipping;
use super::taxes::Taxes;

/// The literal `cart_hash` of an empty cart.
pub const EMPTY_CART_HASH: &str = "No items in cart so no hash";

/// A cart, as returned by `GET /cart` and every cart write.
///
/// Every field is lenient (PHP's `[]` for empty maps, numbers as strings and vice versa) and
/// defaults when missing, so responses filtered with `fields=` decode too. Unknown top-level fields
/// are kept in [`Cart::extra`]. Money fields hold raw [`Amount`]s in minor units; the accessors
/// ([`Cart::total`] …) pair them with [`Cart::currency`] into [`Money`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cart {
    /// md5 of the cart contents; the literal [`EMPTY_CART_HASH`] when empty. See [`Cart::hash`].
    #[serde(deserialize_with = "lenient::string")]
    pub cart_hash: String,
    /// The cart key: a guest key (opaque, e.g. `t_…`) or a customer's user id (`"42"`; a number is
    /// accepted).
    #[serde(deserialize_with = "lenient::string")]
    pub cart_key: String,
    /// The currency of every amount in the cart.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub currency: Currency,
    /// Billing and shipping addresses.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub customer: Customer,
    /// The lines, in cart order (an object keyed by item key is accepted too).
    #[serde(deserialize_with = "lenient::vec")]
    pub items: Vec<CartItem>,
    /// Total quantity of all lines (a float: quantities may be fractional).
    #[serde(deserialize_with = "lenient::f64")]
    pub item_count: f64,
    /// Total weight as a string in the store's weight unit, e.g. `"1.5"`.
    #[serde(deserialize_with = "lenient::string")]
    pub items_weight: String,
    /// Applied coupons.
    #[serde(deserialize_with = "lenient::vec")]
    pub coupons: Vec<Coupon>,
    /// Whether the order needs payment.
    #[serde(deserialize_with = "lenient::bool")]
    pub needs_payment: bool,
    /// Whether the order needs shipping.
    #[serde(deserialize_with = "lenient::bool")]
    pub needs_shipping: bool,
    /// Shipping packages and rates; `None` when the wire sent `[]` (shipping off or no method).
    #[serde(deserialize_with = "lenient::opt_obj")]
    pub shipping: Option<Shipping>,
    /// Fees by fee id; `[]` decodes to empty.
    #[serde(deserialize_with = "lenient::map")]
    pub fees: BTreeMap<String, Fee>,
    /// Taxes: none, itemized by rate code, or a single line.
    pub taxes: Taxes,
    /// Cart totals in minor units.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub totals: CartTotals,
    /// Removed lines that can be restored (a list, or an object keyed by item key on an otherwise
    /// empty cart).
    #[serde(deserialize_with = "lenient::vec")]
    pub removed_items: Vec<RemovedItem>,
    /// Up to three suggested products.
    #[serde(deserialize_with = "lenient::vec")]
    pub cross_sells: Vec<CrossSell>,
    /// Notices of this request. Stock problems arrive here as errors with HTTP 200.
    pub notices: Notices,
    /// Top-level extension data (4.9+); `None` when absent.
    #[serde(
        deserialize_with = "lenient::opt_json_map",
        skip_serializing_if = "Option::is_none"
    )]
    pub extensions: Option<Map<String, Value>>,
    /// Unknown top-level fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Cart {
    /// The notices of this response (`cart.notices().errors()` for stock problems).
    pub fn notices(&self) -> &Notices {
        &self.notices
    }

    /// Whether the cart has no lines.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The cart hash, or `None` for an empty cart (the literal [`EMPTY_CART_HASH`] or `""`).
    pub fn hash(&self) -> Option<&str> {
        let h = self.cart_hash.as_str();
        (!h.is_empty() && h != EMPTY_CART_HASH).then_some(h)
    }

    /// The line with this key.
    pub fn item(&self, key: &str) -> Option<&CartItem> {
        self.items.iter().find(|i| i.item_key.as_str() == key)
    }

    /// The removed line with this key.
    pub fn removed_item(&self, key: &str) -> Option<&RemovedItem> {
        self.removed_items
            .iter()
            .find(|i| i.item_key.as_str() == key)
    }

    /// Pairs a raw amount of this cart with its currency.
    pub fn money(&self, amount: Amount) -> Money {
        amount.with_currency(&self.currency)
    }

    /// The grand total.
    pub fn total(&self) -> Money {
        self.money(self.totals.total)
    }
    /// The subtotal (lines before discounts).
    pub fn subtotal(&self) -> Money {
        self.money(self.totals.subtotal)
    }
    /// Tax on the subtotal.
    pub fn subtotal_tax(&self) -> Money {
        self.money(self.totals.subtotal_tax)
    }
    /// Total of fees.
    pub fn fee_total(&self) -> Money {
        self.money(self.totals.fee_total)
    }
    /// Tax on fees.
    pub fn fee_tax(&self) -> Money {
        self.money(self.totals.fee_tax)
    }
    /// Total discount.
    pub fn discount_total(&self) -> Money {
        self.money(self.totals.discount_total)
    }
    /// Tax on the discount.
    pub fn discount_tax(&self) -> Money {
        self.money(self.totals.discount_tax)
    }
    /// Shipping total.
    pub fn shipping_total(&self) -> Money {
        self.money(self.totals.shipping_total)
    }
    /// Tax on shipping.
    pub fn shipping_tax(&self) -> Money {
        self.money(self.totals.shipping_tax)
    }
    /// Total tax.
    pub fn total_tax(&self) -> Money {
        self.money(self.totals.total_tax)
    }
}

/// The cart's `totals`: every value a minor-unit string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CartTotals {
    /// Lines before discounts.
    pub subtotal: Amount,
    /// Tax on the subtotal.
    pub subtotal_tax: Amount,
    /// Fees.
    pub fee_total: Amount,
    /// Tax on fees.
    pub fee_tax: Amount,
    /// Discounts.
    pub discount_total: Amount,
    /// Tax on discounts.
    pub discount_tax: Amount,
    /// Shipping.
    pub shipping_total: Amount,
    /// Tax on shipping.
    pub shipping_tax: Amount,
    /// Grand total.
    pub total: Amount,
    /// All tax.
    pub total_tax: Amount,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One cart line with the cart's currency, which the line's money needs (see
/// [`CartApi::line`](crate::CartApi::line)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CartLine {
    /// The line.
    pub item: CartItem,
    /// The currency of the cart it belongs to.
    pub currency: Currency,
}

impl CartLine {
    /// A line with the currency of its cart.
    pub fn new(item: CartItem, currency: Currency) -> Self {
        Self { item, currency }
    }
}

/// An applied coupon.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Coupon {
    /// The coupon code, e.g. `"summer10"`.
    #[serde(deserialize_with = "lenient::string")]
    pub coupon: String,
    /// Label, e.g. `"Coupon: summer10"`.
    #[serde(deserialize_with = "lenient::string")]
    pub label: String,
    /// Discount type, e.g. `"percent"`.
    #[serde(deserialize_with = "lenient::string")]
    pub discount_type: String,
    /// The saving: a negative minor-unit amount, or a text for a free-shipping coupon worth 0.
    pub saving: CouponSaving,
    /// The saving as formatted plain text, e.g. `"-$10.00"`.
    #[serde(deserialize_with = "lenient::string")]
    pub saving_html: String,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A coupon's `saving`: usually a minor-unit string with a leading `-` (`"-1000"`), but `"Free
/// shipping coupon"` for a free-shipping coupon worth 0.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CouponSaving {
    /// The saving in minor units (negative).
    Amount(Amount),
    /// A non-numeric text, e.g. `"Free shipping coupon"`.
    Text(String),
}

impl Default for CouponSaving {
    fn default() -> Self {
        CouponSaving::Amount(Amount::ZERO)
    }
}

impl CouponSaving {
    /// The saving in minor units, `None` for a text saving.
    pub fn amount(&self) -> Option<Amount> {
        match self {
            CouponSaving::Amount(a) => Some(*a),
            CouponSaving::Text(_) => None,
        }
    }
}

impl Serialize for CouponSaving {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CouponSaving::Amount(a) => a.serialize(s),
            CouponSaving::Text(t) => s.serialize_str(t),
        }
    }
}

struct CouponSavingVisitor;

impl<'de> Visitor<'de> for CouponSavingVisitor {
    type Value = CouponSaving;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a coupon saving amount or text")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<CouponSaving, E> {
        AmountVisitor.visit_i64(v).map(CouponSaving::Amount)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<CouponSaving, E> {
        AmountVisitor.visit_u64(v).map(CouponSaving::Amount)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<CouponSaving, E> {
        AmountVisitor.visit_f64(v).map(CouponSaving::Amount)
    }
    /// A numeric string is an amount; any other text is kept as text.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<CouponSaving, E> {
        Ok(match AmountVisitor.visit_str::<E>(v) {
            Ok(amount) => CouponSaving::Amount(amount),
            Err(_) => CouponSaving::Text(v.to_owned()),
        })
    }
    fn visit_unit<E: de::Error>(self) -> Result<CouponSaving, E> {
        AmountVisitor.visit_unit().map(CouponSaving::Amount)
    }
    fn visit_none<E: de::Error>(self) -> Result<CouponSaving, E> {
        AmountVisitor.visit_none().map(CouponSaving::Amount)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<CouponSaving, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Deserialize<'de> for CouponSaving {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CouponSavingVisitor)
    }
}

/// A fee line (`{"name":"Gift wrap","fee":"500"}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Fee {
    /// Fee name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Fee amount in minor units.
    pub fee: Amount,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A suggested product (`cross_sells`). Prices are minor units; `sale_price` is `"0"` when there is
/// no sale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrossSell {
    /// Product id.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Title.
    #[serde(deserialize_with = "lenient::string")]
    pub title: String,
    /// Slug.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// Current price.
    pub price: Amount,
    /// Regular price.
    pub regular_price: Amount,
    /// Sale price (`0` when not on sale).
    pub sale_price: Amount,
    /// Image URL.
    #[serde(deserialize_with = "lenient::string")]
    pub image: String,
    /// Rating text, e.g. `"Rated 4.50 out of 5"`, or `""`.
    #[serde(deserialize_with = "lenient::string")]
    pub average_rating: String,
    /// Whether it is on sale.
    #[serde(deserialize_with = "lenient::bool")]
    pub on_sale: bool,
    /// Product type, e.g. `"simple"`.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub product_type: String,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CrossSell {
    /// The current price in the cart's currency.
    pub fn price(&self, currency: &Currency) -> Money {
        self.price.with_currency(currency)
    }
}
