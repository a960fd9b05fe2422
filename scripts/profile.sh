#!/usr/bin/env bash
# Where the CPU goes under load: a fresh 3-node dev-cluster and its load generator, profiled by
# perf over both cores (kernel and JIT-compiled JavaScript alike), then summed up by process role
# (scripts/perf-report.mjs): idle, nodes, load generator; the top symbols; the nodes' JavaScript
# functions by inclusive share. The tables in docs/benchmarks.md ("Where the time goes") come from it.
#
#   scripts/profile.sh [WORKLOAD]        WORKLOAD: a (default), b, c, write, read
#   PROTOCOL=native|http STORAGE=disk|lmdb|memory DURATION=16 (the run) SAMPLE=10 (seconds profiled,
#   from 3 s into the run) RECORDS=100000 BASE_PORT=7700 OUT=dir (keeps perf.data and the report)
#   NODE_ARGS="--fsync always" passes `dynamo start` options to every node
#
# Installs Debian's linux-perf when perf is missing. Stops everything it started by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKLOAD=${1:-a}
PROTOCOL=${PROTOCOL:-native}
STORAGE=${STORAGE:-disk}
DURATION=${DURATION:-16}
SAMPLE=${SAMPLE:-10}
RECORDS=${RECORDS:-100000}
BASE=${BASE_PORT:-7700}
OUT=${OUT:-$(mktemp -d /tmp/dynamo-profile-XXXX)}
mkdir -p "$OUT"
[ "$SAMPLE" -le $((DURATION - 4)) ] || { echo "SAMPLE must leave 4 s of the run around it (DURATION=$DURATION)"; exit 2; }
. scripts/lib/ensure-perf.sh
ensure_perf
[ -f dist/cli/main.js ] || npm run build

DATA=$(mktemp -d)
LOG="$OUT/dev-cluster.log"
. scripts/lib/loaded-cluster.sh
# Node writes /tmp/perf-<pid>.map for its JIT code with this flag; perf reads them to name JavaScript frames.
CLUSTER_NODE_OPTIONS=--perf-basic-prof-only-functions
start_cluster
BENCH_PID=""
cleanup() {
  [ -n "$BENCH_PID" ] && kill -TERM "$BENCH_PID" 2>/dev/null || true
  stop_cluster
  rm -rf "$DATA"
}
trap cleanup EXIT
load_cluster
node --perf-basic-prof-only-functions "${BENCH[@]:1}" --no-load --workload "$WORKLOAD" --duration "$DURATION" --json "$OUT/run.json" > "$OUT/bench.txt" &
BENCH_PID=$!
LOAD_GENERATOR=$BENCH_PID
sleep 3
perf record -o "$OUT/perf.data" -e cpu-clock -F 999 -a -g -- sleep "$SAMPLE" > /dev/null 2>&1
wait "$BENCH_PID"
BENCH_PID=""
perf script -i "$OUT/perf.data" -F comm,pid,tid,ip,sym,dso 2> /dev/null | node scripts/perf-report.mjs --nodes "$(echo $NODE_PIDS | tr ' ' ',')" --bench "$LOAD_GENERATOR" --title "workload $WORKLOAD, $PROTOCOL, $STORAGE" \
  --ops "$(ops_per_sec "$OUT/run.json")" | tee "$OUT/report.txt"
echo "perf.data, the bench's output and this report are in $OUT"
