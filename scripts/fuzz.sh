#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time and prints how many inputs each ran.
# Not run by CI. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
for target in $(cargo +nightly fuzz list --fuzz-dir fuzz); do
  log="$(mktemp)"
  echo "==> $target for ${seconds}s"
  cargo +nightly fuzz run --fuzz-dir fuzz "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1 || {
    tail -40 "$log"; echo "fuzz target $target FAILED"; exit 1; }
  # libFuzzer's last status line: "#N DONE cov: … exec/s: …"
  grep -E '^#[0-9]+\s+DONE' "$log" | tail -1 | sed "s/^/$target: /"
  rm -f "$log"
done
echo "==> every target ran clean"
