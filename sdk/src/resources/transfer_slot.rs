//! The per-client transfer state the client holds (see `transfer.rs` for the transfer itself).
//! What must outlive the process (the guest key and the customer's lines of a transfer in
//! progress) is in the session state and saved with the session, not here.

use std::sync::Mutex;

use crate::models::TransferReport;

/// Per-client transfer state: one transfer at a time, and the last report.
#[derive(Debug, Default)]
pub(crate) struct TransferSlot {
    /// Held by the transfer task from its first look at the session to its end.
    pub(crate) running: tokio::sync::Mutex<()>,
    pub(crate) last: Mutex<Option<TransferReport>>,
}
