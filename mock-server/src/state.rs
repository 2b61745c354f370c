//! Shared server state. One `std::sync::Mutex<World>` guards everything that changes, except the
//! request journal, which has its own lock; neither is held across an `.await`. The clock sits
//! outside the locks.

use crate::clock::Clock;
use crate::config::MockConfig;
use std::sync::{Arc, Mutex, MutexGuard};

/// The state handed to every axum handler.
pub(crate) type AppState = Arc<Shared>;

/// Everything the server knows.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The virtual clock (outside the lock).
    pub(crate) clock: Clock,
    /// The configuration the server was started with (what `reset` goes back to).
    pub(crate) initial: MockConfig,
    /// The site URL (`iss`), e.g. `http://127.0.0.1:8080`, no trailing slash.
    pub(crate) site_url: String,
    /// Requests to store routes (its own lock, apart from the world).
    pub(crate) journal: crate::ops::Journal,
    /// The fast-path switch and what the fast paths remember (their own locks, apart from the
    /// world).
    pub(crate) fast: crate::fast::FastPaths,
    /// The console's token lineage (its own lock; taken after the world's, never before).
    pub(crate) lineage: crate::console::lineage::Lineage,
    /// Bumped by every test control that changes state (the console's live stream watches it).
    pub(crate) controls_version: std::sync::atomic::AtomicU64,
    world: Mutex<World>,
}

impl Shared {
    /// Builds the seeded state.
    pub(crate) fn new(initial: MockConfig, site_url: String) -> Result<Self, crate::MockError> {
        let world = World::seeded(&initial)?;
        Ok(Self {
            clock: Clock::new(),
            fast: crate::fast::FastPaths::new(initial.fast_paths, &world.config),
            initial,
            site_url,
            journal: crate::ops::Journal::default(),
            lineage: crate::console::lineage::Lineage::default(),
            controls_version: std::sync::atomic::AtomicU64::new(0),
            world: Mutex::new(world),
        })
    }

    /// Locks the world. A poisoned lock (a panic in another handler) is recovered, not propagated:
    /// the server keeps serving.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Back to the seeded state, an empty journal and the wall clock.
    pub(crate) fn reset(&self) -> Result<(), crate::MockError> {
        let fresh = World::seeded(&self.initial)?;
        let mut world = self.world();
        *world = fresh;
        self.fast.settings_changed(&world.config);
        self.journal.clear();
        self.lineage.clear();
        drop(world);
        self.clock.reset();
        self.control_changed();
        Ok(())
    }

    /// Notes that a test control changed something the console shows.
    pub(crate) fn control_changed(&self) {
        self.controls_version
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Now, on the virtual clock.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// The mutable world: runtime config, the JWT plugin's user meta, the shop, and test controls.
#[derive(Debug)]
pub(crate) struct World {
    /// The configuration in force (changed by `PUT /__mock/config`).
    pub(crate) config: MockConfig,
    /// Users and JWT sessions.
    pub(crate) auth: crate::auth::world::AuthWorld,
    /// Catalogue and carts.
    pub(crate) shop: crate::shop::world::ShopWorld,
    /// Journal, faults, rate-limit windows.
    pub(crate) ops: crate::ops::OpsWorld,
}

impl World {
    /// The world as seeded from `config`.
    pub(crate) fn seeded(config: &MockConfig) -> Result<Self, crate::MockError> {
        Ok(Self {
            config: config.clone(),
            auth: crate::auth::world::AuthWorld::seeded(config)?,
            shop: crate::shop::world::ShopWorld::seeded(config)?,
            ops: crate::ops::OpsWorld::default(),
        })
    }
}
