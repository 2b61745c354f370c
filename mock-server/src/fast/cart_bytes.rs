//! The bytes of a stored cart's default rendering, kept next to the cart (a fast path, used only
//! when the switch is on).
//!
//! A stored cart never changes in place, so bytes printed from it stay right for as long as it
//! is stored. They are reused only for the same cart key, the same catalogue (a stock change
//! makes a new one) and the default options (no `fields`, `thumb` on) with no notices:
//! everything else the body depends on. The caller checks the options and notices.

use crate::shop::catalogue::Catalogue;
use crate::shop::stored::Rendered;
use std::sync::{Arc, OnceLock};

/// The slot a stored cart keeps its rendered bytes in; empty until first printed.
#[derive(Debug, Default)]
pub(crate) struct CartBytes(OnceLock<Arc<Rendered>>);

impl CartBytes {
    /// The kept bytes, when they were printed for this key and this catalogue.
    pub(crate) fn reuse(&self, key: &str, catalogue: &Arc<Catalogue>) -> Option<Arc<Rendered>> {
        self.0
            .get()
            .filter(|r| r.key == key && Arc::ptr_eq(&r.catalogue, catalogue))
            .map(Arc::clone)
    }

    /// Keeps `rendered` when nothing is kept yet (two first readers may race; either's bytes are
    /// the same). Bytes kept for another catalogue stay: the cart's later readers print afresh.
    pub(crate) fn remember(&self, rendered: &Arc<Rendered>) {
        let _ = self.0.set(Arc::clone(rendered));
    }
}
