/**
 * The cart workload, as decisions only (no I/O), so that the simulator's clients (callbacks on
 * virtual time) and the nemesis's clients (async HTTP) make the same kind of requests: over a small
 * hot key space, read-modify-write adds (read, merge the siblings by union, add an item, write back
 * with the read's context), blind puts (no context: they become siblings), plain reads, and deletes
 * that follow a read; some of them strict, some with R or W other than the bucket's default, and
 * some puts read back at once through another node (where a read-your-writes bug shows).
 */
import type { Rng } from '../core/random.js';
import { unionItems, versionsOf } from './cart.js';
import type { ConflictMode } from './snapshot.js';
import type { VersionRef } from './versions.js';

export interface BucketSpec {
  readonly name: string;
  readonly conflict: ConflictMode;
  readonly keys: number;
}

export interface WorkloadMix {
  /** Relative weights of the operation kinds. */
  readonly add: number;
  readonly put: number;
  readonly get: number;
  readonly delete: number;
  /** Share of requests sent with strict=true. */
  readonly strictRate: number;
  /** Share of requests with an explicit R or W (1 or N) instead of the bucket's default. */
  readonly quorumVariation: number;
  /** Share of acknowledged puts the client reads back at once, through another node (read-your-writes). */
  readonly confirmRate: number;
}

export const CART_BUCKETS: readonly BucketSpec[] = [
  { name: 'cart', conflict: 'siblings', keys: 6 },
  { name: 'session', conflict: 'lww', keys: 3 },
];

export const DEFAULT_MIX: WorkloadMix = { add: 45, put: 10, get: 35, delete: 6, strictRate: 0.15, quorumVariation: 0.1, confirmRate: 0.25 };

export type OperationKind = 'add' | 'put' | 'get' | 'delete';

export interface PlannedOperation {
  readonly kind: OperationKind;
  readonly bucket: string;
  readonly key: string;
  readonly strict: boolean;
  /** An explicit R (reads, and the read before an add or delete) or W (writes); undefined: default. */
  readonly r?: number | undefined;
  readonly w?: number | undefined;
}

export function allKeys(buckets: readonly BucketSpec[]): { bucket: string; key: string; conflict: ConflictMode }[] {
  return buckets.flatMap((b) => Array.from({ length: b.keys }, (_, i) => ({ bucket: b.name, key: `k${i}`, conflict: b.conflict })));
}

function pickKind(rng: Rng, mix: WorkloadMix): OperationKind {
  const total = mix.add + mix.put + mix.get + mix.delete;
  let x = rng.next() * total;
  for (const kind of ['add', 'put', 'get', 'delete'] as const) {
    x -= mix[kind];
    if (x < 0) return kind;
  }
  return 'get';
}

export function planOperation(rng: Rng, buckets: readonly BucketSpec[], mix: WorkloadMix, replicas: number): PlannedOperation {
  const keys = allKeys(buckets);
  const target = keys[rng.int(keys.length)]!;
  const kind = pickKind(rng, mix);
  const strict = rng.next() < mix.strictRate;
  const vary = (): number | undefined => (rng.next() < mix.quorumVariation ? (rng.next() < 0.5 ? 1 : replicas) : undefined);
  return { kind, bucket: target.bucket, key: target.key, strict, r: vary(), w: vary() };
}

/** What a read returned, reduced to what the following write needs and the history records. */
export interface ReadSummary {
  readonly items: string[];
  readonly versions: VersionRef[];
}

export function summarizeRead(values: Iterable<{ readonly data: Uint8Array | null; readonly timestampMs: number | null }>): ReadSummary {
  const list = [...values];
  const live: Uint8Array[] = [];
  for (const v of list) if (v.data !== null) live.push(v.data);
  return { items: [...unionItems(live)].sort(), versions: versionsOf(list) };
}
