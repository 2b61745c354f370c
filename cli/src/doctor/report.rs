//! The doctor's structured report, and how it prints.

use std::fmt::Write as _;

use serde_json::{Value, json};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// ✓ fine.
    Pass,
    /// ! works, but worth knowing or fixing.
    Warn,
    /// ✗ broken: apps will fail until it is fixed.
    Fail,
    /// - not run (an earlier check failed, or no credentials were given).
    Skip,
}

impl Status {
    /// The checklist mark.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Skip => "-",
        }
    }

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// Which check a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckId {
    /// The site answers HTTP at all.
    Reachable,
    /// HTTPS, or why plain HTTP is a problem.
    Https,
    /// CoCart's routes answer.
    CoCart,
    /// The JWT plugin is there, configured, and which family.
    JwtPlugin,
    /// The `Authorization` header reaches WordPress.
    AuthorizationHeader,
    /// The custom auth header (`--auth-header`) reaches WordPress.
    CustomAuthHeader,
    /// A real login (with `--username`).
    Login,
    /// The store accepts the token it just issued.
    Token,
    /// A refresh rotates the pair.
    Refresh,
    /// The store's clock against this device's.
    Clock,
    /// Rate limiting on the JWT routes.
    RateLimit,
}

impl CheckId {
    /// The JSON id.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Reachable => "reachable",
            CheckId::Https => "https",
            CheckId::CoCart => "cocart",
            CheckId::JwtPlugin => "jwt_plugin",
            CheckId::AuthorizationHeader => "authorization_header",
            CheckId::CustomAuthHeader => "custom_auth_header",
            CheckId::Login => "login",
            CheckId::Token => "token",
            CheckId::Refresh => "refresh",
            CheckId::Clock => "clock",
            CheckId::RateLimit => "rate_limit",
        }
    }

    /// The checklist title.
    pub fn title(self) -> &'static str {
        match self {
            CheckId::Reachable => "Reachable",
            CheckId::Https => "HTTPS",
            CheckId::CoCart => "CoCart",
            CheckId::JwtPlugin => "JWT plugin",
            CheckId::AuthorizationHeader => "Authorization header",
            CheckId::CustomAuthHeader => "Custom auth header",
            CheckId::Login => "Login",
            CheckId::Token => "Token accepted",
            CheckId::Refresh => "Refresh",
            CheckId::Clock => "Clock",
            CheckId::RateLimit => "Rate limiting",
        }
    }
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// Its outcome.
    pub status: Status,
    /// What was seen.
    pub detail: String,
    /// What to do, one step per entry.
    pub fix: Vec<String>,
}

impl Check {
    /// A check without fixes.
    pub fn new(id: CheckId, status: Status, detail: impl Into<String>) -> Self {
        Self {
            id,
            status,
            detail: detail.into(),
            fix: Vec::new(),
        }
    }

    /// Adds fix steps.
    pub fn fixes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, steps: I) -> Self {
        self.fix.extend(steps.into_iter().map(Into::into));
        self
    }
}

/// Which JWT plugin the store runs, as far as the probes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtPlugin {
    /// CoCart JWT Authentication 3.x (403 errors, per-device sessions).
    V3,
    /// 2.x (401 errors).
    V2,
    /// 2.x or 3.0.0–3.0.1: the refresh route crashes on an empty token and the Bearer probe
    /// could not tell (header stripped).
    V2OrEarlyV3,
    /// 1.x: not supported by the SDK.
    V1,
    /// Installed, but without `COCART_JWT_AUTH_SECRET_KEY`.
    NotConfigured,
    /// No JWT routes.
    Absent,
    /// The probes did not tell.
    Unknown,
}

impl JwtPlugin {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            JwtPlugin::V3 => "v3",
            JwtPlugin::V2 => "v2",
            JwtPlugin::V2OrEarlyV3 => "v2_or_early_v3",
            JwtPlugin::V1 => "v1",
            JwtPlugin::NotConfigured => "not_configured",
            JwtPlugin::Absent => "absent",
            JwtPlugin::Unknown => "unknown",
        }
    }
}

/// Whether the `Authorization` header reaches WordPress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderReach {
    /// It arrives: Basic and Bearer are both read.
    Arrives,
    /// The host strips it: credentials are answered as a guest.
    Stripped,
    /// Basic login is answered as a guest and no Bearer probe could tell why: the header is
    /// stripped, or this is a production site over plain HTTP (both look the same).
    StrippedOrPlainHttp,
    /// The header arrives (a Bearer is read), but Basic login is refused because the site is a
    /// production site over plain HTTP.
    BasicRefusedOverPlainHttp,
    /// The header arrives, but Basic login is answered as a guest over HTTPS (a security plugin
    /// or the host blocks Basic authentication).
    BasicRefused,
    /// The probes did not tell (rate limited, odd answers).
    Unknown,
}

impl HeaderReach {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            HeaderReach::Arrives => "arrives",
            HeaderReach::Stripped => "stripped",
            HeaderReach::StrippedOrPlainHttp => "stripped_or_plain_http_production",
            HeaderReach::BasicRefusedOverPlainHttp => "basic_refused_over_plain_http",
            HeaderReach::BasicRefused => "basic_refused",
            HeaderReach::Unknown => "unknown",
        }
    }
}

/// Everything the doctor found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorReport {
    /// The store URL as given.
    pub store_url: String,
    /// The checklist, in order.
    pub checks: Vec<Check>,
    /// The JWT plugin family (`None` when not probed).
    pub jwt_plugin: Option<JwtPlugin>,
    /// Whether the Authorization header arrives (`None` when not probed).
    pub authorization_header: Option<HeaderReach>,
    /// `CoCart-Version`, when the store sent it.
    pub cocart_version: Option<String>,
    /// Store clock minus device clock, in seconds (from the token's `iat`, else `Date`).
    pub clock_skew_seconds: Option<i64>,
    /// Whether any probe was answered 429.
    pub rate_limited: bool,
    /// How many validate-token calls the doctor made (at most 3).
    pub validate_calls: u32,
}

impl DoctorReport {
    /// The check with this id.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The status of a check (`Skip` when absent).
    pub fn status(&self, id: CheckId) -> Status {
        self.check(id).map(|c| c.status).unwrap_or(Status::Skip)
    }

    /// How many ✗ lines.
    pub fn problems(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count()
    }

    /// How many ! lines.
    pub fn warnings(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.status == Status::Warn)
            .count()
    }

    /// No ✗ line.
    pub fn ok(&self) -> bool {
        self.problems() == 0
    }

    /// The closing line.
    pub fn summary(&self) -> String {
        let (p, w) = (self.problems(), self.warnings());
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if p == 0 && w == 0 {
            "All checks passed: apps can log in and stay logged in.".to_string()
        } else if p == 0 {
            format!(
                "No problems, {}: read the ! lines above.",
                plural(w, "warning", "warnings")
            )
        } else {
            format!(
                "{}, {}. Fix the ✗ lines above, then run `cocart doctor` again.",
                plural(p, "problem", "problems"),
                plural(w, "warning", "warnings")
            )
        }
    }

    /// The JSON form (`--json`).
    pub fn to_json(&self) -> Value {
        json!({
            "store_url": self.store_url,
            "ok": self.ok(),
            "problems": self.problems(),
            "warnings": self.warnings(),
            "jwt_plugin": self.jwt_plugin.map(JwtPlugin::as_str),
            "authorization_header": self.authorization_header.map(HeaderReach::as_str),
            "cocart_version": self.cocart_version,
            "clock_skew_seconds": self.clock_skew_seconds,
            "rate_limited": self.rate_limited,
            "validate_calls": self.validate_calls,
            "checks": self.checks.iter().map(|c| json!({
                "id": c.id.as_str(),
                "status": c.status.as_str(),
                "title": c.id.title(),
                "detail": c.detail,
                "fix": c.fix,
            })).collect::<Vec<_>>(),
            "summary": self.summary(),
        })
    }

    /// The checklist as text.
    pub fn to_text(&self) -> String {
        let mut out = format!("cocart doctor: {}\n\n", self.store_url);
        for c in &self.checks {
            let _ = writeln!(out, "{} {:<21} {}", c.status.mark(), c.id.title(), c.detail);
            for step in &c.fix {
                let _ = writeln!(out, "      fix: {step}");
            }
        }
        let _ = writeln!(out, "\n{}", self.summary());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(statuses: &[Status]) -> DoctorReport {
        DoctorReport {
            store_url: "https://shop.example".into(),
            checks: statuses
                .iter()
                .map(|s| Check::new(CheckId::Reachable, *s, "x").fixes(["do this"]))
                .collect(),
            jwt_plugin: Some(JwtPlugin::V3),
            authorization_header: None,
            cocart_version: None,
            clock_skew_seconds: None,
            rate_limited: false,
            validate_calls: 1,
        }
    }

    #[test]
    fn the_summary_counts_problems_and_warnings() {
        assert!(
            report(&[Status::Pass])
                .summary()
                .starts_with("All checks passed")
        );
        let r = report(&[Status::Fail, Status::Warn, Status::Fail]);
        assert!(!r.ok());
        assert_eq!(
            r.summary(),
            "2 problems, 1 warning. Fix the ✗ lines above, then run `cocart doctor` again."
        );
        assert!(r.to_text().contains("✗ Reachable"));
        assert!(r.to_text().contains("      fix: do this"));
        assert_eq!(r.to_json()["checks"][1]["status"], "warn");
        assert_eq!(r.to_json()["jwt_plugin"], "v3");
    }
}
