//! The CoCart and JWT plugin names the SDK relies on: error codes and REST routes, written once
//! and shared with the CLI's `doctor`.

/// How REST routes are addressed on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RestStyle {
    /// `https://shop.example/wp-json/cocart/v2/cart` (pretty permalinks).
    #[default]
    Pretty,
    /// `https://shop.example/?rest_route=/cocart/v2/cart` (plain permalinks).
    QueryParam,
}

/// `cocart_authentication_error`: the JWT plugin (or CoCart) refused the credentials or the
/// refresh token.
pub const AUTHENTICATION_ERROR: &str = "cocart_authentication_error";
/// `cocart_jwt_auth_bad_config`: the store's JWT plugin has no secret.
pub const JWT_BAD_CONFIG: &str = "cocart_jwt_auth_bad_config";
/// `cocart_jwt_auth_missing_refresh_token`: the refresh request carried no refresh token.
pub const JWT_MISSING_REFRESH_TOKEN: &str = "cocart_jwt_auth_missing_refresh_token";
/// The prefix of every JWT plugin code.
pub const JWT_PREFIX: &str = "cocart_jwt_auth_";
/// `cocart_rest_not_authorized`: CoCart saw no credentials on a route that needs them (also what
/// a host that strips the `Authorization` header gets).
pub const REST_NOT_AUTHORIZED: &str = "cocart_rest_not_authorized";
/// `rest_forbidden`: WordPress refused a guest on a route that needs a user.
pub const REST_FORBIDDEN: &str = "rest_forbidden";
/// `rest_no_route`: WordPress has no such route (the plugin that adds it is not active).
pub const REST_NO_ROUTE: &str = "rest_no_route";
/// `rate_limit_exceeded`: CoCart's rate limiter refused the request (also sent with other
/// statuses than 429 by some stores).
pub const RATE_LIMIT_EXCEEDED: &str = "rate_limit_exceeded";
/// `cocart_item_not_in_cart`: no line of the cart has this item key.
pub const ITEM_NOT_IN_CART: &str = "cocart_item_not_in_cart";

/// REST routes below `/wp-json/`.
pub mod routes {
    use url::Url;

    use super::RestStyle;

    /// The CoCart v2 namespace every cart and catalog route is below.
    pub const V2: &str = "cocart/v2";
    /// `POST`: HTTP Basic login; answers the JWT and the refresh token in `extras`.
    pub const LOGIN: &str = "cocart/v2/login";
    /// `POST`: ends the session (on plugin v3, every session of the user).
    pub const LOGOUT: &str = "cocart/v2/logout";
    /// `POST {"refresh_token"}`: rotates the token pair.
    pub const REFRESH_TOKEN: &str = "cocart/jwt/refresh-token";
    /// `POST`: whether the Bearer token is valid.
    pub const VALIDATE_TOKEN: &str = "cocart/jwt/validate-token";
    /// `GET`: the cart. The cart routes are below it (`cart/items`, `cart/add-item`, …).
    pub const CART: &str = "cocart/v2/cart";
    /// `GET`: the store's name, address and routes.
    pub const STORE: &str = "cocart/v2/store";
    /// `GET`: the products. Single products, variations, attributes, categories, tags and
    /// reviews are below it.
    pub const PRODUCTS: &str = "cocart/v2/products";

    /// The URL of `route` (below `/wp-json/`, e.g. [`CART`]) on the site whose root is `site`,
    /// addressed in `style`. A site in a subdirectory keeps it; a query on `site` is dropped.
    pub fn url(site: &Url, style: RestStyle, route: &str) -> Url {
        let route = route.trim_start_matches('/');
        let mut url = site.clone();
        let base = url.path().trim_end_matches('/').to_string();
        url.set_query(None);
        match style {
            RestStyle::Pretty => url.set_path(&format!("{base}/wp-json/{route}")),
            RestStyle::QueryParam => {
                url.set_path(&format!("{base}/"));
                url.query_pairs_mut()
                    .append_pair("rest_route", &format!("/{route}"));
            }
        }
        url
    }
}
