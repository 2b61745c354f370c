#!/usr/bin/env bash
# The mock's console (/__mock/ui) in a real browser: Debian's Chromium driven by playwright-core
# (mock-server/console-tests), while examples/console_journey.rs runs an SDK journey against the
# mock. Screenshots of every step go to $CONSOLE_ARTIFACTS (default target/console-screenshots).
#
#   bash scripts/console-test.sh [--update-screenshot]
#
# --update-screenshot copies the test's console.png to docs/images/console.png (the README's).
# Uses COCART_MOCK_BIN / CONSOLE_JOURNEY_BIN when set (scripts/test.sh passes the binaries it
# built); otherwise builds the mock's release binary and the example. CHROMIUM names the browser
# (default /usr/bin/chromium; `apt-get install chromium`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

update=0
for arg in "$@"; do
  case "$arg" in
    --update-screenshot) update=1 ;;
    *) echo "usage: $0 [--update-screenshot]" >&2; exit 2 ;;
  esac
done

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || { echo "console-test: no Chromium at $CHROMIUM (apt-get install chromium)" >&2; exit 1; }

if [ -z "${COCART_MOCK_BIN:-}" ]; then
  cargo build --release -q -p cocart-mock --bin cocart-mock
  export COCART_MOCK_BIN="$CARGO_TARGET_DIR/release/cocart-mock"
fi
if [ -z "${CONSOLE_JOURNEY_BIN:-}" ]; then
  cargo build -q -p cocart-e2e --example console_journey
  export CONSOLE_JOURNEY_BIN="$CARGO_TARGET_DIR/debug/examples/console_journey"
fi
export CONSOLE_ARTIFACTS="${CONSOLE_ARTIFACTS:-$ROOT/target/console-screenshots}"
mkdir -p "$CONSOLE_ARTIFACTS"
# The screenshots this test writes (numbered per step, and console.png); nothing else is removed.
find "$CONSOLE_ARTIFACTS" -maxdepth 1 \( -name '[0-9][0-9]-*.png' -o -name console.png \) -delete

cd mock-server/console-tests
npm ci --no-audit --no-fund --loglevel=error
node --test --test-reporter=spec console.test.mjs
echo "console-test: screenshots in $CONSOLE_ARTIFACTS"

if [ "$update" = 1 ]; then
  mkdir -p "$ROOT/docs/images"
  cp "$CONSOLE_ARTIFACTS/console.png" "$ROOT/docs/images/console.png"
  echo "console-test: updated docs/images/console.png"
fi
