//! The five-minute tour: starts an embedded `cocart-mock` store on 127.0.0.1, then walks the SDK
//! through a shopper's session, printing each step.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! 1. browse the store and its products;
//! 2. fill a guest cart;
//! 3. log in as the seeded demo customer: the guest cart moves to the customer;
//! 4. jump ten days ahead (the mock's clock and the client's together): the next call refreshes the
//!    token *before* sending, and the mock's journal shows exactly one refresh;
//! 5. log out.

use std::error::Error;
use std::io::Write;
use std::process::ExitCode;

use cocart::clock::OffsetClock;
use cocart::models::{AddItem, Cart, CartQuery, ProductQuery};
use cocart::{AuthEvent, CoCartClient};
use cocart_mock::MockServer;

/// The refresh route, as the mock journals it.
const REFRESH_PATH: &str = "/wp-json/cocart/jwt/refresh-token";

/// What the tour observed (the end-to-end test checks it).
#[derive(Debug, Default)]
pub struct Summary {
    /// The guest cart key before the login.
    pub guest_cart_key: String,
    /// The customer's cart key after the login (the user id).
    pub customer_cart_key: String,
    /// The SKUs in the customer's cart after the transfer.
    pub customer_skus: Vec<String>,
    /// The cart total after the transfer, as displayed.
    pub total: String,
    /// Statuses of the refresh calls the mock saw after the clock jump.
    pub refresh_statuses: Vec<u16>,
    /// Requests answered 401/403 after the clock jump (a proactive refresh leaves none).
    pub rejected_after_jump: usize,
    /// Whether the store confirmed the logout.
    pub logout_confirmed: bool,
    /// The auth events, in order.
    pub events: Vec<String>,
}

fn print_cart(out: &mut dyn Write, cart: &Cart) -> std::io::Result<()> {
    for line in &cart.items {
        writeln!(
            out,
            "     {} × {:<22} {:>9}",
            line.quantity.value,
            line.name,
            line.line_subtotal(&cart.currency).to_string()
        )?;
    }
    writeln!(
        out,
        "     total {} (cart key {})",
        cart.total(),
        cart.cart_key
    )
}

/// Runs the tour, printing to `out`.
pub async fn run(out: &mut dyn Write) -> Result<Summary, Box<dyn Error + Send + Sync>> {
    let mut summary = Summary::default();

    // An embedded mock store on 127.0.0.1:0, seeded with a catalog and the demo customer.
    let server = MockServer::start().await?;
    writeln!(out, "1. Started cocart-mock at {}", server.base_url())?;
    writeln!(out, "   (demo customer: demo / demo-password)")?;

    // The client measures token lifetimes with a clock the tour can move with the mock's.
    let clock = OffsetClock::new();
    let client = CoCartClient::builder(server.base_url())
        .user_agent("cocart-quickstart/1.0")
        .clock(clock.clone())
        .build()?;
    let mut events = client.subscribe();

    let store = client.catalog().store_info().await?;
    let page = client
        .catalog()
        .products(&ProductQuery::new().per_page(5))
        .await?;
    writeln!(
        out,
        "\n2. Store \"{}\": {} products; the first {}:",
        store.title,
        page.total_products,
        page.products.len()
    )?;
    for p in &page.products {
        writeln!(
            out,
            "     {:<4} {:<22} {:<24} {}",
            p.id,
            p.sku,
            p.name,
            p.price()
        )?;
    }

    client
        .cart()
        .add_item(AddItem::new("MOCK-TSHIRT").quantity(2))
        .await?;
    let guest = client.cart().add_item(AddItem::new("MOCK-MUG")).await?;
    summary.guest_cart_key = guest.cart_key.clone();
    writeln!(out, "\n3. Filled a guest cart:")?;
    print_cart(out, &guest)?;

    let user = client.login("demo", "demo-password").await?;
    let cart = client.cart().get(&CartQuery::default()).await?;
    summary.customer_cart_key = cart.cart_key.clone();
    summary.customer_skus = cart.items.iter().map(|i| i.meta.sku.clone()).collect();
    summary.total = cart.total().to_string();
    writeln!(
        out,
        "\n4. Logged in as {} <{}> (user {}); the guest cart moved to the customer:",
        user.display_name, user.email, user.id
    )?;
    print_cart(out, &cart)?;

    // Ten days less two minutes later the token is inside the SDK's refresh window (5 min):
    // the next call refreshes it first, so no request is ever rejected.
    let jump = 864_000 - 120;
    server.advance_clock(jump);
    clock.advance(jump);
    server.clear_journal();
    client.cart().get(&CartQuery::default()).await?;
    client.cart().get(&CartQuery::default()).await?;
    let journal = server.journal();
    summary.refresh_statuses = journal
        .iter()
        .filter(|e| e.path == REFRESH_PATH)
        .map(|e| e.status)
        .collect();
    summary.rejected_after_jump = journal
        .iter()
        .filter(|e| e.status == 401 || e.status == 403)
        .count();
    writeln!(
        out,
        "\n5. Moved the mock's clock and the client's {} s ahead (the token expires in 2 minutes).",
        jump
    )?;
    writeln!(
        out,
        "   Two cart reads later the journal shows {} refresh call(s) {:?} and {} rejected request(s):",
        summary.refresh_statuses.len(),
        summary.refresh_statuses,
        summary.rejected_after_jump
    )?;
    for e in &journal {
        writeln!(out, "     {} {} → {}", e.method, e.path, e.status)?;
    }

    let logout = client.logout().await?;
    summary.logout_confirmed = logout.server_confirmed;
    writeln!(
        out,
        "\n6. Logged out (store confirmed: {}); signed in now: {}",
        logout.server_confirmed,
        client.is_signed_in()
    )?;

    while let Some(event) = events.try_recv() {
        summary.events.push(match event {
            AuthEvent::InitialSession { .. } => "InitialSession".to_string(),
            AuthEvent::SignedIn { user } => format!("SignedIn({})", user.id),
            AuthEvent::TokenRefreshed { .. } => "TokenRefreshed".to_string(),
            AuthEvent::SignedOut { reason } => format!("SignedOut({reason:?})"),
            other => format!("{other:?}"),
        });
    }
    writeln!(out, "   auth events: {}", summary.events.join(", "))?;
    writeln!(
        out,
        "\nNext: `cargo run --example backend` serves a cart over HTTP; `cargo run --bin cocart -- doctor <url>` checks a real store."
    )?;
    Ok(summary)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut stdout = std::io::stdout();
    match run(&mut stdout).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}
