//! Redis key names: no customer identifier and no secret in them.
//!
//! The customer part of a key name is `HMAC-SHA256(secret, namespace, customer)` with a
//! [`KeyNameSecret`] of the application's, so a leaked list of key names cannot be matched
//! against a dictionary of customer ids or emails. The unkeyed names of 0.3 (a plain SHA-256 of
//! the same input) stay readable for the migration (see [`crate::migration`]).

use std::fmt;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};

use crate::cipher::{KeyError, key_bytes};

/// The secret that makes Redis key names private: the customer part of every key name is a
/// keyed hash (HMAC-SHA256) of the namespace and the customer key under it. Keep it apart from
/// the [`EncryptionKey`](crate::EncryptionKey) (connecting refuses the same bytes for both) and
/// give every process that shares the sessions the same one: a process with another secret
/// looks for its customers under other names.
///
/// Its `Debug` shows nothing of it.
pub struct KeyNameSecret {
    bytes: SecretBox<[u8; 32]>,
}

impl fmt::Debug for KeyNameSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyNameSecret([redacted])")
    }
}

impl Clone for KeyNameSecret {
    fn clone(&self) -> Self {
        Self::from_bytes(*self.bytes.expose_secret())
    }
}

impl KeyNameSecret {
    /// A secret from 32 bytes (from your secret manager).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            bytes: SecretBox::new(Box::new(bytes)),
        }
    }

    /// A secret from its standard base64 text (e.g. `openssl rand -base64 32`).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        key_bytes(text).map(Self::from_bytes)
    }

    pub(crate) fn same_bytes(&self, other: &[u8; 32]) -> bool {
        self.bytes.expose_secret() == other
    }

    pub(crate) fn same_as(&self, other: &KeyNameSecret) -> bool {
        self.same_bytes(other.bytes.expose_secret())
    }
}

/// How the customer part of key names is made.
#[derive(Clone, Debug)]
pub(crate) enum Naming {
    /// `SHA-256(namespace, customer)`: the names of 0.3, guessable from a customer id.
    Unkeyed,
    /// `HMAC-SHA256(secret, namespace, customer)`.
    Keyed(KeyNameSecret),
}

impl Naming {
    /// The keys of `customer` in `namespace`.
    pub(crate) fn keys(&self, namespace: &str, customer: &str) -> CustomerKeys {
        let digest = match self {
            Self::Unkeyed => {
                let mut h = Sha256::new();
                h.update((namespace.len() as u64).to_be_bytes());
                h.update(namespace.as_bytes());
                h.update(customer.as_bytes());
                hex::encode(h.finalize())
            }
            Self::Keyed(secret) => {
                // HMAC pads a key shorter than the hash's 64-byte block with zeros, so the
                // padded block is the same key (and this constructor cannot fail).
                let mut block = [0u8; 64];
                block[..32].copy_from_slice(secret.bytes.expose_secret());
                let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
                mac.update((namespace.len() as u64).to_be_bytes().as_slice());
                mac.update(namespace.as_bytes());
                mac.update(customer.as_bytes());
                format!("k1.{}", hex::encode(mac.finalize().into_bytes()))
            }
        };
        CustomerKeys::with_digest(namespace, &digest)
    }
}

/// The keys of one customer's session, lock and refresh mark.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// land on one slot, so one script may touch several of them. The digest covers the namespace
    /// too, so one customer key names unrelated keys in two namespaces. Keyed digests start with
    /// `k1.`, so the two kinds of names are told apart at a glance (`SCAN` progress of a
    /// migration).
    fn with_digest(namespace: &str, digest: &str) -> Self {
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
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    fn keyed(byte: u8) -> Naming {
        Naming::Keyed(KeyNameSecret::from_bytes([byte; 32]))
    }

    #[test]
    fn key_names_hold_a_digest_not_the_customer_and_share_a_hash_tag() {
        for naming in [Naming::Unkeyed, keyed(7)] {
            let k = naming.keys("shop", "jane@example.com");
            assert!(!k.session.contains("jane"), "{}", k.session);
            assert!(k.session.starts_with("shop:{") && k.session.ends_with("}:session"));
            let tag = |s: &str| s[s.find('{').unwrap()..=s.find('}').unwrap()].to_string();
            assert_eq!(tag(&k.session), tag(&k.lock));
            assert_eq!(tag(&k.session), tag(&k.refreshing));
            assert!(k.refreshing.ends_with("}:refreshing"));
            assert_ne!(
                naming.keys("shop", "a").session,
                naming.keys("shop", "b").session
            );
            assert_ne!(
                naming.keys("shop", "a").session.split(':').nth(1),
                naming.keys("other", "a").session.split(':').nth(1),
                "the namespace is part of the digest"
            );
        }
    }

    #[test]
    fn keyed_names_depend_on_the_secret_and_cannot_be_computed_without_it() {
        let customer = "jane@example.com";
        let unkeyed = Naming::Unkeyed.keys("shop", customer).session;
        let a = keyed(1).keys("shop", customer).session;
        let b = keyed(2).keys("shop", customer).session;
        assert_ne!(a, b, "another secret, other names");
        assert_ne!(a, unkeyed);
        assert!(a.starts_with("shop:{k1."), "{a}");
        assert!(!unkeyed.contains("k1."), "{unkeyed}");
        // The unkeyed name is what anybody with the customer id computes; the keyed one is not.
        let mut h = Sha256::new();
        h.update(4u64.to_be_bytes());
        h.update(b"shop");
        h.update(customer.as_bytes());
        let guessed = hex::encode(h.finalize());
        assert!(unkeyed.contains(&guessed));
        assert!(!a.contains(&guessed));
        // Stable for a given secret: every process finds the same keys.
        assert_eq!(a, keyed(1).keys("shop", customer).session);
    }

    #[test]
    fn the_padded_key_block_is_the_hmac_of_the_secret() {
        let secret = [0x5a; 32];
        let mut plain = <Hmac<Sha256> as Mac>::new_from_slice(&secret).unwrap();
        plain.update(&4u64.to_be_bytes());
        plain.update(b"shopjane");
        let expected = format!("k1.{}", hex::encode(plain.finalize().into_bytes()));
        let k = keyed(0x5a).keys("shop", "jane");
        assert!(k.session.contains(&expected), "{} vs {expected}", k.session);
    }

    #[test]
    fn a_secret_reads_from_base64_and_never_shows() {
        let text = STANDARD.encode([9u8; 32]);
        let secret = KeyNameSecret::from_base64(&text).unwrap();
        assert!(secret.same_bytes(&[9u8; 32]));
        assert_eq!(format!("{secret:?}"), "KeyNameSecret([redacted])");
        assert_eq!(
            KeyNameSecret::from_base64("not base64!").unwrap_err(),
            KeyError::NotBase64
        );
        assert_eq!(
            KeyNameSecret::from_base64(&STANDARD.encode([1u8; 16])).unwrap_err(),
            KeyError::WrongLength(16)
        );
    }
}
