//! WooCommerce's checks that both adding to the cart and changing lines apply: the quantity
//! format, the purchase limits, managed stock, and the email and phone formats of the customer
//! fields.

use super::catalogue::Product;
use super::money::{parse_numeric, php_float};
use crate::error::ApiError;
use serde_json::Value;

/// Parses a quantity string (405 `cocart_quantity_not_numeric` when it is not numeric).
pub(crate) fn parse_quantity(raw: &Value) -> Result<f64, ApiError> {
    let s = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    parse_numeric(&s).ok_or_else(|| {
        ApiError::new(
            405,
            "cocart_quantity_not_numeric",
            "Quantity must be numeric or a float value!",
        )
    })
}

/// The minimum and maximum purchase rules (405 `cocart_quantity_invalid_amount`).
pub(crate) fn check_limits(p: &Product, quantity: f64) -> Result<(), ApiError> {
    if quantity < 1.0 {
        return Err(ApiError::new(
            405,
            "cocart_quantity_invalid_amount",
            "Quantity must be a minimum of 1.",
        ));
    }
    let max = p.max_purchase();
    if max > 0 && quantity > max as f64 {
        return Err(ApiError::new(
            405,
            "cocart_quantity_invalid_amount",
            &format!("Quantity must be {max} or lower."),
        ));
    }
    Ok(())
}

/// 404 `cocart_not_enough_in_stock` when `total` (already in the cart plus wanted) exceeds
/// managed stock.
pub(crate) fn check_stock(p: &Product, in_cart: f64, total: f64) -> Result<(), ApiError> {
    match p.stock_quantity {
        Some(stock) if total > stock as f64 => {
            let remaining = (stock as f64 - in_cart).max(0.0);
            Err(ApiError::new(
                404,
                "cocart_not_enough_in_stock",
                &format!(
                    "You cannot add that amount of \"{}\" to the cart because there is not enough stock ({} remaining).",
                    p.name,
                    php_float(remaining)
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// WordPress `is_email`, simplified: `local@domain.tld` with no spaces.
pub(crate) fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() >= 6
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// `WC_Validation::is_phone`: only digits, spaces and `#_-+/().`, at least one digit.
pub(crate) fn valid_phone(s: &str) -> bool {
    !s.trim().is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || "#_-+/().".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_validation() {
        assert!(valid_email("jane@example.com"));
        assert!(!valid_email("jane@"));
        assert!(!valid_email("not an email"));
        assert!(valid_phone("+1 (555) 010-9999"));
        assert!(!valid_phone("call me"));
    }
}
