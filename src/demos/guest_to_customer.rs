//! Guest → customer: add a product to a guest cart, log in, let the SDK transfer the guest cart
//! to the customer, and read the customer's cart.
//!
//! The example `examples/guest_to_customer.rs` is a thin `main` over [`run`].

use std::fmt;

use clap::Parser;
use cocart::clock::OffsetClock;
use cocart::models::{AddItem, Cart, CartQuery, ItemKey, ProductRef, TransferReport};
use cocart::{Error, User};

use super::common::StoreArgs;

/// Command-line options of the `guest_to_customer` example.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "guest_to_customer",
    about = "Adds a product to a guest cart, logs in, transfers the cart and prints the customer's cart"
)]
pub struct Args {
    /// Store and customer.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The product to add: a numeric id or a SKU.
    #[arg(long)]
    pub product: String,
    /// How many to add.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub quantity: u32,
}

/// What happened, for printing and for tests.
#[derive(Debug, Clone)]
pub struct Report {
    /// The guest cart key the store handed out.
    pub guest_cart_key: String,
    /// The guest cart right after the add.
    pub guest_cart: Cart,
    /// Who signed in.
    pub user: User,
    /// What the transfer did with each line (the guest's, and the customer's saved ones).
    pub transfer: Option<TransferReport>,
    /// The customer's cart after the transfer.
    pub customer_cart: Cart,
    /// Guest lines that did not arrive in the customer's cart (empty on success).
    pub missing_lines: Vec<ItemKey>,
}

impl Report {
    /// Whether every guest line arrived in the customer's cart.
    pub fn transferred(&self) -> bool {
        self.missing_lines.is_empty()
    }
}

/// Reads `101` as a product id and anything else as a SKU.
pub fn product_ref(raw: &str) -> ProductRef {
    let raw = raw.trim();
    match raw.parse::<u64>() {
        Ok(id) if raw.bytes().all(|b| b.is_ascii_digit()) => ProductRef::Id(id),
        _ => ProductRef::Sku(raw.to_string()),
    }
}

/// Runs the demo against the store in `args`.
pub async fn run(args: Args) -> Result<Report, Error> {
    let client = args.store.client(OffsetClock::new())?;

    let guest_cart = client
        .cart()
        .add_item(AddItem::new(product_ref(&args.product)).quantity(args.quantity))
        .await?;
    let guest_cart_key = client
        .cart_key()
        .unwrap_or_else(|| guest_cart.cart_key.clone());

    // The login transfers the guest cart and keeps the customer's saved lines (the store alone
    // would drop them). A failed transfer does not fail the login; retry here to surface it.
    let outcome = client
        .login_with_report(&args.store.username, &args.store.password)
        .await?;
    let user = outcome.user;
    let transfer = match outcome.transfer {
        Some(report) => Some(report),
        None if client.cart_key().is_some() => client.transfer_guest_cart().await?,
        None => None,
    };

    let customer_cart = client.cart().get(&CartQuery::default()).await?;
    let missing_lines = guest_cart
        .items
        .iter()
        .filter(|line| customer_cart.item(line.item_key.as_str()).is_none())
        .map(|line| line.item_key.clone())
        .collect();
    Ok(Report {
        guest_cart_key,
        guest_cart,
        user,
        transfer,
        customer_cart,
        missing_lines,
    })
}

fn write_cart(f: &mut fmt::Formatter<'_>, cart: &Cart) -> fmt::Result {
    for line in &cart.items {
        writeln!(
            f,
            "  {} × {} ({})  {}",
            line.quantity.value,
            line.name,
            if line.meta.sku.is_empty() {
                line.id.to_string()
            } else {
                line.meta.sku.clone()
            },
            line.line_total(&cart.currency)
        )?;
    }
    writeln!(
        f,
        "  total {} ({} {}, {} units)",
        cart.total(),
        cart.items.len(),
        if cart.items.len() == 1 {
            "line"
        } else {
            "lines"
        },
        cart.item_count
    )?;
    for problem in cart.notices().errors() {
        writeln!(f, "  store says: {problem}")?;
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "guest cart {}:", self.guest_cart_key)?;
        write_cart(f, &self.guest_cart)?;
        writeln!(
            f,
            "signed in as {} (user {})",
            self.user.display_name, self.user.id
        )?;
        writeln!(
            f,
            "customer cart {} after the transfer:",
            self.customer_cart.cart_key
        )?;
        write_cart(f, &self.customer_cart)?;
        if let Some(report) = &self.transfer {
            writeln!(f, "transfer: {report}")?;
        }
        if self.transferred() {
            write!(f, "transfer: every guest line is in the customer's cart")
        } else {
            write!(
                f,
                "transfer: MISSING {} guest line(s): {:?}",
                self.missing_lines.len(),
                self.missing_lines
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_ids_and_anything_else_is_a_sku() {
        assert_eq!(product_ref("101"), ProductRef::Id(101));
        assert_eq!(product_ref(" 7 "), ProductRef::Id(7));
        assert_eq!(
            product_ref("MOCK-MUG"),
            ProductRef::Sku("MOCK-MUG".to_string())
        );
        assert_eq!(product_ref("+5"), ProductRef::Sku("+5".to_string()));
    }

    #[test]
    fn args_parse_and_never_show_the_password() {
        let args = Args::try_parse_from([
            "guest_to_customer",
            "--store-url",
            "http://127.0.0.1:1",
            "--username",
            "demo",
            "--password",
            "hunter2-secret",
            "--product",
            "MOCK-MUG",
        ])
        .unwrap();
        assert_eq!(args.quantity, 1);
        assert_eq!(args.product, "MOCK-MUG");
        assert!(!format!("{args:?}").contains("hunter2-secret"));
    }
}
