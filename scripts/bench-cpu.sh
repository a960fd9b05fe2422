#!/usr/bin/env bash
# One benchmark row as docs/benchmarks.md reports it: a fresh 3-node dev-cluster, a load phase,
# then a measured run phase, and the CPU the nodes and the load generator spent per operation
# (from /proc, over the run phase only).
#
#   scripts/bench-cpu.sh [WORKLOAD]          WORKLOAD: a (default), b, c, write, read
#   STORAGE=disk|lmdb|memory PROTOCOL=native|http DURATION=15 RECORDS=100000 BASE_PORT=7700
#   JSON_OUT=FILE keeps the run's --json (its per-second timeline shows, say, a merge)
#   NODE_ARGS="--fsync always" passes `dynamo start` options to every node
#
# Stops everything it started by PID (the dev-cluster's process group).
set -euo pipefail
cd "$(dirname "$0")/.."
WORKLOAD=${1:-a}
STORAGE=${STORAGE:-disk}
PROTOCOL=${PROTOCOL:-native}
DURATION=${DURATION:-15}
RECORDS=${RECORDS:-100000}
BASE=${BASE_PORT:-7700}
DATA=$(mktemp -d)
LOG=$(mktemp)
OUT=$(mktemp -d)
. scripts/lib/loaded-cluster.sh
start_cluster
cleanup() { stop_cluster; rm -rf "$DATA" "$LOG" "$OUT"; }
trap cleanup EXIT
load_cluster
ticks() { local t=0; for p in $NODE_PIDS; do read -r u s < <(cut -d' ' -f14,15 "/proc/$p/stat"); t=$((t + u + s)); done; echo "$t"; }
HZ=$(getconf CLK_TCK)
before=$(ticks)
client_start=$(awk '{print $16 + $17}' /proc/$$/stat)
"${BENCH[@]}" --no-load --workload "$WORKLOAD" --duration "$DURATION" --json "$OUT/run.json" | tail -n 4
after=$(ticks)
# The load generator is a (reaped) child of this shell, so its CPU shows in the shell's children totals.
client_end=$(awk '{print $16 + $17}' /proc/$$/stat)
node -e '
const [file, nodeTicks, clientTicks, hz, duration] = process.argv.slice(1);
const run = JSON.parse(require("fs").readFileSync(file, "utf8"));
const ops = run.opsPerSec * Number(duration);
const us = (ticks) => ((Number(ticks) / Number(hz)) * 1e6 / ops).toFixed(0);
console.log(`CPU per operation: nodes ${us(nodeTicks)} µs (all three), load generator ${us(clientTicks)} µs`);
' "$OUT/run.json" "$((after - before))" "$((client_end - client_start))" "$HZ" "$DURATION"
if [ -n "${JSON_OUT:-}" ]; then cp "$OUT/run.json" "$JSON_OUT"; fi
