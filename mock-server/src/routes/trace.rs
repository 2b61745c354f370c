//! What the pipeline hands a store handler about its own request.

use crate::console::lineage::RequestRef;
use crate::ops::journal::TokenNote;

/// What the pipeline hands a handler about its own request: the journal's token note and the
/// request as the console's lineage names it (one request extension).
#[derive(Debug, Clone)]
pub(crate) struct RequestTrace {
    /// Where the handler notes the refresh tokens it saw.
    pub(crate) note: TokenNote,
    /// The request, for the lineage (only on the routes of [`is_lineage_route`]).
    pub(crate) request: Option<RequestRef>,
}

/// The routes whose handlers report to the console's lineage (login, logout, refresh); a
/// request refused for its credentials is reported by the pipeline on any route.
pub(crate) fn is_lineage_route(path: &str) -> bool {
    matches!(
        path,
        "/wp-json/cocart/v2/login"
            | "/wp-json/cocart/v2/logout"
            | "/wp-json/cocart/jwt/refresh-token"
    )
}
