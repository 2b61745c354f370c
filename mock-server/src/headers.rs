//! The response headers CoCart adds to its routes, shared by the request pipeline and the cart
//! routes (which set some of them themselves).

use http::HeaderName;

/// The CoCart version the mock reports in `CoCart-Version`.
pub(crate) const COCART_VERSION: &str = "4.9.3";
/// `Cache-Control` on auth-bearing responses.
pub(crate) const NO_CACHE: &str = "no-cache, no-store, must-revalidate, max-age=0, private";
/// `CoCart-Version`.
pub(crate) const VERSION_HEADER: HeaderName = HeaderName::from_static("cocart-version");
/// `CoCart-Timestamp`: now on the virtual clock (also set by the cart routes).
pub(crate) const TIMESTAMP_HEADER: HeaderName = HeaderName::from_static("cocart-timestamp");
