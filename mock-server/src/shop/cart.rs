//! The cart model: lines (in cart order), removed lines, and the customer's addresses.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One cart line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// The item key (32 hex chars).
    pub(crate) key: String,
    /// The product id (the parent for variations).
    pub(crate) product_id: u64,
    /// The variation id, 0 when none.
    pub(crate) variation_id: u64,
    /// `attribute_pa_color` ⇒ option slug.
    pub(crate) variation: BTreeMap<String, String>,
    /// Custom item data (`item_data`).
    pub(crate) item_data: Map<String, Value>,
    /// The quantity (CoCart quantities are floats).
    pub(crate) quantity: f64,
}

impl Line {
    /// The id of the purchased product: the variation id for variations.
    pub(crate) fn item_id(&self) -> u64 {
        if self.variation_id > 0 {
            self.variation_id
        } else {
            self.product_id
        }
    }
}

/// WooCommerce's `generate_cart_id`: a 32-hex digest of product, variation, attributes and
/// custom data. The same inputs always give the same key.
pub(crate) fn line_key(
    product_id: u64,
    variation_id: u64,
    variation: &BTreeMap<String, String>,
    item_data: &Map<String, Value>,
) -> String {
    let mut h = Sha256::new();
    h.update(product_id.to_string());
    h.update(b"|");
    h.update(variation_id.to_string());
    h.update(b"|");
    for (k, v) in variation {
        h.update(k.as_bytes());
        h.update(b"=");
        h.update(v.as_bytes());
        h.update(b";");
    }
    h.update(b"|");
    h.update(Value::Object(item_data.clone()).to_string());
    let digest = h.finalize();
    hex::encode(&digest[..16])
}

/// A billing or shipping address (shipping ignores `phone` and `email`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Address {
    /// First name.
    pub(crate) first_name: String,
    /// Last name.
    pub(crate) last_name: String,
    /// Company.
    pub(crate) company: String,
    /// Country code.
    pub(crate) country: String,
    /// Address line 1.
    pub(crate) address_1: String,
    /// Address line 2.
    pub(crate) address_2: String,
    /// City.
    pub(crate) city: String,
    /// State code.
    pub(crate) state: String,
    /// Postcode.
    pub(crate) postcode: String,
    /// Phone (billing only).
    pub(crate) phone: String,
    /// Email (billing only).
    pub(crate) email: String,
}

/// The address field names, in WooCommerce checkout order.
pub(crate) const ADDRESS_FIELDS: [&str; 11] = [
    "first_name",
    "last_name",
    "company",
    "country",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "phone",
    "email",
];

impl Address {
    /// A field by name.
    pub(crate) fn get(&self, field: &str) -> Option<&str> {
        Some(match field {
            "first_name" => &self.first_name,
            "last_name" => &self.last_name,
            "company" => &self.company,
            "country" => &self.country,
            "address_1" => &self.address_1,
            "address_2" => &self.address_2,
            "city" => &self.city,
            "state" => &self.state,
            "postcode" => &self.postcode,
            "phone" => &self.phone,
            "email" => &self.email,
            _ => return None,
        })
    }

    /// Sets a field by name; false for an unknown field.
    pub(crate) fn set(&mut self, field: &str, value: String) -> bool {
        let slot = match field {
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "company" => &mut self.company,
            "country" => &mut self.country,
            "address_1" => &mut self.address_1,
            "address_2" => &mut self.address_2,
            "city" => &mut self.city,
            "state" => &mut self.state,
            "postcode" => &mut self.postcode,
            "phone" => &mut self.phone,
            "email" => &mut self.email,
            _ => return false,
        };
        *slot = value;
        true
    }

    fn base_location() -> Self {
        Self {
            country: "US".into(),
            state: "CA".into(),
            ..Self::default()
        }
    }
}

/// The customer attached to a cart. New customers start at the store's base location (US, CA),
/// WooCommerce's default customer location.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Customer {
    /// Billing address.
    pub(crate) billing: Address,
    /// Shipping address.
    pub(crate) shipping: Address,
}

impl Default for Customer {
    fn default() -> Self {
        Self {
            billing: Address::base_location(),
            shipping: Address::base_location(),
        }
    }
}

/// A cart.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cart {
    /// Lines in cart order.
    pub(crate) lines: Vec<Line>,
    /// Removed lines (restorable), oldest first.
    pub(crate) removed: Vec<Line>,
    /// The customer.
    pub(crate) customer: Customer,
}

impl Cart {
    /// Whether the cart has no lines.
    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether there is anything worth storing.
    pub(crate) fn has_data(&self) -> bool {
        !self.lines.is_empty() || !self.removed.is_empty() || self.customer != Customer::default()
    }

    /// A line by key.
    pub(crate) fn line(&self, key: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.key == key)
    }

    /// A removed line by key.
    pub(crate) fn removed_line(&self, key: &str) -> Option<&Line> {
        self.removed.iter().find(|l| l.key == key)
    }

    /// Adds a line, or adds its quantity onto the line with the same key. Returns the key.
    pub(crate) fn add(&mut self, line: Line) -> String {
        let key = line.key.clone();
        match self.lines.iter_mut().find(|l| l.key == key) {
            Some(existing) => existing.quantity += line.quantity,
            None => self.lines.push(line),
        }
        key
    }

    /// The quantity of one purchased product over all lines.
    pub(crate) fn quantity_of(&self, item_id: u64) -> f64 {
        self.lines
            .iter()
            .filter(|l| l.item_id() == item_id)
            .map(|l| l.quantity)
            .sum()
    }

    /// Moves a line to the removed list; returns it.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Line> {
        let pos = self.lines.iter().position(|l| l.key == key)?;
        let line = self.lines.remove(pos);
        self.removed.retain(|l| l.key != key);
        self.removed.push(line.clone());
        Some(line)
    }

    /// Sets a line's quantity; 0 or less removes it. False when the key is unknown.
    pub(crate) fn set_quantity(&mut self, key: &str, quantity: f64) -> bool {
        if quantity <= 0.0 {
            return self.remove(key).is_some();
        }
        match self.lines.iter_mut().find(|l| l.key == key) {
            Some(l) => {
                l.quantity = quantity;
                true
            }
            None => false,
        }
    }

    /// Moves a removed line back into the cart; returns it.
    pub(crate) fn restore(&mut self, key: &str) -> Option<Line> {
        let pos = self.removed.iter().position(|l| l.key == key)?;
        let line = self.removed.remove(pos);
        self.add(line.clone());
        Some(line)
    }

    /// Empties the cart (the customer stays).
    pub(crate) fn clear(&mut self, keep_removed: bool) {
        self.lines.clear();
        if !keep_removed {
            self.removed.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, id: u64, q: f64) -> Line {
        Line {
            key: key.into(),
            product_id: id,
            variation_id: 0,
            variation: BTreeMap::new(),
            item_data: Map::new(),
            quantity: q,
        }
    }

    #[test]
    fn keys_depend_on_item_data() {
        let v = BTreeMap::new();
        let mut data = Map::new();
        let a = line_key(101, 0, &v, &data);
        assert_eq!(a, line_key(101, 0, &v, &data));
        assert_eq!(a.len(), 32);
        data.insert("gift".into(), Value::from("yes"));
        assert_ne!(a, line_key(101, 0, &v, &data));
    }

    #[test]
    fn remove_and_restore_round_trip() {
        let mut c = Cart::default();
        c.add(line("a", 1, 2.0));
        assert!(c.set_quantity("a", 0.0));
        assert!(c.is_empty());
        assert_eq!(c.removed.len(), 1);
        assert_eq!(c.restore("a").map(|l| l.quantity), Some(2.0));
        assert!(c.removed.is_empty());
        assert!(c.restore("a").is_none());
    }
}
