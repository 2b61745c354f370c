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
#   bash bindings/scripts/build-xcframework.sh --release-package=https://host/path/v0.1.0
#       # a release: all slices with release-small and no test hooks, then
#       #   build/release/CoCartFFI-<version>.xcframework.zip         (upload it to URL_BASE/)
#       #   build/release/CoCartFFI-<version>.xcframework.zip.sha256  (its checksum)
#       #   build/release/CoCart/  Package.swift with .binaryTarget(url: URL_BASE/<zip>,
#       #     checksum: <swift package compute-checksum>) + Sources/CoCart: the root of the
#       #     repository SwiftPM users add, tagged <version>
#       # <version> is the Cargo workspace version.
#
# Needs: rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios \
#          aarch64-apple-darwin x86_64-apple-darwin
# Written for macOS and never run on this repository's own machines (no Swift toolchain there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-15.0}"
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-12.0}"

PROFILE=release-small
PROFILE_DIR=release-small
MACOS_ONLY=0
FEATURES=()
URL_BASE=""
for arg in "$@"; do
  case "$arg" in
    --debug) PROFILE=dev; PROFILE_DIR=debug ;;
    --macos-only) MACOS_ONLY=1 ;;
    --testing) FEATURES=(--features testing) ;;
    --release-package=*) URL_BASE="${arg#--release-package=}"; URL_BASE="${URL_BASE%/}" ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "build-xcframework.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
if [[ -n "$URL_BASE" ]]; then
  # A release ships every slice, size-tuned, without test hooks.
  [[ "$PROFILE" == release-small && $MACOS_ONLY -eq 0 && ${#FEATURES[@]} -eq 0 ]] || {
    echo "build-xcframework.sh: --release-package excludes --debug, --macos-only and --testing" >&2
    exit 2
  }
  [[ "$URL_BASE" == https://* ]] || {
    echo "build-xcframework.sh: --release-package needs an https URL base (SwiftPM downloads over https only)" >&2
    exit 2
  }
fi
[[ "$(uname -s)" == Darwin ]] || { echo "build-xcframework.sh needs macOS and Xcode" >&2; exit 1; }

cd "$ROOT"
OUT="$ROOT/bindings/swift/build"
lib() { echo "$CARGO_TARGET_DIR/$1/$PROFILE_DIR/libcocart_ffi.a"; }
build() {
  # The staticlib alone: Cargo gives `-C lto` to no output of a package whose crate types include
  # `lib`, so only this build gets the profile's LTO.
  echo "==> cargo rustc -p cocart-ffi --profile $PROFILE --target $1 --lib --crate-type staticlib ${FEATURES[*]:-}"
  cargo rustc -p cocart-ffi --profile "$PROFILE" --target "$1" --lib --crate-type staticlib "${FEATURES[@]}"
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
[[ -n "$URL_BASE" ]] || exit 0

# The release: SwiftPM wants a zip with the .xcframework at its root (ditto --keepParent keeps
# the folder, symlinks and no resource forks), the https URL it is served from, and its checksum.
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml")"
[[ -n "$VERSION" ]] || { echo "build-xcframework.sh: no version in [workspace.package] of Cargo.toml" >&2; exit 1; }
REL="$OUT/release"
ZIP_NAME="CoCartFFI-$VERSION.xcframework.zip"
rm -rf "$REL"
mkdir -p "$REL"
(cd "$OUT" && ditto -c -k --sequesterRsrc --keepParent CoCartFFI.xcframework "$REL/$ZIP_NAME")
# The checksum SwiftPM verifies, computed by SwiftPM itself (run in the development package, so
# that every SwiftPM version finds a package), and checked against a plain SHA-256 of the zip.
CHECKSUM="$(cd "$ROOT/bindings/swift" && swift package compute-checksum "$REL/$ZIP_NAME")"
SHA256="$(shasum -a 256 "$REL/$ZIP_NAME" | cut -d' ' -f1)"
[[ "$CHECKSUM" == "$SHA256" ]] || {
  echo "build-xcframework.sh: compute-checksum gave '$CHECKSUM', shasum -a 256 gave '$SHA256'" >&2
  exit 1
}
echo "$CHECKSUM  $ZIP_NAME" > "$REL/$ZIP_NAME.sha256"
bash "$ROOT/bindings/scripts/swift-release-manifest.sh" --version "$VERSION" \
  --url "$URL_BASE/$ZIP_NAME" --checksum "$CHECKSUM" --out "$REL/CoCart"
echo "==> release $VERSION: upload ${REL#"$ROOT"/}/$ZIP_NAME to $URL_BASE/,"
echo "    then commit ${REL#"$ROOT"/}/CoCart as the root of the Swift package repository and tag it $VERSION"
