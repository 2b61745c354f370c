//! What happened to each cart line when a guest cart moved to the customer at login.
//!
//! A CoCart store (seen on 4.9.3) **replaces** the customer's saved cart with the guest cart:
//! the customer's own lines are gone, with status 200 and no notice. The SDK's
//! [`TransferPolicy`] decides what it does about that, and a [`TransferReport`] says, line by
//! line, what came of it.

use std::collections::BTreeMap;
use std::fmt;

use super::cart::Cart;
use super::item::ItemKey;

/// What the SDK does about the customer's saved cart when a guest cart is transferred.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TransferPolicy {
    /// Keep both carts (the default): read the customer's cart just before the transfer, and
    /// afterwards add back every customer line the store dropped, with its variation and item
    /// data. On the same product and variation the guest line wins. Costs one read more than
    /// [`TransferPolicy::GuestReplaces`], plus one `add-item` per line to add back.
    #[default]
    KeepBoth,
    /// Let the guest cart replace the customer's cart, as the store does (one request: the
    /// transfer). The customer's previous lines are not read, so the report lists only the
    /// lines that came from the guest cart.
    GuestReplaces,
}

/// Where a line of the report comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineOrigin {
    /// The guest cart being transferred.
    Guest,
    /// The customer's saved (account) cart.
    Account,
}

/// What happened to one line.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LineOutcome {
    /// A guest line, now in the customer's cart.
    Moved,
    /// An account line that is still in the cart after the transfer.
    Kept,
    /// An account line for a product and variation the guest cart also holds: the guest's line
    /// (and its quantity) stands.
    GuestLineWins,
    /// An account line the store dropped and the SDK added back.
    Readded,
    /// An account line the store dropped and that could not be added back.
    Dropped(DropReason),
}

/// Why an account line could not be added back.
#[derive(Debug, Clone, PartialEq)]
pub struct DropReason {
    /// A few words for people: `out of stock`, `sold individually`, `no longer purchasable`…
    pub reason: String,
    /// The store's error code (e.g. `cocart_product_out_of_stock`), or `network_error` /
    /// `timeout` / `server_error` when no answer came.
    pub code: String,
    /// The store's own message (or the SDK's, when no answer came).
    pub message: String,
}

/// One line of a [`TransferReport`].
#[derive(Debug, Clone, PartialEq)]
pub struct TransferLine {
    /// Which cart the line comes from.
    pub origin: LineOrigin,
    /// The line's item key in the cart it comes from.
    pub item_key: ItemKey,
    /// The product id (the variation id for a variation).
    pub product_id: u64,
    /// The product name.
    pub name: String,
    /// The line's quantity in the cart it comes from.
    pub quantity: f64,
    /// The variation attributes as the store showed them (label → value); empty for simple
    /// products.
    pub variation: BTreeMap<String, String>,
    /// What happened to it.
    pub outcome: LineOutcome,
}

/// The result of one guest-to-customer cart transfer.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferReport {
    /// The policy the transfer ran with.
    pub policy: TransferPolicy,
    /// Whether the customer's cart was read before the transfer (always with
    /// [`TransferPolicy::KeepBoth`], never with [`TransferPolicy::GuestReplaces`]).
    pub account_cart_read: bool,
    /// Every line: the guest lines first, then the account lines, each in cart order.
    pub lines: Vec<TransferLine>,
    /// The customer's cart after the transfer and any lines added back.
    pub cart: Cart,
}

impl TransferReport {
    fn account_with(&self, pick: fn(&LineOutcome) -> bool) -> impl Iterator<Item = &TransferLine> {
        self.lines
            .iter()
            .filter(move |l| l.origin == LineOrigin::Account && pick(&l.outcome))
    }

    /// The guest lines now in the customer's cart.
    pub fn moved(&self) -> impl Iterator<Item = &TransferLine> {
        self.lines.iter().filter(|l| l.origin == LineOrigin::Guest)
    }

    /// Account lines still in the cart without any action.
    pub fn kept(&self) -> impl Iterator<Item = &TransferLine> {
        self.account_with(|o| matches!(o, LineOutcome::Kept))
    }

    /// Account lines whose product and variation the guest cart also held.
    pub fn guest_line_wins(&self) -> impl Iterator<Item = &TransferLine> {
        self.account_with(|o| matches!(o, LineOutcome::GuestLineWins))
    }

    /// Account lines the SDK added back.
    pub fn readded(&self) -> impl Iterator<Item = &TransferLine> {
        self.account_with(|o| matches!(o, LineOutcome::Readded))
    }

    /// Account lines that are no longer in the cart, with the reason.
    pub fn dropped(&self) -> impl Iterator<Item = (&TransferLine, &DropReason)> {
        self.lines.iter().filter_map(|l| match &l.outcome {
            LineOutcome::Dropped(why) if l.origin == LineOrigin::Account => Some((l, why)),
            _ => None,
        })
    }

    /// Whether every account line is in the cart (kept, added back, or superseded by the
    /// guest's line for the same product). Always true with
    /// [`TransferPolicy::GuestReplaces`], which does not read the account cart.
    pub fn nothing_dropped(&self) -> bool {
        self.dropped().next().is_none()
    }

    /// One sentence for people, e.g. `kept 1 line from your account cart; re-added 1; could not
    /// re-add 'Vintage Poster': out of stock`.
    pub fn summary(&self) -> String {
        let lines = |n: usize| if n == 1 { "line" } else { "lines" };
        let moved = self.moved().count();
        let mut parts = vec![format!(
            "moved {moved} {} from the guest cart",
            lines(moved)
        )];
        if self.policy == TransferPolicy::GuestReplaces {
            parts.push("the guest cart replaced your account cart".to_string());
            return parts.join("; ");
        }
        let kept = self.kept().count();
        let readded = self.readded().count();
        let wins = self.guest_line_wins().count();
        let account = self
            .lines
            .iter()
            .filter(|l| l.origin == LineOrigin::Account)
            .count();
        if account == 0 {
            parts.push("your account cart was empty".to_string());
        } else {
            parts.push(format!(
                "kept {kept} {} from your account cart",
                lines(kept)
            ));
            parts.push(format!("re-added {readded}"));
        }
        if wins > 0 {
            parts.push(format!(
                "{wins} {} in both carts kept this visit's quantity",
                if wins == 1 { "product" } else { "products" }
            ));
        }
        for (line, why) in self.dropped() {
            parts.push(format!("could not re-add '{}': {}", line.name, why.reason));
        }
        parts.join("; ")
    }
}

impl fmt::Display for TransferReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}
