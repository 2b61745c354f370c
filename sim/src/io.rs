//! What each replica's client talks to: an HTTP [`Transport`], a [`SessionStore`] and a
//! [`SessionLock`]. None of them answers at once: each call parks in the world's queue with a
//! oneshot, and the scheduler decides when it completes, how (normally, or with a fault), and
//! in which order relative to every other pending call. The stores behind them are the SDK's own
//! `MemoryStore` and `MemoryLock`, shared by all replicas.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cocart::session_store::{
    Consistency, PersistedSession, SessionStore, SessionStoreError, Stored,
};
use cocart::shared_session::{LockGrant, SessionLock};
use cocart::simulation::{SimFailure, SimRequest, SimResponse, Transport};
use futures::future::BoxFuture;
use tokio::sync::oneshot;

use crate::world::{World, lock_world};

/// One call a replica made, waiting for the scheduler.
#[derive(Debug)]
pub enum Op {
    /// An HTTP request to the store.
    Http(SimRequest),
    /// `SessionStore::load`.
    Load,
    /// `SessionStore::save` expecting a revision.
    Save(u64, PersistedSession),
    /// `SessionStore::clear` expecting a revision.
    Clear(u64),
    /// `SessionLock::try_acquire`.
    Acquire { owner: String, lease: Duration },
    /// `SessionLock::renew`.
    Renew { owner: String, lease: Duration },
    /// `SessionLock::mark_refreshing`.
    Mark { owner: String },
    /// `SessionLock::release`.
    Release { owner: String },
}

impl Op {
    /// A short name for the trace (no owner names: they are random, and traces must repeat).
    pub fn name(&self) -> String {
        match self {
            Op::Http(r) => format!(
                "{} {}",
                r.method,
                r.url.path().trim_start_matches("/wp-json/")
            ),
            Op::Load => "store.load".into(),
            Op::Save(expected, _) => format!("store.save(expect {expected})"),
            Op::Clear(expected) => format!("store.clear(expect {expected})"),
            Op::Acquire { .. } => "lock.try_acquire".into(),
            Op::Renew { .. } => "lock.renew".into(),
            Op::Mark { .. } => "lock.mark_refreshing".into(),
            Op::Release { .. } => "lock.release".into(),
        }
    }

    /// Whether the op goes to the session store or lock (rather than the shop).
    pub fn is_storage(&self) -> bool {
        !matches!(self, Op::Http(_))
    }
}

/// The answer to an [`Op`].
#[derive(Debug)]
pub enum OpResult {
    /// An HTTP answer, or none.
    Http(Result<SimResponse, SimFailure>),
    /// A load.
    Load(Result<Stored, SessionStoreError>),
    /// A save or clear: the new revision.
    Revision(Result<u64, SessionStoreError>),
    /// A release.
    Unit(Result<(), SessionStoreError>),
    /// A lock acquire.
    Grant(Result<Option<LockGrant>, SessionStoreError>),
    /// A lock renew or mark.
    Bool(Result<bool, SessionStoreError>),
}

/// Parks `op` for `replica` and waits for the scheduler's answer. A dead replica's calls (and
/// calls the scheduler drops) never return: a killed process does nothing more.
async fn park(world: &Arc<Mutex<World>>, replica: usize, op: Op) -> OpResult {
    let rx = {
        let (tx, rx) = oneshot::channel();
        lock_world(world).park(replica, op, tx);
        rx
    };
    match rx.await {
        Ok(result) => result,
        Err(_) => futures::future::pending().await,
    }
}

fn mismatch<T>() -> Result<T, SessionStoreError> {
    Err(SessionStoreError::Io(
        "simulation: wrong answer kind".into(),
    ))
}

/// The HTTP transport of one replica.
#[derive(Clone)]
pub struct SimTransport {
    /// The world.
    pub world: Arc<Mutex<World>>,
    /// Whose requests these are.
    pub replica: usize,
}

impl Transport for SimTransport {
    fn send(&self, request: SimRequest) -> BoxFuture<'static, Result<SimResponse, SimFailure>> {
        let world = Arc::clone(&self.world);
        let replica = self.replica;
        Box::pin(async move {
            match park(&world, replica, Op::Http(request)).await {
                OpResult::Http(r) => r,
                _ => Err(SimFailure::Timeout),
            }
        })
    }
}

/// The session store as one replica sees it (the `MemoryStore` behind is shared).
pub struct SimStore {
    /// The world.
    pub world: Arc<Mutex<World>>,
    /// Whose calls these are.
    pub replica: usize,
}

#[async_trait]
impl SessionStore for SimStore {
    async fn load(&self) -> Result<Stored, SessionStoreError> {
        match park(&self.world, self.replica, Op::Load).await {
            OpResult::Load(r) => r,
            _ => mismatch(),
        }
    }

    async fn save(
        &self,
        expected: u64,
        session: &PersistedSession,
    ) -> Result<u64, SessionStoreError> {
        let op = Op::Save(expected, session.clone());
        match park(&self.world, self.replica, op).await {
            OpResult::Revision(r) => r,
            _ => mismatch(),
        }
    }

    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        match park(&self.world, self.replica, Op::Clear(expected)).await {
            OpResult::Revision(r) => r,
            _ => mismatch(),
        }
    }

    fn consistency(&self) -> Consistency {
        Consistency::CompareAndSwap
    }
}

/// The session lock as one replica sees it (the `MemoryLock` behind is shared).
pub struct SimLock {
    /// The world.
    pub world: Arc<Mutex<World>>,
    /// Whose calls these are.
    pub replica: usize,
}

#[async_trait]
impl SessionLock for SimLock {
    async fn try_acquire(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<LockGrant>, SessionStoreError> {
        let op = Op::Acquire {
            owner: owner.to_string(),
            lease,
        };
        match park(&self.world, self.replica, op).await {
            OpResult::Grant(r) => r,
            _ => mismatch(),
        }
    }

    async fn mark_refreshing(&self, owner: &str) -> Result<bool, SessionStoreError> {
        let op = Op::Mark {
            owner: owner.to_string(),
        };
        match park(&self.world, self.replica, op).await {
            OpResult::Bool(r) => r,
            _ => mismatch(),
        }
    }

    async fn renew(&self, owner: &str, lease: Duration) -> Result<bool, SessionStoreError> {
        let op = Op::Renew {
            owner: owner.to_string(),
            lease,
        };
        match park(&self.world, self.replica, op).await {
            OpResult::Bool(r) => r,
            _ => mismatch(),
        }
    }

    async fn release(&self, owner: &str) -> Result<(), SessionStoreError> {
        let op = Op::Release {
            owner: owner.to_string(),
        };
        match park(&self.world, self.replica, op).await {
            OpResult::Unit(r) => r,
            _ => mismatch(),
        }
    }
}
