//! The command line, as `clap` parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::exit::EXIT_CODES_HELP;

/// `cocart`: a command-line client for a WooCommerce store running CoCart and CoCart JWT
/// Authentication, built on the `cocart` SDK.
#[derive(Debug, Parser)]
#[command(
    name = "cocart",
    version,
    about = "Command-line client for headless WooCommerce stores running CoCart + CoCart JWT Authentication",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The store's site root. Default: the store the saved session belongs to.
    #[arg(
        long,
        env = "COCART_STORE_URL",
        global = true,
        value_name = "URL",
        help = "The store's site root, e.g. https://shop.example (a URL holding the REST root, like https://shop.example/wp-json/cocart/v2/, is read as its site root). Default: the store of the saved session, or of the last one that ended"
    )]
    pub store_url: Option<String>,

    /// Where the session (tokens, user, guest cart key) is kept. Default:
    /// $XDG_CONFIG_HOME/cocart/session.json or ~/.config/cocart/session.json.
    #[arg(long, env = "COCART_SESSION_FILE", global = true, value_name = "PATH")]
    pub session_file: Option<PathBuf>,

    /// Print JSON on stdout instead of text (errors too), for scripts.
    #[arg(long, global = true)]
    pub json: bool,

    /// Send credentials in this header instead of Authorization (for hosts that strip it, with
    /// CoCart's "Authorization Header" setting), e.g. X-CoCart-Auth.
    #[arg(long, env = "COCART_AUTH_HEADER", global = true, value_name = "HEADER")]
    pub auth_header: Option<String>,

    /// Allow sending the password and tokens over plain HTTP to a host that is not loopback.
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,

    /// What a login does about your account's saved cart when a guest cart moves to it:
    /// `keep-both` (default: the store drops the account lines, cocart adds them back) or
    /// `guest-replaces` (the store's own behaviour, one request fewer).
    #[arg(
        long,
        env = "COCART_TRANSFER_POLICY",
        global = true,
        value_name = "POLICY",
        value_enum,
        default_value_t = TransferPolicyArg::KeepBoth
    )]
    pub transfer_policy: TransferPolicyArg,

    /// Give up on a call to the store after this many seconds, retries included (a command that
    /// makes several calls gives each its own; `doctor`: each probe).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

/// `--transfer-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TransferPolicyArg {
    /// Keep the account cart's lines and the guest lines (the guest line wins on the same
    /// product and variation).
    KeepBoth,
    /// The guest cart replaces the account cart, as the store does.
    GuestReplaces,
}

impl From<TransferPolicyArg> for cocart::models::TransferPolicy {
    fn from(p: TransferPolicyArg) -> Self {
        match p {
            TransferPolicyArg::KeepBoth => Self::KeepBoth,
            TransferPolicyArg::GuestReplaces => Self::GuestReplaces,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in (HTTP Basic once) and keep the token pair in the session file. A guest cart is
    /// transferred to the customer, keeping the account cart's lines (see --transfer-policy).
    Login(LoginArgs),
    /// Show who is signed in and when the token expires.
    Whoami(WhoamiArgs),
    /// Show or change the cart (the customer's, or a guest cart when not signed in).
    Cart {
        /// What to do with the cart.
        #[command(subcommand)]
        action: CartCommand,
    },
    /// List products (filters: search, attribute terms, rating, brand).
    Products(ProductsArgs),
    /// List the store's global attributes (filter facets) with their terms and product counts.
    Attributes(AttributesArgs),
    /// List a product's approved reviews, newest first.
    Reviews(ReviewsArgs),
    /// Rotate the token pair now.
    Refresh,
    /// Log out: the store ends the session (on JWT plugin v3: every session of the account),
    /// and the local session is cleared.
    Logout,
    /// Diagnose a store step by step and print what to fix.
    Doctor(DoctorArgs),
}

/// Credentials for `login` and `doctor`.
#[derive(Debug, Clone, Args)]
pub struct CredentialArgs {
    /// Username or email.
    #[arg(long, short = 'u', env = "COCART_USERNAME", value_name = "USER")]
    pub username: Option<String>,

    /// The password (visible to other local users in the process list: prefer COCART_PASSWORD
    /// or the prompt).
    #[arg(
        long,
        env = "COCART_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub password: Option<String>,
}

/// `cocart login`.
#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// The credentials.
    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// `cocart whoami`.
#[derive(Debug, Clone, Args)]
pub struct WhoamiArgs {
    /// Also ask the store whether the token is still valid (validate-token: rate-limited
    /// stores allow 2 calls a minute).
    #[arg(long)]
    pub verify: bool,
}

/// `cocart cart …`.
#[derive(Debug, Clone, Subcommand)]
pub enum CartCommand {
    /// Show the lines, totals and store notices.
    Show,
    /// Add a product by id or SKU.
    Add {
        /// Product id or SKU (a variation's own SKU works; a variable parent needs --variation).
        product: String,
        /// How many.
        #[arg(long, short = 'q', default_value_t = 1.0, value_name = "N")]
        qty: f64,
        /// A variation attribute, e.g. --variation pa_color=blue (repeatable).
        #[arg(long, value_name = "ATTRIBUTE=VALUE")]
        variation: Vec<String>,
    },
    /// Set a line's quantity (0 removes it).
    Update {
        /// The line: its item key, or the SKU or id of its product.
        line: String,
        /// The new quantity.
        qty: f64,
    },
    /// Remove a line.
    Remove {
        /// The line: its item key, or the SKU or id of its product.
        line: String,
    },
    /// Empty the cart.
    Clear,
}

/// `cocart products`.
#[derive(Debug, Clone, Args)]
pub struct ProductsArgs {
    /// Search text.
    #[arg(long, short = 's')]
    pub search: Option<String>,
    /// Page number (from 1).
    #[arg(long, default_value_t = 1)]
    pub page: u32,
    /// Products per page (at most 100).
    #[arg(long, default_value_t = 20)]
    pub per_page: u32,
    /// Only products with one of these terms of a global attribute: `pa_color=red` or
    /// `color=red,blue`. Repeat for more attributes: every one must match.
    #[arg(long, value_name = "ATTRIBUTE=SLUGS")]
    pub attribute: Vec<String>,
    /// Only products whose rounded average rating is one of these (1 to 5; comma list).
    #[arg(long, value_name = "N", value_delimiter = ',')]
    pub rating: Vec<u8>,
    /// Only products of one of these brands (slugs, or ids; comma list or repeated).
    #[arg(long, value_name = "BRAND", value_delimiter = ',')]
    pub brand: Vec<String>,
}

/// `cocart attributes`.
#[derive(Debug, Clone, Args)]
pub struct AttributesArgs {
    /// Leave out terms no product uses.
    #[arg(long)]
    pub hide_empty: bool,
}

/// `cocart reviews`.
#[derive(Debug, Clone, Args)]
pub struct ReviewsArgs {
    /// The product, by id or SKU.
    #[arg(value_name = "PRODUCT")]
    pub product: String,
    /// Page number (from 1).
    #[arg(long, default_value_t = 1)]
    pub page: u32,
    /// Reviews per page (at most 100).
    #[arg(long, default_value_t = 20)]
    pub per_page: u32,
}

/// `cocart doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// The store's site root (default: --store-url / COCART_STORE_URL).
    #[arg(value_name = "STORE_URL")]
    pub store_url: Option<String>,

    /// Also log in with these credentials and check the token, refresh and clock.
    #[command(flatten)]
    pub credentials: CredentialArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "cocart",
            "cart",
            "add",
            "MOCK-TSHIRT",
            "--qty",
            "2",
            "--json",
            "--store-url",
            "http://x",
        ])
        .unwrap();
        assert!(cli.global.json);
        assert_eq!(cli.global.store_url.as_deref(), Some("http://x"));
        match cli.command {
            Command::Cart {
                action: CartCommand::Add { product, qty, .. },
            } => {
                assert_eq!((product.as_str(), qty), ("MOCK-TSHIRT", 2.0));
            }
            other => panic!("parsed as {other:?}"),
        }
    }
}
