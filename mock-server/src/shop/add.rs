//! Adding to the cart: product resolution (id, SKU, variation), quantity rules, stock and
//! purchasability checks, `add-item` and the grouped `add-items`.

use super::cart::{Cart, Line, line_key};
use super::catalogue::{Catalogue, Product, ProductType, sanitize_title};
use super::money::parse_numeric;
use super::notices::Notices;
use super::rules::{check_limits, check_stock, parse_quantity, valid_email, valid_phone};
use super::schema::{self, Arg, Ty, opt, req};
use crate::error::ApiError;
use crate::params::Params;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The `add-item` arguments.
pub(crate) const ADD_ITEM_ARGS: &[Arg] = &[
    req("id", Ty::Str),
    opt("quantity", Ty::Str),
    opt("variation", Ty::Obj),
    opt("item_data", Ty::Obj),
    opt("email", Ty::Str),
    opt("phone", Ty::Str),
    opt("price", Ty::Str),
    opt("return_item", Ty::Bool),
];

/// The `add-items` arguments.
pub(crate) const ADD_ITEMS_ARGS: &[Arg] = &[
    req("id", Ty::Str),
    req("quantity", Ty::Obj),
    opt("email", Ty::Str),
    opt("phone", Ty::Str),
    opt("return_items", Ty::Bool),
];

/// `“Name”` in the curly quotes WooCommerce's add-to-cart message uses.
fn curly(name: &str) -> String {
    format!("\u{201c}{name}\u{201d}")
}

/// Resolves `id`: a numeric product/variation id or a SKU.
pub(crate) fn resolve_id<'c>(cat: &'c Catalogue, raw: &str) -> Result<&'c Product, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(id_required());
    }
    if let Some(n) = parse_numeric(raw) {
        if n <= 0.0 {
            return Err(id_required());
        }
        return raw
            .parse::<u64>()
            .ok()
            .and_then(|id| cat.get(id))
            .ok_or_else(invalid_product);
    }
    cat.by_sku(raw).ok_or_else(unknown_product)
}

fn id_required() -> ApiError {
    ApiError::new(
        404,
        "cocart_product_id_required",
        "Product ID number is required!",
    )
}

fn invalid_product() -> ApiError {
    ApiError::new(
        400,
        "cocart_invalid_product",
        "This product cannot be added to the cart.",
    )
}

/// 404 `cocart_unknown_product_id` (an id that is neither a number nor a known SKU).
pub(crate) fn unknown_product() -> ApiError {
    ApiError::new(
        404,
        "cocart_unknown_product_id",
        "Product does not exist! Check that you have submitted a product ID or SKU ID correctly for a product that exists.",
    )
}

/// Finds the variation of a variable parent that the posted `variation` map selects.
/// Keys may be `attribute_pa_color`, `pa_color` or the label `Color`; values are option slugs
/// or names. Returns the variation and its `attribute_*` map.
fn resolve_variation<'c>(
    cat: &'c Catalogue,
    parent: &Product,
    posted: &Map<String, Value>,
) -> Result<(&'c Product, BTreeMap<String, String>), ApiError> {
    let no_variation = || {
        ApiError::new(
            404,
            "cocart_no_variation_found",
            "No matching variation found.",
        )
    };
    if posted.is_empty() {
        return Err(no_variation());
    }
    let mut chosen: BTreeMap<String, String> = BTreeMap::new();
    let mut missing = Vec::new();
    for a in &parent.attributes {
        let found = posted.iter().find(|(k, _)| {
            let k = k.trim().to_lowercase();
            let bare = k.strip_prefix("attribute_").unwrap_or(&k);
            bare == a.slug
                || bare == a.slug.trim_start_matches("pa_")
                || sanitize_title(bare) == sanitize_title(&a.name)
        });
        let Some((_, raw)) = found else {
            missing.push(a.name.clone());
            continue;
        };
        let value = match raw {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let slug = sanitize_title(&value);
        let allowed = a.option_slugs();
        if !allowed.contains(&slug) {
            return Err(ApiError::new(
                400,
                "cocart_invalid_variation_data",
                &format!(
                    "Invalid value posted for {}. Allowed values: {}",
                    a.name,
                    allowed.join(", ")
                ),
            ));
        }
        chosen.insert(a.slug.clone(), slug);
    }
    if !missing.is_empty() {
        let msg = if missing.len() == 1 {
            format!(
                "Missing variation data for variable product. {} is a required field.",
                missing[0]
            )
        } else {
            format!(
                "Missing variation data for variable product. {} are required fields.",
                missing.join(", ")
            )
        };
        return Err(ApiError::new(400, "cocart_missing_variation_data", &msg));
    }
    let variation = cat
        .variations_of(parent.id)
        .into_iter()
        .find(|v| {
            chosen.iter().all(|(k, want)| {
                v.variation
                    .get(k)
                    .is_none_or(|have| have.is_empty() || have == want)
            })
        })
        .ok_or_else(no_variation)?;
    let attrs = chosen
        .into_iter()
        .map(|(k, v)| (format!("attribute_{k}"), v))
        .collect();
    Ok((variation, attrs))
}

/// What to add: a purchasable product, its line identity and quantity.
struct Pick<'c> {
    product: &'c Product,
    product_id: u64,
    variation_id: u64,
    variation: BTreeMap<String, String>,
}

fn pick<'c>(
    cat: &'c Catalogue,
    p: &'c Product,
    posted_variation: &Map<String, Value>,
) -> Result<Pick<'c>, ApiError> {
    match p.kind {
        ProductType::Simple => Ok(Pick {
            product: p,
            product_id: p.id,
            variation_id: 0,
            variation: BTreeMap::new(),
        }),
        ProductType::Variation => Ok(Pick {
            product: p,
            product_id: p.parent_id,
            variation_id: p.id,
            variation: p
                .variation
                .iter()
                .map(|(k, v)| (format!("attribute_{k}"), v.clone()))
                .collect(),
        }),
        ProductType::Variable => {
            let (v, attrs) = resolve_variation(cat, p, posted_variation)?;
            Ok(Pick {
                product: v,
                product_id: p.id,
                variation_id: v.id,
                variation: attrs,
            })
        }
        ProductType::Grouped | ProductType::External => Err(ApiError::new(
            403,
            "cocart_cannot_add_product_type_to_cart",
            &format!(
                "You cannot add \"{}\" to your cart as it is a \"{}\" product.",
                p.name,
                p.kind.as_str()
            ),
        )),
    }
}

/// Validates and adds one product to `cart`; returns the line key and the product name.
pub(crate) fn add_one(
    cat: &Catalogue,
    cart: &mut Cart,
    product: &Product,
    quantity: f64,
    posted_variation: &Map<String, Value>,
    item_data: Map<String, Value>,
) -> Result<(String, String), ApiError> {
    let pick = pick(cat, product, posted_variation)?;
    let p = pick.product;
    let quantity = if p.sold_individually { 1.0 } else { quantity };
    check_limits(p, quantity)?;
    if !p.is_in_stock() {
        return Err(ApiError::new(
            404,
            "cocart_product_out_of_stock",
            &format!(
                "You cannot add \"{}\" to the cart because the product is out of stock.",
                p.name
            ),
        ));
    }
    let in_cart = cart.quantity_of(p.id);
    if p.sold_individually && in_cart > 0.0 {
        return Err(ApiError::new(
            403,
            "cocart_product_sold_individually",
            &format!("You cannot add another \"{}\" to your cart.", p.name),
        ));
    }
    check_stock(p, in_cart, in_cart + quantity)?;
    let key = line_key(
        pick.product_id,
        pick.variation_id,
        &pick.variation,
        &item_data,
    );
    cart.add(Line {
        key: key.clone(),
        product_id: pick.product_id,
        variation_id: pick.variation_id,
        variation: pick.variation,
        item_data,
        quantity,
    });
    Ok((key, p.name.clone()))
}

/// Applies valid `email` and `phone` parameters to the billing address (invalid ones are ignored).
pub(crate) fn apply_contact(cart: &mut Cart, params: &Params) {
    if let Some(email) = params
        .get_str("email")
        .map(str::trim)
        .filter(|e| valid_email(e))
    {
        cart.customer.billing.email = email.to_string();
    }
    if let Some(phone) = params
        .get_str("phone")
        .map(str::trim)
        .filter(|p| valid_phone(p))
    {
        cart.customer.billing.phone = phone.to_string();
    }
}

/// `POST /cart/add-item`. Returns the new line's key.
pub(crate) fn add_item(
    cat: &Catalogue,
    cart: &mut Cart,
    params: &Params,
    notices: &mut Notices,
) -> Result<String, ApiError> {
    let product = resolve_id(cat, params.get_str("id").unwrap_or_default())?;
    let quantity = match params.get("quantity") {
        Some(q) => parse_quantity(q)?,
        None => 1.0,
    };
    let variation = schema::object(params, "variation");
    let item_data = schema::object(params, "item_data");
    let (key, name) = add_one(cat, cart, product, quantity, &variation, item_data)?;
    apply_contact(cart, params);
    notices.success(format!("{} has been added to your cart.", curly(&name)));
    Ok(key)
}

/// `POST /cart/add-items` (grouped). Returns the keys of the lines added to.
pub(crate) fn add_items(
    cat: &Catalogue,
    cart: &mut Cart,
    params: &Params,
    notices: &mut Notices,
) -> Result<Vec<String>, ApiError> {
    let group = resolve_id(cat, params.get_str("id").unwrap_or_default())?;
    if group.kind != ProductType::Grouped {
        return Err(ApiError::new(
            403,
            "cocart_cannot_add_product_type_to_cart",
            &format!("\"{}\" is not a grouped product.", group.name),
        ));
    }
    let mut keys = Vec::new();
    let mut names = Vec::new();
    for (child, raw_qty) in schema::object(params, "quantity") {
        let quantity = parse_quantity(&raw_qty)?;
        if quantity <= 0.0 {
            continue;
        }
        let child_id = child.trim().parse::<u64>().ok();
        let Some(product) = child_id
            .filter(|id| group.children.contains(id))
            .and_then(|id| cat.get(id))
        else {
            return Err(ApiError::new(
                404,
                "cocart_grouped_product_failed",
                &format!("Product {child} is not part of \"{}\".", group.name),
            ));
        };
        let (key, name) = add_one(cat, cart, product, quantity, &Map::new(), Map::new())?;
        keys.push(key);
        names.push(curly(&name));
    }
    if keys.is_empty() {
        return Err(ApiError::new(
            404,
            "cocart_grouped_product_empty",
            "Please choose the quantity of items you wish to add to your cart.",
        ));
    }
    apply_contact(cart, params);
    let verb = if names.len() == 1 { "has" } else { "have" };
    notices.success(format!(
        "{} {verb} been added to your cart.",
        list_of_items(&names)
    ));
    Ok(keys)
}

/// `wc_format_list_of_items`: `A`, `A and B`, `A, B and C`.
fn list_of_items(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cat() -> Catalogue {
        Catalogue::builtin().unwrap()
    }

    #[test]
    fn ids_and_skus_resolve() {
        let c = cat();
        assert_eq!(resolve_id(&c, "101").unwrap().id, 101);
        assert_eq!(resolve_id(&c, "MOCK-CAP").unwrap().id, 102);
        assert_eq!(
            resolve_id(&c, "nope").unwrap_err().code,
            "cocart_unknown_product_id"
        );
        assert_eq!(
            resolve_id(&c, "999").unwrap_err().code,
            "cocart_invalid_product"
        );
        assert_eq!(
            resolve_id(&c, "0").unwrap_err().code,
            "cocart_product_id_required"
        );
        assert_eq!(
            resolve_id(&c, "99999999999999999999999").unwrap_err().code,
            "cocart_invalid_product"
        );
    }

    #[test]
    fn variation_keys_by_taxonomy_short_name_or_label() {
        let c = cat();
        let parent = c.get(201).unwrap();
        for posted in [
            json!({"attribute_pa_color": "blue", "attribute_pa_size": "small"}),
            json!({"pa_color": "Blue", "pa_size": "small"}),
            json!({"Color": "blue", "Size": "Small"}),
        ] {
            let (v, attrs) = resolve_variation(&c, parent, posted.as_object().unwrap()).unwrap();
            assert_eq!(v.id, 202);
            assert_eq!(attrs["attribute_pa_color"], "blue");
        }
        let e = resolve_variation(
            &c,
            parent,
            json!({"Color": "red", "Size": "small"})
                .as_object()
                .unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value posted for Color. Allowed values: blue, green"
        );
        let e = resolve_variation(&c, parent, json!({"Color": "blue"}).as_object().unwrap())
            .unwrap_err();
        assert_eq!(e.code, "cocart_missing_variation_data");
    }

    #[test]
    fn list_formatting() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(list_of_items(&n(&["A", "B"])), "A and B");
        assert_eq!(list_of_items(&n(&["A", "B", "C"])), "A, B and C");
    }
}
