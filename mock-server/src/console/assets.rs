//! The console page and its two assets, compiled into the binary: nothing is fetched from
//! anywhere else (no CDN, no fonts), and a content security policy says so to the browser.

use crate::state::AppState;
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};

/// The policy of every console asset: only the mock itself, no inline script or style.
pub(crate) const POLICY: &str = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/console.js");
const STYLE: &str = include_str!("assets/console.css");

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_SECURITY_POLICY, POLICY),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

/// Adds `/__mock/ui`, `/__mock/ui/console.js` and `/__mock/ui/console.css`.
pub(crate) fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route(
            "/__mock/ui",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/__mock/ui/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/__mock/ui/console.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/__mock/ui/console.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
}
