//! The guest → customer cart transfer: the policy and the per-line report.

use super::{Cart, User, hash_map, long};
use crate::error::CoCartError;

/// What a login does about the customer's saved cart when a guest cart is transferred. The store
/// itself replaces the saved cart with the guest cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TransferPolicy {
    /// Keep both (default): read the saved cart before the transfer and add back the lines the
    /// store dropped; on the same product and variation the guest line wins.
    KeepBoth,
    /// The guest cart replaces the saved cart, as the store does (one request fewer).
    GuestReplaces,
}

impl From<TransferPolicy> for cocart::models::TransferPolicy {
    fn from(p: TransferPolicy) -> Self {
        match p {
            TransferPolicy::KeepBoth => Self::KeepBoth,
            TransferPolicy::GuestReplaces => Self::GuestReplaces,
        }
    }
}

impl From<cocart::models::TransferPolicy> for TransferPolicy {
    fn from(p: cocart::models::TransferPolicy) -> Self {
        match p {
            cocart::models::TransferPolicy::GuestReplaces => Self::GuestReplaces,
            _ => Self::KeepBoth,
        }
    }
}

/// Which cart a report line comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TransferLineOrigin {
    /// The guest cart.
    Guest,
    /// The customer's saved cart.
    Account,
}

/// What happened to one line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TransferLineOutcome {
    /// A guest line, now in the customer's cart.
    Moved,
    /// A saved line still in the cart after the transfer.
    Kept,
    /// A saved line for a product and variation the guest cart also holds: the guest's stands.
    GuestLineWins,
    /// A saved line the store dropped and the SDK added back.
    Readded,
    /// A saved line the store dropped and that could not be added back.
    Dropped {
        /// A few words: `out of stock`, `sold individually`, `no longer purchasable`…
        reason: String,
        /// The store's error code, or `network_error` / `timeout` / `server_error`.
        code: String,
        /// The store's message.
        message: String,
    },
}

/// One line of a transfer report.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TransferLine {
    /// Which cart it comes from.
    pub origin: TransferLineOrigin,
    /// Its item key in that cart.
    pub item_key: String,
    /// The product id (the variation id for a variation).
    pub product_id: i64,
    /// The product name.
    pub name: String,
    /// Its quantity in that cart.
    pub quantity: f64,
    /// Variation attributes as the store showed them (label → value).
    pub variation: std::collections::HashMap<String, String>,
    /// What happened to it.
    pub outcome: TransferLineOutcome,
}

/// The result of one guest → customer transfer.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TransferReport {
    /// The policy it ran with.
    pub policy: TransferPolicy,
    /// Whether the saved cart was read first (keep-both).
    pub account_cart_read: bool,
    /// Every line: guest lines first, then saved lines.
    pub lines: Vec<TransferLine>,
    /// One sentence for people, e.g. `moved 1 line from the guest cart; kept 0 lines from your
    /// account cart; re-added 1; could not re-add 'Vintage Poster': out of stock`.
    pub summary: String,
    /// The customer's cart afterwards.
    pub cart: Cart,
}

impl From<cocart::models::TransferReport> for TransferReport {
    fn from(r: cocart::models::TransferReport) -> Self {
        use cocart::models::{LineOrigin, LineOutcome};
        let summary = r.summary();
        let lines = r
            .lines
            .iter()
            .map(|l| TransferLine {
                origin: match l.origin {
                    LineOrigin::Guest => TransferLineOrigin::Guest,
                    LineOrigin::Account => TransferLineOrigin::Account,
                },
                item_key: l.item_key.as_str().to_string(),
                product_id: long(l.product_id),
                name: l.name.clone(),
                quantity: l.quantity,
                variation: hash_map(&l.variation),
                outcome: match &l.outcome {
                    LineOutcome::Moved => TransferLineOutcome::Moved,
                    LineOutcome::Kept => TransferLineOutcome::Kept,
                    LineOutcome::GuestLineWins => TransferLineOutcome::GuestLineWins,
                    LineOutcome::Readded => TransferLineOutcome::Readded,
                    LineOutcome::Dropped(why) => TransferLineOutcome::Dropped {
                        reason: why.reason.clone(),
                        code: why.code.clone(),
                        message: why.message.clone(),
                    },
                    _ => TransferLineOutcome::Dropped {
                        reason: "unknown".into(),
                        code: "unknown".into(),
                        message: String::new(),
                    },
                },
            })
            .collect();
        Self {
            policy: r.policy.into(),
            account_cart_read: r.account_cart_read,
            lines,
            summary,
            cart: Cart::from(r.cart),
        }
    }
}

/// What `login_with_report()` achieved. The login itself succeeded.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LoginResult {
    /// Who signed in.
    pub user: User,
    /// The guest cart transfer, when one awaited and it completed.
    pub transfer: Option<TransferReport>,
    /// Why the transfer did not complete (the next cart call retries it), typed like the
    /// errors the calls throw (`Network`, `Timeout`, `Server`…).
    pub transfer_error: Option<CoCartError>,
}

impl From<cocart::LoginOutcome> for LoginResult {
    fn from(o: cocart::LoginOutcome) -> Self {
        Self {
            user: User::from(o.user),
            transfer: o.transfer.map(TransferReport::from),
            transfer_error: o.transfer_error.map(CoCartError::from),
        }
    }
}
