//! CoCart core: the catalogue, carts and the cart/store routes.

use crate::config::MockConfig;
use crate::state::AppState;
use axum::Router;

/// Catalogue and carts.
#[derive(Debug, Default)]
pub struct ShopWorld {}

impl ShopWorld {
    /// Seeds the catalogue.
    pub fn seeded(_config: &MockConfig) -> Result<Self, crate::MockError> {
        Ok(Self::default())
    }
}

/// The cart and store routes (mounted under `/wp-json/cocart/v2`).
pub fn routes() -> Router<AppState> {
    Router::new()
}
