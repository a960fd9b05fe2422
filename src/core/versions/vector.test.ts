import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareVectors, counterOf, mergeVectors, type Order, type VersionVector } from './vector.js';
import { smallVectorArb, vectorArb } from './testing/arbitraries.js';

const mirror: Record<Order, Order> = { before: 'after', after: 'before', equal: 'equal', concurrent: 'concurrent' };
const anyVector = fc.oneof(smallVectorArb, vectorArb);

/** Pointwise definition, to check the single-walk implementation against. */
function referenceOrder(a: VersionVector, b: VersionVector): Order {
  const nodes = new Set([...a.map((p) => p[0]), ...b.map((p) => p[0])]);
  let le = true;
  let ge = true;
  for (const n of nodes) {
    if (counterOf(a, n) > counterOf(b, n)) le = false;
    if (counterOf(a, n) < counterOf(b, n)) ge = false;
  }
  return le && ge ? 'equal' : le ? 'before' : ge ? 'after' : 'concurrent';
}

const leq = (a: VersionVector, b: VersionVector): boolean => ['before', 'equal'].includes(compareVectors(a, b));

test('compareVectors agrees with the pointwise definition', () => {
  fc.assert(fc.property(anyVector, anyVector, (a, b) => assert.equal(compareVectors(a, b), referenceOrder(a, b))), { numRuns: 500 });
});

test('compareVectors is a partial order: reflexive, antisymmetric, transitive, and mirrored', () => {
  fc.assert(
    fc.property(smallVectorArb, smallVectorArb, smallVectorArb, (a, b, c) => {
      assert.equal(compareVectors(a, a), 'equal');
      assert.equal(compareVectors(b, a), mirror[compareVectors(a, b)]);
      if (leq(a, b) && leq(b, a)) assert.deepEqual(a, b);
      if (leq(a, b) && leq(b, c)) assert.ok(leq(a, c));
      if (compareVectors(a, b) === 'before' && compareVectors(b, c) === 'before') assert.equal(compareVectors(a, c), 'before');
    }),
    { numRuns: 1000 },
  );
});

test('mergeVectors is commutative, associative, idempotent and the least upper bound', () => {
  fc.assert(
    fc.property(anyVector, anyVector, anyVector, (a, b, c) => {
      const ab = mergeVectors(a, b);
      assert.deepEqual(ab, mergeVectors(b, a));
      assert.deepEqual(mergeVectors(ab, c), mergeVectors(a, mergeVectors(b, c)));
      assert.deepEqual(mergeVectors(a, a), a);
      assert.ok(leq(a, ab) && leq(b, ab));
      if (leq(a, c) && leq(b, c)) assert.ok(leq(ab, c));
    }),
    { numRuns: 500 },
  );
});

test('a vector missing a node is behind one that has it', () => {
  assert.equal(compareVectors([], [['a', 1]]), 'before');
  assert.equal(compareVectors([['a', 2]], [['a', 1], ['b', 1]]), 'concurrent');
  assert.equal(compareVectors([['a', 1], ['c', 3]], [['a', 1], ['b', 1], ['c', 3]]), 'before');
  assert.deepEqual(mergeVectors([['a', 2], ['c', 1]], [['b', 5], ['c', 4]]), [['a', 2], ['b', 5], ['c', 4]]);
});
