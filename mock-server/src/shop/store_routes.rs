//! The public, read-only store routes: `GET /store`, `/products`, `/products/{id}`,
//! `/products/{id}/variations[/{variation_id}]`, `/products/categories`, `/products/tags`.
//! They never start a cart session and send no cart headers.

use super::cart_routes::BASE;
use super::catalogue::{Catalogue, Product, ProductType, Term, sanitize_title};
use super::catalogue_routes::{
    check_enum, int_list_at, link_header, list_items, page_of, paging, param_error,
};
use super::render::{Ctx, product_json, product_json_with};
use super::respond::json_response;
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
use serde_json::{Map, Value, json};
use std::sync::Arc;

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

/// One `attributes[i]` clause that applies: the taxonomy, the wanted term slugs, and whether a
/// product needs all of them (`and`) or one (`in`, and also `"not in"`, which CoCart maps to IN).
#[derive(Debug, Clone, PartialEq)]
struct AttributeClause {
    taxonomy: String,
    slugs: Vec<String>,
    all: bool,
}

/// The `attributes` parameter: an array of objects `{attribute, term_id[], slug[], operator}`,
/// checked like WordPress checks the schema, item by item. A clause without a known `pa_*`
/// taxonomy or without terms is ignored, as CoCart does.
fn attribute_clauses(cat: &Catalogue, params: &Params) -> Result<Vec<AttributeClause>, ApiError> {
    check_enum(
        "attribute_relation",
        "attribute_relation",
        params.get("attribute_relation"),
        &["in", "and"],
    )?;
    let Some(raw) = params.get("attributes") else {
        return Ok(Vec::new());
    };
    let mut clauses = Vec::new();
    for (i, item) in attribute_items(raw)?.iter().enumerate() {
        let obj = clause_object(i, item)?;
        if let Some(clause) = attribute_clause(cat, i, &obj)? {
            clauses.push(clause);
        }
    }
    Ok(clauses)
}

/// The items of `attributes`: an array, an object with numeric keys only, or a string.
fn attribute_items(raw: &Value) -> Result<Vec<Value>, ApiError> {
    let not_array = || {
        param_error(
            "attributes",
            "attributes is not of type array.".into(),
            "rest_invalid_type",
        )
    };
    match raw {
        Value::Object(m) if m.keys().any(|k| k.parse::<u64>().is_err()) => Err(not_array()),
        Value::Object(_) | Value::Array(_) | Value::String(_) => Ok(list_items(raw)),
        _ => Err(not_array()),
    }
}

/// `attributes[i]` as an object: a list is keyed by position, `""` is empty.
fn clause_object(i: usize, item: &Value) -> Result<Map<String, Value>, ApiError> {
    match item {
        Value::Object(m) => Ok(m.clone()),
        Value::Array(a) => Ok(a
            .iter()
            .enumerate()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()),
        Value::String(s) if s.is_empty() => Ok(Map::new()),
        _ => Err(param_error(
            "attributes",
            format!("attributes[{i}] is not of type object."),
            "rest_invalid_type",
        )),
    }
}

/// One clause, its fields checked in the schema's order; `None` when CoCart ignores it.
fn attribute_clause(
    cat: &Catalogue,
    i: usize,
    obj: &Map<String, Value>,
) -> Result<Option<AttributeClause>, ApiError> {
    let taxonomy = match obj.get("attribute") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(param_error(
                "attributes",
                format!("attributes[{i}][attribute] is not of type string."),
                "rest_invalid_type",
            ));
        }
    };
    let term_ids = int_list_at(
        "attributes",
        &format!("attributes[{i}][term_id]"),
        obj.get("term_id"),
    )?;
    let slugs: Vec<String> = obj
        .get("slug")
        .map(list_items)
        .unwrap_or_default()
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    check_enum(
        "attributes",
        &format!("attributes[{i}][operator]"),
        obj.get("operator"),
        &["in", "not in", "and"],
    )?;
    let Some(attr) = cat.attribute_by_slug(&taxonomy) else {
        return Ok(None);
    };
    let wanted: Vec<String> = if !term_ids.is_empty() {
        term_ids
            .iter()
            .filter_map(|id| u64::try_from(*id).ok().and_then(|id| attr.term(id)))
            .map(|t| t.slug.clone())
            .collect()
    } else if !slugs.is_empty() {
        slugs
    } else {
        return Ok(None);
    };
    Ok(Some(AttributeClause {
        taxonomy,
        slugs: wanted,
        all: obj.get("operator").and_then(Value::as_str) == Some("and"),
    }))
}

fn attribute_match(cat: &Catalogue, p: &Product, clause: &AttributeClause) -> bool {
    let has = cat.product_term_slugs(p, &clause.taxonomy);
    if clause.all {
        !clause.slugs.is_empty() && clause.slugs.iter().all(|s| has.contains(s))
    } else {
        clause.slugs.iter().any(|s| has.contains(s))
    }
}

/// The `brand` filter: ids when the first entry is numeric, else slugs; `brand_operator`
/// `in` (default), `not_in` or `and`.
fn brand_filter(cat: &Catalogue, params: &Params) -> Result<Option<(Vec<u64>, String)>, ApiError> {
    check_enum(
        "brand_operator",
        "brand_operator",
        params.get("brand_operator"),
        &["in", "not_in", "and"],
    )?;
    let entries = list_param(params, "brand");
    let Some(first) = entries.first() else {
        return Ok(None);
    };
    let by_id = first.bytes().all(|b| b.is_ascii_digit());
    let ids: Vec<u64> = entries
        .iter()
        .map(|e| {
            if by_id {
                php_absint(&Value::String(e.clone()))
            } else {
                cat.brands()
                    .iter()
                    .find(|t| t.slug == *e)
                    .map_or(0, |t| t.id)
            }
        })
        .collect();
    let op = params.get_str("brand_operator").unwrap_or("in").to_string();
    Ok(Some((ids, op)))
}

fn brand_match(cat: &Catalogue, p: &Product, ids: &[u64], op: &str) -> bool {
    let owner = if p.kind == ProductType::Variation {
        cat.get(p.parent_id).unwrap_or(p)
    } else {
        p
    };
    let has: Vec<u64> = owner
        .brands
        .iter()
        .filter_map(|name| cat.brands().iter().find(|t| t.name == *name))
        .map(|t| t.id)
        .collect();
    let known: Vec<u64> = ids.iter().copied().filter(|id| *id != 0).collect();
    match op {
        "not_in" => !known.iter().any(|id| has.contains(id)),
        "and" => !ids.is_empty() && ids.iter().all(|id| has.contains(id)),
        _ => known.iter().any(|id| has.contains(id)),
    }
}

/// Filters, sorts and pages the catalogue for `GET /products`. Errors come in WordPress's
/// order: the declared types, then the attribute and brand filters, then paging, then ordering.
fn list_products(
    cat: &Catalogue,
    params: &Params,
) -> Result<(Vec<Product>, usize, i64, i64), ApiError> {
    check_product_params(params)?;
    let filter = ProductFilter::read(cat, params)?;
    let (page, per_page) = product_paging(params)?;
    let sort = ProductSort::read(params)?;
    let mut list = filter.select(cat);
    sort.apply(cat, &mut list, &filter.include);
    Ok(page_of_products(list, page, per_page))
}

/// The declared parameters of `GET /products` and their types.
fn check_product_params(params: &Params) -> Result<(), ApiError> {
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
            opt("show_reviews", Ty::Bool),
        ],
    )
}

/// `page` (at least 1) and `per_page` (1 to 100).
fn product_paging(params: &Params) -> Result<(i64, i64), ApiError> {
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
    Ok((page, per_page))
}

/// What `GET /products` keeps: every filter parameter, read.
struct ProductFilter<'p> {
    clauses: Vec<AttributeClause>,
    brand: Option<(Vec<u64>, String)>,
    ratings: Vec<u64>,
    search: Option<String>,
    categories: Vec<String>,
    tags: Vec<String>,
    skus: Vec<String>,
    include: Vec<u64>,
    exclude: Vec<u64>,
    parents: Vec<u64>,
    slug: Option<String>,
    price_bounds: Option<(i64, i64)>,
    hide_free: bool,
    kind: Option<&'p str>,
    status: Option<&'p str>,
    featured: Option<bool>,
    on_sale: Option<bool>,
}

impl<'p> ProductFilter<'p> {
    /// Reads the filters; only `attributes`, `attribute_relation` and `brand_operator` can be
    /// refused.
    fn read(cat: &Catalogue, params: &'p Params) -> Result<Self, ApiError> {
        let clauses = attribute_clauses(cat, params)?;
        let brand = brand_filter(cat, params)?;
        // `rating` is sanitised with wp_parse_id_list and never validated: 0, 6 or "abc" match
        // nothing. A product matches through its `rated-N` term, N its rounded average.
        let ratings = id_list(params, "rating");
        // WP_Query `name`: one slug, run through `sanitize_title`; empty means no filter.
        let slug = params
            .get_str("slug")
            .map(sanitize_title)
            .filter(|s| !s.is_empty());
        let flag = |name: &str| params.get(name).map(|_| schema::flag(params, name));
        Ok(Self {
            clauses,
            brand,
            ratings,
            search: params.get_str("search").map(str::to_lowercase),
            categories: list_param(params, "category"),
            tags: list_param(params, "tag"),
            skus: list_param(params, "sku"),
            include: id_list(params, "include"),
            exclude: id_list(params, "exclude"),
            parents: id_list(params, "parent"),
            slug,
            price_bounds: price_bounds(params),
            hide_free: schema::flag(params, "hide_free"),
            kind: params.get_str("type"),
            status: params.get_str("stock_status"),
            featured: flag("featured"),
            on_sale: flag("on_sale"),
        })
    }

    /// The matching products in id order (variations only when `type=variation`).
    fn select<'c>(&self, cat: &'c Catalogue) -> Vec<&'c Product> {
        let variations = self.kind == Some("variation");
        cat.all()
            .filter(|p| variations || p.kind != ProductType::Variation)
            .filter(|p| self.matches(cat, p))
            .collect()
    }

    fn matches(&self, cat: &Catalogue, p: &Product) -> bool {
        self.matches_search(p)
            && self.matches_terms_and_ids(cat, p)
            && self.matches_price(cat, p)
            && self.matches_type_and_flags(cat, p)
            && self.matches_facets(cat, p)
    }

    /// `search`: in the name, SKU or either description, ignoring case.
    fn matches_search(&self, p: &Product) -> bool {
        self.search.as_ref().is_none_or(|s| {
            p.name.to_lowercase().contains(s)
                || p.sku.to_lowercase().contains(s)
                || p.description.to_lowercase().contains(s)
                || p.short_description.to_lowercase().contains(s)
        })
    }

    /// `category`, `tag`, `sku`, `include`, `exclude`, `parent` and `slug`.
    fn matches_terms_and_ids(&self, cat: &Catalogue, p: &Product) -> bool {
        (self.categories.is_empty()
            || term_matches(&p.categories, cat.categories(), &self.categories))
            && (self.tags.is_empty() || term_matches(&p.tags, cat.tags(), &self.tags))
            && (self.skus.is_empty() || self.skus.iter().any(|s| s.eq_ignore_ascii_case(&p.sku)))
            && (self.include.is_empty() || self.include.contains(&p.id))
            && !self.exclude.contains(&p.id)
            && (self.parents.is_empty() || self.parents.contains(&p.parent_id))
            && self.slug.as_ref().is_none_or(|s| *s == p.slug)
    }

    /// `min_price`/`max_price` and `hide_free`, on the product's `_price` rows.
    fn matches_price(&self, cat: &Catalogue, p: &Product) -> bool {
        self.price_bounds.is_none_or(|(lo, hi)| {
            price_rows(cat, p)
                .iter()
                .any(|price| (lo..=hi).contains(price))
        }) && (!self.hide_free || price_rows(cat, p).iter().any(|price| *price > 0))
    }

    /// `type`, `stock_status`, `featured` and `on_sale`.
    fn matches_type_and_flags(&self, cat: &Catalogue, p: &Product) -> bool {
        self.kind.is_none_or(|k| k == p.kind.as_str())
            && self.status.is_none_or(|s| s == stock_status(cat, p))
            && self.featured.is_none_or(|f| f == p.featured)
            && self.on_sale.is_none_or(|f| f == product_on_sale(cat, p))
    }

    /// `attributes`, `rating` and `brand`.
    fn matches_facets(&self, cat: &Catalogue, p: &Product) -> bool {
        self.clauses.iter().all(|c| attribute_match(cat, p, c))
            && (self.ratings.is_empty()
                || cat
                    .rated_term(p.id)
                    .is_some_and(|n| self.ratings.contains(&n)))
            && self
                .brand
                .as_ref()
                .is_none_or(|(ids, op)| brand_match(cat, p, ids, op))
    }
}

/// cocart_get_min_max_price_meta_query: only when min_price or max_price is non-empty; a
/// bound that is sent is floatval'd, a missing one is 0 / PHP_INT_MAX; BETWEEN is inclusive.
fn price_bounds(params: &Params) -> Option<(i64, i64)> {
    (!php_empty(params.get("min_price")) || !php_empty(params.get("max_price"))).then(|| {
        (
            params.get("min_price").map_or(0, bound_minor),
            params.get("max_price").map_or(i64::MAX, bound_minor),
        )
    })
}

/// `orderby` (one of [`ORDERBY`], default `date`) and `order` (`asc` or `desc`, any case,
/// default `desc`).
struct ProductSort<'p> {
    orderby: &'p str,
    descending: bool,
}

impl<'p> ProductSort<'p> {
    fn read(params: &'p Params) -> Result<Self, ApiError> {
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
        Ok(Self {
            orderby,
            descending: order == "desc",
        })
    }

    /// Sorts ascending (ties by id), then reverses for `desc`; `include` keeps the order of
    /// `include` either way. Orders the mock does not model sort by date.
    fn apply(&self, cat: &Catalogue, list: &mut [&Product], include: &[u64]) {
        match self.orderby {
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
        if self.descending && self.orderby != "include" {
            list.reverse();
        }
    }
}

/// One page of the sorted list: the products, the total, the page count and the page.
fn page_of_products(
    list: Vec<&Product>,
    page: i64,
    per_page: i64,
) -> (Vec<Product>, usize, i64, i64) {
    let total = list.len();
    let pages = (total as i64 + per_page - 1) / per_page;
    let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let products = list
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .cloned()
        .collect();
    (products, total, pages, page)
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
    let with_reviews = schema::flag(&params, "show_reviews");
    let body = json!({
        "products": list.iter().map(|p| product_json_with(&ctx, p, with_reviews)).collect::<Vec<_>>(),
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
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(Path(id)) = id else {
        return ApiError::no_route().into_response();
    };
    // Not a declared parameter here: CoCart reads the raw value, so any non-empty value other
    // than "0" (also "false") turns reviews on.
    let query = crate::params::parse_urlencoded(query.as_deref().unwrap_or(""));
    let with_reviews = !php_empty(query.get("show_reviews"));
    let cat = catalogue(&state);
    match find(&cat, &id) {
        Ok(p) => {
            let ctx = Ctx {
                cat: &cat,
                site_url: &state.site_url,
            };
            json_response(&product_json_with(&ctx, p, with_reviews), &[])
        }
        Err(e) => e.into_response(),
    }
}

/// A numeric `{product_id}` of the variations routes; anything else is no route.
fn numeric_id(id: Result<Path<String>, PathRejection>) -> Result<u64, ApiError> {
    match id {
        Ok(Path(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().map_err(|_| ApiError::no_route())
        }
        _ => Err(ApiError::no_route()),
    }
}

async fn variations(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = (|| {
        let id = numeric_id(id)?;
        let params = Params {
            query: crate::params::parse_urlencoded(query.as_deref().unwrap_or("")),
            ..Params::default()
        };
        let (page, per_page) = paging(&params)?;
        check_enum(
            "stock_status",
            "stock_status",
            params.get("stock_status"),
            &["instock", "outofstock", "onbackorder"],
        )?;
        let status = params.get_str("stock_status");
        let cat = catalogue(&state);
        // Newest first, then by id descending; an unknown or non-variable parent has none.
        let mut list: Vec<&Product> = cat
            .variations_of(id)
            .into_iter()
            .filter(|v| status.is_none_or(|s| s == stock_status(&cat, v)))
            .collect();
        list.sort_by(|a, b| b.date_created.cmp(&a.date_created).then(b.id.cmp(&a.id)));
        let path = format!("{BASE}/products/{id}/variations");
        let (list, headers) = page_of(list, page, per_page, None, |page, pages| {
            link_header(&state.site_url, &path, &params, page, pages)
        });
        let ctx = Ctx {
            cat: &cat,
            site_url: &state.site_url,
        };
        let body: Vec<Value> = list.iter().map(|v| product_json(&ctx, v)).collect();
        Ok::<_, ApiError>(json_response(&Value::Array(body), &headers))
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The HTML page PHP's fatal-error handler prints.
fn critical_error_page() -> Response {
    let mut resp = Response::new(Body::from(
        "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head><meta charset=\"UTF-8\" /><title>WordPress &rsaquo; Error</title></head>\n<body id=\"error-page\">\n\t<div class=\"wp-die-message\"><p>There has been a critical error on this website.</p><p><a href=\"https://wordpress.org/documentation/article/faq-troubleshooting/\">Learn more about troubleshooting WordPress.</a></p></div></body>\n</html>\n",
    ));
    *resp.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    resp
}

async fn variation(
    State(state): State<AppState>,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((id, variation_id))) = ids else {
        return ApiError::no_route().into_response();
    };
    let (Ok(id), Ok(variation_id)) = (numeric_id(Ok(Path(id))), numeric_id(Ok(Path(variation_id))))
    else {
        return ApiError::no_route().into_response();
    };
    let cat = catalogue(&state);
    // CoCart calls get_children() on the parent without checking it exists: a PHP fatal.
    let Some(parent) = cat.get(id) else {
        return critical_error_page();
    };
    let found = cat
        .get(variation_id)
        .filter(|v| v.kind == ProductType::Variation && v.parent_id == parent.id);
    match found {
        Some(v) => {
            let ctx = Ctx {
                cat: &cat,
                site_url: &state.site_url,
            };
            json_response(&product_json(&ctx, v), &[])
        }
        None => {
            ApiError::new(404, "cocart_product_variation_invalid_id", "Invalid ID.").into_response()
        }
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

/// `GET /store`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(&format!("{BASE}/store"), read_only(get(store)))
}

/// The product, variation, category and tag routes.
pub(crate) fn catalogue_routes() -> Router<AppState> {
    let p = |s: &str| format!("{BASE}{s}");
    Router::new()
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

#[cfg(test)]
#[path = "store_golden_tests.rs"]
mod golden;
