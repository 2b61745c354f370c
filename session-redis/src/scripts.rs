//! The Lua scripts that make each step atomic inside Redis.
//!
//! Revisions travel as decimal strings and are compared as such (length first, then bytes), so
//! the check stays exact for every `u64` (Lua numbers are doubles).

use std::sync::LazyLock;

use redis::Script;

const NEWER: &str = r"
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
";

/// `KEYS[1]` session; `ARGV` revision, data, ttl ms. Writes only above the stored revision.
/// Answers `{1, revision}` when written, `{0, stored}` when refused.
pub(crate) static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NEWER}
local stored = redis.call('HGET', KEYS[1], 'rev')
if stored and not newer(ARGV[1], stored) then return {{0, stored}} end
redis.call('HSET', KEYS[1], 'rev', ARGV[1], 'data', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {{1, ARGV[1]}}"
    ))
});

/// `KEYS[1]` session; `ARGV` revision, ttl ms. Drops the session but keeps the revision it was
/// cleared at, so a slower save of an older revision cannot bring it back.
pub(crate) static CLEAR: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NEWER}
local stored = redis.call('HGET', KEYS[1], 'rev')
if stored and not newer(ARGV[1], stored) then return {{0, stored}} end
redis.call('HDEL', KEYS[1], 'data')
redis.call('HSET', KEYS[1], 'rev', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {{1, ARGV[1]}}"
    ))
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

/// `KEYS[1]` lock; `ARGV` owner. Deletes the lock only for its holder.
pub(crate) static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0",
    )
});
