#!/usr/bin/env bash
# CI's size gate for the mobile library: builds cocart-ffi with the release-small profile and
# the default features (x86_64 Linux, the proxy for the mobile targets) and fails when the
# stripped libcocart_ffi.so is larger than the budget in bindings/ffi/size-budget-mb. On a
# failure it relinks an unstripped copy and prints the crates that take the most room
# (benches/size_by_crate.awk, the attribution of BENCHMARKS.md).
#
#   bash scripts/size-gate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

budget_mb=$(grep -v '^#' bindings/ffi/size-budget-mb | tr -d '[:space:]')
budget=$(awk -v m="$budget_mb" 'BEGIN { printf "%d", m * 1000000 }')
[ "$budget" -gt 0 ] || { echo "size-gate: no budget in bindings/ffi/size-budget-mb" >&2; exit 2; }

# The build that ships (bindings/scripts/build-android.sh): the cdylib alone, where the profile's
# LTO applies (Cargo gives `-C lto` to no output of a package whose crate types include `lib`).
build() { cargo rustc -q -p cocart-ffi --profile release-small --lib --crate-type cdylib "$@"; }
build
lib="$CARGO_TARGET_DIR/release-small/libcocart_ffi.so"
bytes=$(stat -c %s "$lib")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1000000 }')
if [ "$bytes" -le "$budget" ]; then
  echo "size-gate: libcocart_ffi.so is $bytes bytes ($mb MB), within the budget of $budget_mb MB ($((budget - bytes)) bytes to spare)"
  exit 0
fi

# Over budget: name what grew. The final crate relinked without strip (dependencies reused).
build -- -C strip=none
top=$(nm -C -S --size-sort "$lib" | awk -f benches/size_by_crate.awk | sort -rn | head -16)
# Put the stripped build back for whatever runs next.
build
{
  echo "size-gate: FAILED: libcocart_ffi.so is $bytes bytes ($mb MB), over the budget of $budget_mb MB"
  echo "(bindings/ffi/size-budget-mb) by $((bytes - budget)) bytes."
  echo "Largest crates (code and read-only data symbols of an unstripped build; BENCHMARKS.md"
  echo "has the last measured list to compare with):"
  echo "$top"
} >&2
exit 1
