/**
 * What a leaf summarises: one 16-byte item hash per stored key, H(key, version digest). Leaves
 * XOR their items, so the leaf hash depends on the set of (key, version) pairs and not on the
 * order they were written in, and a write is an O(1) XOR out of the old item and in of the new.
 * The key's length is hashed first so that no (key, digest) pair can collide with another split
 * of the same bytes. What "key bytes" and "version digest" are is the caller's choice (for example
 * bucket ‖ key, and a hash of the encoded sibling set); replicas must only agree on it.
 */
import { assert } from '../assert.js';
import { murmur3x86128 } from './murmur3.js';

export const ITEM_HASH_BYTES = 16;

/** Reused for every item that fits (the hash reads it synchronously): two items per write, no garbage. */
let scratch = Buffer.allocUnsafeSlow(4096);

export function itemHash(key: Uint8Array, versionDigest: Uint8Array): Uint8Array {
  assert(key.length <= 0xffff_ffff, 'key longer than 2^32 bytes');
  const size = 4 + key.length + versionDigest.length;
  if (size > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2));
  const input = scratch.subarray(0, size);
  input.writeUInt32BE(key.length, 0);
  input.set(key, 4);
  input.set(versionDigest, 4 + key.length);
  return murmur3x86128(input);
}
