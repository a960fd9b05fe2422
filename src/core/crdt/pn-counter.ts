/**
 * A PN-counter: per actor, the total of its increments (p) and of its decrements (n); the value
 * is the sum of p minus the sum of n. Actors are the node actors that mint the store's dots
 * (node/actors.ts): an actor only ever coordinates on top of a copy that holds its own latest
 * entry, so its entry only grows, and the join (per actor, the larger p and the larger n) is a
 * semilattice: commutative, associative, idempotent.
 */
import { assert } from '../assert.js';

/** [actor, p, n], sorted by actor, no repeats. */
export type PnCounter = readonly (readonly [string, number, number])[];

export const EMPTY_COUNTER: PnCounter = Object.freeze([]);

/** The largest magnitude of one increment (keeps every total a safe integer for a long time). */
export const MAX_INCREMENT = 2 ** 40;

export function counterValue(c: PnCounter): number {
  let total = 0;
  for (const [, p, n] of c) total += p - n;
  return total;
}

export function increment(c: PnCounter, actor: string, delta: number): PnCounter {
  assert(Number.isSafeInteger(delta) && Math.abs(delta) <= MAX_INCREMENT, 'an increment is a bounded whole number');
  const at = c.findIndex((e) => e[0] >= actor);
  const out = c.slice();
  const old = at === -1 ? undefined : c[at];
  const [p, n] = old !== undefined && old[0] === actor ? [old[1], old[2]] : [0, 0];
  const entry = [actor, delta > 0 ? p + delta : p, delta < 0 ? n - delta : n] as const;
  if (old !== undefined && old[0] === actor) out[at] = entry;
  else out.splice(at === -1 ? out.length : at, 0, entry);
  return out;
}

export function joinCounters(a: PnCounter, b: PnCounter): PnCounter {
  const out: (readonly [string, number, number])[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x[0] < y[0])) {
      out.push(x!);
      i++;
    } else if (x === undefined || y[0] < x[0]) {
      out.push(y);
      j++;
    } else {
      out.push([x[0], Math.max(x[1], y[1]), Math.max(x[2], y[2])]);
      i++;
      j++;
    }
  }
  return out;
}

/** A sentence naming what is wrong with a decoded counter, or null. */
export function counterProblem(x: unknown): string | null {
  if (!Array.isArray(x)) return 'a counter is a list of [actor, p, n]';
  let previous: string | null = null;
  for (const e of x) {
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== 'string') return 'a counter entry is [actor, p, n]';
    if (!isCount(e[1]) || !isCount(e[2])) return 'counter totals are non-negative safe integers';
    if (previous !== null && !(previous < e[0])) return 'counter entries are sorted by actor without repeats';
    previous = e[0] as string;
  }
  return null;
}

function isCount(x: unknown): boolean {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
