//! Characterisation of [`Run::compare`]: every expectation of the shipped contract compared with
//! answers built to hit each check (status, envelope kind, code, `data.status`, message, body
//! matchers, headers present and absent, token header, lifetime and `pat`), a grid of token
//! checks, and headers missing and unwanted in one answer; every diff (what, expected, actual,
//! in order) compared with `testdata/compare_golden.json`, captured from `compare` before it was
//! split into parts.
//!
//! After a deliberate change, `COCART_CONTRACT_WRITE_GOLDEN=1` rewrites the file (and the test
//! still fails, so a rewrite is never a silent pass); review the diff before committing it.

use super::*;
use crate::model::TokenChecks;
use serde_json::{Map, json};

const GOLDEN: &str = "src/testdata/compare_golden.json";
const PASSWORD: &str = "p4ssword";

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// A JWT-shaped token with this header and payload (the signature is not checked).
fn jwt(header: &Value, payload: &Value) -> String {
    format!("{}.{}.c2lnbmF0dXJl", b64(header), b64(payload))
}

fn standard_header() -> Value {
    json!({"typ": "JWT", "alg": "HS256"})
}

/// Tokens named for what they carry.
fn tokens() -> Vec<(&'static str, String)> {
    let pat = "pat_0123456789abcdef01234567";
    let claims = |iat: Value, exp: Value, pat: Option<&str>| {
        let mut user = Map::new();
        user.insert("id".into(), json!(42));
        if let Some(p) = pat {
            user.insert("pat".into(), json!(p));
        }
        json!({"iat": iat, "exp": exp, "data": {"user": user}})
    };
    vec![
        (
            "ttl-default-pat",
            jwt(
                &standard_header(),
                &claims(json!(1000), json!(865_000), Some(pat)),
            ),
        ),
        (
            "ttl-default-no-pat",
            jwt(
                &standard_header(),
                &claims(json!(1000), json!(865_000), None),
            ),
        ),
        (
            "ttl-3600-pat",
            jwt(
                &standard_header(),
                &claims(json!(0), json!(3600), Some(pat)),
            ),
        ),
        (
            "negative-ttl",
            jwt(&standard_header(), &claims(json!(10), json!(5), Some(pat))),
        ),
        (
            "string-times",
            jwt(
                &standard_header(),
                &claims(json!("1"), json!("2"), Some(pat)),
            ),
        ),
        (
            "pat-uppercase",
            jwt(
                &standard_header(),
                &claims(
                    json!(0),
                    json!(864_000),
                    Some("pat_0123456789ABCDEF01234567"),
                ),
            ),
        ),
        (
            "pat-short",
            jwt(
                &standard_header(),
                &claims(json!(0), json!(864_000), Some("pat_0123")),
            ),
        ),
        (
            "pat-no-prefix",
            jwt(
                &standard_header(),
                &claims(
                    json!(0),
                    json!(864_000),
                    Some("tap_0123456789abcdef01234567"),
                ),
            ),
        ),
        (
            "other-header",
            jwt(
                &json!({"alg": "RS256", "typ": "JWT"}),
                &claims(json!(0), json!(864_000), Some(pat)),
            ),
        ),
        (
            "pat-not-hex",
            jwt(
                &standard_header(),
                &claims(
                    json!(0),
                    json!(864_000),
                    Some("pat_0123456789abcdefghijklmn"),
                ),
            ),
        ),
        ("not-a-jwt", "plain-text".to_string()),
    ]
}

/// `body` with `value` put at a JSON pointer, objects made on the way.
fn put(body: &mut Value, pointer: &str, value: Value) {
    let mut at = body;
    let parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, part) in parts.iter().enumerate() {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(map) = at else { return };
        if i + 1 == parts.len() {
            map.insert(part.clone(), value);
            return;
        }
        at = map.entry(part.clone()).or_insert(Value::Object(Map::new()));
    }
}

fn answer(status: u16, headers: &[(&str, &str)], body: &Value) -> Answer {
    let text = if body.is_null() {
        "<html>not json</html>".to_string()
    } else {
        body.to_string()
    };
    Answer::from_parts(
        status,
        headers.iter().map(|(n, v)| (*n, v.as_bytes())),
        text.as_bytes(),
        Duration::ZERO,
    )
}

/// Answers aimed at one expectation: what it wants, and what each check refuses.
fn answers_for(e: &Expect, token: &str) -> Vec<(&'static str, Answer)> {
    let code = e.code.clone().unwrap_or_else(|| "cocart_other".into());
    let message = e.message.clone().unwrap_or_else(|| "Some message.".into());
    let rest = json!({"code": code, "message": message, "data": {"status": e.status}});
    let rest_wrong = json!({"code": "cocart_wrong", "message": format!("Wrong, {PASSWORD}."),
                            "data": {"status": 599}});
    let rest_no_status = json!({"code": code, "message": message});
    let send_json = json!({"success": false, "data": [{"code": code, "message": message}]});
    let mut full = json!({"message": message});
    for pointer in e.body.keys() {
        put(&mut full, pointer, json!(token));
    }
    if let Some(checks) = &e.token {
        put(&mut full, &checks.at, json!(token));
    }
    let mut scrambled = json!({"message": 5});
    for (i, pointer) in e.body.keys().enumerate() {
        let v = match i % 4 {
            0 => json!(12.5),
            1 => json!([1, "two"]),
            2 => json!({"nested": PASSWORD}),
            _ => json!(null),
        };
        put(&mut scrambled, pointer, v);
    }
    let unwanted: Vec<(&str, &str)> = e.no_headers.iter().map(|h| (h.as_str(), "1")).collect();
    let all: Vec<(&str, &str)> = e
        .headers
        .iter()
        .chain(&e.no_headers)
        .map(|h| (h.as_str(), "1"))
        .collect();
    vec![
        ("empty", answer(e.status, &[], &json!({}))),
        ("not-json", answer(e.status, &[], &Value::Null)),
        ("other-status", answer(e.status + 1, &[], &rest)),
        (
            "other-status-send-json",
            answer(e.status + 1, &[], &send_json),
        ),
        ("other-status-plain", answer(e.status ^ 1, &[], &json!({}))),
        ("rest", answer(e.status, &[], &rest)),
        ("rest-wrong", answer(e.status, &[], &rest_wrong)),
        ("rest-no-status", answer(e.status, &[], &rest_no_status)),
        ("send-json", answer(e.status, &[], &send_json)),
        ("full", answer(e.status, &[], &full)),
        ("full-every-header", answer(e.status, &all, &full)),
        ("scrambled", answer(e.status, &all, &scrambled)),
        ("only-unwanted-headers", answer(e.status, &unwanted, &full)),
    ]
}

fn every_expectation(contract: &Contract) -> Vec<(String, &Expect)> {
    let mut out = Vec::new();
    for s in &contract.scenarios {
        for (i, st) in s.steps.iter().enumerate() {
            out.push((format!("{}/{}", s.id, i + 1), &st.expect));
            for (j, v) in st.variants.iter().enumerate() {
                out.push((format!("{}/{}/variant{}", s.id, i + 1, j + 1), &v.expect));
            }
        }
        for (k, known) in s.known.iter().enumerate() {
            if let Some(a) = &known.answer {
                out.push((format!("{}/known{}", s.id, k + 1), a));
            }
        }
    }
    out
}

fn token_grid() -> Vec<(String, Expect)> {
    let mut out = Vec::new();
    let headers = [None, Some(r#"{"typ":"JWT","alg":"HS256"}"#.to_string())];
    for header in headers {
        for lifetime in [false, true] {
            for pat in [None, Some(true), Some(false)] {
                let name = format!(
                    "token/header={}/lifetime={lifetime}/pat={pat:?}",
                    header.is_some()
                );
                let expect = Expect {
                    status: 200,
                    code: None,
                    envelope: Envelope::Rest,
                    message: None,
                    body: BTreeMap::new(),
                    headers: Vec::new(),
                    no_headers: Vec::new(),
                    token: Some(TokenChecks {
                        at: "/extras/jwt_token".into(),
                        header: header.clone(),
                        lifetime,
                        pat,
                    }),
                };
                out.push((name, expect));
            }
        }
    }
    out
}

/// Headers that must be there and headers that must not, against answers with some of each.
fn header_grid() -> Vec<(String, Expect, Answer)> {
    let expect = Expect {
        status: 200,
        code: None,
        envelope: Envelope::Rest,
        message: None,
        body: BTreeMap::new(),
        headers: vec!["X-Wanted".into(), "X-Also-Wanted".into()],
        no_headers: vec!["X-Unwanted".into(), "X-Also-Unwanted".into()],
        token: None,
    };
    let sent: [&[(&str, &str)]; 3] = [
        &[("x-unwanted", "1")],
        &[("X-Also-Wanted", "1"), ("X-ALSO-UNWANTED", "1")],
        &[("x-wanted", "1"), ("x-also-wanted", "")],
    ];
    sent.iter()
        .enumerate()
        .map(|(i, h)| {
            (
                format!("headers/{i}"),
                expect.clone(),
                answer(200, h, &json!({})),
            )
        })
        .collect()
}

fn describe(diffs: &[Diff]) -> String {
    diffs
        .iter()
        .map(|d| format!("{} | {} | {}", d.what, d.expected, d.actual))
        .collect::<Vec<_>>()
        .join("\n")
}

fn fixture() -> (Prober, Account, Options) {
    let prober = Prober::new(
        url::Url::parse("http://127.0.0.1:9/").expect("a URL"),
        Duration::from_secs(1),
        "test",
    )
    .expect("a prober");
    let account = Account {
        username: "u".into(),
        password: PASSWORD.into(),
    };
    (prober, account, Options::default())
}

fn cases() -> Vec<(String, String)> {
    let contract = Contract::builtin().expect("the shipped contract loads");
    let (prober, account, options) = fixture();
    let mut out = Vec::new();
    let toks = tokens();
    for (ttl_name, ttl) in [
        ("ttl-default", crate::model::DEFAULT_ACCESS_TTL),
        ("ttl-3600", 3600),
    ] {
        let profile = Profile {
            access_ttl: ttl,
            ..Profile::default()
        };
        let mut run = Run::for_fuzzing(prober.clone(), &profile, &account, &options);
        run.session.user_id = Some("42".into());
        run.session.refresh = Some("ab".repeat(64));
        for (tname, token) in &toks {
            run.session.token = Some(token.clone());
            for (name, e) in token_grid() {
                let a = answer(200, &[], &json!({"extras": {"jwt_token": token}}));
                let diffs = run.compare(&e, &a);
                out.push((format!("{ttl_name}/{name}/{tname}"), describe(&diffs)));
            }
        }
        for (name, e, a) in header_grid() {
            out.push((format!("{ttl_name}/{name}"), describe(&run.compare(&e, &a))));
        }
        if ttl_name != "ttl-default" {
            continue;
        }
        let token = &toks[0].1;
        run.session.token = Some(token.clone());
        for (ename, e) in every_expectation(&contract) {
            for (aname, a) in answers_for(e, token) {
                let diffs = run.compare(e, &a);
                out.push((format!("contract/{ename}/{aname}"), describe(&diffs)));
            }
        }
    }
    out
}

#[test]
fn compare_prints_the_golden_diffs() {
    let got = cases();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("COCART_CONTRACT_WRITE_GOLDEN").is_some() {
        let map: Map<String, Value> = got
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let text = serde_json::to_string_pretty(&Value::Object(map)).expect("prints");
        std::fs::write(&path, text + "\n").expect("the golden file is writable");
        panic!(
            "wrote {GOLDEN}; review its diff and run again without COCART_CONTRACT_WRITE_GOLDEN"
        );
    }
    let golden: Map<String, Value> =
        serde_json::from_str(include_str!("testdata/compare_golden.json")).expect("golden parses");
    let names: Vec<&String> = got.iter().map(|(k, _)| k).collect();
    let want: Vec<&String> = golden.keys().collect();
    assert_eq!(names, want, "the case list changed");
    for (name, text) in &got {
        assert_eq!(Some(text.as_str()), golden[name].as_str(), "case {name}");
    }
}
