/**
 * How many partition-replicas each node should hold. The table has S = Q·min(N, #nodes) slots; a
 * node's quota is S·w/Σw, capped at Q because a node appears at most once per partition (the excess
 * of a capped node is shared among the others in proportion to their weights: water filling).
 * Integer targets are the quotas' floors plus one for the largest remainders (Hamilton's method);
 * equal remainders go first to the node that holds more slots now, so that the targets ask for as
 * few moves as possible, then to the smaller id. When there are at least as many slots as nodes,
 * every node gets at least one slot, so no member is invisible in the table.
 */
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import { compareNodeIds, type Weights } from './assignment.js';

export function weightOf(weights: Weights, node: NodeId): number {
  const w = weights.get(node);
  assert(w !== undefined && Number.isFinite(w) && w > 0, `node ${node} needs a finite capacity weight > 0, got ${w}`);
  return w;
}

/** Quotas (real numbers summing to `slots`), each at most `cap`. */
function cappedQuotas(nodes: readonly NodeId[], weights: Weights, slots: number, cap: number): Map<NodeId, number> {
  const capped = new Set<NodeId>();
  for (;;) {
    const free = nodes.filter((n) => !capped.has(n));
    const freeWeight = free.reduce((sum, n) => sum + weightOf(weights, n), 0);
    const freeSlots = slots - cap * capped.size;
    const over = free.filter((n) => (freeSlots * weightOf(weights, n)) / freeWeight > cap);
    if (over.length === 0) {
      const quotas = new Map<NodeId, number>();
      for (const n of nodes) quotas.set(n, capped.has(n) ? cap : (freeSlots * weightOf(weights, n)) / freeWeight);
      return quotas;
    }
    for (const n of over) capped.add(n);
    assert(capped.size < nodes.length, 'more nodes than replicas always leaves an uncapped node');
  }
}

/**
 * Integer targets summing to Q·min(N, #nodes), each in [floor(quota), ceil(quota)] (except the
 * at-least-one rule). `counts` (current slots per node) only breaks ties.
 */
export function replicaTargets(
  unsorted: readonly NodeId[],
  weights: Weights,
  counts: ReadonlyMap<NodeId, number>,
  partitions: number,
  replicas: number,
): Map<NodeId, number> {
  const nodes = [...unsorted].sort(compareNodeIds);
  assert(nodes.length > 0, 'targets need at least one node');
  const width = Math.min(replicas, nodes.length);
  const slots = partitions * width;
  const quotas = cappedQuotas(nodes, weights, slots, partitions);
  const targets = new Map<NodeId, number>();
  for (const n of nodes) targets.set(n, Math.floor(quotas.get(n)!));
  let left = slots - [...targets.values()].reduce((a, b) => a + b, 0);
  assert(left >= 0 && left <= nodes.length, `rounding left ${left} slots for ${nodes.length} nodes`);
  const byRemainder = [...nodes].sort((a, b) => {
    const fa = quotas.get(a)! - targets.get(a)!;
    const fb = quotas.get(b)! - targets.get(b)!;
    if (fa !== fb) return fb - fa;
    const ca = counts.get(a) ?? 0;
    const cb = counts.get(b) ?? 0;
    return ca !== cb ? cb - ca : compareNodeIds(a, b);
  });
  for (const n of byRemainder) {
    if (left === 0) break;
    if (targets.get(n)! >= partitions) continue;
    targets.set(n, targets.get(n)! + 1);
    left--;
  }
  assert(left === 0, 'every slot has a target');
  if (slots >= nodes.length) giveEveryNodeOne(nodes, quotas, targets);
  return targets;
}

/** Moves one slot at a time from the node furthest above its quota to each node targeted at zero. */
function giveEveryNodeOne(nodes: readonly NodeId[], quotas: Map<NodeId, number>, targets: Map<NodeId, number>): void {
  for (const empty of nodes) {
    if (targets.get(empty)! > 0) continue;
    let donor: NodeId | undefined;
    for (const n of nodes) {
      if (targets.get(n)! < 2) continue;
      if (donor === undefined || targets.get(n)! - quotas.get(n)! > targets.get(donor)! - quotas.get(donor)!) donor = n;
    }
    assert(donor !== undefined, 'with as many slots as nodes some node holds two');
    targets.set(donor, targets.get(donor)! - 1);
    targets.set(empty, 1);
  }
}
