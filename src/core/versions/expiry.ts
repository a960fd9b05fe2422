/**
 * Expiry as a read-time rule on stored versions. The coordinator stamps an absolute expiry into
 * the version it writes (its own clock, once), so every replica holds the same bytes: Merkle
 * hashes, digests and merges never depend on a node's clock, replicas that pass the expiry at
 * different moments do not diverge, and anti-entropy has nothing to repair. An expired version
 * stays a version: it supersedes what it superseded, as a tombstone does, and only reads hide
 * it. Storage lets go of it through the reaper, under the tombstone rule (node/reaper.ts).
 */
import { assert } from '../assert.js';
import { siblingCount, values, type SiblingSet } from './sibling-set.js';
import type { Version } from './value.js';

/** `ttlMs` after `nowMs`, or undefined for no expiry (a ttl of 0 means "never"). */
export function expiryAfter(nowMs: number, ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined || ttlMs === 0) return undefined;
  assert(Number.isSafeInteger(ttlMs) && ttlMs > 0, 'a ttl is a positive whole number of ms');
  return nowMs + ttlMs;
}

export function isExpired(v: Version, nowMs: number): boolean {
  return v.expiresAtMs !== undefined && v.expiresAtMs <= nowMs;
}

/** What a read at `nowMs` returns: the live siblings that have not expired. */
export function readableValues(s: SiblingSet, nowMs: number): Version[] {
  return values(s).filter((v) => v.data !== null && !isExpired(v, nowMs));
}

/** The set reads as absent although it holds versions: deleted, expired, or both. */
export function readsAsGone(s: SiblingSet, nowMs: number): boolean {
  return siblingCount(s) > 0 && readableValues(s, nowMs).length === 0;
}

/** Every version is a tombstone or expired by `nowMs`: what the reaper may drop. */
export function isGoneBy(s: SiblingSet, nowMs: number): boolean {
  return siblingCount(s) > 0 && values(s).every((v) => v.data === null || isExpired(v, nowMs));
}

/**
 * Every version expired by `nowMs` (tombstones have no expiry, so a set holding one is not):
 * with `nowMs` a grace before now, what no replica needs any more, so replicas let go of it when
 * they meet instead of copying it to each other (see node/expired-sets.ts).
 */
export function allExpiredBy(s: SiblingSet, nowMs: number): boolean {
  return siblingCount(s) > 0 && values(s).every((v) => isExpired(v, nowMs));
}

/** The latest expiry among the set's versions, or undefined when one of them never expires. */
export function latestExpiry(s: SiblingSet): number | undefined {
  let latest = 0;
  for (const v of values(s)) {
    if (v.data === null) continue;
    if (v.expiresAtMs === undefined) return undefined;
    latest = Math.max(latest, v.expiresAtMs);
  }
  return latest === 0 ? undefined : latest;
}
