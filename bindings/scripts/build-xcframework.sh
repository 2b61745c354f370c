#!/usr/bin/env bash
# Builds bindings/swift/build/CoCartFFI.xcframework (static libcocart_ffi + header + module map)
# for iOS devices (aarch64-apple-ios), the iOS simulator (aarch64-apple-ios-sim + x86_64-apple-ios,
# joined with lipo) and macOS (aarch64-apple-darwin + x86_64-apple-darwin), and generates the
# Swift sources. macOS with Xcode only; not run by this repository's own CI.
#
#   bash bindings/scripts/build-xcframework.sh              # release-small profile, all platforms
#   bash bindings/scripts/build-xcframework.sh --debug      # dev profile (CI tests)
#   bash bindings/scripts/build-xcframework.sh --macos-only # only the macOS slice (swift test)
#   bash bindings/scripts/build-xcframework.sh --testing    # with the test hooks the Swift tests use
#
# Needs: rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios \
#          aarch64-apple-darwin x86_64-apple-darwin
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-15.0}"
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-12.0}"

PROFILE=release-small
PROFILE_DIR=release-small
MACOS_ONLY=0
FEATURES=()
for arg in "$@"; do
  case "$arg" in
    --debug) PROFILE=dev; PROFILE_DIR=debug ;;
    --macos-only) MACOS_ONLY=1 ;;
    --testing) FEATURES=(--features testing) ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "build-xcframework.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
[[ "$(uname -s)" == Darwin ]] || { echo "build-xcframework.sh needs macOS and Xcode" >&2; exit 1; }

cd "$ROOT"
OUT="$ROOT/bindings/swift/build"
lib() { echo "$CARGO_TARGET_DIR/$1/$PROFILE_DIR/libcocart_ffi.a"; }
build() {
  echo "==> cargo build -p cocart-ffi --profile $PROFILE --target $1 ${FEATURES[*]:-}"
  cargo build -p cocart-ffi --profile "$PROFILE" --target "$1" "${FEATURES[@]}"
}

MAC_TARGETS=(aarch64-apple-darwin x86_64-apple-darwin)
IOS_TARGETS=(aarch64-apple-ios)
SIM_TARGETS=(aarch64-apple-ios-sim x86_64-apple-ios)
TARGETS=("${MAC_TARGETS[@]}")
if [[ $MACOS_ONLY -eq 0 ]]; then TARGETS+=("${IOS_TARGETS[@]}" "${SIM_TARGETS[@]}"); fi
for t in "${TARGETS[@]}"; do build "$t"; done

# Swift sources, header and module map, from one of the built libraries.
LIB="$(lib aarch64-apple-darwin)" bash "$ROOT/bindings/scripts/generate.sh"

rm -rf "$OUT/CoCartFFI.xcframework" "$OUT/macos" "$OUT/ios-sim"
mkdir -p "$OUT/macos" "$OUT/ios-sim"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$OUT/macos/libcocart_ffi.a"
ARGS=(-library "$OUT/macos/libcocart_ffi.a" -headers "$OUT/include")
if [[ $MACOS_ONLY -eq 0 ]]; then
  lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$OUT/ios-sim/libcocart_ffi.a"
  ARGS+=(-library "$(lib aarch64-apple-ios)" -headers "$OUT/include")
  ARGS+=(-library "$OUT/ios-sim/libcocart_ffi.a" -headers "$OUT/include")
fi
xcodebuild -create-xcframework "${ARGS[@]}" -output "$OUT/CoCartFFI.xcframework"
echo "==> ${OUT#"$ROOT"/}/CoCartFFI.xcframework"
