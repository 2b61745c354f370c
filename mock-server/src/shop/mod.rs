//! CoCart core: the catalogue, carts and the cart/store routes.
//!
//! Layout, one concern per module:
//! - [`catalogue`]: the seeded products (and the seed's `products` schema);
//! - [`facets`]: global attributes and their terms, brands and reviews (and their seed schema);
//! - [`cart`]: the cart model (lines, removed lines, customer) and line keys;
//! - [`keys`]: cart-key sanitising and new guest keys;
//! - [`stored`]: stored (frozen) carts and the rendering of a cart answer;
//! - [`session`]: which cart a request gets (key, user, transfer, expiry) and where carts live;
//! - [`notices`]: the per-request WooCommerce notices;
//! - [`money`]: number and money formatting;
//! - [`cart_view`]: the JSON shapes of carts, items and raw totals, serialised without a tree;
//! - [`render`]: request options, cart sums and the JSON shape of products;
//! - [`schema`]: WordPress-style parameter type checks;
//! - [`rules`]: the quantity, limit, stock and contact-format checks the cart operations share;
//! - [`add`], [`update`]: the cart operations;
//! - [`cart_routes`], [`store_routes`], [`catalogue_routes`]: the HTTP handlers.

// `ApiError` (owned by `crate::error`) is large by design: every handler returns it by value.
#![allow(clippy::result_large_err)]

pub(crate) mod add;
pub(crate) mod cart;
pub(crate) mod cart_routes;
pub(crate) mod cart_view;
pub(crate) mod catalogue;
pub(crate) mod catalogue_routes;
pub(crate) mod facets;
pub(crate) mod keys;
pub(crate) mod money;
pub(crate) mod notices;
pub(crate) mod render;
pub(crate) mod respond;
pub(crate) mod rules;
pub(crate) mod schema;
pub(crate) mod session;
pub(crate) mod slug;
pub(crate) mod store_routes;
pub(crate) mod stored;
pub(crate) mod update;
pub(crate) mod world;

use crate::state::AppState;
use axum::Router;

/// The cart and store routes, with full paths (`/wp-json/cocart/v2/...`). The catalogue routes
/// carry the cache headers of [`catalogue_routes::cache_layer`].
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    let catalogue = store_routes::catalogue_routes()
        .merge(catalogue_routes::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            catalogue_routes::cache_layer,
        ));
    cart_routes::routes()
        .merge(store_routes::routes())
        .merge(catalogue)
}
