//! The doctor's checks with an account: log in through the SDK (exactly as an app would), then
//! the token, a refresh and the clock. The doctor does not log out: on the JWT plugin v3 that
//! ends every session of the account, the user's apps included; its own session expires.

use std::time::Duration;

use cocart::{CoCartClient, Error, RestStyle, TokenStatus};

use super::analysis;
use super::report::{Check, CheckId, DoctorReport, Status};
use super::{Credentials, DoctorOptions, now, stripped_header_fixes};

/// What the login checks learned for the later checks.
#[derive(Debug, Default)]
pub struct Found {
    /// Store clock minus device clock from the token's `iat`, and whether it is significant.
    pub skew: Option<(i64, bool)>,
    /// `Some(retry_after)` when validate-token was rate-limited.
    pub rate_limited: Option<Option<Duration>>,
}

fn login_failure(e: &Error, opts: &DoctorOptions) -> Check {
    let id = CheckId::Login;
    match e {
        Error::InvalidCredentials { message } => Check::new(
            id,
            Status::Fail,
            format!("the store refused the username or password ({message})"),
        )
        .fixes(["check the credentials (the username may also be the email)"]),
        Error::JwtNotConfigured => Check::new(
            id,
            Status::Fail,
            "the login worked but returned no token (\"extras\": []): the JWT plugin has no secret",
        )
        .fixes(["define COCART_JWT_AUTH_SECRET_KEY in wp-config.php (a long random string)"]),
        Error::AuthorizationHeaderStripped { detail } => {
            let check = Check::new(
                id,
                Status::Fail,
                format!("the login was answered as a guest ({detail})"),
            );
            match &opts.auth_header {
                Some(h) => check.fixes([
                    format!(
                        "the credentials went in {h}, which the store does not read: set CoCart's \"Authorization Header\" setting to {}",
                        analysis::server_variable(h)
                    ),
                    format!("or drop --auth-header {h} if the Authorization header arrives"),
                ]),
                None => check.fixes(stripped_header_fixes()),
            }
        }
        Error::InsecureTransport { host } => Check::new(
            id,
            Status::Fail,
            format!("not attempted: the password would go to {host} over plain HTTP"),
        )
        .fixes(["use the https:// URL, or pass --allow-insecure-http for a test site"]),
        other => Check::new(id, Status::Fail, format!("the login failed: {other}")).fixes(
            match &opts.auth_header {
                Some(h) => vec![format!(
                    "the credentials went in {h}: check the custom header check above"
                )],
                None => Vec::new(),
            },
        ),
    }
}

/// Logs in, validates the token once, refreshes once, and measures the clock.
pub async fn run(
    opts: &DoctorOptions,
    creds: &Credentials,
    style: RestStyle,
    r: &mut DoctorReport,
) -> Found {
    let mut found = Found::default();
    let mut builder = CoCartClient::builder(&opts.store_url)
        .timeout(opts.timeout)
        .allow_insecure_http(opts.allow_insecure_http)
        .rest_style(style);
    if let Some(h) = &opts.auth_header {
        builder = builder.auth_header_name(h);
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            r.checks
                .push(Check::new(CheckId::Login, Status::Fail, e.to_string()));
            skip_rest(r);
            return found;
        }
    };
    let before = now();
    let login = client.login_secret(&creds.username, &creds.password).await;
    let after = now();
    let user = match login {
        Ok(u) => u,
        Err(e) => {
            r.checks.push(login_failure(&e, opts));
            skip_rest(r);
            return found;
        }
    };
    let via = opts
        .auth_header
        .as_deref()
        .map(|h| format!(" (credentials in {h})"))
        .unwrap_or_default();
    r.checks.push(Check::new(
        CheckId::Login,
        Status::Pass,
        format!(
            "logged in as {} (user {}){via}; the doctor does not log out: on v3 that would end every session of the account",
            if user.display_name.is_empty() { &creds.username } else { &user.display_name },
            user.id
        ),
    ));
    if let Some(claims) = client.token_claims() {
        found.skew = Some(analysis::skew(claims.iat, before, after, 60));
    }

    r.validate_calls += 1;
    r.checks.push(match client.validate_token().await {
        Ok(TokenStatus::Valid) => Check::new(
            CheckId::Token,
            Status::Pass,
            "the store accepts the token it just issued",
        ),
        Ok(TokenStatus::Rejected) => Check::new(
            CheckId::Token,
            Status::Fail,
            "the store rejected the token it just issued: tokens are bound to the client's IP and User-Agent, and something between this device and WordPress changes them",
        )
        .fixes([
            "behind a proxy, load balancer or CDN: make WordPress see the real client IP (CoCart 4.8+ trusts X-Forwarded-For only from the proxies in the cocart_trusted_proxies filter)",
            "make sure every request carries the same User-Agent",
        ]),
        Err(Error::RateLimited { retry_after }) => {
            found.rate_limited = Some(retry_after);
            Check::new(
                CheckId::Token,
                Status::Warn,
                "not checked: validate-token was rate-limited (see below)",
            )
        }
        Err(e) => Check::new(
            CheckId::Token,
            Status::Fail,
            format!("validate-token failed: {e}"),
        ),
    });

    r.checks.push(match client.refresh_now().await {
        Ok(()) => Check::new(
            CheckId::Refresh,
            Status::Pass,
            "the refresh token rotated the pair",
        ),
        Err(e @ Error::RateLimited { .. }) => {
            Check::new(CheckId::Refresh, Status::Warn, format!("not checked: {e}"))
        }
        Err(e) => Check::new(CheckId::Refresh, Status::Fail, format!("the refresh failed: {e}"))
            .fixes(["check the store's PHP error log; the refresh route must answer POST /wp-json/cocart/jwt/refresh-token"]),
    });
    found
}

fn skip_rest(r: &mut DoctorReport) {
    for id in [CheckId::Token, CheckId::Refresh] {
        r.checks
            .push(Check::new(id, Status::Skip, "skipped: no session"));
    }
}
