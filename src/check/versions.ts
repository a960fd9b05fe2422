/**
 * Naming a version from the client's side. A client sees a sibling as its bytes and timestamp, so a
 * version is named by (write id, timestamp): the write id alone is not enough, because a write can
 * be applied twice (a forwarded request re-routed after its coordinator dropped, or a duplicated
 * forward) and then lives as two versions with different dots; a delete that saw one of them must
 * not be blamed for the other one surviving. A null timestamp (the HTTP API's single-value 200
 * answer has none) matches every version of that write.
 */
import { compareVectors, counterOf, type VersionVector } from '../core/versions/index.js';

export interface VersionRef {
  readonly writeId: string;
  readonly timestampMs: number | null;
}

export function versionKey(v: VersionRef): string {
  return `${v.writeId}@${v.timestampMs ?? '*'}`;
}

/** Whether `set` names the version (exactly, or through a wildcard timestamp on either side). */
export function namesVersion(set: ReadonlySet<string>, v: VersionRef): boolean {
  return set.has(versionKey(v)) || set.has(`${v.writeId}@*`) || (v.timestampMs === null && [...set].some((k) => k.startsWith(`${v.writeId}@`)));
}

/**
 * Whether a replica whose context is `held` has seen the version whose context is `written`.
 * A context with `maxClockEntries` entries or more may have been truncated (the oldest entries
 * without siblings dropped), so there an absent node is not counted against it.
 */
export function covers(held: VersionVector, written: VersionVector, maxClockEntries: number): boolean {
  const order = compareVectors(written, held);
  if (order === 'before' || order === 'equal') return true;
  if (held.length < maxClockEntries) return false;
  const nodes = new Set(held.map(([node]) => node));
  return written.every(([node, counter]) => !nodes.has(node) || counterOf(held, node) >= counter);
}
