/**
 * Key epochs: a coordinator reuses its own actor only when the local copy holds that actor's entry,
 * and otherwise mints a fresh one above every epoch it ever reserved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fresh, update, version, type SiblingSet } from '../../core/versions/index.js';
import { ActorEpochs, EPOCH_BLOCK } from './actors.js';

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
