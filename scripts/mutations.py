#!/usr/bin/env python3
"""Breaks each rule of the shared-session protocol on purpose and checks that the deterministic
simulation (`sim/`) fails within the CI budget (10,000 schedules); and each rule of the key-name
migration of `cocart-redis`, checked by its tests against a real `redis-server`
(`session-redis/tests/key_names.rs`, random interleavings included); and each rule of the mock
console's token lineage, checked by its unit and model tests and its HTTP tests
(`mock-server/src/console/lineage.rs`, `mock-server/tests/console_http.rs`).

    python3 scripts/mutations.py            # every mutation
    python3 scripts/mutations.py rule-4     # the ones whose name starts with rule-4

Each mutation replaces one exact piece of SDK source, runs the simulation until its first failing
schedule, and restores the file (also on Ctrl-C). It prints, per mutation, the first failing seed,
the invariant it broke and how many schedules that took. Exit 1 when a mutation survives (the
simulation did not notice) or a replacement no longer matches the source (update it here).
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUDGET = int(os.environ.get("COCART_SIM_SCHEDULES", "10000"))

# (name, what it breaks, file, exact old text, new text[, the test that must fail])
MUTATIONS = [
    (
        "rule-1-blind-write",
        "rule 1: a save is compare-and-swap on the exact revision read (the store writes blindly)",
        "sdk/src/session_store.rs",
        """fn next_revision(stored: u64, expected: u64) -> Result<u64, SessionStoreError> {
    if stored != expected {""",
        """fn next_revision(stored: u64, expected: u64) -> Result<u64, SessionStoreError> {
    let _ = expected;
    if false {""",
    ),
    (
        "rule-1-blind-clear",
        "rule 1: a sign-out is compare-and-swap too (the store clears blindly)",
        "sdk/src/session_store.rs",
        """    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        let mut slot = self.slot();
        let revision = next_revision(slot.revision(), expected)?;""",
        """    async fn clear(&self, expected: u64) -> Result<u64, SessionStoreError> {
        let mut slot = self.slot();
        let revision = next_revision(slot.revision(), slot.revision().max(expected))?;""",
    ),
    (
        "rule-2-no-adopt-after-refused-save",
        "rule 2: a refused save re-reads and adopts the stored session (it keeps its own pair instead)",
        "sdk/src/persist.rs",
        """                Err(SessionStoreError::Conflict { .. }) => match self.read(state).await? {
                    Restored::Adopted => return Ok(Written::Adopted),""",
        """                Err(e @ SessionStoreError::Conflict { .. }) => match Err::<Restored, Error>(Error::Storage(e))? {
                    Restored::Adopted => return Ok(Written::Adopted),""",
    ),
    (
        "rule-2-no-adopt-while-waiting",
        "rule 2: a newer stored session is adopted while waiting for the lock (the waiter never looks)",
        "sdk/src/auth/refresh/shared.rs",
        """        let taken = wait_for_lock(shared, &owner, || async {
            Ok(self.settled_by(self.load_and_adopt().await?, replaced))
        })""",
        """        let taken = wait_for_lock(shared, &owner, || async {
            let _ = self.settled_by(self.load_and_adopt().await?, replaced);
            Ok(None)
        })""",
    ),
    (
        "rule-3-forced-update",
        "rule 3: only the user's own act overrides (a refused rotation or sign-out is forced over the stored value)",
        "sdk/src/persist.rs",
        """                Err(SessionStoreError::Conflict { stored_revision })
                    if intent == Intent::Overwrite =>""",
        """                Err(SessionStoreError::Conflict { stored_revision })
                    if intent >= Intent::Update =>""",
    ),
    (
        "rule-3-no-reread",
        "rule 3: the stored session is re-read under the lock before the refresh token is presented",
        "sdk/src/auth/refresh/shared.rs",
        """        // Another process may have rotated, logged in or signed out since our last look.
        match self
            .load_and_adopt()
            .await
            .map(|r| self.settled_by(r, replaced))
        {""",
        """        // Another process may have rotated, logged in or signed out since our last look.
        match Ok::<Option<Restored>, Error>(None)
        {""",
    ),
    (
        "rule-4-tombstone-ignored",
        "rule 4: a sign-out reaches every replica (a stored tombstone is read as nothing stored)",
        "sdk/src/auth/state.rs",
        """                self.synced = Some(seen);
                if self.tokens.is_none() {
                    return Ok(Restored::Kept);
                }""",
        """                self.synced = Some(seen);
                if self.tokens.is_some() || self.tokens.is_none() {
                    return Ok(Restored::Kept);
                }""",
    ),
    (
        "rule-5-lapse-always",
        "rule 5: RefreshedElsewhereAndLost only after a lapsed lease with a refresh in flight (said after any wait)",
        "sdk/src/auth/refresh/shared.rs",
        """                    if grant.lapsed_refresh =>""",
        """                    if grant.lapsed_refresh || !grant.lapsed_refresh =>""",
    ),
    (
        "rule-5-refused-presented-again",
        "rule 5: a refused refresh token is never presented again (the lock is released before the sign-out is saved)",
        "sdk/src/auth/refresh/shared.rs",
        """                Err(RefreshFailure::Terminal(r)) => {
                    (Err(RefreshFailure::Terminal(r)), Release::AfterSaved)
                }""",
        """                Err(RefreshFailure::Terminal(r)) => (Err(RefreshFailure::Terminal(r)), Release::Now),""",
    ),
    (
        "names-1-write-over-marker",
        "key names 1: nothing is written over a moved session's marker (an old-name write lands)",
        "session-redis/src/scripts.rs",
        """if redis.call('HEXISTS', KEYS[1], 'moved') == 1 then return {2, stored} end
if stored ~= ARGV[1] then return {0, stored} end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'data', ARGV[3])""",
        """if stored ~= ARGV[1] then return {0, stored} end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'data', ARGV[3])""",
        "key_names",
    ),
    (
        "names-2-login-without-move",
        "key names 2: a step-2 write over nothing stored moves the old name's session first (it starts a second one)",
        "session-redis/src/store.rs",
        """                if expected == 0 {""",
        """                if expected == 0 && false {""",
        "key_names",
    ),
    (
        "names-3-step-2-new-lock-only",
        "key names 3: step 2 takes the old name's lock too (it takes only the new one)",
        "session-redis/src/migration.rs",
        """            Self::Move { old, new } => vec![old.clone(), new.clone()],""",
        """            Self::Move { new, .. } => vec![new.clone()],""",
        "key_names",
    ),
    (
        "names-4-follower-ignores-marker",
        "key names 4: step 1 follows a marker to the new names (it reads the marker as nothing stored)",
        "session-redis/src/store.rs",
        """                Raw::Moved(marker) => {
                    self.complete_move(old, new, marker).await?;
                    self.load_at(new).await
                }
                Raw::Empty => Ok(Stored::Empty),""",
        """                Raw::Moved(_) | Raw::Empty => Ok(Stored::Empty),""",
        "key_names",
    ),
    (
        "names-5-completion-overwrites",
        "key names 5: completing a move writes only where nothing is stored (a late completer overwrites newer writes)",
        "session-redis/src/scripts.rs",
        """        "if redis.call('HEXISTS', KEYS[1], 'rev') == 1 or redis.call('HEXISTS', KEYS[1], 'data') == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'rev', ARGV[1])""",
        """        "redis.call('HSET', KEYS[1], 'rev', ARGV[1])""",
        "key_names",
    ),
    (
        "console-1-reused-at-first-sight",
        "console 1: a refresh token is marked presented twice only from its second presentation (issued is not presented)",
        "mock-server/src/console/lineage.rs",
        """let reused = memo.is_some_and(|m| m.presented > 0);""",
        """let reused = memo.is_some();""",
        "cocart-mock:lib",
    ),
    (
        "console-2-refresh-spends-nothing",
        "console 2: a refresh that succeeds marks the token it presented as rotated away",
        "mock-server/src/console/lineage.rs",
        """            if seen.issued.is_some() {
                entry.fate = Fate::RotatedAway(id);
            }""",
        """            let _ = id;""",
        "cocart-mock:console_http",
    ),
    (
        "console-3-logout-revokes-nothing",
        "console 3: a logout revokes the user's sessions and refresh tokens",
        "mock-server/src/console/lineage.rs",
        """        let ended = revoke(&mut inner, |uid| uid == user_id, id);""",
        """        let ended = revoke(&mut inner, |_| false, id);""",
        "cocart-mock:lib",
    ),
    (
        "console-4-wrong-binding-named",
        "console 4: a refusal names the check the token failed (an IP binding read as a User-Agent one)",
        "mock-server/src/auth/plugin.rs",
        """            return Err(StateCheck::OtherIp);""",
        """            return Err(StateCheck::OtherUserAgent);""",
        "cocart-mock:console_http",
    ),
    (
        "console-5-query-secrets-shown",
        "console 5: journal pages show credential values in queries as [redacted]",
        "mock-server/src/console/views.rs",
        """                "query": redacted_query(&e.query),""",
        """                "query": e.query,""",
        "cocart-mock:console_http",
    ),
    (
        "console-6-silent-fault-control",
        "console 6: a control that changes state tells the live stream",
        "mock-server/src/ops/controls.rs",
        """        .map_err(MockError::Invalid)?;
    shared.control_changed();""",
        """        .map_err(MockError::Invalid)?;""",
        "cocart-mock:console_http",
    ),
    (
        "console-7-refresh-not-traced",
        "console 7: the refresh route hands its handler the request the lineage names",
        "mock-server/src/routes/trace.rs",
        """            | "/wp-json/cocart/v2/logout"
            | "/wp-json/cocart/jwt/refresh-token"
    )""",
        """            | "/wp-json/cocart/v2/logout"
    )""",
        "cocart-mock:console_http",
    ),
]


def run_redis_test(test):
    """The test `test` (`PACKAGE:TEST`, `PACKAGE:lib` for its unit tests; a bare name is a
    `cocart-redis` integration test): killed when it fails."""
    started = time.time()
    package, _, name = test.rpartition(":")
    target = ["--lib"] if name == "lib" else ["--test", name]
    proc = subprocess.run(
        ["cargo", "test", "-p", package or "cocart-redis", *target],
        cwd=ROOT, capture_output=True, text=True,
    )
    return proc.returncode, proc.stdout + proc.stderr, time.time() - started


def run_sim():
    env = dict(os.environ, COCART_SIM_SCHEDULES=str(BUDGET), COCART_SIM_STOP_AT_FIRST="1")
    started = time.time()
    proc = subprocess.run(
        ["cargo", "test", "-q", "-p", "cocart-sim", "--test", "protocol", "--",
         "schedules_keep_the_invariants", "--nocapture"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    out = proc.stdout + proc.stderr
    return proc.returncode, out, time.time() - started


def main():
    wanted = sys.argv[1:]
    survived = []
    for name, rule, path, old, new, *test in MUTATIONS:
        if wanted and not any(name.startswith(w) for w in wanted):
            continue
        full = os.path.join(ROOT, path)
        with open(full) as f:
            original = f.read()
        if original.count(old) != 1:
            print(f"{name}: the text to replace is not in {path} exactly once; update scripts/mutations.py")
            survived.append(name)
            continue
        try:
            with open(full, "w") as f:
                f.write(original.replace(old, new))
            code, out, secs = run_redis_test(test[0]) if test else run_sim()
        finally:
            with open(full, "w") as f:
                f.write(original)
        if "error[E" in out or "could not compile" in out:
            print(f"{name}: the mutant does not compile\n{out[-2000:]}")
            survived.append(name)
            continue
        if test:
            failed = re.findall(r"^test (\S+) \.\.\. FAILED", out, re.M)
            if code != 0 and failed:
                print(f"KILLED  {name} ({rule})\n        {test[0]}: {', '.join(failed)} failed ({secs:.0f} s)")
            else:
                print(f"SURVIVED {name} ({rule}): {test[0]} passed ({secs:.0f} s)")
                survived.append(name)
            continue
        failure = re.search(r"seed=(\d+) \((\S+), (\S+)\) FAILED: (.*)", out)
        after = re.search(r"first failure after (\d+) schedules in ([\d.]+) s", out)
        if code != 0 and failure:
            print(f"KILLED  {name} ({rule})\n        seed {failure.group(1)} ({failure.group(2)}, {failure.group(3)}), "
                  f"after {after.group(1) if after else '?'} schedules ({after.group(2) if after else '?'} s): "
                  f"{failure.group(4)[:160]}")
        else:
            print(f"SURVIVED {name} ({rule}): no schedule of {BUDGET} failed ({secs:.0f} s)")
            survived.append(name)
    if survived:
        print(f"{len(survived)} mutation(s) not killed: {', '.join(survived)}")
        sys.exit(1)
    print("every mutation was killed")


if __name__ == "__main__":
    main()
