/**
 * Key listing, the replica side: one bounded step through a partition's data keys, which the
 * storage keeps sorted (by key hash, so a partition is one contiguous range). A step looks at no
 * more than SCAN_KEYS_MAX stored keys and returns at most `limit` live keys of the bucket, so a
 * page costs bounded memory and time whatever the bucket's size, and a bucket with few keys among
 * many others is listed in several steps instead of one long stall (Riak's list-keys folded the
 * whole ring at once). Deleted and expired keys are left out, by this replica's clock.
 */
import { assert } from '../../core/assert.js';
import { liveValues, readableValues, decodeSiblingSet } from '../../core/versions/index.js';
import { parseKey, partitionDataRange } from '../keys.js';
import type { StorageView } from '../storage-view.js';

/** Stored keys one step looks at, at most, and stored bytes it decodes (values can be a MiB each). */
export const SCAN_KEYS_MAX = 10_000;
export const SCAN_BYTES_MAX = 8 * 1024 * 1024;
/** The most keys a page may ask for. */
export const LIST_LIMIT_MAX = 10_000;
/** The longest data key (tag, hash, 128-byte bucket, 1 KiB key, their lengths), so the longest `after`. */
export const MAX_AFTER_BYTES = 1 + 16 + 2 + 128 + 2 + 1024;

/** An `after` from a peer or a cursor: a data key, no longer than one can be. */
export function validAfter(after: Uint8Array | null): boolean {
  return after === null || (after.length >= 17 && after.length <= MAX_AFTER_BYTES && after[0] === 0x01);
}

export interface ListStep {
  readonly keys: string[];
  /** The last data key looked at when the step stopped early; null at the partition's end. */
  readonly resumeAfter: Uint8Array | null;
}

export function listStep(
  storage: StorageView,
  partitions: number,
  bucket: string,
  partition: number,
  after: Uint8Array | null,
  limit: number,
  nowMs: number,
  crdt: boolean,
): ListStep {
  assert(limit >= 1 && Number.isInteger(partition) && partition >= 0 && partition < partitions, 'a step lists at least one key of an existing partition');
  const range = partitionDataRange(partition, partitions);
  const from = after === null ? range.from : successor(after);
  const keys: string[] = [];
  let scanned = 0;
  let bytes = 0;
  for (const { key, value } of storage.range(from, range.to, { limit: SCAN_KEYS_MAX })) {
    scanned++;
    const parsed = parseKey(key);
    if (parsed !== null && parsed.kind === 'data' && parsed.bucket === bucket) {
      bytes += value.length;
      if (isLive(value, nowMs, crdt)) keys.push(parsed.key);
    }
    if (keys.length >= limit || scanned >= SCAN_KEYS_MAX || bytes >= SCAN_BYTES_MAX) return { keys, resumeAfter: Buffer.from(key) };
  }
  return { keys, resumeAfter: null };
}

function isLive(encoded: Uint8Array, nowMs: number, crdt: boolean): boolean {
  try {
    const set = decodeSiblingSet(encoded);
    return crdt ? liveValues(set).length > 0 : readableValues(set, nowMs).length > 0;
  } catch {
    return false;
  }
}

/** The smallest key after `key`. */
export function successor(key: Uint8Array): Buffer {
  const out = Buffer.alloc(key.length + 1);
  out.set(key);
  return out;
}
