//! A model of the store: CoCart's login and logout routes and the JWT plugin's token rules, v3
//! and v2, written from the plugin's HTTP contract (it shares no code with `cocart-mock`).
//!
//! - **v3**: every login mints a new session (access token + refresh token). A refresh token is
//!   single-use; using it ends its session (the old access token dies too) and mints a new one.
//!   Logout ends every session of the user. Errors are 403.
//! - **v2**: one refresh token per user, replaced by every refresh and every login; a login hands
//!   back the stored access token while it is unexpired. Access tokens are stateless: valid until
//!   `exp`, whatever happens (logout only deletes the refresh token). Errors are 401.
//!
//! Tokens are real compact JWTs (`iat`, `exp`, `data.user.id`, `data.user.pat`) with a random
//! signature; the model recognises its own tokens by their exact text. Refresh tokens are 128
//! lowercase hex characters. Every token is numbered in issue order, and the trace shows those
//! numbers, never a token.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use cocart::simulation::{SimRequest, SimResponse};
use http::{HeaderMap, HeaderValue, Method};
use serde_json::{Value, json};

use crate::rng::Rng;

/// The one customer of the simulated store.
pub const USERNAME: &str = "jane";
/// Her password (a secret: I6 looks for it everywhere).
pub const PASSWORD: &str = "pw-7f3c9e1d2b-sim";
const USER_ID: u64 = 7;
const JWT_HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Which plugin major version the store runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// 2.x: 401 errors, one refresh token per user, stateless access tokens.
    V2,
    /// 3.x: 403 errors, server-side sessions, rotation ends the old access token.
    V3,
}

/// An access token the store issued.
#[derive(Debug, Clone)]
pub struct Access {
    /// The JWT.
    pub token: String,
    /// Its `exp` (store clock, Unix seconds).
    pub exp: i64,
    /// Its `data.user.pat`.
    pub pat: String,
    /// v3: its session still exists (v2 ignores this).
    pub alive: bool,
}

/// A refresh token the store issued; its index is the pair's number.
#[derive(Debug, Clone)]
pub struct Refresh {
    /// The 128-hex token.
    pub token: String,
    /// The access token issued with it.
    pub access: usize,
    /// Not used, not revoked.
    pub alive: bool,
    /// Why it died, when it did.
    pub killed_by: Option<Kill>,
    /// Minted by a login (not a rotation).
    pub from_login: bool,
}

/// What ended a refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kill {
    /// It was presented and rotated.
    Rotation,
    /// A logout revoked it.
    Logout,
    /// v2: a login replaced the user's single refresh token.
    Login,
}

/// What a refresh-token request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Rotated: the presented pair number and the new one.
    Rotated { old: usize, new: usize },
    /// Refused ("Invalid refresh token."); the pair number if the token was ever issued.
    Refused { old: Option<usize> },
    /// Not a refresh request the model understood (no body).
    Malformed,
}

/// What the store did with one request (for the world's records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Login: the pair it handed out.
    Login { pair: usize },
    /// A refresh presentation.
    Refresh(RefreshOutcome),
    /// Logout of the user (with a valid token).
    Logout,
    /// An authenticated (or guest) read.
    Read { authenticated: bool },
    /// The request's Bearer token was refused.
    TokenRefused,
    /// Anything else (unknown route, bad credentials).
    Other,
}

/// The store's token tables.
#[derive(Debug)]
pub struct Plugin {
    /// v2 or v3 rules.
    pub version: Version,
    /// Access-token lifetime in seconds (the `cocart_jwt_auth_expire` filter).
    pub lifetime: i64,
    /// Every access token issued, in order.
    pub access: Vec<Access>,
    /// Every refresh token issued, in order (index = pair number).
    pub refresh: Vec<Refresh>,
    by_access: BTreeMap<String, usize>,
    by_refresh: BTreeMap<String, usize>,
    by_pat: BTreeMap<String, usize>,
    /// v2: the user's stored access token (handed back by a login while unexpired).
    v2_stored: Option<usize>,
}

impl Plugin {
    /// An empty store.
    pub fn new(version: Version, lifetime: i64) -> Self {
        Self {
            version,
            lifetime,
            access: Vec::new(),
            refresh: Vec::new(),
            by_access: BTreeMap::new(),
            by_refresh: BTreeMap::new(),
            by_pat: BTreeMap::new(),
            v2_stored: None,
        }
    }

    /// The number of pairs issued so far (the next pair's number).
    pub fn issued(&self) -> usize {
        self.refresh.len()
    }

    /// The pair number of a refresh token.
    pub fn pair_of_refresh(&self, token: &str) -> Option<usize> {
        self.by_refresh.get(token).copied()
    }

    /// The access-token number of an access token.
    pub fn access_of(&self, token: &str) -> Option<usize> {
        self.by_access.get(token).copied()
    }

    /// The access-token number of a `pat` claim.
    pub fn access_of_pat(&self, pat: &str) -> Option<usize> {
        self.by_pat.get(pat).copied()
    }

    /// Whether a refresh token would be accepted now.
    pub fn refresh_alive(&self, token: &str) -> bool {
        self.pair_of_refresh(token)
            .is_some_and(|i| self.refresh[i].alive)
    }

    /// Every secret the store ever issued (for I6).
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .access
            .iter()
            // The header part is the same for every token: look for payload and signature.
            .filter_map(|a| a.token.split_once('.').map(|(_, rest)| rest.to_string()))
            .collect();
        out.extend(self.refresh.iter().map(|r| r.token[..32].to_string()));
        out
    }

    fn mint_access(&mut self, rng: &mut Rng, now: i64) -> usize {
        let n = self.access.len();
        let pat = format!("pat_{}", rng.hex(12));
        let payload = json!({
            "iss": "http://shop.sim",
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "data": {"user": {"id": USER_ID, "username": USERNAME, "ip": "10.0.0.1", "device": "", "pat": pat}},
        });
        let sig = URL_SAFE_NO_PAD.encode(rng.hex(32).as_bytes());
        let token = format!(
            "{JWT_HEADER}.{}.{sig}",
            URL_SAFE_NO_PAD.encode(payload.to_string().as_bytes())
        );
        self.by_access.insert(token.clone(), n);
        self.by_pat.insert(pat.clone(), n);
        self.access.push(Access {
            token,
            exp: now + self.lifetime,
            pat,
            alive: true,
        });
        n
    }

    fn mint_refresh(&mut self, rng: &mut Rng, access: usize) -> usize {
        let n = self.refresh.len();
        let token = rng.hex(64);
        self.by_refresh.insert(token.clone(), n);
        self.refresh.push(Refresh {
            token,
            access,
            alive: true,
            killed_by: None,
            from_login: false,
        });
        n
    }

    fn error_status(&self) -> u16 {
        match self.version {
            Version::V2 => 401,
            Version::V3 => 403,
        }
    }

    /// The user a Bearer header authenticates: `Ok(None)` guest, `Err` refused.
    fn authenticate(&self, headers: &HeaderMap, now: i64) -> Result<Option<usize>, ()> {
        let Some(value) = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Ok(None);
        };
        let Some(token) = value.strip_prefix("Bearer ") else {
            return Ok(None);
        };
        let Some(i) = self.access_of(token.trim()) else {
            return Err(());
        };
        let a = &self.access[i];
        let alive = match self.version {
            Version::V3 => a.alive,
            Version::V2 => true,
        };
        if alive && now <= a.exp {
            Ok(Some(i))
        } else {
            Err(())
        }
    }

    /// Handles one request at store time `now`.
    pub fn handle(&mut self, rng: &mut Rng, req: &SimRequest, now: i64) -> (SimResponse, Effect) {
        let path = req.url.path().trim_end_matches('/');
        let route = path.strip_prefix("/wp-json/").unwrap_or(path);
        match (req.method.clone(), route) {
            (Method::POST, "cocart/v2/login") => self.login(rng, req, now),
            (Method::POST, "cocart/jwt/refresh-token") => self.refresh_token(rng, req, now),
            (Method::POST, "cocart/v2/logout") => match self.authenticate(&req.headers, now) {
                Err(()) => (self.auth_failed(), Effect::TokenRefused),
                Ok(None) => (answer(200, json!(true)), Effect::Other),
                Ok(Some(_)) => {
                    self.logout();
                    (answer(200, json!(true)), Effect::Logout)
                }
            },
            (Method::GET, "cocart/v2/cart/items/count") => {
                match self.authenticate(&req.headers, now) {
                    Err(()) => (self.auth_failed(), Effect::TokenRefused),
                    Ok(user) => (
                        answer(200, json!(if user.is_some() { 3 } else { 0 })),
                        Effect::Read {
                            authenticated: user.is_some(),
                        },
                    ),
                }
            }
            _ => (
                error(
                    404,
                    "rest_no_route",
                    "No route was found matching the URL and request method.",
                ),
                Effect::Other,
            ),
        }
    }

    fn auth_failed(&self) -> SimResponse {
        error(
            self.error_status(),
            "cocart_authentication_error",
            "Authentication failed.",
        )
    }

    fn login(&mut self, rng: &mut Rng, req: &SimRequest, now: i64) -> (SimResponse, Effect) {
        let expected = format!(
            "Basic {}",
            STANDARD.encode(format!("{USERNAME}:{PASSWORD}"))
        );
        let given = req
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if given != Some(expected.as_str()) {
            return (
                error(
                    401,
                    "cocart_authentication_error",
                    "The password you entered is incorrect.",
                ),
                Effect::Other,
            );
        }
        let access = match self.version {
            Version::V3 => self.mint_access(rng, now),
            Version::V2 => {
                // One refresh token per user: a login replaces it.
                kill_all(&mut self.refresh, Kill::Login);
                match self.v2_stored {
                    Some(i) if now <= self.access[i].exp => i,
                    _ => self.mint_access(rng, now),
                }
            }
        };
        self.v2_stored = Some(access);
        let pair = self.mint_refresh(rng, access);
        self.refresh[pair].from_login = true;
        let body = json!({
            "user_id": USER_ID.to_string(),
            "first_name": "Jane",
            "last_name": "Doe",
            "display_name": "jane",
            "role": "Customer",
            "avatar_urls": {},
            "email": "jane@example.com",
            "extras": {"jwt_token": self.access[access].token, "jwt_refresh": self.refresh[pair].token},
            "dev_note": "Don't forget to store the users login information in order to authenticate all other routes with CoCart.",
        });
        (answer(200, body), Effect::Login { pair })
    }

    fn refresh_token(
        &mut self,
        rng: &mut Rng,
        req: &SimRequest,
        now: i64,
    ) -> (SimResponse, Effect) {
        let presented = serde_json::from_slice::<Value>(&req.body)
            .ok()
            .and_then(|v| {
                v.get("refresh_token")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        let Some(presented) = presented.filter(|t| !t.is_empty()) else {
            let status = self.error_status();
            return (
                error(
                    status,
                    "cocart_jwt_auth_missing_refresh_token",
                    "Refresh token is required.",
                ),
                Effect::Refresh(RefreshOutcome::Malformed),
            );
        };
        let old = self.pair_of_refresh(&presented);
        let Some(old_pair) = old.filter(|&i| self.refresh[i].alive) else {
            return (
                error(
                    self.error_status(),
                    "cocart_authentication_error",
                    "Invalid refresh token.",
                ),
                Effect::Refresh(RefreshOutcome::Refused { old }),
            );
        };
        self.refresh[old_pair].alive = false;
        self.refresh[old_pair].killed_by = Some(Kill::Rotation);
        if self.version == Version::V3 {
            let old_access = self.refresh[old_pair].access;
            self.access[old_access].alive = false;
        }
        let access = self.mint_access(rng, now);
        self.v2_stored = Some(access);
        let new = self.mint_refresh(rng, access);
        let body =
            json!({"token": self.access[access].token, "refresh_token": self.refresh[new].token});
        (
            answer(200, body),
            Effect::Refresh(RefreshOutcome::Rotated { old: old_pair, new }),
        )
    }

    /// `wp_logout`: v3 ends every session; v2 deletes the refresh token and the stored token
    /// (access tokens already issued stay valid until they expire).
    fn logout(&mut self) {
        kill_all(&mut self.refresh, Kill::Logout);
        self.v2_stored = None;
        if self.version == Version::V3 {
            for a in &mut self.access {
                a.alive = false;
            }
        }
    }
}

fn kill_all(tokens: &mut [Refresh], why: Kill) {
    for r in tokens.iter_mut().filter(|r| r.alive) {
        r.alive = false;
        r.killed_by = Some(why);
    }
}

/// A JSON answer.
pub fn answer(status: u16, body: Value) -> SimResponse {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    SimResponse {
        status,
        headers,
        body: Bytes::from(body.to_string()),
    }
}

/// A WordPress REST error envelope.
pub fn error(status: u16, code: &str, message: &str) -> SimResponse {
    answer(
        status,
        json!({"code": code, "message": message, "data": {"status": status}}),
    )
}
