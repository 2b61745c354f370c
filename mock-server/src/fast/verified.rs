//! Remembered signature checks (a fast path, used only when the switch is on): the payloads of
//! tokens whose signature was already verified with the current settings, and the settings copy
//! that lets a request be checked without the world lock.
//!
//! Verifying a signature (base64, HMAC-SHA256, a JSON parse) depends only on the token and the
//! secret, so its result is remembered per token for as long as the secret stays the same. What
//! can change without the token changing (expiry against the virtual clock, logout, password
//! changes, rotation, deleted users, the secret itself) is still checked on every request:
//! expiry and issuer before the lock, the rest under the world lock.

use crate::auth::settings::AuthSettings;
use crate::auth::token::{self, Claims, Rejection};
use crate::config::MockConfig;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The most tokens remembered; past it the memory starts over.
const MAX_TOKENS: usize = 4096;

/// A verified token and its payload.
struct Remembered {
    token: Box<str>,
    claims: Arc<Claims>,
}

/// Tokens verified with one set of settings, by signature segment (short to hash; the whole
/// token is compared on lookup).
struct Memory {
    settings: Arc<AuthSettings>,
    tokens: HashMap<Box<str>, Remembered>,
    /// Bumped whenever remembered tokens are forgotten (new settings, or the memory starting
    /// over): what was derived from them under an older generation no longer holds.
    generation: u64,
}

/// The signature segment of a token (after the last `.`).
fn signature_of(token: &str) -> &str {
    token.rsplit_once('.').map_or(token, |(_, sig)| sig)
}

/// The settings copy and the verified tokens. Never holds the world lock; the world lock may be
/// held while calling [`TokenCache::refresh`] (never the other way round).
pub(crate) struct TokenCache {
    memory: RwLock<Memory>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("tokens", &self.read().tokens.len())
            .finish()
    }
}

impl TokenCache {
    /// An empty cache for the settings of `config`.
    pub(crate) fn new(config: &MockConfig) -> Self {
        Self {
            memory: RwLock::new(Memory {
                settings: Arc::new(AuthSettings::of(config)),
                tokens: HashMap::new(),
                generation: 0,
            }),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Memory> {
        self.memory.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Memory> {
        self.memory.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The settings as last seen, and the remembered payload of the token `find` reads from
    /// the request under those settings, if it was verified with them.
    pub(crate) fn lookup<'a>(
        &self,
        find: impl FnOnce(&AuthSettings) -> Option<&'a str>,
    ) -> (Arc<AuthSettings>, Option<Arc<Claims>>) {
        let (settings, _, claims) = self.lookup_generation(find);
        (settings, claims)
    }

    /// [`lookup`](Self::lookup), with the generation of the remembered tokens it read.
    pub(crate) fn lookup_generation<'a>(
        &self,
        find: impl FnOnce(&AuthSettings) -> Option<&'a str>,
    ) -> (Arc<AuthSettings>, u64, Option<Arc<Claims>>) {
        let memory = self.read();
        let claims = find(&memory.settings).and_then(|t| {
            memory
                .tokens
                .get(signature_of(t))
                .filter(|r| *r.token == *t)
                .map(|r| Arc::clone(&r.claims))
        });
        (Arc::clone(&memory.settings), memory.generation, claims)
    }

    /// The settings as last seen and the generation of the remembered tokens.
    pub(crate) fn current(&self) -> (Arc<AuthSettings>, u64) {
        let memory = self.read();
        (Arc::clone(&memory.settings), memory.generation)
    }

    /// Verifies the signature of `token` with `settings` (the secret must be configured), or
    /// returns the remembered result of doing so.
    pub(crate) fn verify(
        &self,
        settings: &Arc<AuthSettings>,
        remembered: Option<Arc<Claims>>,
        token: &str,
        secret: &str,
    ) -> Result<Arc<Claims>, Rejection> {
        if let Some(claims) = remembered {
            return Ok(claims);
        }
        let claims = Arc::new(token::verify_signature(token, secret)?);
        let mut memory = self.write();
        // Only remember what was verified with the settings still in force.
        if Arc::ptr_eq(&memory.settings, settings) {
            if memory.tokens.len() >= MAX_TOKENS {
                memory.tokens.clear();
                memory.generation += 1;
            }
            let remembered = Remembered {
                token: token.into(),
                claims: Arc::clone(&claims),
            };
            memory.tokens.insert(signature_of(token).into(), remembered);
        }
        Ok(claims)
    }

    /// Takes the settings of `config` when they differ from the copy, forgetting every token
    /// verified with the old ones.
    pub(crate) fn refresh(&self, config: &MockConfig) {
        if self.read().settings.matches(config) {
            return;
        }
        let mut memory = self.write();
        if !memory.settings.matches(config) {
            memory.settings = Arc::new(AuthSettings::of(config));
            memory.tokens.clear();
            memory.generation += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::token::{NewClaims, mint};

    fn token(secret: &str) -> String {
        mint(
            secret,
            &NewClaims {
                iss: "http://127.0.0.1:1",
                iat: 100,
                exp: 200,
                user_id: 7,
                username: "jane",
                ip: "127.0.0.1",
                device: "ua",
                pat: Some("pat_1"),
            },
        )
    }

    fn config(secret: &str) -> MockConfig {
        MockConfig {
            secret: Some(secret.into()),
            ..MockConfig::default()
        }
    }

    #[test]
    fn verified_tokens_are_remembered_until_the_settings_change() {
        let cache = TokenCache::new(&config("one"));
        let t = token("one");
        let (settings, remembered) = cache.lookup(|_| Some(&t));
        assert!(remembered.is_none());
        let claims = cache.verify(&settings, None, &t, "one").unwrap();
        assert_eq!(claims.user_id(), Some(7));
        let (settings, remembered) = cache.lookup(|_| Some(&t));
        assert!(remembered.is_some_and(|c| Arc::ptr_eq(&c, &claims)));
        assert!(settings.matches(&config("one")));

        cache.refresh(&config("two"));
        let (settings, remembered) = cache.lookup(|s| s.secret().map(|_| t.as_str()));
        assert!(remembered.is_none());
        assert!(!settings.matches(&config("one")));
        assert_eq!(
            cache.verify(&settings, None, &t, "two").unwrap_err(),
            Rejection::Signature
        );
        assert!(cache.lookup(|_| Some(&t)).1.is_none());
    }

    #[test]
    fn results_verified_with_stale_settings_are_not_remembered() {
        let cache = TokenCache::new(&config("one"));
        let t = token("one");
        let (stale, _) = cache.lookup(|_| None);
        cache.refresh(&config("two"));
        assert!(cache.verify(&stale, None, &t, "one").is_ok());
        assert!(cache.lookup(|_| Some(&t)).1.is_none());
    }

    #[test]
    fn a_token_sharing_a_signature_segment_is_not_taken_for_another() {
        let cache = TokenCache::new(&config("one"));
        let t = token("one");
        let (settings, _) = cache.lookup(|_| None);
        cache.verify(&settings, None, &t, "one").unwrap();
        let (head, sig) = t.rsplit_once('.').unwrap();
        let forged = format!("{head}x.{sig}");
        assert!(cache.lookup(|_| Some(&forged)).1.is_none());
        assert!(cache.lookup(|_| Some(&t)).1.is_some());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let settings = AuthSettings::of(&config("hunter2-secret"));
        let cache = TokenCache::new(&config("hunter2-secret"));
        assert!(!format!("{settings:?}{cache:?}").contains("hunter2"));
    }
}
