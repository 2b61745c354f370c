//! One entry point that feeds arbitrary bytes to everything that reads a store's answer: the
//! prober's parsing (status, headers, `Date`, body, both error envelopes), the token readers
//! (`exp − iat`, claims, header), the matcher and pointer syntax, and the comparison of an answer
//! with every expectation of the shipped contract. Used by the `contract_answer` cargo-fuzz
//! target and by a stable test on random and odd input. Not a stable API.

use std::sync::OnceLock;
use std::time::Duration;

use crate::matcher::{Matcher, fill, select};
use crate::model::{Contract, Expect, Profile};
use crate::probe::{Answer, ErrorBody, Prober, parse_http_date};
use crate::runner::{Account, Options};

/// Splits `data` into a status, headers and a body, and runs every reader on them. Panics only
/// if a reader panics (which is the bug a fuzzer looks for).
pub fn one_input(data: &[u8]) {
    let (status, rest) = match data {
        [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]), rest),
        _ => (200, data),
    };
    // Headers: `name: value` lines up to the first empty line; the rest is the body.
    let (head, body) = split_once(rest, b"\n\n").unwrap_or((rest, &[]));
    let headers: Vec<(String, &[u8])> = head
        .split(|b| *b == b'\n')
        .filter_map(|line| {
            let (name, value) = split_once(line, b":")?;
            Some((String::from_utf8_lossy(name).into_owned(), trim(value)))
        })
        .collect();
    let answer = Answer::from_parts(
        status,
        headers.iter().map(|(n, v)| (n.as_str(), *v)),
        body,
        Duration::ZERO,
    );
    let _ = answer.error();
    let _ = answer.describe();
    let text = String::from_utf8_lossy(data);
    let _ = parse_http_date(&text);
    let _ = ErrorBody::read(&answer.body);

    // The token readers on the body as a token, and on every string in the answer.
    let _ = crate::runner::token_lifetime(&text);
    let _ = crate::runner::redact_token_shaped(&text);
    for v in strings(&answer.body).into_iter().take(64) {
        let _ = crate::runner::token_lifetime(v);
    }

    // The input as a matcher and as a pointer.
    let vars = |name: &str| (name.len() < 8).then(|| name.to_string());
    if let Ok(m) = Matcher::parse(&text) {
        let _ = m.check(Some(&answer.body), &vars);
        let _ = m.describe();
    }
    let _ = select(&answer.body, &text, &vars);
    let _ = fill(&text, &vars);

    // The answer against every expectation the contract holds, with a session whose token is
    // the input (so `exp − iat` and claims are read from arbitrary bytes).
    let Some((contract, prober)) = fixtures() else {
        return;
    };
    let profile = Profile::default();
    let account = Account {
        username: "fuzz".into(),
        password: "fuzz-password".into(),
    };
    let options = Options::default();
    let mut run = crate::runner::Run::for_fuzzing(prober.clone(), &profile, &account, &options);
    run.set_token(&text);
    for e in expectations(contract) {
        let _ = run.compare(e, &answer);
    }
}

/// The shipped contract and a prober that is never used to send (the comparison needs one).
fn fixtures() -> Option<(&'static Contract, &'static Prober)> {
    static FIXTURES: OnceLock<Option<(Contract, Prober)>> = OnceLock::new();
    let fixtures = FIXTURES.get_or_init(|| {
        let contract = Contract::builtin().ok()?;
        let site = url::Url::parse("http://127.0.0.1:9/").ok()?;
        let prober = Prober::new(site, Duration::from_secs(1), "fuzz").ok()?;
        Some((contract, prober))
    });
    fixtures.as_ref().map(|(c, p)| (c, p))
}

fn expectations(contract: &Contract) -> impl Iterator<Item = &Expect> {
    contract.scenarios.iter().flat_map(|s| {
        s.steps
            .iter()
            .flat_map(|st| std::iter::once(&st.expect).chain(st.variants.iter().map(|v| &v.expect)))
            .chain(s.known.iter().filter_map(|k| k.answer.as_ref()))
    })
}

fn strings(v: &serde_json::Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::String(s) => out.push(s.as_str()),
            serde_json::Value::Array(a) => stack.extend(a.iter()),
            serde_json::Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    out
}

fn split_once<'a>(data: &'a [u8], sep: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = data.windows(sep.len()).position(|w| w == sep)?;
    Some((&data[..at], &data[at + sep.len()..]))
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|b| *b != b' ').unwrap_or(v.len());
    &v[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    /// A small deterministic generator (xorshift), so the test needs no other crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    fn jwt(payload: &str) -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.c2ln",
            b(r#"{"alg":"HS256","typ":"JWT"}"#),
            b(payload)
        )
    }

    fn input(status: u16, headers: &str, body: &str) -> Vec<u8> {
        let mut v = status.to_le_bytes().to_vec();
        v.extend_from_slice(headers.as_bytes());
        v.extend_from_slice(b"\n\n");
        v.extend_from_slice(body.as_bytes());
        v
    }

    #[test]
    fn odd_answers_are_read_without_a_panic_or_an_overflow() {
        let odd = [
            jwt(r#"{"iat":-9223372036854775808,"exp":9223372036854775807}"#),
            jwt(r#"{"iat":9223372036854775807,"exp":-9223372036854775808}"#),
            jwt(r#"{"iat":1e308,"exp":"x","data":{"user":{"pat":7}}}"#),
        ];
        let mut cases = vec![
            input(
                200,
                "Date: Sun, 06 Nov 99999999999999999999 08:49:37 GMT",
                "{}",
            ),
            input(
                200,
                "Date: Sun, 06 Nov -9223372036854775808 08:49:37 GMT",
                "{}",
            ),
            input(
                200,
                "Date: Sun, 99999999999 Nov 1994 99999999999:0:0 GMT",
                "[]",
            ),
            input(
                403,
                "X: \u{0}\u{7f}",
                r#"{"success":false,"data":[{"code":7}]}"#,
            ),
            input(403, "", r#"{"success":false,"data":{"0":{"code":"c"}}}"#),
            input(403, "", r#"{"code":"c","data":{"status":-1}}"#),
            input(0, "", "not json at all"),
            input(u16::MAX, ":::\n:\nnocolon", ""),
            b"".to_vec(),
            b"\x01".to_vec(),
        ];
        for token in &odd {
            cases.push(input(
                200,
                "",
                &format!(r#"{{"extras":{{"jwt_token":"{token}"}},"token":"{token}"}}"#),
            ));
            cases.push(token.as_bytes().to_vec());
        }
        for case in &cases {
            one_input(case);
        }
        // `exp − iat` out of range is no lifetime, not an overflow.
        for token in &odd {
            assert_eq!(crate::runner::token_lifetime(token), None);
        }
        let fine = jwt(r#"{"iat":100,"exp":864100}"#);
        assert_eq!(crate::runner::token_lifetime(&fine), Some(864_000));
    }

    #[test]
    fn random_answers_are_read_without_a_panic() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let pieces: [&[u8]; 8] = [
            b"{\"code\":\"x\",\"data\":{\"status\":403}}",
            b"{\"success\":false,\"data\":[{\"code\":\"y\",\"message\":\"m\"}]}",
            b"Date: Thu, 01 Jan 1970 00:00:00 GMT\n",
            b"\n\n",
            b"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln",
            b"/items[id=${x}]/0",
            b"json:[1,{\"a\":null}]",
            b"same-as:token",
        ];
        for _ in 0..2_000 {
            let mut data = Vec::new();
            for _ in 0..(rng.next() % 6) {
                if rng.next().is_multiple_of(2) {
                    data.extend_from_slice(pieces[(rng.next() % 8) as usize]);
                } else {
                    let n = (rng.next() % 40) as usize;
                    data.extend(rng.bytes(n));
                }
            }
            one_input(&data);
        }
    }
}
