#!/usr/bin/env bash
# The public API of every published library crate, listed from rustdoc JSON (nightly, pinned) and
# compared with the committed listing in api/<crate>.txt.
#
#   bash scripts/public-api.sh            # check: fails when an API changed without its listing
#   bash scripts/public-api.sh --update   # rewrite the listings; refuses a changed API unless
#                                         # the crate's version differs from the listing's
#
# So a public API change cannot land without a version bump: CI fails on a stale listing, and
# the listing can only be updated together with a new version.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
NIGHTLY="${PUBLIC_API_NIGHTLY:-nightly-2026-05-19}"
CRATES=(cocart cocart-redis cocart-mock cocart-contract)
mode="${1:---check}"

if ! rustup run "$NIGHTLY" rustc -V >/dev/null 2>&1; then
  if rustc +nightly -V 2>/dev/null | grep -q "${NIGHTLY#nightly-})"; then
    NIGHTLY=nightly
  else
    echo "==> installing $NIGHTLY (rustdoc JSON)"
    rustup toolchain install "$NIGHTLY" --profile minimal >/dev/null
  fi
fi

version_of() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; n=sys.argv[1]; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]==n))' "$1"
}

mkdir -p api
status=0
for crate in "${CRATES[@]}"; do
  lib=${crate//-/_}
  # Default features, plus the ones that are API (not `fuzzing`, `testing` or `uniffi`).
  features=()
  [ "$crate" = cocart ] && features=(--features conformance)
  cargo "+$NIGHTLY" rustdoc -q -p "$crate" --lib "${features[@]}" -- -Z unstable-options --output-format json
  version=$(version_of "$crate")
  listing=$(mktemp)
  { echo "# $crate $version"; python3 scripts/public_api.py "$CARGO_TARGET_DIR/doc/$lib.json"; } >"$listing"
  committed="api/$crate.txt"
  if [ -f "$committed" ] && diff -q <(tail -n +2 "$committed") <(tail -n +2 "$listing") >/dev/null; then
    [ "$mode" = --update ] && cp "$listing" "$committed"
    echo "    $crate $version: public API unchanged"
  elif [ "$mode" = --update ]; then
    old_version=""
    [ -f "$committed" ] && old_version=$(head -1 "$committed" | awk '{print $3}')
    if [ -n "$old_version" ] && [ "$old_version" = "$version" ]; then
      echo "!!  $crate: the public API changed but the version is still $version; bump it first" >&2
      diff <(tail -n +2 "$committed") <(tail -n +2 "$listing") | head -40 >&2 || true
      status=1
    else
      cp "$listing" "$committed"
      echo "    $crate $version: listing updated"
    fi
  else
    echo "!!  $crate: the public API differs from $committed (bump the version, then run" \
      "scripts/public-api.sh --update and commit it):" >&2
    diff <(tail -n +2 "$committed" 2>/dev/null) <(tail -n +2 "$listing") | head -40 >&2 || true
    status=1
  fi
  rm -f "$listing"
done
exit $status
