use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::*;

fn string_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(StringListVisitor)
}

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

#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct Inner {
    #[serde(deserialize_with = "u64")]
    a: u64,
    #[serde(deserialize_with = "string")]
    b: String,
}

#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct Outer {
    #[serde(deserialize_with = "opt_obj")]
    opt: Option<Inner>,
    #[serde(deserialize_with = "obj_or_default")]
    obj: Inner,
    #[serde(deserialize_with = "string_map")]
    strings: BTreeMap<String, String>,
    #[serde(deserialize_with = "json_map")]
    raw: Map<String, Value>,
    #[serde(deserialize_with = "opt_json_map")]
    opt_raw: Option<Map<String, Value>>,
    #[serde(deserialize_with = "opt_string_strict")]
    token: Option<String>,
    #[serde(deserialize_with = "string_list")]
    list: Vec<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// Decodes from text (streaming), from a `Value`, and through serde's buffered `Content` (an
/// untagged enum), and checks that all three agree.
fn outer(v: Value) -> Outer {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Buffered {
        Outer(Outer),
    }
    let text = v.to_string();
    let streamed: Outer =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("streamed {text}: {e}"));
    let from_value: Outer =
        serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("value {text}: {e}"));
    let Buffered::Outer(buffered) =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("buffered {text}: {e}"));
    assert_eq!(streamed, from_value, "{text}");
    assert_eq!(streamed, buffered, "{text}");
    streamed
}

fn inner(a: u64, b: &str) -> Inner {
    Inner { a, b: b.to_owned() }
}

#[test]
fn php_empty_values_mean_absent_for_objects() {
    for empty in [json!([]), json!(null), json!(false), json!("")] {
        let o = outer(json!({"opt": empty, "obj": empty}));
        assert_eq!(o.opt, None, "{empty}");
        assert_eq!(o.obj, Inner::default(), "{empty}");
    }
    let o = outer(json!({"opt": {}, "obj": {"a": "7", "b": 8, "zzz": [1]}}));
    assert_eq!(o.opt, Some(Inner::default()));
    assert_eq!(o.obj, inner(7, "8"));
}

#[test]
fn a_non_empty_array_reaches_the_struct_positionally() {
    let o = outer(json!({"opt": ["3", "x"], "obj": [4]}));
    assert_eq!(o.opt, Some(inner(3, "x")));
    assert_eq!(o.obj, inner(4, ""));
}

#[test]
fn objects_of_the_wrong_kind_are_errors_without_the_value() {
    for bad in [json!("hunter2"), json!(true), json!(987654321)] {
        let err = serde_json::from_str::<Outer>(&json!({ "opt": bad }).to_string())
            .map(|_| ())
            .unwrap_err();
        let text = err.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("987654321"),
            "{text}"
        );
    }
    assert!(serde_json::from_str::<Outer>(r#"{"obj":{"a":"nope"}}"#).is_err());
}

#[test]
fn string_maps_use_php_strval_and_skip_nested_values() {
    let o = outer(json!({"strings": {
        "s": "x", "n": 12, "neg": -3, "f": 2.0, "g": 1.5, "t": true, "no": false, "nul": null,
        "arr": [1], "obj": {"k": "v"}
    }}));
    let expect: BTreeMap<String, String> = [
        ("s", "x"),
        ("n", "12"),
        ("neg", "-3"),
        ("f", "2.0"),
        ("g", "1.5"),
        ("t", "1"),
        ("no", ""),
        ("nul", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(o.strings, expect);
    let o = outer(json!({"strings": ["a", {"x": 1}, 3]}));
    assert_eq!(
        o.strings.into_iter().collect::<Vec<_>>(),
        vec![
            ("0".to_owned(), "a".to_owned()),
            ("2".to_owned(), "3".to_owned())
        ]
    );
    assert!(outer(json!({"strings": []})).strings.is_empty());
    assert!(serde_json::from_str::<Outer>(r#"{"strings":"secret"}"#).is_err());
}

#[test]
fn a_repeated_key_replaces_the_earlier_value() {
    let o: Outer = serde_json::from_str(r#"{"strings":{"a":"1","a":{"x":1},"b":"2","b":"3"}}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.strings.get("a"), None);
    assert_eq!(o.strings.get("b").map(String::as_str), Some("3"));
}

#[test]
fn raw_json_maps_keep_values_and_accept_php_empties() {
    let o = outer(json!({"raw": {"k": {"deep": [1, 2]}}, "opt_raw": []}));
    assert_eq!(o.raw.get("k"), Some(&json!({"deep": [1, 2]})));
    assert_eq!(o.opt_raw, Some(Map::new()));
    let o = outer(json!({"raw": ["a", "b"], "opt_raw": null}));
    assert_eq!(o.raw.get("1"), Some(&json!("b")));
    assert_eq!(o.opt_raw, None);
    let o = outer(json!({"raw": "", "opt_raw": false}));
    assert!(o.raw.is_empty());
    assert_eq!(o.opt_raw, Some(Map::new()));
    assert!(serde_json::from_str::<Outer>(r#"{"raw":"x"}"#).is_err());
}

#[test]
fn strict_strings_drop_everything_but_non_empty_strings() {
    assert_eq!(outer(json!({"token": "abc"})).token.as_deref(), Some("abc"));
    for other in [
        json!(""),
        json!(123),
        json!(null),
        json!(true),
        json!({"code": "jwt_auth_error", "data": {"status": 403}}),
        json!(["x"]),
    ] {
        let o = outer(json!({ "token": other, "after": 1 }));
        assert_eq!(o.token, None, "{other}");
        assert_eq!(o.extra.get("after"), Some(&json!(1)), "{other}");
    }
}

#[test]
fn string_lists_take_strings_numbers_and_notice_objects() {
    let o = outer(json!({"list": ["a", "", 2, 1.5, null, true, ["x"],
        {"notice": "n", "message": "m"}, {"message": "m2"}, {"notice": 5, "message": "m3"}, {"data": 1}]}));
    assert_eq!(o.list, ["a", "", "2", "1.5", "n", "m2", "m3"]);
    assert_eq!(outer(json!({"list": "one"})).list, ["one"]);
    assert_eq!(outer(json!({"list": 7})).list, ["7"]);
    for empty in [json!(""), json!(null), json!([]), json!(false), json!({})] {
        assert!(outer(json!({ "list": empty })).list.is_empty(), "{empty}");
    }
    assert_eq!(
        outer(json!({"list": {"k": "v", "n": {"notice": "w"}}})).list,
        ["v", "w"]
    );
}

#[test]
fn json_float_text_matches_serde_json() {
    for x in [0.0, 2.0, 1.5, -0.25, 1e20, 1.0e-7, 123_456_789.125] {
        assert_eq!(json_float_text(x), json!(x).to_string());
    }
}
