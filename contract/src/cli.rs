//! `cocart-mock verify`: the command line over [`crate::runner::verify`].
//!
//! Exit codes: 0 the store matches (skips and known differences included, at least one scenario
//! checked), 1 it differs, 2 a usage error (bad flag or URL, no password, plain HTTP to a remote
//! host), 3 the store cannot be reached or is not CoCart, 4 the test account cannot log in,
//! 5 nothing was checked (every scenario selected was skipped, or `--only` selected none).

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, error::ErrorKind};

use crate::model::{Contract, DEFAULT_ACCESS_TTL, Environment, Host, Plugin, Profile};
use crate::report;
use crate::runner::{Account, Options, verify};

/// The usage-error exit code.
pub const EXIT_USAGE: u8 = 2;

/// The exit code when nothing was checked (see [`crate::runner::Verdict::NothingChecked`]).
pub const EXIT_NOTHING_CHECKED: u8 = 5;

/// Options of `cocart-mock verify`. The profile flags are the mock's own, parsed by the same
/// functions, with its defaults, so a CI job passes the same flags it starts the mock with.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "cocart-mock verify",
    about = "Check a real store against the contract cocart-mock plays (read-only unless told).",
    after_help = "Exit codes: 0 matches, 1 differs, 2 usage, 3 unreachable or not CoCart, 4 the test account cannot log in, 5 nothing was checked."
)]
struct VerifyArgs {
    /// The store's site root, e.g. `https://staging.shop.example`.
    #[arg(value_name = "STORE_URL")]
    pub store_url: String,
    /// A dedicated test customer (its cart must be empty for the cart writes).
    #[arg(long, env = "COCART_VERIFY_USERNAME")]
    pub username: String,
    /// JWT plugin generation your mock plays: v3 or v2.
    #[arg(long, value_name = "v3|v2", default_value = "v3")]
    pub plugin: Plugin,
    /// Host profile your mock plays: standard, strip-authorization, custom-auth-header:NAME.
    #[arg(long, value_name = "PROFILE", default_value = "standard")]
    pub host_profile: Host,
    /// WP_ENVIRONMENT_TYPE your mock plays: local, development, staging or production.
    #[arg(
        long,
        value_name = "local|development|staging|production",
        default_value = "local"
    )]
    pub environment: Environment,
    /// Access-token lifetime your mock issues, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_ACCESS_TTL)]
    pub access_ttl: u64,
    /// Also run the scenarios that write: a cart item added and removed, a token refresh.
    #[arg(long)]
    pub allow_writes: bool,
    /// Also send a logout (on plugin v3 it ends every session of the account, on every device).
    #[arg(long, requires = "allow_writes")]
    pub allow_logout: bool,
    /// The target is a cocart-mock: use its /__mock/ clock for the mock-only scenarios.
    #[arg(long)]
    pub mock_controls: bool,
    /// Do not pace validate-token and refresh-token calls (only for a store without a rate
    /// limiter, such as a mock).
    #[arg(long)]
    pub no_pacing: bool,
    /// Send the test account's password over plain HTTP to a host that is not loopback.
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Only the scenarios whose id starts with this (repeatable).
    #[arg(long, value_name = "PREFIX")]
    pub only: Vec<String>,
    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also write the report as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The password: `COCART_VERIFY_PASSWORD`, or a prompt on a terminal. Never a flag.
fn password() -> Result<String, String> {
    if let Ok(p) = std::env::var("COCART_VERIFY_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return rpassword::prompt_password("test account password: ")
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err("set COCART_VERIFY_PASSWORD (the password is never taken from the command line)".into())
}

/// Runs `cocart-mock verify` with its arguments (those after `verify`); returns the exit code.
/// `--help` prints the help and returns 0; a bad flag prints why and returns [`EXIT_USAGE`].
pub async fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv = std::iter::once(OsString::from("cocart-mock verify"))
        .chain(args.into_iter().map(Into::into));
    match VerifyArgs::try_parse_from(argv) {
        Ok(args) => run_parsed(args).await,
        Err(e) => {
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
                _ => EXIT_USAGE,
            };
            let _ = e.print();
            code
        }
    }
}

async fn run_parsed(args: VerifyArgs) -> u8 {
    let site = match url::Url::parse(&args.store_url) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => u,
        _ => {
            eprintln!("verify: {} is not an http(s) URL", args.store_url);
            return EXIT_USAGE;
        }
    };
    if site.scheme() == "http" && !is_loopback(&site) && !args.allow_insecure_http {
        eprintln!(
            "verify: {} is plain HTTP to a remote host; the password would travel in clear (use https, or --allow-insecure-http)",
            crate::runner::display_site(&site)
        );
        return EXIT_USAGE;
    }
    let password = match password() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("verify: {e}");
            return EXIT_USAGE;
        }
    };
    let contract = match Contract::builtin() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("verify: {e}");
            return EXIT_USAGE;
        }
    };
    let mut profile = Profile::new(args.plugin, args.host_profile.clone(), args.environment);
    profile.access_ttl = args.access_ttl;
    profile.https = site.scheme() == "https";
    let options = Options {
        allow_writes: args.allow_writes,
        allow_logout: args.allow_logout,
        mock_controls: args.mock_controls,
        pace: !args.no_pacing,
        timeout: Duration::from_secs(args.timeout.clamp(1, 86_400)),
        only: args.only.clone(),
    };
    let account = Account {
        username: args.username.clone(),
        password,
    };
    let result = verify(&contract, &site, &profile, &account, &options).await;
    if args.json {
        println!("{}", report::json(&result));
    } else {
        print!("{}", report::text(&result));
    }
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, report::junit(&result))
    {
        eprintln!("verify: cannot write {}: {e}", path.display());
        return EXIT_USAGE;
    }
    result.verdict.exit_code()
}
