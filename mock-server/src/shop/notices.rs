//! WooCommerce notices collected during one request (`wc_add_notice`), printed in the cart's
//! `notices` field and then forgotten.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A notice type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `success`
    Success,
    /// `error`
    Error,
    /// `notice`
    Notice,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Error => "error",
            Self::Notice => "notice",
        }
    }
}

/// The notices of one request, grouped by type in the order the types first appeared.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Notices {
    groups: Vec<(Kind, Vec<String>)>,
}

impl Notices {
    /// Adds a notice.
    pub(crate) fn add(&mut self, kind: Kind, message: impl Into<String>) {
        let message = message.into();
        match self.groups.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, list)) => list.push(message),
            None => self.groups.push((kind, vec![message])),
        }
    }

    /// A success notice.
    pub(crate) fn success(&mut self, message: impl Into<String>) {
        self.add(Kind::Success, message);
    }

    /// An error notice.
    pub(crate) fn error(&mut self, message: impl Into<String>) {
        self.add(Kind::Error, message);
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// `[]` when empty (the PHP empty-array trap), else `{"success":[…],…}`.
    #[cfg(test)]
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value};
        if self.groups.is_empty() {
            return Value::Array(Vec::new());
        }
        let mut map = Map::new();
        for (kind, list) in &self.groups {
            map.insert(
                kind.as_str().into(),
                Value::Array(list.iter().cloned().map(Value::String).collect()),
            );
        }
        Value::Object(map)
    }
}

/// `[]` when empty (the PHP empty-array trap), else `{"success":[…],…}`, straight into a
/// serializer.
impl Serialize for Notices {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.groups.is_empty() {
            return s.serialize_seq(Some(0))?.end();
        }
        let mut map = s.serialize_map(Some(self.groups.len()))?;
        for (kind, list) in &self.groups {
            map.serialize_entry(kind.as_str(), list)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_a_list_and_groups_keep_order() {
        let mut n = Notices::default();
        assert_eq!(n.to_json(), serde_json::json!([]));
        n.success("a");
        n.error("b");
        n.success("c");
        assert_eq!(
            n.to_json().to_string(),
            r#"{"success":["a","c"],"error":["b"]}"#
        );
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#"{"success":["a","c"],"error":["b"]}"#
        );
        assert_eq!(serde_json::to_string(&Notices::default()).unwrap(), "[]");
    }
}
