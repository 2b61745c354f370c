//! The router: store routes under `/wp-json/` (and `?rest_route=`), test controls under `/__mock/`,
//! and the middleware stack (journal, faults, rate limit, host profile, authentication).

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::shop::routes())
        .fallback(|| async { ApiError::no_route() })
        .with_state(state)
}
