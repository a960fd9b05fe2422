/**
 * One partition's stored sets, a page at a time, for `dynamo backup`: the data keys, then the
 * hints this node holds for keys of the partition (a key whose primaries were all down lives only
 * in hints). Both ranges sort by the key's ring hash, so a page ends at a storage key and the next
 * one starts right after it: the cursor. The sets stay as stored (opaque versions codec bytes).
 */
import { assert } from '../../core/assert.js';
import { parseKey, partitionDataRange } from '../keys.js';
import type { StorageView } from '../storage-view.js';

export interface DumpedSet {
  readonly bucket: string;
  readonly key: string;
  readonly set: Uint8Array;
}

export interface PartitionPage {
  readonly sets: DumpedSet[];
  /** The storage key to continue after, or null when the partition is done. */
  readonly next: Uint8Array | null;
}

const HINT_TAG = 0x02;
/** A page ends once it holds this many bytes of sets (plus the one that crossed it), whatever `limit` says. */
export const PAGE_MAX_BYTES = 8 * 1024 * 1024;

function hintRange(data: { from: Buffer; to: Buffer }): { from: Buffer; to: Buffer } {
  const from = Buffer.from(data.from);
  from[0] = HINT_TAG;
  const to = data.to.length === 1 ? Buffer.from([HINT_TAG + 1]) : Buffer.from(data.to);
  if (to.length > 1) to[0] = HINT_TAG;
  return { from, to };
}

export function partitionPage(
  storage: StorageView,
  partition: number,
  partitions: number,
  after: Uint8Array | null,
  limit: number,
  buckets: ReadonlySet<string> | null,
): PartitionPage {
  assert(Number.isInteger(partition) && partition >= 0 && partition < partitions, 'the partition exists');
  assert(Number.isInteger(limit) && limit > 0, 'a page holds something');
  const data = partitionDataRange(partition, partitions);
  const sets: DumpedSet[] = [];
  const start = after === null ? null : Buffer.concat([after, Buffer.from([0])]);
  let scanned = 0;
  let bytes = 0;
  for (const range of [data, hintRange(data)]) {
    const from = start !== null && Buffer.compare(start, range.from) > 0 ? start : range.from;
    if (Buffer.compare(from, range.to) >= 0) continue;
    // `limit` bounds the keys looked at, not only those returned: a bucket filter that matches
    // little must not turn one page into a scan of the whole partition.
    for (const { key, value } of storage.range(from, range.to)) {
      const parsed = parseKey(key);
      if (parsed !== null && (buckets === null || buckets.has(parsed.bucket))) {
        sets.push({ bucket: parsed.bucket, key: parsed.key, set: Buffer.from(value) });
        bytes += value.length;
      }
      if (++scanned >= limit || bytes >= PAGE_MAX_BYTES) return { sets, next: Buffer.from(key) };
    }
  }
  return { sets, next: null };
}
