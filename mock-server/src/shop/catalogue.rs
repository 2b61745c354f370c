//! The seeded catalogue: products, their prices, stock and relations, parsed from the seed
//! document (its format and the built-in catalogue: [`crate::seed`]).

use super::facets::{self, GlobalAttribute, Review, SeedAttribute};
use crate::error::MockError;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// WooCommerce product types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ProductType {
    /// A simple product.
    #[default]
    Simple,
    /// A variable parent (not purchasable itself).
    Variable,
    /// A variation of a variable parent.
    Variation,
    /// A grouped product (add its children with `add-items`).
    Grouped,
    /// An external/affiliate product (never in a cart).
    External,
}

impl ProductType {
    /// The WooCommerce type name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Variable => "variable",
            Self::Variation => "variation",
            Self::Grouped => "grouped",
            Self::External => "external",
        }
    }
}

/// An attribute of a variable product, e.g. Color with options Blue and Green.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct Attribute {
    /// The label, e.g. `Color`.
    pub(crate) name: String,
    /// The taxonomy, e.g. `pa_color` (defaults to `pa_` + the sanitised label).
    #[serde(default)]
    pub(crate) slug: String,
    /// The option names, e.g. `["Blue","Green"]`.
    pub(crate) options: Vec<String>,
    /// Shown on the product page.
    #[serde(default = "yes")]
    pub(crate) visible: bool,
    /// Used for variations (default: true on variable products).
    #[serde(default)]
    pub(crate) used_for_variation: Option<bool>,
}

fn yes() -> bool {
    true
}

impl Attribute {
    /// The option slugs (`blue`), in order.
    pub(crate) fn option_slugs(&self) -> Vec<String> {
        self.options.iter().map(|o| sanitize_title(o)).collect()
    }

    /// The option name for an option slug (`blue` ⇒ `Blue`).
    pub(crate) fn option_name(&self, slug: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|o| sanitize_title(o) == slug)
            .map(String::as_str)
    }

    /// Whether this is a global attribute (a `pa_*` taxonomy) rather than a custom one.
    pub(crate) fn is_global(&self) -> bool {
        self.slug.starts_with("pa_")
    }
}

/// A taxonomy term (category or tag).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    /// The term id.
    pub(crate) id: u64,
    /// The display name.
    pub(crate) name: String,
    /// The slug.
    pub(crate) slug: String,
    /// How many (top-level) products carry it.
    pub(crate) count: u64,
}

/// One product, as seeded.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct Product {
    /// The product id.
    pub(crate) id: u64,
    /// The name (for variations, filled as `Parent - Value, Value` when empty).
    #[serde(default)]
    pub(crate) name: String,
    /// The product type.
    #[serde(rename = "type", default)]
    pub(crate) kind: ProductType,
    /// The parent id (variations).
    #[serde(default)]
    pub(crate) parent_id: u64,
    /// The slug.
    #[serde(default)]
    pub(crate) slug: String,
    /// The SKU.
    #[serde(default)]
    pub(crate) sku: String,
    /// Regular price, minor units.
    #[serde(default)]
    pub(crate) regular_price: i64,
    /// Sale price, minor units.
    #[serde(default)]
    pub(crate) sale_price: Option<i64>,
    /// Managed stock quantity; `None` when stock is not managed.
    #[serde(default)]
    pub(crate) stock_quantity: Option<i64>,
    /// `instock`, `outofstock` or `onbackorder`.
    #[serde(default = "default_stock_status")]
    pub(crate) stock_status: String,
    /// Only one per cart.
    #[serde(default)]
    pub(crate) sold_individually: bool,
    /// No shipping.
    #[serde(default, rename = "virtual")]
    pub(crate) is_virtual: bool,
    /// Featured flag.
    #[serde(default)]
    pub(crate) featured: bool,
    /// Weight in kg as a string, `""` when none.
    #[serde(default)]
    pub(crate) weight: String,
    /// Attributes (variable parents).
    #[serde(default)]
    pub(crate) attributes: Vec<Attribute>,
    /// Attribute taxonomy ⇒ option slug (variations).
    #[serde(default)]
    pub(crate) variation: BTreeMap<String, String>,
    /// Children: grouped products' members; variable products' variations (filled in).
    #[serde(default)]
    pub(crate) children: Vec<u64>,
    /// Category names.
    #[serde(default)]
    pub(crate) categories: Vec<String>,
    /// Tag names.
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    /// Long description.
    #[serde(default)]
    pub(crate) description: String,
    /// Short description.
    #[serde(default)]
    pub(crate) short_description: String,
    /// Creation date, `YYYY-MM-DDTHH:MM:SS`.
    #[serde(default)]
    pub(crate) date_created: String,
    /// External URL (external products).
    #[serde(default)]
    pub(crate) external_url: String,
    /// Brand names.
    #[serde(default)]
    pub(crate) brands: Vec<String>,
    /// Attribute taxonomy ⇒ default option slug (variable products).
    #[serde(default)]
    pub(crate) default_attributes: BTreeMap<String, String>,
    /// Whether reviews are open.
    #[serde(default = "yes")]
    pub(crate) reviews_allowed: bool,
    /// The parent's name for variations, the own name otherwise (filled in).
    #[serde(skip)]
    pub(crate) title: String,
}

fn default_stock_status() -> String {
    "instock".into()
}

impl Product {
    /// The active price in minor units.
    pub(crate) fn price(&self) -> i64 {
        self.sale_price.unwrap_or(self.regular_price)
    }

    /// Whether a sale price applies.
    pub(crate) fn on_sale(&self) -> bool {
        self.sale_price.is_some_and(|s| s < self.regular_price)
    }

    /// Whether stock is managed.
    pub(crate) fn managing_stock(&self) -> bool {
        self.stock_quantity.is_some()
    }

    /// Whether the product is in stock (or on backorder).
    pub(crate) fn is_in_stock(&self) -> bool {
        self.stock_status != "outofstock"
    }

    /// WooCommerce's `get_max_purchase_quantity`: 1 when sold individually, the stock when it is
    /// managed, else -1 (unlimited).
    pub(crate) fn max_purchase(&self) -> i64 {
        if self.sold_individually {
            1
        } else {
            self.stock_quantity.map_or(-1, |s| s.max(0))
        }
    }

    /// Whether the product can be bought at all.
    pub(crate) fn is_purchasable(&self) -> bool {
        matches!(self.kind, ProductType::Simple | ProductType::Variation)
    }
}

/// All products and their terms.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalogue {
    products: BTreeMap<u64, Product>,
    categories: Vec<Term>,
    tags: Vec<Term>,
    brands: Vec<Term>,
    attributes: Vec<GlobalAttribute>,
    reviews: Vec<Review>,
}

pub(crate) use super::slug::sanitize_title;

impl Catalogue {
    /// The built-in catalogue documented on this module.
    #[cfg(test)]
    pub(crate) fn builtin() -> Result<Self, MockError> {
        Self::from_document(None, None, None)
    }

    /// Builds a catalogue from a seed `products` array (schema on this module), with no reviews
    /// and the attributes its products use.
    #[cfg(test)]
    pub(crate) fn from_seed(products: &Value) -> Result<Self, MockError> {
        Self::from_document(Some(products), None, None)
    }

    /// Builds a catalogue from a seed document's `products`, `attributes` and `reviews` (each
    /// `None` when absent; see the module docs for the defaults).
    pub(crate) fn from_document(
        products: Option<&Value>,
        attributes: Option<&Value>,
        reviews: Option<&Value>,
    ) -> Result<Self, MockError> {
        let builtin = products.is_none();
        let products = products.cloned().unwrap_or_else(builtin_seed);
        let attributes = match attributes {
            Some(a) => a.clone(),
            None if builtin => builtin_attributes(),
            None => Value::Array(Vec::new()),
        };
        let reviews = match reviews {
            Some(r) => r.clone(),
            None if builtin => builtin_reviews(),
            None => Value::Array(Vec::new()),
        };
        let mut cat = Self::from_products(&products)?;
        let seeds: Vec<SeedAttribute> = serde_json::from_value(attributes)
            .map_err(|e| MockError::Config(format!("seed attributes: {e}")))?;
        let used: Vec<(String, String, Vec<String>)> = cat
            .products
            .values()
            .flat_map(|p| p.attributes.iter())
            .filter(|a| a.is_global())
            .map(|a| (a.slug.clone(), a.name.clone(), a.options.clone()))
            .collect();
        cat.attributes = facets::build_attributes(&seeds, &used)?;
        let reviews: Vec<Review> = serde_json::from_value(reviews)
            .map_err(|e| MockError::Config(format!("seed reviews: {e}")))?;
        facets::check_reviews(&reviews, |id| {
            cat.get(id)
                .is_some_and(|p| p.kind != ProductType::Variation)
        })?;
        cat.reviews = reviews;
        Ok(cat)
    }

    fn from_products(products: &Value) -> Result<Self, MockError> {
        let list: Vec<Product> = serde_json::from_value(products.clone())
            .map_err(|e| MockError::Config(format!("seed products: {e}")))?;
        let mut map = BTreeMap::new();
        for p in list {
            if p.id == 0 {
                return Err(MockError::Config(
                    "seed products: id 0 is not allowed".into(),
                ));
            }
            let id = p.id;
            if map.insert(id, p).is_some() {
                return Err(MockError::Config(format!(
                    "seed products: duplicate id {id}"
                )));
            }
        }
        let mut cat = Catalogue {
            products: map,
            ..Self::default()
        };
        cat.finish()?;
        Ok(cat)
    }

    fn finish(&mut self) -> Result<(), MockError> {
        let ids: Vec<u64> = self.products.keys().copied().collect();
        let mut skus = std::collections::HashSet::new();
        for id in &ids {
            let Some(p) = self.products.get(id).cloned() else {
                continue;
            };
            if !p.sku.is_empty() && !skus.insert(p.sku.to_ascii_lowercase()) {
                return Err(MockError::Config(format!(
                    "seed products: duplicate sku {}",
                    p.sku
                )));
            }
            match p.kind {
                ProductType::Variation => {
                    let parent = self.products.get(&p.parent_id).cloned().ok_or_else(|| {
                        MockError::Config(format!("seed products: variation {id} has no parent"))
                    })?;
                    if parent.kind != ProductType::Variable {
                        return Err(MockError::Config(format!(
                            "seed products: parent of variation {id} is not variable"
                        )));
                    }
                    let attrs = fill_attribute_slugs(parent.attributes.clone());
                    let values: Vec<String> = attrs
                        .iter()
                        .filter_map(|a| {
                            p.variation
                                .get(&a.slug)
                                .map(|v| a.option_name(v).unwrap_or(v).to_string())
                        })
                        .collect();
                    if let Some(v) = self.products.get_mut(id) {
                        if v.name.is_empty() {
                            v.name = if values.is_empty() {
                                parent.name.clone()
                            } else {
                                format!("{} - {}", parent.name, values.join(", "))
                            };
                        }
                        if v.slug.is_empty() {
                            v.slug = parent.slug_or_name();
                        }
                        v.title = parent.name.clone();
                    }
                    if let Some(parent) = self
                        .products
                        .get_mut(&p.parent_id)
                        .filter(|parent| !parent.children.contains(id))
                    {
                        parent.children.push(*id);
                    }
                }
                ProductType::Grouped => {
                    for child in &p.children {
                        match self.products.get(child) {
                            Some(c)
                                if matches!(
                                    c.kind,
                                    ProductType::Simple | ProductType::External
                                ) => {}
                            _ => {
                                return Err(MockError::Config(format!(
                                    "seed products: grouped {id} has an invalid child {child}"
                                )));
                            }
                        }
                    }
                }
                _ => {}
            }
            if let Some(p) = self.products.get_mut(id) {
                if p.name.is_empty() {
                    return Err(MockError::Config(format!(
                        "seed products: {id} has no name"
                    )));
                }
                if p.slug.is_empty() {
                    p.slug = sanitize_title(&p.name);
                }
                if p.title.is_empty() {
                    p.title = p.name.clone();
                }
                p.attributes = fill_attribute_slugs(std::mem::take(&mut p.attributes));
                if let Some(q) = p.stock_quantity {
                    p.stock_status = stock_status_for(q).into();
                }
            }
        }
        for p in self.products.values_mut() {
            if p.kind == ProductType::Variable {
                p.children.sort_unstable();
            }
        }
        self.build_terms();
        Ok(())
    }

    fn build_terms(&mut self) {
        let mut categories: Vec<Term> = Vec::new();
        let mut tags: Vec<Term> = Vec::new();
        let mut brands: Vec<Term> = Vec::new();
        for p in self
            .products
            .values()
            .filter(|p| p.kind != ProductType::Variation)
        {
            for name in &p.categories {
                add_term(&mut categories, name, 15);
            }
            for name in &p.tags {
                add_term(&mut tags, name, 30);
            }
            for name in &p.brands {
                add_term(&mut brands, name, facets::FIRST_BRAND_ID);
            }
        }
        self.categories = categories;
        self.tags = tags;
        self.brands = brands;
    }

    /// A product by id.
    pub(crate) fn get(&self, id: u64) -> Option<&Product> {
        self.products.get(&id)
    }

    /// A product by SKU (case-insensitive, like the SQL lookup).
    pub(crate) fn by_sku(&self, sku: &str) -> Option<&Product> {
        if sku.is_empty() {
            return None;
        }
        self.products
            .values()
            .find(|p| p.sku.eq_ignore_ascii_case(sku))
    }

    /// All products in id order.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Product> {
        self.products.values()
    }

    /// The variations of a variable product, in id order.
    pub(crate) fn variations_of(&self, parent: u64) -> Vec<&Product> {
        self.products
            .values()
            .filter(|p| p.kind == ProductType::Variation && p.parent_id == parent)
            .collect()
    }

    /// The product categories.
    pub(crate) fn categories(&self) -> &[Term] {
        &self.categories
    }

    /// The product tags.
    pub(crate) fn tags(&self) -> &[Term] {
        &self.tags
    }

    /// The brands (`product_brand` terms).
    pub(crate) fn brands(&self) -> &[Term] {
        &self.brands
    }

    /// The global attributes, in id order.
    pub(crate) fn attributes(&self) -> &[GlobalAttribute] {
        &self.attributes
    }

    /// A global attribute by id.
    pub(crate) fn attribute(&self, id: u64) -> Option<&GlobalAttribute> {
        self.attributes.iter().find(|a| a.id == id)
    }

    /// A global attribute by taxonomy name (`pa_color`).
    pub(crate) fn attribute_by_slug(&self, slug: &str) -> Option<&GlobalAttribute> {
        self.attributes.iter().find(|a| a.slug == slug)
    }

    /// The term slugs of a taxonomy a product carries (a variation: its own option slug; any
    /// other product: the options of its attribute of that taxonomy).
    pub(crate) fn product_term_slugs(&self, p: &Product, taxonomy: &str) -> Vec<String> {
        if p.kind == ProductType::Variation {
            return p.variation.get(taxonomy).cloned().into_iter().collect();
        }
        p.attributes
            .iter()
            .filter(|a| a.slug == taxonomy)
            .flat_map(Attribute::option_slugs)
            .collect()
    }

    /// How many published top-level products carry a term (WordPress's term `count`).
    pub(crate) fn term_count(&self, taxonomy: &str, slug: &str) -> u64 {
        self.products
            .values()
            .filter(|p| p.kind != ProductType::Variation)
            .filter(|p| {
                self.product_term_slugs(p, taxonomy)
                    .iter()
                    .any(|s| s == slug)
            })
            .count() as u64
    }

    /// The newest product creation date as a Unix time (the catalogue's `Last-Modified`).
    pub(crate) fn last_modified(&self) -> i64 {
        self.products
            .values()
            .filter_map(|p| facets::parse_datetime(&p.date_created))
            .max()
            .unwrap_or(0)
    }

    /// Every review, whatever its status, in id order.
    pub(crate) fn all_reviews(&self) -> &[Review] {
        &self.reviews
    }

    /// The approved reviews of a product, newest first.
    pub(crate) fn approved_reviews(&self, product_id: u64) -> Vec<&Review> {
        let mut list: Vec<&Review> = self
            .reviews
            .iter()
            .filter(|r| r.product_id == product_id && r.is_approved())
            .collect();
        list.sort_by(|a, b| b.date_created.cmp(&a.date_created).then(b.id.cmp(&a.id)));
        list
    }

    /// `(review_count, rating_count, average_rating)` over a product's approved reviews.
    pub(crate) fn review_stats(&self, product_id: u64) -> (u64, u64, f64) {
        let reviews = self.approved_reviews(product_id);
        let rated: Vec<u8> = reviews
            .iter()
            .map(|r| r.rating)
            .filter(|r| *r > 0)
            .collect();
        let average = if rated.is_empty() {
            0.0
        } else {
            rated.iter().map(|r| f64::from(*r)).sum::<f64>() / rated.len() as f64
        };
        (reviews.len() as u64, rated.len() as u64, average)
    }

    /// The `rated-N` visibility term of a product: its average rounded half up, `None` unrated.
    pub(crate) fn rated_term(&self, product_id: u64) -> Option<u64> {
        let (_, rated, average) = self.review_stats(product_id);
        (rated > 0).then(|| average.round() as u64)
    }

    /// A category by name.
    pub(crate) fn category(&self, name: &str) -> Option<&Term> {
        self.categories.iter().find(|t| t.name == name)
    }

    /// A tag by name.
    pub(crate) fn tag(&self, name: &str) -> Option<&Term> {
        self.tags.iter().find(|t| t.name == name)
    }

    /// See [`super::ShopWorld::set_stock`].
    pub(crate) fn set_stock(&mut self, id: u64, stock: Option<i64>) -> bool {
        let Some(p) = self.products.get_mut(&id) else {
            return false;
        };
        p.stock_quantity = stock;
        p.stock_status = match stock {
            Some(q) => stock_status_for(q).into(),
            None => "instock".into(),
        };
        true
    }

    /// The lowest and highest price over a parent's variations or grouped children.
    pub(crate) fn price_range(&self, p: &Product) -> Option<(i64, i64)> {
        let prices: Vec<i64> = match p.kind {
            ProductType::Variable => self.variations_of(p.id).iter().map(|v| v.price()).collect(),
            ProductType::Grouped => p
                .children
                .iter()
                .filter_map(|c| self.get(*c))
                .map(Product::price)
                .collect(),
            _ => return None,
        };
        Some((*prices.iter().min()?, *prices.iter().max()?))
    }

    /// A product's display price: the minimum over variations/children for parents.
    pub(crate) fn display_price(&self, p: &Product) -> i64 {
        self.price_range(p).map_or(p.price(), |(lo, _)| lo)
    }

    /// Whether a product is in stock; parents are when any variation/child is.
    pub(crate) fn in_stock(&self, p: &Product) -> bool {
        match p.kind {
            ProductType::Variable => self.variations_of(p.id).iter().any(|v| v.is_in_stock()),
            ProductType::Grouped => p
                .children
                .iter()
                .filter_map(|c| self.get(*c))
                .any(Product::is_in_stock),
            _ => p.is_in_stock(),
        }
    }
}

impl Product {
    fn slug_or_name(&self) -> String {
        if self.slug.is_empty() {
            sanitize_title(&self.name)
        } else {
            self.slug.clone()
        }
    }
}

fn stock_status_for(q: i64) -> &'static str {
    if q > 0 { "instock" } else { "outofstock" }
}

fn fill_attribute_slugs(mut attrs: Vec<Attribute>) -> Vec<Attribute> {
    for a in &mut attrs {
        if a.slug.is_empty() {
            a.slug = format!("pa_{}", sanitize_title(&a.name));
        }
    }
    attrs
}

fn add_term(terms: &mut Vec<Term>, name: &str, first_id: u64) {
    if let Some(t) = terms.iter_mut().find(|t| t.name == name) {
        t.count += 1;
        return;
    }
    terms.push(Term {
        id: first_id + terms.len() as u64,
        name: name.to_string(),
        slug: sanitize_title(name),
        count: 1,
    });
}

fn builtin_attributes() -> Value {
    json!([
        {"name":"Color","slug":"pa_color","terms":["Blue","Green","Red"]},
        {"name":"Size","slug":"pa_size","terms":["Small","Large","X-Large"]}
    ])
}

fn builtin_reviews() -> Value {
    json!([
        {"id":2,"product_id":101,"reviewer":"Alice Reviewer","reviewer_email":"alice@example.com",
         "review":"Great tee, very soft.","rating":5,"date_created":"2024-03-10T10:00:00","verified":true},
        {"id":3,"product_id":101,"reviewer":"bob smith","reviewer_email":"bob@example.com",
         "review":"It is okay.","rating":3,"date_created":"2024-03-11T10:00:00"},
        {"id":4,"product_id":201,"reviewer":"Carol","reviewer_email":"demo@example.com","reviewer_id":1,
         "review":"Nice hoodie, runs small.\n\nWarm, though.","rating":4,"date_created":"2024-03-12T12:00:00"},
        {"id":5,"product_id":102,"reviewer":"Dave","reviewer_email":"dave@example.com",
         "review":"Awaiting moderation.","rating":1,"date_created":"2024-03-13T08:00:00","status":"hold"},
        {"id":6,"product_id":103,"reviewer":"Erin","reviewer_email":"erin@example.com",
         "review":"Keeps coffee hot.","rating":5,"date_created":"2024-03-14T09:30:00","verified":true}
    ])
}

fn builtin_seed() -> Value {
    json!([
        {"id":101,"name":"T-Shirt","sku":"MOCK-TSHIRT","regular_price":1250,"weight":"0.2","featured":true,
         "attributes":[{"name":"Color","slug":"pa_color","options":["Red"]}],"brands":["Mock Co"],
         "categories":["Clothing"],"tags":["cotton"],"date_created":"2024-01-10T09:00:00",
         "short_description":"A soft cotton tee.","description":"A soft cotton tee with the mock logo."},
        {"id":102,"name":"Cap","sku":"MOCK-CAP","regular_price":2000,"sale_price":1800,"weight":"0.1","brands":["Mock Co"],
         "categories":["Accessories"],"tags":["gift"],"date_created":"2024-01-11T09:00:00",
         "short_description":"A baseball cap.","description":"A baseball cap, on sale."},
        {"id":103,"name":"Mug","sku":"MOCK-MUG","regular_price":999,"weight":"0.35","brands":["Mock Co"],
         "categories":["Home"],"tags":["gift"],"date_created":"2024-01-12T09:00:00",
         "short_description":"A ceramic mug.","description":"A 350 ml ceramic mug."},
        {"id":104,"name":"Sticker Pack","sku":"MOCK-STICKERS","regular_price":350,"virtual":true,
         "categories":["Accessories"],"date_created":"2024-01-13T09:00:00",
         "short_description":"Five vinyl stickers.","description":"Five vinyl stickers."},
        {"id":105,"name":"Vintage Poster","sku":"MOCK-POSTER","regular_price":1500,"stock_quantity":0,
         "weight":"0.3","categories":["Home"],"date_created":"2024-01-14T09:00:00",
         "short_description":"Sold out.","description":"A vintage poster, sold out."},
        {"id":106,"name":"Signed Print","sku":"MOCK-SIGNED-PRINT","regular_price":4900,"sold_individually":true,
         "weight":"0.2","categories":["Home"],"tags":["limited"],"date_created":"2024-01-15T09:00:00",
         "short_description":"One per customer.","description":"A signed print, one per customer."},
        {"id":107,"name":"Limited Edition Vinyl","sku":"MOCK-VINYL","regular_price":2999,"stock_quantity":3,
         "weight":"0.3","categories":["Music"],"tags":["limited"],"date_created":"2024-01-16T09:00:00",
         "short_description":"Only three left.","description":"A limited pressing."},
        {"id":201,"name":"Hoodie","sku":"MOCK-HOODIE","type":"variable","featured":true,
         "categories":["Clothing"],"tags":["cotton"],"date_created":"2024-02-01T09:00:00",
         "attributes":[{"name":"Color","slug":"pa_color","options":["Blue","Green"]},
                       {"name":"Size","slug":"pa_size","options":["Small","Large"]}],
         "default_attributes":{"pa_color":"blue","pa_size":"small"},"brands":["Acme"],
         "short_description":"A warm hoodie.","description":"A warm hoodie in two colours and two sizes."},
        {"id":202,"type":"variation","parent_id":201,"sku":"MOCK-HOODIE-BLUE-S","regular_price":4500,
         "weight":"0.8","variation":{"pa_color":"blue","pa_size":"small"},"date_created":"2024-02-01T09:00:00"},
        {"id":203,"type":"variation","parent_id":201,"sku":"MOCK-HOODIE-BLUE-L","regular_price":4500,
         "weight":"0.9","variation":{"pa_color":"blue","pa_size":"large"},"date_created":"2024-02-01T09:00:00"},
        {"id":204,"type":"variation","parent_id":201,"sku":"MOCK-HOODIE-GREEN-S","regular_price":4500,
         "sale_price":4200,"weight":"0.8","variation":{"pa_color":"green","pa_size":"small"},
         "date_created":"2024-02-01T09:00:00"},
        {"id":205,"type":"variation","parent_id":201,"sku":"MOCK-HOODIE-GREEN-L","regular_price":4500,
         "stock_quantity":5,"weight":"0.9","variation":{"pa_color":"green","pa_size":"large"},
         "date_created":"2024-02-01T09:00:00"},
        {"id":301,"name":"Logo Collection","sku":"MOCK-LOGO-COLLECTION","type":"grouped","children":[101,102,103],
         "categories":["Clothing"],"date_created":"2024-03-01T09:00:00",
         "short_description":"Tee, cap and mug.","description":"The T-Shirt, the Cap and the Mug."},
        {"id":401,"name":"WordPress Pennant","sku":"MOCK-PENNANT","type":"external","regular_price":1100,
         "external_url":"https://example.invalid/pennant","categories":["Home"],
         "date_created":"2024-03-02T09:00:00",
         "short_description":"Sold elsewhere.","description":"An external product."}
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_has_the_documented_ids() {
        let c = Catalogue::builtin().unwrap();
        assert_eq!(c.get(202).unwrap().name, "Hoodie - Blue, Small");
        assert_eq!(c.get(202).unwrap().title, "Hoodie");
        assert_eq!(c.get(201).unwrap().children, vec![202, 203, 204, 205]);
        assert_eq!(c.by_sku("mock-vinyl").unwrap().id, 107);
        assert!(!c.get(105).unwrap().is_in_stock());
        assert_eq!(c.get(107).unwrap().max_purchase(), 3);
        assert_eq!(c.price_range(c.get(201).unwrap()), Some((4200, 4500)));
        assert_eq!(c.category("Clothing").unwrap().id, 15);
        assert_eq!(c.category("Music").unwrap().id, 18);
        assert_eq!(c.tag("limited").unwrap().id, 32);
        let color = c.attribute_by_slug("pa_color").unwrap();
        assert_eq!((color.id, color.term_by_slug("red").unwrap().id), (1, 52));
        assert_eq!(
            c.attribute(2).unwrap().term_by_slug("x-large").unwrap().id,
            55
        );
        assert_eq!(c.term_count("pa_color", "red"), 1);
        assert_eq!(c.term_count("pa_size", "x-large"), 0);
        assert_eq!(c.brands()[1].slug, "acme");
        assert_eq!(c.brands()[1].id, 81);
        assert_eq!(c.review_stats(101), (2, 2, 4.0));
        assert_eq!(c.review_stats(102), (0, 0, 0.0));
        assert_eq!(c.rated_term(103), Some(5));
    }

    #[test]
    fn seed_documents_declare_attributes_and_reviews() {
        let products = json!([{"id":7,"name":"Lamp","attributes":[{"name":"Finish","options":["Matte"]},
                                {"name":"Custom","slug":"custom","options":["X"]}]}]);
        let attrs =
            json!([{"name":"Material","terms":[{"name":"Oak","description":"Solid"}, "Pine"]}]);
        let reviews = json!([{"id":9,"product_id":7,"reviewer":"Z","review":"ok","rating":4,
                               "date_created":"2024-01-01T00:00:00"}]);
        let c = Catalogue::from_document(Some(&products), Some(&attrs), Some(&reviews)).unwrap();
        let slugs: Vec<&str> = c.attributes().iter().map(|a| a.slug.as_str()).collect();
        assert_eq!(slugs, ["pa_material", "pa_finish"]);
        assert_eq!(c.attribute(1).unwrap().terms[0].description, "Solid");
        assert_eq!(c.attribute(2).unwrap().terms[0].id, 52);
        assert_eq!(c.review_stats(7), (1, 1, 4.0));
        let bad_review = json!([{"id":9,"product_id":8,"reviewer":"Z","review":"ok",
                                  "date_created":"2024-01-01T00:00:00"}]);
        assert!(Catalogue::from_document(Some(&products), None, Some(&bad_review)).is_err());
        let bad_attr = json!([{"name":"Material","slug":"material"}]);
        assert!(Catalogue::from_document(Some(&products), Some(&bad_attr), None).is_err());
        // Products only: no reviews, attributes from the products.
        let c = Catalogue::from_seed(&products).unwrap();
        assert!(c.all_reviews().is_empty());
        assert_eq!(c.attributes().len(), 1);
    }

    #[test]
    fn bad_seeds_are_config_errors() {
        assert!(Catalogue::from_seed(&json!([{"id":1,"name":"A"},{"id":1,"name":"B"}])).is_err());
        assert!(Catalogue::from_seed(&json!([{"id":2,"type":"variation","parent_id":9}])).is_err());
        assert!(Catalogue::from_seed(&json!({"not":"a list"})).is_err());
        let ok = Catalogue::from_seed(&json!([{"id":7,"name":"Lamp Shade","regular_price":100}]))
            .unwrap();
        assert_eq!(ok.get(7).unwrap().slug, "lamp-shade");
    }
}
