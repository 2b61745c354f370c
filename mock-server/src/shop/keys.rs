//! Cart keys: where a request's key comes from, how it is sanitised, and new guest keys.

use crate::params::Params;
use http::{HeaderMap, HeaderName};

/// The cart-key header (wins over the `cart_key` parameter).
pub(crate) const CART_KEY_HEADER: &str = "cocart-api-cart-key";
/// The longest cart key (the session table's column size).
pub(crate) const MAX_KEY_LEN: usize = 42;

/// WordPress `sanitize_key`: ASCII-lowercase, then drop everything outside `[a-z0-9_-]`;
/// cut to [`MAX_KEY_LEN`].
pub(crate) fn sanitize_key(raw: &str) -> String {
    raw.chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .take(MAX_KEY_LEN)
        .collect()
}

/// A new guest key: `t_` followed by 30 lowercase hex characters.
pub(crate) fn new_guest_key() -> String {
    let n: u128 = rand::random();
    let hex = format!("{n:032x}");
    format!("t_{}", &hex[..30])
}

/// The key a request asks for: the `CoCart-API-Cart-Key` header when present, else `cart_key`
/// from the query or form body (never the JSON body). Sanitised; `None` when empty.
pub(crate) fn requested_key(headers: &HeaderMap, params: &Params) -> Option<String> {
    const NAME: HeaderName = HeaderName::from_static(CART_KEY_HEADER);
    let from_header = headers
        .get(NAME)
        .and_then(|v| v.to_str().ok())
        .map(sanitize_key)
        .filter(|k| !k.is_empty());
    from_header.or_else(|| {
        params
            .request_var("cart_key")
            .map(sanitize_key)
            .filter(|k| !k.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitising_lowercases_strips_and_cuts() {
        assert_eq!(sanitize_key("AbC-1_x!é/ "), "abc-1_x");
        assert_eq!(sanitize_key(&"a".repeat(60)).len(), MAX_KEY_LEN);
        assert_eq!(sanitize_key("ÄÖÜ"), "");
    }

    #[test]
    fn guest_keys_have_the_t_prefix() {
        let k = new_guest_key();
        assert_eq!(k.len(), 32);
        assert!(k.starts_with("t_"));
        assert!(
            k[2..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
