#!/usr/bin/env bash
# The JVM row of the launcher start-up benchmark: time from "start" to the first answered request
# (GET /wp-json/cocart/v2/cart → 200) through dev.cocart:cocart-mock-junit (CoCartMock.start, what
# CoCartMockExtension calls) and through the same binary started directly (spawn, read the
# announced URL, send the request), interleaved in one JVM; JVM start-up is not counted in either.
#
#   bash packaging/jvm/bench-start.sh [--json] JAR MOCK_BINARY [ROUNDS]   (default 20)
#
# JAR is OUT_DIR/cocart-mock-junit-<version>.jar (built around MOCK_BINARY). Round 0 is a warm-up
# (its launcher start also copies the binary out of the jar: reported as the first start); each
# of the ROUNDS rounds then runs both arms, the order alternating between rounds. Prints one line:
#   jvm start-to-first-request: first start in the JVM (copies the binary out of the jar) X ms;
#   median of N: launcher Y ms, binary directly Z ms, ratio Y/Z
# or, with --json, the samples as packaging/bench/launchers.py reads an API child's output:
#   {"direct": [ms, …], "launcher": [ms, …], "first_launcher_start": ms}
# Needs: JDK 17+ (runs bench/StartBench.java as a source file), kotlin-stdlib in ~/.m2 (package.sh
# puts it there).
set -euo pipefail
JSON=()
if [[ "${1:-}" == --json ]]; then JSON=(--json); shift; fi
[[ $# -ge 2 && $# -le 3 ]] || { echo "usage: $0 [--json] JAR MOCK_BINARY [ROUNDS]" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KOTLIN_VERSION="$(sed -n 's:.*<kotlin.version>\(.*\)</kotlin.version>.*:\1:p' "$HERE/pom.xml")"
REPO="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
STDLIB="$REPO/org/jetbrains/kotlin/kotlin-stdlib/$KOTLIN_VERSION/kotlin-stdlib-$KOTLIN_VERSION.jar"
[[ -f "$STDLIB" ]] || { echo "$0: $STDLIB not found (run packaging/jvm/package.sh once)" >&2; exit 1; }
exec java -cp "$1:$STDLIB" "$HERE/bench/StartBench.java" "${JSON[@]}" "$2" "${3:-20}"
