#!/usr/bin/env bash
# Runs every test of the project: Rust (unit, integration, end-to-end against cocart-mock, doc
# tests) and, when the bindings are present, the Kotlin tests on the real JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "==> cargo test --workspace"
cargo test --workspace

if [ -f bindings/scripts/test-kotlin.sh ]; then
  echo "==> Kotlin binding tests"
  bash bindings/scripts/test-kotlin.sh
fi
echo "==> all tests passed"
