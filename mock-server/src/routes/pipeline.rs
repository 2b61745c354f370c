//! What happens to every request before and after the router:
//!
//! 1. WordPress rewrites (`?rest_route=`, trailing slash, method override).
//! 2. For store routes (`/wp-json/...`): body buffering (413 over the limit), scheduled faults,
//!    authentication (the [`Caller`](crate::caller::Caller) extension, or the auth error that fails
//!    the request), the rate limiter, the handler, CoCart's response headers, and the journal.
//!
//! `/__mock/` routes skip step 2.

use super::trace::{RequestTrace, is_lineage_route};
use super::{body, rewrite};
use crate::auth::authenticate::{AuthOutcome, RequestInfo, authenticate, finish, is_cocart_path};
use crate::auth::errors::critical_error;
use crate::caller::{AuthKind, Caller};
use crate::console::lineage::RequestRef;
use crate::console::observe;
use crate::error::ApiError;
use crate::fast::auth_memo::{AuthMemo, prepare_remembered};
use crate::headers::{COCART_VERSION, NO_CACHE, TIMESTAMP_HEADER, VERSION_HEADER};
use crate::ops::faults::Fault;
use crate::ops::journal::{Arrived, TokenNote, client_label};
use crate::ops::rate_limit::{REFRESH_ROUTE, RateHeaders};
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Method, Request, Uri};
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use tower::ServiceExt;

/// The request must end without an HTTP response (a `drop` fault): the connection is closed.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a scheduled fault")
    }
}

impl std::error::Error for DropConnection {}

/// What the pipeline keeps per connection: the TCP peer and, with fast paths on, what
/// authentication remembers of the connection's last request.
#[derive(Debug)]
pub(crate) struct Connection {
    peer: SocketAddr,
    auth: Mutex<AuthMemo>,
}

impl Connection {
    /// A new connection from `peer`.
    pub(crate) fn new(peer: SocketAddr) -> Self {
        Self {
            peer,
            auth: Mutex::new(AuthMemo::default()),
        }
    }

    fn auth(&self) -> MutexGuard<'_, AuthMemo> {
        self.auth.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Handles one request end to end.
pub(crate) async fn handle(
    state: AppState,
    app: Router,
    mut req: Request<Body>,
    conn: &Connection,
) -> Result<Response, DropConnection> {
    let wire_method = req.method().clone();
    rewrite::apply(&mut req);
    if !rewrite::is_rest_path(req.uri().path()) {
        return Ok(call(app, req, conn.peer).await);
    }
    let (parts, body) = req.into_parts();
    // Journaled now: the entry stays (status 0) even if the client gives up before the answer.
    let mut journal = Pending::arrive(&state, wire_method, parts.uri.clone(), &parts.headers);
    let (Ok(ending) | Err(ending)) =
        serve_store(&state, app, parts, body, conn, &mut journal).await;
    journal.end(ending)
}

/// How a store request ends: an answer (with the credentials the journal records), or the
/// connection dropped.
enum Ending {
    Answer(Response, AuthKind),
    Drop(AuthKind),
}

/// A store request after its arrival is journaled: body, faults, authentication, rate limit,
/// then the handler and CoCart's headers. `Err` is an ending before the handler.
async fn serve_store(
    state: &AppState,
    app: Router,
    parts: Parts,
    body: Body,
    conn: &Connection,
    journal: &mut Pending<'_>,
) -> Result<Ending, Ending> {
    let bytes = read_body(&parts, body).await?;
    let gate = admit_with_faults(state, &parts, &bytes, conn, journal).await?;
    if let Some(error) = &gate.outcome.error {
        let info = RequestInfo {
            method: &parts.method,
            path: parts.uri.path(),
            headers: &parts.headers,
            raw_query: parts.uri.query(),
            body: &bytes,
            peer: conn.peer,
        };
        observe::refused(
            state,
            &info,
            gate.outcome.presented,
            error,
            &journal.request_ref(&parts.headers),
        );
    }
    let (caller, rate) = refuse_or_admit(gate).map_err(|r| r.into_ending(journal, state))?;
    let auth = caller.auth;
    let authenticated = caller.user_id.is_some();
    journal.user = caller.user_id;
    // Only the auth routes report to the console's lineage: other requests build no reference.
    let request = is_lineage_route(parts.uri.path()).then(|| journal.request_ref(&parts.headers));
    let note = (journal.note.clone(), request);
    let resp = dispatch(state, app, parts, bytes, caller, note, conn.peer).await;
    let resp = decorate(
        resp,
        journal.path(),
        state.now(),
        authenticated,
        rate.as_ref(),
    );
    Ok(Ending::Answer(resp, auth))
}

/// The body, buffered: over the limit is a 413 (without CoCart's headers), a broken body drops
/// the connection.
async fn read_body(parts: &Parts, body: Body) -> Result<Bytes, Ending> {
    match body::read(&parts.headers, body).await {
        Ok(b) => Ok(b),
        Err(body::BodyError::TooLarge(e)) => Err(Ending::Answer(e.into_response(), AuthKind::None)),
        Err(body::BodyError::Broken) => Err(Ending::Drop(AuthKind::None)),
    }
}

/// Admits the request and plays a scheduled fault: a drop, a critical error, or a delay (the
/// entry journaled with status 0 meanwhile) after which the request is admitted again.
async fn admit_with_faults(
    state: &AppState,
    parts: &Parts,
    bytes: &Bytes,
    conn: &Connection,
    journal: &Pending<'_>,
) -> Result<Gate, Ending> {
    let gate = admit(state, parts, bytes, conn, true);
    match gate.fault {
        Some(Fault::Drop) => Err(Ending::Drop(gate.outcome.presented)),
        Some(Fault::Status(code)) => Err(Ending::Answer(
            refusal(critical_error(code).into_response(), journal, state),
            gate.outcome.presented,
        )),
        Some(Fault::Delay(d)) => {
            journal.record(0, gate.outcome.presented);
            tokio::time::sleep(d).await;
            Ok(admit(state, parts, bytes, conn, false))
        }
        None => Ok(gate),
    }
}

/// The caller and the rate-limit headers, or the refusal: credentials that fail the request
/// (journaled as presented), or the rate limiter (journaled as the caller's).
fn refuse_or_admit(gate: Gate) -> Result<(Caller, Option<RateHeaders>), Refused> {
    let Gate { outcome, rate, .. } = gate;
    if let Some(error) = outcome.error {
        return Err(Refused {
            error,
            auth: outcome.presented,
        });
    }
    match rate {
        Some(Err(error)) => Err(Refused {
            error,
            auth: outcome.caller.auth,
        }),
        Some(Ok(headers)) => Ok((outcome.caller, Some(headers))),
        None => Ok((outcome.caller, None)),
    }
}

/// A request refused by authentication or the rate limiter, and the credentials to journal.
struct Refused {
    error: ApiError,
    auth: AuthKind,
}

impl Refused {
    fn into_ending(self, journal: &Pending<'_>, state: &AppState) -> Ending {
        Ending::Answer(
            refusal(self.error.into_response(), journal, state),
            self.auth,
        )
    }
}

/// An answer given before the handler, with CoCart's headers as for a guest.
fn refusal(resp: Response, journal: &Pending<'_>, state: &AppState) -> Response {
    decorate(resp, journal.path(), state.now(), false, None)
}

/// Runs the handler: the cart read without the router when a fast path allows it, else the
/// router with the caller and the journal's token note as extensions.
async fn dispatch(
    state: &AppState,
    app: Router,
    parts: Parts,
    bytes: Bytes,
    caller: Caller,
    (note, request): (TokenNote, Option<RequestRef>),
    peer: SocketAddr,
) -> Response {
    if state.fast.skips_router(&parts.method, parts.uri.path()) {
        let Parts {
            method,
            uri,
            headers,
            ..
        } = parts;
        let query = uri.query().map(str::to_string);
        let mut resp = crate::shop::cart_routes::get_cart_direct(
            state.clone(),
            caller,
            method,
            headers,
            query,
            bytes,
        );
        set_content_length(&mut resp);
        resp
    } else {
        let mut req = Request::from_parts(parts, Body::from(bytes));
        req.extensions_mut().insert(caller);
        req.extensions_mut().insert(RequestTrace { note, request });
        call(app, req, peer).await
    }
}

/// What axum's router does to a routed response: a `Content-Length` from an exact body size.
fn set_content_length(resp: &mut Response) {
    use axum::body::HttpBody as _;
    if resp.headers().contains_key(http::header::CONTENT_LENGTH) {
        return;
    }
    if let Some(size) = resp.body().size_hint().exact() {
        let value = HeaderValue::from(size);
        resp.headers_mut()
            .insert(http::header::CONTENT_LENGTH, value);
    }
}

/// Routes a request (with the peer address for axum's `ConnectInfo`).
async fn call(app: Router, mut req: Request<Body>, peer: SocketAddr) -> Response {
    req.extensions_mut().insert(ConnectInfo(peer));
    match app.oneshot(req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}

/// The pre-handler decisions; the world lock is taken once, after the token checks.
struct Gate {
    fault: Option<Fault>,
    outcome: AuthOutcome,
    rate: Option<Result<RateHeaders, ApiError>>,
}

fn admit(
    state: &AppState,
    parts: &Parts,
    body: &Bytes,
    conn: &Connection,
    take_fault: bool,
) -> Gate {
    let now = state.now();
    let peer = conn.peer;
    let info = RequestInfo {
        method: &parts.method,
        path: parts.uri.path(),
        headers: &parts.headers,
        raw_query: parts.uri.query(),
        body,
        peer,
    };
    // With fast paths on, the credentials are read and the token checked before the lock.
    let prepared = state
        .fast
        .on()
        .then(|| prepare_remembered(&state.fast, &mut conn.auth(), &state.site_url, now, &info));
    let mut world = state.world();
    let fault = if take_fault {
        world.ops.faults.take(info.path)
    } else {
        None
    };
    let outcome = match prepared {
        Some((settings, prepared)) if settings.matches(&world.config) => {
            finish(&world, &settings, prepared)
        }
        other => {
            if other.is_some() {
                // The configuration changed under the copy: update it, decide on the plain path.
                state.fast.settings_changed(&world.config);
            }
            state.fast.count_plain_auth();
            authenticate(&world, &state.site_url, now, &info)
        }
    };
    let rate = if fault.is_none() && outcome.error.is_none() && world.config.rate_limit {
        world.ops.rate.check(info.path, &outcome.caller.ip, now)
    } else {
        None
    };
    Gate {
        fault,
        outcome,
        rate,
    }
}

/// Adds CoCart's headers: `CoCart-Version`/`CoCart-Timestamp` on CoCart routes, `Cache-Control`
/// on auth-bearing responses, and the rate-limit headers. Handler-set values are kept.
fn decorate(
    mut resp: Response,
    path: &str,
    now: i64,
    authenticated: bool,
    rate: Option<&RateHeaders>,
) -> Response {
    let headers = resp.headers_mut();
    if is_cocart_path(path) {
        headers
            .entry(VERSION_HEADER)
            .or_insert(HeaderValue::from_static(COCART_VERSION));
        if !headers.contains_key(&TIMESTAMP_HEADER) {
            headers.insert(TIMESTAMP_HEADER, HeaderValue::from(now));
        }
    }
    let bears_auth = authenticated || path == REFRESH_ROUTE || path == "/wp-json/cocart/v2/login";
    if bears_auth {
        headers
            .entry(http::header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(NO_CACHE));
    }
    if let Some(rate) = rate {
        for (k, v) in rate.pairs() {
            if let Ok(v) = HeaderValue::from_str(&v) {
                headers.insert(k, v);
            }
        }
    }
    resp
}

/// A journal entry written on arrival, waiting for its status.
struct Pending<'a> {
    state: &'a AppState,
    seq: u64,
    uri: Uri,
    /// The authenticated caller's user id, once known.
    user: Option<u64>,
    /// What the handler notes of the refresh tokens it saw.
    note: TokenNote,
    /// The method as sent on the wire.
    method: Method,
}

impl<'a> Pending<'a> {
    fn arrive(state: &'a AppState, method: Method, uri: Uri, headers: &http::HeaderMap) -> Self {
        let seq = state.journal.arrive(Arrived {
            method: &method,
            path: uri.path(),
            query: uri.query().unwrap_or(""),
            client: client_label(headers),
        });
        Self {
            state,
            seq,
            uri,
            user: None,
            note: TokenNote::default(),
            method,
        }
    }

    fn path(&self) -> &str {
        self.uri.path()
    }

    /// The request as the console's lineage names it (made only when a lineage event needs it).
    fn request_ref(&self, headers: &http::HeaderMap) -> RequestRef {
        RequestRef {
            seq: self.seq,
            method: self.method.clone(),
            uri: self.uri.clone(),
            client: client_label(headers),
        }
    }

    /// Sets the entry's status (`0`: no response) and the credentials presented.
    fn record(&self, status: u16, auth: AuthKind) {
        self.state
            .journal
            .note(self.seq, self.user, self.note.take());
        self.state.journal.settle(self.seq, status, auth.as_str());
    }

    /// Records how the request ended and gives its answer.
    fn end(self, ending: Ending) -> Result<Response, DropConnection> {
        match ending {
            Ending::Answer(resp, auth) => {
                self.record(resp.status().as_u16(), auth);
                Ok(resp)
            }
            Ending::Drop(auth) => {
                self.record(0, auth);
                Err(DropConnection)
            }
        }
    }
}
