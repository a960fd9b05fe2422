/**
 * Version vectors: one counter per server node, sorted by node id, counters above zero (a missing
 * node means zero). A vector is a causal history: all the events 1..counter of every node in it.
 * Comparison and merge walk two sorted lists once, so both are linear and allocate at most the
 * result.
 */
import type { NodeId } from '../ids.js';

export type VersionVector = ReadonlyArray<readonly [NodeId, number]>;
export type Order = 'before' | 'after' | 'equal' | 'concurrent';

/**
 * Compares two sorted (node, counter) lists seen through accessors, so that vectors and the
 * entries of a sibling set share one walk.
 */
export function compareHistories<T>(a: readonly T[], b: readonly T[], node: (x: T) => NodeId, counter: (x: T) => number): Order {
  let aAhead = false;
  let bAhead = false;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const na = node(a[i]!);
    const nb = node(b[j]!);
    if (na === nb) {
      const ca = counter(a[i++]!);
      const cb = counter(b[j++]!);
      if (ca > cb) aAhead = true;
      else if (cb > ca) bAhead = true;
    } else if (na < nb) {
      aAhead = true;
      i++;
    } else {
      bAhead = true;
      j++;
    }
    if (aAhead && bAhead) return 'concurrent';
  }
  if (i < a.length) aAhead = true;
  if (j < b.length) bAhead = true;
  return orderOf(aAhead, bAhead);
}

function orderOf(aAhead: boolean, bAhead: boolean): Order {
  if (aAhead) return bAhead ? 'concurrent' : 'after';
  return bAhead ? 'before' : 'equal';
}

const pairNode = (p: readonly [NodeId, number]): NodeId => p[0];
const pairCounter = (p: readonly [NodeId, number]): number => p[1];

/** 'before' means every event `a` has seen, `b` has seen too, and `b` has seen more. */
export function compareVectors(a: VersionVector, b: VersionVector): Order {
  return compareHistories(a, b, pairNode, pairCounter);
}

/** The least vector that covers both: the pointwise maximum. */
export function mergeVectors(a: VersionVector, b: VersionVector): VersionVector {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: Array<readonly [NodeId, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const pa = a[i]!;
    const pb = b[j]!;
    if (pa[0] === pb[0]) {
      out.push(pa[1] >= pb[1] ? pa : pb);
      i++;
      j++;
    } else if (pa[0] < pb[0]) {
      out.push(pa);
      i++;
    } else {
      out.push(pb);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** The counter of `node` in the vector, 0 when absent. */
export function counterOf(vv: VersionVector, node: NodeId): number {
  for (const [n, c] of vv) {
    if (n === node) return c;
    if (n > node) return 0;
  }
  return 0;
}

/** Whether the list is a well-formed vector: nodes strictly ascending, counters positive integers. */
export function isVersionVector(vv: VersionVector): boolean {
  for (let i = 0; i < vv.length; i++) {
    const [node, c] = vv[i]!;
    if (!Number.isSafeInteger(c) || c <= 0) return false;
    if (i > 0 && !(vv[i - 1]![0] < node)) return false;
  }
  return true;
}
