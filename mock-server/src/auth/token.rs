//! The JWT itself: minting and checking HS256 tokens byte-for-byte the way the PHP plugin does.
//!
//! The header is always `{"alg":"HS256","typ":"JWT"}` in that key order, the payload is encoded
//! with PHP `json_encode` escaping (`\/`, `\uXXXX`), and the signature is
//! HMAC-SHA256(secret, `header64.payload64`) in unpadded base64url. Comparison of the signature is
//! timing-safe.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

/// `base64url({"alg":"HS256","typ":"JWT"})`.
pub(crate) const HS256_HEADER64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// A base64url decoder as lenient as PHP's `base64_decode(strtr(..))`: padding optional.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// What goes into `data.user` of a new token.
pub(crate) struct NewClaims<'a> {
    /// `iss`: the site URL.
    pub(crate) iss: &'a str,
    /// `iat` and `nbf`.
    pub(crate) iat: i64,
    /// `exp`.
    pub(crate) exp: i64,
    /// `data.user.id`.
    pub(crate) user_id: u64,
    /// `data.user.username`.
    pub(crate) username: &'a str,
    /// `data.user.ip`.
    pub(crate) ip: &'a str,
    /// `data.user.device`.
    pub(crate) device: &'a str,
    /// `data.user.pat` (v3 only).
    pub(crate) pat: Option<&'a str>,
}

/// Appends `s` as a JSON string with PHP `json_encode` default escaping.
fn php_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The payload JSON exactly as the plugin's `json_encode` writes it.
pub(crate) fn payload_json(c: &NewClaims<'_>) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"iss\":");
    php_json_string(&mut out, c.iss);
    out.push_str(&format!(
        ",\"iat\":{},\"nbf\":{},\"exp\":{},\"data\":{{\"user\":{{\"id\":{},\"username\":",
        c.iat, c.iat, c.exp, c.user_id
    ));
    php_json_string(&mut out, c.username);
    out.push_str(",\"ip\":");
    php_json_string(&mut out, c.ip);
    out.push_str(",\"device\":");
    php_json_string(&mut out, c.device);
    if let Some(pat) = c.pat {
        out.push_str(",\"pat\":");
        php_json_string(&mut out, pat);
    }
    out.push_str("}}}");
    out
}

/// base64url(HMAC-SHA256(secret, signing_input)), unpadded.
fn signature(secret: &str, signing_input: &str) -> String {
    // HMAC accepts keys of any length, so this never fails; an empty tag is unreachable.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Mints a signed token.
pub(crate) fn mint(secret: &str, claims: &NewClaims<'_>) -> String {
    let payload64 = URL_SAFE_NO_PAD.encode(payload_json(claims));
    let mut token = String::with_capacity(HS256_HEADER64.len() + payload64.len() + 48);
    token.push_str(HS256_HEADER64);
    token.push('.');
    token.push_str(&payload64);
    let sig = signature(secret, &token);
    token.push('.');
    token.push_str(&sig);
    token
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn timing_safe_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The claims the validator reads. Everything is optional: a missing claim fails its own step.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Claims {
    /// `iss`.
    #[serde(default)]
    pub(crate) iss: Option<Value>,
    /// `iat` (only the console reads it).
    #[serde(default)]
    pub(crate) iat: Option<Value>,
    /// `exp`.
    #[serde(default)]
    pub(crate) exp: Option<Value>,
    /// `data`.
    #[serde(default)]
    pub(crate) data: Option<ClaimsData>,
}

/// `data` of the payload.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ClaimsData {
    /// `data.user`.
    #[serde(default)]
    pub(crate) user: Option<ClaimsUser>,
}

/// `data.user` of the payload.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ClaimsUser {
    /// `id` (an integer, or a numeric string as PHP would accept).
    #[serde(default)]
    pub(crate) id: Option<Value>,
    /// `ip`.
    #[serde(default)]
    pub(crate) ip: Option<Value>,
    /// `device`.
    #[serde(default)]
    pub(crate) device: Option<Value>,
    /// `pat`.
    #[serde(default)]
    pub(crate) pat: Option<Value>,
}

/// A PHP-style number: an int, a float or a numeric string.
pub(crate) fn php_number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

impl Claims {
    /// `data.user`, if present.
    pub(crate) fn user(&self) -> Option<&ClaimsUser> {
        self.data.as_ref().and_then(|d| d.user.as_ref())
    }

    /// `data.user.id` as a positive integer.
    pub(crate) fn user_id(&self) -> Option<u64> {
        let id = php_number(self.user()?.id.as_ref()?)?;
        u64::try_from(id).ok().filter(|id| *id > 0)
    }

    /// `data.user.pat` as a string.
    pub(crate) fn pat(&self) -> Option<&str> {
        self.user()?.pat.as_ref()?.as_str()
    }
}

/// Why a token was rejected (never sent to clients; the plugin only logs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// Header not JSON, `typ` not `JWT`, or `alg` not `HS256`.
    Header,
    /// Signature mismatch (or an undecodable payload).
    Signature,
    /// `exp` missing or in the past.
    Expired,
    /// `iss` differs from the site URL.
    Issuer,
    /// `data.user.id` missing.
    NoUser,
}

/// The plugin's checks of the token itself (header, signature, expiry, issuer), given a token that
/// matched the Bearer regex. Returns the decoded claims for the remaining steps.
#[cfg(test)]
pub(crate) fn verify(token: &str, secret: &str, iss: &str, now: i64) -> Result<Claims, Rejection> {
    let claims = verify_signature(token, secret)?;
    check_claims(&claims, iss, now)?;
    Ok(claims)
}

/// Steps 2–3: the header names HS256, the signature matches `secret`, and the payload decodes.
/// The result depends only on the token and the secret, so it may be remembered.
pub(crate) fn verify_signature(token: &str, secret: &str) -> Result<Claims, Rejection> {
    let mut parts = token.splitn(3, '.');
    let (Some(h64), Some(p64), Some(s64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Rejection::Header);
    };
    if h64 != HS256_HEADER64 && !header_is_hs256(h64) {
        return Err(Rejection::Header);
    }
    let signing_input = &token[..h64.len() + 1 + p64.len()];
    let expected = signature(secret, signing_input);
    if !timing_safe_eq(expected.as_bytes(), s64.as_bytes()) {
        return Err(Rejection::Signature);
    }
    let payload = LENIENT
        .decode(p64.trim_end_matches('='))
        .map_err(|_| Rejection::Signature)?;
    serde_json::from_slice(&payload).map_err(|_| Rejection::Signature)
}

/// Steps 4–5 on verified claims: not expired at `now`, issued by `iss`, naming a user.
pub(crate) fn check_claims(claims: &Claims, iss: &str, now: i64) -> Result<(), Rejection> {
    match claims.exp.as_ref().and_then(php_number) {
        Some(exp) if now <= exp => {}
        _ => return Err(Rejection::Expired),
    }
    if claims.iss.as_ref().and_then(Value::as_str) != Some(iss) {
        return Err(Rejection::Issuer);
    }
    if claims.user_id().is_none() {
        return Err(Rejection::NoUser);
    }
    Ok(())
}

/// Whether a non-canonical header segment still decodes to `typ: JWT`, `alg: HS256`.
fn header_is_hs256(h64: &str) -> bool {
    #[derive(Deserialize)]
    struct Header {
        alg: Option<String>,
        typ: Option<String>,
    }
    let Ok(bytes) = LENIENT.decode(h64.trim_end_matches('=')) else {
        return false;
    };
    match serde_json::from_slice::<Header>(&bytes) {
        Ok(h) => h.alg.as_deref() == Some("HS256") && h.typ.as_deref() == Some("JWT"),
        Err(_) => false,
    }
}

/// Decodes the payload of a token without checking it (used after validation succeeded).
pub(crate) fn decode_unverified(token: &str) -> Option<Claims> {
    let p64 = token.split('.').nth(1)?;
    let bytes = LENIENT.decode(p64.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims<'a>(pat: Option<&'a str>) -> NewClaims<'a> {
        NewClaims {
            iss: "http://127.0.0.1:8080",
            iat: 1_758_355_200,
            exp: 1_758_355_200 + 864_000,
            user_id: 7,
            username: "jane",
            ip: "203.0.113.5",
            device: "MyApp/1.0 (iOS) é",
            pat,
        }
    }

    #[test]
    fn payload_uses_php_escaping_and_key_order() {
        let json = payload_json(&claims(Some("pat_3f9a0c1b2d4e5f60718293a4")));
        assert_eq!(
            json,
            r#"{"iss":"http:\/\/127.0.0.1:8080","iat":1758355200,"nbf":1758355200,"exp":1759219200,"data":{"user":{"id":7,"username":"jane","ip":"203.0.113.5","device":"MyApp\/1.0 (iOS) \u00e9","pat":"pat_3f9a0c1b2d4e5f60718293a4"}}}"#
        );
    }

    #[test]
    fn minted_token_verifies_and_tampering_fails() {
        let t = mint("banana", &claims(None));
        assert!(t.starts_with(HS256_HEADER64));
        let c = verify(&t, "banana", "http://127.0.0.1:8080", 1_758_355_200).unwrap();
        assert_eq!(c.user_id(), Some(7));
        assert_eq!(
            verify(&t, "apple", "http://127.0.0.1:8080", 1_758_355_200).unwrap_err(),
            Rejection::Signature
        );
        assert_eq!(
            verify(&t, "banana", "http://other", 1_758_355_200).unwrap_err(),
            Rejection::Issuer
        );
        assert_eq!(
            verify(&t, "banana", "http://127.0.0.1:8080", 1_759_219_201).unwrap_err(),
            Rejection::Expired
        );
        assert!(verify(&t, "banana", "http://127.0.0.1:8080", 1_759_219_200).is_ok());
    }

    #[test]
    fn timing_safe_eq_compares_content_and_length() {
        assert!(timing_safe_eq(b"abc", b"abc"));
        assert!(!timing_safe_eq(b"abc", b"abd"));
        assert!(!timing_safe_eq(b"abc", b"abcd"));
    }
}
