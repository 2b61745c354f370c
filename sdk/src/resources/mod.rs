//! Resource handles: `client.cart()` and `client.catalog()`, and the guest cart transfer.

mod cart;
mod catalog;
mod transfer;
pub(crate) mod transfer_slot;

pub use cart::CartApi;
pub use catalog::CatalogApi;
pub use transfer::LoginOutcome;
pub(crate) use transfer::settle;

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::response::ApiResponse;

/// Decodes a 2xx body into `T` in one pass from the bytes, keeping the raw body when it does
/// not fit.
pub(crate) fn decode<T: DeserializeOwned>(resp: ApiResponse) -> Result<T> {
    resp.decode()
}
