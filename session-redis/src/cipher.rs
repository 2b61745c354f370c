//! Optional encryption at rest: XChaCha20-Poly1305 (RustCrypto) with a random 192-bit nonce per
//! save, the key name and revision (and the key's id) as associated data.
//!
//! Two sealed formats are read:
//! - `xc20p2:ID:BASE64(nonce ‖ ciphertext)`, written since 0.3: `ID` names the key that sealed it
//!   (a public label) and is bound into the associated data, so a reader picks that key and a value
//!   whose label was changed does not open;
//! - `xc20p1:BASE64(nonce ‖ ciphertext)`, written by 0.2: no id, so every configured key is tried.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretBox, SecretString};

/// What every sealed value starts with, whatever its format.
const SEALED_MARK: &str = "xc20p";
/// The format written by 0.2: no key id.
const SEALED_V1: &str = "xc20p1:";
/// The format written since 0.3: `xc20p2:ID:BODY`.
const SEALED_V2: &str = "xc20p2:";
const NONCE_LEN: usize = 24;
/// The longest key id.
const MAX_ID_LEN: usize = 32;

/// The id of a key made without one ([`EncryptionKey::from_bytes`], [`EncryptionKey::from_base64`],
/// [`EncryptionKey::generate`]).
pub const DEFAULT_KEY_ID: &str = "default";

/// A 256-bit application key that seals stored sessions, with a short public **id** that is
/// written beside every value it seals, so that a process holding several keys knows which one
/// opens a value (see
/// [`RedisSessionsBuilder::encryption_keys`](crate::RedisSessionsBuilder::encryption_keys)).
///
/// The id is a label, not a secret: 1 to 32 ASCII letters, digits, `.`, `_` or `-`. A key made
/// without one has the id [`DEFAULT_KEY_ID`]. A key keeps its id for as long as values sealed
/// with it may be read: a value sealed under id `A` opens only with a key configured as `A`.
///
/// Its `Debug` shows the id and nothing of the key.
pub struct EncryptionKey {
    id: String,
    bytes: SecretBox<[u8; 32]>,
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
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
    /// A key id must have 1 to 32 ASCII letters, digits, `.`, `_` or `-`. The id is not
    /// repeated (it may be a key pasted in the wrong place).
    #[error("a key id must have 1 to 32 ASCII letters, digits, '.', '_' or '-'")]
    BadId,
}

/// 32 bytes from their standard base64 text (surrounding whitespace ignored).
pub(crate) fn key_bytes(text: &str) -> Result<[u8; 32], KeyError> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|_| KeyError::NotBase64)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::WrongLength(bytes.len()))
}

/// Whether `id` is a valid key id.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl EncryptionKey {
    /// A key from 32 bytes (from your secret manager), with the id [`DEFAULT_KEY_ID`].
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            id: DEFAULT_KEY_ID.to_string(),
            bytes: SecretBox::new(Box::new(bytes)),
        }
    }

    /// A key from its standard base64 text (e.g. `openssl rand -base64 32`), with the id
    /// [`DEFAULT_KEY_ID`].
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        key_bytes(text).map(Self::from_bytes)
    }

    /// A key from its standard base64 text, with the id `id`.
    pub fn from_base64_with_id(id: &str, text: &str) -> Result<Self, KeyError> {
        Self::from_base64(text)?.with_id(id)
    }

    /// A fresh random key, with the id [`DEFAULT_KEY_ID`].
    pub fn generate() -> Self {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&key[..]);
        Self::from_bytes(bytes)
    }

    /// The same key under the id `id` (1 to 32 ASCII letters, digits, `.`, `_` or `-`).
    pub fn with_id(mut self, id: &str) -> Result<Self, KeyError> {
        if !valid_id(id) {
            return Err(KeyError::BadId);
        }
        self.id = id.to_string();
        Ok(self)
    }

    pub(crate) fn secret_bytes(&self) -> &[u8; 32] {
        self.bytes.expose_secret()
    }

    /// The key's id (public).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key as standard base64, to hand to a secret manager (the id is not part of it).
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.bytes.expose_secret()))
    }
}

/// Why a set of keys could not become a [`Cipher`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DuplicateId(pub(crate) String);

/// Seals with one key and opens with every configured one.
pub(crate) struct Cipher {
    /// Every key, by id; the first one seals.
    keys: Vec<(String, XChaCha20Poly1305)>,
}

/// Why a stored value did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// Stored in plain text but this process expects sealed values.
    NotSealed,
    /// Sealed in a format this version does not know (written by a later version).
    UnknownFormat,
    /// Not valid base64, too short, or without a valid key id.
    Malformed,
    /// Sealed under a key id this process has no key for (the id, a public label).
    UnknownKeyId(String),
    /// Does not open: another key under that id, another key name or revision, or changed bytes.
    Rejected,
}

impl OpenError {
    /// Words for [`cocart::SessionStoreError::Corrupt`]: never a secret.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::NotSealed => {
                "the stored session is not encrypted but an encryption key is set".into()
            }
            Self::UnknownFormat => {
                "the session is sealed in a format this version does not read".into()
            }
            Self::Malformed => "the sealed session is malformed".into(),
            Self::UnknownKeyId(id) => {
                format!("sealed with key id '{id}', which this process does not have")
            }
            Self::Rejected => {
                "the sealed session does not open with the configured keys (another key, or moved \
                 or altered)"
                    .into()
            }
        }
    }
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cipher")
            .field("key_ids", &self.key_ids())
            .finish()
    }
}

impl Cipher {
    /// `sealing` seals; it and every key of `others` open. Two different keys under one id are
    /// refused; the same key given twice counts once.
    pub(crate) fn new(
        sealing: EncryptionKey,
        others: impl IntoIterator<Item = EncryptionKey>,
    ) -> Result<Self, DuplicateId> {
        let mut chosen: Vec<EncryptionKey> = vec![sealing];
        for key in others {
            match chosen.iter().find(|k| k.id == key.id) {
                Some(same) if same.bytes.expose_secret() == key.bytes.expose_secret() => {}
                Some(_) => return Err(DuplicateId(key.id)),
                None => chosen.push(key),
            }
        }
        let keys = chosen
            .into_iter()
            .map(|k| {
                let aead = XChaCha20Poly1305::new(k.bytes.expose_secret().into());
                (k.id, aead)
            })
            .collect();
        Ok(Self { keys })
    }

    /// The ids of the keys, the sealing one first.
    pub(crate) fn key_ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }

    fn aad_v1(key_name: &str, revision: u64) -> Vec<u8> {
        format!("{key_name}\n{revision}").into_bytes()
    }

    fn aad_v2(key_name: &str, revision: u64, id: &str) -> Vec<u8> {
        format!("{key_name}\n{revision}\n{id}").into_bytes()
    }

    /// Seals `plain` with the sealing key for the value at `key_name` and `revision`.
    pub(crate) fn seal(&self, key_name: &str, revision: u64, plain: &str) -> Option<String> {
        let (id, aead) = self.keys.first()?;
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = Self::aad_v2(key_name, revision, id);
        let sealed = aead
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
        Some(format!("{SEALED_V2}{id}:{}", STANDARD.encode(out)))
    }

    /// Opens a value sealed (by this version or by 0.2) for `key_name` at `revision`.
    pub(crate) fn open(
        &self,
        key_name: &str,
        revision: u64,
        stored: &str,
    ) -> Result<SecretString, OpenError> {
        if let Some(rest) = stored.strip_prefix(SEALED_V2) {
            let (id, body) = rest.split_once(':').ok_or(OpenError::Malformed)?;
            if !valid_id(id) {
                return Err(OpenError::Malformed);
            }
            let (nonce, sealed) = split_body(body)?;
            let (_, aead) = self
                .keys
                .iter()
                .find(|(k, _)| k == id)
                .ok_or_else(|| OpenError::UnknownKeyId(id.to_string()))?;
            let aad = Self::aad_v2(key_name, revision, id);
            return decrypt(aead, &nonce, &sealed, &aad);
        }
        if let Some(body) = stored.strip_prefix(SEALED_V1) {
            // 0.2 wrote no id: whichever configured key sealed it opens it.
            let (nonce, sealed) = split_body(body)?;
            let aad = Self::aad_v1(key_name, revision);
            return self
                .keys
                .iter()
                .find_map(|(_, aead)| decrypt(aead, &nonce, &sealed, &aad).ok())
                .ok_or(OpenError::Rejected);
        }
        if is_sealed(stored) {
            return Err(OpenError::UnknownFormat);
        }
        Err(OpenError::NotSealed)
    }
}

fn split_body(body: &str) -> Result<(XNonce, Vec<u8>), OpenError> {
    let mut bytes = STANDARD.decode(body).map_err(|_| OpenError::Malformed)?;
    if bytes.len() <= NONCE_LEN {
        return Err(OpenError::Malformed);
    }
    let sealed = bytes.split_off(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| OpenError::Malformed)?;
    Ok((XNonce::from(nonce), sealed))
}

fn decrypt(
    aead: &XChaCha20Poly1305,
    nonce: &XNonce,
    sealed: &[u8],
    aad: &[u8],
) -> Result<SecretString, OpenError> {
    let plain = aead
        .decrypt(nonce, Payload { msg: sealed, aad })
        .map_err(|_| OpenError::Rejected)?;
    String::from_utf8(plain)
        .map(SecretString::from)
        .map_err(|_| OpenError::Rejected)
}

/// Whether a stored value is sealed, in any format (so a process without a key can say so).
pub(crate) fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_MARK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8, id: &str) -> EncryptionKey {
        EncryptionKey::from_bytes([byte; 32]).with_id(id).unwrap()
    }

    fn cipher(keys: Vec<EncryptionKey>) -> Cipher {
        let mut keys = keys.into_iter();
        Cipher::new(keys.next().unwrap(), keys).unwrap()
    }

    fn plain(opened: Result<SecretString, OpenError>) -> Result<String, OpenError> {
        opened.map(|s| s.expose_secret().to_string())
    }

    const NAME: &str = "ns:{a}:session";

    #[test]
    fn a_sealed_value_opens_only_under_its_key_name_revision_and_key() {
        let c = cipher(vec![key(7, "k1")]);
        let sealed = c.seal(NAME, 3, "{\"secret\":1}").unwrap();
        assert!(is_sealed(&sealed));
        assert!(sealed.starts_with("xc20p2:k1:"), "{sealed}");
        assert!(!sealed.contains("secret"));
        assert_eq!(plain(c.open(NAME, 3, &sealed)).unwrap(), "{\"secret\":1}");
        assert_eq!(
            c.open("ns:{b}:session", 3, &sealed).err(),
            Some(OpenError::Rejected)
        );
        assert_eq!(c.open(NAME, 4, &sealed).err(), Some(OpenError::Rejected));
        let other_key_same_id = cipher(vec![key(8, "k1")]);
        assert_eq!(
            other_key_same_id.open(NAME, 3, &sealed).err(),
            Some(OpenError::Rejected)
        );
        assert_eq!(c.open(NAME, 3, "{}").err(), Some(OpenError::NotSealed));
        assert_eq!(
            c.open(NAME, 3, "xc20p1:!!").err(),
            Some(OpenError::Malformed)
        );
        assert_eq!(
            c.open(NAME, 3, "xc20p2:k1:!!").err(),
            Some(OpenError::Malformed)
        );
        assert_eq!(
            c.open(NAME, 3, "xc20p2:no-body").err(),
            Some(OpenError::Malformed)
        );
        assert_eq!(
            c.open(NAME, 3, "xc20p9:k1:AAAA").err(),
            Some(OpenError::UnknownFormat)
        );
    }

    #[test]
    fn rotation_a_reader_with_the_new_and_the_old_key_opens_both_and_seals_with_the_new() {
        let old_writer = cipher(vec![key(1, "k1")]);
        let by_k1 = old_writer.seal(NAME, 5, "one").unwrap();

        let rotated = cipher(vec![key(2, "k2"), key(1, "k1")]);
        assert_eq!(rotated.key_ids(), ["k2", "k1"]);
        assert_eq!(plain(rotated.open(NAME, 5, &by_k1)).unwrap(), "one");
        let by_k2 = rotated.seal(NAME, 6, "two").unwrap();
        assert!(by_k2.starts_with("xc20p2:k2:"), "the first key seals");
        assert_eq!(plain(rotated.open(NAME, 6, &by_k2)).unwrap(), "two");

        // A process not yet given k2 says which key it lacks, and nothing secret.
        let err = old_writer.open(NAME, 6, &by_k2).unwrap_err();
        assert_eq!(err, OpenError::UnknownKeyId("k2".into()));
        assert_eq!(
            err.describe(),
            "sealed with key id 'k2', which this process does not have"
        );
        // Once k1 is retired, its values say so too.
        let retired = cipher(vec![key(2, "k2")]);
        assert_eq!(
            retired.open(NAME, 5, &by_k1).err(),
            Some(OpenError::UnknownKeyId("k1".into()))
        );
    }

    #[test]
    fn a_value_relabelled_with_another_configured_id_or_with_flipped_bytes_is_rejected() {
        let c = cipher(vec![key(2, "k2"), key(1, "k1")]);
        let sealed = c.seal(NAME, 1, "same").unwrap();
        let b = c.seal(NAME, 1, "same").unwrap();
        assert_ne!(sealed, b, "a fresh nonce per save");

        // The header's id is bound into the associated data: relabelling does not open, not
        // even under a configured id.
        let relabelled = sealed.replacen("xc20p2:k2:", "xc20p2:k1:", 1);
        assert_eq!(
            c.open(NAME, 1, &relabelled).err(),
            Some(OpenError::Rejected)
        );
        // The same key under another id does not open it either.
        let same_key_other_id = cipher(vec![key(2, "renamed")]);
        let renamed = sealed.replacen("xc20p2:k2:", "xc20p2:renamed:", 1);
        assert_eq!(
            same_key_other_id.open(NAME, 1, &renamed).err(),
            Some(OpenError::Rejected)
        );

        let body = sealed.strip_prefix("xc20p2:k2:").unwrap();
        let mut raw = STANDARD.decode(body).unwrap();
        for at in [0, NONCE_LEN, raw.len() - 1] {
            raw[at] ^= 1;
            let tampered = format!("xc20p2:k2:{}", STANDARD.encode(&raw));
            assert_eq!(c.open(NAME, 1, &tampered).err(), Some(OpenError::Rejected));
            raw[at] ^= 1;
        }
        assert_eq!(plain(c.open(NAME, 1, &sealed)).unwrap(), "same");
    }

    #[test]
    fn an_unknown_or_invalid_id_in_a_value_is_reported_without_echoing_junk() {
        let c = cipher(vec![key(1, "k1")]);
        let sealed = c.seal(NAME, 1, "x").unwrap();
        let unknown = sealed.replacen("xc20p2:k1:", "xc20p2:k9:", 1);
        assert_eq!(
            c.open(NAME, 1, &unknown).unwrap_err().describe(),
            "sealed with key id 'k9', which this process does not have"
        );
        // An id that is no valid id (a line break, a brace, too long) is never repeated.
        for junk in ["k\n1", "a{b}", &"x".repeat(33), ""] {
            let bad = sealed.replacen("k1", junk, 1);
            assert_eq!(c.open(NAME, 1, &bad).err(), Some(OpenError::Malformed));
        }
    }

    /// Sealed by cocart-redis 0.2 (`Cipher::seal` at d37ce14) with the key `[9; 32]`.
    const SEALED_BY_0_2: &str = "xc20p1:ngCY/fjxbvzyTBVDNDyV8skSwM73dBpV1SZEzFVps92MYkKguZ2y/NNzw471i3w/NsGTR6DkgvwD9/QjetrXzk5SvThRgdMugzsRzNmaGscT2j8tUFyujDM6+ikPFtQjiwd1Yij8IzZ7JvIC/u13wktMLqZWXNyCf2wg+adCN8OjYGBuPB9uhDizLtiiSTuOTv7OaHsJEbsIPBgUGseS7KL/XEhCgVuVFTDIBVVKuInE3hWDDxEekysATQ0XEJLMBuq4sOk=";
    const NAME_0_2: &str = "cocart-v02:{fixture}:session";

    #[test]
    fn values_sealed_by_0_2_open_with_the_key_whatever_its_id_and_wherever_it_is_in_the_list() {
        let legacy = EncryptionKey::from_bytes([9; 32]);
        assert_eq!(legacy.id(), DEFAULT_KEY_ID);
        for c in [
            cipher(vec![EncryptionKey::from_bytes([9; 32])]),
            cipher(vec![key(2, "k2"), key(9, "k1")]),
        ] {
            let opened = plain(c.open(NAME_0_2, 3, SEALED_BY_0_2)).unwrap();
            assert!(opened.contains("refresh-v02"), "{opened}");
            assert_eq!(
                c.open(NAME_0_2, 4, SEALED_BY_0_2).err(),
                Some(OpenError::Rejected),
                "still bound to its revision"
            );
        }
        assert_eq!(
            cipher(vec![key(2, "k2")])
                .open(NAME_0_2, 3, SEALED_BY_0_2)
                .err(),
            Some(OpenError::Rejected)
        );
    }

    #[test]
    fn two_different_keys_under_one_id_are_refused_and_the_same_key_twice_counts_once() {
        let dup = Cipher::new(key(1, "k1"), [key(2, "k1")]).unwrap_err();
        assert_eq!(dup, DuplicateId("k1".into()));
        let same = Cipher::new(key(1, "k1"), [key(2, "k2"), key(1, "k1")]).unwrap();
        assert_eq!(same.key_ids(), ["k1", "k2"]);
        let shown = format!("{same:?}");
        assert!(shown.contains("k2") && !shown.contains("[1, 1"), "{shown}");
    }

    #[test]
    fn keys_read_from_base64_carry_an_id_and_never_show_in_debug() {
        let key = EncryptionKey::generate();
        let text = key.to_base64();
        let back = EncryptionKey::from_base64(text.expose_secret()).unwrap();
        assert_eq!(back.bytes.expose_secret(), key.bytes.expose_secret());
        assert_eq!(back.id(), "default");
        assert_eq!(
            format!("{back:?}"),
            r#"EncryptionKey { id: "default", key: "[redacted]" }"#
        );
        let labelled =
            EncryptionKey::from_base64_with_id("2026-06.a_b", text.expose_secret()).unwrap();
        assert_eq!(labelled.id(), "2026-06.a_b");
        assert!(!format!("{labelled:?}").contains(text.expose_secret()));
        for bad in ["", "a:b", "a b", "é", &"x".repeat(33)] {
            assert_eq!(
                EncryptionKey::from_base64_with_id(bad, text.expose_secret()).err(),
                Some(KeyError::BadId),
                "{bad:?}"
            );
        }
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
