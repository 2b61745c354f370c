//! What the pipeline hands a store handler about its own request.

use crate::console::lineage::RequestRef;
use crate::ops::journal::TokenNote;

/// What the pipeline hands a handler about its own request: the journal's token note and the
/// request as the console's lineage names it (one request extension).
#[derive(Debug, Clone)]
pub(crate) struct RequestTrace {
    /// Where the handler notes the refresh tokens it saw.
    pub(crate) note: TokenNote,
    /// The request, for the lineage.
    pub(crate) request: RequestRef,
}
