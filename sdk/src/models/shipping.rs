//! The cart's `shipping` object: packages and their rates.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::currency::Currency;
use super::lenient;
use super::money::{Amount, Money};

/// Shipping packages and rates. The cart's `shipping` is `[]` when shipping is off or no method
/// exists, which decodes to `Cart::shipping == None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Shipping {
    /// Number of packages.
    #[serde(deserialize_with = "lenient::u32")]
    pub total_packages: u32,
    /// Whether the store shows package details.
    #[serde(deserialize_with = "lenient::bool")]
    pub show_package_details: bool,
    /// Whether shipping has been calculated for the current address.
    #[serde(deserialize_with = "lenient::bool")]
    pub has_calculated_shipping: bool,
    /// Packages, in `index` order. The wire sends an object whose first key is `"default"` and
    /// whose later keys are junk (PHP string increment), so the keys are dropped; a list is
    /// accepted too.
    #[serde(deserialize_with = "packages")]
    pub packages: Vec<ShippingPackage>,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn packages<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ShippingPackage>, D::Error> {
    let mut list: Vec<ShippingPackage> = lenient::vec(d)?;
    list.sort_by_key(|p| p.index);
    Ok(list)
}

/// One shipping package with its rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShippingPackage {
    /// Display name, e.g. `"Shipping"`.
    #[serde(deserialize_with = "lenient::string")]
    pub package_name: String,
    /// Rates, in the order the store sent them (the wire keys are the rate keys, also held in
    /// [`ShippingRate::key`]).
    #[serde(deserialize_with = "lenient::vec")]
    pub rates: Vec<ShippingRate>,
    /// Package details text (e.g. the items in it); may be empty.
    #[serde(deserialize_with = "lenient::string")]
    pub package_details: String,
    /// Position of the package; use this rather than the junk wire key.
    #[serde(deserialize_with = "lenient::u32")]
    pub index: u32,
    /// Key of the chosen rate, e.g. `"flat_rate:1"`.
    #[serde(deserialize_with = "lenient::string")]
    pub chosen_method: String,
    /// The destination as text, e.g. `"Beverly Hills, CA 90210, US"`.
    #[serde(deserialize_with = "lenient::string")]
    pub formatted_destination: String,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ShippingPackage {
    /// The chosen rate: the one whose key is `chosen_method`, else the one flagged `chosen_method:
    /// true`.
    pub fn chosen_rate(&self) -> Option<&ShippingRate> {
        self.rates
            .iter()
            .find(|r| !self.chosen_method.is_empty() && r.key == self.chosen_method)
            .or_else(|| self.rates.iter().find(|r| r.chosen_method))
    }
}

/// One shipping rate of a package.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShippingRate {
    /// Rate key, e.g. `"flat_rate:1"`.
    #[serde(deserialize_with = "lenient::string")]
    pub key: String,
    /// Method id, e.g. `"flat_rate"`.
    #[serde(deserialize_with = "lenient::string")]
    pub method_id: String,
    /// Method instance id.
    #[serde(deserialize_with = "lenient::u64")]
    pub instance_id: u64,
    /// Label, e.g. `"Flat rate"`.
    #[serde(deserialize_with = "lenient::string")]
    pub label: String,
    /// Cost in minor units.
    pub cost: Amount,
    /// Formatted text, e.g. `"Flat rate: $5.00"`.
    #[serde(deserialize_with = "lenient::string")]
    pub html: String,
    /// The last tax line in minor units (`""` on the wire decodes to 0).
    pub taxes: Amount,
    /// Whether this rate is the chosen one.
    #[serde(deserialize_with = "lenient::bool")]
    pub chosen_method: bool,
    /// Rate metadata, e.g. `{"items":"Hoodie × 2"}`; `[]` decodes to empty.
    #[serde(deserialize_with = "lenient::json_map")]
    pub meta_data: Map<String, Value>,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ShippingRate {
    /// The cost as [`Money`].
    pub fn cost(&self, currency: &Currency) -> Money {
        self.cost.with_currency(currency)
    }
}
