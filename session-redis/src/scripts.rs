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
/// `{0, stored}` when refused, and `{2, stored}` when the session was moved to other key names
/// (a marker of a key-name migration, see [`MARK_MOVED`]): nothing is written over a marker.
pub(crate) static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local stored = redis.call('HGET', KEYS[1], 'rev') or '0'
if redis.call('HEXISTS', KEYS[1], 'moved') == 1 then return {2, stored} end
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
if redis.call('HEXISTS', KEYS[1], 'moved') == 1 then return {2, stored} end
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

/// `KEYS[1]` lock; `ARGV` owner. Deletes the lock if the owner holds it, and nothing else: undoes
/// the first half of a two-lock acquisition (a key-name migration) whose second half failed.
pub(crate) static UNLOCK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0",
    )
});

/// `KEYS[1]` a session under its previous key names; `ARGV` expected revision, next revision,
/// ttl ms. Turns what is stored there into a **marker** of a key-name migration, when the
/// stored revision is exactly the expected one: the hash then holds `rev` (the next revision),
/// `moved` (`session`, `cleared` or `none`: what was there), `moved_rev` (the revision it had)
/// and `moved_data` (the session as it was stored, for whoever completes the move). Old-name
/// writers are fenced by it ([`SAVE`] and [`CLEAR`] write nothing over it). Answers `1` when
/// marked, `2` when it was a marker already, `0` when the revision changed.
pub(crate) static MARK_MOVED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local f = redis.call('HMGET', KEYS[1], 'rev', 'data', 'moved')
if f[3] then return 2 end
local stored = f[1] or '0'
if stored ~= ARGV[1] then return 0 end
local kind = 'none'
if f[2] then kind = 'session' elseif f[1] then kind = 'cleared' end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'moved', kind, 'moved_rev', stored)
if f[2] then redis.call('HSET', KEYS[1], 'moved_data', f[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1",
    )
});

/// `KEYS[1]` a session under its new key names; `ARGV` revision, ttl ms, and the session (absent
/// for a sign-out's tombstone). Completes a move: writes only when nothing is stored there, so
/// whoever completes a move first wins and the others change nothing. Answers `1` when written.
pub(crate) static CREATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('HEXISTS', KEYS[1], 'rev') == 1 or redis.call('HEXISTS', KEYS[1], 'data') == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'rev', ARGV[1])
if ARGV[3] then redis.call('HSET', KEYS[1], 'data', ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1",
    )
});
