/**
 * Clock truncation and the node's own entry (docs/operations.md, "clock entries"): the version a
 * coordinator mints keeps its entry through the truncation that follows (that entry holds the new
 * value, and truncation never drops an entry that holds one), and when a later replica merge drops
 * one of this node's entries, the node's next write on the key is minted under a fresh actor, so a
 * dot is never minted twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { siblingSetProblem, sync, truncate, update, version, withContext, type SiblingSet } from '../core/versions/index.js';
import { siblingSetArb } from '../core/versions/testing/arbitraries.js';
import { ActorEpochs } from './replica/actors.js';

const BASE = 'n1:d1';

/** Any sibling set, with some of its entries renamed to actors of this node. */
const localArb: fc.Arbitrary<SiblingSet> = fc.tuple(siblingSetArb, fc.nat(5)).map(([s, epoch]) => {
  const renamed = s.entries.map((e) => (e.node === 'a' ? { ...e, node: `${BASE}.${epoch.toString(36)}` } : e));
  const unique = renamed.filter((e, i) => renamed.findIndex((x) => x.node === e.node) === i);
  return { entries: unique.sort((x, y) => (x.node < y.node ? -1 : 1)), anonymous: s.anonymous };
});

test("a coordinated write keeps its coordinator's entry, with the dot just minted, through truncation", () => {
  fc.assert(
    fc.property(localArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 ** 40 }), (local, max, now) => {
      const actors = new ActorEpochs(BASE, 10, () => {});
      const actor = actors.actorFor(local);
      const before = local.entries.find((e) => e.node === actor)?.counter ?? 0;
      const written = truncate(update(withContext([], version(Buffer.from('new'), now)), local, actor, now), max);
      assert.equal(siblingSetProblem(written), null);
      const own = written.entries.find((e) => e.node === actor);
      assert.ok(own !== undefined, 'the coordinator entry survived truncation');
      assert.equal(own.counter, before + 1, 'and carries the next counter of that actor');
      assert.ok(own.values.some((v) => v.data !== null && Buffer.from(v.data).toString() === 'new'), 'and holds the new value');
    }),
    { numRuns: 500 },
  );
});

test('after a replica merge dropped one of its entries, the node mints under a fresh actor, never reusing a dot', () => {
  fc.assert(
    fc.property(localArb, siblingSetArb, fc.integer({ min: 1, max: 2 }), (local, other, max) => {
      const actors = new ActorEpochs(BASE, 10, () => {});
      const first = actors.actorFor(local);
      const mine = update(withContext([], version(Buffer.from('v1'), 1)), local, first, 1);
      // A later write by someone else supersedes the value, then a replica merge truncates hard.
      const superseded = update(withContext(mine.entries.map((e) => [e.node, e.counter] as const), version(Buffer.from('v2'), 2)), mine, 'zz-other', 2);
      const merged = truncate(sync(superseded, other), max);
      const second = actors.actorFor(merged);
      const mintedCounter = mine.entries.find((e) => e.node === first)!.counter;
      if (merged.entries.every((e) => e.node !== first)) assert.notEqual(second, first, 'its entry was dropped: a fresh actor');
      const next = update(withContext([], version(Buffer.from('v3'), 3)), merged, second, 3);
      const dot = next.entries.find((e) => e.node === second)!;
      assert.ok(dot.node !== first || dot.counter > mintedCounter, `dot ${first}:${dot.counter} minted twice`);
    }),
    { numRuns: 500 },
  );
});
