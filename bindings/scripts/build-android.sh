#!/usr/bin/env bash
# Builds libcocart_ffi.so for the Android ABIs with cargo-ndk into a jniLibs/ tree, and generates
# the Android flavour of the Kotlin bindings. Not run by this repository's CI.
#
#   bash bindings/scripts/build-android.sh [OUT_DIR]   # default OUT_DIR: bindings/android
#
# Result (the AAR layout is described in bindings/README.md):
#   OUT_DIR/jniLibs/{arm64-v8a,armeabi-v7a,x86_64,x86}/libcocart_ffi.so
#   OUT_DIR/kotlin/dev/cocart/sdk/cocart_ffi.kt
# Needs: the Android NDK (ANDROID_NDK_HOME), cargo install cargo-ndk, and
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
# Environment: PROFILE (default release-small), ANDROID_PLATFORM (default 24).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$(realpath -m "${1:-$ROOT/bindings/android}")"
PROFILE="${PROFILE:-release-small}"
PLATFORM="${ANDROID_PLATFORM:-24}"

command -v cargo-ndk >/dev/null || { echo "build-android.sh: cargo install cargo-ndk" >&2; exit 1; }
[[ -n "${ANDROID_NDK_HOME:-}" ]] || { echo "build-android.sh: set ANDROID_NDK_HOME" >&2; exit 1; }

cd "$ROOT"
DIR=release-small; [[ "$PROFILE" == dev ]] && DIR=debug
# ABI -> Rust target. The copy into jniLibs/ is done here (not with cargo ndk -o) so that any
# cargo profile, including release-small, lands in the right place.
ABIS=(arm64-v8a armeabi-v7a x86_64 x86)
TRIPLES=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android)
rm -rf "$OUT/jniLibs"
for i in "${!ABIS[@]}"; do
  abi="${ABIS[$i]}"; triple="${TRIPLES[$i]}"
  # The cdylib alone (`rustc --crate-type cdylib`): Cargo gives `-C lto` to no output of a package
  # whose crate types include `lib`, so only this build gets the profile's LTO (scripts/size-gate.sh
  # measures the same build).
  echo "==> cargo ndk -t $abi --platform $PLATFORM rustc -p cocart-ffi --profile $PROFILE --lib --crate-type cdylib"
  cargo ndk -t "$abi" --platform "$PLATFORM" rustc -p cocart-ffi --profile "$PROFILE" --lib --crate-type cdylib
  mkdir -p "$OUT/jniLibs/$abi"
  cp "$CARGO_TARGET_DIR/$triple/$DIR/libcocart_ffi.so" "$OUT/jniLibs/$abi/"
done

# Kotlin for Android (android = true, SystemCleaner). The stripped LTO'd libraries carry no UniFFI
# metadata symbols, so the bindings are generated from a host debug build of the same sources
# (the metadata does not depend on the target).
cargo build -p cocart-ffi
LIB="$CARGO_TARGET_DIR/debug/libcocart_ffi.so"
cargo build -p uniffi-bindgen
rm -rf "$OUT/kotlin"
"$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate "$LIB" --language kotlin --no-format --out-dir "$OUT/kotlin"
# Readable exception messages and `data object`s, as generate.sh does.
find "$OUT/kotlin" -name '*.kt' -print0 | xargs -0 python3 "$ROOT/bindings/scripts/kotlin-idioms.py"
find "$OUT/jniLibs" -name '*.so' -exec ls -l {} \;
echo "==> $OUT"
