//! The connection options every demo takes, and the client they build from them.

use std::fmt;

use clap::Args;
use cocart::clock::OffsetClock;
use cocart::{CoCartClient, Error};

/// Where the store is and who signs in. The password can come from `COCART_PASSWORD` instead of
/// the command line (it then stays out of the shell history).
#[derive(Clone, Args)]
pub struct StoreArgs {
    /// The store's site root, e.g. `https://shop.example` or `http://127.0.0.1:8080`.
    #[arg(long, env = "COCART_STORE_URL")]
    pub store_url: String,
    /// The customer's username or email.
    #[arg(long, env = "COCART_USERNAME")]
    pub username: String,
    /// The customer's password.
    #[arg(long, env = "COCART_PASSWORD", hide_env_values = true)]
    pub password: String,
}

impl fmt::Debug for StoreArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreArgs")
            .field("store_url", &self.store_url)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl StoreArgs {
    /// A client for the store. `clock` is the device clock the SDK measures token lifetimes
    /// with (`OffsetClock::new()` is the system clock).
    pub fn client(&self, clock: OffsetClock) -> Result<CoCartClient, Error> {
        CoCartClient::builder(self.store_url.as_str())
            .clock(clock)
            .build()
    }
}
