//! WooCommerce notices collected during a cart request.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::lenient;

/// The notices of one cart response: `[]` when there are none, otherwise
/// `{"success":[…],"error":[…],"notice":[…],"info":[…]}` of plain-text strings.
///
/// **Stock and validity problems arrive here as errors with HTTP 200** ("Sorry, "X" is not in
/// stock…"), so check [`Notices::has_errors`] after every cart call. A single string instead of an
/// array, and notice objects with a `notice` field, are accepted; unknown notice types are kept in
/// [`Notices::other`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notices {
    /// `success` notices, e.g. `"“Hoodie” has been added to your cart."`.
    pub success: Vec<String>,
    /// `error` notices, e.g. stock problems.
    pub error: Vec<String>,
    /// `notice` notices, e.g. `"Cart is cleared."`.
    pub notice: Vec<String>,
    /// `info` notices.
    pub info: Vec<String>,
    /// Notices of types a plugin added, by type.
    pub other: BTreeMap<String, Vec<String>>,
}

impl Notices {
    /// Error notices (stock problems, removed lines, invalid coupons).
    pub fn errors(&self) -> &[String] {
        &self.error
    }

    /// Success notices.
    pub fn successes(&self) -> &[String] {
        &self.success
    }

    /// Plain `notice` notices.
    pub fn notices(&self) -> &[String] {
        &self.notice
    }

    /// Info notices.
    pub fn infos(&self) -> &[String] {
        &self.info
    }

    /// Whether there is no notice of any type.
    pub fn is_empty(&self) -> bool {
        self.success.is_empty()
            && self.error.is_empty()
            && self.notice.is_empty()
            && self.info.is_empty()
            && self.other.values().all(Vec::is_empty)
    }

    /// Whether at least one error notice came back.
    pub fn has_errors(&self) -> bool {
        !self.error.is_empty()
    }
}

/// An object of notice lists by type, or one untyped list (its strings become plain `notice`
/// notices).
struct NoticesVisitor;

impl NoticesVisitor {
    fn untyped(notice: Vec<String>) -> Notices {
        Notices {
            notice,
            ..Notices::default()
        }
    }
}

impl<'de> Visitor<'de> for NoticesVisitor {
    type Value = Notices;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("notices by type, or []")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Notices, A::Error> {
        let mut out = Notices::default();
        while let Some(kind) = map.next_key::<String>()? {
            let list = map.next_value_seed(lenient::StringListSeed)?;
            match kind.as_str() {
                "success" => out.success = list,
                "error" => out.error = list,
                "notice" => out.notice = list,
                "info" => out.info = list,
                _ => {
                    out.other.insert(kind, list);
                }
            }
        }
        Ok(out)
    }
    // A non-empty list carries no type: treat its strings as plain notices.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Notices, A::Error> {
        lenient::StringListVisitor.visit_seq(seq).map(Self::untyped)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Notices, E> {
        lenient::StringListVisitor.visit_str(v).map(Self::untyped)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Notices, E> {
        lenient::StringListVisitor.visit_i64(v).map(Self::untyped)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Notices, E> {
        lenient::StringListVisitor.visit_u64(v).map(Self::untyped)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Notices, E> {
        lenient::StringListVisitor.visit_f64(v).map(Self::untyped)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Notices, E> {
        Ok(Notices::default())
    }
    lenient::null_is!(Notices::default());
}

impl<'de> Deserialize<'de> for Notices {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoticesVisitor)
    }
}

impl Serialize for Notices {
    /// Serializes like PHP: `[]` when empty, otherwise an object holding the non-empty types.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_empty() {
            return s.collect_seq(std::iter::empty::<()>());
        }
        let known = [
            ("success", &self.success),
            ("error", &self.error),
            ("notice", &self.notice),
            ("info", &self.info),
        ];
        let mut map = s.serialize_map(None)?;
        for (kind, list) in known
            .into_iter()
            .chain(self.other.iter().map(|(k, v)| (k.as_str(), v)))
        {
            if !list.is_empty() {
                map.serialize_entry(kind, list)?;
            }
        }
        map.end()
    }
}
