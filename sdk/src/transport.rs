//! One HTTP exchange with the store, and the policy around it: credentials, the guest cart key,
//! proactive and reactive token refresh, read retries, and mapping responses to [`Error`]s.
//!
//! Every request goes through [`Inner::execute`]:
//!
//! 1. with a session, get a fresh-enough token (a proactive, single-flight refresh if it is
//!    close to expiry);
//! 2. send once (one tracing span per attempt);
//! 3. if the store rejected our token (401, or 403 with an auth code), refresh once (single
//!    flight) and resend the identical request once;
//! 4. map the answer: 2xx JSON, or a typed error; reads retry transient failures with backoff.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

use crate::client::Inner;
use crate::error::{ApiError, ApiErrorKind, Error, Result};

/// Which credentials a request carries.
#[derive(Clone)]
pub(crate) enum AuthMode {
    /// The session's Bearer token when signed in; nothing as a guest.
    Session,
    /// No credentials at all (refresh route, public probes).
    None,
    /// A ready `Basic …` header value (login).
    Basic(SecretString),
}

/// A request to a REST route, kept whole so that it can be resent identically.
#[derive(Clone)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    /// Route below `/wp-json/`, e.g. `cocart/v2/cart`.
    pub(crate) route: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Option<Bytes>,
    pub(crate) auth: AuthMode,
    /// A cart route: sends the guest cart key and captures the one the store returns.
    pub(crate) cart: bool,
    /// The body of the answer may hold secrets: never keep it in errors.
    pub(crate) sensitive: bool,
}

impl ApiRequest {
    pub(crate) fn new(method: Method, route: impl Into<String>) -> Self {
        Self {
            method,
            route: route.into(),
            query: Vec::new(),
            body: None,
            auth: AuthMode::Session,
            cart: false,
            sensitive: false,
        }
    }

    pub(crate) fn get(route: impl Into<String>) -> Self {
        Self::new(Method::GET, route)
    }

    pub(crate) fn post(route: impl Into<String>) -> Self {
        Self::new(Method::POST, route)
    }

    pub(crate) fn json(mut self, body: &Value) -> Self {
        self.body = Some(Bytes::from(body.to_string()));
        self
    }

    pub(crate) fn query(mut self, pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    pub(crate) fn auth(mut self, auth: AuthMode) -> Self {
        self.auth = auth;
        self
    }

    pub(crate) fn cart(mut self) -> Self {
        self.cart = true;
        self
    }

    pub(crate) fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    fn is_read(&self) -> bool {
        self.method == Method::GET
    }
}

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

/// A header value for credentials, marked sensitive so that `Debug` and HTTP/2 never show it.
pub(crate) fn sensitive_header(secret: &SecretString) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(secret.expose_secret())
        .map_err(|_| Error::Internal("credentials are not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// `scheme://host[:port]` of a URL: where a redirect pointed, without its path or query.
fn host_of(url: &url::Url) -> String {
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

impl Inner {
    /// Sends `req` with the full policy (see the module docs).
    pub(crate) async fn execute(self: &Arc<Self>, req: ApiRequest) -> Result<ApiResponse> {
        let mut attempt: u32 = 0;
        loop {
            match self.execute_once(&req, attempt).await {
                Err(e)
                    if req.is_read() && e.is_transient() && attempt < self.config.read_retries =>
                {
                    let backoff = self.config.retry_base_delay * 2u32.saturating_pow(attempt);
                    let wait = match &e {
                        Error::RateLimited {
                            retry_after: Some(d),
                        } if *d > self.config.max_retry_after => return Err(e),
                        Error::RateLimited {
                            retry_after: Some(d),
                        } => (*d).max(backoff),
                        _ => backoff,
                    };
                    tracing::debug!(route = %req.route, attempt, wait_ms = wait.as_millis() as u64, "retrying a read after a transient failure");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn execute_once(self: &Arc<Self>, req: &ApiRequest, attempt: u32) -> Result<ApiResponse> {
        let session_token = match req.auth {
            AuthMode::Session => self.token_for_request().await?,
            _ => None,
        };
        let raw = self
            .send_once(req, session_token.as_ref().map(|t| &t.0), attempt)
            .await?;
        let Some((_, generation)) = session_token else {
            let sent_credentials = matches!(req.auth, AuthMode::Basic(_));
            let resp = self.finish(req, raw, sent_credentials)?;
            return self.after_success(req, resp, false).await;
        };
        if !raw.is_token_rejection() {
            let resp = self.finish(req, raw, true)?;
            return self.after_success(req, resp, true).await;
        }
        tracing::debug!(route = %req.route, status = raw.status, "token rejected; refreshing once");
        self.refresh(generation).await?;
        let Some((token, _)) = self.current_token() else {
            return Err(Error::NotSignedIn);
        };
        let again = self.send_once(req, Some(&token), attempt).await?;
        if again.is_token_rejection() {
            let api = again
                .json()
                .and_then(|b| ApiError::from_body(again.status, &b))
                .unwrap_or_else(|| {
                    ApiError::new(again.status, "unknown", "token rejected", Value::Null)
                });
            return Err(Error::TokenRejected(Box::new(api)));
        }
        let resp = self.finish(req, again, true)?;
        self.after_success(req, resp, true).await
    }

    /// Learns the cart key from a successful cart answer and persists it before returning, so
    /// an app killed right after its first cart call keeps its cart.
    async fn after_success(
        self: &Arc<Self>,
        req: &ApiRequest,
        resp: ApiResponse,
        as_user: bool,
    ) -> Result<ApiResponse> {
        // A customer's answer only matters while a guest key still waits for its transfer:
        // skip the second scan of the body otherwise.
        let wanted = req.cart && (!as_user || self.state().cart_key.is_some());
        if wanted {
            self.capture_cart_key(resp.cart_key_in_body(), &resp.headers, as_user)
                .await;
        }
        Ok(resp)
    }

    /// One HTTP exchange, in its own tracing span. No secret is ever recorded.
    pub(crate) async fn send_once(
        &self,
        req: &ApiRequest,
        bearer: Option<&HeaderValue>,
        attempt: u32,
    ) -> Result<RawResponse> {
        let mut query = req.query.clone();
        let cart_key = if req.cart {
            self.cart_key_to_send()
        } else {
            None
        };
        if let Some(key) = &cart_key {
            query.push(("cart_key".into(), key.clone()));
        }
        let url = self.config.route_url(&req.route, &query)?;
        let credentials = match (&req.auth, bearer) {
            (AuthMode::Basic(v), _) => Some(sensitive_header(v)?),
            (AuthMode::Session, Some(header)) => Some(header.clone()),
            _ => None,
        };
        let sends_credentials = credentials.is_some();
        if sends_credentials {
            self.config.check_credentials_transport()?;
        }
        let mut builder = self
            .http
            .request(req.method.clone(), url.clone())
            .timeout(self.config.timeout)
            .header(http::header::ACCEPT, "application/json");
        if self.config.user_agent_per_request {
            builder = builder.header(http::header::USER_AGENT, &self.config.user_agent);
        }
        if let Some(value) = credentials {
            builder = builder.header(self.config.auth_header.clone(), value);
        }
        if let (Some(key), true) = (&cart_key, self.config.send_cart_key_header) {
            builder = builder.header("CoCart-API-Cart-Key", key.as_str());
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let span = tracing::debug_span!(
            "cocart.http",
            method = %req.method,
            route = %req.route,
            attempt,
            status = tracing::field::Empty,
        );
        async {
            let mut response = builder.send().await.map_err(Error::from_reqwest)?;
            // An injected HTTP client that follows redirects has already sent the credentials
            // on; the answer is not used, and the error says where it went.
            if sends_credentials && response.url() != &url {
                return Err(Error::CredentialsRedirected {
                    to: host_of(response.url()),
                });
            }
            let status = response.status().as_u16();
            tracing::Span::current().record("status", status);
            let headers = std::mem::take(response.headers_mut());
            let bytes = response.bytes().await.map_err(Error::from_reqwest)?;
            Ok(RawResponse {
                status,
                headers,
                bytes,
            })
        }
        .instrument(span)
        .await
    }

    /// Interprets an answer: JSON for 2xx, a typed error otherwise.
    pub(crate) fn finish(
        &self,
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
                .is_some_and(|a| a.code == "rate_limit_exceeded")
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
                        .and_then(|l| self.config.site.join(l).ok())
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
