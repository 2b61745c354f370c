//! The embeddable server: `MockServer::start().await` binds `127.0.0.1:0` and serves until dropped.

use crate::config::{MockConfig, SeedUser};
use crate::error::MockError;
use crate::state::{AppState, Shared};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

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
        let task = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            let _ = axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
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

    /// The shared state, for test controls from Rust.
    pub fn state(&self) -> &AppState {
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
