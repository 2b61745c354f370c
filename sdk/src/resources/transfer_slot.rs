//! The per-client transfer state the client holds (see `transfer.rs` for the transfer itself).

use std::sync::Mutex;

use crate::models::{CartItem, TransferReport};

/// The account lines read before a transfer, kept until the transfer completes.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) guest_key: String,
    pub(crate) user_id: u64,
    pub(crate) account: Vec<CartItem>,
}

/// Per-client transfer state: one transfer at a time, the account lines of an interrupted
/// transfer, and the last report.
#[derive(Debug, Default)]
pub(crate) struct TransferSlot {
    pub(crate) running: tokio::sync::Mutex<Option<Snapshot>>,
    pub(crate) last: Mutex<Option<TransferReport>>,
}
