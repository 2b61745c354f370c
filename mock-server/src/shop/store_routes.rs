//! The public, read-only store routes: `GET /store`, `/products`, `/products/{id}`,
//! `/products/{id}/variations[/{variation_id}]`, `/products/categories`, `/products/tags`.
//! They never start a cart session and send no cart headers.

use super::cart_routes::{BASE, EXPOSE_HEADERS};
use super::catalogue::{Catalogue, Product, ProductType, Term, sanitize_title};
use super::render::{Ctx, product_json};
use super::schema::{self, Ty, opt};
use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use http::{HeaderMap, HeaderValue, Method, header};
use serde_json::{Value, json};
use std::sync::Arc;

fn json_response(body: &Value, extra: &[(&'static str, String)]) -> Response {
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

fn catalogue(state: &AppState) -> Arc<Catalogue> {
    Arc::clone(&state.world().shop.catalogue)
}

async fn store(State(state): State<AppState>) -> Response {
    json_response(
        &json!({
            "title": "CoCart Mock Store",
            "description": "A mock WooCommerce store running CoCart",
            "home_url": state.site_url,
            "language": "en-US",
            "gmt_offset": "0",
            "timezone_string": "UTC",
            "store_address": {
                "address": "1 Mock Street",
                "address_2": "",
                "city": "San Francisco",
                "country": "US:CA",
                "postcode": "94103"
            }
        }),
        &[],
    )
}

/// Comma-separated or array values of a parameter, trimmed and non-empty.
fn list_param(params: &Params, name: &str) -> Vec<String> {
    match params.get(name) {
        Some(Value::String(s)) => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::Number(n)) => vec![n.to_string()],
        Some(Value::Object(m)) => m
            .values()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// PHP `floatval`: the longest numeric prefix after leading whitespace (`"12.50abc"` ⇒ 12.5,
/// `"abc"` ⇒ 0, `"1e2"` ⇒ 100).
fn php_floatval(s: &str) -> f64 {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut end = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_end = digits(end);
    let mut mantissa = int_end > end;
    end = int_end;
    if b.get(end) == Some(&b'.') {
        let frac_end = digits(end + 1);
        if frac_end > end + 1 || mantissa {
            mantissa |= frac_end > end + 1;
            end = frac_end;
        }
    }
    if !mantissa {
        return 0.0;
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(end + 1), Some(b'+' | b'-')));
        let exp_end = digits(end + 1 + sign);
        if exp_end > end + 1 + sign {
            end = exp_end;
        }
    }
    s[..end].trim_end_matches('.').parse().unwrap_or(0.0)
}

/// PHP `absint` of one list item (`"12abc"` ⇒ 12, `"x"` ⇒ 0, `"-1"` ⇒ 1).
fn php_absint(v: &Value) -> u64 {
    let x = match v {
        Value::String(s) => php_floatval(s),
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    };
    let x = x.trunc().abs();
    if x.is_finite() && x < u64::MAX as f64 {
        x as u64
    } else {
        0
    }
}

/// WordPress `wp_parse_id_list`: a string is split on commas and whitespace, an array (or the
/// object `key[…]=` makes) taken item by item; every item goes through `absint`, duplicates drop.
/// Nothing is rejected: `"x"` is id 0, which matches no product.
fn id_list(params: &Params, name: &str) -> Vec<u64> {
    let items: Vec<Value> = match params.get(name) {
        Some(Value::String(s)) => s
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| Value::String(p.to_string()))
            .collect(),
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Object(m)) => m.values().cloned().collect(),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => vec![v.clone()],
        _ => Vec::new(),
    };
    let mut ids = Vec::new();
    for id in items.iter().map(php_absint) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// PHP `empty()` of a parameter: absent, `""`, `"0"`, `0`, `false`, `null`, `[]`.
fn php_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty() || s == "0",
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::Bool(b)) => !b,
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(m)) => m.is_empty(),
    }
}

/// A price bound in major units as the minor units MySQL's `DECIMAL(10,2)` cast compares.
fn bound_minor(v: &Value) -> i64 {
    let major = match v {
        Value::String(s) => php_floatval(s),
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        _ => 0.0,
    };
    let minor = (major * 100.0).round();
    if minor.is_finite() {
        minor.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    } else {
        0
    }
}

/// The `_price` meta rows WooCommerce keeps for a product, minor units: a variable product has
/// one per distinct variation price, a grouped product its children's lowest and highest.
fn price_rows(cat: &Catalogue, p: &Product) -> Vec<i64> {
    match p.kind {
        ProductType::Variable => {
            let mut rows: Vec<i64> = cat.variations_of(p.id).iter().map(|v| v.price()).collect();
            rows.sort_unstable();
            rows.dedup();
            rows
        }
        ProductType::Grouped => cat
            .price_range(p)
            .map_or_else(Vec::new, |(lo, hi)| vec![lo, hi]),
        _ => vec![p.price()],
    }
}

fn int_param(params: &Params, name: &str, default: i64) -> i64 {
    match params.get(name) {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(default),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(default),
        _ => default,
    }
}

fn invalid_param(name: &str, message: String) -> ApiError {
    ApiError::new(
        400,
        "rest_invalid_param",
        &format!("Invalid parameter(s): {name}"),
    )
    .with_data("params", json!({ name: message.clone() }))
    .with_data(
        "details",
        json!({ name: {"code": "rest_invalid_param", "message": message, "data": null} }),
    )
}

fn term_matches(terms: &[String], cat: &[Term], wanted: &[String]) -> bool {
    wanted.iter().any(|w| {
        cat.iter()
            .any(|t| (t.slug == *w || t.id.to_string() == *w) && terms.contains(&t.name))
    })
}

fn product_on_sale(cat: &Catalogue, p: &Product) -> bool {
    match p.kind {
        ProductType::Variable => cat.variations_of(p.id).iter().any(|v| v.on_sale()),
        _ => p.on_sale(),
    }
}

fn stock_status(cat: &Catalogue, p: &Product) -> &'static str {
    match p.kind {
        ProductType::Variable | ProductType::Grouped if cat.in_stock(p) => "instock",
        ProductType::Variable | ProductType::Grouped => "outofstock",
        _ => match p.stock_status.as_str() {
            "outofstock" => "outofstock",
            "onbackorder" => "onbackorder",
            _ => "instock",
        },
    }
}

const ORDERBY: &[&str] = &[
    "date",
    "id",
    "include",
    "title",
    "slug",
    "price",
    "popularity",
    "rating",
    "rand",
    "modified",
    "menu_order",
];

/// Filters, sorts and pages the catalogue for `GET /products`.
fn list_products(
    cat: &Catalogue,
    params: &Params,
) -> Result<(Vec<Product>, usize, i64, i64), ApiError> {
    schema::check(
        params,
        &[
            opt("page", Ty::Int),
            opt("per_page", Ty::Int),
            opt("search", Ty::Str),
            opt("category", Ty::Str),
            opt("tag", Ty::Str),
            opt("sku", Ty::Str),
            opt("type", Ty::Str),
            opt("stock_status", Ty::Str),
            opt("featured", Ty::Bool),
            opt("on_sale", Ty::Bool),
            opt("orderby", Ty::Str),
            opt("order", Ty::Str),
            opt("slug", Ty::Str),
            opt("min_price", Ty::Str),
            opt("max_price", Ty::Str),
            opt("hide_free", Ty::Bool),
        ],
    )?;
    let page = int_param(params, "page", 1);
    if page < 1 {
        return Err(invalid_param(
            "page",
            "page must be greater than or equal to 1".into(),
        ));
    }
    let per_page = int_param(params, "per_page", 10);
    if !(1..=100).contains(&per_page) {
        return Err(invalid_param(
            "per_page",
            "per_page must be between 1 (inclusive) and 100 (inclusive)".into(),
        ));
    }
    let orderby = params.get_str("orderby").unwrap_or("date");
    if !ORDERBY.contains(&orderby) {
        return Err(invalid_param(
            "orderby",
            format!("orderby is not one of {}.", ORDERBY.join(", ")),
        ));
    }
    let order = params
        .get_str("order")
        .unwrap_or("desc")
        .to_ascii_lowercase();
    if order != "asc" && order != "desc" {
        return Err(invalid_param(
            "order",
            "order is not one of asc, desc.".into(),
        ));
    }
    let search = params.get_str("search").map(str::to_lowercase);
    let categories = list_param(params, "category");
    let tags = list_param(params, "tag");
    let skus = list_param(params, "sku");
    let include = id_list(params, "include");
    let exclude = id_list(params, "exclude");
    let parents = id_list(params, "parent");
    // WP_Query `name`: one slug, run through `sanitize_title`; empty means no filter.
    let slug = params
        .get_str("slug")
        .map(sanitize_title)
        .filter(|s| !s.is_empty());
    // cocart_get_min_max_price_meta_query: only when min_price or max_price is non-empty; a
    // bound that is sent is floatval'd, a missing one is 0 / PHP_INT_MAX; BETWEEN is inclusive.
    let price_bounds = (!php_empty(params.get("min_price")) || !php_empty(params.get("max_price")))
        .then(|| {
            (
                params.get("min_price").map_or(0, bound_minor),
                params.get("max_price").map_or(i64::MAX, bound_minor),
            )
        });
    let hide_free = schema::flag(params, "hide_free");
    let kind = params.get_str("type");
    let status = params.get_str("stock_status");
    let featured = params
        .get("featured")
        .map(|_| schema::flag(params, "featured"));
    let on_sale = params
        .get("on_sale")
        .map(|_| schema::flag(params, "on_sale"));
    let mut list: Vec<&Product> = cat
        .all()
        .filter(|p| p.kind != ProductType::Variation)
        .filter(|p| {
            search.as_ref().is_none_or(|s| {
                p.name.to_lowercase().contains(s)
                    || p.sku.to_lowercase().contains(s)
                    || p.description.to_lowercase().contains(s)
                    || p.short_description.to_lowercase().contains(s)
            })
        })
        .filter(|p| {
            categories.is_empty() || term_matches(&p.categories, cat.categories(), &categories)
        })
        .filter(|p| tags.is_empty() || term_matches(&p.tags, cat.tags(), &tags))
        .filter(|p| skus.is_empty() || skus.iter().any(|s| s.eq_ignore_ascii_case(&p.sku)))
        .filter(|p| include.is_empty() || include.contains(&p.id))
        .filter(|p| !exclude.contains(&p.id))
        .filter(|p| parents.is_empty() || parents.contains(&p.parent_id))
        .filter(|p| slug.as_ref().is_none_or(|s| *s == p.slug))
        .filter(|p| {
            price_bounds.is_none_or(|(lo, hi)| {
                price_rows(cat, p)
                    .iter()
                    .any(|price| (lo..=hi).contains(price))
            })
        })
        .filter(|p| !hide_free || price_rows(cat, p).iter().any(|price| *price > 0))
        .filter(|p| kind.is_none_or(|k| k == p.kind.as_str()))
        .filter(|p| status.is_none_or(|s| s == stock_status(cat, p)))
        .filter(|p| featured.is_none_or(|f| f == p.featured))
        .filter(|p| on_sale.is_none_or(|f| f == product_on_sale(cat, p)))
        .collect();
    match orderby {
        "id" => list.sort_by_key(|p| p.id),
        "title" => list.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        }),
        "slug" => list.sort_by(|a, b| a.slug.cmp(&b.slug).then(a.id.cmp(&b.id))),
        "price" => list.sort_by_key(|p| (cat.display_price(p), p.id)),
        "include" => list.sort_by_key(|p| {
            include
                .iter()
                .position(|i| *i == p.id)
                .unwrap_or(usize::MAX)
        }),
        _ => list.sort_by(|a, b| a.date_created.cmp(&b.date_created).then(a.id.cmp(&b.id))),
    }
    if order == "desc" && orderby != "include" {
        list.reverse();
    }
    let total = list.len();
    let pages = (total as i64 + per_page - 1) / per_page;
    let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let products = list
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .cloned()
        .collect();
    Ok((products, total, pages, page))
}

fn link_header(site: &str, path: &str, params: &Params, page: i64, pages: i64) -> String {
    let url_for = |n: i64| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params.query.iter().filter(|(k, _)| *k != "page") {
            match v {
                Value::String(v) => {
                    ser.append_pair(k, v);
                }
                Value::Array(list) => {
                    for v in list.iter().filter_map(Value::as_str) {
                        ser.append_pair(&format!("{k}[]"), v);
                    }
                }
                Value::Object(m) => {
                    for (sub, v) in m.iter().filter_map(|(s, v)| Some((s, v.as_str()?))) {
                        ser.append_pair(&format!("{k}[{sub}]"), v);
                    }
                }
                _ => {}
            }
        }
        ser.append_pair("page", &n.to_string());
        format!("{site}{path}?{}", ser.finish())
    };
    let mut links = Vec::new();
    if page > 1 && page <= pages + 1 {
        links.push(format!("<{}>; rel=\"prev\"", url_for(page - 1)));
    }
    if page < pages {
        links.push(format!("<{}>; rel=\"next\"", url_for(page + 1)));
    }
    links.join(", ")
}

fn parse(
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
) -> Result<Params, ApiError> {
    Params::parse(method, headers, query, body)
}

async fn products(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = match parse(&method, &headers, query.as_deref(), &body) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let cat = catalogue(&state);
    let (list, total, pages, page) = match list_products(&cat, &params) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let ctx = Ctx {
        cat: &cat,
        site_url: &state.site_url,
    };
    let body = json!({
        "products": list.iter().map(|p| product_json(&ctx, p)).collect::<Vec<_>>(),
        "page": page,
        "total_pages": pages,
        "total_products": total
    });
    let mut extra = vec![
        ("X-WP-Total", total.to_string()),
        ("X-WP-TotalPages", pages.to_string()),
    ];
    let link = link_header(
        &state.site_url,
        &format!("{BASE}/products"),
        &params,
        page,
        pages,
    );
    if !link.is_empty() {
        extra.push(("Link", link));
    }
    json_response(&body, &extra)
}

fn valid_product_ref(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A product by id or SKU, as `/products/{id}` resolves it.
fn find<'c>(cat: &'c Catalogue, raw: &str) -> Result<&'c Product, ApiError> {
    if !valid_product_ref(raw) {
        return Err(ApiError::no_route());
    }
    if raw.chars().all(|c| c.is_ascii_digit()) {
        return raw
            .parse::<u64>()
            .ok()
            .and_then(|id| cat.get(id))
            .ok_or_else(|| ApiError::new(404, "cocart_product_invalid_id", "Invalid ID."));
    }
    cat.by_sku(raw).ok_or_else(super::add::unknown_product)
}

async fn product(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return ApiError::no_route().into_response();
    };
    let cat = catalogue(&state);
    match find(&cat, &id) {
        Ok(p) => {
            let ctx = Ctx {
                cat: &cat,
                site_url: &state.site_url,
            };
            json_response(&product_json(&ctx, p), &[])
        }
        Err(e) => e.into_response(),
    }
}

async fn variations(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return ApiError::no_route().into_response();
    };
    let cat = catalogue(&state);
    let parent = match find(&cat, &id) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let ctx = Ctx {
        cat: &cat,
        site_url: &state.site_url,
    };
    let list: Vec<Value> = cat
        .variations_of(parent.id)
        .iter()
        .map(|v| product_json(&ctx, v))
        .collect();
    let total = list.len().to_string();
    json_response(
        &Value::Array(list),
        &[("X-WP-Total", total), ("X-WP-TotalPages", "1".into())],
    )
}

async fn variation(
    State(state): State<AppState>,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((id, variation_id))) = ids else {
        return ApiError::no_route().into_response();
    };
    let cat = catalogue(&state);
    let parent = match find(&cat, &id) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let found = variation_id
        .parse::<u64>()
        .ok()
        .and_then(|v| cat.get(v))
        .filter(|v| v.kind == ProductType::Variation && v.parent_id == parent.id);
    match found {
        Some(v) => {
            let ctx = Ctx {
                cat: &cat,
                site_url: &state.site_url,
            };
            json_response(&product_json(&ctx, v), &[])
        }
        None => ApiError::new(404, "cocart_product_invalid_id", "Invalid ID.").into_response(),
    }
}

async fn categories(State(state): State<AppState>) -> Response {
    let cat = catalogue(&state);
    let list: Vec<Value> = cat
        .categories()
        .iter()
        .map(|t| {
            json!({"id": t.id, "name": t.name, "slug": t.slug, "parent": 0, "description": "",
                   "display": "default", "image": null, "menu_order": 0, "count": t.count})
        })
        .collect();
    let total = list.len().to_string();
    json_response(
        &Value::Array(list),
        &[("X-WP-Total", total), ("X-WP-TotalPages", "1".into())],
    )
}

async fn tags(State(state): State<AppState>) -> Response {
    let cat = catalogue(&state);
    let list: Vec<Value> = cat
        .tags()
        .iter()
        .map(|t| json!({"id": t.id, "name": t.name, "slug": t.slug, "description": "", "count": t.count}))
        .collect();
    let total = list.len().to_string();
    json_response(
        &Value::Array(list),
        &[("X-WP-Total", total), ("X-WP-TotalPages", "1".into())],
    )
}

fn read_only(r: MethodRouter<AppState>) -> MethodRouter<AppState> {
    r.fallback(|| async { ApiError::no_route() })
}

/// The store and product routes.
pub fn routes() -> Router<AppState> {
    let p = |s: &str| format!("{BASE}{s}");
    Router::new()
        .route(&p("/store"), read_only(get(store)))
        .route(&p("/products"), read_only(get(products)))
        .route(&p("/products/categories"), read_only(get(categories)))
        .route(&p("/products/tags"), read_only(get(tags)))
        .route(&p("/products/{id}"), read_only(get(product)))
        .route(&p("/products/{id}/variations"), read_only(get(variations)))
        .route(
            &p("/products/{id}/variations/{variation_id}"),
            read_only(get(variation)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_and_filters() {
        let cat = Catalogue::builtin().unwrap();
        let mut params = Params::default();
        params.query.insert("per_page".into(), json!("2"));
        params.query.insert("orderby".into(), json!("id"));
        params.query.insert("order".into(), json!("asc"));
        let (list, total, pages, page) = list_products(&cat, &params).unwrap();
        assert_eq!(
            list.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![101, 102]
        );
        assert_eq!((total, pages, page), (10, 5, 1));
        params.query.insert("category".into(), json!("music"));
        let (list, ..) = list_products(&cat, &params).unwrap();
        assert_eq!(list[0].id, 107);
        params.query.insert("per_page".into(), json!("101"));
        assert_eq!(
            list_products(&cat, &params).unwrap_err().code,
            "rest_invalid_param"
        );
    }

    #[test]
    fn php_number_parsing() {
        for (s, want) in [
            ("12.50", 12.5),
            ("  7", 7.0),
            ("12.5abc", 12.5),
            ("abc", 0.0),
            ("", 0.0),
            ("-3", -3.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e2", 100.0),
            ("1e", 1.0),
            ("-", 0.0),
            (".", 0.0),
        ] {
            assert_eq!(php_floatval(s), want, "{s:?}");
        }
        assert_eq!(php_absint(&json!("-101")), 101);
        assert_eq!(php_absint(&json!("x")), 0);
        assert_eq!(php_absint(&json!(103)), 103);
        assert_eq!(bound_minor(&json!("12.499")), 1250);
        assert!(php_empty(Some(&json!("0"))) && php_empty(Some(&json!(""))));
        assert!(!php_empty(Some(&json!("0.0"))) && !php_empty(Some(&json!("abc"))));
    }

    #[test]
    fn price_filter_only_with_a_non_empty_bound() {
        let cat = Catalogue::builtin().unwrap();
        let ids = |q: &[(&str, &str)]| {
            let mut params = Params::default();
            params.query.insert("per_page".into(), json!("100"));
            params.query.insert("orderby".into(), json!("id"));
            params.query.insert("order".into(), json!("asc"));
            for (k, v) in q {
                params.query.insert((*k).into(), json!(v));
            }
            list_products(&cat, &params)
                .unwrap()
                .0
                .iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        };
        // "0" and "" are empty(): no price filter at all.
        assert_eq!(ids(&[("max_price", "0")]).len(), 10);
        assert_eq!(ids(&[("min_price", "0"), ("max_price", "")]).len(), 10);
        // Once one bound is non-empty, a sent-but-empty max is floatval("") = 0.
        assert!(ids(&[("min_price", "1"), ("max_price", "")]).is_empty());
        assert_eq!(ids(&[("max_price", "3.50")]), vec![104]);
        assert_eq!(ids(&[("max_price", "3.49")]), Vec::<u64>::new());
    }

    #[test]
    fn find_by_id_or_sku() {
        let cat = Catalogue::builtin().unwrap();
        assert_eq!(find(&cat, "MOCK-MUG").unwrap().id, 103);
        assert_eq!(
            find(&cat, "9999").unwrap_err().code,
            "cocart_product_invalid_id"
        );
        assert_eq!(
            find(&cat, "nope").unwrap_err().code,
            "cocart_unknown_product_id"
        );
    }
}
