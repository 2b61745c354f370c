//! Reading the probe answers (pure functions, so each rule is unit-tested). The rules follow how
//! the JWT plugin answers each probe (the status and code differ between its v1, v2 and v3) and
//! what live stores answer when a host strips the credentials header.

use cocart::codes;

use super::probe::Answer;
use super::report::{HeaderReach, JwtPlugin};

/// What one credential-carrying probe says about the header it was sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The store read the credentials (and rejected them, as it should).
    Read,
    /// The store answered as to a guest: the credentials never arrived.
    Guest,
    /// No conclusion.
    Unclear,
}

/// A JWT-shaped bogus Bearer on validate-token: an auth error means the header was read (403 on
/// v3, 401 on v2, `bad_config` without a secret, `cocart_jwt_auth_*` on v1); 401
/// `rest_forbidden` is the guest answer.
pub fn bearer_reading(a: &Answer) -> Reading {
    match (a.status, a.code()) {
        (401 | 403, codes::AUTHENTICATION_ERROR) => Reading::Read,
        (401 | 403, c) if c.starts_with(codes::JWT_PREFIX) => Reading::Read,
        (401, codes::REST_FORBIDDEN) => Reading::Guest,
        _ => Reading::Unclear,
    }
}

/// A wrong Basic login: 401 `cocart_authentication_error` when the header arrives, 401
/// `cocart_rest_not_authorized` when it does not (or when Basic is off: production over plain
/// HTTP).
pub fn basic_reading(a: &Answer) -> Reading {
    if a.is(401, codes::AUTHENTICATION_ERROR) {
        Reading::Read
    } else if a.is(401, codes::REST_NOT_AUTHORIZED) {
        Reading::Guest
    } else {
        Reading::Unclear
    }
}

/// The JWT plugin family from the empty refresh probe and the bogus Bearer probe.
pub fn plugin(refresh: Option<&Answer>, bearer: Option<&Answer>) -> JwtPlugin {
    let code = |a: Option<&Answer>| a.map(|a| a.code().to_string()).unwrap_or_default();
    let (rc, bc) = (code(refresh), code(bearer));
    if rc == codes::JWT_BAD_CONFIG || bc == codes::JWT_BAD_CONFIG {
        return JwtPlugin::NotConfigured;
    }
    if rc == codes::JWT_MISSING_REFRESH_TOKEN {
        return JwtPlugin::V3;
    }
    if let Some(b) = bearer {
        if b.is(403, codes::AUTHENTICATION_ERROR) {
            return JwtPlugin::V3;
        }
        if b.is(401, codes::AUTHENTICATION_ERROR) {
            return JwtPlugin::V2;
        }
        if b.status == 401 && bc.starts_with(codes::JWT_PREFIX) {
            return JwtPlugin::V1;
        }
    }
    let refresh_status = refresh.map(|a| a.status);
    if refresh_status == Some(500) {
        return JwtPlugin::V2OrEarlyV3;
    }
    if rc == codes::REST_NO_ROUTE {
        return JwtPlugin::Absent;
    }
    JwtPlugin::Unknown
}

/// Whether the Authorization header reaches WordPress, from the bogus Bearer and the wrong
/// Basic login. A Bearer is validated over plain HTTP too (TLS only gates Basic), so the
/// Bearer reading decides; the Basic reading adds whether Basic login works.
pub fn header(bearer: Reading, basic: Reading, plain_http: bool) -> HeaderReach {
    match (bearer, basic) {
        (Reading::Read, Reading::Guest) if plain_http => HeaderReach::BasicRefusedOverPlainHttp,
        (Reading::Read, Reading::Guest) => HeaderReach::BasicRefused,
        (Reading::Read, _) => HeaderReach::Arrives,
        (Reading::Guest, _) => HeaderReach::Stripped,
        (Reading::Unclear, Reading::Read) => HeaderReach::Arrives,
        (Reading::Unclear, Reading::Guest) if plain_http => HeaderReach::StrippedOrPlainHttp,
        (Reading::Unclear, Reading::Guest) => HeaderReach::Stripped,
        (Reading::Unclear, Reading::Unclear) => HeaderReach::Unknown,
    }
}

/// The CoCart "Authorization Header" setting takes a server variable name: `X-CoCart-Auth` is
/// read as `HTTP_X_COCART_AUTH`.
pub fn server_variable(header: &str) -> String {
    format!(
        "HTTP_{}",
        header.trim().to_ascii_uppercase().replace('-', "_")
    )
}

/// Store clock minus device clock, from a server timestamp taken between two device readings,
/// and whether it exceeds the measuring error plus `tolerance` seconds.
pub fn skew(server: i64, device_before: i64, device_after: i64, tolerance: i64) -> (i64, bool) {
    let mid = device_before + (device_after - device_before) / 2;
    let skew = server - mid;
    let error = (device_after - device_before) / 2 + 1;
    (skew, skew.abs() > tolerance + error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ans(status: u16, code: &str) -> Answer {
        let body = if code.is_empty() {
            String::new()
        } else {
            serde_json::json!({"code": code, "data": {"status": status}}).to_string()
        };
        Answer::from_parts(status, [], body.as_bytes(), Duration::ZERO)
    }

    #[test]
    fn the_plugin_family_follows_the_routes_and_the_status_split() {
        let missing = ans(403, "cocart_jwt_auth_missing_refresh_token");
        let v3_bearer = ans(403, "cocart_authentication_error");
        let v2_bearer = ans(401, "cocart_authentication_error");
        let guest = ans(401, "rest_forbidden");
        let crash = ans(500, "internal_server_error");
        let no_route = ans(404, "rest_no_route");
        assert_eq!(plugin(Some(&missing), Some(&v3_bearer)), JwtPlugin::V3);
        assert_eq!(plugin(Some(&missing), Some(&guest)), JwtPlugin::V3);
        assert_eq!(plugin(Some(&crash), Some(&v3_bearer)), JwtPlugin::V3);
        assert_eq!(plugin(Some(&crash), Some(&v2_bearer)), JwtPlugin::V2);
        assert_eq!(plugin(Some(&crash), Some(&guest)), JwtPlugin::V2OrEarlyV3);
        assert_eq!(plugin(Some(&no_route), Some(&no_route)), JwtPlugin::Absent);
        assert_eq!(
            plugin(
                Some(&no_route),
                Some(&ans(401, "cocart_jwt_auth_not_valid"))
            ),
            JwtPlugin::V1
        );
        assert_eq!(
            plugin(
                Some(&ans(403, "cocart_jwt_auth_bad_config")),
                Some(&v3_bearer)
            ),
            JwtPlugin::NotConfigured
        );
        assert_eq!(
            plugin(Some(&ans(429, "")), Some(&ans(429, ""))),
            JwtPlugin::Unknown
        );
    }

    #[test]
    fn the_bearer_reading_decides_whether_the_header_arrives() {
        let read = bearer_reading(&ans(403, "cocart_authentication_error"));
        let guest = bearer_reading(&ans(401, "rest_forbidden"));
        assert_eq!((read, guest), (Reading::Read, Reading::Guest));
        assert_eq!(header(read, Reading::Read, false), HeaderReach::Arrives);
        assert_eq!(header(guest, Reading::Guest, false), HeaderReach::Stripped);
        assert_eq!(header(guest, Reading::Guest, true), HeaderReach::Stripped);
        assert_eq!(
            header(read, Reading::Guest, true),
            HeaderReach::BasicRefusedOverPlainHttp
        );
        assert_eq!(
            header(Reading::Unclear, Reading::Guest, true),
            HeaderReach::StrippedOrPlainHttp
        );
        assert_eq!(
            header(Reading::Unclear, Reading::Read, true),
            HeaderReach::Arrives
        );
        assert_eq!(
            header(Reading::Unclear, Reading::Unclear, false),
            HeaderReach::Unknown
        );
    }

    #[test]
    fn basic_readings_tell_arrival_from_guest() {
        assert_eq!(
            basic_reading(&ans(401, "cocart_authentication_error")),
            Reading::Read
        );
        assert_eq!(
            basic_reading(&ans(401, "cocart_rest_not_authorized")),
            Reading::Guest
        );
        assert_eq!(basic_reading(&ans(200, "")), Reading::Unclear);
    }

    #[test]
    fn header_names_map_to_server_variables_and_skew_allows_for_latency() {
        assert_eq!(server_variable("X-CoCart-Auth"), "HTTP_X_COCART_AUTH");
        assert_eq!(skew(1000, 1000, 1002, 60), (-1, false));
        assert_eq!(skew(4600, 1000, 1002, 60), (3599, true));
        assert_eq!(skew(900, 1000, 1000, 60), (-100, true));
    }
}
