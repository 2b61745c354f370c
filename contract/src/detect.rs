//! What a store is, found out before the scenarios run, so that each difference can be
//! explained ("the store runs JWT plugin 2.x; your mock plays 3.x").

use serde::Serialize;

use crate::model::{Host, Plugin, Profile};
use crate::probe::{Prober, RouteStyle};

/// What detection found. `None` where a probe could not tell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Detected {
    /// `CoCart-Version` (sent by some stores only with `WP_DEBUG`).
    pub cocart_version: Option<String>,
    /// The JWT plugin generation, from how a refresh with an unknown token is refused (403 on
    /// v3, 401 on v2) and, with a session, from the token's `pat` claim.
    pub plugin: Option<Plugin>,
    /// `pretty` (`/wp-json/`) or `query` (`?rest_route=`).
    pub permalinks: Option<&'static str>,
    /// Whether an `Authorization` header reaches WordPress.
    pub authorization_reaches: Option<bool>,
    /// Whether the profile's custom auth header is read by the store.
    pub custom_header_read: Option<bool>,
    /// Whether Basic credentials are refused (a production site over plain HTTP).
    pub basic_refused: Option<bool>,
    /// `exp − iat` of the session's token.
    pub access_ttl: Option<u64>,
    /// Error bodies carry a `trace` (`WP_DEBUG` is on).
    pub debug_traces: Option<bool>,
}

/// Why a store could not be checked at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// No HTTP answer.
    #[error("cannot reach the store: {0}")]
    Unreachable(String),
    /// An answer, but not CoCart's store route.
    #[error("no CoCart store answers at this URL ({0})")]
    NotCoCart(String),
}

/// Probes the store without credentials (read-only) and sets the prober's route style.
pub async fn detect(prober: &mut Prober, profile: &Profile) -> Result<Detected, DetectError> {
    let mut d = Detected::default();
    let pretty = prober
        .store(RouteStyle::Pretty)
        .await
        .map_err(|e| DetectError::Unreachable(without_url(&e)))?;
    let store = if pretty.status == 200 && pretty.body.is_object() {
        prober.style = RouteStyle::Pretty;
        d.permalinks = Some("pretty");
        pretty
    } else {
        let query = prober
            .store(RouteStyle::Query)
            .await
            .map_err(|e| DetectError::Unreachable(without_url(&e)))?;
        if query.status == 200 && query.body.is_object() {
            prober.style = RouteStyle::Query;
            d.permalinks = Some("query");
            query
        } else {
            return Err(DetectError::NotCoCart(format!(
                "GET /wp-json/cocart/v2/store answered {}",
                pretty.describe()
            )));
        }
    };
    d.cocart_version = store.cocart_version.clone();

    if let Ok(a) = prober
        .raw(&crate::probe::Raw {
            method: "POST".into(),
            route: "cocart/jwt/refresh-token".into(),
            json: Some(format!("{{\"refresh_token\":\"{}\"}}", "0".repeat(128))),
            ..Default::default()
        })
        .await
    {
        d.plugin = match (a.status, a.code()) {
            (403, "cocart_authentication_error") => Some(Plugin::V3),
            (401, "cocart_authentication_error") => Some(Plugin::V2),
            _ => None,
        };
        d.debug_traces = Some(a.body.get("trace").is_some());
    }
    if let Ok(a) = prober.validate_bogus_bearer("authorization").await {
        d.authorization_reaches = match a.code() {
            "cocart_authentication_error" | "cocart_jwt_auth_bad_config" => Some(true),
            "rest_forbidden" => Some(false),
            _ => None,
        };
    }
    if let Host::CustomHeader(name) = &profile.host
        && let Ok(a) = prober.validate_bogus_bearer(name).await
    {
        d.custom_header_read = match a.code() {
            "cocart_authentication_error" | "cocart_jwt_auth_bad_config" => Some(true),
            "rest_forbidden" => Some(false),
            _ => None,
        };
    }
    // A login of an account that does not exist, in a JSON body (no header a host could strip).
    if let Ok(a) = prober
        .raw(&crate::probe::Raw {
            method: "POST".into(),
            route: "cocart/v2/login".into(),
            json: Some("{\"username\":\"cocart-verify-no-such-user\",\"password\":\"x\"}".into()),
            ..Default::default()
        })
        .await
    {
        d.basic_refused = match a.code() {
            "cocart_authentication_error" => Some(false),
            "cocart_rest_not_authorized" => Some(true),
            _ => None,
        };
    }
    Ok(d)
}

/// A reqwest error without its URL (the URL may carry credentials or a token in the query).
pub fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_redirect() {
        "redirect"
    } else if e.is_body() || e.is_decode() {
        "bad body"
    } else {
        "request failed"
    };
    kind.to_string()
}

impl Detected {
    /// Where the store differs from `profile`, each in words ("the store runs JWT plugin 2.x;
    /// your mock plays 3.x").
    pub fn mismatches(&self, profile: &Profile) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = self.plugin
            && p != profile.plugin
        {
            out.push(format!(
                "the store runs JWT plugin {}; your mock plays {}",
                generation(p),
                generation(profile.plugin)
            ));
        }
        if let Some(reaches) = self.authorization_reaches {
            let profile_strips = profile.host == Host::StripAuthorization;
            if reaches && profile_strips {
                out.push(
                    "the Authorization header reaches the store; your mock's host strips it".into(),
                );
            } else if !reaches && !profile_strips {
                out.push(format!(
                    "the store's host strips the Authorization header; your mock's host profile is {}",
                    profile.host
                ));
            }
        }
        if let (Some(false), Host::CustomHeader(name)) = (self.custom_header_read, &profile.host) {
            out.push(format!(
                "the store does not read the {name} header; your mock is set to read it"
            ));
        }
        if let Some(refused) = self.basic_refused
            && refused != profile.basic_refused()
        {
            out.push(if refused {
                "the store refuses Basic credentials (a production site over plain HTTP); your mock accepts them".into()
            } else {
                "the store accepts Basic credentials; your mock plays a production site over plain HTTP".into()
            });
        }
        if let Some(ttl) = self.access_ttl
            && ttl != profile.access_ttl
        {
            out.push(format!(
                "the store's tokens live {ttl} s; your mock issues tokens for {} s",
                profile.access_ttl
            ));
        }
        if let Some(v) = &self.cocart_version
            && !v.starts_with("4.9")
        {
            out.push(format!("the store runs CoCart {v}; the mock plays 4.9"));
        }
        out
    }
}

fn generation(p: Plugin) -> &'static str {
    match p {
        Plugin::V3 => "3.x",
        Plugin::V2 => "2.x",
    }
}
