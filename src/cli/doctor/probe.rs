//! Raw HTTP probes. The SDK deliberately offers no way to send a malformed credential, so the
//! doctor talks to the store with `reqwest` directly: each probe is one request whose answer
//! (status + error code) tells something about the site.

use std::time::{Duration, Instant};

use base64::Engine as _;
use cocart::RestStyle;
use cocart::codes::routes;
use reqwest::header::HeaderMap;
use serde_json::Value;
use url::Url;

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
}

/// Sends the probes to one site.
#[derive(Debug, Clone)]
pub struct Prober {
    http: reqwest::Client,
    site: Url,
    /// The route style in use (switched to `Query` when only `?rest_route=` works).
    pub style: RestStyle,
}

/// A JWT-shaped token that no store accepts: an expired payload with a made-up signature. It
/// matches the plugin's Bearer regex, so a store that receives it must reject it.
pub const BOGUS_JWT: &str = concat!(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
    // {"iss":"cocart-doctor","iat":1,"exp":2,"data":{"user":{"id":0}}}
    "eyJpc3MiOiJjb2NhcnQtZG9jdG9yIiwiaWF0IjoxLCJleHAiOjIsImRhdGEiOnsidXNlciI6eyJpZCI6MH19fQ.",
    "Y29jYXJ0LWRvY3Rvci1wcm9iZQ"
);

impl Prober {
    /// A prober for the site root `site`.
    pub fn new(site: Url, timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("cocart-doctor/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Self {
            http,
            site,
            style: RestStyle::Pretty,
        })
    }

    /// The URL of a REST route in the current style.
    pub fn url(&self, route: &str) -> Url {
        self.url_in(route, self.style)
    }

    /// The URL of a REST route in `style`.
    pub fn url_in(&self, route: &str, style: RestStyle) -> Url {
        routes::url(&self.site, style, route)
    }

    /// `GET /cocart/v2/store` in `style`.
    pub async fn store(&self, style: RestStyle) -> Result<Answer, reqwest::Error> {
        self.send(self.http.get(self.url_in(routes::STORE, style)))
            .await
    }

    /// `POST /cocart/jwt/refresh-token` with `{}` and no credentials.
    pub async fn refresh_without_token(&self) -> Result<Answer, reqwest::Error> {
        self.send(
            self.http
                .post(self.url(routes::REFRESH_TOKEN))
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await
    }

    /// `POST /cocart/jwt/validate-token` with `header: Bearer <bogus JWT>`.
    pub async fn validate_bogus_bearer(&self, header: &str) -> Result<Answer, reqwest::Error> {
        self.send(
            self.http
                .post(self.url(routes::VALIDATE_TOKEN))
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
                .post(self.url(routes::LOGIN))
                .header(header, format!("Basic {basic}")),
        )
        .await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
        let started = Instant::now();
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await?;
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let code = body.get("code").and_then(Value::as_str).map(str::to_string);
        let header = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Ok(Answer {
            status,
            code,
            body,
            cocart_version: header("cocart-version"),
            location: header("location"),
            date: header("date").as_deref().and_then(parse_http_date),
            rate: RateHeaders::from(&headers),
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
        assert!(
            BOGUS_JWT
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=.".contains(c))
        );
    }

    #[test]
    fn route_urls_follow_the_style() {
        let p = Prober::new(
            Url::parse("https://shop.example/store/").unwrap(),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(
            p.url("cocart/v2/store").as_str(),
            "https://shop.example/store/wp-json/cocart/v2/store"
        );
        assert_eq!(
            p.url_in("cocart/v2/store", RestStyle::QueryParam).as_str(),
            "https://shop.example/store/?rest_route=%2Fcocart%2Fv2%2Fstore"
        );
    }
}
