//! `cart show|add|update|remove|clear`.

use cocart::models::{AddItem, Cart, CartQuery, ItemKey, ProductRef, Quantity};

use super::Outcome;
use crate::args::CartCommand;
use crate::exit::{Exit, Failure};
use crate::output::{cart_json, cart_text, qty, transfer_json, transfer_text};
use crate::session::Session;

/// Runs a cart command and prints the cart that results.
pub async fn run(s: &Session, action: CartCommand) -> Result<Outcome, Failure> {
    let cart = s.client.cart();
    // A guest cart whose transfer did not complete at login (or an interrupted login's re-adds)
    // is finished by this command.
    let transfer_pending = s.client.transfer_pending();
    let (headline, result) = match action {
        CartCommand::Show => (
            String::new(),
            s.progress.run(cart.get(&CartQuery::default())).await?,
        ),
        CartCommand::Add {
            product,
            qty: n,
            variation,
        } => {
            let mut item = AddItem::new(product_ref(&product)).quantity(quantity(n)?);
            for pair in &variation {
                let (attr, value) = pair.split_once('=').ok_or_else(|| {
                    Failure::usage(format!("--variation {pair:?} is not ATTRIBUTE=VALUE"))
                        .hint("e.g. --variation pa_color=blue")
                })?;
                item = item.variation(attr.trim(), value.trim());
            }
            let c = s.progress.run(cart.add_item(item)).await?;
            (format!("Added {} × {product}.\n", qty(n)), c)
        }
        CartCommand::Update { line, qty: n } => {
            let key = resolve_line(s, &line).await?;
            let c = s.progress.run(cart.update_item(&key, quantity(n)?)).await?;
            (format!("Set {line} to {}.\n", qty(n)), c)
        }
        CartCommand::Remove { line } => {
            let key = resolve_line(s, &line).await?;
            let c = s.progress.run(cart.remove_item(&key)).await?;
            (format!("Removed {line}.\n"), c)
        }
        CartCommand::Clear => {
            let c = s.progress.run(cart.clear()).await?;
            ("Cart cleared.\n".to_string(), c)
        }
    };
    let who = if s.client.is_signed_in() {
        ""
    } else {
        "(guest cart; `cocart login` transfers it to your account)\n"
    };
    let transfer = if transfer_pending && !s.client.transfer_pending() {
        s.client.last_transfer()
    } else {
        None
    };
    let mut json = cart_json(&result);
    let mut before = String::new();
    if let Some(report) = &transfer {
        before = transfer_text(report);
        json["transfer"] = transfer_json(report);
    }
    Ok(Outcome::ok(
        format!("{before}{headline}{}{who}", cart_text(&result)),
        json,
    ))
}

/// A product id when the text is a number, else a SKU.
pub(super) fn product_ref(text: &str) -> ProductRef {
    match text.trim().parse::<u64>() {
        Ok(id) => ProductRef::Id(id),
        Err(_) => ProductRef::Sku(text.trim().to_string()),
    }
}

fn quantity(n: f64) -> Result<Quantity, Failure> {
    Quantity::new(n).map_err(|e| Failure::usage(format!("invalid quantity {n}: {e}")))
}

/// Finds the line a user means: an item key, or the SKU or id of exactly one line's product.
async fn resolve_line(s: &Session, line: &str) -> Result<ItemKey, Failure> {
    let cart: Cart = s
        .progress
        .run(s.client.cart().get(&CartQuery::default()))
        .await?;
    if let Some(item) = cart.item(line) {
        return Ok(item.item_key.clone());
    }
    let matches: Vec<_> = cart
        .items
        .iter()
        .filter(|i| i.meta.sku.eq_ignore_ascii_case(line) || i.id.to_string() == line)
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.item_key.clone()),
        [] => Err(Failure::new(
            Exit::Refused,
            "cocart_item_not_in_cart",
            format!("no line of the cart matches {line:?}"),
        )
        .hint("`cocart cart show` lists the lines with their item keys")),
        many => Err(
            Failure::usage(format!("{line:?} matches {} lines of the cart", many.len()))
                .hint("name the line by its item key (`cocart cart show`)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_ids_and_the_rest_skus() {
        assert_eq!(product_ref("101"), ProductRef::Id(101));
        assert_eq!(
            product_ref(" MOCK-MUG "),
            ProductRef::Sku("MOCK-MUG".into())
        );
    }

    #[test]
    fn negative_or_nan_quantities_are_usage_errors() {
        assert_eq!(quantity(-1.0).unwrap_err().exit, Exit::Usage);
        assert_eq!(quantity(f64::NAN).unwrap_err().exit, Exit::Usage);
        assert!(quantity(2.0).is_ok());
    }
}
