/**
 * Comparing two replicas' trees of one partition, from the root down (Dynamo §4.7): only children
 * whose hashes differ are descended into, so the work grows with the number of differing leaves
 * times fanout × depth, not with the size of the tree. `diff` does the whole walk when both trees
 * are at hand (tests, a node comparing its own snapshots); `differingChildren` is one step of the
 * same walk across the network, where each round trip carries the child hashes of the nodes that
 * still differ and the answer names the children to descend into next.
 */
import { assert } from '../assert.js';
import { ITEM_HASH_BYTES } from './item.js';
import { sameShape } from './shape.js';
import type { MerkleTree } from './tree.js';

const H = ITEM_HASH_BYTES;

export interface MerkleDiff {
  /** Leaves whose hashes differ, ascending. */
  readonly leaves: number[];
  /** How many pairs of hashes were compared (the root pair included): the cost of the walk. */
  readonly hashesCompared: number;
}

export function diff(a: MerkleTree, b: MerkleTree): MerkleDiff {
  assert(sameShape(a.shape, b.shape), 'only trees of the same shape can be compared');
  const leaves: number[] = [];
  const counter = { compared: 1 }; // the roots
  if (Buffer.compare(a.root(), b.root()) !== 0) descend(a, b, 0, 0, leaves, counter);
  return { leaves, hashesCompared: counter.compared };
}

/** Visits the children of a node known to differ, in order, so `leaves` comes out sorted. */
function descend(a: MerkleTree, b: MerkleTree, level: number, index: number, leaves: number[], counter: { compared: number }): void {
  const { fanout, depth } = a.shape;
  const childrenA = a.childHashView(level, index);
  const childrenB = b.childHashView(level, index);
  const differing: number[] = [];
  for (let c = 0; c < fanout; c++) {
    counter.compared++;
    if (!equalAt(childrenA, childrenB, c * H)) differing.push(index * fanout + c);
  }
  // Collect before recursing: descending cleans grandchildren but never moves these views.
  for (const child of differing) {
    if (level + 1 === depth) leaves.push(child);
    else descend(a, b, level + 1, child, leaves, counter);
  }
}

/** Indexes (at level + 1) of the children of node `index` at `level` whose hashes differ from the remote ones. */
export function differingChildren(local: MerkleTree, level: number, index: number, remoteChildren: readonly Uint8Array[]): number[] {
  const { fanout } = local.shape;
  assert(remoteChildren.length === fanout, `expected ${fanout} remote child hashes, got ${remoteChildren.length}`);
  const mine = local.childHashView(level, index);
  const out: number[] = [];
  for (let c = 0; c < fanout; c++) {
    const theirs = remoteChildren[c]!;
    assert(theirs.length === H, `remote child hash must be ${H} bytes, got ${theirs.length}`);
    if (Buffer.compare(mine.subarray(c * H, c * H + H), theirs) !== 0) out.push(index * fanout + c);
  }
  return out;
}

function equalAt(x: Uint8Array, y: Uint8Array, at: number): boolean {
  for (let i = at; i < at + H; i++) if (x[i] !== y[i]) return false;
  return true;
}
