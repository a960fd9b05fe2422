/**
 * syncKeepingJoins: the shape seed 1050 (heavy, with joins) met. A replica joined a joiner's add
 * (dot j1:1) into its copy, an anonymous value; another replica still held that add as a sibling
 * next to a newer write of n5 that had not seen it. Plain sync drops each as superseded by the
 * other, and the add is gone from the read and from the copy read repair writes back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siblingSetProblem, sync, type SiblingSet } from '../versions/index.js';
import { applyUpdate, EMPTY_SET, joinSets, setValue, type OrSet } from './orswot.js';
import { encodeCrdt } from './codec.js';
import { resolveCrdt, stateOf } from './resolve.js';
import { syncKeepingJoins } from './sync-joins.js';

const value = (set: OrSet, timestampMs: number): { data: Uint8Array; timestampMs: number } => ({ data: encodeCrdt({ type: 'set', set }), timestampMs });

const before = applyUpdate(applyUpdate(EMPTY_SET, ['n5', 1], ['c4.3'], [], []), ['n5', 2], ['c2.4'], [], [['n5', 1]]);
const joinerAdd = applyUpdate(EMPTY_SET, ['j1', 1], ['c2.8'], [], []);
// n5's third write removes both older elements and adds one, without having seen the joiner's add.
const newer = applyUpdate(before, ['n5', 3], ['c5.10'], ['c2.4', 'c4.3'], before.clock);

/** The replica that joined the add into its copy: history only, and the join as an anonymous value. */
const joinedCopy: SiblingSet = {
  entries: [
    { node: 'j1', counter: 1, values: [], timestampMs: 10 },
    { node: 'n5', counter: 2, values: [], timestampMs: 5 },
  ],
  anonymous: [value(joinSets(before, joinerAdd), 10)],
};
/** The replica holding the add and n5's newer write as two siblings. */
const siblingCopy: SiblingSet = {
  entries: [
    { node: 'j1', counter: 1, values: [value(joinerAdd, 10)], timestampMs: 10 },
    { node: 'n5', counter: 3, values: [value(newer, 12)], timestampMs: 12 },
  ],
  anonymous: [],
};

const elements = (s: SiblingSet): string[] => {
  const state = stateOf('set', resolveCrdt('set', s));
  return state.type === 'set' ? setValue(state.set) : [];
};

test('plain sync loses the add both copies hold (the bug this guards against)', () => {
  assert.deepEqual(elements(sync(joinedCopy, siblingCopy)), ['c5.10']);
});

test('syncKeepingJoins keeps the join, so the add survives and the removes still apply, in either order', () => {
  for (const merged of [syncKeepingJoins(joinedCopy, siblingCopy), syncKeepingJoins(siblingCopy, joinedCopy)]) {
    assert.equal(siblingSetProblem(merged), null);
    assert.deepEqual(elements(merged), ['c2.8', 'c5.10']);
  }
});

test('syncKeepingJoins is sync when no join is dropped against a sibling it superseded', () => {
  const later: SiblingSet = { entries: [{ node: 'j1', counter: 1, values: [], timestampMs: 10 }, { node: 'n5', counter: 3, values: [value(newer, 12)], timestampMs: 12 }], anonymous: [] };
  assert.deepEqual(syncKeepingJoins(joinedCopy, later), sync(joinedCopy, later));
  assert.equal(syncKeepingJoins(siblingCopy, siblingCopy), siblingCopy);
});
