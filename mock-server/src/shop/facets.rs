//! Global product attributes (`pa_*` taxonomies) with their terms, brands, and product reviews:
//! the catalogue data behind `/products/attributes*`, `/products/reviews*` and the `attributes`,
//! `rating` and `brand` filters of `/products`.
//!
//! Their seed format: [`crate::seed`].

use super::slug::sanitize_title;
use crate::error::MockError;
use serde::Deserialize;

/// First term id of attribute terms.
pub(crate) const FIRST_ATTRIBUTE_TERM_ID: u64 = 50;
/// First term id of brands.
pub(crate) const FIRST_BRAND_ID: u64 = 80;

/// A term of a global attribute.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AttrTerm {
    /// The term id.
    pub(crate) id: u64,
    /// The display name (`Red`).
    pub(crate) name: String,
    /// The slug (`red`, no prefix).
    pub(crate) slug: String,
    /// The description.
    pub(crate) description: String,
}

/// A global attribute (`pa_color`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GlobalAttribute {
    /// The attribute id (1, 2, …).
    pub(crate) id: u64,
    /// The label (`Color`).
    pub(crate) name: String,
    /// The taxonomy name with the `pa_` prefix.
    pub(crate) slug: String,
    /// `menu_order`, `name`, `name_num` or `id`.
    pub(crate) order_by: String,
    /// Whether archives are enabled.
    pub(crate) has_archives: bool,
    /// The terms, in declaration order.
    pub(crate) terms: Vec<AttrTerm>,
}

impl GlobalAttribute {
    /// A term by slug.
    pub(crate) fn term_by_slug(&self, slug: &str) -> Option<&AttrTerm> {
        self.terms.iter().find(|t| t.slug == slug)
    }

    /// A term by id.
    pub(crate) fn term(&self, id: u64) -> Option<&AttrTerm> {
        self.terms.iter().find(|t| t.id == id)
    }
}

/// A seeded attribute, before ids are assigned.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeedAttribute {
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default = "menu_order")]
    order_by: String,
    #[serde(default)]
    has_archives: bool,
    #[serde(default)]
    terms: Vec<SeedTerm>,
}

fn menu_order() -> String {
    "menu_order".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum SeedTerm {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        slug: String,
        #[serde(default)]
        description: String,
    },
}

/// Builds the global attributes from the seed and then from the products' `pa_*` attributes
/// (`(taxonomy, label, option names)`), assigning ids.
pub(crate) fn build_attributes(
    seeds: &[SeedAttribute],
    used: &[(String, String, Vec<String>)],
) -> Result<Vec<GlobalAttribute>, MockError> {
    let mut out: Vec<GlobalAttribute> = Vec::new();
    let mut next_term = FIRST_ATTRIBUTE_TERM_ID;
    let mut add_term = |attr: &mut GlobalAttribute, name: &str, slug: &str, description: &str| {
        let slug = if slug.is_empty() {
            sanitize_title(name)
        } else {
            slug.to_string()
        };
        if attr.term_by_slug(&slug).is_none() {
            attr.terms.push(AttrTerm {
                id: next_term,
                name: name.to_string(),
                slug,
                description: description.to_string(),
            });
            next_term += 1;
        }
    };
    for s in seeds {
        let slug = if s.slug.is_empty() {
            format!("pa_{}", sanitize_title(&s.name))
        } else {
            s.slug.clone()
        };
        if !slug.starts_with("pa_") || out.iter().any(|a| a.slug == slug) {
            return Err(MockError::Config(format!(
                "seed attributes: {slug} must start with pa_ and be unique"
            )));
        }
        if !matches!(
            s.order_by.as_str(),
            "menu_order" | "name" | "name_num" | "id"
        ) {
            return Err(MockError::Config(format!(
                "seed attributes: {slug} has an unknown order_by"
            )));
        }
        let mut attr = GlobalAttribute {
            id: out.len() as u64 + 1,
            name: s.name.clone(),
            slug,
            order_by: s.order_by.clone(),
            has_archives: s.has_archives,
            terms: Vec::new(),
        };
        for t in &s.terms {
            match t {
                SeedTerm::Name(n) => add_term(&mut attr, n, "", ""),
                SeedTerm::Full {
                    name,
                    slug,
                    description,
                } => add_term(&mut attr, name, slug, description),
            }
        }
        out.push(attr);
    }
    for (taxonomy, label, options) in used {
        let idx = match out.iter().position(|a| a.slug == *taxonomy) {
            Some(i) => i,
            None => {
                out.push(GlobalAttribute {
                    id: out.len() as u64 + 1,
                    name: label.clone(),
                    slug: taxonomy.clone(),
                    order_by: menu_order(),
                    has_archives: false,
                    terms: Vec::new(),
                });
                out.len() - 1
            }
        };
        for o in options {
            add_term(&mut out[idx], o, "", "");
        }
    }
    Ok(out)
}

/// A product review (a WordPress comment of type `review`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Review {
    /// The comment id.
    pub(crate) id: u64,
    /// The reviewed product.
    pub(crate) product_id: u64,
    /// The reviewer's name as stored.
    pub(crate) reviewer: String,
    /// The reviewer's email (never sent; hashed into the avatar URLs).
    #[serde(default)]
    pub(crate) reviewer_email: String,
    /// The reviewer's user id, 0 for a guest.
    #[serde(default)]
    pub(crate) reviewer_id: u64,
    /// The review as plain text (paragraphs separated by blank lines).
    pub(crate) review: String,
    /// 1 to 5, or 0 for no rating.
    #[serde(default)]
    pub(crate) rating: u8,
    /// `YYYY-MM-DDTHH:MM:SS` (the store runs in UTC, so it is also the GMT date).
    pub(crate) date_created: String,
    /// Whether the reviewer bought the product.
    #[serde(default)]
    pub(crate) verified: bool,
    /// `approved`, `hold`, `spam` or `trash`.
    #[serde(default = "approved")]
    pub(crate) status: String,
}

fn approved() -> String {
    "approved".into()
}

impl Review {
    /// Whether the review is shown and counted.
    pub(crate) fn is_approved(&self) -> bool {
        self.status == "approved"
    }
}

/// Checks seeded reviews: unique ids, known non-variation products, ratings 0..=5, dates in the
/// `YYYY-MM-DDTHH:MM:SS` form, a known status.
pub(crate) fn check_reviews(
    reviews: &[Review],
    is_reviewable: impl Fn(u64) -> bool,
) -> Result<(), MockError> {
    let mut ids = std::collections::HashSet::new();
    for r in reviews {
        let bad = |what: &str| {
            Err(MockError::Config(format!(
                "seed reviews: review {} {what}",
                r.id
            )))
        };
        if r.id == 0 || !ids.insert(r.id) {
            return bad("has id 0 or a duplicate id");
        }
        if !is_reviewable(r.product_id) {
            return bad("is not on a known product");
        }
        if r.rating > 5 {
            return bad("has a rating above 5");
        }
        if parse_datetime(&r.date_created).is_none() {
            return bad("has a date_created that is not YYYY-MM-DDTHH:MM:SS");
        }
        if !matches!(r.status.as_str(), "approved" | "hold" | "spam" | "trash") {
            return bad("has an unknown status");
        }
    }
    Ok(())
}

/// Seconds since 1970 of `YYYY-MM-DDTHH:MM:SS` (also with a space, fractional seconds, `Z` or a
/// `±HH:MM` offset, which is applied), as WordPress's `rest_parse_date` accepts it.
pub(crate) fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let hm = &rest[1..];
            let (oh, om) = hm.split_once(':').unwrap_or((hm.get(..2)?, hm.get(2..)?));
            let (oh, om): (i64, i64) = (oh.parse().ok()?, om.parse().ok()?);
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// WordPress `wpautop` for plain text: paragraphs in `<p>…</p>\n`, single newlines as `<br />`.
pub(crate) fn wpautop(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        out.push_str(&para.replace('\n', "<br />\n"));
        out.push_str("</p>\n");
    }
    out
}

/// PHP `ucfirst` (ASCII first letter).
pub(crate) fn ucfirst(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_like_rest_parse_date() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00"), Some(0));
        assert_eq!(parse_datetime("2024-03-10T10:00:00Z"), Some(1_710_064_800));
        assert_eq!(
            parse_datetime("2024-03-10 12:00:00+02:00"),
            Some(1_710_064_800)
        );
        assert_eq!(
            parse_datetime("2024-03-10T10:00:00.123"),
            Some(1_710_064_800)
        );
        for bad in [
            "2024-03-10",
            "yesterday",
            "2024-13-01T00:00:00",
            "2024-03-10T10:00:00x",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn autop_and_ucfirst() {
        assert_eq!(wpautop("It is okay."), "<p>It is okay.</p>\n");
        assert_eq!(wpautop("a\nb\n\nc"), "<p>a<br />\nb</p>\n<p>c</p>\n");
        assert_eq!(ucfirst("bob smith"), "Bob smith");
    }
}
