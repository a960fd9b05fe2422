/**
 * Clock truncation, as in the Dynamo paper: past `maxEntries` entries, the ones that advanced
 * longest ago (oldest `timestampMs`, ties by node id) are dropped.
 *
 * Only entries that hold no sibling are dropped. A sibling needs its dot: moved to the anonymous
 * list it would carry no causal information, and the first sync with any replica whose history
 * dominated what was left would drop it although nobody had seen it. So the result can exceed
 * `maxEntries` by the entries that hold siblings, which the sibling cap bounds.
 *
 * What truncation still costs is precision: a replica that forgot node:n may see an older value
 * of that node, held by a stale replica, as concurrent again (a spurious sibling). A coordinator
 * that forgot its own counter would reuse dots, which can make a new write look superseded; that
 * cannot happen here: the entry a coordinator just advanced holds the new value, so the truncation
 * of its own write keeps it, and replica merges truncate the same way on every replica (no
 * `keepNode`, so copies converge) and may drop it later, after which the node mints that key's
 * next version under a fresh actor (node/actors.ts; node/truncation.test.ts proves both).
 * `keepNode` protects one more entry for callers that want it. Entries count server nodes that
 * coordinated the key, not clients, so a threshold above the number of nodes that can coordinate
 * a key means truncation does not fire in practice.
 */
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import type { ClockEntry } from './entries.js';
import type { SiblingSet } from './sibling-set.js';

export function truncate(s: SiblingSet, maxEntries: number, keepNode?: NodeId): SiblingSet {
  assert(Number.isSafeInteger(maxEntries) && maxEntries >= 1, 'maxEntries is a positive integer');
  if (s.entries.length <= maxEntries) return s;
  const droppable = s.entries.filter((e) => e.values.length === 0 && e.node !== keepNode).sort(oldestFirst);
  if (droppable.length === 0) return s;
  const dropped = new Set(droppable.slice(0, s.entries.length - maxEntries));
  return { entries: s.entries.filter((e) => !dropped.has(e)), anonymous: s.anonymous };
}

function oldestFirst(a: ClockEntry, b: ClockEntry): number {
  return a.timestampMs - b.timestampMs || (a.node < b.node ? -1 : 1);
}
