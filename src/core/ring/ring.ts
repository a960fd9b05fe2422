/**
 * The ring as the rest of the node sees it: one immutable replica table plus the questions asked of
 * it on every request (which partition holds a key, who its replicas are, what a node holds). The
 * answers are computed on first use and kept, because the table never changes; a new table makes a
 * new Ring.
 */
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import { assignmentProblems, countsOf, nodesOf, type Assignment } from './assignment.js';
import { keyHash, partitionOf } from './hash.js';
import { preferenceList } from './preference.js';

export class Ring {
  readonly assignment: Assignment;
  private readonly preferenceLists: (readonly NodeId[] | undefined)[];
  private partitionsByNode: Map<NodeId, number[]> | undefined;
  private sortedNodes: readonly NodeId[] | undefined;

  constructor(assignment: Assignment) {
    const problems = assignmentProblems(assignment);
    assert(problems.length === 0, `malformed replica table: ${problems.slice(0, 3).join('; ')}`);
    this.assignment = assignment;
    this.preferenceLists = new Array<readonly NodeId[] | undefined>(assignment.partitions);
  }

  get partitions(): number {
    return this.assignment.partitions;
  }

  get replicas(): number {
    return this.assignment.replicas;
  }

  partitionOfKey(bucket: string, key: string): number {
    return partitionOf(keyHash(bucket, key), this.assignment.partitions);
  }

  /** All nodes: the partition's owners first, then fallbacks clockwise. Do not mutate. */
  preferenceList(partition: number): readonly NodeId[] {
    const cached = this.preferenceLists[partition];
    if (cached) return cached;
    const list = Object.freeze(preferenceList(this.assignment, partition).slice());
    this.preferenceLists[partition] = list;
    return list;
  }

  owners(partition: number): readonly NodeId[] {
    assert(Number.isInteger(partition) && partition >= 0 && partition < this.partitions, `partition ${partition} out of range`);
    return this.assignment.owners[partition]!;
  }

  /** Partitions whose owner list includes `node`, ascending (a fresh array). */
  partitionsOf(node: NodeId): number[] {
    return [...(this.index().get(node) ?? [])];
  }

  replicaCount(node: NodeId): number {
    return countsOf(this.assignment).get(node) ?? 0;
  }

  nodes(): readonly NodeId[] {
    this.sortedNodes ??= Object.freeze(nodesOf(this.assignment));
    return this.sortedNodes;
  }

  private index(): Map<NodeId, number[]> {
    if (this.partitionsByNode) return this.partitionsByNode;
    const index = new Map<NodeId, number[]>();
    this.assignment.owners.forEach((row, p) => {
      for (const node of row) {
        const list = index.get(node);
        if (list) list.push(p);
        else index.set(node, [p]);
      }
    });
    this.partitionsByNode = index;
    return index;
  }
}
