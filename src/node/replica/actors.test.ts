/**
 * Key epochs: a primary reuses its own actor only when the local copy holds that actor's entry,
 * and otherwise mints a fresh one above every epoch it ever reserved; a coordinator that is not a
 * primary uses fallback actors, reused only against the counter this process remembers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fresh, update, version, type SiblingSet } from '../../core/versions/index.js';
import { ActorEpochs, EPOCH_BLOCK, MAX_REMEMBERED_FALLBACKS } from './actors.js';

function written(by: string, times: number, start?: SiblingSet): SiblingSet {
  let set = start;
  for (let i = 0; i < times; i++) set = update(fresh(version(Buffer.from(`v${i}`), 1000 + i)), set, by, 1000 + i);
  return set!;
}

test('mints a fresh actor for a key it holds no entry of, and reserves epochs in blocks', () => {
  const ceilings: number[] = [];
  const actors = new ActorEpochs('n1:a', 0, (c) => ceilings.push(c));
  assert.equal(actors.actorFor(undefined), 'n1:a.0');
  assert.equal(actors.actorFor(written('other.3', 1)), 'n1:a.1');
  assert.deepEqual(ceilings, [EPOCH_BLOCK]);
});

test('reuses its own actor with the highest counter in the local copy, ignoring look-alike ids', () => {
  const actors = new ActorEpochs('n1:a', 0, () => undefined);
  let set = written('n1:a.7', 2);
  set = written('n1:a.9', 5, set);
  set = written('n1:ab.1', 9, set); // another node whose id starts with ours: not ours
  assert.equal(actors.actorFor(set), 'n1:a.9');
});

test('after a restart, minting continues above the durable ceiling', () => {
  const actors = new ActorEpochs('n1:a', 2 * EPOCH_BLOCK, () => undefined);
  assert.equal(actors.actorFor(undefined), `n1:a.${(2 * EPOCH_BLOCK).toString(36)}`);
});

test('a primary never reuses a fallback actor, and a fallback coordinator never reuses a primary actor', () => {
  const actors = new ActorEpochs('n1:a', 0, () => undefined);
  assert.equal(actors.actorFor(written('n1:a/3', 2)), 'n1:a.0');
  assert.equal(actors.fallbackActorFor('k', written('n1:a.5', 2)), 'n1:a/1');
});

test('a fallback actor is reused only while the local copy holds the counter this process last minted with it', () => {
  const actors = new ActorEpochs('n1:a', 0, () => undefined);
  const first = actors.fallbackActorFor('k', undefined);
  assert.equal(first, 'n1:a/0');
  actors.mintedFallback('k', first, 1);
  const kept = written(first, 1); // e.g. the hint this node kept for a primary it could not reach
  assert.equal(actors.fallbackActorFor('k', kept), first, 'the copy holds the last counter: reuse');
  actors.mintedFallback('k', first, 2); // minted again, but sent away and stored nowhere here
  assert.notEqual(actors.fallbackActorFor('k', kept), first, 'the copy is behind what was minted: a fresh actor');
  assert.notEqual(actors.fallbackActorFor('other', kept), first, 'remembered per key');
});

test('the memory of fallback counters is bounded: a forgotten key gets a fresh actor', () => {
  const actors = new ActorEpochs('n1:a', 0, () => undefined);
  const first = actors.fallbackActorFor('k0', undefined);
  actors.mintedFallback('k0', first, 1);
  for (let i = 1; i <= MAX_REMEMBERED_FALLBACKS; i++) actors.mintedFallback(`k${i}`, first, 1);
  assert.notEqual(actors.fallbackActorFor('k0', written(first, 1)), first);
  assert.equal(actors.fallbackActorFor(`k${MAX_REMEMBERED_FALLBACKS}`, written(first, 1)), first);
});

test('a partition handed over retires its actors: a stale copy delivered later never makes a primary reuse a dot', () => {
  // Seed 1048 (heavy, with joins): n1 handed k4's partition to a joiner and deleted its copy; an
  // old hint then brought back a copy holding n1's actor at counter 1 although n1 had minted 2,
  // and n1, a primary again, minted counter 2 a second time: the add under it was dropped as seen.
  const saved: [number, number][][] = [];
  const actors = new ActorEpochs('n1:a', 0, () => undefined, [], (r) => saved.push(r));
  const actor = actors.actorFor(undefined, 7);
  const stale = written(actor, 1);
  assert.equal(actors.actorFor(stale, 7), actor, 'reused while the partition is held');
  actors.retirePartition(7);
  const fresh = actors.actorFor(stale, 7);
  assert.notEqual(fresh, actor);
  assert.equal(actors.actorFor(stale, 8), actor, 'other partitions keep their actors');
  assert.equal(actors.actorFor(written(fresh, 1, stale), 7), fresh, 'an actor minted after the handover is reused');
  // The watermark is durable: a restart still refuses the old actor for that partition.
  assert.deepEqual(saved.at(-1), [[7, 1]]);
  const restarted = new ActorEpochs('n1:a', EPOCH_BLOCK, () => undefined, saved.at(-1));
  assert.notEqual(restarted.actorFor(stale, 7), actor);
  assert.equal(restarted.actorFor(stale, 8), actor);
});
