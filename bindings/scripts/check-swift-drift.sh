#!/usr/bin/env bash
# The Swift package cannot silently drift from the FFI: generates the Swift bindings afresh from
# libcocart_ffi (`uniffi-bindgen generate --language swift`), parses them and every hand-written
# Swift file of bindings/swift with tree-sitter-swift, and fails when the hand-written Swift uses
# a type, function, method, argument label, member, enum case or protocol requirement the
# generated bindings do not declare (bindings/scripts/swift_drift.py says exactly what it checks).
# No Swift compiler runs here; this is what stands in for one.
#
# Then a self-test on copies of the generated bindings: with `logout` renamed, and with the label
# `username:` of `login` renamed, the check must fail and name the call; otherwise this script
# fails.
#
#   bash bindings/scripts/check-swift-drift.sh
# Needs: cargo, python3 with venv (Debian: python3-venv); PyPI reachable on the first run.
# Environment: CARGO_TARGET_DIR (default <repo>/target), LIB (use this built library).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$ROOT"

# Pinned: both have wheels for CPython 3.11 on x86_64/aarch64 Linux and macOS.
TREE_SITTER=0.25.2
TREE_SITTER_SWIFT=0.7.4

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "==> venv: tree-sitter $TREE_SITTER, tree-sitter-swift $TREE_SITTER_SWIFT"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check \
  "tree-sitter==$TREE_SITTER" "tree-sitter-swift==$TREE_SITTER_SWIFT"
PY="$WORK/venv/bin/python"

case "$(uname -s)" in
  Darwin) EXT=dylib ;;
  *) EXT=so ;;
esac
if [[ -z "${LIB:-}" ]]; then
  echo "==> cargo build -p cocart-ffi"
  cargo build -p cocart-ffi
  LIB="$CARGO_TARGET_DIR/debug/libcocart_ffi.$EXT"
fi
cargo build -p uniffi-bindgen
echo "==> uniffi-bindgen generate --language swift (fresh, into a temporary directory)"
"$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate "$LIB" --language swift --no-format --out-dir "$WORK/gen"
GEN=("$WORK/gen/CoCart.swift" "$WORK/gen/CoCartCore.swift")

HANDWRITTEN=()
while IFS= read -r -d '' f; do HANDWRITTEN+=("$f"); done < <(
  find bindings/swift -name '*.swift' -not -path '*/Generated/*' -not -path '*/build/*' \
    -not -name Package.swift -print0 | sort -z)
[[ ${#HANDWRITTEN[@]} -gt 0 ]] || { echo "check-swift-drift: no hand-written Swift found" >&2; exit 1; }

echo "==> hand-written Swift against the generated bindings"
"$PY" bindings/scripts/swift_drift.py --generated "${GEN[@]}" -- "${HANDWRITTEN[@]}"

# Self-test: a renamed function and a renamed label must each be found.
self_test() { # NAME SED-EXPRESSION EXPECTED-TEXT
  local name="$1" expr="$2" expected="$3" dir="$WORK/$1" out status=0
  mkdir -p "$dir"
  cp "${GEN[@]}" "$dir/"
  sed -i.orig -E "$expr" "$dir/CoCart.swift"
  if cmp -s "$dir/CoCart.swift" "$dir/CoCart.swift.orig"; then
    echo "check-swift-drift: self-test '$name' changed nothing: the generated code changed" >&2
    exit 1
  fi
  out="$("$PY" bindings/scripts/swift_drift.py --generated "$dir/CoCart.swift" "$dir/CoCartCore.swift" \
    -- "${HANDWRITTEN[@]}")" || status=$?
  if [[ $status -ne 1 ]] || ! grep -qF "$expected" <<<"$out"; then
    echo "check-swift-drift: self-test '$name': expected a failure naming '$expected', got status $status:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "self-test '$name': found ($(grep -cF "$expected" <<<"$out") use(s), e.g. $(grep -F "$expected" <<<"$out" | head -1))"
}
echo "==> self-test on renamed copies of the generated bindings"
self_test renamed-function 's/\bfunc logout\(/func signOut(/' "method logout(…) is not declared"
self_test renamed-label 's/\bfunc login\(username: /func login(user username: /' \
  "login(username:password:) matches no declared signature"
echo "==> check-swift-drift: passed"
