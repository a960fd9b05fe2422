/**
 * The store's merge for counter and set buckets: the siblings of a key are joined into one value,
 * so such a bucket never shows siblings. Which siblings a key has still follows the dotted version
 * vectors; every CRDT write supersedes exactly the coordinator's copy and holds the join of it
 * plus its own change, so a value is never smaller than what it superseded, and dropping a
 * superseded value loses nothing. The joined value keeps the whole causal history and no dot of
 * its own (an anonymous value, as last-writer-wins keeps its winner).
 */
import { assert } from '../assert.js';
import { historyEntry } from '../versions/entries.js';
import { values, type SiblingSet } from '../versions/sibling-set.js';
import { decodeCrdt, encodeCrdt, type CrdtState, type CrdtType } from './codec.js';
import { EMPTY_COUNTER, joinCounters } from './pn-counter.js';
import { EMPTY_SET, joinSets } from './orswot.js';

export function emptyState(type: CrdtType): CrdtState {
  return type === 'counter' ? { type, counter: EMPTY_COUNTER } : { type, set: EMPTY_SET };
}

export function joinStates(a: CrdtState, b: CrdtState): CrdtState {
  assert(a.type === b.type, 'only states of one type join');
  if (a.type === 'counter' && b.type === 'counter') return { type: 'counter', counter: joinCounters(a.counter, b.counter) };
  if (a.type === 'set' && b.type === 'set') return { type: 'set', set: joinSets(a.set, b.set) };
  return a;
}

/**
 * The join of every sibling's state (a tombstone or undecodable value counts as the empty state;
 * `bad` counts the undecodable ones).
 */
export function stateOf(type: CrdtType, s: SiblingSet | undefined, bad?: { count: number }): CrdtState {
  let state = emptyState(type);
  if (s === undefined) return state;
  for (const v of values(s)) {
    if (v.data === null) continue;
    const decoded = decodeCrdt(type, v.data);
    if (decoded.ok) state = joinStates(state, decoded.state);
    else if (bad !== undefined) bad.count++;
  }
  return state;
}

/** One value for the set: the siblings joined, with the whole history kept. */
export function resolveCrdt(type: CrdtType, s: SiblingSet): SiblingSet {
  const all = values(s);
  if (all.length <= 1) return s;
  let timestampMs = 0;
  for (const v of all) timestampMs = Math.max(timestampMs, v.timestampMs);
  const joined = { data: encodeCrdt(stateOf(type, s)), timestampMs };
  return { entries: s.entries.map((e) => (e.values.length === 0 ? e : historyEntry(e.node, e.counter, e.timestampMs))), anonymous: [joined] };
}
