#!/usr/bin/env bash
# Screenshots of the Dagster UI and a loop's HTML report for docs/img/ (headless Chromium from
# Debian's `chromium` package). Usage: scripts/ui_screenshots.sh CONFIG [PORT]
# CONFIG: a config whose state directory holds at least one loop that reached champion_model.
set -euo pipefail
config=$1 port=${2:-3123} out=$(dirname "$0")/../docs/img
python -m adversarial_mlops.cli ui --config "$config" --port "$port" > /dev/null 2>&1 &
ui=$!
trap 'kill -TERM $ui' EXIT
until curl -sf "http://127.0.0.1:$port/server_info" > /dev/null; do sleep 1; done
# The first visit from localhost opens a newsletter dialog; tell the instance it was seen.
curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/graphql" \
  -d '{"query":"mutation { setNuxSeen }"}' > /dev/null
shot() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$3" \
  --virtual-time-budget=20000 --screenshot="$out/$1" "$2" > /dev/null 2>&1; }
shot ui_lineage.png "http://127.0.0.1:$port/asset-groups" 1600,1400
shot ui_quality_gate.png "http://127.0.0.1:$port/assets/evaluation_report?view=checks" 1600,1000
shot ui_champion_model.png "http://127.0.0.1:$port/assets/champion_model" 1600,1400
report=$(python -m adversarial_mlops.cli report --config "$config")
shot loop_report.png "file://${report##* }" 1400,2000
