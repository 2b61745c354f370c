#!/usr/bin/env bash
# Builds libcocart_ffi (debug) and the cocart-mock binary, generates the Kotlin bindings, and runs
# the JUnit 5 tests of bindings/kotlin with Maven (real JVM, real library through JNA, real mock).
# Exits non-zero when anything fails; prints Surefire's summary either way.
# Needs: cargo, JDK 17+, Maven (Maven Central reachable on the first run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$ROOT"

echo "==> cargo build -p cocart-mock --bin cocart-mock"
cargo build -p cocart-mock --bin cocart-mock
# The tests move the client's clock with ClientConfig.clockSkewSeconds: the `testing` feature.
bash "$ROOT/bindings/scripts/generate.sh" --testing

LIB_DIR="$CARGO_TARGET_DIR/debug"
MOCK_BIN="$CARGO_TARGET_DIR/debug/cocart-mock"
KOTLIN="$ROOT/bindings/kotlin"
REPORTS="$KOTLIN/target/surefire-reports"
rm -rf "$REPORTS"

# `clean`: the generated bindings change with the library; stale classes from an older
# generation must never be compiled against.
echo "==> mvn clean test (bindings/kotlin)"
status=0
mvn -q -B -Dstyle.color=never -f "$KOTLIN/pom.xml" clean test \
  -Djna.library.path="$LIB_DIR" \
  -Dcocart.mock.bin="$MOCK_BIN" || status=$?
echo # Debian's Maven leaves colour resets without a newline even with style.color=never.

# Surefire's summary, from its XML reports (mvn -q prints none on success).
python3 "$ROOT/bindings/scripts/surefire-summary.py" "$REPORTS" kotlin || true

if [[ $status -ne 0 ]]; then
  echo "test-kotlin.sh: Maven failed with status $status" >&2
fi
exit $status
