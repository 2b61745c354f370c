//! Stored carts and the memoised bytes of their default rendering.
//!
//! A stored cart is shared by the requests that read it and never changed in place: a change
//! stores a new [`FrozenCart`]. So the bytes of a `GET /cart` answer can be kept next to the cart
//! they were printed from, and are forgotten with it. They are reused only for the same cart key,
//! the same catalogue (a stock change makes a new one) and the default options (no `fields`,
//! `thumb` on) with no notices: everything else the body depends on.

use super::cart::Cart;
use super::cart_view::{self, CartView};
use super::catalogue::Catalogue;
use super::notices::Notices;
use super::render::{CartOpts, Ctx};
use bytes::Bytes;
use http::HeaderValue;
use sha2::{Digest, Sha256};
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// A cart as stored: read through `Deref`, changed only by building a new one.
#[derive(Debug, Default)]
pub struct FrozenCart {
    cart: Cart,
    rendered: OnceLock<Arc<Rendered>>,
}

impl Deref for FrozenCart {
    type Target = Cart;

    fn deref(&self) -> &Cart {
        &self.cart
    }
}

impl FrozenCart {
    /// Freezes `cart` for storing and sharing.
    pub fn new(cart: Cart) -> Arc<Self> {
        Arc::new(Self {
            cart,
            rendered: OnceLock::new(),
        })
    }

    /// The cart, to change: moved out when nobody else shares it, else copied.
    pub fn thaw(this: Arc<Self>) -> Cart {
        match Arc::try_unwrap(this) {
            Ok(frozen) => frozen.cart,
            Err(shared) => shared.cart.clone(),
        }
    }
}

/// The bytes of a rendered cart and what they were rendered for.
#[derive(Debug)]
pub struct Rendered {
    key: String,
    catalogue: Arc<Catalogue>,
    /// The JSON body.
    pub body: Bytes,
    /// The weak ETag of the body, `W/"…"`.
    pub etag: HeaderValue,
}

/// The weak ETag CoCart-style caching answers with: `W/"…"` around the first 16 bytes of
/// SHA-256, in hex.
pub fn etag_of(body: &[u8]) -> HeaderValue {
    let tag = format!("W/\"{}\"", hex::encode(&Sha256::digest(body)[..16]));
    // Hex between `W/"` and `"` is always a valid header value.
    HeaderValue::from_maybe_shared(Bytes::from(tag))
        .unwrap_or_else(|_| HeaderValue::from_static("W/\"\""))
}

/// What a cart answer is printed from.
pub struct CartRequest<'a> {
    /// The catalogue and site URL.
    pub ctx: &'a Ctx<'a>,
    /// The shared catalogue (the same as `ctx.cat`), to tell whether it changed.
    pub catalogue: &'a Arc<Catalogue>,
    /// The cart key.
    pub key: &'a str,
    /// The cart.
    pub cart: &'a FrozenCart,
    /// This request's notices.
    pub notices: &'a Notices,
    /// `fields` and `thumb`.
    pub opts: &'a CartOpts,
}

impl CartRequest<'_> {
    fn is_default(&self) -> bool {
        self.opts.fields.is_none() && self.opts.thumb && self.notices.is_empty()
    }

    fn render(&self) -> Vec<u8> {
        let view = CartView::new(self.ctx, self.key, self.cart, self.notices, self.opts);
        cart_view::to_bytes(&view, cart_view::cart_size_hint(self.cart))
    }

    /// The body and ETag: the memoised ones when they were printed for exactly this, else
    /// printed now (and memoised when this is the cart's first default rendering).
    pub fn body(&self) -> Arc<Rendered> {
        if !self.is_default() {
            return Arc::new(self.fresh(self.render()));
        }
        if let Some(r) = self.cart.rendered.get() {
            if r.key == self.key && Arc::ptr_eq(&r.catalogue, self.catalogue) {
                return Arc::clone(r);
            }
            // Rendered for another catalogue: the cart's memo stays; print afresh.
            return Arc::new(self.fresh(self.render()));
        }
        let rendered = Arc::new(self.fresh(self.render()));
        // Two first readers may race; either's bytes are the same.
        let _ = self.cart.rendered.set(Arc::clone(&rendered));
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
            .body()
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

    #[test]
    fn thawing_moves_or_copies() {
        let frozen = cart();
        let other = Arc::clone(&frozen);
        let copy = FrozenCart::thaw(frozen);
        assert_eq!(&copy, other.deref().deref());
        assert_eq!(FrozenCart::thaw(other).lines.len(), 1);
    }
}
