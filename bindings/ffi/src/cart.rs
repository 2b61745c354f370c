//! [`CartApi`]: the cart of the current user or guest.

use std::collections::HashMap;

use cocart::models::{AddItems, CartQuery, CustomerUpdate, ItemKey, UpdateQuantities};

use crate::error::CoCartError;
use crate::records::{
    AddItemRequest, BillingAddress, Cart, CartItem, CartTotals, ProductRef, id, quantity,
};
use crate::runtime::call;

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

#[uniffi::export]
impl CartApi {
    /// The whole cart.
    pub async fn get(&self) -> Result<Cart, CoCartError> {
        call(&self.core, |core| async move {
            Ok(Cart::from(core.get(&CartQuery::default()).await?))
        })
        .await
    }

    /// Adds a product (by id or SKU) with a quantity and, for a variable product, its variation
    /// attributes. Stock problems are `Validation` errors.
    pub async fn add_item(&self, item: AddItemRequest) -> Result<Cart, CoCartError> {
        let item = cocart::models::AddItem::try_from(item)?;
        call(&self.core, |core| async move {
            Ok(Cart::from(core.add_item(item).await?))
        })
        .await
    }

    /// Adds children of a grouped product: child id → quantity.
    pub async fn add_items(
        &self,
        parent: ProductRef,
        quantities: HashMap<i64, f64>,
    ) -> Result<Cart, CoCartError> {
        let mut items = AddItems::new(cocart::models::ProductRef::try_from(parent)?);
        let mut children: Vec<_> = quantities.into_iter().collect();
        children.sort_by_key(|(id, _)| *id);
        for (child, q) in children {
            items = items.child(id("child id", child)?, quantity(q)?);
        }
        call(&self.core, |core| async move {
            Ok(Cart::from(core.add_items(items).await?))
        })
        .await
    }

    /// One line by its key, with the cart's currency (the core's `CartApi::line`). A key that
    /// names no line is a `Validation` error with kind `ItemNotInCart`.
    pub async fn item(&self, item_key: String) -> Result<CartItem, CoCartError> {
        call(&self.core, |core| async move {
            let line = core.line(&key_of(item_key)).await?;
            Ok(CartItem::new(&line.item, &line.currency))
        })
        .await
    }

    /// All lines, in cart order (empty for an empty cart), with the cart's currency (the
    /// core's `CartApi::lines`).
    pub async fn items(&self) -> Result<Vec<CartItem>, CoCartError> {
        call(&self.core, |core| async move {
            let cart = core.lines().await?;
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
        let q = crate::records::quantity(quantity)?;
        call(&self.core, |core| async move {
            Ok(Cart::from(core.update_item(&key_of(item_key), q).await?))
        })
        .await
    }

    /// Removes a line (restorable with `restore_item`).
    pub async fn remove_item(&self, item_key: String) -> Result<Cart, CoCartError> {
        call(&self.core, |core| async move {
            Ok(Cart::from(core.remove_item(&key_of(item_key)).await?))
        })
        .await
    }

    /// Brings a removed line back.
    pub async fn restore_item(&self, item_key: String) -> Result<Cart, CoCartError> {
        call(&self.core, |core| async move {
            Ok(Cart::from(core.restore_item(&key_of(item_key)).await?))
        })
        .await
    }

    /// Sets several quantities at once: item key → quantity (0 removes the line).
    pub async fn update_quantities(
        &self,
        quantities: HashMap<String, f64>,
    ) -> Result<Cart, CoCartError> {
        let mut update = UpdateQuantities::new();
        for (key, q) in quantities {
            update = update.set(key, quantity(q)?);
        }
        call(&self.core, |core| async move {
            Ok(Cart::from(core.update_quantities(update).await?))
        })
        .await
    }

    /// Changes billing fields of the customer (the cart must not be empty).
    pub async fn update_customer(&self, billing: BillingAddress) -> Result<Cart, CoCartError> {
        let update = CustomerUpdate::new(billing.into());
        call(&self.core, |core| async move {
            Ok(Cart::from(core.update_customer(update).await?))
        })
        .await
    }

    /// Empties the cart.
    pub async fn clear(&self) -> Result<Cart, CoCartError> {
        call(&self.core, |core| async move {
            Ok(Cart::from(core.clear().await?))
        })
        .await
    }

    /// Recalculates the totals.
    pub async fn calculate(&self) -> Result<Cart, CoCartError> {
        call(&self.core, |core| async move {
            Ok(Cart::from(core.calculate().await?))
        })
        .await
    }

    /// The number of items (quantities summed); 0 for an empty cart.
    pub async fn count(&self) -> Result<f64, CoCartError> {
        call(&self.core, |core| async move { Ok(core.count().await?) }).await
    }

    /// The totals in minor units with the cart's currency (the core's
    /// `CartApi::money_totals`).
    pub async fn totals(&self) -> Result<CartTotals, CoCartError> {
        call(&self.core, |core| async move {
            Ok(CartTotals::from(&core.money_totals().await?))
        })
        .await
    }
}
