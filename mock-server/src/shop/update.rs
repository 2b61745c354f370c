//! Changing existing lines (`/cart/item/{key}`), `POST /cart/update` (`update-cart`,
//! `update-customer`), clear, and the customer-field validation.

use super::cart::{ADDRESS_FIELDS, Cart};
use super::catalogue::Catalogue;
use super::money::{num, parse_numeric, php_float};
use super::notices::{Kind, Notices};
use super::rules::{check_limits, check_stock, parse_quantity, valid_email, valid_phone};
use crate::error::ApiError;
use crate::params::Params;
use serde_json::{Value, json};

/// 404 `cocart_item_not_in_cart`.
pub(crate) fn not_in_cart() -> ApiError {
    ApiError::new(
        404,
        "cocart_item_not_in_cart",
        "Item specified does not exist in cart.",
    )
}

fn line_name(cat: &Catalogue, cart: &Cart, key: &str) -> String {
    cart.line(key)
        .or_else(|| cart.removed_line(key))
        .and_then(|l| cat.get(l.item_id()))
        .map(|p| p.name.clone())
        .unwrap_or_default()
}

/// `POST /cart/item/{key}`: sets the quantity (`0` removes). Returns the status message and the
/// new quantity (for `return_status`).
pub(crate) fn update_item(
    cat: &Catalogue,
    cart: &mut Cart,
    key: &str,
    params: &Params,
    notices: &mut Notices,
) -> Result<Value, ApiError> {
    let line = cart.line(key).cloned().ok_or_else(not_in_cart)?;
    let quantity = parse_quantity(params.get("quantity").unwrap_or(&Value::Null))?;
    let p = cat.get(line.item_id()).ok_or_else(not_in_cart)?;
    if quantity == 0.0 {
        let message = format!("\"{}\" has been removed from cart.", p.name);
        cart.remove(key);
        notices.success(message.clone());
        return Ok(json!({"message": message, "quantity": 0}));
    }
    if p.sold_individually && quantity > 1.0 {
        return Err(ApiError::new(
            405,
            "cocart_can_not_increase_quantity",
            &format!("You can only have 1 \"{}\" in your cart.", p.name),
        ));
    }
    check_limits(p, quantity)?;
    let others = cart.quantity_of(p.id) - line.quantity;
    check_stock(p, others, others + quantity)?;
    let message = if quantity > line.quantity {
        format!(
            "The quantity for \"{}\" has increased to \"{}\".",
            p.name,
            php_float(quantity)
        )
    } else if quantity < line.quantity {
        format!(
            "The quantity for \"{}\" has decreased to \"{}\".",
            p.name,
            php_float(quantity)
        )
    } else {
        format!("The quantity for \"{}\" has not changed.", p.name)
    };
    cart.set_quantity(key, quantity);
    notices.success(message.clone());
    Ok(json!({"message": message, "quantity": num(quantity)}))
}

/// `DELETE /cart/item/{key}`: moves the line to the removed items. Returns the message.
pub(crate) fn remove_item(
    cat: &Catalogue,
    cart: &mut Cart,
    key: &str,
    notices: &mut Notices,
) -> Result<String, ApiError> {
    if cart.lines.is_empty() && cart.removed.is_empty() {
        return Err(ApiError::new(404, "cocart_no_items", "No items in cart."));
    }
    if cart.line(key).is_none() {
        if cart.removed_line(key).is_some() {
            return Err(ApiError::new(
                404,
                "cocart_item_not_in_cart",
                &format!(
                    "\"{}\" has already been removed from cart.",
                    line_name(cat, cart, key)
                ),
            ));
        }
        return Err(not_in_cart());
    }
    let message = format!(
        "\"{}\" has been removed from cart.",
        line_name(cat, cart, key)
    );
    cart.remove(key);
    notices.success(message.clone());
    Ok(message)
}

/// `PUT`/`PATCH /cart/item/{key}`: restores a removed line.
pub(crate) fn restore_item(
    cat: &Catalogue,
    cart: &mut Cart,
    key: &str,
    notices: &mut Notices,
) -> Result<(), ApiError> {
    if cart.removed_line(key).is_some() {
        let name = line_name(cat, cart, key);
        cart.restore(key);
        notices.success(format!("\"{name}\" has been added back to your cart."));
        return Ok(());
    }
    if cart.line(key).is_some() {
        return Err(ApiError::new(
            405,
            "cocart_item_restored_to_cart",
            "Item is already restored to the cart.",
        ));
    }
    Err(ApiError::new(
        404,
        "cocart_item_restored_to_cart",
        "Item does not exist in the removed items list.",
    ))
}

/// `POST /cart/clear`.
pub(crate) fn clear(cart: &mut Cart, keep_removed: bool, notices: &mut Notices) {
    cart.clear(keep_removed);
    notices.add(Kind::Notice, "Cart is cleared.");
}

/// `POST /cart/update`: dispatches on `namespace`.
pub(crate) fn update(
    cat: &Catalogue,
    cart: &mut Cart,
    params: &Params,
    notices: &mut Notices,
) -> Result<(), ApiError> {
    let namespace = params.get_str("namespace").unwrap_or_default();
    if !matches!(namespace, "update-cart" | "update-customer") {
        return Err(ApiError::new(
            404,
            "cocart_update_cart_no_namespace_error",
            "No namespace or an unknown namespace was provided.",
        ));
    }
    if cart.is_empty() {
        return Err(ApiError::new(
            404,
            "cocart_cart_empty",
            "Cart is empty. Please add items to cart first.",
        ));
    }
    if namespace == "update-cart" {
        update_cart(cat, cart, params, notices);
    } else {
        update_customer(cart, params, notices);
    }
    Ok(())
}

fn param_or_data<'p>(params: &'p Params, name: &str) -> Option<&'p Value> {
    params
        .get("data")
        .and_then(|d| d.get(name))
        .or_else(|| params.get(name))
}

/// `update-cart`: `quantity: {"<item_key>":"<qty>"}`; unknown keys skipped, non-numeric
/// characters stripped, `"0"` removes; any change adds "Cart updated.".
fn update_cart(cat: &Catalogue, cart: &mut Cart, params: &Params, notices: &mut Notices) {
    let Some(Value::Object(map)) = param_or_data(params, "quantity") else {
        return;
    };
    let mut updated = false;
    for (key, raw) in map {
        let Some(line) = cart.line(key).cloned() else {
            continue;
        };
        let text = match raw {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        let cleaned: String = text
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let Some(quantity) = parse_numeric(&cleaned) else {
            continue;
        };
        if quantity == line.quantity {
            continue;
        }
        if let Some(p) = cat
            .get(line.item_id())
            .filter(|p| p.sold_individually && quantity > 1.0)
        {
            notices.error(format!("You can only have 1 {} in your cart.", p.name));
            continue;
        }
        cart.set_quantity(key, quantity);
        updated = true;
    }
    if updated {
        notices.success("Cart updated.");
    }
}

/// The countries the mock's store sells to.
const COUNTRIES: &[&str] = &[
    "US", "CA", "GB", "DE", "FR", "ES", "IT", "NL", "BE", "AT", "CH", "IE", "PT", "PL", "SE", "NO",
    "DK", "FI", "AU", "NZ", "JP", "BR", "MX", "IN", "ZA",
];

fn shape(s: &str, pattern: &str) -> bool {
    s.len() == pattern.len()
        && s.chars().zip(pattern.chars()).all(|(c, p)| match p {
            '9' => c.is_ascii_digit(),
            'A' => c.is_ascii_uppercase(),
            '*' => c.is_ascii_alphanumeric(),
            other => c == other,
        })
}

/// `WC_Validation::is_postcode` for the countries with a known format; others accept anything.
pub(crate) fn valid_postcode(postcode: &str, country: &str) -> bool {
    let p = postcode.trim().to_ascii_uppercase();
    match country {
        "US" => shape(&p, "99999") || shape(&p, "99999-9999"),
        "CA" => shape(&p, "A9A 9A9") || shape(&p, "A9A9A9"),
        "GB" => {
            let c: Vec<char> = p.chars().filter(|c| *c != ' ').collect();
            let n = c.len();
            (5..=7).contains(&n)
                && c.iter().all(char::is_ascii_alphanumeric)
                && c[0].is_ascii_uppercase()
                && c[n - 3].is_ascii_digit()
                && c[n - 2].is_ascii_uppercase()
                && c[n - 1].is_ascii_uppercase()
        }
        "DE" | "FR" | "ES" | "IT" | "FI" | "MX" => shape(&p, "99999"),
        "AT" | "BE" | "CH" | "DK" | "NO" | "AU" | "NZ" | "ZA" => shape(&p, "9999"),
        "NL" => shape(&p, "9999 AA") || shape(&p, "9999AA"),
        "JP" => shape(&p, "999-9999") || shape(&p, "9999999"),
        _ => !p.is_empty(),
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `update-customer` as CoCart 4.9.3 behaves: only the unprefixed names apply, to the
/// billing address. Prefixed names (`billing_*`, `shipping_*`, `s_*`) change nothing when sent
/// alone; next to an unprefixed name they are set from an empty value. An invalid email or phone
/// is ignored; an unknown country adds an error notice; a postcode that does not fit the country
/// is dropped.
fn update_customer(cart: &mut Cart, params: &Params, notices: &mut Notices) {
    let unprefixed: Vec<(&str, String)> = ADDRESS_FIELDS
        .iter()
        .filter_map(|f| param_or_data(params, f).and_then(text_of).map(|v| (*f, v)))
        .collect();
    if unprefixed.is_empty() {
        return;
    }
    for f in ADDRESS_FIELDS {
        if param_or_data(params, &format!("billing_{f}")).is_some() {
            cart.customer.billing.set(f, String::new());
        }
        let shipping_field = f != "phone" && f != "email";
        if shipping_field
            && (param_or_data(params, &format!("shipping_{f}")).is_some()
                || param_or_data(params, &format!("s_{f}")).is_some())
        {
            cart.customer.shipping.set(f, String::new());
        }
    }
    let mut postcode = None;
    for (field, value) in unprefixed {
        match field {
            "email" => {
                if valid_email(&value) {
                    cart.customer.billing.email = value;
                }
            }
            "phone" => {
                if valid_phone(&value) {
                    cart.customer.billing.phone = value;
                }
            }
            "country" => {
                let code = value.to_ascii_uppercase();
                if COUNTRIES.contains(&code.as_str()) {
                    cart.customer.billing.country = code;
                } else {
                    notices.error(format!("\"{value}\" is not a valid country code."));
                }
            }
            "postcode" => postcode = Some(value),
            other => {
                cart.customer.billing.set(other, value);
            }
        }
    }
    if let Some(pc) = postcode.filter(|pc| valid_postcode(pc, &cart.customer.billing.country)) {
        cart.customer.billing.postcode = pc.to_ascii_uppercase();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_by_country() {
        assert!(valid_postcode("90210", "US"));
        assert!(valid_postcode("90210-1234", "US"));
        assert!(!valid_postcode("ABCDE", "US"));
        assert!(valid_postcode("SW1A 1AA", "GB"));
        assert!(!valid_postcode("12345", "GB"));
        assert!(valid_postcode("k1a 0b1", "CA"));
        assert!(valid_postcode("anything", "ZZ"));
    }
}
