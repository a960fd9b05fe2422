/**
 * The replica table a membership implies: a fold, in epoch order, of every admission (claimNode) and
 * every start of a leave (releaseNode) over an empty table. Events sort by (epoch, additions before
 * removals, id), so any node holding the same membership computes the same table, and a table only
 * changes by the minimal claim step when one event is appended at a new epoch. Members that are
 * 'joining' hold their partitions already (the transfer layer moves the data before they serve it);
 * members that are 'leaving' or 'left' hold none.
 *
 * A table has at most Q·N nodes; admissions beyond that (only possible through concurrent admits)
 * are skipped by the fold, deterministically, rather than failing every node. Results are memoized on
 * the fold's inputs (epochs and weights, not addresses) in a small cache, since nodes ask on every
 * membership change.
 */
import { createHash } from 'node:crypto';
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import { claimNode, compareNodeIds, emptyAssignment, maxNodes, releaseNode, type Assignment } from '../ring/index.js';
import type { Member } from './member.js';
import type { Membership } from './membership.js';

interface RingEvent {
  readonly epoch: number;
  readonly kind: 0 | 1; // 0 add, 1 remove: additions first at one epoch
  readonly id: NodeId;
}

function eventsOf(members: readonly Member[]): RingEvent[] {
  const events: RingEvent[] = [];
  for (const m of members) {
    events.push({ epoch: m.joinedEpoch, kind: 0, id: m.id });
    // A leave never precedes its own admission, even in a malformed entry.
    if (m.leftEpoch !== null) events.push({ epoch: Math.max(m.leftEpoch, m.joinedEpoch), kind: 1, id: m.id });
  }
  return events.sort((x, y) => x.epoch - y.epoch || x.kind - y.kind || compareNodeIds(x.id, y.id));
}

/** The fold itself, unmemoized, over any list of members (for views such as "without the joiners"). */
export function foldAssignment(partitions: number, replicas: number, members: readonly Member[]): Assignment {
  const weights = new Map(members.map((m) => [m.id, m.weight]));
  const present = new Set<NodeId>();
  let table = emptyAssignment(partitions, replicas);
  for (const event of eventsOf(members)) {
    if (event.kind === 0) {
      if (present.size >= maxNodes(partitions, replicas)) continue;
      assert(!present.has(event.id), `member ${event.id} admitted twice`);
      table = claimNode(table, event.id, weights);
      present.add(event.id);
    } else if (present.delete(event.id)) {
      table = releaseNode(table, event.id, weights);
    }
  }
  return table;
}

const CACHE_SIZE = 16;
const cache = new Map<string, Assignment>();

function foldKey(m: Membership): string {
  const inputs = m.members.map((x) => [x.id, x.joinedEpoch, x.leftEpoch, x.weight]);
  return createHash('sha256').update(JSON.stringify([m.partitions, m.replicas, inputs])).digest('hex');
}

const byValue = new WeakMap<Membership, Assignment>();

export function assignmentOf(m: Membership): Assignment {
  const known = byValue.get(m);
  if (known !== undefined) return known;
  const table = assignmentOfKey(m, foldKey(m));
  byValue.set(m, table);
  return table;
}

function assignmentOfKey(m: Membership, key: string): Assignment {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const table = foldAssignment(m.partitions, m.replicas, m.members);
  cache.set(key, table);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return table;
}
