//! WordPress slugs: what the catalogue, the facets and the cart all derive from names.

/// WordPress `sanitize_title` for plain names: lowercase, spaces to `-`, drop other punctuation.
pub(crate) fn sanitize_title(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}
