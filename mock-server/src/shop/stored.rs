//! Stored carts, and the rendering of a cart answer (body and ETag).
//!
//! A stored cart is shared by the requests that read it and never changed in place: a change
//! stores a new [`FrozenCart`]. With fast paths on, the bytes of its default rendering are kept
//! next to it ([`crate::fast::cart_bytes`]) and forgotten with it.

use super::cart::Cart;
use super::cart_view::{self, CartView};
use super::catalogue::Catalogue;
use super::notices::Notices;
use super::render::{CartOpts, Ctx};
use crate::fast::FastPaths;
use crate::fast::cart_bytes::CartBytes;
use bytes::Bytes;
use http::HeaderValue;
use sha2::{Digest, Sha256};
use std::ops::Deref;
use std::sync::Arc;

/// A cart as stored: read through `Deref`, changed only by building a new one.
#[derive(Debug, Default)]
pub(crate) struct FrozenCart {
    cart: Cart,
    rendered: CartBytes<Rendered>,
}

impl Deref for FrozenCart {
    type Target = Cart;

    fn deref(&self) -> &Cart {
        &self.cart
    }
}

impl FrozenCart {
    /// Freezes `cart` for storing and sharing.
    pub(crate) fn new(cart: Cart) -> Arc<Self> {
        Arc::new(Self {
            cart,
            rendered: CartBytes::default(),
        })
    }
}

/// The bytes of a rendered cart and what they were rendered for.
#[derive(Debug)]
pub(crate) struct Rendered {
    /// The cart key it was rendered for.
    pub(crate) key: String,
    /// The catalogue it was rendered with.
    pub(crate) catalogue: Arc<Catalogue>,
    /// The JSON body.
    pub(crate) body: Bytes,
    /// The weak ETag of the body, `W/"…"`.
    pub(crate) etag: HeaderValue,
}

/// The weak ETag CoCart-style caching answers with: `W/"…"` around the first 16 bytes of
/// SHA-256, in hex.
pub(crate) fn etag_of(body: &[u8]) -> HeaderValue {
    let tag = format!("W/\"{}\"", hex::encode(&Sha256::digest(body)[..16]));
    // Hex between `W/"` and `"` is always a valid header value.
    HeaderValue::from_maybe_shared(Bytes::from(tag))
        .unwrap_or_else(|_| HeaderValue::from_static("W/\"\""))
}

/// What a cart answer is printed from.
pub(crate) struct CartRequest<'a> {
    /// The catalogue and site URL.
    pub(crate) ctx: &'a Ctx<'a>,
    /// The shared catalogue (the same as `ctx.cat`), to tell whether it changed.
    pub(crate) catalogue: &'a Arc<Catalogue>,
    /// The cart key.
    pub(crate) key: &'a str,
    /// The cart.
    pub(crate) cart: &'a FrozenCart,
    /// This request's notices.
    pub(crate) notices: &'a Notices,
    /// `fields` and `thumb`.
    pub(crate) opts: &'a CartOpts,
}

impl CartRequest<'_> {
    fn is_default(&self) -> bool {
        self.opts.fields.is_none() && self.opts.thumb && self.notices.is_empty()
    }

    fn render(&self, fast: &FastPaths) -> Vec<u8> {
        fast.count_render();
        let view = CartView::new(self.ctx, self.key, self.cart, self.notices, self.opts);
        cart_view::to_bytes(&view, cart_view::cart_size_hint(self.cart))
    }

    /// The body and ETag, printed now; with fast paths on, the bytes of the cart's default
    /// rendering are reused when they were printed for exactly this (and kept the first time).
    pub(crate) fn body(&self, fast: &FastPaths) -> Arc<Rendered> {
        let memo = fast.on() && self.is_default();
        let fits = |r: &Rendered| r.key == self.key && Arc::ptr_eq(&r.catalogue, self.catalogue);
        if memo && let Some(r) = self.cart.rendered.reuse(fits) {
            fast.count_reuse();
            return r;
        }
        let rendered = Arc::new(self.fresh(self.render(fast)));
        if memo {
            self.cart.rendered.remember(&rendered);
        }
        rendered
    }

    fn fresh(&self, body: Vec<u8>) -> Rendered {
        Rendered {
            key: self.key.to_string(),
            catalogue: Arc::clone(self.catalogue),
            etag: etag_of(&body),
            body: Bytes::from(body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shop::cart::Line;

    fn cart() -> Arc<FrozenCart> {
        let mut c = Cart::default();
        c.add(Line {
            key: "k101".into(),
            product_id: 101,
            variation_id: 0,
            variation: Default::default(),
            item_data: Default::default(),
            quantity: 2.0,
        });
        FrozenCart::new(c)
    }

    #[test]
    fn default_renderings_are_reused_only_for_the_same_key_and_catalogue() {
        let mut cat = Arc::new(Catalogue::builtin().unwrap());
        let frozen = cart();
        let none = Notices::default();
        let opts = CartOpts::new(None, true);
        let fast = FastPaths::new(true, &crate::config::MockConfig::default());
        let body = |cat: &Arc<Catalogue>, key: &str, opts: &CartOpts, notices: &Notices| {
            let ctx = Ctx {
                cat,
                site_url: "http://127.0.0.1:1",
            };
            CartRequest {
                ctx: &ctx,
                catalogue: cat,
                key,
                cart: &frozen,
                notices,
                opts,
            }
            .body(&fast)
        };
        let first = body(&cat, "7", &opts, &none);
        let again = body(&cat, "7", &opts, &none);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.etag, etag_of(&first.body));
        assert_eq!(first.etag.len(), 36);
        assert!(first.etag.to_str().unwrap().starts_with("W/\""));

        let other_key = body(&cat, "8", &opts, &none);
        assert!(!Arc::ptr_eq(&first, &other_key));
        assert_ne!(first.body, other_key.body);

        let thumbless = body(&cat, "7", &CartOpts::new(None, false), &none);
        assert!(!Arc::ptr_eq(&first, &thumbless));
        let mut notices = Notices::default();
        notices.success("added");
        let noticed = body(&cat, "7", &opts, &notices);
        assert!(!Arc::ptr_eq(&first, &noticed));
        assert_ne!(first.body, noticed.body);

        // A stock change makes a new catalogue: the vinyl-free cart prints the same bytes, but
        // not from the memo; a cart under the new stock shows the change.
        let shared = Arc::clone(&cat);
        assert!(Arc::make_mut(&mut cat).set_stock(101, Some(0)));
        assert!(!Arc::ptr_eq(&cat, &shared));
        let restocked = body(&cat, "7", &opts, &none);
        assert!(!Arc::ptr_eq(&first, &restocked));
        assert_ne!(first.body, restocked.body);
    }
}
