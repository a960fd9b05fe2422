import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyBucketChange, DEFAULT_BUCKET_PROPS } from './props.js';
import { bucketsDigest, mergeBucketTables, type BucketTable } from './table.js';

const entry = fc.record({
  props: fc.record({
    n: fc.integer({ min: 1, max: 3 }),
    r: fc.constant(1),
    w: fc.constant(1),
    conflict: fc.constantFrom('siblings' as const, 'lww' as const),
    strict: fc.boolean(),
  }),
  updatedAtMs: fc.integer({ min: 0, max: 5 }),
  updatedBy: fc.constantFrom('a', 'b', 'c'),
});
const table: fc.Arbitrary<BucketTable> = fc.dictionary(fc.constantFrom('x', 'y', 'z'), entry);
const same = (a: BucketTable, b: BucketTable): boolean => bucketsDigest(a) === bucketsDigest(b);

test('bucket table merge is commutative, associative and idempotent', () => {
  fc.assert(
    fc.property(table, table, table, (a, b, c) => {
      assert.ok(same(mergeBucketTables(a, b), mergeBucketTables(b, a)));
      assert.ok(same(mergeBucketTables(mergeBucketTables(a, b), c), mergeBucketTables(a, mergeBucketTables(b, c))));
      assert.ok(same(mergeBucketTables(a, a), a));
    }),
  );
});

test('bucket changes are validated with readable errors', () => {
  const ok = applyBucketChange(DEFAULT_BUCKET_PROPS, { n: 3, r: 1, w: 3, conflict: 'lww' }, 3);
  assert.deepEqual(ok, { ok: true, props: { n: 3, r: 1, w: 3, conflict: 'lww', strict: false } });
  const bad = [
    [null, 'JSON object'],
    [[1], 'JSON object'],
    [{ x: 1 }, 'unknown bucket property "x"'],
    [{ n: 0 }, 'positive integer'],
    [{ r: 2.5 }, 'positive integer'],
    [{ conflict: 'merge' }, '"conflict" must be'],
    [{ w: 4 }, 'cannot exceed'],
    [{ n: 5 }, 'at most 3'],
    [{ strict: 'yes' }, '"strict" must be'],
  ] as const;
  for (const [change, phrase] of bad) {
    const result = applyBucketChange(DEFAULT_BUCKET_PROPS, change, 3);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, new RegExp(phrase.replace(/[[\]"{}]/g, '.')));
  }
});
