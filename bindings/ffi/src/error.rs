//! [`CoCartError`]: the small error enum the app sees, mapped from the core's rich
//! `cocart::Error`. Each variant says what the app should do; none carries a secret (the core
//! guarantees that its messages hold no password or token).

use cocart::{ApiError, ApiErrorKind};

use crate::records::Cart;
use cocart::SignOutReason;

/// What went wrong, grouped by what the app should do about it.
///
/// Its `Display` text (Kotlin: the exception's `message`; Swift: `description` and
/// `localizedDescription`) is one readable sentence with the store's text, its code and the HTTP
/// status where there are some, and never empty.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum CoCartError {
    /// The username/email or password is wrong: ask again.
    #[error("invalid credentials: {detail}")]
    InvalidCredentials {
        /// The store's message.
        detail: String,
    },
    /// The session ended (refresh token rejected, revoked or expired) and was cleared: show the
    /// login screen.
    #[error("the session has ended ({}); log in again", reason_text(reason))]
    SessionExpired {
        /// Why it ended.
        reason: SignOutReason,
    },
    /// The call needs a signed-in user and there is none.
    #[error("not signed in: this call needs a logged-in customer")]
    NotSignedIn,
    /// The request did not complete (offline, DNS, TLS, reset). The session is kept: retry later.
    #[error("network error: {detail}")]
    Network {
        /// What failed.
        detail: String,
    },
    /// The request timed out. The session is kept: retry later.
    #[error("the request timed out; the session is kept, retry later")]
    Timeout,
    /// The store rate-limited the call: wait, then retry.
    #[error("rate limited by the store{}", retry_after_seconds.map(|s| format!("; retry in {s} s")).unwrap_or_default())]
    RateLimited {
        /// How long the store asked to wait, when it said.
        retry_after_seconds: Option<i64>,
    },
    /// The store failed (HTTP 5xx). The session is kept: retry later.
    #[error("{detail}")]
    Server {
        /// The HTTP status.
        status: i32,
        /// The status and, when the store sent one, its message.
        detail: String,
    },
    /// The store refused the request itself (out of stock, unknown product, invalid quantity…):
    /// show `message` to the user or fix the input.
    #[error("{message} ({code}{})", status.map(|s| format!(", HTTP {s}")).unwrap_or_default())]
    Validation {
        /// The store's error code, e.g. `cocart_product_out_of_stock` (`invalid_argument` when
        /// the SDK refused the argument before sending anything).
        code: String,
        /// The store's message (plain text, for display).
        message: String,
        /// What the code means.
        kind: ValidationKind,
        /// The HTTP status of the store's answer; `None` when nothing was sent.
        status: Option<i32>,
    },
    /// A cart write (add, update, remove, clear…) failed in transit or with a 5xx, so it may or
    /// may not have happened. Nothing was retried. `cart` is the cart as re-read right after the
    /// failure (`None` when that re-read failed too): show it, and let the user decide whether
    /// to try again. Retrying blindly can add an item twice.
    #[error("the write may or may not have been applied: {detail}")]
    WriteOutcomeUnknown {
        /// What failed.
        detail: String,
        /// The cart as the store holds it now, or `None` if it could not be re-read.
        cart: Option<Cart>,
    },
    /// The store rejected the token again right after a successful refresh. Tokens are bound to
    /// the IP address and User-Agent that received them: a network change mid-call, a proxy or
    /// VPN that changes the address between requests, or a User-Agent that changed. The session
    /// is kept: retry once the network is stable; if it keeps happening, log in again.
    #[error("the store rejected the refreshed token: {detail}")]
    TokenRejected {
        /// The store's answer.
        detail: String,
    },
    /// The app's session store failed. `unavailable` (a locked Keychain) does NOT mean signed
    /// out: retry when the device is unlocked.
    #[error("session store: {detail}")]
    Storage {
        /// Whether the store said "unavailable right now" rather than "failed".
        unavailable: bool,
        /// What failed.
        detail: String,
    },
    /// The host strips the `Authorization` header; the store owner must fix the server, or the
    /// app must set `ClientConfig.auth_header_name`.
    #[error("the store host strips the Authorization header: {detail}")]
    HeaderStripped {
        /// What was observed and how to fix it.
        detail: String,
    },
    /// The store's JWT plugin has no secret configured: login cannot work until the store owner
    /// fixes it.
    #[error("the store's JWT plugin is not configured: the store owner must set its secret")]
    JwtNotConfigured,
    /// The client configuration is invalid (URL, leeway, header name, plain HTTP…).
    #[error("invalid configuration: {detail}")]
    InvalidConfig {
        /// What is wrong.
        detail: String,
    },
    /// Anything else (an unexpected answer, a bug). Report it.
    #[error("unexpected error: {detail}")]
    Unexpected {
        /// What happened.
        detail: String,
    },
}

/// What a [`CoCartError::Validation`] means.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ValidationKind {
    /// The product is out of stock.
    OutOfStock,
    /// Not enough stock for the requested quantity.
    NotEnoughStock,
    /// The quantity is invalid; the bounds are given when the store named them.
    InvalidQuantity {
        /// The minimum the store asked for.
        min: Option<f64>,
        /// The maximum the store allows.
        max: Option<f64>,
    },
    /// The cart line does not exist.
    ItemNotInCart,
    /// The product does not exist.
    ProductNotFound,
    /// A variable product needs its variation attributes.
    VariationRequired,
    /// The variation attributes do not match a variation.
    InvalidVariation,
    /// The product cannot be bought (external product, failed validation…).
    CannotBePurchased,
    /// The product is sold individually and is already in the cart.
    SoldIndividually,
    /// The cart is empty.
    CartEmpty,
    /// The store's schema refused a parameter.
    InvalidParameter,
    /// The request was treated as a guest's where a customer was needed.
    NotAuthorized,
    /// Any other store error.
    Other,
}

impl From<&ApiErrorKind> for ValidationKind {
    fn from(kind: &ApiErrorKind) -> Self {
        match kind {
            ApiErrorKind::OutOfStock => Self::OutOfStock,
            ApiErrorKind::NotEnoughStock => Self::NotEnoughStock,
            ApiErrorKind::InvalidQuantity { min, max } => Self::InvalidQuantity {
                min: *min,
                max: *max,
            },
            ApiErrorKind::ItemNotInCart => Self::ItemNotInCart,
            ApiErrorKind::ProductNotFound => Self::ProductNotFound,
            ApiErrorKind::VariationRequired => Self::VariationRequired,
            ApiErrorKind::InvalidVariation => Self::InvalidVariation,
            ApiErrorKind::CannotBePurchased => Self::CannotBePurchased,
            ApiErrorKind::SoldIndividually => Self::SoldIndividually,
            ApiErrorKind::CartEmpty => Self::CartEmpty,
            ApiErrorKind::InvalidParameter => Self::InvalidParameter,
            ApiErrorKind::NotAuthorized
            | ApiErrorKind::Authentication
            | ApiErrorKind::ForbiddenCartKey => Self::NotAuthorized,
            _ => Self::Other,
        }
    }
}

impl CoCartError {
    /// A [`CoCartError::Validation`] for an argument the SDK refuses before sending anything.
    pub(crate) fn invalid_argument(message: impl Into<String>, kind: ValidationKind) -> Self {
        Self::Validation {
            code: "invalid_argument".into(),
            message: message.into(),
            kind,
            status: None,
        }
    }

    fn from_api(api: &ApiError) -> Self {
        Self::Validation {
            code: api.code.clone(),
            message: api.message.clone(),
            kind: ValidationKind::from(&api.kind),
            status: Some(i32::from(api.status)),
        }
    }
}

/// Why a session ended, in words.
fn reason_text(reason: &SignOutReason) -> &'static str {
    match reason {
        SignOutReason::LoggedOut => "logged out",
        SignOutReason::RefreshTokenInvalid => "the store refused the refresh token",
        SignOutReason::RefreshTokenExpired => "the refresh token expired",
        SignOutReason::AccountUnavailable => "the store no longer knows the account",
        SignOutReason::NoRefreshToken => "the token was refused and there is no refresh token",
        SignOutReason::RefreshedElsewhereAndLost => {
            "another process refreshed the session and lost the new tokens"
        }
        SignOutReason::SignedOutElsewhere => "signed out elsewhere",
        SignOutReason::StoredSessionUnreadable => "the stored session cannot be read",
        _ => "the session ended",
    }
}

impl From<cocart::SessionStoreError> for CoCartError {
    fn from(e: cocart::SessionStoreError) -> Self {
        Self::Storage {
            unavailable: matches!(e, cocart::SessionStoreError::Unavailable(_)),
            detail: e.to_string(),
        }
    }
}

impl From<cocart::Error> for CoCartError {
    fn from(e: cocart::Error) -> Self {
        use cocart::Error as E;
        match e {
            E::Config(_) | E::InsecureTransport { .. } | E::CredentialsRedirected { .. } => {
                Self::InvalidConfig {
                    detail: e.to_string(),
                }
            }
            E::InvalidCredentials { message } => Self::InvalidCredentials { detail: message },
            E::JwtNotConfigured => Self::JwtNotConfigured,
            E::AuthorizationHeaderStripped { .. } => Self::HeaderStripped {
                detail: e.to_string(),
            },
            E::SessionExpired { reason } => Self::SessionExpired { reason },
            // A customer-only client whose session ended: the app shows its login screen.
            E::SignedOut {
                reason: Some(reason),
            } => Self::SessionExpired { reason },
            E::SignedOut { reason: None } | E::NotSignedIn => Self::NotSignedIn,
            // A stored session of another store: nothing was sent; the app signs in again.
            E::SessionOfAnotherStore { .. } => Self::InvalidConfig {
                detail: e.to_string(),
            },
            E::InvalidArgument(message) => {
                Self::invalid_argument(message, ValidationKind::InvalidParameter)
            }
            // Rejected again right after a successful refresh: the token is bound to another
            // IP/User-Agent. The session is still held.
            E::TokenRejected(api) => Self::TokenRejected {
                detail: api.message.clone(),
            },
            E::RateLimited { retry_after } => Self::RateLimited {
                retry_after_seconds: retry_after.map(|d| crate::records::long(d.as_secs())),
            },
            E::Api(api) => Self::from_api(&api),
            E::Server { status, .. } => Self::Server {
                status: i32::from(status),
                detail: e.to_string(),
            },
            E::Network(_) => Self::Network {
                detail: e.to_string(),
            },
            E::Timeout => Self::Timeout,
            E::Storage(store) => Self::from(store),
            E::WriteOutcomeUnknown { cause, cart } => Self::WriteOutcomeUnknown {
                detail: cause.to_string(),
                cart: cart.map(|c| Cart::from(*c)),
            },
            E::InvalidResponse { .. } | E::Internal(_) => Self::Unexpected {
                detail: e.to_string(),
            },
            _ => Self::Unexpected {
                detail: e.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn api(status: u16, code: &str, message: &str) -> cocart::Error {
        cocart::Error::Api(Box::new(ApiError::new(
            status,
            code,
            message,
            serde_json::Value::Null,
        )))
    }

    #[test]
    fn stock_errors_become_validation_with_their_kind() {
        let e = CoCartError::from(api(
            400,
            "cocart_product_out_of_stock",
            "You cannot add \"Poster\" to your cart because the product is out of stock.",
        ));
        match e {
            CoCartError::Validation {
                code,
                message,
                kind,
                status,
            } => {
                assert_eq!(status, Some(400));
                assert_eq!(code, "cocart_product_out_of_stock");
                assert!(message.contains("out of stock"));
                assert_eq!(kind, ValidationKind::OutOfStock);
            }
            other => panic!("expected Validation, got {other:?}"),
        }
        let e = CoCartError::from(api(
            400,
            "cocart_quantity_invalid_amount",
            "Quantity must be 3 or lower.",
        ));
        assert!(matches!(
            e,
            CoCartError::Validation {
                kind: ValidationKind::InvalidQuantity {
                    min: None,
                    max: Some(m)
                },
                ..
            } if m == 3.0
        ));
    }

    #[test]
    fn transient_failures_keep_what_to_do() {
        assert_eq!(
            CoCartError::from(cocart::Error::RateLimited {
                retry_after: Some(Duration::from_secs(30))
            }),
            CoCartError::RateLimited {
                retry_after_seconds: Some(30)
            }
        );
        assert_eq!(
            CoCartError::from(cocart::Error::Server {
                status: 503,
                api: None
            }),
            CoCartError::Server {
                status: 503,
                detail: "the store failed with HTTP 503".into()
            }
        );
        assert_eq!(
            CoCartError::from(cocart::Error::Timeout),
            CoCartError::Timeout
        );
    }

    #[test]
    fn auth_errors_map_to_their_own_variants() {
        assert_eq!(
            CoCartError::from(cocart::Error::SignedOut {
                reason: Some(cocart::SignOutReason::SignedOutElsewhere)
            }),
            CoCartError::SessionExpired {
                reason: cocart::SignOutReason::SignedOutElsewhere
            }
        );
        assert_eq!(
            CoCartError::from(cocart::Error::SignedOut { reason: None }),
            CoCartError::NotSignedIn
        );
        assert!(matches!(
            CoCartError::from(cocart::Error::SessionOfAnotherStore {
                stored: "https://a.example/wp-json/".into(),
                client: "https://b.example/wp-json/".into(),
            }),
            CoCartError::InvalidConfig { .. }
        ));
        assert_eq!(
            CoCartError::from(cocart::Error::InvalidCredentials {
                message: "bad".into()
            }),
            CoCartError::InvalidCredentials {
                detail: "bad".into()
            }
        );
        assert_eq!(
            CoCartError::from(cocart::Error::SessionExpired {
                reason: cocart::SignOutReason::RefreshTokenExpired
            }),
            CoCartError::SessionExpired {
                reason: SignOutReason::RefreshTokenExpired
            }
        );
        assert_eq!(
            CoCartError::from(cocart::Error::NotSignedIn),
            CoCartError::NotSignedIn
        );
        assert_eq!(
            CoCartError::from(cocart::Error::JwtNotConfigured),
            CoCartError::JwtNotConfigured
        );
        assert!(matches!(
            CoCartError::from(cocart::Error::AuthorizationHeaderStripped { detail: "x".into() }),
            CoCartError::HeaderStripped { .. }
        ));
        assert!(matches!(
            CoCartError::from(cocart::Error::Config("leeway".into())),
            CoCartError::InvalidConfig { .. }
        ));
    }

    #[test]
    fn a_refused_argument_is_validation_before_anything_is_sent() {
        let e = CoCartError::from(cocart::Error::InvalidArgument("bad item key".into()));
        assert_eq!(
            e,
            CoCartError::Validation {
                code: "invalid_argument".into(),
                message: "bad item key".into(),
                kind: ValidationKind::InvalidParameter,
                status: None,
            }
        );
    }

    #[test]
    fn an_unavailable_store_is_not_a_plain_failure() {
        let e = CoCartError::from(cocart::Error::Storage(
            cocart::SessionStoreError::Unavailable("locked".into()),
        ));
        assert!(matches!(
            e,
            CoCartError::Storage {
                unavailable: true,
                ..
            }
        ));
        let e = CoCartError::from(cocart::Error::Storage(cocart::SessionStoreError::Io(
            "disk".into(),
        )));
        assert!(matches!(
            e,
            CoCartError::Storage {
                unavailable: false,
                ..
            }
        ));
    }

    #[test]
    fn an_unknown_write_outcome_says_so_and_carries_the_re_read_cart_or_its_absence() {
        let e = CoCartError::from(cocart::Error::WriteOutcomeUnknown {
            cause: Box::new(cocart::Error::Server {
                status: 502,
                api: None,
            }),
            cart: None,
        });
        match e {
            CoCartError::WriteOutcomeUnknown { detail, cart } => {
                assert!(detail.contains("502"), "{detail}");
                assert!(cart.is_none());
            }
            other => panic!("expected WriteOutcomeUnknown, got {other:?}"),
        }
        let cart: cocart::models::Cart = serde_json::from_value(serde_json::json!({
            "cart_key": "t_1", "items": [], "item_count": 0,
            "currency": {"currency_code": "USD", "currency_minor_unit": 2}
        }))
        .unwrap();
        let e = CoCartError::from(cocart::Error::WriteOutcomeUnknown {
            cause: Box::new(cocart::Error::Timeout),
            cart: Some(Box::new(cart)),
        });
        assert!(matches!(
            e,
            CoCartError::WriteOutcomeUnknown { cart: Some(c), .. } if c.cart_key == "t_1"
        ));
    }

    #[test]
    fn a_token_rejected_after_a_refresh_is_its_own_case_not_unexpected() {
        let api = ApiError::new(
            403,
            "cocart_authentication_error",
            "Authentication failed.",
            serde_json::Value::Null,
        );
        let e = CoCartError::from(cocart::Error::TokenRejected(Box::new(api)));
        assert_eq!(
            e,
            CoCartError::TokenRejected {
                detail: "Authentication failed.".into()
            }
        );
    }

    #[test]
    fn every_message_is_a_readable_sentence_with_the_store_text_code_and_status() {
        let out_of_stock = CoCartError::from(api(
            404,
            "cocart_product_out_of_stock",
            "You cannot add \"Poster\" to your cart because the product is out of stock.",
        ));
        assert_eq!(
            out_of_stock.to_string(),
            "You cannot add \"Poster\" to your cart because the product is out of stock. \
             (cocart_product_out_of_stock, HTTP 404)"
        );
        assert_eq!(
            CoCartError::invalid_argument(
                "product id -1: an id is not negative",
                ValidationKind::InvalidParameter
            )
            .to_string(),
            "product id -1: an id is not negative (invalid_argument)"
        );
        let server = CoCartError::from(cocart::Error::Server {
            status: 503,
            api: None,
        });
        assert!(matches!(server, CoCartError::Server { status: 503, .. }));
        assert!(server.to_string().contains("HTTP 503"), "{server}");
        assert_eq!(
            CoCartError::from(cocart::Error::RateLimited {
                retry_after: Some(Duration::from_secs(30))
            })
            .to_string(),
            "rate limited by the store; retry in 30 s"
        );
        assert_eq!(
            CoCartError::SessionExpired {
                reason: SignOutReason::RefreshTokenExpired
            }
            .to_string(),
            "the session has ended (the refresh token expired); log in again"
        );
        for unit in [
            CoCartError::NotSignedIn,
            CoCartError::Timeout,
            CoCartError::JwtNotConfigured,
        ] {
            let text = unit.to_string();
            assert!(text.len() > 20, "{unit:?} says only {text:?}");
        }
    }
}
