/**
 * Names the copy a write was made from. A coordinator sends it with each replica write
 * (ReplicaWrite.base); a replica whose own copy has the same digest knows the write supersedes
 * exactly what it holds (the law tested in core/versions/supersedes.test.ts) and stores it
 * without decoding either set. MurmurHash3 x86_128 of the stored bytes: sibling-set encodings
 * are canonical, so equal copies have equal digests, and different ones differ but with
 * probability 2^-128; 0.2 µs for a few hundred bytes, against a microsecond or more to decode
 * and merge two sets.
 */
import { murmur3x86128 } from '../core/merkle/murmur3.js';

/** The base of a write made from no copy (a key new to the coordinator). */
const NO_COPY = new Uint8Array(0);

export function baseDigest(stored: Uint8Array | undefined): Uint8Array {
  return stored === undefined ? NO_COPY : murmur3x86128(stored);
}

export function sameBase(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
