#!/usr/bin/env bash
# Builds libcocart_ffi and generates the Kotlin and Swift bindings from it, in one command.
#
#   bash bindings/scripts/generate.sh            # debug library (fast)
#   bash bindings/scripts/generate.sh --release  # the size-tuned `release-small` profile
#   bash bindings/scripts/generate.sh --android  # Kotlin for Android (SystemCleaner) instead of JVM
#   bash bindings/scripts/generate.sh --testing  # with the `testing` feature (test hooks; for tests)
#
# Outputs (all git-ignored):
#   bindings/kotlin/src/main/kotlin/generated/dev/cocart/sdk/cocart_ffi.kt
#   bindings/kotlin/src/main/kotlin/generated/dev/cocart/sdk/core/cocart.kt  (the core's enums)
#   bindings/swift/Sources/CoCart/Generated/{CoCart,CoCartCore}.swift
#   bindings/swift/build/include/{CoCartFFI.h,CoCartCoreFFI.h,module.modulemap}   (for the XCFramework)
# Environment: CARGO_TARGET_DIR (default <repo>/target), LIB (use this built library instead).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

PROFILE=dev
PROFILE_DIR=debug
KOTLIN_FLAVOR=jvm
FEATURES=()
for arg in "$@"; do
  case "$arg" in
    --release) PROFILE=release-small; PROFILE_DIR=release-small ;;
    --android) KOTLIN_FLAVOR=android ;;
    --testing) FEATURES=(--features testing) ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "generate.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

cd "$ROOT"
case "$(uname -s)" in
  Darwin) EXT=dylib ;;
  *) EXT=so ;;
esac

if [[ -z "${LIB:-}" ]]; then
  echo "==> cargo build -p cocart-ffi --profile $PROFILE ${FEATURES[*]:-}"
  cargo build -p cocart-ffi --profile "$PROFILE" "${FEATURES[@]}"
  LIB="$CARGO_TARGET_DIR/$PROFILE_DIR/libcocart_ffi.$EXT"
fi
[[ -f "$LIB" ]] || { echo "generate.sh: $LIB not found" >&2; exit 1; }

echo "==> cargo build -p uniffi-bindgen"
cargo build -p uniffi-bindgen
BINDGEN="$CARGO_TARGET_DIR/debug/uniffi-bindgen"

KOTLIN_OUT="$ROOT/bindings/kotlin/src/main/kotlin/generated"
rm -rf "$KOTLIN_OUT"
KOTLIN_CONFIG=()
if [[ "$KOTLIN_FLAVOR" == jvm ]]; then
  KOTLIN_CONFIG=(--config "$ROOT/bindings/kotlin/uniffi-jvm.toml")
fi
echo "==> Kotlin ($KOTLIN_FLAVOR) -> ${KOTLIN_OUT#"$ROOT"/}"
"$BINDGEN" generate "$LIB" --language kotlin --no-format --out-dir "$KOTLIN_OUT" "${KOTLIN_CONFIG[@]}"
# Readable exception messages and `data object`s (see the script for why uniffi cannot do it).
find "$KOTLIN_OUT" -name '*.kt' -print0 | xargs -0 python3 "$ROOT/bindings/scripts/kotlin-idioms.py"

SWIFT_TMP="$(mktemp -d)"
trap 'rm -rf "$SWIFT_TMP"' EXIT
echo "==> Swift -> bindings/swift/Sources/CoCart/Generated, bindings/swift/build/include"
"$BINDGEN" generate "$LIB" --language swift --no-format --out-dir "$SWIFT_TMP"
SWIFT_SRC="$ROOT/bindings/swift/Sources/CoCart/Generated"
SWIFT_INCLUDE="$ROOT/bindings/swift/build/include"
rm -rf "$SWIFT_SRC" "$SWIFT_INCLUDE"
mkdir -p "$SWIFT_SRC" "$SWIFT_INCLUDE"
# Two uniffi components: cocart-ffi (CoCart.swift) and the core's enums (CoCartCore.swift, see
# sdk/uniffi.toml); both compile into the CoCart module and share one C module, CoCartFFI.
cp "$SWIFT_TMP/CoCart.swift" "$SWIFT_TMP/CoCartCore.swift" "$SWIFT_SRC/"
cp "$SWIFT_TMP/CoCartFFI.h" "$SWIFT_TMP/CoCartCoreFFI.h" "$SWIFT_INCLUDE/"
# An XCFramework wants the module map of each slice named module.modulemap: the CoCartFFI
# module with both headers.
sed 's#^\([[:space:]]*\)header "CoCartFFI.h"#&\n\1header "CoCartCoreFFI.h"#' \
  "$SWIFT_TMP/CoCartFFI.modulemap" > "$SWIFT_INCLUDE/module.modulemap"
grep -q 'header "CoCartCoreFFI.h"' "$SWIFT_INCLUDE/module.modulemap" \
  || { echo "generate.sh: could not add CoCartCoreFFI.h to the module map" >&2; exit 1; }

echo "==> done (library: ${LIB#"$ROOT"/})"
