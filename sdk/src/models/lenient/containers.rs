//! Lists, maps and nested objects, each also accepting PHP's `[]` (and `null`/`false`/`""`) for
//! "empty".

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::{null_is, reject_numbers, wrong_kind};

/// `false` and `""` mean "empty" for every container; `true` and other strings are errors (named,
/// not echoed).
macro_rules! empty_on_false_or_blank {
    ($empty:expr) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            if v {
                Err(wrong_kind("true", &self))
            } else {
                Ok($empty)
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.is_empty() {
                Ok($empty)
            } else {
                Err(wrong_kind("a string", &self))
            }
        }
    };
}

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
    null_is!(Vec::new());
    empty_on_false_or_blank!(Vec::new());
    reject_numbers!();
}

/// A list given as a JSON array, or as an object keyed by id (the values are taken in order);
/// `null`, `false` and `""` give an empty list.
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
    null_is!(BTreeMap::new());
    empty_on_false_or_blank!(BTreeMap::new());
    reject_numbers!();
}

/// A map given as an object, or `[]`/`null`/`false`/`""` when empty (the PHP empty-array trap). A
/// non-empty array is keyed by position.
pub(crate) fn map<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(MapOrArrayVisitor(PhantomData))
}

/// Collects a free-form JSON object; the values stay raw `Value`s on purpose.
struct JsonMapVisitor;

impl<'de> Visitor<'de> for JsonMapVisitor {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or []")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            out.insert(key, value);
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        let mut index = 0usize;
        while let Some(value) = seq.next_element::<Value>()? {
            out.insert(index.to_string(), value);
            index += 1;
        }
        Ok(out)
    }
    null_is!(Map::new());
    empty_on_false_or_blank!(Map::new());
    reject_numbers!();
}

/// A free-form JSON object, or `[]`/`null`/`false`/`""` when empty. A non-empty array is keyed by
/// position.
pub(crate) fn json_map<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    d.deserialize_any(JsonMapVisitor)
}

/// [`JsonMapVisitor`], except that `null` is `None`.
struct OptJsonMapVisitor;

impl<'de> Visitor<'de> for OptJsonMapVisitor {
    type Value = Option<Map<String, Value>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        JsonMapVisitor.expecting(f)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        JsonMapVisitor.visit_map(map).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        JsonMapVisitor.visit_seq(seq).map(Some)
    }
    null_is!(None);
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        JsonMapVisitor.visit_bool(v).map(Some)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        JsonMapVisitor.visit_str(v).map(Some)
    }
    reject_numbers!();
}

/// Like [`json_map`], for a field that may be absent: present values are `Some` (`[]` gives
/// `Some(empty)`), `null` gives `None`.
pub(crate) fn opt_json_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Map<String, Value>>, D::Error> {
    d.deserialize_any(OptJsonMapVisitor)
}

/// A struct that PHP may send as `[]` (or `null`/`false`/`""`) when absent. An object goes straight
/// to `T`; a non-empty array goes to `T` as a sequence (positional fields), like a plain
/// `T::deserialize` would.
struct OptObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OptObjVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object, or []/null/false/\"\" when absent")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // `[]` is PHP's empty object. Telling it from a real array costs one element, which is kept
        // as a `Value` and handed back to `T` in front of the rest.
        match seq.next_element::<Value>()? {
            None => Ok(None),
            Some(first) => T::deserialize(SeqAccessDeserializer::new(Prepended {
                first: Some(first),
                rest: seq,
            }))
            .map(Some),
        }
    }
    null_is!(None);
    empty_on_false_or_blank!(None);
    reject_numbers!();
}

/// A sequence whose first element was already read (as a `Value`) to see whether it was empty.
struct Prepended<A> {
    first: Option<Value>,
    rest: A,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Prepended<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        match self.first.take() {
            Some(value) => seed.deserialize(value).map(Some).map_err(de::Error::custom),
            None => self.rest.next_element_seed(seed),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        self.rest
            .size_hint()
            .map(|n| n + usize::from(self.first.is_some()))
    }
}

/// A struct that PHP may send as `[]` (or `null`/`false`/`""`) when absent: those give `None`.
pub(crate) fn opt_obj<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(OptObjVisitor(PhantomData))
}

/// A struct that PHP may send as `[]` (or `null`/`false`/`""`) when it has no data: those give
/// `T::default()`.
pub(crate) fn obj_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(opt_obj(d)?.unwrap_or_default())
}
