#!/usr/bin/env bash
# Builds libcocart_ffi (debug) and the cocart-mock binary, generates the Kotlin bindings, builds
# and installs dev.cocart:cocart-mock-junit (packaging/jvm/package.sh, with its own tests) around
# the DEBUG cocart-mock binary (already built here; the release jar is scripts/package-mock.sh's),
# and runs the JUnit 5 tests of bindings/kotlin with Maven (real JVM, real library through JNA,
# real mock through the extension of that jar).
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

# The jar goes to the local Maven repository, where bindings/kotlin's pom resolves it; the copy
# package.sh writes to its OUT_DIR is not needed here.
echo "==> packaging/jvm/package.sh (dev.cocart:cocart-mock-junit with the debug cocart-mock)"
JVM_OUT="$(mktemp -d)"
trap 'rm -rf "$JVM_OUT"' EXIT
bash "$ROOT/packaging/jvm/package.sh" "$JVM_OUT" "$MOCK_BIN"

# `clean`: the generated bindings change with the library; stale classes from an older
# generation must never be compiled against.
echo "==> mvn clean test (bindings/kotlin)"
status=0
mvn -q -B -Dstyle.color=never -f "$KOTLIN/pom.xml" clean test \
  -Djna.library.path="$LIB_DIR" || status=$?
echo # Debian's Maven leaves colour resets without a newline even with style.color=never.

# Surefire's summary, from its XML reports (mvn -q prints none on success).
python3 "$ROOT/bindings/scripts/surefire-summary.py" "$REPORTS" kotlin || true

if [[ $status -ne 0 ]]; then
  echo "test-kotlin.sh: Maven failed with status $status" >&2
fi
exit $status
