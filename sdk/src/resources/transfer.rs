//! The guest → customer cart transfer, and what the SDK does about the customer's saved cart.
//!
//! A CoCart store moves a guest cart to the customer on the first authenticated cart request that
//! names the guest key, and it **replaces** the customer's cart while doing so (seen on 4.9.3).
//! With [`TransferPolicy::KeepBoth`] the SDK reads the customer's cart just before the transfer
//! and adds back, afterwards, every line the store dropped.
//!
//! Requests, when a guest key awaits transfer:
//! - `KeepBoth`: `GET /cart/items` (the account cart, without the guest key), the transfer (`GET
//!   /cart?cart_key=<guest>`), then one `POST /cart/add-item` per account line to add back (none
//!   when the account cart was empty or the guest cart already holds its products).
//! - `GuestReplaces`: the transfer only.
//!
//! With no guest key waiting, nothing is sent. A transfer that fails (network, timeout) keeps
//! the guest key; the next cart call retries it, reusing the account lines read the first time
//! (the store may have replaced the account cart before the answer was lost). Only one transfer
//! runs at a time per client.

use std::sync::Arc;

use secrecy::SecretString;

use super::decode;
use super::transfer_slot::Snapshot;
use crate::User;
use crate::client::CoCartClient;
use crate::codes::routes::CART;
use crate::error::{ApiErrorKind, Error, Result};
use crate::inner::Inner;
use crate::models::{
    AddItem, Cart, CartItem, CartItems, DropReason, LineOrigin, LineOutcome, ProductRef, Quantity,
    TransferLine, TransferPolicy, TransferReport,
};
use crate::request::ApiRequest;

/// What `login_with_report` achieved. The login itself succeeded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoginOutcome {
    /// Who signed in.
    pub user: User,
    /// The transfer of the guest cart, when one awaited transfer and it completed.
    pub transfer: Option<TransferReport>,
    /// Why the transfer did not complete, when it did not (the guest key is kept and the next
    /// cart call retries the transfer). Never a reason to treat the login as failed.
    pub transfer_error: Option<Error>,
}

/// What to do with one account line, decided from the account cart before the transfer and the
/// cart after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The same line (key and quantity) is in the cart.
    Kept,
    /// The cart holds the same product and variation (the guest's line).
    GuestLineWins,
    /// The line is gone: add it back.
    Readd,
}

/// The product identity lines are matched on: product (or variation) id and the variation
/// attributes. Item data is not part of it: on the same product and variation the guest line
/// wins.
fn same_product(a: &CartItem, b: &CartItem) -> bool {
    a.id == b.id && a.meta.variation == b.meta.variation
}

/// Decides, for each account line in order, what the transfer left of it. Pure.
pub(crate) fn plan(account: &[CartItem], after: &[CartItem]) -> Vec<Decision> {
    account
        .iter()
        .map(|line| {
            if after
                .iter()
                .any(|a| a.item_key == line.item_key && a.quantity.value == line.quantity.value)
            {
                Decision::Kept
            } else if after.iter().any(|a| same_product(a, line)) {
                Decision::GuestLineWins
            } else {
                Decision::Readd
            }
        })
        .collect()
}

/// The guest lines of the cart after the transfer: every line that is not an account line the
/// store kept. Pure.
pub(crate) fn guest_lines<'a>(
    account: &[CartItem],
    decisions: &[Decision],
    after: &'a [CartItem],
) -> Vec<&'a CartItem> {
    after
        .iter()
        .filter(|a| {
            !account.iter().zip(decisions).any(|(line, d)| {
                *d == Decision::Kept
                    && line.item_key == a.item_key
                    && line.quantity.value == a.quantity.value
            })
        })
        .collect()
}

/// The `add-item` request that puts an account line back: its product (the variation id for a
/// variation), quantity, variation attributes and item data.
pub(crate) fn readd_request(line: &CartItem) -> std::result::Result<AddItem, DropReason> {
    let quantity = Quantity::new(line.quantity.value).map_err(|e| DropReason {
        reason: "invalid quantity".into(),
        code: "invalid_quantity".into(),
        message: e.to_string(),
    })?;
    let mut item = AddItem::new(ProductRef::Id(line.id)).quantity(quantity);
    item.variation = line.meta.variation.clone();
    item.item_data = line.cart_item_data.clone();
    Ok(item)
}

/// A few words for people about why a re-add failed.
pub(crate) fn drop_reason(err: &Error) -> DropReason {
    let (reason, code) = match err {
        Error::Api(api) => {
            let reason = match api.kind {
                ApiErrorKind::OutOfStock => "out of stock",
                ApiErrorKind::NotEnoughStock => "not enough in stock",
                ApiErrorKind::SoldIndividually => "sold individually",
                ApiErrorKind::CannotBePurchased => "no longer purchasable",
                ApiErrorKind::ProductNotFound => "no longer in the store",
                ApiErrorKind::InvalidQuantity { .. } => "quantity no longer allowed",
                ApiErrorKind::VariationRequired | ApiErrorKind::InvalidVariation => {
                    "variation no longer available"
                }
                _ => api.message.as_str(),
            };
            return DropReason {
                reason: reason.to_string(),
                code: api.code.clone(),
                message: api.message.clone(),
            };
        }
        Error::Timeout => ("no answer from the store", "timeout"),
        Error::Network(_) => ("no answer from the store", "network_error"),
        Error::Server { .. } => ("the store failed", "server_error"),
        _ => ("the SDK could not send it", "error"),
    };
    DropReason {
        reason: reason.into(),
        code: code.into(),
        message: err.to_string(),
    }
}

fn report_line(item: &CartItem, origin: LineOrigin, outcome: LineOutcome) -> TransferLine {
    TransferLine {
        origin,
        item_key: item.item_key.clone(),
        product_id: item.id,
        name: item.name.clone(),
        quantity: item.quantity.value,
        variation: item.meta.variation.clone(),
        outcome,
    }
}

/// Whether a transfer awaits: signed in, with a guest key still to hand over.
fn pending(inner: &Arc<Inner>) -> Option<(String, u64)> {
    let client = CoCartClient {
        inner: Arc::clone(inner),
    };
    if !client.is_signed_in() {
        return None;
    }
    let user = client.current_user()?;
    client.cart_key().map(|key| (key, user.id))
}

/// Runs the transfer if a guest key awaits it. `Ok(None)` when there was nothing to transfer.
pub(crate) async fn run(
    inner: &Arc<Inner>,
    policy: TransferPolicy,
) -> Result<Option<TransferReport>> {
    let mut running = inner.transfer.running.lock().await;
    let Some((guest_key, user_id)) = pending(inner) else {
        *running = None;
        return Ok(None);
    };
    let account = match policy {
        TransferPolicy::GuestReplaces => None,
        TransferPolicy::KeepBoth => match running.as_ref() {
            Some(s) if s.guest_key == guest_key && s.user_id == user_id => Some(s.account.clone()),
            _ => {
                let account = read_account(inner).await?;
                *running = Some(Snapshot {
                    guest_key,
                    user_id,
                    account: account.clone(),
                });
                Some(account)
            }
        },
    };
    let after: Cart = decode(inner.execute(ApiRequest::get(CART).cart()).await?)?;
    *running = None;
    let report = match account {
        None => TransferReport {
            policy,
            account_cart_read: false,
            lines: after
                .items
                .iter()
                .map(|i| report_line(i, LineOrigin::Guest, LineOutcome::Moved))
                .collect(),
            cart: after,
        },
        Some(account) => keep_both(inner, account, after).await,
    };
    tracing::info!(summary = %report.summary(), "guest cart transferred");
    *inner
        .transfer
        .last
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(report.clone());
    Ok(Some(report))
}

/// The account cart, read without the guest key (an empty cart answers 404, read as empty).
async fn read_account(inner: &Arc<Inner>) -> Result<Vec<CartItem>> {
    match inner
        .execute(ApiRequest::get(format!("{CART}/items")))
        .await
    {
        Ok(resp) => Ok(decode::<CartItems>(resp)?.into_vec()),
        Err(e) if e.api_kind() == Some(&ApiErrorKind::CartEmpty) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Adds back the account lines the store dropped. Never fails: a line that cannot be added back
/// is reported as dropped.
async fn keep_both(inner: &Arc<Inner>, account: Vec<CartItem>, after: Cart) -> TransferReport {
    let decisions = plan(&account, &after.items);
    let mut lines: Vec<TransferLine> = guest_lines(&account, &decisions, &after.items)
        .into_iter()
        .map(|i| report_line(i, LineOrigin::Guest, LineOutcome::Moved))
        .collect();
    let mut cart = after;
    for (line, decision) in account.iter().zip(decisions) {
        let outcome = match decision {
            Decision::Kept => LineOutcome::Kept,
            Decision::GuestLineWins => LineOutcome::GuestLineWins,
            Decision::Readd => readd(inner, line, &mut cart).await,
        };
        lines.push(report_line(line, LineOrigin::Account, outcome));
    }
    TransferReport {
        policy: TransferPolicy::KeepBoth,
        account_cart_read: true,
        lines,
        cart,
    }
}

/// Adds one account line back; `cart` becomes the store's latest answer.
async fn readd(inner: &Arc<Inner>, line: &CartItem, cart: &mut Cart) -> LineOutcome {
    let item = match readd_request(line) {
        Ok(item) => item,
        Err(why) => return LineOutcome::Dropped(why),
    };
    let body = match serde_json::to_value(&item) {
        Ok(v) => v,
        Err(e) => {
            return LineOutcome::Dropped(DropReason {
                reason: "could not build the request".into(),
                code: "internal".into(),
                message: e.to_string(),
            });
        }
    };
    let req = ApiRequest::post(format!("{CART}/add-item"))
        .cart()
        .json(&body);
    match inner.execute(req).await {
        Ok(resp) => match decode::<Cart>(resp) {
            Ok(now) => {
                *cart = now;
                LineOutcome::Readded
            }
            Err(e) => LineOutcome::Dropped(drop_reason(&e)),
        },
        Err(e @ (Error::Network(_) | Error::Timeout | Error::Server { .. })) => {
            // The add may or may not have happened: look before reporting.
            tracing::warn!(error = %e, "re-adding an account line failed in transit; re-reading the cart");
            match inner.execute(ApiRequest::get(CART).cart()).await {
                Ok(resp) => match decode::<Cart>(resp) {
                    Ok(now) => {
                        let there = now.items.iter().any(|i| same_product(i, line));
                        *cart = now;
                        if there {
                            LineOutcome::Readded
                        } else {
                            LineOutcome::Dropped(drop_reason(&e))
                        }
                    }
                    Err(_) => LineOutcome::Dropped(drop_reason(&e)),
                },
                Err(_) => LineOutcome::Dropped(drop_reason(&e)),
            }
        }
        Err(e) => LineOutcome::Dropped(drop_reason(&e)),
    }
}

impl CoCartClient {
    /// Moves the guest cart (if a guest key awaits transfer) into the customer's cart, with the
    /// client's [`TransferPolicy`]. `login` calls it for you, and so does the next cart call
    /// when a transfer did not complete. `Ok(None)`: there was nothing to transfer (no request
    /// is sent).
    pub async fn transfer_guest_cart(&self) -> Result<Option<TransferReport>> {
        self.transfer_guest_cart_with(self.inner.config.transfer_policy)
            .await
    }

    /// [`CoCartClient::transfer_guest_cart`] with another policy for this one transfer.
    pub async fn transfer_guest_cart_with(
        &self,
        policy: TransferPolicy,
    ) -> Result<Option<TransferReport>> {
        if !self.is_signed_in() {
            return Err(Error::NotSignedIn);
        }
        run(&self.inner, policy).await
    }

    /// The report of the last transfer this client completed (at login or on a later cart call).
    pub fn last_transfer(&self) -> Option<TransferReport> {
        self.inner
            .transfer
            .last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// [`CoCartClient::login`], also saying what happened to the guest cart and to the
    /// customer's saved cart. A failed transfer never fails the login: it is in
    /// [`LoginOutcome::transfer_error`] and the next cart call retries it.
    pub async fn login_with_report(&self, username: &str, password: &str) -> Result<LoginOutcome> {
        self.login_secret_with_report(username, &SecretString::from(password.to_string()))
            .await
    }

    /// [`CoCartClient::login_with_report`] with the password already in a secret.
    pub async fn login_secret_with_report(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<LoginOutcome> {
        let user = self.sign_in(username, password).await?;
        let (transfer, transfer_error) = match self.transfer_guest_cart().await {
            Ok(report) => (report, None),
            Err(e) => {
                tracing::warn!(error = %e, "guest cart transfer failed; it will be retried on the next cart call");
                (None, Some(e))
            }
        };
        Ok(LoginOutcome {
            user,
            transfer,
            transfer_error,
        })
    }
}

/// Completes a pending transfer before a cart call (a no-op when none awaits).
pub(crate) async fn settle(inner: &Arc<Inner>) -> Result<()> {
    if pending(inner).is_some() {
        run(inner, inner.config.transfer_policy).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn item(json: Value) -> CartItem {
        serde_json::from_value(json).expect("a cart item")
    }

    fn line(key: &str, id: u64, qty: f64) -> CartItem {
        item(json!({"item_key": key, "id": id, "name": format!("P{id}"),
            "quantity": {"value": qty}}))
    }

    fn hoodie(key: &str, id: u64, color: &str) -> CartItem {
        item(
            json!({"item_key": key, "id": id, "name": "Hoodie", "quantity": {"value": 1},
            "meta": {"variation": {"Color": color, "Size": "Small"}},
            "cart_item_data": {"gift_note": "hi"}}),
        )
    }

    #[test]
    fn a_replaced_cart_needs_every_account_line_added_back() {
        let account = [line("a", 1, 2.0), line("b", 2, 1.0)];
        let after = [line("c", 3, 1.0)];
        let d = plan(&account, &after);
        assert_eq!(d, [Decision::Readd, Decision::Readd]);
        let guests: Vec<_> = guest_lines(&account, &d, &after)
            .iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(guests, [3]);
    }

    #[test]
    fn a_line_the_store_kept_is_kept_and_not_counted_as_a_guest_line() {
        let account = [line("a", 1, 2.0), line("b", 2, 1.0)];
        let after = [line("a", 1, 2.0), line("b", 2, 1.0), line("c", 3, 1.0)];
        let d = plan(&account, &after);
        assert_eq!(d, [Decision::Kept, Decision::Kept]);
        let guests: Vec<_> = guest_lines(&account, &d, &after)
            .iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(guests, [3]);
    }

    #[test]
    fn on_the_same_product_the_guest_line_wins_whatever_its_quantity_or_data() {
        let account = [line("a", 1, 5.0)];
        let after = [line("a", 1, 2.0)];
        let d = plan(&account, &after);
        assert_eq!(d, [Decision::GuestLineWins]);
        assert_eq!(guest_lines(&account, &d, &after).len(), 1);
        // Another item key (other item data) for the same product: still the same product.
        let after = [line("z", 1, 1.0)];
        assert_eq!(plan(&account, &after), [Decision::GuestLineWins]);
    }

    #[test]
    fn variations_match_on_their_attributes() {
        let account = [hoodie("h1", 204, "Green")];
        assert_eq!(
            plan(&account, &[hoodie("h2", 202, "Blue")]),
            [Decision::Readd]
        );
        assert_eq!(
            plan(&account, &[hoodie("h1", 204, "Green")]),
            [Decision::Kept]
        );
    }

    #[test]
    fn the_readd_request_carries_variation_item_data_and_quantity() {
        let body =
            serde_json::to_value(readd_request(&hoodie("h1", 204, "Green")).unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"id": "204", "quantity": "1",
                "variation": {"Color": "Green", "Size": "Small"},
                "item_data": {"gift_note": "hi"}})
        );
        let half = readd_request(&line("a", 9, 1.5)).unwrap();
        assert_eq!(half.quantity.to_wire(), "1.5");
        let bad = readd_request(&line("a", 9, -1.0)).unwrap_err();
        assert_eq!(bad.code, "invalid_quantity");
    }

    #[test]
    fn store_refusals_read_as_a_few_words_and_keep_the_store_message() {
        let out = Error::Api(Box::new(crate::ApiError::new(
            404,
            "cocart_product_out_of_stock",
            "You cannot add \"Vintage Poster\" to the cart because the product is out of stock.",
            Value::Null,
        )));
        let why = drop_reason(&out);
        assert_eq!(why.reason, "out of stock");
        assert_eq!(why.code, "cocart_product_out_of_stock");
        assert!(why.message.contains("Vintage Poster"));
        let odd = Error::Api(Box::new(crate::ApiError::new(
            400,
            "some_plugin_code",
            "Members only.",
            Value::Null,
        )));
        assert_eq!(drop_reason(&odd).reason, "Members only.");
        assert_eq!(drop_reason(&Error::Timeout).code, "timeout");
        let failed = Error::Server {
            status: 500,
            api: None,
        };
        assert_eq!(drop_reason(&failed).reason, "the store failed");
    }
}
