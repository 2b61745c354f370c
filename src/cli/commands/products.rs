//! `products`.

use cocart::models::{MAX_PER_PAGE, ProductQuery};

use super::Outcome;
use crate::cli::args::ProductsArgs;
use crate::cli::exit::Failure;
use crate::cli::output::{products_json, products_text};
use crate::cli::session::Session;

/// `cocart products`.
pub async fn list(s: &Session, args: ProductsArgs) -> Result<Outcome, Failure> {
    if args.per_page == 0 || args.per_page > MAX_PER_PAGE || args.page == 0 {
        return Err(Failure::usage(format!(
            "--page must be at least 1 and --per-page between 1 and {MAX_PER_PAGE}"
        )));
    }
    let mut query = ProductQuery::new().page(args.page).per_page(args.per_page);
    if let Some(text) = args.search {
        query = query.search(text);
    }
    let page = s.progress.run(s.client.store().products(&query)).await?;
    Ok(Outcome::ok(products_text(&page), products_json(&page)))
}
