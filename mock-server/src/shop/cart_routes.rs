//! The `cocart/v2/cart*` routes. Every handler runs the same pipeline: parse and type-check the
//! parameters, take the world lock once (open the session, run the operation — on a copy of the
//! cart for writes, on the shared cart for reads — save), release it, then serialise the views
//! outside the lock straight into the response bytes and add the cart headers.

use super::add::{self, ADD_ITEM_ARGS, ADD_ITEMS_ARGS};
use super::cart::Cart;
use super::cart_view::{self, ItemMap, ItemView, RawTotalsView};
use super::catalogue::Catalogue;
use super::keys;
use super::money::num;
use super::notices::Notices;
use super::render::{CartOpts, Ctx};
use super::schema::{self, Arg, Ty, opt, req};
use super::session;
use super::stored::{self, CartRequest, FrozenCart};
use super::update;
use crate::caller::{Caller, TakeCaller};
use crate::error::ApiError;
use crate::fast::FastPaths;
use crate::headers::TIMESTAMP_HEADER;
use crate::params::Params;
use crate::state::{AppState, World};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, post};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use serde_json::Value;
use std::sync::Arc;

/// The namespace prefix of every route here.
pub(crate) const BASE: &str = "/wp-json/cocart/v2";

/// The headers a browser may read (`Access-Control-Expose-Headers`).
pub(crate) const EXPOSE_HEADERS: &str = "X-WP-Total, X-WP-TotalPages, Link, CoCart-API-Cart-Key, CoCart-API-Cart-Expiring, CoCart-API-Cart-Expiration, ETag, CoCart-Cache";

/// One cart operation.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    GetCart,
    AddItem,
    AddItems,
    GetItem(String),
    UpdateItem(String),
    RemoveItem(String),
    RestoreItem(String),
    Items,
    Count,
    Clear,
    Calculate,
    Totals,
    Update,
}

const COMMON_ARGS: &[Arg] = &[
    opt("fields", Ty::Str),
    opt("thumb", Ty::Bool),
    opt("default", Ty::Bool),
];

impl Op {
    fn args(&self) -> &'static [Arg] {
        const UPDATE_ITEM: &[Arg] = &[req("quantity", Ty::Str), opt("return_status", Ty::Bool)];
        const REMOVE_ITEM: &[Arg] = &[opt("return_status", Ty::Bool)];
        const RESTORE_ITEM: &[Arg] = &[opt("return_item", Ty::Bool)];
        const COUNT: &[Arg] = &[opt("removed_items", Ty::Bool), opt("return", Ty::Str)];
        const CLEAR: &[Arg] = &[opt("keep_removed_items", Ty::Bool)];
        const CALCULATE: &[Arg] = &[opt("return_totals", Ty::Bool)];
        const TOTALS: &[Arg] = &[opt("html", Ty::Bool)];
        const UPDATE: &[Arg] = &[opt("namespace", Ty::Str), opt("data", Ty::Obj)];
        match self {
            Self::GetCart | Self::GetItem(_) | Self::Items => &[],
            Self::AddItem => ADD_ITEM_ARGS,
            Self::AddItems => ADD_ITEMS_ARGS,
            Self::UpdateItem(_) => UPDATE_ITEM,
            Self::RemoveItem(_) => REMOVE_ITEM,
            Self::RestoreItem(_) => RESTORE_ITEM,
            Self::Count => COUNT,
            Self::Clear => CLEAR,
            Self::Calculate => CALCULATE,
            Self::Totals => TOTALS,
            Self::Update => UPDATE,
        }
    }

    fn is_read(&self) -> bool {
        matches!(
            self,
            Self::GetCart | Self::GetItem(_) | Self::Items | Self::Count | Self::Totals
        )
    }
}

/// What an operation answers with (rendered after the lock is released).
#[derive(Debug)]
enum Out {
    Cart,
    Item(String),
    Items(Vec<String>),
    ItemMap,
    Totals(bool),
    Json(Value),
}

/// A read operation: never changes the cart.
fn apply_read(op: &Op, cart: &Cart, params: &Params) -> Result<Out, ApiError> {
    match op {
        Op::GetCart => Ok(Out::Cart),
        Op::GetItem(key) => match cart.line(key) {
            Some(_) => Ok(Out::Item(key.clone())),
            None => Err(update::not_in_cart()),
        },
        Op::Items => {
            if cart.is_empty() {
                return Err(no_items_in_cart());
            }
            Ok(Out::ItemMap)
        }
        Op::Count => count(cart, params),
        Op::Totals => {
            if cart.is_empty() {
                return Err(ApiError::new(
                    404,
                    "cocart_cart_totals_empty",
                    "This cart either has no items or was not calculated.",
                ));
            }
            Ok(Out::Totals(schema::flag(params, "html")))
        }
        _ => Ok(Out::Cart),
    }
}

/// Runs an operation on `cart` (changed in place for writes).
fn apply(
    op: &Op,
    cat: &Catalogue,
    cart: &mut Cart,
    params: &Params,
    notices: &mut Notices,
) -> Result<Out, ApiError> {
    match op {
        Op::GetCart | Op::GetItem(_) | Op::Items | Op::Count | Op::Totals => {
            apply_read(op, cart, params)
        }
        Op::Calculate => Ok(Out::Cart),
        Op::AddItem => {
            let key = add::add_item(cat, cart, params, notices)?;
            Ok(if schema::flag(params, "return_item") {
                Out::Item(key)
            } else {
                Out::Cart
            })
        }
        Op::AddItems => {
            let keys = add::add_items(cat, cart, params, notices)?;
            Ok(if schema::flag(params, "return_items") {
                Out::Items(keys)
            } else {
                Out::Cart
            })
        }
        Op::UpdateItem(key) => {
            let status = update::update_item(cat, cart, key, params, notices)?;
            Ok(if schema::flag(params, "return_status") {
                Out::Json(status)
            } else {
                Out::Cart
            })
        }
        Op::RemoveItem(key) => {
            let message = update::remove_item(cat, cart, key, notices)?;
            Ok(if schema::flag(params, "return_status") {
                Out::Json(Value::String(message))
            } else {
                Out::Cart
            })
        }
        Op::RestoreItem(key) => {
            update::restore_item(cat, cart, key, notices)?;
            Ok(if schema::flag(params, "return_item") {
                Out::Item(key.clone())
            } else {
                Out::Cart
            })
        }
        Op::Clear => {
            update::clear(cart, schema::flag(params, "keep_removed_items"), notices);
            Ok(Out::Cart)
        }
        Op::Update => {
            update::update(cat, cart, params, notices)?;
            Ok(Out::Cart)
        }
    }
}

fn no_items_in_cart() -> ApiError {
    ApiError::new(404, "cocart_no_items_in_cart", "No items in the cart.")
}

/// `GET /cart/items/count`: a bare number; 400 `cocart_response_returned_empty` on an empty
/// cart (404 `cocart_no_items_in_cart` when `return` is not `numeric`).
fn count(cart: &Cart, params: &Params) -> Result<Out, ApiError> {
    let lines = if schema::flag(params, "removed_items") {
        &cart.removed
    } else {
        &cart.lines
    };
    let total: f64 = lines.iter().map(|l| l.quantity).sum();
    let numeric = params.get_str("return").is_none_or(|r| r == "numeric");
    if total == 0.0 {
        return Err(if numeric {
            ApiError::new(
                400,
                "cocart_response_returned_empty",
                "Request returned nothing.",
            )
        } else {
            no_items_in_cart()
        });
    }
    if numeric {
        return Ok(Out::Json(num(total)));
    }
    let n = super::money::php_float(total);
    Ok(Out::Json(Value::String(if total == 1.0 {
        format!("There is {n} item in the cart.")
    } else {
        format!("There are {n} items in the cart.")
    })))
}

/// What the handler needs from the request.
struct Incoming {
    state: AppState,
    caller: Caller,
    method: Method,
    headers: HeaderMap,
    query: Option<String>,
    body: Bytes,
}

/// Everything rendering needs, taken out of the lock.
struct Snapshot {
    cat: Arc<Catalogue>,
    key: String,
    cart: Arc<FrozenCart>,
    notices: Notices,
    expiring: i64,
    expiration: i64,
    now: i64,
}

enum Which {
    Fixed(Op),
    Item(Option<String>),
}

/// `_method` (query) or `X-HTTP-Method-Override`, as WordPress applies them.
fn effective_method(method: &Method, headers: &HeaderMap, params: &Params) -> Method {
    let overridden = params
        .query
        .get("_method")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            headers
                .get(METHOD_OVERRIDE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
    overridden
        .and_then(|m| Method::from_bytes(m.trim().to_ascii_uppercase().as_bytes()).ok())
        .unwrap_or_else(|| method.clone())
}

fn valid_item_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 32 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn handle(inc: Incoming, which: Which) -> Response {
    let params = match Params::parse(&inc.method, &inc.headers, inc.query.as_deref(), &inc.body) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let op = match which {
        Which::Fixed(op) => op,
        Which::Item(key) => {
            let Some(key) = key.filter(|k| valid_item_key(k)) else {
                return ApiError::no_route().into_response();
            };
            match effective_method(&inc.method, &inc.headers, &params) {
                m if m == Method::GET || m == Method::HEAD => Op::GetItem(key),
                m if m == Method::POST => Op::UpdateItem(key),
                m if m == Method::DELETE => Op::RemoveItem(key),
                m if m == Method::PUT || m == Method::PATCH => Op::RestoreItem(key),
                _ => return ApiError::no_route().into_response(),
            }
        }
    };
    if let Err(e) =
        schema::check(&params, COMMON_ARGS).and_then(|()| schema::check(&params, op.args()))
    {
        return e.into_response();
    }
    let opts = CartOpts::new(
        params.get_str("fields"),
        schema::flag_or(&params, "thumb", true),
    );
    let requested = keys::requested_key(&inc.headers, &params);
    let now = inc.state.now();
    let (outcome, snap) = {
        let mut guard = inc.state.world();
        let World { auth, shop, .. } = &mut *guard;
        let session = match session::open(
            &mut shop.carts,
            |id| auth.user_exists(id),
            inc.caller.user_id,
            requested,
            now,
        ) {
            Ok(s) => s,
            Err(e) => return e.into_response(),
        };
        let cat = Arc::clone(&shop.catalogue);
        let mut notices = Notices::default();
        let (outcome, cart) = if op.is_read() {
            (
                apply_read(&op, &session.cart, &params),
                Arc::clone(&session.cart),
            )
        } else {
            let mut changed = Cart::clone(&session.cart);
            match apply(&op, &cat, &mut changed, &params, &mut notices) {
                Ok(out) => (Ok(out), FrozenCart::new(changed)),
                Err(e) => (Err(e), Arc::clone(&session.cart)),
            }
        };
        let (expiring, expiration) = session::save(&mut shop.carts, &session, &cart, now);
        (
            outcome,
            Snapshot {
                cat,
                key: session.key,
                cart,
                notices,
                expiring,
                expiration,
                now,
            },
        )
    };
    let out = match outcome {
        Ok(out) => out,
        Err(e) => return e.into_response(),
    };
    let ctx = Ctx {
        cat: &snap.cat,
        site_url: &inc.state.site_url,
    };
    let body = render_out(&ctx, &snap, out, &opts, &inc.state.fast);
    respond(&inc, &params, &op, &snap, body)
}

/// A response body and, for cart reads, its ETag.
struct Answer {
    bytes: Bytes,
    etag: Option<HeaderValue>,
}

/// The response body: the views serialised straight into bytes (a cart's default rendering
/// memoised with the cart).
fn render_out(
    ctx: &Ctx<'_>,
    snap: &Snapshot,
    out: Out,
    opts: &CartOpts,
    fast: &FastPaths,
) -> Answer {
    let cart: &Cart = &snap.cart;
    let hint = cart_view::cart_size_hint(cart);
    let item = |key: &str| {
        cart.line(key)
            .and_then(|l| ItemView::new(ctx, l, false, opts.thumb))
    };
    let bytes = match out {
        Out::Cart => {
            let rendered = CartRequest {
                ctx,
                catalogue: &snap.cat,
                key: &snap.key,
                cart: &snap.cart,
                notices: &snap.notices,
                opts,
            }
            .body(fast);
            return Answer {
                bytes: rendered.body.clone(),
                etag: Some(rendered.etag.clone()),
            };
        }
        Out::Item(key) => cart_view::to_bytes(&item(&key), hint),
        Out::Items(mut keys) => {
            keys.dedup();
            let items: Vec<Option<ItemView<'_>>> = keys.iter().map(|k| item(k)).collect();
            cart_view::to_bytes(&items, hint)
        }
        Out::ItemMap => cart_view::to_bytes(&ItemMap::lines(ctx, cart, opts.thumb), hint),
        Out::Totals(html) => cart_view::to_bytes(&RawTotalsView::new(ctx, cart, html), 512),
        Out::Json(v) => cart_view::to_bytes(&v, 64),
    };
    Answer {
        bytes: Bytes::from(bytes),
        etag: None,
    }
}

/// `X-HTTP-Method-Override`.
const METHOD_OVERRIDE: HeaderName = HeaderName::from_static("x-http-method-override");
/// `CoCart-API-Cart-Key`.
const CART_KEY: HeaderName = HeaderName::from_static("cocart-api-cart-key");
/// `CoCart-API-Cart-Expiring`.
const CART_EXPIRING: HeaderName = HeaderName::from_static("cocart-api-cart-expiring");
/// `CoCart-API-Cart-Expiration`.
const CART_EXPIRATION: HeaderName = HeaderName::from_static("cocart-api-cart-expiration");
/// `CoCart-Cache`.
const CACHE_STATE: HeaderName = HeaderName::from_static("cocart-cache");

/// The 200 answer with the cart headers (and ETag handling on reads).
fn respond(inc: &Incoming, params: &Params, op: &Op, snap: &Snapshot, body: Answer) -> Response {
    let Answer { bytes, etag: known } = body;
    let bytes_len = bytes.len();
    let mut status = StatusCode::OK;
    let mut cache_state = None;
    let mut etag = None;
    if op.is_read() {
        let tag = known.unwrap_or_else(|| stored::etag_of(&bytes));
        let skip = params
            .get_str("_skip_cache")
            .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
        let matches = inc
            .headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim().as_bytes() == tag.as_bytes()));
        cache_state = Some(if skip {
            "SKIP"
        } else if matches {
            status = StatusCode::NOT_MODIFIED;
            "HIT"
        } else {
            "MISS"
        });
        etag = Some(tag);
    }
    let body = if status == StatusCode::NOT_MODIFIED {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let content_length = match status {
        StatusCode::NOT_MODIFIED => None,
        _ => Some(bytes_len),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let key = (!snap.key.is_empty() && snap.key != "0")
        .then(|| HeaderValue::from_str(&snap.key).ok())
        .flatten();
    *resp.headers_mut() = CartHeaders {
        content_length,
        key,
        expiring: HeaderValue::from(snap.expiring),
        expiration: HeaderValue::from(snap.expiration),
        now: HeaderValue::from(snap.now),
        private: inc.caller.user_id.is_some(),
        etag,
        cache_state,
    }
    .into_map();
    resp
}

/// The headers of a cart answer.
struct CartHeaders {
    /// The body size; `None` for a 304 (no `Content-Type` either).
    content_length: Option<usize>,
    key: Option<HeaderValue>,
    expiring: HeaderValue,
    expiration: HeaderValue,
    now: HeaderValue,
    /// For a logged-in customer.
    private: bool,
    etag: Option<HeaderValue>,
    cache_state: Option<&'static str>,
}

/// The `Cache-Control` of a cart answer.
fn cart_cache_control(private: bool) -> HeaderValue {
    HeaderValue::from_static(if private {
        "no-cache, must-revalidate, max-age=0, no-store, private"
    } else {
        "no-cache, must-revalidate, max-age=0, no-store"
    })
}

impl CartHeaders {
    /// The map built header by header (`Content-Length` and `CoCart-Version` are left to the
    /// router and the pipeline).
    fn into_map(self) -> HeaderMap {
        // Room for these headers and the pipeline's, so the map never regrows.
        let mut h = HeaderMap::with_capacity(16);
        if self.content_length.is_some() {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=UTF-8"),
            );
        }
        if let Some(v) = self.key {
            h.insert(CART_KEY, v);
        }
        h.insert(CART_EXPIRING, self.expiring);
        h.insert(CART_EXPIRATION, self.expiration);
        h.insert(TIMESTAMP_HEADER, self.now);
        h.insert(header::CACHE_CONTROL, cart_cache_control(self.private));
        h.insert(
            header::EXPIRES,
            HeaderValue::from_static("Thu, 01-Jan-70 00:00:01 GMT"),
        );
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
        if let Some(tag) = self.etag {
            h.insert(header::ETAG, tag);
        }
        if let Some(state) = self.cache_state {
            h.insert(CACHE_STATE, HeaderValue::from_static(state));
        }
        h
    }
}

/// The request headers, moved out of the request (nothing after the handler reads them).
struct TakeHeaders(HeaderMap);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TakeHeaders {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(std::mem::take(&mut parts.headers)))
    }
}

macro_rules! cart_handler {
    ($name:ident, $op:expr) => {
        async fn $name(
            State(state): State<AppState>,
            TakeCaller(caller): TakeCaller,
            method: Method,
            TakeHeaders(headers): TakeHeaders,
            RawQuery(query): RawQuery,
            body: Bytes,
        ) -> Response {
            answer(
                Which::Fixed($op),
                state,
                caller,
                method,
                headers,
                query,
                body,
            )
        }
    };
}

/// Answers a cart route: the operation (or the line) the route names, and the request.
fn answer(
    which: Which,
    state: AppState,
    caller: Caller,
    method: Method,
    headers: HeaderMap,
    query: Option<String>,
    body: Bytes,
) -> Response {
    let inc = Incoming {
        state,
        caller,
        method,
        headers,
        query,
        body,
    };
    handle(inc, which)
}

cart_handler!(get_cart, Op::GetCart);

/// `GET /cart` as its route handler answers it, for the pipeline's direct dispatch: the
/// caller, the method, the headers, the raw query and the buffered body of the request.
pub(crate) fn get_cart_direct(
    state: AppState,
    caller: Caller,
    method: Method,
    headers: HeaderMap,
    query: Option<String>,
    body: Bytes,
) -> Response {
    answer(
        Which::Fixed(Op::GetCart),
        state,
        caller,
        method,
        headers,
        query,
        body,
    )
}
cart_handler!(add_item, Op::AddItem);
cart_handler!(add_items, Op::AddItems);
cart_handler!(items, Op::Items);
cart_handler!(count_items, Op::Count);
cart_handler!(clear, Op::Clear);
cart_handler!(calculate, Op::Calculate);
cart_handler!(totals, Op::Totals);
cart_handler!(update_cart, Op::Update);

async fn item(
    State(state): State<AppState>,
    TakeCaller(caller): TakeCaller,
    method: Method,
    TakeHeaders(headers): TakeHeaders,
    RawQuery(query): RawQuery,
    key: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let which = Which::Item(key.ok().map(|Path(k)| k));
    answer(which, state, caller, method, headers, query, body)
}

fn no_route_fallback(r: MethodRouter<AppState>) -> MethodRouter<AppState> {
    r.fallback(|| async { ApiError::no_route() })
}

/// The cart routes.
pub(crate) fn routes() -> Router<AppState> {
    let p = |s: &str| format!("{BASE}{s}");
    Router::new()
        .route(&p("/cart"), no_route_fallback(get(get_cart)))
        .route(&p("/cart/add-item"), no_route_fallback(post(add_item)))
        .route(&p("/cart/add-items"), no_route_fallback(post(add_items)))
        .route(&p("/cart/item/{item_key}"), any(item))
        .route(&p("/cart/items"), no_route_fallback(get(items)))
        .route(&p("/cart/items/count"), no_route_fallback(get(count_items)))
        .route(&p("/cart/clear"), no_route_fallback(post(clear)))
        .route(&p("/cart/calculate"), no_route_fallback(post(calculate)))
        .route(&p("/cart/totals"), no_route_fallback(get(totals)))
        .route(&p("/cart/update"), no_route_fallback(post(update_cart)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_not_modified_answer_has_no_body_headers() {
        let not_modified = CartHeaders {
            content_length: None,
            key: None,
            expiring: HeaderValue::from(1i64),
            expiration: HeaderValue::from(2i64),
            now: HeaderValue::from(3i64),
            private: false,
            etag: Some(HeaderValue::from_static("W/\"abc\"")),
            cache_state: Some("HIT"),
        }
        .into_map();
        assert!(!not_modified.contains_key(header::CONTENT_TYPE));
        assert!(!not_modified.contains_key(header::CONTENT_LENGTH));
        assert!(!not_modified.contains_key(crate::headers::VERSION_HEADER));
    }

    #[test]
    fn item_keys_follow_the_route_pattern() {
        assert!(valid_item_key("6364d3f0f495b6ab9dcf8d3b5c6e0b01"));
        assert!(!valid_item_key(&"a".repeat(33)));
        assert!(!valid_item_key("ab-cd"));
        assert!(!valid_item_key("é"));
    }

    #[test]
    fn method_override() {
        let mut p = Params::default();
        p.query.insert("_method".into(), json!("delete"));
        assert_eq!(
            effective_method(&Method::POST, &HeaderMap::new(), &p),
            Method::DELETE
        );
        let mut h = HeaderMap::new();
        h.insert("x-http-method-override", HeaderValue::from_static("PUT"));
        assert_eq!(
            effective_method(&Method::POST, &h, &Params::default()),
            Method::PUT
        );
    }
}
