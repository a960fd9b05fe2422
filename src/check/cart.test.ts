/** The cart value codec and the version naming the checker relies on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cartValue, decodeCart, encodeCart, unionItems, versionsOf } from './cart.js';
import { covers, namesVersion, versionKey } from './versions.js';

test('a cart round-trips and always contains its own write id', () => {
  const id = fc.stringMatching(/^[a-z0-9.]{1,12}$/);
  fc.assert(
    fc.property(id, fc.array(id, { maxLength: 20 }), (writeId, seen) => {
      const cart = cartValue(writeId, seen);
      assert.ok(cart.items.includes(writeId));
      assert.deepEqual(decodeCart(encodeCart(cart)), cart);
    }),
    { numRuns: 200 },
  );
});

test('bytes that are not a cart decode to null and are skipped by the unions', () => {
  assert.equal(decodeCart(Buffer.from('hello')), null);
  assert.equal(decodeCart(Buffer.from('{"w":1,"i":[]}')), null);
  const carts = [encodeCart(cartValue('a', ['x'])), Buffer.from('junk'), encodeCart(cartValue('b', []))];
  assert.deepEqual([...unionItems(carts)].sort(), ['a', 'b', 'x']);
  assert.deepEqual(versionsOf([{ data: carts[0]!, timestampMs: 5 }, { data: null, timestampMs: 6 }]), [{ writeId: 'a', timestampMs: 5 }]);
});

test('versions are named by write id and timestamp; an unknown timestamp matches any', () => {
  const set = new Set([versionKey({ writeId: 'a', timestampMs: 5 }), versionKey({ writeId: 'b', timestampMs: null })]);
  assert.ok(namesVersion(set, { writeId: 'a', timestampMs: 5 }));
  assert.ok(!namesVersion(set, { writeId: 'a', timestampMs: 6 }), 'a second application of a is another version');
  assert.ok(namesVersion(set, { writeId: 'b', timestampMs: 9 }));
  assert.ok(namesVersion(set, { writeId: 'a', timestampMs: null }));
});

test('a context covers a write when it has seen every event of it (truncated contexts are given the benefit)', () => {
  assert.ok(covers([['n1', 3], ['n2', 1]], [['n1', 2]], 10));
  assert.ok(!covers([['n1', 1]], [['n1', 2]], 10));
  assert.ok(!covers([['n2', 5]], [['n1', 1]], 10));
  assert.ok(covers([['n2', 5]], [['n1', 1]], 1), 'n1 may have been truncated away');
});
