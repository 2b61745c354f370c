//! The bytes of a stored cart's default rendering, kept next to the cart (a fast path, used only
//! when the switch is on).
//!
//! A stored cart never changes in place, so bytes printed from it stay right for as long as it
//! is stored. The caller reuses them only for the same cart key, the same catalogue (a stock
//! change makes a new one) and the default options (no `fields`, `thumb` on) with no notices:
//! everything else the body depends on.

use std::fmt;
use std::sync::{Arc, OnceLock};

/// The slot a stored cart keeps its rendered bytes (`T`) in; empty until first printed.
pub(crate) struct CartBytes<T>(OnceLock<Arc<T>>);

impl<T> Default for CartBytes<T> {
    fn default() -> Self {
        Self(OnceLock::new())
    }
}

impl<T> fmt::Debug for CartBytes<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CartBytes")
            .field("kept", &self.0.get().is_some())
            .finish()
    }
}

impl<T> CartBytes<T> {
    /// The kept bytes, when `fits` says they were printed for this request.
    pub(crate) fn reuse(&self, fits: impl FnOnce(&T) -> bool) -> Option<Arc<T>> {
        self.0.get().filter(|r| fits(r)).map(Arc::clone)
    }

    /// Keeps `rendered` when nothing is kept yet (two first readers may race; either's bytes are
    /// the same). Bytes kept for another catalogue stay: the cart's later readers print afresh.
    pub(crate) fn remember(&self, rendered: &Arc<T>) {
        let _ = self.0.set(Arc::clone(rendered));
    }
}
