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
    fn from(headers: &HeaderMap) -> Self {
        let get = |names: &[&str]| {
            names.iter().find_map(|n| {
                headers
                    .get(*n)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            })
        };
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

/// What a probe got back.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The error envelope's `code`, if the body had one.
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
        let header_map = resp.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            let room = MAX_BODY_BYTES.saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if bytes.len() >= MAX_BODY_BYTES {
                break;
            }
        }
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let code = body.get("code").and_then(Value::as_str).map(str::to_string);
        let mut headers = BTreeMap::new();
        for (name, value) in &header_map {
            if let Ok(v) = value.to_str() {
                headers
                    .entry(name.as_str().to_string())
                    .and_modify(|old: &mut String| {
                        old.push_str(", ");
                        old.push_str(v);
                    })
                    .or_insert_with(|| v.to_string());
            }
        }
        let header = |n: &str| headers.get(n).cloned();
        Ok(Answer {
            status,
            code,
            cocart_version: header("cocart-version"),
            location: header("location"),
            date: header("date").as_deref().and_then(parse_http_date),
            rate: RateHeaders::from(&header_map),
            body,
            headers,
            elapsed: started.elapsed(),
        })
    }
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix seconds.
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
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
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
