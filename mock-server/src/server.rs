//! The embeddable server: `MockServer::start().await` binds `127.0.0.1:0` and serves until dropped.

use crate::config::{ConfigPatch, MockConfig, SeedUser};
use crate::error::MockError;
use crate::ops::controls;
use crate::ops::faults::FaultSpec;
use crate::ops::journal::JournalEntry;
use crate::state::{AppState, Shared};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

/// A running mock store. Dropping it shuts the server down.
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// Configures a [`MockServer`] before it starts.
#[derive(Debug, Default, Clone)]
pub struct MockServerBuilder {
    config: MockConfig,
}

impl MockServerBuilder {
    /// Starts from a full configuration.
    pub fn config(mut self, config: MockConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the access-token lifetime in seconds.
    pub fn access_ttl(mut self, seconds: u64) -> Self {
        self.config.access_ttl = seconds;
        self
    }

    /// Sets the refresh-token lifetime in seconds.
    pub fn refresh_ttl(mut self, seconds: u64) -> Self {
        self.config.refresh_ttl = seconds;
        self
    }

    /// Sets (or with `None` removes) the JWT secret.
    pub fn secret(mut self, secret: Option<&str>) -> Self {
        self.config.secret = secret.map(str::to_string);
        self
    }

    /// Selects the JWT plugin family.
    pub fn plugin(mut self, plugin: crate::PluginVersion) -> Self {
        self.config.plugin = plugin;
        self
    }

    /// Selects the host profile.
    pub fn host_profile(mut self, profile: crate::HostProfile) -> Self {
        self.config.host_profile = profile;
        self
    }

    /// Selects the WordPress environment type.
    pub fn environment(mut self, env: crate::Environment) -> Self {
        self.config.environment = env;
        self
    }

    /// Adds a customer.
    pub fn user(mut self, username: &str, password: &str) -> Self {
        self.config.users.push(SeedUser {
            username: username.into(),
            email: format!("{username}@example.com"),
            password: password.into(),
            first_name: String::new(),
            last_name: String::new(),
        });
        self
    }

    /// Turns the throughput-only fast paths on or off (see [`MockConfig::fast_paths`]).
    pub fn fast_paths(mut self, on: bool) -> Self {
        self.config.fast_paths = on;
        self
    }

    /// Turns the rate limiter on or off.
    pub fn rate_limit(mut self, on: bool) -> Self {
        self.config.rate_limit = on;
        self
    }

    /// Binds and starts serving.
    pub async fn start(self) -> Result<MockServer, MockError> {
        MockServer::start_with(self.config).await
    }
}

impl MockServer {
    /// Starts a server with the default configuration on `127.0.0.1:0`.
    pub async fn start() -> Result<Self, MockError> {
        Self::start_with(MockConfig::default()).await
    }

    /// A builder for a customised server.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Starts a server with `config`.
    pub async fn start_with(config: MockConfig) -> Result<Self, MockError> {
        let bind = format!("{}:{}", config.host, config.port);
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .map_err(|source| MockError::Bind {
                addr: bind.clone(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| MockError::Bind {
            addr: bind.clone(),
            source,
        })?;
        let host = if addr.is_ipv6() {
            format!("[{}]", addr.ip())
        } else {
            addr.ip().to_string()
        };
        let base_url = format!("http://{host}:{}", addr.port());
        let state: AppState = Arc::new(Shared::new(config, base_url.clone())?);
        let app = crate::routes::router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(accept_loop(listener, app, state.clone(), rx));
        Ok(Self {
            addr,
            base_url,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The site root, e.g. `http://127.0.0.1:49152` (no trailing slash). REST routes live under
    /// `/wp-json/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state, for the crate's own tests.
    #[cfg(test)]
    pub(crate) fn shared(&self) -> &AppState {
        &self.state
    }

    /// Now on the virtual clock (Unix seconds).
    pub fn now(&self) -> i64 {
        self.state.now()
    }

    /// Moves the virtual clock by `seconds`; returns the new now.
    pub fn advance_clock(&self, seconds: i64) -> i64 {
        self.state.clock.advance(seconds)
    }

    /// Sets the virtual clock; returns the new now.
    pub fn set_clock(&self, unix: i64) -> i64 {
        self.state.clock.set(unix)
    }

    /// Back to the seeded state.
    pub fn reset(&self) -> Result<(), MockError> {
        self.state.reset()
    }

    /// The requests journaled so far (store routes only), in arrival order.
    pub fn journal(&self) -> Vec<JournalEntry> {
        controls::journal(&self.state)
    }

    /// Empties the journal.
    pub fn clear_journal(&self) {
        controls::clear_journal(&self.state);
    }

    /// Creates a customer with this login, email and password; returns the new user id.
    pub fn create_user(
        &self,
        username: &str,
        email: &str,
        password: &str,
    ) -> Result<u64, MockError> {
        self.create_user_with(&SeedUser {
            username: username.into(),
            email: email.into(),
            password: password.into(),
            first_name: String::new(),
            last_name: String::new(),
        })
    }

    /// Creates a customer from a full description; returns the new user id.
    pub fn create_user_with(&self, user: &SeedUser) -> Result<u64, MockError> {
        controls::create_user(&self.state, user)
    }

    /// Changes a user's password and/or email. Like the plugin, this revokes every token and
    /// refresh token of the user (any password update, or an email that differs).
    pub fn update_user(
        &self,
        id: u64,
        password: Option<&str>,
        email: Option<&str>,
    ) -> Result<(), MockError> {
        controls::update_user(&self.state, id, password, email)
    }

    /// Deletes a user and every token of theirs.
    pub fn delete_user(&self, id: u64) -> Result<(), MockError> {
        controls::delete_user(&self.state, id)
    }

    /// Changes the runtime configuration; returns the resulting settings (secret redacted).
    pub fn set_config(&self, patch: &ConfigPatch) -> serde_json::Value {
        controls::set_config(&self.state, patch)
    }

    /// The configuration in force now.
    pub fn config(&self) -> MockConfig {
        self.state.world().config.clone()
    }

    /// Changes a product's stock, as a shop manager would: `Some(n)` manages stock at `n` (out
    /// of stock at 0 or below), `None` stops managing it (unlimited, in stock). Carts are left
    /// alone: their lines stay, and every read of a cart that now asks for more than is in stock
    /// carries WooCommerce's stock notice. Returns false for an unknown product id.
    pub fn set_stock(&self, product_id: u64, stock: Option<i64>) -> bool {
        self.state.world().shop.set_stock(product_id, stock)
    }

    /// How many carts the store keeps now (guest and customer carts; an expired cart counts
    /// until a request reads it).
    pub fn stored_carts(&self) -> usize {
        self.state.world().shop.stored_carts()
    }

    /// The usernames of every customer, in id order.
    pub fn usernames(&self) -> Vec<String> {
        self.state
            .world()
            .auth
            .users
            .all()
            .map(|u| u.username.clone())
            .collect()
    }

    /// Whether this server takes the throughput-only fast paths
    /// ([`MockConfig::fast_paths`]).
    pub fn fast_paths(&self) -> bool {
        self.state.fast.on()
    }

    /// Schedules a fault for the next requests to a route.
    pub fn add_fault(&self, fault: FaultSpec) -> Result<(), MockError> {
        controls::add_fault(&self.state, fault)
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The largest request head (request line and headers) accepted; larger gets 431.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The most request headers accepted; more gets 431 (hyper's default limit).
pub const MAX_HEADERS: usize = 100;

/// Accepts connections until shutdown; each connection is served by hyper's HTTP/1 server with
/// the request pipeline as its service. Dropping the task aborts every open connection.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    state: AppState,
    mut shutdown: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(stream, peer, app.clone(), state.clone()));
                }
                // Out of file descriptors or a reset during accept: back off and keep serving.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

/// How long a connection may wait for a request head. A connection on which no request started
/// for a whole period and none is in flight is closed at the end of it (so after 30 to 60 s of
/// idleness, or of a request head that never completes), without an answer.
pub const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the idle check of a connection reads: whether a request started since the last check,
/// and how many are in flight. Two uncontended atomics per request instead of hyper's
/// per-request header-read timer (which re-arms a tokio timer on every request).
#[derive(Default)]
struct Activity {
    started: std::sync::atomic::AtomicBool,
    in_flight: std::sync::atomic::AtomicUsize,
}

/// Marks a request in flight until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: &Arc<Activity>) -> Self {
        use std::sync::atomic::Ordering::Relaxed;
        activity.started.store(true, Relaxed);
        activity.in_flight.fetch_add(1, Relaxed);
        Self(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: axum::Router,
    state: AppState,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::default());
    let seen = Arc::clone(&activity);
    let connection = Arc::new(crate::routes::Connection::new(peer));
    let service = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let app = app.clone();
        let state = state.clone();
        let connection = Arc::clone(&connection);
        let guard = InFlight::start(&seen);
        async move {
            let req = req.map(axum::body::Body::new);
            let resp = crate::routes::handle(state, app, req, &connection).await;
            drop(guard);
            resp
        }
    });
    // Hyper's limit of 100 headers is its default (`max_headers` left unset: setting it, even to
    // the default, makes hyper allocate its header index arrays per request).
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        // Head and body go out in one buffer, with one plain send.
        .writev(false)
        .max_header_size(MAX_HEADER_BYTES)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut idle_check =
        tokio::time::interval_at(tokio::time::Instant::now() + IDLE_TIMEOUT, IDLE_TIMEOUT);
    idle_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            _ = &mut conn => return,
            _ = idle_check.tick() => {
                use std::sync::atomic::Ordering::Relaxed;
                let started = activity.started.swap(false, Relaxed);
                if !started && activity.in_flight.load(Relaxed) == 0 {
                    // Dropping the connection closes the socket.
                    return;
                }
            }
        }
    }
}
