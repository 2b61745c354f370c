//! The shop's data: the catalogue and the stored carts. A leaf of the state: it knows nothing of
//! the server around it.

use super::{catalogue, session};
use crate::config::MockConfig;
use std::sync::Arc;

/// Catalogue and carts.
#[derive(Debug, Default)]
pub(crate) struct ShopWorld {
    /// The products. Shared with renderers outside the lock; changed copy-on-write.
    pub(crate) catalogue: Arc<catalogue::Catalogue>,
    /// Every stored cart, by cart key.
    pub(crate) carts: session::CartStore,
}

impl ShopWorld {
    /// Seeds the catalogue from the seed document's `products`, `attributes` and `reviews`, or the
    /// built-in catalogue when absent.
    pub(crate) fn seeded(config: &MockConfig) -> Result<Self, crate::MockError> {
        let part = |name: &str| config.seed.as_ref().and_then(|s| s.get(name));
        let catalogue = catalogue::Catalogue::from_document(
            part("products"),
            part("attributes"),
            part("reviews"),
        )?;
        Ok(Self {
            catalogue: Arc::new(catalogue),
            carts: session::CartStore::default(),
        })
    }

    /// Changes a product's stock: `Some(n)` manages stock at `n` (out of stock at 0 or below),
    /// `None` stops managing stock (unlimited, in stock). Returns false for an unknown product.
    /// Carts are left alone: lines stay and every cart read then carries the stock error notice.
    pub(crate) fn set_stock(&mut self, product_id: u64, stock: Option<i64>) -> bool {
        Arc::make_mut(&mut self.catalogue).set_stock(product_id, stock)
    }

    /// The number of carts currently stored (expired ones included until they are read).
    pub(crate) fn stored_carts(&self) -> usize {
        self.carts.len()
    }
}
