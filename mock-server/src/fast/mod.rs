//! Throughput-only machinery, all behind one switch: [`crate::MockConfig::fast_paths`]
//! (builder [`crate::MockServerBuilder::fast_paths`], binary flag `--no-fast-paths`, default from
//! the `COCART_MOCK_FAST_PATHS` environment variable, on unless it says `0`).
//!
//! None of it changes an answer; each is checked against the plain path by the tests, which also
//! run with the switch off. With the switch on:
//!
//! - [`verified`]: a token whose signature was verified is remembered (while the settings stay the
//!   same), and the credentials are read and checked before the world lock is taken;
//! - [`auth_memo`]: a connection remembers what its previous request derived from the same headers
//!   (client IP, User-Agent, token, verified payload);
//! - [`cart_bytes`]: the bytes of a stored cart's default rendering are kept with the cart;
//! - `GET /wp-json/cocart/v2/cart` goes straight to its handler instead of through the router
//!   ([`FastPaths::skips_router`]).
//!
//! With it off, every request takes the plain path: the router, authentication under the world
//! lock with a full signature check ([`crate::auth::authenticate::authenticate()`]), and a full
//! render.
//!
//! The HTTP/1 connection loop in [`crate::server`] is not a fast path: it is how the mock drops a
//! connection for a `drop` fault, limits request heads and closes idle connections.

pub(crate) mod auth_memo;
pub(crate) mod cart_bytes;
pub(crate) mod verified;

use crate::config::MockConfig;
use http::Method;
use verified::TokenCache;

/// `GET` of this path skips the router when fast paths are on.
const CART_ROUTE: &str = "/wp-json/cocart/v2/cart";

/// The switch and the state of the fast paths of one server.
#[derive(Debug)]
pub(crate) struct FastPaths {
    on: bool,
    /// Remembered signature checks and the settings copy. Kept in step with the configuration
    /// also when off (cheap), so that nothing depends on the switch but the paths taken.
    pub(crate) tokens: TokenCache,
    #[cfg(test)]
    pub(crate) counts: Counts,
}

/// What the fast paths did, for tests.
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct Counts {
    /// A fast path answered from something remembered (or skipped the router).
    pub(crate) reused: std::sync::atomic::AtomicU64,
    /// Requests authenticated on the plain path (under the lock, full signature check).
    pub(crate) plain_auth: std::sync::atomic::AtomicU64,
    /// Cart bodies printed.
    pub(crate) renders: std::sync::atomic::AtomicU64,
}

#[cfg(test)]
impl Counts {
    pub(crate) fn get(&self) -> (u64, u64, u64) {
        use std::sync::atomic::Ordering::SeqCst;
        (
            self.reused.load(SeqCst),
            self.plain_auth.load(SeqCst),
            self.renders.load(SeqCst),
        )
    }
}

impl FastPaths {
    /// The switch, with a token cache for the settings of `config`.
    pub(crate) fn new(on: bool, config: &MockConfig) -> Self {
        Self {
            on,
            tokens: TokenCache::new(config),
            #[cfg(test)]
            counts: Counts::default(),
        }
    }

    /// Whether fast paths are on.
    pub(crate) fn on(&self) -> bool {
        self.on
    }

    /// Whether this request goes straight to the `GET /cart` handler (the router would send it
    /// there, with the same inputs).
    pub(crate) fn skips_router(&self, method: &Method, path: &str) -> bool {
        let skip = self.on && method == Method::GET && path == CART_ROUTE;
        if skip {
            self.count_reuse();
        }
        skip
    }

    /// Follows a configuration change: remembered tokens verified with other settings go.
    pub(crate) fn settings_changed(&self, config: &MockConfig) {
        self.tokens.refresh(config);
    }

    /// Counts a fast path taken (tests only).
    pub(crate) fn count_reuse(&self) {
        #[cfg(test)]
        self.counts
            .reused
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Counts a plain-path authentication (tests only).
    pub(crate) fn count_plain_auth(&self) {
        #[cfg(test)]
        self.counts
            .plain_auth
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Counts a cart body printed (tests only).
    pub(crate) fn count_render(&self) {
        #[cfg(test)]
        self.counts
            .renders
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests;
