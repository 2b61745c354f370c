//! [`CartApi`]: the cart of the current user or guest.

use std::collections::HashMap;

use cocart::models::{AddItems, CartQuery, CustomerUpdate, ItemKey, UpdateQuantities};

use crate::error::CoCartError;
use crate::error::ValidationKind;
use crate::records::{
    AddItemRequest, BillingAddress, Cart, CartItem, CartTotals, ProductRef, quantity,
};
use crate::runtime::run;

/// The cart routes. While a guest, the guest cart key is sent for you; once signed in, the store
/// picks the customer's cart from the token.
#[derive(Debug, uniffi::Object)]
pub struct CartApi {
    core: cocart::CartApi,
}

impl CartApi {
    pub(crate) fn new(core: cocart::CartApi) -> Self {
        Self { core }
    }
}

fn key_of(key: String) -> ItemKey {
    ItemKey::new(key)
}

/// The cart limited to its currency and lines: items need the cart's currency for their money.
fn lines_query() -> CartQuery {
    CartQuery::new().field("currency").field("items")
}

#[uniffi::export]
impl CartApi {
    /// The whole cart.
    pub async fn get(&self) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        run(async move { Ok(Cart::from(core.get(&CartQuery::default()).await?)) }).await
    }

    /// Adds a product (by id or SKU) with a quantity and, for a variable product, its variation
    /// attributes. Stock problems are `Validation` errors.
    pub async fn add_item(&self, item: AddItemRequest) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        let item = cocart::models::AddItem::try_from(item)?;
        run(async move { Ok(Cart::from(core.add_item(item).await?)) }).await
    }

    /// Adds children of a grouped product: child id → quantity.
    pub async fn add_items(
        &self,
        parent: ProductRef,
        quantities: HashMap<u64, f64>,
    ) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        let mut items = AddItems::new(cocart::models::ProductRef::from(parent));
        let mut children: Vec<_> = quantities.into_iter().collect();
        children.sort_by_key(|(id, _)| *id);
        for (id, q) in children {
            items = items.child(id, quantity(q)?);
        }
        run(async move { Ok(Cart::from(core.add_items(items).await?)) }).await
    }

    /// One line by its key (read from the cart, with the cart's currency).
    pub async fn item(&self, item_key: String) -> Result<CartItem, CoCartError> {
        let core = self.core.clone();
        run(async move {
            let cart = core.get(&lines_query()).await?;
            cart.item(&item_key)
                .map(|line| CartItem::new(line, &cart.currency))
                .ok_or_else(|| CoCartError::Validation {
                    code: "cocart_item_not_in_cart".into(),
                    message: format!("no line {item_key:?} in the cart"),
                    kind: ValidationKind::ItemNotInCart,
                })
        })
        .await
    }

    /// All lines, in cart order (empty for an empty cart).
    pub async fn items(&self) -> Result<Vec<CartItem>, CoCartError> {
        let core = self.core.clone();
        run(async move {
            let cart = core.get(&lines_query()).await?;
            Ok(cart
                .items
                .iter()
                .map(|i| CartItem::new(i, &cart.currency))
                .collect())
        })
        .await
    }

    /// Sets a line's quantity; 0 removes it.
    pub async fn update_item(&self, item_key: String, quantity: f64) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        let q = crate::records::quantity(quantity)?;
        run(async move { Ok(Cart::from(core.update_item(&key_of(item_key), q).await?)) }).await
    }

    /// Removes a line (restorable with `restore_item`).
    pub async fn remove_item(&self, item_key: String) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        run(async move { Ok(Cart::from(core.remove_item(&key_of(item_key)).await?)) }).await
    }

    /// Brings a removed line back.
    pub async fn restore_item(&self, item_key: String) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        run(async move { Ok(Cart::from(core.restore_item(&key_of(item_key)).await?)) }).await
    }

    /// Sets several quantities at once: item key → quantity (0 removes the line).
    pub async fn update_quantities(
        &self,
        quantities: HashMap<String, f64>,
    ) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        let mut update = UpdateQuantities::new();
        for (key, q) in quantities {
            update = update.set(key, quantity(q)?);
        }
        run(async move { Ok(Cart::from(core.update_quantities(update).await?)) }).await
    }

    /// Changes billing fields of the customer (the cart must not be empty).
    pub async fn update_customer(&self, billing: BillingAddress) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        let update = CustomerUpdate::new(billing.into());
        run(async move { Ok(Cart::from(core.update_customer(update).await?)) }).await
    }

    /// Empties the cart.
    pub async fn clear(&self) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        run(async move { Ok(Cart::from(core.clear().await?)) }).await
    }

    /// Recalculates the totals.
    pub async fn calculate(&self) -> Result<Cart, CoCartError> {
        let core = self.core.clone();
        run(async move { Ok(Cart::from(core.calculate().await?)) }).await
    }

    /// The number of items (quantities summed); 0 for an empty cart.
    pub async fn count(&self) -> Result<f64, CoCartError> {
        let core = self.core.clone();
        run(async move { Ok(core.count().await?) }).await
    }

    /// The totals in minor units with the cart's currency (one `GET /cart` limited to the
    /// `currency` and `totals` fields).
    pub async fn totals(&self) -> Result<CartTotals, CoCartError> {
        let core = self.core.clone();
        run(async move {
            let cart = core
                .get(&CartQuery::new().field("currency").field("totals"))
                .await?;
            Ok(CartTotals::from(&cart))
        })
        .await
    }
}
