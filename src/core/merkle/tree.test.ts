import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MerkleTree } from './tree.js';
import { MerkleFormatError } from './codec.js';
import { itemHash } from './item.js';
import { type MerkleShape, DEFAULT_SHAPE, leafCount } from './shape.js';
import { applyEdits, arbEdits, arbItems, buildTree, leafOf, referenceLeaves, referenceRoot, toSet } from './testing/reference.js';
import { seededRng } from '../random.js';

const arbShape = fc.constantFrom<MerkleShape>(DEFAULT_SHAPE, { fanout: 4, depth: 3 }, { fanout: 2, depth: 5 }, { fanout: 8, depth: 1 });
const arbPartitionBits = fc.integer({ min: 0, max: 8 });

function allHashes(tree: MerkleTree): string[] {
  const out = [Buffer.from(tree.root()).toString('hex')];
  for (let level = 0; level < tree.shape.depth; level++) {
    for (let i = 0; i < tree.shape.fanout ** level; i++) {
      out.push(...tree.childHashes(level, i).map((h) => Buffer.from(h).toString('hex')));
    }
  }
  return out;
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rng = seededRng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('an empty tree has a zero root and is empty', () => {
  const tree = new MerkleTree();
  assert.deepEqual(Buffer.from(tree.root()), Buffer.alloc(16));
  assert.ok(tree.isEmpty());
  const item = itemHash(Buffer.from('k'), Buffer.from('v1'));
  tree.toggle(7, item);
  assert.ok(!tree.isEmpty());
  tree.toggle(7, item);
  assert.ok(tree.isEmpty());
});

test('order independence: any insertion order gives the same root', () => {
  fc.assert(
    fc.property(arbItems(60), arbShape, arbPartitionBits, fc.integer(), (items, shape, pb, seed) => {
      const a = buildTree(items, pb, shape);
      const b = buildTree(shuffled(items, seed), pb, shape);
      assert.deepEqual(a.root(), b.root());
    }),
    { numRuns: 100 },
  );
});

test('incremental equals rebuild, and both equal the from-scratch reference', () => {
  fc.assert(
    fc.property(arbItems(80), arbEdits(40), arbShape, arbPartitionBits, fc.integer(), (items, edits, shape, pb, seed) => {
      const set = toSet(items);
      const tree = buildTree(set.values(), pb, shape);
      const rng = seededRng(seed);
      applyEdits(set, edits, (key, before, after) => {
        tree.replace(leafOf(key, pb, shape), before, after);
        if (rng.int(4) === 0) tree.root(); // interleave reads so cached inner hashes must be invalidated
      });
      const rebuilt = buildTree(set.values(), pb, shape);
      assert.deepEqual(allHashes(tree), allHashes(rebuilt));
      const leaves = referenceLeaves(set, pb, shape);
      leaves.forEach((h, leaf) => assert.deepEqual(Buffer.from(tree.leafHash(leaf)), h));
      assert.deepEqual(Buffer.from(tree.root()), referenceRoot(leaves, shape));
      assert.equal(tree.isEmpty(), set.size === 0);
    }),
    { numRuns: 100 },
  );
});

test('serialize round-trip keeps every hash, dense and sparse', () => {
  fc.assert(
    fc.property(arbItems(300), arbShape, arbPartitionBits, (items, shape, pb) => {
      const tree = buildTree(items, pb, shape);
      const bytes = tree.serialize();
      assert.ok(bytes.length <= 4 + leafCount(shape) * 16);
      const back = MerkleTree.deserialize(bytes);
      assert.deepEqual(back.shape, shape);
      assert.deepEqual(allHashes(back), allHashes(tree));
      assert.deepEqual(back.serialize(), bytes);
    }),
    { numRuns: 60 },
  );
});

test('a mostly empty tree serializes sparsely', () => {
  const tree = new MerkleTree(DEFAULT_SHAPE);
  assert.equal(tree.serialize().length, 8);
  tree.toggle(4095, itemHash(Buffer.from('a'), Buffer.from('b')));
  assert.equal(tree.serialize().length, 8 + 20);
});

test('deserialize rejects malformed bytes with a MERKLE_FORMAT error', () => {
  const good = buildTree([{ key: Buffer.from('a'), digest: Buffer.from('d') }], 0, DEFAULT_SHAPE).serialize();
  const bad: Uint8Array[] = [
    new Uint8Array(2),
    Buffer.from([9, 4, 3, 1, 0, 0, 0, 0]),
    Buffer.from([1, 0, 3, 1, 0, 0, 0, 0]),
    Buffer.from([1, 4, 3, 7, 0, 0, 0, 0]),
    good.subarray(0, good.length - 1),
    Buffer.from([1, 4, 3, 0, 1, 2, 3]),
  ];
  for (const bytes of bad) {
    assert.throws(() => MerkleTree.deserialize(bytes), (e: unknown) => e instanceof MerkleFormatError && e.code === 'MERKLE_FORMAT');
  }
});

test('replace with an equal old and new item changes nothing', () => {
  const tree = new MerkleTree({ fanout: 4, depth: 2 });
  const item = itemHash(Buffer.from('k'), Buffer.from('v'));
  tree.replace(3, undefined, item);
  const root = tree.root();
  tree.replace(3, item, Buffer.from(item));
  assert.deepEqual(tree.root(), root);
  tree.replace(3, item, undefined);
  assert.ok(tree.isEmpty());
});

test('misuse is an assertion, not silent corruption', () => {
  const tree = new MerkleTree({ fanout: 4, depth: 2 });
  assert.throws(() => tree.toggle(16, new Uint8Array(16)), /leaf 16/);
  assert.throws(() => tree.toggle(0, new Uint8Array(15)), /16 bytes/);
  assert.throws(() => tree.childHashes(2, 0), /no children/);
  assert.throws(() => new MerkleTree({ fanout: 3, depth: 2 }), /power of two/);
  assert.throws(() => new MerkleTree({ fanout: 16, depth: 7 }), /more than/);
});
