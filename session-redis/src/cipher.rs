//! Optional encryption at rest: XChaCha20-Poly1305 (RustCrypto) with a random 192-bit nonce per
//! save, the key name and revision as associated data.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretBox, SecretString};

/// Prefix of a sealed value, so a reader tells sealed from plain JSON (and a later format from
/// this one).
const SEALED_PREFIX: &str = "xc20p1:";
const NONCE_LEN: usize = 24;

/// A 256-bit application key that seals stored sessions. Its `Debug` shows nothing of it.
pub struct EncryptionKey(SecretBox<[u8; 32]>);

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey([redacted])")
    }
}

/// Why an [`EncryptionKey`] could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not standard base64.
    #[error("the encryption key is not base64")]
    NotBase64,
    /// The key does not have 32 bytes.
    #[error("the encryption key must be 32 bytes, got {0}")]
    WrongLength(usize),
}

impl EncryptionKey {
    /// A key from 32 bytes (from your secret manager).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(SecretBox::new(Box::new(bytes)))
    }

    /// A key from its standard base64 text (e.g. `openssl rand -base64 32`).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::NotBase64)?;
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::WrongLength(bytes.len()))?;
        Ok(Self::from_bytes(arr))
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&key[..]);
        Self::from_bytes(bytes)
    }

    /// The key as standard base64, to hand to a secret manager.
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.0.expose_secret()))
    }
}

/// Seals and opens stored values.
pub(crate) struct Cipher(XChaCha20Poly1305);

/// Why a stored value did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// Stored in plain text but this process expects sealed values (or the reverse is handled
    /// by the caller).
    NotSealed,
    /// Not valid base64 or too short.
    Malformed,
    /// Another key, another key name or revision, or changed bytes.
    Rejected,
}

impl OpenError {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::NotSealed => "the stored session is not encrypted but an encryption key is set",
            Self::Malformed => "the sealed session is malformed",
            Self::Rejected => {
                "the sealed session does not open with this key (another key, or moved or altered)"
            }
        }
    }
}

impl Cipher {
    pub(crate) fn new(key: EncryptionKey) -> Self {
        Self(XChaCha20Poly1305::new(key.0.expose_secret().into()))
    }

    fn aad(key_name: &str, revision: u64) -> Vec<u8> {
        format!("{key_name}\n{revision}").into_bytes()
    }

    pub(crate) fn seal(&self, key_name: &str, revision: u64, plain: &str) -> Option<String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = Self::aad(key_name, revision);
        let sealed = self
            .0
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: &aad,
                },
            )
            .ok()?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce[..]);
        out.extend_from_slice(&sealed);
        Some(format!("{SEALED_PREFIX}{}", STANDARD.encode(out)))
    }

    pub(crate) fn open(
        &self,
        key_name: &str,
        revision: u64,
        stored: &str,
    ) -> Result<SecretString, OpenError> {
        let body = stored
            .strip_prefix(SEALED_PREFIX)
            .ok_or(OpenError::NotSealed)?;
        let bytes = STANDARD.decode(body).map_err(|_| OpenError::Malformed)?;
        if bytes.len() <= NONCE_LEN {
            return Err(OpenError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| OpenError::Malformed)?;
        let aad = Self::aad(key_name, revision);
        let plain = self
            .0
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| OpenError::Rejected)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| OpenError::Rejected)
    }
}

/// Whether a stored value is sealed (so a process without the key can say so).
pub(crate) fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> Cipher {
        Cipher::new(EncryptionKey::from_bytes([7; 32]))
    }

    #[test]
    fn a_sealed_value_opens_only_under_its_key_name_revision_and_key() {
        let c = cipher();
        let sealed = c.seal("ns:{a}:session", 3, "{\"secret\":1}").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("secret"));
        assert_eq!(
            c.open("ns:{a}:session", 3, &sealed)
                .unwrap()
                .expose_secret(),
            "{\"secret\":1}"
        );
        assert_eq!(
            c.open("ns:{b}:session", 3, &sealed).err(),
            Some(OpenError::Rejected)
        );
        assert_eq!(
            c.open("ns:{a}:session", 4, &sealed).err(),
            Some(OpenError::Rejected)
        );
        let other = Cipher::new(EncryptionKey::from_bytes([8; 32]));
        assert_eq!(
            other.open("ns:{a}:session", 3, &sealed).err(),
            Some(OpenError::Rejected)
        );
        assert_eq!(
            c.open("ns:{a}:session", 3, "{}").err(),
            Some(OpenError::NotSealed)
        );
        assert_eq!(
            c.open("ns:{a}:session", 3, "xc20p1:!!").err(),
            Some(OpenError::Malformed)
        );
    }

    #[test]
    fn two_seals_of_one_value_differ_and_a_flipped_byte_is_rejected() {
        let c = cipher();
        let a = c.seal("k", 1, "same").unwrap();
        let b = c.seal("k", 1, "same").unwrap();
        assert_ne!(a, b, "a fresh nonce per save");
        let mut raw = STANDARD.decode(&a[SEALED_PREFIX.len()..]).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let tampered = format!("{SEALED_PREFIX}{}", STANDARD.encode(raw));
        assert_eq!(c.open("k", 1, &tampered).err(), Some(OpenError::Rejected));
    }

    #[test]
    fn keys_read_from_base64_and_never_show_in_debug() {
        let key = EncryptionKey::generate();
        let text = key.to_base64();
        let back = EncryptionKey::from_base64(text.expose_secret()).unwrap();
        assert_eq!(back.0.expose_secret(), key.0.expose_secret());
        assert_eq!(format!("{back:?}"), "EncryptionKey([redacted])");
        assert_eq!(
            EncryptionKey::from_base64("not base64!").err(),
            Some(KeyError::NotBase64)
        );
        assert_eq!(
            EncryptionKey::from_base64("AAAA").err(),
            Some(KeyError::WrongLength(3))
        );
    }
}
