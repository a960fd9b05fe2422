# Sourced by scripts/bench-cpu.sh and scripts/profile.sh: a fresh 3-node dev-cluster with RECORDS
# records loaded, as both measure it. The caller sets BASE, STORAGE, PROTOCOL, RECORDS, DATA and
# LOG (and CLUSTER_NODE_OPTIONS, Node's own options for the nodes alone), calls start_cluster, traps
# its cleanup (which calls stop_cluster), then calls load_cluster. NODE_ARGS, when set, are `dynamo start` options for
# every node (word-split: NODE_ARGS="--anti-entropy-interval-ms 3600000").

# Starts the nodes in a process group of their own; sets GROUP, to stop them by PID.
start_cluster() {
  # shellcheck disable=SC2086 # NODE_ARGS is a list of options
  NODE_OPTIONS="${CLUSTER_NODE_OPTIONS:-}" setsid node bin/dynamo.js dev-cluster --nodes 3 --base-port "$BASE" --data "$DATA" --storage "$STORAGE" -- ${NODE_ARGS:-} >"$LOG" 2>&1 &
  GROUP=$!
}

# Waits for the cluster, loads the records; sets NODES (HTTP URLs), BENCH (the bench command with
# the shared settings) and NODE_PIDS (one per node, space-separated).
load_cluster() {
  for _ in $(seq 1 120); do grep -q ready "$LOG" && break; sleep 0.5; done
  grep -q ready "$LOG" || { echo "the dev-cluster did not start:"; cat "$LOG"; exit 1; }
  NODES="http://127.0.0.1:$((BASE + 101)),http://127.0.0.1:$((BASE + 102)),http://127.0.0.1:$((BASE + 103))"
  BENCH=(node bin/dynamo.js bench --node "$NODES" --protocol "$PROTOCOL" --records "$RECORDS" --concurrency 50 --value-size 100)
  "${BENCH[@]}" --workload write --ops "$RECORDS" >/dev/null
  NODE_PIDS=$(for i in 1 2 3; do ss -ltnpH "sport = :$((BASE + 100 + i))" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; done | tr '\n' ' ')
}

# Stops the nodes by their process group: SIGTERM, then SIGKILL for any still there a second later.
stop_cluster() {
  kill -TERM -- "-$GROUP" 2>/dev/null || true; sleep 1; kill -KILL -- "-$GROUP" 2>/dev/null || true
}

# The run-phase throughput (opsPerSec) a `dynamo bench --json FILE` wrote, times FACTOR (default 1), rounded.
ops_per_sec() {
  node -e 'console.log(Math.round(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).opsPerSec * Number(process.argv[2])))' "$1" "${2:-1}"
}
