//! The connection options every demo takes, and the client they build from them.

use std::fmt;

use clap::Args;
use cocart::clock::OffsetClock;
use std::time::Duration;

use cocart::{ClientBuilder, CoCartClient, Error, SessionStoreError};

/// Where the store is and who signs in. The password can come from `COCART_PASSWORD` instead of
/// the command line (it then stays out of the shell history).
#[derive(Clone, Args)]
pub struct StoreArgs {
    /// The store's site root, e.g. `https://shop.example` or `http://127.0.0.1:8080`.
    #[arg(long, env = "COCART_STORE_URL")]
    pub store_url: String,
    /// The customer's username or email.
    #[arg(long, env = "COCART_USERNAME")]
    pub username: String,
    /// The customer's password.
    #[arg(long, env = "COCART_PASSWORD", hide_env_values = true)]
    pub password: String,
}

impl fmt::Debug for StoreArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreArgs")
            .field("store_url", &self.store_url)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl StoreArgs {
    /// A client for the store. `clock` is the device clock the SDK measures token lifetimes
    /// with (`OffsetClock::new()` is the system clock).
    pub fn client(&self, clock: OffsetClock) -> Result<CoCartClient, Error> {
        self.builder(clock).build()
    }

    /// The builder behind [`StoreArgs::client`], for demos that add to it.
    pub fn builder(&self, clock: OffsetClock) -> ClientBuilder {
        CoCartClient::builder(self.store_url.as_str()).clock(clock)
    }
}

/// One customer's session shared through Redis with every process given the same URL and key
/// (backend replicas, workers).
#[derive(Clone, Default, Args)]
pub struct SharedSessionArgs {
    /// Keep the session in this Redis (`redis://[user:password@]host:port/`), shared by every
    /// process given the same URL and `--session-key`.
    #[arg(
        long,
        requires = "session_key",
        env = "COCART_SESSION_REDIS",
        hide_env_values = true
    )]
    pub session_redis: Option<String>,
    /// Which customer's session to use in that Redis (any stable id of yours; only its digest
    /// reaches Redis).
    #[arg(long, requires = "session_redis")]
    pub session_key: Option<String>,
    /// How long the cross-process refresh lock is leased, in seconds (default: the SDK's, three
    /// request timeouts and at least 30 s). A process that dies holding it delays the others by
    /// at most this long.
    #[arg(long, requires = "session_redis", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub lock_lease: Option<u64>,
    /// Seal the session in Redis with these keys: `ID:BASE64` pairs separated by commas (an id is
    /// a public label, a key 32 bytes as from `openssl rand -base64 32`). The first seals, every
    /// one opens, so keys rotate with nobody signed out.
    #[arg(
        long,
        requires = "session_redis",
        env = "COCART_SESSION_KEYS",
        hide_env_values = true
    )]
    pub session_keys: Option<String>,
    /// The secret that makes Redis key names private (base64 of 32 bytes, as from
    /// `openssl rand -base64 32`); every process sharing the sessions needs the same one.
    /// Without it, the demo keeps unkeyed names (the customer key's plain digest) and says so.
    #[arg(
        long,
        requires = "session_redis",
        env = "COCART_KEY_NAME_SECRET",
        hide_env_values = true
    )]
    pub key_name_secret: Option<String>,
    /// Move sessions from the unkeyed key names to those of `--key-name-secret`, one step of
    /// the migration at a time across all processes: `follow` (step 1: sessions stay, moved
    /// ones are followed), then `move` (step 2: sessions move at their first use).
    #[arg(
        long,
        requires = "key_name_secret",
        env = "COCART_MIGRATE_KEY_NAMES",
        value_parser = ["follow", "move"]
    )]
    pub migrate_key_names: Option<String>,
}

impl fmt::Debug for SharedSessionArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedSessionArgs")
            .field(
                "session_redis",
                &self.session_redis.as_ref().map(|_| "[redacted]"),
            )
            .field("session_key", &self.session_key)
            .field("lock_lease", &self.lock_lease)
            .field(
                "session_keys",
                &self.session_keys.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "key_name_secret",
                &self.key_name_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("migrate_key_names", &self.migrate_key_names)
            .finish()
    }
}

impl SharedSessionArgs {
    /// Whether a shared session was asked for.
    pub fn is_shared(&self) -> bool {
        self.session_redis.is_some()
    }

    /// Gives `builder` the customer's Redis session store and refresh lock, when asked for.
    /// Redis being down at start is not an error: the store answers "unavailable" until it is
    /// back, and the client keeps working with what it holds.
    pub fn attach(&self, builder: ClientBuilder) -> Result<ClientBuilder, Error> {
        let (Some(url), Some(key)) = (&self.session_redis, &self.session_key) else {
            return Ok(builder);
        };
        let mut sessions =
            cocart_redis::RedisSessions::builder(url.as_str()).namespace("cocart-demo");
        if let Some(keys) = &self.session_keys {
            sessions = sessions.encryption_keys(session_keys(keys)?);
        }
        sessions = match &self.key_name_secret {
            Some(text) => sessions.key_name_secret(
                cocart_redis::KeyNameSecret::from_base64(text)
                    .map_err(|e| Error::Storage(SessionStoreError::Unavailable(e.to_string())))?,
            ),
            None => {
                eprintln!(
                    "note: Redis key names are unkeyed (set COCART_KEY_NAME_SECRET to make them \
                     private)"
                );
                sessions.unkeyed_key_names()
            }
        };
        let step = match self.migrate_key_names.as_deref() {
            Some("follow") => Some(cocart_redis::MigrationStep::FollowMoved),
            Some("move") => Some(cocart_redis::MigrationStep::MoveOnUse),
            _ => None,
        };
        if let Some(step) = step {
            sessions = sessions.migrate_key_names(cocart_redis::PreviousKeyNames::Unkeyed, step);
        }
        let sessions = sessions
            .connect_lazily()
            .map_err(|e| Error::Storage(SessionStoreError::Unavailable(e.to_string())))?;
        let builder = builder
            .session_store(sessions.store(key))
            .session_lock(sessions.lock(key));
        Ok(match self.lock_lease {
            Some(secs) => builder
                .lock_lease(Duration::from_secs(secs))
                .timeout(Duration::from_secs(secs).min(Duration::from_secs(60)) / 2),
            None => builder,
        })
    }
}

/// `ID:BASE64,ID:BASE64` as keys. The errors never repeat the text (it holds the keys).
fn session_keys(spec: &str) -> Result<Vec<cocart_redis::EncryptionKey>, Error> {
    spec.split(',')
        .enumerate()
        .map(|(i, pair)| {
            let (id, key) = pair.trim().split_once(':').ok_or_else(|| {
                Error::Config(format!("--session-keys: key {} is not ID:BASE64", i + 1))
            })?;
            cocart_redis::EncryptionKey::from_base64_with_id(id, key)
                .map_err(|e| Error::Config(format!("--session-keys: key {}: {e}", i + 1)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_keys_parse_as_id_base64_pairs_and_errors_never_repeat_them() {
        let key = "ERERERERERERERERERERERERERERERERERERERERERE=";
        let keys = session_keys(&format!("k2:{key}, k1:{key}")).unwrap();
        let ids: Vec<_> = keys.iter().map(cocart_redis::EncryptionKey::id).collect();
        assert_eq!(ids, ["k2", "k1"]);
        for bad in [
            format!("k1{key}"),
            format!("k1:{key},k2:{key}x"),
            format!("bad id:{key}"),
        ] {
            let err = session_keys(&bad).unwrap_err().to_string();
            assert!(err.contains("--session-keys: key"), "{err}");
            assert!(!err.contains("ERERER"), "{err}");
        }
    }
}
