//! The cart's `taxes`: none, itemized by rate code, or a single line.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::lenient;
use super::money::Amount;

/// One itemized tax line (`{"name":"VAT","price":"200"}`), keyed by rate code in
/// [`Taxes::Itemized`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaxLine {
    /// Tax name, e.g. `"VAT"`.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Amount in minor units.
    pub price: Amount,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The cart's `taxes`: filled only when taxes are on and prices are shown excluding tax.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub enum Taxes {
    /// `[]`: no taxes shown.
    #[default]
    None,
    /// Itemized by tax rate code: `{"US-CA-TAX-1":{"name":"Tax","price":"200"}}`.
    Itemized(BTreeMap<String, TaxLine>),
    /// A single line: `{"label":"Tax","total":"200"}` (the label may end " (estimated for X)").
    Single {
        /// The label.
        label: String,
        /// Amount in minor units.
        total: Amount,
    },
}

impl Taxes {
    /// Whether no tax line is shown.
    pub fn is_empty(&self) -> bool {
        match self {
            Taxes::None => true,
            Taxes::Itemized(lines) => lines.is_empty(),
            Taxes::Single { .. } => false,
        }
    }

    /// The sum of the shown tax lines in minor units (saturating).
    pub fn total(&self) -> Amount {
        match self {
            Taxes::None => Amount::ZERO,
            Taxes::Itemized(lines) => Amount(
                lines
                    .values()
                    .fold(0i64, |acc, l| acc.saturating_add(l.price.0)),
            ),
            Taxes::Single { total, .. } => *total,
        }
    }
}

/// One value of the `taxes` object, read before knowing which form the object has: an object is
/// decoded as a [`TaxLine`] right away; a scalar is kept (as a small `Value`) for the single-line
/// form.
enum Entry {
    Line(TaxLine),
    Scalar(Value),
    List,
}

struct EntrySeed;

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = Entry;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Entry, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tax line or a scalar")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
        TaxLine::deserialize(MapAccessDeserializer::new(map)).map(Entry::Line)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Entry, A::Error> {
        de::IgnoredAny.visit_seq(seq).map(|_| Entry::List)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::from(v)))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::from(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::from(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Entry, E> {
        Ok(Entry::Scalar(Value::Bool(v)))
    }
    lenient::null_is!(Entry::Scalar(Value::Null));
}

/// The single-line form from its `label` and `total` entries (other keys are ignored).
fn single<E: de::Error>(mut entries: BTreeMap<String, Entry>) -> Result<Taxes, E> {
    let label = match entries.remove("label") {
        None => String::new(),
        Some(Entry::Scalar(v)) => lenient::string(v).map_err(E::custom)?,
        Some(_) => return Err(E::custom("expected a tax label")),
    };
    let total = match entries.remove("total") {
        Some(Entry::Scalar(v)) => Amount::deserialize(v).map_err(E::custom)?,
        _ => return Err(E::custom("expected a tax total")),
    };
    Ok(Taxes::Single { label, total })
}

/// The itemized form: every value must be a tax line.
fn itemized<E: de::Error>(entries: BTreeMap<String, Entry>) -> Result<Taxes, E> {
    entries
        .into_iter()
        .map(|(code, entry)| match entry {
            Entry::Line(line) => Ok((code, line)),
            Entry::Scalar(_) | Entry::List => Err(E::custom("expected an object of tax lines")),
        })
        .collect::<Result<_, E>>()
        .map(Taxes::Itemized)
}

struct TaxesVisitor;

impl<'de> Visitor<'de> for TaxesVisitor {
    type Value = Taxes;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tax lines by rate code, a single {label,total} line, or []")
    }
    /// An object is the single-line form when its `total` is not an object, else tax lines by rate
    /// code.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Taxes, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let entry = map.next_value_seed(EntrySeed)?;
            entries.insert(key, entry);
        }
        match entries.get("total") {
            Some(Entry::Scalar(_) | Entry::List) => single(entries),
            Some(Entry::Line(_)) | None => itemized(entries),
        }
    }
    /// `[]` is "no taxes"; a non-empty list is keyed by position, as PHP would.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Taxes, A::Error> {
        let mut lines = BTreeMap::new();
        while let Some(line) = seq.next_element::<TaxLine>()? {
            lines.insert(lines.len().to_string(), line);
        }
        Ok(if lines.is_empty() {
            Taxes::None
        } else {
            Taxes::Itemized(lines)
        })
    }
    lenient::null_is!(Taxes::None);
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Taxes, E> {
        if v {
            Err(lenient::wrong_kind("true", &self))
        } else {
            Ok(Taxes::None)
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Taxes, E> {
        if v.is_empty() {
            Ok(Taxes::None)
        } else {
            Err(lenient::wrong_kind("a string", &self))
        }
    }
    lenient::reject_numbers!();
}

impl<'de> Deserialize<'de> for Taxes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TaxesVisitor)
    }
}

impl Serialize for Taxes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Taxes::None => s.collect_seq(std::iter::empty::<()>()),
            Taxes::Itemized(lines) if lines.is_empty() => s.collect_seq(std::iter::empty::<()>()),
            Taxes::Itemized(lines) => lines.serialize(s),
            Taxes::Single { label, total } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("label", label)?;
                map.serialize_entry("total", total)?;
                map.end()
            }
        }
    }
}
