/**
 * Claim: who holds which partition-replica (Dynamo's strategy 3, with an explicit replica table).
 *
 * Model. The ring has Q fixed partitions; the table lists, for each partition, N distinct physical
 * nodes in order (fewer while the cluster has fewer than N nodes, and then every node is in every
 * list, appended in join order). That gives Q·N slots. Each node has a target number of slots
 * proportional to its capacity weight (targets.ts: the quota Q·N·w/Σw, never above Q, rounded by
 * largest remainder). Balance is therefore a property of the table itself rather than of random
 * tokens, and the N replicas of a partition are distinct by construction of each list rather than
 * something a clockwise walk over tokens must hope for.
 *
 * Join. The newcomer steals exactly its target T, one slot at a time, from whichever owner of a
 * partition is furthest above its new target, and takes that owner's position in the list. It looks
 * for slots at T evenly spaced points starting from its own hashed point, walking clockwise from each
 * to the first partition it does not hold that has an over-target owner, so its partitions spread
 * around the ring instead of forming one run (spreading both the transfer and the later load). On an
 * on-target table the donors' total excess equals T, so a join moves exactly T partition-replicas:
 * the minimum.
 *
 * Leave. Each slot of the leaver, in ring order, goes to the node furthest below its target that is
 * not already in that list; as receivers fill up the next slot goes to the next, so each receiver's
 * gains are spread around the ring too. That moves exactly the leaver's slots, the minimum.
 *
 * Both then settle (settle.ts), which fixes whatever rounding or a weight change left over, so every
 * table claim returns has each node exactly on its target. Last, a reorder-only pass (firsts.ts)
 * keeps each node listed first in about 1/N of its partitions, so coordination is balanced too; it
 * moves no data. No randomness anywhere: ties are broken by node id, then by ring order, so every
 * machine computes the same table from the same inputs.
 */
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import { compareNodeIds, countsOf, type Assignment, type Weights } from './assignment.js';
import { balanceFirsts, firstDeviation } from './firsts.js';
import { partitionOf, textHash } from './hash.js';
import { argmaxNode, settle } from './settle.js';
import { WorkingTable } from './table.js';
import { replicaTargets, weightOf } from './targets.js';

/** A table has Q·N slots and every node holds at least one, so it holds at most Q·N nodes. */
export function maxNodes(partitions: number, replicas: number): number {
  return partitions * replicas;
}

/** Adds `node`; `weights` covers every node present after the add. */
export function claimNode(a: Assignment, node: NodeId, weights: Weights): Assignment {
  assert(!countsOf(a).has(node), `node ${node} already holds partitions`);
  const table = new WorkingTable(a);
  const newcomer = table.intern(node);
  const members = sortById(table, [...table.holders(), newcomer]);
  for (const n of members) weightOf(weights, table.idOf(n));
  if (members.length <= a.replicas) {
    for (let p = 0; p < a.partitions; p++) table.append(p, newcomer);
    return table.toAssignment();
  }
  assert(members.length <= maxNodes(a.partitions, a.replicas), `a table of ${a.partitions}x${a.replicas} slots cannot hold ${members.length} nodes`);
  const target = targetsOf(table, members, weights, a);
  steal(table, newcomer, target);
  settle(table, members, target);
  balanceFirsts(table, members);
  return table.toAssignment();
}

/** Removes `node`; `weights` covers the remaining nodes. */
export function releaseNode(a: Assignment, node: NodeId, weights: Weights): Assignment {
  assert(countsOf(a).has(node), `node ${node} holds no partitions`);
  const table = new WorkingTable(a);
  const leaver = table.intern(node);
  const members = sortById(table, table.holders().filter((n) => n !== leaver));
  for (const n of members) weightOf(weights, table.idOf(n));
  if (members.length < a.replicas) {
    for (let p = 0; p < a.partitions; p++) table.remove(p, leaver);
    return table.toAssignment();
  }
  const target = targetsOf(table, members, weights, a);
  for (let p = 0; p < a.partitions; p++) {
    const i = table.position(p, leaver);
    if (i < 0) continue;
    const eligible = members.filter((n) => !table.has(p, n));
    const receiver = argmaxNode(table, eligible, (n) => target[n]! - table.count(n));
    assert(receiver >= 0, `some remaining node is missing from partition ${p}`);
    table.replace(p, i, receiver);
  }
  settle(table, members, target);
  balanceFirsts(table, members);
  return table.toAssignment();
}

/** Brings every node back onto its target after weights changed; moves only what it must. */
export function rebalance(a: Assignment, weights: Weights): Assignment {
  const table = new WorkingTable(a);
  const members = sortById(table, table.holders());
  if (members.length <= a.replicas) return a;
  for (const n of members) weightOf(weights, table.idOf(n));
  settle(table, members, targetsOf(table, members, weights, a));
  balanceFirsts(table, members);
  return table.toAssignment();
}

function sortById(table: WorkingTable, nodes: number[]): number[] {
  return nodes.sort((x, y) => compareNodeIds(table.idOf(x), table.idOf(y)));
}

function targetsOf(table: WorkingTable, members: readonly number[], weights: Weights, a: Assignment): Int32Array {
  const byId = replicaTargets(members.map((n) => table.idOf(n)), weights, countsOf(a), a.partitions, a.replicas);
  const target = new Int32Array(members.reduce((max, n) => Math.max(max, n), 0) + 1);
  for (const n of members) target[n] = byId.get(table.idOf(n))!;
  return target;
}

function steal(table: WorkingTable, newcomer: number, target: Int32Array): void {
  const want = target[newcomer]!;
  const q = table.partitions;
  const start = partitionOf(textHash(table.idOf(newcomer)), q);
  for (let j = 0; j < want; j++) {
    const ideal = (start + Math.floor((j * q) / want)) % q;
    if (!stealNear(table, newcomer, ideal, target)) return;
  }
}

/** Takes one slot at or clockwise after `ideal`, from the owner furthest above its target. */
function stealNear(table: WorkingTable, newcomer: number, ideal: number, target: Int32Array): boolean {
  const q = table.partitions;
  for (let k = 0; k < q; k++) {
    const p = (ideal + k) % q;
    if (table.has(p, newcomer)) continue;
    const i = donorPosition(table, p, newcomer, target);
    if (i < 0) continue;
    table.replace(p, i, newcomer);
    return true;
  }
  return false;
}

/**
 * Among a list's owners above target, the one furthest above. Ties (common: near the end of a join
 * every donor is one slot over) go to the position that keeps first places balanced: a first place
 * when the newcomer is listed first less than its share, taken from the donor listed first most;
 * otherwise a later place, taken from the donor listed first least. Then the smaller id.
 */
function donorPosition(table: WorkingTable, p: number, newcomer: number, target: Int32Array): number {
  const width = table.length(p);
  const wantsFirst = firstDeviation(table, newcomer, width) < 0;
  let best = -1;
  let bestRank: readonly number[] = [];
  for (let i = 0; i < width; i++) {
    const donor = table.at(p, i);
    const excess = table.count(donor) - target[donor]!;
    if (excess <= 0) continue;
    const deviation = firstDeviation(table, donor, width);
    const rank = [excess, (i === 0) === wantsFirst ? 1 : 0, i === 0 ? deviation : -deviation];
    const order = best < 0 ? 1 : compareRanks(rank, bestRank) || compareNodeIds(table.idOf(table.at(p, best)), table.idOf(donor));
    if (order > 0) {
      best = i;
      bestRank = rank;
    }
  }
  return best;
}

/** Lexicographic: positive when a ranks higher. */
function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
