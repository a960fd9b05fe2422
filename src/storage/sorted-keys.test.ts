import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SortedKeys } from './sorted-keys.js';

/** The reference: a Set, sorted on demand. */
function expected(set: Set<string>, from: string, to: string, reverse: boolean): string[] {
  const keys = [...set].filter((k) => k >= from && k < to).sort();
  return reverse ? keys.reverse() : keys;
}

const keyArb = fc.string({ unit: fc.constantFrom('\x00', 'a', 'b', '\xff'), maxLength: 6 });
const opArb = fc.oneof(
  fc.record({ t: fc.constant('insert' as const), key: keyArb }),
  fc.record({ t: fc.constant('delete' as const), key: keyArb }),
  fc.record({ t: fc.constant('range' as const), from: keyArb, to: keyArb, reverse: fc.boolean() }),
);

test('SortedKeys agrees with a sorted Set, through chunk splits and merges', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
      const keys = new SortedKeys(4);
      const set = new Set<string>();
      for (const op of ops) {
        if (op.t === 'insert') {
          const fresh = !set.has(op.key);
          set.add(op.key);
          assert.equal(keys.insert(op.key), fresh);
        } else if (op.t === 'delete') assert.equal(keys.delete(op.key), set.delete(op.key));
        else {
          assert.deepEqual([...keys.iterate(op.from, op.to, op.reverse)], expected(set, op.from, op.to, op.reverse));
          assert.equal(keys.countRange(op.from, op.to), expected(set, op.from, op.to, false).length);
        }
        keys.invariants();
        assert.equal(keys.size, set.size);
      }
    }),
    { numRuns: 200 },
  );
});

test('SortedKeys with default chunks: 20k random inserts then deleting most keeps order', () => {
  const keys = new SortedKeys();
  const set = new Set<string>();
  let x = 12345;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const k = x.toString(36);
    keys.insert(k);
    set.add(k);
  }
  keys.invariants();
  let n = 0;
  for (const k of [...set]) {
    if (n++ % 10 === 0) continue;
    assert.ok(keys.delete(k));
    set.delete(k);
  }
  keys.invariants();
  assert.deepEqual([...keys.iterate('', '\uffff', false)], [...set].sort());
  assert.equal(keys.countRange('', '\uffff'), set.size);
});

test('fromSorted builds the same set as inserts, and later inserts and deletes keep it valid', () => {
  fc.assert(
    fc.property(fc.uniqueArray(keyArb, { maxLength: 200 }), fc.array(keyArb, { maxLength: 50 }), (initial, more) => {
      const sorted = [...initial].sort();
      const keys = SortedKeys.fromSorted(sorted, 4);
      keys.invariants();
      const set = new Set(sorted);
      assert.deepEqual([...keys.iterate('', '\xff\xff\xff\xff\xff\xff\xff', false)], expected(set, '', '\xff\xff\xff\xff\xff\xff\xff', false));
      for (const [i, key] of more.entries()) {
        if (i % 2 === 0) {
          assert.equal(keys.insert(key), !set.has(key));
          set.add(key);
        } else assert.equal(keys.delete(key), set.delete(key));
        keys.invariants();
      }
      assert.equal(keys.size, set.size);
      assert.deepEqual([...keys.iterate('', '\xff\xff\xff\xff\xff\xff\xff', true)], expected(set, '', '\xff\xff\xff\xff\xff\xff\xff', true));
    }),
  );
  assert.throws(() => SortedKeys.fromSorted(['b', 'a']));
});
