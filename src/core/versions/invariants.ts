/**
 * What every sibling set satisfies, as one check: decoders run it on untrusted bytes, tests run it
 * after every operation. Returns the first broken rule as a sentence, or null.
 */
import { isSortedUnique } from './anonymous.js';
import type { SiblingSet } from './sibling-set.js';
import type { Version } from './value.js';

export function siblingSetProblem(s: SiblingSet): string | null {
  for (let i = 0; i < s.entries.length; i++) {
    const e = s.entries[i]!;
    if (i > 0 && !(s.entries[i - 1]!.node < e.node)) return 'entries are not sorted by node without repeats';
    if (!Number.isSafeInteger(e.counter) || e.counter <= 0) return `entry ${e.node} has a counter that is not a positive integer`;
    if (e.values.length > e.counter) return `entry ${e.node} holds more values than dots`;
    if (!isTimestamp(e.timestampMs)) return `entry ${e.node} has a bad timestamp`;
    if (!e.values.every(isVersion)) return `entry ${e.node} holds a malformed value`;
  }
  if (!s.anonymous.every(isVersion)) return 'an anonymous value is malformed';
  if (!isSortedUnique(s.anonymous)) return 'anonymous values are not sorted without repeats';
  return null;
}

function isTimestamp(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 0;
}

function isVersion(v: Version): boolean {
  const expiry = v.expiresAtMs === undefined || (isTimestamp(v.expiresAtMs) && v.expiresAtMs > 0);
  return expiry && isTimestamp(v.timestampMs) && (v.data === null || v.data instanceof Uint8Array);
}
