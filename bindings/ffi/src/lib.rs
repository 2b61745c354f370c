//! # cocart-ffi
//!
//! The [`cocart`] SDK for Kotlin (Android, JVM) and Swift (iOS, macOS) through
//! [uniffi](https://mozilla.github.io/uniffi-rs/) proc-macros (no UDL).
//!
//! This crate adapts the core and adds no behaviour of its own:
//! - [`CoCartClient`] wraps `cocart::CoCartClient`; [`CartApi`] and [`CatalogApi`] wrap its
//!   resource handles. Async methods become Swift `async` / Kotlin `suspend` functions.
//! - Every async call runs on one shared tokio runtime owned here ([`runtime`]), so no exported
//!   call, sync or async, ever needs a reactor from the caller's thread.
//! - Values cross as plain records ([`records`]); failures as the small [`CoCartError`] that tells
//!   the app what to do.
//! - The app persists the session through its own [`SessionStore`] (Keychain, Keystore-backed
//!   storage) and hears about sign-in, refresh and sign-out through an [`AuthEventListener`].
// `CoCartError::WriteOutcomeUnknown` carries the re-read cart by value (uniffi errors cannot hold a
// `Box`); an error crosses the FFI once per call, so its size does not matter.
#![allow(clippy::large_enum_variant, clippy::result_large_err)]
#![warn(missing_docs)]

uniffi::setup_scaffolding!();

mod android;
mod cart;
mod catalog;
mod client;
mod config;
mod error;
mod events;
pub mod records;
pub mod runtime;
mod session_store;

pub use cart::CartApi;
pub use catalog::CatalogApi;
pub use client::CoCartClient;
pub use cocart::RestStyle;
pub use cocart::SignOutReason;
pub use cocart::models::{ProductOrderBy, SortOrder, StockStatus};
pub use config::ClientConfig;
pub use error::{CoCartError, ValidationKind};
pub use events::{AuthEvent, AuthEventListener, AuthSubscription, ListenerError};
pub use session_store::{SessionStore, StoreFailure};
