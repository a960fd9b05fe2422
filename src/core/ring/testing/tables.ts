/**
 * Test support for replica tables: build tables by joins, check their invariants, and a deliberately
 * simple reference for each node's fair share (water filling), independent of targets.ts.
 */
import assert from 'node:assert/strict';
import type { NodeId } from '../../ids.js';
import { assignmentProblems, nodesOf, replicaCounts, type Assignment, type Weights } from '../assignment.js';
import { claimNode } from '../claim.js';
import { emptyAssignment } from '../assignment.js';
import { preferenceList } from '../preference.js';

export function nodeName(i: number): NodeId {
  return `node-${String(i).padStart(4, '0')}`;
}

export function buildByJoins(partitions: number, replicas: number, count: number, weightOf: (i: number) => number = () => 1): { table: Assignment; weights: Map<NodeId, number> } {
  const weights = new Map<NodeId, number>();
  let table = emptyAssignment(partitions, replicas);
  for (let i = 0; i < count; i++) {
    weights.set(nodeName(i), weightOf(i));
    table = claimNode(table, nodeName(i), weights);
  }
  return { table, weights };
}

/** Fair real-valued share of each node: Q·N·w/Σw, capped at Q with the excess shared by the rest. */
export function referenceShares(nodes: readonly NodeId[], weights: Weights, partitions: number, replicas: number): Map<NodeId, number> {
  const shares = new Map<NodeId, number>();
  let open = [...nodes];
  let slots = partitions * Math.min(replicas, nodes.length);
  for (;;) {
    const total = open.reduce((s, n) => s + weights.get(n)!, 0);
    const over = open.filter((n) => (slots * weights.get(n)!) / total > partitions);
    if (over.length === 0) {
      for (const n of open) shares.set(n, (slots * weights.get(n)!) / total);
      return shares;
    }
    for (const n of over) shares.set(n, partitions);
    slots -= partitions * over.length;
    open = open.filter((n) => !over.includes(n));
  }
}

/** Lists distinct and full, every node present, every preference list a permutation (owners first). */
export function assertWellFormed(a: Assignment, expectedNodes: readonly NodeId[], checkPreferenceLists = true): void {
  assert.deepEqual(assignmentProblems(a), []);
  assert.deepEqual(nodesOf(a), [...expectedNodes].sort());
  if (!checkPreferenceLists) return;
  for (let p = 0; p < a.partitions; p++) {
    const list = preferenceList(a, p);
    assert.deepEqual(list.slice(0, a.owners[p]!.length), a.owners[p]);
    assert.deepEqual([...list].sort(), [...expectedNodes].sort());
  }
}

/** The largest |slots − fair share| over all nodes. */
export function worstDeviation(a: Assignment, weights: Weights): number {
  const counts = replicaCounts(a);
  const shares = referenceShares([...counts.keys()], weights, a.partitions, a.replicas);
  return Math.max(...[...counts].map(([n, c]) => Math.abs(c - shares.get(n)!)));
}

/** Positions (partition, index) whose node differs: reorders count here, not in movedReplicas. */
export function changedPositions(a: Assignment, b: Assignment): number {
  let changed = 0;
  for (let p = 0; p < a.partitions; p++) {
    const x = a.owners[p]!;
    const y = b.owners[p]!;
    for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) changed++;
  }
  return changed;
}
