//! # cocart
//!
//! An async client SDK for headless WooCommerce stores that run **CoCart** with the
//! **CoCart JWT Authentication** plugin.
//!
//! - Logs in with HTTP Basic once, then keeps the JWT and the rotating refresh token.
//! - Refreshes before expiry (local receive time + the token's own lifetime), recovers once from a
//!   rejected token (403 on plugin v3, 401 on v2), and never lets two refreshes race: refresh
//!   tokens are single-use.
//! - Typed cart and catalog operations, guest carts, and the guest-to-customer cart transfer that
//!   keeps the customer's saved lines (the store itself replaces them; see
//!   [`models::TransferPolicy`]).
//! - Secrets never appear in `Debug`, errors or logs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cocart::Error> {
//! use cocart::CoCartClient;
//!
//! let client = CoCartClient::builder("https://shop.example").build()?;
//! let user = client.login("jane@example.com", "correct horse").await?;
//! println!("hello {}", user.display_name);
//! # Ok(()) }
//! ```
//!
//! ## Cargo features
//!
//! - `rustls-tls` (default): TLS through rustls with ring, compiled in; certificates are checked by
//!   the platform's verifier (rustls-platform-verifier): the device's trust on Apple and Android,
//!   the Windows store, and the system CA bundle on Linux (`SSL_CERT_FILE` / `SSL_CERT_DIR`
//!   override where it is read).
//! - `webpki-roots`: rustls trusting only Mozilla's root certificates compiled into the library,
//!   for systems without a certificate store (implies `rustls-tls`).
//! - `native-tls`: TLS through the platform library (OpenSSL on Linux, Security.framework on Apple,
//!   SChannel on Windows) and what it trusts; it wins when `rustls-tls` is enabled too.
//!
//! To trust a test CA, give the builder a `reqwest::Client` that adds it
//! ([`ClientBuilder::http_client`] with `reqwest::ClientBuilder::add_root_certificate`).
//!
//! Without either, [`ClientBuilder::build`] refuses `https://` store URLs.
#![warn(missing_docs)]

// The uniffi component of the core: its enums that the mobile bindings expose (`uniffi` feature).
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod auth;
mod builder;
mod cart_key;
mod client;
pub mod clock;
pub mod codes;
mod config;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod error;
mod exchange;
mod file_lock;
mod inner;
pub mod models;
mod persist;
mod request;
mod resources;
mod response;
mod retry;
mod scrub;
pub mod session_store;
pub mod shared_session;
#[cfg(feature = "simulation")]
#[doc(hidden)]
pub mod simulation;
mod tls;
mod tokens;
mod transport;

/// Entry points for the fuzz targets (`fuzz/`): the parsers of server text that are not public.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    /// The JSON part of a body (PHP notices before it skipped), parsed.
    pub fn json_part(bytes: &[u8]) -> Option<serde_json::Value> {
        crate::response::parse_json_lenient(bytes)
    }

    /// Whether an answer with this status and body rejects the token the request carried.
    pub fn is_token_rejection(status: u16, body: &[u8]) -> bool {
        crate::response::RawResponse {
            status,
            headers: http::HeaderMap::new(),
            bytes: bytes::Bytes::copy_from_slice(body),
        }
        .is_token_rejection()
    }
}

pub use auth::{AuthEvent, AuthEvents, SignOutReason, User};
pub use builder::{ClientBuilder, DEFAULT_USER_AGENT, MIN_REFRESH_LEEWAY, StoreAddress};
pub use client::{CoCartClient, LogoutOutcome, TokenStatus};
pub use codes::RestStyle;
pub use config::is_loopback;
pub use error::{ApiError, ApiErrorKind, Error, Result};
pub use resources::{CartApi, CatalogApi, LoginOutcome};

/// The old name of [`CatalogApi`].
#[deprecated(since = "0.2.0", note = "renamed to `CatalogApi` (`client.catalog()`)")]
pub type StoreApi = CatalogApi;
pub use file_lock::FileLock;
pub use session_store::{
    Consistency, FileStore, MemoryStore, PersistedSession, SessionStore, SessionStoreError, Stored,
};
pub use shared_session::{LockGrant, MemoryLock, SessionLock};
pub use tokens::{AccessToken, RefreshToken};

/// The session store module under its old name.
#[deprecated(since = "0.2.0", note = "renamed to `cocart::session_store`")]
pub mod store {
    pub use crate::session_store::{FileStore, MemoryStore};
    #[allow(deprecated)]
    pub use crate::{StoreError, StoredSession, TokenStore};
}

/// The old name of [`PersistedSession`].
#[deprecated(since = "0.2.0", note = "renamed to `PersistedSession`")]
pub type StoredSession = PersistedSession;

/// The old name of [`SessionStoreError`].
#[deprecated(since = "0.2.0", note = "renamed to `SessionStoreError`")]
pub type StoreError = SessionStoreError;

/// The old name of [`SessionStore`]: every session store is one. Implement [`SessionStore`].
#[deprecated(since = "0.2.0", note = "renamed to `SessionStore`")]
pub trait TokenStore: SessionStore {}

#[allow(deprecated)]
impl<T: SessionStore + ?Sized> TokenStore for T {}
