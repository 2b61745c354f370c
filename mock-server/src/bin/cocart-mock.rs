//! `cocart-mock`: runs the mock store until Ctrl-C (or, with `--exit-on-stdin-eof`, until stdin
//! reaches end of file).
//!
//! The first line on stdout is machine-readable: `cocart-mock listening on http://HOST:PORT`
//! (with the real port when `--port 0` is given).

use clap::Parser;
use cocart_mock::config::{
    DEFAULT_ACCESS_TTL, DEFAULT_REFRESH_TTL, DEFAULT_SECRET, DEMO_PASSWORD, DEMO_USERNAME,
};
use cocart_mock::{Environment, HostProfile, MockConfig, MockServer, PluginVersion, SeedUser};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// A spec-faithful mock of a WooCommerce store running CoCart 4.9 and CoCart JWT
/// Authentication 3.0.x, with test controls under /__mock/.
#[derive(Parser)]
#[command(name = "cocart-mock", version, about, long_about = None)]
struct Cli {
    /// `verify STORE_URL`: check a real store against the contract this mock plays.
    #[command(subcommand)]
    command: Option<Command>,

    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,

    /// Port to bind; 0 picks a free port (the real one is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,

    /// The JWT secret (COCART_JWT_AUTH_SECRET_KEY). Default: a built-in development secret.
    #[arg(
        long,
        value_name = "S",
        conflicts_with = "no_secret",
        hide_default_value = true
    )]
    secret: Option<String>,

    /// Run without a JWT secret: login returns "extras":[] and every Bearer gets 403
    /// cocart_jwt_auth_bad_config.
    #[arg(long)]
    no_secret: bool,

    /// Access-token lifetime in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_ACCESS_TTL)]
    access_ttl: u64,

    /// Refresh-token lifetime in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_REFRESH_TTL)]
    refresh_ttl: u64,

    /// JWT plugin generation: v3 (403 errors, PAT sessions) or v2 (401 errors, one refresh
    /// token per user, stateless access tokens).
    #[arg(long, value_name = "v3|v2", default_value = "v3")]
    plugin: PluginVersion,

    /// How the host treats the Authorization header: standard, strip-authorization, or
    /// custom-auth-header:<Header-Name>.
    #[arg(long, value_name = "PROFILE", default_value = "standard")]
    host_profile: HostProfile,

    /// WP_ENVIRONMENT_TYPE: local and development accept Basic auth over plain HTTP, staging and
    /// production do not.
    #[arg(
        long,
        value_name = "local|development|staging|production",
        default_value = "local"
    )]
    environment: Environment,

    /// A customer to seed, as USER:PASSWORD (repeatable; email USER@example.com). Without
    /// --user or seed users, the demo customer is seeded.
    #[arg(long = "user", value_name = "USER:PASSWORD")]
    users: Vec<SeedUser>,

    /// A seed document (JSON, or TOML by .toml extension): {"users":[...],"products":[...]}.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,

    /// Turn on the CoCart Plus style rate limiter (10 refresh-token / 2 validate-token
    /// requests per 60 s per IP, then 429).
    #[arg(long)]
    rate_limit: bool,

    /// Turn off the throughput-only fast paths (remembered token checks and cart bytes, the
    /// direct GET /cart dispatch): every request takes the plain path. Default: on, unless
    /// COCART_MOCK_FAST_PATHS=0.
    #[arg(long)]
    no_fast_paths: bool,

    /// Stop when stdin reaches end of file (its writer closed it, or the parent process that
    /// holds the pipe died), as well as on Ctrl-C: launchers give the mock a pipe on stdin so it
    /// never outlives them.
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Check a real store against the contract this mock plays (read-only unless told; see
    /// `cocart-mock verify --help`). Exit codes: 0 matches, 1 differs, 2 usage, 3 unreachable
    /// or not CoCart, 4 the test account cannot log in, 5 nothing was checked.
    #[command(disable_help_flag = true)]
    Verify {
        /// STORE_URL and the options of `cocart-mock verify --help`.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            num_args = 0..,
            value_name = "ARGS"
        )]
        args: Vec<std::ffi::OsString>,
    },
}

/// Reads a seed file as JSON, or as TOML when the extension is `.toml` (or JSON fails).
fn read_seed(path: &PathBuf) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read seed file {}: {e}", path.display()))?;
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let as_json = (!is_toml)
        .then(|| serde_json::from_str(&text).ok())
        .flatten();
    if let Some(v) = as_json {
        return Ok(v);
    }
    let value: toml::Value = toml::from_str(&text)
        .map_err(|e| format!("seed file {} is neither JSON nor TOML: {e}", path.display()))?;
    serde_json::to_value(value).map_err(|e| format!("seed file {}: {e}", path.display()))
}

/// Resolves once stdin reaches end of file (or cannot be read). Whatever is written to stdin is
/// read and ignored.
async fn stdin_eof() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("stdin-eof".into())
        .spawn(move || {
            let mut buf = [0u8; 1024];
            let mut stdin = std::io::stdin().lock();
            loop {
                match std::io::Read::read(&mut stdin, &mut buf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = tx.send(());
        });
    match spawned {
        // A dropped sender (the thread died) also ends the wait.
        Ok(_) => {
            let _ = rx.await;
        }
        Err(e) => {
            eprintln!("cocart-mock: cannot watch stdin: {e}");
            std::future::pending::<()>().await;
        }
    }
}

fn config_from(cli: Cli) -> Result<MockConfig, String> {
    let seed = cli.seed.as_ref().map(read_seed).transpose()?;
    let secret = if cli.no_secret {
        None
    } else {
        Some(cli.secret.unwrap_or_else(|| DEFAULT_SECRET.to_string()))
    };
    Ok(MockConfig {
        host: cli.host,
        port: cli.port,
        secret,
        access_ttl: cli.access_ttl,
        refresh_ttl: cli.refresh_ttl,
        plugin: cli.plugin,
        host_profile: cli.host_profile,
        environment: cli.environment,
        rate_limit: cli.rate_limit,
        users: cli.users,
        seed,
        fast_paths: !cli.no_fast_paths && MockConfig::default().fast_paths,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut cli = Cli::parse();
    if let Some(Command::Verify { args }) = cli.command.take() {
        return ExitCode::from(cocart_contract::cli::run(args).await);
    }
    let exit_on_stdin_eof = cli.exit_on_stdin_eof;
    let config = match config_from(cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cocart-mock: {e}");
            return ExitCode::from(2);
        }
    };
    let server = match MockServer::start_with(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cocart-mock: {e}");
            return ExitCode::FAILURE;
        }
    };
    let users = server.usernames();
    if !server.fast_paths() {
        eprintln!("cocart-mock: fast paths off (every request takes the plain path)");
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "cocart-mock listening on {}", server.base_url());
    let _ = writeln!(out, "REST API: {}/wp-json/cocart/v2/", server.base_url());
    if users.iter().any(|u| u == DEMO_USERNAME) && users.len() == 1 {
        let _ = writeln!(
            out,
            "demo customer: username {DEMO_USERNAME} password {DEMO_PASSWORD}"
        );
    } else {
        let _ = writeln!(out, "customers: {}", users.join(", "));
    }
    if cfg!(feature = "console") {
        let _ = writeln!(
            out,
            "console: {}/__mock/ui (open it in a browser)",
            server.base_url()
        );
    }
    let _ = writeln!(
        out,
        "test controls: {}/__mock/ (Ctrl-C to stop)",
        server.base_url()
    );
    let _ = out.flush();
    drop(out);
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("cocart-mock: cannot wait for Ctrl-C: {e}");
        }
    };
    if exit_on_stdin_eof {
        tokio::select! {
            () = ctrl_c => {}
            () = stdin_eof() => {}
        }
    } else {
        ctrl_c.await;
    }
    server.shutdown().await;
    ExitCode::SUCCESS
}
