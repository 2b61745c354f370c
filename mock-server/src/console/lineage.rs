//! Token lineage: what happened to each user's tokens, one event per login, refresh, refused
//! request, logout and revocation, each tied to the journaled request that caused it.
//!
//! The auth handlers and the pipeline report what they decided; this module remembers the fate
//! of every token it has seen (live, rotated away by a refresh, revoked by a logout or a control)
//! by fingerprint, so a later refusal can say *why* the token was no good, and a refresh token
//! presented a second time is flagged. Tokens themselves are never kept: only the journal's
//! keyed fingerprints ([`token_fingerprint`]) and the session ids (`pat`) the plugin puts in its
//! access tokens.
//!
//! Lock order: a caller may hold the world lock while it records here; this module never takes
//! the world lock.

use crate::ops::journal::token_fingerprint;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The most events kept (the oldest are dropped), as many as the journal keeps requests.
pub(crate) const LINEAGE_CAPACITY: usize = 100_000;

/// The most token fates remembered per kind; past it they are forgotten (a refusal of a token
/// seen before then reads "unknown").
const MAX_FATES: usize = 400_000;

/// The request that caused an event (cheap to clone: the pipeline makes one per request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestRef {
    /// Its journal position.
    pub(crate) seq: u64,
    /// The method as sent on the wire.
    pub(crate) method: http::Method,
    /// The URI as routed (only its path is shown).
    pub(crate) uri: http::Uri,
    /// Its `X-Mock-Client` label.
    pub(crate) client: Option<Box<str>>,
}

/// What happened, as the console shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    /// A login that answered (a new session, or the same one on a v3 re-login with a token).
    Login,
    /// Basic credentials refused.
    LoginRefused,
    /// A refresh request, accepted or refused.
    Refresh,
    /// A request refused because of its Bearer token.
    Rejection,
    /// `POST cocart/v2/logout` by a signed-in user.
    Logout,
    /// Sessions revoked by a test control (password or email change, deletion, configuration).
    Revocation,
}

/// An access token as the console shows it: its fingerprint, session id and lifetime on the
/// virtual clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AccessView {
    /// The token's fingerprint.
    pub(crate) fingerprint: String,
    /// The `pat` claim (v3), if any.
    pub(crate) pat: Option<String>,
    /// The `iat` claim.
    pub(crate) issued_at: Option<i64>,
    /// The `exp` claim.
    pub(crate) expires_at: Option<i64>,
}

/// A refresh token issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RefreshIssued {
    /// Its fingerprint.
    pub(crate) fingerprint: String,
    /// When it expires (virtual clock), if known.
    pub(crate) expires_at: Option<i64>,
}

/// A refresh token presented, and its state before the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RefreshPresented {
    /// Its fingerprint.
    pub(crate) fingerprint: String,
    /// `live`, `expired`, `rotated away`, `revoked` or `unknown`.
    pub(crate) state: &'static str,
}

/// One lineage event (the console's JSON shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Event {
    /// Increasing event number.
    pub(crate) id: u64,
    /// The journal position of the request that caused it; `None` for a control.
    pub(crate) request: Option<u64>,
    /// `METHOD /path` of that request.
    pub(crate) request_line: Option<String>,
    /// The request's client label.
    pub(crate) client: Option<String>,
    /// The user it concerns, when known.
    pub(crate) user_id: Option<u64>,
    /// When, on the virtual clock.
    pub(crate) at: i64,
    /// What happened.
    pub(crate) kind: Kind,
    /// The status answered (`None` for a control).
    pub(crate) status: Option<u16>,
    /// The error code answered, if any.
    pub(crate) code: Option<String>,
    /// The access token issued (login, refresh) or presented (rejection).
    pub(crate) access: Option<AccessView>,
    /// The refresh token issued.
    pub(crate) refresh_issued: Option<RefreshIssued>,
    /// The refresh token presented (refresh).
    pub(crate) refresh_presented: Option<RefreshPresented>,
    /// The refresh token presented had been presented before.
    pub(crate) reused: bool,
    /// Why a presented access token was refused (rejection).
    pub(crate) token_state: Option<&'static str>,
    /// One sentence for a person; never a secret.
    pub(crate) detail: String,
}

/// What became of a token the console has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Live,
    /// A refresh (event id) replaced it.
    RotatedAway(u64),
    /// A logout or a control (event id) revoked it.
    Revoked(u64),
}

/// A refresh token the console has seen: its owner, its fate and how often it was presented.
#[derive(Debug, Clone, Copy)]
struct RefreshMemo {
    user_id: u64,
    fate: Fate,
    presented: u32,
}

/// A v3 session (`pat`) the console has seen.
#[derive(Debug, Clone, Copy)]
struct PatMemo {
    user_id: u64,
    fate: Fate,
}

#[derive(Debug, Default)]
struct Inner {
    events: VecDeque<Event>,
    next_id: u64,
    refresh: HashMap<String, RefreshMemo>,
    pats: HashMap<String, PatMemo>,
}

/// The lineage log (its own lock; see the module docs for the lock order).
#[derive(Debug, Default)]
pub(crate) struct Lineage {
    inner: Mutex<Inner>,
    /// Bumped on every change (the console's live stream watches it).
    version: AtomicU64,
}

/// Events grouped by user (see [`Lineage::grouped`]).
#[derive(Debug, Default)]
pub(crate) struct Grouped {
    /// By user id: how many events the user has, and the newest of them, oldest first.
    pub(crate) users: BTreeMap<u64, (usize, Vec<Event>)>,
    /// The newest events naming no user, oldest first.
    pub(crate) unattributed: Vec<Event>,
}

/// The state a refresh token presented at a refresh is in, before the refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PresentedRow {
    /// The plugin knows it and it has not expired.
    Live,
    /// The plugin knows it, but it expired.
    Expired,
    /// The plugin does not know it (spent, revoked, or never issued).
    Unknown,
}

/// A refresh request as the handler saw it.
#[derive(Debug)]
pub(crate) struct RefreshSeen<'a> {
    /// The refresh token presented (empty or absent: none).
    pub(crate) presented: Option<&'a str>,
    /// The plugin's row for it before the refresh.
    pub(crate) row: PresentedRow,
    /// The v3 session the presented token belonged to.
    pub(crate) old_pat: Option<&'a str>,
    /// Its owner, when the plugin knows it.
    pub(crate) owner: Option<u64>,
    /// The new pair, when the refresh succeeded: access token, refresh token and its expiry.
    pub(crate) issued: Option<(&'a str, &'a str, i64)>,
    /// The refusal (status, code), when it failed.
    pub(crate) refused: Option<(u16, &'a str)>,
}

/// The claims of an access token the console reads (decoded by the caller).
#[derive(Debug, Clone, Default)]
pub(crate) struct AccessClaims {
    /// `pat`.
    pub(crate) pat: Option<String>,
    /// `iat`.
    pub(crate) iat: Option<i64>,
    /// `exp`.
    pub(crate) exp: Option<i64>,
}

/// The first `n` characters of `s`.
fn short(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// "3 h", "2 min", "40 s", "5 d": a duration for a person.
pub(crate) fn human_duration(secs: i64) -> String {
    let s = secs.unsigned_abs();
    match s {
        0..=119 => format!("{s} s"),
        120..=7_199 => format!("{} min", s / 60),
        7_200..=172_799 => format!("{} h", s / 3_600),
        _ => format!("{} d", s / 86_400),
    }
}

impl Lineage {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A number that changes whenever the lineage does.
    pub(crate) fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// How many events are kept.
    pub(crate) fn len(&self) -> usize {
        self.inner().events.len()
    }

    /// Every event kept, oldest first.
    #[cfg(test)]
    pub(crate) fn events(&self) -> Vec<Event> {
        self.inner().events.iter().cloned().collect()
    }

    /// The newest `per_user` events of each user (oldest first) with how many each has, and
    /// the newest `per_user` events naming no user. Only what is returned is copied.
    pub(crate) fn grouped(&self, per_user: usize) -> Grouped {
        let inner = self.inner();
        let mut users: BTreeMap<u64, (usize, Vec<Event>)> = BTreeMap::new();
        let mut unattributed = Vec::new();
        for e in inner.events.iter().rev() {
            match e.user_id {
                Some(id) => {
                    let (total, list) = users.entry(id).or_default();
                    *total += 1;
                    if list.len() < per_user {
                        list.push(e.clone());
                    }
                }
                None if unattributed.len() < per_user => unattributed.push(e.clone()),
                None => {}
            }
        }
        drop(inner);
        for (_, list) in users.values_mut() {
            list.reverse();
        }
        unattributed.reverse();
        Grouped {
            users,
            unattributed,
        }
    }

    /// Forgets everything (a reset).
    pub(crate) fn clear(&self) {
        *self.inner() = Inner::default();
        self.version.fetch_add(1, Ordering::Relaxed);
    }

    fn push(&self, inner: &mut Inner, mut event: Event) -> u64 {
        let id = inner.next_id;
        inner.next_id += 1;
        event.id = id;
        inner.events.push_back(event);
        while inner.events.len() > LINEAGE_CAPACITY {
            inner.events.pop_front();
        }
        self.version.fetch_add(1, Ordering::Relaxed);
        id
    }

    /// A successful login: a new session (or, on a v3 re-login with a valid token, the same).
    pub(crate) fn login(
        &self,
        req: &RequestRef,
        at: i64,
        user_id: u64,
        access: Option<(&str, AccessClaims)>,
        refresh: Option<(&str, Option<i64>)>,
        same_session: bool,
    ) {
        let mut inner = self.inner();
        let access = access.map(|(token, claims)| view(token, claims));
        if let Some(pat) = access.as_ref().and_then(|a| a.pat.clone()) {
            remember_pat(&mut inner, pat, user_id);
        }
        let refresh_issued = refresh.map(|(token, expires_at)| {
            let fingerprint = token_fingerprint(token);
            remember_refresh(&mut inner, fingerprint.clone(), user_id);
            RefreshIssued {
                fingerprint,
                expires_at,
            }
        });
        let detail = match (&access, same_session) {
            (None, _) => "signed in; no token issued (the JWT plugin has no secret)".to_string(),
            (Some(_), true) => {
                "signed in again with a valid token: the same session and tokens".to_string()
            }
            (Some(a), false) => format!(
                "signed in: a new session{}",
                a.pat
                    .as_deref()
                    .map(|p| format!(" {}", short(p, 12)))
                    .unwrap_or_default()
            ),
        };
        let event = Event {
            access,
            refresh_issued,
            detail,
            ..base(Some(req), at, Some(user_id), Kind::Login, 200)
        };
        self.push(&mut inner, event);
    }

    /// Basic credentials refused at a login (or any CoCart route).
    pub(crate) fn login_refused(
        &self,
        req: &RequestRef,
        at: i64,
        user_id: Option<u64>,
        (status, code): (u16, &str),
    ) {
        let detail = match user_id {
            Some(_) => "Basic credentials refused: wrong password".to_string(),
            None => "Basic credentials refused: no such username or email".to_string(),
        };
        let event = Event {
            code: Some(code.to_string()),
            detail,
            ..base(Some(req), at, user_id, Kind::LoginRefused, status)
        };
        let mut inner = self.inner();
        self.push(&mut inner, event);
    }

    /// A refresh request, accepted or refused. Returns whether the refresh token had been
    /// presented before.
    pub(crate) fn refresh(
        &self,
        req: &RequestRef,
        at: i64,
        seen: RefreshSeen<'_>,
        decode: impl Fn(&str) -> AccessClaims,
    ) -> bool {
        let mut inner = self.inner();
        let fingerprint = seen.presented.map(token_fingerprint);
        let memo = fingerprint
            .as_ref()
            .and_then(|fp| inner.refresh.get(fp).copied());
        let reused = memo.is_some_and(|m| m.presented > 0);
        let user_id = seen.owner.or(memo.map(|m| m.user_id));
        let state = match (seen.row, memo.map(|m| m.fate)) {
            (PresentedRow::Live, _) => "live",
            (PresentedRow::Expired, _) => "expired",
            (PresentedRow::Unknown, Some(Fate::RotatedAway(_))) => "rotated away",
            (PresentedRow::Unknown, Some(Fate::Revoked(_))) => "revoked",
            (PresentedRow::Unknown, _) => "unknown",
        };
        let spent_by = memo.and_then(|m| match m.fate {
            Fate::RotatedAway(by) | Fate::Revoked(by) => Some(by),
            Fate::Live => None,
        });
        let id = inner.next_id;
        if let Some(fp) = &fingerprint {
            let entry = inner.refresh.entry(fp.clone()).or_insert(RefreshMemo {
                user_id: user_id.unwrap_or(0),
                fate: Fate::Live,
                presented: 0,
            });
            entry.presented = entry.presented.saturating_add(1);
            if seen.issued.is_some() {
                entry.fate = Fate::RotatedAway(id);
            }
        }
        let mut event = base(Some(req), at, user_id, Kind::Refresh, 200);
        event.reused = reused;
        event.refresh_presented =
            fingerprint.map(|fingerprint| RefreshPresented { fingerprint, state });
        match seen.issued {
            Some((access, refresh, refresh_exp)) => {
                if let (Some(pat), Some(uid)) = (seen.old_pat, user_id) {
                    let fate = Fate::RotatedAway(id);
                    inner
                        .pats
                        .entry(pat.to_string())
                        .and_modify(|p| p.fate = fate)
                        .or_insert(PatMemo { user_id: uid, fate });
                }
                let access = view(access, decode(access));
                if let (Some(pat), Some(uid)) = (access.pat.clone(), user_id) {
                    remember_pat(&mut inner, pat, uid);
                }
                let fp = token_fingerprint(refresh);
                if let Some(uid) = user_id {
                    remember_refresh(&mut inner, fp.clone(), uid);
                }
                event.access = Some(access);
                event.refresh_issued = Some(RefreshIssued {
                    fingerprint: fp,
                    expires_at: Some(refresh_exp),
                });
                event.detail = if reused {
                    "refreshed with a refresh token presented before: a new pair".to_string()
                } else {
                    "refreshed: the refresh token is spent, a new pair issued".to_string()
                };
            }
            None => {
                let (status, code) = seen.refused.unwrap_or((0, ""));
                event.status = Some(status);
                event.code = (!code.is_empty()).then(|| code.to_string());
                event.detail = match (state, reused, spent_by) {
                    _ if seen.presented.is_none() => {
                        "refused: no refresh token in the request".to_string()
                    }
                    ("rotated away", true, Some(by)) => format!(
                        "refused: this refresh token was presented twice; event {by} had already spent it"
                    ),
                    ("rotated away", _, Some(by)) => {
                        format!("refused: this refresh token was spent by event {by}")
                    }
                    ("revoked", _, Some(by)) => {
                        format!("refused: this refresh token was revoked by event {by}")
                    }
                    ("expired", _, _) => "refused: the refresh token expired".to_string(),
                    ("unknown", _, _) => {
                        "refused: the store never issued this refresh token (or forgot it at a reset)"
                            .to_string()
                    }
                    _ => format!("refused with {status}"),
                };
            }
        }
        self.push(&mut inner, event);
        reused
    }

    /// A request refused because of its Bearer token: `state` is the first check it failed.
    pub(crate) fn rejection(
        &self,
        req: &RequestRef,
        at: i64,
        refused: (u16, &str),
        token: Option<(&str, AccessClaims, Option<u64>)>,
        state: TokenCheck,
    ) {
        let mut inner = self.inner();
        let (access, user_id) = match token {
            Some((token, claims, user)) => (Some(view(token, claims)), user),
            None => (None, None),
        };
        let pat_fate = access
            .as_ref()
            .and_then(|a| a.pat.as_deref())
            .and_then(|p| inner.pats.get(p).copied());
        let token_state = match state {
            TokenCheck::SessionGone => match pat_fate.map(|p| p.fate) {
                Some(Fate::RotatedAway(_)) => "rotated away",
                _ => "revoked",
            },
            other => other.label(),
        };
        let exp = access.as_ref().and_then(|a| a.expires_at);
        let mut detail = match state {
            TokenCheck::Expired => match exp {
                Some(exp) => format!(
                    "the access token expired {} before the request",
                    human_duration(at.saturating_sub(exp))
                ),
                None => "the access token has no expiry".to_string(),
            },
            TokenCheck::SessionGone => match pat_fate.map(|p| p.fate) {
                Some(Fate::RotatedAway(by)) => {
                    format!("its session was replaced by the refresh at event {by}")
                }
                Some(Fate::Revoked(by)) => format!("its session was revoked at event {by}"),
                _ => "its session is gone (revoked, or forgotten at a reset)".to_string(),
            },
            TokenCheck::OtherIp => "the token is bound to another client IP".to_string(),
            TokenCheck::OtherUserAgent => "the token is bound to another User-Agent".to_string(),
            TokenCheck::BadSignature => {
                "the signature does not match the store's secret".to_string()
            }
            TokenCheck::OtherIssuer => "the token was issued by another site".to_string(),
            TokenCheck::UserGone => "the token's user no longer exists".to_string(),
            TokenCheck::NoSecret => "the JWT plugin has no secret configured".to_string(),
            TokenCheck::Malformed => "the token is not one the plugin accepts".to_string(),
            TokenCheck::Passed => "refused although every token check passed".to_string(),
        };
        if state != TokenCheck::SessionGone
            && let Some(Fate::RotatedAway(by) | Fate::Revoked(by)) = pat_fate.map(|p| p.fate)
        {
            detail.push_str(&format!(" (its session had also ended at event {by})"));
        }
        let (status, code) = refused;
        let event = Event {
            code: Some(code.to_string()),
            access,
            token_state: Some(token_state),
            detail,
            ..base(Some(req), at, user_id, Kind::Rejection, status)
        };
        self.push(&mut inner, event);
    }

    /// A logout: every session of the user is revoked.
    pub(crate) fn logout(&self, req: &RequestRef, at: i64, user_id: u64) {
        let mut inner = self.inner();
        let id = inner.next_id;
        let ended = revoke(&mut inner, |uid| uid == user_id, id);
        let event = Event {
            detail: format!("signed out: {ended} session(s) and refresh token(s) revoked"),
            ..base(Some(req), at, Some(user_id), Kind::Logout, 200)
        };
        self.push(&mut inner, event);
    }

    /// A control revoked sessions: one user's (`Some`) or everyone's (`None`).
    pub(crate) fn revoked_by_control(&self, at: i64, user_id: Option<u64>, why: &str) {
        let mut inner = self.inner();
        let id = inner.next_id;
        let ended = revoke(&mut inner, |uid| user_id.is_none_or(|u| u == uid), id);
        let event = Event {
            detail: format!("{why}: {ended} session(s) and refresh token(s) revoked"),
            ..base(None, at, user_id, Kind::Revocation, 0)
        };
        self.push(&mut inner, event);
    }
}

/// The checks of a Bearer token, in the plugin's order; a refusal names the first that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    /// No secret is configured.
    NoSecret,
    /// Not a token the plugin parses (header, payload or a missing claim).
    Malformed,
    /// The signature does not match.
    BadSignature,
    /// `exp` is past.
    Expired,
    /// `iss` is another site.
    OtherIssuer,
    /// The user was deleted.
    UserGone,
    /// Bound to another IP.
    OtherIp,
    /// Bound to another User-Agent.
    OtherUserAgent,
    /// v3: its session (`pat`) is no longer live.
    SessionGone,
    /// Every check passed.
    Passed,
}

impl TokenCheck {
    /// The console's words for it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::NoSecret => "no secret configured",
            Self::Malformed => "malformed",
            Self::BadSignature => "bad signature",
            Self::Expired => "expired",
            Self::OtherIssuer => "issued by another site",
            Self::UserGone => "user deleted",
            Self::OtherIp => "bound to another IP",
            Self::OtherUserAgent => "bound to another User-Agent",
            Self::SessionGone => "revoked",
            Self::Passed => "valid",
        }
    }
}

fn base(req: Option<&RequestRef>, at: i64, user_id: Option<u64>, kind: Kind, status: u16) -> Event {
    Event {
        id: 0,
        request: req.map(|r| r.seq),
        request_line: req.map(|r| format!("{} {}", r.method, r.uri.path())),
        client: req.and_then(|r| r.client.as_deref().map(str::to_string)),
        user_id,
        at,
        kind,
        status: (status != 0).then_some(status),
        code: None,
        access: None,
        refresh_issued: None,
        refresh_presented: None,
        reused: false,
        token_state: None,
        detail: String::new(),
    }
}

fn view(token: &str, claims: AccessClaims) -> AccessView {
    AccessView {
        fingerprint: token_fingerprint(token),
        pat: claims.pat,
        issued_at: claims.iat,
        expires_at: claims.exp,
    }
}

fn remember_pat(inner: &mut Inner, pat: String, user_id: u64) {
    if inner.pats.len() >= MAX_FATES {
        inner.pats.clear();
    }
    inner.pats.entry(pat).or_insert(PatMemo {
        user_id,
        fate: Fate::Live,
    });
}

fn remember_refresh(inner: &mut Inner, fingerprint: String, user_id: u64) {
    if inner.refresh.len() >= MAX_FATES {
        inner.refresh.clear();
    }
    inner.refresh.entry(fingerprint).or_insert(RefreshMemo {
        user_id,
        fate: Fate::Live,
        presented: 0,
    });
}

/// Marks the live sessions and refresh tokens of the users `whose` revoked by event `by`;
/// returns how many sessions ended.
fn revoke(inner: &mut Inner, whose: impl Fn(u64) -> bool, by: u64) -> usize {
    let mut ended = 0;
    for memo in inner.pats.values_mut() {
        if memo.fate == Fate::Live && whose(memo.user_id) {
            memo.fate = Fate::Revoked(by);
            ended += 1;
        }
    }
    let mut refresh = 0;
    for memo in inner.refresh.values_mut() {
        if memo.fate == Fate::Live && whose(memo.user_id) {
            memo.fate = Fate::Revoked(by);
            refresh += 1;
        }
    }
    // v2 has no sessions: count its refresh tokens instead.
    ended.max(refresh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    fn req(seq: u64) -> RequestRef {
        RequestRef {
            seq,
            method: http::Method::POST,
            uri: http::Uri::from_static("/wp-json/cocart/jwt/refresh-token"),
            client: Some("app-1".into()),
        }
    }

    fn claims(pat: &str, iat: i64, exp: i64) -> AccessClaims {
        AccessClaims {
            pat: Some(pat.into()),
            iat: Some(iat),
            exp: Some(exp),
        }
    }

    fn refresh_seen<'a>(
        presented: &'a str,
        row: PresentedRow,
        old_pat: Option<&'a str>,
        issued: Option<(&'a str, &'a str, i64)>,
    ) -> RefreshSeen<'a> {
        RefreshSeen {
            presented: Some(presented),
            row,
            old_pat,
            owner: (row != PresentedRow::Unknown).then_some(1),
            issued,
            refused: issued
                .is_none()
                .then_some((403, "cocart_authentication_error")),
        }
    }

    #[test]
    fn a_refresh_spends_its_token_and_rotates_its_session_away() {
        let l = Lineage::default();
        l.login(
            &req(0),
            100,
            1,
            Some(("jwt-a", claims("pat_a", 100, 200))),
            Some(("refresh-a", Some(1000))),
            false,
        );
        let reused = l.refresh(
            &req(1),
            150,
            refresh_seen(
                "refresh-a",
                PresentedRow::Live,
                Some("pat_a"),
                Some(("jwt-b", "refresh-b", 1150)),
            ),
            |_| claims("pat_b", 150, 250),
        );
        assert!(!reused);
        // The old access token is refused later: its session was rotated away by event 1.
        l.rejection(
            &req(2),
            160,
            (403, "cocart_authentication_error"),
            Some(("jwt-a", claims("pat_a", 100, 200), Some(1))),
            TokenCheck::SessionGone,
        );
        // The spent refresh token presented again: flagged.
        let reused = l.refresh(
            &req(3),
            170,
            refresh_seen("refresh-a", PresentedRow::Unknown, None, None),
            |_| AccessClaims::default(),
        );
        assert!(reused);
        let events = l.events();
        assert_eq!(events.len(), 4);
        assert_eq!(events[0].kind, Kind::Login);
        assert_eq!(
            events[0]
                .refresh_issued
                .as_ref()
                .map(|r| r.fingerprint.clone()),
            Some(token_fingerprint("refresh-a"))
        );
        let spent = &events[1];
        assert_eq!(
            spent.refresh_presented.as_ref().map(|p| p.state),
            Some("live")
        );
        assert_eq!(
            spent.access.as_ref().and_then(|a| a.pat.as_deref()),
            Some("pat_b")
        );
        assert_eq!(spent.request, Some(1));
        assert_eq!(events[2].token_state, Some("rotated away"));
        assert!(events[2].detail.contains("event 1"), "{}", events[2].detail);
        let again = &events[3];
        assert!(again.reused);
        assert_eq!(
            again.refresh_presented.as_ref().map(|p| p.state),
            Some("rotated away")
        );
        assert_eq!(again.status, Some(403));
        assert_eq!(again.user_id, Some(1), "the owner is remembered");
        // Nothing secret in what the console serves.
        let json = serde_json::to_string(&events).unwrap();
        for secret in ["jwt-a", "jwt-b", "refresh-a", "refresh-b"] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
    }

    #[test]
    fn a_logout_revokes_and_a_control_revokes_only_its_user() {
        let l = Lineage::default();
        for (user, pat, refresh) in [(1, "pat_a", "ra"), (2, "pat_b", "rb")] {
            l.login(
                &req(0),
                0,
                user,
                Some(("jwt", claims(pat, 0, 10))),
                Some((refresh, None)),
                false,
            );
        }
        l.logout(&req(1), 5, 1);
        l.revoked_by_control(6, Some(2), "password changed");
        l.rejection(
            &req(2),
            7,
            (403, "x"),
            Some(("jwt", claims("pat_a", 0, 10), Some(1))),
            TokenCheck::SessionGone,
        );
        let events = l.events();
        assert_eq!(events[2].kind, Kind::Logout);
        assert!(
            events[2].detail.contains("1 session"),
            "{}",
            events[2].detail
        );
        assert_eq!(events[3].kind, Kind::Revocation);
        assert_eq!(events[3].request, None);
        assert!(events[3].detail.starts_with("password changed: 1 session"));
        assert_eq!(events[4].token_state, Some("revoked"));
        assert!(events[4].detail.contains("event 2"), "{}", events[4].detail);
    }

    #[test]
    fn a_rejection_names_its_check_and_an_expiry_says_how_long_ago() {
        let l = Lineage::default();
        l.rejection(
            &req(0),
            1_000 + 7_200,
            (403, "cocart_authentication_error"),
            Some(("jwt", claims("pat_x", 0, 1_000), Some(1))),
            TokenCheck::Expired,
        );
        for check in [
            TokenCheck::OtherIp,
            TokenCheck::OtherUserAgent,
            TokenCheck::BadSignature,
        ] {
            l.rejection(&req(1), 0, (403, "c"), None, check);
        }
        let events = l.events();
        assert_eq!(events[0].token_state, Some("expired"));
        assert!(
            events[0].detail.contains("2 h before"),
            "{}",
            events[0].detail
        );
        let states: Vec<_> = events[1..].iter().map(|e| e.token_state).collect();
        assert_eq!(
            states,
            [
                Some("bound to another IP"),
                Some("bound to another User-Agent"),
                Some("bad signature")
            ]
        );
        assert_eq!(events[1].user_id, None, "no verified token, no user");
    }

    #[test]
    fn the_log_keeps_only_the_newest_events_and_a_reset_forgets_all() {
        let l = Lineage::default();
        for i in 0..LINEAGE_CAPACITY + 3 {
            l.logout(&req(i as u64), 0, 1);
        }
        let events = l.events();
        assert_eq!(events.len(), LINEAGE_CAPACITY);
        assert_eq!(events[0].id, 3);
        let before = l.version();
        l.clear();
        assert_eq!(l.len(), 0);
        assert_ne!(l.version(), before);
    }

    #[test]
    fn durations_read_like_a_person_would_say_them() {
        assert_eq!(human_duration(40), "40 s");
        assert_eq!(human_duration(-180), "3 min");
        assert_eq!(human_duration(3 * 3_600), "3 h");
        assert_eq!(human_duration(10 * 86_400), "10 d");
    }

    /// One step of the model: a user logs in, a refresh presents a token (by index among those
    /// issued so far, or one never issued), or a user logs out.
    #[derive(Debug, Clone)]
    enum Op {
        Login(u64),
        Refresh(usize),
        RefreshUnknown,
        Logout(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1u64..4).prop_map(Op::Login),
            (0usize..16).prop_map(Op::Refresh),
            Just(Op::RefreshUnknown),
            (1u64..4).prop_map(Op::Logout),
        ]
    }

    /// The model's fate of a refresh token.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum ModelFate {
        Live,
        Spent,
        Revoked,
    }

    proptest! {
        /// Against a model of the plugin: a refresh is flagged as presented twice exactly when
        /// its token was presented before, and the state it reports is the token's fate in
        /// the model (live, spent = rotated away, revoked by a logout, or never issued).
        #[test]
        fn presented_twice_and_token_states_follow_the_model(ops in proptest::collection::vec(op(), 1..60)) {
            let l = Lineage::default();
            let mut issued: Vec<(String, u64)> = Vec::new();
            let mut fate: HashMap<String, ModelFate> = HashMap::new();
            let mut presented: HashSet<String> = HashSet::new();
            let mut n = 0u64;
            for (seq, op) in ops.into_iter().enumerate() {
                let seq = seq as u64;
                match op {
                    Op::Login(user) => {
                        n += 1;
                        let r = format!("refresh-{n}");
                        l.login(&req(seq), 0, user, None, Some((&r, None)), false);
                        issued.push((r.clone(), user));
                        fate.insert(r, ModelFate::Live);
                    }
                    Op::Logout(user) => {
                        l.logout(&req(seq), 0, user);
                        for (r, owner) in &issued {
                            if *owner == user && fate[r] == ModelFate::Live {
                                fate.insert(r.clone(), ModelFate::Revoked);
                            }
                        }
                    }
                    Op::Refresh(_) | Op::RefreshUnknown => {
                        let (token, owner) = match op {
                            Op::Refresh(i) if !issued.is_empty() => issued[i % issued.len()].clone(),
                            _ => { n += 1; (format!("never-{n}"), 0) }
                        };
                        let model = fate.get(&token).copied();
                        let live = model == Some(ModelFate::Live);
                        n += 1;
                        let new = format!("refresh-{n}");
                        let seen = RefreshSeen {
                            presented: Some(&token),
                            row: if live { PresentedRow::Live } else { PresentedRow::Unknown },
                            old_pat: None,
                            owner: live.then_some(owner),
                            issued: live.then_some(("jwt", new.as_str(), 0)),
                            refused: (!live).then_some((403, "cocart_authentication_error")),
                        };
                        let reused = l.refresh(&req(seq), 0, seen, |_| AccessClaims::default());
                        prop_assert_eq!(reused, presented.contains(&token));
                        presented.insert(token.clone());
                        let event = l.events().pop().unwrap();
                        let want = match model {
                            Some(ModelFate::Live) => "live",
                            Some(ModelFate::Spent) => "rotated away",
                            Some(ModelFate::Revoked) => "revoked",
                            None => "unknown",
                        };
                        prop_assert_eq!(event.refresh_presented.map(|p| p.state), Some(want));
                        prop_assert_eq!(event.reused, reused);
                        if live {
                            fate.insert(token, ModelFate::Spent);
                            issued.push((new.clone(), owner));
                            fate.insert(new, ModelFate::Live);
                        }
                    }
                }
            }
        }
    }
}
