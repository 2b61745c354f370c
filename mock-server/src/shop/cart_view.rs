//! The cart's JSON shapes (the cart, its items and removed items, raw totals) as `Serialize` views
//! that borrow the cart and the catalogue: a response is written straight into one byte buffer,
//! with no intermediate `serde_json::Value` tree.
//!
//! The bytes are exactly those PHP's `json_encode` gives for CoCart's arrays: keys in CoCart's
//! order, numbers as [`Num`] prints them (`2`, `1.5`), empty PHP maps as `[]`, and a key that
//! appears twice in a map printed once, at its first position, with its last value.

use super::cart::{Address, Cart, Line};
use super::catalogue::{Product, ProductType};
use super::money::{MINOR_UNIT, line_total, major_str, php_float, price_text};
use super::notices::Notices;
use super::render::{CartOpts, Ctx, stock_notices, subtotal};
use serde::Serialize;
use serde::ser::{Error as _, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;

/// A CoCart float as PHP's `json_encode` prints it: an integer when whole (`2`), a float
/// otherwise (`1.5`); non-finite values print `0`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if !x.is_finite() {
            return s.serialize_i64(0);
        }
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            return s.serialize_i64(x as i64);
        }
        s.serialize_f64(x)
    }
}

/// Minor units as the money string CoCart prints (`"1999"`).
#[derive(Debug, Clone, Copy)]
struct MinorStr(i64);

impl Serialize for MinorStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A float as PHP's `(string)` cast prints it, as a JSON string.
#[derive(Debug, Clone, Copy)]
struct PhpFloatStr(f64);

impl Serialize for PhpFloatStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&php_float(self.0))
    }
}

/// `[]`: an empty PHP array.
#[derive(Debug, Clone, Copy)]
struct EmptyList;

impl Serialize for EmptyList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_seq(Some(0))?.end()
    }
}

/// Pairs printed as a JSON object; when empty, `[]` (a PHP array that was never a map) or `{}`.
/// Keys repeat at most once: a repeated key keeps its first position and takes its last value,
/// as a PHP array assignment does.
struct PhpMap<K, V> {
    pairs: Vec<(K, V)>,
    empty_as_list: bool,
}

impl<K: AsRef<str>, V: Serialize> Serialize for PhpMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pairs = &self.pairs;
        if pairs.is_empty() && self.empty_as_list {
            return EmptyList.serialize(s);
        }
        let mut m = s.serialize_map(None)?;
        for (i, (k, _)) in pairs.iter().enumerate() {
            let key = k.as_ref();
            if pairs[..i].iter().any(|(seen, _)| seen.as_ref() == key) {
                continue;
            }
            let last = pairs[i..]
                .iter()
                .rev()
                .find(|(other, _)| other.as_ref() == key)
                .map_or(&pairs[i].1, |(_, v)| v);
            m.serialize_entry(key, last)?;
        }
        m.end()
    }
}

/// A JSON map that prints `[]` when empty (the PHP empty-array trap).
struct MapOrList<'a>(&'a Map<String, Value>);

impl Serialize for MapOrList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_empty() {
            EmptyList.serialize(s)
        } else {
            self.0.serialize(s)
        }
    }
}

/// `{site}/wp-content/uploads/mock/{slug}{size}.png`, or `""` without a site.
struct ImageUrl<'a> {
    site_url: &'a str,
    slug: &'a str,
    size: &'a str,
}

impl fmt::Display for ImageUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/wp-content/uploads/mock/{}{}.png",
            self.site_url, self.slug, self.size
        )
    }
}

/// The `currency` object.
struct Currency;

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("currency_code", "USD")?;
        m.serialize_entry("currency_symbol", "$")?;
        m.serialize_entry("currency_symbol_pos", "currency_prefix")?;
        m.serialize_entry("currency_minor_unit", &MINOR_UNIT)?;
        m.serialize_entry("currency_decimal_separator", ".")?;
        m.serialize_entry("currency_thousand_separator", ",")?;
        m.serialize_entry("currency_prefix", "$")?;
        m.serialize_entry("currency_suffix", "")?;
        m.end()
    }
}

const BILLING_KEYS: [(&str, &str); 11] = [
    ("first_name", "billing_first_name"),
    ("last_name", "billing_last_name"),
    ("company", "billing_company"),
    ("country", "billing_country"),
    ("address_1", "billing_address_1"),
    ("address_2", "billing_address_2"),
    ("city", "billing_city"),
    ("state", "billing_state"),
    ("postcode", "billing_postcode"),
    ("phone", "billing_phone"),
    ("email", "billing_email"),
];

const SHIPPING_KEYS: [(&str, &str); 9] = [
    ("first_name", "shipping_first_name"),
    ("last_name", "shipping_last_name"),
    ("company", "shipping_company"),
    ("country", "shipping_country"),
    ("address_1", "shipping_address_1"),
    ("address_2", "shipping_address_2"),
    ("city", "shipping_city"),
    ("state", "shipping_state"),
    ("postcode", "shipping_postcode"),
];

/// An address with prefixed keys (`billing_first_name`, …).
struct AddressView<'a> {
    address: &'a Address,
    keys: &'static [(&'static str, &'static str)],
}

impl Serialize for AddressView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.keys.len()))?;
        for (field, key) in self.keys {
            m.serialize_entry(key, self.address.get(field).unwrap_or_default())?;
        }
        m.end()
    }
}

/// The `customer` object.
struct CustomerView<'a>(&'a Cart);

impl Serialize for CustomerView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        let billing = AddressView {
            address: &self.0.customer.billing,
            keys: &BILLING_KEYS,
        };
        let shipping = AddressView {
            address: &self.0.customer.shipping,
            keys: &SHIPPING_KEYS,
        };
        m.serialize_entry("billing_address", &billing)?;
        m.serialize_entry("shipping_address", &shipping)?;
        m.end()
    }
}

/// One line as an item. `removed` prints `quantity` as a plain number, as CoCart does for
/// removed items.
pub(crate) struct ItemView<'a> {
    ctx: &'a Ctx<'a>,
    line: &'a Line,
    product: &'a Product,
    parent: Option<&'a Product>,
    removed: bool,
    thumb: bool,
}

impl<'a> ItemView<'a> {
    /// The view of `line`; `None` when its product is gone from the catalogue.
    pub(crate) fn new(
        ctx: &'a Ctx<'a>,
        line: &'a Line,
        removed: bool,
        thumb: bool,
    ) -> Option<Self> {
        let product = ctx.cat.get(line.item_id())?;
        let parent = (product.kind == ProductType::Variation)
            .then(|| ctx.cat.get(product.parent_id))
            .flatten();
        Some(Self {
            ctx,
            line,
            product,
            parent,
            removed,
            thumb,
        })
    }

    fn slug(&self) -> &'a str {
        self.parent.map_or(&self.product.slug, |pp| &pp.slug)
    }
}

struct QuantityView {
    value: f64,
    max_purchase: i64,
}

impl Serialize for QuantityView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("value", &Num(self.value))?;
        m.serialize_entry("min_purchase", &1)?;
        m.serialize_entry("max_purchase", &self.max_purchase)?;
        m.end()
    }
}

struct ItemTotals(i64);

impl Serialize for ItemTotals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("subtotal", &MinorStr(self.0))?;
        m.serialize_entry("subtotal_tax", &0)?;
        m.serialize_entry("total", &Num(self.0 as f64 / 100.0))?;
        m.serialize_entry("tax", &0)?;
        m.end()
    }
}

struct Dimensions;

impl Serialize for Dimensions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("length", "")?;
        m.serialize_entry("width", "")?;
        m.serialize_entry("height", "")?;
        m.serialize_entry("unit", "cm")?;
        m.end()
    }
}

struct ItemMeta<'a> {
    item: &'a ItemView<'a>,
}

impl Serialize for ItemMeta<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ItemView {
            line,
            product: p,
            parent,
            ..
        } = self.item;
        let mut variation: Vec<(&str, &str)> = Vec::new();
        if let Some(pp) = parent {
            for a in &pp.attributes {
                let key = format!("attribute_{}", a.slug);
                if let Some(v) = line.variation.get(&key) {
                    variation.push((&a.name, a.option_name(v).unwrap_or(v)));
                }
            }
        }
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("product_type", p.kind.as_str())?;
        m.serialize_entry("sku", &p.sku)?;
        m.serialize_entry("dimensions", &Dimensions)?;
        match p.weight.trim().parse::<f64>() {
            Ok(w) => m.serialize_entry("weight", &PhpFloatStr(w * line.quantity))?,
            Err(_) => m.serialize_entry("weight", "0.0")?,
        }
        let variation = PhpMap {
            pairs: variation,
            empty_as_list: true,
        };
        m.serialize_entry("variation", &variation)?;
        m.end()
    }
}

impl Serialize for ItemView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.product;
        let line = self.line;
        let slug = self.slug();
        let mut m = s.serialize_map(Some(13))?;
        m.serialize_entry("item_key", &line.key)?;
        m.serialize_entry("id", &p.id)?;
        m.serialize_entry("name", &p.name)?;
        m.serialize_entry("title", &p.title)?;
        m.serialize_entry("price", &MinorStr(p.price()))?;
        if self.removed {
            m.serialize_entry("quantity", &Num(line.quantity))?;
        } else {
            let quantity = QuantityView {
                value: line.quantity,
                max_purchase: p.max_purchase(),
            };
            m.serialize_entry("quantity", &quantity)?;
        }
        m.serialize_entry("totals", &ItemTotals(line_total(p.price(), line.quantity)))?;
        m.serialize_entry("slug", slug)?;
        m.serialize_entry("meta", &ItemMeta { item: self })?;
        m.serialize_entry("backorders", "")?;
        m.serialize_entry("cart_item_data", &MapOrList(&line.item_data))?;
        if self.thumb {
            let url = ImageUrl {
                site_url: self.ctx.site_url,
                slug,
                size: "-300x300",
            };
            m.serialize_entry("featured_image", &Collected(&url))?;
        } else {
            m.serialize_entry("featured_image", "")?;
        }
        m.end()
    }
}

/// A `Display` value printed as a JSON string without an intermediate `String`.
struct Collected<'a, T: fmt::Display>(&'a T);

impl<T: fmt::Display> Serialize for Collected<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

/// The items of `lines` whose product still exists, as a JSON list.
struct ItemList<'a> {
    ctx: &'a Ctx<'a>,
    lines: &'a [Line],
    removed: bool,
    thumb: bool,
}

impl Serialize for ItemList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for line in self.lines {
            if let Some(item) = ItemView::new(self.ctx, line, self.removed, self.thumb) {
                seq.serialize_element(&item)?;
            }
        }
        seq.end()
    }
}

/// The items of `lines` whose product still exists, as a map by item key (`[]` when none).
pub(crate) struct ItemMap<'a> {
    ctx: &'a Ctx<'a>,
    lines: &'a [Line],
    removed: bool,
    thumb: bool,
}

impl<'a> ItemMap<'a> {
    /// The current lines of `cart` by item key (`GET /cart/items`).
    pub(crate) fn lines(ctx: &'a Ctx<'a>, cart: &'a Cart, thumb: bool) -> Self {
        Self {
            ctx,
            lines: &cart.lines,
            removed: false,
            thumb,
        }
    }
}

impl Serialize for ItemMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pairs: Vec<(&str, ItemView<'_>)> = self
            .lines
            .iter()
            .filter_map(|l| {
                ItemView::new(self.ctx, l, self.removed, self.thumb).map(|v| (l.key.as_str(), v))
            })
            .collect();
        // An object even when empty: `{}`.
        PhpMap {
            pairs,
            empty_as_list: false,
        }
        .serialize(s)
    }
}

/// The cart-level `totals` object (minor-unit strings).
struct CartTotals(i64);

impl Serialize for CartTotals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let total = MinorStr(self.0);
        let mut m = s.serialize_map(Some(10))?;
        m.serialize_entry("subtotal", &total)?;
        for key in [
            "subtotal_tax",
            "fee_total",
            "fee_tax",
            "discount_total",
            "discount_tax",
            "shipping_total",
            "shipping_tax",
        ] {
            m.serialize_entry(key, "0")?;
        }
        m.serialize_entry("total", &total)?;
        m.serialize_entry("total_tax", "0")?;
        m.end()
    }
}

/// WooCommerce's cart hash over the lines' keys and quantities.
fn cart_hash(cart: &Cart) -> String {
    let mut h = Sha256::new();
    for l in &cart.lines {
        h.update(l.key.as_bytes());
        h.update(l.quantity.to_string());
        h.update(b";");
    }
    hex::encode(&h.finalize()[..16])
}

/// Whether a top-level field is printed, and which of its children.
enum Want<'a> {
    No,
    All,
    Children(Vec<&'a str>),
}

/// The full cart, filtered by `fields`.
pub(crate) struct CartView<'a> {
    ctx: &'a Ctx<'a>,
    key: &'a str,
    cart: &'a Cart,
    notices: &'a Notices,
    opts: &'a CartOpts,
}

impl<'a> CartView<'a> {
    /// The cart under `key`; `notices` are this request's notices (the stock error notices are
    /// added when printing).
    pub(crate) fn new(
        ctx: &'a Ctx<'a>,
        key: &'a str,
        cart: &'a Cart,
        notices: &'a Notices,
        opts: &'a CartOpts,
    ) -> Self {
        Self {
            ctx,
            key,
            cart,
            notices,
            opts,
        }
    }

    fn want(&self, name: &str) -> Want<'a> {
        let Some(fields) = &self.opts.fields else {
            return Want::All;
        };
        let mut children = Vec::new();
        let mut any = false;
        let mut whole = false;
        for (top, child) in fields {
            if top != name {
                continue;
            }
            any = true;
            match child {
                Some(c) => children.push(c.as_str()),
                None => whole = true,
            }
        }
        match (any, whole) {
            (false, _) => Want::No,
            (true, true) => Want::All,
            (true, false) => Want::Children(children),
        }
    }

    fn entry<M: SerializeMap, T: Serialize>(
        &self,
        m: &mut M,
        name: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        match self.want(name) {
            Want::No => Ok(()),
            Want::All => m.serialize_entry(name, value),
            Want::Children(children) => {
                // Rare (`fields=totals:total`): filter the children of an object value.
                let mut v = serde_json::to_value(value).map_err(M::Error::custom)?;
                if let Value::Object(obj) = &mut v {
                    obj.retain(|k, _| children.contains(&k.as_str()));
                }
                m.serialize_entry(name, &v)
            }
        }
    }
}

struct RemovedItems<'a> {
    ctx: &'a Ctx<'a>,
    cart: &'a Cart,
    thumb: bool,
}

impl Serialize for RemovedItems<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.cart.is_empty() && !self.cart.removed.is_empty() {
            return ItemMap {
                ctx: self.ctx,
                lines: &self.cart.removed,
                removed: true,
                thumb: self.thumb,
            }
            .serialize(s);
        }
        ItemList {
            ctx: self.ctx,
            lines: &self.cart.removed,
            removed: true,
            thumb: self.thumb,
        }
        .serialize(s)
    }
}

struct CartNotices<'a> {
    ctx: &'a Ctx<'a>,
    cart: &'a Cart,
    notices: &'a Notices,
}

impl Serialize for CartNotices<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut all = self.notices.clone();
        stock_notices(self.ctx, self.cart, &mut all);
        all.serialize(s)
    }
}

impl Serialize for CartView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cart = self.cart;
        let ctx = self.ctx;
        let thumb = self.opts.thumb;
        let mut m = s.serialize_map(None)?;
        let hash = if !cart.is_empty() {
            cart_hash(cart)
        } else if self.opts.fields.is_some() {
            String::new()
        } else {
            "No items in cart so no hash".into()
        };
        self.entry(&mut m, "cart_hash", &hash)?;
        self.entry(&mut m, "cart_key", &self.key)?;
        self.entry(&mut m, "currency", &Currency)?;
        self.entry(&mut m, "customer", &CustomerView(cart))?;
        let items = ItemList {
            ctx,
            lines: &cart.lines,
            removed: false,
            thumb,
        };
        self.entry(&mut m, "items", &items)?;
        let count: f64 = cart.lines.iter().map(|l| l.quantity).sum();
        self.entry(&mut m, "item_count", &Num(count))?;
        let weight: f64 = cart
            .lines
            .iter()
            .filter_map(|l| {
                let p = ctx.cat.get(l.item_id())?;
                p.weight.trim().parse::<f64>().ok().map(|w| w * l.quantity)
            })
            .sum();
        self.entry(&mut m, "items_weight", &PhpFloatStr(weight))?;
        self.entry(&mut m, "coupons", &EmptyList)?;
        let total = subtotal(ctx, cart);
        self.entry(&mut m, "needs_payment", &(total > 0))?;
        self.entry(&mut m, "needs_shipping", &false)?;
        self.entry(&mut m, "shipping", &EmptyList)?;
        self.entry(&mut m, "fees", &EmptyList)?;
        self.entry(&mut m, "taxes", &EmptyList)?;
        self.entry(&mut m, "totals", &CartTotals(total))?;
        let removed = RemovedItems { ctx, cart, thumb };
        self.entry(&mut m, "removed_items", &removed)?;
        self.entry(&mut m, "cross_sells", &EmptyList)?;
        let notices = CartNotices {
            ctx,
            cart,
            notices: self.notices,
        };
        self.entry(&mut m, "notices", &notices)?;
        m.end()
    }
}

/// `GET /cart/totals`: WooCommerce's raw `get_totals()` in major units (`html` gives price text).
pub(crate) struct RawTotalsView {
    total: i64,
    html: bool,
}

impl RawTotalsView {
    /// The raw totals of `cart`.
    pub(crate) fn new(ctx: &Ctx<'_>, cart: &Cart, html: bool) -> Self {
        Self {
            total: subtotal(ctx, cart),
            html,
        }
    }
}

/// Money in the raw totals: a major-unit string, or price text.
struct RawMoney {
    minor: i64,
    html: bool,
}

impl Serialize for RawMoney {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.html {
            s.serialize_str(&price_text(self.minor))
        } else {
            s.serialize_str(&major_str(self.minor))
        }
    }
}

/// A zero tax in the raw totals: the number `0`, or price text.
struct RawZero {
    html: bool,
}

impl Serialize for RawZero {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.html {
            s.serialize_str(&price_text(0))
        } else {
            s.serialize_i64(0)
        }
    }
}

impl Serialize for RawTotalsView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let html = self.html;
        let money = |minor| RawMoney { minor, html };
        let zero = RawZero { html };
        let mut m = s.serialize_map(Some(15))?;
        m.serialize_entry("subtotal", &money(self.total))?;
        m.serialize_entry("subtotal_tax", &zero)?;
        m.serialize_entry("shipping_total", &money(0))?;
        m.serialize_entry("shipping_tax", &zero)?;
        m.serialize_entry("shipping_taxes", &EmptyList)?;
        m.serialize_entry("discount_total", &zero)?;
        m.serialize_entry("discount_tax", &zero)?;
        m.serialize_entry("cart_contents_total", &money(self.total))?;
        m.serialize_entry("cart_contents_tax", &zero)?;
        m.serialize_entry("cart_contents_taxes", &EmptyList)?;
        m.serialize_entry("fee_total", &money(0))?;
        m.serialize_entry("fee_tax", &zero)?;
        m.serialize_entry("fee_taxes", &EmptyList)?;
        m.serialize_entry("total", &money(self.total))?;
        m.serialize_entry("total_tax", &zero)?;
        m.end()
    }
}

/// Writes `value` as JSON into a buffer of about `size_hint` bytes.
pub(crate) fn to_bytes<T: Serialize>(value: &T, size_hint: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(size_hint);
    let mut ser = serde_json::Serializer::new(&mut buf);
    match value.serialize(&mut ser) {
        Ok(()) => buf,
        // Every view here serialises infallibly into memory; keep the old `null` fallback.
        Err(_) => b"null".to_vec(),
    }
}

/// A buffer size that fits a cart with this many lines without regrowing.
pub(crate) fn cart_size_hint(cart: &Cart) -> usize {
    1024 + 1024 * (cart.lines.len() + cart.removed.len())
}

#[cfg(test)]
#[path = "cart_view_tests.rs"]
mod tests;
