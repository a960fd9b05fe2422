/**
 * The state of the store after the run, as the checker reads it: for every key the workload used,
 * its primary replicas (N nodes, from the ring) and what each of them holds locally, read without
 * coordination (the simulator asks the node object; the nemesis asks GET /admin/local). Copies are
 * plain data so that both drivers can produce them.
 */
import type { NodeId } from '../core/ids.js';
import { compareVersions, context, values, type SiblingSet, type VersionVector } from '../core/versions/index.js';

export interface Sibling {
  /** null: a tombstone. */
  readonly data: Uint8Array | null;
  readonly timestampMs: number;
}

export interface ReplicaCopy {
  readonly context: VersionVector;
  /** Every sibling, tombstones included. */
  readonly siblings: readonly Sibling[];
}

export type ConflictMode = 'siblings' | 'lww';

export interface KeyState {
  readonly bucket: string;
  readonly key: string;
  readonly conflict: ConflictMode;
  readonly primaries: readonly NodeId[];
  /** One entry per primary: its local copy, or null when it holds nothing for the key. */
  readonly copies: ReadonlyMap<NodeId, ReplicaCopy | null>;
}

export function copyOfSet(set: SiblingSet | undefined): ReplicaCopy | null {
  if (set === undefined) return null;
  return { context: context(set), siblings: values(set).map((v) => ({ data: v.data, timestampMs: v.timestampMs })) };
}

/** A fixed spelling of a copy: equal exactly when the context and the multiset of siblings are. */
export function canonicalCopy(copy: ReplicaCopy | null): string {
  if (copy === null) return 'absent';
  const siblings = [...copy.siblings].sort(compareVersions).map((s) => [s.data === null ? null : Buffer.from(s.data).toString('base64'), s.timestampMs]);
  return JSON.stringify([copy.context, siblings]);
}

/** Whether every primary holds the same copy. */
export function isConverged(state: KeyState): boolean {
  let first: string | undefined;
  for (const node of state.primaries) {
    const c = canonicalCopy(state.copies.get(node) ?? null);
    if (first === undefined) first = c;
    else if (c !== first) return false;
  }
  return true;
}

export function unconvergedKeys(states: readonly KeyState[]): KeyState[] {
  return states.filter((s) => !isConverged(s));
}

/** The live values (tombstones left out) of a copy. */
export function liveData(copy: ReplicaCopy | null): Uint8Array[] {
  if (copy === null) return [];
  const out: Uint8Array[] = [];
  for (const s of copy.siblings) if (s.data !== null) out.push(s.data);
  return out;
}
