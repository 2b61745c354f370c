//! What [`RedisSessionsBuilder::connect`](crate::RedisSessionsBuilder::connect) checks before it
//! answers, and the smallest ACL rule the crate needs.
//!
//! `connect()` loads every script (`SCRIPT LOAD`) and runs each once on probe keys of the
//! namespace, so that a Redis user without a permission the crate needs is told at start-up
//! ([`SetupError::NotPermitted`]), not at the first refresh. The scripts stay invoked by their
//! SHA with the `NOSCRIPT` fallback (load, then run again), so a server restarted or flushed
//! after `connect()` keeps working.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::RedisError;

use crate::conn::Conn;
use crate::scripts::{ACQUIRE, CLEAR, CREATE, MARK, MARK_MOVED, RELEASE, RENEW, SAVE, UNLOCK};
use crate::{RedisSessionsBuilder, SetupError, millis};

/// The smallest Redis ACL rule the crate needs, with `NAMESPACE` standing for the namespace
/// ([`acl_rule`] fills it in). Give it to a user of its own, after `reset` and its password:
///
/// ```text
/// ACL SETUSER shop reset on >PASSWORD ~NAMESPACE:* resetchannels -@all +hmget +evalsha +script|load +hget +hset +hdel +hexists +pexpire +set +get +del
/// ```
///
/// - `~NAMESPACE:*`: every key the crate touches starts with the namespace and a colon (the
///   probe keys of `connect()` too);
/// - `+hmget` (reading a session), `+evalsha` (every write and lock step is a script run by its
///   SHA) and `+script|load` (loading the scripts at `connect()`, and again after a `NOSCRIPT`,
///   when the server was restarted or its scripts flushed). `EVAL` is never sent;
/// - `+hget +hset +hdel +hexists +pexpire +set +get +del`: the commands the scripts run (those
///   of a key-name migration included), which Redis 7 checks against the caller's rule too;
/// - no pub/sub channel (`resetchannels`).
///
/// Not in the rule: `AUTH` and `HELLO` (always allowed); `SELECT`, needed only when the URL
/// names a database other than 0 (add `+select`); `CLIENT SETINFO`, which redis-rs sends on
/// every connection to Redis 7.2 and later and whose refusal it ignores (add `+client|setinfo`
/// to keep those refusals out of `ACL LOG`; Redis 7.0 does not know the command and refuses
/// the rule that names it).
pub const ACL_RULE: &str = "~NAMESPACE:* resetchannels -@all +hmget +evalsha +script|load \
                            +hget +hset +hdel +hexists +pexpire +set +get +del";

/// [`ACL_RULE`] for one namespace: its key pattern matches exactly the keys of `namespace`
/// (glob characters in the namespace are escaped).
pub fn acl_rule(namespace: &str) -> String {
    let mut pattern = String::with_capacity(namespace.len());
    for c in namespace.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    ACL_RULE.replacen("NAMESPACE", &pattern, 1)
}

impl RedisSessionsBuilder {
    /// The redis-rs client for the URL (and the TLS options with the `tls` feature).
    pub(crate) fn client(&self) -> Result<redis::Client, SetupError> {
        #[cfg(feature = "tls")]
        {
            crate::tls::client(&self.url, &self.tls)
        }
        #[cfg(not(feature = "tls"))]
        {
            redis::Client::open(self.url.as_str())
                .map_err(|e| SetupError::BadUrl(crate::describe(&e)))
        }
    }
}

/// A check that Redis answered with an error. A missing permission names the command sent
/// (`sent`), or the commands its script runs (`in_script`): Redis names the script, not which
/// of its commands was refused.
fn refused(e: &RedisError, sent: &str, in_script: &str) -> SetupError {
    let detail = e.detail().unwrap_or("");
    let command = match e.code() {
        Some("NOPERM") if detail.contains("keys") => format!("{sent} on the namespace's keys"),
        Some("NOPERM") => sent.to_string(),
        Some("ERR") if detail.contains("can't run this command") => {
            format!("{in_script} (in a script)")
        }
        _ => return crate::conn::unreachable(e),
    };
    SetupError::NotPermitted { command }
}

/// Probe keys of the namespace no customer can have (a customer's tag is a 64-digit digest),
/// unique to this call.
struct Probe {
    session: String,
    moved: String,
    lock: String,
    mark: String,
    owner: String,
}

impl Probe {
    fn new(namespace: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let tag = format!("connect-probe-{}-{nanos}", std::process::id());
        Self {
            session: format!("{namespace}:{{{tag}}}:session"),
            moved: format!("{namespace}:{{{tag}}}:moved"),
            lock: format!("{namespace}:{{{tag}}}:lock"),
            mark: format!("{namespace}:{{{tag}}}:refreshing"),
            owner: tag,
        }
    }
}

/// How long a probe key may outlive a `connect()` that died halfway.
const PROBE_TTL: Duration = Duration::from_secs(10);

/// Runs one probe script (its answer does not matter); a refusal names `in_script`, the
/// commands the script runs, since Redis names the script, not which of its commands it refused.
async fn run(
    conn: &mut Conn,
    call: &mut redis::ScriptInvocation<'_>,
    in_script: &str,
) -> Result<(), SetupError> {
    let _: redis::Value = call
        .invoke_async(conn)
        .await
        .map_err(|e| refused(&e, "EVALSHA", in_script))?;
    Ok(())
}

/// Loads the scripts and runs each command the crate sends once, on probe keys: the lock's
/// steps on a probe lock (taken, renewed, marked, released: nothing stays), a save and a
/// sign-out on a probe session (its tombstone expires after 1 ms), and a read.
pub(crate) async fn check(conn: &Conn, namespace: &str) -> Result<(), SetupError> {
    let mut conn = conn.clone();
    for script in [
        &*SAVE,
        &*CLEAR,
        &*ACQUIRE,
        &*RENEW,
        &*MARK,
        &*RELEASE,
        &*UNLOCK,
        &*MARK_MOVED,
        &*CREATE,
    ] {
        script
            .load_async(&mut conn)
            .await
            .map_err(|e| refused(&e, "SCRIPT LOAD", ""))?;
    }
    let probe = Probe::new(namespace);
    let ttl = millis(PROBE_TTL);

    run(
        &mut conn,
        SAVE.key(&probe.session).arg("0").arg("1").arg("").arg(ttl),
        "HGET, HEXISTS, HSET or PEXPIRE",
    )
    .await?;
    run(
        &mut conn,
        CLEAR.key(&probe.session).arg("1").arg("2").arg(1),
        "HDEL",
    )
    .await?;
    // The steps of a key-name migration, on a second probe session: written as a move's
    // completion, then turned into a marker that expires after 1 ms.
    run(
        &mut conn,
        CREATE.key(&probe.moved).arg("1").arg(ttl),
        "HEXISTS, HSET or PEXPIRE",
    )
    .await?;
    run(
        &mut conn,
        MARK_MOVED.key(&probe.moved).arg("1").arg("2").arg(1),
        "HMGET, DEL, HSET or PEXPIRE",
    )
    .await?;

    run(
        &mut conn,
        ACQUIRE
            .key(&probe.lock)
            .key(&probe.mark)
            .arg(&probe.owner)
            .arg(ttl),
        "SET or GET",
    )
    .await?;
    run(
        &mut conn,
        RENEW.key(&probe.lock).arg(&probe.owner).arg(ttl),
        "GET or PEXPIRE",
    )
    .await?;
    run(
        &mut conn,
        MARK.key(&probe.lock)
            .key(&probe.mark)
            .arg(&probe.owner)
            .arg(ttl),
        "GET or SET",
    )
    .await?;
    run(
        &mut conn,
        UNLOCK.key(&probe.lock).arg(&probe.owner),
        "GET or DEL",
    )
    .await?;
    run(
        &mut conn,
        RELEASE.key(&probe.lock).key(&probe.mark).arg(&probe.owner),
        "GET or DEL",
    )
    .await?;

    let _: (Option<String>, Option<String>) = redis::cmd("HMGET")
        .arg(&probe.session)
        .arg("rev")
        .arg("data")
        .query_async(&mut conn)
        .await
        .map_err(|e| refused(&e, "HMGET", ""))?;
    Ok(())
}
