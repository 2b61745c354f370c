#!/usr/bin/env bash
# dev.cocart:cocart-mock-junit as a user installs it: the jar of OUT_DIR (packaging/jvm/package.sh
# or scripts/package-mock.sh) goes into the local Maven repository with `mvn install:install-file`
# (its pom comes from inside the jar), then a new Maven project in a temporary directory (a copy
# of packaging/tests/jvm) depends on it by coordinates and runs its JUnit 5 tests: the example of
# packaging/jvm/README.md, and a guest cart → login → clock move → refresh → logout journey with
# the JDK's HttpClient, checked against the mock's journal. Also checks that the README's example
# is, to the character, the one the test runs.
#
#   bash packaging/tests/jvm/run.sh OUT_DIR
#
# The local repository is the default one (~/.m2, where the plugins are already cached); the
# test checks that the jar it loads there has the SHA-256 of OUT_DIR's.
# Needs: JDK 17+, Maven (Maven Central reachable on the first run), python3.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
OUT_DIR="$(cd "$1" && pwd)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
MVN=(mvn -q -B -Dstyle.color=never)
fail() { echo "jvm-package: FAILED: $*" >&2; echo "jvm-package: 0 passed, 1 failed"; exit 1; }

shopt -s nullglob
jars=("$OUT_DIR"/cocart-mock-junit-*.jar)
[[ ${#jars[@]} -eq 1 ]] || fail "expected one cocart-mock-junit-*.jar in $OUT_DIR, found ${#jars[@]}"
JAR="${jars[0]}"
VERSION="$(basename "$JAR" .jar)"
VERSION="${VERSION#cocart-mock-junit-}"
SHA="$(sha256sum "$JAR" | cut -d' ' -f1)"

# The README's example must be the one StorefrontTest runs (between its "README example" marks).
# The same example is in the repository's README ("Use the mock from your test suite").
python3 - "$HERE/src/test/kotlin/example/StorefrontTest.kt" "$ROOT/packaging/jvm/README.md" "$ROOT/README.md" <<'PY' || fail "README example"
import re, sys, textwrap
test = open(sys.argv[1]).read()
ran = re.search(r"// --- README example \(begin\) ---\n(.*?)\s*// --- README example \(end\) ---", test, re.S)
if not ran:
    sys.exit("StorefrontTest.kt has no README example marks")
for path in sys.argv[2:]:
    readme = open(path).read()
    blocks = [b for b in re.findall(r"```kotlin\n(.*?)```", readme, re.S) if "CoCartMockExtension" in b]
    if not blocks:
        sys.exit(f"{path} has no ```kotlin block with CoCartMockExtension")
    if textwrap.dedent(blocks[0]).strip() != textwrap.dedent(ran.group(1)).strip():
        sys.exit(f"{path}'s example differs from the one StorefrontTest.kt runs:\n" + blocks[0])
print("README examples (packaging/jvm/README.md, README.md): the same text as StorefrontTest.kt runs")
PY

echo "==> mvn install:install-file $JAR (dev.cocart:cocart-mock-junit:$VERSION, sha256 ${SHA:0:16}…)"
"${MVN[@]}" org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file -Dfile="$JAR" ||
  fail "install-file $JAR"

PROJECT="$(mktemp -d)"
trap 'rm -rf "$PROJECT"' EXIT
cp -r "$HERE/pom.xml" "$HERE/src" "$PROJECT/"
echo "==> mvn test in a new project ($PROJECT) depending on dev.cocart:cocart-mock-junit:$VERSION"
status=0
(cd "$PROJECT" && "${MVN[@]}" test -Dcocart.mock.version="$VERSION" -Dexpected.jar.sha256="$SHA") || status=$?
echo
python3 "$ROOT/bindings/scripts/surefire-summary.py" "$PROJECT/target/surefire-reports" jvm-package || status=1
exit $status
