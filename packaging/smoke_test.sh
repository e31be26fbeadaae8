#!/usr/bin/env bash
# Release check: the bundle works on a machine with no Python, in a clean environment.
# Runs init, seed-demo, agreement, verify and stats with `env -i`, then starts the demo
# window offscreen for a few seconds. Usage: packaging/smoke_test.sh [dist/workbench]
set -euo pipefail
bundle=$(cd "${1:-dist/workbench}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { env -i HOME="$work" LANG=C.UTF-8 PATH=/usr/bin:/bin "$bundle/workbench" "$@"; }
secret="smoke test passphrase"
echo "$secret" | run init --org "Smoke Test ry" --country FI --user admin \
    --data-dir "$work/store" --passphrase-stdin
echo "$secret" | run seed-demo --cases 40 --data-dir "$work/store" --user admin --passphrase-stdin
case_id=$(echo "$secret" | run cases list --json --data-dir "$work/store" --user admin \
    --passphrase-stdin | grep -B6 '"has_plan": true' | grep '"id"' | head -1 | tr -dc 0-9)
echo "$secret" | run agreement "$case_id" --lang sv --out "$work/agreement.pdf" \
    --data-dir "$work/store" --user admin --passphrase-stdin
run verify "$work/agreement.pdf" --data-dir "$work/store"
echo "$secret" | run stats --quarter "$(date +%Y)Q1" --format xlsx --lang fi \
    --out "$work/stats.xlsx" --data-dir "$work/store" --user admin --passphrase-stdin
set +e
env -i HOME="$work" LANG=C.UTF-8 PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen \
    timeout -s INT 8 "$bundle/workbench" demo --cases 30
status=$?
set -e
# The demo runs until stopped: ended by the timeout's Ctrl+C it exits cleanly (0 or 124).
if [ "$status" != 0 ] && [ "$status" != 124 ]; then
  echo "the demo window failed to start (exit $status)"; exit 1
fi
echo "Smoke test passed: init, seed-demo, agreement, verify, stats and the demo window."
