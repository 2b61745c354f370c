//! [`Quantity`]: a validated quantity that CoCart receives as a JSON string.

use std::fmt;

use serde::{Serialize, Serializer};

/// Why a number is not a valid [`Quantity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuantityError {
    /// NaN or infinite.
    #[error("quantity must be a finite number")]
    NotFinite,
    /// Below zero.
    #[error("quantity must not be negative")]
    Negative,
}

/// A quantity to send: finite and not negative. Fractional values are allowed (CoCart stores
/// quantities as floats).
///
/// CoCart's schema types `quantity` as a **string**, and a JSON number gets 400
/// `rest_invalid_param`, so a `Quantity` always serializes as a string in its shortest form: `"2"`,
/// `"1.5"`, `"0"` (never `"2.0"`). `Quantity::ZERO` removes a line when used in an update.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Quantity(f64);

impl Quantity {
    /// Zero (removes the line in an update).
    pub const ZERO: Quantity = Quantity(0.0);
    /// One.
    pub const ONE: Quantity = Quantity(1.0);

    /// Validates a quantity: it must be finite and ≥ 0 (`-0.0` becomes `0`).
    pub fn new(value: f64) -> Result<Self, QuantityError> {
        if !value.is_finite() {
            Err(QuantityError::NotFinite)
        } else if value < 0.0 {
            Err(QuantityError::Negative)
        } else {
            // `value + 0.0` turns -0.0 into +0.0.
            Ok(Quantity(value + 0.0))
        }
    }

    /// The numeric value.
    pub fn value(self) -> f64 {
        self.0
    }

    /// Whether the quantity is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0.0
    }

    /// The string sent on the wire, e.g. `"2"` or `"1.5"`.
    pub fn to_wire(self) -> String {
        self.to_string()
    }
}

impl Default for Quantity {
    /// One, CoCart's default quantity.
    fn default() -> Self {
        Quantity::ONE
    }
}

impl TryFrom<f64> for Quantity {
    type Error = QuantityError;

    fn try_from(value: f64) -> Result<Self, QuantityError> {
        Quantity::new(value)
    }
}

impl From<u32> for Quantity {
    fn from(value: u32) -> Self {
        Quantity(f64::from(value))
    }
}

impl fmt::Display for Quantity {
    /// The wire form: Rust's shortest float text, which has no trailing `.0` and no exponent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
