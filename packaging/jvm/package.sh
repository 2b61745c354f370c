#!/usr/bin/env bash
# Builds dev.cocart:cocart-mock-junit with MOCK_BINARY inside (for this machine's platform), runs
# its tests (packaging/jvm/src/test: the controls of packaging/controls.json against a running
# mock, the JUnit lifetimes, the process never outliving its JVM), installs it into the local
# Maven repository (~/.m2, so consumers resolve it by coordinates) and copies the jar into OUT_DIR.
#
#   bash packaging/jvm/package.sh OUT_DIR MOCK_BINARY [--skip-tests]
#
# MOCK_BINARY is any cocart-mock build: scripts/package-mock.sh passes the release binary; the
# repository's own Kotlin test scripts pass the debug one (target/debug/cocart-mock, already built
# for them). OUT_DIR receives only cocart-mock-junit-<version>.jar (its pom is inside, at
# META-INF/maven/dev.cocart/cocart-mock-junit/pom.xml). The version is the Cargo workspace's; the
# script fails if packaging/jvm/pom.xml says otherwise.
# Needs: JDK 17+, Maven (Maven Central reachable on the first run).
set -euo pipefail

usage() { echo "usage: $0 OUT_DIR MOCK_BINARY [--skip-tests]" >&2; exit 2; }
[[ $# -ge 2 && $# -le 3 ]] || usage
OUT_DIR="$1"
MOCK_BINARY="$2"
SKIP_TESTS=false
if [[ $# -eq 3 ]]; then
  [[ "$3" == --skip-tests ]] || usage
  SKIP_TESTS=true
fi
[[ -f "$MOCK_BINARY" && -x "$MOCK_BINARY" ]] || { echo "$0: $MOCK_BINARY is not an executable file" >&2; exit 1; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

CARGO_VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml")"
POM_VERSION="$(python3 -c '
import sys, xml.etree.ElementTree as ET
print(ET.parse(sys.argv[1]).getroot().findtext("{http://maven.apache.org/POM/4.0.0}version"))' "$HERE/pom.xml")"
if [[ -z "$CARGO_VERSION" || "$CARGO_VERSION" != "$POM_VERSION" ]]; then
  echo "$0: versions disagree: Cargo workspace '$CARGO_VERSION', packaging/jvm/pom.xml '$POM_VERSION'" >&2
  exit 1
fi

# The platform name the launcher looks for at run time (NativeBinary.platform(): os.name/os.arch).
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=macos ;;
  MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) echo "$0: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) echo "$0: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
PLATFORM="$os-$arch"
NAME=cocart-mock
[[ $os == windows ]] && NAME=cocart-mock.exe

# The jar takes the file under its launcher name, whatever MOCK_BINARY is called.
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp "$MOCK_BINARY" "$STAGE/$NAME"

MVN=(mvn -q -B -Dstyle.color=never)
TEST_ARGS=()
$SKIP_TESTS && TEST_ARGS=(-Dmaven.test.skip=true)
echo "==> cocart-mock-junit $POM_VERSION for $PLATFORM with $MOCK_BINARY ($(stat -c %s "$MOCK_BINARY" 2>/dev/null || wc -c <"$MOCK_BINARY") B)$($SKIP_TESTS && echo ', tests skipped')"
status=0
"${MVN[@]}" -f "$HERE/pom.xml" clean install "${TEST_ARGS[@]}" \
  -Dmock.binary.dir="$STAGE" -Dmock.binary.name="$NAME" -Dmock.platform="$PLATFORM" || status=$?
echo # Debian's Maven leaves a colour reset without a newline even with style.color=never.
if ! $SKIP_TESTS; then
  python3 "$ROOT/bindings/scripts/surefire-summary.py" "$HERE/target/surefire-reports" cocart-mock-junit || status=1
fi
if [[ $status -ne 0 ]]; then
  echo "$0: FAILED (Maven status $status)" >&2
  exit 1
fi

JAR="cocart-mock-junit-$POM_VERSION.jar"
mkdir -p "$OUT_DIR"
cp "$HERE/target/$JAR" "$OUT_DIR/$JAR"
echo "==> $OUT_DIR/$JAR ($(wc -c <"$OUT_DIR/$JAR") B), installed as dev.cocart:cocart-mock-junit:$POM_VERSION"
