//! The raw prober: one request, one answer, as a store really sends it. Shared by
//! `cocart doctor` and `cocart-mock verify`.
//!
//! It never follows a redirect (a redirect can carry credentials to another host), reads at most
//! [`MAX_BODY_BYTES`] of a body, and times every exchange out.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::header::HeaderMap;
use serde_json::Value;
use url::Url;

/// The most of a body the prober reads; the rest is dropped.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// How REST routes are addressed on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteStyle {
    /// `/wp-json/<route>`.
    Pretty,
    /// `/?rest_route=/<route>` (plain permalinks).
    Query,
}

/// Rate-limit headers seen on an answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateHeaders {
    /// `X-RateLimit-Limit` (or `RateLimit-Limit`).
    pub limit: Option<String>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<String>,
    /// `X-RateLimit-Reset`.
    pub reset: Option<String>,
    /// `Retry-After`.
    pub retry_after: Option<String>,
}

impl RateHeaders {
    fn from(headers: &BTreeMap<String, String>) -> Self {
        let get = |names: &[&str]| names.iter().find_map(|n| headers.get(*n).cloned());
        Self {
            limit: get(&["x-ratelimit-limit", "ratelimit-limit"]),
            remaining: get(&["x-ratelimit-remaining", "ratelimit-remaining"]),
            reset: get(&["x-ratelimit-reset", "ratelimit-reset"]),
            retry_after: get(&["retry-after", "ratelimit-retry-after"]),
        }
    }

    /// Whether any rate-limit header was present.
    pub fn any(&self) -> bool {
        self.limit.is_some() || self.remaining.is_some() || self.retry_after.is_some()
    }
}

/// The shape of an error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EnvelopeKind {
    /// The REST envelope: `{"code","message","data":{"status"}}`.
    Rest,
    /// What PHP's `wp_send_json_error` sends: `{"success":false,"data":[{"code","message"}]}`
    /// (CoCart's session handler refuses forbidden cart keys this way).
    SendJsonError,
}

impl std::fmt::Display for EnvelopeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rest => "the REST error envelope",
            Self::SendJsonError => "another envelope (wp_send_json_error)",
        })
    }
}

/// An error body, whichever envelope carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// Which envelope.
    pub kind: EnvelopeKind,
    /// Its `code`.
    pub code: String,
    /// Its `message`, when it has a string one.
    pub message: Option<String>,
    /// `data.status` of a REST envelope, when it is an integer.
    pub data_status: Option<u64>,
}

impl ErrorBody {
    /// Reads an error body: a REST envelope (a string `code` at the top), or a
    /// `wp_send_json_error` one (`success: false` and a string `code` in `data[0]`).
    pub fn read(body: &Value) -> Option<Self> {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        if let Some(code) = text(body, "code") {
            return Some(Self {
                kind: EnvelopeKind::Rest,
                code,
                message: text(body, "message"),
                data_status: body.pointer("/data/status").and_then(Value::as_u64),
            });
        }
        if body.get("success") == Some(&Value::Bool(false)) {
            let first = body.pointer("/data/0")?;
            return Some(Self {
                kind: EnvelopeKind::SendJsonError,
                code: text(first, "code")?,
                message: text(first, "message"),
                data_status: None,
            });
        }
        None
    }
}

/// What a probe got back.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The error's `code`, if the body was an error envelope (REST or `wp_send_json_error`).
    pub code: Option<String>,
    /// The JSON body (`Null` when the body was not JSON).
    pub body: Value,
    /// Every header, names lowercased (repeated headers joined with `, `).
    pub headers: BTreeMap<String, String>,
    /// `CoCart-Version`.
    pub cocart_version: Option<String>,
    /// `Location` on a redirect.
    pub location: Option<String>,
    /// The `Date` header as Unix seconds.
    pub date: Option<i64>,
    /// Rate-limit headers.
    pub rate: RateHeaders,
    /// How long the exchange took.
    pub elapsed: Duration,
}

impl Answer {
    /// An answer from what came over the wire: the status, the headers (names in any case;
    /// values that are not visible ASCII are left out), at most [`MAX_BODY_BYTES`] of the body
    /// (the rest is ignored) and how long the exchange took. Never fails: a body that is not
    /// JSON is `Null`, a `Date` that does not parse is `None`.
    pub fn from_parts<'a>(
        status: u16,
        headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        body: &[u8],
        elapsed: Duration,
    ) -> Self {
        let body = &body[..body.len().min(MAX_BODY_BYTES)];
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let code = ErrorBody::read(&body).map(|e| e.code);
        let mut map = BTreeMap::new();
        for (name, value) in headers {
            if let Ok(v) = std::str::from_utf8(value)
                && v.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
            {
                map.entry(name.to_ascii_lowercase())
                    .and_modify(|old: &mut String| {
                        old.push_str(", ");
                        old.push_str(v);
                    })
                    .or_insert_with(|| v.to_string());
            }
        }
        let header = |n: &str| map.get(n).cloned();
        Self {
            status,
            code,
            cocart_version: header("cocart-version"),
            location: header("location"),
            date: header("date").as_deref().and_then(parse_http_date),
            rate: RateHeaders::from(&map),
            body,
            headers: map,
            elapsed,
        }
    }

    /// The error body, whichever envelope carried it.
    pub fn error(&self) -> Option<ErrorBody> {
        ErrorBody::read(&self.body)
    }

    /// Whether the answer is this status and error code.
    pub fn is(&self, status: u16, code: &str) -> bool {
        self.status == status && self.code.as_deref() == Some(code)
    }

    /// The error code, or `""`.
    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or("")
    }

    /// `HTTP 403 cocart_authentication_error` style text.
    pub fn describe(&self) -> String {
        match &self.code {
            Some(c) => format!("HTTP {} {c}", self.status),
            None => format!("HTTP {}", self.status),
        }
    }

    /// A header by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// One request, built by the caller.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Raw {
    /// `GET`, `POST` …
    pub method: String,
    /// The REST route, e.g. `cocart/v2/store`.
    pub route: String,
    /// Query pairs.
    pub query: Vec<(String, String)>,
    /// Headers (a `User-Agent` here replaces the prober's).
    pub headers: Vec<(String, String)>,
    /// A JSON body.
    pub json: Option<String>,
    /// Send no `User-Agent`.
    pub no_user_agent: bool,
}

/// Sends probes to one site.
#[derive(Debug, Clone)]
pub struct Prober {
    http: reqwest::Client,
    bare: reqwest::Client,
    site: Url,
    user_agent: String,
    /// The route style in use (switched to `Query` when only `?rest_route=` works).
    pub style: RouteStyle,
}

/// A JWT-shaped token that no store accepts: an expired payload with a made-up signature. It
/// matches the plugin's Bearer pattern, so a store that receives it must reject it.
pub const BOGUS_JWT: &str = concat!(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
    // {"iss":"cocart-doctor","iat":1,"exp":2,"data":{"user":{"id":0}}}
    "eyJpc3MiOiJjb2NhcnQtZG9jdG9yIiwiaWF0IjoxLCJleHAiOjIsImRhdGEiOnsidXNlciI6eyJpZCI6MH19fQ.",
    "Y29jYXJ0LWRvY3Rvci1wcm9iZQ"
);

impl Prober {
    /// A prober for the site root `site`, sending `user_agent` on every request.
    pub fn new(site: Url, timeout: Duration, user_agent: &str) -> Result<Self, String> {
        let build = |ua: Option<&str>| {
            let mut b = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(10)));
            if let Some(ua) = ua {
                b = b.user_agent(ua.to_string());
            }
            b.build()
                .map_err(|e| format!("cannot build an HTTP client: {e}"))
        };
        Ok(Self {
            http: build(Some(user_agent))?,
            bare: build(None)?,
            site,
            user_agent: user_agent.to_string(),
            style: RouteStyle::Pretty,
        })
    }

    /// The site root.
    pub fn site(&self) -> &Url {
        &self.site
    }

    /// The User-Agent sent by default.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The URL of a REST route in the current style.
    pub fn url(&self, route: &str) -> Url {
        self.url_in(route, self.style)
    }

    /// The URL of a REST route in `style`.
    pub fn url_in(&self, route: &str, style: RouteStyle) -> Url {
        let mut url = self.site.clone();
        let base = url.path().trim_end_matches('/').to_string();
        match style {
            RouteStyle::Pretty => url.set_path(&format!("{base}/wp-json/{route}")),
            RouteStyle::Query => {
                url.set_path(&format!("{base}/"));
                url.query_pairs_mut()
                    .append_pair("rest_route", &format!("/{route}"));
            }
        }
        url
    }

    /// Sends a request built by the caller.
    pub async fn raw(&self, req: &Raw) -> Result<Answer, reqwest::Error> {
        let mut url = self.url(&req.route);
        if !req.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &req.query {
                pairs.append_pair(k, v);
            }
        }
        let client = if req.no_user_agent {
            &self.bare
        } else {
            &self.http
        };
        let method =
            reqwest::Method::from_bytes(req.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut builder = client.request(method, url);
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(json) = &req.json {
            builder = builder
                .header("content-type", "application/json")
                .body(json.clone());
        }
        self.send(builder).await
    }

    /// `GET /cocart/v2/store` in `style`.
    pub async fn store(&self, style: RouteStyle) -> Result<Answer, reqwest::Error> {
        self.send(self.http.get(self.url_in("cocart/v2/store", style)))
            .await
    }

    /// `POST /cocart/jwt/refresh-token` with `{}` and no credentials.
    pub async fn refresh_without_token(&self) -> Result<Answer, reqwest::Error> {
        self.send(
            self.http
                .post(self.url("cocart/jwt/refresh-token"))
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await
    }

    /// `POST /cocart/jwt/validate-token` with `header: Bearer <bogus JWT>`.
    pub async fn validate_bogus_bearer(&self, header: &str) -> Result<Answer, reqwest::Error> {
        self.send(
            self.http
                .post(self.url("cocart/jwt/validate-token"))
                .header(header, format!("Bearer {BOGUS_JWT}")),
        )
        .await
    }

    /// `POST /cocart/v2/login` with Basic credentials of an account that does not exist.
    pub async fn login_wrong_basic(&self, header: &str) -> Result<Answer, reqwest::Error> {
        let nonce = format!(
            "{:x}{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        let user = format!("cocart-doctor-probe-{nonce}");
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:x-{nonce}"));
        self.send(
            self.http
                .post(self.url("cocart/v2/login"))
                .header(header, format!("Basic {basic}")),
        )
        .await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
        let started = Instant::now();
        let mut resp = req.send().await?;
        let status = resp.status().as_u16();
        let header_map: HeaderMap = resp.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            let room = MAX_BODY_BYTES.saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if bytes.len() >= MAX_BODY_BYTES {
                break;
            }
        }
        let headers = header_map
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()));
        Ok(Answer::from_parts(
            status,
            headers,
            &bytes,
            started.elapsed(),
        ))
    }
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix seconds. `None` for
/// anything else, including a year outside 1..=9999 or a field out of range, so no arithmetic
/// on a store's header can overflow.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut parts = s.split_whitespace().skip(1);
    let day: i64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    let in_range = (1..=9999).contains(&year)
        && (1..=31).contains(&day)
        && (0..=23).contains(&h)
        && (0..=59).contains(&m)
        && (0..=60).contains(&sec);
    if !in_range || hms.next().is_some() {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (year 1..=9999, so it cannot overflow).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("yesterday"), None);
        // Years and fields out of range are refused, not overflowed.
        assert_eq!(
            parse_http_date("Sun, 06 Nov 99999999999999999 08:49:37 GMT"),
            None
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 0 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 99 Nov 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:99:37 GMT"), None);
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(253_402_300_799)
        );
    }

    #[test]
    fn both_error_envelopes_are_read() {
        let rest = serde_json::json!({"code": "x", "message": "m", "data": {"status": 403}});
        let e = ErrorBody::read(&rest).unwrap();
        assert_eq!(
            (e.kind, e.code.as_str(), e.message.as_deref(), e.data_status),
            (EnvelopeKind::Rest, "x", Some("m"), Some(403))
        );
        let other = serde_json::json!({"success": false, "data": [{"code": "y", "message": "n"}]});
        let e = ErrorBody::read(&other).unwrap();
        assert_eq!(
            (e.kind, e.code.as_str(), e.message.as_deref(), e.data_status),
            (EnvelopeKind::SendJsonError, "y", Some("n"), None)
        );
        assert_eq!(
            ErrorBody::read(&serde_json::json!({"success": true, "data": [{"code": "y"}]})),
            None
        );
        assert_eq!(ErrorBody::read(&serde_json::json!([1, 2])), None);
    }

    #[test]
    fn answers_are_built_from_raw_parts() {
        let a = Answer::from_parts(
            403,
            [
                ("Date", &b"Thu, 01 Jan 1970 00:00:10 GMT"[..]),
                ("X-RateLimit-Limit", b"10"),
                ("X-Dup", b"a"),
                ("x-dup", b"b"),
                ("X-Bad", b"\xff\x00"),
            ],
            br#"{"success":false,"data":[{"code":"c","message":"m"}]}"#,
            Duration::ZERO,
        );
        assert_eq!(a.code.as_deref(), Some("c"));
        assert_eq!(a.date, Some(10));
        assert_eq!(a.rate.limit.as_deref(), Some("10"));
        assert_eq!(a.header("X-Dup"), Some("a, b"));
        assert_eq!(a.header("x-bad"), None);
        let junk = Answer::from_parts(200, [], b"\xff{not json", Duration::ZERO);
        assert_eq!((junk.body.clone(), junk.code.clone()), (Value::Null, None));
    }

    #[test]
    fn the_bogus_token_is_jwt_shaped_and_expired() {
        let parts: Vec<&str> = BOGUS_JWT.split('.').collect();
        assert_eq!(parts.len(), 3);
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap();
        let v: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(v["exp"], 2);
        assert!(crate::matcher::is_jwt_shaped(BOGUS_JWT));
    }

    #[test]
    fn route_urls_follow_the_style() {
        let p = Prober::new(
            Url::parse("https://shop.example/store/").unwrap(),
            Duration::from_secs(5),
            "test/1",
        )
        .unwrap();
        assert_eq!(
            p.url("cocart/v2/store").as_str(),
            "https://shop.example/store/wp-json/cocart/v2/store"
        );
        assert_eq!(
            p.url_in("cocart/v2/store", RouteStyle::Query).as_str(),
            "https://shop.example/store/?rest_route=%2Fcocart%2Fv2%2Fstore"
        );
    }
}
