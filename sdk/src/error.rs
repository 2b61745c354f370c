//! The SDK's error type.
//!
//! [`Error`] is rich and `#[non_exhaustive]`: it keeps the CoCart `code`, `message` and HTTP
//! status of every API error, and the raw body when a response does not parse. It is `Clone`
//! (inner transport errors sit behind an `Arc`) so that one refresh outcome can be handed to every
//! caller that waited for it.
//!
//! No variant ever carries a password or a token: messages come from the server's error envelope
//! or from this crate, and raw bodies of the authentication routes are never kept.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::auth::SignOutReason;
use crate::codes;
use crate::session_store::SessionStoreError;

/// A convenient alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the SDK.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is invalid (bad URL, leeway under 60 s, …).
    #[error("invalid configuration: {0}")]
    Config(String),

    /// Credentials would be sent over plain HTTP to a host that is not loopback.
    #[error(
        "refusing to send credentials over plain HTTP to {host}; use https, or opt in with `allow_insecure_http(true)`"
    )]
    InsecureTransport {
        /// The host that was refused.
        host: String,
    },

    /// The username/email or password is wrong (401 `cocart_authentication_error` on login).
    #[error("invalid credentials: {message}")]
    InvalidCredentials {
        /// The server's message.
        message: String,
    },

    /// The store runs CoCart but the JWT plugin has no secret (login answered `"extras": []`).
    #[error(
        "the store's JWT plugin is not configured: login returned no token. The store owner must define \
         COCART_JWT_AUTH_SECRET_KEY in wp-config.php (CoCart JWT Authentication)"
    )]
    JwtNotConfigured,

    /// A request that carried credentials was answered as a guest would be: the host strips the
    /// `Authorization` header before WordPress sees it.
    #[error(
        "the store answered as if no credentials were sent ({detail}): the host strips the Authorization header. \
         Fix the server with `RewriteRule .* - [E=HTTP_AUTHORIZATION:%{{HTTP:Authorization}}]` (or \
         `SetEnvIf Authorization \"(.*)\" HTTP_AUTHORIZATION=$1`) in .htaccess, or set CoCart's \
         \"Authorization Header\" setting and build the client with `auth_header_name(..)`"
    )]
    AuthorizationHeaderStripped {
        /// What was observed.
        detail: String,
    },

    /// The session ended: the refresh token was rejected (or the user signed out elsewhere).
    /// The stored session has been cleared; the user must log in again.
    #[error("the session has ended ({reason:?}); log in again")]
    SessionExpired {
        /// Why the session ended.
        reason: SignOutReason,
    },

    /// A stored session belongs to another store (its origin or REST root differs from this
    /// client's). Nothing was sent and nothing changed: the tokens of one store never go to
    /// another.
    #[error("the stored session belongs to {stored}, not to this client's store {client}")]
    SessionOfAnotherStore {
        /// The store the session belongs to.
        stored: String,
        /// This client's store.
        client: String,
    },

    /// An argument was refused before anything was sent (e.g. an item key that is not `[\w]+`).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The call needs a signed-in user and there is none.
    #[error("not signed in")]
    NotSignedIn,

    /// A client built with [`customer_only`](crate::ClientBuilder::customer_only) has no
    /// session: the cart call was refused before anything was sent instead of starting a guest
    /// cart. `reason` is why the last session ended, when this client saw it end. Log in again.
    #[error("signed out{}; this client acts for a customer only: log in again", reason.as_ref().map(|r| format!(" ({r:?})")).unwrap_or_default())]
    SignedOut {
        /// Why the last session ended, when known.
        reason: Option<SignOutReason>,
    },

    /// The store answered a request that carried credentials with a redirect (3xx). The SDK
    /// never sends credentials on to a redirect target: use the final address as the store URL
    /// (e.g. `https://` and the `www.` the store redirects to). With an injected HTTP client that
    /// follows redirects, the credentials may already have reached `to`.
    #[error(
        "the store redirected a request that carried credentials (to {to}); credentials are not sent on. \
         Use the address the store redirects to as the store URL"
    )]
    CredentialsRedirected {
        /// `scheme://host[:port]` of the redirect target.
        to: String,
    },

    /// The token was rejected twice in a row (after a successful refresh). Tokens are bound to
    /// the IP address and User-Agent that received them: a changed network, a proxy or a
    /// changed User-Agent gives this. Log in again.
    #[error("the store rejected the token again after a refresh: {0}")]
    TokenRejected(Box<ApiError>),

    /// The store rate-limited the call (429, or CoCart's 400 `rate_limit_exceeded`).
    #[error("rate limited by the store{}", retry_after.map(|d| format!("; retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long the store asked us to wait.
        retry_after: Option<Duration>,
    },

    /// A CoCart or WordPress error envelope (4xx).
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The store failed (5xx). The session is kept.
    #[error("the store failed with HTTP {status}{}", api.as_ref().map(|a| format!(": {}", a.message)).unwrap_or_default())]
    Server {
        /// HTTP status.
        status: u16,
        /// The error envelope, when the body had one.
        api: Option<Box<ApiError>>,
    },

    /// The request did not complete (DNS, connect, reset, TLS). The session is kept.
    #[error("network error: {0}")]
    Network(#[source] Arc<reqwest::Error>),

    /// The request timed out. The session is kept.
    #[error("the request timed out")]
    Timeout,

    /// The response could not be understood. `raw` holds the body (never for auth routes).
    #[error("unexpected response (HTTP {status}): {reason}")]
    InvalidResponse {
        /// HTTP status.
        status: u16,
        /// Why it did not parse.
        reason: String,
        /// The raw body, or a placeholder for routes whose bodies hold secrets.
        raw: String,
    },

    /// The session store failed. `Unavailable` never means "signed out".
    #[error("session store: {0}")]
    Storage(#[from] SessionStoreError),

    /// A bug or an impossible state inside the SDK (e.g. a background task panicked).
    #[error("internal error: {0}")]
    Internal(String),

    /// A write (add, update, remove, clear) failed in transit or with a 5xx, so it may or may not
    /// have happened. The SDK re-read the cart: `cart` is what the store holds now (when the
    /// re-read worked). Nothing was retried.
    #[error("the write may not have been applied ({cause}); the cart was re-read")]
    WriteOutcomeUnknown {
        /// What failed.
        cause: Box<Error>,
        /// The cart as re-read after the failure.
        cart: Option<Box<crate::models::Cart>>,
    },
}

impl Error {
    /// Whether trying again later may succeed (network, timeout, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Network(_) | Error::Timeout | Error::Server { .. } | Error::RateLimited { .. }
        )
    }

    /// The API error envelope, if this error carries one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(a) | Error::TokenRejected(a) => Some(a),
            Error::Server { api, .. } => api.as_deref(),
            _ => None,
        }
    }

    /// The typed kind of the API error, if any.
    pub fn api_kind(&self) -> Option<&ApiErrorKind> {
        self.api().map(|a| &a.kind)
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Error::Timeout
        } else {
            // reqwest errors carry the URL; ours never hold credentials (tokens go in headers).
            Error::Network(Arc::new(e.without_url()))
        }
    }
}

/// A CoCart/WordPress error envelope: `{"code","message","data":{"status",…}}`, or the
/// `{"success":false,"data":[{"code","message"}]}` envelope that some CoCart errors use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} ({code}, HTTP {status})")]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The machine code, e.g. `cocart_product_out_of_stock`.
    pub code: String,
    /// The server's message (plain text).
    pub message: String,
    /// `data` without `status` (e.g. `params`, `details`); `Null` when absent.
    pub data: Value,
    /// What the code means for an app.
    pub kind: ApiErrorKind,
}

impl ApiError {
    /// Builds an error and classifies its code.
    pub fn new(
        status: u16,
        code: impl Into<String>,
        message: impl Into<String>,
        data: Value,
    ) -> Self {
        let code = code.into();
        let message = message.into();
        let kind = ApiErrorKind::classify(&code, &message);
        Self {
            status,
            code,
            message,
            data,
            kind,
        }
    }

    /// Parses either envelope. `None` when the body is neither.
    pub fn from_body(status: u16, body: &Value) -> Option<Self> {
        let obj = body.as_object()?;
        if let (Some(code), Some(message)) = (obj.get("code"), obj.get("message")) {
            let code = value_to_string(code)?;
            let message = value_to_string(message).unwrap_or_default();
            let mut data = obj.get("data").cloned().unwrap_or(Value::Null);
            if let Value::Object(map) = &mut data {
                map.remove("status");
            }
            return Some(Self::new(status, code, message, data));
        }
        if obj.get("success") == Some(&Value::Bool(false)) {
            let first = match obj.get("data") {
                Some(Value::Array(items)) => items.first().cloned(),
                Some(other @ Value::Object(_)) => Some(other.clone()),
                _ => None,
            }?;
            let code = first.get("code").and_then(value_to_string)?;
            let message = first
                .get("message")
                .and_then(value_to_string)
                .unwrap_or_default();
            return Some(Self::new(status, code, message, Value::Null));
        }
        None
    }

    /// Whether this is the JWT plugin (or CoCart) rejecting the credentials of the request.
    pub fn is_auth_rejection(&self) -> bool {
        self.code == codes::AUTHENTICATION_ERROR || self.code.starts_with(codes::JWT_PREFIX)
    }
}

fn value_to_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What an API error means for an app. Cart and product errors an app must react to get their
/// own variant; everything else is [`ApiErrorKind::Other`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// `cocart_product_out_of_stock`.
    OutOfStock,
    /// `cocart_not_enough_in_stock` / `cocart_not_enough_stock_remaining`.
    NotEnoughStock,
    /// `cocart_quantity_invalid_amount` / `cocart_quantity_not_numeric`, with the bound the
    /// message names when there is one.
    InvalidQuantity {
        /// "Quantity must be a minimum of N."
        min: Option<f64>,
        /// "Quantity must be N or lower."
        max: Option<f64>,
    },
    /// `cocart_item_not_in_cart`, `cocart_no_items`, `cocart_cart_item_key_required`.
    ItemNotInCart,
    /// `cocart_unknown_product_id`, `cocart_product_invalid_id`, `cocart_invalid_product`,
    /// `cocart_product_id_required`.
    ProductNotFound,
    /// `cocart_no_variation_found`, `cocart_missing_variation_data`.
    VariationRequired,
    /// `cocart_invalid_variation_data`.
    InvalidVariation,
    /// `cocart_cannot_be_purchased`, `cocart_cannot_add_to_cart`,
    /// `cocart_cannot_add_product_type_to_cart`, `cocart_product_failed_validation`.
    CannotBePurchased,
    /// `cocart_product_sold_individually`, `cocart_can_not_increase_quantity`.
    SoldIndividually,
    /// `cocart_no_items_in_cart`, `cocart_cart_empty`, `cocart_response_returned_empty`,
    /// `cocart_cart_totals_empty`.
    CartEmpty,
    /// `rest_invalid_param`, `rest_missing_callback_param`: the SDK sent something the store's
    /// schema refused.
    InvalidParameter,
    /// `cocart_authentication_error` and `cocart_jwt_auth_*`.
    Authentication,
    /// `cocart_rest_not_authorized`, `rest_forbidden`: the request was treated as a guest.
    NotAuthorized,
    /// `cocart_must_authenticate_user`, `cocart_already_authenticating_user`.
    ForbiddenCartKey,
    /// Any other code.
    Other,
}

impl ApiErrorKind {
    /// Classifies a CoCart/WordPress error code.
    pub fn classify(code: &str, message: &str) -> Self {
        match code {
            "cocart_product_out_of_stock" => Self::OutOfStock,
            "cocart_not_enough_in_stock" | "cocart_not_enough_stock_remaining" => {
                Self::NotEnoughStock
            }
            "cocart_quantity_invalid_amount" | "cocart_quantity_not_numeric" => {
                Self::InvalidQuantity {
                    min: number_after(message, "minimum of "),
                    max: number_before(message, " or lower"),
                }
            }
            codes::ITEM_NOT_IN_CART | "cocart_no_items" | "cocart_cart_item_key_required" => {
                Self::ItemNotInCart
            }
            "cocart_unknown_product_id"
            | "cocart_product_invalid_id"
            | "cocart_invalid_product"
            | "cocart_product_id_required"
            | "cocart_cart_invalid_parent_product" => Self::ProductNotFound,
            "cocart_no_variation_found" | "cocart_missing_variation_data" => {
                Self::VariationRequired
            }
            "cocart_invalid_variation_data" => Self::InvalidVariation,
            "cocart_cannot_be_purchased"
            | "cocart_cannot_add_to_cart"
            | "cocart_cannot_add_product_type_to_cart"
            | "cocart_product_failed_validation"
            | "cocart_add_to_cart_error" => Self::CannotBePurchased,
            "cocart_product_sold_individually" | "cocart_can_not_increase_quantity" => {
                Self::SoldIndividually
            }
            "cocart_no_items_in_cart"
            | "cocart_cart_empty"
            | "cocart_response_returned_empty"
            | "cocart_cart_totals_empty" => Self::CartEmpty,
            "rest_invalid_param" | "rest_missing_callback_param" => Self::InvalidParameter,
            codes::AUTHENTICATION_ERROR => Self::Authentication,
            c if c.starts_with(codes::JWT_PREFIX) => Self::Authentication,
            codes::REST_NOT_AUTHORIZED | codes::REST_FORBIDDEN => Self::NotAuthorized,
            "cocart_must_authenticate_user" | "cocart_already_authenticating_user" => {
                Self::ForbiddenCartKey
            }
            _ => Self::Other,
        }
    }
}

fn number_after(message: &str, marker: &str) -> Option<f64> {
    let rest = &message[message.find(marker)? + marker.len()..];
    leading_number(rest)
}

fn number_before(message: &str, marker: &str) -> Option<f64> {
    let head = &message[..message.find(marker)?];
    // Counted in bytes of ASCII characters only, so the cut is always on a char boundary
    // whatever precedes the number (a no-break space, typographic quotes).
    let number_len: usize = head
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .map(char::len_utf8)
        .sum();
    head[head.len() - number_len..].parse().ok()
}

fn leading_number(s: &str) -> Option<f64> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    s[..end].trim_end_matches('.').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_rest_envelope_and_drops_status_from_data() {
        let body = json!({"code":"cocart_item_not_in_cart","message":"Item specified does not exist in cart.","data":{"status":404,"extra":1}});
        let e = ApiError::from_body(404, &body).unwrap();
        assert_eq!(e.code, "cocart_item_not_in_cart");
        assert_eq!(e.kind, ApiErrorKind::ItemNotInCart);
        assert_eq!(e.data, json!({"extra":1}));
    }

    #[test]
    fn parses_the_success_false_envelope() {
        let body = json!({"success":false,"data":[{"code":"cocart_already_authenticating_user","message":"You are already authenticating as the customer. Cannot set cart key as the user."}]});
        let e = ApiError::from_body(403, &body).unwrap();
        assert_eq!(e.kind, ApiErrorKind::ForbiddenCartKey);
        assert!(e.message.starts_with("You are already"));
    }

    #[test]
    fn quantity_bounds_are_read_from_the_message() {
        let max = ApiErrorKind::classify(
            "cocart_quantity_invalid_amount",
            "Quantity must be 3 or lower.",
        );
        assert_eq!(
            max,
            ApiErrorKind::InvalidQuantity {
                min: None,
                max: Some(3.0)
            }
        );
        let min = ApiErrorKind::classify(
            "cocart_quantity_invalid_amount",
            "Quantity must be a minimum of 2.",
        );
        assert_eq!(
            min,
            ApiErrorKind::InvalidQuantity {
                min: Some(2.0),
                max: None
            }
        );
    }

    #[test]
    fn quantity_bounds_after_multi_byte_characters_do_not_panic() {
        for message in [
            "Quantity must be\u{a0}3 or lower.",
            "Quantity must be \u{201c}3\u{201d} or lower.",
            "Quantity must be é3 or lower.",
            "🛒 or lower",
            " or lower",
        ] {
            let _ = ApiErrorKind::classify("cocart_quantity_invalid_amount", message);
        }
        assert_eq!(
            ApiErrorKind::classify(
                "cocart_quantity_invalid_amount",
                "Quantity must be\u{a0}3 or lower."
            ),
            ApiErrorKind::InvalidQuantity {
                min: None,
                max: Some(3.0)
            }
        );
    }

    #[test]
    fn a_body_without_an_envelope_is_not_an_api_error() {
        assert!(ApiError::from_body(500, &json!({"foo":1})).is_none());
        assert!(ApiError::from_body(500, &json!(true)).is_none());
    }
}
