#!/usr/bin/env bash
# npm run bench:compare — the 3-node dev-cluster (disk, N=3 R=2 W=2) under `dynamo bench`, then a
# single redis-server (persistence off, 127.0.0.1) under redis-benchmark with the same client count
# and value size, in one run; prints both and their ratio. Stops everything it started by PID.
#
# Environment: BENCH_DURATION (s, default 20), BENCH_RECORDS (100000), BENCH_CLIENTS (50),
# BENCH_VALUE_SIZE (100), BENCH_BASE_PORT (27700; nodes use BASE+1.., BASE+101.., BASE+201..),
# REDIS_PORT (27379), BENCH_OUT (directory for the JSON and SVG; default a new temporary one).
# RESP section: redis-benchmark with the same flags (-c, -d, -r; without and with -P 16) against
# the cluster's RESP port (BASE+301) and against the redis-server, ratios per command.
# BENCH_RESP_TESTS (ping,set,get,incr,sadd,mset: INCR on the <bucket>-counters bucket, SADD on <bucket>-sets),
# BENCH_RESP_REQUESTS (per command and run; default DURATION x 20000).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-20}
RECORDS=${BENCH_RECORDS:-100000}
CLIENTS=${BENCH_CLIENTS:-50}
VALUE=${BENCH_VALUE_SIZE:-100}
BASE=${BENCH_BASE_PORT:-27700}
REDIS_PORT=${REDIS_PORT:-27379}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/dynamo-compare-XXXX)}
DATA=$(mktemp -d /tmp/dynamo-compare-data-XXXX)
mkdir -p "$OUT"

CLUSTER_PID=""
REDIS_PID=""
cleanup() {
  if [ -n "$CLUSTER_PID" ] && kill -0 "$CLUSTER_PID" 2>/dev/null; then
    kill -TERM "$CLUSTER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$CLUSTER_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  if [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; then kill -TERM "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

[ -f dist/cli/main.js ] || npm run build

echo "== dynamo: 3-node dev-cluster, disk (the log engine), N=3 R=2 W=2"
node bin/dynamo.js dev-cluster --nodes 3 --base-port "$BASE" --data "$DATA" --storage disk > "$OUT/dev-cluster.log" 2>&1 &
CLUSTER_PID=$!
for _ in $(seq 1 120); do grep -q 'nodes ready' "$OUT/dev-cluster.log" && break; kill -0 "$CLUSTER_PID" 2>/dev/null || { cat "$OUT/dev-cluster.log"; exit 1; }; sleep 0.5; done
grep -q 'nodes ready' "$OUT/dev-cluster.log" || { echo "the cluster did not start"; cat "$OUT/dev-cluster.log"; exit 1; }
NODES="http://127.0.0.1:$((BASE + 101)),http://127.0.0.1:$((BASE + 102)),http://127.0.0.1:$((BASE + 103))"
DURABILITY="log engine, one checksummed batch written per event-loop turn before acknowledging, fsync every 100 ms (--fsync interval, the default)"
echo "durability: $DURABILITY"

bench() { # workload bucket json
  node bin/dynamo.js bench --node "$NODES" --protocol native --workload "$1" --records "$RECORDS" --duration "$DURATION" \
    --concurrency "$CLIENTS" --value-size "$VALUE" --bucket "$2" --json "$OUT/$3.json" --plot "$OUT/$3.svg"
}
bench write cmp-write write
bench read cmp-read read
bench a cmp-a a

RESP_TESTS=${BENCH_RESP_TESTS:-ping,set,get,incr,sadd,mset}
RESP_REQUESTS=${BENCH_RESP_REQUESTS:-$((DURATION * 20000))}
resp_bench() { # port pipeline csv
  redis-benchmark -h 127.0.0.1 -p "$1" -c "$CLIENTS" -d "$VALUE" -r "$RECORDS" -n "$RESP_REQUESTS" -P "$2" -t "$RESP_TESTS" --csv > "$OUT/$3.csv" \
    || { echo "redis-benchmark against port $1 (-P $2) failed (an error reply stops it):"; cat "$OUT/$3.csv"; exit 1; }
}
if command -v redis-benchmark > /dev/null; then
  echo; echo "== dynamo over RESP: redis-benchmark against node1's Redis port $((BASE + 301))"
  resp_bench $((BASE + 301)) 1 resp-dynamo-p1
  resp_bench $((BASE + 301)) 16 resp-dynamo-p16
fi
kill -TERM "$CLUSTER_PID"; wait "$CLUSTER_PID" 2>/dev/null || true; CLUSTER_PID=""

echo
echo "== redis: one redis-server, no persistence, 127.0.0.1:$REDIS_PORT"
if ! command -v redis-server > /dev/null || ! command -v redis-benchmark > /dev/null; then
  BEFORE=$(pgrep -x redis-server || true)
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server redis-tools > /dev/null
  # Debian may start its own service on install; that one was started by us too: stop it by PID.
  for pid in $(pgrep -x redis-server || true); do echo " $BEFORE " | grep -q " $pid " || kill -TERM "$pid" 2>/dev/null || true; done
fi
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile "$OUT/redis.log" &
REDIS_PID=$!
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.1; done
REQUESTS=$((DURATION * 80000 / 2))
redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c "$CLIENTS" -d "$VALUE" -r "$RECORDS" -n "$REQUESTS" -t set,get --csv > "$OUT/redis.csv"
kill -TERM "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=""
echo "redis-benchmark (CSV):"; cat "$OUT/redis.csv"
if [ ! -f "$OUT/resp-dynamo-p1.csv" ]; then
  # redis-benchmark was installed only now: the cluster's RESP port is measured in the next run.
  echo "(no RESP figures for dynamo: redis-benchmark was missing while the cluster ran)"
else
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile "$OUT/redis-resp.log" &
  REDIS_PID=$!
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.1; done
  resp_bench "$REDIS_PORT" 1 resp-redis-p1
  resp_bench "$REDIS_PORT" 16 resp-redis-p16
  kill -TERM "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=""
fi

node - "$OUT" "$DURABILITY" "$CLIENTS" "$VALUE" <<'JS'
const { readFileSync } = require('node:fs');
const [out, durability, clients, value] = process.argv.slice(2);
const dyn = (w) => JSON.parse(readFileSync(`${out}/${w}.json`, 'utf8'));
const redis = {};
for (const line of readFileSync(`${out}/redis.csv`, 'utf8').trim().split('\n').slice(1)) {
  const cells = line.split(',').map((c) => c.replace(/"/g, ''));
  redis[cells[0]] = { rps: Number(cells[1]), p50: Number(cells[4] ?? NaN), p99: Number(cells[6] ?? NaN) };
}
const rows = [
  ['pure write (update) vs SET', dyn('write'), redis.SET?.rps],
  ['pure read vs GET', dyn('read'), redis.GET?.rps],
  ['YCSB A (50/50) vs mean of SET and GET', dyn('a'), (redis.SET?.rps + redis.GET?.rps) / 2],
];
console.log(`\n== comparison (${clients} clients, ${value} B values; dynamo durability: ${durability})`);
console.log('workload'.padEnd(40) + 'dynamo ops/s'.padStart(14) + 'p99 ms'.padStart(9) + 'redis ops/s'.padStart(14) + 'p99 ms'.padStart(9) + 'ratio'.padStart(8));
const redisP99 = [redis.SET?.p99, redis.GET?.p99, Math.max(redis.SET?.p99, redis.GET?.p99)];
rows.forEach(([name, d, r], i) => {
  console.log(name.padEnd(40) + d.opsPerSec.toFixed(0).padStart(14) + d.run.all.latencyMs.p99.toFixed(2).padStart(9) + r.toFixed(0).padStart(14) + redisP99[i].toFixed(2).padStart(9) + (d.opsPerSec / r).toFixed(2).padStart(8));
});
console.log(`\nJSON, SVG plots and logs in ${out}`);
JS

if [ -f "$OUT/resp-redis-p1.csv" ]; then node - "$OUT" "$CLIENTS" "$VALUE" "$RECORDS" <<'JS'
const { readFileSync } = require('node:fs');
const [out, clients, value, records] = process.argv.slice(2);
const csv = (name) => {
  const rows = {};
  for (const line of readFileSync(`${out}/${name}.csv`, 'utf8').trim().split('\n').slice(1)) {
    const cells = line.split(',').map((c) => c.replace(/"/g, ''));
    rows[cells[0]] = { rps: Number(cells[1]), p99: Number(cells[6]) };
  }
  return rows;
};
console.log(`\n== RESP: redis-benchmark -c ${clients} -d ${value} -r ${records}, dynamo's 3-node cluster vs one redis-server`);
console.log('command'.padEnd(22) + 'pipeline'.padStart(9) + 'dynamo rps'.padStart(12) + 'p99 ms'.padStart(9) + 'redis rps'.padStart(12) + 'p99 ms'.padStart(9) + 'ratio'.padStart(8));
for (const p of [1, 16]) {
  const dyn = csv(`resp-dynamo-p${p}`);
  const red = csv(`resp-redis-p${p}`);
  for (const [command, d] of Object.entries(dyn)) {
    const r = red[command];
    if (r === undefined) continue;
    console.log(command.padEnd(22) + String(p).padStart(9) + d.rps.toFixed(0).padStart(12) + d.p99.toFixed(2).padStart(9) + r.rps.toFixed(0).padStart(12) + r.p99.toFixed(2).padStart(9) + (d.rps / r.rps).toFixed(2).padStart(8));
  }
}
JS
fi
