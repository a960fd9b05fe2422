/**
 * Which owners of a partition hold a bucket's keys. The ring keeps N owners per partition (its
 * preference list); a bucket with `n` below N lives on the first n of them only, on every path:
 * the coordinator's placement, read repair, hinted handoff, anti-entropy, partition transfer and
 * tombstone reaping. A key's replica class is its bucket's n (clamped to 1..N), and the Merkle
 * index keeps one tree per partition and class (merkle-index.ts says why), so that:
 *
 * - anti-entropy of class n runs only between two owners that both rank below n;
 * - an owner that ranks at or beyond n and holds keys of class n (it received them before the
 *   bucket's n was lowered, or as data for an owner that left) hands them to the first n owners
 *   and deletes its copy once they all confirmed, as a transfer does;
 * - a node never merges a set for a key it does not rank below n for, from any exchange.
 *
 * So raising a bucket's n fills the new owners by anti-entropy, and lowering it removes the
 * copies beyond the first n once those hold them (docs/operations.md).
 */
import { bucketProps, type BucketProps, type BucketTable } from '../../core/buckets/index.js';
import { assert } from '../../core/assert.js';
import type { NodeId } from '../../core/ids.js';
import { bucketOfDataKey } from '../keys.js';

export class ReplicaClasses {
  /** Distinct classes some bucket (or the default) has, ascending. */
  readonly inUse: readonly number[];
  /** Equal for two values exactly when they classify every key alike (a change means: rebuild the trees). */
  readonly signature: string;
  /** True when every bucket has the ring's N: then no key needs its bucket read. */
  private readonly uniform: boolean;

  constructor(
    private readonly table: BucketTable,
    private readonly defaults: BucketProps,
    readonly ringN: number,
  ) {
    assert(Number.isInteger(ringN) && ringN >= 1, 'the ring keeps at least one replica');
    const special = Object.keys(table)
      .filter((b) => this.classOfBucket(b) !== ringN)
      .sort()
      .map((b) => `${b}=${this.classOfBucket(b)}`);
    const defaultClass = this.clamp(defaults.n);
    this.uniform = special.length === 0 && defaultClass === ringN;
    this.signature = `${ringN}/${defaultClass}/${special.join(',')}`;
    const classes = new Set([defaultClass, ...Object.keys(table).map((b) => this.classOfBucket(b))]);
    this.inUse = [...classes].sort((a, b) => a - b);
  }

  classOfBucket(bucket: string): number {
    return this.clamp(bucketProps(this.table, bucket, this.defaults).n);
  }

  /** The class of a data key (the ring's N for a key whose bucket cannot be read). */
  classOfKey(dataKey: Uint8Array): number {
    if (this.uniform) return this.ringN;
    const bucket = bucketOfDataKey(dataKey);
    return bucket === null ? this.ringN : this.classOfBucket(bucket);
  }

  /** Props that arrive by gossip are not trusted to be in range: n is kept within 1..N. */
  private clamp(n: number): number {
    return Number.isInteger(n) ? Math.min(this.ringN, Math.max(1, n)) : this.ringN;
  }
}

/** Where `node` ranks among a partition's owners (0 first), or -1 when it is not one. */
export function rankOf(owners: readonly NodeId[], node: NodeId): number {
  return owners.indexOf(node);
}

/** True when `node` is among the first n owners: it holds keys of class n of the partition. */
export function holdsClass(owners: readonly NodeId[], node: NodeId, n: number): boolean {
  const rank = owners.indexOf(node);
  return rank >= 0 && rank < n;
}
