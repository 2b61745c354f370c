//! Cart records.

use std::collections::HashMap;

use cocart::models::Currency;

use super::{Money, Notices, hash_map, long};

/// A cart, as the store answered it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Cart {
    /// The cart key (a guest key `t_…`, or the user id for a customer).
    pub cart_key: String,
    /// The cart hash; empty for an empty cart.
    pub cart_hash: String,
    /// The currency code of every amount.
    pub currency_code: String,
    /// The lines, in cart order.
    pub items: Vec<CartItem>,
    /// Number of items (quantities summed).
    pub item_count: f64,
    /// Lines removed and still restorable.
    pub removed_items: Vec<RemovedItem>,
    /// Applied coupons.
    pub coupons: Vec<Coupon>,
    /// Whether payment is needed.
    pub needs_payment: bool,
    /// Whether shipping is needed.
    pub needs_shipping: bool,
    /// Shipping packages and rates (empty when the store sent none).
    pub shipping_packages: Vec<ShippingPackage>,
    /// Totals in minor units.
    pub totals: CartTotals,
    /// Billing address fields (`first_name`, `city`, …).
    pub billing_address: HashMap<String, String>,
    /// Shipping address fields.
    pub shipping_address: HashMap<String, String>,
    /// Notices of this request.
    pub notices: Notices,
}

impl From<cocart::models::Cart> for Cart {
    fn from(c: cocart::models::Cart) -> Self {
        let currency = &c.currency;
        Self {
            cart_key: c.cart_key.clone(),
            cart_hash: c.cart_hash.clone(),
            currency_code: currency.code.clone(),
            items: c.items.iter().map(|i| CartItem::new(i, currency)).collect(),
            item_count: c.item_count,
            removed_items: c
                .removed_items
                .iter()
                .map(|i| RemovedItem::new(i, currency))
                .collect(),
            coupons: c
                .coupons
                .iter()
                .map(|cp| Coupon {
                    code: cp.coupon.clone(),
                    label: cp.label.clone(),
                    discount_type: cp.discount_type.clone(),
                    saving: cp.saving.amount().map(|a| a.with_currency(currency).into()),
                })
                .collect(),
            needs_payment: c.needs_payment,
            needs_shipping: c.needs_shipping,
            shipping_packages: c
                .shipping
                .as_ref()
                .map(|s| {
                    s.packages
                        .iter()
                        .map(|p| ShippingPackage::new(p, currency))
                        .collect()
                })
                .unwrap_or_default(),
            totals: CartTotals::from(&c),
            billing_address: hash_map(&c.customer.billing_address),
            shipping_address: hash_map(&c.customer.shipping_address),
            notices: Notices::from(c.notices()),
        }
    }
}

/// The cart totals.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CartTotals {
    /// Items before discounts.
    pub subtotal: Money,
    /// Tax on the subtotal.
    pub subtotal_tax: Money,
    /// Fees.
    pub fee_total: Money,
    /// Discounts.
    pub discount_total: Money,
    /// Shipping.
    pub shipping_total: Money,
    /// All taxes.
    pub total_tax: Money,
    /// What the customer pays.
    pub total: Money,
}

impl From<&cocart::models::Cart> for CartTotals {
    fn from(c: &cocart::models::Cart) -> Self {
        Self {
            subtotal: c.subtotal().into(),
            subtotal_tax: c.subtotal_tax().into(),
            fee_total: c.fee_total().into(),
            discount_total: c.discount_total().into(),
            shipping_total: c.shipping_total().into(),
            total_tax: c.total_tax().into(),
            total: c.total().into(),
        }
    }
}

/// One cart line.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CartItem {
    /// The line's key (for update/remove/restore).
    pub item_key: String,
    /// Product or variation id.
    pub id: i64,
    /// Product name.
    pub name: String,
    /// Title (with the variation, e.g. "Hoodie - Blue, Small").
    pub title: String,
    /// SKU.
    pub sku: String,
    /// Product type (`simple`, `variation`, …).
    pub product_type: String,
    /// Quantity in the cart.
    pub quantity: f64,
    /// Minimum purchasable quantity.
    pub min_purchase: f64,
    /// Maximum purchasable quantity, `None` when unlimited.
    pub max_purchase: Option<f64>,
    /// Unit price.
    pub price: Money,
    /// Line subtotal (before discounts).
    pub subtotal: Money,
    /// Line total (after discounts).
    pub total: Money,
    /// Line tax.
    pub tax: Money,
    /// Variation attributes (attribute → value).
    pub variation: HashMap<String, String>,
    /// Featured image URL.
    pub featured_image: String,
}

impl CartItem {
    pub(crate) fn new(i: &cocart::models::CartItem, currency: &Currency) -> Self {
        Self {
            item_key: i.item_key.as_str().to_string(),
            id: long(i.id),
            name: i.name.clone(),
            title: i.title.clone(),
            sku: i.meta.sku.clone(),
            product_type: i.meta.product_type.clone(),
            quantity: i.quantity.value,
            min_purchase: i.quantity.min_purchase,
            max_purchase: i.max_purchase(),
            price: i.unit_price(currency).into(),
            subtotal: i.line_subtotal(currency).into(),
            total: i.line_total(currency).into(),
            tax: i.line_tax(currency).into(),
            variation: hash_map(&i.meta.variation),
            featured_image: i.featured_image.clone(),
        }
    }
}

/// A removed line that `restore_item` can bring back.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RemovedItem {
    /// The line's key.
    pub item_key: String,
    /// Product or variation id.
    pub id: i64,
    /// Product name.
    pub name: String,
    /// Quantity that was removed.
    pub quantity: f64,
    /// Unit price.
    pub price: Money,
    /// Line total.
    pub total: Money,
}

impl RemovedItem {
    fn new(i: &cocart::models::RemovedItem, currency: &Currency) -> Self {
        Self {
            item_key: i.item_key.as_str().to_string(),
            id: long(i.id),
            name: i.name.clone(),
            quantity: i.quantity,
            price: i.unit_price(currency).into(),
            total: i.line_total(currency).into(),
        }
    }
}

/// An applied coupon.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Coupon {
    /// The coupon code.
    pub code: String,
    /// Its label.
    pub label: String,
    /// `percent`, `fixed_cart`, …
    pub discount_type: String,
    /// The saving (negative), `None` when the store describes it in words (free shipping).
    pub saving: Option<Money>,
}

/// A shipping package with its rates.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ShippingPackage {
    /// The package name.
    pub name: String,
    /// The chosen rate key, e.g. `flat_rate:1`.
    pub chosen_method: String,
    /// The available rates.
    pub rates: Vec<ShippingRate>,
}

impl ShippingPackage {
    fn new(p: &cocart::models::ShippingPackage, currency: &Currency) -> Self {
        Self {
            name: p.package_name.clone(),
            chosen_method: p.chosen_method.clone(),
            rates: p
                .rates
                .iter()
                .map(|r| ShippingRate {
                    key: r.key.clone(),
                    method_id: r.method_id.clone(),
                    label: r.label.clone(),
                    cost: r.cost(currency).into(),
                    chosen: r.chosen_method,
                })
                .collect(),
        }
    }
}

/// A shipping rate.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ShippingRate {
    /// Rate key, e.g. `flat_rate:1`.
    pub key: String,
    /// Method id, e.g. `flat_rate`.
    pub method_id: String,
    /// Label.
    pub label: String,
    /// Cost.
    pub cost: Money,
    /// Whether this rate is the chosen one.
    pub chosen: bool,
}
