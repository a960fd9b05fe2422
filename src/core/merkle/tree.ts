/**
 * One partition's Merkle tree, maintained incrementally (Dynamo §4.7; riak_core's hashtree keeps
 * the same idea on disk). The tree has a fixed shape, so its nodes live in one flat array, level
 * by level: node i of level l has its children at level l+1, indexes i*fanout .. i*fanout+fanout-1,
 * which are adjacent, so hashing a node is one MD5 over one slice.
 *
 * Leaves are the source of truth: each is the XOR of the item hashes of its keys (item.ts), so a
 * write XORs one leaf and marks the leaf's ancestors dirty; nothing is hashed until someone reads
 * a hash. Dirtiness is closed upwards (a dirty node's parent is dirty), so marking stops at the
 * first ancestor already dirty and cleaning a node only descends into dirty children: a burst of
 * writes costs O(1) each and one root() afterwards hashes each touched inner node once. An inner
 * node whose children are all zero hashes to zero, so an empty tree (or subtree) has a zero hash
 * and costs no MD5.
 */
import { hash } from 'node:crypto';
import { fail } from '../assert.js';
import { ITEM_HASH_BYTES } from './item.js';
import { DEFAULT_SHAPE, type MerkleShape, fanoutBits, leafCount } from './shape.js';
import { decodeLeaves, encodeLeaves } from './codec.js';

const H = ITEM_HASH_BYTES;

export class MerkleTree {
  readonly shape: MerkleShape;
  /** Start (in nodes) of each level in `hashes`; levelStart[depth] is also the count of inner nodes. */
  private readonly levelStart: number[];
  private readonly hashes: Uint8Array;
  /** One flag per inner node; 1 means its stored hash is stale. */
  private readonly dirty: Uint8Array;
  private readonly bitsPerLevel: number;
  private readonly leaves: number;

  constructor(shape: MerkleShape = DEFAULT_SHAPE) {
    this.bitsPerLevel = fanoutBits(shape); // validates the shape
    this.shape = Object.freeze({ fanout: shape.fanout, depth: shape.depth });
    this.leaves = leafCount(shape);
    this.levelStart = [];
    let start = 0;
    for (let level = 0; level <= shape.depth; level++) {
      this.levelStart.push(start);
      start += shape.fanout ** level;
    }
    this.hashes = new Uint8Array(start * H);
    this.dirty = new Uint8Array(this.levelStart[shape.depth]!);
  }

  /** XORs item into the leaf: adding an item hash twice removes it. */
  toggle(leaf: number, item: Uint8Array): void {
    this.checkLeaf(leaf);
    if (item.length !== H) fail(`item hash must be ${H} bytes, got ${item.length}`);
    const at = (this.levelStart[this.shape.depth]! + leaf) * H;
    for (let i = 0; i < H; i++) this.hashes[at + i]! ^= item[i]!;
    this.markPathDirty(leaf);
  }

  /** One key's change in this leaf: its old item hash out (if it existed), its new one in (if it still exists). */
  replace(leaf: number, oldItem: Uint8Array | undefined, newItem: Uint8Array | undefined): void {
    if (oldItem !== undefined && newItem !== undefined && Buffer.compare(oldItem, newItem) === 0) return;
    if (oldItem !== undefined) this.toggle(leaf, oldItem);
    if (newItem !== undefined) this.toggle(leaf, newItem);
  }

  root(): Uint8Array {
    return this.nodeHash(0, 0);
  }

  /** A copy of the hash of node `index` at `level` (0 = root, depth = leaves). */
  nodeHash(level: number, index: number): Uint8Array {
    this.checkNode(level, index);
    if (level < this.shape.depth) this.clean(level, index);
    const at = (this.levelStart[level]! + index) * H;
    return this.hashes.slice(at, at + H);
  }

  leafHash(leaf: number): Uint8Array {
    this.checkLeaf(leaf);
    return this.nodeHash(this.shape.depth, leaf);
  }

  /** Copies of the hashes of the children (at level + 1) of node `index` at `level`. */
  childHashes(level: number, index: number): Uint8Array[] {
    const view = this.childHashView(level, index);
    const out: Uint8Array[] = [];
    for (let c = 0; c < this.shape.fanout; c++) out.push(view.slice(c * H, (c + 1) * H));
    return out;
  }

  /**
   * The children's hashes of a node as one fanout×16-byte view into the tree, without copying (for
   * diff). Read it before the next mutation, and never write to it.
   */
  childHashView(level: number, index: number): Uint8Array {
    this.checkNode(level, index);
    if (level >= this.shape.depth) fail(`leaves (level ${level}) have no children`);
    this.cleanChildren(level, index);
    const first = (this.levelStart[level + 1]! + index * this.shape.fanout) * H;
    return this.hashes.subarray(first, first + this.shape.fanout * H);
  }

  isEmpty(): boolean {
    return isZero(this.root());
  }

  clone(): MerkleTree {
    const copy = new MerkleTree(this.shape);
    copy.hashes.set(this.hashes);
    copy.dirty.set(this.dirty);
    return copy;
  }

  /** The leaves only (inner hashes are recomputed on demand), densely or sparsely, whichever is smaller. */
  serialize(): Uint8Array {
    return encodeLeaves(this.shape, this.leafSlice());
  }

  /** Rebuilds a tree from serialize()'s bytes; throws MerkleFormatError on malformed input. */
  static deserialize(bytes: Uint8Array): MerkleTree {
    const { shape, leaves } = decodeLeaves(bytes);
    const tree = new MerkleTree(shape);
    tree.leafSlice().set(leaves);
    tree.dirty.fill(1);
    return tree;
  }

  private leafSlice(): Uint8Array {
    return this.hashes.subarray(this.levelStart[this.shape.depth]! * H);
  }

  private markPathDirty(leaf: number): void {
    let index = leaf;
    for (let level = this.shape.depth - 1; level >= 0; level--) {
      index >>>= this.bitsPerLevel;
      const node = this.levelStart[level]! + index;
      if (this.dirty[node] === 1) return; // closed upwards: the rest of the path is dirty already
      this.dirty[node] = 1;
    }
  }

  private clean(level: number, index: number): void {
    const node = this.levelStart[level]! + index;
    if (this.dirty[node] === 0) return;
    this.cleanChildren(level, index);
    const first = (this.levelStart[level + 1]! + index * this.shape.fanout) * H;
    const children = this.hashes.subarray(first, first + this.shape.fanout * H);
    if (isZero(children)) this.hashes.fill(0, node * H, node * H + H);
    else this.hashes.set(hash('md5', children, 'buffer'), node * H);
    this.dirty[node] = 0;
  }

  private cleanChildren(level: number, index: number): void {
    if (level + 1 >= this.shape.depth) return; // children are leaves, never dirty
    const first = index * this.shape.fanout;
    for (let c = 0; c < this.shape.fanout; c++) this.clean(level + 1, first + c);
  }

  private checkLeaf(leaf: number): void {
    if (!(Number.isInteger(leaf) && leaf >= 0 && leaf < this.leaves)) fail(`leaf ${leaf} outside 0..${this.leaves - 1}`);
  }

  private checkNode(level: number, index: number): void {
    if (!(Number.isInteger(level) && level >= 0 && level <= this.shape.depth)) fail(`level ${level} outside 0..${this.shape.depth}`);
    const width = this.shape.fanout ** level;
    if (!(Number.isInteger(index) && index >= 0 && index < width)) fail(`node ${index} outside level ${level} (width ${width})`);
  }
}

export function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
