//! Lenient serde helpers shared by the response models.
//!
//! Real WooCommerce stores are messy: PHP serialises empty maps as `[]`, numbers arrive as strings and strings as
//! numbers, floats appear where ints are expected. Every helper here accepts the sane alternatives and falls back
//! to the type's default on `null`. Error messages never echo the offending value (a token field must not leak).

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// PHP's `strval` for a JSON scalar: `null`/`false` → `""`, `true` → `"1"`, numbers in their shortest form.
/// Arrays and objects have no string value and yield `None`.
pub(crate) fn php_strval(value: &Value) -> Option<String> {
    match value {
        Value::Null | Value::Bool(false) => Some(String::new()),
        Value::Bool(true) => Some("1".to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

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

// ---------------------------------------------------------------------------------------------------------------
// f64
// ---------------------------------------------------------------------------------------------------------------

struct F64Visitor;

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
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
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

// ---------------------------------------------------------------------------------------------------------------
// unsigned and signed integers
// ---------------------------------------------------------------------------------------------------------------

struct U64Visitor;

impl<'de> Visitor<'de> for U64Visitor {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer or a numeric string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        u64::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        integral_u64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
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
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
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

/// A signed integer that may be absent: `null`/`""` give `None`; numbers, numeric strings and integral floats
/// give `Some`.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match d.deserialize_any(F64Visitor)? {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Some(x as i64)),
        Some(_) => Err(de::Error::custom("expected an integer")),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// bool
// ---------------------------------------------------------------------------------------------------------------

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
        match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "" | "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(E::invalid_value(
                de::Unexpected::Other("an unrecognised string"),
                &self,
            )),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

/// A bool given as `true`, `1`, `"1"`, `"true"`, `"yes"` (and their negatives); `null` is `false`.
pub(crate) fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(BoolVisitor)
}

// ---------------------------------------------------------------------------------------------------------------
// strings
// ---------------------------------------------------------------------------------------------------------------

struct StringVisitor;

impl<'de> Visitor<'de> for StringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a scalar")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(if v { "1".to_owned() } else { String::new() })
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

/// A string; numbers become their decimal form, `null`/`false` become `""` and `true` becomes `"1"` (PHP `strval`).
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(StringVisitor)
}

/// Like [`string`], but an empty result is `None` (`""`, `null`, `false`).
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = d.deserialize_any(StringVisitor)?;
    Ok((!s.is_empty()).then_some(s))
}

/// Only a non-empty JSON string is `Some`; every other value (numbers, objects, `null`) is dropped without being
/// echoed. Used for token fields, where a stray `WP_Error` object or an integer must not become a credential.
pub(crate) fn opt_string_strict<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) if !s.is_empty() => Ok(Some(s)),
        _ => Ok(None),
    }
}

/// A list of plain strings from a JSON value: an array (string elements, or objects carrying a `notice`/`message`
/// string), a single string (one element), or `null`/`""`/`[]` (empty).
pub(crate) fn value_to_string_list(value: Value) -> Vec<String> {
    fn one(v: Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Object(mut m) => ["notice", "message"]
                .iter()
                .find_map(|k| match m.remove(*k) {
                    Some(Value::String(s)) => Some(s),
                    _ => None,
                }),
            _ => None,
        }
    }
    match value {
        Value::String(s) if s.is_empty() => Vec::new(),
        Value::Array(items) => items.into_iter().filter_map(one).collect(),
        Value::Object(m) => m.into_iter().filter_map(|(_, v)| one(v)).collect(),
        other => one(other).into_iter().collect(),
    }
}

/// A map of strings: an object (scalar values converted with PHP `strval`, nested values skipped), `[]`/`null`
/// (empty), or a non-empty array (keys `"0"`, `"1"`, …).
pub(crate) fn string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let value = Value::deserialize(d)?;
    let pairs: Vec<(String, Value)> = match value {
        Value::Object(m) => m.into_iter().collect(),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        Value::Null | Value::Bool(false) => Vec::new(),
        _ => return Err(de::Error::custom("expected an object of strings or []")),
    };
    Ok(pairs
        .into_iter()
        .filter_map(|(k, v)| php_strval(&v).map(|s| (k, s)))
        .collect())
}

// ---------------------------------------------------------------------------------------------------------------
// containers
// ---------------------------------------------------------------------------------------------------------------

struct VecOrMapVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for VecOrMapVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array, or an object whose values are the elements")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        while let Some(item) = seq.next_element::<T>()? {
            out.push(item);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
        while let Some((_key, item)) = map.next_entry::<IgnoredAny, T>()? {
            out.push(item);
        }
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<T>, E> {
        if v {
            Err(E::invalid_type(de::Unexpected::Bool(v), &self))
        } else {
            Ok(Vec::new())
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
        if v.is_empty() {
            Ok(Vec::new())
        } else {
            Err(E::invalid_type(de::Unexpected::Other("a string"), &self))
        }
    }
}

/// A list given as a JSON array, or as an object keyed by id (the values are taken in order); `null`, `false` and
/// `""` give an empty list.
pub(crate) fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(VecOrMapVisitor(PhantomData))
}

struct MapOrArrayVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for MapOrArrayVisitor<T> {
    type Value = BTreeMap<String, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object, or [] for an empty one")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((key, item)) = map.next_entry::<String, T>()? {
            out.insert(key, item);
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // A PHP list: key it by position, as PHP would.
        let mut out = BTreeMap::new();
        let mut index = 0usize;
        while let Some(item) = seq.next_element::<T>()? {
            out.insert(index.to_string(), item);
            index += 1;
        }
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            Err(E::invalid_type(de::Unexpected::Bool(v), &self))
        } else {
            Ok(BTreeMap::new())
        }
    }
}

/// A map given as an object, or `[]`/`null`/`false` when empty (the PHP empty-array trap).
pub(crate) fn map<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(MapOrArrayVisitor(PhantomData))
}

/// A free-form JSON object, or `[]`/`null` when empty. A non-empty array is keyed by position.
pub(crate) fn json_map<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    match Value::deserialize(d)? {
        Value::Object(m) => Ok(m),
        Value::Array(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect()),
        Value::Null | Value::Bool(false) => Ok(Map::new()),
        Value::String(s) if s.is_empty() => Ok(Map::new()),
        _ => Err(de::Error::custom("expected an object or []")),
    }
}

/// Like [`json_map`], for a field that may be absent: present values are `Some` (`[]` gives `Some(empty)`), `null`
/// gives `None`.
pub(crate) fn opt_json_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Map<String, Value>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        other => json_map(other).map(Some).map_err(de::Error::custom),
    }
}

/// A struct that PHP may send as `[]` (or `null`/`false`) when it has no data: those give `T::default()`.
pub(crate) fn obj_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(opt_obj(d)?.unwrap_or_default())
}

/// A struct that PHP may send as `[]` (or `null`/`false`/`""`) when absent: those give `None`.
pub(crate) fn opt_obj<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    match Value::deserialize(d)? {
        Value::Null | Value::Bool(false) => Ok(None),
        Value::Array(items) if items.is_empty() => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        other => T::deserialize(other).map(Some).map_err(de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "f64")]
        f: f64,
        #[serde(default, deserialize_with = "u64")]
        u: u64,
        #[serde(default, deserialize_with = "bool")]
        b: bool,
        #[serde(default, deserialize_with = "string")]
        s: String,
        #[serde(default, deserialize_with = "map")]
        m: BTreeMap<String, u64>,
        #[serde(default, deserialize_with = "vec")]
        v: Vec<u64>,
    }

    fn probe(v: Value) -> Probe {
        match serde_json::from_value(v) {
            Ok(p) => p,
            Err(e) => panic!("probe failed: {e}"),
        }
    }

    #[test]
    fn scalars_accept_strings_and_numbers() {
        let p = probe(json!({"f":"1.5","u":"42","b":"1","s":42,"m":[],"v":{"a":1,"b":2}}));
        assert_eq!((p.f, p.u, p.b, p.s.as_str()), (1.5, 42, true, "42"));
        assert!(p.m.is_empty());
        assert_eq!(p.v, vec![1, 2]);
        let p = probe(json!({"f":2,"u":129.0,"b":"false","s":null,"m":{"x":3},"v":null}));
        assert_eq!((p.f, p.u, p.b, p.s.as_str()), (2.0, 129, false, ""));
        assert_eq!(p.m.get("x"), Some(&3));
        assert!(p.v.is_empty());
    }

    #[test]
    fn garbage_is_rejected_without_echoing_the_value() {
        let err = serde_json::from_value::<Probe>(json!({"u":"secret-ish"}))
            .map(|_| ())
            .unwrap_err();
        assert!(!err.to_string().contains("secret-ish"), "{err}");
        assert!(serde_json::from_value::<Probe>(json!({"u":-1})).is_err());
        assert!(serde_json::from_value::<Probe>(json!({"f":"NaN"})).is_err());
        assert!(serde_json::from_value::<Probe>(json!({"b":"maybe"})).is_err());
    }
}
