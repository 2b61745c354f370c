//! The contract's data model: scenarios read from `contract.toml`, and the profile a store (or
//! the mock) plays, which picks each scenario's expectation.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a profile value (`--plugin`, `--host-profile`, `--environment`) was refused. The mock
/// and `verify` parse these flags with the same functions ([`Plugin`]'s, [`Host`]'s and
/// [`Environment`]'s `FromStr`), so they accept and refuse the same strings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// Not a JWT plugin generation.
    #[error("unknown plugin {0:?}: expected v3 or v2")]
    Plugin(String),
    /// Not a host profile.
    #[error(
        "unknown host profile {0:?}: expected standard, strip-authorization or custom-auth-header:<Header-Name>"
    )]
    Host(String),
    /// A custom auth header name that no web server passes on to WordPress.
    #[error(
        "custom auth header name {0:?}: expected letters, digits and dashes (a header name a web server passes on to WordPress as HTTP_<NAME>), not Authorization"
    )]
    HeaderName(String),
    /// Not a `WP_ENVIRONMENT_TYPE`.
    #[error("unknown environment {0:?}: expected local, development, staging or production")]
    Environment(String),
}

/// The JWT plugin generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plugin {
    /// 3.0.x: 403 errors, one server-side session per login, rotation ends the old access token.
    V3,
    /// 2.x: 401 errors, one refresh token per user, access tokens valid until they expire.
    V2,
}

impl fmt::Display for Plugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V3 => "v3",
            Self::V2 => "v2",
        })
    }
}

impl FromStr for Plugin {
    type Err = ProfileError;
    /// `v3` (or `3`), `v2` (or `2`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "v3" | "3" => Ok(Self::V3),
            "v2" | "2" => Ok(Self::V2),
            _ => Err(ProfileError::Plugin(s.to_string())),
        }
    }
}

/// How the host treats the `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// The header reaches WordPress.
    Standard,
    /// The host drops `Authorization` (a shared host without the rewrite rule).
    StripAuthorization,
    /// CoCart's "Authorization Header" setting reads credentials from this header too.
    CustomHeader(String),
}

impl Host {
    /// The name used in `contract.toml` conditions.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::StripAuthorization => "strip-authorization",
            Self::CustomHeader(_) => "custom-auth-header",
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CustomHeader(h) => write!(f, "custom-auth-header:{h}"),
            other => f.write_str(other.kind()),
        }
    }
}

/// Whether `name` can be CoCart's custom auth header. CoCart reads it from a server variable
/// (`HTTP_X_COCART_AUTH` for `X-CoCart-Auth`), and web servers pass a header on as `HTTP_*` only
/// when its name is letters, digits and dashes (Apache drops others, nginx drops underscores):
/// any other HTTP token never reaches WordPress. `Authorization` itself is the standard profile.
pub fn is_custom_header_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.eq_ignore_ascii_case("authorization")
}

impl FromStr for Host {
    type Err = ProfileError;
    /// `standard`, `strip-authorization`, `custom-auth-header:<Header-Name>` (see
    /// [`is_custom_header_name`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "standard" => Ok(Self::Standard),
            "strip-authorization" => Ok(Self::StripAuthorization),
            other => match other.strip_prefix("custom-auth-header:") {
                Some(h) if is_custom_header_name(h) => Ok(Self::CustomHeader(h.to_string())),
                Some(h) => Err(ProfileError::HeaderName(h.to_string())),
                None => Err(ProfileError::Host(s.to_string())),
            },
        }
    }
}

/// `WP_ENVIRONMENT_TYPE`: the four values WordPress knows. CoCart runs Basic authentication
/// over plain HTTP only on `local` and `development`; `staging` and `production` need HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// `local`: Basic auth is accepted over plain HTTP.
    Local,
    /// `development`: Basic auth is accepted over plain HTTP.
    Development,
    /// `staging`: Basic auth needs HTTPS.
    Staging,
    /// `production` (WordPress's default): Basic auth needs HTTPS.
    Production,
}

impl Environment {
    /// Whether CoCart accepts Basic credentials over plain HTTP here.
    pub fn basic_over_plain_http(self) -> bool {
        matches!(self, Self::Local | Self::Development)
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Local => "local",
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        })
    }
}

impl FromStr for Environment {
    type Err = ProfileError;
    /// `local`, `development`, `staging`, `production`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "local" => Ok(Self::Local),
            "development" => Ok(Self::Development),
            "staging" => Ok(Self::Staging),
            "production" => Ok(Self::Production),
            _ => Err(ProfileError::Environment(s.to_string())),
        }
    }
}

/// What a store is expected to be: the same knobs as `cocart-mock`'s flags.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// JWT plugin generation.
    pub plugin: Plugin,
    /// Host treatment of `Authorization`.
    pub host: Host,
    /// Environment type.
    pub environment: Environment,
    /// Access-token lifetime in seconds (`exp − iat`).
    pub access_ttl: u64,
    /// Whether the store is reached over HTTPS (set from the URL).
    pub https: bool,
}

/// The plugin's default access-token lifetime: 10 days.
pub const DEFAULT_ACCESS_TTL: u64 = 864_000;

impl Default for Profile {
    fn default() -> Self {
        Self {
            plugin: Plugin::V3,
            host: Host::Standard,
            environment: Environment::Local,
            access_ttl: DEFAULT_ACCESS_TTL,
            https: false,
        }
    }
}

impl Profile {
    /// A profile over plain HTTP with the default access-token lifetime.
    pub fn new(plugin: Plugin, host: Host, environment: Environment) -> Self {
        Self {
            plugin,
            host,
            environment,
            ..Self::default()
        }
    }

    /// Whether Basic credentials are refused because a production site is reached over plain
    /// HTTP (CoCart only runs Basic auth over TLS or on a local site).
    pub fn basic_refused(&self) -> bool {
        !self.environment.basic_over_plain_http() && !self.https
    }

    /// The custom auth header's name, if the profile has one.
    pub fn custom_header(&self) -> Option<&str> {
        match &self.host {
            Host::CustomHeader(h) => Some(h),
            _ => None,
        }
    }

    /// One line: `plugin v3, host standard, environment local, http`.
    pub fn describe(&self) -> String {
        format!(
            "plugin {}, host {}, environment {}, {}",
            self.plugin,
            self.host,
            self.environment,
            if self.https { "https" } else { "http" }
        )
    }
}

/// Whether a scenario can be checked on a real store, or needs the mock's controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Observable {
    /// Any store answers it.
    Store,
    /// Needs the mock's virtual clock or other `/__mock/` controls.
    MockOnly,
}

/// What the runner must have before a scenario can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Need {
    /// A logged-in session of the test account (token and refresh token).
    Session,
    /// A simple, purchasable, in-stock product.
    Product,
    /// The test account's cart must be empty (so a write can leave it as found).
    EmptyCart,
    /// The profile has a custom auth header.
    CustomHeader,
    /// Permission to send a logout (on v3 it ends every session of the account).
    Logout,
}

/// A condition on the profile; every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Condition {
    /// `v3` or `v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<Plugin>,
    /// `standard`, `strip-authorization` or `custom-auth-header`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `true` when Basic credentials are refused (production over plain HTTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_refused: Option<bool>,
}

impl Condition {
    /// Whether `profile` satisfies the condition.
    pub fn holds(&self, profile: &Profile) -> bool {
        self.plugin.is_none_or(|p| p == profile.plugin)
            && self
                .host
                .as_deref()
                .is_none_or(|h| h == profile.host.kind())
            && self
                .basic_refused
                .is_none_or(|b| b == profile.basic_refused())
    }

    /// `plugin v2, host strip-authorization` (empty when unconditional).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.plugin {
            parts.push(format!("plugin {p}"));
        }
        if let Some(h) = &self.host {
            parts.push(format!("host {h}"));
        }
        if let Some(b) = self.basic_refused {
            parts.push(if b {
                "production over plain HTTP".to_string()
            } else {
                "Basic accepted".to_string()
            });
        }
        parts.join(", ")
    }
}

/// One HTTP request of a step. Strings may hold placeholders (see the crate docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Request {
    /// `GET`, `POST`, `PUT`, `DELETE`.
    pub method: String,
    /// The REST route without the prefix, e.g. `cocart/v2/store`.
    pub route: String,
    /// Query pairs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// Headers; the name `${custom-header}` stands for the profile's custom auth header.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A JSON body (sent with `Content-Type: application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// Send no `User-Agent` at all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_user_agent: bool,
}

/// Checks on the JWT a login or refresh answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TokenChecks {
    /// JSON pointer of the token in the body.
    pub at: String,
    /// The decoded header, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// `exp − iat` must equal the profile's access-token lifetime.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lifetime: bool,
    /// `data.user.pat` must be present (`true`) or absent (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pat: Option<bool>,
}

/// Which error envelope an expectation names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Envelope {
    /// `{"code","message","data":{"status"}}`, `data.status` equal to the HTTP status.
    #[default]
    Rest,
    /// `{"success":false,"data":[{"code","message"}]}` (PHP's `wp_send_json_error`).
    WpSendJsonError,
}

/// What an answer must be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Expect {
    /// The HTTP status.
    pub status: u16,
    /// The error's `code` (in a REST envelope, `data.status` must equal the status too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The envelope carrying `code` and `message` (REST unless said).
    #[serde(default, skip_serializing_if = "is_rest")]
    pub envelope: Envelope,
    /// The error envelope's `message`, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// JSON pointer → matcher (`string`, `integer`, `number`, `boolean`, `array`, `object`,
    /// `null`, `present`, `absent`, `jwt`, `hex128`, `minor-units`, `=TEXT` for an exact
    /// string, `json:VALUE` for an exact JSON value, `same-as:PLACEHOLDER`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub body: BTreeMap<String, String>,
    /// Headers that must be present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// Headers that must be absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_headers: Vec<String>,
    /// Checks on a token in the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenChecks>,
}

fn is_rest(e: &Envelope) -> bool {
    *e == Envelope::Rest
}

/// An expectation that replaces the default under a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Variant {
    /// When it applies (the first matching variant wins).
    #[serde(flatten)]
    pub when: Condition,
    /// What is expected then.
    pub expect: Expect,
}

/// One request and what must come back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Step {
    /// The request.
    pub request: Request,
    /// The default expectation.
    pub expect: Expect,
    /// Expectations for other profiles.
    #[serde(default, rename = "when", skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// Values to remember from the answer: name → JSON pointer (a segment `items[id=${x}]`
    /// selects the array element whose `id` equals `x`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, String>,
    /// The answer (when 200) holds a new session pair at these pointers: `token`, `refresh`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rotates: BTreeMap<String, String>,
    /// Move the mock's clock by this many seconds before the request (mock-only scenarios).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance_clock: Option<i64>,
    /// A cleanup step: it runs even after an earlier step differed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cleanup: bool,
}

impl Step {
    /// The expectation for `profile`.
    pub fn expectation(&self, profile: &Profile) -> &Expect {
        self.variants
            .iter()
            .find(|v| v.when.holds(profile))
            .map(|v| &v.expect)
            .unwrap_or(&self.expect)
    }
}

/// A difference some CoCart releases are known to have from the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct KnownQuirk {
    /// The releases, in words (`4.8.3 to 4.9.3`). Without `answer`, it is also a version
    /// prefix matched against the version the store sends (`4.9` covers `4.9.3`).
    pub cocart: String,
    /// What the store does instead.
    pub note: String,
    /// The known behaviour, as an expectation: a step that differs and answers this is the
    /// known difference, whether or not the store sends its version (without `WP_DEBUG` most
    /// releases send none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Expect>,
}

/// One checkable behaviour of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Scenario {
    /// A stable id, e.g. `login.wrong-password`.
    pub id: String,
    /// What it checks, in a sentence.
    pub title: String,
    /// Whether a real store can answer it.
    pub observable: Observable,
    /// Whether it changes anything on the store (cart, sessions).
    #[serde(default)]
    pub writes: bool,
    /// What must be available first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Need>,
    /// Profiles it applies to (all when empty).
    #[serde(default, rename = "applies", skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Condition>,
    /// Known differences of real releases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known: Vec<KnownQuirk>,
    /// The requests, in order.
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Whether the scenario applies to `profile`.
    pub fn applies(&self, profile: &Profile) -> bool {
        self.applies_to.is_empty() || self.applies_to.iter().any(|c| c.holds(profile))
    }
}

/// The whole contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Contract {
    /// What the mock plays, e.g. `CoCart 4.9.3 with CoCart JWT Authentication 3.0.3`.
    pub plays: String,
    /// The scenarios, in the order they run.
    #[serde(rename = "scenario")]
    pub scenarios: Vec<Scenario>,
}

/// Why `contract.toml` could not be read.
#[derive(Debug, thiserror::Error)]
#[error("contract.toml: {0}")]
pub struct ContractError(pub String);

/// The contract shipped with this crate.
pub const CONTRACT_TOML: &str = include_str!("../contract.toml");

impl Contract {
    /// Parses a contract and checks that ids are unique and every matcher is known.
    pub fn parse(text: &str) -> Result<Self, ContractError> {
        let contract: Self = toml::from_str(text).map_err(|e| ContractError(e.to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for s in &contract.scenarios {
            if !seen.insert(s.id.as_str()) {
                return Err(ContractError(format!("duplicate scenario id {}", s.id)));
            }
            if s.steps.is_empty() {
                return Err(ContractError(format!("{} has no step", s.id)));
            }
            let quirks = s.known.iter().filter_map(|k| k.answer.as_ref());
            for step in &s.steps {
                for e in std::iter::once(&step.expect)
                    .chain(step.variants.iter().map(|v| &v.expect))
                    .chain(quirks.clone())
                {
                    for m in e.body.values() {
                        crate::matcher::Matcher::parse(m)
                            .map_err(|why| ContractError(format!("{}: {why}", s.id)))?;
                    }
                }
            }
        }
        Ok(contract)
    }

    /// The contract shipped with this crate.
    pub fn builtin() -> Result<Self, ContractError> {
        Self::parse(CONTRACT_TOML)
    }
}
