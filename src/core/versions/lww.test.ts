import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { siblingSetProblem } from './invariants.js';
import { resolveLww } from './lww.js';
import { context, equalSets, siblingCount, sync, values, type SiblingSet } from './sibling-set.js';
import { compareVersions, equalVersions, tombstone, version } from './value.js';
import { siblingSetArb } from './testing/arbitraries.js';
import { threeSetsArb } from './testing/world.js';

const newest = (s: SiblingSet) => values(s).sort(compareVersions).at(-1);

test('LWW keeps only the newest sibling and the whole causal history', () => {
  fc.assert(
    fc.property(fc.oneof(siblingSetArb, threeSetsArb().map((t) => t[0])), (s) => {
      const r = resolveLww(s);
      assert.equal(siblingSetProblem(r), null);
      assert.equal(siblingCount(r), Math.min(1, siblingCount(s)));
      if (siblingCount(s) > 0) assert.ok(equalVersions(values(r)[0]!, newest(s)!));
      assert.deepEqual(context(r), context(s));
      assert.ok(equalSets(resolveLww(r), r));
    }),
    { numRuns: 300 },
  );
});

test('a replica that syncs with its own LWW result ends at that result', () => {
  fc.assert(
    fc.property(threeSetsArb(), ([a, b]) => {
      const s = sync(a, b);
      const r = resolveLww(s);
      assert.ok(equalSets(sync(s, r), r));
      assert.ok(equalSets(sync(r, s), r));
    }),
    { numRuns: 200 },
  );
});

test('ties break the same way everywhere: equal timestamps by bytes, a tombstone loses', () => {
  const at = (name: string) => version(Buffer.from(name), 5);
  const s: SiblingSet = {
    entries: [
      { node: 'a', counter: 1, values: [at('apple')], timestampMs: 5 },
      { node: 'b', counter: 1, values: [tombstone(5)], timestampMs: 5 },
      { node: 'c', counter: 1, values: [at('pear')], timestampMs: 5 },
    ],
    anonymous: [],
  };
  assert.equal(Buffer.from(values(resolveLww(s))[0]!.data!).toString(), 'pear');
  const later = { ...s, anonymous: [tombstone(6)] };
  assert.equal(values(resolveLww(later))[0]!.data, null);
});

test('a winner below the newest dot of its entry becomes anonymous rather than moving dots', () => {
  const s: SiblingSet = {
    entries: [{ node: 'a', counter: 3, values: [version(Buffer.from('v3'), 1), version(Buffer.from('v2'), 9)], timestampMs: 9 }],
    anonymous: [],
  };
  const r = resolveLww(s);
  assert.deepEqual(r.entries, [{ node: 'a', counter: 3, values: [], timestampMs: 9 }]);
  assert.equal(Buffer.from(r.anonymous[0]!.data!).toString(), 'v2');
});
