/**
 * Where a key falls in its partition's tree. A keyHash is read as a 128-bit big-endian number:
 * its top `partitionBits` bits pick the partition (the ring's Q = 2^partitionBits fixed ranges),
 * and the next log2(leaves) bits pick the leaf. Because storage orders data by keyHash, one leaf is
 * one contiguous range scan, which is what lets an exchange fetch exactly the keys of a differing
 * leaf without reading the partition.
 *
 * Range convention (leafKeyRange): `from` is inclusive and `to` exclusive, both compared
 * byte-wise (Buffer.compare) with the 16-byte keyHash. `from` is always 16 bytes. `to` is the
 * 16-byte start of the next leaf, except for the very last leaf of the ring (last partition, last
 * leaf), where no 16-byte value is above every keyHash: there `to` is END_OF_RING, the 17 bytes
 * ff×16 00, the least byte string greater than every 16-byte keyHash. A storage key that extends
 * the keyHash (keyHash ‖ bucket ‖ key) is in range exactly when its first 16 bytes are; comparing
 * whole extended keys against `to` is exact too, except for the one keyHash ff×16 in the last leaf.
 */
import { assert, fail } from '../assert.js';
import { KEY_HASH_BYTES, incrementPrefix, readBits, writeBits } from './bits.js';
import { type MerkleShape, leafBits, leafCount } from './shape.js';

/** The exclusive upper bound of the last leaf of the ring: greater, byte-wise, than every 16-byte keyHash. */
export const END_OF_RING: Buffer = Buffer.concat([Buffer.alloc(KEY_HASH_BYTES, 0xff), Buffer.alloc(1)]);

export interface KeyRange {
  readonly from: Buffer;
  readonly to: Buffer;
}

function checkPartitionBits(partitionBits: number, shape: MerkleShape): void {
  if (!(Number.isInteger(partitionBits) && partitionBits >= 0 && partitionBits <= 32)) fail(`partitionBits must be an integer in 0..32, got ${partitionBits}`);
  assert(partitionBits + leafBits(shape) <= KEY_HASH_BYTES * 8, 'partition and leaf bits exceed the 128-bit keyHash');
}

/** The leaf of keyHash in its partition's tree: the log2(leaves) bits right after the partition bits. */
export function leafIndex(keyHash: Uint8Array, partitionBits: number, shape: MerkleShape): number {
  checkPartitionBits(partitionBits, shape);
  if (keyHash.length !== KEY_HASH_BYTES) fail(`keyHash must be ${KEY_HASH_BYTES} bytes, got ${keyHash.length}`);
  return readBits(keyHash, partitionBits, leafBits(shape));
}

/** The partition of keyHash: its top partitionBits bits (the ring owns this; repeated here for range checks). */
export function partitionOfKeyHash(keyHash: Uint8Array, partitionBits: number): number {
  if (keyHash.length !== KEY_HASH_BYTES) fail(`keyHash must be ${KEY_HASH_BYTES} bytes, got ${keyHash.length}`);
  return readBits(keyHash, 0, partitionBits);
}

/** The keyHash range [from, to) of one leaf of one partition; see the file comment for the convention. */
export function leafKeyRange(partition: number, partitionBits: number, leaf: number, shape: MerkleShape): KeyRange {
  checkPartitionBits(partitionBits, shape);
  if (!(Number.isInteger(partition) && partition >= 0 && partition < 2 ** partitionBits)) fail(`partition ${partition} outside 0..2^${partitionBits}`);
  if (!(Number.isInteger(leaf) && leaf >= 0 && leaf < leafCount(shape))) fail(`leaf ${leaf} outside the tree`);
  const bits = leafBits(shape);
  const from = Buffer.alloc(KEY_HASH_BYTES);
  writeBits(from, 0, partitionBits, partition);
  writeBits(from, partitionBits, bits, leaf);
  const to = Buffer.from(from);
  const wrapped = incrementPrefix(to, partitionBits + bits);
  return { from, to: wrapped ? Buffer.from(END_OF_RING) : to };
}

/** Whether keyHash (or the first 16 bytes of a longer storage key) falls in range. */
export function inKeyRange(keyHash: Uint8Array, range: KeyRange): boolean {
  const head = keyHash.subarray(0, KEY_HASH_BYTES);
  return Buffer.compare(head, range.from) >= 0 && Buffer.compare(head, range.to) < 0;
}
