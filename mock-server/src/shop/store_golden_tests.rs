//! Characterisation of the product JSON and of `GET /products`'s selection: every product of
//! three catalogues rendered with and without reviews, and the product list over a grid of query
//! strings, each compared byte for byte with `testdata/store_golden.json` (captured from the
//! renderer and the list before they were split into parts). A changed field, value, key order,
//! filter, sort, page or validation error fails a case by name.
//!
//! After a deliberate behaviour change, `COCART_MOCK_WRITE_GOLDEN=1` rewrites the file (and the
//! test still fails, so a rewrite is never a silent pass); review the diff before committing it.

use super::*;
use crate::shop::render::product_json_with;

const SITE: &str = "http://127.0.0.1:8080";
const GOLDEN: &str = "src/shop/testdata/store_golden.json";

/// A seed with what the built-in catalogue lacks: a free product, no creation date, custom and
/// hidden attributes, reviews closed, a review held back, a single rating, an unsorted global
/// attribute, a variable product with a free and an out-of-stock variation, a grouped product
/// with an out-of-stock child, a product on backorder.
fn edge_catalogue() -> Catalogue {
    let products = json!([
        {"id": 1, "name": "Free Sample", "regular_price": 0, "reviews_allowed": false,
         "attributes": [{"name": "Gift Wrap", "slug": "gift-wrap", "options": ["Yes", "No"],
                         "visible": false, "used_for_variation": true}],
         "categories": ["Samples"], "tags": ["free"]},
        {"id": 2, "name": "Desk", "type": "variable", "date_created": "2024-05-01T10:00:00",
         "attributes": [{"name": "Finish", "slug": "pa_finish", "options": ["Walnut", "Ash", "Oak"]},
                        {"name": "Engraving", "slug": "engraving", "options": ["Yes", "No"],
                         "used_for_variation": false}],
         "default_attributes": {"pa_finish": "ash"}, "brands": ["Acme"],
         "categories": ["Furniture"], "tags": ["wood"]},
        {"id": 3, "type": "variation", "parent_id": 2, "sku": "DESK-OAK", "regular_price": 30000,
         "sale_price": 25000, "stock_status": "outofstock", "variation": {"pa_finish": "oak"},
         "date_created": "2024-05-01T10:00:00"},
        {"id": 4, "type": "variation", "parent_id": 2, "sku": "DESK-ASH", "regular_price": 0,
         "variation": {"pa_finish": "ash", "engraving": "yes"}, "date_created": "2024-05-02T10:00:00"},
        {"id": 5, "type": "variation", "parent_id": 2, "sku": "DESK-WALNUT", "regular_price": 41000,
         "stock_quantity": 2, "sold_individually": true, "variation": {"pa_finish": "walnut"},
         "date_created": "2024-05-03T10:00:00"},
        {"id": 6, "name": "Bundle", "type": "grouped", "children": [1, 7],
         "categories": ["Samples", "Furniture"], "date_created": "2024-06-01T10:00:00"},
        {"id": 7, "name": "Lamp", "sku": "LAMP", "regular_price": 1999, "sale_price": 2500,
         "stock_status": "outofstock", "featured": true, "virtual": true,
         "categories": ["Furniture"], "date_created": "2024-06-02T10:00:00"},
        {"id": 8, "name": "Chair", "sku": "CHAIR", "regular_price": 8900, "stock_quantity": -2,
         "stock_status": "onbackorder", "weight": "4.5", "brands": ["Acme", "Mock Co"],
         "categories": ["Furniture"], "date_created": "2024-06-02T10:00:00"}
    ]);
    let reviews = json!([
        {"id": 11, "product_id": 1, "reviewer": "ann", "review": "Nice.", "rating": 4,
         "date_created": "2024-07-01T08:00:00", "verified": true},
        {"id": 12, "product_id": 7, "reviewer": "bob", "review": "Bright.", "rating": 5,
         "date_created": "2024-07-02T08:00:00"},
        {"id": 13, "product_id": 7, "reviewer": "cy", "review": "Dim.", "rating": 2,
         "date_created": "2024-07-02T08:00:00"},
        {"id": 14, "product_id": 7, "reviewer": "dee", "review": "No stars.",
         "date_created": "2024-07-03T08:00:00"},
        {"id": 15, "product_id": 8, "reviewer": "eve", "review": "Held.", "rating": 1,
         "date_created": "2024-07-04T08:00:00", "status": "hold"}
    ]);
    let attributes = json!([{"name": "Finish", "slug": "pa_finish",
                             "terms": ["Oak", "Ash", "Walnut", "Pine"]}]);
    Catalogue::from_document(Some(&products), Some(&attributes), Some(&reviews))
        .expect("the edge seed loads")
}

/// The built-in catalogue after stock moved: the vinyl sold out, one hoodie variation out.
fn restocked_catalogue() -> Catalogue {
    let mut cat = Catalogue::builtin().expect("the built-in catalogue loads");
    assert!(cat.set_stock(107, Some(0)));
    assert!(cat.set_stock(205, Some(0)));
    assert!(cat.set_stock(101, Some(4)));
    cat
}

fn catalogues() -> Vec<(&'static str, Catalogue)> {
    vec![
        (
            "builtin",
            Catalogue::builtin().expect("the built-in catalogue loads"),
        ),
        ("restocked", restocked_catalogue()),
        ("edge", edge_catalogue()),
    ]
}

/// Query strings for `GET /products`: every `orderby` × `order` × paging, then each filter
/// alone with a few values, then combinations and several invalid parameters at once (which
/// error is reported first).
fn queries() -> Vec<String> {
    let mut out = Vec::new();
    let orderbys = [
        "",
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
        "bogus",
    ];
    let orders = ["", "asc", "desc", "DESC", "sideways"];
    let pagings = ["", "page=2&per_page=3", "per_page=100", "page=4&per_page=3"];
    for orderby in orderbys {
        for order in orders {
            for paging in pagings {
                let mut q: Vec<String> = Vec::new();
                if !orderby.is_empty() {
                    q.push(format!("orderby={orderby}"));
                }
                if orderby == "include" {
                    q.push("include=105,101,301,3,8".into());
                }
                if !order.is_empty() {
                    q.push(format!("order={order}"));
                }
                if !paging.is_empty() {
                    q.push(paging.into());
                }
                out.push(q.join("&"));
            }
        }
    }
    let single = [
        "search=hoodie",
        "search=MOCK-CAP",
        "search=COTTON",
        "search=",
        "search=zzz",
        "search=desk",
        "category=clothing",
        "category=15",
        "category=Clothing",
        "category=music,home",
        "category[]=home&category[]=music",
        "category=furniture",
        "category=nope",
        "tag=gift",
        "tag=limited,cotton",
        "tag=32",
        "tag=wood",
        "sku=mock-cap",
        "sku=MOCK-CAP,MOCK-MUG",
        "sku=lamp",
        "sku=nope",
        "type=simple",
        "type=variable",
        "type=variation",
        "type=grouped",
        "type=external",
        "type=bogus",
        "stock_status=instock",
        "stock_status=outofstock",
        "stock_status=onbackorder",
        "featured=true",
        "featured=false",
        "featured=1",
        "featured=0",
        "featured=maybe",
        "on_sale=true",
        "on_sale=false",
        "on_sale=true&type=variation",
        "slug=cap",
        "slug=Cap%20",
        "slug=T-Shirt",
        "slug=desk",
        "slug=",
        "min_price=10&max_price=",
        "min_price=&max_price=20",
        "min_price=12.50&max_price=29.99",
        "min_price=0&max_price=0",
        "min_price=abc",
        "max_price=45",
        "max_price=250",
        "min_price=42",
        "hide_free=true",
        "hide_free=false",
        "include=101,102",
        "include=102%20101",
        "include[]=103&include[]=x",
        "include=3,4,5",
        "exclude=101,102",
        "exclude=1",
        "parent=201",
        "parent=2&type=variation",
        "parent=0",
        "rating=4",
        "rating=5",
        "rating=4,5",
        "rating=0",
        "rating=abc",
        "rating=3",
        "brand=mock-co",
        "brand=81",
        "brand=acme,mock-co",
        "brand=nope",
        "brand=acme&brand_operator=in",
        "brand=acme,mock-co&brand_operator=not_in",
        "brand=acme,mock-co&brand_operator=and",
        "brand=nope,acme&brand_operator=and",
        "brand=acme&brand_operator=bogus",
        "attributes[0][attribute]=pa_color&attributes[0][slug][]=blue",
        "attributes[0][attribute]=pa_color&attributes[0][term_id][]=52",
        "attributes[0][attribute]=pa_color&attributes[0][slug][]=blue&attributes[0][slug][]=green&attributes[0][operator]=and",
        "attributes[0][attribute]=pa_color&attributes[0][slug][]=blue&attributes[0][operator]=not%20in",
        "attributes[0][attribute]=pa_size&attributes[0][slug][]=large&attributes[1][attribute]=pa_color&attributes[1][slug][]=green",
        "attributes[0][attribute]=pa_nope&attributes[0][slug][]=blue",
        "attributes[0][attribute]=pa_color",
        "attributes[0][attribute]=pa_finish&attributes[0][slug][]=oak",
        "attributes=x",
        "attributes=",
        "attributes[a]=1",
        "attributes[0]=5",
        "attributes[0][attribute][]=pa_color",
        "attributes[0][attribute]=pa_color&attributes[0][term_id]=abc",
        "attributes[0][attribute]=pa_color&attributes[0][slug][]=red&attributes[0][operator]=or",
        "attribute_relation=and",
        "attribute_relation=or",
        "page=0",
        "page=-1",
        "page=abc",
        "page=999",
        "per_page=0",
        "per_page=101",
        "per_page=abc",
        "per_page=1&page=3",
        "show_reviews=true",
        "show_reviews=maybe",
        "category=clothing&tag=cotton&featured=true",
        "type=variation&on_sale=true&orderby=price&order=desc",
        "search=a&orderby=title&order=asc&per_page=2&page=2",
        "category=home&min_price=9.99&max_price=15&orderby=price",
        "hide_free=1&type=simple&stock_status=instock&orderby=slug",
        "page=0&per_page=0&orderby=bad&order=bad&attribute_relation=bad&brand_operator=bad&featured=maybe",
        "page=0&per_page=0&orderby=bad&order=bad&attribute_relation=bad&brand_operator=bad",
        "page=0&per_page=0&orderby=bad&order=bad&attribute_relation=bad",
        "page=0&per_page=0&orderby=bad&order=bad&attributes=x",
        "page=0&per_page=0&orderby=bad&order=bad",
        "per_page=0&orderby=bad&order=bad",
        "orderby=bad&order=bad",
    ];
    out.extend(single.iter().map(|s| (*s).to_string()));
    out
}

fn describe_error(e: &ApiError) -> String {
    format!(
        "error {} {} {:?} {} {:?}",
        e.status.as_u16(),
        e.code,
        e.message,
        Value::Object((*e.data).clone()),
        e.envelope
    )
}

fn list_case(cat: &Catalogue, query: &str) -> String {
    let params = Params {
        query: crate::params::parse_urlencoded(query),
        ..Params::default()
    };
    match list_products(cat, &params) {
        Ok((list, total, pages, page)) => {
            let ids: Vec<u64> = list.iter().map(|p| p.id).collect();
            format!("ids {ids:?} total {total} pages {pages} page {page}")
        }
        Err(e) => describe_error(&e),
    }
}

/// Every case's name and what it printed.
fn cases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, cat) in catalogues() {
        let ctx = Ctx {
            cat: &cat,
            site_url: SITE,
        };
        for p in cat.all() {
            for reviews in [false, true] {
                let json = product_json_with(&ctx, p, reviews);
                let text = serde_json::to_string(&json).expect("a Value prints");
                out.push((format!("product/{name}/{}/reviews={reviews}", p.id), text));
            }
        }
        for query in queries() {
            out.push((format!("list/{name}/?{query}"), list_case(&cat, &query)));
        }
    }
    out
}

#[test]
fn products_and_lists_print_the_golden_text() {
    let got = cases();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("COCART_MOCK_WRITE_GOLDEN").is_some() {
        let map: Map<String, Value> = got
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let text = serde_json::to_string_pretty(&Value::Object(map)).expect("prints");
        std::fs::write(&path, text + "\n").expect("the golden file is writable");
        panic!("wrote {GOLDEN}; review its diff and run again without COCART_MOCK_WRITE_GOLDEN");
    }
    let golden: Map<String, Value> =
        serde_json::from_str(include_str!("testdata/store_golden.json")).expect("golden parses");
    let names: Vec<&String> = got.iter().map(|(k, _)| k).collect();
    let want: Vec<&String> = golden.keys().collect();
    assert_eq!(names, want, "the case list changed");
    for (name, text) in &got {
        assert_eq!(Some(text.as_str()), golden[name].as_str(), "case {name}");
    }
}
