//! Redis key names: no customer identifier and no secret in them.

use sha2::{Digest, Sha256};

/// The keys of one customer's session, lock and refresh mark.
#[derive(Clone, Debug)]
pub(crate) struct CustomerKeys {
    pub(crate) session: String,
    pub(crate) lock: String,
    /// Set by the lock holder just before it presents the refresh token; removed with its
    /// release, or consumed (and reported) by the next holder when its lease lapsed instead.
    pub(crate) refreshing: String,
}

impl CustomerKeys {
    /// `NAMESPACE:{DIGEST}:session`, `NAMESPACE:{DIGEST}:lock` and
    /// `NAMESPACE:{DIGEST}:refreshing`. The braces are a Redis Cluster hash tag: all three keys
    /// land on one slot, so one script may touch several of them. The digest covers the namespace too, so one
    /// customer key names unrelated keys in two namespaces.
    pub(crate) fn new(namespace: &str, customer: &str) -> Self {
        let mut h = Sha256::new();
        h.update((namespace.len() as u64).to_be_bytes());
        h.update(namespace.as_bytes());
        h.update(customer.as_bytes());
        let digest = hex::encode(h.finalize());
        Self {
            session: format!("{namespace}:{{{digest}}}:session"),
            lock: format!("{namespace}:{{{digest}}}:lock"),
            refreshing: format!("{namespace}:{{{digest}}}:refreshing"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_hold_a_digest_not_the_customer_and_share_a_hash_tag() {
        let k = CustomerKeys::new("shop", "jane@example.com");
        assert!(!k.session.contains("jane"), "{}", k.session);
        assert!(k.session.starts_with("shop:{") && k.session.ends_with("}:session"));
        let tag = |s: &str| s[s.find('{').unwrap()..=s.find('}').unwrap()].to_string();
        assert_eq!(tag(&k.session), tag(&k.lock));
        assert_eq!(tag(&k.session), tag(&k.refreshing));
        assert!(k.refreshing.ends_with("}:refreshing"));
        assert_ne!(
            CustomerKeys::new("shop", "a").session,
            CustomerKeys::new("shop", "b").session
        );
        assert_ne!(
            CustomerKeys::new("shop", "a").session.split(':').nth(1),
            CustomerKeys::new("other", "a").session.split(':').nth(1),
            "the namespace is part of the digest"
        );
    }
}
