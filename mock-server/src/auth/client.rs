//! Who the client is, as CoCart ≥4.8 sees it: the IP (`get_ip_address`, trusting proxy headers
//! only from a loopback peer) and the sanitised User-Agent the JWT plugin binds tokens to.

use http::{HeaderMap, HeaderName};
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

/// Proxy headers CoCart reads, in order (`cocart_ip_headers`), before `Forwarded`.
const IP_HEADERS: [HeaderName; 7] = [
    HeaderName::from_static("x-forwarded-for"),
    HeaderName::from_static("cf-connecting-ip"),
    HeaderName::from_static("true-client-ip"),
    HeaderName::from_static("x-real-ip"),
    HeaderName::from_static("x-cluster-client-ip"),
    HeaderName::from_static("x-client-ip"),
    HeaderName::from_static("client-ip"),
];

/// Headers the plugin reads the device from; the **last** non-empty one wins.
const UA_HEADERS: [HeaderName; 8] = [
    http::header::USER_AGENT,
    HeaderName::from_static("x-operamini-phone-ua"),
    HeaderName::from_static("x-device-user-agent"),
    HeaderName::from_static("x-original-user-agent"),
    HeaderName::from_static("x-skyfire-phone"),
    HeaderName::from_static("x-bolt-phone-ua"),
    HeaderName::from_static("device-stock-ua"),
    HeaderName::from_static("x-ucbrowser-device-ua"),
];

/// Whether the TCP peer is a trusted proxy (`127.0.0.1`, `::1`, or a v4-mapped loopback).
fn is_trusted_proxy(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// A valid IP literal, trimmed, as the original text (PHP keeps the string as sent).
fn valid_ip(s: &str) -> Option<&str> {
    let s = s.trim();
    s.parse::<IpAddr>().ok().map(|_| s)
}

/// `for=` of a `Forwarded` header: `for=1.2.3.4`, `for="[2001:db8::1]:4711"`.
fn forwarded_for(value: &str) -> Option<String> {
    value
        .split([',', ';'])
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
        .and_then(|(_, v)| {
            let v = v.trim().trim_matches('"');
            let host = if let Some(rest) = v.strip_prefix('[') {
                rest.split(']').next().unwrap_or("")
            } else if v.matches(':').count() == 1 {
                v.split(':').next().unwrap_or("")
            } else {
                v
            };
            valid_ip(host).map(str::to_string)
        })
}

/// The client IP as CoCart resolves it.
pub(crate) fn client_ip(headers: &HeaderMap, peer: SocketAddr) -> String {
    let peer_ip = match peer.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        ip => ip,
    };
    if is_trusted_proxy(peer.ip()) {
        for name in &IP_HEADERS {
            if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
                let first = v.split(',').next().unwrap_or("");
                if let Some(ip) = valid_ip(first) {
                    return ip.to_string();
                }
            }
        }
        if let Some(ip) = headers
            .get(http::header::FORWARDED)
            .and_then(|v| v.to_str().ok())
            .and_then(forwarded_for)
        {
            return ip;
        }
    }
    // Sized for any IP literal, so formatting never regrows the string.
    let mut out = String::with_capacity(45);
    let _ = write!(out, "{peer_ip}");
    out
}

/// WordPress `sanitize_text_field`: invalid UTF-8 → empty, tags stripped, whitespace collapsed,
/// `%xx` octets removed, trimmed.
pub(crate) fn sanitize_text_field(raw: &[u8]) -> String {
    let Ok(s) = std::str::from_utf8(raw) else {
        return String::new();
    };
    if is_plain_text(s) {
        return s.to_string();
    }
    sanitize_str(s)
}

/// The whole of `sanitize_text_field` on valid UTF-8.
fn sanitize_str(s: &str) -> String {
    // Strip tags; a `<` that opens no tag becomes `&lt;` (wp_pre_kses_less_than).
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('<') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        match after.find('>') {
            Some(end) => rest = &after[end + 1..],
            None => {
                out.push_str("&lt;");
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    // Collapse [\r\n\t ]+ into one space.
    let mut collapsed = String::with_capacity(out.len());
    let mut in_ws = false;
    for c in out.chars() {
        if matches!(c, '\r' | '\n' | '\t' | ' ') {
            if !in_ws {
                collapsed.push(' ');
            }
            in_ws = true;
        } else {
            collapsed.push(c);
            in_ws = false;
        }
    }
    // Remove percent-encoded octets until none are left.
    let mut text = collapsed;
    loop {
        let bytes = text.as_bytes();
        let found = (0..bytes.len().saturating_sub(2)).find(|&i| {
            bytes[i] == b'%' && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()
        });
        match found {
            Some(i) => text.replace_range(i..i + 3, ""),
            None => break,
        }
    }
    text.trim().to_string()
}

/// Text that [`sanitize_text_field`] leaves as it is: no tag opener, no whitespace to collapse
/// (`\r`, `\n`, `\t`, two spaces), no `%`, nothing to trim.
fn is_plain_text(s: &str) -> bool {
    !s.bytes()
        .any(|b| matches!(b, b'<' | b'\r' | b'\n' | b'\t' | b'%'))
        && !s.contains("  ")
        && s.trim().len() == s.len()
}

/// The device string the plugin reads: the last non-empty UA-like header, sanitised.
/// `None` when the request sent no User-Agent at all.
pub(crate) fn user_agent(headers: &HeaderMap) -> Option<String> {
    let raw = UA_HEADERS
        .iter()
        .rev()
        .filter_map(|name| headers.get(name))
        .find(|v| !v.as_bytes().is_empty())?;
    let ua = sanitize_text_field(raw.as_bytes());
    (!ua.is_empty()).then_some(ua)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_trusted_only_from_loopback() {
        let h = headers(&[("x-forwarded-for", "203.0.113.5, 10.0.0.1")]);
        assert_eq!(
            client_ip(&h, "127.0.0.1:5000".parse().unwrap()),
            "203.0.113.5"
        );
        assert_eq!(
            client_ip(&h, "192.0.2.9:5000".parse().unwrap()),
            "192.0.2.9"
        );
        let bad = headers(&[
            ("x-forwarded-for", "not-an-ip"),
            ("x-real-ip", "198.51.100.1"),
        ]);
        assert_eq!(
            client_ip(&bad, "127.0.0.1:1".parse().unwrap()),
            "198.51.100.1"
        );
        let fwd = headers(&[("forwarded", "for=\"[2001:db8::1]:4711\";proto=https")]);
        assert_eq!(client_ip(&fwd, "[::1]:1".parse().unwrap()), "2001:db8::1");
    }

    #[test]
    fn the_plain_text_shortcut_changes_nothing() {
        let samples = [
            "MyApp/1.0 (iOS 17.2; iPhone) CFNetwork/1490",
            "wrk-bench/1.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
            "a b c",
            "ünïcödé ✓",
            "",
            "x",
            " lead",
            "trail ",
            "two  spaces",
            "tab\there",
            "nbsp\u{a0}inside",
            "ends\u{a0}",
            "100%",
            "a%41b",
            "x < y",
            "<b>bold</b>",
            "line\nbreak",
        ];
        for s in samples {
            assert_eq!(sanitize_text_field(s.as_bytes()), sanitize_str(s), "{s:?}");
        }
        assert!(is_plain_text("wrk-bench/1.0"));
        assert!(!is_plain_text("trail "));
        assert!(!is_plain_text("ends\u{a0}"));
    }

    #[test]
    fn sanitize_text_field_like_wordpress() {
        assert_eq!(sanitize_text_field(b"  My<b>App</b>\t 1.0  "), "MyApp 1.0");
        assert_eq!(sanitize_text_field(b"a%41b%2"), "ab%2");
        assert_eq!(sanitize_text_field(b"x < y"), "x &lt; y");
        assert_eq!(sanitize_text_field(&[0xff, 0xfe]), "");
    }

    #[test]
    fn the_last_non_empty_ua_header_wins() {
        let h = headers(&[("user-agent", "A/1"), ("x-original-user-agent", "B/2")]);
        assert_eq!(user_agent(&h).as_deref(), Some("B/2"));
        assert_eq!(user_agent(&HeaderMap::new()), None);
    }
}
