//! The validated configuration of a client ([`Config`]), the URL of a route, and whether
//! credentials may go to the site. The builder that makes it is in `builder.rs`.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::codes::{RestStyle, routes};
use crate::error::{Error, Result};
use crate::models::TransferPolicy;
use crate::shared_session::SharedConfig;

/// The validated configuration of a client.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) site: Url,
    pub(crate) rest_style: RestStyle,
    pub(crate) user_agent: String,
    /// An injected `reqwest::Client` does not carry our User-Agent: set it on each request.
    pub(crate) user_agent_per_request: bool,
    pub(crate) timeout: Duration,
    pub(crate) refresh_leeway: Duration,
    pub(crate) refresh_cooldown: Duration,
    pub(crate) auth_header: http::HeaderName,
    pub(crate) allow_insecure_http: bool,
    pub(crate) read_retries: u32,
    pub(crate) retry_base_delay: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) send_cart_key_header: bool,
    /// Set when the session is shared with other processes through a lock.
    pub(crate) shared: Option<SharedConfig>,
    pub(crate) transfer_policy: TransferPolicy,
    /// Cart calls without a session fail with `Error::SignedOut` instead of using a guest cart.
    pub(crate) customer_only: bool,
    /// Replaces the network in a deterministic simulation.
    #[cfg(feature = "simulation")]
    pub(crate) transport: Option<std::sync::Arc<dyn crate::simulation::Transport>>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("site", &self.site.as_str())
            .field("rest_style", &self.rest_style)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("refresh_leeway", &self.refresh_leeway)
            .field("auth_header", &self.auth_header)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The URL of a REST route such as `cocart/v2/cart`, with query pairs.
    pub(crate) fn route_url(&self, route: &str, query: &[(String, String)]) -> Result<Url> {
        let mut url = routes::url(&self.site, self.rest_style, route);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// The store a session belongs to: its origin and REST root (`https://shop.example/wp-json/`,
    /// or `https://shop.example/?rest_route=%2F` with plain permalinks).
    pub(crate) fn store_id(&self) -> String {
        routes::url(&self.site, self.rest_style, "").to_string()
    }

    /// Whether credentials may go to this site: HTTPS, a loopback host, or an explicit opt-in.
    pub(crate) fn check_credentials_transport(&self) -> Result<()> {
        if self.site.scheme() == "https" || self.allow_insecure_http || is_loopback(&self.site) {
            Ok(())
        } else {
            Err(Error::InsecureTransport {
                host: self.site.host_str().unwrap_or("").to_string(),
            })
        }
    }
}

/// Whether `url` names this machine (`localhost`, `127.0.0.0/8`, `::1`): credentials may go there
/// over plain HTTP without [`ClientBuilder::allow_insecure_http`](crate::ClientBuilder).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoCartClient;

    fn config(url: &str, style: RestStyle) -> Config {
        let client = CoCartClient::builder(url)
            .rest_style(style)
            .build()
            .unwrap();
        client.config().clone()
    }

    #[test]
    fn pretty_urls_keep_a_subdirectory_and_drop_wp_json() {
        let c = config("https://shop.example/store/wp-json/", RestStyle::Pretty);
        let url = c
            .route_url("cocart/v2/cart", &[("cart_key".into(), "t_1".into())])
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://shop.example/store/wp-json/cocart/v2/cart?cart_key=t_1"
        );
    }

    #[test]
    fn query_param_style_uses_rest_route() {
        let c = config("https://shop.example", RestStyle::QueryParam);
        let url = c
            .route_url("cocart/v2/cart", &[("thumb".into(), "false".into())])
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://shop.example/?rest_route=%2Fcocart%2Fv2%2Fcart&thumb=false"
        );
    }

    #[test]
    fn credentials_need_https_or_loopback_or_opt_in() {
        let ok = |u: &str, allow: bool| {
            CoCartClient::builder(u)
                .allow_insecure_http(allow)
                .build()
                .unwrap()
                .config()
                .check_credentials_transport()
                .is_ok()
        };
        assert!(ok("https://shop.example", false));
        assert!(ok("http://127.0.0.1:8080", false));
        assert!(ok("http://localhost:8080", false));
        assert!(ok("http://[::1]:8080", false));
        assert!(!ok("http://shop.example", false));
        assert!(ok("http://shop.example", true));
    }
}
