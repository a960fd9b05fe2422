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
 *
 * Replica classes. A bucket whose `n` is below the ring's N lives on the first n owners of each
 * partition only, so two owners of a partition agree on all its keys only when they both rank
 * among the first n for every key. One tree per partition over every key would then differ between
 * such owners forever, and every exchange would walk down to those keys and list them again. So the
 * index keeps one tree per (partition, class), the class of a key being its bucket's n (`classOf`):
 * an exchange of class n runs only between owners that both rank below n, and compares trees that
 * converge to equal. Every tree stays incremental; with every bucket at the ring's N (the usual
 * case) there is one tree per partition, as before. A change of some bucket's n reclassifies its
 * keys: the node rebuilds the index then (one scan of the data keys), which bucket changes are rare
 * enough to afford.
 */
import { DEFAULT_SHAPE, END_OF_RING, itemHash, leafBits, leafKeyRange, MerkleTree, readBits, type MerkleShape } from '../../core/merkle/index.js';
import { assert } from '../../core/assert.js';
import { ALL_DATA } from '../keys.js';
import type { StorageView } from '../storage-view.js';

const DATA_TAG = 0x01;

/** The replica class of a data key (its bucket's n, 0..MAX_CLASS); one class for all when not given. */
export type ClassOf = (dataKey: Uint8Array) => number;

/** Classes are bucket n values, which the ring bounds (config: at most 16 replicas). */
export const MAX_CLASS = 31;
const SINGLE_CLASS: ClassOf = () => 0;

/** A partition and a replica class with data held here. */
export interface HeldClass {
  readonly partition: number;
  readonly n: number;
}

export class MerkleIndex {
  /** By partition * (MAX_CLASS + 1) + class. */
  private readonly trees = new Map<number, MerkleTree>();
  private readonly counts = new Map<number, number>();
  private readonly partitionBits: number;
  private readonly leafBits: number;

  constructor(
    readonly partitions: number,
    readonly shape: MerkleShape = DEFAULT_SHAPE,
    readonly classOf: ClassOf = SINGLE_CLASS,
  ) {
    this.partitionBits = Math.log2(partitions);
    this.leafBits = leafBits(shape);
  }

  /** Builds every tree from what storage holds. */
  static build(storage: StorageView, partitions: number, shape: MerkleShape = DEFAULT_SHAPE, classOf: ClassOf = SINGLE_CLASS): MerkleIndex {
    const index = new MerkleIndex(partitions, shape, classOf);
    for (const { key, value } of storage.range(ALL_DATA.from, ALL_DATA.to)) index.change(key, undefined, itemHash(key, value));
    return index;
  }

  /** A data key's item changed from `before` to `after` (undefined: absent). Other keys are ignored. */
  change(key: Uint8Array, before: Uint8Array | undefined, after: Uint8Array | undefined): void {
    if (key[0] !== DATA_TAG || key.length < 17) return;
    // The key hash follows the tag byte: its first bits pick the partition, the next ones the leaf.
    const partition = readBits(key, 8, this.partitionBits);
    const leaf = readBits(key, 8 + this.partitionBits, this.leafBits);
    const slot = partition * (MAX_CLASS + 1) + this.classOf(key);
    let tree = this.trees.get(slot);
    if (tree === undefined) {
      tree = new MerkleTree(this.shape);
      this.trees.set(slot, tree);
    }
    tree.replace(leaf, before, after);
    const delta = (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
    if (delta !== 0) this.counts.set(slot, (this.counts.get(slot) ?? 0) + delta);
  }

  /** The tree of one class of the partition (an empty one if nothing of it is stored here). */
  tree(partition: number, n = 0): MerkleTree {
    assert(Number.isInteger(n) && n >= 0 && n <= MAX_CLASS, 'a replica class is a bucket n');
    return this.trees.get(partition * (MAX_CLASS + 1) + n) ?? new MerkleTree(this.shape);
  }

  /** Partitions in which this node stores at least one key. */
  heldPartitions(): number[] {
    return [...new Set(this.heldClasses().map((h) => h.partition))];
  }

  /** Every (partition, class) with at least one key stored here, in partition order. */
  heldClasses(): HeldClass[] {
    const out: HeldClass[] = [];
    for (const [slot, count] of this.counts) {
      if (count > 0) out.push({ partition: Math.floor(slot / (MAX_CLASS + 1)), n: slot % (MAX_CLASS + 1) });
    }
    return out.sort((a, b) => a.partition - b.partition || a.n - b.n);
  }

  /** Storage bounds [from, to) of one leaf's data keys. */
  leafRange(partition: number, leaf: number): { from: Buffer; to: Buffer } {
    const range = leafKeyRange(partition, this.partitionBits, leaf, this.shape);
    const from = Buffer.concat([Buffer.from([DATA_TAG]), range.from]);
    const to = range.to.equals(END_OF_RING) ? Buffer.from([DATA_TAG + 1]) : Buffer.concat([Buffer.from([DATA_TAG]), range.to]);
    return { from, to };
  }
}
