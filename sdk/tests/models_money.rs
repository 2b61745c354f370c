//! Money decoding (minor, major and mixed amounts) and store-like formatting.

use cocart::models::{Amount, CartTotalsRaw, Currency, MajorAmount, Money, MoneyLike};
use serde_json::json;

const RAW_TOTALS: &str = include_str!("fixtures/cart_totals_raw.json");

fn currency(value: serde_json::Value) -> Currency {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("currency did not decode: {e}"))
}

fn usd() -> Currency {
    currency(json!({
        "currency_code": "USD", "currency_symbol": "$", "currency_symbol_pos": "currency_prefix",
        "currency_minor_unit": 2, "currency_decimal_separator": ".", "currency_thousand_separator": ",",
        "currency_prefix": "$", "currency_suffix": ""
    }))
}

fn money_like(value: serde_json::Value) -> MoneyLike {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("amount did not decode: {e}"))
}

#[test]
fn formats_like_the_store() {
    let usd = usd();
    assert_eq!(usd.money(123450).format(), "$1,234.50");
    assert_eq!(usd.money(123450).to_string(), "$1,234.50");
    assert_eq!(usd.money(5).format(), "$0.05");
    assert_eq!(usd.money(-1000).format(), "-$10.00");
    assert_eq!(usd.money(123_456_789_012).format(), "$1,234,567,890.12");
    assert_eq!(usd.money(123450).format_number(), "1,234.50");
    assert_eq!(
        usd.money(i64::MIN).format_number(),
        "-92,233,720,368,547,758.08"
    );
}

#[test]
fn suffix_and_zero_decimal_currencies() {
    let eur = currency(json!({
        "currency_code": "EUR", "currency_symbol": "€", "currency_symbol_pos": "currency_suffix",
        "currency_minor_unit": 2, "currency_decimal_separator": ",", "currency_thousand_separator": ".",
        "currency_prefix": "", "currency_suffix": "€"
    }));
    assert_eq!(eur.money(123450).format(), "1.234,50€");
    assert_eq!(eur.money(-50).format(), "-0,50€");

    let jpy = currency(json!({
        "currency_code": "JPY", "currency_symbol": "¥", "currency_symbol_pos": "currency_prefix",
        "currency_minor_unit": 0, "currency_decimal_separator": ".", "currency_thousand_separator": ",",
        "currency_prefix": "¥", "currency_suffix": ""
    }));
    assert_eq!(jpy.money(1235).format(), "¥1,235");
    assert_eq!(jpy.money(1235).major(), 1235.0);

    // OpenAPI-style positions without prefix/suffix: derived from the symbol.
    let right_space = currency(
        json!({"currency_symbol": "kr", "currency_symbol_pos": "right_space",
        "currency_thousand_separator": " ", "currency_decimal_separator": ","}),
    );
    assert_eq!(right_space.money(1_000_000).format(), "10 000,00 kr");
    let left_space =
        currency(json!({"currency_symbol": "CHF", "currency_symbol_pos": "left_space"}));
    assert_eq!(left_space.money(995).format(), "CHF 9.95");
    let three = currency(
        json!({"currency_symbol": "د.ك", "currency_minor_unit": 3, "currency_symbol_pos": "right"}),
    );
    assert_eq!(three.money(1500).format(), "1.500د.ك");
}

#[test]
fn html_entities_in_symbols_are_decoded() {
    let entity = currency(
        json!({"currency_symbol": "&#36;", "currency_prefix": "&#36;", "currency_minor_unit": 2}),
    );
    assert_eq!(entity.money(100).format(), "$1.00");
    let named = currency(json!({"currency_symbol": "&euro;", "currency_symbol_pos": "right"}));
    assert_eq!(named.money(250).format(), "2.50€");
}

#[test]
fn string_is_minor_and_number_is_major() {
    let usd = usd();
    assert_eq!(money_like(json!("2500")).with_currency(&usd).minor(), 2500);
    assert_eq!(
        money_like(json!("-1000")).with_currency(&usd).minor(),
        -1000
    );
    assert_eq!(money_like(json!(25)).with_currency(&usd).minor(), 2500);
    assert_eq!(money_like(json!(25.5)).with_currency(&usd).minor(), 2550);
    assert_eq!(
        money_like(json!("20.00")).with_currency(&usd).minor(),
        2000,
        "a decimal string is major units"
    );
    assert_eq!(money_like(json!(null)).to_minor(2), 0);
    assert_eq!(
        money_like(json!(1.005)).to_minor(2),
        101,
        "half-up like PHP round"
    );
    assert_eq!(
        money_like(json!(-1.005)).to_minor(2),
        -101,
        "half away from zero"
    );
    assert_eq!(money_like(json!(25)).to_minor(0), 25);
    assert!(serde_json::from_value::<MoneyLike>(json!("twenty")).is_err());
    assert!(serde_json::from_value::<MoneyLike>(json!({"amount": 1})).is_err());
}

#[test]
fn amount_is_minor_units_from_string_or_number() {
    let parse = |v| serde_json::from_value::<Amount>(v).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parse(json!("1999")), Amount(1999));
    assert_eq!(parse(json!("-1000")), Amount(-1000));
    assert_eq!(parse(json!(1999)), Amount(1999));
    assert_eq!(parse(json!("")), Amount(0));
    assert_eq!(parse(json!(" 42 ")), Amount(42));
    assert!(serde_json::from_value::<Amount>(json!("$18.00")).is_err());
    assert_eq!(
        serde_json::to_value(Amount(-1000)).unwrap_or_default(),
        json!("-1000")
    );
}

#[test]
fn major_amount_accepts_numbers_and_decimal_strings() {
    let parse = |v| serde_json::from_value::<MajorAmount>(v).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parse(json!("20.00")).to_minor(2), 2000);
    assert_eq!(parse(json!(20)).to_minor(2), 2000);
    assert_eq!(parse(json!(0.125)).to_minor(2), 13);
    assert_eq!(parse(json!("19.995")).to_minor(2), 2000);
}

#[test]
fn raw_totals_of_get_cart_totals() {
    let usd = usd();
    let t: CartTotalsRaw = serde_json::from_str(RAW_TOTALS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.total.with_currency(&usd).format(), "$1,234.50");
    assert_eq!(t.subtotal.with_currency(&usd).minor(), 9250);
    assert_eq!(t.subtotal_tax.with_currency(&usd).minor(), 540);
    assert_eq!(t.discount_total.with_currency(&usd).minor(), 1000);
    assert_eq!(t.shipping_taxes.get("1").map(|m| m.to_minor(2)), Some(50));
    assert!(t.fee_taxes.is_empty(), "[] decodes as an empty map");
    assert_eq!(t.total_tax.to_minor(2), 1076);
}

#[test]
fn money_accessors() {
    let m = Money::new(-250, usd());
    assert_eq!(m.minor(), -250);
    assert!(m.is_negative());
    assert!(!m.is_zero());
    assert_eq!(m.major(), -2.5);
    assert_eq!(m.currency().code, "USD");
}
