#!/usr/bin/env bash
# Workload A with TLS and authentication against plain, alternating on fresh 3-node dev-clusters
# (disk engine, N=3 R=2 W=2), the same dynamo bench flags as bench:compare; then the cost of a
# handshake on connect (scripts/tls-handshake.mjs). Prints ops/s and p99 per run and the ratio of
# the means. ROUNDS (default 2) pairs; BENCH_DURATION (20), BENCH_BASE_PORT (29700). Stops what it
# started by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
DURATION=${BENCH_DURATION:-20}
BASE=${BENCH_BASE_PORT:-29700}
[ -f dist/cli/main.js ] || npm run build
CLUSTER_PID=""
stop_cluster() {
  if [ -n "$CLUSTER_PID" ] && kill -0 "$CLUSTER_PID" 2>/dev/null; then
    kill -TERM "$CLUSTER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$CLUSTER_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  CLUSTER_PID=""
}
trap stop_cluster EXIT INT TERM

run() { # plain|secure -> "ops p99"
  local data log scheme extra=()
  data=$(mktemp -d /tmp/dynamo-tls-XXXX); log="$data.log"
  if [ "$1" = secure ]; then
    node bin/dynamo.js dev-cluster --nodes 3 --base-port "$BASE" --data "$data" --storage disk --secure >"$log" 2>&1 &
    scheme=https; extra=(--ca-cert "$data/certs/ca/ca.crt" --user root --password-file "$data/root-password")
  else
    node bin/dynamo.js dev-cluster --nodes 3 --base-port "$BASE" --data "$data" --storage disk >"$log" 2>&1 &
    scheme=http
  fi
  CLUSTER_PID=$!
  for _ in $(seq 1 240); do grep -q 'nodes ready' "$log" && break; sleep 0.5; done
  grep -q 'nodes ready' "$log" || { cat "$log" >&2; exit 1; }
  local nodes="$scheme://127.0.0.1:$((BASE + 101)),$scheme://127.0.0.1:$((BASE + 102)),$scheme://127.0.0.1:$((BASE + 103))"
  if [ "$1" = secure ]; then node scripts/tls-handshake.mjs "$data/certs/ca/ca.crt" $((BASE + 201)) >&2; fi
  node bin/dynamo.js "${extra[@]}" bench --node "$nodes" --protocol native --workload a --records 100000 --duration "$DURATION" \
    --concurrency 50 --value-size 100 --json "$data/bench.json" >/dev/null
  node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).run.all;console.log(Math.round(j.ratePerSec)+" "+j.latencyMs.p99)' "$data/bench.json"
  stop_cluster
  rm -rf "$data" "$log"
}

plain=() secure=()
for r in $(seq 1 "$ROUNDS"); do
  read -r ops p99 <<<"$(run plain)"; plain+=("$ops"); echo "round $r plain:  $ops ops/s  p99 $p99 ms"
  read -r ops p99 <<<"$(run secure)"; secure+=("$ops"); echo "round $r secure: $ops ops/s  p99 $p99 ms"
done
node -e 'const [p,s]=process.argv.slice(1).map(x=>x.split(",").map(Number));const m=a=>a.reduce((x,y)=>x+y,0)/a.length;console.log(`mean plain ${Math.round(m(p))}, mean TLS+auth ${Math.round(m(s))}: ratio ${(m(s)/m(p)).toFixed(2)}`)' "$(IFS=,; echo "${plain[*]}")" "$(IFS=,; echo "${secure[*]}")"
