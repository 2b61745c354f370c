//! `client.cart()`: the cart routes of `cocart/v2`.

use std::sync::Arc;

use http::Method;
use serde_json::{Value, json};

use super::{decode, settle};
use crate::client::CoCartClient;
use crate::codes;
use crate::codes::routes::{CART, V2};
use crate::error::{ApiError, ApiErrorKind, Error, Result};
use crate::inner::Inner;
use crate::models::{
    AddItem, AddItems, Cart, CartItem, CartItems, CartLine, CartQuery, CartTotalsRaw,
    CustomerUpdate, ItemKey, Quantity, UpdateQuantities,
};
use crate::request::ApiRequest;

/// The cart of the current user (or guest). Cheap to clone.
///
/// While a guest, every call sends the guest cart key (learned from the first answer); once
/// signed in, the store selects the customer's cart from the token and no key is sent. When a
/// guest cart still awaits its transfer after a login (the transfer failed), the next call
/// completes it first, with the client's transfer policy
/// ([`CoCartClient::last_transfer`] has the report).
///
/// ```no_run
/// # async fn demo(client: cocart::CoCartClient) -> Result<(), cocart::Error> {
/// use cocart::models::AddItem;
/// let cart = client.cart().add_item(AddItem::new("HOODIE-BLUE-M").quantity(2)).await?;
/// for line in cart.items.iter() {
///     println!("{} × {}", line.quantity.value, line.name);
/// }
/// for problem in cart.notices().errors() {
///     eprintln!("store says: {problem}");
/// }
/// println!("total {}", cart.total());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CartApi {
    inner: Arc<Inner>,
}

impl CoCartClient {
    /// The cart routes.
    pub fn cart(&self) -> CartApi {
        CartApi {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl CartApi {
    /// `GET /cart`. `query` selects fields and thumbnails; `CartQuery::default()` for all.
    pub async fn get(&self, query: &CartQuery) -> Result<Cart> {
        let pairs = query
            .to_query_pairs()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v));
        self.read(ApiRequest::get(CART).query(pairs)).await
    }

    /// `POST /cart/add-item`: a product by id or SKU (a variable product needs its variation
    /// attributes). Stock problems come back as typed errors ([`ApiErrorKind::OutOfStock`] …).
    pub async fn add_item(&self, item: AddItem) -> Result<Cart> {
        self.write(Method::POST, "cart/add-item", json_of(&item)?)
            .await
    }

    /// `POST /cart/add-items`: children of a grouped product with their quantities.
    pub async fn add_items(&self, items: AddItems) -> Result<Cart> {
        self.write(Method::POST, "cart/add-items", json_of(&items)?)
            .await
    }

    /// `GET /cart/item/{key}`: one line.
    pub async fn item(&self, key: &ItemKey) -> Result<CartItem> {
        settle(&self.inner).await?;
        let resp = self
            .inner
            .execute(ApiRequest::get(format!("{CART}/item/{}", path_key(key)?)).cart())
            .await?;
        decode(resp)
    }

    /// `GET /cart/items`: the lines keyed by item key, in cart order. An empty cart gives an
    /// empty list (the store answers 404 `cocart_no_items_in_cart`).
    pub async fn items(&self) -> Result<CartItems> {
        settle(&self.inner).await?;
        match self
            .inner
            .execute(ApiRequest::get(format!("{CART}/items")).cart())
            .await
        {
            Ok(resp) => decode(resp),
            Err(e) if e.api_kind() == Some(&ApiErrorKind::CartEmpty) => Ok(CartItems::default()),
            Err(e) => Err(e),
        }
    }

    /// The lines with the cart's currency, which their money needs: `GET /cart` limited to the
    /// `currency` and `items` fields (the `/cart/items` route carries no currency). Only
    /// [`Cart::items`] and [`Cart::currency`] are filled; an empty cart has no lines.
    pub async fn lines(&self) -> Result<Cart> {
        self.get(&CartQuery::new().field("currency").field("items"))
            .await
    }

    /// One line with the cart's currency, read as [`CartApi::lines`] reads them. A key that
    /// names no line is [`Error::Api`] 404 `cocart_item_not_in_cart`
    /// ([`ApiErrorKind::ItemNotInCart`]): the code the store answers on `GET /cart/item/{key}`,
    /// made here by the SDK because this read has no per-line form.
    pub async fn line(&self, key: &ItemKey) -> Result<CartLine> {
        let cart = self.lines().await?;
        match cart.item(key.as_str()) {
            Some(item) => Ok(CartLine::new(item.clone(), cart.currency)),
            None => Err(Error::Api(Box::new(ApiError::new(
                404,
                codes::ITEM_NOT_IN_CART,
                format!("no line {:?} in the cart", key.as_str()),
                Value::Null,
            )))),
        }
    }

    /// The totals with the cart's currency: `GET /cart` limited to the `currency` and `totals`
    /// fields. Read them in minor units with [`Cart::total`], [`Cart::subtotal`] and the other
    /// accessors; only [`Cart::totals`] and [`Cart::currency`] are filled. [`CartApi::totals`]
    /// is the raw `/cart/totals` route, in major units.
    pub async fn money_totals(&self) -> Result<Cart> {
        self.get(&CartQuery::new().field("currency").field("totals"))
            .await
    }

    /// `POST /cart/item/{key}` with a new quantity; `0` removes the line.
    pub async fn update_item(&self, key: &ItemKey, quantity: impl Into<Quantity>) -> Result<Cart> {
        let body = json!({ "quantity": quantity.into().to_wire() });
        self.write(
            Method::POST,
            &format!("cart/item/{}", path_key(key)?),
            Some(body),
        )
        .await
    }

    /// `DELETE /cart/item/{key}`: moves the line to `removed_items`.
    pub async fn remove_item(&self, key: &ItemKey) -> Result<Cart> {
        self.write(
            Method::DELETE,
            &format!("cart/item/{}", path_key(key)?),
            None,
        )
        .await
    }

    /// `PUT /cart/item/{key}`: brings a removed line back.
    pub async fn restore_item(&self, key: &ItemKey) -> Result<Cart> {
        self.write(Method::PUT, &format!("cart/item/{}", path_key(key)?), None)
            .await
    }

    /// `POST /cart/update` with the `update-cart` namespace: several quantities at once.
    pub async fn update_quantities(&self, update: UpdateQuantities) -> Result<Cart> {
        self.write(Method::POST, "cart/update", json_of(&update)?)
            .await
    }

    /// `POST /cart/update` with the `update-customer` namespace.
    ///
    /// The SDK sends the unprefixed billing names, the only ones a CoCart 4.9.3 store applies;
    /// such a store cannot set the shipping address through this route (it copies billing to
    /// shipping unless told otherwise).
    pub async fn update_customer(&self, update: CustomerUpdate) -> Result<Cart> {
        self.write(Method::POST, "cart/update", json_of(&update)?)
            .await
    }

    /// `POST /cart/clear`: empties the cart (and forgets removed lines).
    pub async fn clear(&self) -> Result<Cart> {
        self.write(Method::POST, "cart/clear", None).await
    }

    /// `POST /cart/clear` with `keep_removed_items`: empties the cart but keeps the removed
    /// lines restorable.
    pub async fn clear_keep_removed(&self) -> Result<Cart> {
        self.write(
            Method::POST,
            "cart/clear",
            Some(json!({ "keep_removed_items": true })),
        )
        .await
    }

    /// `POST /cart/calculate`: recalculates totals.
    pub async fn calculate(&self) -> Result<Cart> {
        self.write(Method::POST, "cart/calculate", None).await
    }

    /// `GET /cart/items/count`: the number of items (quantities summed). An empty cart is `0`
    /// (stores answer it with an error).
    pub async fn count(&self) -> Result<f64> {
        settle(&self.inner).await?;
        match self
            .inner
            .execute(ApiRequest::get(format!("{CART}/items/count")).cart())
            .await
        {
            Ok(resp) => number(&resp.value()?)
                .ok_or_else(|| resp.invalid("the count is not a number".into())),
            Err(e) if e.api_kind() == Some(&ApiErrorKind::CartEmpty) => Ok(0.0),
            Err(e) => Err(e),
        }
    }

    /// `GET /cart/totals`: WooCommerce's raw totals (major units). An empty cart gives all
    /// zeros. Prefer [`Cart::totals`], which is in minor units.
    pub async fn totals(&self) -> Result<CartTotalsRaw> {
        settle(&self.inner).await?;
        match self
            .inner
            .execute(ApiRequest::get(format!("{CART}/totals")).cart())
            .await
        {
            Ok(resp) => decode(resp),
            Err(e) if e.api_kind() == Some(&ApiErrorKind::CartEmpty) => {
                Ok(CartTotalsRaw::default())
            }
            Err(e) => Err(e),
        }
    }

    async fn read(&self, req: ApiRequest) -> Result<Cart> {
        settle(&self.inner).await?;
        decode(self.inner.execute(req.cart()).await?)
    }

    /// A write is sent once. If it fails in transit or with a 5xx it may or may not have been
    /// applied: the cart is re-read and returned inside [`Error::WriteOutcomeUnknown`].
    async fn write(&self, method: Method, route: &str, body: Option<Value>) -> Result<Cart> {
        settle(&self.inner).await?;
        let mut req = ApiRequest::new(method, format!("{V2}/{route}")).cart();
        if let Some(body) = &body {
            req = req.json(body);
        }
        match self.inner.execute(req).await {
            Ok(resp) => decode(resp),
            Err(e @ (Error::Network(_) | Error::Timeout | Error::Server { .. })) => {
                tracing::warn!(route, error = %e, "write failed in transit; re-reading the cart");
                let cart = self.get(&CartQuery::default()).await.ok().map(Box::new);
                Err(Error::WriteOutcomeUnknown {
                    cause: Box::new(e),
                    cart,
                })
            }
            Err(e) => Err(e),
        }
    }
}

fn json_of<T: serde::Serialize>(value: &T) -> Result<Option<Value>> {
    serde_json::to_value(value)
        .map(Some)
        .map_err(|e| Error::Internal(format!("request body: {e}")))
}

/// Item keys are `[\w]+` on the store: refuse anything that could change the path.
fn path_key(key: &ItemKey) -> Result<&str> {
    let k = key.as_ref();
    if !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_') {
        Ok(k)
    } else {
        Err(Error::InvalidArgument(format!(
            "{k:?} is not a cart item key (expected letters, digits and underscores)"
        )))
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
