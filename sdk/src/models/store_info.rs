//! Store information (`GET /store`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// `GET /store`:
/// `{"title","description","home_url","language","gmt_offset","timezone_string","store_address"}`.
/// `version` and `routes` appear only when the store runs with `WP_DEBUG`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoreInfo {
    /// Site title.
    #[serde(deserialize_with = "lenient::string")]
    pub title: String,
    /// Site tagline.
    #[serde(deserialize_with = "lenient::string")]
    pub description: String,
    /// Home URL.
    #[serde(deserialize_with = "lenient::string")]
    pub home_url: String,
    /// Locale, e.g. `"en_US"`.
    #[serde(deserialize_with = "lenient::string")]
    pub language: String,
    /// UTC offset in hours (the raw option, a string or a number; `""` gives 0).
    #[serde(deserialize_with = "lenient::f64")]
    pub gmt_offset: f64,
    /// Time zone name, e.g. `"America/New_York"`; may be empty when only an offset is set.
    #[serde(deserialize_with = "lenient::string")]
    pub timezone_string: String,
    /// The store's address.
    #[serde(deserialize_with = "lenient::obj_or_default")]
    pub store_address: StoreAddress,
    /// CoCart version (debug mode only).
    #[serde(
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<String>,
    /// Route index (debug mode only), kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Value>,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The store's address. `country` is WooCommerce's raw value, e.g. `"US:CA"` (country and state).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoreAddress {
    /// Street address.
    #[serde(deserialize_with = "lenient::string")]
    pub address: String,
    /// Second address line.
    #[serde(deserialize_with = "lenient::string")]
    pub address_2: String,
    /// City.
    #[serde(deserialize_with = "lenient::string")]
    pub city: String,
    /// Raw country value: `"US"` or `"US:CA"`.
    #[serde(deserialize_with = "lenient::string")]
    pub country: String,
    /// Postcode.
    #[serde(deserialize_with = "lenient::string")]
    pub postcode: String,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StoreAddress {
    /// The country code: the part of `country` before `:` (`"US"` for `"US:CA"`), `None` when
    /// empty.
    pub fn country_code(&self) -> Option<&str> {
        self.country.split(':').next().filter(|c| !c.is_empty())
    }

    /// The state code: the part of `country` after `:` (`"CA"` for `"US:CA"`), `None` when absent.
    pub fn state_code(&self) -> Option<&str> {
        self.country
            .split_once(':')
            .map(|(_, s)| s)
            .filter(|s| !s.is_empty())
    }
}
