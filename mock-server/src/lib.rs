//! `cocart-mock`: a spec-faithful emulator of a WooCommerce store running **CoCart 4.x** with
//! **CoCart JWT Authentication 3.0.x** (and a selectable v2 profile), plus test controls under
//! `/__mock/` that the real store lacks.
//!
//! It is the independent oracle our SDK is judged against: it shares no code with the SDK and
//! follows `shared/spec/jwt-contract.md` and `shared/spec/cart-api.md` on its own.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cocart_mock::MockError> {
//! let server = cocart_mock::MockServer::start().await?;
//! println!("store at {}", server.base_url());
//! // dropping `server` shuts it down
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod auth;
pub mod clock;
pub mod config;
pub mod error;
pub mod ops;
pub mod params;
pub mod routes;
pub mod server;
pub mod shop;
pub mod state;

pub use clock::Clock;
pub use config::{ConfigPatch, Environment, HostProfile, MockConfig, PluginVersion, SeedUser};
pub use error::{ApiError, MockError};
pub use ops::{FaultKind, FaultSpec, JournalEntry};
pub use server::{MockServer, MockServerBuilder};
