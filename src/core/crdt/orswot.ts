/**
 * An observed-remove set without tombstones (ORSWOT, after basho/riak_dt's riak_dt_orswot and
 * Bieniusa, Zawirski, Preguiça et al., "An optimized conflict-free replicated set", 2012).
 *
 * State: a clock (per actor, the latest dot it minted for this set), and per element the dots of
 * the adds that put it there. An add tags the element with one fresh dot (the dot the store mints
 * for the write: the set's dots are the store's own). A remove drops the element's dots that the
 * remover had seen (its context): a concurrent add, whose dot it had not seen, survives (add wins).
 * The join keeps a dot when both sides hold it, or when one side holds it and the other's clock
 * has not seen it; a dot one side has seen and no longer holds was removed. So removed elements
 * leave nothing behind but the clock, which has one entry per actor, not per element.
 *
 * A remove whose context this replica's clock has not caught up with (the read came from a replica
 * further ahead) is kept as deferred and applied to what later joins bring, until the clock covers
 * its context (riak_dt does the same); their number is capped.
 *
 * Metadata: per element one dot, [actor, counter], per actor one clock entry, per deferred remove
 * its context and elements.
 */
import { assert } from '../assert.js';

/** [actor, counter], sorted by actor, counters positive. */
export type Clock = readonly (readonly [string, number])[];

export interface OrSet {
  readonly clock: Clock;
  /** [element, its dots], sorted by element, every dot list non-empty. */
  readonly entries: readonly (readonly [string, Clock])[];
  readonly deferred: readonly Deferred[];
}

export interface Deferred {
  readonly context: Clock;
  readonly elements: readonly string[];
}

export const EMPTY_SET: OrSet = Object.freeze({ clock: [], entries: [], deferred: [] });

/** Deferred removes kept at most; a remove beyond is refused by the coordinator. */
export const MAX_DEFERRED = 64;

export function setValue(s: OrSet): string[] {
  return s.entries.map((e) => e[0]);
}

export function counterOf(clock: Clock, actor: string): number {
  for (const [a, n] of clock) if (a === actor) return n;
  return 0;
}

function covers(clock: Clock, [actor, n]: readonly [string, number]): boolean {
  return counterOf(clock, actor) >= n;
}

export function joinClocks(a: Clock, b: Clock): Clock {
  const out = new Map<string, number>(a.map(([x, n]) => [x, n]));
  for (const [x, n] of b) out.set(x, Math.max(out.get(x) ?? 0, n));
  return [...out.entries()].sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
}

function dominates(a: Clock, b: Clock): boolean {
  return b.every((dot) => covers(a, dot));
}

/**
 * One update under the write's dot (actor, counter): the removes first (each drops the dots the
 * context covers), then the adds (each element gets the write's dot alone). The dot is recorded
 * in the clock whatever the update holds, so the clock follows the store's causal history.
 */
export function applyUpdate(s: OrSet, dot: readonly [string, number], add: readonly string[], remove: readonly string[], context: Clock): OrSet {
  assert(dot[1] > counterOf(s.clock, dot[0]), 'a write dot is new to the set');
  let next = remove.length === 0 ? s : removeSeen(s, remove, context);
  const clock = joinClocks(next.clock, [dot]);
  const byElement = new Map(next.entries);
  for (const e of add) byElement.set(e, [dot]);
  next = { clock, entries: sortedEntries(byElement), deferred: next.deferred };
  return next;
}

function removeSeen(s: OrSet, elements: readonly string[], context: Clock): OrSet {
  const byElement = new Map(s.entries);
  for (const e of elements) dropCovered(byElement, e, context);
  const deferred = dominates(s.clock, context) ? s.deferred : [...s.deferred, { context, elements: [...elements] }];
  return { clock: s.clock, entries: sortedEntries(byElement), deferred };
}

function dropCovered(byElement: Map<string, Clock>, element: string, context: Clock): void {
  const dots = byElement.get(element);
  if (dots === undefined) return;
  const left = dots.filter((d) => !covers(context, d));
  if (left.length === 0) byElement.delete(element);
  else byElement.set(element, left);
}

function sortedEntries(byElement: Map<string, Clock>): (readonly [string, Clock])[] {
  return [...byElement.entries()].sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
}

export function joinSets(a: OrSet, b: OrSet): OrSet {
  const byElement = new Map<string, Clock>();
  const names = new Set<string>([...a.entries.map((e) => e[0]), ...b.entries.map((e) => e[0])]);
  const aMap = new Map(a.entries);
  const bMap = new Map(b.entries);
  for (const name of names) {
    const da = aMap.get(name) ?? [];
    const db = bMap.get(name) ?? [];
    const both = da.filter((d) => db.some((x) => x[0] === d[0] && x[1] === d[1]));
    const onlyA = da.filter((d) => !both.includes(d) && !covers(b.clock, d));
    const onlyB = db.filter((d) => !da.some((x) => x[0] === d[0] && x[1] === d[1]) && !covers(a.clock, d));
    const dots = [...both, ...onlyA, ...onlyB].sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : p[1] - q[1]));
    if (dots.length > 0) byElement.set(name, dots);
  }
  const clock = joinClocks(a.clock, b.clock);
  const deferred = unionDeferred(a.deferred, b.deferred);
  for (const d of deferred) for (const e of d.elements) dropCovered(byElement, e, d.context);
  return { clock, entries: sortedEntries(byElement), deferred: deferred.filter((d) => !dominates(clock, d.context)) };
}

function unionDeferred(a: readonly Deferred[], b: readonly Deferred[]): Deferred[] {
  const seen = new Map<string, Deferred>();
  for (const d of [...a, ...b]) seen.set(JSON.stringify([d.context, [...d.elements].sort()]), { context: d.context, elements: [...d.elements].sort() });
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

/** A sentence naming what is wrong with a decoded set, or null. */
export function orSetProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'a set is an object {clock, entries, deferred}';
  const s = x as Record<string, unknown>;
  const clock = clockProblem(s.clock);
  if (clock !== null) return clock;
  if (!Array.isArray(s.entries) || !Array.isArray(s.deferred)) return 'a set has entries and deferred lists';
  let previous: string | null = null;
  for (const e of s.entries as unknown[]) {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') return 'a set entry is [element, dots]';
    if (previous !== null && !(previous < e[0])) return 'set entries are sorted by element without repeats';
    const dots = clockProblem(e[1]);
    if (dots !== null || (e[1] as unknown[]).length === 0) return 'an element has a non-empty list of dots';
    previous = e[0] as string;
  }
  if (s.deferred.length > MAX_DEFERRED) return 'too many deferred removes';
  for (const d of s.deferred as unknown[]) {
    if (typeof d !== 'object' || d === null) return 'a deferred remove is {context, elements}';
    const r = d as Record<string, unknown>;
    if (clockProblem(r.context) !== null || !Array.isArray(r.elements) || !r.elements.every((e) => typeof e === 'string')) return 'a deferred remove is {context, elements}';
  }
  return null;
}

function clockProblem(x: unknown): string | null {
  if (!Array.isArray(x)) return 'a clock is a list of [actor, counter]';
  for (let i = 0; i < x.length; i++) {
    const e = x[i] as unknown;
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || !Number.isSafeInteger(e[1]) || (e[1] as number) < 1) {
      return 'a clock entry is [actor, positive counter]';
    }
    // Element dot lists are sorted by actor then counter; clocks by actor alone.
    if (i > 0 && (x[i - 1] as [string, number])[0] > e[0]) return 'clock entries are sorted by actor';
  }
  return null;
}
