/**
 * The fixed shape of a partition's Merkle tree. Every replica of a partition must use the same
 * shape, or their trees cannot be compared node by node; the shape is therefore a cluster-wide
 * constant, like Q. A power-of-two fan-out makes every level a whole number of keyHash bits, so a
 * node at any level covers one contiguous keyHash range (see keyspace.ts).
 */
import { fail } from '../assert.js';

export interface MerkleShape {
  readonly fanout: number;
  readonly depth: number;
}

/** 16^3 = 4,096 leaves: about 64 KiB of leaf hashes per partition, three round trips per exchange. */
export const DEFAULT_SHAPE: MerkleShape = Object.freeze({ fanout: 16, depth: 3 });

/** Above this the leaf array alone passes 256 MiB per partition; no sane deployment wants that. */
export const MAX_LEAF_BITS = 24;

/** Bits of keyHash one level consumes: log2(fanout). */
export function fanoutBits(shape: MerkleShape): number {
  validateShape(shape);
  return Math.log2(shape.fanout);
}

/** Bits of keyHash (after the partition bits) that pick a leaf: log2(fanout^depth). */
export function leafBits(shape: MerkleShape): number {
  return fanoutBits(shape) * shape.depth;
}

export function leafCount(shape: MerkleShape): number {
  return 2 ** leafBits(shape);
}

export function validateShape(shape: MerkleShape): void {
  const { fanout, depth } = shape;
  if (!(Number.isInteger(fanout) && fanout >= 2 && (fanout & (fanout - 1)) === 0)) fail(`Merkle fanout must be a power of two >= 2, got ${fanout}`);
  if (!(Number.isInteger(depth) && depth >= 1)) fail(`Merkle depth must be an integer >= 1, got ${depth}`);
  if (Math.log2(fanout) * depth > MAX_LEAF_BITS) fail(`Merkle tree of fanout ${fanout} and depth ${depth} has more than 2^${MAX_LEAF_BITS} leaves`);
}

export function sameShape(a: MerkleShape, b: MerkleShape): boolean {
  return a.fanout === b.fanout && a.depth === b.depth;
}
