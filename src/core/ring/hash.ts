/**
 * Positions on the ring. A key's position is the MD5 of its bucket and key (the paper's choice), and
 * the ring is cut into Q equal fixed partitions (strategy 3), so a key's partition is simply the top
 * log2(Q) bits of its hash. The bucket is length-prefixed so that ("ab", "c") and ("a", "bc") never
 * collide by construction.
 */
import { createHash } from 'node:crypto';
import { assert, fail } from '../assert.js';
import { md5Into } from './md5.js';

/** The largest ring we support; partitionOf reads at most the first 16 bits of the hash. */
export const MAX_PARTITIONS = 1 << 16;

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 2 ** 30 && (n & (n - 1)) === 0;
}

export function isValidPartitionCount(partitions: number): boolean {
  return isPowerOfTwo(partitions) && partitions <= MAX_PARTITIONS;
}

export function assertPartitionCount(partitions: number): void {
  if (!isValidPartitionCount(partitions)) fail(`partition count must be a power of two in 1..${MAX_PARTITIONS}, got ${partitions}`);
}

/** log2(Q): how many leading bits of a hash name its partition. */
export function partitionBits(partitions: number): number {
  assertPartitionCount(partitions);
  return 31 - Math.clz32(partitions);
}

let keyScratch = Buffer.allocUnsafeSlow(1024);

/** MD5 of a 4-byte big-endian length of the UTF-8 bucket, the bucket, then the UTF-8 key: 16 bytes. */
export function keyHash(bucket: string, key: string): Buffer {
  // A reused input buffer and MD5 in JavaScript: this runs on every request, on the client and on
  // the node, and node:crypto costs 0.6 µs for it where md5.ts costs 0.15 µs.
  const bucketLength = Buffer.byteLength(bucket, 'utf8');
  const size = 4 + bucketLength + Buffer.byteLength(key, 'utf8');
  if (size > keyScratch.length) keyScratch = Buffer.allocUnsafeSlow(Math.max(size, keyScratch.length * 2));
  const input = keyScratch.subarray(0, size);
  input.writeUInt32BE(bucketLength, 0);
  input.write(bucket, 4, 'utf8');
  input.write(key, 4 + bucketLength, 'utf8');
  const out = Buffer.allocUnsafe(16);
  md5Into(input, size, out);
  return out;
}

/** MD5 of a UTF-8 text; used to give each node a stable, well-spread starting point on the ring. */
export function textHash(text: string): Buffer {
  return createHash('md5').update(text, 'utf8').digest();
}

/** The partition holding a hash: its top log2(Q) bits. */
export function partitionOf(hash: Uint8Array, partitions: number): number {
  const bits = partitionBits(partitions);
  assert(hash.length >= 3, 'a ring hash has at least 3 bytes');
  if (bits === 0) return 0;
  const top24 = (hash[0]! << 16) | (hash[1]! << 8) | hash[2]!;
  return top24 >>> (24 - bits);
}
