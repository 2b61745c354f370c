#!/usr/bin/env bash
# Tests the packages scripts/package-mock.sh wrote into OUT_DIR as a user installs them:
#   1. packaging/check-controls.py (controls.json against the mock's README), and that it fails
#      when a control is removed or an undocumented one is added;
#   2. npm: a fresh project installs the two tarballs and the published @cocart/cocart-rest-api,
#      then `node --test packaging/tests/js` (controls, launcher, the journey, the README example);
#   3. Python: a new venv installs the wheel (checked first: RECORD, tag), pytest and requests,
#      then pytest packaging/tests/python (the same, through the fixtures);
#   4. JVM: packaging/tests/jvm/run.sh installs the jar into the local Maven repository and runs a
#      fresh project on it (the README example, the journey, the jar it loaded is this one).
# Usage: bash scripts/test-packages.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
out=$(cd "$1" && pwd)
repo=$PWD
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export COCART_CONTROLS_JSON="$repo/packaging/controls.json" COCART_REPO="$repo"
unset COCART_MOCK_BINARY

echo "--> controls: packaging/controls.json against mock-server/README.md"
python3 packaging/check-controls.py
python3 - "$work/one-less.json" <<'PY'
import json, sys
d = json.load(open("packaging/controls.json"))
d["controls"] = [c for c in d["controls"] if c["js"] != "advanceClock"]
json.dump(d, open(sys.argv[1], "w"))
PY
if python3 packaging/check-controls.py --controls "$work/one-less.json" 2>/dev/null; then
  echo "check-controls.py accepted a controls.json without the clock's advance" >&2; exit 1
fi
sed 's|^curl -X DELETE \$B/__mock/journal$|&\ncurl -X POST $B/__mock/snapshot|' mock-server/README.md > "$work/README.md"
if python3 packaging/check-controls.py --readme "$work/README.md" 2>/dev/null; then
  echo "check-controls.py accepted a README control missing from controls.json" >&2; exit 1
fi

echo "--> npm: install the packed tarballs into a fresh project, node --test"
mkdir "$work/js"
cp packaging/tests/js/*.test.mjs "$work/js/"
(
  cd "$work/js"
  printf '{"name":"cocart-mock-consumer","private":true,"type":"module"}\n' > package.json
  npm install --no-audit --no-fund --loglevel=error \
    "$out/cocart-mock-$version.tgz" "$out/cocart-mock-linux-x64-$version.tgz" @cocart/cocart-rest-api@1.1.0
  node --test ./*.test.mjs
)

echo "--> Python: check the wheel, install it into a new venv, pytest"
wheel=$(ls "$out"/cocart_mock-"$version"-py3-none-*.whl)
python3 packaging/python/check_wheel.py "$wheel"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" pytest requests
cp -r packaging/tests/python "$work/py"
(cd "$work/py" && "$work/venv/bin/python" -m pytest -q -p no:cacheprovider .)

echo "--> JVM: packaging/tests/jvm/run.sh (the jar installed into the local Maven repository, a fresh project)"
bash packaging/tests/jvm/run.sh "$out"
echo "--> packages passed"
