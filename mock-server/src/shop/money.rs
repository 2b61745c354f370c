//! Numbers as PHP and CoCart print them: minor-unit money strings, major-unit floats,
//! quantities that are integers when whole, and PHP's float-to-string.

use serde_json::{Number, Value};

/// The store currency's decimals (`currency_minor_unit`).
pub(crate) const MINOR_UNIT: u32 = 2;

/// A float as PHP's `json_encode` would print a CoCart float: an integer when whole (`2`),
/// a float otherwise (`1.5`); non-finite values become `0`.
pub(crate) fn num(x: f64) -> Value {
    if !x.is_finite() {
        return Value::from(0);
    }
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        return Value::from(x as i64);
    }
    Number::from_f64(x).map_or(Value::from(0), Value::Number)
}

/// Minor units (`1999`) as the minor-unit money string `"1999"`.
pub(crate) fn minor_str(minor: i64) -> String {
    minor.to_string()
}

/// Minor units as a major-unit decimal string with two places (`2000` ⇒ `"20.00"`).
pub(crate) fn major_str(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Minor units as formatted price text (`123456` ⇒ `"$1,234.56"`).
pub(crate) fn price_text(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}.{:02}", abs % 100)
}

/// `price × quantity` in minor units, rounded half up and saturated (never panics).
pub(crate) fn line_total(unit_minor: i64, quantity: f64) -> i64 {
    // `as` saturates on overflow and maps NaN to 0.
    (unit_minor as f64 * quantity).round() as i64
}

/// A float as PHP's `(string)` cast prints it (`1.5`, `3`, `0.35`).
pub(crate) fn php_float(x: f64) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let rounded = (x * 1e10).round() / 1e10;
    if rounded.fract() == 0.0 && rounded.abs() < 9.0e15 {
        return (rounded as i64).to_string();
    }
    format!("{rounded}")
}

/// Parses a PHP-`is_numeric` string (leading/trailing whitespace allowed, decimals and
/// exponents accepted). `None` for anything else, including non-finite results.
pub(crate) fn parse_numeric(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_php() {
        assert_eq!(num(2.0), Value::from(2));
        assert_eq!(num(1.5).to_string(), "1.5");
        assert_eq!(num(f64::NAN), Value::from(0));
        assert_eq!(major_str(2000), "20.00");
        assert_eq!(major_str(-5), "-0.05");
        assert_eq!(price_text(123_456), "$1,234.56");
        assert_eq!(php_float(0.1 + 0.2), "0.3");
        assert_eq!(php_float(3.0), "3");
    }

    #[test]
    fn numeric_strings() {
        assert_eq!(parse_numeric(" 2 "), Some(2.0));
        assert_eq!(parse_numeric("1.5"), Some(1.5));
        assert_eq!(parse_numeric("1e3"), Some(1000.0));
        assert_eq!(parse_numeric("abc"), None);
        assert_eq!(parse_numeric("1e999"), None);
        assert_eq!(parse_numeric("0x1A"), None);
        assert_eq!(line_total(1250, 2.0), 2500);
        assert_eq!(line_total(i64::MAX, 1e300), i64::MAX);
    }
}
