#!/usr/bin/env bash
# Syscalls and context switches per operation under load, by role (the three nodes together, the
# load generator): how well frames and commits are batched. A fresh 3-node dev-cluster with
# RECORDS records loaded, then `perf stat` on each process for SAMPLE seconds of the run phase.
#
#   scripts/syscalls.sh [WORKLOAD]       WORKLOAD: a (default), b, c, write, read
#   PROTOCOL=native|http STORAGE=disk|lmdb|memory DURATION=14 SAMPLE=6 RECORDS=100000 BASE_PORT=7700
#   NODE_ARGS="--fsync always" passes `dynamo start` options to every node
#
# Installs Debian's linux-perf when perf is missing. Stops everything it started by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKLOAD=${1:-a}
PROTOCOL=${PROTOCOL:-native}
STORAGE=${STORAGE:-disk}
DURATION=${DURATION:-14}
SAMPLE=${SAMPLE:-6}
RECORDS=${RECORDS:-100000}
BASE=${BASE_PORT:-7700}
[ "$SAMPLE" -le $((DURATION - 6)) ] || { echo "SAMPLE must leave 6 s of the run around it (DURATION=$DURATION)"; exit 2; }
. scripts/lib/ensure-perf.sh
ensure_perf
[ -f dist/cli/main.js ] || npm run build

DATA=$(mktemp -d)
LOG=$(mktemp)
OUT=$(mktemp -d)
. scripts/lib/loaded-cluster.sh
start_cluster
BENCH_PID=""
cleanup() {
  [ -n "$BENCH_PID" ] && kill -TERM "$BENCH_PID" 2>/dev/null || true
  stop_cluster
  rm -rf "$DATA" "$LOG" "$OUT"
}
trap cleanup EXIT
load_cluster
"${BENCH[@]}" --no-load --workload "$WORKLOAD" --duration "$DURATION" --json "$OUT/run.json" > "$OUT/bench.txt" &
BENCH_PID=$!
LOAD_GENERATOR=$BENCH_PID
sleep 3
EVENTS=context-switches
for call in write writev read pread64 pwrite64 fdatasync epoll_wait epoll_pwait futex; do EVENTS="$EVENTS,syscalls:sys_enter_$call"; done
STATS=()
for pid in $NODE_PIDS $BENCH_PID; do
  perf stat -x, -e "$EVENTS" -p "$pid" -o "$OUT/stat-$pid.csv" -- sleep "$SAMPLE" &
  STATS+=($!)
done
wait "${STATS[@]}"
wait "$BENCH_PID"
BENCH_PID=""
tail -n 1 "$OUT/bench.txt"
# The run's average rate stands for the sampled seconds' (they are inside the run, away from its ends).
OPS=$(ops_per_sec "$OUT/run.json" "$SAMPLE")
NODE_STATS=$(for pid in $NODE_PIDS; do printf '%s,' "$OUT/stat-$pid.csv"; done)
node scripts/syscalls-report.mjs --ops "$OPS" --seconds "$SAMPLE" --nodes "${NODE_STATS%,}" --bench "$OUT/stat-$LOAD_GENERATOR.csv"
