/**
 * Settling: after a claim step has done its main work, some nodes may still sit above their target
 * and others below (rounding, a changed weight, a release whose under-target nodes already held the
 * partition). Each settling move takes one slot from the node furthest above its target and gives it
 * to the node furthest below, so every move shrinks the total deviation by two and settling ends with
 * every node exactly on target.
 *
 * A direct move needs a partition that holds the donor but not the receiver. If every partition of
 * the donor already holds the receiver, a three-way move always exists: pick a partition q without
 * the receiver and an owner y of q (not the donor) missing from one of the donor's partitions p;
 * y replaces the donor in p and the receiver replaces y in q. (If no such y existed, p would hold
 * the donor, the receiver and all of q's other owners: N + 1 distinct nodes in a list of N.)
 */
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import { compareNodeIds } from './assignment.js';
import { partitionOf, textHash } from './hash.js';
import type { WorkingTable } from './table.js';

const GOLDEN_RATIO_FRACTION = 0.6180339887498949;

/**
 * Where a node starts looking for its k-th slot: its own hashed point on the ring, advanced by k
 * golden-ratio strides, so successive picks land far apart instead of next to each other.
 */
export function spreadStart(node: NodeId, k: number, partitions: number): number {
  const offset = partitionOf(textHash(node), partitions);
  return (offset + Math.floor(k * partitions * GOLDEN_RATIO_FRACTION)) % partitions;
}

/** The node (interned index) with the largest score, ties to the smaller id; -1 when none. */
export function argmaxNode(table: WorkingTable, nodes: Iterable<number>, score: (n: number) => number): number {
  let best = -1;
  let bestScore = -Infinity;
  for (const n of nodes) {
    const s = score(n);
    if (s > bestScore || (s === bestScore && best >= 0 && compareNodeIds(table.idOf(n), table.idOf(best)) < 0)) {
      best = n;
      bestScore = s;
    }
  }
  return best;
}

/** Moves slots until every member holds exactly target[member]. */
export function settle(table: WorkingTable, members: readonly number[], target: Int32Array): void {
  const excess = (n: number): number => table.count(n) - target[n]!;
  const stepsMax = table.partitions * table.replicas;
  for (let step = 0; ; step++) {
    assert(step <= stepsMax, 'settling always ends: each move shrinks the deviation');
    const donor = argmaxNode(table, members, excess);
    if (donor < 0 || excess(donor) <= 0) return;
    const receiver = argmaxNode(table, members, (n) => -excess(n));
    assert(receiver >= 0 && excess(receiver) < 0, 'slots above target are matched by slots below');
    if (!moveDirect(table, donor, receiver)) moveThroughThird(table, donor, receiver);
  }
}

function moveDirect(table: WorkingTable, donor: number, receiver: number): boolean {
  const q = table.partitions;
  const start = spreadStart(table.idOf(receiver), table.count(receiver), q);
  for (let k = 0; k < q; k++) {
    const p = (start + k) % q;
    const i = table.position(p, donor);
    if (i >= 0 && !table.has(p, receiver)) {
      table.replace(p, i, receiver);
      return true;
    }
  }
  return false;
}

function moveThroughThird(table: WorkingTable, donor: number, receiver: number): void {
  const donorPartitions: number[] = [];
  for (let p = 0; p < table.partitions; p++) if (table.has(p, donor)) donorPartitions.push(p);
  for (let q = 0; q < table.partitions; q++) {
    if (table.has(q, receiver)) continue;
    for (let j = 0; j < table.length(q); j++) {
      const third = table.at(q, j);
      if (third === donor) continue;
      const p = donorPartitions.find((candidate) => !table.has(candidate, third));
      if (p === undefined) continue;
      table.replace(p, table.position(p, donor), third);
      table.replace(q, j, receiver);
      return;
    }
  }
  assert(false, `no three-way move from ${table.idOf(donor)} to ${table.idOf(receiver)}; the table breaks its invariants`);
}
