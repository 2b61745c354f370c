#!/usr/bin/env bash
# Breaks each rule of the shared-session protocol on purpose and checks that the simulation
# catches it within 10,000 schedules (see scripts/mutations.py). Not part of CI: it rebuilds the
# SDK once per mutation (about a minute each on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/mutations.py "$@"
