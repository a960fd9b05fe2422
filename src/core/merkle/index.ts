/** Incremental per-partition Merkle trees for anti-entropy (Dynamo §4.7). */
export { type MerkleShape, DEFAULT_SHAPE, MAX_LEAF_BITS, leafBits, leafCount, validateShape, sameShape } from './shape.js';
export { type KeyRange, END_OF_RING, leafIndex, leafKeyRange, inKeyRange, partitionOfKeyHash } from './keyspace.js';
export { ITEM_HASH_BYTES, itemHash } from './item.js';
export { MerkleTree } from './tree.js';
export { readBits } from './bits.js';
export { MerkleFormatError } from './codec.js';
export { type MerkleDiff, diff, differingChildren } from './diff.js';
