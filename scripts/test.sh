#!/usr/bin/env bash
# Runs every test of the project: Rust (unit, integration, end-to-end against cocart-mock, doc
# tests), the mock's npm and Python packages as a user installs them, the mock's console in
# Chromium, and, when the bindings are present, the Kotlin tests on the real JVM.
#
# The Redis tests need Debian's `redis-server` on PATH (installed here with apt-get when missing);
# they start their own servers, or share the one in COCART_TEST_REDIS_URL (`.ci/run` starts it).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if ! command -v "${REDIS_SERVER:-redis-server}" >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "==> installing redis-server (the shared-session tests run a real one)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
  else
    echo "the shared-session tests need redis-server: apt-get install redis-server" >&2
    exit 1
  fi
fi

# The console's browser test needs Debian's Chromium (scripts/console-test.sh).
if ! [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "==> installing chromium (the mock's console is tested in a real browser)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core
  else
    echo "the console's browser test needs Chromium: apt-get install chromium (or set CHROMIUM)" >&2
    exit 1
  fi
fi

echo "==> [${SECONDS}s] cargo test --workspace"
cargo test --workspace --no-run
# The two optimised builds that later steps need (the mock's release binary for the packages,
# the FFI library for .ci/run's size gate) are made in the background, at the lowest CPU
# priority, while the tests run: the tests mostly wait on sockets and timers, so the builds take
# idle CPU instead of adding their minutes (each is another profile's directory, with a lock of
# its own). A failure there is reported by the step that needs the build, which builds again.
prebuild_log=$(mktemp)
(
  nice -n 19 cargo build --release -q -p cocart-mock --bin cocart-mock &&
    nice -n 19 cargo rustc -q -p cocart-ffi --profile release-small --lib --crate-type cdylib
) >"$prebuild_log" 2>&1 &
prebuild=$!
trap 'kill "$prebuild" 2>/dev/null || true' EXIT
cargo test --workspace

# The README's install command for the CLI (the first `cargo install` line of its CLI section),
# run as written into a temporary root; `--debug` and the shared CARGO_TARGET_DIR reuse what the
# build above made (only the crates whose features differ without the dev-dependencies are
# built again: about a minute). The installed binary must report the workspace version.
echo "==> [${SECONDS}s] the README's install command for cocart, into a temporary root"
install_cmd=$(awk '/^## The `cocart` command-line tool/{cli=1; next} /^## /{cli=0} cli && /^cargo install /{sub(/ *#.*/, ""); print; exit}' README.md)
[ -n "$install_cmd" ] || { echo "README.md's CLI section has no \`cargo install\` line" >&2; exit 1; }
install_root=$(mktemp -d)
# shellcheck disable=SC2086 # the README's command, word-split as a shell would
$install_cmd --debug --root "$install_root"
want_version=$(awk '/^\[workspace.package\]/{p=1; next} /^\[/{p=0} p && /^version *=/{gsub(/[" ]/, ""); sub(/version=/, ""); print; exit}' Cargo.toml)
got_version=$("$install_root/bin/cocart" --version)
[ "$got_version" = "cocart $want_version" ] || { echo "installed cocart says '$got_version', not 'cocart $want_version'" >&2; exit 1; }
rm -rf "$install_root"

# The mock's fast paths off (COCART_MOCK_FAST_PATHS is read at run time): the mock's tests and
# the end-to-end tests again (but the Redis and multi-process ones), running the test binaries built above (a `cargo test -p …` would
# resolve features for fewer packages and rebuild).
echo "==> [${SECONDS}s] cocart-mock and end-to-end tests with the mock's fast paths off"
mapfile -t fast_off < <(cargo test --workspace --no-run --message-format=json 2>/dev/null |
  python3 -c '
import json, sys
for line in sys.stdin:
    try:
        a = json.loads(line)
    except ValueError:
        continue
    if a.get("reason") != "compiler-artifact" or not a.get("executable") or not a["profile"]["test"]:
        continue
    if a["package_id"].split("#")[-1].split("@")[0] not in ("cocart-mock", "cocart-e2e"):
        continue
    # The Redis and multi-process tests judge the shared-session protocol, not the mock: its
    # fast paths change nothing they look at, and they are the slowest to run twice.
    if a["target"]["name"].startswith(("redis_", "shared_session_scenarios")):
        continue
    print(a["manifest_path"].rsplit("/", 1)[0], a["executable"])
')
[ ${#fast_off[@]} -gt 0 ] || { echo "no test binaries found for the fast-paths-off run" >&2; exit 1; }
for unit in "${fast_off[@]}"; do
  (cd "${unit%% *}" && COCART_MOCK_FAST_PATHS=0 "${unit#* }" -q)
done

# The chaos soak (scripts/soak.sh): K=8 workers, M=40 customers, 30 s on one Redis and 30 s on a
# Redis Cluster under a seeded fault schedule,
# judged from the mock's journal; then the judge's self-test (a worker that presents a spent
# refresh token must make it fail).
# `--tolerate unsaved-rotation`: a Redis outage that starts between a refresh and its save and
# outlasts the holder's lease loses the rotated pair (README, "What cannot hold"); the soak
# counts it as `lost_rotations_unsaved_redis_outage` instead of failing CI on it.
echo "==> chaos soak, 30 s plain Redis + 30 s Redis Cluster"
bash scripts/soak.sh 30 --tolerate unsaved-rotation
bash scripts/soak.sh 30 --cluster --tolerate unsaved-rotation
echo "==> chaos soak self-test"
bash scripts/soak.sh --self-test

# The mock as other ecosystems install it: the release binary in the npm tarballs and the wheel
# (and the JVM jar), installed into fresh projects and driven by real clients
# (scripts/package-mock.sh, scripts/test-packages.sh; needs node/npm and python3-venv).
wait "$prebuild" || echo "(the background release builds failed; the next steps build again)"
echo "==> [${SECONDS}s] cocart-mock packages: package-mock.sh, then test-packages.sh (npm, pip, JVM)"
pkg_out=$(mktemp -d)
bash scripts/package-mock.sh "$pkg_out" && bash scripts/test-packages.sh "$pkg_out"
rm -rf "$pkg_out"

# The mock's console in Debian's Chromium (playwright-core), an SDK journey driving the mock
# (scripts/console-test.sh): the release binary package-mock.sh built above, and the journey
# example `cargo test --workspace` built (built again by the script when missing or older).
echo "==> [${SECONDS}s] the mock's console in Chromium: scripts/console-test.sh"
journey="$CARGO_TARGET_DIR/debug/examples/console_journey"
{ [ -x "$journey" ] && [ "$journey" -nt examples/console_journey.rs ]; } || journey=""
COCART_MOCK_BIN="$CARGO_TARGET_DIR/release/cocart-mock" CONSOLE_JOURNEY_BIN="$journey" \
  bash scripts/console-test.sh

if [ -f bindings/scripts/test-kotlin.sh ]; then
  echo "==> [${SECONDS}s] Kotlin binding tests"
  bash bindings/scripts/test-kotlin.sh
fi
if [ -f bindings/scripts/test-kotlin-consumer.sh ]; then
  echo "==> [${SECONDS}s] Kotlin SDK as a Maven artifact: mvn install, then bindings/kotlin-consumer against cocart-mock"
  bash bindings/scripts/test-kotlin-consumer.sh
fi
if [ -f bindings/scripts/check-swift-drift.sh ]; then
  # No Swift compiler here: the hand-written Swift is parsed with tree-sitter-swift and checked
  # against freshly generated Swift bindings (names, argument labels), with a self-test.
  echo "==> [${SECONDS}s] Swift drift check: hand-written Swift against freshly generated bindings"
  bash bindings/scripts/check-swift-drift.sh
fi
echo "==> [${SECONDS}s] all tests passed"
