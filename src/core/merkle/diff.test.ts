import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diff, differingChildren } from './diff.js';
import type { MerkleTree } from './tree.js';
import { type MerkleShape, DEFAULT_SHAPE, leafCount } from './shape.js';
import { applyEdits, arbEdits, arbItems, buildTree, changedKeys, leafOf, referenceDiff, toSet } from './testing/reference.js';

const arbShape = fc.constantFrom<MerkleShape>(DEFAULT_SHAPE, { fanout: 4, depth: 3 }, { fanout: 2, depth: 6 }, { fanout: 16, depth: 1 });
const arbPartitionBits = fc.integer({ min: 0, max: 8 });

/** The exchange as two nodes would run it: one round trip per level, carrying child hashes of the nodes still differing. */
function remoteWalk(local: MerkleTree, remote: MerkleTree): number[] {
  if (Buffer.compare(local.root(), remote.root()) === 0) return [];
  let frontier = [0];
  for (let level = 0; level < local.shape.depth; level++) {
    frontier = frontier.flatMap((index) => differingChildren(local, level, index, remote.childHashes(level, index)));
  }
  return frontier;
}

/** Replica b starts as a copy of a, takes random edits; diff must name exactly the leaves of the keys that changed. */
const scenario = (maxItems: number, maxEdits: number) =>
  fc.record({ items: arbItems(maxItems), edits: arbEdits(maxEdits), shape: arbShape, pb: arbPartitionBits });

test('diff returns exactly the leaves of the changed keys, as the from-scratch reference says', () => {
  fc.assert(
    fc.property(scenario(120, 20), ({ items, edits, shape, pb }) => {
      const original = toSet(items);
      const a = buildTree(original.values(), pb, shape);
      const b = a.clone();
      const edited = toSet(items);
      applyEdits(edited, edits, (key, before, after) => b.replace(leafOf(key, pb, shape), before, after));
      const expected = [...new Set(changedKeys(original, edited).map((k) => leafOf(k, pb, shape)))].sort((x, y) => x - y);
      const result = diff(a, b);
      assert.deepEqual(result.leaves, expected);
      assert.deepEqual(result.leaves, referenceDiff(original, edited, pb, shape));
      assert.deepEqual(diff(b, a).leaves, expected);
      assert.deepEqual(remoteWalk(a, b), expected);
      assert.deepEqual(remoteWalk(b, a), expected);
      // Work bound: the root, then fanout comparisons under each differing inner node.
      const differingInner = expected.length === 0 ? 0 : 1 + (shape.depth - 1) * expected.length;
      assert.ok(result.hashesCompared <= 1 + shape.fanout * differingInner);
    }),
    { numRuns: 150 },
  );
});

test('few changes among many keys compare far fewer hashes than there are leaves', () => {
  fc.assert(
    fc.property(arbItems(3000, 1000), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (items, picks) => {
      const original = toSet(items);
      const a = buildTree(original.values(), 6, DEFAULT_SHAPE);
      const b = a.clone();
      const edited = toSet(items);
      applyEdits(edited, picks.map((pick, i) => ({ kind: 'change' as const, pick, digest: new Uint8Array(16).fill(i + 1) })), (key, before, after) =>
        b.replace(leafOf(key, 6, DEFAULT_SHAPE), before, after),
      );
      const result = diff(a, b);
      assert.deepEqual(result.leaves, referenceDiff(original, edited, 6, DEFAULT_SHAPE));
      assert.ok(result.hashesCompared < leafCount(DEFAULT_SHAPE) / 10, `compared ${result.hashesCompared}`);
    }),
    { numRuns: 15 },
  );
});

test('identical trees compare only their roots', () => {
  const a = buildTree([{ key: Buffer.from('x'), digest: Buffer.from('1') }], 0, DEFAULT_SHAPE);
  assert.deepEqual(diff(a, a.clone()), { leaves: [], hashesCompared: 1 });
});

test('an empty replica differs in every leaf the other one uses', () => {
  const items = Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`key-${i}`), digest: Buffer.from('d') }));
  const full = buildTree(items, 0, DEFAULT_SHAPE);
  const empty = buildTree([], 0, DEFAULT_SHAPE);
  const expected = [...new Set(items.map((i) => leafOf(i.key, 0, DEFAULT_SHAPE)))].sort((x, y) => x - y);
  assert.deepEqual(diff(full, empty).leaves, expected);
  assert.deepEqual(remoteWalk(empty, full), expected);
});

test('differingChildren rejects a remote answer of the wrong size', () => {
  const a = buildTree([], 0, { fanout: 4, depth: 2 });
  assert.throws(() => differingChildren(a, 0, 0, [new Uint8Array(16)]), /expected 4/);
  assert.throws(() => diff(a, buildTree([], 0, { fanout: 2, depth: 4 })), /same shape/);
});
