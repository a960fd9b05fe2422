import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { siblingSetProblem } from './invariants.js';
import { context, fresh, siblingCount, sync, update, values, withContext, type SiblingSet } from './sibling-set.js';
import { equalVersions, version, type Version } from './value.js';
import { counterOf, mergeVectors } from './vector.js';
import { refEqual, refUpdate, toRef } from './testing/reference.js';
import { EMPTY, NODES, commandsArb, runWorld } from './testing/world.js';

const v = (name: string): Version => version(Buffer.from(name), 7);
const has = (s: SiblingSet, x: Version): boolean => values(s).some((y) => equalVersions(x, y));
const local = (s: SiblingSet): SiblingSet | undefined => (s === EMPTY ? undefined : s);

/** A world, one replica as the coordinator's local set, and one replica the client read from. */
const setupArb = fc.tuple(commandsArb, fc.nat(2), fc.nat(2), fc.boolean()).map(([commands, coordinator, reader, blind]) => {
  const { replicas } = runWorld(commands);
  return { server: replicas[coordinator]!, read: replicas[reader]!, coordinator: NODES[coordinator]!, blind };
});

test('update supersedes exactly what the read saw, matching the dot-by-dot reference', () => {
  fc.assert(
    fc.property(setupArb, ({ server, read, coordinator, blind }) => {
      const ctx = blind ? [] : context(read);
      const next = update(blind ? fresh(v('new')) : withContext(ctx, v('new')), local(server), coordinator, 99);
      assert.equal(siblingSetProblem(next), null);
      assert.ok(refEqual(toRef(next), refUpdate(ctx, v('new'), toRef(server), coordinator)));
    }),
    { numRuns: 300 },
  );
});

test("the coordinator's counter advances past everything it or the client has seen", () => {
  fc.assert(
    fc.property(setupArb, ({ server, read, coordinator }) => {
      const next = update(withContext(context(read), v('new')), local(server), coordinator, 1e6);
      const seen = counterOf(mergeVectors(context(read), context(server)), coordinator);
      assert.equal(counterOf(context(next), coordinator), seen + 1);
      const entry = next.entries.find((e) => e.node === coordinator)!;
      assert.ok(equalVersions(entry.values[0]!, v('new')));
      assert.equal(entry.timestampMs, 1e6);
    }),
    { numRuns: 200 },
  );
});

test('two clients writing with the same context make two siblings; a write with the merged context makes one', () => {
  fc.assert(
    fc.property(commandsArb, fc.boolean(), fc.nat(2), fc.nat(2), fc.nat(2), (commands, converged, c1, c2, c3) => {
      const { replicas } = runWorld(commands);
      const all = replicas.reduce(sync);
      const replica = converged ? replicas.map(() => all) : [...replicas];
      const ctx = context(replica[c1]!);
      replica[c1] = update(withContext(ctx, v('one')), local(replica[c1]!), NODES[c1]!, 100);
      replica[c2] = update(withContext(ctx, v('two')), local(replica[c2]!), NODES[c2]!, 101);
      const after = replica.reduce(sync);
      assert.ok(has(after, v('one')) && has(after, v('two')));
      if (converged) assert.equal(siblingCount(after), 2);
      const merged = update(withContext(context(after), v('merged')), local(replica[c3]!), NODES[c3]!, 102);
      assert.equal(siblingCount(sync(merged, after)), 1);
      assert.equal(siblingCount(replica.map((s) => sync(s, merged)).reduce(sync)), 1);
    }),
    { numRuns: 200 },
  );
});

test('two writes through one coordinator with one context stay siblings (no false supersession)', () => {
  const s0 = update(fresh(v('v0')), undefined, 'a', 1);
  const ctx = context(s0);
  const s1 = update(withContext(ctx, v('one')), s0, 'a', 2);
  const s2 = update(withContext(ctx, v('two')), s1, 'a', 3);
  assert.deepEqual(values(s2).map((x) => Buffer.from(x.data!).toString()), ['two', 'one']);
  const s3 = update(withContext(context(s2), v('three')), s2, 'a', 4);
  assert.equal(siblingCount(s3), 1);
});

test('a write with no context on an existing key becomes a sibling of everything there', () => {
  fc.assert(
    fc.property(setupArb, ({ server, coordinator }) => {
      const next = update(fresh(v('blind')), local(server), coordinator, 99);
      assert.equal(siblingCount(next), siblingCount(server) + 1);
      for (const x of values(server)) assert.ok(has(next, x));
    }),
    { numRuns: 200 },
  );
});
