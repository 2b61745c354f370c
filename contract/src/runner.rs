//! Runs the contract's scenarios against a store (or the mock) and says, for each, passed,
//! differs (expected beside actual), known difference, or skipped (and why).

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

pub use crate::detect::Detected;
use crate::detect::{DetectError, detect, without_url};
use crate::matcher::{Matcher, fill, select};
use crate::model::{Contract, Envelope, Expect, Need, Observable, Profile, Scenario, Step};
use crate::probe::{Answer, EnvelopeKind, Prober, Raw};

/// The test account. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct Account {
    /// Username or email of a dedicated test customer.
    pub username: String,
    /// Its password.
    pub password: String,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// What the run may do.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Run scenarios that write (cart changes, token refresh).
    pub allow_writes: bool,
    /// Send a logout (on plugin v3 it ends every session of the account).
    pub allow_logout: bool,
    /// The target is a `cocart-mock`: use its `/__mock/` clock for the mock-only scenarios.
    pub mock_controls: bool,
    /// Keep validate-token and refresh-token calls within the plugin's rate limit (2 and 10 a
    /// minute per IP where a limiter is installed). Off only against a mock without limiter.
    pub pace: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Only the scenarios whose id starts with one of these (all when empty).
    pub only: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            allow_writes: false,
            allow_logout: false,
            mock_controls: false,
            pace: true,
            timeout: Duration::from_secs(20),
            only: Vec::new(),
        }
    }
}

/// One difference between what was expected and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diff {
    /// What was compared (`status`, `code`, `/extras/jwt_token`, `header CoCart-Version` …).
    pub what: String,
    /// What the contract expects.
    pub expected: String,
    /// What the store sent (secrets redacted).
    pub actual: String,
}

/// The verdict on one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// Every step answered as expected.
    Passed,
    /// A step answered otherwise.
    Differs {
        /// The 1-based step that differed.
        step: usize,
        /// `METHOD route` of that step.
        request: String,
        /// What differed.
        diffs: Vec<Diff>,
        /// Profile mismatches that may explain it.
        explanations: Vec<String>,
    },
    /// A difference this store's CoCart release is known to have.
    Known {
        /// The release.
        cocart: String,
        /// What it does instead.
        note: String,
        /// What differed.
        diffs: Vec<Diff>,
    },
    /// Not run.
    Skipped {
        /// Why.
        why: String,
    },
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ScenarioResult {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The verdict.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// How a run ended as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Verdict {
    /// Everything that ran matched (known differences included), and something ran.
    Matched,
    /// No scenario was checked: every one selected was skipped, or none was selected.
    NothingChecked,
    /// At least one scenario differs.
    Differs,
    /// The store could not be reached, or is not CoCart.
    Unreachable,
    /// The test account could not log in although the profile says it should.
    CannotAuthenticate,
}

impl Verdict {
    /// The process exit code `cocart-mock verify` uses.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Matched => 0,
            Self::Differs => 1,
            Self::Unreachable => 3,
            Self::CannotAuthenticate => 4,
            Self::NothingChecked => 5,
        }
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The store's site root (without credentials or query).
    pub store: String,
    /// The profile it was compared with.
    pub profile: String,
    /// What detection found.
    pub detected: Detected,
    /// Where the store differs from the profile.
    pub mismatches: Vec<String>,
    /// Per scenario.
    pub results: Vec<ScenarioResult>,
    /// `Some(false)` when a write left the test account's cart changed.
    pub cart_left_as_found: Option<bool>,
    /// Why the run could not go on (unreachable, cannot authenticate).
    pub fatal: Option<String>,
    /// The overall verdict.
    pub verdict: Verdict,
}

impl Report {
    /// How many scenarios passed, differed, were known differences, were skipped.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for r in &self.results {
            match r.outcome {
                Outcome::Passed => c.0 += 1,
                Outcome::Differs { .. } => c.1 += 1,
                Outcome::Known { .. } => c.2 += 1,
                Outcome::Skipped { .. } => c.3 += 1,
            }
        }
        c
    }
}

/// The session of the test account, as the scenarios move it on.
#[derive(Default)]
struct Session {
    token: Option<String>,
    refresh: Option<String>,
    previous_token: Option<String>,
    previous_refresh: Option<String>,
    user_id: Option<String>,
}

pub(crate) struct Run<'a> {
    prober: Prober,
    profile: &'a Profile,
    account: &'a Account,
    options: &'a Options,
    session: Session,
    session_error: Option<String>,
    product: Option<Result<String, String>>,
    captures: BTreeMap<String, String>,
    sent: BTreeMap<&'static str, VecDeque<Instant>>,
}

/// Runs `contract` against the store at `site` compared with `profile`.
pub async fn verify(
    contract: &Contract,
    site: &url::Url,
    profile: &Profile,
    account: &Account,
    options: &Options,
) -> Report {
    let store = display_site(site);
    let mut report = Report {
        store,
        profile: profile.describe(),
        detected: Detected::default(),
        mismatches: Vec::new(),
        results: Vec::new(),
        cart_left_as_found: None,
        fatal: None,
        verdict: Verdict::Matched,
    };
    let ua = concat!("cocart-verify/", env!("CARGO_PKG_VERSION"));
    let mut prober = match Prober::new(site.clone(), options.timeout, ua) {
        Ok(p) => p,
        Err(e) => {
            report.fatal = Some(e);
            report.verdict = Verdict::Unreachable;
            return report;
        }
    };
    match detect(&mut prober, profile).await {
        Ok(d) => report.detected = d,
        Err(e) => {
            report.fatal = Some(e.to_string());
            report.verdict = match e {
                DetectError::Unreachable(_) | DetectError::NotCoCart(_) => Verdict::Unreachable,
            };
            return report;
        }
    }
    let mut run = Run {
        prober,
        profile,
        account,
        options,
        session: Session::default(),
        session_error: None,
        product: None,
        captures: BTreeMap::new(),
        sent: BTreeMap::new(),
    };
    // Detection sent validate-token (once, twice with a custom header) and refresh-token once:
    // they count against the same limits.
    let now = Instant::now();
    let validated = 1 + usize::from(profile.custom_header().is_some());
    run.sent.insert(
        "validate-token",
        std::iter::repeat_n(now, validated).collect(),
    );
    run.sent.insert("refresh-token", VecDeque::from([now]));
    run.log_in().await;
    if let Some(token) = &run.session.token {
        report.detected.access_ttl = token_lifetime(token);
        if let Some(has_pat) = token_claim(token, "/data/user/pat").map(|v| !v.is_null()) {
            report.detected.plugin = Some(if has_pat {
                crate::model::Plugin::V3
            } else {
                crate::model::Plugin::V2
            });
        }
    } else if !profile.basic_refused() {
        report.fatal = Some(format!(
            "the test account could not log in: {}",
            run.session_error.clone().unwrap_or_default()
        ));
        report.verdict = Verdict::CannotAuthenticate;
    }
    report.mismatches = report.detected.mismatches(profile);

    for scenario in &contract.scenarios {
        if !options.only.is_empty() && !options.only.iter().any(|p| scenario.id.starts_with(p)) {
            continue;
        }
        let writes_cart = scenario.needs.contains(&Need::EmptyCart);
        let before = if writes_cart {
            run.cart_lines().await
        } else {
            None
        };
        let outcome = run.scenario(scenario, &report).await;
        if writes_cart && !matches!(outcome, Outcome::Skipped { .. }) {
            let after = run.cart_lines().await;
            let same = before.is_some() && after == before;
            report.cart_left_as_found = Some(same && report.cart_left_as_found != Some(false));
        }
        report.results.push(ScenarioResult {
            id: scenario.id.clone(),
            title: scenario.title.clone(),
            outcome,
        });
    }
    if report.verdict == Verdict::Matched
        && (report
            .results
            .iter()
            .any(|r| matches!(r.outcome, Outcome::Differs { .. }))
            || report.cart_left_as_found == Some(false))
    {
        report.verdict = Verdict::Differs;
    }
    let checked = report
        .results
        .iter()
        .any(|r| !matches!(r.outcome, Outcome::Skipped { .. }));
    if report.verdict == Verdict::Matched && !checked {
        report.verdict = Verdict::NothingChecked;
    }
    report
}

/// The site root without credentials, query or fragment.
pub(crate) fn display_site(site: &url::Url) -> String {
    let mut shown = site.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

fn token_claim(token: &str, pointer: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    Some(
        select(&v, pointer, &|_| None)
            .cloned()
            .unwrap_or(Value::Null),
    )
}

fn token_header(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// `exp − iat` of a token, when both are integers and the difference is a non-negative `i64`.
pub(crate) fn token_lifetime(token: &str) -> Option<u64> {
    let exp = token_claim(token, "/exp")?.as_i64()?;
    let iat = token_claim(token, "/iat")?.as_i64()?;
    u64::try_from(exp.checked_sub(iat)?).ok()
}

/// The same token with its signature changed: well-formed, never valid.
fn tampered(token: &str) -> String {
    match token.rsplit_once('.') {
        Some((head, sig)) => {
            let mut sig: Vec<char> = sig.chars().collect();
            if let Some(first) = sig.first_mut() {
                *first = if *first == 'A' { 'B' } else { 'A' };
            }
            format!("{head}.{}", sig.into_iter().collect::<String>())
        }
        None => token.to_string(),
    }
}

impl<'a> Run<'a> {
    /// A run that only compares (no detection, no session), for the fuzzing entry point.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn for_fuzzing(
        prober: Prober,
        profile: &'a Profile,
        account: &'a Account,
        options: &'a Options,
    ) -> Self {
        Self {
            prober,
            profile,
            account,
            options,
            session: Session::default(),
            session_error: None,
            product: None,
            captures: BTreeMap::new(),
            sent: BTreeMap::new(),
        }
    }

    /// Sets the session's token (and user id) to `token`, for the fuzzing entry point.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn set_token(&mut self, token: &str) {
        self.session.token = Some(token.to_string());
        self.session.refresh = Some(token.to_string());
        self.session.user_id = Some(token.to_string());
    }

    fn var(&self, name: &str) -> Option<String> {
        let basic =
            |u: &str, p: &str| base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        match name {
            "username" => Some(self.account.username.clone()),
            "password" => Some(self.account.password.clone()),
            "wrong_password" => Some(format!("{}-not-it", self.account.password)),
            "basic" => Some(basic(&self.account.username, &self.account.password)),
            "wrong_basic" => Some(basic(
                &self.account.username,
                &format!("{}-not-it", self.account.password),
            )),
            "token" => self.session.token.clone(),
            "tampered" => self.session.token.as_deref().map(tampered),
            "refresh" => self.session.refresh.clone(),
            "previous_token" => self.session.previous_token.clone(),
            "previous_refresh" => self.session.previous_refresh.clone(),
            "user_id" => self.session.user_id.clone(),
            "unknown_refresh" => Some("0".repeat(128)),
            "bogus_jwt" => Some(crate::probe::BOGUS_JWT.to_string()),
            "custom-header" => self.profile.custom_header().map(str::to_string),
            "product_id" => self.product.as_ref().and_then(|p| p.as_ref().ok()).cloned(),
            other => self.captures.get(other).cloned(),
        }
    }

    /// Secrets and tokens in a text replaced by `[redacted]`.
    fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        let secrets = [
            Some(self.account.password.clone()),
            self.session.token.clone(),
            self.session.refresh.clone(),
            self.session.previous_token.clone(),
            self.session.previous_refresh.clone(),
        ];
        for s in secrets.into_iter().flatten() {
            if s.len() >= 4 {
                out = out.replace(&s, "[redacted]");
            }
        }
        redact_token_shaped(&out)
    }

    async fn log_in(&mut self) {
        let json = serde_json::json!({
            "username": self.account.username,
            "password": self.account.password,
        })
        .to_string();
        let answer = self
            .prober
            .raw(&Raw {
                method: "POST".into(),
                route: "cocart/v2/login".into(),
                json: Some(json),
                ..Default::default()
            })
            .await;
        match answer {
            Ok(a) if a.status == 200 => {
                let token = select(&a.body, "/extras/jwt_token", &|_| None)
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if token.is_none() {
                    self.session_error =
                        Some("login answered 200 without extras.jwt_token (no JWT secret?)".into());
                }
                self.session.token = token;
                self.session.refresh = select(&a.body, "/extras/jwt_refresh", &|_| None)
                    .and_then(Value::as_str)
                    .map(str::to_string);
                self.session.user_id = a.body.get("user_id").map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                });
            }
            Ok(a) => self.session_error = Some(format!("login answered {}", a.describe())),
            Err(e) => self.session_error = Some(format!("login failed: {}", without_url(&e))),
        }
    }

    /// `item_key → quantity` of the test account's cart, when signed in.
    async fn cart_lines(&mut self) -> Option<BTreeMap<String, String>> {
        let token = self.session.token.clone()?;
        let a = self
            .prober
            .raw(&Raw {
                method: "GET".into(),
                route: "cocart/v2/cart".into(),
                headers: vec![("Authorization".into(), format!("Bearer {token}"))],
                ..Default::default()
            })
            .await
            .ok()?;
        if a.status != 200 {
            return None;
        }
        let items = a.body.get("items")?.as_array()?;
        Some(
            items
                .iter()
                .map(|i| {
                    (
                        i.get("item_key")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        i.pointer("/quantity/value")
                            .map(Value::to_string)
                            .unwrap_or_default(),
                    )
                })
                .collect(),
        )
    }

    async fn find_product(&mut self) -> Result<String, String> {
        if let Some(found) = &self.product {
            return found.clone();
        }
        let found = match self
            .prober
            .raw(&Raw {
                method: "GET".into(),
                route: "cocart/v2/products".into(),
                query: vec![("per_page".into(), "50".into())],
                ..Default::default()
            })
            .await
        {
            Ok(a) => a
                .body
                .get("products")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter().find(|p| {
                        p.get("type").and_then(Value::as_str) == Some("simple")
                            && p.pointer("/add_to_cart/is_purchasable") == Some(&Value::Bool(true))
                            && p.pointer("/stock/is_in_stock") == Some(&Value::Bool(true))
                    })
                })
                .and_then(|p| p.get("id"))
                .map(|id| {
                    id.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| id.to_string())
                })
                .ok_or_else(|| {
                    "no simple, purchasable, in-stock product in the first 50".to_string()
                }),
            Err(e) => Err(format!("the product list failed: {}", without_url(&e))),
        };
        self.product = Some(found.clone());
        found
    }

    /// Why the scenario cannot run here, if it cannot.
    async fn skip_reason(&mut self, s: &Scenario) -> Option<String> {
        if !s.applies(self.profile) {
            return Some(format!("does not apply to {}", self.profile.describe()));
        }
        let needs_clock = s.steps.iter().any(|st| st.advance_clock.is_some());
        if (s.observable == Observable::MockOnly || needs_clock) && !self.options.mock_controls {
            return Some("needs the mock's controls (virtual clock)".into());
        }
        if s.writes && !self.options.allow_writes {
            return Some("writes to the store (run with --allow-writes)".into());
        }
        for need in &s.needs {
            match need {
                Need::Session if self.session.token.is_none() => {
                    return Some(format!(
                        "no session: {}",
                        self.session_error
                            .as_deref()
                            .unwrap_or("login did not succeed")
                    ));
                }
                Need::Product => {
                    if let Err(why) = self.find_product().await {
                        return Some(why);
                    }
                }
                Need::EmptyCart => match self.cart_lines().await {
                    Some(lines) if lines.is_empty() => {}
                    Some(_) => {
                        return Some(
                            "the test account's cart is not empty (cart writes need an empty cart to leave it as found)"
                                .into(),
                        );
                    }
                    None => return Some("cannot read the test account's cart".into()),
                },
                Need::CustomHeader if self.profile.custom_header().is_none() => {
                    return Some("the profile has no custom auth header".into());
                }
                Need::Logout if !self.options.allow_logout => {
                    return Some(
                        "sends a logout, which on plugin v3 ends every session of the account (run with --allow-logout)"
                            .into(),
                    );
                }
                _ => {}
            }
        }
        None
    }

    async fn scenario(&mut self, s: &Scenario, report: &Report) -> Outcome {
        if let Some(why) = self.skip_reason(s).await {
            return Outcome::Skipped { why };
        }
        let mut failure: Option<Outcome> = None;
        for (index, step) in s.steps.iter().enumerate() {
            if failure.is_some() && !step.cleanup {
                continue;
            }
            let result = self.step(step).await;
            if failure.is_none()
                && let Err(differed) = result
            {
                failure = Some(self.judge(s, index + 1, differed, report));
            }
        }
        failure.unwrap_or(Outcome::Passed)
    }

    fn judge(&self, s: &Scenario, step: usize, differed: Differed, report: &Report) -> Outcome {
        let Differed {
            request,
            diffs,
            answer,
        } = differed;
        // A known behaviour is recognised by the answer itself; a quirk without one, by the
        // version the store sends.
        let by_behaviour = |k: &&crate::model::KnownQuirk| match (&k.answer, &answer) {
            (Some(known), Some(a)) => self.compare(known, a).is_empty(),
            _ => false,
        };
        let by_version = |k: &&crate::model::KnownQuirk| {
            k.answer.is_none()
                && report
                    .detected
                    .cocart_version
                    .as_deref()
                    .is_some_and(|v| v.starts_with(&k.cocart))
        };
        if let Some(k) = s
            .known
            .iter()
            .find(|k| by_behaviour(k))
            .or_else(|| s.known.iter().find(|k| by_version(k)))
        {
            return Outcome::Known {
                cocart: k.cocart.clone(),
                note: k.note.clone(),
                diffs,
            };
        }
        Outcome::Differs {
            step,
            request,
            diffs,
            explanations: report.mismatches.clone(),
        }
    }

    async fn pace(&mut self, method: &str, route: &str) {
        if method != "POST" {
            return;
        }
        let (key, limit) = if route.ends_with("jwt/validate-token") {
            ("validate-token", 2)
        } else if route.ends_with("jwt/refresh-token") {
            ("refresh-token", 10)
        } else {
            return;
        };
        let sent = self.sent.entry(key).or_default();
        let wait = pacing_wait(sent, Instant::now(), limit, RATE_WINDOW);
        if self.options.pace && !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        sent.push_back(Instant::now());
    }

    /// Runs one step; what differed when it differs.
    async fn step(&mut self, step: &Step) -> Result<(), Differed> {
        let lookup = |name: &str| self.var(name);
        let request = format!("{} {}", step.request.method, step.request.route);
        let fail = |what: &str, expected: String, actual: String| Differed {
            request: request.clone(),
            diffs: vec![Diff {
                what: what.into(),
                expected,
                actual,
            }],
            answer: None,
        };
        let Some(route) = fill(&step.request.route, &lookup) else {
            return Err(fail(
                "request",
                "all placeholders known".into(),
                "a value is missing".into(),
            ));
        };
        let mut raw = Raw {
            method: step.request.method.clone(),
            route,
            no_user_agent: step.request.no_user_agent,
            ..Default::default()
        };
        for (k, v) in &step.request.query {
            let v = fill(v, &lookup).ok_or_else(|| {
                fail(
                    "request",
                    "all placeholders known".into(),
                    format!("query {k} has none"),
                )
            })?;
            raw.query.push((k.clone(), v));
        }
        for (k, v) in &step.request.headers {
            let name = fill(k, &lookup)
                .ok_or_else(|| fail("request", "a header name".into(), format!("{k} unknown")))?;
            let value = fill(v, &lookup).ok_or_else(|| {
                fail(
                    "request",
                    "all placeholders known".into(),
                    format!("header {name} has none"),
                )
            })?;
            raw.headers.push((name, value));
        }
        if let Some(json) = &step.request.json {
            raw.json = Some(fill(json, &lookup).ok_or_else(|| {
                fail(
                    "request",
                    "all placeholders known".into(),
                    "the body has none".into(),
                )
            })?);
        }
        if let Some(seconds) = step.advance_clock
            && let Err(e) = self.advance_clock(seconds).await
        {
            return Err(fail("mock clock", "advanced".into(), e));
        }
        self.pace(&raw.method, &raw.route).await;
        let answer = match self.prober.raw(&raw).await {
            Ok(a) => a,
            Err(e) => return Err(fail("answer", "an HTTP answer".into(), without_url(&e))),
        };
        let expect = step.expectation(self.profile);
        let diffs = self.compare(expect, &answer);
        if !diffs.is_empty() {
            return Err(Differed {
                request,
                diffs,
                answer: Some(answer),
            });
        }
        // Remember what later steps need.
        for (name, pointer) in &step.capture {
            if let Some(v) = select(&answer.body, pointer, &|n| self.var(n)) {
                let v = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                self.captures.insert(name.clone(), v);
            }
        }
        if answer.status == 200 && !step.rotates.is_empty() {
            let get = |k: &str| {
                step.rotates
                    .get(k)
                    .and_then(|p| select(&answer.body, p, &|_| None))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            if let Some(token) = get("token") {
                self.session.previous_token = self.session.token.replace(token);
                self.session.previous_refresh = match get("refresh") {
                    Some(r) => self.session.refresh.replace(r),
                    None => self.session.refresh.clone(),
                };
            }
        }
        Ok(())
    }

    async fn advance_clock(&self, seconds: i64) -> Result<(), String> {
        let mut url = self.prober.site().clone();
        let base = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base}/__mock/clock"));
        reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({ "advance": seconds }))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map(|_| ())
            .map_err(|e| without_url(&e))
    }

    /// Where `a` differs from `expect`. Every expected value comes from the contract, never
    /// from the answer; once the status differs, only the status is reported (with the error
    /// the store sent, if any), since the other checks were written for the expected status.
    pub(crate) fn compare(&self, expect: &Expect, a: &Answer) -> Vec<Diff> {
        let error = a.error();
        if a.status != expect.status {
            return vec![Diff {
                what: "status".into(),
                expected: describe_status(expect.status, expect.code.as_deref()),
                actual: self.describe_answer(a.status, error.as_ref()),
            }];
        }
        let mut diffs = Vec::new();
        if let Some(code) = &expect.code {
            diffs.extend(self.envelope_diffs(expect, code, error.as_ref()));
        }
        if let Some(message) = &expect.message {
            diffs.extend(self.message_diff(message, a, error.as_ref()));
        }
        diffs.extend(self.body_diffs(expect, a));
        diffs.extend(header_diffs(expect, a));
        if let Some(checks) = &expect.token {
            diffs.extend(self.token_diffs(checks, a));
        }
        diffs
    }

    /// The error envelope: its kind, its `code`, and for a REST one `data.status`.
    fn envelope_diffs(
        &self,
        expect: &Expect,
        code: &str,
        error: Option<&crate::probe::ErrorBody>,
    ) -> Vec<Diff> {
        let want_kind = match expect.envelope {
            Envelope::WpSendJsonError => EnvelopeKind::SendJsonError,
            _ => EnvelopeKind::Rest,
        };
        let wrong_envelope = |actual: String| Diff {
            what: "error envelope".into(),
            expected: format!("{want_kind} with code {code}"),
            actual,
        };
        let e = match error {
            None => return vec![wrong_envelope("no error envelope".into())],
            Some(e) if e.kind != want_kind => return vec![wrong_envelope(self.describe_error(e))],
            Some(e) => e,
        };
        let mut diffs = Vec::new();
        if e.code != code {
            diffs.push(Diff {
                what: "code".into(),
                expected: code.to_string(),
                actual: e.code.clone(),
            });
        }
        if e.kind == EnvelopeKind::Rest && e.data_status != Some(u64::from(expect.status)) {
            diffs.push(Diff {
                what: "envelope data.status".into(),
                expected: expect.status.to_string(),
                actual: e.data_status.map_or("(missing)".into(), |s| s.to_string()),
            });
        }
        diffs
    }

    /// The error's `message` (or the body's top-level `message` when there is no envelope).
    fn message_diff(
        &self,
        message: &str,
        a: &Answer,
        error: Option<&crate::probe::ErrorBody>,
    ) -> Option<Diff> {
        let got = match error {
            Some(e) => e.message.clone(),
            None => a
                .body
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        (got.as_deref() != Some(message)).then(|| Diff {
            what: "message".into(),
            expected: format!("{message:?}"),
            actual: got.map_or("(missing)".into(), |m| self.redact(&format!("{m:?}"))),
        })
    }

    /// Each body pointer whose value fails its matcher (a matcher that does not parse is skipped).
    fn body_diffs(&self, expect: &Expect, a: &Answer) -> Vec<Diff> {
        let mut diffs = Vec::new();
        for (pointer, matcher) in &expect.body {
            let Ok(m) = Matcher::parse(matcher) else {
                continue;
            };
            let got = select(&a.body, pointer, &|n| self.var(n));
            if !m.check(got, &|n| self.var(n)) {
                diffs.push(Diff {
                    what: pointer.clone(),
                    expected: m.describe(),
                    actual: got.map_or("(absent)".into(), |v| short(&self.redact(&v.to_string()))),
                });
            }
        }
        diffs
    }

    /// The token at `checks.at`: present, then its header, lifetime and `pat` as asked.
    fn token_diffs(&self, checks: &crate::model::TokenChecks, a: &Answer) -> Vec<Diff> {
        let Some(token) = select(&a.body, &checks.at, &|_| None).and_then(Value::as_str) else {
            return vec![Diff {
                what: format!("token at {}", checks.at),
                expected: "a JWT".into(),
                actual: "(absent)".into(),
            }];
        };
        let header = checks
            .header
            .as_ref()
            .and_then(|want| token_header_diff(token, want));
        let lifetime = checks
            .lifetime
            .then(|| self.token_lifetime_diff(token))
            .flatten();
        let pat = checks.pat.and_then(|want| token_pat_diff(token, want));
        [header, lifetime, pat].into_iter().flatten().collect()
    }

    /// `exp − iat` against the profile's access-token lifetime.
    fn token_lifetime_diff(&self, token: &str) -> Option<Diff> {
        let got = token_lifetime(token);
        (got != Some(self.profile.access_ttl)).then(|| Diff {
            what: "token exp − iat".into(),
            expected: format!("{} s", self.profile.access_ttl),
            actual: got.map_or("(unreadable)".into(), |s| format!("{s} s")),
        })
    }
}

/// Headers that must be present, then headers that must be absent.
fn header_diffs(expect: &Expect, a: &Answer) -> Vec<Diff> {
    let missing = expect
        .headers
        .iter()
        .filter(|h| a.header(h).is_none())
        .map(|h| (h, "present", "absent"));
    let unwanted = expect
        .no_headers
        .iter()
        .filter(|h| a.header(h).is_some())
        .map(|h| (h, "absent", "present"));
    missing
        .chain(unwanted)
        .map(|(h, expected, actual)| Diff {
            what: format!("header {h}"),
            expected: expected.into(),
            actual: actual.into(),
        })
        .collect()
}

/// The token's decoded header, exactly.
fn token_header_diff(token: &str, want: &str) -> Option<Diff> {
    let got = token_header(token).unwrap_or_default();
    (got != want).then(|| Diff {
        what: "token header".into(),
        expected: want.to_string(),
        actual: got,
    })
}

/// `data.user.pat`: `pat_` and 24 lowercase hex digits when `want`, absent otherwise.
fn token_pat_diff(token: &str, want: bool) -> Option<Diff> {
    let got = token_claim(token, "/data/user/pat").and_then(|v| v.as_str().map(str::to_string));
    let ok = match (&got, want) {
        (Some(p), true) => is_pat(p),
        (None, false) => true,
        _ => false,
    };
    (!ok).then(|| Diff {
        what: "token data.user.pat".into(),
        expected: if want {
            "pat_ + 24 hex".into()
        } else {
            "absent".into()
        },
        actual: got.unwrap_or_else(|| "(absent)".into()),
    })
}

/// `pat_` and 24 lowercase hex digits.
fn is_pat(p: &str) -> bool {
    p.len() == 28
        && p.starts_with("pat_")
        && p[4..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A step that differed: the request, what differed, and the answer (when there was one).
struct Differed {
    request: String,
    diffs: Vec<Diff>,
    answer: Option<Answer>,
}

impl Run<'_> {
    /// `403 cocart_x`, or `403 another envelope (wp_send_json_error) code cocart_x message "…"`.
    fn describe_answer(&self, status: u16, error: Option<&crate::probe::ErrorBody>) -> String {
        match error {
            None => status.to_string(),
            Some(e) => format!("{status} {}", self.describe_error(e)),
        }
    }

    fn describe_error(&self, e: &crate::probe::ErrorBody) -> String {
        let message = e
            .message
            .as_deref()
            .map(|m| format!(" message {}", short(&self.redact(&format!("{m:?}")))))
            .unwrap_or_default();
        match e.kind {
            EnvelopeKind::SendJsonError => format!("{} code {}{message}", e.kind, e.code),
            _ => e.code.clone(),
        }
    }
}

fn describe_status(status: u16, code: Option<&str>) -> String {
    match code {
        Some(c) => format!("{status} {c}"),
        None => status.to_string(),
    }
}

/// The plugin's rate-limit window (60 s) plus a second of margin.
const RATE_WINDOW: Duration = Duration::from_secs(61);

/// How long to wait before one more call when `sent` holds the recent calls' times and at most
/// `limit` may fall in any `window`; forgets the calls that left the window.
fn pacing_wait(
    sent: &mut VecDeque<Instant>,
    now: Instant,
    limit: usize,
    window: Duration,
) -> Duration {
    while sent
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        sent.pop_front();
    }
    if sent.len() < limit {
        return Duration::ZERO;
    }
    let oldest = sent.pop_front().unwrap_or(now);
    window.saturating_sub(now.saturating_duration_since(oldest))
}

/// Every JWT-shaped word and every run of 32 or more hex digits replaced by `[redacted]`.
pub(crate) fn redact_token_shaped(text: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '.');
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hexy = word.len() >= 32 && word.bytes().all(|b| b.is_ascii_hexdigit());
        let jwt = word.len() >= 20 && crate::matcher::is_jwt_shaped(word);
        out.push_str(if hexy || jwt {
            "[redacted]"
        } else {
            word.as_str()
        });
        word.clear();
    };
    for c in text.chars() {
        if is_word(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A text cut to 120 characters.
fn short(s: &str) -> String {
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_token_keeps_its_shape_and_changes() {
        let t = "aaa.bbb.Cc_d";
        let x = tampered(t);
        assert_ne!(x, t);
        assert!(crate::matcher::is_jwt_shaped(&x));
        assert_eq!(x.rsplit_once('.').map(|p| p.0), Some("aaa.bbb"));
    }

    #[test]
    fn the_site_is_shown_without_credentials_or_query() {
        let u = url::Url::parse("https://user:pw@shop.example/base/?token=abc#x").unwrap();
        assert_eq!(display_site(&u), "https://shop.example/base/");
    }

    #[test]
    fn token_shaped_words_are_redacted_wherever_they_are() {
        let hex = "ab".repeat(64);
        let text =
            format!("\"{hex}\" and eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJlLXNpZ24 stay out; 2500 stays");
        let shown = redact_token_shaped(&text);
        assert_eq!(shown, "\"[redacted]\" and [redacted] stay out; 2500 stays");
    }

    #[test]
    fn calls_are_paced_to_the_limit_per_window() {
        let t0 = Instant::now();
        let window = Duration::from_secs(61);
        let mut sent = VecDeque::new();
        assert_eq!(pacing_wait(&mut sent, t0, 2, window), Duration::ZERO);
        sent.push_back(t0);
        sent.push_back(t0 + Duration::from_secs(1));
        // A third call two seconds in waits until the first leaves the window.
        let now = t0 + Duration::from_secs(2);
        assert_eq!(
            pacing_wait(&mut sent, now, 2, window),
            Duration::from_secs(59)
        );
        // Once the window has passed, nothing to wait for.
        let later = t0 + Duration::from_secs(70);
        assert_eq!(pacing_wait(&mut sent, later, 2, window), Duration::ZERO);
        assert!(sent.is_empty());
    }

    /// A run that only compares, with a session of user 42.
    fn judge_fixture() -> (Contract, Profile, Account, Options, Prober) {
        let prober = Prober::new(
            url::Url::parse("http://127.0.0.1:9/").unwrap(),
            Duration::from_secs(1),
            "test",
        )
        .unwrap();
        let account = Account {
            username: "u".into(),
            password: "p4ssword".into(),
        };
        (
            Contract::builtin().unwrap(),
            Profile::default(),
            account,
            Options::default(),
            prober,
        )
    }

    fn empty_report() -> Report {
        Report {
            store: String::new(),
            profile: String::new(),
            detected: Detected::default(),
            mismatches: Vec::new(),
            results: Vec::new(),
            cart_left_as_found: None,
            fatal: None,
            verdict: Verdict::Matched,
        }
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer::from_parts(status, [], body.as_bytes(), Duration::ZERO)
    }

    /// How the runner judges `a` as the answer to the first step of scenario `id`.
    fn judged(id: &str, a: Answer, version: Option<&str>) -> Outcome {
        let (contract, profile, account, options, prober) = judge_fixture();
        let mut run = Run::for_fuzzing(prober, &profile, &account, &options);
        run.session.user_id = Some("42".into());
        let s = contract.scenarios.iter().find(|s| s.id == id).unwrap();
        let diffs = run.compare(s.steps[0].expectation(&profile), &a);
        if diffs.is_empty() {
            return Outcome::Passed;
        }
        let mut report = empty_report();
        report.detected.cocart_version = version.map(str::to_string);
        let differed = Differed {
            request: "GET cocart/v2/cart".into(),
            diffs,
            answer: Some(a),
        };
        run.judge(s, 1, differed, &report)
    }

    const GUEST_BY_ID: &str = "cart.guest-with-a-user-id-key";

    #[test]
    fn the_refusal_of_the_releases_that_refuse_passes() {
        let refused = answer(
            403,
            r#"{"success":false,"data":[{"code":"cocart_must_authenticate_user","message":"Must authenticate customer as the cart key provided is a registered customer."}]}"#,
        );
        assert_eq!(judged(GUEST_BY_ID, refused, None), Outcome::Passed);
    }

    #[test]
    fn the_leak_is_a_known_difference_by_its_behaviour_without_a_version() {
        let leak = answer(200, r#"{"cart_key":"42","items":[]}"#);
        for version in [None, Some("4.9.3"), Some("4.7.0")] {
            match judged(GUEST_BY_ID, leak.clone(), version) {
                Outcome::Known { cocart, diffs, .. } => {
                    assert_eq!(cocart, "4.8.3 to 4.9.3");
                    // Only the status: nothing that cannot apply to a 200.
                    assert_eq!(diffs.len(), 1, "{diffs:?}");
                    assert_eq!(diffs[0].what, "status");
                    assert_eq!(diffs[0].actual, "200");
                }
                other => panic!("{version:?}: {other:?}"),
            }
        }
        // A 200 with another cart is not that behaviour: it differs.
        let other = answer(200, r#"{"cart_key":"t_abc","items":[]}"#);
        assert!(matches!(
            judged(GUEST_BY_ID, other, None),
            Outcome::Differs { .. }
        ));
    }

    #[test]
    fn another_envelope_is_named_with_its_code_and_message() {
        // The REST envelope where wp_send_json_error is expected.
        let rest = answer(
            403,
            r#"{"code":"cocart_must_authenticate_user","message":"Must authenticate as the customer to access this cart.","data":{"status":403}}"#,
        );
        let Outcome::Differs { diffs, .. } = judged(GUEST_BY_ID, rest, None) else {
            panic!("differs")
        };
        assert_eq!(diffs[0].what, "error envelope");
        assert!(diffs[0].actual.contains("cocart_must_authenticate_user"));
        // wp_send_json_error where a REST error is expected, with another status.
        let other = answer(
            403,
            r#"{"success":false,"data":[{"code":"cocart_x","message":"No."}]}"#,
        );
        let Outcome::Differs { diffs, .. } = judged("login.no-credentials", other.clone(), None)
        else {
            panic!("differs")
        };
        assert_eq!(diffs.len(), 1, "only the status once it differs: {diffs:?}");
        assert_eq!(
            diffs[0].actual,
            "403 another envelope (wp_send_json_error) code cocart_x message \"No.\""
        );
        assert!(!diffs.iter().any(|d| d.actual.contains("(none)")));
    }

    #[test]
    fn expectations_never_come_from_the_answer() {
        // A REST envelope whose data.status is missing, with the expected status: the expected
        // data.status is the contract's 401, not the store's own status.
        let a = answer(
            401,
            r#"{"code":"cocart_rest_not_authorized","message":"Sorry, you are not authorized."}"#,
        );
        let Outcome::Differs { diffs, .. } = judged("login.no-credentials", a, None) else {
            panic!("differs")
        };
        assert_eq!(
            (
                diffs[0].what.as_str(),
                diffs[0].expected.as_str(),
                diffs[0].actual.as_str()
            ),
            ("envelope data.status", "401", "(missing)")
        );
    }

    #[test]
    fn exit_codes_are_distinct() {
        let codes = [
            Verdict::Matched,
            Verdict::Differs,
            Verdict::Unreachable,
            Verdict::CannotAuthenticate,
            Verdict::NothingChecked,
        ]
        .map(Verdict::exit_code);
        assert_eq!(codes, [0, 1, 3, 4, 5]);
    }
}

#[cfg(test)]
#[path = "runner_golden_tests.rs"]
mod golden;
