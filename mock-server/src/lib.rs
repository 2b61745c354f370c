//! `cocart-mock`: a faithful emulator of a WooCommerce store running **CoCart 4.x** with
//! **CoCart JWT Authentication 3.0.x** (and a selectable v2 profile), plus test controls under
//! `/__mock/` that the real store lacks.
//!
//! It is the independent oracle our SDK is judged against: it shares no code with the SDK and
//! follows the plugins' documented behaviour on its own.
//!
//! The public API is the test contract: [`MockServer`] and its [`MockServerBuilder`], the
//! [`config`] (with the seed document format), [`FaultSpec`]s, the [`JournalEntry`]s, the
//! virtual clock and the intent methods on [`MockServer`] (stock, stored carts, users). Nothing
//! else is public, so the inside can change freely.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cocart_mock::MockError> {
//! let server = cocart_mock::MockServer::start().await?;
//! println!("store at {}", server.base_url());
//! // dropping `server` shuts it down
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod auth;
mod caller;
mod clock;
pub mod config;
mod console;
mod error;
mod fast;
mod headers;
mod ops;
mod params;
mod routes;
pub mod seed;
mod server;
mod shop;
mod state;

pub use config::{ConfigPatch, Environment, HostProfile, MockConfig, PluginVersion, SeedUser};
pub use error::MockError;
pub use ops::faults::{FaultKind, FaultSpec, MAX_DELAY_MS};
pub use ops::journal::{CLIENT_HEADER, JournalEntry, token_fingerprint};
pub use params::MAX_BODY_BYTES;
pub use server::{IDLE_TIMEOUT, MAX_HEADER_BYTES, MAX_HEADERS, MockServer, MockServerBuilder};
