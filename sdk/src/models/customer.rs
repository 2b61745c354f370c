//! The cart's customer addresses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// The cart's `customer` object: `{"billing_address":{…},"shipping_address":{…}}`.
///
/// Each address is a map keyed by WooCommerce checkout field name (`billing_first_name`,
/// `shipping_city`…), or `[]` when there is no customer. Read it through [`Customer::billing`] and
/// [`Customer::shipping`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    /// Billing fields keyed by their full name (`billing_first_name`…). Values are strings.
    #[serde(deserialize_with = "lenient::string_map")]
    pub billing_address: BTreeMap<String, String>,
    /// Shipping fields keyed by their full name (`shipping_first_name`…). Values are strings.
    #[serde(deserialize_with = "lenient::string_map")]
    pub shipping_address: BTreeMap<String, String>,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Customer {
    /// Typed view of the billing address (`billing_*` fields).
    pub fn billing(&self) -> AddressView<'_> {
        AddressView {
            fields: &self.billing_address,
            prefix: "billing_",
        }
    }

    /// Typed view of the shipping address (`shipping_*` fields).
    pub fn shipping(&self) -> AddressView<'_> {
        AddressView {
            fields: &self.shipping_address,
            prefix: "shipping_",
        }
    }
}

/// Read-only access to one address by its WooCommerce field names.
///
/// Every accessor returns `None` when the field is missing **or empty**. Field names are looked up
/// with the address prefix first (`billing_city`), then without it (`city`), so stores that send
/// short keys also work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AddressView<'a> {
    fields: &'a BTreeMap<String, String>,
    prefix: &'static str,
}

impl<'a> AddressView<'a> {
    /// Any field by its unprefixed name (`"first_name"`, or a custom checkout field).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        let prefixed = format!("{}{name}", self.prefix);
        self.fields
            .get(&prefixed)
            .or_else(|| self.fields.get(name))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether every field is missing or empty.
    pub fn is_empty(&self) -> bool {
        self.fields.values().all(String::is_empty)
    }

    /// `first_name`.
    pub fn first_name(&self) -> Option<&'a str> {
        self.get("first_name")
    }
    /// `last_name`.
    pub fn last_name(&self) -> Option<&'a str> {
        self.get("last_name")
    }
    /// `company`.
    pub fn company(&self) -> Option<&'a str> {
        self.get("company")
    }
    /// `country` (two-letter code).
    pub fn country(&self) -> Option<&'a str> {
        self.get("country")
    }
    /// `address_1`.
    pub fn address_1(&self) -> Option<&'a str> {
        self.get("address_1")
    }
    /// `address_2`.
    pub fn address_2(&self) -> Option<&'a str> {
        self.get("address_2")
    }
    /// `city`.
    pub fn city(&self) -> Option<&'a str> {
        self.get("city")
    }
    /// `state` (state or county code).
    pub fn state(&self) -> Option<&'a str> {
        self.get("state")
    }
    /// `postcode`.
    pub fn postcode(&self) -> Option<&'a str> {
        self.get("postcode")
    }
    /// `phone` (billing only in WooCommerce).
    pub fn phone(&self) -> Option<&'a str> {
        self.get("phone")
    }
    /// `email` (billing only in WooCommerce).
    pub fn email(&self) -> Option<&'a str> {
        self.get("email")
    }
}
