//! Reading a JWT's claims without verifying it.
//!
//! The client cannot verify an HS256 signature (it does not know the store's secret) and does
//! not need to: the server checks every token. The client only reads `iat`, `exp`, the user id
//! and the session id (`pat`) to schedule refreshes.

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;

/// The claims the SDK uses, decoded from the token's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Claims {
    /// Issued at (server clock, Unix seconds).
    pub iat: i64,
    /// Expires at (server clock, Unix seconds).
    pub exp: i64,
    /// `data.user.id`.
    pub user_id: Option<u64>,
    /// `data.user.username`.
    pub username: Option<String>,
    /// `data.user.pat` (v3 session id); absent on v2 tokens.
    pub pat: Option<String>,
    /// `iss`.
    pub issuer: Option<String>,
}

/// The longest token lifetime the SDK believes: one year. A token whose `exp − iat` is longer
/// (a misconfigured filter, or nonsense such as `exp: 1e30`) is treated as living one year, so
/// the deadline arithmetic never overflows and the SDK still refreshes it some day.
pub const MAX_TOKEN_LIFETIME_SECS: i64 = 366 * 24 * 3600;

impl Claims {
    /// The token's lifetime as the server set it (`exp − iat`), clamped to
    /// `0..=`[`MAX_TOKEN_LIFETIME_SECS`]; computed without overflow for any claim values.
    pub fn lifetime_secs(&self) -> i64 {
        self.exp
            .saturating_sub(self.iat)
            .clamp(0, MAX_TOKEN_LIFETIME_SECS)
    }
}

/// Why a token could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// Not three dot-separated parts.
    #[error("the token is not a compact JWT")]
    NotAJwt,
    /// The payload is not base64url JSON.
    #[error("the token payload is not base64url-encoded JSON")]
    BadPayload,
    /// `exp` is missing or not a number.
    #[error("the token has no usable `exp` claim")]
    NoExpiry,
}

/// Decodes the payload of `token` without checking its signature.
pub fn decode_unverified(token: &str) -> Result<Claims, ClaimsError> {
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ClaimsError::NotAJwt);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(payload))
        .map_err(|_| ClaimsError::BadPayload)?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| ClaimsError::BadPayload)?;
    let exp = int(v.get("exp")).ok_or(ClaimsError::NoExpiry)?;
    let iat = int(v.get("iat")).unwrap_or(exp);
    let user = v.get("data").and_then(|d| d.get("user"));
    Ok(Claims {
        iat,
        exp,
        user_id: user
            .and_then(|u| int(u.get("id")))
            .and_then(|i| u64::try_from(i).ok()),
        username: user
            .and_then(|u| u.get("username"))
            .and_then(Value::as_str)
            .map(str::to_string),
        pat: user
            .and_then(|u| u.get("pat"))
            .and_then(Value::as_str)
            .map(str::to_string),
        issuer: v.get("iss").and_then(Value::as_str).map(str::to_string),
    })
}

/// An integer from a JSON number (int or float) or a numeric string.
fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> String {
        format!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_the_v3_claims() {
        let t = token(
            r#"{"iss":"https:\/\/shop.example","iat":1758355200,"nbf":1758355200,"exp":1759219200,"data":{"user":{"id":7,"username":"jane","ip":"203.0.113.5","device":"MyApp\/1.0","pat":"pat_3f9a0c1b2d4e5f60718293a4"}}}"#,
        );
        let c = decode_unverified(&t).unwrap();
        assert_eq!(c.lifetime_secs(), 864_000);
        assert_eq!(c.user_id, Some(7));
        assert_eq!(c.username.as_deref(), Some("jane"));
        assert_eq!(c.pat.as_deref(), Some("pat_3f9a0c1b2d4e5f60718293a4"));
        assert_eq!(c.issuer.as_deref(), Some("https://shop.example"));
    }

    #[test]
    fn accepts_string_numbers_and_missing_pat() {
        let t = token(r#"{"iat":"100","exp":"160","data":{"user":{"id":"9"}}}"#);
        let c = decode_unverified(&t).unwrap();
        assert_eq!((c.iat, c.exp, c.user_id, c.pat), (100, 160, Some(9), None));
    }

    #[test]
    fn absurd_claims_are_clamped_without_overflow() {
        let huge = token(r#"{"iat":-9223372036854775808,"exp":1e30}"#);
        let c = decode_unverified(&huge).unwrap();
        assert_eq!(c.exp, i64::MAX, "a float past i64 saturates");
        assert_eq!(c.lifetime_secs(), MAX_TOKEN_LIFETIME_SECS);
        let backwards = token(r#"{"iat":2000,"exp":1000}"#);
        assert_eq!(decode_unverified(&backwards).unwrap().lifetime_secs(), 0);
        let negative = token(r#"{"iat":-50,"exp":-10}"#);
        assert_eq!(decode_unverified(&negative).unwrap().lifetime_secs(), 40);
        let float = token(r#"{"iat":100.9,"exp":160.2}"#);
        assert_eq!(decode_unverified(&float).unwrap().lifetime_secs(), 60);
    }

    #[test]
    fn rejects_what_is_not_a_jwt() {
        assert_eq!(decode_unverified("abc"), Err(ClaimsError::NotAJwt));
        assert_eq!(decode_unverified("a.b.c.d"), Err(ClaimsError::NotAJwt));
        assert_eq!(decode_unverified("a.!!!.c"), Err(ClaimsError::BadPayload));
        assert_eq!(
            decode_unverified(&token(r#"{"iat":1}"#)),
            Err(ClaimsError::NoExpiry)
        );
    }
}
