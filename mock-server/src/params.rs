//! WordPress request parameters: `WP_REST_Request::get_param` looks in the JSON body, then the
//! form body, then the query string. `$_REQUEST` (used for `cart_key` and Basic fallbacks) is the
//! query string plus the form body, never the JSON body.

use crate::error::ApiError;
use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::{Map, Value};

/// The largest request body the mock accepts (413 above it).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Parameters of one request, by source. `Debug` shows the keys only (values may hold
/// passwords or refresh tokens).
#[derive(Clone, Default)]
pub(crate) struct Params {
    /// Top-level keys of a JSON object body (only with a JSON content type).
    pub(crate) json: Map<String, Value>,
    /// Form-urlencoded body fields.
    pub(crate) form: Map<String, Value>,
    /// Query-string fields.
    pub(crate) query: Map<String, Value>,
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Params")
            .field("json_keys", &self.json.keys().collect::<Vec<_>>())
            .field("form_keys", &self.form.keys().collect::<Vec<_>>())
            .field("query_keys", &self.query.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Params {
    /// Parses the three sources. A JSON content type with an unparsable body gives
    /// 400 `rest_invalid_json` like WordPress core.
    pub(crate) fn parse(
        method: &Method,
        headers: &HeaderMap,
        raw_query: Option<&str>,
        body: &Bytes,
    ) -> Result<Self, ApiError> {
        let mut out = Params {
            query: parse_urlencoded(raw_query.unwrap_or("")),
            ..Params::default()
        };
        let content_type = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let body_methods = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE];
        if body.is_empty() {
            return Ok(out);
        }
        if content_type.contains("application/json") {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => out.json = map,
                Ok(_) => {}
                Err(e) => {
                    return Err(ApiError::new(
                        400,
                        "rest_invalid_json",
                        "Invalid JSON body passed.",
                    )
                    .with_data("json_error_code", serde_json::json!(4))
                    .with_data("json_error_message", Value::String(e.to_string())));
                }
            }
        } else if content_type.contains("application/x-www-form-urlencoded")
            && body_methods.contains(method)
        {
            out.form = parse_urlencoded(&String::from_utf8_lossy(body));
        }
        Ok(out)
    }

    /// `get_param`: JSON body, then form body, then query.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.json
            .get(key)
            .or_else(|| self.form.get(key))
            .or_else(|| self.query.get(key))
    }

    /// `get_param` as a string, if it is one.
    pub(crate) fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// `$_REQUEST[key]`: query string or form body, never JSON.
    pub(crate) fn request_var(&self, key: &str) -> Option<&str> {
        self.form
            .get(key)
            .or_else(|| self.query.get(key))
            .and_then(Value::as_str)
    }
}

/// Parses `a=1&b=two` into string values; `key[sub]=v` becomes an object under `key` and
/// `key[]=v` (repeated) a list, as PHP builds `$_GET`, to any depth (`a[0][slug][]=red`). A `[]`
/// after named keys takes the next integer key of the object; a scalar met where a container is
/// needed is replaced, as PHP does.
pub(crate) fn parse_urlencoded(s: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for (k, v) in url::form_urlencoded::parse(s.as_bytes()) {
        let value = Value::String(v.into_owned());
        match bracket_path(&k) {
            Some((base, subs)) => {
                let entry = map
                    .entry(base.to_string())
                    .or_insert_with(|| container_for(subs[0]));
                insert_path(entry, &subs, value);
            }
            None => {
                map.insert(k.into_owned(), value);
            }
        }
    }
    map
}

/// Splits `base[a][b][]` into `base` and `["a", "b", ""]`; `None` without a well-formed bracket.
fn bracket_path(key: &str) -> Option<(&str, Vec<&str>)> {
    let (base, mut rest) = key.split_once('[')?;
    if base.is_empty() {
        return None;
    }
    let mut subs = Vec::new();
    loop {
        let close = rest.find(']')?;
        subs.push(&rest[..close]);
        rest = &rest[close + 1..];
        if rest.is_empty() {
            return Some((base, subs));
        }
        rest = rest.strip_prefix('[')?;
    }
}

fn container_for(sub: &str) -> Value {
    if sub.is_empty() {
        Value::Array(Vec::new())
    } else {
        Value::Object(Map::new())
    }
}

/// Stores `value` under `subs` inside `entry`, creating (or replacing scalars with) containers.
fn insert_path(entry: &mut Value, subs: &[&str], value: Value) {
    let Some((sub, rest)) = subs.split_first() else {
        *entry = value;
        return;
    };
    if !entry.is_array() && !entry.is_object() {
        *entry = container_for(sub);
    }
    if !sub.is_empty()
        && let Value::Array(list) = entry
    {
        let obj: Map<String, Value> = std::mem::take(list)
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect();
        *entry = Value::Object(obj);
    }
    let child = rest.first().map_or(Value::Null, |next| container_for(next));
    let slot = match entry {
        Value::Array(list) => {
            list.push(child);
            list.last_mut()
        }
        Value::Object(obj) if sub.is_empty() => {
            let next = obj
                .keys()
                .filter_map(|k| k.parse::<u64>().ok())
                .max()
                .map_or(0, |n| n + 1);
            Some(obj.entry(next.to_string()).or_insert(child))
        }
        Value::Object(obj) => Some(obj.entry(sub.to_string()).or_insert(child)),
        _ => None,
    };
    if let Some(slot) = slot {
        insert_path(slot, rest, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::CONTENT_TYPE,
            "application/json".parse().unwrap(),
        );
        h
    }

    #[test]
    fn json_wins_over_query_and_cart_key_is_never_read_from_json() {
        let body = Bytes::from_static(br#"{"id":"1","cart_key":"fromjson"}"#);
        let p = Params::parse(
            &Method::POST,
            &json_headers(),
            Some("id=2&cart_key=q"),
            &body,
        )
        .unwrap();
        assert_eq!(p.get_str("id"), Some("1"));
        assert_eq!(p.request_var("cart_key"), Some("q"));
    }

    #[test]
    fn malformed_json_is_rest_invalid_json() {
        let body = Bytes::from_static(b"{not json");
        let err = Params::parse(&Method::POST, &json_headers(), None, &body).unwrap_err();
        assert_eq!(err.code, "rest_invalid_json");
        assert_eq!(err.status.as_u16(), 400);
    }

    #[test]
    fn bracketed_query_keys_become_objects() {
        let m = parse_urlencoded("quantity[12]=2&quantity[13]=1");
        assert_eq!(m["quantity"]["12"], "2");
        assert_eq!(m["quantity"]["13"], "1");
        let m = parse_urlencoded("include[]=103&include[]=101&x[a]=1&x[]=2");
        assert_eq!(m["include"], serde_json::json!(["103", "101"]));
        assert_eq!(m["x"], serde_json::json!({"a": "1", "0": "2"}));
    }

    #[test]
    fn nested_brackets_build_nested_values() {
        let m = parse_urlencoded(
            "attributes[0][attribute]=pa_color&attributes[0][slug][]=blue&attributes[0][slug][]=red\
             &attributes[1][term_id]=5&x=1&x[a]=2&y[a]=1&y[a][b]=2&bad[=1&c[a]x=1",
        );
        assert_eq!(
            m["attributes"],
            serde_json::json!({"0": {"attribute": "pa_color", "slug": ["blue", "red"]},
                               "1": {"term_id": "5"}})
        );
        assert_eq!(m["x"], serde_json::json!({"a": "2"}));
        assert_eq!(m["y"], serde_json::json!({"a": {"b": "2"}}));
        assert_eq!(m["bad["], "1");
        assert_eq!(m["c[a]x"], "1");
    }
}
