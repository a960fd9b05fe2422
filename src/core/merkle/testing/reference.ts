/**
 * Test support: a deliberately simple reference model of a partition's tree (leaf hashes and
 * inner hashes recomputed from scratch from the set of items), item and edit generators, and the
 * edit applier shared by the tree and diff tests.
 */
import { hash } from 'node:crypto';
import fc from 'fast-check';
import { itemHash } from '../item.js';
import { leafIndex } from '../keyspace.js';
import { type MerkleShape, leafCount } from '../shape.js';
import { MerkleTree } from '../tree.js';

export interface Item {
  readonly key: Uint8Array;
  readonly digest: Uint8Array;
}

export type Edit =
  | { readonly kind: 'insert'; readonly key: Uint8Array; readonly digest: Uint8Array }
  | { readonly kind: 'change'; readonly pick: number; readonly digest: Uint8Array }
  | { readonly kind: 'delete'; readonly pick: number };

export type ItemSet = Map<string, Item>;

const arbDigest = fc.uint8Array({ minLength: 16, maxLength: 16 });
const arbKey = fc.uint8Array({ minLength: 1, maxLength: 12 });

export const arbItems = (maxLength: number, minLength = 0): fc.Arbitrary<Item[]> =>
  fc.uniqueArray(fc.record({ key: arbKey, digest: arbDigest }), { minLength, maxLength, selector: (i) => Buffer.from(i.key).toString('hex') });

export const arbEdits = (maxLength: number): fc.Arbitrary<Edit[]> =>
  fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), key: arbKey, digest: arbDigest }),
      fc.record({ kind: fc.constant('change' as const), pick: fc.nat(), digest: arbDigest }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    ),
    { maxLength },
  );

export const keyId = (key: Uint8Array): string => Buffer.from(key).toString('hex');
export const keyHashOf = (key: Uint8Array): Buffer => hash('md5', key, 'buffer');
export const leafOf = (key: Uint8Array, partitionBits: number, shape: MerkleShape): number =>
  leafIndex(keyHashOf(key), partitionBits, shape);

export function toSet(items: readonly Item[]): ItemSet {
  return new Map(items.map((i) => [keyId(i.key), i]));
}

export function buildTree(items: Iterable<Item>, partitionBits: number, shape: MerkleShape): MerkleTree {
  const tree = new MerkleTree(shape);
  for (const i of items) tree.toggle(leafOf(i.key, partitionBits, shape), itemHash(i.key, i.digest));
  return tree;
}

/**
 * Applies edits to `set` in place and reports each one as (key, old item hash, new item hash), the
 * way a storage engine would report a write. A change or delete picks an existing key by index.
 */
export function applyEdits(set: ItemSet, edits: readonly Edit[], report: (key: Uint8Array, before?: Uint8Array, after?: Uint8Array) => void): void {
  for (const edit of edits) {
    if (edit.kind === 'insert') {
      const before = set.get(keyId(edit.key));
      set.set(keyId(edit.key), { key: edit.key, digest: edit.digest });
      report(edit.key, before && itemHash(before.key, before.digest), itemHash(edit.key, edit.digest));
      continue;
    }
    if (set.size === 0) continue;
    const existing = [...set.values()][edit.pick % set.size]!;
    if (edit.kind === 'change') {
      set.set(keyId(existing.key), { key: existing.key, digest: edit.digest });
      report(existing.key, itemHash(existing.key, existing.digest), itemHash(existing.key, edit.digest));
    } else {
      set.delete(keyId(existing.key));
      report(existing.key, itemHash(existing.key, existing.digest), undefined);
    }
  }
}

/** Keys present in one set and not the other, or with different digests. */
export function changedKeys(a: ItemSet, b: ItemSet): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [id, item] of a) {
    const other = b.get(id);
    if (!other || !Buffer.from(other.digest).equals(item.digest)) out.push(item.key);
  }
  for (const [id, item] of b) if (!a.has(id)) out.push(item.key);
  return out;
}

/** Leaf hashes from scratch: XOR of item hashes per leaf, all leaves listed. */
export function referenceLeaves(set: ItemSet, partitionBits: number, shape: MerkleShape): Buffer[] {
  const leaves = Array.from({ length: leafCount(shape) }, () => Buffer.alloc(16));
  for (const item of set.values()) {
    const leaf = leaves[leafOf(item.key, partitionBits, shape)]!;
    const h = itemHash(item.key, item.digest);
    for (let i = 0; i < 16; i++) leaf[i]! ^= h[i]!;
  }
  return leaves;
}

/** The root from scratch, level by level: zero over all-zero children, else MD5 of their concatenation. */
export function referenceRoot(leaves: readonly Buffer[], shape: MerkleShape): Buffer {
  let level = leaves;
  for (let d = 0; d < shape.depth; d++) {
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += shape.fanout) {
      const children = Buffer.concat(level.slice(i, i + shape.fanout));
      up.push(children.every((b) => b === 0) ? Buffer.alloc(16) : hash('md5', children, 'buffer'));
    }
    level = up;
  }
  return level[0]!;
}

/** Leaves whose reference hashes differ between two sets. */
export function referenceDiff(a: ItemSet, b: ItemSet, partitionBits: number, shape: MerkleShape): number[] {
  const la = referenceLeaves(a, partitionBits, shape);
  const lb = referenceLeaves(b, partitionBits, shape);
  return la.flatMap((h, leaf) => (h.equals(lb[leaf]!) ? [] : [leaf]));
}
