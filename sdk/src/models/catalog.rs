//! The catalog's facets: global attributes and their terms (`/products/attributes…`), product
//! reviews (`/products/reviews`), and [`Paged`] lists whose totals come from `X-WP-Total` /
//! `X-WP-TotalPages`. Read-only, public routes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// A global attribute from `GET /products/attributes`, e.g. Color.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attribute {
    /// The attribute id (what the terms route takes).
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// The label, e.g. `Color`.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// The taxonomy **with** the `pa_` prefix, e.g. `pa_color`: what
    /// [`super::AttributeFilter`] takes.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// `select`.
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    pub attribute_type: String,
    /// How terms are sorted in the shop: `menu_order`, `name`, `name_num` or `id`.
    #[serde(deserialize_with = "lenient::string")]
    pub order_by: String,
    /// Whether the attribute has archive pages.
    #[serde(deserialize_with = "lenient::bool")]
    pub has_archives: bool,
    /// Every other field (`_links`…), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A term of an attribute from `GET /products/attributes/{id}/terms`, e.g. Red.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttributeTerm {
    /// The term id.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// The name, e.g. `Red`.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// The slug without prefix, e.g. `red`.
    #[serde(deserialize_with = "lenient::string")]
    pub slug: String,
    /// The description.
    #[serde(deserialize_with = "lenient::string")]
    pub description: String,
    /// The manual sort position.
    #[serde(deserialize_with = "lenient::u32")]
    pub menu_order: u32,
    /// How many published products use the term (variable products count once, not per
    /// variation).
    #[serde(deserialize_with = "lenient::u64")]
    pub count: u64,
    /// Every other field (`_links`…), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A review from `GET /products/reviews`. (`show_reviews` embeds another shape:
/// [`super::EmbeddedReview`].)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Review {
    /// The review (comment) id.
    #[serde(deserialize_with = "lenient::u64")]
    pub id: u64,
    /// Local date, `YYYY-MM-DDTHH:MM:SS` without a zone.
    #[serde(deserialize_with = "lenient::string")]
    pub date_created: String,
    /// GMT date, `YYYY-MM-DDTHH:MM:SS`.
    #[serde(deserialize_with = "lenient::string")]
    pub date_created_gmt: String,
    /// The reviewed product.
    #[serde(deserialize_with = "lenient::u64")]
    pub product_id: u64,
    /// `approved`, `hold`, `spam` or `trash`. Some stores also list held reviews to guests.
    #[serde(deserialize_with = "lenient::string")]
    pub status: String,
    /// The reviewer's name as stored.
    #[serde(deserialize_with = "lenient::string")]
    pub reviewer: String,
    /// The review as **HTML** (`<p>…</p>`).
    #[serde(deserialize_with = "lenient::string")]
    pub review: String,
    /// 1 to 5, 0 when none.
    #[serde(deserialize_with = "lenient::u32")]
    pub rating: u32,
    /// Whether the reviewer bought the product.
    #[serde(deserialize_with = "lenient::bool")]
    pub verified: bool,
    /// Avatar URLs by size (`"24"`, `"48"`, `"96"`).
    #[serde(deserialize_with = "lenient::string_map")]
    pub reviewer_avatar_urls: BTreeMap<String, String>,
    /// Every other field (`_links`…), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Review {
    /// Whether the store marks the review approved (filter on it to hide held reviews some
    /// stores leak).
    pub fn is_approved(&self) -> bool {
        self.status == "approved"
    }
}

/// One page of a bare-array list (terms, reviews, variations) with the totals the store sends in
/// `X-WP-Total` and `X-WP-TotalPages`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Paged<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// This page's number (1-based), as asked.
    pub page: u32,
    /// Number of pages (`X-WP-TotalPages`; 0 when nothing matched).
    pub total_pages: u32,
    /// Number of items over all pages (`X-WP-Total`).
    pub total: u64,
}

impl<T> Paged<T> {
    /// Whether a later page exists.
    pub fn has_next(&self) -> bool {
        self.page < self.total_pages
    }
}

/// A bare JSON array, read leniently (an object keyed by id gives its values).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct LenientList<T>(#[serde(deserialize_with = "lenient::vec")] pub(crate) Vec<T>)
where
    T: for<'a> Deserialize<'a>;
