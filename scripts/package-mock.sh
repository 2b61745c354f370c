#!/usr/bin/env bash
# Builds the cocart-mock release binary and writes into OUT_DIR every package that carries it:
#   cocart-mock-VERSION.tgz and cocart-mock-<platform>-VERSION.tgz (`npm pack` of the launcher
#   and of this machine's platform package), cocart_mock-VERSION-py3-none-<tag>.whl (the wheel),
#   and cocart-mock-junit-VERSION.jar (packaging/jvm/package.sh: the JVM artifact).
# One version for everything: the workspace Cargo.toml's [workspace.package] version.
# Usage: bash scripts/package-mock.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
[ -n "$version" ] || { echo "no [workspace.package] version in Cargo.toml" >&2; exit 1; }

cargo build --release --quiet -p cocart-mock --bin cocart-mock
exe=cocart-mock
case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) exe=cocart-mock.exe ;; esac
binary="$CARGO_TARGET_DIR/release/$exe"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  Darwin-x86_64) platform=darwin-x64 ;;
  Darwin-arm64) platform=darwin-arm64 ;;
  MINGW*-x86_64|MSYS*-x86_64|CYGWIN*-x86_64) platform=win32-x64 ;;
  *) echo "package-mock: no npm platform package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# npm: the platform package (from packaging/npm/cocart-mock-linux-x64 as the template, with this
# machine's os/cpu) and the launcher, both stamped with the version. The launcher's
# optionalDependencies name this machine's platform package, or every platform listed in
# COCART_MOCK_NPM_PLATFORMS (the release workflow lists all it publishes).
cp -r packaging/npm/cocart-mock-linux-x64 "$stage/platform"
rm -f "$stage/platform/bin/.gitignore"
cp "$binary" "$stage/platform/bin/$exe"
cp -r packaging/npm/cocart-mock "$stage/launcher"
EXE="$exe" VERSION="$version" PLATFORM="$platform" PLATFORMS="${COCART_MOCK_NPM_PLATFORMS:-$platform}" STAGE="$stage" node -e '
const fs = require("fs");
const { VERSION, PLATFORM, PLATFORMS, STAGE } = process.env;
const [os, cpu] = PLATFORM.split("-");
const edit = (file, f) => {
  const p = JSON.parse(fs.readFileSync(file, "utf8"));
  f(p);
  fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n");
};
edit(`${STAGE}/platform/package.json`, (p) => {
  p.name = `cocart-mock-${PLATFORM}`;
  p.version = VERSION;
  p.os = [os];
  p.cpu = [cpu];
  if (os !== "linux") delete p.libc;
  p.files = p.files.map((f) => (f === "bin/cocart-mock" ? `bin/${process.env.EXE}` : f));
  p.description = p.description.replace("Linux x64 (glibc)", PLATFORM);
});
edit(`${STAGE}/launcher/package.json`, (p) => {
  p.version = VERSION;
  p.optionalDependencies = {};
  for (const plat of PLATFORMS.split(/\s+/).filter(Boolean)) {
    p.optionalDependencies[`cocart-mock-${plat}`] = VERSION;
  }
});
'
(cd "$stage/platform" && npm pack --silent --pack-destination "$out" >/dev/null)
(cd "$stage/launcher" && npm pack --silent --pack-destination "$out" >/dev/null)

# PyPI: the wheel around the same binary (Linux: build_wheel.py reads the glibc the ELF binary
# needs for the platform tag; the other platforms' wheels are not built yet).
if [ "$(uname -s)" = Linux ]; then
  python3 packaging/python/build_wheel.py "$binary" "$out" "$version" >/dev/null
else
  echo "package-mock: no wheel for $platform (only Linux wheels are built)" >&2
fi

# JVM: the jar. Its own tests are skipped here: bindings/scripts/test-kotlin.sh runs them (on the
# debug binary), and scripts/test-packages.sh runs a fresh project on this jar.
bash packaging/jvm/package.sh "$out" "$binary" --skip-tests
ls -1 "$out"
