//! The connection every store and lock of one [`RedisSessions`](crate::RedisSessions) shares:
//! one Redis server through a `ConnectionManager`, or a Redis Cluster through redis-rs's async
//! cluster client, which sends each command to the primary of its key's slot and follows
//! `MOVED` and `ASK` redirections. Both are one [`ConnectionLike`], so the scripts and commands
//! of the store and the lock run unchanged on either.
//!
//! [`Conn::acknowledge`] is the one step that knows which it is: `WAIT` must reach the node that
//! took the write, which in a cluster is the primary of the key's slot (a plain `WAIT` would go
//! to every primary and answer the smallest count).

use std::time::Duration;

use cocart::SessionStoreError;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::{Cmd, Pipeline, RedisFuture, Value};

use crate::{SetupError, describe, millis, unavailable};

/// One Redis server or one Redis Cluster.
#[derive(Clone)]
pub(crate) enum Conn {
    /// A single server (which may be a primary with replicas of its own).
    Single(ConnectionManager),
    /// A cluster: every command goes to the primary of its key's slot.
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(c) => c.req_packed_command(cmd),
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(c) => c.req_packed_commands(cmd, offset, count),
            Self::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(c) => c.get_db(),
            Self::Cluster(c) => c.get_db(),
        }
    }
}

/// How many replicas must hold a write before it counts as done, and how long the primary
/// waits for them (`WAIT replicas timeout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Acknowledge {
    pub(crate) replicas: u32,
    pub(crate) within: Duration,
}

impl Conn {
    /// After a write to `key` that landed: waits until `ack.replicas` replicas of the node that
    /// holds `key` confirm they have it (`None`: nothing to wait for). Fewer in time, or no
    /// answer, is [`SessionStoreError::Unavailable`]: the write is on the primary but a failover
    /// could lose it, so the caller must treat its answer as lost (the SDK then reads back).
    pub(crate) async fn acknowledge(
        &self,
        key: &str,
        ack: Option<Acknowledge>,
    ) -> Result<(), SessionStoreError> {
        let Some(ack) = ack.filter(|a| a.replicas > 0) else {
            return Ok(());
        };
        let mut wait = redis::cmd("WAIT");
        wait.arg(ack.replicas).arg(millis(ack.within));
        let answer: Result<i64, redis::RedisError> = match self.clone() {
            Self::Single(mut c) => wait.query_async(&mut c).await,
            Self::Cluster(mut c) => {
                let route = Route::with_key(key.as_bytes(), SlotAddr::Master);
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route));
                c.route_command(wait, routing)
                    .await
                    .and_then(|v| redis::from_redis_value(v).map_err(redis::RedisError::from))
            }
        };
        let acknowledged = answer.map_err(|e| unavailable(&e))?;
        if acknowledged < i64::from(ack.replicas) {
            return Err(SessionStoreError::Unavailable(format!(
                "written on the primary, but {acknowledged} of the {} replicas asked for confirmed \
                 it within {} ms: a failover could lose it",
                ack.replicas,
                millis(ack.within)
            )));
        }
        Ok(())
    }
}

/// Where [`RedisSessions`](crate::RedisSessions) connects, checked and ready to open.
pub(crate) enum Target {
    Single(redis::Client, ConnectionManagerConfig),
    Cluster {
        client: ClusterClient,
        timeout: Duration,
        /// Single-server clients of the `rediss://` nodes, to find the TLS error behind a
        /// failed connection (see `tls::cluster_probes`).
        #[cfg(feature = "tls")]
        probes: Vec<redis::Client>,
    },
}

impl Target {
    /// A cluster client over `nodes` (any of them, each `redis://[user:password@]host:port`):
    /// every attempt and answer bounded by `timeout`, and a whole command with its redirections
    /// and retries too. Retried quickly and often, so that the timeout, not a count, ends the
    /// attempts: a moved slot, or a failover that ends within the timeout, costs no error.
    ///
    /// A retry after a connection lost with a write in flight may find that write landed: a
    /// compare-and-swap then answers `Conflict` at its own revision (the SDK reads back and
    /// finds its own value), and a lock acquisition answers "held" (by itself: it waits out its
    /// lease, as for any holder).
    pub(crate) fn cluster(
        nodes: &[String],
        timeout: Duration,
        tls: impl FnOnce(ClusterClientBuilder) -> ClusterClientBuilder,
        #[cfg(feature = "tls")] probes: Vec<redis::Client>,
    ) -> Result<Self, SetupError> {
        let client = tls(ClusterClient::builder(nodes.iter().map(String::as_str)))
            .connection_timeout(timeout)
            .response_timeout(timeout)
            .overall_response_timeout(Some(timeout))
            .retries(64)
            .min_retry_wait(10)
            .max_retry_wait(millis(timeout / 4))
            .build()
            .map_err(|e| SetupError::BadUrl(describe(&e)))?;
        Ok(Self::Cluster {
            client,
            timeout,
            #[cfg(feature = "tls")]
            probes,
        })
    }

    /// Connects now, failing if no node answers.
    pub(crate) async fn connect(self) -> Result<Conn, SetupError> {
        match self {
            Self::Single(client, config) => ConnectionManager::new_with_config(client, config)
                .await
                .map(Conn::Single)
                .map_err(|e| unreachable(&e)),
            Self::Cluster {
                client,
                #[cfg(feature = "tls")]
                timeout,
                #[cfg(feature = "tls")]
                probes,
                ..
            } => match client.get_async_connection().await {
                Ok(conn) => Ok(Conn::Cluster(conn)),
                Err(e) => {
                    // The cluster client's error holds only the text of the TLS error, if any:
                    // the nodes are asked again one by one to find it.
                    #[cfg(feature = "tls")]
                    if let Some(why) = crate::tls::cluster_failure(&probes, timeout).await {
                        return Err(SetupError::Tls(why));
                    }
                    Err(unreachable(&e))
                }
            },
        }
    }

    /// Connects on first use.
    pub(crate) fn connect_lazily(self) -> Result<Conn, SetupError> {
        match self {
            Self::Single(client, config) => ConnectionManager::new_lazy_with_config(client, config)
                .map(Conn::Single)
                .map_err(|e| SetupError::Unreachable(describe(&e))),
            // The config replaces the client's timeouts: the same ones again.
            Self::Cluster {
                client, timeout, ..
            } => Ok(Conn::Cluster(
                client.get_pending_async_connection_with_config(
                    redis::cluster::ClusterConfig::new()
                        .set_connection_timeout(timeout)
                        .set_response_timeout(timeout),
                ),
            )),
        }
    }
}

/// A connection that failed to open: a TLS failure, or Redis not answering (or refusing the
/// credentials). Never the URL, never the password.
pub(crate) fn unreachable(e: &redis::RedisError) -> SetupError {
    #[cfg(feature = "tls")]
    if let Some(tls) = crate::tls::failure(e) {
        return SetupError::Tls(tls);
    }
    SetupError::Unreachable(describe(e))
}
