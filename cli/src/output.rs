//! What the commands print: short human text by default, stable JSON with `--json`.

use std::fmt::Write as _;

use cocart::User;
use cocart::models::{
    Attribute, AttributeTerm, Cart, LineOrigin, LineOutcome, Money, Paged, Product, ProductPage,
    Review, TransferPolicy, TransferReport,
};
use serde_json::{Value, json};

/// A money value as JSON: the display text and the integer minor units.
fn money(m: &Money) -> Value {
    json!({"display": m.to_string(), "minor": m.minor(), "currency": m.currency().code})
}

/// Quantities print as integers when they are whole (`2`, not `2.0`).
pub fn qty(q: f64) -> String {
    if q.fract() == 0.0 && q.abs() < 1e15 {
        format!("{}", q as i64)
    } else {
        format!("{q}")
    }
}

/// A quantity or count as JSON: an integer when whole (`3`, not `3.0`), else the decimal the
/// store sent (`1.5`).
pub fn qty_json(q: f64) -> Value {
    if q.fract() == 0.0 && q.abs() < 9_007_199_254_740_992.0 {
        json!(q as i64)
    } else {
        json!(q)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The JSON of a transfer report (`cocart login --json`).
pub fn transfer_json(report: &TransferReport) -> Value {
    let lines: Vec<Value> = report
        .lines
        .iter()
        .map(|l| {
            let (outcome, why) = match &l.outcome {
                LineOutcome::Moved => ("moved", None),
                LineOutcome::Kept => ("kept", None),
                LineOutcome::GuestLineWins => ("guest_line_wins", None),
                LineOutcome::Readded => ("readded", None),
                LineOutcome::Dropped(why) => ("dropped", Some(why)),
                _ => ("other", None),
            };
            json!({
                "origin": match l.origin {
                    LineOrigin::Guest => "guest",
                    LineOrigin::Account => "account",
                },
                "item_key": l.item_key.as_str(),
                "product_id": l.product_id,
                "name": l.name,
                "quantity": qty_json(l.quantity),
                "variation": l.variation,
                "outcome": outcome,
                "reason": why.map(|w| w.reason.as_str()),
                "code": why.map(|w| w.code.as_str()),
                "message": why.map(|w| w.message.as_str()),
            })
        })
        .collect();
    json!({
        "policy": match report.policy {
            TransferPolicy::GuestReplaces => "guest-replaces",
            _ => "keep-both",
        },
        "account_cart_read": report.account_cart_read,
        "summary": report.summary(),
        "lines": lines,
        "moved": report.moved().count(),
        "kept": report.kept().count(),
        "guest_line_wins": report.guest_line_wins().count(),
        "readded": report.readded().count(),
        "dropped": report.dropped().count(),
    })
}

/// A transfer report as text: the summary, then one line per account line that needed care.
pub fn transfer_text(report: &TransferReport) -> String {
    let mut out = format!("Guest cart transferred: {}.\n", report.summary());
    for l in report
        .lines
        .iter()
        .filter(|l| l.origin == LineOrigin::Account)
    {
        let what = match &l.outcome {
            LineOutcome::Kept => "kept".to_string(),
            LineOutcome::GuestLineWins => "also in the guest cart: its quantity stands".to_string(),
            LineOutcome::Readded => "re-added".to_string(),
            LineOutcome::Dropped(why) => format!("NOT re-added: {} ({})", why.reason, why.message),
            _ => continue,
        };
        let _ = writeln!(out, "  {} × {}: {what}", qty(l.quantity), l.name);
    }
    out
}

/// The JSON summary of a cart (`cocart cart show --json`).
pub fn cart_json(cart: &Cart) -> Value {
    let items: Vec<Value> = cart
        .items
        .iter()
        .map(|i| {
            json!({
                "item_key": i.item_key.as_str(),
                "id": i.id,
                "name": i.name,
                "sku": i.meta.sku,
                "quantity": qty_json(i.quantity.value),
                "unit_price": money(&i.unit_price(&cart.currency)),
                "line_total": money(&i.line_subtotal(&cart.currency)),
            })
        })
        .collect();
    json!({
        "cart_key": cart.cart_key,
        "item_count": qty_json(cart.item_count),
        "line_count": cart.items.len(),
        "items": items,
        "subtotal": money(&cart.subtotal()),
        "total": money(&cart.total()),
        "notices": {
            "error": cart.notices().errors(),
            "success": cart.notices().successes(),
            "notice": cart.notices().notices(),
            "info": cart.notices().infos(),
        },
    })
}

/// The cart as text.
pub fn cart_text(cart: &Cart) -> String {
    let mut out = String::new();
    if cart.items.is_empty() {
        out.push_str("The cart is empty.\n");
    } else {
        let _ = writeln!(
            out,
            "{:<4} {:<34} {:<20} {:>6} {:>12}",
            "#", "ITEM KEY", "SKU", "QTY", "TOTAL"
        );
        for (n, i) in cart.items.iter().enumerate() {
            let _ = writeln!(
                out,
                "{:<4} {:<34} {:<20} {:>6} {:>12}  {}",
                n + 1,
                i.item_key.as_str(),
                i.meta.sku,
                qty(i.quantity.value),
                i.line_subtotal(&cart.currency).to_string(),
                i.name
            );
        }
        let units = if cart.item_count == 1.0 {
            "1 unit".to_string()
        } else {
            format!("{} units", qty(cart.item_count))
        };
        let _ = writeln!(
            out,
            "{} ({units}), subtotal {}, total {}",
            plural(cart.items.len(), "line", "lines"),
            cart.subtotal(),
            cart.total()
        );
    }
    for e in cart.notices().errors() {
        let _ = writeln!(out, "store says (error): {e}");
    }
    for s in cart.notices().successes() {
        let _ = writeln!(out, "store says: {s}");
    }
    for s in cart
        .notices()
        .notices()
        .iter()
        .chain(cart.notices().infos())
    {
        let _ = writeln!(out, "store says: {s}");
    }
    out
}

fn product_json(p: &Product) -> Value {
    json!({
        "id": p.id,
        "sku": p.sku,
        "name": p.name,
        "type": p.product_type,
        "price": money(&p.price()),
        "in_stock": p.is_in_stock(),
        "stock_quantity": p.stock.stock_quantity,
        "purchasable": p.is_purchasable(),
    })
}

/// A product's stock as a few words: `12 in stock` when the store sends a quantity, else
/// `in stock`, `backorder` or `out`.
pub fn stock_text(p: &Product) -> String {
    match (p.is_in_stock(), p.stock.stock_quantity) {
        (true, Some(n)) if n > 0 => format!("{n} in stock"),
        (true, _) if p.stock.stock_status == "onbackorder" => "backorder".to_string(),
        (true, _) => "in stock".to_string(),
        (false, _) => "out".to_string(),
    }
}

/// The line under a listing: `page 1 of 3 (41 products)`, `1 product`, or `no products`
/// (never `page 1 of 0`). `page` past the last one says so.
pub fn page_line(page: u32, total_pages: u32, total: u64, one: &str, many: &str) -> String {
    let count = match total {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    match (total, total_pages) {
        (0, _) => count,
        (_, 0 | 1) if page <= 1 => count,
        (_, last) if page > last => {
            format!("page {page} is past the last page ({last}); {count}")
        }
        (_, last) => format!("page {page} of {last} ({count})"),
    }
}

/// The JSON of a product page (`cocart products --json`).
pub fn products_json(page: &ProductPage) -> Value {
    json!({
        "page": page.page,
        "total_pages": page.total_pages,
        "total_products": page.total_products,
        "products": page.products.iter().map(product_json).collect::<Vec<_>>(),
    })
}

/// A product page as text.
pub fn products_text(page: &ProductPage) -> String {
    let mut out = String::new();
    if !page.products.is_empty() {
        let _ = writeln!(
            out,
            "{:<6} {:<22} {:>10}  {:<12} NAME",
            "ID", "SKU", "PRICE", "STOCK"
        );
    }
    for p in &page.products {
        let _ = writeln!(
            out,
            "{:<6} {:<22} {:>10}  {:<12} {}{}",
            p.id,
            p.sku,
            p.price().to_string(),
            stock_text(p),
            p.name,
            if p.product_type == "variable" {
                " (variable: add a variation's SKU)"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        out,
        "{}",
        page_line(
            page.page,
            page.total_pages,
            page.total_products,
            "product",
            "products"
        )
    );
    out
}

/// The JSON of `cocart attributes`: each attribute with its terms.
pub fn attributes_json(facets: &[(Attribute, Paged<AttributeTerm>)]) -> Value {
    Value::Array(
        facets
            .iter()
            .map(|(a, terms)| {
                json!({
                    "id": a.id,
                    "name": a.name,
                    "slug": a.slug,
                    "total_terms": terms.total,
                    "terms": terms.items.iter().map(|t| json!({
                        "id": t.id, "name": t.name, "slug": t.slug, "count": t.count,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// `cocart attributes` as text: `Color (pa_color): Blue (blue) 1, …`.
pub fn attributes_text(facets: &[(Attribute, Paged<AttributeTerm>)]) -> String {
    let mut out = String::new();
    if facets.is_empty() {
        out.push_str("No attributes.\n");
    }
    for (a, terms) in facets {
        let list: Vec<String> = terms
            .items
            .iter()
            .map(|t| format!("{} ({}) {}", t.name, t.slug, t.count))
            .collect();
        let _ = writeln!(
            out,
            "{} [{}] id {}: {}",
            a.name,
            a.slug,
            a.id,
            list.join(", ")
        );
    }
    out
}

/// Strips tags from a review's HTML and collapses whitespace.
fn plain(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The JSON of `cocart reviews`.
pub fn reviews_json(product_id: u64, page: &Paged<Review>) -> Value {
    json!({
        "product_id": product_id,
        "page": page.page,
        "total_pages": page.total_pages,
        "total": page.total,
        "reviews": page.items.iter().map(|r| json!({
            "id": r.id,
            "reviewer": r.reviewer,
            "rating": r.rating,
            "verified": r.verified,
            "date": r.date_created,
            "text": plain(&r.review),
            "status": r.status,
        })).collect::<Vec<_>>(),
    })
}

/// `cocart reviews` as text.
pub fn reviews_text(product_id: u64, page: &Paged<Review>) -> String {
    let mut out = String::new();
    if page.items.is_empty() {
        let _ = writeln!(out, "No reviews for product {product_id}.");
        return out;
    }
    for r in &page.items {
        let stars = "*".repeat(usize::try_from(r.rating.min(5)).unwrap_or(0));
        let _ = writeln!(
            out,
            "{:<5} {} {}{}: {}",
            stars,
            r.date_created,
            r.reviewer,
            if r.verified { " (verified owner)" } else { "" },
            plain(&r.review)
        );
    }
    let _ = writeln!(
        out,
        "{}",
        page_line(page.page, page.total_pages, page.total, "review", "reviews")
    );
    out
}

/// The JSON of a user.
pub fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "email": u.email,
        "role": u.role,
    })
}

/// A user as one line of text.
pub fn user_text(u: &User) -> String {
    let name = if u.display_name.is_empty() {
        u.username.clone().unwrap_or_default()
    } else {
        u.display_name.clone()
    };
    format!("{name} <{}> (user {}, {})", u.email, u.id, u.role)
}

/// A duration in seconds as `3d 4h`, `12m`, `40s`.
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_durations_read_naturally() {
        assert_eq!(qty(2.0), "2");
        assert_eq!(qty(1.5), "1.5");
        assert_eq!(qty_json(3.0).to_string(), "3");
        assert_eq!(qty_json(1.5).to_string(), "1.5");
        assert_eq!(human_duration(40), "40s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 86_400 + 7200), "3d 2h");
    }

    #[test]
    fn the_cart_json_has_lines_and_totals_in_minor_units() {
        let cart: Cart = serde_json::from_value(json!({
            "cart_key": "t_abc",
            "currency": {"currency_code":"USD","currency_symbol":"$","currency_minor_unit":2,
                "currency_decimal_separator":".","currency_thousand_separator":",","currency_prefix":"$"},
            "items": [{"item_key":"k1","id":101,"name":"T-Shirt","price":"1250",
                "quantity":{"value":2,"min_purchase":1,"max_purchase":-1},
                "totals":{"subtotal":"2500","total":25},"meta":{"sku":"MOCK-TSHIRT"}}],
            "item_count": 2,
            "totals": {"subtotal":"2500","total":"2500"},
            "notices": {"error": ["low stock"]}
        }))
        .unwrap();
        let v = cart_json(&cart);
        assert_eq!(v["items"][0]["sku"], "MOCK-TSHIRT");
        assert_eq!(v["items"][0]["line_total"]["minor"], 2500);
        assert_eq!(v["total"]["display"], "$25.00");
        assert_eq!(v["notices"]["error"][0], "low stock");
        assert!(cart_text(&cart).contains("store says (error): low stock"));
        // Whole counts are integers in JSON; the text tells lines from units.
        assert_eq!(v["item_count"].to_string(), "2");
        assert_eq!(v["items"][0]["quantity"].to_string(), "2");
        assert_eq!(v["line_count"], 1);
        assert!(cart_text(&cart).contains("1 line (2 units), subtotal $25.00"));
    }

    #[test]
    fn decimal_quantities_stay_decimals() {
        let cart: Cart = serde_json::from_value(json!({
            "items": [{"item_key":"k1","id":101,"name":"Fabric",
                "quantity":{"value":1.5}}],
            "item_count": 1.5
        }))
        .unwrap();
        let v = cart_json(&cart);
        assert_eq!(v["item_count"].to_string(), "1.5");
        assert_eq!(v["items"][0]["quantity"].to_string(), "1.5");
        assert!(
            cart_text(&cart).contains("1 line (1.5 units)"),
            "{}",
            cart_text(&cart)
        );
    }
}
