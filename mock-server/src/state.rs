//! Shared server state. One `std::sync::Mutex<World>` guards everything that changes, except the
//! request journal, which has its own lock; neither is held across an `.await`. The clock sits
//! outside the locks.

use crate::clock::Clock;
use crate::config::MockConfig;
use std::sync::{Arc, Mutex, MutexGuard};

/// The state handed to every axum handler.
pub type AppState = Arc<Shared>;

/// Everything the server knows.
#[derive(Debug)]
pub struct Shared {
    /// The virtual clock (outside the lock).
    pub clock: Clock,
    /// The configuration the server was started with (what `reset` goes back to).
    pub initial: MockConfig,
    /// The site URL (`iss`), e.g. `http://127.0.0.1:8080`, no trailing slash.
    pub site_url: String,
    /// Requests to store routes (its own lock, apart from the world).
    pub journal: crate::ops::Journal,
    /// The auth settings copy and the verified tokens (its own lock, apart from the world).
    pub tokens: crate::auth::verified::TokenCache,
    world: Mutex<World>,
}

impl Shared {
    /// Builds the seeded state.
    pub fn new(initial: MockConfig, site_url: String) -> Result<Self, crate::MockError> {
        let world = World::seeded(&initial)?;
        Ok(Self {
            clock: Clock::new(),
            tokens: crate::auth::verified::TokenCache::new(&world.config),
            initial,
            site_url,
            journal: crate::ops::Journal::default(),
            world: Mutex::new(world),
        })
    }

    /// Locks the world. A poisoned lock (a panic in another handler) is recovered, not propagated:
    /// the server keeps serving.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Back to the seeded state, an empty journal and the wall clock.
    pub fn reset(&self) -> Result<(), crate::MockError> {
        let fresh = World::seeded(&self.initial)?;
        let mut world = self.world();
        *world = fresh;
        self.tokens.refresh(&world.config);
        self.journal.clear();
        drop(world);
        self.clock.reset();
        Ok(())
    }

    /// Now, on the virtual clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// The mutable world: runtime config, the JWT plugin's user meta, the shop, and test controls.
#[derive(Debug)]
pub struct World {
    /// The configuration in force (changed by `PUT /__mock/config`).
    pub config: MockConfig,
    /// Users and JWT sessions.
    pub auth: crate::auth::AuthWorld,
    /// Catalogue and carts.
    pub shop: crate::shop::ShopWorld,
    /// Journal, faults, rate-limit windows.
    pub ops: crate::ops::OpsWorld,
}

impl World {
    /// The world as seeded from `config`.
    pub fn seeded(config: &MockConfig) -> Result<Self, crate::MockError> {
        Ok(Self {
            config: config.clone(),
            auth: crate::auth::AuthWorld::seeded(config)?,
            shop: crate::shop::ShopWorld::seeded(config)?,
            ops: crate::ops::OpsWorld::default(),
        })
    }
}

/// How the app saw the caller authenticate (after the host profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// No credentials reached the app (or a Bearer that did not match the regex).
    None,
    /// Basic credentials (header, body or query) authenticated the request.
    Basic,
    /// A valid JWT authenticated the request.
    Bearer,
}

impl AuthKind {
    /// `"none"`, `"basic"` or `"bearer"` as the journal writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Basic => "basic",
            Self::Bearer => "bearer",
        }
    }
}

/// Who is calling: put into the request extensions by the auth middleware before any store
/// route runs. Store handlers take it out with the [`TakeCaller`] extractor.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The authenticated WordPress user id, if any.
    pub user_id: Option<u64>,
    /// How the caller authenticated.
    pub auth: AuthKind,
    /// The client IP as CoCart resolves it (X-Forwarded-For from a loopback peer).
    pub ip: String,
    /// The sanitised User-Agent, if one was sent.
    pub user_agent: Option<String>,
}

impl Caller {
    /// A guest caller (used by tests of the shop routes).
    pub fn guest() -> Self {
        Self {
            user_id: None,
            auth: AuthKind::None,
            ip: "127.0.0.1".into(),
            user_agent: None,
        }
    }
}

/// Extracts the [`Caller`] by moving it out of the request extensions (no copy); a guest when
/// the request has none (routes outside the pipeline, unit tests).
#[derive(Debug, Clone)]
pub struct TakeCaller(pub Caller);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TakeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .remove::<Caller>()
                .unwrap_or_else(Caller::guest),
        ))
    }
}
