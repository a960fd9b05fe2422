/**
 * The cluster-wide bucket table: a last-writer-wins map (per bucket, the entry with the larger
 * (updatedAtMs, updatedBy) wins). Its merge is commutative, associative and idempotent, so gossip
 * spreads it in any order. Property changes are rare operator actions, which is why LWW is fine
 * here while user data gets vector clocks.
 */
import { createHash } from 'node:crypto';
import type { NodeId } from '../ids.js';
import type { BucketProps } from './props.js';

export interface BucketEntry {
  readonly props: BucketProps;
  readonly updatedAtMs: number;
  readonly updatedBy: NodeId;
}

export type BucketTable = Readonly<Record<string, BucketEntry>>;

export const EMPTY_BUCKET_TABLE: BucketTable = Object.freeze({});

function newer(a: BucketEntry, b: BucketEntry): BucketEntry {
  if (a.updatedAtMs !== b.updatedAtMs) return a.updatedAtMs > b.updatedAtMs ? a : b;
  if (a.updatedBy !== b.updatedBy) return a.updatedBy > b.updatedBy ? a : b;
  return JSON.stringify(a.props) >= JSON.stringify(b.props) ? a : b;
}

export function mergeBucketTables(a: BucketTable, b: BucketTable): BucketTable {
  const out: Record<string, BucketEntry> = { ...a };
  for (const [name, entry] of Object.entries(b)) {
    const mine = out[name];
    out[name] = mine === undefined ? entry : newer(mine, entry);
  }
  return out;
}

export function setBucket(table: BucketTable, name: string, entry: BucketEntry): BucketTable {
  return mergeBucketTables(table, { [name]: entry });
}

export function bucketProps(table: BucketTable, name: string, defaults: BucketProps): BucketProps {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name]!.props : defaults;
}

/** Tables are immutable values, so a digest is computed once per table (heartbeats ask for it constantly). */
const digests = new WeakMap<BucketTable, string>();

export function bucketsDigest(table: BucketTable): string {
  let known = digests.get(table);
  if (known === undefined) {
    known = computeDigest(table);
    digests.set(table, known);
  }
  return known;
}

function computeDigest(table: BucketTable): string {
  const canonical = Object.keys(table)
    .sort()
    .map((name) => {
      const e = table[name]!;
      const p = e.props;
      return [name, e.updatedAtMs, e.updatedBy, p.n, p.r, p.w, p.conflict, p.strict, p.ttlMs ?? 0, p.type ?? 'kv'];
    });
  return createHash('md5').update(JSON.stringify(canonical)).digest('hex');
}
