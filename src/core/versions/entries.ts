/**
 * The dotted part of a sibling set: per server node, its counter and the values still alive at
 * its latest dots. An entry (node, n, [v1, v2, ..., vk]) says "this replica has seen events
 * node:1..n, and node:n holds v1, node:n-1 holds v2, ... node:n-k+1 holds vk"; the dots below
 * n-k+1 were superseded. That contiguity is what makes the form compact (no per-value clock) and
 * what makes merging two entries a matter of comparing two floors (counter minus list length).
 */
import type { NodeId } from '../ids.js';
import type { Version } from './value.js';

export interface ClockEntry {
  readonly node: NodeId;
  readonly counter: number;
  /** Newest first: the dots counter, counter-1, ... */
  readonly values: readonly Version[];
  /** When this entry last advanced (the coordinator's clock); truncation drops the oldest. */
  readonly timestampMs: number;
}

const NO_VALUES: readonly Version[] = Object.freeze([]);

export function historyEntry(node: NodeId, counter: number, timestampMs = 0): ClockEntry {
  return { node, counter, values: NO_VALUES, timestampMs };
}

/**
 * Joins two entries of one node. The higher counter's list holds every dot either side still has
 * alive; dots at or below the other side's floor were superseded there, so they go.
 */
export function mergeEntry(a: ClockEntry, b: ClockEntry): ClockEntry {
  // On equal counters the shorter list is the answer, so that entry can be handed back as is.
  const hi = a.counter !== b.counter ? (a.counter > b.counter ? a : b) : a.values.length <= b.values.length ? a : b;
  const lo = hi === a ? b : a;
  const loFloor = lo.counter - lo.values.length;
  const keep = Math.min(hi.values.length, hi.counter - loFloor);
  const values = keep === hi.values.length ? hi.values : hi.values.slice(0, keep);
  const timestampMs = Math.max(a.timestampMs, b.timestampMs);
  if (values === hi.values && timestampMs === hi.timestampMs) return hi;
  return { node: hi.node, counter: hi.counter, values, timestampMs };
}

/** Joins two node-sorted entry lists. */
export function syncEntries(a: readonly ClockEntry[], b: readonly ClockEntry[]): readonly ClockEntry[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: ClockEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ea = a[i]!;
    const eb = b[j]!;
    if (ea.node === eb.node) {
      out.push(mergeEntry(ea, eb));
      i++;
      j++;
    } else if (ea.node < eb.node) {
      out.push(ea);
      i++;
    } else {
      out.push(eb);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  if (sameEntries(out, a)) return a;
  return sameEntries(out, b) ? b : out;
}

function sameEntries(x: readonly ClockEntry[], y: readonly ClockEntry[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A new event at `node`: its counter advances and `value` takes the new dot. */
export function event(entries: readonly ClockEntry[], node: NodeId, value: Version, nowMs: number): readonly ClockEntry[] {
  const found = entries.findIndex((e) => e.node >= node);
  const at = found === -1 ? entries.length : found;
  const old = entries[at];
  const out = entries.slice();
  if (old !== undefined && old.node === node) {
    out[at] = { node, counter: old.counter + 1, values: [value, ...old.values], timestampMs: Math.max(nowMs, old.timestampMs) };
  } else {
    out.splice(at, 0, { node, counter: 1, values: [value], timestampMs: nowMs });
  }
  return out;
}
