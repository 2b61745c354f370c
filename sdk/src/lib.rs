//! # cocart
//!
//! An async client SDK for headless WooCommerce stores that run **CoCart** with the
//! **CoCart JWT Authentication** plugin.
//!
//! - Logs in with HTTP Basic once, then keeps the JWT and the rotating refresh token.
//! - Refreshes before expiry (local receive time + the token's own lifetime), recovers once from
//!   a rejected token (403 on plugin v3, 401 on v2), and never lets two refreshes race: refresh
//!   tokens are single-use.
//! - Typed cart and store operations, guest carts, and the guest-to-customer cart transfer that
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
//! - `rustls-tls` (default): TLS through rustls with ring, compiled in, the same on every
//!   platform.
//! - `native-tls`: TLS through the platform library (OpenSSL on Linux, Security.framework on
//!   Apple, SChannel on Windows).
//!
//! Without either, [`ClientBuilder::build`] refuses `https://` store URLs.
#![warn(missing_docs)]

pub mod auth;
mod client;
pub mod clock;
mod config;
mod error;
pub mod models;
mod resources;
pub mod store;
mod transport;

pub use auth::{AuthEvent, AuthEvents, SignOutReason, User};
pub use client::{CoCartClient, LogoutOutcome, TokenStatus};
pub use config::{ClientBuilder, DEFAULT_USER_AGENT, MIN_REFRESH_LEEWAY, RestStyle};
pub use error::{ApiError, ApiErrorKind, Error, Result};
pub use resources::{CartApi, LoginOutcome, StoreApi};
pub use store::{FileStore, MemoryStore, StoreError, StoredSession, TokenStore};
