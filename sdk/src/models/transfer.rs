//! What happened to each cart line when a guest cart moved to the customer at login.
//!
//! A CoCart store (seen on 4.9.3) **replaces** the customer's saved cart with the guest cart:
//! the customer's own lines are gone, with status 200 and no notice. The SDK's
//! [`TransferPolicy`] decides what it does about that, and a [`TransferReport`] says, line by
//! line, what came of it.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value, json};

use super::cart::Cart;
use super::item::{CartItem, ItemKey};

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

/// A customer's line read before a transfer, with what it takes to add it back.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct SavedLine {
    /// The line's item key in the customer's cart.
    pub item_key: ItemKey,
    /// The product id (the variation id for a variation).
    pub product_id: u64,
    /// The product name.
    pub name: String,
    /// The quantity.
    pub quantity: f64,
    /// The variation attributes (label → value); empty for simple products.
    pub variation: BTreeMap<String, String>,
    /// The line's item data (`cart_item_data`).
    pub item_data: Map<String, Value>,
}

impl fmt::Debug for SavedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Item data may hold what a customer typed (a gift note): only its size is shown.
        f.debug_struct("SavedLine")
            .field("item_key", &self.item_key)
            .field("product_id", &self.product_id)
            .field("name", &self.name)
            .field("quantity", &self.quantity)
            .field("variation", &self.variation)
            .field(
                "item_data",
                &format_args!("{} entries", self.item_data.len()),
            )
            .finish()
    }
}

impl From<&CartItem> for SavedLine {
    fn from(item: &CartItem) -> Self {
        Self {
            item_key: item.item_key.clone(),
            product_id: item.id,
            name: item.name.clone(),
            quantity: item.quantity.value,
            variation: item.meta.variation.clone(),
            item_data: item.cart_item_data.clone(),
        }
    }
}

impl SavedLine {
    fn to_json(&self) -> Value {
        json!({
            "item_key": self.item_key.as_str(),
            "product_id": self.product_id,
            "name": self.name,
            "quantity": self.quantity,
            "variation": self.variation,
            "item_data": self.item_data,
        })
    }

    fn from_json(v: &Value) -> Option<Self> {
        let obj = v.as_object()?;
        let variation = match obj.get("variation") {
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect::<Option<BTreeMap<_, _>>>()?,
            _ => BTreeMap::new(),
        };
        Some(Self {
            item_key: ItemKey::new(obj.get("item_key")?.as_str()?),
            product_id: obj.get("product_id")?.as_u64()?,
            name: obj
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            quantity: obj.get("quantity")?.as_f64()?,
            variation,
            item_data: obj
                .get("item_data")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        })
    }
}

/// A guest → customer transfer that began and has not finished: saved with the session before
/// the transfer request is sent, and dropped once the customer's lines are back.
///
/// While it is saved, the next use of the session (any cart call, a login, or
/// [`CoCartClient::transfer_guest_cart`](crate::CoCartClient::transfer_guest_cart)) finishes the
/// transfer: it never sends the transfer again without first finding out whether the guest cart
/// still exists, and it adds back the customer's lines the store dropped.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct PendingTransfer {
    /// The guest cart key being transferred.
    pub guest_key: String,
    /// The customer the guest cart goes to.
    pub user_id: u64,
    /// The policy the transfer runs with.
    pub policy: TransferPolicy,
    /// The customer's lines read before the transfer (`None` with
    /// [`TransferPolicy::GuestReplaces`], which does not read them).
    pub account: Option<Vec<SavedLine>>,
}

impl fmt::Debug for PendingTransfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingTransfer")
            .field("guest_key", &"[redacted]")
            .field("user_id", &self.user_id)
            .field("policy", &self.policy)
            .field("account_lines", &self.account.as_ref().map(Vec::len))
            .finish()
    }
}

impl PendingTransfer {
    /// The JSON kept in a persisted session.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "guest_key": self.guest_key,
            "user_id": self.user_id,
            "policy": match self.policy {
                TransferPolicy::KeepBoth => "keep_both",
                TransferPolicy::GuestReplaces => "guest_replaces",
            },
            "account": self
                .account
                .as_ref()
                .map(|lines| lines.iter().map(SavedLine::to_json).collect::<Vec<_>>()),
        })
    }

    /// Reads what [`PendingTransfer::to_json`] wrote; `None` when it is not that. A line that
    /// cannot be read makes the whole record unreadable (adding back only some lines would be
    /// reported as complete).
    pub(crate) fn from_json(v: &Value) -> Option<Self> {
        let obj = v.as_object()?;
        let policy = match obj.get("policy").and_then(Value::as_str) {
            Some("guest_replaces") => TransferPolicy::GuestReplaces,
            Some("keep_both") => TransferPolicy::KeepBoth,
            _ => return None,
        };
        let account = match obj.get("account") {
            None | Some(Value::Null) => None,
            Some(Value::Array(lines)) => Some(
                lines
                    .iter()
                    .map(SavedLine::from_json)
                    .collect::<Option<Vec<_>>>()?,
            ),
            Some(_) => return None,
        };
        Some(Self {
            guest_key: obj
                .get("guest_key")?
                .as_str()
                .filter(|k| !k.is_empty())?
                .to_string(),
            user_id: obj.get("user_id")?.as_u64()?,
            policy,
            account,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> PendingTransfer {
        let mut item_data = Map::new();
        item_data.insert("gift_note".into(), json!("for Ada"));
        PendingTransfer {
            guest_key: "t_guestsecret".into(),
            user_id: 7,
            policy: TransferPolicy::KeepBoth,
            account: Some(vec![SavedLine {
                item_key: ItemKey::new("k1"),
                product_id: 204,
                name: "Hoodie".into(),
                quantity: 1.5,
                variation: BTreeMap::from([("Color".to_string(), "Green".to_string())]),
                item_data,
            }]),
        }
    }

    #[test]
    fn a_pending_transfer_survives_its_json() {
        let p = pending();
        assert_eq!(PendingTransfer::from_json(&p.to_json()), Some(p));
        let mut replaces = pending();
        replaces.policy = TransferPolicy::GuestReplaces;
        replaces.account = None;
        assert_eq!(
            PendingTransfer::from_json(&replaces.to_json()),
            Some(replaces)
        );
    }

    #[test]
    fn an_unreadable_pending_transfer_reads_as_none_never_as_fewer_lines() {
        let mut v = pending().to_json();
        v["account"][0]["product_id"] = json!("not a number");
        assert_eq!(PendingTransfer::from_json(&v), None);
        assert_eq!(PendingTransfer::from_json(&json!("x")), None);
        assert_eq!(PendingTransfer::from_json(&json!({"user_id": 7})), None);
    }

    #[test]
    fn debug_shows_neither_the_guest_key_nor_the_item_data() {
        let p = pending();
        let text = format!("{p:?} {:?}", p.account.as_ref().map(|a| &a[0]));
        assert!(!text.contains("guestsecret"), "{text}");
        assert!(!text.contains("for Ada"), "{text}");
        assert!(text.contains("account_lines: Some(1)"), "{text}");
    }
}
