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
    let cat = ctx.cat;
    let parent = (p.kind == ProductType::Variation)
        .then(|| cat.get(p.parent_id))
        .flatten();
    let attrs_src = parent.unwrap_or(p);
    let is_variation = p.kind == ProductType::Variation;
    let (attributes, default_attributes) = attribute_blocks(cat, p);
    let variations: Vec<Value> = if p.kind == ProductType::Variable {
        cat.variations_of(p.id)
            .iter()
            .map(|v| {
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
                let purchase_quantity = if v.is_purchasable() && v.price() > 0 {
                    json!({"min_purchase": 1, "max_purchase": v.max_purchase()})
                } else {
                    empty_list()
                };
                json!({"id": v.id, "sku": v.sku, "description": "", "attributes": attrs,
                       "featured_image": image_url(ctx, &v.slug, "-300x300"),
                       "prices": prices_json(ctx, v), "stock": stock_json(ctx, v),
                       "add_to_cart": {"is_purchasable": v.is_purchasable() && v.price() > 0,
                                       "purchase_quantity": purchase_quantity,
                                       "rest_url": rest_url}})
            })
            .collect()
    } else {
        Vec::new()
    };
    let purchasable = p.is_purchasable() && p.price() > 0;
    let (text, description) = match p.kind {
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
    };
    let purchase_quantity = if purchasable {
        json!({"min_purchase": 1, "max_purchase": p.max_purchase()})
    } else {
        empty_list()
    };
    let slug = parent.map_or(p.slug.as_str(), |pp| pp.slug.as_str());
    let term_list = |names: &[String], kind: &str, find: &dyn Fn(&str) -> Option<Term>| {
        Value::Array(
            names
                .iter()
                .filter_map(|n| find(n))
                .map(|t| term_json(ctx, &t, kind))
                .collect(),
        )
    };
    let categories = term_list(&attrs_src.categories, "categories", &|n| {
        cat.category(n).cloned()
    });
    let tags = term_list(&attrs_src.tags, "tags", &|n| cat.tag(n).cloned());
    let date = if p.date_created.is_empty() {
        "2024-01-01T00:00:00".to_string()
    } else {
        p.date_created.clone()
    };
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_string(), v);
    };
    put("id", json!(p.id));
    put("parent_id", json!(p.parent_id));
    put("name", json!(p.name));
    put("type", json!(p.kind.as_str()));
    put("slug", json!(p.slug));
    put(
        "permalink",
        json!(format!("{}/product/{slug}/", ctx.site_url)),
    );
    put("sku", json!(p.sku));
    put("description", json!(p.description));
    put("short_description", json!(p.short_description));
    put(
        "dates",
        json!({"created": date, "created_gmt": date, "modified": date, "modified_gmt": date}),
    );
    put("featured", json!(p.featured));
    put("prices", prices_json(ctx, p));
    put(
        "hidden_conditions",
        json!({"virtual": p.is_virtual, "downloadable": false,
               "manage_stock": p.managing_stock(), "sold_individually": p.sold_individually,
               "reviews_allowed": p.reviews_allowed, "shipping_required": !p.is_virtual}),
    );
    if !is_variation {
        let (review_count, rating_count, average) = cat.review_stats(p.id);
        put(
            "average_rating",
            json!(if rating_count > 0 {
                format!("{average:.2}")
            } else {
                "0".to_string()
            }),
        );
        put("review_count", json!(review_count));
        put("rating_count", json!(rating_count));
        put(
            "rated_out_of",
            json!(if rating_count > 0 {
                format!(
                    "Rated {average:.2} out of 5 based on {rating_count} customer rating{}",
                    if rating_count == 1 { "" } else { "s" }
                )
            } else {
                "5".to_string()
            }),
        );
    }
    put(
        "images",
        json!([{
            "id": p.id * 10,
            "src": {"thumbnail": image_url(ctx, slug, "-150x150"),
                    "woocommerce_thumbnail": image_url(ctx, slug, "-300x300"),
                    "full": image_url(ctx, slug, "")},
            "name": format!("{slug}.png"),
            "alt": "",
            "position": 0,
            "featured": true
        }]),
    );
    put("categories", categories);
    put("tags", tags);
    put("attributes", attributes);
    if !is_variation {
        put("default_attributes", default_attributes);
        put("variations", Value::Array(variations));
    }
    put(
        "grouped_products",
        if p.kind == ProductType::Grouped {
            json!(p.children)
        } else {
            empty_list()
        },
    );
    put("external_url", json!(p.external_url));
    put(
        "button_text",
        json!(if p.kind == ProductType::External {
            "Buy product"
        } else {
            ""
        }),
    );
    put(
        "total_sales",
        if is_variation { json!("0") } else { json!(0) },
    );
    put("stock", stock_json(ctx, p));
    put("weight", json!(p.weight));
    put(
        "dimensions",
        json!({"length": "", "width": "", "height": ""}),
    );
    if !is_variation {
        put(
            "reviews",
            if with_reviews {
                embedded_reviews(cat, p)
            } else {
                empty_list()
            },
        );
    }
    put("related", empty_list());
    put("upsells", empty_list());
    put("cross_sells", empty_list());
    put(
        "add_to_cart",
        json!({
            "text": text,
            "description": description,
            "has_options": p.kind == ProductType::Variable,
            "is_purchasable": purchasable,
            "purchase_quantity": purchase_quantity,
            "rest_url": format!("{}/wp-json/cocart/v2/cart/add-item?id={}", ctx.site_url, p.id)
        }),
    );
    put("meta_data", empty_list());
    if is_variation {
        out.retain(|k, _| VARIATION_KEYS.contains(&k.as_str()));
        if let Some(Value::Object(h)) = out.get_mut("hidden_conditions") {
            h.remove("reviews_allowed");
        }
        if let Some(Value::Object(a)) = out.get_mut("add_to_cart") {
            a.remove("has_options");
        }
    }
    Value::Object(out)
}
