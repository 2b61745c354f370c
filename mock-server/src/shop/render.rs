//! What rendering needs besides the cart (the catalogue, the site URL, the request's `fields`
//! and `thumb`), the cart sums and stock notices, and the JSON shape of products.
//! Empty PHP maps print as `[]`. Carts, items and raw totals are printed by
//! [`super::cart_view`].

use super::cart::Cart;
use super::catalogue::{Attribute, Catalogue, Product, ProductType, Term, sanitize_title};
use super::facets::ucfirst;
use super::money::{line_total, minor_str};
use super::notices::Notices;
use serde_json::{Map, Value, json};

/// What a renderer needs besides the cart: the products and the site URL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// The catalogue.
    pub(crate) cat: &'a Catalogue,
    /// The site URL, no trailing slash.
    pub(crate) site_url: &'a str,
}

/// Options from the request: `fields` and `thumb`.
#[derive(Debug, Clone, Default)]
pub(crate) struct CartOpts {
    /// Parsed `fields`: top-level name and optional child.
    pub(crate) fields: Option<Vec<(String, Option<String>)>>,
    /// `thumb` (fill `featured_image`).
    pub(crate) thumb: bool,
}

impl CartOpts {
    /// Parses `fields` (`"items,totals:total,customer:billing_address"`) and `thumb`.
    pub(crate) fn new(fields: Option<&str>, thumb: bool) -> Self {
        let fields = fields.filter(|f| !f.trim().is_empty()).map(|f| {
            f.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| match s.split_once(':') {
                    Some((top, child)) => (top.to_string(), Some(child.to_string())),
                    None => (s.to_string(), None),
                })
                .collect()
        });
        Self { fields, thumb }
    }
}

/// The `currency` object.
pub(crate) fn currency_json() -> Value {
    json!({
        "currency_code": "USD",
        "currency_symbol": "$",
        "currency_symbol_pos": "currency_prefix",
        "currency_minor_unit": super::money::MINOR_UNIT,
        "currency_decimal_separator": ".",
        "currency_thousand_separator": ",",
        "currency_prefix": "$",
        "currency_suffix": ""
    })
}

fn empty_list() -> Value {
    Value::Array(Vec::new())
}

fn map_or_list(m: Map<String, Value>) -> Value {
    if m.is_empty() {
        empty_list()
    } else {
        Value::Object(m)
    }
}

fn image_url(ctx: &Ctx<'_>, slug: &str, size: &str) -> String {
    format!("{}/wp-content/uploads/mock/{slug}{size}.png", ctx.site_url)
}

/// The cart subtotal in minor units.
pub(crate) fn subtotal(ctx: &Ctx<'_>, cart: &Cart) -> i64 {
    cart.lines
        .iter()
        .filter_map(|l| {
            ctx.cat
                .get(l.item_id())
                .map(|p| line_total(p.price(), l.quantity))
        })
        .fold(0i64, i64::saturating_add)
}

/// The error notices WooCommerce's `check_cart_items` adds when stock fell under a cart.
pub(crate) fn stock_notices(ctx: &Ctx<'_>, cart: &Cart, notices: &mut Notices) {
    let mut seen = Vec::new();
    for l in &cart.lines {
        let id = l.item_id();
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let Some(p) = ctx.cat.get(id) else { continue };
        let wanted = cart.quantity_of(id);
        if !p.is_in_stock() {
            notices.error(format!(
                "Sorry, \"{}\" is not in stock. Please edit your cart and try again. We apologize for any inconvenience caused.",
                p.name
            ));
        } else if let Some(stock) = p.stock_quantity.filter(|s| wanted > *s as f64) {
            notices.error(format!(
                "Sorry, we do not have enough \"{}\" in stock to fulfill your order ({stock} available). We apologize for any inconvenience caused.",
                p.name
            ));
        }
    }
}

fn term_json(ctx: &Ctx<'_>, t: &Term, kind: &str) -> Value {
    json!({"id": t.id, "name": t.name, "slug": t.slug,
           "rest_url": format!("{}/wp-json/cocart/v2/products/{kind}/{}", ctx.site_url, t.id)})
}

fn prices_json(ctx: &Ctx<'_>, p: &Product) -> Value {
    let range = ctx.cat.price_range(p);
    let price_range = match range {
        Some((lo, hi)) if lo != hi => json!({"from": minor_str(lo), "to": minor_str(hi)}),
        _ => empty_list(),
    };
    let (price, regular, sale) = match range {
        Some((lo, _)) => (lo, lo, String::new()),
        None => (
            p.price(),
            p.regular_price,
            if p.on_sale() {
                p.sale_price.map(minor_str).unwrap_or_default()
            } else {
                String::new()
            },
        ),
    };
    json!({
        "price": minor_str(price),
        "regular_price": minor_str(regular),
        "sale_price": sale,
        "price_range": price_range,
        "on_sale": p.on_sale(),
        "date_on_sale": {"from": null, "from_gmt": null, "to": null, "to_gmt": null},
        "currency": currency_json()
    })
}

fn stock_json(ctx: &Ctx<'_>, p: &Product) -> Value {
    let in_stock = ctx.cat.in_stock(p);
    json!({
        "is_in_stock": in_stock,
        "stock_quantity": p.stock_quantity,
        "stock_status": if matches!(p.kind, ProductType::Variable | ProductType::Grouped) {
            if in_stock { "instock" } else { "outofstock" }
        } else {
            p.stock_status.as_str()
        },
        "backorders": "no",
        "backorders_allowed": false,
        "backordered": false,
        "low_stock_amount": null
    })
}

/// The key and global id of a product attribute: `attribute_pa_color` and the attribute's id,
/// or `attribute_<sanitised name>` and 0 for a custom attribute.
fn attribute_key(cat: &Catalogue, a: &Attribute) -> (String, u64) {
    if a.is_global() {
        (
            format!("attribute_{}", a.slug),
            cat.attribute_by_slug(&a.slug).map_or(0, |g| g.id),
        )
    } else {
        (format!("attribute_{}", sanitize_title(&a.name)), 0)
    }
}

/// The options of a product attribute as a slug → name object, global terms sorted by name.
fn options_json(a: &Attribute) -> Map<String, Value> {
    let mut options: Vec<(String, String)> = a
        .options
        .iter()
        .map(|o| (sanitize_title(o), o.clone()))
        .collect();
    if a.is_global() {
        options.sort_by_key(|o| o.1.to_lowercase());
    }
    options
        .into_iter()
        .map(|(slug, name)| (slug, Value::String(name)))
        .collect()
}

/// The `attributes` and `default_attributes` blocks of a product or a variation.
fn attribute_blocks(cat: &Catalogue, p: &Product) -> (Value, Value) {
    let mut attributes = Map::new();
    let mut defaults = Map::new();
    if p.kind == ProductType::Variation {
        let parent_attrs = cat
            .get(p.parent_id)
            .map_or(&[][..], |pp| &pp.attributes[..]);
        for (taxonomy, slug) in &p.variation {
            let Some(a) = parent_attrs.iter().find(|a| a.slug == *taxonomy) else {
                continue;
            };
            let (key, id) = attribute_key(cat, a);
            let name = a.option_name(slug).unwrap_or(slug);
            attributes.insert(
                key,
                json!({"id": id, "name": a.name, "option": {slug.as_str(): name}}),
            );
        }
        return (map_or_list(attributes), empty_list());
    }
    let variable = p.kind == ProductType::Variable;
    for (i, a) in p.attributes.iter().enumerate() {
        let (key, id) = attribute_key(cat, a);
        attributes.insert(
            key.clone(),
            json!({"id": id, "name": a.name, "position": i, "is_attribute_visible": a.visible,
                   "used_for_variation": a.used_for_variation.unwrap_or(variable),
                   "options": options_json(a)}),
        );
        if let Some(option) = p.default_attributes.get(&a.slug) {
            defaults.insert(key, json!({"id": id, "name": a.name, "option": option}));
        }
    }
    (map_or_list(attributes), map_or_list(defaults))
}

/// The `reviews` array `show_reviews` fills: approved reviews, newest first, every value a
/// string, the author's name through `ucfirst`, plain-text comments.
fn embedded_reviews(cat: &Catalogue, p: &Product) -> Value {
    Value::Array(
        cat.approved_reviews(p.id)
            .iter()
            .map(|r| {
                let date = r.date_created.replacen('T', " ", 1);
                json!({"review_id": r.id.to_string(), "author_name": ucfirst(&r.reviewer),
                       "author_url": "", "review_comment": r.review, "review_date": date,
                       "review_date_gmt": date, "rating": r.rating.to_string(),
                       "verified": if r.verified { "1" } else { "0" }})
            })
            .collect(),
    )
}

/// The keys a variation object has.
const VARIATION_KEYS: &[&str] = &[
    "id",
    "parent_id",
    "name",
    "slug",
    "permalink",
    "sku",
    "description",
    "dates",
    "featured",
    "prices",
    "hidden_conditions",
    "images",
    "categories",
    "tags",
    "attributes",
    "stock",
    "weight",
    "dimensions",
    "total_sales",
    "add_to_cart",
    "meta_data",
];

/// A product without its reviews.
pub(crate) fn product_json(ctx: &Ctx<'_>, p: &Product) -> Value {
    product_json_with(ctx, p, false)
}

/// A product; `with_reviews` fills `reviews` as `show_reviews` does. A variation has the
/// lighter shape of the variations route: no type, review fields or `variations`, `total_sales`
/// as a string, and its attributes as `{id, name, option: {slug: name}}`.
pub(crate) fn product_json_with(ctx: &Ctx<'_>, p: &Product, with_reviews: bool) -> Value {
    let parent = variation_parent(ctx.cat, p);
    let is_variation = p.kind == ProductType::Variation;
    // A variation shows its parent's page, image, categories and tags.
    let slug = parent.map_or(p.slug.as_str(), |pp| pp.slug.as_str());
    let mut out = Map::new();
    put_identity(&mut out, ctx, p, slug);
    put_dates_prices_and_conditions(&mut out, ctx, p);
    if !is_variation {
        put_review_summary(&mut out, ctx.cat, p);
    }
    put(&mut out, "images", images_json(ctx, p, slug));
    put_terms(&mut out, ctx, parent.unwrap_or(p));
    put_attributes_and_variations(&mut out, ctx, p, is_variation);
    put_kind_specifics_and_stock(&mut out, ctx, p, is_variation);
    if !is_variation {
        let reviews = if with_reviews {
            embedded_reviews(ctx.cat, p)
        } else {
            empty_list()
        };
        put(&mut out, "reviews", reviews);
    }
    for key in ["related", "upsells", "cross_sells"] {
        put(&mut out, key, empty_list());
    }
    put(&mut out, "add_to_cart", add_to_cart_json(ctx, p));
    put(&mut out, "meta_data", empty_list());
    if is_variation {
        keep_variation_keys(&mut out);
    }
    Value::Object(out)
}

fn put(out: &mut Map<String, Value>, key: &str, value: Value) {
    out.insert(key.to_string(), value);
}

/// The parent of a variation (`None` for any other product, or a variation whose parent is gone).
fn variation_parent<'c>(cat: &'c Catalogue, p: &Product) -> Option<&'c Product> {
    (p.kind == ProductType::Variation)
        .then(|| cat.get(p.parent_id))
        .flatten()
}

/// `id` to `short_description`: what names the product and where its page is.
fn put_identity(out: &mut Map<String, Value>, ctx: &Ctx<'_>, p: &Product, slug: &str) {
    put(out, "id", json!(p.id));
    put(out, "parent_id", json!(p.parent_id));
    put(out, "name", json!(p.name));
    put(out, "type", json!(p.kind.as_str()));
    put(out, "slug", json!(p.slug));
    put(
        out,
        "permalink",
        json!(format!("{}/product/{slug}/", ctx.site_url)),
    );
    put(out, "sku", json!(p.sku));
    put(out, "description", json!(p.description));
    put(out, "short_description", json!(p.short_description));
}

/// `dates` (a product without a creation date shows 2024-01-01), `featured`, `prices` and
/// `hidden_conditions`.
fn put_dates_prices_and_conditions(out: &mut Map<String, Value>, ctx: &Ctx<'_>, p: &Product) {
    let date = if p.date_created.is_empty() {
        "2024-01-01T00:00:00".to_string()
    } else {
        p.date_created.clone()
    };
    put(
        out,
        "dates",
        json!({"created": date, "created_gmt": date, "modified": date, "modified_gmt": date}),
    );
    put(out, "featured", json!(p.featured));
    put(out, "prices", prices_json(ctx, p));
    put(
        out,
        "hidden_conditions",
        json!({"virtual": p.is_virtual, "downloadable": false,
               "manage_stock": p.managing_stock(), "sold_individually": p.sold_individually,
               "reviews_allowed": p.reviews_allowed, "shipping_required": !p.is_virtual}),
    );
}

/// `average_rating`, `review_count`, `rating_count` and `rated_out_of` over the approved reviews.
fn put_review_summary(out: &mut Map<String, Value>, cat: &Catalogue, p: &Product) {
    let (review_count, rating_count, average) = cat.review_stats(p.id);
    let (average_rating, rated_out_of) = if rating_count > 0 {
        (
            format!("{average:.2}"),
            format!(
                "Rated {average:.2} out of 5 based on {rating_count} customer rating{}",
                if rating_count == 1 { "" } else { "s" }
            ),
        )
    } else {
        ("0".to_string(), "5".to_string())
    };
    put(out, "average_rating", json!(average_rating));
    put(out, "review_count", json!(review_count));
    put(out, "rating_count", json!(rating_count));
    put(out, "rated_out_of", json!(rated_out_of));
}

/// The one featured image, named after `slug`.
fn images_json(ctx: &Ctx<'_>, p: &Product, slug: &str) -> Value {
    json!([{
        "id": p.id * 10,
        "src": {"thumbnail": image_url(ctx, slug, "-150x150"),
                "woocommerce_thumbnail": image_url(ctx, slug, "-300x300"),
                "full": image_url(ctx, slug, "")},
        "name": format!("{slug}.png"),
        "alt": "",
        "position": 0,
        "featured": true
    }])
}

/// `categories` and `tags` of `owner` (a variation's parent), names the catalogue does not know
/// left out.
fn put_terms(out: &mut Map<String, Value>, ctx: &Ctx<'_>, owner: &Product) {
    let cat = ctx.cat;
    let term_list = |names: &[String], kind: &str, find: &dyn Fn(&str) -> Option<Term>| {
        Value::Array(
            names
                .iter()
                .filter_map(|n| find(n))
                .map(|t| term_json(ctx, &t, kind))
                .collect(),
        )
    };
    let categories = term_list(&owner.categories, "categories", &|n| {
        cat.category(n).cloned()
    });
    let tags = term_list(&owner.tags, "tags", &|n| cat.tag(n).cloned());
    put(out, "categories", categories);
    put(out, "tags", tags);
}

/// `attributes`, and for all but a variation `default_attributes` and `variations`.
fn put_attributes_and_variations(
    out: &mut Map<String, Value>,
    ctx: &Ctx<'_>,
    p: &Product,
    is_variation: bool,
) {
    let (attributes, default_attributes) = attribute_blocks(ctx.cat, p);
    put(out, "attributes", attributes);
    if !is_variation {
        put(out, "default_attributes", default_attributes);
        put(out, "variations", Value::Array(variation_summaries(ctx, p)));
    }
}

/// The `variations` entries of a variable product (none for other types).
fn variation_summaries(ctx: &Ctx<'_>, p: &Product) -> Vec<Value> {
    if p.kind != ProductType::Variable {
        return Vec::new();
    }
    ctx.cat
        .variations_of(p.id)
        .iter()
        .map(|v| variation_summary(ctx, v))
        .collect()
}

/// One entry of `variations`: its attributes, image, prices, stock and how to add it.
fn variation_summary(ctx: &Ctx<'_>, v: &Product) -> Value {
    let attrs: Map<String, Value> = v
        .variation
        .iter()
        .map(|(k, val)| (format!("attribute_{k}"), Value::String(val.clone())))
        .collect();
    let mut rest_url = format!(
        "{}/wp-json/cocart/v2/cart/add-item?id={}&quantity=1",
        ctx.site_url, v.id
    );
    for (k, val) in &v.variation {
        rest_url.push_str(&format!("&variation[attribute_{k}]={val}"));
    }
    json!({"id": v.id, "sku": v.sku, "description": "", "attributes": attrs,
           "featured_image": image_url(ctx, &v.slug, "-300x300"),
           "prices": prices_json(ctx, v), "stock": stock_json(ctx, v),
           "add_to_cart": {"is_purchasable": buyable(v),
                           "purchase_quantity": purchase_quantity(v),
                           "rest_url": rest_url}})
}

/// Whether the product can go in a cart: a purchasable type with a price above zero.
fn buyable(p: &Product) -> bool {
    p.is_purchasable() && p.price() > 0
}

/// `{min_purchase, max_purchase}` for a buyable product, `[]` otherwise.
fn purchase_quantity(p: &Product) -> Value {
    if buyable(p) {
        json!({"min_purchase": 1, "max_purchase": p.max_purchase()})
    } else {
        empty_list()
    }
}

/// `grouped_products`, `external_url`, `button_text`, `total_sales` (a string on a variation),
/// `stock`, `weight` and `dimensions`.
fn put_kind_specifics_and_stock(
    out: &mut Map<String, Value>,
    ctx: &Ctx<'_>,
    p: &Product,
    is_variation: bool,
) {
    let grouped = if p.kind == ProductType::Grouped {
        json!(p.children)
    } else {
        empty_list()
    };
    put(out, "grouped_products", grouped);
    put(out, "external_url", json!(p.external_url));
    let button_text = if p.kind == ProductType::External {
        "Buy product"
    } else {
        ""
    };
    put(out, "button_text", json!(button_text));
    put(
        out,
        "total_sales",
        if is_variation { json!("0") } else { json!(0) },
    );
    put(out, "stock", stock_json(ctx, p));
    put(out, "weight", json!(p.weight));
    put(
        out,
        "dimensions",
        json!({"length": "", "width": "", "height": ""}),
    );
}

/// The button text and description a product's type and stock call for.
fn add_to_cart_label(cat: &Catalogue, p: &Product) -> (&'static str, String) {
    match p.kind {
        ProductType::Variable => (
            "Select options",
            format!("Select options for &ldquo;{}&rdquo;", p.name),
        ),
        ProductType::Grouped => (
            "View products",
            format!("View products in the &ldquo;{}&rdquo; group", p.name),
        ),
        ProductType::External => ("Buy product", "Buy product".to_string()),
        _ if !cat.in_stock(p) => (
            "Read more",
            format!("Read more about &ldquo;{}&rdquo;", p.name),
        ),
        _ => (
            "Add to cart",
            format!("Add to cart: &ldquo;{}&rdquo;", p.name),
        ),
    }
}

/// The `add_to_cart` block.
fn add_to_cart_json(ctx: &Ctx<'_>, p: &Product) -> Value {
    let (text, description) = add_to_cart_label(ctx.cat, p);
    json!({
        "text": text,
        "description": description,
        "has_options": p.kind == ProductType::Variable,
        "is_purchasable": buyable(p),
        "purchase_quantity": purchase_quantity(p),
        "rest_url": format!("{}/wp-json/cocart/v2/cart/add-item?id={}", ctx.site_url, p.id)
    })
}

/// Cuts a product object down to the variations route's shape.
fn keep_variation_keys(out: &mut Map<String, Value>) {
    out.retain(|k, _| VARIATION_KEYS.contains(&k.as_str()));
    if let Some(Value::Object(h)) = out.get_mut("hidden_conditions") {
        h.remove("reviews_allowed");
    }
    if let Some(Value::Object(a)) = out.get_mut("add_to_cart") {
        a.remove("has_options");
    }
}
