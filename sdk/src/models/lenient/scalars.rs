//! Numbers and bools: each accepts numbers, numeric strings and bools, and treats `null`/`""` as
//! absent.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, Visitor};

use super::{integral_u64, null_is, parse_finite};

/// A number, a numeric string or a bool as `f64`; `null` and blank strings give `None`.
pub(crate) struct F64Visitor;

impl<'de> Visitor<'de> for F64Visitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a numeric string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(if v { 1.0 } else { 0.0 }))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        parse_finite(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Other("a non-numeric string"), &self))
    }
    null_is!(None);
}

/// Seeds an [`F64Visitor`] (for a map value read by hand).
pub(crate) struct F64Seed;

impl<'de> DeserializeSeed<'de> for F64Seed {
    type Value = Option<f64>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(F64Visitor)
    }
}

/// A number, a numeric string or a bool; `null` and `""` give `0.0`.
pub(crate) fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(d.deserialize_any(F64Visitor)?.unwrap_or(0.0))
}

/// Like [`f64`], but `null` and `""` give `None`.
pub(crate) fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(F64Visitor)
}

struct U64Visitor;

impl<'de> Visitor<'de> for U64Visitor {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer or a numeric string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        u64::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Other("a negative integer"), &self))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        integral_u64(v).map(Some).ok_or_else(|| {
            E::invalid_value(
                de::Unexpected::Other("a fractional or negative number"),
                &self,
            )
        })
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(u64::from(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<u64>()
            .ok()
            .or_else(|| parse_finite(t).and_then(integral_u64))
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Other("a non-numeric string"), &self))
    }
    null_is!(None);
}

/// A non-negative integer: number, numeric string or integral float (`129.0`); `null`/`""` give 0.
pub(crate) fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(d.deserialize_any(U64Visitor)?.unwrap_or(0))
}

/// Like [`u64`], narrowed to `u32`.
pub(crate) fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = d.deserialize_any(U64Visitor)?.unwrap_or(0);
    u32::try_from(v).map_err(|_| de::Error::custom("integer out of range for u32"))
}

/// A signed integer that may be absent: `null`/`""` give `None`; numbers, numeric strings and
/// integral floats give `Some`.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match d.deserialize_any(F64Visitor)? {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Some(x as i64)),
        Some(_) => Err(de::Error::custom("expected an integer")),
    }
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a bool, 0/1 or \"true\"/\"false\"/\"1\"/\"0\"/\"yes\"/\"no\"")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        Ok(v != 0)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        Ok(v != 0)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        Ok(v != 0.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        let t = v.trim();
        let is = |word: &str| t.eq_ignore_ascii_case(word);
        if ["1", "true", "yes", "on"].into_iter().any(is) {
            Ok(true)
        } else if ["", "0", "false", "no", "off"].into_iter().any(is) {
            Ok(false)
        } else {
            Err(E::invalid_value(
                de::Unexpected::Other("an unrecognised string"),
                &self,
            ))
        }
    }
    null_is!(false);
}

/// A bool given as `true`, `1`, `"1"`, `"true"`, `"yes"` (and their negatives); `null` is `false`.
pub(crate) fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(BoolVisitor)
}
