//! The store currency, as sent in the cart's `currency` object and in product `prices.currency`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// The currency a cart or product price is expressed in, with everything needed to format it like
/// the store does.
///
/// Decoded from `{"currency_code","currency_symbol","currency_symbol_pos","currency_minor_unit",
/// "currency_decimal_separator","currency_thousand_separator","currency_prefix","currency_suffix"
/// }`. Missing fields default to two minor digits, `.` and `,`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Currency {
    /// ISO 4217 code, e.g. `"USD"`.
    #[serde(rename = "currency_code", deserialize_with = "lenient::string")]
    pub code: String,
    /// The symbol, e.g. `"$"`.
    #[serde(rename = "currency_symbol", deserialize_with = "lenient::string")]
    pub symbol: String,
    /// Raw symbol position: `currency_prefix`, `currency_suffix` or `""` in the code,
    /// `left`/`right`/`left_space`/ `right_space` in the OpenAPI docs. Kept as a free string;
    /// see [`Currency::position`].
    #[serde(rename = "currency_symbol_pos", deserialize_with = "lenient::string")]
    pub symbol_position: String,
    /// Number of decimals of the minor unit (`2` for cents, `0` for yen or when a filter forces
    /// whole units).
    #[serde(rename = "currency_minor_unit", deserialize_with = "lenient::u32")]
    pub minor_unit: u32,
    /// Decimal separator, e.g. `"."`.
    #[serde(
        rename = "currency_decimal_separator",
        deserialize_with = "lenient::string"
    )]
    pub decimal_separator: String,
    /// Thousand separator, e.g. `","`; may be empty.
    #[serde(
        rename = "currency_thousand_separator",
        deserialize_with = "lenient::string"
    )]
    pub thousand_separator: String,
    /// Text the store puts before an amount (the symbol for prefix currencies, otherwise `""`).
    #[serde(rename = "currency_prefix", deserialize_with = "lenient::string")]
    pub prefix: String,
    /// Text the store puts after an amount (the symbol for suffix currencies, otherwise `""`).
    #[serde(rename = "currency_suffix", deserialize_with = "lenient::string")]
    pub suffix: String,
    /// Fields a plugin added.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Currency {
    fn default() -> Self {
        Self {
            code: String::new(),
            symbol: String::new(),
            symbol_position: String::new(),
            minor_unit: 2,
            decimal_separator: ".".to_owned(),
            thousand_separator: ",".to_owned(),
            prefix: String::new(),
            suffix: String::new(),
            extra: Map::new(),
        }
    }
}

/// Where the currency symbol goes, interpreted from [`Currency::symbol_position`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SymbolPosition {
    /// Before the amount: `$1.00` (`currency_prefix`, `left`, or unknown).
    Left,
    /// Before the amount with a space: `$ 1.00` (`left_space`).
    LeftSpace,
    /// After the amount: `1.00€` (`currency_suffix`, `right`).
    Right,
    /// After the amount with a space: `1.00 €` (`right_space`).
    RightSpace,
}

impl Currency {
    /// The symbol position, as an enum. Unknown or empty values are treated as
    /// [`SymbolPosition::Left`].
    pub fn position(&self) -> SymbolPosition {
        match self.symbol_position.trim() {
            "currency_suffix" | "right" | "suffix" => SymbolPosition::Right,
            "right_space" => SymbolPosition::RightSpace,
            "left_space" => SymbolPosition::LeftSpace,
            _ => SymbolPosition::Left,
        }
    }

    /// The decimal separator to print: the store's, or `"."` when it sent an empty one.
    pub fn effective_decimal_separator(&self) -> &str {
        if self.decimal_separator.is_empty() {
            "."
        } else {
            &self.decimal_separator
        }
    }

    /// The text printed before and after an amount. Uses the store's
    /// `currency_prefix`/`currency_suffix` when either is set, otherwise derives them from the
    /// symbol and its position. HTML entities that some stores leave in the symbol (`&#36;`,
    /// `&euro;`, `&nbsp;`) are decoded.
    pub fn affixes(&self) -> (String, String) {
        if !self.prefix.is_empty() || !self.suffix.is_empty() {
            return (decode_entities(&self.prefix), decode_entities(&self.suffix));
        }
        let symbol = decode_entities(&self.symbol);
        match self.position() {
            SymbolPosition::Left => (symbol, String::new()),
            SymbolPosition::LeftSpace if !symbol.is_empty() => {
                (format!("{symbol} "), String::new())
            }
            SymbolPosition::RightSpace if !symbol.is_empty() => {
                (String::new(), format!(" {symbol}"))
            }
            SymbolPosition::Right => (String::new(), symbol),
            SymbolPosition::LeftSpace | SymbolPosition::RightSpace => {
                (String::new(), String::new())
            }
        }
    }
}

/// Decodes numeric (`&#36;`, `&#x20AC;`) and a few named HTML entities; anything else is left as
/// is.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let decoded = tail.find(';').filter(|end| *end <= 10).and_then(|end| {
            let name = &tail[1..end];
            let ch = match name {
                "amp" => Some('&'),
                "nbsp" => Some('\u{a0}'),
                "euro" => Some('€'),
                "pound" => Some('£'),
                "yen" => Some('¥'),
                "dollar" => Some('$'),
                "cent" => Some('¢'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| {
                        name.strip_prefix('#')
                            .and_then(|dec| dec.parse::<u32>().ok())
                    })
                    .and_then(char::from_u32),
            };
            ch.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::decode_entities;

    #[test]
    fn entities_are_decoded() {
        assert_eq!(decode_entities("&#36;"), "$");
        assert_eq!(decode_entities("&#x20AC;"), "€");
        assert_eq!(decode_entities("&euro;&nbsp;"), "€\u{a0}");
        assert_eq!(decode_entities("R&D"), "R&D");
        assert_eq!(decode_entities("&bogus;x"), "&bogus;x");
        assert_eq!(decode_entities("kr"), "kr");
    }
}
