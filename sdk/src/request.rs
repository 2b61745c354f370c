//! Building a request: what to send ([`ApiRequest`]), with which credentials ([`AuthMode`]),
//! and the reqwest request it becomes ([`build`]). No I/O.

use bytes::Bytes;
use http::{HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use crate::config::Config;
use crate::error::{Error, Result};

/// The header CoCart reads (and answers) the guest cart key in.
pub(crate) const CART_KEY_HEADER: &str = "CoCart-API-Cart-Key";

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
    /// Sent at most once, even when it is a read (see [`ApiRequest::once`]).
    pub(crate) once: bool,
    /// Secrets this request carries besides its credentials header (a password, a refresh
    /// token in the body): scrubbed from whatever the answer says.
    pub(crate) secrets: Vec<SecretString>,
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
            once: false,
            secrets: Vec::new(),
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

    /// Never sent again automatically, although it is a read: a `GET` whose effect on the store
    /// is not the same when it arrives twice (the cart transfer: a second one puts back the
    /// customer's cart as it was before the first).
    pub(crate) fn once(mut self) -> Self {
        self.once = true;
        self
    }

    /// Scrubs `secret` from any text the answer holds (see `scrub.rs`).
    pub(crate) fn carries(mut self, secret: &SecretString) -> Self {
        self.secrets.push(secret.clone());
        self
    }

    /// The scrubber for this request's answer, given the Bearer header it was sent with.
    pub(crate) fn scrubber(&self, bearer: Option<&HeaderValue>) -> crate::scrub::Scrubber {
        let mut scrubber = crate::scrub::Scrubber::default();
        for secret in &self.secrets {
            scrubber.add(secret.expose_secret());
        }
        if let AuthMode::Basic(value) = &self.auth {
            let value = value.expose_secret();
            scrubber.add(value);
            scrubber.add(value.strip_prefix("Basic ").unwrap_or(value));
        }
        if let (AuthMode::Session, Some(header)) = (&self.auth, bearer)
            && let Ok(value) = header.to_str()
        {
            scrubber.add(value);
            scrubber.add(value.strip_prefix("Bearer ").unwrap_or(value));
        }
        scrubber
    }

    /// A read: safe to send again after a transient failure.
    pub(crate) fn is_read(&self) -> bool {
        self.method == Method::GET
    }

    /// Whether the retry policy may send it again after a transient failure: a read not marked
    /// [`ApiRequest::once`].
    pub(crate) fn is_resendable(&self) -> bool {
        self.is_read() && !self.once
    }

    /// The credentials header value this request carries, given the session's Bearer header.
    pub(crate) fn credentials(&self, bearer: Option<&HeaderValue>) -> Result<Option<HeaderValue>> {
        Ok(match (&self.auth, bearer) {
            (AuthMode::Basic(v), _) => Some(sensitive_header(v)?),
            (AuthMode::Session, Some(header)) => Some(header.clone()),
            _ => None,
        })
    }
}

/// A header value for credentials, marked sensitive so that `Debug` and HTTP/2 never show it.
pub(crate) fn sensitive_header(secret: &SecretString) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(secret.expose_secret())
        .map_err(|_| Error::Internal("credentials are not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The reqwest request for `req` and the URL it goes to. `cart_key` is the guest key to send
/// (cart routes only), `credentials` the header value [`ApiRequest::credentials`] chose,
/// `timeout` the longest the exchange may take.
pub(crate) fn build(
    config: &Config,
    http: &reqwest::Client,
    req: &ApiRequest,
    cart_key: Option<&str>,
    credentials: Option<HeaderValue>,
    timeout: std::time::Duration,
) -> Result<(reqwest::RequestBuilder, Url)> {
    let mut query = req.query.clone();
    if let Some(key) = cart_key {
        query.push(("cart_key".into(), key.to_string()));
    }
    let url = config.route_url(&req.route, &query)?;
    let mut builder = http
        .request(req.method.clone(), url.clone())
        .timeout(timeout)
        .header(http::header::ACCEPT, "application/json");
    if config.user_agent_per_request {
        builder = builder.header(http::header::USER_AGENT, &config.user_agent);
    }
    if let Some(value) = credentials {
        builder = builder.header(config.auth_header.clone(), value);
    }
    if let (Some(key), true) = (cart_key, config.send_cart_key_header) {
        builder = builder.header(CART_KEY_HEADER, key);
    }
    if let Some(body) = &req.body {
        builder = builder
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body.clone());
    }
    Ok((builder, url))
}
