//! Request rewriting before routing, as WordPress does it:
//! - `/?rest_route=/cocart/v2/cart&x=1` (or `/index.php?rest_route=…`) becomes
//!   `/wp-json/cocart/v2/cart?x=1`;
//! - a trailing slash on a REST path is dropped (`untrailingslashit`);
//! - `?_method=` or `X-HTTP-Method-Override` replaces the method of a REST request.

use axum::body::Body;
use http::{Method, Request, Uri};

/// `X-HTTP-Method-Override`.
const METHOD_OVERRIDE: http::HeaderName = http::HeaderName::from_static("x-http-method-override");

/// The REST prefix.
pub(crate) const REST_PREFIX: &str = "/wp-json";

/// Whether a path is a store (REST) route.
pub(crate) fn is_rest_path(path: &str) -> bool {
    path == REST_PREFIX || path.starts_with("/wp-json/")
}

/// Splits `rest_route` out of a raw query: the decoded route and the other pairs, raw.
fn split_rest_route(query: &str) -> Option<(String, String)> {
    let mut route = None;
    let mut rest: Vec<&str> = Vec::new();
    for pair in query.split('&') {
        let key = pair.split('=').next().unwrap_or("");
        if route.is_none() && key == "rest_route" {
            let value = pair.split_once('=').map_or("", |(_, v)| v);
            let decoded: String = url::form_urlencoded::parse(format!("v={value}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            route = Some(decoded);
        } else if !pair.is_empty() {
            rest.push(pair);
        }
    }
    route.map(|r| (r, rest.join("&")))
}

fn with_path_and_query(uri: &Uri, path: &str, query: Option<&str>) -> Option<Uri> {
    let pq = match query.filter(|q| !q.is_empty()) {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(pq.parse().ok()?);
    Uri::from_parts(parts).ok()
}

/// The new URI of a request, if WordPress would route it elsewhere than its raw path.
fn rewritten_uri(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    if matches!(path, "/" | "/index.php") {
        let (route, rest) = split_rest_route(uri.query()?)?;
        let route = route.trim_end_matches('/');
        let full = if route.starts_with('/') {
            format!("{REST_PREFIX}{route}")
        } else {
            format!("{REST_PREFIX}/{route}")
        };
        return with_path_and_query(uri, &full, Some(&rest));
    }
    if is_rest_path(path) && path.len() > REST_PREFIX.len() + 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        return with_path_and_query(uri, trimmed, uri.query());
    }
    None
}

/// `_method` from the query, else `X-HTTP-Method-Override`.
fn method_override(req: &Request<Body>) -> Option<Method> {
    let from_query = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "_method")
            .map(|(_, v)| v.into_owned())
    });
    let raw = from_query.or_else(|| {
        req.headers()
            .get(METHOD_OVERRIDE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    })?;
    Method::from_bytes(raw.trim().to_ascii_uppercase().as_bytes()).ok()
}

/// Applies the rewrites in place.
pub(crate) fn apply(req: &mut Request<Body>) {
    if let Some(uri) = rewritten_uri(req.uri()) {
        *req.uri_mut() = uri;
    }
    let overridden = is_rest_path(req.uri().path())
        .then(|| method_override(req))
        .flatten();
    if let Some(m) = overridden {
        *req.method_mut() = m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(uri: &str) -> String {
        let mut req = Request::builder().uri(uri).body(Body::empty()).unwrap();
        apply(&mut req);
        req.uri().to_string()
    }

    #[test]
    fn rest_route_becomes_a_wp_json_path_keeping_other_params() {
        assert_eq!(
            rewrite("/?rest_route=/cocart/v2/cart&cart_key=abc"),
            "/wp-json/cocart/v2/cart?cart_key=abc"
        );
        assert_eq!(
            rewrite("/index.php?x=1&rest_route=%2Fcocart%2Fjwt%2Frefresh-token%2F"),
            "/wp-json/cocart/jwt/refresh-token?x=1"
        );
        assert_eq!(rewrite("/?foo=bar"), "/?foo=bar");
        assert_eq!(
            rewrite("/wp-json/cocart/v2/cart/?a=1"),
            "/wp-json/cocart/v2/cart?a=1"
        );
    }

    #[test]
    fn method_override_from_query_or_header() {
        let mut req = Request::builder()
            .method("POST")
            .uri("/wp-json/cocart/v2/cart/item/abc?_method=delete")
            .body(Body::empty())
            .unwrap();
        apply(&mut req);
        assert_eq!(req.method(), Method::DELETE);
        let mut req = Request::builder()
            .method("POST")
            .uri("/wp-json/cocart/v2/cart/item/abc")
            .header("X-HTTP-Method-Override", "PUT")
            .body(Body::empty())
            .unwrap();
        apply(&mut req);
        assert_eq!(req.method(), Method::PUT);
    }
}
