//! [`ClientBuilder`]: the options of a client, validated into a [`Config`] when it is built.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::client::CoCartClient;
use crate::clock::Clock;
use crate::codes::RestStyle;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::inner::Inner;
use crate::models::TransferPolicy;
use crate::session_store::{Consistency, MemoryStore, SessionStore};
use crate::shared_session::{SessionLock, SharedConfig};

/// The default User-Agent. The JWT plugin binds every token to the User-Agent that minted it,
/// so the SDK sends the same one on every request.
pub const DEFAULT_USER_AGENT: &str = concat!("cocart-rs/", env!("CARGO_PKG_VERSION"));

/// The smallest refresh leeway accepted.
pub const MIN_REFRESH_LEEWAY: Duration = Duration::from_secs(60);

/// Whether this build can speak TLS (the `rustls-tls` or `native-tls` feature).
const HAS_TLS: bool = cfg!(any(feature = "rustls-tls", feature = "native-tls"));

/// A build without TLS refuses `https://` stores when the client is built, not at the first
/// request.
fn check_tls_available(site: &Url, has_tls: bool) -> Result<()> {
    if site.scheme() == "https" && !has_tls {
        return Err(Error::Config(
            "this build of cocart has no TLS: enable its `rustls-tls` or `native-tls` feature"
                .into(),
        ));
    }
    Ok(())
}

/// Where a store is, read from the URL a user gives: the site root, and the REST addressing the
/// URL itself shows (see [`StoreAddress::parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreAddress {
    /// The site root: no `/wp-json`, no query, no fragment (e.g. `https://shop.example/store`).
    pub site: Url,
    /// [`RestStyle::QueryParam`] when the URL given was a `?rest_route=` address,
    /// [`RestStyle::Pretty`] when it held `/wp-json`, `None` when it said nothing either way.
    pub rest_style: Option<RestStyle>,
}

impl StoreAddress {
    /// Reads a store URL the way [`ClientBuilder::build`] does. A URL that contains the REST
    /// root is taken apart into the site root: `https://shop.example/wp-json/cocart/v2/` (what
    /// a banner or the browser shows), `https://shop.example/wp-json` and
    /// `https://shop.example/wp-json/cocart/v2/products` all give `https://shop.example`, and
    /// `https://shop.example/?rest_route=/cocart/v2/` gives the same site with
    /// [`RestStyle::QueryParam`]. A WordPress in a folder keeps its folder
    /// (`https://shop.example/store/wp-json/` gives `https://shop.example/store`).
    ///
    /// Refused with [`Error::Config`]: text that is not a URL, a scheme other than http(s), no
    /// host, or a user name or password inside the URL.
    ///
    /// ```
    /// use cocart::{RestStyle, StoreAddress};
    /// let a = StoreAddress::parse("http://127.0.0.1:8080/wp-json/cocart/v2/").unwrap();
    /// assert_eq!(a.site.as_str(), "http://127.0.0.1:8080/");
    /// assert_eq!(a.rest_style, Some(RestStyle::Pretty));
    /// let q = StoreAddress::parse("https://shop.example/?rest_route=/cocart/v2/").unwrap();
    /// assert_eq!((q.site.as_str(), q.rest_style), ("https://shop.example/", Some(RestStyle::QueryParam)));
    /// ```
    pub fn parse(store_url: &str) -> Result<Self> {
        let mut site = Url::parse(store_url.trim()).map_err(|e| {
            // Builds whose lock pins idna's back end without Unicode tables (the mobile library)
            // refuse internationalised host names; their ASCII form works everywhere.
            let hint = if e == url::ParseError::IdnaError && !store_url.is_ascii() {
                " (write an internationalised host name in its ASCII form, `xn--…`)"
            } else {
                ""
            };
            Error::Config(format!("store URL {store_url:?}: {e}{hint}"))
        })?;
        if !matches!(site.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "store URL must be http or https, not {:?}",
                site.scheme()
            )));
        }
        if site.host().is_none() {
            return Err(Error::Config("store URL has no host".into()));
        }
        if !site.username().is_empty() || site.password().is_some() {
            return Err(Error::Config(
                "store URL must not embed credentials; use login()".into(),
            ));
        }
        let query_style = site.query_pairs().any(|(k, _)| k == "rest_route");
        // WordPress reserves the `wp-json` segment for its REST API: everything from it on is
        // the REST root and a route, not the site.
        let segments: Vec<String> = site
            .path_segments()
            .map(|s| s.filter(|s| !s.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        let rest_at = segments.iter().position(|s| s == "wp-json");
        let kept = &segments[..rest_at.unwrap_or(segments.len())];
        site.set_path(&format!("/{}", kept.join("/")));
        site.set_query(None);
        site.set_fragment(None);
        let rest_style = if query_style {
            Some(RestStyle::QueryParam)
        } else {
            rest_at.map(|_| RestStyle::Pretty)
        };
        Ok(Self { site, rest_style })
    }
}

impl CoCartClient {
    /// Starts configuring a client for the store at `store_url` (the site root, e.g.
    /// `https://shop.example`; the SDK adds `/wp-json/…`). A URL holding the REST root
    /// (`https://shop.example/wp-json/cocart/v2/`, or a `?rest_route=` address) is read as its
    /// site root, see [`StoreAddress::parse`].
    pub fn builder(store_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(store_url)
    }
}

/// Builds a [`CoCartClient`], validating the configuration.
///
/// ```
/// use std::time::Duration;
/// let client = cocart::CoCartClient::builder("https://shop.example")
///     .user_agent("MyShopApp/2.1 (iOS)")
///     .timeout(Duration::from_secs(20))
///     .refresh_leeway(Duration::from_secs(120))
///     .build()
///     .expect("valid configuration");
/// assert!(!client.is_signed_in());
/// ```
pub struct ClientBuilder {
    store_url: String,
    rest_style: Option<RestStyle>,
    user_agent: String,
    timeout: Duration,
    connect_timeout: Duration,
    refresh_leeway: Duration,
    refresh_cooldown: Duration,
    auth_header: Option<String>,
    allow_insecure_http: bool,
    read_retries: u32,
    retry_base_delay: Duration,
    max_retry_after: Duration,
    send_cart_key_header: bool,
    transfer_policy: TransferPolicy,
    http: Option<reqwest::Client>,
    store: Arc<dyn SessionStore>,
    clock: Option<Arc<dyn Clock>>,
    lock: Option<Arc<dyn SessionLock>>,
    lock_lease: Option<Duration>,
    customer_only: bool,
    #[cfg(feature = "simulation")]
    transport: Option<Arc<dyn crate::simulation::Transport>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("store_url", &self.store_url)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(crate) fn new(store_url: impl Into<String>) -> Self {
        Self {
            store_url: store_url.into(),
            rest_style: None,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            refresh_leeway: Duration::from_secs(300),
            refresh_cooldown: Duration::from_secs(5),
            auth_header: None,
            allow_insecure_http: false,
            read_retries: 2,
            retry_base_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(10),
            send_cart_key_header: false,
            transfer_policy: TransferPolicy::KeepBoth,
            http: None,
            store: Arc::new(MemoryStore::new()),
            clock: None,
            lock: None,
            lock_lease: None,
            customer_only: false,
            #[cfg(feature = "simulation")]
            transport: None,
        }
    }

    /// Addresses routes as `/?rest_route=/…` (sites with plain permalinks). Default: what the
    /// store URL shows (a `?rest_route=` URL is [`RestStyle::QueryParam`]), else
    /// [`RestStyle::Pretty`].
    pub fn rest_style(mut self, style: RestStyle) -> Self {
        self.rest_style = Some(style);
        self
    }

    /// The User-Agent sent on every request. Tokens are bound to it: keep it stable across
    /// launches (no build numbers that change with each release if sessions must survive
    /// updates).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// The deadline of each request, retries included (default 30 s): a read retried after a
    /// transient failure gets only what is left, and a retry that cannot start before the
    /// deadline is not made (the last failure is returned, e.g. [`Error::Timeout`]). Against a
    /// store that never answers, a call ends after about this long, not once per attempt.
    ///
    /// Two things run on their own deadline: a token refresh the request waits for (shared with
    /// other requests and, with a shared session, other processes; never cut short, and the
    /// time spent waiting for it is not counted against the request), and the re-read of the
    /// cart after a write whose answer was lost ([`Error::WriteOutcomeUnknown`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connect timeout (default 10 s); ignored with [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Refresh the token when less than this is left (default 5 min, at least 60 s). For short
    /// tokens the SDK uses at most half the token's lifetime.
    pub fn refresh_leeway(mut self, leeway: Duration) -> Self {
        self.refresh_leeway = leeway;
        self
    }

    /// After a refresh fails for a transient reason, callers within this window get the same
    /// error instead of a new refresh request (default 5 s; a `Retry-After` can lengthen it).
    pub fn refresh_cooldown(mut self, cooldown: Duration) -> Self {
        self.refresh_cooldown = cooldown;
        self
    }

    /// Sends the credentials in this header instead of `Authorization` (for hosts that strip it,
    /// with CoCart's "Authorization Header" setting, e.g. `X-CoCart-Auth`). The full
    /// `Bearer <token>` / `Basic …` value goes there.
    pub fn auth_header_name(mut self, name: impl Into<String>) -> Self {
        self.auth_header = Some(name.into());
        self
    }

    /// Allows credentials over plain HTTP to a host that is not loopback. Off by default.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How many times a read (GET) is retried after a transient failure (default 2).
    pub fn read_retries(mut self, retries: u32) -> Self {
        self.read_retries = retries;
        self
    }

    /// The first retry delay; each retry doubles it (default 200 ms).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry_base_delay = delay;
        self
    }

    /// The longest a `Retry-After` from the store makes the client wait (default 10 s): before a
    /// read is retried, and before a failed refresh may be tried again. A CDN that answers
    /// `Retry-After: 3600` does not stop the client for an hour.
    pub fn max_retry_wait(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Also send the guest cart key in the `CoCart-API-Cart-Key` header (default: only the
    /// `cart_key` query parameter, which every CoCart 4.x accepts).
    pub fn send_cart_key_header(mut self, send: bool) -> Self {
        self.send_cart_key_header = send;
        self
    }

    /// What a login does about the customer's saved cart when a guest cart is transferred
    /// (default [`TransferPolicy::KeepBoth`]: the store replaces it, the SDK adds its lines back).
    pub fn transfer_policy(mut self, policy: TransferPolicy) -> Self {
        self.transfer_policy = policy;
        self
    }

    /// Uses this `reqwest::Client` (its own timeouts, proxies and TLS apply), e.g. one client
    /// shared by many `CoCartClient`s. The SDK still sets its User-Agent on every request.
    ///
    /// **Build it with `redirect(reqwest::redirect::Policy::none())`.** reqwest drops the
    /// `Authorization` header on a redirect to another host, but not a custom
    /// [`auth_header_name`](Self::auth_header_name); the SDK's own client never follows
    /// redirects. If an injected client does follow one on a request with credentials, the SDK
    /// refuses the answer with [`Error::CredentialsRedirected`].
    ///
    /// ```
    /// let shared = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .expect("HTTP client");
    /// let client = cocart::CoCartClient::builder("https://shop.example")
    ///     .http_client(shared.clone())
    ///     .build()
    ///     .expect("valid configuration");
    /// # let _ = client;
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Where the session is persisted (default: [`MemoryStore`], memory only).
    pub fn session_store(mut self, store: impl SessionStore) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// Same as [`ClientBuilder::session_store`] for a store already behind an `Arc`.
    pub fn session_store_arc(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.store = store;
        self
    }

    /// The old name of [`ClientBuilder::session_store`].
    #[deprecated(since = "0.2.0", note = "renamed to `session_store`")]
    pub fn token_store(self, store: impl SessionStore) -> Self {
        self.session_store(store)
    }

    /// The old name of [`ClientBuilder::session_store_arc`].
    #[deprecated(since = "0.2.0", note = "renamed to `session_store_arc`")]
    pub fn token_store_arc(self, store: Arc<dyn SessionStore>) -> Self {
        self.session_store_arc(store)
    }

    /// Shares the session with other processes (backend replicas, workers) through this lock
    /// and the [`session_store`](Self::session_store): a refresh takes the lock, re-reads the
    /// stored session, adopts a pair another process already rotated, and otherwise refreshes
    /// and saves with the revision check. The store must do compare-and-swap across processes
    /// ([`Consistency::CompareAndSwap`]). See [`crate::shared_session`].
    pub fn session_lock(mut self, lock: impl SessionLock) -> Self {
        self.lock = Some(Arc::new(lock));
        self
    }

    /// Same as [`ClientBuilder::session_lock`] for a lock already behind an `Arc`.
    pub fn session_lock_arc(mut self, lock: Arc<dyn SessionLock>) -> Self {
        self.lock = Some(lock);
        self
    }

    /// How long the shared refresh lock is leased (default: three request timeouts, at least
    /// 30 s; it must be at least twice the request timeout). A process that dies holding the
    /// lock makes the others wait at most this long.
    pub fn lock_lease(mut self, lease: Duration) -> Self {
        self.lock_lease = Some(lease);
        self
    }

    /// Makes the client act for a customer only (default `false`): without a session (never
    /// signed in, or after any sign-out), cart calls fail with [`Error::SignedOut`], carrying
    /// why the last session ended, instead of starting a guest cart. Catalog reads stay public.
    /// For backends that serve one customer's cart, which must never turn into a guest's.
    pub fn customer_only(mut self, customer_only: bool) -> Self {
        self.customer_only = customer_only;
        self
    }

    /// Measures token lifetimes with this clock instead of the system clock (tests and
    /// simulations; see [`crate::clock::OffsetClock`]).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Sends every request through `transport` instead of the network (deterministic
    /// simulations only).
    #[cfg(feature = "simulation")]
    #[doc(hidden)]
    pub fn transport(mut self, transport: Arc<dyn crate::simulation::Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<CoCartClient> {
        let address = StoreAddress::parse(&self.store_url)?;
        let site = address.site;
        check_tls_available(&site, HAS_TLS)?;
        let rest_style = self
            .rest_style
            .or(address.rest_style)
            .unwrap_or(RestStyle::Pretty);
        if self.refresh_leeway < MIN_REFRESH_LEEWAY {
            return Err(Error::Config(format!(
                "refresh leeway must be at least {} s",
                MIN_REFRESH_LEEWAY.as_secs()
            )));
        }
        if self.timeout.is_zero() {
            return Err(Error::Config("timeout must be greater than zero".into()));
        }
        if self.user_agent.trim().is_empty()
            || http::HeaderValue::from_str(&self.user_agent).is_err()
        {
            return Err(Error::Config(
                "user agent must be a non-empty, valid header value".into(),
            ));
        }
        let auth_header = match &self.auth_header {
            None => http::header::AUTHORIZATION,
            Some(name) => http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("invalid auth header name {name:?}")))?,
        };
        let shared = match self.lock {
            None => None,
            Some(lock) => {
                if self.store.consistency() != Consistency::CompareAndSwap {
                    return Err(Error::Config(
                        "a shared session needs a session store with compare-and-swap across processes"
                            .into(),
                    ));
                }
                let lease = self
                    .lock_lease
                    .unwrap_or_else(|| (self.timeout * 3).max(Duration::from_secs(30)));
                if lease < self.timeout * 2 {
                    return Err(Error::Config(
                        "the lock lease must be at least twice the request timeout".into(),
                    ));
                }
                Some(SharedConfig {
                    lock,
                    lease,
                    poll: (lease / 100)
                        .clamp(Duration::from_millis(20), Duration::from_millis(250)),
                })
            }
        };
        let user_agent_per_request = self.http.is_some();
        let http = match self.http {
            Some(c) => c,
            None => crate::tls::configure(reqwest::Client::builder(), &site)?
                .user_agent(self.user_agent.clone())
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {e}")))?,
        };
        let config = Config {
            site,
            rest_style,
            user_agent: self.user_agent,
            user_agent_per_request,
            timeout: self.timeout,
            refresh_leeway: self.refresh_leeway,
            refresh_cooldown: self.refresh_cooldown,
            auth_header,
            allow_insecure_http: self.allow_insecure_http,
            read_retries: self.read_retries,
            retry_base_delay: self.retry_base_delay,
            max_retry_after: self.max_retry_after,
            send_cart_key_header: self.send_cart_key_header,
            shared,
            transfer_policy: self.transfer_policy,
            customer_only: self.customer_only,
            #[cfg(feature = "simulation")]
            transport: self.transport,
        };
        Ok(CoCartClient {
            inner: Arc::new(Inner::new(config, http, self.store, self.clock)),
        })
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_needs_a_tls_feature_and_plain_http_does_not() {
        let https = Url::parse("https://shop.example").unwrap();
        let http = Url::parse("http://127.0.0.1:8080").unwrap();
        assert!(check_tls_available(&https, true).is_ok());
        assert!(matches!(
            check_tls_available(&https, false),
            Err(Error::Config(msg)) if msg.contains("rustls-tls")
        ));
        assert!(check_tls_available(&http, false).is_ok());
        // The default build has TLS: an https store builds.
        assert!(
            CoCartClient::builder("https://shop.example")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn invalid_configs_are_refused_with_a_reason() {
        let err = |b: ClientBuilder| match b.build() {
            Err(Error::Config(m)) => m,
            other => panic!("expected a config error, got {other:?}"),
        };
        assert!(err(CoCartClient::builder("not a url")).contains("store URL"));
        assert!(err(CoCartClient::builder("ftp://x")).contains("http or https"));
        assert!(err(CoCartClient::builder("https://u:p@x")).contains("credentials"));
        assert!(
            err(CoCartClient::builder("https://x").refresh_leeway(Duration::from_secs(59)))
                .contains("at least 60")
        );
        assert!(
            err(CoCartClient::builder("https://x").auth_header_name("bad header"))
                .contains("auth header")
        );
        assert!(err(CoCartClient::builder("https://x").user_agent("")).contains("user agent"));
    }

    #[test]
    fn a_store_url_holding_the_rest_root_is_read_as_its_site_root() {
        let read = |u: &str| {
            let a = StoreAddress::parse(u).unwrap();
            (a.site.to_string(), a.rest_style)
        };
        let root = "http://127.0.0.1:8080/".to_string();
        for pasted in [
            "http://127.0.0.1:8080/wp-json/cocart/v2/",
            "http://127.0.0.1:8080/wp-json/cocart/v2",
            "http://127.0.0.1:8080/wp-json",
            "http://127.0.0.1:8080/wp-json/cocart/v2/products?per_page=5",
        ] {
            assert_eq!(
                read(pasted),
                (root.clone(), Some(RestStyle::Pretty)),
                "{pasted}"
            );
        }
        assert_eq!(read("http://127.0.0.1:8080"), (root.clone(), None));
        assert_eq!(
            read("https://shop.example/store/wp-json/cocart/v2/"),
            ("https://shop.example/store".into(), Some(RestStyle::Pretty))
        );
        assert_eq!(
            read("https://shop.example/store/"),
            ("https://shop.example/store".into(), None)
        );
        assert_eq!(
            read("https://shop.example/?rest_route=/cocart/v2/"),
            ("https://shop.example/".into(), Some(RestStyle::QueryParam))
        );
        // The client sends its routes under the site root, once.
        let client = CoCartClient::builder("http://127.0.0.1:8080/wp-json/cocart/v2/")
            .build()
            .unwrap();
        let url = client
            .config()
            .route_url("cocart/v2/products", &[])
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/wp-json/cocart/v2/products"
        );
        let query = CoCartClient::builder("http://127.0.0.1:8080/?rest_route=/cocart/v2/")
            .build()
            .unwrap();
        assert_eq!(query.config().rest_style, RestStyle::QueryParam);
        // An explicit choice wins over what the URL shows.
        let explicit = CoCartClient::builder("http://127.0.0.1:8080/?rest_route=/")
            .rest_style(RestStyle::Pretty)
            .build()
            .unwrap();
        assert_eq!(explicit.config().rest_style, RestStyle::Pretty);
    }
}
