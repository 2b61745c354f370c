//! The raw prober `cocart doctor` shares with `cocart-mock verify` (it lives in
//! `cocart-contract`): one request, one answer as the store sends it, no redirects followed, a
//! capped body. The SDK deliberately offers no way to send a malformed credential, so the doctor
//! talks to the store through it.

use std::time::Duration;

use cocart::RestStyle;
pub use cocart_contract::probe::{
    Answer, BOGUS_JWT, Prober, RateHeaders, RouteStyle, parse_http_date,
};
use url::Url;

/// The User-Agent of the doctor's probes.
pub const USER_AGENT: &str = concat!("cocart-doctor/", env!("CARGO_PKG_VERSION"));

/// A prober for the site root `site`.
pub fn prober(site: Url, timeout: Duration) -> Result<Prober, String> {
    Prober::new(site, timeout, USER_AGENT)
}

/// The SDK's name for a route style.
pub fn rest_style(style: RouteStyle) -> RestStyle {
    match style {
        RouteStyle::Pretty => RestStyle::Pretty,
        RouteStyle::Query => RestStyle::QueryParam,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prober_and_the_sdk_build_the_same_route_urls() {
        let site = Url::parse("https://shop.example/store/").unwrap();
        let p = prober(site.clone(), Duration::from_secs(5)).unwrap();
        for style in [RouteStyle::Pretty, RouteStyle::Query] {
            assert_eq!(
                p.url_in("cocart/v2/store", style),
                cocart::codes::routes::url(&site, rest_style(style), "cocart/v2/store"),
                "{style:?}"
            );
        }
    }
}
