//! `cocart doctor`: diagnoses a store step by step and says what to fix.
//!
//! [`diagnose`] returns a structured [`DoctorReport`] (tests call it directly); the command
//! prints it as a ✓ / ! / ✗ checklist or as JSON and exits 5 when something is broken.
//!
//! Without an account it needs only public probes: the store route, an empty refresh (which
//! JWT plugin answers it, and how), a JWT-shaped bogus Bearer on validate-token (403 on v3, 401
//! on v2, a guest answer when the header never arrives) and a deliberately wrong Basic login
//! (401 `cocart_authentication_error` when the header arrives, 401 `cocart_rest_not_authorized`
//! when it is stripped or Basic is off). With `--username` it also logs in through the SDK,
//! checks the token, a refresh and the clock. It makes at most 3 validate-token calls (stores
//! with rate limiting allow 2 a minute) and never logs out (on v3 that would end every session
//! of the account).

mod analysis;
mod login;
pub mod probe;
pub mod report;

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

pub use report::{Check, CheckId, DoctorReport, HeaderReach, JwtPlugin, Status};

use self::analysis::Reading;
use self::probe::{Answer, Prober, RouteStyle};
use super::args::{DoctorArgs, GlobalArgs};
use super::exit::Outcome;
use super::exit::{Exit, Failure};
use super::password;

/// An account to log in with.
#[derive(Clone)]
pub struct Credentials {
    /// Username or email.
    pub username: String,
    /// The password.
    pub password: SecretString,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// What to diagnose, and how.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// The store's site root.
    pub store_url: String,
    /// Log in with this account too.
    pub credentials: Option<Credentials>,
    /// Also check this custom auth header (CoCart's "Authorization Header" setting), and log in
    /// with it.
    pub auth_header: Option<String>,
    /// Allow the login over plain HTTP to a host that is not loopback.
    pub allow_insecure_http: bool,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl DoctorOptions {
    /// Options for `store_url` without an account.
    pub fn new(store_url: impl Into<String>) -> Self {
        Self {
            store_url: store_url.into(),
            credentials: None,
            auth_header: None,
            allow_insecure_http: false,
            timeout: Duration::from_secs(15),
        }
    }

    /// Adds an account to log in with.
    pub fn login(mut self, username: &str, password: &str) -> Self {
        self.credentials = Some(Credentials {
            username: username.to_string(),
            password: SecretString::from(password.to_string()),
        });
        self
    }

    /// Adds a custom auth header to check and use.
    pub fn auth_header(mut self, name: &str) -> Self {
        self.auth_header = Some(name.to_string());
        self
    }
}

/// The steps to make the credentials reach WordPress when the host strips `Authorization`.
pub fn stripped_header_fixes() -> Vec<String> {
    vec![
        "Apache: add to .htaccess, before the WordPress block: RewriteEngine On + RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]".into(),
        "or (Apache / WP Engine): SetEnvIf Authorization \"(.*)\" HTTP_AUTHORIZATION=$1".into(),
        "or, where the host cannot be changed: set CoCart 4.9+'s \"Authorization Header\" setting to a custom header's server variable (e.g. HTTP_X_COCART_AUTH) and build the SDK client with .auth_header_name(\"X-CoCart-Auth\") (cocart CLI: --auth-header X-CoCart-Auth)".into(),
    ]
}

/// Records what the probes saw about rate limiting.
#[derive(Debug, Default)]
struct RateSeen {
    limited: Vec<(String, Answer)>,
    headers: Option<Answer>,
    sdk_retry_after: Option<Option<Duration>>,
}

impl RateSeen {
    fn note(&mut self, route: &str, a: &Answer) {
        if a.status == 429 {
            self.limited.push((route.to_string(), a.clone()));
        } else if a.rate.any() && self.headers.is_none() {
            self.headers = Some(a.clone());
        }
    }
}

fn describe_error(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The site root as the SDK reads it: a URL holding the REST root
/// (`https://shop.example/wp-json/cocart/v2/`) is taken apart into its site root.
fn parse_site(raw: &str) -> Result<Url, String> {
    cocart::StoreAddress::parse(raw)
        .map(|a| a.site)
        .map_err(|e| match e {
            cocart::Error::Config(msg) => msg,
            other => other.to_string(),
        })
}

fn https_check(site: &Url) -> Check {
    if site.scheme() == "https" {
        Check::new(
            CheckId::Https,
            Status::Pass,
            "the store is served over HTTPS",
        )
    } else if cocart::is_loopback(site) {
        Check::new(
            CheckId::Https,
            Status::Pass,
            "plain HTTP on a loopback address: fine for development",
        )
    } else {
        Check::new(
            CheckId::Https,
            Status::Warn,
            "plain HTTP: passwords and tokens travel in clear text, a production WordPress refuses Basic login over HTTP (401 cocart_rest_not_authorized), and the SDK only sends credentials here with allow_insecure_http(true)",
        )
        .fixes(["serve the store over HTTPS and use the https:// URL"])
    }
}

fn skip_from(r: &mut DoctorReport, ids: &[CheckId], why: &str) {
    for id in ids {
        r.checks.push(Check::new(*id, Status::Skip, why));
    }
}

fn now() -> i64 {
    cocart::clock::Clock::now(&cocart::clock::SystemClock)
}

/// Where the clock skew was measured: seconds, whether it is too large, and from what.
type Skew = (i64, bool, &'static str);

/// Runs every check against the store and returns the report.
pub async fn diagnose(opts: &DoctorOptions) -> DoctorReport {
    let mut r = DoctorReport {
        store_url: opts.store_url.clone(),
        checks: Vec::new(),
        jwt_plugin: None,
        authorization_header: None,
        cocart_version: None,
        clock_skew_seconds: None,
        rate_limited: false,
        validate_calls: 0,
    };
    let later = later_checks(opts);
    let Some((site, mut prober, store, date_skew)) = reach(opts, &mut r, &later).await else {
        return r;
    };
    let mut rate = RateSeen::default();

    // 2. CoCart.
    let cocart = cocart_check(&mut prober, &store).await;
    let cocart_ok = cocart.status != Status::Fail;
    r.cocart_version = cocart_version(&store);
    r.checks.push(cocart);
    if !cocart_ok {
        skip_from(&mut r, &later[2..], "skipped: CoCart does not answer");
        return r;
    }

    // 3. The JWT plugin: empty refresh + bogus Bearer.
    let bearer = check_jwt_plugin(&mut prober, &mut r, &mut rate).await;

    // 4. Does the Authorization header arrive? And the custom header?
    check_headers(&mut prober, opts, &site, bearer.as_ref(), &mut r, &mut rate).await;

    // 5. A real login, with credentials.
    let mut skew = date_skew.map(|(s, big)| (s, big, "the HTTP Date header"));
    if let Some(creds) = &opts.credentials {
        let found = login::run(opts, creds, probe::rest_style(prober.style), &mut r).await;
        if let Some(retry) = found.rate_limited {
            rate.sdk_retry_after = Some(retry);
        }
        if let Some(s) = found.skew {
            skew = Some((s.0, s.1, "the token's iat"));
        }
    }

    // 6. Clock.
    let clock = clock_check(skew, &mut r);
    r.checks.push(clock);

    // 7. Rate limiting.
    r.checks.push(rate_check(&rate, r.validate_calls));
    r.rate_limited = !rate.limited.is_empty() || rate.sdk_retry_after.is_some();
    r
}

/// The checks after "reachable", in the order of the report (skipped together when the doctor
/// stops early).
fn later_checks(opts: &DoctorOptions) -> Vec<CheckId> {
    let mut later = vec![
        CheckId::Https,
        CheckId::CoCart,
        CheckId::JwtPlugin,
        CheckId::AuthorizationHeader,
    ];
    if opts.auth_header.is_some() {
        later.push(CheckId::CustomAuthHeader);
    }
    if opts.credentials.is_some() {
        later.extend([CheckId::Login, CheckId::Token, CheckId::Refresh]);
    }
    later.extend([CheckId::Clock, CheckId::RateLimit]);
    later
}

/// Step 1, reachable (and HTTPS): the site root read, the store route asked. `None` when the doctor
/// stops here (the checks after it are recorded as skipped); else the site, the prober, the
/// store route's answer and the skew its `Date` header shows.
async fn reach(
    opts: &DoctorOptions,
    r: &mut DoctorReport,
    later: &[CheckId],
) -> Option<(Url, Prober, Answer, Option<(i64, bool)>)> {
    let site = match parse_site(&opts.store_url) {
        Ok(s) => s,
        Err(msg) => {
            r.checks.push(
                Check::new(CheckId::Reachable, Status::Fail, msg)
                    .fixes(["give the site root, e.g. https://shop.example"]),
            );
            skip_from(r, later, "skipped: no valid store URL");
            return None;
        }
    };
    let prober = match probe::prober(site.clone(), opts.timeout) {
        Ok(p) => p,
        Err(msg) => {
            r.checks
                .push(Check::new(CheckId::Reachable, Status::Fail, msg));
            skip_from(r, later, "skipped");
            return None;
        }
    };
    let t0 = now();
    let store = prober.store(RouteStyle::Pretty).await;
    let t1 = now();
    let store = match store {
        Ok(a) => a,
        Err(e) => {
            r.checks.push(
                Check::new(
                    CheckId::Reachable,
                    Status::Fail,
                    format!("no answer from {}: {}", site.as_str(), describe_error(&e)),
                )
                .fixes(["check the URL, DNS and that the site is up (try it in a browser)"]),
            );
            r.checks.push(https_check(&site));
            skip_from(r, &later[2..], "skipped: the store is not reachable");
            return None;
        }
    };
    if (300..400).contains(&store.status) {
        let to = store.location.clone().unwrap_or_else(|| "elsewhere".into());
        r.checks.push(
            Check::new(
                CheckId::Reachable,
                Status::Fail,
                format!("the store route redirects (HTTP {}) to {to}", store.status),
            )
            .fixes(["use the address it redirects to as the store URL: the SDK does not follow redirects (a redirected POST loses its body and credentials)"]),
        );
        r.checks.push(https_check(&site));
        skip_from(r, &later[2..], "skipped: the store URL redirects");
        return None;
    }
    r.checks.push(Check::new(
        CheckId::Reachable,
        Status::Pass,
        format!(
            "the store answered (HTTP {}) in {} ms",
            store.status,
            store.elapsed.as_millis()
        ),
    ));
    r.checks.push(https_check(&site));
    let date_skew = store.date.map(|d| analysis::skew(d, t0, t1, 60));
    Some((site, prober, store, date_skew))
}

/// Step 3: which JWT plugin answers: an empty refresh and a bogus Bearer. Returns the Bearer's
/// answer, which the header check reads too.
async fn check_jwt_plugin(
    prober: &mut Prober,
    r: &mut DoctorReport,
    rate: &mut RateSeen,
) -> Option<Answer> {
    let refresh = prober.refresh_without_token().await.ok();
    if let Some(a) = &refresh {
        rate.note("refresh-token", a);
    }
    let bearer = prober.validate_bogus_bearer("authorization").await.ok();
    r.validate_calls += 1;
    if let Some(a) = &bearer {
        rate.note("validate-token", a);
    }
    let plugin = analysis::plugin(refresh.as_ref(), bearer.as_ref());
    r.jwt_plugin = Some(plugin);
    r.checks
        .push(plugin_check(plugin, refresh.as_ref(), bearer.as_ref()));
    bearer
}

/// Step 4: whether the Authorization header reaches WordPress (the Bearer's answer and a wrong
/// Basic login), and the custom auth header when one is given.
async fn check_headers(
    prober: &mut Prober,
    opts: &DoctorOptions,
    site: &Url,
    bearer: Option<&Answer>,
    r: &mut DoctorReport,
    rate: &mut RateSeen,
) {
    let basic = prober.login_wrong_basic("authorization").await.ok();
    let bearer_read = bearer
        .map(analysis::bearer_reading)
        .unwrap_or(Reading::Unclear);
    let basic_read = basic
        .as_ref()
        .map(analysis::basic_reading)
        .unwrap_or(Reading::Unclear);
    let reach = analysis::header(bearer_read, basic_read, site.scheme() == "http");
    r.authorization_header = Some(reach);
    let custom = match &opts.auth_header {
        Some(name) => {
            let a = prober.validate_bogus_bearer(name).await.ok();
            r.validate_calls += 1;
            if let Some(a) = &a {
                rate.note("validate-token", a);
            }
            Some((name.as_str(), a))
        }
        None => None,
    };
    let custom_read = custom
        .as_ref()
        .and_then(|(_, a)| a.as_ref())
        .map(analysis::bearer_reading);
    r.checks.push(header_check(
        reach,
        bearer,
        basic.as_ref(),
        custom
            .as_ref()
            .map(|(n, _)| *n)
            .filter(|_| custom_read == Some(Reading::Read)),
    ));
    if let Some((name, answer)) = &custom {
        r.checks.push(custom_header_check(name, answer.as_ref()));
    }
}

/// Step 6, the clock: the skew from the token's `iat` (after a login) or the `Date` header.
fn clock_check(skew: Option<Skew>, r: &mut DoctorReport) -> Check {
    match skew {
        None => Check::new(
            CheckId::Clock,
            Status::Skip,
            "not measured: no Date header; log in (--username) to compare with the token's iat",
        ),
        Some((s, false, from)) => {
            r.clock_skew_seconds = Some(s);
            Check::new(
                CheckId::Clock,
                Status::Pass,
                format!("the store's clock and this device's agree within a minute (from {from})"),
            )
        }
        Some((s, true, from)) => {
            r.clock_skew_seconds = Some(s);
            let dir = if s > 0 { "ahead of" } else { "behind" };
            Check::new(
                CheckId::Clock,
                Status::Warn,
                format!(
                    "the store's clock is {} {dir} this device's (from {from}); the SDK is not affected (it times tokens from when it received them)",
                    super::output::human_duration(s.abs())
                ),
            )
            .fixes(["set the wrong clock right (NTP): apps that compare the token's exp with the device clock refresh too early or too late"])
        }
    }
}

/// The CoCart version the store tells: the `CoCart-Version` header, else `version` in the
/// store route's body (CoCart sends either only with `WP_DEBUG` on).
fn cocart_version(store: &Answer) -> Option<String> {
    store.cocart_version.clone().or_else(|| {
        store
            .body
            .get("version")
            .and_then(|v| v.as_str())
            .filter(|v| !v.trim().is_empty())
            .map(str::to_string)
    })
}

/// What the doctor says when the store does not tell its CoCart version.
pub const VERSION_UNKNOWN: &str = "the CoCart version is not readable (no CoCart-Version header, no `version` in the store route: CoCart sends them only with WP_DEBUG on), which weakens two checks: whether CoCart is 4.3 or later (the SDK's minimum) is not verified, and the header fixes cannot tell whether CoCart 4.9's \"Authorization Header\" setting exists; the other checks go by how the store behaves";

async fn cocart_check(prober: &mut Prober, store: &Answer) -> Check {
    let known = cocart_version(store);
    let version = known
        .as_deref()
        .map(|v| format!("CoCart {v}"))
        .unwrap_or_else(|| "CoCart".to_string());
    let unknown = if known.is_none() {
        format!("; {VERSION_UNKNOWN}")
    } else {
        String::new()
    };
    let title = |a: &Answer| {
        a.body
            .get("title")
            .and_then(|t| t.as_str())
            .map(|t| format!("; store \"{t}\""))
            .unwrap_or_default()
    };
    if store.status == 200 && store.body.is_object() {
        return Check::new(
            CheckId::CoCart,
            Status::Pass,
            format!(
                "{version} answers at /wp-json/cocart/v2/store{}{unknown}",
                title(store)
            ),
        );
    }
    if store.is(404, "rest_no_route") {
        return Check::new(
            CheckId::CoCart,
            Status::Fail,
            "WordPress's REST API answers, but CoCart's routes are missing (404 rest_no_route)",
        )
        .fixes(["install and activate CoCart (plugin cart-rest-api-for-woocommerce, 4.3 or later) and WooCommerce"]);
    }
    if matches!(store.status, 401 | 403) {
        return Check::new(
            CheckId::CoCart,
            Status::Fail,
            format!("the REST API refuses visitors ({})", store.describe()),
        )
        .fixes(["the site is behind HTTP authentication, or a security plugin blocks the REST API: allow /wp-json/cocart/ for everyone"]);
    }
    if let Ok(q) = prober.store(RouteStyle::Query).await
        && q.status == 200
        && q.body.is_object()
    {
        prober.style = RouteStyle::Query;
        return Check::new(
            CheckId::CoCart,
            Status::Warn,
            format!(
                "{version} answers only at /?rest_route=/cocart/v2/store{} (/wp-json/ gave HTTP {}: pretty permalinks are off){unknown}",
                title(&q),
                store.status
            ),
        )
        .fixes(["turn on pretty permalinks (Settings → Permalinks → Post name), or build the SDK client with .rest_style(RestStyle::QueryParam)"]);
    }
    Check::new(
        CheckId::CoCart,
        Status::Fail,
        format!(
            "no CoCart REST API at this address ({} on /wp-json/cocart/v2/store)",
            store.describe()
        ),
    )
    .fixes([
        "check that the URL is the WordPress site root (not a page, not /wp-admin)",
        "check that WooCommerce and CoCart are active",
    ])
}

fn plugin_check(plugin: JwtPlugin, refresh: Option<&Answer>, bearer: Option<&Answer>) -> Check {
    let seen = format!(
        "empty refresh: {}; bogus Bearer: {}",
        refresh
            .map(Answer::describe)
            .unwrap_or_else(|| "no answer".into()),
        bearer
            .map(Answer::describe)
            .unwrap_or_else(|| "no answer".into()),
    );
    let early_v3 = refresh.is_some_and(|a| a.status == 500);
    match plugin {
        JwtPlugin::V3 if early_v3 => Check::new(
            CheckId::JwtPlugin,
            Status::Warn,
            format!("CoCart JWT Authentication 3.0.0 or 3.0.1 ({seen})"),
        )
        .fixes(["update CoCart JWT Authentication to 3.0.2 or later (an empty refresh token crashes with HTTP 500)"]),
        JwtPlugin::V3 => Check::new(
            CheckId::JwtPlugin,
            Status::Pass,
            format!("CoCart JWT Authentication 3.x ({seen})"),
        ),
        JwtPlugin::V2 => Check::new(
            CheckId::JwtPlugin,
            Status::Warn,
            format!("CoCart JWT Authentication 2.x: supported, errors are 401 ({seen})"),
        )
        .fixes(["update to 3.x: logout then ends the sessions, and each device gets its own refresh token (on 2.x a second login invalidates the first device's)"]),
        JwtPlugin::V2OrEarlyV3 => Check::new(
            CheckId::JwtPlugin,
            Status::Warn,
            format!("CoCart JWT Authentication 2.x or 3.0.0–3.0.1 ({seen})"),
        )
        .fixes(["update CoCart JWT Authentication to 3.0.2 or later"]),
        JwtPlugin::V1 => Check::new(
            CheckId::JwtPlugin,
            Status::Fail,
            format!("CoCart JWT Authentication 1.x: no refresh token, not supported by the SDK ({seen})"),
        )
        .fixes(["update CoCart JWT Authentication to 3.x"]),
        JwtPlugin::NotConfigured => Check::new(
            CheckId::JwtPlugin,
            Status::Fail,
            format!("the JWT plugin is installed but has no secret: JWT configuration error ({seen})"),
        )
        .fixes(["define COCART_JWT_AUTH_SECRET_KEY in wp-config.php (a long random string), before \"That's all, stop editing!\""]),
        JwtPlugin::Absent => Check::new(
            CheckId::JwtPlugin,
            Status::Fail,
            format!("no JWT routes: CoCart JWT Authentication is not active ({seen})"),
        )
        .fixes(["install and activate CoCart JWT Authentication 3.x, then define COCART_JWT_AUTH_SECRET_KEY in wp-config.php"]),
        JwtPlugin::Unknown => Check::new(
            CheckId::JwtPlugin,
            Status::Warn,
            format!("could not tell which JWT plugin runs ({seen})"),
        ),
    }
}

fn header_check(
    reach: HeaderReach,
    bearer: Option<&Answer>,
    basic: Option<&Answer>,
    working_custom: Option<&str>,
) -> Check {
    let seen = format!(
        "bogus Bearer: {}; wrong Basic login: {}",
        bearer
            .map(Answer::describe)
            .unwrap_or_else(|| "no answer".into()),
        basic
            .map(Answer::describe)
            .unwrap_or_else(|| "no answer".into()),
    );
    let id = CheckId::AuthorizationHeader;
    match reach {
        HeaderReach::Arrives => Check::new(
            id,
            Status::Pass,
            format!("the Authorization header reaches WordPress ({seen})"),
        ),
        HeaderReach::Stripped => match working_custom {
            Some(name) => Check::new(
                id,
                Status::Warn,
                format!("the host strips the Authorization header, but {name} works ({seen})"),
            )
            .fixes([format!(
                "keep building the SDK client with .auth_header_name(\"{name}\") (cocart CLI: --auth-header {name})"
            )]),
            None => Check::new(
                id,
                Status::Fail,
                format!(
                    "the host strips the Authorization header: credentials are answered as a guest ({seen}); the SDK reports this as AuthorizationHeaderStripped"
                ),
            )
            .fixes(stripped_header_fixes()),
        },
        HeaderReach::StrippedOrPlainHttp => Check::new(
            id,
            Status::Fail,
            format!(
                "a login is answered as a guest ({seen}): either the host strips the Authorization header, or this is a production site over plain HTTP (both answer the same)"
            ),
        )
        .fixes(
            std::iter::once("serve the site over HTTPS".to_string()).chain(stripped_header_fixes()),
        ),
        HeaderReach::BasicRefusedOverPlainHttp => Check::new(
            id,
            Status::Fail,
            format!(
                "the header arrives (a Bearer is read), but Basic login is refused: WordPress only accepts it over HTTPS outside a local environment ({seen})"
            ),
        )
        .fixes(["serve the site over HTTPS (a test site may set WP_ENVIRONMENT_TYPE to local instead)"]),
        HeaderReach::BasicRefused => Check::new(
            id,
            Status::Fail,
            format!("the header arrives, but Basic login is answered as a guest ({seen})"),
        )
        .fixes(["a security plugin or the host disables HTTP Basic authentication: allow it for /wp-json/cocart/v2/login"]),
        HeaderReach::Unknown => Check::new(
            id,
            Status::Warn,
            format!("could not tell whether the Authorization header arrives ({seen})"),
        ),
    }
}

fn custom_header_check(name: &str, answer: Option<&Answer>) -> Check {
    let id = CheckId::CustomAuthHeader;
    let seen = answer
        .map(Answer::describe)
        .unwrap_or_else(|| "no answer".into());
    match answer.map(analysis::bearer_reading) {
        Some(Reading::Read) => Check::new(
            id,
            Status::Pass,
            format!("{name} reaches WordPress and CoCart reads it (bogus Bearer in {name}: {seen})"),
        ),
        Some(Reading::Guest) => Check::new(
            id,
            Status::Fail,
            format!("the store does not read {name}: credentials sent there are answered as a guest ({seen})"),
        )
        .fixes([
            format!(
                "CoCart 4.9+: set the \"Authorization Header\" setting (WooCommerce → CoCart → Settings) to {}",
                analysis::server_variable(name)
            ),
            "or drop --auth-header / auth_header_name if the Authorization header arrives".to_string(),
        ]),
        _ => Check::new(
            id,
            Status::Warn,
            format!("could not tell whether {name} is read ({seen})"),
        ),
    }
}

/// `1 validate-token call`, `2 validate-token calls`.
fn validate_calls_text(n: u32) -> String {
    if n == 1 {
        "1 validate-token call".to_string()
    } else {
        format!("{n} validate-token calls")
    }
}

fn rate_check(rate: &RateSeen, validate_calls: u32) -> Check {
    let id = CheckId::RateLimit;
    if let Some((route, a)) = rate.limited.first() {
        let h = &a.rate;
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        return Check::new(
            id,
            Status::Warn,
            format!(
                "the store answered 429 on {route} (X-RateLimit-Limit {}, X-RateLimit-Remaining {}, X-RateLimit-Reset {}, Retry-After {} s)",
                show(&h.limit),
                show(&h.remaining),
                show(&h.reset),
                show(&h.retry_after)
            ),
        )
        .fixes([
            "rate limiting (CoCart Plus or the Rate Limiting add-on) allows 2 validate-token and 10 refresh-token calls a minute: never poll validate-token; the SDK reads the token's exp instead".to_string(),
            format!("wait {} s before running the doctor again", show(&h.retry_after)),
        ]);
    }
    if let Some(retry) = rate.sdk_retry_after {
        let wait = retry
            .map(|d| format!("{} s", d.as_secs()))
            .unwrap_or_else(|| "a minute".into());
        return Check::new(
            id,
            Status::Warn,
            format!("the store answered 429 on validate-token (Retry-After {wait})"),
        )
        .fixes([
            "rate limiting (CoCart Plus or the Rate Limiting add-on) allows 2 validate-token and 10 refresh-token calls a minute: never poll validate-token; the SDK reads the token's exp instead".to_string(),
            format!("wait {wait} before running the doctor again"),
        ]);
    }
    if let Some(a) = &rate.headers {
        return Check::new(
            id,
            Status::Pass,
            format!(
                "rate limiting is on (X-RateLimit-Limit {}, remaining {}); the doctor made {}",
                a.rate.limit.clone().unwrap_or_else(|| "?".into()),
                a.rate.remaining.clone().unwrap_or_else(|| "?".into()),
                validate_calls_text(validate_calls)
            ),
        );
    }
    Check::new(
        id,
        Status::Pass,
        format!(
            "no rate limiting seen ({})",
            validate_calls_text(validate_calls)
        ),
    )
}

/// The options of `cocart doctor [STORE_URL] [--username U]`, the password prompted for when
/// not given.
pub fn options(global: &GlobalArgs, args: DoctorArgs) -> Result<DoctorOptions, Failure> {
    let store_url = args
        .store_url
        .or_else(|| global.store_url.clone())
        .ok_or_else(|| {
            Failure::usage("no store URL given").hint("cocart doctor https://shop.example")
        })?;
    let credentials = match args.credentials.username {
        Some(u) if !u.trim().is_empty() => {
            let password = password::password(args.credentials.password, &u)?;
            Some(Credentials {
                username: u.trim().to_string(),
                password,
            })
        }
        _ => None,
    };
    Ok(DoctorOptions {
        store_url,
        credentials,
        auth_header: global.auth_header.clone(),
        allow_insecure_http: global.allow_insecure_http,
        timeout: Duration::from_secs(global.timeout.max(1)),
    })
}

/// `cocart doctor`: runs [`diagnose`] and prints the report.
pub async fn command(global: &GlobalArgs, opts: DoctorOptions) -> Result<Outcome, Failure> {
    let progress = super::progress::Progress::for_stderr(global.json);
    let report = progress.run(diagnose(&opts)).await;
    Ok(Outcome {
        text: report.to_text(),
        json: report.to_json(),
        exit: if report.ok() {
            Exit::Ok
        } else {
            Exit::DoctorProblems
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_urls_are_read_like_the_sdk_reads_them() {
        assert_eq!(
            parse_site("https://shop.example/wp-json/")
                .unwrap()
                .as_str(),
            "https://shop.example/"
        );
        assert!(parse_site("ftp://x").is_err());
        assert!(parse_site("nope").is_err());
    }

    #[test]
    fn plain_http_is_fine_on_loopback_only() {
        let s = |u: &str| https_check(&Url::parse(u).unwrap()).status;
        assert_eq!(s("https://shop.example"), Status::Pass);
        assert_eq!(s("http://127.0.0.1:8080"), Status::Pass);
        assert_eq!(s("http://shop.example"), Status::Warn);
    }

    #[test]
    fn credentials_never_show_the_password() {
        let o = DoctorOptions::new("https://x").login("jane", "hunter2");
        assert!(!format!("{o:?}").contains("hunter2"));
    }
}
