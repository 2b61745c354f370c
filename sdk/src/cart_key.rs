//! The guest cart key: learned from cart answers, sent while a guest, and dropped once the
//! guest cart has been transferred to the customer.
//!
//! CoCart names a guest's cart by a key it returns in the body (`cart_key`) and in the
//! `CoCart-API-Cart-Key` header. A guest sends it back as `cart_key`; after a login the key is
//! sent once more, on the transfer call, whose answer is keyed by the user id.

use std::sync::Arc;

use crate::inner::Inner;
use crate::request::CART_KEY_HEADER;

/// The key a cart answer names: the body's first, then the header's (never empty or `"0"`).
pub(crate) fn answered_key(from_body: Option<String>, headers: &http::HeaderMap) -> Option<String> {
    from_body.or_else(|| {
        headers
            .get(CART_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|s| !s.is_empty() && *s != "0")
            .map(str::to_string)
    })
}

/// What the client's cart key becomes after an answer keyed `answered`: `Some(new)` when it
/// changes, `None` when it stays.
///
/// - As a guest (no session), the answered key becomes the key to send.
/// - As a customer, an answer keyed by the user's id while a guest key waits means the transfer is
///   done: the key is dropped.
pub(crate) fn next_cart_key(
    current: Option<&str>,
    answered: &str,
    signed_in: bool,
    user_id: Option<u64>,
    as_user: bool,
) -> Option<Option<String>> {
    if as_user {
        let is_user_key = user_id.is_some_and(|id| id.to_string() == answered);
        (is_user_key && current.is_some()).then_some(None)
    } else if signed_in || current == Some(answered) {
        None
    } else {
        Some(Some(answered.to_string()))
    }
}

impl Inner {
    /// The cart key to send on a cart route: the guest key while a guest, or the guest key that
    /// still has to be transferred after a login.
    pub(crate) fn cart_key_to_send(&self) -> Option<String> {
        self.state().cart_key.clone()
    }

    /// Learns the cart key from a cart answer and persists it before the call returns, so an app
    /// killed right after its first cart call keeps its cart.
    pub(crate) async fn capture_cart_key(
        self: &Arc<Self>,
        from_body: Option<String>,
        headers: &http::HeaderMap,
        as_user: bool,
    ) {
        let Some(answered) = answered_key(from_body, headers) else {
            return;
        };
        let changed = {
            let mut st = self.state();
            let next = next_cart_key(
                st.cart_key.as_deref(),
                &answered,
                st.tokens.is_some(),
                st.user.as_ref().map(|u| u.id),
                as_user,
            );
            match next {
                Some(key) => {
                    st.set_cart_key(key);
                    true
                }
                None => false,
            }
        };
        if changed && let Err(e) = self.persist().await {
            tracing::warn!(error = %e, "could not persist the cart key");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guest_learns_a_new_key_and_keeps_a_known_one() {
        assert_eq!(
            next_cart_key(None, "t_1", false, None, false),
            Some(Some("t_1".into()))
        );
        assert_eq!(next_cart_key(Some("t_1"), "t_1", false, None, false), None);
        assert_eq!(
            next_cart_key(Some("t_1"), "t_2", false, None, false),
            Some(Some("t_2".into()))
        );
    }

    #[test]
    fn a_customer_answer_keyed_by_the_user_completes_the_transfer_once() {
        assert_eq!(
            next_cart_key(Some("t_1"), "7", true, Some(7), true),
            Some(None)
        );
        assert_eq!(next_cart_key(None, "7", true, Some(7), true), None);
        // Another key (the guest key echoed back) does not complete it.
        assert_eq!(next_cart_key(Some("t_1"), "t_1", true, Some(7), true), None);
        // Signed in but the answer came without credentials: nothing is learned.
        assert_eq!(
            next_cart_key(Some("t_1"), "t_9", true, Some(7), false),
            None
        );
    }

    #[test]
    fn the_body_key_wins_over_the_header_and_empty_or_zero_headers_are_ignored() {
        let mut headers = http::HeaderMap::new();
        headers.insert("CoCart-API-Cart-Key", "t_h".parse().unwrap());
        assert_eq!(
            answered_key(Some("t_b".into()), &headers).as_deref(),
            Some("t_b")
        );
        assert_eq!(answered_key(None, &headers).as_deref(), Some("t_h"));
        headers.insert("CoCart-API-Cart-Key", "0".parse().unwrap());
        assert_eq!(answered_key(None, &headers), None);
    }
}
