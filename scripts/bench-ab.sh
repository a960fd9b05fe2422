#!/usr/bin/env bash
# An A/B comparison of two revisions on this machine, which is too noisy for one run of each: builds
# both in temporary worktrees, then alternates scripts/bench-cpu.sh runs of A and B, PAIRS times,
# and prints every run and the means (ops/s, and CPU per operation of the nodes and load generator).
#
#   scripts/bench-ab.sh REV_A REV_B [PAIRS=3] [WORKLOAD=a]     PROTOCOL, STORAGE, DURATION, NODE_ARGS pass through
#
# Each revision runs its own nodes and its own load generator. Removes its worktrees when done.
set -euo pipefail
cd "$(dirname "$0")/.."
A=${1:?usage: scripts/bench-ab.sh REV_A REV_B [PAIRS] [WORKLOAD]}
B=${2:?usage: scripts/bench-ab.sh REV_A REV_B [PAIRS] [WORKLOAD]}
PAIRS=${3:-3}
WORKLOAD=${4:-a}
ROOT=$(pwd)
WORK=$(mktemp -d)
cleanup() { git -C "$ROOT" worktree remove --force "$WORK/a" 2>/dev/null || true; git -C "$ROOT" worktree remove --force "$WORK/b" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for side in a b; do
  rev=$([ "$side" = a ] && echo "$A" || echo "$B")
  git worktree add --detach "$WORK/$side" "$rev" >/dev/null 2>&1
  (cd "$WORK/$side" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { echo "npm ci failed for $rev"; exit 1; }
  echo "built $side = $rev ($(git rev-parse --short "$rev"))"
done
OUT="$WORK/runs"
for _ in $(seq 1 "$PAIRS"); do
  for side in a b; do
    result=$(cd "$WORK/$side" && scripts/bench-cpu.sh "$WORKLOAD" 2>&1)
    ops=$(echo "$result" | sed -n 's/^overall: \([0-9]*\) ops\/s.*/\1/p')
    cpu=$(echo "$result" | sed -n 's/^CPU per operation: nodes \([0-9]*\) µs (all three), load generator \([0-9]*\) µs/\1 \2/p')
    echo "$side $ops $cpu" | tee -a "$OUT"
  done
done
awk '{n[$1]++; o[$1]+=$2; c[$1]+=$3; k[$1]+=$4} END {for (x in n) printf "%s mean: %d ops/s, nodes %.1f µs/op, load generator %.1f µs/op (%d runs)\n", x, o[x]/n[x], c[x]/n[x], k[x]/n[x], n[x]}' "$OUT" | sort
