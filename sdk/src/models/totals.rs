//! The raw WooCommerce totals of `GET /cart/totals`. Prefer `Cart::totals`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;
use super::money::MoneyLike;

/// `GET /cart/totals` (without `html=true`): WooCommerce's `get_totals()` as is.
///
/// CoCart 4.3.x–4.9.3 sends major-unit decimals, a mix of numbers (`20`, `1.5`) and decimal strings
/// (`"20.00"`); the 4.9 OpenAPI shows minor-unit integer strings. Each value decodes as
/// [`MoneyLike`] (a number or a decimal string is major units, an integer string is minor units),
/// so both forms give the right `value.with_currency(&cart.currency)`. With `html=true` the values
/// are formatted text and do not decode; fetch them as raw JSON instead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CartTotalsRaw {
    /// Lines before discounts.
    pub subtotal: MoneyLike,
    /// Tax on the subtotal.
    pub subtotal_tax: MoneyLike,
    /// Shipping.
    pub shipping_total: MoneyLike,
    /// Tax on shipping.
    pub shipping_tax: MoneyLike,
    /// Shipping tax by rate id (`[]` when none).
    #[serde(deserialize_with = "lenient::map")]
    pub shipping_taxes: BTreeMap<String, MoneyLike>,
    /// Discounts.
    pub discount_total: MoneyLike,
    /// Tax on discounts.
    pub discount_tax: MoneyLike,
    /// Lines after discounts.
    pub cart_contents_total: MoneyLike,
    /// Tax on the lines.
    pub cart_contents_tax: MoneyLike,
    /// Line tax by rate id (`[]` when none).
    #[serde(deserialize_with = "lenient::map")]
    pub cart_contents_taxes: BTreeMap<String, MoneyLike>,
    /// Fees.
    pub fee_total: MoneyLike,
    /// Tax on fees.
    pub fee_tax: MoneyLike,
    /// Fee tax by rate id (`[]` when none).
    #[serde(deserialize_with = "lenient::map")]
    pub fee_taxes: BTreeMap<String, MoneyLike>,
    /// Grand total.
    pub total: MoneyLike,
    /// All tax.
    pub total_tax: MoneyLike,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
