//! Lenient serde helpers shared by the response models.
//!
//! Real WooCommerce stores are messy: PHP serialises empty maps as `[]`, numbers arrive as strings
//! and strings as numbers, floats appear where ints are expected. Every helper here accepts the
//! sane alternatives and falls back to the type's default on `null`. Error messages never echo the
//! offending value (a token field must not leak).
//!
//! # Streaming
//! Every helper is a [`serde::de::Visitor`] driven by `deserialize_any`: nested objects go straight
//! to their type through [`serde::de::value::MapAccessDeserializer`] instead of being buffered into
//! a `serde_json::Value` first, so each field is decoded once. Only the fields that keep raw JSON
//! on purpose (`extra` maps, `cart_item_data`, `meta_data`, `extensions`) build `Value`s. The
//! visitors use the public `Visitor` API only, so they work the same under serde's buffered
//! deserializers (a struct with `#[serde(flatten)]` inside an untagged enum or another flatten).

mod containers;
mod scalars;
mod text;

pub(crate) use containers::{json_map, map, obj_or_default, opt_json_map, opt_obj, vec};
pub(crate) use scalars::{F64Seed, F64Visitor, bool, f64, opt_f64, opt_i64, u32, u64};
pub(crate) use text::{
    StringListSeed, StringListVisitor, opt_string, opt_string_strict, string, string_map,
};

use serde::de::{self, Visitor};

/// Parses a numeric string (surrounding whitespace allowed) to a finite `f64`.
pub(crate) fn parse_finite(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Converts a finite float that holds an integer to `u64`.
fn integral_u64(x: f64) -> Option<u64> {
    // 2^64 as f64; `as` would saturate, so check the range first.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    (x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < LIMIT).then_some(x as u64)
}

/// A float in the shortest form JSON (and PHP) print it: `2.0`, `1.5`, `1e20`. The same text as
/// `serde_json::Number`'s `Display`, so decoding from bytes and from a `Value` agree.
fn json_float_text(x: f64) -> String {
    serde_json::Number::from_f64(x).map_or_else(|| x.to_string(), |n| n.to_string())
}

/// The error for a value of the wrong kind, naming only the kind (`what`), never the value.
pub(crate) fn wrong_kind<E: de::Error>(what: &'static str, expected: &dyn de::Expected) -> E {
    E::invalid_type(de::Unexpected::Other(what), expected)
}

/// Rejects a number without echoing it (serde's default messages print the value).
macro_rules! reject_numbers {
    () => {
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err($crate::models::lenient::wrong_kind("a number", &self))
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err($crate::models::lenient::wrong_kind("a number", &self))
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err($crate::models::lenient::wrong_kind("a number", &self))
        }
    };
}
pub(crate) use reject_numbers;

/// The `null` arms of a lenient visitor: `null` (and a missing optional) decode to `$empty`, and a
/// present optional is read as its value.
macro_rules! null_is {
    ($empty:expr) => {
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($empty)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            serde::Deserializer::deserialize_any(d, self)
        }
    };
}
pub(crate) use null_is;

/// Drains a nested array or object that a helper ignores, so the deserializer can go on with the
/// next field.
fn skip_seq<'de, A: de::SeqAccess<'de>>(seq: A) -> Result<(), A::Error> {
    de::IgnoredAny.visit_seq(seq).map(drop)
}

/// Like [`skip_seq`], for an object.
fn skip_map<'de, A: de::MapAccess<'de>>(map: A) -> Result<(), A::Error> {
    de::IgnoredAny.visit_map(map).map(drop)
}

#[cfg(test)]
mod tests;
