//! [`ClientConfig`]: the client's settings as one record, turned into a core `ClientBuilder`.

use std::sync::Arc;
use std::time::Duration;

use crate::error::CoCartError;
use crate::records::TransferPolicy;
use crate::session_store::{ForeignTokenStore, SessionStore};

/// Client settings. Only `store_url` is required; every other field has the core's default.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ClientConfig {
    /// The site root, e.g. `https://shop.example` (a trailing `/wp-json` is accepted).
    pub store_url: String,
    /// The User-Agent sent on every request. Tokens are bound to it: keep it stable across
    /// launches and app updates. Default `cocart-rs/<version>`.
    #[uniffi(default = None)]
    pub user_agent: Option<String>,
    /// The deadline of each request in seconds, retries included (default 30).
    #[uniffi(default = None)]
    pub timeout_seconds: Option<i32>,
    /// Connect timeout in seconds (default 10).
    #[uniffi(default = None)]
    pub connect_timeout_seconds: Option<i32>,
    /// Refresh the token when less than this is left, in seconds (default 300, at least 60; at
    /// most half the token's lifetime is used).
    #[uniffi(default = None)]
    pub refresh_leeway_seconds: Option<i32>,
    /// Send credentials in this header instead of `Authorization` (hosts that strip it, with
    /// CoCart's "Authorization Header" setting).
    #[uniffi(default = None)]
    pub auth_header_name: Option<String>,
    /// Allow credentials over plain HTTP to a host that is not loopback. Off by default.
    #[uniffi(default = false)]
    pub allow_insecure_http: bool,
    /// How many times a read (GET) is retried after a transient failure (default 2).
    #[uniffi(default = None)]
    pub read_retries: Option<i32>,
    /// How routes are addressed (default: what the store URL shows, a `?rest_route=` URL being
    /// query-style, else pretty permalinks).
    #[uniffi(default = None)]
    pub rest_style: Option<cocart::RestStyle>,
    /// Also send the guest cart key in the `CoCart-API-Cart-Key` header.
    #[uniffi(default = false)]
    pub send_cart_key_header: bool,
    /// Shifts the client's clock by this many seconds, in step with a mock store's clock (to
    /// make a token look expired). A test hook: builds without the `testing` feature refuse a
    /// value other than 0 (the field is there in every build, so the record has one layout).
    #[uniffi(default = 0)]
    pub clock_skew_seconds: i64,
    /// What a login does about the customer's saved cart when a guest cart is transferred
    /// (default keep-both: the saved lines the store drops are added back).
    #[uniffi(default = None)]
    pub transfer_policy: Option<TransferPolicy>,
    /// A client that acts for a customer only: once the session ended, cart calls throw
    /// `SessionExpired` (with the reason) or `NotSignedIn` instead of starting a guest cart.
    #[uniffi(default = false)]
    pub customer_only: bool,
}

/// A number of the configuration, which the app gives as a Kotlin `Int` / Swift `Int32`: not
/// negative.
fn config_number(name: &str, value: i32) -> Result<u64, CoCartError> {
    u64::try_from(value).map_err(|_| CoCartError::InvalidConfig {
        detail: format!("{name} must not be negative (got {value})"),
    })
}

impl ClientConfig {
    /// Builds the core client. Must run inside the shared runtime's context.
    pub(crate) fn build(
        self,
        session_store: Option<Arc<dyn SessionStore>>,
    ) -> Result<cocart::CoCartClient, CoCartError> {
        let https = self
            .store_url
            .trim_start()
            .get(..6)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https:"));
        if https && !crate::android::trust_ready() {
            return Err(CoCartError::from(cocart::Error::Config(
                "call AndroidTrust.init(context) before building a client for an https store"
                    .into(),
            )));
        }
        let mut b = cocart::CoCartClient::builder(self.store_url);
        if let Some(ua) = self.user_agent {
            b = b.user_agent(ua);
        }
        if let Some(s) = self.timeout_seconds {
            b = b.timeout(Duration::from_secs(config_number("timeout_seconds", s)?));
        }
        if let Some(s) = self.connect_timeout_seconds {
            b = b.connect_timeout(Duration::from_secs(config_number(
                "connect_timeout_seconds",
                s,
            )?));
        }
        if let Some(s) = self.refresh_leeway_seconds {
            b = b.refresh_leeway(Duration::from_secs(config_number(
                "refresh_leeway_seconds",
                s,
            )?));
        }
        if let Some(name) = self.auth_header_name {
            b = b.auth_header_name(name);
        }
        if let Some(n) = self.read_retries {
            b = b
                .read_retries(u32::try_from(config_number("read_retries", n)?).unwrap_or(u32::MAX));
        }
        if let Some(style) = self.rest_style {
            b = b.rest_style(style);
        }
        b = b
            .allow_insecure_http(self.allow_insecure_http)
            .send_cart_key_header(self.send_cart_key_header);
        if let Some(policy) = self.transfer_policy {
            b = b.transfer_policy(policy.into());
        }
        b = b.customer_only(self.customer_only);
        if self.clock_skew_seconds != 0 {
            if !cfg!(feature = "testing") {
                return Err(CoCartError::from(cocart::Error::Config(
                    "clock_skew_seconds is a test hook: this build does not take it".into(),
                )));
            }
            let clock = cocart::clock::OffsetClock::new();
            clock.advance(self.clock_skew_seconds);
            b = b.clock(clock);
        }
        if let Some(store) = session_store {
            b = b.session_store(ForeignTokenStore::new(store));
        }
        Ok(b.build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> ClientConfig {
        ClientConfig {
            store_url: url.into(),
            user_agent: None,
            timeout_seconds: None,
            connect_timeout_seconds: None,
            refresh_leeway_seconds: None,
            auth_header_name: None,
            allow_insecure_http: false,
            read_retries: None,
            rest_style: None,
            send_cart_key_header: false,
            clock_skew_seconds: 0,
            transfer_policy: None,
            customer_only: false,
        }
    }

    #[test]
    fn invalid_settings_are_invalid_config() {
        let err = |c: ClientConfig| match c.build(None) {
            Err(e) => e,
            Ok(_) => panic!("expected an error"),
        };
        assert!(matches!(
            err(config("not a url")),
            CoCartError::InvalidConfig { .. }
        ));
        let mut c = config("https://shop.example");
        c.refresh_leeway_seconds = Some(10);
        assert!(matches!(err(c), CoCartError::InvalidConfig { .. }));
        let mut c = config("https://shop.example");
        c.auth_header_name = Some("bad header".into());
        assert!(matches!(err(c), CoCartError::InvalidConfig { .. }));
    }

    #[test]
    fn an_internationalised_host_is_taken_in_its_ascii_form() {
        // The library pins idna's back end without Unicode tables (Cargo.toml): a Unicode host
        // is refused with the way out, its `xn--` form builds.
        match config("https://bücher.example").build(None) {
            Err(CoCartError::InvalidConfig { detail }) => {
                assert!(detail.contains("xn--"), "{detail}")
            }
            Err(e) => panic!("expected InvalidConfig, got {e:?}"),
            Ok(_) => panic!("a Unicode host name was accepted: the Unicode tables are linked in"),
        }
        let client = config("https://xn--bcher-kva.example").build(None).unwrap();
        assert!(!client.is_signed_in());
    }

    #[test]
    fn a_full_config_builds() {
        let mut c = config("https://shop.example/wp-json");
        c.user_agent = Some("ShopApp/1 (Android)".into());
        c.timeout_seconds = Some(20);
        c.rest_style = Some(cocart::RestStyle::QueryParam);
        c.clock_skew_seconds = 3600;
        c.transfer_policy = Some(TransferPolicy::GuestReplaces);
        let client = c.build(None).unwrap();
        assert!(!client.is_signed_in());
    }
}
