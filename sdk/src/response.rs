//! Reading an answer: the JSON part of a body (PHP notices printed before it skipped), whether
//! the store rejected our token, and the mapping of everything else to a typed [`Error`].

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::codes;
use crate::error::{ApiError, ApiErrorKind, Error, Result};
use crate::request::ApiRequest;

/// A successful (2xx) answer. The body stays bytes until a caller decodes it, once, into the
/// type it needs.
#[derive(Debug, Clone)]
pub(crate) struct ApiResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    /// The JSON part of the body (PHP notices before it cut off).
    json: Bytes,
    /// The whole body, for error reports.
    full: Bytes,
    sensitive: bool,
}

impl ApiResponse {
    /// Decodes the body into `T`, keeping the raw body when it does not fit.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice::<T>(&self.json)
            .map_err(|e| self.invalid(format!("unexpected shape: {e}")))
    }

    /// The body as an untyped JSON value.
    pub(crate) fn value(&self) -> Result<Value> {
        self.decode()
    }

    pub(crate) fn invalid(&self, reason: String) -> Error {
        Error::InvalidResponse {
            status: self.status,
            reason,
            raw: if self.sensitive {
                REDACTED_BODY.to_string()
            } else {
                String::from_utf8_lossy(&self.full).into_owned()
            },
        }
    }

    /// The `cart_key` of a cart answer, without decoding the rest of the body.
    pub(crate) fn cart_key_in_body(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct Probe {
            #[serde(default)]
            cart_key: Option<Value>,
        }
        match serde_json::from_slice::<Probe>(&self.json).ok()?.cart_key? {
            Value::String(s) if !s.is_empty() => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Placeholder for bodies of routes whose answers hold secrets.
pub(crate) const REDACTED_BODY: &str = "[body not kept: authentication route]";

/// What came back on the wire, before any interpretation.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) bytes: Bytes,
}

impl RawResponse {
    fn json(&self) -> Option<Value> {
        parse_json_lenient(&self.bytes)
    }

    /// The store rejected the credentials this request carried (the JWT plugin answers 403 in
    /// v3 and 401 in v2). A 401 with a guest code is not a rejection: the header never arrived.
    pub(crate) fn is_token_rejection(&self) -> bool {
        if !matches!(self.status, 401 | 403) {
            return false;
        }
        let api = self
            .json()
            .and_then(|b| ApiError::from_body(self.status, &b));
        match self.status {
            401 => !matches!(api.map(|a| a.kind), Some(ApiErrorKind::NotAuthorized)),
            403 => api.is_some_and(|a| a.is_auth_rejection()),
            _ => false,
        }
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    /// The error of an answer that rejected the token again after a refresh.
    pub(crate) fn rejection(&self) -> Error {
        let api = self
            .json()
            .and_then(|b| ApiError::from_body(self.status, &b))
            .unwrap_or_else(|| {
                ApiError::new(self.status, "unknown", "token rejected", Value::Null)
            });
        Error::TokenRejected(Box::new(api))
    }
}

/// The JSON part of a body: trimmed, with PHP notices printed before it (`WP_DEBUG` stores)
/// cut off; `null` for an empty body. `None` when no JSON can start anywhere. Successful answers
/// are decoded from it, and error envelopes are read from it, so both see the same JSON.
fn json_part(bytes: &Bytes) -> Option<Bytes> {
    json_range(bytes).map(|range| match range {
        Some(range) => bytes.slice(range),
        None => Bytes::from_static(b"null"),
    })
}

/// Where [`json_part`] finds the JSON: `Some(None)` for an all-blank body (JSON `null`).
fn json_range(bytes: &[u8]) -> Option<Option<std::ops::Range<usize>>> {
    let Some(start) = bytes.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Some(None);
    };
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(bytes.len(), |e| e + 1);
    let starts_json = matches!(
        bytes[start],
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    );
    let start = if starts_json {
        start
    } else {
        start
            + bytes[start..end]
                .iter()
                .position(|&b| b == b'{' || b == b'[')?
    };
    Some(Some(start..end))
}

/// Parses the JSON part of a body (see [`json_part`]) into an untyped value.
pub(crate) fn parse_json_lenient(bytes: &[u8]) -> Option<Value> {
    match json_range(bytes)? {
        Some(range) => serde_json::from_slice(&bytes[range]).ok(),
        None => Some(Value::Null),
    }
}

/// `scheme://host[:port]` of a URL: where a redirect pointed, without its path or query.
pub(crate) fn host_of(url: &url::Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or("?"));
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Reads an answer: the JSON of a 2xx, or the typed error of anything else. `site` resolves a
/// relative redirect target, for the error that names where it pointed.
pub(crate) fn read(
    site: &Url,
    req: &ApiRequest,
    raw: RawResponse,
    sent_credentials: bool,
    bearer: Option<&HeaderValue>,
) -> Result<ApiResponse> {
    read_unscrubbed(site, req, raw, sent_credentials).map_err(|e| req.scrubber(bearer).error(e))
}

fn read_unscrubbed(
    site: &Url,
    req: &ApiRequest,
    raw: RawResponse,
    sent_credentials: bool,
) -> Result<ApiResponse> {
    let status = raw.status;
    let raw_text = |raw: &RawResponse| {
        if req.sensitive {
            REDACTED_BODY.to_string()
        } else {
            String::from_utf8_lossy(&raw.bytes).into_owned()
        }
    };
    if (200..300).contains(&status) {
        let json = json_part(&raw.bytes).ok_or_else(|| Error::InvalidResponse {
            status,
            reason: "the body is not JSON".into(),
            raw: raw_text(&raw),
        })?;
        return Ok(ApiResponse {
            status,
            headers: raw.headers,
            json,
            full: raw.bytes,
            sensitive: req.sensitive,
        });
    }
    let api = raw.json().and_then(|b| ApiError::from_body(status, &b));
    if status == 429
        || api
            .as_ref()
            .is_some_and(|a| a.code == codes::RATE_LIMIT_EXCEEDED)
    {
        return Err(Error::RateLimited {
            retry_after: raw.retry_after().or_else(|| {
                raw.headers
                    .get("RateLimit-Retry-After")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|s| s.parse().ok())
                    .map(Duration::from_secs)
            }),
        });
    }
    if status >= 500 {
        return Err(Error::Server {
            status,
            api: api.map(Box::new),
        });
    }
    match api {
        Some(api)
            if sent_credentials && status == 401 && api.kind == ApiErrorKind::NotAuthorized =>
        {
            Err(Error::AuthorizationHeaderStripped {
                detail: format!("{} answered 401 {}", req.route, api.code),
            })
        }
        Some(api) => Err(Error::Api(Box::new(api))),
        None if sent_credentials && (300..400).contains(&status) => {
            Err(Error::CredentialsRedirected {
                to: raw
                    .headers
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| site.join(l).ok())
                    .map(|u| host_of(&u))
                    .unwrap_or_else(|| "an unnamed location".into()),
            })
        }
        None if (300..400).contains(&status) => Err(Error::InvalidResponse {
            status,
            reason: format!(
                "redirected to {}",
                raw.headers
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("?")
            ),
            raw: raw_text(&raw),
        }),
        None => Err(Error::InvalidResponse {
            status,
            reason: "no error envelope in the body".into(),
            raw: raw_text(&raw),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_after_php_notices_still_parses() {
        let body = b"<br />\n<b>Notice</b>: Undefined index in x.php<br />\n{\"ok\":true}";
        assert_eq!(
            parse_json_lenient(body),
            Some(serde_json::json!({"ok":true}))
        );
        assert_eq!(parse_json_lenient(b"  "), Some(Value::Null));
        assert_eq!(parse_json_lenient(b"<html>fatal</html>"), None);
    }

    #[test]
    fn the_json_part_skips_php_notices_and_keeps_scalars() {
        let part = |b: &'static [u8]| json_part(&Bytes::from_static(b)).map(|p| p.to_vec());
        assert_eq!(part(b"  {\"a\":1}\n").unwrap(), b"{\"a\":1}");
        assert_eq!(part(b"<b>Notice</b>: x\n[1,2]").unwrap(), b"[1,2]");
        assert_eq!(part(b"3.0").unwrap(), b"3.0");
        assert_eq!(part(b"true").unwrap(), b"true");
        assert_eq!(part(b"").unwrap(), b"null");
        assert_eq!(part(b"<html>fatal error</html>"), None);
    }

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: HeaderMap::new(),
            bytes: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn token_rejections_cover_v3_403_and_v2_401_but_not_guest_answers() {
        let v3 = r#"{"code":"cocart_authentication_error","message":"Authentication failed.","data":{"status":403}}"#;
        assert!(raw(403, v3).is_token_rejection());
        let bad_config = r#"{"code":"cocart_jwt_auth_bad_config","message":"JWT configuration error.","data":{"status":403}}"#;
        assert!(raw(403, bad_config).is_token_rejection());
        assert!(raw(401, v3).is_token_rejection());
        let guest = r#"{"code":"rest_forbidden","message":"Sorry, you are not allowed to do that.","data":{"status":401}}"#;
        assert!(!raw(401, guest).is_token_rejection());
        let forbidden_other =
            r#"{"code":"cocart_product_sold_individually","message":"x","data":{"status":403}}"#;
        assert!(!raw(403, forbidden_other).is_token_rejection());
    }
}
