/**
 * Names the copy a write was made from. A coordinator sends it with each replica write
 * (ReplicaWrite.base); a replica whose own copy has the same digest knows the write supersedes
 * exactly what it holds (the law tested in core/versions/supersedes.test.ts) and stores it
 * without decoding either set.
 *
 * A stored copy's digest is its Merkle item hash, MurmurHash3 x86_128 of the storage key and the
 * stored bytes (LocalStore.copyDigest): sibling-set encodings are canonical, so equal copies of a
 * key have equal digests, and different ones differ but with probability 2^-128. Every write
 * computes it for the Merkle tree anyway, and the log engine keeps it beside the key
 * (StorageEngine.digestOf), so a replica compares without reading its copy. Nodes before this
 * hashed the bytes alone; the two kinds never match except as NO_COPY on both sides, where storing
 * the write as it came is right either way, so a mixed cluster only loses the fast path.
 */

/** The base of a write made from no copy (a key new to the coordinator). */
export const NO_COPY = new Uint8Array(0);

export function sameBase(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
