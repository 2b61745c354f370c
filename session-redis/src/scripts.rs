//! The Lua scripts that make each step atomic inside Redis.
//!
//! Revisions travel as canonical decimal strings (what Rust's `u64::to_string` writes) and are
//! compared as strings, never as Lua numbers (doubles), so the check is exact for every `u64`.
//! The next revision (`expected + 1`) is computed in Rust, which refuses the overflow, and
//! passed beside `expected`: a script writes it only when the stored revision is exactly
//! `expected` (`"0"` when nothing is stored).

use std::sync::LazyLock;

use redis::Script;

/// `KEYS[1]` session; `ARGV` expected revision, next revision, data, ttl ms. Writes only when the
/// stored revision (`0` when none) is exactly the expected one. Answers `{1, next}` when written,
/// `{0, stored}` when refused.
pub(crate) static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local stored = redis.call('HGET', KEYS[1], 'rev') or '0'
if stored ~= ARGV[1] then return {0, stored} end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, ARGV[2]}",
    )
});

/// `KEYS[1]` session; `ARGV` expected revision, next revision, ttl ms. Replaces the session with
/// a tombstone (the hash keeps `rev` and loses `data`) when the stored revision is exactly the
/// expected one, so a write that expected an older revision cannot bring the session back.
/// Answers like [`SAVE`].
pub(crate) static CLEAR: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local stored = redis.call('HGET', KEYS[1], 'rev') or '0'
if stored ~= ARGV[1] then return {0, stored} end
redis.call('HDEL', KEYS[1], 'data')
redis.call('HSET', KEYS[1], 'rev', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, ARGV[2]}",
    )
});

/// `KEYS[1]` lock, `KEYS[2]` refresh mark; `ARGV` owner, lease ms. Takes the lock if nobody holds
/// it (`SET NX PX`) and reports the mark a lapsed holder left, without removing it: the mark
/// stays until a holder presents the token itself (its own mark replaces it) and releases.
/// Answers `-1` when held, `0` when taken, `1` when taken with a refresh marked by another.
pub(crate) static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
local m = redis.call('GET', KEYS[2])
if m and m ~= ARGV[1] then return 1 end
return 0",
    )
});

/// `KEYS[1]` lock; `ARGV` owner, lease ms. Extends the lease only for its holder.
pub(crate) static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0",
    )
});

/// `KEYS[1]` lock, `KEYS[2]` refresh mark; `ARGV` owner, mark ttl ms. Sets the mark (with a TTL,
/// so it never lingers) only for the lock's holder.
pub(crate) static MARK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1",
    )
});

/// `KEYS[1]` lock, `KEYS[2]` refresh mark; `ARGV` owner. Deletes the lock if the owner holds it,
/// and the mark if the owner set it: a holder releases once it knows how its refresh ended, so
/// its mark goes even when its lease lapsed (a holder whose answer was lost does not release).
pub(crate) static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local n = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then n = n + redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then n = n + redis.call('DEL', KEYS[2]) end
return n",
    )
});
