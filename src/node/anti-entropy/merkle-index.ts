/**
 * One Merkle tree per partition over the data this node stores, kept up to date on every write,
 * repair and delete (an O(1) leaf update plus lazy rehash of the path), never rebuilt per sync.
 * Trees live in memory and are rebuilt from storage when the node starts: one scan of the data
 * keys, about 3 µs a key (docs/operations.md).
 *
 * An item is H(storage key, stored encoding), one MurmurHash3 (sibling-set encodings are canonical): two
 * replicas agree on a leaf exactly when they hold the same keys with the same sibling sets. The
 * LocalStore computes items as it writes (and keeps them with the values; see base-digest.ts) and
 * hands them over. Key counts per partition say what is held without hashing anything.
 */
import { DEFAULT_SHAPE, END_OF_RING, itemHash, leafBits, leafKeyRange, MerkleTree, readBits, type MerkleShape } from '../../core/merkle/index.js';
import { ALL_DATA } from '../keys.js';
import type { StorageView } from '../storage-view.js';

const DATA_TAG = 0x01;

export class MerkleIndex {
  private readonly trees = new Map<number, MerkleTree>();
  private readonly counts = new Map<number, number>();
  private readonly partitionBits: number;
  private readonly leafBits: number;

  constructor(
    readonly partitions: number,
    readonly shape: MerkleShape = DEFAULT_SHAPE,
  ) {
    this.partitionBits = Math.log2(partitions);
    this.leafBits = leafBits(shape);
  }

  /** Builds every tree from what storage holds. */
  static build(storage: StorageView, partitions: number, shape: MerkleShape = DEFAULT_SHAPE): MerkleIndex {
    const index = new MerkleIndex(partitions, shape);
    for (const { key, value } of storage.range(ALL_DATA.from, ALL_DATA.to)) index.change(key, undefined, itemHash(key, value));
    return index;
  }

  /** A data key's item changed from `before` to `after` (undefined: absent). Other keys are ignored. */
  change(key: Uint8Array, before: Uint8Array | undefined, after: Uint8Array | undefined): void {
    if (key[0] !== DATA_TAG || key.length < 17) return;
    // The key hash follows the tag byte: its first bits pick the partition, the next ones the leaf.
    const partition = readBits(key, 8, this.partitionBits);
    const leaf = readBits(key, 8 + this.partitionBits, this.leafBits);
    let tree = this.trees.get(partition);
    if (tree === undefined) {
      tree = new MerkleTree(this.shape);
      this.trees.set(partition, tree);
    }
    tree.replace(leaf, before, after);
    const delta = (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
    if (delta !== 0) this.counts.set(partition, (this.counts.get(partition) ?? 0) + delta);
  }

  /** The partition's tree (an empty one if nothing is stored there). */
  tree(partition: number): MerkleTree {
    return this.trees.get(partition) ?? new MerkleTree(this.shape);
  }

  /** Partitions in which this node stores at least one key. */
  heldPartitions(): number[] {
    return [...this.counts.entries()].filter(([, n]) => n > 0).map(([p]) => p).sort((a, b) => a - b);
  }

  /** Storage bounds [from, to) of one leaf's data keys. */
  leafRange(partition: number, leaf: number): { from: Buffer; to: Buffer } {
    const range = leafKeyRange(partition, this.partitionBits, leaf, this.shape);
    const from = Buffer.concat([Buffer.from([DATA_TAG]), range.from]);
    const to = range.to.equals(END_OF_RING) ? Buffer.from([DATA_TAG + 1]) : Buffer.concat([Buffer.from([DATA_TAG]), range.to]);
    return { from, to };
  }
}
