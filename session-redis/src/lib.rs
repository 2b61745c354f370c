//! One customer session shared by many processes, kept in **Redis**: a [`SessionStore`] with an
//! atomic compare-and-swap on the revision and a leased [`SessionLock`] for the refresh, both for
//! the [`cocart`] SDK.
//!
//! Backend replicas, workers and cron jobs that act for the same customer each build their own
//! `CoCartClient` over the same Redis keys. The SDK's shared-session protocol then makes sure one
//! refresh happens per rotation, whichever process runs it, and that everybody else adopts the
//! rotated pair instead of spending the single-use refresh token a second time.
//!
//! One [`RedisSessions`] (one connection manager) serves every customer of a process; a store and
//! a lock per customer are cheap handles on it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use cocart::CoCartClient;
//! use cocart_redis::RedisSessions;
//!
//! let redis = RedisSessions::builder("redis://127.0.0.1:6379/")
//!     .namespace("shop-backend")
//!     .key_name_secret(cocart_redis::KeyNameSecret::from_base64(
//!         &std::env::var("KEY_NAME_SECRET")?,
//!     )?)
//!     .encryption_key(cocart_redis::EncryptionKey::from_base64_with_id(
//!         "2026-06",
//!         &std::env::var("SESSION_KEY")?,
//!     )?)
//!     .connect()
//!     .await?;
//! let http = reqwest::Client::new();
//! // One cheap client per customer, sharing the HTTP client and the Redis connection.
//! let client = CoCartClient::builder("https://shop.example")
//!     .http_client(http.clone())
//!     .session_store(redis.store("customer-42"))
//!     .session_lock(redis.lock("customer-42"))
//!     .build()?;
//! client.restore_session().await?;
//! # Ok(()) }
//! ```
//!
//! # What is stored
//! Per customer, up to three keys that share a hash tag (so they live on one Redis Cluster slot
//! and one script may touch several):
//! - `NAMESPACE:{DIGEST}:session`, a hash: `rev`, the revision, and `data`, the session. A sign-out
//!   keeps `rev` alone: the tombstone ([`Stored::Cleared`](cocart::session_store::Stored)), so a
//!   write that expected an older revision cannot bring the session back. No key at all is
//!   [`Stored::Empty`](cocart::session_store::Stored);
//! - `NAMESPACE:{DIGEST}:lock`, the lock holder's owner name with a lease;
//! - `NAMESPACE:{DIGEST}:refreshing`, set by the holder just before it presents the refresh token:
//!   its release removes it; when its lease lapses instead, the next holder consumes it and is told
//!   (`LockGrant::lapsed_refresh`).
//!
//! `DIGEST` is `k1.` and the HMAC-SHA256 of the namespace and the customer key under the
//! application's [`KeyNameSecret`], so no customer identifier and no token appears in a key name,
//! and a list of key names cannot be matched against a dictionary of customer ids or emails
//! without the secret. (The names of 0.3, a plain SHA-256, stay available as
//! [`RedisSessionsBuilder::unkeyed_key_names`], and live sessions move from them with
//! [`RedisSessionsBuilder::migrate_key_names`].) A session (and its tombstone) and a refresh
//! mark expire after [`RedisSessionsBuilder::session_ttl`] without a save; a lock expires with
//! its lease, so a holder that dies never blocks the others for longer than that.
//!
//! `save` and `clear` are compare-and-swap in one Lua script: they write only when the stored
//! revision is exactly the one the writer read (0 when nothing is stored) and give the value the
//! next one. Revisions are compared as decimal strings, never as Lua numbers, so the check is
//! exact for every `u64`; a write that expected `u64::MAX` is refused.
//!
//! # Encryption at rest, and rotating its key
//! With an [`EncryptionKey`] the session is sealed with XChaCha20-Poly1305 before it leaves the
//! process, bound to its key name, its revision and the id of the key: a value copied to another
//! customer's key, replayed under another revision or relabelled with another key id does not
//! open. With keys set, a value stored in plain text is refused (nobody can plant a session).
//!
//! Every key has a short public id, written beside the values it seals. A process may hold
//! several keys ([`RedisSessionsBuilder::encryption_keys`]): the first seals, every one opens the
//! values sealed under its id. So a key rotates with no customer signed out:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use cocart_redis::{EncryptionKey, RedisSessions};
//!
//! // Seal with the new key; values sealed with the old one keep opening, and are sealed
//! // again with the new one at their next save.
//! let redis = RedisSessions::builder("redis://127.0.0.1:6379/")
//!     .key_name_secret(cocart_redis::KeyNameSecret::from_base64(&std::env::var("KEY_NAME_SECRET")?)?)
//!     .encryption_keys([
//!         EncryptionKey::from_base64_with_id("2026-06", &std::env::var("SESSION_KEY_NEW")?)?,
//!         EncryptionKey::from_base64_with_id("2026-01", &std::env::var("SESSION_KEY_OLD")?)?,
//!     ])
//!     .connect()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! A process that lacks the id a value was sealed with reads it as
//! `SessionStoreError::Corrupt("sealed with key id '2026-06', which this process does not
//! have")`, never as "signed out". A key made without an id (as with 0.2) has the id
//! [`DEFAULT_KEY_ID`]; values sealed by 0.2 carry no id and open with whichever configured key
//! sealed them.
//!
//! # TLS and ACL
//! With the `tls` feature, a `rediss://` URL always verifies the server's certificate: against
//! the webpki roots, or only against the CA given to `tls_root_certificates_pem`;
//! `tls_client_certificate_pem` adds a client certificate (mutual TLS). [`ACL_RULE`] is the
//! smallest ACL rule the crate needs. [`RedisSessionsBuilder::connect`] checks both at start:
//! a TLS failure is a [`SetupError::Tls`], a missing permission a [`SetupError::NotPermitted`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cipher;
// redis-tls: connect-time checks and the ACL rule; TLS options (feature `tls`).
mod conn;
mod connect;
mod keys;
mod lock;
mod migration;
mod scripts;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "tls")]
mod tls;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use cipher::{DEFAULT_KEY_ID, EncryptionKey, KeyError};
pub use connect::{ACL_RULE, acl_rule};
pub use keys::KeyNameSecret;
pub use lock::RedisSessionLock;
pub use migration::{MigrationStep, PreviousKeyNames};
pub use store::RedisSessionStore;

// The traits these types implement, for the reader's convenience.
pub use cocart::{SessionLock, SessionStore};

use cipher::Cipher;
use conn::{Acknowledge, Conn, Target};
use keys::Naming;
use migration::Layout;
use redis::aio::ConnectionManagerConfig;

/// How long a session lives in Redis without a save, unless set otherwise: 30 days.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// How long one Redis command may take before the call fails as unavailable, unless set
/// otherwise.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

/// Why [`RedisSessions`] could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The URL is not a Redis URL this build understands (`redis://`, `rediss://` with the `tls`
    /// feature, `redis+unix://`). The URL itself is not repeated: it may hold a password.
    #[error("not a usable Redis URL ({0})")]
    BadUrl(String),
    /// Redis did not answer the first connection, refused its credentials, or answered a
    /// check of [`RedisSessionsBuilder::connect`] with an error other than a permission.
    #[error("could not reach Redis ({0})")]
    Unreachable(String),
    /// A namespace must be non-empty and must not contain `{`, `}` or whitespace.
    #[error("the namespace must be non-empty without braces or whitespace")]
    BadNamespace,
    /// Two different encryption keys were given the same id (the id, a public label).
    #[error("two different encryption keys have the id '{0}'")]
    DuplicateKeyId(String),
    /// No choice of key names was made: set [`RedisSessionsBuilder::key_name_secret`] (private
    /// names), or [`RedisSessionsBuilder::unkeyed_key_names`] to keep the names of 0.3, which
    /// anybody holding a customer id can compute.
    #[error(
        "choose the Redis key names: key_name_secret (private) or unkeyed_key_names (those of 0.3)"
    )]
    KeyNamesNotChosen,
    /// The key-name secret has the bytes of an encryption key: they must be separate secrets.
    #[error("the key-name secret must not be an encryption key")]
    KeyNameSecretIsEncryptionKey,
    /// A key-name migration needs a [`RedisSessionsBuilder::key_name_secret`] to move to, other
    /// than the one it moves from.
    #[error("a key-name migration needs a new key_name_secret, other than the previous one")]
    MigrationWithoutNewSecret,
    /// TLS could not be set up (a PEM that does not parse, TLS options on a URL that is not
    /// `rediss://`, `#insecure` in the URL) or its handshake failed (a server certificate no
    /// trusted CA signed, a client certificate the server requires or refuses). The text names
    /// the cause, never a key or a password.
    #[error("TLS with Redis failed ({0})")]
    Tls(String),
    /// The Redis user may not run a command the crate needs, or not on the namespace's keys:
    /// [`RedisSessionsBuilder::connect`] tries each one. Grant [`ACL_RULE`].
    #[error("the Redis user may not run {command} (the rule it needs: cocart_redis::ACL_RULE)")]
    NotPermitted {
        /// The command refused (e.g. `EVALSHA`), or the commands of the script that was.
        command: String,
    },
}

/// Configures [`RedisSessions`]. Start with [`RedisSessions::builder`].
pub struct RedisSessionsBuilder {
    url: String,
    /// The nodes of a Redis Cluster, when made by [`RedisSessions::cluster_builder`].
    cluster: Option<Vec<String>>,
    /// `None`: the default of the mode (see [`RedisSessionsBuilder::replicas_to_acknowledge`]).
    replicas_to_acknowledge: Option<u32>,
    namespace: String,
    session_ttl: Duration,
    command_timeout: Duration,
    /// The key that seals, when set explicitly.
    key: Option<EncryptionKey>,
    /// More keys that open (the first seals when `key` is not set).
    keys: Vec<EncryptionKey>,
    /// How key names are made; `None` until chosen.
    naming: Option<Naming>,
    /// The key names sessions move from, and this process's step.
    migration: Option<(PreviousKeyNames, MigrationStep)>,
    /// Custom CA and client certificate for `rediss://`.
    #[cfg(feature = "tls")]
    tls: tls::TlsOptions,
}

impl fmt::Debug for RedisSessionsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RedisSessionsBuilder");
        d.field("url", &"[redacted]")
            .field("cluster_nodes", &self.cluster.as_ref().map(Vec::len))
            .field(
                "replicas_to_acknowledge",
                &self.acknowledge().map(|a| a.replicas),
            )
            .field("namespace", &self.namespace)
            .field("session_ttl", &self.session_ttl)
            .field("command_timeout", &self.command_timeout)
            .field("sealing_key_id", &self.sealing_key().map(EncryptionKey::id))
            .field(
                "key_ids",
                &self.keys.iter().map(EncryptionKey::id).collect::<Vec<_>>(),
            )
            .field(
                "key_names",
                &match self.naming {
                    None => "not chosen",
                    Some(Naming::Unkeyed) => "unkeyed",
                    Some(Naming::Keyed(_)) => "keyed",
                },
            )
            .field("migration", &self.migration.as_ref().map(|(_, step)| step));
        #[cfg(feature = "tls")]
        d.field("tls", &self.tls);
        d.finish()
    }
}

impl RedisSessionsBuilder {
    /// Prefix of every key (default `cocart`): one per application sharing a Redis.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// How long a session stays without a save before Redis drops it (default 30 days; every
    /// save starts it again). Keep it at least as long as the store's refresh-token lifetime.
    pub fn session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// How long one command (and one connection attempt) may take before the call answers
    /// "unavailable" (default 2 s). The SDK then keeps the session and reports a transient error.
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// Seals every stored session with this key (XChaCha20-Poly1305); it opens them too, beside
    /// the keys of [`RedisSessionsBuilder::encryption_keys`]. Every process sharing the sessions
    /// needs a key of the id each value was sealed with; a value it cannot open reads as corrupt
    /// (never as "signed out"). Called twice, the last key seals.
    pub fn encryption_key(mut self, key: EncryptionKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Keys that open stored sessions, each picked by the id written in the sealed value (see
    /// [`EncryptionKey::with_id`]). The first seals too, unless
    /// [`RedisSessionsBuilder::encryption_key`] names the sealing key. Values sealed by 0.2 carry
    /// no id and open with whichever configured key sealed them.
    ///
    /// Rotating a key with nobody signed out, one deployment at a time:
    /// 1. every process gets the new key as a second key, `[old, new]`: the old one still seals;
    /// 2. every process seals with the new one, `[new, old]`; values sealed with the old key keep
    ///    opening, and every save re-seals its value with the new key;
    /// 3. once every live session was saved again (a refresh re-seals it) or has expired, drop the
    ///    old key. A value still sealed with it then reads as corrupt, naming its key id.
    ///
    /// Two different keys under one id make [`RedisSessionsBuilder::connect`] fail with
    /// [`SetupError::DuplicateKeyId`].
    pub fn encryption_keys(mut self, keys: impl IntoIterator<Item = EncryptionKey>) -> Self {
        self.keys.extend(keys);
        self
    }

    /// Makes the customer part of every key name a keyed hash (HMAC-SHA256) under `secret`, so
    /// a leaked list of key names gives no customer id back, even to someone with a dictionary
    /// of them. Every process sharing the sessions needs the same secret. Changing it moves every
    /// customer to other names: do it with [`RedisSessionsBuilder::migrate_key_names`].
    pub fn key_name_secret(mut self, secret: KeyNameSecret) -> Self {
        self.naming = Some(Naming::Keyed(secret));
        self
    }

    /// Keeps the key names of 0.3: a plain SHA-256 of the namespace and the customer key, which
    /// anybody who has (or can guess) a customer id computes. Prefer
    /// [`RedisSessionsBuilder::key_name_secret`]; the way from these names to keyed ones is
    /// [`RedisSessionsBuilder::migrate_key_names`].
    pub fn unkeyed_key_names(mut self) -> Self {
        self.naming = Some(Naming::Unkeyed);
        self
    }

    /// Moves live sessions from `from` names to the names of
    /// [`RedisSessionsBuilder::key_name_secret`] with no customer signed out, in steps that each
    /// roll out to every process before the next:
    ///
    /// 1. `MigrationStep::FollowMoved` everywhere (beside processes that know only the previous
    ///    names): sessions stay where they are; a moved one is followed.
    /// 2. `MigrationStep::MoveOnUse` everywhere (beside step-1 processes): sessions live under
    ///    the new names, and each one moves at its first use, with its revision, its sign-out
    ///    fence and its lock.
    /// 3. Once every process runs step 2 and a [`RedisSessionsBuilder::session_ttl`] has passed,
    ///    drop this call: sessions not used since have expired.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use cocart_redis::{KeyNameSecret, MigrationStep, PreviousKeyNames, RedisSessions};
    ///
    /// let redis = RedisSessions::builder("redis://127.0.0.1:6379/")
    ///     .key_name_secret(KeyNameSecret::from_base64(&std::env::var("KEY_NAME_SECRET")?)?)
    ///     .migrate_key_names(PreviousKeyNames::Unkeyed, MigrationStep::FollowMoved)
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn migrate_key_names(mut self, from: PreviousKeyNames, step: MigrationStep) -> Self {
        self.migration = Some((from, step));
        self
    }

    /// How many replicas must confirm each write before it counts as done: after every save,
    /// sign-out and refresh mark, the primary that took it is asked `WAIT replicas` (for at
    /// most a quarter of the command timeout). Fewer confirmations in time answer
    /// `SessionStoreError::Unavailable`, although the write is on the primary: the SDK treats it
    /// as a write whose answer was lost and reads the session back, so a save the primary still
    /// holds counts as done, and one a failover lost is written again from memory. A refresh
    /// mark without its confirmations stops the refresh before the token is presented (the
    /// SDK retries it later): no refresh token is spent that a failover could make the others
    /// forget.
    ///
    /// Default: **1 in cluster mode** ([`RedisSessions::cluster_builder`]), where a primary's
    /// death promotes a replica that may lack the last writes (replication is asynchronous);
    /// **0** (no `WAIT`) with one server ([`RedisSessions::builder`]), where nothing promotes a
    /// replica on its own. `0` turns it off. Ask for no more replicas than each primary has:
    /// while a shard has fewer live replicas than asked (for instance after a failover, until
    /// the old primary comes back as a replica), its customers can sign in and be read but
    /// cannot refresh, and each write to it holds the process's connection to that primary for
    /// the whole wait (Redis answers the commands of one connection in order), delaying the
    /// other customers of that shard.
    pub fn replicas_to_acknowledge(mut self, replicas: u32) -> Self {
        self.replicas_to_acknowledge = Some(replicas);
        self
    }

    fn acknowledge(&self) -> Option<Acknowledge> {
        let default = if self.cluster.is_some() { 1 } else { 0 };
        let replicas = self.replicas_to_acknowledge.unwrap_or(default);
        (replicas > 0).then_some(Acknowledge {
            replicas,
            within: self.command_timeout / 4,
        })
    }

    fn sealing_key(&self) -> Option<&EncryptionKey> {
        self.key.as_ref().or(self.keys.first())
    }

    fn manager_config(&self) -> ConnectionManagerConfig {
        ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.command_timeout))
            .set_response_timeout(Some(self.command_timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(self.command_timeout)
    }

    fn parts(self) -> Result<(Target, Shared), SetupError> {
        if self.namespace.is_empty()
            || self
                .namespace
                .chars()
                .any(|c| c == '{' || c == '}' || c.is_whitespace())
        {
            return Err(SetupError::BadNamespace);
        }
        let naming = self.naming.clone().ok_or(SetupError::KeyNamesNotChosen)?;
        if let Naming::Keyed(secret) = &naming
            && self
                .key
                .iter()
                .chain(&self.keys)
                .any(|key| secret.same_bytes(key.secret_bytes()))
        {
            return Err(SetupError::KeyNameSecretIsEncryptionKey);
        }
        let migration = match self.migration.clone() {
            None => None,
            Some((from, step)) => {
                let previous = from.naming();
                let same = match (&naming, &previous) {
                    (Naming::Unkeyed, _) => true,
                    (Naming::Keyed(new), Naming::Keyed(old)) => new.same_as(old),
                    (Naming::Keyed(_), Naming::Unkeyed) => false,
                };
                if same {
                    return Err(SetupError::MigrationWithoutNewSecret);
                }
                Some((previous, step))
            }
        };
        let acknowledge = self.acknowledge();
        let target = match &self.cluster {
            Some(nodes) => {
                #[cfg(feature = "tls")]
                let certs = tls::cluster_certificates(nodes, &self.tls)?;
                Target::cluster(
                    nodes,
                    self.command_timeout,
                    |builder| {
                        #[cfg(feature = "tls")]
                        let builder = match certs {
                            Some(certs) => builder.certs(certs),
                            None => builder,
                        };
                        builder
                    },
                    #[cfg(feature = "tls")]
                    tls::cluster_probes(nodes, &self.tls)?,
                )?
            }
            None => Target::Single(self.client()?, self.manager_config()),
        };
        let mut keys = self.keys.into_iter();
        let cipher = match self.key.or_else(|| keys.next()) {
            Some(sealing) => {
                Some(Cipher::new(sealing, keys).map_err(|dup| SetupError::DuplicateKeyId(dup.0))?)
            }
            None => None,
        };
        let shared = Shared {
            namespace: self.namespace,
            session_ttl: self.session_ttl,
            cipher,
            naming,
            migration,
            acknowledge,
        };
        Ok((target, shared))
    }

    /// Connects now, failing if Redis does not answer, if TLS fails
    /// ([`SetupError::Tls`]) or if the user may not run every command the crate sends
    /// ([`SetupError::NotPermitted`]): it loads the scripts and runs each command once on probe
    /// keys of the namespace (`NAMESPACE:{connect-probe-…}:…`; none stays longer than 1 ms).
    pub async fn connect(self) -> Result<RedisSessions, SetupError> {
        let (target, shared) = self.parts()?;
        let conn = target.connect().await?;
        connect::check(&conn, &shared.namespace).await?;
        Ok(RedisSessions {
            conn,
            shared: Arc::new(shared),
        })
    }

    /// Connects on first use, so a process can start while Redis is down (its stores answer
    /// "unavailable" until Redis is back). Must be called inside a Tokio runtime.
    ///
    /// Nothing is checked at start, nor later as a whole: a TLS failure or a missing
    /// permission shows at each call as `SessionStoreError::Unavailable` (with Redis's error
    /// code, e.g. `NOPERM`). A PEM that does not parse still fails here.
    pub fn connect_lazily(self) -> Result<RedisSessions, SetupError> {
        let (target, shared) = self.parts()?;
        let conn = target.connect_lazily()?;
        Ok(RedisSessions {
            conn,
            shared: Arc::new(shared),
        })
    }
}

struct Shared {
    namespace: String,
    session_ttl: Duration,
    cipher: Option<Cipher>,
    naming: Naming,
    migration: Option<(Naming, MigrationStep)>,
    /// Replicas that must confirm each write (`None`: no `WAIT`).
    acknowledge: Option<Acknowledge>,
}

/// Sessions of many customers in one Redis: hands out a [`RedisSessionStore`] and a
/// [`RedisSessionLock`] per customer key. Cloning is cheap and shares the connection.
#[derive(Clone)]
pub struct RedisSessions {
    conn: Conn,
    shared: Arc<Shared>,
}

impl fmt::Debug for RedisSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessions")
            .field("namespace", &self.shared.namespace)
            .field("key_ids", &self.shared.cipher.as_ref().map(Cipher::key_ids))
            .finish_non_exhaustive()
    }
}

impl RedisSessions {
    /// Starts configuring sessions in the Redis at `url` (`redis://[user:password@]host:port/db`,
    /// `rediss://…` with the `tls` feature). ACL user and password come from the URL; the user
    /// needs [`ACL_RULE`].
    pub fn builder(url: impl Into<String>) -> RedisSessionsBuilder {
        RedisSessionsBuilder {
            url: url.into(),
            cluster: None,
            replicas_to_acknowledge: None,
            namespace: "cocart".into(),
            session_ttl: DEFAULT_SESSION_TTL,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            key: None,
            keys: Vec::new(),
            naming: None,
            migration: None,
            #[cfg(feature = "tls")]
            tls: Default::default(),
        }
    }

    /// Starts configuring sessions in a Redis Cluster reached through any of `nodes` (each
    /// `redis://[user:password@]host:port`; the others are discovered). Every option of the
    /// builder applies; commands go to the primary of each customer's slot (the keys of one
    /// customer share a hash tag, so they live on one slot), and `MOVED` and `ASK` redirections
    /// are followed within the command timeout. Each write waits for one replica to confirm it
    /// unless [`RedisSessionsBuilder::replicas_to_acknowledge`] says otherwise.
    pub fn cluster_builder(
        nodes: impl IntoIterator<Item = impl Into<String>>,
    ) -> RedisSessionsBuilder {
        let nodes: Vec<String> = nodes.into_iter().map(Into::into).collect();
        let mut builder = Self::builder(String::new());
        builder.cluster = Some(nodes);
        builder
    }

    /// Connects with the defaults (namespace `cocart`, no encryption) and key names keyed by
    /// `key_name_secret`.
    pub async fn connect(
        url: impl Into<String>,
        key_name_secret: KeyNameSecret,
    ) -> Result<Self, SetupError> {
        Self::builder(url)
            .key_name_secret(key_name_secret)
            .connect()
            .await
    }

    fn layout(&self, customer: &str) -> Layout {
        Layout::new(
            &self.shared.namespace,
            customer,
            &self.shared.naming,
            self.shared.migration.as_ref(),
        )
    }

    /// The session store of one customer. `customer` is any stable identifier of yours (a user
    /// id, an email): only its digest reaches Redis.
    pub fn store(&self, customer: &str) -> RedisSessionStore {
        RedisSessionStore::new(
            self.conn.clone(),
            self.shared.clone(),
            self.layout(customer),
        )
    }

    /// The refresh lock of one customer (use the same `customer` as for [`RedisSessions::store`]).
    pub fn lock(&self, customer: &str) -> RedisSessionLock {
        let layout = self.layout(customer);
        RedisSessionLock::new(
            self.conn.clone(),
            self.shared.clone(),
            layout.locks(),
            layout.home().clone(),
        )
    }
}

/// A Redis error in words that cannot hold a secret: its kind and Redis's error code, never the
/// arguments or the URL.
pub(crate) fn describe(e: &redis::RedisError) -> String {
    let what = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connection_refusal() {
        "connection refused".to_string()
    } else if e.is_connection_dropped() || e.is_io_error() {
        "connection lost".to_string()
    } else {
        format!("{:?}", e.kind())
    };
    match e.code() {
        Some(code) => format!("redis: {what} ({code})"),
        None => format!("redis: {what}"),
    }
}

/// A duration as the whole milliseconds Redis takes for `PX` / `PEXPIRE` (at least 1).
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

pub(crate) fn unavailable(e: &redis::RedisError) -> cocart::SessionStoreError {
    cocart::SessionStoreError::Unavailable(describe(e))
}
