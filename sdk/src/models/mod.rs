//! Typed, lenient data models of the CoCart 4.x REST API: what cart, product, store and login
//! responses decode into, and the request bodies the SDK sends.
//!
//! # Lenient in, exact out
//! Real stores are messy. Every response type accepts numbers as strings and strings as numbers,
//! floats where ints are expected, PHP's `[]` where an object is expected, and keeps unknown fields
//! in an `extra` map. Request types serialize to exactly what CoCart's schema accepts (ids and
//! quantities as JSON strings).
//!
//! # Money
//! Amounts decode raw ([`Amount`] in minor units, [`MajorAmount`], or [`MoneyLike`] for item totals
//! whose unit depends on the JSON type), because the currency sits elsewhere in the cart. Accessors
//! such as [`Cart::total`] and [`CartItem::line_total`] pair them with [`Cart::currency`] into
//! [`Money`], whose `Display` renders like the store (`$1,234.50`).
//!
//! ```
//! use cocart::models::Cart;
//! let cart: Cart = serde_json::from_str(r#"{
//!     "currency": {"currency_code":"USD","currency_symbol":"$","currency_minor_unit":2,
//!                  "currency_decimal_separator":".","currency_thousand_separator":",","currency_prefix":"$"},
//!     "totals": {"total":"123450"}, "notices": [], "shipping": []
//! }"#).unwrap();
//! assert_eq!(cart.total().minor(), 123450);
//! assert_eq!(cart.total().to_string(), "$1,234.50");
//! assert!(cart.shipping.is_none());
//! ```
#![warn(missing_docs)]

mod auth;
mod cart;
mod catalog;
mod currency;
mod customer;
mod item;
pub(crate) mod lenient;
mod money;
mod notices;
mod product;
mod quantity;
mod query;
mod requests;
mod shipping;
mod store_info;
mod taxes;
mod totals;
mod transfer;

pub use auth::{LoginExtras, LoginResponse, RefreshResponse};
pub use cart::{Cart, CartLine, CartTotals, Coupon, CouponSaving, CrossSell, EMPTY_CART_HASH, Fee};
pub(crate) use catalog::LenientList;
pub use catalog::{Attribute, AttributeTerm, Paged, Review};
pub use currency::{Currency, SymbolPosition};
pub use customer::{AddressView, Customer};
pub use item::{
    CartItem, CartItems, Dimensions, ItemKey, ItemMeta, ItemQuantity, ItemTotals, RemovedItem,
};
pub use money::{Amount, MajorAmount, Money, MoneyLike};
pub use notices::Notices;
pub use product::{
    AddToCart, AttributeOption, Category, DefaultAttribute, EmbeddedReview, PriceRange, Product,
    ProductAttribute, ProductImage, ProductPage, ProductPrices, ProductStock, PurchaseQuantity,
    Tag, Variation, VariationOption,
};
pub use quantity::{Quantity, QuantityError};
pub use query::{
    AttributeFilter, AttributeTerms, BrandOperator, CartQuery, MAX_PER_PAGE, ProductOrderBy,
    ProductQuery, ReviewOrderBy, ReviewQuery, SortOrder, StockStatus, TermOrderBy, TermQuery,
};
pub use requests::{
    AddItem, AddItems, BillingAddress, CustomerUpdate, ProductRef, UpdateQuantities,
};
pub use shipping::{Shipping, ShippingPackage, ShippingRate};
pub use store_info::{StoreAddress, StoreInfo};
pub use taxes::{TaxLine, Taxes};
pub use totals::CartTotalsRaw;
pub use transfer::{
    DropReason, LineOrigin, LineOutcome, PendingTransfer, SavedLine, TransferLine, TransferPolicy,
    TransferReport,
};
