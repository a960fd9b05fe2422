/**
 * Last-writer-wins, the opt-in lossy mode (Jepsen saw Riak's LWW drop 30-70% of acknowledged
 * writes): keep only the newest sibling by `compareVersions` (timestamp, then tombstone lowest,
 * then bytes, so every replica picks the same one) and keep the whole causal history, so that the
 * dropped siblings stay superseded wherever the result travels.
 *
 * The winner stays at its dot when that dot is its entry's newest (as dvvset:lww does). Otherwise
 * it becomes anonymous: an entry's list stands for its newest dots, so keeping a value lower in
 * the list alone would move it onto a dot that holds another value elsewhere.
 */
import { historyEntry, type ClockEntry } from './entries.js';
import type { SiblingSet } from './sibling-set.js';
import { compareVersions, type Version } from './value.js';

interface Winner {
  readonly value: Version;
  /** Index of the entry whose newest dot holds the winner, or -1 when it has no dot of its own. */
  readonly entry: number;
}

export function resolveLww(s: SiblingSet): SiblingSet {
  let count = s.anonymous.length;
  for (const e of s.entries) count += e.values.length;
  // A lone dotted value is always its entry's newest, so the set is already resolved.
  if (count <= 1) return s;
  const winner = newest(s);
  return {
    entries: s.entries.map((e, i) => (i === winner.entry ? keepHead(e) : dropValues(e))),
    anonymous: winner.entry === -1 ? [winner.value] : [],
  };
}

/** Ties in content prefer a head dot, then the first entry, so the result stays dotted. */
function newest(s: SiblingSet): Winner {
  let best: Winner | undefined;
  const consider = (value: Version, entry: number): void => {
    const c = best === undefined ? 1 : compareVersions(value, best.value);
    if (c > 0 || (c === 0 && best!.entry === -1 && entry !== -1)) best = { value, entry };
  };
  s.entries.forEach((e, i) => e.values.forEach((v, k) => consider(v, k === 0 ? i : -1)));
  for (const v of s.anonymous) consider(v, -1);
  return best!;
}

function keepHead(e: ClockEntry): ClockEntry {
  return e.values.length === 1 ? e : { ...e, values: [e.values[0]!] };
}

function dropValues(e: ClockEntry): ClockEntry {
  return e.values.length === 0 ? e : historyEntry(e.node, e.counter, e.timestampMs);
}
