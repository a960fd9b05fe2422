/**
 * The law the replica's write fast path rests on (node/local-store.ts, mergeOnto): a coordinator's
 * update of its copy supersedes that copy, so a replica holding exactly the same copy ends with
 * exactly the update (same set, same bytes) after merging it in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeSiblingSet } from './codec.js';
import { context, fresh, sync, update, withContext } from './sibling-set.js';
import { version } from './value.js';
import { EMPTY, NODES, commandsArb, runWorld } from './testing/world.js';

test('sync(copy, update(write, copy)) is the update itself, byte for byte', () => {
  fc.assert(
    fc.property(commandsArb, fc.nat(2), fc.nat(2), fc.boolean(), fc.boolean(), (commands, coordinator, reader, blind, tombstone) => {
      const { replicas } = runWorld(commands);
      const copy = replicas[coordinator]!;
      const local = copy === EMPTY ? undefined : copy;
      const value = tombstone ? { data: null, timestampMs: 5 } : version(Buffer.from('new'), 5);
      const written = update(blind ? fresh(value) : withContext(context(replicas[reader]!), value), local, NODES[coordinator]!, 1_000);
      const merged = local === undefined ? written : sync(local, written);
      assert.deepEqual(Buffer.from(encodeSiblingSet(merged)), Buffer.from(encodeSiblingSet(written)));
    }),
    { numRuns: 2000, seed: 20261205 },
  );
});
