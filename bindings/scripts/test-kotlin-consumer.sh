#!/usr/bin/env bash
# The Kotlin SDK as a user installs it: builds libcocart_ffi (debug, without the `testing`
# feature: no test hooks in an artifact), generates the JVM bindings, `mvn install`s
# dev.cocart:cocart-kotlin into the local Maven repository with the library inside the jar, then
# runs the JUnit test of bindings/kotlin-consumer, which depends on it by coordinates only and
# talks to a real cocart-mock through dev.cocart:cocart-mock-junit (installed here too). Prints a pass/fail summary; exits non-zero on any failure.
#
# The SDK's own tests are skipped by this install (-Dmaven.test.skip): they need the `testing`
# build of the library and are run by bindings/scripts/test-kotlin.sh (scripts/test.sh runs that
# first). Leaves the non-testing bindings generated in bindings/kotlin; test-kotlin.sh regenerates.
# Needs: cargo, JDK 17+, Maven (Maven Central reachable on the first run).
# Environment: CARGO_TARGET_DIR (default <repo>/target).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$ROOT"

KOTLIN="$ROOT/bindings/kotlin"
CONSUMER="$ROOT/bindings/kotlin-consumer"
LIB_DIR="$CARGO_TARGET_DIR/debug"
MOCK_BIN="$CARGO_TARGET_DIR/debug/cocart-mock"
REPORTS="$CONSUMER/target/surefire-reports"
MVN=(mvn -q -B -Dstyle.color=never)
START=$SECONDS
step() { echo "==> [$((SECONDS - START)) s] $*"; }
fail() {
  echo "kotlin-consumer: FAILED: $*" >&2
  echo "kotlin-consumer: 0 passed, 1 failed"
  exit 1
}

# One version: the Cargo workspace's, the artifact's and the one the consumer asks for.
CARGO_VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
pom_value() { python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
print(ET.parse(sys.argv[1]).getroot().findtext(sys.argv[2], namespaces=ns))' "$1" "$2"; }
SDK_VERSION="$(pom_value "$KOTLIN/pom.xml" m:version)"
WANTED_VERSION="$(pom_value "$CONSUMER/pom.xml" m:properties/m:cocart.version)"
[[ -n "$CARGO_VERSION" && "$CARGO_VERSION" == "$SDK_VERSION" && "$SDK_VERSION" == "$WANTED_VERSION" ]] ||
  fail "versions disagree: Cargo workspace '$CARGO_VERSION', bindings/kotlin/pom.xml '$SDK_VERSION'," \
    "bindings/kotlin-consumer cocart.version '$WANTED_VERSION'"
step "dev.cocart:cocart-kotlin:$SDK_VERSION (the Cargo workspace version)"

step "cargo build -p cocart-mock --bin cocart-mock"
cargo build -p cocart-mock --bin cocart-mock
# The mock store for the consumer's test: dev.cocart:cocart-mock-junit around the DEBUG cocart-mock
# binary just built, into the local repository (its own tests run in test-kotlin.sh).
step "packaging/jvm/package.sh (dev.cocart:cocart-mock-junit:$SDK_VERSION with the debug cocart-mock, tests skipped)"
JVM_OUT="$(mktemp -d)"
trap 'rm -rf "$JVM_OUT"' EXIT
bash "$ROOT/packaging/jvm/package.sh" "$JVM_OUT" "$MOCK_BIN" --skip-tests || fail "packaging/jvm/package.sh"

# Without --testing: the library and bindings a user gets.
bash "$ROOT/bindings/scripts/generate.sh"

# `clean`: classes generated from a `testing` build must not end up in the artifact.
step "mvn clean install (bindings/kotlin, library from ${LIB_DIR#"$ROOT"/}, tests skipped: run by test-kotlin.sh)"
"${MVN[@]}" -f "$KOTLIN/pom.xml" clean install -Dmaven.test.skip=true -Dnative.lib.dir="$LIB_DIR" ||
  fail "mvn install of bindings/kotlin"
echo
JAR="$KOTLIN/target/cocart-kotlin-$SDK_VERSION.jar"
echo "native libraries in ${JAR#"$ROOT"/} (as installed):"
python3 - "$JAR" <<'PY' || fail "no native library in $JAR"
import sys, zipfile
libs = [i for i in zipfile.ZipFile(sys.argv[1]).infolist()
        if i.filename.endswith((".so", ".dylib", ".dll"))]
for i in libs:
    print(f"  {i.filename}  {i.file_size} B ({i.compress_size} B compressed)")
sys.exit(0 if libs else 1)
PY

# No jna.library.path and no LD_LIBRARY_PATH: the library must come out of the jar.
step "mvn clean test (bindings/kotlin-consumer, dev.cocart:cocart-kotlin:$SDK_VERSION from the local repository)"
rm -rf "$REPORTS"
status=0
env -u LD_LIBRARY_PATH "${MVN[@]}" -f "$CONSUMER/pom.xml" clean test || status=$?
echo
summary=0
python3 "$ROOT/bindings/scripts/surefire-summary.py" "$REPORTS" kotlin-consumer || summary=$?
step "done"
if [[ $status -ne 0 || $summary -ne 0 ]]; then
  echo "test-kotlin-consumer.sh: FAILED (Maven status $status)" >&2
  exit 1
fi
echo "test-kotlin-consumer.sh: PASSED"
