import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { siblingSetProblem } from './invariants.js';
import { compareSets, context, equalSets, fresh, isTombstone, liveValues, siblingCount, sync, update, values, withContext, type SiblingSet } from './sibling-set.js';
import { equalVersions, tombstone, version, type Version } from './value.js';
import { compareVectors } from './vector.js';
import { dotKey, refEqual, refSync, toRef } from './testing/reference.js';
import { EMPTY, commandsArb, runWorld, threeSetsArb } from './testing/world.js';

const v = (name: string, ms = 1): Version => version(Buffer.from(name), ms);
const names = (s: SiblingSet): string[] => values(s).map((x) => (x.data === null ? '<tombstone>' : Buffer.from(x.data).toString()));
const has = (s: SiblingSet, x: Version): boolean => values(s).some((y) => equalVersions(x, y));
const ok = (s: SiblingSet): void => assert.equal(siblingSetProblem(s), null);

test('sync is commutative, associative and idempotent', () => {
  fc.assert(
    fc.property(threeSetsArb(), ([a, b, c]) => {
      assert.ok(equalSets(sync(a, b), sync(b, a)));
      assert.ok(equalSets(sync(sync(a, b), c), sync(a, sync(b, c))));
      assert.ok(equalSets(sync(a, a), a));
      ok(sync(a, b));
    }),
    { numRuns: 300 },
  );
});

test('sync matches the dot-by-dot reference: a value goes only when the other history covers its dot', () => {
  fc.assert(
    fc.property(threeSetsArb(), ([a, b]) => {
      const merged = sync(a, b);
      assert.ok(refEqual(toRef(merged), refSync(toRef(a), toRef(b))));
      assert.equal(compareVectors(context(merged), context(a)) === 'before', false);
    }),
    { numRuns: 300 },
  );
});

test('sync never drops a value the other side has not seen', () => {
  fc.assert(
    fc.property(threeSetsArb(), ([a, b]) => {
      const merged = sync(a, b);
      for (const [x, y] of [[a, b], [b, a]] as const) {
        const other = toRef(y);
        for (const [dot, value] of toRef(x).dots) {
          const [node, counter] = dot.split('#') as [string, string];
          const seen = (other.history.get(node) ?? 0) >= Number(counter);
          if (!seen || other.dots.has(dotKey(node, Number(counter)))) assert.ok(has(merged, value), `lost ${dot}`);
          else assert.ok(!has(merged, value), `kept superseded ${dot}`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('every replica converges to the same set once all have synced', () => {
  fc.assert(
    fc.property(commandsArb, (commands) => {
      const { replicas } = runWorld(commands);
      const all = replicas.reduce(sync);
      for (const r of replicas) assert.ok(equalSets(sync(r, all), all));
      for (const r of replicas) ok(r);
    }),
    { numRuns: 200 },
  );
});

test('a write on one coordinator after another supersedes it; a blind write is a sibling', () => {
  const a0 = update(fresh(v('v1')), undefined, 'a', 10);
  assert.deepEqual(context(a0), [['a', 1]]);
  const a1 = update(withContext(context(a0), v('v2')), a0, 'a', 11);
  assert.deepEqual(names(a1), ['v2']);
  const blind = update(fresh(v('v3')), a1, 'a', 12);
  assert.deepEqual(names(blind), ['v3', 'v2']);
  assert.deepEqual(context(blind), [['a', 3]]);
  const elsewhere = update(withContext(context(a1), v('v4')), a1, 'b', 13);
  assert.deepEqual(names(elsewhere), ['v4']);
  assert.deepEqual(context(elsewhere), [['a', 2], ['b', 1]]);
  ok(blind);
  ok(elsewhere);
});

test('a stale write keeps the newer value it did not see and drops the older one it did', () => {
  const s1 = update(fresh(v('v1')), undefined, 'a', 1); // Mary writes v1
  const peter = context(s1); // Peter reads v1
  const s2 = update(fresh(v('v2')), s1, 'a', 2); // Mary writes v2 blind: siblings v2, v1
  assert.deepEqual(names(s2), ['v2', 'v1']);
  const s3 = update(withContext(peter, v('v3')), s2, 'a', 3); // Peter replaces what he saw, v1
  assert.deepEqual(names(s3), ['v3', 'v2']);
  assert.equal(s3.entries[0]!.counter, 3);
});

test('sync of replicas that took concurrent writes keeps both and joins the histories', () => {
  const base = update(fresh(v('v1')), undefined, 'a', 1);
  const onB = update(withContext(context(base), v('v2')), base, 'b', 2);
  const onC = update(withContext(context(base), v('v3')), base, 'c', 3);
  const merged = sync(onB, onC);
  assert.deepEqual(names(merged), ['v2', 'v3']);
  assert.deepEqual(context(merged), [['a', 1], ['b', 1], ['c', 1]]);
  assert.equal(compareSets(onB, onC), 'concurrent');
  assert.equal(compareSets(base, merged), 'before');
  assert.equal(compareSets(merged, onB), 'after');
  assert.ok(equalSets(sync(merged, base), merged));
});

test('tombstones are values: counted, hidden from liveValues, and a deleted key is all tombstones', () => {
  const s1 = update(fresh(v('v1')), undefined, 'a', 1);
  const deleted = update(withContext(context(s1), tombstone(2)), s1, 'a', 2);
  assert.ok(isTombstone(deleted));
  assert.equal(siblingCount(deleted), 1);
  assert.deepEqual(liveValues(deleted), []);
  const racing = update(fresh(v('v3', 3)), deleted, 'b', 3);
  assert.equal(isTombstone(racing), false);
  assert.equal(siblingCount(racing), 2);
  assert.deepEqual(liveValues(racing).map((x) => Buffer.from(x.data!).toString()), ['v3']);
  assert.equal(isTombstone(EMPTY), false);
});

test('undotted values: kept unless the other history strictly dominates, dropped by a covering write', () => {
  const anon: SiblingSet = { entries: [{ node: 'a', counter: 2, values: [], timestampMs: 5 }], anonymous: [v('old')] };
  const ahead = update(withContext([['a', 2]], v('new')), undefined, 'b', 6);
  assert.deepEqual(names(sync(anon, ahead)), ['new']);
  const concurrent = update(fresh(v('other')), undefined, 'b', 6);
  assert.deepEqual(names(sync(anon, concurrent)), ['other', 'old']);
  assert.deepEqual(names(sync(anon, anon)), ['old']);
  const covering = update(withContext(context(anon), v('merged')), anon, 'a', 7);
  assert.deepEqual(names(covering), ['merged']);
  const partial = update(withContext([['a', 1]], v('late')), anon, 'a', 8);
  assert.deepEqual(names(partial), ['late', 'old']);
});

test('a client set must carry exactly one value and no dotted values', () => {
  const s = update(fresh(v('v1')), undefined, 'a', 1);
  assert.throws(() => update(s, undefined, 'a', 2), /exactly one new value/);
  assert.throws(() => withContext([['b', 1], ['a', 1]], v('x')), /sorted/);
});

test('sync hands back an input that already holds the join, so "nothing new" is an identity check', () => {
  const s1 = update(fresh(v('v1')), undefined, 'a', 1);
  const s2 = update(withContext(context(s1), v('v2')), s1, 'b', 2);
  assert.equal(sync(s2, s1), s2);
  assert.equal(sync(s1, s2), s2);
  assert.equal(sync(s2, EMPTY), s2);
});
