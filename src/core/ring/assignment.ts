/**
 * The replica table: for each of the Q partitions, the ordered list of distinct physical nodes that
 * hold it (owners[p][0] first). It is a plain immutable value; claim.ts derives new tables from old
 * ones. Per-node slot counts are derived on demand and cached per table object, because claim and
 * the ring ask for them on every step and recounting a 1,000-node table would dominate the cost.
 */
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import { assertPartitionCount, isValidPartitionCount } from './hash.js';
import type { Assignment } from './assignment-shape.js';
import { packedCounts } from './table.js';

export type { Assignment, Weights } from './assignment-shape.js';

/** Code-unit order: the same on every machine (unlike localeCompare). */
export function compareNodeIds(a: NodeId, b: NodeId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const NO_OWNERS: readonly NodeId[] = Object.freeze([]);

export function emptyAssignment(partitions: number, replicas: number): Assignment {
  assertPartitionCount(partitions);
  assert(Number.isInteger(replicas) && replicas >= 1, `replicas must be a positive integer, got ${replicas}`);
  return { partitions, replicas, owners: new Array<readonly NodeId[]>(partitions).fill(NO_OWNERS) };
}

const countCache = new WeakMap<Assignment, { counts: ReadonlyMap<NodeId, number>; firsts: ReadonlyMap<NodeId, number> }>();

function tallies(a: Assignment): { counts: ReadonlyMap<NodeId, number>; firsts: ReadonlyMap<NodeId, number> } {
  let cached = countCache.get(a);
  if (!cached) {
    cached = packedCounts(a);
    countCache.set(a, cached);
  }
  return cached;
}

/** Partition-replicas per node, cached per table (internal; callers get a copy via replicaCounts). */
export function countsOf(a: Assignment): ReadonlyMap<NodeId, number> {
  return tallies(a).counts;
}

/** Partitions whose list starts with each node: its share of default coordination. */
export function firstCounts(a: Assignment): Map<NodeId, number> {
  return new Map(tallies(a).firsts);
}

export function replicaCounts(a: Assignment): Map<NodeId, number> {
  return new Map(countsOf(a));
}

/** Every node holding at least one partition-replica, sorted. */
export function nodesOf(a: Assignment): NodeId[] {
  return [...countsOf(a).keys()].sort(compareNodeIds);
}

/**
 * Partition-replicas that `to` places on a node which did not hold that partition in `from`: the
 * data a change of table has to move. Reordering within a list moves nothing.
 */
export function movedReplicas(from: Assignment, to: Assignment): number {
  assert(from.partitions === to.partitions, 'tables compared must have the same partition count');
  let moved = 0;
  for (let p = 0; p < to.partitions; p++) {
    const before = from.owners[p]!;
    for (const node of to.owners[p]!) if (!before.includes(node)) moved++;
  }
  return moved;
}

/** What is wrong with a table (empty when it is well formed): for decoding at a boundary, and tests. */
export function assignmentProblems(a: Assignment): string[] {
  const problems: string[] = [];
  if (!isValidPartitionCount(a.partitions)) problems.push(`partitions ${a.partitions} is not a power of two in range`);
  if (!Number.isInteger(a.replicas) || a.replicas < 1) problems.push(`replicas ${a.replicas} is not a positive integer`);
  if (a.owners.length !== a.partitions) problems.push(`owners has ${a.owners.length} lists for ${a.partitions} partitions`);
  const width = Math.min(a.replicas, countsOf(a).size);
  a.owners.forEach((row, p) => {
    if (row.length !== width) problems.push(`partition ${p} has ${row.length} owners, expected ${width}`);
    if (new Set(row).size !== row.length) problems.push(`partition ${p} lists a node twice: ${row.join(',')}`);
  });
  return problems;
}
