//! Which cart a request gets (`CoCart_Session_Handler::get_requested_cart`), the guest →
//! customer transfer, the forbidden keys, expiry on the virtual clock, and the cart store.

use super::keys;
use super::stored::FrozenCart;
use crate::error::ApiError;
use std::collections::HashMap;
use std::sync::Arc;

const DAY: i64 = 86_400;

/// A stored cart and its lifetimes (Unix seconds on the virtual clock).
#[derive(Debug, Clone)]
pub(crate) struct StoredCart {
    /// The cart. Shared with the renderers of requests in flight; never changed in place.
    pub(crate) cart: Arc<FrozenCart>,
    /// When the cart expires (read as a new empty cart after it).
    pub(crate) expiration: i64,
}

/// The carts, by key.
#[derive(Debug, Default)]
pub(crate) struct CartStore {
    carts: HashMap<String, StoredCart>,
    /// `(customer id, guest key)` of each transfer done, with the customer's cart as it was
    /// before it: a live 4.9.3 store answers the same transfer sent again with that cart.
    transferred: HashMap<(u64, String), Arc<FrozenCart>>,
    /// The latest transfers, for the console: guest key, customer, and the guest cart moved.
    moves: std::collections::VecDeque<Move>,
}

/// A guest cart moved to a customer at a login (kept for the console).
#[derive(Debug, Clone)]
pub(crate) struct Move {
    /// The guest cart key.
    pub(crate) guest_key: String,
    /// The customer it moved to.
    pub(crate) user_id: u64,
    /// The guest cart as it was moved.
    pub(crate) cart: Arc<FrozenCart>,
}

/// The most transfers the console lists.
const MAX_MOVES_LISTED: usize = 1_000;

/// The most transfers remembered; past it the oldest memory is forgotten at random (a mock
/// serving tests never gets near it).
const MAX_TRANSFERS_REMEMBERED: usize = 100_000;

impl CartStore {
    /// How many carts are stored.
    pub(crate) fn len(&self) -> usize {
        self.carts.len()
    }

    /// Whether no cart is stored.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.carts.is_empty()
    }

    /// A stored cart, expired or not.
    #[cfg(test)]
    pub(crate) fn get(&self, key: &str) -> Option<&StoredCart> {
        self.carts.get(key)
    }

    /// The unexpired carts at `now`, by key (for the console; nothing is taken out).
    pub(crate) fn live(&self, now: i64) -> impl Iterator<Item = (&str, &Arc<FrozenCart>)> {
        self.carts
            .iter()
            .filter(move |(_, c)| c.expiration > now)
            .map(|(k, c)| (k.as_str(), &c.cart))
    }

    /// The latest guest-to-customer transfers, oldest first.
    pub(crate) fn moves(&self) -> impl DoubleEndedIterator<Item = &Move> {
        self.moves.iter()
    }

    /// A live (unexpired) cart; an expired one is dropped.
    fn take_live(&mut self, key: &str, now: i64) -> Option<Arc<FrozenCart>> {
        let stored = self.carts.remove(key)?;
        (stored.expiration > now).then_some(stored.cart)
    }
}

/// The cart a request works on.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The cart key (user id for customers).
    pub(crate) key: String,
    /// The authenticated customer, if any.
    pub(crate) user_id: Option<u64>,
    /// The cart as loaded (after any transfer).
    pub(crate) cart: Arc<FrozenCart>,
    /// Whether the cart lives in the store (so it is saved even when empty).
    pub(crate) stored: bool,
}

impl Session {
    /// `(expiring, expiration)` for this session at `now`: guests now + 1 day / now + 2 days,
    /// customers now + 1 day / now + 7 days.
    pub(crate) fn lifetimes(&self, now: i64) -> (i64, i64) {
        match self.user_id {
            Some(_) => (now + DAY, now + 7 * DAY),
            None => (now + DAY, now + 2 * DAY),
        }
    }
}

/// 403 for a guest asking for a registered customer's cart, in the shape and words of the
/// releases that refuse it (4.3.x, 4.7.0, 4.8.0): `wp_send_json_error`. (4.8.3 to 4.9.3 build
/// the error in a hook whose result is ignored and serve the customer's cart instead: a data
/// leak the mock does not copy.)
pub(crate) fn must_authenticate() -> ApiError {
    ApiError::send_json_error(
        403,
        "cocart_must_authenticate_user",
        "Must authenticate customer as the cart key provided is a registered customer.",
    )
}

/// 403 for a customer sending their own id as the cart key, as the releases that refuse it
/// (4.3.x) do: `wp_send_json_error`.
pub(crate) fn already_authenticating() -> ApiError {
    ApiError::send_json_error(
        403,
        "cocart_already_authenticating_user",
        "You are already authenticating as the customer. Cannot set cart key as the user.",
    )
}

/// Loads the cart for a request. `requested` is the sanitised key (header or `cart_key`),
/// `user_id` the authenticated customer, `user_exists` tells registered user ids.
/// Loading takes the cart out of the store; [`save`] puts it back.
pub(crate) fn open(
    store: &mut CartStore,
    user_exists: impl Fn(u64) -> bool,
    user_id: Option<u64>,
    requested: Option<String>,
    now: i64,
) -> Result<Session, ApiError> {
    let names_user = |k: &str| k.parse::<u64>().ok().filter(|id| user_exists(*id));
    match (user_id, requested) {
        (None, Some(key)) => {
            if names_user(&key).is_some() {
                return Err(must_authenticate());
            }
            let cart = store.take_live(&key, now);
            Ok(Session {
                stored: cart.is_some(),
                cart: cart.unwrap_or_default(),
                key,
                user_id: None,
            })
        }
        (None, None) => Ok(Session {
            key: keys::new_guest_key(),
            user_id: None,
            cart: Arc::default(),
            stored: false,
        }),
        (Some(uid), requested) => {
            let own = uid.to_string();
            if let Some(key) = &requested {
                if *key == own {
                    return Err(already_authenticating());
                }
                if names_user(key).is_some() {
                    return Err(must_authenticate());
                }
            }
            let user_cart = store.take_live(&own, now);
            let Some(guest_key) = requested else {
                return Ok(Session {
                    key: own,
                    user_id: Some(uid),
                    stored: user_cart.is_some(),
                    cart: user_cart.unwrap_or_default(),
                });
            };
            let cart = match store.take_live(&guest_key, now) {
                // A live store (CoCart 4.9.3) replaces the customer's cart with the guest cart
                // (lines, removed lines and customer details), with no notice.
                Some(guest) => {
                    if store.transferred.len() >= MAX_TRANSFERS_REMEMBERED
                        && let Some(old) = store.transferred.keys().next().cloned()
                    {
                        store.transferred.remove(&old);
                    }
                    let before = user_cart.unwrap_or_default();
                    if store.moves.len() >= MAX_MOVES_LISTED {
                        store.moves.pop_front();
                    }
                    store.moves.push_back(Move {
                        guest_key: guest_key.clone(),
                        user_id: uid,
                        cart: Arc::clone(&guest),
                    });
                    store.transferred.insert((uid, guest_key), before);
                    Some(guest)
                }
                // The same transfer sent again (its answer lost, a retry): the store answers,
                // and keeps, the customer's cart as it was before the first transfer, so the
                // guest's lines are gone.
                None => match store.transferred.get(&(uid, guest_key)) {
                    Some(before) => Some(Arc::clone(before)),
                    // A guest key that never held a cart leaves the customer's cart alone.
                    None => user_cart,
                },
            };
            Ok(Session {
                key: own,
                user_id: Some(uid),
                stored: cart.is_some(),
                cart: cart.unwrap_or_default(),
            })
        }
    }
}

/// Stores the session's cart with renewed lifetimes when it is already stored or has data.
/// Returns `(expiring, expiration)`.
pub(crate) fn save(
    store: &mut CartStore,
    session: &Session,
    cart: &Arc<FrozenCart>,
    now: i64,
) -> (i64, i64) {
    let (expiring, expiration) = session.lifetimes(now);
    if session.stored || cart.has_data() {
        store.carts.insert(
            session.key.clone(),
            StoredCart {
                cart: Arc::clone(cart),
                expiration,
            },
        );
    }
    (expiring, expiration)
}

#[cfg(test)]
mod tests {
    use super::super::cart::{Cart, Line};
    use super::*;

    fn cart_with(id: u64) -> Arc<FrozenCart> {
        let mut c = Cart::default();
        c.add(Line {
            key: format!("k{id}"),
            product_id: id,
            variation_id: 0,
            variation: Default::default(),
            item_data: Default::default(),
            quantity: 1.0,
        });
        FrozenCart::new(c)
    }

    #[test]
    fn new_guest_carts_are_not_stored_until_they_have_data() {
        let mut store = CartStore::default();
        let s = open(&mut store, |_| false, None, None, 100).unwrap();
        save(&mut store, &s, &s.cart, 100);
        assert!(store.is_empty());
        save(&mut store, &s, &cart_with(1), 100);
        assert_eq!(store.get(&s.key).unwrap().expiration, 100 + 2 * DAY);
    }

    #[test]
    fn expired_carts_read_as_new() {
        let mut store = CartStore::default();
        let s = open(&mut store, |_| false, None, Some("abc".into()), 0).unwrap();
        save(&mut store, &s, &cart_with(1), 0);
        let later = open(&mut store, |_| false, None, Some("abc".into()), 2 * DAY + 1).unwrap();
        assert!(later.cart.is_empty());
        assert!(!later.stored);
    }

    #[test]
    fn forbidden_keys_and_transfer() {
        let mut store = CartStore::default();
        let err = open(&mut store, |id| id == 7, None, Some("7".into()), 0).unwrap_err();
        assert_eq!(err.code, "cocart_must_authenticate_user");
        let err = open(&mut store, |id| id == 7, Some(7), Some("7".into()), 0).unwrap_err();
        assert_eq!(err.code, "cocart_already_authenticating_user");
        let g = open(&mut store, |_| false, None, Some("guest".into()), 0).unwrap();
        save(&mut store, &g, &cart_with(1), 0);
        let s = open(&mut store, |id| id == 7, Some(7), Some("guest".into()), 0).unwrap();
        assert_eq!(s.key, "7");
        assert_eq!(s.cart.lines.len(), 1);
        assert!(store.get("guest").is_none());
    }

    fn product_ids(s: &Session) -> Vec<u64> {
        s.cart.lines.iter().map(|l| l.product_id).collect()
    }

    #[test]
    fn a_transfer_sent_again_puts_back_the_cart_from_before_the_first() {
        let users = |id| id == 7;
        let mut store = CartStore::default();
        let me = open(&mut store, users, Some(7), None, 0).unwrap();
        save(&mut store, &me, &cart_with(2), 0);
        let g = open(&mut store, |_| false, None, Some("guest".into()), 0).unwrap();
        save(&mut store, &g, &cart_with(3), 0);
        let first = open(&mut store, users, Some(7), Some("guest".into()), 0).unwrap();
        assert_eq!(product_ids(&first), [3]);
        save(&mut store, &first, &first.cart.clone(), 0);
        let again = open(&mut store, users, Some(7), Some("guest".into()), 0).unwrap();
        assert_eq!(product_ids(&again), [2], "the guest's line is gone");
        save(&mut store, &again, &again.cart.clone(), 0);
        let after = open(&mut store, users, Some(7), None, 0).unwrap();
        assert_eq!(product_ids(&after), [2], "and it stays gone");
        save(&mut store, &after, &after.cart.clone(), 0);
        // Another guest key that never held a cart changes nothing.
        let other = open(&mut store, users, Some(7), Some("never".into()), 0).unwrap();
        assert_eq!(product_ids(&other), [2]);
    }

    #[test]
    fn a_transfer_sent_again_into_an_empty_account_cart_ends_empty() {
        let users = |id| id == 7;
        let mut store = CartStore::default();
        let g = open(&mut store, |_| false, None, Some("guest".into()), 0).unwrap();
        save(&mut store, &g, &cart_with(3), 0);
        let first = open(&mut store, users, Some(7), Some("guest".into()), 0).unwrap();
        save(&mut store, &first, &first.cart.clone(), 0);
        let again = open(&mut store, users, Some(7), Some("guest".into()), 0).unwrap();
        assert!(again.cart.is_empty());
        save(&mut store, &again, &again.cart.clone(), 0);
        assert!(
            open(&mut store, users, Some(7), None, 0)
                .unwrap()
                .cart
                .is_empty()
        );
    }

    #[test]
    fn the_guest_cart_replaces_the_customer_cart() {
        let mut store = CartStore::default();
        let me = open(&mut store, |id| id == 7, Some(7), None, 0).unwrap();
        save(&mut store, &me, &cart_with(2), 0);
        let g = open(&mut store, |_| false, None, Some("guest".into()), 0).unwrap();
        save(&mut store, &g, &cart_with(3), 0);
        let s = open(&mut store, |id| id == 7, Some(7), Some("guest".into()), 0).unwrap();
        assert_eq!(product_ids(&s), [3], "the customer's line 2 is gone");
        assert!(store.get("guest").is_none());
        save(&mut store, &s, &s.cart.clone(), 0);
        // A guest key that never held a cart leaves the customer's cart alone.
        let again = open(&mut store, |id| id == 7, Some(7), Some("other".into()), 0).unwrap();
        assert_eq!(product_ids(&again), [3]);
    }
}
