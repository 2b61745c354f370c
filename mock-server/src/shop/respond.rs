//! The JSON answer every public store route sends.

use super::cart_routes::EXPOSE_HEADERS;
use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, header};
use serde_json::Value;

/// A JSON answer with CoCart's exposed headers and `extra` headers.
pub(crate) fn json_response(body: &Value, extra: &[(&'static str, String)]) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"null".to_vec());
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(*name, v);
        }
    }
    resp
}
