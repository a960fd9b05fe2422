/** IdTable against a Map, over random inserts, deletes and lookups, with ids that collide on purpose. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IdTable } from './id-table.js';

const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), id: fc.nat(40), value: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), id: fc.nat(8).map((n) => n * 64), value: fc.nat() }), // same home slot
  fc.record({ kind: fc.constant('delete' as const), id: fc.nat(40) }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.nat(8).map((n) => n * 64) }),
  fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 2 ** 32, max: 2 ** 40 }), value: fc.nat() }),
);

test('behaves as a Map under any sequence of sets and deletes', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const table = new IdTable<number>(4);
      const model = new Map<number, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          table.set(o.id, o.value);
          model.set(o.id, o.value);
        } else {
          assert.equal(table.delete(o.id), model.delete(o.id));
        }
        assert.equal(table.size, model.size);
      }
      for (let id = 0; id <= 40; id++) assert.equal(table.get(id), model.get(id));
      for (const id of model.keys()) assert.equal(table.get(id), model.get(id));
      const inIdOrder = [...model.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
      assert.deepEqual(table.values(), inIdOrder);
      table.clear();
      assert.equal(table.size, 0);
      for (const id of model.keys()) assert.equal(table.get(id), undefined);
    }),
  );
});

test('sequential ids in a sliding window, as requests in flight use them', () => {
  const table = new IdTable<string>(64);
  for (let id = 1; id <= 100_000; id++) {
    table.set(id, `r${id}`);
    if (id > 20) assert.ok(table.delete(id - 20));
  }
  assert.equal(table.size, 20);
  assert.equal(table.get(100_000), 'r100000');
  assert.equal(table.get(99_980), undefined);
});
