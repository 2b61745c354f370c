//! Reading credentials from a request: the Authorization header lookup after the host profile
//! (stripped, or read from a custom header), the strict Bearer regex, CoCart ≥4.6's Basic regex,
//! and the Basic fallbacks (`$_REQUEST` username/password, then a JSON body on POST).

use crate::config::HostProfile;
use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use http::{HeaderMap, Method};
use serde_json::Value;
use std::fmt;

/// PHP's forgiving `base64_decode`.
const LENIENT_STD: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Basic credentials (from the header, the query/form or a JSON body).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct BasicCreds {
    /// The login, email or phone as sent.
    pub(crate) username: String,
    /// The password as sent.
    pub(crate) password: String,
}

impl fmt::Debug for BasicCreds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCreds")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// The value the app reads as the Authorization header, after the host profile.
pub(crate) fn auth_header<'a>(headers: &'a HeaderMap, profile: &HostProfile) -> Option<&'a str> {
    let read = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let authorization = || {
        headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match profile {
        HostProfile::Standard => authorization(),
        HostProfile::StripAuthorization => None,
        HostProfile::CustomAuthHeader(name) => authorization().or_else(|| read(name)),
    }
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=')
}

/// `/^Bearer\s+([a-zA-Z0-9\-_=]+\.[a-zA-Z0-9\-_=]+\.[a-zA-Z0-9\-_=]+)$/i`: the token, or `None`
/// when the header does not match (then it is silently ignored).
pub(crate) fn bearer_token(header: &str) -> Option<&str> {
    let bytes = header.as_bytes();
    if bytes.len() < 7 || !bytes[..6].eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let rest = &header[6..];
    let token = rest.trim_start_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
    if token.len() == rest.len() {
        return None;
    }
    // Three non-empty runs of token characters separated by two dots, in one pass.
    let mut dots = 0;
    let mut run = 0usize;
    for &b in token.as_bytes() {
        if b == b'.' {
            if run == 0 || dots == 2 {
                return None;
            }
            dots += 1;
            run = 0;
        } else if is_token_char(b) {
            run += 1;
        } else {
            return None;
        }
    }
    (dots == 2 && run > 0).then_some(token)
}

/// `^Basic ([a-zA-Z0-9+/=]+)$` (case-sensitive, one space), decoded and split at the first `:`.
pub(crate) fn basic_header(header: &str) -> Option<BasicCreds> {
    let b64 = header.strip_prefix("Basic ")?;
    if b64.is_empty()
        || !b64
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    let decoded = LENIENT_STD
        .decode(b64.trim_end_matches('='))
        .ok()
        .map(|d| String::from_utf8_lossy(&d).into_owned())
        .unwrap_or_default();
    let (username, password) = match decoded.split_once(':') {
        Some((u, p)) => (u.to_string(), p.to_string()),
        None => (decoded, String::new()),
    };
    Some(BasicCreds { username, password })
}

/// Whether a body could carry credentials at all (saves parsing cart bodies).
fn mentions_credentials(body: &[u8]) -> bool {
    body.windows(8)
        .any(|w| w == b"username" || w == b"password")
}

/// `$_REQUEST['username']`/`['password']` (query or form), then a JSON body on POST.
pub(crate) fn basic_from_params(
    method: &Method,
    headers: &HeaderMap,
    raw_query: Option<&str>,
    body: &[u8],
) -> Option<BasicCreds> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut username = String::new();
    let mut password = String::new();
    let mut scan = |s: &str| {
        for (k, v) in url::form_urlencoded::parse(s.as_bytes()) {
            match k.as_ref() {
                "username" if !v.is_empty() => username = v.into_owned(),
                "password" if !v.is_empty() => password = v.into_owned(),
                _ => {}
            }
        }
    };
    if let Some(q) = raw_query.filter(|q| q.contains("username") || q.contains("password")) {
        scan(q);
    }
    if content_type.contains("application/x-www-form-urlencoded") && mentions_credentials(body) {
        scan(&String::from_utf8_lossy(body));
    }
    if !username.is_empty() || !password.is_empty() {
        return Some(BasicCreds { username, password });
    }
    let json_body = (method == Method::POST
        && content_type.contains("application/json")
        && mentions_credentials(body))
    .then(|| serde_json::from_slice::<Value>(body).ok())
    .flatten();
    if let Some(Value::Object(map)) = json_body {
        let get = |k: &str| {
            map.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (u, p) = (get("username"), get("password"));
        if !u.is_empty() || !p.is_empty() {
            return Some(BasicCreds {
                username: u,
                password: p,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_regex_is_strict() {
        assert_eq!(bearer_token("Bearer a.b.c"), Some("a.b.c"));
        assert_eq!(bearer_token("bEaReR \t a-_=.b.c"), Some("a-_=.b.c"));
        assert_eq!(bearer_token("Bearer abc"), None);
        assert_eq!(bearer_token("Bearer a.b"), None);
        assert_eq!(bearer_token("Bearer a.b.c.d"), None);
        assert_eq!(bearer_token("Bearer a.b.c extra"), None);
        assert_eq!(bearer_token("Bearera.b.c"), None);
        assert_eq!(bearer_token("Bearer a..c"), None);
        assert_eq!(bearer_token("Bearer a+b.c.d"), None);
        assert_eq!(bearer_token("Bearer .b.c"), None);
        assert_eq!(bearer_token("Bearer a.b."), None);
        assert_eq!(bearer_token("Bearer a.b.c."), None);
        assert_eq!(bearer_token("Bearer \n=.-.__"), Some("=.-.__"));
        assert_eq!(bearer_token("Bearer a.é.c"), None);
    }

    #[test]
    fn basic_regex_is_case_sensitive_with_one_space() {
        let c = basic_header("Basic ZGVtbzpzZWNyZXQ6eA==").unwrap();
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("demo", "secret:x")
        );
        assert!(basic_header("basic ZGVtbzpzZWNyZXQ=").is_none());
        assert!(basic_header("Basic  ZGVtbzpzZWNyZXQ=").is_none());
        assert!(basic_header("Basic ZGVt bzpz").is_none());
        assert_eq!(basic_header("Basic ZGVtbw").unwrap().password, "");
    }

    #[test]
    fn params_fallbacks_read_query_form_then_json() {
        let mut h = HeaderMap::new();
        let c =
            basic_from_params(&Method::POST, &h, Some("username=a%40b.c&password=p"), b"").unwrap();
        assert_eq!(c.username, "a@b.c");
        h.insert(
            http::header::CONTENT_TYPE,
            "application/json".parse().unwrap(),
        );
        let c = basic_from_params(
            &Method::POST,
            &h,
            None,
            br#"{"username":"u","password":"p"}"#,
        )
        .unwrap();
        assert_eq!(c.password, "p");
        assert!(basic_from_params(&Method::GET, &h, None, br#"{"username":"u"}"#).is_none());
        assert!(basic_from_params(&Method::POST, &h, None, b"{bad").is_none());
    }
}
