#!/usr/bin/env bash
# Builds everything tests read that is generated rather than committed, into one work folder.
# Each step is skipped when its output is newer than its inputs, so repeated ctest runs are fast.
set -euo pipefail
OUT="${1:?usage: make_test_fixtures.sh OUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$OUT"
for step in "$ROOT"/scripts/fixtures/*.sh; do
  [ -e "$step" ] || continue
  echo "fixture: $(basename "$step")"
  bash "$step" "$OUT"
done
