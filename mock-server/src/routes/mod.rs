//! The router: store routes under `/wp-json/` (and `?rest_route=`), test controls under `/__mock/`,
//! and the request pipeline around them (rewrites, body limit, faults, authentication, rate
//! limit, CoCart headers, journal).

pub(crate) mod body;
pub(crate) mod pipeline;
pub(crate) mod rewrite;
pub(crate) mod trace;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;

pub(crate) use pipeline::{Connection, handle};

/// Builds the routing table: the shop's routes, the auth routes and the test controls. Unknown
/// paths and wrong methods answer 404 `rest_no_route`. The request pipeline
/// ([`pipeline::handle`]) wraps this router; the server drives it per connection.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::shop::routes(&state).reset_fallback())
        .merge(crate::auth::routes())
        .merge(crate::ops::routes())
        .merge(crate::console::routes())
        .method_not_allowed_fallback(|| async { ApiError::no_route() })
        .fallback(|| async { ApiError::no_route() })
        .with_state(state)
}
