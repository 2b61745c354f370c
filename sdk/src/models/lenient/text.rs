//! Strings, maps of strings and lists of strings, with PHP's `strval` for scalars.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{json_float_text, null_is, reject_numbers, skip_map, skip_seq, wrong_kind};

/// The arms of a visitor into `Option<String>` that keep a JSON string or number as text: strings
/// as they are, numbers in their JSON form.
macro_rules! scalar_text {
    () => {
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(json_float_text(v)))
        }
    };
}

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
    null_is!(String::new());
}

/// A string; numbers become their decimal form, `null`/`false` become `""` and `true` becomes `"1"`
/// (PHP `strval`).
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(StringVisitor)
}

/// Like [`string`], but an empty result is `None` (`""`, `null`, `false`).
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = d.deserialize_any(StringVisitor)?;
    Ok((!s.is_empty()).then_some(s))
}

/// Only a JSON string is `Some` (even `""`); every other value is skipped without being looked at.
struct JsonStringVisitor;

impl<'de> Visitor<'de> for JsonStringVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    null_is!(None);
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map).map(|()| None)
    }
}

struct JsonStringSeed;

impl<'de> DeserializeSeed<'de> for JsonStringSeed {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(JsonStringVisitor)
    }
}

/// Only a non-empty JSON string is `Some`; every other value (numbers, objects, `null`) is dropped
/// without being echoed. Used for token fields, where a stray `WP_Error` object or an integer must
/// not become a credential.
pub(crate) fn opt_string_strict<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(d.deserialize_any(JsonStringVisitor)?
        .filter(|s| !s.is_empty()))
}

/// PHP's `strval` of a JSON scalar: `null`/`false` → `""`, `true` → `"1"`, numbers in their JSON
/// form. Arrays and objects have no string value: they are skipped and give `None`.
struct StrvalVisitor;

impl<'de> Visitor<'de> for StrvalVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    scalar_text!();
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(if v { "1".to_owned() } else { String::new() }))
    }
    null_is!(Some(String::new()));
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map).map(|()| None)
    }
}

struct StrvalSeed;

impl<'de> DeserializeSeed<'de> for StrvalSeed {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(StrvalVisitor)
    }
}

/// Builds a map of strings from an object, or from an array keyed by position.
struct StringMapVisitor;

impl<'de> Visitor<'de> for StringMapVisitor {
    type Value = BTreeMap<String, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of strings or []")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            // A repeated key replaces the earlier value, even with "no string value".
            match map.next_value_seed(StrvalSeed)? {
                Some(text) => out.insert(key, text),
                None => out.remove(&key),
            };
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        let mut index = 0usize;
        while let Some(item) = seq.next_element_seed(StrvalSeed)? {
            if let Some(text) = item {
                out.insert(index.to_string(), text);
            }
            index += 1;
        }
        Ok(out)
    }
    null_is!(BTreeMap::new());
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v {
            Err(wrong_kind("true", &self))
        } else {
            Ok(BTreeMap::new())
        }
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(wrong_kind("a string", &self))
    }
    reject_numbers!();
}

/// A map of strings: an object (scalar values converted with PHP `strval`, nested values skipped),
/// `[]`/`null`/ `false` (empty), or a non-empty array (keys `"0"`, `"1"`, …).
pub(crate) fn string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    d.deserialize_any(StringMapVisitor)
}

/// The text of one notice: a string, a number, or an object's `notice` (else `message`) string.
struct NoticeTextVisitor;

/// The keys of a notice object that carry its text.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum NoticeKey {
    Notice,
    Message,
    #[serde(other)]
    Other,
}

impl<'de> Visitor<'de> for NoticeTextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    scalar_text!();
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    null_is!(None);
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut notice, mut message) = (None, None);
        while let Some(key) = map.next_key::<NoticeKey>()? {
            match key {
                NoticeKey::Notice => notice = map.next_value_seed(JsonStringSeed)?,
                NoticeKey::Message => message = map.next_value_seed(JsonStringSeed)?,
                NoticeKey::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(notice.or(message))
    }
}

struct NoticeTextSeed;

impl<'de> DeserializeSeed<'de> for NoticeTextSeed {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(NoticeTextVisitor)
    }
}

/// A list of plain strings: an array (string or number elements, or objects carrying a
/// `notice`/`message` string), an object (its values, the same way), a single string or number (one
/// element), or `null`/`""`/`[]`/a bool (empty). Never fails on the shape of the value.
pub(crate) struct StringListVisitor;

impl<'de> Visitor<'de> for StringListVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(NoticeTextSeed)? {
            out.extend(item);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while map.next_key::<de::IgnoredAny>()?.is_some() {
            out.extend(map.next_value_seed(NoticeTextSeed)?);
        }
        Ok(out)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(NoticeTextVisitor
            .visit_str(v)?
            .filter(|s| !s.is_empty())
            .into_iter()
            .collect())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok((!v.is_empty()).then_some(v).into_iter().collect())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(NoticeTextVisitor.visit_i64(v)?.into_iter().collect())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(NoticeTextVisitor.visit_u64(v)?.into_iter().collect())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(NoticeTextVisitor.visit_f64(v)?.into_iter().collect())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    null_is!(Vec::new());
}

/// Seeds a [`StringListVisitor`] (for a map value read by hand).
pub(crate) struct StringListSeed;

impl<'de> DeserializeSeed<'de> for StringListSeed {
    type Value = Vec<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(StringListVisitor)
    }
}
