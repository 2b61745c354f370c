//! The CoCart and JWT plugin names the SDK relies on: error codes and REST routes, written once.

/// `cocart_authentication_error`: the JWT plugin (or CoCart) refused the credentials or the
/// refresh token.
pub const AUTHENTICATION_ERROR: &str = "cocart_authentication_error";
/// `cocart_jwt_auth_bad_config`: the store's JWT plugin has no secret.
pub const JWT_BAD_CONFIG: &str = "cocart_jwt_auth_bad_config";
/// `cocart_jwt_auth_missing_refresh_token`: the refresh request carried no refresh token.
pub const JWT_MISSING_REFRESH_TOKEN: &str = "cocart_jwt_auth_missing_refresh_token";
/// The prefix of every JWT plugin code.
pub const JWT_PREFIX: &str = "cocart_jwt_auth_";

/// REST routes below `/wp-json/`.
pub mod routes {
    /// `POST`: HTTP Basic login; answers the JWT and the refresh token in `extras`.
    pub const LOGIN: &str = "cocart/v2/login";
    /// `POST`: ends the session (on plugin v3, every session of the user).
    pub const LOGOUT: &str = "cocart/v2/logout";
    /// `POST {"refresh_token"}`: rotates the token pair.
    pub const REFRESH_TOKEN: &str = "cocart/jwt/refresh-token";
    /// `POST`: whether the Bearer token is valid.
    pub const VALIDATE_TOKEN: &str = "cocart/jwt/validate-token";
    /// `GET`: the cart.
    pub const CART: &str = "cocart/v2/cart";
}
