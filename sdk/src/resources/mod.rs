//! Resource handles: `client.cart()` and `client.store()`.

mod cart;
mod store;

pub use cart::CartApi;
pub use store::StoreApi;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::transport::ApiResponse;

/// Decodes a 2xx body into `T`, keeping the raw body when it does not fit.
pub(crate) fn decode<T: DeserializeOwned>(resp: ApiResponse) -> Result<T> {
    serde_json::from_value::<T>(resp.body.clone()).map_err(|e| Error::InvalidResponse {
        status: resp.status,
        reason: format!("unexpected shape: {e}"),
        raw: resp.body.to_string(),
    })
}
