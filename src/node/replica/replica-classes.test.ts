/**
 * Replica classes and the per-class Merkle trees: a key's class is its bucket's n (clamped to the
 * ring, whatever gossip carries), the signature changes exactly when some key would be classed
 * otherwise, and per-class trees built from storage equal the ones kept up to date write by write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_BUCKET_PROPS, type BucketProps, type BucketTable } from '../../core/buckets/index.js';
import { itemHash } from '../../core/merkle/index.js';
import { createCrashableMemoryEngine } from '../../storage/memory.js';
import { dataKey, identify } from '../keys.js';
import { MerkleIndex } from '../anti-entropy/merkle-index.js';
import { holdsClass, ReplicaClasses } from './replica-classes.js';
import { DEFAULT_SHAPE } from '../../core/merkle/index.js';

const entry = (n: number): BucketTable[string] => ({ props: { ...DEFAULT_BUCKET_PROPS, n } as BucketProps, updatedAtMs: 1, updatedBy: 'n1' });

test('a key is classed by its bucket n, clamped to 1..N; the signature follows the classification only', () => {
  const table: BucketTable = { one: entry(1), two: entry(2), odd: entry(0), huge: entry(99), all: entry(3) };
  const c = new ReplicaClasses(table, DEFAULT_BUCKET_PROPS, 3);
  assert.deepEqual(['one', 'two', 'odd', 'huge', 'all', 'unknown'].map((b) => c.classOfBucket(b)), [1, 2, 1, 3, 3, 3]);
  assert.equal(c.classOfKey(dataKey(identify('one', 'k'))), 1);
  assert.equal(c.classOfKey(dataKey(identify('other', 'k'))), 3);
  assert.deepEqual(c.inUse, [1, 2, 3]);
  const same = new ReplicaClasses({ ...table, extra: entry(3) }, DEFAULT_BUCKET_PROPS, 3);
  assert.equal(same.signature, c.signature, 'a bucket at the ring N classes nothing differently');
  assert.notEqual(new ReplicaClasses({ ...table, one: entry(2) }, DEFAULT_BUCKET_PROPS, 3).signature, c.signature);
  assert.equal(new ReplicaClasses({}, DEFAULT_BUCKET_PROPS, 3).classOfKey(Buffer.from([1, 2])), 3, 'uniform: no parse at all');
});

test('the first n owners hold class n', () => {
  const owners = ['a', 'b', 'c'];
  assert.deepEqual([1, 2, 3].map((n) => owners.filter((o) => holdsClass(owners, o, n))), [['a'], ['a', 'b'], ['a', 'b', 'c']]);
  assert.equal(holdsClass(owners, 'z', 3), false);
});

test('per-class trees built from storage equal the trees kept incrementally, and classes do not mix', () => {
  const buckets = ['one', 'two', 'all'];
  const classes = new ReplicaClasses({ one: entry(1), two: entry(2) }, DEFAULT_BUCKET_PROPS, 3);
  const classOf = (key: Uint8Array): number => classes.classOfKey(key);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...buckets), fc.nat(40), fc.option(fc.nat(5))), { maxLength: 80 }), (ops) => {
      const engine = createCrashableMemoryEngine();
      const live = new MerkleIndex(8, DEFAULT_SHAPE, classOf);
      for (const [bucket, k, v] of ops) {
        const key = dataKey(identify(bucket, `k${k}`));
        const before = engine.get(key);
        const value = v === null ? null : Buffer.from(`v${v}`);
        live.change(key, before === undefined ? undefined : itemHash(key, before), value === null ? undefined : itemHash(key, value));
        engine.stage(key, value);
        engine.commitSync();
      }
      const built = MerkleIndex.build(engine, 8, DEFAULT_SHAPE, classOf);
      for (let p = 0; p < 8; p++) {
        for (const n of [1, 2, 3]) assert.deepEqual(built.tree(p, n).root(), live.tree(p, n).root(), `partition ${p} class ${n}`);
      }
      assert.deepEqual(built.heldClasses(), live.heldClasses());
      for (const h of built.heldClasses()) assert.ok([1, 2, 3].includes(h.n));
    }),
    { numRuns: 100 },
  );
});
