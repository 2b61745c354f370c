//! Matchers on JSON values and the pointer syntax the contract uses.

use serde_json::Value;

/// A check on one JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// Any JSON string.
    String,
    /// A JSON integer.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON array.
    Array,
    /// A JSON object.
    Object,
    /// `null`.
    Null,
    /// Present, whatever it is.
    Present,
    /// Absent.
    Absent,
    /// A string of three base64url parts.
    Jwt,
    /// 128 lowercase hex digits (a refresh token).
    Hex128,
    /// A string of ASCII digits with an optional leading minus: money in minor units.
    MinorUnits,
    /// This exact string.
    Text(String),
    /// This exact JSON value.
    Json(Value),
    /// Equal to a remembered value (a placeholder name).
    SameAs(String),
}

impl Matcher {
    /// Parses the contract's matcher syntax.
    pub fn parse(s: &str) -> Result<Self, String> {
        Ok(match s {
            "string" => Self::String,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "array" => Self::Array,
            "object" => Self::Object,
            "null" => Self::Null,
            "present" => Self::Present,
            "absent" => Self::Absent,
            "jwt" => Self::Jwt,
            "hex128" => Self::Hex128,
            "minor-units" => Self::MinorUnits,
            other => {
                if let Some(text) = other.strip_prefix('=') {
                    Self::Text(text.to_string())
                } else if let Some(json) = other.strip_prefix("json:") {
                    Self::Json(
                        serde_json::from_str(json)
                            .map_err(|e| format!("matcher {other:?}: not JSON ({e})"))?,
                    )
                } else if let Some(name) = other.strip_prefix("same-as:") {
                    Self::SameAs(name.to_string())
                } else {
                    return Err(format!("unknown matcher {other:?}"));
                }
            }
        })
    }

    /// Whether `value` (None: absent) passes; `lookup` resolves `same-as` names.
    pub fn check(&self, value: Option<&Value>, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
        let Some(v) = value else {
            return *self == Self::Absent;
        };
        match self {
            Self::String => v.is_string(),
            Self::Integer => v.is_i64() || v.is_u64(),
            Self::Number => v.is_number(),
            Self::Boolean => v.is_boolean(),
            Self::Array => v.is_array(),
            Self::Object => v.is_object(),
            Self::Null => v.is_null(),
            Self::Present => true,
            Self::Absent => false,
            Self::Jwt => v.as_str().is_some_and(is_jwt_shaped),
            Self::Hex128 => v.as_str().is_some_and(|s| {
                s.len() == 128
                    && s.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            }),
            Self::MinorUnits => v.as_str().is_some_and(|s| {
                let digits = s.strip_prefix('-').unwrap_or(s);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            }),
            Self::Text(t) => v.as_str() == Some(t.as_str()),
            Self::Json(j) => v == j,
            Self::SameAs(name) => lookup(name).is_some_and(|want| v.as_str() == Some(&want)),
        }
    }

    /// How the expectation reads in a report.
    pub fn describe(&self) -> String {
        match self {
            Self::Text(t) => format!("{t:?}"),
            Self::Json(j) => j.to_string(),
            Self::SameAs(n) => format!("the same {n}"),
            Self::MinorUnits => "minor units as a digit string".into(),
            Self::Hex128 => "128 hex digits".into(),
            Self::Jwt => "a JWT".into(),
            other => format!("{other:?}").to_lowercase(),
        }
    }
}

/// Three non-empty base64url parts separated by dots.
pub fn is_jwt_shaped(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
        })
}

/// Resolves a pointer such as `/extras/jwt_token` or `/items[id=101]/item_key` (`vars` fills
/// `${name}` inside selectors).
pub fn select<'a>(
    root: &'a Value,
    pointer: &str,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Option<&'a Value> {
    if pointer.is_empty() || pointer == "/" {
        return Some(root);
    }
    let mut current = root;
    for segment in pointer.trim_start_matches('/').split('/') {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        current = match segment.split_once('[') {
            Some((field, selector)) => {
                let selector = selector.strip_suffix(']')?;
                let (key, want) = selector.split_once('=')?;
                let want = fill(want, vars)?;
                let list = if field.is_empty() {
                    current
                } else {
                    current.get(field)?
                };
                let items: Box<dyn Iterator<Item = &Value>> = match list {
                    Value::Array(a) => Box::new(a.iter()),
                    Value::Object(o) => Box::new(o.values()),
                    _ => return None,
                };
                let mut found = None;
                for item in items {
                    let got = item.get(key).map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                    if got.as_deref() == Some(want.as_str()) {
                        found = Some(item);
                        break;
                    }
                }
                found?
            }
            None => match current {
                Value::Array(a) => a.get(segment.parse::<usize>().ok()?)?,
                Value::Object(o) => o.get(&segment)?,
                _ => return None,
            },
        };
    }
    Some(current)
}

/// Replaces `${name}` placeholders; `None` when one is unknown.
pub fn fill(template: &str, vars: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        out.push_str(&vars(&after[..end])?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn matchers_parse_and_check() {
        let body = json!({"a": "123", "b": -5, "t": "x.y.z", "e": []});
        let m = |s: &str| Matcher::parse(s).unwrap();
        assert!(m("minor-units").check(body.get("a"), &none));
        assert!(!m("minor-units").check(body.get("b"), &none));
        assert!(m("integer").check(body.get("b"), &none));
        assert!(m("jwt").check(body.get("t"), &none));
        assert!(m("absent").check(body.get("zz"), &none));
        assert!(!m("present").check(body.get("zz"), &none));
        assert!(m("json:[]").check(body.get("e"), &none));
        assert!(m("=123").check(body.get("a"), &none));
        assert!(m("same-as:x").check(body.get("a"), &|n| (n == "x").then(|| "123".into())));
        assert!(Matcher::parse("regex:.*").is_err());
    }

    #[test]
    fn pointers_select_by_field_value() {
        let body =
            json!({"items": [{"id": 7, "k": "a"}, {"id": 9, "k": "b"}], "m": {"x": {"id": "3"}}});
        let vars = |n: &str| (n == "p").then(|| "9".to_string());
        assert_eq!(select(&body, "/items[id=${p}]/k", &vars), Some(&json!("b")));
        assert_eq!(select(&body, "/items/0/k", &vars), Some(&json!("a")));
        assert_eq!(select(&body, "/m[id=3]/id", &vars), Some(&json!("3")));
        assert_eq!(select(&body, "/items[id=${q}]/k", &vars), None);
        assert_eq!(select(&body, "/nope", &vars), None);
    }

    #[test]
    fn placeholders_fill_or_fail() {
        let vars = |n: &str| (n == "a").then(|| "1".to_string());
        assert_eq!(fill("x${a}y", &vars).as_deref(), Some("x1y"));
        assert_eq!(
            fill("{\"k\":\"${a}\"}", &vars).as_deref(),
            Some("{\"k\":\"1\"}")
        );
        assert_eq!(fill("${b}", &vars), None);
        assert_eq!(fill("${unclosed", &vars), None);
    }
}
