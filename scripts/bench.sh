#!/usr/bin/env bash
# Reproduces every figure of BENCHMARKS.md and rewrites it: SDK overhead, refresh storm,
# mock-server throughput (wrk), memory, and the size of the FFI library.
#
#   bash scripts/bench.sh
#
# Knobs (environment): BENCH_LOAD_MAX (1-min load average to wait for, default 0.8),
# BENCH_MAX_WAIT (seconds to wait for it, default 1200), BENCH_WRK_ROUNDS (default 3),
# BENCH_WRK_SECONDS (default 10), BENCH_REPORT (output file, default BENCHMARKS.md), and the
# benches' own BENCH_ITERS, BENCH_STORM_NS, BENCH_STORM_REPS, BENCH_SHARED_K, BENCH_SHARED_M,
# BENCH_SHARED_REPS, BENCH_CARTS, BENCH_CLIENTS, BENCH_COLD_CUSTOMERS, BENCH_STARTUP_ITERS,
# BENCH_HOT_CUSTOMERS, BENCH_HOT_REQUESTS, BENCH_HOT_CONCURRENCY, BENCH_HOT_ROUNDS.
# BENCH_ONLY=mock measures only the mock (throughput and start-up), BENCH_ONLY=shared only the
# cross-process storm and BENCH_ONLY=hot only the hot path with Redis (1,000 customers through
# one RedisSessions), BENCH_ONLY=launchers only the packaged mock's start-up (npm and Python
# and JVM launchers against the binary, and its size), BENCH_ONLY=size only the FFI library's
# size (every TLS option), BENCH_ONLY=console-cost only what the console's bookkeeping costs a
# store request (against the binary before the console) and BENCH_ONLY=console only the mock
# console's first paint (empty vs
# full journal) and its share of the binary; each replaces its sections of the existing report.
# BENCH_SIZE_BASE=<git ref> also builds the library of that commit (from `git archive`, same
# target directory and profile) and puts its size beside this checkout's, for a before/after in
# one run. The chaos soak's
# section is written by `scripts/soak.sh 600 --write-benchmarks` and kept here as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TERM_COLOR=never
REPORT="${BENCH_REPORT:-$ROOT/BENCHMARKS.md}"
LOAD_MAX="${BENCH_LOAD_MAX:-0.8}"
MAX_WAIT="${BENCH_MAX_WAIT:-1200}"
WRK_ROUNDS="${BENCH_WRK_ROUNDS:-3}"
WRK_SECONDS="${BENCH_WRK_SECONDS:-10}"
# The library's budget, the one CI enforces (scripts/size-gate.sh reads the same file).
SIZE_TARGET_MB=$(grep -v '^#' bindings/ffi/size-budget-mb | tr -d '[:space:]')
ONLY="${BENCH_ONLY:-all}"

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export BENCH_SUMMARY="$WORK/summary.md"
: >"$BENCH_SUMMARY"

log() { echo "==> $*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# Puts the section in FILE (its own <!-- NAME:start --> ... <!-- NAME:end --> markers included)
# into the report: in place of the section between those markers, or, the first time, before
# "## Analysis" (at the end when there is none).
put_section() {
  local name=$1 file=$2
  awk -v section="$file" -v start="<!-- $name:start -->" -v end="<!-- $name:end -->" '
    function put(f,   line) { while ((getline line < f) > 0) print line; close(f) }
    $0 == start { skipping = 1; if (!done) { put(section); done = 1 } next }
    $0 == end { skipping = 0; getline; if ($0 != "") print; next }
    /^## Analysis$/ && !done { put(section); done = 1 }
    !skipping { print }
    END { if (!done) put(section) }
  ' "$REPORT" >"$WORK/report.md"
  cp "$WORK/report.md" "$REPORT"
  log "updated the $name section of $REPORT"
}
# awk comparisons on floats: gt A B is true when A > B.
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# --- BENCH_ONLY=launchers: the packaged mock (npm, wheel, jar) against the binary -------------
# Builds the packages (scripts/package-mock.sh), installs them as the consumer tests do, runs
# packaging/bench/launchers.py (its docstring is the method) and puts its section, between the
# launchers markers, into the existing report. BENCH_LAUNCHER_ROUNDS (default 30).
if [ "$ONLY" = launchers ]; then
  [ -f "$REPORT" ] || { echo "BENCH_ONLY=launchers needs an existing $REPORT" >&2; exit 1; }
  LOAD_BEFORE=$(loadavg)
  log "packaging the mock (scripts/package-mock.sh)"
  bash scripts/package-mock.sh "$WORK/packages" >/dev/null
  version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
  mkdir "$WORK/js"
  printf '{"name":"bench","private":true,"type":"module"}\n' >"$WORK/js/package.json"
  (cd "$WORK/js" && npm install --no-audit --no-fund --loglevel=error \
    "$WORK/packages/cocart-mock-$version.tgz" "$WORK/packages/cocart-mock-linux-x64-$version.tgz" >&2)
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "$WORK/packages"/cocart_mock-*.whl
  log "measuring the launchers"
  python3 packaging/bench/launchers.py "${BENCH_LAUNCHER_ROUNDS:-30}" "$CARGO_TARGET_DIR/release/cocart-mock" \
    "$WORK/packages" "$WORK/js" "$WORK/venv" "$WORK/launchers_body.md" >&2
  LOAD_AFTER=$(loadavg)
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
  {
    echo "<!-- launchers:start -->"
    cat "$WORK/launchers_body.md"
    echo "Measured alone (\`BENCH_ONLY=launchers\`) on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit$dirty,"
    echo "load average before $LOAD_BEFORE, after $LOAD_AFTER; $(node --version) (Node), $(python3 --version)."
    echo "<!-- launchers:end -->"
    echo
  } >"$WORK/launchers.md"
  put_section launchers "$WORK/launchers.md"
  exit 0
fi

# --- BENCH_ONLY=console: the console's first paint, and what it adds to the binary -----------
# Builds the mock's release binary (the profile scripts/package-mock.sh ships) twice: without
# the `console` feature (--no-default-features) and with it (the default), and states both
# sizes. Then mock-server/console-tests/bench.mjs (its header comment is the method) times the
# console's first paint with an empty journal and with 100,000 entries, side by side, in
# Debian's Chromium (CHROMIUM, default /usr/bin/chromium). BENCH_CONSOLE_ROUNDS (default 10).
# Puts its section, between the console markers, into the existing report.
if [ "$ONLY" = console ]; then
  [ -f "$REPORT" ] || { echo "BENCH_ONLY=console needs an existing $REPORT" >&2; exit 1; }
  export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
  [ -x "$CHROMIUM" ] || { echo "BENCH_ONLY=console needs Chromium at $CHROMIUM (apt-get install chromium)" >&2; exit 1; }
  log "building cocart-mock (release) without and with the console"
  cargo build --release -q -p cocart-mock --bin cocart-mock --no-default-features >&2
  cp "$CARGO_TARGET_DIR/release/cocart-mock" "$WORK/cocart-mock-no-console"
  cargo build --release -q -p cocart-mock --bin cocart-mock >&2
  cp "$CARGO_TARGET_DIR/release/cocart-mock" "$WORK/cocart-mock-console"
  without=$(stat -c %s "$WORK/cocart-mock-no-console")
  with=$(stat -c %s "$WORK/cocart-mock-console")
  assets=$(cat mock-server/src/console/assets/* | wc -c)
  (cd mock-server/console-tests && npm ci --no-audit --no-fund --loglevel=error >&2)
  LOAD_BEFORE=$(loadavg)
  log "timing the console's first paint (empty and full journal)"
  node mock-server/console-tests/bench.mjs "$WORK/cocart-mock-console" "${BENCH_CONSOLE_ROUNDS:-10}" \
    "$WORK/console_body.md" >&2
  LOAD_AFTER=$(loadavg)
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
  mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1000000 }'; }
  {
    echo "<!-- console:start -->"
    echo "## Console"
    echo
    echo "The console at \`/__mock/ui\` (\`BENCH_ONLY=console bash scripts/bench.sh\`)."
    echo
    echo "**Time to first paint.** Two mocks from the same release binary run at once: one with an"
    echo "empty journal, one whose journal holds 100,000 guest cart reads (the journal's capacity),"
    echo "sent before the timing starts. Each round opens the console once on each, in alternating"
    echo "order, each time in a fresh context (no cache) of one headless Chromium at 1400x900, and"
    echo "reads from the page the \`first-contentful-paint\` entry and the moment the page marked"
    echo "its first render of state, lineage and journal done (\`body[data-ready=\"1\"]\`, seen by a"
    echo "MutationObserver installed before the page's scripts), both from navigation start. One"
    echo "unmeasured visit to each comes first. The page asks for one page of 100 journal entries,"
    echo "whatever the journal holds."
    echo
    cat "$WORK/console_body.md"
    echo
    echo "**Binary size.** \`cargo build --release -p cocart-mock --bin cocart-mock\` (the profile"
    echo "\`scripts/package-mock.sh\` ships), without the \`console\` feature (\`--no-default-features\`)"
    echo "and with it (the default):"
    echo
    echo "| cocart-mock release binary | bytes | |"
    echo "|---|---|---|"
    echo "| without the console | $without | $(mb "$without") |"
    echo "| with the console (default) | $with | $(mb "$with") |"
    echo "| growth | $((with - without)) | $(awk -v a="$with" -v b="$without" 'BEGIN { printf "+%.1f%%", (a - b) * 100 / b }') |"
    echo
    echo "The page's three files (HTML, JavaScript, CSS) are $assets bytes uncompressed. Without the"
    echo "feature only the page goes: the JSON routes under \`/__mock/console/\` (lineage, state,"
    echo "journal pages, events) are in both binaries."
    echo
    echo "Measured alone (\`BENCH_ONLY=console\`) on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit$dirty,"
    echo "load average before $LOAD_BEFORE, after $LOAD_AFTER; $(node --version) (Node)."
    echo "<!-- console:end -->"
    echo
  } >"$WORK/console.md"
  put_section console "$WORK/console.md"
  exit 0
fi

# --- BENCH_ONLY=console-cost: what the console's bookkeeping costs a request -------------------
# The mock records a lineage event only on auth routes and refusals, but every store request now
# carries a small request reference for it. This builds the release binary at CONSOLE_COST_BASE
# (default d79f7a8, the last commit before the console) and at HEAD, starts both, logs the demo
# customer in on each (the token bound to wrk's User-Agent) and runs the same wrk load against
# each in turn: `GET /wp-json/cocart/v2/cart` with the Bearer token (the authenticated hot path),
# wrk -t1 -c32 for BENCH_COST_SECS (default 10) seconds after a 2 s warm-up, for
# BENCH_COST_ROUNDS rounds (default 5), the order alternating each round. Reports the median
# requests per second of each and the ratio HEAD / base, between the console-cost markers.
if [ "$ONLY" = console-cost ]; then
  [ -f "$REPORT" ] || { echo "BENCH_ONLY=console-cost needs an existing $REPORT" >&2; exit 1; }
  command -v wrk >/dev/null || { echo "BENCH_ONLY=console-cost needs wrk (apt-get install wrk)" >&2; exit 1; }
  base="${CONSOLE_COST_BASE:-d79f7a8}"
  rounds="${BENCH_COST_ROUNDS:-5}"
  secs="${BENCH_COST_SECS:-10}"
  log "building cocart-mock (release) at $base and at HEAD"
  git worktree add -q --detach "$WORK/base" "$base"
  (cd "$WORK/base" && cargo build --release -q -p cocart-mock --bin cocart-mock >&2)
  cp "$CARGO_TARGET_DIR/release/cocart-mock" "$WORK/mock-base"
  git worktree remove --force "$WORK/base"
  cargo build --release -q -p cocart-mock --bin cocart-mock >&2
  cp "$CARGO_TARGET_DIR/release/cocart-mock" "$WORK/mock-head"
  cmp -s "$WORK/mock-base" "$WORK/mock-head" && { echo "the two builds are the same binary" >&2; exit 1; }
  ua="wrk-bench/1.0"
  # One round against one binary: prints its requests per second.
  cost_round() {
    local bin=$1 out url token pid rps
    out="$WORK/cost-mock.out"
    "$bin" --port 0 >"$out" 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$out" 2>/dev/null && break; sleep 0.05; done
    url=$(sed -n 's/^cocart-mock listening on //p' "$out" | head -1)
    token=$(curl -sf -A "$ua" -u demo:demo-password -X POST "$url/wp-json/cocart/v2/login" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["extras"]["jwt_token"])')
    wrk -t1 -c32 -d2s -H "Authorization: Bearer $token" -H "User-Agent: $ua" \
      "$url/wp-json/cocart/v2/cart" >/dev/null
    rps=$(wrk -t1 -c32 -d"${secs}s" -H "Authorization: Bearer $token" -H "User-Agent: $ua" \
      "$url/wp-json/cocart/v2/cart" | awk '/^Requests\/sec:/ { print $2 }')
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "$rps"
  }
  LOAD_BEFORE=$(loadavg)
  : >"$WORK/cost-base"; : >"$WORK/cost-head"
  for r in $(seq "$rounds"); do
    if [ $((r % 2)) = 1 ]; then order="base head"; else order="head base"; fi
    for which in $order; do
      rps=$(cost_round "$WORK/mock-$which")
      log "round $r $which: $rps req/s"
      echo "$rps" >>"$WORK/cost-$which"
    done
  done
  LOAD_AFTER=$(loadavg)
  median() { sort -g "$1" | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
  range() { sort -g "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f – %.0f", lo, hi }'; }
  mb=$(median "$WORK/cost-base"); mh=$(median "$WORK/cost-head")
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
  {
    echo "<!-- console-cost:start -->"
    echo "### What the console's bookkeeping costs a request"
    echo
    echo "\`BENCH_ONLY=console-cost bash scripts/bench.sh\`: the release binary at $base (before the"
    echo "console) and at HEAD, started in turn, each with the demo customer logged in; wrk -t1 -c32,"
    echo "${secs} s per round after a 2 s warm-up, $rounds rounds, the order alternating; the"
    echo "authenticated cart read (\`GET /wp-json/cocart/v2/cart\` with a Bearer token, fast paths on)."
    echo
    echo "| binary | median req/s | min – max |"
    echo "|---|---|---|"
    echo "| before the console ($base) | $(printf '%.0f' "$mb") | $(range "$WORK/cost-base") |"
    echo "| with the console (HEAD) | $(printf '%.0f' "$mh") | $(range "$WORK/cost-head") |"
    echo
    echo "HEAD / base (medians): ×$(awk -v a="$mh" -v b="$mb" 'BEGIN { printf "%.3f", a / b }')."
    echo "Measured alone on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit$dirty, load average"
    echo "before $LOAD_BEFORE, after $LOAD_AFTER."
    echo "<!-- console-cost:end -->"
    echo
  } >"$WORK/cost.md"
  put_section console-cost "$WORK/cost.md"
  exit 0
fi

# --- 1. prerequisites ------------------------------------------------------------------------
missing=()
if [ "$ONLY" = all ] || [ "$ONLY" = mock ]; then command -v wrk >/dev/null || missing+=(wrk); fi
command -v nm >/dev/null && command -v size >/dev/null || missing+=(binutils)
# The native-tls variant of the FFI library links the system OpenSSL.
pkg-config --exists openssl 2>/dev/null || missing+=(pkg-config libssl-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# 10,000 concurrent connections: the bench and the mock are separate processes, each holds
# about N sockets; raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)

# --- 2. builds (once; every measurement below reuses them) ----------------------------------
log "building cocart-mock (release) and the bench binaries"
if [ "$ONLY" = mock ]; then
  cargo bench -p cocart-e2e --bench mock_throughput --no-run --message-format=json >"$WORK/build.json"
elif [ "$ONLY" = hot ]; then
  cargo build --release -p cocart-mock --bin cocart-mock >&2
  cargo bench -p cocart-e2e --bench redis_hot_path --no-run --message-format=json >"$WORK/build.json"
  command -v redis-server >/dev/null || { apt-get update -qq; apt-get install -y -qq redis-server >/dev/null; }
elif [ "$ONLY" = size ]; then
  : # only the FFI library, below
elif [ "$ONLY" = shared ]; then
  cargo build --release -p cocart-mock --bin cocart-mock >&2
  cargo bench -p cocart-e2e --bench shared_storm --no-run --message-format=json >"$WORK/build.json"
  cargo build --release -p cocart-e2e --example concurrent >&2
  command -v redis-server >/dev/null || { apt-get update -qq; apt-get install -y -qq redis-server >/dev/null; }
else
  cargo build --release -p cocart-mock --bin cocart-mock >&2
  cargo bench -p cocart-e2e --no-run --message-format=json >"$WORK/build.json"
  # The cross-process storm runs the `concurrent` example as separate processes, and a redis-server.
  cargo build --release -p cocart-e2e --example concurrent >&2
  command -v redis-server >/dev/null || { apt-get update -qq; apt-get install -y -qq redis-server >/dev/null; }
fi
export COCART_MOCK_BIN="$CARGO_TARGET_DIR/release/cocart-mock"
export COCART_CONCURRENT_BIN="$CARGO_TARGET_DIR/release/examples/concurrent"
bench_exe() {
  grep -o "\"executable\":\"[^\"]*/deps/$1-[0-9a-f]*\"" "$WORK/build.json" | tail -1 |
    sed 's/^"executable":"//; s/"$//'
}
for b in sdk_overhead refresh_storm shared_storm redis_hot_path mock_throughput memory; do
  [ "$ONLY" = mock ] && [ "$b" != mock_throughput ] && continue
  [ "$ONLY" = shared ] && [ "$b" != shared_storm ] && continue
  [ "$ONLY" = hot ] && [ "$b" != redis_hot_path ] && continue
  [ "$ONLY" = size ] && continue
  [ -x "$(bench_exe "$b")" ] || { echo "bench binary $b not found" >&2; exit 1; }
done

FFI_LIB=""
FFI_UNSTRIPPED=""
FFI_WEBPKI=""
FFI_NATIVE=""
FFI_PACKAGE_BUILD=""
if { [ "$ONLY" = all ] || [ "$ONLY" = size ]; } && [ -f bindings/ffi/Cargo.toml ]; then
  # The build that ships (bindings/scripts/build-android.sh, scripts/size-gate.sh): the cdylib
  # alone, where the profile's LTO applies (Cargo gives `-C lto` to no output of a package whose
  # crate types include `lib`, which the crate's Rust tests need).
  ffi_build() { cargo rustc -p cocart-ffi --profile release-small --lib --crate-type cdylib "$@" >&2; }
  log "building the cocart-ffi cdylib with the release-small profile"
  ffi_build
  FFI_LIB="$WORK/libcocart_ffi.so"
  cp "$CARGO_TARGET_DIR/release-small/libcocart_ffi.so" "$FFI_LIB"
  # Symbols for attributing the size to crates: the same build with `-C strip=none` given to
  # the final crate only (the dependencies are reused, the link is the same). (cargo-bloat
  # refuses a package whose crate-type list has more than a cdylib.)
  log "relinking an unstripped copy for the per-crate breakdown"
  ffi_build -- -C strip=none
  FFI_UNSTRIPPED="$WORK/libcocart_ffi.unstripped.so"
  cp "$CARGO_TARGET_DIR/release-small/libcocart_ffi.so" "$FFI_UNSTRIPPED"
  # The other TLS options: Mozilla's roots compiled in; the platform TLS library (OpenSSL here).
  log "building cocart-ffi with webpki-roots, for comparison"
  if ffi_build --features webpki-roots; then
    FFI_WEBPKI="$WORK/libcocart_ffi.webpki-roots.so"
    cp "$CARGO_TARGET_DIR/release-small/libcocart_ffi.so" "$FFI_WEBPKI"
  fi
  # For comparison, the package's own build (every crate type, so no LTO).
  log "building the package (cdylib + staticlib + lib: no LTO), for comparison"
  if cargo build -p cocart-ffi --profile release-small >&2; then
    FFI_PACKAGE_BUILD="$WORK/libcocart_ffi.package-build.so"
    cp "$CARGO_TARGET_DIR/release-small/libcocart_ffi.so" "$FFI_PACKAGE_BUILD"
  fi
  log "building cocart-ffi with native-tls instead of rustls, for comparison"
  if ffi_build --no-default-features --features native-tls; then
    FFI_NATIVE="$WORK/libcocart_ffi.native-tls.so"
    cp "$CARGO_TARGET_DIR/release-small/libcocart_ffi.so" "$FFI_NATIVE"
  fi
  ffi_build
fi
FFI_BASE=""
if [ -n "${BENCH_SIZE_BASE:-}" ] && [ -n "$FFI_LIB" ]; then
  log "building cocart-ffi at $BENCH_SIZE_BASE, for the before/after"
  mkdir -p "$WORK/base"
  git archive "$BENCH_SIZE_BASE" | tar -x -C "$WORK/base"
  if (cd "$WORK/base" && cargo rustc -p cocart-ffi --profile release-small --locked --lib --crate-type cdylib >&2); then
    FFI_BASE="$WORK/libcocart_ffi.base.so"
    cp "$CARGO_TARGET_DIR/release-small/libcocart_ffi.so" "$FFI_BASE"
  fi
  ffi_build
fi

# --- 3. wait for a quiet machine ------------------------------------------------------------
waited=0
while [ "$ONLY" != size ] && gt "$(load1)" "$LOAD_MAX" && [ "$waited" -lt "$MAX_WAIT" ]; do
  log "load average $(loadavg) above $LOAD_MAX; waiting (${waited}s of ${MAX_WAIT}s)"
  sleep 60
  waited=$((waited + 60))
done
LOAD_BEFORE=$(loadavg)
log "measuring (load average $LOAD_BEFORE)"

# --- 4. measurements ------------------------------------------------------------------------
if [ "$ONLY" = all ]; then
  log "SDK overhead"
  "$(bench_exe sdk_overhead)" >"$WORK/overhead.md"
  log "refresh storm"
  "$(bench_exe refresh_storm)" >"$WORK/storm.md"
  log "cross-process refresh storm (Redis)"
  "$(bench_exe shared_storm)" >"$WORK/shared_storm.md"
  log "hot path with Redis (1,000 customers, one RedisSessions) against the in-memory store"
  "$(bench_exe redis_hot_path)" >"$WORK/hot_path.md"
fi

if [ "$ONLY" = hot ]; then
  log "hot path with Redis (1,000 customers, one RedisSessions) against the in-memory store"
  "$(bench_exe redis_hot_path)" >"$WORK/hot_path.md"
elif [ "$ONLY" = size ]; then
  : # the size section below
elif [ "$ONLY" = shared ]; then
  log "cross-process refresh storm (Redis)"
  "$(bench_exe shared_storm)" >"$WORK/shared_storm.md"
else
log "mock-server throughput (wrk, $WRK_ROUNDS rounds of ${WRK_SECONDS}s per server)"
# wrk output -> "rps p50_ms p99_ms non2xx errors"
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
      return v + 0
    }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { errs = $0; sub(/.*Socket errors: */, "", errs); gsub(/ /, "", errs) }
    END { printf "%s %s %s %s %s\n", rps, p50, p99, bad + 0, (errs == "" ? "none" : errs) }
  ' "$1"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# CPU time (user + system, clock ticks) of a process; only the server under load is busy.
proc_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)
# Starts the servers one arm needs, afresh (no journal or request log carried over).
start_servers() {
  rm -f "$WORK/servers.env"
  BENCH_ARM="$1" BENCH_OUT_DIR="$WORK" "$(bench_exe mock_throughput)" >&2 &
  SERVER_PID=$!
  for _ in $(seq 1 240); do
    [ -f "$WORK/servers.env" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "mock_throughput exited early" >&2; exit 1; }
    sleep 0.5
  done
  [ -f "$WORK/servers.env" ] || { echo "mock_throughput never became ready" >&2; exit 1; }
  # shellcheck disable=SC1091
  . "$WORK/servers.env"
}
stop_servers() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  rm -f "$WORK"/*.lua
}
# The arms: the mock with fast paths on (one customer, one token), off (the same), cold (off,
# many customers and tokens in turn), cold with fast paths on, canned wiremock (recording on and
# off), and the bare floor. URL and wrk script of an arm:
arm_url() {
  case $1 in
    mock) echo "$MOCK_URL" ;; plain) echo "$MOCK_PLAIN_URL" ;; cold) echo "$MOCK_COLD_URL" ;;
    coldfast) echo "$MOCK_COLDFAST_URL" ;; wiremock) echo "$WIREMOCK_URL" ;;
    norec) echo "$WIREMOCK_NOREC_URL" ;; floor) echo "$FLOOR_URL" ;;
  esac
}
arm_lua() {
  case $1 in plain | cold | coldfast) echo "$WORK/$1.lua" ;; *) echo "$WORK/mock.lua" ;; esac
}

SERVERS=(mock plain cold coldfast wiremock norec floor)
for round in $(seq 1 "$WRK_ROUNDS"); do
  for s in "${SERVERS[@]}"; do
    # A fresh process for every server and round: no journal, request log or heap left over
    # from loading another server (wiremock's request log alone grows by hundreds of MB a run).
    start_servers "$s"
    url=$(arm_url "$s")
    lua=$(arm_lua "$s")
    wrk -t2 -c32 -d2s -s "$lua" "$url" >/dev/null # warm-up, discarded
    cpu0=$(proc_cpu "$SERVER_PID")
    wrk -t2 -c32 -d"${WRK_SECONDS}s" --latency -s "$lua" "$url" >"$WORK/wrk_${s}_$round.txt"
    cpu1=$(proc_cpu "$SERVER_PID")
    read -r rps p50 p99 bad errs < <(parse_wrk "$WORK/wrk_${s}_$round.txt")
    total=$(awk '/ requests in / { print $1 }' "$WORK/wrk_${s}_$round.txt")
    cpu_us=$(awk -v c=$((cpu1 - cpu0)) -v t="$CLK_TCK" -v n="$total" 'BEGIN { printf "%.1f", c / t / n * 1e6 }')
    echo "$s $round $rps $p50 $p99 $bad $errs $cpu_us" >>"$WORK/wrk.tsv"
    log "  round $round $s: $rps req/s, p50 $p50 ms, p99 $p99 ms, server CPU $cpu_us µs/request, non-2xx $bad, socket errors $errs"
    stop_servers
  done
done

col() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$WORK/wrk.tsv" | median; }
{
  echo "## Mock-server throughput"
  echo
  echo "Method: the \`mock_throughput\` bench binary (release build, one process, 2-worker tokio"
  echo "runtime) is started afresh for every wrk run with only the servers that run needs. Arms:"
  echo "\`cocart_mock::MockServer\` (JWT verification, sessions, journal) with its fast paths on"
  echo "(the default) and off (\`fast_paths(false)\`: the router, authentication under the state"
  echo "lock with a full HMAC check, a full render on every request), both read by one customer with"
  echo "one token whose cart holds two lines; **cold**: fast paths off, $COLD_CUSTOMERS customers"
  echo "each signed in once with a cart of one to three lines, wrk sending the next token with"
  echo "every request (a Lua \`request()\` function, which costs wrk itself more per request than"
  echo "the fixed headers of the other arms), so every request verifies a signature and renders"
  echo "a cart; **cold, fast paths on**: the same customers on a server with fast paths on; a"
  echo "\`wiremock\` server answering the mock's exact ${BODY_BYTES}-byte body as a canned response"
  echo "(matching method, path and the exact \`Authorization\` header) with wiremock's defaults,"
  echo "the same with \`disable_request_recording()\`, and a bare axum handler returning the body"
  echo "after a \`Bearer \` prefix check (the floor: no JWT, no state). wiremock serves from its own"
  echo "single-threaded runtime. \`wrk -t2 -c32 -d${WRK_SECONDS}s --latency\` with a Lua script"
  echo "setting \`Authorization: Bearer …\`, the User-Agent the tokens are bound to and \`Accept\`,"
  echo "against \`GET /wp-json/cocart/v2/cart\` of each server in turn, each after a 2 s warm-up"
  echo "run; $WRK_ROUNDS rounds (every arm in the order of the table, then again); medians over the"
  echo "rounds. wrk shares the 2 cores with the server under test. Server CPU per request = user +"
  echo "system CPU time of the server process during the run (\`/proc/<pid>/stat\`; only the"
  echo "server under load is busy) / requests completed: less sensitive to background load than"
  echo "req/s."
  echo
  echo "| server | req/s (median) | p50 | p99 | server CPU per request | per round req/s | non-2xx | socket errors |"
  echo "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |"
  for s in "${SERVERS[@]}"; do
    rounds=$(awk -v s="$s" '$1 == s { printf "%s%.0f", (n++ ? ", " : ""), $3 }' "$WORK/wrk.tsv")
    bad=$(awk -v s="$s" '$1 == s { t += $6 } END { print t + 0 }' "$WORK/wrk.tsv")
    errs=$(awk -v s="$s" '$1 == s { print $7 }' "$WORK/wrk.tsv" | sort -u | paste -sd' ')
    case $s in
      mock) name="cocart-mock, fast paths on, one token" ;;
      plain) name="cocart-mock, fast paths off, one token" ;;
      cold) name="cocart-mock, fast paths off, cold ($COLD_CUSTOMERS customers and tokens)" ;;
      coldfast) name="cocart-mock, fast paths on, $COLD_CUSTOMERS customers and tokens" ;;
      wiremock) name="wiremock, canned body (defaults: request recording on)" ;;
      norec) name="wiremock, canned body, \`disable_request_recording()\`" ;;
      floor) name="bare axum, Bearer-prefix check (floor)" ;;
    esac
    printf '| %s | %.0f | %.3f ms | %.3f ms | %.1f µs | %s | %s | %s |\n' "$name" "$(col "$s" 3)" \
      "$(col "$s" 4)" "$(col "$s" 5)" "$(col "$s" 8)" "$rounds" "$bad" "$errs"
  done
  echo
} >"$WORK/throughput.md"
rps() { col "$1" 3; }
ratio() { awk -v a="$(rps "$1")" -v b="$(rps "$2")" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
VS_WIRE=$(ratio mock wiremock)
VS_FLOOR=$(ratio mock floor)
verdict() { if gt "$2" "$1"; then echo "**missed**"; else echo "met"; fi; } # verdict FLOOR VALUE: value >= floor
{
  echo "| ratio (req/s) | measured | target |"
  echo "| --- | ---: | --- |"
  echo "| fast paths on / wiremock | ${VS_WIRE}× | ≥ 2× ($(verdict "$VS_WIRE" 2)) |"
  echo "| fast paths on / floor | ${VS_FLOOR}× | ≥ 0.4× ($(verdict "$VS_FLOOR" 0.4)) |"
  echo "| fast paths off / wiremock | $(ratio plain wiremock)× | (informational) |"
  echo "| fast paths off / floor | $(ratio plain floor)× | (informational) |"
  echo "| cold / wiremock | $(ratio cold wiremock)× | (informational) |"
  echo "| cold / floor | $(ratio cold floor)× | (informational) |"
  echo "| fast paths off / on (one token) | $(ratio plain mock)× | (informational) |"
  echo "| cold / fast paths on, one token | $(ratio cold mock)× | (informational) |"
  echo "| cold with fast paths on / cold | $(ratio coldfast cold)× | (informational) |"
  echo "| fast paths on / wiremock without request recording | $(ratio mock norec)× | (informational) |"
  echo
  echo "A real WordPress store answers about 26 req/s on this kind of machine."
  echo
} >>"$WORK/throughput.md"
# The ratio round by round (each round runs every server once): "min–max× over N rounds".
ratio_spread() {
  awk -v a="$1" -v b="$2" '
    $1 == a { x[$2] = $3 } $1 == b { y[$2] = $3 }
    END {
      for (r in x) if ((r in y) && y[r] > 0) { q = x[r] / y[r]; n++
        if (n == 1 || q < lo) lo = q; if (n == 1 || q > hi) hi = q }
      if (n > 1) printf "%.2f–%.2f× over %d rounds", lo, hi, n; else print "one run"
    }' "$WORK/wrk.tsv"
}
CACHED="cached: one token per connection, fast paths on (signature and cart bytes remembered)"
PLAIN="uncached: fast paths off, one token (full verification and render each request)"
COLD="cold: fast paths off, $COLD_CUSTOMERS customers and tokens"
{
  printf '| Throughput: cocart-mock (fast paths on) / wiremock (req/s) | %s | ≥ 2× | %s× (%.0f vs %.0f) | %s | %s |\n' \
    "$CACHED" "$VS_WIRE" "$(rps mock)" "$(rps wiremock)" "$(ratio_spread mock wiremock)" "$(verdict "$VS_WIRE" 2)"
  printf '| Throughput: cocart-mock (fast paths on) / bare axum floor | %s | ≥ 0.4× | %s× (%.0f vs %.0f) | %s | %s |\n' \
    "$CACHED" "$VS_FLOOR" "$(rps mock)" "$(rps floor)" "$(ratio_spread mock floor)" "$(verdict "$VS_FLOOR" 0.4)"
  printf '| Throughput, fast paths off: cocart-mock / wiremock; / floor | %s | — | %s×; %s× | %s; %s | — |\n' \
    "$PLAIN" "$(ratio plain wiremock)" "$(ratio plain floor)" "$(ratio_spread plain wiremock)" "$(ratio_spread plain floor)"
  printf '| Throughput, cold: cocart-mock / wiremock; / floor | %s | — | %s×; %s× | %s; %s | — |\n' \
    "$COLD" "$(ratio cold wiremock)" "$(ratio cold floor)" "$(ratio_spread cold wiremock)" "$(ratio_spread cold floor)"
} >>"$BENCH_SUMMARY"

log "start-up: embedded mock vs wiremock"
BENCH_STARTUP=1 "$(bench_exe mock_throughput)" >"$WORK/startup.md"
printf '| Start-up: embedded cocart-mock / wiremock (ready, median) | cold: a new server each time | — | %s | see the start-up section (p95) | — |\n' \
  "$(awk '/^Ratio mock \/ wiremock/ { print $NF }' "$WORK/startup.md" | sed 's/\.$//')" >>"$BENCH_SUMMARY"

fi
if [ "$ONLY" = all ]; then
  log "memory"
  "$(bench_exe memory)" >"$WORK/memory.md"
fi
LOAD_AFTER=$(loadavg)

# --- 5. library size ------------------------------------------------------------------------
if [ "$ONLY" = all ] || [ "$ONLY" = size ]; then
{
  echo "## Library size: \`cocart-ffi\` cdylib"
  echo
  if [ -n "$FFI_LIB" ] && [ -f "$FFI_LIB" ]; then
    bytes=$(stat -c %s "$FFI_LIB")
    mb=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1000000 }')
    mib=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }')
    size_verdict=met
    gt "$mb" "$SIZE_TARGET_MB" && size_verdict="**missed**"
    echo "Method: \`cargo rustc -p cocart-ffi --profile release-small --lib --crate-type cdylib\` (root \`Cargo.toml\`: LTO,"
    echo "1 codegen unit, \`opt-level = \"z\"\`, \`strip = true\`, \`panic = \"unwind\"\`) for"
    stripped="symbols present"
    nm "$FFI_LIB" 2>&1 | grep -q "no symbols" && stripped="no symbol table: stripped"
    echo "x86_64 Linux, the proxy for the mobile targets; size of \`libcocart_ffi.so\` as built"
    echo "(\`nm\`: $stripped)."
    echo
    echo "| artifact | bytes | MB | MiB | target |"
    echo "| --- | ---: | ---: | ---: | --- |"
    echo "| libcocart_ffi.so (stripped) | $bytes | $mb | $mib | ≤ ${SIZE_TARGET_MB} MB ($size_verdict) |"
    echo
    printf '| FFI cdylib size (release-small, stripped, x86_64) | the shipped build | ≤ %s MB | %s MB | one build | %s |\n' \
      "$SIZE_TARGET_MB" "$mb" "$size_verdict" >>"$BENCH_SUMMARY"
    if [ -n "$FFI_BASE" ] && [ -f "$FFI_BASE" ]; then
      bbytes=$(stat -c %s "$FFI_BASE")
      echo "Before/after (\`BENCH_SIZE_BASE=$BENCH_SIZE_BASE\`, built in the same run, same profile):"
      echo
      echo "| build | bytes | MB | change |"
      echo "| --- | ---: | ---: | ---: |"
      echo "| $BENCH_SIZE_BASE ($(git rev-parse --short "$BENCH_SIZE_BASE")) | $bbytes | $(awk -v b="$bbytes" 'BEGIN { printf "%.2f", b / 1000000 }') | — |"
      echo "| this checkout | $bytes | $mb | $(awk -v a="$bytes" -v b="$bbytes" 'BEGIN { printf "%+.1f %%", 100 * (a - b) / b }') |"
      echo
    fi
    if [ -n "$FFI_PACKAGE_BUILD" ] && [ -f "$FFI_PACKAGE_BUILD" ]; then
      pbytes=$(stat -c %s "$FFI_PACKAGE_BUILD")
      echo "LTO: the package builds a \`cdylib\`, a \`staticlib\` and a \`lib\` (for its Rust tests), and"
      echo "Cargo then gives \`-C lto\` to none of them, so the profile's \`lto = true\` would not apply."
      echo "The shipped build (\`build-android.sh\`, \`build-xcframework.sh\`, the size gate) is the"
      echo "cdylib (or staticlib) alone, which is LTO'd:"
      echo
      echo "| build | bytes | MB | change |"
      echo "| --- | ---: | ---: | ---: |"
      echo "| \`cargo build -p cocart-ffi --profile release-small\` (every crate type, no LTO) | $pbytes | $(awk -v b="$pbytes" 'BEGIN { printf "%.2f", b / 1000000 }') | — |"
      echo "| \`cargo rustc … --lib --crate-type cdylib\` (shipped, above) | $bytes | $mb | $(awk -v a="$bytes" -v b="$pbytes" 'BEGIN { printf "%+.1f %%", 100 * (a - b) / b }') |"
      echo
    fi
    # Every TLS option side by side: what each build trusts and what it costs.
    echo "TLS options: the same profile with each of \`cocart-ffi\`'s TLS features (README, \"TLS\")."
    echo "The default checks certificates with the platform's verifier (rustls-platform-verifier:"
    echo "the device's trust on Apple and Android, the system CA bundle on Linux); \`webpki-roots\`"
    echo "compiles Mozilla's roots in instead; \`native-tls\` moves TLS into a system library the app"
    echo "must be able to load: OpenSSL here (sizes below, as installed on this machine). iOS/macOS"
    echo "provide Security.framework with the OS; Android offers no OpenSSL to apps, so it would ship"
    echo "inside the app, at about the size of the two libraries below."
    echo
    echo "| build | trusts | libcocart_ffi.so (bytes) | MB | plus system libraries it needs |"
    echo "| --- | --- | ---: | ---: | --- |"
    echo "| \`rustls-tls\` (default): rustls + ring, platform verifier | the platform's store | $bytes | $mb | none |"
    if [ -n "$FFI_WEBPKI" ] && [ -f "$FFI_WEBPKI" ]; then
      wbytes=$(stat -c %s "$FFI_WEBPKI")
      echo "| \`webpki-roots\`: rustls + ring, roots compiled in | Mozilla's roots in the library | $wbytes | $(awk -v b="$wbytes" 'BEGIN { printf "%.2f", b / 1000000 }') | none |"
      printf '| FFI cdylib size with webpki-roots (Mozilla roots compiled in) | the same build, webpki-roots | — | %s MB | one build | — |\n' \
        "$(awk -v b="$wbytes" 'BEGIN { printf "%.2f", b / 1000000 }')" >>"$BENCH_SUMMARY"
    fi
    if [ -n "$FFI_NATIVE" ] && [ -f "$FFI_NATIVE" ]; then
      nbytes=$(stat -c %s "$FFI_NATIVE")
      syslibs=$(ldd "$FFI_NATIVE" 2>/dev/null | awk '/libssl|libcrypto/ { print $3 }' |
        while read -r f; do [ -n "$f" ] && printf '%s %s B; ' "$(basename "$f")" "$(stat -L -c %s "$f")"; done)
      syslibs=${syslibs%; }
      echo "| \`native-tls\`: OpenSSL | the system TLS library's store | $nbytes | $(awk -v b="$nbytes" 'BEGIN { printf "%.2f", b / 1000000 }') | ${syslibs:-not found} |"
      printf '| FFI cdylib size with native-tls instead of rustls (system OpenSSL not counted) | the same build, native-tls | — | %s MB | one build | — |\n' \
        "$(awk -v b="$nbytes" 'BEGIN { printf "%.2f", b / 1000000 }')" >>"$BENCH_SUMMARY"
    fi
    echo
    echo "Sections of the stripped library (\`size -A\`), largest first:"
    echo
    echo '```'
    size -A "$FFI_LIB" | awk 'NR > 2 && $2 > 0 && $1 != "Total" { printf "%-20s %9d\n", $1, $2 }' | sort -k2 -rn | head -12
    echo '```'
    echo
    if [ -n "$FFI_UNSTRIPPED" ] && [ -f "$FFI_UNSTRIPPED" ]; then
      echo "Per crate: the same build relinked unstripped (\`cargo rustc … -- -C strip=none\`);"
      echo "\`nm -C -S\` code and read-only-data symbols grouped by the crate their name starts with"
      echo "(\`benches/size_by_crate.awk\`; generic code instantiated for a crate often lands under"
      echo "\`core\`/\`alloc\`, as with cargo-bloat, which refuses this crate's cdylib+staticlib+lib list)."
      echo "Shares are of the symbol bytes; the file also holds unwind tables and relocations."
      echo
      echo '```'
      nm -C -S --size-sort "$FFI_UNSTRIPPED" | awk -f benches/size_by_crate.awk | sort -rn | head -30
      echo '```'
      echo
    fi
  else
    echo "Not measured: \`bindings/ffi\` does not exist in this checkout."
    echo
    printf '| FFI cdylib size | — | ≤ %s MB | not measured (no bindings/ffi) | — | — |\n' "$SIZE_TARGET_MB" >>"$BENCH_SUMMARY"
  fi
} >"$WORK/size.md"
fi

# --- 6. the report --------------------------------------------------------------------------
# Keep the soak, launchers and console sections (between their markers) of the existing report.
if [ -f "$REPORT" ]; then
  sed -n '/^<!-- soak:start -->$/,/^<!-- soak:end -->$/p' "$REPORT" >"$WORK/soak.md"
  [ -s "$WORK/soak.md" ] || rm -f "$WORK/soak.md"
  sed -n '/^<!-- launchers:start -->$/,/^<!-- launchers:end -->$/p' "$REPORT" >"$WORK/launchers_kept.md"
  [ -s "$WORK/launchers_kept.md" ] || rm -f "$WORK/launchers_kept.md"
  sed -n '/^<!-- console:start -->$/,/^<!-- console:end -->$/p' "$REPORT" >"$WORK/console_kept.md"
  [ -s "$WORK/console_kept.md" ] || rm -f "$WORK/console_kept.md"
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
if [ "$ONLY" = hot ]; then
  # Put the hot path's section and summary rows into the existing report (before the mock's
  # throughput, after the cross-process storm).
  [ -f "$REPORT" ] || { echo "BENCH_ONLY=hot needs an existing $REPORT" >&2; exit 1; }
  note="- Hot path with Redis: measured alone (\`BENCH_ONLY=hot\`) on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit$dirty, load average before $LOAD_BEFORE, after $LOAD_AFTER; the other figures are from the runs above."
  awk -v note="$note" -v section="$WORK/hot_path.md" -v rows="$BENCH_SUMMARY" '
    function put(file,   line) { while ((getline line < file) > 0) print line; close(file) }
    /^- Hot path with Redis: measured alone/ { next }
    /^- Open-files limit:/ { print; print note; next }
    /^\| Hot path/ { next }
    /^\| Throughput: cocart-mock \(fast paths on\) \/ wiremock/ && !rows_done { put(rows); rows_done = 1 }
    /^## Hot path with Redis/ { skipping = 1; next }
    /^## Mock-server throughput$/ && !section_done { put(section); section_done = 1 }
    /^## / && !/^## Hot path/ { skipping = 0 }
    !skipping { print }
  ' "$REPORT" >"$WORK/report.md"
  cp "$WORK/report.md" "$REPORT"
  log "updated the hot path of $REPORT"
  exit 0
fi
if [ "$ONLY" = size ]; then
  # Replace the library's section and summary rows of the existing report; keep the rest.
  [ -f "$REPORT" ] || { echo "BENCH_ONLY=size needs an existing $REPORT" >&2; exit 1; }
  note="- FFI library size: measured alone (\`BENCH_ONLY=size\`) on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit$dirty; the other figures are from the runs above."
  awk -v note="$note" -v section="$WORK/size.md" -v rows="$BENCH_SUMMARY" '
    function put(file,   line) { while ((getline line < file) > 0) print line; close(file) }
    /^- FFI library size: measured alone/ { next }
    /^- Open-files limit:/ { print; print note; next }
    /^\| FFI cdylib size/ { if (!rows_done) { put(rows); rows_done = 1 } next }
    /^## Library size: / { put(section); skipping = 1; next }
    /^## |^<!-- soak:start -->$/ { skipping = 0 }
    !skipping { print }
  ' "$REPORT" >"$WORK/report.md"
  cp "$WORK/report.md" "$REPORT"
  log "updated the library size of $REPORT"
  exit 0
fi
if [ "$ONLY" = shared ]; then
  # Put the cross-process storm's section and summary row into the existing report.
  [ -f "$REPORT" ] || { echo "BENCH_ONLY=shared needs an existing $REPORT" >&2; exit 1; }
  note="- Cross-process refresh storm: measured alone (\`BENCH_ONLY=shared\`) on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit$dirty, load average before $LOAD_BEFORE, after $LOAD_AFTER; the other figures are from the runs above."
  awk -v note="$note" -v section="$WORK/shared_storm.md" -v rows="$BENCH_SUMMARY" '
    function put(file,   line) { while ((getline line < file) > 0) print line; close(file) }
    /^- Cross-process refresh storm: measured alone/ { next }
    /^- Open-files limit:/ { print; print note; next }
    /^\| Cross-process storm/ { next }
    /^\| Throughput: cocart-mock \(fast paths on\) \/ wiremock/ && !rows_done { put(rows); rows_done = 1 }
    /^## Cross-process refresh storm \(Redis\)$/ { skipping = 1; next }
    /^## Mock-server throughput$/ && !section_done { put(section); section_done = 1 }
    /^## / && !/^## Cross-process/ { skipping = 0 }
    !skipping { print }
  ' "$REPORT" >"$WORK/report.md"
  cp "$WORK/report.md" "$REPORT"
  log "updated the cross-process storm of $REPORT"
  exit 0
fi
if [ "$ONLY" = mock ]; then
  # Replace the mock's sections and summary rows of the existing report; keep the rest.
  [ -f "$REPORT" ] || { echo "BENCH_ONLY=mock needs an existing $REPORT" >&2; exit 1; }
  note="- Mock-server throughput and start-up: measured alone (\`BENCH_ONLY=mock\`) on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $commit$dirty, load average before $LOAD_BEFORE, after $LOAD_AFTER; the other figures are from the run above."
  cat "$WORK/throughput.md" "$WORK/startup.md" >"$WORK/mock_sections.md"
  analysis=/dev/null
  [ -f benches/analysis.md ] && analysis=benches/analysis.md
  awk -v note="$note" -v sections="$WORK/mock_sections.md" -v rows="$BENCH_SUMMARY" -v analysis="$analysis" '
    function put(file,   line) { while ((getline line < file) > 0) print line; close(file) }
    /^- Mock-server throughput and start-up: measured alone/ { next }
    /^- Open-files limit:/ { print; print note; next }
    /^\| Throughput|^\| Start-up:/ { if (!rows_done) { put(rows); rows_done = 1 } next }
    /^## (Mock-server throughput|Start-up: embedded mock vs wiremock)$/ {
      if (!sections_done) { put(sections); sections_done = 1 }
      skipping = 1; next
    }
    /^## Analysis$/ { put(analysis); exit }
    /^## / { skipping = 0 }
    !skipping { print }
  ' "$REPORT" >"$WORK/report.md"
  cp "$WORK/report.md" "$REPORT"
  log "updated the mock sections of $REPORT"
  exit 0
fi
{
  echo "# Benchmarks"
  echo
  echo "Generated by \`bash scripts/bench.sh\` — rerun it to reproduce every figure; do not edit by"
  echo "hand (the analysis at the end is kept in \`benches/analysis.md\`)."
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Commit: $commit$dirty"
  echo "- Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
  echo "- Toolchain: $(rustc -V); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "- Load average (1/5/15 min) before measuring: $LOAD_BEFORE; after: $LOAD_AFTER (threshold $LOAD_MAX, waited ${waited}s)"
  echo "- Open-files limit: $FD_LIMIT"
  echo
  echo "Every figure comes from one run of the script on one machine. Ratios compare arms measured"
  echo "side by side (interleaved, or back to back in the same run) and hold up under background"
  echo "load; absolute numbers (µs, req/s) depend on the machine and on what else ran at the time,"
  echo "so compare them only within this file. The machine is shared with other builds."
  echo
  echo "## Summary"
  echo
  echo "Each row says which path it measured (a cached or a cold one) and how far the runs of this"
  echo "script went apart (the same ratio per round, per block or per rep, lowest to highest)."
  echo
  echo "| figure | path measured | target | measured | spread between runs | verdict |"
  echo "| --- | --- | --- | --- | --- | --- |"
  cat "$BENCH_SUMMARY"
  echo
  cat "$WORK/overhead.md" "$WORK/storm.md" "$WORK/shared_storm.md" "$WORK/hot_path.md" "$WORK/throughput.md" "$WORK/startup.md" "$WORK/memory.md" "$WORK/size.md"
  # The chaos soak's section is written by `scripts/soak.sh 600 --write-benchmarks`: kept as is.
  if [ -f "$WORK/soak.md" ]; then
    cat "$WORK/soak.md"
    echo
  fi
  # The launchers' section is written by `BENCH_ONLY=launchers bash scripts/bench.sh`: kept as is.
  if [ -f "$WORK/launchers_kept.md" ]; then
    cat "$WORK/launchers_kept.md"
    echo
  fi
  # The console's section is written by `BENCH_ONLY=console bash scripts/bench.sh`: kept as is.
  if [ -f "$WORK/console_kept.md" ]; then
    cat "$WORK/console_kept.md"
    echo
  fi
  if [ -f benches/analysis.md ]; then
    cat benches/analysis.md
  fi
} >"$REPORT"
log "wrote $REPORT"
