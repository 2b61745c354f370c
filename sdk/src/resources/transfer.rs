//! The guest → customer cart transfer, and what the SDK does about the customer's saved cart.
//!
//! A CoCart store moves a guest cart to the customer on the first authenticated cart request that
//! names the guest key (`GET /cart?cart_key=<guest>` with the Bearer), and it **replaces** the
//! customer's cart while doing so (seen on 4.9.3). With [`TransferPolicy::KeepBoth`] the SDK reads
//! the customer's cart just before the transfer and adds back, afterwards, every line the store
//! dropped.
//!
//! Requests, when a guest key awaits transfer:
//! - `KeepBoth`: `GET /cart/items` (the account cart, without the guest key), the transfer, then
//!   one `POST /cart/add-item` per account line to add back (none when the account cart was empty
//!   or the guest cart already holds its products).
//! - `GuestReplaces`: the transfer only.
//!
//! With no guest key waiting, nothing is sent.
//!
//! # An interrupted transfer loses nothing
//!
//! The same transfer arriving twice is not harmless: a live 4.9.3 answers the second one by
//! putting back **the customer's cart as it was before the first**, so the guest's lines are gone.
//! Hence:
//! - **Saved before it is sent.** Before the transfer request leaves, the guest key and the
//!   customer's lines just read are saved with the session ([`PendingTransfer`], through the
//!   session store), and the transfer is not sent when that save fails. The record is dropped only
//!   once every line is back (or reported as dropped).
//! - **Never re-sent blindly.** The transfer request is never retried automatically (it is marked
//!   `once`, see `retry.rs`). Whenever the SDK does not know whether a transfer it sent arrived
//!   (its answer was lost or unreadable, the caller was cancelled, the process was killed), it
//!   first asks the store whether the guest cart still exists: a **guest** `GET /cart?cart_key=
//!   <guest>`, without the Bearer, so it cannot itself transfer anything. A transferred guest cart
//!   is deleted and its key then reads as a new empty cart; so an answer for that key with lines
//!   means the transfer did not happen (it is sent), and an answer for that key with no lines
//!   means it did, or that there was nothing to move (it is not sent: the customer's cart is read
//!   instead, with the Bearer and no key). An answer for another key, or no answer, tells
//!   nothing: the transfer waits, with the guest key and the record kept. This check was chosen
//!   over reading the customer's cart because the customer's cart after a first and after a
//!   second transfer can look alike (an empty guest cart, lines on both sides), while a guest
//!   cart the store still holds cannot have been transferred.
//! - **Its own task.** The transfer runs to its end in a task of its own (like the refresh), so a
//!   cancelled caller stops neither the transfer nor the re-adds half-way.
//! - **Finished by the next use.** A process killed at any step leaves the record in the session
//!   store. The next use of the session that restored it (a cart call, a login,
//!   [`CoCartClient::transfer_guest_cart`]) finishes the work: the check above while the guest key
//!   is still held, then the customer's cart is read and every saved line that is not in it is
//!   added back (a line already back is reported `Kept`, so nothing is added twice). The report
//!   is in [`CoCartClient::last_transfer`] (and in [`LoginOutcome::transfer`] when the next use is
//!   a login).
//!
//! One window stays open: a transfer still on its way to the store when the check runs (a slow
//! request the SDK gave up on) may land after it. The client's timeout bounds it.
//!
//! Only one transfer runs at a time per client.

use std::sync::Arc;

use secrecy::SecretString;

use super::decode;
use crate::User;
use crate::client::CoCartClient;
use crate::codes::routes::CART;
use crate::error::{ApiErrorKind, Error, Result};
use crate::inner::Inner;
use crate::models::{
    AddItem, Cart, CartItem, CartItems, DropReason, LineOrigin, LineOutcome, PendingTransfer,
    ProductRef, Quantity, SavedLine, TransferLine, TransferPolicy, TransferReport,
};
use crate::persist::Written;
use crate::request::{ApiRequest, AuthMode};
use crate::response::REDACTED_BODY;

/// How many times one transfer task looks at the session again (after another client's session
/// was adopted while it saved, or a transfer finished with another guest key waiting).
const ROUNDS: usize = 3;

/// What `login_with_report` achieved. The login itself succeeded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoginOutcome {
    /// Who signed in.
    pub user: User,
    /// The transfer of the guest cart, when one awaited transfer (or an interrupted one awaited
    /// its end) and it completed.
    pub transfer: Option<TransferReport>,
    /// Why the transfer did not complete, when it did not (the guest key and the saved lines are
    /// kept, and the next use of the session finishes the transfer). Never a reason to treat the
    /// login as failed.
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
fn same_product(item: &CartItem, line: &SavedLine) -> bool {
    item.id == line.product_id && item.meta.variation == line.variation
}

/// The same line, untouched: same item key and quantity.
fn same_line(item: &CartItem, line: &SavedLine) -> bool {
    item.item_key == line.item_key && item.quantity.value == line.quantity
}

/// Decides, for each account line in order, what the transfer left of it. Pure.
pub(crate) fn plan(account: &[SavedLine], after: &[CartItem]) -> Vec<Decision> {
    account
        .iter()
        .map(|line| {
            if after.iter().any(|a| same_line(a, line)) {
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
    account: &[SavedLine],
    decisions: &[Decision],
    after: &'a [CartItem],
) -> Vec<&'a CartItem> {
    after
        .iter()
        .filter(|a| {
            !account
                .iter()
                .zip(decisions)
                .any(|(line, d)| *d == Decision::Kept && same_line(a, line))
        })
        .collect()
}

/// The `add-item` request that puts an account line back: its product (the variation id for a
/// variation), quantity, variation attributes and item data.
pub(crate) fn readd_request(line: &SavedLine) -> std::result::Result<AddItem, DropReason> {
    let quantity = Quantity::new(line.quantity).map_err(|e| DropReason {
        reason: "invalid quantity".into(),
        code: "invalid_quantity".into(),
        message: e.to_string(),
    })?;
    let mut item = AddItem::new(ProductRef::Id(line.product_id)).quantity(quantity);
    item.variation = line.variation.clone();
    item.item_data = line.item_data.clone();
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

fn report_item(item: &CartItem, origin: LineOrigin, outcome: LineOutcome) -> TransferLine {
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

fn report_saved(line: &SavedLine, outcome: LineOutcome) -> TransferLine {
    TransferLine {
        origin: LineOrigin::Account,
        item_key: line.item_key.clone(),
        product_id: line.product_id,
        name: line.name.clone(),
        quantity: line.quantity,
        variation: line.variation.clone(),
        outcome,
    }
}

/// What a transfer task has to do, read from the session (no `Debug`: it holds the guest key).
enum Work {
    /// A guest key awaits and no transfer of it has begun.
    Begin { guest_key: String, user_id: u64 },
    /// A transfer of the guest key still held began: its request may have reached the store.
    Unsure(PendingTransfer),
    /// The transfer is done (the guest key is dropped); saved lines may still need adding back.
    Finish(PendingTransfer),
}

/// What the session says remains to do; `None` when signed out or when nothing awaits. A
/// pending transfer of another customer (a login as someone else over a session that held one)
/// is dropped: its lines are not this customer's.
fn work(inner: &Inner) -> Option<Work> {
    let mut st = inner.state();
    let user_id = match (&st.tokens, &st.user) {
        (Some(_), Some(user)) => user.id,
        _ => return None,
    };
    if st
        .pending_transfer
        .as_ref()
        .is_some_and(|p| p.user_id != user_id)
    {
        st.set_pending_transfer(None);
    }
    match (st.pending_transfer.clone(), st.cart_key.clone()) {
        (Some(p), Some(key)) if key == p.guest_key => Some(Work::Unsure(p)),
        (Some(p), _) => Some(Work::Finish(p)),
        (None, Some(guest_key)) => Some(Work::Begin { guest_key, user_id }),
        (None, None) => None,
    }
}

/// Whether a transfer awaits (or an interrupted one awaits its end).
fn awaits(inner: &Inner) -> bool {
    let st = inner.state();
    st.tokens.is_some() && (st.cart_key.is_some() || st.pending_transfer.is_some())
}

/// Runs the transfer if one awaits, to its end, in a task of its own: a cancelled caller stops
/// neither the transfer nor the re-adds. `Ok(None)` when there was nothing to do.
pub(crate) async fn run(
    inner: &Arc<Inner>,
    policy: TransferPolicy,
) -> Result<Option<TransferReport>> {
    let inner = Arc::clone(inner);
    tokio::spawn(async move { run_task(&inner, policy).await })
        .await
        .unwrap_or_else(|e| Err(Error::Internal(format!("transfer task failed: {e}"))))
}

async fn run_task(inner: &Arc<Inner>, policy: TransferPolicy) -> Result<Option<TransferReport>> {
    let _running = inner.transfer.running.lock().await;
    let mut report = None;
    for _ in 0..ROUNDS {
        let Some(work) = work(inner) else {
            return Ok(report);
        };
        let step = match &work {
            Work::Begin { .. } => "begin",
            Work::Unsure(_) => "check the guest cart",
            Work::Finish(_) => "finish the re-adds",
        };
        tracing::debug!(step, "guest cart transfer");
        let done = match work {
            Work::Begin { guest_key, user_id } => begin(inner, guest_key, user_id, policy).await?,
            Work::Unsure(pending) => unsure(inner, pending).await?,
            Work::Finish(pending) => {
                let after = read_customer_cart(inner).await?;
                Some(finish(inner, pending, after).await)
            }
        };
        if done.is_some() {
            report = done;
        }
    }
    if awaits(inner) {
        return Err(Error::Internal(
            "the session kept changing during the cart transfer".into(),
        ));
    }
    Ok(report)
}

/// A first transfer of `guest_key`: reads the customer's lines (`KeepBoth`), saves them with the
/// session, then sends the transfer. `Ok(None)`: the session changed meanwhile, look again.
async fn begin(
    inner: &Arc<Inner>,
    guest_key: String,
    user_id: u64,
    policy: TransferPolicy,
) -> Result<Option<TransferReport>> {
    let account = match policy {
        TransferPolicy::KeepBoth => Some(
            read_account(inner)
                .await?
                .iter()
                .map(SavedLine::from)
                .collect(),
        ),
        TransferPolicy::GuestReplaces => None,
    };
    let pending = PendingTransfer {
        guest_key,
        user_id,
        policy,
        account,
    };
    {
        let mut st = inner.state();
        let same_session = st.cart_key.as_deref() == Some(pending.guest_key.as_str())
            && st.user.as_ref().map(|u| u.id) == Some(user_id)
            && st.pending_transfer.is_none();
        if !same_session {
            return Ok(None);
        }
        st.set_pending_transfer(Some(pending.clone()));
    }
    if !saved(inner, &pending).await? {
        return Ok(None);
    }
    send(inner, pending).await.map(Some)
}

/// Makes sure the session store holds `pending` before the transfer leaves, so that a process
/// killed from then on leaves it behind. When it cannot be saved, nothing may be sent (the
/// record stays in memory and the next attempt starts with the check): the error. `Ok(false)`:
/// the session changed meanwhile (another client's session adopted, a sign-out), look again.
async fn saved(inner: &Arc<Inner>, pending: &PendingTransfer) -> Result<bool> {
    match inner.persist().await? {
        Written::Saved => {}
        Written::Adopted | Written::EndedElsewhere => return Ok(false),
    }
    let st = inner.state();
    Ok(st.pending_transfer.as_ref() == Some(pending)
        && st.cart_key.as_deref() == Some(pending.guest_key.as_str()))
}

/// A transfer that may have been sent already: sent only when the guest cart still exists.
/// `Ok(None)`: the session changed meanwhile, look again.
async fn unsure(inner: &Arc<Inner>, pending: PendingTransfer) -> Result<Option<TransferReport>> {
    if guest_cart_holds_lines(inner, &pending.guest_key).await? {
        // The record may not have reached the store yet (its save failed last time).
        if !saved(inner, &pending).await? {
            return Ok(None);
        }
        tracing::info!("the guest cart is still there: sending its transfer");
        send(inner, pending).await.map(Some)
    } else {
        tracing::info!("the guest cart is gone: its transfer happened; finishing it");
        transferred(inner, &pending).await;
        let after = read_customer_cart(inner).await?;
        Ok(Some(finish(inner, pending, after).await))
    }
}

/// Sends the transfer, once. When its answer is missing or unusable, the guest cart tells
/// whether it arrived; it is never sent again here.
async fn send(inner: &Arc<Inner>, pending: PendingTransfer) -> Result<TransferReport> {
    let req = ApiRequest::get(CART)
        .query([("cart_key".to_string(), pending.guest_key.clone())])
        .once();
    let sent = match inner.execute(req).await {
        Ok(resp) => decode::<Cart>(resp),
        Err(e) => Err(e),
    };
    match sent {
        Ok(after) => {
            transferred(inner, &pending).await;
            Ok(finish(inner, pending, after).await)
        }
        Err(e) => {
            tracing::warn!(error = %e, "the cart transfer got no usable answer; asking whether the guest cart is still there");
            match guest_cart_holds_lines(inner, &pending.guest_key).await {
                Ok(false) => {
                    transferred(inner, &pending).await;
                    let after = read_customer_cart(inner).await?;
                    Ok(finish(inner, pending, after).await)
                }
                // Not transferred, or no way to tell: it waits for the next use of the session.
                Ok(true) | Err(_) => Err(e),
            }
        }
    }
}

/// Whether the store still holds the guest cart with lines: a guest read of the guest key,
/// without credentials (it cannot transfer anything). An answer for another key tells nothing.
async fn guest_cart_holds_lines(inner: &Arc<Inner>, guest_key: &str) -> Result<bool> {
    let req = ApiRequest::get(CART)
        .auth(AuthMode::None)
        .query([("cart_key".to_string(), guest_key.to_string())]);
    let resp = inner.execute(req).await?;
    let status = resp.status;
    let cart: Cart = decode(resp)?;
    if cart.cart_key != guest_key {
        return Err(Error::InvalidResponse {
            status,
            reason: "the store answered the guest cart check for another cart key, so it cannot \
                     tell whether the transfer happened"
                .into(),
            raw: REDACTED_BODY.into(),
        });
    }
    Ok(!cart.items.is_empty())
}

/// The transfer happened: the guest key is dropped (and saved), so it is never sent again.
async fn transferred(inner: &Arc<Inner>, pending: &PendingTransfer) {
    {
        let mut st = inner.state();
        if st.cart_key.as_deref() == Some(pending.guest_key.as_str()) {
            st.set_cart_key(None);
        }
    }
    if let Err(e) = inner.persist().await {
        tracing::warn!(error = %e, "could not save the end of the cart transfer; the next use checks the guest cart again");
    }
}

/// The account cart's lines, read without the guest key (an empty cart answers 404, read as
/// empty).
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

/// The customer's whole cart, with the Bearer and without any cart key.
async fn read_customer_cart(inner: &Arc<Inner>) -> Result<Cart> {
    decode(inner.execute(ApiRequest::get(CART)).await?)
}

/// Adds back what is missing, drops the record (saved), and keeps the report.
async fn finish(inner: &Arc<Inner>, pending: PendingTransfer, after: Cart) -> TransferReport {
    let report = match &pending.account {
        None => TransferReport {
            policy: pending.policy,
            account_cart_read: false,
            lines: after
                .items
                .iter()
                .map(|i| report_item(i, LineOrigin::Guest, LineOutcome::Moved))
                .collect(),
            cart: after,
        },
        Some(account) => keep_both(inner, account, after).await,
    };
    {
        let mut st = inner.state();
        if st.pending_transfer.as_ref() == Some(&pending) {
            st.set_pending_transfer(None);
        }
    }
    if let Err(e) = inner.persist().await {
        tracing::warn!(error = %e, "could not save the end of the cart transfer; the next use looks at the cart again");
    }
    tracing::info!(summary = %report.summary(), "guest cart transferred");
    *inner
        .transfer
        .last
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(report.clone());
    report
}

/// Adds back the account lines the store dropped. Never fails: a line that cannot be added back
/// is reported as dropped.
async fn keep_both(inner: &Arc<Inner>, account: &[SavedLine], after: Cart) -> TransferReport {
    let decisions = plan(account, &after.items);
    let mut lines: Vec<TransferLine> = guest_lines(account, &decisions, &after.items)
        .into_iter()
        .map(|i| report_item(i, LineOrigin::Guest, LineOutcome::Moved))
        .collect();
    let mut cart = after;
    for (line, decision) in account.iter().zip(decisions) {
        let outcome = match decision {
            Decision::Kept => LineOutcome::Kept,
            Decision::GuestLineWins => LineOutcome::GuestLineWins,
            Decision::Readd => readd(inner, line, &mut cart).await,
        };
        lines.push(report_saved(line, outcome));
    }
    TransferReport {
        policy: TransferPolicy::KeepBoth,
        account_cart_read: true,
        lines,
        cart,
    }
}

/// Adds one account line back; `cart` becomes the store's latest answer. Customer requests:
/// no cart key is ever sent with them.
async fn readd(inner: &Arc<Inner>, line: &SavedLine, cart: &mut Cart) -> LineOutcome {
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
    let req = ApiRequest::post(format!("{CART}/add-item")).json(&body);
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
            match read_customer_cart(inner).await {
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
            }
        }
        Err(e) => LineOutcome::Dropped(drop_reason(&e)),
    }
}

impl CoCartClient {
    /// Moves the guest cart (if a guest key awaits transfer) into the customer's cart, with the
    /// client's [`TransferPolicy`], or finishes a transfer that was interrupted (with the policy
    /// it began with). `login` calls it for you, and so does the next cart call when a transfer
    /// did not complete. It runs to its end as a task of its own. `Ok(None)`: there was nothing
    /// to do (no request is sent).
    pub async fn transfer_guest_cart(&self) -> Result<Option<TransferReport>> {
        self.transfer_guest_cart_with(self.inner.config.transfer_policy)
            .await
    }

    /// [`CoCartClient::transfer_guest_cart`] with another policy for this one transfer (an
    /// interrupted transfer finishes with the policy it began with).
    pub async fn transfer_guest_cart_with(
        &self,
        policy: TransferPolicy,
    ) -> Result<Option<TransferReport>> {
        if !self.is_signed_in() {
            return Err(Error::NotSignedIn);
        }
        run(&self.inner, policy).await
    }

    /// The report of the last transfer this client completed (at login, on a later cart call, or
    /// finishing a transfer an earlier process began).
    pub fn last_transfer(&self) -> Option<TransferReport> {
        self.inner
            .transfer
            .last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether a guest cart transfer awaits, or an interrupted one awaits its end (the next cart
    /// call, or [`CoCartClient::transfer_guest_cart`], does it).
    pub fn transfer_pending(&self) -> bool {
        awaits(&self.inner)
    }

    /// [`CoCartClient::login`], also saying what happened to the guest cart and to the
    /// customer's saved cart. A failed transfer never fails the login: it is in
    /// [`LoginOutcome::transfer_error`] and the next use of the session finishes it.
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
                tracing::warn!(error = %e, "guest cart transfer failed; the next use of the session finishes it");
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
    if awaits(inner) {
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

    fn saved(items: &[CartItem]) -> Vec<SavedLine> {
        items.iter().map(SavedLine::from).collect()
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
        let account = saved(&[line("a", 1, 2.0), line("b", 2, 1.0)]);
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
        let account = saved(&[line("a", 1, 2.0), line("b", 2, 1.0)]);
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
        let account = saved(&[line("a", 1, 5.0)]);
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
        let account = saved(&[hoodie("h1", 204, "Green")]);
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
        let body = serde_json::to_value(
            readd_request(&SavedLine::from(&hoodie("h1", 204, "Green"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"id": "204", "quantity": "1",
                "variation": {"Color": "Green", "Size": "Small"},
                "item_data": {"gift_note": "hi"}})
        );
        let half = readd_request(&SavedLine::from(&line("a", 9, 1.5))).unwrap();
        assert_eq!(half.quantity.to_wire(), "1.5");
        let bad = readd_request(&SavedLine::from(&line("a", 9, -1.0))).unwrap_err();
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
