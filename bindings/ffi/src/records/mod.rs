//! Records: plain values copied across the boundary, converted from the core's models.
//!
//! Money is always [`Money`]: integer minor units, the ISO currency code, and the text the store
//! would print. Maps become `HashMap`s; the core's catch-all `extra` fields are not exposed.

mod cart;
mod product;
mod requests;
mod transfer;

use std::collections::{BTreeMap, HashMap};

pub use cart::{Cart, CartItem, CartTotals, Coupon, RemovedItem, ShippingPackage, ShippingRate};
pub use product::{
    Attribute, AttributeTerm, Category, EmbeddedReview, PriceRange, Product, ProductAttribute,
    ProductImage, ProductPage, Review, ReviewPage, StoreInfo, Tag, TermPage, Variation,
};
pub use requests::{
    AddItemRequest, AttributeFilter, BillingAddress, BrandOperator, ProductQuery, ProductRef,
    ReviewOrderBy, ReviewQuery, TermOrderBy, TermQuery,
};
pub(crate) use requests::{id, quantity};
pub use transfer::{
    LoginResult, TransferLine, TransferLineOrigin, TransferLineOutcome, TransferPolicy,
    TransferReport,
};

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Money {
    /// The amount in minor units (`2500` for $25.00).
    pub minor: i64,
    /// The ISO 4217 code, e.g. `USD` (empty when the store did not say).
    pub currency_code: String,
    /// The amount as the store prints it, e.g. `$25.00`.
    pub formatted: String,
}

impl From<cocart::models::Money> for Money {
    fn from(m: cocart::models::Money) -> Self {
        Self {
            minor: m.minor(),
            currency_code: m.currency().code.clone(),
            formatted: m.format(),
        }
    }
}

/// The signed-in customer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct User {
    /// WordPress user id.
    pub id: i64,
    /// The login name, when known.
    pub username: Option<String>,
    /// Display name.
    pub display_name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email address.
    pub email: String,
    /// Role(s), e.g. `Customer`.
    pub role: String,
}

impl From<cocart::User> for User {
    fn from(u: cocart::User) -> Self {
        Self {
            id: long(u.id),
            username: u.username,
            display_name: u.display_name,
            first_name: u.first_name,
            last_name: u.last_name,
            email: u.email,
            role: u.role,
        }
    }
}

/// The WooCommerce notices of a cart answer. Stock problems arrive here as `error` notices with
/// HTTP 200: check them after every cart call.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct Notices {
    /// Success notices ("… has been added to your cart.").
    pub success: Vec<String>,
    /// Error notices (stock problems, removed lines).
    pub error: Vec<String>,
    /// Plain notices.
    pub notice: Vec<String>,
    /// Info notices.
    pub info: Vec<String>,
}

impl From<&cocart::models::Notices> for Notices {
    fn from(n: &cocart::models::Notices) -> Self {
        Self {
            success: n.success.clone(),
            error: n.error.clone(),
            notice: n.notice.clone(),
            info: n.info.clone(),
        }
    }
}

/// What `logout()` achieved. The local session is cleared in every case.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LogoutResult {
    /// Whether the store confirmed the logout (it then ends every session of the user).
    pub server_confirmed: bool,
    /// Why the store did not confirm it, when it did not, typed like the errors the calls
    /// throw.
    pub server_error: Option<crate::error::CoCartError>,
}

impl From<cocart::LogoutOutcome> for LogoutResult {
    fn from(o: cocart::LogoutOutcome) -> Self {
        Self {
            server_confirmed: o.server_confirmed,
            server_error: o.server_error.map(crate::error::CoCartError::from),
        }
    }
}

/// An id or count from the core as a Kotlin `Long` / Swift `Int64` (ids and counts never come
/// near `i64::MAX`; a larger value saturates).
pub(crate) fn long(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A page number, rating or position from the core as a Kotlin `Int` / Swift `Int32`.
pub(crate) fn int(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub(crate) fn hash_map(map: &BTreeMap<String, String>) -> HashMap<String, String> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_minor_units_code_and_store_formatting() {
        let cart: cocart::models::Cart = serde_json::from_str(
            r#"{"currency":{"currency_code":"USD","currency_symbol":"$","currency_minor_unit":2,
                "currency_decimal_separator":".","currency_thousand_separator":",","currency_prefix":"$"},
                "totals":{"total":"123450"}}"#,
        )
        .unwrap();
        let m = Money::from(cart.total());
        assert_eq!(m.minor, 123450);
        assert_eq!(m.currency_code, "USD");
        assert_eq!(m.formatted, "$1,234.50");
    }
}
