//! Request bodies the SDK sends. They serialize to exactly the JSON CoCart's schema accepts: ids
//! and quantities are **strings**, empty maps are omitted.

use std::collections::BTreeMap;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::item::ItemKey;
use super::quantity::Quantity;

/// A product to add or look up: an id or a SKU. Both are sent as a JSON string (`"123"`, `"HD-B"`);
/// the store tries the value as an id first, so a purely numeric SKU is read as an id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProductRef {
    /// A product or variation id.
    Id(u64),
    /// A SKU.
    Sku(String),
}

impl fmt::Display for ProductRef {
    /// The wire form (also the `/products/{id}` path segment).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProductRef::Id(id) => write!(f, "{id}"),
            ProductRef::Sku(sku) => f.write_str(sku),
        }
    }
}

impl Serialize for ProductRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<u64> for ProductRef {
    fn from(id: u64) -> Self {
        ProductRef::Id(id)
    }
}

impl From<&str> for ProductRef {
    fn from(sku: &str) -> Self {
        ProductRef::Sku(sku.to_owned())
    }
}

impl From<String> for ProductRef {
    fn from(sku: String) -> Self {
        ProductRef::Sku(sku)
    }
}

/// Body of `POST /cart/add-item`: `{"id":"123","quantity":"2","variation":{…},"item_data":{…}}`.
///
/// ```
/// use cocart::models::{AddItem, Quantity};
/// let body = AddItem::new(129).quantity(2).variation("Color", "Blue").item_data("gift_note", "Happy birthday");
/// let json = serde_json::to_string(&body).unwrap();
/// assert_eq!(json, r#"{"id":"129","quantity":"2","variation":{"Color":"Blue"},"item_data":{"gift_note":"Happy birthday"}}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddItem {
    /// The product (id, variation id or SKU). A variable parent id needs `variation`.
    pub id: ProductRef,
    /// How many (default one).
    pub quantity: Quantity,
    /// Attribute → value for variable products (`attribute_pa_color`, `pa_color` or the label
    /// `Color`). Omitted when empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variation: BTreeMap<String, String>,
    /// Custom data stored on the line; a different `item_data` makes a separate line. Omitted when
    /// empty.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub item_data: Map<String, Value>,
    /// Sets the billing email when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Sets the billing phone when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl AddItem {
    /// Adds one of `product`.
    pub fn new(product: impl Into<ProductRef>) -> Self {
        Self {
            id: product.into(),
            quantity: Quantity::ONE,
            variation: BTreeMap::new(),
            item_data: Map::new(),
            email: None,
            phone: None,
        }
    }

    /// Sets the quantity.
    pub fn quantity(mut self, quantity: impl Into<Quantity>) -> Self {
        self.quantity = quantity.into();
        self
    }

    /// Adds a variation attribute.
    pub fn variation(mut self, attribute: impl Into<String>, value: impl Into<String>) -> Self {
        self.variation.insert(attribute.into(), value.into());
        self
    }

    /// Adds a custom data entry.
    pub fn item_data(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.item_data.insert(key.into(), value.into());
        self
    }

    /// Sets the billing email sent with the add.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the billing phone sent with the add.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

/// Body of `POST /cart/add-items` for a grouped product:
/// `{"id":"301","quantity":{"302":"1","303":"2"}}`. Children with quantity 0 are skipped by the
/// store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddItems {
    /// The grouped parent product.
    pub id: ProductRef,
    /// Child product id → quantity.
    pub quantity: BTreeMap<u64, Quantity>,
    /// Sets the billing email when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Sets the billing phone when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl AddItems {
    /// Starts an add of children of the grouped product `parent`.
    pub fn new(parent: impl Into<ProductRef>) -> Self {
        Self {
            id: parent.into(),
            quantity: BTreeMap::new(),
            email: None,
            phone: None,
        }
    }

    /// Sets the quantity of one child.
    pub fn child(mut self, child_id: u64, quantity: impl Into<Quantity>) -> Self {
        self.quantity.insert(child_id, quantity.into());
        self
    }

    /// Sets the billing email sent with the add.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the billing phone sent with the add.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

/// Body of `POST /cart/update` with namespace `update-cart`:
/// `{"namespace":"update-cart","quantity":{"<key>":"3"}}`. A quantity of 0 removes the line;
/// unknown keys are skipped by the store. The cart must not be empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateQuantities {
    /// Item key → new quantity.
    pub quantity: BTreeMap<ItemKey, Quantity>,
}

impl UpdateQuantities {
    /// The namespace value sent.
    pub const NAMESPACE: &'static str = "update-cart";

    /// An empty update.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the quantity of one line.
    pub fn set(mut self, key: impl Into<ItemKey>, quantity: impl Into<Quantity>) -> Self {
        self.quantity.insert(key.into(), quantity.into());
        self
    }

    /// Whether no line is updated.
    pub fn is_empty(&self) -> bool {
        self.quantity.is_empty()
    }
}

impl Serialize for UpdateQuantities {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("namespace", Self::NAMESPACE)?;
        map.serialize_entry("quantity", &self.quantity)?;
        map.end()
    }
}

/// Billing fields for [`CustomerUpdate`], sent under their **unprefixed** names (`first_name`,
/// `city`…). Unset fields are omitted and left unchanged by the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BillingAddress {
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email (an invalid one is silently ignored by the store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone (an invalid one is silently ignored by the store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Company.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Address line 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_1: Option<String>,
    /// Address line 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_2: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or county code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Two-letter country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Postcode (dropped by the store when it does not match the country).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
}

macro_rules! billing_setters {
    ($($field:ident),* $(,)?) => {
        impl BillingAddress {
            /// An empty address (nothing changes).
            pub fn new() -> Self {
                Self::default()
            }

            /// Whether no field is set.
            pub fn is_empty(&self) -> bool {
                true $(&& self.$field.is_none())*
            }

            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                pub fn $field(mut self, value: impl Into<String>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

billing_setters!(
    first_name, last_name, email, phone, company, address_1, address_2, city, state, country,
    postcode
);

/// Body of `POST /cart/update` with namespace `update-customer`: the billing fields sit at the top
/// level, next to `namespace`
/// (`{"namespace":"update-customer","first_name":"Jane","city":"Austin"}`). The cart must not be
/// empty.
///
/// **Shipping limitation (CoCart 4.9.3, observed live):** only the unprefixed billing names are
/// applied. Prefixed names (`billing_city`, `s_city`, `shipping_city`) are ignored when sent alone
/// and, when sent next to an unprefixed field, are set from an empty value and can clear the stored
/// one. The shipping address therefore cannot be set through this route, and this type deliberately
/// sends billing fields only (from 4.9.0 the store copies billing to shipping unless
/// `ship_to_different_address` is set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerUpdate {
    /// The billing fields to change.
    pub billing: BillingAddress,
}

impl CustomerUpdate {
    /// The namespace value sent.
    pub const NAMESPACE: &'static str = "update-customer";

    /// An update of the given billing fields.
    pub fn new(billing: BillingAddress) -> Self {
        Self { billing }
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.billing.is_empty()
    }
}

impl From<BillingAddress> for CustomerUpdate {
    fn from(billing: BillingAddress) -> Self {
        Self::new(billing)
    }
}

impl Serialize for CustomerUpdate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            namespace: &'static str,
            #[serde(flatten)]
            billing: &'a BillingAddress,
        }
        Wire {
            namespace: Self::NAMESPACE,
            billing: &self.billing,
        }
        .serialize(s)
    }
}
