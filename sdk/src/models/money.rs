//! Money: raw amounts as they arrive on the wire, and [`Money`] (minor units plus the currency) for
//! display.
//!
//! # Design
//! A cart's amounts and its currency sit in different parts of the JSON, so the models deserialize
//! *raw* amounts:
//! - [`Amount`]: integer minor units, the normal CoCart money (`"1999"`, `"-1000"`);
//! - [`MajorAmount`]: a decimal in major units (`25`, `25.5`, `"20.00"`), as in `GET /cart/totals`
//!   (4.3.x/4.9.3);
//! - [`MoneyLike`]: either of the two, for item `totals` where a JSON **string is minor units** and
//!   a JSON **number is major units**.
//!
//! Accessors such as `Cart::total()` or `CartItem::line_total(&currency)` combine a raw amount with
//! the cart's [`Currency`] into [`Money`], which formats like the store (`$1,234.50`). Major
//! amounts become minor units like PHP's `intval(round(x * 10^d))`: half away from zero, computed
//! on the decimal text so that `1.005` gives `101`.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::currency::Currency;

/// The largest number of decimals used in computations (10^18 still fits in `u64`).
const MAX_DECIMALS: u32 = 18;

/// An amount in integer minor units (cents for USD), as CoCart sends cart money: `"1999"` is 19.99
/// when the currency's minor unit is 2.
///
/// Decodes from a string (`"1999"`, `"-1000"`, `""` = 0) or a number; a fractional value is rounded
/// half away from zero. Serializes back as a string of the integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub i64);

impl Amount {
    /// Zero minor units.
    pub const ZERO: Amount = Amount(0);

    /// The value in minor units.
    pub fn minor(self) -> i64 {
        self.0
    }

    /// Pairs the amount with a currency.
    pub fn with_currency(self, currency: &Currency) -> Money {
        currency.money(self.0)
    }
}

impl From<i64> for Amount {
    fn from(minor: i64) -> Self {
        Amount(minor)
    }
}

impl fmt::Display for Amount {
    /// The bare minor-unit integer, as on the wire.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// Decodes an [`Amount`]: minor units as an integer or a numeric string; `null` and blank strings
/// give zero.
pub(crate) struct AmountVisitor;

impl Visitor<'_> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount in minor units, as a string or a number")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        Ok(Amount(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        Ok(Amount(i64::try_from(v).unwrap_or(i64::MAX)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        if v.is_finite() {
            Ok(Amount(major_to_minor(v, 0)))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(Amount::ZERO);
        }
        t.parse::<i64>()
            .ok()
            .or_else(|| decimal_to_minor(t, 0))
            .map(Amount)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Other("a non-numeric string"), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Amount, E> {
        Ok(Amount::ZERO)
    }
    fn visit_none<E: de::Error>(self) -> Result<Amount, E> {
        Ok(Amount::ZERO)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AmountVisitor)
    }
}

/// An amount in major units (dollars for USD), as WooCommerce's raw totals send it: `25`, `25.5` or
/// `"20.00"`.
///
/// Convert with [`MajorAmount::to_minor`] using the currency's minor unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct MajorAmount(pub f64);

impl MajorAmount {
    /// The amount in minor units for `decimals` decimals (half away from zero, like PHP `round`).
    /// Non-finite values give 0; values beyond `i64` saturate.
    pub fn to_minor(self, decimals: u32) -> i64 {
        major_to_minor(self.0, decimals)
    }

    /// Pairs the amount with a currency, converting to its minor units.
    pub fn with_currency(self, currency: &Currency) -> Money {
        currency.money(self.to_minor(currency.minor_unit))
    }
}

impl Serialize for MajorAmount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

struct MajorVisitor;

impl Visitor<'_> for MajorVisitor {
    type Value = MajorAmount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount, as a number or a string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<MajorAmount, E> {
        Ok(MajorAmount(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<MajorAmount, E> {
        Ok(MajorAmount(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<MajorAmount, E> {
        Ok(MajorAmount(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<MajorAmount, E> {
        if v.trim().is_empty() {
            return Ok(MajorAmount(0.0));
        }
        super::lenient::parse_finite(v)
            .map(MajorAmount)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Other("a non-numeric string"), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<MajorAmount, E> {
        Ok(MajorAmount(0.0))
    }
    fn visit_none<E: de::Error>(self) -> Result<MajorAmount, E> {
        Ok(MajorAmount(0.0))
    }
}

impl<'de> Deserialize<'de> for MajorAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MajorVisitor)
    }
}

/// An amount whose unit depends on its JSON type: a **string is minor units** (`"2500"`), a
/// **number is major units** (`25`, `25.5`). A decimal string (`"25.50"`, PHP `wc_format_decimal`
/// output) is read as major units.
///
/// This is how CoCart 4.3.x–4.9.3 sends item `totals.subtotal_tax`, `totals.total` and
/// `totals.tax`, while the 4.9 OpenAPI documents minor-unit strings; both decode to the same
/// [`Money`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum MoneyLike {
    /// Minor units (came as an integer string).
    Minor(Amount),
    /// Major units (came as a number or a decimal string).
    Major(MajorAmount),
}

impl Default for MoneyLike {
    fn default() -> Self {
        MoneyLike::Minor(Amount::ZERO)
    }
}

impl MoneyLike {
    /// The amount in minor units for a currency with `decimals` decimals.
    pub fn to_minor(self, decimals: u32) -> i64 {
        match self {
            MoneyLike::Minor(a) => a.0,
            MoneyLike::Major(m) => m.to_minor(decimals),
        }
    }

    /// Pairs the amount with a currency, converting major units with its minor unit.
    pub fn with_currency(self, currency: &Currency) -> Money {
        currency.money(self.to_minor(currency.minor_unit))
    }
}

impl Serialize for MoneyLike {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MoneyLike::Minor(a) => a.serialize(s),
            MoneyLike::Major(m) => m.serialize(s),
        }
    }
}

struct MoneyLikeVisitor;

impl Visitor<'_> for MoneyLikeVisitor {
    type Value = MoneyLike;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a minor-unit string or a major-unit number")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<MoneyLike, E> {
        MajorVisitor.visit_i64(v).map(MoneyLike::Major)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<MoneyLike, E> {
        MajorVisitor.visit_u64(v).map(MoneyLike::Major)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<MoneyLike, E> {
        MajorVisitor.visit_f64(v).map(MoneyLike::Major)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<MoneyLike, E> {
        let t = v.trim();
        if t.contains(['.', 'e', 'E']) {
            MajorVisitor.visit_str(t).map(MoneyLike::Major)
        } else {
            AmountVisitor.visit_str(t).map(MoneyLike::Minor)
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<MoneyLike, E> {
        Ok(MoneyLike::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<MoneyLike, E> {
        Ok(MoneyLike::default())
    }
}

impl<'de> Deserialize<'de> for MoneyLike {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MoneyLikeVisitor)
    }
}

/// An amount of money: integer minor units in a [`Currency`]. `Display` renders it like the store
/// (`$1,234.50`, `-$10.00`, `12,50 €`, `¥1,235`).
#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Currency {
    /// Wraps an amount in minor units into [`Money`] of this currency.
    pub fn money(&self, minor: i64) -> Money {
        Money::new(minor, self.clone())
    }
}

impl Money {
    /// Creates money from minor units and a currency.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// The amount in minor units (`2500` for $25.00).
    pub fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// The amount in major units as a float (`25.0`). For display, prefer [`Money::format`].
    pub fn major(&self) -> f64 {
        self.minor as f64 / 10f64.powi(self.currency.minor_unit.min(MAX_DECIMALS) as i32)
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// Whether the amount is below zero (e.g. a coupon saving).
    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    /// The number alone, with the currency's separators and decimals: `1,234.50` (negative:
    /// `-1,234.50`).
    pub fn format_number(&self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        format!("{sign}{}", self.unsigned_number())
    }

    /// The amount as the store prints it: sign, prefix, number, suffix (`$1,234.50`, `-$10.00`).
    pub fn format(&self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let (prefix, suffix) = self.currency.affixes();
        format!("{sign}{prefix}{}{suffix}", self.unsigned_number())
    }

    fn unsigned_number(&self) -> String {
        let decimals = self.currency.minor_unit.min(MAX_DECIMALS);
        let scale = 10u64.pow(decimals);
        let abs = self.minor.unsigned_abs();
        let whole = group_thousands(
            &(abs / scale).to_string(),
            &self.currency.thousand_separator,
        );
        if decimals == 0 {
            whole
        } else {
            let width = decimals as usize;
            let fraction = abs % scale;
            format!(
                "{whole}{}{fraction:0width$}",
                self.currency.effective_decimal_separator()
            )
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format())
    }
}

/// Inserts `sep` between groups of three digits, from the right.
fn group_thousands(digits: &str, sep: &str) -> String {
    if sep.is_empty() || digits.len() <= 3 {
        return digits.to_owned();
    }
    let mut out = String::with_capacity(digits.len() + sep.len() * (digits.len() / 3));
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(ch);
    }
    out
}

/// `intval(round(x * 10^decimals))` with half away from zero, computed on the shortest decimal text
/// of `x` (what PHP printed into the JSON), so binary float error does not flip a half. Non-finite
/// gives 0; overflow saturates.
pub(crate) fn major_to_minor(x: f64, decimals: u32) -> i64 {
    if !x.is_finite() {
        return 0;
    }
    // Rust's `Display` for f64 is the shortest round-trip text and never uses an exponent.
    decimal_to_minor(&x.to_string(), decimals).unwrap_or_else(|| {
        let scaled = (x * 10f64.powi(decimals.min(MAX_DECIMALS) as i32)).round();
        scaled.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    })
}

/// Scales a plain decimal string (`"-12.345"`, `"7"`, `".5"`) by `10^decimals`, rounding half away
/// from zero. `None` when the text is not a plain decimal; saturates on overflow.
pub(crate) fn decimal_to_minor(text: &str, decimals: u32) -> Option<i64> {
    let t = text.trim();
    let (negative, unsigned) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let d = decimals.min(MAX_DECIMALS) as usize;
    let kept = &fraction[..fraction.len().min(d)];
    let mut digits = String::with_capacity(whole.len() + d);
    digits.push_str(whole);
    digits.push_str(kept);
    digits.extend(std::iter::repeat_n('0', d - kept.len()));
    let round_up = fraction.as_bytes().get(d).is_some_and(|b| *b >= b'5');
    let significant = digits.trim_start_matches('0');
    let magnitude: i128 = if significant.is_empty() {
        0
    } else if significant.len() > 38 {
        i128::MAX
    } else {
        significant.parse::<i128>().ok()?
    };
    let magnitude = magnitude.saturating_add(i128::from(round_up));
    let signed = if negative { -magnitude } else { magnitude };
    Some(signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_rounding_is_half_away_from_zero() {
        assert_eq!(decimal_to_minor("20.00", 2), Some(2000));
        assert_eq!(decimal_to_minor("1.005", 2), Some(101));
        assert_eq!(decimal_to_minor("-1.005", 2), Some(-101));
        assert_eq!(decimal_to_minor("1.004", 2), Some(100));
        assert_eq!(decimal_to_minor(".5", 0), Some(1));
        assert_eq!(decimal_to_minor("12", 3), Some(12000));
        assert_eq!(decimal_to_minor("1e3", 2), None);
        assert_eq!(decimal_to_minor("abc", 2), None);
        assert_eq!(
            decimal_to_minor("99999999999999999999999", 2),
            Some(i64::MAX)
        );
    }

    #[test]
    fn floats_round_on_their_decimal_text() {
        assert_eq!(major_to_minor(1.005, 2), 101);
        assert_eq!(major_to_minor(25.5, 2), 2550);
        assert_eq!(major_to_minor(0.1 + 0.2, 2), 30);
        assert_eq!(major_to_minor(f64::NAN, 2), 0);
        assert_eq!(major_to_minor(1e300, 2), i64::MAX);
    }

    #[test]
    fn grouping() {
        assert_eq!(group_thousands("1234567", ","), "1,234,567");
        assert_eq!(group_thousands("123", ","), "123");
        assert_eq!(group_thousands("1234", ""), "1234");
        assert_eq!(group_thousands("123456", "."), "123.456");
    }
}
