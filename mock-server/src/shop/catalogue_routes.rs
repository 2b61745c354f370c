//! The catalogue's facet routes: `GET /products/attributes[/{id}[/terms[/{term_id}]]]` and
//! `GET /products/reviews[/{id}]`, the paging, parameter checks and `_links` they share with the
//! product routes, and the cache headers (`ETag`, `CoCart-Cache`, 304) of every catalogue GET.
//!
//! Lists are bare JSON arrays with `X-WP-Total`, `X-WP-TotalPages` and `Link` headers. Only
//! approved reviews are ever shown (a real store also shows held ones to guests; see the README).

use super::cart_routes::BASE;
use super::catalogue::Catalogue;
use super::facets::{GlobalAttribute, Review, parse_datetime, wpautop};
use super::respond::json_response;
use crate::error::ApiError;
use crate::params::{Params, parse_urlencoded};
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use http::{HeaderValue, StatusCode, header};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Parameter checks shared with `/products`.

/// WordPress's `wp_sprintf('%l')` list: `a and b`, `a, b, and c`.
fn wp_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// 400 `rest_invalid_param` for one parameter, with `data.params` and `data.details`.
pub(crate) fn param_error(name: &str, message: String, detail_code: &str) -> ApiError {
    ApiError::new(
        400,
        "rest_invalid_param",
        &format!("Invalid parameter(s): {name}"),
    )
    .with_data("params", json!({ name: message.clone() }))
    .with_data(
        "details",
        json!({ name: {"code": detail_code, "message": message, "data": {"param": name}}}),
    )
}

/// The enum check: `name is not one of a, b, and c.` (reported under `top`).
pub(crate) fn check_enum(
    top: &str,
    name: &str,
    value: Option<&Value>,
    allowed: &[&str],
) -> Result<(), ApiError> {
    match value {
        None => Ok(()),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(()),
        Some(Value::String(_)) => Err(param_error(
            top,
            format!("{name} is not one of {}.", wp_list(allowed)),
            "rest_not_in_enum",
        )),
        Some(_) => Err(param_error(
            top,
            format!("{name} is not of type string."),
            "rest_invalid_type",
        )),
    }
}

/// An integer as `rest_is_integer` reads it.
fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// An optional integer parameter (`name is not of type integer.`).
pub(crate) fn int_arg(params: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => as_int(v).map(Some).ok_or_else(|| {
            param_error(
                name,
                format!("{name} is not of type integer."),
                "rest_invalid_type",
            )
        }),
    }
}

/// The items of a list parameter as `rest_sanitize_array` sees them: a string is split on commas
/// and whitespace (`wp_parse_list`), an array or an object taken item by item.
pub(crate) fn list_items(v: &Value) -> Vec<Value> {
    match v {
        Value::String(s) => s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| Value::String(p.to_string()))
            .collect(),
        Value::Array(a) => a.clone(),
        Value::Object(m) => m.values().cloned().collect(),
        other => vec![other.clone()],
    }
}

/// An `array` of `integer` parameter; an item that is not an integer is a 400
/// `top is not of type integer.` naming `label[i]`.
pub(crate) fn int_list_at(top: &str, label: &str, v: Option<&Value>) -> Result<Vec<i64>, ApiError> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    list_items(v)
        .iter()
        .enumerate()
        .map(|(i, item)| {
            as_int(item).ok_or_else(|| {
                param_error(
                    top,
                    format!("{label}[{i}] is not of type integer."),
                    "rest_invalid_type",
                )
            })
        })
        .collect()
}

fn bool_arg(params: &Params, name: &str) -> Result<Option<bool>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if matches!(s.to_ascii_lowercase().as_str(), "true" | "1") => {
            Ok(Some(true))
        }
        Some(Value::String(s)) if matches!(s.to_ascii_lowercase().as_str(), "false" | "0") => {
            Ok(Some(false))
        }
        Some(_) => Err(param_error(
            name,
            format!("{name} is not of type boolean."),
            "rest_invalid_type",
        )),
    }
}

fn string_arg<'p>(params: &'p Params, name: &str) -> Result<Option<&'p str>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(param_error(
            name,
            format!("{name} is not of type string."),
            "rest_invalid_type",
        )),
    }
}

fn date_arg(params: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    match string_arg(params, name)? {
        None => Ok(None),
        Some(s) => parse_datetime(s)
            .map(Some)
            .ok_or_else(|| param_error(name, "Invalid date.".into(), "rest_invalid_date")),
    }
}

/// `page` (≥ 1) and `per_page` (1..=100, default 10), as WP_REST_Controller declares them.
pub(crate) fn paging(params: &Params) -> Result<(i64, i64), ApiError> {
    let page = int_arg(params, "page")?.unwrap_or(1);
    if page < 1 {
        return Err(param_error(
            "page",
            "page must be greater than or equal to 1".into(),
            "rest_out_of_bounds",
        ));
    }
    let per_page = int_arg(params, "per_page")?.unwrap_or(10);
    if !(1..=100).contains(&per_page) {
        return Err(param_error(
            "per_page",
            "per_page must be between 1 (inclusive) and 100 (inclusive)".into(),
            "rest_out_of_bounds",
        ));
    }
    Ok((page, per_page))
}

/// Appends a PHP-style query value (`k=v`, `k[]=v`, `k[sub][]=v`…).
fn append_query(ser: &mut url::form_urlencoded::Serializer<'_, String>, key: &str, v: &Value) {
    match v {
        Value::String(s) => {
            ser.append_pair(key, s);
        }
        Value::Array(list) => {
            for item in list {
                append_query(ser, &format!("{key}[]"), item);
            }
        }
        Value::Object(m) => {
            for (sub, item) in m {
                append_query(ser, &format!("{key}[{sub}]"), item);
            }
        }
        Value::Number(n) => {
            ser.append_pair(key, &n.to_string());
        }
        Value::Bool(b) => {
            ser.append_pair(key, if *b { "1" } else { "" });
        }
        Value::Null => {}
    }
}

/// The `Link` header: `prev` (never past the last page) and `next`, keeping the query.
pub(crate) fn link_header(site: &str, path: &str, query: &Params, page: i64, pages: i64) -> String {
    let url_for = |n: i64| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in query.query.iter().filter(|(k, _)| *k != "page") {
            append_query(&mut ser, k, v);
        }
        ser.append_pair("page", &n.to_string());
        format!("{site}{path}?{}", ser.finish())
    };
    let mut links = Vec::new();
    let prev = (page - 1).min(pages);
    if page > 1 && prev >= 1 {
        links.push(format!("<{}>; rel=\"prev\"", url_for(prev)));
    }
    if page < pages {
        links.push(format!("<{}>; rel=\"next\"", url_for(page + 1)));
    }
    links.join(", ")
}

/// One page of a list: the items on it and the pagination headers. `offset`, when sent,
/// replaces the page's start.
pub(crate) fn page_of<T: Clone>(
    items: Vec<T>,
    page: i64,
    per_page: i64,
    offset: Option<i64>,
    link: impl Fn(i64, i64) -> String,
) -> (Vec<T>, Vec<(&'static str, String)>) {
    let total = items.len() as i64;
    let pages = (total + per_page - 1) / per_page;
    let start = offset.unwrap_or((page - 1).saturating_mul(per_page)).max(0);
    let list = items
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(0))
        .collect();
    let mut headers = vec![
        ("X-WP-Total", total.to_string()),
        ("X-WP-TotalPages", pages.to_string()),
    ];
    let link = link(page, pages);
    if !link.is_empty() {
        headers.push(("Link", link));
    }
    (list, headers)
}

/// `_links` with `self` (GET only) and `collection`.
pub(crate) fn links(self_href: String, collection: String) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "self".into(),
        json!([{"href": self_href, "targetHints": {"allow": ["GET"]}}]),
    );
    m.insert("collection".into(), json!([{"href": collection}]));
    m
}

fn query_params(query: Option<&str>) -> Params {
    Params {
        query: parse_urlencoded(query.unwrap_or("")),
        ..Params::default()
    }
}

fn catalogue(state: &AppState) -> Arc<Catalogue> {
    Arc::clone(&state.world().shop.catalogue)
}

fn api(state: &AppState) -> String {
    format!("{}/wp-json/cocart/v2", state.site_url)
}

/// A numeric path segment; anything else is outside the route pattern (`rest_no_route`).
fn numeric(seg: Result<Path<String>, PathRejection>) -> Result<u64, ApiError> {
    match seg {
        Ok(Path(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().map_err(|_| ApiError::no_route())
        }
        _ => Err(ApiError::no_route()),
    }
}

fn numeric_pair(
    segs: Result<Path<(String, String)>, PathRejection>,
) -> Result<(u64, u64), ApiError> {
    match segs {
        Ok(Path((a, b))) => Ok((numeric(Ok(Path(a)))?, numeric(Ok(Path(b)))?)),
        Err(_) => Err(ApiError::no_route()),
    }
}

fn respond(r: Result<Response, ApiError>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

// ---------------------------------------------------------------------------------------------
// Attributes and terms.

fn attribute_json(api: &str, a: &GlobalAttribute) -> Value {
    json!({"id": a.id, "name": a.name, "slug": a.slug, "type": "select", "order_by": a.order_by,
           "has_archives": a.has_archives,
           "_links": links(format!("{api}/products/attributes/{}", a.id),
                           format!("{api}/products/attributes"))})
}

fn attribute_missing() -> ApiError {
    ApiError::new(404, "cocart_attribute_invalid", "Attribute does not exist.")
}

fn taxonomy_missing() -> ApiError {
    ApiError::new(404, "cocart_taxonomy_invalid", "Taxonomy does not exist.")
}

async fn attributes(State(state): State<AppState>) -> Response {
    let cat = catalogue(&state);
    let api = api(&state);
    let list: Vec<Value> = cat
        .attributes()
        .iter()
        .map(|a| attribute_json(&api, a))
        .collect();
    let total = list.len().to_string();
    json_response(
        &Value::Array(list),
        &[("X-WP-Total", total), ("X-WP-TotalPages", "1".into())],
    )
}

async fn attribute(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    respond((|| {
        let id = numeric(id)?;
        let cat = catalogue(&state);
        let a = cat.attribute(id).ok_or_else(attribute_missing)?;
        Ok(json_response(&attribute_json(&api(&state), a), &[]))
    })())
}

const TERM_ORDERBY: &[&str] = &[
    "id",
    "include",
    "name",
    "slug",
    "term_group",
    "description",
    "count",
];

fn term_json(
    api: &str,
    cat: &Catalogue,
    a: &GlobalAttribute,
    t: &super::facets::AttrTerm,
) -> Value {
    let collection = format!("{api}/products/attributes/{}/terms", a.id);
    json!({"id": t.id, "name": t.name, "slug": t.slug, "description": t.description,
           "menu_order": 0, "count": cat.term_count(&a.slug, &t.slug),
           "_links": links(format!("{collection}/{}", t.id), collection)})
}

async fn terms(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    respond((|| {
        let id = numeric(id)?;
        let params = query_params(query.as_deref());
        let (page, per_page) = paging(&params)?;
        let search = string_arg(&params, "search")?.map(str::to_lowercase);
        let include = int_list_at("include", "include", params.get("include"))?;
        let exclude = int_list_at("exclude", "exclude", params.get("exclude"))?;
        check_enum("order", "order", params.get("order"), &["asc", "desc"])?;
        check_enum("orderby", "orderby", params.get("orderby"), TERM_ORDERBY)?;
        let hide_empty = bool_arg(&params, "hide_empty")?.unwrap_or(false);
        let _parent = int_arg(&params, "parent")?;
        let product = int_arg(&params, "product")?;
        let slug = string_arg(&params, "slug")?.filter(|s| !s.is_empty());
        let offset = int_arg(&params, "offset")?;
        let cat = catalogue(&state);
        let a = cat.attribute(id).ok_or_else(taxonomy_missing)?;
        let product_slugs = product.map(|pid| {
            u64::try_from(pid)
                .ok()
                .and_then(|pid| cat.get(pid))
                .map(|p| cat.product_term_slugs(p, &a.slug))
                .unwrap_or_default()
        });
        let mut list: Vec<&super::facets::AttrTerm> = a
            .terms
            .iter()
            .filter(|t| include.is_empty() || include.contains(&(t.id as i64)))
            .filter(|t| !exclude.contains(&(t.id as i64)))
            .filter(|t| {
                search.as_ref().is_none_or(|s| {
                    t.name.to_lowercase().contains(s) || t.slug.to_lowercase().contains(s)
                })
            })
            .filter(|t| slug.is_none_or(|s| t.slug == s))
            .filter(|t| !hide_empty || cat.term_count(&a.slug, &t.slug) > 0)
            .filter(|t| product_slugs.as_ref().is_none_or(|s| s.contains(&t.slug)))
            .collect();
        let by_name = |x: &&super::facets::AttrTerm, y: &&super::facets::AttrTerm| {
            x.name
                .to_lowercase()
                .cmp(&y.name.to_lowercase())
                .then(x.id.cmp(&y.id))
        };
        match params.get_str("orderby").unwrap_or("name") {
            "id" => list.sort_by_key(|t| t.id),
            "slug" => list.sort_by(|x, y| x.slug.cmp(&y.slug).then(x.id.cmp(&y.id))),
            "description" => list.sort_by(|x, y| {
                x.description
                    .cmp(&y.description)
                    .then_with(|| by_name(x, y))
            }),
            "count" => list.sort_by(|x, y| {
                cat.term_count(&a.slug, &x.slug)
                    .cmp(&cat.term_count(&a.slug, &y.slug))
                    .then_with(|| by_name(x, y))
            }),
            "include" => list.sort_by_key(|t| {
                include
                    .iter()
                    .position(|i| *i == t.id as i64)
                    .unwrap_or(usize::MAX)
            }),
            _ => list.sort_by(by_name),
        }
        if params.get_str("order") == Some("desc") {
            list.reverse();
        }
        let api = api(&state);
        let path = format!("{BASE}/products/attributes/{id}/terms");
        let (list, headers) = page_of(list, page, per_page, offset, |page, pages| {
            link_header(&state.site_url, &path, &params, page, pages)
        });
        let body: Vec<Value> = list.iter().map(|t| term_json(&api, &cat, a, t)).collect();
        Ok(json_response(&Value::Array(body), &headers))
    })())
}

async fn term(
    State(state): State<AppState>,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    respond((|| {
        let (id, term_id) = numeric_pair(ids)?;
        let cat = catalogue(&state);
        let a = cat.attribute(id).ok_or_else(taxonomy_missing)?;
        let t = a
            .term(term_id)
            .ok_or_else(|| ApiError::new(404, "cocart_term_invalid", "Term does not exist."))?;
        Ok(json_response(&term_json(&api(&state), &cat, a, t), &[]))
    })())
}

// ---------------------------------------------------------------------------------------------
// Reviews.

const REVIEW_ORDERBY: &[&str] = &["date", "date_gmt", "id", "include", "product"];

fn review_json(state: &AppState, cat: &Catalogue, r: &Review) -> Value {
    let api = api(state);
    let hash = hex::encode(Sha256::digest(
        r.reviewer_email.trim().to_ascii_lowercase().as_bytes(),
    ));
    let avatars: Map<String, Value> = ["24", "48", "96"]
        .iter()
        .map(|size| {
            (
                (*size).to_string(),
                Value::String(format!(
                    "https://secure.gravatar.com/avatar/{hash}?s={size}&d=mm&r=g"
                )),
            )
        })
        .collect();
    let slug = cat.get(r.product_id).map_or("", |p| p.slug.as_str());
    let mut l = links(
        format!("{api}/products/reviews/{}", r.id),
        format!("{api}/products/reviews"),
    );
    l.insert(
        "product".into(),
        json!([{"href": format!("{api}/products/{}", r.product_id),
                "permalink": format!("{}/product/{slug}/", state.site_url)}]),
    );
    if r.reviewer_id > 0 {
        l.insert(
            "reviewer".into(),
            json!([{"embeddable": true,
                    "href": format!("{}/wp-json/wp/v2/users/{}", state.site_url, r.reviewer_id)}]),
        );
    }
    json!({"id": r.id, "date_created": r.date_created, "date_created_gmt": r.date_created,
           "product_id": r.product_id, "status": r.status, "reviewer": r.reviewer,
           "review": wpautop(&r.review), "rating": r.rating, "verified": r.verified,
           "reviewer_avatar_urls": avatars, "_links": l})
}

async fn reviews(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    respond((|| {
        let params = query_params(query.as_deref());
        let (page, per_page) = paging(&params)?;
        let search = string_arg(&params, "search")?.map(str::to_lowercase);
        let after = date_arg(&params, "after")?;
        let before = date_arg(&params, "before")?;
        let include = int_list_at("include", "include", params.get("include"))?;
        let exclude = int_list_at("exclude", "exclude", params.get("exclude"))?;
        let offset = int_arg(&params, "offset")?;
        check_enum("order", "order", params.get("order"), &["asc", "desc"])?;
        check_enum("orderby", "orderby", params.get("orderby"), REVIEW_ORDERBY)?;
        let reviewer = int_list_at("reviewer", "reviewer", params.get("reviewer"))?;
        let reviewer_exclude = int_list_at(
            "reviewer_exclude",
            "reviewer_exclude",
            params.get("reviewer_exclude"),
        )?;
        let product = int_list_at("product", "product", params.get("product"))?;
        let cat = catalogue(&state);
        let date = |r: &Review| parse_datetime(&r.date_created).unwrap_or(0);
        let mut list: Vec<&Review> = cat
            .all_reviews()
            .iter()
            .filter(|r| r.is_approved())
            .filter(|r| product.is_empty() || product.contains(&(r.product_id as i64)))
            .filter(|r| include.is_empty() || include.contains(&(r.id as i64)))
            .filter(|r| !exclude.contains(&(r.id as i64)))
            .filter(|r| reviewer.is_empty() || reviewer.contains(&(r.reviewer_id as i64)))
            .filter(|r| !reviewer_exclude.contains(&(r.reviewer_id as i64)))
            .filter(|r| {
                search.as_ref().is_none_or(|s| {
                    r.review.to_lowercase().contains(s)
                        || r.reviewer.to_lowercase().contains(s)
                        || r.reviewer_email.to_lowercase().contains(s)
                })
            })
            .filter(|r| after.is_none_or(|a| date(r) > a))
            .filter(|r| before.is_none_or(|b| date(r) < b))
            .collect();
        match params.get_str("orderby").unwrap_or("date_gmt") {
            "id" => list.sort_by_key(|r| r.id),
            "product" => list.sort_by_key(|r| (r.product_id, date(r), r.id)),
            "include" => list.sort_by_key(|r| {
                include
                    .iter()
                    .position(|i| *i == r.id as i64)
                    .unwrap_or(usize::MAX)
            }),
            _ => list.sort_by_key(|r| (date(r), r.id)),
        }
        if params.get_str("order").unwrap_or("desc") == "desc" {
            list.reverse();
        }
        let path = format!("{BASE}/products/reviews");
        let (list, headers) = page_of(list, page, per_page, offset, |page, pages| {
            link_header(&state.site_url, &path, &params, page, pages)
        });
        let body: Vec<Value> = list.iter().map(|r| review_json(&state, &cat, r)).collect();
        Ok(json_response(&Value::Array(body), &headers))
    })())
}

async fn review(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    respond((|| {
        let id = numeric(id)?;
        let cat = catalogue(&state);
        let r = cat
            .all_reviews()
            .iter()
            .find(|r| r.id == id && r.is_approved())
            .ok_or_else(|| {
                ApiError::new(
                    404,
                    "cocart_cannot_view_review",
                    "Sorry, this product review does not exist.",
                )
            })?;
        Ok(json_response(&review_json(&state, &cat, r), &[]))
    })())
}

fn read_only(r: MethodRouter<AppState>) -> MethodRouter<AppState> {
    r.fallback(|| async { ApiError::no_route() })
}

/// The attribute, term and review routes. Registered before `/products/{id}` wins for them
/// because axum prefers static segments.
pub(crate) fn routes() -> Router<AppState> {
    let p = |s: &str| format!("{BASE}{s}");
    Router::new()
        .route(&p("/products/attributes"), read_only(get(attributes)))
        .route(&p("/products/attributes/{id}"), read_only(get(attribute)))
        .route(&p("/products/attributes/{id}/terms"), read_only(get(terms)))
        .route(
            &p("/products/attributes/{id}/terms/{term_id}"),
            read_only(get(term)),
        )
        .route(&p("/products/reviews"), read_only(get(reviews)))
        .route(&p("/products/reviews/{id}"), read_only(get(review)))
}

// ---------------------------------------------------------------------------------------------
// Cache headers.

/// The query parameters CoCart hashes into a collection's ETag (the path is always hashed).
fn etag_keys(path: &str) -> &'static [&'static str] {
    let rest = path.strip_prefix(BASE).unwrap_or(path);
    if rest == "/products" {
        &[
            "page", "per_page", "category", "tag", "search", "orderby", "order",
        ]
    } else if rest == "/products/reviews" {
        &["page", "per_page", "product"]
    } else if rest.ends_with("/terms")
        || rest.ends_with("/variations")
        || matches!(
            rest,
            "/products/attributes" | "/products/categories" | "/products/tags"
        )
    {
        &["page", "per_page"]
    } else {
        &[]
    }
}

/// The weak ETag CoCart computes: a hash of the route and a few parameters, never of the data.
fn etag_for(path: &str, query: &Params) -> String {
    let mut h = Sha256::new();
    h.update(path.as_bytes());
    for key in etag_keys(path) {
        h.update([0]);
        h.update(key.as_bytes());
        h.update([b'=']);
        if let Some(v) = query.query.get(*key) {
            h.update(v.to_string().as_bytes());
        }
    }
    let digest = hex::encode(h.finalize());
    format!("W/\"{}\"", &digest[..32])
}

/// `Thu, 01 Jan 1970 00:00:00 GMT` for a Unix time.
pub(crate) fn http_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let wd = WEEKDAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)];
    let mon = MONTHS[usize::try_from(mo - 1).unwrap_or(0)];
    format!("{wd}, {d:02} {mon} {y} {h:02}:{m:02}:{s:02} GMT")
}

/// Whether an `If-None-Match` value names `etag` (weak comparison, `*` matches).
fn none_match(header: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    header
        .split(',')
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

/// The cache headers of every catalogue GET (errors included): `Cache-Control`, `Last-Modified`,
/// `ETag`, `CoCart-Cache`. A matching `If-None-Match` on a 200 answer becomes a 304 with an empty
/// body; `_skip_cache` skips the cache.
pub(crate) async fn cache_layer(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().trim_end_matches('/').to_string();
    let query = query_params(req.uri().query());
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let skip = query
        .query
        .get("_skip_cache")
        .is_some_and(|v| !matches!(v.as_str(), Some("" | "0")));
    let modified = catalogue(&state).last_modified();
    let mut resp = next.run(req).await;
    let etag = etag_for(&path, &query);
    let h = resp.headers_mut();
    let set = |h: &mut http::HeaderMap, name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(h, "Last-Modified", &http_date(modified));
    set(h, "ETag", &etag);
    if skip {
        set(h, "CoCart-Cache", "SKIP");
        set(
            h,
            "Cache-Control",
            "no-cache, no-store, must-revalidate, max-age=0",
        );
        return resp;
    }
    set(
        h,
        "Cache-Control",
        "public, must-revalidate, max-age=3600, stale-while-revalidate=86400",
    );
    let hit =
        resp.status() == StatusCode::OK && if_none_match.is_some_and(|inm| none_match(&inm, &etag));
    if !hit {
        set(resp.headers_mut(), "CoCart-Cache", "MISS");
        return resp;
    }
    let mut not_modified = Response::new(Body::empty());
    *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
    let mut headers = std::mem::take(resp.headers_mut());
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    *not_modified.headers_mut() = headers;
    set(not_modified.headers_mut(), "CoCart-Cache", "HIT");
    not_modified
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wp_lists_and_dates() {
        assert_eq!(wp_list(&["asc", "desc"]), "asc and desc");
        assert_eq!(wp_list(&["in", "not in", "and"]), "in, not in, and and");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_710_064_800), "Sun, 10 Mar 2024 10:00:00 GMT");
    }

    #[test]
    fn etags_hash_only_paging_for_terms() {
        let q = |s: &str| query_params(Some(s));
        let path = "/wp-json/cocart/v2/products/attributes/1/terms";
        assert_eq!(etag_for(path, &q("slug=blue")), etag_for(path, &q("")));
        assert_ne!(etag_for(path, &q("page=2")), etag_for(path, &q("")));
        let reviews = "/wp-json/cocart/v2/products/reviews";
        assert_ne!(
            etag_for(reviews, &q("product=101")),
            etag_for(reviews, &q(""))
        );
        assert!(none_match("W/\"abc\", \"x\"", "W/\"x\""));
        assert!(!none_match("\"y\"", "W/\"x\""));
    }
}
