/**
 * The one parser for a bucket table that came from outside the process (gossip, the data
 * directory). Each entry's properties pass the same rules as a change made through the HTTP API
 * (applyBucketChange), so a peer can never spread n=0 or w=0, or a conflict mode nobody knows; an
 * entry that fails is left out and named, and the rest of the table is kept.
 */
import { BUCKET_BYTES_MAX, BUCKETS_MAX, NODE_ID_BYTES_MAX } from '../limits.js';
import { parseStoredProps } from './props.js';
import type { BucketEntry, BucketTable } from './table.js';

export interface ParsedBucketTable {
  readonly table: BucketTable;
  /** One sentence per entry left out. */
  readonly refused: readonly string[];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isBucketName(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name, 'utf8') <= BUCKET_BYTES_MAX;
}

/** `maxN`: the ring's replicas per partition (a bucket's n can be at most that). */
export function parseBucketTable(raw: unknown, maxN: number): ParsedBucketTable {
  if (!isObject(raw)) return { table: {}, refused: ['the bucket table is not an object'] };
  const names = Object.keys(raw);
  if (names.length > BUCKETS_MAX) return { table: {}, refused: [`the bucket table lists ${names.length} buckets, more than ${BUCKETS_MAX}`] };
  const table: Record<string, BucketEntry> = {};
  const refused: string[] = [];
  for (const name of names) {
    const entry = parseEntry(raw[name], maxN);
    if (!isBucketName(name)) refused.push(`a bucket name of ${Buffer.byteLength(name, 'utf8')} bytes`);
    else if (typeof entry === 'string') refused.push(`bucket "${name}": ${entry}`);
    else table[name] = entry;
  }
  return { table, refused };
}

function parseEntry(raw: unknown, maxN: number): BucketEntry | string {
  if (!isObject(raw)) return 'entry is not an object';
  const { updatedAtMs, updatedBy } = raw;
  if (typeof updatedAtMs !== 'number' || !Number.isSafeInteger(updatedAtMs) || updatedAtMs < 0) return 'updatedAtMs is not a time';
  if (typeof updatedBy !== 'string' || updatedBy.length === 0 || Buffer.byteLength(updatedBy, 'utf8') > NODE_ID_BYTES_MAX) return 'updatedBy is not a node id';
  const props = parseStoredProps(raw.props, maxN);
  if (!props.ok) return props.error;
  return { props: props.props, updatedAtMs, updatedBy };
}
