import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { siblingSetProblem } from './invariants.js';
import { context, equalSets, sync, values } from './sibling-set.js';
import { truncate } from './truncate.js';
import { equalVersions, version } from './value.js';
import { nodeArb, siblingSetArb } from './testing/arbitraries.js';
import { commandsArb, runWorld, threeSetsArb } from './testing/world.js';

test('truncation keeps every value and drops the oldest entries that hold none, down to maxEntries', () => {
  fc.assert(
    fc.property(siblingSetArb, fc.integer({ min: 1, max: 6 }), nodeArb, (s, max, keep) => {
      const t = truncate(s, max, keep);
      assert.equal(siblingSetProblem(t), null);
      assert.deepEqual(values(t), values(s));
      const droppable = s.entries.filter((e) => e.values.length === 0 && e.node !== keep);
      const expected = Math.min(s.entries.length, Math.max(max, s.entries.length - droppable.length));
      assert.equal(t.entries.length, expected);
      const dropped = s.entries.filter((e) => !t.entries.includes(e));
      for (const d of dropped) {
        assert.ok(d.values.length === 0 && d.node !== keep);
        for (const k of droppable) if (t.entries.includes(k)) assert.ok(d.timestampMs <= k.timestampMs);
      }
    }),
    { numRuns: 300 },
  );
});

test('the oldest entry without siblings goes; entries holding siblings and keepNode stay', () => {
  const s = {
    entries: [
      { node: 'a', counter: 4, values: [version(Buffer.from('x'), 10)], timestampMs: 10 },
      { node: 'b', counter: 2, values: [], timestampMs: 30 },
      { node: 'c', counter: 1, values: [], timestampMs: 20 },
      { node: 'd', counter: 7, values: [], timestampMs: 5 },
    ],
    anonymous: [],
  };
  assert.deepEqual(context(truncate(s, 3)), [['a', 4], ['b', 2], ['c', 1]]);
  assert.deepEqual(context(truncate(s, 3, 'd')), [['a', 4], ['b', 2], ['d', 7]]);
  assert.deepEqual(context(truncate(s, 1)), [['a', 4]]);
  assert.equal(truncate(s, 4), s);
});

const truncating = fc.constantFrom(1, 2);

test('with truncating replicas, sync is still commutative, associative and idempotent', () => {
  fc.assert(
    fc.property(truncating.chain((maxEntries) => threeSetsArb({ maxEntries })), ([a, b, c]) => {
      assert.ok(equalSets(sync(a, b), sync(b, a)));
      assert.ok(equalSets(sync(sync(a, b), c), sync(a, sync(b, c))));
      assert.ok(equalSets(sync(a, a), a));
      assert.equal(siblingSetProblem(sync(a, b)), null);
    }),
    { numRuns: 300 },
  );
});

test('truncation never loses a value: a truncating cluster keeps every value an untruncated one keeps', () => {
  fc.assert(
    fc.property(commandsArb, truncating, (commands, maxEntries) => {
      const exact = runWorld(commands).replicas.reduce(sync);
      const truncated = runWorld(commands, { maxEntries }).replicas;
      const all = truncated.reduce(sync);
      for (const x of values(exact)) assert.ok(values(all).some((y) => equalVersions(x, y)), 'a value was lost');
      for (const r of truncated) assert.ok(equalSets(sync(all, r), all));
    }),
    { numRuns: 300 },
  );
});
